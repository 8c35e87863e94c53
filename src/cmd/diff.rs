//! `bsb diff OLD NEW [--format md]`.

use crate::args::DiffFormat;
use crate::diff::{compare, tables};
use crate::problem::Result;

/// Run `bsb diff`: print each difference, or that there is none.
pub fn run(old: &str, new: &str, format: DiffFormat) -> Result<()> {
    let lines = compare(&tables(old)?, &tables(new)?, format == DiffFormat::Md)?;
    if lines.is_empty() {
        crate::cmd::print(&format!("no table changed between {old} and {new}\n"));
    }
    crate::cmd::print(&lines.iter().map(|l| format!("{l}\n")).collect::<String>());
    Ok(())
}
