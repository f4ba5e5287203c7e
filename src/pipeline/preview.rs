//! `reformwatch test-source`: one source run now through the same stages as
//! a poll (fetch → read, then the first candidate's page fetched, read and
//! merged), returning what was found instead of storing it. Writes nothing
//! and reads no store, so every listed item counts as new.

use chrono::{DateTime, Utc};
use url::Url;

use super::pages::{fetch_article, PageError};
use super::{source_rules, SourceError};
use crate::config::Source;
use crate::document::discover;
use crate::document::page_rules;
use crate::document::read::{self, Document, Expect, Input, Rules};
use crate::model::{Article, Validators};
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
        // A server that answers 304 without validators: nothing to show.
        FetchOutcome::NotModified { .. } => {
            return Ok(Preview {
                url: source.url.clone(),
                encoding: "-".to_owned(),
                items: Vec::new(),
                matched: None,
                warnings: vec![
                    "the server answered 304 Not Modified to a request without validators"
                        .to_owned(),
                ],
                first: None,
            })
        }
    };
    let input = Input {
        body: &fetched.body,
        content_type: fetched.content_type.as_deref(),
        url: &fetched.final_url,
    };
    let read = read::read(
        input,
        Rules::of(source),
        Expect::source_document(source.kind),
        now,
    )?;
    let encoding = read.charset();
    let mut warnings = Vec::new();
    let matched = match &read.document {
        Document::Listing(listing) => {
            listing_warnings(source, listing, &mut warnings);
            Some(listing.matched)
        }
        _ => None,
    };
    let candidates = read.document.into_candidates();
    if matched.is_none() && candidates.is_empty() {
        warnings.push("the feed has no items".to_owned());
    }
    let first = match candidates.first().cloned() {
        None => None,
        Some(c) if !source_rules::fetches_pages(source) => c.item.map(|item| Ok(*item)),
        Some(c) => match c.page_url() {
            Some(url) => Some(
                fetch_article(fetcher, source, &url, now)
                    .await
                    .map(|page| page_rules::article_of(c, page.article)),
            ),
            None => {
                warnings.push("the first item has no link to fetch".to_owned());
                c.item.map(|item| Ok(*item))
            }
        },
    };
    let items = candidates
        .into_iter()
        .map(|c| PreviewItem {
            title: c.title,
            url: c
                .url
                .map(|u| u.to_string())
                .or_else(|| c.item.and_then(|i| i.url)),
            published_at: c.published_at,
        })
        .collect();
    Ok(Preview {
        url: fetched.final_url,
        encoding,
        items,
        matched,
        warnings,
        first,
    })
}

/// What an operator should know about a listing: a selector matching too
/// much, links cut off, dates never found.
fn listing_warnings(source: &Source, listing: &discover::Listing, warnings: &mut Vec<String>) {
    let rules = source.list.clone().unwrap_or_default();
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
            "the `[sources.list] date` selector found no readable date in any item".to_owned(),
        );
    }
}
