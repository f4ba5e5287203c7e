//! Pure: a decoded feed document → `FeedDocument` of `Article`s (feed-rs).
//!
//! Owns the feed source kind: RSS 0.9x/1.0/2.0, Atom and JSON Feed through
//! feed-rs with our fix-ups ([`decode::prepare_feed_xml`]), our date reader
//! ([`dates::parse_date`], so `CST` and zone-less Chinese dates are right)
//! and deterministic ids (`gen:` + canonical link, else `gen:` + a content
//! hash), and the mapping of feed items onto the shared [`Article`] model.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use feed_rs::model::{Entry, Feed, Link};
use feed_rs::parser::{ParseErrorKind, ParseFeedError};
use url::Url;
use xxhash_rust::xxh3::Xxh3;

use crate::document::normalize::{self, clean_inline, html_to_paragraphs, normalize_text};
use crate::document::{dates, decode};
use crate::model::{Article, FeedDocument, Section};

/// At most this many items are taken from one document (the first ones).
pub const MAX_ITEMS: usize = 1000;

/// What feed-rs's id generator returns; replaced by our own id afterwards.
/// Control characters cannot appear in an XML guid, so no real id equals it.
const GENERATED_MARKER: &str = "\u{1}reformwatch-generated-id\u{1}";

/// Why an HTML page is not a feed, whichever check catches it.
const HTML_PAGE: &str = "the document is an HTML page, not RSS, Atom or JSON Feed";

/// Length (in chars) of the title derived from the lead for an item without one.
const DERIVED_TITLE_CHARS: usize = 60;

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
    /// The document is a feed but broken (bad XML or JSON); carries feed-rs's message.
    #[error("malformed feed: {0}")]
    Malformed(String),
    /// The document parsed but its text is unreadable, which means it was
    /// decoded with the wrong character set.
    #[error("feed text is unreadable, probably decoded with the wrong character set: {0}")]
    Undecodable(String),
}

/// Parses a decoded feed (RSS, Atom or JSON Feed) into articles.
///
/// Items keep document order; a guid seen twice keeps its first item; at
/// most [`MAX_ITEMS`] items are returned.
pub fn parse_feed(text: &str, ctx: &FeedContext) -> Result<FeedDocument, ParseError> {
    let trimmed = text.trim_start_matches(['\u{FEFF}', ' ', '\t', '\r', '\n']);
    if trimmed.trim().is_empty() {
        return Err(ParseError::NotAFeed("the document is empty".into()));
    }
    if looks_like_html_page(trimmed) {
        return Err(ParseError::NotAFeed(HTML_PAGE.into()));
    }
    let prepared = if trimmed.starts_with('{') {
        std::borrow::Cow::Borrowed(trimmed)
    } else {
        decode::prepare_feed_xml(trimmed)
    };

    let tz = ctx.timezone;
    let parser = feed_rs::parser::Builder::new()
        .timestamp_parser(move |s| dates::parse_date(s, tz))
        .id_generator(|_links, _title, _uri| GENERATED_MARKER.to_string())
        .sanitize_content(false)
        .base_uri(ctx.base_url.map(Url::as_str))
        .build();
    let feed = parser
        .parse(prepared.as_bytes())
        .map_err(|e| map_feed_error(e, trimmed))?;
    check_readable(&feed)?;
    Ok(to_document(&feed, ctx))
}

fn looks_like_html_page(s: &str) -> bool {
    let head: String = s.chars().take(64).collect::<String>().to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

fn map_feed_error(e: ParseFeedError, text: &str) -> ParseError {
    match e {
        ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot) => {
            let head: String = text
                .chars()
                .take(2048)
                .collect::<String>()
                .to_ascii_lowercase();
            if head.contains("<html") || head.contains("<body") {
                ParseError::NotAFeed(HTML_PAGE.into())
            } else {
                ParseError::NotAFeed("no RSS, Atom or JSON Feed root element found".into())
            }
        }
        other => ParseError::Malformed(other.to_string()),
    }
}

