//! The `reformwatch` binary: parse the command line, start logging, load the
//! config, run one command, and map the result to an exit code scripts can
//! use: 0 ok, 1 config error, 2 runtime failure.

mod commands;

use std::process::ExitCode;

use crate::commands::cli::{Cli, Command};
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("reformwatch: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let outcome = runtime.block_on(commands::dispatch(cli));
    // Do not wait for stray blocking tasks (a stalled socket read) on exit.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    match outcome {
        Ok(code) => code.into(),
        Err(e) => {
            let prefix = commands::logging::error_line_prefix();
            eprintln!("{prefix}reformwatch: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn init_logging(cli: &Cli) {
    let default = match cli.command {
        Command::Run => "info",
        // One-shot commands print their own summary of failures.
        _ => "error",
    };
    commands::logging::init(cli.log_format, default);
}
