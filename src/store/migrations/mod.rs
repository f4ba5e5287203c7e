//! Schema migrations: numbered SQL files applied in order, tracked by
//! `PRAGMA user_version`. Append-only: never edit a shipped step.

use rusqlite::Connection;

use super::StoreError;

/// Every schema step, in order; step N brings `user_version` to N.
pub(super) const STEPS: &[&str] = &[
    include_str!("001_init.sql"),
    include_str!("002_page_sources.sql"),
    include_str!("003_revisions.sql"),
    include_str!("004_rules_and_error_kinds.sql"),
    include_str!("005_robots_txt.sql"),
    include_str!("006_robots_unreachable_kind.sql"),
    include_str!("007_clusters.sql"),
];

/// Applies the steps the database has not seen yet, each in its own
/// transaction together with its version bump.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > STEPS.len() as i64 {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known: STEPS.len() as i64,
        });
    }
    for (i, sql) in STEPS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
