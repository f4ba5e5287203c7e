//! robots.txt at the fetcher's gate: fetched once per origin and cached
//! (a day when read, ten minutes when unreachable, as RFC 9309 asks), its
//! rules obeyed before any request, and its `Crawl-delay` handed to the
//! host's politeness slot.

use std::time::Duration;

use tokio::time::Instant;
use url::Url;

use super::{FetchError, FetchOutcome, Fetcher};
use crate::model::Validators;
use crate::net::guard;
use crate::net::robots::Robots;

/// How long a fetched robots.txt (or a 4xx for it) is trusted.
const ROBOTS_TTL: Duration = Duration::from_secs(24 * 3600);
/// How long an unreachable robots.txt blocks its origin before we ask again.
const ROBOTS_RETRY: Duration = Duration::from_secs(600);

/// A robots.txt and until when it is trusted.
pub(super) struct CachedRobots {
    robots: Robots,
    until: Instant,
    /// It could not be fetched (so `robots` refuses everything).
    unreachable: Option<String>,
}

impl Fetcher {
    /// Refuses `url` when its origin's robots.txt disallows it.
    pub(super) async fn obey_robots(&self, url: &Url) -> Result<(), FetchError> {
        let origin = url.origin().ascii_serialization();
        if guard::read(&self.guard).robots_off.contains(&origin) {
            return Ok(());
        }
        let mut path = url.path().to_owned();
        if let Some(q) = url.query() {
            path.push('?');
            path.push_str(q);
        }
        if path == "/robots.txt" {
            return Ok(());
        }
        let cell = {
            let mut map = self.robots.lock().unwrap_or_else(|p| p.into_inner());
            map.entry(origin.clone()).or_default().clone()
        };
        let mut cached = cell.lock().await;
        if cached.as_ref().is_none_or(|c| c.until <= Instant::now()) {
            let fresh = self.fetch_robots(url).await;
            // An unreachable robots.txt keeps the last good copy, if any.
            let keep_old = fresh.unreachable.is_some()
                && cached.as_ref().is_some_and(|c| c.unreachable.is_none());
            match (keep_old, cached.as_mut()) {
                (true, Some(old)) => old.until = fresh.until,
                _ => *cached = Some(fresh),
            }
        }
        let Some(c) = cached.as_ref() else {
            return Ok(());
        };
        if let Some(delay) = c.robots.crawl_delay() {
            *self
                .host_slot(url)
                .crawl_delay
                .lock()
                .unwrap_or_else(|p| p.into_inner()) = delay;
        }
        if c.robots.allowed(&path) {
            return Ok(());
        }
        let detail = match &c.unreachable {
            Some(why) => {
                format!("robots.txt unreachable, so not fetching yet (RFC 9309): {why}")
            }
            None => format!("disallowed by {origin}/robots.txt"),
        };
        Err(FetchError::Robots {
            url: url.to_string(),
            detail,
        })
    }

    /// Fetches and parses `url`'s origin's robots.txt (RFC 9309: a 4xx
    /// means no rules; a 5xx or no answer means disallow all, for a while).
    async fn fetch_robots(&self, url: &Url) -> CachedRobots {
        let now = Instant::now();
        let rules = |robots: Robots| CachedRobots {
            robots,
            until: now + ROBOTS_TTL,
            unreachable: None,
        };
        let Ok(robots_url) = url.join("/robots.txt") else {
            return rules(Robots::allow_all());
        };
        let unreachable = |why: String| CachedRobots {
            robots: Robots::disallow_all(),
            until: now + ROBOTS_RETRY,
            unreachable: Some(why),
        };
        match self.limited(&robots_url, &Validators::default()).await {
            Ok(FetchOutcome::Fetched(f)) => rules(Robots::parse(&String::from_utf8_lossy(&f.body))),
            Ok(FetchOutcome::NotModified { .. }) => rules(Robots::allow_all()),
            Err(FetchError::Status { status, .. }) if (400..500).contains(&status) => {
                rules(Robots::allow_all())
            }
            Err(FetchError::Status { status, .. }) => unreachable(format!("HTTP {status}")),
            Err(e) => unreachable(e.to_string()),
        }
    }
}
