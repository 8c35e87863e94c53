//! The committed tables' formats: CSV (for machines and diffs) and Markdown (for
//! reviewers), made in memory; the store writes them.

use crate::analysis::{Cell, Shown, Table};
use crate::lang::Lang;
use crate::present::{cell_text, header_text};
use crate::problem::{build_err, Result};

/// A table cell in the language-neutral form of the committed CSV files.
fn csv_value(cell: &Cell, k: u32) -> String {
    match cell {
        Cell::Plain(s) => s.clone(),
        Cell::Text(_) => unreachable!("text cells are split by language"),
        Cell::Key(key) => key.clone(),
        Cell::Count(v) => v.to_string(),
        Cell::Protected(c) => match c.get() {
            Shown::Value(v) => v.to_string(),
            Shown::Small => format!("<{k}"),
            Shown::Hidden => ":".into(),
        },
        Cell::Number(v, _) => {
            let s = format!("{v:.2}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        Cell::Date(d) => match (d.month, d.day) {
            (Some(m), Some(day)) => format!("{:04}-{m:02}-{day:02}", d.year),
            (Some(m), None) => format!("{:04}-{m:02}", d.year),
            _ => format!("{:04}", d.year),
        },
        Cell::Empty => String::new(),
    }
}

/// `id` first, then each column; a text column becomes one column per language.
pub fn table_csv(t: &Table, langs: &[String]) -> Result<Vec<u8>> {
    let k = t.k;
    let is_text: Vec<bool> =
        (0..t.columns.len()).map(|i| t.rows.iter().any(|r| matches!(r.cells[i], Cell::Text(_)))).collect();
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let mut header = vec!["id".to_string()];
    for (c, text) in t.columns.iter().zip(&is_text) {
        if *text {
            header.extend(langs.iter().map(|l| format!("{}_{l}", c.id)));
        } else {
            header.push(c.id.clone());
        }
    }
    w.write_record(&header).map_err(|e| build_err(e.to_string()))?;
    for row in &t.rows {
        let mut rec = vec![row.id.clone()];
        for (cell, text) in row.cells.iter().zip(&is_text) {
            if *text {
                for l in langs {
                    rec.push(match cell {
                        Cell::Text(t) => t.get(l).to_string(),
                        other => csv_value(other, k),
                    });
                }
            } else {
                rec.push(csv_value(cell, k));
            }
        }
        w.write_record(&rec).map_err(|e| build_err(e.to_string()))?;
    }
    w.into_inner().map_err(|e| build_err(e.to_string()))
}

/// A Markdown rendering in the study's first language, for reading in a pull request.
pub fn table_md(t: &Table, lang: &Lang) -> Vec<u8> {
    let k = t.k;
    let esc = |s: String| s.replace('|', "\\|").replace('\n', " ");
    let mut out = format!("# {}\n\n", lang.named_for(&format!("cap_{}", t.name), t.coding));
    out.push_str("| id | ");
    out.push_str(&t.columns.iter().map(|c| esc(header_text(c, lang, ": "))).collect::<Vec<_>>().join(" | "));
    out.push_str(" |\n|---|");
    out.push_str(&t.columns.iter().map(|c| if c.numeric { "---:|" } else { "---|" }).collect::<String>());
    out.push('\n');
    for row in &t.rows {
        out.push_str(&format!("| {} | ", esc(row.id.clone())));
        out.push_str(&row.cells.iter().map(|c| esc(cell_text(c, lang, k))).collect::<Vec<_>>().join(" | "));
        out.push_str(" |\n");
    }
    out.into_bytes()
}
