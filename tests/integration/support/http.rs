//! A small, real HTTP/1.1 server on `127.0.0.1:0` for the integration tests.
//!
//! Built on a raw `std::net::TcpListener` with one thread per connection, so a
//! route can do things a well-behaved framework would refuse to: hold a socket
//! without answering, stream an endless body, or trickle bytes.
//!
//! * Routes map a path (query string ignored) to a [`Route`]; [`HttpServer::route`]
//!   adds or swaps one at run time.
//! * [`Content`] routes do real conditional GET: `If-None-Match` (checked first)
//!   and `If-Modified-Since` produce `304 Not Modified` with no body.
//! * Every request is logged ([`Request`]: method, path, headers, status sent)
//!   and [`HttpServer::wait_for_requests`] waits on a condition variable, so a
//!   test never sleeps to find out whether a request has arrived.
//! * Dropping the server stops accepting, shuts down every open connection
//!   (which wakes held and streaming routes) and joins all its threads.
//!
//! The server only ever binds 127.0.0.1.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use flate2::write::GzEncoder;
use flate2::Compression;

use super::server::{lock, Tracker};

/// How a [`Content`] body goes on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// Sent as is, no `Content-Encoding`.
    Identity,
    /// Gzip-compressed on the fly when the request's `Accept-Encoding` allows it.
    Gzip,
    /// The body is already encoded; it is sent as is with this `Content-Encoding`,
    /// whatever the client asked for (used for decompression bombs).
    PreEncoded(String),
}

/// A document served with validators, answering conditional requests.
#[derive(Clone, Debug)]
pub struct Content {
    /// The bytes (before any on-the-fly gzip).
    pub body: Arc<[u8]>,
    /// The `Content-Type` header, e.g. `application/rss+xml; charset=gb2312`.
    pub content_type: String,
    /// The `ETag` header value, quotes included (e.g. `"v1"`).
    pub etag: Option<String>,
    /// The `Last-Modified` header value, an HTTP date.
    pub last_modified: Option<String>,
    /// How the body is encoded on the wire.
    pub encoding: Encoding,
}

impl Content {
    /// A plain 200 document with no validators.
    pub fn new(body: impl Into<Vec<u8>>, content_type: &str) -> Self {
        Content {
            body: Arc::from(body.into()),
            content_type: content_type.to_string(),
            etag: None,
            last_modified: None,
            encoding: Encoding::Identity,
        }
    }

    /// Sets the `ETag` (quotes are added when missing).
    pub fn etag(mut self, tag: &str) -> Self {
        self.etag = Some(if tag.starts_with('"') || tag.starts_with("W/") {
            tag.to_string()
        } else {
            format!("\"{tag}\"")
        });
        self
    }

    /// Sets `Last-Modified` (an HTTP date such as `Wed, 01 Jan 2025 00:00:00 GMT`).
    pub fn last_modified(mut self, http_date: &str) -> Self {
        self.last_modified = Some(http_date.to_string());
        self
    }

    /// Gzip the body on the fly for clients that accept gzip.
    pub fn gzip(mut self) -> Self {
        self.encoding = Encoding::Gzip;
        self
    }

    /// The body is already encoded with `encoding` (e.g. `"gzip"`).
    pub fn pre_encoded(mut self, encoding: &str) -> Self {
        self.encoding = Encoding::PreEncoded(encoding.to_string());
        self
    }

    /// An `ETag` derived from the body, so swapping the body changes it.
    pub fn etag_from_body(self) -> Self {
        let tag = format!("{:016x}", fnv1a(&self.body));
        self.etag(&tag)
    }
}

/// What a path answers.
#[derive(Clone, Debug)]
pub enum Route {
    /// 200 with conditional GET support.
    Content(Content),
    /// This status with a short text body (e.g. 500).
    Status(u16),
    /// Read the request, never write a byte, keep the socket open until the
    /// server is dropped.
    Silent,
    /// A body of zero bytes streamed in 64 KiB chunks, never held in memory:
    /// `Some(n)` sends `Content-Length: n`; `None` is chunked and endless.
    Zeros(Option<u64>),
    /// Headers at once (with the full `Content-Length`), then the body one
    /// byte every `every`. Interrupted when the server is dropped.
    Trickle {
        /// The body.
        body: Arc<[u8]>,
        /// Delay between bytes.
        every: Duration,
    },
}

