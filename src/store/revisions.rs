//! Revision history: an article's revisions for `show --revisions` and
//! `diff`, the newest revisions the revise step compares a fetched version
//! with, and the revised articles a subscriber has not been told about.
//! Revisions are written by [`articles`](super::articles) (an edit found
//! by a poll) and [`rechecks`](super::rechecks).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};

use super::rows::{self, ARTICLE_COLUMNS, ARTICLE_COLUMN_COUNT};
use super::{from_secs, Store, StoreError};
use crate::model::{Article, ChangeClass, PendingRevision, StoredRevision};

/// One row of an article's history (`reformwatch show ID --revisions`).
#[derive(Debug, Clone, PartialEq)]
pub struct RevisionInfo {
    /// Revision number.
    pub revision: u32,
    /// When reformwatch first saw this version.
    pub seen_at: DateTime<Utc>,
    /// Its class (`None` for revision 1).
    pub class: Option<ChangeClass>,
    /// The revision its diff is against (`None` for revision 1).
    pub base: Option<u32>,
    /// Hash of the raw page kept as evidence, while it is kept.
    pub raw_hash: Option<String>,
}

impl Store {
    /// An article's revision history, oldest first (empty for an unknown id).
    pub fn revision_history(&self, article_id: i64) -> Result<Vec<RevisionInfo>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT r.revision, r.seen_at, r.change_class, r.base_revision,
                    (SELECT p.hash FROM raw_pages p WHERE p.hash = r.raw_hash)
             FROM revisions r WHERE r.article_id = ?1 ORDER BY r.revision",
        )?;
        let rows = stmt.query_map([article_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (revision, seen_at, class, base, raw_hash) = row?;
            let class = class
                .map(|c| c.parse::<ChangeClass>())
                .transpose()
                .map_err(|e| {
                    StoreError::UnknownName(format!(
                        "revision {revision} of article {article_id}: {e}"
                    ))
                })?;
            out.push(RevisionInfo {
                revision: revision.max(1) as u32,
                seen_at: from_secs(seen_at),
                class,
                base: base.map(|b| b.max(1) as u32),
                raw_hash,
            });
        }
        Ok(out)
    }

    /// Revision `revision` of an article as stored, or `None`.
    pub fn revision_article(
        &self,
        article_id: i64,
        revision: u32,
    ) -> Result<Option<Article>, StoreError> {
        let conn = self.conn();
        let mut found = load_revisions(&conn, article_id, Some(revision), 1)?;
        Ok(found.pop().map(|r| r.article))
    }

    /// Revisions `from` and `to` of an article, for a diff; `None` when
    /// either is missing.
    pub fn revision_pair(
        &self,
        article_id: i64,
        from: u32,
        to: u32,
    ) -> Result<Option<(Article, Article)>, StoreError> {
        let conn = self.conn();
        let old = load_revisions(&conn, article_id, Some(from), 1)?.pop();
        let new = load_revisions(&conn, article_id, Some(to), 1)?.pop();
        Ok(old.zip(new).map(|(o, n)| (o.article, n.article)))
    }

    /// The newest `limit` revisions of an article, newest first: what the
    /// revise step compares a fetched version with. Read on a pooled
    /// read-only connection.
    pub fn recent_revisions(
        &self,
        article_id: i64,
        limit: usize,
    ) -> Result<Vec<StoredRevision>, StoreError> {
        let conn = self.reader()?;
        load_revisions(&conn, article_id, None, limit)
    }

    /// The raw page kept for a revision hash, if still kept.
    pub fn raw_page(&self, hash: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let conn = self.conn();
        Ok(conn
            .query_row("SELECT bytes FROM raw_pages WHERE hash = ?1", [hash], |r| {
                r.get(0)
            })
            .optional()?)
    }
}

impl Store {
    /// The revised articles `subscriber_id` has not been told about (see
    /// `pending_revisions`), on a connection of the store's own.
    pub fn pending_revisions(
        &self,
        subscriber_id: &str,
        topics: &[String],
        least: Option<ChangeClass>,
    ) -> Result<Vec<PendingRevision>, StoreError> {
        let conn = self.conn();
        pending_revisions(&conn, subscriber_id, topics, least)
    }
}

