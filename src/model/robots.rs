//! A site's robots.txt as last fetched, with when it was fetched and when
//! to ask again, so the fetcher's cache outlives the process: the fetcher
//! reads and writes it through a memory the pipeline backs with the store.

use chrono::{DateTime, Utc};

use super::FailureKind;

/// One origin's robots.txt, as the fetcher last got it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RobotsCopy {
    /// The file's text; `None` when the site has none (a 4xx) or it could
    /// not be fetched.
    pub body: Option<String>,
    /// Why it could not be fetched (a 5xx, no answer): the site is paused
    /// until `expires_at`, as RFC 9309 asks.
    pub unreachable: Option<String>,
    /// What kind of failure that was (a lookup, a refused connection, a
    /// 5xx), so a source stopped by it carries the root cause and its hint.
    pub unreachable_kind: Option<FailureKind>,
    /// When the text (or the failure) was fetched.
    pub fetched_at: DateTime<Utc>,
    /// When to ask again: a day after a read, ten minutes after a failure.
    pub expires_at: DateTime<Utc>,
}
