//! Any study, any shape, any language (issue 14): studies made with `bsb new` in several
//! shapes and languages build with no reference-study word in their PDFs, no overlapping
//! text, and plurals and number words computed here, independently of the program.

use crate::common::*;

/// The skeleton words that belong to the reference study, taken from its data: every word
/// it sets in data/words/, and its titles, model and region names from data/study.toml.
fn reference_words() -> Vec<String> {
    let mut out = Vec::new();
    for e in fs::read_dir(root().join("data/words")).unwrap() {
        let t: toml::Table = fs::read_to_string(e.unwrap().path()).unwrap().parse().unwrap();
        for v in t["words"].as_table().unwrap().values() {
            out.push(v.as_str().unwrap().to_string());
        }
    }
    let s: toml::Table = fs::read_to_string(root().join("data/study.toml")).unwrap().parse().unwrap();
    let texts = |t: &toml::Table, prefixes: &[&str], out: &mut Vec<String>| {
        for (k, v) in t {
            if prefixes.iter().any(|p| k.starts_with(p)) {
                if let Some(v) = v.as_str() {
                    out.push(v.to_string());
                }
            }
        }
    };
    texts(&s, &["title_", "subtitle_", "short_title_", "commissioner_", "excerpt_notice_"], &mut out);
    for m in s["model"].as_array().unwrap() {
        texts(m.as_table().unwrap(), &["name_", "description_"], &mut out);
    }
    for r in s["region"].as_array().unwrap() {
        texts(r.as_table().unwrap(), &["name_"], &mut out);
    }
    out.sort();
    out.dedup();
    out
}

/// A PDF's running text with line-end hyphens removed, for finding sentences.
fn text_of_pdf(path: &Path) -> String {
    pdf::loose(&pdf::raw_text(path))
}

/// Number words and nouns as the style guides give them, written out here by hand.
fn in_words(lang: &str, n: usize, gender: &str) -> String {
    let nb = ["null", "én", "to", "tre", "fire", "fem", "seks", "sju", "åtte", "ni", "ti", "elleve", "tolv"];
    let nn = ["null", "éin", "to", "tre", "fire", "fem", "seks", "sju", "åtte", "ni", "ti", "elleve", "tolv"];
    let en = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
    match (lang, n, gender) {
        ("nb", 1, "n") => "ett".into(),
        ("nn", 1, "n") => "eitt".into(),
        ("nn", 1, "f") => "éi".into(),
        ("nb", _, _) if n < nb.len() => nb[n].into(),
        ("nn", _, _) if n < nn.len() => nn[n].into(),
        ("en", _, _) if n < en.len() => en[n].into(),
        _ => n.to_string(),
    }
}

/// A noun's form for a count, by hand: (singular, plural, gender) per language.
fn noun(lang: &str, what: &str) -> (&'static str, &'static str, &'static str) {
    match (lang, what) {
        ("nb", "interview") => ("intervju", "intervjuer", "n"),
        ("nb", "participant") => ("deltaker", "deltakere", "m"),
        ("nb", "region") => ("helseregion", "helseregioner", "m"),
        ("nb", "individual") => ("eneintervju", "eneintervjuer", "n"),
        ("nb", "group") => ("gruppeintervju", "gruppeintervjuer", "n"),
        ("nn", "interview") => ("intervju", "intervju", "n"),
        ("nn", "participant") => ("deltakar", "deltakarar", "m"),
        ("nn", "region") => ("helseregion", "helseregionar", "m"),
        ("nn", "individual") => ("einskildintervju", "einskildintervju", "n"),
        ("nn", "group") => ("gruppeintervju", "gruppeintervju", "n"),
        (_, "interview") => ("interview", "interviews", ""),
        (_, "participant") => ("participant", "participants", ""),
        (_, "region") => ("health region", "health regions", ""),
        (_, "individual") => ("individual interview", "individual interviews", ""),
        _ => ("group interview", "group interviews", ""),
    }
}

