//! How selection offsets are read: code points by default, UTF-16 code units for NVivo,
//! CRLF counted as one character or as two, and a BOM never counted; the text overrules a
//! wrong origin.

use crate::import::report::Part;

use super::common::*;

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
fn a_bom_is_not_counted() {
    let mut files = usual("QualCoder 3.5");
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(TEXT.as_bytes());
    files[1].1 = with_bom;
    let (_tmp, data, report) = import(&entries(&files), &[], &[]);
    assert_eq!(rows(&data.join("excerpts/imported.csv"))[0]["text_en"], "Fra en venn på sykehuset");
    assert!(any_item(&report, Part::Changed, "byte-order mark"));
}
