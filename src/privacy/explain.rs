//! `bsb check --explain-privacy`: every hidden cell, why it is hidden, the range a reader
//! can infer for it, and the information suppression costs per table.

use std::collections::BTreeMap;

use serde::Serialize;

use super::audit::BUDGET;
use super::program::{build, Built};
use super::protection::{protection, suppressed};
use super::solver::Outcome;
use super::{Role, Status, Universe};

/// A hidden cell as `--explain-privacy` prints it.
#[derive(Clone, Debug, Serialize)]
pub struct Explained {
    /// The cell, named.
    pub cell: String,
    /// Why it is hidden.
    pub status: Status,
    /// The smallest value a reader can infer.
    pub min: i64,
    /// The largest value a reader can infer.
    pub max: i64,
    /// False when the range is only the outer bound (a `:` cell whose ends took more
    /// than a few steps to find).
    pub exact: bool,
}

/// How many values `--explain-privacy` tries at each end of a `:` cell's range.
const EXPLAIN_STEPS: u64 = 12;

/// For every hidden cell, the exact range a reader can infer from everything published.
pub fn explain(u: &Universe, pattern: &[Status]) -> Vec<Explained> {
    let relations = u.relations();
    let mut b = build(u, pattern, &relations, &u.unlabelled(pattern));
    let outer = b.problem.bounds().unwrap_or_else(|| b.problem.domains.clone());
    let mut out = Vec::new();
    for (i, c) in u.cells.iter().enumerate() {
        let Some(x) = b.var[i] else { continue };
        if pattern[i] == Status::Latent && !u.sensitive(pattern, i) {
            continue;
        }
        let (lo, hi) = outer[x];
        // Each end is walked inwards one value at a time while the value is ruled out.
        // A small cell has only 1 … k−1 to walk: exact. A wider `:` cell gets a bounded
        // number of steps; past them its range is the outer bound propagation gives (a
        // reader may know more about a `:` cell, never about a small one).
        let steps = if u.sensitive(pattern, i) { u64::MAX } else { EXPLAIN_STEPS };
        let budget = if u.sensitive(pattern, i) { BUDGET } else { BUDGET / 20 };
        let feasible =
            |b: &mut Built, v: i64| !matches!(b.problem.solve(&[(x, v)], &b.truth, budget), Outcome::Infeasible);
        let (mut min, mut max, mut exact) = (lo, hi, true);
        let mut n = 0;
        while min < max && !feasible(&mut b, min) {
            min += 1;
            n += 1;
            if n >= steps {
                exact = false;
                break;
            }
        }
        n = 0;
        while exact && max > min && !feasible(&mut b, max) {
            max -= 1;
            n += 1;
            if n >= steps {
                exact = false;
                break;
            }
        }
        if !exact {
            (min, max) = (lo, hi);
        }
        out.push(Explained { cell: c.name(), status: pattern[i], min, max, exact });
    }
    out
}

/// The information suppression costs, per table: printed counts hidden (`<k` and `:`)
/// out of those that could be printed, and the share.
pub fn loss(u: &Universe, pattern: &[Status]) -> Vec<(String, usize, usize, usize)> {
    let mut by_table: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for (c, s) in u.cells.iter().zip(pattern) {
        if c.role != Role::Suppressible {
            continue;
        }
        let e = by_table.entry(c.table.as_str()).or_default();
        e.0 += 1;
        match s {
            Status::Small => e.1 += 1,
            Status::Secondary => e.2 += 1,
            _ => {}
        }
    }
    by_table.into_iter().map(|(t, (n, small, secondary))| (t.to_string(), n, small, secondary)).collect()
}

fn loss_text(u: &Universe, pattern: &[Status]) -> String {
    let mut out = String::from("Information loss (counts hidden of those a table could print):\n");
    for (table, n, small, secondary) in loss(u, pattern) {
        let share = if n == 0 { 0.0 } else { 100.0 * (small + secondary) as f64 / n as f64 };
        out.push_str(&format!(
            "  {table}: {} of {n} ({share:.1} %): {small} <{}, {secondary} :\n",
            small + secondary,
            u.k
        ));
    }
    out
}

/// `bsb check --explain-privacy`: every hidden cell, why, and what a reader can infer.
/// `cached`: the answer the analysis just made for the study, so it is audited rather than
/// searched for again.
pub fn explain_text(s: &crate::study::Study, cached: Option<&crate::manifest::Solved>) -> Result<String, String> {
    let (pattern, u, _) = suppressed(s, cached)?;
    let rows = explain(&u, &pattern);
    let p = protection(&u, &pattern);
    let mut out = format!(
        "Hidden cells (k = {}): {} small (printed <{}), {} secondary (printed :), {} excerpts without their model{}.\n",
        u.k,
        p.small,
        u.k,
        p.secondary,
        p.unlabelled.len(),
        if u.omit_hidden { " (left out)" } else { "" }
    );
    out.push_str(&loss_text(&u, &pattern));
    if u.untried > 0 {
        out.push_str(&format!(
            "Suppression reached its work limit: {} of the secondary cells were kept hidden without being tried.\n",
            u.untried
        ));
    }
    let width = rows.iter().map(|r| r.cell.chars().count()).max().unwrap_or(0);
    for r in rows {
        let why = match r.status {
            Status::Small if u.exempt.iter().any(|&i| u.cells[i].name() == r.cell) => {
                "small, but pinned by the sampling table itself (printed as it is)".into()
            }
            Status::Small => format!("small: 1 to {}", u.k - 1),
            Status::Secondary => "secondary: would let a reader recover a small cell".into(),
            Status::Latent => format!("never printed, small: 1 to {}", u.k - 1),
            Status::Shown => continue,
        };
        let mut range = if r.min == r.max { format!("{}", r.min) } else { format!("{} to {}", r.min, r.max) };
        if !r.exact {
            range = format!("a range within {range}");
        }
        out.push_str(&format!("{:width$}  {why}; a reader can infer {range}\n", r.cell));
    }
    Ok(out)
}
