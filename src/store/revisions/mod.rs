//! Silent edits in the store: revisions 2, 3, … of stored articles, the
//! raw pages kept as evidence, and the re-check schedule of articles.
//!
//! A poll (feed items that reappear) and a re-check (an article page
//! fetched again) both end in [`revise`]: when the fetched version's content
//! hash differs from the current revision's, the newest
//! [`COMPARED_REVISIONS`] revisions are loaded and [`revise::decide`] says
//! what it is. Only a [`RevisionDecision::Changed`] stores a revision (with
//! its class, its diff base and its revision hash) and re-scores the
//! article's topic matches; a page flipping between two versions (A/B/A)
//! stores nothing. The decision itself is pure; this file only reads and
//! writes rows, inside the caller's transaction.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use regex::Regex;
use rusqlite::{params, OptionalExtension, Transaction};
use xxhash_rust::xxh3::xxh3_128;

use super::{from_secs, secs, Store, StoreError};
use crate::analysis::diff::ArticleDiff;
use crate::analysis::revise::{self, RevisionDecision, COMPARED_REVISIONS};
use crate::config::{Source, SourceKind};
use crate::model::ChangeClass;
use crate::model::StoredRevision;
use crate::model::Validators;
use crate::model::{Article, TopicMatch};
use crate::model::{PageEvidence, PendingRevision};
use crate::pipeline::schedule;

/// What the store needs to know about a source to handle revisions.
#[derive(Debug, Clone, Default)]
pub struct RevisePolicy {
    /// The source's `ignore` patterns.
    pub ignore: Vec<Regex>,
    /// Re-check delays after an article is first stored; empty for sources
    /// whose articles are not re-fetched (plain feeds).
    pub recheck: Vec<Duration>,
    /// Whether an already stored item that a poll meets again is compared
    /// with its revisions. False for `full_text` feeds, whose polls carry
    /// stored items without their page (their re-checks compare them).
    pub compare_items: bool,
}

impl RevisePolicy {
    /// The policy of a configured source.
    pub fn of(source: &Source) -> RevisePolicy {
        let fetches_pages = source.kind == SourceKind::Html || source.full_text;
        RevisePolicy {
            ignore: source.ignore.clone(),
            recheck: if fetches_pages {
                source.recheck.clone()
            } else {
                Vec::new()
            },
            compare_items: !(source.kind == SourceKind::Feed && source.full_text),
        }
    }

    /// The policy of a source missing from `policies`: compare items, no
    /// patterns, no re-checks.
    fn fallback() -> &'static RevisePolicy {
        static FALLBACK: std::sync::OnceLock<RevisePolicy> = std::sync::OnceLock::new();
        FALLBACK.get_or_init(|| RevisePolicy {
            compare_items: true,
            ..RevisePolicy::default()
        })
    }
}

/// Policies keyed by source id.
#[derive(Debug, Clone, Default)]
pub struct RevisePolicies(HashMap<String, RevisePolicy>);

impl RevisePolicies {
    /// The policies of every configured source.
    pub fn of(sources: &[Source]) -> RevisePolicies {
        RevisePolicies(
            sources
                .iter()
                .map(|s| (s.id.clone(), RevisePolicy::of(s)))
                .collect(),
        )
    }

    /// The policy of `source_id` (a default one for unknown ids).
    pub fn get(&self, source_id: &str) -> &RevisePolicy {
        self.0
            .get(source_id)
            .unwrap_or_else(|| RevisePolicy::fallback())
    }
}

/// What [`revise`] did with a fetched version of a stored article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revised {
    /// The same content as the current revision (or the item is not compared).
    Unchanged,
    /// The same as an earlier revision (A/B/A): nothing stored.
    SameAsEarlier,
    /// A new revision was stored.
    Stored {
        /// Its number.
        revision: u32,
        /// Its class.
        class: ChangeClass,
    },
}

/// An article whose page is due to be fetched again.
#[derive(Debug, Clone, PartialEq)]
pub struct DueRecheck {
    /// Article id.
    pub article_id: i64,
    /// The page to fetch.
    pub url: String,
    /// Validators the page gave last time, for a conditional GET.
    pub validators: Validators,
}

