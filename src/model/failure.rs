//! What kind of failure a source or a page met: kept beside the error
//! text, so metrics can count kinds and `sources` can say what to do about
//! the ones operators meet most.

use std::fmt;

/// The kind of a failed fetch, read or write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// The host name could not be resolved.
    Dns,
    /// Nothing listens on the port (connection refused).
    ConnectionRefused,
    /// A connect or total timeout fired.
    Timeout,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// The connection failed or broke some other way.
    Transport,
    /// The server answered with an error status.
    Status,
    /// The body passed the size cap.
    TooLarge,
    /// A redirect was refused (too many, or to a non-http scheme).
    Redirect,
    /// The address policy refused a non-public address.
    Blocked,
    /// robots.txt disallows the URL, or could not be fetched.
    Robots,
    /// The document is not a usable feed.
    NotAFeed,
    /// A listing's rules found no article link, or a page's body came out
    /// far shorter than usual: the site's layout changed.
    LayoutDrift,
    /// An article page gave no article.
    Extract,
    /// The database failed.
    Store,
    /// A bug: the source's task panicked.
    Internal,
}

impl FailureKind {
    /// The stored and exported name.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Dns => "dns",
            FailureKind::ConnectionRefused => "refused",
            FailureKind::Timeout => "timeout",
            FailureKind::Tls => "tls",
            FailureKind::Transport => "transport",
            FailureKind::Status => "status",
            FailureKind::TooLarge => "too_large",
            FailureKind::Redirect => "redirect",
            FailureKind::Blocked => "blocked",
            FailureKind::Robots => "robots",
            FailureKind::NotAFeed => "not_a_feed",
            FailureKind::LayoutDrift => "layout_drift",
            FailureKind::Extract => "extract",
            FailureKind::Store => "store",
            FailureKind::Internal => "internal",
        }
    }

    /// The kind stored under `name`, if any.
    pub fn from_name(name: &str) -> Option<FailureKind> {
        ALL.iter().copied().find(|k| k.as_str() == name)
    }

    /// What an operator can do about it, for the kinds met most.
    pub fn hint(self) -> Option<&'static str> {
        Some(match self {
            FailureKind::Dns => {
                "the host name does not resolve: check the URL's spelling and the machine's DNS"
            }
            FailureKind::ConnectionRefused => {
                "nothing answers on that port: the site may be down or the port wrong"
            }
            FailureKind::Timeout => {
                "the site is slow or unreachable: it is retried with backoff; raise `timeout` if it is always slow"
            }
            FailureKind::Tls => {
                "the TLS handshake failed: the site's certificate may be expired or for another name"
            }
            FailureKind::Blocked => {
                "the address is not public: only a configured source's own origin may be on a private address"
            }
            FailureKind::Robots => {
                "robots.txt keeps us out: ask the site, or set `robots = false` if you may ignore it"
            }
            FailureKind::LayoutDrift => {
                "the page layout changed: run `reformwatch test-source ID` and fix the source's selectors"
            }
            FailureKind::NotAFeed => {
                "the URL does not serve a feed: check it, or use `kind = \"html\"` with selectors"
            }
            _ => return None,
        })
    }
}

const ALL: [FailureKind; 15] = [
    FailureKind::Dns,
    FailureKind::ConnectionRefused,
    FailureKind::Timeout,
    FailureKind::Tls,
    FailureKind::Transport,
    FailureKind::Status,
    FailureKind::TooLarge,
    FailureKind::Redirect,
    FailureKind::Blocked,
    FailureKind::Robots,
    FailureKind::NotAFeed,
    FailureKind::LayoutDrift,
    FailureKind::Extract,
    FailureKind::Store,
    FailureKind::Internal,
];

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_name() {
        for k in ALL {
            assert_eq!(FailureKind::from_name(k.as_str()), Some(k));
        }
        assert_eq!(FailureKind::from_name("nonsense"), None);
    }
}
