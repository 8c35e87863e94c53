//! The integer programme of one suppression pattern: a variable for every hidden count and
//! for every class of excerpts printed without their model, and a constraint for every
//! relation a reader may assume and every theme's printed excerpts. Shown counts enter as
//! constants.
//!
//! The programme falls apart into *blocks*: sets of variables that no constraint links to
//! any variable outside the set (the connected components of the constraint graph). A
//! value is consistent with everything published exactly when it is consistent with its
//! own block, so the audit solves one block at a time (`Built::blocks`,
//! `Built::block`), and a block it has seen before, with the same constraints over the
//! same cells, needs no solving again.

use std::collections::{BTreeMap, BTreeSet};

use super::solver::IntProgram;
use super::{Constraint, Counted, Status, Universe, BIG};

/// What a variable of the programme stands for, in terms that do not depend on the
/// pattern (its index in the programme does): the key of a block seen before.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum VarName {
    /// A hidden cell, by its index in the universe.
    Count(usize),
    /// The excerpts of one model among those printed without their model in exactly
    /// these themes.
    Class(Vec<usize>, usize),
    /// The excerpts of one model left out of one theme.
    LeftOut(usize, usize),
}

/// The integer programme of one suppression pattern: a variable for every hidden cell,
/// then one for each (class of unlabelled excerpts, model).
pub(crate) struct Built {
    /// Variables and constraints.
    pub(crate) problem: IntProgram,
    /// Each cell's variable, `None` for a shown cell (a constant).
    pub(crate) var: Vec<Option<usize>>,
    /// The true value of each variable: a solution of every constraint.
    pub(crate) truth: Vec<i64>,
    /// What each variable stands for.
    pub(crate) names: Vec<VarName>,
}

/// One block of a programme: its variables and the constraints over them, in the
/// programme's order.
pub(crate) struct Block {
    /// Variables of the programme, ascending.
    pub(crate) vars: Vec<usize>,
    /// Constraints of the programme, ascending.
    pub(crate) cons: Vec<usize>,
}

/// Everything an audit of a block depends on, in names that survive a change of pattern:
/// each variable's name, bounds and true value; each constraint over positions in that
/// list; and the cells whose values are asked about. Two equal keys pose the same
/// questions and get the same answers.
pub(crate) type BlockKey = (Vec<(VarName, i64, i64, i64)>, Vec<(Vec<(usize, i64)>, i64, i64)>, Vec<usize>);

impl Built {
    /// The blocks of the programme (connected components of its constraint graph), in
    /// the order of their first variable.
    pub(crate) fn blocks(&self) -> Vec<Block> {
        let n = self.problem.domains.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(parent: &mut [usize], mut v: usize) -> usize {
            while parent[v] != v {
                parent[v] = parent[parent[v]];
                v = parent[v];
            }
            v
        }
        for c in &self.problem.cons {
            let Some(&(first, _)) = c.terms.first() else { continue };
            for &(v, _) in &c.terms[1..] {
                let (a, b) = (root(&mut parent, first), root(&mut parent, v));
                if a != b {
                    parent[a.max(b)] = a.min(b);
                }
            }
        }
        self.collect(&mut parent)
    }

    /// Variables and constraints grouped by the root of their variables.
    fn collect(&self, parent: &mut [usize]) -> Vec<Block> {
        let n = parent.len();
        let mut index: Vec<Option<usize>> = vec![None; n];
        let mut blocks: Vec<Block> = Vec::new();
        for v in 0..n {
            let mut r = v;
            while parent[r] != r {
                r = parent[r];
            }
            parent[v] = r;
            let b = *index[r].get_or_insert_with(|| {
                blocks.push(Block { vars: Vec::new(), cons: Vec::new() });
                blocks.len() - 1
            });
            blocks[b].vars.push(v);
        }
        for (ci, c) in self.problem.cons.iter().enumerate() {
            if let Some(&(v, _)) = c.terms.first() {
                let b = index[parent[v]].expect("every variable has a block");
                blocks[b].cons.push(ci);
            }
        }
        blocks
    }

