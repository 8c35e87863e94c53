//! Releases, as data: `bsb release` records the current manifest as
//! `report/releases/<version>.json`, so a steering group can match the PDF it received to
//! its inputs later; the report's version-history appendix lists every release with its
//! date and the tables that changed since the release before. A leaf: it knows the
//! manifest and nothing above it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::manifest::Manifest;
use crate::problem::{build_err, IoContext, Result};

/// One recorded release.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Release {
    /// The study's version.
    pub version: String,
    /// ISO date of the release: the study's date or `SOURCE_DATE_EPOCH`.
    pub date: String,
    /// The manifest of the build that was released.
    pub manifest: Manifest,
}

impl Release {
    /// The file's bytes: pretty JSON with a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("release serialises");
        bytes.push(b'\n');
        bytes
    }

    /// Where a release of `version` is recorded, relative to the output root.
    pub fn path(version: &str) -> String {
        format!("report/releases/{version}.json")
    }
}

/// A release file as read: its path relative to the output root, bytes and content.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// `report/releases/<version>.json`.
    pub name: String,
    /// The file's bytes, hashed as an input of the build.
    pub bytes: Vec<u8>,
    /// What it records.
    pub release: Release,
}

/// One line of the version history: version, date, and the tables that changed.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct HistoryEntry {
    /// The released version.
    pub version: String,
    /// Its date.
    pub date: String,
    /// Tables whose CSV differs from the release before.
    pub changed: Vec<String>,
}

fn releases_dir(out: &Path) -> PathBuf {
    out.join("report/releases")
}

/// Every recorded release, oldest first (by date, then version).
pub fn read_all(out: &Path) -> Result<Vec<Recorded>> {
    let dir = releases_dir(out);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Ok(Vec::new()) };
    let mut releases = Vec::new();
    for e in entries {
        let path = e.at("list", &dir)?.path();
        if path.extension().and_then(|x| x.to_str()) != Some("json") {
            continue;
        }
        let bytes = std::fs::read(&path).at("read", &path)?;
        let release: Release = serde_json::from_slice(&bytes)
            .map_err(|e| build_err(format!("{}: not a release file: {e}", path.display())))?;
        let name = format!("report/releases/{}", path.file_name().unwrap_or_default().to_string_lossy());
        releases.push(Recorded { name, bytes, release });
    }
    releases.sort_by(|a, b| (&a.release.date, &a.release.version).cmp(&(&b.release.date, &b.release.version)));
    Ok(releases)
}

/// The tables whose committed CSV differs between two manifests.
fn changed_tables(before: Option<&Manifest>, after: &Manifest) -> Vec<String> {
    let tables = |m: &Manifest| -> BTreeMap<String, String> {
        m.outputs
            .iter()
            .filter_map(|(k, v)| {
                let name = k.strip_prefix("report/tables/")?.strip_suffix(".csv")?;
                Some((name.to_string(), v.clone()))
            })
            .collect()
    };
    let now = tables(after);
    let then = before.map(tables).unwrap_or_default();
    let mut names: Vec<String> = now.keys().chain(then.keys()).cloned().collect();
    names.sort();
    names.dedup();
    names.into_iter().filter(|n| now.get(n) != then.get(n)).collect()
}

/// The version history: each release with the tables changed since the one before.
pub fn history(releases: &[Recorded]) -> Vec<HistoryEntry> {
    releases
        .iter()
        .enumerate()
        .map(|(i, r)| HistoryEntry {
            version: r.release.version.clone(),
            date: r.release.date.clone(),
            changed: changed_tables(i.checked_sub(1).map(|j| &releases[j].release.manifest), &r.release.manifest),
        })
        .collect()
}
