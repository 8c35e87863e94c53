//! The stages of `bsb`, one module each, in the order the data flows through them.

pub mod problem;
pub mod study;
pub mod validate;
pub mod analysis;
pub mod lang;
pub mod figures;
pub mod render;
pub mod typeset;
pub mod output;
pub mod manifest;
pub mod pipeline;
pub mod info;
pub mod diff;
