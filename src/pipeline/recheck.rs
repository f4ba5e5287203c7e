//! Re-checks, the step after the sources' own polls: the pages of stored
//! articles whose re-check is due (at most `recheck_per_poll` per source,
//! so new articles always go first) are fetched again with a conditional
//! GET; a changed page is read like a first fetch, merged as its source
//! merges, and run through the revise step. Only sources that read pages
//! re-check (their schedule is not empty).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;
use tracing::{info, warn, Instrument};
use url::Url;

use super::pages::{fetch_article, PageError};
use super::{compare, schedule, source_rules, PollContext};
use crate::config::{Source, SourceKind};
use crate::document::page_rules;
use crate::document::read::{self, Input, Rules};
use crate::model::{
    Article, Candidate, DueRecheck, FailureKind, PageEvidence, Problem, RecheckOutcome,
    RecheckRecord,
};
use crate::net::fetch::{FetchError, FetchOutcome, Fetched, Fetcher};
use crate::store::articles::KnownArticle;
use crate::store::rechecks::RecheckReport;
use crate::store::{Store, StoreError};

/// Re-checks the due articles of `sources` and writes the outcomes in one
/// transaction; also prunes raw pages older than `retention`.
///
/// Two rounds: every due page is asked for with its validators, and only
/// the pages that come back changed (200) load their stored article and go
/// through extraction, so a pass where nothing changed costs little more
/// than its conditional GETs.
pub(super) async fn recheck_sources(
    ctx: &PollContext,
    store: &Arc<Store>,
    sources: &[&Source],
    retention: Duration,
    now: DateTime<Utc>,
) -> Result<RecheckReport, StoreError> {
    let mut asked = JoinSet::new();
    // Which page each task re-checks, to name it if it panics.
    let mut checking = HashMap::new();
    for &source in sources {
        let due = tokio::task::block_in_place(|| {
            store.due_rechecks(&source.id, now, source.recheck_per_poll)
        })?;
        let source = Arc::new(source.clone());
        for due in due {
            let (fetcher, source) = (ctx.fetcher.clone(), source.clone());
            let span = tracing::info_span!("recheck", source = %source.id, url = %due.url);
            let page = due.url.clone();
            let task = asked.spawn(
                async move {
                    let outcome = conditional_get(&fetcher, &due).await;
                    (due, source, outcome)
                }
                .instrument(span),
            );
            checking.insert(task.id(), page);
        }
    }
    let mut records = Vec::with_capacity(asked.len());
    let mut changed = JoinSet::new();
    while let Some(joined) = asked.join_next().await {
        let (due, source, outcome) = match joined {
            Ok(done) => done,
            Err(e) => {
                let url = checking.remove(&e.id()).unwrap_or_default();
                warn!(url = %url, error = %e, "re-check task ended abnormally");
                continue;
            }
        };
        let next = schedule::next_recheck(
            due.first_seen_at,
            source_rules::recheck_schedule(&source),
            now,
        );
        let record = |outcome| RecheckRecord {
            article_id: due.article_id,
            next_recheck_at: next,
            outcome,
        };
        let fetched = match outcome {
            Ok(FetchOutcome::NotModified { .. }) => {
                records.push(record(RecheckOutcome::NotModified));
                continue;
            }
            Ok(FetchOutcome::Fetched(fetched)) => fetched,
            Err(error) => {
                warn!(source = %source.id, url = %due.url, error = %error, "re-check failed");
                records.push(record(RecheckOutcome::Failed(Problem {
                    error: error.to_string(),
                    kind: error.failure_kind(),
                })));
                continue;
            }
        };
        let Some(stored) = tokio::task::block_in_place(|| store.article(due.article_id))? else {
            continue;
        };
        let job = Reread {
            fetcher: ctx.fetcher.clone(),
            store: store.clone(),
            matcher: ctx.matcher.clone(),
            source: source.clone(),
            stored: stored.article,
            now,
        };
        let span = tracing::info_span!("recheck", source = %source.id, url = %due.url);
        let page = due.url.clone();
        let task = changed.spawn(
            async move {
                let outcome = job.outcome(&due, fetched).await;
                if let RecheckOutcome::Failed(problem) = &outcome {
                    warn!(error = %problem.error, "re-check failed");
                }
                RecheckRecord {
                    article_id: due.article_id,
                    next_recheck_at: next,
                    outcome,
                }
            }
            .instrument(span),
        );
        checking.insert(task.id(), page);
    }
    while let Some(joined) = changed.join_next().await {
        match joined {
            Ok(record) => records.push(record),
            Err(e) => {
                let url = checking.remove(&e.id()).unwrap_or_default();
                warn!(url = %url, error = %e, "re-check task ended abnormally");
            }
        }
    }
    let report = tokio::task::block_in_place(|| {
        let report = store.apply_rechecks(&records, now)?;
        store.prune_evidence(retention, now)?;
        Ok::<_, StoreError>(report)
    })?;
    for (article, revision, class) in &report.revised {
        info!(article, revision, class = %class, "silent edit stored as a new revision");
    }
    Ok(report)
}

