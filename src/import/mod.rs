//! Bringing coded data in from QDA tools (REFI-QDA `.qdpx` projects and `.qdc` codebooks)
//! and writing the codebook out as `.qdc`. Never part of `build`.
//!
//! The flow of `import qdpx`: open the archive under caps (`archive`), parse `project.qde`
//! refusing DTDs and entity tricks (`xml`), read the project by the schema's names,
//! checking GUIDs and references (`project`), find and cut the source texts (`sources`),
//! work out the design (`design`), build the data files and the report (`convert`,
//! `qdc`, `report`), and only then write them, all at once (`write`). Every problem found
//! before writing stops the import with nothing written.

mod convert;
mod design;
mod project;
mod qdc;
mod report;
mod sources;

#[cfg(test)]
mod tests;

use std::path::Path;

use crate::archive::{Archive, Limits};
use crate::problem::{build_err, Failure, Problems, Result};
use report::{Part, Report};

/// Import a `.qdpx` project as a new data directory `into` (absent or empty).
pub fn import_qdpx(file: &Path, into: &Path, maps: &[String], langs: &[String], quiet: bool) -> Result<()> {
    let report = import_qdpx_with(file, into, maps, langs, &Limits::default())?;
    if !quiet {
        eprint!("{}", report.for_terminal());
        eprintln!("\nwrote {} (the report is {})", into.display(), into.join(REPORT_FILE).display());
    }
    Ok(())
}

/// The report's name inside the data directory.
const REPORT_FILE: &str = "import-report.md";

/// [`import_qdpx`] with explicit archive caps (tests use small ones); returns the report.
fn import_qdpx_with(file: &Path, into: &Path, maps: &[String], langs: &[String], limits: &Limits) -> Result<Report> {
    let langs = languages(langs)?;
    // Refuse a full target before any work, so the analyst hears it first.
    crate::store::check_target_dir(into)?;
    let mut archive = Archive::open(file, limits)?;
    let qde_index = find_project(&archive)?;
    let qde = format!("{}/{}", archive.label, archive.name(qde_index));
    let bytes = archive.read(qde_index)?;
    let root = crate::xml::parse(&bytes, &qde)?;
    if root.name != "Project" {
        return Err(build_err(format!(
            "{qde}: expected a REFI-QDA project (root element <Project>), found <{}>",
            root.name
        )));
    }
    let mut problems = Problems::default();
    let project = project::read_project(&root, &qde, &mut problems);
    if !problems.is_empty() {
        return Err(Failure::Data(problems.into_sorted()));
    }
    let maps = design::parse_maps(maps, &project)?;

    let mut report = Report::new(format!("Import of {}", archive.label));
    report.preamble.push(format!(
        "Project {} from {}, imported by `bsb import qdpx`. Ids are new and short (codes `C001`…, interviews \
         `I01`…, participants `P01`…, excerpts `E0001`…); the project's GUIDs are kept in the `guid` columns. \
         Check the result with `bsb check --data DIR`.",
        report::quoted(&project.name),
        if project.origin.is_empty() { "an unnamed tool".to_string() } else { format!("“{}”", project.origin) },
    ));
    report.preamble.push(
        "This report names sources and cases as the project does, and such names can identify people: keep it \
         out of anything published."
            .to_string(),
    );
    let texts = sources::load_all(&mut archive, &project, &qde, &mut problems, &mut report)?;
    if !problems.is_empty() {
        return Err(Failure::Data(problems.into_sorted()));
    }
    let settings = convert::Settings { archive: &archive.label, qde: &qde, langs: &langs, maps: &maps };
    let mut files = convert::convert(&project, &texts, &settings, &mut report)?;
    report.add(Part::Written, format!("{REPORT_FILE}: this report"));
    files.add(REPORT_FILE, report.markdown(None).into_bytes());
    crate::store::write_new_dir(into, &files)?;
    Ok(report)
}

/// `project.qde` at the root (any case); else the one `.qde` file anywhere in the archive.
fn find_project<R: std::io::Read + std::io::Seek>(archive: &Archive<R>) -> Result<usize> {
    if let Some(i) = archive.find("project.qde")? {
        return Ok(i);
    }
    let qde: Vec<&str> = archive.names().filter(|n| n.to_ascii_lowercase().ends_with(".qde")).collect();
    match qde.as_slice() {
        [one] => Ok(archive.find(one)?.expect("listed name")),
        [] => Err(build_err(format!("{}: has no project.qde; is it a REFI-QDA project (.qdpx)?", archive.label))),
        _ => {
            Err(build_err(format!("{}: has several .qde files and no project.qde: {}", archive.label, qde.join(", "))))
        }
    }
}

