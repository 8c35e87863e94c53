//! An independent reader of a published study (issue 23), written without the program's
//! privacy code. Everything a careful reader holds (every cell of the framework matrix,
//! the model matrix and the table of people per model, the sampling table, and the
//! excerpts printed under each theme with or without their model) becomes a system of
//! integer facts, together with the relations between counts that are true of the data,
//! each checked here on sets counted from the data files. A small solver of its own
//! (bounds propagation, then depth-first search that splits domains) asks, for every
//! hidden count of 1 … k−1 people, whether each value 1 … k−1 is still possible. Every
//! "possible" comes with a full assignment, checked against every fact.
//!
//! The reader also knows the labelling rules: an excerpt counted in a row that prints
//! `<k` never carries its model (true of the rule before issue 23, which unlabelled such
//! rows, and of the rule after it, which unlabels every theme with a hidden count).

use std::collections::{BTreeMap, BTreeSet};

use crate::common::*;

/// One coded excerpt, from the data files.
pub struct Excerpt {
    pub id: String,
    pub interview: String,
    pub person: String,
    pub codes: Vec<String>,
    pub text: String,
}

/// A study as its data files give it: what the reader's facts are checked against.
pub struct Data {
    pub k: i64,
    /// Model id, English name (the label an excerpt prints) and short name (tables).
    pub models: Vec<(String, String, String)>,
    /// Region → participants and interviews (the public sampling table).
    pub regions: BTreeMap<String, (i64, i64)>,
    /// Unit → (region, model index).
    pub units: BTreeMap<String, (String, usize)>,
    /// Interview → (unit, participants).
    pub interviews: BTreeMap<String, (String, i64)>,
    /// Code → parent ("" for a theme), and the codes in codebook order.
    pub parent: BTreeMap<String, String>,
    pub codes: Vec<String>,
    /// Code → "section label" as figures name it.
    pub labels: BTreeMap<String, String>,
    pub excerpts: Vec<Excerpt>,
    /// Trait → its codes.
    pub traits: Vec<(String, Vec<String>)>,
}

fn csv_files(dir: &Path) -> Vec<PathBuf> {
    if dir.is_file() {
        return vec![dir.to_path_buf()];
    }
    let mut csv_dir = dir.to_path_buf();
    if !csv_dir.is_dir() {
        csv_dir.set_extension("csv");
        return if csv_dir.is_file() { vec![csv_dir] } else { Vec::new() };
    }
    let mut files: Vec<PathBuf> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.retain(|f| f.extension().is_some_and(|e| e == "csv"));
    files.sort();
    files
}

impl Data {
    /// Read `dir` (a study's data directory, or a stripped copy of one).
    pub fn read(dir: &Path) -> Data {
        let doc: toml::Table = fs::read_to_string(dir.join("study.toml")).unwrap().parse().unwrap();
        let arr = |key: &str| doc.get(key).and_then(|v| v.as_array()).cloned().unwrap_or_default();
        let s = |v: &toml::Value, f: &str| v.get(f).and_then(|x| x.as_str()).unwrap_or_default().to_string();
        let models: Vec<(String, String, String)> =
            arr("model").iter().map(|m| (s(m, "id"), s(m, "name_en"), s(m, "short_en"))).collect();
        let units = arr("unit")
            .iter()
            .map(|u| (s(u, "id"), (s(u, "region"), models.iter().position(|m| m.0 == s(u, "model")).unwrap())))
            .collect();
        let mut interviews = BTreeMap::new();
        let mut regions: BTreeMap<String, (i64, i64)> = arr("region").iter().map(|r| (s(r, "id"), (0, 0))).collect();
        for r in read_csv(&dir.join("interviews.csv")) {
            let n: i64 = r["participants"].parse().unwrap();
            interviews.insert(r["id"].clone(), (r["unit"].clone(), n));
            let reg = regions.get_mut(&r["region"]).unwrap();
            reg.0 += n;
            reg.1 += 1;
        }
        let (mut parent, mut codes, mut labels) = (BTreeMap::new(), Vec::new(), BTreeMap::new());
        for f in csv_files(&dir.join("codebook")) {
            for r in read_csv(&f) {
                let section = r.get("section").cloned().unwrap_or_default();
                let label = r.get("label_en").cloned().unwrap_or_default();
                let name = if section.is_empty() { label } else { format!("{section} {label}") };
                labels.insert(r["id"].clone(), name);
                parent.insert(r["id"].clone(), r["parent"].clone());
                codes.push(r["id"].clone());
            }
        }
        let mut excerpts = Vec::new();
        for f in csv_files(&dir.join("excerpts")) {
            for r in read_csv(&f) {
                excerpts.push(Excerpt {
                    id: r["id"].clone(),
                    interview: r["interview"].clone(),
                    person: r["participant"].clone(),
                    codes: r["codes"].split(';').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect(),
                    text: r.get("text_en").cloned().unwrap_or_default(),
                });
            }
        }
        let traits = if dir.join("traits.csv").exists() {
            read_csv(&dir.join("traits.csv"))
                .into_iter()
                .map(|r| (r["id"].clone(), r["codes"].split(';').map(|c| c.trim().to_string()).collect()))
                .collect()
        } else {
            Vec::new()
        };
        let k = doc.get("small_cell_k").and_then(|v| v.as_integer()).unwrap_or(3);
        Data { k, models, regions, units, interviews, parent, codes, labels, excerpts, traits }
    }

