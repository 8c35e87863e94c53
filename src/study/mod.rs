//! The typed model of a study, as loaded from `data/`: the study file, the sample
//! (models, regions, units, interviews), the codebook and its coded excerpts, the
//! comparison tables, the recommendations, context facts and the study's own prose.
//!
//! Every record keeps the position it was read from, so validation can name file and line.

mod csvfile;
pub mod dialogue;
mod id;
pub mod load;
mod meta;
pub mod rows;
pub mod schema;
pub mod studytoml;
pub mod survey;
mod tables;
mod tomlread;

pub(crate) use csvfile::{parse as parse_csv, separator};
pub use dialogue::{Dialogue, Feedback, Outcome, Question, Step};
pub use id::{Id, ID_RULE, MAX_ID_LEN};
pub use load::load;
pub(crate) use tables::table_files;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::problem::Pos;

/// A text in every language of the study, keyed by language code (`nb`, `en`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Text(pub BTreeMap<String, String>);

impl Text {
    /// The text in `lang`; empty when missing (validation reports missing languages).
    pub fn get(&self, lang: &str) -> &str {
        self.0.get(lang).map(String::as_str).unwrap_or("")
    }

    /// The same text in every language, for names that do not translate.
    pub fn same(langs: &[String], text: &str) -> Self {
        Text(langs.iter().map(|l| (l.clone(), text.to_string())).collect())
    }
}

/// The study as `study.toml` describes it: names, dates, languages and the small-cell rule.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Meta {
    /// The study's short name, used in file names and PDF identifiers.
    pub slug: Id,
    /// The version of this report (`1.0`), printed and recorded in releases.
    pub version: String,
    /// The date of this version (`2020-06-30` in the file).
    pub date: Date,
    /// The languages of the study, in the order the editions are built.
    pub languages: Vec<String>,
    /// Counts of people from 1 to `k − 1` print as `<k`.
    pub small_cell_k: u32,
    /// The report's title.
    pub title: Text,
    /// The line under the title.
    pub subtitle: Text,
    /// The title in running heads.
    pub short_title: Text,
    /// Who commissioned the study.
    pub commissioner: Text,
    /// Who wrote the report (a person or a body).
    pub author: Text,
    /// The note that says the excerpts are paraphrases, printed with them.
    pub excerpt_notice: Text,
    /// Keywords per language.
    pub keywords: BTreeMap<String, Vec<String>>,
    /// Place and institution names that must never appear in an excerpt, beyond the
    /// names of regions and units (e.g. towns, hospitals).
    pub identifying_terms: Vec<String>,
    /// Who publishes this edition, when, and what it is based on (`[edition]`).
    pub edition: Option<Edition>,
    /// Leave out excerpts from a hidden cell instead of printing them without their model.
    pub omit_hidden_excerpts: bool,
    /// Where the coding of the excerpts comes from (`coding` in `study.toml`).
    pub coding: Coding,
}

/// Where a study's coding comes from. `Original`: the excerpts were coded from the
/// interviews, so who said what, and how many people a theme rests on, are findings.
/// `Reconstructed`: an edition wrote the excerpts afterwards from a published report and
/// assigned them to themes, models and placeholder participants itself; then no count of
/// participants per theme or model is a finding, and the report prints none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coding {
    /// Coded from the interviews themselves (the default for a new or imported study).
    #[default]
    Original,
    /// Written and coded afterwards by the edition, from a published report.
    Reconstructed,
}

impl Coding {
    /// The value as `study.toml` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Coding::Original => "original",
            Coding::Reconstructed => "reconstructed",
        }
    }

    /// Whether the coding is the edition's reconstruction.
    pub fn is_reconstructed(self) -> bool {
        self == Coding::Reconstructed
    }
}

/// This edition of the report: its publisher, date and number, and the work it is based
/// on (a key of the bibliography, cited in full on the title page and in the colophon).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Edition {
    /// Where the `[edition]` table is.
    pub pos: Pos,
    /// Who publishes this edition.
    pub publisher: Text,
    /// Who edited it (a person or a body).
    pub editor: Text,
    /// The date of the edition (`2026-12-01` in the file).
    pub date: Date,
    /// The publisher's number for this edition.
    pub report_number: String,
    /// ISBN, where one has been assigned.
    pub isbn: Option<String>,
    /// ISSN of the series, where there is one.
    pub issn: Option<String>,
    /// The terms of reuse, in words.
    pub licence: Text,
    /// A bibliography key: the work this edition is based on.
    pub based_on: String,
    /// How this edition relates to that work ("a reconstructed edition of").
    pub relation: Text,
}

