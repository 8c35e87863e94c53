//! Reading answers from an Excel workbook (`.xlsx`) directly, so an analyst need not save
//! a CSV first: the first worksheet becomes a [`Sheet`], rows numbered as Excel shows them
//! and columns named by letter. An `.xlsx` file is a ZIP archive of XML parts; it is
//! opened with the import's guarded archive reader (caps against zip bombs) and parsed
//! with its XML reader (which refuses DTDs and entity tricks).

use std::io::Cursor;

use super::sheet::{Sheet, SheetRow, MAX_BYTES, MAX_ROWS};
use crate::archive::{Archive, Limits};
use crate::problem::{Failure, Problems};
use crate::xml::{self, Element};

/// The message of a failure, without the "error:" framing.
fn message(f: Failure) -> String {
    match f {
        Failure::Build(m) => m,
        Failure::Data(p) => p.iter().map(|p| p.message.clone()).collect::<Vec<_>>().join("; "),
        Failure::Diagnostics(d) => {
            d.iter().map(|d| format!("{}:{}: {}", d.file, d.line, d.message)).collect::<Vec<_>>().join("; ")
        }
    }
}

/// One part of the workbook, parsed; `None` when the part is absent.
fn part(ar: &mut Archive<Cursor<&[u8]>>, name: &str) -> Result<Option<Element>, String> {
    let Some(i) = ar.find(name).map_err(message)? else { return Ok(None) };
    let bytes = ar.read(i).map_err(message)?;
    xml::parse(&bytes, name).map(Some).map_err(message)
}

/// The path of the first worksheet, from the workbook and its relationships; the usual
/// `xl/worksheets/sheet1.xml` when they do not say.
fn first_sheet(ar: &mut Archive<Cursor<&[u8]>>) -> Result<String, String> {
    let fallback = "xl/worksheets/sheet1.xml".to_string();
    let Some(book) = part(ar, "xl/workbook.xml")? else { return Ok(fallback) };
    let Some(rid) = book.child("sheets").and_then(|s| s.child("sheet")).and_then(|s| s.attr("id")) else {
        return Ok(fallback);
    };
    let Some(rels) = part(ar, "xl/_rels/workbook.xml.rels")? else { return Ok(fallback) };
    let target = rels.children("Relationship").find(|r| r.attr("Id") == Some(rid)).and_then(|r| r.attr("Target"));
    Ok(match target {
        Some(t) if t.starts_with('/') => t.trim_start_matches('/').to_string(),
        Some(t) => format!("xl/{t}"),
        None => fallback,
    })
}

/// The text of a string item (`<si>` or `<is>`): its `<t>`, or its runs' `<t>` joined
/// (phonetic runs left out).
fn string_item(si: &Element) -> String {
    match si.child("t") {
        Some(t) => t.text.clone(),
        None => si.children("r").filter_map(|r| r.child_text("t")).collect(),
    }
}

/// The 0-based column of a cell reference (`C7` → 2).
fn column_of(reference: &str) -> Option<usize> {
    let letters: String = reference.chars().take_while(|c| c.is_ascii_uppercase()).collect();
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    Some(letters.bytes().fold(0usize, |n, b| n * 26 + (b - b'A' + 1) as usize) - 1)
}

/// One cell's value as text.
fn cell_value(c: &Element, shared: &[String]) -> String {
    let v = c.child_text("v").unwrap_or("");
    match c.attr("t") {
        Some("s") => v.trim().parse::<usize>().ok().and_then(|i| shared.get(i)).cloned().unwrap_or_default(),
        Some("inlineStr") => c.child("is").map(string_item).unwrap_or_default(),
        _ => v.to_string(),
    }
}

/// Read the first worksheet of a workbook; `None` (after a problem) when it cannot be read.
pub(crate) fn read_xlsx(file: &str, bytes: &[u8], problems: &mut Problems) -> Option<Sheet> {
    let mut fail = |msg: String| problems.push(file, None, "", format!("cannot be read as an Excel workbook: {msg}"));
    if bytes.len() > MAX_BYTES {
        fail(format!("it is {} bytes, more than the {MAX_BYTES} a file may have", bytes.len()));
        return None;
    }
    let read = || -> Result<Vec<(usize, Vec<String>)>, String> {
        let mut ar = Archive::new(Cursor::new(bytes), file.to_string(), &Limits::default()).map_err(message)?;
        let shared: Vec<String> = match part(&mut ar, "xl/sharedStrings.xml")? {
            Some(sst) => sst.children("si").map(string_item).collect(),
            None => Vec::new(),
        };
        let path = first_sheet(&mut ar)?;
        let sheet = part(&mut ar, &path)?.ok_or_else(|| format!("it has no worksheet `{path}`"))?;
        let mut rows = Vec::new();
        for (i, row) in sheet.child("sheetData").into_iter().flat_map(|d| d.children("row")).enumerate() {
            if i > MAX_ROWS {
                return Err(format!("it has more than the {MAX_ROWS} rows a file may have"));
            }
            let line = row.attr("r").and_then(|r| r.parse().ok()).unwrap_or(i + 1);
            let mut cells: Vec<String> = Vec::new();
            for (j, c) in row.children("c").enumerate() {
                let col = c.attr("r").and_then(column_of).unwrap_or(j);
                if col >= 16_384 {
                    return Err(format!("row {line} has a cell beyond Excel's last column"));
                }
                if cells.len() <= col {
                    cells.resize(col + 1, String::new());
                }
                cells[col] = cell_value(c, &shared).trim().to_string();
            }
            rows.push((line, cells));
        }
        Ok(rows)
    };
    let rows = match read() {
        Ok(r) => r,
        Err(m) => {
            fail(m);
            return None;
        }
    };
    let mut rows = rows.into_iter();
    let Some((_, header)) = rows.next() else {
        fail("its first worksheet is empty; the first row must name the columns".into());
        return None;
    };
    let rows = rows
        .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
        .map(|(line, cells)| SheetRow { line, cells })
        .collect();
    Some(Sheet { file: file.to_string(), header, rows, letters: true })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references() {
        assert_eq!(column_of("A1"), Some(0));
        assert_eq!(column_of("AB12"), Some(27));
        assert_eq!(column_of("12"), None);
    }
}
