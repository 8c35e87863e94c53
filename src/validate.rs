//! Every rule a loaded study must satisfy before anything is computed from it: unique ids,
//! references that resolve, every language present, numbers that add up, and privacy.
//! Rules that a study can break and still be built (an interview with no excerpt yet)
//! are warnings; the rest are errors. All are reported in one run.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::problem::{Pos, Problem, Problems};
use crate::study::{InterviewKind, Measure, Study};

/// Longest excerpt accepted; excerpts are short paraphrases (about 40 words).
pub const MAX_EXCERPT_WORDS: usize = 50;
/// Shares of one whole may miss 100 by this much through rounding.
const SHARE_TOLERANCE: f64 = 1.0;

/// What validation found: errors stop the build, warnings are printed.
pub struct Findings {
    /// Problems that stop the build, each naming file, line and field.
    pub errors: Vec<Problem>,
    /// Problems worth saying that do not stop it.
    pub warnings: Vec<Problem>,
}

/// Check a loaded study as a whole (ids, references, languages, privacy names), collecting every problem at once.
pub fn validate(study: &Study) -> Findings {
    let mut errors = Problems::default();
    let mut warnings = Problems::default();
    unique_ids(study, &mut errors);
    let mut refs = Refs::new(study);
    references(study, &mut refs, &mut errors);
    completeness(study, &mut refs, &mut errors);
    refs.summary(study, &mut errors);
    numbers(study, &mut errors);
    privacy(study, &mut errors);
    crate::privacy::names::check(study, &mut errors);
    prose_languages(study, &mut errors);
    crate::references::check(study, &mut errors);
    coverage(study, &mut warnings);
    crate::fonts::check(study, &mut errors);
    crate::analysis::trait_evidence::check(study, &mut warnings);
    crate::study::dialogue::check(study, &mut errors, &mut warnings);
    Findings { errors: errors.into_sorted(), warnings: warnings.into_sorted() }
}

/// The checks of [`validate`] that read a prose file's text (names of units alone in
/// their region, citations, characters the fonts lack), for the prose files `which`
/// selects; errors only, sorted. Of a study whose other files have not changed since
/// [`validate`] passed, these are every error an edit of those files can make: `bsb
/// watch` checks a saved chapter with them alone. (A new check in [`validate`] that
/// reads prose belongs here too.)
pub fn validate_prose(study: &Study, which: &dyn Fn(&crate::study::Prose) -> bool) -> Vec<Problem> {
    let mut errors = Problems::default();
    crate::privacy::names::check_prose(study, which, &mut errors);
    crate::references::check_prose(study, which, &mut errors);
    let files: BTreeSet<String> =
        study.prose.iter().filter(|x| which(x)).map(|x| format!("prose/{}/{}.typ", x.lang, x.chapter)).collect();
    crate::fonts::check_files(study, &|path| files.contains(path), &mut errors);
    errors.into_sorted()
}

fn unique<'a>(items: impl IntoIterator<Item = (&'a str, &'a Pos)>, what: &str, problems: &mut Problems) {
    let mut seen: BTreeMap<&str, &Pos> = BTreeMap::new();
    for (id, pos) in items {
        if id.is_empty() {
            continue;
        }
        if let Some(first) = seen.get(id) {
            let at = first.line.map(|l| format!("{}:{l}", first.file)).unwrap_or_else(|| first.file.clone());
            problems.at(pos, "id", format!("expected a unique {what} id, found `{id}` again (first at {at})"));
        } else {
            seen.insert(id, pos);
        }
    }
}

