//! The commands, one small `run` each: they read and write files, ask the configuration
//! for everything from outside, and call the pure pipeline and the stages in between.

pub mod build;
pub mod check;
pub mod diff;
pub mod export;
pub mod import;
pub mod info;
pub mod new;
pub mod release;
pub mod synth;
pub mod values;
pub mod watch;

use std::path::Path;

use crate::problem::{Failure, Problem, Result};
use crate::study::{self, Study};
use crate::validate;

/// Print to standard output. A reader that stops early (`bsb diff … | head`) closes the
/// pipe; that is not an error, and the rest is simply not printed.
pub fn print(text: &str) {
    use std::io::Write as _;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// A loaded, validated study with its warnings.
pub struct Checked {
    /// The study, valid.
    pub study: Study,
    /// What validation found worth saying but not wrong.
    pub warnings: Vec<Problem>,
}

/// Load the data directory and validate it; every problem at once.
pub fn load_and_validate(data: &Path) -> Result<Checked> {
    let (study, mut errors) = study::load(data, &crate::lang::Lang::yes_no)?;
    let report = validate::validate(&study);
    errors.extend(report.errors);
    if !errors.is_empty() {
        errors.sort();
        errors.dedup();
        return Err(Failure::Data(errors));
    }
    Ok(Checked { study, warnings: report.warnings })
}
