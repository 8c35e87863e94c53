//! The values templates read: the prose's values (`n.*`, `model.*`, `fact.*` …) and the
//! skeleton's parts made from the study (the edition's details, errata, the sample, the
//! study's metadata, its context tables and figures).

use std::collections::BTreeMap;

use minijinja::value::Value;

use crate::analysis::{Analysis, Tally};
use crate::lang::{Lang, Word};
use crate::study::{Study, Text};

/// The values prose may use: `n.*`, `model.<id>.*`, `fact.<id>`, `share[set][part]`, `published.<id>`,
/// `errata.differs`, `k`, all formatted for the language.
pub(crate) fn prose_context(study: &Study, a: &Analysis, lang: &Lang) -> Value {
    let k = a.k;
    let count = |t: Tally| lang.count(a.count(t));
    let n = BTreeMap::from([
        ("regions", count(Tally::Regions)),
        ("units", count(Tally::Units)),
        ("models", count(Tally::Models)),
        ("interviews", lang.count(a.total.interviews)),
        ("individual_interviews", lang.count(a.total.individual)),
        ("group_interviews", lang.count(a.total.group)),
        ("participants", lang.count(a.total.participants)),
        ("excerpts", count(Tally::Excerpts)),
        ("themes", count(Tally::Themes)),
        ("subthemes", count(Tally::Subthemes)),
        ("traits", count(Tally::Traits)),
        ("factors", count(Tally::Factors)),
        ("recommendations", count(Tally::Recommendations)),
        ("events", count(Tally::Events)),
        ("hidden_small", lang.count(a.privacy.small as u64)),
        ("hidden_secondary", lang.count(a.privacy.secondary as u64)),
        ("notes", count(Tally::Notes)),
    ]);
    let models: BTreeMap<String, BTreeMap<&str, Value>> = a
        .by_model
        .iter()
        .map(|(id, people, interviews)| {
            (
                id.clone(),
                BTreeMap::from([
                    ("participants", lang.shown_count(people.get(), k)),
                    ("interviews", lang.shown_count(interviews.get(), k)),
                ]),
            )
        })
        .collect();
    // A whole count is a number the prose can put in words (`{{ fact.x|words }}`); every
    // other value prints with its unit.
    let facts: BTreeMap<String, Value> = study
        .facts
        .iter()
        .map(|f| {
            let value = match f.unit {
                crate::study::Measure::Count if f.value >= 0.0 && f.value.fract() == 0.0 => lang.count(f.value as u64),
                _ => Value::from(lang.measure(f.value, f.unit)),
            };
            (f.id.clone(), value)
        })
        .collect();
    // A part of a breakdown, as its set states it: `share["unn-diagnoses"]["psychosis"]`.
    let mut shares: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for set in &study.sets {
        let parts = study.shares.iter().filter(|x| x.set == set.id);
        shares.insert(set.id.clone(), parts.map(|x| (x.id.clone(), lang.measure(x.value, set.unit))).collect());
    }
    let published: BTreeMap<String, String> =
        study.published.iter().map(|p| (p.id.clone(), lang.number(p.value))).collect();
    minijinja::context! {
        n => n,
        model => models,
        fact => facts,
        share => shares,
        published => published,
        errata => minijinja::context! { differs => lang.count(a.errata_differs) },
        k => lang.count(k as u64),
    }
}

/// Breakdown figures, in the order their sets are listed.
pub(super) fn context_figures(study: &Study) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for f in study.sets.iter().filter_map(|s| s.figure.clone()) {
        if !names.iter().any(|n| f == *n) {
            names.push(f.to_string());
        }
    }
    names
}

/// Context tables (facts and breakdowns grouped by their `table`), in file order.
pub(super) fn context_tables(study: &Study) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for t in study.facts.iter().filter_map(|f| f.table.clone()).chain(study.sets.iter().filter_map(|s| s.table.clone()))
    {
        if !names.iter().any(|n| t == *n) {
            names.push(t.to_string());
        }
    }
    names
}