fn unique_ids(s: &Study, p: &mut Problems) {
    unique(s.models.iter().map(|x| (x.id.as_str(), &x.pos)), "model", p);
    unique(s.regions.iter().map(|x| (x.id.as_str(), &x.pos)), "region", p);
    unique(s.units.iter().map(|x| (x.id.as_str(), &x.pos)), "unit", p);
    unique(s.interviews.iter().map(|x| (x.id.as_str(), &x.pos)), "interview", p);
    unique(s.codes.iter().map(|x| (x.id.as_str(), &x.pos)), "code", p);
    unique(s.excerpts.iter().map(|x| (x.id.as_str(), &x.pos)), "excerpt", p);
    unique(s.traits.iter().map(|x| (x.id.as_str(), &x.pos)), "trait", p);
    unique(s.factors.iter().map(|x| (x.id.as_str(), &x.pos)), "factor", p);
    unique(s.rec_columns.iter().map(|x| (x.id.as_str(), &x.pos)), "recommendation column", p);
    unique(s.recommendations.iter().map(|x| (x.id.as_str(), &x.pos)), "recommendation", p);
    unique(s.events.iter().map(|x| (x.id.as_str(), &x.pos)), "event", p);
    unique(s.facts.iter().map(|x| (x.id.as_str(), &x.pos)), "fact", p);
    unique(s.sets.iter().map(|x| (x.id.as_str(), &x.pos)), "set", p);
    unique(s.published.iter().map(|x| (x.id.as_str(), &x.pos)), "published figure", p);
    unique(s.notes.iter().map(|x| (x.id.as_str(), &x.pos)), "note", p);
    unique(s.discussion.iter().map(|x| (x.id.as_str(), &x.pos)), "discussion question", p);
    let keyed: Vec<(String, &Pos)> = s.shares.iter().map(|x| (format!("{}/{}", x.set, x.id), &x.pos)).collect();
    unique(keyed.iter().map(|(k, p)| (k.as_str(), *p)), "share (set/id)", p);
    let cells: Vec<(String, &Pos)> =
        s.model_findings.iter().map(|x| (format!("{}/{}", x.trait_id, x.model), &x.pos)).collect();
    unique(cells.iter().map(|(k, p)| (k.as_str(), *p)), "finding (trait/model)", p);
}

fn ids<'a, T>(items: &'a [T], id: impl Fn(&'a T) -> &'a str) -> BTreeSet<&'a str> {
    items.iter().map(id).collect()
}

/// Checks that references resolve, except into a table a file of which could not be read:
/// those are counted and summarised once, since each would only repeat that file's error.
struct Refs<'a> {
    unreadable: BTreeSet<&'a str>,
    skipped: usize,
}

/// The table an id of `what` lives in.
fn table_of(what: &str) -> &'static str {
    match what {
        "interview" => "interviews",
        "code" => "codebook",
        "trait" => "traits",
        "recommendation column" => "recommendation-columns",
        "set" => "context/sets",
        "fact" => "context/facts",
        "finding" => "model-findings",
        "share" => "context/shares",
        "excerpt" => "excerpts",
        _ => "study.toml",
    }
}

impl<'a> Refs<'a> {
    fn new(s: &'a Study) -> Self {
        Refs { unreadable: s.unreadable.iter().map(|u| u.table.as_str()).collect(), skipped: 0 }
    }

    /// Whether the table holding `what` was read whole; counts a skipped check if not.
    fn readable(&mut self, what: &str) -> bool {
        if self.unreadable.contains(table_of(what)) {
            self.skipped += 1;
            false
        } else {
            true
        }
    }

    fn check(&mut self, set: &BTreeSet<&str>, value: &str, pos: &Pos, field: &str, what: &str, p: &mut Problems) {
        if !value.is_empty() && !set.contains(value) && self.readable(what) {
            let hint = crate::diagnostic::nearest(value, set.iter().copied())
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            p.at(pos, field, format!("expected the id of a {what}, found `{value}`, which does not exist{hint}"));
        }
    }

    fn summary(&self, s: &Study, p: &mut Problems) {
        if s.unreadable.is_empty() {
            return;
        }
        let files: BTreeSet<&str> = s.unreadable.iter().map(|u| u.file.as_str()).collect();
        let dir = files.iter().next().and_then(|f| f.split('/').next()).unwrap_or("data");
        p.push(
            dir,
            None,
            "",
            format!(
                "{} file(s) could not be read ({}); {} reference(s) into them were not checked",
                files.len(),
                files.iter().copied().collect::<Vec<_>>().join(", "),
                self.skipped
            ),
        );
    }
}

