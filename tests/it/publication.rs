//! The reference study as a publication: each PDF carries an edition statement, a colophon,
//! a reference list, both summaries and lists of tables and figures, and no internal string
//! (id, key, file name, path, backtick) or word of the other language's skeleton reaches a
//! reader. Expected strings are read here from `data/` and the language files, not from
//! the program's output.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use std::path::{Path, PathBuf};

use crate::common::{bsb, expect_failure, pdf, read_csv, reference_build, root, text_of, TempDir};

/// A copy of the reference study's data, edited by `edit`, in a temporary directory.
fn edited_reference(edit: impl FnOnce(&Path)) -> (TempDir, PathBuf) {
    fn copy(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for e in fs::read_dir(from).unwrap() {
            let p = e.unwrap().path();
            let target = to.join(p.file_name().unwrap());
            if p.is_dir() {
                copy(&p, &target);
            } else {
                fs::copy(&p, &target).unwrap();
            }
        }
    }
    let tmp = TempDir::new();
    let data = tmp.path().join("data");
    copy(&root().join("data"), &data);
    edit(&data);
    (tmp, data)
}

fn words(lang: &str) -> BTreeMap<String, String> {
    let t: toml::Table = fs::read_to_string(root().join(format!("report/lang/{lang}.toml"))).unwrap().parse().unwrap();
    t["words"].as_table().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())).collect()
}

fn study() -> toml::Table {
    fs::read_to_string(root().join("data/study.toml")).unwrap().parse().unwrap()
}

fn pdf_text(lang: &str) -> String {
    pdf::flat(&pdf::raw_text(&reference_build().join(format!("report/out/bsb-legemiddelfrie-tilbud-1.0.0-{lang}.pdf"))))
}

/// The edition's own text: everything but the other language's summary, which runs from
/// its heading to this edition's table of contents.
fn own_text(lang: &str, other: &str) -> String {
    let text = pdf_text(lang);
    let start = text.find(&words(other)["summary_in_language"]).expect("the other language's summary");
    let end = start + text[start..].find(&words(lang)["contents"]).expect("contents after the summaries");
    format!("{} {}", &text[..start], &text[end..])
}

#[test]
fn each_pdf_carries_edition_colophon_references_both_summaries_and_lists() {
    let s = study();
    let edition = s["edition"].as_table().unwrap();
    for (lang, other) in [("nb", "en"), ("en", "nb")] {
        let text = pdf_text(lang);
        let w = words(lang);
        for key in ["this_edition", "colophon", "references", "list_tables", "list_figures", "how_to_cite", "licence"] {
            assert!(text.contains(&w[key]), "{lang}: {key} `{}`", w[key]);
        }
        assert!(text.contains(&w["summary"]), "{lang}: its own summary");
        assert!(text.contains(&words(other)["summary_in_language"]), "{lang}: the {other} summary");
        for key in ["publisher", "editor", "relation"] {
            let v = edition[&format!("{key}_{lang}")].as_str().unwrap();
            assert!(text.contains(&pdf::flat(v)), "{lang}: edition {key} `{v}`");
        }
        assert!(text.contains(edition["report_number"].as_str().unwrap()), "{lang}: report number");
        // The original is cited in full with its own year, never this edition's date.
        assert!(text.contains("mitt liv, mitt valg!") && text.contains("(2020)"), "{lang}: the original in full");
        assert!(!text.contains("30. juni 2020") && !text.contains("30 June 2020"), "{lang}: an invented date");
        // Every bibliography entry is listed: each author–year pair of a cited work.
        assert!(text.contains("Chamberlin, J. (1978)"), "{lang}: reference list entry");
    }
}

/// Each entry's own title and DOI as `data/references.yml` writes them, read here line by
/// line: a field indented once under an entry's key (a journal's title, indented deeper
/// under `parent`, is not the entry's).
fn reference_fields(field: &str) -> Vec<(String, String)> {
    let mut key = String::new();
    let mut out = Vec::new();
    let unquote = |v: &str| v.trim().trim_matches('"').to_string();
    for line in fs::read_to_string(root().join("data/references.yml")).unwrap().lines() {
        if let Some(k) = line.strip_suffix(':').filter(|k| !k.starts_with([' ', '#'])) {
            key = k.to_string();
        } else if let Some(v) = line.strip_prefix(&format!("  {field}: ")) {
            out.push((key.clone(), unquote(v)));
        } else if let Some(doi) = line.strip_prefix("  serial-number: { doi: ").filter(|_| field == "doi") {
            out.push((key.clone(), unquote(doi.trim_end_matches('}'))));
        }
    }
    out
}

