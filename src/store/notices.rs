//! Admin notices in the outbox: a notice is a `digests` row with no items,
//! inserted only if its `(subscriber, period)` key is new, so the same
//! notice is never queued twice (a restart included).

use chrono::{DateTime, Utc};

use super::digests::{insert_digest_row, NewDigest};
use super::{Store, StoreError};

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
        let n = insert_digest_row(&tx, recipient_id, period_key, digest, 0, now, true)?;
        tx.commit()?;
        Ok(n == 1)
    }
}
