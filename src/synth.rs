//! `bsb synth --scale N --into DIR`: a synthetic study of the same shape as a real one,
//! for benchmarks. Every region (with its units and interviews) is copied N times, so the
//! participants, interviews and excerpts grow N-fold; every subtheme gets ⌈√N⌉ copies,
//! so the codebook grows too; excerpts of each copy are spread over the subtheme copies.
//! Prose, traits, recommendations and context are kept as they are.

use std::path::Path;

use crate::problem::{build_err, IoContext, Result};
use crate::study::studytoml::{self, PerLang, RegionToml, UnitToml};

/// Read a CSV file as header + rows of strings.
fn read(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let mut r = csv::Reader::from_path(path).map_err(|e| build_err(format!("{}: {e}", path.display())))?;
    let header =
        r.headers().map_err(|e| build_err(format!("{}: {e}", path.display())))?.iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| {
            rec.map(|r| r.iter().map(str::to_string).collect())
                .map_err(|e| build_err(format!("{}: {e}", path.display())))
        })
        .collect::<Result<_>>()?;
    Ok((header, rows))
}

fn write(path: &Path, header: &[String], rows: &[Vec<String>]) -> Result<()> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_path(path)
        .map_err(|e| build_err(format!("failed to write {} ({e})", path.display())))?;
    let failed = |e: csv::Error| build_err(format!("failed to write {} ({e})", path.display()));
    w.write_record(header).map_err(failed)?;
    for r in rows {
        w.write_record(r).map_err(failed)?;
    }
    w.flush().at("write", path)?;
    Ok(())
}

fn col(header: &[String], name: &str) -> Result<usize> {
    header.iter().position(|h| h == name).ok_or_else(|| build_err(format!("synth: no column `{name}`")))
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
fn copy_sample(path: &Path, scale: usize) -> Result<()> {
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
    std::fs::write(path, doc.to_toml(&[])).at("write", path)
}

/// Each copy's interviews, in the copied regions and units.
fn copy_interviews(path: &Path, scale: usize) -> Result<()> {
    let (h, rows) = read(path)?;
    let (id, region, unit) = (col(&h, "id")?, col(&h, "region")?, col(&h, "unit")?);
    let mut out = Vec::new();
    for c in 0..scale {
        for r in &rows {
            let mut r = r.clone();
            for i in [id, region, unit] {
                r[i] = copy_id(&r[i], c);
            }
            out.push(r);
        }
    }
    write(path, &h, &out)
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

    copy_sample(&into.join("study.toml"), scale)?;

    copy_interviews(&into.join("interviews.csv"), scale)?;

    // Codebook: subthemes copied ⌈√N⌉ times under the same theme.
    let mut subthemes: Vec<String> = Vec::new();
    let codebook = into.join("codebook");
    for entry in std::fs::read_dir(&codebook).at("list", &codebook)? {
        let path = entry.at("list", &codebook)?.path();
        let (h, rows) = read(&path)?;
        let (id, parent) = (col(&h, "id")?, col(&h, "parent")?);
        let mut out = Vec::new();
        for r in &rows {
            out.push(r.clone());
            if !r[parent].is_empty() {
                subthemes.push(r[id].clone());
                for c in 1..code_copies {
                    let mut copy = r.clone();
                    copy[id] = copy_id(&r[id], c);
                    out.push(copy);
                }
            }
        }
        write(&path, &h, &out)?;
    }

    // Excerpts: every copy of the sample speaks again, coded to a copy of its subtheme.
    let excerpts = into.join("excerpts");
    for entry in std::fs::read_dir(&excerpts).at("list", &excerpts)? {
        let path = entry.at("list", &excerpts)?.path();
        let (h, rows) = read(&path)?;
        let (id, interview, participant, codes) =
            (col(&h, "id")?, col(&h, "interview")?, col(&h, "participant")?, col(&h, "codes")?);
        let mut out = Vec::new();
        for c in 0..scale {
            for (n, r) in rows.iter().enumerate() {
                let mut r = r.clone();
                for i in [id, interview, participant] {
                    r[i] = copy_id(&r[i], c);
                }
                let which = (c + n) % code_copies;
                r[codes] = r[codes]
                    .split(';')
                    .map(|code| {
                        if subthemes.iter().any(|s| s == code.trim()) {
                            copy_id(code.trim(), which)
                        } else {
                            code.trim().to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(";");
                out.push(r);
            }
        }
        write(&path, &h, &out)?;
    }
    eprintln!("wrote a study at scale {scale} to {}", into.display());
    Ok(())
}
