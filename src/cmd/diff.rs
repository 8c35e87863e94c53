//! `bsb diff OLD NEW [--format md]`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::args::DiffFormat;
use crate::config;
use crate::diff::{compare, tables, tables_among};
use crate::problem::{build_err, Result};

/// Run `bsb diff`: print each difference, or that there is none.
pub fn run(old: &str, new: &str, format: DiffFormat) -> Result<()> {
    let lines = compare(&resolve(old)?, &resolve(new)?, format == DiffFormat::Md)?;
    if lines.is_empty() {
        crate::cmd::print(&format!("no table changed between {old} and {new}\n"));
    }
    crate::cmd::print(&lines.iter().map(|l| format!("{l}\n")).collect::<String>());
    Ok(())
}

/// OLD or NEW: a directory of tables (a study's folder stands for its `report/tables`), or
/// else a git revision's `report/tables`.
fn resolve(spec: &str) -> Result<BTreeMap<String, Vec<u8>>> {
    let given = Path::new(spec);
    if given.is_dir() {
        let nested = given.join("report/tables");
        let found = tables(if nested.is_dir() { &nested } else { given })?;
        if found.is_empty() {
            // Every table "removed" would be the wrong answer to a wrong path.
            return Err(build_err(format!(
                "`{spec}` holds no tables (*.csv) and no report/tables: give a folder of tables, a study's folder or a git revision"
            )));
        }
        return Ok(found);
    }
    Ok(tables_among(config::files_at_revision(spec, "report/tables")?))
}
