//! `bsb values`: every value a prose file may use, with what it prints for the study at
//! hand, so an author copies a name instead of guessing one.

use crate::cmd::load_and_validate;
use crate::config::Config;
use crate::lang::Lang;
use crate::pipeline;
use crate::problem::{Failure, Problem, Result};

/// Run `bsb values [--lang L]`.
pub fn run(cfg: &Config, lang: Option<&str>) -> Result<()> {
    let checked = load_and_validate(&cfg.data)?;
    let study = &checked.study;
    let code = match lang {
        Some(l) if study.meta.languages.iter().any(|x| x == l) => l.to_string(),
        Some(l) => {
            let near = crate::diagnostic::nearest(l, study.meta.languages.iter().map(String::as_str));
            let hint = near.map(|n| format!("; did you mean `{n}`?")).unwrap_or_default();
            return Err(Failure::Data(vec![Problem {
                file: "--lang".into(),
                line: None,
                field: String::new(),
                message: format!("`{l}` is not a language of this study ({}){hint}", study.meta.languages.join(", ")),
            }]));
        }
        None => study.meta.languages.first().cloned().unwrap_or_default(),
    };
    let lang = Lang::for_study(&code, study)?;
    let p = pipeline::products(study, None)?;
    let ctx = crate::render::prose_context(study, &p.analysis, &lang);
    let mut out = format!("Values prose may use in `{code}` (write `{{{{ name }}}}` in data/prose/{code}/*.typ):\n\n");
    let lines = crate::render::prose::value_lines(&ctx);
    let width = lines.iter().map(|(n, _)| n.chars().count()).max().unwrap_or(0);
    for (name, text) in &lines {
        out.push_str(&format!("  {name:<width$}  {text}\n"));
    }
    out.push_str(
        "\nFilters: {{ n.regions|words }}, {{ n.regions|count(\"region\") }}, {{ n.regions|numeral(\"region\") }},\n",
    );
    out.push_str("{{ n.regions|plural(\"region\") }}, {{ names|and_list }}, {{ text|upfirst }}; test: {% if n.models is one %}.\n");
    let nouns: Vec<&str> = lang.nouns.keys().map(String::as_str).collect();
    out.push_str(&format!("Nouns for count, numeral and plural: {}.\n", nouns.join(", ")));
    crate::cmd::print(&out);
    Ok(())
}
