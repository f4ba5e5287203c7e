//! What is remembered about a source between polls.

use chrono::{DateTime, Utc};

use super::Validators;

/// What the store remembers about a source between polls.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceState {
    /// URL the state belongs to; a changed URL resets validators.
    pub url: String,
    /// Conditional GET validators.
    pub validators: Validators,
    /// When the source is due next.
    pub next_poll_at: Option<DateTime<Utc>>,
    /// First successful poll; `None` means the next poll is the first.
    pub first_polled_at: Option<DateTime<Utc>>,
    /// Consecutive failures.
    pub error_streak: u32,
    /// Articles published (or, undated, first seen) in the seven days
    /// before the last successful poll: how busy the source is.
    pub published_last_week: u32,
    /// Hash of the extraction rules of the last successful read; a
    /// different hash means the operator changed them.
    pub rules_hash: Option<String>,
    /// The earliest re-check due among the source's stored articles.
    pub next_recheck_at: Option<DateTime<Utc>>,
}
