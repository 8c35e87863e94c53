//! The one flow, in one direction: load → validate → analyse → figures → render →
//! typeset → write (with the manifest). Each stage is a plain function of what the stage
//! before returned; this module only strings them together and decides what to skip.

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::analysis::{self, Analysis};
use crate::figures::{self, Figure};
use crate::lang::{self, Lang};
use crate::manifest::{self, Manifest};
use crate::output::{self, Outputs};
use crate::problem::{build_err, Failure, Problem, Result};
use crate::render::{self, Provenance};
use crate::study::{self, Study};
use crate::typeset::{self, Job};
use crate::validate;

pub struct Options {
    pub data: PathBuf,
    pub out: PathBuf,
    pub quiet: bool,
    pub explain: bool,
    pub emit_typst: Option<PathBuf>,
}

/// A loaded, validated study with its warnings.
pub struct Checked {
    pub study: Study,
    pub warnings: Vec<Problem>,
}

pub fn load_and_validate(data: &Path) -> Result<Checked> {
    let (study, mut errors) = study::load(data)?;
    let report = validate::validate(&study);
    errors.extend(report.errors);
    if !errors.is_empty() {
        errors.sort();
        errors.dedup();
        return Err(Failure::Data(errors));
    }
    Ok(Checked { study, warnings: report.warnings })
}

/// Everything a build produces before typesetting: tables and figures as files, and the
/// rendered typst sources per language.
pub struct Products {
    pub analysis: Analysis,
    pub figures: Vec<Figure>,
    pub files: Outputs,
    pub manifest: Manifest,
}

/// The inputs of a build: the study's files, the program's templates and language files,
/// and the typst version (standing in for the embedded fonts it ships).
fn input_hashes(study: &Study) -> std::collections::BTreeMap<String, String> {
    let mut inputs = std::collections::BTreeMap::new();
    for f in &study.files {
        inputs.insert(format!("data/{}", f.path), manifest::sha256(&f.bytes));
    }
    for (path, text) in render::TEMPLATE_FILES {
        inputs.insert(path.to_string(), manifest::sha256(text.as_bytes()));
    }
    for (code, text) in lang::FILES {
        inputs.insert(format!("report/lang/{code}.toml"), manifest::sha256(text.as_bytes()));
    }
    inputs.insert("fonts/typst-assets".into(), format!("typst-assets {}", typeset::TYPST_VERSION));
    inputs
}

