//! The questionnaire beside the interviews: a survey built here (three models, one item of
//! each kind, answers as Norwegian Excel exports them), counted again in this file and
//! compared with the committed tables and the bars in the charts; an invalid answer named
//! by file, line and column; small groups hidden; answers read from `.xlsx` too.

use std::collections::BTreeMap;

use crate::common::*;

/// The scale's options in Norwegian (the last is "no answer") and English.
const SCALE_NB: [&str; 6] = ["svært vanskelig", "vanskelig", "middels", "lett", "svært lett", "vet ikke"];
const SCALE_EN: [&str; 6] = ["very hard", "hard", "fair", "easy", "very easy", "don't know"];

/// One respondent: model, scale answer (0-based option), yes/no (true = yes), open text.
type Answer = (&'static str, Option<usize>, Option<bool>, &'static str);

/// Three models: M0 and M1 with enough answers, M2 with two (under k = 3). M2 leaves the
/// yes/no item blank, so that item can be split by model; the scale item cannot.
const ANSWERS: [Answer; 11] = [
    ("M0", Some(0), Some(true), "bra"),
    ("M0", Some(3), Some(true), ""),
    ("M0", Some(3), Some(false), "for kort; for sent"),
    ("M0", Some(4), Some(true), "#read(x) @y"),
    ("M0", Some(5), None, ""),
    ("M1", Some(1), Some(false), ""),
    ("M1", Some(2), Some(false), ""),
    ("M1", Some(3), Some(true), ""),
    ("M1", None, Some(true), ""),
    ("M2", Some(4), None, ""),
    ("M2", Some(3), None, ""),
];

fn items_csv() -> String {
    format!(
        "id,parent,kind,question_nb,question_en,options_nb,options_en,no_answer\n\
         access,,scale,Hvor lett var det å komme inn?,How easy was it to get in?,{},\"{}\",6\n\
         eased,,yesno,Ble plagene mindre?,Did the problems ease?,,,\n\
         ideal,,open,Hva ønsker du deg?,What would you wish for?,,,\n",
        SCALE_NB.join(";"),
        SCALE_EN.join(";")
    )
}

/// The answers as Norwegian Excel saves them: BOM, CRLF, `;`, decimal commas for coded
/// options, labels in either language and case, models by id or by name.
fn answers_csv(bad_line: bool) -> Vec<u8> {
    let mut text = String::from("\u{feff}respondent;model;access;eased;ideal\r\n");
    for (i, (model, access, eased, open)) in ANSWERS.iter().enumerate() {
        let model = if i % 2 == 0 { model.to_string() } else { format!("Model {}", &model[1..]) };
        let access = match access {
            None => String::new(),
            Some(o) if i % 3 == 0 => format!("{},0", o + 1),
            Some(o) if i % 3 == 1 => SCALE_EN[*o].to_uppercase(),
            Some(o) => SCALE_NB[*o].to_string(),
        };
        let eased = match eased {
            None => "",
            Some(true) if i % 2 == 0 => "Ja",
            Some(true) => "yes",
            Some(false) => "nei",
        };
        text.push_str(&format!("r{i};{model};{access};{eased};\"{open}\"\r\n"));
        if i == 4 {
            // A blank line, which is no record but still counts for line numbers.
            text.push_str("\r\n");
        }
    }
    if bad_line {
        // Line 14 (after a blank line): the scale has six options, so 7 is outside it.
        text.push_str("r99;M0;7;ja;\r\n");
    }
    text.into_bytes()
}

fn survey_study(bad_line: bool) -> (TempDir, std::path::PathBuf) {
    let (tmp, data) = temp_study(2, 3, &["nb", "en"]);
    fs::create_dir_all(data.join("survey")).unwrap();
    fs::write(data.join("survey/items.csv"), items_csv()).unwrap();
    fs::write(data.join("survey/answers.csv"), answers_csv(bad_line)).unwrap();
    (tmp, data)
}

/// Counts per option for the respondents `keep` selects, counted here.
fn count(keep: impl Fn(&Answer) -> bool, pick: impl Fn(&Answer) -> Option<usize>, options: usize) -> Vec<u64> {
    let mut c = vec![0u64; options];
    for a in ANSWERS.iter().filter(|a| keep(a)) {
        if let Some(o) = pick(a) {
            c[o] += 1;
        }
    }
    c
}

fn eased(a: &Answer) -> Option<usize> {
    a.2.map(|yes| if yes { 0 } else { 1 })
}