    /// One block as a programme of its own, with its true values and its cells'
    /// variables in it.
    pub(crate) fn block(&self, b: &Block) -> (IntProgram, Vec<i64>, BTreeMap<usize, usize>) {
        let domains: Vec<(i64, i64)> = b.vars.iter().map(|&v| self.problem.domains[v]).collect();
        let truth: Vec<i64> = b.vars.iter().map(|&v| self.truth[v]).collect();
        let mut cells = BTreeMap::new();
        for (i, &v) in b.vars.iter().enumerate() {
            if let VarName::Count(c) = self.names[v] {
                cells.insert(c, i);
            }
        }
        let mut problem = IntProgram::new(domains);
        for &ci in &b.cons {
            let c = &self.problem.cons[ci];
            problem.add(&self.local(b, &c.terms), c.lo, c.hi);
        }
        (problem, truth, cells)
    }

    /// A constraint's terms over the positions of its variables in the block.
    fn local(&self, b: &Block, terms: &[(usize, i64)]) -> Vec<(usize, i64)> {
        terms.iter().map(|&(v, a)| (b.vars.binary_search(&v).expect("in the block"), a)).collect()
    }

    /// The key of a block ([`BlockKey`]), `asked` the cells whose values are asked about.
    pub(crate) fn key(&self, b: &Block, asked: &[usize]) -> BlockKey {
        let vars = b
            .vars
            .iter()
            .map(|&v| (self.names[v].clone(), self.problem.domains[v].0, self.problem.domains[v].1, self.truth[v]))
            .collect();
        let cons = b
            .cons
            .iter()
            .map(|&ci| {
                let c = &self.problem.cons[ci];
                (self.local(b, &c.terms), c.lo, c.hi)
            })
            .collect();
        (vars, cons, asked.to_vec())
    }
}

/// The programme of `pattern`: shown cells are constants, hidden ones variables, and the
/// excerpts printed per theme constrain the excerpt cells of each model.
pub(crate) fn build(
    u: &Universe,
    pattern: &[Status],
    relations: &[Constraint],
    unlabelled: &BTreeSet<String>,
) -> Built {
    let mut b = Built {
        problem: IntProgram::new(Vec::new()),
        var: vec![None; u.cells.len()],
        truth: Vec::new(),
        names: Vec::new(),
    };
    let k = u.k as i64;
    let bounds = [u.bound(Counted::Excerpts), u.bound(Counted::People), u.bound(Counted::Interviews)];
    for (i, c) in u.cells.iter().enumerate() {
        let ub = bounds[c.measure as usize];
        let dom = match pattern[i] {
            Status::Shown => continue,
            Status::Small => (1, k - 1),
            Status::Secondary | Status::Latent => (0, ub),
        };
        b.var[i] = Some(b.problem.var(dom.0, dom.1));
        b.truth.push(c.value());
        b.names.push(VarName::Count(i));
    }
    for f in relations {
        b.add(u, f);
    }
    let class_vars = b.classes(u, unlabelled);
    b.themes(u, unlabelled, &class_vars);
    b
}

impl Built {
    /// Add a fact over cells: shown cells move to the bounds as constants.
    fn add(&mut self, u: &Universe, f: &Constraint) {
        let mut terms = Vec::new();
        let mut constant = 0i64;
        for &(c, a) in &f.terms {
            match self.var[c] {
                Some(v) => terms.push((v, a)),
                None => constant += a * u.cells[c].value(),
            }
        }
        if !terms.is_empty() {
            self.problem.add(&terms, f.lo.saturating_sub(constant), f.hi.saturating_sub(constant));
        }
    }

