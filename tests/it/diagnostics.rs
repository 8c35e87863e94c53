//! Errors an analyst can act on: each planted mistake is named with its file, line and
//! column, the value or name at fault, the source line with a caret, and the nearest valid
//! name; a root cause comes before what follows from it; `check` fails where `build` does.

use crate::common::*;

/// `bsb new` into a fresh directory (built once by `new`); returns the study's folder.
pub fn started(tmp: &TempDir, langs: &[&str], regions: usize) -> PathBuf {
    let dir = tmp.path().join("study");
    let mut args = vec!["-q".to_string(), "new".into(), dir.display().to_string()];
    for l in langs {
        args.extend(["--lang".to_string(), l.to_string()]);
    }
    args.extend(["--regions".into(), regions.to_string()]);
    let o = bsb(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "bsb new: {}", text_of(&o));
    dir
}

/// `bsb COMMAND --data DIR/data --out DIR` without colour (as piped), its output and exit code.
pub fn run_in(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let data = dir.join("data");
    let o = bsb_command()
        .args(args)
        .args(["--data", data.to_str().unwrap(), "--out", dir.to_str().unwrap()])
        .output()
        .expect("run bsb");
    (o.status.code(), text_of(&o))
}

/// The `--> file:line:column` places of an error text, in order.
fn places(text: &str) -> Vec<String> {
    text.lines().filter_map(|l| l.trim_start().strip_prefix("--> ")).map(str::to_string).collect()
}

/// 1-based column (in characters) of `needle` on line `line` (1-based) of `text`.
fn column(text: &str, line: usize, needle: &str) -> usize {
    let l = text.lines().nth(line - 1).unwrap();
    l[..l.find(needle).unwrap()].chars().count() + 1
}

#[test]
fn every_prose_error_in_every_file_at_once_with_snippet_and_nearest_name() {
    let tmp = TempDir::new();
    let dir = started(&tmp, &["nb", "en"], 2);
    let nb = "= Metode\nVi møtte {{ n.participant }} personer.\nDet var {{ n.regions|cuont(\"region\") }}.\nTil slutt {{ n.units }.\n";
    fs::write(dir.join("data/prose/nb/method.typ"), nb).unwrap();
    let en = "= Method\nWe met {{ n.participants }} people #(1 + .\n";
    fs::write(dir.join("data/prose/en/method.typ"), en).unwrap();

    let (code, text) = run_in(&dir, &["check"]);
    assert_eq!(code, Some(1), "{text}");
    let f = "data/prose/nb/method.typ";
    assert!(text.contains(&format!("{f}:2:{}", column(nb, 2, "n.participant"))), "line and column: {text}");
    assert!(text.contains("`n.participant` is not a value"), "{text}");
    assert!(text.contains("did you mean `n.participants`?"), "{text}");
    assert!(text.contains("2 | Vi møtte {{ n.participant }} personer."), "the source line: {text}");
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.contains("2 | Vi møtte")).unwrap();
    let (code_line, caret) = (lines[at], lines[at + 1]);
    let byte = code_line.find("n.participant").unwrap();
    assert_eq!(caret.chars().position(|c| c == '^'), Some(code_line[..byte].chars().count()), "{text}");
    assert!(caret.contains(&"^".repeat("n.participant".len())), "{text}");
    assert!(text.contains(&format!("{f}:3:")) && text.contains("`cuont` is not a filter"), "{text}");
    assert!(text.contains("did you mean `count`?"), "{text}");
    assert!(text.contains(&format!("{f}:4:")), "the template syntax error: {text}");
    assert!(text.contains("data/prose/en/method.typ:2:"), "the typst error in the other language: {text}");
    assert!(text.contains("data/prose/README.md") && text.contains("bsb values"), "where the values are: {text}");
    assert!(!text.contains('\x1b'), "no colour when piped");
    assert!(dir.join("data/prose/README.md").is_file(), "bsb new writes the README the hint names");

    // `build` fails on the same errors, at the same places.
    let (code, built) = run_in(&dir, &["build"]);
    assert_eq!(code, Some(1), "{built}");
    assert_eq!(places(&built), places(&text), "check and build agree:\n{text}\n---\n{built}");
    assert_eq!(places(&text).len(), 4, "{text}");
}

