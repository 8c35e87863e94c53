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

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use minijinja::value::{Object, ObjectRepr, Rest, Value};
use minijinja::{Environment, Error as JinjaError, ErrorKind, UndefinedBehavior};
use serde::Deserialize;

use crate::problem::{Problem, Problems, Result};
use crate::shown::Shown;
use crate::study::{Measure, PartialDate, Study};

/// The language files compiled into the program.
pub const FILES: &[(&str, &str)] = &[
    ("nb", include_str!("../report/lang/nb.toml")),
    ("nn", include_str!("../report/lang/nn.toml")),
    ("en", include_str!("../report/lang/en.toml")),
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

/// Which counts take the singular.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PluralRule {
    /// Only 1 (English, Norwegian, German, Swedish, Danish, Dutch …).
    #[default]
    One,
    /// 0 and 1 (French, Portuguese).
    ZeroOne,
    /// The noun does not change (Finnish after numerals is not this; Japanese, Chinese).
    None,
    /// 1 takes the singular, 2 the dual, the rest the plural (the Sámi languages, Inuktitut).
    OneTwo,
}

/// The plural rule of a language as CLDR gives it (Unicode CLDR 46, `plurals.xml`,
/// cardinal rules restricted to whole numbers, which is all a report counts). A language
/// listed here follows CLDR whatever its file says; one not listed takes its file's rule.
/// Languages whose rules need more categories than these (Russian, Polish, Arabic, Welsh,
/// Icelandic …) are not listed.
pub fn cldr_plural(code: &str) -> Option<PluralRule> {
    const ONE: &[&str] = &[
        "nb", "nn", "no", "en", "de", "sv", "da", "nl", "fi", "et", "it", "es", "ca", "el", "hu", "tr", "fo", "kl",
        "sw", "eu", "gl", "af", "bg", "sq", "ur", "ta", "te", "ml", "kk", "ky", "mn", "az", "uz", "ka", "fy", "lb",
    ];
    const ZERO_ONE: &[&str] = &["fr", "pt", "hy", "kab", "ff"];
    const NONE: &[&str] = &["ja", "zh", "ko", "th", "vi", "id", "ms", "my", "lo", "km", "yo", "ig", "jv"];
    const ONE_TWO: &[&str] = &["se", "sma", "smj", "smn", "sms", "iu", "naq"];
    let base = code.split(['-', '_']).next().unwrap_or(code);
    [(ONE, PluralRule::One), (ZERO_ONE, PluralRule::ZeroOne), (NONE, PluralRule::None), (ONE_TWO, PluralRule::OneTwo)]
        .into_iter()
        .find(|(list, _)| list.contains(&base))
        .map(|(_, rule)| rule)
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
struct LangFile {
    language: Language,
    format: NumberFormat,
    numbers: Numbers,
    nouns: BTreeMap<String, Noun>,
    words: BTreeMap<String, String>,
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

/// Where a word came from, for messages.
fn builtin_label(code: &str) -> String {
    format!("report/lang/{code}.toml")
}

/// The line of `key` inside `[section]` (or `[section.key]`) of a TOML text, or of the
/// section header, or 1.
pub fn key_line(source: &str, section: &str, key: &str) -> usize {
    let mut current = String::new();
    let mut header = 1;
    for (n, raw) in source.lines().enumerate() {
        let line = raw.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = name.trim_matches(|c| c == '[' || c == ']').trim().to_string();
            if current == section {
                header = n + 1;
            }
            if current == format!("{section}.{key}") || (section.is_empty() && current == key) {
                return n + 1;
            }
            continue;
        }
        let k = line.split('=').next().unwrap_or("").trim().trim_matches('"');
        if line.contains('=') && k == key && current == section {
            return n + 1;
        }
    }
    header
}

fn toml_problem(file: &str, source: &str, e: &toml::de::Error) -> Problem {
    let line = e.span().map(|s| source[..s.start.min(source.len())].matches('\n').count() + 1);
    Problem { file: file.into(), line, field: String::new(), message: e.message().trim().to_string() }
}

impl Lang {
    fn parse(code: &str, file: &str, source: &str) -> std::result::Result<Lang, Problem> {
        let mut f: LangFile = toml::from_str(source).map_err(|e| toml_problem(file, source, &e))?;
        if let Some(rule) = cldr_plural(code) {
            f.language.plural = rule;
        }
        Ok(Lang {
            code: code.to_string(),
            language: f.language,
            format: f.format,
            numbers: f.numbers,
            nouns: f.nouns,
            words: f.words,
            vars: BTreeMap::new(),
            plain: BTreeMap::new(),
        })
    }

    /// A built-in language.
    pub fn load(code: &str) -> Result<Lang> {
        let (_, text) = FILES.iter().find(|(c, _)| *c == code).ok_or_else(|| {
            crate::problem::build_err(format!(
                "no language `{code}` is built in (nb, nn, en): add data/lang/{code}.toml to the study"
            ))
        })?;
        Lang::parse(code, &builtin_label(code), text).map_err(|p| crate::problem::Failure::Data(vec![p]))
    }

    /// The language `code` as `study` uses it: its own file from the data or the built-in
    /// one, with the study's overrides, every sentence checked.
    pub fn for_study(code: &str, study: &Study) -> Result<Lang> {
        let mut problems = Problems::default();
        let lang = Lang::for_study_into(code, study, &mut problems);
        match lang {
            Some(l) if problems.is_empty() => Ok(l),
            _ => Err(crate::problem::Failure::Data(problems.into_sorted())),
        }
    }

    /// Every language of the study, with all problems of all of them at once.
    pub fn all_for_study(study: &Study) -> Result<Vec<Lang>> {
        let mut problems = Problems::default();
        let langs: Vec<Option<Lang>> =
            study.meta.languages.iter().map(|c| Lang::for_study_into(c, study, &mut problems)).collect();
        if !problems.is_empty() {
            return Err(crate::problem::Failure::Data(problems.into_sorted()));
        }
        Ok(langs.into_iter().flatten().collect())
    }

    fn for_study_into(code: &str, study: &Study, problems: &mut Problems) -> Option<Lang> {
        let data = data_label(study);
        let english = Lang::load("en").expect("the built-in English file parses");
        let own = study_file(study, &format!("{LANG_DIR}/{code}.toml"));
        let mut lang = match (own, FILES.iter().find(|(c, _)| *c == code)) {
            (Some(bytes), _) => {
                let file = format!("{data}/{LANG_DIR}/{code}.toml");
                let source = String::from_utf8_lossy(bytes).replace("\r\n", "\n");
                match Lang::parse(code, &file, &source) {
                    Ok(l) => {
                        // A language file from the data must say every word the skeleton uses.
                        for key in english.words.keys().filter(|k| !l.words.contains_key(*k)) {
                            problems.push(&file, Some(key_line(&source, "words", key)), format!("words.{key}"),
                                "expected this word of the skeleton, found none (see report/lang/en.toml for what it says)");
                        }
                        for key in english.nouns.keys().filter(|k| !l.nouns.contains_key(*k)) {
                            problems.push(
                                &file,
                                Some(key_line(&source, "nouns", key)),
                                format!("nouns.{key}"),
                                "expected this noun with its `one` and `other` forms, found none",
                            );
                        }
                        if l.format.months.len() != 12 {
                            problems.push(
                                &file,
                                Some(key_line(&source, "format", "months")),
                                "format.months",
                                format!("expected 12 month names, found {}", l.format.months.len()),
                            );
                        }
                        if l.format.quotes.chars().count() != 4 {
                            problems.push(
                                &file,
                                Some(key_line(&source, "format", "quotes")),
                                "format.quotes",
                                "expected four quote marks: double open, double close, single open, single close",
                            );
                        }
                        if l.numbers.words.is_empty() {
                            problems.push(
                                &file,
                                Some(key_line(&source, "numbers", "words")),
                                "numbers.words",
                                "expected the number words from zero up, found none",
                            );
                        }
                        l
                    }
                    Err(p) => {
                        problems.0.push(p);
                        return None;
                    }
                }
            }
            (None, Some(_)) => Lang::load(code).ok()?,
            (None, None) => {
                problems.push(
                    format!("{data}/study.toml"),
                    None,
                    "languages",
                    format!("no words for language `{code}`: built in are nb, nn and en; add data/{LANG_DIR}/{code}.toml (the layout of report/lang/en.toml)"),
                );
                return None;
            }
        };
        if let Some(bytes) = study_file(study, &format!("{WORDS_DIR}/{code}.toml")) {
            let file = format!("{data}/{WORDS_DIR}/{code}.toml");
            let source = String::from_utf8_lossy(bytes).replace("\r\n", "\n");
            lang.overlay(&file, &source, &english, study, problems);
        }
        lang.vars = study_vars(&lang, study);
        lang.check_context_words(study, &data, problems);
        lang.check_sentences(problems, &data);
        Some(lang)
    }

    /// Apply `data/words/<code>.toml`: `[words]` replaces words of the skeleton (known keys
    /// only), `[nouns]` replaces or adds nouns for sentences and prose.
    fn overlay(&mut self, file: &str, source: &str, english: &Lang, study: &Study, problems: &mut Problems) {
        let table: toml::Table = match source.parse() {
            Ok(t) => t,
            Err(e) => {
                problems.0.push(toml_problem(file, source, &e));
                return;
            }
        };
        for (section, value) in &table {
            match (section.as_str(), value) {
                ("words", toml::Value::Table(words)) => {
                    for (key, v) in words {
                        let line = Some(key_line(source, "words", key));
                        let known = english.words.contains_key(key) || context_word_keys(study).contains(key);
                        match v.as_str() {
                            _ if !known => problems.push(file, line, format!("words.{key}"),
                                "unknown word: the skeleton has no word by this name (see report/lang/en.toml for the keys)"),
                            Some(s) => {
                                self.words.insert(key.clone(), s.to_string());
                            }
                            None => problems.push(file, line, format!("words.{key}"), "expected a text in quotes"),
                        }
                    }
                }
                ("nouns", toml::Value::Table(nouns)) => {
                    for (key, v) in nouns {
                        let line = Some(key_line(source, "nouns", key));
                        match v.clone().try_into::<Noun>() {
                            Ok(n) => {
                                self.nouns.insert(key.clone(), n);
                            }
                            Err(e) => problems.push(
                                file,
                                line,
                                format!("nouns.{key}"),
                                format!(
                                    "expected {{ one = \"…\", other = \"…\", gender = \"m\" }}: {}",
                                    e.message().trim()
                                ),
                            ),
                        }
                    }
                }
                (other, _) => problems.push(
                    file,
                    Some(key_line(source, "", other)),
                    other,
                    "unknown section: expected [words] or [nouns]",
                ),
            }
        }
    }

    /// Captions of the tables and figures a study defines itself (its context data) come
    /// from the study's words (`cap_<table>`, `fig_<figure>`, `figcap_<figure>` in
    /// data/words/<lang>.toml); where the study gives none, from the titles of the sets
    /// (or the labels of the facts) the table or figure shows.
    fn check_context_words(&mut self, study: &Study, _data: &str, _problems: &mut Problems) {
        for (key, text) in crate::survey::results::captions(&study.survey, self) {
            if !self.words.contains_key(&key) {
                self.plain.entry(key).or_insert(text);
            }
        }
        let code = self.code.clone();
        let titles = |figure: Option<&str>, table: Option<&str>| -> Vec<String> {
            let mut out: Vec<String> = study
                .sets
                .iter()
                .filter(|s| {
                    figure.is_some_and(|f| s.figure.as_ref().is_some_and(|x| x.to_string() == f))
                        || table.is_some_and(|t| s.table.as_ref().is_some_and(|x| x.to_string() == t))
                })
                .map(|s| s.title.get(&code).to_string())
                .collect();
            if out.is_empty() {
                if let Some(t) = table {
                    out = study
                        .facts
                        .iter()
                        .filter(|f| f.table.as_ref().is_some_and(|x| x.to_string() == t))
                        .map(|f| f.label.get(&code).to_string())
                        .collect();
                }
            }
            out.dedup();
            out
        };
        for key in context_word_keys(study) {
            if self.words.contains_key(&key) || self.plain.contains_key(&key) {
                continue;
            }
            let text = if let Some(t) = key.strip_prefix("cap_") {
                format!("{}.", self.and_list(&titles(None, Some(t))))
            } else if let Some(f) = key.strip_prefix("figcap_") {
                format!("{}.", self.and_list(&titles(Some(f), None)))
            } else if let Some(f) = key.strip_prefix("fig_") {
                self.and_list(&titles(Some(f), None))
            } else {
                continue;
            };
            self.plain.insert(key, text);
        }
    }

    /// Render every sentence once with sample values, so a mistake is reported at load
    /// time with its file and key rather than in the middle of a build.
    fn check_sentences(&self, problems: &mut Problems, data: &str) {
        let env = self.environment(true);
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

    /// The typst language code (for hyphenation and typst's own terms).
    pub fn typst_code(&self) -> String {
        self.language.typst.clone().unwrap_or_else(|| self.code.clone())
    }

    /// A word of the skeleton as a study with `coding` says it: for a reconstructed
    /// coding the `<key>_reconstructed` form where the language has one (a caption that
    /// says its counts are the edition's own reconstructed excerpts), else `key`.
    pub(crate) fn word_for(&self, key: &str, coding: crate::study::Coding) -> String {
        let own = format!("{key}_reconstructed");
        if coding.is_reconstructed() && (self.words.contains_key(&own) || self.plain.contains_key(&own)) {
            return self.word(&own);
        }
        self.word(key)
    }

    /// A word of the skeleton; every key is checked when the language is loaded, so a
    /// missing one shows as `[key]` only through a programming error the tests catch.
    pub fn word(&self, key: &str) -> String {
        if let Some(p) = self.plain.get(key) {
            return p.clone();
        }
        match self.words.get(key) {
            Some(w) => self.render(w, BTreeMap::new()),
            None => format!("[{key}]"),
        }
    }

    /// Every word with the study's values filled in (sentences that need more values
    /// than the study's are filled by [`Lang::sentence`] instead).
    pub fn rendered_words(&self) -> BTreeMap<String, String> {
        self.words.keys().chain(self.plain.keys()).map(|k| (k.clone(), self.word(k))).collect()
    }

    /// A whole number with this language's thousands separator.
    pub fn int(&self, v: u64) -> String {
        let digits = v.to_string();
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push_str(&self.format.thousands);
            }
            out.push(ch);
        }
        out
    }

    /// A count in running text: a word up to the language's limit, else a numeral.
    pub fn in_words(&self, v: u64, gender: Option<&str>) -> String {
        if v == 1 {
            if let Some(w) = gender.and_then(|g| self.numbers.one.get(g)) {
                return w.clone();
            }
        }
        self.numbers.words.get(v as usize).cloned().unwrap_or_else(|| self.int(v))
    }

    /// Whether `v` is written as a word in running text.
    pub fn is_small(&self, v: u64) -> bool {
        (v as usize) < self.numbers.words.len()
    }

    /// Whether `v` takes the singular.
    pub fn is_singular(&self, v: u64) -> bool {
        match self.language.plural {
            PluralRule::One => v == 1,
            PluralRule::ZeroOne => v <= 1,
            PluralRule::None => true,
            PluralRule::OneTwo => v == 1,
        }
    }

    /// The form of `noun` for `v` (`None`: a count shown as "fewer than k" takes the plural).
    pub fn noun_form(&self, noun: &str, v: Option<u64>) -> Option<String> {
        let n = self.nouns.get(noun)?;
        if self.language.plural == PluralRule::OneTwo && v == Some(2) {
            return Some(n.two.clone().unwrap_or_else(|| n.other.clone()));
        }
        Some(if v.is_some_and(|v| self.is_singular(v)) { n.one.clone() } else { n.other.clone() })
    }

    /// "a, b and c".
    pub fn and_list(&self, items: &[String]) -> String {
        match items {
            [] => String::new(),
            [one] => one.clone(),
            [rest @ .., last] => format!("{} {} {last}", rest.join(", "), self.numbers.and),
        }
    }

    /// A number with as many decimals as it has (at most two), in this language's style.
    pub fn number(&self, v: f64) -> String {
        let rounded = (v * 100.0).round() / 100.0;
        if rounded.fract() == 0.0 {
            let sign = if rounded < 0.0 { "-" } else { "" };
            return format!("{sign}{}", self.int(rounded.abs() as u64));
        }
        let text = format!("{rounded:.2}");
        let text = text.trim_end_matches('0');
        let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
        let whole: i64 = whole.parse().unwrap_or(0);
        let sign = if v < 0.0 { "-" } else { "" };
        format!("{sign}{}{}{frac}", self.int(whole.unsigned_abs()), self.format.decimal)
    }

    /// A percentage as this language writes it.
    pub fn percent(&self, v: f64) -> String {
        self.format.percent.replace("{}", &self.number(v))
    }

    /// A stated number with its unit, as this language writes it.
    pub fn measure(&self, v: f64, unit: Measure) -> String {
        match unit {
            Measure::Percent => self.percent(v),
            Measure::Count | Measure::Years => self.number(v),
            Measure::NokMillion => format!("{} {}", self.number(v), self.word("nok_million")),
        }
    }

    /// A protected count in a table cell: the number, `<k` or `:`.
    pub fn shown(&self, s: Shown, k: u32) -> String {
        match s {
            Shown::Value(v) => self.int(v),
            Shown::Small => format!("<{k}"),
            Shown::Hidden => ":".to_string(),
        }
    }

    /// A protected count in running text: "fewer than 3" rather than "<3".
    pub fn shown_in_text(&self, s: Shown, k: u32) -> String {
        match s {
            Shown::Small => self.format.fewer_than.replace("{k}", &self.int(k as u64)),
            Shown::Hidden => self.word("hidden_in_text"),
            Shown::Value(v) => self.int(v),
        }
    }

    /// A count for templates: prints as a numeral in this language, and the filters of
    /// [`install`] read the number behind it.
    pub fn count(&self, v: u64) -> Value {
        Value::from_object(Num { n: Some(v), text: self.int(v) })
    }

    /// A protected count for templates: its number only when it may be shown.
    pub fn shown_count(&self, s: Shown, k: u32) -> Value {
        match s {
            Shown::Value(v) => self.count(v),
            other => Value::from_object(Num { n: None, text: self.shown_in_text(other, k) }),
        }
    }

    /// A date, as precisely as it is known, in this language's words.
    pub fn date(&self, d: PartialDate) -> String {
        let month = |m: u8| self.format.months.get(m as usize - 1).cloned().unwrap_or_default();
        match (d.month, d.day) {
            (Some(m), Some(day)) => self
                .format
                .date
                .replace("{day}", &day.to_string())
                .replace("{month}", &month(m))
                .replace("{year}", &d.year.to_string()),
            (Some(m), None) => {
                self.format.month_year.replace("{month}", &month(m)).replace("{year}", &d.year.to_string())
            }
            _ => d.year.to_string(),
        }
    }

    /// An environment for this language's sentences: plain text out, the filters in.
    pub fn environment(&self, strict: bool) -> Environment<'static> {
        let mut env = Environment::new();
        env.set_undefined_behavior(if strict { UndefinedBehavior::Strict } else { UndefinedBehavior::Lenient });
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        install(&mut env, self);
        env
    }

    /// A sentence of the language file with its values filled in. Values that are
    /// numerals in this language become counts the filters can read.
    pub fn sentence(&self, template: &str, pairs: &[(&str, String)]) -> String {
        let ctx: BTreeMap<&str, Value> = pairs.iter().map(|(k, v)| (*k, self.value_of(v))).collect();
        self.render(template, ctx)
    }

    /// The sentence `key` of the language file with its values filled in.
    pub fn say(&self, key: &str, pairs: &[(&str, String)]) -> String {
        match self.words.get(key) {
            Some(w) => self.sentence(w, pairs),
            None => format!("[{key}]"),
        }
    }

    /// A sentence with values already made (counts from [`Lang::count`]).
    pub fn render(&self, template: &str, ctx: BTreeMap<&str, Value>) -> String {
        if !template.contains("{{") && !template.contains("{%") {
            return template.to_string();
        }
        let mut all: BTreeMap<&str, Value> = self.vars.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        all.extend(ctx);
        self.environment(false).render_str(template, Value::from_pairs(all)).unwrap_or_else(|e| format!("[{e}]"))
    }

    fn value_of(&self, text: &str) -> Value {
        let digits: String = text.replace(&self.format.thousands, "");
        match digits.parse::<u64>() {
            Ok(n) if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) => {
                Value::from_object(Num { n: Some(n), text: text.to_string() })
            }
            _ => Value::from(text),
        }
    }
}

