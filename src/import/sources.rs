//! The plain text of each text source, and cutting selections out of it.
//!
//! Where the text is: inline in `<PlainTextContent>`, or in the archive at `plainTextPath`.
//! Paths come as `internal://<guid>.txt` (the spec), as a path relative to the archive
//! (`sources/x.txt`), or bare (`x.txt`); the folder is `sources/` or `Sources/` depending on
//! the tool. A path with another scheme (`absolute://`, `file://`), an absolute path or a
//! `..` points outside the archive: the import never reads the file system on a project's
//! say-so, so such a source is an error.
//!
//! How offsets count. The standard says Unicode code points from 0, end exclusive, and most
//! tools (QualCoder, ATLAS.ti, MAXQDA, Taguette) count that way. NVivo does not: it counts
//! UTF-16 code units, so every character outside the Basic Multilingual Plane (emoji, some
//! historic scripts) counts twice and shifts every later offset by one. ATLAS.ti counts a
//! CRLF line end as one character. So a source's text can be read four ways (code points or
//! UTF-16 code units, CRLF as stored or as one character), and the import picks one per
//! source:
//!
//! 1. The `origin` attribute proposes an order: NVivo → UTF-16 units first; ATLAS.ti →
//!    code points with CRLF as one first; any other tool → code points as stored first.
//! 2. The text confirms or refutes: a reading is impossible when a selection ends past the
//!    text, when a boundary falls between the two code units of a surrogate pair (only a
//!    wrong UTF-16 reading does that), or, with CRLF kept as two, between the CR and the LF
//!    of a line end (a tool that counts CRLF as two never puts a boundary there). The first
//!    possible reading in the proposed order is used. ATLAS.ti's CRLF rule is kept: its
//!    projects read CRLF as one whenever that is possible.
//! 3. Readings that give the same cut are not told apart: without characters outside the
//!    BMP, code points and UTF-16 units agree; without CRLF, the CRLF rule changes nothing.
//!
//! The import report says, per source, which reading was used and why, with how many
//! selections start and end at word boundaries under it and under the other unit (a wrong
//! unit cuts words in half). A UTF-8 BOM (QualCoder writes one) is not part of the text.
//! Inline content is taken verbatim (an XML reader would turn CRLF into LF; the exporter
//! counted the string it held, which is what the file holds).

use std::io::{Read, Seek};

use super::project::Project;
use super::report::{quoted, Part, Report};
use crate::archive::Archive;
use crate::problem::{Problems, Result};
use crate::xml::decode_text;

/// The unit a source's offsets count in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unit {
    CodePoints,
    Utf16,
}

impl Unit {
    /// The unit's name as the report writes it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Unit::CodePoints => "code points",
            Unit::Utf16 => "UTF-16 code units",
        }
    }
}

/// A boundary that falls inside a character (between the halves of a surrogate pair).
const INSIDE: usize = usize::MAX;

/// A source's text, ready to cut.
pub(crate) struct Text {
    pub text: String,
    /// Byte offset where each unit starts ([`INSIDE`] for the second half of a surrogate
    /// pair), plus the text's length, so cutting is O(1).
    bounds: Vec<usize>,
    pub unit: Unit,
    /// Why CRLF was read as LF, when it was.
    pub crlf_rule: Option<&'static str>,
    pub had_bom: bool,
    /// Which reading was used and why, for the report.
    pub reading: String,
}

impl Text {
    fn new(text: String, unit: Unit) -> Self {
        let mut bounds = Vec::with_capacity(text.len() + 1);
        for (b, c) in text.char_indices() {
            bounds.push(b);
            if unit == Unit::Utf16 && c.len_utf16() == 2 {
                bounds.push(INSIDE);
            }
        }
        bounds.push(text.len());
        Text { text, bounds, unit, crlf_rule: None, had_bom: false, reading: String::new() }
    }

    /// The text's length in its unit.
    pub(crate) fn len(&self) -> usize {
        self.bounds.len() - 1
    }

    /// Units `start..end`; `None` when the range runs past the end or a boundary falls
    /// inside a character.
    pub(crate) fn cut(&self, start: usize, end: usize) -> Option<&str> {
        if start > end || end > self.len() {
            return None;
        }
        let (a, b) = (self.bounds[start], self.bounds[end]);
        if a == INSIDE || b == INSIDE {
            return None;
        }
        Some(&self.text[a..b])
    }

