//! The typeset stage: an in-memory typst `World` that serves only the rendered sources,
//! the figures and the embedded fonts (no file system, no packages, no network), with a
//! fixed date, and PDF export held to PDF/A-2a and PDF/UA-1.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::diagnostic::Diagnostic;
use crate::problem::{build_err, Failure, Result};

pub(crate) mod html;

/// The typst version compiled in, recorded in the manifest and the provenance appendix.
pub const TYPST_VERSION: &str = "0.15.1";
/// Pinned so that a typst upgrade does not silently change every PDF's bytes.
pub const CREATOR: &str = "bsb with Typst 0.15";

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// One document to typeset: the main source and every other file it may read.
#[derive(Clone)]
pub struct Job {
    /// The main source (`main.typ`), rendered from the skeleton.
    pub main: String,
    /// Virtual path (`prose/method.typ`, `figures/x.svg`) → bytes.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The document's date (year, month, day), from the study or `SOURCE_DATE_EPOCH`.
    pub date: (i32, u8, u8),
    /// A stable identifier of the document across versions (slug and language).
    pub ident: String,
    /// For diagnostics: a source's virtual path → the file a reader should open
    /// (`prose/method.typ` → `data/prose/en/method.typ`); unlisted paths are shown as they are.
    pub origins: BTreeMap<String, String>,
    /// For diagnostics: a prose source's virtual path → its text as the study wrote it
    /// (before values were filled in), so an error is shown on the line as written.
    pub originals: BTreeMap<String, String>,
}

/// A typeset document and what typst warned about on the way.
#[derive(Debug)]
pub struct Pdf {
    /// The PDF's bytes.
    pub bytes: Vec<u8>,
    /// typst's warnings, each with its file and line.
    pub warnings: Vec<String>,
}

struct MemoryWorld {
    /// typst's standard library: the PDF's, or the HTML edition's (with HTML export on).
    library: &'static LazyHash<Library>,
    main: FileId,
    sources: HashMap<FileId, Source>,
    files: HashMap<FileId, Bytes>,
    today: Datetime,
}