/// The values about the study every sentence may use.
fn study_vars(lang: &Lang, study: &Study) -> BTreeMap<String, Value> {
    let years: Vec<i32> = study.events.iter().map(|e| e.date.year).collect();
    let year = |y: Option<&i32>| y.map(|y| y.to_string()).unwrap_or_default();
    BTreeMap::from([
        ("models".to_string(), lang.count(study.models.len() as u64)),
        ("regions".to_string(), lang.count(study.regions.len() as u64)),
        ("units".to_string(), lang.count(study.units.len() as u64)),
        ("themes".to_string(), lang.count(study.themes().count() as u64)),
        (
            "model_names".to_string(),
            Value::from(study.models.iter().map(|m| m.short.get(&lang.code).to_string()).collect::<Vec<_>>()),
        ),
        ("first".to_string(), Value::from(year(years.iter().min()))),
        ("last".to_string(), Value::from(year(years.iter().max()))),
    ])
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
];

/// Keys of captions for tables and figures the study's context data defines.
pub fn context_word_keys(study: &Study) -> Vec<String> {
    let mut keys = Vec::new();
    for t in
        study.facts.iter().filter_map(|f| f.table.as_ref()).chain(study.sets.iter().filter_map(|s| s.table.as_ref()))
    {
        keys.push(format!("cap_{t}"));
    }
    for f in study.sets.iter().filter_map(|s| s.figure.as_ref()) {
        keys.push(format!("fig_{f}"));
        keys.push(format!("figcap_{f}"));
    }
    keys.sort();
    keys.dedup();
    keys
}

