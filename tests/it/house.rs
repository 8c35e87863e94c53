//! The house: configuration, the all-or-nothing store, errors with their paths, and
//! per-edition provenance. Each test sets up its own study copy and checks the files on
//! disk, not the program's own report of what it did.

use crate::common::*;

/// `bsb` run in `cwd` with extra environment, and without `SOURCE_DATE_EPOCH`.
fn bsb_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = bsb_command();
    c.args(args).current_dir(cwd).env_remove("SOURCE_DATE_EPOCH");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run bsb")
}

/// A copy of the reference study as `<dir>/data`.
fn reference_copy(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    copy_tree(&root().join("data"), &data);
    data
}

/// Every file under `dir` (relative path → bytes), without the lock file.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = all_files(dir);
    out.remove("report/.bsb.lock");
    out
}

fn ok(o: &Output) {
    assert!(o.status.success(), "bsb failed: {}", text_of(o));
}

#[test]
fn a_file_error_names_its_path_and_operation() {
    let tmp = TempDir::new();
    let dir = tmp.path().to_path_buf();
    // A path whose parent is a regular file cannot be created, whoever runs the test.
    fs::write(dir.join("plain"), "not a directory").unwrap();
    let out = dir.join("plain/out");
    let o = bsb_in(&root(), &["build", "--out", out.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text_of(&o));
    let text = text_of(&o);
    let named = out.join("report").display().to_string();
    assert!(text.contains(&named) && text.contains("failed to create directory"), "{text}");
    assert!(text.contains("Not a directory") && !text.contains("os error"), "{text}");
}

#[test]
fn a_bad_diff_format_is_a_usage_error() {
    let o = bsb_in(&root(), &["diff", "report/tables", "report/tables", "--format", "xml"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text_of(&o));
    let o = bsb_in(&root(), &["diff", "report/tables", "report/tables", "--format", "md"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text_of(&o));
}

#[test]
fn outputs_go_beside_the_data_from_any_working_directory() {
    let tmp = TempDir::new();
    let dir = tmp.path().to_path_buf();
    let study = dir.join("study");
    let data = reference_copy(&study);
    let elsewhere = dir.join("elsewhere");
    fs::create_dir_all(&elsewhere).unwrap();
    ok(&bsb_in(&elsewhere, &["-q", "build", "--data", "../study/data"], &[]));
    assert!(fs::read_dir(&elsewhere).unwrap().next().is_none(), "nothing is written into the working directory");
    let built = files(&study);
    for name in ["report/tables/participants.csv", "report/manifest.json", "figures/participants-by-region.en.svg"] {
        assert!(built.contains_key(name), "{name} beside the data: {:?}", built.keys().take(5).collect::<Vec<_>>());
    }
    assert_eq!(
        built["report/tables/participants.csv"],
        fs::read(root().join("report/tables/participants.csv")).unwrap(),
        "the same tables as the checkout's"
    );
    // `check` compares with the tables beside the data, wherever it runs from.
    for cwd in [&elsewhere, &dir, &root(), &data] {
        ok(&bsb_in(cwd, &["check", "--data", data.to_str().unwrap()], &[]));
    }
    // A stale table beside the data is found from anywhere, too.
    fs::write(study.join("report/tables/participants.csv"), "id\n").unwrap();
    let o = bsb_in(&root(), &["check", "--data", data.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text_of(&o).contains("report/tables/participants.csv"), "{}", text_of(&o));
}

#[test]
fn emit_typst_writes_even_when_the_build_is_skipped() {
    let tmp = TempDir::new();
    let dir = tmp.path().to_path_buf();
    let data = reference_copy(&dir);
    ok(&bsb_in(&dir, &["-q", "build", "--data", data.to_str().unwrap()], &[]));
    let before = files(&dir.join("report"));
    let emitted = dir.join("typst");
    let o = bsb_in(&dir, &["build", "--data", data.to_str().unwrap(), "--emit-typst", emitted.to_str().unwrap()], &[]);
    ok(&o);
    assert!(text_of(&o).contains("nothing changed"), "{}", text_of(&o));
    for lang in ["nb", "en"] {
        let main = fs::read_to_string(emitted.join(lang).join("main.typ")).unwrap();
        assert!(main.contains(&format!("lang: \"{lang}\"")), "{lang}: {}", &main[..200.min(main.len())]);
        let prose = emitted.join(lang).join("prose/method.typ");
        assert!(prose.is_file(), "{} is written", prose.display());
    }
    assert_eq!(files(&dir.join("report")), before, "a skipped build writes no output");
}

/// Make every output of a small study change: one more participant in a group interview
/// changes the tables, the figures and both PDFs.
fn change_every_output(data: &Path) {
    let path = data.join("interviews.csv");
    let text = fs::read_to_string(&path).unwrap();
    let edited = text.replacen("group,3", "group,4", 1);
    assert_ne!(edited, text, "the test edits the register");
    fs::write(&path, edited).unwrap();
}

#[test]
fn a_store_that_fails_between_renames_leaves_the_old_set_and_the_next_build_cleans_up() {
    let (tmp, data) = temp_study(2, 2, &["nb", "en"]);
    let dir = tmp.path().to_path_buf();
    let d = data.to_str().unwrap();
    ok(&bsb_in(&dir, &["-q", "build", "--data", d], &[]));
    let old = files(&dir);
    change_every_output(&data);
    let changed: BTreeMap<String, Vec<u8>> = {
        let other_tmp = TempDir::new();
        let other = other_tmp.path().to_path_buf();
        let new_data = other.join("data");
        copy_tree(&data, &new_data);
        ok(&bsb_in(&other, &["-q", "build", "--data", new_data.to_str().unwrap()], &[]));
        files(&other)
    };
    // The files a build switches: tables, figures, PDFs and the manifest (the state file
    // is written after the switch).
    let outputs_changed = changed
        .iter()
        .filter(|(k, v)| !k.starts_with("data/") && !k.ends_with(".bsb-state.json") && old.get(*k) != Some(*v))
        .count();
    assert!(outputs_changed >= 6, "the edit changes tables, figures and PDFs ({outputs_changed})");
    for n in [0, 1, 3, outputs_changed - 1] {
        let o = bsb_in(&dir, &["-q", "build", "--data", d], &[("BSB_FAIL_AFTER_RENAMES", &n.to_string())]);
        assert_eq!(o.status.code(), Some(1), "failure after {n} renames: {}", text_of(&o));
        let now = files(&dir);
        let outputs = |m: &BTreeMap<String, Vec<u8>>| -> BTreeMap<String, Vec<u8>> {
            m.iter().filter(|(k, _)| !k.starts_with("data/")).map(|(k, v)| (k.clone(), v.clone())).collect()
        };
        assert_eq!(outputs(&now), outputs(&old), "after a failure at rename {n} the old set is whole");
    }
    // A build killed half-way leaves a mix; the next build puts the old set back first
    // (seen by failing that build before its first rename), and removes stray files.
    let o = bsb_in(&dir, &["-q", "build", "--data", d], &[("BSB_KILL_AFTER_RENAMES", "3")]);
    assert!(!o.status.success());
    assert!(dir.join("report/.bsb-stage").exists(), "a killed build leaves its stage");
    fs::write(dir.join("report/tables/.participants.csv.tmp-4242"), "half").unwrap();
    fs::write(dir.join("figures/.x.svg.tmp-4242"), "half").unwrap();
    let o = bsb_in(&dir, &["-q", "build", "--data", d], &[("BSB_FAIL_AFTER_RENAMES", "0")]);
    assert_eq!(o.status.code(), Some(1), "{}", text_of(&o));
    let now = files(&dir);
    for (k, v) in &old {
        if !k.starts_with("data/") {
            assert_eq!(now.get(k), Some(v), "{k} is the old one again");
        }
    }
    let leftovers: Vec<&String> = now.keys().filter(|k| k.contains(".tmp-") || k.contains(".bsb-stage")).collect();
    assert!(leftovers.is_empty(), "nothing of the killed build is left: {leftovers:?}");
    // And a build that runs through gives the new set.
    ok(&bsb_in(&dir, &["-q", "build", "--data", d], &[]));
    let now = files(&dir);
    for (k, v) in &changed {
        if !k.starts_with("data/") && !k.ends_with(".bsb-state.json") {
            assert_eq!(now.get(k), Some(v), "{k} is the new one");
        }
    }
}

#[test]
fn an_english_edit_committed_or_not_leaves_the_norwegian_pdf_byte_identical() {
    let tmp = TempDir::new();
    let dir = tmp.path().to_path_buf();
    let data = reference_copy(&dir);
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "data"]);
    git(&dir, &["commit", "-q", "-m", "study"]);
    let d = data.to_str().unwrap();
    ok(&bsb_in(&dir, &["-q", "build", "--data", d], &[]));
    let pdfs = |dir: &Path| -> BTreeMap<String, Vec<u8>> {
        files(&dir.join("report/out")).into_iter().filter(|(k, _)| k.ends_with(".pdf")).collect()
    };
    let before = pdfs(&dir);
    assert_eq!(before.len(), 2);
    // English only: a sentence of prose and an excerpt's English text, not committed.
    let method = data.join("prose/en/method.typ");
    let mut text = fs::read_to_string(&method).unwrap();
    text.push_str("\nOne more English sentence.\n");
    fs::write(&method, text).unwrap();
    let part = data.join("excerpts/part1.csv");
    let csv = fs::read_to_string(&part).unwrap();
    fs::write(&part, csv.replacen("My therapist was the one who told me.", "My therapist told me.", 1)).unwrap();
    ok(&bsb_in(&dir, &["-q", "build", "--data", d], &[]));
    let after = pdfs(&dir);
    let nb = before.keys().find(|k| k.ends_with("-nb.pdf")).unwrap();
    let en = before.keys().find(|k| k.ends_with("-en.pdf")).unwrap();
    assert_eq!(after[nb], before[nb], "the Norwegian PDF is byte-identical");
    assert_ne!(after[en], before[en], "the English PDF changed");
    // The English edition says its data has uncommitted changes; the Norwegian does not.
    let said = |name: &str| crate::common::pdf::text(&dir.join("report/out").join(name)).contains("+changes");
    assert!(said(en.trim_start_matches('/')), "the English PDF is marked");
    assert!(!said(nb.trim_start_matches('/')), "the Norwegian PDF is not");
    let manifest = fs::read_to_string(dir.join("report/manifest.json")).unwrap();
    assert!(manifest.contains("+changes"), "the manifest still says the data is not committed");
    // Committed, an edit to the English prose still leaves the Norwegian PDF: each edition
    // names the last commit of the files it reads.
    git(&dir, &["add", "data/prose/en"]);
    git(&dir, &["commit", "-q", "-m", "English prose"]);
    ok(&bsb_in(&dir, &["-q", "build", "--data", d], &[]));
    assert_eq!(pdfs(&dir)[nb], before[nb], "the Norwegian PDF is byte-identical after the commit");
    // A Norwegian edit reaches the Norwegian PDF.
    let nb_method = data.join("prose/nb/method.typ");
    let mut text = fs::read_to_string(&nb_method).unwrap();
    text.push_str("\nEn setning til.\n");
    fs::write(&nb_method, text).unwrap();
    ok(&bsb_in(&dir, &["-q", "build", "--data", d], &[]));
    assert_ne!(pdfs(&dir)[nb], before[nb]);
}

#[test]
fn typst_speaks_of_the_studys_own_files_and_only_of_bsbs_options() {
    let (tmp, data) = temp_study(1, 2, &["en"]);
    let out = tmp.path().join("out");
    let d = data.to_str().unwrap();
    let o = out.to_str().unwrap();
    fs::create_dir_all(data.join("prose/en")).unwrap();
    // A warning (a font no one has) is printed with the prose file and line, and the build goes on.
    fs::write(data.join("prose/en/summary.typ"), "Some text.\n#text(font: \"NoSuchFont\")[x]\n").unwrap();
    let built = bsb_in(&tmp.path().to_path_buf(), &["build", "--data", d, "--out", o], &[]);
    ok(&built);
    let said = text_of(&built);
    assert!(said.contains("warning:") && said.contains("data/prose/en/summary.typ:2"), "{said}");
    assert!(said.to_lowercase().contains("nosuchfont"), "{said}");
    // typst's hint about its own command line's `--root` is not passed on.
    fs::write(data.join("prose/en/summary.typ"), "Some text.\n\n#read(\"../../secret.txt\")\n").unwrap();
    let failed = bsb_in(&tmp.path().to_path_buf(), &["build", "--data", d, "--out", o], &[]);
    assert_eq!(failed.status.code(), Some(1), "{}", text_of(&failed));
    let said = text_of(&failed);
    assert!(said.contains("data/prose/en/summary.typ:3") && said.contains("escape"), "{said}");
    assert!(!said.contains("--root"), "{said}");
}

/// The rank of each module in ARCHITECTURE.md's table "The modules, from the top down":
/// the row it is named in (a row may name several modules of one rank).
fn documented_order() -> BTreeMap<String, usize> {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md")).unwrap();
    let section = doc.split("## The modules, from the top down").nth(1).expect("the section of the module map");
    let mut rank = BTreeMap::new();
    for (i, row) in section.lines().filter(|l| l.starts_with("| `")).enumerate() {
        let first = row.split('|').nth(1).unwrap_or("");
        for name in first.split('`').skip(1).step_by(2) {
            rank.insert(name.trim_end_matches('/').trim_end_matches(".rs").to_string(), i);
        }
    }
    rank
}

/// The module path names after `crate::` on one line of code: `crate::a::b` and each name
/// of `crate::{a, b::c}`.
fn crate_paths(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in line.split("crate::").skip(1) {
        if let Some(group) = part.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or("");
            out.extend(inner.split(',').map(|p| p.trim().split("::").next().unwrap_or("").to_string()));
        } else {
            out.push(part.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect());
        }
    }
    out
}

#[test]
fn every_import_points_down_the_documented_order_of_modules() {
    let rank = documented_order();
    assert!(rank.len() > 20 && rank["main"] == 0, "the module map was read: {rank:?}");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![src.clone()];
    let mut upward = Vec::new();
    let mut seen = 0;
    while let Some(p) = files.pop() {
        if p.is_dir() {
            files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let rel = p.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        let top = rel.split('/').next().unwrap().trim_end_matches(".rs").to_string();
        // Unit tests may reach any module (they drive the stage from the outside).
        if top == "lib" || rel.ends_with("tests.rs") || rel.contains("/tests/") {
            continue;
        }
        let Some(&own) = rank.get(&top) else { panic!("src/{rel}: module `{top}` is not in ARCHITECTURE.md's map") };
        seen += 1;
        let text = std::fs::read_to_string(&p).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        for (n, line) in code.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for used in crate_paths(line) {
                if rank.get(&used).is_some_and(|&r| r < own) {
                    upward.push(format!("src/{rel}:{}: `{top}` uses `{used}`, which stands above it", n + 1));
                }
            }
        }
    }
    assert!(seen > 50, "the sources were read ({seen} files)");
    assert!(upward.is_empty(), "imports against the documented order:\n{}", upward.join("\n"));
}

/// Every `.rs` file under `dir`, with its path relative to the crate root.
fn rust_files(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let name = path.strip_prefix(root()).unwrap().display().to_string();
            out.push((name, fs::read_to_string(&path).unwrap()));
        }
    }
}

