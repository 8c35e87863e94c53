//! What the analysis stage receives: the chosen pattern as [`Protection`], the only maker
//! of a [`Cleared`] count that holds a number, and the answer kept in the manifest (reused
//! after one audit when it answers the same system of facts).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::audit::audit;
use super::suppress::{leave_out, suppress_exempt, Unprotectable};
use super::{published, CellId, Count, Counted, Role, Status, Universe};

/// A published count the audit has cleared: its value, `<k`, or the mark that it is
/// hidden. Only this module makes one that holds a number ([`Protection::cleared`]), and
/// only for a cell the audit held; anywhere else a count can only be [`Cleared::hidden`].
/// Tables, figures, alt texts and sentences print these and nothing else, so an unaudited
/// count cannot be printed, and every place prints the same value for the same cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Cleared(crate::shown::Shown);

impl Cleared {
    /// A count hidden whatever it is (always safe).
    pub fn hidden() -> Self {
        Cleared(crate::shown::Shown::Hidden)
    }

    /// A questionnaire count, cleared by the questionnaire's own small-cell rule
    /// ([`crate::analysis::survey`]: no group under k is split or given shares). Survey
    /// answers count respondents of a form, not the people and excerpts of this audit.
    pub(crate) fn survey(shown: crate::shown::Shown) -> Self {
        Cleared(shown)
    }

    /// A head count outside the interviews (who came to the dialogue conference), cleared
    /// by the small-cell rule alone: 1 to k − 1 prints as `<k`. Its table prints a total
    /// only when no count in it is small, so no further cell needs hiding.
    pub(crate) fn head_count(count: u64, k: u32) -> Self {
        Cleared(if count > 0 && count < u64::from(k) {
            crate::shown::Shown::Small
        } else {
            crate::shown::Shown::Value(count)
        })
    }

    /// How it may be printed.
    pub fn get(self) -> crate::shown::Shown {
        self.0
    }

    /// The value, when it may be printed.
    pub fn value(self) -> Option<u64> {
        self.0.value()
    }
}

/// The outcome of suppression.
#[derive(Clone, Debug, Serialize)]
pub struct Protection {
    /// Counts from 1 to k−1 are small.
    pub k: u32,
    /// The status and true value of every cell the audit held.
    pub status: BTreeMap<CellId, (Status, u64)>,
    /// Excerpt ids printed without their model (or left out when `omit`).
    pub unlabelled: BTreeSet<String>,
    /// Those excerpts are left out rather than printed without their model.
    pub omit: bool,
    /// Printed cells hidden so that a small cell cannot be recovered (`:`).
    pub secondary: usize,
    /// Printed cells shown as `<k`.
    pub small: usize,
    /// Cells left hidden untried when suppression reached its work limit.
    pub untried: usize,
    /// The answer as the manifest keeps it.
    pub solved: crate::manifest::Solved,
}

impl Protection {
    /// The status of one cell; `None` for a cell the system does not hold.
    pub fn status(&self, id: &CellId) -> Option<Status> {
        self.status.get(id).map(|s| s.0)
    }

    /// One cell as it may be printed, with the value the audit reasoned about. A cell the
    /// audit did not hold, or one the caller counted differently (a bug: two computations
    /// of one count disagree), is hidden: `Err` says which, so the caller can fail, but
    /// nothing unaudited can be printed either way.
    pub fn cleared(&self, id: &CellId, computed: u64) -> Result<Cleared, String> {
        use crate::shown::Shown;
        match self.status.get(id) {
            None => Err(format!("{} {} / {}: a count the privacy audit did not hold", id.table, id.row, id.col)),
            Some(&(_, v)) if v != computed => Err(format!(
                "{} {} / {}: the analysis counts {computed}, the privacy audit {v}",
                id.table, id.row, id.col
            )),
            Some((Status::Shown, v)) => Ok(Cleared(Shown::Value(*v))),
            Some((Status::Small, _)) => Ok(Cleared(Shown::Small)),
            Some((Status::Secondary | Status::Latent, _)) => Ok(Cleared(Shown::Hidden)),
        }
    }
}

/// The protection of a pattern, for the analysis stage.
pub fn protection(u: &Universe, pattern: &[Status]) -> Protection {
    let mut status = BTreeMap::new();
    let (mut secondary, mut small) = (0, 0);
    for (c, s) in u.cells.iter().zip(pattern) {
        if c.role == Role::Suppressible {
            match s {
                Status::Secondary => secondary += 1,
                Status::Small => small += 1,
                _ => {}
            }
        }
        status.insert(c.id(), (*s, c.value() as u64));
    }
    Protection {
        k: u.k,
        status,
        unlabelled: u.unlabelled(pattern),
        omit: u.omit_hidden,
        secondary,
        small,
        untried: u.untried,
        solved: crate::manifest::Solved::default(),
    }
}

