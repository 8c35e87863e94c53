//! `bsb watch`: rebuild whenever a file of the study changes, until interrupted.
//!
//! Changes arrive as file-system events (inotify on Linux, through `notify`), so an edit is
//! seen within milliseconds instead of at the next poll; where events are unavailable (some
//! network file systems, containers without inotify) it falls back to polling. Each burst
//! of events (an editor's write-to-temporary-then-rename is several) is let settle for a
//! few milliseconds, then the study's files are hashed: a save that changed nothing
//! rebuilds nothing.
//!
//! The process keeps what the last build made (see `build::Warm`): a save that changed
//! only prose chapters reads just those files again, checks them alone (the checks that
//! read prose), keeps the study's data, analysis and figures, re-renders only the editions
//! that print the changed chapters, and typesets only those. Any other change starts from
//! the files, as `bsb build` does; either way the outputs are the ones a fresh build of the
//! same data writes. Typst's sources are kept between compilations and its memoised
//! layout stays warm, so an unchanged chapter is neither parsed nor laid out again. The
//! PDFs are written as soon as they are typeset, before the web pages (a save shows in
//! the PDF first); the web pages wait [`WEB_PAGE_WAIT`] for another save, and when one
//! comes they are left for the build after it, since a web page typst has begun cannot be
//! stopped and would make that save's PDF wait. Such a build is not recorded as complete,
//! so the web pages are typeset by the first build after the saves stop (in this session
//! or a later `bsb build`). After every build, typst's cache is trimmed to what recent
//! compilations used (as typst's own watch mode does), so memory stays flat however long
//! the session. A failed build prints its errors and leaves the last good outputs (a web
//! page that fails after its PDF was written leaves that PDF new); one whose typesetting
//! ran away (a prose file that loops) ends the session with that error, since typst
//! cannot be stopped while it runs.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::{Event, EventKind, RecursiveMode, Watcher};

use crate::cmd::build::{self, Snapshot, Warm};
use crate::config::Config;
use crate::manifest::sha256;
use crate::problem::{build_err, Result};
use crate::store;
use crate::typeset;

/// How long after the last event of a burst the build starts. An editor's save (write a
/// temporary file, rename it over the old one) is a burst within a millisecond; a save
/// slower than this costs a second build, never a wrong one, since the build after the
/// last event reads the files as they then are.
const SETTLE: Duration = Duration::from_millis(5);
/// How often the fallback watcher polls, and how often the loop looks at the clock.
const TICK: Duration = Duration::from_millis(500);
/// How long the watcher waits, once the PDFs are written, for another save before it
/// typesets the web pages (which cannot be stopped once begun): a writer saving again
/// within it gets the next PDF without waiting for a web page nobody looks at yet.
const WEB_PAGE_WAIT: Duration = Duration::from_millis(150);
/// Cached typst results unused for this many compilations are evicted.
const KEEP_COMPILATIONS: usize = 10;

/// Content hashes of every file under `dir` that a build reads, by path relative to `dir`
/// (hidden files, such as an editor's swap file, are not part of the study).
fn snapshot(dir: &Path) -> Snapshot {
    let mut out = BTreeMap::new();
    fn walk(base: &Path, dir: &Path, out: &mut Snapshot) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
                continue;
            }
            if p.is_dir() {
                walk(base, &p, out);
            } else if let Ok(bytes) = std::fs::read(&p) {
                out.insert(p.strip_prefix(base).unwrap_or(&p).display().to_string(), sha256(&bytes));
            }
        }
    }
    walk(dir, dir, &mut out);
    out
}

/// Does this event say a file may have changed (not merely that it was read)?
fn touches(event: &notify::Result<Event>) -> bool {
    match event {
        Ok(e) => !matches!(e.kind, EventKind::Access(_)),
        // An error from the watcher (a queue overflow, say): look at the files to be sure.
        Err(_) => true,
    }
}

