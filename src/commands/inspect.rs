//! Read-only views for operators and analysts: `sources`, `articles`,
//! `show`, `outbox`.

use std::fmt::Write as _;
use std::io::Write as _;

use crate::commands::cli::{ArticlesArgs, ArticlesFormat, ShowArgs};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use reformwatch::config::Settings;
use reformwatch::export::{self, FeedInfo};
use reformwatch::model::{ArticleFilter, FailureKind, ListedArticle};
use reformwatch::store::Store;

use super::Exit;

/// Times in listings are shown in the operator's default zone.
fn local(t: Option<DateTime<Utc>>, tz: Tz) -> String {
    t.map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "-".into())
}

/// `reformwatch sources`: one row per configured source with its health.
pub fn sources(settings: &Settings, store: &Store) -> anyhow::Result<Exit> {
    let health = store.source_health()?;
    let tz = settings.daemon.timezone;
    println!(
        "{:<24} {:<8} {:<16} {:>6} {:>11} {:<8} {:<16} LAST ERROR",
        "SOURCE", "STATE", "LAST SUCCESS", "STREAK", "ITEMS/USUAL", "ENCODING", "NEXT POLL"
    );
    for source in &settings.sources {
        let h = health.iter().find(|h| h.id == source.id);
        let Some(h) = h else {
            println!("{:<24} {:<8}", source.id, "new");
            continue;
        };
        let state = if h.error_streak > 0 { "failing" } else { "ok" };
        let items = match (h.last_items, h.usual_items) {
            (Some(l), Some(u)) => format!("{l}/{u:.0}"),
            _ => "-".into(),
        };
        let error = if h.error_streak > 0 {
            h.last_error.clone().unwrap_or_default()
        } else {
            String::new()
        };
        println!(
            "{:<24} {:<8} {:<16} {:>6} {:>11} {:<8} {:<16} {}",
            source.id,
            state,
            local(h.last_success_at, tz),
            h.error_streak,
            items,
            h.encoding.as_deref().unwrap_or("-"),
            local(h.next_poll_at, tz),
            error
        );
        if let Some(hint) = h
            .last_error_kind
            .filter(|_| h.error_streak > 0)
            .and_then(FailureKind::hint)
        {
            println!("{:<24} hint: {hint}", "");
        }
    }
    Ok(Exit::Ok)
}

/// `reformwatch articles`: newest first, as a table or exported
/// (`--format jsonl|csv|atom|jsonfeed`).
pub fn articles(
    settings: &Settings,
    args: &ArticlesArgs,
    store: &Store,
    now: DateTime<Utc>,
) -> anyhow::Result<Exit> {
    let filter = ArticleFilter {
        topic: args.topic.clone(),
        since: args
            .since
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .map(|d| now - d),
        limit: args.limit,
    };
    let items = store.listed_articles(&filter)?;
    let feed = FeedInfo::of_topic(args.topic.as_deref(), now);
    print_articles(args.format(), &items, &feed, |items| {
        table(items, settings.daemon.timezone)
    })
}

/// Writes `items` to stdout in `format`: the export formats as they are,
/// the table as `table` draws it (each listing command has its own).
pub fn print_articles(
    format: ArticlesFormat,
    items: &[ListedArticle],
    feed: &FeedInfo,
    table: impl FnOnce(&[ListedArticle]) -> String,
) -> anyhow::Result<Exit> {
    let out = match format {
        ArticlesFormat::Table => table(items).into_bytes(),
        ArticlesFormat::Jsonl => export::jsonl(items)?.into_bytes(),
        ArticlesFormat::Csv => export::csv::render(items)?,
        ArticlesFormat::Atom => export::atom::render(feed, items, &[])?.into_bytes(),
        ArticlesFormat::Jsonfeed => export::jsonfeed::render(feed, items, &[])?.into_bytes(),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&out)?;
    stdout.flush()?;
    Ok(Exit::Ok)
}

/// One line per article: id, time, source, title, topics.
fn table(items: &[ListedArticle], tz: Tz) -> String {
    let mut out = String::new();
    for item in items {
        let a = &item.article;
        let topics: Vec<&str> = item.topic_ids().collect();
        let _ = writeln!(
            out,
            "{:>6}  {}  {:<20} {}{}",
            a.id.unwrap_or_default(),
            local(a.published_at.or(Some(item.first_seen_at)), tz),
            a.source_id,
            a.title,
            if topics.is_empty() {
                String::new()
            } else {
                format!("  [{}]", topics.join(", "))
            }
        );
    }
    out
}

