//! The revise step: what a freshly fetched version of a stored article is.
//! Equal content hashes settle it at once; otherwise the newest revisions
//! are read and [`revise::decide`] (pure) gives the verdict, which the
//! store then records. Polls (feed items that reappear) and re-checks
//! (pages fetched again) both come through here.

use regex::Regex;

use crate::analysis::revise::{self, RevisionDecision, COMPARED_REVISIONS};
use crate::analysis::score::TopicMatcher;
use crate::model::{Article, NewRevision, Verdict};
use crate::store::articles::KnownArticle;
use crate::store::{Store, StoreError};

/// The verdict on `article`, a fetched version of `stored`, under the
/// source's `ignore` patterns; an edit comes re-scored.
pub(super) fn verdict(
    store: &Store,
    matcher: &TopicMatcher,
    stored: &KnownArticle,
    article: Article,
    ignore: &[Regex],
) -> Result<Verdict, StoreError> {
    if stored.content_hash == article.content_hash {
        return Ok(Verdict::Unchanged);
    }
    let previous = store.recent_revisions(stored.id, COMPARED_REVISIONS)?;
    Ok(match revise::decide(&previous, &article, ignore) {
        RevisionDecision::Changed { base, class, .. } => Verdict::Revised(Box::new(NewRevision {
            number: previous.first().map_or(1, |r| r.revision) + 1,
            class,
            base,
            revision_hash: revise::revision_hash(&article, ignore),
            matches: matcher.score(&article),
            article,
        })),
        RevisionDecision::SameAsEarlier { .. } => Verdict::SameAsEarlier,
        RevisionDecision::Unchanged | RevisionDecision::New => Verdict::Unchanged,
    })
}

#[cfg(test)]
mod tests;
