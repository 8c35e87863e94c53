//! The analysis stage: the validated study counted ([`counting`]) and laid out as the
//! report's tables. Every result is put in the study's own order before it leaves this
//! module, and every person count passes the small-cell rule here, so raw small counts
//! never leave.

mod counting;
mod dialogue;
pub mod survey;
pub mod table;
pub mod trait_evidence;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::privacy::Counted;
pub use crate::privacy::{CellId, Cleared};
use crate::problem::{build_err, Result};
use crate::study::{Measure, Study, Text};
pub use table::{Cell, Column, Shown, Table};

/// Counts of one slice of the sample (a region, a model, or everything).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SampleCounts {
    /// Individual interviews.
    pub individual: u64,
    /// Group interviews.
    pub group: u64,
    /// Interviews of either kind.
    pub interviews: u64,
    /// People who took part.
    pub participants: u64,
}

/// Evidence behind one theme for one model (or all models), protected.
#[derive(Clone, Debug, Serialize)]
pub struct Evidence {
    /// The model's id; `None` for all models together.
    pub model: Option<String>,
    /// Excerpts coded to the theme or below it.
    pub excerpts: Cleared,
    /// Different participants those excerpts come from.
    pub participants: Cleared,
}

/// The evidence behind one theme, per model and in all, with the excerpts printed with it.
#[derive(Clone, Debug, Serialize)]
pub struct ThemeEvidence {
    /// The theme's id.
    pub theme: String,
    /// One entry per model, in the study's model order.
    pub by_model: Vec<Evidence>,
    /// All models together.
    pub total: Evidence,
    /// Every excerpt coded to the theme or below it, in file order.
    pub excerpts: Vec<Quote>,
    /// The excerpts shown with the theme (indices into `excerpts`): up to
    /// [`EXCERPTS_PER_THEME`], taken in turn from each subtheme in codebook order, each
    /// subtheme's in the order of their ids. Nothing hidden (a model, a person) decides.
    pub picked: Vec<usize>,
    /// The excerpts the appendix prints (indices into `excerpts`, in file order): all of
    /// them, or [`APPENDIX_PER_THEME`] chosen as `picked` is, by coding and ids alone.
    pub appendix: Vec<usize>,
}

impl ThemeEvidence {
    /// Each model of `study` with its evidence, paired by the model's id (never by
    /// position), in the study's model order.
    pub fn per_model<'a>(&'a self, study: &'a Study) -> impl Iterator<Item = (&'a crate::study::Model, &'a Evidence)> {
        study
            .models
            .iter()
            .filter_map(move |m| Some((m, self.by_model.iter().find(|e| e.model.as_ref() == Some(&m.id))?)))
    }
}

/// Excerpts shown with each theme in the findings chapter.
pub const EXCERPTS_PER_THEME: usize = 4;

/// Excerpts of one theme the appendix prints at most. A study of tens of thousands of
/// excerpts would otherwise print a thousand pages nobody reads, and typst would need
/// gigabytes to lay them out; the appendix then says that it shows a selection.
pub const APPENDIX_PER_THEME: usize = 60;

/// An excerpt as a report may print it: its words and at most its model, never a region,
/// unit or pseudonym.
#[derive(Clone, Debug, Serialize)]
pub struct Quote {
    /// The paraphrase in each language.
    pub text: Text,
    /// The model of the excerpt's interview (through its unit).
    pub model: Option<String>,
}

