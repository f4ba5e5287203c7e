//! Story clusters: the fingerprints later articles are compared with, the
//! candidates a new article's LSH band keys find, the placements the
//! pipeline decided, and a cluster's members for `show` and the digest.
//! The store decides nothing here: which cluster an article joins and
//! which member is the original come from `analysis::cluster`.
//!
//! Plain SQL (key lists go in as one JSON array through `json_each`, as
//! elsewhere in the store) so another backend can port it as it is.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::rows::{self, json, ARTICLE_COLUMNS, ARTICLE_COLUMN_COUNT};
use super::{from_secs, secs, Store, StoreError};
pub use crate::model::ClusterMember;
use crate::model::StoryMember as Member;

/// A stored article's fingerprint, as a candidate for a new article.
#[derive(Debug, Clone)]
pub struct StoredFingerprint {
    /// The article as the clusterer sees it.
    pub member: Member,
    /// Its cluster.
    pub cluster: i64,
    /// Its sorted shingle hashes.
    pub shingles: Vec<u64>,
}

/// A new article placed in a cluster, to store.
#[derive(Debug, Clone)]
pub struct Placed {
    /// The article (stored already).
    pub article_id: i64,
    /// The cluster it joined or started.
    pub cluster: i64,
    /// The time the comparison window counts from.
    pub at: DateTime<Utc>,
    /// Whether its source is marked `original`.
    pub source_original: bool,
    /// Its sorted shingle hashes.
    pub shingles: Vec<u64>,
    /// Its LSH band keys.
    pub band_keys: Vec<i64>,
}

/// An article's cluster, as listings and `show` print it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClusterMark {
    /// The cluster id (the id of its first stored member).
    pub cluster: i64,
    /// Whether the article is the cluster's original.
    pub original: bool,
}

