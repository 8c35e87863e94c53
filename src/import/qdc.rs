//! Codebooks both ways: a REFI-QDA codebook (codes nested by hierarchy) becomes
//! `codebook.csv`, and the study's codebook becomes a `.qdc` a team can load into its QDA
//! tool to start coding with the study's themes.
//!
//! Going in, codes get short stable ids in document order (`C001`, `C002`, …; parents come
//! before their children), top-level codes become themes (empty `parent`), nested codes
//! name their parent, and the original GUID is kept in an extra `guid` column, the colour
//! (where the codebook has one) in a `color` column (the loader ignores both). Going out,
//! each code keeps the GUID of its `guid` column, so a round trip into the QDA tool matches
//! the codes it already has instead of creating new ones, and its colour; a code without a
//! GUID gets one derived from the study slug and the code id (a version-4-shaped UUID from
//! SHA-256), so exporting twice gives the same file.
//!
//! REFI-QDA's codebook has no field for an id, so the export writes each code's name as
//! `<id> <label>` (`T01 Information about the service`), which a team reads as a numbered
//! codebook in any QDA tool. The import takes the ids back from the names only when every
//! code's name starts that way, with an id that passes the study's id rule and is unique
//! across the codebook. Unless the file says it comes from bsb (its `origin`), each id
//! must also hold a digit: a codebook of ordinary names ("Trust in staff", "Waiting
//! times") from another tool then gets `C001`… as before, while a bsb codebook that went
//! through NVivo or ATLAS.ti keeps ids like `T01.1`.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use std::path::Path;

use super::project::{key, QdaCode};
use super::report::{quoted, Part, Report};
use crate::problem::{build_err, Problems, Result};
use crate::study::rows::{self, CodeRow};
use crate::study::{Study, Text};
use crate::xml::escape;

/// The start of the `origin` attribute of a codebook bsb wrote.
pub(crate) const ORIGIN: &str = "bsb ";

/// The codebook namespace of QDA-XML 1.0.
pub(crate) const NAMESPACE: &str = "urn:QDA-XML:codebook:1.0";

/// `C001`… in document order; wider when there are more than 999 codes.
pub(crate) fn code_ids(codes: &[QdaCode]) -> Vec<String> {
    let width = codes.len().to_string().len().max(3);
    (1..=codes.len()).map(|n| format!("C{n:0width$}")).collect()
}

/// The ids written into the codes' names by [`export_xml`], and the names without them,
/// when every code's name is `<id> <label>` with ids that pass the id rule, hold a digit
/// (unless `from_bsb`: the file's origin says bsb wrote it) and differ (ignoring case, as
/// the analyst reading them would); `None` otherwise.
pub(crate) fn ids_from_names(codes: &[QdaCode], from_bsb: bool) -> Option<(Vec<String>, Vec<String>)> {
    let mut ids: Vec<String> = Vec::with_capacity(codes.len());
    let mut labels = Vec::with_capacity(codes.len());
    let mut seen = std::collections::BTreeSet::new();
    for c in codes {
        let (id, label) = c.name.split_once(' ')?;
        let label = label.trim();
        // The digit keeps a codebook whose names all start with an ordinary word from
        // being read as ids; `1.` (a numbered list) fails the id rule by its dot.
        let digit = from_bsb || id.bytes().any(|b| b.is_ascii_digit());
        if label.is_empty() || !digit || crate::study::Id::parse(id).is_err() {
            return None;
        }
        if !seen.insert(id.to_ascii_lowercase()) {
            return None;
        }
        ids.push(id.to_string());
        labels.push(label.to_string());
    }
    Some((ids, labels))
}

/// Notes what [`codebook_csv`] changed or left out: codes without a description or a name,
/// codes not codable, and colours the standard does not allow.
fn note_adjustments(
    undescribed: &[String],
    unnamed: &[String],
    not_codable: &[String],
    bad_colour: &[String],
    report: &mut Report,
) {
    if !undescribed.is_empty() {
        report.add(
            Part::Changed,
            format!(
                "{} code(s) had no description; the study format needs one, so the code's name is used: {}",
                undescribed.len(),
                undescribed.join(", ")
            ),
        );
    }
    if !unnamed.is_empty() {
        report.add(Part::Changed, format!("code(s) without a name were labelled by their id: {}", unnamed.join(", ")));
    }
    if !not_codable.is_empty() {
        report.add(
            Part::Changed,
            format!(
                "code(s) marked not codable (isCodable=\"false\") are ordinary codebook entries now: {}",
                not_codable.join(", ")
            ),
        );
    }
    if !bad_colour.is_empty() {
        report.add(
            Part::LeftOut,
            format!("colour(s) that are not #RRGGBB, which the standard requires: {}", bad_colour.join(", ")),
        );
    }
}