/// Everything later stages need; nothing here is a raw small person count.
#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    /// The small-cell threshold every protected count here was held to.
    pub k: u32,
    /// How many of each thing the study holds (`regions`, `excerpts`, `themes`, …), for
    /// `bsb info` and the prose's `n.*`.
    pub counts: BTreeMap<String, u64>,
    /// The sample per region, in the study's region order.
    pub by_region: Vec<(String, SampleCounts)>,
    /// People and interviews per model, as printed.
    pub by_model: Vec<(String, Cleared, Cleared)>,
    /// The whole sample.
    pub total: SampleCounts,
    /// The final report's tables, in the order they are written.
    pub tables: Vec<Table>,
    /// The process report's tables: the same, with the recommendations as the data has
    /// them and without the conference's record (written to `report/tables/process/`).
    pub process_tables: Vec<Table>,
    /// The evidence per theme, in codebook order.
    pub themes: Vec<ThemeEvidence>,
    /// Named figures for prose and errata (`interviews.group`, `region.nord.participants`).
    pub metrics: BTreeMap<String, f64>,
    /// How many published figures differ from what the data gives.
    pub errata_differs: u64,
    /// How many published figures were compared.
    pub errata_total: u64,
    /// Which cells are hidden and why, and which excerpts print without their model.
    pub privacy: crate::privacy::Protection,
    /// The study's bibliography, read once for every table and edition that names a source.
    #[serde(skip)]
    pub bibliography: crate::references::Bibliography,
    /// The questionnaire's answers as they may be printed (`None`: no answers given).
    pub survey: Option<crate::analysis::survey::SurveyResults>,
}

/// Analyse a study; `cached` is the last build's privacy answer (see
/// [`crate::privacy::protect`]).
pub fn analyse(study: &Study, cached: Option<&crate::manifest::Solved>) -> Result<Analysis> {
    let protection = crate::privacy::protect(study, cached).map_err(build_err)?;
    let unaudited = std::cell::RefCell::new(Vec::new());
    let mut analysis = analyse_counts(study, protection, &unaudited);
    crate::analysis::survey::attach(study, &mut analysis);
    let unaudited = unaudited.into_inner();
    if !unaudited.is_empty() {
        return Err(build_err(format!("counts the privacy audit did not clear:\n  {}", unaudited.join("\n  "))));
    }
    Ok(analysis)
}

/// Problems found while clearing counts (each one printed hidden, and the build fails).
type Unaudited = std::cell::RefCell<Vec<String>>;

/// A count as the privacy audit ([`crate::privacy`]) lets it be printed: the only way a
/// person count reaches a table. A count the audit did not hold is hidden and noted.
fn shown(p: &crate::privacy::Protection, id: CellId, value: u64, unaudited: &Unaudited) -> Cleared {
    p.cleared(&id, value).unwrap_or_else(|e| {
        unaudited.borrow_mut().push(e);
        Cleared::hidden()
    })
}

/// One row of evidence (a code, a trait or the total row) across models, as printed;
/// `id` names each of its cells by model (or `None` for the total) and measure.
fn evidence_row(
    study: &Study,
    p: &crate::privacy::Protection,
    unaudited: &Unaudited,
    id: &dyn Fn(Option<&str>, Counted) -> CellId,
    cells: &[(u64, u64)],
    total: (u64, u64),
) -> (Vec<Evidence>, Evidence) {
    let by_model = study
        .models
        .iter()
        .zip(cells)
        .map(|(m, c)| Evidence {
            model: Some(m.id.clone()),
            excerpts: shown(p, id(Some(&m.id), Counted::Excerpts), c.0, unaudited),
            participants: shown(p, id(Some(&m.id), Counted::People), c.1, unaudited),
        })
        .collect();
    let total = Evidence {
        model: None,
        excerpts: shown(p, id(None, Counted::Excerpts), total.0, unaudited),
        participants: shown(p, id(None, Counted::People), total.1, unaudited),
    };
    (by_model, total)
}

