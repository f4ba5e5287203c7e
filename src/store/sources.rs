//! Sources: the state a poll reads before fetching, and the write of a
//! poll pass's records (source rows, new articles, reappearing ones), one
//! `BEGIN IMMEDIATE` transaction per batch of records.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};

use super::articles::{insert_new_article, record_body_lengths, record_revision};
use super::{from_secs, secs, Store, StoreError};
use crate::model::{
    FetchedSource, Problem, SourceOutcome, SourceRecord, SourceState, Validators, Verdict,
};

/// What a write of poll records changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ApplyReport {
    /// New articles (stored for the first time) per source id.
    pub new_by_source: HashMap<String, usize>,
    /// Stored items that reappeared edited: new revisions stored.
    pub revised: usize,
    /// The new articles stored, as (index of the record, index in its
    /// `new` list, article id), for the cluster step.
    pub new_ids: Vec<(usize, usize, i64)>,
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
                           BETWEEN s.last_success_at - 604800 AND s.last_success_at),
                    s.rules_hash,
                    (SELECT min(a.next_recheck_at) FROM articles a
                     WHERE a.source_id = s.id AND a.next_recheck_at IS NOT NULL)
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
                    rules_hash: r.get(8)?,
                    next_recheck_at: r.get::<_, Option<i64>>(9)?.map(from_secs),
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Writes the results of a poll pass in one transaction.
    pub fn apply_poll(
        &self,
        records: &[SourceRecord],
        now: DateTime<Utc>,
    ) -> Result<ApplyReport, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut report = ApplyReport::default();
        let now_s = secs(now);
        for (at, record) in records.iter().enumerate() {
            ensure_source(&tx, &record.source_id, &record.url)?;
            let next = secs(record.next_poll_at);
            match &record.outcome {
                SourceOutcome::Fetched(fetched) => {
                    fetched_source(&tx, &record.source_id, fetched, next, now_s)?;
                    let added = store_articles(&tx, fetched, at, &mut report, now_s)?;
                    *report
                        .new_by_source
                        .entry(record.source_id.clone())
                        .or_default() += added;
                }
                SourceOutcome::NotModified => {
                    tx.prepare_cached(
                        "UPDATE sources SET next_poll_at = ?2, last_poll_at = ?3,
                            last_success_at = ?3, error_streak = 0, polls = polls + 1
                         WHERE id = ?1",
                    )?
                    .execute(params![record.source_id, next, now_s])?;
                }
                SourceOutcome::Failed(Problem { error, kind }) => {
                    tx.prepare_cached(
                        "UPDATE sources SET next_poll_at = ?2, last_poll_at = ?3,
                            error_streak = error_streak + 1, last_error = ?4,
                            last_error_kind = ?5, last_error_at = ?3, polls = polls + 1
                         WHERE id = ?1",
                    )?
                    .execute(params![
                        record.source_id,
                        next,
                        now_s,
                        error,
                        kind.as_str()
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
fn ensure_source(tx: &Transaction<'_>, id: &str, url: &str) -> Result<(), StoreError> {
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

/// The source row after a fetched document: validators, rules hash,
/// counters, and the problem of a page (which marks the source failing).
/// Edited rules send the source's articles still being re-checked back
/// for an unconditional re-check now.
fn fetched_source(
    tx: &Transaction<'_>,
    source_id: &str,
    f: &FetchedSource,
    next_poll_s: i64,
    now_s: i64,
) -> Result<(), StoreError> {
    let (error, kind) = match &f.problem {
        Some(p) => (Some(p.error.as_str()), Some(p.kind.as_str())),
        None => (None, None),
    };
    tx.prepare_cached(
        "UPDATE sources SET etag = ?2, last_modified = ?3, next_poll_at = ?4,
            last_poll_at = ?5, last_success_at = ?5,
            first_polled_at = COALESCE(first_polled_at, ?5),
            error_streak = CASE WHEN ?8 IS NULL THEN 0 ELSE error_streak + 1 END,
            last_error = COALESCE(?8, last_error),
            last_error_kind = CASE WHEN ?8 IS NULL THEN last_error_kind ELSE ?9 END,
            last_error_at = CASE WHEN ?8 IS NULL THEN last_error_at ELSE ?5 END,
            last_items = ?6,
            usual_items = CASE WHEN usual_items IS NULL THEN ?6
                          ELSE usual_items * 0.8 + ?6 * 0.2 END,
            encoding = ?7, rules_hash = ?10, polls = polls + 1
         WHERE id = ?1",
    )?
    .execute(params![
        source_id,
        f.validators.etag,
        f.validators.last_modified,
        next_poll_s,
        now_s,
        f.items_seen as i64,
        f.encoding,
        error,
        kind,
        f.rules_hash,
    ])?;
    if f.rules_changed {
        tx.prepare_cached(
            "UPDATE articles SET page_etag = NULL, page_last_modified = NULL,
                next_recheck_at = ?2
             WHERE source_id = ?1 AND next_recheck_at IS NOT NULL",
        )?
        .execute(params![source_id, now_s])?;
    }
    Ok(())
}

/// Inserts the new articles and records the reappearing ones (a revision
/// where the revise step found an edit, counted in `revised`). Returns how
/// many were new.
fn store_articles(
    tx: &Transaction<'_>,
    f: &FetchedSource,
    record: usize,
    report: &mut ApplyReport,
    now_s: i64,
) -> Result<usize, StoreError> {
    let mut lengths = Vec::with_capacity(f.new.len());
    for (i, new) in f.new.iter().enumerate() {
        if let Some(id) = insert_new_article(tx, new, now_s)? {
            report.new_ids.push((record, i, id));
            lengths.push((new.article.source_id.as_str(), new.article.body_chars()));
        }
    }
    record_body_lengths(tx, &lengths)?;
    let added = lengths.len();
    for seen in &f.seen {
        tx.prepare_cached("UPDATE articles SET last_seen_at = ?2 WHERE id = ?1")?
            .execute(params![seen.article_id, now_s])?;
        if let Verdict::Revised(revision) = &seen.verdict {
            record_revision(tx, seen.article_id, revision, None, now_s)?;
            report.revised += 1;
        }
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::{Article, NewArticle};
    use crate::store::test_records::{fetched, new_article};
    use crate::store::Access;

    fn item(guid: &str, published: Option<DateTime<Utc>>) -> NewArticle {
        let mut article = Article {
            source_id: "quiet".into(),
            guid: guid.into(),
            title: format!("通知 {guid}"),
            published_at: published,
            revision: 1,
            ..Article::default()
        };
        article.content_hash = crate::document::normalize::content_hash(&article);
        new_article(article)
    }

    #[test]
    fn published_last_week_counts_only_the_week_before_the_last_success() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), Access::Writer).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 1, 10, 0, 0, 0).unwrap();
        let days_ago = |d: i64| Some(now - chrono::Duration::days(d));
        // Two items inside the week, one older, one undated (first seen now).
        let new = vec![
            item("a", days_ago(1)),
            item("b", days_ago(6)),
            item("c", days_ago(30)),
            item("d", None),
        ];
        let record = fetched("quiet", "http://127.0.0.1/quiet.xml", now, new);
        store.apply_poll(&[record], now).unwrap();
        let states = store.source_states().unwrap();
        assert_eq!(states["quiet"].published_last_week, 3);
    }
}
