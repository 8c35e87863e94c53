//! Reading a ZIP archive (a `.qdpx` project, an `.xlsx` workbook) without trusting it.
//!
//! Nothing is ever extracted to disk: entries are read into memory, and only the ones the
//! import needs (`project.qde` and the plain-text sources it names). Before anything is
//! decompressed the whole central directory is checked, so a hostile archive is refused
//! even when the hostile entry is one we would never read:
//!
//! - at most [`Limits::max_entries`] entries;
//! - every entry name stays inside the archive (no `..` component, no leading `/` or `\`,
//!   no drive letter, no NUL), because a later tool extracting the same file would
//!   otherwise write outside its folder, and a name like that is a sign of a crafted file;
//! - no entry declares a compression ratio above [`Limits::max_ratio`] (a zip bomb).
//!
//! Declared sizes can lie, so reading also counts the bytes that actually come out and
//! stops at the per-entry and total caps and at the ratio, whatever the header said.

use std::fs::File;
use std::io::{Read, Seek};
use std::path::Path;

use crate::problem::{build_err, Result};

/// Caps on what one archive may make us do. The defaults leave room for large real
/// projects (transcripts are small; `project.qde` with inline texts can be tens of MB).
#[derive(Clone, Debug)]
pub(crate) struct Limits {
    pub max_entries: usize,
    /// Largest single entry we decompress.
    pub max_entry_bytes: u64,
    /// All entries we decompress, together.
    pub max_total_bytes: u64,
    /// Uncompressed ÷ compressed size; text deflates about 3–20×, a bomb about 1000×.
    pub max_ratio: u64,
    /// Entries smaller than this are not judged by ratio (tiny files compress absurdly well).
    pub ratio_floor: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 20_000,
            max_entry_bytes: 256 << 20,
            max_total_bytes: 512 << 20,
            max_ratio: 200,
            ratio_floor: 1 << 20,
        }
    }
}

/// An opened archive whose directory has passed the checks above.
pub(crate) struct Archive<R> {
    zip: zip::ZipArchive<R>,
    /// How the archive is named in messages (its file name).
    pub label: String,
    /// Entry names, normalised to `/` separators, by index.
    names: Vec<String>,
    limits: Limits,
    read_total: u64,
}

impl Archive<File> {
    /// Open the archive at `path`, named in problems by its file name.
    pub(crate) fn open(path: &Path, limits: &Limits) -> Result<Self> {
        let label =
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
        let file = File::open(path).map_err(|e| build_err(format!("{}: cannot be opened: {e}", path.display())))?;
        Archive::new(file, label, limits)
    }
}

impl<R: Read + Seek> Archive<R> {
    /// Read and check the directory of a ZIP archive, named `label` in problems.
    pub(crate) fn new(reader: R, label: String, limits: &Limits) -> Result<Self> {
        let mut zip = zip::ZipArchive::new(reader).map_err(|e| {
            build_err(format!("{label}: is not a readable ZIP archive ({e}); a .qdpx project is a ZIP file"))
        })?;
        if zip.len() > limits.max_entries {
            return Err(build_err(format!(
                "{label}: holds {} entries, more than the {} a project is allowed; refused",
                zip.len(),
                limits.max_entries
            )));
        }
        let mut names = Vec::with_capacity(zip.len());
        for i in 0..zip.len() {
            // The raw view reads the headers only: nothing is decompressed here.
            let entry = zip.by_index_raw(i).map_err(|e| build_err(format!("{label}: entry {i} is unreadable: {e}")))?;
            let raw = entry.name().to_string();
            let name = safe_name(&raw).ok_or_else(|| {
                build_err(format!(
                    "{label}: entry `{}` has a path that leaves the archive (absolute, `..` or a drive); refused",
                    raw.escape_debug()
                ))
            })?;
            let (size, packed) = (entry.size(), entry.compressed_size().max(1));
            if size > limits.ratio_floor && size / packed > limits.max_ratio {
                return Err(build_err(format!(
                    "{label}: entry `{name}` claims to expand {}× ({packed} → {size} bytes), more than {}×; \
                     refused as a likely zip bomb",
                    size / packed,
                    limits.max_ratio
                )));
            }
            names.push(name);
        }
        Ok(Archive { zip, label, names, limits: limits.clone(), read_total: 0 })
    }

    /// The index of the entry called `wanted`: an exact match, else the one entry whose
    /// name matches ignoring case (tools write `Sources/` or `sources/`). Two entries that
    /// differ only in case are ambiguous and refused.
    pub(crate) fn find(&self, wanted: &str) -> Result<Option<usize>> {
        if let Some(i) = self.names.iter().position(|n| n == wanted) {
            return Ok(Some(i));
        }
        let folded: Vec<usize> =
            (0..self.names.len()).filter(|&i| self.names[i].eq_ignore_ascii_case(wanted)).collect();
        match folded.as_slice() {
            [] => Ok(None),
            [i] => Ok(Some(*i)),
            _ => Err(build_err(format!(
                "{}: has several entries named `{wanted}` apart from upper and lower case; cannot tell which is meant",
                self.label
            ))),
        }
    }

    /// Names of all file entries (not folders).
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str).filter(|n| !n.ends_with('/'))
    }

    /// The (normalised) name of entry `index`.
    pub(crate) fn name(&self, index: usize) -> &str {
        &self.names[index]
    }

    /// Decompress one entry, counting real output against the caps.
    pub(crate) fn read(&mut self, index: usize) -> Result<Vec<u8>> {
        let label = &self.label;
        let name = &self.names[index];
        let limits = &self.limits;
        let mut entry =
            self.zip.by_index(index).map_err(|e| build_err(format!("{label}: entry `{name}` cannot be read: {e}")))?;
        let packed = entry.compressed_size().max(1);
        let mut out = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = entry.read(&mut buf).map_err(|e| build_err(format!("{label}: entry `{name}` is damaged: {e}")))?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
            let got = out.len() as u64;
            if got > limits.max_entry_bytes {
                return Err(build_err(format!(
                    "{label}: entry `{name}` expands past {} bytes; refused",
                    limits.max_entry_bytes
                )));
            }
            if self.read_total + got > limits.max_total_bytes {
                return Err(build_err(format!(
                    "{label}: the entries read expand past {} bytes in total; refused",
                    limits.max_total_bytes
                )));
            }
            if got > limits.ratio_floor && got / packed > limits.max_ratio {
                return Err(build_err(format!(
                    "{label}: entry `{name}` expands more than {}× its compressed size; refused as a likely zip bomb",
                    limits.max_ratio
                )));
            }
        }
        self.read_total += out.len() as u64;
        Ok(out)
    }
}

/// An entry name normalised to `/` separators without a leading `./`, or `None` when it
/// would leave the archive.
pub(crate) fn safe_name(raw: &str) -> Option<String> {
    if raw.is_empty() || raw.contains('\0') {
        return None;
    }
    let name = raw.replace('\\', "/");
    if name.starts_with('/') || has_drive(&name) {
        return None;
    }
    if name.split('/').any(|part| part == "..") {
        return None;
    }
    let mut name = name.as_str();
    while let Some(rest) = name.strip_prefix("./") {
        name = rest;
    }
    Some(name.to_string())
}

/// `C:` at the start of a path (a Windows absolute or drive-relative path).
fn has_drive(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}
