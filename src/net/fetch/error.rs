//! Why a fetch failed, with its cause kept: every variant names the URL,
//! transport failures say what kind they are (no such host, connection
//! refused, TLS and the certificate problem), and the underlying error
//! stays reachable through `source()`.

use url::Url;

use super::FetchLimits;
use crate::model::FailureKind;
use crate::net::cache_hints::CacheHints;
use crate::net::guard::{LookupFailed, Refused};

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
    #[error("{url}: {}{detail}", cause.prefix())]
    Transport {
        /// Requested URL.
        url: String,
        /// What kind of failure it was.
        cause: TransportCause,
        /// The causes underneath, as one line.
        detail: String,
        /// The HTTP client's error.
        #[source]
        source: Option<reqwest::Error>,
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
        /// Why robots.txt could not be fetched, when that stopped the URL:
        /// the source's failure is then that (a lookup, a refused
        /// connection), with its hint.
        unreachable: Option<FailureKind>,
    },
}

/// What kind of transport failure a [`FetchError::Transport`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportCause {
    /// The host name did not resolve.
    NoSuchHost,
    /// Nothing listens on the port.
    ConnectionRefused,
    /// The TLS handshake failed.
    Tls,
    /// Anything else (a reset, a broken body, a protocol error).
    Other,
}

impl TransportCause {
    /// The words the error message starts with.
    fn prefix(self) -> &'static str {
        match self {
            TransportCause::NoSuchHost => "no such host: ",
            TransportCause::ConnectionRefused => "connection refused: ",
            TransportCause::Tls => "TLS failure: ",
            TransportCause::Other => "",
        }
    }
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

    /// The failure kind, for the store, counters and hints.
    pub fn failure_kind(&self) -> FailureKind {
        match self {
            FetchError::Timeout { .. } => FailureKind::Timeout,
            FetchError::TooLarge { .. } => FailureKind::TooLarge,
            FetchError::Status { .. } => FailureKind::Status,
            FetchError::Redirect { .. } | FetchError::Scheme { .. } => FailureKind::Redirect,
            FetchError::Refused { .. } => FailureKind::Blocked,
            FetchError::Robots { unreachable, .. } => unreachable.unwrap_or(FailureKind::Robots),
            FetchError::Transport { cause, .. } => match cause {
                TransportCause::NoSuchHost => FailureKind::Dns,
                TransportCause::ConnectionRefused => FailureKind::ConnectionRefused,
                TransportCause::Tls => FailureKind::Tls,
                TransportCause::Other => FailureKind::Transport,
            },
        }
    }

    /// The server's `Retry-After`, for an error status that sent one.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            FetchError::Status { hints, .. } => hints.retry_after,
            _ => None,
        }
    }
}

/// Turns reqwest's error for `url` into ours, finding the address policy's
/// refusal, a failed lookup, a refused connection or a TLS failure in the
/// error's causes.
pub(super) fn classify(url: &Url, limits: &FetchLimits, e: reqwest::Error) -> FetchError {
    let url_s = url.to_string();
    let mut cause = TransportCause::Other;
    let mut cur: Option<&dyn std::error::Error> = Some(&e);
    while let Some(err) = cur {
        if let Some(Refused(detail)) = err.downcast_ref::<Refused>() {
            return FetchError::Refused {
                url: url_s,
                detail: detail.clone(),
            };
        }
        if err.downcast_ref::<LookupFailed>().is_some() {
            cause = TransportCause::NoSuchHost;
        } else if err.downcast_ref::<rustls::Error>().is_some() {
            cause = TransportCause::Tls;
        } else if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                cause = TransportCause::ConnectionRefused;
            }
        }
        cur = err.source();
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
        cause,
        detail: error_chain(&e),
        source: Some(e),
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
