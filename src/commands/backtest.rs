//! `reformwatch articles --query Q` and `--topic T`: a topic replayed over
//! the stored archive with the scorer the poll uses, so a query can be
//! tuned before it is saved and a saved topic's matches can be explained.

use chrono::{DateTime, Utc};
use reformwatch::analysis::score::TopicMatcher;
use reformwatch::config::query;
use reformwatch::config::{Settings, Topic};
use reformwatch::model::TermHit;
use reformwatch::store::Store;

use super::cli::ArticlesArgs;
use super::Exit;

/// Scores every stored article first seen within `--since` against the
/// topic and prints the matches, newest first, with their explanations.
pub fn run(
    settings: &Settings,
    args: &ArticlesArgs,
    store: &Store,
    now: DateTime<Utc>,
) -> anyhow::Result<Exit> {
    let Some(topic) = topic(settings, args) else {
        return Ok(Exit::Config);
    };
    let matcher = TopicMatcher::new(std::slice::from_ref(&topic)).with_sources(&settings.sources);
    let since = args
        .since
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .map(|d| now - d);
    let mut shown = 0;
    for row in store.list_articles(None, since, usize::MAX)? {
        if shown == args.limit {
            break;
        }
        let Some(stored) = store.article(row.id)? else {
            continue;
        };
        let Some(m) = matcher.score(&stored.article).pop() else {
            continue;
        };
        shown += 1;
        if args.json {
            let v = serde_json::json!({
                "id": row.id, "source_id": row.source_id, "title": row.title, "url": row.url,
                "published_at": row.published_at, "first_seen_at": row.first_seen_at,
                "topic": topic.id, "score": m.score, "explanation": m.hits,
            });
            println!("{v}");
        } else {
            let when = row.published_at.unwrap_or(row.first_seen_at);
            println!(
                "{:>6}  {}  {:<20} {}  score {:.1}",
                row.id,
                when.with_timezone(&settings.daemon.timezone)
                    .format("%Y-%m-%d %H:%M"),
                row.source_id,
                row.title,
                m.score
            );
            for hit in &m.hits {
                println!("        {}", explain(hit));
            }
        }
    }
    if !args.json {
        eprintln!(
            "{shown} article{} matched",
            if shown == 1 { "" } else { "s" }
        );
    }
    Ok(Exit::Ok)
}

/// The topic to replay: the saved one, its query replaced by `--query`
/// when given, or a bare query with the default `min_score`. `None` after
/// printing why when the topic is unknown or the query is bad.
fn topic(settings: &Settings, args: &ArticlesArgs) -> Option<Topic> {
    let mut topic = match &args.topic {
        Some(id) => match settings.topics.iter().find(|t| &t.id == id) {
            Some(t) => t.clone(),
            None => {
                let ids: Vec<&str> = settings.topics.iter().map(|t| t.id.as_str()).collect();
                eprintln!(
                    "--topic: unknown topic `{id}` (configured: {})",
                    ids.join(", ")
                );
                return None;
            }
        },
        None => Topic {
            id: "query".into(),
            name: "--query".into(),
            keywords: Vec::new(),
            query: None,
            exclude: Vec::new(),
            min_score: 1.0,
        },
    };
    if let Some(text) = &args.query {
        match query::parse(text, &settings.synonyms) {
            Ok(q) => topic.query = Some(q),
            Err(e) => {
                eprintln!("--query: {e}");
                return None;
            }
        }
    }
    Some(topic)
}

/// One explanation line: `@国企 (国有企业): title 1, body 2`.
fn explain(hit: &TermHit) -> String {
    let places: Vec<String> = if hit.fields.is_empty() {
        [("title", hit.title), ("body", hit.body)]
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(f, n)| format!("{f} {n}"))
            .collect()
    } else {
        hit.fields.iter().map(|(f, n)| format!("{f} {n}")).collect()
    };
    format!("{}: {}", hit.term, places.join(", "))
}
