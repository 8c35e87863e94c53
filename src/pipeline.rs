//! The one flow, in one direction, as pure functions: a checked study → analysis →
//! figures → tables as files → one typeset job per language edition. No file system, no
//! environment, no git: what the build needs from outside arrives as arguments (the
//! releases already read, the date and commit resolved in the configuration). What to
//! skip is `incremental`'s decision; writing is the store's.

use std::collections::BTreeMap;

use crate::analysis::{self, Analysis};
use crate::figures::{self, Figure};
use crate::lang::{self, Lang};
use crate::manifest::{self, Manifest};
use crate::output;
use crate::problem::{build_err, Result};
use crate::releases::{self, Recorded};
use crate::render::{self, Provenance};
use crate::store::Outputs;
use crate::study::{self, Step, Study};

/// Where the process report's tables go, beside the final ones, so that `bsb diff
/// report/tables/process report/tables` shows what the dialogue conference changed.
pub const PROCESS_TABLES: &str = "report/tables/process";
use crate::typeset::{self, Job};

/// Everything a build produces before typesetting: the analysis, the figures, the
/// committed files (tables and figures) and the manifest so far.
#[derive(Clone)]
pub struct Products {
    /// The analysis the tables, figures and report are made from.
    pub analysis: Analysis,
    /// Every figure in every language.
    pub figures: Vec<Figure>,
    /// Tables and figures as files, by path relative to the output root.
    pub files: Outputs,
    /// Inputs and their hashes; outputs are added as they are made.
    pub manifest: Manifest,
    /// The study's part of each language's view ([`study_views`]), made with the
    /// analysis: both steps' editions use it.
    pub(crate) study_views: Option<BTreeMap<String, String>>,
}

/// The inputs of a build: the study's files, the program's templates and language files,
/// and the typst version (standing in for the embedded fonts it ships).
fn input_hashes(study: &Study) -> BTreeMap<String, String> {
    let mut inputs = BTreeMap::new();
    for f in &study.files {
        inputs.insert(format!("data/{}", f.path), manifest::sha256(&f.bytes));
    }
    for (path, text) in render::TEMPLATE_FILES.iter().chain(typeset::html::TEMPLATE_FILES) {
        inputs.insert(path.to_string(), manifest::sha256(text.as_bytes()));
    }
    for (code, text) in lang::FILES.iter().filter(|(c, _)| study.meta.languages.iter().any(|l| l == c)) {
        inputs.insert(format!("report/lang/{code}.toml"), manifest::sha256(text.as_bytes()));
    }
    inputs.insert("fonts/typst-assets".into(), format!("typst-assets {}", typeset::TYPST_VERSION));
    inputs
}

/// The hash of the study as one language edition sees it: every text reduced to that
/// language, prose of other languages left out, plus the program's files that edition
/// uses (templates, its language file, fonts, releases).
pub fn view_hash(study: &Study, lang: &str, inputs: &BTreeMap<String, String>) -> String {
    let full = serde_json::to_value(study).expect("study serialises");
    view_hash_from(&study_view_of(&full, lang, &study.meta.languages), lang, inputs)
}

/// The hash of the study's own part of each language's view ([`view_hash`]'s
/// `study-view` entry), by language code: the study is serialised once and each
/// language's projection of it is hashed as it is written, not built and printed whole.
pub fn study_views(study: &Study) -> BTreeMap<String, String> {
    let full = serde_json::to_value(study).expect("study serialises");
    study.meta.languages.iter().map(|l| (l.clone(), study_view_of(&full, l, &study.meta.languages))).collect()
}

/// The commit an edition names: the one its language's files were last committed in (or
/// the checkout's), marked `+changes` when uncommitted changes reach its view.
fn edition_commit(stamp: &Stamp, lang: &str, reached: bool) -> String {
    match stamp.edition_commits.get(lang).or(stamp.commit.as_ref()) {
        None => "-".to_string(),
        Some(c) if reached => format!("{c}+changes"),
        Some(c) => c.clone(),
    }
}

/// A hash of everything typst reads for a PDF: every file, the main source and the date.
fn job_hash(job: &Job) -> String {
    let (y, m, d) = job.date;
    let mut entries: BTreeMap<String, String> =
        job.files.iter().map(|(k, v)| (k.clone(), manifest::sha256(v))).collect();
    entries.insert("main.typ".into(), manifest::sha256(job.main.as_bytes()));
    entries.insert("date".into(), format!("{y}-{m}-{d}"));
    manifest::combined(&entries)
}

