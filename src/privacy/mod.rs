//! Privacy that survives a reader's arithmetic.
//!
//! Everything the report publishes about people is one system of facts over the true
//! counts: every table cell and total (figures, theme sentences and prose values print the
//! same cells), the excerpts printed per theme with or without their model, and the
//! relations a careful reader can assume between counts (a theme's people include each
//! subtheme's; a row total is the sum of the models; when a theme's people are split
//! without overlap between its subthemes, the theme is their sum; a cell printed in two
//! tables is one number). Each count is the size of a set of excerpt ids or person ids,
//! so these relations are read off the sets themselves: the reader is granted every one
//! of them that is true of the data.
//!
//! Excerpts carry their model only in an *open* theme, one whose every count (the theme
//! and everything below it, each model and the totals) is printed as a number; an excerpt
//! printed in several themes carries it only if all of them are open. The rule reads the
//! printed pattern alone, so knowing it tells a reader nothing about which hidden cell is
//! small. What the labels do tell is held as facts: per theme and model, the excerpts
//! printed with that model, and for each class of unlabelled excerpts (those printed in
//! the same themes) how many there are, of models unknown.
//!
//! The audit asks, for every hidden person count whose true value is small (1 to k−1),
//! whether each value 1 … k−1 is still consistent with all of it: an exact integer
//! feasibility question answered by [`solver`]. If any value is ruled out, the cell can be
//! narrowed and the audit names it with the published numbers that pin it. A question
//! the solver cannot settle within its budget counts as narrowed: never as safe.
//!
//! Zero is published as 0. A cell with nobody in it holds no one to protect, and `<k`
//! claims exactly "1 to k−1", which is the range the audit keeps open; hiding zeros too
//! would widen nothing a reader could learn about a person while hiding every empty
//! subtheme × model cell. A secondarily hidden cell (`:`) may be 0.
//!
//! Secondary suppression ([`protect`]) starts from everything hidden that may be hidden,
//! then shows cells again, largest first, in groups that are split when refused, keeping
//! a cell shown only if the audit still passes. Two orders are tried and the one hiding
//! fewer (then smaller) cells wins. The result is deterministic, and within its work
//! limit irreducible: no hidden `:` cell could be shown without letting a reader narrow a
//! small one. Past the limit, the cells not yet tried stay hidden (safe, and said).
//!
//! Pure: no file system, no clock. [`study::universe`] builds the system from a study.

pub mod names;
pub mod solver;
pub mod study;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use solver::{Outcome, Problem};

/// What a cell counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Measure {
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
    fn evidence(table: &str, row: &str, model: Option<&str>, measure: Measure) -> Self {
        let what = if measure == Measure::Excerpts { "excerpts" } else { "participants" };
        CellId::new(table, row, &format!("{what}_{}", model.unwrap_or("total")))
    }

    /// A cell of the framework matrix (Table 3): a code or `total`, a model or all.
    pub fn framework(row: &str, model: Option<&str>, measure: Measure) -> Self {
        CellId::evidence(study::FRAMEWORK, row, model, measure)
    }

    /// A cell of the model matrix: a trait and a model.
    pub fn model_matrix(row: &str, model: &str, measure: Measure) -> Self {
        CellId::evidence(study::MODEL_MATRIX, row, Some(model), measure)
    }

    /// People (`participants`) or `interviews` of one model (Table 2).
    pub fn by_model(model: &str, what: &str) -> Self {
        CellId::new(study::BY_MODEL, model, what)
    }
}

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
    /// ([`crate::survey::results`]: no group under k is split or given shares). Survey
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

/// One count: a set of excerpt, person or interview ids in one table, row and column.
#[derive(Clone, Debug)]
pub struct Cell {
    /// The table it is printed in (or a name for a count never printed).
    pub table: String,
    /// The row id.
    pub row: String,
    /// The column id.
    pub col: String,
    /// What it counts.
    pub measure: Measure,
    /// The model this cell counts, if it counts one model only.
    pub model: Option<usize>,
    /// The ids it counts; its value is their number.
    pub members: BTreeSet<String>,
    /// How it reaches a reader.
    pub role: Role,
    /// Printed groups (themes) in which this cell's excerpts appear.
    pub scope: Vec<usize>,
}

