//! Articles as listed and exported: the one query behind every `articles`
//! format (filter, order, limit), each article whole, with its history's
//! length and its topic matches.

use rusqlite::params;

use super::rows::{self, ARTICLE_COLUMNS, ARTICLE_COLUMN_COUNT};
use super::{from_secs, secs, Store, StoreError};
use crate::model::{ArticleFilter, ListedArticle, TopicMatch};

impl Store {
    /// The articles `filter` chooses, newest first (by published time,
    /// else first seen), at most `filter.limit`.
    pub fn listed_articles(
        &self,
        filter: &ArticleFilter,
    ) -> Result<Vec<ListedArticle>, StoreError> {
        let conn = self.conn();
        let sql = format!(
            "SELECT {ARTICLE_COLUMNS}, a.first_seen_at,
                    (SELECT count(*) FROM revisions c WHERE c.article_id = a.id),
                    a.cluster_id, a.cluster_original
             FROM articles a
             JOIN revisions r ON r.article_id = a.id AND r.revision = a.current_revision
             WHERE a.first_seen_at >= ?1
               AND (?2 IS NULL OR EXISTS (SELECT 1 FROM matches m
                                          WHERE m.article_id = a.id AND m.topic_id = ?2))
             ORDER BY COALESCE(a.published_at, a.first_seen_at) DESC, a.id DESC
             LIMIT ?3"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let since = filter.since.map(secs).unwrap_or(i64::MIN);
        let limit = i64::try_from(filter.limit).unwrap_or(i64::MAX);
        let mut rows = stmt.query(params![since, filter.topic, limit])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let article = rows::article(r)?;
            let id = article.id.unwrap_or_default();
            out.push(ListedArticle {
                first_seen_at: from_secs(r.get(ARTICLE_COLUMN_COUNT)?),
                revisions: r.get::<_, i64>(ARTICLE_COLUMN_COUNT + 1)?.max(1) as u32,
                matches: matches_of(&conn, id)?,
                cluster: r.get(ARTICLE_COLUMN_COUNT + 2)?,
                original: r
                    .get::<_, Option<i64>>(ARTICLE_COLUMN_COUNT + 2)?
                    .map(|_| r.get::<_, i64>(ARTICLE_COLUMN_COUNT + 3))
                    .transpose()?
                    .map(|o| o != 0),
                article,
            });
        }
        Ok(out)
    }
}

/// An article's topic matches, best first, each with its explanation.
pub(super) fn matches_of(
    conn: &rusqlite::Connection,
    article_id: i64,
) -> Result<Vec<TopicMatch>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT topic_id, score, explanation FROM matches WHERE article_id = ?1
         ORDER BY score DESC, topic_id",
    )?;
    let rows = stmt.query_map([article_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, f64>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    rows.map(|row| {
        let (topic_id, score, json) = row?;
        let hits = rows::from_json(&json, || format!("explanation of article {article_id}"))?;
        Ok(TopicMatch {
            topic_id,
            score,
            hits,
        })
    })
    .collect()
}
