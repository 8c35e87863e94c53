//! The study's CSV tables have one definition (`bsb::study::schema` for the columns,
//! `bsb::study::rows` for a row of each table as a type, and one writer): a row written
//! by the writer is read back by the loader to the same values, whatever its texts hold,
//! and every writer (`bsb new`, `bsb import`, `bsb synth`, the tests' builder) writes the
//! header the schema states. Dates are read as dates, and a bad one is named with file,
//! line and field.

use bsb::study::rows::{
    self, CodeRow, ExcerptRow, FactorRow, InterviewRow, ModelFindingRow, NoteRow, RecColumnRow, RecommendationRow,
    Record, TraitRow,
};
use bsb::study::schema::{Kind, TABLES};
use bsb::study::{InterviewKind, PartialDate, Study, Text};

use crate::common::*;

/// A text that needs quoting in CSV and escaping in typst: a comma, a quote, a line break,
/// and each of `# $ @ * < \`; different in each language.
fn hard(what: &str, langs: &[String]) -> Text {
    Text(langs.iter().map(|l| (l.clone(), format!("{what} ({l}), \"sitat\"\nlinje 2 # $ @ * < \\ slutt"))).collect())
}

fn langs() -> Vec<String> {
    vec!["nb".to_string(), "en".to_string()]
}

/// The study in `data` as the loader reads it, with every problem it reports.
fn load(data: &Path) -> (Study, Vec<String>) {
    let (study, problems) = bsb::study::load(data, &bsb::lang::Lang::yes_no).expect("the study loads");
    (study, problems.iter().map(|p| p.to_string()).collect())
}

fn put<R: Record>(data: &Path, file: &str, rows: &[R]) {
    let path = data.join(file);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, rows::write(&langs(), rows)).unwrap();
}