/// The method chapter's sentence about the sample of a `bsb new` study (per unit one
/// individual interview and one group of three), written out here: counts in one sentence
/// are all words (up to twelve in Norwegian, nine in English) or all numerals.
fn sample_sentence(lang: &str, regions: usize, models: usize) -> String {
    let units = regions * models;
    let counts = [
        ("interview", 2 * units),
        ("participant", 4 * units),
        ("region", regions),
        ("individual", units),
        ("group", units),
    ];
    let limit = if lang == "en" { 9 } else { 12 };
    let words = counts.iter().all(|(_, n)| *n <= limit);
    let say: Vec<String> = counts
        .iter()
        .map(|(what, n)| {
            let (one, other, gender) = noun(lang, what);
            let number = if words { in_words(lang, *n, gender) } else { n.to_string() };
            format!("{number} {}", if *n == 1 { one } else { other })
        })
        .collect();
    match lang {
        "nb" => format!("Utvalget består av {} med {} i {}, {} og {}.", say[0], say[1], say[2], say[3], say[4]),
        "nn" => format!("Utvalet består av {} med {} i {}, {} og {}.", say[0], say[1], say[2], say[3], say[4]),
        _ => format!("The sample consists of {} with {} in {}: {} and {}.", say[0], say[1], say[2], say[3], say[4]),
    }
}

fn models_heading(lang: &str, n: usize) -> String {
    match (lang, n) {
        ("nb", 1) | ("nn", 1) => "Organisasjonsmodellen".into(),
        ("en", 1) => "The organisational model".into(),
        ("nb", _) => format!("De {} organisasjonsmodellene", in_words("nb", n, "m")),
        ("nn", _) => format!("Dei {} organisasjonsmodellane", in_words("nn", n, "m")),
        _ => format!("The {} organisational models", in_words("en", n, "m")),
    }
}

/// `bsb new` into a fresh directory; returns the directory (kept with the TempDir).
fn new_study(tmp: &TempDir, langs: &[&str], regions: usize, models: usize) -> PathBuf {
    let dir = tmp.path().join("study");
    let mut args = vec!["-q".to_string(), "new".into(), dir.display().to_string()];
    for l in langs {
        args.extend(["--lang".to_string(), l.to_string()]);
    }
    args.extend(["--regions".into(), regions.to_string(), "--models".into(), models.to_string()]);
    let o = bsb(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "bsb new: {}", text_of(&o));
    dir
}

fn rebuild(dir: &Path) {
    build_into(&dir.join("data"), dir);
}

fn pdf_path(dir: &Path, lang: &str) -> PathBuf {
    dir.join(format!("report/out/example-study-0.1.0-{lang}.pdf"))
}

/// What every study must satisfy: each PDF exists, holds none of the reference study's
/// skeleton words, has no two words printed over each other, and counts regions and names
/// the models chapter as the language says.
fn check_pdfs(dir: &Path, langs: &[&str], regions: usize, models: usize) -> BTreeMap<String, String> {
    let reference = reference_words();
    assert!(reference.len() > 10, "the reference study's own words are found in its data");
    let mut texts = BTreeMap::new();
    for lang in langs {
        let pdf = pdf_path(dir, lang);
        let text = text_of_pdf(&pdf);
        for w in &reference {
            assert!(!text.contains(&pdf::loose(w)), "{lang}: the reference study's words print: {w}");
        }
        let overlaps = pdf::overlaps(&pdf, 0.5);
        assert!(overlaps.is_empty(), "{lang}: {} overlapping words, first {:?}", overlaps.len(), overlaps.first());
        if ["nb", "nn", "en"].contains(lang) {
            let phrase = sample_sentence(lang, regions, models);
            assert!(text.contains(&pdf::loose(&phrase)), "{lang}: expected “{phrase}”");
            let heading = models_heading(lang, models);
            assert!(text.contains(&heading), "{lang}: expected the heading “{heading}”");
        }
        texts.insert(lang.to_string(), text);
    }
    texts
}

#[test]
fn one_region_one_model_in_two_languages() {
    let tmp = TempDir::new();
    let dir = new_study(&tmp, &["nb", "en"], 1, 1);
    let texts = check_pdfs(&dir, &["nb", "en"], 1, 1);
    // The singular, with "one" by the noun's gender: "én helseregion", "ett eneintervju".
    assert!(texts["nb"].contains("én helseregion, ett eneintervju og ett gruppeintervju"), "nb singular");
    assert!(texts["en"].contains("in one health region: one individual interview and one group interview"));
    assert!(!texts["en"].contains("1 health regions") && !texts["en"].contains("one health regions"));
}

