//! What the pipeline hands the store: the outcome of polling one source and
//! of re-checking one article, with every decision already made (which
//! items are new, which reappearing item is a new revision and of what
//! class, when to come back). The store only writes what these say.

use chrono::{DateTime, Utc};

use super::{Article, ChangeClass, FailureKind, PageEvidence, TopicMatch, Validators};

/// The result of polling one source.
#[derive(Debug)]
pub struct SourceRecord {
    /// Source id.
    pub source_id: String,
    /// The configured URL (a changed URL starts the source's state afresh).
    pub url: String,
    /// When to poll next (after backoff for a failure).
    pub next_poll_at: DateTime<Utc>,
    /// What the poll gave.
    pub outcome: SourceOutcome,
}

/// How a poll of one source ended.
#[derive(Debug)]
pub enum SourceOutcome {
    /// The server said 304: nothing changed.
    NotModified,
    /// A document was fetched and read.
    Fetched(FetchedSource),
    /// Fetching or reading failed.
    Failed(Problem),
}

/// A failure as the store records it: the error text, naming the URL, and
/// its kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// What went wrong, naming the URL, as `sources` shows it.
    pub error: String,
    /// Its kind, for counters and hints.
    pub kind: FailureKind,
}

/// A fetched and read source document.
#[derive(Debug, Default)]
pub struct FetchedSource {
    /// Validators to send next time (empty when some page must be retried,
    /// so the next poll reads the whole listing again).
    pub validators: Validators,
    /// Hash of the extraction rules the document was read with.
    pub rules_hash: String,
    /// True when the rules changed since the last poll: the source's
    /// stored articles are re-checked without validators.
    pub rules_changed: bool,
    /// Charset the document was decoded with.
    pub encoding: String,
    /// Items the document listed.
    pub items_seen: usize,
    /// A page that gave no usable article (no body, or layout drift): the
    /// source is marked failing with it, the other items are still stored.
    pub problem: Option<Problem>,
    /// Articles not stored before.
    pub new: Vec<NewArticle>,
    /// Stored articles the document listed again.
    pub seen: Vec<SeenArticle>,
}

/// An article seen for the first time, ready to store as revision 1.
#[derive(Debug, Clone)]
pub struct NewArticle {
    /// The article.
    pub article: Article,
    /// Its topic matches (may be empty).
    pub matches: Vec<TopicMatch>,
    /// Whether it may be mailed (false for first-poll items outside the
    /// backfill window: stored silently).
    pub mailable: bool,
    /// The page it was read from (html sources and `full_text` feeds):
    /// revision 1's evidence and the validators of its first re-check.
    pub page: Option<PageEvidence>,
    /// Its revision hash (normalized text without the source's `ignore`
    /// patterns).
    pub revision_hash: String,
    /// Its first re-check, if its source re-checks.
    pub next_recheck_at: Option<DateTime<Utc>>,
}

/// A stored article that a poll met again.
#[derive(Debug, Clone)]
pub struct SeenArticle {
    /// Its id.
    pub article_id: i64,
    /// What the revise step made of the version met.
    pub verdict: Verdict,
}

/// What the revise step made of a freshly fetched version of a stored
/// article.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// The same content as its current revision (after normalization and
    /// the source's `ignore` patterns), or not compared at all.
    Unchanged,
    /// The same as an earlier revision (a page flipping A/B/A): nothing is
    /// stored, and the page is no evidence of the current revision.
    SameAsEarlier,
    /// An edit: revision N+1.
    Revised(Box<NewRevision>),
}

/// Revision N+1 of a stored article, as the revise step decided it.
#[derive(Debug, Clone)]
pub struct NewRevision {
    /// Its number.
    pub number: u32,
    /// How much the edit matters.
    pub class: ChangeClass,
    /// The revision its diff is against.
    pub base: u32,
    /// Its revision hash.
    pub revision_hash: String,
    /// The article as it reads now.
    pub article: Article,
    /// Its topic matches, re-scored.
    pub matches: Vec<TopicMatch>,
}

/// An article whose page is due to be fetched again.
#[derive(Debug, Clone, PartialEq)]
pub struct DueRecheck {
    /// Article id.
    pub article_id: i64,
    /// The page to fetch.
    pub url: String,
    /// Validators the page gave last time, for a conditional GET.
    pub validators: Validators,
    /// When the article was first stored (its re-check schedule starts
    /// there).
    pub first_seen_at: DateTime<Utc>,
}

/// The result of re-checking one article.
#[derive(Debug, Clone)]
pub struct RecheckRecord {
    /// Article id.
    pub article_id: i64,
    /// When to re-check it next; `None` once its schedule is used up.
    pub next_recheck_at: Option<DateTime<Utc>>,
    /// What the fetch gave.
    pub outcome: RecheckOutcome,
}

/// How a re-check ended.
#[derive(Debug, Clone)]
pub enum RecheckOutcome {
    /// The server said 304: unchanged.
    NotModified,
    /// The page was fetched and read.
    Fetched {
        /// The page's bytes (kept as evidence) and validators.
        page: PageEvidence,
        /// What the revise step made of it.
        verdict: Verdict,
    },
    /// The page could not be fetched or gave no article (logged; the
    /// schedule moves on, so a deleted page is not hammered).
    Failed(Problem),
}
