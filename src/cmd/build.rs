//! `bsb build`: the pipeline's products, typeset where needed, written all or nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::cmd::{load_and_validate, Checked};
use crate::config::{Config, GitState};
use crate::incremental;
use crate::manifest;
use crate::pipeline::{self, EditionJob, Stamp};
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

/// A build for a caller that already holds the lock.
pub fn build_locked(cfg: &Config) -> Result<()> {
    build_with(cfg, None, &mut Committed::default(), None)
}

/// The data directory's files: path relative to it → content hash (`bsb watch`'s view).
pub(crate) type Snapshot = BTreeMap<String, String>;

/// What `bsb watch` keeps in memory from one build to the next: the study as last read
/// (with the snapshot of the files it was read from), its checks' warnings, its analysis
/// and figures, and the editions last rendered. A save that changed only prose files
/// reads just those again and re-renders only the editions they reach; anything else
/// starts from the files, as `bsb build` does.
pub(crate) struct Warm {
    /// The files the study below was read from.
    snapshot: Snapshot,
    /// The study, valid, with its warnings.
    checked: Checked,
    /// The products before any edition was rendered (the manifest's inputs kept current).
    products: pipeline::Products,
    /// The editions last rendered, to be reused where nothing they read has changed.
    editions: Vec<EditionJob>,
    /// Each prose file's text as it last passed the checks (by its name in messages).
    passed: BTreeMap<String, String>,
}

/// `bsb watch`'s build, under the lock: `warm` is what the last build kept (none at
/// first, or after a build that failed before its study was checked), `snapshot` the data
/// directory's files now.
/// `committed` is the watcher's memory of the committed study's views, kept for as long
/// as the commit is the same.
pub(crate) fn build_watched(
    cfg: &Config,
    warm: &mut Option<Warm>,
    committed: &mut Committed,
    snapshot: &Snapshot,
    another_save: &dyn Fn() -> bool,
) -> Result<()> {
    build_with(cfg, Some((warm, snapshot)), committed, Some(another_save))
}

/// A build; with `watch`, from and into the watcher's memory.
fn build_with(
    cfg: &Config,
    watch: Option<(&mut Option<Warm>, &Snapshot)>,
    committed: &mut Committed,
    another_save: Option<&dyn Fn() -> bool>,
) -> Result<()> {
    let Some(run) = begin(cfg, another_save)? else { return Ok(()) };
    match watch {
        None => {
            let checked = load_and_validate(&cfg.data)?;
            let p = pipeline::products_at(&checked.study, run.previous.privacy.as_ref(), cfg.step)?;
            render_and_write(&run, &checked, p, committed, None)
        }
        Some((slot, snapshot)) => {
            let warm = prepare(&run, slot, snapshot)?;
            let p = warm.products.clone();
            render_and_write(&run, &warm.checked, p, committed, Some(&mut warm.editions))
        }
    }
}

/// A build under way: what it was asked, what the last one left, and when it began.
struct Run<'a> {
    /// The configuration.
    cfg: &'a Config,
    /// The last build's manifest (of this step).
    previous: manifest::Manifest,
    /// Everything this build reads, hashed.
    fingerprint: String,
    /// Nothing it reads changed, and every output is as the last build wrote it (only
    /// `--emit-typst` goes on then).
    unchanged: bool,
    /// When it began.
    t0: Instant,
    /// For `bsb watch`: the PDFs are written as soon as they are typeset, before the
    /// web pages are (a web page that then fails leaves the PDF new and the rest as it was).
    watching: bool,
    /// For `bsb watch`: asked once the PDFs are written, whether another save came in the
    /// meantime (it waits a moment for one). Then the web pages are left for a build
    /// after the saves stop: typst cannot be stopped, so typesetting them now would make
    /// the next save's PDF wait.
    another_save: Option<&'a dyn Fn() -> bool>,
}

