//! The import report: what was written, what the study format cannot hold and was left
//! out, what was changed on the way in, and what the analyst still has to do. Nothing is
//! dropped silently; every skipped element is named here.
//!
//! It is printed to stderr and written as `import-report.md` next to the data, so the
//! decisions travel with the study in review.

use std::fmt::Write as _;

/// The sections, in the order they are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Part {
    Written,
    /// How each source's offsets were read (the unit, CRLF), and why.
    Offsets,
    LeftOut,
    Changed,
    ToDo,
}

impl Part {
    fn heading(self) -> &'static str {
        match self {
            Part::Written => "Written",
            Part::Offsets => "How offsets were read",
            Part::LeftOut => "Not imported (the study format cannot hold it)",
            Part::Changed => "Changed on the way in",
            Part::ToDo => "For the analyst to do",
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Report {
    pub title: String,
    /// A line under the title (e.g. that the report names sources as the project does).
    pub preamble: Vec<String>,
    items: Vec<(Part, String)>,
}

/// How many items of one section stderr shows before pointing at the file.
const STDERR_ITEMS: usize = 25;

impl Report {
    /// An empty report under `title`.
    pub(crate) fn new(title: impl Into<String>) -> Self {
        Report { title: title.into(), ..Default::default() }
    }

    /// Append one item to a section of the report.
    pub(crate) fn add(&mut self, part: Part, item: impl Into<String>) {
        self.items.push((part, item.into()));
    }

    /// The items of one section, in the order added.
    pub(crate) fn items(&self, part: Part) -> impl Iterator<Item = &str> {
        self.items.iter().filter(move |(p, _)| *p == part).map(|(_, s)| s.as_str())
    }

    /// The whole report as Markdown; `limit` shortens long sections (for the terminal).
    pub(crate) fn markdown(&self, limit: Option<usize>) -> String {
        let mut out = format!("# {}\n", self.title);
        for line in &self.preamble {
            let _ = write!(out, "\n{line}\n");
        }
        for part in [Part::Written, Part::Offsets, Part::LeftOut, Part::Changed, Part::ToDo] {
            let items: Vec<&str> = self.items(part).collect();
            // Only a project with coded text sources has offsets to account for.
            if part == Part::Offsets && items.is_empty() {
                continue;
            }
            let _ = write!(out, "\n## {}\n\n", part.heading());
            if items.is_empty() {
                out.push_str("Nothing.\n");
                continue;
            }
            let shown = limit.unwrap_or(usize::MAX).min(items.len());
            for item in &items[..shown] {
                // One item per bullet even when a name holds a line break.
                let _ = writeln!(out, "- {}", item.replace(['\r', '\n'], " "));
            }
            if shown < items.len() {
                let _ = writeln!(out, "- … and {} more (see import-report.md)", items.len() - shown);
            }
        }
        out
    }

    /// The report for stderr, with long sections cut short.
    pub(crate) fn for_terminal(&self) -> String {
        self.markdown(Some(STDERR_ITEMS))
    }
}

/// A name as it appears in a report item: quoted, or a placeholder when empty.
pub(crate) fn quoted(name: &str) -> String {
    if name.trim().is_empty() {
        "(unnamed)".to_string()
    } else {
        format!("“{}”", name.trim())
    }
}
