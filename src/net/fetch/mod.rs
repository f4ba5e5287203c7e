//! I/O edge: HTTP fetching. One shared reqwest client (rustls, gzip/brotli/
//! deflate), conditional GET, connect and total timeouts, a body cap counted
//! on the *decompressed* stream, at most five http/https redirects, a
//! global plus a per-host concurrency limit, a least delay between two
//! requests to one host, robots.txt (fetched once per origin and cached,
//! in a memory the caller may back with the database),
//! and the address policy of [`crate::net::guard`] on every
//! connection. Knows nothing about feeds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use chrono::Utc;

use reqwest::header::{
    HeaderMap, HeaderValue, CACHE_CONTROL, CONTENT_TYPE, ETAG, EXPIRES, IF_MODIFIED_SINCE,
    IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER,
};
use tokio::sync::Semaphore;
use url::Url;

use crate::config::{DaemonSettings, Source};
use crate::model::Validators;
use crate::net::guard::{self, Guard, GuardedResolver, Refused, SharedGuard};
use crate::net::tally::FetchTally;

mod error;
mod hosts;
mod robots_gate;

use error::classify;
pub use error::{FetchError, TransportCause};
use hosts::HostSlot;
use robots_gate::CachedRobots;
pub use robots_gate::RobotsMemory;

/// The `User-Agent` every request carries.
pub const USER_AGENT: &str = concat!(
    "reformwatch/",
    env!("CARGO_PKG_VERSION"),
    " (news watcher; +https://github.com/reformwatch/reformwatch)"
);

pub use crate::net::guard::MAX_REDIRECTS;

pub use crate::net::cache_hints::CacheHints;

/// A successful exchange.
// One short-lived value per request: boxing `Fetched` would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum FetchOutcome {
    /// The server answered 304: nothing changed since the validators.
    NotModified {
        /// `Cache-Control` / `Expires` / `Retry-After` of the 304: the
        /// earliest next poll, as for a 200.
        hints: CacheHints,
    },
    /// A 2xx response with its body.
    Fetched(Fetched),
}

/// A fetched document, body fully read and within the size cap.
#[derive(Debug)]
pub struct Fetched {
    /// The URL after redirects.
    pub final_url: Url,
    /// `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// New validators to store for the next conditional GET.
    pub validators: Validators,
    /// Decompressed body bytes.
    pub body: Vec<u8>,
    /// `Cache-Control` / `Expires` / `Retry-After`: the earliest next poll.
    pub hints: CacheHints,
}

/// Limits the fetcher enforces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchLimits {
    /// Total time for one exchange including the body.
    pub timeout: Duration,
    /// Time to establish the connection.
    pub connect_timeout: Duration,
    /// Body cap after decompression.
    pub max_body_bytes: u64,
    /// Fetches in flight overall.
    pub concurrency: usize,
    /// Fetches in flight per host.
    pub per_host_concurrency: usize,
    /// Least time between the starts of two requests to one host.
    pub per_host_delay: Duration,
}

impl FetchLimits {
    /// The longest one exchange may take, its body included: the
    /// configured timeout and a little for our own chunk loop.
    pub fn longest_exchange(&self) -> Duration {
        self.timeout + Duration::from_millis(250)
    }
}

impl From<&DaemonSettings> for FetchLimits {
    fn from(d: &DaemonSettings) -> Self {
        FetchLimits {
            timeout: d.timeout,
            connect_timeout: d.connect_timeout,
            max_body_bytes: d.max_body_bytes,
            concurrency: d.concurrency.max(1),
            per_host_concurrency: d.per_host_concurrency.max(1),
            per_host_delay: d.per_host_delay,
        }
    }
}

/// The process's one HTTP client with its limits. Cheap to share via `Arc`.
pub struct Fetcher {
    client: reqwest::Client,
    limits: FetchLimits,
    global: Arc<Semaphore>,
    per_host: Mutex<HashMap<String, Arc<HostSlot>>>,
    guard: SharedGuard,
    /// robots.txt per origin; the async lock makes concurrent requests to a
    /// new origin wait for one fetch of its robots.txt.
    robots: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<CachedRobots>>>>>,
    /// Where robots.txt copies outlive the process, if the caller gave one.
    robots_memory: RwLock<Option<Arc<dyn RobotsMemory>>>,
    /// Outcomes of [`Fetcher::get`], for `/metrics` and progress displays.
    tally: Arc<FetchTally>,
}

impl Fetcher {
    /// Builds the client. Fails only if the TLS backend cannot start.
    pub fn new(limits: FetchLimits, user_agent_extra: Option<&str>) -> Result<Self, FetchError> {
        let ua = match user_agent_extra {
            Some(extra) if !extra.trim().is_empty() => format!("{USER_AGENT} {}", extra.trim()),
            _ => USER_AGENT.to_string(),
        };
        let guard: SharedGuard = Arc::new(RwLock::new(Guard::default()));
        let client = reqwest::Client::builder()
            .user_agent(ua)
            .dns_resolver(Arc::new(GuardedResolver::new(guard.clone())))
            .connect_timeout(limits.connect_timeout)
            .timeout(limits.timeout)
            .read_timeout(limits.timeout)
            .pool_max_idle_per_host(4)
            .pool_idle_timeout(Duration::from_secs(60))
            .redirect(guard::redirect_policy(guard.clone()))
            .build()
            .map_err(|e| FetchError::Transport {
                url: String::new(),
                cause: TransportCause::Other,
                detail: format!("cannot start the HTTP client: {e}"),
                source: Some(e),
            })?;
        let global = Arc::new(Semaphore::new(limits.concurrency));
        Ok(Fetcher {
            client,
            limits,
            global,
            per_host: Mutex::new(HashMap::new()),
            guard,
            robots: Mutex::new(HashMap::new()),
            robots_memory: RwLock::new(None),
            tally: Arc::default(),
        })
    }

