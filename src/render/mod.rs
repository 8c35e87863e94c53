//! The render stage: minijinja fills the report's skeleton (`report/templates`) and the
//! study's prose with values from the analysis, producing typst sources for one language.
//!
//! Data never becomes markup. Every `{{ value }}` passes through one formatter that writes
//! a typst string literal (`#"…"`), so a participant's `#read("/etc/passwd")`, `@x`, `$`,
//! `*` or `<` prints as itself. In code position templates use the `lit` filter, which
//! writes the same literal without `#`. Nothing is ever evaluated as typst code.

mod survey;

use std::collections::BTreeMap;

use minijinja::value::Value;
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use crate::analysis::{Analysis, Cell, Table};
use crate::figures::Figure;
use crate::lang::Lang;
use crate::present::{cell_text, header_text};
use crate::problem::{build_err, Result};
use crate::study::{Study, Text};

pub(crate) mod prose;

/// The report's skeleton (minijinja over typst), compiled into the program.
pub const MAIN_TEMPLATE: &str = include_str!("../../report/templates/main.typ.j2");
/// The typst functions the skeleton uses for tables, figures and pages.
pub const STYLE: &str = include_str!("../../report/templates/style.typ");
/// The bibliography's name in the typst sources.
pub const BIBLIOGRAPHY: &str = "references.yml";

/// The program's own report files, for the manifest.
pub const TEMPLATE_FILES: &[(&str, &str)] =
    &[
    ("report/templates/main.typ.j2", MAIN_TEMPLATE),
    ("report/templates/style.typ", STYLE),
    ("report/templates/survey.typ.j2", survey::SURVEY_TEMPLATE),
];

/// A typst string literal: prints its content literally wherever it is placed.
pub fn typst_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The work one prose chapter may make the template engine do (about an instruction, or
/// 64 bytes of output, per unit): ample for text with values, short for a runaway loop.
pub const PROSE_FUEL: u64 = 1_000_000;
/// The same for the report's skeleton, which lists every table and excerpt.
pub const SKELETON_FUEL: u64 = 200_000_000;

/// `strict` for the study's prose, where an unknown name is an author's typo to report;
/// the skeleton asks for optional parts (`chapters.summary`) and tests them instead.
pub(crate) fn environment(strict: bool, lang: Option<&Lang>) -> Environment<'static> {
    let mut env = Environment::new();
    // A work limit: a runaway loop or a huge repetition in a template ends as an error
    // naming its file instead of running on (each render has its own budget).
    env.set_fuel(Some(if strict { PROSE_FUEL } else { SKELETON_FUEL }));
    if let Some(lang) = lang {
        crate::lang::install(&mut env, lang);
    }
    env.set_undefined_behavior(if strict { UndefinedBehavior::Strict } else { UndefinedBehavior::Chainable });
    env.set_formatter(|out, state, value| {
        if value.is_safe() {
            return minijinja::escape_formatter(out, state, value);
        }
        let text = if value.is_none() || value.is_undefined() { String::new() } else { value.to_string() };
        out.write_str(&format!("#{}", typst_string(&text))).map_err(minijinja::Error::from)
    });
    env.add_filter("lit", |v: Value| Value::from_safe_string(typst_string(&v.to_string())));
    env
}

/// What the provenance appendix states; filled in by the build from the manifest.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Provenance {
    /// The study's version.
    pub version: String,
    /// The date the build stamps on the documents.
    pub build_date: String,
    /// The data's git commit this edition is built from (`+changes` when uncommitted edits reach it, `-` outside git).
    pub commit: String,
    /// One hash of the inputs this edition reads.
    pub input_hash: String,
    /// The typst version that typeset the documents.
    pub typst: String,
    /// The input files, by path in the data directory.
    pub files: Vec<String>,
    /// The releases recorded so far, as `report/releases/` holds them.
    pub releases: Vec<crate::releases::HistoryEntry>,
}

