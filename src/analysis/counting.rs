//! The counting under every table: interviews and people summed per region and model, and
//! distinct excerpts and people per code and model. Plain ordered maps over the validated
//! study: every key comes out sorted, so no result depends on hashing or thread order.
//!
//! (These were polars frames and group-bys until issue 26. Five small aggregations did not
//! pay for a dataframe library that was a third of a fresh machine's compile time.)

use std::collections::{BTreeMap, BTreeSet};

use super::SampleCounts;
use crate::study::{InterviewKind, Study};

/// The sample summed per region and per model. An interview whose unit the study does not
/// hold counts in neither (validation reports it; the analysis never runs on such a study).
pub(crate) struct Sample {
    /// Per region id, sorted.
    pub(crate) regions: BTreeMap<String, SampleCounts>,
    /// Per model id, sorted.
    pub(crate) models: BTreeMap<String, SampleCounts>,
}

impl Sample {
    /// Sum the interview register of `study`.
    pub(crate) fn of(study: &Study) -> Sample {
        let models = study.interview_models();
        let (mut by_region, mut by_model) = (BTreeMap::new(), BTreeMap::new());
        for interview in &study.interviews {
            let Some(model) = models.get(interview.id.as_str()) else { continue };
            for (map, key) in [(&mut by_region, interview.region.as_str()), (&mut by_model, model)] {
                let c: &mut SampleCounts = map.entry(key.to_string()).or_default();
                c.individual += u64::from(interview.kind == InterviewKind::Individual);
                c.group += u64::from(interview.kind == InterviewKind::Group);
                c.interviews += 1;
                c.participants += u64::from(interview.participants);
            }
        }
        Sample { regions: by_region, models: by_model }
    }

    /// The whole sample: the regions' sums added up.
    pub(crate) fn total(&self) -> SampleCounts {
        let sum = |f: fn(&SampleCounts) -> u64| self.regions.values().map(f).sum();
        SampleCounts {
            individual: sum(|c| c.individual),
            group: sum(|c| c.group),
            interviews: sum(|c| c.interviews),
            participants: sum(|c| c.participants),
        }
    }

    /// The sample's named figures, for prose and the errata (`interviews.group`,
    /// `region.<id>.participants`, `model.<id>.interviews`).
    pub(crate) fn metrics(&self) -> BTreeMap<String, f64> {
        let total = self.total();
        let mut metrics = BTreeMap::new();
        metrics.insert("interviews.individual".to_string(), total.individual as f64);
        metrics.insert("interviews.group".to_string(), total.group as f64);
        metrics.insert("interviews.total".to_string(), total.interviews as f64);
        metrics.insert("participants.total".to_string(), total.participants as f64);
        for (prefix, map) in [("region", &self.regions), ("model", &self.models)] {
            for (id, c) in map {
                metrics.insert(format!("{prefix}.{id}.individual"), c.individual as f64);
                metrics.insert(format!("{prefix}.{id}.group"), c.group as f64);
                metrics.insert(format!("{prefix}.{id}.interviews"), c.interviews as f64);
                metrics.insert(format!("{prefix}.{id}.participants"), c.participants as f64);
            }
        }
        metrics
    }
}

/// One piece of evidence: an excerpt counted for a code (the code it is coded to, or one
/// above it), with the person who said it and the model of their interview.
pub(crate) struct Coded<'a> {
    /// The excerpt's id.
    pub(crate) excerpt: &'a str,
    /// The code it counts for.
    pub(crate) code: &'a str,
    /// The participant's pseudonym (unique within the study, so it identifies a person).
    pub(crate) participant: &'a str,
    /// The model of the excerpt's interview.
    pub(crate) model: &'a str,
}

/// Every (excerpt, code-or-ancestor) pair of `study`, so that counting by code counts
/// evidence for themes and subthemes alike. An excerpt whose interview has no model counts
/// nowhere.
pub(crate) fn evidence(study: &Study) -> Vec<Coded<'_>> {
    let ancestors = study.ancestors();
    let models = study.interview_models();
    let mut out = Vec::new();
    for e in &study.excerpts {
        let Some(&model) = models.get(e.interview.as_str()) else { continue };
        for code in study.evidence_nodes(e, &ancestors) {
            out.push(Coded { excerpt: &e.id, code, participant: &e.participant, model });
        }
    }
    out
}

/// Distinct excerpts and distinct participants per key.
pub(crate) type Grid<K> = BTreeMap<K, (u64, u64)>;

/// Count the distinct excerpts and participants of `evidence` per `key`.
pub(crate) fn grid<'a, K: Ord>(
    evidence: impl IntoIterator<Item = &'a Coded<'a>>,
    key: impl Fn(&Coded<'a>) -> K,
) -> Grid<K> {
    let mut sets: BTreeMap<K, (BTreeSet<&str>, BTreeSet<&str>)> = BTreeMap::new();
    for c in evidence {
        let (excerpts, people) = sets.entry(key(c)).or_default();
        excerpts.insert(c.excerpt);
        people.insert(c.participant);
    }
    sets.into_iter().map(|(k, (e, p))| (k, (e.len() as u64, p.len() as u64))).collect()
}

/// Distinct excerpts and participants in all of `evidence`.
pub(crate) fn total<'a>(evidence: impl IntoIterator<Item = &'a Coded<'a>>) -> (u64, u64) {
    grid(evidence, |_| ()).remove(&()).unwrap_or((0, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coded<'a>(excerpt: &'a str, code: &'a str, participant: &'a str, model: &'a str) -> Coded<'a> {
        Coded { excerpt, code, participant, model }
    }

    #[test]
    fn a_grid_counts_each_excerpt_and_person_once_per_key() {
        let rows = [
            coded("E1", "A", "p1", "M1"),
            coded("E1", "A.1", "p1", "M1"),
            coded("E2", "A", "p1", "M1"),
            coded("E3", "A", "p2", "M2"),
            coded("E3", "B", "p2", "M2"),
        ];
        let by_code = grid(&rows, |c| c.code.to_string());
        assert_eq!(by_code["A"], (3, 2));
        assert_eq!(by_code["A.1"], (1, 1));
        assert_eq!(by_code["B"], (1, 1));
        let by_model = grid(&rows, |c| c.model.to_string());
        assert_eq!(by_model["M1"], (2, 1));
        assert_eq!(by_model["M2"], (1, 1));
        assert_eq!(total(&rows), (3, 2));
        assert_eq!(total(&rows[..0]), (0, 0));
        assert!(grid(&rows[..0], |c| c.code).is_empty());
    }
}