#[test]
fn check_typesets_in_memory_and_fails_on_an_unknown_label_in_prose() {
    let tmp = TempDir::new();
    let dir = started(&tmp, &["en"], 2);
    let before = all_files(&dir);
    let en = "= Method\nAs @tab-nothing shows, {{ n.participants }} people took part.\n";
    fs::write(dir.join("data/prose/en/method.typ"), en).unwrap();
    let (code, text) = run_in(&dir, &["check"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains(&format!("data/prose/en/method.typ:2:{}", column(en, 2, "@tab-nothing"))), "{text}");
    assert!(text.contains("tab-nothing"), "{text}");
    let mut after = all_files(&dir);
    after.remove("data/prose/en/method.typ");
    let mut before = before;
    before.remove("data/prose/en/method.typ");
    assert_eq!(after, before, "check wrote nothing");
    let (code, built) = run_in(&dir, &["build"]);
    assert_eq!(code, Some(1), "{built}");
    assert_eq!(places(&built), places(&text));
}

#[test]
fn a_wrong_language_code_is_the_root_cause_and_its_consequences_are_folded() {
    let tmp = TempDir::new();
    let dir = started(&tmp, &["nb", "en"], 2);
    let toml = dir.join("data/study.toml");
    fs::write(
        &toml,
        fs::read_to_string(&toml).unwrap().replace("languages = [\"nb\", \"en\"]", "languages = [\"no\", \"en\"]"),
    )
    .unwrap();
    let (code, text) = run_in(&dir, &["check"]);
    assert_eq!(code, Some(1), "{text}");
    let first = text.lines().next().unwrap();
    assert!(first.contains("`no` is not a language this study has"), "the cause comes first: {text}");
    assert!(first.contains("nb, nn, en") && first.contains("data/lang/"), "{text}");
    assert!(first.contains("did you mean `nb`?"), "{text}");
    let errors = text.lines().filter(|l| l.starts_with("error:")).count();
    assert!(errors <= 2, "the consequences are folded: {text}");
    assert!(text.contains("that follow from it; `--all` lists them"), "{text}");
    let (_, all) = run_in(&dir, &["--all", "check"]);
    let listed = all.lines().filter(|l| l.starts_with("error:")).count();
    assert!(listed > 10, "--all lists every error: {all}");
    assert!(text.contains(&format!("and {} error(s)", listed - errors)), "the count is right: {text}");

    fs::write(&toml, fs::read_to_string(&toml).unwrap().replace("\"no\"", "\"nb-NO\"")).unwrap();
    let (_, text) = run_in(&dir, &["check"]);
    assert!(text.lines().next().unwrap().contains("`nb-NO` is not a language code"), "{text}");
    assert!(text.contains("did you mean `nb`?"), "{text}");
}

#[test]
fn wrong_ids_keys_commands_and_flags_get_the_nearest_valid_name() {
    let tmp = TempDir::new();
    let dir = started(&tmp, &["nb", "en"], 2);
    let ex = dir.join("data/excerpts.csv");
    let text = fs::read_to_string(&ex).unwrap();
    let line = text.lines().position(|l| l.contains(",T01.1,")).unwrap() + 1;
    fs::write(&ex, text.replacen(",T01.1,", ",t01.1,", 1)).unwrap();
    let toml = dir.join("data/study.toml");
    let t = fs::read_to_string(&toml).unwrap();
    let key_line = t.lines().position(|l| l.starts_with("small_cell_k")).unwrap() + 1;
    fs::write(&toml, t.replace("small_cell_k = 3", "smal_cell_k = 3")).unwrap();
    let (code, out) = run_in(&dir, &["check"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains(&format!("data/excerpts.csv:{line}: field `codes`")), "{out}");
    assert!(out.contains("did you mean `T01.1`?"), "{out}");
    assert!(out.contains(&format!("data/study.toml:{key_line}: field `smal_cell_k`")), "{out}");
    assert!(out.contains("did you mean `small_cell_k`?"), "{out}");
    assert!(!out.contains("the keys here are"), "no dump of every key: {out}");

    let o = bsb(&["biuld"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text_of(&o).contains("did you mean `build`?"), "{}", text_of(&o));
    let o = bsb(&["build", "--explian"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text_of(&o).contains("did you mean `--explain`?"), "{}", text_of(&o));
}

#[test]
fn csv_errors_name_the_column_and_an_unquoted_list_is_told_to_quote() {
    let tmp = TempDir::new();
    let dir = started(&tmp, &["nb", "en"], 1);
    let ex = dir.join("data/excerpts.csv");
    let text = fs::read_to_string(&ex).unwrap();
    // As Norwegian Excel saves it: `;` between fields; one list left unquoted, one quote
    // inside a text that is not quoted.
    let semi: Vec<String> = text
        .lines()
        .map(|l| {
            let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(l.as_bytes());
            r.records().next().unwrap().unwrap().iter().collect::<Vec<_>>().join(";")
        })
        .collect();
    let mut lines = semi.clone();
    lines[1] = lines[1].replacen(";T01.1;", ";T01.1;T02.1;", 1);
    let header: Vec<&str> = lines[0].split(';').collect();
    let text_nb = header.iter().position(|h| *h == "text_nb").unwrap();
    let mut cells: Vec<String> = lines[2].split(';').map(str::to_string).collect();
    cells[text_nb] = format!("a \"quoted\" {}", cells[text_nb]);
    lines[2] = cells.join(";");
    fs::write(&ex, lines.join("\n") + "\n").unwrap();
    let (code, out) = run_in(&dir, &["check"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("data/excerpts.csv:2:") && out.contains("\"T01.1;T02.1\""), "{out}");
    assert!(out.contains("double quotes"), "{out}");
    assert!(out.contains("data/excerpts.csv:3: field `text_nb`"), "the column by name: {out}");
}

#[test]
fn values_lists_what_prose_may_use_with_what_it_prints() {
    let tmp = TempDir::new();
    let dir = started(&tmp, &["nb", "en"], 2);
    let people: u64 =
        read_csv(&dir.join("data/interviews.csv")).iter().map(|r| r["participants"].parse::<u64>().unwrap()).sum();
    let o = bsb(&["values", "--lang", "en", "--data", dir.join("data").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text_of(&o));
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    let line = text.lines().find(|l| l.trim_start().starts_with("n.participants ")).expect("n.participants is listed");
    assert!(line.split_whitespace().last() == Some(people.to_string().as_str()), "{line}");
    assert!(text.contains("model.M1.participants"), "{text}");
    let o = bsb(&["values", "--lang", "eng", "--data", dir.join("data").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text_of(&o).contains("did you mean `en`?"), "{}", text_of(&o));
}
