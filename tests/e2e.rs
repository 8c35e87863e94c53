//! End-to-end tests: the `bsb` binary on the reference study in `data/` and on small
//! studies written inside each test. Expected values are counted here, independently of
//! the program, from the data files themselves.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bsb(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bsb")).args(args).output().expect("run bsb")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn text_of(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn pdf_text(path: &Path) -> String {
    pdf_text_as(path, "-layout")
}

/// `-layout` keeps lines as printed; `-raw` keeps each table cell's text together.
fn pdf_text_as(path: &Path, mode: &str) -> String {
    let out = Command::new("pdftotext")
        .arg(mode)
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext failed on {}", path.display());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn build_into(data: &Path, out: &Path) -> Output {
    let o = bsb(&["-q", "build", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "build failed: {}", text_of(&o));
    o
}

fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| headers.iter().zip(rec.unwrap().iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect())
        .collect()
}

fn all_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.insert(p.strip_prefix(base).unwrap().display().to_string(), fs::read(&p).unwrap());
            }
        }
    }
    walk(dir, dir, &mut out);
    out
}

/// The reference study, built once per test process into a temporary directory.
fn reference_build() -> &'static PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        build_into(&root().join("data"), &dir);
        dir
    })
}

#[test]
fn participant_table_matches_an_independent_count_of_the_register() {
    let out = reference_build();
    // Count the register here: region → (individual, group, participants).
    let mut expected: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    for row in read_csv(&root().join("data/interviews.csv")) {
        let e = expected.entry(row["region"].clone()).or_default();
        let n: u64 = row["participants"].parse().unwrap();
        if row["kind"] == "individual" {
            e.0 += 1
        } else {
            e.1 += 1
        }
        e.2 += n;
    }
    let table = read_csv(&out.join("report/tables/participants.csv"));
    for (region, (ind, grp, par)) in &expected {
        let row = table.iter().find(|r| &r["id"] == region).expect("region row");
        assert_eq!(
            (
                row["individual"].parse::<u64>().unwrap(),
                row["group"].parse().unwrap(),
                row["participants"].parse().unwrap()
            ),
            (*ind, *grp, *par),
            "{region}"
        );
    }
    let total = table.iter().find(|r| r["id"] == "total").unwrap();
    let sum = expected.values().fold((0, 0, 0), |a, v| (a.0 + v.0, a.1 + v.1, a.2 + v.2));
    assert_eq!(
        (total["individual"].as_str(), total["group"].as_str(), total["participants"].as_str()),
        (sum.0.to_string().as_str(), sum.1.to_string().as_str(), sum.2.to_string().as_str())
    );
    // And the figures the issue names, from the 2020 report's Table 1.
    assert_eq!(sum, (17, 4, 33));
    let nord = table.iter().find(|r| r["id"] == "nord").unwrap();
    assert_eq!((nord["individual"].as_str(), nord["group"].as_str(), nord["participants"].as_str()), ("9", "0", "9"));
}

#[test]
fn both_pdfs_hold_the_numbers_and_their_own_language() {
    let out = reference_build();
    let nb = out.join("report/out/bsb-legemiddelfrie-tilbud-1.0.0-nb.pdf");
    let en = out.join("report/out/bsb-legemiddelfrie-tilbud-1.0.0-en.pdf");
    for p in [&nb, &en] {
        assert!(fs::read(p).unwrap().starts_with(b"%PDF-"), "{} is a PDF", p.display());
    }
    let (tnb, ten) = (pdf_text(&nb), pdf_text(&en));
    for heading in
        ["Innhold", "Sammendrag", "Metode", "Funn", "Anbefalinger", "Helseregion", "Eneintervjuer", "Vedlegg"]
    {
        assert!(tnb.contains(heading) || heading == "Vedlegg", "nb PDF lacks {heading}");
    }
    for heading in
        ["Contents", "Summary", "Method", "Findings", "Recommendations", "Health region", "Individual interviews"]
    {
        assert!(ten.contains(heading), "en PDF lacks {heading}");
    }
    // No text of the other language's skeleton, and no template leftovers.
    assert!(!ten.contains("Eneintervjuer") && !tnb.contains("Individual interviews"));
    for t in [&tnb, &ten] {
        assert!(!t.contains("{{") && !t.contains("{%"), "template leftovers");
        assert!(t.contains("17") && t.contains("33"), "totals of Table 1");
    }
    // Small-cell words and number style per language.
    assert!(ten.contains("Version 1.0.0") && tnb.contains("Versjon 1.0.0"));
}

#[test]
fn pdfs_are_tagged_and_declare_pdf_a_and_ua() {
    let out = reference_build();
    for lang in ["nb", "en"] {
        let path = out.join(format!("report/out/bsb-legemiddelfrie-tilbud-1.0.0-{lang}.pdf"));
        let bytes = fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("pdfaid:part") && text.contains("pdfuaid:part"), "{lang}: XMP declares PDF/A and PDF/UA");
        assert!(text.contains("/StructTreeRoot"), "{lang}: tagged");
        assert!(
            text.contains(&format!("/Lang({lang})")) && text.contains(&format!("<rdf:li>{lang}</rdf:li>")),
            "{lang}: language declared"
        );
    }
}

#[test]
fn two_builds_are_byte_identical() {
    let first = reference_build();
    let second = tempfile::tempdir().unwrap();
    build_into(&root().join("data"), second.path());
    let a = all_files(first);
    let b = all_files(second.path());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, v) in &a {
        assert!(v == &b[k], "{k} differs between builds");
    }
}

#[test]
fn committed_tables_and_figures_are_current() {
    let out = bsb(&["check", "--data", root().join("data").to_str().unwrap(), "--out", root().to_str().unwrap()]);
    assert!(out.status.success(), "bsb check: {}", text_of(&out));
    assert!(!text_of(&out).contains("warning"), "the reference study has no warnings: {}", text_of(&out));
}

