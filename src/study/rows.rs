//! One row type per CSV table of the study, each tied to its [`Schema`]: a plain struct
//! whose texts are a [`Text`] (a map from language to text, one `<name>_<lang>` column
//! each). A row gives the value of each of its schema's columns by name ([`Record`]), and
//! [`write`] turns rows into the file: the schema's header and the fields in the schema's
//! order, quoted only where needed. The importer, `bsb new`, `bsb synth` and the tests'
//! study builder all write through it; the loader reads the same rows back
//! ([`FromRow`], in [`super::tables`]), so a column is named in [`super::schema`] alone.

use std::borrow::Cow;

use super::csvfile::Row;
use super::dialogue::Outcome;
use super::schema::{self, Column, Kind, Schema};
use super::{EventKind, Id, InterviewKind, Measure, PartialDate, Text};
use crate::problem::Problems;

/// The value of one column of a row, as [`write`] turns it into fields.
#[derive(Clone, Debug)]
pub enum Value<'a> {
    /// Not given: an optional column that no row gives is left out of the file, and is
    /// written empty in a row that does not give it.
    Absent,
    /// One field: an id, a list of ids joined by `;`, a number, a date, a plain word.
    Plain(Cow<'a, str>),
    /// One field per language of the study (`<name>_<lang>`); a language the text lacks is
    /// written empty.
    Text(&'a Text),
}

impl<'a> Value<'a> {
    /// A plain value that is borrowed.
    fn of(s: &'a str) -> Self {
        Value::Plain(Cow::Borrowed(s))
    }

    /// A list of ids, as written: joined by `;`.
    fn ids(ids: &[String]) -> Self {
        Value::Plain(Cow::Owned(ids.join(";")))
    }

    /// An optional plain value.
    fn opt(s: &'a Option<String>) -> Self {
        s.as_deref().map(Value::of).unwrap_or(Value::Absent)
    }

    /// An optional id.
    fn opt_id(s: &'a Option<Id>) -> Self {
        s.as_deref().map(Value::of).unwrap_or(Value::Absent)
    }

    /// An optional text: not given when it is empty in every language.
    fn opt_text(t: &'a Text) -> Self {
        if t.0.values().all(|v| v.is_empty()) {
            Value::Absent
        } else {
            Value::Text(t)
        }
    }

    /// A number, as Rust writes it (the shortest text that reads back to the same number).
    fn number(n: f64) -> Self {
        Value::Plain(Cow::Owned(n.to_string()))
    }
}

/// A row of one table of the study.
pub trait Record {
    /// The table's schema: its name, its columns and their order.
    const SCHEMA: Schema;

    /// The value of the column named `column` (a name of [`Self::SCHEMA`]'s columns,
    /// without the language suffix of a text).
    fn value(&self, column: &str) -> Value<'_>;
}

/// A row the loader reads from a record of its table, noting every problem with file,
/// line and field (a value that cannot be read is left empty).
pub(crate) trait FromRow: Record + Sized {
    /// The row of `record`.
    fn from_row(record: &Row, problems: &mut Problems) -> Self;
}

/// The columns `rows` are written with: every required column of `R`'s schema, and each
/// optional one some row gives, in the schema's order.
fn columns<R: Record>(rows: &[R]) -> Vec<&'static Column> {
    R::SCHEMA
        .columns
        .iter()
        .filter(|c| c.required || rows.iter().any(|r| !matches!(r.value(c.name), Value::Absent)))
        .collect()
}

/// The whole file of `rows` for a study in `langs`: the header row (see [`columns`]) and
/// one line per row, comma separated, LF line ends, quotes only where a field needs them,
/// as the loader reads it.
pub fn write<R: Record>(langs: &[String], rows: &[R]) -> Vec<u8> {
    let columns = columns(rows);
    let header = R::SCHEMA.header_of(langs, |c| columns.iter().any(|k| k.name == c.name));
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    // Writing into memory cannot fail, and every record has the header's length.
    let _ = w.write_record(&header);
    for row in rows {
        let mut fields: Vec<Cow<str>> = Vec::with_capacity(header.len());
        for c in &columns {
            match (c.kind, row.value(c.name)) {
                (Kind::Text, Value::Text(t)) => fields.extend(langs.iter().map(|l| Cow::Borrowed(t.get(l)))),
                (Kind::Text, _) => fields.extend(langs.iter().map(|_| Cow::Borrowed(""))),
                (_, Value::Plain(v)) => fields.push(v),
                (_, _) => fields.push(Cow::Borrowed("")),
            }
        }
        let _ = w.write_record(fields.iter().map(|f| f.as_bytes()));
    }
    w.into_inner().unwrap_or_default()
}

