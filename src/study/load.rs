//! Loading a study from its data directory: `study.toml` first (it declares the
//! languages every text column must have), then each CSV table. Problems are collected
//! across all files; loading fails only after everything has been read.

use std::fs;
use std::path::Path;

use super::csvfile::{self, Row};
use super::tomlfile::Section;
use super::*;
use crate::problem::{Failure, IoContext, Problems, Result};

/// The study file and the tables, by the name used in `data/` (`codebook` means
/// `codebook.csv` or every `codebook/*.csv`).
const STUDY_FILE: &str = "study.toml";
/// The folder of a study's data with whole language files (`lang/<code>.toml`).
pub const LANG_DIR: &str = "lang";
/// The folder of a study's data with its own words over the skeleton's (`words/<code>.toml`).
pub const WORDS_DIR: &str = "words";

/// Reads `dir` into a [`Study`] and the problems found on the way (a value that cannot
/// be read is left empty, so validation can still report everything else at once). Only
/// a missing or unparsable study file stops loading.
pub fn load(dir: &Path) -> Result<(Study, Vec<crate::problem::Problem>)> {
    let mut problems = Problems::default();
    let mut study = Study::default();
    let label = |rel: &str| format!("{}/{}", dir_label(dir), rel);

    let study_path = dir.join(STUDY_FILE);
    let bytes = fs::read(&study_path).map_err(|e| {
        Failure::Data(vec![crate::problem::Problem {
            file: label(STUDY_FILE),
            line: None,
            field: String::new(),
            message: format!("cannot read the study file: {e}"),
        }])
    })?;
    study.files.push(SourceFile { path: STUDY_FILE.into(), bytes: bytes.clone() });
    let file = label(STUDY_FILE);
    let source = match csvfile::normalise_at(&bytes) {
        Ok(s) if bytes.len() <= csvfile::MAX_FILE_BYTES => s,
        Ok(_) => {
            problems.push(&file, None, "", format!("is {} bytes, more than a study file may have", bytes.len()));
            return Err(Failure::Data(problems.into_sorted()));
        }
        Err((line, msg)) => {
            problems.push(&file, Some(line), "", msg);
            return Err(Failure::Data(problems.into_sorted()));
        }
    };
    let root: toml::Table = match source.parse() {
        Ok(t) => t,
        Err(e) => {
            let line = e.span().map(|s| source[..s.start].matches('\n').count() + 1);
            problems.push(&file, line, "", format!("is not valid TOML: {}", e.message()));
            return Err(Failure::Data(problems.into_sorted()));
        }
    };
    read_meta(&mut study, &file, &source, &root, &mut problems);
    // The study's own language files and words (checked by `lang`, read here with the rest).
    read_lang_files(dir, &mut study.files)?;
    unknown_languages(&study, &Section::new(&file, &source, None, &root, &[]).pos("languages"), &mut problems);
    let langs = study.meta.languages.clone();

    for table in read_tables(dir, schema::INTERVIEWS.table, &mut study.files, &mut problems)? {
        for row in rows(&table, &schema::INTERVIEWS, &mut study.unreadable, &langs, &mut problems) {
            let kind = match row.req("kind", &mut problems).as_str() {
                "individual" => InterviewKind::Individual,
                "group" => InterviewKind::Group,
                "" => InterviewKind::Individual,
                other => {
                    problems.at(&row.pos, "kind", format!("expected `individual` or `group`, found `{other}`"));
                    InterviewKind::Individual
                }
            };
            study.interviews.push(Interview {
                id: row.id("id", &mut problems),
                region: row.id("region", &mut problems),
                unit: row.id("unit", &mut problems),
                kind,
                participants: row.uint("participants", &mut problems),
                date: interview_date(&row, &mut problems),
                pos: row.pos,
            });
        }
    }
    for table in read_tables(dir, schema::CODEBOOK.table, &mut study.files, &mut problems)? {
        for row in rows(&table, &schema::CODEBOOK, &mut study.unreadable, &langs, &mut problems) {
            study.codes.push(Code {
                id: row.id("id", &mut problems),
                parent: row.opt_id("parent", &mut problems),
                section: row.opt("section").unwrap_or_default(),
                label: row.text("label", &mut problems),
                description: row.text("description", &mut problems),
                pos: row.pos,
            });
        }
    }
    for table in read_tables(dir, schema::EXCERPTS.table, &mut study.files, &mut problems)? {
        for row in rows(&table, &schema::EXCERPTS, &mut study.unreadable, &langs, &mut problems) {
            study.excerpts.push(Excerpt {
                id: row.id("id", &mut problems),
                interview: row.id("interview", &mut problems),
                participant: row.id("participant", &mut problems),
                codes: row.ids("codes", &mut problems),
                text: row.text("text", &mut problems),
                pos: row.pos,
            });
        }
    }
    for table in read_tables(dir, schema::TRAITS.table, &mut study.files, &mut problems)? {
        for row in rows(&table, &schema::TRAITS, &mut study.unreadable, &langs, &mut problems) {
            study.traits.push(Trait {
                id: row.id("id", &mut problems),
                label: row.text("label", &mut problems),
                codes: row.ids("codes", &mut problems),
                pos: row.pos,
            });
        }
    }
    for table in read_tables(dir, schema::MODEL_FINDINGS.table, &mut study.files, &mut problems)? {
        for row in rows(&table, &schema::MODEL_FINDINGS, &mut study.unreadable, &langs, &mut problems) {
            study.model_findings.push(ModelFinding {
                trait_id: row.id("trait", &mut problems),
                model: row.id("model", &mut problems),
                finding: row.text("finding", &mut problems),
                pos: row.pos,
            });
        }
    }
    for table in read_tables(dir, schema::FACTORS.table, &mut study.files, &mut problems)? {
        for row in rows(&table, &schema::FACTORS, &mut study.unreadable, &langs, &mut problems) {
            study.factors.push(Factor {
                id: row.id("id", &mut problems),
                label: row.text("label", &mut problems),
                compilation: row.text("compilation", &mut problems),
                compilation_pages: row.opt("compilation_pages").unwrap_or_default(),
                bsb: row.text("bsb", &mut problems),
                bsb_pages: row.opt("bsb_pages").unwrap_or_default(),
                pos: row.pos,
            });
        }
    }
    for table in read_tables(dir, schema::RECOMMENDATION_COLUMNS.table, &mut study.files, &mut problems)? {
        for row in rows(&table, &schema::RECOMMENDATION_COLUMNS, &mut study.unreadable, &langs, &mut problems) {
            study.rec_columns.push(RecColumn {
                id: row.id("id", &mut problems),
                label: row.text("label", &mut problems),
                pos: row.pos,
            });
        }
    }
    for table in read_tables(dir, schema::RECOMMENDATIONS.table, &mut study.files, &mut problems)? {
        for row in rows(&table, &schema::RECOMMENDATIONS, &mut study.unreadable, &langs, &mut problems) {
            study.recommendations.push(Recommendation {
                id: row.id("id", &mut problems),
                column: row.id("column", &mut problems),
                text: row.text("text", &mut problems),
                rests_on: row.ids("rests_on", &mut problems),
                pos: row.pos,
            });
        }
    }
    for table in read_tables(dir, schema::TIMELINE.table, &mut study.files, &mut problems)? {
        for row in rows(&table, &schema::TIMELINE, &mut study.unreadable, &langs, &mut problems) {
            let raw_date = row.req("date", &mut problems);
            let date = parse_partial_date(&raw_date).unwrap_or_else(|| {
                if !raw_date.is_empty() {
                    problems.at(
                        &row.pos,
                        "date",
                        format!("expected a real date as YYYY, YYYY-MM or YYYY-MM-DD, found `{raw_date}`"),
                    );
                }
                PartialDate { year: 0, month: None, day: None }
            });
            let kind = match row.req("kind", &mut problems).as_str() {
                "evaluation" => EventKind::Evaluation,
                "policy" | "" => EventKind::Policy,
                other => {
                    problems.at(&row.pos, "kind", format!("expected `policy` or `evaluation`, found `{other}`"));
                    EventKind::Policy
                }
            };
            study.events.push(Event {
                id: row.id("id", &mut problems),
                date,
                kind,
                label: row.text("label", &mut problems),
                source: row.id("source", &mut problems),
                reference: row.opt_text("ref"),
                pos: row.pos,
            });
        }
    }
    for table in read_tables(dir, schema::FACTS.table, &mut study.files, &mut problems)? {
        for row in rows(&table, &schema::FACTS, &mut study.unreadable, &langs, &mut problems) {
            let date = row.opt("date").unwrap_or_default();
            if !date.is_empty() && parse_partial_date(&date).is_none() {
                problems.at(
                    &row.pos,
                    "date",
                    format!("expected a real date as YYYY, YYYY-MM or YYYY-MM-DD, found `{date}`"),
                );
            }
            study.facts.push(Fact {
                id: row.id("id", &mut problems),
                value: row.number("value", &mut problems),
                unit: row.measure("unit", &mut problems),
                table: row.opt_name("table", &mut problems),
                date,
                source: row.id("source", &mut problems),
                reference: row.opt_text("ref"),
                label: row.text("label", &mut problems),
                pos: row.pos,
            });
        }
    }
    for table in read_tables(dir, schema::SETS.table, &mut study.files, &mut problems)? {
        for row in rows(&table, &schema::SETS, &mut study.unreadable, &langs, &mut problems) {
            study.sets.push(ShareSet {
                id: row.id("id", &mut problems),
                unit: row.measure("unit", &mut problems),
                total_fact: row.opt_id("total_fact", &mut problems),
                source: row.id("source", &mut problems),
                reference: row.opt_text("ref"),
                title: row.text("title", &mut problems),
                figure: row.opt_name("figure", &mut problems),
                table: row.opt_name("table", &mut problems),
                pos: row.pos,
            });
        }
    }
    for table in read_tables(dir, schema::SHARES.table, &mut study.files, &mut problems)? {
        for row in rows(&table, &schema::SHARES, &mut study.unreadable, &langs, &mut problems) {
            study.shares.push(Share {
                set: row.id("set", &mut problems),
                id: row.id("id", &mut problems),
                value: row.number("value", &mut problems),
                label: row.text("label", &mut problems),
                pos: row.pos,
            });
        }
    }
    for table in read_tables(dir, schema::PUBLISHED.table, &mut study.files, &mut problems)? {
        for row in rows(&table, &schema::PUBLISHED, &mut study.unreadable, &langs, &mut problems) {
            study.published.push(Published {
                id: row.id("id", &mut problems),
                location: row.text("where", &mut problems),
                statement: row.req("statement", &mut problems),
                metric: row.id("metric", &mut problems),
                value: row.number("value", &mut problems),
                note: row.text("note", &mut problems),
                pos: row.pos,
            });
        }
    }
    for table in read_tables(dir, schema::NOTES.table, &mut study.files, &mut problems)? {
        for row in rows(&table, &schema::NOTES, &mut study.unreadable, &langs, &mut problems) {
            study.notes.push(Note {
                id: row.id("id", &mut problems),
                topic: row.id("topic", &mut problems),
                text: row.text("text", &mut problems),
                pos: row.pos,
            });
        }
    }
    read_dialogue(dir, &mut study, &langs, &mut problems)?;
    study.survey =
        crate::survey::load::load(dir, &dir_label(dir), &study.models, &langs, &mut study.files, &mut problems)?;
    read_prose(dir, &mut study, &mut problems);
    read_bibliography(dir, &mut study, &mut problems);

    study.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((study, problems.into_sorted()))
}

