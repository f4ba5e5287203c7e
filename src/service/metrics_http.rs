//! I/O edge: a tiny HTTP/1.1 responder for `[daemon] metrics_addr`.
//! `GET /metrics` answers Prometheus text ([`Metrics::render`](crate::service::metrics::Metrics::render) over the
//! fetcher's tally, the store's totals and the configured sources' error
//! streaks, read here at scrape time); `GET /healthz`
//! answers 200 while the scheduler loop beats and 503 once it stalled;
//! `GET /feeds/ID.atom` and `/feeds/ID.json` answer a topic feed as last
//! written (see [`feeds`](crate::service::feeds)), with a strong ETag and
//! 304 to an `If-None-Match` that names it.
//! One request per connection, bounded reads, nothing else served.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tracing::{info, warn};

use crate::net::tally::FetchTally;
use crate::service::feeds::{self, FeedFormat};
use crate::service::metrics::{DbTotals, Readings, METRICS};
use crate::store::Store;

/// Largest request head read.
const MAX_HEAD: usize = 8 * 1024;
/// Time a client has to send its request head.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// What a scrape reads that a reload replaces: the source ids whose
/// streaks are reported and the tally of the fetcher in use.
#[derive(Debug, Default)]
pub struct Watched {
    /// Configured source ids, in config order.
    pub sources: Vec<String>,
    /// The fetch outcomes of the daemon's fetcher.
    pub fetches: Arc<FetchTally>,
    /// Where the topic feeds are written.
    pub feeds_dir: PathBuf,
    /// The topics with `feed = true`: the only feeds served.
    pub feeds: Vec<String>,
}

/// [`Watched`], shared with the daemon, which replaces it on reload.
pub type WatchedHandle = Arc<RwLock<Watched>>;

/// Binds `addr` and serves in a background task until the process exits.
/// Binding fails loudly (the operator asked for metrics on that address).
pub async fn serve(
    addr: SocketAddr,
    store: Arc<Store>,
    watched: WatchedHandle,
) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    info!(addr = %bound, "serving /metrics, /healthz and /feeds/");
    tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((conn, _)) => {
                    let (store, watched) = (store.clone(), watched.clone());
                    tokio::spawn(async move {
                        if let Err(e) = answer(conn, &store, &watched).await {
                            warn!(error = %e, "metrics request failed");
                        }
                    });
                }
                Err(e) => {
                    warn!(error = %e, "metrics accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    });
    Ok(bound)
}

async fn answer(
    mut conn: TcpStream,
    store: &Arc<Store>,
    watched: &WatchedHandle,
) -> std::io::Result<()> {
    let mut head = Vec::with_capacity(512);
    let mut buf = [0u8; 1024];
    let read = async {
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
            let n = conn.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
        Ok::<_, std::io::Error>(())
    };
    if tokio::time::timeout(READ_TIMEOUT, read).await.is_err() {
        return Ok(());
    }
    let head = String::from_utf8_lossy(&head);
    let mut parts = head.lines().next().unwrap_or("").split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let reply = match (method, path.split('?').next().unwrap_or("")) {
        ("GET", "/metrics") => {
            let store = store.clone();
            let (ids, tally) = {
                let w = watched.read().unwrap_or_else(|p| p.into_inner());
                (w.sources.clone(), w.fetches.clone())
            };
            let text = tokio::task::spawn_blocking(move || scrape(&store, ids, &tally))
                .await
                .unwrap_or_default();
            Reply::new("200 OK", "text/plain; version=0.0.4; charset=utf-8", text)
        }
        ("GET", "/healthz") => match METRICS.loop_health() {
            Ok(()) => Reply::new("200 OK", "text/plain; charset=utf-8", "ok\n"),
            Err(why) => Reply::new(
                "503 Service Unavailable",
                "text/plain; charset=utf-8",
                format!("{why}\n"),
            ),
        },
        ("GET", path) if path.starts_with("/feeds/") => {
            feed(&path["/feeds/".len()..], &head, watched).await
        }
        ("GET", _) => Reply::new("404 Not Found", "text/plain", "not found\n"),
        _ => Reply::new("405 Method Not Allowed", "text/plain", "GET only\n"),
    };
    let etag = reply
        .etag
        .as_ref()
        .map_or(String::new(), |t| format!("ETag: {t}\r\n"));
    // A 304 has no body, and a Content-Length there would have to be the
    // 200's (RFC 9110, 8.6): left out.
    let length = if reply.status.starts_with("304") {
        String::new()
    } else {
        format!("Content-Length: {}\r\n", reply.body.len())
    };
    let head = format!(
        "HTTP/1.1 {}\r\nContent-Type: {}\r\n{etag}{length}Connection: close\r\n\r\n",
        reply.status, reply.content_type,
    );
    conn.write_all(head.as_bytes()).await?;
    conn.write_all(&reply.body).await?;
    conn.shutdown().await
}

/// One response.
struct Reply {
    status: &'static str,
    content_type: &'static str,
    etag: Option<String>,
    body: Vec<u8>,
}

impl Reply {
    fn new(status: &'static str, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status,
            content_type,
            etag: None,
            body: body.into(),
        }
    }
}

