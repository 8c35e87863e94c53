//! Loading a study from its data directory: `study.toml` first (it declares the
//! languages every text column must have), then each CSV table. Problems are collected
//! across all files; loading fails only after everything has been read.

use std::fs;
use std::path::Path;

use super::csvfile;
use super::survey::YesNoWords;
use super::*;
use crate::problem::{Failure, IoContext, Problems, Result};

/// The study file and the tables, by the name used in `data/` (`codebook` means
/// `codebook.csv` or every `codebook/*.csv`).
const STUDY_FILE: &str = "study.toml";
/// The languages the program has built in, whose words `lang` compiles in: the loader
/// checks a study's languages against them (a `lang` test keeps the two lists equal).
pub const BUILTIN_LANGUAGES: [&str; 3] = ["nb", "nn", "en"];
/// The folder of a study's data with whole language files (`lang/<code>.toml`).
pub const LANG_DIR: &str = "lang";
/// The folder of a study's data with its own words over the skeleton's (`words/<code>.toml`).
pub const WORDS_DIR: &str = "words";

/// Reads `dir` into a [`Study`] (a yes/no question without options given takes its
/// language's words from `yes_no`) and the problems found on the way (a value that cannot
/// be read is left empty, so validation can still report everything else at once). Only
/// a missing or unparsable study file stops loading.
pub fn load(dir: &Path, yes_no: YesNoWords<'_>) -> Result<(Study, Vec<crate::problem::Problem>)> {
    let mut problems = Problems::default();
    let mut study = Study::default();
    let read = read_study_file(dir, &mut study, &mut problems)?;
    // The study's own language files and words (checked by `lang`, read here with the rest).
    read_lang_files(dir, &mut study.files)?;
    unknown_languages(&study, &read.pos("languages"), &mut problems);
    super::tables::read_tables(dir, &mut study, &mut problems)?;
    study.survey = super::survey::load::load(
        dir,
        &dir_label(dir),
        &study.models,
        &study.meta.languages,
        yes_no,
        &mut study.files,
        &mut problems,
    )?;
    read_prose(dir, &mut study, &mut problems);
    read_bibliography(dir, &mut study, &mut problems);

    study.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((study, problems.into_sorted()))
}

/// `study.toml` into the study's meta, models, regions and units. Only a study file that
/// cannot be read, is too large or is not TOML stops loading.
fn read_study_file(dir: &Path, study: &mut Study, problems: &mut Problems) -> Result<studytoml::Read> {
    let file = format!("{}/{STUDY_FILE}", dir_label(dir));
    let bytes = fs::read(dir.join(STUDY_FILE)).map_err(|e| {
        Failure::Data(vec![crate::problem::Problem {
            file: file.clone(),
            line: None,
            field: String::new(),
            message: format!("cannot read the study file: {e}"),
        }])
    })?;
    study.files.push(SourceFile { path: STUDY_FILE.into(), bytes: bytes.clone() });
    let mut fatal = Problems::default();
    let source = match csvfile::normalise_at(&bytes) {
        Ok(s) if bytes.len() <= csvfile::MAX_FILE_BYTES => s,
        Ok(_) => {
            fatal.push(&file, None, "", format!("is {} bytes, more than a study file may have", bytes.len()));
            return Err(Failure::Data(fatal.into_sorted()));
        }
        Err((line, msg)) => {
            fatal.push(&file, Some(line), "", msg);
            return Err(Failure::Data(fatal.into_sorted()));
        }
    };
    let Ok(read) = studytoml::read(&file, &source, problems) else {
        return Err(Failure::Data(std::mem::take(problems).into_sorted()));
    };
    super::meta::read_meta(study, &read, problems);
    Ok(read)
}

/// How a data directory is named in messages: its last component (`data`), so messages
/// read `data/interviews.csv:5` wherever the directory lives.
pub(crate) fn dir_label(dir: &Path) -> String {
    dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| dir.display().to_string())
}