/// How a data directory is named in messages: its last component (`data`), so messages
/// read `data/interviews.csv:5` wherever the directory lives.
fn dir_label(dir: &Path) -> String {
    dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| dir.display().to_string())
}

/// A language the study names that is neither built in nor in `data/lang/` is the root
/// cause of every text "missing" in it: say so once, with the nearest language there is.
fn unknown_languages(study: &Study, pos: &crate::problem::Pos, problems: &mut Problems) {
    let builtin: Vec<&str> = crate::lang::FILES.iter().map(|(c, _)| *c).collect();
    let own: Vec<String> = study
        .files
        .iter()
        .filter_map(|f| {
            f.path.strip_prefix(&format!("{}/", crate::lang::LANG_DIR))?.strip_suffix(".toml").map(str::to_string)
        })
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
                crate::lang::LANG_DIR,
                crate::lang::LANG_DIR
            ),
        );
    }
}

fn read_meta(study: &mut Study, file: &str, source: &str, root: &toml::Table, problems: &mut Problems) {
    let langs: Vec<String> = Section::new(file, source, None, root, &[]).strings("languages", problems);
    let meta_section = Section::new(file, source, None, root, &langs);
    if langs.is_empty() {
        problems.at(
            &meta_section.pos("languages"),
            "languages",
            "expected a list of language codes like [\"nb\", \"en\"], found none",
        );
    }
    for lang in &langs {
        if lang.is_empty() || !lang.chars().all(|c| c.is_ascii_lowercase()) {
            let near = crate::diagnostic::nearest(lang, crate::lang::FILES.iter().map(|(c, _)| *c))
                .or_else(|| crate::lang::FILES.iter().map(|(c, _)| *c).find(|c| lang.to_lowercase().starts_with(c)));
            let hint = near.map(|n| format!("; did you mean `{n}`?")).unwrap_or_default();
            problems.at(
                &meta_section.pos("languages"),
                "languages",
                format!("`{lang}` is not a language code: a code is a few lower-case letters, like `nb`{hint}"),
            );
        }
    }
    let s = &meta_section;
    let k = match root.get("small_cell_k") {
        Some(toml::Value::Integer(k)) if *k >= 1 => *k as u32,
        None => 3,
        Some(other) => {
            problems.at(
                &s.pos("small_cell_k"),
                "small_cell_k",
                format!("expected a whole number of at least 1, found `{other:?}`"),
            );
            3
        }
    };
    let date = s.string("date", problems);
    if !date.is_empty() && parse_full_date(&date).is_none() {
        problems.at(&s.pos("date"), "date", format!("expected a real date as YYYY-MM-DD, found `{date}`"));
    }
    // The slug names the PDF: it is an id.
    let slug = s.id("slug", problems);
    let version = s.string("version", problems);
    if !version.chars().all(|c| c.is_ascii_alphanumeric() || ".-_+".contains(c)) {
        problems.at(
            &s.pos("version"),
            "version",
            format!("expected a version like 1.0.0 (it names the PDF), found `{version}`"),
        );
    }
    let mut keywords = std::collections::BTreeMap::new();
    for lang in &langs {
        keywords.insert(lang.clone(), s.strings(&format!("keywords_{lang}"), problems));
    }
    study.meta = Meta {
        slug,
        version,
        date,
        small_cell_k: k,
        title: s.text("title", problems),
        subtitle: s.text("subtitle", problems),
        short_title: s.text("short_title", problems),
        commissioner: s.text("commissioner", problems),
        author: s.text("author", problems),
        excerpt_notice: s.text("excerpt_notice", problems),
        keywords,
        identifying_terms: s.strings("identifying_terms", problems),
        omit_hidden_excerpts: match {
            s.mark("omit_hidden_excerpts");
            s.table.get("omit_hidden_excerpts")
        } {
            None => false,
            Some(toml::Value::Boolean(b)) => *b,
            Some(other) => {
                problems.at(
                    &s.pos("omit_hidden_excerpts"),
                    "omit_hidden_excerpts",
                    format!("expected true or false, found {}", other.type_str()),
                );
                false
            }
        },
        coding: read_coding(s, problems),
        languages: langs.clone(),
        edition: read_edition(file, source, root, &langs, problems),
    };
    study.dialogue = super::dialogue::read_meta(file, source, root, &langs, problems);

    let array = |name: &str| -> Vec<toml::Table> {
        root.get(name)
            .and_then(toml::Value::as_array)
            .map(|a| a.iter().filter_map(|v| v.as_table().cloned()).collect())
            .unwrap_or_default()
    };
    for (i, t) in array("model").iter().enumerate() {
        let s = Section::new(file, source, Some(("model", i)), t, &langs);
        study.models.push(Model {
            pos: s.pos("id"),
            id: s.id("id", problems).into(),
            short: s.text("short", problems),
            name: s.text("name", problems),
            description: s.text("description", problems),
        });
        s.unknown_keys(problems);
    }
    for (i, t) in array("region").iter().enumerate() {
        let s = Section::new(file, source, Some(("region", i)), t, &langs);
        study.regions.push(Region {
            pos: s.pos("id"),
            id: s.id("id", problems).into(),
            name: s.text("name", problems),
        });
        s.unknown_keys(problems);
    }
    for (i, t) in array("unit").iter().enumerate() {
        let s = Section::new(file, source, Some(("unit", i)), t, &langs);
        study.units.push(Unit {
            pos: s.pos("id"),
            id: s.id("id", problems).into(),
            region: s.id("region", problems).into(),
            model: s.id("model", problems).into(),
            name: s.text("name", problems),
            places: s.strings("places", problems),
        });
        s.unknown_keys(problems);
    }
    for key in ["languages", "small_cell_k", "model", "region", "unit", "edition", "dialogue"] {
        meta_section.mark(key);
    }
    meta_section.unknown_keys(problems);
    for (name, what) in [("model", &study.models.len()), ("region", &study.regions.len()), ("unit", &study.units.len())]
    {
        if *what == 0 {
            problems.push(file, None, name, format!("expected at least one [[{name}]] table, found none"));
        }
    }
}

