//! Incremental builds: what a build may skip, and why (`bsb build --explain`).
//!
//! Two decisions. A build whose fingerprint (every file it reads, the program, the commit
//! and `SOURCE_DATE_EPOCH`) equals the last build's, with every output as that build wrote
//! it, does nothing. Otherwise each PDF and each web page is typeset only when its typst
//! sources changed or the file on disk is not the one the last build wrote.

use std::collections::BTreeMap;
use std::path::Path;

use crate::manifest::{self, Manifest};
use crate::problem::{IoContext, Result};
use crate::study::Step;

/// Where the last build's fingerprint is kept: beside the PDFs, not in the committed
/// manifest, because it includes the program's identity, which changes with every code edit.
pub const STATE_FILE: &str = "report/out/.bsb-state.json";
/// The manifest, relative to the output root.
pub const MANIFEST: &str = "report/manifest.json";
/// The process report's own manifest and fingerprint: a process build and a final build
/// each skip, retire and record only what they themselves make.
const PROCESS_MANIFEST: &str = "report/manifest-process.json";
/// See [`PROCESS_MANIFEST`].
const PROCESS_STATE_FILE: &str = "report/out/.bsb-state-process.json";

/// The manifest a build of `step` writes, relative to the output root.
pub fn manifest_file(step: Step) -> &'static str {
    match step {
        Step::Final => MANIFEST,
        Step::Process => PROCESS_MANIFEST,
    }
}

/// Where a build of `step` keeps its fingerprint.
fn state_file(step: Step) -> &'static str {
    match step {
        Step::Final => STATE_FILE,
        Step::Process => PROCESS_STATE_FILE,
    }
}

/// Everything a build reads, hashed without parsing: every file of the data directory,
/// the program itself (a compile-time hash of its sources, templates, language files and
/// locked dependencies; see build.rs), the releases, and what the configuration resolved
/// (`settings`: the git state, `SOURCE_DATE_EPOCH`). Unchanged, the outputs are too.
pub fn fingerprint(data: &Path, out: &Path, settings: &[(&str, String)]) -> Result<String> {
    let mut entries = BTreeMap::new();
    fn walk(base: &Path, dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) -> Result<()> {
        let Ok(items) = std::fs::read_dir(dir) else { return Ok(()) };
        for e in items {
            let p = e.at("list", dir)?.path();
            if p.is_dir() {
                walk(base, &p, prefix, out)?;
            } else {
                let rel = p.strip_prefix(base).unwrap_or(&p).display().to_string();
                out.insert(format!("{prefix}{rel}"), manifest::sha256(&std::fs::read(&p).at("read", &p)?));
            }
        }
        Ok(())
    }
    walk(data, data, "data/", &mut entries)?;
    let releases = out.join("report/releases");
    walk(&releases, &releases, "releases/", &mut entries)?;
    entries.insert("program".into(), env!("BSB_PROGRAM_HASH").into());
    for (name, value) in settings {
        entries.insert(name.to_string(), value.clone());
    }
    Ok(manifest::combined(&entries))
}

/// The last build's manifest, or an empty one.
pub fn previous(out: &Path) -> Manifest {
    previous_at(out, Step::Final)
}

/// The last build's manifest of `step`, or an empty one.
pub fn previous_at(out: &Path, step: Step) -> Manifest {
    Manifest::read(&out.join(manifest_file(step))).unwrap_or_default()
}

/// True when every output the manifest lists is on disk with the bytes it recorded.
fn outputs_intact(manifest: &Manifest, out: &Path) -> bool {
    !manifest.outputs.is_empty()
        && manifest
            .outputs
            .iter()
            .all(|(path, hash)| std::fs::read(out.join(path)).map(|b| &manifest::sha256(&b) == hash).unwrap_or(false))
}

/// May the whole build be skipped? Yes when nothing it reads changed since the last
/// complete build and every output is still as that build wrote it.
pub fn unchanged(out: &Path, fingerprint: &str, step: Step) -> bool {
    let state = std::fs::read_to_string(out.join(state_file(step))).unwrap_or_default();
    state.trim() == fingerprint
        && Manifest::read(&out.join(manifest_file(step))).is_some_and(|m| outputs_intact(&m, out))
}

/// Record a complete build's fingerprint: only a build whose outputs are all in place
/// may be skipped next time, so this comes after the store's commit.
pub fn record(out: &Path, fingerprint: &str, step: Step) -> Result<()> {
    crate::store::write_file(&out.join(state_file(step)), fingerprint.as_bytes())
}

/// Why a PDF must be typeset, or `None` when the file on disk is the one its unchanged
/// sources made last time.
pub fn typeset_reason(previous: &Manifest, out: &Path, pdf: &str, source_hash: &str) -> Option<&'static str> {
    // The file on disk is read only when its sources are unchanged: otherwise it is
    // typeset anyway, and reading and hashing it would only delay that.
    let unchanged = previous.typeset_from.get(pdf).map(String::as_str) == Some(source_hash)
        && std::fs::read(out.join(pdf)).ok().map(|b| manifest::sha256(&b)).as_ref() == previous.outputs.get(pdf)
        && previous.outputs.contains_key(pdf);
    if unchanged {
        None
    } else if previous.typeset_from.contains_key(pdf) {
        Some("its typst sources changed")
    } else {
        Some("no earlier build")
    }
}

/// For `--explain`, first: which inputs changed since the last build (added, changed,
/// removed), so the reader sees the cause before the stages it set off.
pub fn explain_inputs(previous: &Manifest, now: &BTreeMap<String, String>) {
    if previous.inputs.is_empty() {
        eprintln!("changed  everything: no earlier build in this output folder");
        return;
    }
    let mut any = false;
    for (path, hash) in now {
        let what = match previous.inputs.get(path) {
            None => "added   ",
            Some(h) if h != hash => "changed ",
            Some(_) => continue,
        };
        any = true;
        eprintln!("{what} {path}");
    }
    for path in previous.inputs.keys().filter(|p| !now.contains_key(*p) && !p.starts_with("report/releases/")) {
        any = true;
        eprintln!("removed  {path}");
    }
    if !any {
        eprintln!("changed  no input file: the program, the commit or SOURCE_DATE_EPOCH did");
    }
}

/// For `--explain`: each file whose bytes differ from the file on disk, then how many
/// are the same (listing those would bury what changed).
pub fn explain_writes(files: &BTreeMap<String, Vec<u8>>, out: &Path) {
    let mut same = 0;
    for (path, bytes) in files {
        if std::fs::read(out.join(path)).ok().as_deref() == Some(bytes.as_slice()) {
            same += 1;
        } else {
            eprintln!("write    {path}");
        }
    }
    if same > 0 {
        eprintln!("same     {same} other output(s), left as they are");
    }
}
