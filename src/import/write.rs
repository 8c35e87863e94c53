//! Writing what the import produced as text: CSV tables (`study.toml` is written from
//! [`crate::study::studytoml`]). The files reach the disk all or nothing through
//! [`crate::store`].

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