fn analyse_counts(study: &Study, protection: crate::privacy::Protection, unaudited: &Unaudited) -> Analysis {
    let k = study.meta.small_cell_k;
    let sample = counting::Sample::of(study);
    // Read here, once: the tables' sources and every edition's reference list use it.
    let bibliography = crate::references::Bibliography::read(study, &mut Default::default());
    let (total, metrics) = (sample.total(), sample.metrics());
    let counting::Sample { regions, models } = sample;
    let by_region: Vec<(String, SampleCounts)> =
        study.regions.iter().map(|r| (r.id.clone(), regions.get(&r.id).cloned().unwrap_or_default())).collect();
    let by_model = model_sample(study, &models, &protection, unaudited);

    let evidence = counting::evidence(study);
    let by_code_model = counting::grid(&evidence, |c| (c.code, c.model));
    let by_code = counting::grid(&evidence, |c| c.code);
    let model_ids: Vec<&str> = study.models.iter().map(|m| m.id.as_str()).collect();
    let row_evidence = |code: &str| -> (Vec<Evidence>, Evidence) {
        let cells: Vec<(u64, u64)> =
            model_ids.iter().map(|m| by_code_model.get(&(code, *m)).copied().unwrap_or((0, 0))).collect();
        let total = by_code.get(code).copied().unwrap_or((0, 0));
        evidence_row(study, &protection, unaudited, &|m, measure| CellId::framework(code, m, measure), &cells, total)
    };
    let quotes = theme_quotes(study, &protection);
    let ancestors = study.ancestors();
    let themes: Vec<ThemeEvidence> = study
        .themes()
        .map(|t| {
            let (by_model, total) = row_evidence(&t.id);
            let (excerpts, sources): (Vec<Quote>, Vec<usize>) =
                quotes.get(t.id.as_str()).cloned().unwrap_or_default().into_iter().unzip();
            let picked = pick_excerpts(study, &t.id, &sources, &ancestors, EXCERPTS_PER_THEME);
            let mut appendix = pick_excerpts(study, &t.id, &sources, &ancestors, APPENDIX_PER_THEME);
            appendix.sort_unstable();
            ThemeEvidence { theme: t.id.clone(), by_model, total, excerpts, picked, appendix }
        })
        .collect();

    let mut tables = vec![
        participants_table(study, &by_region, &total),
        participants_by_model_table(study, &by_model, &models),
        framework_table(study, &evidence, &row_evidence, &protection, unaudited),
    ];
    if !study.traits.is_empty() {
        tables.push(model_matrix(study, &evidence, &protection, unaudited));
    }
    if !study.factors.is_empty() {
        tables.push(compilation_table(study));
    }
    if !study.recommendations.is_empty() {
        tables.push(dialogue::recommendations_table(study, crate::study::Step::Process));
    }
    let hidden_metric = |key: &str| hidden_model_metric(&by_model, key);
    let (errata, errata_differs) = errata_table(study, &metrics, &hidden_metric);
    tables.push(errata);
    if !study.events.is_empty() {
        tables.push(timeline_table(study, &bibliography));
    }
    tables.extend(context_tables(study, &bibliography));
    mark_tables(study, &mut tables);
    let (tables, process_tables) = step_tables(study, tables);
    let counts = study_counts(study).into_iter().map(|(t, v)| (t.key().to_string(), v)).collect();
    let errata_total = study.published.len() as u64;
    Analysis {
        k,
        counts,
        by_region,
        by_model,
        total,
        tables,
        process_tables,
        themes,
        metrics,
        errata_differs,
        errata_total,
        privacy: protection,
        bibliography,
        survey: None,
    }
}

/// People and interviews per model, in the study's model order, as the audit lets them
/// be printed.
fn model_sample(
    study: &Study,
    models: &BTreeMap<String, SampleCounts>,
    protection: &crate::privacy::Protection,
    unaudited: &Unaudited,
) -> Vec<(String, Cleared, Cleared)> {
    study
        .models
        .iter()
        .map(|m| {
            let counts = models.get(&m.id).cloned().unwrap_or_default();
            let people = shown(protection, CellId::by_model(&m.id, "participants"), counts.participants, unaudited);
            let interviews = shown(protection, CellId::by_model(&m.id, "interviews"), counts.interviews, unaudited);
            (m.id.clone(), people, interviews)
        })
        .collect()
}

