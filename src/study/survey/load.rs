//! Loading the questionnaire (`survey/items.csv`) and the answers (`survey/answers.csv`,
//! `survey/answers.xlsx`, or every such file in `survey/answers/`) with every problem
//! named by file, line and column, all found in one pass.
//!
//! `items.csv` has `id`, `kind` (`part`, `scale`, `yesno`, `open`), `question_<lang>`, and
//! optionally `parent` (the item it follows up), `options_<lang>` (`;`-separated, from the
//! most negative to the most positive) and `no_answer` (the 1-based positions of options
//! such as "don't know" that stand apart from the scale).
//!
//! An answers file has one row per respondent and one column per item, headed by the
//! item's id or its question in any language, plus `model` (an id, short name or name of
//! one of the study's models) where the form asked for it; `respondent` and `region` are
//! read past (a region is never published beside answers). A scale answer is an option in
//! any language or its number (`3`, or `3,0` as Norwegian Excel writes it); a blank cell
//! is an item left unanswered.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use super::sheet::{self, Sheet, SheetRow};
use super::{xlsx, Answer, Item, ItemKind, Respondent, Survey, YesNoWords};
use crate::problem::{IoContext, Pos, Problems, Result};
use crate::study::{Id, Model, SourceFile, Text};

/// The folder of the questionnaire in `data/`.
pub const DIR: &str = "survey";

/// Columns of an answers file that are not items and are read past.
const PASSED: [&str; 2] = ["respondent", "region"];

/// Read `data/survey/` if there is one; an empty survey when there is none.
pub fn load(
    dir: &Path,
    label: &str,
    models: &[Model],
    langs: &[String],
    yes_no: YesNoWords<'_>,
    files: &mut Vec<SourceFile>,
    problems: &mut Problems,
) -> Result<Survey> {
    let folder = dir.join(DIR);
    let mut survey = Survey::default();
    if !folder.is_dir() {
        return Ok(survey);
    }
    let mut read = |rel: &str| -> Result<(String, Vec<u8>)> {
        let path = dir.join(rel);
        let bytes = fs::read(&path).at("read", &path)?;
        files.push(SourceFile { path: rel.to_string(), bytes: bytes.clone() });
        Ok((format!("{label}/{rel}"), bytes))
    };
    let items_rel = format!("{DIR}/items.csv");
    if dir.join(&items_rel).is_file() {
        let (file, bytes) = read(&items_rel)?;
        if let Some(sheet) = sheet::read_csv(&file, &bytes, problems) {
            survey.items = items(&sheet, langs, yes_no, problems);
        }
    }
    let mut answer_files: Vec<String> = ["answers.csv", "answers.xlsx"]
        .iter()
        .map(|n| format!("{DIR}/{n}"))
        .filter(|rel| dir.join(rel).is_file())
        .collect();
    let inside = folder.join("answers");
    if inside.is_dir() {
        let mut names: Vec<String> = fs::read_dir(&inside)
            .at("list", &inside)?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".csv") || n.ends_with(".xlsx"))
            .map(|n| format!("{DIR}/answers/{n}"))
            .collect();
        names.sort();
        answer_files.extend(names);
    }
    for rel in answer_files {
        survey.has_answers = true;
        let (file, bytes) = read(&rel)?;
        if survey.items.is_empty() {
            problems.push(
                &file,
                None,
                "",
                format!("expected the questionnaire in {label}/{items_rel} beside the answers, found none"),
            );
            continue;
        }
        let sheet = if rel.ends_with(".xlsx") {
            xlsx::read_xlsx(&file, &bytes, problems)
        } else {
            sheet::read_csv(&file, &bytes, problems)
        };
        if let Some(sheet) = sheet {
            survey.respondents.extend(answers(&sheet, &survey.items, models, problems));
        }
    }
    Ok(survey)
}

