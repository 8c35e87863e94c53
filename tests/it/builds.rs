//! Builds: staleness, failed and killed builds, incremental skips, dates, the lock, releases, synth and watch.

use crate::common::*;

#[test]
fn check_names_a_stale_committed_table() {
    let (tmp, data) = temp_study(2, 2, &["en"]);
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let ok = bsb(&["check", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(ok.status.success(), "{}", text_of(&ok));
    let path = out.join("report/tables/participants.csv");
    let edited = fs::read_to_string(&path).unwrap().replace("r0,Region 0,2", "r0,Region 0,7");
    assert_ne!(edited, fs::read_to_string(&path).unwrap(), "the test edits the table");
    fs::write(&path, edited).unwrap();
    let stale = bsb(&["check", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(stale.status.code(), Some(1));
    assert!(text_of(&stale).contains("report/tables/participants.csv: is stale"), "{}", text_of(&stale));
}

#[test]
fn a_failed_build_leaves_earlier_outputs_untouched() {
    let (tmp, data) = temp_study(1, 2, &["en"]);
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let before = all_files(&out);
    // A prose chapter with a typst error fails at typesetting, after tables and figures.
    fs::create_dir_all(data.join("prose/en")).unwrap();
    fs::write(data.join("prose/en/summary.typ"), "Text with #undefined-function() call.").unwrap();
    fs::write(
        data.join("interviews.csv"),
        fs::read_to_string(data.join("interviews.csv")).unwrap().replacen("group,3", "group,4", 1),
    )
    .unwrap();
    let failed = bsb(&["build", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(text_of(&failed).contains("data/prose/en/summary.typ:1"), "{}", text_of(&failed));
    assert_eq!(all_files(&out), before, "no output changed");
}

#[test]
fn an_english_excerpt_edit_retypesets_only_the_english_pdf_and_a_noop_build_skips_all() {
    let (tmp, data) = temp_study(1, 2, &["nb", "en"]);
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let before = all_files(&out);
    let noop = build_explain(&data, &out);
    assert!(noop.contains("skip     every stage: no input changed"), "{noop}");
    assert!(noop.contains("nothing changed"), "{noop}");
    assert_eq!(all_files(&out), before);

    let path = data.join("excerpts/all.csv");
    fs::write(&path, fs::read_to_string(&path).unwrap().replace("words 1 en", "other words 1 en")).unwrap();
    let log = build_explain(&data, &out);
    assert!(log.contains("skip     report/out/small-0.1-nb.pdf"), "{log}");
    assert!(log.contains("typeset  report/out/small-0.1-en.pdf"), "{log}");
    let after = all_files(&out);
    assert_eq!(after["report/out/small-0.1-nb.pdf"], before["report/out/small-0.1-nb.pdf"]);
    assert_ne!(after["report/out/small-0.1-en.pdf"], before["report/out/small-0.1-en.pdf"]);
}

#[test]
fn no_change_to_any_kind_of_input_is_missed() {
    let (tmp, data) = temp_study(1, 2, &["en"]);
    fs::create_dir_all(data.join("prose/en")).unwrap();
    fs::write(data.join("prose/en/summary.typ"), "A summary of {{ n.participants }} people.").unwrap();
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let edits: Vec<(&str, &str, &str)> = vec![
        ("study.toml", "The title", "Another title"),
        ("interviews.csv", "group,3", "group,4"),
        ("codebook.csv", "Sub A", "Sub A renamed"),
        ("excerpts/all.csv", "words 2 en", "changed words"),
        ("prose/en/summary.typ", "A summary", "An edited summary"),
    ];
    for (file, from, to) in edits {
        let path = data.join(file);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} holds {from}");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
        let before = all_files(&out);
        let log = build_explain(&data, &out);
        assert!(log.contains("typeset  report/out/small-0.1-en.pdf"), "editing {file}: {log}");
        let after = all_files(&out);
        assert_ne!(after["report/out/small-0.1-en.pdf"], before["report/out/small-0.1-en.pdf"], "editing {file}");
        let manifest: serde_json::Value = serde_json::from_slice(&after["report/manifest.json"]).unwrap();
        assert!(manifest["inputs"][format!("data/{file}")].is_string(), "the manifest lists data/{file}");
    }
}

#[test]
fn source_date_epoch_sets_the_pdf_date() {
    let (tmp, data) = temp_study(1, 1, &["en"]);
    let out = tmp.path().join("out");
    let o = bsb_command()
        .args(["-q", "build", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", "1000000000")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text_of(&o));
    let pdf = String::from_utf8_lossy(&fs::read(out.join("report/out/small-0.1-en.pdf")).unwrap()).into_owned();
    assert!(pdf.contains("D:20010909"), "2001-09-09 from the epoch");
    build_into(&data, &out);
    let pdf = String::from_utf8_lossy(&fs::read(out.join("report/out/small-0.1-en.pdf")).unwrap()).into_owned();
    assert!(pdf.contains("D:20240229"), "the study's date without the variable");
}

#[test]
fn a_second_build_waits_for_the_first() {
    use fs2::FileExt;
    let (tmp, data) = temp_study(1, 1, &["en"]);
    let out = tmp.path().join("out");
    fs::create_dir_all(out.join("report")).unwrap();
    let held =
        fs::OpenOptions::new().create(true).truncate(false).write(true).open(out.join("report/.bsb.lock")).unwrap();
    held.lock_exclusive().unwrap();
    let mut child = bsb_command()
        .args(["build", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(child.try_wait().unwrap().is_none(), "the build waits while another holds the lock");
    assert!(!out.join("report/out").exists(), "and writes nothing meanwhile");
    FileExt::unlock(&held).unwrap();
    let done = child.wait_with_output().unwrap();
    assert!(done.status.success());
    assert!(String::from_utf8_lossy(&done.stderr).contains("waiting for another bsb build"));
    assert!(out.join("report/out/small-0.1-en.pdf").exists());
}

#[test]
fn releases_are_recorded_once_and_listed_in_the_report() {
    let (tmp, data) = temp_study(1, 1, &["en"]);
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let args = ["release", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()];
    let r = bsb(&args);
    assert!(r.status.success(), "{}", text_of(&r));
    assert!(out.join("report/releases/0.1.json").exists());
    build_into(&data, &out);
    let text = pdf::text(&out.join("report/out/small-0.1-en.pdf"));
    assert!(text.contains("Version history"), "{text}");
    // Changing the data without a new version cannot be released as the same version.
    let path = data.join("interviews.csv");
    fs::write(&path, fs::read_to_string(&path).unwrap().replacen("group,3", "group,5", 1)).unwrap();
    build_into(&data, &out);
    let again = bsb(&args);
    assert_eq!(again.status.code(), Some(1), "{}", text_of(&again));
    assert!(text_of(&again).contains("already released"));
}

#[test]
fn synth_scales_the_sample_and_the_codebook() {
    let tmp = TempDir::new();
    let into = tmp.path().join("s3");
    let o = bsb(&[
        "synth",
        "--data",
        root().join("data").to_str().unwrap(),
        "--scale",
        "3",
        "--into",
        into.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text_of(&o));
    let info = |dir: &Path| -> serde_json::Value {
        serde_json::from_slice(&bsb(&["info", "--json", "--data", dir.to_str().unwrap()]).stdout).unwrap()
    };
    let (one, three) = (info(&root().join("data")), info(&into));
    for key in ["interviews", "participants", "excerpts", "regions", "units"] {
        assert_eq!(three[key].as_u64().unwrap(), 3 * one[key].as_u64().unwrap(), "{key}");
    }
    assert!(three["subthemes"].as_u64().unwrap() > one["subthemes"].as_u64().unwrap());
}

#[test]
fn watch_rebuilds_after_a_saved_change() {
    let (tmp, data) = temp_study(1, 1, &["en"]);
    let out = tmp.path().join("out");
    let w = Watching::start(&data, &out);
    w.wait_for("rebuilt in", 1);
    assert!(w.log().contains("on file events"), "{}", w.log());
    // A save that changes nothing rebuilds nothing; a real change rebuilds. Each is saved
    // the way an editor saves (a plain write can be seen half-written, which is a change).
    let path = data.join("interviews.csv");
    let before = fs::read_to_string(&path).unwrap();
    Watching::save(&path, &before);
    w.wait_until_quiet(std::time::Duration::from_millis(1500));
    assert_eq!(w.count("rebuilt in"), 1, "{}", w.log());
    Watching::save(&path, &before.replacen("group,3", "group,6", 1));
    w.wait_for("rebuilt in", 2);
    w.wait_until_quiet(std::time::Duration::from_millis(1500));
    assert_eq!(w.count("rebuilt in"), 2, "{}", w.log());
    let mut w = w;
    w.child.kill().unwrap();
    w.child.wait().unwrap();
}

/// Build `data` into `out`, writing the typst sources to `emit`; the English edition's
/// main source.
fn build_emitting(data: &Path, out: &Path, emit: &Path) -> String {
    let o = bsb(&[
        "-q",
        "build",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--emit-typst",
        emit.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text_of(&o));
    fs::read_to_string(emit.join("en/main.typ")).unwrap()
}

#[test]
fn emitted_typst_sources_are_the_ones_typeset() {
    let (tmp, data) = temp_study(1, 2, &["en"]);
    fs::create_dir_all(data.join("prose/en")).unwrap();
    fs::write(data.join("prose/en/summary.typ"), "We met {{ n.participants }} people.").unwrap();
    let out = tmp.path().join("out");
    let emit = tmp.path().join("emit");
    let main = build_emitting(&data, &out, &emit);
    assert!(main.contains("#include \"prose/summary.typ\""));
    assert_eq!(fs::read_to_string(emit.join("en/prose/summary.typ")).unwrap(), "We met #\"8\" people.");
    assert!(emit.join("en/style.typ").exists() && emit.join("en/figures/participants-by-region.svg").exists());
    // The web page's sources beside them: the same, but for its look.
    let web_style = fs::read_to_string(emit.join("en-web/style.typ")).unwrap();
    assert_ne!(web_style, fs::read_to_string(emit.join("en/style.typ")).unwrap());
    assert!(web_style.contains("html."), "web.typ is served as style.typ");
    assert_eq!(fs::read_to_string(emit.join("en-web/main.typ")).unwrap(), main);
    assert_eq!(fs::read_to_string(emit.join("en-web/prose/summary.typ")).unwrap(), "We met #\"8\" people.");
}

/// `bsb watch` on a copy of the reference study, its stderr read line by line: the
/// watcher, its lines so far, and a way to wait for the n-th line containing a text.
struct Watching {
    child: std::process::Child,
    lines: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Watching {
    fn start(data: &Path, out: &Path) -> Watching {
        use std::io::BufRead;
        let mut child = bsb_command()
            .args(["watch", "--stop-after", "300", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (stderr, theirs) = (child.stderr.take().unwrap(), lines.clone());
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines().map_while(|l| l.ok()) {
                theirs.lock().unwrap().push(line);
            }
        });
        Watching { child, lines }
    }

    fn count(&self, needle: &str) -> usize {
        self.lines.lock().unwrap().iter().filter(|l| l.contains(needle)).count()
    }

    fn log(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    /// Wait until `needle` has been said `n` times; then a moment for the watcher to go
    /// back to waiting (its message comes after the outputs are written).
    fn wait_for(&self, needle: &str, n: usize) {
        let t = std::time::Instant::now();
        while self.count(needle) < n {
            assert!(t.elapsed().as_secs() < 120, "`{needle}` ×{n} within 120 s:\n{}", self.log());
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    /// Wait until the watcher has said nothing new for `quiet` (its builds have ended):
    /// how many builds a burst of saves makes depends on timing (a save caught half-way,
    /// its temporary file still there, is a change of another file and builds in full).
    fn wait_until_quiet(&self, quiet: std::time::Duration) {
        let t = std::time::Instant::now();
        loop {
            let said = self.lines.lock().unwrap().len();
            std::thread::sleep(quiet);
            if self.lines.lock().unwrap().len() == said {
                return;
            }
            assert!(t.elapsed().as_secs() < 120, "the watcher went quiet within 120 s:\n{}", self.log());
        }
    }

    /// Save `text` as `path` the way an editor does: a temporary file renamed over it.
    fn save(path: &Path, text: &str) {
        let side = path.with_extension("typ.save-tmp");
        fs::write(&side, text).unwrap();
        fs::rename(&side, path).unwrap();
    }
}

/// Every file under `out` is as a cold build of `data` into a fresh folder writes it.
fn same_as_cold(data: &Path, out: &Path, cold: &Path, after: &str) {
    build_into(data, cold);
    let (watched, built) = (all_files(out), all_files(cold));
    assert_eq!(watched.keys().collect::<Vec<_>>(), built.keys().collect::<Vec<_>>(), "after {after}");
    for (path, bytes) in &built {
        assert!(watched[path] == *bytes, "after {after}: {path} differs between the watched and the cold build");
    }
}

#[test]
fn watched_prose_saves_leave_the_outputs_of_a_cold_build() {
    let tmp = TempDir::new();
    let data = tmp.path().join("data");
    copy_tree(&root().join("data"), &data);
    let out = tmp.path().join("out");
    let w = Watching::start(&data, &out);
    w.wait_for("rebuilt in", 1);
    let prose = |p: &str| (data.join(p), fs::read_to_string(data.join(p)).unwrap());
    let (nb_overall, overall) = prose("prose/nb/overall.typ");
    let (en_summary, summary) = prose("prose/en/summary.typ");
    let (nb_method, method) = prose("prose/nb/method.typ");
    // A Norwegian chapter; then the English summary, which the Norwegian edition prints
    // as well (compared at once: a later Norwegian save would hide a stale summary); then
    // a citation the bibliography lacks, an error, and its repair.
    Watching::save(&nb_overall, &format!("{overall}\n\nEn setning lagt til under arbeidet.\n"));
    w.wait_for("rebuilt in", 2);
    Watching::save(&en_summary, &summary.replacen('.', ". One more sentence here.", 1));
    w.wait_for("rebuilt in", 3);
    same_as_cold(&data, &out, &tmp.path().join("cold-1"), "the English summary's save");
    Watching::save(&nb_method, &format!("{method}\n\nSe @ingen-slik-kilde.\n"));
    w.wait_for("waiting for the next change", 1);
    Watching::save(&nb_method, &format!("{method}\n\nEn annen setning i metodekapitlet.\n"));
    w.wait_for("rebuilt in", 4);
    same_as_cold(&data, &out, &tmp.path().join("cold-2"), "the repaired citation");
    // Two saves in a row, the second as soon as the first one's PDF is written: the web
    // pages wait for the second, and once the saves stop every output is as a cold build's.
    let pdf = out.join("report/out/bsb-legemiddelfrie-tilbud-1.0.0-nb.pdf");
    let before = fs::read(&pdf).unwrap();
    Watching::save(&nb_overall, &format!("{overall}\n\nEn ny setning, lagret to ganger.\n"));
    let t = std::time::Instant::now();
    while fs::read(&pdf).map(|b| b == before).unwrap_or(true) {
        assert!(t.elapsed().as_secs() < 120, "the first quick save's PDF:\n{}", w.log());
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    Watching::save(&nb_overall, &format!("{overall}\n\nEn ny setning, lagret to ganger, nå ferdig.\n"));
    w.wait_for("rebuilt in", 6);
    w.wait_until_quiet(std::time::Duration::from_secs(4));
    same_as_cold(&data, &out, &tmp.path().join("cold-3"), "two quick saves");
    let mut child = w.child;
    child.kill().unwrap();
    child.wait().unwrap();
    let log = w.lines.lock().unwrap().join("\n");
    // The four saves one at a time kept the study (the quick ones may have caught a
    // temporary file half-way and built in full: either way the outputs are a cold build's).
    assert!(log.matches("only prose changed").count() >= 4, "each save kept the study:\n{log}");
    assert!(log.contains("expected a citation key from"), "the bad citation was caught:\n{log}");
}

/// The `#excerpt(…)` calls of the excerpt appendix in an emitted edition's main source.
fn appendix_excerpts(main: &str, heading: &str) -> Vec<String> {
    let appendix = &main[main.find(&format!("= #\"{heading}\"")).expect("the excerpt appendix")..];
    let appendix = appendix[1..].find("\n= ").map_or(appendix, |end| &appendix[..end + 1]);
    appendix.lines().filter(|l| l.starts_with("#excerpt(")).map(str::to_string).collect()
}

#[test]
fn the_excerpt_appendix_prints_a_bounded_selection_of_a_large_theme_and_says_so() {
    let (tmp, data) = temp_study(1, 2, &["en"]);
    let emit = |name: &str| {
        let (out, emit) = (tmp.path().join(format!("out-{name}")), tmp.path().join(format!("emit-{name}")));
        build_emitting(&data, &out, &emit)
    };
    let note = "more excerpts than the appendix prints";
    let small = emit("small");
    let before = appendix_excerpts(&small, "All excerpts by theme");
    assert_eq!(before.len(), 6, "every excerpt of a small study is printed: {before:?}");
    assert!(!small.contains(note));
    // 100 more excerpts of one subtheme: far more than the appendix prints of a theme.
    let file = data.join("excerpts/all.csv");
    let mut csv = fs::read_to_string(&file).unwrap();
    for k in 0..100 {
        csv.push_str(&format!("X{k:03},I00b,P00by,A.1,extra {k} en\n"));
    }
    fs::write(&file, csv).unwrap();
    let large = emit("large");
    let after = appendix_excerpts(&large, "All excerpts by theme");
    let extra = after.iter().filter(|l| l.contains("extra ")).count();
    let others = after.len() - extra;
    assert_eq!(others, 6, "the other excerpts stay: {after:?}");
    // Theme A now has 103 excerpts (3 before and 100 more): the appendix shows 60 of them.
    let theme_a = after.iter().filter(|l| l.contains("extra ") || before.iter().take(3).any(|b| b == *l)).count();
    // Chosen by id within the subtheme: its three first excerpts, then X000, X001, …
    assert_eq!(theme_a, bsb::analysis::APPENDIX_PER_THEME, "{after:?}");
    assert_eq!(extra, bsb::analysis::APPENDIX_PER_THEME - 3);
    assert!(after.iter().any(|l| l.contains("\"extra 0 en\"")) && !after.iter().any(|l| l.contains("\"extra 99 en\"")));
    assert_eq!(large.matches(note).count(), 1, "one note, under theme A only");
}