/// `codebook.csv` for `codes` in `langs`, with what was adjusted noted in `report`.
/// The same name and description are used for every language (the report says so).
pub(crate) fn codebook_csv(codes: &[QdaCode], ids: &[String], langs: &[String], report: &mut Report) -> Vec<u8> {
    let with_colour = codes.iter().any(|c| c.color.is_some());
    let (mut undescribed, mut unnamed, mut not_codable, mut bad_colour, mut deep) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut rows = Vec::new();
    for (i, c) in codes.iter().enumerate() {
        let label = if c.name.is_empty() {
            unnamed.push(ids[i].clone());
            format!("Code {}", ids[i])
        } else {
            c.name.clone()
        };
        // The study format requires a description in every language; the name stands in.
        let description = c.description.clone().unwrap_or_else(|| {
            undescribed.push(ids[i].clone());
            label.clone()
        });
        if !c.codable {
            not_codable.push(format!("{} {}", ids[i], quoted(&label)));
        }
        if c.depth >= 2 {
            deep.push(format!("{} {}", ids[i], quoted(&label)));
        }
        let color = with_colour.then(|| {
            let colour = c.color.as_deref().unwrap_or("");
            if colour.is_empty() || is_colour(colour) {
                colour.to_string()
            } else {
                bad_colour.push(format!("{} ({colour})", ids[i]));
                String::new()
            }
        });
        rows.push(CodeRow {
            id: ids[i].clone(),
            parent: c.parent.map(|p| ids[p].clone()),
            section: String::new(),
            label: Text::same(langs, &label),
            description: Text::same(langs, &description),
            guid: Some(c.guid.clone()),
            color,
        });
    }
    note_adjustments(&undescribed, &unnamed, &not_codable, &bad_colour, report);
    if !deep.is_empty() {
        report.add(
            Part::ToDo,
            format!(
                "{} code(s) nest deeper than theme → subtheme; they are kept under their parent (the report counts \
                 their excerpts for every code above them and lists them in the framework table under their \
                 subtheme); merge them into their subtheme if the report should show two levels only: {}",
                deep.len(),
                deep.join(", ")
            ),
        );
    }
    rows::write(langs, &rows)
}