fn file_id(path: &str) -> Result<FileId> {
    let vpath = VirtualPath::new(path).map_err(|e| build_err(format!("bad virtual path {path}: {e:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl MemoryWorld {
    fn new(job: &Job) -> Result<Self> {
        Self::with_library(job, &LIBRARY)
    }

    fn with_library(job: &Job, library: &'static LazyHash<Library>) -> Result<Self> {
        let main = file_id("main.typ")?;
        let mut sources = HashMap::new();
        let mut files = HashMap::new();
        let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
        let kept =
            kept.as_mut().map(|k| k.entry((job.ident.clone(), std::ptr::from_ref(library) as usize)).or_default());
        let mut served = Served { kept };
        sources.insert(main, served.source(main, job.main.as_bytes(), || Ok(job.main.clone()))?);
        for (path, bytes) in &job.files {
            let id = file_id(path)?;
            if path.ends_with(".typ") {
                let text = || String::from_utf8(bytes.clone()).map_err(|_| build_err(format!("{path} is not UTF-8")));
                sources.insert(id, served.source(id, bytes, text)?);
            }
            files.insert(id, served.bytes(id, bytes));
        }
        let (y, m, d) = job.date;
        let today = Datetime::from_ymd(y, m, d).ok_or_else(|| build_err(format!("not a date: {y}-{m}-{d}")))?;
        Ok(MemoryWorld { library, main, sources, files, today })
    }
}

/// The sources and files of the last compilation of each document (by its identifier
/// and typst library), kept while [`keep_sources`] is on: a source whose text has not
/// changed is served as the same `Source` (not parsed or hashed again), a file as the
/// same `Bytes`.
type Kept = HashMap<(String, usize), HashMap<FileId, (Option<Source>, Bytes)>>;

/// See [`Kept`]; `None` while off.
///
/// The one process-global state left on purpose (issue 22): it is typst's parsed sources,
/// which only `bsb watch` turns on, and it sits beside typst's own process-global memo
/// cache (comemo), which it complements and which `bsb watch` trims after each build.
/// Owning it in the watcher would mean passing it through every typesetting call
/// (the editions are typeset on several threads, the web pages after them) for no
/// change in what is kept; the other two caches were moved to their callers.
static KEPT: Mutex<Option<Kept>> = Mutex::new(None);

/// Keep each document's sources between compilations (`bsb watch`, which compiles the
/// same documents again after each save); off, a compilation's sources are freed with it.
pub fn keep_sources(on: bool) {
    *KEPT.lock().unwrap_or_else(|e| e.into_inner()) = on.then(HashMap::new);
}

/// Serves a world's sources and files from the last compilation's where unchanged.
struct Served<'a> {
    /// The document's kept sources and files, when kept.
    kept: Option<&'a mut HashMap<FileId, (Option<Source>, Bytes)>>,
}

impl Served<'_> {
    /// The source `id` with the text `bytes` (made by `text` when new).
    fn source(&mut self, id: FileId, bytes: &[u8], text: impl FnOnce() -> Result<String>) -> Result<Source> {
        if let Some(Some((Some(source), _))) = self.kept.as_ref().map(|k| k.get(&id)) {
            if source.text().as_bytes() == bytes {
                return Ok(source.clone());
            }
        }
        let source = Source::new(id, text()?);
        if let Some(kept) = self.kept.as_mut() {
            let bytes = Bytes::from_string(source.clone());
            kept.insert(id, (Some(source.clone()), bytes));
        }
        Ok(source)
    }

    /// The file `id` with these bytes.
    fn bytes(&mut self, id: FileId, bytes: &[u8]) -> Bytes {
        if let Some(Some((_, kept))) = self.kept.as_ref().map(|k| k.get(&id)) {
            if kept.as_slice() == bytes {
                return kept.clone();
            }
        }
        let new = Bytes::new(bytes.to_vec());
        if let Some(kept) = self.kept.as_mut() {
            let source = kept.remove(&id).and_then(|(s, _)| s).filter(|s| s.text().as_bytes() == bytes);
            kept.insert(id, (source, new.clone()));
        }
        new
    }
}

impl World for MemoryWorld {
    fn library(&self) -> &LazyHash<Library> {
        self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        crate::fonts::store().book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.sources.get(&id).cloned().ok_or_else(|| not_served(id))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(source) = self.sources.get(&id) {
            return Ok(Bytes::from_string(source.clone()));
        }
        self.files.get(&id).cloned().ok_or_else(|| not_served(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        crate::fonts::store().font(index)
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

/// Anything outside the allowlist does not exist, as far as a document can tell.
fn not_served(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_with_slash().into())
}

/// How long typesetting one edition may take before it is stopped as a runaway: a minute,
/// plus a second for every 10 kB of typst source (a large study takes longer on its own).
pub fn deadline(job: &Job) -> Duration {
    let source: usize =
        job.main.len() + job.files.iter().filter(|(p, _)| p.ends_with(".typ")).map(|(_, b)| b.len()).sum::<usize>();
    Duration::from_secs(60 + (source / 10_000) as u64)
}

/// How much memory (resident, whole process) typesetting may reach before it is stopped:
/// three quarters of the machine's memory, and at most 8 GB, so that the system never has
/// to kill the process.
pub fn memory_limit_mb() -> u64 {
    let total = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        let line = m.lines().find(|l| l.starts_with("MemTotal:"))?.to_string();
        line.split_whitespace().nth(1)?.parse::<u64>().ok()
    });
    total.map(|kb| kb / 1024 * 3 / 4).unwrap_or(8192).min(8192)
}

/// Typeset one document to PDF bytes; typst's errors come back with file and line, its
/// warnings beside the PDF.
///
/// Typst is watched: code in a prose file that loops without end or grows without bound
/// fails the edition after [`deadline`] or at [`memory_limit_mb`] with an error naming it,
/// never as a hang or a process killed by the system. The stage never ends the process:
/// it returns the error and the command decides (see [`abandoned`]).
pub fn typeset(job: &Job) -> Result<Pdf> {
    watched(job, typeset_here)
}

/// Run `work` (a PDF or a web page of `job`) under [`deadline`] and [`memory_limit_mb`].
pub(crate) fn watched<T: Send + 'static>(job: &Job, work: fn(&Job) -> Result<T>) -> Result<T> {
    typeset_within(job, deadline(job), memory_limit_mb(), work)
}

/// Typesetting runs that overran and were given up while typst still works on them.
static ABANDONED: AtomicUsize = AtomicUsize::new(0);

/// How many typesetting runs were given up (past their deadline or memory limit) and
/// still run: typst cannot be stopped from outside while it compiles, so such a run goes
/// on in its own thread, using a processor and memory, until it ends by itself. `bsb build`
/// exits on the error anyway; `bsb watch` stops when this is not zero rather than keep
/// the runaway alive for the rest of the session.
pub fn abandoned() -> usize {
    ABANDONED.load(Ordering::SeqCst)
}

/// [`typeset`] with explicit limits. Typst compiles on a thread of its own while this one
/// watches the clock and the process's memory; on an overrun the error is returned at once
/// and the compiling thread is left to finish (counted by [`abandoned`]).
fn typeset_within<T: Send + 'static>(
    job: &Job,
    deadline: Duration,
    memory_mb: u64,
    work: fn(&Job) -> Result<T>,
) -> Result<T> {
    let (tx, rx) = mpsc::channel();
    // Whether the compiling thread has ended, or this one has given up on it: decided under
    // one lock, so a run is counted as abandoned exactly while it still runs.
    let state = Arc::new(Mutex::new(Run::Going));
    let (owned, theirs) = (job.clone(), state.clone());
    std::thread::Builder::new()
        .name(format!("typeset {}", job.ident))
        .spawn(move || {
            let _ended = Ended(theirs);
            let _ = tx.send(work(&owned));
        })
        .map_err(|e| build_err(format!("typesetting {}: cannot start a thread: {e}", job.ident)))?;
    let start = Instant::now();
    let mut memory_checked: Option<Instant> = None;
    loop {
        match rx.try_recv() {
            Ok(result) => return result,
            Err(mpsc::TryRecvError::Disconnected) => return Err(stopped(job)),
            Err(mpsc::TryRecvError::Empty) => {}
        }
        let overrun = if start.elapsed() > deadline {
            Some(format!("did not finish within {} s", deadline.as_secs()))
        } else if memory_checked.is_none_or(|t| t.elapsed() >= TICK) {
            memory_checked = Some(Instant::now());
            resident_mb()
                .filter(|mb| *mb > memory_mb)
                .map(|mb| format!("used {mb} MB of memory, more than the {memory_mb} MB allowed"))
        } else {
            None
        };
        if let Some(why) = overrun {
            let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
            if *state == Run::Ended {
                // It ended just now: its result (or its panic) is what counts.
                drop(state);
                return rx.try_recv().unwrap_or_else(|_| Err(stopped(job)));
            }
            *state = Run::GivenUp;
            ABANDONED.fetch_add(1, Ordering::SeqCst);
            return Err(build_err(format!(
                "typesetting {} {why}; does a prose file (data/prose) run a loop without end or build something without bound?",
                job.ident
            )));
        }
        // Typst lays out in parallel on rayon's pool, and this thread may be one of that
        // pool's workers (the build typesets its editions in parallel): waiting idle here
        // could leave typst's work with no worker to run it. So this thread runs pool work
        // while it waits, and only sleeps when there is none.
        match rayon::yield_now() {
            Some(rayon::Yield::Executed) => {}
            _ => std::thread::sleep(POLL),
        }
    }
}

