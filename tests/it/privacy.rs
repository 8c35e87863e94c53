//! Privacy against a reader's arithmetic (issue 16). A study built here leaks each way a
//! naive small-cell rule leaks (subtraction across margins, counting printed excerpts by
//! model, a note tying an interview to a unit); the audit must catch each one, and after
//! secondary suppression an independent brute-force enumeration written here (not the
//! program's solver) must find every `<3` cell still open to both 1 and 2.

use std::collections::BTreeSet;

use bsb::privacy::{self, Status};

use crate::common::*;
use crate::reader;

/// Who said what: (excerpt, interview, person, code, model). Each excerpt has one code and
/// each region one unit, so the relations a reader may assume are easy to state here.
const EXCERPTS: &[(&str, &str, &str, &str)] = &[
    // T1.1: Alpha A1 A2 A3, Beta C1..C4.
    ("E01", "IA1", "A1", "T1.1"),
    ("E02", "IA2", "A2", "T1.1"),
    ("E03", "IA3", "A3", "T1.1"),
    ("E04", "IC1", "C1", "T1.1"),
    ("E05", "IC2", "C2", "T1.1"),
    ("E06", "IC3", "C3", "T1.1"),
    ("E07", "IC4", "C4", "T1.1"),
    // T1.2: Alpha A4 B1 B2, Beta C5 alone: 5 − 4 = 1 by subtraction.
    ("E08", "IA4", "A4", "T1.2"),
    ("E09", "IB1", "B1", "T1.2"),
    ("E10", "IB2", "B2", "T1.2"),
    ("E11", "IC5", "C5", "T1.2"),
    // T2.1: Alpha A1..A4, Beta C1 C2 C3.
    ("E12", "IA1", "A1", "T2.1"),
    ("E13", "IA2", "A2", "T2.1"),
    ("E14", "IA3", "A3", "T2.1"),
    ("E15", "IA4", "A4", "T2.1"),
    ("E16", "IC1", "C1", "T2.1"),
    ("E17", "IC2", "C2", "T2.1"),
    ("E18", "IC3", "C3", "T2.1"),
    // T2.2: Alpha B1 B2 A1 (A1 again, so Alpha's people overlap), Beta C4 twice.
    ("E19", "IB1", "B1", "T2.2"),
    ("E20", "IB2", "B2", "T2.2"),
    ("E21", "IA1", "A1", "T2.2"),
    ("E22", "IC4", "C4", "T2.2"),
    ("E23", "IC4", "C4", "T2.2"),
    // T3 (no subthemes): Alpha A1..A4, Beta C5 alone with one excerpt; counting the Beta
    // excerpts printed under T3 gives 1, so the `<3` would be 1.
    ("E24", "IA1", "A1", "T3"),
    ("E25", "IA2", "A2", "T3"),
    ("E26", "IA3", "A3", "T3"),
    ("E27", "IA4", "A4", "T3"),
    ("E28", "IC5", "C5", "T3"),
];

/// Excerpts and people of a code (with everything below it, or all for "total") and a
/// model (or all models), counted here from the test's own data.
fn truth(code: &str, model: Option<usize>) -> (i64, i64) {
    let sel: Vec<_> = EXCERPTS
        .iter()
        .filter(|e| e.3 == code || e.3.starts_with(&format!("{code}.")) || code == "total")
        .filter(|e| model.is_none_or(|m| model_of(e.1) == m))
        .collect();
    (sel.len() as i64, sel.iter().map(|e| e.2).collect::<BTreeSet<_>>().len() as i64)
}

fn model_of(interview: &str) -> usize {
    if interview.starts_with("IC") {
        1
    } else {
        0
    }
}

fn write_study(dir: &Path, note: Option<&str>, prose: Option<&str>) {
    let mut toml = format!(
        "slug = \"leaky\"\nversion = \"1.0\"\ndate = \"2024-01-31\"\nlanguages = [\"en\"]\nsmall_cell_k = {SMALL_CELL_K}\n",
    );
    for f in ["title", "subtitle", "short_title", "commissioner", "author", "excerpt_notice"] {
        toml.push_str(&format!("{f}_en = \"The {f}\"\n"));
    }
    for (id, short) in [("M1", "Alpha"), ("M2", "Beta")] {
        toml.push_str(&format!(
            "\n[[model]]\nid = \"{id}\"\nshort_en = \"{short}\"\nname_en = \"{short} model\"\ndescription_en = \"d\"\n"
        ));
    }
    for (r, name) in [("ra", "North Side"), ("rb", "Middle Side"), ("rc", "South Side")] {
        toml.push_str(&format!("\n[[region]]\nid = \"{r}\"\nname_en = \"{name}\"\n"));
    }
    for (u, r, m, place) in
        [("ua", "ra", "M1", "Harbourview"), ("ub", "rb", "M1", "Hilltop"), ("uc", "rc", "M2", "Riverbank")]
    {
        toml.push_str(&format!(
            "\n[[unit]]\nid = \"{u}\"\nregion = \"{r}\"\nmodel = \"{m}\"\nname_en = \"Unit {u}\"\nplaces = [\"{place}\"]\n"
        ));
    }
    fs::write(dir.join("study.toml"), toml).unwrap();
    let mut iv = String::from("id,region,unit,kind,participants\n");
    for (id, r, u) in [
        ("IA1", "ra", "ua"),
        ("IA2", "ra", "ua"),
        ("IA3", "ra", "ua"),
        ("IA4", "ra", "ua"),
        ("IB1", "rb", "ub"),
        ("IB2", "rb", "ub"),
        ("IC1", "rc", "uc"),
        ("IC2", "rc", "uc"),
        ("IC3", "rc", "uc"),
        ("IC4", "rc", "uc"),
        ("IC5", "rc", "uc"),
    ] {
        iv.push_str(&format!("{id},{r},{u},individual,1\n"));
    }
    fs::write(dir.join("interviews.csv"), iv).unwrap();
    let mut cb = String::from("id,parent,section,label_en,description_en\n");
    for (id, parent) in
        [("T1", ""), ("T1.1", "T1"), ("T1.2", "T1"), ("T2", ""), ("T2.1", "T2"), ("T2.2", "T2"), ("T3", "")]
    {
        cb.push_str(&format!("{id},{parent},{},Label {id},About {id}\n", &id[1..2]));
    }
    fs::write(dir.join("codebook.csv"), cb).unwrap();
    let mut ex = String::from("id,interview,participant,codes,text_en\n");
    for (id, interview, person, code) in EXCERPTS {
        ex.push_str(&format!("{id},{interview},{person},{code},Words number {id} spoken here.\n"));
    }
    fs::create_dir_all(dir.join("excerpts")).unwrap();
    fs::write(dir.join("excerpts/part1.csv"), ex).unwrap();
    if let Some(note) = note {
        fs::write(dir.join("notes.csv"), format!("id,topic,text_en\nN01,interviews,\"{note}\"\n")).unwrap();
    }
    if let Some(prose) = prose {
        fs::create_dir_all(dir.join("prose/en")).unwrap();
        fs::write(dir.join("prose/en/method.typ"), prose).unwrap();
    }
}

