//! Article pages for a poll: the new candidates' pages fetched and read
//! (following "next page" links), merged into what the document said, and
//! per page the decision whether it is stored, skipped for the next poll
//! (a network failure) or reported on its source (no article, or layout
//! drift).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;
use tracing::warn;
use url::Url;

use super::source_rules;
use crate::config::Source;
use crate::document::extract::{self, ExtractError};
use crate::document::normalize;
use crate::document::page_rules;
use crate::document::read::{self, Input, ReadError, Rules};
use crate::model::{Article, Candidate, FailureKind, PageEvidence, Problem, Validators};
use crate::net::fetch::{FetchError, FetchOutcome, Fetcher};
use crate::store::articles::{BodyBaseline, KnownArticles};
use crate::store::{Store, StoreError};

/// Why one article page gave no article. Never fails its source by itself.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// The page could not be fetched (retried next poll).
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// A later page of a multi-page article could not be fetched: the
    /// article is not complete, so it is retried whole next poll.
    #[error("{url}: page {page} of the article could not be fetched: {source}")]
    LaterPage {
        /// The article's first page.
        url: String,
        /// Which page failed (2, 3, …).
        page: usize,
        /// Why.
        #[source]
        source: FetchError,
    },
    /// The server answered 304 to a request without validators.
    #[error("{url}: the server answered 304 Not Modified to a request without validators")]
    UnconditionalNotModified {
        /// The page URL.
        url: String,
    },
    /// The page was fetched but holds no usable article.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The link is not a web page (a PDF, an image): nothing to extract.
    #[error("{url}: not a web page ({content_type})")]
    NotPage {
        /// The link.
        url: String,
        /// What the server said it is.
        content_type: String,
    },
}

impl PageError {
    /// Whether the failure is the network's (retry next poll) rather than
    /// the page's.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            PageError::Fetch(_)
                | PageError::LaterPage { .. }
                | PageError::UnconditionalNotModified { .. }
        )
    }
}

/// One article as fetched and extracted, with the page it was read from.
#[derive(Debug, Clone)]
pub struct FetchedArticle {
    /// The article (all its pages joined).
    pub article: Article,
    /// The first page's raw bytes and validators.
    pub page: PageEvidence,
}

/// Articles gathered for one poll of a source.
pub(super) struct Gathered {
    /// The articles to store or compare, each with the page it was read
    /// from (`None` for feed items that needed no page fetch).
    pub articles: Vec<(Article, Option<PageEvidence>)>,
    /// The first page that gave no usable article (reported on the source).
    pub problem: Option<Problem>,
    /// False when some new page was skipped (bound, or a failure) and must
    /// be tried again next poll.
    pub complete: bool,
}

/// The articles a document's candidates give: for sources that read pages,
/// each new candidate's page fetched, read and merged (stored ones pass as
/// the document gave them, or not at all for a listing); for plain feeds,
/// the items as they are.
pub(super) async fn gather(
    fetcher: &Arc<Fetcher>,
    store: &Store,
    source: &Source,
    candidates: Vec<Candidate>,
    known: &KnownArticles,
    now: DateTime<Utc>,
) -> Result<Gathered, StoreError> {
    let mut out = Gathered {
        articles: Vec::new(),
        problem: None,
        complete: true,
    };
    let reads_pages = source_rules::fetches_pages(source);
    let mut to_fetch: Vec<(Candidate, Url)> = Vec::new();
    for c in candidates {
        let link = (reads_pages && !known.contains(&c))
            .then(|| c.page_url())
            .flatten();
        match (link, c.item) {
            (Some(url), item) => to_fetch.push((Candidate { item, ..c }, url)),
            (None, Some(item)) => out.articles.push((*item, None)),
            // A stored link of a listing: nothing to do.
            (None, None) => {}
        }
    }
    if to_fetch.is_empty() {
        return Ok(out);
    }
    let baseline = tokio::task::block_in_place(|| store.body_baseline(&source.id))?;
    let urls = to_fetch.iter().map(|(_, url)| url.clone()).collect();
    let results = fetch_articles(fetcher, source, urls, now).await;
    out.complete = to_fetch.len() <= results.len();
    for ((candidate, url), result) in to_fetch.into_iter().zip(results) {
        if let Some(fetched) = checked(&url, result, &baseline, &mut out) {
            let article = page_rules::article_of(candidate, fetched.article);
            out.articles.push((article, Some(fetched.page)));
        }
    }
    Ok(out)
}

/// One page's outcome: the article, or `None` with the failure logged, and
/// recorded on the source when the page itself is at fault (no article, or
/// layout drift) rather than the network.
fn checked(
    url: &Url,
    result: Result<FetchedArticle, PageError>,
    baseline: &BodyBaseline,
    out: &mut Gathered,
) -> Option<FetchedArticle> {
    let problem = match result {
        Ok(fetched) => {
            match page_rules::body_drift(&fetched.article, baseline.usual_chars, baseline.samples) {
                None => return Some(fetched),
                Some(why) => Problem {
                    error: format!("{url}: {why}"),
                    kind: FailureKind::LayoutDrift,
                },
            }
        }
        Err(e) if e.is_transient() => {
            out.complete = false;
            warn!(url = %url, error = %e, "article page skipped; retried next poll");
            return None;
        }
        Err(e @ PageError::NotPage { .. }) => {
            // Not the site's fault and not worth a retry before the listing changes.
            warn!(url = %url, error = %e, "listed link skipped");
            return None;
        }
        Err(e) => {
            let kind = match &e {
                PageError::Read(r) => r.kind(),
                _ => FailureKind::Extract,
            };
            Problem {
                error: e.to_string(),
                kind,
            }
        }
    };
    out.complete = false;
    warn!(url = %url, error = %problem.error, "article page not stored: extraction failed");
    out.problem.get_or_insert(problem);
    None
}