/// The study's bibliography file (`references.yml`), as read.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Bibliography {
    /// The file as named in messages (`data/references.yml`).
    pub file: String,
    /// Its name inside the data directory (`references.yml`).
    pub path: String,
    /// The file's text (Hayagriva YAML).
    pub text: String,
}

/// A treatment model (`[[model]]`): a column of the comparison tables.
#[derive(Clone, Debug, Serialize)]
pub struct Model {
    /// Where it is defined.
    pub pos: Pos,
    /// Its id, referred to by units and findings.
    pub id: String,
    /// The short name in table headers.
    pub short: Text,
    /// The full name in running text.
    pub name: Text,
    /// What the model is, in a sentence or two.
    pub description: Text,
}

/// A health region (`[[region]]`) that holds units.
#[derive(Clone, Debug, Serialize)]
pub struct Region {
    /// Where it is defined.
    pub pos: Pos,
    /// Its id, referred to by units and interviews.
    pub id: String,
    /// Its name.
    pub name: Text,
}

/// A treatment unit (`[[unit]]`): one place in one region, offering one model.
#[derive(Clone, Debug, Serialize)]
pub struct Unit {
    /// Where it is defined.
    pub pos: Pos,
    /// Its id, referred to by interviews.
    pub id: String,
    /// The region it lies in.
    pub region: String,
    /// The model it offers.
    pub model: String,
    /// Its name.
    pub name: Text,
    /// Names a reader knows this unit by (hospital, town), which prose must not tie to it.
    pub places: Vec<String>,
}

/// Whether an interview spoke with one person or a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InterviewKind {
    /// One participant.
    Individual,
    /// Several participants at once.
    Group,
}

impl InterviewKind {
    /// The word `interviews.csv` writes.
    pub fn as_str(self) -> &'static str {
        match self {
            InterviewKind::Individual => "individual",
            InterviewKind::Group => "group",
        }
    }
}

/// One interview of the register (`interviews.csv`).
#[derive(Clone, Debug, Serialize)]
pub struct Interview {
    /// Where it is read from.
    pub pos: Pos,
    /// Its id, referred to by excerpts.
    pub id: String,
    /// The region of the unit where it took place.
    pub region: String,
    /// The unit where it took place (and so the model).
    pub unit: String,
    /// One person or a group.
    pub kind: InterviewKind,
    /// How many people took part.
    pub participants: u32,
    /// When it was held, where the register gives it (the dialogue conference must come after).
    pub date: Option<PartialDate>,
}

/// A node of the codebook: a theme (no parent) or a subtheme.
#[derive(Clone, Debug, Serialize)]
pub struct Code {
    /// Where it is read from.
    pub pos: Pos,
    /// Its id (`T01`, `T01.2`).
    pub id: String,
    /// The theme above it; `None` for a theme.
    pub parent: Option<String>,
    /// The section of the published report that discusses it (`4.1`).
    pub section: String,
    /// Its label in tables.
    pub label: Text,
    /// What it covers.
    pub description: Text,
}

/// One coded excerpt: a short paraphrase of what a participant said.
#[derive(Clone, Debug, Serialize)]
pub struct Excerpt {
    /// Where it is read from.
    pub pos: Pos,
    /// Its id (`E042`).
    pub id: String,
    /// The interview it comes from.
    pub interview: String,
    /// The participant's pseudonym, unique in the study and never printed.
    pub participant: String,
    /// The codebook nodes it is coded to.
    pub codes: Vec<String>,
    /// The paraphrase in each language.
    pub text: Text,
}

/// A row of the model comparison (Table 2): a trait with the subthemes that bear on it.
#[derive(Clone, Debug, Serialize)]
pub struct Trait {
    /// Where it is read from.
    pub pos: Pos,
    /// Its id, referred to by findings and recommendations.
    pub id: String,
    /// Its label in the table.
    pub label: Text,
    /// The subthemes whose excerpts count as its evidence.
    pub codes: Vec<String>,
}

/// A cell of the model comparison: what one model shows on one trait.
#[derive(Clone, Debug, Serialize)]
pub struct ModelFinding {
    /// Where it is read from.
    pub pos: Pos,
    /// The trait (row).
    pub trait_id: String,
    /// The model (column).
    pub model: String,
    /// The finding, in words.
    pub finding: Text,
}

