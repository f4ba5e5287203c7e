//! `reformwatch articles --query Q [--topic T]`: a query (or saved topic
//! T with query Q) replayed over the stored archive with the scorer the
//! poll uses, so a query can be tuned before it is saved.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use reformwatch::analysis::score::TopicMatcher;
use reformwatch::config::query;
use reformwatch::config::{Settings, Topic};
use reformwatch::export::FeedInfo;
use reformwatch::model::{ArticleFilter, ListedArticle, TermHit};
use reformwatch::store::Store;

use super::cli::ArticlesArgs;
use super::inspect::print_articles;
use super::Exit;

/// Scores every stored article first seen within `--since` against the
/// topic and prints the matches, newest first, each with the query's
/// match (score and explanation) in place of the stored ones, in any
/// `articles` format.
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
    let filter = ArticleFilter {
        topic: None,
        since: args
            .since
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .map(|d| now - d),
        limit: usize::MAX,
    };
    let mut items = Vec::new();
    for mut item in store.listed_articles(&filter)? {
        if items.len() == args.limit {
            break;
        }
        let Some(m) = matcher.score(&item.article).pop() else {
            continue;
        };
        item.matches = vec![m];
        items.push(item);
    }
    let feed = FeedInfo::of_topic(Some(&topic.id), now);
    let tz = settings.daemon.timezone;
    print_articles(args.format(), &items, &feed, |items| table(items, tz))
}

/// One line per match with its score, then one line per clause and field
/// that matched; the count goes to stderr.
fn table(items: &[ListedArticle], tz: Tz) -> String {
    let mut out = String::new();
    for item in items {
        let a = &item.article;
        let when = a.published_at.unwrap_or(item.first_seen_at);
        out.push_str(&format!(
            "{:>6}  {}  {:<20} {}  score {:.1}\n",
            a.id.unwrap_or_default(),
            when.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
            a.source_id,
            a.title,
            item.matches[0].score
        ));
        for hit in &item.matches[0].hits {
            out.push_str(&format!("        {}\n", explain(hit)));
        }
    }
    eprintln!(
        "{} article{} matched",
        items.len(),
        if items.len() == 1 { "" } else { "s" }
    );
    out
}

/// The topic to replay: the saved one with its query replaced by
/// `--query`, or the bare query with the default `min_score`. `None` after
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
            feed: false,
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
