//! Privacy against a reader's arithmetic (issue 16). A study built here leaks each way a
//! naive small-cell rule leaks (subtraction across margins, counting printed excerpts by
//! model, a note tying an interview to a unit); the audit must catch each one, and after
//! secondary suppression an independent brute-force enumeration written here (not the
//! program's solver) must find every `<3` cell still open to both 1 and 2.

use std::collections::BTreeSet;

use bsb::privacy::{self, Status};

use crate::common::*;

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
    let mut toml = String::from(
        "slug = \"leaky\"\nversion = \"1.0\"\ndate = \"2024-01-31\"\nlanguages = [\"en\"]\nsmall_cell_k = 3\n",
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
    let (study, errors) = bsb::study::load(dir).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    study
}

/// The system of published facts of this file's leaky study.
fn leaky_universe() -> privacy::Universe {
    let tmp = TempDir::new();
    write_study(tmp.path(), None, None);
    privacy::study::universe(&load(tmp.path()))
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

/// What a table prints: a number, `<3` or `:`.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Printed {
    Value(i64),
    Small,
    Hidden,
}

fn read_table(path: &Path) -> BTreeMap<(String, String), Printed> {
    let text = fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut out = BTreeMap::new();
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        for (h, f) in header.iter().zip(&fields).skip(1) {
            let v = match *f {
                "<3" => Printed::Small,
                ":" => Printed::Hidden,
                x => match x.parse() {
                    Ok(n) => Printed::Value(n),
                    Err(_) => continue,
                },
            };
            out.insert((fields[0].to_string(), h.to_string()), v);
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
                    Some(Printed::Small | Printed::Hidden)
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
            Some(Printed::Small) => vec![1, 2],
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
        let people = cell.1.starts_with("participants") && (1..3).contains(&truth(&cell.0, model).1);
        if *p == Printed::Small || (*p == Printed::Hidden && people) {
            small += 1;
            assert!(ranges[cell].is_superset(&BTreeSet::from([1, 2])), "{cell:?} can be narrowed: {:?}", ranges[cell]);
        }
        if *p == Printed::Small {
            assert_eq!(ranges[cell], BTreeSet::from([1, 2]), "{cell:?}");
        }
    }
    assert!(small >= 2, "the study has small cells: {published:?}");
    // The same enumeration on the unprotected tables (small-cell rule alone, every excerpt
    // with its model) narrows the subtraction example to 1: the check can fail.
    let study = load(dir);
    let u = privacy::study::universe(&study);
    let naive: BTreeMap<(String, String), Printed> = u
        .cells
        .iter()
        .zip(u.primary())
        .filter(|(c, _)| c.table == "framework-matrix")
        .map(|(c, s)| {
            let p = if s == Status::Small { Printed::Small } else { Printed::Value(c.value()) };
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
    // Excerpts from a row with a hidden small cell (`<3`, or `:` over a true 1 or 2)
    // print without their model; the others with it.
    let small_rows: BTreeSet<&str> = published
        .iter()
        .filter(|((r, c), p)| {
            let model = if c.ends_with("M1") { 0 } else { 1 };
            c.starts_with("participants_M")
                && **p != Printed::Value(truth(r, Some(model)).1)
                && (1..3).contains(&truth(r, Some(model)).1)
        })
        .map(|((r, _), _)| r.as_str())
        .collect();
    for (id, _, _, code) in EXCERPTS {
        let theme = &code[..2];
        let hidden = small_rows.contains(code) || small_rows.contains(theme);
        for line in main.lines().filter(|l| l.contains(&format!("Words number {id} spoken"))) {
            assert_eq!(line.ends_with(", \"\")"), hidden, "{id}: {line}");
        }
    }
}

/// The reference study's codebook parents and excerpts, read here from the data files.
fn reference_excerpts() -> (BTreeMap<String, String>, Vec<BTreeMap<String, String>>) {
    let data = root().join("data");
    let mut parents = BTreeMap::new();
    let mut excerpts = Vec::new();
    for (dir, out) in [("codebook", 0), ("excerpts", 1)] {
        let mut files: Vec<_> = fs::read_dir(data.join(dir)).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for f in files {
            for row in read_csv(&f) {
                if out == 0 {
                    parents.insert(row["id"].clone(), row["parent"].clone());
                } else {
                    excerpts.push(row);
                }
            }
        }
    }
    (parents, excerpts)
}

/// Rows of the committed framework matrix with a hidden people cell (`<3`, or `:`) of one
/// model whose true count, computed here from the data files, is 1 or 2: every excerpt
/// coded there (or below) must print without its model.
fn hidden_rows() -> BTreeSet<String> {
    let data = root().join("data");
    // Unit → model from study.toml's `[[unit]]` blocks, interview → unit from the register.
    let toml = fs::read_to_string(data.join("study.toml")).unwrap();
    let mut unit_model = BTreeMap::new();
    for block in toml.split("[[unit]]").skip(1) {
        let field = |name: &str| {
            block
                .lines()
                .find_map(|l| l.trim().strip_prefix(name).and_then(|r| r.trim().strip_prefix('=')))
                .map(|v| v.trim().trim_matches('"').to_string())
                .unwrap()
        };
        unit_model.insert(field("id"), field("model"));
    }
    let interview_model: BTreeMap<String, String> = read_csv(&data.join("interviews.csv"))
        .into_iter()
        .map(|r| (r["id"].clone(), unit_model[&r["unit"]].clone()))
        .collect();
    let (parents, excerpts) = reference_excerpts();
    let mut people: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for e in &excerpts {
        for code in e["codes"].split(';') {
            let mut c = code.trim().to_string();
            loop {
                people
                    .entry((c.clone(), interview_model[&e["interview"]].clone()))
                    .or_default()
                    .insert(e["participant"].clone());
                match parents.get(&c) {
                    Some(p) if !p.is_empty() => c = p.clone(),
                    _ => break,
                }
            }
        }
    }
    // The reference study is a reconstruction and prints no people per theme; its data with
    // an original coding prints them, and is what the privacy rules are checked on.
    read_csv(&original_coding_build().1.join("report/tables/framework-matrix.csv"))
        .into_iter()
        .filter(|r| {
            r.iter().any(|(k, v)| {
                let Some(model) = k.strip_prefix("participants_").filter(|m| *m != "total") else { return false };
                let n = people.get(&(r["id"].clone(), model.to_string())).map_or(0, BTreeSet::len);
                (v == "<3" || v == ":") && (1..3).contains(&n)
            })
        })
        .map(|r| r["id"].clone())
        .collect()
}

fn from_hidden_row(codes: &str, parents: &BTreeMap<String, String>, hidden: &BTreeSet<String>) -> bool {
    codes.split(';').any(|c| {
        let mut c = c.trim().to_string();
        loop {
            if hidden.contains(&c) {
                return true;
            }
            match parents.get(&c) {
                Some(p) if !p.is_empty() => c = p.clone(),
                _ => return false,
            }
        }
    })
}

#[test]
fn reference_committed_tables_and_printed_excerpts_leave_no_cell_recoverable() {
    let study = load(&root().join("data"));
    let u = privacy::study::universe(&study);
    let mut pattern = u.primary();
    let mut tables: BTreeMap<String, Vec<BTreeMap<String, String>>> = BTreeMap::new();
    for (i, c) in u.cells.iter().enumerate() {
        if c.role != privacy::Role::Suppressible {
            continue;
        }
        let rows = tables
            .entry(c.table.clone())
            .or_insert_with(|| read_csv(&original_coding_build().1.join(format!("report/tables/{}.csv", c.table))));
        let row = rows.iter().find(|r| r["id"] == c.row).unwrap_or_else(|| panic!("{} {}", c.table, c.row));
        pattern[i] = match row[&c.col].as_str() {
            "<3" => Status::Small,
            ":" => Status::Secondary,
            v => {
                assert_eq!(v.parse::<i64>().unwrap(), c.value(), "{} {} {}", c.table, c.row, c.col);
                Status::Shown
            }
        };
    }
    let (parents, excerpts) = reference_excerpts();
    let hidden = hidden_rows();
    assert!(hidden.len() >= 10, "the reference study has small cells: {hidden:?}");
    let unlabelled: BTreeSet<String> =
        excerpts.iter().filter(|e| from_hidden_row(&e["codes"], &parents, &hidden)).map(|e| e["id"].clone()).collect();
    // People and interviews per model are hidden (with the sampling table they give one
    // unit's count), so their chart, which would show nothing, is left out.
    let by_model = &tables["participants-by-model"];
    assert!(by_model.iter().all(|r| r["participants"] == ":" && r["interviews"] == ":"), "{by_model:?}");
    for lang in ["nb", "en"] {
        assert!(!original_coding_build().1.join(format!("figures/participants-by-model.{lang}.svg")).exists());
    }
    let leaks = privacy::audit_printed(&u, &pattern, &unlabelled);
    let named: Vec<String> = leaks.iter().map(|l| u.cells[l.cell].name()).collect();
    assert!(leaks.is_empty(), "recoverable: {named:?}");
    // The subtraction examples no longer work: in a row with a `<3`, another
    // number of the row is hidden, and so is its theme's or a sibling's.
    let fm = &tables["framework-matrix"];
    for row in fm {
        for (col, v) in row {
            if v != "<3" {
                continue;
            }
            let others: Vec<&String> =
                row.iter().filter(|(k, _)| k.starts_with("participants") && *k != col).map(|(_, v)| v).collect();
            assert!(others.iter().any(|v| v.parse::<u64>().is_err()), "{} {col}: row subtraction", row["id"]);
            // The examples (4.9, 4.6, 4.7, 4.10, 4.1), where the theme is the sum of
            // its subthemes: their theme or a sibling is hidden too.
            let examples = ["T09.1", "T06.2", "T07.1", "T10.2", "T01.3"];
            if !examples.contains(&row["id"].as_str()) || !col.starts_with("participants_M") {
                continue;
            }
            if let Some(parent) = parents.get(&row["id"]).filter(|p| !p.is_empty()) {
                let family: Vec<&String> = fm
                    .iter()
                    .filter(|r| r["id"] == *parent || parents.get(&r["id"]) == Some(parent))
                    .filter(|r| r["id"] != row["id"])
                    .map(|r| &r[col])
                    .collect();
                assert!(family.iter().any(|v| v.parse::<u64>().is_err()), "{} {col}: theme subtraction", row["id"]);
            }
        }
    }
}

#[test]
fn reference_pdfs_print_no_model_on_an_excerpt_from_a_hidden_cell() {
    let out = reference_build();
    let (parents, excerpts) = reference_excerpts();
    let hidden = hidden_rows();
    for (lang, model_word) in [("nb", "Modell"), ("en", "Model")] {
        let pdf = out.join(format!("report/out/bsb-legemiddelfrie-tilbud-1.0.0-{lang}.pdf"));
        let norm = |s: &str| pdf::loose(s).replace(['’', '‘'], "'");
        let text = norm(&pdf::text(&pdf));
        let (mut found, mut checked_hidden, mut checked_shown) = (0, 0, 0);
        for e in &excerpts {
            let needle = norm(&e[&format!("text_{lang}")]);
            let from_hidden = from_hidden_row(&e["codes"], &parents, &hidden);
            let mut at = 0;
            while let Some(p) = text[at..].find(&needle) {
                let start = at + p + needle.len();
                let after: String = text[start..].chars().take(12).collect();
                let labelled =
                    after.trim_start_matches(|c: char| "»”\" ".contains(c)).starts_with(&format!("— {model_word}"));
                if from_hidden {
                    assert!(!labelled, "{lang}: {} is from a hidden cell but prints its model: {after}", e["id"]);
                    checked_hidden += 1;
                } else {
                    assert!(labelled, "{lang}: {} should print its model: {after}", e["id"]);
                    checked_shown += 1;
                }
                found += 1;
                at = start;
            }
        }
        assert!(found >= excerpts.len(), "{lang}: every excerpt found at least once ({found})");
        assert!(checked_hidden > 20 && checked_shown > 20, "{lang}: {checked_hidden} hidden, {checked_shown} shown");
    }
}

/// The errata table compares the published report's figures with the data. A figure
/// compared with a hidden count would print it, or tell by "matches" whether the published
/// one is right: neither may happen.
#[test]
fn errata_never_compare_a_figure_with_a_hidden_count() {
    let tmp = TempDir::new();
    let data = tmp.path().join("data");
    bsb::store::copy_dir(&root().join("data"), &data).unwrap();
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
