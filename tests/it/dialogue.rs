//! The method's third step: the process report for the dialogue conference (`bsb build
//! --edition process`) and the conference's feedback carried into the final report. A small
//! study is given a conference record with every outcome; what the reports must show is
//! worked out here from the CSV rows the test writes.

use crate::common::*;

/// The test study's recommendations: (id, column, English text).
const RECS: &[(&str, &str, &str)] = &[
    ("R1", "c1", "Open the ward at weekends"),
    ("R2", "c1", "Give every patient a key"),
    ("R3", "c2", "Hold a meeting each month"),
];

/// The conference's rows: (id, about, outcome, new or added English text).
const FEEDBACK: &[(&str, &str, &str, &str)] = &[
    ("D1", "A", "confirmed", ""),
    ("D2", "B", "changed", "Theme B holds for group interviews only"),
    ("D3", "R1", "changed", "Open the ward every evening and at weekends"),
    ("D4", "R2", "dropped", ""),
    ("D5", "c2", "added", "Train staff together with users"),
    ("D6", "A", "added", "Peers matter more than the data showed"),
    ("D7", "R3", "confirmed", ""),
    ("D8", "TR1", "dropped", ""),
];

/// Questions for discussion: (id, about, English text).
const QUESTIONS: &[(&str, &str, &str)] = &[
    ("Q1", "A", "Do you recognise finding A from your own ward"),
    ("Q2", "B", "What would change finding B"),
    ("Q3", "c1", "Which of these rights matters most"),
];

/// A two-language study with recommendations, a trait, dated interviews and the questions;
/// with `conference`, also its record. Returns the temporary directory and `data/`.
fn study(conference: bool) -> (TempDir, PathBuf) {
    let (tmp, data) = temp_study(2, 2, &["nb", "en"]);
    // Interviews dated in 2024, before the conference.
    let iv = fs::read_to_string(data.join("interviews.csv")).unwrap();
    let mut dated = String::new();
    for (i, line) in iv.lines().enumerate() {
        let date = if i == 0 { "date".to_string() } else { format!("2024-01-{:02}", i + 1) };
        dated.push_str(&format!("{line},{date}\n"));
    }
    fs::write(data.join("interviews.csv"), dated).unwrap();
    fs::write(
        data.join("recommendation-columns.csv"),
        "id,label_nb,label_en\nc1,Rettigheter,Rights\nc2,Organisering,Organisation\n",
    )
    .unwrap();
    let mut recs = String::from("id,column,text_nb,text_en,rests_on\n");
    for (id, col, en) in RECS {
        recs.push_str(&format!("{id},{col},NB {en},{en},A\n"));
    }
    fs::write(data.join("recommendations.csv"), recs).unwrap();
    fs::write(data.join("traits.csv"), "id,label_nb,label_en,codes\nTR1,Trekk en,Trait one,A.1\n").unwrap();
    fs::write(
        data.join("model-findings.csv"),
        "trait,model,finding_nb,finding_en\nTR1,M0,Funn null,Finding zero\nTR1,M1,Funn en,Finding one\n",
    )
    .unwrap();
    let mut qs = String::from("id,about,question_nb,question_en\n");
    for (id, about, en) in QUESTIONS {
        qs.push_str(&format!("{id},{about},NB {en}?,{en}?\n"));
    }
    fs::write(data.join("discussion.csv"), qs).unwrap();
    if conference {
        let mut toml = fs::read_to_string(data.join("study.toml")).unwrap();
        toml.push_str(
            "\n[dialogue]\ndate = \"2024-03-12\"\n\n[[dialogue.participants]]\nrole_nb = \"Brukere\"\nrole_en = \"Users\"\ncount = 9\n\n[[dialogue.participants]]\nrole_nb = \"Ledere\"\nrole_en = \"Managers\"\ncount = 2\n",
        );
        fs::write(data.join("study.toml"), toml).unwrap();
        fs::write(data.join("dialogue.csv"), feedback_csv(FEEDBACK)).unwrap();
    }
    (tmp, data)
}