#[derive(Serialize)]
struct TableView {
    name: String,
    caption: String,
    /// The caption's first sentence, for the list of tables.
    short_caption: String,
    header: Vec<String>,
    numeric: Vec<bool>,
    rows: Vec<Vec<String>>,
    emphasis: Vec<bool>,
    note: String,
    /// The label of the table whose note explains the marks, when this table's note only
    /// refers to it (empty for the first such table, which says it in full).
    note_see: String,
    /// How text columns share the width left by the others (0: a column that never
    /// wraps, such as numbers). The typesetter measures every word and chooses the form;
    /// see `datatable` in report/templates/style.typ.
    weights: Vec<u32>,
    /// Columns that belong together (the label columns, then each model's columns, then
    /// any totals), for the one-table-per-model form when the columns cannot fit.
    groups: Vec<Vec<usize>>,
}

#[derive(Serialize)]
struct FigureView {
    path: String,
    alt: String,
    caption: String,
    /// The caption's first sentence, for the list of figures.
    short_caption: String,
    /// Typst sizing made by the program: full text width, or for a tall figure a height
    /// that leaves room on the page for its caption.
    size: String,
}

/// A caption's first sentence: up to the first full stop that ends a sentence (followed
/// by a space and a capital letter), or the whole caption.
fn first_sentence(caption: &str) -> String {
    let chars: Vec<(usize, char)> = caption.char_indices().collect();
    for w in chars.windows(3) {
        if let [(i, '.'), (_, ' '), (_, next)] = w {
            if next.is_uppercase() && caption[..*i].chars().count() >= 12 {
                return caption[..=*i].to_string();
            }
        }
    }
    caption.to_string()
}

/// The text block is about 16 cm wide; a figure taller than 19 cm at that width is sized
/// by height instead, so it never runs off the page.
fn figure_size(svg: &str) -> String {
    let attr = |name: &str| -> Option<f64> {
        let start = svg.find(&format!("{name}=\""))? + name.len() + 2;
        svg[start..].split('"').next()?.parse().ok()
    };
    match (attr("width"), attr("height")) {
        (Some(w), Some(h)) if w > 0.0 && h / w * 16.0 > 19.0 => "height: 19cm".into(),
        _ => "width: 100%".into(),
    }
}

#[derive(Serialize)]
struct ExcerptView {
    text: String,
    model: String,
}

#[derive(Serialize)]
struct ThemeView {
    id: String,
    heading: String,
    prose: Option<String>,
    counts: String,
    by_model: Vec<String>,
    excerpts: Vec<ExcerptView>,
    all_excerpts: Vec<ExcerptView>,
}

/// The typst sources of one language edition, ready for the typesetter.
pub struct Rendered {
    /// The main source (`main.typ`).
    pub main: String,
    /// Every other file it reads, by virtual path.
    pub files: BTreeMap<String, Vec<u8>>,
    /// For diagnostics: each source's virtual path → the study's own file it was made
    /// from (`prose/method.typ` → `data/prose/en/method.typ`).
    pub origins: BTreeMap<String, String>,
}

/// A header in the PDF: a short model name (`Modell I`) is kept on one line above its
/// measure; a long one may wrap between words.
fn pdf_header(column: &crate::analysis::Column, lang: &Lang) -> String {
    match &column.data {
        Some(d) if d.get(&lang.code).chars().count() <= 12 => {
            let mut c = column.clone();
            let name = d.get(&lang.code).replace(' ', "\u{a0}");
            c.data = Some(Text(BTreeMap::from([(lang.code.clone(), name)])));
            header_text(&c, lang, "\n")
        }
        _ => header_text(column, lang, "\n"),
    }
}

fn table_view(t: &Table, lang: &Lang) -> TableView {
    let k = t.k;
    let caption = lang.word_for(&format!("cap_{}", t.name), t.coding);
    let has_protected = t.rows.iter().flat_map(|r| &r.cells).any(|c| matches!(c, Cell::Protected(_)));
    TableView {
        name: t.name.to_string(),
        short_caption: first_sentence(&caption),
        caption,
        header: t.columns.iter().map(|c| pdf_header(c, lang)).collect(),
        numeric: t.columns.iter().map(|c| c.numeric).collect(),
        rows: t.rows.iter().map(|r| r.cells.iter().map(|c| cell_text(c, lang, k)).collect()).collect(),
        emphasis: t.rows.iter().map(|r| r.emphasis).collect(),
        weights: column_weights(t),
        groups: column_groups(t),
        note: if has_protected {
            lang.say("suppression_note", &[("km1", k.saturating_sub(1).to_string()), ("k", k.to_string())])
        } else {
            String::new()
        },
        note_see: String::new(),
    }
}

