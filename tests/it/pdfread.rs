//! The tests' own PDF reader can fail: it finds words typst really printed, in order, and it
//! sees two words printed on top of each other.

use crate::common::*;

#[test]
fn the_reader_finds_printed_words_and_sees_overlapping_ones() {
    let (tmp, data) = temp_study(1, 1, &["en"]);
    fs::create_dir_all(data.join("prose/en")).unwrap();
    // Prose is trusted markup, so a test may place two words on one spot on purpose.
    fs::write(
        data.join("prose/en/summary.typ"),
        "Plain words first.\n\n#block(height: 2em)[#place(top + left)[Clashing] #place(top + left, dx: 2pt)[Colliding]]\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    build_into(&data, &out);
    let pdf_path = out.join("report/out/small-0.1-en.pdf");
    let text = pdf::text(&pdf_path);
    assert!(text.contains("Plain words first."), "{text}");
    let found = pdf::overlaps(&pdf_path, 0.5);
    assert!(
        found.iter().any(|(_, a, b)| [a.as_str(), b.as_str()] == ["Clashing", "Colliding"]),
        "the two placed words overlap: {found:?}"
    );
    assert_eq!(found.len(), 1, "and nothing else does: {found:?}");
}
