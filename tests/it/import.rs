//! REFI-QDA import and export end to end: a project in, a PDF out, and the codebook round trip.

use crate::common::*;

#[test]
fn a_qdpx_project_imports_builds_and_the_codebook_round_trips() {
    use std::io::Write;
    let tmp = TempDir::new();
    let text =
        "Q: Hvordan var det?\r\nA: Det var godt å bli hørt, og maten var bra.\r\nA: Nedtrappingen gikk sakte.\r\n";
    let at = |needle: &str| {
        let start = text.find(needle).unwrap();
        let chars = text[..start].chars().count();
        (chars, chars + needle.chars().count())
    };
    let (a0, a1) = at("Det var godt å bli hørt");
    let (b0, b1) = at("Nedtrappingen gikk sakte");
    let guid = |n: u32| format!("00000000-0000-4000-8000-{n:012}");
    let qde = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Pilot" origin="Test" creationDateTime="2024-05-01T10:00:00Z">
  <CodeBook><Codes>
    <Code guid="{c1}" name="Erfaringer" isCodable="true"><Description>Hva de opplevde</Description>
      <Code guid="{c2}" name="Å bli hørt" isCodable="true"/>
      <Code guid="{c3}" name="Nedtrapping" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="{s1}" name="Intervju 1" plainTextPath="internal://{s1}.txt">
      <PlainTextSelection guid="{p1}" startPosition="{a0}" endPosition="{a1}"><Coding guid="{k1}"><CodeRef targetGUID="{c2}"/></Coding></PlainTextSelection>
      <PlainTextSelection guid="{p2}" startPosition="{b0}" endPosition="{b1}"><Coding guid="{k2}"><CodeRef targetGUID="{c3}"/></Coding></PlainTextSelection>
    </TextSource>
  </Sources>
</Project>"#,
        c1 = guid(1),
        c2 = guid(2),
        c3 = guid(3),
        s1 = guid(10),
        p1 = guid(20),
        p2 = guid(21),
        k1 = guid(30),
        k2 = guid(31),
    );
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    w.start_file("project.qde", opts).unwrap();
    w.write_all(qde.as_bytes()).unwrap();
    w.start_file(format!("sources/{}.txt", guid(10)), opts).unwrap();
    w.write_all(text.as_bytes()).unwrap();
    let file = tmp.path().join("pilot.qdpx");
    fs::write(&file, w.finish().unwrap().into_inner()).unwrap();

    let data = tmp.path().join("data");
    let o = bsb(&["import", "qdpx", file.to_str().unwrap(), "--into", data.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text_of(&o));
    // The command the import advises passes as the data stands (its outputs go beside it).
    let advised = format!("bsb check --data {}", data.display());
    assert!(text_of(&o).contains(&advised), "{}", text_of(&o));
    let check = bsb(&["check", "--data", data.to_str().unwrap()]);
    assert!(check.status.success(), "{}", text_of(&check));
    let excerpts: Vec<_> =
        fs::read_dir(data.join("excerpts")).unwrap().flat_map(|e| read_csv(&e.unwrap().path())).collect();
    let texts: Vec<&str> = excerpts.iter().map(|e| e["text_en"].as_str()).collect();
    assert!(texts.contains(&"Det var godt å bli hørt") && texts.contains(&"Nedtrappingen gikk sakte"), "{texts:?}");
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let pdfs: Vec<_> = fs::read_dir(out.join("report/out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    assert_eq!(pdfs.len(), 1, "one language, one PDF");
    assert!(pdf::text(&pdfs[0]).contains("Det var godt å bli hørt"));

    // The reference codebook out as .qdc and back in: the same codes under the same parents.
    let qdc = tmp.path().join("codebook.qdc");
    let o = bsb(&["export", "qdc", "--data", root().join("data").to_str().unwrap(), "--out", qdc.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text_of(&o));
    let back = tmp.path().join("back");
    let o = bsb(&["import", "qdc", qdc.to_str().unwrap(), "--into", back.to_str().unwrap(), "--lang", "nb"]);
    assert!(o.status.success(), "{}", text_of(&o));
    let ours: Vec<_> =
        fs::read_dir(root().join("data/codebook")).unwrap().flat_map(|e| read_csv(&e.unwrap().path())).collect();
    let theirs = read_csv(&back.join("codebook.csv"));
    assert_eq!(theirs.len(), ours.len());
    let label_of = |rows: &[BTreeMap<String, String>], id: &str| {
        rows.iter().find(|r| r["id"] == id).map(|r| r["label_nb"].clone())
    };
    let shape = |rows: &[BTreeMap<String, String>]| -> Vec<(String, Option<String>)> {
        let mut v: Vec<_> = rows.iter().map(|r| (r["label_nb"].clone(), label_of(rows, &r["parent"]))).collect();
        v.sort();
        v
    };
    assert_eq!(shape(&theirs), shape(&ours), "labels and their parents survive the round trip");
    // And the ids themselves: the export writes them into the names, the import takes them back.
    let ids = |rows: &[BTreeMap<String, String>]| -> Vec<(String, String, String)> {
        let mut v: Vec<_> =
            rows.iter().map(|r| (r["id"].clone(), r["parent"].clone(), r["label_nb"].clone())).collect();
        v.sort();
        v
    };
    assert_eq!(ids(&theirs), ids(&ours), "ids and parent ids survive the round trip");
    assert!(text_of(&o).contains("ids taken from the codes' names"), "{}", text_of(&o));

    // A file that is not a zip fails cleanly and writes nothing.
    fs::write(tmp.path().join("bad.qdpx"), "not a zip").unwrap();
    let none = tmp.path().join("none");
    let o = bsb(&["import", "qdpx", tmp.path().join("bad.qdpx").to_str().unwrap(), "--into", none.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!none.exists());
}
