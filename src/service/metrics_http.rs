//! I/O edge: a tiny HTTP/1.1 responder for `[daemon] metrics_addr`.
//! `GET /metrics` answers Prometheus text ([`Metrics::render`](crate::service::metrics::Metrics::render) over the
//! fetcher's tally, the store's totals and the configured sources' error
//! streaks, read here at scrape time); `GET /healthz`
//! answers 200 while the scheduler loop beats and 503 once it stalled.
//! One request per connection, bounded reads, nothing else served.

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tracing::{info, warn};

use crate::net::tally::FetchTally;
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
    info!(addr = %bound, "serving /metrics and /healthz");
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
    let line = String::from_utf8_lossy(&head);
    let mut parts = line.lines().next().unwrap_or("").split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (status, content_type, body) = match (method, path.split('?').next().unwrap_or("")) {
        ("GET", "/metrics") => {
            let store = store.clone();
            let (ids, tally) = {
                let w = watched.read().unwrap_or_else(|p| p.into_inner());
                (w.sources.clone(), w.fetches.clone())
            };
            let text = tokio::task::spawn_blocking(move || scrape(&store, ids, &tally))
                .await
                .unwrap_or_default();
            ("200 OK", "text/plain; version=0.0.4; charset=utf-8", text)
        }
        ("GET", "/healthz") => match METRICS.loop_health() {
            Ok(()) => ("200 OK", "text/plain; charset=utf-8", "ok\n".to_owned()),
            Err(why) => (
                "503 Service Unavailable",
                "text/plain; charset=utf-8",
                format!("{why}\n"),
            ),
        },
        ("GET", _) => ("404 Not Found", "text/plain", "not found\n".to_owned()),
        _ => (
            "405 Method Not Allowed",
            "text/plain",
            "GET only\n".to_owned(),
        ),
    };
    let reply = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    conn.write_all(reply.as_bytes()).await?;
    conn.shutdown().await
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