#[test]
fn a_row_of_every_table_written_by_the_one_writer_reads_back_to_the_same_values() {
    let langs = langs();
    let tmp = TempDir::new();
    let data = tmp.path().join("data");
    fs::create_dir_all(&data).unwrap();
    let nb_en: Vec<&str> = langs.iter().map(String::as_str).collect();
    fs::write(data.join("study.toml"), small_study_toml(1, 1, &nb_en).to_toml(&[])).unwrap();

    let interviews = [
        InterviewRow {
            id: "I1".into(),
            region: "r0".into(),
            unit: "u00".into(),
            kind: InterviewKind::Group,
            participants: 4,
            date: Some(PartialDate { year: 2023, month: Some(5), day: None }),
            guid: Some("g1;g2".into()),
        },
        InterviewRow {
            id: "I2".into(),
            region: "r0".into(),
            unit: "u00".into(),
            kind: InterviewKind::Individual,
            participants: 1,
            date: Some(PartialDate { year: 2024, month: Some(2), day: Some(29) }),
            guid: None,
        },
    ];
    put(&data, "interviews.csv", &interviews);
    let codes = [
        CodeRow {
            id: "T1".into(),
            parent: None,
            section: "4.1".into(),
            label: hard("tema", &langs),
            description: hard("om", &langs),
            guid: Some("c1".into()),
            color: Some("#FF0000".into()),
        },
        CodeRow {
            id: "T1.1".into(),
            parent: Some("T1".into()),
            section: String::new(),
            label: hard("under", &langs),
            description: hard("om under", &langs),
            guid: None,
            color: None,
        },
    ];
    put(&data, "codebook.csv", &codes);
    let excerpts = [ExcerptRow {
        id: "E1".into(),
        interview: "I1".into(),
        participant: "P1".into(),
        codes: vec!["T1".into(), "T1.1".into()],
        text: hard("sitat", &langs),
        guid: Some("s1".into()),
    }];
    put(&data, "excerpts/one.csv", &excerpts);
    let traits = [TraitRow { id: "TR1".into(), label: hard("trekk", &langs), codes: vec!["T1.1".into()] }];
    put(&data, "traits.csv", &traits);
    let findings = [ModelFindingRow { trait_id: "TR1".into(), model: "M0".into(), finding: hard("funn", &langs) }];
    put(&data, "model-findings.csv", &findings);
    let factors = [FactorRow {
        id: "F1".into(),
        label: hard("faktor", &langs),
        compilation: hard("sammenstilling", &langs),
        compilation_pages: "s. 3, 5".into(),
        bsb: hard("bsb", &langs),
        bsb_pages: String::new(),
    }];
    put(&data, "factors.csv", &factors);
    let columns = [RecColumnRow { id: "c1".into(), label: hard("kolonne", &langs) }];
    put(&data, "recommendation-columns.csv", &columns);
    let recs = [RecommendationRow {
        id: "R1".into(),
        column: "c1".into(),
        text: hard("anbefaling", &langs),
        rests_on: vec!["T1".into(), "TR1".into()],
    }];
    put(&data, "recommendations.csv", &recs);
    let notes = [NoteRow { id: "N1".into(), topic: "E1".into(), text: hard("merknad", &langs) }];
    put(&data, "notes.csv", &notes);

    let (study, problems) = load(&data);
    assert!(problems.is_empty(), "{problems:#?}");
    let read: Vec<InterviewRow> = study
        .interviews
        .iter()
        .map(|i| InterviewRow {
            id: i.id.clone(),
            region: i.region.clone(),
            unit: i.unit.clone(),
            kind: i.kind,
            participants: i.participants,
            date: i.date,
            guid: None,
        })
        .collect();
    let mut expected = interviews.to_vec();
    expected[0].guid = None;
    assert_eq!(read, expected);
    let read: Vec<_> = study
        .codes
        .iter()
        .map(|c| (c.id.clone(), c.parent.clone(), c.section.clone(), c.label.clone(), c.description.clone()))
        .collect();
    let expected: Vec<_> = codes
        .iter()
        .map(|c| (c.id.clone(), c.parent.clone(), c.section.clone(), c.label.clone(), c.description.clone()))
        .collect();
    assert_eq!(read, expected);
    let e = &study.excerpts[0];
    assert_eq!(study.excerpts.len(), 1);
    assert_eq!((&e.id, &e.interview, &e.participant, &e.codes, &e.text), {
        let x = &excerpts[0];
        (&x.id, &x.interview, &x.participant, &x.codes, &x.text)
    });
    let t = &study.traits[0];
    assert_eq!((&t.id, &t.label, &t.codes), (&traits[0].id, &traits[0].label, &traits[0].codes));
    let f = &study.model_findings[0];
    assert_eq!((&f.trait_id, &f.model, &f.finding), (&findings[0].trait_id, &findings[0].model, &findings[0].finding));
    let f = &study.factors[0];
    let x = &factors[0];
    assert_eq!(
        (&f.id, &f.label, &f.compilation, &f.compilation_pages, &f.bsb, &f.bsb_pages),
        (&x.id, &x.label, &x.compilation, &x.compilation_pages, &x.bsb, &x.bsb_pages)
    );
    let c = &study.rec_columns[0];
    assert_eq!((&c.id, &c.label), (&columns[0].id, &columns[0].label));
    let r = &study.recommendations[0];
    assert_eq!(
        (&r.id, &r.column, &r.text, &r.rests_on),
        (&recs[0].id, &recs[0].column, &recs[0].text, &recs[0].rests_on)
    );
    let n = &study.notes[0];
    assert_eq!((&n.id, &n.topic, &n.text), (&notes[0].id, &notes[0].topic, &notes[0].text));
    // The hard text is in every table as written, line break and all.
    assert!(study.excerpts[0].text.get("en").contains("\"sitat\"\nlinje 2 # $ @ * < \\ slutt"));
}

/// The header the schema states for `table` in `langs`, worked out here from the schema's
/// list of tables (not through the program's own header function), with the optional
/// columns `header` lacks left out.
fn stated_header(table: &str, langs: &[String], header: &[String]) -> Vec<String> {
    let schema = TABLES.iter().find(|s| s.table == table).unwrap_or_else(|| panic!("no table `{table}` in the schema"));
    let mut out = Vec::new();
    for c in schema.columns {
        let names: Vec<String> = if c.kind == Kind::Text {
            langs.iter().map(|l| format!("{}_{l}", c.name)).collect()
        } else {
            vec![c.name.to_string()]
        };
        if c.required || names.iter().all(|n| header.contains(n)) {
            out.extend(names);
        }
    }
    out
}

