//! Totals for `/metrics`: articles, revisions and digests by state. Read
//! only; one short query per figure.

use rusqlite::params;

use super::{Store, StoreError};

/// Counts over the whole database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Articles stored.
    pub articles: i64,
    /// Revisions stored (an article's first version counts as one).
    pub revisions: i64,
    /// Digests per state (`pending`, `sent`, `failed`, `expired`), every
    /// state present even at zero.
    pub digests: Vec<(String, i64)>,
}

impl Store {
    /// Current totals.
    pub fn stats(&self) -> Result<StoreStats, StoreError> {
        let conn = self.conn();
        let count = |sql: &str| conn.query_row(sql, params![], |r| r.get::<_, i64>(0));
        let articles = count("SELECT count(*) FROM articles")?;
        let revisions = count("SELECT count(*) FROM revisions")?;
        let mut digests: Vec<(String, i64)> = ["pending", "sent", "failed", "expired"]
            .iter()
            .map(|s| (s.to_string(), 0))
            .collect();
        let mut stmt = conn.prepare("SELECT state, count(*) FROM digests GROUP BY state")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (state, n) = row?;
            match digests.iter_mut().find(|(s, _)| *s == state) {
                Some(slot) => slot.1 = n,
                None => digests.push((state, n)),
            }
        }
        Ok(StoreStats {
            articles,
            revisions,
            digests,
        })
    }
}