fn references(s: &Study, refs: &mut Refs, p: &mut Problems) {
    let models = ids(&s.models, |m| &m.id);
    let regions = ids(&s.regions, |r| &r.id);
    let units = ids(&s.units, |u| &u.id);
    let interviews = ids(&s.interviews, |i| &i.id);
    let codes = ids(&s.codes, |c| &c.id);
    let traits = ids(&s.traits, |t| &t.id);
    let columns = ids(&s.rec_columns, |c| &c.id);
    let sets = ids(&s.sets, |x| &x.id);
    let facts = ids(&s.facts, |f| &f.id);

    for u in &s.units {
        refs.check(&regions, &u.region, &u.pos, "region", "region", p);
        refs.check(&models, &u.model, &u.pos, "model", "model", p);
    }
    for i in &s.interviews {
        refs.check(&regions, &i.region, &i.pos, "region", "region", p);
        refs.check(&units, &i.unit, &i.pos, "unit", "unit", p);
        if let Some(unit) = s.unit(&i.unit) {
            if regions.contains(i.region.as_str()) && unit.region != i.region {
                p.at(
                    &i.pos,
                    "unit",
                    format!("expected a unit in region `{}`, found `{}` of region `{}`", i.region, i.unit, unit.region),
                );
            }
        }
    }
    code_references(s, refs, &codes, p);
    excerpt_references(s, refs, &interviews, &codes, p);
    for t in &s.traits {
        for c in &t.codes {
            refs.check(&codes, c, &t.pos, "codes", "code", p);
        }
    }
    for f in &s.model_findings {
        refs.check(&traits, &f.trait_id, &f.pos, "trait", "trait", p);
        refs.check(&models, &f.model, &f.pos, "model", "model", p);
    }
    for r in &s.recommendations {
        refs.check(&columns, &r.column, &r.pos, "column", "recommendation column", p);
        for basis in &r.rests_on {
            if !codes.contains(basis.as_str())
                && !traits.contains(basis.as_str())
                && refs.readable("code")
                && refs.readable("trait")
            {
                p.at(
                    &r.pos,
                    "rests_on",
                    format!("expected the id of a theme, code or trait, found `{basis}`, which does not exist"),
                );
            }
        }
    }
    for x in &s.shares {
        refs.check(&sets, &x.set, &x.pos, "set", "set", p);
    }
    for x in &s.sets {
        if let Some(total) = &x.total_fact {
            refs.check(&facts, total, &x.pos, "total_fact", "fact", p);
        }
    }
    for x in &s.published {
        if !known_metric(s, &x.metric) {
            p.at(&x.pos, "metric", format!("expected a metric the analysis computes (like `interviews.group` or `region.<id>.participants`), found `{}`", x.metric));
        }
    }
}

/// The codes' parents: each names a code that exists, and the chain of parents ends in
/// a theme rather than going round.
fn code_references(s: &Study, refs: &mut Refs, codes: &BTreeSet<&str>, p: &mut Problems) {
    for c in &s.codes {
        if let Some(parent) = &c.parent {
            refs.check(&codes, parent, &c.pos, "parent", "code", p);
            if codes.contains(parent.as_str()) && s.theme_of(&c.id).is_none() {
                p.at(
                    &c.pos,
                    "parent",
                    format!("expected a parent chain that ends in a theme, found a cycle through `{}`", c.id),
                );
            }
        }
    }
}

