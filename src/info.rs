//! `bsb info`: what a study holds, as counts, for people and (with `--json`) for scripts.

use std::path::Path;

use crate::pipeline::load_and_validate;
use crate::problem::Result;

pub fn counts(study: &crate::study::Study) -> serde_json::Map<String, serde_json::Value> {
    let mut m = serde_json::Map::new();
    let mut put = |k: &str, v: usize| {
        m.insert(k.to_string(), v.into());
    };
    put("regions", study.regions.len());
    put("units", study.units.len());
    put("models", study.models.len());
    put("interviews", study.interviews.len());
    put("participants", study.interviews.iter().map(|i| i.participants as usize).sum());
    put("excerpts", study.excerpts.len());
    put("codes", study.codes.len());
    put("themes", study.themes().count());
    put("subthemes", study.codes.iter().filter(|c| c.parent.is_some()).count());
    put("traits", study.traits.len());
    put("factors", study.factors.len());
    put("recommendations", study.recommendations.len());
    put("recommendation_columns", study.rec_columns.len());
    put("events", study.events.len());
    put("facts", study.facts.len());
    put("notes", study.notes.len());
    m
}

pub fn info(data: &Path, json: bool) -> Result<()> {
    let checked = load_and_validate(data)?;
    let counts = counts(&checked.study);
    if json {
        println!("{}", serde_json::Value::Object(counts));
    } else {
        println!("{} {}", checked.study.meta.slug, checked.study.meta.version);
        for (k, v) in &counts {
            println!("{k:>24}  {v}");
        }
    }
    Ok(())
}
