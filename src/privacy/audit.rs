//! The audit: may every hidden small count still take every value 1 … k−1, given
//! everything printed? Each question is an exact integer feasibility question for
//! [`super::solver`]; a question it cannot settle within its budget is a leak, never safe.
//! A leak is described with the published numbers that pin it.

use std::collections::{BTreeSet, HashMap};

use super::program::{build, Block, BlockKey, Built};
use super::solver::Outcome;
use super::{Fact, Role, Status, Universe};

/// A value a hidden small cell could not take, given what is published.
#[derive(Clone, Debug)]
pub struct Leak {
    /// The cell's index.
    pub cell: usize,
    /// The values 1 … k−1 a reader can rule out.
    pub excluded: Vec<i64>,
    /// True when the search ran out of budget (treated as a leak).
    pub undecided: bool,
}

pub(crate) const BUDGET: u64 = 200_000;

/// What earlier audits found, kept between audits of similar patterns: for each (cell,
/// value) a witness that the value is consistent with everything published (the cells
/// whose values differ from the truth in one solution), and the leaks of every block
/// already audited.
#[derive(Default)]
pub struct Witnesses {
    /// Witnesses by (cell, value): cells and values where the solution differs from the
    /// true counts, by cell.
    pub(crate) found: HashMap<(usize, i64), Vec<(usize, i64)>>,
    /// The leaks of each block audited, and whether every asked cell was tried (an audit
    /// that stops at its first leak leaves the rest untried).
    pub(crate) blocks: HashMap<BlockKey, (Vec<Leak>, bool)>,
    /// The solver's work over every audit that used these witnesses.
    pub(crate) work: u64,
}

/// Check one pattern: every sensitive cell must be able to take every value 1 … k−1.
pub fn audit(u: &Universe, pattern: &[Status]) -> Vec<Leak> {
    audit_printed(u, pattern, &u.unlabelled(pattern))
}

/// Check a pattern with excerpts printed without their model exactly when listed in
/// `unlabelled` (the audit of what a report actually printed).
pub fn audit_printed(u: &Universe, pattern: &[Status], unlabelled: &BTreeSet<String>) -> Vec<Leak> {
    audit_with(u, pattern, &u.relations(), &mut Witnesses::default(), false, unlabelled)
}

/// The audit of one pattern, block by block ([`super::program`]): a block without a
/// hidden small cell asks nothing, and a block audited before (the same constraints over
/// the same cells) gets its earlier answer. With `first`, stops at the first leak. Leaks
/// come in the order of their cells.
pub(crate) fn audit_with(
    u: &Universe,
    pattern: &[Status],
    relations: &[Fact],
    w: &mut Witnesses,
    first: bool,
    unlabelled: &BTreeSet<String>,
) -> Vec<Leak> {
    let b = build(u, pattern, relations, unlabelled);
    let blocks = b.blocks();
    let mut block_of = vec![usize::MAX; b.problem.domains.len()];
    for (n, block) in blocks.iter().enumerate() {
        for &v in &block.vars {
            block_of[v] = n;
        }
    }
    let mut asked: Vec<Vec<usize>> = vec![Vec::new(); blocks.len()];
    for i in (0..u.cells.len()).filter(|&i| u.sensitive(pattern, i)) {
        let x = b.var[i].expect("a hidden cell has a variable");
        asked[block_of[x]].push(i);
    }
    let mut leaks = Vec::new();
    for (block, asked) in blocks.iter().zip(&asked) {
        if asked.is_empty() {
            continue;
        }
        leaks.extend(audit_block(u, &b, block, asked, w, first));
        if first && !leaks.is_empty() {
            break;
        }
    }
    leaks.sort_by_key(|l| l.cell);
    leaks
}

