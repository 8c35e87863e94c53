//! The study's bibliography (`data/references.yml`, Hayagriva YAML, the format typst reads
//! itself): every citation in the prose and every source a table names must be one of its
//! keys. The report prints the reference list with typst's own bibliography (author–year);
//! this module checks the keys before typesetting, so an unknown key names the prose file
//! and line, and gives tables a short author–year name for a source ("KBT (2020)").

use std::collections::BTreeMap;

use hayagriva::Library;

use crate::problem::{Pos, Problems};
use crate::study::{Study, Text};

/// Cross-reference labels the report's skeleton makes (`@tab-participants`); any other
/// `@name` in the prose is a citation.
const LABEL_PREFIXES: &[&str] = &["tab-", "fig-", "sec-"];

/// The bibliography read once: each key with what a short citation needs, and the file
/// as typst's bibliography is served it (see [`marked_with`]).
#[derive(Clone, Debug, Default)]
pub struct Bibliography {
    entries: BTreeMap<String, Short>,
    served: Option<String>,
}

#[derive(Clone, Debug)]
struct Short {
    /// Family names (or an organisation's name) of the authors, in order.
    authors: Vec<String>,
    year: Option<i32>,
    /// The work's title, if the entry gives one.
    title: Option<String>,
}

impl Bibliography {
    /// Reads the study's bibliography; a file that does not parse is one problem naming
    /// its line.
    pub fn read(study: &Study, problems: &mut Problems) -> Self {
        let Some(bib) = &study.bibliography else { return Self::default() };
        match hayagriva::io::from_yaml_str(&bib.text) {
            Ok(library) => Self { served: Some(marked_with(&library, &bib.text)), ..Self::from_library(&library) },
            Err(e) => {
                let line = e.location().map(|l| l.line());
                problems.push(&bib.file, line, "", format!("is not a bibliography typst can read: {e}"));
                // Passed on unchanged: the check before typesetting names its error.
                Self { served: Some(bib.text.clone()), ..Self::default() }
            }
        }
    }

    /// The file with the marks the reference style reads ([`marked_with`]); `None`
    /// when the study has no bibliography.
    pub fn served(&self) -> Option<&str> {
        self.served.as_deref()
    }

    fn from_library(library: &Library) -> Self {
        let mut entries = BTreeMap::new();
        for entry in library.iter() {
            let authors =
                entry.authors().map(|people| people.iter().map(|p| abbreviated(&p.name)).collect()).unwrap_or_default();
            let year = entry.date_any().map(|d| d.year);
            let title = entry.title().map(|t| t.value.to_string());
            entries.insert(entry.key().to_string(), Short { authors, year, title });
        }
        Bibliography { entries, served: None }
    }

