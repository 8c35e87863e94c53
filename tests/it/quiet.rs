//! Commands that used to misbehave without a word: each test plants the situation in a
//! study made by `bsb new` and checks what a user sees.

use crate::common::*;
use crate::diagnostics::{run_in, started};

fn pdf_of(dir: &Path, lang: &str) -> PathBuf {
    dir.join(format!("report/out/example-study-0.1.0-{lang}.pdf"))
}

#[test]
fn a_summary_in_a_language_of_the_studys_own_reaches_every_edition_with_its_dual() {
    let tmp = TempDir::new();
    let dir = started(&tmp, &["nb", "se"], 2);
    // Northern Sámi has a dual (CLDR: one, two, other); the study's language file gives
    // the noun's three forms, copied from English by `bsb new`.
    let se = dir.join("data/lang/se.toml");
    let text = fs::read_to_string(&se).unwrap();
    let region = text.lines().find(|l| l.starts_with("region =")).unwrap().to_string();
    fs::write(
        &se,
        text.replace(&region, "region = { one = \"guovlu\", two = \"guovllut\", other = \"guovllut-lot\" }"),
    )
    .unwrap();
    fs::write(
        dir.join("data/prose/se/summary.typ"),
        "Čoahkkáigeassu: {{ n.regions|numeral(\"region\") }} ja {{ n.models|numeral(\"region\") }}.\n",
    )
    .unwrap();
    build_into(&dir.join("data"), &dir);
    for lang in ["nb", "se"] {
        let text = pdf::text(&pdf_of(&dir, lang));
        assert!(text.contains("Čoahkkáigeassu"), "the se summary is in the {lang} edition");
        assert!(text.contains("2 guovllut"), "2 takes the dual in {lang}: {text}");
        assert!(text.contains("1 guovlu"), "1 takes the singular in {lang}");
    }
}

#[test]
fn release_refuses_a_dirty_tree_and_a_second_different_release_of_a_version() {
    let tmp = TempDir::new();
    let dir = started(&tmp, &["en"], 2);
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "start"]);
    build_into(&dir.join("data"), &dir);
    let method = dir.join("data/prose/en/method.typ");
    fs::write(&method, fs::read_to_string(&method).unwrap() + "\nOne more sentence.\n").unwrap();
    let (code, text) = run_in(&dir, &["release"]);
    assert_eq!(code, Some(1), "a dirty tree is refused: {text}");
    assert!(text.contains("uncommitted") && text.contains("--allow-dirty"), "{text}");
    assert!(!dir.join("report/releases/0.1.0.json").exists());

    git(&dir, &["checkout", "--", "data"]);
    let (code, text) = run_in(&dir, &["release"]);
    assert_eq!(code, Some(0), "{text}");
    // Committed but not built: the release would record outputs of other inputs.
    fs::write(&method, fs::read_to_string(&method).unwrap() + "\nAnother sentence.\n").unwrap();
    git(&dir, &["commit", "-q", "-am", "more"]);
    let (code, text) = run_in(&dir, &["release"]);
    assert_eq!(code, Some(1), "a second, different release of 0.1.0 is refused: {text}");
    let (code, text) = run_in(&dir, &["build"]);
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = run_in(&dir, &["release"]);
    assert_eq!(code, Some(1), "built, it differs from the recorded 0.1.0: {text}");
    assert!(text.contains("already released"), "{text}");
}

#[test]
fn a_failed_run_leaves_an_untouched_folder_untouched_and_new_ignores_build_state() {
    let tmp = TempDir::new();
    let dir = started(&tmp, &["en"], 1);
    let gitignore = fs::read_to_string(dir.join(".gitignore")).unwrap();
    assert!(gitignore.lines().any(|l| l == "report/.bsb.lock"), "{gitignore}");
    assert!(gitignore.contains(".bsb-state.json"), "{gitignore}");

    let ex = dir.join("data/interviews.csv");
    fs::write(&ex, fs::read_to_string(&ex).unwrap().replacen("individual,1", "individual,x", 1)).unwrap();
    let elsewhere = tmp.path().join("elsewhere");
    fs::create_dir_all(&elsewhere).unwrap();
    let o = bsb(&["build", "--data", dir.join("data").to_str().unwrap(), "--out", elsewhere.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text_of(&o).contains("nothing was written"), "{}", text_of(&o));
    assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0, "no report/.bsb.lock left behind");
}