    /// Why `cut(start, end)` fails, in words.
    pub(crate) fn cut_problem(&self, start: usize, end: usize) -> String {
        let crlf = if self.crlf_rule.is_some() { ", counting CRLF as one" } else { "" };
        if end > self.len() {
            return format!(
                "expected an offset within the source's {} {}{crlf}, found {end}",
                self.len(),
                self.unit.name()
            );
        }
        let at = if self.bounds[start] == INSIDE { start } else { end };
        format!("expected an offset between characters, found {at}, which falls inside a character outside the BMP")
    }

    /// Whether offset `i` lies between two characters of the text.
    fn is_boundary(&self, i: usize) -> bool {
        i <= self.len() && self.bounds[i] != INSIDE
    }

    /// Whether offset `i` splits a CRLF line end.
    fn splits_crlf(&self, i: usize) -> bool {
        if i == 0 || i >= self.len() || !self.is_boundary(i) {
            return false;
        }
        let b = self.bounds[i];
        self.text.as_bytes()[b - 1] == b'\r' && self.text.as_bytes()[b] == b'\n'
    }

    /// Whether offset `i` lies at a word boundary (not between two letters or digits).
    fn at_word_boundary(&self, i: usize) -> bool {
        if i == 0 || i >= self.len() {
            return true;
        }
        if !self.is_boundary(i) {
            return false;
        }
        let b = self.bounds[i];
        let before = self.text[..b].chars().next_back();
        let after = self.text[b..].chars().next();
        !matches!((before, after), (Some(x), Some(y)) if x.is_alphanumeric() && y.is_alphanumeric())
    }

    /// How many of `spans` start and end at word boundaries.
    fn on_words(&self, spans: &[(usize, usize)]) -> usize {
        spans.iter().filter(|&&(a, b)| b <= self.len() && self.at_word_boundary(a) && self.at_word_boundary(b)).count()
    }

    /// What makes this reading impossible for `spans`, if anything.
    fn refuted(&self, spans: &[(usize, usize)], crlf_as_two: bool) -> Option<String> {
        let past = spans.iter().filter(|&&(_, b)| b > self.len()).count();
        if past > 0 {
            return Some(format!("{past} selection(s) end past the text"));
        }
        let inside = spans.iter().filter(|&&(a, b)| !self.is_boundary(a) || !self.is_boundary(b)).count();
        if inside > 0 {
            return Some(format!("{inside} selection(s) start or end inside a surrogate pair"));
        }
        if crlf_as_two {
            let split = spans.iter().filter(|&&(a, b)| self.splits_crlf(a) || self.splits_crlf(b)).count();
            if split > 0 {
                return Some(format!("{split} selection(s) start or end between the CR and the LF of a line end"));
            }
        }
        None
    }
}

