//! The system of published facts: every count as a set of ids with its role and status,
//! the excerpts printed per theme, and the relations a reader may assume between counts
//! (read off the sets). [`super::published::universe`] builds it
//! from a study; the audit turns it into an integer programme ([`super::program`]).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::published;

/// What a cell counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Counted {
    /// Coded excerpts.
    Excerpts,
    /// Distinct participants (pseudonyms).
    People,
    /// Interviews.
    Interviews,
}

/// How a cell reaches a reader, if at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Role {
    /// Always printed as it is (the sampling table, grand totals).
    Public,
    /// Printed unless suppression hides it.
    Suppressible,
    /// Never printed, but a reader may reason about it (people per unit).
    Latent,
    /// Never printed and not itself protected: a step in the reader's reasoning (the
    /// individual and group interviews of a unit).
    Helper,
}

/// What a cell shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Status {
    /// Printed as it is.
    Shown,
    /// 1 … k−1, printed `<k`.
    Small,
    /// Hidden so that a small cell cannot be recovered, printed `:`.
    Secondary,
    /// Never printed.
    Latent,
}

impl Status {
    /// Anything but [`Status::Shown`].
    pub fn hidden(self) -> bool {
        self != Status::Shown
    }
}

/// The one identity of a published count: table, row and column, made by the same
/// constructors wherever a count is computed (here, for the audit) or printed (the
/// analysis, and through it the tables, figures, alt texts and sentences).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CellId {
    /// The table it is printed in (or a name for a count never printed).
    pub table: String,
    /// The row id.
    pub row: String,
    /// The column id.
    pub col: String,
}

impl CellId {
    /// Any cell, by its three names.
    pub fn new(table: &str, row: &str, col: &str) -> Self {
        CellId { table: table.into(), row: row.into(), col: col.into() }
    }

    /// A column of an evidence table: `excerpts_<model>` or `participants_total`.
    fn evidence(table: &str, row: &str, model: Option<&str>, measure: Counted) -> Self {
        let what = if measure == Counted::Excerpts { "excerpts" } else { "participants" };
        CellId::new(table, row, &format!("{what}_{}", model.unwrap_or("total")))
    }

    /// A cell of the framework matrix (Table 3): a code or `total`, a model or all.
    pub fn framework(row: &str, model: Option<&str>, measure: Counted) -> Self {
        CellId::evidence(published::FRAMEWORK, row, model, measure)
    }

    /// A cell of the model matrix: a trait and a model.
    pub fn model_matrix(row: &str, model: &str, measure: Counted) -> Self {
        CellId::evidence(published::MODEL_MATRIX, row, Some(model), measure)
    }

    /// People (`participants`) or `interviews` of one model (Table 2).
    pub fn by_model(model: &str, what: &str) -> Self {
        CellId::new(published::BY_MODEL, model, what)
    }
}

/// The ids a count holds: excerpts, people or interviews, each numbered once per system.
pub type Members = BTreeSet<u32>;

/// One count: a set of excerpt, person or interview ids in one table, row and column.
#[derive(Clone, Debug)]
pub struct Count {
    /// The table it is printed in (or a name for a count never printed).
    pub table: String,
    /// The row id.
    pub row: String,
    /// The column id.
    pub col: String,
    /// What it counts.
    pub measure: Counted,
    /// The model this cell counts, if it counts one model only.
    pub model: Option<usize>,
    /// The ids it counts (numbered as the system was built); its value is their number.
    pub members: Members,
    /// How it reaches a reader.
    pub role: Role,
    /// Printed groups (themes) in which this cell's excerpts appear.
    pub scope: Vec<usize>,
}

impl Count {
    /// The true count.
    pub fn value(&self) -> i64 {
        self.members.len() as i64
    }

    /// Its identity.
    pub fn id(&self) -> CellId {
        CellId::new(&self.table, &self.row, &self.col)
    }