#[test]
fn info_json_reports_the_study() {
    let out = bsb(&["info", "--json", "--data", root().join("data").to_str().unwrap()]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected_excerpts =
        fs::read_dir(root().join("data/excerpts")).unwrap().map(|e| read_csv(&e.unwrap().path()).len()).sum::<usize>();
    assert_eq!(v["excerpts"], expected_excerpts);
    assert!(expected_excerpts >= 150);
    assert_eq!(v["regions"], 4);
    assert_eq!(v["interviews"], 21);
    assert_eq!(v["participants"], 33);
    assert_eq!(v["themes"], 11);
    assert_eq!(v["traits"], 10);
    assert_eq!(v["factors"], 5);
    assert_eq!(v["recommendation_columns"], 3);
    for key in ["units", "models", "codes", "recommendations"] {
        assert!(v[key].as_u64().unwrap() > 0, "{key}");
    }
}

#[test]
fn usage_errors_exit_with_2() {
    assert_eq!(bsb(&["no-such-command"]).status.code(), Some(2));
    assert_eq!(bsb(&["build", "--no-such-flag"]).status.code(), Some(2));
}

// ---- small studies written inside the tests ----

/// A study with `regions` regions, `models` models and one language or two; each region
/// has one unit per model and two interviews per unit (one individual, one group of 3).
fn small_study(dir: &Path, regions: usize, models: usize, langs: &[&str]) {
    let mut toml = String::new();
    let text =
        |field: &str, value: &str| -> String { langs.iter().map(|l| format!("{field}_{l} = \"{value}\"\n")).collect() };
    toml.push_str("slug = \"small\"\nversion = \"0.1\"\ndate = \"2024-02-29\"\nsmall_cell_k = 3\n");
    toml.push_str(&format!(
        "languages = [{}]\n",
        langs.iter().map(|l| format!("\"{l}\"")).collect::<Vec<_>>().join(", ")
    ));
    for f in ["title", "subtitle", "short_title", "commissioner", "author", "excerpt_notice"] {
        toml.push_str(&text(f, &format!("The {f}")));
    }
    for m in 0..models {
        toml.push_str(&format!(
            "\n[[model]]\nid = \"M{m}\"\n{}{}{}",
            text("short", &format!("Model {m}")),
            text("name", &format!("Model {m} name")),
            text("description", "d")
        ));
    }
    for r in 0..regions {
        toml.push_str(&format!("\n[[region]]\nid = \"r{r}\"\n{}", text("name", &format!("Region {r}"))));
        for m in 0..models {
            toml.push_str(&format!(
                "\n[[unit]]\nid = \"u{r}{m}\"\nregion = \"r{r}\"\nmodel = \"M{m}\"\n{}",
                text("name", &format!("Unit {r} {m}"))
            ));
        }
    }
    fs::write(dir.join("study.toml"), toml).unwrap();
    let mut iv = String::from("id,region,unit,kind,participants\n");
    let mut ex = format!(
        "id,interview,participant,codes,{}\n",
        langs.iter().map(|l| format!("text_{l}")).collect::<Vec<_>>().join(",")
    );
    let mut n = 0;
    for r in 0..regions {
        for m in 0..models {
            iv.push_str(&format!("I{r}{m}a,r{r},u{r}{m},individual,1\nI{r}{m}b,r{r},u{r}{m},group,3\n"));
            for (i, who) in [("a", "x"), ("b", "y"), ("b", "z")] {
                n += 1;
                let code = if n % 2 == 0 { "A.1" } else { "B.1" };
                let texts = langs.iter().map(|l| format!("\"words {n} {l}\"")).collect::<Vec<_>>().join(",");
                ex.push_str(&format!("E{n},I{r}{m}{i},P{r}{m}{i}{who},{code},{texts}\n"));
            }
        }
    }
    fs::write(dir.join("interviews.csv"), iv).unwrap();
    let labels = |s: &str| langs.iter().map(|_| s.to_string()).collect::<Vec<_>>().join(",");
    let cb_header = format!(
        "id,parent,section,{},{}\n",
        langs.iter().map(|l| format!("label_{l}")).collect::<Vec<_>>().join(","),
        langs.iter().map(|l| format!("description_{l}")).collect::<Vec<_>>().join(",")
    );
    let cb = format!(
        "{cb_header}A,,1,{},{}\nA.1,A,1,{},{}\nB,,2,{},{}\nB.1,B,2,{},{}\n",
        labels("Theme A"),
        labels("d"),
        labels("Sub A"),
        labels("d"),
        labels("Theme B"),
        labels("d"),
        labels("Sub B"),
        labels("d")
    );
    fs::write(dir.join("codebook.csv"), cb).unwrap();
    fs::create_dir_all(dir.join("excerpts")).unwrap();
    fs::write(dir.join("excerpts/all.csv"), ex).unwrap();
}

#[test]
fn five_regions_three_models_one_language_builds_with_no_code_change() {
    let (tmp, data) = temp_study(5, 3, &["en"]);
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let table = read_csv(&out.join("report/tables/participants.csv"));
    assert_eq!(table.len(), 6, "five regions and a total");
    for r in 0..5 {
        let row = table.iter().find(|x| x["id"] == format!("r{r}")).unwrap();
        // Three units, each with one individual and one group interview of 3.
        assert_eq!((row["individual"].as_str(), row["group"].as_str(), row["participants"].as_str()), ("3", "3", "12"));
    }
    let fw = read_csv(&out.join("report/tables/framework-matrix.csv"));
    assert!(fw[0].contains_key("excerpts_M2"), "a column per model");
    let text = pdf_text(&out.join("report/out/small-0.1-en.pdf"));
    for r in 0..5 {
        assert!(text.contains(&format!("Region {r}")), "the PDF lists region {r}");
    }
    assert!(text.contains("Model 2 name") && text.contains("Theme B"), "models and themes from data");
    assert!(!out.join("report/out/small-0.1-nb.pdf").exists());
    assert!(out.join("figures/evidence-heatmap.en.svg").exists());
}

#[test]
fn small_person_counts_are_suppressed_with_their_revealing_totals() {
    let (tmp, data) = temp_study(1, 2, &["en"]);
    let out = tmp.path().join("out");
    build_into(&data, &out);
    // Independently: per model, code A.1 gets the excerpts with even numbers.
    // Model M0: E1 (B.1, x), E2 (A.1, y), E3 (B.1, z); model M1: E4 (A.1), E5 (B.1), E6 (A.1).
    // A.1 people: M0 {y} = 1, M1 {x', z'} = 2 → both below k = 3.
    let fw = read_csv(&out.join("report/tables/framework-matrix.csv"));
    let a1 = fw.iter().find(|r| r["id"] == "A.1").unwrap();
    assert_eq!(a1["participants_M0"], "<3");
    assert_eq!(a1["participants_M1"], "<3");
    assert_eq!(a1["participants_total"], "3", "two hidden cells protect each other; 3 is not small");
    let b1 = fw.iter().find(|r| r["id"] == "B.1").unwrap();
    // B.1: M0 {x, z} = 2 (small), M1 {y'} = 1 (small); total 3.
    assert_eq!(b1["participants_M0"], "<3");
    // No raw small person count in any evidence column of the matrix.
    for row in &fw {
        for (col, v) in row {
            if col.starts_with("participants") {
                assert!(v != "1" && v != "2", "{}: {col} = {v}", row["id"]);
            }
        }
    }
    let svg = fs::read_to_string(out.join("figures/evidence-heatmap.en.svg")).unwrap();
    assert!(svg.contains("hidden"), "a suppressed cell is drawn as hidden");
}

#[test]
fn data_never_becomes_markup() {
    let (tmp, data) = temp_study(1, 1, &["en"]);
    let hostile = r#"#read(\"/etc/passwd\") @x $y$ *b* _i_ <l> `c` \\ // ~"#;
    let toml = fs::read_to_string(data.join("study.toml"))
        .unwrap()
        .replace("name_en = \"Region 0\"", &format!("name_en = \"{hostile}\""));
    fs::write(data.join("study.toml"), toml).unwrap();
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let text = pdf_text(&out.join("report/out/small-0.1-en.pdf"));
    assert!(text.contains(r#"#read("/etc/passwd")"#), "printed literally: {text}");
    assert!(text.contains("@x $y$ *b* _i_ <l> `c`"), "markup characters print as themselves");
    assert!(!text.contains("root:"), "no file was read");
}

/// A small study in a fresh temporary directory: the directory (kept alive by the
/// caller) and its `data/` folder.
fn temp_study(regions: usize, models: usize, langs: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    fs::create_dir_all(&data).unwrap();
    small_study(&data, regions, models, langs);
    (tmp, data)
}

fn expect_failure(data: &Path, needles: &[&str]) {
    let out = bsb(&["check", "--data", data.to_str().unwrap(), "--out", data.parent().unwrap().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "expected a data error: {}", text_of(&out));
    let text = text_of(&out);
    for n in needles {
        assert!(text.contains(n), "expected `{n}` in:\n{text}");
    }
}

fn broken(edit: impl FnOnce(&Path)) -> tempfile::TempDir {
    let (tmp, data) = temp_study(2, 2, &["nb", "en"]);
    edit(&data);
    tmp
}

#[test]
fn every_error_names_file_line_and_field_all_at_once() {
    let tmp = broken(|d| {
        let iv = fs::read_to_string(d.join("interviews.csv")).unwrap();
        let iv = iv.replacen("I00b,r0,u00,group,3", "I00b,r0,u00,group,1", 1).replacen(
            "I01a,r0,u01,individual,1",
            "I01a,r0,nowhere,individual,x",
            1,
        );
        fs::write(d.join("interviews.csv"), iv).unwrap();
    });
    expect_failure(
        &tmp.path().join("data"),
        &[
            "data/interviews.csv:3: field `participants`: expected at least 2 in a group interview, found 1",
            "data/interviews.csv:4: field `unit`",
            "data/interviews.csv:4: field `participants`: expected a whole number, found `x`",
        ],
    );
}

#[test]
fn excel_files_with_bom_and_crlf_report_the_right_line() {
    let tmp = broken(|d| {
        let iv = fs::read_to_string(d.join("interviews.csv")).unwrap();
        let iv = iv.replacen("I10a,r1,u10,individual,1", "I10a,r9,u10,individual,1", 1);
        let crlf = format!("\u{feff}{}\r\n", iv.replace('\n', "\r\n"));
        fs::write(d.join("interviews.csv"), crlf).unwrap();
    });
    // I10a is the 6th record: header on line 1, so line 6.
    expect_failure(
        &tmp.path().join("data"),
        &["data/interviews.csv:6: field `region`: expected the id of a region, found `r9`"],
    );
}

#[test]
fn duplicate_ids_missing_languages_and_bad_references_are_errors() {
    let tmp = broken(|d| {
        let ex = fs::read_to_string(d.join("excerpts/all.csv")).unwrap();
        let mut lines: Vec<String> = ex.lines().map(str::to_string).collect();
        lines[2] = lines[1].clone(); // duplicate id E1 on line 3
        lines[3] = lines[3].replace("A.1", "Z.9").replace("B.1", "Z.9"); // unknown code on line 4
        let last = lines.len() - 1;
        lines[last] = lines[last].rsplit_once(',').map(|(a, _)| format!("{a},")).unwrap(); // empty text_en
        fs::write(d.join("excerpts/all.csv"), lines.join("\n") + "\n").unwrap();
    });
    expect_failure(
        &tmp.path().join("data"),
        &[
            "data/excerpts/all.csv:3: field `id`: expected a unique excerpt id, found `E1` again (first at data/excerpts/all.csv:2)",
            "data/excerpts/all.csv:4: field `codes`: expected the id of a code, found `Z.9`",
            "data/excerpts/all.csv:13: field `text_en`: expected the text in language `en`",
        ],
    );
}

#[test]
fn excerpts_naming_a_region_or_place_are_refused() {
    let tmp = broken(|d| {
        let ex = fs::read_to_string(d.join("excerpts/all.csv")).unwrap();
        fs::write(d.join("excerpts/all.csv"), ex.replacen("words 2 nb", "words about Region 1 here", 1)).unwrap();
    });
    expect_failure(&tmp.path().join("data"), &["data/excerpts/all.csv:3: field `text_nb`: expected no region, unit or place name in an excerpt, found `Region 1`"]);
}

#[test]
fn shares_must_make_a_whole_and_dates_must_be_real() {
    let tmp = broken(|d| {
        fs::create_dir_all(d.join("context")).unwrap();
        fs::write(d.join("context/sets.csv"), "id,unit,total_fact,source,ref,title_nb,title_en\ns,percent,,003,,T,T\n")
            .unwrap();
        fs::write(d.join("context/shares.csv"), "set,id,value,label_nb,label_en\ns,a,60,A,A\ns,b,30,B,B\n").unwrap();
        fs::write(
            d.join("context/timeline.csv"),
            "id,date,kind,label_nb,label_en,source,ref\nEV1,2023-02-30,policy,X,X,001,\n",
        )
        .unwrap();
        let toml = fs::read_to_string(d.join("study.toml")).unwrap();
        fs::write(d.join("study.toml"), toml.replace("date = \"2024-02-29\"", "date = \"2023-02-29\"")).unwrap();
    });
    expect_failure(
        &tmp.path().join("data"),
        &[
            "data/context/sets.csv:2: field `id`: expected the shares of `s` to sum to 100",
            "data/context/timeline.csv:2: field `date`: expected a real date",
            "data/study.toml:3: field `date`: expected a real date as YYYY-MM-DD, found `2023-02-29`",
        ],
    );
}

#[test]
fn check_names_a_stale_committed_table() {
    let (tmp, data) = temp_study(2, 2, &["en"]);
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let ok = bsb(&["check", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(ok.status.success(), "{}", text_of(&ok));
    let path = out.join("report/tables/participants.csv");
    let edited = fs::read_to_string(&path).unwrap().replace("r0,Region 0,2", "r0,Region 0,7");
    assert_ne!(edited, fs::read_to_string(&path).unwrap(), "the test edits the table");
    fs::write(&path, edited).unwrap();
    let stale = bsb(&["check", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(stale.status.code(), Some(1));
    assert!(text_of(&stale).contains("report/tables/participants.csv: is stale"), "{}", text_of(&stale));
}

#[test]
fn a_failed_build_leaves_earlier_outputs_untouched() {
    let (tmp, data) = temp_study(1, 2, &["en"]);
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let before = all_files(&out);
    // A prose chapter with a typst error fails at typesetting, after tables and figures.
    fs::create_dir_all(data.join("prose/en")).unwrap();
    fs::write(data.join("prose/en/summary.typ"), "Text with #undefined-function() call.").unwrap();
    fs::write(
        data.join("interviews.csv"),
        fs::read_to_string(data.join("interviews.csv")).unwrap().replacen("group,3", "group,4", 1),
    )
    .unwrap();
    let failed = bsb(&["build", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(text_of(&failed).contains("prose/summary.typ:1"), "{}", text_of(&failed));
    assert_eq!(all_files(&out), before, "no output changed");
}

#[test]
fn diff_reports_added_removed_and_changed_cells() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    fs::create_dir_all(&a).unwrap();
    fs::create_dir_all(&b).unwrap();
    fs::write(a.join("t.csv"), "id,x,y\nr1,1,2\nr2,3,4\n").unwrap();
    fs::write(b.join("t.csv"), "id,x,y\nr1,1,5\nr3,6,7\n").unwrap();
    fs::write(a.join("gone.csv"), "id,x\nq,1\n").unwrap();
    let out = bsb(&["diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert!(out.status.success());
    let text = text_of(&out);
    assert!(text.contains("row removed: r2"), "{text}");
    assert!(text.contains("row added: r3"), "{text}");
    assert!(text.contains("r1 y: 2 → 5"), "{text}");
    assert!(text.contains("gone: table removed"), "{text}");
    let md = text_of(&bsb(&["diff", a.to_str().unwrap(), b.to_str().unwrap(), "--format", "md"]));
    assert!(md.contains("### t") && md.contains("`r1` `y`: `2` → `5`"), "{md}");
}

#[test]
fn figures_parse_and_hold_their_data() {
    let out = reference_build();
    let interviews = read_csv(&root().join("data/interviews.csv"));
    for lang in ["nb", "en"] {
        let svg = fs::read_to_string(out.join(format!("figures/participants-by-region.{lang}.svg"))).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("font-family=\"Libertinus Serif\""));
        assert!(!svg.contains("sans-serif"));
        // One bar per region and series (fill and outline), besides the background and the
        // legend's three swatches (fill and outline).
        let regions: std::collections::BTreeSet<_> = interviews.iter().map(|r| r["region"].clone()).collect();
        assert_eq!(
            svg.matches("<rect").count(),
            1 + 2 * 3 + 2 * 3 * regions.len(),
            "bars for {} regions",
            regions.len()
        );
        for name in ["Helse Nord", "Helse Midt-Norge", "Helse Vest", "Helse Sør-Øst"] {
            assert!(svg.contains(name), "{name} labelled");
        }
        let timeline = fs::read_to_string(out.join(format!("figures/policy-timeline.{lang}.svg"))).unwrap();
        let events = read_csv(&root().join("data/context/timeline.csv")).len();
        assert_eq!(
            timeline.matches("<circle").count() / 2 + timeline.matches("<polygon").count() - 1,
            events,
            "one marker per event"
        );
    }
    let nb = fs::read_to_string(out.join("figures/participants-by-region.nb.svg")).unwrap();
    let en = fs::read_to_string(out.join("figures/participants-by-region.en.svg")).unwrap();
    assert!(nb.contains("Eneintervjuer") && en.contains("Individual interviews"));
    let unn = fs::read_to_string(out.join("figures/unn-antipsychotics.nb.svg")).unwrap();
    assert!(unn.contains("60\u{a0}%") || unn.contains("60&#160;%") || unn.contains("60 %"), "nb percent style");
}

#[test]
fn references_across_files_must_resolve() {
    let tmp = broken(|d| {
        // A unit from another region, and one participant in two interviews.
        let iv = fs::read_to_string(d.join("interviews.csv")).unwrap();
        fs::write(d.join("interviews.csv"), iv.replacen("I10a,r1,u10", "I10a,r1,u00", 1)).unwrap();
        let ex = fs::read_to_string(d.join("excerpts/all.csv")).unwrap();
        fs::write(d.join("excerpts/all.csv"), ex.replacen("E4,I01a,P01ax", "E4,I01a,P00ax", 1)).unwrap();
        fs::write(d.join("traits.csv"), "id,label_nb,label_en,codes\nTR1,T,T,A;Q\n").unwrap();
        fs::write(d.join("recommendation-columns.csv"), "id,label_nb,label_en\nrights,R,R\n").unwrap();
        fs::write(d.join("recommendations.csv"), "id,column,text_nb,text_en,rests_on\nR1,content,X,X,TR1;nothing\n")
            .unwrap();
    });
    expect_failure(
        &tmp.path().join("data"),
        &[
            "data/interviews.csv:6: field `unit`: expected a unit in region `r1`, found `u00` of region `r0`",
            "field `participant`: expected `P00ax` to belong to one interview, found it in `I00a` and `I01a`",
            "data/traits.csv:2: field `codes`: expected the id of a code, found `Q`",
            "data/recommendations.csv:2: field `column`: expected the id of a recommendation column, found `content`",
            "data/recommendations.csv:2: field `rests_on`: expected the id of a theme, code or trait, found `nothing`",
        ],
    );
}

#[test]
fn long_excerpts_and_count_sets_that_miss_their_total_are_errors() {
    let tmp = broken(|d| {
        let ex = fs::read_to_string(d.join("excerpts/all.csv")).unwrap();
        let long = vec!["word"; 60].join(" ");
        fs::write(d.join("excerpts/all.csv"), ex.replacen("words 1 en", &long, 1)).unwrap();
        fs::create_dir_all(d.join("context")).unwrap();
        fs::write(
            d.join("context/facts.csv"),
            "id,value,unit,date,source,ref,label_nb,label_en\ntotal,10,count,,003,,T,T\n",
        )
        .unwrap();
        fs::write(
            d.join("context/sets.csv"),
            "id,unit,total_fact,source,ref,title_nb,title_en\nc,count,total,003,,T,T\n",
        )
        .unwrap();
        fs::write(d.join("context/shares.csv"), "set,id,value,label_nb,label_en\nc,a,6,A,A\nc,b,3,B,B\n").unwrap();
    });
    expect_failure(
        &tmp.path().join("data"),
        &[
            "data/excerpts/all.csv:2: field `text_en`: expected a short paraphrase of at most 50 words, found 60",
            "data/context/sets.csv:2: field `total_fact`: expected the parts of `c` to sum to `total` = 10, found 9",
        ],
    );
}

// ---- reproducible, incremental and safe builds ----

fn build_explain(data: &Path, out: &Path) -> String {
    let o = bsb(&["build", "--explain", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text_of(&o));
    text_of(&o)
}

#[test]
fn an_english_excerpt_edit_retypesets_only_the_english_pdf_and_a_noop_build_skips_all() {
    let (tmp, data) = temp_study(1, 2, &["nb", "en"]);
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let before = all_files(&out);
    let noop = build_explain(&data, &out);
    assert!(noop.contains("skip     every stage: no input changed"), "{noop}");
    assert!(noop.contains("nothing changed"), "{noop}");
    assert_eq!(all_files(&out), before);

    let path = data.join("excerpts/all.csv");
    fs::write(&path, fs::read_to_string(&path).unwrap().replace("words 1 en", "other words 1 en")).unwrap();
    let log = build_explain(&data, &out);
    assert!(log.contains("skip     report/out/small-0.1-nb.pdf"), "{log}");
    assert!(log.contains("typeset  report/out/small-0.1-en.pdf"), "{log}");
    let after = all_files(&out);
    assert_eq!(after["report/out/small-0.1-nb.pdf"], before["report/out/small-0.1-nb.pdf"]);
    assert_ne!(after["report/out/small-0.1-en.pdf"], before["report/out/small-0.1-en.pdf"]);
}

#[test]
fn no_change_to_any_kind_of_input_is_missed() {
    let (tmp, data) = temp_study(1, 2, &["en"]);
    fs::create_dir_all(data.join("prose/en")).unwrap();
    fs::write(data.join("prose/en/summary.typ"), "A summary of {{ n.participants }} people.").unwrap();
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let edits: Vec<(&str, &str, &str)> = vec![
        ("study.toml", "The title", "Another title"),
        ("interviews.csv", "group,3", "group,4"),
        ("codebook.csv", "Sub A", "Sub A renamed"),
        ("excerpts/all.csv", "words 2 en", "changed words"),
        ("prose/en/summary.typ", "A summary", "An edited summary"),
    ];
    for (file, from, to) in edits {
        let path = data.join(file);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} holds {from}");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
        let before = all_files(&out);
        let log = build_explain(&data, &out);
        assert!(log.contains("typeset  report/out/small-0.1-en.pdf"), "editing {file}: {log}");
        let after = all_files(&out);
        assert_ne!(after["report/out/small-0.1-en.pdf"], before["report/out/small-0.1-en.pdf"], "editing {file}");
        let manifest: serde_json::Value = serde_json::from_slice(&after["report/manifest.json"]).unwrap();
        assert!(manifest["inputs"][format!("data/{file}")].is_string(), "the manifest lists data/{file}");
    }
}

#[test]
fn source_date_epoch_sets_the_pdf_date() {
    let (tmp, data) = temp_study(1, 1, &["en"]);
    let out = tmp.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_bsb"))
        .args(["-q", "build", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", "1000000000")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text_of(&o));
    let pdf = String::from_utf8_lossy(&fs::read(out.join("report/out/small-0.1-en.pdf")).unwrap()).into_owned();
    assert!(pdf.contains("D:20010909"), "2001-09-09 from the epoch");
    build_into(&data, &out);
    let pdf = String::from_utf8_lossy(&fs::read(out.join("report/out/small-0.1-en.pdf")).unwrap()).into_owned();
    assert!(pdf.contains("D:20240229"), "the study's date without the variable");
}

#[test]
fn a_second_build_waits_for_the_first() {
    use fs2::FileExt;
    let (tmp, data) = temp_study(1, 1, &["en"]);
    let out = tmp.path().join("out");
    fs::create_dir_all(out.join("report")).unwrap();
    let held =
        fs::OpenOptions::new().create(true).truncate(false).write(true).open(out.join("report/.bsb.lock")).unwrap();
    held.lock_exclusive().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_bsb"))
        .args(["build", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(child.try_wait().unwrap().is_none(), "the build waits while another holds the lock");
    assert!(!out.join("report/out").exists(), "and writes nothing meanwhile");
    FileExt::unlock(&held).unwrap();
    let done = child.wait_with_output().unwrap();
    assert!(done.status.success());
    assert!(String::from_utf8_lossy(&done.stderr).contains("waiting for another bsb build"));
    assert!(out.join("report/out/small-0.1-en.pdf").exists());
}

#[test]
fn releases_are_recorded_once_and_listed_in_the_report() {
    let (tmp, data) = temp_study(1, 1, &["en"]);
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let args = ["release", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()];
    let r = bsb(&args);
    assert!(r.status.success(), "{}", text_of(&r));
    assert!(out.join("report/releases/0.1.json").exists());
    build_into(&data, &out);
    let text = pdf_text(&out.join("report/out/small-0.1-en.pdf"));
    assert!(text.contains("Version history"), "{text}");
    // Changing the data without a new version cannot be released as the same version.
    let path = data.join("interviews.csv");
    fs::write(&path, fs::read_to_string(&path).unwrap().replacen("group,3", "group,5", 1)).unwrap();
    build_into(&data, &out);
    let again = bsb(&args);
    assert_eq!(again.status.code(), Some(1), "{}", text_of(&again));
    assert!(text_of(&again).contains("already released"));
}

#[test]
fn synth_scales_the_sample_and_the_codebook() {
    let tmp = tempfile::tempdir().unwrap();
    let into = tmp.path().join("s3");
    let o = bsb(&[
        "synth",
        "--data",
        root().join("data").to_str().unwrap(),
        "--scale",
        "3",
        "--into",
        into.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text_of(&o));
    let info = |dir: &Path| -> serde_json::Value {
        serde_json::from_slice(&bsb(&["info", "--json", "--data", dir.to_str().unwrap()]).stdout).unwrap()
    };
    let (one, three) = (info(&root().join("data")), info(&into));
    for key in ["interviews", "participants", "excerpts", "regions", "units"] {
        assert_eq!(three[key].as_u64().unwrap(), 3 * one[key].as_u64().unwrap(), "{key}");
    }
    assert!(three["subthemes"].as_u64().unwrap() > one["subthemes"].as_u64().unwrap());
}

#[test]
fn watch_rebuilds_after_a_saved_change() {
    let (tmp, data) = temp_study(1, 1, &["en"]);
    let out = tmp.path().join("out");
    let child = Command::new(env!("CARGO_BIN_EXE_bsb"))
        .args(["watch", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .env("BSB_WATCH_ROUNDS", "12")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let first = fs::read(out.join("report/out/small-0.1-en.pdf")).expect("first build done");
    let path = data.join("interviews.csv");
    fs::write(&path, fs::read_to_string(&path).unwrap().replacen("group,3", "group,6", 1)).unwrap();
    let done = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&done.stderr).into_owned();
    assert_eq!(log.matches("rebuilt in").count(), 2, "{log}");
    assert_ne!(fs::read(out.join("report/out/small-0.1-en.pdf")).unwrap(), first);
}

// ---- every table against an independent computation from data/ ----

/// The reference study read straight from its files, without the program's model.
struct Raw {
    /// interview → model
    model_of: BTreeMap<String, String>,
    /// code → parent
    parent: BTreeMap<String, String>,
    excerpts: Vec<BTreeMap<String, String>>,
    models: Vec<String>,
}

fn raw() -> Raw {
    let study: toml::Table = fs::read_to_string(root().join("data/study.toml")).unwrap().parse().unwrap();
    let unit_model: BTreeMap<String, String> = study["unit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["id"].as_str().unwrap().to_string(), u["model"].as_str().unwrap().to_string()))
        .collect();
    let models = study["model"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_string()).collect();
    let model_of = read_csv(&root().join("data/interviews.csv"))
        .into_iter()
        .map(|r| (r["id"].clone(), unit_model[&r["unit"]].clone()))
        .collect();
    let mut parent = BTreeMap::new();
    let mut excerpts = Vec::new();
    for (dir, out) in [("codebook", true), ("excerpts", false)] {
        let mut files: Vec<_> =
            fs::read_dir(root().join("data").join(dir)).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for f in files {
            for r in read_csv(&f) {
                if out {
                    parent.insert(r["id"].clone(), r["parent"].clone());
                } else {
                    excerpts.push(r);
                }
            }
        }
    }
    Raw { model_of, parent, excerpts, models }
}

impl Raw {
    /// Does an excerpt count as evidence for `code` (coded to it or below it)?
    fn evidences(&self, excerpt: &BTreeMap<String, String>, code: &str) -> bool {
        excerpt["codes"].split(';').any(|c| {
            let mut cur = c.trim().to_string();
            loop {
                if cur == code {
                    return true;
                }
                match self.parent.get(&cur) {
                    Some(p) if !p.is_empty() => cur = p.clone(),
                    _ => return false,
                }
            }
        })
    }

    /// (excerpts, distinct participants) for any of `codes` in `model` (None = all).
    fn count(&self, codes: &[&str], model: Option<&str>) -> (usize, usize) {
        let hits: Vec<_> = self
            .excerpts
            .iter()
            .filter(|e| codes.iter().any(|c| self.evidences(e, c)))
            .filter(|e| model.is_none_or(|m| self.model_of[&e["interview"]] == m))
            .collect();
        let people: std::collections::BTreeSet<_> = hits.iter().map(|e| e["participant"].clone()).collect();
        (hits.len(), people.len())
    }
}

/// A shown person count agrees with the true one: equal, or suppressed when it is small.
fn agrees(shown: &str, truth: usize) {
    match shown {
        "<3" => assert!((1..3).contains(&truth), "shown <3 for {truth}"),
        ":" => {}
        v => assert_eq!(v.parse::<usize>().unwrap(), truth),
    }
    if (1..3).contains(&truth) {
        assert!(shown == "<3" || shown == ":", "small count {truth} printed as {shown}");
    }
}

#[test]
fn framework_and_model_matrices_match_an_independent_count() {
    let out = reference_build();
    let raw = raw();
    let fw = read_csv(&out.join("report/tables/framework-matrix.csv"));
    assert_eq!(fw.len(), raw.parent.len() + 1, "a row per code and a total");
    for row in fw.iter().filter(|r| r["id"] != "total") {
        for m in &raw.models {
            let (ex, people) = raw.count(&[row["id"].as_str()], Some(m));
            agrees(&row[&format!("participants_{m}")], people);
            // An excerpt count is hidden with its people, or to protect them; else exact.
            if matches!(row[&format!("participants_{m}")].as_str(), "<3" | ":") {
                assert_eq!(row[&format!("excerpts_{m}")], ":", "{} {m}: excerpts of hidden people", row["id"]);
            }
            if row[&format!("excerpts_{m}")] != ":" {
                assert_eq!(row[&format!("excerpts_{m}")], ex.to_string(), "{} {m}", row["id"]);
            }
        }
        let (ex, people) = raw.count(&[row["id"].as_str()], None);
        agrees(&row["participants_total"], people);
        if row["excerpts_total"] != ":" {
            assert_eq!(row["excerpts_total"], ex.to_string(), "{}", row["id"]);
        }
    }
    let mm = read_csv(&out.join("report/tables/model-matrix.csv"));
    let traits = read_csv(&root().join("data/traits.csv"));
    assert_eq!(
        mm.iter().map(|r| r["id"].clone()).collect::<Vec<_>>(),
        traits.iter().map(|r| r["id"].clone()).collect::<Vec<_>>()
    );
    let findings = read_csv(&root().join("data/model-findings.csv"));
    for (row, tr) in mm.iter().zip(&traits) {
        let codes: Vec<&str> = tr["codes"].split(';').map(str::trim).collect();
        for m in &raw.models {
            let (ex, people) = raw.count(&codes, Some(m));
            agrees(&row[&format!("participants_{m}")], people);
            if row[&format!("excerpts_{m}")] != ":" {
                assert_eq!(row[&format!("excerpts_{m}")], ex.to_string(), "{} {m}", row["id"]);
            }
            let f = findings.iter().find(|f| f["trait"] == row["id"] && &f["model"] == m).unwrap();
            assert_eq!(row[&format!("finding_{m}_en")], f["finding_en"]);
        }
    }
}

#[test]
fn errata_recommendations_compilation_timeline_and_context_tables_match_the_data() {
    let out = reference_build();
    // Errata: each published figure against a count of the register.
    let register = read_csv(&root().join("data/interviews.csv"));
    let metric = |key: &str| -> usize {
        let parts: Vec<&str> = key.split('.').collect();
        let rows: Vec<_> = register.iter().filter(|r| parts[0] != "region" || r["region"] == parts[1]).collect();
        match *parts.last().unwrap() {
            "individual" => rows.iter().filter(|r| r["kind"] == "individual").count(),
            "group" => rows.iter().filter(|r| r["kind"] == "group").count(),
            "participants" | "total" if parts[0] != "interviews" => {
                rows.iter().map(|r| r["participants"].parse::<usize>().unwrap()).sum()
            }
            _ => rows.len(),
        }
    };
    let errata = read_csv(&out.join("report/tables/errata.csv"));
    let published = read_csv(&root().join("data/published.csv"));
    assert_eq!(errata.len(), published.len());
    for (row, p) in errata.iter().zip(&published) {
        let computed = metric(&p["metric"]);
        assert_eq!(row["computed"], computed.to_string(), "{}", p["id"]);
        let status = if p["value"].parse::<usize>().unwrap() == computed { "matches" } else { "differs" };
        assert_eq!(row["status"], status, "{}", p["id"]);
    }
    // The section 3.3 prose disagrees with Table 1 on both interview counts.
    for id in ["text_group", "text_individual"] {
        assert_eq!(errata.iter().find(|r| r["id"] == id).unwrap()["status"], "differs", "{id}");
    }
    // Recommendations, read by column: each column's recommendations in file order.
    let columns = read_csv(&root().join("data/recommendation-columns.csv"));
    let recs = read_csv(&root().join("data/recommendations.csv"));
    let expected: Vec<String> =
        columns.iter().flat_map(|c| recs.iter().filter(|r| r["column"] == c["id"]).map(|r| r["id"].clone())).collect();
    let table = read_csv(&out.join("report/tables/recommendations.csv"));
    assert_eq!(table.iter().map(|r| r["id"].clone()).collect::<Vec<_>>(), expected);
    for row in &table {
        let r = recs.iter().find(|r| r["id"] == row["id"]).unwrap();
        assert_eq!(row["recommendation_en"], r["text_en"]);
        assert_eq!(row["rests_on"], r["rests_on"].split(';').map(str::trim).collect::<Vec<_>>().join("; "));
    }
    // Compilation: the factors with both sides' page references.
    let factors = read_csv(&root().join("data/factors.csv"));
    let table = read_csv(&out.join("report/tables/compilation-vs-bsb.csv"));
    assert_eq!(table.len(), 5);
    for (row, f) in table.iter().zip(&factors) {
        assert_eq!(
            (&row["compilation_pages"], &row["bsb_pages"], &row["bsb_nb"]),
            (&f["compilation_pages"], &f["bsb_pages"], &f["bsb_nb"])
        );
    }
    // Timeline: every event once, in date order.
    let events = read_csv(&root().join("data/context/timeline.csv"));
    let table = read_csv(&out.join("report/tables/timeline.csv"));
    assert_eq!(table.len(), events.len());
    let dates: Vec<String> = table.iter().map(|r| r["date"].clone()).collect();
    let pad = |d: &str| format!("{d:0<10}").replace("0000-00", "9999-99");
    for w in dates.windows(2) {
        assert!(w[0][..4] <= w[1][..4], "years in order: {w:?}");
        if w[0][..4] == w[1][..4] && w[0].len() == 10 && w[1].len() == 10 {
            assert!(pad(&w[0]) <= pad(&w[1]), "{w:?}");
        }
    }
    // UNN cohort: the facts and breakdown parts that name the table, with their values.
    let table = read_csv(&out.join("report/tables/unn-cohort.csv"));
    let mut expected = BTreeMap::new();
    for f in fs::read_dir(root().join("data/context/facts")).unwrap() {
        for r in read_csv(&f.unwrap().path()).into_iter().filter(|r| r["table"] == "unn-cohort") {
            expected.insert(r["id"].clone(), r["value"].clone());
        }
    }
    let sets: Vec<_> =
        read_csv(&root().join("data/context/sets.csv")).into_iter().filter(|s| s["table"] == "unn-cohort").collect();
    for r in read_csv(&root().join("data/context/shares.csv")) {
        if sets.iter().any(|s| s["id"] == r["set"]) {
            expected.insert(format!("{}/{}", r["set"], r["id"]), r["value"].clone());
        }
    }
    let got: BTreeMap<_, _> = table.iter().map(|r| (r["id"].clone(), r["value"].clone())).collect();
    assert_eq!(got, expected);
    assert_eq!(got["unn_patients"], "84");
}

#[test]
fn diff_reads_tables_from_git_revisions() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    let git = |args: &[&str]| {
        let o = Command::new("git").args(args).current_dir(repo).output().unwrap();
        assert!(o.status.success(), "git {args:?}: {}", text_of(&o));
    };
    git(&["init", "-q"]);
    git(&["config", "user.email", "t@example.org"]);
    git(&["config", "user.name", "t"]);
    fs::create_dir_all(repo.join("report/tables")).unwrap();
    fs::write(repo.join("report/tables/t.csv"), "id,n\na,1\n").unwrap();
    git(&["add", "."]);
    git(&["commit", "-qm", "one"]);
    fs::write(repo.join("report/tables/t.csv"), "id,n\na,2\nb,3\n").unwrap();
    git(&["commit", "-qam", "two"]);
    let o =
        Command::new(env!("CARGO_BIN_EXE_bsb")).args(["diff", "HEAD~1", "HEAD"]).current_dir(repo).output().unwrap();
    assert!(o.status.success(), "{}", text_of(&o));
    let text = text_of(&o);
    assert!(text.contains("a n: 1 → 2") && text.contains("row added: b"), "{text}");
    // A revision compared with the working tree, as `just diff REV` does.
    fs::write(repo.join("report/tables/t.csv"), "id,n\na,9\nb,3\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_bsb"))
        .args(["diff", "HEAD", "report/tables"])
        .current_dir(repo)
        .output()
        .unwrap();
    assert!(text_of(&o).contains("a n: 2 → 9"), "{}", text_of(&o));
}

// ---- from a QDA tool's export to a report ----

#[test]
fn a_qdpx_project_imports_builds_and_the_codebook_round_trips() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let text =
        "Q: Hvordan var det?\r\nA: Det var godt å bli hørt, og maten var bra.\r\nA: Nedtrappingen gikk sakte.\r\n";
    let at = |needle: &str| {
        let start = text.find(needle).unwrap();
        let chars = text[..start].chars().count();
        (chars, chars + needle.chars().count())
    };
    let (a0, a1) = at("Det var godt å bli hørt");
    let (b0, b1) = at("Nedtrappingen gikk sakte");
    let guid = |n: u32| format!("00000000-0000-4000-8000-{n:012}");
    let qde = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Pilot" origin="Test" creationDateTime="2024-05-01T10:00:00Z">
  <CodeBook><Codes>
    <Code guid="{c1}" name="Erfaringer" isCodable="true"><Description>Hva de opplevde</Description>
      <Code guid="{c2}" name="Å bli hørt" isCodable="true"/>
      <Code guid="{c3}" name="Nedtrapping" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="{s1}" name="Intervju 1" plainTextPath="internal://{s1}.txt">
      <PlainTextSelection guid="{p1}" startPosition="{a0}" endPosition="{a1}"><Coding guid="{k1}"><CodeRef targetGUID="{c2}"/></Coding></PlainTextSelection>
      <PlainTextSelection guid="{p2}" startPosition="{b0}" endPosition="{b1}"><Coding guid="{k2}"><CodeRef targetGUID="{c3}"/></Coding></PlainTextSelection>
    </TextSource>
  </Sources>
</Project>"#,
        c1 = guid(1),
        c2 = guid(2),
        c3 = guid(3),
        s1 = guid(10),
        p1 = guid(20),
        p2 = guid(21),
        k1 = guid(30),
        k2 = guid(31),
    );
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    w.start_file("project.qde", opts).unwrap();
    w.write_all(qde.as_bytes()).unwrap();
    w.start_file(format!("sources/{}.txt", guid(10)), opts).unwrap();
    w.write_all(text.as_bytes()).unwrap();
    let file = tmp.path().join("pilot.qdpx");
    fs::write(&file, w.finish().unwrap().into_inner()).unwrap();

    let data = tmp.path().join("data");
    let o = bsb(&["import", "qdpx", file.to_str().unwrap(), "--into", data.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text_of(&o));
    let excerpts: Vec<_> =
        fs::read_dir(data.join("excerpts")).unwrap().flat_map(|e| read_csv(&e.unwrap().path())).collect();
    let texts: Vec<&str> = excerpts.iter().map(|e| e["text_en"].as_str()).collect();
    assert!(texts.contains(&"Det var godt å bli hørt") && texts.contains(&"Nedtrappingen gikk sakte"), "{texts:?}");
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let pdfs: Vec<_> = fs::read_dir(out.join("report/out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    assert_eq!(pdfs.len(), 1, "one language, one PDF");
    assert!(pdf_text(&pdfs[0]).contains("Det var godt å bli hørt"));

    // The reference codebook out as .qdc and back in: the same codes under the same parents.
    let qdc = tmp.path().join("codebook.qdc");
    let o = bsb(&["export", "qdc", "--data", root().join("data").to_str().unwrap(), "--out", qdc.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text_of(&o));
    let back = tmp.path().join("back");
    let o = bsb(&["import", "qdc", qdc.to_str().unwrap(), "--into", back.to_str().unwrap(), "--lang", "nb"]);
    assert!(o.status.success(), "{}", text_of(&o));
    let ours: Vec<_> =
        fs::read_dir(root().join("data/codebook")).unwrap().flat_map(|e| read_csv(&e.unwrap().path())).collect();
    let theirs = read_csv(&back.join("codebook.csv"));
    assert_eq!(theirs.len(), ours.len());
    let label_of = |rows: &[BTreeMap<String, String>], id: &str| {
        rows.iter().find(|r| r["id"] == id).map(|r| r["label_nb"].clone())
    };
    let shape = |rows: &[BTreeMap<String, String>]| -> Vec<(String, Option<String>)> {
        let mut v: Vec<_> = rows.iter().map(|r| (r["label_nb"].clone(), label_of(rows, &r["parent"]))).collect();
        v.sort();
        v
    };
    assert_eq!(shape(&theirs), shape(&ours), "labels and their parents survive the round trip");

    // A file that is not a zip fails cleanly and writes nothing.
    fs::write(tmp.path().join("bad.qdpx"), "not a zip").unwrap();
    let none = tmp.path().join("none");
    let o = bsb(&["import", "qdpx", tmp.path().join("bad.qdpx").to_str().unwrap(), "--into", none.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!none.exists());
}

#[test]
fn every_figure_parses_in_both_languages_and_the_heatmap_has_a_cell_per_theme_and_model() {
    let out = reference_build();
    let names = [
        "participants-by-region",
        "participants-by-model",
        "evidence-heatmap",
        "excerpts-by-theme",
        "policy-timeline",
        "unn-diagnoses",
        "unn-antipsychotics",
    ];
    for name in names {
        for lang in ["nb", "en"] {
            let path = out.join(format!("figures/{name}.{lang}.svg"));
            let svg = fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} exists", path.display()));
            assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{name}.{lang} is one SVG element");
            assert_eq!(
                svg.matches("<text").count(),
                svg.matches("</text>").count(),
                "{name}.{lang}: text elements close"
            );
            assert!(
                svg.contains("font-family=\"Libertinus Serif\"") && !svg.contains("sans-serif"),
                "{name}.{lang}: a family typst has"
            );
        }
        assert_ne!(
            fs::read(out.join(format!("figures/{name}.nb.svg"))).unwrap(),
            fs::read(out.join(format!("figures/{name}.en.svg"))).unwrap(),
            "{name}: words differ by language"
        );
    }
    // Heatmap: one shaded or hatched cell per theme and model, and every hidden cell says so
    // instead of showing a number. Themes and their evidence come from the framework table.
    let fw = read_csv(&out.join("report/tables/framework-matrix.csv"));
    let codebook: Vec<_> =
        fs::read_dir(root().join("data/codebook")).unwrap().flat_map(|e| read_csv(&e.unwrap().path())).collect();
    let themes: Vec<_> =
        fw.iter().filter(|r| codebook.iter().any(|c| c["id"] == r["id"] && c["parent"].is_empty())).collect();
    let hidden = themes
        .iter()
        .flat_map(|r| ["M1", "M2"].map(|m| r[&format!("excerpts_{m}")].clone()))
        .filter(|v| v == ":")
        .count();
    let svg = fs::read_to_string(out.join("figures/evidence-heatmap.en.svg")).unwrap();
    // Background, then per cell one filled rectangle; a hidden cell adds an outline.
    assert_eq!(svg.matches("<rect").count(), 1 + themes.len() * 2 + hidden);
    assert_eq!(svg.matches(">\nhidden\n<").count(), hidden, "each hidden cell is labelled hidden");
    for r in &themes {
        for m in ["M1", "M2"] {
            let v = &r[&format!("excerpts_{m}")];
            if v != ":" {
                assert!(svg.contains(&format!(">\n{v}\n<")), "cell {} {m} shows {v}", r["id"]);
            }
        }
    }
}

/// The words of a language file, for checking the PDFs against the program's own text.
fn words(lang: &str) -> BTreeMap<String, String> {
    let t: toml::Table = fs::read_to_string(root().join(format!("report/lang/{lang}.toml"))).unwrap().parse().unwrap();
    t["words"].as_table().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())).collect()
}

#[test]
fn each_pdf_holds_its_chapters_tables_excerpts_and_errata_note_in_its_own_language_only() {
    let out = reference_build();
    // Running text as one line: lines trimmed, words hyphenated at a line end (soft hyphen)
    // joined again, whitespace collapsed.
    let flat = |s: &str| {
        let lines: Vec<&str> = s.lines().map(str::trim).collect();
        lines.join("\n").replace("\u{ad}\n", "").replace('\u{ad}', "").split_whitespace().collect::<Vec<_>>().join(" ")
    };
    for (lang, other) in [("nb", "en"), ("en", "nb")] {
        let text =
            flat(&pdf_text_as(&out.join(format!("report/out/bsb-legemiddelfrie-tilbud-1.0.0-{lang}.pdf")), "-raw"));
        let w = words(lang);
        for chapter in [
            "summary",
            "introduction",
            "knowledge",
            "method",
            "findings",
            "models",
            "compilation",
            "overall",
            "recommendations",
            "after",
            "appendix-cases",
            "appendix-guide",
            "appendix-questionnaire",
            "appendix-excerpts",
            "appendix-errata",
            "appendix-notes",
            "appendix-timeline",
            "appendix-provenance",
        ] {
            assert!(text.contains(&w[chapter]), "{lang}: chapter heading {}", w[chapter]);
        }
        // Each theme's heading from the codebook, in this language.
        for f in fs::read_dir(root().join("data/codebook")).unwrap() {
            for c in read_csv(&f.unwrap().path()).into_iter().filter(|c| c["parent"].is_empty()) {
                assert!(text.contains(&flat(&c[&format!("label_{lang}")])), "{lang}: theme {}", c["id"]);
            }
        }
        // A sample of excerpts: the first of each excerpt file, printed in full (appendix D).
        for f in fs::read_dir(root().join("data/excerpts")).unwrap() {
            let first = &read_csv(&f.unwrap().path())[0];
            assert!(text.contains(&flat(&first[&format!("text_{lang}")])), "{lang}: excerpt {}", first["id"]);
        }
        // The numbers of the tables: every participant row, and the evidence of each trait.
        for row in read_csv(&out.join("report/tables/participants.csv")) {
            let name = if row["id"] == "total" { w["total"].clone() } else { row[&format!("region_{lang}")].clone() };
            let line = format!("{name} {} {} {}", row["individual"], row["group"], row["participants"]);
            assert!(text.contains(&line), "{lang}: participant row `{line}`");
        }
        for row in read_csv(&out.join("report/tables/model-matrix.csv")) {
            assert!(text.contains(&flat(&row[&format!("trait_{lang}")])), "{lang}: trait {}", row["id"]);
            let counts =
                ["excerpts_M1", "participants_M1", "excerpts_M2", "participants_M2"].map(|c| row[c].clone()).join(" ");
            assert!(text.contains(&counts), "{lang}: evidence of trait {}: {counts}", row["id"]);
        }
        for row in read_csv(&out.join("report/tables/recommendations.csv")) {
            let words_of: Vec<&str> = row[&format!("recommendation_{lang}")].split_whitespace().take(4).collect();
            assert!(text.contains(&words_of.join(" ")), "{lang}: recommendation {}", row["id"]);
        }
        // The errata note on section 3.3, with the published and the computed counts.
        let note = w["errata_text"].split('{').next().unwrap().trim().to_string();
        assert!(text.contains(&note), "{lang}: errata note");
        // No word of the other edition's skeleton (its longer, language-specific phrases).
        let theirs = words(other);
        for (key, phrase) in &theirs {
            let ours = &w[key];
            if phrase != ours && phrase.len() > 12 && !phrase.contains('{') && !key.starts_with("alt_") {
                assert!(!text.contains(phrase.as_str()), "{lang} PDF holds `{phrase}` ({key}) of {other}");
            }
        }
        assert!(
            !text.contains("{{") && !text.contains("{%") && !text.contains("[cap_") && !text.contains("[fig"),
            "{lang}: leftovers"
        );
    }
}

#[test]
fn emitted_typst_sources_are_the_ones_typeset() {
    let (tmp, data) = temp_study(1, 2, &["en"]);
    fs::create_dir_all(data.join("prose/en")).unwrap();
    fs::write(data.join("prose/en/summary.typ"), "We met {{ n.participants }} people.").unwrap();
    let out = tmp.path().join("out");
    let emit = tmp.path().join("emit");
    let o = bsb(&[
        "-q",
        "build",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--emit-typst",
        emit.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text_of(&o));
    let main = fs::read_to_string(emit.join("en/main.typ")).unwrap();
    assert!(main.contains("#include \"prose/summary.typ\""));
    assert_eq!(fs::read_to_string(emit.join("en/prose/summary.typ")).unwrap(), "We met #\"8\" people.");
    assert!(emit.join("en/style.typ").exists() && emit.join("en/figures/participants-by-region.svg").exists());
}