/// Whether the published figure `key` is compared nowhere because the number it is
/// compared with may not be printed: a model's counts can be hidden (with the sampling
/// table they may give one unit's), and so then are its interviews by kind, which no table
/// prints.
fn hidden_model_metric(by_model: &[(String, Cleared, Cleared)], key: &str) -> bool {
    let parts: Vec<&str> = key.split('.').collect();
    let ["model", id, what] = parts.as_slice() else { return false };
    let Some((_, people, interviews)) = by_model.iter().find(|(m, _, _)| m == id) else { return false };
    match *what {
        "participants" => people.value().is_none(),
        _ => interviews.value().is_none(),
    }
}

/// Give every table the study's small-cell threshold and coding. In a reconstructed coding
/// the participant behind an excerpt is a placeholder: a count of distinct participants
/// would present an invention as a finding, so those columns go.
fn mark_tables(study: &Study, tables: &mut [Table]) {
    for t in tables {
        t.k = study.meta.small_cell_k;
        t.coding = study.meta.coding;
        if study.meta.coding.is_reconstructed() && ["framework-matrix", "model-matrix"].contains(&t.name.as_str()) {
            table::drop_columns(t, "participants_");
        }
    }
}

/// The final report's tables and the process report's, from the tables as the data has
/// them: the final one takes the recommendations after the dialogue conference and, when
/// the study records the conference, its participants and outcomes after them.
fn step_tables(study: &Study, process: Vec<Table>) -> (Vec<Table>, Vec<Table>) {
    let k = study.meta.small_cell_k;
    let mut tables = Vec::new();
    for t in &process {
        if t.name.as_str() != "recommendations" {
            tables.push(t.clone());
            continue;
        }
        let mut after = dialogue::recommendations_table(study, crate::study::Step::Final);
        (after.k, after.coding) = (t.k, t.coding);
        tables.push(after);
    }
    for mut t in [dialogue::participants_table(study, k), dialogue::outcomes_table(study)].into_iter().flatten() {
        (t.k, t.coding) = (k, study.meta.coding);
        tables.push(t);
    }
    (tables, process)
}

/// A thing the study holds a number of, as `bsb info` and the prose's `n.*` name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tally {
    /// Health regions.
    Regions,
    /// Units.
    Units,
    /// Organisational models.
    Models,
    /// Interviews of either kind.
    Interviews,
    /// People interviewed.
    Participants,
    /// Coded excerpts.
    Excerpts,
    /// Codes of the codebook.
    Codes,
    /// Themes (codes with no parent).
    Themes,
    /// Subthemes.
    Subthemes,
    /// Rows of the model comparison.
    Traits,
    /// Rows of the comparison with the compilation.
    Factors,
    /// Recommendations.
    Recommendations,
    /// Columns of the recommendations table.
    RecommendationColumns,
    /// Events of the timeline.
    Events,
    /// Facts stated by sources.
    Facts,
    /// Data notes.
    Notes,
}

impl Tally {
    /// Every tally, in the order `bsb info` lists them.
    pub const ALL: [Tally; 16] = [
        Tally::Regions,
        Tally::Units,
        Tally::Models,
        Tally::Interviews,
        Tally::Participants,
        Tally::Excerpts,
        Tally::Codes,
        Tally::Themes,
        Tally::Subthemes,
        Tally::Traits,
        Tally::Factors,
        Tally::Recommendations,
        Tally::RecommendationColumns,
        Tally::Events,
        Tally::Facts,
        Tally::Notes,
    ];

