//! `bsb info`: what a study holds, as counts, for people and (with `--json`) for scripts.

use crate::analysis::study_counts;
use crate::cmd::load_and_validate;
use crate::config::Config;
use crate::problem::Result;

/// Run `bsb info [--json]`.
pub fn run(cfg: &Config, json: bool) -> Result<()> {
    let checked = load_and_validate(&cfg.data)?;
    let counts = study_counts(&checked.study);
    if json {
        let mut map: serde_json::Map<String, serde_json::Value> =
            counts.into_iter().map(|(k, v)| (k.key().to_string(), v.into())).collect();
        // Beside the counts, what a script needs to know before it builds: the languages,
        // the small-cell limit and what validation warned about.
        let meta = &checked.study.meta;
        map.insert("languages".into(), meta.languages.clone().into());
        map.insert("small_cell_k".into(), meta.small_cell_k.into());
        map.insert("warnings".into(), checked.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>().into());
        crate::cmd::print(&format!("{}\n", serde_json::Value::Object(map)));
    } else {
        let meta = &checked.study.meta;
        let mut text = format!(
            "{} {} (languages {}; counts under {} are hidden)\n",
            meta.slug,
            meta.version,
            meta.languages.join(", "),
            meta.small_cell_k
        );
        for (k, v) in &counts {
            text.push_str(&format!("{:>24}  {v}\n", k.key()));
        }
        for w in &checked.warnings {
            text.push_str(&format!("warning: {w}\n"));
        }
        crate::cmd::print(&text);
    }
    Ok(())
}