/// A language the study names that is neither built in nor in `data/lang/` is the root
/// cause of every text "missing" in it: say so once, with the nearest language there is.
fn unknown_languages(study: &Study, pos: &crate::problem::Pos, problems: &mut Problems) {
    let builtin: Vec<&str> = BUILTIN_LANGUAGES.to_vec();
    let own: Vec<String> = study
        .files
        .iter()
        .filter_map(|f| f.path.strip_prefix(&format!("{}/", LANG_DIR))?.strip_suffix(".toml").map(str::to_string))
        .collect();
    for lang in &study.meta.languages {
        let valid = !lang.is_empty() && lang.chars().all(|c| c.is_ascii_lowercase());
        if !valid || builtin.contains(&lang.as_str()) || own.contains(lang) {
            continue;
        }
        let known: Vec<&str> = builtin.iter().copied().chain(own.iter().map(String::as_str)).collect();
        let near =
            crate::diagnostic::nearest(lang, known.iter().copied()).or(if lang == "no" { Some("nb") } else { None });
        let hint = near.map(|n| format!("; did you mean `{n}`?")).unwrap_or_default();
        problems.at(
            pos,
            "languages",
            format!(
                "`{lang}` is not a language this study has: languages are {} or a file in data/{}/ (data/{}/{lang}.toml, laid out as report/lang/en.toml){hint}",
                known.join(", "),
                LANG_DIR,
                LANG_DIR
            ),
        );
    }
}

/// `prose/<lang>/<chapter>.typ`; files in a language the study does not declare are an error.
fn read_prose(dir: &Path, study: &mut Study, problems: &mut Problems) {
    let prose_dir = dir.join("prose");
    let Ok(entries) = fs::read_dir(&prose_dir) else { return };
    let mut langs: Vec<_> = entries.filter_map(|e| e.ok()).filter(|e| e.path().is_dir()).collect();
    langs.sort_by_key(|e| e.file_name());
    for lang_dir in langs {
        let lang = lang_dir.file_name().to_string_lossy().into_owned();
        let Ok(files) = fs::read_dir(lang_dir.path()) else { continue };
        let mut files: Vec<_> = files.filter_map(|e| e.ok()).collect();
        files.sort_by_key(|e| e.file_name());
        for f in files {
            let name = f.file_name().to_string_lossy().into_owned();
            let Some(chapter) = name.strip_suffix(".typ") else { continue };
            let rel = format!("prose/{lang}/{name}");
            let label = format!("{}/{}", dir_label(dir), rel);
            // The chapter's name becomes a file name in the typst world: it is an id.
            let chapter = match Id::parse(chapter) {
                Ok(id) => id,
                Err(msg) => {
                    problems.push(&label, None, "", format!("file name: {msg}"));
                    continue;
                }
            };
            if !study.meta.languages.contains(&lang) {
                problems.push(&label, None, "", format!("is in language `{lang}`, which study.toml does not declare"));
                continue;
            }
            let bytes = match fs::read(f.path()) {
                Ok(b) => b,
                Err(e) => {
                    problems.push(&label, None, "", format!("cannot be read: {e}"));
                    continue;
                }
            };
            match csvfile::normalise(&bytes) {
                Ok(text) => study.prose.push(Prose { file: label, lang: lang.clone(), chapter, text }),
                Err(msg) => problems.push(&label, None, "", msg),
            }
            study.files.push(SourceFile { path: rel, bytes });
        }
    }
}

/// `references.yml`, the study's bibliography (Hayagriva YAML), if there is one; its
/// entries are checked by `crate::references`.
fn read_bibliography(dir: &Path, study: &mut Study, problems: &mut Problems) {
    const NAME: &str = "references.yml";
    let path = dir.join(NAME);
    if !path.exists() {
        return;
    }
    let label = format!("{}/{NAME}", dir_label(dir));
    match fs::read(&path) {
        Ok(bytes) => {
            match csvfile::normalise(&bytes) {
                Ok(text) => study.bibliography = Some(Bibliography { file: label, path: NAME.into(), text }),
                Err(msg) => problems.push(&label, None, "", msg),
            }
            study.files.push(SourceFile { path: NAME.into(), bytes });
        }
        Err(e) => problems.push(&label, None, "", format!("cannot be read: {e}")),
    }
}

