//! Content hashes of every input and output of a build, the version and the commit:
//! `report/manifest.json`, committed, so a reader can match a PDF to exactly what it was
//! built from and a rebuild can tell what changed without looking at file times.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The SHA-256 of `bytes` in lower-case hex.
pub fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// One hash over a sorted list of (name, hash) pairs.
pub fn combined(entries: &BTreeMap<String, String>) -> String {
    let mut h = Sha256::new();
    for (name, hash) in entries {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(hash.as_bytes());
        h.update([b'\n']);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// `report/manifest.json`: what a build read and wrote, by content hash.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// The study's version.
    pub version: String,
    /// The typst version that typeset the PDFs.
    pub typst: String,
    /// The last commit that touched the data directory, when it is in a git work tree.
    pub commit: Option<String>,
    /// Hash over all inputs, as printed in each PDF's provenance appendix.
    pub input_hash: String,
    /// Every input file (data, templates, language files, releases) and its hash.
    pub inputs: BTreeMap<String, String>,
    /// Per language, the hash of the study as that edition sees it (printed in its PDF).
    pub views: BTreeMap<String, String>,
    /// For each PDF, the hash of the typst sources it was typeset from: a PDF whose
    /// sources are unchanged is not typeset again.
    pub typeset_from: BTreeMap<String, String>,
    /// Every output file and its hash.
    pub outputs: BTreeMap<String, String>,
    /// The privacy suppression of the last build, so that a build or check whose published
    /// facts did not change does not search again (it still audits the pattern once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy: Option<Solved>,
}

/// A privacy suppression as solved: which system of facts it answers and its answer.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Solved {
    /// SHA-256 of the whole system of published facts (every count's members and role).
    pub system: String,
    /// Excerpts of hidden themes are left out rather than printed without their model.
    pub omit: bool,
    /// Each cell's status in the system's order: `=` shown, `<` small, `:` secondary,
    /// `.` never printed.
    pub pattern: String,
    /// Small cells the sampling table itself pins (printed as that table prints them).
    pub exempt: Vec<usize>,
    /// Hidden cells left untried when suppression reached its work limit.
    pub untried: usize,
}

impl Manifest {
    /// The manifest at `path`; `None` when absent or unreadable (then nothing is skipped).
    pub fn read(path: &Path) -> Option<Manifest> {
        serde_json::from_slice(&std::fs::read(path).ok()?).ok()
    }

    /// The file's bytes: pretty JSON with a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).expect("manifest serialises");
        out.push(b'\n');
        out
    }
}