/// One table's files: `name.csv`, or every `name/*.csv` in file-name order. A missing
/// optional table is simply empty; `interviews` is required.
fn read_tables(
    dir: &Path,
    name: &str,
    files: &mut Vec<SourceFile>,
    problems: &mut Problems,
) -> Result<Vec<(String, Vec<u8>)>> {
    let single = dir.join(format!("{name}.csv"));
    let folder = dir.join(name);
    let mut paths = Vec::new();
    if single.is_file() {
        paths.push(format!("{name}.csv"));
    }
    if folder.is_dir() {
        let mut inside: Vec<String> = fs::read_dir(&folder)
            .at("list", &folder)?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".csv"))
            .map(|n| format!("{name}/{n}"))
            .collect();
        inside.sort();
        paths.extend(inside);
    }
    if paths.is_empty() && name == "interviews" {
        problems.push(
            format!("{}/interviews.csv", dir_label(dir)),
            None,
            "",
            "expected the interview register, found no file",
        );
    }
    let mut out = Vec::new();
    for rel in paths {
        let bytes = fs::read(dir.join(&rel)).at("read", &dir.join(&rel))?;
        files.push(SourceFile { path: rel.clone(), bytes: bytes.clone() });
        out.push((format!("{}/{}", dir_label(dir), rel), bytes));
    }
    Ok(out)
}

