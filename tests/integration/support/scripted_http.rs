//! A small HTTP/1.1 server on 127.0.0.1 whose answers come from a closure
//! (any status, any headers) and that counts requests in flight: the most
//! that were ever being answered at once, per server. Every response is
//! held for a configurable time before it is written (so overlapping
//! requests really overlap) and closes its connection. Each request's
//! arrival time is kept, so a test can measure the gaps between requests
//! at the server.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// What the server sends back for one request.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Extra headers (`Content-Length` and `Connection` are added).
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Reply {
    /// A reply with `status`, no extra headers and a short body.
    pub fn status(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: format!("status {status}\n").into_bytes(),
        }
    }

    /// 200 with `body` of type `content_type`.
    pub fn ok(body: Vec<u8>, content_type: &str) -> Self {
        Reply {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

type Handler = dyn Fn(&str) -> Reply + Send + Sync;

struct Shared {
    handler: Box<Handler>,
    hold: Duration,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    accepted: AtomicUsize,
    paths: Mutex<Vec<(String, Instant)>>,
    stopped: AtomicBool,
}

/// The server; stops when dropped.
pub struct ScriptedHttp {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<thread::JoinHandle<()>>,
}

impl ScriptedHttp {
    /// Binds `bind` (e.g. `127.0.0.1:0`, `[::1]:0`, `127.0.0.2:0`),
    /// answers every request with `handler(path)` after holding it `hold`.
    pub fn start_on(
        bind: &str,
        hold: Duration,
        handler: impl Fn(&str) -> Reply + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(bind)?;
        let addr = listener.local_addr()?;
        assert!(addr.ip().is_loopback(), "tests bind loopback only: {addr}");
        let shared = Arc::new(Shared {
            handler: Box::new(handler),
            hold,
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            accepted: AtomicUsize::new(0),
            paths: Mutex::new(Vec::new()),
            stopped: AtomicBool::new(false),
        });
        let s = Arc::clone(&shared);
        let acceptor = thread::spawn(move || {
            for conn in listener.incoming() {
                if s.stopped.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = conn else { continue };
                s.accepted.fetch_add(1, Ordering::SeqCst);
                let s = Arc::clone(&s);
                thread::spawn(move || serve(stream, &s));
            }
        });
        Ok(ScriptedHttp {
            addr,
            shared,
            acceptor: Some(acceptor),
        })
    }

    /// On `127.0.0.1:0`.
    pub fn start(hold: Duration, handler: impl Fn(&str) -> Reply + Send + Sync + 'static) -> Self {
        Self::start_on("127.0.0.1:0", hold, handler).expect("bind 127.0.0.1:0")
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Most requests ever answered at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }

    /// TCP connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// Request paths in arrival order.
    pub fn paths(&self) -> Vec<String> {
        self.arrivals().into_iter().map(|(p, _)| p).collect()
    }

    /// Request paths with the time each request's head was read, in
    /// arrival order.
    pub fn arrivals(&self) -> Vec<(String, Instant)> {
        self.shared.paths.lock().unwrap().clone()
    }
}

impl Drop for ScriptedHttp {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(a) = self.acceptor.take() {
            let _ = a.join();
        }
    }
}

fn serve(stream: TcpStream, s: &Shared) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(r) => r,
        Err(_) => return,
    });
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let path = line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .split('?')
        .next()
        .unwrap_or("/")
        .to_string();
    let arrived = Instant::now();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" || h == "\n" {
            break;
        }
    }
    let now = s.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    s.max_in_flight.fetch_max(now, Ordering::SeqCst);
    s.paths.lock().unwrap().push((path.clone(), arrived));
    let reply = (s.handler)(&path);
    thread::sleep(s.hold);
    // Out of flight before the first response byte: the client cannot
    // start its next request before it has this response, so the count
    // never overlaps two requests that a client made one after the other.
    s.in_flight.fetch_sub(1, Ordering::SeqCst);
    let mut out = format!("HTTP/1.1 {} X\r\n", reply.status);
    for (k, v) in &reply.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        reply.body.len()
    ));
    let mut w = &stream;
    let _ = w.write_all(out.as_bytes());
    let _ = w.write_all(&reply.body);
    let _ = w.flush();
    let _ = stream.shutdown(Shutdown::Both);
}
