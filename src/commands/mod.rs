//! The commands behind the subcommands. This is the binary's edge: it loads
//! the config, opens the store, calls the library, prints for humans, and
//! returns an exit code. `anyhow` is used here and nowhere in the library.

mod article;
mod backtest;
pub mod cli;
mod daemon_lock;
mod digest;
mod extract;
mod history;
mod inspect;
pub mod logging;
mod opml;
mod poll;
mod progress;
mod sources_edit;
mod test_source;

use std::path::Path;
use std::sync::Arc;

use crate::commands::cli::{Cli, Command, OutboxAction, SourcesAction};
use chrono::{DateTime, Utc};
use reformwatch::config::{self, Settings};
use reformwatch::store::{Access, Store};

/// Exit codes scripts can rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything worked.
    Ok = 0,
    /// The config file is invalid.
    Config = 1,
    /// Something failed at run time (a source, the mail relay, the database).
    Runtime = 2,
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e as u8)
    }
}

/// Runs the chosen command.
pub async fn dispatch(cli: Cli) -> anyhow::Result<Exit> {
    let now = cli.now;
    let config_path = config::resolve_path(cli.config.as_deref());
    if let Command::Completions(args) = &cli.command {
        // Works without a config: the script comes from the CLI definition.
        let mut command = <Cli as clap::CommandFactory>::command();
        clap_complete::generate(
            args.shell,
            &mut command,
            "reformwatch",
            &mut std::io::stdout(),
        );
        return Ok(Exit::Ok);
    }
    if let Command::ImportOpml(args) = &cli.command {
        // Works without a config; one that loads keeps its ids from reuse.
        return opml::run(args, config::load(&config_path).ok().as_ref());
    }
    if let Command::Extract(args) = &cli.command {
        // extract works without a config unless --source names one.
        let settings = match &args.source {
            Some(_) => match load(&config_path) {
                Ok(s) => Some(s),
                Err(code) => return Ok(code),
            },
            None => config::load(&config_path).ok(),
        };
        return extract::run(args, settings.as_ref(), clock(now)).await;
    }
    let settings = match load(&config_path) {
        Ok(s) => Arc::new(s),
        Err(code) => return Ok(code),
    };
    match cli.command {
        Command::Check => {
            println!(
                "{}: ok ({} sources, {} topics, {} subscribers)",
                config_path.display(),
                settings.sources.len(),
                settings.topics.len(),
                settings.subscribers.len()
            );
            Ok(Exit::Ok)
        }
        Command::Run => {
            let store = Arc::new(open(&settings, Access::Writer)?);
            reformwatch::service::daemon::run(settings, store).await?;
            Ok(Exit::Ok)
        }
        Command::Poll(args) => poll::run(&settings, &args, clock(now)).await,
        Command::Digest(args) => digest::run(&settings, &args, clock(now)).await,
        Command::Sources(args) => match args.action {
            None => inspect::sources(&settings, &open(&settings, Access::Reader)?),
            Some(SourcesAction::Add(add)) => sources_edit::add(&settings, &add, clock(now)).await,
            Some(SourcesAction::Remove(remove)) => sources_edit::remove(&settings, &remove),
        },
        Command::Articles(args) if args.query.is_some() => backtest::run(
            &settings,
            &args,
            &open(&settings, Access::Reader)?,
            clock(now),
        ),
        Command::Articles(args) => inspect::articles(
            &settings,
            &args,
            &open(&settings, Access::Reader)?,
            clock(now),
        ),
        Command::Show(args) if args.revisions => {
            history::history(&settings, args.id, &open(&settings, Access::Reader)?)
        }
        Command::Show(args) => inspect::show(&settings, &args, &open(&settings, Access::Reader)?),
        Command::Diff(args) => history::diff(&settings, &args, &open(&settings, Access::Reader)?),
        Command::Outbox(args) => match args.action {
            None => inspect::outbox(&open(&settings, Access::Reader)?),
            Some(OutboxAction::Retry { id }) => {
                inspect::outbox_retry(&open(&settings, Access::Writer)?, id, clock(now))
            }
        },
        Command::TestSource(args) => test_source::run(&settings, &args, clock(now)).await,
        Command::Extract(_) | Command::ImportOpml(_) | Command::Completions(_) => {
            unreachable!("handled above")
        }
    }
}

/// Loads the config; on failure prints every problem and returns the exit code.
fn load(path: &Path) -> Result<Settings, Exit> {
    config::load(path).map_err(|errors| {
        for problem in &errors.0 {
            eprintln!("{problem}");
        }
        eprintln!(
            "{}: {} problem{} found",
            path.display(),
            errors.0.len(),
            if errors.0.len() == 1 { "" } else { "s" }
        );
        Exit::Config
    })
}

/// Opens the store in the configured state directory.
pub fn open(settings: &Settings, access: Access) -> anyhow::Result<Store> {
    Ok(Store::open(&settings.daemon.state_dir, access)?)
}

fn clock(now: Option<DateTime<Utc>>) -> DateTime<Utc> {
    now.unwrap_or_else(Utc::now)
}
