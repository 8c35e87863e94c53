//! `bsb import qdpx|qdc FILE --into DIR`: bring coded data in, then say what to run next.

use std::path::Path;

use crate::config::{beside, Config};
use crate::problem::Result;

/// Run `bsb import qdpx`.
pub fn qdpx(cfg: &Config, file: &Path, into: &Path, maps: &[String], langs: &[String]) -> Result<()> {
    crate::import::import_qdpx(file, into, maps, langs, cfg.quiet)?;
    advise(cfg, into);
    Ok(())
}

/// Run `bsb import qdc`.
pub fn qdc(cfg: &Config, file: &Path, into: &Path, langs: &[String]) -> Result<()> {
    crate::import::import_qdc(file, into, langs, cfg.quiet)
}

/// The commands that work on the new data directory as it stands, outputs beside it.
fn advise(cfg: &Config, into: &Path) {
    let data = into.display();
    cfg.say(format!(
        "next: `bsb check --data {data}`, then `bsb build --data {data}` (tables, figures and PDFs go to {})",
        beside(into).display()
    ));
}