/// Filled bars of a chart (height 26) as rows of (x, width), each row sorted by x.
fn bars(svg: &str) -> Vec<Vec<(f64, f64)>> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[start..].split('"').next()?.to_string())
    };
    let mut rows: BTreeMap<i64, Vec<(f64, f64)>> = BTreeMap::new();
    for tag in svg.split("<rect").skip(1).map(|t| t.split("/>").next().unwrap()) {
        let num = |n: &str| attr(tag, n).and_then(|v| v.parse::<f64>().ok()).unwrap_or(-1.0);
        if num("height") != 26.0 || attr(tag, "fill").is_none_or(|f| f == "none") {
            continue;
        }
        rows.entry(num("y") as i64).or_default().push((num("x"), num("width")));
    }
    rows.into_values()
        .map(|mut r| {
            r.sort_by(|a, b| a.0.total_cmp(&b.0));
            r
        })
        .collect()
}

/// Each bar's width as a share of its row against the shares counted here, in drawing
/// order (left to right), options with no answers left out.
fn check_row(row: &[(f64, f64)], counts_in_x_order: &[u64]) {
    let n: u64 = counts_in_x_order.iter().sum();
    let expected: Vec<f64> = counts_in_x_order.iter().filter(|c| **c > 0).map(|&c| c as f64 / n as f64).collect();
    let total: f64 = row.iter().map(|b| b.1).sum();
    assert_eq!(row.len(), expected.len(), "one bar per answered option: {row:?} vs {expected:?}");
    for (bar, share) in row.iter().zip(&expected) {
        assert!((bar.1 / total - share).abs() < 0.012, "bar {bar:?} of {total} against share {share}");
    }
}

#[test]
fn an_answer_outside_the_options_is_named_by_file_line_and_column() {
    let (_tmp, data) = survey_study(true);
    expect_failure(&data, &["data/survey/answers.csv:14", "field `access`", "column 3", "found `7`"]);
}

