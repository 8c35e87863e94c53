//! Counting the answers: per counted item (scale and yes/no) the distribution of answers
//! for all respondents and, where the small-cell rule allows, for each model.
//!
//! The rule, for every bar and cell: a group is the respondents who answered the item
//! (blank cells aside). An item is split by model only when every model with answers,
//! and the respondents without a model, number zero or at least k; otherwise it is shown
//! for all respondents only, because a small group's answers (or the total minus the
//! groups shown) would tell a reader what a few people answered. A group under k shows
//! no counts and no shares, only that it is small.

use serde::Serialize;

use super::{Cell, Column, Table};
use crate::privacy::Cleared;
use crate::shown::Shown;
use crate::study::survey::{Answer, Item, Survey};
use crate::study::{Measure, Model};

/// The answers of one group to one item, as they may be printed.
#[derive(Clone, Debug, Serialize)]
pub struct Group {
    /// The model's id; `None` for all respondents.
    pub model: Option<String>,
    /// How many answered (`Small` under k).
    pub n: Shown,
    /// Answers per option in the item's order; `None` for a group under k.
    pub counts: Option<Vec<u64>>,
    /// Each count as a percentage of `n`; `None` for a group under k.
    pub shares: Option<Vec<f64>>,
    /// How many of the group left the item blank; `None` for a group under k.
    pub blank: Option<u64>,
}

/// The results of one counted item.
#[derive(Clone, Debug, Serialize)]
pub struct ItemResult {
    /// The item's id.
    pub item: String,
    /// All respondents first, then each model (only when split).
    pub groups: Vec<Group>,
    /// Whether the item is shown by model.
    pub split: bool,
}

/// Everything the report shows of the answers.
#[derive(Clone, Debug, Serialize)]
pub struct SurveyResults {
    /// The small-cell threshold the groups were held to.
    pub k: u32,
    /// How many answered the questionnaire (`Small` under k).
    pub respondents: Shown,
    /// One entry per counted item, in the form's order.
    pub items: Vec<ItemResult>,
}

/// A count under the rule: `Small` from 1 to k−1.
fn protect(v: u64, k: u32) -> Shown {
    if v >= 1 && v < k as u64 {
        Shown::Small
    } else {
        Shown::Value(v)
    }
}

/// One group's row: the option counts of `answers` (the group's answers to `item`).
fn group(item: &Item, model: Option<&str>, answers: &[Option<usize>], k: u32) -> Group {
    let n = answers.iter().flatten().count() as u64;
    let blank = answers.len() as u64 - n;
    if n < k as u64 {
        return Group { model: model.map(str::to_string), n: protect(n, k), counts: None, shares: None, blank: None };
    }
    let counts: Vec<u64> =
        (0..item.options.len()).map(|i| answers.iter().filter(|a| **a == Some(i)).count() as u64).collect();
    let shares = counts.iter().map(|&c| c as f64 * 100.0 / n as f64).collect();
    Group {
        model: model.map(str::to_string),
        n: Shown::Value(n),
        counts: Some(counts),
        shares: Some(shares),
        blank: Some(blank),
    }
}

/// The results of the survey; `None` when the study gave no answers.
pub fn results(survey: &Survey, models: &[Model], k: u32) -> Option<SurveyResults> {
    if !survey.has_answers {
        return None;
    }
    let chosen = |item: &Item, r: &crate::study::survey::Respondent| match r.answers.get(&item.id) {
        Some(Answer::Option(i)) => Some(*i),
        _ => None,
    };
    let items = survey
        .items
        .iter()
        .filter(|i| i.counted())
        .map(|item| {
            let all: Vec<Option<usize>> = survey.respondents.iter().map(|r| chosen(item, r)).collect();
            let of = |model: Option<&str>| -> Vec<Option<usize>> {
                survey.respondents.iter().filter(|r| r.model.as_deref() == model).map(|r| chosen(item, r)).collect()
            };
            let answered = |a: &[Option<usize>]| a.iter().flatten().count() as u64;
            let safe = |a: &[Option<usize>]| {
                let n = answered(a);
                n == 0 || n >= k as u64
            };
            let split = models.len() > 1
                && answered(&all) >= k as u64
                && models.iter().all(|m| safe(&of(Some(m.id.as_str()))))
                && safe(&of(None));
            let mut groups = vec![group(item, None, &all, k)];
            if split {
                groups.extend(models.iter().map(|m| group(item, Some(m.id.as_str()), &of(Some(m.id.as_str())), k)));
            }
            ItemResult { item: item.id.clone(), groups, split }
        })
        .collect();
    Some(SurveyResults { k, respondents: protect(survey.respondents.len() as u64, k), items })
}

/// One committed table per counted item (`survey-<item>`): a row per group shown, with
/// how many answered, the count and share of each option, and the blanks.
pub fn tables(survey: &Survey, results: &SurveyResults) -> Vec<Table> {
    let mut out = Vec::new();
    for r in &results.items {
        let Some(item) = survey.item(&r.item) else { continue };
        let Ok(name) = crate::study::Id::parse(&format!("survey-{}", item.id)) else { continue };
        // The row id names the group (`all` or a model id).
        let mut columns = vec![Column::key("n", "survey_answered", true)];
        for (i, o) in item.options.iter().enumerate() {
            columns.push(Column::data(&format!("option{}", i + 1), o, Some("survey_count"), true));
        }
        for (i, o) in item.options.iter().enumerate() {
            columns.push(Column::data(&format!("option{}_share", i + 1), o, Some("survey_share"), true));
        }
        columns.push(Column::key("blank", "survey_blank", true));
        let mut table = Table::new("survey", columns);
        table.name = name;
        table.k = results.k;
        for g in &r.groups {
            let id = g.model.clone().unwrap_or_else(|| "all".into());
            let mut cells = vec![Cell::Protected(Cleared::survey(g.n))];
            let width = item.options.len();
            match (&g.counts, &g.shares) {
                (Some(c), Some(s)) => {
                    cells.extend(c.iter().map(|v| Cell::Protected(Cleared::survey(Shown::Value(*v)))));
                    cells.extend(s.iter().map(|v| Cell::Number((v * 10.0).round() / 10.0, Measure::Percent)));
                    cells.push(Cell::Protected(Cleared::survey(Shown::Value(g.blank.unwrap_or(0)))));
                }
                _ => cells.extend(std::iter::repeat_n(Cell::Empty, 2 * width + 1)),
            }
            table.push(id, g.model.is_none(), cells);
        }
        out.push(table);
    }
    out
}

/// Count the study's answers into the analysis: the results later stages print and one
/// committed table per counted item.
pub fn attach(study: &crate::study::Study, a: &mut crate::analysis::Analysis) {
    a.survey = results(&study.survey, &study.models, a.k);
    if let Some(r) = &a.survey {
        a.tables.extend(tables(&study.survey, r));
    }
}
