//! The one place that writes a build's outputs, all or nothing.
//!
//! A build's files (tables, figures, PDFs, the manifest) are made in memory first. The
//! store then
//! 1. stages every changed file under `report/.bsb-stage/new/` (synced to disk),
//! 2. writes a journal naming each file to switch and whether it existed before,
//! 3. switches file by file: the old file moves to `report/.bsb-stage/old/`, the new one
//!    into place; the manifest comes last,
//! 4. removes the journal and the stage.
//!
//! If a step fails, the files already switched are put back, so the old set stays whole.
//! If the process is killed, the journal survives, and the next build (or release) puts
//! the old files back before it starts ([`recover`]); it also removes temporary files an
//! older `bsb` left beside the outputs. Only one build writes into an output tree at a time
//! ([`lock`]).
//!
//! It also writes new data directories and single files for `bsb import` and `bsb export`
//! all or nothing ([`write_new_dir`], [`write_new_file`], [`replace_file`]): a target that
//! exists and is not empty is refused before anything is written and again just before the
//! final rename.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::problem::{build_err, IoContext, Result};

/// The stage, inside the output tree (so every rename stays on one file system).
const STAGE: &str = "report/.bsb-stage";
/// The journal of a switch in progress.
const JOURNAL: &str = "report/.bsb-stage/journal";

/// The files of one build, keyed by path relative to the output root.
#[derive(Clone, Default, Debug)]
pub struct Outputs(pub BTreeMap<String, Vec<u8>>);

impl Outputs {
    /// Add (or replace) a file.
    pub fn add(&mut self, path: impl Into<String>, bytes: Vec<u8>) {
        self.0.insert(path.into(), bytes);
    }
}

/// How a commit may be made to fail, for the tests of the store's promise.
#[derive(Clone, Copy, Debug, Default)]
pub struct Faults {
    /// Fail after this many files were switched into place.
    pub fail_after_renames: Option<usize>,
    /// Abort the process (as a kill would) after this many files were switched.
    pub kill_after_renames: Option<usize>,
}

/// Write a file, creating its directory; the error names the path and the operation.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(dir).at("create directory", dir)?;
    }
    fs::write(path, bytes).at("write", path)
}

/// Write a file and make sure its bytes reach the disk.
pub fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(dir).at("create directory", dir)?;
    }
    let mut f = fs::File::create(path).at("create", path)?;
    f.write_all(bytes).at("write", path)?;
    f.sync_all().at("sync", path)
}

/// Only one build writes into an output tree at a time: a second one started meanwhile
/// waits for the first to finish (and says so) rather than interleaving its files.
pub fn lock(out: &Path, quiet: bool) -> Result<Lock> {
    use fs2::FileExt;
    let dir = out.join("report");
    let fresh = !dir.exists();
    fs::create_dir_all(&dir).at("create directory", &dir)?;
    let path = dir.join(".bsb.lock");
    let file = fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).at("open", &path)?;
    if file.try_lock_exclusive().is_err() {
        if !quiet {
            eprintln!("waiting for another bsb build in {} to finish…", out.display());
        }
        file.lock_exclusive().at("lock", &path)?;
    }
    Ok(Lock { _file: file, made: fresh.then_some(dir) })
}

/// The lock on an output tree, held while it lives. A run that made `report/` for its
/// lock and wrote nothing else there (it failed before writing) takes the folder away
/// again: a folder it says it did not touch is left as it was.
pub struct Lock {
    _file: fs::File,
    /// `report/`, when this run created it.
    made: Option<std::path::PathBuf>,
}

impl Drop for Lock {
    fn drop(&mut self) {
        let Some(dir) = &self.made else { return };
        let only_lock = fs::read_dir(dir)
            .map(|entries| entries.filter_map(|e| e.ok()).all(|e| e.file_name() == ".bsb.lock"))
            .unwrap_or(false);
        if only_lock {
            let _ = fs::remove_file(dir.join(".bsb.lock"));
            let _ = fs::remove_dir(dir);
        }
    }
}

/// One entry of the journal: a file to switch and whether an old version existed.
struct Entry {
    rel: String,
    existed: bool,
}

fn read_journal(root: &Path) -> Result<Vec<Entry>> {
    let path = root.join(JOURNAL);
    let text = fs::read_to_string(&path).at("read", &path)?;
    Ok(text
        .lines()
        .filter_map(|line| {
            let (flag, rel) = line.split_once(' ')?;
            Some(Entry { rel: rel.to_string(), existed: flag == "1" })
        })
        .collect())
}

