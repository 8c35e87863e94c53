//! `bsb export qdc --out FILE [--lang L]`.

use std::path::Path;

use crate::config::Config;
use crate::problem::Result;

/// Run `bsb export qdc`.
pub fn qdc(cfg: &Config, out: &Path, lang: Option<&str>) -> Result<()> {
    let wrote = crate::import::export_qdc(&cfg.data, out, lang)?;
    cfg.say(wrote);
    Ok(())
}
