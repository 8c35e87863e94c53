//! One description of the study's CSV files: each table's name in `data/`, its columns in
//! their written order, what each holds, and which the header must have. The loader takes
//! its required columns from here, and every writer (the importer, `bsb new`, `bsb synth`,
//! the tests' study builder) writes through [`super::rows::write`], which takes the header
//! and the order of the fields from here, so the format is stated once. The row of each
//! table as a type is in [`super::rows`]; `study.toml` is stated as types in
//! [`super::studytoml`].

use serde::Serialize;

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// One id (see [`crate::study::Id`]).
    Id,
    /// A `;`-separated list of ids.
    Ids,
    /// A text in every language: one column `<name>_<lang>` per language.
    Text,
    /// A short plain value (a word from a fixed set, a page, a locator).
    Plain,
    /// A number (a decimal comma is accepted).
    Number,
    /// A whole number.
    Count,
    /// A date: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    Date,
}

/// One column of a table.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Column {
    /// Its name in the header (without the `_<lang>` suffix of a text).
    pub name: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Whether the header must have it (an optional column may be left out whole).
    pub required: bool,
}

/// One table of the study: `<table>.csv`, or every `<table>/*.csv`.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Schema {
    /// The table's name in `data/` (`interviews`, `context/facts`).
    pub table: &'static str,
    /// Its columns, in written order.
    pub columns: &'static [Column],
}

const fn req(name: &'static str, kind: Kind) -> Column {
    Column { name, kind, required: true }
}

const fn opt(name: &'static str, kind: Kind) -> Column {
    Column { name, kind, required: false }
}

use Kind::*;

/// `interviews.csv`: the interview register.
pub const INTERVIEWS: Schema = Schema {
    table: "interviews",
    columns: &[
        req("id", Id),
        req("region", Id),
        req("unit", Id),
        req("kind", Plain),
        req("participants", Count),
        opt("date", Date),
        opt("guid", Plain),
    ],
};
/// `codebook.csv`: themes and subthemes.
pub const CODEBOOK: Schema = Schema {
    table: "codebook",
    columns: &[
        req("id", Id),
        req("parent", Id),
        req("section", Plain),
        req("label", Text),
        req("description", Text),
        opt("guid", Plain),
        opt("color", Plain),
    ],
};
/// `excerpts/*.csv`: the coded excerpts.
pub const EXCERPTS: Schema = Schema {
    table: "excerpts",
    columns: &[
        req("id", Id),
        req("interview", Id),
        req("participant", Id),
        req("codes", Ids),
        req("text", Text),
        opt("guid", Plain),
    ],
};
/// `traits.csv`: rows of the model comparison.
pub const TRAITS: Schema = Schema { table: "traits", columns: &[req("id", Id), req("label", Text), req("codes", Ids)] };
/// `model-findings.csv`: cells of the model comparison.
pub const MODEL_FINDINGS: Schema =
    Schema { table: "model-findings", columns: &[req("trait", Id), req("model", Id), req("finding", Text)] };
/// `factors.csv`: rows of the comparison with the compilation.
pub const FACTORS: Schema = Schema {
    table: "factors",
    columns: &[
        req("id", Id),
        req("label", Text),
        req("compilation", Text),
        req("compilation_pages", Plain),
        req("bsb", Text),
        req("bsb_pages", Plain),
    ],
};
/// `recommendation-columns.csv`: columns of the recommendations table.
pub const RECOMMENDATION_COLUMNS: Schema =
    Schema { table: "recommendation-columns", columns: &[req("id", Id), req("label", Text)] };
