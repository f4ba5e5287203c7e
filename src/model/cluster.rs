//! A story cluster's members as the clusterer and the store exchange them
//! (wire copies of one story from several sources), and as the digest and
//! `show` read them back.

use chrono::{DateTime, Utc};

use super::Article;

/// What the index knows of one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryMember {
    /// Stored article id.
    pub id: i64,
    /// Its source.
    pub source_id: String,
    /// Published (or first seen) time.
    pub at: DateTime<Utc>,
    /// Whether its source is marked `original` (a wire agency).
    pub original: bool,
}

/// One member of a story cluster at its current revision, as the digest
/// folds copies and `show` lists them.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterMember {
    /// The cluster it belongs to.
    pub cluster: i64,
    /// The article (its `id` is set).
    pub article: Article,
    /// Whether it is the cluster's original.
    pub original: bool,
}
