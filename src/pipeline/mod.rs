//! The one place that sequences the stages for sources:
//! fetch → decode → parse/discover → (fetch pages → decode → extract) →
//! score → store. Each source runs as its own task under the fetcher's
//! global and per-host limits; one failing source only produces a `Failed`
//! record for itself, and one failing article page is skipped (and retried
//! next poll) without failing its source. Records are written in batches of
//! [`WRITE_BATCH`] sources, one transaction each, which keeps both the number
//! of commits and the memory held for a large pass small.
//! After the sources' own polls, `recheck` fetches again the pages of
//! stored articles whose re-check is due, so silent edits become revisions.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;
use tracing::{info, warn};
use url::Url;

use crate::analysis::score::TopicMatcher;
use crate::config::{Backfill, Settings, Source, SourceKind};
use crate::document::decode;
use crate::document::discover::{self, DiscoverError};
use crate::document::normalize;
use crate::document::page_rules;
use crate::document::parse::{self, FeedContext, ParseError};
use crate::model::FeedDocument;
use crate::model::SourceState;
use crate::model::Validators;
use crate::net::fetch::{FetchError, FetchOutcome, Fetched, Fetcher};
use crate::store::poll::{PollRecord, ScoredArticle};
use crate::store::revisions::RevisePolicies;
use crate::store::{Store, StoreError};

mod articles;
mod preview;
mod recheck;
pub mod schedule;

pub use articles::{fetch_article, FetchedArticle, PageError, PageState};
use articles::{listed_articles, with_full_text, Gathered};
pub use preview::{preview_source, Preview, PreviewItem, MANY_ITEMS};

/// Everything a poll pass needs, shared by the source tasks.
pub struct PollContext {
    /// The validated configuration.
    pub settings: Arc<Settings>,
    /// The process's HTTP client.
    pub fetcher: Arc<Fetcher>,
    /// Topic matchers built once from the config.
    pub matcher: Arc<TopicMatcher>,
}

impl PollContext {
    /// Builds the fetcher and matchers for `settings`.
    pub fn new(settings: Arc<Settings>) -> Result<Self, FetchError> {
        let fetcher = Fetcher::new(
            (&settings.daemon).into(),
            settings.daemon.user_agent.as_deref(),
        )?;
        // Only the sources' origins may be on non-public addresses.
        fetcher.configure(&settings.sources);
        let matcher = TopicMatcher::new(&settings.topics);
        Ok(PollContext {
            settings,
            fetcher: Arc::new(fetcher),
            matcher: Arc::new(matcher),
        })
    }
}

