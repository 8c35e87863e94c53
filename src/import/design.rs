//! The study's design from a project: which interviews there are, who took part in each,
//! and which region, unit and model each belongs to.
//!
//! - Each text source is an interview, unless the analyst maps a variable to `interview`
//!   (`--map Interview=interview`); then sources with the same value are one interview.
//! - Each case is a participant of the interviews whose sources it covers (its
//!   `SourceRef`s, and the sources of its `SelectionRef`s). An interview whose sources no
//!   case covers has one participant of its own. A case covering several interviews is a
//!   participant of each (`P03-I01`, `P03-I02`), since the study format counts a person in
//!   one interview only; the report says so.
//! - Kind: `group` when an interview has two or more participants, else `individual`.
//! - Region, unit and model come from mapped variables (`--map Region=region`, …), read on
//!   the source first and else on the cases covering it (which must agree). Without a
//!   mapping, or where a source has no value, one region, unit and model named after the
//!   project stand in. Units are the distinct (region, unit value, model) combinations.

use std::collections::{BTreeMap, BTreeSet};

use super::project::{key, Project};
use super::report::{quoted, Part, Report};
use crate::problem::{build_err, Problems, Result};

/// A field of the study a variable can be mapped to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Field {
    Region,
    Unit,
    Interview,
    Model,
}

impl Field {
    fn parse(s: &str) -> Option<Field> {
        match s.trim().to_ascii_lowercase().as_str() {
            "region" => Some(Field::Region),
            "unit" => Some(Field::Unit),
            "interview" => Some(Field::Interview),
            "model" => Some(Field::Model),
            _ => None,
        }
    }

    /// The field's name as written in `--map` and in messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Field::Region => "region",
            Field::Unit => "unit",
            Field::Interview => "interview",
            Field::Model => "model",
        }
    }
}

/// `--map VARIABLE=FIELD`, with the GUID keys of the variables of that name.
#[derive(Clone, Debug)]
pub(crate) struct Mapping {
    pub variable: String,
    pub field: Field,
    keys: BTreeSet<String>,
}

/// Parse the `--map` options against the project's variables. A variable the project does
/// not have, an unknown field or a field mapped twice is an error (nothing is written).
pub(crate) fn parse_maps(maps: &[String], p: &Project) -> Result<Vec<Mapping>> {
    let mut out: Vec<Mapping> = Vec::new();
    for m in maps {
        // Split at the last `=`: field names have none, a variable name might.
        let Some((variable, field)) = m.rsplit_once('=') else {
            return Err(build_err(format!("--map `{m}`: expected VARIABLE=FIELD, like `Region=region`")));
        };
        let field = Field::parse(field).ok_or_else(|| {
            build_err(format!(
                "--map `{m}`: expected the field `region`, `unit`, `interview` or `model`, found `{field}`"
            ))
        })?;
        if out.iter().any(|x| x.field == field) {
            return Err(build_err(format!("--map `{m}`: the field `{}` is already mapped", field.name())));
        }
        let variable = variable.trim();
        let mut keys: BTreeSet<String> =
            p.variables.iter().filter(|v| v.name == variable).map(|v| key(&v.guid)).collect();
        if keys.is_empty() {
            // Analysts type names as they remember them; case rarely matters to them.
            keys = p.variables.iter().filter(|v| v.name.eq_ignore_ascii_case(variable)).map(|v| key(&v.guid)).collect();
        }
        if keys.is_empty() {
            let known: Vec<String> = p.variables.iter().map(|v| format!("`{}`", v.name)).collect();
            return Err(build_err(format!(
                "--map `{m}`: the project has no variable `{variable}`; it has {}",
                if known.is_empty() { "none".to_string() } else { known.join(", ") }
            )));
        }
        out.push(Mapping { variable: variable.to_string(), field, keys });
    }
    Ok(out)
}

/// A region of the study design, with its id and display name.
pub(crate) struct Region {
    pub id: String,
    pub name: String,
}