    /// A new variable standing for `name`, with its bounds and true value.
    fn var(&mut self, name: VarName, lo: i64, hi: i64, truth: i64) -> usize {
        self.truth.push(truth);
        self.names.push(name);
        self.problem.var(lo, hi)
    }

    /// The classes of unlabelled excerpts (those printed in the same themes) and a
    /// variable per class and model: how many of the class are of that model. Returns
    /// each class's themes and its variables by model.
    fn classes(&mut self, u: &Universe, unlabelled: &BTreeSet<String>) -> Vec<(Vec<usize>, Vec<usize>)> {
        let mut classes: BTreeMap<Vec<usize>, Vec<usize>> = BTreeMap::new(); // groups → models of its excerpts
        let mut in_groups: BTreeMap<&str, (usize, Vec<usize>)> = BTreeMap::new();
        for (g, group) in u.groups.iter().enumerate() {
            for (id, m) in &group.excerpts {
                if unlabelled.contains(id) {
                    in_groups.entry(id.as_str()).or_insert((*m, Vec::new())).1.push(g);
                }
            }
        }
        for (m, gs) in in_groups.into_values() {
            classes.entry(gs).or_default().push(m);
        }
        let mut class_vars: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
        for (gs, models) in classes {
            let n = models.len() as i64;
            let vars: Vec<usize> = (0..u.models.len())
                .map(|m| {
                    // Unlabelled excerpts may be of any model: the rule that left them
                    // unlabelled reads only the printed pattern.
                    let hi = if u.omit_hidden { 0 } else { n };
                    let truth = models.iter().filter(|&&x| x == m).count() as i64;
                    self.var(VarName::Class(gs.clone(), m), 0, hi, truth)
                })
                .collect();
            if !u.omit_hidden {
                let terms: Vec<(usize, i64)> = vars.iter().map(|&v| (v, 1)).collect();
                self.problem.add(&terms, n, n);
            }
            class_vars.push((gs, vars));
        }
        class_vars
    }

    /// What each theme prints: how many excerpts, and how many carry each model.
    fn themes(&mut self, u: &Universe, unlabelled: &BTreeSet<String>, class_vars: &[(Vec<usize>, Vec<usize>)]) {
        // The classes printed in each theme, found once.
        let mut classes_of: Vec<Vec<usize>> = vec![Vec::new(); u.groups.len()];
        for (c, (gs, _)) in class_vars.iter().enumerate() {
            for &g in gs {
                classes_of[g].push(c);
            }
        }
        for (g, group) in u.groups.iter().enumerate() {
            let printed: Vec<&(String, usize)> = if u.omit_hidden {
                group.excerpts.iter().filter(|(id, _)| !unlabelled.contains(id)).collect()
            } else {
                group.excerpts.iter().collect()
            };
            if !u.omit_hidden {
                let n = printed.len() as i64;
                self.add(u, &Constraint { terms: vec![(group.total, 1)], lo: n, hi: n });
            }
            for (m, &cell) in group.by_model.iter().enumerate() {
                let labelled = printed.iter().filter(|(id, x)| *x == m && !unlabelled.contains(id)).count() as i64;
                // cell − Σ unlabelled of this model printed here = labelled.
                let mut terms = Vec::new();
                let mut constant = 0;
                match self.var[cell] {
                    Some(v) => terms.push((v, 1)),
                    None => constant += u.cells[cell].value(),
                }
                if u.omit_hidden {
                    // Left-out excerpts: any number of this model.
                    let left =
                        group.excerpts.iter().filter(|(id, x)| *x == m && unlabelled.contains(id)).count() as i64;
                    let v = self.var(VarName::LeftOut(g, m), 0, BIG, left);
                    terms.push((v, -1));
                } else {
                    for &c in &classes_of[g] {
                        terms.push((class_vars[c].1[m], -1));
                    }
                }
                if terms.is_empty() {
                    continue;
                }
                self.problem.add(&terms, labelled - constant, labelled - constant);
            }
        }
    }
}