/// The errata appendix's sentence: the stated counts agree with the data, or how they differ.
pub(super) fn errata_text(study: &Study, a: &Analysis, lang: &Lang) -> String {
    let prose_figure = |metric_key: &str| {
        study.published.iter().find(|p| p.statement == "prose" && p.metric == metric_key).map(|p| lang.number(p.value))
    };
    if a.errata_differs == 0 {
        lang.say(Word::ErrataTextOk, &[("n", lang.int(a.errata_total))])
    } else {
        lang.say(
            Word::ErrataText,
            &[
                ("n", lang.int(a.errata_total)),
                ("differs", lang.int(a.errata_differs)),
                ("prose_group", prose_figure("interviews.group").unwrap_or_else(|| "–".into())),
                ("prose_individual", prose_figure("interviews.individual").unwrap_or_else(|| "–".into())),
                ("group", lang.number(a.total.group as f64)),
                ("individual", lang.number(a.total.individual as f64)),
            ],
        )
    }
}

/// The edition's details for the title page's back and the PDF's metadata, when the study
/// is an edition of an earlier work.
pub(super) fn edition(study: &Study, bib: &crate::references::Bibliography, lang: &Lang) -> Option<Value> {
    let text = |t: &Text| t.get(&lang.code).to_string();
    study.meta.edition.as_ref().map(|e| {
        let date = crate::study::load::parse_partial_date(&e.date);
        let based_on_text = bib
            .described(&e.based_on, &lang.word(Word::CiteAnd), &lang.word(Word::CiteEtAl), &lang.word(Word::CiteNoDate))
            .unwrap_or_default();
        minijinja::context! {
            publisher => text(&e.publisher),
            editor => text(&e.editor),
            date => date.map(|d| lang.date(d)).unwrap_or_default(),
            year => date.map(|d| d.year.to_string()).unwrap_or_default(),
            report_number => e.report_number.clone(),
            isbn => e.isbn.clone(),
            issn => e.issn.clone(),
            licence => text(&e.licence),
            // Becomes a typst label: only a key that passed the key pattern.
            based_on => if crate::references::is_key(&e.based_on) && study.bibliography.is_some() { e.based_on.clone() } else { String::new() },
            relation => text(&e.relation),
            // For the PDF's description: the work this edition is based on, in words.
            based_on_text => based_on_text,
        }
    })
}

/// The study's title, authors, date and the like, in this language.
pub(super) fn meta(study: &Study, lang: &Lang) -> Value {
    let code = &lang.code;
    let text = |t: &Text| t.get(code).to_string();
    let date = crate::study::load::parse_partial_date(&study.meta.date).map(|d| lang.date(d)).unwrap_or_default();
    minijinja::context! {
        title => text(&study.meta.title),
        subtitle => text(&study.meta.subtitle),
        short_title => text(&study.meta.short_title),
        commissioner => text(&study.meta.commissioner),
        author => text(&study.meta.author),
        version => study.meta.version.clone(),
        date => date,
        keywords => study.meta.keywords.get(code).cloned().unwrap_or_default(),
        excerpt_notice => text(&study.meta.excerpt_notice),
    }
}

/// The sentence that describes the sample: interviews, participants, regions.
pub(super) fn sample_text(a: &Analysis, lang: &Lang) -> String {
    lang.say(
        Word::SampleText,
        &[
            ("interviews", lang.int(a.total.interviews)),
            ("participants", lang.int(a.total.participants)),
            ("regions", lang.int(a.count(Tally::Regions))),
            ("individual", lang.int(a.total.individual)),
            ("group", lang.int(a.total.group)),
        ],
    )
}

