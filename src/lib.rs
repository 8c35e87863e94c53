//! The stages of `bsb`, one module each, in the order the data flows through them.

pub mod analysis;
pub mod diff;
pub mod figures;
pub mod import;
pub mod info;
pub mod lang;
pub mod manifest;
pub mod output;
pub mod pipeline;
pub mod problem;
pub mod release;
pub mod render;
pub mod study;
pub mod synth;
pub mod typeset;
pub mod validate;
pub mod watch;
