//! What a digest is made of: one matched article as the digest shows it,
//! and which articles a composed message carries.

use chrono::{DateTime, Utc};

use super::TopicMatch;

/// One article (at one revision) for one subscriber.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestItem {
    /// Database id of the article; an article appears at most once per digest.
    pub article_id: i64,
    /// Revision being reported; `> 1` means the article was edited.
    pub revision: u32,
    /// Headline (untrusted text).
    pub title: String,
    /// Link to the article; only `http`/`https` URLs are rendered as links.
    pub url: Option<String>,
    /// Display name of the source.
    pub source_name: String,
    /// When the source says it was published.
    pub published_at: Option<DateTime<Utc>>,
    /// When reformwatch first saw it; used when `published_at` is missing or absurd.
    pub first_seen_at: DateTime<Utc>,
    /// First paragraph(s), shown cut to about 200 characters.
    pub lead: Option<String>,
    /// The subscriber's matching topics, best score first (should be non-empty).
    pub matches: Vec<TopicMatch>,
}

/// The articles one composed message carries, in its body or an
/// attachment: only these count as delivered when the relay accepts it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Carried {
    /// Ids of the new articles, sorted.
    pub articles: Vec<i64>,
    /// Ids of the revised articles whose diff is in the message.
    pub revisions: Vec<i64>,
}