impl Store {
    /// Clustered articles published between `from` and `to` that share at
    /// least one of `keys`, with their fingerprints. Read on a pooled
    /// read-only connection.
    pub fn cluster_candidates(
        &self,
        keys: &[i64],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<StoredFingerprint>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let conn = self.reader()?;
        let mut stmt = conn.prepare_cached(
            "SELECT f.article_id, a.source_id, f.at, f.source_original, a.cluster_id, f.shingles
             FROM cluster_fingerprints f
             JOIN articles a ON a.id = f.article_id
             WHERE f.at BETWEEN ?2 AND ?3
               AND f.article_id IN (SELECT b.article_id FROM cluster_bands b
                                    WHERE b.band_key IN (SELECT value FROM json_each(?1)))
             ORDER BY f.article_id",
        )?;
        let rows = stmt.query_map(params![json(keys)?, secs(from), secs(to)], |r| {
            let id: i64 = r.get(0)?;
            let blob: Vec<u8> = r.get(5)?;
            Ok(StoredFingerprint {
                member: Member {
                    id,
                    source_id: r.get(1)?,
                    at: from_secs(r.get(2)?),
                    original: r.get::<_, i64>(3)? != 0,
                },
                cluster: r.get::<_, Option<i64>>(4)?.unwrap_or(id),
                shingles: blob
                    .chunks_exact(8)
                    .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
                    .collect(),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The stored original of each of `clusters` that has one, by cluster.
    pub fn cluster_originals(&self, clusters: &[i64]) -> Result<HashMap<i64, Member>, StoreError> {
        if clusters.is_empty() {
            return Ok(HashMap::new());
        }
        let conn = self.reader()?;
        let mut stmt = conn.prepare_cached(
            "SELECT a.cluster_id, a.id, a.source_id, f.at, f.source_original
             FROM articles a JOIN cluster_fingerprints f ON f.article_id = a.id
             WHERE a.cluster_original = 1
               AND a.cluster_id IN (SELECT value FROM json_each(?1))",
        )?;
        let rows = stmt.query_map([json(clusters)?], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                Member {
                    id: r.get(1)?,
                    source_id: r.get(2)?,
                    at: from_secs(r.get(3)?),
                    original: r.get::<_, i64>(4)? != 0,
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stores the placements of new articles and, per cluster whose
    /// original changed, its new original (`(cluster, article)`), in one
    /// transaction.
    pub fn record_clusters(
        &self,
        placed: &[Placed],
        originals: &[(i64, i64)],
    ) -> Result<(), StoreError> {
        if placed.is_empty() && originals.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for p in placed {
            let blob: Vec<u8> = p.shingles.iter().flat_map(|s| s.to_le_bytes()).collect();
            tx.prepare_cached(
                "INSERT OR REPLACE INTO cluster_fingerprints
                    (article_id, at, source_original, shingles) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                p.article_id,
                secs(p.at),
                p.source_original as i64,
                blob
            ])?;
            let mut band = tx.prepare_cached(
                "INSERT OR IGNORE INTO cluster_bands (band_key, article_id) VALUES (?1, ?2)",
            )?;
            for key in &p.band_keys {
                band.execute(params![key, p.article_id])?;
            }
            tx.prepare_cached("UPDATE articles SET cluster_id = ?2 WHERE id = ?1")?
                .execute(params![p.article_id, p.cluster])?;
        }
        for (cluster, original) in originals {
            tx.prepare_cached(
                "UPDATE articles SET cluster_original = CASE WHEN id = ?2 THEN 1 ELSE 0 END
                 WHERE cluster_id = ?1",
            )?
            .execute(params![cluster, original])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The cluster of one article, if it was clustered.
    pub fn cluster_mark(&self, article_id: i64) -> Result<Option<ClusterMark>, StoreError> {
        let conn = self.reader()?;
        let mark = conn
            .prepare_cached(
                "SELECT cluster_id, cluster_original FROM articles
                 WHERE id = ?1 AND cluster_id IS NOT NULL",
            )?
            .query_row([article_id], |r| {
                Ok(ClusterMark {
                    cluster: r.get(0)?,
                    original: r.get::<_, i64>(1)? != 0,
                })
            })
            .optional()?;
        Ok(mark)
    }

    /// The members of `cluster` at their current revisions, original first.
    pub fn cluster_members(&self, cluster: i64) -> Result<Vec<ClusterMember>, StoreError> {
        let conn = self.reader()?;
        Ok(clusters_of(&conn, &[cluster], false)?
            .into_iter()
            .flatten()
            .collect())
    }

    /// The clusters of more than one member that the articles `ids`
    /// belong to, each with its members (see [`clusters_of`]).
    pub fn clusters_of_articles(&self, ids: &[i64]) -> Result<Vec<Vec<ClusterMember>>, StoreError> {
        let conn = self.reader()?;
        clusters_of(&conn, ids, true)
    }
}

/// The members of clusters at their current revisions, one list per
/// cluster, original first, then by id: the clusters `ids` name, or with
/// `of_articles` those the articles `ids` belong to, leaving out clusters
/// of one member.
pub(super) fn clusters_of(
    conn: &Connection,
    ids: &[i64],
    of_articles: bool,
) -> Result<Vec<Vec<ClusterMember>>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let clusters = if of_articles {
        "SELECT cluster_id FROM articles WHERE id IN (SELECT value FROM json_each(?1))"
    } else {
        "SELECT value FROM json_each(?1)"
    };
    let sql = format!(
        "SELECT {ARTICLE_COLUMNS}, a.cluster_id, a.cluster_original
         FROM articles a
         JOIN revisions r ON r.article_id = a.id AND r.revision = a.current_revision
         WHERE a.cluster_id IN ({clusters})
         ORDER BY a.cluster_id, a.cluster_original DESC, a.id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([json(ids)?])?;
    let mut out: Vec<Vec<ClusterMember>> = Vec::new();
    while let Some(r) = rows.next()? {
        let member = ClusterMember {
            article: rows::article(r)?,
            cluster: r.get(ARTICLE_COLUMN_COUNT)?,
            original: r.get::<_, i64>(ARTICLE_COLUMN_COUNT + 1)? != 0,
        };
        match out.last_mut() {
            Some(last) if last[0].cluster == member.cluster => last.push(member),
            _ => out.push(vec![member]),
        }
    }
    if of_articles {
        out.retain(|c| c.len() > 1);
    }
    Ok(out)
}