    /// Whether the bibliography lists `key`.
    pub fn contains(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// "KBT (2020)", "Rydheim og Eidsvik (2017)", "Bjørgen mfl. (2014)": the key's entry as
    /// a reader finds it in the reference list. `and`, `et_al` and `no_date` are the
    /// language's words.
    pub fn short(&self, key: &str, and: &str, et_al: &str, no_date: &str) -> Option<String> {
        let e = self.entries.get(key)?;
        let names = match e.authors.as_slice() {
            // A work without an author is cited by its title, as in the reference list.
            [] => e.title.clone().unwrap_or_default(),
            [one] => one.clone(),
            [a, b] => format!("{a} {and} {b}"),
            [a, ..] => format!("{a} {et_al}"),
        };
        let year = e.year.map(|y| y.to_string()).unwrap_or_else(|| no_date.to_string());
        Some(if names.is_empty() { year } else { format!("{names} ({year})") })
    }
}

impl Bibliography {
    /// "KBT (2020): Title": the key's entry as the document's metadata credits it.
    pub(crate) fn described(&self, key: &str, and: &str, et_al: &str, no_date: &str) -> Option<String> {
        let short = self.short(key, and, et_al, no_date)?;
        Some(match self.entries.get(key).and_then(|e| e.title.as_ref()) {
            Some(title) if !short.starts_with(title.as_str()) => format!("{short}: {title}"),
            _ => short,
        })
    }
}

/// A source named in data (a bibliography key and where in it), as a reader sees it in
/// each language: "KBT (2020), avsnitt 1.1". A key the bibliography does not list (a study
/// without one) is shown as written.
pub fn source_words(study: &Study, bib: &Bibliography, key: &str, reference: &Text) -> Text {
    Text(
        study
            .meta
            .languages
            .iter()
            .map(|code| {
                let lang = crate::lang::Lang::load(code).ok();
                let word = |k: &str, default: &str| {
                    lang.as_ref().and_then(|l| l.words.get(k).cloned()).unwrap_or_else(|| default.to_string())
                };
                let name = bib
                    .short(key, &word("cite_and", "&"), &word("cite_et_al", "et al."), &word("cite_no_date", "n.d."))
                    .unwrap_or_else(|| key.to_string());
                let place = reference.get(code);
                (code.clone(), if place.is_empty() { name } else { format!("{name}, {place}") })
            })
            .collect(),
    )
}

/// An organisation written with its abbreviation in brackets ("Kompetansesenter … (KBT)")
/// is cited by the abbreviation.
fn abbreviated(name: &str) -> String {
    match name.trim().strip_suffix(')').and_then(|n| n.rsplit_once('(')) {
        Some((_, short)) if !short.is_empty() && !short.contains(' ') => short.to_string(),
        _ => name.trim().to_string(),
    }
}

/// A bibliography key the report may turn into a typst label: lower-case letters, digits
/// and `-`, starting with a letter or digit.
pub fn is_key(key: &str) -> bool {
    key.len() <= 64
        && key.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The study's bibliography as [`marked_with`] serves it, parsed here (for the tests).
#[cfg(test)]
pub(crate) fn marked_for_style(text: &str) -> String {
    let Ok(library) = hayagriva::io::from_yaml_str(text) else { return text.to_string() };
    marked_with(&library, text)
}

/// The study's bibliography as typst reads it with `references.csl`, the report's reference
/// style: each entry gets a `note`, which that style never prints, saying whether the
/// entry's title ends in its own question or exclamation mark (a number, `"1"`) or not (a
/// word), and the style sets no full stop after such a title. The note is a line added
/// under the entry's key, so the file is otherwise served as written; an entry that has a
/// note of its own (which, if it is a number, reads as the mark), or is not written as a
/// block under its key, is left as it is. `library` is the file parsed.
fn marked_with(library: &Library, text: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::with_capacity(text.len() + 24 * library.len());
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        let key = line.trim_end().strip_suffix(':').filter(|k| !k.is_empty() && !k.starts_with([' ', '\t', '#', '-']));
        let Some(entry) = key.and_then(|k| library.get(k.trim_matches(['"', '\'']))) else { continue };
        // The entry's own fields, indented as its first field is.
        let Some(first) = lines[i + 1..].iter().find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        else {
            continue;
        };
        let indent = &first[..first.len() - first.trim_start().len()];
        if indent.is_empty() || entry.note().is_some() {
            continue;
        }
        let own_mark = entry.title().is_some_and(|t| t.value.to_string().trim_end().ends_with(['?', '!']));
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("{indent}note: \"{}\"\n", if own_mark { "1" } else { "plain" }));
    }
    out
}

/// Every `@key` and `<key>` citation in the study's prose, with its line.
pub fn citations(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        // Comments are not printed.
        let line = line.split("//").next().unwrap_or("");
        let bytes: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < bytes.len() {
            let start = match bytes[i] {
                '@' if i == 0 || !bytes[i - 1].is_alphanumeric() => Some(i + 1),
                '<' if line[..].chars().take(i).collect::<String>().ends_with("cite(") => Some(i + 1),
                _ => None,
            };
            if let Some(s) = start {
                let mut j = s;
                while j < bytes.len() && (bytes[j].is_alphanumeric() || matches!(bytes[j], '-' | '_' | '.' | ':')) {
                    j += 1;
                }
                // A trailing full stop or colon ends the sentence, not the key (as in typst).
                while j > s && matches!(bytes[j - 1], '.' | ':') {
                    j -= 1;
                }
                let key: String = bytes[s..j].iter().collect();
                if !key.is_empty() && !LABEL_PREFIXES.iter().any(|p| key.starts_with(p)) {
                    out.push((n + 1, key));
                }
                i = j.max(i + 1);
            } else {
                i += 1;
            }
        }
    }
    out
}

