//! From the typed `study.toml` ([`super::studytoml`]) to the study's [`Meta`], models,
//! regions, units and dialogue conference, with the checks a type cannot state: language
//! codes, ids, real dates, a version that can name a file, at least one model, region and
//! unit, and at least one role (each counted at least once) at the conference.

use super::studytoml::{DialogueToml, EditionToml, Read, StudyToml};
use super::*;
use crate::problem::Problems;

/// Fill `study`'s meta, models, regions, units and conference from `read`, noting every problem.
pub(crate) fn read_meta(study: &mut Study, read: &Read, problems: &mut Problems) {
    let doc: &StudyToml = &read.doc;
    let langs = languages(read, problems);
    let date = day(read, "date", &doc.date, problems);
    if !doc.version.chars().all(|c| c.is_ascii_alphanumeric() || ".-_+".contains(c)) {
        problems.at(
            &read.pos("version"),
            "version",
            format!("expected a version like 1.0.0 (it names the PDF), found `{}`", doc.version),
        );
    }
    study.meta = Meta {
        // The slug names the PDF: it is an id.
        slug: id(read, "slug", &doc.slug, problems),
        version: doc.version.clone(),
        date,
        small_cell_k: doc.small_cell_k.filter(|k| *k >= 1).unwrap_or(3),
        title: doc.title.to_text(),
        subtitle: doc.subtitle.to_text(),
        short_title: doc.short_title.to_text(),
        commissioner: doc.commissioner.to_text(),
        author: doc.author.to_text(),
        excerpt_notice: doc.excerpt_notice.to_text(),
        keywords: langs.iter().map(|l| (l.clone(), doc.keywords.get(l).cloned().unwrap_or_default())).collect(),
        identifying_terms: doc.identifying_terms.clone(),
        omit_hidden_excerpts: doc.omit_hidden_excerpts,
        coding: doc.coding.unwrap_or_default(),
        languages: langs,
        edition: doc.edition.as_ref().map(|e| edition(read, e, problems)),
    };
    study.dialogue = doc.dialogue.as_ref().map(|d| dialogue(read, d, problems));
    sample(study, read, problems);
}

/// The `[dialogue]` table: its date checked, each role counted at least once.
fn dialogue(read: &Read, d: &DialogueToml, problems: &mut Problems) -> Dialogue {
    let date = day(read, "dialogue.date", &d.date, problems);
    if d.participants.is_empty() {
        problems.at(
            &read.pos("dialogue"),
            "dialogue.participants",
            "expected at least one `[[dialogue.participants]]` table (a role and how many took part in it), found none",
        );
    }
    let mut participants = Vec::new();
    for (i, p) in d.participants.iter().enumerate() {
        let at = |key: &str| format!("dialogue.participants[{}].{key}", i + 1);
        if p.count == 0 {
            problems.at(
                &read.pos(&at("count")),
                at("count"),
                "expected how many took part in this role, a whole number of at least 1, found 0",
            );
        }
        participants.push(super::dialogue::Participant {
            pos: read.pos(&at("role")),
            role: p.role.to_text(),
            count: p.count,
        });
    }
    Dialogue { pos: read.pos("dialogue.date"), date, participants, feedback: Vec::new() }
}

/// The languages, each checked to be a code.
fn languages(read: &Read, problems: &mut Problems) -> Vec<String> {
    let langs = read.doc.languages.clone();
    let pos = read.pos("languages");
    if langs.is_empty() {
        problems.at(&pos, "languages", "expected a list of language codes like [\"nb\", \"en\"], found none");
    }
    for lang in &langs {
        if lang.is_empty() || !lang.chars().all(|c| c.is_ascii_lowercase()) {
            let near = crate::diagnostic::nearest(lang, super::load::BUILTIN_LANGUAGES)
                .or_else(|| super::load::BUILTIN_LANGUAGES.into_iter().find(|c| lang.to_lowercase().starts_with(c)));
            let hint = near.map(|n| format!("; did you mean `{n}`?")).unwrap_or_default();
            problems.at(
                &pos,
                "languages",
                format!("`{lang}` is not a language code: a code is a few lower-case letters, like `nb`{hint}"),
            );
        }
    }
    langs
}

/// `value` of `field` checked against the id rule (a missing one is already reported).
fn id(read: &Read, field: &str, value: &str, problems: &mut Problems) -> Id {
    if value.is_empty() {
        return Id::default();
    }
    Id::parse(value).unwrap_or_else(|msg| {
        problems.at(&read.pos(field), field, msg);
        Id::default()
    })
}

/// `text`, the value of `field`, as a calendar day; a problem at the field's line when it
/// is not a real `YYYY-MM-DD` date (a missing one is reported by the reader already).
fn day(read: &Read, field: &str, text: &str, problems: &mut Problems) -> Date {
    if text.is_empty() {
        return Date::default();
    }
    Date::parse(text).unwrap_or_else(|| {
        problems.at(&read.pos(field), field, format!("expected a real date as YYYY-MM-DD, found `{text}`"));
        Date::default()
    })
}

/// The `[edition]` table, its date checked.
fn edition(read: &Read, e: &EditionToml, problems: &mut Problems) -> Edition {
    let date = day(read, "edition.date", &e.date, problems);
    Edition {
        pos: read.pos("edition.publisher"),
        publisher: e.publisher.to_text(),
        editor: e.editor.to_text(),
        date,
        report_number: e.report_number.clone(),
        isbn: e.isbn.clone(),
        issn: e.issn.clone(),
        licence: e.licence.to_text(),
        based_on: e.based_on.clone(),
        relation: e.relation.to_text(),
    }
}

/// The models, regions and units, each with its ids checked; each kind must be there.
fn sample(study: &mut Study, read: &Read, problems: &mut Problems) {
    let doc = &read.doc;
    for (i, m) in doc.model.iter().enumerate() {
        let at = |key: &str| format!("model[{}].{key}", i + 1);
        study.models.push(Model {
            pos: read.pos(&at("id")),
            id: id(read, &at("id"), &m.id, problems).into(),
            short: m.short.to_text(),
            name: m.name.to_text(),
            description: m.description.to_text(),
        });
    }
    for (i, r) in doc.region.iter().enumerate() {
        let at = |key: &str| format!("region[{}].{key}", i + 1);
        study.regions.push(Region {
            pos: read.pos(&at("id")),
            id: id(read, &at("id"), &r.id, problems).into(),
            name: r.name.to_text(),
        });
    }
    for (i, u) in doc.unit.iter().enumerate() {
        let at = |key: &str| format!("unit[{}].{key}", i + 1);
        study.units.push(Unit {
            pos: read.pos(&at("id")),
            id: id(read, &at("id"), &u.id, problems).into(),
            region: id(read, &at("region"), &u.region, problems).into(),
            model: id(read, &at("model"), &u.model, problems).into(),
            name: u.name.to_text(),
            places: u.places.clone(),
        });
    }
    for (name, count) in [("model", doc.model.len()), ("region", doc.region.len()), ("unit", doc.unit.len())] {
        if count == 0 {
            problems.push(&read.file, None, name, format!("expected at least one [[{name}]] table, found none"));
        }
    }
}