#[test]
fn five_regions_three_models_one_language() {
    let tmp = TempDir::new();
    let dir = new_study(&tmp, &["en"], 5, 3);
    let texts = check_pdfs(&dir, &["en"], 5, 3);
    assert!(
        texts["en"].contains("Key findings in Model A, Model B and Model C"),
        "the caption names the study's models"
    );
    assert!(!pdf_path(&dir, "nb").exists(), "one language, one PDF");
}

#[test]
fn six_models_with_long_labels_fit_without_overlap() {
    let tmp = TempDir::new();
    let dir = new_study(&tmp, &["nb"], 2, 6);
    // Long model names with a long compound word, and a long theme label.
    let study = dir.join("data/study.toml");
    let mut s = fs::read_to_string(&study).unwrap();
    for c in ["A", "B", "C", "D", "E", "F"] {
        s = s.replace(
            &format!("short_nb = \"Modell {c}\""),
            &format!("short_nb = \"Modell {c}: brukermedvirkningsordningene i døgnbehandlingen\""),
        );
    }
    fs::write(&study, s).unwrap();
    let cb = dir.join("data/codebook.csv");
    let c = fs::read_to_string(&cb).unwrap().replace(
        "Informasjon om tilbudet",
        "Informasjon om tilbudet til pasienter og pårørende og samarbeidspartnere i kommunehelsetjenesten",
    );
    fs::write(&cb, c).unwrap();
    rebuild(&dir);
    let texts = check_pdfs(&dir, &["nb"], 2, 6);
    // Tables never break a word (no hyphenation in tables, columns at least as wide as their
    // longest word; running text may still hyphenate): the long word prints whole.
    assert!(texts["nb"].contains("brukermedvirkningsordningene"));
}

#[test]
fn bokmal_nynorsk_and_english_from_one_study() {
    let tmp = TempDir::new();
    let dir = new_study(&tmp, &["nb", "nn", "en"], 2, 2);
    let texts = check_pdfs(&dir, &["nb", "nn", "en"], 2, 2);
    // Each edition in its own words: Nynorsk is not Bokmål.
    assert!(texts["nn"].contains("Innleiing og bakgrunn") && !texts["nn"].contains("Innledning og bakgrunn"));
    assert!(texts["nb"].contains("Innledning og bakgrunn"));
    // typst is told the language (hyphenation, terms): the PDF's catalog says nn.
    let raw = String::from_utf8_lossy(&fs::read(pdf_path(&dir, "nn")).unwrap()).to_string();
    assert!(raw.contains("/Lang (nn)") || raw.contains("/Lang(nn)"), "the nn PDF declares its language");
}

