//! Tests of the import and export: small `.qdpx` archives are built here with the zip
//! writer, one quirk of real exports or one hostile trick at a time, and the written data
//! directory (or its absence) is checked. Offsets are always computed from the text in
//! code points, on Norwegian letters and CRLF line ends, so a byte-for-char mix-up shows.
//!
//! One module per feature; what builds projects and archives, the temporary directory and
//! the readers of what an import wrote are shared, in `common`.

mod codebook;
mod common;
mod design;
mod excerpts;
mod hostile;
mod offsets;
mod written;
