//! The render stage: minijinja fills the report's skeleton (`report/templates`) and the
//! study's prose with values from the analysis, producing typst sources for one language.
//!
//! Data never becomes markup. Every `{{ value }}` passes through one formatter that writes
//! a typst string literal (`#"…"`), so a participant's `#read("/etc/passwd")`, `@x`, `$`,
//! `*` or `<` prints as itself. In code position templates use the `lit` filter, which
//! writes the same literal without `#`. Nothing is ever evaluated as typst code.
//!
//! By job: [`env`] sets up the template engine; [`context`] makes the values templates
//! read; [`tables`], [`figures`] and [`themes`] make the views of what the skeleton
//! prints; [`prose`] renders the study's chapters and [`survey`] a survey's appendix; this
//! file holds the edition's entry, [`render`], in named steps.

mod context;
mod env;
mod figures;
mod process;
mod survey;
mod tables;
mod themes;

use std::collections::BTreeMap;

use minijinja::value::Value;
use serde::Serialize;

use crate::analysis::Analysis;
use crate::figures::Figure;
use crate::lang::{Lang, Word};
use crate::problem::{build_err, Result};
use crate::study::{Study, Text};

pub(crate) use context::prose_context;
use context::{context_figures, context_tables};
pub(crate) use env::typst_environment;
pub use env::{typst_string, PROSE_FUEL, SKELETON_FUEL};
use figures::{figure_size, figure_views, first_sentence, place_cited_figures};
pub(crate) use process::render_process;
use tables::{mark_rows, notes_once, notes_once_in, table_view, TableView};
use themes::theme_views;

pub(crate) mod prose;

/// The report's skeleton (minijinja over typst), compiled into the program.
pub const MAIN_TEMPLATE: &str = include_str!("../../report/templates/main.typ.j2");
/// The typst functions the skeleton uses for tables, figures and pages.
pub const STYLE: &str = include_str!("../../report/templates/style.typ");
/// The bibliography's name in the typst sources.
pub const BIBLIOGRAPHY: &str = "references.yml";
/// The reference list's style: typst's APA style, with no full stop after a title that ends
/// in its own "?" or "!" (see the file's head).
pub const REFERENCE_STYLE: &str = include_str!("../../report/templates/references.csl");
/// The reference style's name in the typst sources.
pub const REFERENCE_STYLE_FILE: &str = "references.csl";

/// The macro that prints a data table, shared by the three skeletons.
pub const DATATABLE_TEMPLATE: &str = include_str!("../../report/templates/datatable.typ.j2");
/// The templates the skeletons import, by the name they import them by.
pub(crate) const SHARED_TEMPLATES: &[(&str, &str)] = &[("datatable.typ.j2", DATATABLE_TEMPLATE)];

/// The program's own report files, for the manifest.
pub const TEMPLATE_FILES: &[(&str, &str)] = &[
    ("report/templates/main.typ.j2", MAIN_TEMPLATE),
    ("report/templates/datatable.typ.j2", DATATABLE_TEMPLATE),
    ("report/templates/style.typ", STYLE),
    ("report/templates/references.csl", REFERENCE_STYLE),
    ("report/templates/survey.typ.j2", survey::SURVEY_TEMPLATE),
    ("report/templates/process.typ.j2", process::PROCESS_TEMPLATE),
];

/// What the provenance appendix states; filled in by the build from the manifest.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
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

