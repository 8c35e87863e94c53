//! Bringing coded data in from QDA tools (REFI-QDA `.qdpx` projects and `.qdc` codebooks)
//! and writing the codebook out as `.qdc`. Not yet written: every call says so.

use std::path::Path;

use crate::problem::{build_err, Result};

pub fn import_qdpx(_file: &Path, _into: &Path, _maps: &[String], _langs: &[String], _quiet: bool) -> Result<()> {
    Err(build_err("import qdpx is not available yet"))
}

pub fn import_qdc(_file: &Path, _into: &Path, _langs: &[String], _quiet: bool) -> Result<()> {
    Err(build_err("import qdc is not available yet"))
}

pub fn export_qdc(_data: &Path, _out: &Path, _lang: Option<&str>) -> Result<()> {
    Err(build_err("export qdc is not available yet"))
}
