//! Tests of the import and export: small `.qdpx` archives are built here with the zip
//! writer, one quirk of real exports or one hostile trick at a time, and the written data
//! directory (or its absence) is checked. Offsets are always computed from the text in
//! code points, on Norwegian letters and CRLF line ends, so a byte-for-char mix-up shows.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::report::{Part, Report};
use super::*;
use crate::archive::Limits;

/// A directory under the system's temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("bsb-unit-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

// ---- building projects ----

/// A GUID numbered `n` (codes 1–99, cases 100–199, sources 200–299, selections 300–999,
/// variables 500–599 are the conventions below; codings derive from their selection).
fn g(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// Characters `(start, end)` of the first `part` in `text`, counted in code points.
fn span(text: &str, part: &str) -> (usize, usize) {
    let byte = text.find(part).unwrap_or_else(|| panic!("`{part}` not in the text"));
    let start = text[..byte].chars().count();
    (start, start + part.chars().count())
}

fn code(n: u32, name: &str, inner: &str) -> String {
    format!(r#"<Code guid="{}" name="{name}" isCodable="true">{inner}</Code>"#, g(n))
}

/// A selection `n` over `(start, end)` coded with the codes (or cases) numbered `codes`.
fn sel(n: u32, (start, end): (usize, usize), codes: &[u32]) -> String {
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
fn source(n: u32, path: &str, inner: &str) -> String {
    format!(r#"<TextSource guid="{}" name="Intervju {n}" plainTextPath="{path}">{inner}</TextSource>"#, g(n))
}

fn case(n: u32, name: &str, inner: &str) -> String {
    format!(r#"<Case guid="{}" name="{name}">{inner}</Case>"#, g(n))
}

fn source_ref(n: u32) -> String {
    format!(r#"<SourceRef targetGUID="{}"/>"#, g(n))
}

fn value(variable: u32, v: &str) -> String {
    format!(r#"<VariableValue><VariableRef targetGUID="{}"/><TextValue>{v}</TextValue></VariableValue>"#, g(variable))
}

fn project(origin: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Brukerstudie Øst" origin="{origin}" creationDateTime="2021-03-04T10:00:00Z" modifiedDateTime="2022-11-30T08:15:00Z">
{body}
</Project>"#
    )
}

/// Two themes; the first has a subtheme with a sub-subtheme.
fn codebook() -> String {
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
fn qdpx(dir: &Path, entries: &[(&str, &[u8])]) -> PathBuf {
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

const TEXT: &str = "Intervjuer: Hvordan hørte du om tilbudet?\nDeltaker: Fra en venn på sykehuset, hun hadde vært der selv.\nDeltaker: Maten var god, særlig blåbærsyltetøyet på søndager.\n";

fn run(file: &Path, into: &Path, maps: &[&str], langs: &[&str]) -> Result<Report> {
    let maps: Vec<String> = maps.iter().map(|s| s.to_string()).collect();
    let langs: Vec<String> = langs.iter().map(|s| s.to_string()).collect();
    import_qdpx_with(file, into, &maps, &langs, &Limits::default())
}

/// Import `entries` into a fresh `data` directory; the directory and the report.
fn import(entries: &[(&str, &[u8])], maps: &[&str], langs: &[&str]) -> (TempDir, PathBuf, Report) {
    let tmp = TempDir::new();
    let file = qdpx(tmp.path(), entries);
    let into = tmp.path().join("data");
    let report = run(&file, &into, maps, langs).unwrap_or_else(|e| panic!("import failed: {e}"));
    (tmp, into, report)
}

fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| headers.iter().zip(rec.unwrap().iter()).map(|(h, v)| (h.into(), v.into())).collect())
        .collect()
}

fn items(report: &Report, part: Part) -> Vec<String> {
    report.items(part).map(str::to_string).collect()
}

fn any_item(report: &Report, part: Part, needle: &str) -> bool {
    report.items(part).any(|i| i.contains(needle))
}

/// The usual project: the codebook, one source in `sources/` with three coded selections.
fn usual(origin: &str) -> Vec<(String, Vec<u8>)> {
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

fn entries(v: &[(String, Vec<u8>)]) -> Vec<(&str, &[u8])> {
    v.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect()
}

// ---- what an import writes ----

#[test]
fn offsets_are_code_points_on_norwegian_text() {
    let files = usual("QualCoder 3.5");
    let (_tmp, data, _) = import(&entries(&files), &[], &[]);
    let ex = rows(&data.join("excerpts/imported.csv"));
    let texts: Vec<&str> = ex.iter().map(|r| r["text_en"].as_str()).collect();
    assert_eq!(
        texts,
        ["Fra en venn på sykehuset", "Maten var god, særlig blåbærsyltetøyet", "blåbærsyltetøyet på søndager"]
    );
    let ids: Vec<&str> = ex.iter().map(|r| r["id"].as_str()).collect();
    assert_eq!(ids, ["E0001", "E0002", "E0003"]);
    assert_eq!(ex[2]["codes"], "C004;C002", "codes in coding order, as codebook ids");
    assert_eq!(ex[0]["guid"], g(301));
    assert_eq!(ex[0]["interview"], "I01");
    assert_eq!(ex[0]["participant"], "P01");
}

/// `(start, end)` of the first `part` in `text`, counted in UTF-16 code units (as NVivo does).
fn span16(text: &str, part: &str) -> (usize, usize) {
    let byte = text.find(part).unwrap_or_else(|| panic!("`{part}` not in the text"));
    let start = text[..byte].encode_utf16().count();
    (start, start + part.encode_utf16().count())
}

/// A source with emoji (outside the BMP) before and inside the coded passages, CRLF line
/// ends and Sámi letters, the way NVivo on Windows stores comments from social media.
const EMOJI_TEXT: &str = "Kommentar 1: Det er bra 😀😀\r\nKommentar 2: Ikke vaksine for meg 🤣🤣🤣\r\nKommentar 3: Sámi giella ja čuođi ŋ 😤 ferdig.\r\n";

fn one_source(origin: &str, text: &str, sels: &str) -> Vec<(String, Vec<u8>)> {
    let body = format!("{}<Sources>{}</Sources>", codebook(), source(201, &format!("internal://{}.txt", g(201)), sels));
    vec![
        ("project.qde".into(), project(origin, &body).into_bytes()),
        (format!("sources/{}.txt", g(201)), text.as_bytes().to_vec()),
    ]
}

#[test]
fn nvivo_offsets_count_utf16_code_units() {
    let parts = ["Ikke vaksine for meg 🤣🤣🤣", "čuođi ŋ 😤 ferdig", "Det er bra"];
    let sels: String =
        parts.iter().enumerate().map(|(i, p)| sel(301 + i as u32, span16(EMOJI_TEXT, p), &[4])).collect();
    for origin in ["NVivo for Windows 12.6", "NVivo for Mac 12.7.0", "NVivo 15"] {
        let files = one_source(origin, EMOJI_TEXT, &sels);
        let (_tmp, data, report) = import(&entries(&files), &[], &[]);
        let texts: Vec<String> =
            rows(&data.join("excerpts/imported.csv")).iter().map(|r| r["text_en"].clone()).collect();
        assert_eq!(texts, parts, "{origin}");
        let how = items(&report, Part::Offsets);
        assert_eq!(how.len(), 1, "{how:?}");
        assert!(how[0].contains("read as UTF-16 code units,") && how[0].contains("NVivo"), "{how:?}");
        assert!(how[0].contains("3 of 3 selection(s) start and end at word boundaries"), "{how:?}");
        // CRLF counts as two UTF-16 code units in NVivo: the ATLAS.ti rule must not fire.
        assert!(!any_item(&report, Part::Changed, "CRLF"), "{:?}", items(&report, Part::Changed));
    }
}

#[test]
fn code_points_stay_the_default_and_the_text_overrules_a_wrong_origin() {
    let parts = ["Ikke vaksine for meg 🤣🤣🤣", "čuođi ŋ 😤 ferdig"];
    let cp: String = parts.iter().enumerate().map(|(i, p)| sel(301 + i as u32, span(EMOJI_TEXT, p), &[4])).collect();
    // Other tools count code points.
    let (_tmp, data, report) = import(&entries(&one_source("QualCoder 3.6", EMOJI_TEXT, &cp)), &[], &[]);
    let texts: Vec<String> = rows(&data.join("excerpts/imported.csv")).iter().map(|r| r["text_en"].clone()).collect();
    assert_eq!(texts, parts);
    assert!(any_item(&report, Part::Offsets, "read as code points,"));
    // A project that says NVivo but counts code points: read as UTF-16 units, a boundary
    // falls inside a surrogate pair, so the import reads code points and says why.
    let (_tmp, data, report) = import(&entries(&one_source("NVivo 14", EMOJI_TEXT, &cp)), &[], &[]);
    let texts: Vec<String> = rows(&data.join("excerpts/imported.csv")).iter().map(|r| r["text_en"].clone()).collect();
    assert_eq!(texts, parts);
    let how = items(&report, Part::Offsets);
    assert!(how[0].starts_with("source “Intervju 201”: read as code points,"), "{how:?}");
    assert!(how[0].contains("as UTF-16 code units, 1 selection(s) start or end inside a surrogate pair"), "{how:?}");
}

#[test]
fn a_text_without_emoji_reads_the_same_in_both_units() {
    let files = usual("NVivo for Windows 12.6");
    let (_tmp, data, report) = import(&entries(&files), &[], &[]);
    assert_eq!(rows(&data.join("excerpts/imported.csv"))[0]["text_en"], "Fra en venn på sykehuset");
    assert!(
        any_item(&report, Part::Offsets, "code points and UTF-16 code units agree"),
        "{:?}",
        items(&report, Part::Offsets)
    );
}

#[test]
fn selections_with_the_same_range_are_one_excerpt_with_all_their_codes() {
    let a = span(TEXT, "Fra en venn på sykehuset");
    let b = span(TEXT, "Maten var god, særlig blåbærsyltetøyet");
    let c = span(TEXT, "blåbærsyltetøyet på søndager");
    // NVivo's way: one selection per coding; plus an overlapping but different range.
    let sels = [
        sel(301, a, &[3]),
        sel(302, a, &[4]),
        sel(303, b, &[2]),
        sel(304, a, &[3, 1]),
        sel(305, c, &[2]),
        sel(306, b, &[4]),
    ]
    .concat();
    let (_tmp, data, report) = import(&entries(&one_source("NVivo for Mac 12.7.0", TEXT, &sels)), &[], &[]);
    let ex = rows(&data.join("excerpts/imported.csv"));
    let got: Vec<(&str, &str, &str)> =
        ex.iter().map(|r| (r["text_en"].as_str(), r["codes"].as_str(), r["guid"].as_str())).collect();
    let (g301, g302, g303, g304, g305, g306) = (g(301), g(302), g(303), g(304), g(305), g(306));
    assert_eq!(
        got,
        [
            ("Fra en venn på sykehuset", "C003;C004;C001", format!("{g301};{g302};{g304}").as_str()),
            ("Maten var god, særlig blåbærsyltetøyet", "C002;C004", format!("{g303};{g306}").as_str()),
            ("blåbærsyltetøyet på søndager", "C002", g305.as_str()),
        ]
    );
    assert!(
        any_item(&report, Part::Changed, "3 selection(s) had the same source and range"),
        "{:?}",
        items(&report, Part::Changed)
    );
}

#[test]
fn codebook_hierarchy_comes_from_nesting() {
    let files = usual("QualCoder 3.5");
    let (_tmp, data, report) = import(&entries(&files), &[], &[]);
    let cb = rows(&data.join("codebook.csv"));
    let shape: Vec<(&str, &str, &str)> =
        cb.iter().map(|r| (r["id"].as_str(), r["parent"].as_str(), r["label_en"].as_str())).collect();
    assert_eq!(
        shape,
        [
            ("C001", "", "Informasjon"),
            ("C002", "C001", "Fra venner"),
            ("C003", "C002", "Fra venner på sykehuset"),
            ("C004", "", "Hverdagen")
        ]
    );
    assert_eq!(cb[0]["description_en"], "Hvordan deltakerne fikk vite om tilbudet");
    assert_eq!(cb[1]["description_en"], "Fra venner", "no description: the name stands in");
    assert_eq!(cb[3]["guid"], g(4));
    assert!(any_item(&report, Part::Changed, "C002, C003"), "{:?}", items(&report, Part::Changed));
    assert!(any_item(&report, Part::ToDo, "C003"), "the third level is named for the analyst");
}

#[test]
fn study_file_is_named_and_dated_after_the_project() {
    let files = usual("QualCoder 3.5");
    let (_tmp, data, _) = import(&entries(&files), &[], &["nb", "en"]);
    let toml: toml::Table = fs::read_to_string(data.join("study.toml")).unwrap().parse().unwrap();
    assert_eq!(toml["slug"].as_str(), Some("brukerstudie-ost"));
    assert_eq!(toml["version"].as_str(), Some("0.1.0"));
    assert_eq!(toml["date"].as_str(), Some("2022-11-30"), "modifiedDateTime wins");
    assert_eq!(toml["small_cell_k"].as_integer(), Some(3));
    assert_eq!(toml["title_nb"].as_str(), Some("Brukerstudie Øst"));
    assert_eq!(toml["title_en"].as_str(), Some("Brukerstudie Øst"));
    assert_eq!(toml["model"].as_array().unwrap().len(), 1);
    assert_eq!(toml["region"].as_array().unwrap().len(), 1);
    assert_eq!(toml["unit"].as_array().unwrap().len(), 1);
}

#[test]
fn import_without_map_is_a_valid_study_that_analyses() {
    for langs in [&[][..], &["nb", "en"][..]] {
        let files = usual("QualCoder 3.5");
        let (_tmp, data, report) = import(&entries(&files), &[], langs);
        let checked = crate::cmd::load_and_validate(&data).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(checked.study.excerpts.len(), 3);
        assert_eq!(checked.study.interviews.len(), 1);
        crate::pipeline::products(&checked.study, None).unwrap_or_else(|e| panic!("analysis failed: {e}"));
        assert_eq!(any_item(&report, Part::ToDo, "translate"), langs.len() == 2);
        assert!(data.join("import-report.md").is_file());
    }
}

#[test]
fn atlas_ti_counts_crlf_as_one_character() {
    let text =
        "Intervjuer: Hva betydde maten?\r\nDeltaker: Blåbær og rømme på søndager.\r\nDeltaker: Ærlig talt, alt.\r\n";
    // ATLAS.ti counted on the text as if each CRLF were one character.
    let atlas = text.replace("\r\n", "\n");
    let body = format!(
        "{}<Sources>{}</Sources>",
        codebook(),
        source(
            201,
            &format!("internal://{}.txt", g(201)),
            &format!(
                "{}{}",
                sel(301, span(&atlas, "Blåbær og rømme"), &[4]),
                sel(302, span(&atlas, "Ærlig talt, alt."), &[4])
            )
        )
    );
    let qde = project("ATLAS.ti for Windows 23.2.3.27778", &body);
    let name = format!("sources/{}.txt", g(201));
    let (_tmp, data, report) = import(&[("project.qde", qde.as_bytes()), (&name, text.as_bytes())], &[], &[]);
    let ex = rows(&data.join("excerpts/imported.csv"));
    assert_eq!(ex[0]["text_en"], "Blåbær og rømme");
    assert_eq!(ex[1]["text_en"], "Ærlig talt, alt.");
    assert!(any_item(&report, Part::Changed, "ATLAS.ti"));
}

#[test]
fn crlf_counted_as_two_is_cut_as_stored() {
    let text = "Første linje om æbler.\r\nAndre linje om østers.\r\n";
    let part = "æbler.\r\nAndre";
    let body = format!(
        "{}<Sources>{}</Sources>",
        codebook(),
        source(201, &format!("internal://{}.txt", g(201)), &sel(301, span(text, part), &[4]))
    );
    let qde = project("MAXQDA 2022", &body);
    let name = format!("sources/{}.txt", g(201));
    let (_tmp, data, report) = import(&[("project.qde", qde.as_bytes()), (&name, text.as_bytes())], &[], &[]);
    let ex = rows(&data.join("excerpts/imported.csv"));
    assert_eq!(ex[0]["text_en"], part, "the CRLF is inside the excerpt, as two characters");
    assert!(!any_item(&report, Part::Changed, "CRLF"));
}

#[test]
fn crlf_as_one_is_detected_without_the_origin_by_a_boundary_inside_a_line_end() {
    let text = "Første linje.\r\nAndre linje om østers og ål.\r\nTredje.\r\n";
    let lf = text.replace("\r\n", "\n");
    // Counted with CRLF as one, the second line starts where the stored text has the LF
    // of the first CRLF: between its CR and its LF.
    let (start, end) = span(&lf, "Andre linje");
    assert_eq!(text.chars().nth(start - 1), Some('\r'), "the fixture puts a boundary inside a CRLF");
    let body = format!(
        "{}<Sources>{}</Sources>",
        codebook(),
        source(201, &format!("internal://{}.txt", g(201)), &sel(301, (start, end), &[4]))
    );
    let qde = project("Some converter 1.0", &body);
    let name = format!("sources/{}.txt", g(201));
    let (_tmp, data, report) = import(&[("project.qde", qde.as_bytes()), (&name, text.as_bytes())], &[], &[]);
    assert_eq!(rows(&data.join("excerpts/imported.csv"))[0]["text_en"], "Andre linje");
    assert!(any_item(&report, Part::Changed, "between the CR and the LF"));
}

#[test]
fn text_paths_in_every_form_real_exports_use() {
    let t = |n: u32| format!("Tekst nummer {n}: bønner og ærter.");
    let sels = |n: u32| sel(300 + n, span(&t(n), "bønner og ærter"), &[4]);
    let sources = [
        source(201, &format!("internal://{}.txt", g(201)), &sels(1)),
        source(202, "sources/to.txt", &sels(2)),
        source(203, "tre.txt", &sels(3)),
        source(204, "internal://fire%20fem.txt", &sels(4)),
        format!(
            r#"<TextSource guid="{}" name="Inline"><PlainTextContent>{}</PlainTextContent>{}</TextSource>"#,
            g(205),
            t(5),
            sels(5)
        ),
    ];
    let qde = project("NVivo 14", &format!("{}<Sources>{}</Sources>", codebook(), sources.concat()));
    let (n1, n2, n3, n4) =
        (format!("Sources/{}.txt", g(201).to_uppercase()), "Sources/to.txt", "Sources/tre.txt", "Sources/fire fem.txt");
    let (_tmp, data, _) = import(
        &[
            ("project.qde", qde.as_bytes()),
            (&n1, t(1).as_bytes()),
            (n2, t(2).as_bytes()),
            (n3, t(3).as_bytes()),
            (n4, t(4).as_bytes()),
        ],
        &[],
        &[],
    );
    let ex = rows(&data.join("excerpts/imported.csv"));
    assert_eq!(ex.len(), 5);
    assert!(ex.iter().all(|r| r["text_en"] == "bønner og ærter"));
    assert_eq!(rows(&data.join("interviews.csv")).len(), 5, "each source an interview");
}

#[test]
fn a_bom_is_not_counted() {
    let mut files = usual("QualCoder 3.5");
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(TEXT.as_bytes());
    files[1].1 = with_bom;
    let (_tmp, data, report) = import(&entries(&files), &[], &[]);
    assert_eq!(rows(&data.join("excerpts/imported.csv"))[0]["text_en"], "Fra en venn på sykehuset");
    assert!(any_item(&report, Part::Changed, "byte-order mark"));
}

#[test]
fn selections_without_a_coding_and_codings_on_cases_are_listed_and_skipped() {
    let memo = format!(
        r#"<PlainTextSelection guid="{}" name="memo" startPosition="0" endPosition="10"><Description>Et notat</Description></PlainTextSelection>"#,
        g(305)
    );
    let inner = format!(
        "{}{}{}",
        sel(301, span(TEXT, "Fra en venn"), &[3]),
        memo,
        // NVivo: a coding whose CodeRef is a case.
        sel(306, span(TEXT, "Maten var god"), &[101])
    );
    let body = format!(
        "{}<Cases>{}</Cases><Sources>{}</Sources>",
        codebook(),
        case(101, "Deltaker A", &source_ref(201)),
        source(201, &format!("internal://{}.txt", g(201)), &inner)
    );
    let qde = project("NVivo 14", &body);
    let name = format!("sources/{}.txt", g(201));
    let (_tmp, data, report) = import(&[("project.qde", qde.as_bytes()), (&name, TEXT.as_bytes())], &[], &[]);
    assert_eq!(rows(&data.join("excerpts/imported.csv")).len(), 1);
    let left = items(&report, Part::LeftOut);
    assert!(
        left.iter().any(|i| i.contains("“memo”") && i.contains("no coding") && i.contains("description")),
        "{left:?}"
    );
    assert!(left.iter().any(|i| i.contains("“sel 306”") && i.contains("case “Deltaker A”")), "{left:?}");
    assert!(left.iter().any(|i| i.contains("“sel 306”") && i.contains("no coding")), "{left:?}");
    let written = fs::read_to_string(data.join("import-report.md")).unwrap();
    assert!(written.contains("“memo”"), "the report file lists them too");
}

#[test]
fn unknown_elements_notes_sets_links_and_other_sources_are_named_not_dropped() {
    let body = format!(
        r#"<Users><User guid="{}" name="Ola"/></Users>{}<Sources>{}<PDFSource guid="{}" name="Brosjyre"><PDFSelection guid="{}" page="1" firstX="0" firstY="0" secondX="1" secondY="1"/></PDFSource></Sources>
        <Notes><Note guid="{}" name="Refleksjon"><PlainTextContent>x</PlainTextContent></Note></Notes>
        <Links><Link guid="{}" name="l"/></Links><Sets><Set guid="{}" name="Utvalg"/></Sets>
        <Widgets><Widget foo="bar"/></Widgets>"#,
        g(900),
        codebook(),
        source(
            201,
            &format!("internal://{}.txt", g(201)),
            &format!("<Frobnicate/>{}", sel(301, span(TEXT, "Fra en venn"), &[3]))
        ),
        g(210),
        g(310),
        g(901),
        g(902),
        g(903),
    );
    let qde = project("QualCoder 3.5", &body);
    let name = format!("sources/{}.txt", g(201));
    let (_tmp, data, report) = import(&[("project.qde", qde.as_bytes()), (&name, TEXT.as_bytes())], &[], &[]);
    assert_eq!(rows(&data.join("excerpts/imported.csv")).len(), 1);
    for needle in ["1 user", "“Refleksjon”", "“Utvalg”", "1 link", "PDFSource “Brosjyre” with 1 selection", "<Widgets>"]
    {
        assert!(any_item(&report, Part::LeftOut, needle), "{needle} missing from {:?}", items(&report, Part::LeftOut));
    }
}

#[test]
fn cases_are_participants_and_two_cases_make_a_group() {
    let inner = format!(
        "{}{}",
        sel(301, span(TEXT, "Fra en venn på sykehuset"), &[3]),
        sel(302, span(TEXT, "Maten var god"), &[4])
    );
    let body = format!(
        "{}<Cases>{}{}{}</Cases><Sources>{}{}</Sources>",
        codebook(),
        case(101, "Anne", &source_ref(201)),
        // Bjørn names the second selection; he is its speaker.
        case(102, "Bjørn", &format!(r#"{}<SelectionRef targetGUID="{}"/>"#, source_ref(201), g(302))),
        case(103, "Cato", &source_ref(202)),
        source(201, &format!("internal://{}.txt", g(201)), &inner),
        source(202, &format!("internal://{}.txt", g(202)), &sel(303, span(TEXT, "søndager"), &[4])),
    );
    let qde = project("QualCoder 3.5", &body);
    let (a, b) = (format!("sources/{}.txt", g(201)), format!("sources/{}.txt", g(202)));
    let (_tmp, data, report) =
        import(&[("project.qde", qde.as_bytes()), (&a, TEXT.as_bytes()), (&b, TEXT.as_bytes())], &[], &[]);
    let iv = rows(&data.join("interviews.csv"));
    assert_eq!((iv[0]["kind"].as_str(), iv[0]["participants"].as_str()), ("group", "2"));
    assert_eq!((iv[1]["kind"].as_str(), iv[1]["participants"].as_str()), ("individual", "1"));
    let ex = rows(&data.join("excerpts/imported.csv"));
    let who: Vec<(&str, &str)> = ex.iter().map(|r| (r["interview"].as_str(), r["participant"].as_str())).collect();
    assert_eq!(who, [("I01", "P01"), ("I01", "P02"), ("I02", "P03")]);
    assert!(any_item(&report, Part::ToDo, "“sel 301”"), "the unattributed group excerpt is flagged");
    crate::cmd::load_and_validate(&data).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn mapped_variables_give_the_real_design() {
    let vars = format!(
        r#"<Variables><Variable guid="{}" name="Helseregion" typeOfVariable="Text"/><Variable guid="{}" name="Enhet" typeOfVariable="Text"/><Variable guid="{}" name="Modell" typeOfVariable="Text"/><Variable guid="{}" name="Alder" typeOfVariable="Text"/></Variables>"#,
        g(501),
        g(502),
        g(503),
        g(504)
    );
    let place = |r: &str, u: &str, m: &str| format!("{}{}{}", value(501, r), value(502, u), value(503, m));
    let body = format!(
        "{}{vars}<Cases>{}{}{}</Cases><Sources>{}{}{}</Sources>",
        codebook(),
        case(
            101,
            "A",
            &format!("{}{}{}", place("Nord", "Enhet A", "Egen enhet"), value(504, "40–49"), source_ref(201))
        ),
        case(102, "B", &format!("{}{}", place("Vest", "Enhet B", "Integrert"), source_ref(202))),
        case(103, "C", &format!("{}{}", place("Vest", "Enhet B", "Integrert"), source_ref(202))),
        source(201, "a.txt", &sel(301, span(TEXT, "Fra en venn"), &[3])),
        source(202, "b.txt", &sel(302, span(TEXT, "Maten var god"), &[4])),
        // No case: the source carries the values itself.
        source(
            203,
            "c.txt",
            &format!("{}{}", sel(303, span(TEXT, "søndager"), &[4]), place("Nord", "Enhet A", "Egen enhet"))
        ),
    );
    let qde = project("QualCoder 3.5", &body);
    let files = [
        ("project.qde", qde.as_bytes()),
        ("sources/a.txt", TEXT.as_bytes()),
        ("sources/b.txt", TEXT.as_bytes()),
        ("sources/c.txt", TEXT.as_bytes()),
    ];
    let (_tmp, data, report) = import(&files, &["Helseregion=region", "enhet=unit", "Modell=model"], &["nb", "en"]);
    // The variable seen but not mapped is listed, with how to map it; the mapped ones are not.
    let unmapped: Vec<String> =
        items(&report, Part::LeftOut).into_iter().filter(|i| i.starts_with("variable ")).collect();
    assert_eq!(unmapped.len(), 1, "{unmapped:?}");
    assert!(unmapped[0].contains("“Alder” (set on 1 case(s) and 0 source(s))") && unmapped[0].contains("--map Alder="));
    let study = crate::cmd::load_and_validate(&data).unwrap_or_else(|e| panic!("{e}")).study;
    let regions: Vec<(&str, &str)> = study.regions.iter().map(|r| (r.id.as_str(), r.name.get("nb"))).collect();
    assert_eq!(regions, [("nord", "Nord"), ("vest", "Vest")]);
    let models: Vec<(&str, &str)> = study.models.iter().map(|m| (m.id.as_str(), m.short.get("en"))).collect();
    assert_eq!(models, [("M1", "Egen enhet"), ("M2", "Integrert")]);
    let units: Vec<(&str, &str, &str)> =
        study.units.iter().map(|u| (u.id.as_str(), u.region.as_str(), u.model.as_str())).collect();
    assert_eq!(units, [("enhet-a", "nord", "M1"), ("enhet-b", "vest", "M2")]);
    let iv: Vec<(&str, &str, u32)> =
        study.interviews.iter().map(|i| (i.id.as_str(), i.unit.as_str(), i.participants)).collect();
    assert_eq!(iv, [("I01", "enhet-a", 1), ("I02", "enhet-b", 2), ("I03", "enhet-a", 1)]);
}

#[test]
fn an_interview_variable_joins_sources_into_one_interview() {
    let vars = format!(r#"<Variables><Variable guid="{}" name="Intervju" typeOfVariable="Text"/></Variables>"#, g(501));
    let body = format!(
        "{}{vars}<Sources>{}{}</Sources>",
        codebook(),
        source(201, "a.txt", &format!("{}{}", sel(301, span(TEXT, "Fra en venn"), &[3]), value(501, "Gruppe 7"))),
        source(202, "b.txt", &format!("{}{}", sel(302, span(TEXT, "Maten"), &[4]), value(501, "Gruppe 7"))),
    );
    let qde = project("QualCoder 3.5", &body);
    let files =
        [("project.qde", qde.as_bytes()), ("sources/a.txt", TEXT.as_bytes()), ("sources/b.txt", TEXT.as_bytes())];
    let (_tmp, data, _) = import(&files, &["Intervju=interview"], &[]);
    let iv = rows(&data.join("interviews.csv"));
    assert_eq!(iv.len(), 1);
    assert_eq!(iv[0]["id"], "Gruppe-7");
    assert_eq!(iv[0]["guid"], format!("{};{}", g(201), g(202)));
    assert!(rows(&data.join("excerpts/imported.csv")).iter().all(|r| r["interview"] == "Gruppe-7"));
}

#[test]
fn mapping_mistakes_are_errors_and_write_nothing() {
    let vars = format!(r#"<Variables><Variable guid="{}" name="Region" typeOfVariable="Text"/></Variables>"#, g(501));
    let body = format!(
        "{}{vars}<Cases>{}{}</Cases><Sources>{}</Sources>",
        codebook(),
        case(101, "A", &format!("{}{}", value(501, "Nord"), source_ref(201))),
        case(102, "B", &format!("{}{}", value(501, "Sør"), source_ref(201))),
        source(201, "a.txt", &sel(301, span(TEXT, "Fra en venn"), &[3])),
    );
    let qde = project("QualCoder 3.5", &body);
    let tmp = TempDir::new();
    let file = qdpx(tmp.path(), &[("project.qde", qde.as_bytes()), ("sources/a.txt", TEXT.as_bytes())]);
    let into = tmp.path().join("data");
    for (maps, needle) in [
        (&["Region=region"][..], "agree"),
        (&["Fylke=region"][..], "no variable `Fylke`"),
        (&["Region=county"][..], "expected the field"),
        (&["Region"][..], "VARIABLE=FIELD"),
        (&["Region=region", "Region=region"][..], "already mapped"),
    ] {
        let err = run(&file, &into, maps, &[]).unwrap_err().to_string();
        assert!(err.contains(needle), "{maps:?}: {err}");
        assert!(!into.exists());
    }
}

#[test]
fn long_selections_are_written_and_flagged() {
    let long_text = format!("{} slutt.", ["ord"; 60].join(" "));
    let body = format!(
        "{}<Sources>{}</Sources>",
        codebook(),
        source(201, "a.txt", &sel(301, (0, long_text.chars().count()), &[4]))
    );
    let qde = project("QualCoder 3.5", &body);
    let (_tmp, data, report) =
        import(&[("project.qde", qde.as_bytes()), ("sources/a.txt", long_text.as_bytes())], &[], &[]);
    assert_eq!(rows(&data.join("excerpts/imported.csv"))[0]["text_en"], long_text);
    assert!(any_item(&report, Part::ToDo, "E0001 has 61 words"), "{:?}", items(&report, Part::ToDo));
}

// ---- hostile and malformed files: each is an error and writes nothing ----

/// Import `entries`; it must fail with a message containing `needle`, leave `data` absent
/// and leave nothing else beside it.
fn refused(entries: &[(&str, &[u8])], needle: &str) {
    refused_with(entries, needle, &Limits::default());
}

fn refused_with(entries: &[(&str, &[u8])], needle: &str, limits: &Limits) {
    let tmp = TempDir::new();
    let file = qdpx(tmp.path(), entries);
    refused_file(&file, tmp.path(), needle, limits);
}

fn refused_file(file: &Path, dir: &Path, needle: &str, limits: &Limits) {
    let into = dir.join("data");
    let err = match import_qdpx_with(file, &into, &[], &[], limits) {
        Ok(_) => panic!("expected the import to fail with `{needle}`"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains(needle), "expected `{needle}` in: {err}");
    assert!(!into.exists(), "nothing may be written");
    let left: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "p.qdpx" && n != "p.qdc")
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// The usual project with its `project.qde` replaced.
fn with_qde(qde: &str) -> Vec<(String, Vec<u8>)> {
    let mut files = usual("QualCoder 3.5");
    files[0].1 = qde.as_bytes().to_vec();
    files
}

#[test]
fn not_a_zip_is_refused() {
    let tmp = TempDir::new();
    let file = tmp.path().join("p.qdpx");
    fs::write(&file, "<Project/> is not an archive").unwrap();
    refused_file(&file, tmp.path(), "not a readable ZIP", &Limits::default());
    let empty = qdpx(tmp.path(), &[("readme.txt", b"hello")]);
    refused_file(&empty, tmp.path(), "no project.qde", &Limits::default());
}

#[test]
fn a_zip_bomb_is_refused() {
    // 8 MiB of one byte deflates about a thousandfold.
    let bomb = vec![b'a'; 8 << 20];
    let mut files = usual("QualCoder 3.5");
    files.push(("sources/bomb.txt".into(), bomb.clone()));
    refused(&entries(&files), "zip bomb");
    // The same inside project.qde, read with a looser declared check: the streaming check stops it.
    let mut qde = usual("QualCoder 3.5")[0].1.clone();
    qde.extend(std::iter::repeat_n(b' ', 8 << 20));
    let loose = Limits { ratio_floor: u64::MAX, ..Limits::default() };
    let strict_stream = Limits { max_entry_bytes: 1 << 20, ..loose.clone() };
    refused_with(&entries(&with_qde(std::str::from_utf8(&qde).unwrap())), "expands past", &strict_stream);
}

/// Rewrite the declared uncompressed size of entry `name` (local and central headers),
/// as a crafted bomb does to slip past a check of the directory.
fn lie_about_size(zip: &mut [u8], name: &str, size: u32) {
    let mut patched = 0;
    for i in 0..zip.len().saturating_sub(46) {
        // (where the name starts, where the size is, where the name's length is)
        let (name_at, size_at, len_at) = match &zip[i..i + 4] {
            [0x50, 0x4b, 0x03, 0x04] => (30, 22, 26),
            [0x50, 0x4b, 0x01, 0x02] => (46, 24, 28),
            _ => continue,
        };
        let len = u16::from_le_bytes([zip[i + len_at], zip[i + len_at + 1]]) as usize;
        if zip.get(i + name_at..i + name_at + len) == Some(name.as_bytes()) {
            zip[i + size_at..i + size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "both headers of `{name}` found");
}

#[test]
fn a_zip_bomb_with_lying_headers_is_stopped_while_reading() {
    let mut qde = usual("QualCoder 3.5")[0].1.clone();
    qde.extend(std::iter::repeat_n(b' ', 16 << 20));
    let mut files = usual("QualCoder 3.5");
    files[0].1 = qde;
    let tmp = TempDir::new();
    let file = qdpx(tmp.path(), &entries(&files));
    let mut bytes = fs::read(&file).unwrap();
    lie_about_size(&mut bytes, "project.qde", 1000);
    fs::write(&file, bytes).unwrap();
    refused_file(&file, tmp.path(), "zip bomb", &Limits::default());
}

#[test]
fn too_many_entries_or_bytes_are_refused() {
    let files = usual("QualCoder 3.5");
    refused_with(&entries(&files), "entries", &Limits { max_entries: 1, ..Limits::default() });
    refused_with(&entries(&files), "in total", &Limits { max_total_bytes: 600, ..Limits::default() });
}

#[test]
fn paths_that_leave_the_archive_are_refused() {
    for bad in ["../x.txt", "/etc/x.txt", "sources/../../x.txt", "C:\\x.txt", "..\\x.txt"] {
        let mut files = usual("QualCoder 3.5");
        files.push((bad.to_string(), b"x".to_vec()));
        refused(&entries(&files), "leaves the archive");
    }
    for (bad, needle) in [
        ("absolute:///etc/passwd", "outside the archive"),
        ("file:///etc/passwd", "outside the archive"),
        ("../../etc/passwd", "leaves the archive"),
        ("/etc/passwd", "leaves the archive"),
        ("internal://../x.txt", "leaves the archive"),
    ] {
        let body = format!("{}<Sources>{}</Sources>", codebook(), source(201, bad, &sel(301, (0, 3), &[4])));
        let files = with_qde(&project("QualCoder 3.5", &body));
        refused(&entries(&files), needle);
    }
}

#[test]
fn a_missing_text_file_is_refused() {
    let body =
        format!("{}<Sources>{}</Sources>", codebook(), source(201, "internal://nowhere.txt", &sel(301, (0, 3), &[4])));
    refused(&entries(&with_qde(&project("QualCoder 3.5", &body))), "not in the archive");
}

#[test]
fn doctype_and_entity_tricks_are_refused() {
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><Project name="x">&lol2;</Project>"#;
    refused(&entries(&with_qde(laughs)), "DOCTYPE");
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Project name="&xxe;"/>"#;
    refused(&entries(&with_qde(xxe)), "DOCTYPE");
    let undeclared = project("QualCoder 3.5", "<Description>&xxe;</Description>");
    refused(&entries(&with_qde(&undeclared)), "entity");
    refused(&entries(&with_qde("<Project name=\"x\"><CodeBook></Project>")), "not well-formed");
    refused(&entries(&with_qde("<CodeBook/>")), "expected a REFI-QDA project");
}

#[test]
fn bad_offsets_are_refused() {
    let past = format!(
        "{}<Sources>{}</Sources>",
        codebook(),
        source(201, &format!("internal://{}.txt", g(201)), &sel(301, (10, TEXT.chars().count() + 1), &[4]))
    );
    refused(&entries(&with_qde(&project("QualCoder 3.5", &past))), "within the source's");
    let backwards = format!(
        "{}<Sources>{}</Sources>",
        codebook(),
        source(201, &format!("internal://{}.txt", g(201)), &sel(301, (9, 4), &[4]))
    );
    refused(&entries(&with_qde(&project("QualCoder 3.5", &backwards))), "startPosition ≤ endPosition");
    let negative =
        with_qde(&project("QualCoder 3.5", &backwards.replace("startPosition=\"9\"", "startPosition=\"-1\"")));
    refused(&entries(&negative), "whole number");
}

#[test]
fn duplicate_guids_are_refused() {
    // The same GUID in braces and upper case is still the same GUID.
    let again = g(1).to_uppercase();
    let body = format!(
        r#"<CodeBook><Codes>{}<Code guid="{{{again}}}" name="To" isCodable="true"/></Codes></CodeBook><Sources>{}</Sources>"#,
        code(1, "En", ""),
        source(201, &format!("internal://{}.txt", g(201)), &sel(301, (0, 3), &[1]))
    );
    refused(&entries(&with_qde(&project("QualCoder 3.5", &body))), "unique GUID");
}

#[test]
fn references_that_do_not_resolve_are_refused() {
    let src = |inner: &str| source(201, &format!("internal://{}.txt", g(201)), inner);
    let code_ref = format!("{}<Sources>{}</Sources>", codebook(), src(&sel(301, (0, 3), &[77])));
    refused(&entries(&with_qde(&project("QualCoder 3.5", &code_ref))), "which is not in the project");
    let source_ref_bad =
        format!("{}<Cases>{}</Cases><Sources>{}</Sources>", codebook(), case(101, "A", &source_ref(299)), src(""));
    refused(&entries(&with_qde(&project("QualCoder 3.5", &source_ref_bad))), "GUID of a source");
    let var_ref = format!("{}<Sources>{}</Sources>", codebook(), src(&value(599, "x")));
    refused(&entries(&with_qde(&project("QualCoder 3.5", &var_ref))), "GUID of a variable");
}

#[test]
fn a_non_empty_target_is_never_touched() {
    let tmp = TempDir::new();
    let files = usual("QualCoder 3.5");
    let file = qdpx(tmp.path(), &entries(&files));
    let into = tmp.path().join("data");
    fs::create_dir(&into).unwrap();
    fs::write(into.join("study.toml"), "mine").unwrap();
    let err = run(&file, &into, &[], &[]).unwrap_err().to_string();
    assert!(err.contains("not empty"), "{err}");
    assert_eq!(fs::read_to_string(into.join("study.toml")).unwrap(), "mine");
    assert_eq!(fs::read_dir(&into).unwrap().count(), 1);
    // An empty directory is fine and is filled.
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    run(&file, &empty, &[], &[]).unwrap();
    assert!(empty.join("study.toml").is_file());
    let names: Vec<String> =
        fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "no temporary directory is left: {names:?}");
}

// ---- codebooks ----

fn reference_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

#[test]
fn our_codebook_survives_a_round_trip_through_qdc() {
    let data = reference_data();
    let (study, _) = crate::study::load(&data, &crate::lang::Lang::yes_no).unwrap();
    let tmp = TempDir::new();
    let out = tmp.path().join("codebook.qdc");
    export_qdc(&data, &out, Some("en")).unwrap();
    let xml_text = fs::read_to_string(&out).unwrap();
    assert!(xml_text.contains("xmlns=\"urn:QDA-XML:codebook:1.0\""));
    let into = tmp.path().join("imported");
    import_qdc_report(&out, &into, &["en".into()]).unwrap();
    let cb = rows(&into.join("codebook.csv"));
    assert_eq!(cb.len(), study.codes.len(), "same number of codes");
    // The ids come back from the names; the derived GUIDs say which code each row was.
    let old_of_guid: BTreeMap<String, &crate::study::Code> =
        study.codes.iter().map(|c| (qdc::guid_for(&study.meta.slug, &c.id), c)).collect();
    let old_of_new: BTreeMap<&str, &str> =
        cb.iter().map(|r| (r["id"].as_str(), old_of_guid[&r["guid"]].id.as_str())).collect();
    for row in &cb {
        let old = old_of_guid[&row["guid"]];
        assert_eq!(row["id"], old.id.as_str(), "the id survives");
        assert_eq!(row["label_en"], old.label.get("en"));
        assert_eq!(row["description_en"], old.description.get("en"));
        let parent = (!row["parent"].is_empty()).then(|| old_of_new[row["parent"].as_str()]);
        assert_eq!(parent, old.parent.as_deref(), "same hierarchy for {}", old.id);
    }
}

#[test]
fn export_is_deterministic_with_v4_shaped_guids() {
    let data = reference_data();
    let tmp = TempDir::new();
    let (a, b) = (tmp.path().join("a.qdc"), tmp.path().join("b.qdc"));
    export_qdc(&data, &a, None).unwrap();
    export_qdc(&data, &b, None).unwrap();
    assert_eq!(fs::read(&a).unwrap(), fs::read(&b).unwrap());
    let guid = qdc::guid_for("slug", "T01");
    assert_eq!(guid, qdc::guid_for("slug", "T01"));
    assert_ne!(guid, qdc::guid_for("slug", "T02"));
    let parts: Vec<&str> = guid.split('-').collect();
    assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
    assert!(parts[2].starts_with('4') && "89ab".contains(&parts[3][..1]));
    // Names in the requested language; an undeclared language is refused.
    export_qdc(&data, &a, Some("nb")).unwrap();
    assert!(fs::read_to_string(&a).unwrap().contains("name=\"T01 Distribuert informasjon\""));
    assert!(export_qdc(&data, &a, Some("de")).is_err());
}

#[test]
fn qdc_import_refuses_an_existing_codebook_and_bad_files() {
    let tmp = TempDir::new();
    let qdc = tmp.path().join("p.qdc");
    let xml = format!(
        r#"<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0">{}</CodeBook>"#,
        &codebook()["<CodeBook>".len()..codebook().len() - "</CodeBook>".len()]
    );
    fs::write(&qdc, &xml).unwrap();
    let into = tmp.path().join("study");
    fs::create_dir(&into).unwrap();
    let study = "languages = [\"nb\", \"en\"] # kept\n";
    fs::write(into.join("study.toml"), study).unwrap();
    // The study's languages, without --lang; a codebook has no offsets to account for.
    let report = import_qdc_report(&qdc, &into, &[]).unwrap();
    assert!(report.preamble.iter().any(|l| l.starts_with("Languages nb, en, from")), "{:?}", report.preamble);
    assert!(!report.markdown(None).contains("How offsets were read"));
    let cb = rows(&into.join("codebook.csv"));
    assert_eq!(cb.len(), 4);
    assert_eq!((cb[2]["parent"].as_str(), cb[2]["label_nb"].as_str()), ("C002", "Fra venner på sykehuset"));
    let before = fs::read(into.join("codebook.csv")).unwrap();
    let err = import_qdc_report(&qdc, &into, &[]).unwrap_err().to_string();
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(fs::read(into.join("codebook.csv")).unwrap(), before);
    assert_eq!(fs::read_to_string(into.join("study.toml")).unwrap(), study);
    // A --lang other than the study's is refused.
    fs::remove_file(into.join("codebook.csv")).unwrap();
    let err = import_qdc_report(&qdc, &into, &["en".into()]).unwrap_err().to_string();
    assert!(err.contains("written in nb, en"), "{err}");
    assert!(!into.join("codebook.csv").exists());
    import_qdc_report(&qdc, &into, &["nb".into(), "en".into()]).unwrap();
    assert_eq!(fs::read(into.join("codebook.csv")).unwrap(), before, "the same --lang as the study is fine");
    // The study file is read through its types: a languages field of the wrong kind is
    // named with the file and line, and nothing is written.
    fs::remove_file(into.join("codebook.csv")).unwrap();
    fs::write(into.join("study.toml"), "title = \"x\"\nlanguages = \"nb\"\n").unwrap();
    let err = import_qdc_report(&qdc, &into, &[]).unwrap_err().to_string();
    assert!(err.contains("study.toml") && err.contains(":2") && err.contains("languages"), "{err}");
    assert!(!into.join("codebook.csv").exists());
    for (bad, needle) in [
        (r#"<!DOCTYPE x [<!ENTITY a "b">]><CodeBook/>"#.to_string(), "DOCTYPE"),
        ("<Project name=\"x\"/>".to_string(), "expected a REFI-QDA codebook"),
        (xml.replace(&g(4), &g(1)), "unique GUID"),
        ("<CodeBook><Codes/></CodeBook>".to_string(), "no codes"),
    ] {
        let fresh = tmp.path().join("fresh");
        fs::write(&qdc, bad).unwrap();
        let err = import_qdc_report(&qdc, &fresh, &[]).unwrap_err().to_string();
        assert!(err.contains(needle), "{needle}: {err}");
        assert!(!fresh.exists());
    }
}

/// A code named `name` at the top level, for the id-from-name tests.
fn named(name: &str) -> project::QdaCode {
    project::QdaCode {
        guid: String::new(),
        name: name.into(),
        codable: true,
        description: None,
        color: None,
        parent: None,
        depth: 0,
    }
}

#[test]
fn ids_come_from_names_only_when_every_code_has_a_distinct_one() {
    let codes = |names: &[&str]| names.iter().map(|n| named(n)).collect::<Vec<_>>();
    let (ids, labels) =
        qdc::ids_from_names(&codes(&["T01 Informasjon", "T01.1 Fra venner  ", "X9 A b"]), false).unwrap();
    assert_eq!(ids, ["T01", "T01.1", "X9"]);
    assert_eq!(labels, ["Informasjon", "Fra venner", "A b"]);
    for names in [
        &["T01 Informasjon", "Fra venner"][..],      // one code without an id
        &["T01 Informasjon", "t01 Fra venner"][..],  // the same id twice, up to case
        &["Trust in staff", "Waiting times"][..],    // ordinary words: no digit
        &["1. Oltás típusa", "2. Attitűd"][..],      // a numbered list: `1.` is no id
        &["T01", "T02 Fra venner"][..],              // an id without a label
        &["T0#1 Informasjon", "T02 Fra venner"][..], // breaks the id rule
    ] {
        assert!(qdc::ids_from_names(&codes(names), false).is_none(), "{names:?}");
    }
    // Ids without a digit count only in a file bsb wrote.
    let plain = codes(&["A Tema", "A.1 Undertema"]);
    assert!(qdc::ids_from_names(&plain, false).is_none());
    assert_eq!(qdc::ids_from_names(&plain, true).unwrap().0, ["A", "A.1"]);
    assert!(qdc::ids_from_names(&codes(&["T01 Informasjon", "Venner"]), true).is_none());
}
