//! A small exact solver for systems of linear constraints over bounded integers: bounds
//! propagation (each constraint tightens the bounds of its variables from the bounds of
//! the others) and a complete depth-first search that splits domains. It answers one
//! question exactly: is there an integer assignment with `x = v` that satisfies every
//! constraint? A search that exceeds its node budget answers `Unknown`, which callers treat
//! as "could be narrowed" (never as safe).

/// `lo ≤ Σ coef·x ≤ hi`.
#[derive(Clone, Debug)]
pub struct Lin {
    /// Variable and coefficient.
    pub terms: Vec<(usize, i64)>,
    /// Lower bound of the sum.
    pub lo: i64,
    /// Upper bound of the sum.
    pub hi: i64,
}

/// Bounded integer variables and linear constraints over them.
#[derive(Clone, Debug, Default)]
pub struct IntProgram {
    /// Inclusive bounds of each variable.
    pub domains: Vec<(i64, i64)>,
    /// The constraints.
    pub cons: Vec<Lin>,
    /// Constraints each variable occurs in (built by [`IntProgram::index`]).
    occurs: Vec<Vec<usize>>,
    /// Terms of constraints examined so far: the solver's work, counted so that callers can bound
    /// it deterministically (a clock would not give the same answer twice).
    pub work: std::cell::Cell<u64>,
    /// [`IntProgram::propagate`]'s queue marks and their last stamp.
    marks: std::cell::RefCell<(Vec<u64>, u64)>,
    /// The domains after propagating every constraint once (`None` inside: infeasible),
    /// computed on the first solve: each solve then propagates only from what it fixes.
    root: Option<Option<Vec<(i64, i64)>>>,
}

/// The work a search may spend per node of its budget, on average.
const WORK_PER_NODE: u64 = 50;

/// The answer to one feasibility question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A satisfying assignment of every variable.
    Feasible(Vec<i64>),
    /// No assignment satisfies every constraint.
    Infeasible,
    /// The search ran out of its node budget.
    Unknown,
}

fn div_floor(a: i64, b: i64) -> i64 {
    let (q, r) = (a / b, a % b);
    if r != 0 && ((r < 0) != (b < 0)) {
        q - 1
    } else {
        q
    }
}

fn div_ceil(a: i64, b: i64) -> i64 {
    -div_floor(-a, b)
}

impl IntProgram {
    /// A problem over variables with these bounds and no constraint yet.
    pub fn new(domains: Vec<(i64, i64)>) -> Self {
        IntProgram {
            domains,
            cons: Vec::new(),
            occurs: Vec::new(),
            work: Default::default(),
            marks: Default::default(),
            root: None,
        }
    }

    /// Add a variable with bounds `lo ..= hi`; returns its index.
    pub fn var(&mut self, lo: i64, hi: i64) -> usize {
        self.root = None;
        self.domains.push((lo, hi));
        self.domains.len() - 1
    }

    /// Add `lo ≤ Σ terms ≤ hi`, merging repeated variables and dropping zero coefficients.
    pub fn add(&mut self, terms: &[(usize, i64)], lo: i64, hi: i64) {
        let mut merged: Vec<(usize, i64)> = Vec::new();
        for &(v, c) in terms {
            match merged.iter_mut().find(|(w, _)| *w == v) {
                Some(t) => t.1 += c,
                None => merged.push((v, c)),
            }
        }
        merged.retain(|t| t.1 != 0);
        self.root = None;
        self.cons.push(Lin { terms: merged, lo, hi });
    }

    fn index(&mut self) {
        self.occurs = vec![Vec::new(); self.domains.len()];
        for (i, c) in self.cons.iter().enumerate() {
            for &(v, _) in &c.terms {
                self.occurs[v].push(i);
            }
        }
    }

