//! `bsb build`: the pipeline's products, typeset where needed, written all or nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::cmd::load_and_validate;
use crate::config::{Config, GitState};
use crate::incremental;
use crate::manifest;
use crate::pipeline::{self, Edition, Stamp};
use crate::problem::{build_err, Failure, Result};
use crate::releases;
use crate::store;
use crate::study::{self, Study};
use crate::typeset;

/// Run `bsb build`, waiting for any other build of the same output tree first.
pub fn run(cfg: &Config) -> Result<()> {
    let _lock = store::lock(&cfg.out, cfg.quiet)?;
    build_locked(cfg)
}

/// A build for a caller that already holds the lock (`bsb watch`).
pub fn build_locked(cfg: &Config) -> Result<()> {
    let t0 = Instant::now();
    for line in store::recover(&cfg.out)? {
        cfg.say(format!("cleaned up after an interrupted build: {line}"));
    }
    let git = cfg.git.as_ref().map(|g| {
        let dirty: Vec<&str> = g.dirty.iter().map(|d| d.rel.as_str()).collect();
        format!("{} {}", g.commit, dirty.join(" "))
    });
    let settings = [("commit", git.unwrap_or_default()), ("SOURCE_DATE_EPOCH", cfg.source_date_epoch.clone())];
    let fingerprint = incremental::fingerprint(&cfg.data, &cfg.out, &settings)?;
    let step = cfg.step;
    let unchanged = incremental::unchanged(&cfg.out, &fingerprint, step);
    if unchanged && cfg.emit_typst.is_none() {
        if cfg.explain {
            eprintln!("skip     every stage: no input changed and every output is as the last build wrote it");
        }
        cfg.say(format!("nothing changed ({:.2}s)", t0.elapsed().as_secs_f64()));
        return Ok(());
    }
    let checked = load_and_validate(&cfg.data)?;
    for w in &checked.warnings {
        cfg.say(format!("warning: {w}"));
    }
    let study = &checked.study;
    let previous = incremental::previous_at(&cfg.out, step);
    let mut p = pipeline::products_at(study, previous.privacy.as_ref(), step)?;
    if cfg.explain {
        incremental::explain_inputs(&previous, &p.manifest.inputs);
    }
    cfg.say(format!("analysed and drew figures in {:.2}s", t0.elapsed().as_secs_f64()));
    if p.analysis.privacy.untried > 0 {
        cfg.say(format!(
            "warning: privacy: secondary suppression reached its work limit, so {} hidden cell(s) stay hidden without being tried (safe, but more is hidden than needed; `bsb check --explain-privacy` lists them)",
            p.analysis.privacy.untried
        ));
    }

    let releases = releases::read_all(&cfg.out)?;
    let stamp = stamp(cfg, study);
    let editions = pipeline::editions_at(study, &mut p, &releases, &stamp, step)?;
    if let Some(dir) = &cfg.emit_typst {
        for e in &editions {
            emit_typst(&dir.join(&e.lang), e)?;
        }
        cfg.say(format!("wrote the typst sources to {}", dir.display()));
    }
    if unchanged {
        if cfg.explain {
            eprintln!(
                "skip     typesetting and writing: no input changed and every output is as the last build wrote it"
            );
        }
        cfg.say(format!("nothing changed ({:.2}s)", t0.elapsed().as_secs_f64()));
        return Ok(());
    }

    typeset_all(cfg, &previous, &editions, &mut p)?;
    for (path, bytes) in &p.files.0 {
        p.manifest.outputs.insert(path.clone(), manifest::sha256(bytes));
    }
    if cfg.explain {
        incremental::explain_writes(&p.files.0, &cfg.out);
    }
    p.files.add(incremental::manifest_file(step), p.manifest.to_bytes());
    let written = store::commit(&p.files, &cfg.out, cfg.faults)?;
    for rel in store::retire(&previous.outputs, &p.manifest.outputs, &cfg.out)? {
        cfg.say(format!("removed {rel}: this build no longer produces it"));
    }
    incremental::record(&cfg.out, &fingerprint, step)?;
    cfg.say(format!("built in {:.2}s; {} file(s) changed", t0.elapsed().as_secs_f64(), written.len()));
    Ok(())
}

/// Typeset every edition: each makes two files, its PDF and its web page, each typeset
/// only when its own sources changed (else the last build's file and hash stand).
fn typeset_all(
    cfg: &Config,
    previous: &manifest::Manifest,
    editions: &[Edition],
    p: &mut pipeline::Products,
) -> Result<()> {
    let tasks: Vec<(&Edition, Format)> = editions.iter().flat_map(|e| [(e, Format::Pdf), (e, Format::Html)]).collect();
    let results: Vec<Result<(String, Option<Vec<u8>>, String)>> =
        tasks.into_par_iter().map(|(e, format)| typeset_one(cfg, previous, e, format)).collect();
    for r in results {
        let (pdf, bytes, source_hash) = r?;
        p.manifest.typeset_from.insert(pdf.clone(), source_hash);
        match bytes {
            Some(b) => p.files.add(pdf, b),
            None => {
                let hash = previous.outputs.get(&pdf).cloned().unwrap_or_default();
                p.manifest.outputs.insert(pdf, hash);
            }
        }
    }
    Ok(())
}