    /// Restricts the fetcher to the sources' origins: connections to
    /// non-public addresses are refused unless they stay on one of them, and
    /// the sources' `robots = false` opt-outs apply. Replaces any earlier
    /// configuration (a reload).
    pub fn configure(&self, sources: &[Source]) {
        let mut next = Guard {
            enforce: true,
            ..Guard::default()
        };
        for s in sources {
            next.origins.allow(&s.url);
            if !s.robots {
                next.robots_off.insert(s.url.origin().ascii_serialization());
            }
        }
        *self.guard.write().unwrap_or_else(|p| p.into_inner()) = next;
    }

    /// Adds one configured origin (e.g. a URL given on the command line)
    /// and turns the address policy on.
    pub fn allow_origin(&self, url: &Url) {
        let mut g = self.guard.write().unwrap_or_else(|p| p.into_inner());
        g.enforce = true;
        g.origins.allow(url);
    }

    /// GETs `url`, conditionally when `validators` are given, within all limits.
    pub async fn get(
        &self,
        url: &Url,
        validators: &Validators,
    ) -> Result<FetchOutcome, FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::Scheme {
                url: url.to_string(),
            });
        }
        let outcome = self.checked(url, validators).await;
        match &outcome {
            Ok(FetchOutcome::NotModified { .. }) => self.tally.record("not_modified", 0),
            Ok(FetchOutcome::Fetched(f)) => self.tally.record("ok", f.body.len() as u64),
            Err(e) => self.tally.record(e.kind(), 0),
        }
        outcome
    }

    /// The outcomes of this fetcher's [`get`](Self::get)s so far.
    pub fn tally(&self) -> &Arc<FetchTally> {
        &self.tally
    }

    async fn checked(
        &self,
        url: &Url,
        validators: &Validators,
    ) -> Result<FetchOutcome, FetchError> {
        guard::check_url(&self.guard, url).map_err(|Refused(detail)| FetchError::Refused {
            url: url.to_string(),
            detail,
        })?;
        self.obey_robots(url).await?;
        self.limited(url, validators).await
    }

    /// One exchange under the global and per-host limits and the timeout.
    async fn limited(
        &self,
        url: &Url,
        validators: &Validators,
    ) -> Result<FetchOutcome, FetchError> {
        let host = self.host_slot(url);
        let _host = host
            .permits
            .acquire()
            .await
            .expect("semaphore never closed");
        // Waiting for a host's turn must not hold a global slot other hosts
        // could use, so the global permit comes second.
        let _global = self.global.acquire().await.expect("semaphore never closed");
        let wait = host.reserve(self.limits.per_host_delay);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        // reqwest's own timeout covers the body too; this outer one also
        // bounds our chunk loop so nothing can outlive the configured limit.
        let limit = self.limits.longest_exchange();
        match tokio::time::timeout(limit, self.exchange(url, validators)).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::Timeout {
                url: url.to_string(),
                secs: self.limits.timeout.as_secs(),
            }),
        }
    }

    async fn exchange(
        &self,
        url: &Url,
        validators: &Validators,
    ) -> Result<FetchOutcome, FetchError> {
        let mut req = self.client.get(url.clone());
        if let Some(etag) = &validators.etag {
            req = req.header(IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &validators.last_modified {
            req = req.header(IF_MODIFIED_SINCE, lm);
        }
        let mut resp = guard::on_hop(url, req.send())
            .await
            .map_err(|e| classify(url, &self.limits, e))?;
        let status = resp.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(FetchOutcome::NotModified {
                hints: hints(resp.headers()),
            });
        }
        if status.is_redirection() {
            // A redirect the policy would not even attempt (e.g. to `file:`),
            // which reqwest hands back as the 3xx itself.
            let location = header_str(resp.headers(), "location").unwrap_or_default();
            return Err(FetchError::Redirect {
                url: url.to_string(),
                detail: format!("HTTP {} to {location:?} not followed", status.as_u16()),
            });
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                url: url.to_string(),
                status: status.as_u16(),
                hints: hints(resp.headers()),
            });
        }
        let final_url = resp.url().clone();
        let headers = resp.headers().clone();
        let cap = self.limits.max_body_bytes;
        let mut body: Vec<u8> = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| classify(url, &self.limits, e))?
        {
            if body.len() as u64 + chunk.len() as u64 > cap {
                return Err(FetchError::TooLarge {
                    url: url.to_string(),
                    limit: cap,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(FetchOutcome::Fetched(Fetched {
            final_url,
            content_type: header_str(&headers, CONTENT_TYPE.as_str()),
            validators: Validators {
                etag: header_str(&headers, ETAG.as_str()),
                last_modified: header_str(&headers, LAST_MODIFIED.as_str()),
            },
            body,
            hints: hints(&headers),
        }))
    }
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v: &HeaderValue| v.to_str().ok())
        .map(str::to_string)
}

fn hints(headers: &HeaderMap) -> CacheHints {
    let get = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    CacheHints::parse(
        get(RETRY_AFTER),
        get(CACHE_CONTROL),
        get(EXPIRES),
        Utc::now(),
    )
}
