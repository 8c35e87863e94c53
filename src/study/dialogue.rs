//! The dialogue conference, the method's third step: the process report puts the
//! preliminary findings and recommendations to everyone involved, and what the
//! conference says is carried into the final report. Here: its record (`[dialogue]` in
//! `study.toml` for the date and who took part, `dialogue.csv` for the feedback on each
//! finding or recommendation), the questions the process report puts to it
//! (`discussion.csv`), the checks of both, and the recommendations as each step has them.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Date, PartialDate, Study, Text};
use crate::problem::{Pos, Problems};

/// Which report of the method an edition is: the process report for the conference, or
/// the final report that carries the conference's feedback.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    /// The final report (what `bsb build` makes by default).
    #[default]
    Final,
    /// The preliminary process report for the dialogue conference.
    Process,
}

/// The conference as `study.toml`'s `[dialogue]` table and `dialogue.csv` record it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Dialogue {
    /// Where the `[dialogue]` table is.
    pub pos: Pos,
    /// The day it was held (`YYYY-MM-DD` in the file).
    pub date: Date,
    /// Who took part, as roles and head counts (never names).
    pub participants: Vec<Participant>,
    /// What it said about each finding or recommendation (`dialogue.csv`).
    pub feedback: Vec<Feedback>,
}

/// One role at the conference and how many came in it (`[[dialogue.participants]]`).
#[derive(Clone, Debug, Serialize)]
pub struct Participant {
    /// Where it is defined.
    pub pos: Pos,
    /// The role ("users", "staff", "managers").
    pub role: Text,
    /// How many people took part in that role.
    pub count: u32,
}

/// What the conference made of a finding or recommendation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// It stands as the process report put it.
    Confirmed,
    /// It stands with a new wording.
    Changed,
    /// The conference added it.
    Added,
    /// The conference dropped it.
    Dropped,
}

impl Outcome {
    /// Every outcome, in the order tables list them.
    pub const ALL: [Outcome; 4] = [Outcome::Confirmed, Outcome::Changed, Outcome::Added, Outcome::Dropped];

    /// The word `dialogue.csv` writes, also the key of its name in the language files
    /// (`outcome_<word>`, `mark_<word>`).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Confirmed => "confirmed",
            Outcome::Changed => "changed",
            Outcome::Added => "added",
            Outcome::Dropped => "dropped",
        }
    }

    /// The outcome a word names.
    pub(crate) fn parse(word: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == word)
    }
}

/// One row of `dialogue.csv`: the conference's feedback on one finding or recommendation.
#[derive(Clone, Debug, Serialize)]
pub struct Feedback {
    /// Where it is read from.
    pub pos: Pos,
    /// The row's id; for an added item, the new item's id.
    pub id: String,
    /// What it is about: a theme, a trait or a recommendation; for `added`, the theme or
    /// the recommendation column the new item goes under.
    pub about: String,
    /// What the conference made of it.
    pub outcome: Outcome,
    /// What was said, in each language.
    pub feedback: Text,
    /// The new wording (`changed`) or the added text (`added`); empty otherwise.
    pub text: Text,
    /// Why, in a short sentence (may be empty for `confirmed`).
    pub reason: Text,
}

/// A question for discussion the process report puts to the conference (`discussion.csv`).
#[derive(Clone, Debug, Serialize)]
pub struct Question {
    /// Where it is read from.
    pub pos: Pos,
    /// Its id.
    pub id: String,
    /// The theme it is asked under, or the recommendation column.
    pub about: String,
    /// The question, in each language.
    pub question: Text,
}

/// A recommendation as one step of the method prints it.
#[derive(Clone, Debug, Serialize)]
pub struct StepRecommendation {
    /// Its id (for an added one, the feedback row's).
    pub id: String,
    /// Its column.
    pub column: String,
    /// Its wording at this step.
    pub text: Text,
    /// The themes, codes or traits it rests on (none for an added one).
    pub rests_on: Vec<String>,
    /// What the conference did to it, when the final report marks it.
    pub outcome: Option<Outcome>,
}

