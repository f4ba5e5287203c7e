//! `reformwatch test-source`: one source run now through the same stages as
//! a poll (fetch → decode → parse or discover, then the first article page
//! fetched and extracted), returning what was found instead of storing it.
//! Writes nothing and reads no store, so every listed item counts as new.

use chrono::{DateTime, Utc};
use url::Url;

use super::articles::fetch_article;
use super::{decode_fetched, parse_source_feed, PageError, SourceError};
use crate::config::{Source, SourceKind};
use crate::document::discover;
use crate::document::page_rules;
use crate::model::Article;
use crate::model::Validators;
use crate::net::fetch::{FetchOutcome, Fetcher};

/// Listings whose rules match more elements than this get a warning: the
/// selector is probably too broad (a whole navigation bar, every link).
pub const MANY_ITEMS: usize = 200;

/// One item as the listing or feed shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewItem {
    /// Title, if shown.
    pub title: Option<String>,
    /// Link, if any.
    pub url: Option<String>,
    /// Date, if shown.
    pub published_at: Option<DateTime<Utc>>,
}

/// What `test-source` found.
#[derive(Debug)]
pub struct Preview {
    /// The document URL after redirects.
    pub url: Url,
    /// Charset the document was decoded with, and which rule chose it.
    pub encoding: String,
    /// The items found, in document order.
    pub items: Vec<PreviewItem>,
    /// html sources: elements the rules matched (before de-duplication).
    pub matched: Option<usize>,
    /// Things the operator should look at (a selector matching too much,
    /// dates never found).
    pub warnings: Vec<String>,
    /// The first item as it would be stored: its page extracted for html
    /// sources and `full_text` feeds, the feed item itself otherwise.
    pub first: Option<Result<Article, PageError>>,
}

/// Fetches `source` now (unconditionally) and extracts its first article.
pub async fn preview_source(
    fetcher: &Fetcher,
    source: &Source,
    now: DateTime<Utc>,
) -> Result<Preview, SourceError> {
    let fetched = match fetcher.get(&source.url, &Validators::default()).await? {
        FetchOutcome::Fetched(f) => f,
        FetchOutcome::NotModified { hints } => {
            return Err(SourceError::Fetch(crate::net::fetch::FetchError::Status {
                url: source.url.to_string(),
                status: 304,
                hints,
            }))
        }
    };
    let decoded = decode_fetched(source, &fetched);
    let encoding = format!(
        "{} (by {})",
        decoded.encoding.name(),
        decoded.decided_by.as_str()
    );
    let mut warnings = Vec::new();
    match source.kind {
        SourceKind::Html => {
            let rules = source.list.clone().unwrap_or_default();
            let listing =
                discover::discover(&decoded.text, &fetched.final_url, &rules, source.timezone)?;
            if listing.matched > MANY_ITEMS {
                let what = if rules.item.is_some() {
                    "the `[sources.list] item` selector"
                } else {
                    "`link_pattern`"
                };
                warnings.push(format!(
                    "{what} matched {} items (more than {MANY_ITEMS}); is it too broad?",
                    listing.matched
                ));
            }
            if listing.truncated {
                warnings.push(format!(
                    "only the first {} distinct links are used",
                    discover::MAX_CANDIDATES
                ));
            }
            if rules.date.is_some() && listing.candidates.iter().all(|c| c.published_at.is_none()) {
                warnings.push(
                    "the `[sources.list] date` selector found no readable date in any item"
                        .to_owned(),
                );
            }
            let first = match listing.candidates.first() {
                Some(c) => Some(fetch_article(fetcher, source, &c.url, now).await.map(|f| {
                    page_rules::settle_listed(
                        f.article,
                        page_rules::page_guid(&c.url),
                        c.published_at,
                    )
                })),
                None => None,
            };
            let items = listing
                .candidates
                .into_iter()
                .map(|c| PreviewItem {
                    title: c.title,
                    url: Some(c.url.to_string()),
                    published_at: c.published_at,
                })
                .collect();
            Ok(Preview {
                url: fetched.final_url,
                encoding,
                items,
                matched: Some(listing.matched),
                warnings,
                first,
            })
        }
        SourceKind::Feed => {
            let doc = parse_source_feed(&decoded.text, source, &fetched.final_url, now)?;
            if doc.items.is_empty() {
                warnings.push("the feed has no items".to_owned());
            }
            let first = match doc.items.first().cloned() {
                Some(item) if source.full_text => {
                    let link = item.url.as_deref().and_then(|u| Url::parse(u).ok());
                    match link {
                        Some(link) => Some(
                            fetch_article(fetcher, source, &link, now)
                                .await
                                .map(|page| page_rules::merge_full_text(item, page.article)),
                        ),
                        None => {
                            warnings.push("the first item has no link to fetch".to_owned());
                            Some(Ok(item))
                        }
                    }
                }
                Some(item) => Some(Ok(item)),
                None => None,
            };
            let items = doc
                .items
                .iter()
                .map(|a| PreviewItem {
                    title: Some(a.title.clone()).filter(|t| !t.is_empty()),
                    url: a.url.clone(),
                    published_at: a.published_at,
                })
                .collect();
            Ok(Preview {
                url: fetched.final_url,
                encoding,
                items,
                matched: None,
                warnings,
                first,
            })
        }
    }
}
