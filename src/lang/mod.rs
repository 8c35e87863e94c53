//! Languages: the words of the report's skeleton (headings, column names, captions,
//! figure labels), how each language writes numbers and dates, its number words and the
//! singular and plural of the nouns the skeleton counts.
//!
//! Built in: Bokmål (`nb`), Nynorsk (`nn`) and English (`en`), in `report/lang/`. A study
//! adds any other language with one file, `data/lang/<code>.toml` (the same layout, read at
//! run time, so no rebuild), and may override any word of the skeleton, for one language,
//! in `data/words/<code>.toml`. Both are checked like every data file: an unknown key, a
//! missing word or a sentence that does not parse is an error naming the file, the line
//! and the key.
//!
//! Sentences in a language file are minijinja templates (`{{ regions|count("region") }}`)
//! with the filters of [`install`], the same ones the study's prose uses.
//!
//! The module by job: this file holds the types of a language and looks its words up;
//! [`load`] reads and merges the built-in and the study's language files; [`check`]
//! checks a language file (every word there, every sentence renders); [`plural`] is the
//! CLDR plural rules; [`keys`] names the words the program reads ([`Word`]); [`numbers`] writes numbers, counts and dates; [`sentences`] fills
//! sentences (the minijinja filters); [`study`] derives the words and values the study's
//! own data gives (captions of its context tables, its counts).

use std::collections::BTreeMap;

use minijinja::value::Value;
use serde::Deserialize;

mod check;
mod keys;
mod load;
mod numbers;
mod plural;
mod sentences;
mod study;
#[cfg(test)]
mod tests;

pub use keys::Word;
pub use load::key_line;
pub use plural::{cldr_plural, PluralRule};
pub use sentences::{install, Num};
pub use study::context_word_keys;

/// The language files compiled into the program.
pub const FILES: &[(&str, &str)] = &[
    ("nb", include_str!("../../report/lang/nb.toml")),
    ("nn", include_str!("../../report/lang/nn.toml")),
    ("en", include_str!("../../report/lang/en.toml")),
];

/// The study's folders of language files and words: the loader reads them with the rest
/// of the data (so they are in the study's files and its fingerprint), this module checks them.
pub use crate::study::load::{LANG_DIR, WORDS_DIR};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
/// How the language writes numbers, dates and quotes.
pub struct NumberFormat {
    /// The decimal mark: `,` or `.`.
    pub decimal: String,
    /// The thousands separator: a no-break space or `,`.
    pub thousands: String,
    /// `{}` is replaced by the number: `{} %` (with a no-break space) or `{}%`.
    pub percent: String,
    /// Month names, January first.
    pub months: Vec<String>,
    /// `{day}`, `{month}`, `{year}`: `{day}. {month} {year}` or `{day} {month} {year}`.
    pub date: String,
    /// `{month} {year}` for a date without a day.
    pub month_year: String,
    /// How "fewer than k" reads in running text: `færre enn {k}`.
    pub fewer_than: String,
    /// Typst's smart quotes for the language: `«»‹›` or `“”‘’`.
    pub quotes: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
/// What the language is: its name, typst's code for it and its plural rule.
pub struct Language {
    /// The language's own name (`norsk bokmål`).
    pub name: String,
    /// The code typst knows for hyphenation and its own terms, when it differs from the
    /// study's code.
    #[serde(default)]
    pub typst: Option<String>,
    /// Which counts take the singular; CLDR's rule for a language it knows (see
    /// [`cldr_plural`]), so a file need not say.
    #[serde(default)]
    pub plural: PluralRule,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
/// Numbers in running text.
pub struct Numbers {
    /// Whole numbers written as words in running text, from zero up: as far as the
    /// language's style guide says (Bokmål and Nynorsk: to twelve, per Språkrådet).
    pub words: Vec<String>,
    /// "One" by the gender of the noun counted (`m = "én"`, `n = "ett"`), where it differs.
    #[serde(default)]
    pub one: BTreeMap<String, String>,
    /// Joins the last two items of a list: `og`, `and`.
    pub and: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
/// A noun the sentences count.
pub struct Noun {
    /// The singular: `helseregion`.
    pub one: String,
    /// The plural: `helseregioner`.
    pub other: String,
    /// The dual, for a language whose rule has one (`two` in CLDR): the form for 2.
    #[serde(default)]
    pub two: Option<String>,
    /// Grammatical gender, to choose "one" (`m`, `f`, `n`, or none).
    #[serde(default)]
    pub gender: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
/// A language file as written: the parts of [`Lang`] the file gives.
pub(super) struct LangFile {
    pub(super) language: Language,
    pub(super) format: NumberFormat,
    pub(super) numbers: Numbers,
    pub(super) nouns: BTreeMap<String, Noun>,
    pub(super) words: BTreeMap<String, String>,
}

/// One language of the report: its number format, nouns and the skeleton's words, with the study's own rewordings applied.
#[derive(Clone, Debug)]
pub struct Lang {
    /// The language code (`nb`, `en`), as in the data's column suffixes.
    pub code: String,
    /// Its name and typst's language settings.
    pub language: Language,
    /// How numbers, percentages and dates are written.
    pub format: NumberFormat,
    /// Numbers written as words (one to twelve, say).
    pub numbers: Numbers,
    /// Nouns with their singular and plural, by key.
    pub nouns: BTreeMap<String, Noun>,
    /// Every other word of the skeleton, by key.
    pub words: BTreeMap<String, String>,
    /// Values about the study every sentence may use: `models` and `regions` (counts),
    /// `model_names` (the models' short names), `first` and `last` (years of the timeline).
    pub vars: BTreeMap<String, Value>,
    /// Words made from the study's data (captions of its context tables and figures from
    /// their titles): printed as they are, never read as a template.
    pub plain: BTreeMap<String, String>,
}

impl Lang {
    /// The typst language code (for hyphenation and typst's own terms).
    pub fn typst_code(&self) -> String {
        self.language.typst.clone().unwrap_or_else(|| self.code.clone())
    }

