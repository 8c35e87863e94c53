//! The views of the analysis tables the skeleton prints: headers, cells, column widths and
//! groups, and the note on `<k` and `:` said once.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::{Analysis, Cell, Table};
use crate::lang::{Lang, Word};
use crate::present::{cell_text, header_text};
use crate::study::Text;

use super::first_sentence;

/// A table as the skeleton prints it.
#[derive(Serialize)]
pub(super) struct TableView {
    name: String,
    caption: String,
    /// The caption's first sentence, for the list of tables.
    short_caption: String,
    header: Vec<String>,
    numeric: Vec<bool>,
    rows: Vec<Vec<String>>,
    emphasis: Vec<bool>,
    note: String,
    /// The label of the table whose note explains the marks, when this table's note only
    /// refers to it (empty for the first such table, which says it in full).
    note_see: String,
    /// How text columns share the width left by the others (0: a column that never
    /// wraps, such as numbers). The typesetter measures every word and chooses the form;
    /// see `datatable` in report/templates/style.typ.
    weights: Vec<u32>,
    /// Columns that belong together (the label columns, then each model's columns, then
    /// any totals), for the one-table-per-model form when the columns cannot fit.
    groups: Vec<Vec<usize>>,
}

/// A header in the PDF: a short model name (`Modell I`) is kept on one line above its
/// measure; a long one may wrap between words.
fn pdf_header(column: &crate::analysis::Column, lang: &Lang) -> String {
    match &column.data {
        Some(d) if d.get(&lang.code).chars().count() <= 12 => {
            let mut c = column.clone();
            let name = d.get(&lang.code).replace(' ', "\u{a0}");
            c.data = Some(Text(BTreeMap::from([(lang.code.clone(), name)])));
            header_text(&c, lang, "\n")
        }
        _ => header_text(column, lang, "\n"),
    }
}

impl TableView {
    /// A table the skeleton does not take from the analysis (a survey item's results): a
    /// text column shares the width, numbers never wrap, no column groups, its own note.
    pub(super) fn plain(
        name: String,
        caption: String,
        header: Vec<String>,
        numeric: Vec<bool>,
        rows: Vec<Vec<String>>,
        emphasis: Vec<bool>,
        note: String,
    ) -> Self {
        TableView {
            name,
            short_caption: first_sentence(&caption),
            caption,
            weights: numeric.iter().map(|n| if *n { 0 } else { 1 }).collect(),
            header,
            numeric,
            rows,
            emphasis,
            groups: Vec::new(),
            note,
            note_see: String::new(),
        }
    }
}

/// The view of one analysis table in `lang`.
pub(super) fn table_view(t: &Table, lang: &Lang) -> TableView {
    let k = t.k;
    let caption = lang.named_for(&format!("cap_{}", t.name), t.coding);
    let has_protected = t.rows.iter().flat_map(|r| &r.cells).any(|c| matches!(c, Cell::Protected(_)));
    TableView {
        name: t.name.to_string(),
        short_caption: first_sentence(&caption),
        caption,
        header: t.columns.iter().map(|c| pdf_header(c, lang)).collect(),
        numeric: t.columns.iter().map(|c| c.numeric).collect(),
        rows: t.rows.iter().map(|r| r.cells.iter().map(|c| cell_text(c, lang, k)).collect()).collect(),
        emphasis: t.rows.iter().map(|r| r.emphasis).collect(),
        weights: column_weights(t),
        groups: column_groups(t),
        note: if has_protected {
            lang.say(Word::SuppressionNote, &[("km1", k.saturating_sub(1).to_string()), ("k", k.to_string())])
        } else {
            String::new()
        },
        note_see: String::new(),
    }
}

/// Say once what `<k` and `:` mean: under the first table that has them; every later one
/// refers to that table.
pub(super) fn notes_once(a: &Analysis, tables: &mut BTreeMap<String, TableView>, lang: &Lang) {
    notes_once_in(a.tables.iter(), tables, lang);
}

/// [`notes_once`] for one report's tables, in the order it prints them.
pub(super) fn notes_once_in<'a>(
    printed: impl IntoIterator<Item = &'a Table>,
    tables: &mut BTreeMap<String, TableView>,
    lang: &Lang,
) {
    let mut first: Option<String> = None;
    for t in printed {
        let Some(view) = tables.get_mut(t.name.as_str()) else { continue };
        if view.note.is_empty() {
            continue;
        }
        match &first {
            None => first = Some(t.name.to_string()),
            Some(name) => {
                view.note = lang.word(Word::SuppressionNoteAgain);
                view.note_see = format!("tab-{name}");
            }
        }
    }
}

/// Append a mark to the first cell of each row of `t` that `mark` names (by row id), as
/// the final report marks the traits the dialogue conference changed or dropped.
pub(super) fn mark_rows(view: &mut TableView, t: &Table, mark: impl Fn(&str) -> Option<String>) {
    for (row, cells) in t.rows.iter().zip(view.rows.iter_mut()) {
        if let (Some(m), Some(first)) = (mark(&row.id), cells.first_mut()) {
            first.push(' ');
            first.push_str(&m);
        }
    }
}

fn column_weights(t: &Table) -> Vec<u32> {
    (0..t.columns.len())
        .map(|i| match t.rows.first().map(|r| &r.cells[i]) {
            _ if t.columns[i].numeric => 0,
            // Longer texts (findings, what each report found) get the most room.
            Some(Cell::Text(_)) if t.columns[i].key.is_none() || i > 0 => 2,
            Some(Cell::Text(_)) => 1,
            // Ids, dates, page references: as wide as they are.
            _ => 0,
        })
        .collect()
}

/// The label columns (those before the first model's), then per model its columns, then
/// the columns after the last model's; each group starts with the label columns. Empty
/// when the table has no model columns.
fn column_groups(t: &Table) -> Vec<Vec<usize>> {
    let first = match t.columns.iter().position(|c| c.data.is_some()) {
        Some(i) if i > 0 => i,
        _ => return Vec::new(),
    };
    let labels: Vec<usize> = (0..first).collect();
    let mut groups: Vec<(Option<&Text>, Vec<usize>)> = Vec::new();
    for (i, c) in t.columns.iter().enumerate().skip(first) {
        match groups.iter_mut().find(|(d, _)| *d == c.data.as_ref()) {
            Some((_, cols)) => cols.push(i),
            None => groups.push((c.data.as_ref(), vec![i])),
        }
    }
    groups.into_iter().map(|(_, cols)| labels.iter().copied().chain(cols).collect()).collect()
}
