//! Article pages for a poll: which listed links or feed items are new,
//! fetching and extracting their pages (following "next page" links), and
//! deciding per page whether it is stored, skipped for the next poll (a
//! network failure) or reported on its source (no article, or layout
//! drift). Called by the poll sequence in `pipeline`; it only reads the
//! store, through [`PageState::read`].

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;
use tracing::warn;
use url::Url;

use super::decode_fetched;
use crate::config::Source;
use crate::document::extract::{self, ExtractError, ExtractedPage, PageContext};
use crate::document::normalize;
use crate::document::page_rules;
use crate::model::Article;
use crate::model::Candidate;
use crate::model::PageEvidence;
use crate::model::Validators;
use crate::net::fetch::{FetchError, FetchOutcome, Fetched, Fetcher};
use crate::store::known::{BodyBaseline, KnownArticles, KnownReader};
use crate::store::StoreError;

/// Why one article page gave no article. Never fails its source by itself.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// The page could not be fetched (retried next poll).
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The page was fetched but holds no usable article.
    #[error("{url}: {error}")]
    Extract {
        /// The page URL.
        url: String,
        /// What extraction said.
        error: ExtractError,
    },
    /// The link is not a web page (a PDF, an image): nothing to extract.
    #[error("{url}: not a web page ({content_type})")]
    NotPage {
        /// The link.
        url: String,
        /// What the server said it is.
        content_type: String,
    },
}

/// What a page-fetching source (`kind = "html"`, or a feed with
/// `full_text = true`) already has, read before its pages are fetched.
#[derive(Debug, Clone, Default)]
pub struct PageState {
    /// Which of this poll's links are stored already: their pages are not
    /// fetched again.
    pub known: KnownArticles,
    /// The usual body length, for the layout-drift test.
    pub baseline: BodyBaseline,
}

impl PageState {
    /// Asks the database file `db` which of `keys` (guid, canonical URL)
    /// `source_id` has, and for its usual body length. The connection is
    /// closed before returning, so it is never held across a fetch.
    pub fn read<'k>(
        db: &Path,
        source_id: &str,
        keys: impl IntoIterator<Item = (&'k str, Option<&'k str>)>,
    ) -> Result<PageState, StoreError> {
        tokio::task::block_in_place(|| {
            let reader = KnownReader::open(db)?;
            Ok(PageState {
                known: reader.known_among(source_id, keys)?,
                baseline: reader.body_baseline(source_id)?,
            })
        })
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
    /// The articles to store, each with the page it was read from (`None`
    /// for feed items that needed no page fetch).
    pub articles: Vec<(Article, Option<PageEvidence>)>,
    /// Pages that gave no usable article (reported on the source).
    pub errors: Vec<String>,
    /// False when some new page was skipped (bound, or a failure) and must
    /// be tried again next poll.
    pub complete: bool,
}

impl Gathered {
    /// Articles that needed no page fetch.
    pub fn complete(articles: Vec<Article>) -> Self {
        Gathered {
            articles: articles.into_iter().map(|a| (a, None)).collect(),
            errors: Vec::new(),
            complete: true,
        }
    }
}

/// html sources: fetches and extracts the listed pages not stored yet.
pub(super) async fn listed_articles(
    fetcher: &Arc<Fetcher>,
    source: &Source,
    candidates: Vec<Candidate>,
    pages: &PageState,
    now: DateTime<Utc>,
) -> Gathered {
    let new: Vec<(Candidate, String)> = candidates
        .into_iter()
        .filter_map(|c| {
            let canonical = normalize::canonical_url(&c.url);
            let guid = format!("gen:{canonical}");
            (!pages.known.contains(&guid, Some(&canonical))).then_some((c, guid))
        })
        .collect();
    let urls = new.iter().map(|(c, _)| c.url.clone()).collect();
    let results = fetch_articles(fetcher, source, urls, now).await;
    let mut out = Gathered::complete(Vec::new());
    out.complete = new.len() <= results.len();
    for ((candidate, guid), result) in new.into_iter().zip(results) {
        let Some(fetched) = checked(source, &candidate.url, result, pages, &mut out) else {
            continue;
        };
        let article = page_rules::settle_listed(fetched.article, guid, candidate.published_at);
        out.articles.push((article, Some(fetched.page)));
    }
    out
}

/// Feeds with `full_text = true`: each new item's page merged into it. A new
/// item whose page fails waits for the next poll; stored items pass as they
/// are (the store only touches them).
pub(super) async fn with_full_text(
    fetcher: &Arc<Fetcher>,
    source: &Source,
    items: Vec<Article>,
    pages: &PageState,
    now: DateTime<Utc>,
) -> Gathered {
    let (known, new): (Vec<Article>, Vec<Article>) = items
        .into_iter()
        .partition(|a| pages.known.contains(&a.guid, a.canonical_url.as_deref()));
    let mut out = Gathered::complete(known);
    // Each link parsed once: items without a usable one pass as they are.
    let mut linked: Vec<(Article, Url)> = Vec::new();
    for a in new {
        match a.url.as_deref().and_then(|u| Url::parse(u).ok()) {
            Some(url) => linked.push((a, url)),
            None => out.articles.push((a, None)),
        }
    }
    let urls = linked.iter().map(|(_, url)| url.clone()).collect();
    let results = fetch_articles(fetcher, source, urls, now).await;
    out.complete = linked.len() <= results.len();
    for ((item, url), result) in linked.into_iter().zip(results) {
        if let Some(fetched) = checked(source, &url, result, pages, &mut out) {
            let article = page_rules::merge_full_text(item, fetched.article);
            out.articles.push((article, Some(fetched.page)));
        }
    }
    out
}