/// One interview of the register (`interviews.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct InterviewRow {
    /// Its id.
    pub id: String,
    /// The region of its unit.
    pub region: String,
    /// The unit where it took place.
    pub unit: String,
    /// One person or a group.
    pub kind: InterviewKind,
    /// How many people took part.
    pub participants: u32,
    /// When it was held, if given.
    pub date: Option<PartialDate>,
    /// The GUIDs of the sources it was imported from (`;`-separated), if imported.
    pub guid: Option<String>,
}

impl Record for InterviewRow {
    const SCHEMA: Schema = schema::INTERVIEWS;
    fn value(&self, column: &str) -> Value<'_> {
        match column {
            "id" => Value::of(&self.id),
            "region" => Value::of(&self.region),
            "unit" => Value::of(&self.unit),
            "kind" => Value::of(self.kind.as_str()),
            "participants" => Value::Plain(Cow::Owned(self.participants.to_string())),
            "date" => self.date.map(|d| Value::Plain(Cow::Owned(d.to_string()))).unwrap_or(Value::Absent),
            "guid" => Value::opt(&self.guid),
            _ => Value::Absent,
        }
    }
}

impl FromRow for InterviewRow {
    fn from_row(r: &Row, problems: &mut Problems) -> Self {
        let kind = match r.req("kind", problems).as_str() {
            "individual" | "" => InterviewKind::Individual,
            "group" => InterviewKind::Group,
            other => {
                problems.at(&r.pos, "kind", format!("expected `individual` or `group`, found `{other}`"));
                InterviewKind::Individual
            }
        };
        InterviewRow {
            id: r.id("id", problems),
            region: r.id("region", problems),
            unit: r.id("unit", problems),
            kind,
            participants: r.uint("participants", problems),
            date: super::tables::opt_date(r, problems),
            guid: r.opt("guid"),
        }
    }
}

/// A node of the codebook (`codebook.csv`): a theme (no parent) or a subtheme.
#[derive(Clone, Debug, PartialEq)]
pub struct CodeRow {
    /// Its id.
    pub id: String,
    /// The node above it; `None` for a theme.
    pub parent: Option<String>,
    /// The section of the report that discusses it; may be empty.
    pub section: String,
    /// Its label.
    pub label: Text,
    /// What it covers.
    pub description: Text,
    /// The GUID of the code it was imported from, if imported.
    pub guid: Option<String>,
    /// Its colour in the QDA tool (`#RRGGBB`, or empty), if imported with colours.
    pub color: Option<String>,
}

impl Record for CodeRow {
    const SCHEMA: Schema = schema::CODEBOOK;
    fn value(&self, column: &str) -> Value<'_> {
        match column {
            "id" => Value::of(&self.id),
            "parent" => Value::of(self.parent.as_deref().unwrap_or("")),
            "section" => Value::of(&self.section),
            "label" => Value::Text(&self.label),
            "description" => Value::Text(&self.description),
            "guid" => Value::opt(&self.guid),
            "color" => Value::opt(&self.color),
            _ => Value::Absent,
        }
    }
}

impl FromRow for CodeRow {
    fn from_row(r: &Row, problems: &mut Problems) -> Self {
        CodeRow {
            id: r.id("id", problems),
            parent: r.opt_id("parent", problems),
            section: r.opt("section").unwrap_or_default(),
            label: r.text("label", problems),
            description: r.text("description", problems),
            guid: r.opt("guid"),
            color: r.opt("color"),
        }
    }
}

/// One coded excerpt (`excerpts.csv` or `excerpts/*.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct ExcerptRow {
    /// Its id.
    pub id: String,
    /// The interview it comes from.
    pub interview: String,
    /// The participant's pseudonym.
    pub participant: String,
    /// The codebook nodes it is coded to.
    pub codes: Vec<String>,
    /// The text in each language.
    pub text: Text,
    /// The GUIDs of the selections it was imported from (`;`-separated), if imported.
    pub guid: Option<String>,
}