/// A `;`-separated list, items trimmed, empty ones dropped.
fn list(value: &str) -> Vec<String> {
    value.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// The items of `items.csv`, each checked.
fn items(sheet: &Sheet, langs: &[String], yes_no: YesNoWords<'_>, problems: &mut Problems) -> Vec<Item> {
    let file = &sheet.file;
    let mut required = vec!["id".to_string(), "kind".to_string()];
    required.extend(langs.iter().map(|l| format!("question_{l}")));
    let mut missing = false;
    for column in &required {
        if !sheet.header.contains(column) {
            problems.push(file, Some(1), column.clone(), "expected this column in the header row, found none");
            missing = true;
        }
    }
    if missing {
        return Vec::new();
    }
    let mut out: Vec<Item> = Vec::new();
    for row in &sheet.rows {
        let pos = Pos::new(file.clone(), row.line);
        let get = |name: &str| sheet.get(row, name).unwrap_or("").to_string();
        let id = match Id::parse(&get("id")) {
            Ok(id) => id.to_string(),
            Err(msg) => {
                problems.at(&pos, "id", msg);
                continue;
            }
        };
        if out.iter().any(|i| i.id == id) {
            problems.at(&pos, "id", format!("expected each item id once, found `{id}` again"));
        }
        let kind = match get("kind").as_str() {
            "part" => ItemKind::Part,
            "scale" => ItemKind::Scale,
            "yesno" => ItemKind::Yesno,
            "open" => ItemKind::Open,
            other => {
                problems.at(&pos, "kind", format!("expected `part`, `scale`, `yesno` or `open`, found `{other}`"));
                continue;
            }
        };
        let mut question = Text::default();
        for l in langs {
            let q = get(&format!("question_{l}"));
            if q.is_empty() {
                problems.at(
                    &pos,
                    format!("question_{l}"),
                    format!("expected the question in language `{l}`, found an empty field"),
                );
            }
            question.0.insert(l.clone(), q);
        }
        let parent = Some(get("parent")).filter(|p| !p.is_empty());
        if let Some(p) = &parent {
            if !out.iter().any(|i| &i.id == p && i.kind != ItemKind::Part) {
                problems.at(
                    &pos,
                    "parent",
                    format!("expected the id of a question listed above this one, found `{p}`"),
                );
            }
        }
        let (options, no_answer) = options(sheet, row, &pos, kind, langs, yes_no, problems);
        out.push(Item { pos, id, parent, kind, question, options, no_answer });
    }
    out
}

/// An item's options in every language and its "no answer" positions, checked against
/// its kind: a scale needs two or more options, the same number in every language; a
/// yes/no item has two (the language's own "yes" and "no" when not given).
fn options(
    sheet: &Sheet,
    row: &SheetRow,
    pos: &Pos,
    kind: ItemKind,
    langs: &[String],
    yes_no: YesNoWords<'_>,
    problems: &mut Problems,
) -> (Vec<Text>, Vec<usize>) {
    let mut per_lang: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for l in langs {
        let mut given = list(sheet.get(row, &format!("options_{l}")).unwrap_or(""));
        if given.is_empty() && kind == ItemKind::Yesno {
            if let Some(words) = yes_no(l) {
                given = words.to_vec();
            }
        }
        per_lang.insert(l.clone(), given);
    }
    let counts: Vec<usize> = per_lang.values().map(Vec::len).collect();
    let n = counts.first().copied().unwrap_or(0);
    let wanted = match kind {
        ItemKind::Scale => n >= 2 && counts.iter().all(|c| *c == n),
        ItemKind::Yesno => counts.iter().all(|c| *c == 2),
        ItemKind::Part | ItemKind::Open => counts.iter().all(|c| *c == 0),
    };
    if !wanted {
        let expected = match kind {
            ItemKind::Scale => "two or more options separated by `;`, as many in every language",
            ItemKind::Yesno => "two options (yes; no) in every language, or none",
            _ => "no options for a part or an open question",
        };
        let found = langs.iter().zip(&counts).map(|(l, c)| format!("{c} in `{l}`")).collect::<Vec<_>>().join(", ");
        problems.at(pos, "options", format!("expected {expected}, found {found}"));
        return (Vec::new(), Vec::new());
    }
    let options: Vec<Text> =
        (0..n).map(|i| Text(per_lang.iter().map(|(l, o)| (l.clone(), o[i].clone())).collect())).collect();
    let mut no_answer = Vec::new();
    for p in list(sheet.get(row, "no_answer").unwrap_or("")) {
        match p.parse::<usize>() {
            Ok(i) if kind == ItemKind::Scale && i >= 1 && i <= n => no_answer.push(i - 1),
            _ => problems.at(
                pos,
                "no_answer",
                format!("expected positions of a scale's options from 1 to {n}, found `{p}`"),
            ),
        }
    }
    no_answer.sort_unstable();
    no_answer.dedup();
    if kind == ItemKind::Scale && n.saturating_sub(no_answer.len()) < 2 {
        problems.at(
            pos,
            "no_answer",
            "expected at least two options on the scale itself, beside those that are no answer",
        );
    }
    (options, no_answer)
}

/// What a column of an answers file holds.
enum Role {
    Model,
    Passed,
    Item(usize),
}

/// The role of each column, from its header; unknown headers are reported.
fn roles(sheet: &Sheet, items: &[Item], problems: &mut Problems) -> Vec<Option<Role>> {
    let fold = |s: &str| s.trim().to_lowercase();
    sheet
        .header
        .iter()
        .enumerate()
        .map(|(c, h)| {
            let h = fold(h);
            if h == "model" {
                return Some(Role::Model);
            }
            if PASSED.contains(&h.as_str()) {
                return Some(Role::Passed);
            }
            let found = items.iter().position(|i| {
                i.kind != ItemKind::Part && (fold(&i.id) == h || i.question.0.values().any(|q| fold(q) == h))
            });
            if found.is_none() {
                problems.push(
                    &sheet.file,
                    Some(1),
                    sheet.header[c].clone(),
                    format!(
                        "{}: expected an item id of the questionnaire (or its question), `model`, `respondent` or `region`, found `{}`",
                        sheet.column(c),
                        sheet.header[c]
                    ),
                );
            }
            found.map(Role::Item)
        })
        .collect()
}

/// The respondents of one answers file; every answer outside its item's options is
/// reported with file, line and column.
fn answers(sheet: &Sheet, items: &[Item], models: &[Model], problems: &mut Problems) -> Vec<Respondent> {
    let roles = roles(sheet, items, problems);
    let mut out = Vec::new();
    for row in &sheet.rows {
        let pos = Pos::new(sheet.file.clone(), row.line);
        let mut respondent = Respondent { pos: pos.clone(), model: None, answers: BTreeMap::new() };
        if row.cells.len() > sheet.header.len() && row.cells[sheet.header.len()..].iter().any(|c| !c.is_empty()) {
            problems.at(
                &pos,
                "",
                format!("expected at most {} columns as in the header, found more", sheet.header.len()),
            );
        }
        for (c, role) in roles.iter().enumerate() {
            let value = row.cells.get(c).map(String::as_str).unwrap_or("").trim();
            let (Some(role), false) = (role, value.is_empty()) else { continue };
            let field = sheet.header[c].clone();
            match role {
                Role::Passed => {}
                Role::Model => match model_of(value, models) {
                    Some(m) => respondent.model = Some(m),
                    None => problems.at(
                        &pos,
                        field,
                        format!(
                            "{}: expected one of the study's models (its id or name), found `{value}`",
                            sheet.column(c)
                        ),
                    ),
                },
                Role::Item(i) => match answer_of(&items[*i], value) {
                    Ok(a) => {
                        respondent.answers.insert(items[*i].id.clone(), a);
                    }
                    Err(expected) => {
                        problems.at(&pos, field, format!("{}: expected {expected}, found `{value}`", sheet.column(c)))
                    }
                },
            }
        }
        out.push(respondent);
    }
    out
}

/// The model a cell names: its id, short name or name in any language, case aside.
fn model_of(value: &str, models: &[Model]) -> Option<String> {
    let v = value.to_lowercase();
    models
        .iter()
        .find(|m| {
            m.id.to_lowercase() == v
                || m.short.0.values().chain(m.name.0.values()).any(|n| n.trim().to_lowercase() == v)
        })
        .map(|m| m.id.clone())
}

/// One answer to `item`, or what was expected instead.
fn answer_of(item: &Item, value: &str) -> std::result::Result<Answer, String> {
    if item.kind == ItemKind::Open {
        return Ok(Answer::Text(value.to_string()));
    }
    let v = value.to_lowercase();
    if let Some(i) = item.options.iter().position(|o| o.0.values().any(|l| l.trim().to_lowercase() == v)) {
        return Ok(Answer::Option(i));
    }
    // The option's number, as a survey tool codes it; Norwegian Excel writes `3,0`.
    let n = item.options.len();
    if let Ok(x) = v.replace(',', ".").parse::<f64>() {
        if x.fract() == 0.0 && x >= 1.0 && x <= n as f64 {
            return Ok(Answer::Option(x as usize - 1));
        }
    }
    let first: Vec<String> =
        item.options.iter().map(|o| format!("`{}`", o.0.values().next().cloned().unwrap_or_default())).collect();
    Err(format!("one of {} or its number from 1 to {n}", first.join(", ")))
}