/// Articles that `subscriber_id` got in an earlier digest, that still match
/// one of `topics`, and that have a revision of class `least` or weightier
/// since the revision they got; empty when `least` is `None` (`revisions =
/// "none"`). An article never mailed to them is not here: it is pending as
/// new, at its latest text.
pub(crate) fn pending_revisions(
    conn: &rusqlite::Connection,
    subscriber_id: &str,
    topics: &[String],
    least: Option<ChangeClass>,
) -> Result<Vec<PendingRevision>, StoreError> {
    let Some(least) = least else {
        return Ok(Vec::new());
    };
    if topics.is_empty() {
        return Ok(Vec::new());
    }
    let json = |v: Vec<&str>| rows::json(&v);
    let topic_json = json(topics.iter().map(String::as_str).collect())?;
    let classes = [
        ChangeClass::Cosmetic,
        ChangeClass::Minor,
        ChangeClass::Substantive,
    ];
    let class_json = json(
        classes
            .iter()
            .filter(|c| **c >= least)
            .map(|c| c.as_str())
            .collect(),
    )?;
    let mut stmt = conn.prepare_cached(
        "WITH mailed AS (SELECT article_id, max(revision) AS rev FROM digest_items
                         WHERE subscriber_id = ?1 GROUP BY article_id)
         SELECT a.id, mailed.rev, a.current_revision,
                (SELECT group_concat(r.change_class, ',') FROM revisions r
                 WHERE r.article_id = a.id AND r.revision > mailed.rev)
         FROM articles a JOIN mailed ON mailed.article_id = a.id
         WHERE a.mailable = 1 AND a.current_revision > mailed.rev
           AND EXISTS (SELECT 1 FROM matches m WHERE m.article_id = a.id
                       AND m.topic_id IN (SELECT value FROM json_each(?2)))
           AND EXISTS (SELECT 1 FROM revisions r WHERE r.article_id = a.id
                       AND r.revision > mailed.rev
                       AND r.change_class IN (SELECT value FROM json_each(?3)))
         ORDER BY a.id",
    )?;
    let rows = stmt.query_map(params![subscriber_id, topic_json, class_json], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    let rows: Vec<_> = rows.collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (article_id, mailed, current, classes) in rows {
        let (mailed, current) = (mailed.max(1) as u32, current.max(1) as u32);
        let class = classes
            .unwrap_or_default()
            .split(',')
            .filter_map(|c| c.parse::<ChangeClass>().ok())
            .max()
            .unwrap_or(least);
        let old = load_revisions(conn, article_id, Some(mailed), 1)?.pop();
        let new = load_revisions(conn, article_id, Some(current), 1)?.pop();
        if let (Some(old), Some(new)) = (old, new) {
            out.push(PendingRevision {
                article_id,
                mailed,
                revision: current,
                class,
                seen_at: new.article.fetched_at,
                old: old.article,
                new: new.article,
            });
        }
    }
    Ok(out)
}

/// Records that digest `digest_id` reports these revisions, so each
/// revision reaches a subscriber once.
pub(crate) fn record_mailed_revisions(
    tx: &Transaction<'_>,
    digest_id: i64,
    subscriber_id: &str,
    revised: &[PendingRevision],
) -> Result<(), StoreError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO digest_items (digest_id, subscriber_id, article_id, revision)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for r in revised {
        stmt.execute(params![digest_id, subscriber_id, r.article_id, r.revision])?;
    }
    Ok(())
}

/// Up to `limit` revisions of an article, newest first (only `only` when
/// given), with the article fields of each.
pub(super) fn load_revisions(
    conn: &rusqlite::Connection,
    article_id: i64,
    only: Option<u32>,
    limit: usize,
) -> Result<Vec<StoredRevision>, StoreError> {
    let sql = format!(
        "SELECT {ARTICLE_COLUMNS}, r.normalized_hash
         FROM revisions r JOIN articles a ON a.id = r.article_id
         WHERE r.article_id = ?1 AND (?2 IS NULL OR r.revision = ?2)
         ORDER BY r.revision DESC LIMIT ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![article_id, only, limit as i64])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let article = rows::article(r)?;
        out.push(StoredRevision {
            revision: article.revision,
            hash: r
                .get::<_, Option<String>>(ARTICLE_COLUMN_COUNT)?
                .unwrap_or_default(),
            article,
        });
    }
    Ok(out)
}
