//! A table as a spreadsheet exports it: a header row and rows of cells, each row with the
//! line (or sheet row) an analyst sees, so a message can name file, line and column.
//!
//! CSV is read as Excel writes it in a Norwegian locale: a UTF-8 BOM, CRLF line ends and
//! `;` between fields. The text is normalised to LF before parsing, because the `csv`
//! crate miscounts lines for CRLF files (FIELD-NOTES.md); then its line numbers are the
//! lines the analyst sees.

use crate::problem::Problems;

/// Largest answers or items file read, in bytes.
pub(crate) const MAX_BYTES: usize = 32 * 1024 * 1024;
/// Most rows in one file.
pub(crate) const MAX_ROWS: usize = 50_000;

/// One row: its line in the file (its row number in a sheet) and its cells.
#[derive(Debug)]
pub(crate) struct SheetRow {
    /// 1-based line or sheet row.
    pub(crate) line: usize,
    /// The cells, trimmed, in column order (missing trailing cells are empty).
    pub(crate) cells: Vec<String>,
}

/// A header row and the rows under it.
#[derive(Debug)]
pub(crate) struct Sheet {
    /// The file as named in messages.
    pub(crate) file: String,
    /// Column names, trimmed.
    pub(crate) header: Vec<String>,
    /// Rows with at least one non-empty cell.
    pub(crate) rows: Vec<SheetRow>,
    /// Columns are named by letter (a spreadsheet) rather than by number (CSV).
    pub(crate) letters: bool,
}

impl Sheet {
    /// How a message names column `i` (0-based): `column 4` in CSV, `column D` in a sheet.
    pub(crate) fn column(&self, i: usize) -> String {
        if self.letters {
            format!("column {}", letters(i))
        } else {
            format!("column {}", i + 1)
        }
    }

    /// The cell of `row` under the column named `name`, if the header has it.
    pub(crate) fn get<'a>(&self, row: &'a SheetRow, name: &str) -> Option<&'a str> {
        let i = self.header.iter().position(|h| h == name)?;
        Some(row.cells.get(i).map(String::as_str).unwrap_or(""))
    }
}

/// Spreadsheet column letters for a 0-based index: 0 → A, 25 → Z, 26 → AA.
pub(crate) fn letters(mut i: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// UTF-8 text without a BOM and with LF line ends; a byte that is not UTF-8 is reported
/// with its line.
fn normalise(file: &str, bytes: &[u8], problems: &mut Problems) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(text.replace("\r\n", "\n").replace('\r', "\n")),
        Err(e) => {
            let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
            problems.push(file, Some(line), "", "is not UTF-8 text; save the file as \"CSV UTF-8\"");
            None
        }
    }
}

/// Read a CSV file into a sheet; `None` (after a problem) when it cannot be read.
pub(crate) fn read_csv(file: &str, bytes: &[u8], problems: &mut Problems) -> Option<Sheet> {
    if bytes.len() > MAX_BYTES {
        problems.push(file, None, "", format!("is {} bytes, more than the {MAX_BYTES} a file may have", bytes.len()));
        return None;
    }
    let text = normalise(file, bytes, problems)?;
    // The same rule as the study's own CSV files (a `;` header is Norwegian Excel's).
    let sep = crate::study::separator(text.lines().next().unwrap_or("")) as u8;
    let mut reader =
        csv::ReaderBuilder::new().delimiter(sep).has_headers(false).flexible(true).from_reader(text.as_bytes());
    let breaks: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
    // A record's offset may point at blank lines the reader skipped before it.
    let line_of = |byte: usize| {
        let start = byte + text.as_bytes().get(byte..).map_or(0, |r| r.iter().take_while(|b| **b == b'\n').count());
        breaks.partition_point(|&b| b < start) + 1
    };
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| line_of(p.byte() as usize));
                problems.push(file, line, "", format!("cannot be read as CSV: {e}"));
                return None;
            }
        };
        // The csv crate's own line count skips blank lines; the byte offset does not.
        let line = record.position().map(|p| line_of(p.byte() as usize)).unwrap_or(0);
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
        if header.is_none() {
            header = Some(cells);
            continue;
        }
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if rows.len() >= MAX_ROWS {
            problems.push(file, Some(line), "", format!("has more than the {MAX_ROWS} rows a file may have"));
            return None;
        }
        rows.push(SheetRow { line, cells });
    }
    let Some(header) = header else {
        problems.push(file, Some(1), "", "expected a header row, found an empty file");
        return None;
    };
    Some(Sheet { file: file.to_string(), header, rows, letters: false })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_csv_keeps_lines() {
        let mut p = Problems::default();
        let s = read_csv("a.csv", b"\xEF\xBB\xBFid;q\r\n1;\"3,0\"\r\n\r\n2;4\r\n", &mut p).unwrap();
        assert!(p.is_empty());
        assert_eq!(s.header, vec!["id", "q"]);
        assert_eq!(s.rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 4]);
        assert_eq!(s.rows[0].cells[1], "3,0");
        assert_eq!(letters(0), "A");
        assert_eq!(letters(27), "AB");
    }
}
