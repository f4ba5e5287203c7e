//! What a source's document lists: one article link with what the listing
//! says about it.

use chrono::{DateTime, Utc};
use url::Url;

/// One article link found on a listing page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The article page, absolute, http or https.
    pub url: Url,
    /// The title as the listing shows it.
    pub title: Option<String>,
    /// The date as the listing shows it, read in the source's zone.
    pub published_at: Option<DateTime<Utc>>,
}