/// Audit and protect a study: the pattern secondary suppression chooses, as the analysis
/// stage prints it. Fails, naming each cell and what pins it, when no pattern can help.
/// `cached` is the last build's answer (from the manifest): used, after one audit, when
/// it answers the same system of facts.
pub fn protect(s: &crate::study::Study, cached: Option<&crate::manifest::Solved>) -> Result<Protection, String> {
    let (pattern, u, system) = suppressed(s, cached)?;
    let mut p = protection(&u, &pattern);
    p.solved = crate::manifest::Solved {
        system,
        omit: u.omit_hidden,
        pattern: pattern.iter().map(|s| status_char(*s)).collect(),
        exempt: u.exempt.iter().copied().collect(),
        untried: u.untried,
    };
    Ok(p)
}

fn status_char(s: Status) -> char {
    match s {
        Status::Shown => '=',
        Status::Small => '<',
        Status::Secondary => ':',
        Status::Latent => '.',
    }
}

/// A cached answer applied to the system it names, if it still passes the audit.
fn reuse(u: &Universe, cached: &crate::manifest::Solved) -> Option<(Vec<Status>, Universe)> {
    let pattern: Vec<Status> = cached
        .pattern
        .chars()
        .map(|c| match c {
            '=' => Some(Status::Shown),
            '<' => Some(Status::Small),
            ':' => Some(Status::Secondary),
            '.' => Some(Status::Latent),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let primary = u.primary();
    // The cache may hide more than the rule asks, never less: every cell the small-cell
    // rule hides stays hidden, and only suppressible cells are hidden secondarily.
    let consistent = pattern.len() == u.cells.len()
        && pattern.iter().zip(&primary).zip(&u.cells).all(|((p, q), c)| match q {
            Status::Shown | Status::Small => *p == *q || (*p == Status::Secondary && c.role == Role::Suppressible),
            other => p == other,
        });
    // An exempt cell must be what suppression exempts: a small people count inside a group
    // the sampling table prints as small. A study that leaves excerpts out keeps doing so.
    let small_public: Vec<&Count> = u
        .cells
        .iter()
        .filter(|c| c.role == Role::Public && c.measure == Counted::People && c.value() < u.k as i64)
        .collect();
    let exempt_ok = cached.exempt.iter().all(|&i| {
        i < u.cells.len()
            && u.sensitive(&pattern, i)
            && small_public.iter().any(|p| u.cells[i].members.is_subset(&p.members))
    });
    if !consistent || !exempt_ok || (u.omit_hidden && !cached.omit) {
        return None;
    }
    let mut u = u.clone();
    u.omit_hidden = cached.omit;
    u.exempt = cached.exempt.iter().copied().collect();
    u.untried = cached.untried;
    audit(&u, &pattern).is_empty().then_some((pattern, u))
}

/// The suppression pattern of a study, its system (with the exempt cells) and the
/// system's hash, for [`protect`] and [`explain_text`].
///
/// The answer depends on the counts alone, not on any wording, so the caller may hand in
/// the answer it holds for a system (`cached`: the last build's manifest, or the analysis
/// `bsb check --explain-privacy` has just made): when it is for the same system and passes
/// the audit it is used without searching again. Nothing is remembered between calls:
/// `bsb watch` keeps its analysis across prose edits, and rebuilds after a data edit from
/// the manifest the last build wrote.
pub(crate) fn suppressed(
    s: &crate::study::Study,
    cached: Option<&crate::manifest::Solved>,
) -> Result<(Vec<Status>, Universe, String), String> {
    let u = published::universe(s);
    let key = crate::manifest::sha256(format!("{u:?}").as_bytes());
    let reused = cached.filter(|c| c.system == key).and_then(|c| reuse(&u, c));
    let answer = match reused {
        Some(found) => Ok(found),
        None => suppress_exempt(&u).or_else(|e| leave_out(&u).ok_or(e)).map_err(|Unprotectable(leaks)| {
            format!(
                "privacy: hidden counts a reader can narrow even with every table cell hidden (with `omit_hidden_excerpts = true` in study.toml, excerpts from small cells are left out instead of printed without their model):\n  {}",
                leaks.join("\n  ")
            )
        }),
    };
    answer.map(|(p, u)| (p, u, key))
}
