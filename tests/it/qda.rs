//! Real exports of QDA tools (`tests/fixtures/qdpx/`, see its SOURCES.md) through `bsb
//! import`, and every character a participant wrote through both PDF standards.
//!
//! What each fixture should give is computed here from its XML, read with quick-xml on its
//! own terms (not with the importer's code): the distinct coded passages, the code tree, and
//! each passage's text cut from the source in the unit the tool counts in.

use std::io::Read as _;

use quick_xml::events::Event;

use crate::common::*;

fn fixtures(ext: &str) -> Vec<PathBuf> {
    let dir = root().join("tests/fixtures/qdpx");
    let mut v: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no .{ext} fixture in {}", dir.display());
    v
}

/// A code as the XML nests it: GUID, name, parent GUID (all GUIDs in lower case).
type CodeNode = (String, String, Option<String>);

/// What a project or codebook says, as read here.
#[derive(Default)]
struct Xml {
    origin: String,
    codes: Vec<CodeNode>,
    /// Source GUID → plainTextPath.
    paths: BTreeMap<String, String>,
    /// (source GUID, start, end) → GUIDs of the codes coded there.
    passages: BTreeMap<(String, usize, usize), Vec<String>>,
    /// Selection GUID → (source GUID, start, end).
    selections: BTreeMap<String, (String, usize, usize)>,
}

fn attr(e: &quick_xml::events::BytesStart, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| a.unescape_value().unwrap().into_owned())
}