/// The error for a compiling thread that ended without a result (typst panicked).
fn stopped(job: &Job) -> crate::problem::Failure {
    build_err(format!("typesetting {} stopped without a result", job.ident))
}

/// Marks its compiling thread as ended when dropped, however the thread ends (a panic
/// too), and takes it off the [`abandoned`] count if it was given up on.
struct Ended(Arc<Mutex<Run>>);

impl Drop for Ended {
    fn drop(&mut self) {
        let mut state = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if *state == Run::GivenUp {
            ABANDONED.fetch_sub(1, Ordering::SeqCst);
        }
        *state = Run::Ended;
    }
}

/// Where a compiling thread stands, as its watcher and the thread itself agree.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Run {
    /// Still compiling, and still awaited.
    Going,
    /// Still compiling, but given up on: counted by [`abandoned`].
    GivenUp,
    /// Finished (its result sent, unless it panicked).
    Ended,
}

/// How often the waiting thread looks for typst's result.
const POLL: Duration = Duration::from_millis(2);
/// How often it reads the process's memory.
const TICK: Duration = Duration::from_millis(50);

/// The process's resident memory in MB, where the system says (Linux).
fn resident_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

fn typeset_here(job: &Job) -> Result<Pdf> {
    let world = MemoryWorld::new(job)?;
    let compiled = typst::compile::<PagedDocument>(&world);
    let warnings: Vec<String> = compiled.warnings.iter().map(|d| diagnostic(&world, job, d)).collect();
    let document = compiled.output.map_err(|diags| Failure::Diagnostics(placed(&world, job, &diags)))?;
    let (y, m, d) = job.date;
    let datetime = Datetime::from_ymd_hms(y, m, d, 0, 0, 0).ok_or_else(|| build_err("bad document date"))?;
    let standards = PdfStandards::new(&[PdfStandard::A_2a, PdfStandard::Ua_1])
        .map_err(|e| build_err(format!("PDF standards: {e:?}")))?;
    let options = PdfOptions {
        ident: Smart::Custom(job.ident.clone()),
        creator: Smart::Custom(Some(CREATOR.into())),
        timestamp: Some(Timestamp::new_utc(datetime)),
        page_ranges: None,
        standards,
        tagged: true,
        pretty: false,
    };
    let bytes = typst_pdf::pdf(&document, &options)
        .map_err(|diags| build_err(format!("PDF export failed:\n  {}", describe(&world, job, &diags))))?;
    Ok(Pdf { bytes, warnings })
}