/// A row of the comparison with the compilation (Table 3).
#[derive(Clone, Debug, Serialize)]
pub struct Factor {
    /// Where it is read from.
    pub pos: Pos,
    /// Its id.
    pub id: String,
    /// The factor compared.
    pub label: Text,
    /// What the compilation says about it.
    pub compilation: Text,
    /// Where in the compilation.
    pub compilation_pages: String,
    /// What this study says about it.
    pub bsb: Text,
    /// Where in this study's report.
    pub bsb_pages: String,
}

/// A column of the recommendations table (Table 4).
#[derive(Clone, Debug, Serialize)]
pub struct RecColumn {
    /// Where it is read from.
    pub pos: Pos,
    /// Its id, referred to by recommendations.
    pub id: String,
    /// Its heading.
    pub label: Text,
}

/// One recommendation, with the evidence it rests on.
#[derive(Clone, Debug, Serialize)]
pub struct Recommendation {
    /// Where it is read from.
    pub pos: Pos,
    /// Its id.
    pub id: String,
    /// The column of Table 4 it stands in.
    pub column: String,
    /// The recommendation, in words.
    pub text: Text,
    /// The themes, codes or traits it rests on.
    pub rests_on: Vec<String>,
}

/// What kind of event a timeline row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// A decision or letter of policy.
    Policy,
    /// An evaluation or report.
    Evaluation,
}

impl EventKind {
    /// The word `context/timeline.csv` writes.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Policy => "policy",
            EventKind::Evaluation => "evaluation",
        }
    }
}

/// A date given as precisely as the source allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PartialDate {
    /// The year, always given.
    pub year: i32,
    /// The month (1–12), when the source gives it.
    pub month: Option<u8>,
    /// The day of the month, when the source gives it.
    pub day: Option<u8>,
}

impl std::fmt::Display for PartialDate {
    /// As written in the study's files: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

/// A calendar day: the date of a version, an edition or the dialogue conference. Read
/// from and written as `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// The year.
    pub year: i32,
    /// The month, 1–12.
    pub month: u8,
    /// The day of the month.
    pub day: u8,
}

impl Date {
    /// `YYYY-MM-DD` checked to be a real calendar day; `None` otherwise.
    pub fn parse(text: &str) -> Option<Date> {
        load::parse_full_date(text).map(|(year, month, day)| Date { year, month, day })
    }

    /// The same day as a [`PartialDate`] (every part given).
    pub fn partial(self) -> PartialDate {
        PartialDate { year: self.year, month: Some(self.month), day: Some(self.day) }
    }
}

impl std::fmt::Display for Date {
    /// `YYYY-MM-DD`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.partial().fmt(f)
    }
}

impl Serialize for Date {
    /// As the text it is written as, so the study's view (and its hash) reads as the file.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A fact's optional date as the text it is written as (empty when not given).
fn partial_date_text<S: serde::Serializer>(date: &Option<PartialDate>, s: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(d) => s.collect_str(d),
        None => s.serialize_str(""),
    }
}

/// A dated event of the timeline (`context/timeline.csv`).
#[derive(Clone, Debug, Serialize)]
pub struct Event {
    /// Where it is read from.
    pub pos: Pos,
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
    /// Where in the source (section, page, slide), in each language; may be empty.
    pub reference: Text,
}

/// The unit a context number is stated in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// A number of people or things.
    Count,
    /// A share in percent.
    Percent,
    /// A duration or age in years.
    Years,
    /// Money in millions of Norwegian kroner.
    NokMillion,
}

impl Measure {
    /// The word the context tables write.
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Count => "count",
            Measure::Percent => "percent",
            Measure::Years => "years",
            Measure::NokMillion => "nok_million",
        }
    }
}

/// One number stated by a source (`context/facts`).
#[derive(Clone, Debug, Serialize)]
pub struct Fact {
    /// Where it is read from.
    pub pos: Pos,
    /// Its id, referred to by prose and sets.
    pub id: String,
    /// The number.
    pub value: f64,
    /// What the number counts or measures.
    pub unit: Measure,
    /// The context table this fact is listed in (`unn-cohort`), if any.
    pub table: Option<Id>,
    /// The date the number is true of, as precisely as the source gives it.
    #[serde(serialize_with = "partial_date_text")]
    pub date: Option<PartialDate>,
    /// The bibliography key of the source.
    pub source: String,
    /// Where in the source (section, page, slide), in each language; may be empty.
    pub reference: Text,
    /// What the number is, in words.
    pub label: Text,
}