impl Record for ExcerptRow {
    const SCHEMA: Schema = schema::EXCERPTS;
    fn value(&self, column: &str) -> Value<'_> {
        match column {
            "id" => Value::of(&self.id),
            "interview" => Value::of(&self.interview),
            "participant" => Value::of(&self.participant),
            "codes" => Value::ids(&self.codes),
            "text" => Value::Text(&self.text),
            "guid" => Value::opt(&self.guid),
            _ => Value::Absent,
        }
    }
}

impl FromRow for ExcerptRow {
    fn from_row(r: &Row, problems: &mut Problems) -> Self {
        ExcerptRow {
            id: r.id("id", problems),
            interview: r.id("interview", problems),
            participant: r.id("participant", problems),
            codes: r.ids("codes", problems),
            text: r.text("text", problems),
            guid: r.opt("guid"),
        }
    }
}

/// A row of the model comparison (`traits.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct TraitRow {
    /// Its id.
    pub id: String,
    /// Its label.
    pub label: Text,
    /// The subthemes whose excerpts are its evidence.
    pub codes: Vec<String>,
}

impl Record for TraitRow {
    const SCHEMA: Schema = schema::TRAITS;
    fn value(&self, column: &str) -> Value<'_> {
        match column {
            "id" => Value::of(&self.id),
            "label" => Value::Text(&self.label),
            "codes" => Value::ids(&self.codes),
            _ => Value::Absent,
        }
    }
}

impl FromRow for TraitRow {
    fn from_row(r: &Row, problems: &mut Problems) -> Self {
        TraitRow { id: r.id("id", problems), label: r.text("label", problems), codes: r.ids("codes", problems) }
    }
}

/// A cell of the model comparison (`model-findings.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct ModelFindingRow {
    /// The trait (row).
    pub trait_id: String,
    /// The model (column).
    pub model: String,
    /// The finding in each language.
    pub finding: Text,
}

impl Record for ModelFindingRow {
    const SCHEMA: Schema = schema::MODEL_FINDINGS;
    fn value(&self, column: &str) -> Value<'_> {
        match column {
            "trait" => Value::of(&self.trait_id),
            "model" => Value::of(&self.model),
            "finding" => Value::Text(&self.finding),
            _ => Value::Absent,
        }
    }
}

impl FromRow for ModelFindingRow {
    fn from_row(r: &Row, problems: &mut Problems) -> Self {
        ModelFindingRow {
            trait_id: r.id("trait", problems),
            model: r.id("model", problems),
            finding: r.text("finding", problems),
        }
    }
}

/// A row of the comparison with the compilation (`factors.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct FactorRow {
    /// Its id.
    pub id: String,
    /// The factor compared.
    pub label: Text,
    /// What the compilation says about it.
    pub compilation: Text,
    /// Where in the compilation; may be empty.
    pub compilation_pages: String,
    /// What this study says about it.
    pub bsb: Text,
    /// Where in this study's report; may be empty.
    pub bsb_pages: String,
}

impl Record for FactorRow {
    const SCHEMA: Schema = schema::FACTORS;
    fn value(&self, column: &str) -> Value<'_> {
        match column {
            "id" => Value::of(&self.id),
            "label" => Value::Text(&self.label),
            "compilation" => Value::Text(&self.compilation),
            "compilation_pages" => Value::of(&self.compilation_pages),
            "bsb" => Value::Text(&self.bsb),
            "bsb_pages" => Value::of(&self.bsb_pages),
            _ => Value::Absent,
        }
    }
}

impl FromRow for FactorRow {
    fn from_row(r: &Row, problems: &mut Problems) -> Self {
        FactorRow {
            id: r.id("id", problems),
            label: r.text("label", problems),
            compilation: r.text("compilation", problems),
            compilation_pages: r.opt("compilation_pages").unwrap_or_default(),
            bsb: r.text("bsb", problems),
            bsb_pages: r.opt("bsb_pages").unwrap_or_default(),
        }
    }
}

/// A column of the recommendations table (`recommendation-columns.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct RecColumnRow {
    /// Its id.
    pub id: String,
    /// Its heading.
    pub label: Text,
}

impl Record for RecColumnRow {
    const SCHEMA: Schema = schema::RECOMMENDATION_COLUMNS;
    fn value(&self, column: &str) -> Value<'_> {
        match column {
            "id" => Value::of(&self.id),
            "label" => Value::Text(&self.label),
            _ => Value::Absent,
        }
    }
}

