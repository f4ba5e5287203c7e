//! One source's poll, every stage in order: the conditional GET, reading
//! the document into candidates, asking the store which are new, fetching
//! and extracting the new ones' pages, the revise step for the ones that
//! came back, scoring, and the record the store writes.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tracing::warn;

use super::compare;
use super::pages;
use super::schedule::{self, PollTiming};
use super::source_rules;
use super::SourceError;
use crate::analysis::revise;
use crate::analysis::score::TopicMatcher;
use crate::config::Source;
use crate::document::read::{self, Document, Expect, Input, Rules};
use crate::model::{
    Article, FetchedSource, NewArticle, PageEvidence, SeenArticle, SourceOutcome, SourceRecord,
    SourceState, Verdict,
};
use crate::net::fetch::{FetchOutcome, Fetcher};
use crate::store::articles::KnownArticles;
use crate::store::{failpoint, Store};

/// What a source task needs, owned so the task can run on its own.
pub(super) struct Job {
    pub fetcher: Arc<Fetcher>,
    pub matcher: Arc<TopicMatcher>,
    pub store: Arc<Store>,
    pub source: Arc<Source>,
    pub state: Option<SourceState>,
    pub now: DateTime<Utc>,
}

/// How a poll ended, before it becomes a record.
enum Polled {
    NotModified {
        /// The 304's `Cache-Control` / `Expires` / `Retry-After`.
        floor: Option<Duration>,
    },
    Fetched {
        fetched: FetchedSource,
        /// RSS `<ttl>`, `Cache-Control` and `Expires`: the longest.
        floor: Option<Duration>,
    },
}

/// Polls one source and turns the outcome into a record for the store.
pub(super) async fn poll_source(job: Job) -> SourceRecord {
    let (source, state) = (&job.source, job.state.as_ref());
    failpoints(&source.id).await;
    let (outcome, floor) = match poll(&job).await {
        Ok(Polled::NotModified { floor }) => (SourceOutcome::NotModified, floor),
        Ok(Polled::Fetched { fetched, floor }) => (SourceOutcome::Fetched(fetched), floor),
        Err(error) => return failed(source, state, &error, job.now),
    };
    record(
        source,
        state,
        outcome,
        PollTiming::Success { floor },
        job.now,
    )
}

/// The test failpoints of a source task (see [`failpoint`]): it panics,
/// or never finishes, as a bug in a stage would make it.
async fn failpoints(source_id: &str) {
    if failpoint::armed(&format!("panic_in_source:{source_id}")) {
        panic!("failpoint panic_in_source:{source_id} hit");
    }
    if failpoint::armed(&format!("hang_in_source:{source_id}")) {
        warn!("failpoint hang_in_source:{source_id} hit: the task awaits for ever");
        std::future::pending::<()>().await;
    }
}

/// The record of a failed poll: the error, and the next poll after
/// backoff (never sooner than the server's `Retry-After`).
pub(super) fn failed(
    source: &Source,
    state: Option<&SourceState>,
    error: &SourceError,
    now: DateTime<Utc>,
) -> SourceRecord {
    let streak = state.map_or(0, |s| s.error_streak) + 1;
    match error.kind().hint() {
        Some(hint) => warn!(streak, error = %error, hint, "poll failed"),
        None => warn!(streak, error = %error, "poll failed"),
    }
    let retry_after = match error {
        SourceError::Fetch(e) => e.retry_after(),
        _ => None,
    };
    let outcome = SourceOutcome::Failed(error.problem());
    record(
        source,
        state,
        outcome,
        PollTiming::Failure { retry_after },
        now,
    )
}

/// A poll's record, with its next poll as the scheduler times it.
fn record(
    source: &Source,
    state: Option<&SourceState>,
    outcome: SourceOutcome,
    timing: PollTiming,
    now: DateTime<Utc>,
) -> SourceRecord {
    let jitter = super::jitter(&source.id, now);
    SourceRecord {
        source_id: source.id.clone(),
        url: source.url.to_string(),
        next_poll_at: schedule::next_poll(source, state, timing, jitter, now),
        outcome,
    }
}

