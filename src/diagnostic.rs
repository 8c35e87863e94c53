//! Errors shown the way rustc and typst show them: what is wrong, where (file, line and
//! column), the source line with a caret under the span, and what to write instead.
//!
//! A leaf module with no dependencies inside the crate: the render stage, the typesetter
//! and the commands build [`Diagnostic`]s, and `main` prints them, in colour only when
//! standard error is a terminal and `NO_COLOR` is unset (as cargo and ripgrep do).

use std::fmt::Write as _;
use std::ops::Range;

/// One error with its place in a source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The headline: `` `n.participant` is not a value ``.
    pub message: String,
    /// The file a reader should open, e.g. `data/prose/nb/method.typ`.
    pub file: String,
    /// 1-based line of the span's start.
    pub line: usize,
    /// 1-based column (in characters) of the span's start.
    pub column: usize,
    /// The source line the span starts on, without its newline.
    pub source_line: String,
    /// How many characters the caret covers (at least one).
    pub width: usize,
    /// A short label printed after the carets.
    pub label: String,
    /// Further lines: `help: did you mean …`, `note: …`.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic for the byte range `range` of `source` (a whole file's text).
    pub fn at(file: &str, source: &str, range: std::ops::Range<usize>, message: impl Into<String>) -> Diagnostic {
        let start = floor_boundary(source, range.start.min(source.len()));
        let end = floor_boundary(source, range.end.clamp(start, source.len()));
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..].find('\n').map_or(source.len(), |i| start + i);
        let source_line = source[line_start..line_end].trim_end_matches('\r').to_string();
        let column = source[line_start..start].chars().count() + 1;
        // A span over several lines is underlined to the end of its first line.
        let width = source[start..end.min(line_end)].chars().count().max(1);
        Diagnostic {
            message: message.into(),
            file: file.to_string(),
            line: source[..start].matches('\n').count() + 1,
            column,
            source_line,
            width,
            label: String::new(),
            notes: Vec::new(),
        }
    }

    /// A diagnostic with no place in a file (typst's errors about the document as a whole).
    pub fn nowhere(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            message: message.into(),
            file: String::new(),
            line: 0,
            column: 1,
            source_line: String::new(),
            width: 1,
            label: String::new(),
            notes: Vec::new(),
        }
    }

    /// The same with a label after the carets.
    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    /// The same with one more `help:` or `note:` line.
    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// The text rustc would print, with ANSI colour when `colour` is true.
    pub fn to_text(&self, colour: bool) -> String {
        let paint = Paint(colour);
        let number = self.line.to_string();
        let pad = " ".repeat(number.len());
        let mut out = String::new();
        let _ = writeln!(out, "{}: {}", paint.red_bold("error"), paint.bold(&self.message));
        if self.file.is_empty() {
            for n in &self.notes {
                let _ = writeln!(out, "  {} {}", paint.blue("="), paint.dim(n));
            }
            return out;
        }
        let _ = writeln!(out, "{pad}{} {}:{}:{}", paint.blue("-->"), self.file, self.line, self.column);
        let _ = writeln!(out, "{pad} {}", paint.blue("|"));
        let _ = writeln!(out, "{} {} {}", paint.blue(&number), paint.blue("|"), self.source_line.replace('\t', " "));
        let lead = " ".repeat(self.column - 1);
        let carets = "^".repeat(self.width);
        let label = if self.label.is_empty() { String::new() } else { format!(" {}", self.label) };
        let _ = writeln!(out, "{pad} {} {lead}{}", paint.blue("|"), paint.red_bold(&format!("{carets}{label}")));
        for n in &self.notes {
            let _ = writeln!(out, "{pad} {} {}", paint.blue("="), paint.dim(n));
        }
        out
    }
}

/// A diagnostic at `range` of the rendered text, shown in the prose file as written: on
/// the same line, under the same characters when the line has no value in it before the
/// span, else under the value's tag that became the text at fault.
pub(crate) fn in_source(
    file: &str,
    source: &str,
    rendered: &str,
    range: Range<usize>,
    message: &str,
    notes: &[String],
) -> Diagnostic {
    let mapped = map_range(source, rendered, range.clone());
    let mut d = match &mapped {
        Some(r) => Diagnostic::at(file, source, r.clone(), message),
        None => Diagnostic::at(file, rendered, range, message),
    };
    d.label = "here".into();
    d.notes.extend(notes.iter().cloned());
    if mapped.is_none() {
        d.notes.push("note: the line is shown with its values filled in".into());
    }
    d
}

