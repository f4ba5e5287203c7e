//! What a poll of a page-fetching source (`kind = "html"`, or a feed with
//! `full_text = true`) reads before fetching article pages: which of the
//! listed links the source already has, so only new pages are fetched, and
//! the usual length of its article bodies, so a page that suddenly extracts
//! far shorter is caught as layout drift. Plus the write that keeps that
//! usual length up to date.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

#[cfg(doc)]
use super::Store;
use super::StoreError;

/// The articles a source already has, by guid and by canonical URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownArticles {
    /// Stored guids (`gen:` + canonical URL for scraped pages).
    pub guids: HashSet<String>,
    /// Stored canonical URLs.
    pub canonical_urls: HashSet<String>,
}

impl KnownArticles {
    /// Whether an article with this guid or canonical URL is stored.
    pub fn contains(&self, guid: &str, canonical_url: Option<&str>) -> bool {
        self.guids.contains(guid) || canonical_url.is_some_and(|u| self.canonical_urls.contains(u))
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

/// A read-only view of the stored articles, on a connection of its own, for
/// a poll task: the pass's writer keeps the store's main connection, and a
/// task only asks about the links it is about to fetch, so nothing is held
/// in memory per source between polls.
pub struct KnownReader {
    conn: Connection,
}

impl KnownReader {
    /// Opens the database file `db` (created and migrated by [`Store::open`])
    /// read-only.
    pub fn open(db: &Path) -> Result<KnownReader, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(db, flags)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        Ok(KnownReader { conn })
    }

    /// Which of `keys` (guid, canonical URL) `source_id` already has.
    pub fn known_among<'k>(
        &self,
        source_id: &str,
        keys: impl IntoIterator<Item = (&'k str, Option<&'k str>)>,
    ) -> Result<KnownArticles, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT guid, canonical_url FROM articles
             WHERE source_id = ?1 AND (guid = ?2 OR canonical_url = ?3) LIMIT 1",
        )?;
        let mut known = KnownArticles::default();
        for (guid, canonical) in keys {
            let hit: Option<(String, Option<String>)> = stmt
                .query_row(params![source_id, guid, canonical], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            if hit.is_some() {
                known.guids.insert(guid.to_owned());
                if let Some(c) = canonical {
                    known.canonical_urls.insert(c.to_owned());
                }
            }
        }
        Ok(known)
    }

    /// The usual body length of `source_id`'s articles.
    pub fn body_baseline(&self, source_id: &str) -> Result<BodyBaseline, StoreError> {
        let row = self
            .conn
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

/// Folds the body length of a newly stored article into its source's moving
/// average (weight 0.1 for the new article). Called inside the poll's
/// transaction, for every source kind, so the baseline is ready when a feed
/// turns on `full_text`.
pub(super) fn record_body_length(
    tx: &rusqlite::Transaction<'_>,
    source_id: &str,
    chars: usize,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "UPDATE sources SET
            usual_body_chars = CASE WHEN usual_body_chars IS NULL THEN ?2
                               ELSE usual_body_chars * 0.9 + ?2 * 0.1 END,
            body_samples = body_samples + 1
         WHERE id = ?1",
    )?
    .execute(params![source_id, chars as f64])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::model::Validators;
    use crate::model::{Article, Section};
    use crate::store::poll::{PollRecord, ScoredArticle};
    use crate::store::{Access, Store};

    fn article(n: usize, body: &str) -> ScoredArticle {
        let url = format!("http://news.example/art_{n}.html");
        ScoredArticle {
            article: Article {
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
                revision: 1,
                ..Article::default()
            },
            matches: Vec::new(),
            mailable: true,
            page: None,
        }
    }

    #[test]
    fn known_articles_and_body_baseline_follow_what_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), Access::Writer).unwrap();
        let reader = KnownReader::open(store.path()).unwrap();
        let url = |n: usize| format!("http://news.example/art_{n}.html");
        let gen = |n: usize| format!("gen:{}", url(n));
        let (g1, u1) = (gen(1), url(1));
        assert_eq!(
            reader
                .known_among("jx", [(g1.as_str(), Some(u1.as_str()))])
                .unwrap(),
            KnownArticles::default()
        );
        assert_eq!(reader.body_baseline("jx").unwrap(), BodyBaseline::default());
        let now = Utc.with_ymd_and_hms(2024, 9, 2, 0, 0, 0).unwrap();
        let record = PollRecord::Fetched {
            source_id: "jx".into(),
            url: "http://news.example/".into(),
            validators: Validators::default(),
            encoding: "UTF-8".into(),
            items: vec![article(1, &"改".repeat(100)), article(2, &"革".repeat(200))],
            extract_errors: Vec::new(),
            next_poll_at: now,
        };
        store.apply_poll(&[record], now).unwrap();
        // The reader sees what the writer committed.
        let (g3, u2) = (gen(3), url(2));
        let keys = [
            (g1.as_str(), None),
            ("feed-guid-2", Some(u2.as_str())),
            (g3.as_str(), None),
        ];
        let known = reader.known_among("jx", keys).unwrap();
        assert!(known.contains(&g1, None));
        assert!(
            known.contains("feed-guid-2", None),
            "found by canonical URL"
        );
        assert!(!known.contains(&g3, None));
        assert!(reader.known_among("other", keys).unwrap().guids.is_empty());
        let b = reader.body_baseline("jx").unwrap();
        assert_eq!(b.samples, 2);
        assert!((b.usual_chars.unwrap() - 110.0).abs() < 1e-9, "{b:?}");
    }
}