/// Put back the old version of each journal entry (newest first), as far as it was
/// switched; entries not switched yet are untouched.
fn roll_back(root: &Path, entries: &[Entry]) -> Result<()> {
    let stage = root.join(STAGE);
    for e in entries.iter().rev() {
        let target = root.join(&e.rel);
        let old = stage.join("old").join(&e.rel);
        let new = stage.join("new").join(&e.rel);
        if e.existed {
            if old.exists() {
                fs::rename(&old, &target).at("restore", &target)?;
            }
        } else if !new.exists() && target.exists() {
            // It did not exist before and its new version was moved into place.
            fs::remove_file(&target).at("remove", &target)?;
        }
    }
    Ok(())
}

/// Clean up after a build that was killed: put back the old outputs of an unfinished
/// switch, remove the stage, and remove temporary files that older versions of `bsb`
/// left beside their targets (`.<name>.tmp-<pid>`). Returns what was removed or restored.
pub fn recover(root: &Path) -> Result<Vec<String>> {
    let mut done = Vec::new();
    let stage = root.join(STAGE);
    if root.join(JOURNAL).exists() {
        let entries = read_journal(root)?;
        roll_back(root, &entries)?;
        done.push(format!("put back the outputs of an unfinished build ({} file(s))", entries.len()));
    }
    if stage.exists() {
        fs::remove_dir_all(&stage).at("remove", &stage)?;
        done.push(format!("removed {}", stage.display()));
    }
    for dir in ["report", "report/tables", "report/out", "report/releases", "figures"] {
        let dir = root.join(dir);
        let Ok(items) = fs::read_dir(&dir) else { continue };
        for item in items.flatten() {
            let name = item.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && name.contains(".tmp-") && item.path().is_file() {
                fs::remove_file(item.path()).at("remove", &item.path())?;
                done.push(format!("removed {}", item.path().display()));
            }
        }
    }
    Ok(done)
}

/// Write every file whose bytes differ from what is on disk, all or nothing (see the
/// module's description); returns the paths written. `report/manifest.json`, if among
/// the files, is switched last. The caller holds the lock.
pub fn commit(outputs: &Outputs, root: &Path, faults: Faults) -> Result<Vec<String>> {
    recover(root)?;
    let mut changed: Vec<&String> = outputs
        .0
        .iter()
        .filter(|(rel, bytes)| fs::read(root.join(rel)).map(|old| &old != *bytes).unwrap_or(true))
        .map(|(rel, _)| rel)
        .collect();
    if changed.is_empty() {
        return Ok(Vec::new());
    }
    changed.sort_by_key(|rel| (rel.as_str() == "report/manifest.json", rel.as_str()));
    for rel in &changed {
        if rel.split('/').any(|part| part.is_empty() || part == ".." || part == ".") || rel.starts_with(STAGE) {
            return Err(build_err(format!("refused to write {rel}: not a plain path inside the output tree")));
        }
    }
    let stage = root.join(STAGE);
    let staged = (|| -> Result<Vec<Entry>> {
        for rel in &changed {
            write_synced(&stage.join("new").join(rel), &outputs.0[*rel])?;
        }
        let entries: Vec<Entry> =
            changed.iter().map(|rel| Entry { rel: rel.to_string(), existed: root.join(rel).exists() }).collect();
        let journal: String =
            entries.iter().map(|e| format!("{} {}\n", if e.existed { 1 } else { 0 }, e.rel)).collect();
        let tmp = stage.join("journal.tmp");
        write_synced(&tmp, journal.as_bytes())?;
        fs::rename(&tmp, root.join(JOURNAL)).at("rename", &root.join(JOURNAL))?;
        Ok(entries)
    })();
    let entries = match staged {
        Ok(entries) => entries,
        Err(e) => {
            let _ = fs::remove_dir_all(&stage);
            return Err(e);
        }
    };
    let switched = (|| -> Result<()> {
        for (n, e) in entries.iter().enumerate() {
            if faults.kill_after_renames == Some(n) {
                std::process::abort();
            }
            if faults.fail_after_renames == Some(n) {
                return Err(build_err(format!("stopped before switching {} (BSB_FAIL_AFTER_RENAMES)", e.rel)));
            }
            let target = root.join(&e.rel);
            if e.existed {
                let old = stage.join("old").join(&e.rel);
                let dir = old.parent().expect("staged path has a parent");
                fs::create_dir_all(dir).at("create directory", dir)?;
                // A hard link keeps the old version for a roll-back while the target keeps
                // its name, so the rename below replaces it in one step and a reader (a PDF
                // viewer reloading) never finds it missing. Where links are not possible,
                // it is moved aside instead.
                if fs::hard_link(&target, &old).is_err() {
                    fs::rename(&target, &old).at("move aside", &target)?;
                }
            } else if let Some(dir) = target.parent() {
                fs::create_dir_all(dir).at("create directory", dir)?;
            }
            fs::rename(stage.join("new").join(&e.rel), &target).at("write", &target)?;
        }
        Ok(())
    })();
    if let Err(e) = switched {
        // Put the old set back; if even that fails, the journal stays for the next build.
        if roll_back(root, &entries).is_ok() {
            let _ = fs::remove_dir_all(&stage);
        }
        return Err(e);
    }
    fs::remove_file(root.join(JOURNAL)).at("remove", &root.join(JOURNAL))?;
    fs::remove_dir_all(&stage).at("remove", &stage)?;
    Ok(entries.into_iter().map(|e| e.rel).collect())
}