/// The rows of one file of table `name`; a file that cannot be read as a whole is noted in
/// `unreadable`, so that references into its table are summarised instead of each reported.
fn rows<'a>(
    (file, bytes): &(String, Vec<u8>),
    schema: &schema::Schema,
    unreadable: &mut Vec<Unreadable>,
    langs: &'a [String],
    problems: &mut Problems,
) -> Vec<Row<'a>> {
    let parsed = csvfile::parse(file, bytes, langs, &schema.required(), &schema.texts(), problems);
    if !parsed.readable {
        unreadable.push(Unreadable { table: schema.table.to_string(), file: file.clone() });
    }
    parsed.rows
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

/// The questions for the dialogue conference (`discussion.csv`) and its feedback
/// (`dialogue.csv`, which needs the `[dialogue]` table already read from `study.toml`).
fn read_dialogue(dir: &Path, study: &mut Study, langs: &[String], problems: &mut Problems) -> Result<()> {
    for table in read_tables(dir, schema::DISCUSSION.table, &mut study.files, problems)? {
        for row in rows(&table, &schema::DISCUSSION, &mut study.unreadable, langs, problems) {
            study.discussion.push(super::dialogue::question_row(&row, problems));
        }
    }
    for table in read_tables(dir, schema::DIALOGUE.table, &mut study.files, problems)? {
        let parsed = rows(&table, &schema::DIALOGUE, &mut study.unreadable, langs, problems);
        let feedback: Vec<Feedback> = parsed.iter().map(|row| super::dialogue::feedback_row(row, problems)).collect();
        match study.dialogue.as_mut() {
            Some(d) => d.feedback.extend(feedback),
            None => problems.push(
                &table.0,
                None,
                "",
                "records the dialogue conference's feedback, but study.toml has no `[dialogue]` table with its date and participants",
            ),
        }
    }
    Ok(())
}

