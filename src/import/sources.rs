//! The plain text of each text source, and cutting selections out of it.
//!
//! Where the text is: inline in `<PlainTextContent>`, or in the archive at `plainTextPath`.
//! Paths come as `internal://<guid>.txt` (the spec), as a path relative to the archive
//! (`sources/x.txt`), or bare (`x.txt`); the folder is `sources/` or `Sources/` depending on
//! the tool. A path with another scheme (`absolute://`, `file://`), an absolute path or a
//! `..` points outside the archive: the import never reads the file system on a project's
//! say-so, so such a source is an error.
//!
//! How offsets count: REFI-QDA positions are Unicode code points from 0, end exclusive,
//! so texts are cut by `char`, never by byte. A UTF-8 BOM (QualCoder writes one) is not
//! part of the text. The one known deviation is ATLAS.ti, which counts a CRLF line end as
//! one character. The rule used here, per source whose text contains CRLF: **CRLF is read
//! as LF before cutting when (1) the project's `origin` names ATLAS.ti, or (2) some
//! selection ends past the text's length in code points, or (3) some selection starts or
//! ends between the CR and the LF of a line end** (a tool that counts CRLF as two never
//! puts a boundary there, so this catches ATLAS.ti-style offsets from a project whose
//! origin was lost). Otherwise the text is cut exactly as stored. Offsets that still run
//! past the end are an error. (Counting CRLF as one makes offsets smaller, so (2) alone
//! never detects the ATLAS.ti quirk; it is kept because it costs nothing: offsets past the
//! end are an error either way.) Inline content is taken verbatim (an XML reader would
//! turn CRLF into LF; the exporter counted the string it held, which is what the file
//! holds).

use std::io::{Read, Seek};

use super::archive::Archive;
use super::project::Project;
use super::report::{quoted, Part, Report};
use super::xml::decode_text;
use crate::problem::{Problems, Result};

/// A source's text, ready to cut.
pub struct Text {
    pub text: String,
    /// Byte offset of every char, plus the text's length, so cutting is O(1).
    bounds: Vec<usize>,
    /// Why CRLF was read as LF, when it was.
    pub crlf_rule: Option<&'static str>,
    pub had_bom: bool,
}

impl Text {
    /// The text's length in code points.
    pub fn len(&self) -> usize {
        self.bounds.len() - 1
    }

    /// Characters `start..end`; `None` when the range runs past the end.
    pub fn cut(&self, start: usize, end: usize) -> Option<&str> {
        if start > end || end > self.len() {
            return None;
        }
        Some(&self.text[self.bounds[start]..self.bounds[end]])
    }
}

/// Every text source's prepared text, in project order (`None` for a source that names no
/// text). Sources whose text cannot be found or decoded are problems; BOMs dropped and the
/// CRLF rule applied are noted in the report.
pub fn load_all<R: Read + Seek>(
    archive: &mut Archive<R>,
    p: &Project,
    qde: &str,
    problems: &mut Problems,
    report: &mut Report,
) -> Result<Vec<Option<Text>>> {
    let atlas = is_atlas(&p.origin);
    let mut out = Vec::with_capacity(p.sources.len());
    let mut boms = Vec::new();
    for s in &p.sources {
        let spans: Vec<(usize, usize)> = s.selections.iter().map(|x| (x.start, x.end)).collect();
        let (bytes, from) = if let Some(content) = &s.content {
            (content.clone().into_bytes(), "its PlainTextContent".to_string())
        } else if let Some(path) = &s.plain_text_path {
            match locate(archive, path) {
                Ok(index) => (archive.read(index)?, format!("`{}`", archive.name(index))),
                Err(why) => {
                    problems.push(
                        qde,
                        Some(s.line),
                        "plainTextPath",
                        format!("text source {}: {why}", quoted(&s.name)),
                    );
                    out.push(None);
                    continue;
                }
            }
        } else {
            out.push(None);
            continue;
        };
        match prepare(&bytes, &spans, atlas) {
            Ok(text) => {
                if text.had_bom {
                    boms.push(quoted(&s.name));
                }
                if let Some(why) = text.crlf_rule {
                    report.add(
                        Part::Changed,
                        format!(
                            "source {}: CRLF line ends were read as LF before cutting, because {why}",
                            quoted(&s.name)
                        ),
                    );
                }
                out.push(Some(text));
            }
            Err(why) => {
                problems.push(
                    qde,
                    Some(s.line),
                    "plainTextPath",
                    format!("the text of source {} ({from}) {why}", quoted(&s.name)),
                );
                out.push(None);
            }
        }
    }
    if !boms.is_empty() {
        report.add(
            Part::Changed,
            format!(
                "a byte-order mark at the start of {} source text(s) was not counted as text: {}",
                boms.len(),
                boms.join(", ")
            ),
        );
    }
    Ok(out)
}

