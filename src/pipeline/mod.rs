//! The poll sequence: the one place that runs the stages for sources.
//!
//! ```text
//! schedule ─► fetch ─► read (decode → parse | discover) ─► known? (store)
//!   ─► fetch pages ─► read (decode → extract) ─► merge ─► revise ─► score
//!   ─► record (store)
//! ```
//!
//! [`poll_sources`] runs one pass: each due source is its own task under
//! the fetcher's global and per-host limits (`source::poll_source` names
//! every stage in order), and the records are written in batches of
//! [`WRITE_BATCH`] sources, one transaction each. One failing source only
//! produces a failed record for itself; a task that panics is recorded as
//! that source's failure. Each batch's new articles are then placed in
//! story clusters (`clusters`). After the sources' own polls, `recheck` fetches
//! again the pages of stored articles whose re-check is due, so silent
//! edits become revisions. [`schedule`] decides what is due and when;
//! `preview` runs the same stages for `test-source` without storing;
//! `robots_memory` keeps the fetcher's robots.txt copies in the store.

mod clusters;
mod compare;
mod pages;
mod preview;
mod recheck;
mod robots_memory;
pub mod schedule;
mod source;
pub mod source_rules;

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;
use tracing::{info, warn, Instrument};

use crate::analysis::score::TopicMatcher;
use crate::config::{Settings, Source};
use crate::document::read::ReadError;
use crate::model::{FailureKind, Problem, SourceOutcome, SourceRecord, SourceState};
use crate::net::fetch::{FetchError, Fetcher};
use crate::store::{Store, StoreError};

pub use pages::{fetch_article, FetchedArticle, PageError};
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
        let matcher = TopicMatcher::for_settings(&settings);
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
    /// The document was fetched but gave nothing usable: not a feed, or a
    /// listing whose rules found no link (layout drift).
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The database could not say which articles are stored.
    #[error("cannot read stored articles: {0}")]
    Store(#[from] StoreError),
    /// The source's task panicked: a bug, recorded as the source's failure.
    #[error("internal error while polling: {0}")]
    Panicked(String),
}

impl SourceError {
    /// The failure kind, for the store, counters and hints.
    pub fn kind(&self) -> FailureKind {
        match self {
            SourceError::Fetch(e) => e.failure_kind(),
            SourceError::Read(e) => e.kind(),
            SourceError::Store(_) => FailureKind::Store,
            SourceError::Panicked(_) => FailureKind::Internal,
        }
    }

    /// The failure as the store records it.
    pub fn problem(&self) -> Problem {
        Problem {
            error: self.to_string(),
            kind: self.kind(),
        }
    }
}

/// One source's failure in a pass.
#[derive(Debug)]
pub struct SourceFailure {
    /// The source id.
    pub source_id: String,
    /// What went wrong: the poll's error, or the page problem that marked
    /// the source failing.
    pub problem: Problem,
}

/// What one poll pass did, for the command line, logs and metrics.
#[derive(Debug, Default)]
pub struct PollSummary {
    /// Sources that returned a document.
    pub fetched: usize,
    /// Sources that answered 304.
    pub not_modified: usize,
    /// New articles stored.
    pub new_articles: usize,
    /// Items seen in fetched documents.
    pub items_seen: usize,
    /// Failed sources, by source id.
    pub failed: Vec<SourceFailure>,
    /// Stored articles whose pages were fetched again (re-checks).
    pub rechecked: usize,
    /// New revisions stored (silent edits found by re-checks or polls).
    pub revised: usize,
    /// The next poll of every source polled, as written.
    pub next_polls: Vec<(String, DateTime<Utc>)>,
}