    /// Themes in codebook order.
    pub fn themes(&self) -> Vec<String> {
        self.codes.iter().filter(|c| self.parent[*c].is_empty()).cloned().collect()
    }

    /// The theme a code is under (itself for a theme).
    pub fn theme_of(&self, code: &str) -> String {
        let mut c = code.to_string();
        while !self.parent[&c].is_empty() {
            c = self.parent[&c].clone();
        }
        c
    }

    /// Every node an excerpt is evidence for: its codes and all above them.
    pub fn nodes(&self, e: &Excerpt) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for c in &e.codes {
            let mut c = c.clone();
            loop {
                out.insert(c.clone());
                match self.parent.get(&c) {
                    Some(p) if !p.is_empty() => c = p.clone(),
                    _ => break,
                }
            }
        }
        out
    }

    /// The model of an excerpt (through its interview's unit).
    pub fn model_of(&self, e: &Excerpt) -> usize {
        self.units[&self.interviews[&e.interview].0].1
    }

    /// Excerpt ids and people of a row (a code, or `total`) and a model (or all).
    fn sets(&self, row: &str, model: Option<usize>) -> (BTreeSet<&str>, BTreeSet<&str>) {
        let mut ex = BTreeSet::new();
        let mut people = BTreeSet::new();
        for e in &self.excerpts {
            if model.is_some_and(|m| self.model_of(e) != m) {
                continue;
            }
            if row == "total" || self.nodes(e).contains(row) {
                ex.insert(e.id.as_str());
                people.insert(e.person.as_str());
            }
        }
        (ex, people)
    }
}

/// What a build printed: its tables and the excerpts under each theme of the appendix.
#[derive(Clone)]
pub struct Printed {
    /// Table name → rows (column → printed text).
    pub tables: BTreeMap<String, Vec<BTreeMap<String, String>>>,
    /// Per theme (in order): each printed excerpt's id and its model label ("" for none).
    pub appendix: Vec<Vec<(String, String)>>,
}

/// A typst string literal starting at `s` (after its opening quote): its text and the rest.
pub fn literal(s: &str) -> (String, &str) {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next().map(|x| x.1) {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(x) => out.push(x),
                None => {}
            },
            '"' => return (out, &s[i + 1..]),
            c => out.push(c),
        }
    }
    (out, "")
}

/// Every `#excerpt(words, model)` under each `==` heading of the section whose `=` heading
/// contains `heading`, as (words, model).
pub fn excerpts_under(main: &str, heading: &str) -> Vec<Vec<(String, String)>> {
    let mut out: Vec<Vec<(String, String)>> = Vec::new();
    let mut inside = false;
    for line in main.lines() {
        if line.starts_with("= ") {
            inside = line.contains(heading);
            continue;
        }
        if !inside {
            continue;
        }
        if line.starts_with("== ") {
            out.push(Vec::new());
        }
        if let Some(rest) = line.strip_prefix("#excerpt(\"") {
            let (words, rest) = literal(rest);
            let rest = rest.strip_prefix(", ").unwrap_or(rest);
            let (model, _) = literal(rest.strip_prefix('"').unwrap_or(rest));
            out.last_mut().unwrap().push((words, model));
        }
    }
    out
}

