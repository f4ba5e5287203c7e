//! Re-checks: which stored articles are due to be fetched again, the write
//! of their outcomes (schedule, page validators, the raw page kept as
//! evidence, an edit as a new revision), and pruning old evidence.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use xxhash_rust::xxh3::xxh3_128;

use super::articles::record_revision;
use super::{from_secs, secs, Store, StoreError};
use crate::model::{ChangeClass, DueRecheck, RecheckOutcome, RecheckRecord, Validators, Verdict};

/// What [`Store::apply_rechecks`] changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RecheckReport {
    /// Articles re-checked.
    pub checked: usize,
    /// Revisions stored, as (article id, revision, class).
    pub revised: Vec<(i64, u32, ChangeClass)>,
}

impl Store {
    /// Up to `limit` articles of `source_id` whose re-check is due at
    /// `now`, the most overdue first.
    pub fn due_rechecks(
        &self,
        source_id: &str,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<DueRecheck>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, COALESCE(url, canonical_url), page_etag, page_last_modified,
                    first_seen_at
             FROM articles
             WHERE source_id = ?1 AND next_recheck_at IS NOT NULL AND next_recheck_at <= ?2
               AND COALESCE(url, canonical_url) IS NOT NULL
             ORDER BY next_recheck_at, id LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![source_id, secs(now), limit as i64], |r| {
            Ok(DueRecheck {
                article_id: r.get(0)?,
                url: r.get(1)?,
                validators: Validators {
                    etag: r.get(2)?,
                    last_modified: r.get(3)?,
                },
                first_seen_at: from_secs(r.get(4)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Writes the outcomes of re-checks in one transaction: each article's
    /// schedule moves on; a fetched page's validators and bytes are kept,
    /// as evidence of the revision it shows: a new one for an edit, the
    /// current one when unchanged.
    pub fn apply_rechecks(
        &self,
        records: &[RecheckRecord],
        now: DateTime<Utc>,
    ) -> Result<RecheckReport, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut report = RecheckReport::default();
        let now_s = secs(now);
        for record in records {
            let current: Option<i64> = tx
                .prepare_cached("SELECT current_revision FROM articles WHERE id = ?1")?
                .query_row([record.article_id], |r| r.get(0))
                .optional()?;
            let Some(current) = current else {
                continue;
            };
            tx.prepare_cached(
                "UPDATE articles SET rechecks = rechecks + 1, next_recheck_at = ?2 WHERE id = ?1",
            )?
            .execute(params![record.article_id, record.next_recheck_at.map(secs)])?;
            report.checked += 1;
            let RecheckOutcome::Fetched { page, verdict } = &record.outcome else {
                continue;
            };
            keep_page_validators(&tx, record.article_id, &page.validators, now_s)?;
            let raw_hash = keep_raw_page(&tx, &page.raw, now)?;
            match verdict {
                Verdict::Revised(revision) => {
                    record_revision(&tx, record.article_id, revision, Some(&raw_hash), now_s)?;
                    report
                        .revised
                        .push((record.article_id, revision.number, revision.class));
                }
                Verdict::Unchanged => {
                    attach_evidence(&tx, record.article_id, current, Some(&raw_hash))?
                }
                Verdict::SameAsEarlier => {}
            }
        }
        tx.commit()?;
        Ok(report)
    }

    /// Deletes raw pages kept longer than `retention`; returns how many.
    pub fn prune_evidence(
        &self,
        retention: Duration,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let cutoff = now - chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::MAX);
        let conn = self.conn();
        Ok(conn.execute(
            "DELETE FROM raw_pages WHERE fetched_at < ?1",
            [secs(cutoff)],
        )?)
    }
}

/// Remembers the validators an article's page was served with, for its
/// next re-check.
pub(super) fn keep_page_validators(
    tx: &Transaction<'_>,
    article_id: i64,
    validators: &Validators,
    now_s: i64,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "UPDATE articles SET page_etag = ?2, page_last_modified = ?3, last_seen_at = ?4
         WHERE id = ?1",
    )?
    .execute(params![
        article_id,
        validators.etag,
        validators.last_modified,
        now_s
    ])?;
    Ok(())
}

/// Keeps `raw` in `raw_pages` under its hash (refreshing the time of a
/// page kept before); returns the hash.
pub(super) fn keep_raw_page(
    tx: &Transaction<'_>,
    raw: &[u8],
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    let hash = format!("{:032x}", xxh3_128(raw));
    tx.prepare_cached(
        "INSERT INTO raw_pages (hash, fetched_at, bytes) VALUES (?1, ?2, ?3)
         ON CONFLICT (hash) DO UPDATE SET fetched_at = max(fetched_at, excluded.fetched_at)",
    )?
    .execute(params![hash, secs(now), raw])?;
    Ok(hash)
}

/// A revision stored before its page was kept (revision 1 of a listed
/// page) gets the first raw page that shows the same content.
pub(super) fn attach_evidence(
    tx: &Transaction<'_>,
    article_id: i64,
    revision: i64,
    raw_hash: Option<&str>,
) -> Result<(), StoreError> {
    if let Some(hash) = raw_hash {
        tx.prepare_cached(
            "UPDATE revisions SET raw_hash = ?3
             WHERE article_id = ?1 AND revision = ?2 AND raw_hash IS NULL",
        )?
        .execute(params![article_id, revision, hash])?;
    }
    Ok(())
}
