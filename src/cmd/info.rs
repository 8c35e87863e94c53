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
        let map: serde_json::Map<String, serde_json::Value> =
            counts.into_iter().map(|(k, v)| (k.to_string(), v.into())).collect();
        crate::cmd::print(&format!("{}\n", serde_json::Value::Object(map)));
    } else {
        let mut text = format!("{} {}\n", checked.study.meta.slug, checked.study.meta.version);
        for (k, v) in &counts {
            text.push_str(&format!("{k:>24}  {v}\n"));
        }
        crate::cmd::print(&text);
    }
    Ok(())
}