impl FromRow for RecColumnRow {
    fn from_row(r: &Row, problems: &mut Problems) -> Self {
        RecColumnRow { id: r.id("id", problems), label: r.text("label", problems) }
    }
}

/// One recommendation (`recommendations.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct RecommendationRow {
    /// Its id.
    pub id: String,
    /// The column it stands in.
    pub column: String,
    /// The recommendation in each language.
    pub text: Text,
    /// The themes, codes or traits it rests on.
    pub rests_on: Vec<String>,
}

impl Record for RecommendationRow {
    const SCHEMA: Schema = schema::RECOMMENDATIONS;
    fn value(&self, column: &str) -> Value<'_> {
        match column {
            "id" => Value::of(&self.id),
            "column" => Value::of(&self.column),
            "text" => Value::Text(&self.text),
            "rests_on" => Value::ids(&self.rests_on),
            _ => Value::Absent,
        }
    }
}

impl FromRow for RecommendationRow {
    fn from_row(r: &Row, problems: &mut Problems) -> Self {
        RecommendationRow {
            id: r.id("id", problems),
            column: r.id("column", problems),
            text: r.text("text", problems),
            rests_on: r.ids("rests_on", problems),
        }
    }
}

/// A choice the data had to make (`notes.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct NoteRow {
    /// Its id.
    pub id: String,
    /// What it is about.
    pub topic: String,
    /// The choice and why, in each language.
    pub text: Text,
}

impl Record for NoteRow {
    const SCHEMA: Schema = schema::NOTES;
    fn value(&self, column: &str) -> Value<'_> {
        match column {
            "id" => Value::of(&self.id),
            "topic" => Value::of(&self.topic),
            "text" => Value::Text(&self.text),
            _ => Value::Absent,
        }
    }
}

impl FromRow for NoteRow {
    fn from_row(r: &Row, problems: &mut Problems) -> Self {
        NoteRow { id: r.id("id", problems), topic: r.id("topic", problems), text: r.text("text", problems) }
    }
}

/// A dated event of the timeline (`context/timeline.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct EventRow {
    /// Its id.
    pub id: String,
    /// When it happened, as precisely as the source says.
    pub date: PartialDate,
    /// Policy or evaluation.
    pub kind: EventKind,
    /// What happened.
    pub label: Text,
    /// The bibliography key of the source.
    pub source: String,
    /// Where in the source, in each language; may be empty.
    pub reference: Text,
}

impl Record for EventRow {
    const SCHEMA: Schema = schema::TIMELINE;
    fn value(&self, column: &str) -> Value<'_> {
        match column {
            "id" => Value::of(&self.id),
            "date" => Value::Plain(Cow::Owned(self.date.to_string())),
            "kind" => Value::of(self.kind.as_str()),
            "label" => Value::Text(&self.label),
            "source" => Value::of(&self.source),
            "ref" => Value::opt_text(&self.reference),
            _ => Value::Absent,
        }
    }
}

impl FromRow for EventRow {
    fn from_row(r: &Row, problems: &mut Problems) -> Self {
        let raw_date = r.req("date", problems);
        let date = super::load::parse_partial_date(&raw_date).unwrap_or_else(|| {
            if !raw_date.is_empty() {
                problems.at(
                    &r.pos,
                    "date",
                    format!("expected a real date as YYYY, YYYY-MM or YYYY-MM-DD, found `{raw_date}`"),
                );
            }
            PartialDate { year: 0, month: None, day: None }
        });
        let kind = match r.req("kind", problems).as_str() {
            "evaluation" => EventKind::Evaluation,
            "policy" | "" => EventKind::Policy,
            other => {
                problems.at(&r.pos, "kind", format!("expected `policy` or `evaluation`, found `{other}`"));
                EventKind::Policy
            }
        };
        EventRow {
            id: r.id("id", problems),
            date,
            kind,
            label: r.text("label", problems),
            source: r.id("source", problems),
            reference: r.opt_text("ref"),
        }
    }
}

/// A number stated by a source (`context/facts/*.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct FactRow {
    /// Its id.
    pub id: String,
    /// The number.
    pub value: f64,
    /// What the number counts or measures.
    pub unit: Measure,
    /// The context table it is listed in, if any.
    pub table: Option<Id>,
    /// The date it is true of, if given.
    pub date: Option<PartialDate>,
    /// The bibliography key of the source.
    pub source: String,
    /// Where in the source, in each language; may be empty.
    pub reference: Text,
    /// What the number is.
    pub label: Text,
}

