//! `bsb` as a library, from the top down: the command line is parsed in `main.rs`, the
//! commands ([`cmd`]) each run a small `run` over the configuration resolved once
//! ([`config`], which alone asks git, over [`args`]); the rooms of single commands
//! ([`import`], [`diff`], [`synth`], [`scaffold`]); the pure [`pipeline`] and the
//! [`incremental`] build's decisions; then the stages, each above what it uses ([`validate`]
//! → [`render`] → [`typeset`] with [`fonts`] → [`figures`], [`output`], [`present`] →
//! [`analysis`] → [`privacy`] → [`references`] → [`lang`] → [`study`]); at the bottom the
//! leaves [`releases`], [`manifest`], [`store`], [`shown`], the ZIP and XML readers
//! ([`archive`], [`xml`]) and [`problem`]. Every import
//! points down this list (ARCHITECTURE.md has the map).

pub mod args;
pub mod config;

pub mod cmd;

pub mod incremental;
pub mod pipeline;
pub mod store;

pub mod analysis;
pub mod diff;
pub mod figures;
pub mod fonts;
pub mod import;
pub mod lang;
pub mod output;
pub mod present;
pub mod privacy;
pub mod references;
pub mod render;
pub mod scaffold;
pub mod shown;
pub mod study;
pub mod synth;
pub mod translations;
pub mod typeset;
pub mod validate;

pub mod archive;
pub mod diagnostic;
pub mod manifest;
pub mod problem;
pub mod releases;
pub mod xml;
