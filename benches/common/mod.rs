//! What the poll and re-check benchmarks share: a keep-alive loopback HTTP
//! server that answers conditional GETs from a fixed table, a bare-client
//! baseline, and a runner that reads the real binary's CPU time and peak
//! RSS. Bench binaries only; nothing here is part of the crate.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One resource the server answers for a path.
pub struct Served {
    /// The 200 body, sent as is.
    pub body: Vec<u8>,
    /// The `Content-Type` header of a 200.
    pub content_type: &'static str,
    /// The ETag; an `If-None-Match` equal to it gets a 304.
    pub etag: String,
}

/// How many 200s and 304s the server has answered.
#[derive(Default)]
pub struct Counters {
    /// 200 answers.
    pub ok: AtomicUsize,
    /// 304 answers.
    pub not_modified: AtomicUsize,
}

/// Binds `hosts` listeners on 127.0.0.1 (the fetcher keys its per-host
/// limit on host and port, so each is a separate host) serving `table`,
/// and returns their ports.
pub fn listen(
    rt: &tokio::runtime::Runtime,
    hosts: usize,
    table: Arc<HashMap<String, Served>>,
    counters: Arc<Counters>,
) -> Vec<u16> {
    rt.block_on(async {
        let mut ports = Vec::new();
        for _ in 0..hosts {
            let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
            ports.push(l.local_addr().unwrap().port());
            tokio::spawn(serve(l, table.clone(), counters.clone()));
        }
        ports
    })
}

/// Answers keep-alive GETs on `listener` from `table` until the process ends.
async fn serve(
    listener: TcpListener,
    table: Arc<HashMap<String, Served>>,
    counters: Arc<Counters>,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let table = table.clone();
        let counters = counters.clone();
        tokio::spawn(async move {
            let (r, mut w) = stream.into_split();
            let mut reader = BufReader::new(r);
            loop {
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).await.unwrap_or(0) == 0 {
                    return;
                }
                let path = request_line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .to_string();
                let (mut inm, mut content_length) = (None, 0usize);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some((k, v)) = line.split_once(':') {
                        match k.trim().to_ascii_lowercase().as_str() {
                            "if-none-match" => inm = Some(v.trim().to_string()),
                            "content-length" => content_length = v.trim().parse().unwrap_or(0),
                            _ => {}
                        }
                    }
                }
                if content_length > 0 {
                    let mut sink = vec![0u8; content_length];
                    let _ = reader.read_exact(&mut sink).await;
                }
                let response = match table.get(&path) {
                    Some(f) if inm.as_deref() == Some(f.etag.as_str()) => {
                        counters.not_modified.fetch_add(1, Ordering::Relaxed);
                        format!(
                            "HTTP/1.1 304 Not Modified\r\nETag: {}\r\nContent-Length: 0\r\n\r\n",
                            f.etag
                        )
                        .into_bytes()
                    }
                    Some(f) => {
                        counters.ok.fetch_add(1, Ordering::Relaxed);
                        let mut out = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nETag: {}\r\nContent-Length: {}\r\n\r\n",
                            f.content_type,
                            f.etag,
                            f.body.len()
                        )
                        .into_bytes();
                        out.extend_from_slice(&f.body);
                        out
                    }
                    None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec(),
                };
                if w.write_all(&response).await.is_err() {
                    return;
                }
            }
        });
    }
}

/// Wall and CPU time and peak RSS of one run of the binary.
pub struct Usage {
    /// Wall time from spawn to exit.
    pub wall: Duration,
    /// User plus system CPU time.
    pub cpu: Duration,
    /// Peak resident set size in KiB.
    pub max_rss_kib: i64,
}

/// Runs the real binary and reads its own CPU time and peak RSS via wait4.
pub fn run_binary(args: &[&str], stderr: Stdio) -> Usage {
    let start = Instant::now();
    // BENCH_WRAP="valgrind --tool=callgrind" runs the binary under a tool
    // (for instruction counts); the figures printed are then the tool's.
    let wrap = std::env::var("BENCH_WRAP").unwrap_or_default();
    let mut words = wrap.split_whitespace();
    let mut command = match words.next() {
        Some(tool) => {
            let mut c = std::process::Command::new(tool);
            c.args(words).arg(env!("CARGO_BIN_EXE_reformwatch"));
            c
        }
        None => std::process::Command::new(env!("CARGO_BIN_EXE_reformwatch")),
    };
    // Reaped by wait4 below, which clippy cannot see.
    #[allow(clippy::zombie_processes)]
    let child = command
        .args(args)
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("spawn reformwatch");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data that wait4 fills in for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(rc, pid, "wait4 failed");
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, (t.tv_usec as u32) * 1000);
    Usage {
        wall,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss,
    }
}

/// The same GETs (64 in flight, conditional where an ETag is given) with a
/// bare reqwest client: no parsing, no store.
pub async fn bare_client(requests: &[(String, Option<String>)]) -> Duration {
    let client = reqwest::Client::builder().build().unwrap();
    let start = Instant::now();
    let sem = Arc::new(tokio::sync::Semaphore::new(64));
    let mut tasks = tokio::task::JoinSet::new();
    for (url, etag) in requests {
        let (client, url, etag, sem) = (client.clone(), url.clone(), etag.clone(), sem.clone());
        tasks.spawn(async move {
            let _p = sem.acquire().await.unwrap();
            let mut req = client.get(&url);
            if let Some(e) = etag {
                req = req.header("If-None-Match", e);
            }
            let resp = req.send().await.unwrap();
            let _ = resp.bytes().await.unwrap();
        });
    }
    while tasks.join_next().await.is_some() {}
    start.elapsed()
}

/// The value after `flag` on the command line, or `default`.
pub fn arg_usize(flag: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The single-worker runtime both benchmarks serve from.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}