/// Read `lang/*.toml` and `words/*.toml` of a data directory into the study's files.
fn read_lang_files(dir: &Path, files: &mut Vec<SourceFile>) -> Result<()> {
    for sub in [LANG_DIR, WORDS_DIR] {
        let folder = dir.join(sub);
        if !folder.is_dir() {
            continue;
        }
        let mut names: Vec<String> = std::fs::read_dir(&folder)
            .at("read", &folder)?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        names.sort();
        for n in names {
            let bytes = std::fs::read(folder.join(&n)).at("read", &folder.join(&n))?;
            files.push(SourceFile { path: format!("{sub}/{n}"), bytes });
        }
    }
    Ok(())
}

/// A full ISO date (`2020-06-30`) as year, month and day; `None` for anything less precise or invalid.
pub fn parse_full_date<T: DateText + ?Sized>(s: &T) -> Option<(i32, u8, u8)> {
    let d = s.partial_date()?;
    Some((d.year, d.month?, d.day?))
}

/// What a date is read from: a text as a file writes it, or a date the loader has read
/// already (a [`Date`], which needs no reading).
pub trait DateText {
    /// The date, as precisely as given; `None` when it is not a real date.
    fn partial_date(&self) -> Option<PartialDate>;
}

impl DateText for str {
    fn partial_date(&self) -> Option<PartialDate> {
        parse_text_date(self)
    }
}

impl DateText for String {
    fn partial_date(&self) -> Option<PartialDate> {
        parse_text_date(self)
    }
}

impl DateText for Date {
    fn partial_date(&self) -> Option<PartialDate> {
        Some(self.partial())
    }
}

impl<T: DateText + ?Sized> DateText for &T {
    fn partial_date(&self) -> Option<PartialDate> {
        (**self).partial_date()
    }
}

/// A date from `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (see [`DateText`]), checked to be a real
/// calendar date.
pub fn parse_partial_date<T: DateText + ?Sized>(s: &T) -> Option<PartialDate> {
    s.partial_date()
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, checked to be a real calendar date.
fn parse_text_date(s: &str) -> Option<PartialDate> {
    let parts: Vec<&str> = s.trim().split('-').collect();
    if parts.is_empty() || parts.len() > 3 || parts[0].len() != 4 {
        return None;
    }
    let year: i32 = parts[0].parse().ok()?;
    let month: Option<u8> = match parts.get(1) {
        Some(m) if m.len() == 2 => Some(m.parse().ok().filter(|m| (1..=12).contains(m))?),
        Some(_) => return None,
        None => None,
    };
    let day: Option<u8> = match parts.get(2) {
        Some(d) if d.len() == 2 => {
            let d: u8 = d.parse().ok()?;
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            let max = match month? {
                2 if leap => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            if d == 0 || d > max {
                return None;
            }
            Some(d)
        }
        Some(_) => return None,
        None => None,
    };
    Some(PartialDate { year, month, day })
}

/// Read one prose file (`prose/<lang>/<chapter>.typ`, relative to `dir`) again into a
/// study loaded from `dir`, as [`load`] would read it, for `bsb watch`'s saves of prose:
/// its text and its bytes are replaced. Returns the bytes read, or `None` when the file
/// is not a chapter the study holds or would not load cleanly (then a full load is due).
pub(crate) fn reread_prose(dir: &Path, study: &mut Study, rel: &str) -> Option<Vec<u8>> {
    let label = format!("{}/{}", dir_label(dir), rel);
    let at = study.prose.iter().position(|p| p.file == label)?;
    let source = study.files.iter().position(|f| f.path == rel)?;
    let bytes = fs::read(dir.join(rel)).ok()?;
    let text = csvfile::normalise(&bytes).ok()?;
    study.prose[at].text = text;
    study.files[source].bytes = bytes.clone();
    Some(bytes)
}
