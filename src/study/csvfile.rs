//! Reading one CSV table of the study with positions an analyst can trust.
//!
//! Files saved by Excel or LibreOffice carry a BOM and CRLF line ends; the `csv` crate
//! miscounts lines for CRLF (upstream issue #395), so the text is normalised to LF before
//! parsing, which keeps every line number equal to the line the analyst sees. Fields are
//! read by header name, so column order is free, and every problem is collected rather
//! than stopping at the first.

use std::collections::BTreeMap;

use crate::problem::{Pos, Problems};

/// Largest CSV file read, in bytes.
pub(crate) const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;
/// Most records in one CSV file.
pub(crate) const MAX_ROWS: usize = 50_000;
/// Longest value of one field, in characters.
pub(crate) const MAX_FIELD_CHARS: usize = 10_000;
use crate::study::{Id, Measure, Text};

/// Normalise what spreadsheet programs write: strip a UTF-8 BOM, turn CRLF and lone CR
/// into LF. Line numbers are unchanged by this.
pub(crate) fn normalise(bytes: &[u8]) -> Result<String, String> {
    normalise_at(bytes).map_err(|(_, msg)| msg)
}

/// [`normalise`], with the line of an invalid byte given apart for the message's position.
pub(crate) fn normalise_at(bytes: &[u8]) -> Result<String, (usize, String)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        let line = good.iter().filter(|b| **b == b'\n').count() + 1;
        let start = good.iter().rposition(|b| *b == b'\n').map(|i| i + 1).unwrap_or(0);
        // Safe: `good` is valid UTF-8 up to here.
        let column = std::str::from_utf8(&good[start..]).map(|s| s.chars().count()).unwrap_or(0) + 1;
        (
            line,
            format!(
                "is not UTF-8 text: line {line}, column {column} holds a byte (0x{:02X}) that UTF-8 does not allow; save the file as \"CSV UTF-8\"",
                bytes[e.valid_up_to()]
            ),
        )
    })?;
    Ok(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// One record of a CSV table, with accessors that report problems at its position.
pub(crate) struct Row<'a> {
    /// Where the record is: file and line.
    pub pos: Pos,
    values: BTreeMap<String, String>,
    langs: &'a [String],
}

impl<'a> Row<'a> {
    /// Every field of the record by its column's name.
    pub(crate) fn fields(&self) -> &BTreeMap<String, String> {
        &self.values
    }

    fn raw(&self, field: &str) -> Option<&str> {
        self.values.get(field).map(|s| s.trim())
    }

    /// A required, non-empty field.
    pub(crate) fn req(&self, field: &str, problems: &mut Problems) -> String {
        match self.raw(field) {
            Some(v) if !v.is_empty() => v.to_string(),
            _ => {
                problems.at(&self.pos, field, "expected a value, found an empty field");
                String::new()
            }
        }
    }

    /// An optional field: `None` when missing or empty.
    pub(crate) fn opt(&self, field: &str) -> Option<String> {
        self.raw(field).filter(|v| !v.is_empty()).map(str::to_string)
    }

    /// A required id, checked against the id rule (empty when missing or broken, after a
    /// problem is reported).
    pub(crate) fn id(&self, field: &str, problems: &mut Problems) -> String {
        let value = self.req(field, problems);
        if value.is_empty() {
            return String::new();
        }
        self.check_id(field, &value, problems).into()
    }

    /// An optional id: `None` when missing or empty.
    pub(crate) fn opt_id(&self, field: &str, problems: &mut Problems) -> Option<String> {
        self.opt(field).map(|v| self.check_id(field, &v, problems).into())
    }

    /// An optional id that names an output (a table or a figure): typed, so that only a
    /// checked id can become a file name or a label.
    pub(crate) fn opt_name(&self, field: &str, problems: &mut Problems) -> Option<Id> {
        self.opt(field).map(|v| self.check_id(field, &v, problems)).filter(|id| !id.is_empty())
    }

    /// A `;`-separated list of ids (empty items ignored), each checked.
    pub(crate) fn ids(&self, field: &str, problems: &mut Problems) -> Vec<String> {
        self.list(field).iter().map(|v| self.check_id(field, v, problems).into()).collect()
    }

