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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => usage_error(e),
    };
    let all = cli.global.all;
    let build = match &cli.command {
        Command::Build(b) => Some(b),
        _ => None,
    };
    let result = Config::resolve(&cli.global, build).and_then(|cfg| dispatch(cli.command, cfg));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprint!("{}", failure.to_text(bsb::diagnostic::colour_on_stderr(), all));
            match failure {
                Failure::Data(_) | Failure::Diagnostics(_) | Failure::Build(_) => ExitCode::from(1),
            }
        }
    }
}

fn dispatch(command: Command, cfg: Config) -> Result<()> {
    match command {
        Command::Build(_) => cmd::build::run(&cfg.with_git()),
        Command::Check { explain_privacy, accept } => cmd::check::run(&cfg, explain_privacy, &accept),
        Command::Values { lang } => cmd::values::run(&cfg, lang.as_deref()),
        Command::Info { json } => cmd::info::run(&cfg, json),
        Command::Diff { old, new, format } => cmd::diff::run(&old, &new, format),
        Command::Import { what: ImportKind::Qdpx { file, into, maps, langs } } => {
            cmd::import::qdpx(&cfg, &file, &into, &maps, &langs)
        }
        Command::Import { what: ImportKind::Qdc { file, into, langs } } => cmd::import::qdc(&cfg, &file, &into, &langs),
        Command::Export { what: ExportKind::Qdc { out, lang } } => cmd::export::qdc(&cfg, &out, lang.as_deref()),
        Command::Release { allow_dirty } => cmd::release::run(&cfg.with_git(), allow_dirty),
        Command::Watch { stop_after } => cmd::watch::run(&cfg, stop_after),
        Command::New { dir, langs, models, regions } => cmd::new::run(&cfg, &dir, langs, models, regions),
        Command::Synth { scale, into } => cmd::synth::run(&cfg, scale, &into),
    }
}

/// clap's message for a usage error, then the nearest command or flag to what was typed
/// (`biuld` → `build`, `--explian` → `--explain`), then exit 2 (0 for `--help`).
fn usage_error(e: clap::Error) -> ! {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    use clap::CommandFactory;
    let _ = e.print();
    let wrong = match e.get(ContextKind::InvalidSubcommand).or_else(|| e.get(ContextKind::InvalidArg)) {
        Some(ContextValue::String(s)) => Some(s.split('=').next().unwrap_or(s).to_string()),
        _ => None,
    };
    if let (Some(wrong), ErrorKind::InvalidSubcommand | ErrorKind::UnknownArgument) = (wrong, e.kind()) {
        let top = Cli::command();
        let args: Vec<String> = std::env::args().skip(1).collect();
        let sub = args.iter().find_map(|a| top.get_subcommands().find(|c| c.get_name() == a));
        let mut names: Vec<String> = Vec::new();
        if wrong.starts_with('-') {
            let flags = |c: &clap::Command| -> Vec<String> {
                c.get_arguments().filter_map(|a| a.get_long().map(|l| format!("--{l}"))).collect()
            };
            names.extend(flags(&top));
            names.extend(sub.map(flags).unwrap_or_default());
        } else {
            let subs = sub.map(|s| s.get_subcommands().collect::<Vec<_>>()).unwrap_or_default();
            let subs = if subs.is_empty() { top.get_subcommands().collect() } else { subs };
            names.extend(subs.iter().map(|c| c.get_name().to_string()));
        }
        if let Some(near) = bsb::diagnostic::nearest(&wrong, names.iter().map(String::as_str)) {
            let paint = bsb::diagnostic::Paint(bsb::diagnostic::colour_on_stderr());
            eprintln!("{}", paint.dim(&format!("  tip: did you mean `{near}`?")));
        }
    }
    std::process::exit(e.exit_code())
}
