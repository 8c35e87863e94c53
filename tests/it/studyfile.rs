//! `study.toml` has one definition (`bsb::study::studytoml`): what its serialiser writes
//! the loader reads back to the same values, and each writer (`bsb new`, `bsb synth`,
//! `bsb import qdpx`) writes a file the loader accepts, with the values the writer was asked
//! for (worked out here from the command's arguments and inputs, not from the program).

use bsb::study::studytoml::{
    DialogueToml, EditionToml, ModelToml, ParticipantToml, PerLang, RegionToml, StudyToml, UnitToml,
};
use bsb::study::{Coding, Study};

use crate::common::*;

/// The study in `data`, with only the problems of `study.toml` (a directory holding no
/// more than a study file lacks the interview register, which is not this file's doing).
fn load(data: &Path) -> (Study, Vec<String>) {
    let (study, problems) = bsb::study::load(data, &bsb::lang::Lang::yes_no).expect("the study file loads");
    let own = problems.iter().filter(|p| p.file.ends_with("study.toml")).map(|p| p.to_string()).collect();
    (study, own)
}

fn text(study_text: &bsb::study::Text) -> Vec<(String, String)> {
    study_text.0.iter().map(|(l, v)| (l.clone(), v.clone())).collect()
}

/// Every key of the file set, with texts that need escaping in TOML.
fn full_study() -> StudyToml {
    let langs = ["nb", "en"];
    let t = |s: &str| PerLang::each(&langs, |l| format!("{s} ({l})"));
    StudyToml {
        slug: "round-trip".into(),
        version: "2.1.0-rc.1".into(),
        date: "2024-02-29".into(),
        small_cell_k: Some(5),
        languages: langs.iter().map(|l| l.to_string()).collect(),
        coding: Some(Coding::Reconstructed),
        omit_hidden_excerpts: true,
        identifying_terms: vec!["Sankt \"Olav\"".into(), "C:\\sti".into(), "Tromsø".into()],
        title: t("Tittel med \"sitat\" og \\ skråstrek"),
        subtitle: PerLang::each(&langs, |l| format!("To linjer\nog en tabulator\t({l})")),
        short_title: t("Kort [tittel] = ikke en tabell"),
        commissioner: t("Oppdragsgiver 'enkel'"),
        author: t("Forfatter # ikke en kommentar"),
        excerpt_notice: t("Merknad"),
        keywords: PerLang::each(&langs, |l| vec![format!("ord {l}"), "\"to\"".into()]),
        edition: Some(EditionToml {
            publisher: t("Utgiver"),
            editor: t("Redaktør"),
            date: "2026-12-01".into(),
            report_number: "rapport 2026:1".into(),
            isbn: Some("978-82-000-0000-0".into()),
            issn: None,
            licence: t("Lisens"),
            based_on: "kbt2020".into(),
            relation: t("En utgave av"),
        }),
        model: (1..=2)
            .map(|m| ModelToml {
                id: format!("M{m}"),
                short: t(&format!("M{m}")),
                name: t(&format!("Modell {m}")),
                description: t("Beskrivelse"),
            })
            .collect(),
        region: vec![RegionToml { id: "nord".into(), name: t("Nord") }],
        unit: (1..=2)
            .map(|m| UnitToml {
                id: format!("u{m}"),
                region: "nord".into(),
                model: format!("M{m}"),
                name: t(&format!("Enhet {m}")),
                places: vec![format!("Sted {m}"), "Bodø".into()],
            })
            .collect(),
        dialogue: Some(DialogueToml {
            date: "2024-03-15".into(),
            participants: vec![
                ParticipantToml { role: t("Brukere"), count: 7 },
                ParticipantToml { role: t("Ansatte"), count: 2 },
            ],
        }),
    }
}

