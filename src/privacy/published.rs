//! The system of published facts of one study: the framework matrix, the model matrix,
//! people per model, the sampling table, people per unit (never printed, but a reader
//! who knows which regions run which model can reason about it) and the excerpts printed
//! per theme. Named `published` (what a study publishes) so as not to be taken for the
//! crate's `study` module, whose types it reads.

use std::collections::{BTreeSet, HashMap};

use super::{CellId, Constraint, Count, Counted, Group, Members, Role, Universe, BIG};
use crate::study::{Interview, InterviewKind, Study};

/// The table of evidence per theme, subtheme and model.
pub const FRAMEWORK: &str = "framework-matrix";
/// The table of evidence per trait and model.
pub const MODEL_MATRIX: &str = "model-matrix";
/// People and interviews per model.
pub const BY_MODEL: &str = "participants-by-model";
/// The sampling table: interviews and people per region.
pub const SAMPLE: &str = "participants";
/// Counts per unit: never printed, but a reader may reason about them.
pub const UNITS: &str = "units";

/// Codebook rows in the framework's order: each theme, then everything below it.
pub fn framework_order(study: &Study) -> Vec<(&str, usize)> {
    fn visit<'a>(
        study: &'a Study,
        id: &'a str,
        depth: usize,
        out: &mut Vec<(&'a str, usize)>,
        seen: &mut BTreeSet<&'a str>,
    ) {
        if !seen.insert(id) {
            return;
        }
        out.push((id, depth));
        for child in study.codes.iter().filter(|c| c.parent.as_deref() == Some(id)) {
            visit(study, &child.id, depth + 1, out, seen);
        }
    }
    let mut order = Vec::new();
    let mut seen = BTreeSet::new();
    for theme in study.themes() {
        visit(study, &theme.id, 0, &mut order, &mut seen);
    }
    order
}

fn cell(table: &str, row: &str, col: &str, measure: Counted, model: Option<usize>, role: Role) -> Count {
    at(CellId::new(table, row, col), measure, model, role)
}

/// A cell of a published table, named by the constructors the analysis prints it by.
fn at(id: CellId, measure: Counted, model: Option<usize>, role: Role) -> Count {
    let CellId { table, row, col } = id;
    Count { table, row, col, measure, model, members: Members::new(), role, scope: Vec::new() }
}

/// Each id a count may hold (excerpts, people, interviews) as a number, in the order first
/// met: sets of numbers compare and join far faster than sets of strings.
#[derive(Default)]
struct Ids(HashMap<String, u32>);

impl Ids {
    /// The number of `id` within `kind` (`e` excerpts, `p` people, `i` interviews).
    fn of(&mut self, kind: char, id: &str) -> u32 {
        let n = self.0.len() as u32;
        *self.0.entry(format!("{kind}{id}")).or_insert(n)
    }
}