#[test]
fn the_reference_list_prints_every_title_and_doi_and_no_stop_after_a_titles_own_mark() {
    let titles = reference_fields("title");
    let dois = reference_fields("doi");
    assert!(titles.iter().any(|(_, t)| t.ends_with(['?', '!'])), "a title that ends in its own mark");
    assert!(!dois.is_empty(), "entries with a DOI");
    let plain = |s: &str| s.replace('’', "'");
    for lang in ["nb", "en"] {
        // Without hyphens on both sides: typst may break a title's word at a line end.
        let text = plain(&pdf::loose(&pdf_text(lang)));
        let joined: String = plain(&pdf_text(lang)).split_whitespace().collect();
        for (key, title) in &titles {
            let title = plain(&pdf::loose(title));
            assert!(text.contains(&title), "{lang}: {key}'s title `{title}`");
            if title.ends_with(['?', '!']) {
                // APA: a title's own mark ends it; no full stop is added after it.
                assert!(!text.contains(&format!("{title}.")), "{lang}: {key}: a full stop after `{title}`");
            }
        }
        for (key, doi) in &dois {
            assert!(joined.contains(&format!("https://doi.org/{doi}")), "{lang}: {key}'s DOI {doi}");
        }
    }
}

#[test]
fn the_pdf_dates_are_the_editions() {
    let date = study()["date"].as_str().unwrap().replace('-', "");
    for lang in ["nb", "en"] {
        let bytes =
            fs::read(reference_build().join(format!("report/out/bsb-legemiddelfrie-tilbud-1.0.0-{lang}.pdf"))).unwrap();
        let raw = String::from_utf8_lossy(&bytes);
        assert!(raw.contains(&format!("D:{date}")) || raw.contains(&date[..4]), "{lang}: creation date {date}");
        assert!(!raw.contains("D:20200630"), "{lang}: the original's invented date as the PDF's");
    }
}

/// Every id and key in `data/`: the `id`, `topic`, `metric`, `source`, `set` columns of every
/// table, interview and participant ids of the excerpts, the ids of study.toml's tables,
/// and the bibliography's keys. Plain words (a region `vest`, a share `women`) are left
/// out: only strings shaped like keys (with a digit, `-`, `_` or `.`) are searched.
fn internal_strings() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![root().join("data")];
    while let Some(dir) = stack.pop() {
        for e in fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "csv") {
                for row in read_csv(&p) {
                    for col in ["id", "topic", "metric", "source", "set", "interview", "participant", "trait", "codes"]
                    {
                        if let Some(v) = row.get(col) {
                            out.extend(v.split(';').map(|s| s.trim().to_string()));
                        }
                    }
                }
            }
        }
    }
    for (_, v) in study() {
        if let Some(items) = v.as_array() {
            for t in items.iter().filter_map(|i| i.as_table()) {
                if let Some(id) = t.get("id").and_then(|i| i.as_str()) {
                    out.insert(id.to_string());
                }
            }
        }
    }
    for line in fs::read_to_string(root().join("data/references.yml")).unwrap().lines() {
        if let Some(key) = line.strip_suffix(':').filter(|k| !k.starts_with([' ', '#'])) {
            out.insert(key.to_string());
        }
    }
    out.into_iter().filter(|s| s.len() > 1 && s.contains(|c: char| c.is_ascii_digit() || "-_.".contains(c))).collect()
}

/// `needle` as a whole token of `text` (not inside a longer word, number or key).
fn holds_token(text: &str, needle: &str) -> bool {
    let part = |c: char| c.is_alphanumeric() || "-_.".contains(c);
    text.match_indices(needle).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let mut rest = text[i + needle.len()..].chars();
        let after = rest.next();
        // A full stop right after ends a sentence unless a word or number goes on.
        let ends = match after {
            None => true,
            Some('.') => !rest.next().is_some_and(char::is_alphanumeric),
            Some(c) => !part(c),
        };
        !before.is_some_and(part) && ends
    })
}

#[test]
fn no_internal_string_or_other_language_word_reaches_a_reader() {
    let internal = internal_strings();
    // The test must be able to fail: the set holds the kinds of strings the issue names.
    for sample in ["I13", "E042", "T01.2", "region.nord.individual", "unn-gender", "letter2023", "kbt2020"] {
        assert!(internal.contains(sample), "the scan covers `{sample}`");
    }
    for (lang, other) in [("nb", "en"), ("en", "nb")] {
        let text = own_text(lang, other);
        let found: Vec<&String> = internal.iter().filter(|id| holds_token(&text, id)).collect();
        assert!(found.is_empty(), "{lang} PDF shows internal ids or keys: {found:?}");
        for leftover in ["`", ".csv", ".toml", ".typ", ".yml", "data/", "report/", "manifest.json", "{{", "[cap_"] {
            assert!(!text.contains(leftover), "{lang} PDF shows `{leftover}`");
        }
        let (ours, theirs) = (words(lang), words(other));
        for (key, phrase) in &theirs {
            // A word of the other skeleton that this language does not share, long enough
            // to be its own (short words like "Status" are the same in both).
            if &ours[key] != phrase
                && phrase.chars().count() > 8
                && !phrase.contains('{')
                && !key.starts_with("alt_")
                // The other summary's heading is also its entry in the contents.
                && key != "summary_in_language"
            {
                assert!(!text.contains(phrase.as_str()), "{lang} PDF holds `{phrase}` ({key}) of {other}");
            }
        }
    }
    // The other language's quotation marks stay out of the English edition.
    let en = own_text("en", "nb");
    assert!(!en.contains('«') && !en.contains('»'), "en PDF holds Norwegian quotation marks");
}

