//! Pure: a decoded feed document → `FeedDocument` of `Article`s.
//!
//! Owns the feed source kind: RSS 0.9x/1.0/2.0, RDF, Atom 0.3/1.0 and CDF
//! through our own forgiving reader on quick-xml ([`xml`], [`xml_feed`]),
//! JSON Feed through serde ([`json`]); dates through our reader
//! ([`crate::document::dates::parse_feed_date`], so `CST` and zone-less Chinese dates are
//! right); deterministic ids (`gen:` + canonical link, else `gen:` + a
//! content hash); and the mapping of items onto the shared [`Article`].
//!
//! Why our own reader rather than feed-rs: feedparser parity needs Atom 0.3,
//! text constructs read by their declared type, `xml:base` on every
//! element, CDF, and field precedence (an `<image>`'s title is not the
//! channel's). Real feeds need recovery that a strict parser cannot give:
//! a cut-off document keeps its complete items, and a stray end tag or an
//! undeclared HTML entity costs nothing. Rewriting XML text ahead of
//! feed-rs would have meant a tokenizer anyway.

use chrono::{DateTime, Utc};
use url::Url;
use xxhash_rust::xxh3::Xxh3;

use crate::document::decode;
use crate::document::normalize::{self, normalize_text};
use crate::model::{Article, FeedDocument, Section};

mod json;
mod raw;
mod text;
mod xml;
mod xml_feed;

use raw::{RawEntry, RawFeed};
use text::TextValue;

/// At most this many items are taken from one document (the first ones).
pub const MAX_ITEMS: usize = 1000;

/// Why an HTML page is not a feed, whichever check catches it.
const HTML_PAGE: &str = "the document is an HTML page, not RSS, Atom or JSON Feed";

/// Length (in chars) of the title derived from the lead for an item without one.
const DERIVED_TITLE_CHARS: usize = 60;

/// How many characters of a feed's text the charset check looks at.
const CHECKED_CHARS: usize = 64 * 1024;

/// What the parser needs to know about where a document came from.
#[derive(Debug, Clone, Copy)]
pub struct FeedContext<'a> {
    /// Id of the configured source.
    pub source_id: &'a str,
    /// Time zone for dates that carry none.
    pub timezone: chrono_tz::Tz,
    /// When the document was fetched; becomes every item's `fetched_at`.
    pub fetched_at: DateTime<Utc>,
    /// The document's URL, for resolving relative links.
    pub base_url: Option<&'a Url>,
}

/// Why a document could not be read as a feed.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The document is empty, an HTML page, or has no feed root element.
    #[error("not a feed: {0}")]
    NotAFeed(String),
    /// The document is a feed but broken (bad XML or JSON) and nothing
    /// usable could be read from it.
    #[error("malformed feed: {0}")]
    Malformed(String),
    /// The document parsed but its text is unreadable, which means it was
    /// decoded with the wrong character set.
    #[error("feed text is unreadable, probably decoded with the wrong character set: {0}")]
    Undecodable(String),
}

/// Parses a decoded feed (RSS, RDF, Atom, CDF or JSON Feed) into articles.
///
/// Items keep document order; a guid seen twice keeps its first item; at
/// most [`MAX_ITEMS`] items are returned. A document cut off mid-way keeps
/// the items that were complete; it is an error only if one was cut off and
/// none was complete.
pub fn parse_feed(text: &str, ctx: &FeedContext) -> Result<FeedDocument, ParseError> {
    let trimmed = text.trim_start_matches(['\u{FEFF}', ' ', '\t', '\r', '\n']);
    if trimmed.trim().is_empty() {
        return Err(ParseError::NotAFeed("the document is empty".into()));
    }
    if looks_like_html_page(trimmed) {
        return Err(ParseError::NotAFeed(HTML_PAGE.into()));
    }
    let raw = if trimmed.starts_with('{') {
        json::read(trimmed, ctx.base_url, ctx.timezone)
            .map_err(|e| ParseError::Malformed(e.to_string()))?
    } else {
        read_xml(&decode::prepare_feed_xml(trimmed), ctx)?
    };
    check_readable(&raw)?;
    Ok(to_document(raw, ctx))
}

fn read_xml(text: &str, ctx: &FeedContext) -> Result<RawFeed, ParseError> {
    let (raw, read) = match xml_feed::read(text, ctx.base_url, ctx.timezone) {
        Ok(r) => r,
        Err(xml_feed::NotAFeed::Html) => return Err(ParseError::NotAFeed(HTML_PAGE.into())),
        Err(xml_feed::NotAFeed::NoFeedRoot) => {
            let head: String = text
                .chars()
                .take(2048)
                .collect::<String>()
                .to_ascii_lowercase();
            let why = if head.contains("<html") || head.contains("<body") {
                HTML_PAGE
            } else {
                "no RSS, Atom or JSON Feed root element found"
            };
            return Err(ParseError::NotAFeed(why.into()));
        }
    };
    if read.dropped_entry && raw.entries.is_empty() {
        let why = read
            .walk
            .error
            .unwrap_or_else(|| "the document ends inside its first item".into());
        return Err(ParseError::Malformed(format!(
            "unable to parse XML: {why} (no complete item)"
        )));
    }
    Ok(raw)
}

