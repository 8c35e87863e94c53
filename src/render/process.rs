//! The process report: the preliminary findings put to the dialogue conference, in each
//! language, from the same analysis as the final report (the same cleared counts, the
//! same excerpts), marked preliminary on every page. Short: per theme its evidence, a few
//! excerpts and the questions for discussion; then the model comparison and the
//! preliminary recommendations with their questions.

use std::collections::BTreeMap;

use minijinja::value::Value;

use super::{
    context, notes_once_in, table_view, theme_views, typst_environment, Provenance, Rendered, TableView, STYLE,
};
use crate::analysis::Analysis;
use crate::lang::Lang;
use crate::problem::{build_err, Result};
use crate::study::{Step, Study};

/// The process report's skeleton (minijinja over typst), compiled into the program.
pub(super) const PROCESS_TEMPLATE: &str = include_str!("../../report/templates/process.typ.j2");

/// The tables the process report prints, in its order.
const PRINTED: &[&str] = &["model-matrix", "recommendations"];

/// Excerpts the process report prints under each theme (the final report prints more).
const EXCERPTS_PER_THEME: usize = 2;

/// The questions for discussion about `about` (a theme or a recommendation column).
fn questions(study: &Study, about: &str, lang: &Lang) -> Vec<String> {
    study.discussion.iter().filter(|q| q.about == about).map(|q| q.question.get(&lang.code).to_string()).collect()
}

/// Render the process report for one language.
pub(crate) fn render_process(study: &Study, a: &Analysis, lang: &Lang, provenance: &Provenance) -> Result<Rendered> {
    let env = typst_environment(false, Some(lang));
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut origins: BTreeMap<String, String> = BTreeMap::new();
    origins.insert("style.typ".into(), "report/templates/style.typ".into());
    files.insert("style.typ".into(), STYLE.as_bytes().to_vec());
    let mut tables: BTreeMap<String, TableView> =
        a.process_tables.iter().map(|t| (t.name.to_string(), table_view(t, lang))).collect();
    // The marks `<k` and `:` are explained under the first table this report prints.
    notes_once_in(a.process_tables.iter().filter(|t| PRINTED.contains(&t.name.as_str())), &mut tables, lang);
    let themes: Vec<Value> = theme_views(study, a, lang, &BTreeMap::new(), Step::Process)
        .into_iter()
        .map(|mut t| {
            t.excerpts.truncate(EXCERPTS_PER_THEME);
            let questions = questions(study, &t.id, lang);
            minijinja::context! { view => Value::from(minijinja::value::Serde(&t)), questions => questions }
        })
        .collect();
    let recommendations: Vec<Value> = context::recommendations(study, lang, Step::Process)
        .into_iter()
        .map(|c| {
            let id = c.get_attr("id").ok().map(|v| v.to_string()).unwrap_or_default();
            minijinja::context! { column => c, questions => questions(study, &id, lang) }
        })
        .collect();
    let ctx = minijinja::context! {
        lang => lang.typst_code(),
        quotes => lang.format.quotes.clone(),
        w => lang.rendered_words(),
        meta => context::meta(study, lang),
        tables => Value::from(minijinja::value::Serde(&tables)),
        themes => themes,
        sample_text => context::sample_text(a, lang),
        excerpt_notice => study.meta.excerpt_notice.get(&lang.code).to_string(),
        recommendations => recommendations,
        provenance => Value::from(minijinja::value::Serde(&provenance)),
    };
    let main = env
        .render_str(PROCESS_TEMPLATE, ctx)
        .map_err(|e| build_err(format!("report/templates/process.typ.j2:{}: {e}", e.line().unwrap_or(0))))?;
    Ok(Rendered { main, files, origins })
}