/// `/feeds/NAME`: the feed file of a topic with `feed = true`, as last
/// written, or 304 when the request's `If-None-Match` names its ETag. Only
/// configured topics are looked up, so no request names any other file.
async fn feed(name: &str, head: &str, watched: &WatchedHandle) -> Reply {
    let not_found = || Reply::new("404 Not Found", "text/plain", "no such feed\n");
    let Some((id, format)) = name
        .rsplit_once('.')
        .and_then(|(id, ext)| Some((id, FeedFormat::of_extension(ext)?)))
    else {
        return not_found();
    };
    let path = {
        let w = watched.read().unwrap_or_else(|p| p.into_inner());
        if !w.feeds.iter().any(|f| f == id) {
            return not_found();
        }
        feeds::feed_path(&w.feeds_dir, id, format)
    };
    let bytes = match tokio::fs::read(&path).await {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Reply::new(
                "404 Not Found",
                "text/plain",
                "feed not written yet: it is written after the next poll pass\n",
            )
        }
        Err(e) => {
            warn!(path = %path.display(), error = %e, "cannot read topic feed");
            return Reply::new(
                "500 Internal Server Error",
                "text/plain",
                "cannot read the feed\n",
            );
        }
    };
    let etag = feeds::etag(&bytes);
    let matched = header(head, "if-none-match").is_some_and(|v| feeds::none_match_hits(v, &etag));
    let mut reply = if matched {
        Reply::new("304 Not Modified", format.content_type(), Vec::new())
    } else {
        Reply::new("200 OK", format.content_type(), bytes)
    };
    reply.etag = Some(etag);
    reply
}

/// The value of the request header `name` (lowercase), if sent.
fn header<'h>(head: &'h str, name: &str) -> Option<&'h str> {
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then_some(value.trim())
    })
}

/// Reads the store and `tally` and renders `/metrics` (blocking).
fn scrape(store: &Store, ids: Vec<String>, tally: &FetchTally) -> String {
    let stats = store
        .stats()
        .map_err(|e| warn!(error = %e, "metrics: store totals"))
        .ok();
    let states = store.source_states().unwrap_or_default();
    let streaks: Vec<(String, u32)> = ids
        .into_iter()
        .map(|id| {
            let streak = states.get(&id).map_or(0, |s| s.error_streak);
            (id, streak)
        })
        .collect();
    let fetches = tally.by_outcome();
    METRICS.render(&Readings {
        fetches: &fetches,
        fetched_bytes: tally.bytes(),
        db: stats.as_ref().map(|s| DbTotals {
            articles: s.articles,
            revisions: s.revisions,
            digests: &s.digests,
        }),
        streaks: &streaks,
    })
}