#[test]
fn what_the_serialiser_writes_the_loader_reads_back_to_the_same_values() {
    let tmp = TempDir::new();
    let doc = full_study();
    fs::write(tmp.path().join("study.toml"), doc.to_toml(&[("", "A comment\nover two lines"), ("unit", "Units")]))
        .unwrap();
    let (study, problems) = load(tmp.path());
    assert!(problems.is_empty(), "{problems:#?}");
    let m = &study.meta;
    assert_eq!(
        (m.slug.as_str(), m.version.as_str(), m.date.to_string().as_str()),
        ("round-trip", "2.1.0-rc.1", "2024-02-29")
    );
    assert_eq!((m.small_cell_k, m.coding, m.omit_hidden_excerpts), (5, Coding::Reconstructed, true));
    assert_eq!(m.languages, ["nb", "en"]);
    assert_eq!(m.identifying_terms, doc.identifying_terms);
    let texts = [
        (&m.title, &doc.title),
        (&m.subtitle, &doc.subtitle),
        (&m.short_title, &doc.short_title),
        (&m.commissioner, &doc.commissioner),
        (&m.author, &doc.author),
        (&m.excerpt_notice, &doc.excerpt_notice),
    ];
    for (read, written) in texts {
        let mut expected = written.0.clone();
        expected.sort();
        assert_eq!(text(read), expected);
    }
    assert_eq!(m.keywords["en"], ["ord en", "\"to\""]);
    let e = m.edition.as_ref().expect("the edition");
    assert_eq!(
        (e.date.to_string().as_str(), e.report_number.as_str(), e.based_on.as_str()),
        ("2026-12-01", "rapport 2026:1", "kbt2020")
    );
    assert_eq!((e.isbn.as_deref(), e.issn.as_deref()), (Some("978-82-000-0000-0"), None));
    assert_eq!(e.licence.get("nb"), "Lisens (nb)");
    let ids = |v: Vec<&str>| v.into_iter().map(str::to_string).collect::<Vec<_>>();
    assert_eq!(study.models.iter().map(|m| m.id.clone()).collect::<Vec<_>>(), ids(vec!["M1", "M2"]));
    assert_eq!(study.models[1].name.get("en"), "Modell 2 (en)");
    assert_eq!(study.regions.iter().map(|r| r.id.clone()).collect::<Vec<_>>(), ids(vec!["nord"]));
    let units: Vec<_> = study.units.iter().map(|u| (u.id.as_str(), u.region.as_str(), u.model.as_str())).collect();
    assert_eq!(units, [("u1", "nord", "M1"), ("u2", "nord", "M2")]);
    assert_eq!(study.units[0].places, ["Sted 1", "Bodø"]);
    let d = study.dialogue.as_ref().expect("the dialogue conference");
    let roles: Vec<_> = d.participants.iter().map(|p| (p.role.get("en").to_string(), p.count)).collect();
    assert_eq!(
        (d.date.to_string().as_str(), roles),
        ("2024-03-15", vec![("Brukere (en)".into(), 7), ("Ansatte (en)".into(), 2)])
    );
    // The comments are where they were asked for, and the file stays one key per language.
    let written = fs::read_to_string(tmp.path().join("study.toml")).unwrap();
    assert!(written.starts_with("# A comment\n# over two lines\nslug = "), "{written}");
    assert!(written.contains("# Units\n[[unit]]\n"), "{written}");
    assert!(written.contains("\ntitle_nb = ") && written.contains("\nname_en = "), "{written}");
}

#[test]
fn a_study_file_left_at_its_defaults_reads_as_the_defaults() {
    let tmp = TempDir::new();
    let mut doc = full_study();
    doc.small_cell_k = None;
    doc.coding = None;
    doc.omit_hidden_excerpts = false;
    doc.edition = None;
    doc.keywords = PerLang::default();
    fs::write(tmp.path().join("study.toml"), doc.to_toml(&[])).unwrap();
    let written = fs::read_to_string(tmp.path().join("study.toml")).unwrap();
    for absent in ["small_cell_k", "coding", "omit_hidden_excerpts", "[edition]", "keywords"] {
        assert!(!written.contains(absent), "{absent} is left out: {written}");
    }
    let (study, problems) = load(tmp.path());
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        (study.meta.small_cell_k, study.meta.coding, study.meta.omit_hidden_excerpts),
        (3, Coding::Original, false)
    );
    assert!(study.meta.edition.is_none());
    assert_eq!(study.meta.keywords["nb"], Vec::<String>::new());
}

#[test]
fn bsb_new_writes_a_study_file_of_the_shape_asked_for() {
    let tmp = TempDir::new();
    let dir = tmp.path().join("s");
    let o = bsb(&["new", dir.to_str().unwrap(), "--lang", "nn", "--lang", "en", "--models", "3", "--regions", "2"]);
    assert!(o.status.success(), "{}", text_of(&o));
    let (study, problems) = load(&dir.join("data"));
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(study.meta.languages, ["nn", "en"]);
    assert_eq!(study.meta.coding, Coding::Original);
    assert_eq!(study.models.len(), 3);
    assert_eq!(study.regions.len(), 2);
    // One unit per region and model, each in its region with its model.
    let mut expected = Vec::new();
    for r in 1..=2 {
        for m in 1..=3 {
            expected.push((format!("u{r}-{m}"), format!("r{r}"), format!("M{m}")));
        }
    }
    let units: Vec<_> = study.units.iter().map(|u| (u.id.clone(), u.region.clone(), u.model.clone())).collect();
    assert_eq!(units, expected);
    for t in [&study.meta.title, &study.models[2].name, &study.units[5].name] {
        assert!(!t.get("nn").is_empty() && !t.get("en").is_empty(), "{t:?}");
    }
    // The comments a team reads survive.
    let written = fs::read_to_string(dir.join("data/study.toml")).unwrap();
    assert!(written.contains("# Person counts from 1 to k-1"), "{written}");
}