/// Say once what `<k` and `:` mean: under the first table that has them; every later one
/// refers to that table.
fn notes_once(a: &Analysis, tables: &mut BTreeMap<String, TableView>, lang: &Lang) {
    let mut first: Option<String> = None;
    for t in &a.tables {
        let Some(view) = tables.get_mut(t.name.as_str()) else { continue };
        if view.note.is_empty() {
            continue;
        }
        match &first {
            None => first = Some(t.name.to_string()),
            Some(name) => {
                view.note = lang.word("suppression_note_again");
                view.note_see = format!("tab-{name}");
            }
        }
    }
}

fn column_weights(t: &Table) -> Vec<u32> {
    (0..t.columns.len())
        .map(|i| match t.rows.first().map(|r| &r.cells[i]) {
            _ if t.columns[i].numeric => 0,
            // Longer texts (findings, what each report found) get the most room.
            Some(Cell::Text(_)) if t.columns[i].key.is_none() || i > 0 => 2,
            Some(Cell::Text(_)) => 1,
            // Ids, dates, page references: as wide as they are.
            _ => 0,
        })
        .collect()
}

/// The label columns (those before the first model's), then per model its columns, then
/// the columns after the last model's; each group starts with the label columns. Empty
/// when the table has no model columns.
fn column_groups(t: &Table) -> Vec<Vec<usize>> {
    let first = match t.columns.iter().position(|c| c.data.is_some()) {
        Some(i) if i > 0 => i,
        _ => return Vec::new(),
    };
    let labels: Vec<usize> = (0..first).collect();
    let mut groups: Vec<(Option<&Text>, Vec<usize>)> = Vec::new();
    for (i, c) in t.columns.iter().enumerate().skip(first) {
        match groups.iter_mut().find(|(d, _)| *d == c.data.as_ref()) {
            Some((_, cols)) => cols.push(i),
            None => groups.push((c.data.as_ref(), vec![i])),
        }
    }
    groups.into_iter().map(|(_, cols)| labels.iter().copied().chain(cols).collect()).collect()
}

fn model_name(study: &Study, id: Option<&str>, lang: &Lang) -> String {
    id.and_then(|id| study.models.iter().find(|m| m.id == id))
        .map(|m| m.name.get(&lang.code).to_string())
        .unwrap_or_default()
}

/// The values prose may use: `n.*`, `model.<id>.*`, `fact.<id>`, `share[set][part]`, `published.<id>`,
/// `errata.differs`, `k`, all formatted for the language.
pub(crate) fn prose_context(study: &Study, a: &Analysis, lang: &Lang) -> Value {
    let k = a.k;
    let count = |key: &str| lang.count(a.counts.get(key).copied().unwrap_or(0));
    let n = BTreeMap::from([
        ("regions", count("regions")),
        ("units", count("units")),
        ("models", count("models")),
        ("interviews", lang.count(a.total.interviews)),
        ("individual_interviews", lang.count(a.total.individual)),
        ("group_interviews", lang.count(a.total.group)),
        ("participants", lang.count(a.total.participants)),
        ("excerpts", count("excerpts")),
        ("themes", count("themes")),
        ("subthemes", count("subthemes")),
        ("traits", count("traits")),
        ("factors", count("factors")),
        ("recommendations", count("recommendations")),
        ("events", count("events")),
        ("hidden_small", lang.count(a.privacy.small as u64)),
        ("hidden_secondary", lang.count(a.privacy.secondary as u64)),
        ("notes", count("notes")),
    ]);
    let models: BTreeMap<String, BTreeMap<&str, Value>> = a
        .by_model
        .iter()
        .map(|(id, people, interviews)| {
            (
                id.clone(),
                BTreeMap::from([
                    ("participants", lang.shown_count(people.get(), k)),
                    ("interviews", lang.shown_count(interviews.get(), k)),
                ]),
            )
        })
        .collect();
    // A whole count is a number the prose can put in words (`{{ fact.x|words }}`); every
    // other value prints with its unit.
    let facts: BTreeMap<String, Value> = study
        .facts
        .iter()
        .map(|f| {
            let value = match f.unit {
                crate::study::Measure::Count if f.value >= 0.0 && f.value.fract() == 0.0 => lang.count(f.value as u64),
                _ => Value::from(lang.measure(f.value, f.unit)),
            };
            (f.id.clone(), value)
        })
        .collect();
    // A part of a breakdown, as its set states it: `share["unn-diagnoses"]["psychosis"]`.
    let mut shares: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for set in &study.sets {
        let parts = study.shares.iter().filter(|x| x.set == set.id);
        shares.insert(set.id.clone(), parts.map(|x| (x.id.clone(), lang.measure(x.value, set.unit))).collect());
    }
    let published: BTreeMap<String, String> =
        study.published.iter().map(|p| (p.id.clone(), lang.number(p.value))).collect();
    minijinja::context! {
        n => n,
        model => models,
        fact => facts,
        share => shares,
        published => published,
        errata => minijinja::context! { differs => lang.count(a.errata_differs) },
        k => lang.count(k as u64),
    }
}

