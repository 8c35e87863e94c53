//! From a read project to the study's data files: `study.toml`, `interviews.csv`,
//! `codebook.csv` and `excerpts/imported.csv`, plus the report of everything that did not
//! fit.
//!
//! Each coded passage of a text source becomes one excerpt: its text cut from the source
//! (see `sources` for how offsets count), its codes from the `Coding`s of every
//! `PlainTextSelection` with that range (NVivo writes one selection per coding, so a passage
//! coded five times is five selections; overlapping but different ranges stay separate
//! excerpts), its interview from the source and its participant from the cases (see
//! `design`). Ids are short and stable (`E0001`… in document order) and the selections'
//! GUIDs are kept in a `guid` column. Selections without a coding, empty selections and codings that point at
//! a case are listed in the report and skipped. Excerpts longer than `bsb check` accepts
//! are written as they are and listed: cutting a quotation short would change what it
//! says, so the analyst shortens it (the format expects paraphrases anyway).

use std::collections::BTreeMap;

use super::design::{self, Design, Field, Mapping};
use super::project::{key, Project, Selection};
use super::qdc;
use super::report::{quoted, Part, Report};
use super::sources::Text;
use crate::problem::{Failure, Problems, Result};
use crate::store::Outputs;
use crate::study::rows::{self, ExcerptRow, InterviewRow};
use crate::study::studytoml::{ModelToml, PerLang, RegionToml, StudyToml, UnitToml};
use crate::study::{Coding, InterviewKind, Text as Texts};

/// Where the excerpts go (the loader reads every `excerpts/*.csv`).
pub(crate) const EXCERPTS_FILE: &str = "excerpts/imported.csv";
/// Placeholder for study texts a project does not hold; the report asks for them.
const TO_FILL_IN: &str = "To be filled in";

/// What the command line says about the import, beside the project itself.
pub(crate) struct Settings<'a> {
    /// The archive's file name, for the report.
    pub archive: &'a str,
    /// How `project.qde` is named in problems.
    pub qde: &'a str,
    /// Languages the study is written in (columns of the codebook and texts).
    pub langs: &'a [String],
    /// Which project variables become region, unit, interview or model.
    pub maps: &'a [Mapping],
}

/// Build every data file of the study; `texts` holds each text source's prepared text
/// (`None` for a source without text).
pub(crate) fn convert(p: &Project, texts: &[Option<Text>], s: &Settings, report: &mut Report) -> Result<Outputs> {
    let stem = s.archive.rsplit_once('.').map(|(a, _)| a).unwrap_or(s.archive);
    let project_name = if p.name.is_empty() { stem.to_string() } else { p.name.clone() };
    let design = design::build(p, &project_name, s.maps, s.qde, report)?;

    let code_ids = qdc::code_ids(&p.codes);
    let code_index: BTreeMap<String, usize> = p.codes.iter().enumerate().map(|(i, c)| (key(&c.guid), i)).collect();
    let case_index: BTreeMap<String, usize> = p.cases.iter().enumerate().map(|(i, c)| (key(&c.guid), i)).collect();

    let (excerpt_rows, long) = excerpts(p, texts, &design, &code_ids, &code_index, &case_index, s, report)?;

    let mut files = Outputs::default();
    files.add("study.toml", study_toml(p, &project_name, &design, s).into_bytes());
    files.add("interviews.csv", interviews_csv(p, &design, s.langs));
    files.add("codebook.csv", qdc::codebook_csv(&p.codes, &code_ids, s.langs, report));
    files.add(EXCERPTS_FILE, rows::write(s.langs, &excerpt_rows));

    left_out(p, &code_ids, &code_index, &design, s, report);
    summary(p, &design, excerpt_rows.len(), s, report);
    to_do(&long, s, report);
    Ok(files)
}

/// An excerpt too long for `bsb check`: its id and number of words.
type Long = (String, usize);

