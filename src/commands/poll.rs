//! `reformwatch poll --once`: one pass over all (or one) sources.

use std::sync::Arc;

use crate::commands::cli::PollArgs;
use chrono::{DateTime, Utc};
use reformwatch::config::Settings;
use reformwatch::mail::outbox;
use reformwatch::pipeline::{self, PollContext};
use reformwatch::service::feeds;
use reformwatch::store::Access;

use super::{open, Exit};

/// Polls every source once, whether due or not, and prints a summary.
pub async fn run(
    settings: &Arc<Settings>,
    args: &PollArgs,
    now: DateTime<Utc>,
) -> anyhow::Result<Exit> {
    let sources: Vec<_> = match &args.source {
        Some(id) => {
            let Some(s) = settings.sources.iter().find(|s| &s.id == id) else {
                eprintln!("no source with id `{id}` in {}", settings.path.display());
                return Ok(Exit::Config);
            };
            vec![s]
        }
        None => settings.sources.iter().collect(),
    };
    let store = Arc::new(open(settings, Access::Writer)?);
    // Subscribers known before the articles arrive get them in their digest.
    outbox::register_all(settings, &store, now)?;
    let ctx = PollContext::new(settings.clone())?;
    let progress = super::progress::Progress::start(sources.len(), ctx.fetcher.tally().clone());
    let states = store.source_states()?;
    let summary = pipeline::poll_sources(&ctx, &store, &sources, &states, now).await?;
    drop(progress);
    println!(
        "polled {} source{}: {} fetched, {} not modified, {} failed; {} new article{}",
        sources.len(),
        if sources.len() == 1 { "" } else { "s" },
        summary.fetched,
        summary.not_modified,
        summary.failed.len(),
        summary.new_articles,
        if summary.new_articles == 1 { "" } else { "s" },
    );
    if summary.rechecked > 0 || summary.revised > 0 {
        println!(
            "re-checked {} stored article{}: {} new revision{}",
            summary.rechecked,
            if summary.rechecked == 1 { "" } else { "s" },
            summary.revised,
            if summary.revised == 1 { "" } else { "s" },
        );
    }
    for failure in &summary.failed {
        eprintln!(
            "error: source {}: {}",
            failure.source_id, failure.problem.error
        );
    }
    let feeds_written = match feeds::write_topic_feeds(settings, &store, now) {
        Ok(0) => true,
        Ok(n) => {
            println!(
                "wrote {n} topic feed{} to {}",
                if n == 1 { "" } else { "s" },
                feeds::feeds_dir(settings).display()
            );
            true
        }
        Err(e) => {
            eprintln!("error: {e}");
            false
        }
    };
    Ok(if summary.failed.is_empty() && feeds_written {
        Exit::Ok
    } else {
        Exit::Runtime
    })
}