/// The stages, in order.
async fn poll(job: &Job) -> Result<Polled, SourceError> {
    let (source, state, now) = (&*job.source, job.state.as_ref(), job.now);
    let rules_hash = source_rules::rules_hash(source);
    let rules_changed = schedule::rules_changed(state, &rules_hash);
    // fetch: conditional, unless the URL or the rules changed
    let validators = schedule::validators_to_send(source, state, rules_changed);
    let fetched = match job.fetcher.get(&source.url, &validators).await? {
        FetchOutcome::NotModified { hints } => {
            return Ok(Polled::NotModified {
                floor: hints.poll_floor(),
            })
        }
        FetchOutcome::Fetched(f) => f,
    };
    // read: decode → parse (feed) or discover (listing)
    let input = Input {
        body: &fetched.body,
        content_type: fetched.content_type.as_deref(),
        url: &fetched.final_url,
    };
    let expect = Expect::source_document(source.kind);
    let read = read::read(input, Rules::of(source), expect, now)?;
    let ttl = match &read.document {
        Document::Feed(feed) => feed
            .ttl_minutes
            .map(|m| Duration::from_secs(u64::from(m) * 60)),
        _ => None,
    };
    let encoding = read.encoding.name().to_string();
    let candidates = read.document.into_candidates();
    let items_seen = candidates.len();
    // known: which candidates the source has stored (nothing, for a source
    // never polled)
    let known = match state {
        None => KnownArticles::default(),
        Some(_) => tokio::task::block_in_place(|| {
            let by_url = source_rules::fetches_pages(source);
            job.store.known_articles(&source.id, &candidates, by_url)
        })?,
    };
    // pages: fetch and extract the new ones' pages, merge
    let gathered = pages::gather(&job.fetcher, &job.store, source, candidates, &known, now).await?;
    // revise and score
    let first_poll = schedule::is_first_poll(source, state);
    let (new, seen) = settle(job, gathered.articles, &known, first_poll)?;
    Ok(Polled::Fetched {
        fetched: FetchedSource {
            // Pages skipped this time are retried next poll, which needs
            // the whole listing again rather than a 304.
            validators: if gathered.complete {
                fetched.validators
            } else {
                Default::default()
            },
            rules_hash,
            rules_changed,
            encoding,
            items_seen,
            problem: gathered.problem,
            new,
            seen,
        },
        floor: ttl.max(fetched.hints.poll_floor()),
    })
}

/// Each gathered article becomes a new article (scored, with its
/// revision hash, backfill decision and first re-check) or a stored one
/// met again (run through the revise step when its source compares
/// items).
fn settle(
    job: &Job,
    articles: Vec<(Article, Option<PageEvidence>)>,
    known: &KnownArticles,
    first_poll: bool,
) -> Result<(Vec<NewArticle>, Vec<SeenArticle>), SourceError> {
    let (source, now) = (&*job.source, job.now);
    // Sized exactly: the records wait in memory until the writer takes
    // them, and a Vec of these large values grows through 4, 8, 16, 32.
    let fresh = articles
        .iter()
        .filter(|(a, _)| known.get(&a.guid).is_none())
        .count();
    let mut new = Vec::with_capacity(fresh);
    let mut seen = Vec::with_capacity(articles.len() - fresh);
    for (article, page) in articles {
        if let Some(stored) = known.get(&article.guid) {
            let verdict = if source_rules::compares_items(source) {
                tokio::task::block_in_place(|| {
                    compare::verdict(&job.store, &job.matcher, stored, article, &source.ignore)
                })?
            } else {
                Verdict::Unchanged
            };
            seen.push(SeenArticle {
                article_id: stored.id,
                verdict,
            });
            continue;
        }
        let mailable = schedule::mailable(first_poll, source.backfill, article.published_at, now);
        new.push(NewArticle {
            matches: job.matcher.score(&article),
            revision_hash: revise::revision_hash(&article, &source.ignore),
            next_recheck_at: schedule::first_recheck(source, mailable, now),
            mailable,
            page,
            article,
        });
    }
    Ok((new, seen))
}
