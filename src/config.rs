//! Everything a run needs from outside the command line, resolved once before any work:
//! the data and output directories, the document date (`SOURCE_DATE_EPOCH`), the git
//! state of the data directory, and how much to say. Nothing below the commands reads the
//! environment or runs git.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::args::{BuildArgs, Global};
use crate::problem::{build_err, Result};
use crate::store::Faults;

/// The resolved configuration of one run.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The study's data directory, as given.
    pub data: PathBuf,
    /// The output root: `--out`, or else the data directory's parent.
    pub out: PathBuf,
    /// Print nothing but errors.
    pub quiet: bool,
    /// Say why each stage ran or was skipped (`bsb build --explain`).
    pub explain: bool,
    /// Also write the typst sources here (`bsb build --emit-typst DIR`).
    pub emit_typst: Option<PathBuf>,
    /// Which report `bsb build` makes (`--edition`): the final one unless asked.
    pub step: crate::study::Step,
    /// `SOURCE_DATE_EPOCH` as given (empty when unset); part of the build's fingerprint.
    pub source_date_epoch: String,
    /// The document date from `SOURCE_DATE_EPOCH`; `None` uses the study's own date.
    pub date: Option<(i32, u8, u8)>,
    /// The git state of the data directory, when it is in a git work tree.
    pub git: Option<GitState>,
    /// Test hooks: make the output store fail (`BSB_FAIL_AFTER_RENAMES=n`) or abort as if
    /// killed (`BSB_KILL_AFTER_RENAMES=n`) after n files were switched into place.
    pub faults: Faults,
}

/// What git says about the data directory, asked once per run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitState {
    /// The last commit that touched the data directory.
    pub commit: String,
    /// Files of the data directory that differ from that commit (relative to the data
    /// directory), with the path of each in the repository for reading its committed bytes.
    pub dirty: Vec<DirtyFile>,
    /// The repository's top directory.
    pub top: PathBuf,
}

/// A file of the data directory with uncommitted changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirtyFile {
    /// Relative to the data directory (`prose/en/method.typ`).
    pub rel: String,
    /// Relative to the repository's top directory, for `git show HEAD:<path>`.
    pub repo_path: String,
}

impl Config {
    /// Resolve the configuration for `global` options and, for `bsb build`, its options.
    pub fn resolve(global: &Global, build: Option<&BuildArgs>) -> Result<Config> {
        let epoch = std::env::var("SOURCE_DATE_EPOCH").unwrap_or_default();
        let date = if epoch.trim().is_empty() { None } else { Some(epoch_date(&epoch)?) };
        let hook = |name: &str| std::env::var(name).ok().and_then(|v| v.parse().ok());
        let faults = Faults {
            fail_after_renames: hook("BSB_FAIL_AFTER_RENAMES"),
            kill_after_renames: hook("BSB_KILL_AFTER_RENAMES"),
        };
        Ok(Config {
            out: global.out.clone().unwrap_or_else(|| beside(&global.data)),
            data: global.data.clone(),
            quiet: global.quiet,
            explain: build.is_some_and(|b| b.explain),
            emit_typst: build.and_then(|b| b.emit_typst.clone()),
            step: match build.map(|b| b.edition) {
                Some(crate::args::EditionArg::Process) => crate::study::Step::Process,
                _ => crate::study::Step::Final,
            },
            source_date_epoch: epoch,
            date,
            git: None,
            faults,
        })
    }

    /// The same, with the data directory's git state asked once (for builds and releases).
    pub fn with_git(mut self) -> Config {
        self.git = git_state(&self.data);
        self
    }

    /// Print a progress line unless `-q`.
    pub fn say(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", msg.as_ref());
        }
    }
}

impl GitState {
    /// The last commit that touched a file of the data directory outside `hidden`
    /// (pathspecs relative to it, like `prose/en`): the commit one language edition names,
    /// so a committed edit to another language's prose does not change it. `None` when git
    /// cannot say.
    pub fn last_commit_outside(&self, data: &Path, hidden: &[String]) -> Option<String> {
        let mut args = vec!["log".to_string(), "-1".into(), "--format=%H".into(), "--".into(), ".".into()];
        args.extend(hidden.iter().map(|h| format!(":(exclude){h}")));
        let out = git(data, &args)?;
        let hash = String::from_utf8_lossy(&out).trim().to_string();
        (!hash.is_empty()).then_some(hash)
    }

    /// The bytes `file` has in the last commit; `None` when it is new (or git cannot say).
    pub fn committed_bytes(&self, file: &DirtyFile) -> Option<Vec<u8>> {
        git(&self.top, &["show", &format!("HEAD:{}", file.repo_path)])
    }
}

