//! `bsb new DIR [--lang nb --lang en] [--models N] [--regions N]`: a minimal study that
//! builds at once; the files come from `crate::scaffold`.

use std::path::Path;

use crate::config::Config;
use crate::problem::Result;
use crate::scaffold::{self, Shape};

/// `langs` with each language once, in the order first given. A language given twice is
/// a slip, not a second edition: it is dropped with a word on stderr (even with `-q`,
/// since the study then has fewer languages than the command line lists).
fn dedup(langs: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in langs {
        if out.contains(&l) {
            eprintln!("bsb new: `{l}` is given more than once with --lang; the study has it once");
        } else {
            out.push(l);
        }
    }
    out
}

/// Run `bsb new`: write the study, then build it into DIR so that `bsb check --data
/// DIR/data` passes from any directory.
pub fn run(cfg: &Config, dir: &Path, langs: Vec<String>, models: usize, regions: usize) -> Result<()> {
    let langs = if langs.is_empty() { vec!["nb".to_string(), "en".to_string()] } else { dedup(langs) };
    scaffold::new_study(dir, &Shape { langs, models, regions })?;
    let data = dir.join("data");
    let build = Config {
        data: data.clone(),
        out: dir.to_path_buf(),
        quiet: true,
        explain: false,
        emit_typst: None,
        git: None,
        ..cfg.clone()
    };
    crate::cmd::build::run(&build)?;
    cfg.say(format!(
        "wrote and built {} (its README.md says which file to edit for what); next: bsb check --data {}",
        dir.display(),
        data.display()
    ));
    Ok(())
}