/// A model units belong to, with id, short label, name and description.
pub(crate) struct Model {
    pub id: String,
    pub short: String,
    pub name: String,
    pub description: String,
}

/// A unit: its id, name, and the indices of its region and model.
pub(crate) struct Unit {
    pub id: String,
    pub region: usize,
    pub model: usize,
    pub name: String,
}

/// What makes a unit distinct: region index, unit value (if mapped), model index.
type UnitKey = (usize, Option<String>, usize);

/// An interview: id, region and unit indices, text sources and participants.
pub(crate) struct Interview {
    pub id: String,
    pub region: usize,
    pub unit: usize,
    /// Indices of the text sources it is made of.
    pub sources: Vec<usize>,
    /// Participant ids, in case order.
    pub people: Vec<String>,
}

/// The study design derived from the project's cases, variables and mappings.
pub(crate) struct Design {
    pub regions: Vec<Region>,
    pub models: Vec<Model>,
    pub units: Vec<Unit>,
    pub interviews: Vec<Interview>,
    /// Interview index of each text source.
    pub interview_of_source: Vec<usize>,
    /// Participant of a (case, interview) pair.
    pub participant: BTreeMap<(usize, usize), String>,
    /// Cases covering each text source, in case order.
    pub cases_of_source: Vec<Vec<usize>>,
    /// Cases naming each selection (by GUID key) with a `SelectionRef`.
    pub cases_of_selection: BTreeMap<String, Vec<usize>>,
}

/// Lowercase `a-z0-9-` from a name (Nordic and common accented letters spelled out), or
/// `fallback` when nothing is left.
pub(crate) fn slug(name: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        let spelled = match c {
            'æ' => "ae",
            'ø' | 'ö' | 'ó' | 'ò' | 'ô' | 'õ' => "o",
            'å' | 'ä' | 'á' | 'à' | 'â' | 'ã' => "a",
            'ü' | 'ú' | 'ù' | 'û' => "u",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'í' | 'ì' | 'î' | 'ï' => "i",
            'ß' => "ss",
            'ñ' => "n",
            'ç' => "c",
            'ý' | 'ÿ' => "y",
            'ð' => "d",
            'þ' => "th",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "-",
        };
        out.push_str(spelled);
    }
    let joined = out.split('-').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-");
    if joined.is_empty() {
        fallback.to_string()
    } else {
        joined
    }
}

/// `base`, or `base-2`, `base-3`… when taken.
fn unique(base: String, used: &mut BTreeSet<String>) -> String {
    let mut id = base.clone();
    let mut n = 2;
    while used.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    used.insert(id.clone());
    id
}

/// A mapped interview value as an id: kept when it is already id-like, else made so.
fn interview_id(value: &str) -> String {
    let id: String =
        value.trim().chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '-' }).collect();
    let id = id.trim_matches('-').to_string();
    if id.is_empty() {
        slug(value, "interview")
    } else {
        id
    }
}

/// `P01`… with at least two digits.
fn numbered(prefix: &str, n: usize, total: usize) -> String {
    let width = total.to_string().len().max(2);
    format!("{prefix}{n:0width$}")
}

/// Derive regions, models, units and interviews from the project and `--map` rules.
pub(crate) fn build(
    p: &Project,
    project_name: &str,
    maps: &[Mapping],
    file: &str,
    report: &mut Report,
) -> Result<Design> {
    let mut problems = Problems::default();
    let (cases_of_source, cases_of_selection) = cases_covering(p);
    let values = Values { p, maps, cases_of_source: &cases_of_source, file };

    let (interview_of_source, mapped_ids) = group_sources(&values, &mut problems);
    let interview_ids = interview_ids(&mapped_ids);
    note_sources_alone(&values, &interview_of_source, &mapped_ids, &interview_ids, report);

    let defaults = Defaults { project: project_name };
    let (mut places, mut interviews, without) =
        place_interviews(&values, &interview_ids, &interview_of_source, &defaults, &mut problems);
    // A project without text sources still needs a design the loader accepts.
    if places.regions.is_empty() {
        places.stand_ins(&defaults);
    }
    note_places(maps, &without, &mut places.split_units, report);

    let case_interviews = interviews_of_cases(p.cases.len(), &cases_of_source, &interview_of_source);
    let participant = number_participants(p, case_interviews, &mut interviews, report);

    if !problems.is_empty() {
        return Err(crate::problem::Failure::Data(problems.into_sorted()));
    }
    Ok(Design {
        regions: places.regions.into_iter().map(|(_, r)| r).collect(),
        models: places.models.into_iter().map(|(_, m)| m).collect(),
        units: places.units.into_iter().map(|(_, u)| u).collect(),
        interviews,
        interview_of_source,
        participant,
        cases_of_source,
        cases_of_selection,
    })
}

