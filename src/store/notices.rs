//! Admin notices in the outbox: a notice is a `digests` row with no items,
//! inserted only if its `(subscriber, period)` key is new, so the same
//! notice is never queued twice (a restart included).

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::digests::NewDigest;
use super::{secs, Store, StoreError};

impl Store {
    /// Queues `digest` for `recipient_id` under `period_key` unless that
    /// key was used before; returns whether it was queued.
    pub fn insert_notice(
        &self,
        recipient_id: &str,
        period_key: &str,
        digest: &NewDigest,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "INSERT OR IGNORE INTO digests (subscriber_id, period_key, message_id, envelope_from,
                recipients, subject, message, item_count, state, attempts, next_attempt_at,
                created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, 'pending', 0, ?8, ?8)",
            params![
                recipient_id,
                period_key,
                digest.message_id,
                digest.envelope_from,
                digest.recipients.join(","),
                digest.subject,
                digest.message,
                secs(now),
            ],
        )?;
        tx.commit()?;
        Ok(n == 1)
    }
}