    /// Tighten `dom` to bounds consistency; false when some domain becomes empty. Every
    /// domain it changes is first recorded on `trail` (variable, old bounds), so a search
    /// can undo it instead of copying every domain at every node.
    fn propagate(&self, dom: &mut [(i64, i64)], start: Option<&[usize]>, trail: &mut Vec<(usize, (i64, i64))>) -> bool {
        let n = self.cons.len();
        // Which constraints are queued, reused across calls: a call marks with a fresh
        // stamp instead of allocating and clearing a flag per constraint.
        let mut marks = self.marks.borrow_mut();
        if marks.0.len() != n {
            *marks = (vec![0; n], 0);
        }
        marks.1 += 1;
        let stamp = marks.1;
        let (queued, _) = &mut *marks;
        let mut queue: std::collections::VecDeque<usize> = std::collections::VecDeque::new();
        match start {
            None => {
                for i in 0..n {
                    queued[i] = stamp;
                    queue.push_back(i);
                }
            }
            Some(vars) => {
                for &v in vars {
                    for &c in &self.occurs[v] {
                        if queued[c] != stamp {
                            queued[c] = stamp;
                            queue.push_back(c);
                        }
                    }
                }
            }
        }
        while let Some(ci) = queue.pop_front() {
            self.work.set(self.work.get() + 1 + self.cons[ci].terms.len() as u64);
            queued[ci] = 0;
            let c = &self.cons[ci];
            let (mut min_sum, mut max_sum) = (0i64, 0i64);
            for &(v, a) in &c.terms {
                let (lo, hi) = dom[v];
                if a > 0 {
                    min_sum += a * lo;
                    max_sum += a * hi;
                } else {
                    min_sum += a * hi;
                    max_sum += a * lo;
                }
            }
            if min_sum > c.hi || max_sum < c.lo {
                return false;
            }
            for &(v, a) in &c.terms {
                let (lo, hi) = dom[v];
                let (tmin, tmax) = if a > 0 { (a * lo, a * hi) } else { (a * hi, a * lo) };
                // a·x ≤ hi − (min_sum − tmin) and a·x ≥ lo − (max_sum − tmax).
                let upper = c.hi - (min_sum - tmin);
                let lower = c.lo - (max_sum - tmax);
                let (nlo, nhi) = if a > 0 {
                    (lo.max(div_ceil(lower, a)), hi.min(div_floor(upper, a)))
                } else {
                    (lo.max(div_ceil(upper, a)), hi.min(div_floor(lower, a)))
                };
                if nlo > nhi {
                    return false;
                }
                if (nlo, nhi) != (lo, hi) {
                    trail.push((v, (lo, hi)));
                    dom[v] = (nlo, nhi);
                    for &other in &self.occurs[v] {
                        if other != ci && queued[other] != stamp {
                            queued[other] = stamp;
                            queue.push_back(other);
                        }
                    }
                }
            }
        }
        true
    }

    fn satisfied(&self, x: &[i64]) -> bool {
        self.cons.iter().all(|c| {
            let s: i64 = c.terms.iter().map(|&(v, a)| a * x[v]).sum();
            s >= c.lo && s <= c.hi
        })
    }

    /// Bounds of every variable after propagation (outer bounds of the feasible set), or
    /// `None` when propagation alone proves the system infeasible.
    pub fn bounds(&mut self) -> Option<Vec<(i64, i64)>> {
        self.index();
        self.root = None;
        let mut dom = self.domains.clone();
        self.propagate(&mut dom, None, &mut Vec::new()).then_some(dom)
    }