/// "(Oaks, 2012)" or "Merriam (2009)" typed as text: a citation that bypasses the
/// bibliography. Returns each with its line.
fn typed_citations(text: &str) -> Vec<(usize, String)> {
    let is_year = |w: &str| {
        let w = w.trim_end_matches([',', ';', '.']);
        w.len() == 4 && w.chars().all(|c| c.is_ascii_digit())
    };
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(open) = rest.find('(') {
            let before = &rest[..open];
            let after = &rest[open + 1..];
            let Some(close) = after.find(')') else { break };
            let inner = &after[..close];
            let words: Vec<&str> = inner.split_whitespace().collect();
            // "(Name, 2012)", "(Name mfl., 2012, s. 3)", "(Name 2014)".
            let named =
                words.len() >= 2 && words[0].starts_with(char::is_uppercase) && words[1..].iter().any(|w| is_year(w));
            // "Name (2009)": a capitalised word right before a year alone.
            let last = before.trim_end().rsplit(' ').next().unwrap_or("");
            let narrative = words.len() == 1
                && is_year(words[0])
                && before.ends_with(' ')
                && last.chars().count() > 2
                && last.starts_with(char::is_uppercase)
                && last.chars().skip(1).all(char::is_lowercase);
            if named || narrative {
                out.push((n + 1, format!("({inner})")));
            }
            rest = &after[close + 1..];
        }
    }
    out
}

/// [`check`]'s part for prose, for the prose files `which` selects: what it would say of
/// them (`bsb watch` checks a saved chapter again without the rest of the study; the
/// bibliography's own problems are [`check`]'s to report).
pub(crate) fn check_prose(study: &Study, which: &dyn Fn(&crate::study::Prose) -> bool, problems: &mut Problems) {
    let bib = Bibliography::read(study, &mut Problems::default());
    let file = study.bibliography.as_ref().map(|b| b.file.clone()).unwrap_or_else(|| "references.yml".into());
    for p in study.prose.iter().filter(|x| which(x)) {
        check_prose_with(&bib, &file, p, problems);
    }
}

/// Every citation of one prose file that the bibliography (named `file`) lacks, and every
/// citation typed out as text.
fn check_prose_with(bib: &Bibliography, file: &str, p: &crate::study::Prose, problems: &mut Problems) {
    for (line, key) in citations(&p.text) {
        if !bib.contains(&key) {
            problems.push(
                &p.file,
                Some(line),
                "",
                format!("expected a citation key from {file}, found `@{key}`, which it does not list"),
            );
        }
    }
    for (line, typed) in typed_citations(&p.text) {
        problems.push(
            &p.file,
            Some(line),
            "",
            format!("expected a citation by key (`@key`), found `{typed}` typed as text"),
        );
    }
}