fn read_xml(text: &str) -> Xml {
    let mut x = Xml::default();
    let mut r = quick_xml::Reader::from_str(text);
    let mut code_stack: Vec<String> = Vec::new();
    let (mut source, mut selection): (Option<String>, Option<(String, usize, usize)>) = (None, None);
    let mut sel_codes: Vec<String> = Vec::new();
    loop {
        let ev = r.read_event().unwrap();
        let (e, empty) = match &ev {
            Event::Start(e) => (e.clone(), false),
            Event::Empty(e) => (e.clone(), true),
            Event::End(e) => {
                match e.local_name().as_ref() {
                    b"Code" => {
                        code_stack.pop();
                    }
                    b"PlainTextSelection" => close_selection(&mut x, &mut selection, &mut sel_codes),
                    b"TextSource" => source = None,
                    _ => {}
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        match e.local_name().as_ref() {
            b"Project" | b"CodeBook" if x.origin.is_empty() => x.origin = attr(&e, b"origin").unwrap_or_default(),
            b"Code" => {
                let guid = attr(&e, b"guid").unwrap().to_lowercase();
                x.codes.push((guid.clone(), attr(&e, b"name").unwrap_or_default(), code_stack.last().cloned()));
                if !empty {
                    code_stack.push(guid);
                }
            }
            b"TextSource" => {
                let guid = attr(&e, b"guid").unwrap().to_lowercase();
                x.paths.insert(guid.clone(), attr(&e, b"plainTextPath").unwrap_or_default());
                if !empty {
                    source = Some(guid);
                }
            }
            b"PlainTextSelection" => {
                let n = |k: &[u8]| attr(&e, k).unwrap().trim().parse::<usize>().unwrap();
                let range = (source.clone().unwrap(), n(b"startPosition"), n(b"endPosition"));
                x.selections.insert(attr(&e, b"guid").unwrap().to_lowercase(), range.clone());
                selection = Some(range);
                sel_codes.clear();
                if empty {
                    close_selection(&mut x, &mut selection, &mut sel_codes);
                }
            }
            b"CodeRef" if selection.is_some() => sel_codes.push(attr(&e, b"targetGUID").unwrap().to_lowercase()),
            _ => {}
        }
    }
    // Codings that point at something other than a code (NVivo points some at cases) do not count.
    let codes: std::collections::BTreeSet<&String> = x.codes.iter().map(|c| &c.0).collect();
    for v in x.passages.values_mut() {
        v.retain(|c| codes.contains(c));
    }
    x.passages.retain(|(_, a, b), v| !v.is_empty() && a < b);
    x
}

fn close_selection(x: &mut Xml, selection: &mut Option<(String, usize, usize)>, codes: &mut Vec<String>) {
    if let Some(range) = selection.take() {
        let entry = x.passages.entry(range).or_default();
        for c in codes.drain(..) {
            if !entry.contains(&c) {
                entry.push(c);
            }
        }
    }
}

/// Every entry of a ZIP archive, by name.
fn unzip(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut z = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        let mut bytes = Vec::new();
        e.read_to_end(&mut bytes).unwrap();
        out.insert(e.name().to_string(), bytes);
    }
    out
}

/// `text[start..end]` counting UTF-16 code units (NVivo) or code points (the standard).
fn slice(text: &str, start: usize, end: usize, utf16: bool) -> String {
    if utf16 {
        let units: Vec<u16> = text.encode_utf16().collect();
        String::from_utf16(&units[start..end]).expect("a cut between characters")
    } else {
        text.chars().skip(start).take(end - start).collect()
    }
}

/// The import's excerpts, codebook and report for one fixture.
fn import(file: &Path, into: &Path) -> (Vec<BTreeMap<String, String>>, Vec<BTreeMap<String, String>>, String) {
    let o = bsb(&[
        "import",
        "qdpx",
        file.to_str().unwrap(),
        "--into",
        into.to_str().unwrap(),
        "--lang",
        "nb",
        "--lang",
        "en",
    ]);
    assert!(o.status.success(), "{}: {}", file.display(), text_of(&o));
    let report = fs::read_to_string(into.join("import-report.md")).unwrap();
    (read_csv(&into.join("excerpts/imported.csv")), read_csv(&into.join("codebook.csv")), report)
}

/// The code tree of an imported codebook, in the XML's terms.
fn tree(codebook: &[BTreeMap<String, String>]) -> Vec<CodeNode> {
    let guid_of: BTreeMap<&str, String> =
        codebook.iter().map(|r| (r["id"].as_str(), r["guid"].to_lowercase())).collect();
    codebook
        .iter()
        .map(|r| (r["guid"].to_lowercase(), r["label_en"].clone(), guid_of.get(r["parent"].as_str()).cloned()))
        .collect()
}

#[test]
fn every_fixture_gives_one_exact_excerpt_per_coded_passage() {
    for file in fixtures("qdpx") {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let entries = unzip(&file);
        let x = read_xml(std::str::from_utf8(&entries["project.qde"]).unwrap());
        // NVivo counts UTF-16 code units; the standard (and every other tool) code points.
        let utf16 = x.origin.contains("NVivo");
        let text_of_source = |guid: &str| -> String {
            let file = x.paths[guid].rsplit('/').next().unwrap().to_lowercase();
            let (_, bytes) = entries.iter().find(|(n, _)| n.to_lowercase().ends_with(&file)).unwrap();
            String::from_utf8(bytes.clone()).unwrap().trim_start_matches('\u{feff}').to_string()
        };
        let texts: BTreeMap<&String, String> = x.paths.keys().map(|g| (g, text_of_source(g))).collect();
        let selections = x.selections.len();
        assert!(x.passages.len() < selections, "{name}: the fixture has selections sharing a range");

        let tmp = TempDir::new();
        let data = tmp.path().join("data");
        let (excerpts, codebook, report) = import(&file, &data);
        assert_eq!(excerpts.len(), x.passages.len(), "{name}: one excerpt per distinct coded passage");
        let code_guid: BTreeMap<&str, String> =
            codebook.iter().map(|r| (r["id"].as_str(), r["guid"].to_lowercase())).collect();
        let mut seen = std::collections::BTreeSet::new();
        for e in &excerpts {
            let guids: Vec<String> = e["guid"].split(';').map(|g| g.to_lowercase()).collect();
            let range = &x.selections[&guids[0]];
            for g in &guids {
                assert_eq!(&x.selections[g], range, "{name} {}: its selections share one range", e["id"]);
            }
            assert!(seen.insert(range.clone()), "{name}: range {range:?} is one excerpt only");
            let expected = slice(&texts[&range.0], range.1, range.2, utf16);
            assert_eq!(e["text_en"], expected, "{name} {}", e["id"]);
            assert_eq!(e["text_nb"], expected, "{name} {}", e["id"]);
            let mut codes: Vec<String> = e["codes"].split(';').map(|c| code_guid[c].clone()).collect();
            let mut want = x.passages[range].clone();
            codes.sort();
            want.sort();
            assert_eq!(codes, want, "{name} {}: all the codes of the passage", e["id"]);
        }
        assert_eq!(tree(&codebook), x.codes, "{name}: the code tree is kept, in order");
        let unit = if utf16 { "read as UTF-16 code units" } else { "read as code points" };
        assert!(report.contains(unit), "{name}: the report says how offsets were read:\n{report}");

        // The analyst's part before a build: excerpts are short paraphrases (at most 50
        // words); the longest quotations are cut to their first 40 words here.
        let path = data.join("excerpts/imported.csv");
        let mut w = csv::Writer::from_path(&path).unwrap();
        let header: Vec<&str> = ["id", "interview", "participant", "codes", "text_nb", "text_en", "guid"].to_vec();
        w.write_record(&header).unwrap();
        for e in &excerpts {
            // Tokens are kept while the text has at most 40 words of letters and digits.
            let short = |t: &str| {
                let mut kept: Vec<&str> = Vec::new();
                for token in t.split_whitespace() {
                    kept.push(token);
                    let words = kept
                        .join(" ")
                        .split(|c: char| !c.is_alphanumeric() && c != '-')
                        .filter(|w| !w.is_empty())
                        .count();
                    if words > 40 {
                        kept.pop();
                        break;
                    }
                }
                kept.join(" ")
            };
            let row: Vec<String> =
                header.iter().map(|h| if h.starts_with("text_") { short(&e[*h]) } else { e[*h].clone() }).collect();
            w.write_record(&row).unwrap();
        }
        w.flush().unwrap();
        let out = tmp.path().join("out");
        build_into(&data, &out);
        let o = bsb(&["check", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{name}: check: {}", text_of(&o));
        let pdfs = fs::read_dir(out.join("report/out"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "pdf"))
            .count();
        assert_eq!(pdfs, 2, "{name}: both languages");
    }
}

#[test]
fn codebooks_from_other_tools_keep_names_parents_and_guids() {
    for file in fixtures("qdc") {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let x = read_xml(&fs::read_to_string(&file).unwrap());
        let tmp = TempDir::new();
        let into = tmp.path().join("data");
        let o = bsb(&["import", "qdc", file.to_str().unwrap(), "--into", into.to_str().unwrap()]);
        assert!(o.status.success(), "{name}: {}", text_of(&o));
        let cb = read_csv(&into.join("codebook.csv"));
        assert_eq!(tree(&cb), x.codes, "{name}");
    }
}

/// Writes a study whose codebook carries GUIDs and colours (as an import leaves it).
fn study_with_guids(langs: &[&str]) -> (TempDir, PathBuf, Vec<(String, String, Option<String>, String)>) {
    let (tmp, data) = temp_study(1, 1, langs);
    let cb = read_csv(&data.join("codebook.csv"));
    let mut w = csv::Writer::from_path(data.join("codebook.csv")).unwrap();
    let mut header: Vec<String> = cb[0].keys().cloned().collect();
    header.extend(["guid".to_string(), "color".to_string()]);
    w.write_record(&header).unwrap();
    let mut want = Vec::new();
    for (i, r) in cb.iter().enumerate() {
        let guid = format!("{:08X}-6F6F-4B0C-8BE5-{:012X}", 0x1FF5_8B12u32 + i as u32, 0xBBDC_91F5_5294u64 + i as u64);
        let colour = format!("#{:02X}AA{:02X}", 0x40 + i * 16, 0x10 * i);
        let mut row: Vec<String> = cb[0].keys().map(|k| r[k].clone()).collect();
        row.extend([guid.clone(), colour.clone()]);
        w.write_record(&row).unwrap();
        let parent = cb.iter().position(|p| !r["parent"].is_empty() && p["id"] == r["parent"]);
        // The export names each code `<id> <label>`, so a re-import keeps the id.
        let name = format!("{} {}", r["id"], r[&format!("label_{}", langs[0])]);
        want.push((guid, name, parent.map(|p| p.to_string()), colour));
    }
    w.flush().unwrap();
    // Parents by GUID rather than by row.
    let guids: Vec<String> = want.iter().map(|w| w.0.clone()).collect();
    for w in want.iter_mut() {
        w.2 = w.2.as_ref().map(|p| guids[p.parse::<usize>().unwrap()].clone());
    }
    (tmp, data, want)
}

/// (GUID, name, parent GUID, colour) of each code of a `.qdc`, read here.
fn qdc_codes(path: &Path) -> Vec<(String, String, Option<String>, String)> {
    let text = fs::read_to_string(path).unwrap();
    let x = read_xml(&text);
    let mut colours = BTreeMap::new();
    let mut r = quick_xml::Reader::from_str(&text);
    loop {
        match r.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"Code" => {
                colours.insert(attr(&e, b"guid").unwrap().to_lowercase(), attr(&e, b"color").unwrap_or_default());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    x.codes.into_iter().map(|(g, n, p)| (g.clone(), n, p, colours[&g].clone())).collect()
}

#[test]
fn qdc_export_then_import_is_the_identity_and_takes_the_studys_languages() {
    let (tmp, data, want) = study_with_guids(&["nb", "en"]);
    let lower = |v: Vec<(String, String, Option<String>, String)>| -> Vec<_> {
        v.into_iter().map(|(g, n, p, c)| (g.to_lowercase(), n, p.map(|p| p.to_lowercase()), c)).collect::<Vec<_>>()
    };
    let first = tmp.path().join("first.qdc");
    let o = bsb(&["export", "qdc", "--data", data.to_str().unwrap(), "--out", first.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text_of(&o));
    let mut got = qdc_codes(&first);
    let mut expected = lower(want);
    got.sort();
    expected.sort();
    assert_eq!(got, expected, "the export writes the codebook's own GUIDs and colours");

    // Into the same study, without --lang: the codebook takes the study's languages.
    fs::remove_file(data.join("codebook.csv")).unwrap();
    let o = bsb(&["import", "qdc", first.to_str().unwrap(), "--into", data.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text_of(&o));
    let cb = read_csv(&data.join("codebook.csv"));
    for l in ["nb", "en"] {
        assert!(cb[0].contains_key(&format!("label_{l}")) && cb[0].contains_key(&format!("description_{l}")), "{l}");
    }
    // And back out: the same names, parents, GUIDs and colours.
    let second = tmp.path().join("second.qdc");
    let o = bsb(&["export", "qdc", "--data", data.to_str().unwrap(), "--out", second.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text_of(&o));
    let mut again = qdc_codes(&second);
    again.sort();
    assert_eq!(again, got);

    // A --lang that is not the study's is refused, and nothing is written.
    fs::remove_file(data.join("codebook.csv")).unwrap();
    let o = bsb(&["import", "qdc", first.to_str().unwrap(), "--into", data.to_str().unwrap(), "--lang", "en"]);
    assert_eq!(o.status.code(), Some(1), "{}", text_of(&o));
    assert!(text_of(&o).contains("nb, en"), "{}", text_of(&o));
    assert!(!data.join("codebook.csv").exists());
}

/// A project as NVivo writes it (UTF-16 offsets, CRLF, one selection per coding), on a
/// text full of emoji and the scripts Norwegian services meet.
fn many_scripts_project(dir: &Path) -> (PathBuf, Vec<String>) {
    use std::io::Write as _;
    let lines = [
        "Mun lean boahtán Kárášjohkii čakčat, ja dat lei buorre 😀👍🏽",
        "Đáŋgu ja ŧuolla: Čáhci, Šiella, Ža, Ŋ, đ, ž, ŧ, ǧ, ǩ, ʒ, ï 🤣🤣🤣",
        "Мне помогли быстро, спасибо 🙏",
        "شكرا على المساعدة",
        "ሰላም፣ ኣገልግሎት ጽቡቕ እዩ",
        "Adeeg wanaagsan ayaan helay 😤❤️👩‍👩‍👧",
    ];
    let text = lines.iter().map(|l| format!("Deltaker: {l}\r\n")).collect::<String>();
    let units = |part: &str| {
        let b = text.find(part).unwrap();
        let s = text[..b].encode_utf16().count();
        (s, s + part.encode_utf16().count())
    };
    let g = |n: u32| format!("00000000-0000-4000-8000-{n:012}");
    let mut sels = String::new();
    for (i, l) in lines.iter().enumerate() {
        let (a, b) = units(l);
        // Two codings of the same passage: two selections, as NVivo writes them.
        for (j, code) in [1, 2].iter().enumerate() {
            let n = 100 + i as u32 * 2 + j as u32;
            sels.push_str(&format!(
                r#"<PlainTextSelection guid="{}" name="" startPosition="{a}" endPosition="{b}"><Coding guid="{}"><CodeRef targetGUID="{}"/></Coding></PlainTextSelection>"#,
                g(n),
                g(n + 1000),
                g(*code)
            ));
        }
    }
    let qde = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Mange skrifter" origin="NVivo for Windows 12.6" creationDateTime="2024-05-01T10:00:00Z">
  <CodeBook><Codes><Code guid="{}" name="Møte med tjenesten 🙂" isCodable="true"><Code guid="{}" name="Språk" isCodable="true"/></Code></Codes></CodeBook>
  <Sources><TextSource guid="{}" name="Kommentarer" plainTextPath="internal://{}.txt">{sels}</TextSource></Sources>
</Project>"#,
        g(1),
        g(2),
        g(10),
        g(10)
    );
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    w.start_file("project.qde", opts).unwrap();
    w.write_all(qde.as_bytes()).unwrap();
    w.start_file(format!("Sources/{}.txt", g(10)), opts).unwrap();
    w.write_all(text.as_bytes()).unwrap();
    let file = dir.join("scripts.qdpx");
    fs::write(&file, w.finish().unwrap().into_inner()).unwrap();
    (file, lines.iter().map(|l| l.to_string()).collect())
}

#[test]
fn emoji_and_samiletters_print_in_both_pdfs() {
    let tmp = TempDir::new();
    let (file, lines) = many_scripts_project(tmp.path());
    let data = tmp.path().join("data");
    let (excerpts, _, _) = import(&file, &data);
    let texts: Vec<&str> = excerpts.iter().map(|e| e["text_en"].as_str()).collect();
    assert_eq!(texts, lines, "one excerpt per passage, cut in UTF-16 code units");
    assert!(excerpts.iter().all(|e| e["codes"] == "C001;C002"));
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let o = bsb(&["check", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text_of(&o));
    let mut pdfs: Vec<PathBuf> = fs::read_dir(out.join("report/out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    pdfs.sort();
    assert_eq!(pdfs.len(), 2);
    for pdf in &pdfs {
        let printed: String = pdf::glyphs(pdf).iter().flatten().map(|g| g.text.as_str()).collect();
        // Every character of every passage, but spaces and the invisible joiners and
        // variation selectors of emoji sequences.
        for c in lines.concat().chars().filter(|c| !c.is_whitespace() && !matches!(c, '\u{200D}' | '\u{FE0F}')) {
            assert!(printed.contains(c), "{}: “{c}” (U+{:04X}) printed", pdf.display(), c as u32);
        }
    }
}

#[test]
fn check_names_file_line_field_and_character_no_font_has() {
    let (_tmp, data) = temp_study(1, 1, &["nb", "en"]);
    let path = data.join("excerpts/all.csv");
    let text = fs::read_to_string(&path).unwrap();
    // Linear B and a cuneiform sign: no embedded font draws them.
    let edited = text.replacen("words 2 en", "words 2 en 𐀀", 1).replacen("words 3 nb", "words \u{12000} 3 nb", 1);
    assert_ne!(edited, text);
    fs::write(&path, &edited).unwrap();
    let line_of = |needle: &str| edited.lines().position(|l| l.contains(needle)).unwrap() + 1;
    expect_failure(
        &data,
        &[
            &format!("excerpts/all.csv:{}", line_of("𐀀")),
            "text_en",
            "U+10000",
            &format!("excerpts/all.csv:{}", line_of("\u{12000}")),
            "text_nb",
            "U+12000",
        ],
    );
}

#[test]
fn export_refuses_a_guid_or_colour_that_is_not_one() {
    let (tmp, data, _) = study_with_guids(&["en"]);
    let path = data.join("codebook.csv");
    let text = fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let (gi, ci) =
        (header.iter().position(|h| *h == "guid").unwrap(), header.iter().position(|h| *h == "color").unwrap());
    let mut cells: Vec<String> = lines[2].split(',').map(str::to_string).collect();
    cells[gi] = "not-a-guid\"/><Code name=\"x".replace('"', "\"\"");
    cells[gi] = format!("\"{}\"", cells[gi]);
    cells[ci] = "red".into();
    lines[2] = cells.join(",");
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    let out = tmp.path().join("x.qdc");
    let o = bsb(&["export", "qdc", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text_of(&o));
    let t = text_of(&o);
    assert!(t.contains("codebook.csv:3") && t.contains("guid") && t.contains("color") && t.contains("`red`"), "{t}");
    assert!(!out.exists(), "nothing written");
}
