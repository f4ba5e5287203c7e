//! Articles out of reformwatch, for tools that are not mail: JSON Lines
//! for pandas and jq, CSV for spreadsheets, Atom 1.0 and JSON Feed 1.1 for
//! feed readers. A pure stage: listed articles in, a document out, no I/O.
//!
//! Every format names an article by the same stable id ([`entry_id`]),
//! made from its source and its identity within the source, so a feed
//! reader sees an edited article as the same entry updated, and two
//! exports of one database (or of two databases fed by the same sources)
//! can be joined on it.

pub mod atom;
pub mod csv;
pub mod jsonfeed;
pub mod sheet;

use chrono::{DateTime, Utc};

use crate::model::ListedArticle;

/// A document could not be written. Writing to memory fails only on a
/// bug in a writer, but the error is still typed and named.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The XML writer failed.
    #[error("writing the Atom feed: {0}")]
    Xml(#[from] std::io::Error),
    /// The CSV writer failed.
    #[error("writing CSV: {0}")]
    Csv(#[from] ::csv::Error),
    /// The JSON writer failed.
    #[error("writing JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// What a feed says about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedInfo {
    /// A permanent IRI naming the feed (`urn:reformwatch:topic:reform`).
    pub id: String,
    /// A human title.
    pub title: String,
    /// When the feed last changed: the newest entry's `updated`, else
    /// this (the time of the export, for an empty feed).
    pub fallback_updated: DateTime<Utc>,
}

impl FeedInfo {
    /// The feed of `topic`'s articles, or of all articles.
    pub fn of_topic(topic: Option<&str>, now: DateTime<Utc>) -> FeedInfo {
        match topic {
            Some(t) => FeedInfo {
                id: format!("urn:reformwatch:topic:{}", pct(t)),
                title: format!("reformwatch: {t}"),
                fallback_updated: now,
            },
            None => FeedInfo {
                id: "urn:reformwatch:articles".into(),
                title: "reformwatch: articles".into(),
                fallback_updated: now,
            },
        }
    }

    /// The feed's own `updated`: its newest entry's.
    fn updated(&self, items: &[ListedArticle]) -> DateTime<Utc> {
        items
            .iter()
            .map(updated)
            .max()
            .unwrap_or(self.fallback_updated)
    }
}

/// The stable id of an article in every export: its source id and its
/// identity within the source (the feed's guid, else the id derived from
/// its canonical URL), percent-encoded into one URN. Neither changes when
/// the article is edited, nor between databases.
pub fn entry_id(item: &ListedArticle) -> String {
    format!(
        "urn:reformwatch:article:{}:{}",
        pct(&item.article.source_id),
        pct(&item.article.guid)
    )
}

/// When the article last changed as far as a reader cares: when
/// reformwatch saw its current revision.
pub fn updated(item: &ListedArticle) -> DateTime<Utc> {
    item.article.fetched_at
}

/// When it was published: the source's date, else first seen.
pub fn published(item: &ListedArticle) -> DateTime<Utc> {
    item.article.published_at.unwrap_or(item.first_seen_at)
}

/// JSON Lines: one whole article per line ([`ListedArticle::to_json`]),
/// with its stable id as `entry_id`.
pub fn jsonl(items: &[ListedArticle]) -> Result<String, ExportError> {
    let mut out = String::new();
    for item in items {
        let mut v = item.to_json();
        if let serde_json::Value::Object(map) = &mut v {
            map.insert("entry_id".into(), entry_id(item).into());
        }
        out.push_str(&serde_json::to_string(&v)?);
        out.push('\n');
    }
    Ok(out)
}

/// Percent-encodes everything but RFC 3986 unreserved characters, so any
/// source id or guid (a URL, Chinese text) fits in one URN segment.
fn pct(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::pct;

    #[test]
    fn ids_keep_only_unreserved_characters() {
        assert_eq!(pct("jx-news"), "jx-news");
        assert_eq!(pct("http://a.cn/x?id=1"), "http%3A%2F%2Fa.cn%2Fx%3Fid%3D1");
        assert_eq!(pct("改革"), "%E6%94%B9%E9%9D%A9");
    }
}