/// A feed with content but no readable title anywhere, or titles that are
/// mostly U+FFFD, was decoded with the wrong charset.
fn check_readable(feed: &Feed) -> Result<(), ParseError> {
    let titles: Vec<&str> = feed
        .title
        .iter()
        .chain(feed.entries.iter().filter_map(|e| e.title.as_ref()))
        .map(|t| t.content.as_str())
        .filter(|t| !t.trim().is_empty())
        .collect();
    let has_content = !feed.entries.is_empty() || feed.description.is_some();
    if titles.is_empty() && has_content {
        return Err(ParseError::Undecodable(
            "no feed or item title could be read".into(),
        ));
    }
    let (chars, bad) = titles
        .iter()
        .flat_map(|t| t.chars())
        .fold((0usize, 0usize), |(n, b), c| {
            (n + 1, b + usize::from(c == '\u{FFFD}'))
        });
    if chars > 0 && bad * 10 > chars * 3 {
        return Err(ParseError::Undecodable(format!(
            "{bad} of {chars} title characters are replacement characters"
        )));
    }
    Ok(())
}

fn to_document(feed: &Feed, ctx: &FeedContext) -> FeedDocument {
    let mut seen = HashSet::new();
    let mut items = Vec::new();
    for entry in &feed.entries {
        if items.len() >= MAX_ITEMS {
            break;
        }
        let article = to_article(entry, feed, ctx);
        if seen.insert(article.guid.clone()) {
            items.push(article);
        }
    }
    FeedDocument {
        title: feed
            .title
            .as_ref()
            .and_then(|t| non_empty(clean_inline(&t.content))),
        link: pick_link(&feed.links, ctx.base_url, true).map(|u| u.to_string()),
        description: feed
            .description
            .as_ref()
            .and_then(|t| non_empty(clean_inline(&t.content))),
        updated_at: feed.updated.or(feed.published),
        ttl_minutes: feed.ttl,
        items,
    }
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

fn to_article(entry: &Entry, feed: &Feed, ctx: &FeedContext) -> Article {
    let link = pick_link(&entry.links, ctx.base_url, false);
    let canonical = link.as_ref().map(normalize::canonical_url);

    let summary_paras = entry
        .summary
        .as_ref()
        .map(|t| html_to_paragraphs(&t.content))
        .unwrap_or_default();
    let content_paras = entry
        .content
        .as_ref()
        .and_then(|c| {
            let body = c.body.as_deref()?;
            Some(if c.content_type.as_str() == "text/plain" {
                normalize::text_to_paragraphs(body)
            } else {
                html_to_paragraphs(body)
            })
        })
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

    let raw_title = entry.title.as_ref().map_or("", |t| t.content.as_str());
    let mut title = clean_inline(raw_title);
    if title.is_empty() {
        if let Some(lead) = &lead {
            title = derive_title(lead);
        }
    }

    let guid = if entry.id != GENERATED_MARKER && !entry.id.trim().is_empty() {
        entry.id.trim().to_string()
    } else if let Some(c) = &canonical {
        normalize::generated_guid(c)
    } else {
        normalize::generated_guid(&id_hash(raw_title, entry))
    };

    let byline = entry
        .authors
        .iter()
        .filter_map(|p| p.name.as_deref())
        .map(clean_inline)
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join(", ");

    let mut article = Article {
        id: None,
        source_id: ctx.source_id.to_string(),
        url: link.map(|u| u.to_string()),
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
            .or(feed.language.as_deref())
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
fn id_hash(title: &str, entry: &Entry) -> String {
    let mut h = Xxh3::new();
    h.update(normalize_text(title).as_bytes());
    h.update(b"\x1f");
    if let Some(body) = entry.content.as_ref().and_then(|c| c.body.as_deref()) {
        h.update(normalize_text(body).as_bytes());
    }
    h.update(b"\x1f");
    if let Some(s) = &entry.summary {
        h.update(normalize_text(&s.content).as_bytes());
    }
    format!("{:016x}", h.digest())
}

/// The item's (or feed's) page link: the first `alternate`/plain link that
/// resolves to http(s), then any other link that does. Relative links are
/// resolved against `base`. `rel="self"` is skipped for the feed link.
fn pick_link(links: &[Link], base: Option<&Url>, skip_self: bool) -> Option<Url> {
    let primary = |l: &&Link| {
        l.target.is_none()
            && l.rel
                .as_deref()
                .is_none_or(|r| r.eq_ignore_ascii_case("alternate"))
    };
    let usable = |l: &&Link| !(skip_self && l.rel.as_deref() == Some("self"));
    links
        .iter()
        .filter(primary)
        .chain(links.iter().filter(|l| !primary(l)))
        .filter(usable)
        .find_map(|l| resolve(&l.href, base))
}

fn resolve(href: &str, base: Option<&Url>) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    let url = match Url::parse(href) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(href).ok()?,
        Err(_) => return None,
    };
    matches!(url.scheme(), "http" | "https").then_some(url)
}

#[cfg(test)]
mod tests;