/// Excerpt rows, and the excerpts too long for `bsb check`.
#[allow(clippy::too_many_arguments)]
fn excerpts(
    p: &Project,
    texts: &[Option<Text>],
    d: &Design,
    code_ids: &[String],
    code_index: &BTreeMap<String, usize>,
    case_index: &BTreeMap<String, usize>,
    s: &Settings,
    report: &mut Report,
) -> Result<(Vec<ExcerptRow>, Vec<Long>)> {
    let mut problems = Problems::default();
    let total: usize = p.sources.iter().map(|x| x.selections.len()).sum();
    let width = total.to_string().len().max(4);
    let lookup = Lookup { p, code_ids, code_index, case_index, qde: s.qde };
    let mut rows = Vec::new();
    let mut long = Vec::new();
    let mut guessed = Vec::new();
    let mut merged = 0usize;
    for (si, source) in p.sources.iter().enumerate() {
        let ii = d.interview_of_source[si];
        let interview = &d.interviews[ii];
        let here = format!("in source {} ({})", quoted(&source.name), interview.id);
        let (passages, merged_here) = passages(&lookup, si, texts[si].as_ref(), &here, &mut problems, report);
        merged += merged_here;
        for x in passages {
            let keys: Vec<String> = x.selections.iter().map(|sel| key(&sel.guid)).collect();
            let participant = participant_of(p, d, si, ii, &keys, &x.what, &mut guessed);
            let id = format!("E{:0width$}", rows.len() + 1);
            let words = x.text.split(|c: char| !c.is_alphanumeric() && c != '-').filter(|w| !w.is_empty()).count();
            if words > crate::validate::MAX_EXCERPT_WORDS {
                long.push((id.clone(), words));
            }
            let guids: Vec<&str> = x.selections.iter().map(|sel| sel.guid.as_str()).collect();
            rows.push(ExcerptRow {
                id,
                interview: interview.id.clone(),
                participant,
                codes: x.codes.iter().map(|c| c.to_string()).collect(),
                text: Texts::same(s.langs, x.text),
                guid: Some(guids.join(";")),
            });
        }
    }
    note_merged(merged, report);
    if !problems.is_empty() {
        return Err(Failure::Data(problems.into_sorted()));
    }
    for g in guessed {
        report.add(Part::ToDo, g);
    }
    Ok((rows, long))
}

/// The project and its codes and cases by GUID key, as the excerpts read them.
struct Lookup<'a> {
    p: &'a Project,
    code_ids: &'a [String],
    code_index: &'a BTreeMap<String, usize>,
    case_index: &'a BTreeMap<String, usize>,
    /// How `project.qde` is named in problems.
    qde: &'a str,
}

impl<'a> Lookup<'a> {
    /// The text of selection `sel` (named `what`) cut from its source's `text`; a problem
    /// when the source has no text or the range does not fit it.
    fn cut<'t>(&self, text: Option<&'t Text>, sel: &Selection, what: &str, problems: &mut Problems) -> Option<&'t str> {
        let Some(text) = text else {
            problems.push(
                self.qde,
                Some(sel.line),
                "plainTextPath",
                format!("expected a text for {what}, but the source has none"),
            );
            return None;
        };
        let Some(cut) = text.cut(sel.start, sel.end) else {
            if sel.start <= sel.end {
                problems.push(
                    self.qde,
                    Some(sel.line),
                    "endPosition",
                    format!("{} ({what})", text.cut_problem(sel.start, sel.end)),
                );
            }
            return None;
        };
        Some(cut)
    }

    /// The ids of the codes selection `sel` (named `what`) is coded with, once each; a
    /// coding that points at a case is noted in the report.
    fn codes(&self, sel: &Selection, what: &str, report: &mut Report) -> Vec<&'a str> {
        let mut codes: Vec<&str> = Vec::new();
        for target in &sel.codings {
            if let Some(&ci) = self.code_index.get(target) {
                if !codes.contains(&self.code_ids[ci].as_str()) {
                    codes.push(&self.code_ids[ci]);
                }
            } else if let Some(&ci) = self.case_index.get(target) {
                report.add(
                    Part::LeftOut,
                    format!(
                        "{what}: a coding that points at case {} (as NVivo writes), not at a code",
                        quoted(&self.p.cases[ci].name)
                    ),
                );
            }
        }
        codes
    }
}

/// The coded passages of text source `si` (`here` names it in the report), selections
/// with the same range as one passage; and how many selections were merged so.
fn passages<'a>(
    lookup: &Lookup<'a>,
    si: usize,
    text: Option<&'a Text>,
    here: &str,
    problems: &mut Problems,
    report: &mut Report,
) -> (Vec<Passage<'a>>, usize) {
    let mut passages: Vec<Passage> = Vec::new();
    let mut index: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut merged = 0usize;
    for sel in &lookup.p.sources[si].selections {
        let what = format!("selection {} [{}–{}] {here}", quoted(&sel.name), sel.start, sel.end);
        let Some(cut) = lookup.cut(text, sel, &what, problems) else { continue };
        let codes = lookup.codes(sel, &what, report);
        if sel.start == sel.end {
            report.add(Part::LeftOut, format!("{what}: empty (no characters)"));
            continue;
        }
        if codes.is_empty() {
            let memo = if sel.has_description { " (it has only a description, as MAXQDA writes memos)" } else { "" };
            report.add(Part::LeftOut, format!("{what}: no coding{memo}"));
            continue;
        }
        // One excerpt per coded passage: NVivo writes one selection per coding, so a
        // passage coded five times arrives as five selections with the same range.
        let range = (sel.start, sel.end);
        match index.get(&range).map(|&i| &mut passages[i]) {
            Some(x) => {
                for c in codes {
                    if !x.codes.contains(&c) {
                        x.codes.push(c);
                    }
                }
                x.selections.push(sel);
                merged += 1;
            }
            None => {
                index.insert(range, passages.len());
                passages.push(Passage { text: cut, codes, selections: vec![sel], what });
            }
        }
    }
    (passages, merged)
}

