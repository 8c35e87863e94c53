//! End-to-end tests: the `bsb` binary on the reference study in `data/` and on small
//! studies written inside each test. Expected values are counted here, independently of the
//! program, from the data files themselves. One binary, a module per feature; shared helpers
//! live in `common`.

// A test binary has no outside: `pub` in its helper modules only means "for the other modules".
#![allow(unreachable_pub)]

mod common;

mod anystudy;
mod builds;
mod coding;
mod csvformat;
mod datatable;
mod diagnostics;
mod dialogue;
mod diff;
mod errors;
mod figures;
mod hostile;
mod house;
mod import;
mod pdfread;
mod privacy;
mod publication;
mod qda;
mod quiet;
mod reader;
mod reference;
mod studyfile;
mod survey;
mod tables;
mod views;
mod web;