/// How much evidence stands behind a theme, in words, with each count exactly as the
/// tables and figures print it: a number, "fewer than k", or said to be hidden. A count
/// the table prints is never called hidden here, nor the other way round.
/// `largest` is the largest count of the paragraph, so that all its counts are words or
/// all numerals.
fn evidence_sentence(
    lang: &Lang,
    key: &str,
    model: Option<&str>,
    e: &crate::analysis::Evidence,
    k: u32,
    largest: u64,
) -> String {
    use crate::analysis::Shown;
    let key = match (e.excerpts.get(), e.participants.get()) {
        (Shown::Value(_), Shown::Value(_) | Shown::Small) => key.to_string(),
        (Shown::Value(_), Shown::Hidden) => format!("{key}_people_hidden"),
        (_, Shown::Value(_) | Shown::Small) => format!("{key}_excerpts_hidden"),
        (_, Shown::Hidden) => format!("{key}_hidden"),
    };
    lang.say(
        &key,
        &[
            ("model", model.unwrap_or_default().to_string()),
            ("excerpts", lang.shown_in_text(e.excerpts.get(), k)),
            ("participants", lang.shown_in_text(e.participants.get(), k)),
            ("largest", largest.to_string()),
        ],
    )
}

/// The sentence under a theme's heading. With an original coding it says how many
/// excerpts and people the theme rests on; with a reconstructed one only how many of the
/// edition's reconstructed excerpts it holds, since the people behind them are invented.
fn theme_sentence(
    lang: &Lang,
    coding: crate::study::Coding,
    e: &crate::analysis::Evidence,
    k: u32,
    largest: u64,
) -> String {
    if !coding.is_reconstructed() {
        return evidence_sentence(lang, "theme_counts", None, e, k, largest);
    }
    match e.excerpts.get() {
        crate::analysis::Shown::Value(n) => {
            lang.say("theme_counts_reconstructed", &[("excerpts", n.to_string()), ("largest", largest.to_string())])
        }
        _ => lang.say("theme_counts_hidden", &[]),
    }
}

/// Breakdown figures, in the order their sets are listed.
fn context_figures(study: &Study) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for f in study.sets.iter().filter_map(|s| s.figure.clone()) {
        if !names.iter().any(|n| f == *n) {
            names.push(f.to_string());
        }
    }
    names
}

/// Context tables (facts and breakdowns grouped by their `table`), in file order.
fn context_tables(study: &Study) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for t in study.facts.iter().filter_map(|f| f.table.clone()).chain(study.sets.iter().filter_map(|s| s.table.clone()))
    {
        if !names.iter().any(|n| t == *n) {
            names.push(t.to_string());
        }
    }
    names
}

/// A figure the prose cites (`@fig-<name>`) is set right after the paragraph that first
/// cites it, in that chapter's file, instead of where the skeleton would put it (often after
/// the next section). Returns the figures still left for the skeleton to place.
fn place_cited_figures(
    files: &mut BTreeMap<String, Vec<u8>>,
    chapters: &BTreeMap<String, String>,
    mut views: BTreeMap<String, FigureView>,
) -> BTreeMap<String, FigureView> {
    for path in chapters.values() {
        let Some(bytes) = files.get_mut(path) else { continue };
        let mut text = String::from_utf8_lossy(bytes).into_owned();
        let mut placed = false;
        for name in views.keys().cloned().collect::<Vec<_>>() {
            let label = format!("@fig-{name}");
            // The label itself, not a longer one it begins (`@fig-unn` in `@fig-unn-x`).
            let found = text
                .match_indices(&label)
                .map(|(i, _)| i)
                .find(|&i| !text[i + label.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '-' || c == '_'));
            let Some(at) = found else { continue };
            let end = text[at..].find("\n\n").map(|e| at + e).unwrap_or(text.len());
            let v = views.remove(&name).expect("a key of the map");
            let figure = format!(
                "\n\n#figure(\n  image({}, alt: {}, {}),\n  caption: flex-caption({}, {}),\n) <fig-{name}>\n",
                typst_string(&format!("/{}", v.path)),
                typst_string(&v.alt),
                v.size,
                typst_string(&v.caption),
                typst_string(&v.short_caption),
            );
            text.insert_str(end, &figure);
            placed = true;
        }
        if placed {
            // An included file sees only what it imports.
            *bytes = format!("#import \"/style.typ\": flex-caption\n{text}").into_bytes();
        }
    }
    views
}

