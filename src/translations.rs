//! Translations that fall behind. A bilingual report goes stale one language at a time:
//! the Bokmål paragraph is edited and the English one is not. Each paragraph of a prose
//! file in a second language may carry, on the line before it, a typst comment naming the
//! paragraph of the source-language file it translates and a short hash of that
//! paragraph's text, as gettext marks a translation "fuzzy":
//!
//! ```text
//! // translates nb ¶2 3f2a9c1d
//! We met the participants in their own units.
//! ```
//!
//! `bsb check` lists every marked paragraph whose source paragraph has changed since (file,
//! line and the source's wording now); `bsb check --accept FILE:LINE` records the current
//! hash, and `--accept FILE` marks every paragraph of the file current (adding the markers
//! where there are none, paragraph by paragraph in order). The source language is the
//! study's first. Typst reads the marker as a comment, so the report is unchanged.

use crate::problem::Problem;
use crate::study::{Prose, Study};

/// The marker's first words.
const MARK: &str = "// translates ";

/// A paragraph of a prose file: its first line (1-based) and its text.
#[derive(Debug)]
struct Paragraph {
    line: usize,
    text: String,
    /// The marker before it: (its line, source language, source paragraph, hash).
    mark: Option<(usize, String, usize, String)>,
}

/// The paragraphs of `text`: runs of non-blank lines, markers taken out.
fn paragraphs(text: &str) -> Vec<Paragraph> {
    let mut out: Vec<Paragraph> = Vec::new();
    let mut pending = None;
    let mut open = false;
    for (i, line) in text.lines().enumerate() {
        if let Some(rest) = line.trim_start().strip_prefix(MARK) {
            let parts: Vec<&str> = rest.split_whitespace().collect();
            if let [lang, para, hash] = parts.as_slice() {
                if let Some(n) = para.strip_prefix('¶').and_then(|n| n.parse().ok()) {
                    pending = Some((i + 1, lang.to_string(), n, hash.to_string()));
                }
            }
            open = false;
            continue;
        }
        if line.trim().is_empty() {
            open = false;
            continue;
        }
        match (open, out.last_mut()) {
            (true, Some(p)) => {
                p.text.push('\n');
                p.text.push_str(line);
            }
            _ => {
                out.push(Paragraph { line: i + 1, text: line.to_string(), mark: pending.take() });
                open = true;
            }
        }
    }
    out
}

/// The short hash of a paragraph: its words, so a re-wrapped line does not count.
fn hash(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    crate::manifest::sha256(words.join(" ").as_bytes()).chars().filter(|c| c.is_ascii_hexdigit()).take(8).collect()
}

/// The source file of a translation: the same chapter in the study's first language.
fn source_of<'a>(study: &'a Study, p: &Prose) -> Option<&'a Prose> {
    let first = study.meta.languages.first()?;
    (p.lang != *first).then(|| study.prose(first, &p.chapter))?
}

/// Every marked paragraph whose source paragraph changed since it was translated.
pub fn stale(study: &Study) -> Vec<Problem> {
    let mut out = Vec::new();
    for p in &study.prose {
        let Some(src) = source_of(study, p) else { continue };
        let source = paragraphs(&src.text);
        for para in paragraphs(&p.text) {
            let Some((line, _, n, recorded)) = &para.mark else { continue };
            let now = source.get(n.wrapping_sub(1));
            let message = match now {
                Some(s) if hash(&s.text) == *recorded => continue,
                Some(s) => format!(
                    "this translation is stale: paragraph {n} of {} (line {}) changed since; it now reads: {}; update the translation, then `bsb check --accept {}:{line}`",
                    src.file,
                    s.line,
                    one_line(&s.text),
                    p.file
                ),
                None => format!("translates paragraph {n} of {}, which has no such paragraph any more", src.file),
            };
            out.push(Problem { file: p.file.clone(), line: Some(*line), field: String::new(), message });
        }
    }
    out
}

/// The column of a CSV row that says which source its texts in language `<l>` translate:
/// `translates_<l>` holding `<source language> <hash>`, the hash of the row's texts in the
/// source language (every `*_<source>` column, by column name) when they were translated.
const CSV_MARK: &str = "translates_";

