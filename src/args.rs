//! The command line, as clap types and nothing else: what a user may type, with every
//! choice a value enum so that a wrong value is a usage error (exit 2) before any work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// `bsb` and its options.
#[derive(Parser, Debug)]
#[command(name = "bsb", version, about = "Build a user-asks-user evaluation report from data/")]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command.
#[derive(Args, Debug, Clone)]
pub struct Global {
    /// The study's data directory.
    #[arg(long, global = true, default_value = "data")]
    pub data: PathBuf,
    /// Where report/tables, figures, report/out and report/manifest.json are written;
    /// default: beside the data directory (its parent).
    #[arg(long, global = true)]
    pub out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// List every error, also those that follow from another one listed first.
    #[arg(long, global = true)]
    pub all: bool,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Validate, analyse, draw, render and typeset everything.
    Build(BuildArgs),
    /// Load and validate the data; fail if a committed table or figure is stale.
    Check {
        /// Print each hidden cell, why it is hidden and the range a reader can infer.
        #[arg(long)]
        explain_privacy: bool,
        /// Mark a translation current: `FILE:LINE` (the marker line `check` names) or
        /// `FILE` (every paragraph of the file, adding markers where there are none).
        #[arg(long, value_name = "FILE[:LINE]")]
        accept: Vec<String>,
    },
    /// Print every value prose may use (`{{ n.participants }}` …) with what it prints for this study.
    Values {
        /// The language to print the values in; default the study's first.
        #[arg(long)]
        lang: Option<String>,
    },
    /// What the study holds, as counts.
    Info {
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Bring coded data in from a QDA tool (REFI-QDA `.qdpx` project or `.qdc` codebook).
    Import {
        /// What to import.
        #[command(subcommand)]
        what: ImportKind,
    },
    /// Write the study's codebook as a REFI-QDA codebook (`.qdc`).
    Export {
        /// What to export.
        #[command(subcommand)]
        what: ExportKind,
    },
    /// Record the current manifest as release `report/releases/<version>.json`.
    Release {
        /// Release even though the data directory has uncommitted changes.
        #[arg(long)]
        allow_dirty: bool,
    },
    /// Rebuild on every saved change, keeping the typesetter warm; the last good PDF stays.
    Watch {
        /// Stop after this many seconds instead of at Ctrl-C (for scripts and benchmarks).
        #[arg(long, value_name = "SECONDS")]
        stop_after: Option<f64>,
    },
    /// Write a minimal study into DIR that builds at once (DIR/data, a README saying which
    /// file to edit for what), and build it.
    New {
        /// The directory to write; it must not exist or be empty.
        dir: PathBuf,
        /// A language of the study (repeat for several); default nb and en.
        #[arg(long = "lang", value_name = "LANG")]
        langs: Vec<String>,
        /// How many organisational models to start with.
        #[arg(long, default_value_t = 1)]
        models: usize,
        /// How many regions to start with.
        #[arg(long, default_value_t = 1)]
        regions: usize,
    },
    /// Write a synthetic study N times the reference study's size, for benchmarks.
    Synth {
        /// How many times the reference study's sample.
        #[arg(long, default_value_t = 1)]
        scale: usize,
        /// The data directory to write; it must not exist or be empty.
        #[arg(long, value_name = "DIR")]
        into: PathBuf,
    },
    /// Compare two sets of tables: directories or git revisions.
    Diff {
        /// The old tables: a directory or a git revision.
        old: String,
        /// The new tables: a directory or a git revision.
        new: String,
        /// `text` for a terminal, `md` for a pull-request comment.
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
    },
}

/// Options of `bsb build`.
#[derive(Args, Debug, Default, Clone)]
pub struct BuildArgs {
    /// Say for each stage and output why it ran or was skipped.
    #[arg(long)]
    pub explain: bool,
    /// Also write the generated typst sources and their files to DIR: `DIR/<lang>` for each
    /// edition's PDF, `DIR/<lang>-web` for its web page.
    #[arg(long, value_name = "DIR")]
    pub emit_typst: Option<PathBuf>,
    /// Which report: `final` (the default), or `process`, the preliminary report for the
    /// dialogue conference (PDFs named `…-process-preliminary-<lang>.pdf`, tables in
    /// report/tables/process/).
    #[arg(long, value_enum, default_value_t = EditionArg::Final)]
    pub edition: EditionArg,
}

/// Which report `bsb build` makes.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EditionArg {
    /// The final report.
    #[default]
    Final,
    /// The preliminary process report for the dialogue conference.
    Process,
}

/// How `bsb diff` prints.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffFormat {
    /// Plain lines for a terminal.
    Text,
    /// Markdown for a pull-request comment.
    Md,
}

/// What `bsb import` reads.
#[derive(Subcommand, Debug)]
pub enum ImportKind {
    /// A whole project: codebook, sources, coded selections, cases.
    Qdpx {
        /// The `.qdpx` file.
        file: PathBuf,
        /// The data directory to write; it must not exist or be empty.
        #[arg(long, value_name = "DIR")]
        into: PathBuf,
        /// Map a case or source variable to a field: `--map Region=region`,
        /// `--map Unit=unit`, `--map Interview=interview`, `--map Model=model`.
        #[arg(long = "map", value_name = "VARIABLE=FIELD")]
        maps: Vec<String>,
        /// Languages of the study's texts (repeat for several); default `en`.
        #[arg(long = "lang", value_name = "LANG")]
        langs: Vec<String>,
    },
    /// A codebook alone, written as `codebook.csv` in DIR.
    Qdc {
        /// The `.qdc` file.
        file: PathBuf,
        /// The data directory to write `codebook.csv` into.
        #[arg(long, value_name = "DIR")]
        into: PathBuf,
        /// Languages of the codebook's texts (repeat for several); default `en`.
        #[arg(long = "lang", value_name = "LANG")]
        langs: Vec<String>,
    },
}

/// What `bsb export` writes.
#[derive(Subcommand, Debug)]
pub enum ExportKind {
    /// The codebook as a REFI-QDA codebook.
    Qdc {
        /// The `.qdc` file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Which of the study's languages to name the codes in; default the first.
        #[arg(long)]
        lang: Option<String>,
    },
}