#[test]
fn pdfs_of_a_former_version_are_removed() {
    let tmp = TempDir::new();
    let dir = started(&tmp, &["en"], 1);
    assert!(pdf_of(&dir, "en").is_file());
    let toml = dir.join("data/study.toml");
    fs::write(&toml, fs::read_to_string(&toml).unwrap().replace("version = \"0.1.0\"", "version = \"0.2.0\"")).unwrap();
    build_into(&dir.join("data"), &dir);
    assert!(dir.join("report/out/example-study-0.2.0-en.pdf").is_file());
    assert!(!pdf_of(&dir, "en").exists(), "the 0.1.0 PDF is gone");
}

#[test]
fn new_with_a_language_twice_keeps_it_once_and_says_so() {
    let tmp = TempDir::new();
    let dir = tmp.path().join("study");
    let o = bsb(&["new", dir.to_str().unwrap(), "--lang", "nb", "--lang", "en", "--lang", "nb"]);
    assert_eq!(o.status.code(), Some(0), "{}", text_of(&o));
    assert!(text_of(&o).contains("`nb` is given more than once"), "{}", text_of(&o));
    // The study lists each language once, first occurrence first, and builds both editions.
    let toml = fs::read_to_string(dir.join("data/study.toml")).unwrap();
    let line = toml.lines().find(|l| l.starts_with("languages")).expect("a languages line");
    assert_eq!(line.trim(), "languages = [\"nb\", \"en\"]");
    for l in ["nb", "en"] {
        assert!(pdf_of(&dir, l).is_file(), "the {l} edition is built");
    }
    // The first run left a study that runs again: check passes on it.
    let o = bsb(&["check", "--data", dir.join("data").to_str().unwrap()]);
    assert!(o.status.success(), "{}", text_of(&o));
}

