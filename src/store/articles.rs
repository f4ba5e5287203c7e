//! Articles: what a poll reads before fetching pages (which of a
//! document's candidates are stored, and the source's usual body length
//! for the layout-drift test), and the writes of revision 1 of a new
//! article, of revision N+1 of a stored one, and of their topic matches.

use std::collections::{HashMap, HashSet};

use rusqlite::{params, OptionalExtension, Transaction};

use super::rechecks::{keep_page_validators, keep_raw_page};
use super::rows::json;
use super::{from_secs, Store, StoreError};
use crate::model::{Article, Candidate, NewArticle, NewRevision, TopicMatch};

/// A stored article as the revise step first needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownArticle {
    /// Its id.
    pub id: i64,
    /// The content hash of its current revision.
    pub content_hash: String,
}

/// Which of a document's candidates a source already has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownArticles {
    /// Stored articles by guid.
    pub by_guid: HashMap<String, KnownArticle>,
    /// Canonical URLs of stored articles (a feed item whose guid changed
    /// but whose link did not is not fetched again).
    pub canonical_urls: HashSet<String>,
}

impl KnownArticles {
    /// Whether a candidate is stored, by guid or canonical URL.
    pub fn contains(&self, c: &Candidate) -> bool {
        self.by_guid.contains_key(&c.guid)
            || c.canonical_url
                .as_ref()
                .is_some_and(|u| self.canonical_urls.contains(u))
    }

    /// The stored article with the candidate's guid.
    pub fn get(&self, guid: &str) -> Option<&KnownArticle> {
        self.by_guid.get(guid)
    }
}

/// A source's usual article body length.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BodyBaseline {
    /// Moving average of body lengths in characters; `None` before the
    /// first stored article.
    pub usual_chars: Option<f64>,
    /// How many articles the average has seen.
    pub samples: u32,
}

impl Store {
    /// Which of `candidates` `source_id` already has, by guid, and with
    /// `by_url` also by canonical URL (for sources that fetch pages: a
    /// page stored under another guid is not fetched again). Read on a
    /// pooled read-only connection, so a poll's source tasks never wait for
    /// the writer; one query per kind of key.
    pub fn known_articles(
        &self,
        source_id: &str,
        candidates: &[Candidate],
        by_url: bool,
    ) -> Result<KnownArticles, StoreError> {
        let mut known = KnownArticles::default();
        if candidates.is_empty() {
            return Ok(known);
        }
        let conn = self.reader()?;
        let guids: Vec<&str> = candidates.iter().map(|c| c.guid.as_str()).collect();
        let mut stmt = conn.prepare_cached(
            "SELECT a.guid, a.id, r.content_hash FROM articles a
             JOIN revisions r ON r.article_id = a.id AND r.revision = a.current_revision
             WHERE a.source_id = ?1 AND a.guid IN (SELECT value FROM json_each(?2))",
        )?;
        let rows = stmt.query_map(params![source_id, json(&guids)?], |r| {
            Ok((
                r.get::<_, String>(0)?,
                KnownArticle {
                    id: r.get(1)?,
                    content_hash: r.get(2)?,
                },
            ))
        })?;
        for row in rows {
            let (guid, article) = row?;
            known.by_guid.insert(guid, article);
        }
        if by_url {
            let urls: Vec<&str> = candidates
                .iter()
                .filter_map(|c| c.canonical_url.as_deref())
                .collect();
            let mut stmt = conn.prepare_cached(
                "SELECT DISTINCT canonical_url FROM articles
                 WHERE source_id = ?1 AND canonical_url IN (SELECT value FROM json_each(?2))",
            )?;
            let rows = stmt.query_map(params![source_id, json(&urls)?], |r| r.get(0))?;
            for url in rows {
                known.canonical_urls.insert(url?);
            }
        }
        Ok(known)
    }

    /// The usual body length of `source_id`'s articles.
    pub fn body_baseline(&self, source_id: &str) -> Result<BodyBaseline, StoreError> {
        let conn = self.reader()?;
        let row = conn
            .prepare_cached("SELECT usual_body_chars, body_samples FROM sources WHERE id = ?1")?
            .query_row([source_id], |r| {
                Ok(BodyBaseline {
                    usual_chars: r.get(0)?,
                    samples: r.get::<_, i64>(1)?.clamp(0, i64::from(u32::MAX)) as u32,
                })
            })
            .optional()?;
        Ok(row.unwrap_or_default())
    }
}