    /// `table row / col`, as messages and `--explain-privacy` name it.
    pub fn name(&self) -> String {
        format!("{} {} / {}", self.table, self.row, self.col)
    }
}

/// Excerpts printed together (a theme in the chapter and the appendix), each with its
/// model label unless it belongs to a hidden cell.
#[derive(Clone, Debug)]
pub struct Group {
    /// The theme id.
    pub name: String,
    /// The excerpt cell of all models.
    pub total: usize,
    /// The excerpt cell of each model.
    pub by_model: Vec<usize>,
    /// Excerpt id and model index of everything printed in the group.
    pub excerpts: Vec<(String, usize)>,
    /// Every count of the theme's rows (the theme and everything below it, each model and
    /// the totals, excerpts and people): the group is *open* when all of them are printed.
    pub cells: Vec<usize>,
}

/// Everything published about people, as one system of facts over the true counts.
#[derive(Clone, Debug, Default)]
pub struct Universe {
    /// Counts from 1 to k−1 are small.
    pub k: u32,
    /// Model ids, in the study's order.
    pub models: Vec<String>,
    /// Every count, printed or not.
    pub cells: Vec<Count>,
    /// A parent cell and the cells it is made of (a total and its parts, a theme and its
    /// subthemes). Which relation holds is read off the sets.
    pub families: Vec<(usize, Vec<usize>)>,
    /// The excerpt cell and the people cell of the same slice.
    pub pairs: Vec<(usize, usize)>,
    /// Excerpts printed together, by theme.
    pub groups: Vec<Group>,
    /// Excerpts from a hidden cell are left out instead of printed without their model.
    pub omit_hidden: bool,
    /// Further relations a reader knows: `lo ≤ Σ coef·cell ≤ hi` (one person per
    /// individual interview, at least two in a group).
    pub links: Vec<Constraint>,
    /// Small cells the sampling table itself pins (a region of one or two people): they
    /// are as public as that table, which prints its counts as they are.
    pub exempt: BTreeSet<usize>,
    /// Hidden cells suppression left hidden without trying to show them again, because
    /// it reached its work limit (see [`super::suppress_within`]).
    pub untried: usize,
    /// See `Universe::bound`; filled on first use, so cells must be complete by then.
    pub bounds: std::sync::OnceLock<[i64; 3]>,
}

/// `lo ≤ Σ coef·cell ≤ hi`.
#[derive(Clone, Debug)]
pub struct Constraint {
    /// Count index and coefficient.
    pub terms: Vec<(usize, i64)>,
    /// Lower bound of the sum.
    pub lo: i64,
    /// Upper bound of the sum.
    pub hi: i64,
}

/// An open end of a bound (far above any count).
pub const BIG: i64 = 1 << 40;

impl Universe {
    /// The index of the cell in `table`, `row`, `col`.
    pub fn find(&self, table: &str, row: &str, col: &str) -> Option<usize> {
        self.cells.iter().position(|c| c.table == table && c.row == row && c.col == col)
    }

    /// Add a cell; returns its index.
    pub fn push(&mut self, cell: Count) -> usize {
        self.cells.push(cell);
        self.cells.len() - 1
    }

    /// How many excerpts, people or interviews there are in all: the upper end of any
    /// hidden count. Computed once (the audit builds its programme many times).
    pub(crate) fn bound(&self, m: Counted) -> i64 {
        let all = self.bounds.get_or_init(|| {
            [Counted::Excerpts, Counted::People, Counted::Interviews].map(|m| {
                let all: BTreeSet<u32> =
                    self.cells.iter().filter(|c| c.measure == m).flat_map(|c| c.members.iter().copied()).collect();
                all.len() as i64
            })
        });
        all[m as usize]
    }

