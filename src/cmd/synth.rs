//! `bsb synth --scale N --into DIR`.

use std::path::Path;

use crate::config::Config;
use crate::problem::Result;

/// Run `bsb synth`.
pub fn run(cfg: &Config, scale: usize, into: &Path) -> Result<()> {
    crate::synth::synth(&cfg.data, scale, into)
}
