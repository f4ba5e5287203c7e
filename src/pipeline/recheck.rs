//! Re-checks, the step after a source's normal poll: the pages of its
//! stored articles whose re-check is due (at most `recheck_per_poll`, so new
//! articles always go first) are fetched again with a conditional GET,
//! extracted, merged like a first fetch and scored; the store decides
//! whether that is a new revision. Only html sources and feeds with
//! `full_text = true` re-check (their policy has a schedule).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;
use tracing::{info, warn};
use url::Url;

use super::articles::extract_fetched;
use super::{fetch_article, PollContext};
use crate::analysis::score::TopicMatcher;
use crate::config::{Source, SourceKind};
use crate::document::page_rules;
use crate::model::Article;
use crate::net::fetch::{FetchOutcome, Fetched, Fetcher};
use crate::store::revisions::{
    DueRecheck, RecheckOutcome, RecheckRecord, RecheckReport, RevisePolicies,
};
use crate::store::{Store, StoreError};

/// Re-checks the due articles of `sources` and writes the outcomes in one
/// transaction; also prunes raw pages past `[daemon] evidence_retention`.
///
/// Two rounds: every due page is asked for with its validators, and only
/// the pages that come back changed (200) load their stored article and go
/// through extraction, so a pass where nothing changed costs little more
/// than its conditional GETs.
pub(super) async fn recheck_sources(
    ctx: &PollContext,
    store: &Store,
    sources: &[Source],
    policies: &RevisePolicies,
    now: DateTime<Utc>,
) -> Result<RecheckReport, StoreError> {
    let mut asked = JoinSet::new();
    // Which source and page each task re-checks, to name them if it panics.
    let mut checking = HashMap::new();
    for source in sources {
        if policies.get(&source.id).recheck.is_empty() {
            continue;
        }
        let due = tokio::task::block_in_place(|| {
            store.due_rechecks(&source.id, now, source.recheck_per_poll)
        })?;
        let source = Arc::new(source.clone());
        for due in due {
            let (fetcher, source) = (ctx.fetcher.clone(), source.clone());
            let names = (source.id.clone(), due.url.clone());
            let task = asked.spawn(async move {
                let outcome = conditional_get(&fetcher, &due).await;
                (due, source, outcome)
            });
            checking.insert(task.id(), names);
        }
    }
    let mut records = Vec::with_capacity(asked.len());
    let mut changed = JoinSet::new();
    while let Some(joined) = asked.join_next().await {
        let (due, source, outcome) = match joined {
            Ok(done) => done,
            Err(e) => {
                let (source, url) = checking.remove(&e.id()).unwrap_or_default();
                warn!(source = %source, url = %url, error = %e, "re-check task ended abnormally");
                continue;
            }
        };
        let fetched = match outcome {
            Ok(None) => {
                records.push(record(&due, &source, RecheckOutcome::NotModified));
                continue;
            }
            Ok(Some(fetched)) => fetched,
            Err(error) => {
                warn!(source = %source.id, url = %due.url, error = %error, "re-check failed");
                records.push(record(&due, &source, RecheckOutcome::Failed { error }));
                continue;
            }
        };
        let Some(stored) = tokio::task::block_in_place(|| store.article(due.article_id))? else {
            continue;
        };
        let (fetcher, matcher) = (ctx.fetcher.clone(), ctx.matcher.clone());
        let names = (source.id.clone(), due.url.clone());
        let task = changed.spawn(async move {
            let outcome = read_page(
                &fetcher,
                &matcher,
                &source,
                &due,
                &stored.article,
                fetched,
                now,
            )
            .await;
            if let RecheckOutcome::Failed { error } = &outcome {
                warn!(source = %source.id, url = %due.url, error = %error, "re-check failed");
            }
            record(&due, &source, outcome)
        });
        checking.insert(task.id(), names);
    }
    while let Some(joined) = changed.join_next().await {
        match joined {
            Ok(record) => records.push(record),
            Err(e) => {
                let (source, url) = checking.remove(&e.id()).unwrap_or_default();
                warn!(source = %source, url = %url, error = %e, "re-check task ended abnormally");
            }
        }
    }
    let retention = ctx.settings.daemon.evidence_retention;
    let report = tokio::task::block_in_place(|| {
        let report = store.apply_rechecks(&records, policies, now)?;
        store.prune_evidence(retention, now)?;
        Ok::<_, StoreError>(report)
    })?;
    for (article, revision, class) in &report.revised {
        info!(article, revision, class = %class, "silent edit stored as a new revision");
    }
    Ok(report)
}