/// Import a `.qdc` codebook as `into/codebook.csv`; `into` may exist, its codebook may not.
pub fn import_qdc(file: &Path, into: &Path, langs: &[String], quiet: bool) -> Result<()> {
    let report = import_qdc_report(file, into, langs)?;
    if !quiet {
        eprint!("{}", report.for_terminal());
    }
    Ok(())
}

/// [`import_qdc`]'s work; returns the report.
fn import_qdc_report(file: &Path, into: &Path, langs: &[String]) -> Result<Report> {
    let (langs, from_study) = qdc_languages(into, langs)?;
    let target = codebook_target(into)?;
    let (label, bytes) = read_qdc(file)?;
    let root = crate::xml::parse(&bytes, &label)?;
    if root.name != "CodeBook" {
        return Err(build_err(format!(
            "{label}: expected a REFI-QDA codebook (root element <CodeBook>), found <{}>",
            root.name
        )));
    }
    let mut problems = Problems::default();
    let (codes, sets) = project::read_codebook(&root, &label, &mut problems);
    if !problems.is_empty() {
        return Err(Failure::Data(problems.into_sorted()));
    }
    if codes.is_empty() {
        return Err(build_err(format!("{label}: holds no codes")));
    }
    let mut report = Report::new(format!("Import of {label}"));
    report.preamble.push(if from_study {
        format!("Languages {}, from {}.", langs.join(", "), into.join("study.toml").display())
    } else {
        format!("Languages {}, from --lang (there is no study.toml in {}).", langs.join(", "), into.display())
    });
    let from_bsb = root.attr("origin").is_some_and(|o| o.starts_with(qdc::ORIGIN));
    let (codes, ids) = codes_with_ids(codes, from_bsb, &mut report);
    let csv = qdc::codebook_csv(&codes, &ids, &langs, &mut report);
    let themes = codes.iter().filter(|c| c.parent.is_none()).count();
    report.add(Part::Written, format!("{}: {} code(s), {themes} of them theme(s)", target.display(), codes.len()));
    if !sets.is_empty() {
        let names: Vec<String> = sets.iter().map(|s| report::quoted(s)).collect();
        report.add(Part::LeftOut, format!("{} set(s) of codes: {}", sets.len(), names.join(", ")));
    }
    if langs.len() > 1 {
        report
            .add(Part::ToDo, format!("translate: labels and descriptions are the same words in {}", langs.join(", ")));
    }
    std::fs::create_dir_all(into).map_err(|e| build_err(format!("{}: cannot be created: {e}", into.display())))?;
    crate::store::write_new_file(&target, &csv)?;
    Ok(report)
}

/// The codebook's languages: the study's in `into` (`--lang` may only repeat them), else
/// `--lang`; and whether they came from the study.
fn qdc_languages(into: &Path, langs: &[String]) -> Result<(Vec<String>, bool)> {
    let Some(study) = study_languages(into)? else {
        return Ok((languages(langs)?, false));
    };
    let asked = if langs.is_empty() { study.clone() } else { languages(langs)? };
    if asked != study {
        return Err(build_err(format!(
            "--lang {}: the study in {} is written in {}; the codebook takes the study's languages, so leave out \
             --lang",
            asked.join(" --lang "),
            into.display(),
            study.join(", ")
        )));
    }
    Ok((study, true))
}

/// `into/codebook.csv`, when neither it nor `into/codebook/` exists and `into` is a
/// directory or absent.
fn codebook_target(into: &Path) -> Result<std::path::PathBuf> {
    let target = into.join("codebook.csv");
    if target.exists() {
        return Err(build_err(format!("{}: already exists; refused to overwrite the codebook", target.display())));
    }
    if into.join("codebook").is_dir() {
        return Err(build_err(format!(
            "{}: already holds a codebook (codebook/*.csv); refused to add a second one",
            into.display()
        )));
    }
    if into.exists() && !into.is_dir() {
        return Err(build_err(format!("{}: exists and is not a directory", into.display())));
    }
    Ok(target)
}