/// Start a build: clean up after an interrupted one, fingerprint the inputs, and say
/// `None` when there is nothing to do.
fn begin<'a>(cfg: &'a Config, another_save: Option<&'a dyn Fn() -> bool>) -> Result<Option<Run<'a>>> {
    let watching = another_save.is_some();
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
    let unchanged = incremental::unchanged(&cfg.out, &fingerprint, cfg.step);
    if unchanged && cfg.emit_typst.is_none() {
        if cfg.explain {
            eprintln!("skip     every stage: no input changed and every output is as the last build wrote it");
        }
        cfg.say(format!("nothing changed ({:.2}s)", t0.elapsed().as_secs_f64()));
        return Ok(None);
    }
    let previous = incremental::previous_at(&cfg.out, cfg.step);
    Ok(Some(Run { cfg, previous, fingerprint, unchanged, t0, watching, another_save }))
}

/// Render the editions of a checked study from its products, then typeset and write what
/// changed. `committed`: the committed study's views, as far as known (see [`Committed`]);
/// `reuse`: the editions the watcher keeps, reused where nothing they read has changed and
/// replaced by the ones rendered here.
fn render_and_write(
    run: &Run<'_>,
    checked: &Checked,
    mut p: pipeline::Products,
    committed: &mut Committed,
    reuse: Option<&mut Vec<EditionJob>>,
) -> Result<()> {
    let (cfg, t0) = (run.cfg, run.t0);
    for w in &checked.warnings {
        cfg.say(format!("warning: {w}"));
    }
    let study = &checked.study;
    if cfg.explain {
        incremental::explain_inputs(&run.previous, &p.manifest.inputs);
    }
    cfg.say(format!("analysed and drew figures in {:.2}s", t0.elapsed().as_secs_f64()));
    if p.analysis.privacy.untried > 0 {
        cfg.say(format!(
            "warning: privacy: secondary suppression reached its work limit, so {} hidden cell(s) stay hidden without being tried (safe, but more is hidden than needed; `bsb check --explain-privacy` lists them)",
            p.analysis.privacy.untried
        ));
    }

    let releases = releases::read_all(&cfg.out)?;
    let stamp = stamp_with(cfg, study, committed);
    let earlier = reuse.as_deref().map(Vec::as_slice).unwrap_or_default();
    let editions = pipeline::editions_at(study, &mut p, &releases, &stamp, cfg.step, earlier)?;
    if let Some(kept) = reuse {
        kept.clone_from(&editions);
    }
    if let Some(dir) = &cfg.emit_typst {
        for e in &editions {
            emit_typst(&dir.join(&e.lang), &e.job)?;
            emit_typst(&dir.join(format!("{}-web", e.lang)), &typeset::html::job(&e.job))?;
        }
        cfg.say(format!("wrote the typst sources to {}", dir.display()));
    }
    if run.unchanged {
        if cfg.explain {
            eprintln!(
                "skip     typesetting and writing: no input changed and every output is as the last build wrote it"
            );
        }
        cfg.say(format!("nothing changed ({:.2}s)", t0.elapsed().as_secs_f64()));
        return Ok(());
    }
    finish(run, &editions, p)
}

