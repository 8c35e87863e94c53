//! Words that tie people to places: a data note that names an interview together with a
//! unit (finer than the sampling table, which stops at regions), and a sentence of prose
//! or context that names a unit which is the only one in its region (so every interview
//! of that region is tied to one named place). The names come from the study: unit ids,
//! unit names, the places listed for each unit, and a region named together with a model.

use std::collections::HashMap;

use crate::problem::{Pos, Problems};
use crate::study::Study;

/// Lowercased words, keeping letters, digits and inner hyphens together.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '-')
        .map(|w| w.trim_matches('-'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Does `text` contain `phrase` as whole words?
#[cfg(test)]
fn contains(text: &[String], phrase: &str) -> bool {
    let p = words(phrase);
    !p.is_empty() && text.windows(p.len()).any(|w| w == p.as_slice())
}

/// Phrases split into words once and indexed by their first word, so that one pass over a
/// text finds every phrase it contains (checking each phrase against each text, splitting
/// the phrase again every time, made this check quadratic in the size of the study).
struct Phrases {
    /// The words of each phrase, by phrase index.
    words: Vec<Vec<String>>,
    /// Phrase indices by their first word.
    by_first: HashMap<String, Vec<usize>>,
}

impl Phrases {
    /// An empty set of phrases.
    fn new() -> Self {
        Phrases { words: Vec::new(), by_first: HashMap::new() }
    }

    /// Add a phrase and return its index. A phrase without words is never found.
    fn add(&mut self, phrase: &str) -> usize {
        let w = words(phrase);
        let i = self.words.len();
        if let Some(first) = w.first() {
            self.by_first.entry(first.clone()).or_default().push(i);
        }
        self.words.push(w);
        i
    }

    /// The indices of the phrases `text` contains as whole words, sorted.
    fn found(&self, text: &[String]) -> Found {
        let mut out = Vec::new();
        for (at, word) in text.iter().enumerate() {
            for &i in self.by_first.get(word).map(Vec::as_slice).unwrap_or_default() {
                let p = &self.words[i];
                if text.len() - at >= p.len() && text[at..at + p.len()] == p[..] {
                    out.push(i);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        Found(out)
    }
}

/// The phrases found in one text (sorted indices into a [`Phrases`]).
struct Found(Vec<usize>);

impl Found {
    /// Was phrase `i` found?
    fn has(&self, i: usize) -> bool {
        self.0.binary_search(&i).is_ok()
    }

    /// The first of `names` (phrase index, text) that was found.
    fn first<'n>(&self, names: &'n [(usize, String)]) -> Option<&'n str> {
        names.iter().find(|(i, _)| self.has(*i)).map(|(_, n)| n.as_str())
    }
}

/// The names a text can tie to a unit, split into words once for the whole study.
struct Names<'a> {
    /// The study the names come from.
    study: &'a Study,
    /// Every name below, as phrases.
    phrases: Phrases,
    /// Per unit (in study order): its id, its names, its places.
    units: Vec<Vec<(usize, String)>>,
    /// Per unit: how many units share its region.
    in_region: Vec<usize>,
    /// Per region (in study order): its names.
    regions: Vec<Vec<(usize, String)>>,
    /// Per model (in study order): its short names, then its names.
    models: Vec<Vec<(usize, String)>>,
}

impl<'a> Names<'a> {
    /// Split every name of the study once.
    fn new(study: &'a Study) -> Self {
        let mut phrases = Phrases::new();
        let mut list = |names: Vec<&String>| -> Vec<(usize, String)> {
            names.into_iter().map(|n| (phrases.add(n), n.clone())).collect()
        };
        let units = study
            .units
            .iter()
            .map(|u| list(std::iter::once(&u.id).chain(u.name.0.values()).chain(u.places.iter()).collect()))
            .collect();
        let regions = study.regions.iter().map(|r| list(r.name.0.values().collect())).collect();
        let models = study.models.iter().map(|m| list(m.short.0.values().chain(m.name.0.values()).collect())).collect();
        let mut per_region: HashMap<&str, usize> = HashMap::new();
        for u in &study.units {
            *per_region.entry(u.region.as_str()).or_default() += 1;
        }
        let in_region = study.units.iter().map(|u| per_region[u.region.as_str()]).collect();
        Names { study, phrases, units, in_region, regions, models }
    }

    /// The unit a text names, if any: directly, or as a region together with a model when
    /// that region runs units of more than one model.
    fn named_unit(&self, text: &[String]) -> Option<(&'a crate::study::Unit, String)> {
        let found = self.phrases.found(text);
        let study = self.study;
        for (unit, names) in study.units.iter().zip(&self.units) {
            if let Some(name) = found.first(names) {
                return Some((unit, name.to_string()));
            }
        }
        for (unit, &in_region) in study.units.iter().zip(&self.in_region) {
            if in_region < 2 {
                continue;
            }
            let region = study.regions.iter().position(|r| r.id == unit.region)?;
            let model = study.models.iter().position(|m| m.id == unit.model)?;
            let region_name = found.first(&self.regions[region]);
            let model_name = found.first(&self.models[model]);
            if let (Some(r), Some(m)) = (region_name, model_name) {
                return Some((unit, format!("{r} … {m}")));
            }
        }
        None
    }

    /// Is some unit the only one in its region?
    fn any_lone(&self) -> bool {
        self.in_region.contains(&1)
    }

    /// The first unit that is the only one in its region and that a text names, with the
    /// name it uses.
    fn lone_named(&self, text: &str) -> Option<(String, String)> {
        let found = self.phrases.found(&words(text));
        if found.0.is_empty() {
            return None;
        }
        self.study
            .units
            .iter()
            .zip(&self.units)
            .zip(&self.in_region)
            .filter(|(_, &n)| n == 1)
            .find_map(|((u, names), _)| found.first(names).map(|n| (u.id.clone(), n.to_string())))
    }
}

/// Sentences of a text (split after `.`, `!`, `?` followed by a space or line end, and at
/// blank lines), each with its 1-based starting line.
fn sentences(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 1;
    let mut line = 1;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if current.trim().is_empty() {
            start = line;
        }
        current.push(c);
        let next = chars.get(i + 1).copied();
        let end =
            matches!(c, '.' | '!' | '?') && next.is_none_or(char::is_whitespace) || (c == '\n' && next == Some('\n'));
        if c == '\n' {
            line += 1;
        }
        if end {
            if !current.trim().is_empty() {
                out.push((start, current.trim().to_string()));
            }
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        out.push((start, current.trim().to_string()));
    }
    out
}

/// Prose as a reader sees it: `{{ values }}`, `{# comments #}` and `@references` are not
/// words of the text (they are blanked, keeping line breaks).
fn printed_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{").or_else(|| rest.find("{#")) {
        let close = if rest[start..].starts_with("{{") { "}}" } else { "#}" };
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find(close) else {
            rest = &rest[start..];
            break;
        };
        out.extend(rest[start..start + len + 2].chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    let mut cleaned = String::with_capacity(out.len());
    let mut chars = out.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '@' {
            cleaned.push(' ');
            while chars.peek().is_some_and(|c| c.is_alphanumeric() || *c == '-' || *c == '_') {
                chars.next();
                cleaned.push(' ');
            }
        } else {
            cleaned.push(c);
        }
    }
    cleaned
}

/// What the dialogue conference said and the questions put to it: printed too.
fn dialogue_texts(study: &Study) -> Vec<(&Pos, String, &crate::study::Text)> {
    let mut out: Vec<(&Pos, String, &crate::study::Text)> = Vec::new();
    for q in &study.discussion {
        out.push((&q.pos, "question".into(), &q.question));
    }
    if let Some(d) = &study.dialogue {
        for f in &d.feedback {
            out.extend([
                (&f.pos, "feedback".into(), &f.feedback),
                (&f.pos, "text".into(), &f.text),
                (&f.pos, "reason".into(), &f.reason),
            ]);
        }
        for r in &d.participants {
            out.push((&r.pos, "role".into(), &r.role));
        }
    }
    out
}

/// What a text that names a unit alone in its region is told.
fn lone_message(unit: &str, name: &str) -> String {
    format!(
        "names unit `{unit}` (as `{name}`), the only unit in its region, so every interview of that region is tied to one place; describe it without its name"
    )
}

/// [`check`]'s part for prose, for the prose files `which` selects: what it would say of
/// them (`bsb watch` checks a saved chapter again without the rest of the study).
pub(crate) fn check_prose(study: &Study, which: &dyn Fn(&crate::study::Prose) -> bool, p: &mut Problems) {
    let names = Names::new(study);
    if !names.any_lone() {
        return;
    }
    for prose in study.prose.iter().filter(|x| which(x)) {
        check_prose_with(&names, prose, p);
    }
}

/// Each sentence of one prose file that names a unit alone in its region.
fn check_prose_with(names: &Names<'_>, prose: &crate::study::Prose, p: &mut Problems) {
    for (line, sentence) in sentences(&printed_text(&prose.text)) {
        if let Some((unit, name)) = names.lone_named(&sentence) {
            p.push(prose.file.clone(), Some(line), "", lone_message(&unit, &name));
        }
    }
}

/// Notes: an interview id together with a unit.
fn check_notes(study: &Study, names: &Names<'_>, p: &mut Problems) {
    let mut interviews = Phrases::new();
    for i in &study.interviews {
        interviews.add(&i.id);
    }
    for note in &study.notes {
        for (lang, text) in &note.text.0 {
            let w = words(text);
            let found = interviews.found(&w);
            let ids: Vec<&str> = found.0.iter().map(|&i| study.interviews[i].id.as_str()).collect();
            if ids.is_empty() {
                continue;
            }
            if let Some((unit, name)) = names.named_unit(&w) {
                p.at(
                    &note.pos,
                    format!("text_{lang}"),
                    format!(
                        "a note must not tie an interview to a unit (finer than the sampling table): it names {} together with unit `{}` (as `{name}`)",
                        ids.join(", "),
                        unit.id
                    ),
                );
            }
        }
    }
}

/// Flag every note, sentence, caption or label that ties people to a place (see the module).
pub fn check(study: &Study, p: &mut Problems) {
    let names = Names::new(study);
    check_notes(study, &names, p);
    // Prose and context: a unit that is alone in its region, by name or place.
    if !names.any_lone() {
        return;
    }
    let lone_named = |text: &str| names.lone_named(text);
    for prose in &study.prose {
        check_prose_with(&names, prose, p);
    }
    let mut labelled: Vec<(&crate::problem::Pos, String, &crate::study::Text)> = Vec::new();
    for f in &study.facts {
        labelled.push((&f.pos, "label".into(), &f.label));
    }
    for s in &study.sets {
        labelled.push((&s.pos, "title".into(), &s.title));
    }
    for s in &study.shares {
        labelled.push((&s.pos, "label".into(), &s.label));
    }
    for e in &study.events {
        labelled.push((&e.pos, "label".into(), &e.label));
    }
    for n in &study.notes {
        labelled.push((&n.pos, "text".into(), &n.text));
    }
    labelled.extend(dialogue_texts(study));
    let m = &study.meta;
    // study.toml, where the units are (the meta has no position of its own).
    let Some(study_file) = study.units.first().map(|u| Pos { file: u.pos.file.clone(), line: None }) else { return };
    for (field, text) in [
        ("title", &m.title),
        ("subtitle", &m.subtitle),
        ("short_title", &m.short_title),
        ("commissioner", &m.commissioner),
        ("author", &m.author),
        ("excerpt_notice", &m.excerpt_notice),
    ] {
        labelled.push((&study_file, field.into(), text));
    }
    // The study's own words for the skeleton (captions, headings): line by line.
    let base = study_file.file.strip_suffix("study.toml").unwrap_or("");
    for f in study.files.iter().filter(|f| f.path.starts_with("words/") || f.path.starts_with("lang/")) {
        for (n, line) in String::from_utf8_lossy(&f.bytes).lines().enumerate() {
            if let Some((unit, name)) = lone_named(line) {
                p.push(format!("{base}{}", f.path), Some(n + 1), "", lone_message(&unit, &name));
            }
        }
    }
    for (pos, field, text) in labelled {
        for (lang, t) in &text.0 {
            if let Some((unit, name)) = lone_named(t) {
                p.at(pos, format!("{field}_{lang}"), lone_message(&unit, &name));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_only() {
        let w = words("Dataene legger eneintervjuet I19 til modell I, ikke modell II.");
        assert!(contains(&w, "I19"));
        assert!(contains(&w, "Modell I"));
        assert!(!contains(&w, "I1"));
        assert!(contains(&words("Helse Sør-Øst sier"), "Helse Sør-Øst"));
    }

    #[test]
    fn values_and_references_are_not_words() {
        let t = printed_text("It has {{ fact.unn_places }} places (@fig-unn-x).\nNext");
        assert!(!contains(&words(&t), "unn"));
        assert!(t.contains("\nNext"));
    }

    #[test]
    fn sentences_and_their_lines() {
        let s = sentences("First one. Second\nline two.\n\nThird");
        assert_eq!(s, vec![(1, "First one.".into()), (1, "Second\nline two.".into()), (4, "Third".into())]);
    }
}