#[test]
fn tables_and_bars_match_an_independent_count_and_small_groups_are_hidden() {
    let (tmp, data) = survey_study(false);
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let ok = bsb(&["check", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(ok.status.success(), "{}", text_of(&ok));

    // The scale: M2 has two answers (under k = 3), so the item is shown for all only.
    let access = read_csv(&out.join("report/tables/survey-access.csv"));
    assert_eq!(access.iter().map(|r| r["id"].as_str()).collect::<Vec<_>>(), vec!["all"], "not split by model");
    let all = count(|_| true, |a| a.1, 6);
    let n: u64 = all.iter().sum();
    assert_eq!(access[0]["n"], n.to_string());
    for (i, c) in all.iter().enumerate() {
        assert_eq!(access[0][&format!("option{}", i + 1)], c.to_string(), "option {}", i + 1);
        let share: f64 = access[0][&format!("option{}_share", i + 1)].parse().unwrap();
        assert!((share - *c as f64 * 100.0 / n as f64).abs() < 0.051, "share of option {}", i + 1);
    }
    assert_eq!(access[0]["blank"], "1");

    // Yes/no: M2 left it blank, so every model with answers has at least k: split.
    let eased_t = read_csv(&out.join("report/tables/survey-eased.csv"));
    let ids: Vec<&str> = eased_t.iter().map(|r| r["id"].as_str()).collect();
    assert_eq!(ids, vec!["all", "M0", "M1", "M2"]);
    for row in &eased_t {
        let model = row["id"].as_str();
        let c = count(|a| model == "all" || a.0 == model, eased, 2);
        let n: u64 = c.iter().sum();
        if n < 3 {
            assert_eq!((row["n"].as_str(), row["option1"].as_str()), ("0", ""), "{model}: no counts under k");
            continue;
        }
        assert_eq!(row["n"], n.to_string(), "{model}");
        assert_eq!((row["option1"].clone(), row["option2"].clone()), (c[0].to_string(), c[1].to_string()), "{model}");
    }

    for lang in ["nb", "en"] {
        // The scale's chart: one bar (all), negative options left of the line, "don't know" apart.
        let svg = fs::read_to_string(out.join(format!("figures/survey-access.{lang}.svg"))).unwrap();
        let rows = bars(&svg);
        assert_eq!(rows.len(), 1, "{lang}: only the whole group is drawn");
        check_row(&rows[0], &all);
        assert!(!svg.contains("Model 2"), "{lang}: the small model is not named in the chart");
        // Yes/no: "no" left of "yes"; M2 (no answers) has no bar.
        let svg = fs::read_to_string(out.join(format!("figures/survey-eased.{lang}.svg"))).unwrap();
        let rows = bars(&svg);
        assert_eq!(rows.len(), 3, "{lang}: all, M0, M1");
        for (row, model) in rows.iter().zip(["all", "M0", "M1"]) {
            let c = count(|a| model == "all" || a.0 == model, eased, 2);
            check_row(row, &[c[1], c[0]]);
        }
    }
    // The open answers are never printed, and the report has the results section.
    let pdf = crate::common::pdf::text(&out.join("report/out/small-0.1-nb.pdf"));
    let flat = crate::common::pdf::flat(&pdf);
    assert!(flat.contains(&crate::common::pdf::flat("Svar på spørreskjemaet")), "results section in nb");
    assert!(!flat.contains(&crate::common::pdf::flat("for kort")), "open answers are not printed");
    let en = crate::common::pdf::flat(&crate::common::pdf::text(&out.join("report/out/small-0.1-en.pdf")));
    assert!(en.contains(&crate::common::pdf::flat("Questionnaire answers")), "results section in en");
}

#[test]
fn a_study_without_answers_prints_the_questionnaire_only() {
    let (tmp, data) = temp_study(1, 2, &["nb", "en"]);
    fs::create_dir_all(data.join("survey")).unwrap();
    fs::write(data.join("survey/items.csv"), items_csv()).unwrap();
    let out = tmp.path().join("out");
    build_into(&data, &out);
    assert!(!out.join("report/tables/survey-access.csv").exists());
    let en = crate::common::pdf::flat(&crate::common::pdf::text(&out.join("report/out/small-0.1-en.pdf")));
    for needle in
        ["How easy was it to get in?", "very hard, hard, fair, easy, very easy, don't know", "never published"]
    {
        assert!(en.contains(&crate::common::pdf::flat(needle)), "`{needle}` in the appendix");
    }
    assert!(!en.contains(&crate::common::pdf::flat("Questionnaire answers")));
}

/// CRC-32 (IEEE), for the ZIP entries written below.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A ZIP archive of stored (uncompressed) entries: what an `.xlsx` is underneath.
fn zip_stored(entries: &[(&str, String)]) -> Vec<u8> {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, body) in entries {
        let offset = out.len() as u32;
        let (crc, size) = (crc32(body.as_bytes()), body.len() as u32);
        let header = |sig: u32, central: bool| {
            let mut h = sig.to_le_bytes().to_vec();
            if central {
                h.extend(20u16.to_le_bytes());
            }
            for v in [20u16, 0, 0, 0, 0] {
                h.extend(v.to_le_bytes());
            }
            h.extend(crc.to_le_bytes());
            h.extend(size.to_le_bytes());
            h.extend(size.to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes());
            if central {
                for v in [0u16, 0, 0] {
                    h.extend(v.to_le_bytes());
                }
                h.extend(0u32.to_le_bytes());
                h.extend(offset.to_le_bytes());
            }
            h.extend(name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(body.as_bytes());
        central.extend(header(0x0201_4b50, true));
    }
    let at = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, entries.len() as u16, entries.len() as u16] {
        out.extend(v.to_le_bytes());
    }
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(at.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

#[test]
fn answers_are_read_from_an_excel_workbook() {
    let (tmp, data) = temp_study(1, 3, &["nb", "en"]);
    fs::create_dir_all(data.join("survey")).unwrap();
    fs::write(data.join("survey/items.csv"), items_csv()).unwrap();
    let cell = |r: &str, v: &str| {
        if v.parse::<f64>().is_ok() {
            format!("<c r=\"{r}\"><v>{v}</v></c>")
        } else {
            format!("<c r=\"{r}\" t=\"inlineStr\"><is><t>{v}</t></is></c>")
        }
    };
    let shared = "<?xml version=\"1.0\"?><sst xmlns=\"x\"><si><t>model</t></si><si><r><t>acc</t></r><r><t>ess</t></r></si></sst>";
    let workbook = |third: &str| {
        let mut rows = format!(
            "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>{}</row>",
            cell("C1", "eased")
        );
        let body = [("M0", "4", "ja"), ("M0", "2", "nei"), ("M1", third, "ja"), ("M1", "lett", "nei")];
        for (i, (m, a, e)) in body.iter().enumerate() {
            let r = i + 2;
            rows.push_str(&format!(
                "<row r=\"{r}\">{}{}{}</row>",
                cell(&format!("A{r}"), m),
                cell(&format!("B{r}"), a),
                cell(&format!("C{r}"), e)
            ));
        }
        let sheet = format!("<?xml version=\"1.0\"?><worksheet xmlns=\"x\"><sheetData>{rows}</sheetData></worksheet>");
        zip_stored(&[("xl/sharedStrings.xml", shared.to_string()), ("xl/worksheets/sheet1.xml", sheet)])
    };
    fs::write(data.join("survey/answers.xlsx"), workbook("9")).unwrap();
    // Row 4 holds 9 in column B, outside the six options.
    expect_failure(&data, &["data/survey/answers.xlsx:4", "field `access`", "column B", "found `9`"]);
    // With 4 in its place: options 4, 2, 4, 4 (`lett` is the fourth) for all four.
    fs::write(data.join("survey/answers.xlsx"), workbook("4")).unwrap();
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let access = read_csv(&out.join("report/tables/survey-access.csv"));
    let got: Vec<&str> = (1..=6).map(|i| access[0][&format!("option{i}")].as_str()).collect();
    assert_eq!((access[0]["n"].as_str(), got), ("4", vec!["0", "1", "0", "3", "0", "0"]));
}