fn load(dir: &Path) -> bsb::study::Study {
    let (study, errors) = bsb::study::load(dir, &bsb::lang::Lang::yes_no).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    study
}

/// The system of published facts of this file's leaky study.
fn leaky_universe() -> privacy::Universe {
    let tmp = TempDir::new();
    write_study(tmp.path(), None, None);
    privacy::published::universe(&load(tmp.path()))
}

fn cell_named(u: &privacy::Universe, i: usize) -> (String, String, String) {
    (u.cells[i].table.clone(), u.cells[i].row.clone(), u.cells[i].col.clone())
}

#[test]
fn the_audit_catches_subtraction_across_margins() {
    let u = leaky_universe();
    let leaks = privacy::audit(&u, &u.primary());
    let named: Vec<_> = leaks.iter().map(|l| cell_named(&u, l.cell)).collect();
    assert!(
        named.contains(&("framework-matrix".into(), "T1.2".into(), "participants_M2".into())),
        "5 − 4 = 1 must be caught: {named:?}"
    );
    let leak =
        leaks.iter().find(|l| u.cells[l.cell].row == "T1.2" && u.cells[l.cell].col == "participants_M2").unwrap();
    assert_eq!(leak.excluded, vec![2], "a reader knows it is 1");
    let text = privacy::describe(&u, &u.primary(), leak, &u.unlabelled(&u.primary()));
    assert!(text.contains("framework-matrix T1.2 / participants_M2"), "{text}");
    assert!(
        text.contains(", given framework-matrix") && text.contains(" = "),
        "the numbers that pin it are named: {text}"
    );
}

#[test]
fn the_audit_catches_counting_printed_excerpts_by_model() {
    let u = leaky_universe();
    let pattern = privacy::suppress(&u).unwrap();
    assert!(privacy::audit(&u, &pattern).is_empty());
    // The same tables, but every excerpt printed with its model as before: counting the
    // Beta excerpts under theme T3 gives 1, so its `<3` is 1.
    let leaks = privacy::audit_printed(&u, &pattern, &BTreeSet::new());
    let named: Vec<_> = leaks.iter().map(|l| cell_named(&u, l.cell)).collect();
    assert!(
        named.contains(&("framework-matrix".into(), "T3".into(), "participants_M2".into())),
        "labelled excerpts must be caught: {named:?}"
    );
}

