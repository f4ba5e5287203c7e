//! The fetcher's robots.txt memory, kept in the store: the bridge between
//! `net` (which must not know the store) and the database, dated by the
//! pass's clock. A database error is logged and costs one more fetch of
//! robots.txt, never the poll.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tracing::warn;

use crate::model::RobotsCopy;
use crate::net::fetch::RobotsMemory;
use crate::store::Store;

/// robots.txt copies in `store`, judged at `now`.
pub(super) struct StoredRobots {
    pub store: Arc<Store>,
    pub now: DateTime<Utc>,
}

impl RobotsMemory for StoredRobots {
    fn recall(&self, origin: &str) -> Option<RobotsCopy> {
        tokio::task::block_in_place(|| self.store.robots_txt(origin)).unwrap_or_else(|e| {
            warn!(origin, error = %e, "cannot read the stored robots.txt; fetching it");
            None
        })
    }

    fn keep(&self, origin: &str, copy: &RobotsCopy) {
        if let Err(e) = tokio::task::block_in_place(|| self.store.keep_robots_txt(origin, copy)) {
            warn!(origin, error = %e, "cannot store robots.txt; the next run fetches it again");
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.now
    }
}
