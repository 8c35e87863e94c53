//! The views of the themes: heading, prose, the sentence of evidence under each and the
//! excerpts it quotes.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::Analysis;
use crate::lang::{Lang, Word};
use crate::study::Study;

/// An excerpt as the skeleton quotes it.
#[derive(Serialize)]
pub(super) struct ExcerptView {
    text: String,
    model: String,
}

/// A theme as the chapter and the appendix print it.
#[derive(Serialize)]
pub(super) struct ThemeView {
    /// The theme's id.
    pub(super) id: String,
    heading: String,
    prose: Option<String>,
    counts: String,
    by_model: Vec<String>,
    /// The excerpts printed under the theme.
    pub(super) excerpts: Vec<ExcerptView>,
    all_excerpts: Vec<ExcerptView>,
    /// Whether the theme has more excerpts than the appendix prints.
    appendix_bounded: bool,
    /// In the final report, what the dialogue conference did to the theme's finding and
    /// what it added under it, each a sentence with its mark.
    conference: Vec<String>,
}

/// The model's name in this language, or nothing for an excerpt without a model.
fn model_name(study: &Study, id: Option<&str>, lang: &Lang) -> String {
    id.and_then(|id| study.models.iter().find(|m| m.id == id))
        .map(|m| m.name.get(&lang.code).to_string())
        .unwrap_or_default()
}

/// How much evidence stands behind a theme, in words, with each count exactly as the
/// tables and figures print it: a number, "fewer than k", or said to be hidden. A count
/// the table prints is never called hidden here, nor the other way round.
/// `largest` is the largest count of the paragraph, so that all its counts are words or
/// all numerals.
fn evidence_sentence(lang: &Lang, model: Option<&str>, e: &crate::analysis::Evidence, k: u32, largest: u64) -> String {
    use crate::analysis::Shown;
    let word = match (model.is_some(), e.excerpts.get(), e.participants.get()) {
        (false, Shown::Value(_), Shown::Value(_) | Shown::Small) => Word::ThemeCounts,
        (false, Shown::Value(_), Shown::Hidden) => Word::ThemeCountsPeopleHidden,
        (false, _, Shown::Value(_) | Shown::Small) => Word::ThemeCountsExcerptsHidden,
        (false, _, Shown::Hidden) => Word::ThemeCountsHidden,
        (true, Shown::Value(_), Shown::Value(_) | Shown::Small) => Word::ThemeCountsModel,
        (true, Shown::Value(_), Shown::Hidden) => Word::ThemeCountsModelPeopleHidden,
        (true, _, Shown::Value(_) | Shown::Small) => Word::ThemeCountsModelExcerptsHidden,
        (true, _, Shown::Hidden) => Word::ThemeCountsModelHidden,
    };
    lang.say(
        word,
        &[
            ("model", model.unwrap_or_default().to_string()),
            ("excerpts", lang.shown_in_text(e.excerpts.get(), k)),
            ("participants", lang.shown_in_text(e.participants.get(), k)),
            ("largest", largest.to_string()),
        ],
    )
}

/// The sentence under a theme's heading. With an original coding it says how many
/// excerpts and people the theme rests on; with a reconstructed one only how many of the
/// edition's reconstructed excerpts it holds, since the people behind them are invented.
fn theme_sentence(
    lang: &Lang,
    coding: crate::study::Coding,
    e: &crate::analysis::Evidence,
    k: u32,
    largest: u64,
) -> String {
    if !coding.is_reconstructed() {
        return evidence_sentence(lang, None, e, k, largest);
    }
    match e.excerpts.get() {
        crate::analysis::Shown::Value(n) => {
            lang.say(Word::ThemeCountsReconstructed, &[("excerpts", n.to_string()), ("largest", largest.to_string())])
        }
        _ => lang.say(Word::ThemeCountsHidden, &[]),
    }
}

/// Each theme as the chapter and the appendix print it: heading, prose, the sentence of
/// counts (per model only for an original coding) and its excerpts.
pub(super) fn theme_views(
    study: &Study,
    a: &Analysis,
    lang: &Lang,
    chapters: &BTreeMap<String, String>,
    step: crate::study::Step,
) -> Vec<ThemeView> {
    let (k, code, coding) = (a.k, &lang.code, study.meta.coding);
    // The largest count shown in a theme's paragraph of counts.
    let largest = |t: &crate::analysis::ThemeEvidence| -> u64 {
        std::iter::once(&t.total)
            .chain(&t.by_model)
            .flat_map(|e| [e.excerpts.value(), e.participants.value()])
            .flatten()
            .max()
            .unwrap_or(0)
    };
    // An excerpt coded to several themes is printed under the first of them only, in the
    // chapter and in the appendix alike, so no excerpt stands more than once in either.
    let mut in_chapter: std::collections::BTreeSet<String> = Default::default();
    let mut in_appendix: std::collections::BTreeSet<String> = Default::default();
    a.themes
        .iter()
        .map(|t| {
            let theme = study.codes.iter().find(|c| c.id == t.theme).expect("theme from codebook");
            let view = |q: &crate::analysis::Quote| ExcerptView {
                text: q.text.get(code).to_string(),
                model: model_name(study, q.model.as_deref(), lang),
            };
            ThemeView {
                id: t.theme.clone(),
                heading: theme.label.get(code).to_string(),
                prose: chapters.get(&format!("theme-{}", t.theme)).cloned(),
                counts: theme_sentence(lang, coding, &t.total, k, largest(t)),
                // Who said what is invented in a reconstructed coding: no count per model.
                by_model: if coding.is_reconstructed() {
                    Vec::new()
                } else {
                    t.per_model(study)
                        .map(|(m, e)| evidence_sentence(lang, Some(m.short.get(code)), e, k, largest(t)))
                        .collect()
                },
                excerpts: t
                    .picked
                    .iter()
                    .map(|&i| view(&t.excerpts[i]))
                    .filter(|e| in_chapter.insert(e.text.clone()))
                    .collect(),
                all_excerpts: t
                    .appendix
                    .iter()
                    .map(|&i| view(&t.excerpts[i]))
                    .filter(|e| in_appendix.insert(e.text.clone()))
                    .collect(),
                appendix_bounded: t.appendix.len() < t.excerpts.len(),
                conference: if step == crate::study::Step::Final {
                    study
                        .feedback_on(&t.theme)
                        .filter(|f| f.outcome != crate::study::Outcome::Confirmed)
                        .into_iter()
                        .chain(study.added_under(&t.theme))
                        .map(|f| super::context::conference_note(f, lang))
                        .collect()
                } else {
                    Vec::new()
                },
            }
        })
        .collect()
}
