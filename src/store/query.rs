//! Read-only views for the command line: one article in full and source
//! health (article listings are in `listing`).

use super::rows::{self, ARTICLE_COLUMNS, ARTICLE_COLUMN_COUNT};
use super::{from_secs, Store, StoreError};
use crate::model::{Article, FailureKind, TermHit};
use chrono::{DateTime, Utc};

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
    /// The kind of the last error, when known.
    pub last_error_kind: Option<FailureKind>,
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
    /// Its story cluster and whether it is the original, when clustered.
    pub cluster: Option<super::clusters::ClusterMark>,
}

impl Store {
    /// One article at its current revision, with its matches.
    pub fn article(&self, id: i64) -> Result<Option<StoredArticle>, StoreError> {
        let conn = self.conn();
        let sql = format!(
            "SELECT {ARTICLE_COLUMNS}, a.first_seen_at, a.mailable, a.cluster_id,
                    a.cluster_original
             FROM articles a
             JOIN revisions r ON r.article_id = a.id AND r.revision = a.current_revision
             WHERE a.id = ?1"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([id])?;
        let Some(r) = rows.next()? else {
            return Ok(None);
        };
        let article = rows::article(r)?;
        let first_seen_at = from_secs(r.get(ARTICLE_COLUMN_COUNT)?);
        let mailable = r.get::<_, i64>(ARTICLE_COLUMN_COUNT + 1)? != 0;
        let cluster = r
            .get::<_, Option<i64>>(ARTICLE_COLUMN_COUNT + 2)?
            .map(|cluster| {
                Ok::<_, rusqlite::Error>(super::clusters::ClusterMark {
                    cluster,
                    original: r.get::<_, i64>(ARTICLE_COLUMN_COUNT + 3)? != 0,
                })
            })
            .transpose()?;
        let matches = super::listing::matches_of(&conn, id)?
            .into_iter()
            .map(|m| (m.topic_id, m.score, m.hits))
            .collect();
        Ok(Some(StoredArticle {
            article,
            first_seen_at,
            mailable,
            matches,
            cluster,
        }))
    }

    /// Health of every source the store has polled.
    pub fn source_health(&self) -> Result<Vec<SourceHealth>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT s.id, s.last_success_at, s.last_poll_at, s.error_streak, s.last_error,
                    s.last_items, s.usual_items, s.encoding, s.next_poll_at,
                    (SELECT count(*) FROM articles a WHERE a.source_id = s.id),
                    s.last_error_kind
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
                last_error_kind: r
                    .get::<_, Option<String>>(10)?
                    .as_deref()
                    .and_then(FailureKind::from_name),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
