//! The typed model of a study, as loaded from `data/`: the study file, the sample
//! (models, regions, units, interviews), the codebook and its coded excerpts, the
//! comparison tables, the recommendations, context facts and the study's own prose.
//!
//! Every record keeps the position it was read from, so validation can name file and line.

mod csvfile;
mod id;
pub mod load;
pub mod schema;
mod tomlfile;

pub use id::{Id, ID_RULE, MAX_ID_LEN};
pub use load::load;

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

#[derive(Clone, Debug, Default, Serialize)]
pub struct Meta {
    pub slug: Id,
    pub version: String,
    /// ISO date of this version (`2020-06-30`).
    pub date: String,
    pub languages: Vec<String>,
    pub small_cell_k: u32,
    pub title: Text,
    pub subtitle: Text,
    pub short_title: Text,
    pub commissioner: Text,
    pub author: Text,
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
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
    /// ISO date of the edition (`2026-12-01`).
    pub date: String,
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

#[derive(Clone, Debug, Serialize)]
pub struct Model {
    pub pos: Pos,
    pub id: String,
    pub short: Text,
    pub name: Text,
    pub description: Text,
}

#[derive(Clone, Debug, Serialize)]
pub struct Region {
    pub pos: Pos,
    pub id: String,
    pub name: Text,
}

#[derive(Clone, Debug, Serialize)]
pub struct Unit {
    pub pos: Pos,
    pub id: String,
    pub region: String,
    pub model: String,
    pub name: Text,
    /// Names a reader knows this unit by (hospital, town), which prose must not tie to it.
    pub places: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InterviewKind {
    Individual,
    Group,
}

#[derive(Clone, Debug, Serialize)]
pub struct Interview {
    pub pos: Pos,
    pub id: String,
    pub region: String,
    pub unit: String,
    pub kind: InterviewKind,
    pub participants: u32,
}

/// A node of the codebook: a theme (no parent) or a subtheme.
#[derive(Clone, Debug, Serialize)]
pub struct Code {
    pub pos: Pos,
    pub id: String,
    pub parent: Option<String>,
    pub section: String,
    pub label: Text,
    pub description: Text,
}

#[derive(Clone, Debug, Serialize)]
pub struct Excerpt {
    pub pos: Pos,
    pub id: String,
    pub interview: String,
    pub participant: String,
    pub codes: Vec<String>,
    pub text: Text,
}

#[derive(Clone, Debug, Serialize)]
pub struct Trait {
    pub pos: Pos,
    pub id: String,
    pub label: Text,
    pub codes: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ModelFinding {
    pub pos: Pos,
    pub trait_id: String,
    pub model: String,
    pub finding: Text,
}

#[derive(Clone, Debug, Serialize)]
pub struct Factor {
    pub pos: Pos,
    pub id: String,
    pub label: Text,
    pub compilation: Text,
    pub compilation_pages: String,
    pub bsb: Text,
    pub bsb_pages: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct RecColumn {
    pub pos: Pos,
    pub id: String,
    pub label: Text,
}

#[derive(Clone, Debug, Serialize)]
pub struct Recommendation {
    pub pos: Pos,
    pub id: String,
    pub column: String,
    pub text: Text,
    pub rests_on: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    Policy,
    Evaluation,
}

/// A date given as precisely as the source allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PartialDate {
    pub year: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Event {
    pub pos: Pos,
    pub id: String,
    pub date: PartialDate,
    pub kind: EventKind,
    pub label: Text,
    pub source: String,
    /// Where in the source (section, page, slide), in each language; may be empty.
    pub reference: Text,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    Count,
    Percent,
    Years,
    NokMillion,
}

#[derive(Clone, Debug, Serialize)]
pub struct Fact {
    pub pos: Pos,
    pub id: String,
    pub value: f64,
    pub unit: Measure,
    /// The context table this fact is listed in (`unn-cohort`), if any.
    pub table: Option<Id>,
    pub date: String,
    pub source: String,
    /// Where in the source (section, page, slide), in each language; may be empty.
    pub reference: Text,
    pub label: Text,
}

/// A breakdown of one whole into parts (shares of 100 % or counts summing to a fact).
#[derive(Clone, Debug, Serialize)]
pub struct ShareSet {
    pub pos: Pos,
    pub id: String,
    pub unit: Measure,
    pub total_fact: Option<String>,
    pub source: String,
    /// Where in the source (section, page, slide), in each language; may be empty.
    pub reference: Text,
    pub title: Text,
    /// Figure this set is drawn in (sets with the same figure share one chart).
    pub figure: Option<Id>,
    /// The context table its parts are listed in, if any.
    pub table: Option<Id>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Share {
    pub pos: Pos,
    pub set: String,
    pub id: String,
    pub value: f64,
    pub label: Text,
}

/// A figure as the published report printed it; only ever compared with the data.
#[derive(Clone, Debug, Serialize)]
pub struct Published {
    pub pos: Pos,
    pub id: String,
    /// Where the 2020 report prints it, in each language ("tabell 1 i avsnitt 3.3").
    pub location: Text,
    pub statement: String,
    pub metric: String,
    pub value: f64,
    pub note: Text,
}

#[derive(Clone, Debug, Serialize)]
pub struct Note {
    pub pos: Pos,
    pub id: String,
    pub topic: String,
    pub text: Text,
}

/// A chapter's running text in one language (typst markup with `{{ … }}` values).
#[derive(Clone, Debug, Serialize)]
pub struct Prose {
    pub file: String,
    pub lang: String,
    pub chapter: Id,
    pub text: String,
}

/// A file the study was loaded from, for the manifest.
#[derive(Clone, Debug, Serialize)]
pub struct SourceFile {
    /// Path relative to the data directory.
    pub path: String,
    pub bytes: Vec<u8>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Study {
    pub meta: Meta,
    pub models: Vec<Model>,
    pub regions: Vec<Region>,
    pub units: Vec<Unit>,
    pub interviews: Vec<Interview>,
    pub codes: Vec<Code>,
    pub excerpts: Vec<Excerpt>,
    pub traits: Vec<Trait>,
    pub model_findings: Vec<ModelFinding>,
    pub factors: Vec<Factor>,
    pub rec_columns: Vec<RecColumn>,
    pub recommendations: Vec<Recommendation>,
    pub events: Vec<Event>,
    pub facts: Vec<Fact>,
    pub sets: Vec<ShareSet>,
    pub shares: Vec<Share>,
    pub published: Vec<Published>,
    pub notes: Vec<Note>,
    pub prose: Vec<Prose>,
    pub bibliography: Option<Bibliography>,
    /// The questionnaire and its answers (`data/survey/`), empty when there is none.
    pub survey: crate::survey::Survey,
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
    pub fn unit(&self, id: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.id == id)
    }

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

    pub fn prose(&self, lang: &str, chapter: &str) -> Option<&Prose> {
        self.prose.iter().find(|p| p.lang == lang && p.chapter == chapter)
    }
}