/// The watcher, and whether it polls.
fn start(dir: &Path) -> Result<(Box<dyn Watcher>, Receiver<notify::Result<Event>>, bool)> {
    let (tx, rx) = channel();
    if let Ok(mut w) = notify::recommended_watcher(tx) {
        if w.watch(dir, RecursiveMode::Recursive).is_ok() {
            return Ok((Box::new(w), rx, false));
        }
    }
    let (tx, rx) = channel();
    let config = notify::Config::default().with_poll_interval(TICK).with_compare_contents(true);
    let mut w =
        notify::PollWatcher::new(tx, config).map_err(|e| build_err(format!("cannot watch {}: {e}", dir.display())))?;
    w.watch(dir, RecursiveMode::Recursive).map_err(|e| build_err(format!("cannot watch {}: {e}", dir.display())))?;
    Ok((Box::new(w), rx, true))
}

/// Watch until interrupted, or for `stop_after` seconds when given (scripts, benchmarks).
pub fn run(cfg: &Config, stop_after: Option<f64>) -> Result<()> {
    let (_watcher, events, polling) = start(&cfg.data)?;
    typeset::keep_sources(true);
    let how = if polling { "polling twice a second" } else { "on file events" };
    eprintln!("watching {} {how} (Ctrl-C to stop)", cfg.data.display());
    let deadline = stop_after.map(|s| Instant::now() + Duration::from_secs_f64(s.clamp(0.0, 1e9)));
    let mut seen = BTreeMap::new();
    // The study, its analysis and its editions as the last build left them.
    let mut warm = None;
    let mut committed = build::Committed::default();
    let mut pending = true;
    loop {
        if pending {
            pending = false;
            let now = snapshot(&cfg.data);
            if now != seen {
                let saved = std::cell::Cell::new(false);
                let another_save = || {
                    let until = Instant::now() + WEB_PAGE_WAIT;
                    while let Some(left) = until.checked_duration_since(Instant::now()) {
                        match events.recv_timeout(left) {
                            Ok(event) if touches(&event) => {
                                saved.set(true);
                                break;
                            }
                            Ok(_) => {}
                            Err(_) => break,
                        }
                    }
                    saved.get()
                };
                rebuild(cfg, &mut warm, &mut committed, &now, &another_save)?;
                seen = now;
                if saved.get() {
                    // The save that came in while the PDFs were written: built next, once
                    // its burst has settled.
                    while events.recv_timeout(SETTLE).is_ok() {}
                    pending = true;
                    continue;
                }
            }
        }
        let wait = match deadline {
            Some(d) => match d.checked_duration_since(Instant::now()) {
                Some(left) => left.min(TICK),
                None => return Ok(()),
            },
            None => TICK,
        };
        match events.recv_timeout(wait) {
            Ok(event) => {
                pending = touches(&event);
                // Let the burst settle: an editor's save is several events in a row.
                while let Ok(more) = events.recv_timeout(SETTLE) {
                    pending |= touches(&more);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return Err(build_err("the file watcher stopped")),
        }
    }
}

/// One build under the lock, from what the last one kept, its outcome said in one line;
/// typst's cache trimmed after it.
fn rebuild(
    cfg: &Config,
    warm: &mut Option<Warm>,
    committed: &mut build::Committed,
    now: &Snapshot,
    another_save: &dyn Fn() -> bool,
) -> Result<()> {
    let t = Instant::now();
    let outcome = {
        let _lock = store::lock(&cfg.out, cfg.quiet)?;
        // The data's git state changes as files are saved: asked again for each build.
        build::build_watched(&cfg.clone().with_git(), warm, committed, now, another_save)
    };
    match outcome {
        Ok(()) => eprintln!("rebuilt in {:.3}s", t.elapsed().as_secs_f64()),
        Err(e) if typeset::abandoned() > 0 => {
            // Typst cannot be stopped while it compiles: the runaway would keep a processor
            // and its memory for the rest of the session, so the session ends here instead.
            return Err(build_err(format!(
                "{e}\nthe last good outputs are unchanged; watching stops, since the runaway typesetting cannot be stopped while it runs: fix the prose, then start `bsb watch` again"
            )));
        }
        Err(e) => eprintln!("{e}\nthe last good outputs are unchanged; waiting for the next change"),
    }
    comemo::evict(KEEP_COMPILATIONS);
    Ok(())
}
