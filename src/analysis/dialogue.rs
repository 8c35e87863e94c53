//! The tables of the method's steps: the recommendations as the process report and the
//! final report print them, and the final report's record of the dialogue conference
//! (who took part, under the small-cell rule, and the outcome for each item).

use super::table::{Cell, Column, Table};
use crate::privacy::Cleared;
use crate::study::{Outcome, Step, Study, Text};

/// Table 4 as `step` prints it (see [`Study::recommendations_at`]).
pub(super) fn recommendations_table(study: &Study, step: Step) -> Table {
    let mut t = Table::new(
        "recommendations",
        vec![
            Column::key("column", "rec_column", false),
            Column::key("recommendation", "recommendation", false),
            Column::key("rests_on", "rests_on", false),
        ],
    );
    // Read by column: every recommendation of the first column, then the second, …
    for r in study.recommendations_at(step) {
        let label = study.rec_columns.iter().find(|c| c.id == r.column).map(|c| c.label.clone()).unwrap_or_default();
        t.push(&r.id, false, vec![Cell::Text(label), Cell::Text(r.text), Cell::Plain(r.rests_on.join("; "))]);
    }
    t
}

/// The conference's head count per role: a count from 1 to k − 1 prints as `<k`; the
/// total row only when no role's count is hidden, so no hidden count can be worked back
/// from it.
pub(super) fn participants_table(study: &Study, k: u32) -> Option<Table> {
    let d = study.dialogue.as_ref()?;
    let mut t = Table::new(
        "dialogue-participants",
        vec![Column::key("role", "dialogue_role", false), Column::key("count", "dialogue_count", true)],
    );
    let mut any_small = false;
    for (i, p) in d.participants.iter().enumerate() {
        let cleared = Cleared::head_count(u64::from(p.count), k);
        any_small |= cleared.value().is_none();
        t.push(format!("role{}", i + 1), false, vec![Cell::Text(p.role.clone()), Cell::Protected(cleared)]);
    }
    if !any_small && d.participants.len() > 1 {
        let total: u64 = d.participants.iter().map(|p| u64::from(p.count)).sum();
        t.push("total", true, vec![Cell::Key("total".into()), Cell::Protected(Cleared::head_count(total, k))]);
    }
    Some(t)
}

/// What the conference made of each item, in the order of `dialogue.csv`: the item as
/// the process report had it (or, for an addition, the new text), the outcome, what was
/// said and why.
pub(super) fn outcomes_table(study: &Study) -> Option<Table> {
    let d = study.dialogue.as_ref()?;
    let mut t = Table::new(
        "dialogue-outcomes",
        vec![
            Column::key("about", "dialogue_about", false),
            Column::key("item", "dialogue_item", false),
            Column::key("outcome", "dialogue_outcome", false),
            Column::key("feedback", "dialogue_feedback", false),
            Column::key("reason", "dialogue_reason", false),
        ],
    );
    for f in &d.feedback {
        let item = if f.outcome == Outcome::Added { f.text.clone() } else { item_text(study, &f.about) };
        t.push(
            &f.id,
            false,
            vec![
                // An addition is named by its own id, as the recommendations table names it.
                Cell::Plain(if f.outcome == Outcome::Added { f.id.clone() } else { f.about.clone() }),
                Cell::Text(item),
                Cell::Key(f.outcome.as_str().into()),
                Cell::Text(f.feedback.clone()),
                Cell::Text(f.reason.clone()),
            ],
        );
    }
    Some(t)
}

/// A finding or recommendation in words: a theme's or a trait's label, a
/// recommendation's text as the process report put it.
fn item_text(study: &Study, id: &str) -> Text {
    if let Some(c) = study.codes.iter().find(|c| c.id == id) {
        return c.label.clone();
    }
    if let Some(t) = study.traits.iter().find(|t| t.id == id) {
        return t.label.clone();
    }
    study.recommendations.iter().find(|r| r.id == id).map(|r| r.text.clone()).unwrap_or_default()
}