#[test]
fn a_note_tying_an_interview_to_a_unit_and_prose_naming_a_lone_unit_fail_the_check() {
    let tmp = TempDir::new();
    let dir = tmp.path();
    write_study(
        dir,
        Some("Interview IC5 was held at Riverbank."),
        Some("The Harbourview service opened early. Nothing else to say.\n"),
    );
    let out = bsb(&["check", "--data", dir.to_str().unwrap(), "--out", dir.join("out").to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("notes.csv:2") && err.contains("IC5") && err.contains("uc"), "{err}");
    assert!(err.contains("method.typ:1") && err.contains("Harbourview"), "{err}");
    // A caption in the study's own words, and the title, are read too.
    let tmp = TempDir::new();
    let dir = tmp.path();
    write_study(dir, None, None);
    fs::create_dir_all(dir.join("words")).unwrap();
    fs::write(dir.join("words/en.toml"), "[words]\ncompilation = \"What Riverbank published\"\n").unwrap();
    let toml = fs::read_to_string(dir.join("study.toml")).unwrap().replace("The title", "The Harbourview title");
    fs::write(dir.join("study.toml"), toml).unwrap();
    let out = bsb(&["check", "--data", dir.to_str().unwrap(), "--out", dir.join("out").to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("words/en.toml:2") && err.contains("Riverbank"), "{err}");
    assert!(err.contains("study.toml") && err.contains("title_en") && err.contains("Harbourview"), "{err}");
    // Naming a region with an interview is the sampling table's level, and allowed.
    let tmp = TempDir::new();
    let dir = tmp.path();
    write_study(dir, Some("Interview IC5 took place in South Side."), None);
    let out = bsb(&["check", "--data", dir.to_str().unwrap(), "--out", dir.join("out").to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("notes.csv"), "{err}");
}

/// The small-cell threshold of the test study (`small_cell_k` in its study.toml).
const SMALL_CELL_K: i64 = 3;

/// What a table prints: a number, `<k` (a count from 1 to k − 1) or `:`.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Printed {
    Value(i64),
    Small(i64),
    Hidden,
}

impl Printed {
    /// The values a reader allows a `<k` cell.
    fn small_range(k: i64) -> BTreeSet<i64> {
        (1..k).collect()
    }
}

/// The counts a committed table prints, by (row id, column), read as CSV (a text cell may
/// hold commas and quotes); text columns are left out.
fn read_table(path: &Path) -> BTreeMap<(String, String), Printed> {
    let mut out = BTreeMap::new();
    for row in read_csv(path) {
        let id = row["id"].clone();
        for (column, cell) in row.iter().filter(|(c, _)| c.as_str() != "id") {
            let v = match cell.as_str() {
                ":" => Printed::Hidden,
                x => match x.strip_prefix('<').map(str::parse) {
                    Some(Ok(k)) => Printed::Small(k),
                    Some(Err(_)) => continue,
                    None => match x.parse() {
                        Ok(n) => Printed::Value(n),
                        Err(_) => continue,
                    },
                },
            };
            out.insert((id.clone(), column.clone()), v);
        }
    }
    out
}

/// The excerpts printed in the appendix of the emitted main.typ, as (theme, model label).
fn printed_excerpts(main: &str, appendix_heading: &str) -> Vec<(String, String)> {
    let mut theme = String::new();
    let mut out = Vec::new();
    let mut inside = false;
    for line in main.lines() {
        if line.starts_with("= ") {
            inside = line.contains(appendix_heading);
            continue;
        }
        if !inside {
            continue;
        }
        if let Some(h) = line.strip_prefix("== ") {
            theme = h.split_whitespace().find(|w| w.starts_with('T')).unwrap_or_default().trim_matches('"').to_string();
        }
        if line.starts_with("#excerpt(") {
            let label = line.rsplit(", ").next().unwrap().trim_end_matches(')').trim_matches('"').to_string();
            out.push((theme.clone(), label));
        }
    }
    out
}

/// Every assignment of the hidden cells consistent with what is published, by plain
/// enumeration with the relations this test knows from its own data; returns each cell's
/// set of possible values.
fn brute_force(
    published: &BTreeMap<(String, String), Printed>,
    by_model: &BTreeMap<(String, String), Printed>,
    printed: &[(String, String)],
) -> BTreeMap<(String, String), BTreeSet<i64>> {
    // Subthemes before their theme, so each sum is checked as soon as it can be.
    let rows = ["T1.1", "T1.2", "T1", "T2.1", "T2.2", "T2", "T3", "total"];
    let cols =
        ["excerpts_M1", "participants_M1", "excerpts_M2", "participants_M2", "excerpts_total", "participants_total"];
    let mut cells: Vec<(String, String)> = Vec::new();
    for r in rows {
        for c in cols {
            cells.push((r.into(), c.into()));
        }
    }
    let idx = |r: &str, c: &str| cells.iter().position(|x| x.0 == r && x.1 == c).unwrap();
    // Constraints as (cells, check) evaluated once all their cells are assigned.
    type Check = Box<dyn Fn(&[i64]) -> bool>;
    let mut cons: Vec<(Vec<usize>, Check)> = Vec::new();
    let sum_eq = |parent: usize, parts: Vec<usize>| -> (Vec<usize>, Check) {
        let mut all = parts.clone();
        all.push(parent);
        (all, Box::new(move |x: &[i64]| parts.iter().map(|&p| x[p]).sum::<i64>() == x[parent]))
    };
    let between = |parent: usize, parts: Vec<usize>| -> (Vec<usize>, Check) {
        let mut all = parts.clone();
        all.push(parent);
        (
            all,
            Box::new(move |x: &[i64]| {
                parts.iter().all(|&p| x[p] <= x[parent]) && parts.iter().map(|&p| x[p]).sum::<i64>() >= x[parent]
            }),
        )
    };
    for r in rows {
        for m in ["excerpts", "participants"] {
            cons.push(sum_eq(
                idx(r, &format!("{m}_total")),
                vec![idx(r, &format!("{m}_M1")), idx(r, &format!("{m}_M2"))],
            ));
        }
        for m in ["M1", "M2", "total"] {
            let (e, p) = (idx(r, &format!("excerpts_{m}")), idx(r, &format!("participants_{m}")));
            cons.push((vec![e, p], Box::new(move |x: &[i64]| x[p] <= x[e] && (x[e] == 0) == (x[p] == 0))));
        }
    }
    // Themes from subthemes; the total row from the themes. Excerpts carry one code each, so
    // excerpt counts add up everywhere; people add up where nobody spoke in two places.
    for m in ["M1", "M2", "total"] {
        let e = |r: &str| idx(r, &format!("excerpts_{m}"));
        let p = |r: &str| idx(r, &format!("participants_{m}"));
        cons.push(sum_eq(e("T1"), vec![e("T1.1"), e("T1.2")]));
        cons.push(sum_eq(e("T2"), vec![e("T2.1"), e("T2.2")]));
        cons.push(sum_eq(e("total"), vec![e("T1"), e("T2"), e("T3")]));
        cons.push(sum_eq(p("T1"), vec![p("T1.1"), p("T1.2")]));
        if m == "M2" {
            cons.push(sum_eq(p("T2"), vec![p("T2.1"), p("T2.2")]));
        } else {
            cons.push(between(p("T2"), vec![p("T2.1"), p("T2.2")]));
        }
        cons.push(between(p("total"), vec![p("T1"), p("T2"), p("T3")]));
    }
    // Table 2: people per model are the total row's people (everyone spoke).
    for (m, key) in [("M1", "M1"), ("M2", "M2")] {
        if let Some(Printed::Value(v)) = by_model.get(&(key.to_string(), "participants".to_string())) {
            let c = idx("total", &format!("participants_{m}"));
            let v = *v;
            cons.push((vec![c], Box::new(move |x: &[i64]| x[c] == v)));
        }
    }
    // Printed excerpts: how many per theme, how many labelled with each model; unlabelled
    // ones can only belong to a model with a hidden cell in that theme.
    for theme in ["T1", "T2", "T3"] {
        let n = printed.iter().filter(|p| p.0 == theme).count() as i64;
        let label = |m: &str| printed.iter().filter(|p| p.0 == theme && p.1 == m).count() as i64;
        let (l1, l2) = (label("Alpha model"), label("Beta model"));
        let (e1, e2, et) = (idx(theme, "excerpts_M1"), idx(theme, "excerpts_M2"), idx(theme, "excerpts_total"));
        let subs = [format!("{theme}.1"), format!("{theme}.2"), theme.to_string()];
        // The rule a reader knows: excerpts print without their model in a row with a
        // hidden small cell, printed `<3` or `:`.
        let small_row = |r: &String| {
            ["M1", "M2"].iter().any(|m| {
                matches!(
                    published.get(&(r.clone(), format!("participants_{m}"))),
                    Some(Printed::Small(_) | Printed::Hidden)
                )
            })
        };
        let hidden_in = |m: &str| {
            subs.iter().any(|r| {
                small_row(r) && published.get(&(r.clone(), format!("excerpts_{m}"))) != Some(&Printed::Value(0))
            })
        };
        let (h1, h2) = (hidden_in("M1"), hidden_in("M2"));
        cons.push((
            vec![e1, e2, et],
            Box::new(move |x: &[i64]| {
                x[et] == n && x[e1] >= l1 && x[e2] >= l2 && (h1 || x[e1] == l1) && (h2 || x[e2] == l2)
            }),
        ));
    }
    // Domains from what is printed.
    let domains: Vec<Vec<i64>> = cells
        .iter()
        .map(|c| match published.get(c) {
            Some(Printed::Value(v)) => vec![*v],
            Some(Printed::Small(k)) => (1..*k).collect(),
            Some(Printed::Hidden) | None if c.1.starts_with("participants") => (0..=11).collect(),
            Some(Printed::Hidden) | None => (0..=28).collect(),
        })
        .collect();
    let mut by_last: Vec<Vec<usize>> = vec![Vec::new(); cells.len()];
    for (i, (cs, _)) in cons.iter().enumerate() {
        by_last[*cs.iter().max().unwrap()].push(i);
    }
    let mut seen: Vec<BTreeSet<i64>> = vec![BTreeSet::new(); cells.len()];
    let mut x = vec![0i64; cells.len()];
    fn go(
        i: usize,
        x: &mut Vec<i64>,
        domains: &[Vec<i64>],
        cons: &[(Vec<usize>, Check)],
        by_last: &[Vec<usize>],
        seen: &mut Vec<BTreeSet<i64>>,
    ) {
        if i == x.len() {
            for (j, v) in x.iter().enumerate() {
                seen[j].insert(*v);
            }
            return;
        }
        for &v in &domains[i] {
            x[i] = v;
            if by_last[i].iter().all(|&c| (cons[c].1)(x)) {
                go(i + 1, x, domains, cons, by_last, seen);
            }
        }
    }
    go(0, &mut x, &domains, &cons, &by_last, &mut seen);
    cells.into_iter().zip(seen).collect()
}

#[test]
fn after_suppression_brute_force_finds_every_small_cell_open() {
    let tmp = TempDir::new();
    let dir = tmp.path();
    write_study(dir, None, None);
    let out_dir = dir.join("out");
    let typst = dir.join("typst");
    let out = bsb(&[
        "build",
        "--data",
        dir.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--emit-typst",
        typst.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let published = read_table(&out_dir.join("report/tables/framework-matrix.csv"));
    let by_model = read_table(&out_dir.join("report/tables/participants-by-model.csv"));
    let main = fs::read_to_string(typst.join("en/main.typ")).unwrap();
    let printed = printed_excerpts(&main, "All excerpts by theme");
    assert_eq!(printed.len(), EXCERPTS.len(), "every excerpt printed once in the appendix: {printed:?}");
    let ranges = brute_force(&published, &by_model, &printed);
    let k = SMALL_CELL_K;
    // Every hidden count of 1 or 2 people (`<3`, or `:` where `<3` would have let a reader
    // add up small cells) stays open to both.
    let mut small = 0;
    for (cell, p) in &published {
        let model = if cell.1.ends_with("M1") {
            Some(0)
        } else if cell.1.ends_with("M2") {
            Some(1)
        } else {
            None
        };
        let people = cell.1.starts_with("participants") && (1..k).contains(&truth(&cell.0, model).1);
        if matches!(p, Printed::Small(_)) || (*p == Printed::Hidden && people) {
            small += 1;
            assert!(ranges[cell].is_superset(&Printed::small_range(k)), "{cell:?} can be narrowed: {:?}", ranges[cell]);
        }
        if let Printed::Small(printed_k) = p {
            assert_eq!(*printed_k, k, "{cell:?} prints the study's k");
            assert_eq!(ranges[cell], Printed::small_range(k), "{cell:?}");
        }
    }
    assert!(small >= 2, "the study has small cells: {published:?}");
    // The same enumeration on the unprotected tables (small-cell rule alone, every excerpt
    // with its model) narrows the subtraction example to 1: the check can fail.
    let study = load(dir);
    let u = privacy::published::universe(&study);
    let naive: BTreeMap<(String, String), Printed> = u
        .cells
        .iter()
        .zip(u.primary())
        .filter(|(c, _)| c.table == "framework-matrix")
        .map(|(c, s)| {
            let p = if s == Status::Small { Printed::Small(k) } else { Printed::Value(c.value()) };
            ((c.row.clone(), c.col.clone()), p)
        })
        .collect();
    let labelled: Vec<(String, String)> = EXCERPTS
        .iter()
        .map(|e| (e.3[..2].to_string(), if model_of(e.1) == 0 { "Alpha model" } else { "Beta model" }.to_string()))
        .collect();
    let naive_ranges = brute_force(&naive, &BTreeMap::new(), &labelled);
    assert_eq!(naive_ranges[&("T1.2".to_string(), "participants_M2".to_string())], BTreeSet::from([1]));
    assert_eq!(naive_ranges[&("T3".to_string(), "participants_M2".to_string())], BTreeSet::from([1]));
    // The truth is among the possibilities for every cell (the enumeration is not vacuous).
    for ((row, col), values) in &ranges {
        let model = if col.ends_with("M1") {
            Some(0)
        } else if col.ends_with("M2") {
            Some(1)
        } else {
            None
        };
        let t = truth(row, model);
        let v = if col.starts_with("excerpts") { t.0 } else { t.1 };
        assert!(values.contains(&v), "{row} {col}: truth {v} not in {values:?}");
    }
    // An excerpt carries its model only if every theme it is printed in prints all its
    // counts (the theme's rows, every column) as numbers.
    let closed: BTreeSet<&str> = published
        .iter()
        .filter(|((r, _), p)| r != "total" && !matches!(p, Printed::Value(_)))
        .map(|((r, _), _)| &r[..2])
        .collect();
    let mut labelled = 0;
    for (id, _, _, code) in EXCERPTS {
        let hidden = closed.contains(&code[..2]);
        for line in main.lines().filter(|l| l.contains(&format!("Words number {id} spoken"))) {
            assert_eq!(line.ends_with(", \"\")"), hidden, "{id}: {line}");
            labelled += usize::from(!hidden);
        }
    }
    assert!(!closed.is_empty(), "{labelled} labelled");
}

/// A copy of the reference study's data under `dir`, as a study that prints its people
/// counts (`coding = "original"`; the reference study itself is a reconstruction and prints
/// none). The privacy tests reason on this copy or on a synthetic study made from it.
pub fn reference_copy(dir: &Path) -> PathBuf {
    crate::common::original_coding_copy(dir)
}

/// A synthetic study `scale` times the reference study's sample, with ⌈√scale⌉ copies of
/// each subtheme: many more small cells.
fn synthetic(dir: &Path, scale: usize) -> PathBuf {
    let into = dir.join("synth");
    let src = reference_copy(dir);
    let scale = scale.to_string();
    let o = bsb(&["synth", "--scale", &scale, "--data", src.to_str().unwrap(), "--into", into.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text_of(&o));
    into
}

/// The reference copy, built once per test process.
struct Built {
    data: PathBuf,
    printed: reader::Printed,
    /// The emitted English main.typ.
    main: String,
    /// Every emitted English source (main.typ and the prose files, where a figure follows
    /// the paragraph that cites it).
    sources: String,
}

fn reference_copy_built() -> &'static Built {
    static BUILT: std::sync::OnceLock<Built> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| {
        let work = TempDir::new().keep();
        let data = reference_copy(&work);
        let d = reader::Data::read(&data);
        let (printed, main) = reader::Printed::build(&d, &data, &work);
        let mut sources = main.clone();
        let mut dirs = vec![work.join("typst/en/prose")];
        let mut files = Vec::new();
        while let Some(dir) = dirs.pop() {
            for path in fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()) {
                if path.is_dir() {
                    dirs.push(path)
                } else {
                    files.push(path)
                }
            }
        }
        files.sort();
        for f in files {
            sources.push_str(&fs::read_to_string(f).unwrap());
        }
        Built { data, printed, main, sources }
    })
}

fn assert_nothing_recoverable(data: &reader::Data, printed: &reader::Printed, at_least: usize) {
    let r = reader::Reader::new(data, printed);
    r.check_truth();
    assert!(r.sensitive.len() >= at_least, "the study has hidden small cells: {}", r.sensitive.len());
    let all: BTreeSet<i64> = (1..data.k).collect();
    // A value the search could not decide within its budget counts as still possible: the
    // reader did not rule it out.
    let narrowed: Vec<_> = r
        .findings()
        .into_iter()
        .filter(|f| f.possible.union(&f.undecided).copied().collect::<BTreeSet<_>>() != all)
        .collect();
    let named: Vec<(&str, &BTreeSet<i64>)> = narrowed.iter().map(|f| (f.cell.as_str(), &f.possible)).collect();
    assert!(named.is_empty(), "a reader narrows these hidden counts to: {named:?}");
}

#[test]
fn an_independent_reader_recovers_no_hidden_count_of_the_reference_study() {
    let b = reference_copy_built();
    assert_nothing_recoverable(&reader::Data::read(&b.data), &b.printed, 10);
}

#[test]
fn an_independent_reader_recovers_no_hidden_count_of_a_synthetic_study() {
    let tmp = TempDir::new();
    let data = synthetic(tmp.path(), 3);
    let d = reader::Data::read(&data);
    let (printed, _) = reader::Printed::build(&d, &data, tmp.path());
    assert_nothing_recoverable(&d, &printed, 20);
}

/// What the program printed at commit 8976dd5 (before issue 23) for the reference study,
/// kept in tests/fixtures/privacy-8976dd5: its four tables, each appendix excerpt's id
/// and label per theme, and the data (without texts or prose) it was built from.
#[test]
fn the_reader_recovers_what_8976dd5_leaked_through_excerpt_labels() {
    let dir = root().join("tests/fixtures/privacy-8976dd5");
    let data = reader::Data::read(&dir.join("data"));
    let mut appendix: Vec<Vec<(String, String)>> = vec![Vec::new(); data.themes().len()];
    for row in read_csv(&dir.join("appendix.csv")) {
        appendix[row["theme"].parse::<usize>().unwrap()].push((row["excerpt"].clone(), row["model"].clone()));
    }
    let printed = reader::Printed { tables: reader::read_tables(&dir), appendix };
    let r = reader::Reader::new(&data, &printed);
    r.check_truth();
    let pinned = r.pinned();
    // Theme T06 prints 5 Model II excerpts, 4 of them labelled; T06.2 prints `<3` for
    // Model II, so none of its excerpts is labelled: it has at most 5 − 4 = 1 excerpt of
    // Model II, hence exactly 1 person.
    assert_eq!(pinned.get("framework T06.2 participants_M2"), Some(&1), "{pinned:?}");
    // The same tables without the labels leave it open: the labels are what leaked.
    let blind = reader::Printed { tables: printed.tables.clone(), appendix: Vec::new() };
    assert!(!reader::Reader::new(&data, &blind).pinned().contains_key("framework T06.2 participants_M2"));
}

/// Themes (by index) whose rows print any count as `<k` or `:` in the framework matrix.
fn closed_themes(d: &reader::Data, printed: &reader::Printed) -> BTreeSet<usize> {
    let themes = d.themes();
    printed.tables["framework-matrix"]
        .iter()
        .filter(|r| r["id"] != "total")
        .filter(|r| {
            r.iter().any(|(k, v)| {
                (k.starts_with("excerpts_") || k.starts_with("participants_")) && v.parse::<u64>().is_err()
            })
        })
        .map(|r| themes.iter().position(|t| *t == d.theme_of(&r["id"])).unwrap())
        .collect()
}

#[test]
fn an_excerpt_carries_its_model_only_where_all_its_themes_print_every_count() {
    let b = reference_copy_built();
    let d = reader::Data::read(&b.data);
    let closed = closed_themes(&d, &b.printed);
    let themes = d.themes();
    let by_id: BTreeMap<&str, &reader::Excerpt> = d.excerpts.iter().map(|e| (e.id.as_str(), e)).collect();
    let (mut labelled, mut unlabelled) = (0, 0);
    for items in &b.printed.appendix {
        for (id, label) in items {
            let e = by_id[id.as_str()];
            let open =
                d.nodes(e).iter().filter_map(|n| themes.iter().position(|t| t == n)).all(|g| !closed.contains(&g));
            if open {
                assert_eq!(*label, d.models[d.model_of(e)].1, "{id}");
                labelled += 1;
            } else {
                assert_eq!(label, "", "{id} is printed in a theme with a hidden count");
                unlabelled += 1;
            }
        }
    }
    // Every theme of the reference study has some hidden count, so none of its excerpts
    // carries a model; the leaky study's test above sees both kinds.
    assert!(unlabelled > 0, "{labelled} labelled, {unlabelled} not");
}

#[test]
fn an_open_theme_prints_each_excerpt_with_its_model() {
    // Four regions, two models, three people per unit: no count is small, so every theme
    // is open and every excerpt carries its true model; the reader still finds nothing.
    let (tmp, data) = temp_study(4, 2, &["en"]);
    let d = reader::Data::read(&data);
    let (printed, _) = reader::Printed::build(&d, &data, tmp.path());
    assert!(closed_themes(&d, &printed).is_empty());
    let by_id: BTreeMap<&str, &reader::Excerpt> = d.excerpts.iter().map(|e| (e.id.as_str(), e)).collect();
    let items: Vec<&(String, String)> = printed.appendix.iter().flatten().collect();
    assert_eq!(items.len(), d.excerpts.len());
    for (id, label) in items {
        assert_eq!(*label, d.models[d.model_of(by_id[id.as_str()])].1, "{id}");
    }
    let r = reader::Reader::new(&d, &printed);
    r.check_truth();
    assert!(r.sensitive.is_empty() && r.pinned().is_empty());
}

#[test]
fn chapter_excerpts_are_chosen_by_subtheme_and_id_alone() {
    let b = reference_copy_built();
    let d = reader::Data::read(&b.data);
    let chapter = reader::excerpts_under(&b.main, "Findings");
    let themes = d.themes();
    assert_eq!(chapter.len(), themes.len());
    for (g, theme) in themes.iter().enumerate() {
        // Round robin over the theme itself and its subthemes in codebook order, each in
        // id order: no model, person or place involved.
        let children: Vec<&String> = d.codes.iter().filter(|c| d.parent[*c] == *theme).collect();
        let mut queues: Vec<Vec<&reader::Excerpt>> = vec![Vec::new(); children.len() + 1];
        for e in d.excerpts.iter().filter(|e| d.nodes(e).contains(theme)) {
            let nodes = d.nodes(e);
            let branch = children.iter().position(|c| nodes.contains(*c)).map_or(0, |p| p + 1);
            queues[branch].push(e);
        }
        for q in &mut queues {
            q.sort_by(|a, b| a.id.cmp(&b.id));
        }
        let mut expected = Vec::new();
        for round in 0.. {
            if expected.len() >= 4 || queues.iter().all(|q| q.len() <= round) {
                break;
            }
            for q in &queues {
                if expected.len() < 4 && round < q.len() {
                    expected.push(q[round].text.clone());
                }
            }
        }
        let shown: Vec<String> = chapter[g].iter().map(|(w, _)| w.clone()).collect();
        assert_eq!(shown, expected, "theme {theme}");
    }
}

/// How a sentence or alt text must say a printed cell: its number (as a numeral or a
/// word), "fewer than k", or that it is hidden.
fn says(text: &str, printed: &str, noun: &str, hidden: &[&str]) -> bool {
    const WORDS: [&str; 13] =
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];
    match printed {
        ":" => hidden.iter().any(|h| text.contains(h)),
        p if p.starts_with('<') => text.contains(&format!("fewer than {} {noun}", &p[1..])),
        p => {
            let n: usize = p.parse().unwrap();
            let word = WORDS.get(n).map(|w| format!(" {w} {noun}"));
            text.contains(&format!(" {n} {noun}")) || word.is_some_and(|w| text.to_lowercase().contains(&w))
        }
    }
}

/// The typst string literals on one line of the emitted source.
fn literals(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(p) = rest.find("#\"") {
        let (text, after) = reader::literal(&rest[p + 2..]);
        out.push(text);
        rest = after;
    }
    out
}

#[test]
fn text_tables_figures_and_alt_texts_print_one_value_per_cell() {
    let b = reference_copy_built();
    let d = reader::Data::read(&b.data);
    let fm = &b.printed.tables["framework-matrix"];
    let row = |id: &str| fm.iter().find(|r| r["id"] == id).unwrap();
    let alt_of = |figure: &str| -> String {
        let opening = format!("figures/{figure}.svg\", alt: \"");
        let at = b.sources.find(&opening).expect(figure);
        reader::literal(&b.sources[at + opening.len()..]).0
    };
    // The heatmap repeats the bar chart's numbers and is not printed (it stays in figures/
    // for reviewers); the bar chart is the figure a reader meets.
    let bars = alt_of("excerpts-by-theme");
    // The chapter's line of counts for each theme: the total, then each model.
    let lines: Vec<Vec<String>> = b
        .main
        .lines()
        .map(literals)
        .filter(|l| {
            l.first().is_some_and(|s| s.starts_with("This theme") || s.starts_with("The totals for this theme"))
        })
        .collect();
    let themes = d.themes();
    assert_eq!(lines.len(), themes.len(), "one line of counts per theme");
    let mut hidden_seen = 0;
    for (theme, sentences) in themes.iter().zip(&lines) {
        let r = row(theme);
        let whole = ["The totals for this theme are hidden"];
        assert!(
            says(
                &sentences[0],
                &r["excerpts_total"],
                "excerpt",
                &whole.iter().chain(&["number of excerpts is hidden"]).copied().collect::<Vec<_>>()
            ),
            "{theme}: {} vs {}",
            sentences[0],
            r["excerpts_total"]
        );
        assert!(
            says(
                &sentences[0],
                &r["participants_total"],
                "participant",
                &whole.iter().chain(&["how many participants they come from is hidden"]).copied().collect::<Vec<_>>()
            ),
            "{theme}: {} vs {}",
            sentences[0],
            r["participants_total"]
        );
        let mut cells = Vec::new();
        for (m, (id, _, short)) in d.models.iter().enumerate() {
            let s = &sentences[1 + m];
            assert!(s.starts_with(&format!("{short}:")), "{s}");
            let (e, p) = (&r[&format!("excerpts_{id}")], &r[&format!("participants_{id}")]);
            let all = format!("{short}: hidden for privacy.");
            assert!(says(s, e, "excerpt", &[&all, "number of excerpts is hidden"]), "{theme}: `{s}` vs table {e}");
            assert!(
                says(s, p, "participant", &[&all, "number of participants is hidden"]),
                "{theme}: `{s}` vs table {p}"
            );
            // A cell printed as a number is never said to be hidden, and the other way round.
            if e.parse::<u64>().is_ok() && p.parse::<u64>().is_ok() {
                assert!(!s.contains("hidden"), "{s}");
            }
            hidden_seen += usize::from(e == ":" || p == ":");
            let shown = if e == ":" { "hidden for privacy".to_string() } else { e.clone() };
            cells.push(format!("{short} {shown}"));
        }
        // The figure's alt text gives each model's excerpts as the table prints them.
        let expected = format!("{}: {}", d.labels[theme], cells.join(", "));
        assert!(bars.contains(&expected), "bar chart alt lacks `{expected}`: {bars}");
    }
    assert!(hidden_seen > 0, "some theme has a hidden count");
}

/// Local minimality: with the pattern the program chose, showing any one `:` cell again
/// lets a reader narrow a small one (the program's own audit says so, cell by cell).
fn every_hidden_cell_is_needed(data: &Path, printed: &reader::Printed) {
    let study = load(data);
    let (pattern, u) = privacy::suppress_exempt(&privacy::published::universe(&study)).unwrap();
    assert_eq!(u.untried, 0, "suppression finished within its work limit");
    let mut tried = 0;
    for (i, c) in u.cells.iter().enumerate() {
        if c.role != privacy::Role::Suppressible {
            continue;
        }
        // The pattern is the one printed.
        if let Some(rows) = printed.tables.get(&c.table) {
            let row = rows.iter().find(|r| r["id"] == c.row).unwrap();
            let want = match pattern[i] {
                Status::Secondary => ":".to_string(),
                Status::Small => format!("<{}", u.k),
                _ => c.value().to_string(),
            };
            assert_eq!(row[&c.col], want, "{}", c.name());
        }
        if pattern[i] != Status::Secondary {
            continue;
        }
        let mut p = pattern.clone();
        p[i] = Status::Shown;
        assert!(!privacy::audit(&u, &p).is_empty(), "{} is hidden but could be shown", c.name());
        tried += 1;
    }
    assert!(tried > 0);
}

#[test]
fn no_hidden_cell_of_the_reference_study_could_be_shown() {
    let b = reference_copy_built();
    every_hidden_cell_is_needed(&b.data, &b.printed);
}

#[test]
fn no_hidden_cell_of_a_synthetic_study_could_be_shown() {
    let tmp = TempDir::new();
    let data = synthetic(tmp.path(), 2);
    let d = reader::Data::read(&data);
    let (printed, _) = reader::Printed::build(&d, &data, tmp.path());
    every_hidden_cell_is_needed(&data, &printed);
}

/// The errata table compares the published report's figures with the data. A figure
/// compared with a hidden count would print it, or tell by "matches" whether the published
/// one is right: neither may happen.
#[test]
fn errata_never_compare_a_figure_with_a_hidden_count() {
    let tmp = TempDir::new();
    let data = tmp.path().join("data");
    copy_tree(&root().join("data"), &data);
    let mut published = fs::read_to_string(data.join("published.csv")).unwrap();
    for (id, metric, value) in [("m1_people", "model.M1.participants", 20), ("m1_ind", "model.M1.individual", 13)] {
        published.push_str(&format!("{id},tabell 2,Table 2,table,{metric},{value},Merknad.,Note.\n"));
    }
    fs::write(data.join("published.csv"), published).unwrap();
    let out = build_into(&data, &tmp.path().join("out"));
    assert!(out.status.success(), "{}", text_of(&out));
    let errata = read_csv(&tmp.path().join("out/report/tables/errata.csv"));
    for id in ["m1_people", "m1_ind"] {
        let row = errata.iter().find(|r| r["id"] == id).unwrap();
        assert_eq!((row["computed"].as_str(), row["status"].as_str()), (":", "not_compared"), "{row:?}");
        assert_eq!(row["published"], if id == "m1_people" { "20" } else { "13" });
    }
    // The region figures, public in the sampling table, are still compared.
    let nord = errata.iter().find(|r| r["id"] == "t1_nord_participants").unwrap();
    assert_eq!((nord["computed"].as_str(), nord["status"].as_str()), ("9", "matches"));
}

/// The manifest keeps the suppression so that an unchanged study is not solved again; a
/// kept pattern that would leak (here one `:` turned into a shown cell) is not reused: the
/// check solves again, and the committed tables are still the audited ones.
#[test]
fn a_kept_pattern_that_leaks_is_not_reused() {
    let tmp = TempDir::new();
    let data = reference_copy(tmp.path());
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let path = out.join("report/manifest.json");
    let mut manifest: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    let pattern = manifest["privacy"]["pattern"].as_str().unwrap().to_string();
    assert!(pattern.contains(':'), "the reference copy hides cells");
    manifest["privacy"]["pattern"] = pattern.replacen(':', "=", 1).into();
    fs::write(&path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
    let o = bsb(&["-q", "check", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text_of(&o));
}

/// A study ten times the reference sample, with many small cells: suppression solves it
/// block by block and finishes within its work limit (nothing left hidden untried), its
/// pattern passes the program's own audit, and the independent reader, given everything
/// the built report prints, narrows no hidden small count.
#[test]
fn a_large_synthetic_study_is_solved_within_the_limit_and_holds_against_the_reader() {
    let tmp = TempDir::new();
    let data = synthetic(tmp.path(), 10);
    let u = privacy::published::universe(&load(&data));
    let (pattern, solved) = privacy::suppress_exempt(&u).unwrap();
    assert_eq!(solved.untried, 0, "suppression finished within its work limit");
    assert!(privacy::audit(&solved, &pattern).is_empty());
    let small = pattern.iter().filter(|s| **s == Status::Small).count();
    assert!(small >= 10, "the study has small cells: {small}");
    let d = reader::Data::read(&data);
    let (printed, _) = reader::Printed::build(&d, &data, tmp.path());
    assert_nothing_recoverable(&d, &printed, 10);
}
