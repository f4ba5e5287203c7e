//! Source state, articles, revisions and topic matches: what a poll reads
//! before fetching and writes after. All results of one poll pass are
//! written in one `BEGIN IMMEDIATE` transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::revisions::{RevisePolicies, RevisePolicy};
use super::{from_secs, secs, Store, StoreError};
use crate::model::PageEvidence;
use crate::model::SourceState;
use crate::model::Validators;
use crate::model::{Article, TopicMatch};

/// An article with the topics it matched, ready to store.
#[derive(Debug, Clone)]
pub struct ScoredArticle {
    /// The parsed article.
    pub article: Article,
    /// Its topic matches (may be empty).
    pub matches: Vec<TopicMatch>,
    /// Whether a new article may be mailed (false for first-poll items
    /// outside the backfill window).
    pub mailable: bool,
    /// The page the article was read from (html sources and `full_text`
    /// feeds), kept with a new article: revision 1's evidence and the
    /// validators of its first re-check.
    pub page: Option<PageEvidence>,
}

/// The result of polling one source, as the store records it.
#[derive(Debug)]
pub enum PollRecord {
    /// A document was fetched and parsed.
    Fetched {
        /// Source id.
        source_id: String,
        /// Configured URL.
        url: String,
        /// Validators to send next time.
        validators: Validators,
        /// Charset the document was decoded with.
        encoding: String,
        /// Parsed and scored items.
        items: Vec<ScoredArticle>,
        /// Article pages that gave no usable article (no body, or a body far
        /// shorter than the source's usual: layout drift). The items are
        /// still stored, but the source is marked failing with the first.
        extract_errors: Vec<String>,
        /// When to poll next.
        next_poll_at: DateTime<Utc>,
    },
    /// The server said 304.
    NotModified {
        /// Source id.
        source_id: String,
        /// Configured URL.
        url: String,
        /// When to poll next.
        next_poll_at: DateTime<Utc>,
    },
    /// Fetching or parsing failed.
    Failed {
        /// Source id.
        source_id: String,
        /// Configured URL.
        url: String,
        /// The error, naming the URL.
        error: String,
        /// When to try again (after backoff).
        next_poll_at: DateTime<Utc>,
    },
}

/// What a write of poll records changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ApplyReport {
    /// New articles (stored for the first time) per source id.
    pub new_by_source: HashMap<String, usize>,
    /// Stored items that reappeared edited: new revisions stored.
    pub revised: usize,
}

impl ApplyReport {
    /// Articles stored for the first time, over all sources.
    pub fn new_articles(&self) -> usize {
        self.new_by_source.values().sum()
    }
}

impl Store {
    /// State of every source the store knows, keyed by source id.
    pub fn source_states(&self) -> Result<HashMap<String, SourceState>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT s.id, s.url, s.etag, s.last_modified, s.next_poll_at, s.first_polled_at,
                    s.error_streak,
                    (SELECT count(*) FROM articles a
                     WHERE a.source_id = s.id
                       AND COALESCE(a.published_at, a.first_seen_at)
                           BETWEEN s.last_success_at - 604800 AND s.last_success_at)
             FROM sources s",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                SourceState {
                    url: r.get(1)?,
                    validators: Validators {
                        etag: r.get(2)?,
                        last_modified: r.get(3)?,
                    },
                    next_poll_at: r.get::<_, Option<i64>>(4)?.map(from_secs),
                    first_polled_at: r.get::<_, Option<i64>>(5)?.map(from_secs),
                    error_streak: r.get::<_, i64>(6)?.max(0) as u32,
                    published_last_week: r.get::<_, Option<i64>>(7)?.unwrap_or(0).max(0) as u32,
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Writes the results of a poll pass in one transaction, comparing
    /// stored items that reappear without `ignore` patterns (see
    /// [`Store::apply_poll_with`]).
    pub fn apply_poll(
        &self,
        records: &[PollRecord],
        now: DateTime<Utc>,
    ) -> Result<ApplyReport, StoreError> {
        self.apply_poll_with(records, &RevisePolicies::default(), now)
    }