/// Which cases cover which text sources (by their `SourceRef`s and the sources of their
/// `SelectionRef`s), and which cases name which selections.
fn cases_covering(p: &Project) -> (Vec<Vec<usize>>, BTreeMap<String, Vec<usize>>) {
    let source_index: BTreeMap<String, usize> = p.sources.iter().enumerate().map(|(i, s)| (key(&s.guid), i)).collect();
    let selection_source: BTreeMap<String, usize> =
        p.sources.iter().enumerate().flat_map(|(i, s)| s.selections.iter().map(move |x| (key(&x.guid), i))).collect();
    let mut cases_of_source: Vec<Vec<usize>> = vec![Vec::new(); p.sources.len()];
    let mut cases_of_selection: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (ci, case) in p.cases.iter().enumerate() {
        let mut covered: Vec<usize> = case.sources.iter().filter_map(|s| source_index.get(s).copied()).collect();
        for sel in &case.selections {
            if let Some(&si) = selection_source.get(sel) {
                covered.push(si);
                cases_of_selection.entry(sel.clone()).or_default().push(ci);
            }
        }
        covered.sort_unstable();
        covered.dedup();
        for si in covered {
            cases_of_source[si].push(ci);
        }
    }
    (cases_of_source, cases_of_selection)
}

/// Where the values of mapped variables are read: the sources, and the cases covering them.
struct Values<'a> {
    p: &'a Project,
    maps: &'a [Mapping],
    cases_of_source: &'a [Vec<usize>],
    /// How `project.qde` is named in problems.
    file: &'a str,
}

impl Values<'_> {
    /// The value of a mapped field for one source: its own, else its cases' (which must agree).
    fn of_source(&self, si: usize, field: Field, problems: &mut Problems) -> Option<String> {
        let m = self.maps.iter().find(|m| m.field == field)?;
        let s = &self.p.sources[si];
        if let Some(v) = s.values.iter().find(|v| m.keys.contains(&v.variable) && !v.value.is_empty()) {
            return Some(v.value.clone());
        }
        let mut found: Vec<&str> = Vec::new();
        for &ci in &self.cases_of_source[si] {
            for v in self.p.cases[ci].values.iter().filter(|v| m.keys.contains(&v.variable) && !v.value.is_empty()) {
                if !found.contains(&v.value.as_str()) {
                    found.push(&v.value);
                }
            }
        }
        if found.len() > 1 {
            problems.push(
                self.file,
                Some(s.line),
                &m.variable,
                format!(
                    "expected the cases of source {} to agree on `{}` (mapped to {}), found {}",
                    quoted(&s.name),
                    m.variable,
                    field.name(),
                    found.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
                ),
            );
        }
        found.first().map(|v| v.to_string())
    }

    /// The value of a mapped field for interview `id` made of `sources`, which must agree; an
    /// interview without one is noted in `without` when the field is mapped.
    fn of_interview(
        &self,
        id: &str,
        sources: &[usize],
        field: Field,
        problems: &mut Problems,
        without: &mut BTreeMap<Field, Vec<String>>,
    ) -> Option<String> {
        let mut seen: Vec<String> = Vec::new();
        for &si in sources {
            if let Some(v) = self.of_source(si, field, problems) {
                if !seen.contains(&v) {
                    seen.push(v);
                }
            }
        }
        if seen.len() > 1 {
            problems.push(
                self.file,
                Some(self.p.sources[sources[0]].line),
                field.name(),
                format!(
                    "expected the sources of interview `{id}` to agree on the {}, found {}",
                    field.name(),
                    seen.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
                ),
            );
        }
        if seen.is_empty() && self.maps.iter().any(|m| m.field == field) {
            without.entry(field).or_default().push(id.to_string());
        }
        seen.into_iter().next()
    }
}