impl Route {
    /// Shorthand for [`Route::Content`].
    pub fn content(c: Content) -> Self {
        Route::Content(c)
    }
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Request {
    /// `GET`, `HEAD`, …
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// Headers in arrival order; names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Status line sent back; `None` when the route never answered.
    pub status: Option<u16>,
}

impl Request {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// True when the server answered `304 Not Modified`.
    pub fn not_modified(&self) -> bool {
        self.status == Some(304)
    }

    /// True when the request carried `If-None-Match` or `If-Modified-Since`.
    pub fn is_conditional(&self) -> bool {
        self.header("if-none-match").is_some() || self.header("if-modified-since").is_some()
    }
}

#[derive(Default)]
struct Shared {
    routes: Mutex<HashMap<String, Route>>,
    log: Mutex<Vec<Request>>,
    log_cv: Condvar,
    /// Signalled when the server stops; pairs with `conns.stopped`.
    stop_cv: Condvar,
    conns: Tracker,
}

impl Shared {
    fn is_stopped(&self) -> bool {
        self.conns.is_stopped()
    }

    /// Waits up to `d` or until the server stops; true if stopped.
    fn wait_stop(&self, d: Option<Duration>) -> bool {
        let mut stopped = lock(&self.conns.stopped);
        match d {
            None => {
                while !*stopped {
                    stopped = self
                        .stop_cv
                        .wait(stopped)
                        .unwrap_or_else(|e| e.into_inner());
                }
                true
            }
            Some(d) => {
                let deadline = Instant::now() + d;
                while !*stopped {
                    let now = Instant::now();
                    if now >= deadline {
                        return false;
                    }
                    stopped = self
                        .stop_cv
                        .wait_timeout(stopped, deadline - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
                true
            }
        }
    }

    fn record(&self, req: &RawRequest, status: Option<u16>) {
        lock(&self.log).push(Request {
            method: req.method.clone(),
            path: req.path.clone(),
            headers: req.headers.clone(),
            status,
        });
        self.log_cv.notify_all();
    }
}

/// The server. Bound to `127.0.0.1:0`; stops when dropped.
pub struct HttpServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl HttpServer {
    /// Binds 127.0.0.1 on a free port and starts accepting.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local_addr");
        let shared = Arc::new(Shared::default());
        let s = Arc::clone(&shared);
        let acceptor = thread::Builder::new()
            .name("http-accept".into())
            .spawn(move || accept_loop(listener, s))
            .expect("spawn acceptor");
        HttpServer {
            addr,
            shared,
            acceptor: Some(acceptor),
        }
    }

    /// The bound address (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Adds the route, or swaps what `path` answers from now on.
    pub fn route(&self, path: &str, route: Route) {
        lock(&self.shared.routes).insert(path.to_string(), route);
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        lock(&self.shared.log).clone()
    }

    /// Requests for `path`, in arrival order.
    pub fn requests_to(&self, path: &str) -> Vec<Request> {
        lock(&self.shared.log)
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    /// Forgets the request log (e.g. between a first and a second poll).
    pub fn clear_log(&self) {
        lock(&self.shared.log).clear();
    }

    /// Waits until `path` has received at least `n` requests, or `timeout`
    /// has passed; returns the requests seen for `path`.
    pub fn wait_for_requests(&self, path: &str, n: usize, timeout: Duration) -> Vec<Request> {
        let deadline = Instant::now() + timeout;
        let mut log = lock(&self.shared.log);
        loop {
            let seen: Vec<Request> = log.iter().filter(|r| r.path == path).cloned().collect();
            let now = Instant::now();
            if seen.len() >= n || now >= deadline {
                return seen;
            }
            log = self
                .shared
                .log_cv
                .wait_timeout(log, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        // Wake the workers sleeping in a slow route before joining them.
        *lock(&self.shared.conns.stopped) = true;
        self.shared.stop_cv.notify_all();
        self.shared.conns.shut_down(self.addr, self.acceptor.take());
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for conn in listener.incoming() {
        if shared.is_stopped() {
            return;
        }
        let Ok(stream) = conn else { continue };
        let Some(id) = shared.conns.track(&stream) else {
            continue;
        };
        let s = Arc::clone(&shared);
        shared.conns.spawn("http-conn", move || {
            let _ = serve_connection(stream, &s);
            s.conns.close(id);
        });
    }
}

struct RawRequest {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
}

impl RawRequest {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one request head; `Ok(None)` on a clean EOF between requests.
fn read_request(r: &mut impl BufRead) -> io::Result<Option<RawRequest>> {
    let mut line = Vec::new();
    let mut total = 0usize;
    let mut head: Vec<String> = Vec::new();
    loop {
        line.clear();
        let n = r.read_until(b'\n', &mut line)?;
        if n == 0 {
            return if head.is_empty() {
                Ok(None)
            } else {
                Err(io::ErrorKind::UnexpectedEof.into())
            };
        }
        total += n;
        if total > 64 * 1024 {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "head too large"));
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if head.is_empty() {
                continue; // tolerate stray CRLF between requests
            }
            break;
        }
        head.push(text.to_string());
    }
    let mut parts = head[0].split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("/");
    let path = target.split('?').next().unwrap_or("/").to_string();
    let headers: Vec<(String, String)> = head[1..]
        .iter()
        .filter_map(|h| h.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let req = RawRequest {
        method,
        path,
        headers,
    };
    // Discard a request body, if any (tests only send GET/HEAD).
    if let Some(len) = req
        .header("content-length")
        .and_then(|v| v.parse::<u64>().ok())
    {
        io::copy(&mut r.take(len), &mut io::sink())?;
    }
    Ok(Some(req))
}

fn serve_connection(stream: TcpStream, shared: &Shared) -> io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut w = stream;
    while let Some(req) = read_request(&mut reader)? {
        if shared.is_stopped() {
            return Ok(());
        }
        let route = lock(&shared.routes).get(&req.path).cloned();
        let close = req
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let head_only = req.method.eq_ignore_ascii_case("HEAD");
        match route {
            None => {
                shared.record(&req, Some(404));
                simple(&mut w, 404, "Not Found", b"not found\n", head_only)?;
            }
            Some(Route::Status(code)) => {
                shared.record(&req, Some(code));
                let body = format!("status {code}\n");
                simple(&mut w, code, reason(code), body.as_bytes(), head_only)?;
            }
            Some(Route::Content(c)) => serve_content(&mut w, shared, &req, &c, head_only)?,
            Some(Route::Silent) => {
                shared.record(&req, None);
                shared.wait_stop(None);
                return Ok(());
            }
            Some(Route::Zeros(len)) => {
                shared.record(&req, Some(200));
                return stream_zeros(&mut w, shared, len);
            }
            Some(Route::Trickle { body, every }) => {
                shared.record(&req, Some(200));
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                w.write_all(head.as_bytes())?;
                w.flush()?;
                for b in body.iter() {
                    w.write_all(&[*b])?;
                    w.flush()?;
                    if shared.wait_stop(Some(every)) {
                        return Ok(());
                    }
                }
                return Ok(());
            }
        }
        if close {
            return Ok(());
        }
    }
    Ok(())
}

fn serve_content(
    w: &mut TcpStream,
    shared: &Shared,
    req: &RawRequest,
    c: &Content,
    head_only: bool,
) -> io::Result<()> {
    let mut validators = String::new();
    if let Some(e) = &c.etag {
        validators.push_str(&format!("ETag: {e}\r\n"));
    }
    if let Some(lm) = &c.last_modified {
        validators.push_str(&format!("Last-Modified: {lm}\r\n"));
    }
    if not_modified(req, c) {
        shared.record(req, Some(304));
        let head = format!(
            "HTTP/1.1 304 Not Modified\r\nDate: {}\r\n{validators}\r\n",
            http_date_now()
        );
        w.write_all(head.as_bytes())?;
        return w.flush();
    }
    shared.record(req, Some(200));
    let accepts_gzip = req
        .header("accept-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("gzip"));
    let (body, encoding): (std::borrow::Cow<'_, [u8]>, Option<String>) = match &c.encoding {
        Encoding::Identity => (c.body.as_ref().into(), None),
        Encoding::Gzip if accepts_gzip => (gzip(&c.body).into(), Some("gzip".into())),
        Encoding::Gzip => (c.body.as_ref().into(), None),
        Encoding::PreEncoded(e) => (c.body.as_ref().into(), Some(e.clone())),
    };
    let mut head = format!(
        "HTTP/1.1 200 OK\r\nDate: {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{validators}",
        http_date_now(),
        c.content_type,
        body.len()
    );
    if let Some(e) = encoding {
        head.push_str(&format!(
            "Content-Encoding: {e}\r\nVary: Accept-Encoding\r\n"
        ));
    }
    head.push_str("\r\n");
    w.write_all(head.as_bytes())?;
    if !head_only {
        w.write_all(&body)?;
    }
    w.flush()
}

/// RFC 9110 §13.1: `If-None-Match` wins; `If-Modified-Since` only without it.
fn not_modified(req: &RawRequest, c: &Content) -> bool {
    if let Some(inm) = req.header("if-none-match") {
        let Some(etag) = &c.etag else { return false };
        let strip = |t: &str| t.trim().trim_start_matches("W/").to_string();
        return inm
            .split(',')
            .any(|t| t.trim() == "*" || strip(t) == strip(etag));
    }
    if let (Some(ims), Some(lm)) = (req.header("if-modified-since"), &c.last_modified) {
        if ims.trim() == lm.trim() {
            return true;
        }
        if let (Ok(ims), Ok(lm)) = (
            chrono::DateTime::parse_from_rfc2822(ims),
            chrono::DateTime::parse_from_rfc2822(lm),
        ) {
            return lm <= ims;
        }
    }
    false
}

fn stream_zeros(w: &mut TcpStream, shared: &Shared, len: Option<u64>) -> io::Result<()> {
    const CHUNK: usize = 64 * 1024;
    let zeros = [0u8; CHUNK];
    match len {
        Some(n) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {n}\r\nConnection: close\r\n\r\n"
            );
            w.write_all(head.as_bytes())?;
            let mut left = n;
            while left > 0 && !shared.is_stopped() {
                let k = left.min(CHUNK as u64) as usize;
                w.write_all(&zeros[..k])?;
                left -= k as u64;
            }
        }
        None => {
            w.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
            )?;
            let size = format!("{CHUNK:x}\r\n");
            while !shared.is_stopped() {
                w.write_all(size.as_bytes())?;
                w.write_all(&zeros)?;
                w.write_all(b"\r\n")?;
            }
        }
    }
    w.flush()
}

fn simple(
    w: &mut TcpStream,
    code: u16,
    reason: &str,
    body: &[u8],
    head_only: bool,
) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 {code} {reason}\r\nDate: {}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
        http_date_now(),
        body.len()
    );
    w.write_all(head.as_bytes())?;
    if !head_only {
        w.write_all(body)?;
    }
    w.flush()
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        304 => "Not Modified",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

fn http_date_now() -> String {
    chrono::Utc::now()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).expect("gzip in memory");
    e.finish().expect("gzip in memory")
}

fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Uncompressed size of [`gzip_bomb`]: 200 MiB of zeros.
pub const GZIP_BOMB_EXPANDED: u64 = 200 * 1024 * 1024;

/// A gzip member that expands to [`GZIP_BOMB_EXPANDED`] zero bytes (about
/// 200 KiB compressed). Built once per test process, streaming 1 MiB at a time.
pub fn gzip_bomb() -> Arc<[u8]> {
    static BOMB: OnceLock<Arc<[u8]>> = OnceLock::new();
    BOMB.get_or_init(|| {
        let mut e = GzEncoder::new(Vec::new(), Compression::best());
        let mb = vec![0u8; 1024 * 1024];
        for _ in 0..(GZIP_BOMB_EXPANDED / mb.len() as u64) {
            e.write_all(&mb).expect("gzip in memory");
        }
        Arc::from(e.finish().expect("gzip in memory"))
    })
    .clone()
}

/// Serves the gzip bomb as an RSS document with `Content-Encoding: gzip`.
pub fn gzip_bomb_route() -> Route {
    let content = Content {
        body: gzip_bomb(),
        ..Content::new(Vec::new(), "application/rss+xml")
    };
    Route::Content(content.pre_encoded("gzip"))
}
