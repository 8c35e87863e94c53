//! Presentation: a table's cells and headers as words in one language. Shared by the
//! Markdown tables, the figures and the rendered report, so a count reads the same
//! everywhere; a protected count never prints as its number.

use crate::analysis::{Cell, Column};
use crate::lang::Lang;

/// A cell as text in `lang`; `k` is the small-cell threshold of the cell's table.
pub fn cell_text(cell: &Cell, lang: &Lang, k: u32) -> String {
    match cell {
        Cell::Plain(s) => s.clone(),
        Cell::Text(t) => t.get(&lang.code).to_string(),
        Cell::Key(key) => lang.word(key),
        Cell::Count(v) => lang.int(*v),
        Cell::Protected(s) => lang.shown(s.get(), k),
        Cell::Number(v, unit) => lang.measure(*v, *unit),
        Cell::Date(d) => lang.date(*d),
        Cell::Empty => String::new(),
    }
}

/// A column header; `joiner` sits between a model's name and the measure (`: ` in files,
/// a line break in the PDF so narrow number columns stay narrow).
pub fn header_text(column: &Column, lang: &Lang, joiner: &str) -> String {
    match (&column.data, &column.key) {
        (Some(d), Some(k)) => format!("{}{joiner}{}", d.get(&lang.code), lang.word(k)),
        (Some(d), None) => d.get(&lang.code).to_string(),
        (None, Some(k)) => lang.word(k),
        (None, None) => column.id.clone(),
    }
}