/// Notes how many selections were merged into another's excerpt.
fn note_merged(merged: usize, report: &mut Report) {
    if merged > 0 {
        report.add(
            Part::Changed,
            format!(
                "{merged} selection(s) had the same source and range as another and were merged into its excerpt, \
                 which carries all their codes (one excerpt per coded passage; the `guid` column lists every \
                 selection's GUID)"
            ),
        );
    }
}

/// Selections of one source with the same range: one excerpt.
struct Passage<'a> {
    text: &'a str,
    codes: Vec<&'a str>,
    selections: Vec<&'a Selection>,
    /// How the first selection is named in the report.
    what: String,
}

/// The participant an excerpt belongs to: the case naming one of its selections, else the one
/// case covering the source, else (a group without attribution) the first of them, noted
/// for the analyst; an interview without cases has its own participant.
fn participant_of(
    p: &Project,
    d: &Design,
    si: usize,
    ii: usize,
    sels: &[String],
    what: &str,
    guessed: &mut Vec<String>,
) -> String {
    let mut named: Vec<usize> = Vec::new();
    for sel in sels {
        for &c in d.cases_of_selection.get(sel).map(Vec::as_slice).unwrap_or(&[]) {
            if !named.contains(&c) {
                named.push(c);
            }
        }
    }
    let named = named.as_slice();
    let covering = &d.cases_of_source[si];
    let (pool, how) = if !named.is_empty() { (named, "name it") } else { (covering.as_slice(), "cover the source") };
    if let Some(&ci) = pool.first() {
        if pool.len() > 1 {
            let names: Vec<String> = pool.iter().map(|&c| quoted(&p.cases[c].name)).collect();
            guessed.push(format!(
                "{what}: the cases {} all {how}; attributed to the first, {}; check who is speaking",
                names.join(", "),
                quoted(&p.cases[ci].name)
            ));
        }
        return d.participant[&(ci, ii)].clone();
    }
    let people = &d.interviews[ii].people;
    if people.len() > 1 {
        guessed.push(format!("{what}: no case covers this source; attributed to {} of the interview", people[0]));
    }
    people[0].clone()
}

/// `interviews.csv`: one interview per source (or per value of the interview variable).
fn interviews_csv(p: &Project, d: &Design, langs: &[String]) -> Vec<u8> {
    let rows: Vec<InterviewRow> = d
        .interviews
        .iter()
        .map(|iv| {
            let n = iv.people.len();
            let guids: Vec<&str> = iv.sources.iter().map(|&si| p.sources[si].guid.as_str()).collect();
            InterviewRow {
                id: iv.id.clone(),
                region: d.regions[iv.region].id.clone(),
                unit: d.units[iv.unit].id.clone(),
                kind: if n >= 2 { InterviewKind::Group } else { InterviewKind::Individual },
                participants: n.max(1) as u32,
                date: None,
                guid: Some(guids.join(";")),
            }
        })
        .collect();
    rows::write(langs, &rows)
}

/// The date of the project: modified, else created, else the epoch (the field is required).
fn project_date(p: &Project) -> String {
    [&p.modified, &p.created]
        .into_iter()
        .flatten()
        .filter_map(|d| d.get(..10))
        .find(|d| crate::study::load::parse_full_date(d).is_some())
        .unwrap_or("1970-01-01")
        .to_string()
}