/// The study, checked, and its products, kept in `slot`: from what the watcher kept when
/// every file that differs from its snapshot is a prose chapter the study holds, else
/// read and analysed from the files. A kept study whose edited prose fails the checks
/// stays kept (it is the data as saved; the next save starts from it).
fn prepare<'a>(run: &Run<'_>, slot: &'a mut Option<Warm>, now: &Snapshot) -> Result<&'a mut Warm> {
    let cfg = run.cfg;
    if let Some(mut warm) = slot.take() {
        if let Some(read) = reread_prose(&cfg.data, &mut warm, now) {
            // Prose is read by some checks (citations, names, characters), never by the
            // analysis: only those checks run, on the files not yet checked as they are.
            let passed = &warm.passed;
            let unchecked = |x: &study::Prose| passed.get(&x.file) != Some(&x.text);
            let mut errors = crate::validate::validate_prose(&warm.checked.study, &unchecked);
            let names: Vec<&str> = read.iter().map(|(rel, _)| rel.as_str()).collect();
            cfg.say(format!(
                "only prose changed ({}): the study's data, analysis and figures are kept",
                names.join(", ")
            ));
            let inputs = &mut warm.products.manifest.inputs;
            for (rel, bytes) in read {
                inputs.insert(format!("data/{rel}"), manifest::sha256(&bytes));
            }
            warm.products.manifest.input_hash = manifest::combined(inputs);
            // Each language's view of the study holds its prose: made again from the
            // study as it now is (the kept ones were made before this save).
            warm.products.study_views = None;
            let warm = slot.insert(warm);
            if !errors.is_empty() {
                errors.dedup();
                return Err(Failure::Data(errors));
            }
            warm.passed = warm.checked.study.prose.iter().map(|x| (x.file.clone(), x.text.clone())).collect();
            return Ok(warm);
        }
    }
    let checked = load_and_validate(&cfg.data)?;
    let products = pipeline::products_at(&checked.study, run.previous.privacy.as_ref(), cfg.step)?;
    let passed = checked.study.prose.iter().map(|x| (x.file.clone(), x.text.clone())).collect();
    Ok(slot.insert(Warm { snapshot: now.clone(), checked, products, editions: Vec::new(), passed }))
}

/// When every file that differs between `warm`'s snapshot and `now` is a prose chapter
/// the study holds (changed, not added or removed), read those again into `warm` and
/// return each one's path and bytes; else `None`, and `warm` is not to be used.
fn reread_prose(data: &Path, warm: &mut Warm, now: &Snapshot) -> Option<Vec<(String, Vec<u8>)>> {
    let was = &warm.snapshot;
    if was.len() != now.len() || was.keys().zip(now.keys()).any(|(a, b)| a != b) {
        return None;
    }
    let changed: Vec<String> = now.iter().filter(|(k, v)| was.get(*k) != Some(*v)).map(|(k, _)| k.clone()).collect();
    if !changed.iter().all(|rel| rel.starts_with("prose/") && rel.ends_with(".typ")) {
        return None;
    }
    let mut read = Vec::new();
    for rel in changed {
        let bytes = study::load::reread_prose(data, &mut warm.checked.study, &rel)?;
        warm.snapshot.insert(rel.clone(), manifest::sha256(&bytes));
        read.push((rel, bytes));
    }
    Some(read)
}

/// Typeset what changed, then write every output at once and record the build.
fn finish(run: &Run<'_>, editions: &[EditionJob], mut p: pipeline::Products) -> Result<()> {
    let (cfg, previous, step) = (run.cfg, &run.previous, run.cfg.step);
    let (early, deferred) = typeset_all(cfg, previous, editions, &mut p, run.watching, run.another_save)?;
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
    // With web pages left for later, this build is not complete: a later one must not
    // skip them as unchanged.
    if !deferred {
        incremental::record(&cfg.out, &run.fingerprint, step)?;
    }
    cfg.say(format!("built in {:.2}s; {} file(s) changed", run.t0.elapsed().as_secs_f64(), early + written.len()));
    Ok(())
}