/// The byte range in `source` that became `range` of `rendered`, when lines correspond.
fn map_range(source: &str, rendered: &str, range: Range<usize>) -> Option<Range<usize>> {
    // The template engine drops one newline at the end of a file.
    let source = if rendered.ends_with('\n') { source } else { source.strip_suffix('\n').unwrap_or(source) };
    let src_lines: Vec<&str> = source.split('\n').collect();
    let out_lines: Vec<&str> = rendered.split('\n').collect();
    if src_lines.len() != out_lines.len() || range.start > rendered.len() {
        return None;
    }
    let line = rendered[..range.start].matches('\n').count();
    let out_start = rendered[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let src_start: usize = src_lines[..line].iter().map(|l| l.len() + 1).sum();
    let (s, o) = (src_lines[line], out_lines[line]);
    let col = range.start - out_start;
    let len = (range.end - range.start).min(o.len().saturating_sub(col));
    let prefix = s.bytes().zip(o.bytes()).take_while(|(a, b)| a == b).count();
    let suffix = s
        .bytes()
        .rev()
        .zip(o.bytes().rev())
        .take_while(|(a, b)| a == b)
        .count()
        .min(s.len().min(o.len()) - prefix.min(s.len().min(o.len())));
    let r = if col + len <= prefix {
        col..col + len
    } else if col >= o.len() - suffix {
        let from_end = o.len() - col;
        s.len() - from_end..(s.len() - from_end + len).min(s.len())
    } else {
        prefix..s.len() - suffix
    };
    let (a, b) = (floor(s, r.start), floor(s, r.end.max(r.start)));
    Some(src_start + a..src_start + b)
}

/// The largest char boundary of `s` at or before `i`.
fn floor(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The largest char boundary at or before `i`.
fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// ANSI colours, or none.
#[derive(Clone, Copy, Debug)]
pub struct Paint(pub bool);

impl Paint {
    fn wrap(self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    /// Errors.
    pub fn red_bold(self, s: &str) -> String {
        self.wrap("1;31", s)
    }
    /// Warnings.
    pub fn yellow_bold(self, s: &str) -> String {
        self.wrap("1;33", s)
    }
    /// Headlines.
    pub fn bold(self, s: &str) -> String {
        self.wrap("1", s)
    }
    /// Gutters and arrows.
    pub fn blue(self, s: &str) -> String {
        self.wrap("1;34", s)
    }
    /// Hints: read after the error itself.
    pub fn dim(self, s: &str) -> String {
        self.wrap("2", s)
    }
}

/// Whether standard error gets colour: a terminal, and no `NO_COLOR` (https://no-color.org).
pub fn colour_on_stderr() -> bool {
    use std::io::IsTerminal as _;
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// The edit distance between `a` and `b`, case-insensitive, by characters: insertions,
/// deletions, substitutions and swaps of two neighbours (`biuld` → `build` is one), the
/// typing mistakes people make.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for j in 0..=b.len() {
        d[0][j] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// The candidate nearest to `wrong`, when it is near enough to be what was meant: a
/// different case alone, or at most a third of the word's letters changed.
pub fn nearest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == wrong {
            continue;
        }
        let d = if c.eq_ignore_ascii_case(wrong) { 0 } else { distance(wrong, c).max(1) };
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    let limit = (wrong.chars().count() / 3).max(1);
    best.filter(|(d, _)| *d <= limit).map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caret_sits_under_the_span() {
        let src = "= Metode\nVi møtte {{ n.participant }} personer.\n";
        let start = src.find("n.participant").unwrap();
        let d = Diagnostic::at("data/prose/nb/method.typ", src, start..start + 13, "`n.participant` is not a value")
            .label("not a value")
            .note("help: did you mean `n.participants`?");
        let text = d.to_text(false);
        assert!(text.contains("--> data/prose/nb/method.typ:2:13"), "{text}");
        let lines: Vec<&str> = text.lines().collect();
        let code = lines.iter().find(|l| l.starts_with("2 |")).unwrap();
        let caret = lines.iter().find(|l| l.contains('^')).unwrap();
        // The caret's column (in characters) is the span's: `ø` counts as one.
        assert_eq!(code.chars().position(|c| c == 'n').unwrap(), caret.chars().position(|c| c == '^').unwrap());
        assert!(caret.contains("^^^^^^^^^^^^^ not a value"), "{text}");
        assert!(!text.contains('\x1b'), "no colour when asked for none");
        assert!(d.to_text(true).contains("\x1b[1;31merror"), "errors are red");
    }

    #[test]
    fn nearest_names_a_near_word_and_nothing_far() {
        assert_eq!(distance("biuld", "build"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(nearest("biuld", ["build", "check", "info"]), Some("build"));
        assert_eq!(nearest("t01.1", ["T01.1", "T02.1"]), Some("T01.1"));
        assert_eq!(nearest("smal_cell_k", ["small_cell_k", "slug"]), Some("small_cell_k"));
        assert_eq!(nearest("zzzz", ["build", "check"]), None);
    }
}
