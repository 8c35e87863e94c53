//! The parts of a REFI-QDA project (`project.qde`) or codebook (`.qdc`) that the import
//! uses, read from the XML tree by the element and attribute names of the schema
//! (Project.xsd / Codebook.xsd, QDA-XML 1.0).
//!
//! Reading is lenient where exporters differ and strict where a mistake would corrupt the
//! study: unknown elements are skipped (and named, so the report can say so), but every
//! GUID must be unique, every reference must resolve, and every offset must be a whole
//! number with start ≤ end. All such problems are collected and reported together.
//! GUIDs are compared without braces and ignoring case, as the schema allows both.

use std::collections::{BTreeMap, BTreeSet};

use crate::problem::Problems;
use crate::xml::Element;

/// A code of the codebook, in document order (parents before their children).
#[derive(Debug, Clone)]
pub(crate) struct QdaCode {
    /// The GUID as written.
    pub guid: String,
    pub name: String,
    pub codable: bool,
    pub description: Option<String>,
    pub color: Option<String>,
    /// Index of the parent code in the list.
    pub parent: Option<usize>,
    /// 0 for a top-level code.
    pub depth: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct Variable {
    pub guid: String,
    pub name: String,
}

/// A `VariableValue`: which variable (GUID key) and its value as text.
#[derive(Debug, Clone)]
pub(crate) struct Value {
    pub variable: String,
    pub value: String,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct Case {
    pub guid: String,
    pub name: String,
    pub values: Vec<Value>,
    /// GUID keys of `SourceRef` targets.
    pub sources: Vec<String>,
    /// GUID keys of `SelectionRef` targets.
    pub selections: Vec<String>,
    /// GUID keys of `CodeRef`s on the case itself (NVivo classifies cases this way).
    pub codes: Vec<String>,
    pub has_description: bool,
    pub line: usize,
}

/// A `PlainTextSelection`: a coded (or not) stretch of a text source.
#[derive(Debug, Clone)]
pub(crate) struct Selection {
    pub guid: String,
    pub name: String,
    pub start: usize,
    pub end: usize,
    /// GUID keys of the `CodeRef`s of its `Coding`s, in order.
    pub codings: Vec<String>,
    pub has_description: bool,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct TextSource {
    pub guid: String,
    pub name: String,
    pub plain_text_path: Option<String>,
    pub content: Option<String>,
    pub selections: Vec<Selection>,
    /// `Coding`s directly on the source (the whole document coded).
    pub codings: Vec<String>,
    pub values: Vec<Value>,
    pub has_description: bool,
    pub line: usize,
}

/// A source the study format cannot hold (PDF, picture, audio, video).
#[derive(Debug, Clone)]
pub(crate) struct OtherSource {
    pub kind: String,
    pub guid: String,
    pub name: String,
    pub selections: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Project {
    pub name: String,
    pub origin: String,
    pub created: Option<String>,
    pub modified: Option<String>,
    pub users: Vec<String>,
    pub codes: Vec<QdaCode>,
    pub variables: Vec<Variable>,
    pub cases: Vec<Case>,
    pub sources: Vec<TextSource>,
    pub other_sources: Vec<OtherSource>,
    pub notes: Vec<String>,
    pub sets: Vec<String>,
    pub links: usize,
    pub graphs: usize,
    pub has_description: bool,
    /// Elements at the top level we do not know, by name, with how often they occur.
    pub unknown: BTreeMap<String, usize>,
}

/// The comparable form of a GUID: no braces, no surrounding space, lower case.
pub(crate) fn key(guid: &str) -> String {
    guid.trim().trim_start_matches('{').trim_end_matches('}').to_ascii_lowercase()
}

/// Every GUID seen, so that a second use is reported with where the first was.
struct Guids<'a> {
    file: &'a str,
    seen: BTreeMap<String, (String, usize)>,
}

impl<'a> Guids<'a> {
    /// The element's `guid` attribute, registered; problems for a missing or repeated one.
    fn take(&mut self, el: &Element, what: &str, problems: &mut Problems) -> String {
        let Some(guid) = el.attr("guid").map(str::trim).filter(|g| !g.is_empty()) else {
            problems.push(
                self.file,
                Some(el.line),
                "guid",
                format!("expected a guid on this <{}>, found none", el.name),
            );
            return String::new();
        };
        match self.seen.get(&key(guid)) {
            Some((first, line)) => problems.push(
                self.file,
                Some(el.line),
                "guid",
                format!("expected a unique GUID, found `{guid}` again (first used by {first} on line {line})"),
            ),
            None => {
                self.seen.insert(key(guid), (format!("{what} <{}>", el.name), el.line));
            }
        }
        guid.to_string()
    }
}

/// Read a project from its root element. `file` names it in problems.
pub(crate) fn read_project(root: &Element, file: &str, problems: &mut Problems) -> Project {
    let mut guids = Guids { file, seen: BTreeMap::new() };
    let mut p = Project {
        name: root.attr("name").unwrap_or("").trim().to_string(),
        origin: root.attr("origin").unwrap_or("").trim().to_string(),
        created: root.attr("creationDateTime").map(str::to_string),
        modified: root.attr("modifiedDateTime").map(str::to_string),
        ..Default::default()
    };
    for el in &root.children {
        match el.name.as_str() {
            "Users" => {
                for u in el.children("User") {
                    guids.take(u, "user", problems);
                    p.users.push(u.attr("name").unwrap_or("").to_string());
                }
            }
            "CodeBook" => {
                if let Some(codes) = el.child("Codes") {
                    read_codes(codes, None, 0, &mut p.codes, &mut guids, problems);
                }
            }
            "Variables" => {
                for v in el.children("Variable") {
                    let guid = guids.take(v, "variable", problems);
                    p.variables.push(Variable { guid, name: v.attr("name").unwrap_or("").trim().to_string() });
                }
            }
            "Cases" => {
                for c in el.children("Case") {
                    let guid = guids.take(c, "case", problems);
                    p.cases.push(Case {
                        guid,
                        name: c.attr("name").unwrap_or("").to_string(),
                        values: read_values(c, file, problems),
                        sources: refs(c, "SourceRef", file, problems),
                        selections: refs(c, "SelectionRef", file, problems),
                        codes: refs(c, "CodeRef", file, problems),
                        has_description: has_text(c, "Description"),
                        line: c.line,
                    });
                }
            }
            "Sources" => {
                for s in &el.children {
                    read_source(s, &mut p, &mut guids, file, problems);
                }
            }
            "Notes" => {
                for n in el.children("Note") {
                    guids.take(n, "note", problems);
                    p.notes.push(n.attr("name").unwrap_or("").to_string());
                }
            }
            "Sets" => {
                for s in el.children("Set") {
                    guids.take(s, "set", problems);
                    p.sets.push(s.attr("name").unwrap_or("").to_string());
                }
            }
            "Links" => {
                for l in el.children("Link") {
                    guids.take(l, "link", problems);
                    p.links += 1;
                }
            }
            "Graphs" => p.graphs += el.children("Graph").count(),
            "Description" => p.has_description |= !el.text.trim().is_empty(),
            // Notes about the project itself are counted with the notes.
            "NoteRef" => {}
            other => *p.unknown.entry(other.to_string()).or_default() += 1,
        }
    }
    check_references(&p, file, problems);
    p
}

/// Read a codebook file (`.qdc`): root `CodeBook` with `Codes`, and optional `Sets`.
pub(crate) fn read_codebook(root: &Element, file: &str, problems: &mut Problems) -> (Vec<QdaCode>, Vec<String>) {
    let mut guids = Guids { file, seen: BTreeMap::new() };
    let mut codes = Vec::new();
    let mut sets = Vec::new();
    if let Some(el) = root.child("Codes") {
        read_codes(el, None, 0, &mut codes, &mut guids, problems);
    }
    if let Some(el) = root.child("Sets") {
        for s in el.children("Set") {
            guids.take(s, "set", problems);
            sets.push(s.attr("name").unwrap_or("").to_string());
        }
    }
    (codes, sets)
}

/// Codes depth-first in document order, so a parent always precedes its children.
fn read_codes(
    el: &Element,
    parent: Option<usize>,
    depth: usize,
    out: &mut Vec<QdaCode>,
    guids: &mut Guids,
    problems: &mut Problems,
) {
    for c in el.children("Code") {
        let guid = guids.take(c, "code", problems);
        // `isCodable` is required by the schema but not always written; absent means codable.
        let codable = !matches!(c.attr("isCodable").map(str::trim), Some("false") | Some("0"));
        let description = c.child_text("Description").map(str::trim).filter(|d| !d.is_empty()).map(str::to_string);
        out.push(QdaCode {
            guid,
            name: c.attr("name").unwrap_or("").trim().to_string(),
            codable,
            description,
            color: c.attr("color").map(str::trim).filter(|x| !x.is_empty()).map(str::to_string),
            parent,
            depth,
        });
        let me = out.len() - 1;
        read_codes(c, Some(me), depth + 1, out, guids, problems);
    }
}

fn read_source(s: &Element, p: &mut Project, guids: &mut Guids, file: &str, problems: &mut Problems) {
    let guid = guids.take(s, "source", problems);
    let name = s.attr("name").unwrap_or("").to_string();
    if s.name != "TextSource" {
        // Register the GUIDs inside, so references to them resolve and duplicates show.
        let mut selections = Vec::new();
        collect_selections(s, guids, problems, &mut selections);
        p.other_sources.push(OtherSource { kind: s.name.clone(), guid, name, selections });
        return;
    }
    let mut selections = Vec::new();
    for sel in s.children("PlainTextSelection") {
        let sguid = guids.take(sel, "selection", problems);
        let start = position(sel, "startPosition", file, problems);
        let end = position(sel, "endPosition", file, problems);
        if let (Some(a), Some(b)) = (start, end) {
            if a > b {
                problems.push(
                    file,
                    Some(sel.line),
                    "startPosition",
                    format!("expected startPosition ≤ endPosition, found {a} > {b}"),
                );
            }
        }
        selections.push(Selection {
            guid: sguid,
            name: sel.attr("name").unwrap_or("").to_string(),
            start: start.unwrap_or(0),
            end: end.unwrap_or(0),
            codings: codings(sel, guids, file, problems),
            has_description: has_text(sel, "Description"),
            line: sel.line,
        });
    }
    p.sources.push(TextSource {
        guid,
        name,
        plain_text_path: s.attr("plainTextPath").map(str::trim).filter(|x| !x.is_empty()).map(str::to_string),
        content: s.child("PlainTextContent").map(|c| c.text.clone()),
        selections,
        codings: codings(s, guids, file, problems),
        values: read_values(s, file, problems),
        has_description: has_text(s, "Description"),
        line: s.line,
    });
}

/// Selections of any kind below a non-text source (PDF, picture, audio, video, their
/// transcripts and representations), by GUID key.
fn collect_selections(el: &Element, guids: &mut Guids, problems: &mut Problems, out: &mut Vec<String>) {
    for c in &el.children {
        if c.name.ends_with("Selection") {
            out.push(key(&guids.take(c, "selection", problems)));
        }
        if c.name == "Coding" {
            guids.take(c, "coding", problems);
        }
        collect_selections(c, guids, problems, out);
    }
}

/// The `CodeRef` targets of an element's `Coding`s.
fn codings(el: &Element, guids: &mut Guids, file: &str, problems: &mut Problems) -> Vec<String> {
    let mut out = Vec::new();
    for coding in el.children("Coding") {
        guids.take(coding, "coding", problems);
        match coding.child("CodeRef").and_then(|r| r.attr("targetGUID")) {
            Some(target) => out.push(key(target)),
            None => problems.push(file, Some(coding.line), "CodeRef", "expected a CodeRef in this Coding, found none"),
        }
    }
    out
}

/// A non-negative whole-number offset.
fn position(el: &Element, attr: &str, file: &str, problems: &mut Problems) -> Option<usize> {
    let raw = el.attr(attr).map(str::trim);
    match raw.map(|r| r.parse::<usize>()) {
        Some(Ok(v)) => Some(v),
        _ => {
            problems.push(
                file,
                Some(el.line),
                attr,
                format!("expected a whole number of characters from 0, found `{}`", raw.unwrap_or("")),
            );
            None
        }
    }
}

/// Whether the element has a child `name` with some text (a description or memo).
fn has_text(el: &Element, name: &str) -> bool {
    el.child(name).is_some_and(|d| !d.text.trim().is_empty())
}

/// `targetGUID` keys of the children called `name`.
fn refs(el: &Element, name: &str, file: &str, problems: &mut Problems) -> Vec<String> {
    let mut out = Vec::new();
    for r in el.children(name) {
        match r.attr("targetGUID") {
            Some(t) if !t.trim().is_empty() => out.push(key(t)),
            _ => problems.push(
                file,
                Some(r.line),
                "targetGUID",
                format!("expected a targetGUID on this {name}, found none"),
            ),
        }
    }
    out
}

/// `VariableValue`s: the variable they refer to and the value, whatever its type.
fn read_values(el: &Element, file: &str, problems: &mut Problems) -> Vec<Value> {
    let mut out = Vec::new();
    for v in el.children("VariableValue") {
        let Some(variable) = v.child("VariableRef").and_then(|r| r.attr("targetGUID")) else {
            problems.push(
                file,
                Some(v.line),
                "VariableRef",
                "expected a VariableRef in this VariableValue, found none",
            );
            continue;
        };
        let value = ["TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue"]
            .iter()
            .find_map(|n| v.child_text(n))
            .unwrap_or("")
            .trim()
            .to_string();
        out.push(Value { variable: key(variable), value, line: v.line });
    }
    out
}

/// Every reference the import follows must land on something of the right kind.
fn check_references(p: &Project, file: &str, problems: &mut Problems) {
    let codes: BTreeSet<String> = p.codes.iter().map(|c| key(&c.guid)).collect();
    let cases: BTreeSet<String> = p.cases.iter().map(|c| key(&c.guid)).collect();
    let variables: BTreeSet<String> = p.variables.iter().map(|v| key(&v.guid)).collect();
    let sources: BTreeSet<String> =
        p.sources.iter().map(|s| key(&s.guid)).chain(p.other_sources.iter().map(|s| key(&s.guid))).collect();
    let selections: BTreeSet<String> = p
        .sources
        .iter()
        .flat_map(|s| s.selections.iter().map(|x| key(&x.guid)))
        .chain(p.other_sources.iter().flat_map(|s| s.selections.iter().cloned()))
        .collect();
    let mut missing = |line: usize, field: &str, what: &str, target: &str| {
        problems.push(
            file,
            Some(line),
            field,
            format!("expected the GUID of a {what}, found `{target}`, which is not in the project"),
        )
    };
    for s in &p.sources {
        for sel in &s.selections {
            for c in &sel.codings {
                // NVivo may code a selection with a case; the import lists those.
                if !codes.contains(c) && !cases.contains(c) {
                    missing(sel.line, "CodeRef", "code", c);
                }
            }
        }
        for c in &s.codings {
            if !codes.contains(c) && !cases.contains(c) {
                missing(s.line, "CodeRef", "code", c);
            }
        }
        for v in &s.values {
            if !variables.contains(&v.variable) {
                missing(v.line, "VariableRef", "variable", &v.variable);
            }
        }
    }
    for c in &p.cases {
        for s in &c.sources {
            if !sources.contains(s) {
                missing(c.line, "SourceRef", "source", s);
            }
        }
        for s in &c.selections {
            if !selections.contains(s) {
                missing(c.line, "SelectionRef", "selection", s);
            }
        }
        for x in &c.codes {
            if !codes.contains(x) {
                missing(c.line, "CodeRef", "code", x);
            }
        }
        for v in &c.values {
            if !variables.contains(&v.variable) {
                missing(v.line, "VariableRef", "variable", &v.variable);
            }
        }
    }
}
