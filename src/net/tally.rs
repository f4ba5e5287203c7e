//! Counts of finished HTTP fetches by outcome, and the body bytes they
//! read: plain numbers the fetcher keeps for whoever reports them (the
//! service's `/metrics`, the progress line of `poll --once`). The network
//! layer knows nothing about either.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Fetch outcomes counted so far. Cheap to update from many tasks.
#[derive(Debug, Default)]
pub struct FetchTally {
    /// Fetches per outcome: `ok`, `not_modified`, or a
    /// [`FetchError::kind`](crate::net::fetch::FetchError::kind).
    outcomes: Mutex<BTreeMap<&'static str, u64>>,
    /// Response body bytes read, after decompression.
    bytes: AtomicU64,
}

impl FetchTally {
    /// One fetch ended with `outcome` after reading `bytes` of body.
    pub fn record(&self, outcome: &'static str, bytes: u64) {
        *self.lock().entry(outcome).or_default() += 1;
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Adds `other`'s counts to these (a fetcher that replaces another
    /// keeps counting from the old totals).
    pub fn add(&self, other: &FetchTally) {
        let theirs = other.by_outcome();
        let mut mine = self.lock();
        for (outcome, n) in theirs {
            *mine.entry(outcome).or_default() += n;
        }
        self.bytes.fetch_add(other.bytes(), Ordering::Relaxed);
    }

    /// Fetches finished so far, whatever their outcome.
    pub fn total(&self) -> u64 {
        self.lock().values().sum()
    }

    /// Fetches per outcome, in outcome order; outcomes never seen are absent.
    pub fn by_outcome(&self) -> Vec<(&'static str, u64)> {
        self.lock().iter().map(|(k, v)| (*k, *v)).collect()
    }

    /// Body bytes read so far.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<&'static str, u64>> {
        self.outcomes.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::FetchTally;

    #[test]
    fn counts_by_outcome_and_carries_over() {
        let old = FetchTally::default();
        old.record("ok", 100);
        old.record("timeout", 0);
        let new = FetchTally::default();
        new.record("ok", 20);
        new.record("not_modified", 0);
        new.add(&old);
        assert_eq!(
            new.by_outcome(),
            [("not_modified", 1), ("ok", 2), ("timeout", 1)]
        );
        assert_eq!((new.total(), new.bytes()), (4, 120));
    }
}
