//! What every test module shares: running `bsb`, temporary directories, reading CSV and
//! PDF files back, the reference study built once, and a builder for small studies.

pub mod pdf;

use bsb::study::rows::{self, CodeRow, ExcerptRow, InterviewRow};
use bsb::study::studytoml::{ModelToml, PerLang, RegionToml, StudyToml, UnitToml};
use bsb::study::{InterviewKind, Text};

pub use std::collections::BTreeMap;
pub use std::fs;
pub use std::path::{Path, PathBuf};
pub use std::process::{Command, Output};

/// A directory under the system's temporary directory, removed when dropped (unless kept).
pub struct TempDir(Option<PathBuf>);

impl TempDir {
    /// A new, empty directory with a name no other test in any process uses.
    pub fn new() -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let dir = std::env::temp_dir().join(format!("bsb-test-{}-{n}-{nanos}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        TempDir(Some(dir))
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.0.as_deref().unwrap()
    }

    /// Keep the directory after the test (for outputs shared by several tests).
    pub fn keep(mut self) -> PathBuf {
        self.0.take().unwrap()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Some(dir) = &self.0 {
            let _ = fs::remove_dir_all(dir);
        }
    }
}

/// The program under test, to be given arguments, a directory or an environment.
pub fn bsb_command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bsb"))
}

/// Run the program with `args` and wait for it.
pub fn bsb(args: &[&str]) -> Output {
    bsb_command().args(args).output().expect("run bsb")
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn text_of(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

pub fn build_into(data: &Path, out: &Path) -> Output {
    let o = bsb(&["-q", "build", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "build failed: {}", text_of(&o));
    o
}

pub fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| headers.iter().zip(rec.unwrap().iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect())
        .collect()
}

pub fn all_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.insert(p.strip_prefix(base).unwrap().display().to_string(), fs::read(&p).unwrap());
            }
        }
    }
    walk(dir, dir, &mut out);
    out
}

/// The reference study, built once per test process into a temporary directory.
pub fn reference_build() -> &'static PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = TempDir::new().keep();
        build_into(&root().join("data"), &dir);
        dir
    })
}

/// Copy a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &target);
        } else {
            fs::copy(&p, &target).unwrap();
        }
    }
}

/// The reference study's data copied to `<dir>/data` with `coding = "original"`, as if its
/// excerpts had been coded from the interviews. The reference study is a reconstruction and
/// prints no participant counts per theme or model; the tests of those counts and of the
/// privacy rules that guard them run on this copy.
pub fn original_coding_copy(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    copy_tree(&root().join("data"), &data);
    let toml = fs::read_to_string(data.join("study.toml")).unwrap();
    assert!(toml.contains("\ncoding = \"reconstructed\"\n"), "the reference study declares its coding");
    fs::write(data.join("study.toml"), toml.replace("\ncoding = \"reconstructed\"\n", "\ncoding = \"original\"\n"))
        .unwrap();
    data
}

/// [`original_coding_copy`] built once per test process: its data and output directories.
pub fn original_coding_build() -> &'static (PathBuf, PathBuf) {
    static BUILT: std::sync::OnceLock<(PathBuf, PathBuf)> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = TempDir::new().keep();
        let data = original_coding_copy(&dir);
        let out = dir.join("out");
        build_into(&data, &out);
        (data, out)
    })
}

/// The `study.toml` of [`small_study`], as the study file's types: model `M<m>`, region
/// `r<r>`, unit `u<r><m>`, every text `The <field>` (names `Model <m>`, `Region <r>`, …).
pub fn small_study_toml(regions: usize, models: usize, langs: &[&str]) -> StudyToml {
    let text = |value: &str| PerLang::same(langs, value.to_string());
    let f = |field: &str| text(&format!("The {field}"));
    StudyToml {
        slug: "small".into(),
        version: "0.1".into(),
        date: "2024-02-29".into(),
        small_cell_k: Some(3),
        languages: langs.iter().map(|l| l.to_string()).collect(),
        title: f("title"),
        subtitle: f("subtitle"),
        short_title: f("short_title"),
        commissioner: f("commissioner"),
        author: f("author"),
        excerpt_notice: f("excerpt_notice"),
        model: (0..models)
            .map(|m| ModelToml {
                id: format!("M{m}"),
                short: text(&format!("Model {m}")),
                name: text(&format!("Model {m} name")),
                description: text("d"),
            })
            .collect(),
        region: (0..regions).map(|r| RegionToml { id: format!("r{r}"), name: text(&format!("Region {r}")) }).collect(),
        unit: (0..regions)
            .flat_map(|r| (0..models).map(move |m| (r, m)))
            .map(|(r, m)| UnitToml {
                id: format!("u{r}{m}"),
                region: format!("r{r}"),
                model: format!("M{m}"),
                name: text(&format!("Unit {r} {m}")),
                places: Vec::new(),
            })
            .collect(),
        ..StudyToml::default()
    }
}

