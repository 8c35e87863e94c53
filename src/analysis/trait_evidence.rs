//! Whether the model comparison's traits are told apart by their evidence. A trait is
//! evidenced by the excerpts coded to the codes (subthemes) that bear on it, or below them;
//! two traits with exactly the same excerpts would print the same counts in the table and
//! claim the same material twice, so `bsb check` flags them.

use std::collections::{BTreeMap, BTreeSet};

use crate::problem::Problems;
use crate::study::Study;

/// Each trait's excerpts (ids), in the order the traits are listed.
pub fn trait_excerpts(study: &Study) -> Vec<(&str, BTreeSet<&str>)> {
    let ancestors = study.ancestors();
    let mut nodes_of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in &study.excerpts {
        nodes_of.insert(e.id.as_str(), study.evidence_nodes(e, &ancestors));
    }
    study
        .traits
        .iter()
        .map(|t| {
            let ids = nodes_of
                .iter()
                .filter(|(_, nodes)| nodes.iter().any(|n| t.codes.iter().any(|c| c == n)))
                .map(|(id, _)| *id)
                .collect();
            (t.id.as_str(), ids)
        })
        .collect()
}

/// A warning for each pair of traits whose evidence is the same set of excerpts (and not
/// empty), at the second trait's line.
pub fn check(study: &Study, warnings: &mut Problems) {
    let sets = trait_excerpts(study);
    for (i, (id, set)) in sets.iter().enumerate() {
        if set.is_empty() {
            continue;
        }
        if let Some((first, _)) = sets[..i].iter().find(|(_, other)| other == set) {
            let pos = &study.traits[i].pos;
            warnings.at(
                pos,
                "codes",
                format!(
                    "expected each trait to rest on its own evidence, found `{id}` resting on exactly the same {} excerpts as `{first}`: link each to the subthemes that bear on it",
                    set.len()
                ),
            );
        }
    }
}
