//! What an import writes: the codebook's hierarchy, the study file's name and date, a study
//! that loads and analyses without any `--map`, texts found wherever real exports put them,
//! and everything the study format cannot hold named in the report.

use std::fs;

use crate::import::report::Part;

use super::common::*;

#[test]
fn codebook_hierarchy_comes_from_nesting() {
    let files = usual("QualCoder 3.5");
    let (_tmp, data, report) = import(&entries(&files), &[], &[]);
    let cb = rows(&data.join("codebook.csv"));
    let shape: Vec<(&str, &str, &str)> =
        cb.iter().map(|r| (r["id"].as_str(), r["parent"].as_str(), r["label_en"].as_str())).collect();
    assert_eq!(
        shape,
        [
            ("C001", "", "Informasjon"),
            ("C002", "C001", "Fra venner"),
            ("C003", "C002", "Fra venner på sykehuset"),
            ("C004", "", "Hverdagen")
        ]
    );
    assert_eq!(cb[0]["description_en"], "Hvordan deltakerne fikk vite om tilbudet");
    assert_eq!(cb[1]["description_en"], "Fra venner", "no description: the name stands in");
    assert_eq!(cb[3]["guid"], g(4));
    assert!(any_item(&report, Part::Changed, "C002, C003"), "{:?}", items(&report, Part::Changed));
    assert!(any_item(&report, Part::ToDo, "C003"), "the third level is named for the analyst");
}

#[test]
fn study_file_is_named_and_dated_after_the_project() {
    let files = usual("QualCoder 3.5");
    let (_tmp, data, _) = import(&entries(&files), &[], &["nb", "en"]);
    let toml: toml::Table = fs::read_to_string(data.join("study.toml")).unwrap().parse().unwrap();
    assert_eq!(toml["slug"].as_str(), Some("brukerstudie-ost"));
    assert_eq!(toml["version"].as_str(), Some("0.1.0"));
    assert_eq!(toml["date"].as_str(), Some("2022-11-30"), "modifiedDateTime wins");
    assert_eq!(toml["small_cell_k"].as_integer(), Some(3));
    assert_eq!(toml["title_nb"].as_str(), Some("Brukerstudie Øst"));
    assert_eq!(toml["title_en"].as_str(), Some("Brukerstudie Øst"));
    assert_eq!(toml["model"].as_array().unwrap().len(), 1);
    assert_eq!(toml["region"].as_array().unwrap().len(), 1);
    assert_eq!(toml["unit"].as_array().unwrap().len(), 1);
}

#[test]
fn import_without_map_is_a_valid_study_that_analyses() {
    for langs in [&[][..], &["nb", "en"][..]] {
        let files = usual("QualCoder 3.5");
        let (_tmp, data, report) = import(&entries(&files), &[], langs);
        let checked = crate::cmd::load_and_validate(&data).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(checked.study.excerpts.len(), 3);
        assert_eq!(checked.study.interviews.len(), 1);
        crate::pipeline::products(&checked.study, None).unwrap_or_else(|e| panic!("analysis failed: {e}"));
        assert_eq!(any_item(&report, Part::ToDo, "translate"), langs.len() == 2);
        assert!(data.join("import-report.md").is_file());
    }
}

#[test]
fn text_paths_in_every_form_real_exports_use() {
    let t = |n: u32| format!("Tekst nummer {n}: bønner og ærter.");
    let sels = |n: u32| sel(300 + n, span(&t(n), "bønner og ærter"), &[4]);
    let sources = [
        source(201, &format!("internal://{}.txt", g(201)), &sels(1)),
        source(202, "sources/to.txt", &sels(2)),
        source(203, "tre.txt", &sels(3)),
        source(204, "internal://fire%20fem.txt", &sels(4)),
        format!(
            r#"<TextSource guid="{}" name="Inline"><PlainTextContent>{}</PlainTextContent>{}</TextSource>"#,
            g(205),
            t(5),
            sels(5)
        ),
    ];
    let qde = project("NVivo 14", &format!("{}<Sources>{}</Sources>", codebook(), sources.concat()));
    let (n1, n2, n3, n4) =
        (format!("Sources/{}.txt", g(201).to_uppercase()), "Sources/to.txt", "Sources/tre.txt", "Sources/fire fem.txt");
    let (_tmp, data, _) = import(
        &[
            ("project.qde", qde.as_bytes()),
            (&n1, t(1).as_bytes()),
            (n2, t(2).as_bytes()),
            (n3, t(3).as_bytes()),
            (n4, t(4).as_bytes()),
        ],
        &[],
        &[],
    );
    let ex = rows(&data.join("excerpts/imported.csv"));
    assert_eq!(ex.len(), 5);
    assert!(ex.iter().all(|r| r["text_en"] == "bønner og ærter"));
    assert_eq!(rows(&data.join("interviews.csv")).len(), 5, "each source an interview");
}

#[test]
fn unknown_elements_notes_sets_links_and_other_sources_are_named_not_dropped() {
    let body = format!(
        r#"<Users><User guid="{}" name="Ola"/></Users>{}<Sources>{}<PDFSource guid="{}" name="Brosjyre"><PDFSelection guid="{}" page="1" firstX="0" firstY="0" secondX="1" secondY="1"/></PDFSource></Sources>
        <Notes><Note guid="{}" name="Refleksjon"><PlainTextContent>x</PlainTextContent></Note></Notes>
        <Links><Link guid="{}" name="l"/></Links><Sets><Set guid="{}" name="Utvalg"/></Sets>
        <Widgets><Widget foo="bar"/></Widgets>"#,
        g(900),
        codebook(),
        source(
            201,
            &format!("internal://{}.txt", g(201)),
            &format!("<Frobnicate/>{}", sel(301, span(TEXT, "Fra en venn"), &[3]))
        ),
        g(210),
        g(310),
        g(901),
        g(902),
        g(903),
    );
    let qde = project("QualCoder 3.5", &body);
    let name = format!("sources/{}.txt", g(201));
    let (_tmp, data, report) = import(&[("project.qde", qde.as_bytes()), (&name, TEXT.as_bytes())], &[], &[]);
    assert_eq!(rows(&data.join("excerpts/imported.csv")).len(), 1);
    for needle in ["1 user", "“Refleksjon”", "“Utvalg”", "1 link", "PDFSource “Brosjyre” with 1 selection", "<Widgets>"]
    {
        assert!(any_item(&report, Part::LeftOut, needle), "{needle} missing from {:?}", items(&report, Part::LeftOut));
    }
}