    fn check_id(&self, field: &str, value: &str, problems: &mut Problems) -> Id {
        Id::parse(value).unwrap_or_else(|msg| {
            problems.at(&self.pos, field, msg);
            Id::default()
        })
    }

    /// `<field>_<lang>` for every language, each optional (empty when missing).
    pub(crate) fn opt_text(&self, field: &str) -> Text {
        Text(
            self.langs
                .iter()
                .map(|l| (l.clone(), self.raw(&format!("{field}_{l}")).unwrap_or("").to_string()))
                .collect(),
        )
    }

    /// A `;`-separated list (empty items ignored).
    pub(crate) fn list(&self, field: &str) -> Vec<String> {
        self.raw(field).unwrap_or("").split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
    }

    /// `<field>_<lang>` for every language of the study, each required.
    pub(crate) fn text(&self, field: &str, problems: &mut Problems) -> Text {
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

    /// A whole number that must be given; a problem (and 0) otherwise.
    pub(crate) fn uint(&self, field: &str, problems: &mut Problems) -> u32 {
        let value = self.req(field, problems);
        if value.is_empty() {
            return 0;
        }
        value.parse().unwrap_or_else(|_| {
            problems.at(&self.pos, field, format!("expected a whole number, found `{value}`"));
            0
        })
    }

    /// A number that must be given (a decimal comma is accepted); a problem (and 0) otherwise.
    pub(crate) fn number(&self, field: &str, problems: &mut Problems) -> f64 {
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

    /// A unit of measure (`count`, `percent`, `years`, `nok_million`); a problem otherwise.
    pub(crate) fn measure(&self, field: &str, problems: &mut Problems) -> Measure {
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

/// The outcome of reading one CSV file: its rows, and whether the file as a whole could be
/// read (a file with a broken header or a broken quote cannot be trusted to hold every
/// record, so references into it are not checked one by one).
pub(crate) struct Parsed<'a> {
    /// The records read, in file order.
    pub rows: Vec<Row<'a>>,
    /// Whether the whole file could be read.
    pub readable: bool,
}

/// The separator of a file, decided from its header row: `;` when the header has `;`
/// outside quotes and no `,` (Excel in a Norwegian locale), else `,`.
pub(crate) fn separator(header: &str) -> char {
    let (mut commas, mut semis, mut quoted) = (0, 0, false);
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semis += 1,
            _ => {}
        }
    }
    if semis > 0 && commas == 0 {
        ';'
    } else {
        ','
    }
}

/// One record as read: its first line and its fields.
struct Record {
    line: usize,
    fields: Vec<String>,
}

/// Split `text` into records by the strict CSV rule (RFC 4180): a field is either plain,
/// with no quote in it, or wholly in double quotes, with `""` for a quote inside. Every
/// break of the rule is reported with line, column and field number; a record with a
/// break is left out. Returns `false` when the file cannot be trusted to hold every record.
// Longer than 80 lines on purpose: one state machine over the bytes (plain field, quoted
// field, quote inside a quoted field); its states read best side by side.
fn records(file: &str, text: &str, sep: char, problems: &mut Problems, out: &mut Vec<Record>) -> bool {
    let mut intact = true;
    let mut chars = text.chars().peekable();
    let (mut line, mut column) = (1usize, 0usize);
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut record_line = 1;
    let mut bad = false;
    // At the start of a field?
    let mut fresh = true;
    loop {
        let Some(c) = chars.next() else {
            if !fields.is_empty() || !field.is_empty() {
                fields.push(std::mem::take(&mut field));
                if !bad {
                    out.push(Record { line: record_line, fields: std::mem::take(&mut fields) });
                }
            }
            return intact;
        };
        column += 1;
        if fresh && c == '"' {
            // A quoted field: read to its closing quote.
            let (open_line, open_col) = (line, column);
            let mut closed = false;
            while let Some(q) = chars.next() {
                column += 1;
                if q == '\n' {
                    line += 1;
                    column = 0;
                }
                if q == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        column += 1;
                        field.push('"');
                        continue;
                    }
                    closed = true;
                    break;
                }
                field.push(q);
            }
            if !closed {
                problems.push(
                    file,
                    Some(open_line),
                    format!("field {}", fields.len() + 1),
                    format!(
                        "found a quote at column {open_col} that is never closed (is the file cut short?); everything after it was not read"
                    ),
                );
                return false;
            }
            fresh = false;
            match chars.peek() {
                None | Some('\n') => {}
                Some(&n) if n == sep => {}
                Some(&n) => {
                    problems.push(
                        file,
                        Some(line),
                        format!("field {}", fields.len() + 1),
                        format!(
                            "expected `{sep}` or the end of the line after the closing quote at column {column}, found `{}`; a field with quotes must be wholly in quotes, with \"\" for a quote inside",
                            n.escape_default()
                        ),
                    );
                    bad = true;
                    intact = false;
                }
            }
            continue;
        }
        if c == sep {
            fields.push(std::mem::take(&mut field));
            fresh = true;
            continue;
        }
        if c == '\n' {
            fields.push(std::mem::take(&mut field));
            if !bad {
                out.push(Record { line: record_line, fields: std::mem::take(&mut fields) });
            }
            fields.clear();
            bad = false;
            line += 1;
            column = 0;
            record_line = line;
            fresh = true;
            continue;
        }
        if c == '"' && !bad {
            problems.push(
                file,
                Some(line),
                format!("field {}", fields.len() + 1),
                format!(
                    "found a quote at column {column} inside a field that does not start with one; put the whole field in double quotes and write the quote as \"\""
                ),
            );
            bad = true;
            intact = false;
        }
        fresh = false;
        field.push(c);
    }
}

