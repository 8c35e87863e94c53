//! `bsb release`: record the current build as `report/releases/<version>.json`. The
//! committed outputs must be current, and a version is released once: a second release of
//! the same version with other content is refused (raise `version` in study.toml).

use crate::cmd::check;
use crate::config::Config;
use crate::incremental::MANIFEST;
use crate::manifest::Manifest;
use crate::pipeline;
use crate::problem::{build_err, Result};
use crate::releases::Release;
use crate::store::{self, Outputs};

/// Run `bsb release`.
pub fn run(cfg: &Config, allow_dirty: bool) -> Result<()> {
    let _lock = store::lock(&cfg.out, cfg.quiet)?;
    // As `cargo publish`: a release records committed data, so that its commit says what
    // it was made from.
    if let Some(g) = cfg.git.as_ref().filter(|g| !g.dirty.is_empty() && !allow_dirty) {
        let files: Vec<&str> = g.dirty.iter().take(5).map(|d| d.rel.as_str()).collect();
        let more = if g.dirty.len() > 5 { format!(" and {} more", g.dirty.len() - 5) } else { String::new() };
        return Err(build_err(format!(
            "the data directory has uncommitted changes ({}{more}): commit them before a release, or pass --allow-dirty",
            files.join(", ")
        )));
    }
    let checked = check::current(cfg)?;
    let manifest = Manifest::read(&cfg.out.join(MANIFEST))
        .ok_or_else(|| build_err(format!("no {MANIFEST} in {}: run `bsb build` first", cfg.out.display())))?;
    // The last build must have been made from the data as it is now (prose included, which
    // no committed table shows), or the release would record outputs of other inputs.
    let now = pipeline::products(&checked.study, manifest.privacy.as_ref())?.manifest.inputs;
    let changed: Vec<&String> =
        now.iter().filter(|(k, v)| manifest.inputs.get(*k) != Some(*v)).map(|(k, _)| k).collect();
    if !changed.is_empty() {
        let names: Vec<&str> = changed.iter().take(5).map(|s| s.as_str()).collect();
        return Err(build_err(format!(
            "{} changed since the last build: run `bsb build`, then release",
            names.join(", ")
        )));
    }
    let (y, m, d) = pipeline::document_date(&checked.study, cfg.date)?;
    let version = checked.study.meta.version.clone();
    let release = Release { version: version.clone(), date: format!("{y:04}-{m:02}-{d:02}"), manifest };
    let rel = Release::path(&version);
    let bytes = release.to_bytes();
    if let Ok(existing) = std::fs::read(cfg.out.join(&rel)) {
        if existing == bytes {
            eprintln!("release {version} is already recorded");
            return Ok(());
        }
        return Err(build_err(format!(
            "version {version} was already released with other content ({}); raise `version` in study.toml",
            cfg.out.join(&rel).display()
        )));
    }
    let mut outputs = Outputs::default();
    outputs.add(rel, bytes);
    store::commit(&outputs, &cfg.out, cfg.faults)?;
    cfg.say(format!("recorded release {version}; run `bsb build` to add it to the version history"));
    Ok(())
}