impl Record for FactRow {
    const SCHEMA: Schema = schema::FACTS;
    fn value(&self, column: &str) -> Value<'_> {
        match column {
            "id" => Value::of(&self.id),
            "value" => Value::number(self.value),
            "unit" => Value::of(self.unit.as_str()),
            "table" => Value::opt_id(&self.table),
            "date" => self.date.map(|d| Value::Plain(Cow::Owned(d.to_string()))).unwrap_or(Value::Absent),
            "source" => Value::of(&self.source),
            "ref" => Value::opt_text(&self.reference),
            "label" => Value::Text(&self.label),
            _ => Value::Absent,
        }
    }
}

impl FromRow for FactRow {
    fn from_row(r: &Row, problems: &mut Problems) -> Self {
        let date = super::tables::opt_date(r, problems);
        FactRow {
            id: r.id("id", problems),
            value: r.number("value", problems),
            unit: r.measure("unit", problems),
            table: r.opt_name("table", problems),
            date,
            source: r.id("source", problems),
            reference: r.opt_text("ref"),
            label: r.text("label", problems),
        }
    }
}

/// A breakdown of one whole into parts (`context/sets.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct SetRow {
    /// Its id.
    pub id: String,
    /// Percent or counts.
    pub unit: Measure,
    /// The fact its counts add up to, if any.
    pub total_fact: Option<String>,
    /// The figure it is drawn in, if any.
    pub figure: Option<Id>,
    /// The context table its parts are listed in, if any.
    pub table: Option<Id>,
    /// The bibliography key of the source.
    pub source: String,
    /// Where in the source, in each language; may be empty.
    pub reference: Text,
    /// Its title.
    pub title: Text,
}

impl Record for SetRow {
    const SCHEMA: Schema = schema::SETS;
    fn value(&self, column: &str) -> Value<'_> {
        match column {
            "id" => Value::of(&self.id),
            "unit" => Value::of(self.unit.as_str()),
            "total_fact" => Value::opt(&self.total_fact),
            "figure" => Value::opt_id(&self.figure),
            "table" => Value::opt_id(&self.table),
            "source" => Value::of(&self.source),
            "ref" => Value::opt_text(&self.reference),
            "title" => Value::Text(&self.title),
            _ => Value::Absent,
        }
    }
}

impl FromRow for SetRow {
    fn from_row(r: &Row, problems: &mut Problems) -> Self {
        let (id, unit, total_fact) =
            (r.id("id", problems), r.measure("unit", problems), r.opt_id("total_fact", problems));
        let (source, reference, title) = (r.id("source", problems), r.opt_text("ref"), r.text("title", problems));
        SetRow {
            id,
            unit,
            total_fact,
            source,
            reference,
            title,
            figure: r.opt_name("figure", problems),
            table: r.opt_name("table", problems),
        }
    }
}

/// One part of a breakdown (`context/shares.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct ShareRow {
    /// The breakdown it belongs to.
    pub set: String,
    /// Its id within the set.
    pub id: String,
    /// Its share or count.
    pub value: f64,
    /// What the part is.
    pub label: Text,
}

impl Record for ShareRow {
    const SCHEMA: Schema = schema::SHARES;
    fn value(&self, column: &str) -> Value<'_> {
        match column {
            "set" => Value::of(&self.set),
            "id" => Value::of(&self.id),
            "value" => Value::number(self.value),
            "label" => Value::Text(&self.label),
            _ => Value::Absent,
        }
    }
}

impl FromRow for ShareRow {
    fn from_row(r: &Row, problems: &mut Problems) -> Self {
        ShareRow {
            set: r.id("set", problems),
            id: r.id("id", problems),
            value: r.number("value", problems),
            label: r.text("label", problems),
        }
    }
}

/// A figure as the published report printed it (`published.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct PublishedRow {
    /// Its id.
    pub id: String,
    /// Where the report prints it, in each language.
    pub location: Text,
    /// Where it is stated (`table` or `prose`).
    pub statement: String,
    /// The computed metric it is compared with.
    pub metric: String,
    /// The value the report gives.
    pub value: f64,
    /// Why a difference is expected, in each language.
    pub note: Text,
}

