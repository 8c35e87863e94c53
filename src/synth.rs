//! `bsb synth --scale N --into DIR`: a synthetic study of the same shape as a real one,
//! for benchmarks. Every region (with its units and interviews) is copied N times, so the
//! participants, interviews and excerpts grow N-fold; every subtheme gets ⌈√N⌉ copies,
//! so the codebook grows too; excerpts of each copy are spread over the subtheme copies.
//! Prose, traits, recommendations and context are kept as they are. The tables it copies
//! are read as the loader reads them and written through the study's one writer
//! ([`crate::study::rows`]), in whichever files (`<table>.csv`, `<table>/*.csv`) hold them.

use std::path::{Path, PathBuf};

use crate::problem::{build_err, Failure, IoContext, Result};
use crate::study::rows::{self, CodeRow, ExcerptRow, FromRow, InterviewRow, Record};
use crate::study::studytoml::{self, PerLang, RegionToml, UnitToml};
use crate::study::table_files;

/// Every file of `R`'s table in `dir` (`<table>.csv` and `<table>/*.csv`), each with its
/// rows read as the loader reads them.
fn read<R: FromRow>(dir: &Path, langs: &[String]) -> Result<Vec<(PathBuf, Vec<R>)>> {
    let mut out = Vec::new();
    for rel in table_files(dir, R::SCHEMA.table)? {
        let path = dir.join(&rel);
        let bytes = std::fs::read(&path).at("read", &path)?;
        let rows = rows::read(&path.display().to_string(), &bytes, langs)
            .map_err(|problems| Failure::Data(problems.into_sorted()))?;
        out.push((path, rows));
    }
    Ok(out)
}

/// Write `rows` over the file at `path` through the study's one writer.
fn write<R: Record>(path: &Path, langs: &[String], rows: &[R]) -> Result<()> {
    std::fs::write(path, rows::write(langs, rows)).at("write", path)
}

/// The id of copy `c` (copy 0 keeps the original id).
fn copy_id(id: &str, c: usize) -> String {
    if c == 0 {
        id.to_string()
    } else {
        format!("{id}-s{c}")
    }
}

/// Regions and units copied `scale` times in `study.toml` (read and written through the
/// study file's types; copy 0 keeps its ids and names).
/// Returns the study's languages.
fn copy_sample(path: &Path, scale: usize) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).at("read", path)?;
    let mut problems = crate::problem::Problems::default();
    let read = studytoml::read("study.toml", &text, &mut problems);
    let (Ok(read), true) = (read, problems.is_empty()) else {
        return Err(crate::problem::Failure::Data(problems.into_sorted()));
    };
    let mut doc = read.doc;
    let named = |name: &PerLang<String>, c: usize| {
        if c == 0 {
            name.clone()
        } else {
            PerLang(name.0.iter().map(|(l, v)| (l.clone(), format!("{v} {}", c + 1))).collect())
        }
    };
    let (regions, units) = (std::mem::take(&mut doc.region), std::mem::take(&mut doc.unit));
    doc.region = (0..scale)
        .flat_map(|c| regions.iter().map(move |r| RegionToml { id: copy_id(&r.id, c), name: named(&r.name, c) }))
        .collect();
    doc.unit = (0..scale)
        .flat_map(|c| {
            units.iter().map(move |u| UnitToml {
                id: copy_id(&u.id, c),
                region: copy_id(&u.region, c),
                name: named(&u.name, c),
                ..u.clone()
            })
        })
        .collect();
    std::fs::write(path, doc.to_toml(&[])).at("write", path)?;
    Ok(doc.languages)
}

/// Each copy's interviews, in the copied regions and units.
fn copy_interviews(dir: &Path, langs: &[String], scale: usize) -> Result<()> {
    for (path, rows) in read::<InterviewRow>(dir, langs)? {
        let copies: Vec<InterviewRow> = (0..scale)
            .flat_map(|c| {
                rows.iter().map(move |r| InterviewRow {
                    id: copy_id(&r.id, c),
                    region: copy_id(&r.region, c),
                    unit: copy_id(&r.unit, c),
                    ..r.clone()
                })
            })
            .collect();
        write(&path, langs, &copies)?;
    }
    Ok(())
}

/// The codebook with each subtheme copied `copies` times under the same theme; returns
/// the subthemes' ids.
fn copy_codebook(dir: &Path, langs: &[String], copies: usize) -> Result<Vec<String>> {
    let mut subthemes = Vec::new();
    for (path, rows) in read::<CodeRow>(dir, langs)? {
        let mut out = Vec::new();
        for r in rows {
            out.push(r.clone());
            if r.parent.is_some() {
                out.extend((1..copies).map(|c| CodeRow { id: copy_id(&r.id, c), ..r.clone() }));
                subthemes.push(r.id);
            }
        }
        write(&path, langs, &out)?;
    }
    Ok(subthemes)
}

/// The excerpts: every copy of the sample speaks again, coded to a copy of its subtheme.
fn copy_excerpts(dir: &Path, langs: &[String], scale: usize, copies: usize, subthemes: &[String]) -> Result<()> {
    for (path, rows) in read::<ExcerptRow>(dir, langs)? {
        let mut out = Vec::new();
        for c in 0..scale {
            for (n, r) in rows.iter().enumerate() {
                let which = (c + n) % copies;
                let code = |code: &String| {
                    if subthemes.contains(code) {
                        copy_id(code, which)
                    } else {
                        code.clone()
                    }
                };
                out.push(ExcerptRow {
                    id: copy_id(&r.id, c),
                    interview: copy_id(&r.interview, c),
                    participant: copy_id(&r.participant, c),
                    codes: r.codes.iter().map(code).collect(),
                    ..r.clone()
                });
            }
        }
        write(&path, langs, &out)?;
    }
    Ok(())
}

/// Write the study in `data` at `scale` times its sample into the new directory `into`.
pub fn synth(data: &Path, scale: usize, into: &Path) -> Result<()> {
    if scale == 0 {
        return Err(build_err("--scale must be at least 1"));
    }
    if into.exists() && std::fs::read_dir(into).at("list", into)?.next().is_some() {
        return Err(build_err(format!("{} exists and is not empty", into.display())));
    }
    crate::store::copy_dir(data, into)?;
    let code_copies = (scale as f64).sqrt().ceil() as usize;

    let langs = copy_sample(&into.join("study.toml"), scale)?;
    copy_interviews(into, &langs, scale)?;
    let subthemes = copy_codebook(into, &langs, code_copies)?;
    copy_excerpts(into, &langs, scale, code_copies, &subthemes)?;
    eprintln!("wrote a study at scale {scale} to {}", into.display());
    Ok(())
}