/// `dialogue.csv` for the given rows: feedback and reasons in both languages, the text
/// only where the row has one.
fn feedback_csv(rows: &[(&str, &str, &str, &str)]) -> String {
    let mut out = String::from("id,about,outcome,feedback_nb,feedback_en,text_nb,text_en,reason_nb,reason_en\n");
    for (id, about, outcome, text) in rows {
        let (tnb, ten) =
            if text.is_empty() { (String::new(), String::new()) } else { (format!("NB {text}"), text.to_string()) };
        out.push_str(&format!(
            "{id},{about},{outcome},NB said {id},Said about {id},{tnb},{ten},NB why {id},Because of {id}\n"
        ));
    }
    out
}

/// Build `step` of the study into `out` and return the PDF's text per language, flattened.
fn build(data: &Path, out: &Path, process: bool) -> BTreeMap<String, (PathBuf, String)> {
    let mut args = vec!["-q", "build", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()];
    if process {
        args.extend(["--edition", "process"]);
    }
    let o = bsb(&args);
    assert!(o.status.success(), "build failed: {}", text_of(&o));
    let stem = if process { "small-0.1-process-preliminary" } else { "small-0.1" };
    ["nb", "en"]
        .iter()
        .map(|l| {
            let path = out.join(format!("report/out/{stem}-{l}.pdf"));
            let text = pdf::flat(&pdf::text(&path));
            (l.to_string(), (path, text))
        })
        .collect()
}

#[test]
fn the_process_report_is_preliminary_on_every_page_and_asks_the_questions() {
    let (tmp, data) = study(true);
    let out = tmp.path().join("out");
    let pdfs = build(&data, &out, true);
    for (lang, mark) in [("en", "PRELIMINARY"), ("nb", "FORELØPIG")] {
        let (path, text) = &pdfs[lang];
        let pages = pdf::text(path);
        let pages: Vec<&str> = pages.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
        assert!(pages.len() > 1, "{lang}: more than one page");
        for (i, page) in pages.iter().enumerate() {
            assert!(page.contains(mark), "{lang}: page {} lacks {mark}", i + 1);
        }
        let prefix = if lang == "nb" { "NB " } else { "" };
        for (_, _, q) in QUESTIONS {
            assert!(text.contains(&format!("{prefix}{q}?")), "{lang}: the question “{q}” is printed");
        }
        // The data as it stands: every recommendation in its process wording, nothing the
        // conference did.
        for (_, _, rec) in RECS {
            assert!(text.contains(&format!("{prefix}{rec}")), "{lang}: {rec}");
        }
        for (_, _, _, added) in FEEDBACK.iter().filter(|f| !f.3.is_empty()) {
            assert!(!text.contains(added), "{lang}: the conference's text “{added}” is not in the process report");
        }
    }
    let en = &pdfs["en"].1;
    assert!(!en.contains("The dialogue conference") && !en.contains("[changed]"), "no conference section: {en}");
    // The final report's outputs are not touched by a process build.
    assert!(!out.join("report/out/small-0.1-en.pdf").exists());
    assert!(out.join("report/tables/process/recommendations.csv").exists());
    assert!(out.join("report/manifest-process.json").exists() && !out.join("report/manifest.json").exists());
    // Built again from scratch elsewhere: byte for byte the same PDFs.
    let again = build(&data, &tmp.path().join("again"), true);
    for lang in ["nb", "en"] {
        assert_eq!(fs::read(&pdfs[lang].0).unwrap(), fs::read(&again[lang].0).unwrap(), "{lang}");
    }
}