    /// Is there a solution with every `(var, value)` of `fixed`? `hint` orders the search
    /// (values closest to the hint first); `budget` bounds the number of search nodes.
    pub fn solve(&mut self, fixed: &[(usize, i64)], hint: &[i64], budget: u64) -> Outcome {
        if self.root.is_none() || self.occurs.len() != self.domains.len() {
            self.index();
            let mut dom = self.domains.clone();
            let feasible = self.propagate(&mut dom, None, &mut Vec::new());
            self.root = Some(feasible.then_some(dom));
        }
        // The root is a fixpoint of every constraint, so after fixing values only the
        // constraints of the fixed variables (and what they change) need propagating:
        // the same bounds as propagating everything again.
        let Some(Some(mut dom)) = self.root.clone() else { return Outcome::Infeasible };
        for &(v, x) in fixed {
            if x < dom[v].0 || x > dom[v].1 {
                return Outcome::Infeasible;
            }
            dom[v] = (x, x);
        }
        let vars: Vec<usize> = fixed.iter().map(|f| f.0).collect();
        if !self.propagate(&mut dom, Some(&vars), &mut Vec::new()) {
            return Outcome::Infeasible;
        }
        // Nodes are the budget; work (constraint terms examined) is bounded too, at a
        // generous multiple, since one node can cost little or a lot.
        let mut nodes = 0u64;
        let work_limit = self.work.get().saturating_add(budget.saturating_mul(WORK_PER_NODE));
        let distance = self.distances(fixed);
        // Only the variables linked to a fixed one (through constraints) are searched.
        // The others form blocks that no fixed value reaches, and when the hint satisfies
        // every constraint (the true counts do), it satisfies those blocks as they are:
        // they take the hint's values. The leaf checks every constraint, so a hint that is
        // not a solution is caught, and then every variable is searched.
        let reachable = !fixed.is_empty()
            && hint.len() == dom.len()
            && (0..dom.len()).all(|v| distance[v] != usize::MAX || (dom[v].0 <= hint[v] && hint[v] <= dom[v].1));
        let mut order: Vec<usize> =
            (0..dom.len()).filter(|&v| dom[v].0 < dom[v].1 && (!reachable || distance[v] != usize::MAX)).collect();
        order.sort_by_key(|&v| (distance[v], dom[v].1 - dom[v].0, v));
        if reachable {
            let rest: Vec<usize> = (0..dom.len()).filter(|&v| distance[v] == usize::MAX).collect();
            let mut fixed_dom = dom.clone();
            for &v in &rest {
                fixed_dom[v] = (hint[v], hint[v]);
            }
            match self.search(&mut fixed_dom, &mut Vec::new(), hint, &order, 0, &mut nodes, (budget, work_limit)) {
                Some(Some(x)) => return Outcome::Feasible(x),
                Some(None) => return Outcome::Infeasible,
                None => return Outcome::Unknown,
            }
        }
        match self.search(&mut dom, &mut Vec::new(), hint, &order, 0, &mut nodes, (budget, work_limit)) {
            Some(Some(x)) => Outcome::Feasible(x),
            Some(None) => Outcome::Infeasible,
            None => Outcome::Unknown,
        }
    }

    /// How many constraints separate each variable from the fixed ones (breadth first).
    /// The search decides near variables first: a fixed value that differs from the hint
    /// forces changes around it, and deciding those first keeps a wrong choice from being
    /// buried under hundreds of unrelated decisions (chronological backtracking would then
    /// thrash). Unreachable variables come last.
    fn distances(&self, fixed: &[(usize, i64)]) -> Vec<usize> {
        let mut dist = vec![usize::MAX; self.domains.len()];
        let mut queue = std::collections::VecDeque::new();
        for &(v, _) in fixed {
            dist[v] = 0;
            queue.push_back(v);
        }
        while let Some(v) = queue.pop_front() {
            for &c in &self.occurs[v] {
                for &(w, _) in &self.cons[c].terms {
                    if dist[w] == usize::MAX {
                        dist[w] = dist[v] + 1;
                        queue.push_back(w);
                    }
                }
            }
        }
        dist
    }

