//! The system of published facts of one study: the framework matrix, the model matrix,
//! people per model, the sampling table, people per unit (never printed, but a reader
//! who knows which regions run which model can reason about it) and the excerpts printed
//! per theme.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{Cell, CellId, Fact, Group, Measure, Role, Universe, BIG};
use crate::study::{InterviewKind, Study};

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
pub fn framework_order(study: &Study) -> Vec<(String, usize)> {
    fn visit(study: &Study, id: &str, depth: usize, out: &mut Vec<(String, usize)>, seen: &mut BTreeSet<String>) {
        if !seen.insert(id.to_string()) {
            return;
        }
        out.push((id.to_string(), depth));
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

fn cell(table: &str, row: &str, col: &str, measure: Measure, model: Option<usize>, role: Role) -> Cell {
    at(CellId::new(table, row, col), measure, model, role)
}

/// A cell of a published table, named by the constructors the analysis prints it by.
fn at(id: CellId, measure: Measure, model: Option<usize>, role: Role) -> Cell {
    let CellId { table, row, col } = id;
    Cell { table, row, col, measure, model, members: BTreeSet::new(), role, scope: Vec::new() }
}

/// The people of each interview: the pseudonyms heard in its excerpts, then placeholders
/// for those who gave none, up to its number of participants.
fn people_of(study: &Study) -> BTreeMap<&str, BTreeSet<String>> {
    let mut heard: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for e in &study.excerpts {
        heard.entry(e.interview.as_str()).or_default().insert(e.participant.clone());
    }
    study
        .interviews
        .iter()
        .map(|i| {
            let mut people = heard.remove(i.id.as_str()).unwrap_or_default();
            let mut n = 0;
            while people.len() < i.participants as usize {
                n += 1;
                people.insert(format!("{}#{n}", i.id));
            }
            (i.id.as_str(), people)
        })
        .collect()
}

/// The system of published facts of one study.
pub fn universe(study: &Study) -> Universe {
    let models: Vec<String> = study.models.iter().map(|m| m.id.clone()).collect();
    let model_of_unit: HashMap<&str, usize> =
        study.units.iter().filter_map(|u| Some((u.id.as_str(), models.iter().position(|m| *m == u.model)?))).collect();
    let interview_model: HashMap<&str, usize> =
        study.interviews.iter().filter_map(|i| Some((i.id.as_str(), *model_of_unit.get(i.unit.as_str())?))).collect();
    let mut u = Universe {
        k: study.meta.small_cell_k,
        models: models.clone(),
        omit_hidden: study.meta.omit_hidden_excerpts,
        ..Default::default()
    };
    let nm = models.len();
    let order = framework_order(study);
    let themes: Vec<String> = study.themes().map(|t| t.id.clone()).collect();
    let theme_index: HashMap<&str, usize> = themes.iter().enumerate().map(|(i, t)| (t.as_str(), i)).collect();

    // Framework cells: per row, per model then total, excerpts and people.
    // Keyed by borrowed row names: a lookup per excerpt and node allocates nothing.
    let mut fw: HashMap<(&str, Option<usize>, Measure), usize> = HashMap::new();
    let rows: Vec<String> =
        order.iter().map(|(id, _)| id.clone()).chain(std::iter::once("total".to_string())).collect();
    for row in &rows {
        let scope: Vec<usize> = if row == "total" {
            (0..themes.len()).collect()
        } else {
            study.theme_of(row).and_then(|t| theme_index.get(t)).map(|&g| vec![g]).unwrap_or_default()
        };
        for m in (0..nm).map(Some).chain(std::iter::once(None)) {
            let id = m.map(|m| models[m].as_str());
            let role = if row == "total" && m.is_none() { Role::Public } else { Role::Suppressible };
            let mut e = at(CellId::framework(row, id, Measure::Excerpts), Measure::Excerpts, m, role);
            e.scope = scope.clone();
            let p = at(CellId::framework(row, id, Measure::People), Measure::People, m, role);
            let (ei, pi) = (u.push(e), u.push(p));
            u.pairs.push((ei, pi));
            fw.insert((row.as_str(), m, Measure::Excerpts), ei);
            fw.insert((row.as_str(), m, Measure::People), pi);
        }
    }
    let ancestors = study.ancestors();
    // Each excerpt's model and evidence nodes, computed once (the themes below use them too).
    let evidence: Vec<Option<(usize, Vec<&str>)>> = study
        .excerpts
        .iter()
        .map(|e| Some((*interview_model.get(e.interview.as_str())?, study.evidence_nodes(e, &ancestors))))
        .collect();
    for (e, ev) in study.excerpts.iter().zip(&evidence) {
        let Some((m, nodes)) = ev else { continue };
        let m = *m;
        for node in nodes.iter().copied().chain(std::iter::once("total")) {
            for mm in [Some(m), None] {
                if let Some(&c) = fw.get(&(node, mm, Measure::Excerpts)) {
                    u.cells[c].members.insert(e.id.clone());
                }
                if let Some(&c) = fw.get(&(node, mm, Measure::People)) {
                    u.cells[c].members.insert(e.participant.clone());
                }
            }
        }
    }
    for row in &rows {
        for measure in [Measure::Excerpts, Measure::People] {
            // A row total and its models.
            let parts: Vec<usize> = (0..nm).map(|m| fw[&(row.as_str(), Some(m), measure)]).collect();
            u.families.push((fw[&(row.as_str(), None, measure)], parts));
            // A node and its children; the total row and the themes.
            let children: Vec<&String> = if row == "total" {
                themes.iter().collect()
            } else {
                study.codes.iter().filter(|c| c.parent.as_deref() == Some(row.as_str())).map(|c| &c.id).collect()
            };
            if children.is_empty() {
                continue;
            }
            for m in (0..nm).map(Some).chain(std::iter::once(None)) {
                let kids: Vec<usize> =
                    children.iter().filter_map(|c| fw.get(&(c.as_str(), m, measure)).copied()).collect();
                u.families.push((fw[&(row.as_str(), m, measure)], kids));
            }
        }
    }

    // Model matrix: a trait's evidence per model is the union of its codes' evidence.
    for t in &study.traits {
        for m in 0..nm {
            let ids = |measure| CellId::model_matrix(&t.id, &models[m], measure);
            let mut e = at(ids(Measure::Excerpts), Measure::Excerpts, Some(m), Role::Suppressible);
            let p = at(ids(Measure::People), Measure::People, Some(m), Role::Suppressible);
            let mut pm = BTreeSet::new();
            let (mut ek, mut pk) = (Vec::new(), Vec::new());
            for code in &t.codes {
                if let (Some(&ce), Some(&cp)) = (
                    fw.get(&(code.as_str(), Some(m), Measure::Excerpts)),
                    fw.get(&(code.as_str(), Some(m), Measure::People)),
                ) {
                    e.members.extend(u.cells[ce].members.iter().cloned());
                    pm.extend(u.cells[cp].members.iter().cloned());
                    for g in u.cells[ce].scope.clone() {
                        if !e.scope.contains(&g) {
                            e.scope.push(g);
                        }
                    }
                    ek.push(ce);
                    pk.push(cp);
                }
            }
            let mut p = p;
            p.members = pm;
            let (ei, pi) = (u.push(e), u.push(p));
            u.pairs.push((ei, pi));
            u.families.push((ei, ek));
            u.families.push((pi, pk));
        }
    }

    // People and interviews per unit (never printed), per model (Table 2) and per region
    // (the sampling table). Within a unit: one person per individual interview, at least
    // two per group.
    let people = people_of(study);
    let b = study.excerpts.len().max(study.interviews.len()).max(people.values().map(BTreeSet::len).sum()) as i64 + 1;
    struct UnitCells<'a> {
        region: &'a str,
        model: Option<usize>,
        people: usize,
        individual: usize,
        group: usize,
    }
    let mut unit_cells: Vec<UnitCells> = Vec::new();
    // Interviews by unit and people by region, gathered once rather than per unit.
    let mut by_unit: HashMap<&str, Vec<&crate::study::Interview>> = HashMap::new();
    let mut by_region: HashMap<&str, BTreeSet<&String>> = HashMap::new();
    for i in &study.interviews {
        by_unit.entry(i.unit.as_str()).or_default().push(i);
        by_region.entry(i.region.as_str()).or_default().extend(people.get(i.id.as_str()).into_iter().flatten());
    }
    let none = BTreeSet::new();
    for unit in &study.units {
        let model = model_of_unit.get(unit.id.as_str()).copied();
        let mut c = cell(UNITS, &unit.id, "participants", Measure::People, model, Role::Latent);
        let mut parts = Vec::new();
        let mut kinds = Vec::new();
        for (kind, name) in [(InterviewKind::Individual, "individual"), (InterviewKind::Group, "group")] {
            let mut p = cell(UNITS, &unit.id, &format!("participants_{name}"), Measure::People, model, Role::Helper);
            let mut n = cell(UNITS, &unit.id, name, Measure::Interviews, model, Role::Helper);
            for i in by_unit.get(unit.id.as_str()).into_iter().flatten().filter(|i| i.kind == kind) {
                p.members.extend(people.get(i.id.as_str()).into_iter().flatten().cloned());
                n.members.insert(i.id.clone());
            }
            c.members.extend(p.members.iter().cloned());
            parts.push(u.push(p));
            kinds.push(u.push(n));
        }
        // A unit holding everyone of its region is the sampling table's own row: public.
        let region_people = by_region.get(unit.region.as_str()).unwrap_or(&none);
        if c.members.len() == region_people.len() && c.members.iter().eq(region_people.iter().copied()) {
            c.role = Role::Helper;
        }
        let ci = u.push(c);
        u.families.push((ci, parts.clone()));
        u.links.push(Fact { terms: vec![(parts[0], 1), (kinds[0], -1)], lo: 0, hi: 0 });
        u.links.push(Fact { terms: vec![(parts[1], 1), (kinds[1], -2)], lo: 0, hi: BIG });
        u.links.push(Fact { terms: vec![(parts[1], 1), (kinds[1], -b)], lo: -BIG, hi: 0 });
        unit_cells.push(UnitCells {
            region: unit.region.as_str(),
            model,
            people: ci,
            individual: kinds[0],
            group: kinds[1],
        });
    }
    let gather = |u: &mut Universe, mut c: Cell, parts: Vec<usize>| -> usize {
        for &p in &parts {
            let m = u.cells[p].members.clone();
            c.members.extend(m);
        }
        let ci = u.push(c);
        u.families.push((ci, parts));
        ci
    };
    let mut model_cells = Vec::new();
    for m in 0..nm {
        let c = at(CellId::by_model(&models[m], "participants"), Measure::People, Some(m), Role::Suppressible);
        let parts: Vec<usize> = unit_cells.iter().filter(|x| x.model == Some(m)).map(|x| x.people).collect();
        model_cells.push(gather(&mut u, c, parts));
        let c = at(CellId::by_model(&models[m], "interviews"), Measure::Interviews, Some(m), Role::Suppressible);
        let parts: Vec<usize> =
            unit_cells.iter().filter(|x| x.model == Some(m)).flat_map(|x| [x.individual, x.group]).collect();
        gather(&mut u, c, parts);
    }
    let mut region_cells = Vec::new();
    let (mut region_ind, mut region_grp) = (Vec::new(), Vec::new());
    for r in &study.regions {
        let of = |f: fn(&UnitCells) -> usize| -> Vec<usize> {
            unit_cells.iter().filter(|x| x.region == r.id).map(f).collect()
        };
        let c = cell(SAMPLE, &r.id, "participants", Measure::People, None, Role::Public);
        region_cells.push(gather(&mut u, c, of(|x| x.people)));
        let c = cell(SAMPLE, &r.id, "individual", Measure::Interviews, None, Role::Public);
        region_ind.push(gather(&mut u, c, of(|x| x.individual)));
        let c = cell(SAMPLE, &r.id, "group", Measure::Interviews, None, Role::Public);
        region_grp.push(gather(&mut u, c, of(|x| x.group)));
    }
    let all = gather(&mut u, cell(SAMPLE, "total", "participants", Measure::People, None, Role::Public), region_cells);
    u.families.push((all, model_cells));
    gather(&mut u, cell(SAMPLE, "total", "individual", Measure::Interviews, None, Role::Public), region_ind);
    gather(&mut u, cell(SAMPLE, "total", "group", Measure::Interviews, None, Role::Public), region_grp);

    // The excerpts printed with each theme (in the chapter and in full in the appendix).
    for (g, theme) in themes.iter().enumerate() {
        let total = fw[&(theme.as_str(), None, Measure::Excerpts)];
        let by_model: Vec<usize> = (0..nm).map(|m| fw[&(theme.as_str(), Some(m), Measure::Excerpts)]).collect();
        let mut excerpts = Vec::new();
        for (e, ev) in study.excerpts.iter().zip(&evidence) {
            let Some((m, nodes)) = ev else { continue };
            if nodes.contains(&theme.as_str()) {
                excerpts.push((e.id.clone(), *m));
            }
        }
        // Every count of the theme's rows (the theme and everything below it): its excerpts
        // carry their model only when all of these are printed.
        let cells: Vec<usize> = order
            .iter()
            .filter(|(row, _)| study.theme_of(row) == Some(theme.as_str()))
            .flat_map(|(row, _)| {
                let fw = &fw;
                (0..nm).map(Some).chain(std::iter::once(None)).flat_map(move |m| {
                    [Measure::Excerpts, Measure::People].map(|measure| fw[&(row.as_str(), m, measure)])
                })
            })
            .collect();
        u.groups.push(Group { name: theme.clone(), total, by_model, excerpts, cells });
        debug_assert!(g < themes.len());
    }
    u
}