impl Study {
    /// The conference's feedback on an existing finding or recommendation (not an addition).
    pub fn feedback_on(&self, id: &str) -> Option<&Feedback> {
        self.dialogue.as_ref()?.feedback.iter().find(|f| f.outcome != Outcome::Added && f.about == id)
    }

    /// What the conference added under a theme or a recommendation column.
    pub fn added_under<'a>(&'a self, about: &'a str) -> impl Iterator<Item = &'a Feedback> + 'a {
        self.dialogue.iter().flat_map(|d| &d.feedback).filter(move |f| f.outcome == Outcome::Added && f.about == about)
    }

    /// The recommendations column by column as `step` prints them: the process report the
    /// data's; the final report without those the conference dropped, with its new
    /// wordings, and with what it added at the end of each column, each marked.
    pub fn recommendations_at(&self, step: Step) -> Vec<StepRecommendation> {
        let mut out = Vec::new();
        for col in &self.rec_columns {
            for r in self.recommendations.iter().filter(|r| r.column == col.id) {
                let feedback = if step == Step::Final { self.feedback_on(&r.id) } else { None };
                let outcome = feedback.map(|f| f.outcome);
                if outcome == Some(Outcome::Dropped) {
                    continue;
                }
                let text = match feedback {
                    Some(f) if f.outcome == Outcome::Changed => f.text.clone(),
                    _ => r.text.clone(),
                };
                out.push(StepRecommendation {
                    id: r.id.clone(),
                    column: r.column.clone(),
                    text,
                    rests_on: r.rests_on.clone(),
                    outcome: outcome.filter(|o| *o != Outcome::Confirmed),
                });
            }
            if step == Step::Final {
                out.extend(self.added_under(&col.id).map(|f| StepRecommendation {
                    id: f.id.clone(),
                    column: col.id.clone(),
                    text: f.text.clone(),
                    rests_on: Vec::new(),
                    outcome: Some(Outcome::Added),
                }));
            }
        }
        out
    }
}

/// The rules of the conference's record and the discussion questions, every problem at
/// once: each row points at something that exists, a `changed` row has the new wording
/// and an `added` one its text in every language, a reason is given where something
/// changed, one row per finding or recommendation, and the conference came after the
/// last interview.
pub(crate) fn check(s: &Study, errors: &mut Problems, warnings: &mut Problems) {
    for q in &s.discussion {
        if !q.about.is_empty() && !is_theme(s, &q.about) && !s.rec_columns.iter().any(|c| c.id == q.about) {
            errors.at(
                &q.pos,
                "about",
                format!("expected the id of a theme or of a recommendation column, found `{}`", q.about),
            );
        }
    }
    let Some(d) = &s.dialogue else {
        return;
    };
    conference_date(s, d, errors, warnings);
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut ids: BTreeSet<&str> = BTreeSet::new();
    for f in &d.feedback {
        if !f.id.is_empty() && !ids.insert(&f.id) {
            errors.at(&f.pos, "id", format!("expected a unique feedback id, found `{}` again", f.id));
        }
        if f.outcome == Outcome::Added {
            added_row(s, f, errors);
        } else {
            existing_row(s, f, errors);
            if !f.about.is_empty() && !seen.insert(&f.about) {
                errors.at(
                    &f.pos,
                    "about",
                    format!("expected one outcome per finding or recommendation, found `{}` again", f.about),
                );
            }
        }
        texts(s, f, errors);
    }
}

/// The conference came after the last interview that gives its date.
fn conference_date(s: &Study, d: &Dialogue, errors: &mut Problems, warnings: &mut Problems) {
    // A date that could not be read is reported already, and left the default.
    if d.date == Date::default() {
        return;
    }
    let day = d.date.partial();
    let last = s.interviews.iter().filter_map(|i| Some((i.date?, i))).max_by_key(|(date, _)| *date);
    match last {
        Some((date, i)) if !after(day, date) => errors.at(
            &d.pos,
            "dialogue.date",
            format!(
                "expected the conference after the last interview, found {} while interview `{}` ({}:{}) is dated {}",
                d.date,
                i.id,
                i.pos.file,
                i.pos.line.unwrap_or(0),
                date
            ),
        ),
        Some(_) => {}
        None => warnings.at(
            &d.pos,
            "dialogue.date",
            "cannot check that the conference came after the interviews: no interview in interviews.csv gives its `date`",
        ),
    }
}