/// Stores a new article as revision 1 with its matches, its page's
/// evidence and validators, and its first re-check. `None` when the source
/// already has its guid (nothing written). The caller folds the body
/// lengths of what was stored into the source's baseline
/// ([`record_body_lengths`]).
pub(super) fn insert_new_article(
    tx: &Transaction<'_>,
    new: &NewArticle,
    now_s: i64,
) -> Result<Option<i64>, StoreError> {
    let a = &new.article;
    // Not `RETURNING id`: SQLite buffers RETURNING rows in a temporary
    // b-tree per statement, which cost more than the insert itself here.
    let inserted = tx
        .prepare_cached(
            "INSERT INTO articles (source_id, guid, url, canonical_url, first_seen_at,
                last_seen_at, published_at, mailable, next_recheck_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8)
             ON CONFLICT (source_id, guid) DO NOTHING",
        )?
        .execute(params![
            a.source_id,
            a.guid,
            a.url,
            a.canonical_url,
            now_s,
            a.published_at.map(super::secs),
            new.mailable as i64,
            new.next_recheck_at.map(super::secs),
        ])?;
    if inserted == 0 {
        return Ok(None);
    }
    let article_id = tx.last_insert_rowid();
    let evidence = match &new.page {
        Some(page) => {
            keep_page_validators(tx, article_id, &page.validators, now_s)?;
            Some(keep_raw_page(tx, &page.raw, from_secs(now_s))?)
        }
        None => None,
    };
    let first = RevisionRow {
        number: 1,
        class: None,
        base: None,
        revision_hash: &new.revision_hash,
        raw_hash: evidence.as_deref(),
    };
    insert_revision(tx, article_id, a, &first, now_s)?;
    insert_matches(tx, article_id, 1, &new.matches, now_s)?;
    Ok(Some(article_id))
}

/// Stores revision N+1 of a stored article (read from the raw page
/// `raw_hash`, if kept), makes it current and re-scores its matches.
pub(super) fn record_revision(
    tx: &Transaction<'_>,
    article_id: i64,
    revision: &NewRevision,
    raw_hash: Option<&str>,
    now_s: i64,
) -> Result<(), StoreError> {
    let row = RevisionRow {
        number: revision.number,
        class: Some(revision.class.as_str()),
        base: Some(revision.base),
        revision_hash: &revision.revision_hash,
        raw_hash,
    };
    insert_revision(tx, article_id, &revision.article, &row, now_s)?;
    tx.prepare_cached(
        "UPDATE articles SET current_revision = ?2, published_at = ?3, last_seen_at = ?4
         WHERE id = ?1",
    )?
    .execute(params![
        article_id,
        revision.number,
        revision.article.published_at.map(super::secs),
        now_s
    ])?;
    tx.prepare_cached("DELETE FROM matches WHERE article_id = ?1")?
        .execute([article_id])?;
    insert_matches(tx, article_id, revision.number, &revision.matches, now_s)
}

/// The bookkeeping columns of one revision row.
struct RevisionRow<'a> {
    number: u32,
    class: Option<&'static str>,
    base: Option<u32>,
    revision_hash: &'a str,
    raw_hash: Option<&'a str>,
}

/// Writes `a` as a revision of the article: the one INSERT both a new
/// article and an edit use.
fn insert_revision(
    tx: &Transaction<'_>,
    article_id: i64,
    a: &Article,
    row: &RevisionRow<'_>,
    now_s: i64,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO revisions (article_id, revision, seen_at, content_hash, kicker, title,
            subtitle, byline, outlet, published_at, updated_at, language, lead,
            sections_json, quotes_json, change_class, base_revision, normalized_hash, raw_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19)",
    )?
    .execute(params![
        article_id,
        row.number,
        now_s,
        a.content_hash,
        a.kicker,
        a.title,
        a.subtitle,
        a.byline,
        a.outlet,
        a.published_at.map(super::secs),
        a.updated_at.map(super::secs),
        a.language,
        a.lead,
        json(&a.sections)?,
        json(&a.quotes)?,
        row.class,
        row.base,
        row.revision_hash,
        row.raw_hash,
    ])?;
    Ok(())
}