/// What the parts of the system share while it is built.
struct Context<'a> {
    study: &'a Study,
    /// Model ids, in the study's order.
    models: Vec<String>,
    /// Theme ids, in codebook order.
    themes: Vec<&'a str>,
    /// Codebook rows in the framework's order, then `total`.
    rows: Vec<&'a str>,
    /// The framework cell of each row, model (`None`: all) and measure.
    fw: HashMap<(&'a str, Option<usize>, Counted), usize>,
    /// Each excerpt's model and evidence nodes, when its interview has a model.
    evidence: Vec<Option<(usize, Vec<&'a str>)>>,
    /// The model of each unit.
    model_of_unit: HashMap<&'a str, usize>,
    ids: Ids,
}

/// The system of published facts of one study, built table by table.
pub fn universe(study: &Study) -> Universe {
    let models: Vec<String> = study.models.iter().map(|m| m.id.clone()).collect();
    let model_of_unit: HashMap<&str, usize> =
        study.units.iter().filter_map(|u| Some((u.id.as_str(), models.iter().position(|m| *m == u.model)?))).collect();
    let interview_model: HashMap<&str, usize> =
        study.interviews.iter().filter_map(|i| Some((i.id.as_str(), *model_of_unit.get(i.unit.as_str())?))).collect();
    let ancestors = study.ancestors();
    let evidence = study
        .excerpts
        .iter()
        .map(|e| Some((*interview_model.get(e.interview.as_str())?, study.evidence_nodes(e, &ancestors))))
        .collect();
    let rows = framework_order(study).into_iter().map(|(id, _)| id).chain(std::iter::once("total")).collect();
    let mut cx = Context {
        study,
        themes: study.themes().map(|t| t.id.as_str()).collect(),
        models,
        rows,
        fw: HashMap::new(),
        evidence,
        model_of_unit,
        ids: Ids::default(),
    };
    let mut u = Universe {
        k: study.meta.small_cell_k,
        models: cx.models.clone(),
        omit_hidden: study.meta.omit_hidden_excerpts,
        ..Default::default()
    };
    framework(&mut cx, &mut u);
    model_matrix(&cx, &mut u);
    sampling(&mut cx, &mut u);
    themes(&cx, &mut u);
    u
}

/// Every model, then all models.
fn each_model(nm: usize) -> impl Iterator<Item = Option<usize>> {
    (0..nm).map(Some).chain(std::iter::once(None))
}

/// The framework matrix: per row, per model then total, excerpts and people; each
/// row total made of its models, each node of its children.
fn framework(cx: &mut Context, u: &mut Universe) {
    let study = cx.study;
    let nm = cx.models.len();
    let theme_index: HashMap<&str, usize> = cx.themes.iter().enumerate().map(|(i, t)| (*t, i)).collect();
    for &row in &cx.rows {
        let scope: Vec<usize> = if row == "total" {
            (0..cx.themes.len()).collect()
        } else {
            study.theme_of(row).and_then(|t| theme_index.get(t)).map(|&g| vec![g]).unwrap_or_default()
        };
        for m in each_model(nm) {
            let id = m.map(|m| cx.models[m].as_str());
            let role = if row == "total" && m.is_none() { Role::Public } else { Role::Suppressible };
            let mut e = at(CellId::framework(row, id, Counted::Excerpts), Counted::Excerpts, m, role);
            e.scope = scope.clone();
            let p = at(CellId::framework(row, id, Counted::People), Counted::People, m, role);
            let (ei, pi) = (u.push(e), u.push(p));
            u.pairs.push((ei, pi));
            cx.fw.insert((row, m, Counted::Excerpts), ei);
            cx.fw.insert((row, m, Counted::People), pi);
        }
    }
    for (e, ev) in study.excerpts.iter().zip(&cx.evidence) {
        let Some((m, nodes)) = ev else { continue };
        let (eid, pid) = (cx.ids.of('e', &e.id), cx.ids.of('p', &e.participant));
        for node in nodes.iter().copied().chain(std::iter::once("total")) {
            for mm in [Some(*m), None] {
                if let Some(&c) = cx.fw.get(&(node, mm, Counted::Excerpts)) {
                    u.cells[c].members.insert(eid);
                }
                if let Some(&c) = cx.fw.get(&(node, mm, Counted::People)) {
                    u.cells[c].members.insert(pid);
                }
            }
        }
    }
    for &row in &cx.rows {
        for measure in [Counted::Excerpts, Counted::People] {
            // A row total and its models.
            let parts: Vec<usize> = (0..nm).map(|m| cx.fw[&(row, Some(m), measure)]).collect();
            u.families.push((cx.fw[&(row, None, measure)], parts));
            // A node and its children; the total row and the themes.
            let children: Vec<&str> = if row == "total" {
                cx.themes.clone()
            } else {
                study.codes.iter().filter(|c| c.parent.as_deref() == Some(row)).map(|c| c.id.as_str()).collect()
            };
            if children.is_empty() {
                continue;
            }
            for m in each_model(nm) {
                let kids: Vec<usize> = children.iter().filter_map(|c| cx.fw.get(&(*c, m, measure)).copied()).collect();
                u.families.push((cx.fw[&(row, m, measure)], kids));
            }
        }
    }
}

/// The model matrix: a trait's evidence per model is the union of its codes' evidence.
fn model_matrix(cx: &Context, u: &mut Universe) {
    for t in &cx.study.traits {
        for m in 0..cx.models.len() {
            let ids = |measure| CellId::model_matrix(&t.id, &cx.models[m], measure);
            let mut e = at(ids(Counted::Excerpts), Counted::Excerpts, Some(m), Role::Suppressible);
            let mut p = at(ids(Counted::People), Counted::People, Some(m), Role::Suppressible);
            let (mut ek, mut pk) = (Vec::new(), Vec::new());
            for code in &t.codes {
                if let (Some(&ce), Some(&cp)) = (
                    cx.fw.get(&(code.as_str(), Some(m), Counted::Excerpts)),
                    cx.fw.get(&(code.as_str(), Some(m), Counted::People)),
                ) {
                    e.members.extend(u.cells[ce].members.iter().copied());
                    p.members.extend(u.cells[cp].members.iter().copied());
                    for &g in &u.cells[ce].scope {
                        if !e.scope.contains(&g) {
                            e.scope.push(g);
                        }
                    }
                    ek.push(ce);
                    pk.push(cp);
                }
            }
            let (ei, pi) = (u.push(e), u.push(p));
            u.pairs.push((ei, pi));
            u.families.push((ei, ek));
            u.families.push((pi, pk));
        }
    }
}

/// The people of each interview: the pseudonyms heard in its excerpts, then placeholders
/// for those who gave none, up to its number of participants.
fn people_of<'a>(study: &'a Study, ids: &mut Ids) -> HashMap<&'a str, Members> {
    let mut heard: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for e in &study.excerpts {
        heard.entry(e.interview.as_str()).or_default().insert(e.participant.as_str());
    }
    study
        .interviews
        .iter()
        .map(|i| {
            let names = heard.remove(i.id.as_str()).unwrap_or_default();
            let mut people: Members = names.iter().map(|p| ids.of('p', p)).collect();
            let mut n = 0;
            while people.len() < i.participants as usize {
                n += 1;
                people.insert(ids.of('p', &format!("{}#{n}", i.id)));
            }
            (i.id.as_str(), people)
        })
        .collect()
}

