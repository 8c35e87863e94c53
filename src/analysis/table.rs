//! The analysis stage's product: typed tables whose person counts are already protected.
//!
//! A cell never holds a raw person count: [`crate::privacy::Cleared`] is a value the
//! privacy audit cleared or a marker that it was suppressed, and only the audit makes one
//! that holds a number, so no later stage can print an unaudited count.

use serde::Serialize;

use crate::study::{Id, Measure, PartialDate, Text};

pub use crate::shown::Shown;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Cell {
    /// Language-neutral text: ids, page references.
    Plain(String),
    /// Text in every language.
    Text(Text),
    /// A word from the program's language files (`policy`, `matches`).
    Key(String),
    /// A count that is not about persons, or a cell of the sampling table itself.
    Count(u64),
    /// A count the privacy audit cleared (its value, `<k` or `:`).
    Protected(crate::privacy::Cleared),
    /// A stated number with its unit.
    Number(f64, Measure),
    Date(PartialDate),
    Empty,
}

/// How a column's header is made: a word from the language files, data text, or both
/// (`Modell I: utdrag`).
#[derive(Clone, Debug, Serialize)]
pub struct Column {
    pub id: String,
    pub key: Option<String>,
    pub data: Option<Text>,
    pub numeric: bool,
}

impl Column {
    pub fn key(id: &str, key: &str, numeric: bool) -> Self {
        Column { id: id.into(), key: Some(key.into()), data: None, numeric }
    }

    pub fn data(id: &str, data: &Text, key: Option<&str>, numeric: bool) -> Self {
        Column { id: id.into(), key: key.map(str::to_string), data: Some(data.clone()), numeric }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub id: String,
    /// A total or heading row, set in bold.
    pub emphasis: bool,
    pub cells: Vec<Cell>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Table {
    /// File stem in `report/tables/` and the key of its caption in the language files.
    pub name: Id,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// The small-cell threshold its protected counts were held to (`<k` in print).
    pub k: u32,
    /// Where the study's coding comes from: a reconstructed one has its own captions.
    pub coding: crate::study::Coding,
}

impl Table {
    pub fn new(name: &str, columns: Vec<Column>) -> Self {
        Table { name: Id::fixed(name), columns, rows: Vec::new(), k: 0, coding: Default::default() }
    }

    pub fn push(&mut self, id: impl Into<String>, emphasis: bool, cells: Vec<Cell>) {
        debug_assert_eq!(cells.len(), self.columns.len(), "row width of table {}", self.name);
        self.rows.push(Row { id: id.into(), emphasis, cells });
    }
}

/// Remove the columns whose id starts with `prefix` (with their cells).
pub(crate) fn drop_columns(t: &mut Table, prefix: &str) {
    let keep: Vec<bool> = t.columns.iter().map(|c| !c.id.starts_with(prefix)).collect();
    let mut i = 0;
    t.columns.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    for row in &mut t.rows {
        let mut j = 0;
        row.cells.retain(|_| {
            j += 1;
            keep[j - 1]
        });
    }
}
