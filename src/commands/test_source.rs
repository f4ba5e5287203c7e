//! `reformwatch test-source ID`: fetch one configured source now, list the
//! items found and print the first article as it would be stored, with
//! warnings about rules that match too much or too little. Writes nothing,
//! so it is safe next to a running daemon.

use crate::commands::cli::TestSourceArgs;
use chrono::{DateTime, Utc};
use reformwatch::config::Settings;
use reformwatch::net::fetch::{FetchLimits, Fetcher};
use reformwatch::pipeline;

use super::article::print_article;
use super::Exit;

/// Items listed before "… and N more".
const SHOWN_ITEMS: usize = 30;

/// Runs the preview and prints it; exit 2 when the source or its first
/// article fails.
pub async fn run(
    settings: &Settings,
    args: &TestSourceArgs,
    now: DateTime<Utc>,
) -> anyhow::Result<Exit> {
    let Some(source) = settings.sources.iter().find(|s| s.id == args.id) else {
        eprintln!(
            "no source with id `{}` in {}",
            args.id,
            settings.path.display()
        );
        return Ok(Exit::Config);
    };
    let fetcher = fetcher(settings)?;
    let tz = source.timezone;
    let preview = match pipeline::preview_source(&fetcher, source, now).await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: source {}: {e}", source.id);
            return Ok(Exit::Runtime);
        }
    };
    println!(
        "source {}: {} ({})",
        source.id, preview.url, preview.encoding
    );
    match preview.matched {
        Some(m) => println!(
            "{} item{} found ({m} matched by the rules)",
            preview.items.len(),
            plural(preview.items.len())
        ),
        None => println!(
            "{} item{} found",
            preview.items.len(),
            plural(preview.items.len())
        ),
    }
    for item in preview.items.iter().take(SHOWN_ITEMS) {
        let when = item
            .published_at
            .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|| "-".into());
        println!(
            "- {when:<16}  {}",
            item.title.as_deref().unwrap_or("(no title)")
        );
        if let Some(u) = &item.url {
            println!("  {u}");
        }
    }
    if preview.items.len() > SHOWN_ITEMS {
        println!("… and {} more", preview.items.len() - SHOWN_ITEMS);
    }
    for w in &preview.warnings {
        eprintln!("warning: source {}: {w}", source.id);
    }
    match &preview.first {
        Some(Ok(article)) => {
            println!("\nfirst article:");
            print_article(article, tz);
            Ok(Exit::Ok)
        }
        Some(Err(e)) => {
            eprintln!("error: source {}: first article: {e}", source.id);
            Ok(Exit::Runtime)
        }
        None => Ok(Exit::Ok),
    }
}

/// A fetcher with the daemon's limits and user agent, for one command.
pub(super) fn fetcher(settings: &Settings) -> anyhow::Result<Fetcher> {
    Ok(Fetcher::new(
        FetchLimits::from(&settings.daemon),
        settings.daemon.user_agent.as_deref(),
    )?)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
