//! Shared by the import's tests: a temporary directory, builders of REFI-QDA projects
//! and archives (GUIDs, codes, selections, sources, cases, values), the import run on them,
//! and readers of the CSV files and the report it wrote.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::archive::Limits;
use crate::import::import_qdpx_with;
use crate::import::report::{Part, Report};
use crate::problem::Result;

/// A directory under the system's temporary directory, removed when dropped.
pub(super) struct TempDir(PathBuf);

impl TempDir {
    /// A new empty directory, unique in this run.
    pub(super) fn new() -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("bsb-unit-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// The directory.
    pub(super) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A GUID numbered `n` (codes 1–99, cases 100–199, sources 200–299, selections 300–999,
/// variables 500–599 are the conventions below; codings derive from their selection).
pub(super) fn g(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// Characters `(start, end)` of the first `part` in `text`, counted in code points.
pub(super) fn span(text: &str, part: &str) -> (usize, usize) {
    let byte = text.find(part).unwrap_or_else(|| panic!("`{part}` not in the text"));
    let start = text[..byte].chars().count();
    (start, start + part.chars().count())
}

/// A code `n` named `name` with `inner` (its description, nested codes) inside.
pub(super) fn code(n: u32, name: &str, inner: &str) -> String {
    format!(r#"<Code guid="{}" name="{name}" isCodable="true">{inner}</Code>"#, g(n))
}

/// A selection `n` over `(start, end)` coded with the codes (or cases) numbered `codes`.
pub(super) fn sel(n: u32, (start, end): (usize, usize), codes: &[u32]) -> String {
    let codings: String = codes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(r#"<Coding guid="{}"><CodeRef targetGUID="{}"/></Coding>"#, g(10_000 + n * 10 + i as u32), g(*c))
        })
        .collect();
    format!(
        r#"<PlainTextSelection guid="{}" name="sel {n}" startPosition="{start}" endPosition="{end}">{codings}</PlainTextSelection>"#,
        g(n)
    )
}

/// A text source `n` whose text is at `path` (an attribute) with `inner` inside.
pub(super) fn source(n: u32, path: &str, inner: &str) -> String {
    format!(r#"<TextSource guid="{}" name="Intervju {n}" plainTextPath="{path}">{inner}</TextSource>"#, g(n))
}

/// A case `n` named `name` with `inner` (source and selection references, values) inside.
pub(super) fn case(n: u32, name: &str, inner: &str) -> String {
    format!(r#"<Case guid="{}" name="{name}">{inner}</Case>"#, g(n))
}

/// A reference to source `n`, as a case holds it.
pub(super) fn source_ref(n: u32) -> String {
    format!(r#"<SourceRef targetGUID="{}"/>"#, g(n))
}

/// A text value of variable `variable`, as a case or source holds it.
pub(super) fn value(variable: u32, v: &str) -> String {
    format!(r#"<VariableValue><VariableRef targetGUID="{}"/><TextValue>{v}</TextValue></VariableValue>"#, g(variable))
}

/// A `project.qde` from `origin` (the tool that wrote it) with `body` inside.
pub(super) fn project(origin: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Brukerstudie Øst" origin="{origin}" creationDateTime="2021-03-04T10:00:00Z" modifiedDateTime="2022-11-30T08:15:00Z">
{body}
</Project>"#
    )
}

/// Two themes; the first has a subtheme with a sub-subtheme.
pub(super) fn codebook() -> String {
    format!(
        "<CodeBook><Codes>{}{}</Codes></CodeBook>",
        code(
            1,
            "Informasjon",
            &format!(
                "<Description>Hvordan deltakerne fikk vite om tilbudet</Description>{}",
                code(2, "Fra venner", &code(3, "Fra venner på sykehuset", ""))
            )
        ),
        code(4, "Hverdagen", "<Description>Livet på avdelingen</Description>")
    )
}

/// An archive with `entries`, deflated, written as `dir/p.qdpx`.
pub(super) fn qdpx(dir: &Path, entries: &[(&str, &[u8])]) -> PathBuf {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        w.start_file(*name, options).unwrap();
        w.write_all(bytes).unwrap();
    }
    let path = dir.join("p.qdpx");
    fs::write(&path, w.finish().unwrap().into_inner()).unwrap();
    path
}

/// The usual interview text: Norwegian letters, three lines.
pub(super) const TEXT: &str = "Intervjuer: Hvordan hørte du om tilbudet?\nDeltaker: Fra en venn på sykehuset, hun hadde vært der selv.\nDeltaker: Maten var god, særlig blåbærsyltetøyet på søndager.\n";

/// Import `file` into `into` with `--map` and `--lang` options and the default caps.
pub(super) fn run(file: &Path, into: &Path, maps: &[&str], langs: &[&str]) -> Result<Report> {
    let maps: Vec<String> = maps.iter().map(|s| s.to_string()).collect();
    let langs: Vec<String> = langs.iter().map(|s| s.to_string()).collect();
    import_qdpx_with(file, into, &maps, &langs, &Limits::default())
}

/// Import `entries` into a fresh `data` directory; the directory and the report.
pub(super) fn import(entries: &[(&str, &[u8])], maps: &[&str], langs: &[&str]) -> (TempDir, PathBuf, Report) {
    let tmp = TempDir::new();
    let file = qdpx(tmp.path(), entries);
    let into = tmp.path().join("data");
    let report = run(&file, &into, maps, langs).unwrap_or_else(|e| panic!("import failed: {e}"));
    (tmp, into, report)
}

/// The rows of a written CSV file, each a map from header to cell.
pub(super) fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| headers.iter().zip(rec.unwrap().iter()).map(|(h, v)| (h.into(), v.into())).collect())
        .collect()
}

/// The items of one section of the report.
pub(super) fn items(report: &Report, part: Part) -> Vec<String> {
    report.items(part).map(str::to_string).collect()
}

/// Whether an item of one section of the report contains `needle`.
pub(super) fn any_item(report: &Report, part: Part, needle: &str) -> bool {
    report.items(part).any(|i| i.contains(needle))
}

/// The usual project: the codebook, one source in `sources/` with three coded selections.
pub(super) fn usual(origin: &str) -> Vec<(String, Vec<u8>)> {
    let s1 = sel(301, span(TEXT, "Fra en venn på sykehuset"), &[3]);
    let s2 = sel(302, span(TEXT, "Maten var god, særlig blåbærsyltetøyet"), &[4]);
    let s3 = sel(303, span(TEXT, "blåbærsyltetøyet på søndager"), &[4, 2]);
    let body = format!(
        "{}<Sources>{}</Sources>",
        codebook(),
        source(201, &format!("internal://{}.txt", g(201)), &format!("{s1}{s2}{s3}"))
    );
    vec![
        ("project.qde".into(), project(origin, &body).into_bytes()),
        (format!("sources/{}.txt", g(201)), TEXT.as_bytes().to_vec()),
    ]
}

/// Archive entries as `qdpx` takes them.
pub(super) fn entries(v: &[(String, Vec<u8>)]) -> Vec<(&str, &[u8])> {
    v.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect()
}

/// A project of the codebook and one source in `sources/` holding `text` and `sels`.
pub(super) fn one_source(origin: &str, text: &str, sels: &str) -> Vec<(String, Vec<u8>)> {
    let body = format!("{}<Sources>{}</Sources>", codebook(), source(201, &format!("internal://{}.txt", g(201)), sels));
    vec![
        ("project.qde".into(), project(origin, &body).into_bytes()),
        (format!("sources/{}.txt", g(201)), text.as_bytes().to_vec()),
    ]
}
