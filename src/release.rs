//! Releases: `bsb release` records the current manifest as
//! `report/releases/<version>.json`, so a steering group can match the PDF it received to
//! its inputs later; the report's version-history appendix lists every release with its
//! date and the tables that changed since the release before.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::manifest::Manifest;
use crate::pipeline::{self, Options};
use crate::problem::{build_err, Result};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Release {
    pub version: String,
    /// ISO date of the release: the study's date or `SOURCE_DATE_EPOCH`.
    pub date: String,
    pub manifest: Manifest,
}

/// One line of the version history: version, date, and the tables that changed.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct HistoryEntry {
    pub version: String,
    pub date: String,
    pub changed: Vec<String>,
}

pub fn releases_dir(out: &Path) -> std::path::PathBuf {
    out.join("report/releases")
}

/// Every recorded release, oldest first (by date, then version).
pub fn read_all(out: &Path) -> Result<Vec<(String, Vec<u8>, Release)>> {
    let dir = releases_dir(out);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Ok(Vec::new()) };
    let mut releases = Vec::new();
    for e in entries {
        let path = e?.path();
        if path.extension().and_then(|x| x.to_str()) != Some("json") {
            continue;
        }
        let bytes = std::fs::read(&path)?;
        let release: Release = serde_json::from_slice(&bytes)
            .map_err(|e| build_err(format!("{}: not a release file: {e}", path.display())))?;
        let name = format!("report/releases/{}", path.file_name().unwrap().to_string_lossy());
        releases.push((name, bytes, release));
    }
    releases.sort_by(|a, b| (&a.2.date, &a.2.version).cmp(&(&b.2.date, &b.2.version)));
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

pub fn history(releases: &[(String, Vec<u8>, Release)]) -> Vec<HistoryEntry> {
    releases
        .iter()
        .enumerate()
        .map(|(i, (_, _, r))| HistoryEntry {
            version: r.version.clone(),
            date: r.date.clone(),
            changed: changed_tables(i.checked_sub(1).map(|j| &releases[j].2.manifest), &r.manifest),
        })
        .collect()
}

/// Record the current build as a release. The committed outputs must be current, and a
/// version is released once: a second release of the same version with other content is
/// refused (raise `version` in study.toml).
pub fn release(opts: &Options) -> Result<()> {
    let checked = pipeline::check(opts)?;
    let manifest = Manifest::read(&opts.out.join("report/manifest.json"))
        .ok_or_else(|| build_err("no report/manifest.json: run `bsb build` first"))?;
    let (y, m, d) = pipeline::document_date(&checked.study)?;
    let version = checked.study.meta.version.clone();
    let release = Release { version: version.clone(), date: format!("{y:04}-{m:02}-{d:02}"), manifest };
    let path = releases_dir(&opts.out).join(format!("{version}.json"));
    let mut bytes = serde_json::to_vec_pretty(&release).expect("release serialises");
    bytes.push(b'\n');
    if let Ok(existing) = std::fs::read(&path) {
        if existing == bytes {
            eprintln!("release {version} is already recorded");
            return Ok(());
        }
        return Err(build_err(format!(
            "version {version} was already released with other content ({}); raise `version` in study.toml",
            path.display()
        )));
    }
    let mut outputs = crate::output::Outputs::default();
    outputs.add(format!("report/releases/{version}.json"), bytes);
    outputs.commit(&opts.out)?;
    if !opts.quiet {
        eprintln!("recorded release {version}; run `bsb build` to add it to the version history");
    }
    Ok(())
}