impl Printed {
    /// Build the study in `data` (English) and read what it printed.
    pub fn build(data: &Data, data_dir: &Path, work: &Path) -> (Printed, String) {
        let (out, typst) = (work.join("out"), work.join("typst"));
        let o = bsb(&[
            "-q",
            "build",
            "--data",
            data_dir.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--emit-typst",
            typst.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", text_of(&o));
        let main = fs::read_to_string(typst.join("en/main.typ")).unwrap();
        // Printed words name their excerpt; where several excerpts have the same words
        // (a synthetic study copies them), the n-th printed under a theme is the n-th of
        // them under that theme in file order, the order the appendix keeps.
        let themes = data.themes();
        let appendix = excerpts_under(&main, "All excerpts by theme")
            .into_iter()
            .zip(&themes)
            .map(|(items, theme)| {
                let mut queue: BTreeMap<&str, std::collections::VecDeque<&str>> = BTreeMap::new();
                for e in data.excerpts.iter().filter(|e| data.nodes(e).contains(theme)) {
                    queue.entry(e.text.as_str()).or_default().push_back(e.id.as_str());
                }
                items
                    .into_iter()
                    .map(|(words, model)| {
                        let id = queue.get_mut(words.as_str()).and_then(|q| q.pop_front()).expect("printed words");
                        (id.to_string(), model)
                    })
                    .collect()
            })
            .collect();
        (Printed { tables: read_tables(&out.join("report/tables")), appendix }, main)
    }
}

/// The four tables a reader reasons with, from a directory of CSV files.
pub fn read_tables(dir: &Path) -> BTreeMap<String, Vec<BTreeMap<String, String>>> {
    let mut tables = BTreeMap::new();
    for name in ["framework-matrix", "model-matrix", "participants-by-model", "participants"] {
        let path = dir.join(format!("{name}.csv"));
        if path.exists() {
            tables.insert(name.to_string(), read_csv(&path));
        }
    }
    tables
}

/// `lo ≤ Σ a·x ≤ hi`.
#[derive(Clone, Debug)]
struct Lin {
    terms: Vec<(usize, i64)>,
    lo: i64,
    hi: i64,
}

/// A published count of people that is hidden and truly small, with the values 1 … k−1
/// the reader found possible.
#[derive(Debug)]
pub struct Finding {
    pub cell: String,
    pub possible: BTreeSet<i64>,
    /// A value the search could neither rule out nor confirm within its budget.
    pub undecided: BTreeSet<i64>,
}

/// The reader's system: one variable per count, with what is known of it.
pub struct Reader {
    names: Vec<String>,
    lo: Vec<i64>,
    hi: Vec<i64>,
    truth: Vec<i64>,
    cons: Vec<Lin>,
    by_var: Vec<Vec<usize>>,
    /// Hidden people counts that are truly small: the cells to protect.
    pub sensitive: Vec<usize>,
    k: i64,
}

const WIDE: i64 = 1 << 30;

impl Reader {
    fn var(&mut self, name: String, lo: i64, hi: i64, truth: i64) -> usize {
        self.names.push(name);
        self.lo.push(lo);
        self.hi.push(hi);
        self.truth.push(truth);
        self.by_var.push(Vec::new());
        self.names.len() - 1
    }

    fn add(&mut self, terms: Vec<(usize, i64)>, lo: i64, hi: i64) {
        let c = self.cons.len();
        for &(v, _) in &terms {
            self.by_var[v].push(c);
        }
        self.cons.push(Lin { terms, lo, hi });
    }

    /// A relation granted only where it is true of the data.
    fn grant(&mut self, terms: Vec<(usize, i64)>, lo: i64, hi: i64) {
        let s: i64 = terms.iter().map(|&(v, a)| a * self.truth[v]).sum();
        if lo <= s && s <= hi {
            self.add(terms, lo, hi);
        }
    }

    /// The system of everything `printed` shows about the study `data`.
    pub fn new(data: &Data, printed: &Printed) -> Reader {
        let mut r = Reader {
            names: vec![],
            lo: vec![],
            hi: vec![],
            truth: vec![],
            cons: vec![],
            by_var: vec![],
            sensitive: vec![],
            k: data.k,
        };
        let total_people: i64 = data.regions.values().map(|x| x.0).sum::<i64>().max(1);
        let nm = data.models.len();
        let mids: Vec<String> = data.models.iter().map(|m| m.0.clone()).chain(["total".to_string()]).collect();
        // Cells of the framework matrix: (row, model or total) → (excerpts var, people var).
        let mut fw: BTreeMap<(String, usize), (usize, usize)> = BTreeMap::new();
        let empty = Vec::new();
        let fm = printed.tables.get("framework-matrix").unwrap_or(&empty);
        for row in fm {
            let id = row["id"].clone();
            for (mi, m) in mids.iter().enumerate() {
                let (ex, people) = data.sets(&id, (mi < nm).then_some(mi));
                let e = r.cell(
                    format!("framework {id} excerpts_{m}"),
                    &row[&format!("excerpts_{m}")],
                    ex.len() as i64,
                    data.excerpts.len() as i64,
                );
                let p = r.cell(
                    format!("framework {id} participants_{m}"),
                    &row[&format!("participants_{m}")],
                    people.len() as i64,
                    total_people,
                );
                fw.insert((id.clone(), mi), (e, p));
            }
        }
        let rows: Vec<String> = fm.iter().map(|row| row["id"].clone()).collect();
        for id in &rows {
            for measure in 0..2 {
                let pick = |x: (usize, usize)| if measure == 0 { x.0 } else { x.1 };
                // A row's total is the sum of its models (each excerpt and person has one).
                let mut terms: Vec<(usize, i64)> = (0..nm).map(|m| (pick(fw[&(id.clone(), m)]), 1)).collect();
                terms.push((pick(fw[&(id.clone(), nm)]), -1));
                r.grant(terms, 0, 0);
            }
            for mi in 0..=nm {
                let (e, p) = fw[&(id.clone(), mi)];
                // Nobody without an excerpt, and someone behind every excerpt.
                r.add(vec![(p, 1), (e, -1)], -WIDE, 0);
                r.add(vec![(e, 1), (p, -(data.excerpts.len() as i64))], -WIDE, 0);
            }
        }
        r.families(data, &rows, &fw);
        r.model_matrix(data, printed, &fw);
        r.people_per_model(data, printed, &fw);
        r.labels(data, printed, &fw);
        r
    }

    /// A node and its children (the total row and the themes), where true of the sets.
    fn families(&mut self, data: &Data, rows: &[String], fw: &BTreeMap<(String, usize), (usize, usize)>) {
        let r = self;
        let nm = data.models.len();
        let family = |id: &str| -> Vec<String> {
            if id == "total" {
                data.themes()
            } else {
                data.codes.iter().filter(|c| data.parent[*c] == id).cloned().collect()
            }
        };
        for id in rows {
            let kids: Vec<String> = family(id).into_iter().filter(|c| rows.contains(c)).collect();
            if kids.is_empty() {
                continue;
            }
            for mi in 0..=nm {
                let model = (mi < nm).then_some(mi);
                let parent_sets = data.sets(id, model);
                let kid_sets: Vec<_> = kids.iter().map(|c| data.sets(c, model)).collect();
                for measure in 0..2 {
                    let pick = |x: (usize, usize)| if measure == 0 { x.0 } else { x.1 };
                    let pv = pick(fw[&(id.clone(), mi)]);
                    let kv: Vec<usize> = kids.iter().map(|c| pick(fw[&(c.clone(), mi)])).collect();
                    let pset = if measure == 0 { &parent_sets.0 } else { &parent_sets.1 };
                    let ksets: Vec<BTreeSet<&str>> =
                        kid_sets.iter().map(|s| if measure == 0 { s.0.clone() } else { s.1.clone() }).collect();
                    r.union_facts(pv, &kv, pset, &ksets);
                }
            }
        }
    }

    /// The model matrix: a trait is the union of its codes.
    fn model_matrix(&mut self, data: &Data, printed: &Printed, fw: &BTreeMap<(String, usize), (usize, usize)>) {
        let r = self;
        let total_people: i64 = data.regions.values().map(|x| x.0).sum::<i64>().max(1);
        let nm = data.models.len();
        if let Some(mm) = printed.tables.get("model-matrix") {
            for row in mm {
                let Some((_, codes)) = data.traits.iter().find(|t| t.0 == row["id"]) else { continue };
                for mi in 0..nm {
                    let m = &data.models[mi].0;
                    let code_sets: Vec<_> = codes.iter().map(|c| data.sets(c, Some(mi))).collect();
                    let union = |measure: usize| -> BTreeSet<&str> {
                        code_sets.iter().flat_map(|s| if measure == 0 { s.0.clone() } else { s.1.clone() }).collect()
                    };
                    let (ue, up) = (union(0), union(1));
                    let e = r.cell(
                        format!("model-matrix {} excerpts_{m}", row["id"]),
                        &row[&format!("excerpts_{m}")],
                        ue.len() as i64,
                        data.excerpts.len() as i64,
                    );
                    let p = r.cell(
                        format!("model-matrix {} participants_{m}", row["id"]),
                        &row[&format!("participants_{m}")],
                        up.len() as i64,
                        total_people,
                    );
                    r.add(vec![(p, 1), (e, -1)], -WIDE, 0);
                    r.add(vec![(e, 1), (p, -(data.excerpts.len() as i64))], -WIDE, 0);
                    if !codes.iter().all(|c| fw.contains_key(&(c.clone(), mi))) {
                        continue;
                    }
                    for (measure, v, set) in [(0, e, ue), (1, p, up)] {
                        let kv: Vec<usize> = codes
                            .iter()
                            .map(|c| {
                                let x = fw[&(c.clone(), mi)];
                                if measure == 0 {
                                    x.0
                                } else {
                                    x.1
                                }
                            })
                            .collect();
                        let ks: Vec<BTreeSet<&str>> =
                            code_sets.iter().map(|s| if measure == 0 { s.0.clone() } else { s.1.clone() }).collect();
                        r.union_facts(v, &kv, &set, &ks);
                    }
                }
            }
        }
    }

    /// A printed cell: a number is known, `<k` is 1 … k−1, `:` anything up to `ub`.
    fn cell(&mut self, name: String, printed: &str, truth: i64, ub: i64) -> usize {
        let (lo, hi) = match printed {
            ":" => (0, ub),
            p if p.starts_with('<') => (1, self.k - 1),
            p => {
                let v: i64 = p.parse().unwrap_or_else(|_| panic!("{name}: `{p}`"));
                assert_eq!(v, truth, "{name}: the table prints {v}, the data give {truth}");
                (v, v)
            }
        };
        let hidden = lo != hi;
        let i = self.var(name.clone(), lo, hi, truth);
        if hidden && name.contains(" participants_") && (1..self.k).contains(&truth) {
            self.sensitive.push(i);
        }
        i
    }

    /// Parent ⊇ child; parent ≤ Σ children when they cover it; = when they split it.
    fn union_facts(&mut self, parent: usize, kids: &[usize], pset: &BTreeSet<&str>, ksets: &[BTreeSet<&str>]) {
        for (&k, ks) in kids.iter().zip(ksets) {
            if ks.is_subset(pset) {
                self.add(vec![(k, 1), (parent, -1)], -WIDE, 0);
            }
        }
        let union: BTreeSet<&str> = ksets.iter().flatten().copied().collect();
        let sum: usize = ksets.iter().map(BTreeSet::len).sum();
        if union == *pset {
            let mut terms: Vec<(usize, i64)> = kids.iter().map(|&k| (k, 1)).collect();
            terms.push((parent, -1));
            let hi = if sum == union.len() { 0 } else { WIDE };
            self.add(terms, 0, hi);
        }
    }

    /// Table 2 against the sampling table: each region's people and interviews split
    /// between the models of its units; the people heard are among a model's people.
    fn people_per_model(&mut self, data: &Data, printed: &Printed, fw: &BTreeMap<(String, usize), (usize, usize)>) {
        let Some(bm) = printed.tables.get("participants-by-model") else { return };
        let nm = data.models.len();
        let mut parts: Vec<(Vec<(usize, i64)>, Vec<(usize, i64)>)> = vec![(vec![], vec![]); nm];
        for (region, &(people, interviews)) in &data.regions {
            let models: BTreeSet<usize> = data.units.values().filter(|u| u.0 == *region).map(|u| u.1).collect();
            let (mut ps, mut is) = (vec![], vec![]);
            for &m in &models {
                let of = |f: &dyn Fn(&(String, i64)) -> i64| -> i64 {
                    data.interviews.values().filter(|(unit, _)| data.units[unit] == (region.clone(), m)).map(f).sum()
                };
                let (tp, ti) = (of(&|x| x.1), of(&|_| 1));
                let p = self.var(format!("{region} people of {}", data.models[m].0), 0, people, tp);
                let i = self.var(format!("{region} interviews of {}", data.models[m].0), 0, interviews, ti);
                // At least one person per interview.
                self.grant(vec![(i, 1), (p, -1)], -WIDE, 0);
                parts[m].0.push((p, 1));
                parts[m].1.push((i, 1));
                ps.push((p, 1));
                is.push((i, 1));
            }
            self.add(ps, people, people);
            self.add(is, interviews, interviews);
        }
        for (m, (id, _, _)) in data.models.iter().enumerate() {
            let Some(row) = bm.iter().find(|r| r["id"] == *id) else { continue };
            let truth_p: i64 = parts[m].0.iter().map(|&(v, _)| self.truth[v]).sum();
            let truth_i: i64 = parts[m].1.iter().map(|&(v, _)| self.truth[v]).sum();
            let total_people: i64 = data.regions.values().map(|x| x.0).sum();
            let total_iv: i64 = data.regions.values().map(|x| x.1).sum();
            let p = self.cell(
                format!("participants-by-model {id} participants"),
                &row["participants"],
                truth_p,
                total_people,
            );
            let i = self.var(format!("participants-by-model {id} interviews"), 0, total_iv, truth_i);
            let (lo, hi) = match row["interviews"].as_str() {
                ":" => (0, total_iv),
                x if x.starts_with('<') => (1, self.k - 1),
                x => (x.parse().unwrap(), x.parse().unwrap()),
            };
            self.lo[i] = lo;
            self.hi[i] = hi;
            let mut terms = parts[m].0.clone();
            terms.push((p, -1));
            self.add(terms, 0, 0);
            let mut terms = parts[m].1.clone();
            terms.push((i, -1));
            self.add(terms, 0, 0);
            if let Some(&(_, heard)) = fw.get(&("total".to_string(), m)) {
                self.grant(vec![(heard, 1), (p, -1)], -WIDE, 0);
            }
        }
    }

    /// What the excerpts printed per theme tell: per theme and model, how many carry that
    /// model; for every set of unlabelled excerpts printed in the same themes, how many
    /// there are; and that no excerpt of a row printing `<k` carries its model.
    fn labels(&mut self, data: &Data, printed: &Printed, fw: &BTreeMap<(String, usize), (usize, usize)>) {
        let themes = data.themes();
        if printed.appendix.is_empty() {
            return;
        }
        assert_eq!(printed.appendix.len(), themes.len(), "one appendix section per theme");
        let nm = data.models.len();
        let by_id: BTreeMap<&str, &Excerpt> = data.excerpts.iter().map(|e| (e.id.as_str(), e)).collect();
        // An excerpt labelled anywhere has a known model; the others form classes by the
        // themes they are printed in.
        let mut known: BTreeMap<&str, usize> = BTreeMap::new();
        let mut seen_in: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
        for (g, items) in printed.appendix.iter().enumerate() {
            for (id, label) in items {
                seen_in.entry(id.as_str()).or_default().insert(g);
                if !label.is_empty() {
                    let m = data.models.iter().position(|m| m.1 == *label).expect("a model's name");
                    assert_eq!(m, data.model_of(by_id[id.as_str()]), "{id}: the label is the excerpt's true model");
                    known.insert(id.as_str(), m);
                }
            }
        }
        let mut classes: BTreeMap<BTreeSet<usize>, Vec<&str>> = BTreeMap::new();
        for (id, gs) in &seen_in {
            if !known.contains_key(id) {
                classes.entry(gs.clone()).or_default().push(id);
            }
        }
        let mut class_vars: Vec<(BTreeSet<usize>, Vec<usize>)> = Vec::new();
        for (n, (gs, ids)) in classes.iter().enumerate() {
            let vars: Vec<usize> = (0..nm)
                .map(|m| {
                    let t = ids.iter().filter(|id| data.model_of(by_id[**id]) == m).count() as i64;
                    self.var(format!("unlabelled class {n} of {}", data.models[m].0), 0, ids.len() as i64, t)
                })
                .collect();
            self.add(vars.iter().map(|&v| (v, 1)).collect(), ids.len() as i64, ids.len() as i64);
            class_vars.push((gs.clone(), vars));
        }
        for (g, theme) in themes.iter().enumerate() {
            let everything = data.sets(theme, None).0.len() == printed.appendix[g].len();
            for m in 0..nm {
                let Some(&(e, _)) = fw.get(&(theme.clone(), m)) else { continue };
                let labelled =
                    printed.appendix[g].iter().filter(|(id, _)| known.get(id.as_str()) == Some(&m)).count() as i64;
                let mut terms = vec![(e, 1)];
                for (gs, vars) in &class_vars {
                    if gs.contains(&g) {
                        terms.push((vars[m], -1));
                    }
                }
                // All printed: the theme's excerpts of this model are the labelled ones and
                // the unlabelled ones of this model; some left out: at least that.
                self.add(terms, labelled, if everything { labelled } else { WIDE });
                // Rule knowledge: a row printing `<k` has no labelled excerpt, so its
                // excerpts of this model are among the theme's not labelled with it.
                for row in data.codes.iter().chain(std::iter::once(theme)) {
                    if data.theme_of(row) != *theme {
                        continue;
                    }
                    let small = (0..nm).any(|mm| {
                        fw.get(&(row.clone(), mm)).is_some_and(|&(_, p)| self.lo[p] == 1 && self.hi[p] == self.k - 1)
                    });
                    match (small, fw.get(&(row.clone(), m))) {
                        (true, Some(&(re, _))) if re != e => self.add(vec![(re, 1), (e, -1)], -WIDE, -labelled),
                        _ => {}
                    }
                }
            }
        }
    }

    /// Bounds propagation to a fixpoint; false when the facts contradict each other.
    fn propagate(&self, lo: &mut [i64], hi: &mut [i64]) -> bool {
        self.propagate_from(lo, hi, (0..self.cons.len()).collect(), vec![true; self.cons.len()], 0)
    }

    fn propagate_from(
        &self,
        lo: &mut [i64],
        hi: &mut [i64],
        mut queue: std::collections::VecDeque<usize>,
        mut queued: Vec<bool>,
        mut steps: u64,
    ) -> bool {
        loop {
            let Some(c) = queue.pop_front() else { return true };
            queued[c] = false;
            steps += 1;
            if steps > 5_000_000 {
                return true;
            }
            let con = &self.cons[c];
            let (mut min, mut max) = (0i64, 0i64);
            for &(v, a) in &con.terms {
                let (x, y) = (a * lo[v], a * hi[v]);
                min += x.min(y);
                max += x.max(y);
            }
            if min > con.hi || max < con.lo {
                return false;
            }
            let mut changed = false;
            for &(v, a) in &con.terms {
                let (x, y) = (a * lo[v], a * hi[v]);
                let (rest_min, rest_max) = (min - x.min(y), max - x.max(y));
                let (tlo, thi) = (con.lo.saturating_sub(rest_max), con.hi.saturating_sub(rest_min));
                let (nlo, nhi) =
                    if a > 0 { (div_ceil(tlo, a), div_floor(thi, a)) } else { (div_ceil(thi, a), div_floor(tlo, a)) };
                let (nlo, nhi) = (nlo.max(lo[v]), nhi.min(hi[v]));
                if nlo > nhi {
                    return false;
                }
                if nlo != lo[v] || nhi != hi[v] {
                    lo[v] = nlo;
                    hi[v] = nhi;
                    changed = true;
                    for &d in &self.by_var[v] {
                        if !queued[d] {
                            queued[d] = true;
                            queue.push_back(d);
                        }
                    }
                }
            }
            if changed && !queued[c] {
                queued[c] = true;
                queue.push_back(c);
            }
        }
    }

    /// A full assignment within `lo`/`hi` satisfying every fact, searched depth-first
    /// (each step tries a variable at its true value, then below, then above).
    fn search(&self, lo: &mut Vec<i64>, hi: &mut Vec<i64>, budget: &mut u64) -> Option<Option<Vec<i64>>> {
        if *budget == 0 {
            return None;
        }
        *budget -= 1;
        if !self.propagate(lo, hi) {
            return Some(None);
        }
        let Some(v) = (0..lo.len()).filter(|&v| lo[v] < hi[v]).min_by_key(|&v| (hi[v] - lo[v]).min(1000)) else {
            return Some(Some(lo.clone()));
        };
        let t = self.truth[v].clamp(lo[v], hi[v]);
        let mut undecided = false;
        for (a, b) in [(t, t), (lo[v], t - 1), (t + 1, hi[v])] {
            if a > b {
                continue;
            }
            let (mut l, mut h) = (lo.clone(), hi.clone());
            l[v] = a;
            h[v] = b;
            match self.search(&mut l, &mut h, budget) {
                Some(Some(w)) => return Some(Some(w)),
                Some(None) => {}
                None => undecided = true,
            }
        }
        if undecided {
            None
        } else {
            Some(None)
        }
    }

    fn check(&self, w: &[i64]) {
        for (v, &x) in w.iter().enumerate() {
            assert!(self.lo[v] <= x && x <= self.hi[v], "{} = {x} outside its domain", self.names[v]);
        }
        for c in &self.cons {
            let s: i64 = c.terms.iter().map(|&(v, a)| a * w[v]).sum();
            assert!(c.lo <= s && s <= c.hi, "a witness breaks {c:?}");
        }
    }

    /// The facts are true of the data (else the reader itself is wrong).
    pub fn check_truth(&self) {
        self.check(&self.truth);
    }

    /// For every sensitive cell, the values 1 … k−1 still possible.
    pub fn findings(&self) -> Vec<Finding> {
        let mut witnesses: Vec<Vec<i64>> = vec![self.truth.clone()];
        let mut out = Vec::new();
        for &c in &self.sensitive {
            let mut f = Finding { cell: self.names[c].clone(), possible: BTreeSet::new(), undecided: BTreeSet::new() };
            for v in 1..self.k {
                if witnesses.iter().any(|w| w[c] == v) {
                    f.possible.insert(v);
                    continue;
                }
                let (mut lo, mut hi) = (self.lo.clone(), self.hi.clone());
                lo[c] = v;
                hi[c] = v;
                match self.search(&mut lo, &mut hi, &mut 20_000) {
                    Some(Some(w)) => {
                        self.check(&w);
                        f.possible.insert(v);
                        witnesses.push(w);
                    }
                    Some(None) => {}
                    None => {
                        f.undecided.insert(v);
                    }
                }
            }
            out.push(f);
        }
        out
    }

    /// The cells propagation alone pins to one value among 1 … k−1 (a reader needs no search).
    pub fn pinned(&self) -> BTreeMap<String, i64> {
        let (mut lo, mut hi) = (self.lo.clone(), self.hi.clone());
        assert!(self.propagate(&mut lo, &mut hi), "the published facts contradict each other");
        self.sensitive.iter().filter(|&&c| lo[c] == hi[c]).map(|&c| (self.names[c].clone(), lo[c])).collect()
    }
}

fn div_floor(a: i64, b: i64) -> i64 {
    let (q, r) = (a / b, a % b);
    if r != 0 && ((r < 0) != (b < 0)) {
        q - 1
    } else {
        q
    }
}

fn div_ceil(a: i64, b: i64) -> i64 {
    -div_floor(-a, b)
}