/// A problem the record reader placed by field number (`field 5`) names its column
/// instead (`text_nb`): the header is read by then.
fn name_columns(found: &mut [crate::problem::Problem], headers: &[String]) {
    for p in found.iter_mut().filter(|p| p.line.is_some_and(|l| l > 1)) {
        let n = p.field.strip_prefix("field ").and_then(|n| n.parse::<usize>().ok());
        if let Some(name) = n.and_then(|n| headers.get(n.wrapping_sub(1))) {
            p.field = name.clone();
        }
    }
}

/// In a `;` file, a record with too many fields most often holds a list (`A.1;B.1`) left
/// out of quotes: say so, naming the list column and the field that looks like a list.
fn unquoted_list_hint(sep: char, headers: &[String], fields: &[String]) -> String {
    const LISTS: &[&str] = &["codes", "rests_on", "places"];
    if sep != ';' || fields.len() <= headers.len() {
        return String::new();
    }
    let Some(i) = headers.iter().position(|h| LISTS.contains(&h.as_str())) else {
        return "; a field that holds `;` must be in double quotes".into();
    };
    let extra = fields.len() - headers.len();
    let joined = fields[i..=(i + extra).min(fields.len() - 1)].join(";");
    format!(
        "; in a file separated by `;`, a list in one field must be in double quotes: write `\"{joined}\"` in column `{}`",
        headers[i]
    )
}

/// What may not appear in a field: control characters U+0000–U+001F and U+007F, except
/// tab and line break in a text column (one with a language suffix).
fn control_char(value: &str, text_column: bool) -> Option<(usize, char)> {
    value.chars().enumerate().find_map(|(i, c)| {
        let control = (c as u32) < 0x20 || c == '\u{7f}';
        let allowed = text_column && (c == '\t' || c == '\n');
        (control && !allowed).then_some((i + 1, c))
    })
}

/// Parse one CSV file into rows. `file` is the name used in messages; `required` are
/// the plain columns the table must have and `texts` its language-suffixed fields.
pub(crate) fn parse<'a>(
    file: &str,
    bytes: &[u8],
    langs: &'a [String],
    required: &[&str],
    texts: &[&str],
    problems: &mut Problems,
) -> Parsed<'a> {
    parse_texts(file, bytes, langs, required, texts, &[], problems)
}