/// The cells of one unit: its people (never printed) and its individual and group
/// interviews (steps in a reader's reasoning).
struct UnitCells<'a> {
    region: &'a str,
    model: Option<usize>,
    people: usize,
    individual: usize,
    group: usize,
}

/// People and interviews per unit (never printed), per model (Table 2) and per region
/// (the sampling table). Within a unit: one person per individual interview, at least
/// two per group.
fn sampling(cx: &mut Context, u: &mut Universe) {
    let study = cx.study;
    let people = people_of(study, &mut cx.ids);
    let units = unit_cells(cx, u, &people);
    let gather = |u: &mut Universe, mut c: Count, parts: Vec<usize>| -> usize {
        for &p in &parts {
            let m = u.cells[p].members.clone();
            c.members.extend(m);
        }
        let ci = u.push(c);
        u.families.push((ci, parts));
        ci
    };
    let mut model_cells = Vec::new();
    for m in 0..cx.models.len() {
        let id = cx.models[m].as_str();
        let c = at(CellId::by_model(id, "participants"), Counted::People, Some(m), Role::Suppressible);
        let parts: Vec<usize> = units.iter().filter(|x| x.model == Some(m)).map(|x| x.people).collect();
        model_cells.push(gather(u, c, parts));
        let c = at(CellId::by_model(id, "interviews"), Counted::Interviews, Some(m), Role::Suppressible);
        let parts: Vec<usize> =
            units.iter().filter(|x| x.model == Some(m)).flat_map(|x| [x.individual, x.group]).collect();
        gather(u, c, parts);
    }
    let mut region_cells = Vec::new();
    let (mut region_ind, mut region_grp) = (Vec::new(), Vec::new());
    for r in &study.regions {
        let of =
            |f: fn(&UnitCells) -> usize| -> Vec<usize> { units.iter().filter(|x| x.region == r.id).map(f).collect() };
        let c = cell(SAMPLE, &r.id, "participants", Counted::People, None, Role::Public);
        region_cells.push(gather(u, c, of(|x| x.people)));
        let c = cell(SAMPLE, &r.id, "individual", Counted::Interviews, None, Role::Public);
        region_ind.push(gather(u, c, of(|x| x.individual)));
        let c = cell(SAMPLE, &r.id, "group", Counted::Interviews, None, Role::Public);
        region_grp.push(gather(u, c, of(|x| x.group)));
    }
    let all = gather(u, cell(SAMPLE, "total", "participants", Counted::People, None, Role::Public), region_cells);
    u.families.push((all, model_cells));
    gather(u, cell(SAMPLE, "total", "individual", Counted::Interviews, None, Role::Public), region_ind);
    gather(u, cell(SAMPLE, "total", "group", Counted::Interviews, None, Role::Public), region_grp);
}

