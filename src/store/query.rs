//! Read-only views for the command line: article listings, one article in
//! full, and source health.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{from_secs, secs, Store, StoreError};
use crate::model::{Article, TermHit};

/// One line of `reformwatch articles`.
#[derive(Debug, Clone)]
pub struct ArticleRow {
    /// Article id.
    pub id: i64,
    /// Source id.
    pub source_id: String,
    /// Current title.
    pub title: String,
    /// Link.
    pub url: Option<String>,
    /// Published time, if known.
    pub published_at: Option<DateTime<Utc>>,
    /// First seen by reformwatch.
    pub first_seen_at: DateTime<Utc>,
    /// Matched topic ids, best first.
    pub topics: Vec<String>,
}

/// A source's health as stored.
#[derive(Debug, Clone, Default)]
pub struct SourceHealth {
    /// Source id.
    pub id: String,
    /// Last poll that ended in a document or 304.
    pub last_success_at: Option<DateTime<Utc>>,
    /// Last poll of any outcome.
    pub last_poll_at: Option<DateTime<Utc>>,
    /// Consecutive failures.
    pub error_streak: u32,
    /// The last error text.
    pub last_error: Option<String>,
    /// Items in the last fetched document.
    pub last_items: Option<i64>,
    /// Moving average of items per fetched document.
    pub usual_items: Option<f64>,
    /// Charset chosen for the last document.
    pub encoding: Option<String>,
    /// When the source is due next.
    pub next_poll_at: Option<DateTime<Utc>>,
    /// Articles stored from this source.
    pub articles: i64,
}

/// A stored article with its topic explanations.
#[derive(Debug, Clone)]
pub struct StoredArticle {
    /// The article at its current revision.
    pub article: Article,
    /// First seen by reformwatch.
    pub first_seen_at: DateTime<Utc>,
    /// Whether it may be mailed (false for backfilled items).
    pub mailable: bool,
    /// (topic id, score, hits) per matched topic.
    pub matches: Vec<(String, f64, Vec<TermHit>)>,
}

impl Store {
    /// Articles first seen since `since`, optionally only those matching
    /// `topic`, newest first.
    pub fn list_articles(
        &self,
        topic: Option<&str>,
        since: Option<DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<ArticleRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT a.id, a.source_id, r.title, a.url, a.published_at, a.first_seen_at,
                    (SELECT group_concat(topic_id, ',') FROM
                        (SELECT topic_id FROM matches WHERE article_id = a.id ORDER BY score DESC))
             FROM articles a
             JOIN revisions r ON r.article_id = a.id AND r.revision = a.current_revision
             WHERE a.first_seen_at >= ?1
               AND (?2 IS NULL OR EXISTS (SELECT 1 FROM matches m
                                          WHERE m.article_id = a.id AND m.topic_id = ?2))
             ORDER BY COALESCE(a.published_at, a.first_seen_at) DESC, a.id DESC
             LIMIT ?3",
        )?;
        let since_s = since.map(secs).unwrap_or(i64::MIN);
        let rows = stmt.query_map(params![since_s, topic, limit as i64], |r| {
            Ok(ArticleRow {
                id: r.get(0)?,
                source_id: r.get(1)?,
                title: r.get(2)?,
                url: r.get(3)?,
                published_at: r.get::<_, Option<i64>>(4)?.map(from_secs),
                first_seen_at: from_secs(r.get(5)?),
                topics: r
                    .get::<_, Option<String>>(6)?
                    .map(|s| s.split(',').map(str::to_string).collect())
                    .unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One article at its current revision, with its matches.
    pub fn article(&self, id: i64) -> Result<Option<StoredArticle>, StoreError> {
        let conn = self.conn();
        let row = conn
            .query_row(
                "SELECT a.source_id, a.url, a.canonical_url, a.guid, a.first_seen_at, a.mailable,
                        r.revision, r.seen_at, r.content_hash, r.kicker, r.title, r.subtitle,
                        r.byline, r.outlet, r.published_at, r.updated_at, r.language, r.lead,
                        r.sections_json, r.quotes_json
                 FROM articles a
                 JOIN revisions r ON r.article_id = a.id AND r.revision = a.current_revision
                 WHERE a.id = ?1",
                [id],
                |r| {
                    let sections: String = r.get(18)?;
                    let quotes: String = r.get(19)?;
                    Ok((
                        Article {
                            id: Some(id),
                            source_id: r.get(0)?,
                            url: r.get(1)?,
                            canonical_url: r.get(2)?,
                            guid: r.get(3)?,
                            revision: r.get::<_, i64>(6)?.max(1) as u32,
                            fetched_at: from_secs(r.get(7)?),
                            content_hash: r.get(8)?,
                            kicker: r.get(9)?,
                            title: r.get(10)?,
                            subtitle: r.get(11)?,
                            byline: r.get(12)?,
                            outlet: r.get(13)?,
                            published_at: r.get::<_, Option<i64>>(14)?.map(from_secs),
                            updated_at: r.get::<_, Option<i64>>(15)?.map(from_secs),
                            language: r.get(16)?,
                            lead: r.get(17)?,
                            sections: Vec::new(),
                            quotes: Vec::new(),
                        },
                        from_secs(r.get(4)?),
                        r.get::<_, i64>(5)? != 0,
                        sections,
                        quotes,
                    ))
                },
            )
            .optional()?;
        let Some((mut article, first_seen_at, mailable, sections, quotes)) = row else {
            return Ok(None);
        };
        article.sections = serde_json::from_str(&sections)
            .map_err(|e| StoreError::Corrupt(format!("sections of article {id}: {e}")))?;
        article.quotes = serde_json::from_str(&quotes)
            .map_err(|e| StoreError::Corrupt(format!("quotes of article {id}: {e}")))?;
        let mut stmt = conn.prepare(
            "SELECT topic_id, score, explanation FROM matches WHERE article_id = ?1
             ORDER BY score DESC",
        )?;
        let matches = stmt
            .query_map([id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, f64>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .map(|row| {
                let (topic, score, json) = row?;
                let hits = serde_json::from_str(&json).map_err(|e| {
                    StoreError::Corrupt(format!("explanation of article {id}: {e}"))
                })?;
                Ok((topic, score, hits))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some(StoredArticle {
            article,
            first_seen_at,
            mailable,
            matches,
        }))
    }

    /// Health of every source the store has polled.
    pub fn source_health(&self) -> Result<Vec<SourceHealth>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT s.id, s.last_success_at, s.last_poll_at, s.error_streak, s.last_error,
                    s.last_items, s.usual_items, s.encoding, s.next_poll_at,
                    (SELECT count(*) FROM articles a WHERE a.source_id = s.id)
             FROM sources s ORDER BY s.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SourceHealth {
                id: r.get(0)?,
                last_success_at: r.get::<_, Option<i64>>(1)?.map(from_secs),
                last_poll_at: r.get::<_, Option<i64>>(2)?.map(from_secs),
                error_streak: r.get::<_, i64>(3)?.max(0) as u32,
                last_error: r.get(4)?,
                last_items: r.get(5)?,
                usual_items: r.get(6)?,
                encoding: r.get(7)?,
                next_poll_at: r.get::<_, Option<i64>>(8)?.map(from_secs),
                articles: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
