//! Revisions as they cross stages: how much an edit matters
//! ([`ChangeClass`]), a stored revision as the revise step reads it, and a
//! revision a subscriber has not been told about yet.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Article;

/// How much a change matters; ordered `Cosmetic < Minor < Substantive`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeClass {
    /// Only punctuation, whitespace or full-/half-width forms changed.
    Cosmetic,
    /// A few characters, typo-like; no number, name or quote touched.
    Minor,
    /// Content changed: sentences, numbers, names, quotes, headline, time.
    Substantive,
}

impl ChangeClass {
    /// The lower-case name stored with a revision and used in config.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeClass::Cosmetic => "cosmetic",
            ChangeClass::Minor => "minor",
            ChangeClass::Substantive => "substantive",
        }
    }
}

impl fmt::Display for ChangeClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored or configured class name that is not one of the three.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown change class {0:?} (expected cosmetic, minor or substantive)")]
pub struct UnknownChangeClass(pub String);

impl FromStr for ChangeClass {
    type Err = UnknownChangeClass;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "cosmetic" => Ok(ChangeClass::Cosmetic),
            "minor" => Ok(ChangeClass::Minor),
            "substantive" => Ok(ChangeClass::Substantive),
            other => Err(UnknownChangeClass(other.to_string())),
        }
    }
}

/// A stored revision as `analysis::revise::decide` needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRevision {
    /// Revision number (1, 2, …).
    pub revision: u32,
    /// The `analysis::revise::revision_hash` stored with it.
    pub hash: String,
    /// The article as stored for this revision.
    pub article: Article,
}

/// A revised article a subscriber has not been told about: the revision
/// they last got and the current one, both in full.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRevision {
    /// Article id.
    pub article_id: i64,
    /// The revision last put in one of their digests.
    pub mailed: u32,
    /// The current revision (the one the digest reports).
    pub revision: u32,
    /// The weightiest class among the revisions since `mailed`.
    pub class: ChangeClass,
    /// When the current revision was first seen.
    pub seen_at: DateTime<Utc>,
    /// The article at `mailed`.
    pub old: Article,
    /// The article at `revision`.
    pub new: Article,
}