impl Cell {
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
    pub cells: Vec<Cell>,
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
    pub links: Vec<Fact>,
    /// Small cells the sampling table itself pins (a region of one or two people): they
    /// are as public as that table, which prints its counts as they are.
    pub exempt: BTreeSet<usize>,
    /// Hidden cells suppression left hidden without trying to show them again, because
    /// it reached its work limit (see [`suppress_within`]).
    pub untried: usize,
    /// See [`Universe::bound`]; filled on first use, so cells must be complete by then.
    pub bounds: std::sync::OnceLock<[i64; 3]>,
}

/// `lo ≤ Σ coef·cell ≤ hi`.
#[derive(Clone, Debug)]
pub struct Fact {
    /// Cell index and coefficient.
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
    pub fn push(&mut self, cell: Cell) -> usize {
        self.cells.push(cell);
        self.cells.len() - 1
    }

    /// How many excerpts, people or interviews there are in all: the upper end of any
    /// hidden count. Computed once (the audit builds its programme many times).
    fn bound(&self, m: Measure) -> i64 {
        let all = self.bounds.get_or_init(|| {
            [Measure::Excerpts, Measure::People, Measure::Interviews].map(|m| {
                let all: BTreeSet<&String> =
                    self.cells.iter().filter(|c| c.measure == m).flat_map(|c| &c.members).collect();
                all.len() as i64
            })
        });
        all[m as usize]
    }

