//! The format-neutral result of reading a feed, before it becomes the
//! shared model: what every format reader ([`super::xml_feed`], [`super::json`])
//! fills in, and what [`super`] maps onto `FeedDocument` and `Article`.

use chrono::{DateTime, Utc};
use url::Url;

use super::text::TextValue;

/// A feed as read: its own fields and its entries, in document order.
#[derive(Debug, Default)]
pub(super) struct RawFeed {
    pub title: Option<TextValue>,
    pub link: Link,
    pub subtitle: Option<TextValue>,
    pub updated: Option<DateTime<Utc>>,
    pub published: Option<DateTime<Utc>>,
    pub language: Option<String>,
    /// RSS `<ttl>`, minutes.
    pub ttl: Option<u32>,
    pub entries: Vec<RawEntry>,
}

/// One item or entry as read.
#[derive(Debug, Default)]
pub(super) struct RawEntry {
    /// The guid or Atom id, trimmed; `None` when absent or blank.
    pub id: Option<String>,
    /// RDF's `rdf:about` on the item.
    pub about: Option<String>,
    pub title: Option<TextValue>,
    pub link: Link,
    /// An RSS `<guid>` that is a permalink: the link when there is no other.
    pub permalink: Option<Url>,
    pub summary: Option<TextValue>,
    pub content: Option<TextValue>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    /// Author names, in order.
    pub authors: Vec<String>,
    pub language: Option<String>,
}

/// How well a link fits as "the page of this item/feed".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum LinkRank {
    /// `rel="alternate"` (or none) to an HTML page, or an RSS `<link>`.
    Page,
    /// `rel="alternate"` to something else (another feed format).
    OtherAlternate,
    /// Any other relation, except those never meant as the page.
    Related,
}

/// The best link seen so far: the first one of the best rank.
#[derive(Debug, Default, Clone)]
pub(super) struct Link(Option<(LinkRank, Url)>);

impl Link {
    /// Offers a link; it replaces the current one only if it ranks better.
    pub fn offer(&mut self, rank: LinkRank, url: Url) {
        if self.0.as_ref().is_none_or(|(r, _)| rank < *r) {
            self.0 = Some((rank, url));
        }
    }

    /// The chosen link.
    pub fn url(&self) -> Option<&Url> {
        self.0.as_ref().map(|(_, u)| u)
    }
}
