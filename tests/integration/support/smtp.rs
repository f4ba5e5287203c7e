//! A real SMTP server on 127.0.0.1 that records every message it accepts.
//!
//! The protocol is `mailin`'s SMTP state machine (the engine inside
//! `mailin-embedded`); this file only supplies the socket loop. We do not use
//! `mailin_embedded::Server` itself because its `serve()` loops over
//! `listener.incoming()` for ever: it cannot be stopped, so its port would stay
//! bound after the test and "SMTP down, then up" on one port could not be
//! written. Here dropping [`SmtpServer`] stops accepting, closes open
//! sessions and joins every thread.
//!
//! Plain SMTP only (no STARTTLS, no AUTH): the daemon is configured with
//! `smtp_tls = "none"` in tests. A message is recorded when the final `.`
//! arrives, before the `250` goes back, so when the client's send returns
//! the message is already in [`SmtpServer::messages`].

use std::io::{self, BufRead, BufReader, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use mailin::{Action, Handler, Response, SessionBuilder};

use super::server::{lock, Tracker};

/// One message the server accepted.
#[derive(Clone, Debug)]
pub struct Received {
    /// Envelope sender (`MAIL FROM`).
    pub from: String,
    /// Envelope recipients (`RCPT TO`).
    pub to: Vec<String>,
    /// The message as received after the DATA command (headers and body,
    /// dot-unstuffed, CRLF line ends).
    pub data: Vec<u8>,
}

#[derive(Default)]
struct Shared {
    messages: Mutex<Vec<Received>>,
    cv: Condvar,
    conns: Tracker,
    /// Connections accepted.
    sessions: AtomicUsize,
    /// `MAIL FROM` commands accepted: transactions begun.
    transactions: AtomicUsize,
}

/// Per-session handler: collects one transaction at a time.
#[derive(Clone)]
struct Recorder {
    shared: Arc<Shared>,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Recorder {
    fn mail(&mut self, _ip: IpAddr, _domain: &str, _from: &str) -> Response {
        self.shared.transactions.fetch_add(1, Ordering::SeqCst);
        mailin::response::OK
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.from = from.to_string();
        self.to = to.to_vec();
        self.data.clear();
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let msg = Received {
            from: std::mem::take(&mut self.from),
            to: std::mem::take(&mut self.to),
            data: std::mem::take(&mut self.data),
        };
        lock(&self.shared.messages).push(msg);
        self.shared.cv.notify_all();
        mailin::response::OK
    }
}

/// The server; stops when dropped.
pub struct SmtpServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl SmtpServer {
    /// Starts on a free port of 127.0.0.1.
    pub fn start() -> Self {
        Self::start_on(0).expect("bind 127.0.0.1:0")
    }

    /// Starts on `127.0.0.1:port` (e.g. a port a test reserved earlier and
    /// left closed, to bring "the SMTP server" up).
    pub fn start_on(port: u16) -> io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let s = Arc::clone(&shared);
        let acceptor = thread::Builder::new()
            .name("smtp-accept".into())
            .spawn(move || accept_loop(listener, s))?;
        Ok(SmtpServer {
            addr,
            shared,
            acceptor: Some(acceptor),
        })
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every message accepted so far.
    pub fn messages(&self) -> Vec<Received> {
        lock(&self.shared.messages).clone()
    }

    /// How many messages were accepted so far.
    pub fn count(&self) -> usize {
        lock(&self.shared.messages).len()
    }

    /// Connections accepted so far.
    pub fn sessions(&self) -> usize {
        self.shared.sessions.load(Ordering::SeqCst)
    }

    /// Transactions begun (`MAIL FROM` accepted) so far; each ends with a
    /// message in [`SmtpServer::messages`] unless the client went away.
    pub fn transactions(&self) -> usize {
        self.shared.transactions.load(Ordering::SeqCst)
    }

    /// Waits until the server has dealt with every client that connected
    /// before now: a probe connection is accepted after them (accept is
    /// first come, first served) and greeted, then every session ends
    /// (a killed client's with EOF). Afterwards [`SmtpServer::sessions`],
    /// [`SmtpServer::transactions`] and the messages are final for those
    /// clients. False if that takes longer than `timeout`.
    pub fn settle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let Ok(probe) = TcpStream::connect(self.addr) else {
            return false;
        };
        let _ = probe.set_read_timeout(Some(timeout));
        let mut greeting = String::new();
        if BufReader::new(&probe).read_line(&mut greeting).is_err() {
            return false;
        }
        let _ = (&probe).write_all(b"QUIT\r\n");
        drop(probe);
        self.shared.sessions.fetch_sub(1, Ordering::SeqCst);
        while self.shared.conns.open() > 0 {
            if Instant::now() >= deadline {
                return false;
            }
            thread::sleep(Duration::from_millis(2));
        }
        true
    }

    /// Waits until at least `n` messages arrived or `timeout` passed.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        let mut msgs = lock(&self.shared.messages);
        loop {
            let now = Instant::now();
            if msgs.len() >= n || now >= deadline {
                return msgs.clone();
            }
            msgs = self
                .shared
                .cv
                .wait_timeout(msgs, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.shared.conns.shut_down(self.addr, self.acceptor.take());
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let builder = SessionBuilder::new("reformwatch-test-smtp");
    for conn in listener.incoming() {
        if shared.conns.is_stopped() {
            return;
        }
        let Ok(stream) = conn else { continue };
        let Some(id) = shared.conns.track(&stream) else {
            continue;
        };
        shared.sessions.fetch_add(1, Ordering::SeqCst);
        let s = Arc::clone(&shared);
        let b = builder.clone();
        shared.conns.spawn("smtp-conn", move || {
            let _ = session(stream, &b, &s);
            s.conns.close(id);
        });
    }
}

fn session(stream: TcpStream, builder: &SessionBuilder, shared: &Arc<Shared>) -> io::Result<()> {
    let remote = stream
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut w = stream;
    let handler = Recorder {
        shared: Arc::clone(shared),
        from: String::new(),
        to: Vec::new(),
        data: Vec::new(),
    };
    let mut session = builder.build(remote, handler);
    session.greeting().write_to(&mut w)?;
    w.flush()?;
    let mut line = Vec::with_capacity(128);
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let res = session.process(&line);
        match res.action {
            Action::Reply => {
                res.write_to(&mut w)?;
                w.flush()?;
            }
            Action::Close | Action::UpgradeTls => {
                res.write_to(&mut w)?;
                w.flush()?;
                return Ok(());
            }
            Action::NoReply => {}
        }
    }
}

/// A port on 127.0.0.1 that was free a moment ago and has nothing listening
/// on it now (bound, read, released). Connecting to it is refused until a
/// test starts a server there.
pub fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local_addr").port()
}