/// The two files of an edition.
#[derive(Clone, Copy)]
enum Format {
    Pdf,
    Html,
}

/// Typeset one file of an edition, or keep the one on disk when its sources did not
/// change: its path, its new bytes (none when kept) and the hash of its sources.
fn typeset_one(
    cfg: &Config,
    previous: &manifest::Manifest,
    e: &Edition,
    format: Format,
) -> Result<(String, Option<Vec<u8>>, String)> {
    let (path, hash) = match format {
        Format::Pdf => (&e.pdf, &e.source_hash),
        Format::Html => (&e.html, &e.html_hash),
    };
    let Some(reason) = incremental::typeset_reason(previous, &cfg.out, path, hash) else {
        if cfg.explain {
            eprintln!("skip     {path}: its typst sources are unchanged");
        }
        return Ok((path.clone(), None, hash.clone()));
    };
    if cfg.explain {
        eprintln!("typeset  {path}: {reason}");
    }
    let t = Instant::now();
    let typeset = match format {
        Format::Pdf => typeset::typeset(&e.job).map(|p| (p.bytes, p.warnings)),
        Format::Html => typeset::html::typeset_html(&typeset::html::job(&e.job)).map(|p| (p.bytes, p.warnings)),
    };
    let (bytes, warnings) = typeset.map_err(|f| match f {
        Failure::Build(m) => build_err(format!("{path}: {m}")),
        other => other,
    })?;
    for w in &warnings {
        cfg.say(format!("warning: {path}: {w}"));
    }
    cfg.say(format!("typeset {path} in {:.2}s", t.elapsed().as_secs_f64()));
    Ok((path.clone(), Some(bytes), hash.clone()))
}

/// The date, the commit, and (when the data has uncommitted changes) the study as
/// committed, so each edition can say whether the changes reach it. `bsb check` uses the
/// same stamp, so its sources hash as the build's did.
pub(crate) fn stamp(cfg: &Config, study: &Study) -> Stamp {
    let dirty = cfg.git.as_ref().is_some_and(|g| !g.dirty.is_empty());
    let langs = &study.meta.languages;
    let edition_commits = match &cfg.git {
        Some(g) if langs.len() > 1 => langs
            .iter()
            .filter_map(|lang| {
                let hidden: Vec<String> = langs
                    .iter()
                    .filter(|l| *l != lang)
                    .flat_map(|l| [format!("prose/{l}"), format!("words/{l}.toml")])
                    .collect();
                Some((lang.clone(), g.last_commit_outside(&cfg.data, &hidden)?))
            })
            .collect(),
        _ => Default::default(),
    };
    Stamp {
        date: cfg.date,
        commit: cfg.git.as_ref().map(|g| g.commit.clone()),
        edition_commits,
        dirty,
        committed: if dirty { cfg.git.as_ref().and_then(|g| committed_cached(&cfg.data, g)) } else { None },
    }
}

/// The study's part of each language's view ([`pipeline::study_views`]) of
/// [`committed_study`], remembered per commit for the life of the process: `bsb watch`
/// rebuilds on every save, and the committed study only changes with the commit.
fn committed_cached(data: &Path, git: &GitState) -> Option<BTreeMap<String, String>> {
    type Views = Option<BTreeMap<String, String>>;
    static CACHE: std::sync::Mutex<Option<(PathBuf, String, Views)>> = std::sync::Mutex::new(None);
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((dir, commit, views)) = cache.as_ref() {
        if dir == data && *commit == git.commit {
            return views.clone();
        }
    }
    let views = committed_study(data, git).map(|s| pipeline::study_views(&s));
    *cache = Some((data.to_path_buf(), git.commit.clone(), views.clone()));
    views
}

/// The study as the last commit has it: a copy of the data directory with each changed
/// file replaced by its committed bytes (or left out, if it is new). `None` when it
/// cannot be read; then every edition counts as changed.
fn committed_study(data: &Path, git: &GitState) -> Option<Study> {
    let name = data
        .file_name()
        .map(PathBuf::from)
        .or_else(|| std::fs::canonicalize(data).ok().and_then(|p| p.file_name().map(PathBuf::from)))?;
    let tmp = std::env::temp_dir().join(format!("bsb-committed-{}", std::process::id()));
    let copy = tmp.join(name);
    let result = (|| -> Option<Study> {
        crate::store::copy_dir(data, &copy).ok()?;
        for d in &git.dirty {
            let target = copy.join(&d.rel);
            let _ = std::fs::remove_file(&target);
            if let Some(bytes) = git.committed_bytes(d) {
                store::write_file(&target, &bytes).ok()?;
            }
        }
        study::load(&copy, &crate::lang::Lang::yes_no).ok().map(|(s, _)| s)
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

/// `--emit-typst DIR`: one edition's `main.typ` and every file it reads, under `DIR/<lang>`.
fn emit_typst(base: &Path, e: &Edition) -> Result<()> {
    store::write_file(&base.join("main.typ"), e.job.main.as_bytes())?;
    for (path, bytes) in &e.job.files {
        store::write_file(&base.join(path), bytes)?;
    }
    Ok(())
}