/// One file of the table `schema` states: its required columns and texts, and its
/// optional texts, which like every text may hold a line break or a tab.
pub(crate) fn parse_table<'a>(
    file: &str,
    bytes: &[u8],
    langs: &'a [String],
    schema: &super::schema::Schema,
    problems: &mut Problems,
) -> Parsed<'a> {
    let optional = schema.optional_texts();
    parse_texts(file, bytes, langs, &schema.required(), &schema.texts(), &optional, problems)
}

/// [`parse`], with `optional_texts` the language-suffixed fields the table may leave out.
// One pass from bytes to checked rows: the header's checks, then each record's; the record
// scanner itself is `records`.
fn parse_texts<'a>(
    file: &str,
    bytes: &[u8],
    langs: &'a [String],
    required: &[&str],
    texts: &[&str],
    optional_texts: &[&str],
    problems: &mut Problems,
) -> Parsed<'a> {
    let unreadable = Parsed { rows: Vec::new(), readable: false };
    let Some(text) = decoded(file, bytes, problems) else { return unreadable };
    let header_line = text.lines().next().unwrap_or("");
    let sep = separator(header_line);
    let mut all = Vec::new();
    let before = problems.0.len();
    let intact = records(file, &text, sep, problems, &mut all);
    let mut all = all.into_iter();
    let Some(header) = all.next().filter(|h| h.line == 1) else {
        problems.push(file, Some(1), "", "cannot read the header row");
        return unreadable;
    };
    let headers: Vec<String> = header.fields.iter().map(|s| s.trim().to_string()).collect();
    name_columns(&mut problems.0[before..], &headers);
    if !header_complete(file, header_line, &headers, &wanted_columns(required, texts, langs), problems) {
        return unreadable;
    }
    let text_columns: Vec<bool> = headers
        .iter()
        .map(|h| texts.iter().chain(optional_texts).any(|t| langs.iter().any(|l| *h == format!("{t}_{l}"))))
        .collect();
    let mut rows = Vec::new();
    let mut count = 0;
    for record in all {
        // A trailing empty line from a spreadsheet is not a record.
        if record.fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        count += 1;
        if count > MAX_ROWS {
            problems.push(
                file,
                Some(record.line),
                "",
                format!("has more than the {MAX_ROWS} records a study file may have; split it into a folder of files"),
            );
            return unreadable;
        }
        let line = record.line;
        if record.fields.len() != headers.len() {
            problems.push(
                file,
                Some(line),
                "",
                format!(
                    "expected {} fields separated by `{sep}` as in the header, found {}{}",
                    headers.len(),
                    record.fields.len(),
                    unquoted_list_hint(sep, &headers, &record.fields)
                ),
            );
            continue;
        }
        // A bad field is reported and the record kept (cut to the limit), so references to
        // it still resolve and only the field itself is named.
        let mut fields = record.fields;
        check_fields(file, line, &headers, &text_columns, &mut fields, problems);
        let values = headers.iter().cloned().zip(fields).collect();
        rows.push(Row { pos: Pos::new(file, line), values, langs });
    }
    Parsed { rows, readable: intact }
}

/// The file's text, normalised for reading; `None` (reported) when it is too large or not
/// text.
fn decoded(file: &str, bytes: &[u8], problems: &mut Problems) -> Option<String> {
    if bytes.len() > MAX_FILE_BYTES {
        problems.push(
            file,
            None,
            "",
            format!(
                "is {} bytes, more than the {MAX_FILE_BYTES} a study file may have; split it into a folder of files",
                bytes.len()
            ),
        );
        return None;
    }
    match normalise_at(bytes) {
        Ok(t) => Some(t),
        Err((line, msg)) => {
            problems.push(file, Some(line), "", msg);
            None
        }
    }
}

/// The columns a header must have: the required plain ones and each text in every language.
fn wanted_columns(required: &[&str], texts: &[&str], langs: &[String]) -> Vec<String> {
    required
        .iter()
        .map(|c| c.to_string())
        .chain(texts.iter().flat_map(|t| langs.iter().map(move |l| format!("{t}_{l}"))))
        .collect()
}