/// The files of the repository's folder `dir` at git revision `rev` (for `bsb diff REV`),
/// by name; git runs in the working directory, as the user named the revision there.
pub fn files_at_revision(rev: &str, dir: &str) -> Result<BTreeMap<String, Vec<u8>>> {
    let here = Path::new(".");
    let refused = || build_err(format!("`{rev}` is neither a directory nor a git revision with {dir}"));
    let listing = git(here, &["ls-tree", "--name-only", &format!("{rev}:{dir}")]).ok_or_else(refused)?;
    let mut out = BTreeMap::new();
    for name in String::from_utf8_lossy(&listing).lines() {
        let bytes = git(here, &["show", &format!("{rev}:{dir}/{name}")]).ok_or_else(refused)?;
        out.insert(name.to_string(), bytes);
    }
    Ok(out)
}

/// The one place `bsb` runs git: its output when it ran and succeeded in `dir`.
fn git<S: AsRef<std::ffi::OsStr>>(dir: &Path, args: &[S]) -> Option<Vec<u8>> {
    let out = Command::new("git").args(args).current_dir(dir).output().ok()?;
    out.status.success().then_some(out.stdout)
}

/// Outputs belong to the study: the directory that holds the data directory.
pub fn beside(data: &Path) -> PathBuf {
    let parent = |p: &Path| p.parent().map(Path::to_path_buf).filter(|p| !p.as_os_str().is_empty());
    if data.file_name().is_some() {
        return parent(data).unwrap_or_else(|| PathBuf::from("."));
    }
    // `.`, `..` or a path ending in one of them: its parent needs the real path.
    match std::fs::canonicalize(data) {
        Ok(real) => parent(&real).unwrap_or(real),
        Err(_) => data.join(".."),
    }
}

/// `SOURCE_DATE_EPOCH` (seconds since 1970, UTC) as a date.
fn epoch_date(epoch: &str) -> Result<(i32, u8, u8)> {
    let secs: i64 =
        epoch.trim().parse().map_err(|_| build_err(format!("SOURCE_DATE_EPOCH is not a number: {epoch}")))?;
    let dt =
        time::OffsetDateTime::from_unix_timestamp(secs).map_err(|e| build_err(format!("SOURCE_DATE_EPOCH: {e}")))?;
    Ok((dt.year(), dt.month() as u8, dt.day()))
}

/// The last commit touching `dir` and its uncommitted files; `None` outside a git work
/// tree (or without git).
fn git_state(dir: &Path) -> Option<GitState> {
    let run = |args: &[&str]| git(dir, args);
    let commit = String::from_utf8_lossy(&run(&["log", "-1", "--format=%H", "--", "."])?).trim().to_string();
    if commit.is_empty() {
        return None;
    }
    let top = PathBuf::from(String::from_utf8_lossy(&run(&["rev-parse", "--show-toplevel"])?).trim());
    let prefix = String::from_utf8_lossy(&run(&["rev-parse", "--show-prefix"])?).trim().to_string();
    let status = run(&["status", "--porcelain", "-z", "--untracked-files=all", "--", "."]).unwrap_or_default();
    let mut dirty = Vec::new();
    let mut entries = status.split(|b| *b == 0).filter(|e| !e.is_empty());
    while let Some(entry) = entries.next() {
        let entry = String::from_utf8_lossy(entry);
        if entry.len() < 4 {
            continue;
        }
        let (code, path) = entry.split_at(3);
        // A rename lists its old name next; both differ from the commit.
        let mut paths = vec![path.to_string()];
        if code.starts_with('R') || code.starts_with('C') {
            if let Some(old) = entries.next() {
                paths.push(String::from_utf8_lossy(old).into_owned());
            }
        }
        for repo_path in paths {
            let rel = repo_path.strip_prefix(&prefix).unwrap_or(&repo_path).to_string();
            dirty.push(DirtyFile { rel, repo_path });
        }
    }
    Some(GitState { commit, dirty, top })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_go_beside_the_data_directory() {
        assert_eq!(beside(Path::new("data")), PathBuf::from("."));
        assert_eq!(beside(Path::new("data/")), PathBuf::from("."));
        assert_eq!(beside(Path::new("/tmp/s/data")), PathBuf::from("/tmp/s"));
        assert_eq!(beside(Path::new("a/b")), PathBuf::from("a"));
    }

    #[test]
    fn epoch_is_a_utc_date() {
        assert_eq!(epoch_date("1000000000").unwrap(), (2001, 9, 9));
        assert!(epoch_date("soon").is_err());
    }
}
