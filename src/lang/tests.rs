//! Tests of languages: the built-in files agree, numbers and plurals follow each language,
//! and a study's files are checked with file and line.

use super::*;
use crate::problem::Problems;
use crate::shown::Shown;
use crate::study::{PartialDate, SourceFile, Study};

#[test]
fn every_built_in_language_has_the_same_keys() {
    let en = Lang::load("en").unwrap();
    for (code, _) in FILES {
        let l = Lang::load(code).unwrap();
        assert_eq!(l.words.keys().collect::<Vec<_>>(), en.words.keys().collect::<Vec<_>>(), "{code}");
        assert_eq!(l.nouns.keys().collect::<Vec<_>>(), en.nouns.keys().collect::<Vec<_>>(), "{code}");
    }
}

/// Every word the program names is in each built-in file, read as plain TOML (not
/// through the loader, whose check this is the independent count of).
#[test]
fn every_built_in_file_has_every_word_the_program_names() {
    assert!(Word::ALL.len() > 50, "the list of words the program names is complete");
    for (code, text) in FILES {
        let table: toml::Table = text.parse().unwrap();
        let words = table["words"].as_table().unwrap();
        for w in Word::ALL {
            assert!(words.get(w.key()).and_then(|v| v.as_str()).is_some(), "{code}: no `{}`", w.key());
        }
    }
    let mut keys: Vec<&str> = Word::ALL.iter().map(|w| w.key()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), Word::ALL.len(), "each word once");
}

/// A built-in file without one word the program prints does not load: the problem
/// names the file and the key, and the word is never printed as its key.
#[test]
fn a_built_in_file_without_a_word_the_program_prints_fails() {
    let (_, en) = FILES.iter().find(|(c, _)| *c == "en").unwrap();
    let text: String = en.lines().filter(|l| !l.starts_with("survey_apart =")).map(|l| format!("{l}\n")).collect();
    assert_ne!(&text, en);
    let l = Lang::parse("en", "report/lang/en.toml", &text).unwrap();
    let mut p = Problems::default();
    super::check::check_program_words(&l, "report/lang/en.toml", &text, &mut p);
    assert_eq!(p.0.len(), 1, "{:?}", p.0);
    assert_eq!(p.0[0].file, "report/lang/en.toml");
    assert_eq!(p.0[0].field, "words.survey_apart");
}

#[test]
fn the_loader_knows_exactly_the_built_in_languages() {
    let compiled: Vec<&str> = FILES.iter().map(|(c, _)| *c).collect();
    assert_eq!(compiled, crate::study::load::BUILTIN_LANGUAGES.to_vec());
}

#[test]
fn every_built_in_sentence_renders() {
    for (code, _) in FILES {
        let l = Lang::load(code).unwrap();
        let mut p = Problems::default();
        l.check_sentences(&mut p, "data");
        assert!(p.is_empty(), "{code}: {:?}", p.0);
    }
}

#[test]
fn numbers_follow_each_language() {
    let nb = Lang::load("nb").unwrap();
    let en = Lang::load("en").unwrap();
    assert_eq!(nb.int(7800), "7\u{a0}800");
    assert_eq!(en.int(7800), "7,800");
    assert_eq!(nb.number(2.5), "2,5");
    assert_eq!(en.number(2.5), "2.5");
    assert_eq!(nb.percent(62.0), "62\u{a0}%");
    assert_eq!(en.percent(62.0), "62%");
    assert_eq!(en.int(1234567), "1,234,567");
    let d = PartialDate { year: 2023, month: Some(3), day: Some(17) };
    assert_eq!(nb.date(d), "17. mars 2023");
    assert_eq!(en.date(d), "17 March 2023");
}

fn say(l: &Lang, t: &str, n: u64) -> String {
    l.fill(t, BTreeMap::from([("n", l.count(n))]))
}

#[test]
fn plurals_and_number_words() {
    let nb = Lang::load("nb").unwrap();
    let nn = Lang::load("nn").unwrap();
    let en = Lang::load("en").unwrap();
    let t = r#"{{ n|count("region") }}"#;
    assert_eq!(say(&nb, t, 1), "én helseregion");
    assert_eq!(say(&nb, t, 2), "to helseregioner");
    assert_eq!(say(&nb, t, 12), "tolv helseregioner");
    assert_eq!(say(&nb, t, 13), "13 helseregioner");
    assert_eq!(say(&nn, t, 1), "éin helseregion");
    assert_eq!(say(&nn, t, 2), "to helseregionar");
    assert_eq!(say(&en, t, 1), "one health region");
    assert_eq!(say(&en, t, 2), "two health regions");
    assert_eq!(say(&en, t, 10), "10 health regions");
    assert_eq!(say(&nb, r#"{{ n|count("interview") }}"#, 1), "ett intervju");
    assert_eq!(say(&nb, r#"{{ n|numeral("participant") }}"#, 7800), "7\u{a0}800 deltakere");
    assert_eq!(say(&en, "{% if n is one %}a{% else %}b{% endif %}", 1), "a");
    assert_eq!(nb.and_list(&["a".into(), "b".into(), "c".into()]), "a, b og c");
    let hidden = nb.shown_count(Shown::Small, 3);
    assert_eq!(nb.fill(r#"{{ n|count("participant") }}"#, BTreeMap::from([("n", hidden)])), "færre enn 3 deltakere");
}

#[test]
fn overrides_are_checked_with_file_and_line() {
    let mut study = Study::default();
    study.meta.languages = vec!["en".into()];
    study.files.push(SourceFile {
        path: "words/en.toml".into(),
        bytes: b"[words]\nmodels = \"The ways of working\"\nmodles = \"x\"\n".to_vec(),
    });
    let err = Lang::for_study("en", &study).unwrap_err().to_string();
    assert!(err.contains("data/words/en.toml:3"), "{err}");
    assert!(err.contains("words.modles"), "{err}");
    study.files[0].bytes = b"[words]\nmodels = \"The ways of working\"\n".to_vec();
    assert_eq!(Lang::for_study("en", &study).unwrap().word(Word::Models), "The ways of working");
}

#[test]
fn a_language_from_the_data_must_say_every_word() {
    let mut study = Study::default();
    study.meta.languages = vec!["de".into()];
    let mut text = FILES.iter().find(|(c, _)| *c == "en").unwrap().1.to_string();
    text = text.replace("summary = \"Summary\"\n", "");
    study.files.push(SourceFile { path: "lang/de.toml".into(), bytes: text.into_bytes() });
    let err = Lang::for_study("de", &study).unwrap_err().to_string();
    assert!(err.contains("data/lang/de.toml"), "{err}");
    assert!(err.contains("words.summary"), "{err}");
    let missing =
        Study { meta: crate::study::Meta { languages: vec!["fr".into()], ..Default::default() }, ..Default::default() };
    let err = Lang::for_study("fr", &missing).unwrap_err().to_string();
    assert!(err.contains("data/lang/fr.toml"), "{err}");
}