/// The `.qdc` file's name (for messages) and bytes, refused when over the archive's entry
/// cap or when it is a ZIP archive.
fn read_qdc(file: &Path) -> Result<(String, Vec<u8>)> {
    let label =
        file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| file.display().to_string());
    let limit = Limits::default().max_entry_bytes;
    let size =
        std::fs::metadata(file).map_err(|e| build_err(format!("{}: cannot be read: {e}", file.display())))?.len();
    if size > limit {
        return Err(build_err(format!("{label}: is larger than {limit} bytes; refused")));
    }
    let bytes = std::fs::read(file).map_err(|e| build_err(format!("{}: cannot be read: {e}", file.display())))?;
    if bytes.starts_with(b"PK") {
        return Err(build_err(format!(
            "{label}: is a ZIP archive, not a codebook; a .qdpx project imports with `bsb import qdpx`"
        )));
    }
    Ok((label, bytes))
}

/// The codes with their ids: taken from the names when every name starts with one (noted in
/// the report, the names then losing them), else `C001`….
fn codes_with_ids(
    codes: Vec<project::QdaCode>,
    from_bsb: bool,
    report: &mut Report,
) -> (Vec<project::QdaCode>, Vec<String>) {
    let Some((ids, labels)) = qdc::ids_from_names(&codes, from_bsb) else {
        let ids = qdc::code_ids(&codes);
        return (codes, ids);
    };
    report.add(
        Part::Changed,
        format!(
            "ids taken from the codes' names: every name starts with an id ({}, as `bsb export qdc` writes them), \
             so the codes keep those ids and the rest of each name is its label",
            report::quoted(&codes[0].name)
        ),
    );
    let codes = codes.into_iter().zip(labels).map(|(c, name)| project::QdaCode { name, ..c }).collect();
    (codes, ids)
}

/// The `languages` of the study in `dir`, when `dir/study.toml` exists and names them.
fn study_languages(dir: &Path) -> Result<Option<Vec<String>>> {
    let path = dir.join("study.toml");
    if !path.is_file() {
        return Ok(None);
    }
    let text =
        std::fs::read_to_string(&path).map_err(|e| build_err(format!("{}: cannot be read: {e}", path.display())))?;
    // Read through the study file's types: only a problem with the languages matters here
    // (the study's other fields are checked when it is loaded).
    let mut problems = crate::problem::Problems::default();
    let read = crate::study::studytoml::read(&path.display().to_string(), &text, &mut problems);
    let about_languages: Vec<String> =
        problems.0.iter().filter(|p| p.field.is_empty() || p.field == "languages").map(|p| p.to_string()).collect();
    match read {
        Ok(read) if about_languages.is_empty() && !read.doc.languages.is_empty() => {
            languages(&read.doc.languages).map(Some)
        }
        Ok(read) if about_languages.is_empty() && read.doc.languages.is_empty() => Ok(None),
        _ => Err(build_err(about_languages.join("\n"))),
    }
}

/// Write the study's codebook (from `data`) as a `.qdc`, named in `lang` (default: the
/// study's first language).
pub fn export_qdc(data: &Path, out: &Path, lang: Option<&str>) -> Result<String> {
    let (study, problems) = crate::study::load(data, &crate::lang::Lang::yes_no)?;
    // Problems elsewhere in the study do not make the codebook wrong; only its own do.
    let own: Vec<_> = problems
        .into_iter()
        .filter(|p| {
            let rel = p.file.split_once('/').map(|(_, r)| r).unwrap_or(&p.file);
            rel.starts_with("codebook") || rel == "study.toml"
        })
        .collect();
    if !own.is_empty() {
        return Err(Failure::Data(own));
    }
    let langs = &study.meta.languages;
    let lang = match lang {
        Some(l) if langs.iter().any(|x| x == l) => l.to_string(),
        Some(l) => {
            return Err(build_err(format!("--lang `{l}`: the study's languages are {}", langs.join(", "))));
        }
        None => langs.first().cloned().ok_or_else(|| build_err("the study declares no language"))?,
    };
    let xml = qdc::export_xml(data, &study, &lang)?;
    crate::store::replace_file(out, xml.as_bytes())?;
    let themes = study.codes.iter().filter(|c| c.parent.is_none()).count();
    Ok(format!("wrote {} ({} codes, {themes} of them themes, named in `{lang}`)", out.display(), study.codes.len()))
}

/// The `--lang` options: default `en`, each a code of lowercase letters, no repeats.
fn languages(langs: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for l in langs {
        let l = l.trim();
        if l.is_empty() || !l.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(build_err(format!(
                "--lang `{l}`: expected a language code of lowercase letters, like `en` or `nb`"
            )));
        }
        if !out.iter().any(|x| x == l) {
            out.push(l.to_string());
        }
    }
    if out.is_empty() {
        out.push("en".into());
    }
    Ok(out)
}
