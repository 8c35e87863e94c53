//! From selections to excerpts: one excerpt per coded passage, selections without a coding
//! or coded with a case listed and skipped, and excerpts too long for `bsb check` written
//! whole and flagged.

use std::fs;

use crate::import::report::Part;

use super::common::*;

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