    /// Its name in `bsb info` and in the prose's `n.*`.
    pub const fn key(self) -> &'static str {
        match self {
            Tally::Regions => "regions",
            Tally::Units => "units",
            Tally::Models => "models",
            Tally::Interviews => "interviews",
            Tally::Participants => "participants",
            Tally::Excerpts => "excerpts",
            Tally::Codes => "codes",
            Tally::Themes => "themes",
            Tally::Subthemes => "subthemes",
            Tally::Traits => "traits",
            Tally::Factors => "factors",
            Tally::Recommendations => "recommendations",
            Tally::RecommendationColumns => "recommendation_columns",
            Tally::Events => "events",
            Tally::Facts => "facts",
            Tally::Notes => "notes",
        }
    }

    /// How many of it `study` holds.
    pub fn of(self, study: &Study) -> u64 {
        let n = match self {
            Tally::Regions => study.regions.len(),
            Tally::Units => study.units.len(),
            Tally::Models => study.models.len(),
            Tally::Interviews => study.interviews.len(),
            Tally::Participants => return study.interviews.iter().map(|i| u64::from(i.participants)).sum(),
            Tally::Excerpts => study.excerpts.len(),
            Tally::Codes => study.codes.len(),
            Tally::Themes => study.themes().count(),
            Tally::Subthemes => study.codes.iter().filter(|c| c.parent.is_some()).count(),
            Tally::Traits => study.traits.len(),
            Tally::Factors => study.factors.len(),
            Tally::Recommendations => study.recommendations.len(),
            Tally::RecommendationColumns => study.rec_columns.len(),
            Tally::Events => study.events.len(),
            Tally::Facts => study.facts.len(),
            Tally::Notes => study.notes.len(),
        };
        n as u64
    }
}

/// How many of each thing the study holds, in [`Tally::ALL`]'s order.
pub fn study_counts(study: &Study) -> Vec<(Tally, u64)> {
    Tally::ALL.iter().map(|&t| (t, t.of(study))).collect()
}

impl Analysis {
    /// How many of `tally` the study holds.
    pub fn count(&self, tally: Tally) -> u64 {
        self.counts.get(tally.key()).copied().unwrap_or(0)
    }
}

/// Each theme's excerpts (coded to it or below it), in file order, found in one pass,
/// each with its index in the study's excerpts. An excerpt of a theme that is not open
/// carries no model in print (or is left out when the study says so).
type Quotes<'a> = std::collections::HashMap<&'a str, Vec<(Quote, usize)>>;

fn theme_quotes<'a>(study: &'a Study, protection: &crate::privacy::Protection) -> Quotes<'a> {
    let ancestors = study.ancestors();
    let models = study.interview_models();
    let mut in_theme: Quotes = std::collections::HashMap::new();
    for (i, e) in study.excerpts.iter().enumerate() {
        let hidden = protection.unlabelled.contains(&e.id);
        if hidden && protection.omit {
            continue;
        }
        for node in study.evidence_nodes(e, &ancestors) {
            let model = if hidden { None } else { models.get(e.interview.as_str()).map(|m| m.to_string()) };
            in_theme.entry(node).or_default().push((Quote { text: e.text.clone(), model }, i));
        }
    }
    in_theme
}

/// Up to `n` of a theme's excerpts (`sources`: indices into the study's excerpts), taken in
/// turn from the theme itself and each of its subthemes in codebook order, each in the
/// order of the excerpts' ids. The choice and its order depend on the coding and the ids
/// alone: never on a model or a person, which would tell a reader whose words they are.
fn pick_excerpts<'a>(
    study: &'a Study,
    theme: &str,
    sources: &[usize],
    ancestors: &std::collections::HashMap<&'a str, Vec<&'a str>>,
    n: usize,
) -> Vec<usize> {
    let children: Vec<&str> =
        study.codes.iter().filter(|c| c.parent.as_deref() == Some(theme)).map(|c| c.id.as_str()).collect();
    let mut queues: Vec<Vec<usize>> = vec![Vec::new(); children.len() + 1];
    for (i, &src) in sources.iter().enumerate() {
        let nodes = study.evidence_nodes(&study.excerpts[src], ancestors);
        let branch = children.iter().position(|c| nodes.contains(c)).map_or(0, |p| p + 1);
        queues[branch].push(i);
    }
    for q in &mut queues {
        q.sort_by(|&a, &b| study.excerpts[sources[a]].id.cmp(&study.excerpts[sources[b]].id));
    }
    let mut picked = Vec::new();
    let mut round = 0;
    while picked.len() < n && queues.iter().any(|q| round < q.len()) {
        for q in &queues {
            if picked.len() < n && round < q.len() {
                picked.push(q[round]);
            }
        }
        round += 1;
    }
    picked
}

