//! Where a study's coding comes from (`coding` in `study.toml`). With an original coding the
//! report counts excerpts and the distinct participants behind each theme; with a
//! reconstructed one (an edition's own paraphrases, tied to placeholder participants) it
//! prints no count of participants per theme or model, and its captions say that the excerpt
//! counts are the edition's reconstructed excerpts. Expected numbers are counted here from the
//! CSV files the test writes.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use crate::common::{self, pdf};

/// A small study with enough people per theme that no count is suppressed (four regions,
/// two models), with `coding` set as given (`None`: the key left out).
fn study(coding: Option<&str>) -> (common::TempDir, std::path::PathBuf) {
    let (tmp, data) = common::temp_study(4, 2, &["en"]);
    if let Some(c) = coding {
        let toml = fs::read_to_string(data.join("study.toml")).unwrap();
        fs::write(data.join("study.toml"), format!("coding = \"{c}\"\n{toml}")).unwrap();
    }
    (tmp, data)
}

/// Per theme (the code before the dot): excerpts and distinct participants, from the file.
fn theme_counts(data: &Path) -> BTreeMap<String, (usize, usize)> {
    let mut seen: BTreeMap<String, (usize, BTreeSet<String>)> = BTreeMap::new();
    for row in common::read_csv(&data.join("excerpts/all.csv")) {
        let themes: BTreeSet<String> =
            row["codes"].split(';').map(|c| c.split('.').next().unwrap().to_string()).collect();
        for t in themes {
            let e = seen.entry(t).or_default();
            e.0 += 1;
            e.1.insert(row["participant"].clone());
        }
    }
    seen.into_iter().map(|(t, (n, people))| (t, (n, people.len()))).collect()
}

fn built(data: &Path) -> (std::path::PathBuf, String) {
    let out = data.parent().unwrap().join("out");
    common::build_into(data, &out);
    let text = pdf::flat(&pdf::text(&out.join("report/out/small-0.1-en.pdf")));
    (out, text)
}

#[test]
fn an_original_coding_counts_the_participants_behind_each_theme() {
    for coding in [None, Some("original")] {
        let (_tmp, data) = study(coding);
        let counts = theme_counts(&data);
        let (out, text) = built(&data);
        for (excerpts, people) in counts.values() {
            assert!(*people >= 10, "the test needs counts no rule hides and no word replaces");
            let sentence = format!("This theme rests on {excerpts} excerpts from {people} participants.");
            assert!(text.contains(&sentence), "{coding:?}: expected “{sentence}” in the PDF");
        }
        let rows = common::read_csv(&out.join("report/tables/framework-matrix.csv"));
        for (theme, (_, people)) in &counts {
            let row = rows.iter().find(|r| &r["id"] == theme).expect("a row per theme");
            assert_eq!(row["participants_total"], people.to_string(), "{coding:?}: theme {theme}");
        }
        assert!(!text.contains("reconstructed"), "{coding:?}: an original coding is not called reconstructed");
    }
}

#[test]
fn a_reconstructed_coding_prints_no_participants_per_theme_and_says_what_it_counts() {
    let (_tmp, data) = study(Some("reconstructed"));
    let counts = theme_counts(&data);
    let (out, text) = built(&data);
    for (excerpts, people) in counts.values() {
        let sentence = format!("This edition's reconstruction places {excerpts} excerpts under this theme.");
        assert!(text.contains(&sentence), "expected “{sentence}” in the PDF");
        assert!(!text.contains(&format!("from {people} participants")), "a participant count per theme");
    }
    assert!(!text.contains("rests on"), "no sentence of the original coding's form");
    // No model line of counts (“Model 0: 6 excerpts from 6 participants.”) and no column of
    // participants in either table that counts excerpts.
    for m in 0..2 {
        assert!(!text.contains(&format!("Model {m}: hidden")), "a per-model line under a theme");
    }
    for p in 1..=100 {
        assert!(!text.contains(&format!("from {p} participant")), "a participant count: from {p}");
    }
    let csv = fs::read_to_string(out.join("report/tables/framework-matrix.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(!header.contains("participants"), "{header}");
    assert!(header.contains("excerpts_total"), "{header}");
    let md = fs::read_to_string(out.join("report/tables/framework-matrix.md")).unwrap();
    assert!(md.lines().next().unwrap().contains("reconstructed excerpts"), "caption of the table: {md}");
    // The captions in the PDF say so too, for the table and for the figure.
    assert!(text.contains("This edition's reconstructed excerpts by theme and model."), "table caption");
    assert!(text.contains("Number of this edition's reconstructed excerpts by theme"), "figure caption");
}

#[test]
fn an_unknown_coding_is_an_error_naming_the_file_line_and_field() {
    let (_tmp, data) = study(Some("guessed"));
    common::expect_failure(&data, &["study.toml:1", "coding", "\"original\"", "\"reconstructed\"", "`guessed`"]);
}

#[test]
fn the_reference_study_is_a_reconstruction_and_counts_no_participants_per_theme_or_model() {
    let study = fs::read_to_string(common::root().join("data/study.toml")).unwrap();
    assert!(study.contains("\ncoding = \"reconstructed\"\n"));
    let out = common::reference_build();
    for table in ["framework-matrix", "model-matrix"] {
        let csv = fs::read_to_string(out.join(format!("report/tables/{table}.csv"))).unwrap();
        assert!(!csv.lines().next().unwrap().contains("participants"), "{table}");
    }
    for lang in ["nb", "en"] {
        let text = pdf::flat(&pdf::text(&out.join(format!("report/out/bsb-legemiddelfrie-tilbud-1.0.0-{lang}.pdf"))));
        // The original coding's sentence ("This theme rests on 28 excerpts from 26 participants.").
        let rests = if lang == "en" { "This theme rests on" } else { "Temaet bygger på" };
        assert!(!text.contains(rests), "{lang}: {rests}");
        for n in 1..=40 {
            let people = if lang == "en" { format!("from {n} participants") } else { format!("fra {n} deltakere") };
            assert!(!text.contains(&people), "{lang}: {people}");
        }
    }
}
