//! `bsb watch`: rebuild whenever a file of the study changes. The process stays alive,
//! so typst's memoised layout (comemo) stays warm and a prose edit reaches the PDF in a
//! fraction of a cold build. Changes are found by content hash, polled twice a second,
//! which needs no platform file-notification library and never misses an editor's
//! rename-into-place. A failed build prints its errors and leaves the last good outputs.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::cmd::build;
use crate::config::Config;
use crate::manifest::sha256;
use crate::problem::Result;
use crate::store;

/// Content hashes of every file under `dir`.
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    fn walk(dir: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if let Ok(bytes) = std::fs::read(&p) {
                out.insert(p.display().to_string(), sha256(&bytes));
            }
        }
    }
    walk(dir, &mut out);
    out
}

/// Watch until interrupted; `max_rounds` bounds the loop for tests (`BSB_WATCH_ROUNDS`).
pub fn run(opts: &Config) -> Result<()> {
    let max_rounds: Option<u64> = std::env::var("BSB_WATCH_ROUNDS").ok().and_then(|v| v.parse().ok());
    let mut seen = BTreeMap::new();
    let mut round = 0u64;
    eprintln!("watching {} (Ctrl-C to stop)", opts.data.display());
    loop {
        let now = snapshot(&opts.data);
        if now != seen {
            seen = now;
            let t = Instant::now();
            let _lock = store::lock(&opts.out, opts.quiet)?;
            // The data's git state changes as files are saved: asked again for each build.
            match build::build_locked(&opts.clone().with_git()) {
                Ok(()) => eprintln!("rebuilt in {:.2}s", t.elapsed().as_secs_f64()),
                Err(e) => eprintln!("{e}\nthe last good outputs are unchanged; waiting for the next change"),
            }
        }
        round += 1;
        if max_rounds.is_some_and(|m| round >= m) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}