/// The hash of the study as one language edition sees it: every text reduced to that
/// language, prose of other languages left out, plus the program's files that edition
/// uses (templates, its language file, fonts, releases).
pub fn view_hash(study: &Study, lang: &str, inputs: &std::collections::BTreeMap<String, String>) -> String {
    fn project(v: serde_json::Value, lang: &str, langs: &[String]) -> Option<serde_json::Value> {
        use serde_json::Value;
        match v {
            Value::Object(map) => {
                let keys: Vec<&String> = map.keys().collect();
                if !keys.is_empty() && keys.len() == langs.len() && keys.iter().all(|k| langs.contains(k)) {
                    return map.get(lang).cloned();
                }
                if map.get("lang").and_then(Value::as_str).is_some_and(|l| l != lang) {
                    return None;
                }
                Some(Value::Object(map.into_iter().filter_map(|(k, v)| Some((k, project(v, lang, langs)?))).collect()))
            }
            Value::Array(items) => {
                Some(Value::Array(items.into_iter().filter_map(|v| project(v, lang, langs)).collect()))
            }
            other => Some(other),
        }
    }
    let full = serde_json::to_value(study).expect("study serialises");
    let seen = project(full, lang, &study.meta.languages).unwrap_or_default();
    let mut entries: std::collections::BTreeMap<String, String> = inputs
        .iter()
        .filter(|(k, _)| {
            !k.starts_with("data/") && !(k.starts_with("report/lang/") && !k.ends_with(&format!("/{lang}.toml")))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    entries.insert("study-view".into(), manifest::sha256(seen.to_string().as_bytes()));
    manifest::combined(&entries)
}

/// Tables and figures for the committed files; shared by `build` and `check`.
pub fn products(study: &Study) -> Result<Products> {
    let analysis = analysis::analyse(study)?;
    let langs: Vec<Lang> = study.meta.languages.iter().map(|l| Lang::load(l)).collect::<Result<_>>()?;
    let mut figures = Vec::new();
    for lang in &langs {
        figures.extend(figures::draw_all(study, &analysis, lang)?);
    }
    let mut files = Outputs::default();
    let first = &langs[0];
    for t in &analysis.tables {
        files.add(format!("report/tables/{}.csv", t.name), output::table_csv(t, study)?);
        files.add(format!("report/tables/{}.md", t.name), output::table_md(t, study, first));
    }
    for f in &figures {
        files.add(format!("figures/{}.{}.svg", f.name, f.lang), f.svg.clone().into_bytes());
    }
    let inputs = input_hashes(study);
    let manifest = Manifest {
        version: study.meta.version.clone(),
        typst: typeset::TYPST_VERSION.into(),
        commit: None,
        input_hash: manifest::combined(&inputs),
        inputs,
        ..Default::default()
    };
    Ok(Products { analysis, figures, files, manifest })
}

/// The PDF's date: `SOURCE_DATE_EPOCH` when set, else the study's date.
pub fn document_date(study: &Study) -> Result<(i32, u8, u8)> {
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs: i64 =
            epoch.trim().parse().map_err(|_| build_err(format!("SOURCE_DATE_EPOCH is not a number: {epoch}")))?;
        let dt = time::OffsetDateTime::from_unix_timestamp(secs)
            .map_err(|e| build_err(format!("SOURCE_DATE_EPOCH: {e}")))?;
        return Ok((dt.year(), dt.month() as u8, dt.day()));
    }
    study::load::parse_full_date(&study.meta.date).ok_or_else(|| build_err("the study date is not a real date"))
}

fn say(opts: &Options, msg: impl AsRef<str>) {
    if !opts.quiet {
        eprintln!("{}", msg.as_ref());
    }
}

/// Only one build writes into an output tree at a time: a second one started meanwhile
/// waits for the first to finish (and says so) rather than interleaving its files.
pub fn lock(out: &Path, quiet: bool) -> Result<std::fs::File> {
    use fs2::FileExt;
    std::fs::create_dir_all(out.join("report"))?;
    let file =
        std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(out.join("report/.bsb.lock"))?;
    if file.try_lock_exclusive().is_err() {
        if !quiet {
            eprintln!("waiting for another bsb build in {} to finish…", out.display());
        }
        file.lock_exclusive().map_err(|e| build_err(format!("cannot lock the output tree: {e}")))?;
    }
    Ok(file)
}

pub fn build(opts: &Options) -> Result<()> {
    let _lock = lock(&opts.out, opts.quiet)?;
    build_unlocked(opts)
}

/// Where the last build's fingerprint is kept: beside the PDFs, not in the committed
/// manifest, because it includes the program's identity, which changes with every code edit.
const STATE_FILE: &str = "report/out/.bsb-state.json";

/// Everything a build reads, hashed without parsing: every file of the data directory,
/// the program itself (a compile-time hash of its sources, templates, language files and
/// locked dependencies; see build.rs), the releases,
/// the git commit and `SOURCE_DATE_EPOCH`. Unchanged, the outputs are too.
fn fingerprint(opts: &Options) -> Result<String> {
    let mut entries = std::collections::BTreeMap::new();
    fn walk(base: &Path, dir: &Path, prefix: &str, out: &mut std::collections::BTreeMap<String, String>) -> Result<()> {
        let Ok(items) = std::fs::read_dir(dir) else { return Ok(()) };
        for e in items {
            let p = e?.path();
            if p.is_dir() {
                walk(base, &p, prefix, out)?;
            } else {
                let rel = p.strip_prefix(base).unwrap_or(&p).display().to_string();
                out.insert(format!("{prefix}{rel}"), manifest::sha256(&std::fs::read(&p)?));
            }
        }
        Ok(())
    }
    walk(&opts.data, &opts.data, "data/", &mut entries)?;
    walk(&opts.out.join("report/releases"), &opts.out.join("report/releases"), "releases/", &mut entries)?;
    entries.insert("program".into(), env!("BSB_PROGRAM_HASH").into());
    entries.insert("commit".into(), manifest::git_commit(&opts.data).unwrap_or_default());
    entries.insert("SOURCE_DATE_EPOCH".into(), std::env::var("SOURCE_DATE_EPOCH").unwrap_or_default());
    Ok(manifest::combined(&entries))
}

/// True when every output the manifest lists is on disk with the bytes it recorded.
fn outputs_intact(manifest: &Manifest, out: &Path) -> bool {
    !manifest.outputs.is_empty()
        && manifest
            .outputs
            .iter()
            .all(|(path, hash)| std::fs::read(out.join(path)).map(|b| &manifest::sha256(&b) == hash).unwrap_or(false))
}

/// A build for a caller that already holds the lock.
pub fn build_unlocked(opts: &Options) -> Result<()> {
    let t0 = Instant::now();
    let fingerprint = fingerprint(opts)?;
    let previous_state = std::fs::read_to_string(opts.out.join(STATE_FILE)).unwrap_or_default();
    if previous_state.trim() == fingerprint {
        if let Some(previous) = Manifest::read(&opts.out.join("report/manifest.json")) {
            if outputs_intact(&previous, &opts.out) {
                if opts.explain {
                    eprintln!("skip     every stage: no input changed and every output is as the last build wrote it");
                }
                say(opts, format!("nothing changed ({:.2}s)", t0.elapsed().as_secs_f64()));
                return Ok(());
            }
        }
    }
    let checked = load_and_validate(&opts.data)?;
    for w in &checked.warnings {
        say(opts, format!("warning: {w}"));
    }
    let study = &checked.study;
    let mut p = products(study)?;
    p.manifest.commit = manifest::git_commit(&opts.data);
    say(opts, format!("analysed and drew figures in {:.2}s", t0.elapsed().as_secs_f64()));

    let manifest_path = opts.out.join("report/manifest.json");
    let previous = Manifest::read(&manifest_path).unwrap_or_default();
    let releases = crate::release::read_all(&opts.out)?;
    for (name, bytes, _) in &releases {
        p.manifest.inputs.insert(name.clone(), manifest::sha256(bytes));
    }
    p.manifest.input_hash = manifest::combined(&p.manifest.inputs);
    let date = document_date(study)?;
    let (y, m, d) = date;
    let langs: Vec<Lang> = study.meta.languages.iter().map(|l| Lang::load(l)).collect::<Result<_>>()?;
    let mut jobs = Vec::new();
    for lang in &langs {
        // Each edition is built from the study as seen in its language; its provenance
        // names that view's hash, so an edit to the English text leaves the Norwegian PDF.
        let view = view_hash(study, &lang.code, &p.manifest.inputs);
        p.manifest.views.insert(lang.code.clone(), view.clone());
        let provenance = Provenance {
            version: study.meta.version.clone(),
            build_date: format!("{y:04}-{m:02}-{d:02}"),
            commit: p.manifest.commit.clone().unwrap_or_else(|| "-".into()),
            input_hash: view,
            typst: typeset::TYPST_VERSION.into(),
            files: p.manifest.inputs.keys().cloned().collect(),
            releases: crate::release::history(&releases),
        };
        let rendered = render::render(study, &p.analysis, &p.figures, lang, &provenance)?;
        let pdf = format!("report/out/{}-{}-{}.pdf", study.meta.slug, study.meta.version, lang.code);
        let job = Job {
            main: rendered.main,
            files: rendered.files,
            date,
            ident: format!("{}-{}", study.meta.slug, lang.code),
        };
        if let Some(dir) = &opts.emit_typst {
            let base = dir.join(&lang.code);
            std::fs::create_dir_all(&base)?;
            std::fs::write(base.join("main.typ"), &job.main)?;
            for (path, bytes) in &job.files {
                let target = base.join(path);
                std::fs::create_dir_all(target.parent().unwrap())?;
                std::fs::write(target, bytes)?;
            }
        }
        let source_hash = {
            let mut entries: std::collections::BTreeMap<String, String> =
                job.files.iter().map(|(k, v)| (k.clone(), manifest::sha256(v))).collect();
            entries.insert("main.typ".into(), manifest::sha256(job.main.as_bytes()));
            entries.insert("date".into(), format!("{y}-{m}-{d}"));
            manifest::combined(&entries)
        };
        jobs.push((pdf, job, source_hash));
    }
    // A PDF is typeset only when its sources changed or the file on disk is not the one
    // the last build wrote.
    let results: Vec<Result<(String, Option<Vec<u8>>, String)>> = jobs
        .into_par_iter()
        .map(|(pdf, job, source_hash)| {
            let on_disk = std::fs::read(opts.out.join(&pdf)).ok().map(|b| manifest::sha256(&b));
            let unchanged = previous.typeset_from.get(&pdf) == Some(&source_hash)
                && on_disk.is_some()
                && on_disk.as_ref() == previous.outputs.get(&pdf);
            if unchanged {
                if opts.explain {
                    eprintln!("skip     {pdf}: its typst sources are unchanged");
                }
                return Ok((pdf, None, source_hash));
            }
            if opts.explain {
                eprintln!(
                    "typeset  {pdf}: {}",
                    if previous.typeset_from.contains_key(&pdf) {
                        "its typst sources changed"
                    } else {
                        "no earlier build"
                    }
                );
            }
            let t = Instant::now();
            let bytes = typeset::typeset(&job).map_err(|e| match e {
                Failure::Build(m) => build_err(format!("{pdf}: {m}")),
                other => other,
            })?;
            if !opts.quiet {
                eprintln!("typeset {pdf} in {:.2}s", t.elapsed().as_secs_f64());
            }
            Ok((pdf, Some(bytes), source_hash))
        })
        .collect();
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
    for (path, bytes) in &p.files.0 {
        p.manifest.outputs.insert(path.clone(), manifest::sha256(bytes));
    }
    if opts.explain {
        for path in p.files.0.keys() {
            let on_disk = std::fs::read(opts.out.join(path)).ok();
            let same = on_disk.as_deref() == p.files.0.get(path).map(Vec::as_slice);
            eprintln!("{}  {path}", if same { "same    " } else { "write   " });
        }
    }
    p.files.add("report/manifest.json", p.manifest.to_bytes());
    let written = p.files.commit(&opts.out)?;
    // Recorded last: only a build whose outputs are all in place may be skipped next time.
    std::fs::write(opts.out.join(STATE_FILE), &fingerprint)?;
    say(opts, format!("built in {:.2}s; {} file(s) changed", t0.elapsed().as_secs_f64(), written.len()));
    Ok(())
}

/// `bsb check`: load and validate, then compare the committed tables and figures with
/// what the data produces now, naming every stale file.
pub fn check(opts: &Options) -> Result<Checked> {
    let checked = load_and_validate(&opts.data)?;
    let p = products(&checked.study)?;
    let mut stale = Vec::new();
    for (path, bytes) in &p.files.0 {
        let current = std::fs::read(opts.out.join(path)).ok();
        if current.as_deref() != Some(bytes.as_slice()) {
            stale.push(Problem {
                file: path.clone(),
                line: None,
                field: String::new(),
                message: if current.is_none() {
                    "is missing: run `bsb build`".into()
                } else {
                    "is stale: the data produces different content; run `bsb build`".into()
                },
            });
        }
    }
    if !stale.is_empty() {
        return Err(Failure::Data(stale));
    }
    Ok(checked)
}
