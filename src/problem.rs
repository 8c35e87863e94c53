//! Problems found in a study: each names the file, the line and the field, says what was
//! expected and what was found. Stages collect them all and report them at once, so an
//! analyst fixes every mistake in one round instead of one per run.

use std::fmt;

/// One thing wrong with the input, located as precisely as the input allows.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// Path relative to the data directory's parent, e.g. `data/interviews.csv`.
    pub file: String,
    /// 1-based line; `None` when the problem is about the file as a whole.
    pub line: Option<usize>,
    /// The column or key, e.g. `participants` or `region[2].name_en`.
    pub field: String,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: ", self.file, line)?,
            None => write!(f, "{}: ", self.file)?,
        }
        if !self.field.is_empty() {
            write!(f, "field `{}`: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

/// An accumulator of problems, passed through loading and validation.
#[derive(Default, Debug)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// Record a problem at `file`, `line` and `field`.
    pub fn push(
        &mut self,
        file: impl Into<String>,
        line: Option<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.0.push(Problem { file: file.into(), line, field: field.into(), message: message.into() });
    }

    /// Record a problem at a record's position.
    pub fn at(&mut self, pos: &Pos, field: impl Into<String>, message: impl Into<String>) {
        self.push(pos.file.clone(), pos.line, field, message);
    }

    /// No problem found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sorted by file and line, so the report reads top to bottom.
    pub fn into_sorted(mut self) -> Vec<Problem> {
        self.0.sort();
        self.0.dedup();
        self.0
    }
}

/// Where a record came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Pos {
    /// As in [`Problem::file`].
    pub file: String,
    /// 1-based line.
    pub line: Option<usize>,
}

impl Pos {
    /// A position at `line` of `file`.
    pub fn new(file: impl Into<String>, line: usize) -> Self {
        Pos { file: file.into(), line: Some(line) }
    }
}

/// The error type of a whole run: a list of data problems (exit 1), errors placed in a
/// source file (prose, exit 1) or one build failure (exit 1). Usage errors are clap's and
/// exit 2 before any stage runs.
#[derive(Debug)]
pub enum Failure {
    /// Problems in the study's data, every one found.
    Data(Vec<Problem>),
    /// Errors in source files the study writes (prose), each with its line and a caret.
    Diagnostics(Vec<crate::diagnostic::Diagnostic>),
    /// A build step failed (a file operation, typst); the message names where.
    Build(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.to_text(false, true).trim_end())
    }
}

impl Failure {
    /// The text to print: in colour when `colour`, every problem when `all`, else a
    /// problem that follows from a root cause (a language the study cannot have) folded
    /// into one line under it.
    pub fn to_text(&self, colour: bool, all: bool) -> String {
        let paint = crate::diagnostic::Paint(colour);
        let error = paint.red_bold("error");
        match self {
            Failure::Data(problems) => {
                let (shown, folded) = if all { (problems.clone(), 0) } else { fold(problems) };
                let mut out = String::new();
                for p in &shown {
                    out.push_str(&format!("{error}: {}\n", with_dim_hint(&p.to_string(), paint)));
                }
                if folded > 0 {
                    out.push_str(&paint.dim(&format!("and {folded} error(s) that follow from it; `--all` lists them")));
                    out.push('\n');
                }
                out.push_str(&format!("{} problem(s) found; nothing was written\n", problems.len()));
                out
            }
            Failure::Diagnostics(ds) => {
                let mut out: String = ds.iter().map(|d| d.to_text(colour) + "\n").collect();
                let files: std::collections::BTreeSet<&str> = ds.iter().map(|d| d.file.as_str()).collect();
                out.push_str(&format!("{} error(s) in {} file(s); nothing was written\n", ds.len(), files.len()));
                out
            }
            Failure::Build(msg) => format!("{error}: {msg}\n"),
        }
    }
}

/// A hint after the message (`; did you mean …`, `(see …)`) dimmed, as cargo does.
fn with_dim_hint(line: &str, paint: crate::diagnostic::Paint) -> String {
    match line.find("; did you mean") {
        Some(i) => format!("{}{}", &line[..i], paint.dim(&line[i..])),
        None => line.to_string(),
    }
}

/// The problems to show first: a language the study cannot have is the root cause of
/// every problem that names it (each text missing in that language), so it comes first
/// and those are counted, not listed. Returns the problems to show and how many folded.
pub fn fold(problems: &[Problem]) -> (Vec<Problem>, usize) {
    let roots: Vec<&Problem> =
        problems.iter().filter(|p| p.field == "languages" && p.file.ends_with("study.toml")).collect();
    let codes: Vec<String> = roots
        .iter()
        .filter_map(|p| p.message.split('`').nth(1).map(str::to_string))
        .filter(|c| !c.is_empty())
        .collect();
    if roots.is_empty() || codes.is_empty() {
        return (problems.to_vec(), 0);
    }
    let follows = |p: &Problem| {
        !roots.contains(&p)
            && codes.iter().any(|c| {
                p.field.ends_with(&format!("_{c}"))
                    || p.message.contains(&format!("`{c}`"))
                    || p.message.contains(&format!("_{c}`"))
                    || p.file.contains(&format!("/{c}/"))
                    || p.message.contains("which study.toml does not declare")
                    // The summary of files left unread for their missing language columns.
                    || p.message.contains("could not be read (")
            })
    };
    let mut shown: Vec<Problem> = roots.iter().map(|p| (*p).clone()).collect();
    let rest: Vec<Problem> = problems.iter().filter(|p| !roots.contains(p) && !follows(p)).cloned().collect();
    let folded = problems.len() - shown.len() - rest.len();
    shown.extend(rest);
    (shown, folded)
}

/// A file operation's error with the operation and the path: `failed to write
/// report/out/x.pdf (Not a directory)`. There is deliberately no `From<io::Error>`, so a
/// bare `?` on a file operation does not compile: every file error says where it happened.
pub fn io_failure(op: &str, path: &std::path::Path, e: &std::io::Error) -> Failure {
    let reason = e.to_string();
    // "Permission denied (os error 13)": the number says nothing to a reader.
    let reason = match reason.rfind(" (os error ") {
        Some(i) if reason.ends_with(')') => reason[..i].to_string(),
        _ => reason,
    };
    Failure::Build(format!("failed to {op} {} ({reason})", path.display()))
}

/// Attach the operation and path to a file operation's result.
pub trait IoContext<T> {
    /// `fs::read(&p).at("read", &p)?`
    fn at(self, op: &str, path: &std::path::Path) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn at(self, op: &str, path: &std::path::Path) -> Result<T> {
        self.map_err(|e| io_failure(op, path, &e))
    }
}

/// The result of every stage.
pub type Result<T> = std::result::Result<T, Failure>;

/// Shorthand for a build failure with context.
pub fn build_err(msg: impl Into<String>) -> Failure {
    Failure::Build(msg.into())
}