/// The cells of every unit, with the facts a reader knows about them.
fn unit_cells<'a>(cx: &mut Context<'a>, u: &mut Universe, people: &HashMap<&str, Members>) -> Vec<UnitCells<'a>> {
    let study = cx.study;
    let b = study.excerpts.len().max(study.interviews.len()).max(people.values().map(Members::len).sum()) as i64 + 1;
    // Interviews by unit and people by region, gathered once rather than per unit.
    let mut by_unit: HashMap<&str, Vec<&Interview>> = HashMap::new();
    let mut by_region: HashMap<&str, Members> = HashMap::new();
    for i in &study.interviews {
        by_unit.entry(i.unit.as_str()).or_default().push(i);
        by_region.entry(i.region.as_str()).or_default().extend(people.get(i.id.as_str()).into_iter().flatten());
    }
    let none = Members::new();
    let mut out = Vec::new();
    for unit in &study.units {
        let model = cx.model_of_unit.get(unit.id.as_str()).copied();
        let mut c = cell(UNITS, &unit.id, "participants", Counted::People, model, Role::Latent);
        let mut parts = Vec::new();
        let mut kinds = Vec::new();
        for (kind, name) in [(InterviewKind::Individual, "individual"), (InterviewKind::Group, "group")] {
            let mut p = cell(UNITS, &unit.id, &format!("participants_{name}"), Counted::People, model, Role::Helper);
            let mut n = cell(UNITS, &unit.id, name, Counted::Interviews, model, Role::Helper);
            for i in by_unit.get(unit.id.as_str()).into_iter().flatten().filter(|i| i.kind == kind) {
                p.members.extend(people.get(i.id.as_str()).into_iter().flatten());
                n.members.insert(cx.ids.of('i', &i.id));
            }
            c.members.extend(p.members.iter().copied());
            parts.push(u.push(p));
            kinds.push(u.push(n));
        }
        // A unit holding everyone of its region is the sampling table's own row: public.
        if c.members == *by_region.get(unit.region.as_str()).unwrap_or(&none) {
            c.role = Role::Helper;
        }
        let ci = u.push(c);
        u.families.push((ci, parts.clone()));
        u.links.push(Constraint { terms: vec![(parts[0], 1), (kinds[0], -1)], lo: 0, hi: 0 });
        u.links.push(Constraint { terms: vec![(parts[1], 1), (kinds[1], -2)], lo: 0, hi: BIG });
        u.links.push(Constraint { terms: vec![(parts[1], 1), (kinds[1], -b)], lo: -BIG, hi: 0 });
        out.push(UnitCells { region: unit.region.as_str(), model, people: ci, individual: kinds[0], group: kinds[1] });
    }
    out
}

/// The excerpts printed with each theme (in the chapter and in full in the appendix),
/// and every count of the theme's rows: its excerpts carry their model only when all of
/// these are printed.
fn themes(cx: &Context, u: &mut Universe) {
    let study = cx.study;
    let nm = cx.models.len();
    // The theme of each framework row, found once.
    let theme_of: HashMap<&str, &str> = cx.rows.iter().filter_map(|&row| Some((row, study.theme_of(row)?))).collect();
    for &theme in &cx.themes {
        let total = cx.fw[&(theme, None, Counted::Excerpts)];
        let by_model: Vec<usize> = (0..nm).map(|m| cx.fw[&(theme, Some(m), Counted::Excerpts)]).collect();
        let mut excerpts = Vec::new();
        for (e, ev) in study.excerpts.iter().zip(&cx.evidence) {
            let Some((m, nodes)) = ev else { continue };
            if nodes.contains(&theme) {
                excerpts.push((e.id.clone(), *m));
            }
        }
        let cells: Vec<usize> = cx
            .rows
            .iter()
            .filter(|row| theme_of.get(*row) == Some(&theme))
            .flat_map(|&row| {
                each_model(nm)
                    .flat_map(move |m| [Counted::Excerpts, Counted::People].map(|measure| cx.fw[&(row, m, measure)]))
            })
            .collect();
        u.groups.push(Group { name: theme.to_string(), total, by_model, excerpts, cells });
    }
}