    /// A word of the skeleton as a study with `coding` says it: for a reconstructed
    /// coding the `<key>_reconstructed` form where the language has one (a caption that
    /// says its counts are the edition's own reconstructed excerpts), else `key`.
    pub(crate) fn word_for(&self, word: Word, coding: crate::study::Coding) -> String {
        self.named_for(word.key(), coding)
    }

    /// [`Lang::word_for`] for a word named at run time (`cap_<table>`), checked as
    /// [`Lang::named`] says.
    pub(crate) fn named_for(&self, key: &str, coding: crate::study::Coding) -> String {
        let own = format!("{key}_reconstructed");
        if coding.is_reconstructed() && (self.words.contains_key(&own) || self.plain.contains_key(&own)) {
            return self.named(&own);
        }
        self.named(key)
    }

    /// A word of the skeleton. Every [`Word`] is checked when the language is loaded
    /// (built in or the study's: a missing one is a load error naming the file), so the
    /// lookup cannot miss.
    pub fn word(&self, word: Word) -> String {
        self.named(word.key())
    }

    /// The word with this key, for a key made at run time from a name (`cap_<table>`,
    /// `figcap_<figure>`, a table cell's key). The words the study's own data names are
    /// made at load time; the pipeline checks every other name its tables and figures use
    /// with [`Lang::check_names`] before any of them is presented, so a missing word is a
    /// build error. The empty text for a key neither map holds is therefore never reached
    /// in a build: it stands in for a panic, and never prints a key as if it were a word.
    pub fn named(&self, key: &str) -> String {
        if let Some(p) = self.plain.get(key) {
            return p.clone();
        }
        self.words.get(key).map(|w| self.fill(w, BTreeMap::new())).unwrap_or_default()
    }

    /// Whether the language has a word with this key (the skeleton's or one made from the
    /// study's data).
    pub fn has(&self, key: &str) -> bool {
        self.plain.contains_key(key) || self.words.contains_key(key)
    }

    /// The mark after an item the dialogue conference changed, added or dropped; empty
    /// for one it confirmed.
    pub fn mark(&self, outcome: crate::study::Outcome) -> String {
        Word::mark(outcome).map(|w| self.word(w)).unwrap_or_default()
    }

    /// Every word with the study's values filled in (sentences that need more values
    /// than the study's are filled by [`Lang::sentence`] instead).
    pub fn rendered_words(&self) -> BTreeMap<String, String> {
        self.words.keys().chain(self.plain.keys()).map(|k| (k.clone(), self.named(k))).collect()
    }
}
