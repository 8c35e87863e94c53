//! `bsb check`: load and validate, then compare the committed tables and figures with what
//! the data produces now, naming every stale file.

use crate::cmd::{load_and_validate, Checked};
use crate::config::Config;
use crate::incremental::MANIFEST;
use crate::pipeline;
use crate::problem::{Failure, Problem, Result};

/// Run `bsb check`.
pub fn run(cfg: &Config, explain_privacy: bool) -> Result<()> {
    let checked = current(cfg)?;
    for w in &checked.warnings {
        eprintln!("warning: {w}");
    }
    if explain_privacy {
        crate::cmd::print(&crate::privacy::explain_text(&checked.study).map_err(crate::problem::build_err)?);
    }
    cfg.say("ok: the study is valid and the committed tables and figures are current");
    Ok(())
}

/// The checked study, when the outputs beside it are current. A study that was never
/// built (no manifest in the output tree, as right after `bsb import`) has nothing stale.
pub fn current(cfg: &Config) -> Result<Checked> {
    let checked = load_and_validate(&cfg.data)?;
    let cached = crate::manifest::Manifest::read(&cfg.out.join(MANIFEST)).and_then(|m| m.privacy);
    let p = pipeline::products(&checked.study, cached.as_ref())?;
    let built = cfg.out.join(MANIFEST).exists();
    let mut stale = Vec::new();
    for (path, bytes) in &p.files.0 {
        let current = std::fs::read(cfg.out.join(path)).ok();
        let message = match current {
            Some(c) if c == *bytes => continue,
            Some(_) => "is stale: the data produces different content; run `bsb build`",
            None if built => "is missing: run `bsb build`",
            None => continue,
        };
        stale.push(Problem { file: path.clone(), line: None, field: String::new(), message: message.into() });
    }
    if !stale.is_empty() {
        return Err(Failure::Data(stale));
    }
    Ok(checked)
}