/// A study with `regions` regions, `models` models and one language or two; each region
/// has one unit per model and two interviews per unit (one individual, one group of 3).
/// The tables are written through the study's one writer (`bsb::study::rows::write`).
pub fn small_study(dir: &Path, regions: usize, models: usize, langs: &[&str]) {
    fs::write(dir.join("study.toml"), small_study_toml(regions, models, langs).to_toml(&[])).unwrap();
    let langs: Vec<String> = langs.iter().map(|l| l.to_string()).collect();
    let mut interviews = Vec::new();
    let mut excerpts = Vec::new();
    for r in 0..regions {
        for m in 0..models {
            for (i, kind, participants) in [("a", InterviewKind::Individual, 1), ("b", InterviewKind::Group, 3)] {
                let (region, unit) = (format!("r{r}"), format!("u{r}{m}"));
                let id = format!("I{r}{m}{i}");
                interviews.push(InterviewRow { id, region, unit, kind, participants, date: None, guid: None });
            }
            for (i, who) in [("a", "x"), ("b", "y"), ("b", "z")] {
                let n = excerpts.len() + 1;
                excerpts.push(ExcerptRow {
                    id: format!("E{n}"),
                    interview: format!("I{r}{m}{i}"),
                    participant: format!("P{r}{m}{i}{who}"),
                    codes: vec![if n % 2 == 0 { "A.1" } else { "B.1" }.to_string()],
                    text: Text(langs.iter().map(|l| (l.clone(), format!("words {n} {l}"))).collect()),
                    guid: None,
                });
            }
        }
    }
    fs::write(dir.join("interviews.csv"), rows::write(&langs, &interviews)).unwrap();
    let code = |id: &str, parent: Option<&str>, section: &str, label: &str| CodeRow {
        id: id.into(),
        parent: parent.map(String::from),
        section: section.into(),
        label: Text::same(&langs, label),
        description: Text::same(&langs, "d"),
        guid: None,
        color: None,
    };
    let codes = [
        code("A", None, "1", "Theme A"),
        code("A.1", Some("A"), "1", "Sub A"),
        code("B", None, "2", "Theme B"),
        code("B.1", Some("B"), "2", "Sub B"),
    ];
    fs::write(dir.join("codebook.csv"), rows::write(&langs, &codes)).unwrap();
    fs::create_dir_all(dir.join("excerpts")).unwrap();
    fs::write(dir.join("excerpts/all.csv"), rows::write(&langs, &excerpts)).unwrap();
}

/// A small study in a fresh temporary directory: the directory (kept alive by the
/// caller) and its `data/` folder.
pub fn temp_study(regions: usize, models: usize, langs: &[&str]) -> (TempDir, PathBuf) {
    let tmp = TempDir::new();
    let data = tmp.path().join("data");
    fs::create_dir_all(&data).unwrap();
    small_study(&data, regions, models, langs);
    (tmp, data)
}

pub fn expect_failure(data: &Path, needles: &[&str]) {
    let out = bsb(&["check", "--data", data.to_str().unwrap(), "--out", data.parent().unwrap().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "expected a data error: {}", text_of(&out));
    let text = text_of(&out);
    for n in needles {
        assert!(text.contains(n), "expected `{n}` in:\n{text}");
    }
}

pub fn broken(edit: impl FnOnce(&Path)) -> TempDir {
    let (tmp, data) = temp_study(2, 2, &["nb", "en"]);
    edit(&data);
    tmp
}

pub fn build_explain(data: &Path, out: &Path) -> String {
    let o = bsb(&["build", "--explain", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text_of(&o));
    text_of(&o)
}

/// Run git in `dir` with a throwaway identity; fails the test if git fails.
pub fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(o.status.success(), "git {args:?}: {}", text_of(&o));
}
