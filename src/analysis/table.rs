//! The analysis stage's product: typed tables whose person counts are already protected.
//!
//! A cell never holds a raw person count: [`crate::privacy::Cleared`] is a value the
//! privacy audit cleared or a marker that it was suppressed, and only the audit makes one
//! that holds a number, so no later stage can print an unaudited count.

use serde::Serialize;

use crate::study::{Id, Measure, PartialDate, Text};

pub use crate::shown::Shown;

/// One cell of a table, typed so that later stages format it per language.
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
    /// A date, as precisely as its source gives it.
    Date(PartialDate),
    /// Nothing to show.
    Empty,
}

/// How a column's header is made: a word from the language files, data text, or both
/// (`Modell I: utdrag`).
#[derive(Clone, Debug, Serialize)]
pub struct Column {
    /// The column's id, the header of the CSV file.
    pub id: String,
    /// A word from the language files for the header, if any.
    pub key: Option<String>,
    /// Text from the data for the header (a model's name), if any.
    pub data: Option<Text>,
    /// Right-aligned in print.
    pub numeric: bool,
}

impl Column {
    /// A column headed by a word from the language files.
    pub fn key(id: &str, key: &str, numeric: bool) -> Self {
        Column { id: id.into(), key: Some(key.into()), data: None, numeric }
    }

    /// A column headed by text from the data, with an optional word after it.
    pub fn data(id: &str, data: &Text, key: Option<&str>, numeric: bool) -> Self {
        Column { id: id.into(), key: key.map(str::to_string), data: Some(data.clone()), numeric }
    }
}

/// One row of a table.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// The row's id, the first field of the CSV row.
    pub id: String,
    /// A total or heading row, set in bold.
    pub emphasis: bool,
    /// One cell per column.
    pub cells: Vec<Cell>,
}

/// A table of the report, as written to `report/tables/` and typeset.
#[derive(Clone, Debug, Serialize)]
pub struct Table {
    /// File stem in `report/tables/` and the key of its caption in the language files.
    pub name: Id,
    /// Its columns, in order.
    pub columns: Vec<Column>,
    /// Its rows, in order.
    pub rows: Vec<Row>,
    /// The small-cell threshold its protected counts were held to (`<k` in print).
    pub k: u32,
    /// Where the study's coding comes from: a reconstructed one has its own captions.
    pub coding: crate::study::Coding,
}

impl Table {
    /// An empty table with these columns.
    pub fn new(name: &str, columns: Vec<Column>) -> Self {
        Table { name: Id::fixed(name), columns, rows: Vec::new(), k: 0, coding: Default::default() }
    }

    /// Add a row (one cell per column).
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