/// A breakdown of one whole into parts (shares of 100 % or counts summing to a fact).
#[derive(Clone, Debug, Serialize)]
pub struct ShareSet {
    /// Where it is read from.
    pub pos: Pos,
    /// Its id, referred to by its shares.
    pub id: String,
    /// Percent (parts of 100) or counts.
    pub unit: Measure,
    /// The fact its counts add up to, if any.
    pub total_fact: Option<String>,
    /// The bibliography key of the source.
    pub source: String,
    /// Where in the source (section, page, slide), in each language; may be empty.
    pub reference: Text,
    /// Its title in figures and tables.
    pub title: Text,
    /// Figure this set is drawn in (sets with the same figure share one chart).
    pub figure: Option<Id>,
    /// The context table its parts are listed in, if any.
    pub table: Option<Id>,
}

/// One part of a breakdown (`context/shares.csv`).
#[derive(Clone, Debug, Serialize)]
pub struct Share {
    /// Where it is read from.
    pub pos: Pos,
    /// The breakdown it belongs to.
    pub set: String,
    /// Its id within the set.
    pub id: String,
    /// Its share or count.
    pub value: f64,
    /// What the part is.
    pub label: Text,
}

/// A figure as the published report printed it; only ever compared with the data.
#[derive(Clone, Debug, Serialize)]
pub struct Published {
    /// Where it is read from.
    pub pos: Pos,
    /// Its id.
    pub id: String,
    /// Where the 2020 report prints it, in each language ("tabell 1 i avsnitt 3.3").
    pub location: Text,
    /// Where the published report states it (`table` or `prose`), a key into the words.
    pub statement: String,
    /// The computed metric it is compared with.
    pub metric: String,
    /// The value the published report gives.
    pub value: f64,
    /// Why a difference, if any, is expected.
    pub note: Text,
}

/// A choice the data had to make where the sources are silent (`notes.csv`).
#[derive(Clone, Debug, Serialize)]
pub struct Note {
    /// Where it is read from.
    pub pos: Pos,
    /// Its id.
    pub id: String,
    /// What it is about (an id, a table or a file).
    pub topic: String,
    /// The choice and why, in words.
    pub text: Text,
}

/// A chapter's running text in one language (typst markup with `{{ … }}` values).
#[derive(Clone, Debug, Serialize)]
pub struct Prose {
    /// The file it is read from, as named in messages.
    pub file: String,
    /// Its language.
    pub lang: String,
    /// The chapter it is the text of (its file name).
    pub chapter: Id,
    /// The typst markup, as written.
    pub text: String,
}

/// A file the study was loaded from, for the manifest.
#[derive(Clone, Debug, Serialize)]
pub struct SourceFile {
    /// Path relative to the data directory.
    pub path: String,
    /// Its bytes, as read.
    pub bytes: Vec<u8>,
}

/// A whole study as loaded from `data/`, before validation.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Study {
    /// `study.toml`'s top level.
    pub meta: Meta,
    /// The treatment models.
    pub models: Vec<Model>,
    /// The health regions.
    pub regions: Vec<Region>,
    /// The units, each in a region with a model.
    pub units: Vec<Unit>,
    /// The interview register.
    pub interviews: Vec<Interview>,
    /// The codebook: themes and subthemes.
    pub codes: Vec<Code>,
    /// Every coded excerpt.
    pub excerpts: Vec<Excerpt>,
    /// Rows of the model comparison.
    pub traits: Vec<Trait>,
    /// Cells of the model comparison.
    pub model_findings: Vec<ModelFinding>,
    /// Rows of the comparison with the compilation.
    pub factors: Vec<Factor>,
    /// Columns of the recommendations table.
    pub rec_columns: Vec<RecColumn>,
    /// The recommendations.
    pub recommendations: Vec<Recommendation>,
    /// The timeline.
    pub events: Vec<Event>,
    /// Numbers stated by sources.
    pub facts: Vec<Fact>,
    /// Breakdowns of a whole into parts.
    pub sets: Vec<ShareSet>,
    /// The parts of those breakdowns.
    pub shares: Vec<Share>,
    /// Figures as the published report printed them.
    pub published: Vec<Published>,
    /// Choices the data had to make.
    pub notes: Vec<Note>,
    /// Chapter texts, per language.
    pub prose: Vec<Prose>,
    /// The bibliography, when the study has one.
    pub bibliography: Option<Bibliography>,
    /// The dialogue conference's record (`[dialogue]` and `dialogue.csv`), when there is one.
    pub dialogue: Option<Dialogue>,
    /// The questions the process report puts to the conference (`discussion.csv`).
    pub discussion: Vec<Question>,
    /// The questionnaire and its answers (`data/survey/`), empty when there is none.
    pub survey: crate::study::survey::Survey,
    /// Every file read, for the manifest.
    #[serde(skip)]
    pub files: Vec<SourceFile>,
    /// Files that could not be read as a whole (a broken header, quote or encoding).
    #[serde(skip)]
    pub unreadable: Vec<Unreadable>,
}

