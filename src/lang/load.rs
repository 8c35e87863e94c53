//! Reading a language: the built-in files, a study's own language file and its overrides
//! of words and nouns, merged into one [`Lang`] with every problem at once.

use std::collections::BTreeMap;

use super::check::{check_complete, check_program_words};
use super::study::{context_word_keys, study_vars};
use super::{cldr_plural, Lang, LangFile, Noun, Word, FILES, LANG_DIR, WORDS_DIR};
use crate::problem::{Problem, Problems, Result};
use crate::study::Study;

/// Where a word came from, for messages.
pub(super) fn builtin_label(code: &str) -> String {
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

/// A TOML syntax or shape error as a problem with its file and line.
fn toml_problem(file: &str, source: &str, e: &toml::de::Error) -> Problem {
    let line = e.span().map(|s| source[..s.start.min(source.len())].matches('\n').count() + 1);
    Problem { file: file.into(), line, field: String::new(), message: e.message().trim().to_string() }
}

impl Lang {
    /// A language from the text of its file; CLDR's plural rule wins over the file's.
    pub(super) fn parse(code: &str, file: &str, source: &str) -> std::result::Result<Lang, Problem> {
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

    /// A built-in language's "yes" and "no", which a yes/no question of a study's
    /// questionnaire takes where it gives no options (the loader's
    /// [`crate::study::survey::YesNoWords`]).
    pub fn yes_no(code: &str) -> Option<[String; 2]> {
        let lang = Lang::load(code).ok()?;
        Some([lang.word(Word::SurveyYes), lang.word(Word::SurveyNo)])
    }

    /// A built-in language.
    pub fn load(code: &str) -> Result<Lang> {
        let (_, text) = FILES.iter().find(|(c, _)| *c == code).ok_or_else(|| {
            crate::problem::build_err(format!(
                "no language `{code}` is built in (nb, nn, en): add data/lang/{code}.toml to the study"
            ))
        })?;
        let file = builtin_label(code);
        let lang = Lang::parse(code, &file, text).map_err(|p| crate::problem::Failure::Data(vec![p]))?;
        let mut problems = Problems::default();
        check_program_words(&lang, &file, text, &mut problems);
        match problems.is_empty() {
            true => Ok(lang),
            false => Err(crate::problem::Failure::Data(problems.into_sorted())),
        }
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

    /// [`Lang::for_study`], with its problems added to `problems`.
    fn for_study_into(code: &str, study: &Study, problems: &mut Problems) -> Option<Lang> {
        let data = data_label(study);
        let english = match Lang::load("en") {
            Ok(l) => l,
            Err(e) => {
                problems.0.extend(into_problems(e));
                return None;
            }
        };
        let own = study_file(study, &format!("{LANG_DIR}/{code}.toml"));
        let mut lang = match (own, FILES.iter().find(|(c, _)| *c == code)) {
            (Some(bytes), _) => {
                let file = format!("{data}/{LANG_DIR}/{code}.toml");
                let source = String::from_utf8_lossy(bytes).replace("\r\n", "\n");
                match Lang::parse(code, &file, &source) {
                    Ok(l) => {
                        check_complete(&l, &english, &file, &source, problems);
                        l
                    }
                    Err(p) => {
                        problems.0.push(p);
                        return None;
                    }
                }
            }
            (None, Some(_)) => match Lang::load(code) {
                Ok(l) => l,
                Err(e) => {
                    problems.0.extend(into_problems(e));
                    return None;
                }
            },
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
}

/// The bytes of one of the study's files, by its path inside the data folder.
fn study_file<'a>(study: &'a Study, path: &str) -> Option<&'a [u8]> {
    study.files.iter().find(|f| f.path == path).map(|f| f.bytes.as_slice())
}

/// How the data directory is named in messages (`data`).
fn data_label(study: &Study) -> String {
    study.files.first().map(|_| "data".to_string()).unwrap_or_else(|| "data".into())
}

/// A failure to load a built-in language as problems to report with the study's.
fn into_problems(e: crate::problem::Failure) -> Vec<Problem> {
    match e {
        crate::problem::Failure::Data(p) => p,
        other => {
            vec![Problem { file: "report/lang".into(), line: None, field: String::new(), message: other.to_string() }]
        }
    }
}