/// An interview's optional `date`: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
fn interview_date(row: &Row, problems: &mut Problems) -> Option<PartialDate> {
    let raw = row.opt("date")?;
    let date = parse_partial_date(&raw);
    if date.is_none() {
        problems.at(&row.pos, "date", format!("expected a real date as YYYY, YYYY-MM or YYYY-MM-DD, found `{raw}`"));
    }
    date
}

/// `coding = "original" | "reconstructed"`; absent means original, as for any study
/// whose excerpts were coded from its own interviews.
fn read_coding(s: &Section, problems: &mut Problems) -> crate::study::Coding {
    use crate::study::Coding;
    match s.opt_string("coding", problems).as_deref() {
        None | Some("original") => Coding::Original,
        Some("reconstructed") => Coding::Reconstructed,
        Some(other) => {
            problems.at(
                &s.pos("coding"),
                "coding",
                format!("expected \"original\" (coded from the interviews) or \"reconstructed\" (written afterwards from a published report), found `{other}`"),
            );
            Coding::Original
        }
    }
}

/// The `[edition]` table of `study.toml`, if present: every field but the ISBN and ISSN
/// is required.
fn read_edition(
    file: &str,
    source: &str,
    root: &toml::Table,
    langs: &[String],
    problems: &mut Problems,
) -> Option<Edition> {
    let table = match root.get("edition") {
        None => return None,
        Some(toml::Value::Table(t)) => t,
        Some(_) => {
            problems.at(&Pos::new(file, 1), "edition", "expected a table `[edition]`");
            return None;
        }
    };
    let s = Section::new(file, source, Some(("edition", 0)), table, langs);
    let date = s.string("date", problems);
    if !date.is_empty() && parse_full_date(&date).is_none() {
        problems.at(&s.pos("date"), s.field("date"), format!("expected a real date as YYYY-MM-DD, found `{date}`"));
    }
    let edition = Edition {
        pos: s.pos("publisher"),
        publisher: s.text("publisher", problems),
        editor: s.text("editor", problems),
        date,
        report_number: s.string("report_number", problems),
        isbn: s.opt_string("isbn", problems),
        issn: s.opt_string("issn", problems),
        licence: s.text("licence", problems),
        based_on: s.string("based_on", problems),
        relation: s.text("relation", problems),
    };
    s.unknown_keys(problems);
    Some(edition)
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
pub fn parse_full_date(s: &str) -> Option<(i32, u8, u8)> {
    let d = parse_partial_date(s)?;
    Some((d.year, d.month?, d.day?))
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, checked to be a real calendar date.
pub fn parse_partial_date(s: &str) -> Option<PartialDate> {
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