/// Interviews: one per source, or one per mapped interview value. The interview index of
/// each source, and each interview's mapped value (`None` for a source on its own).
fn group_sources(values: &Values, problems: &mut Problems) -> (Vec<usize>, Vec<Option<String>>) {
    let sources = values.p.sources.len();
    let mut interview_keys: Vec<String> = Vec::new();
    let mut interview_of_source = Vec::with_capacity(sources);
    let mut mapped_ids: Vec<Option<String>> = Vec::new();
    for si in 0..sources {
        let mapped = values.of_source(si, Field::Interview, problems);
        let k = match &mapped {
            Some(v) => format!("v:{v}"),
            None => format!("s:{si}"),
        };
        let idx = match interview_keys.iter().position(|x| *x == k) {
            Some(i) => i,
            None => {
                interview_keys.push(k);
                mapped_ids.push(mapped);
                interview_keys.len() - 1
            }
        };
        interview_of_source.push(idx);
    }
    (interview_of_source, mapped_ids)
}

/// The interviews' ids: the mapped value made id-like, else `I01`…, each unique.
fn interview_ids(mapped_ids: &[Option<String>]) -> Vec<String> {
    let mut used = BTreeSet::new();
    let total = mapped_ids.len();
    mapped_ids
        .iter()
        .enumerate()
        .map(|(i, m)| unique(m.as_deref().map(interview_id).unwrap_or_else(|| numbered("I", i + 1, total)), &mut used))
        .collect()
}

/// Notes the sources that became interviews of their own for want of a mapped interview value.
fn note_sources_alone(
    values: &Values,
    interview_of_source: &[usize],
    mapped_ids: &[Option<String>],
    interview_ids: &[String],
    report: &mut Report,
) {
    let p = values.p;
    let Some(m) = values.maps.iter().find(|m| m.field == Field::Interview) else { return };
    let missing: Vec<String> = (0..p.sources.len())
        .filter(|&si| mapped_ids[interview_of_source[si]].is_none())
        .map(|si| format!("{} ({})", quoted(&p.sources[si].name), interview_ids[interview_of_source[si]]))
        .collect();
    if !missing.is_empty() {
        report.add(
            Part::Changed,
            format!(
                "source(s) without a value for `{}` are interviews of their own: {}",
                m.variable,
                missing.join(", ")
            ),
        );
    }
}

/// Regions, models and units in the order met, each with the value(s) that made it.
#[derive(Default)]
struct Places {
    regions: Vec<(Option<String>, Region)>,
    models: Vec<(Option<String>, Model)>,
    units: Vec<(UnitKey, Unit)>,
    region_ids: BTreeSet<String>,
    unit_ids: BTreeSet<String>,
    /// Quoted unit names that occur with more than one region or model.
    split_units: Vec<String>,
}

impl Places {
    /// The index of the region with mapped value `rv`, added when new.
    fn region(&mut self, rv: &Option<String>, defaults: &Defaults) -> usize {
        if let Some(i) = self.regions.iter().position(|(v, _)| v == rv) {
            return i;
        }
        let name = rv.clone().unwrap_or_else(|| defaults.region());
        let id = unique(slug(&name, "region"), &mut self.region_ids);
        self.regions.push((rv.clone(), Region { id, name }));
        self.regions.len() - 1
    }

