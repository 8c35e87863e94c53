//! The study design from cases and variables: participants and groups, mapped regions,
//! units and models, interviews joined by a variable, and mapping mistakes refused.

use crate::import::report::Part;

use super::common::*;

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