fn looks_like_html_page(s: &str) -> bool {
    let head: String = s.chars().take(64).collect::<String>().to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

/// A feed whose text is mostly U+FFFD was decoded with the wrong charset.
/// Only the text that exists is judged (titles, descriptions, content):
/// a feed with no titles, or no text at all, is valid.
fn check_readable(feed: &RawFeed) -> Result<(), ParseError> {
    let texts = [&feed.title, &feed.subtitle]
        .into_iter()
        .chain(
            feed.entries
                .iter()
                .flat_map(|e| [&e.title, &e.summary, &e.content]),
        )
        .flatten()
        .map(|t| t.value.as_str());
    let (mut chars, mut bad) = (0usize, 0usize);
    for t in texts {
        for c in t.chars().filter(|c| !c.is_whitespace()) {
            chars += 1;
            bad += usize::from(c == '\u{FFFD}');
        }
        if chars >= CHECKED_CHARS {
            break;
        }
    }
    if chars > 0 && bad * 10 > chars * 3 {
        return Err(ParseError::Undecodable(format!(
            "{bad} of {chars} characters of its text are replacement characters"
        )));
    }
    Ok(())
}

fn to_document(feed: RawFeed, ctx: &FeedContext) -> FeedDocument {
    let language = feed.language.as_deref();
    let items = feed
        .entries
        .iter()
        .take(MAX_ITEMS)
        .map(|entry| to_article(entry, language, ctx))
        .collect();
    FeedDocument {
        title: feed.title.as_ref().and_then(|t| non_empty(t.inline())),
        link: feed.link.url().map(|u| u.as_str().to_string()),
        description: feed.subtitle.as_ref().and_then(|t| non_empty(t.inline())),
        updated_at: feed.updated.or(feed.published),
        ttl_minutes: feed.ttl,
        items,
    }
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

fn to_article(entry: &RawEntry, feed_language: Option<&str>, ctx: &FeedContext) -> Article {
    let link = entry.link.url().or(entry.permalink.as_ref());
    let canonical = link.map(normalize::canonical_url);

    let summary_paras = entry
        .summary
        .as_ref()
        .map(TextValue::paragraphs)
        .unwrap_or_default();
    let content_paras = entry
        .content
        .as_ref()
        .map(TextValue::paragraphs)
        .unwrap_or_default();
    let lead = summary_paras
        .first()
        .or_else(|| content_paras.first())
        .cloned();
    let paragraphs = if content_paras.is_empty() {
        summary_paras
    } else {
        content_paras
    };

    let mut title = entry
        .title
        .as_ref()
        .map(TextValue::inline)
        .unwrap_or_default();
    if title.is_empty() {
        if let Some(lead) = &lead {
            title = derive_title(lead);
        }
    }

    // RDF's rdf:about names the item; used only without a link, so the ids
    // of items stored before it was read (`gen:` + link) stay the same.
    let id = entry
        .id
        .as_deref()
        .or(entry.about.as_deref().filter(|_| link.is_none()));
    let guid = match (id, &canonical) {
        (Some(id), _) => id.to_string(),
        (None, Some(c)) => normalize::generated_guid(c),
        (None, None) => normalize::generated_guid(&id_hash(entry)),
    };

    let byline = entry
        .authors
        .iter()
        .map(|n| normalize::clean_inline(n))
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join(", ");

    let mut article = Article {
        id: None,
        source_id: ctx.source_id.to_string(),
        url: link.map(|u| u.as_str().to_string()),
        canonical_url: canonical,
        guid,
        kicker: None,
        title,
        subtitle: None,
        byline: non_empty(byline),
        outlet: None,
        published_at: entry.published.or(entry.updated),
        updated_at: entry.updated,
        fetched_at: ctx.fetched_at,
        language: entry
            .language
            .as_deref()
            .or(feed_language)
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string),
        lead,
        sections: if paragraphs.is_empty() {
            Vec::new()
        } else {
            vec![Section {
                heading: None,
                paragraphs,
            }]
        },
        quotes: Vec::new(),
        content_hash: String::new(),
        revision: 1,
    };
    article.content_hash = normalize::content_hash(&article);
    article
}

/// The first characters of the lead, for items that have no title.
fn derive_title(lead: &str) -> String {
    let mut chars = lead.chars();
    let head: String = chars.by_ref().take(DERIVED_TITLE_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// A stable id for an item with neither guid nor link: xxh3 of its
/// normalized title and content.
fn id_hash(entry: &RawEntry) -> String {
    fn value(t: &Option<TextValue>) -> &str {
        t.as_ref().map_or("", |t| t.value.as_str())
    }
    let mut h = Xxh3::new();
    h.update(normalize_text(value(&entry.title)).as_bytes());
    h.update(b"\x1f");
    h.update(normalize_text(value(&entry.content)).as_bytes());
    h.update(b"\x1f");
    if entry.summary.is_some() {
        h.update(normalize_text(value(&entry.summary)).as_bytes());
    }
    format!("{:016x}", h.digest())
}

#[cfg(test)]
mod format_tests;
#[cfg(test)]
mod recovery_tests;
#[cfg(test)]
mod tests;