    /// The index of the model with mapped value `mv`, added when new.
    fn model(&mut self, mv: &Option<String>, maps: &[Mapping], defaults: &Defaults) -> usize {
        if let Some(i) = self.models.iter().position(|(v, _)| v == mv) {
            return i;
        }
        let n = self.models.len() + 1;
        let project_name = defaults.project;
        let m = match mv {
            Some(v) => Model {
                id: format!("M{n}"),
                short: v.clone(),
                name: v.clone(),
                description: format!("The interviews whose {} is “{v}”.", model_variable(maps)),
            },
            None => Model {
                id: format!("M{n}"),
                short: project_name.to_string(),
                name: project_name.to_string(),
                description: format!("All interviews of {project_name}."),
            },
        };
        self.models.push((mv.clone(), m));
        self.models.len() - 1
    }

    /// The index of the unit of `region` and `model` with mapped value `uv`, added when
    /// new; `stand_in` when neither region nor model is mapped for it.
    fn unit(&mut self, region: usize, uv: &Option<String>, model: usize, stand_in: bool, defaults: &Defaults) -> usize {
        let unit_key = (region, uv.clone(), model);
        if let Some(i) = self.units.iter().position(|(k, _)| *k == unit_key) {
            return i;
        }
        let name = match uv {
            Some(v) => v.clone(),
            None if stand_in => defaults.unit(),
            None => format!("{} – {}", self.regions[region].1.name, self.models[model].1.name),
        };
        if uv.is_some() && self.units.iter().any(|(k, _)| k.1 == *uv) {
            self.split_units.push(quoted(&name));
        }
        let id = unique(slug(&name, "unit"), &mut self.unit_ids);
        self.units.push((unit_key, Unit { id, region, model, name }));
        self.units.len() - 1
    }

    /// One region, model and unit named after the project, for a project without text sources.
    fn stand_ins(&mut self, defaults: &Defaults) {
        let project_name = defaults.project;
        let name = defaults.region();
        self.regions.push((None, Region { id: unique(slug(&name, "region"), &mut self.region_ids), name }));
        let description = format!("All interviews of {project_name}.");
        let (short, name) = (project_name.to_string(), project_name.to_string());
        self.models.push((None, Model { id: "M1".into(), short, name, description }));
        let name = defaults.unit();
        let id = unique(slug(&name, "unit"), &mut self.unit_ids);
        self.units.push(((0, None, 0), Unit { id, region: 0, model: 0, name }));
    }
}

/// Region, unit and model per interview (its sources must agree): the places, the
/// interviews (without participants yet), and per mapped field the interviews without a value.
fn place_interviews(
    values: &Values,
    interview_ids: &[String],
    interview_of_source: &[usize],
    defaults: &Defaults,
    problems: &mut Problems,
) -> (Places, Vec<Interview>, BTreeMap<Field, Vec<String>>) {
    let mut places = Places::default();
    let mut without: BTreeMap<Field, Vec<String>> = BTreeMap::new();
    let mut interviews = Vec::with_capacity(interview_ids.len());
    for (ii, id) in interview_ids.iter().enumerate() {
        let sources: Vec<usize> = (0..values.p.sources.len()).filter(|&si| interview_of_source[si] == ii).collect();
        let mut pick = |field: Field| values.of_interview(id, &sources, field, problems, &mut without);
        let (rv, uv, mv) = (pick(Field::Region), pick(Field::Unit), pick(Field::Model));
        let region = places.region(&rv, defaults);
        let model = places.model(&mv, values.maps, defaults);
        let unit = places.unit(region, &uv, model, rv.is_none() && mv.is_none(), defaults);
        interviews.push(Interview { id: id.clone(), region, unit, sources, people: Vec::new() });
    }
    (places, interviews, without)
}

/// Notes the interviews put in a stand-in for want of a mapped value, and the unit names
/// that became several units.
fn note_places(
    maps: &[Mapping],
    without: &BTreeMap<Field, Vec<String>>,
    split_units: &mut Vec<String>,
    report: &mut Report,
) {
    for (field, ids) in without {
        let m = maps.iter().find(|m| m.field == *field).map(|m| m.variable.as_str()).unwrap_or("");
        report.add(
            Part::ToDo,
            format!(
                "interview(s) with no value for `{m}` (mapped to {}) were put in the stand-in {} named after the project: {}",
                field.name(),
                field.name(),
                ids.join(", ")
            ),
        );
    }
    if !split_units.is_empty() {
        split_units.dedup();
        report.add(
            Part::Changed,
            format!(
                "unit name(s) occurring with more than one region or model became separate units: {}",
                split_units.join(", ")
            ),
        );
    }
}