fn study_file<'a>(study: &'a Study, path: &str) -> Option<&'a [u8]> {
    study.files.iter().find(|f| f.path == path).map(|f| f.bytes.as_slice())
}

/// How the data directory is named in messages (`data`).
fn data_label(study: &Study) -> String {
    study.files.first().map(|_| "data".to_string()).unwrap_or_else(|| "data".into())
}

/// A count in a template: prints as its numeral (or as "fewer than k"), and carries the
/// number for `words`, `count`, `plural` and the `one` test.
#[derive(Debug)]
pub struct Num {
    /// The number behind it; `None` when it may not be shown.
    pub n: Option<u64>,
    /// How it prints.
    pub text: String,
}

impl Object for Num {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }
    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The number behind a template value: `Some(n)`, or `None` for a count that may not be
/// shown; an error for anything that is not a count.
fn number_of(v: &Value) -> std::result::Result<(Option<u64>, String), JinjaError> {
    if let Some(num) = v.downcast_object_ref::<Num>() {
        return Ok((num.n, num.text.clone()));
    }
    if let Some(i) = v.as_i64().filter(|i| *i >= 0) {
        return Ok((Some(i as u64), i.to_string()));
    }
    // A value that is not a number ("–" for a figure the source does not give) prints as
    // itself and counts as plural.
    if let Some(s) = v.as_str() {
        return Ok((None, s.to_string()));
    }
    Err(JinjaError::new(ErrorKind::InvalidOperation, format!("expected a count, found `{v}`")))
}

