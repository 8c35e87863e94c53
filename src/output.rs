//! Writing outputs: tables as CSV (for machines and diffs) and Markdown (for reviewers),
//! and the all-or-nothing commit of a build's files. Every output of a build is made in
//! memory first; only when all of them exist are they written to temporary files beside
//! their targets and renamed into place, so a failed build leaves the last good outputs.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::analysis::{Cell, Shown, Table};
use crate::lang::Lang;
use crate::problem::{build_err, Result};
use crate::render::{cell_text, header_text};
use crate::study::Study;

/// A table cell in the language-neutral form of the committed CSV files.
fn csv_value(cell: &Cell, k: u32) -> String {
    match cell {
        Cell::Plain(s) => s.clone(),
        Cell::Text(_) => unreachable!("text cells are split by language"),
        Cell::Key(key) => key.clone(),
        Cell::Count(v) => v.to_string(),
        Cell::Protected(Shown::Value(v)) => v.to_string(),
        Cell::Protected(Shown::Small) => format!("<{k}"),
        Cell::Protected(Shown::Hidden) => ":".into(),
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
pub fn table_csv(t: &Table, study: &Study) -> Result<Vec<u8>> {
    let langs = &study.meta.languages;
    let k = study.meta.small_cell_k;
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
pub fn table_md(t: &Table, study: &Study, lang: &Lang) -> Vec<u8> {
    let k = study.meta.small_cell_k;
    let esc = |s: String| s.replace('|', "\\|").replace('\n', " ");
    let mut out = format!("# {}\n\n", lang.word(&format!("cap_{}", t.name)));
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

/// The files of one build, keyed by path relative to the output root.
#[derive(Default)]
pub struct Outputs(pub BTreeMap<String, Vec<u8>>);

impl Outputs {
    pub fn add(&mut self, path: impl Into<String>, bytes: Vec<u8>) {
        self.0.insert(path.into(), bytes);
    }

    /// Write every file to a temporary sibling, then rename each into place. A file whose
    /// bytes are already on disk is left alone, so its modification time says when it
    /// last changed.
    pub fn commit(&self, root: &Path) -> Result<Vec<String>> {
        let mut staged: Vec<(PathBuf, PathBuf, String)> = Vec::new();
        for (rel, bytes) in &self.0 {
            let target = root.join(rel);
            if fs::read(&target).map(|old| &old == bytes).unwrap_or(false) {
                continue;
            }
            let dir = target.parent().ok_or_else(|| build_err(format!("no parent for {rel}")))?;
            fs::create_dir_all(dir)?;
            let tmp =
                dir.join(format!(".{}.tmp-{}", target.file_name().unwrap().to_string_lossy(), std::process::id()));
            if let Err(e) = fs::write(&tmp, bytes) {
                for (t, _, _) in &staged {
                    let _ = fs::remove_file(t);
                }
                let _ = fs::remove_file(&tmp);
                return Err(build_err(format!("cannot write {}: {e}", tmp.display())));
            }
            staged.push((tmp, target, rel.clone()));
        }
        let mut written = Vec::new();
        for (tmp, target, rel) in staged {
            fs::rename(&tmp, &target)
                .map_err(|e| build_err(format!("cannot rename into {}: {e}", target.display())))?;
            written.push(rel);
        }
        Ok(written)
    }
}