/// The audit of one block: may each asked cell take every value 1 … k−1?
fn audit_block(u: &Universe, b: &Built, block: &Block, asked: &[usize], w: &mut Witnesses, first: bool) -> Vec<Leak> {
    let (mut problem, truth, cells, key) = b.block(block, asked);
    if let Some((leaks, complete)) = w.blocks.get(&key) {
        if *complete || (first && !leaks.is_empty()) {
            return leaks.clone();
        }
    }
    let mut leaks = Vec::new();
    // Solutions of this block found so far. The true counts are one, so every cell's true
    // value needs no search; each solution found settles every value it holds.
    let mut solutions: Vec<Vec<i64>> = vec![truth.clone()];
    for &i in asked {
        let x = cells[&i];
        let mut excluded = Vec::new();
        let mut undecided = false;
        for v in 1..u.k as i64 {
            if solutions.iter().any(|s| s[x] == v) {
                continue;
            }
            // An earlier witness that still holds under this pattern settles it at once.
            if let Some(values) = w.found.get(&(i, v)) {
                let value = |c: usize| match values.binary_search_by_key(&c, |e| e.0) {
                    Ok(at) => values[at].1,
                    Err(_) => u.cells[c].value(),
                };
                let fixed: Vec<(usize, i64)> = cells.iter().map(|(&c, &var)| (var, value(c))).collect();
                if let Outcome::Feasible(sol) = problem.solve(&fixed, &truth, 200) {
                    solutions.push(sol);
                    continue;
                }
            }
            match problem.solve(&[(x, v)], &truth, BUDGET) {
                Outcome::Feasible(sol) => {
                    let differ: Vec<(usize, i64)> = cells
                        .iter()
                        .filter(|&(&c, &var)| sol[var] != u.cells[c].value())
                        .map(|(&c, &var)| (c, sol[var]))
                        .collect();
                    w.found.insert((i, v), differ);
                    solutions.push(sol);
                }
                Outcome::Infeasible => excluded.push(v),
                Outcome::Unknown => {
                    excluded.push(v);
                    undecided = true;
                }
            }
        }
        if !excluded.is_empty() {
            leaks.push(Leak { cell: i, excluded, undecided });
            if first {
                break;
            }
        }
    }
    w.work += problem.work.get();
    w.blocks.insert(key, (leaks.clone(), !first || leaks.is_empty()));
    leaks
}

/// The published numbers that pin a leak: a smallest set of shown cells (found by
/// deletion) that still rules the value out when every other cell is hidden.
pub fn pinned_by(u: &Universe, pattern: &[Status], leak: &Leak, unlabelled: &BTreeSet<String>) -> Vec<usize> {
    let relations = u.relations();
    let v = leak.excluded[0];
    let mut p = pattern.to_vec();
    let shown: Vec<usize> =
        (0..u.cells.len()).filter(|&c| pattern[c] == Status::Shown && u.cells[c].role != Role::Public).collect();
    let mut needed = Vec::new();
    for c in shown {
        p[c] = Status::Secondary;
        let b = &mut build(u, &p, &relations, unlabelled);
        let x = b.var[leak.cell].expect("hidden");
        if matches!(b.problem.solve(&[(x, v)], &b.truth, BUDGET), Outcome::Feasible(_)) {
            p[c] = Status::Shown;
            needed.push(c);
        }
    }
    needed
}

/// One leak in words: the cell, what a reader can rule out, and what pins it.
pub fn describe(u: &Universe, pattern: &[Status], leak: &Leak, unlabelled: &BTreeSet<String>) -> String {
    let c = &u.cells[leak.cell];
    let pins = pinned_by(u, pattern, leak, unlabelled);
    let pins: Vec<String> = pins.iter().map(|&p| format!("{} = {}", u.cells[p].name(), u.cells[p].value())).collect();
    let what = if leak.undecided { "could not be shown to be open to" } else { "cannot be" };
    let mut s = format!(
        "{}: a reader can narrow this hidden count; it {what} {}",
        c.name(),
        leak.excluded.iter().map(i64::to_string).collect::<Vec<_>>().join(" or ")
    );
    if !pins.is_empty() {
        s.push_str(&format!(", given {}", pins.join(", ")));
    }
    s.push_str(" and the excerpts printed per theme");
    s
}