    /// The relations a reader can assume, read off the sets.
    fn relations(&self) -> Vec<Fact> {
        let mut facts = Vec::new();
        for (parent, children) in &self.families {
            let p = &self.cells[*parent].members;
            for &c in children {
                if self.cells[c].members.is_subset(p) {
                    facts.push(Fact { terms: vec![(c, 1), (*parent, -1)], lo: -BIG, hi: 0 });
                }
            }
            let union: BTreeSet<&String> = children.iter().flat_map(|&c| &self.cells[c].members).collect();
            let sum: usize = children.iter().map(|&c| self.cells[c].members.len()).sum();
            if p.iter().all(|x| union.contains(x)) {
                let mut terms: Vec<(usize, i64)> = children.iter().map(|&c| (c, 1)).collect();
                terms.push((*parent, -1));
                if sum == union.len() && union.len() == p.len() {
                    facts.push(Fact { terms, lo: 0, hi: 0 });
                } else {
                    facts.push(Fact { terms, lo: 0, hi: BIG });
                }
            }
        }
        // Printed cells of one model in two tables that count the same set of at least k
        // are the same thing under two names (a trait made of one theme; the people of a
        // model in two tables), and a reader may take them as equal. Two rows of one
        // table that happen to count the same people, or small sets that coincide, are
        // not structure a reader could know.
        let mut same: BTreeMap<(Measure, Option<usize>, &BTreeSet<String>), Vec<usize>> = BTreeMap::new();
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
                        facts.push(Fact { terms: vec![(a, 1), (b, -1)], lo: 0, hi: 0 });
                    }
                }
            }
        }
        facts.extend(self.links.iter().cloned());
        let b = self.bound(Measure::Excerpts).max(1);
        for &(e, p) in &self.pairs {
            // Nobody without an excerpt, and at least one person behind any excerpt.
            facts.push(Fact { terms: vec![(p, 1), (e, -1)], lo: -BIG, hi: 0 });
            facts.push(Fact { terms: vec![(p, b), (e, -1)], lo: 0, hi: BIG });
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
                Role::Suppressible if c.measure == Measure::People && c.value() >= 1 && c.value() < self.k as i64 => {
                    Status::Small
                }
                Role::Suppressible => Status::Shown,
            })
            .collect()
    }

    fn sensitive(&self, pattern: &[Status], i: usize) -> bool {
        let c = &self.cells[i];
        c.measure == Measure::People
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

/// The integer programme of one suppression pattern: a variable for every hidden cell,
/// then one for each (class of unlabelled excerpts, model).
struct Built {
    problem: Problem,
    var: Vec<Option<usize>>,
    truth: Vec<i64>,
}

fn build(u: &Universe, pattern: &[Status], relations: &[Fact], unlabelled: &BTreeSet<String>) -> Built {
    let mut problem = Problem::new(Vec::new());
    let mut var = vec![None; u.cells.len()];
    let mut truth = Vec::new();
    let k = u.k as i64;
    let bounds = [u.bound(Measure::Excerpts), u.bound(Measure::People), u.bound(Measure::Interviews)];
    for (i, c) in u.cells.iter().enumerate() {
        let ub = bounds[c.measure as usize];
        let dom = match pattern[i] {
            Status::Shown => continue,
            Status::Small => (1, k - 1),
            Status::Secondary | Status::Latent => (0, ub),
        };
        var[i] = Some(problem.var(dom.0, dom.1));
        truth.push(c.value());
    }
    let add = |problem: &mut Problem, f: &Fact| {
        let mut terms = Vec::new();
        let mut constant = 0i64;
        for &(c, a) in &f.terms {
            match var[c] {
                Some(v) => terms.push((v, a)),
                None => constant += a * u.cells[c].value(),
            }
        }
        if !terms.is_empty() {
            problem.add(&terms, f.lo.saturating_sub(constant), f.hi.saturating_sub(constant));
        }
    };
    for f in relations {
        add(&mut problem, f);
    }
    // What the printed excerpts tell: how many each theme prints, how many carry each model.
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
    let nm = u.models.len();
    let mut class_vars: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
    for (gs, models) in &classes {
        let n = models.len() as i64;
        let vars: Vec<usize> = (0..nm)
            .map(|m| {
                // Unlabelled excerpts may be of any model: the rule that left them
                // unlabelled reads only the printed pattern.
                let hi = if u.omit_hidden { 0 } else { n };
                let v = problem.var(0, hi);
                truth.push(models.iter().filter(|&&x| x == m).count() as i64);
                v
            })
            .collect();
        if !u.omit_hidden {
            let terms: Vec<(usize, i64)> = vars.iter().map(|&v| (v, 1)).collect();
            problem.add(&terms, n, n);
        }
        class_vars.push((gs.clone(), vars));
    }
    for (g, group) in u.groups.iter().enumerate() {
        let printed: Vec<&(String, usize)> = if u.omit_hidden {
            group.excerpts.iter().filter(|(id, _)| !unlabelled.contains(id)).collect()
        } else {
            group.excerpts.iter().collect()
        };
        if !u.omit_hidden {
            add(
                &mut problem,
                &Fact { terms: vec![(group.total, 1)], lo: printed.len() as i64, hi: printed.len() as i64 },
            );
        }
        for (m, &cell) in group.by_model.iter().enumerate() {
            let labelled = printed.iter().filter(|(id, x)| *x == m && !unlabelled.contains(id)).count() as i64;
            // cell − Σ unlabelled of this model printed here = labelled.
            let mut terms = Vec::new();
            let mut constant = 0;
            match var[cell] {
                Some(v) => terms.push((v, 1)),
                None => constant += u.cells[cell].value(),
            }
            if u.omit_hidden {
                // Left-out excerpts: any number of this model.
                let v = problem.var(0, BIG);
                truth.push(group.excerpts.iter().filter(|(id, x)| *x == m && unlabelled.contains(id)).count() as i64);
                terms.push((v, -1));
            } else {
                for (gs, vars) in &class_vars {
                    if gs.contains(&g) {
                        terms.push((vars[m], -1));
                    }
                }
            }
            if terms.is_empty() {
                continue;
            }
            problem.add(&terms, labelled - constant, labelled - constant);
        }
    }
    Built { problem, var, truth }
}

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

const BUDGET: u64 = 200_000;

/// Witnesses: for each (cell, value) a full assignment of cell values that shows the value
/// is consistent with everything published. Kept between audits of similar patterns.
#[derive(Default)]
pub struct Witnesses {
    found: HashMap<(usize, i64), Vec<i64>>,
    /// The solver's work over every audit that used these witnesses.
    work: u64,
}

/// How much solver work (constraints examined) suppression may spend on showing hidden
/// cells again. The loop starts from a pattern the audit passed and keeps it passing, so
/// stopping early is safe: the cells not yet tried stay hidden. Counted in work, not
/// seconds, so that the same data gives the same tables on any machine. The reference
/// study needs about a twelfth of it; a study that reaches it spends some 20 seconds
/// here on a 2-core machine (see BENCHMARKS.md).
const SUPPRESSION_WORK: u64 = 1_600_000_000;

/// How many hidden cells suppression first tries to show again at once.
const GROUP: usize = 16;

/// Check one pattern: every sensitive cell must be able to take every value 1 … k−1.
pub fn audit(u: &Universe, pattern: &[Status]) -> Vec<Leak> {
    audit_printed(u, pattern, &u.unlabelled(pattern))
}

/// Check a pattern with excerpts printed without their model exactly when listed in
/// `unlabelled` (the audit of what a report actually printed).
pub fn audit_printed(u: &Universe, pattern: &[Status], unlabelled: &BTreeSet<String>) -> Vec<Leak> {
    audit_with(u, pattern, &u.relations(), &mut Witnesses::default(), false, unlabelled)
}

fn audit_with(
    u: &Universe,
    pattern: &[Status],
    relations: &[Fact],
    w: &mut Witnesses,
    first: bool,
    unlabelled: &BTreeSet<String>,
) -> Vec<Leak> {
    let mut b = build(u, pattern, relations, unlabelled);
    let mut leaks = Vec::new();
    let nvars = b.problem.domains.len();
    // Solutions of this programme found so far. The true counts are one, so every cell's
    // true value needs no search; each solution found settles every value it holds.
    let mut solutions: Vec<Vec<i64>> = vec![b.truth.clone()];
    for i in 0..u.cells.len() {
        if !u.sensitive(pattern, i) {
            continue;
        }
        let x = b.var[i].expect("a hidden cell has a variable");
        let mut excluded = Vec::new();
        let mut undecided = false;
        for v in 1..u.k as i64 {
            if solutions.iter().any(|s| s[x] == v) {
                continue;
            }
            // An earlier witness still valid under this pattern settles it at once.
            if let Some(values) = w.found.get(&(i, v)) {
                let consistent = (0..u.cells.len()).all(|c| b.var[c].is_some() || values[c] == u.cells[c].value());
                if consistent {
                    let fixed: Vec<(usize, i64)> =
                        (0..u.cells.len()).filter_map(|c| b.var[c].map(|var| (var, values[c]))).collect();
                    if let Outcome::Feasible(sol) = b.problem.solve(&fixed, &b.truth, 200) {
                        solutions.push(sol);
                        continue;
                    }
                }
            }
            match b.problem.solve(&[(x, v)], &b.truth, BUDGET) {
                Outcome::Feasible(sol) => {
                    let values: Vec<i64> = (0..u.cells.len())
                        .map(|c| b.var[c].map(|var| sol[var]).unwrap_or(u.cells[c].value()))
                        .collect();
                    w.found.insert((i, v), values);
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
    debug_assert!(nvars == b.problem.domains.len());
    w.work += b.problem.work.get();
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

/// [`suppress_exempt`] with a bound on the work of showing cells again.
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
        // A cell inside a group the sampling table itself prints as small (a region of one
        // or two people) is as public as that table: exempt.
        let small_public: Vec<&Cell> = u
            .cells
            .iter()
            .filter(|c| c.role == Role::Public && c.measure == Measure::People && c.value() < u.k as i64)
            .collect();
        u.exempt = leaks
            .iter()
            .map(|l| l.cell)
            .filter(|&i| small_public.iter().any(|p| u.cells[i].members.is_subset(&p.members)))
            .collect();
        let leaks: Vec<&Leak> = leaks.iter().filter(|l| !u.exempt.contains(&l.cell)).collect();
        if !leaks.is_empty() {
            return Err(Unprotectable(leaks.iter().map(|l| describe(&u, &all, l, &u.unlabelled(&all))).collect()));
        }
        w.found.clear();
    }
    // Two orders of showing cells again, largest first: every cell, or the parts before
    // the totals made of them; the pattern with fewer hidden cells (then the smaller
    // hidden total) wins.
    let parents: BTreeSet<usize> = u.families.iter().map(|f| f.0).collect();
    let mut best: Option<(Vec<Status>, usize)> = None;
    for parts_first in [false, true] {
        let mut pattern = all.clone();
        let mut order: Vec<usize> = (0..u.cells.len()).filter(|&i| pattern[i] == Status::Secondary).collect();
        order.sort_by_key(|&i| (parts_first && parents.contains(&i), -u.cells[i].value(), i));
        let start = w.work;
        // Cells are tried in groups, in order: a group whose cells can all be shown again
        // costs one audit; one that cannot is split in two and each half tried, down to
        // single cells. Every cell left hidden was refused on its own, in the same
        // context as one-at-a-time would have tried it, with far fewer audits when most
        // cells can be shown.
        let mut queue: std::collections::VecDeque<Vec<usize>> = order.chunks(GROUP).map(<[usize]>::to_vec).collect();
        let mut untried = 0;
        while let Some(group) = queue.pop_front() {
            // Each order has half the work; past it, the cells not yet tried stay hidden.
            if w.work - start > work / 2 {
                untried = group.len() + queue.iter().map(Vec::len).sum::<usize>();
                break;
            }
            for &i in &group {
                // A small cell shows as `<k` again, any other as its number.
                pattern[i] = if primary[i] == Status::Small { Status::Small } else { Status::Shown };
            }
            if audit_with(&u, &pattern, &relations, &mut w, true, &u.unlabelled(&pattern)).is_empty() {
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
        let cost = |p: &[Status]| {
            let hidden: Vec<usize> = (0..p.len()).filter(|&i| p[i] == Status::Secondary).collect();
            (hidden.len(), hidden.iter().map(|&i| u.cells[i].value()).sum::<i64>())
        };
        if best.as_ref().is_none_or(|(b, _)| cost(&pattern) < cost(b)) {
            best = Some((pattern, untried));
        }
    }
    let (pattern, untried) = best.expect("two orders tried");
    u.untried = untried;
    Ok((pattern, u))
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
    let small_public: Vec<&Cell> = u
        .cells
        .iter()
        .filter(|c| c.role == Role::Public && c.measure == Measure::People && c.value() < u.k as i64)
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
/// The answer depends on the counts alone, not on any wording, so it is remembered for
/// the last system seen: `bsb watch` rebuilding after a prose edit, or `bsb check
/// --explain-privacy` after the analysis, does not search again; nor does a build whose
/// manifest holds the answer for the same system.
fn suppressed(
    s: &crate::study::Study,
    cached: Option<&crate::manifest::Solved>,
) -> Result<(Vec<Status>, Universe, String), String> {
    type Answer = Result<(Vec<Status>, Universe), String>;
    static LAST: std::sync::Mutex<Option<(String, Answer)>> = std::sync::Mutex::new(None);
    let u = study::universe(s);
    let key = crate::manifest::sha256(format!("{u:?}").as_bytes());
    if let Ok(last) = LAST.lock() {
        if let Some((_, answer)) = last.as_ref().filter(|(k, _)| *k == key) {
            return answer.clone().map(|(p, u)| (p, u, key));
        }
    }
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
    if let Ok(mut last) = LAST.lock() {
        *last = Some((key.clone(), answer.clone()));
    }
    answer.map(|(p, u)| (p, u, key))
}

/// When printing excerpts without their model cannot protect a cell (a theme whose only
/// excerpt is one person's), leave those excerpts out instead, as a study may ask with
/// `omit_hidden_excerpts = true`; `None` when even that cannot help.
fn leave_out(u: &Universe) -> Option<(Vec<Status>, Universe)> {
    if u.omit_hidden {
        return None;
    }
    let omitting = Universe { omit_hidden: true, ..u.clone() };
    suppress_exempt(&omitting).ok()
}

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
pub fn explain_text(s: &crate::study::Study) -> Result<String, String> {
    let (pattern, u, _) = suppressed(s, None)?;
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

#[cfg(test)]
mod tests;
