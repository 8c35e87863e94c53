//! Presentation: a table's cells and headers as words in one language. Shared by the
//! Markdown tables, the figures and the rendered report, so a count reads the same
//! everywhere; a protected count never prints as its number.

use crate::analysis::{Cell, Column, Table};
use crate::lang::Lang;
use crate::problem::{build_err, Result};

/// A cell as text in `lang`; `k` is the small-cell threshold of the cell's table.
pub fn cell_text(cell: &Cell, lang: &Lang, k: u32) -> String {
    match cell {
        Cell::Plain(s) => s.clone(),
        Cell::Text(t) => t.get(&lang.code).to_string(),
        Cell::Key(key) => lang.named(key),
        Cell::Count(v) => lang.int(*v),
        Cell::Protected(s) => lang.shown(s.get(), k),
        Cell::Number(v, unit) => lang.measure(*v, *unit),
        Cell::Date(d) => lang.date(*d),
        Cell::Empty => String::new(),
    }
}

/// A column header; `joiner` sits between a model's name and the measure (`: ` in files,
/// a line break in the PDF so narrow number columns stay narrow).
pub fn header_text(column: &Column, lang: &Lang, joiner: &str) -> String {
    match (&column.data, &column.key) {
        (Some(d), Some(k)) => format!("{}{joiner}{}", d.get(&lang.code), lang.named(k)),
        (Some(d), None) => d.get(&lang.code).to_string(),
        (None, Some(k)) => lang.named(k),
        (None, None) => column.id.clone(),
    }
}

/// Check that every word the tables and figures name at run time is a word of each
/// language: a table's caption (`cap_<table>`), its columns' and cells' keys, a figure's
/// caption (`figcap_<figure>`; `figures` are (language, name) pairs). The pipeline calls it before anything is presented, so
/// [`Lang::named`] never meets a missing key; a missing word is a build error naming the
/// key and the language, all of them at once.
pub fn check_words(langs: &[Lang], tables: &[&Table], figures: &[(&str, &str)]) -> Result<()> {
    let mut missing = Vec::new();
    for lang in langs {
        let mut keys: Vec<String> = Vec::new();
        for t in tables {
            keys.push(format!("cap_{}", t.name));
            keys.extend(t.columns.iter().filter_map(|c| c.key.clone()));
            keys.extend(t.rows.iter().flat_map(|r| &r.cells).filter_map(|c| match c {
                Cell::Key(k) => Some(k.clone()),
                _ => None,
            }));
        }
        keys.extend(figures.iter().filter(|(l, _)| *l == lang.code).map(|(_, name)| format!("figcap_{name}")));
        keys.sort();
        keys.dedup();
        missing.extend(keys.into_iter().filter(|k| !lang.has(k)).map(|k| format!("`{k}` ({})", lang.code)));
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(build_err(format!(
        "the tables and figures name words no language file has: {} (add them to report/lang/ or the study's data/lang/)",
        missing.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A word a table names at run time that no language has fails the check, naming the
    /// key and the language; the words the built-in files have pass.
    #[test]
    fn a_table_naming_a_word_no_language_has_fails_the_check() {
        let langs = [Lang::load("en").unwrap(), Lang::load("nb").unwrap()];
        let mut t = Table::new("errata", vec![Column::key("status", "status", false)]);
        t.push("a", false, vec![Cell::Key("matches".into())]);
        assert!(check_words(&langs, &[&t], &[("en", "evidence-heatmap")]).is_ok());
        t.push("b", false, vec![Cell::Key("no_such_word".into())]);
        let e = check_words(&langs, &[&t], &[("nb", "no-such-figure")]).unwrap_err().to_string();
        assert!(e.contains("`no_such_word` (en)") && e.contains("`no_such_word` (nb)"), "{e}");
        assert!(e.contains("`figcap_no-such-figure` (nb)") && !e.contains("`figcap_no-such-figure` (en)"), "{e}");
    }
}