/// The checks: the bibliography reads, every citation in prose resolves (file and line),
/// no citation is typed out as text, every source a table or the edition names resolves.
pub fn check(study: &Study, problems: &mut Problems) {
    let bib = Bibliography::read(study, problems);
    let file = study.bibliography.as_ref().map(|b| b.file.clone()).unwrap_or_else(|| "references.yml".into());
    if let Some(b) = &study.bibliography {
        for key in bib.entries.keys().filter(|k| !is_key(k)) {
            let line = b.text.lines().position(|l| l.starts_with(&format!("{key}:"))).map(|n| n + 1);
            problems.push(&b.file, line, "", format!("expected a key of a-z, 0-9 and `-`, found `{key}`"));
        }
    }
    for p in &study.prose {
        check_prose_with(&bib, &file, p, problems);
    }
    let has_bibliography = study.bibliography.is_some();
    let mut must = |key: &str, pos: &Pos, field: &str| {
        if has_bibliography && !bib.contains(key) {
            problems.at(pos, field, format!("expected a key from {file}, found `{key}`, which it does not list"));
        }
    };
    for e in &study.events {
        must(&e.source, &e.pos, "source");
    }
    for f in &study.facts {
        must(&f.source, &f.pos, "source");
    }
    for s in &study.sets {
        must(&s.source, &s.pos, "source");
    }
    if let Some(ed) = &study.meta.edition {
        must(&ed.based_on, &ed.pos, "edition.based_on");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations_are_found_and_cross_references_are_not() {
        let text = "As @tab-x shows (@oaks2012; @read2013).\nSee #cite(<merriam2009>, form: \"prose\") and mail@host.\n// @ignored";
        let found = citations(text);
        assert_eq!(
            found,
            vec![(1, "oaks2012".to_string()), (1, "read2013".to_string()), (2, "merriam2009".to_string())]
        );
    }

    #[test]
    fn typed_citations_are_caught_and_years_alone_are_not() {
        assert_eq!(typed_citations("Noe (Oaks, 2012).").len(), 1);
        assert_eq!(typed_citations("som Merriam (2009) sier").len(), 1);
        assert!(typed_citations("planen (2012–2015) og i (2016) alene").is_empty());
    }

    #[test]
    fn short_names_use_abbreviations_and_the_language_words() {
        let yaml = "a:\n  type: report\n  author: Kompetansesenter for brukererfaring (KBT)\n  date: 2020\nb:\n  type: misc\n  author: [\"Rydheim\", \"Eidsvik\"]\n  date: 2017\nc:\n  type: misc\n  author: [\"A\", \"B\", \"C\"]\nd:\n  type: misc\n  title: T\n";
        let bib = Bibliography::from_library(&hayagriva::io::from_yaml_str(yaml).unwrap());
        assert_eq!(bib.short("a", "og", "mfl.", "u.å.").unwrap(), "KBT (2020)");
        assert_eq!(bib.short("b", "og", "mfl.", "u.å.").unwrap(), "Rydheim og Eidsvik (2017)");
        assert_eq!(bib.short("c", "and", "et al.", "n.d.").unwrap(), "A et al. (n.d.)");
        // A work without an author is cited by its title, as the reference list shows it.
        assert_eq!(bib.short("d", "and", "et al.", "n.d.").unwrap(), "T (n.d.)");
        assert_eq!(bib.described("a", "og", "mfl.", "u.å.").unwrap(), "KBT (2020)");
        assert_eq!(bib.described("d", "and", "et al.", "n.d.").unwrap(), "T (n.d.)");
        assert!(bib.short("zz", "", "", "").is_none());
    }

    #[test]
    fn the_served_bibliography_marks_titles_that_end_in_their_own_mark_and_keeps_the_rest() {
        let yaml = "a:\n  type: report\n  title: Mitt liv, mitt valg!\n  date: 2020\nb:\n  type: book\n  title: Hvordan lese?\n  edition: 2\nc:\n  type: article\n  title: Plain\n  note: a remark\n  parent:\n    type: periodical\n    title: Why?\nd:\n  type: misc\n  author: { name: \"Allsopp et al.\" }\n";
        let served = hayagriva::io::from_yaml_str(&marked_for_style(yaml)).unwrap();
        let note = |k: &str| served.get(k).and_then(|e| e.note()).map(|n| n.value.to_string());
        assert_eq!(note("a").as_deref(), Some("1"));
        assert_eq!(note("b").as_deref(), Some("1"));
        // A parent's title is not the entry's; an entry's own note is left as written.
        assert_eq!(note("c").as_deref(), Some("a remark"));
        assert_eq!(note("d").as_deref(), Some("plain"));
        assert_eq!(marked_for_style(yaml).lines().filter(|l| l.trim_start().starts_with("note:")).count(), 4);
        let original = hayagriva::io::from_yaml_str(yaml).unwrap();
        for key in ["a", "b", "c", "d"] {
            let (o, s) = (original.get(key).unwrap(), served.get(key).unwrap());
            assert_eq!(o.title(), s.title(), "{key}");
            assert_eq!(o.date(), s.date(), "{key}");
            assert_eq!(o.parents(), s.parents(), "{key}");
            assert_eq!(o.authors(), s.authors(), "{key}");
        }
        assert_eq!(marked_for_style("not: [yaml"), "not: [yaml");
    }
}