/// Each theme as the chapter and the appendix print it: heading, prose, the sentence of
/// counts (per model only for an original coding) and its excerpts.
fn theme_views(study: &Study, a: &Analysis, lang: &Lang, chapters: &BTreeMap<String, String>) -> Vec<ThemeView> {
    let (k, code, coding) = (a.k, &lang.code, study.meta.coding);
    // The largest count shown in a theme's paragraph of counts.
    let largest = |t: &crate::analysis::ThemeEvidence| -> u64 {
        std::iter::once(&t.total)
            .chain(&t.by_model)
            .flat_map(|e| [e.excerpts.value(), e.participants.value()])
            .flatten()
            .max()
            .unwrap_or(0)
    };
    // An excerpt coded to several themes is printed under the first of them only, in the
    // chapter and in the appendix alike, so no excerpt stands more than once in either.
    let mut in_chapter: std::collections::BTreeSet<String> = Default::default();
    let mut in_appendix: std::collections::BTreeSet<String> = Default::default();
    a.themes
        .iter()
        .map(|t| {
            let theme = study.codes.iter().find(|c| c.id == t.theme).expect("theme from codebook");
            let view = |q: &crate::analysis::Quote| ExcerptView {
                text: q.text.get(code).to_string(),
                model: model_name(study, q.model.as_deref(), lang),
            };
            ThemeView {
                id: t.theme.clone(),
                heading: theme.label.get(code).to_string(),
                prose: chapters.get(&format!("theme-{}", t.theme)).cloned(),
                counts: theme_sentence(lang, coding, &t.total, k, largest(t)),
                // Who said what is invented in a reconstructed coding: no count per model.
                by_model: if coding.is_reconstructed() {
                    Vec::new()
                } else {
                    study
                        .models
                        .iter()
                        .zip(&t.by_model)
                        .map(|(m, e)| {
                            evidence_sentence(lang, "theme_counts_model", Some(m.short.get(code)), e, k, largest(t))
                        })
                        .collect()
                },
                excerpts: t
                    .picked
                    .iter()
                    .map(|&i| view(&t.excerpts[i]))
                    .filter(|e| in_chapter.insert(e.text.clone()))
                    .collect(),
                all_excerpts: t.excerpts.iter().map(view).filter(|e| in_appendix.insert(e.text.clone())).collect(),
            }
        })
        .collect()
}