/// Remove the outputs an earlier build wrote (`old`, from its manifest) that this build's
/// manifest (`new`) no longer lists, such as a figure of hidden numbers only, so that no
/// reviewer reads a stale file as current. Run after [`commit`]: the new set is complete
/// first. Only plain paths under `figures/` and `report/tables/` are touched (a PDF of an
/// earlier version stays).
pub fn retire(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>, root: &Path) -> Result<Vec<String>> {
    let mut removed = Vec::new();
    for rel in old.keys().filter(|rel| !new.contains_key(*rel)) {
        let plain = !rel.split('/').any(|part| part.is_empty() || part == ".." || part == ".");
        // A PDF of a former slug or version, recorded by the last build, goes too.
        let generated = ["figures/", "report/tables/"].iter().any(|dir| rel.starts_with(dir))
            || (rel.starts_with("report/out/") && rel.ends_with(".pdf"));
        let path = root.join(rel);
        if plain && generated && path.is_file() {
            fs::remove_file(&path).at("remove", &path)?;
            removed.push(rel.clone());
        }
    }
    Ok(removed)
}

/// Copy a directory tree (for the committed study's view and for `bsb synth`).
pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).at("create directory", to)?;
    for e in std::fs::read_dir(from).at("list", from)? {
        let p = e.at("list", from)?.path();
        let target = to.join(p.file_name().unwrap_or_default());
        if p.is_dir() {
            copy_dir(&p, &target)?;
        } else {
            std::fs::copy(&p, &target).at("copy", &p)?;
        }
    }
    Ok(())
}

// New directories and single files that must appear whole (`bsb import`, `bsb export`):
// written beside their final name (same parent, so the last step is a rename or link on one
// file system) and only a complete set is put in place.

/// Refuse a target that exists and is not an empty directory; used before any work and
/// again before the final rename.
pub(crate) fn check_target_dir(dir: &Path) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    if !dir.is_dir() {
        return Err(build_err(format!("{}: exists and is not a directory; refused", dir.display())));
    }
    let mut entries = fs::read_dir(dir).map_err(|e| build_err(format!("{}: cannot be read: {e}", dir.display())))?;
    if entries.next().is_some() {
        return Err(build_err(format!(
            "{}: exists and is not empty; import into a new directory (nothing was written)",
            dir.display()
        )));
    }
    Ok(())
}

/// A name beside `target` that no one else uses: `.<name>.<tag>-<pid>-<n>`.
fn sibling(target: &Path, tag: &str) -> Result<PathBuf> {
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| build_err(format!("{}: is not a file or directory name", target.display())))?;
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    Ok(parent.join(format!(".{name}.{tag}-{}-{nanos}", std::process::id())))
}

/// Write `files` as the new directory `dir` (absent or empty), all or nothing.
pub(crate) fn write_new_dir(dir: &Path, files: &Outputs) -> Result<()> {
    check_target_dir(dir)?;
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| build_err(format!("{}: cannot be created: {e}", parent.display())))?;
    }
    let tmp = sibling(dir, "import")?;
    fs::create_dir(&tmp).map_err(|e| build_err(format!("{}: cannot be created: {e}", tmp.display())))?;
    let result = fill(&tmp, files).and_then(|()| {
        check_target_dir(dir)?;
        if dir.exists() {
            // Empty (checked just above); rename cannot replace a directory everywhere.
            fs::remove_dir(dir).map_err(|e| build_err(format!("{}: cannot be replaced: {e}", dir.display())))?;
        }
        fs::rename(&tmp, dir).map_err(|e| build_err(format!("{}: cannot be put in place: {e}", dir.display())))
    });
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result
}

/// Write every file under `root`, synced to disk.
fn fill(root: &Path, files: &Outputs) -> Result<()> {
    for (rel, bytes) in &files.0 {
        write_synced(&root.join(rel), bytes)?;
    }
    Ok(())
}

