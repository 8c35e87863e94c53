//! The questionnaire in the report: the appendix that prints the instrument from
//! `data/survey/items.csv`, and, where the study has answers, a results section with a
//! diverging bar chart and a table per counted item. Both are typst sources rendered
//! from `report/templates/survey.typ.j2` with the same formatter as the rest of the
//! report (data only ever as string literals) and included by the main template.

use std::collections::BTreeMap;

use serde::Serialize;

use super::tables::TableView;
use super::{figure_size, first_sentence, typst_environment};
use crate::analysis::survey::{Group, ItemResult};
use crate::analysis::Analysis;
use crate::figures::Figure;
use crate::lang::{Lang, Word};
use crate::problem::{build_err, Result};
use crate::study::survey::{Item, ItemKind};
use crate::study::Study;

/// The template of both parts.
pub(crate) const SURVEY_TEMPLATE: &str = include_str!("../../report/templates/survey.typ.j2");

/// An item as the appendix prints it: the question and what kind of answer it takes.
#[derive(Serialize)]
struct Question {
    question: String,
    note: String,
    follow: Vec<Question>,
}

/// A part of the questionnaire: its heading (none before the first part) and its items.
#[derive(Serialize, Default)]
struct PartView {
    heading: String,
    items: Vec<Question>,
}

/// How an item's answer is described beside it: its options, "yes or no", "open answer".
fn note(item: &Item, lang: &Lang) -> String {
    match item.kind {
        ItemKind::Scale => item.options.iter().map(|o| o.get(&lang.code).to_string()).collect::<Vec<_>>().join(", "),
        ItemKind::Yesno => lang.word(Word::SurveyYesno),
        ItemKind::Open => lang.word(Word::SurveyOpen),
        ItemKind::Part => String::new(),
    }
}

/// The questionnaire in parts; a follow-up question goes under the question it follows
/// (under the first question of its chain, so the list is two levels deep at most).
fn parts(study: &Study, lang: &Lang) -> Vec<PartView> {
    let mut parts = vec![PartView::default()];
    let mut top: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for item in &study.survey.items {
        let question = Question {
            question: item.question.get(&lang.code).to_string(),
            note: note(item, lang),
            follow: Vec::new(),
        };
        if item.kind == ItemKind::Part {
            parts.push(PartView { heading: question.question, items: Vec::new() });
            continue;
        }
        match item.parent.as_deref().and_then(|p| top.get(p).copied()) {
            Some((pi, qi)) => {
                parts[pi].items[qi].follow.push(question);
                top.insert(&item.id, (pi, qi));
            }
            None => {
                let pi = parts.len() - 1;
                parts[pi].items.push(question);
                top.insert(&item.id, (pi, parts[pi].items.len() - 1));
            }
        }
    }
    parts.retain(|p| !p.heading.is_empty() || !p.items.is_empty());
    parts
}

/// A counted item's chart and table as the results section prints them (the table as
/// every other table of the skeleton).
#[derive(Serialize)]
struct ResultView {
    id: String,
    figure: Option<BTreeMap<&'static str, String>>,
    table: TableView,
}

/// One group's row of the printed table: name, answered, "count (share)" per option, blanks.
fn row(study: &Study, g: &Group, width: usize, k: u32, lang: &Lang) -> Vec<String> {
    let name = match &g.model {
        None => lang.word(Word::SurveyAll),
        Some(id) => {
            study.models.iter().find(|m| &m.id == id).map(|m| m.short.get(&lang.code).to_string()).unwrap_or_default()
        }
    };
    let mut cells = vec![name, lang.shown(g.n, k)];
    match (&g.counts, &g.shares) {
        (Some(c), Some(s)) => {
            cells.extend(c.iter().zip(s).map(|(c, s)| format!("{} ({})", lang.int(*c), lang.percent(s.round()))));
            cells.push(lang.int(g.blank.unwrap_or(0)));
        }
        _ => cells.extend(std::iter::repeat_n("–".to_string(), width + 1)),
    }
    cells
}

/// The view of one counted item.
fn result_view(study: &Study, r: &ItemResult, k: u32, figures: &[Figure], lang: &Lang) -> Option<ResultView> {
    let item = study.survey.item(&r.item)?;
    let label = item.question.get(&lang.code).to_string();
    let figure =
        figures.iter().find(|f| f.lang == lang.code && f.name.as_str() == format!("survey-{}", item.id)).map(|f| {
            let caption = lang.say(Word::SurveyFigcap, &[("label", label.clone())]);
            BTreeMap::from([
                ("path", format!("/figures/{}.svg", f.name)),
                ("alt", f.alt.clone()),
                ("short_caption", first_sentence(&caption)),
                ("caption", caption),
                ("size", figure_size(&f.svg)),
            ])
        });
    let mut header = vec![lang.word(Word::SurveyGroup), lang.word(Word::SurveyAnswered)];
    header.extend(item.options.iter().map(|o| o.get(&lang.code).to_string()));
    header.push(lang.word(Word::SurveyBlank));
    let table = TableView::plain(
        format!("survey-{}", item.id),
        lang.say(Word::SurveyTabcap, &[("label", label)]),
        header.clone(),
        (0..header.len()).map(|i| i > 0).collect(),
        r.groups.iter().map(|g| row(study, g, item.options.len(), k, lang)).collect(),
        r.groups.iter().map(|g| g.model.is_none()).collect(),
        if r.split { String::new() } else { lang.say(Word::SurveyUnsplit, &[("k", k.to_string())]) },
    );
    Some(ResultView { id: item.id.clone(), figure, table })
}

/// Render the survey's parts into `files`; returns where each went, for the main
/// template (`appendix-questionnaire`, `results`), empty when the study has no survey.
pub(crate) fn render(
    study: &Study,
    a: &Analysis,
    figures: &[Figure],
    lang: &Lang,
    files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<BTreeMap<&'static str, String>> {
    let mut out = BTreeMap::new();
    if study.survey.items.is_empty() {
        return Ok(out);
    }
    let env = typst_environment(false, Some(lang));
    let render = |ctx: minijinja::Value| {
        env.render_str(SURVEY_TEMPLATE, ctx)
            .map_err(|e| build_err(format!("report/templates/survey.typ.j2:{}: {e}", e.line().unwrap_or(0))))
    };
    let appendix = render(minijinja::context! {
        part => "appendix",
        unpublished => if study.survey.has_answers { String::new() } else { lang.word(Word::SurveyUnpublished) },
        parts => minijinja::Value::from(minijinja::value::Serde(parts(study, lang))),
    })?;
    files.insert("survey/appendix.typ".into(), appendix.into_bytes());
    out.insert("appendix-questionnaire", "survey/appendix.typ".to_string());
    let Some(results) = &a.survey else { return Ok(out) };
    let k = results.k;
    let views: Vec<ResultView> = results.items.iter().filter_map(|r| result_view(study, r, k, figures, lang)).collect();
    let section = render(minijinja::context! {
        part => "results",
        heading => lang.word(Word::SurveyResults),
        intro => lang.say(Word::SurveyIntro, &[("n", lang.shown_in_text(results.respondents, k)), ("k", k.to_string())]),
        items => minijinja::Value::from(minijinja::value::Serde(&views)),
    })?;
    files.insert("survey/results.typ".into(), section.into_bytes());
    out.insert("results", "survey/results.typ".to_string());
    Ok(out)
}