/// Each CSV file of `data` whose table is one of `tables`: its header is the one the
/// schema states. Returns how many files were checked.
fn headers_are_the_schemas(data: &Path, langs: &[String], tables: &[&str]) -> usize {
    let mut checked = 0;
    for (name, bytes) in all_files(data) {
        let Some(stem) = name.strip_suffix(".csv") else { continue };
        let table = tables.iter().find(|t| stem == **t || stem.starts_with(&format!("{t}/")));
        let Some(table) = table else { continue };
        let text = String::from_utf8(bytes).unwrap();
        let header: Vec<String> = text.lines().next().unwrap().split(',').map(str::to_string).collect();
        assert_eq!(header, stated_header(table, langs, &header), "{}", data.join(&name).display());
        checked += 1;
    }
    checked
}

#[test]
fn every_writer_writes_the_header_the_schema_states() {
    let tmp = TempDir::new();
    let all: Vec<&str> = TABLES.iter().map(|s| s.table).collect();
    // The tests' builder.
    let (_small, data) = temp_study(1, 1, &["nb", "en"]);
    assert_eq!(headers_are_the_schemas(&data, &langs(), &all), 3);
    // `bsb new`, in four languages.
    let new = tmp.path().join("new");
    let four = ["nb", "nn", "en", "de"];
    let mut args = vec!["-q", "new", new.to_str().unwrap()];
    four.iter().for_each(|l| args.extend(["--lang", l]));
    let o = bsb(&args);
    assert!(o.status.success(), "{}", text_of(&o));
    let four: Vec<String> = four.iter().map(|l| l.to_string()).collect();
    assert_eq!(headers_are_the_schemas(&new.join("data"), &four, &all), 7);
    // `bsb import qdpx` (with the optional `guid` columns) and `bsb import qdc`.
    let fixtures = root().join("tests/fixtures/qdpx");
    let imported = tmp.path().join("imported");
    let qdpx = fixtures.join("nvivo-12.7-mac.qdpx");
    let o = bsb(&[
        "-q",
        "import",
        "qdpx",
        qdpx.to_str().unwrap(),
        "--lang",
        "nb",
        "--lang",
        "en",
        "--into",
        imported.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text_of(&o));
    assert_eq!(headers_are_the_schemas(&imported, &langs(), &all), 3);
    let first = |p: &str| fs::read_to_string(p).unwrap().lines().next().unwrap().to_string();
    assert!(first(imported.join("interviews.csv").to_str().unwrap()).ends_with(",guid"));
    let codebook = tmp.path().join("codebook");
    let qdc = fixtures.join("atlas-ti-23.4-windows.qdc");
    let o = bsb(&["-q", "import", "qdc", qdc.to_str().unwrap(), "--into", codebook.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text_of(&o));
    assert_eq!(headers_are_the_schemas(&codebook, &["en".to_string()], &all), 1);
    // `bsb synth`: the tables it writes (the rest is the reference study's, copied).
    let synth = tmp.path().join("synth");
    let o = bsb(&[
        "-q",
        "--data",
        root().join("data").to_str().unwrap(),
        "synth",
        "--scale",
        "2",
        "--into",
        synth.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text_of(&o));
    let written = headers_are_the_schemas(&synth, &langs(), &["interviews", "codebook", "excerpts"]);
    assert!(written >= 3, "{written}");
}

#[test]
fn bsb_synth_reads_and_writes_every_row_through_the_format() {
    // The reference study at scale 2: twice the interviews and excerpts, each row's texts
    // as they were (read back here by the loader).
    let tmp = TempDir::new();
    let synth = tmp.path().join("synth");
    let data = root().join("data");
    let o = bsb(&["-q", "--data", data.to_str().unwrap(), "synth", "--scale", "2", "--into", synth.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text_of(&o));
    let (before, _) = load(&data);
    let (after, problems) = load(&synth);
    assert!(problems.iter().all(|p| !p.contains(".csv")), "{problems:#?}");
    assert_eq!(after.interviews.len(), 2 * before.interviews.len());
    assert_eq!(after.excerpts.len(), 2 * before.excerpts.len());
    let texts: BTreeMap<&str, &Text> = after.excerpts.iter().map(|e| (e.id.as_str(), &e.text)).collect();
    for b in &before.excerpts {
        assert_eq!(texts.get(b.id.as_str()), Some(&&b.text), "{}", b.id);
        assert_eq!(texts.get(format!("{}-s1", b.id).as_str()), Some(&&b.text), "{}-s1", b.id);
    }
}

/// The line of `data`'s file `file` that starts with `start`, counted here.
fn line_of(data: &Path, file: &str, start: &str) -> usize {
    let text = fs::read_to_string(data.join(file)).unwrap();
    text.lines().position(|l| l.starts_with(start)).unwrap_or_else(|| panic!("no `{start}` in {file}")) + 1
}

#[test]
fn a_date_that_is_no_real_day_is_named_with_file_line_and_field() {
    let (_tmp, data) = temp_study(1, 1, &["nb", "en"]);
    let toml = fs::read_to_string(data.join("study.toml")).unwrap();
    fs::write(data.join("study.toml"), toml.replace("date = \"2024-02-29\"", "date = \"2023-02-29\"")).unwrap();
    let line = line_of(&data, "study.toml", "date = ");
    fs::create_dir_all(data.join("context/facts")).unwrap();
    fs::write(
        data.join("context/facts/f.csv"),
        "id,value,unit,table,date,source,ref_nb,ref_en,label_nb,label_en\nf1,4,count,,2020-13,S1,,,A,A\n",
    )
    .unwrap();
    expect_failure(
        &data,
        &[
            &format!("data/study.toml:{line}: field `date`: expected a real date as YYYY-MM-DD, found `2023-02-29`"),
            "data/context/facts/f.csv:2: field `date`: expected a real date as YYYY, YYYY-MM or YYYY-MM-DD, found `2020-13`",
        ],
    );
}

/// A text that is empty in every language (as the loader reads an optional text left out).
fn blank(langs: &[String]) -> Text {
    Text(langs.iter().map(|l| (l.clone(), String::new())).collect())
}

#[test]
fn the_context_the_published_record_and_the_dialogue_read_back_to_the_same_values() {
    use bsb::study::dialogue::Outcome;
    use bsb::study::rows::{EventRow, FactRow, FeedbackRow, PublishedRow, QuestionRow, SetRow, ShareRow};
    use bsb::study::studytoml::{DialogueToml, ParticipantToml, PerLang};
    use bsb::study::{EventKind, Id, Measure};
    let langs = langs();
    let tmp = TempDir::new();
    let data = tmp.path().join("data");
    fs::create_dir_all(&data).unwrap();
    let nb_en: Vec<&str> = langs.iter().map(String::as_str).collect();
    let mut toml = small_study_toml(1, 1, &nb_en);
    toml.dialogue = Some(DialogueToml {
        date: "2024-06-01".into(),
        participants: vec![ParticipantToml { role: PerLang::same(&nb_en, "brukere".to_string()), count: 5 }],
    });
    small_study(&data, 1, 1, &nb_en);
    fs::write(data.join("study.toml"), toml.to_toml(&[])).unwrap();

    let events = [
        EventRow {
            id: "EV1".into(),
            date: PartialDate { year: 2015, month: Some(3), day: None },
            kind: EventKind::Evaluation,
            label: hard("hendelse", &langs),
            source: "kilde".into(),
            reference: hard("s. 4", &langs),
        },
        EventRow {
            id: "EV2".into(),
            date: PartialDate { year: 2016, month: None, day: None },
            kind: EventKind::Policy,
            label: hard("vedtak", &langs),
            source: "kilde".into(),
            reference: blank(&langs),
        },
    ];
    put(&data, "context/timeline.csv", &events);
    let facts = [
        FactRow {
            id: "f1".into(),
            value: 0.1 + 0.2,
            unit: Measure::Percent,
            table: Some(Id::parse("kohort").unwrap()),
            date: Some(PartialDate { year: 2019, month: Some(12), day: Some(31) }),
            source: "kilde".into(),
            reference: hard("tabell 2", &langs),
            label: hard("andel", &langs),
        },
        FactRow {
            id: "f2".into(),
            value: 1234.0,
            unit: Measure::NokMillion,
            table: None,
            date: None,
            source: "kilde".into(),
            reference: blank(&langs),
            label: hard("kroner", &langs),
        },
    ];
    put(&data, "context/facts/f.csv", &facts);
    let sets = [SetRow {
        id: "s1".into(),
        unit: Measure::Count,
        total_fact: Some("f2".into()),
        figure: Some(Id::parse("fordeling").unwrap()),
        table: None,
        source: "kilde".into(),
        reference: blank(&langs),
        title: hard("fordeling", &langs),
    }];
    put(&data, "context/sets.csv", &sets);
    let shares = [
        ShareRow { set: "s1".into(), id: "a".into(), value: 1000.0, label: hard("del a", &langs) },
        ShareRow { set: "s1".into(), id: "b".into(), value: 234.5, label: hard("del b", &langs) },
    ];
    put(&data, "context/shares.csv", &shares);
    let published = [PublishedRow {
        id: "p1".into(),
        location: hard("tabell 1", &langs),
        statement: "table".into(),
        metric: "participants".into(),
        value: 17.0,
        note: hard("merknad", &langs),
    }];
    put(&data, "published.csv", &published);
    let questions = [QuestionRow { id: "Q1".into(), about: "A".into(), question: hard("spørsmål", &langs) }];
    put(&data, "discussion.csv", &questions);
    let feedback = [
        FeedbackRow {
            id: "D1".into(),
            about: "A".into(),
            outcome: Outcome::Changed,
            feedback: hard("innspill", &langs),
            text: hard("ny ordlyd", &langs),
            reason: hard("fordi", &langs),
        },
        FeedbackRow {
            id: "D2".into(),
            about: "B".into(),
            outcome: Outcome::Confirmed,
            feedback: hard("enig", &langs),
            text: blank(&langs),
            reason: blank(&langs),
        },
    ];
    put(&data, "dialogue.csv", &feedback);

    let (study, problems) = load(&data);
    assert!(problems.is_empty(), "{problems:#?}");
    let read: Vec<EventRow> = study
        .events
        .iter()
        .map(|e| EventRow {
            id: e.id.clone(),
            date: e.date,
            kind: e.kind,
            label: e.label.clone(),
            source: e.source.clone(),
            reference: e.reference.clone(),
        })
        .collect();
    assert_eq!(read, events);
    let read: Vec<FactRow> = study
        .facts
        .iter()
        .map(|f| FactRow {
            id: f.id.clone(),
            value: f.value,
            unit: f.unit,
            table: f.table.clone(),
            date: f.date,
            source: f.source.clone(),
            reference: f.reference.clone(),
            label: f.label.clone(),
        })
        .collect();
    assert_eq!(read, facts);
    let read: Vec<SetRow> = study
        .sets
        .iter()
        .map(|s| SetRow {
            id: s.id.clone(),
            unit: s.unit,
            total_fact: s.total_fact.clone(),
            figure: s.figure.clone(),
            table: s.table.clone(),
            source: s.source.clone(),
            reference: s.reference.clone(),
            title: s.title.clone(),
        })
        .collect();
    assert_eq!(read, sets);
    let read: Vec<ShareRow> = study
        .shares
        .iter()
        .map(|s| ShareRow { set: s.set.clone(), id: s.id.clone(), value: s.value, label: s.label.clone() })
        .collect();
    assert_eq!(read, shares);
    let read: Vec<PublishedRow> = study
        .published
        .iter()
        .map(|p| PublishedRow {
            id: p.id.clone(),
            location: p.location.clone(),
            statement: p.statement.clone(),
            metric: p.metric.clone(),
            value: p.value,
            note: p.note.clone(),
        })
        .collect();
    assert_eq!(read, published);
    let read: Vec<QuestionRow> = study
        .discussion
        .iter()
        .map(|q| QuestionRow { id: q.id.clone(), about: q.about.clone(), question: q.question.clone() })
        .collect();
    assert_eq!(read, questions);
    let read: Vec<FeedbackRow> = study
        .dialogue
        .as_ref()
        .unwrap()
        .feedback
        .iter()
        .map(|f| FeedbackRow {
            id: f.id.clone(),
            about: f.about.clone(),
            outcome: f.outcome,
            feedback: f.feedback.clone(),
            text: f.text.clone(),
            reason: f.reason.clone(),
        })
        .collect();
    assert_eq!(read, feedback);
    // An optional text no row gives is left out of the header, one some row gives is written.
    let header = |file: &str| fs::read_to_string(data.join(file)).unwrap().lines().next().unwrap().to_string();
    assert_eq!(header("context/sets.csv"), "id,unit,total_fact,figure,source,title_nb,title_en");
    assert!(header("context/timeline.csv").ends_with(",source,ref_nb,ref_en"));
}
