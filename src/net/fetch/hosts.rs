//! Per-host politeness: at most `per_host_concurrency` requests in flight
//! to one `host:port`, starts at least `per_host_delay` (or the host's
//! robots.txt `Crawl-delay`, when longer) apart.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::Instant;
use url::Url;

use super::Fetcher;

/// Politeness state of one host (`host:port`).
pub(super) struct HostSlot {
    /// Requests in flight to the host.
    pub(super) permits: Semaphore,
    /// When the last request to the host started (or will, once its wait
    /// is over).
    pub(super) last_start: Mutex<Option<Instant>>,
    /// The host's robots.txt `Crawl-delay`, when longer than ours.
    pub(super) crawl_delay: Mutex<Duration>,
}

impl HostSlot {
    /// Reserves the next start time (at least `delay`, or the host's
    /// `Crawl-delay` as known now, after the previous one) and returns how
    /// long to wait for it. The delay is the one known when this request
    /// starts, so a `Crawl-delay` read from robots.txt spaces the very next
    /// request too.
    pub(super) fn reserve(&self, delay: Duration) -> Duration {
        let delay = delay.max(*self.crawl_delay.lock().unwrap_or_else(|p| p.into_inner()));
        let now = Instant::now();
        let mut last = self.last_start.lock().unwrap_or_else(|p| p.into_inner());
        let start = last.map_or(now, |t| (t + delay).max(now));
        *last = Some(start);
        start - now
    }
}

impl Fetcher {
    pub(super) fn host_slot(&self, url: &Url) -> Arc<HostSlot> {
        let key = format!(
            "{}:{}",
            url.host_str().unwrap_or(""),
            url.port_or_known_default().unwrap_or(0)
        );
        let mut map = self.per_host.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(key)
            .or_insert_with(|| {
                Arc::new(HostSlot {
                    permits: Semaphore::new(self.limits.per_host_concurrency),
                    last_start: Mutex::new(None),
                    crawl_delay: Mutex::new(Duration::ZERO),
                })
            })
            .clone()
    }
}