/// `recommendations.csv`: the recommendations.
pub const RECOMMENDATIONS: Schema = Schema {
    table: "recommendations",
    columns: &[req("id", Id), req("column", Id), req("text", Text), req("rests_on", Ids)],
};
/// `context/timeline.csv`: dated events.
pub const TIMELINE: Schema = Schema {
    table: "context/timeline",
    columns: &[
        req("id", Id),
        req("date", Date),
        req("kind", Plain),
        req("label", Text),
        req("source", Id),
        opt("ref", Text),
    ],
};
/// `context/facts/*.csv`: numbers stated by sources.
pub const FACTS: Schema = Schema {
    table: "context/facts",
    columns: &[
        req("id", Id),
        req("value", Number),
        req("unit", Plain),
        opt("table", Id),
        opt("date", Date),
        req("source", Id),
        opt("ref", Text),
        req("label", Text),
    ],
};
/// `context/sets.csv`: breakdowns of a whole.
pub const SETS: Schema = Schema {
    table: "context/sets",
    columns: &[
        req("id", Id),
        req("unit", Plain),
        opt("total_fact", Id),
        opt("figure", Id),
        opt("table", Id),
        req("source", Id),
        opt("ref", Text),
        req("title", Text),
    ],
};
/// `context/shares.csv`: the parts of those breakdowns.
pub const SHARES: Schema = Schema {
    table: "context/shares",
    columns: &[req("set", Id), req("id", Id), req("value", Number), req("label", Text)],
};
/// `published.csv`: figures as the published report printed them.
pub const PUBLISHED: Schema = Schema {
    table: "published",
    columns: &[
        req("id", Id),
        req("where", Text),
        req("statement", Plain),
        req("metric", Id),
        req("value", Number),
        req("note", Text),
    ],
};
/// `notes.csv`: choices the data had to make.
pub const NOTES: Schema = Schema { table: "notes", columns: &[req("id", Id), req("topic", Id), req("text", Text)] };

/// `discussion.csv`: questions the process report puts to the dialogue conference.
pub const DISCUSSION: Schema =
    Schema { table: "discussion", columns: &[req("id", Id), req("about", Id), req("question", Text)] };
/// `dialogue.csv`: the dialogue conference's feedback on each finding or recommendation.
pub const DIALOGUE: Schema = Schema {
    table: "dialogue",
    columns: &[
        req("id", Id),
        req("about", Id),
        req("outcome", Plain),
        req("feedback", Text),
        opt("text", Text),
        opt("reason", Text),
    ],
};

/// Every table, in the order the loader reads them.
pub const TABLES: &[Schema] = &[
    INTERVIEWS,
    CODEBOOK,
    EXCERPTS,
    TRAITS,
    MODEL_FINDINGS,
    FACTORS,
    RECOMMENDATION_COLUMNS,
    RECOMMENDATIONS,
    TIMELINE,
    FACTS,
    SETS,
    SHARES,
    PUBLISHED,
    NOTES,
    DISCUSSION,
    DIALOGUE,
];

impl Schema {
    /// The plain columns the header must have.
    pub fn required(&self) -> Vec<&'static str> {
        self.columns.iter().filter(|c| c.required && c.kind != Text).map(|c| c.name).collect()
    }

    /// The language-suffixed fields (`label` for `label_nb`, `label_en`).
    pub fn texts(&self) -> Vec<&'static str> {
        self.columns.iter().filter(|c| c.kind == Text && c.required).map(|c| c.name).collect()
    }

    /// The language-suffixed fields a file may leave out (`ref` for `ref_nb`, `ref_en`).
    pub fn optional_texts(&self) -> Vec<&'static str> {
        self.columns.iter().filter(|c| c.kind == Text && !c.required).map(|c| c.name).collect()
    }

    /// The header row for a study in `langs` with every column, in the written order.
    pub fn header(&self, langs: &[String]) -> Vec<String> {
        self.header_of(langs, |_| true)
    }

    /// The header row for a study in `langs` with the columns `keep` keeps, in the written
    /// order: a text column is one `<name>_<lang>` per language.
    pub fn header_of(&self, langs: &[String], keep: impl Fn(&Column) -> bool) -> Vec<String> {
        let mut out = Vec::new();
        for c in self.columns.iter().filter(|c| keep(c)) {
            if c.kind == Text {
                out.extend(langs.iter().map(|l| format!("{}_{l}", c.name)));
            } else {
                out.push(c.name.to_string());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_has_a_column_per_language_for_each_text() {
        let langs = vec!["nb".to_string(), "en".to_string()];
        assert_eq!(EXCERPTS.header(&langs).join(","), "id,interview,participant,codes,text_nb,text_en,guid");
        assert_eq!(
            EXCERPTS.header_of(&langs, |c| c.required).join(","),
            "id,interview,participant,codes,text_nb,text_en"
        );
        assert_eq!(EXCERPTS.texts(), vec!["text"]);
        assert_eq!(TABLES.len(), 16);
    }
}
