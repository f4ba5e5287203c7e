//! An article as `articles` lists and exports it: the current revision
//! with what reformwatch knows about it, and the filter that chose it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Article, TopicMatch};

/// Which stored articles to list, newest first. The one filter behind
/// every `articles` format.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArticleFilter {
    /// Only articles matching this topic id.
    pub topic: Option<String>,
    /// Only articles first seen at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// At most this many.
    pub limit: usize,
}

/// A stored article at its current revision, with its history's length
/// and why it matched. Serialized (see [`ListedArticle::to_json`]) it is
/// one line of `articles --format jsonl`: the article's own fields, then
/// these.
///
/// Further facts about an article (its story cluster) belong here as
/// optional fields skipped when absent, so every export carries them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListedArticle {
    /// The article at its current revision.
    #[serde(flatten)]
    pub article: Article,
    /// When reformwatch first saw it.
    pub first_seen_at: DateTime<Utc>,
    /// How many revisions are stored (1 for an article never edited).
    pub revisions: u32,
    /// Matched topics, best first, each with the terms that matched.
    pub matches: Vec<TopicMatch>,
    /// Its story cluster (the id of the cluster's first stored article),
    /// when it was clustered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<i64>,
    /// Whether it is its cluster's original; present with `cluster`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<bool>,
}

impl ListedArticle {
    /// Matched topic ids, best first.
    pub fn topic_ids(&self) -> impl Iterator<Item = &str> {
        self.matches.iter().map(|m| m.topic_id.as_str())
    }

    /// Matched terms over all topics, each once, in the order met.
    pub fn terms(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for hit in self.matches.iter().flat_map(|m| &m.hits) {
            if !out.contains(&hit.term.as_str()) {
                out.push(&hit.term);
            }
        }
        out
    }

    /// The JSON export form: the fields above, the body as `text`, and the
    /// matched topic ids as `topics`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let serde_json::Value::Object(map) = &mut v {
            map.insert("text".into(), self.article.text().into());
            let topics: Vec<&str> = self.topic_ids().collect();
            map.insert("topics".into(), topics.into());
        }
        v
    }
}
