//! `bsb`: turns a user-led evaluation (Bruker Spør Bruker) from coded data into versioned,
//! bilingual report tables, figures and PDFs. This file parses the command line, resolves
//! the configuration once and hands it to the command; a failure is printed once, here,
//! with exit code 1 (data or build) or 2 (usage, from clap).

use std::process::ExitCode;

use clap::Parser;

use bsb::args::{Cli, Command, ExportKind, ImportKind};
use bsb::cmd;
use bsb::config::Config;
use bsb::problem::{Failure, Result};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let build = match &cli.command {
        Command::Build(b) => Some(b),
        _ => None,
    };
    let result = Config::resolve(&cli.global, build).and_then(|cfg| dispatch(cli.command, cfg));
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

fn dispatch(command: Command, cfg: Config) -> Result<()> {
    match command {
        Command::Build(_) => cmd::build::run(&cfg.with_git()),
        Command::Check { explain_privacy } => cmd::check::run(&cfg, explain_privacy),
        Command::Info { json } => cmd::info::run(&cfg, json),
        Command::Diff { old, new, format } => cmd::diff::run(&old, &new, format),
        Command::Import { what: ImportKind::Qdpx { file, into, maps, langs } } => {
            cmd::import::qdpx(&cfg, &file, &into, &maps, &langs)
        }
        Command::Import { what: ImportKind::Qdc { file, into, langs } } => cmd::import::qdc(&cfg, &file, &into, &langs),
        Command::Export { what: ExportKind::Qdc { out, lang } } => cmd::export::qdc(&cfg, &out, lang.as_deref()),
        Command::Release => cmd::release::run(&cfg),
        Command::Watch { stop_after } => cmd::watch::run(&cfg, stop_after),
        Command::New { dir, langs, models, regions } => cmd::new::run(&cfg, &dir, langs, models, regions),
        Command::Synth { scale, into } => cmd::synth::run(&cfg, scale, &into),
    }
}