/// The outcome of re-fetching one article's page.
#[derive(Debug, Clone)]
pub enum RecheckOutcome {
    /// The server said 304: unchanged.
    NotModified,
    /// The page was fetched and extracted.
    Fetched {
        /// The article as the page shows it now (the stored guid kept).
        article: Box<Article>,
        /// Its topic matches.
        matches: Vec<TopicMatch>,
        /// The raw bytes of the (first) page, kept as evidence.
        raw: Vec<u8>,
        /// Validators for the next conditional GET.
        validators: Validators,
    },
    /// The page could not be fetched or gave no article (logged; the
    /// schedule moves on, so a deleted page is not hammered).
    Failed {
        /// The error, naming the URL.
        error: String,
    },
}

/// One re-checked article, as the store records it.
#[derive(Debug, Clone)]
pub struct RecheckRecord {
    /// Article id.
    pub article_id: i64,
    /// Its source id (for the policy).
    pub source_id: String,
    /// What the fetch gave.
    pub outcome: RecheckOutcome,
}

/// What [`Store::apply_rechecks`] changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RecheckReport {
    /// Articles re-checked.
    pub checked: usize,
    /// Revisions stored, as (article id, revision, class).
    pub revised: Vec<(i64, u32, ChangeClass)>,
}

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
            "SELECT id, COALESCE(url, canonical_url), page_etag, page_last_modified
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
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Writes the outcomes of re-checks in one transaction: each article's
    /// schedule moves on, its page validators and raw page are kept, and a
    /// changed page goes through [`revise`].
    pub fn apply_rechecks(
        &self,
        records: &[RecheckRecord],
        policies: &RevisePolicies,
        now: DateTime<Utc>,
    ) -> Result<RecheckReport, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut report = RecheckReport::default();
        for record in records {
            let policy = policies.get(&record.source_id);
            let first_seen: Option<i64> = tx
                .prepare_cached("SELECT first_seen_at FROM articles WHERE id = ?1")?
                .query_row([record.article_id], |r| r.get(0))
                .optional()?;
            let Some(first_seen) = first_seen else {
                continue;
            };
            let next = schedule::next_recheck(from_secs(first_seen), &policy.recheck, now);
            tx.prepare_cached(
                "UPDATE articles SET rechecks = rechecks + 1, next_recheck_at = ?2 WHERE id = ?1",
            )?
            .execute(params![record.article_id, next.map(secs)])?;
            report.checked += 1;
            let RecheckOutcome::Fetched {
                article,
                matches,
                raw,
                validators,
            } = &record.outcome
            else {
                continue;
            };
            keep_page_validators(&tx, record.article_id, validators, secs(now))?;
            let raw_hash = keep_raw_page(&tx, raw, now)?;
            if let Revised::Stored { revision, class } = revise(
                &tx,
                record.article_id,
                article,
                matches,
                &policy.ignore,
                Some(&raw_hash),
                secs(now),
            )? {
                report.revised.push((record.article_id, revision, class));
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
                    StoreError::Corrupt(format!("revision {revision} of article {article_id}: {e}"))
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

    /// What changed from revision `from` to revision `to` of an article, as
    /// subscribers see it ([`revise::diff_revisions`] with the source's
    /// `ignore` patterns): the one diff `reformwatch diff` prints and the
    /// digest shows. `None` when either revision is missing.
    pub fn revision_diff(
        &self,
        article_id: i64,
        from: u32,
        to: u32,
        ignore: &[Regex],
    ) -> Result<Option<ArticleDiff>, StoreError> {
        let conn = self.conn();
        let old = load_revisions(&conn, article_id, Some(from), 1)?.pop();
        let new = load_revisions(&conn, article_id, Some(to), 1)?.pop();
        Ok(match (old, new) {
            (Some(old), Some(new)) => {
                Some(revise::diff_revisions(&old.article, &new.article, ignore))
            }
            _ => None,
        })
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
    /// [`pending_revisions`]), on a connection of the store's own.
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
    let json =
        |v: Vec<&str>| serde_json::to_string(&v).map_err(|e| StoreError::Corrupt(e.to_string()));
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

/// After revision 1 of a new article was inserted: its revision hash, and
/// its first re-check when its source re-checks and it may be mailed.
pub(super) fn after_first_revision(
    tx: &Transaction<'_>,
    article_id: i64,
    article: &Article,
    policy: &RevisePolicy,
    mailable: bool,
    now_s: i64,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "UPDATE revisions SET normalized_hash = ?2 WHERE article_id = ?1 AND revision = 1",
    )?
    .execute(params![
        article_id,
        revise::revision_hash(article, &policy.ignore)
    ])?;
    // Backfilled articles (stored silently) are not worth re-fetching.
    let next = mailable
        .then(|| schedule::next_recheck(from_secs(now_s), &policy.recheck, from_secs(now_s)))
        .flatten();
    if let Some(next) = next {
        tx.prepare_cached("UPDATE articles SET next_recheck_at = ?2 WHERE id = ?1")?
            .execute(params![article_id, secs(next)])?;
    }
    Ok(())
}

/// After revision 1 of a new article read from its page was inserted: the
/// page's validators (so its first re-check is a conditional GET) and its
/// raw bytes, kept as revision 1's evidence.
pub(super) fn first_page_evidence(
    tx: &Transaction<'_>,
    article_id: i64,
    page: &PageEvidence,
    now_s: i64,
) -> Result<(), StoreError> {
    keep_page_validators(tx, article_id, &page.validators, now_s)?;
    let raw_hash = keep_raw_page(tx, &page.raw, from_secs(now_s))?;
    attach_evidence(tx, article_id, 1, Some(&raw_hash))
}

/// Remembers the validators an article's page was served with, for its
/// next re-check.
fn keep_page_validators(
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

/// A poll met an item already stored: compare it when its source says so.
pub(super) fn revise_item(
    tx: &Transaction<'_>,
    article: &Article,
    matches: &[TopicMatch],
    policy: &RevisePolicy,
    now_s: i64,
) -> Result<Revised, StoreError> {
    if !policy.compare_items {
        return Ok(Revised::Unchanged);
    }
    let id: Option<i64> = tx
        .prepare_cached("SELECT id FROM articles WHERE source_id = ?1 AND guid = ?2")?
        .query_row(params![article.source_id, article.guid], |r| r.get(0))
        .optional()?;
    match id {
        Some(id) => revise(tx, id, article, matches, &policy.ignore, None, now_s),
        None => Ok(Revised::Unchanged),
    }
}

/// Compares a fetched version of stored article `article_id` with its
/// newest revisions and stores revision N+1 when it is an edit (see the
/// module doc). `raw_hash` names the raw page it was read from, if kept.
pub(super) fn revise(
    tx: &Transaction<'_>,
    article_id: i64,
    article: &Article,
    matches: &[TopicMatch],
    ignore: &[Regex],
    raw_hash: Option<&str>,
    now_s: i64,
) -> Result<Revised, StoreError> {
    let current: Option<(i64, String)> = tx
        .prepare_cached(
            "SELECT a.current_revision, r.content_hash FROM articles a
             JOIN revisions r ON r.article_id = a.id AND r.revision = a.current_revision
             WHERE a.id = ?1",
        )?
        .query_row([article_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((current, current_hash)) = current else {
        return Ok(Revised::Unchanged);
    };
    if current_hash == article.content_hash {
        attach_evidence(tx, article_id, current, raw_hash)?;
        return Ok(Revised::Unchanged);
    }
    let previous = load_revisions(tx, article_id, None, COMPARED_REVISIONS)?;
    match revise::decide(&previous, article, ignore) {
        RevisionDecision::Changed { base, class, .. } => {
            let revision = previous.first().map_or(1, |r| r.revision) + 1;
            insert_revision(tx, article_id, revision, article, now_s)?;
            tx.prepare_cached(
                "UPDATE revisions SET change_class = ?3, base_revision = ?4,
                    normalized_hash = ?5, raw_hash = ?6
                 WHERE article_id = ?1 AND revision = ?2",
            )?
            .execute(params![
                article_id,
                revision,
                class.as_str(),
                base,
                revise::revision_hash(article, ignore),
                raw_hash,
            ])?;
            tx.prepare_cached(
                "UPDATE articles SET current_revision = ?2, published_at = ?3,
                    last_seen_at = ?4 WHERE id = ?1",
            )?
            .execute(params![
                article_id,
                revision,
                article.published_at.map(secs),
                now_s
            ])?;
            replace_matches(tx, article_id, revision, matches, now_s)?;
            Ok(Revised::Stored { revision, class })
        }
        RevisionDecision::Unchanged => {
            attach_evidence(tx, article_id, current, raw_hash)?;
            Ok(Revised::Unchanged)
        }
        RevisionDecision::SameAsEarlier { .. } => Ok(Revised::SameAsEarlier),
        RevisionDecision::New => Ok(Revised::Unchanged),
    }
}

/// Keeps `raw` in `raw_pages` under its hash (refreshing the time of a
/// page kept before); returns the hash.
fn keep_raw_page(
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
fn attach_evidence(
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

/// The article's topic matches, replaced by those of `revision`.
fn replace_matches(
    tx: &Transaction<'_>,
    article_id: i64,
    revision: u32,
    matches: &[TopicMatch],
    now_s: i64,
) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM matches WHERE article_id = ?1")?
        .execute([article_id])?;
    for m in matches {
        let explanation =
            serde_json::to_string(&m.hits).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        tx.prepare_cached(
            "INSERT INTO matches (article_id, topic_id, revision, score, explanation, matched_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            article_id,
            m.topic_id,
            revision,
            m.score,
            explanation,
            now_s
        ])?;
    }
    Ok(())
}

/// Writes `a` as revision `revision` of the article; the one INSERT both a
/// new article and a re-check use.
pub(super) fn insert_revision(
    tx: &Transaction<'_>,
    article_id: i64,
    revision: u32,
    a: &Article,
    now_s: i64,
) -> Result<(), StoreError> {
    let sections =
        serde_json::to_string(&a.sections).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let quotes =
        serde_json::to_string(&a.quotes).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO revisions (article_id, revision, seen_at, content_hash, kicker, title,
            subtitle, byline, outlet, published_at, updated_at, language, lead,
            sections_json, quotes_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        article_id,
        revision,
        now_s,
        a.content_hash,
        a.kicker,
        a.title,
        a.subtitle,
        a.byline,
        a.outlet,
        a.published_at.map(secs),
        a.updated_at.map(secs),
        a.language,
        a.lead,
        sections,
        quotes,
    ])?;
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
    let mut stmt = conn.prepare_cached(
        "SELECT r.revision, r.seen_at, r.content_hash, r.normalized_hash, r.kicker, r.title,
                r.subtitle, r.byline, r.outlet, r.published_at, r.updated_at, r.language,
                r.lead, r.sections_json, r.quotes_json,
                a.source_id, a.url, a.canonical_url, a.guid
         FROM revisions r JOIN articles a ON a.id = r.article_id
         WHERE r.article_id = ?1 AND (?2 IS NULL OR r.revision = ?2)
         ORDER BY r.revision DESC LIMIT ?3",
    )?;
    let mut rows = stmt.query(params![article_id, only, limit as i64])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let revision = r.get::<_, i64>(0)?.max(1) as u32;
        let corrupt = |what: &str, e: serde_json::Error| {
            StoreError::Corrupt(format!(
                "{what} of article {article_id} revision {revision}: {e}"
            ))
        };
        let sections: String = r.get(13)?;
        let quotes: String = r.get(14)?;
        let article = Article {
            id: Some(article_id),
            source_id: r.get(15)?,
            url: r.get(16)?,
            canonical_url: r.get(17)?,
            guid: r.get(18)?,
            revision,
            fetched_at: from_secs(r.get(1)?),
            content_hash: r.get(2)?,
            kicker: r.get(4)?,
            title: r.get(5)?,
            subtitle: r.get(6)?,
            byline: r.get(7)?,
            outlet: r.get(8)?,
            published_at: r.get::<_, Option<i64>>(9)?.map(from_secs),
            updated_at: r.get::<_, Option<i64>>(10)?.map(from_secs),
            language: r.get(11)?,
            lead: r.get(12)?,
            sections: serde_json::from_str(&sections).map_err(|e| corrupt("sections", e))?,
            quotes: serde_json::from_str(&quotes).map_err(|e| corrupt("quotes", e))?,
        };
        let hash = r.get::<_, Option<String>>(3)?.unwrap_or_default();
        out.push(StoredRevision {
            revision,
            hash,
            article,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