/// Writes the article's topic matches for `revision`.
fn insert_matches(
    tx: &Transaction<'_>,
    article_id: i64,
    revision: u32,
    matches: &[TopicMatch],
    now_s: i64,
) -> Result<(), StoreError> {
    for m in matches {
        tx.prepare_cached(
            "INSERT OR REPLACE INTO matches (article_id, topic_id, revision, score,
                explanation, matched_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            article_id,
            m.topic_id,
            revision,
            m.score,
            json(&m.hits)?,
            now_s
        ])?;
    }
    Ok(())
}

/// Folds the body lengths of newly stored articles (`(source, chars)` in
/// the order they were stored) into each source's moving average (weight
/// 0.1 for each new article). Every source kind keeps one, so the baseline
/// is ready when a feed turns on `full_text`. One read and one write per
/// source rather than an UPDATE per article; the arithmetic is the same
/// IEEE double steps the per-article `usual * 0.9 + chars * 0.1` took.
pub(super) fn record_body_lengths(
    tx: &Transaction<'_>,
    lengths: &[(&str, usize)],
) -> Result<(), StoreError> {
    for run in lengths.chunk_by(|a, b| a.0 == b.0) {
        let source_id = run[0].0;
        let usual: Option<Option<f64>> = tx
            .prepare_cached("SELECT usual_body_chars FROM sources WHERE id = ?1")?
            .query_row([source_id], |r| r.get(0))
            .optional()?;
        // No such source: the per-article UPDATE changed nothing either.
        let Some(mut usual) = usual else {
            continue;
        };
        for &(_, chars) in run {
            let chars = chars as f64;
            usual = Some(usual.map_or(chars, |u| u * 0.9 + chars * 0.1));
        }
        tx.prepare_cached(
            "UPDATE sources SET usual_body_chars = ?2, body_samples = body_samples + ?3
             WHERE id = ?1",
        )?
        .execute(params![source_id, usual, run.len() as i64])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::model::Section;
    use crate::store::test_records::{fetched, new_article};
    use crate::store::Access;

    fn article(n: usize, body: &str) -> NewArticle {
        let url = format!("http://news.example/art_{n}.html");
        new_article(Article {
            source_id: "jx".into(),
            guid: format!("gen:{url}"),
            canonical_url: Some(url.clone()),
            url: Some(url),
            title: format!("第{n}篇"),
            sections: vec![Section {
                heading: None,
                paragraphs: vec![body.to_owned()],
            }],
            content_hash: format!("h{n}"),
            ..Article::default()
        })
    }

    /// A candidate keyed by `guid` and, if given, canonical URL `url`.
    fn key(guid: &str, url: Option<&str>) -> Candidate {
        Candidate {
            guid: guid.to_owned(),
            canonical_url: url.map(str::to_owned),
            url: None,
            title: None,
            published_at: None,
            item: None,
        }
    }

    #[test]
    fn known_articles_and_body_baseline_follow_what_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), Access::Writer).unwrap();
        let url = |n: usize| format!("http://news.example/art_{n}.html");
        let gen = |n: usize| format!("gen:{}", url(n));
        let (g1, u1) = (gen(1), url(1));
        assert_eq!(
            store
                .known_articles("jx", &[key(&g1, Some(&u1))], true)
                .unwrap(),
            KnownArticles::default()
        );
        assert_eq!(store.body_baseline("jx").unwrap(), BodyBaseline::default());
        let now = Utc.with_ymd_and_hms(2024, 9, 2, 0, 0, 0).unwrap();
        let new = vec![article(1, &"改".repeat(100)), article(2, &"革".repeat(200))];
        let record = fetched("jx", "http://news.example/", now, new);
        store.apply_poll(&[record], now).unwrap();
        // The pooled readers see what the writer committed.
        let (g3, u2) = (gen(3), url(2));
        let keys = [
            key(&g1, None),
            key("feed-guid-2", Some(&u2)),
            key(&g3, None),
        ];
        let known = store.known_articles("jx", &keys, true).unwrap();
        assert!(known.contains(&keys[0]));
        assert!(known.contains(&keys[1]), "found by canonical URL");
        assert!(!known.contains(&keys[2]));
        assert_eq!(
            store.known_articles("other", &keys, true).unwrap(),
            KnownArticles::default()
        );
        let b = store.body_baseline("jx").unwrap();
        assert_eq!(b.samples, 2);
        assert!((b.usual_chars.unwrap() - 110.0).abs() < 1e-9, "{b:?}");
    }
}