/// `study.toml` of the imported study, written from the study file's types.
fn study_toml(p: &Project, name: &str, d: &Design, s: &Settings) -> String {
    let text = |value: &str| PerLang::same(&s.langs, value.to_string());
    let subtitle = if p.origin.is_empty() {
        "Imported from a REFI-QDA project".to_string()
    } else {
        format!("Imported from a REFI-QDA project ({})", p.origin)
    };
    let doc = StudyToml {
        slug: design::slug(name, "study"),
        version: "0.1.0".into(),
        date: project_date(p),
        small_cell_k: Some(3),
        languages: s.langs.to_vec(),
        coding: Some(Coding::Original),
        omit_hidden_excerpts: false,
        identifying_terms: Vec::new(),
        title: text(name),
        subtitle: text(&subtitle),
        short_title: text(name),
        commissioner: text(TO_FILL_IN),
        author: text(TO_FILL_IN),
        excerpt_notice: text(
            "The excerpts are taken from the coded interviews, and each is marked only with the model it comes from.",
        ),
        keywords: PerLang::default(),
        edition: None,
        model: d
            .models
            .iter()
            .map(|m| ModelToml {
                id: m.id.clone(),
                short: text(&m.short),
                name: text(&m.name),
                description: text(&m.description),
            })
            .collect(),
        region: d.regions.iter().map(|r| RegionToml { id: r.id.clone(), name: text(&r.name) }).collect(),
        unit: d
            .units
            .iter()
            .map(|u| UnitToml {
                id: u.id.clone(),
                region: d.regions[u.region].id.clone(),
                model: d.models[u.model].id.clone(),
                name: text(&u.name),
                places: Vec::new(),
            })
            .collect(),
        dialogue: None,
    };
    let header = format!(
        "The study, imported from `{}` by `bsb import qdpx`; see import-report.md.",
        s.archive.replace(['\n', '\r'], " ")
    );
    doc.to_toml(&[
        ("", &header),
        ("small_cell_k", "Person counts from 1 to k-1 in any table finer than the sampling table print as \"<k\"."),
        ("coding", "The excerpts are the coded passages of the project's own sources."),
        (
            "identifying_terms",
            "Names that must never appear in an excerpt (besides region and unit names): add the places,\n\
             hospitals and services a reader could tie a participant to.",
        ),
    ])
}

/// Everything in the project that has no place in the study, named.
fn left_out(
    p: &Project,
    code_ids: &[String],
    code_index: &BTreeMap<String, usize>,
    d: &Design,
    s: &Settings,
    report: &mut Report,
) {
    let codes_named = |targets: &[String]| -> String {
        targets.iter().filter_map(|t| code_index.get(t)).map(|&i| code_ids[i].as_str()).collect::<Vec<_>>().join(", ")
    };
    left_out_of_project(p, report);
    left_out_of_sources(p, d, &codes_named, report);
    left_out_of_cases(p, &codes_named, report);
    unmapped_variables(p, s.maps, report);
    for (name, n) in &p.unknown {
        report.add(Part::LeftOut, format!("element <{name}> (×{n}), which the import does not know"));
    }
}

/// The project's users, notes, sets, links, graphs, description and sources other than text.
fn left_out_of_project(p: &Project, report: &mut Report) {
    if !p.users.is_empty() {
        report.add(Part::LeftOut, format!("{} user(s) (who coded is not part of the study)", p.users.len()));
    }
    if !p.notes.is_empty() {
        let names: Vec<String> = p.notes.iter().map(|n| quoted(n)).collect();
        report.add(Part::LeftOut, format!("{} note(s) or memo(s): {}", p.notes.len(), names.join(", ")));
    }
    if !p.sets.is_empty() {
        let names: Vec<String> = p.sets.iter().map(|n| quoted(n)).collect();
        report.add(Part::LeftOut, format!("{} set(s): {}", p.sets.len(), names.join(", ")));
    }
    if p.links > 0 {
        report.add(Part::LeftOut, format!("{} link(s) between items", p.links));
    }
    if p.graphs > 0 {
        report.add(Part::LeftOut, format!("{} graph(s)", p.graphs));
    }
    if p.has_description {
        report.add(Part::LeftOut, "the project's description");
    }
    for o in &p.other_sources {
        report.add(
            Part::LeftOut,
            format!(
                "{} {} with {} selection(s): only plain-text sources become interviews",
                o.kind,
                quoted(&o.name),
                o.selections.len()
            ),
        );
    }
}

/// Text sources coded as a whole or without text, and the descriptions of sources and cases.
fn left_out_of_sources(p: &Project, d: &Design, codes_named: &dyn Fn(&[String]) -> String, report: &mut Report) {
    for (si, src) in p.sources.iter().enumerate() {
        let here = format!("source {} ({})", quoted(&src.name), d.interviews[d.interview_of_source[si]].id);
        if !src.codings.is_empty() {
            report.add(
                Part::LeftOut,
                format!(
                    "{here} is coded as a whole ({}); only coded selections become excerpts",
                    codes_named(&src.codings)
                ),
            );
        }
        if src.plain_text_path.is_none() && src.content.is_none() {
            report.add(Part::LeftOut, format!("{here} has no text; it is an interview without excerpts"));
        }
    }
    let described: Vec<String> = p
        .sources
        .iter()
        .filter(|x| x.has_description)
        .map(|x| format!("source {}", quoted(&x.name)))
        .chain(p.cases.iter().filter(|c| c.has_description).map(|c| format!("case {}", quoted(&c.name))))
        .collect();
    if !described.is_empty() {
        report.add(Part::LeftOut, format!("the descriptions of {}", described.join(", ")));
    }
}

