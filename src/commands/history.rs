//! `reformwatch diff ID` and `reformwatch show ID --revisions`: an
//! article's silent edits on the command line. The diff is
//! [`diff_revisions`](reformwatch::analysis::revise::diff_revisions) of two
//! stored revisions, the same one the digest's "Revised" section shows.

use crate::commands::cli::{DiffArgs, DiffFormat};
use reformwatch::analysis::revise;
use reformwatch::config::Settings;
use reformwatch::store::revisions::RevisionInfo;
use reformwatch::store::Store;

use super::Exit;

/// Prints the revision history: revision, when it was seen, its class and
/// the revision it was compared with.
pub fn history(settings: &Settings, id: i64, store: &Store) -> anyhow::Result<Exit> {
    let history = store.revision_history(id)?;
    if history.is_empty() {
        eprintln!("no article with id {id}");
        return Ok(Exit::Runtime);
    }
    let tz = settings.daemon.timezone;
    println!("revision  seen at                 class        against  evidence");
    for r in &history {
        let class = r.class.map_or("-", |c| c.as_str());
        let base = r.base.map_or_else(|| "-".to_string(), |b| b.to_string());
        let evidence = if r.raw_hash.is_some() { "kept" } else { "-" };
        println!(
            "{:<9} {:<23} {:<12} {:<8} {evidence}",
            r.revision,
            r.seen_at.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z"),
            class,
            base,
        );
    }
    Ok(Exit::Ok)
}

/// Prints what changed between two revisions of an article.
pub fn diff(settings: &Settings, args: &DiffArgs, store: &Store) -> anyhow::Result<Exit> {
    let history = store.revision_history(args.id)?;
    if history.is_empty() {
        eprintln!("no article with id {}", args.id);
        return Ok(Exit::Runtime);
    }
    let (from, to) = match diff_range(&history, args.from, args.to) {
        Ok(range) => range,
        Err(why) => {
            eprintln!("article {}: {why}", args.id);
            return Ok(Exit::Runtime);
        }
    };
    let source_id = store
        .article(args.id)?
        .map(|a| a.article.source_id)
        .unwrap_or_default();
    let ignore = settings
        .sources
        .iter()
        .find(|s| s.id == source_id)
        .map(|s| s.ignore.as_slice())
        .unwrap_or_default();
    let Some((old, new)) = store.revision_pair(args.id, from, to)? else {
        eprintln!("article {}: revision {from} or {to} is missing", args.id);
        return Ok(Exit::Runtime);
    };
    // The same diff the digest's "Revised" section shows.
    let diff = revise::diff_revisions(&old, &new, ignore).in_timezone(settings.daemon.timezone);
    match args.format {
        DiffFormat::Text if diff.is_empty() => {
            println!(
                "revisions {from} and {to} of article {} read the same",
                args.id
            );
        }
        DiffFormat::Text => print!("{}", diff.to_text()),
        DiffFormat::Html => print!("{}", diff.to_html()),
    }
    Ok(Exit::Ok)
}

/// The revisions a diff compares, given an article's `history` and the
/// revisions asked for: `to` defaults to the newest, `from` to the revision
/// `to` was compared with when it was stored (else the one before). An
/// error says, for a reader, why there is nothing to compare.
fn diff_range(
    history: &[RevisionInfo],
    from: Option<u32>,
    to: Option<u32>,
) -> Result<(u32, u32), String> {
    let newest = history
        .last()
        .map(|r| r.revision)
        .ok_or("no such article")?;
    let exists = |n: u32| history.iter().any(|r| r.revision == n);
    let to = to.unwrap_or(newest);
    if !exists(to) {
        return Err(format!("no revision {to} (revisions 1 to {newest})"));
    }
    let from = match from {
        Some(f) => f,
        None => history
            .iter()
            .find(|r| r.revision == to)
            .and_then(|r| r.base)
            .unwrap_or(to.saturating_sub(1)),
    };
    if from == 0 {
        return Err("only one revision: nothing to compare".into());
    }
    if !exists(from) {
        return Err(format!("no revision {from} (revisions 1 to {newest})"));
    }
    Ok((from, to))
}
