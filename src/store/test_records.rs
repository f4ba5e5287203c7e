//! Records the store's unit tests feed to `apply_poll`: one builder each, so
//! the tests say only what differs between them.

use chrono::{DateTime, Utc};

use crate::model::{Article, FetchedSource, NewArticle, SourceOutcome, SourceRecord};

/// `article` as its first revision, ready to insert.
pub(crate) fn new_article(article: Article) -> NewArticle {
    let article = Article {
        revision: 1,
        ..article
    };
    NewArticle {
        article,
        matches: Vec::new(),
        mailable: true,
        page: None,
        revision_hash: String::new(),
        next_recheck_at: None,
    }
}

/// A successful poll of `source_id` that found the articles `new`.
pub(crate) fn fetched(
    source_id: &str,
    url: &str,
    now: DateTime<Utc>,
    new: Vec<NewArticle>,
) -> SourceRecord {
    SourceRecord {
        source_id: source_id.into(),
        url: url.into(),
        next_poll_at: now,
        outcome: SourceOutcome::Fetched(FetchedSource {
            encoding: "UTF-8".into(),
            new,
            ..FetchedSource::default()
        }),
    }
}
