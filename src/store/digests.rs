//! The transactional outbox: subscribers, composed digests and their items.
//! Composing is one `BEGIN IMMEDIATE` transaction (digest row + item rows),
//! so a crash leaves either a whole pending digest or nothing; the items
//! count as delivered only when the relay marks the digest `sent`, and only
//! the items the composed message says it carries ([`Carried`]) get a row:
//! a pending article the message does not hold stays pending.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::revisions::{pending_revisions, record_mailed_revisions};
use super::{from_secs, secs, Store, StoreError};
use crate::model::ChangeClass;
use crate::model::PendingRevision;
use crate::model::{Carried, ClusterMember, DigestItem};
use crate::model::{TermHit, TopicMatch};

/// What the store remembers about a subscriber.
#[derive(Debug, Clone, PartialEq)]
pub struct SubscriberState {
    /// When the subscriber first appeared in the config.
    pub registered_at: DateTime<Utc>,
    /// The schedule slot last handled.
    pub last_slot_at: Option<DateTime<Utc>>,
}

/// A composed message, ready to insert.
#[derive(Debug, Clone)]
pub struct NewDigest {
    /// The fixed `Message-ID`.
    pub message_id: String,
    /// Envelope sender.
    pub envelope_from: String,
    /// Envelope recipients.
    pub recipients: Vec<String>,
    /// Decoded subject, for listings.
    pub subject: String,
    /// The full RFC 5322 message, attachments included.
    pub message: Vec<u8>,
    /// Articles in it.
    pub item_count: usize,
}

/// A digest waiting in the outbox.
#[derive(Debug, Clone)]
pub struct OutboxEntry {
    /// Digest id.
    pub id: i64,
    /// Subscriber id.
    pub subscriber_id: String,
    /// The fixed `Message-ID`.
    pub message_id: String,
    /// Envelope sender.
    pub envelope_from: String,
    /// Envelope recipients.
    pub recipients: Vec<String>,
    /// The exact bytes to send (identical on every attempt).
    pub message: Vec<u8>,
    /// Attempts made so far.
    pub attempts: u32,
    /// When it was composed.
    pub created_at: DateTime<Utc>,
    /// Subject, for logs.
    pub subject: String,
    /// Current state.
    pub state: String,
    /// Last delivery error.
    pub last_error: Option<String>,
    /// When the next attempt is due.
    pub next_attempt_at: DateTime<Utc>,
}

/// What [`Store::compose_digest`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComposeOutcome {
    /// A digest was written to the outbox.
    Composed {
        /// Its id.
        digest_id: i64,
        /// Articles in it.
        items: usize,
    },
    /// Nothing was pending; no mail.
    Empty,
    /// This period was composed before (a restart); nothing written.
    AlreadyComposed,
}

/// What [`Store::requeue_digest`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requeue {
    /// The digest is pending again, due now.
    Requeued {
        /// Its subscriber.
        subscriber: String,
        /// The state it had (`pending`, `failed` or `expired`).
        was: String,
    },
    /// It was sent; requeueing would mail it twice.
    AlreadySent,
    /// No digest has this id.
    NotFound,
}