    /// Writes the results of a poll pass in one transaction. A stored item
    /// that reappears with changed content is compared with its revisions
    /// under its source's policy, and an edit stores the next revision.
    pub fn apply_poll_with(
        &self,
        records: &[PollRecord],
        policies: &RevisePolicies,
        now: DateTime<Utc>,
    ) -> Result<ApplyReport, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut report = ApplyReport::default();
        let now_s = secs(now);
        for record in records {
            match record {
                PollRecord::Fetched {
                    source_id,
                    url,
                    validators,
                    encoding,
                    items,
                    extract_errors,
                    next_poll_at,
                } => {
                    ensure_source(&tx, source_id, url)?;
                    let extract_error = extract_errors.first();
                    tx.prepare_cached(
                        "UPDATE sources SET etag = ?2, last_modified = ?3, next_poll_at = ?4,
                            last_poll_at = ?5, last_success_at = ?5,
                            first_polled_at = COALESCE(first_polled_at, ?5),
                            error_streak = CASE WHEN ?8 IS NULL THEN 0 ELSE error_streak + 1 END,
                            last_error = COALESCE(?8, last_error),
                            last_error_at = CASE WHEN ?8 IS NULL THEN last_error_at ELSE ?5 END,
                            last_items = ?6,
                            usual_items = CASE WHEN usual_items IS NULL THEN ?6
                                          ELSE usual_items * 0.8 + ?6 * 0.2 END,
                            encoding = ?7, polls = polls + 1
                         WHERE id = ?1",
                    )?
                    .execute(params![
                        source_id,
                        validators.etag,
                        validators.last_modified,
                        secs(*next_poll_at),
                        now_s,
                        items.len() as i64,
                        encoding,
                        extract_error,
                    ])?;
                    let policy = policies.get(source_id);
                    let added = insert_items(&tx, items, policy, &mut report.revised, now_s)?;
                    *report.new_by_source.entry(source_id.clone()).or_default() += added;
                }
                PollRecord::NotModified {
                    source_id,
                    url,
                    next_poll_at,
                } => {
                    ensure_source(&tx, source_id, url)?;
                    tx.prepare_cached(
                        "UPDATE sources SET next_poll_at = ?2, last_poll_at = ?3,
                            last_success_at = ?3, error_streak = 0, polls = polls + 1
                         WHERE id = ?1",
                    )?
                    .execute(params![
                        source_id,
                        secs(*next_poll_at),
                        now_s
                    ])?;
                }
                PollRecord::Failed {
                    source_id,
                    url,
                    error,
                    next_poll_at,
                } => {
                    ensure_source(&tx, source_id, url)?;
                    tx.prepare_cached(
                        "UPDATE sources SET next_poll_at = ?2, last_poll_at = ?3,
                            error_streak = error_streak + 1, last_error = ?4,
                            last_error_at = ?3, polls = polls + 1
                         WHERE id = ?1",
                    )?
                    .execute(params![
                        source_id,
                        secs(*next_poll_at),
                        now_s,
                        error
                    ])?;
                }
            }
        }
        tx.commit()?;
        Ok(report)
    }
}

/// Creates the source row if missing; a changed URL forgets the validators
/// and the first-poll mark (it is a different document now).
fn ensure_source(tx: &rusqlite::Transaction<'_>, id: &str, url: &str) -> Result<(), StoreError> {
    let stored: Option<String> = tx
        .prepare_cached("SELECT url FROM sources WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    match stored {
        None => {
            tx.prepare_cached("INSERT INTO sources (id, url) VALUES (?1, ?2)")?
                .execute(params![id, url])?;
        }
        Some(old) if old != url => {
            tx.prepare_cached(
                "UPDATE sources SET url = ?2, etag = NULL, last_modified = NULL,
                    first_polled_at = NULL WHERE id = ?1",
            )?
            .execute(params![id, url])?;
        }
        Some(_) => {}
    }
    Ok(())
}

