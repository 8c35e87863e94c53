//! Checks of a language file at load time: a language from the data says every word and
//! noun of the skeleton, and every sentence renders with sample values.

use std::collections::BTreeMap;

use minijinja::value::Value;

use super::load::{builtin_label, key_line};
use super::{Lang, Word, FILES, LANG_DIR};
use crate::problem::Problems;

impl Lang {
    /// Render every sentence once with sample values, so a mistake is reported at load
    /// time with its file and key rather than in the middle of a build.
    pub(super) fn check_sentences(&self, problems: &mut Problems, data: &str) {
        let env = self.text_environment(true);
        let mut sample: BTreeMap<&str, Value> = SAMPLE_NAMES.iter().map(|n| (*n, Value::from(2u64))).collect();
        sample.insert("model_names", Value::from(vec!["A", "B"]));
        sample.extend(self.vars.iter().map(|(k, v)| (k.as_str(), v.clone())));
        for (key, text) in &self.words {
            if !text.contains("{{") && !text.contains("{%") {
                continue;
            }
            if let Err(e) = env.render_str(text, Value::from_pairs(sample.clone())) {
                let file = if FILES.iter().any(|(c, _)| *c == self.code) {
                    builtin_label(&self.code)
                } else {
                    format!("{data}/{LANG_DIR}/{}.toml", self.code)
                };
                problems.push(file, None, format!("words.{key}"), format!("the sentence does not render: {e}"));
            }
        }
    }
}

/// Names sentences use for their values (for the load-time check).
const SAMPLE_NAMES: &[&str] = &[
    "region",
    "largest",
    "individual",
    "group",
    "participants",
    "interviews",
    "model",
    "theme",
    "cells",
    "n",
    "first",
    "last",
    "m",
    "label",
    "value",
    "excerpts",
    "regions",
    "differs",
    "prose_group",
    "prose_individual",
    "models",
    "k",
    "km1",
    "units",
    "themes",
    "date",
    "confirmed",
    "changed",
    "added",
    "dropped",
    "marks",
    "text",
    "reason",
];

/// A language file from the data must say every word and noun the skeleton uses, twelve
/// months, four quote marks and the number words.
pub(super) fn check_complete(l: &Lang, english: &Lang, file: &str, source: &str, problems: &mut Problems) {
    // A language file from the data must say every word the skeleton uses (the words
    // the program names are among them: the English file has every one).
    check_program_words(l, file, source, problems);
    for key in english.words.keys().filter(|k| !l.words.contains_key(*k) && !Word::ALL.iter().any(|w| w.key() == *k)) {
        problems.push(
            file,
            Some(key_line(source, "words", key)),
            format!("words.{key}"),
            "expected this word of the skeleton, found none (see report/lang/en.toml for what it says)",
        );
    }
    for key in english.nouns.keys().filter(|k| !l.nouns.contains_key(*k)) {
        problems.push(
            file,
            Some(key_line(source, "nouns", key)),
            format!("nouns.{key}"),
            "expected this noun with its `one` and `other` forms, found none",
        );
    }
    if l.format.months.len() != 12 {
        problems.push(
            file,
            Some(key_line(source, "format", "months")),
            "format.months",
            format!("expected 12 month names, found {}", l.format.months.len()),
        );
    }
    if l.format.quotes.chars().count() != 4 {
        problems.push(
            file,
            Some(key_line(source, "format", "quotes")),
            "format.quotes",
            "expected four quote marks: double open, double close, single open, single close",
        );
    }
    if l.numbers.words.is_empty() {
        problems.push(
            file,
            Some(key_line(source, "numbers", "words")),
            "numbers.words",
            "expected the number words from zero up, found none",
        );
    }
}

/// A language file must say every word the program names ([`Word::ALL`]), so that
/// [`Lang::word`] and [`Lang::say`] cannot miss: one problem per missing word, naming
/// the file, the key and, where the file has it, the line of `[words]`.
pub(super) fn check_program_words(l: &Lang, file: &str, source: &str, problems: &mut Problems) {
    for w in Word::ALL.iter().filter(|w| !l.words.contains_key(w.key())) {
        problems.push(
            file,
            Some(key_line(source, "words", w.key())),
            format!("words.{}", w.key()),
            "expected this word, which the program itself prints, found none (see report/lang/en.toml for what it says)",
        );
    }
}