/// Write a file that must not exist yet: written beside it, then hard-linked into place
/// (linking fails if the name was taken meanwhile, so nothing is ever overwritten).
pub(crate) fn write_new_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if path.exists() {
        return Err(build_err(format!("{}: already exists; refused to overwrite it", path.display())));
    }
    let tmp = sibling(path, "new")?;
    let result = (|| -> Result<()> {
        write_synced(&tmp, bytes)?;
        match fs::hard_link(&tmp, path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(build_err(format!("{}: already exists; refused to overwrite it", path.display())))
            }
            // File systems without hard links: a rename after one more check.
            Err(_) if !path.exists() => {
                fs::rename(&tmp, path).map_err(|e| build_err(format!("{}: {e}", path.display())))
            }
            Err(e) => Err(build_err(format!("{}: {e}", path.display()))),
        }
    })();
    let _ = fs::remove_file(&tmp);
    result
}

/// Replace a file in one step (written beside it, then renamed over it).
pub(crate) fn replace_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| build_err(format!("{}: cannot be created: {e}", parent.display())))?;
    }
    let tmp = sibling(path, "new")?;
    let result = write_synced(&tmp, bytes)
        .and_then(|()| fs::rename(&tmp, path).map_err(|e| build_err(format!("{}: {e}", path.display()))));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
            for e in fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(base, &p, out);
                } else {
                    out.insert(p.strip_prefix(base).unwrap().display().to_string(), fs::read(&p).unwrap());
                }
            }
        }
        walk(root, root, &mut out);
        out
    }

    fn outputs(files: &[(&str, &str)]) -> Outputs {
        Outputs(files.iter().map(|(k, v)| (k.to_string(), v.as_bytes().to_vec())).collect())
    }

    #[test]
    fn outputs_no_longer_produced_are_removed_and_nothing_else() {
        let root = std::env::temp_dir().join(format!("bsb-store-retire-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let files = [
            "figures/kept.svg",
            "figures/gone.svg",
            "report/tables/gone.csv",
            "report/out/old-1.0.pdf",
            "data/study.toml",
        ];
        for f in files {
            write_file(&root.join(f), b"x").unwrap();
        }
        let listed = |names: &[&str]| -> BTreeMap<String, String> {
            names.iter().map(|n| (n.to_string(), String::new())).collect()
        };
        let old = listed(&[
            "figures/kept.svg",
            "figures/gone.svg",
            "report/tables/gone.csv",
            "report/out/old-1.0.pdf",
            "data/study.toml",
            "figures/../data/study.toml",
        ]);
        let new = listed(&["figures/kept.svg"]);
        let removed = retire(&old, &new, &root).unwrap();
        // A PDF of a former version that the last build recorded goes too; nothing else.
        assert_eq!(removed, vec!["figures/gone.svg", "report/out/old-1.0.pdf", "report/tables/gone.csv"]);
        for kept in ["figures/kept.svg", "data/study.toml"] {
            assert!(root.join(kept).exists(), "{kept}");
        }
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn a_failed_switch_leaves_the_old_set_and_a_killed_one_is_put_back() {
        let root = std::env::temp_dir().join(format!("bsb-store-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let old = outputs(&[("a/x.csv", "1"), ("b/y.svg", "1"), ("report/manifest.json", "1")]);
        commit(&old, &root, Faults::default()).unwrap();
        let before = tree(&root);
        let new = outputs(&[("a/x.csv", "2"), ("b/y.svg", "2"), ("b/z.svg", "2"), ("report/manifest.json", "2")]);
        for n in 0..4 {
            assert!(commit(&new, &root, Faults { fail_after_renames: Some(n), ..Faults::default() }).is_err());
            assert_eq!(tree(&root), before, "after a failure at rename {n}");
        }
        // A kill: the switch stopped half-way with the journal in place.
        let mut entries = vec![];
        for rel in ["a/x.csv", "b/z.svg"] {
            let existed = root.join(rel).exists();
            write_synced(&root.join(STAGE).join("new").join(rel), b"2").unwrap();
            entries.push(format!("{} {rel}\n", existed as u8));
        }
        write_synced(&root.join(JOURNAL), entries.concat().as_bytes()).unwrap();
        write_synced(&root.join(STAGE).join("old/a/x.csv"), b"1").unwrap();
        fs::rename(root.join(STAGE).join("new/a/x.csv"), root.join("a/x.csv")).unwrap();
        fs::create_dir_all(root.join("report/tables")).unwrap();
        fs::write(root.join("report/tables/.t.csv.tmp-99"), "x").unwrap();
        recover(&root).unwrap();
        assert_eq!(tree(&root), before);
        commit(&new, &root, Faults::default()).unwrap();
        assert_eq!(fs::read_to_string(root.join("b/z.svg")).unwrap(), "2");
        assert!(!root.join(STAGE).exists());
        let _ = fs::remove_dir_all(&root);
    }
}