/// The page with the validators it gave last time.
async fn conditional_get(fetcher: &Fetcher, due: &DueRecheck) -> Result<FetchOutcome, FetchError> {
    let url = Url::parse(&due.url).map_err(|_| FetchError::Scheme {
        url: due.url.clone(),
    })?;
    fetcher.get(&url, &due.validators).await
}

/// A changed page read again, owned by its task.
struct Reread {
    fetcher: Arc<Fetcher>,
    store: Arc<Store>,
    matcher: Arc<crate::analysis::score::TopicMatcher>,
    source: Arc<Source>,
    stored: Article,
    now: DateTime<Utc>,
}

impl Reread {
    /// The page read like a first fetch (all pages of a multi-page
    /// article), merged as its source merges, and judged by the revise
    /// step; a page that reads far shorter than the stored article is a
    /// layout change, not an edit.
    async fn outcome(&self, due: &DueRecheck, fetched: Fetched) -> RecheckOutcome {
        let article = match self.article(due, &fetched).await {
            Ok(article) => article,
            Err(problem) => return RecheckOutcome::Failed(problem),
        };
        let stored = KnownArticle {
            id: due.article_id,
            content_hash: self.stored.content_hash.clone(),
        };
        let verdict = tokio::task::block_in_place(|| {
            compare::verdict(
                &self.store,
                &self.matcher,
                &stored,
                article,
                &self.source.ignore,
            )
        });
        match verdict {
            Ok(verdict) => RecheckOutcome::Fetched {
                page: PageEvidence {
                    raw: fetched.body,
                    validators: fetched.validators,
                },
                verdict,
            },
            Err(e) => RecheckOutcome::Failed(Problem {
                error: format!("{}: cannot read stored revisions: {e}", due.url),
                kind: FailureKind::Store,
            }),
        }
    }

    /// The article the fetched page shows now, or the problem, naming the
    /// URL.
    async fn article(&self, due: &DueRecheck, fetched: &Fetched) -> Result<Article, Problem> {
        let input = Input {
            body: &fetched.body,
            content_type: fetched.content_type.as_deref(),
            url: &fetched.final_url,
        };
        let page =
            read::read_page(input, Rules::of(&self.source), self.now).map_err(|e| Problem {
                kind: e.kind(),
                error: e.to_string(),
            })?;
        let page = match page.next_page {
            // Multi-page articles are rare: read all pages the usual way.
            Some(_) => {
                let url = Url::parse(&due.url).map_err(|e| Problem {
                    error: format!("{}: {e}", due.url),
                    kind: FailureKind::Extract,
                })?;
                fetch_article(&self.fetcher, &self.source, &url, self.now)
                    .await
                    .map_err(|e: PageError| Problem {
                        error: e.to_string(),
                        kind: FailureKind::Extract,
                    })?
                    .article
            }
            None => page.article,
        };
        let usual = Some(self.stored.body_chars() as f64);
        if let Some(why) = page_rules::body_drift(&page, usual, page_rules::DRIFT_MIN_SAMPLES) {
            return Err(Problem {
                error: format!("{}: {why}", fetched.final_url),
                kind: FailureKind::LayoutDrift,
            });
        }
        Ok(page_rules::article_of(self.as_candidate(), page))
    }

    /// The stored article as its document named it: a listed link (its
    /// guid and date), or a `full_text` feed item (its identity, title and
    /// dates; the page-derived fields are left for the page to fill).
    fn as_candidate(&self) -> Candidate {
        let stored = &self.stored;
        let item = (self.source.kind == SourceKind::Feed).then(|| {
            Box::new(Article {
                kicker: None,
                subtitle: None,
                byline: None,
                outlet: None,
                sections: Vec::new(),
                quotes: Vec::new(),
                ..stored.clone()
            })
        });
        Candidate {
            guid: stored.guid.clone(),
            canonical_url: stored.canonical_url.clone(),
            url: None,
            title: None,
            published_at: stored.published_at,
            item,
        }
    }
}