    /// The relations a reader can assume, read off the sets.
    pub(crate) fn relations(&self) -> Vec<Constraint> {
        let mut facts = Vec::new();
        for (parent, children) in &self.families {
            let p = &self.cells[*parent].members;
            for &c in children {
                if self.cells[c].members.is_subset(p) {
                    facts.push(Constraint { terms: vec![(c, 1), (*parent, -1)], lo: -BIG, hi: 0 });
                }
            }
            let union: Members = children.iter().flat_map(|&c| self.cells[c].members.iter().copied()).collect();
            let sum: usize = children.iter().map(|&c| self.cells[c].members.len()).sum();
            if p.iter().all(|x| union.contains(x)) {
                let mut terms: Vec<(usize, i64)> = children.iter().map(|&c| (c, 1)).collect();
                terms.push((*parent, -1));
                if sum == union.len() && union.len() == p.len() {
                    facts.push(Constraint { terms, lo: 0, hi: 0 });
                } else {
                    facts.push(Constraint { terms, lo: 0, hi: BIG });
                }
            }
        }
        // Printed cells of one model in two tables that count the same set of at least k
        // are the same thing under two names (a trait made of one theme; the people of a
        // model in two tables), and a reader may take them as equal. Two rows of one
        // table that happen to count the same people, or small sets that coincide, are
        // not structure a reader could know.
        let mut same: BTreeMap<(Counted, Option<usize>, &Members), Vec<usize>> = BTreeMap::new();
        for (i, c) in self.cells.iter().enumerate() {
            let printed = matches!(c.role, Role::Public | Role::Suppressible);
            if printed && c.members.len() >= self.k as usize {
                same.entry((c.measure, c.model, &c.members)).or_default().push(i);
            }
        }
        for cells in same.values() {
            for (n, &a) in cells.iter().enumerate() {
                for &b in &cells[n + 1..] {
                    if self.cells[a].table != self.cells[b].table {
                        facts.push(Constraint { terms: vec![(a, 1), (b, -1)], lo: 0, hi: 0 });
                    }
                }
            }
        }
        facts.extend(self.links.iter().cloned());
        let b = self.bound(Counted::Excerpts).max(1);
        for &(e, p) in &self.pairs {
            // Nobody without an excerpt, and at least one person behind any excerpt.
            facts.push(Constraint { terms: vec![(p, 1), (e, -1)], lo: -BIG, hi: 0 });
            facts.push(Constraint { terms: vec![(p, b), (e, -1)], lo: 0, hi: BIG });
        }
        facts
    }

    /// The small-cell rule alone: person counts 1 … k−1 are `<k`, everything else shown.
    pub fn primary(&self) -> Vec<Status> {
        self.cells
            .iter()
            .map(|c| match c.role {
                Role::Public => Status::Shown,
                Role::Latent | Role::Helper => Status::Latent,
                Role::Suppressible if c.measure == Counted::People && c.value() >= 1 && c.value() < self.k as i64 => {
                    Status::Small
                }
                Role::Suppressible => Status::Shown,
            })
            .collect()
    }

    pub(crate) fn sensitive(&self, pattern: &[Status], i: usize) -> bool {
        let c = &self.cells[i];
        c.measure == Counted::People
            && c.role != Role::Helper
            && !self.exempt.contains(&i)
            && c.value() >= 1
            && c.value() < self.k as i64
            && pattern[i].hidden()
    }

    /// Whether a group's excerpts may carry their model: every count of its rows is
    /// printed as a number. The rule reads the printed pattern alone, so the labels it
    /// allows tell a reader nothing about which hidden cell is small; and in an open group
    /// the labels only split counts the tables already print.
    pub fn open(&self, pattern: &[Status], g: usize) -> bool {
        self.groups[g].cells.iter().all(|&c| pattern[c] == Status::Shown)
    }

    /// Excerpts printed without their model: every excerpt of a group that is not open
    /// (in every group it is printed in, since a reader matches an excerpt's words).
    pub fn unlabelled(&self, pattern: &[Status]) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (g, group) in self.groups.iter().enumerate() {
            if !self.open(pattern, g) {
                out.extend(group.excerpts.iter().map(|(id, _)| id.clone()));
            }
        }
        out
    }
}
