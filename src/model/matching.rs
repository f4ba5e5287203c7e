//! Topic relevance as stored and mailed: an article's score for one topic
//! and which terms matched where.

use serde::{Deserialize, Serialize};

/// Why an article matched a topic: one entry per matched keyword.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermHit {
    /// The keyword as configured.
    pub term: String,
    /// Occurrences in the title (kicker and subtitle count as title).
    pub title: u32,
    /// Occurrences in the lead and body.
    pub body: u32,
}

/// An article's relevance to one topic, with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicMatch {
    /// Topic id.
    pub topic_id: String,
    /// Weighted score; at least the topic's `min_score`.
    pub score: f64,
    /// Which terms matched, how often, and where.
    pub hits: Vec<TermHit>,
}