/// Why one source's poll failed.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The HTTP exchange failed.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The document was fetched but is not a usable feed.
    #[error("{url}: {error}")]
    Parse {
        /// The fetched URL.
        url: String,
        /// What the parser said.
        error: ParseError,
    },
    /// The listing page's rules found no article link (layout drift).
    #[error(transparent)]
    Discover(#[from] DiscoverError),
    /// The database could not say which article pages are new.
    #[error("cannot read stored articles: {0}")]
    Store(#[from] StoreError),
}

/// What one poll pass did, for the command line and logs.
#[derive(Debug, Default, Clone)]
pub struct PollSummary {
    /// Sources that returned a document.
    pub fetched: usize,
    /// Sources that answered 304.
    pub not_modified: usize,
    /// New articles stored.
    pub new_articles: usize,
    /// Items seen in fetched documents.
    pub items_seen: usize,
    /// Failed sources with their error.
    pub failed: Vec<(String, String)>,
    /// Stored articles whose pages were fetched again (re-checks).
    pub rechecked: usize,
    /// New revisions stored (silent edits found by re-checks or polls).
    pub revised: usize,
}

/// Polls `sources` concurrently and writes every outcome to `store`.
pub async fn poll_sources(
    ctx: &PollContext,
    store: &Store,
    sources: &[Source],
    now: DateTime<Utc>,
) -> Result<PollSummary, StoreError> {
    let states = tokio::task::block_in_place(|| store.source_states())?;
    // Page-fetching sources ask the database which links are new through
    // read-only connections of their own.
    let db: Arc<Path> = Arc::from(store.path());
    let mut tasks = JoinSet::new();
    // Which source each task polls, to name it if the task panics.
    let mut polling = HashMap::new();
    for source in sources {
        let source = source.clone();
        let names = (source.id.clone(), source.url.to_string());
        let state = states.get(&source.id).cloned();
        let fetcher = ctx.fetcher.clone();
        let matcher = ctx.matcher.clone();
        let db = db.clone();
        let task = tasks.spawn(async move {
            let state = state.as_ref();
            poll_one(&fetcher, &matcher, &source, state, &db, now).await
        });
        polling.insert(task.id(), names);
    }
    let mut records = Vec::with_capacity(sources.len().min(WRITE_BATCH));
    let mut summary = PollSummary::default();
    let policies = RevisePolicies::of(&ctx.settings.sources);
    while let Some(joined) = tasks.join_next().await {
        let record = match joined {
            Ok(record) => record,
            Err(e) => {
                // A panicking source task is a bug; it must not take the pass down.
                let (source, url) = polling.remove(&e.id()).unwrap_or_default();
                warn!(source = %source, url = %url, error = %e, "source task ended abnormally");
                continue;
            }
        };
        match &record {
            PollRecord::Fetched {
                source_id,
                items,
                extract_errors,
                ..
            } => {
                summary.fetched += 1;
                summary.items_seen += items.len();
                if let Some(e) = extract_errors.first() {
                    summary.failed.push((source_id.clone(), e.clone()));
                }
            }
            PollRecord::NotModified { .. } => summary.not_modified += 1,
            PollRecord::Failed {
                source_id, error, ..
            } => summary.failed.push((source_id.clone(), error.clone())),
        }
        records.push(record);
        if records.len() >= WRITE_BATCH {
            write_batch(store, &mut records, &policies, now, &mut summary)?;
        }
    }
    write_batch(store, &mut records, &policies, now, &mut summary)?;
    summary.failed.sort();
    // After the sources' own polls, so new articles always go first.
    let rechecks = recheck::recheck_sources(ctx, store, sources, &policies, now).await?;
    summary.rechecked = rechecks.checked;
    summary.revised += rechecks.revised.len();
    Ok(summary)
}

/// Sources whose results are written together in one transaction.
pub const WRITE_BATCH: usize = 100;

/// Writes and clears `records`; counts new articles and revisions in
/// `summary`.
fn write_batch(
    store: &Store,
    records: &mut Vec<PollRecord>,
    policies: &RevisePolicies,
    now: DateTime<Utc>,
    summary: &mut PollSummary,
) -> Result<(), StoreError> {
    if records.is_empty() {
        return Ok(());
    }
    let report = tokio::task::block_in_place(|| store.apply_poll_with(records, policies, now))?;
    records.clear();
    for (id, n) in &report.new_by_source {
        if *n > 0 {
            info!(source = %id, new = n, "new articles stored");
        }
    }
    if report.revised > 0 {
        info!(
            revised = report.revised,
            "edited feed items stored as new revisions"
        );
    }
    summary.new_articles += report.new_articles();
    summary.revised += report.revised;
    Ok(())
}

/// Polls one source and turns the outcome into a record for the store.
async fn poll_one(
    fetcher: &Arc<Fetcher>,
    matcher: &TopicMatcher,
    source: &Source,
    state: Option<&SourceState>,
    db: &Path,
    now: DateTime<Utc>,
) -> PollRecord {
    // Validators belong to a URL: after a URL change the old ones are void.
    let same_url = state.is_some_and(|s| s.url == source.url.as_str());
    let validators = match state {
        Some(s) if same_url => s.validators.clone(),
        _ => Validators::default(),
    };
    let first_poll = !same_url || state.is_none_or(|s| s.first_polled_at.is_none());
    let jitter = jitter(&source.id, now);
    let interval = schedule::effective_interval(
        source.interval,
        source.adaptive,
        state.map_or(0, |s| s.published_last_week),
    );
    match fetch_and_parse(fetcher, matcher, source, &validators, first_poll, db, now).await {
        Ok(Polled::NotModified { floor }) => PollRecord::NotModified {
            source_id: source.id.clone(),
            url: source.url.to_string(),
            next_poll_at: schedule::in_active_hours(
                source,
                schedule::next_poll_after_success(now, interval, floor, jitter),
            ),
        },
        Ok(Polled::Fetched {
            validators,
            encoding,
            items,
            extract_errors,
            ttl,
        }) => PollRecord::Fetched {
            source_id: source.id.clone(),
            url: source.url.to_string(),
            validators,
            encoding,
            items,
            extract_errors,
            next_poll_at: schedule::in_active_hours(
                source,
                schedule::next_poll_after_success(now, interval, ttl, jitter),
            ),
        },
        Err(error) => {
            let streak = state.map_or(0, |s| s.error_streak) + 1;
            let retry_after = match &error {
                SourceError::Fetch(FetchError::Status { hints, .. }) => hints.retry_after,
                _ => None,
            };
            warn!(source = %source.id, url = %source.url, streak, error = %error, "poll failed");
            PollRecord::Failed {
                source_id: source.id.clone(),
                url: source.url.to_string(),
                error: error.to_string(),
                next_poll_at: schedule::in_active_hours(
                    source,
                    schedule::next_poll_after_error(
                        now,
                        source.interval,
                        streak,
                        retry_after,
                        jitter,
                    ),
                ),
            }
        }
    }
}

enum Polled {
    NotModified {
        /// The 304's `Cache-Control` / `Expires` / `Retry-After`: the
        /// earliest next poll, as for a 200.
        floor: Option<Duration>,
    },
    Fetched {
        validators: Validators,
        encoding: String,
        items: Vec<ScoredArticle>,
        extract_errors: Vec<String>,
        ttl: Option<Duration>,
    },
}

/// Fetches and decodes the source's document and turns it into scored
/// items (full text fetched where the source asks for it).
async fn fetch_and_parse(
    fetcher: &Arc<Fetcher>,
    matcher: &TopicMatcher,
    source: &Source,
    validators: &Validators,
    first_poll: bool,
    db: &Path,
    now: DateTime<Utc>,
) -> Result<Polled, SourceError> {
    let fetched = match fetcher.get(&source.url, validators).await? {
        FetchOutcome::NotModified { hints } => {
            return Ok(Polled::NotModified {
                floor: hints.poll_floor(),
            })
        }
        FetchOutcome::Fetched(f) => f,
    };
    let decoded = decode_fetched(source, &fetched);
    let (gathered, ttl) = match source.kind {
        SourceKind::Feed => {
            let doc = parse_source_feed(&decoded.text, source, &fetched.final_url, now)?;
            let ttl = doc
                .ttl_minutes
                .map(|m| Duration::from_secs(u64::from(m) * 60));
            let gathered = if source.full_text {
                let keys = doc
                    .items
                    .iter()
                    .map(|a| (a.guid.as_str(), a.canonical_url.as_deref()));
                let pages = PageState::read(db, &source.id, keys)?;
                with_full_text(fetcher, source, doc.items, &pages, now).await
            } else {
                Gathered::complete(doc.items)
            };
            (gathered, ttl)
        }
        SourceKind::Html => {
            let rules = source.list.clone().unwrap_or_default();
            let listing =
                discover::discover(&decoded.text, &fetched.final_url, &rules, source.timezone)?;
            let keys: Vec<(String, String)> = listing
                .candidates
                .iter()
                .map(|c| {
                    (
                        page_rules::page_guid(&c.url),
                        normalize::canonical_url(&c.url),
                    )
                })
                .collect();
            let keys = keys.iter().map(|(g, c)| (g.as_str(), Some(c.as_str())));
            let pages = PageState::read(db, &source.id, keys)?;
            (
                listed_articles(fetcher, source, listing.candidates, &pages, now).await,
                None,
            )
        }
    };
    let items = gathered
        .articles
        .into_iter()
        .map(|(article, page)| {
            let matches = matcher.score(&article);
            let mailable = !first_poll || within_backfill(source.backfill, &article, now);
            ScoredArticle {
                article,
                matches,
                mailable,
                page,
            }
        })
        .collect();
    Ok(Polled::Fetched {
        // Pages skipped this time are retried next poll, which needs the
        // whole listing again rather than a 304.
        validators: if gathered.complete {
            fetched.validators
        } else {
            Validators::default()
        },
        encoding: decoded.encoding.name().to_string(),
        items,
        extract_errors: gathered.errors,
        // RSS <ttl>, Cache-Control max-age and Expires: the longest wins.
        ttl: ttl.max(fetched.hints.poll_floor()),
    })
}

/// Decodes a fetched body with the source's charset override, if any: the
/// one decode step polls, full-text pages, re-checks and `test-source` share.
fn decode_fetched(source: &Source, fetched: &Fetched) -> decode::Decoded {
    decode::decode_document(
        &fetched.body,
        fetched.content_type.as_deref(),
        source.encoding,
    )
}

/// Parses `text`, fetched from `url` (after redirects), as `source`'s feed;
/// an error names the URL. Shared by polls and `test-source`.
fn parse_source_feed(
    text: &str,
    source: &Source,
    url: &Url,
    now: DateTime<Utc>,
) -> Result<FeedDocument, SourceError> {
    let ctx = FeedContext {
        source_id: &source.id,
        timezone: source.timezone,
        fetched_at: now,
        base_url: Some(url),
    };
    parse::parse_feed(text, &ctx).map_err(|error| SourceError::Parse {
        url: url.to_string(),
        error,
    })
}

/// On a source's first poll only recent items count as new, so adding a
/// source never floods subscribers. Undated items count as old.
fn within_backfill(
    backfill: Backfill,
    article: &crate::model::Article,
    now: DateTime<Utc>,
) -> bool {
    match backfill {
        Backfill::All => true,
        Backfill::None => false,
        Backfill::Window(w) => article
            .published_at
            .is_some_and(|p| chrono::Duration::from_std(w).is_ok_and(|w| p >= now - w)),
    }
}

/// A value in `[0, 1)` that differs per source and per pass, to spread polls.
fn jitter(source_id: &str, now: DateTime<Utc>) -> f64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write(source_id.as_bytes());
    h.write_i64(now.timestamp_nanos_opt().unwrap_or_default());
    (h.finish() % 10_000) as f64 / 10_000.0
}

/// Sources due at `now` according to the stored schedule (all on first run).
pub fn due_sources(
    settings: &Settings,
    states: &HashMap<String, SourceState>,
    now: DateTime<Utc>,
) -> Vec<Source> {
    settings
        .sources
        .iter()
        .filter(|s| {
            states
                .get(&s.id)
                .filter(|st| st.url == s.url.as_str())
                .and_then(|st| st.next_poll_at)
                .is_none_or(|t| t <= now)
                // A new source waits for its active hours too.
                && schedule::in_active_hours(s, now) <= now
        })
        .cloned()
        .collect()
}