/// The archive entry a `plainTextPath` names, or why it cannot be used.
fn locate<R: Read + Seek>(archive: &Archive<R>, path: &str) -> std::result::Result<usize, String> {
    let lower = path.to_ascii_lowercase();
    let rel = if lower.starts_with("internal://") {
        &path["internal://".len()..]
    } else if lower.contains("://") {
        return Err(format!(
            "its text is at `{path}`, outside the archive; export the project with its sources included"
        ));
    } else {
        path
    };
    let rel = super::archive::safe_name(rel)
        .ok_or_else(|| format!("its text path `{path}` leaves the archive (absolute or `..`); refused"))?;
    let mut candidates = vec![rel.clone()];
    let decoded = percent_decode(&rel);
    if decoded != rel {
        candidates.push(decoded);
    }
    for c in candidates.clone() {
        // A bare file name lives in the sources folder, whichever case the tool chose.
        if !c.to_ascii_lowercase().starts_with("sources/") {
            candidates.push(format!("sources/{c}"));
        }
    }
    for c in &candidates {
        if let Some(i) = archive.find(c).map_err(|e| e.to_string())? {
            return Ok(i);
        }
    }
    Err(format!("its text file `{path}` is not in the archive"))
}

/// `%20` and friends, as some tools write URI-style paths. Invalid escapes stay as they are.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// Decode a source's bytes and apply the CRLF rule (see the module docs). `spans` are the
/// (start, end) offsets of its selections; `atlas` whether the project comes from ATLAS.ti.
pub fn prepare(bytes: &[u8], spans: &[(usize, usize)], atlas: bool) -> std::result::Result<Text, String> {
    let had_bom =
        bytes.starts_with(b"\xEF\xBB\xBF") || bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF");
    let mut text = decode_text(bytes)?;
    // A BOM written inside inline content (after decoding) is not text either.
    let had_bom = had_bom || text.starts_with('\u{feff}');
    if let Some(rest) = text.strip_prefix('\u{feff}') {
        text = rest.to_string();
    }
    let mut crlf_rule = None;
    if text.contains("\r\n") {
        let chars: Vec<char> = text.chars().collect();
        // Offsets between the CR and the LF of one line end: only a count of CRLF as one
        // character puts a boundary there.
        let splits = |i: usize| i > 0 && i < chars.len() && chars[i - 1] == '\r' && chars[i] == '\n';
        crlf_rule = if atlas {
            Some("the project comes from ATLAS.ti, which counts CRLF as one character")
        } else if spans.iter().any(|&(_, end)| end > chars.len()) {
            Some("its selections end past the text when CRLF counts as two characters")
        } else if spans.iter().any(|&(a, b)| splits(a) || splits(b)) {
            Some("a selection starts or ends between the CR and the LF of a line end, which happens only when CRLF counts as one character")
        } else {
            None
        };
        if crlf_rule.is_some() {
            text = text.replace("\r\n", "\n");
        }
    }
    let bounds = text.char_indices().map(|(b, _)| b).chain(std::iter::once(text.len())).collect();
    Ok(Text { text, bounds, crlf_rule, had_bom })
}

/// Whether an `origin` attribute names ATLAS.ti (`ATLAS.ti for Windows 23.2.3`, `ATLAS.ti Mac`).
pub fn is_atlas(origin: &str) -> bool {
    origin.to_ascii_lowercase().replace(' ', "").contains("atlas.ti")
}
