//! What a source's document lists: one article, from a feed item or a
//! listing page's link, keyed the same way either way. Feeds and listings
//! both produce these, so deciding which are new, fetching their pages and
//! storing them is one path for both source kinds.

use chrono::{DateTime, Utc};
use url::Url;

use super::Article;

/// One article a feed or a listing page names.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Identity within the source: the feed's guid, else `gen:` + the
    /// canonical link (see `normalize::generated_guid`).
    pub guid: String,
    /// Canonical form of the link, if there is one.
    pub canonical_url: Option<String>,
    /// The article page, when the document gave it as a URL (listings);
    /// a feed item's link stays in the item until a page is wanted (see
    /// [`Candidate::page_url`]).
    pub url: Option<Url>,
    /// The title as the document shows it.
    pub title: Option<String>,
    /// The date as the document shows it, read in the source's zone.
    pub published_at: Option<DateTime<Utc>>,
    /// A feed's item in full; `None` for a listing's link, whose article
    /// is its page.
    pub item: Option<Box<Article>>,
}

impl Candidate {
    /// A feed item as a candidate.
    pub fn from_item(item: Article) -> Candidate {
        Candidate {
            guid: item.guid.clone(),
            canonical_url: item.canonical_url.clone(),
            url: None,
            title: Some(item.title.clone()).filter(|t| !t.is_empty()),
            published_at: item.published_at,
            item: Some(Box::new(item)),
        }
    }

    /// The article page to fetch: the listing's link, or the feed item's.
    pub fn page_url(&self) -> Option<Url> {
        self.url.clone().or_else(|| {
            self.item
                .as_ref()
                .and_then(|i| i.url.as_deref())
                .and_then(|u| Url::parse(u).ok())
        })
    }
}
