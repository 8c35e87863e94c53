//! `bsb` as a library, from the top down: the command line ([`args`]) and the
//! configuration resolved once ([`config`]); the commands ([`cmd`]), each a small `run`;
//! the pure [`pipeline`] beside the [`incremental`] build's decisions and the all-or-nothing
//! [`store`]; the stages in the order the data flows through them ([`study`] → [`validate`]
//! → [`analysis`] → [`figures`], [`output`] → [`render`] → [`typeset`]), with [`present`]
//! and [`lang`] for words; at the bottom the leaves [`shown`], [`releases`], [`manifest`]
//! and [`problem`]. Every arrow points down this list.

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
pub mod survey;
pub mod synth;
pub mod translations;
pub mod typeset;
pub mod validate;

pub mod diagnostic;
pub mod manifest;
pub mod problem;
pub mod releases;