/// Whether `headers` has every `wanted` column, each once; reports every one missing or
/// doubled (and a header that mixes separators, the usual cause).
fn header_complete(
    file: &str,
    header_line: &str,
    headers: &[String],
    wanted: &[String],
    problems: &mut Problems,
) -> bool {
    let mut missing = false;
    for column in wanted {
        if !headers.contains(column) {
            problems.push(file, Some(1), column.clone(), "expected this column in the header row, found none");
            missing = true;
        }
    }
    for (i, h) in headers.iter().enumerate() {
        if headers[..i].contains(h) {
            problems.push(file, Some(1), h.clone(), "expected each column once in the header row, found it again");
            missing = true;
        }
    }
    if missing && headers.len() == 1 && (header_line.contains('\t') || header_line.contains(';')) {
        let found = if header_line.contains('\t') { "tabs" } else { "`;`" };
        problems.push(
            file,
            Some(1),
            "",
            format!("the header row is separated by {found} and commas together; use one separator"),
        );
    }
    !missing
}

/// Report a field that is too long (and cut it to the limit) or holds a control
/// character. The record is kept, so references to it still resolve and only the field
/// itself is named.
fn check_fields(
    file: &str,
    line: usize,
    headers: &[String],
    text_columns: &[bool],
    fields: &mut [String],
    problems: &mut Problems,
) {
    for ((h, value), text_column) in headers.iter().zip(fields.iter_mut()).zip(text_columns) {
        let len = value.chars().count();
        if len > MAX_FIELD_CHARS {
            problems.push(
                file,
                Some(line),
                h.clone(),
                format!("expected at most {MAX_FIELD_CHARS} characters, found {len}"),
            );
            *value = value.chars().take(MAX_FIELD_CHARS).collect();
        }
        if let Some((at, c)) = control_char(value, *text_column) {
            problems.push(
                file,
                Some(line),
                h.clone(),
                format!("found a control character (U+{:04X}) at character {at} of the field; remove it", c as u32),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Vec<Vec<String>>, bool, Vec<String>) {
        let mut problems = Problems::default();
        let langs = vec!["en".to_string()];
        let parsed = parse("t.csv", text.as_bytes(), &langs, &["id"], &[], &mut problems);
        let rows = parsed.rows.iter().map(|r| vec![r.raw("id").unwrap_or("").to_string()]).collect();
        (rows, parsed.readable, problems.0.iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn strict_quotes() {
        let (rows, ok, p) = read("id,x\na,\"q,\"\"r\"\"\"\nb,c\n");
        assert_eq!(rows, vec![vec!["a".to_string()], vec!["b".to_string()]]);
        assert!(ok && p.is_empty(), "{p:?}");
        let (_, ok, p) = read("id,x\na,b\"c\n");
        assert!(!ok && p[0].starts_with("t.csv:2: field `x`: found a quote at column 4"), "{p:?}");
        let (rows, ok, p) = read("id,x\na,b\nc,\"open\nd,e\n");
        assert_eq!(rows.len(), 1);
        assert!(!ok && p[0].contains("t.csv:3:") && p[0].contains("never closed"), "{p:?}");
    }

    #[test]
    fn field_counts_and_controls() {
        let (rows, _, p) = read("id,x\na\nb,c,d\ne,f\ng,h\u{1}\n");
        assert_eq!(rows, vec![vec!["e".to_string()], vec!["g".to_string()]]);
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[2].contains("U+0001"), "{p:?}");
    }

    #[test]
    fn semicolon_header() {
        assert_eq!(separator("id;label_nb;codes"), ';');
        assert_eq!(separator("id,label_nb"), ',');
        assert_eq!(separator("\"a;b\",c"), ',');
        let (rows, ok, p) = read("id;x\na;\"T1;T2\"\n");
        assert!(ok && p.is_empty() && rows.len() == 1, "{p:?}");
    }

    #[test]
    fn utf8_line_and_column() {
        let mut problems = Problems::default();
        parse("t.csv", b"id\nab\nc\xffd\n", &[], &["id"], &[], &mut problems);
        assert_eq!(problems.0[0].line, Some(3));
        assert!(problems.0[0].message.contains("line 3, column 2"), "{:?}", problems.0);
    }
}