/// Every text source's prepared text, in project order (`None` for a source that names no
/// text). Sources whose text cannot be found or decoded are problems; BOMs dropped and the
/// CRLF rule applied are noted in the report.
pub(crate) fn load_all<R: Read + Seek>(
    archive: &mut Archive<R>,
    p: &Project,
    qde: &str,
    problems: &mut Problems,
    report: &mut Report,
) -> Result<Vec<Option<Text>>> {
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
        match prepare(&bytes, &spans, &p.origin) {
            Ok(text) => {
                if text.had_bom {
                    boms.push(quoted(&s.name));
                }
                if !spans.is_empty() {
                    report.add(Part::Offsets, format!("source {}: {}", quoted(&s.name), text.reading));
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
    let rel = crate::archive::safe_name(rel)
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

/// The tool a project comes from, as far as offsets are concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tool {
    NVivo,
    Atlas,
    Other,
}

fn tool(origin: &str) -> Tool {
    let o = origin.to_ascii_lowercase().replace(' ', "");
    if o.contains("atlas.ti") {
        Tool::Atlas
    } else if o.contains("nvivo") {
        Tool::NVivo
    } else {
        Tool::Other
    }
}

/// Decode a source's bytes and choose how its offsets count (see the module docs). `spans`
/// are the (start, end) offsets of its selections; `origin` the project's `origin`.
pub(crate) fn prepare(bytes: &[u8], spans: &[(usize, usize)], origin: &str) -> std::result::Result<Text, String> {
    let had_bom =
        bytes.starts_with(b"\xEF\xBB\xBF") || bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF");
    let mut text = decode_text(bytes)?;
    // A BOM written inside inline content (after decoding) is not text either.
    let had_bom = had_bom || text.starts_with('\u{feff}');
    if let Some(rest) = text.strip_prefix('\u{feff}') {
        text = rest.to_string();
    }
    let astral = text.chars().filter(|c| c.len_utf16() == 2).count();
    let has_crlf = text.contains("\r\n");
    let tool = tool(origin);
    // The readings in the order the origin proposes: (unit, CRLF read as one).
    let order: &[(Unit, bool)] = match tool {
        Tool::NVivo => {
            &[(Unit::Utf16, false), (Unit::CodePoints, false), (Unit::Utf16, true), (Unit::CodePoints, true)]
        }
        Tool::Atlas => {
            &[(Unit::CodePoints, true), (Unit::CodePoints, false), (Unit::Utf16, true), (Unit::Utf16, false)]
        }
        Tool::Other => {
            &[(Unit::CodePoints, false), (Unit::CodePoints, true), (Unit::Utf16, false), (Unit::Utf16, true)]
        }
    };
    // Readings that cannot differ on this text are one reading.
    let mut readings: Vec<(Unit, bool)> = Vec::new();
    for &(unit, one) in order {
        let r = (if astral == 0 { Unit::CodePoints } else { unit }, one && has_crlf);
        if !readings.contains(&r) {
            readings.push(r);
        }
    }
    let build = |(unit, one): (Unit, bool)| -> Text {
        let t = if one { text.replace("\r\n", "\n") } else { text.clone() };
        Text::new(t, unit)
    };
    let mut refutations: Vec<((Unit, bool), String)> = Vec::new();
    let mut chosen: Option<Text> = None;
    for &r in &readings {
        let t = build(r);
        match t.refuted(spans, !r.1) {
            Some(why) => refutations.push((r, why)),
            None => {
                chosen = Some(t);
                break;
            }
        }
    }
    // No reading fits: keep the proposed one, so the cut reports each bad selection.
    let fits = chosen.is_some();
    let mut t = chosen.unwrap_or_else(|| build(readings[0]));
    t.had_bom = had_bom;
    let one = t.text.len() != text.len();
    if one {
        t.crlf_rule = Some(if tool == Tool::Atlas {
            "the project comes from ATLAS.ti, which counts CRLF as one character"
        } else {
            "with CRLF counted as two characters, a selection ends past the text or between the CR and the LF \
             of a line end, which happens only when CRLF counts as one character"
        });
    }
    t.reading = describe(&t, tool, origin, astral, spans, &refutations, fits, &build);
    Ok(t)
}

fn reading_name((unit, one): (Unit, bool)) -> String {
    format!("{}{}", unit.name(), if one { " with CRLF as one" } else { "" })
}

/// The report's sentence on how a source's offsets were read.
#[allow(clippy::too_many_arguments)]
fn describe(
    t: &Text,
    tool: Tool,
    origin: &str,
    astral: usize,
    spans: &[(usize, usize)],
    refuted: &[((Unit, bool), String)],
    fits: bool,
    build: &dyn Fn((Unit, bool)) -> Text,
) -> String {
    let used = (t.unit, t.crlf_rule.is_some());
    let mut out = format!("read as {}", reading_name(used));
    let from = if origin.is_empty() { "an unnamed tool".to_string() } else { format!("“{origin}”") };
    let proposed = match tool {
        Tool::NVivo => format!("the project comes from {from}, and NVivo counts UTF-16 code units"),
        Tool::Atlas => format!("the project comes from {from}, and ATLAS.ti counts code points with CRLF as one"),
        Tool::Other => format!("the project comes from {from}, so the standard's code points come first"),
    };
    out.push_str(&format!(", because {proposed}"));
    if !fits {
        out.push_str("; no reading fits every selection (see the errors)");
        return out;
    }
    for (r, why) in refuted {
        out.push_str(&format!("; as {}, {why}", reading_name(*r)));
    }
    if astral == 0 {
        out.push_str("; the text has no character outside the BMP, so code points and UTF-16 code units agree");
    } else if !spans.is_empty() {
        let other = match t.unit {
            Unit::CodePoints => Unit::Utf16,
            Unit::Utf16 => Unit::CodePoints,
        };
        let alt = build((other, used.1));
        out.push_str(&format!(
            "; the text has {astral} character(s) outside the BMP, and {} of {} selection(s) start and end at word \
             boundaries under this reading ({} as {})",
            t.on_words(spans),
            spans.len(),
            alt.on_words(spans),
            other.name()
        ));
    }
    out
}
