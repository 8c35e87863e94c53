//! Words and values a study's own data gives a language: captions of the tables and
//! figures its context data defines, and the counts and names every sentence may use.

use std::collections::BTreeMap;

use minijinja::value::Value;

use super::{Lang, Word};
use crate::problem::Problems;
use crate::study::survey::Survey;
use crate::study::Study;

impl Lang {
    /// Captions of the tables and figures a study defines itself (its context data) come
    /// from the study's words (`cap_<table>`, `fig_<figure>`, `figcap_<figure>` in
    /// data/words/<lang>.toml); where the study gives none, from the titles of the sets
    /// (or the labels of the facts) the table or figure shows.
    pub(super) fn check_context_words(&mut self, study: &Study, _data: &str, _problems: &mut Problems) {
        for (key, text) in self.survey_captions(&study.survey) {
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

    /// Captions of the committed survey tables and figures (`cap_survey-<item>`,
    /// `figcap_survey-<item>`), made from each counted item's question.
    fn survey_captions(&self, survey: &Survey) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for item in survey.items.iter().filter(|i| i.counted()) {
            let label = vec![("label", item.question.get(&self.code).to_string())];
            out.push((format!("cap_survey-{}", item.id), self.say(Word::SurveyTabcap, &label)));
            out.push((format!("figcap_survey-{}", item.id), self.say(Word::SurveyFigcap, &label)));
        }
        out
    }
}

/// The values about the study every sentence may use.
pub(super) fn study_vars(lang: &Lang, study: &Study) -> BTreeMap<String, Value> {
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