fn participants_table(study: &Study, by_region: &[(String, SampleCounts)], total: &SampleCounts) -> Table {
    let mut t = Table::new(
        "participants",
        vec![
            Column::key("region", "region", false),
            Column::key("individual", "individual_interviews", true),
            Column::key("group", "group_interviews", true),
            Column::key("participants", "participants", true),
        ],
    );
    // Table 1 is the sampling table itself: its counts are printed as they are.
    for (region, (_, c)) in study.regions.iter().zip(by_region) {
        t.push(
            &region.id,
            false,
            vec![
                Cell::Text(region.name.clone()),
                Cell::Count(c.individual),
                Cell::Count(c.group),
                Cell::Count(c.participants),
            ],
        );
    }
    t.push(
        "total",
        true,
        vec![
            Cell::Key("total".into()),
            Cell::Count(total.individual),
            Cell::Count(total.group),
            Cell::Count(total.participants),
        ],
    );
    t
}

fn participants_by_model_table(
    study: &Study,
    by_model: &[(String, Cleared, Cleared)],
    _models: &BTreeMap<String, SampleCounts>,
) -> Table {
    let mut t = Table::new(
        "participants-by-model",
        vec![
            Column::key("model", "model", false),
            Column::key("units", "units", true),
            Column::key("interviews", "interviews", true),
            Column::key("participants", "participants", true),
        ],
    );
    for (m, (_, shown, interviews_shown)) in study.models.iter().zip(by_model) {
        let units = study.units.iter().filter(|u| u.model == m.id).count() as u64;
        t.push(
            &m.id,
            false,
            vec![
                Cell::Text(m.name.clone()),
                Cell::Count(units),
                Cell::Protected(*interviews_shown),
                Cell::Protected(*shown),
            ],
        );
    }
    t
}

fn evidence_columns(study: &Study) -> Vec<Column> {
    let mut cols = Vec::new();
    for m in &study.models {
        cols.push(Column::data(&format!("excerpts_{}", m.id), &m.short, Some("excerpts"), true));
        cols.push(Column::data(&format!("participants_{}", m.id), &m.short, Some("participants"), true));
    }
    cols
}

fn evidence_cells(by_model: &[Evidence]) -> Vec<Cell> {
    by_model.iter().flat_map(|e| [Cell::Protected(e.excerpts), Cell::Protected(e.participants)]).collect()
}

/// Theme and subtheme × model (NVivo's matrix coding query) with row and column totals.
fn framework_table(
    study: &Study,
    evidence: &[counting::Coded],
    row_evidence: &dyn Fn(&str) -> (Vec<Evidence>, Evidence),
    protection: &crate::privacy::Protection,
    unaudited: &Unaudited,
) -> Table {
    let mut columns = vec![Column::key("section", "section", false), Column::key("code", "code", false)];
    columns.extend(evidence_columns(study));
    columns.push(Column::key("excerpts_total", "excerpts_total", true));
    columns.push(Column::key("participants_total", "participants_total", true));
    let mut t = Table::new("framework-matrix", columns);
    // Depth-first in codebook order: each theme, then everything below it.
    fn visit(study: &Study, id: &str, depth: usize, out: &mut Vec<(String, usize)>) {
        out.push((id.to_string(), depth));
        for child in study.codes.iter().filter(|c| c.parent.as_deref() == Some(id)) {
            visit(study, &child.id, depth + 1, out);
        }
    }
    let mut order = Vec::new();
    for theme in study.themes() {
        visit(study, &theme.id, 0, &mut order);
    }
    for (id, depth) in order {
        let code = study.codes.iter().find(|c| c.id == id).expect("code from codebook");
        let (by_model, total) = row_evidence(&id);
        let mut cells = vec![Cell::Plain(code.section.clone()), Cell::Text(code.label.clone())];
        cells.extend(evidence_cells(&by_model));
        cells.push(Cell::Protected(total.excerpts));
        cells.push(Cell::Protected(total.participants));
        t.push(id, depth == 0, cells);
    }
    // Column totals: distinct excerpts and people per model over the whole codebook.
    let all = counting::grid(evidence, |c| c.model);
    let cells: Vec<(u64, u64)> =
        study.models.iter().map(|m| all.get(m.id.as_str()).copied().unwrap_or((0, 0))).collect();
    let grand = counting::total(evidence);
    let id = |m: Option<&str>, measure| CellId::framework("total", m, measure);
    let (by_model, total) = evidence_row(study, protection, unaudited, &id, &cells, grand);
    let mut row = vec![Cell::Empty, Cell::Key("total".into())];
    row.extend(evidence_cells(&by_model));
    row.push(Cell::Protected(total.excerpts));
    row.push(Cell::Protected(total.participants));
    t.push("total", true, row);
    t
}