impl Record for PublishedRow {
    const SCHEMA: Schema = schema::PUBLISHED;
    fn value(&self, column: &str) -> Value<'_> {
        match column {
            "id" => Value::of(&self.id),
            "where" => Value::Text(&self.location),
            "statement" => Value::of(&self.statement),
            "metric" => Value::of(&self.metric),
            "value" => Value::number(self.value),
            "note" => Value::Text(&self.note),
            _ => Value::Absent,
        }
    }
}

impl FromRow for PublishedRow {
    fn from_row(r: &Row, problems: &mut Problems) -> Self {
        PublishedRow {
            id: r.id("id", problems),
            location: r.text("where", problems),
            statement: r.req("statement", problems),
            metric: r.id("metric", problems),
            value: r.number("value", problems),
            note: r.text("note", problems),
        }
    }
}

/// A question for the dialogue conference (`discussion.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct QuestionRow {
    /// Its id.
    pub id: String,
    /// The theme or recommendation column it is asked under.
    pub about: String,
    /// The question, in each language.
    pub question: Text,
}

impl Record for QuestionRow {
    const SCHEMA: Schema = schema::DISCUSSION;
    fn value(&self, column: &str) -> Value<'_> {
        match column {
            "id" => Value::of(&self.id),
            "about" => Value::of(&self.about),
            "question" => Value::Text(&self.question),
            _ => Value::Absent,
        }
    }
}

impl FromRow for QuestionRow {
    fn from_row(r: &Row, problems: &mut Problems) -> Self {
        QuestionRow { id: r.id("id", problems), about: r.id("about", problems), question: r.text("question", problems) }
    }
}

/// The conference's feedback on one finding or recommendation (`dialogue.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct FeedbackRow {
    /// Its id.
    pub id: String,
    /// What it is about.
    pub about: String,
    /// What the conference made of it.
    pub outcome: Outcome,
    /// What was said, in each language.
    pub feedback: Text,
    /// The new wording or the added text; may be empty.
    pub text: Text,
    /// Why; may be empty.
    pub reason: Text,
}

impl Record for FeedbackRow {
    const SCHEMA: Schema = schema::DIALOGUE;
    fn value(&self, column: &str) -> Value<'_> {
        match column {
            "id" => Value::of(&self.id),
            "about" => Value::of(&self.about),
            "outcome" => Value::of(self.outcome.as_str()),
            "feedback" => Value::Text(&self.feedback),
            "text" => Value::opt_text(&self.text),
            "reason" => Value::opt_text(&self.reason),
            _ => Value::Absent,
        }
    }
}

impl FromRow for FeedbackRow {
    fn from_row(r: &Row, problems: &mut Problems) -> Self {
        let word = r.req("outcome", problems);
        let outcome = Outcome::parse(&word).unwrap_or_else(|| {
            if !word.is_empty() {
                problems.at(
                    &r.pos,
                    "outcome",
                    format!("expected `confirmed`, `changed`, `added` or `dropped`, found `{word}`"),
                );
            }
            Outcome::Confirmed
        });
        FeedbackRow {
            id: r.id("id", problems),
            about: r.id("about", problems),
            outcome,
            feedback: r.text("feedback", problems),
            text: r.opt_text("text"),
            reason: r.opt_text("reason"),
        }
    }
}

/// Every record of one file of `R`'s table (`bytes`, named `file` in messages) for a study
/// in `langs`, with its line; `Err` with every problem when any record cannot be read.
pub(crate) fn read<R: FromRow>(file: &str, bytes: &[u8], langs: &[String]) -> Result<Vec<R>, Problems> {
    let mut problems = Problems::default();
    let parsed = super::csvfile::parse_table(file, bytes, langs, &R::SCHEMA, &mut problems);
    let rows: Vec<R> = parsed.rows.iter().map(|r| R::from_row(r, &mut problems)).collect();
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_of_a_schema_is_given_by_its_row() {
        let t = Text(std::iter::once(("en".to_string(), "x".to_string())).collect());
        let code = CodeRow {
            id: "A".into(),
            parent: None,
            section: String::new(),
            label: t.clone(),
            description: t.clone(),
            guid: Some("g".into()),
            color: Some(String::new()),
        };
        for c in CodeRow::SCHEMA.columns {
            assert!(!matches!(code.value(c.name), Value::Absent), "{}", c.name);
        }
        let langs = vec!["en".to_string()];
        let text = String::from_utf8(write(&langs, &[code])).unwrap();
        assert_eq!(text, "id,parent,section,label_en,description_en,guid,color\nA,,,x,x,g,\n");
    }
}
