//! Enforces [`address_policy`](crate::net::address_policy) inside the
//! HTTP client, before any connection is made: a DNS resolver that drops
//! non-public addresses unless the name is looked up for a request on a
//! configured origin (checked on the resolved address, so DNS rebinding
//! gains nothing), and a redirect policy that refuses non-http(s) schemes,
//! long chains and IP literals outside the configured origins. `fetch`
//! owns the client; this module owns the rules it is built with.
//!
//! A resolver is only told a name, not the port or scheme it is wanted
//! for, so each request runs inside [`on_hop`]: a task-local slot holding
//! the URL being connected to (the request's, then each redirect's, set by
//! the redirect policy), which the resolver reads when it is asked. The
//! HTTP client resolves inside the request's own task; outside one (no
//! slot), a name is judged like any other.

use std::cell::RefCell;
use std::collections::HashSet;
use std::future::Future;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::{Arc, RwLock};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Url;

use crate::net::address_policy::{self, Origins};

/// Most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 5;

/// What the sources allow, shared by the resolver, the redirect policy and
/// the fetcher. Replaced as a whole on reload.
#[derive(Debug, Default)]
pub struct Guard {
    /// False until sources (or an origin) are configured: a bare client
    /// (tests of the fetcher alone) is not restricted.
    pub enforce: bool,
    /// Configured origins, which may be on non-public addresses.
    pub origins: Origins,
    /// Origins whose sources set `robots = false`.
    pub robots_off: HashSet<String>,
}

/// The guard as the client's parts share it.
pub type SharedGuard = Arc<RwLock<Guard>>;

/// Reads the guard even if a panicking thread poisoned the lock.
pub fn read(guard: &SharedGuard) -> std::sync::RwLockReadGuard<'_, Guard> {
    guard.read().unwrap_or_else(|p| p.into_inner())
}

/// A connection refused by the address policy; found in reqwest's error
/// chain by `fetch` to report [`FetchError::Refused`](crate::net::fetch::FetchError::Refused).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// A host name that did not resolve; found in reqwest's error chain by
/// `fetch` to say "no such host" rather than a generic connect error.
#[derive(Debug, thiserror::Error)]
#[error("{host}: {source}")]
pub struct LookupFailed {
    /// The name looked up.
    pub host: String,
    /// What the system resolver said.
    #[source]
    pub source: std::io::Error,
}

tokio::task_local! {
    /// The URL the current request is connecting to: its own, then each
    /// redirect's.
    static HOP: RefCell<Url>;
}

/// Runs `request` (one exchange, redirects included) with `url` as the
/// URL its host names are looked up for.
pub async fn on_hop<F: Future>(url: &Url, request: F) -> F::Output {
    HOP.scope(RefCell::new(url.clone()), request).await
}

/// The current request's URL, if the caller runs inside [`on_hop`].
fn current_hop() -> Option<Url> {
    HOP.try_with(|hop| hop.borrow().clone()).ok()
}

/// Checks `url` (an IP-literal host) against the guard.
pub fn check_url(guard: &SharedGuard, url: &Url) -> Result<(), Refused> {
    let g = read(guard);
    if !g.enforce {
        return Ok(());
    }
    address_policy::check_url(url, &g.origins).map_err(Refused)
}

/// The system resolver, filtered by the address policy.
pub struct GuardedResolver {
    guard: SharedGuard,
}

impl GuardedResolver {
    /// A resolver that consults `guard` on every lookup.
    pub fn new(guard: SharedGuard) -> Self {
        GuardedResolver { guard }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = self.guard.clone();
        let host = name.as_str().to_owned();
        // Read now, in the request's task: the lookup runs on its own.
        let hop = current_hop();
        Box::pin(async move {
            let lookup = host.clone();
            let addrs: Vec<SocketAddr> = tokio::task::spawn_blocking(move || {
                (lookup.as_str(), 0)
                    .to_socket_addrs()
                    .map(Iterator::collect)
                    .map_err(|source| LookupFailed {
                        host: lookup.clone(),
                        source,
                    })
            })
            .await??;
            let trusted = {
                let g = read(&guard);
                !g.enforce
                    || hop
                        .as_ref()
                        .is_some_and(|url| g.origins.trusts_lookup(&host, url))
            };
            if trusted {
                return Ok(Box::new(addrs.into_iter()) as Addrs);
            }
            let mut refused = None;
            let public: Vec<SocketAddr> = addrs
                .into_iter()
                .filter(|a| match address_policy::non_public(a.ip()) {
                    Some(class) => {
                        refused = Some((a.ip(), class));
                        false
                    }
                    None => true,
                })
                .collect();
            match (public.is_empty(), refused) {
                (true, Some((ip, class))) => Err(Box::new(Refused(format!(
                    "{host} resolves to the {class} address {ip}, outside the configured origins"
                ))) as _),
                _ => Ok(Box::new(public.into_iter()) as Addrs),
            }
        })
    }
}

/// At most [`MAX_REDIRECTS`] hops, http/https only, and no hop to an IP
/// literal that the address policy refuses.
pub fn redirect_policy(guard: SharedGuard) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            let msg = format!("more than {MAX_REDIRECTS} redirects");
            return attempt.error(msg);
        }
        match attempt.url().scheme() {
            "http" | "https" => {}
            other => {
                let msg = format!("redirect to a {other}: URL");
                return attempt.error(msg);
            }
        }
        match check_url(&guard, attempt.url()) {
            Ok(()) => {
                // The next lookup is for this hop's origin.
                let _ = HOP.try_with(|hop| *hop.borrow_mut() = attempt.url().clone());
                attempt.follow()
            }
            Err(refused) => attempt.error(refused),
        }
    })
}
