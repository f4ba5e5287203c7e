//! robots.txt at the fetcher's gate: fetched once per origin and cached
//! (a day when read, ten minutes when unreachable, as RFC 9309 asks), its
//! rules obeyed before any request, and its `Crawl-delay` handed to the
//! host's politeness slot.
//!
//! The cache has two levels: in memory for this process, and a
//! [`RobotsMemory`] the caller may hand the fetcher (the pipeline backs it
//! with the database), so the day holds across `poll --once` runs,
//! restarts and reloads. The memory's clock dates the copies, so a run
//! with `--now` judges them at that time.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use url::Url;

use super::{FetchError, FetchOutcome, Fetcher};
use crate::model::{FailureKind, RobotsCopy, Validators};
use crate::net::guard;
use crate::net::robots::{self, Robots};

/// How long a fetched robots.txt (or a 4xx for it) is trusted.
const ROBOTS_TTL: Duration = Duration::from_secs(24 * 3600);
/// How long an unreachable robots.txt blocks its origin before we ask again.
const ROBOTS_RETRY: Duration = Duration::from_secs(600);

/// Where robots.txt copies outlive the process. Asked before a copy is
/// fetched, told after; failures are the memory's to log (the fetcher
/// then fetches, as without one).
pub trait RobotsMemory: Send + Sync {
    /// The copy kept for `origin`, fresh or not.
    fn recall(&self, origin: &str) -> Option<RobotsCopy>;
    /// Keeps `copy` for `origin`.
    fn keep(&self, origin: &str, copy: &RobotsCopy);
    /// The time copies are dated and judged by.
    fn now(&self) -> DateTime<Utc>;
}

/// A robots.txt copy and the rules it gives.
pub(super) struct CachedRobots {
    robots: Robots,
    copy: RobotsCopy,
}

impl From<RobotsCopy> for CachedRobots {
    fn from(copy: RobotsCopy) -> Self {
        let robots = match (&copy.unreachable, &copy.body) {
            (Some(_), _) => Robots::disallow_all(),
            (None, Some(text)) => Robots::parse(text),
            (None, None) => Robots::allow_all(),
        };
        CachedRobots { robots, copy }
    }
}

impl Fetcher {
    /// Hands the fetcher a memory for robots.txt copies (replacing any
    /// earlier one), read when this process has no fresh copy of an origin.
    pub fn remember_robots(&self, memory: Arc<dyn RobotsMemory>) {
        *self
            .robots_memory
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Some(memory);
    }

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
        let memory = self
            .robots_memory
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let now = memory.as_ref().map_or_else(Utc::now, |m| m.now());
        if cached.as_ref().is_none_or(|c| c.copy.expires_at <= now) {
            let kept = memory.as_ref().and_then(|m| m.recall(&origin));
            let copy = match kept {
                // Another run fetched it within its time.
                Some(copy) if copy.expires_at > now => copy,
                kept => {
                    let previous = cached.take().map(|c| c.copy).or(kept);
                    let fresh = self.fetch_robots(url, previous, now).await;
                    if let Some(m) = &memory {
                        m.keep(&origin, &fresh);
                    }
                    fresh
                }
            };
            *cached = Some(copy.into());
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
        let detail = match &c.copy.unreachable {
            Some(why) => {
                format!("robots.txt unreachable, so not fetching yet (RFC 9309): {why}")
            }
            None => format!("disallowed by {origin}/robots.txt"),
        };
        Err(FetchError::Robots {
            url: url.to_string(),
            detail,
            unreachable: c.copy.unreachable_kind,
        })
    }

    /// Fetches `url`'s origin's robots.txt (RFC 9309: a 4xx means no
    /// rules; a 5xx or no answer means disallow all, for a while). An
    /// unreachable robots.txt keeps the `previous` good copy, if any, for
    /// that while.
    async fn fetch_robots(
        &self,
        url: &Url,
        previous: Option<RobotsCopy>,
        now: DateTime<Utc>,
    ) -> RobotsCopy {
        let after = |d: Duration| now + chrono::Duration::from_std(d).unwrap_or_default();
        let read = |body: Option<String>| RobotsCopy {
            body,
            unreachable: None,
            unreachable_kind: None,
            fetched_at: now,
            expires_at: after(ROBOTS_TTL),
        };
        let Ok(robots_url) = url.join("/robots.txt") else {
            return read(None);
        };
        let (why, kind) = match self.limited(&robots_url, &Validators::default()).await {
            Ok(FetchOutcome::Fetched(f)) => {
                let text = &f.body[..f.body.len().min(robots::MAX_BYTES)];
                return read(Some(String::from_utf8_lossy(text).into_owned()));
            }
            Ok(FetchOutcome::NotModified { .. }) => return read(None),
            Err(FetchError::Status { status, .. }) if (400..500).contains(&status) => {
                return read(None)
            }
            // A 5xx is the site's robots.txt failing; anything else (no
            // such host, refused, timed out) is the site failing.
            Err(FetchError::Status { status, .. }) => {
                (format!("HTTP {status}"), FailureKind::Robots)
            }
            Err(e) => (e.to_string(), e.failure_kind()),
        };
        match previous {
            Some(good) if good.unreachable.is_none() => RobotsCopy {
                expires_at: after(ROBOTS_RETRY),
                ..good
            },
            _ => RobotsCopy {
                body: None,
                unreachable: Some(why),
                unreachable_kind: Some(kind),
                fetched_at: now,
                expires_at: after(ROBOTS_RETRY),
            },
        }
    }
}