/// The interviews each case takes part in, in the order its sources come.
fn interviews_of_cases(cases: usize, cases_of_source: &[Vec<usize>], interview_of_source: &[usize]) -> Vec<Vec<usize>> {
    let mut case_interviews: Vec<Vec<usize>> = vec![Vec::new(); cases];
    for (si, cases) in cases_of_source.iter().enumerate() {
        for &ci in cases {
            let ii = interview_of_source[si];
            if !case_interviews[ci].contains(&ii) {
                case_interviews[ci].push(ii);
            }
        }
    }
    case_interviews
}

/// Participants: cases in document order, then one per interview no case covers. Fills
/// each interview's `people` and returns the participant of each (case, interview) pair.
fn number_participants(
    p: &Project,
    mut case_interviews: Vec<Vec<usize>>,
    interviews: &mut [Interview],
    report: &mut Report,
) -> BTreeMap<(usize, usize), String> {
    let people_total = case_interviews.iter().filter(|x| !x.is_empty()).count()
        + (0..interviews.len()).filter(|&ii| !case_interviews.iter().any(|c| c.contains(&ii))).count();
    let mut participant = BTreeMap::new();
    let mut n = 0;
    let mut unplaced = Vec::new();
    let mut split = Vec::new();
    for (ci, ivs) in case_interviews.iter_mut().enumerate() {
        ivs.sort_unstable();
        if ivs.is_empty() {
            unplaced.push(quoted(&p.cases[ci].name));
            continue;
        }
        n += 1;
        let base = numbered("P", n, people_total);
        if ivs.len() > 1 {
            split.push(format!(
                "case {} ({base}) is in interviews {}",
                quoted(&p.cases[ci].name),
                ivs.iter().map(|&i| interviews[i].id.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
        for &ii in ivs.iter() {
            let id = if ivs.len() > 1 { format!("{base}-{}", interviews[ii].id) } else { base.clone() };
            interviews[ii].people.push(id.clone());
            participant.insert((ci, ii), id);
        }
    }
    for iv in interviews.iter_mut() {
        if iv.people.is_empty() {
            n += 1;
            iv.people.push(numbered("P", n, people_total));
        }
    }
    note_participants(&unplaced, &split, report);
    participant
}

/// Notes the cases that are no participant, and the cases split over several interviews.
fn note_participants(unplaced: &[String], split: &[String], report: &mut Report) {
    if !unplaced.is_empty() {
        report.add(
            Part::LeftOut,
            format!(
                "case(s) that cover no text source, so are no participant of any interview: {}",
                unplaced.join(", ")
            ),
        );
    }
    if !split.is_empty() {
        report.add(
            Part::Changed,
            format!(
                "the study format counts a participant in one interview, so a case in several interviews is a \
                 participant of each (`P03-I01`, `P03-I02`) and is counted once per interview: {}",
                split.join("; ")
            ),
        );
    }
}

/// The variable mapped to `model`, for model descriptions.
fn model_variable(maps: &[Mapping]) -> String {
    maps.iter().find(|m| m.field == Field::Model).map(|m| m.variable.clone()).unwrap_or_default()
}

/// Names of the stand-ins when nothing is mapped. Region and unit names are checked
/// against every excerpt by `bsb check` (an excerpt must not name a place), so they carry
/// a suffix that a quotation is unlikely to contain, rather than the bare project name.
struct Defaults<'a> {
    project: &'a str,
}

impl Defaults<'_> {
    fn region(&self) -> String {
        format!("{} region", self.project)
    }

    fn unit(&self) -> String {
        format!("{} unit", self.project)
    }
}