#[test]
fn bsb_synth_writes_a_study_file_with_the_sample_copied() {
    let tmp = TempDir::new();
    let into = tmp.path().join("s2");
    let data = root().join("data");
    let o = bsb(&["synth", "--data", data.to_str().unwrap(), "--scale", "2", "--into", into.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text_of(&o));
    let (study, problems) = load(&into);
    assert!(problems.is_empty(), "{problems:#?}");
    // The reference study's regions and units, read here as plain TOML, then their copies.
    let reference: toml::Table = fs::read_to_string(data.join("study.toml")).unwrap().parse().unwrap();
    let list = |key: &str| reference[key].as_array().unwrap().clone();
    let mut expected = Vec::new();
    for copy in ["", "-s1"] {
        for r in list("region") {
            let name = r["name_en"].as_str().unwrap().to_string();
            let name = if copy.is_empty() { name } else { format!("{name} 2") };
            expected.push((format!("{}{copy}", r["id"].as_str().unwrap()), name));
        }
    }
    let regions: Vec<_> = study.regions.iter().map(|r| (r.id.clone(), r.name.get("en").to_string())).collect();
    assert_eq!(regions, expected);
    let units: Vec<_> = study.units.iter().map(|u| (u.id.clone(), u.region.clone(), u.model.clone())).collect();
    let mut expected = Vec::new();
    for copy in ["", "-s1"] {
        for u in list("unit") {
            let s = |k: &str| u[k].as_str().unwrap().to_string();
            expected.push((format!("{}{copy}", s("id")), format!("{}{copy}", s("region")), s("model")));
        }
    }
    assert_eq!(units, expected);
    assert_eq!(study.models.len(), list("model").len());
    assert_eq!(study.meta.title.get("nb"), reference["title_nb"].as_str().unwrap());
    let edition = reference["edition"].as_table().unwrap();
    assert_eq!(study.meta.edition.as_ref().unwrap().based_on, edition["based_on"].as_str().unwrap());
}

#[test]
fn bsb_import_writes_a_study_file_with_the_projects_name_and_date() {
    use std::io::Write;
    let tmp = TempDir::new();
    // A project whose name needs escaping in TOML: quotes and a backslash.
    let name = "Pilot \"Nord\" \\ 2";
    let qde = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Pilot &quot;Nord&quot; \ 2" origin="Test" creationDateTime="2024-05-01T10:00:00Z">
  <CodeBook><Codes><Code guid="{c}" name="Hørt" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="{s}" name="Intervju 1" plainTextPath="internal://{s}.txt">
      <PlainTextSelection guid="{p}" startPosition="0" endPosition="9"><Coding guid="{k}"><CodeRef targetGUID="{c}"/></Coding></PlainTextSelection>
    </TextSource>
  </Sources>
</Project>"#,
        c = "00000000-0000-4000-8000-000000000001",
        s = "00000000-0000-4000-8000-000000000010",
        p = "00000000-0000-4000-8000-000000000020",
        k = "00000000-0000-4000-8000-000000000030",
    );
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    w.start_file("project.qde", opts).unwrap();
    w.write_all(qde.as_bytes()).unwrap();
    w.start_file("sources/00000000-0000-4000-8000-000000000010.txt", opts).unwrap();
    w.write_all("Det hjalp.".as_bytes()).unwrap();
    let file = tmp.path().join("pilot.qdpx");
    fs::write(&file, w.finish().unwrap().into_inner()).unwrap();
    let data = tmp.path().join("data");
    let o = bsb(&[
        "import",
        "qdpx",
        file.to_str().unwrap(),
        "--into",
        data.to_str().unwrap(),
        "--lang",
        "nb",
        "--lang",
        "en",
    ]);
    assert!(o.status.success(), "{}", text_of(&o));
    let (study, problems) = load(&data);
    assert!(problems.is_empty(), "{problems:#?}");
    let m = &study.meta;
    assert_eq!(m.languages, ["nb", "en"]);
    assert_eq!(m.date.to_string(), "2024-05-01", "the project's creation date");
    for lang in ["nb", "en"] {
        assert_eq!(m.title.get(lang), name, "the project's name, in every language");
        assert!(m.subtitle.get(lang).contains("(Test)"), "the project's origin: {:?}", m.subtitle);
    }
    assert_eq!((m.small_cell_k, m.coding), (3, Coding::Original));
    assert!(!study.models.is_empty() && !study.regions.is_empty() && !study.units.is_empty());
    for u in &study.units {
        assert!(study.regions.iter().any(|r| r.id == u.region), "{} in a region of the file", u.id);
        assert!(study.models.iter().any(|x| x.id == u.model), "{} with a model of the file", u.id);
    }
}
