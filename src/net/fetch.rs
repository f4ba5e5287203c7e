//! I/O edge: HTTP fetching. One shared reqwest client (rustls, gzip/brotli/
//! deflate), conditional GET, connect and total timeouts, a body cap counted
//! on the *decompressed* stream, at most five http/https redirects, a
//! global plus a per-host concurrency limit, a least delay between two
//! requests to one host, robots.txt (fetched once per origin and cached),
//! and the address policy of [`netguard`](crate::net::guard) on every
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
use tokio::time::Instant;
use url::Url;

use crate::config::{DaemonSettings, Source};
use crate::model::Validators;
use crate::net::guard::{self, Guard, GuardedResolver, Refused, SharedGuard};
use crate::net::robots::Robots;
use crate::net::tally::FetchTally;

/// The `User-Agent` every request carries.
pub const USER_AGENT: &str = concat!(
    "reformwatch/",
    env!("CARGO_PKG_VERSION"),
    " (news watcher; +https://github.com/reformwatch/reformwatch)"
);

pub use crate::net::guard::MAX_REDIRECTS;

/// How long a fetched robots.txt (or a 4xx for it) is trusted.
const ROBOTS_TTL: Duration = Duration::from_secs(24 * 3600);
/// How long an unreachable robots.txt blocks its origin before we ask again.
const ROBOTS_RETRY: Duration = Duration::from_secs(600);

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

/// Why a fetch failed. Every variant names the URL.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Connect or total timeout elapsed.
    #[error("{url}: timed out after {secs}s")]
    Timeout {
        /// Requested URL.
        url: String,
        /// The limit that fired.
        secs: u64,
    },
    /// The decompressed body passed the cap.
    #[error("{url}: body larger than the {limit}-byte limit (counted after decompression)")]
    TooLarge {
        /// Requested URL.
        url: String,
        /// The cap in bytes.
        limit: u64,
    },
    /// A non-2xx, non-304 status.
    #[error("{url}: HTTP {status}")]
    Status {
        /// Requested URL.
        url: String,
        /// Status code.
        status: u16,
        /// Hints such as `Retry-After`.
        hints: CacheHints,
    },
    /// Redirect refused (too many, or to a non-http scheme).
    #[error("{url}: redirect refused: {detail}")]
    Redirect {
        /// Requested URL.
        url: String,
        /// What was wrong.
        detail: String,
    },
    /// Could not connect, TLS failed, or the connection broke.
    #[error("{url}: {detail}")]
    Transport {
        /// Requested URL.
        url: String,
        /// The underlying error, flattened to text.
        detail: String,
    },
    /// The URL scheme is not http or https.
    #[error("{url}: only http and https URLs can be fetched")]
    Scheme {
        /// Requested URL.
        url: String,
    },
    /// The address policy refused the connection (a non-public address
    /// outside the configured origins); nothing was sent.
    #[error("{url}: refused: {detail}")]
    Refused {
        /// Requested URL.
        url: String,
        /// Which address and why.
        detail: String,
    },
    /// The origin's robots.txt does not allow the URL (or could not be
    /// fetched, which RFC 9309 treats as "disallow all" for a while).
    #[error("{url}: {detail}")]
    Robots {
        /// Requested URL.
        url: String,
        /// What robots.txt said.
        detail: String,
    },
}

impl FetchError {
    /// A short machine-friendly kind, for logs and counters.
    pub fn kind(&self) -> &'static str {
        match self {
            FetchError::Timeout { .. } => "timeout",
            FetchError::TooLarge { .. } => "too_large",
            FetchError::Status { .. } => "status",
            FetchError::Redirect { .. } => "redirect",
            FetchError::Transport { .. } => "transport",
            FetchError::Scheme { .. } => "scheme",
            FetchError::Refused { .. } => "refused",
            FetchError::Robots { .. } => "robots",
        }
    }
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
    /// Outcomes of [`Fetcher::get`], for `/metrics` and progress displays.
    tally: Arc<FetchTally>,
}

/// A robots.txt and until when it is trusted.
struct CachedRobots {
    robots: Robots,
    until: Instant,
    /// It could not be fetched (so `robots` refuses everything).
    unreachable: Option<String>,
}

/// Politeness state of one host (`host:port`).
struct HostSlot {
    /// Requests in flight to the host.
    permits: Semaphore,
    /// The earliest start of the next request to the host.
    next_start: Mutex<Option<Instant>>,
    /// The host's robots.txt `Crawl-delay`, when longer than ours.
    crawl_delay: Mutex<Duration>,
}

impl HostSlot {
    /// Reserves the next start time (at least `delay` after the previous
    /// one) and returns how long to wait for it.
    fn reserve(&self, delay: Duration) -> Duration {
        let delay = delay.max(*self.crawl_delay.lock().unwrap_or_else(|p| p.into_inner()));
        let now = Instant::now();
        let mut next = self.next_start.lock().unwrap_or_else(|p| p.into_inner());
        let start = next.map_or(now, |t| t.max(now));
        *next = Some(start + delay);
        start - now
    }
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
                detail: format!("cannot start the HTTP client: {e}"),
            })?;
        let global = Arc::new(Semaphore::new(limits.concurrency));
        Ok(Fetcher {
            client,
            limits,
            global,
            per_host: Mutex::new(HashMap::new()),
            guard,
            robots: Mutex::new(HashMap::new()),
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

    /// Refuses `url` when its origin's robots.txt disallows it.
    async fn obey_robots(&self, url: &Url) -> Result<(), FetchError> {
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
        let limit = self.limits.timeout + Duration::from_millis(250);
        match tokio::time::timeout(limit, self.exchange(url, validators)).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::Timeout {
                url: url.to_string(),
                secs: self.limits.timeout.as_secs(),
            }),
        }
    }

    fn host_slot(&self, url: &Url) -> Arc<HostSlot> {
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
                    next_start: Mutex::new(None),
                    crawl_delay: Mutex::new(Duration::ZERO),
                })
            })
            .clone()
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
        let mut resp = req
            .send()
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

fn classify(url: &Url, limits: &FetchLimits, e: reqwest::Error) -> FetchError {
    let url_s = url.to_string();
    let mut cause: Option<&dyn std::error::Error> = Some(&e);
    while let Some(err) = cause {
        if let Some(Refused(detail)) = err.downcast_ref::<Refused>() {
            return FetchError::Refused {
                url: url_s,
                detail: detail.clone(),
            };
        }
        cause = err.source();
    }
    if e.is_timeout() {
        return FetchError::Timeout {
            url: url_s,
            secs: limits.timeout.as_secs(),
        };
    }
    if e.is_redirect() {
        return FetchError::Redirect {
            url: url_s,
            detail: error_chain(&e),
        };
    }
    FetchError::Transport {
        url: url_s,
        detail: error_chain(&e),
    }
}

/// Flattens an error's causes into one line. reqwest's outermost message
/// repeats the URL, which our variants already name, so it is skipped when
/// there is a cause underneath.
fn error_chain(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(err) = cur {
        let s = err.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = err.source();
    }
    if parts.is_empty() {
        return e.to_string();
    }
    if e.is_connect() {
        return format!(
            "cannot connect: {}",
            parts.last().map_or("", |s| s.as_str())
        );
    }
    parts.join(": ")
}