impl Store {
    /// Registers subscribers not yet known, with their initial slot, and
    /// returns every subscriber's state keyed by id.
    pub fn sync_subscriber(
        &self,
        id: &str,
        email: &str,
        now: DateTime<Utc>,
        initial_slot: DateTime<Utc>,
    ) -> Result<SubscriberState, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO subscribers (id, email, registered_at, last_slot_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET email = excluded.email",
            params![id, email, secs(now), secs(initial_slot)],
        )?;
        let state = tx.query_row(
            "SELECT registered_at, last_slot_at FROM subscribers WHERE id = ?1",
            [id],
            subscriber_state_row,
        )?;
        tx.commit()?;
        Ok(state)
    }

    /// The stored state of one subscriber, if registered.
    pub fn subscriber_state(&self, id: &str) -> Result<Option<SubscriberState>, StoreError> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT registered_at, last_slot_at FROM subscribers WHERE id = ?1",
                [id],
                subscriber_state_row,
            )
            .optional()?)
    }

    /// Matching articles not yet in any digest for `subscriber_id`, first
    /// seen at or after `since`, newest first. With `collapse`, copies of a
    /// story the subscriber was mailed are left out.
    pub fn pending_items(
        &self,
        subscriber_id: &str,
        topics: &[String],
        since: Option<DateTime<Utc>>,
        collapse: bool,
    ) -> Result<Vec<DigestItem>, StoreError> {
        let conn = self.conn();
        pending_items(&conn, subscriber_id, topics, since, collapse)
    }

    /// Composes one digest in one transaction: reads the pending items and
    /// the revised articles of class `revisions` or weightier (none when
    /// `None`), lets `render` turn them into a message and say which of
    /// them it carries, and writes the digest and an item row for each
    /// carried one (each revised article at the revision reported); the
    /// others stay pending. Also records `slot` as handled. With nothing
    /// pending, writes only the slot and returns [`ComposeOutcome::Empty`].
    ///
    /// With `collapse` (`clusters = "collapse"`), copies of a story already
    /// mailed to the subscriber are not pending, and `render` also gets the
    /// story clusters of the pending articles, to fold their copies into
    /// one entry; the copies it folds count as carried with that entry, so
    /// they get item rows too and are never mailed later as new.
    #[allow(clippy::too_many_arguments)]
    pub fn compose_digest<F>(
        &self,
        subscriber_id: &str,
        topics: &[String],
        revisions: Option<ChangeClass>,
        collapse: bool,
        since: Option<DateTime<Utc>>,
        period_key: &str,
        slot: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        render: F,
    ) -> Result<ComposeOutcome, StoreError>
    where
        F: FnOnce(
            &[DigestItem],
            &[PendingRevision],
            &[Vec<ClusterMember>],
        )
            -> Result<(NewDigest, Carried), Box<dyn std::error::Error + Send + Sync>>,
    {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let exists: Option<i64> = tx
            .query_row(
                "SELECT id FROM digests WHERE subscriber_id = ?1 AND period_key = ?2",
                params![subscriber_id, period_key],
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_some() {
            return Ok(ComposeOutcome::AlreadyComposed);
        }
        if let Some(slot) = slot {
            tx.execute(
                "UPDATE subscribers SET last_slot_at = ?2 WHERE id = ?1",
                params![subscriber_id, secs(slot)],
            )?;
        }
        let items = pending_items(&tx, subscriber_id, topics, since, collapse)?;
        let revised = pending_revisions(&tx, subscriber_id, topics, revisions)?;
        if items.is_empty() && revised.is_empty() {
            tx.commit()?;
            return Ok(ComposeOutcome::Empty);
        }
        let clusters = if collapse {
            let ids: Vec<i64> = items.iter().map(|i| i.article_id).collect();
            super::clusters::clusters_of(&tx, &ids, true)?
        } else {
            Vec::new()
        };
        let (digest, carried) =
            render(&items, &revised, &clusters).map_err(|source| StoreError::Compose {
                subscriber: subscriber_id.to_string(),
                source,
            })?;
        let articles: HashSet<i64> = carried.articles.iter().copied().collect();
        let items: Vec<&DigestItem> = items
            .iter()
            .filter(|i| articles.contains(&i.article_id))
            .collect();
        let revisions: HashSet<i64> = carried.revisions.iter().copied().collect();
        let revised: Vec<PendingRevision> = revised
            .into_iter()
            .filter(|r| revisions.contains(&r.article_id))
            .collect();
        let item_count = (items.len() + revised.len()) as i64;
        insert_digest_row(
            &tx,
            subscriber_id,
            period_key,
            &digest,
            item_count,
            now,
            false,
        )?;
        let digest_id = tx.last_insert_rowid();
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO digest_items (digest_id, subscriber_id, article_id, revision)
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            for item in items.iter() {
                stmt.execute(params![
                    digest_id,
                    subscriber_id,
                    item.article_id,
                    item.revision
                ])?;
            }
        }
        record_mailed_revisions(&tx, digest_id, subscriber_id, &revised)?;
        crate::store::failpoint::hit("mid_compose");
        tx.commit()?;
        Ok(ComposeOutcome::Composed {
            digest_id,
            items: items.len() + revised.len(),
        })
    }

    /// Pending digests whose next attempt is due (all pending ones when
    /// `ignore_backoff`), oldest first.
    pub fn due_digests(
        &self,
        now: DateTime<Utc>,
        ignore_backoff: bool,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, subscriber_id, message_id, envelope_from, recipients, message, attempts,
                    created_at, subject, state, last_error, next_attempt_at
             FROM digests
             WHERE state = 'pending' AND (?2 OR next_attempt_at <= ?1)
             ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map(params![secs(now), ignore_backoff], outbox_entry)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every digest not yet sent (pending, failed, expired), for `outbox`.
    pub fn unsent_digests(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, subscriber_id, message_id, envelope_from, recipients, message, attempts,
                    created_at, subject, state, last_error, next_attempt_at
             FROM digests WHERE state != 'sent' ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map([], outbox_entry)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Puts an unsent digest back in the queue (`reformwatch outbox retry`):
    /// state `pending`, next attempt `now`, and its queue lifetime counted
    /// from `now` (its `created_at`), so an expired digest gets a full new
    /// lifetime. The stored bytes and Message-ID are unchanged. A sent
    /// digest is left alone.
    pub fn requeue_digest(
        &self,
        digest_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Requeue, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let row: Option<(String, String)> = tx
            .query_row(
                "SELECT subscriber_id, state FROM digests WHERE id = ?1",
                [digest_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let outcome = match row {
            None => Requeue::NotFound,
            Some((_, state)) if state == "sent" => Requeue::AlreadySent,
            Some((subscriber, was)) => {
                tx.execute(
                    "UPDATE digests SET state = 'pending', next_attempt_at = ?2, created_at = ?2
                     WHERE id = ?1",
                    params![digest_id, secs(now)],
                )?;
                Requeue::Requeued { subscriber, was }
            }
        };
        tx.commit()?;
        Ok(outcome)
    }

    /// The server accepted the digest.
    pub fn mark_sent(&self, digest_id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.set_state(digest_id, "sent", None, None, now)
    }

    /// A transient failure: count the attempt and wait until `next_attempt_at`.
    pub fn mark_retry(
        &self,
        digest_id: i64,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.set_state(
            digest_id,
            "pending",
            Some(error),
            Some(next_attempt_at),
            now,
        )
    }

    /// A permanent failure (5xx): never retried automatically.
    pub fn mark_failed(
        &self,
        digest_id: i64,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.set_state(digest_id, "failed", Some(error), None, now)
    }

    /// Gave up after the queue lifetime.
    pub fn mark_expired(
        &self,
        digest_id: i64,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.set_state(digest_id, "expired", Some(error), None, now)
    }

    fn set_state(
        &self,
        digest_id: i64,
        state: &str,
        error: Option<&str>,
        next_attempt_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE digests SET state = ?2, attempts = attempts + 1,
                last_error = COALESCE(?3, last_error),
                next_attempt_at = COALESCE(?4, next_attempt_at),
                sent_at = CASE WHEN ?2 = 'sent' THEN ?5 ELSE sent_at END
             WHERE id = ?1",
            params![
                digest_id,
                state,
                error,
                next_attempt_at.map(secs),
                secs(now)
            ],
        )?;
        tx.commit()?;
        Ok(())
    }
}

fn outbox_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxEntry> {
    Ok(OutboxEntry {
        id: r.get(0)?,
        subscriber_id: r.get(1)?,
        message_id: r.get(2)?,
        envelope_from: r.get(3)?,
        recipients: r
            .get::<_, String>(4)?
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        message: r.get(5)?,
        attempts: r.get::<_, i64>(6)?.max(0) as u32,
        created_at: from_secs(r.get(7)?),
        subject: r.get(8)?,
        state: r.get(9)?,
        last_error: r.get(10)?,
        next_attempt_at: from_secs(r.get(11)?),
    })
}

fn pending_items(
    conn: &rusqlite::Connection,
    subscriber_id: &str,
    topics: &[String],
    since: Option<DateTime<Utc>>,
    collapse: bool,
) -> Result<Vec<DigestItem>, StoreError> {
    if topics.is_empty() {
        return Ok(Vec::new());
    }
    let topic_json = super::rows::json(topics)?;
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.current_revision, r.title, a.url, a.source_id, r.published_at,
                a.first_seen_at, r.lead, m.topic_id, m.score, m.explanation
         FROM matches m
         JOIN articles a ON a.id = m.article_id
         JOIN revisions r ON r.article_id = a.id AND r.revision = a.current_revision
         WHERE a.mailable = 1
           AND m.topic_id IN (SELECT value FROM json_each(?2))
           AND a.first_seen_at >= ?3
           AND NOT EXISTS (SELECT 1 FROM digest_items di
                           WHERE di.subscriber_id = ?1 AND di.article_id = a.id)
           AND NOT (?4 AND EXISTS (SELECT 1 FROM articles c
                                   JOIN digest_items dc ON dc.article_id = c.id
                                   WHERE c.cluster_id = a.cluster_id
                                     AND dc.subscriber_id = ?1))
         ORDER BY a.id, m.score DESC",
    )?;
    let since_s = since.map(secs).unwrap_or(i64::MIN);
    let mut rows = stmt.query(params![subscriber_id, topic_json, since_s, collapse])?;
    let mut items: Vec<DigestItem> = Vec::new();
    while let Some(r) = rows.next()? {
        let article_id: i64 = r.get(0)?;
        let hits: Vec<TermHit> = super::rows::from_json(&r.get::<_, String>(10)?, || {
            format!("match explanation of article {article_id}")
        })?;
        let m = TopicMatch {
            topic_id: r.get(8)?,
            score: r.get(9)?,
            hits,
        };
        if let Some(last) = items.last_mut().filter(|i| i.article_id == article_id) {
            last.matches.push(m);
            continue;
        }
        items.push(DigestItem {
            article_id,
            revision: r.get::<_, i64>(1)?.max(1) as u32,
            title: r.get(2)?,
            url: r.get(3)?,
            source_name: r.get(4)?,
            published_at: r.get::<_, Option<i64>>(5)?.map(from_secs),
            first_seen_at: from_secs(r.get(6)?),
            lead: r.get(7)?,
            matches: vec![m],
        });
    }
    Ok(items)
}

/// A `SubscriberState` from a `registered_at, last_slot_at` row.
fn subscriber_state_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SubscriberState> {
    Ok(SubscriberState {
        registered_at: from_secs(r.get(0)?),
        last_slot_at: r.get::<_, Option<i64>>(1)?.map(from_secs),
    })
}

/// Writes `digest` as a pending outbox row of `subscriber_id` for
/// `period_key`. With `unless_taken`, a row already holding that key is
/// left as it is (the count returned is then 0); without, that is an error.
pub(super) fn insert_digest_row(
    tx: &rusqlite::Transaction<'_>,
    subscriber_id: &str,
    period_key: &str,
    digest: &NewDigest,
    item_count: i64,
    now: DateTime<Utc>,
    unless_taken: bool,
) -> Result<usize, StoreError> {
    let verb = if unless_taken {
        "INSERT OR IGNORE"
    } else {
        "INSERT"
    };
    Ok(tx.execute(
        &format!(
            "{verb} INTO digests (subscriber_id, period_key, message_id, envelope_from,
                recipients, subject, message, item_count, state, attempts, next_attempt_at,
                created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', 0, ?9, ?9)"
        ),
        params![
            subscriber_id,
            period_key,
            digest.message_id,
            digest.envelope_from,
            digest.recipients.join(","),
            digest.subject,
            digest.message,
            item_count,
            secs(now),
        ],
    )?)
}