/// A full date strictly after a date given to the year, month or day.
fn after(day: PartialDate, than: PartialDate) -> bool {
    (day.year, day.month.unwrap_or(1), day.day.unwrap_or(1))
        > (than.year, than.month.unwrap_or(12), than.day.unwrap_or(31))
}

/// A codebook node without a parent.
fn is_theme(s: &Study, id: &str) -> bool {
    s.codes.iter().any(|c| c.id == id && c.parent.is_none())
}

/// A row about something the process report holds: a theme, a trait or a recommendation.
fn existing_row(s: &Study, f: &Feedback, errors: &mut Problems) {
    if f.about.is_empty()
        || is_theme(s, &f.about)
        || s.traits.iter().any(|t| t.id == f.about)
        || s.recommendations.iter().any(|r| r.id == f.about)
    {
        return;
    }
    let known = s
        .themes()
        .map(|c| c.id.as_str())
        .chain(s.traits.iter().map(|t| t.id.as_str()))
        .chain(s.recommendations.iter().map(|r| r.id.as_str()));
    let hint = if s.codes.iter().any(|c| c.id == f.about) {
        format!("; `{}` is a subtheme, and the conference gives its feedback per theme", f.about)
    } else {
        crate::diagnostic::nearest(&f.about, known).map(|n| format!("; did you mean `{n}`?")).unwrap_or_default()
    };
    errors.at(
        &f.pos,
        "about",
        format!(
            "expected the id of a finding (a theme or a trait) or of a recommendation, found `{}`, which does not exist{hint}",
            f.about
        ),
    );
}

/// An added row goes under a theme or a recommendation column, with an id of its own.
fn added_row(s: &Study, f: &Feedback, errors: &mut Problems) {
    if !f.about.is_empty() && !is_theme(s, &f.about) && !s.rec_columns.iter().any(|c| c.id == f.about) {
        errors.at(
            &f.pos,
            "about",
            format!(
                "expected, for an `added` row, the theme or the recommendation column the new item goes under, found `{}`",
                f.about
            ),
        );
    }
    let taken = s.codes.iter().any(|c| c.id == f.id)
        || s.traits.iter().any(|t| t.id == f.id)
        || s.recommendations.iter().any(|r| r.id == f.id);
    if taken {
        errors.at(
            &f.pos,
            "id",
            format!("expected a new id for the added item, found `{}`, which the study already has", f.id),
        );
    }
}

/// The texts an outcome needs: the new wording for `changed`, the text for `added`,
/// none for the others; a reason where the conference changed something.
fn texts(s: &Study, f: &Feedback, errors: &mut Problems) {
    let needs_text = matches!(f.outcome, Outcome::Changed | Outcome::Added);
    for lang in &s.meta.languages {
        let text = f.text.get(lang);
        let column = format!("text_{lang}");
        if needs_text && text.is_empty() {
            let what = if f.outcome == Outcome::Changed { "the new wording" } else { "the added text" };
            errors.at(
                &f.pos,
                column,
                format!(
                    "expected {what} in language `{lang}` for a `{}` row, found an empty field",
                    f.outcome.as_str()
                ),
            );
        } else if !needs_text && !text.is_empty() {
            errors.at(
                &f.pos,
                column,
                format!(
                    "expected no text for a `{}` row (only `changed` and `added` rows carry one), found `{text}`",
                    f.outcome.as_str()
                ),
            );
        }
        if f.outcome != Outcome::Confirmed && f.reason.get(lang).is_empty() {
            errors.at(
                &f.pos,
                format!("reason_{lang}"),
                format!(
                    "expected a short reason in language `{lang}` for a `{}` row, found an empty field",
                    f.outcome.as_str()
                ),
            );
        }
    }
}
