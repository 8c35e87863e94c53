//! `bsb diff OLD NEW`: what changed between two sets of tables, per table: rows added,
//! rows removed, and each changed cell as old → new, keyed by row id and column. OLD and
//! NEW are directories of tables or git revisions (their `report/tables`, which the
//! command asks git for through [`crate::config`]).

use crate::problem::{build_err, IoContext, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// A table as read back from CSV: header and rows keyed by their id (the first column).
type TableRows = (Vec<String>, BTreeMap<String, Vec<String>>);

fn parse_csv(bytes: &[u8]) -> Result<TableRows> {
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header: Vec<String> = r.headers().map_err(|e| build_err(e.to_string()))?.iter().map(str::to_string).collect();
    let mut rows = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| build_err(e.to_string()))?;
        let cells: Vec<String> = rec.iter().map(str::to_string).collect();
        rows.insert(cells.first().cloned().unwrap_or_default(), cells);
    }
    Ok((header, rows))
}

/// The tables of a directory of CSV files, by file stem.
pub fn tables(dir: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).at("list", dir)? {
        let p = e.at("list", dir)?.path();
        if p.extension().and_then(|x| x.to_str()) == Some("csv") {
            let stem = p.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            out.insert(stem, std::fs::read(&p).at("read", &p)?);
        }
    }
    Ok(out)
}

/// The tables among files named `<table>.csv` (as a git revision's folder lists them), by stem.
pub fn tables_among(files: BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    files.into_iter().filter_map(|(name, bytes)| Some((name.strip_suffix(".csv")?.to_string(), bytes))).collect()
}

/// The differences as lines of text; empty when the table sets are equal.
pub fn compare(old: &BTreeMap<String, Vec<u8>>, new: &BTreeMap<String, Vec<u8>>, md: bool) -> Result<Vec<String>> {
    let mut lines = Vec::new();
    let names: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let code = |s: &str| if md { format!("`{s}`") } else { s.to_string() };
    for name in names {
        match (old.get(name), new.get(name)) {
            (None, Some(_)) => lines.push(format!("{} {}: new table", if md { "-" } else { "+" }, code(name))),
            (Some(_), None) => lines.push(format!("{} {}: table removed", if md { "-" } else { "-" }, code(name))),
            (Some(a), Some(b)) if a == b => {}
            (Some(a), Some(b)) => {
                let (ha, ra) = parse_csv(a)?;
                let (hb, rb) = parse_csv(b)?;
                lines.push(if md { format!("### {name}") } else { format!("== {name}") });
                for id in ra.keys().filter(|id| !rb.contains_key(*id)) {
                    lines.push(format!("{} row removed: {}", if md { "-" } else { "  -" }, code(id)));
                }
                for id in rb.keys().filter(|id| !ra.contains_key(*id)) {
                    lines.push(format!("{} row added: {}", if md { "-" } else { "  +" }, code(id)));
                }
                for (id, new_row) in &rb {
                    let Some(old_row) = ra.get(id) else { continue };
                    for (i, col) in hb.iter().enumerate().skip(1) {
                        let old_i = ha.iter().position(|h| h == col);
                        let before = old_i.and_then(|j| old_row.get(j)).map(String::as_str).unwrap_or("");
                        let after = new_row.get(i).map(String::as_str).unwrap_or("");
                        if before != after {
                            lines.push(format!(
                                "{} {} {}: {} → {}",
                                if md { "-" } else { "  ~" },
                                code(id),
                                code(col),
                                code(before),
                                code(after)
                            ));
                        }
                    }
                }
            }
            (None, None) => {}
        }
    }
    Ok(lines)
}