/// Fetches and extracts up to [`page_rules::MAX_NEW_PAGES_PER_POLL`] of
/// `urls` concurrently (the fetcher's per-host limit keeps it polite);
/// results in the order of `urls`, one per URL fetched.
async fn fetch_articles(
    fetcher: &Arc<Fetcher>,
    source: &Source,
    urls: Vec<Url>,
    now: DateTime<Utc>,
) -> Vec<Result<FetchedArticle, PageError>> {
    let source = Arc::new(source.clone());
    let mut tasks = JoinSet::new();
    // Which page each task fetches, to name it if the task panics.
    let mut fetching = HashMap::new();
    for (i, url) in urls
        .into_iter()
        .take(page_rules::MAX_NEW_PAGES_PER_POLL)
        .enumerate()
    {
        let (fetcher, source) = (fetcher.clone(), source.clone());
        let page = url.to_string();
        let task =
            tasks.spawn(async move { (i, fetch_article(&fetcher, &source, &url, now).await) });
        fetching.insert(task.id(), page);
    }
    let mut results: Vec<Option<Result<FetchedArticle, PageError>>> = Vec::new();
    results.resize_with(tasks.len(), || None);
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((i, r)) => results[i] = Some(r),
            Err(e) => {
                let url = fetching.remove(&e.id()).unwrap_or_default();
                warn!(url = %url, error = %e, "article task ended abnormally");
            }
        }
    }
    // A panicked task leaves a gap; what follows it still lines up.
    let gaps = results
        .iter()
        .position(Option::is_none)
        .unwrap_or(results.len());
    results.into_iter().take(gaps).flatten().collect()
}

/// One article: its page fetched, decoded and extracted with the source's
/// rules, following "next page" links (at most
/// [`page_rules::MAX_PAGES_PER_ARTICLE`] pages, never the same page twice)
/// and joining the pages; the first page's raw bytes and validators come
/// with it, for the store. A later page that cannot be fetched fails the
/// whole article (it is retried whole), so a truncated article is never
/// stored or taken for an edit. Writes nothing.
pub async fn fetch_article(
    fetcher: &Fetcher,
    source: &Source,
    url: &Url,
    now: DateTime<Utc>,
) -> Result<FetchedArticle, PageError> {
    let mut pages_seen: Vec<Article> = Vec::new();
    let mut first_page: Option<PageEvidence> = None;
    let mut visited = HashSet::new();
    let mut next = Some(url.clone());
    while let Some(page_url) = next.take() {
        if pages_seen.len() >= page_rules::MAX_PAGES_PER_ARTICLE
            || !visited.insert(normalize::canonical_url(&page_url))
        {
            break;
        }
        let first = pages_seen.is_empty();
        let fetched = match fetcher.get(&page_url, &Validators::default()).await {
            Ok(FetchOutcome::Fetched(f)) => f,
            Ok(FetchOutcome::NotModified { .. }) => {
                return Err(PageError::UnconditionalNotModified {
                    url: page_url.to_string(),
                })
            }
            Err(e) if first => return Err(e.into()),
            Err(source) => {
                return Err(PageError::LaterPage {
                    url: url.to_string(),
                    page: pages_seen.len() + 1,
                    source,
                })
            }
        };
        if let Some(ct) = fetched
            .content_type
            .as_deref()
            .filter(|ct| !read::is_page_type(ct))
        {
            if first {
                return Err(PageError::NotPage {
                    url: fetched.final_url.to_string(),
                    content_type: ct.to_owned(),
                });
            }
            break;
        }
        let input = Input {
            body: &fetched.body,
            content_type: fetched.content_type.as_deref(),
            url: &fetched.final_url,
        };
        match read::read_page(input, Rules::of(source), now) {
            Ok(page) => {
                next = page.next_page;
                pages_seen.push(page.article);
                if first {
                    first_page = Some(PageEvidence {
                        raw: fetched.body,
                        validators: fetched.validators,
                    });
                }
            }
            Err(e) if first => return Err(e.into()),
            Err(error) => {
                warn!(url = %fetched.final_url, error = %error, "later page of an article gave no text");
                break;
            }
        }
    }
    // The loop always runs once for `url`, so there is a first page here.
    let mut pages_seen = pages_seen.into_iter();
    let first = pages_seen.next().ok_or_else(|| {
        PageError::Read(ReadError::Page {
            url: url.to_string(),
            source: ExtractError::NoBody,
        })
    })?;
    Ok(FetchedArticle {
        article: extract::join_pages(first, pages_seen.collect()),
        page: first_page.unwrap_or_default(),
    })
}