#[test]
fn a_language_added_from_a_data_file() {
    let tmp = TempDir::new();
    let dir = new_study(&tmp, &["de"], 1, 1);
    let lang = dir.join("data/lang/de.toml");
    assert!(lang.exists(), "bsb new writes the words of a language it does not know");
    // Translate a few words: they print, with German number words and plural.
    let de = fs::read_to_string(&lang)
        .unwrap()
        .replace("findings = \"Findings\"", "findings = \"Ergebnisse\"")
        .replace("words = [\"zero\", \"one\", \"two\",", "words = [\"null\", \"eins\", \"zwei\",")
        .replace("\nand = \"and\"\n", "\nand = \"und\"\none = { f = \"eine\" }\n")
        .replace(
            "region = { one = \"health region\", other = \"health regions\" }",
            "region = { one = \"Gesundheitsregion\", other = \"Gesundheitsregionen\", gender = \"f\" }",
        );
    fs::write(&lang, &de).unwrap();
    rebuild(&dir);
    let text = text_of_pdf(&pdf_path(&dir, "de"));
    assert!(text.contains("Ergebnisse"), "a translated heading prints");
    assert!(text.contains("eine Gesundheitsregion"), "one, by the noun's gender, and the singular");
    check_pdfs(&dir, &["de"], 1, 1);
    // A word missing from the language file is an error naming the file and the key.
    fs::write(&lang, de.replace("summary = \"Summary\"\n", "")).unwrap();
    let o = bsb(&["build", "--data", dir.join("data").to_str().unwrap(), "--out", dir.to_str().unwrap()]);
    assert!(!o.status.success());
    let msg = text_of(&o);
    assert!(msg.contains("data/lang/de.toml") && msg.contains("words.summary"), "{msg}");
    // So is a word the program itself prints (a chart's label), reported with the other
    // at once: it never reaches a PDF as its key.
    let without = de.replace("summary = \"Summary\"\n", "").replace("survey_apart = \"No answer\"\n", "");
    assert_ne!(without.len() + "summary = \"Summary\"\n".len(), de.len(), "both words were there");
    fs::write(&lang, without).unwrap();
    let o = bsb(&["check", "--data", dir.join("data").to_str().unwrap(), "--out", dir.to_str().unwrap()]);
    assert!(!o.status.success());
    let msg = text_of(&o);
    assert!(msg.contains("data/lang/de.toml") && msg.contains("words.summary"), "{msg}");
    let line = msg.lines().find(|l| l.contains("words.survey_apart")).unwrap_or_else(|| panic!("{msg}"));
    assert!(line.contains("data/lang/de.toml") && line.contains("the program itself prints"), "{msg}");
    assert!(!msg.contains("[survey_apart]"), "{msg}");
}

#[test]
fn an_unknown_word_in_the_study_words_is_an_error_with_its_line() {
    let tmp = TempDir::new();
    let dir = new_study(&tmp, &["en"], 1, 1);
    let words = dir.join("data/words");
    fs::create_dir_all(&words).unwrap();
    fs::write(words.join("en.toml"), "[words]\nmodels = \"How the work is organised\"\nmodles = \"typo\"\n").unwrap();
    let o = bsb(&["check", "--data", dir.join("data").to_str().unwrap(), "--out", dir.to_str().unwrap()]);
    assert!(!o.status.success());
    let msg = text_of(&o);
    assert!(msg.contains("data/words/en.toml:3") && msg.contains("words.modles"), "{msg}");
    fs::write(words.join("en.toml"), "[words]\nmodels = \"How the work is organised\"\n").unwrap();
    rebuild(&dir);
    let text = text_of_pdf(&pdf_path(&dir, "en"));
    assert!(text.contains("How the work is organised"), "the study's own word replaces the skeleton's");
}

#[test]
fn bsb_new_builds_and_checks_from_any_directory() {
    let tmp = TempDir::new();
    let dir = new_study(&tmp, &["nb", "en"], 1, 1);
    for name in ["README.md", "data/study.toml", "data/prose/nb/method.typ", "data/prose/en/method.typ"] {
        assert!(dir.join(name).exists(), "{name}");
    }
    for l in ["nb", "en"] {
        assert!(pdf_path(&dir, l).exists(), "built at once: {l}");
    }
    let data = dir.join("data");
    for cwd in [tmp.path().to_path_buf(), data.clone(), std::env::temp_dir()] {
        let o = bsb_command().args(["check", "--data", data.to_str().unwrap()]).current_dir(&cwd).output().unwrap();
        assert!(o.status.success(), "check from {}: {}", cwd.display(), text_of(&o));
    }
    // Every value the prose may use is shown once in the example prose.
    let prose: String = ["method", "findings", "models", "recommendations"]
        .iter()
        .map(|c| fs::read_to_string(data.join(format!("prose/en/{c}.typ"))).unwrap())
        .collect();
    for v in [
        "n.regions",
        "n.units",
        "n.models",
        "n.interviews",
        "n.individual_interviews",
        "n.group_interviews",
        "n.participants",
        "n.excerpts",
        "n.themes",
        "n.subthemes",
        "n.traits",
        "n.factors",
        "n.recommendations",
        "n.events",
        "n.notes",
        "k",
        "model.M1.participants",
        "model.M1.interviews",
    ] {
        assert!(prose.contains(&format!("{{{{ {v}")), "example prose shows {v}");
    }
}