/// Render the study's prose and the skeleton for one language, in steps: the prose
/// chapters, the summaries in the study's other languages, the bibliography, the views of
/// figures, tables and themes, the survey's appendix, then the skeleton with all of them.
pub fn render(
    study: &Study,
    a: &Analysis,
    figures: &[Figure],
    lang: &Lang,
    provenance: &Provenance,
) -> Result<Rendered> {
    let env = typst_environment(false, Some(lang));
    let code = &lang.code;
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut origins: BTreeMap<String, String> = BTreeMap::new();
    origins.insert("style.typ".into(), "report/templates/style.typ".into());
    files.insert("style.typ".into(), STYLE.as_bytes().to_vec());

    let chapters = render_chapters(study, a, lang, &mut files, &mut origins)?;
    let other_summaries = render_other_summaries(study, a, lang, &mut files, &mut origins)?;
    // The bibliography, served from memory to typst's own bibliography with the marks its
    // style reads, and the style.
    if let Some(b) = &study.bibliography {
        let served = a.bibliography.served().unwrap_or(&b.text);
        files.insert(BIBLIOGRAPHY.into(), served.as_bytes().to_vec());
        origins.insert(BIBLIOGRAPHY.into(), b.file.clone());
        files.insert(REFERENCE_STYLE_FILE.into(), REFERENCE_STYLE.as_bytes().to_vec());
        origins.insert(REFERENCE_STYLE_FILE.into(), "report/templates/references.csl".into());
    }
    let figure_views = figure_views(figures, lang, study.meta.coding, &mut files);
    let figure_views = place_cited_figures(&mut files, &chapters, figure_views);
    let mut tables: BTreeMap<String, TableView> =
        a.tables.iter().map(|t| (t.name.to_string(), table_view(t, lang))).collect();
    notes_once(a, &mut tables, lang);
    // A trait the dialogue conference changed or dropped is marked in its row of the model
    // comparison, with the note under the table saying what it did.
    if let (Some(view), Some(t)) =
        (tables.get_mut("model-matrix"), a.tables.iter().find(|t| t.name.as_str() == "model-matrix"))
    {
        mark_rows(view, t, |id| {
            let f = study.feedback_on(id).filter(|f| f.outcome != crate::study::Outcome::Confirmed)?;
            Some(lang.mark(f.outcome))
        });
    }

    let themes = theme_views(study, a, lang, &chapters, crate::study::Step::Final);
    let errata_text = context::errata_text(study, a, lang);
    let text = |t: &Text| t.get(code).to_string();
    let edition = context::edition(study, &a.bibliography, lang);
    let survey = survey::render(study, a, figures, lang, &mut files)?;
    let ctx = minijinja::context! {
        survey => survey,
        edition => edition,
        bibliography => if study.bibliography.is_some() { Some(BIBLIOGRAPHY) } else { None },
        reference_style => REFERENCE_STYLE_FILE,
        other_summaries => other_summaries,
        lang => lang.typst_code(),
        quotes => lang.format.quotes.clone(),
        w => lang.rendered_words(),
        meta => context::meta(study, lang),
        chapters => chapters,
        tables => Value::from(minijinja::value::Serde(&tables)),
        figures => Value::from(minijinja::value::Serde(&figure_views)),
        themes => Value::from(minijinja::value::Serde(&themes)),
        sample_text => context::sample_text(a, lang),
        has_published => !study.published.is_empty(),
        context_figures => context_figures(study),
        context_tables => context_tables(study),
        recommendations => context::recommendations(study, lang, crate::study::Step::Final),
        dialogue => context::dialogue(study, lang),
        errata_text => errata_text,
        notes => study.notes.iter().map(|n| (n.id.clone(), n.topic.clone(), text(&n.text))).collect::<Vec<_>>(),
        provenance => Value::from(minijinja::value::Serde(&provenance)),
    };
    let main = env
        .render_str(MAIN_TEMPLATE, ctx)
        .map_err(|e| build_err(format!("report/templates/main.typ.j2:{}: {e}", e.line().unwrap_or(0))))?;
    Ok(Rendered { main, files, origins })
}

/// The study's prose in this language: each file is a template of its own, so an error
/// names that file and line. Returns the chapters' typst files by chapter.
fn render_chapters(
    study: &Study,
    a: &Analysis,
    lang: &Lang,
    files: &mut BTreeMap<String, Vec<u8>>,
    origins: &mut BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>> {
    let prose_env = typst_environment(true, Some(lang));
    let prose_ctx = prose_context(study, a, lang);
    let mut chapters = BTreeMap::new();
    for p in study.prose.iter().filter(|p| p.lang == lang.code) {
        let rendered = prose::render_file(&prose_env, &p.file, &p.text, &prose_ctx, lang)
            .map_err(crate::problem::Failure::Diagnostics)?;
        let path = format!("prose/{}.typ", p.chapter);
        files.insert(path.clone(), rendered.into_bytes());
        origins.insert(path.clone(), p.file.clone());
        chapters.insert(p.chapter.to_string(), path);
    }
    Ok(chapters)
}

/// The summaries in the study's other languages, each with its own language's numbers,
/// printed after this edition's summary (as the 2020 report had both).
fn render_other_summaries(
    study: &Study,
    a: &Analysis,
    lang: &Lang,
    files: &mut BTreeMap<String, Vec<u8>>,
    origins: &mut BTreeMap<String, String>,
) -> Result<Vec<Value>> {
    let mut other_summaries = Vec::new();
    for other in study.meta.languages.iter().filter(|l| **l != lang.code) {
        // A language of the study's own (data/lang/se.toml) counts with its own words.
        let Some(p) = study.prose(other, "summary") else { continue };
        let other_lang = Lang::for_study(other, study)?;
        let other_env = typst_environment(true, Some(&other_lang));
        let rendered =
            prose::render_file(&other_env, &p.file, &p.text, &prose_context(study, a, &other_lang), &other_lang)
                .map_err(crate::problem::Failure::Diagnostics)?;
        let path = format!("prose/{other}/summary.typ");
        files.insert(path.clone(), rendered.into_bytes());
        origins.insert(path.clone(), p.file.clone());
        other_summaries.push(minijinja::context! {
            lang => other,
            heading => other_lang.word(Word::SummaryInLanguage),
            quotes => other_lang.format.quotes.clone(),
            path => path,
        });
    }
    Ok(other_summaries)
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
        let env = typst_environment(true, None);
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
