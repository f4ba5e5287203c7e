//! Topic relevance as stored and mailed: an article's score for one topic
//! and which terms matched where.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Why an article matched a topic: one entry per matched keyword or query
/// clause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermHit {
    /// The keyword as configured, or the query clause as written
    /// (`title:国企`, `@国企 (国有企业)`, `国企 NEAR/20 改革`).
    pub term: String,
    /// Occurrences in the title (kicker and subtitle count as title).
    pub title: u32,
    /// Occurrences anywhere else: lead and body, and for query clauses
    /// also headings, speakers, roles, outlet, byline and source.
    pub body: u32,
    /// Query clauses: occurrences by field name (`title`, `body`,
    /// `speaker`, …). Empty for keywords, whose zones say it all.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, u32>,
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
