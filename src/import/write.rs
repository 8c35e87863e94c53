//! Writing what the import produced: CSV tables and `study.toml` as text, and the
//! file-system steps that make an import all-or-nothing.
//!
//! A data directory is never half-written: everything goes into a fresh temporary
//! directory beside the target (same parent, so the final step is a rename on one file
//! system, which is atomic), and only a complete set is renamed into place. A target that
//! exists and is not empty is refused before anything is written, and checked again just
//! before the rename. Single files (`codebook.csv`, an exported `.qdc`) are likewise
//! written beside their final name and then linked or renamed into place.

use std::fs;
use std::path::{Path, PathBuf};

use crate::problem::{build_err, Result};
use crate::store::write_synced;

/// Files to write, by path relative to the data directory (`excerpts/x.csv`).
#[derive(Debug, Default)]
pub(crate) struct Files(pub Vec<(String, Vec<u8>)>);

impl Files {
    /// Queue `bytes` to be written at `rel` under the data directory.
    pub(crate) fn add(&mut self, rel: &str, bytes: Vec<u8>) {
        self.0.push((rel.to_string(), bytes));
    }
}

/// A CSV table with a header row, LF line ends, and quotes only where needed.
pub(crate) fn csv(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    // Writing into a Vec cannot fail; the row lengths are the header's by construction.
    w.write_record(header).expect("CSV header into memory");
    for row in rows {
        w.write_record(row).expect("CSV row into memory");
    }
    w.into_inner().expect("CSV into memory")
}

/// A TOML basic string, quoted and escaped.
pub(crate) fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

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
pub(crate) fn write_new_dir(dir: &Path, files: &Files) -> Result<()> {
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

fn fill(root: &Path, files: &Files) -> Result<()> {
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
