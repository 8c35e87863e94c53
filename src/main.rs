//! `bsb`: turns a user-led evaluation (Bruker Spør Bruker) from coded data into versioned,
//! bilingual report tables, figures and PDFs. This file is the switchboard: it parses the
//! command line and calls the stages; errors are reported once, here, with exit code 1
//! (data or build) or 2 (usage, from clap).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use bsb::pipeline::{self, Options};
use bsb::problem::Failure;

#[derive(Parser)]
#[command(name = "bsb", version, about = "Build a user-asks-user evaluation report from data/")]
struct Cli {
    /// The study's data directory.
    #[arg(long, global = true, default_value = "data")]
    data: PathBuf,
    /// Where report/tables, figures, report/out and report/manifest.json are written.
    #[arg(long, global = true, default_value = ".")]
    out: PathBuf,
    /// Print nothing but errors.
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate, analyse, draw, render and typeset everything.
    Build {
        /// Say for each stage and output why it ran or was skipped.
        #[arg(long)]
        explain: bool,
        /// Also write the generated typst sources and their files to DIR.
        #[arg(long, value_name = "DIR")]
        emit_typst: Option<PathBuf>,
    },
    /// Load and validate the data; fail if a committed table or figure is stale.
    Check,
    /// What the study holds, as counts.
    Info {
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Bring coded data in from a QDA tool (REFI-QDA `.qdpx` project or `.qdc` codebook).
    Import {
        #[command(subcommand)]
        what: ImportKind,
    },
    /// Write the study's codebook as a REFI-QDA codebook (`.qdc`).
    Export {
        #[command(subcommand)]
        what: ExportKind,
    },
    /// Record the current manifest as release `report/releases/<version>.json`.
    Release,
    /// Rebuild on every saved change, keeping the typesetter warm; the last good PDF stays.
    Watch,
    /// Write a synthetic study N times the reference study's size, for benchmarks.
    Synth {
        #[arg(long, default_value_t = 1)]
        scale: usize,
        #[arg(long, value_name = "DIR")]
        into: PathBuf,
    },
    /// Compare two sets of tables: directories or git revisions.
    Diff {
        old: String,
        new: String,
        /// `text` for a terminal, `md` for a pull-request comment.
        #[arg(long, default_value = "text")]
        format: String,
    },
}

#[derive(Subcommand)]
enum ImportKind {
    /// A whole project: codebook, sources, coded selections, cases.
    Qdpx {
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
        file: PathBuf,
        #[arg(long, value_name = "DIR")]
        into: PathBuf,
        #[arg(long = "lang", value_name = "LANG")]
        langs: Vec<String>,
    },
}

#[derive(Subcommand)]
enum ExportKind {
    /// The codebook as a REFI-QDA codebook.
    Qdc {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Which of the study's languages to name the codes in; default the first.
        #[arg(long)]
        lang: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut opts = Options { data: cli.data, out: cli.out, quiet: cli.quiet, explain: false, emit_typst: None };
    let result = match cli.command {
        Command::Build { explain, emit_typst } => {
            opts.explain = explain;
            opts.emit_typst = emit_typst;
            pipeline::build(&opts)
        }
        Command::Check => pipeline::check(&opts).map(|checked| {
            for w in &checked.warnings {
                eprintln!("warning: {w}");
            }
            if !opts.quiet {
                eprintln!("ok: the study is valid and the committed tables and figures are current");
            }
        }),
        Command::Info { json } => bsb::info::info(&opts.data, json),
        Command::Diff { old, new, format } => bsb::diff::diff(&old, &new, &format),
        Command::Import { what: ImportKind::Qdpx { file, into, maps, langs } } => {
            bsb::import::import_qdpx(&file, &into, &maps, &langs, opts.quiet)
        }
        Command::Import { what: ImportKind::Qdc { file, into, langs } } => {
            bsb::import::import_qdc(&file, &into, &langs, opts.quiet)
        }
        Command::Export { what: ExportKind::Qdc { out, lang } } => {
            bsb::import::export_qdc(&opts.data, &out, lang.as_deref())
        }
        Command::Release => bsb::release::release(&opts),
        Command::Watch => bsb::watch::watch(&opts),
        Command::Synth { scale, into } => bsb::synth::synth(&opts.data, scale, &into),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{failure}");
            match failure {
                Failure::Data(_) | Failure::Build(_) => ExitCode::from(1),
            }
        }
    }
}