/// Table 2: trait × model, the finding in each language and the evidence behind it.
fn model_matrix(
    study: &Study,
    evidence: &[counting::Coded],
    protection: &crate::privacy::Protection,
    unaudited: &Unaudited,
) -> Table {
    let mut columns = vec![Column::key("trait", "trait", false)];
    for m in &study.models {
        columns.push(Column::data(&format!("finding_{}", m.id), &m.short, None, false));
    }
    columns.extend(evidence_columns(study));
    let mut t = Table::new("model-matrix", columns);
    for tr in &study.traits {
        // The trait's evidence: excerpts coded to any of its codes or below them.
        let subset = evidence.iter().filter(|c| tr.codes.iter().any(|tc| tc == c.code));
        let grid = counting::grid(subset, |c| c.model);
        let cells: Vec<(u64, u64)> =
            study.models.iter().map(|m| grid.get(m.id.as_str()).copied().unwrap_or((0, 0))).collect();
        // The model matrix prints no totals: only the per-model cells are cleared.
        let by_model: Vec<Evidence> = study
            .models
            .iter()
            .zip(&cells)
            .map(|(m, c)| Evidence {
                model: Some(m.id.clone()),
                excerpts: shown(protection, CellId::model_matrix(&tr.id, &m.id, Counted::Excerpts), c.0, unaudited),
                participants: shown(protection, CellId::model_matrix(&tr.id, &m.id, Counted::People), c.1, unaudited),
            })
            .collect();
        let mut row = vec![Cell::Text(tr.label.clone())];
        for m in &study.models {
            let finding = study.model_findings.iter().find(|f| f.trait_id == tr.id && f.model == m.id);
            row.push(finding.map(|f| Cell::Text(f.finding.clone())).unwrap_or(Cell::Empty));
        }
        row.extend(evidence_cells(&by_model));
        t.push(&tr.id, false, row);
    }
    t
}

fn compilation_table(study: &Study) -> Table {
    let mut t = Table::new(
        "compilation-vs-bsb",
        vec![
            Column::key("factor", "factor", false),
            Column::key("compilation", "compilation_found", false),
            Column::key("compilation_pages", "pages_compilation", false),
            Column::key("bsb", "bsb_found", false),
            Column::key("bsb_pages", "pages_bsb", false),
        ],
    );
    for f in &study.factors {
        t.push(
            &f.id,
            false,
            vec![
                Cell::Text(f.label.clone()),
                Cell::Text(f.compilation.clone()),
                Cell::Plain(f.compilation_pages.clone()),
                Cell::Text(f.bsb.clone()),
                Cell::Plain(f.bsb_pages.clone()),
            ],
        );
    }
    t
}