#[test]
fn the_final_report_records_the_conference_and_marks_exactly_what_it_changed() {
    let (tmp, data) = study(true);
    let out = tmp.path().join("out");
    let pdfs = build(&data, &out, false);
    let text = &pdfs["en"].1;
    assert!(text.contains("The dialogue conference"), "the chapter");
    assert!(text.contains("12 March 2024"), "the date");
    // The participants by role: 2 managers is under k = 3, so printed as <3 and no total.
    assert!(text.contains("Users 9") && text.contains("Managers <3"), "{text}");
    let rows = read_csv(&out.join("report/tables/dialogue-participants.csv"));
    assert_eq!(rows.iter().map(|r| r["count"].as_str()).collect::<Vec<_>>(), ["9", "<3"]);
    // The outcomes table has a row per feedback row.
    let outcomes = read_csv(&out.join("report/tables/dialogue-outcomes.csv"));
    assert_eq!(
        outcomes.iter().map(|r| r["id"].as_str()).collect::<Vec<_>>(),
        FEEDBACK.iter().map(|f| f.0).collect::<Vec<_>>()
    );

    // Each changed, added or dropped item carries its mark where it appears: a theme or a
    // recommendation once, a trait twice (its row of the model comparison and the note
    // under it); the marks are also named in the section's text and in the note under the
    // recommendations.
    // A table's columns are read in the order they are drawn, so a cell's text stays together.
    let raw = pdf::flat(&pdf::raw_text(&pdfs["en"].0));
    let count = |o: &str| -> usize {
        FEEDBACK.iter().filter(|f| f.2 == o).map(|f| if f.1.starts_with("TR") { 2 } else { 1 }).sum()
    };
    for (outcome, mark) in [("changed", "[changed]"), ("added", "[added]"), ("dropped", "[dropped]")] {
        assert_eq!(text.matches(mark).count(), count(outcome) + 2, "{mark} in: {text}");
    }
    assert!(raw.contains("Trait one [dropped]"), "{raw}");
    // Changed recommendation: the new wording, marked; the old one gone from the table.
    assert!(raw.contains("Open the ward every evening and at weekends [changed]"), "{raw}");
    let final_recs = read_csv(&out.join("report/tables/recommendations.csv"));
    let ids: Vec<&str> = final_recs.iter().map(|r| r["id"].as_str()).collect();
    assert_eq!(ids, ["R1", "R3", "D5"], "R2 dropped, D5 added at the end of its column");
    assert_eq!(final_recs[0]["recommendation_en"], "Open the ward every evening and at weekends");
    // Added recommendation, marked; the dropped one listed under the table as it was.
    assert!(raw.contains("Train staff together with users [added]"), "{raw}");
    assert!(text.contains("[dropped] Rights: Give every patient a key"), "{text}");
    // Confirmed: printed without a mark.
    assert!(raw.contains("Hold a meeting each month") && !raw.contains("Hold a meeting each month ["), "{raw}");
    // The themes and the trait carry the conference's notes.
    assert!(text.contains("[changed] Changed at the dialogue conference. New wording: Theme B holds for group interviews only Why: Because of D2"), "{text}");
    assert!(
        text.contains(
            "[added] Added at the dialogue conference: Peers matter more than the data showed Why: Because of D6"
        ),
        "{text}"
    );
    assert!(text.contains("Trait one: [dropped] Dropped at the dialogue conference. Why: Because of D8"), "{text}");
    // The questions for discussion belong to the process report only.
    assert!(!text.contains(QUESTIONS[0].2), "{text}");
    let nb = &pdfs["nb"].1;
    let raw_nb = pdf::flat(&pdf::raw_text(&pdfs["nb"].0));
    assert!(nb.contains("Dialogkonferansen"), "{nb}");
    assert!(raw_nb.contains("NB Open the ward every evening and at weekends [endret]"), "{raw_nb}");

    // `bsb diff` between the two steps' tables names what the conference changed.
    build(&data, &out, true);
    let o = bsb(&[
        "diff",
        out.join("report/tables/process").to_str().unwrap(),
        out.join("report/tables").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text_of(&o));
    let diff = text_of(&o);
    for line in [
        "dialogue-outcomes: new table",
        "dialogue-participants: new table",
        "row removed: R2",
        "row added: D5",
        "R1 recommendation_en: Open the ward at weekends → Open the ward every evening and at weekends",
    ] {
        assert!(diff.contains(line), "`{line}` in:\n{diff}");
    }
    assert!(!diff.contains("R3"), "a confirmed recommendation does not change: {diff}");
}

#[test]
fn a_study_without_a_conference_says_its_record_is_not_available() {
    let (tmp, data) = study(false);
    let out = tmp.path().join("out");
    let text = &build(&data, &out, false)["en"].1;
    assert!(text.contains("The dialogue conference"), "{text}");
    assert!(text.contains("This study's data holds no"), "{text}");
    for mark in ["[changed]", "[added]", "[dropped]"] {
        assert!(!text.contains(mark), "{text}");
    }
    // Without a conference the two steps' tables are the same.
    build(&data, &out, true);
    let o = bsb(&[
        "diff",
        out.join("report/tables/process").to_str().unwrap(),
        out.join("report/tables").to_str().unwrap(),
    ]);
    assert!(text_of(&o).contains("no table changed"), "{}", text_of(&o));
}

#[test]
fn a_bad_feedback_row_is_named_with_file_line_and_field() {
    let (_tmp, data) = study(true);
    let rows: &[(&str, &str, &str, &str)] = &[
        ("D1", "T99", "confirmed", ""),
        ("D2", "B", "maybe", ""),
        ("D3", "R1", "changed", ""),
        ("D4", "A.1", "dropped", ""),
        ("D5", "c1", "added", ""),
        ("D6", "R3", "confirmed", "A text a confirmation has no use for"),
    ];
    fs::write(data.join("dialogue.csv"), feedback_csv(rows)).unwrap();
    // A conference before the last interview.
    let toml = fs::read_to_string(data.join("study.toml")).unwrap();
    fs::write(data.join("study.toml"), toml.replace("date = \"2024-03-12\"", "date = \"2024-01-05\"")).unwrap();
    expect_failure(
        &data,
        &[
            "data/dialogue.csv:2: field `about`: expected the id of a finding",
            "data/dialogue.csv:3: field `outcome`: expected `confirmed`, `changed`, `added` or `dropped`, found `maybe`",
            "data/dialogue.csv:4: field `text_nb`: expected the new wording",
            "data/dialogue.csv:4: field `text_en`: expected the new wording",
            "data/dialogue.csv:5: field `about`",
            "is a subtheme",
            "data/dialogue.csv:6: field `text_en`: expected the added text",
            "data/dialogue.csv:7: field `text_en`: expected no text for a `confirmed` row",
            "data/study.toml:",
            "field `dialogue.date`: expected the conference after the last interview",
        ],
    );
}

#[test]
fn the_reference_study_builds_both_reports_in_both_languages() {
    let tmp = TempDir::new();
    let data = tmp.path().join("data");
    copy_tree(&root().join("data"), &data);
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let o =
        bsb(&["-q", "build", "--edition", "process", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text_of(&o));
    for (lang, mark, missing) in [
        ("nb", "FORELØPIG", "Studiens data inneholder ingen dokumentasjon"),
        ("en", "PRELIMINARY", "This study's data holds no"),
    ] {
        let process = out.join(format!("report/out/bsb-legemiddelfrie-tilbud-1.0.0-process-preliminary-{lang}.pdf"));
        let text = pdf::flat(&pdf::text(&process));
        assert!(text.contains(mark), "{lang}");
        // Every question of discussion.csv in this language is printed.
        for q in read_csv(&data.join("discussion.csv")) {
            assert!(pdf::loose(&text).contains(&pdf::loose(&q[&format!("question_{lang}")])), "{lang}: {}", q["id"]);
        }
        let fin = pdf::flat(&pdf::text(&out.join(format!("report/out/bsb-legemiddelfrie-tilbud-1.0.0-{lang}.pdf"))));
        assert!(pdf::loose(&fin).contains(&pdf::loose(missing)), "{lang}: the record is said to be missing");
    }
}
