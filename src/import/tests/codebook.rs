//! Codebooks both ways: the study's codebook through `.qdc` and back, a deterministic export,
//! the `.qdc` import's refusals, and ids taken from the codes' names.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::import::{export_qdc, import_qdc_report, project, qdc};

use super::common::*;

fn reference_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

#[test]
fn our_codebook_survives_a_round_trip_through_qdc() {
    let data = reference_data();
    let (study, _) = crate::study::load(&data, &crate::lang::Lang::yes_no).unwrap();
    let tmp = TempDir::new();
    let out = tmp.path().join("codebook.qdc");
    export_qdc(&data, &out, Some("en")).unwrap();
    let xml_text = fs::read_to_string(&out).unwrap();
    assert!(xml_text.contains("xmlns=\"urn:QDA-XML:codebook:1.0\""));
    let into = tmp.path().join("imported");
    import_qdc_report(&out, &into, &["en".into()]).unwrap();
    let cb = rows(&into.join("codebook.csv"));
    assert_eq!(cb.len(), study.codes.len(), "same number of codes");
    // The ids come back from the names; the derived GUIDs say which code each row was.
    let old_of_guid: BTreeMap<String, &crate::study::Code> =
        study.codes.iter().map(|c| (qdc::guid_for(&study.meta.slug, &c.id), c)).collect();
    let old_of_new: BTreeMap<&str, &str> =
        cb.iter().map(|r| (r["id"].as_str(), old_of_guid[&r["guid"]].id.as_str())).collect();
    for row in &cb {
        let old = old_of_guid[&row["guid"]];
        assert_eq!(row["id"], old.id.as_str(), "the id survives");
        assert_eq!(row["label_en"], old.label.get("en"));
        assert_eq!(row["description_en"], old.description.get("en"));
        let parent = (!row["parent"].is_empty()).then(|| old_of_new[row["parent"].as_str()]);
        assert_eq!(parent, old.parent.as_deref(), "same hierarchy for {}", old.id);
    }
}

#[test]
fn export_is_deterministic_with_v4_shaped_guids() {
    let data = reference_data();
    let tmp = TempDir::new();
    let (a, b) = (tmp.path().join("a.qdc"), tmp.path().join("b.qdc"));
    export_qdc(&data, &a, None).unwrap();
    export_qdc(&data, &b, None).unwrap();
    assert_eq!(fs::read(&a).unwrap(), fs::read(&b).unwrap());
    let guid = qdc::guid_for("slug", "T01");
    assert_eq!(guid, qdc::guid_for("slug", "T01"));
    assert_ne!(guid, qdc::guid_for("slug", "T02"));
    let parts: Vec<&str> = guid.split('-').collect();
    assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
    assert!(parts[2].starts_with('4') && "89ab".contains(&parts[3][..1]));
    // Names in the requested language; an undeclared language is refused.
    export_qdc(&data, &a, Some("nb")).unwrap();
    assert!(fs::read_to_string(&a).unwrap().contains("name=\"T01 Distribuert informasjon\""));
    assert!(export_qdc(&data, &a, Some("de")).is_err());
}