/// typst's errors, each in the file a reader should open (a prose file as written), with
/// its line, column and a caret; one message per error.
fn placed(world: &MemoryWorld, job: &Job, diags: &[SourceDiagnostic]) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    for d in diags.iter().filter(|d| d.severity == Severity::Error) {
        let hints: Vec<String> =
            d.hints.iter().filter(|h| !h.v.contains("--")).map(|h| format!("hint: {}", h.v)).collect();
        let message = format!("typst: {}", d.message);
        let place = d.span.id().and_then(|id| Some((id, world.sources.get(&id)?, world.range(d.span)?)));
        let diag = match place {
            Some((id, source, range)) => {
                let path = id.vpath().get_without_slash();
                let shown = job.origins.get(path).map(String::as_str).unwrap_or(path);
                match job.originals.get(path) {
                    Some(original) => {
                        crate::diagnostic::in_source(shown, original, source.text(), range, &message, &hints)
                    }
                    None => {
                        let mut x = Diagnostic::at(shown, source.text(), range, &message).label("here");
                        x.notes = hints;
                        x
                    }
                }
            }
            None => Diagnostic { notes: hints, ..Diagnostic::nowhere(message) },
        };
        if !out.contains(&diag) {
            out.push(diag);
        }
    }
    out
}

/// Each error as [`diagnostic`] says it, one per line.
fn describe(world: &MemoryWorld, job: &Job, diags: &[SourceDiagnostic]) -> String {
    let errors: Vec<String> =
        diags.iter().filter(|d| d.severity == Severity::Error).map(|d| diagnostic(world, job, d)).collect();
    errors.join("\n  ")
}

