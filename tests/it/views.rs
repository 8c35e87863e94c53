//! Each edition's view hash (the one its provenance prints): it equals the hash of the
//! study serialised as JSON and reduced to the edition's language, computed here the plain
//! way (a whole `serde_json::Value`, pruned, printed and hashed), and it moves with every
//! edit that changes what the edition publishes.

use crate::common::*;
use bsb::study::Study;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The study as `lang` sees it, the slow and obvious way: an object keyed by exactly the
/// study's languages becomes its `lang` entry, an object whose `lang` names another
/// language disappears from its parent.
fn pruned(v: Value, lang: &str, langs: &[String]) -> Option<Value> {
    match v {
        Value::Object(map) => {
            let keys: Vec<&String> = map.keys().collect();
            if !keys.is_empty() && keys.len() == langs.len() && keys.iter().all(|k| langs.contains(k)) {
                return map.get(lang).cloned();
            }
            if map.get("lang").and_then(Value::as_str).is_some_and(|l| l != lang) {
                return None;
            }
            Some(Value::Object(map.into_iter().filter_map(|(k, v)| Some((k, pruned(v, lang, langs)?))).collect()))
        }
        Value::Array(items) => Some(Value::Array(items.into_iter().filter_map(|v| pruned(v, lang, langs)).collect())),
        other => Some(other),
    }
}

/// The view hash computed independently: the inputs an edition reads (program files, and
/// of the data only its own word and language files) plus the pruned study's hash, as
/// sorted `name NUL hash LF` lines under one sha256.
fn expected_view(study: &Study, lang: &str, inputs: &BTreeMap<String, String>) -> String {
    let seen = pruned(serde_json::to_value(study).unwrap(), lang, &study.meta.languages).unwrap_or_default();
    let own = [format!("data/words/{lang}.toml"), format!("data/lang/{lang}.toml")];
    let mut entries: BTreeMap<String, String> = inputs
        .iter()
        .filter(|(k, _)| {
            (!k.starts_with("data/") || own.contains(k))
                && !(k.starts_with("report/lang/") && !k.ends_with(&format!("/{lang}.toml")))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    entries.insert("study-view".into(), hex(seen.to_string().as_bytes()));
    let mut text = Vec::new();
    for (name, hash) in &entries {
        text.extend_from_slice(name.as_bytes());
        text.push(0);
        text.extend_from_slice(hash.as_bytes());
        text.push(b'\n');
    }
    hex(&text)
}

/// Inputs as a build lists them, with hashes that only need to differ.
fn some_inputs() -> BTreeMap<String, String> {
    [
        "data/interviews.csv",
        "data/words/en.toml",
        "data/words/nb.toml",
        "report/lang/en.toml",
        "report/lang/nb.toml",
        "report/templates/main.typ.j2",
        "fonts/typst-assets",
    ]
    .iter()
    .map(|k| (k.to_string(), hex(k.as_bytes())))
    .collect()
}

fn load(dir: &Path) -> Study {
    bsb::study::load(dir, &bsb::lang::Lang::yes_no).expect("the study loads").0
}

#[test]
fn the_view_hash_is_the_pruned_study_hashed_the_plain_way() {
    let study = load(&root().join("data"));
    let inputs = some_inputs();
    assert!(study.meta.languages.len() > 1, "the reference study has two languages");
    let mut seen = Vec::new();
    for lang in &study.meta.languages {
        let got = bsb::pipeline::view_hash(&study, lang, &inputs);
        assert_eq!(got, expected_view(&study, lang, &inputs), "{lang}");
        let own = bsb::pipeline::study_views(&study);
        let plain = pruned(serde_json::to_value(&study).unwrap(), lang, &study.meta.languages).unwrap();
        assert_eq!(own[lang], hex(plain.to_string().as_bytes()), "{lang}: the study's part");
        seen.push(got);
    }
    seen.dedup();
    assert_eq!(seen.len(), study.meta.languages.len(), "each language sees the study differently");
}

#[test]
fn a_count_edit_moves_every_view_and_an_english_edit_only_the_english_one() {
    let dir = TempDir::new();
    let data = dir.path().join("data");
    copy_tree(&root().join("data"), &data);
    let inputs = some_inputs();
    let views = |s: &Study| -> Vec<String> {
        s.meta.languages.iter().map(|l| bsb::pipeline::view_hash(s, l, &inputs)).collect()
    };
    let before = views(&load(&data));

    // One more participant in the first group interview: a count every edition prints.
    let path = data.join("interviews.csv");
    let text = fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let row = lines.iter().position(|l| l.contains(",group,")).expect("a group interview");
    let (head, n) = lines[row].rsplit_once(',').unwrap();
    lines[row] = format!("{head},{}", n.parse::<u32>().unwrap() + 1);
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    let counted = views(&load(&data));
    for (b, c) in before.iter().zip(&counted) {
        assert_ne!(b, c, "a changed head count changes every edition's view");
    }
    fs::write(&path, text).unwrap();
    assert_eq!(views(&load(&data)), before, "the same data, the same views");

    // A sentence of English prose: only the English edition's view moves.
    let prose = data.join("prose/en/method.typ");
    let mut en = fs::read_to_string(&prose).unwrap();
    en.push_str("\nOne more sentence.\n");
    fs::write(&prose, en).unwrap();
    let study = load(&data);
    let after = views(&study);
    for (i, lang) in study.meta.languages.iter().enumerate() {
        assert_eq!(before[i] != after[i], lang == "en", "{lang}");
    }
}