/// The filters, functions and tests for numbers and plurals, for prose and sentences:
///
/// - `{{ n.regions|words }}`: "fire" (a word up to the language's limit, else "13");
/// - `{{ n.regions|count("region") }}`: "fire helseregioner", "én helseregion", "13 helseregioner";
///   counts compared in one sentence go together, all words or all numerals:
///   `{{ a|count("excerpt", b) }} fra {{ b|count("participant", a) }}` ("10 utdrag fra 9 deltakere");
///   `{{ a|words(b) }}` likewise;
/// - `{{ n.regions|numeral("region") }}`: "4 helseregioner" (numerals, as in tables);
/// - `{{ n.regions|plural("region") }}`: "helseregioner" (the noun alone);
/// - `{{ names|and_list }}`: "a, b og c"; `{{ text|upfirst }}`: first letter capital;
/// - `{% if n.models is one %}`: the count takes the singular.
pub fn install(env: &mut Environment<'static>, lang: &Lang) {
    let l = Arc::new(lang.clone());
    let unknown = |noun: &str| {
        JinjaError::new(ErrorKind::InvalidOperation, format!("no noun `{noun}` in the language's [nouns]"))
    };
    {
        let l = l.clone();
        env.add_filter("words", move |v: Value, with: Rest<Value>| -> std::result::Result<String, JinjaError> {
            let (n, text) = number_of(&v)?;
            let mut all_small = true;
            for other in with.iter() {
                if let (Some(o), _) = number_of(other)? {
                    all_small &= l.is_small(o);
                }
            }
            Ok(n.filter(|_| all_small).map(|n| l.in_words(n, None)).unwrap_or(text))
        });
    }
    {
        let l = l.clone();
        env.add_filter(
            "count",
            move |v: Value, noun: String, with: Rest<Value>| -> std::result::Result<String, JinjaError> {
                let (n, text) = number_of(&v)?;
                let form = l.noun_form(&noun, n).ok_or_else(|| unknown(&noun))?;
                let gender = l.nouns.get(&noun).and_then(|x| x.gender.clone());
                // Counts compared in one sentence are all words or all numerals.
                let mut all_small = true;
                for other in with.iter() {
                    if let (Some(o), _) = number_of(other)? {
                        all_small &= l.is_small(o);
                    }
                }
                let shown = match n {
                    Some(n) if all_small => l.in_words(n, gender.as_deref()),
                    Some(_) => text,
                    None => text,
                };
                Ok(format!("{shown} {form}"))
            },
        );
    }
    {
        let l = l.clone();
        env.add_filter("numeral", move |v: Value, noun: String| -> std::result::Result<String, JinjaError> {
            let (n, text) = number_of(&v)?;
            let form = l.noun_form(&noun, n).ok_or_else(|| unknown(&noun))?;
            Ok(format!("{text} {form}"))
        });
    }
    {
        let l = l.clone();
        env.add_filter("plural", move |v: Value, noun: String| -> std::result::Result<String, JinjaError> {
            let (n, _) = number_of(&v)?;
            l.noun_form(&noun, n).ok_or_else(|| unknown(&noun))
        });
    }
    {
        let l = l.clone();
        env.add_filter("and_list", move |v: Vec<String>| l.and_list(&v));
    }
    env.add_filter("upfirst", |s: String| {
        let mut c = s.chars();
        c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
    });
    {
        let l = l.clone();
        env.add_test("one", move |v: Value| {
            number_of(&v).map(|(n, _)| n.is_some_and(|n| l.is_singular(n))).unwrap_or(false)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::SourceFile;

    #[test]
    fn every_built_in_language_has_the_same_keys() {
        let en = Lang::load("en").unwrap();
        for (code, _) in FILES {
            let l = Lang::load(code).unwrap();
            assert_eq!(l.words.keys().collect::<Vec<_>>(), en.words.keys().collect::<Vec<_>>(), "{code}");
            assert_eq!(l.nouns.keys().collect::<Vec<_>>(), en.nouns.keys().collect::<Vec<_>>(), "{code}");
        }
    }

    #[test]
    fn every_built_in_sentence_renders() {
        for (code, _) in FILES {
            let l = Lang::load(code).unwrap();
            let mut p = Problems::default();
            l.check_sentences(&mut p, "data");
            assert!(p.is_empty(), "{code}: {:?}", p.0);
        }
    }

    #[test]
    fn numbers_follow_each_language() {
        let nb = Lang::load("nb").unwrap();
        let en = Lang::load("en").unwrap();
        assert_eq!(nb.int(7800), "7\u{a0}800");
        assert_eq!(en.int(7800), "7,800");
        assert_eq!(nb.number(2.5), "2,5");
        assert_eq!(en.number(2.5), "2.5");
        assert_eq!(nb.percent(62.0), "62\u{a0}%");
        assert_eq!(en.percent(62.0), "62%");
        assert_eq!(en.int(1234567), "1,234,567");
        let d = PartialDate { year: 2023, month: Some(3), day: Some(17) };
        assert_eq!(nb.date(d), "17. mars 2023");
        assert_eq!(en.date(d), "17 March 2023");
    }

    fn say(l: &Lang, t: &str, n: u64) -> String {
        l.render(t, BTreeMap::from([("n", l.count(n))]))
    }

    #[test]
    fn plurals_and_number_words() {
        let nb = Lang::load("nb").unwrap();
        let nn = Lang::load("nn").unwrap();
        let en = Lang::load("en").unwrap();
        let t = r#"{{ n|count("region") }}"#;
        assert_eq!(say(&nb, t, 1), "én helseregion");
        assert_eq!(say(&nb, t, 2), "to helseregioner");
        assert_eq!(say(&nb, t, 12), "tolv helseregioner");
        assert_eq!(say(&nb, t, 13), "13 helseregioner");
        assert_eq!(say(&nn, t, 1), "éin helseregion");
        assert_eq!(say(&nn, t, 2), "to helseregionar");
        assert_eq!(say(&en, t, 1), "one health region");
        assert_eq!(say(&en, t, 2), "two health regions");
        assert_eq!(say(&en, t, 10), "10 health regions");
        assert_eq!(say(&nb, r#"{{ n|count("interview") }}"#, 1), "ett intervju");
        assert_eq!(say(&nb, r#"{{ n|numeral("participant") }}"#, 7800), "7\u{a0}800 deltakere");
        assert_eq!(say(&en, "{% if n is one %}a{% else %}b{% endif %}", 1), "a");
        assert_eq!(nb.and_list(&["a".into(), "b".into(), "c".into()]), "a, b og c");
        let hidden = nb.shown_count(Shown::Small, 3);
        assert_eq!(
            nb.render(r#"{{ n|count("participant") }}"#, BTreeMap::from([("n", hidden)])),
            "færre enn 3 deltakere"
        );
    }

    #[test]
    fn overrides_are_checked_with_file_and_line() {
        let mut study = Study::default();
        study.meta.languages = vec!["en".into()];
        study.files.push(SourceFile {
            path: "words/en.toml".into(),
            bytes: b"[words]\nmodels = \"The ways of working\"\nmodles = \"x\"\n".to_vec(),
        });
        let err = Lang::for_study("en", &study).unwrap_err().to_string();
        assert!(err.contains("data/words/en.toml:3"), "{err}");
        assert!(err.contains("words.modles"), "{err}");
        study.files[0].bytes = b"[words]\nmodels = \"The ways of working\"\n".to_vec();
        assert_eq!(Lang::for_study("en", &study).unwrap().word("models"), "The ways of working");
    }

    #[test]
    fn a_language_from_the_data_must_say_every_word() {
        let mut study = Study::default();
        study.meta.languages = vec!["de".into()];
        let mut text = FILES.iter().find(|(c, _)| *c == "en").unwrap().1.to_string();
        text = text.replace("summary = \"Summary\"\n", "");
        study.files.push(SourceFile { path: "lang/de.toml".into(), bytes: text.into_bytes() });
        let err = Lang::for_study("de", &study).unwrap_err().to_string();
        assert!(err.contains("data/lang/de.toml"), "{err}");
        assert!(err.contains("words.summary"), "{err}");
        let missing = Study {
            meta: crate::study::Meta { languages: vec!["fr".into()], ..Default::default() },
            ..Default::default()
        };
        let err = Lang::for_study("fr", &missing).unwrap_err().to_string();
        assert!(err.contains("data/lang/fr.toml"), "{err}");
    }
}
