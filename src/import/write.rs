//! Writing what the import produced as text: CSV tables and `study.toml` strings. The
//! files reach the disk all or nothing through [`crate::store`].

/// A CSV table with a header row, LF line ends, and quotes only where needed.
pub(crate) fn csv(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    // Writing into a Vec cannot fail; the row lengths are the header's by construction.
    w.write_record(header).expect("CSV header into memory");
    for row in rows {
        w.write_record(row).expect("CSV row into memory");
    }
    w.into_inner().expect("CSV into memory")
}

/// A TOML basic string, quoted and escaped.
pub(crate) fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
