//! Secondary suppression: from everything hidden that may be hidden, show cells again,
//! largest first, in groups split when refused, keeping a cell shown only while the audit
//! passes; two orders tried, the one hiding fewer (then smaller) cells kept. Past its work
//! limit, the cells not yet tried stay hidden, and the universe counts them (`untried`).

use std::collections::BTreeSet;

use super::audit::{audit_with, describe, Leak, Witnesses};
use super::{Constraint, Count, Counted, Role, Status, Universe};

/// How much solver work (constraints examined) suppression may spend on showing hidden
/// cells again. The loop starts from a pattern the audit passed and keeps it passing, so
/// stopping early is safe: the cells not yet tried stay hidden. Counted in work, not
/// seconds, so that the same data gives the same tables on any machine. Work counts the
/// solver's searches only: a block answered from memory, or a question settled by a
/// witness kept from an earlier audit, costs none (see BENCHMARKS.md for times).
pub(crate) const SUPPRESSION_WORK: u64 = 1_600_000_000;

/// How many hidden cells suppression first tries to show again at once.
const GROUP: usize = 16;

/// Why suppression could not protect the study: leaks that remain with every suppressible
/// cell hidden, each with the published numbers that pin it.
#[derive(Clone, Debug)]
pub struct Unprotectable(pub Vec<String>);

/// Choose the cells to hide. See the module documentation for the method. Small cells
/// that the public cells alone pin (no table cell or excerpt needed) are exempt, like the
/// sampling table they come from; the returned universe records them.
pub fn suppress(u: &Universe) -> Result<Vec<Status>, Unprotectable> {
    suppress_exempt(u).map(|(p, _)| p)
}

/// [`suppress`], also returning the universe with its exempt cells.
pub fn suppress_exempt(u: &Universe) -> Result<(Vec<Status>, Universe), Unprotectable> {
    suppress_within(u, SUPPRESSION_WORK)
}

/// [`suppress_exempt`] with a bound on the work of showing cells again: the small-cell
/// rule alone if it passes; else everything suppressible hidden (cells only the sampling
/// table pins exempted), then cells shown again in two orders, the better kept.
pub fn suppress_within(u: &Universe, work: u64) -> Result<(Vec<Status>, Universe), Unprotectable> {
    let mut u = u.clone();
    let relations = u.relations();
    let mut w = Witnesses::default();
    let primary = u.primary();
    if audit_with(&u, &primary, &relations, &mut w, true, &u.unlabelled(&primary)).is_empty() {
        return Ok((primary, u));
    }
    let mut all = primary.clone();
    for (i, c) in u.cells.iter().enumerate() {
        if c.role == Role::Suppressible && matches!(all[i], Status::Shown | Status::Small) {
            all[i] = Status::Secondary;
        }
    }
    let leaks = audit_with(&u, &all, &relations, &mut w, false, &u.unlabelled(&all));
    if !leaks.is_empty() {
        exempt(&mut u, &all, &leaks)?;
        w.clear();
    }
    // Two orders of showing cells again, largest first: every cell, or the parts before
    // the totals made of them; the pattern with fewer hidden cells (then the smaller
    // hidden total) wins.
    let parents: BTreeSet<usize> = u.families.iter().map(|f| f.0).collect();
    let cost = |p: &[Status]| {
        let hidden: Vec<usize> = (0..p.len()).filter(|&i| p[i] == Status::Secondary).collect();
        (hidden.len(), hidden.iter().map(|&i| u.cells[i].value()).sum::<i64>())
    };
    let order = |parts_first: bool| {
        let mut order: Vec<usize> = (0..u.cells.len()).filter(|&i| all[i] == Status::Secondary).collect();
        order.sort_by_key(|&i| (parts_first && parents.contains(&i), -u.cells[i].value(), i));
        order
    };
    // The two orders are searched at once, on two cores, each from the witnesses the audits
    // above found (a copy each): neither depends on the other, so the answer is the same
    // however the threads run. The first order wins a tie.
    let mut other = w.clone();
    let (every, parts) = rayon::join(
        || show_again(&u, &relations, &mut w, (&all, &primary), &order(false), work / 2),
        || show_again(&u, &relations, &mut other, (&all, &primary), &order(true), work / 2),
    );
    let (pattern, untried) = if cost(&parts.0) < cost(&every.0) { parts } else { every };
    u.untried = untried;
    Ok((pattern, u))
}

/// Exempt the leaking cells that lie inside a group the sampling table itself prints as
/// small (a region of one or two people): they are as public as that table. Any other
/// leak with everything hidden makes the study unprotectable.
fn exempt(u: &mut Universe, all: &[Status], leaks: &[Leak]) -> Result<(), Unprotectable> {
    let small_public: Vec<&Count> = u
        .cells
        .iter()
        .filter(|c| c.role == Role::Public && c.measure == Counted::People && c.value() < u.k as i64)
        .collect();
    let exempt: BTreeSet<usize> = leaks
        .iter()
        .map(|l| l.cell)
        .filter(|&i| small_public.iter().any(|p| u.cells[i].members.is_subset(&p.members)))
        .collect();
    u.exempt = exempt;
    let leaks: Vec<&Leak> = leaks.iter().filter(|l| !u.exempt.contains(&l.cell)).collect();
    if !leaks.is_empty() {
        return Err(Unprotectable(leaks.iter().map(|l| describe(u, all, l, &u.unlabelled(all))).collect()));
    }
    Ok(())
}

/// Show the hidden cells of `all` again in `order` while the audit passes, within `work`:
/// the pattern, and how many cells were left hidden untried when the work ran out.
///
/// Cells are tried in groups, in order: a group whose cells can all be shown again costs
/// one audit; one that cannot is split in two and each half tried, down to single cells.
/// Every cell left hidden was refused on its own, in the same context as one-at-a-time
/// would have tried it, with far fewer audits when most cells can be shown.
fn show_again(
    u: &Universe,
    relations: &[Constraint],
    w: &mut Witnesses,
    (all, primary): (&[Status], &[Status]),
    order: &[usize],
    work: u64,
) -> (Vec<Status>, usize) {
    let mut pattern = all.to_vec();
    let start = w.work;
    let mut queue: std::collections::VecDeque<Vec<usize>> = order.chunks(GROUP).map(<[usize]>::to_vec).collect();
    while let Some(group) = queue.pop_front() {
        // Past the work limit, the cells not yet tried stay hidden.
        if w.work - start > work {
            let untried = group.len() + queue.iter().map(Vec::len).sum::<usize>();
            return (pattern, untried);
        }
        for &i in &group {
            // A small cell shows as `<k` again, any other as its number.
            pattern[i] = if primary[i] == Status::Small { Status::Small } else { Status::Shown };
        }
        if audit_with(u, &pattern, relations, w, true, &u.unlabelled(&pattern)).is_empty() {
            continue;
        }
        for &i in &group {
            pattern[i] = Status::Secondary;
        }
        if group.len() > 1 {
            let (a, b) = group.split_at(group.len() / 2);
            queue.push_front(b.to_vec());
            queue.push_front(a.to_vec());
        }
    }
    (pattern, 0)
}

/// When printing excerpts without their model cannot protect a cell (a theme whose only
/// excerpt is one person's), leave those excerpts out instead, as a study may ask with
/// `omit_hidden_excerpts = true`; `None` when even that cannot help.
pub(crate) fn leave_out(u: &Universe) -> Option<(Vec<Status>, Universe)> {
    if u.omit_hidden {
        return None;
    }
    let omitting = Universe { omit_hidden: true, ..u.clone() };
    suppress_exempt(&omitting).ok()
}