#[test]
fn the_unn_slide_category_reads_as_still_on_regular_use_at_the_end_of_the_stay() {
    let shares = read_csv(&root().join("data/context/shares.csv"));
    let first = shares.iter().find(|r| r["set"] == "unn-antipsychotics-stay" && r["value"] == "41").unwrap();
    let label = first["label_en"].to_lowercase();
    assert!(label.contains("still") && label.contains("stay ended"), "{first:?}");
    assert!(!first["label_en"].contains("ended during"), "{:?}", first);
    // The label reaches the English PDF (a table cell may wrap, so its first words), and
    // the old reading does not.
    let en = pdf_text("en");
    let start: Vec<&str> = first["label_en"].split_whitespace().take(5).collect();
    assert!(en.contains(&start.join(" ")), "the label reaches the English PDF");
    assert!(!en.contains("ended during the stay"), "the old reading is gone");
}

#[test]
fn an_unknown_citation_key_fails_the_build_naming_the_prose_file_and_line() {
    let (_tmp, data) = edited_reference(|d| {
        let p = d.join("prose/nb/method.typ");
        let mut text = fs::read_to_string(&p).unwrap();
        text.push_str("\nEn setning med en ukjent kilde @ingen2099.\n");
        fs::write(&p, text).unwrap();
    });
    let lines = fs::read_to_string(data.join("prose/nb/method.typ")).unwrap().lines().count();
    expect_failure(&data, &[&format!("prose/nb/method.typ:{lines}"), "ingen2099"]);
}

#[test]
fn a_citation_typed_as_text_fails_the_build() {
    let (_tmp, data) = edited_reference(|d| {
        let p = d.join("prose/en/method.typ");
        let text = fs::read_to_string(&p).unwrap() + "\nA claim (Nobody, 2011).\n";
        fs::write(&p, text).unwrap();
    });
    expect_failure(&data, &["prose/en/method.typ", "(Nobody, 2011)"]);
}

/// Evidence of a trait, counted here: excerpts coded to one of its codes or to a code
/// below one of them, by model (through interview → unit → model).
#[test]
fn trait_counts_are_the_excerpts_of_their_subthemes_and_check_flags_identical_evidence() {
    let data = root().join("data");
    let parents: BTreeMap<String, String> = fs::read_dir(data.join("codebook"))
        .unwrap()
        .flat_map(|f| read_csv(&f.unwrap().path()))
        .map(|c| (c["id"].clone(), c["parent"].clone()))
        .collect();
    let under = |code: &str, node: &str| {
        let mut c = code.to_string();
        loop {
            if c == node {
                return true;
            }
            match parents.get(&c) {
                Some(p) if !p.is_empty() => c = p.clone(),
                _ => return false,
            }
        }
    };
    let excerpts: Vec<_> =
        fs::read_dir(data.join("excerpts")).unwrap().flat_map(|f| read_csv(&f.unwrap().path())).collect();
    let traits = read_csv(&data.join("traits.csv"));
    let mut sets = Vec::new();
    for t in &traits {
        let codes: Vec<&str> = t["codes"].split(';').collect();
        // Every trait rests on subthemes, not on whole themes.
        assert!(codes.iter().all(|c| !parents[*c].is_empty()), "trait {} links a whole theme", t["id"]);
        let set: BTreeSet<String> = excerpts
            .iter()
            .filter(|e| e["codes"].split(';').any(|c| codes.iter().any(|n| under(c, n))))
            .map(|e| e["id"].clone())
            .collect();
        sets.push(set);
    }
    // No two traits share all their evidence in the reference study (the 2020 slip).
    for i in 0..sets.len() {
        for j in 0..i {
            assert_ne!(
                sets[i], sets[j],
                "traits {} and {} rest on the same excerpts",
                traits[i]["id"], traits[j]["id"]
            );
        }
    }
    let table = read_csv(&reference_build().join("report/tables/model-matrix.csv"));
    for (t, set) in traits.iter().zip(&sets) {
        let row = table.iter().find(|r| r["id"] == t["id"]).unwrap();
        let shown: u64 = ["excerpts_M1", "excerpts_M2"].iter().filter_map(|c| row[*c].parse::<u64>().ok()).sum();
        assert!(shown <= set.len() as u64, "trait {}: {shown} shown, {} in its subthemes", t["id"], set.len());
    }

    // Two traits on the same subthemes: `bsb check` flags the second, naming file and line.
    let (tmp, data) = edited_reference(|d| {
        let p = d.join("traits.csv");
        let text = fs::read_to_string(&p).unwrap();
        let first = text.lines().nth(1).unwrap().rsplit(',').next().unwrap().to_string();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let (head, _) = lines[2].rsplit_once(',').unwrap();
        lines[2] = format!("{head},{first}");
        fs::write(&p, lines.join("\n") + "\n").unwrap();
    });
    // A warning: the build goes on and says it.
    let out = bsb(&["build", "--data", data.to_str().unwrap(), "--out", tmp.path().join("out").to_str().unwrap()]);
    let said = text_of(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("traits.csv:3") && said.contains(&traits[1]["id"]), "{said}");
}
