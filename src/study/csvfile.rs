//! Reading one CSV table of the study with positions an analyst can trust.
//!
//! Files saved by Excel or LibreOffice carry a BOM and CRLF line ends; the `csv` crate
//! miscounts lines for CRLF (upstream issue #395), so the text is normalised to LF before
//! parsing, which keeps every line number equal to the line the analyst sees. Fields are
//! read by header name, so column order is free, and every problem is collected rather
//! than stopping at the first.

use std::collections::BTreeMap;

use crate::problem::{Pos, Problems};
use crate::study::{Measure, Text};

/// Normalise what spreadsheet programs write: strip a UTF-8 BOM, turn CRLF and lone CR
/// into LF. Line numbers are unchanged by this.
pub fn normalise(bytes: &[u8]) -> Result<String, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes)
        .map_err(|e| format!("is not UTF-8 text (byte {}); save it as CSV UTF-8", e.valid_up_to()))?;
    Ok(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// One record of a CSV table, with accessors that report problems at its position.
pub struct Row<'a> {
    pub pos: Pos,
    values: BTreeMap<String, String>,
    langs: &'a [String],
}

impl<'a> Row<'a> {
    fn raw(&self, field: &str) -> Option<&str> {
        self.values.get(field).map(|s| s.trim())
    }

    /// A required, non-empty field.
    pub fn req(&self, field: &str, problems: &mut Problems) -> String {
        match self.raw(field) {
            Some(v) if !v.is_empty() => v.to_string(),
            _ => {
                problems.at(&self.pos, field, "expected a value, found an empty field");
                String::new()
            }
        }
    }

    /// An optional field: `None` when missing or empty.
    pub fn opt(&self, field: &str) -> Option<String> {
        self.raw(field).filter(|v| !v.is_empty()).map(str::to_string)
    }

    /// A `;`-separated list (empty items ignored).
    pub fn list(&self, field: &str) -> Vec<String> {
        self.raw(field).unwrap_or("").split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
    }

    /// `<field>_<lang>` for every language of the study, each required.
    pub fn text(&self, field: &str, problems: &mut Problems) -> Text {
        let mut text = Text::default();
        for lang in self.langs {
            let column = format!("{field}_{lang}");
            match self.raw(&column) {
                Some(v) if !v.is_empty() => {
                    text.0.insert(lang.clone(), v.to_string());
                }
                _ => problems.at(
                    &self.pos,
                    column,
                    format!("expected the text in language `{lang}`, found an empty field"),
                ),
            }
        }
        text
    }

    pub fn uint(&self, field: &str, problems: &mut Problems) -> u32 {
        let value = self.req(field, problems);
        if value.is_empty() {
            return 0;
        }
        value.parse().unwrap_or_else(|_| {
            problems.at(&self.pos, field, format!("expected a whole number, found `{value}`"));
            0
        })
    }

    pub fn number(&self, field: &str, problems: &mut Problems) -> f64 {
        let value = self.req(field, problems);
        if value.is_empty() {
            return 0.0;
        }
        // Spreadsheets in Norwegian locale write a decimal comma.
        match value.replace(',', ".").parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            _ => {
                problems.at(&self.pos, field, format!("expected a number, found `{value}`"));
                0.0
            }
        }
    }

    pub fn measure(&self, field: &str, problems: &mut Problems) -> Measure {
        let value = self.req(field, problems);
        match value.as_str() {
            "count" => Measure::Count,
            "percent" => Measure::Percent,
            "years" => Measure::Years,
            "nok_million" => Measure::NokMillion,
            "" => Measure::Count,
            other => {
                problems.at(
                    &self.pos,
                    field,
                    format!("expected one of `count`, `percent`, `years`, `nok_million`, found `{other}`"),
                );
                Measure::Count
            }
        }
    }
}

/// Parse one CSV file into rows. `file` is the name used in messages; `required` are
/// the plain columns the table must have and `texts` its language-suffixed fields.
pub fn parse<'a>(
    file: &str,
    bytes: &[u8],
    langs: &'a [String],
    required: &[&str],
    texts: &[&str],
    problems: &mut Problems,
) -> Vec<Row<'a>> {
    let text = match normalise(bytes) {
        Ok(t) => t,
        Err(msg) => {
            problems.push(file, None, "", msg);
            return Vec::new();
        }
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.trim().trim_start_matches('\u{feff}').to_string()).collect(),
        Err(e) => {
            problems.push(file, Some(1), "", format!("cannot read the header row: {e}"));
            return Vec::new();
        }
    };
    let mut missing = false;
    let wanted = required
        .iter()
        .map(|c| c.to_string())
        .chain(texts.iter().flat_map(|t| langs.iter().map(move |l| format!("{t}_{l}"))));
    for column in wanted {
        if !headers.contains(&column) {
            problems.push(file, Some(1), column.clone(), "expected this column in the header row, found none");
            missing = true;
        }
    }
    if missing {
        return Vec::new();
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize);
                problems.push(file, line, "", format!("cannot read this row: {e}"));
                continue;
            }
        };
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        // A trailing empty line from a spreadsheet is not a record.
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() > headers.len() {
            problems.push(
                file,
                Some(line),
                "",
                format!("expected {} fields as in the header, found {}", headers.len(), record.len()),
            );
        }
        let values = headers.iter().cloned().zip(record.iter().map(str::to_string)).collect();
        rows.push(Row { pos: Pos::new(file, line), values, langs });
    }
    rows
}