/// Every CSV row (an excerpt, a code, a recommendation…) whose `translates_<l>` cell no
/// longer matches the row's texts in the source language: the source was edited after the
/// translation was made. A file without such a column is not tracked. `data` names the
/// data folder in messages, as every other problem does.
pub fn stale_rows(study: &Study, data: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    let langs = study.meta.languages.clone();
    // A file without the marker anywhere has no marker column: not parsed again.
    let marked = |bytes: &[u8]| std::str::from_utf8(bytes).map_or(true, |t| t.contains(CSV_MARK));
    for f in
        study.files.iter().filter(|f| f.path.ends_with(".csv") && !f.path.starts_with("survey/") && marked(&f.bytes))
    {
        let file = format!("{data}/{}", f.path);
        let mut ignored = crate::problem::Problems::default();
        let parsed = crate::study::parse_csv(&file, &f.bytes, &langs, &[], &[], &mut ignored);
        for row in &parsed.rows {
            for (column, mark) in row.fields().iter().filter(|(c, _)| c.starts_with(CSV_MARK)) {
                let Some((source, recorded)) = mark.trim().split_once(' ') else { continue };
                let now = row_hash(row.fields(), source);
                if now == recorded.trim() {
                    continue;
                }
                let suffix = format!("_{source}");
                let wording: Vec<String> = row
                    .fields()
                    .iter()
                    .filter(|(c, v)| c.ends_with(&suffix) && !v.trim().is_empty())
                    .map(|(c, v)| format!("{c} {}", one_line(v)))
                    .collect();
                let message = format!(
                    "this translation is stale: the row's `{source}` text changed since; it now reads: {}; update the translation, then write `{source} {now}` in {column}",
                    wording.join(", ")
                );
                out.push(Problem { file: file.clone(), line: row.pos.line, field: column.clone(), message });
            }
        }
    }
    out
}

/// The short hash of a row's texts in `lang`: every `*_<lang>` field, by column name.
fn row_hash(fields: &std::collections::BTreeMap<String, String>, lang: &str) -> String {
    let suffix = format!("_{lang}");
    let texts: Vec<&str> = fields.iter().filter(|(c, _)| c.ends_with(&suffix)).map(|(_, v)| v.as_str()).collect();
    hash(&texts.join("\n"))
}

/// A paragraph on one line, cut short when long.
fn one_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = joined.chars().take(240).collect();
    if cut.len() < joined.len() {
        format!("«{cut}…»")
    } else {
        format!("«{cut}»")
    }
}

/// `--accept FILE[:LINE]`: the file's new text with the marker at LINE (or every
/// paragraph's, adding markers where missing) recording its source as it is now. `None`
/// when the file is no translation or LINE holds no marker.
pub fn accept(study: &Study, file: &str, line: Option<usize>) -> Option<String> {
    let p = study.prose.iter().find(|p| p.file == file)?;
    let src = source_of(study, p)?;
    let source = paragraphs(&src.text);
    let mut lines: Vec<String> = p.text.lines().map(str::to_string).collect();
    let paras = paragraphs(&p.text);
    let mut changed = false;
    // From the end, so inserted markers do not move the lines still to do.
    for (i, para) in paras.iter().enumerate().rev() {
        let n = para.mark.as_ref().map_or(i + 1, |m| m.2);
        let Some(s) = source.get(n - 1) else { continue };
        let marker = format!("{MARK}{} ¶{n} {}", src.lang, hash(&s.text));
        match (&para.mark, line) {
            (Some((at, ..)), Some(want)) if *at != want => {}
            (Some((at, ..)), _) => {
                lines[at - 1] = marker;
                changed = true;
            }
            (None, None) => {
                lines.insert(para.line - 1, marker);
                changed = true;
            }
            (None, Some(_)) => {}
        }
    }
    changed.then(|| lines.join("\n") + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_skip_markers_and_hashes_ignore_wrapping() {
        let ps = paragraphs("// translates nb ¶1 abcd\nOne\ntwo.\n\nThree.\n");
        assert_eq!(ps.len(), 2);
        assert_eq!((ps[0].line, ps[0].text.as_str()), (2, "One\ntwo."));
        assert_eq!(ps[0].mark.as_ref().unwrap().2, 1);
        assert_eq!(ps[1].line, 5);
        assert_eq!(hash("One\ntwo."), hash("One two."));
        assert_ne!(hash("One two."), hash("One three."));
    }
}