/// Render the study's prose and the skeleton for one language.
pub fn render(
    study: &Study,
    a: &Analysis,
    figures: &[Figure],
    lang: &Lang,
    provenance: &Provenance,
) -> Result<Rendered> {
    let env = environment(false, Some(lang));
    let prose_env = environment(true, Some(lang));
    let code = &lang.code;
    let coding = study.meta.coding;
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut origins: BTreeMap<String, String> = BTreeMap::new();
    origins.insert("style.typ".into(), "report/templates/style.typ".into());
    files.insert("style.typ".into(), STYLE.as_bytes().to_vec());

    // Prose: each file is a template of its own, so an error names that file and line.
    let prose_ctx = prose_context(study, a, lang);
    let mut chapters = BTreeMap::new();
    for p in study.prose.iter().filter(|p| &p.lang == code) {
        let rendered = prose::render_file(&prose_env, &p.file, &p.text, &prose_ctx, lang)
            .map_err(crate::problem::Failure::Diagnostics)?;
        let path = format!("prose/{}.typ", p.chapter);
        files.insert(path.clone(), rendered.into_bytes());
        origins.insert(path.clone(), p.file.clone());
        chapters.insert(p.chapter.to_string(), path);
    }
    // The summaries in the study's other languages, each with its own language's numbers,
    // printed after this edition's summary (as the 2020 report had both).
    let mut other_summaries = Vec::new();
    for other in study.meta.languages.iter().filter(|l| *l != code) {
        // A language of the study's own (data/lang/se.toml) counts with its own words.
        let Some(p) = study.prose(other, "summary") else { continue };
        let other_lang = Lang::for_study(other, study)?;
        let other_env = environment(true, Some(&other_lang));
        let rendered = prose::render_file(&other_env, &p.file, &p.text, &prose_context(study, a, &other_lang), &other_lang)
            .map_err(crate::problem::Failure::Diagnostics)?;
        let path = format!("prose/{other}/summary.typ");
        files.insert(path.clone(), rendered.into_bytes());
        origins.insert(path.clone(), p.file.clone());
        other_summaries.push(minijinja::context! {
            lang => other,
            heading => other_lang.word("summary_in_language"),
            quotes => other_lang.format.quotes.clone(),
            path => path,
        });
    }
    // The bibliography, served from memory to typst's own bibliography.
    if let Some(b) = &study.bibliography {
        files.insert(BIBLIOGRAPHY.into(), b.text.clone().into_bytes());
        origins.insert(BIBLIOGRAPHY.into(), b.file.clone());
    }
    for f in figures.iter().filter(|f| &f.lang == code) {
        files.insert(format!("figures/{}.svg", f.name), f.svg.clone().into_bytes());
    }
    let figure_views: BTreeMap<String, FigureView> = figures
        .iter()
        .filter(|f| &f.lang == code)
        .map(|f| {
            let caption = lang.word_for(&format!("figcap_{}", f.name), coding);
            (
                f.name.to_string(),
                FigureView {
                    path: format!("figures/{}.svg", f.name),
                    alt: f.alt.clone(),
                    short_caption: first_sentence(&caption),
                    caption,
                    size: figure_size(&f.svg),
                },
            )
        })
        .collect();
    let figure_views = place_cited_figures(&mut files, &chapters, figure_views);
    let mut tables: BTreeMap<String, TableView> =
        a.tables.iter().map(|t| (t.name.to_string(), table_view(t, lang))).collect();
    notes_once(a, &mut tables, lang);

    let themes = theme_views(study, a, lang, &chapters);

    let metric = |key: &str| a.metrics.get(key).copied().unwrap_or(0.0);
    let prose_figure = |metric_key: &str| {
        study.published.iter().find(|p| p.statement == "prose" && p.metric == metric_key).map(|p| lang.number(p.value))
    };
    let errata_text = if a.errata_differs == 0 {
        lang.say("errata_text_ok", &[("n", lang.int(a.errata_total))])
    } else {
        lang.say(
            "errata_text",
            &[
                ("n", lang.int(a.errata_total)),
                ("differs", lang.int(a.errata_differs)),
                ("prose_group", prose_figure("interviews.group").unwrap_or_else(|| "–".into())),
                ("prose_individual", prose_figure("interviews.individual").unwrap_or_else(|| "–".into())),
                ("group", lang.number(metric("interviews.group"))),
                ("individual", lang.number(metric("interviews.individual"))),
            ],
        )
    };
    let date = crate::study::load::parse_partial_date(&study.meta.date).map(|d| lang.date(d)).unwrap_or_default();
    let text = |t: &Text| t.get(code).to_string();
    let bib = crate::references::Bibliography::read(study, &mut crate::problem::Problems::default());
    let edition = study.meta.edition.as_ref().map(|e| {
        let date = crate::study::load::parse_partial_date(&e.date);
        let based_on_text = bib
            .described(&e.based_on, &lang.word("cite_and"), &lang.word("cite_et_al"), &lang.word("cite_no_date"))
            .unwrap_or_default();
        minijinja::context! {
            publisher => text(&e.publisher),
            editor => text(&e.editor),
            date => date.map(|d| lang.date(d)).unwrap_or_default(),
            year => date.map(|d| d.year.to_string()).unwrap_or_default(),
            report_number => e.report_number.clone(),
            isbn => e.isbn.clone(),
            issn => e.issn.clone(),
            licence => text(&e.licence),
            // Becomes a typst label: only a key that passed the key pattern.
            based_on => if crate::references::is_key(&e.based_on) && study.bibliography.is_some() { e.based_on.clone() } else { String::new() },
            relation => text(&e.relation),
            // For the PDF's description: the work this edition is based on, in words.
            based_on_text => based_on_text,
        }
    });
    let survey = survey::render(study, a, figures, lang, &mut files)?;
    let ctx = minijinja::context! {
        survey => survey,
        edition => edition,
        bibliography => if study.bibliography.is_some() { Some(BIBLIOGRAPHY) } else { None },
        other_summaries => other_summaries,
        lang => lang.typst_code(),
        quotes => lang.format.quotes.clone(),
        w => lang.rendered_words(),
        meta => minijinja::context! {
            title => text(&study.meta.title),
            subtitle => text(&study.meta.subtitle),
            short_title => text(&study.meta.short_title),
            commissioner => text(&study.meta.commissioner),
            author => text(&study.meta.author),
            version => study.meta.version.clone(),
            date => date,
            keywords => study.meta.keywords.get(code).cloned().unwrap_or_default(),
            excerpt_notice => text(&study.meta.excerpt_notice),
        },
        chapters => chapters,
        tables => Value::from(minijinja::value::Serde(&tables)),
        figures => Value::from(minijinja::value::Serde(&figure_views)),
        themes => Value::from(minijinja::value::Serde(&themes)),
        sample_text => lang.say("sample_text", &[
            ("interviews", lang.int(a.total.interviews)),
            ("participants", lang.int(a.total.participants)),
            ("regions", lang.int(a.counts.get("regions").copied().unwrap_or(0))),
            ("individual", lang.int(a.total.individual)),
            ("group", lang.int(a.total.group)),
        ]),
        has_published => !study.published.is_empty(),
        context_figures => context_figures(study),
        context_tables => context_tables(study),
        recommendations => study.rec_columns.iter().map(|c| minijinja::context! {
            label => text(&c.label),
            items => study.recommendations.iter().filter(|r| r.column == c.id).map(|r| text(&r.text)).collect::<Vec<_>>(),
        }).collect::<Vec<_>>(),
        errata_text => errata_text,
        notes => study.notes.iter().map(|n| (n.id.clone(), n.topic.clone(), text(&n.text))).collect::<Vec<_>>(),
        provenance => Value::from(minijinja::value::Serde(&provenance)),
    };
    let main = env
        .render_str(MAIN_TEMPLATE, ctx)
        .map_err(|e| build_err(format!("report/templates/main.typ.j2:{}: {e}", e.line().unwrap_or(0))))?;
    Ok(Rendered { main, files, origins })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_escape_quotes_and_backslashes() {
        assert_eq!(typst_string(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(typst_string("line\nnext"), r#""line\nnext""#);
    }

    #[test]
    fn a_list_entry_is_the_captions_first_sentence() {
        assert_eq!(
            first_sentence("Excerpts by theme and model. An excerpt counts under its theme. Source: the data."),
            "Excerpts by theme and model."
        );
        // No sentence end (an abbreviation, a number, the end): the whole caption.
        assert_eq!(first_sentence("Use e.g. this one"), "Use e.g. this one");
        assert_eq!(first_sentence("Sample 2017–2021."), "Sample 2017–2021.");
        assert_eq!(first_sentence("Bruk av antipsykotika, 2017. Kilde: lysbildene."), "Bruk av antipsykotika, 2017.");
    }

    #[test]
    fn formatter_writes_literals_and_lit_filter_omits_the_hash() {
        let env = environment(true, None);
        let out = env
            .render_str("[{{ x }}] ({{ x|lit }})", minijinja::context! { x => "#read(\"/etc/passwd\") @y" })
            .unwrap();
        let expected = "[#\"#read(\\\"/etc/passwd\\\") @y\"] (\"#read(\\\"/etc/passwd\\\") @y\")";
        assert_eq!(out, expected);
    }

    use crate::analysis::Shown;

    #[test]
    fn shown_small_is_never_a_number_in_text() {
        let lang = Lang::load("en").unwrap();
        assert_eq!(lang.shown(Shown::Small, 3), "<3");
        assert_eq!(lang.shown_in_text(Shown::Small, 3), "fewer than 3");
    }
}
