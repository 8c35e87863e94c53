//! `study.toml` as types: the one statement of the file's keys, what each holds and which
//! may be left out. The loader reads the file into these types ([`read`], through the
//! derived `Deserialize`); `bsb new`, `bsb import qdpx`, `bsb synth` and the tests' study
//! builder write it from them ([`StudyToml::to_toml`], through the derived `Serialize`).
//!
//! One rule maps the types onto the file, in both directions: a [`PerLang`] value named
//! `title` is written as one key per language, `title_nb`, `title_en` (the loader also
//! accepts a table `title = { nb = "…", en = "…" }`). A required text is a `String`, an
//! optional one an `Option<String>`; a list may be left out (it is then empty).

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Coding;

pub(crate) use super::tomlread::{read, Read};

/// The whole of `study.toml`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StudyToml {
    /// The study's short name: an id, it names the PDFs.
    pub slug: String,
    /// The version of this report (`1.0.0`).
    pub version: String,
    /// ISO date of this version (`2020-06-30`).
    pub date: String,
    /// Person counts from 1 to k − 1 print as `<k`; 3 when left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub small_cell_k: Option<u32>,
    /// The languages, in the order the editions are built.
    pub languages: Vec<String>,
    /// Where the coding comes from; original when left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coding: Option<Coding>,
    /// Leave out excerpts of a hidden cell instead of printing them without their model.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub omit_hidden_excerpts: bool,
    /// Names that must never appear in an excerpt, besides region and unit names.
    pub identifying_terms: Vec<String>,
    /// The report's title.
    pub title: PerLang<String>,
    /// The line under the title.
    pub subtitle: PerLang<String>,
    /// The title in running heads.
    pub short_title: PerLang<String>,
    /// Who commissioned the study.
    pub commissioner: PerLang<String>,
    /// Who wrote the report.
    pub author: PerLang<String>,
    /// The note printed with the excerpts.
    pub excerpt_notice: PerLang<String>,
    /// Keywords per language (`keywords_nb = [...]`); may be left out.
    pub keywords: PerLang<Vec<String>>,
    /// This edition's publisher, date and source (`[edition]`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edition: Option<EditionToml>,
    /// The treatment models (`[[model]]`).
    pub model: Vec<ModelToml>,
    /// The health regions (`[[region]]`).
    pub region: Vec<RegionToml>,
    /// The units (`[[unit]]`).
    pub unit: Vec<UnitToml>,
    /// The dialogue conference (`[dialogue]`), when it is recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dialogue: Option<DialogueToml>,
}

/// `[dialogue]`: the day of the dialogue conference and who took part.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DialogueToml {
    /// ISO date of the conference.
    pub date: String,
    /// Who took part, as roles and counts (`[[dialogue.participants]]`), never names.
    pub participants: Vec<ParticipantToml>,
}

/// `[[dialogue.participants]]`: one role and how many took part in it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ParticipantToml {
    /// The role, in words.
    pub role: PerLang<String>,
    /// How many took part in this role.
    pub count: u32,
}

/// `[edition]`: every field but the ISBN and ISSN is required.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EditionToml {
    /// Who publishes this edition.
    pub publisher: PerLang<String>,
    /// Who edited it.
    pub editor: PerLang<String>,
    /// ISO date of the edition.
    pub date: String,
    /// The publisher's number for this edition.
    pub report_number: String,
    /// ISBN, where one has been assigned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub isbn: Option<String>,
    /// ISSN of the series, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issn: Option<String>,
    /// The terms of reuse, in words.
    pub licence: PerLang<String>,
    /// A bibliography key: the work this edition is based on.
    pub based_on: String,
    /// How this edition relates to that work.
    pub relation: PerLang<String>,
}

/// `[[model]]`: a treatment model.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelToml {
    /// Its id.
    pub id: String,
    /// The short name in table headers.
    pub short: PerLang<String>,
    /// The full name.
    pub name: PerLang<String>,
    /// What the model is.
    pub description: PerLang<String>,
}

/// `[[region]]`: a health region.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RegionToml {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: PerLang<String>,
}

/// `[[unit]]`: a unit in a region, offering a model.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UnitToml {
    /// Its id.
    pub id: String,
    /// The id of its region.
    pub region: String,
    /// The id of its model.
    pub model: String,
    /// Its name.
    pub name: PerLang<String>,
    /// Names a reader knows the unit by (hospital, town).
    pub places: Vec<String>,
}

/// A value per language, in the order written (the study's language order). In the file
/// each is a key of its own, `<name>_<lang>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PerLang<V>(pub Vec<(String, V)>);

impl<V> Default for PerLang<V> {
    fn default() -> Self {
        PerLang(Vec::new())
    }
}

impl<V: Clone> PerLang<V> {
    /// The same value in every language of `langs`.
    pub fn same(langs: &[impl AsRef<str>], value: V) -> Self {
        PerLang(langs.iter().map(|l| (l.as_ref().to_string(), value.clone())).collect())
    }

    /// A value for each language of `langs`.
    pub fn each<L: AsRef<str>>(langs: &[L], f: impl Fn(&str) -> V) -> Self {
        PerLang(langs.iter().map(|l| (l.as_ref().to_string(), f(l.as_ref()))).collect())
    }

    /// The value in `lang`, if given.
    pub fn get(&self, lang: &str) -> Option<&V> {
        self.0.iter().find(|(l, _)| l == lang).map(|(_, v)| v)
    }
}

impl PerLang<String> {
    /// As the study's [`super::Text`]: the languages with a text.
    pub fn to_text(&self) -> super::Text {
        super::Text(self.0.iter().filter(|(_, v)| !v.is_empty()).cloned().collect())
    }
}