#[test]
fn a_function_of_80_lines_or_more_says_why_above_it() {
    let mut sources = Vec::new();
    rust_files(&root().join("src"), &mut sources);
    let mut unexplained = Vec::new();
    for (file, text) in &sources {
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let code = line.trim_start();
            let indent = &line[..line.len() - code.len()];
            let signature = code.strip_prefix("pub ").or_else(|| code.strip_prefix("pub(crate) ")).unwrap_or(code);
            if !signature.starts_with("fn ") || line.trim_end().ends_with('}') || line.trim_end().ends_with(';') {
                continue;
            }
            // The function ends at the first closing brace at its own indentation.
            let close = format!("{indent}}}");
            let Some(end) = lines[i..].iter().position(|l| *l == close) else { continue };
            if end + 1 < 80 {
                continue;
            }
            let above: Vec<&str> =
                lines[..i].iter().rev().take_while(|l| l.trim_start().starts_with("//")).copied().collect();
            if !above.iter().any(|l| l.contains("Longer than 80 lines on purpose:")) {
                unexplained.push(format!("{file}:{} `{}` ({} lines)", i + 1, signature, end + 1));
            }
        }
    }
    assert!(
        unexplained.is_empty(),
        "functions of 80 lines or more with no `// Longer than 80 lines on purpose: <why>` above them:\n  {}",
        unexplained.join("\n  ")
    );
}