/// The excerpts' references: each names an interview and codes that exist, a participant
/// belongs to one interview, and an interview has at least as many participants as its
/// excerpts name.
fn excerpt_references(
    s: &Study,
    refs: &mut Refs,
    interviews: &BTreeSet<&str>,
    codes: &BTreeSet<&str>,
    p: &mut Problems,
) {
    let mut owner: BTreeMap<&str, (&str, &Pos)> = BTreeMap::new();
    let mut per_interview: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for e in &s.excerpts {
        refs.check(&interviews, &e.interview, &e.pos, "interview", "interview", p);
        if e.codes.is_empty() {
            p.at(&e.pos, "codes", "expected at least one code, found none");
        }
        for c in &e.codes {
            refs.check(&codes, c, &e.pos, "codes", "code", p);
        }
        match owner.get(e.participant.as_str()) {
            Some((iv, _)) if *iv != e.interview => p.at(
                &e.pos,
                "participant",
                format!(
                    "expected `{}` to belong to one interview, found it in `{iv}` and `{}`",
                    e.participant, e.interview
                ),
            ),
            Some(_) => {}
            None => {
                owner.insert(&e.participant, (&e.interview, &e.pos));
            }
        }
        per_interview.entry(&e.interview).or_default().insert(&e.participant);
    }
    for (iv, people) in &per_interview {
        if let Some(i) = s.interview(iv) {
            if people.len() as u32 > i.participants {
                p.at(
                    &i.pos,
                    "participants",
                    format!(
                        "expected at least as many participants as the excerpts name, found {} but excerpts name {}",
                        i.participants,
                        people.len()
                    ),
                );
            }
        }
    }
}

/// The metrics that the published report's figures may be compared with.
pub fn known_metric(s: &Study, key: &str) -> bool {
    let parts: Vec<&str> = key.split('.').collect();
    match parts.as_slice() {
        ["interviews", "individual" | "group" | "total"] | ["participants", "total"] => true,
        ["region", id, "individual" | "group" | "participants" | "interviews"] => s.regions.iter().any(|r| r.id == *id),
        ["model", id, "individual" | "group" | "participants" | "interviews"] => s.models.iter().any(|m| m.id == *id),
        _ => false,
    }
}

/// What a complete study has in every cell: a finding for every trait and model, parts for
/// every set (checked with the sums, below).
fn completeness(s: &Study, r: &mut Refs, p: &mut Problems) {
    let cells: BTreeSet<(&str, &str)> =
        s.model_findings.iter().map(|f| (f.trait_id.as_str(), f.model.as_str())).collect();
    for t in &s.traits {
        for m in &s.models {
            if !cells.contains(&(t.id.as_str(), m.id.as_str())) && r.readable("finding") {
                p.at(
                    &t.pos,
                    "id",
                    format!(
                        "expected a finding for trait `{}` and model `{}` in model-findings.csv, found none",
                        t.id, m.id
                    ),
                );
            }
        }
    }
}

fn numbers(s: &Study, p: &mut Problems) {
    for i in &s.interviews {
        match i.kind {
            InterviewKind::Group if i.participants < 2 => p.at(
                &i.pos,
                "participants",
                format!("expected at least 2 in a group interview, found {}", i.participants),
            ),
            InterviewKind::Individual if i.participants != 1 => {
                p.at(&i.pos, "participants", format!("expected 1 in an individual interview, found {}", i.participants))
            }
            _ => {}
        }
    }
    // Sums over a table that could not be read whole would only repeat its error.
    let shares_read = !s.unreadable.iter().any(|u| u.table == "context/shares" || u.table == "context/facts");
    for set in s.sets.iter().filter(|_| shares_read) {
        let parts: Vec<_> = s.shares.iter().filter(|x| x.set == set.id).collect();
        if parts.is_empty() {
            p.at(&set.pos, "id", format!("expected parts for set `{}` in context/shares.csv, found none", set.id));
            continue;
        }
        let sum: f64 = parts.iter().map(|x| x.value).sum();
        for part in &parts {
            if part.value < 0.0 {
                p.at(&part.pos, "value", format!("expected a share of at least 0, found {}", part.value));
            }
        }
        if set.unit == Measure::Percent && (sum - 100.0).abs() > SHARE_TOLERANCE {
            p.at(
                &set.pos,
                "id",
                format!("expected the shares of `{}` to sum to 100 (within rounding), found {sum}", set.id),
            );
        }
        if let Some(total) = set.total_fact.as_ref().and_then(|t| s.facts.iter().find(|f| &f.id == t)) {
            if (sum - total.value).abs() > 1e-9 {
                p.at(
                    &set.pos,
                    "total_fact",
                    format!(
                        "expected the parts of `{}` to sum to `{}` = {}, found {sum}",
                        set.id, total.id, total.value
                    ),
                );
            }
        }
    }
    for f in &s.facts {
        if f.unit == Measure::Percent && !(0.0..=100.0).contains(&f.value) {
            p.at(&f.pos, "value", format!("expected a percentage from 0 to 100, found {}", f.value));
        }
    }
}