#[test]
fn diff_of_a_folder_without_tables_is_an_error_and_a_study_folder_means_its_tables() {
    let tmp = TempDir::new();
    let dir = started(&tmp, &["en"], 1);
    let empty = tmp.path().join("empty");
    fs::create_dir_all(&empty).unwrap();
    let o = bsb(&["diff", empty.to_str().unwrap(), dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text_of(&o));
    assert!(text_of(&o).contains("holds no tables"), "{}", text_of(&o));
    let o = bsb(&["diff", dir.join("report/tables").to_str().unwrap(), dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text_of(&o));
    assert!(text_of(&o).contains("no table changed"), "{}", text_of(&o));
}

#[test]
fn export_qdc_says_what_it_wrote() {
    let tmp = TempDir::new();
    let dir = started(&tmp, &["en"], 1);
    let out = tmp.path().join("codes.qdc");
    let o = bsb(&["export", "qdc", "--out", out.to_str().unwrap(), "--data", dir.join("data").to_str().unwrap()]);
    let text = text_of(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(out.is_file());
    let codes = read_csv(&dir.join("data/codebook.csv")).len();
    assert!(text.contains("wrote") && text.contains(&format!("{codes} codes")), "{text}");
}

#[test]
fn info_json_gives_languages_the_small_cell_limit_and_warnings() {
    let tmp = TempDir::new();
    let dir = started(&tmp, &["nb", "en"], 1);
    let (code, text) = run_in(&dir, &["info", "--json"]);
    assert_eq!(code, Some(0), "{text}");
    let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(v["languages"], serde_json::json!(["nb", "en"]));
    assert_eq!(v["small_cell_k"], 3);
    assert!(v["warnings"].is_array());
}

#[test]
fn build_explain_leads_with_the_input_that_changed() {
    let tmp = TempDir::new();
    let dir = started(&tmp, &["en"], 1);
    let ex = dir.join("data/excerpts.csv");
    let text = fs::read_to_string(&ex).unwrap();
    let line = text.lines().nth(1).unwrap().to_string();
    fs::write(&ex, text.replacen(&line, &format!("{line} (edited)"), 1)).unwrap();
    let log = build_explain(&dir.join("data"), &dir);
    let first = log.lines().next().unwrap_or_default();
    assert!(first.contains("changed") && first.contains("data/excerpts.csv"), "{log}");
    assert!(
        !log.lines().any(|l| l.starts_with("same ") && l.contains("report/tables/")),
        "no list of same files: {log}"
    );
}

#[test]
fn a_translation_whose_source_changed_is_listed_until_accepted() {
    let tmp = TempDir::new();
    let dir = started(&tmp, &["nb", "en"], 1);
    let en = dir.join("data/prose/en/method.typ");
    let (code, text) = run_in(&dir, &["check", "--accept", "data/prose/en/method.typ"]);
    assert_eq!(code, Some(0), "{text}");
    let marked = fs::read_to_string(&en).unwrap();
    let mark_line = marked.lines().position(|l| l.starts_with("// translates nb ¶1 ")).expect("a marker") + 1;
    // The Bokmål source's first paragraph is edited; the English is not.
    let nb = dir.join("data/prose/nb/method.typ");
    let source = fs::read_to_string(&nb).unwrap();
    let first = source.lines().find(|l| !l.trim().is_empty()).unwrap().to_string();
    fs::write(&nb, source.replacen(&first, &format!("Ein ny setning om utvalet. {first}"), 1)).unwrap();
    let (code, text) = run_in(&dir, &["check"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains(&format!("data/prose/en/method.typ:{mark_line}:")), "{text}");
    assert!(text.contains("Ein ny setning om utvalet."), "the source's new wording: {text}");
    assert!(text.contains("data/prose/nb/method.typ"), "{text}");
    let (code, text) = run_in(&dir, &["check", "--accept", &format!("data/prose/en/method.typ:{mark_line}")]);
    assert_eq!(code, Some(0), "accepted, the translation is current: {text}");
}

#[test]
fn the_starter_study_shows_counts_and_excerpts() {
    let tmp = TempDir::new();
    let dir = started(&tmp, &["en"], 1);
    let text = pdf::text(&pdf_of(&dir, "en")).split_whitespace().collect::<Vec<_>>().join(" ");
    let excerpts = read_csv(&dir.join("data/excerpts.csv"));
    let shown = excerpts.iter().filter(|r| {
        let start: Vec<&str> = r["text_en"].split_whitespace().take(5).collect();
        text.contains(&start.join(" "))
    });
    assert!(shown.count() > 0, "an excerpt is printed: {text}");
    // Each theme's participants, counted from the file: at least k, so the count prints.
    for theme in ["T01", "T02"] {
        let people: std::collections::BTreeSet<&str> = excerpts
            .iter()
            .filter(|r| r["codes"].split(';').any(|c| c.starts_with(theme)))
            .map(|r| r["participant"].as_str())
            .collect();
        assert!(people.len() >= 3, "{theme}: {} people", people.len());
    }
    assert!(!text.contains("fewer than 3 participants"), "no theme's count is hidden: {text}");
}

/// An excerpt's English text records which Bokmål wording it translates (`translates_en`);
/// `check` names the row, the column and the new wording once the Bokmål changes, and is
/// content again when the marker is brought up to date.
#[test]
fn a_stale_excerpt_translation_is_named_with_its_row_and_new_wording() {
    let tmp = TempDir::new();
    let dir = started(&tmp, &["nb", "en"], 2);
    let file = dir.join("data/excerpts.csv");
    let original = fs::read_to_string(&file).unwrap();
    let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
    lines[0].push_str(",translates_en");
    for l in lines.iter_mut().skip(1) {
        l.push_str(",nb 00000000");
    }
    fs::write(&file, lines.join("\n") + "\n").unwrap();
    let (code, text) = run_in(&dir, &["check"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("excerpts.csv:2") && text.contains("translates_en"), "{text}");
    // The message gives the marker for the wording as it is now; with it, the row is current.
    let fresh = |text: &str, line: usize| -> String {
        let at = text.lines().find(|l| l.contains(&format!("excerpts.csv:{line}"))).unwrap_or_else(|| panic!("{text}"));
        let start = at.find("write `").unwrap() + "write `".len();
        at[start..start + at[start..].find('`').unwrap()].to_string()
    };
    let marks: Vec<String> = (2..lines.len() + 1).map(|n| fresh(&text, n)).collect();
    for (l, m) in lines.iter_mut().skip(1).zip(&marks) {
        *l = format!("{},{m}", l.rsplit_once(',').unwrap().0);
    }
    fs::write(&file, lines.join("\n") + "\n").unwrap();
    let (_, text) = run_in(&dir, &["check"]);
    assert!(!text.contains("stale"), "{text}");
    // The Bokmål of the first excerpt is edited; only its row is stale, with its new words.
    let edited = lines[1].replacen(",T01.1,", ",T01.1,Helt ny ordlyd. ", 1);
    assert_ne!(edited, lines[1], "the first excerpt is coded T01.1");
    lines[1] = edited;
    fs::write(&file, lines.join("\n") + "\n").unwrap();
    let (code, text) = run_in(&dir, &["check"]);
    assert_eq!(code, Some(1), "{text}");
    let stale: Vec<&str> = text.lines().filter(|l| l.contains("is stale") || l.contains("stale:")).collect();
    assert_eq!(stale.len(), 1, "{text}");
    assert!(stale[0].contains("excerpts.csv:2") && stale[0].contains("Helt ny ordlyd"), "{text}");
}