fn errata_table(study: &Study, metrics: &BTreeMap<String, f64>, hidden: &dyn Fn(&str) -> bool) -> (Table, u64) {
    let mut t = Table::new(
        "errata",
        vec![
            Column::key("where", "where", false),
            Column::key("statement", "statement", false),
            Column::key("published", "published", true),
            Column::key("computed", "computed", true),
            Column::key("status", "status", false),
            Column::key("note", "note", false),
        ],
    );
    let mut differs = 0;
    for p in &study.published {
        let computed = metrics.get(&p.metric).copied();
        let status = match computed {
            // Neither the number nor whether it agrees: either would tell the hidden one.
            _ if hidden(&p.metric) => "not_compared",
            Some(v) if (v - p.value).abs() < 1e-9 => "matches",
            _ => {
                differs += 1;
                "differs"
            }
        };
        t.push(
            &p.id,
            status == "differs",
            vec![
                Cell::Text(p.location.clone()),
                Cell::Key(p.statement.clone()),
                Cell::Number(p.value, Measure::Count),
                match computed {
                    _ if status == "not_compared" => Cell::Protected(Cleared::hidden()),
                    Some(v) => Cell::Number(v, Measure::Count),
                    None => Cell::Empty,
                },
                Cell::Key(status.into()),
                Cell::Text(p.note.clone()),
            ],
        );
    }
    (t, differs)
}

fn timeline_table(study: &Study, bib: &crate::references::Bibliography) -> Table {
    let mut t = Table::new(
        "timeline",
        vec![
            Column::key("date", "date", false),
            Column::key("kind", "kind", false),
            Column::key("event", "event", false),
            Column::key("source", "source", false),
        ],
    );
    let mut events: Vec<_> = study.events.iter().collect();
    // A year alone sorts after the dated events of that year (it is known less precisely).
    events.sort_by_key(|e| (e.date.year, e.date.month.unwrap_or(13), e.date.day.unwrap_or(32), e.id.clone()));
    for e in events {
        let source = crate::references::source_words(study, bib, &e.source, &e.reference);
        t.push(
            &e.id,
            false,
            vec![
                Cell::Date(e.date),
                Cell::Key(kind_key(e.kind).into()),
                Cell::Text(e.label.clone()),
                Cell::Text(source),
            ],
        );
    }
    t
}

fn kind_key(kind: crate::study::EventKind) -> &'static str {
    match kind {
        crate::study::EventKind::Policy => "policy",
        crate::study::EventKind::Evaluation => "evaluation",
    }
}

/// Context tables: the facts and breakdowns that name the same `table` in
/// `context/facts` and `context/sets` (the study's `unn-cohort`), in file order.
fn context_tables(study: &Study, bib: &crate::references::Bibliography) -> Vec<Table> {
    let mut names: Vec<&str> = Vec::new();
    for name in study
        .facts
        .iter()
        .filter_map(|f| f.table.as_deref())
        .chain(study.sets.iter().filter_map(|s| s.table.as_deref()))
    {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let source_of = |source: &str, reference: &Text| crate::references::source_words(study, bib, source, reference);
    names
        .into_iter()
        .map(|name| {
            let mut t = Table::new(
                name,
                vec![
                    Column::key("what", "what", false),
                    Column::key("value", "value", true),
                    Column::key("source", "source", false),
                ],
            );
            for f in study.facts.iter().filter(|f| f.table.as_deref() == Some(name)) {
                t.push(
                    &f.id,
                    false,
                    vec![
                        Cell::Text(f.label.clone()),
                        Cell::Number(f.value, f.unit),
                        Cell::Text(source_of(&f.source, &f.reference)),
                    ],
                );
            }
            for set in study.sets.iter().filter(|s| s.table.as_deref() == Some(name)) {
                for part in study.shares.iter().filter(|x| x.set == set.id) {
                    let label = Text(
                        part.label.0.iter().map(|(l, v)| (l.clone(), format!("{}: {}", set.title.get(l), v))).collect(),
                    );
                    t.push(
                        format!("{}/{}", set.id, part.id),
                        false,
                        vec![
                            Cell::Text(label),
                            Cell::Number(part.value, set.unit),
                            Cell::Text(source_of(&set.source, &set.reference)),
                        ],
                    );
                }
            }
            t
        })
        .collect()
}