/// Lowercased words of a text, for whole-word matching of names.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '-').filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

fn privacy(s: &Study, p: &mut Problems) {
    let mut names: Vec<String> = s.meta.identifying_terms.clone();
    for r in &s.regions {
        names.extend(r.name.0.values().cloned());
    }
    for u in &s.units {
        names.extend(u.name.0.values().cloned());
        names.extend(u.places.iter().cloned());
    }
    names.sort();
    names.dedup();
    // Names by their first word, so each excerpt is scanned once whatever the number of names.
    let mut by_first: HashMap<String, Vec<(String, Vec<String>)>> = HashMap::new();
    for name in names {
        let phrase = words(&name);
        if let Some(first) = phrase.first().cloned() {
            by_first.entry(first).or_default().push((name, phrase));
        }
    }
    for e in &s.excerpts {
        for (lang, text) in &e.text.0 {
            let w = words(text);
            let mut found: Vec<&str> = Vec::new();
            for i in 0..w.len() {
                for (name, phrase) in by_first.get(&w[i]).map(Vec::as_slice).unwrap_or(&[]) {
                    if w[i..].starts_with(phrase) && !found.contains(&name.as_str()) {
                        found.push(name);
                    }
                }
            }
            for name in found {
                p.at(
                    &e.pos,
                    format!("text_{lang}"),
                    format!("expected no region, unit or place name in an excerpt, found `{name}`"),
                );
            }
            if w.len() > MAX_EXCERPT_WORDS {
                p.at(
                    &e.pos,
                    format!("text_{lang}"),
                    format!("expected a short paraphrase of at most {MAX_EXCERPT_WORDS} words, found {}", w.len()),
                );
            }
        }
    }
}

fn prose_languages(s: &Study, p: &mut Problems) {
    let chapters: BTreeSet<&str> = s.prose.iter().map(|x| x.chapter.as_str()).collect();
    for chapter in chapters {
        for lang in &s.meta.languages {
            if s.prose(lang, chapter).is_none() {
                let other = s.prose.iter().find(|x| x.chapter == chapter).map(|x| x.file.clone()).unwrap_or_default();
                p.push(
                    other,
                    None,
                    "",
                    format!("expected this chapter in language `{lang}` too (prose/{lang}/{chapter}.typ), found none"),
                );
            }
        }
    }
}

/// What a complete study has but a study under way may lack: every subtheme evidenced by
/// at least three excerpts and every interview by at least one.
fn coverage(s: &Study, w: &mut Problems) {
    let ancestors = s.ancestors();
    let mut evidence: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &s.excerpts {
        for node in s.evidence_nodes(e, &ancestors) {
            *evidence.entry(node).or_default() += 1;
        }
    }
    for c in s.codes.iter().filter(|c| c.parent.is_some()) {
        let n = evidence.get(c.id.as_str()).copied().unwrap_or(0);
        if n < 3 {
            w.at(&c.pos, "id", format!("expected at least 3 excerpts coded to subtheme `{}`, found {n}", c.id));
        }
    }
    let cited: BTreeSet<&str> = s.excerpts.iter().map(|e| e.interview.as_str()).collect();
    for i in &s.interviews {
        if !cited.contains(i.id.as_str()) {
            w.at(&i.pos, "id", format!("expected at least one excerpt from interview `{}`, found none", i.id));
        }
    }
}