/// Typeset every edition: each makes two files, its PDF and its web page, each typeset
/// only when its own sources changed (else the last build's file and hash stand). With
/// `pdfs_first` (`bsb watch`), the PDFs are typeset and written first, then the web pages,
/// so a save shows in the PDF without waiting for the web page; otherwise all at once.
/// When `another_save` then says a save came in, the web pages are left as the last build
/// wrote them (and recorded so: the next build typesets them). Returns the number of files
/// written early and whether web pages were left.
fn typeset_all(
    cfg: &Config,
    previous: &manifest::Manifest,
    editions: &[EditionJob],
    p: &mut pipeline::Products,
    pdfs_first: bool,
    another_save: Option<&dyn Fn() -> bool>,
) -> Result<(usize, bool)> {
    let mut written = 0;
    let tasks: Vec<(&EditionJob, Format)> =
        editions.iter().flat_map(|e| [(e, Format::Pdf), (e, Format::Html)]).collect();
    let (first, then): (Vec<_>, Vec<_>) = match pdfs_first {
        true => tasks.into_iter().partition(|(_, f)| matches!(f, Format::Pdf)),
        false => (tasks, Vec::new()),
    };
    let mut deferred = false;
    for (n, tasks) in [first, then].into_iter().enumerate() {
        if n == 1 && !tasks.is_empty() && another_save.is_some_and(|saved| saved()) {
            for (e, _) in tasks {
                keep_previous(previous, &e.html, p);
            }
            cfg.say("web pages left for after the next save");
            deferred = true;
            break;
        }
        let results: Vec<Result<(String, Option<Vec<u8>>, String)>> =
            tasks.into_par_iter().map(|(e, format)| typeset_one(cfg, previous, e, format)).collect();
        let mut early = store::Outputs::default();
        for r in results {
            let (path, bytes, source_hash) = r?;
            p.manifest.typeset_from.insert(path.clone(), source_hash);
            match bytes {
                Some(b) => {
                    if pdfs_first && n == 0 {
                        early.add(path.clone(), b.clone());
                    }
                    p.files.add(path, b)
                }
                None => {
                    let hash = previous.outputs.get(&path).cloned().unwrap_or_default();
                    p.manifest.outputs.insert(path, hash);
                }
            }
        }
        if !early.0.is_empty() {
            written += store::commit(&early, &cfg.out, cfg.faults)?.len();
        }
    }
    Ok((written, deferred))
}

/// Record `path` as the last build left it: its file (if it has one) and the sources it
/// was typeset from stay, so the next build sees whether it is out of date.
fn keep_previous(previous: &manifest::Manifest, path: &str, p: &mut pipeline::Products) {
    if let Some(hash) = previous.outputs.get(path) {
        p.manifest.outputs.insert(path.to_string(), hash.clone());
    }
    if let Some(from) = previous.typeset_from.get(path) {
        p.manifest.typeset_from.insert(path.to_string(), from.clone());
    }
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
    e: &EditionJob,
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
    stamp_with(cfg, study, &mut Committed::default())
}

/// [`stamp`], with the committed study's views taken from `committed` when they are
/// there for this commit (and kept there when they are made).
fn stamp_with(cfg: &Config, study: &Study, committed: &mut Committed) -> Stamp {
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
        committed: if dirty { cfg.git.as_ref().and_then(|g| committed.views(&cfg.data, g)) } else { None },
    }
}

/// The study's part of each language's view ([`pipeline::study_views`]) of
/// [`committed_study`] for one commit of one data directory. `bsb watch` keeps one across
/// its builds (the committed study only changes with the commit, and reading it is a
/// whole study's load); `bsb build` and `bsb check` make it once and start empty.
#[derive(Default)]
pub(crate) struct Committed {
    /// The data directory and commit the views are of, and the views (`None` when the
    /// committed study could not be read).
    kept: Option<(PathBuf, String, Option<BTreeMap<String, String>>)>,
}

impl Committed {
    /// The views of the study as `git`'s commit has it, made when this is not the
    /// directory and commit last asked about.
    fn views(&mut self, data: &Path, git: &GitState) -> Option<BTreeMap<String, String>> {
        if let Some((dir, commit, views)) = &self.kept {
            if dir == data && *commit == git.commit {
                return views.clone();
            }
        }
        let views = committed_study(data, git).map(|s| pipeline::study_views(&s));
        self.kept = Some((data.to_path_buf(), git.commit.clone(), views.clone()));
        views
    }
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

/// `--emit-typst DIR`: one document's `main.typ` and every file it reads, under `base`:
/// `DIR/<lang>` for an edition's PDF, `DIR/<lang>-web` for its web page (the same sources
/// with web.typ as `style.typ`; typst's HTML export, before the stylesheet and the figures
/// are put into the page). A language code is letters only, so the two never meet.
fn emit_typst(base: &Path, job: &typeset::Job) -> Result<()> {
    store::write_file(&base.join("main.typ"), job.main.as_bytes())?;
    for (path, bytes) in &job.files {
        store::write_file(&base.join(path), bytes)?;
    }
    Ok(())
}