impl<V: Serialize> Serialize for PerLang<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (lang, v) in &self.0 {
            map.serialize_entry(lang, v)?;
        }
        map.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for PerLang<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// Collects the entries in the order given.
        struct Entries<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for Entries<V> {
            type Value = PerLang<V>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a value per language")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    out.push(entry);
                }
                Ok(PerLang(out))
            }
        }
        d.deserialize_map(Entries(std::marker::PhantomData))
    }
}

impl StudyToml {
    /// The file's text, keys in the order of the types, with `comments` (key, lines
    /// without `#`) written above the first line of each named top-level key or table.
    pub fn to_toml(&self, comments: &[(&str, &str)]) -> String {
        // The derived `Serialize` in field order (serde_json keeps it), then the one rule:
        // a table whose keys are all languages of the study becomes a key per language.
        let mut value = serde_json::to_value(self).unwrap_or_default();
        suffix_languages(&mut value, &self.languages);
        // Every value is a string, a whole number, a boolean, a list or a table of them, all
        // of which TOML writes.
        let text = toml::to_string(&value).unwrap_or_default();
        with_comments(&text, comments)
    }
}

/// Replace each table entry `key = { <lang> = v, … }` whose keys are all languages in
/// `langs` by entries `key_<lang> = v` at the same place, at every depth.
fn suffix_languages(value: &mut serde_json::Value, langs: &[String]) {
    match value {
        serde_json::Value::Object(map) => {
            let old = std::mem::take(map);
            for (key, mut v) in old {
                match v {
                    serde_json::Value::Object(inner) if inner.keys().all(|k| langs.contains(k)) => {
                        for (lang, text) in inner {
                            map.insert(format!("{key}_{lang}"), text);
                        }
                    }
                    serde_json::Value::Null => {}
                    _ => {
                        suffix_languages(&mut v, langs);
                        map.insert(key, v);
                    }
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| suffix_languages(v, langs)),
        _ => {}
    }
}

/// `text` with each comment written above the first line that starts the top-level key or
/// table it names (found by the parser, so never inside a multi-line string).
fn with_comments(text: &str, comments: &[(&str, &str)]) -> String {
    let Ok(doc) = toml::de::DeTable::parse(text) else { return text.to_string() };
    let mut at: Vec<(usize, &str)> = Vec::new();
    for (name, comment) in comments {
        let found = doc.get_ref().iter().find(|(k, _)| k.get_ref() == name);
        if let Some((key, value)) = found {
            // A table's span is its header; a key's span is the key.
            let offset = key.span().start.min(value.span().start);
            let line_start = text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
            at.push((line_start, comment));
        } else if name.is_empty() {
            at.push((0, comment));
        }
    }
    at.sort_by_key(|(offset, _)| *offset);
    let mut out = String::with_capacity(text.len() + 512);
    let mut done = 0;
    for (offset, comment) in at {
        out.push_str(&text[done..offset]);
        for line in comment.lines() {
            out.push_str(if line.is_empty() { "#" } else { "# " });
            out.push_str(line);
            out.push('\n');
        }
        done = offset;
    }
    out.push_str(&text[done..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back_equal_with_no_problem() {
        let langs = ["nb", "en"];
        let t = |s: &str| PerLang::each(&langs, |l| format!("{s} \"{l}\" \\ [x] = y\n# z"));
        let doc = StudyToml {
            slug: "s".into(),
            version: "1.0".into(),
            date: "2024-02-29".into(),
            small_cell_k: Some(4),
            languages: langs.iter().map(|l| l.to_string()).collect(),
            coding: Some(Coding::Reconstructed),
            omit_hidden_excerpts: true,
            identifying_terms: vec!["a\"b".into()],
            title: t("title"),
            keywords: PerLang::each(&langs, |l| vec![l.to_string()]),
            edition: Some(EditionToml { date: "2020-01-01".into(), isbn: Some("x".into()), ..Default::default() }),
            model: vec![ModelToml { id: "M1".into(), name: t("m"), ..Default::default() }],
            unit: vec![UnitToml { id: "u".into(), places: vec!["p".into()], ..Default::default() }],
            ..Default::default()
        };
        let text = doc.to_toml(&[("", "top"), ("model", "models")]);
        let mut problems = crate::problem::Problems::default();
        let read = read("study.toml", &text, &mut problems).expect("TOML");
        // The texts left empty above are reported missing; nothing else is.
        assert!(problems.0.iter().all(|p| p.message.contains("found none")), "{:?}", problems.0);
        let mut expected = doc.clone();
        let empty = PerLang::each(&langs, |_| String::new());
        for t in [&mut expected.subtitle, &mut expected.short_title, &mut expected.commissioner] {
            *t = empty.clone();
        }
        expected.author = empty.clone();
        expected.excerpt_notice = empty.clone();
        if let Some(e) = expected.edition.as_mut() {
            for t in [&mut e.publisher, &mut e.editor, &mut e.licence, &mut e.relation] {
                *t = empty.clone();
            }
        }
        expected.model[0].short = empty.clone();
        expected.model[0].description = empty.clone();
        expected.unit[0].name = empty;
        // A text is read trimmed, as the loader always has.
        for t in [&mut expected.title, &mut expected.model[0].name] {
            t.0.iter_mut().for_each(|(_, v)| *v = v.trim().to_string());
        }
        assert_eq!(read.doc, expected, "{text}");
        assert!(text.starts_with("# top\nslug = \"s\"\n"), "{text}");
        assert!(text.contains("\n# models\n[[model]]\n"), "{text}");
    }
}