#[test]
fn qdc_import_refuses_an_existing_codebook_and_bad_files() {
    let tmp = TempDir::new();
    let qdc = tmp.path().join("p.qdc");
    let xml = format!(
        r#"<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0">{}</CodeBook>"#,
        &codebook()["<CodeBook>".len()..codebook().len() - "</CodeBook>".len()]
    );
    fs::write(&qdc, &xml).unwrap();
    let into = tmp.path().join("study");
    fs::create_dir(&into).unwrap();
    let study = "languages = [\"nb\", \"en\"] # kept\n";
    fs::write(into.join("study.toml"), study).unwrap();
    // The study's languages, without --lang; a codebook has no offsets to account for.
    let report = import_qdc_report(&qdc, &into, &[]).unwrap();
    assert!(report.preamble.iter().any(|l| l.starts_with("Languages nb, en, from")), "{:?}", report.preamble);
    assert!(!report.markdown(None).contains("How offsets were read"));
    let cb = rows(&into.join("codebook.csv"));
    assert_eq!(cb.len(), 4);
    assert_eq!((cb[2]["parent"].as_str(), cb[2]["label_nb"].as_str()), ("C002", "Fra venner på sykehuset"));
    let before = fs::read(into.join("codebook.csv")).unwrap();
    let err = import_qdc_report(&qdc, &into, &[]).unwrap_err().to_string();
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(fs::read(into.join("codebook.csv")).unwrap(), before);
    assert_eq!(fs::read_to_string(into.join("study.toml")).unwrap(), study);
    // A --lang other than the study's is refused.
    fs::remove_file(into.join("codebook.csv")).unwrap();
    let err = import_qdc_report(&qdc, &into, &["en".into()]).unwrap_err().to_string();
    assert!(err.contains("written in nb, en"), "{err}");
    assert!(!into.join("codebook.csv").exists());
    import_qdc_report(&qdc, &into, &["nb".into(), "en".into()]).unwrap();
    assert_eq!(fs::read(into.join("codebook.csv")).unwrap(), before, "the same --lang as the study is fine");
    // The study file is read through its types: a languages field of the wrong kind is
    // named with the file and line, and nothing is written.
    fs::remove_file(into.join("codebook.csv")).unwrap();
    fs::write(into.join("study.toml"), "title = \"x\"\nlanguages = \"nb\"\n").unwrap();
    let err = import_qdc_report(&qdc, &into, &[]).unwrap_err().to_string();
    assert!(err.contains("study.toml") && err.contains(":2") && err.contains("languages"), "{err}");
    assert!(!into.join("codebook.csv").exists());
    for (bad, needle) in [
        (r#"<!DOCTYPE x [<!ENTITY a "b">]><CodeBook/>"#.to_string(), "DOCTYPE"),
        ("<Project name=\"x\"/>".to_string(), "expected a REFI-QDA codebook"),
        (xml.replace(&g(4), &g(1)), "unique GUID"),
        ("<CodeBook><Codes/></CodeBook>".to_string(), "no codes"),
    ] {
        let fresh = tmp.path().join("fresh");
        fs::write(&qdc, bad).unwrap();
        let err = import_qdc_report(&qdc, &fresh, &[]).unwrap_err().to_string();
        assert!(err.contains(needle), "{needle}: {err}");
        assert!(!fresh.exists());
    }
}

/// A code named `name` at the top level, for the id-from-name tests.
fn named(name: &str) -> project::QdaCode {
    project::QdaCode {
        guid: String::new(),
        name: name.into(),
        codable: true,
        description: None,
        color: None,
        parent: None,
        depth: 0,
    }
}

#[test]
fn ids_come_from_names_only_when_every_code_has_a_distinct_one() {
    let codes = |names: &[&str]| names.iter().map(|n| named(n)).collect::<Vec<_>>();
    let (ids, labels) =
        qdc::ids_from_names(&codes(&["T01 Informasjon", "T01.1 Fra venner  ", "X9 A b"]), false).unwrap();
    assert_eq!(ids, ["T01", "T01.1", "X9"]);
    assert_eq!(labels, ["Informasjon", "Fra venner", "A b"]);
    for names in [
        &["T01 Informasjon", "Fra venner"][..],      // one code without an id
        &["T01 Informasjon", "t01 Fra venner"][..],  // the same id twice, up to case
        &["Trust in staff", "Waiting times"][..],    // ordinary words: no digit
        &["1. Oltás típusa", "2. Attitűd"][..],      // a numbered list: `1.` is no id
        &["T01", "T02 Fra venner"][..],              // an id without a label
        &["T0#1 Informasjon", "T02 Fra venner"][..], // breaks the id rule
    ] {
        assert!(qdc::ids_from_names(&codes(names), false).is_none(), "{names:?}");
    }
    // Ids without a digit count only in a file bsb wrote.
    let plain = codes(&["A Tema", "A.1 Undertema"]);
    assert!(qdc::ids_from_names(&plain, false).is_none());
    assert_eq!(qdc::ids_from_names(&plain, true).unwrap().0, ["A", "A.1"]);
    assert!(qdc::ids_from_names(&codes(&["T01 Informasjon", "Venner"]), true).is_none());
}