/// `#RRGGBB`, the schema's RGBType.
pub(crate) fn is_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// A GUID as the schema writes it: 8-4-4-4-12 hexadecimal digits, optionally in braces.
pub(crate) fn is_guid(s: &str) -> bool {
    let inner = s.strip_prefix('{').and_then(|x| x.strip_suffix('}')).unwrap_or(s);
    let parts: Vec<&str> = inner.split('-').collect();
    parts.len() == 5
        && parts.iter().zip([8, 4, 4, 4, 12]).all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The `guid` and `color` cells of the study's codebook files, by code id, checked. The
/// loader does not keep these columns, so they are read here from the files it loaded.
fn kept_columns(data: &Path, study: &Study) -> Result<BTreeMap<String, (Option<String>, Option<String>)>> {
    let mut out = BTreeMap::new();
    let mut problems = Problems::default();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for f in &study.files {
        let is_codebook = f.path == "codebook.csv" || (f.path.starts_with("codebook/") && f.path.ends_with(".csv"));
        if !is_codebook {
            continue;
        }
        let file = data.join(&f.path).display().to_string();
        let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(f.bytes.as_slice());
        let Ok(headers) = r.headers().cloned() else { continue };
        let col = |name: &str| headers.iter().position(|h| h.trim_start_matches('\u{feff}').trim() == name);
        let (Some(id), guid, color) = (col("id"), col("guid"), col("color")) else { continue };
        for record in r.records() {
            let Ok(record) = record else { continue };
            let byte = record.position().map(|p| p.byte() as usize).unwrap_or(0).min(f.bytes.len());
            let line = f.bytes[..byte].iter().filter(|&&b| b == b'\n').count() + 1;
            let cell = |i: Option<usize>| i.and_then(|i| record.get(i)).map(str::trim).filter(|x| !x.is_empty());
            let Some(code) = cell(Some(id)) else { continue };
            let g = cell(guid).map(str::to_string);
            if let Some(g) = &g {
                if !is_guid(g) {
                    problems.push(
                        &file,
                        Some(line),
                        "guid",
                        format!(
                            "expected a GUID like 1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294, found `{}`",
                            g.escape_debug()
                        ),
                    );
                } else if let Some(first) = seen.insert(key(g), code.to_string()) {
                    problems.push(
                        &file,
                        Some(line),
                        "guid",
                        format!("expected a unique GUID, found `{g}` again (code {first})"),
                    );
                }
            }
            let c = cell(color).map(str::to_string);
            if let Some(c) = &c {
                if !is_colour(c) {
                    problems.push(
                        &file,
                        Some(line),
                        "color",
                        format!("expected a colour like #46AA00, found `{}`", c.escape_debug()),
                    );
                }
            }
            out.insert(code.to_string(), (g, c));
        }
    }
    if !problems.is_empty() {
        return Err(crate::problem::Failure::Data(problems.into_sorted()));
    }
    Ok(out)
}

/// A GUID for code `id` of study `slug`: SHA-256 of `slug/id`, shaped as a version-4 UUID.
pub(crate) fn guid_for(slug: &str, id: &str) -> String {
    let digest = Sha256::digest(format!("{slug}/{id}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// The study's codebook as a QDA-XML codebook, names (`<id> <label>`, see the module
/// doc) and descriptions in `lang`.
pub(crate) fn export_xml(data: &Path, study: &Study, lang: &str) -> Result<String> {
    if study.codes.is_empty() {
        return Err(build_err("the study has no codes to export"));
    }
    let kept = kept_columns(data, study)?;
    let ids: std::collections::BTreeSet<&str> = study.codes.iter().map(|c| c.id.as_str()).collect();
    let mut children: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
    for (i, c) in study.codes.iter().enumerate() {
        let parent = c.parent.as_deref();
        if let Some(p) = parent {
            if !ids.contains(p) {
                return Err(build_err(format!("code `{}` names parent `{p}`, which is not in the codebook", c.id)));
            }
            if study.theme_of(&c.id).is_none() {
                return Err(build_err(format!("code `{}` is part of a parent cycle; fix the codebook first", c.id)));
            }
        }
        children.entry(parent).or_default().push(i);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str(&format!(
        "<CodeBook xmlns=\"{NAMESPACE}\" origin=\"{}\">\n  <Codes>\n",
        escape(&format!("{ORIGIN}{}", env!("CARGO_PKG_VERSION")))
    ));
    type Kept = BTreeMap<String, (Option<String>, Option<String>)>;
    #[allow(clippy::too_many_arguments)]
    fn emit(
        study: &Study,
        kept: &Kept,
        lang: &str,
        i: usize,
        depth: usize,
        kids: &BTreeMap<Option<&str>, Vec<usize>>,
        out: &mut String,
    ) {
        let c = &study.codes[i];
        let pad = "  ".repeat(depth + 2);
        let (guid, colour) = kept.get(&c.id).cloned().unwrap_or_default();
        let guid = guid.unwrap_or_else(|| guid_for(&study.meta.slug, &c.id));
        let colour = colour.map(|x| format!(" color=\"{}\"", escape(&x))).unwrap_or_default();
        out.push_str(&format!(
            "{pad}<Code guid=\"{}\" name=\"{}\" isCodable=\"true\"{colour}>\n",
            escape(&guid),
            escape(&format!("{} {}", c.id, c.label.get(lang))).replace('\n', "&#10;").replace('\t', "&#9;")
        ));
        let description = c.description.get(lang);
        if !description.is_empty() {
            out.push_str(&format!("{pad}  <Description>{}</Description>\n", escape(description)));
        }
        for &k in kids.get(&Some(c.id.as_str())).map(Vec::as_slice).unwrap_or(&[]) {
            emit(study, kept, lang, k, depth + 1, kids, out);
        }
        out.push_str(&format!("{pad}</Code>\n"));
    }
    for &i in children.get(&None).map(Vec::as_slice).unwrap_or(&[]) {
        emit(study, &kept, lang, i, 0, &children, &mut out);
    }
    out.push_str("  </Codes>\n</CodeBook>\n");
    Ok(out)
}