    /// `Some(Some(x))` a solution, `Some(None)` none in this subtree, `None` out of budget.
    /// Variables are decided in `order` (see [`IntProgram::distances`]; then the smallest
    /// domain first); those before `from` are already fixed in this subtree, so finding
    /// the next one costs nothing along a path.
    #[allow(clippy::too_many_arguments)]
    fn search(
        &self,
        dom: &mut Vec<(i64, i64)>,
        trail: &mut Vec<(usize, (i64, i64))>,
        hint: &[i64],
        order: &[usize],
        from: usize,
        nodes: &mut u64,
        budget: (u64, u64),
    ) -> Option<Option<Vec<i64>>> {
        *nodes += 1;
        if *nodes > budget.0 || self.work.get() > budget.1 {
            return None;
        }
        let next = (from..order.len()).find(|&i| dom[order[i]].0 < dom[order[i]].1);
        let Some(at) = next else {
            let x: Vec<i64> = dom.iter().map(|d| d.0).collect();
            return Some(self.satisfied(&x).then_some(x));
        };
        let v = order[at];
        let (lo, hi) = dom[v];
        let h = hint.get(v).copied().unwrap_or(lo).clamp(lo, hi);
        // Three branches that cover the domain: the hinted value, below it, above it.
        let mut branches = vec![(h, h)];
        if h > lo {
            branches.push((lo, h - 1));
        }
        if h < hi {
            branches.push((h + 1, hi));
        }
        for (blo, bhi) in branches {
            let mark = trail.len();
            trail.push((v, dom[v]));
            dom[v] = (blo, bhi);
            let found = if self.propagate(dom, Some(&[v]), trail) {
                self.search(dom, trail, hint, order, at, nodes, budget)
            } else {
                Some(None)
            };
            // Undo this branch's changes, newest first.
            while trail.len() > mark {
                let (w, old) = trail.pop().expect("above the mark");
                dom[w] = old;
            }
            match found? {
                Some(x) => return Some(Some(x)),
                None => continue,
            }
        }
        Some(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtraction_pins_a_cell() {
        // a + b = 5, b = 4 (fixed by the domain), a ∈ [1, 2].
        let mut p = IntProgram::new(vec![(1, 2), (4, 4)]);
        p.add(&[(0, 1), (1, 1)], 5, 5);
        assert!(matches!(p.solve(&[(0, 1)], &[1, 4], 1000), Outcome::Feasible(_)));
        assert_eq!(p.solve(&[(0, 2)], &[1, 4], 1000), Outcome::Infeasible);
    }

    #[test]
    fn search_finds_what_propagation_alone_cannot_decide() {
        // x + y = 3, x − y ∈ {−1, 1} via 2x parity: x, y ∈ [0, 3], 2x ≠ 3 means no fractional split.
        let mut p = IntProgram::new(vec![(0, 3), (0, 3)]);
        p.add(&[(0, 2), (1, 2)], 6, 6);
        p.add(&[(0, 1), (1, -1)], -1, 1);
        match p.solve(&[], &[0, 0], 1000) {
            Outcome::Feasible(x) => assert_eq!(x[0] + x[1], 3),
            other => panic!("{other:?}"),
        }
        // Parity: 2x = 3 has no integer solution, though its bounds do.
        let mut q = IntProgram::new(vec![(0, 3)]);
        q.add(&[(0, 2)], 3, 3);
        assert_eq!(q.solve(&[], &[0], 1000), Outcome::Infeasible);
    }

    #[test]
    fn negative_coefficients_and_floor_division() {
        assert_eq!(div_floor(-7, 2), -4);
        assert_eq!(div_ceil(-7, 2), -3);
        assert_eq!(div_floor(7, -2), -4);
        // 10·p − e ≥ 0 with e = 3: p ≥ 1.
        let mut p = IntProgram::new(vec![(0, 5), (3, 3)]);
        p.add(&[(0, 10), (1, -1)], 0, i64::MAX / 4);
        assert_eq!(p.solve(&[(0, 0)], &[0, 3], 100), Outcome::Infeasible);
    }
}