fn record(due: &DueRecheck, source: &Source, outcome: RecheckOutcome) -> RecheckRecord {
    RecheckRecord {
        article_id: due.article_id,
        source_id: source.id.clone(),
        outcome,
    }
}

/// The page with the validators it gave last time: `None` for a 304.
async fn conditional_get(fetcher: &Fetcher, due: &DueRecheck) -> Result<Option<Fetched>, String> {
    let url = Url::parse(&due.url).map_err(|e| format!("{}: {e}", due.url))?;
    match fetcher.get(&url, &due.validators).await {
        Ok(FetchOutcome::NotModified { .. }) => Ok(None),
        Ok(FetchOutcome::Fetched(f)) => Ok(Some(f)),
        Err(e) => Err(e.to_string()),
    }
}

/// A changed page read like a first fetch: decoded, extracted (all pages
/// of a multi-page article), merged as its source merges, and scored.
async fn read_page(
    fetcher: &Fetcher,
    matcher: &TopicMatcher,
    source: &Source,
    due: &DueRecheck,
    stored: &Article,
    fetched: Fetched,
    now: DateTime<Utc>,
) -> RecheckOutcome {
    match article_of(fetcher, source, due, stored, &fetched, now).await {
        Ok(article) => RecheckOutcome::Fetched {
            matches: matcher.score(&article),
            article: Box::new(article),
            raw: fetched.body,
            validators: fetched.validators,
        },
        Err(error) => RecheckOutcome::Failed { error },
    }
}

/// The article a fetched page shows now, or an error naming the URL.
async fn article_of(
    fetcher: &Fetcher,
    source: &Source,
    due: &DueRecheck,
    stored: &Article,
    fetched: &Fetched,
    now: DateTime<Utc>,
) -> Result<Article, String> {
    let page =
        extract_fetched(source, fetched, now).map_err(|e| format!("{}: {e}", fetched.final_url))?;
    let page = match page.next_page {
        // Multi-page articles are rare: read all pages the usual way.
        Some(_) => {
            let url = Url::parse(&due.url).map_err(|e| format!("{}: {e}", due.url))?;
            fetch_article(fetcher, source, &url, now)
                .await
                .map_err(|e| e.to_string())?
                .article
        }
        None => page.article,
    };
    // A page that suddenly extracts far shorter than the stored article is
    // a layout change, not an edit: no revision.
    let usual = Some(stored.body_chars() as f64);
    if let Some(why) = page_rules::body_drift(&page, usual, page_rules::DRIFT_MIN_SAMPLES) {
        return Err(format!("{}: {why}", fetched.final_url));
    }
    Ok(match source.kind {
        SourceKind::Html => {
            page_rules::settle_listed(page, stored.guid.clone(), stored.published_at)
        }
        SourceKind::Feed => page_rules::merge_full_text(feed_item(stored), page),
    })
}

/// What the feed gave for a stored `full_text` item: its identity, title
/// and dates; the page-derived fields are left for the page to fill.
fn feed_item(stored: &Article) -> Article {
    Article {
        kicker: None,
        subtitle: None,
        byline: None,
        outlet: None,
        sections: Vec::new(),
        quotes: Vec::new(),
        ..stored.clone()
    }
}
