//! Every form `datatable` (report/templates/style.typ) can take is typeset under PDF/A-2a
//! and PDF/UA-1, as the build does: a figure that typst's PDF export takes for an image
//! needs alt text, and a table in its last form (one block per row) was reported to stop a
//! build that way. Each table below is shaped to reach one form, and the printed PDF is read
//! back to see that it did.

use bsb::typeset::{typeset, Job};

use crate::common::*;

/// A word no line can break (letters only, and tables do not hyphenate): `len` letters
/// after `stem`, about 4 pt each at the tables' 9 pt.
fn token(stem: &str, len: usize) -> String {
    let letters: String = (0..len).map(|i| (b'a' + (i % 26) as u8) as char).collect();
    format!("{stem}{letters}")
}

/// A typst string literal (the words here are plain letters, digits and spaces).
fn lit(s: &str) -> String {
    assert!(s.chars().all(|c| c.is_ascii_alphanumeric() || c == ' '), "{s}");
    format!("\"{s}\"")
}

/// `#figure(datatable(…))` for a header and rows; `numeric` marks right-aligned columns
/// (weight 0), `groups` the column groups the program may give.
fn figure(caption: &str, header: &[String], numeric: &[bool], rows: &[Vec<String>], groups: &[&[usize]]) -> String {
    let list = |xs: Vec<String>| format!("({})", xs.iter().map(|x| format!("{x}, ")).collect::<String>());
    let header = list(header.iter().map(|h| lit(h)).collect());
    let weights = list(numeric.iter().map(|n| if *n { "0" } else { "1" }.to_string()).collect());
    let numeric_list = list(numeric.iter().map(|n| n.to_string()).collect());
    let rows_list = list(rows.iter().map(|r| list(r.iter().map(|c| lit(c)).collect())).collect());
    let emphasis = list(rows.iter().map(|_| "false".to_string()).collect());
    let groups = list(groups.iter().map(|g| list(g.iter().map(|i| i.to_string()).collect())).collect());
    format!(
        "#figure(datatable(header: {header}, numeric: {numeric_list}, weights: {weights}, groups: {groups}, \
         rows: {rows_list}, emphasis: {emphasis}), caption: [{caption}], kind: table)\n\n"
    )
}

fn strings(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|x| x.to_string()).collect()
}

/// One document with a table of each form, in order.
fn document() -> String {
    let mut body = String::from(
        "#import \"style.typ\": *\n#show: report.with(lang: \"en\", title: \"Forms\", short: \"Forms\", \
         version: \"1\", chapter: \"Chapter\", section: \"Section\")\n= Forms\n\n",
    );
    // 1. Natural widths: everything fits on one line per row.
    body += &figure("Natural", &strings(&["Place", "Count"]), &[false, true], &[strings(&["Northside", "12"])], &[]);
    // 2. The text column wraps between words beside a number column kept whole.
    let sentence = (0..40).map(|i| format!("word{i}")).collect::<Vec<_>>().join(" ");
    body += &figure("Wrapped", &strings(&["Topic", "Count"]), &[false, true], &[vec![sentence, "7".into()]], &[]);
    // 3. Too wide as one table, but each group of columns (the label repeated) fits.
    let header: Vec<String> = ["Label", "Aone", "Atwo", "Bone", "Btwo"].iter().map(|s| s.to_string()).collect();
    let row: Vec<String> =
        std::iter::once("Rowlabel".to_string()).chain((0..4).map(|i| token(&format!("G{i}"), 38))).collect();
    body += &figure("Grouped", &header, &[false; 5], &[row], &[&[0, 1, 2], &[0, 3, 4]]);
    // 4. Too wide and no groups, but at most eight rows: rows and columns swap.
    let header: Vec<String> = std::iter::once("Name".to_string()).chain((1..=5).map(|i| format!("Hcol{i}"))).collect();
    let rows: Vec<Vec<String>> = (0..2)
        .map(|r| std::iter::once(format!("Swaprow{r}")).chain((0..5).map(|c| token(&format!("S{r}{c}"), 26))).collect())
        .collect();
    body += &figure("Swapped", &header, &[false; 6], &rows, &[]);
    // 5. Too wide, no groups, more than eight rows: one record per row (long unbreakable
    // words in a comparison column, as real data has them).
    let header: Vec<String> = std::iter::once("Item".to_string()).chain((1..=3).map(|i| format!("Rcol{i}"))).collect();
    let rows: Vec<Vec<String>> = (0..9)
        .map(|r| std::iter::once(format!("Record{r}")).chain((0..3).map(|c| token(&format!("R{r}{c}"), 40))).collect())
        .collect();
    body += &figure("Records", &header, &[false; 4], &rows, &[]);
    body
}

#[test]
fn every_form_of_a_data_table_exports_under_pdf_ua() {
    let job = Job {
        main: document(),
        files: BTreeMap::from([("style.typ".to_string(), bsb::render::STYLE.as_bytes().to_vec())]),
        date: (2024, 2, 29),
        ident: "datatable-forms".into(),
        origins: BTreeMap::new(),
        originals: BTreeMap::new(),
    };
    let pdf = typeset(&job).unwrap_or_else(|e| panic!("every form must export under PDF/A-2a and PDF/UA-1: {e}"));
    let tmp = TempDir::new();
    let path = tmp.path().join("forms.pdf");
    fs::write(&path, &pdf.bytes).unwrap();
    let text = pdf::text(&path);
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    // 1: header and row each on one line.
    assert!(lines.contains(&"Place Count") && lines.contains(&"Northside 12"), "natural form:\n{text}");
    // 2: the sentence is printed whole, but over several lines.
    assert!(text.contains("word0") && text.contains("word39"), "{text}");
    let first = lines.iter().position(|l| l.contains("word0")).unwrap();
    assert!(!lines[first].contains("word39"), "wrapped form: the sentence wraps:\n{text}");
    // 3: the label column repeated with each group.
    assert_eq!(lines.iter().filter(|l| l.starts_with("Label ")).count(), 2, "grouped form:\n{text}");
    // 4: each header starts a line of its own, followed by that column's values.
    for i in 1..=5 {
        assert!(lines.iter().any(|l| l.starts_with(&format!("Hcol{i} S0"))), "swapped form, Hcol{i}:\n{text}");
    }
    // 5: every value under its column's name, one record per row.
    for r in 0..9 {
        for c in 0..3 {
            let value = token(&format!("R{r}{c}"), 40);
            assert!(lines.contains(&format!("Rcol{}: {value}", c + 1).as_str()), "record form, {value}:\n{text}");
        }
    }
    assert_eq!(pdf::overlaps(&path, 0.5), vec![], "no text printed over other text");
}
