//! I/O edge: HTTP fetching. One shared reqwest client (rustls, gzip/brotli/
//! deflate), conditional GET, connect and total timeouts, a body cap counted
//! on the *decompressed* stream, at most five http/https redirects, and a
//! global plus a per-host concurrency limit. Knows nothing about feeds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{
    HeaderMap, HeaderValue, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
    RETRY_AFTER,
};
use tokio::sync::Semaphore;
use url::Url;

use crate::config::DaemonSettings;

/// The `User-Agent` every request carries.
pub const USER_AGENT: &str = concat!(
    "reformwatch/",
    env!("CARGO_PKG_VERSION"),
    " (news watcher; +https://github.com/reformwatch/reformwatch)"
);

/// Most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 5;

/// Cache validators remembered per source for conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The last `ETag` the server sent.
    pub etag: Option<String>,
    /// The last `Last-Modified` the server sent.
    pub last_modified: Option<String>,
}

/// Hints from response headers about when to ask again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheHints {
    /// `Retry-After` in seconds (only the delta-seconds form for now).
    pub retry_after: Option<Duration>,
}

/// A successful exchange.
#[derive(Debug)]
pub enum FetchOutcome {
    /// The server answered 304: nothing changed since the validators.
    NotModified,
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
        }
    }
}

/// Limits the fetcher enforces.
#[derive(Debug, Clone)]
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
}

impl From<&DaemonSettings> for FetchLimits {
    fn from(d: &DaemonSettings) -> Self {
        FetchLimits {
            timeout: d.timeout,
            connect_timeout: d.connect_timeout,
            max_body_bytes: d.max_body_bytes,
            concurrency: d.concurrency.max(1),
            per_host_concurrency: d.per_host_concurrency.max(1),
        }
    }
}

/// The process's one HTTP client with its limits. Cheap to share via `Arc`.
pub struct Fetcher {
    client: reqwest::Client,
    limits: FetchLimits,
    global: Arc<Semaphore>,
    per_host: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl Fetcher {
    /// Builds the client. Fails only if the TLS backend cannot start.
    pub fn new(limits: FetchLimits, user_agent_extra: Option<&str>) -> Result<Self, FetchError> {
        let ua = match user_agent_extra {
            Some(extra) if !extra.trim().is_empty() => format!("{USER_AGENT} {}", extra.trim()),
            _ => USER_AGENT.to_string(),
        };
        let client = reqwest::Client::builder()
            .user_agent(ua)
            .connect_timeout(limits.connect_timeout)
            .timeout(limits.timeout)
            .read_timeout(limits.timeout)
            .pool_max_idle_per_host(4)
            .pool_idle_timeout(Duration::from_secs(60))
            .redirect(redirect_policy())
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
        })
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
        let _global = self.global.acquire().await.expect("semaphore never closed");
        let host_sem = self.host_semaphore(url);
        let _host = host_sem.acquire().await.expect("semaphore never closed");
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

    fn host_semaphore(&self, url: &Url) -> Arc<Semaphore> {
        let key = format!(
            "{}:{}",
            url.host_str().unwrap_or(""),
            url.port_or_known_default().unwrap_or(0)
        );
        let mut map = self.per_host.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(key)
            .or_insert_with(|| Arc::new(Semaphore::new(self.limits.per_host_concurrency)))
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
            return Ok(FetchOutcome::NotModified);
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
        }))
    }
}

fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            let msg = format!("more than {MAX_REDIRECTS} redirects");
            return attempt.error(msg);
        }
        match attempt.url().scheme() {
            "http" | "https" => attempt.follow(),
            other => {
                let msg = format!("redirect to a {other}: URL");
                attempt.error(msg)
            }
        }
    })
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v: &HeaderValue| v.to_str().ok())
        .map(str::to_string)
}

fn hints(headers: &HeaderMap) -> CacheHints {
    CacheHints {
        retry_after: headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|s| s.trim().parse::<u64>().ok())
            .map(Duration::from_secs),
    }
}

fn classify(url: &Url, limits: &FetchLimits, e: reqwest::Error) -> FetchError {
    let url_s = url.to_string();
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
