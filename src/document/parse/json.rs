//! Pure: JSON Feed 1.0/1.1 → [`RawFeed`].
//!
//! Titles and summaries are read like RSS text (HTML that may be escaped),
//! `content_html` as HTML and `content_text` as plain text. An `id` written
//! as a number is taken as its digits, which the spec's readers tolerate.

use chrono_tz::Tz;
use serde::Deserialize;
use url::Url;

use super::raw::{LinkRank, RawEntry, RawFeed};
use super::text::{TextKind, TextValue};
use super::xml_feed::resolve;
use crate::document::dates;

#[derive(Deserialize)]
struct JsonFeed {
    version: String,
    title: Option<String>,
    home_page_url: Option<String>,
    description: Option<String>,
    language: Option<String>,
    author: Option<JsonAuthor>,
    authors: Option<Vec<JsonAuthor>>,
    #[serde(default)]
    items: Vec<JsonItem>,
}

#[derive(Deserialize)]
struct JsonItem {
    id: Option<serde_json::Value>,
    url: Option<String>,
    external_url: Option<String>,
    title: Option<String>,
    content_html: Option<String>,
    content_text: Option<String>,
    summary: Option<String>,
    date_published: Option<String>,
    date_modified: Option<String>,
    author: Option<JsonAuthor>,
    authors: Option<Vec<JsonAuthor>>,
    language: Option<String>,
}

#[derive(Deserialize)]
struct JsonAuthor {
    name: Option<String>,
}

/// Why a JSON document is not a usable JSON Feed.
#[derive(Debug, thiserror::Error)]
pub(super) enum JsonError {
    /// The text is not JSON, or not shaped like a JSON Feed.
    #[error("unable to parse JSON: {0}")]
    Syntax(#[from] serde_json::Error),
    /// The `version` is not a JSON Feed 1.x URL.
    #[error("unsupported JSON Feed version: {0}")]
    Version(String),
}

/// Reads a JSON Feed; relative URLs resolve against `base`, zone-less
/// dates are read in `tz`.
pub(super) fn read(text: &str, base: Option<&Url>, tz: Tz) -> Result<RawFeed, JsonError> {
    let jf: JsonFeed = serde_json::from_str(text)?;
    let version = jf.version.trim();
    if !(version.starts_with("https://jsonfeed.org/version/1")
        || version.starts_with("http://jsonfeed.org/version/1"))
    {
        return Err(JsonError::Version(jf.version));
    }
    let mut feed = RawFeed {
        title: jf.title.map(guess),
        subtitle: jf.description.map(guess),
        language: jf.language,
        ..RawFeed::default()
    };
    if let Some(u) = jf.home_page_url.and_then(|h| resolve(&h, base)) {
        feed.link.offer(LinkRank::Page, u);
    }
    // Feed authors stand for items that name none (JSON Feed 1.1).
    let feed_authors = names(jf.author, jf.authors);
    feed.entries = jf
        .items
        .into_iter()
        .take(super::MAX_ITEMS * 10)
        .map(|ji| {
            let mut e = item(ji, base, tz);
            if e.authors.is_empty() {
                e.authors.clone_from(&feed_authors);
            }
            e
        })
        .collect();
    Ok(feed)
}

fn guess(value: String) -> TextValue {
    TextValue {
        kind: TextKind::Guess,
        value,
    }
}

fn item(ji: JsonItem, base: Option<&Url>, tz: Tz) -> RawEntry {
    let mut e = RawEntry {
        id: ji.id.and_then(|v| match v {
            serde_json::Value::String(s) => Some(s.trim().to_string()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }),
        title: ji.title.map(guess),
        summary: ji.summary.map(guess),
        published: ji
            .date_published
            .and_then(|d| dates::parse_feed_date(&d, tz)),
        updated: ji
            .date_modified
            .and_then(|d| dates::parse_feed_date(&d, tz)),
        language: ji.language,
        ..RawEntry::default()
    };
    e.id = e.id.filter(|s| !s.is_empty());
    if let Some(u) = ji.url.and_then(|h| resolve(&h, base)) {
        e.link.offer(LinkRank::Page, u);
    }
    if let Some(u) = ji.external_url.and_then(|h| resolve(&h, base)) {
        e.link.offer(LinkRank::Related, u);
    }
    e.content = match (ji.content_html, ji.content_text) {
        (Some(html), text) => {
            if e.summary.is_none() {
                e.summary = text.map(|value| TextValue {
                    kind: TextKind::Plain,
                    value,
                });
            }
            Some(TextValue {
                kind: TextKind::Html,
                value: html,
            })
        }
        (None, Some(text)) => Some(TextValue {
            kind: TextKind::Plain,
            value: text,
        }),
        (None, None) => None,
    };
    e.authors = names(ji.author, ji.authors);
    e
}

/// The distinct, non-blank author names of `author` and `authors`.
fn names(author: Option<JsonAuthor>, authors: Option<Vec<JsonAuthor>>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in author
        .into_iter()
        .chain(authors.unwrap_or_default())
        .filter_map(|a| a.name)
    {
        let name = name.trim();
        if !name.is_empty() && !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    }
    out
}
