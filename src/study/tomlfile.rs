//! Reading `study.toml` with line numbers in every message.
//!
//! The file is parsed into plain TOML values; lines are found by scanning the text for the
//! key inside the right table (`[[region]]` number 2, say), which is exact for the flat
//! files analysts write and needs no span bookkeeping in the model.

use crate::problem::{Pos, Problems};
use crate::study::{Id, Text};

/// A table of `study.toml` (the root, or one entry of an array of tables), with what is
/// needed to locate its keys.
pub(crate) struct Section<'a> {
    /// The file as named in messages.
    pub file: &'a str,
    source: &'a str,
    /// `None` for the root table, `Some(("region", 1))` for the second `[[region]]`.
    array: Option<(&'a str, usize)>,
    /// The table's keys and values.
    pub table: &'a toml::Table,
    langs: &'a [String],
    /// The keys read so far; any other key in the table is unknown (a typo, say).
    used: std::cell::RefCell<std::collections::BTreeSet<String>>,
    /// The line of each key in this table and of its header, found by one scan of the
    /// file on first use (a scan per key made loading quadratic in the number of units).
    lines: std::cell::OnceCell<(std::collections::HashMap<String, usize>, usize)>,
}

impl<'a> Section<'a> {
    /// A section of `file` (whose text is `source`) for a study in `langs`.
    pub(crate) fn new(
        file: &'a str,
        source: &'a str,
        array: Option<(&'a str, usize)>,
        table: &'a toml::Table,
        langs: &'a [String],
    ) -> Self {
        Section { file, source, array, table, langs, used: Default::default(), lines: Default::default() }
    }

    /// The name of a key as shown in messages: `region[2].name_en`.
    pub(crate) fn field(&self, key: &str) -> String {
        match self.array {
            Some((name, index)) => format!("{name}[{}].{key}", index + 1),
            None => key.to_string(),
        }
    }

    /// The line of `key` in this table, or of the table's header when the key is absent.
    pub(crate) fn line(&self, key: &str) -> usize {
        let (keys, header_line) = self.lines.get_or_init(|| self.scan());
        keys.get(key).copied().unwrap_or(*header_line)
    }

    /// The first line of every key inside this table, and the line of its header.
    fn scan(&self) -> (std::collections::HashMap<String, usize>, usize) {
        let mut keys = std::collections::HashMap::new();
        let mut entered = false;
        let mut current: Option<(String, usize)> = None;
        let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
        let mut header_line = 1;
        for (n, raw) in self.source.lines().enumerate() {
            let line = raw.trim();
            if let Some(name) = line.strip_prefix("[[").and_then(|l| l.strip_suffix("]]")) {
                let name = name.trim().to_string();
                let index = counts.entry(name.clone()).or_insert(0);
                current = Some((name, *index));
                *index += 1;
                if current.as_ref().map(|(n, i)| (n.as_str(), *i)) == self.array {
                    header_line = n + 1;
                }
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                // A single table (`[edition]`) is located like the first of an array.
                current = Some((name.trim().to_string(), 0));
                if current.as_ref().map(|(n, i)| (n.as_str(), *i)) == self.array {
                    header_line = n + 1;
                }
                continue;
            }
            let here = current.as_ref().map(|(n, i)| (n.as_str(), *i));
            if here != self.array && entered {
                // A table appears once in a file that parsed, so its keys are all behind.
                break;
            }
            entered |= here == self.array;
            if here == self.array && line.contains('=') {
                if let Some(k) = line.split('=').next() {
                    keys.entry(k.trim().trim_matches('"').to_string()).or_insert(n + 1);
                }
            }
        }
        (keys, header_line)
    }

    /// Note `key` as known without reading it through this section.
    pub(crate) fn mark(&self, key: &str) {
        self.used.borrow_mut().insert(key.to_string());
    }

    /// Report every key of the table that no accessor asked for.
    pub(crate) fn unknown_keys(&self, problems: &mut Problems) {
        let used = self.used.borrow();
        for key in self.table.keys().filter(|k| !used.contains(*k)) {
            let known: Vec<&str> = used.iter().map(String::as_str).collect();
            // The nearest key is what was meant; the whole list only when none is near.
            let message = match crate::diagnostic::nearest(key, known.iter().copied()) {
                Some(near) => format!("found a key this file does not have; did you mean `{near}`?"),
                None => {
                    format!("found a key this file does not have (a typo?); the keys here are: {}", known.join(", "))
                }
            };
            problems.at(&self.pos(key), self.field(key), message);
        }
    }

    /// A text value checked for control characters and length.
    fn clean(&self, key: &str, value: &str, multiline: bool, problems: &mut Problems) -> bool {
        let len = value.chars().count();
        if len > super::csvfile::MAX_FIELD_CHARS {
            problems.at(
                &self.pos(key),
                self.field(key),
                format!("expected at most {} characters, found {len}", super::csvfile::MAX_FIELD_CHARS),
            );
            return false;
        }
        let bad = value
            .chars()
            .find(|c| ((*c as u32) < 0x20 || *c == '\u{7f}') && !(multiline && (*c == '\n' || *c == '\t')));
        if let Some(c) = bad {
            problems.at(
                &self.pos(key),
                self.field(key),
                format!("found a control character (U+{:04X}); remove it", c as u32),
            );
            return false;
        }
        true
    }

    /// Where `key` is: the file and the key's line.
    pub(crate) fn pos(&self, key: &str) -> Pos {
        Pos::new(self.file, self.line(key))
    }

    /// A string that must be given and not blank; a problem otherwise.
    pub(crate) fn string(&self, key: &str, problems: &mut Problems) -> String {
        self.mark(key);
        match self.table.get(key) {
            Some(toml::Value::String(s)) if !s.trim().is_empty() => {
                if self.clean(key, s, false, problems) {
                    s.trim().to_string()
                } else {
                    String::new()
                }
            }
            Some(toml::Value::String(_)) | None => {
                problems.at(&self.pos(key), self.field(key), "expected a value, found none");
                String::new()
            }
            Some(other) => {
                problems.at(
                    &self.pos(key),
                    self.field(key),
                    format!("expected a text in quotes, found {}", other.type_str()),
                );
                String::new()
            }
        }
    }

    /// A required id, checked against the id rule.
    pub(crate) fn id(&self, key: &str, problems: &mut Problems) -> Id {
        let value = self.string(key, problems);
        if value.is_empty() {
            return Id::default();
        }
        Id::parse(&value).unwrap_or_else(|msg| {
            problems.at(&self.pos(key), self.field(key), msg);
            Id::default()
        })
    }

    /// `key_<lang>` for every language, or a table `key = { nb = "…", en = "…" }`.
    pub(crate) fn text(&self, key: &str, problems: &mut Problems) -> Text {
        let mut text = Text::default();
        self.mark(key);
        let nested = self.table.get(key).and_then(toml::Value::as_table);
        for lang in self.langs {
            let suffixed = format!("{key}_{lang}");
            self.mark(&suffixed);
            let value = nested
                .and_then(|t| t.get(lang))
                .or_else(|| self.table.get(&suffixed))
                .and_then(toml::Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty());
            match value {
                Some(v) => {
                    if self.clean(&suffixed, v, true, problems) {
                        text.0.insert(lang.clone(), v.to_string());
                    }
                }
                None => problems.at(
                    &self.pos(&suffixed),
                    self.field(&suffixed),
                    format!("expected the text in language `{lang}`, found none"),
                ),
            }
        }
        text
    }

    /// An optional text in quotes: `None` when absent or empty.
    pub(crate) fn opt_string(&self, key: &str, problems: &mut Problems) -> Option<String> {
        self.mark(key);
        match self.table.get(key) {
            None => None,
            Some(toml::Value::String(s)) if self.clean(key, s, false, problems) => {
                Some(s.trim().to_string()).filter(|s| !s.is_empty())
            }
            Some(toml::Value::String(_)) => None,
            Some(other) => {
                problems.at(
                    &self.pos(key),
                    self.field(key),
                    format!("expected a text in quotes, found {}", other.type_str()),
                );
                None
            }
        }
    }

    /// A list of strings; empty when absent.
    pub(crate) fn strings(&self, key: &str, problems: &mut Problems) -> Vec<String> {
        self.mark(key);
        match self.table.get(key) {
            None => Vec::new(),
            Some(toml::Value::Array(items)) => items
                .iter()
                .filter_map(|v| match v.as_str() {
                    Some(s) => self.clean(key, s, false, problems).then(|| s.to_string()),
                    None => {
                        problems.at(&self.pos(key), self.field(key), "expected a list of texts in quotes");
                        None
                    }
                })
                .collect(),
            Some(_) => {
                problems.at(&self.pos(key), self.field(key), "expected a list like [\"a\", \"b\"]");
                Vec::new()
            }
        }
    }
}