/// `reformwatch show ID`: the article in full.
pub fn show(settings: &Settings, args: &ShowArgs, store: &Store) -> anyhow::Result<Exit> {
    let Some(stored) = store.article(args.id)? else {
        eprintln!("no article with id {}", args.id);
        return Ok(Exit::Runtime);
    };
    let a = &stored.article;
    if args.json {
        let mut v = a.to_json();
        if let (Some(mark), serde_json::Value::Object(map)) = (stored.cluster, &mut v) {
            map.insert("cluster".into(), mark.cluster.into());
            map.insert("original".into(), mark.original.into());
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(Exit::Ok);
    }
    let tz = settings.daemon.timezone;
    if let Some(k) = &a.kicker {
        println!("{k}");
    }
    println!("{}", a.title);
    if let Some(s) = &a.subtitle {
        println!("{s}");
    }
    println!();
    println!("source:    {}", a.source_id);
    if let Some(u) = &a.url {
        println!("url:       {u}");
    }
    println!("published: {}", local(a.published_at, tz));
    println!("seen:      {}", local(Some(stored.first_seen_at), tz));
    println!("revision:  {}", a.revision);
    if let Some(mark) = stored.cluster {
        println!("cluster:   {}", cluster_line(store, a.id, mark)?);
    }
    if !stored.mailable {
        println!("mailable:  no (stored by a source's first poll, outside the backfill window)");
    }
    for (topic, score, hits) in &stored.matches {
        let terms: Vec<String> = hits
            .iter()
            .map(|h| format!("{} (title {}, body {})", h.term, h.title, h.body))
            .collect();
        println!("topic:     {topic} score {score:.1}: {}", terms.join(", "));
    }
    println!();
    // The lead is usually the body's first paragraph; print it once.
    if let Some(lead) = a
        .lead
        .as_deref()
        .filter(|l| a.paragraphs().next() != Some(*l))
    {
        println!("{lead}\n");
    }
    println!("{}", a.text());
    Ok(Exit::Ok)
}

/// `12 (original; also from 3 xjd, 4 jxrb)`: the article's cluster, its
/// part in it, and the other members by id and source.
fn cluster_line(
    store: &Store,
    id: Option<i64>,
    mark: reformwatch::store::clusters::ClusterMark,
) -> anyhow::Result<String> {
    let others: Vec<String> = store
        .cluster_members(mark.cluster)?
        .iter()
        .filter(|m| m.article.id != id)
        .map(|m| {
            let role = if m.original { " (original)" } else { "" };
            format!(
                "{} {}{role}",
                m.article.id.unwrap_or_default(),
                m.article.source_id
            )
        })
        .collect();
    let role = if mark.original { "original" } else { "copy" };
    Ok(if others.is_empty() {
        format!("{} ({role}, no other copies)", mark.cluster)
    } else {
        format!("{} ({role}; also from {})", mark.cluster, others.join(", "))
    })
}

/// `reformwatch outbox retry ID`: requeue one unsent digest.
pub fn outbox_retry(store: &Store, id: i64, now: DateTime<Utc>) -> anyhow::Result<Exit> {
    use reformwatch::store::digests::Requeue;
    match store.requeue_digest(id, now)? {
        Requeue::Requeued { subscriber, was } => {
            println!("digest {id} for {subscriber} requeued (was {was}); the next relay sends it");
            Ok(Exit::Ok)
        }
        Requeue::AlreadySent => {
            eprintln!("digest {id} was already sent; nothing to retry");
            Ok(Exit::Runtime)
        }
        Requeue::NotFound => {
            eprintln!("no digest {id} in the outbox (see `reformwatch outbox`)");
            Ok(Exit::Runtime)
        }
    }
}

/// `reformwatch outbox`: digests not yet sent, one row each with its state.
/// Only a `pending` digest has a next attempt; a `failed` (rejected) or
/// `expired` one is never tried again unless requeued, which its second
/// line says, after the last delivery error.
pub fn outbox(store: &Store) -> anyhow::Result<Exit> {
    /// Lines about a row start under its STATE column.
    const INDENT: &str = "       ";
    let entries = store.unsent_digests()?;
    if entries.is_empty() {
        println!("outbox empty: every composed digest was sent");
        return Ok(Exit::Ok);
    }
    println!(
        "{:>5}  {:<8} {:>8}  {:<20}  {:<28} SUBJECT",
        "ID", "STATE", "ATTEMPTS", "NEXT ATTEMPT", "SUBSCRIBER"
    );
    for e in entries {
        let pending = e.state == "pending";
        let next = if pending {
            e.next_attempt_at.format("%Y-%m-%d %H:%M UTC").to_string()
        } else {
            "-".to_owned()
        };
        println!(
            "{:>5}  {:<8} {:>8}  {:<20}  {:<28} {}",
            e.id, e.state, e.attempts, next, e.subscriber_id, e.subject
        );
        if let Some(error) = &e.last_error {
            println!("{INDENT}last error: {error}");
        }
        if !pending {
            let why = match e.state.as_str() {
                "failed" => "rejected permanently",
                "expired" => "ran out of queue_lifetime",
                _ => "not queued",
            };
            println!(
                "{INDENT}{why}; not retried (requeue: reformwatch outbox retry {})",
                e.id
            );
        }
    }
    Ok(Exit::Ok)
}