/// A file that could not be read as a whole: its table's records may be missing, so
/// references into that table are not checked one by one.
#[derive(Clone, Debug)]
pub struct Unreadable {
    /// The table's name in `data/` (`interviews`, `codebook`, `context/facts`).
    pub table: String,
    /// The file as named in messages.
    pub file: String,
}

impl Study {
    /// The region with this id.
    pub fn region(&self, id: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.id == id)
    }

    /// The model with this id.
    pub fn model(&self, id: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.id == id)
    }

    /// The unit with this id.
    pub fn unit(&self, id: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.id == id)
    }

    /// The interview with this id.
    pub fn interview(&self, id: &str) -> Option<&Interview> {
        self.interviews.iter().find(|i| i.id == id)
    }

    /// Themes: codebook nodes without a parent, in codebook order.
    pub fn themes(&self) -> impl Iterator<Item = &Code> {
        self.codes.iter().filter(|c| c.parent.is_none())
    }

    /// The theme a code belongs to (itself for a theme); `None` for an unknown id or a cycle.
    pub fn theme_of<'a>(&'a self, id: &'a str) -> Option<&'a str> {
        let mut current = id;
        for _ in 0..=self.codes.len() {
            let code = self.codes.iter().find(|c| c.id == current)?;
            match &code.parent {
                None => return Some(code.id.as_str()),
                Some(p) => current = p,
            }
        }
        None
    }

    /// Each code with itself and everything above it (`T01.2` → `T01.2`, `T01`), built once
    /// so that counting evidence is linear in the excerpts. A cycle stops the walk (and is
    /// reported by validation).
    pub fn ancestors(&self) -> HashMap<&str, Vec<&str>> {
        let parent: HashMap<&str, Option<&str>> =
            self.codes.iter().map(|c| (c.id.as_str(), c.parent.as_deref())).collect();
        self.codes
            .iter()
            .map(|c| {
                let mut chain = vec![c.id.as_str()];
                let mut current = c.parent.as_deref();
                while let Some(p) = current {
                    if chain.contains(&p) || !parent.contains_key(p) {
                        break;
                    }
                    chain.push(p);
                    current = parent[p];
                }
                (c.id.as_str(), chain)
            })
            .collect()
    }

    /// The codebook nodes an excerpt counts as evidence for: its codes and their ancestors.
    pub fn evidence_nodes<'a>(
        &'a self,
        excerpt: &'a Excerpt,
        ancestors: &HashMap<&'a str, Vec<&'a str>>,
    ) -> Vec<&'a str> {
        let mut nodes: Vec<&str> = Vec::new();
        for c in &excerpt.codes {
            for node in ancestors.get(c.as_str()).map(Vec::as_slice).unwrap_or(&[]) {
                if !nodes.contains(node) {
                    nodes.push(node);
                }
            }
        }
        nodes
    }

    /// Interview id → model id, through the interview's unit.
    pub fn interview_models(&self) -> HashMap<&str, &str> {
        let units: HashMap<&str, &str> = self.units.iter().map(|u| (u.id.as_str(), u.model.as_str())).collect();
        self.interviews.iter().filter_map(|i| Some((i.id.as_str(), *units.get(i.unit.as_str())?))).collect()
    }

    /// The text of `chapter` in `lang`.
    pub fn prose(&self, lang: &str, chapter: &str) -> Option<&Prose> {
        self.prose.iter().find(|p| p.lang == lang && p.chapter == chapter)
    }
}