/// `data/prose/en/method.typ:12: unknown variable: foo`: the study's own file and line,
/// so a prose author finds it. Hints that name options of typst's own command line
/// (`--root`, `--font-path`) are left out: `bsb` has none of them.
fn diagnostic(world: &MemoryWorld, job: &Job, d: &SourceDiagnostic) -> String {
    let place = d
        .span
        .id()
        .and_then(|id| {
            let source = world.sources.get(&id)?;
            let range = world.range(d.span)?;
            let line = source.text()[..range.start].matches('\n').count() + 1;
            let path = id.vpath().get_without_slash();
            let shown = job.origins.get(path).map(String::as_str).unwrap_or(path);
            Some(format!("{shown}:{line}: "))
        })
        .unwrap_or_default();
    let hints: String = d.hints.iter().filter(|h| !h.v.contains("--")).map(|h| format!(" (hint: {})", h.v)).collect();
    format!("{place}{}{hints}", d.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(main: &str) -> Job {
        let svg =
            br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#;
        Job {
            main: main.into(),
            files: BTreeMap::from([("f.svg".to_string(), svg.to_vec())]),
            date: (2020, 6, 30),
            ident: "t".into(),
            origins: BTreeMap::new(),
            originals: BTreeMap::new(),
        }
    }

    const HEAD: &str = "#set document(title: \"T\")\n#set text(lang: \"en\")\n";

    #[test]
    fn a_conforming_document_exports() {
        let pdf = typeset(&job(&format!("{HEAD}= Heading\n#image(\"f.svg\", alt: \"a square\")"))).unwrap();
        assert!(pdf.bytes.starts_with(b"%PDF-"));
    }

    #[test]
    fn missing_alt_text_or_title_fails_the_build_with_a_message() {
        let no_alt = typeset(&job(&format!("{HEAD}= Heading\n#image(\"f.svg\")"))).unwrap_err().to_string();
        assert!(no_alt.to_lowercase().contains("alt"), "{no_alt}");
        let no_title = typeset(&job("#set text(lang: \"en\")\n= Heading\nText.")).unwrap_err().to_string();
        assert!(no_title.to_lowercase().contains("title"), "{no_title}");
    }

    #[test]
    fn an_overrun_is_an_error_returned_and_the_run_is_counted_until_it_ends() {
        let doc = job(&format!("{HEAD}= Heading\n#image(\"f.svg\", alt: \"a square\")"));
        // Typst may answer this small document from its cache within microseconds (another
        // test typeset it), before the watch looks even once: the work is made slow first.
        fn slow_typeset(job: &Job) -> Result<Pdf> {
            std::thread::sleep(Duration::from_millis(300));
            typeset_here(job)
        }
        let slow = typeset_within(&doc, Duration::ZERO, u64::MAX, slow_typeset).unwrap_err().to_string();
        assert!(slow.contains("did not finish within 0 s") && slow.contains("typesetting t"), "{slow}");
        let big = typeset_within(&doc, Duration::from_secs(60), 0, slow_typeset).unwrap_err().to_string();
        assert!(big.contains("MB of memory, more than the 0 MB allowed"), "{big}");
        // Both runs were given up while typst worked on; they end by themselves soon after.
        let start = Instant::now();
        while abandoned() > 0 {
            assert!(start.elapsed() < Duration::from_secs(60), "the abandoned runs never ended");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn typesetting_from_every_worker_of_the_pool_at_once_does_not_deadlock() {
        use rayon::prelude::*;
        // Typst lays out on the same pool: with every worker waiting for a typst thread,
        // typst's own work would find no worker, and the deadline would be reached.
        let doc = job(&format!("{HEAD}= One\nText.\n#pagebreak()\n= Two\nMore text."));
        let n = rayon::current_num_threads() * 2;
        let results: Vec<Result<Pdf>> = (0..n)
            .into_par_iter()
            .map(|_| typeset_within(&doc, Duration::from_secs(60), u64::MAX, typeset_here))
            .collect();
        for r in results {
            assert!(r.unwrap().bytes.starts_with(b"%PDF-"));
        }
    }

    #[test]
    fn files_outside_the_allowlist_do_not_exist() {
        let err = typeset(&job(&format!("{HEAD}#read(\"/etc/passwd\")"))).unwrap_err().to_string();
        assert!(err.contains("not found") || err.contains("NotFound") || err.contains("file"), "{err}");
    }
}
