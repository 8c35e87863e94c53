//! `bsb check`: load and validate, render and typeset every edition in memory (nothing is
//! written), then compare the committed tables and figures with what the data produces
//! now. It fails on everything `bsb build` would fail on, and on every stale file.

use rayon::prelude::*;

use crate::cmd::{load_and_validate, Checked};
use crate::config::Config;
use crate::incremental::MANIFEST;
use crate::pipeline::{self, Products};
use crate::problem::{Failure, Problem, Result};

/// Run `bsb check`.
pub fn run(cfg: &Config, explain_privacy: bool, accept: &[String]) -> Result<()> {
    if !accept.is_empty() {
        accept_translations(cfg, accept)?;
    }
    let checked = load_and_validate(&cfg.data)?;
    let mut p = pipeline::products(&checked.study, cached_privacy(cfg).as_ref())?;
    typeset_in_memory(cfg, &checked, &mut p)?;
    let mut stale = stale_files(cfg, &p);
    stale.extend(crate::translations::stale(&checked.study));
    let data =
        cfg.data.file_name().map_or_else(|| cfg.data.display().to_string(), |n| n.to_string_lossy().into_owned());
    stale.extend(crate::translations::stale_rows(&checked.study, &data));
    if !stale.is_empty() {
        return Err(Failure::Data(stale));
    }
    for w in &checked.warnings {
        eprintln!("warning: {w}");
    }
    if explain_privacy {
        crate::cmd::print(
            &crate::privacy::explain_text(&checked.study, Some(&p.analysis.privacy.solved))
                .map_err(crate::problem::build_err)?,
        );
    }
    cfg.say("ok: the study is valid, every edition typesets, and the committed tables and figures are current");
    Ok(())
}

/// The last build's privacy answer, so an unchanged study is not solved again.
fn cached_privacy(cfg: &Config) -> Option<crate::manifest::Solved> {
    crate::manifest::Manifest::read(&cfg.out.join(MANIFEST)).and_then(|m| m.privacy)
}

/// `--accept FILE[:LINE]`: record each named translation as current, in its file.
fn accept_translations(cfg: &Config, accept: &[String]) -> Result<()> {
    let (study, _) = crate::study::load(&cfg.data, &crate::lang::Lang::yes_no)?;
    for spec in accept {
        let (file, line) = match spec.rsplit_once(':') {
            Some((f, l)) if l.chars().all(|c| c.is_ascii_digit()) && !l.is_empty() => (f, l.parse().ok()),
            _ => (spec.as_str(), None),
        };
        // Messages name files by the data folder's name (`data/prose/en/x.typ`); a path
        // given from elsewhere is matched by its end.
        let Some(prose) = study.prose.iter().find(|p| p.file == file || file.ends_with(&format!("/{}", p.file))) else {
            return Err(crate::problem::build_err(format!("--accept {spec}: no prose file {file} in this study")));
        };
        let Some(text) = crate::translations::accept(&study, &prose.file, line) else {
            return Err(crate::problem::build_err(format!(
                "--accept {spec}: nothing to mark (is it a second-language prose file, and does the line hold a `// translates` marker?)"
            )));
        };
        let rel = prose.file.split_once('/').map_or(prose.file.as_str(), |(_, r)| r);
        crate::store::write_file(&cfg.data.join(rel), text.as_bytes())?;
        cfg.say(format!("marked {spec} as translating its source as it is now"));
    }
    Ok(())
}

/// Render and typeset every edition of both reports as a build would, keeping nothing: every prose error
/// of every language, then typst's errors of every edition, all at once. An edition whose
/// typst sources are exactly those the last build typeset without error is not typeset
/// again: the same sources give the same answer, and `check` stays quick on a built study.
fn typeset_in_memory(cfg: &Config, checked: &Checked, p: &mut Products) -> Result<()> {
    let releases = crate::releases::read_all(&cfg.out)?;
    let stamp = crate::cmd::build::stamp(cfg, &checked.study);
    let mut editions = Vec::new();
    // Both steps of the method: the final report, then the process report (from the same
    // analysis; each skipped when its own last build typeset exactly these inputs).
    for step in [crate::study::Step::Final, crate::study::Step::Process] {
        let made = pipeline::editions_at(&checked.study, p, &releases, &stamp, step, &[])?;
        let previous = crate::incremental::previous_at(&cfg.out, step);
        // The last build typeset every edition from exactly these inputs without an error;
        // only its stamp (the commit it names) can differ, and a stamp cannot make typst fail.
        let built_from_these =
            previous.inputs == p.manifest.inputs && made.iter().all(|e| previous.typeset_from.contains_key(&e.pdf));
        editions.extend(
            made.into_iter().filter(|e| !built_from_these && previous.typeset_from.get(&e.pdf) != Some(&e.source_hash)),
        );
    }
    let results: Vec<Result<()>> = editions.par_iter().map(|e| crate::typeset::typeset(&e.job).map(|_| ())).collect();
    let mut placed = Vec::new();
    for r in results {
        match r {
            Ok(()) => {}
            Err(Failure::Diagnostics(ds)) => {
                for d in ds {
                    if !placed.contains(&d) {
                        placed.push(d);
                    }
                }
            }
            Err(other) => return Err(other),
        }
    }
    if placed.is_empty() {
        Ok(())
    } else {
        Err(Failure::Diagnostics(placed))
    }
}

/// Every committed table or figure that differs from what the data produces now. A study
/// that was never built (no manifest in the output tree, as right after `bsb import`) has
/// nothing stale.
fn stale_files(cfg: &Config, p: &Products) -> Vec<Problem> {
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
    stale
}

/// The checked study, when the outputs beside it are current.
pub fn current(cfg: &Config) -> Result<Checked> {
    let checked = load_and_validate(&cfg.data)?;
    let p = pipeline::products(&checked.study, cached_privacy(cfg).as_ref())?;
    let stale = stale_files(cfg, &p);
    if !stale.is_empty() {
        return Err(Failure::Data(stale));
    }
    Ok(checked)
}