/// Inserts the articles not seen before (with revision 1 and matches) and
/// touches the ones already stored, comparing them under `policy` (edits
/// counted in `revised`). Returns how many were new.
fn insert_items(
    tx: &rusqlite::Transaction<'_>,
    items: &[ScoredArticle],
    policy: &RevisePolicy,
    revised: &mut usize,
    now_s: i64,
) -> Result<usize, StoreError> {
    let mut added = 0;
    for item in items {
        let a = &item.article;
        let inserted: Option<i64> = tx
            .prepare_cached(
                "INSERT INTO articles (source_id, guid, url, canonical_url, first_seen_at,
                    last_seen_at, published_at, mailable)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)
                 ON CONFLICT (source_id, guid) DO NOTHING
                 RETURNING id",
            )?
            .query_row(
                params![
                    a.source_id,
                    a.guid,
                    a.url,
                    a.canonical_url,
                    now_s,
                    a.published_at.map(secs),
                    item.mailable as i64,
                ],
                |r| r.get(0),
            )
            .optional()?;
        let Some(article_id) = inserted else {
            tx.prepare_cached(
                "UPDATE articles SET last_seen_at = ?3 WHERE source_id = ?1 AND guid = ?2",
            )?
            .execute(params![a.source_id, a.guid, now_s])?;
            let outcome = super::revisions::revise_item(tx, a, &item.matches, policy, now_s)?;
            if matches!(outcome, super::revisions::Revised::Stored { .. }) {
                *revised += 1;
            }
            continue;
        };
        added += 1;
        super::revisions::insert_revision(tx, article_id, 1, a, now_s)?;
        super::revisions::after_first_revision(tx, article_id, a, policy, item.mailable, now_s)?;
        if let Some(page) = &item.page {
            super::revisions::first_page_evidence(tx, article_id, page, now_s)?;
        }
        super::known::record_body_length(tx, &a.source_id, a.body_chars())?;
        for m in &item.matches {
            let explanation =
                serde_json::to_string(&m.hits).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            tx.prepare_cached(
                "INSERT OR REPLACE INTO matches (article_id, topic_id, revision, score,
                    explanation, matched_at) VALUES (?1, ?2, 1, ?3, ?4, ?5)",
            )?
            .execute(params![article_id, m.topic_id, m.score, explanation, now_s])?;
        }
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::store::Access;

    fn item(guid: &str, published: Option<DateTime<Utc>>) -> ScoredArticle {
        let mut article = Article {
            source_id: "quiet".into(),
            guid: guid.into(),
            title: format!("通知 {guid}"),
            published_at: published,
            revision: 1,
            ..Article::default()
        };
        article.content_hash = crate::document::normalize::content_hash(&article);
        ScoredArticle {
            article,
            matches: vec![],
            mailable: true,
            page: None,
        }
    }

    #[test]
    fn published_last_week_counts_only_the_week_before_the_last_success() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), Access::Writer).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 1, 10, 0, 0, 0).unwrap();
        let days_ago = |d: i64| Some(now - chrono::Duration::days(d));
        let record = PollRecord::Fetched {
            source_id: "quiet".into(),
            url: "http://127.0.0.1/quiet.xml".into(),
            validators: Validators::default(),
            encoding: "UTF-8".into(),
            // Two items inside the week, one older, one undated (first seen now).
            items: vec![
                item("a", days_ago(1)),
                item("b", days_ago(6)),
                item("c", days_ago(30)),
                item("d", None),
            ],
            extract_errors: vec![],
            next_poll_at: now,
        };
        store.apply_poll(&[record], now).unwrap();
        let states = store.source_states().unwrap();
        assert_eq!(states["quiet"].published_last_week, 3);
    }
}