/// [`view_hash`] from the study's part of the view ([`study_views`]) and the inputs: the
/// program's files, and of the data only the edition's own word and language files (the
/// rest of the data is in the study's part).
fn view_hash_from(study_view: &str, lang: &str, inputs: &BTreeMap<String, String>) -> String {
    let own_words = [format!("data/{}/{lang}.toml", lang::WORDS_DIR), format!("data/{}/{lang}.toml", lang::LANG_DIR)];
    let own_lang = format!("/{lang}.toml");
    let mut entries: BTreeMap<String, String> = inputs
        .iter()
        .filter(|(k, _)| {
            (!k.starts_with("data/") || own_words.contains(k))
                && !(k.starts_with("report/lang/") && !k.ends_with(&own_lang))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    entries.insert("study-view".into(), study_view.to_string());
    manifest::combined(&entries)
}

/// The sha256 of the compact JSON of `full` as `lang` sees it: an object whose keys are
/// exactly the study's languages stands for its `lang` entry (taken as it is), an object
/// whose `lang` field names another language is left out (from its array or object), and
/// everything else is kept. A left-out whole is `null`.
fn study_view_of(full: &serde_json::Value, lang: &str, langs: &[String]) -> String {
    use sha2::{Digest, Sha256};
    let mut out = HashWriter(Sha256::new());
    let written = write_projected(full, lang, langs, &mut out).expect("hashing cannot fail");
    if !written {
        out.0.update(b"null");
    }
    out.0.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Feeds what is written into a sha256.
struct HashWriter(sha2::Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        sha2::Digest::update(&mut self.0, buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Write `v` as `lang` sees it (see [`study_view_of`]) in serde_json's compact form;
/// false, writing nothing, when `lang` does not see it at all.
fn write_projected(v: &serde_json::Value, lang: &str, langs: &[String], out: &mut HashWriter) -> std::io::Result<bool> {
    use serde_json::Value;
    use std::io::Write;
    match v {
        Value::Object(map) => {
            if !map.is_empty() && map.len() == langs.len() && map.keys().all(|k| langs.contains(k)) {
                match map.get(lang) {
                    Some(picked) => serde_json::to_writer(&mut *out, picked)?,
                    None => return Ok(false),
                }
                return Ok(true);
            }
            if map.get("lang").and_then(Value::as_str).is_some_and(|l| l != lang) {
                return Ok(false);
            }
            out.write_all(b"{")?;
            let mut first = true;
            for (k, item) in map {
                if !sees(item, lang, langs) {
                    continue;
                }
                if !first {
                    out.write_all(b",")?;
                }
                first = false;
                serde_json::to_writer(&mut *out, k)?;
                out.write_all(b":")?;
                write_projected(item, lang, langs, out)?;
            }
            out.write_all(b"}")?;
        }
        Value::Array(items) => {
            out.write_all(b"[")?;
            let mut first = true;
            for item in items.iter().filter(|i| sees(i, lang, langs)) {
                if !first {
                    out.write_all(b",")?;
                }
                first = false;
                write_projected(item, lang, langs, out)?;
            }
            out.write_all(b"]")?;
        }
        other => serde_json::to_writer(&mut *out, other)?,
    }
    Ok(true)
}

/// Whether `lang` sees `v` at all: [`write_projected`] writes something for it.
fn sees(v: &serde_json::Value, lang: &str, langs: &[String]) -> bool {
    let serde_json::Value::Object(map) = v else { return true };
    if !map.is_empty() && map.len() == langs.len() && map.keys().all(|k| langs.contains(k)) {
        return map.contains_key(lang);
    }
    !map.get("lang").and_then(serde_json::Value::as_str).is_some_and(|l| l != lang)
}

/// The language files of the study's languages, in the study's order.
pub fn languages(study: &Study) -> Result<Vec<Lang>> {
    Lang::all_for_study(study)
}

/// Tables and figures for the committed files; shared by `build` and `check`. `cached`
/// is the privacy answer the last build's manifest holds, if any.
pub fn products(study: &Study, cached: Option<&manifest::Solved>) -> Result<Products> {
    products_at(study, cached, Step::Final)
}

/// [`products`] for one step of the method: the final report's tables in report/tables/
/// with the figures in figures/; the process report's tables in report/tables/process/
/// (its PDFs draw the same figures, but figures/ belongs to the final build).
pub fn products_at(study: &Study, cached: Option<&manifest::Solved>, step: Step) -> Result<Products> {
    // The study's views (for the editions' hashes) read the study alone: they are made
    // beside the analysis, on the other core.
    let (analysis, views) = rayon::join(|| analysis::analyse(study, cached), || study_views(study));
    let analysis = analysis?;
    let langs = languages(study)?;
    let mut figures = Vec::new();
    for lang in &langs {
        figures.extend(figures::draw_all(study, &analysis, lang)?);
    }
    let named: Vec<&crate::analysis::Table> = analysis.tables.iter().chain(&analysis.process_tables).collect();
    let captions: Vec<(&str, &str)> = figures.iter().map(|f| (f.lang.as_str(), f.name.as_str())).collect();
    crate::present::check_words(&langs, &named, &captions)?;
    let mut files = Outputs::default();
    let first = langs.first().ok_or_else(|| build_err("the study declares no language"))?;
    let (tables, dir) = match step {
        Step::Final => (&analysis.tables, "report/tables"),
        Step::Process => (&analysis.process_tables, PROCESS_TABLES),
    };
    for t in tables {
        files.add(format!("{dir}/{}.csv", t.name), output::table_csv(t, &study.meta.languages)?);
        files.add(format!("{dir}/{}.md", t.name), output::table_md(t, first));
    }
    if step == Step::Final {
        for f in &figures {
            files.add(format!("figures/{}.{}.svg", f.name, f.lang), f.svg.clone().into_bytes());
        }
    }
    let inputs = input_hashes(study);
    let manifest = Manifest {
        version: study.meta.version.clone(),
        typst: typeset::TYPST_VERSION.into(),
        commit: None,
        input_hash: manifest::combined(&inputs),
        inputs,
        privacy: Some(analysis.privacy.solved.clone()),
        ..Default::default()
    };
    Ok(Products { analysis, figures, files, manifest, study_views: Some(views) })
}

/// The PDF's date: `SOURCE_DATE_EPOCH`'s (resolved in the configuration) when given, else
/// the study's date.
pub fn document_date(study: &Study, from_epoch: Option<(i32, u8, u8)>) -> Result<(i32, u8, u8)> {
    match from_epoch {
        Some(date) => Ok(date),
        None => {
            study::load::parse_full_date(&study.meta.date).ok_or_else(|| build_err("the study date is not a real date"))
        }
    }
}

/// What a build states about where it came from, resolved before the pipeline runs.
#[derive(Clone, Debug, Default)]
pub struct Stamp {
    /// The document date from `SOURCE_DATE_EPOCH`, if given.
    pub date: Option<(i32, u8, u8)>,
    /// The last commit that touched the data directory.
    pub commit: Option<String>,
    /// Per language, the last commit that touched a file that edition reads (other
    /// languages' prose left out); an edition not listed names `commit`.
    pub edition_commits: BTreeMap<String, String>,
    /// The data directory has uncommitted changes.
    pub dirty: bool,
    /// Then, the study's part of each language's view ([`study_views`]) of the study as
    /// committed (when it could be read): an edition whose view of it is the same as of
    /// the data now names the commit plainly; only an edition that the changes reach is
    /// marked `+changes`.
    pub committed: Option<BTreeMap<String, String>>,
}

/// One language edition, ready to typeset.
#[derive(Clone)]
pub struct EditionJob {
    /// The language code.
    pub lang: String,
    /// The PDF's path relative to the output root.
    pub pdf: String,
    /// The typst sources and files.
    pub job: Job,
    /// A hash of everything typst reads for this edition: unchanged, the PDF is too.
    pub source_hash: String,
    /// The web page's path relative to the output root (beside the PDF).
    pub html: String,
    /// The same hash for the web page (its look is web.typ and web.css).
    pub html_hash: String,
    /// What its provenance appendix states: an edition rendered again with the same
    /// provenance, analysis and prose is the same edition (see [`editions_at`]'s `reuse`).
    pub provenance: Provenance,
}

/// An edition's PDF identifier and its outputs' path without the extension: the process
/// report says so in both, and says it is preliminary in the file name.
fn names(study: &Study, lang: &str, step: Step) -> (String, String) {
    let (slug, version) = (&study.meta.slug, &study.meta.version);
    match step {
        Step::Final => (format!("{slug}-{lang}"), format!("report/out/{slug}-{version}-{lang}")),
        Step::Process => {
            (format!("{slug}-process-{lang}"), format!("report/out/{slug}-{version}-process-preliminary-{lang}"))
        }
    }
}

/// Render every edition of the final report: records the releases and each edition's
/// view in the manifest.
pub fn editions(study: &Study, p: &mut Products, releases: &[Recorded], stamp: &Stamp) -> Result<Vec<EditionJob>> {
    editions_at(study, p, releases, stamp, Step::Final, &[])
}

/// The text of each prose file an edition includes, by its path in the edition (kept so
/// that a later save can tell whether the edition still prints that file as it is).
fn prose_originals(study: &Study, origins: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    origins
        .iter()
        .filter_map(|(path, file)| Some((path.clone(), study.prose.iter().find(|x| &x.file == file)?.text.clone())))
        .collect()
}

/// [`editions`] of one step of the method; the process report's PDFs are named
/// `<slug>-<version>-process-preliminary-<lang>.pdf`.
///
/// `reuse` holds editions rendered earlier in this process (by `bsb watch`) from the same
/// study except its prose, with the same analysis and figures, for the same step; empty
/// otherwise. One of them is taken as it is when its provenance is the same and every
/// prose file it was rendered from still has the text it had (see [`unchanged_since`]),
/// and a prose file one of them rendered is not checked again.
pub fn editions_at(
    study: &Study,
    p: &mut Products,
    releases: &[Recorded],
    stamp: &Stamp,
    step: Step,
    reuse: &[EditionJob],
) -> Result<Vec<EditionJob>> {
    for r in releases {
        p.manifest.inputs.insert(r.name.clone(), manifest::sha256(&r.bytes));
    }
    p.manifest.input_hash = manifest::combined(&p.manifest.inputs);
    p.manifest.commit = stamp.commit.clone().map(|c| if stamp.dirty { format!("{c}+changes") } else { c });
    let date = document_date(study, stamp.date)?;
    let (y, m, d) = date;
    let history = releases::history(releases);
    // Every prose file of every language first: all their errors at once, before any
    // edition stops at its own first (a file an edition to reuse rendered as it is now
    // passed this check with this analysis already).
    let known = |x: &study::Prose| {
        reuse.iter().any(|e| {
            e.job.origins.iter().any(|(path, file)| *file == x.file && e.job.originals.get(path) == Some(&x.text))
        })
    };
    let langs = languages(study)?;
    render::prose::check_all(study, &p.analysis, &langs, &known)?;
    let mut out = Vec::new();
    let study_views = p.study_views.get_or_insert_with(|| study_views(study)).clone();
    for lang in &langs {
        // Each edition is built from the study as seen in its language; its provenance
        // names that view's hash, so an edit to the English text leaves the Norwegian PDF.
        let own = study_views.get(&lang.code).cloned().unwrap_or_default();
        let view = view_hash_from(&own, &lang.code, &p.manifest.inputs);
        p.manifest.views.insert(lang.code.clone(), view.clone());
        let reached = stamp.dirty && !stamp.committed.as_ref().is_some_and(|c| c.get(&lang.code) == Some(&own));
        let provenance = Provenance {
            version: study.meta.version.clone(),
            build_date: format!("{y:04}-{m:02}-{d:02}"),
            commit: edition_commit(stamp, &lang.code, reached),
            input_hash: view,
            typst: typeset::TYPST_VERSION.into(),
            files: p.manifest.inputs.keys().cloned().collect(),
            releases: history.clone(),
        };
        if let Some(same) =
            reuse.iter().find(|e| e.lang == lang.code && e.provenance == provenance && unchanged_since(study, e))
        {
            out.push(same.clone());
            continue;
        }
        let rendered = match step {
            Step::Final => render::render(study, &p.analysis, &p.figures, lang, &provenance)?,
            Step::Process => render::render_process(study, &p.analysis, lang, &provenance)?,
        };
        let originals = prose_originals(study, &rendered.origins);
        let job = Job {
            main: rendered.main,
            files: rendered.files,
            date,
            ident: names(study, &lang.code, step).0,
            origins: rendered.origins,
            originals,
        };
        let source_hash = job_hash(&job);
        let stem = names(study, &lang.code, step).1;
        out.push(EditionJob {
            lang: lang.code.clone(),
            pdf: format!("{stem}.pdf"),
            html: format!("{stem}.html"),
            html_hash: typeset::html::source_hash(&typeset::html::job(&job)),
            job,
            source_hash,
            provenance,
        });
    }
    Ok(out)
}

/// Does every prose file `e` was rendered from still have the text it had then? The
/// other files it names (the style, the bibliography) are not prose: a change to one of
/// them is never reused over.
fn unchanged_since(study: &Study, e: &EditionJob) -> bool {
    e.job.origins.iter().all(|(path, file)| match study.prose.iter().find(|x| &x.file == file) {
        Some(x) => e.job.originals.get(path) == Some(&x.text),
        None => true,
    })
}