/// Polls `sources` concurrently and writes every outcome to `store`;
/// `states` is the state read for this pass.
pub async fn poll_sources(
    ctx: &PollContext,
    store: &Arc<Store>,
    sources: &[&Source],
    states: &HashMap<String, SourceState>,
    now: DateTime<Utc>,
) -> Result<PollSummary, StoreError> {
    // robots.txt copies last their day across runs, dated by this pass.
    ctx.fetcher
        .remember_robots(Arc::new(robots_memory::StoredRobots {
            store: store.clone(),
            now,
        }));
    let mut tasks = JoinSet::new();
    // Which source each task polls, to record its failure if it panics.
    let mut polling = HashMap::new();
    for &source in sources {
        let job = source::Job {
            fetcher: ctx.fetcher.clone(),
            matcher: ctx.matcher.clone(),
            store: store.clone(),
            source: Arc::new(source.clone()),
            state: states.get(&source.id).cloned(),
            now,
        };
        let span = tracing::info_span!("source", source = %source.id, url = %source.url);
        let task = tasks.spawn(source::poll_source(job).instrument(span));
        polling.insert(task.id(), source);
    }
    let mut records = Vec::with_capacity(sources.len().min(WRITE_BATCH));
    let mut summary = PollSummary::default();
    let originals = clusters::original_sources(&ctx.settings.sources);
    while let Some(joined) = tasks.join_next().await {
        let record = match joined {
            Ok(record) => record,
            Err(e) => {
                let Some(source) = polling.remove(&e.id()) else {
                    continue;
                };
                let error = SourceError::Panicked(panic_message(e));
                warn!(source = %source.id, url = %source.url, error = %error, "source task ended abnormally");
                source::failed(source, states.get(&source.id), &error, now)
            }
        };
        count(&record, &mut summary);
        records.push(record);
        if records.len() >= WRITE_BATCH {
            write_batch(store, &originals, &mut records, now, &mut summary)?;
        }
    }
    write_batch(store, &originals, &mut records, now, &mut summary)?;
    summary.failed.sort_by(|a, b| a.source_id.cmp(&b.source_id));
    // After the sources' own polls, so new articles always go first.
    let rechecked: Vec<&Source> = sources
        .iter()
        .copied()
        .filter(|s| !source_rules::recheck_schedule(s).is_empty())
        .collect();
    let retention = ctx.settings.daemon.evidence_retention;
    let rechecks = recheck::recheck_sources(ctx, store, &rechecked, retention, now).await?;
    summary.rechecked = rechecks.checked;
    summary.revised += rechecks.revised.len();
    Ok(summary)
}

/// Sources whose results are written together in one transaction.
pub const WRITE_BATCH: usize = 100;

/// Counts one record in the summary.
fn count(record: &SourceRecord, summary: &mut PollSummary) {
    summary
        .next_polls
        .push((record.source_id.clone(), record.next_poll_at));
    let problem = match &record.outcome {
        SourceOutcome::Fetched(f) => {
            summary.fetched += 1;
            summary.items_seen += f.items_seen;
            f.problem.as_ref()
        }
        SourceOutcome::NotModified => {
            summary.not_modified += 1;
            None
        }
        SourceOutcome::Failed(problem) => Some(problem),
    };
    if let Some(problem) = problem {
        summary.failed.push(SourceFailure {
            source_id: record.source_id.clone(),
            problem: problem.clone(),
        });
    }
}

/// Writes and clears `records`, then places their new articles in story
/// clusters; counts new articles and revisions in `summary`.
fn write_batch(
    store: &Store,
    originals: &HashSet<&str>,
    records: &mut Vec<SourceRecord>,
    now: DateTime<Utc>,
    summary: &mut PollSummary,
) -> Result<(), StoreError> {
    if records.is_empty() {
        return Ok(());
    }
    let report = tokio::task::block_in_place(|| {
        let report = store.apply_poll(records, now)?;
        clusters::place_new(store, originals, records, &report.new_ids, now)?;
        Ok::<_, StoreError>(report)
    })?;
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

/// The text a panicking task left, for the source's error.
fn panic_message(e: tokio::task::JoinError) -> String {
    if !e.is_panic() {
        return e.to_string();
    }
    let payload = e.into_panic();
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a task panicked".to_owned())
}

/// A value in `[0, 1)` that differs per source and per pass, to spread polls.
fn jitter(source_id: &str, now: DateTime<Utc>) -> f64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write(source_id.as_bytes());
    h.write_i64(now.timestamp_nanos_opt().unwrap_or_default());
    (h.finish() % 10_000) as f64 / 10_000.0
}