/// The recommendations, column by column as `step` prints them: each column's id, label
/// and items (text and, in the final report, the mark of the dialogue conference's
/// outcome), and the items the conference dropped from it.
pub(super) fn recommendations(study: &Study, lang: &Lang, step: crate::study::Step) -> Vec<Value> {
    let text = |t: &Text| t.get(&lang.code).to_string();
    let at = study.recommendations_at(step);
    let mark = |o: Option<crate::study::Outcome>| o.map(|o| lang.mark(o)).unwrap_or_default();
    study
        .rec_columns
        .iter()
        .map(|c| {
            let dropped: Vec<Value> = if step == crate::study::Step::Final {
                study
                    .recommendations
                    .iter()
                    .filter(|r| r.column == c.id)
                    .filter(|r| study.feedback_on(&r.id).is_some_and(|f| f.outcome == crate::study::Outcome::Dropped))
                    .map(|r| minijinja::context! { text => text(&r.text), mark => mark(Some(crate::study::Outcome::Dropped)) })
                    .collect()
            } else {
                Vec::new()
            };
            minijinja::context! {
                id => c.id.clone(),
                label => text(&c.label),
                items => at.iter().filter(|r| r.column == c.id).map(|r| minijinja::context! {
                    text => text(&r.text),
                    mark => mark(r.outcome),
                }).collect::<Vec<_>>(),
                dropped => dropped,
            }
        })
        .collect::<Vec<_>>()
}

/// The final report's chapter on the dialogue conference: whether the study records it,
/// the sentence on how it ran and what it did, the notes on the model comparison's traits
/// it changed or dropped, and the note under the recommendations.
pub(super) fn dialogue(study: &Study, lang: &Lang) -> Value {
    let Some(d) = &study.dialogue else {
        return minijinja::context! { recorded => false, text => lang.word(Word::DialogueMissing) };
    };
    let count = |o: crate::study::Outcome| lang.int(d.feedback.iter().filter(|f| f.outcome == o).count() as u64);
    let date = crate::study::load::parse_partial_date(&d.date).map(|x| lang.date(x)).unwrap_or_default();
    use crate::study::Outcome::*;
    let text = lang.say(
        Word::DialogueText,
        &[
            ("date", date),
            ("confirmed", count(Confirmed)),
            ("changed", count(Changed)),
            ("added", count(Added)),
            ("dropped", count(Dropped)),
            ("marks", lang.and_list(&[Changed, Added, Dropped].map(|o| lang.mark(o)))),
        ],
    );
    let trait_notes: Vec<Value> = study
        .traits
        .iter()
        .filter_map(|t| {
            let f = study.feedback_on(&t.id).filter(|f| f.outcome != Confirmed)?;
            Some(minijinja::context! { label => t.label.get(&lang.code).to_string(), note => conference_note(f, lang) })
        })
        .collect();
    let marked = study.recommendations_at(crate::study::Step::Final).iter().any(|r| r.outcome.is_some())
        || study.recommendations.iter().any(|r| study.feedback_on(&r.id).is_some_and(|f| f.outcome == Dropped));
    minijinja::context! {
        recorded => true,
        text => text,
        trait_notes => trait_notes,
        rec_note => if marked {
            let mark = |o: crate::study::Outcome| lang.mark(o);
            lang.say(Word::DialogueRecNote, &[("changed", mark(Changed)), ("added", mark(Added)), ("dropped", mark(Dropped))])
        } else {
            String::new()
        },
    }
}

/// What the conference did to a finding, in a sentence: the mark, the outcome, the new
/// wording or added text, and why.
pub(super) fn conference_note(f: &crate::study::Feedback, lang: &Lang) -> String {
    let code = &lang.code;
    // A confirmed finding has no note: the callers ask only about the others.
    let Some(note) = Word::conference_note(f.outcome) else {
        return String::new();
    };
    let mark = lang.mark(f.outcome);
    let sentence =
        lang.say(note, &[("text", f.text.get(code).to_string()), ("reason", f.reason.get(code).to_string())]);
    format!("{mark} {sentence}")
}
