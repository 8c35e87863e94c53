//! The reference study in `data/`: its tables, PDFs and metadata, each checked against a count made here from the data files.

use crate::common::*;

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
    let (tnb, ten) = (pdf::text(&nb), pdf::text(&en));
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
    let second = TempDir::new();
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

/// The words of a language file with the study's own words (data/words) over them, for
/// checking the PDFs against the program's own text. A heading computed from the study
/// (the models chapter) is written out here from the number of models.
fn words(lang: &str) -> BTreeMap<String, String> {
    let read = |path: PathBuf| -> BTreeMap<String, String> {
        let Ok(text) = fs::read_to_string(path) else { return BTreeMap::new() };
        let t: toml::Table = text.parse().unwrap();
        t["words"].as_table().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())).collect()
    };
    let mut w = read(root().join(format!("report/lang/{lang}.toml")));
    w.extend(read(root().join(format!("data/words/{lang}.toml"))));
    let study: toml::Table = fs::read_to_string(root().join("data/study.toml")).unwrap().parse().unwrap();
    let models = study["model"].as_array().unwrap().len();
    assert_eq!(models, 2, "the headings below are written for two models");
    if w["models"].contains("{%") {
        let heading = if lang == "nb" { "De to organisasjonsmodellene" } else { "The two organisational models" };
        w.insert("models".into(), heading.into());
    }
    w
}

#[test]
fn each_pdf_holds_its_chapters_tables_excerpts_and_errata_note_in_its_own_language_only() {
    let out = reference_build();
    for (lang, other) in [("nb", "en"), ("en", "nb")] {
        let text =
            pdf::loose(&pdf::raw_text(&out.join(format!("report/out/bsb-legemiddelfrie-tilbud-1.0.0-{lang}.pdf"))));
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
            assert!(text.contains(&pdf::loose(&w[chapter])), "{lang}: chapter heading {}", w[chapter]);
        }
        // Each theme's heading from the codebook, in this language.
        for f in fs::read_dir(root().join("data/codebook")).unwrap() {
            for c in read_csv(&f.unwrap().path()).into_iter().filter(|c| c["parent"].is_empty()) {
                assert!(text.contains(&pdf::loose(&c[&format!("label_{lang}")])), "{lang}: theme {}", c["id"]);
            }
        }
        // A sample of excerpts: the first of each excerpt file, printed in full (appendix D).
        for f in fs::read_dir(root().join("data/excerpts")).unwrap() {
            let first = &read_csv(&f.unwrap().path())[0];
            assert!(text.contains(&pdf::loose(&first[&format!("text_{lang}")])), "{lang}: excerpt {}", first["id"]);
        }
        // The numbers of the tables: every participant row, and the evidence of each trait.
        for row in read_csv(&out.join("report/tables/participants.csv")) {
            let name = if row["id"] == "total" { w["total"].clone() } else { row[&format!("region_{lang}")].clone() };
            let line = format!("{name} {} {} {}", row["individual"], row["group"], row["participants"]);
            assert!(text.contains(&pdf::loose(&line)), "{lang}: participant row `{line}`");
        }
        for row in read_csv(&out.join("report/tables/model-matrix.csv")) {
            assert!(text.contains(&pdf::loose(&row[&format!("trait_{lang}")])), "{lang}: trait {}", row["id"]);
            // The columns the table has (a reconstructed coding has no participant columns).
            let counts = ["excerpts_M1", "participants_M1", "excerpts_M2", "participants_M2"]
                .iter()
                .filter_map(|c| row.get(*c).cloned())
                .collect::<Vec<_>>()
                .join(" ");
            assert!(text.contains(&counts), "{lang}: evidence of trait {}: {counts}", row["id"]);
        }
        for row in read_csv(&out.join("report/tables/recommendations.csv")) {
            let words_of: Vec<&str> = row[&format!("recommendation_{lang}")].split_whitespace().take(4).collect();
            assert!(text.contains(&pdf::loose(&words_of.join(" "))), "{lang}: recommendation {}", row["id"]);
        }
        // The errata note on section 3.3, with the published and the computed counts.
        let note = w["errata_text"].split('{').next().unwrap().trim().to_string();
        assert!(text.contains(&pdf::loose(&note)), "{lang}: errata note");
        // No word of the other edition's skeleton (its longer, language-specific phrases).
        let theirs = words(other);
        for (key, phrase) in &theirs {
            let ours = &w[key];
            if phrase != ours && phrase.len() > 12 && !phrase.contains('{') && !key.starts_with("alt_")
                // The other language's summary is printed on purpose, under its own heading.
                && key != "summary_in_language"
            {
                assert!(!text.contains(&pdf::loose(phrase)), "{lang} PDF holds `{phrase}` ({key}) of {other}");
            }
        }
        assert!(
            !text.contains("{{") && !text.contains("{%") && !text.contains("[cap_") && !text.contains("[fig"),
            "{lang}: leftovers"
        );
    }
}

#[test]
fn no_two_words_overlap_on_any_page_of_either_pdf() {
    let out = reference_build();
    for lang in ["nb", "en"] {
        let path = out.join(format!("report/out/bsb-legemiddelfrie-tilbud-1.0.0-{lang}.pdf"));
        let found = pdf::overlaps(&path, 0.5);
        assert!(
            found.is_empty(),
            "{lang}: {} overlapping pairs, first: {:?}",
            found.len(),
            &found[..found.len().min(10)]
        );
    }
}
