//! Ids: the one strict pattern every id-like value of a study passes before it is used.
//!
//! Ids name records, but they also become typst labels (`<tab-unn-cohort>`) and output
//! file names (`report/tables/unn-cohort.csv`). An [`Id`] can only be made by
//! [`Id::parse`] (or, for names the program itself writes, [`Id::fixed`]), so a label or a
//! path built from one cannot carry markup, a separator or a way out of its folder.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use serde::Serialize;

/// Longest id accepted, in characters.
pub const MAX_ID_LEN: usize = 64;

/// What an id may look like, for messages.
pub const ID_RULE: &str =
    "ASCII letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit, no `..`, at most 64 characters";

/// A validated id. It dereferences to `&str`, so it reads like one.
///
/// The empty id stands for a missing value; it exists only where loading reported a
/// problem, and a study with problems is never built.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Id(String);

impl Id {
    /// Check `raw` against the id rule; the error says what was found.
    pub fn parse(raw: &str) -> Result<Id, String> {
        let shown = || {
            let short: String = raw.chars().take(40).collect();
            let more = if raw.chars().count() > 40 { "…" } else { "" };
            format!("{:?}{more}", short)
        };
        let len = raw.chars().count();
        if len == 0 {
            return Err("expected an id, found an empty field".into());
        }
        if len > MAX_ID_LEN {
            return Err(format!("expected an id of at most {MAX_ID_LEN} characters, found {len} characters"));
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        if let Some(bad) = raw.chars().find(|c| !allowed(*c)) {
            return Err(format!("expected an id of {ID_RULE}, found {} containing {:?}", shown(), bad));
        }
        let first = raw.chars().next().unwrap_or('-');
        let last = raw.chars().last().unwrap_or('-');
        if !first.is_ascii_alphanumeric() || !last.is_ascii_alphanumeric() || raw.contains("..") {
            return Err(format!("expected an id of {ID_RULE}, found {}", shown()));
        }
        Ok(Id(raw.to_string()))
    }

    /// An id the program itself writes (a table or figure name). Such names are literals
    /// in the source; one that broke the rule would be a programming error, and is caught
    /// by the unit test of each caller's names. It is still checked here: a broken name
    /// becomes an id with every offending character replaced by `_`.
    pub fn fixed(name: &str) -> Id {
        match Id::parse(name) {
            Ok(id) => id,
            Err(_) => {
                let cleaned: String =
                    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
                let cleaned = cleaned.trim_matches(|c: char| !c.is_ascii_alphanumeric()).to_string();
                let cleaned: String = cleaned.chars().take(MAX_ID_LEN).collect();
                Id(if cleaned.is_empty() { "x".into() } else { cleaned })
            }
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it is empty (an optional id left blank).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Deref for Id {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Id {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Id {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Id {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Id {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl PartialEq<Id> for str {
    fn eq(&self, other: &Id) -> bool {
        self == other.0
    }
}

impl PartialEq<Id> for &str {
    fn eq(&self, other: &Id) -> bool {
        *self == other.0
    }
}

impl PartialEq<Id> for String {
    fn eq(&self, other: &Id) -> bool {
        *self == other.0
    }
}

impl From<Id> for String {
    fn from(id: Id) -> String {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_reference_study_shapes() {
        for ok in ["T01", "T01.2", "unn-cohort", "unn_patients", "000", "t1_nord_individual", "a"] {
            assert!(Id::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_paths_markup_and_spaces() {
        for bad in [
            "x>../../outside/pwn_table",
            "x>../../../../data/notes",
            "x> #text(fill: red, size: 30pt)[INJECTED] <y",
            "x> #{for i in range(2000000000) {}} <y",
            "../a",
            "a/b",
            "a\\b",
            "a..b",
            ".hidden",
            "a.",
            "-a",
            "a b",
            "a<b",
            "a#b",
            "æ",
            "a\u{0}b",
            "",
        ] {
            assert!(Id::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Id::parse(&"a".repeat(MAX_ID_LEN)).is_ok());
        assert!(Id::parse(&"a".repeat(MAX_ID_LEN + 1)).is_err());
    }

    #[test]
    fn fixed_names_are_ids_too() {
        assert_eq!(Id::fixed("participants-by-region").as_str(), "participants-by-region");
        for bad in ["../x", "a b", "", "#"] {
            let id = Id::fixed(bad);
            assert!(Id::parse(&id).is_ok(), "{bad:?} -> {id}");
        }
    }
}