/// One page's outcome: the article, or `None` with the failure logged, and
/// recorded on the source when the page itself is at fault (no article, or
/// layout drift) rather than the network.
fn checked(
    source: &Source,
    url: &Url,
    result: Result<FetchedArticle, PageError>,
    pages: &PageState,
    out: &mut Gathered,
) -> Option<FetchedArticle> {
    let error = match result {
        Ok(fetched) => {
            let (usual, samples) = (pages.baseline.usual_chars, pages.baseline.samples);
            match page_rules::body_drift(&fetched.article, usual, samples) {
                None => return Some(fetched),
                Some(why) => {
                    out.complete = false;
                    format!("{url}: {why}")
                }
            }
        }
        Err(PageError::Fetch(e)) => {
            out.complete = false;
            warn!(source = %source.id, url = %url, error = %e, "article page skipped; retried next poll");
            return None;
        }
        Err(e @ PageError::NotPage { .. }) => {
            // Not the site's fault and not worth a retry before the listing changes.
            warn!(source = %source.id, url = %url, error = %e, "listed link skipped");
            return None;
        }
        Err(e @ PageError::Extract { .. }) => {
            out.complete = false;
            e.to_string()
        }
    };
    warn!(source = %source.id, url = %url, error = %error, "article page not stored: extraction failed");
    out.errors.push(error);
    None
}

/// Fetches and extracts up to [`page_rules::MAX_NEW_PAGES_PER_POLL`] of `urls`
/// concurrently (the fetcher's per-host limit keeps it polite); results in
/// the order of `urls`, one per URL fetched.
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
                warn!(source = %source.id, url = %url, error = %e, "article task ended abnormally");
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
/// [`page_rules::MAX_PAGES_PER_ARTICLE`] pages, never the same page twice) and
/// joining the pages; the first page's raw bytes and validators come with
/// it, for the store. Writes nothing.
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
            Ok(FetchOutcome::NotModified { hints }) => {
                // Only a broken server answers 304 to an unconditional GET.
                let error = FetchError::Status {
                    url: page_url.to_string(),
                    status: 304,
                    hints,
                };
                if first {
                    return Err(error.into());
                }
                break;
            }
            Err(e) if first => return Err(e.into()),
            Err(e) => {
                warn!(source = %source.id, url = %page_url, error = %e, "later page of an article skipped");
                break;
            }
        };
        if let Some(ct) = fetched
            .content_type
            .as_deref()
            .filter(|ct| !is_page_type(ct))
        {
            if first {
                return Err(PageError::NotPage {
                    url: fetched.final_url.to_string(),
                    content_type: ct.to_owned(),
                });
            }
            break;
        }
        match extract_fetched(source, &fetched, now) {
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
            Err(error) if first => {
                return Err(PageError::Extract {
                    url: fetched.final_url.to_string(),
                    error,
                })
            }
            Err(error) => {
                warn!(source = %source.id, url = %fetched.final_url, error = %error, "later page of an article gave no text");
                break;
            }
        }
    }
    // The loop always runs once for `url`, so there is a first page here.
    let mut pages_seen = pages_seen.into_iter();
    let first = pages_seen.next().ok_or_else(|| PageError::Extract {
        url: url.to_string(),
        error: ExtractError::NoBody,
    })?;
    Ok(FetchedArticle {
        article: extract::join_pages(first, pages_seen.collect()),
        page: first_page.unwrap_or_default(),
    })
}

/// Whether a `Content-Type` can hold an article page: HTML, XHTML, XML or
/// text (servers label pages loosely, so anything textual is tried).
fn is_page_type(content_type: &str) -> bool {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    mime.is_empty() || mime.starts_with("text/") || mime.contains("html") || mime.contains("xml")
}

/// Decodes a fetched page with the source's charset override and extracts
/// its article with the source's rules: the one path from bytes to
/// `ExtractedPage` that polling and re-checking share.
pub(super) fn extract_fetched(
    source: &Source,
    fetched: &Fetched,
    now: DateTime<Utc>,
) -> Result<ExtractedPage, ExtractError> {
    let decoded = decode_fetched(source, fetched);
    let ctx = PageContext {
        source_id: &source.id,
        url: &fetched.final_url,
        timezone: source.timezone,
        fetched_at: now,
    };
    extract::extract_article(&decoded.text, &ctx, source.article.as_ref())
}

#[cfg(test)]
mod tests {
    use super::is_page_type;

    #[test]
    fn pages_are_textual() {
        for ct in [
            "text/html; charset=gb2312",
            "application/xhtml+xml",
            "TEXT/PLAIN",
            "",
        ] {
            assert!(is_page_type(ct), "{ct}");
        }
        for ct in [
            "application/pdf",
            "image/jpeg",
            "application/msword",
            "video/mp4",
        ] {
            assert!(!is_page_type(ct), "{ct}");
        }
    }
}