/// Cases coded with codes (a case classification).
fn left_out_of_cases(p: &Project, codes_named: &dyn Fn(&[String]) -> String, report: &mut Report) {
    for c in &p.cases {
        if !c.codes.is_empty() {
            report.add(
                Part::LeftOut,
                format!(
                    "case {} is coded with {} (a case classification; excerpts carry codes)",
                    quoted(&c.name),
                    codes_named(&c.codes)
                ),
            );
        }
    }
}

/// The variables no `--map` names, with where they are set and how to map them.
fn unmapped_variables(p: &Project, maps: &[Mapping], report: &mut Report) {
    for v in &p.variables {
        let k = key(&v.guid);
        if maps.iter().any(|m| m.variable == v.name || m.variable.eq_ignore_ascii_case(&v.name)) {
            continue;
        }
        let on_cases = p.cases.iter().filter(|c| c.values.iter().any(|x| x.variable == k)).count();
        let on_sources = p.sources.iter().filter(|c| c.values.iter().any(|x| x.variable == k)).count();
        report.add(
            Part::LeftOut,
            format!(
                "variable {} (set on {on_cases} case(s) and {on_sources} source(s)); map it with `--map {}=region|unit|interview|model` if it names one",
                quoted(&v.name),
                v.name
            ),
        );
    }
}

fn summary(p: &Project, d: &Design, excerpts: usize, s: &Settings, report: &mut Report) {
    let groups = d.interviews.iter().filter(|i| i.people.len() >= 2).count();
    let people: usize = d.interviews.iter().map(|i| i.people.len()).sum();
    let themes = p.codes.iter().filter(|c| c.parent.is_none()).count();
    report.add(
        Part::Written,
        format!(
            "study.toml: {} model(s), {} region(s), {} unit(s); languages {}",
            d.models.len(),
            d.regions.len(),
            d.units.len(),
            s.langs.join(", ")
        ),
    );
    report.add(
        Part::Written,
        format!(
            "interviews.csv: {} interview(s) ({} individual, {groups} group) with {people} participant(s)",
            d.interviews.len(),
            d.interviews.len() - groups
        ),
    );
    report.add(Part::Written, format!("codebook.csv: {} code(s), {themes} of them theme(s)", p.codes.len()));
    report.add(Part::Written, format!("{EXCERPTS_FILE}: {excerpts} excerpt(s)"));
    for m in s.maps {
        report.add(Part::Written, format!("variable {} gives the {}", quoted(&m.variable), m.field.name()));
    }
    for field in [Field::Region, Field::Unit, Field::Model] {
        if !s.maps.iter().any(|m| m.field == field) {
            report.add(
                Part::Written,
                format!(
                    "no variable mapped to {}: one stand-in {} named after the project",
                    field.name(),
                    field.name()
                ),
            );
        }
    }
}

fn to_do(long: &[Long], s: &Settings, report: &mut Report) {
    report.add(
        Part::ToDo,
        format!("fill in `commissioner` and `author` in study.toml (they read “{TO_FILL_IN}”), and check the titles"),
    );
    if s.langs.len() > 1 {
        report.add(
            Part::ToDo,
            format!(
                "translate: every text is written with the same words in {} (study.toml titles, model, region and \
                 unit names; codebook labels and descriptions; excerpt texts)",
                s.langs.join(", ")
            ),
        );
    }
    for l in s.langs {
        if !crate::lang::FILES.iter().any(|(code, _)| code == l) {
            report.add(
                Part::ToDo,
                format!("bsb has no built-in report words for `{l}`: add data/lang/{l}.toml (the layout of report/lang/en.toml) before `bsb build`"),
            );
        }
    }
    report.add(
        Part::ToDo,
        "the excerpts are verbatim quotations; the study publishes short paraphrases that name no person or \
         place: edit them, and list place and service names in `identifying_terms`",
    );
    for (id, words) in long {
        report.add(
            Part::ToDo,
            format!(
                "excerpt {id} has {words} words; `bsb check` accepts at most {}: shorten it (it was written in full)",
                crate::validate::MAX_EXCERPT_WORDS
            ),
        );
    }
}
