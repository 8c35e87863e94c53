//! The analysis stage's product: typed tables whose person counts are already protected.
//!
//! A cell never holds a raw small person count: [`Shown`] is either a value that may be
//! printed or a marker that it was suppressed, so no later stage can leak one.

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
    /// A count protected by the small-cell rule.
    Protected(Shown),
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
}

impl Table {
    /// An empty table with these columns.
    pub fn new(name: &str, columns: Vec<Column>) -> Self {
        Table { name: Id::fixed(name), columns, rows: Vec::new(), k: 0 }
    }

    /// Add a row (one cell per column).
    pub fn push(&mut self, id: impl Into<String>, emphasis: bool, cells: Vec<Cell>) {
        debug_assert_eq!(cells.len(), self.columns.len(), "row width of table {}", self.name);
        self.rows.push(Row { id: id.into(), emphasis, cells });
    }
}

/// Apply the small-cell rule to one line of counts that partition `total`: every value
/// from 1 to k−1 becomes `Small`; then, while exactly one member of the line (cells and
/// total together) is hidden, it could be recovered by subtraction, so one more is hidden:
/// the total if still shown, else the smallest shown cell.
pub fn protect_line(cells: &[u64], total: u64, k: u32) -> (Vec<Shown>, Shown) {
    let small = |v: u64| v >= 1 && v < k as u64;
    let mut shown: Vec<Shown> = cells.iter().map(|&v| if small(v) { Shown::Small } else { Shown::Value(v) }).collect();
    let mut total_shown = if small(total) { Shown::Small } else { Shown::Value(total) };
    loop {
        let hidden = shown.iter().chain(std::iter::once(&total_shown)).filter(|s| s.value().is_none()).count();
        if hidden != 1 {
            break;
        }
        if total_shown.value().is_some() {
            total_shown = Shown::Hidden;
        } else if let Some(i) = (0..shown.len()).filter(|&i| shown[i].value().is_some()).min_by_key(|&i| (cells[i], i))
        {
            shown[i] = Shown::Hidden;
        } else {
            break;
        }
    }
    (shown, total_shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_small_cells_show_everything() {
        let (cells, total) = protect_line(&[5, 7], 12, 3);
        assert_eq!(cells, vec![Shown::Value(5), Shown::Value(7)]);
        assert_eq!(total, Shown::Value(12));
    }

    #[test]
    fn one_small_cell_hides_the_total_too() {
        let (cells, total) = protect_line(&[2, 7], 9, 3);
        assert_eq!(cells, vec![Shown::Small, Shown::Value(7)]);
        assert_eq!(total, Shown::Hidden, "9 - 7 would reveal the 2");
    }

    #[test]
    fn zero_is_not_small_and_two_small_cells_protect_each_other() {
        let (cells, total) = protect_line(&[0, 1, 2, 8], 11, 3);
        assert_eq!(cells, vec![Shown::Value(0), Shown::Small, Shown::Small, Shown::Value(8)]);
        assert_eq!(total, Shown::Value(11));
    }

    #[test]
    fn small_total_and_its_only_cell() {
        let (cells, total) = protect_line(&[2, 0], 2, 3);
        assert_eq!(cells, vec![Shown::Small, Shown::Value(0)]);
        assert_eq!(total, Shown::Small);
    }
}
