//! A scriptable raw-TCP SMTP server on 127.0.0.1 for fault tests
//! (RELIABILITY.md A1–A5): it can greet with 421, answer 451 after DATA,
//! reject one recipient with 550, hang up after the final dot without a
//! reply (the RFC 1047 gap), or accept and stay silent. Every connection's
//! transcript is recorded, and so is every message whose final dot arrived,
//! whether or not a 250 went back.
//!
//! With [`Behaviour::tls`] it speaks STARTTLS or implicit TLS (rustls, with a
//! certificate from a test CA, see [`TestPki`]), and with [`Behaviour::auth`]
//! it offers AUTH PLAIN/LOGIN and checks one user and password.
//!
//! The behaviour is read when a connection is accepted, so a test can change
//! it between runs of the binary with [`SmtpStub::set`]. Dropping the stub
//! stops accepting, shuts down open connections (stalled ones included) and
//! joins every thread.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Instant;

use super::server::{lock, Tracker};

/// What the stub does after the final `.` of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AfterDot {
    /// `250 2.0.0 queued`.
    Accept,
    /// This reply line (without CRLF), e.g. `451 4.3.0 try again later`.
    Reply(String),
    /// Close the connection without replying.
    Drop,
    /// Say nothing and hold the connection until the stub is dropped.
    Stall,
}

/// TLS on the stub's side.
#[derive(Clone, Debug)]
pub struct StubTls {
    /// Server certificate chain and key.
    pub config: Arc<rustls::ServerConfig>,
    /// `true`: TLS from the first byte; `false`: offer STARTTLS.
    pub implicit: bool,
}

/// A test CA and a server certificate for `127.0.0.1` and `localhost`
/// signed by it, made fresh for each test.
pub struct TestPki {
    /// The CA certificate, PEM (what `[mail] ca_file` points at).
    pub ca_pem: String,
    /// The server's rustls configuration.
    pub server: Arc<rustls::ServerConfig>,
}

impl TestPki {
    /// Generates the CA and the server certificate.
    pub fn new() -> Self {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "reformwatch test CA");
        let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");
        let issuer = Issuer::new(ca, ca_key);
        let key = KeyPair::generate().expect("server key");
        let leaf = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .expect("server params");
        let cert = leaf.signed_by(&key, &issuer).expect("server certificate");
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone(), ca_cert.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
            )
            .expect("server config");
        TestPki {
            ca_pem: ca_cert.pem(),
            server: Arc::new(server),
        }
    }
}

/// How the stub treats the next connections.
#[derive(Clone, Debug)]
pub struct Behaviour {
    /// Greeting line without CRLF; `None` = accept and never say anything.
    pub greeting: Option<String>,
    /// Recipients answered `550 5.1.1 no such user` at `RCPT TO`.
    pub reject_rcpt: Vec<String>,
    /// What follows the final dot.
    pub after_dot: AfterDot,
    /// STARTTLS or implicit TLS.
    pub tls: Option<StubTls>,
    /// The one `(user, password)` AUTH accepts; AUTH is offered only when set.
    pub auth: Option<(String, String)>,
    /// Offer only AUTH LOGIN (the challenge–response mechanism), not PLAIN.
    pub login_only: bool,
    /// Say nothing after the `DATA` command (no 354) until the client
    /// hangs up.
    pub stall_at_data: bool,
}

impl Behaviour {
    /// A well-behaved server that accepts everything.
    pub fn accept() -> Self {
        Behaviour {
            greeting: Some("220 stub.test ESMTP".into()),
            reject_rcpt: Vec::new(),
            after_dot: AfterDot::Accept,
            tls: None,
            auth: None,
            login_only: false,
            stall_at_data: false,
        }
    }

    /// Accepts everything, offering STARTTLS (`implicit = false`) or
    /// speaking TLS from the first byte.
    pub fn tls(server: Arc<rustls::ServerConfig>, implicit: bool) -> Self {
        Behaviour {
            tls: Some(StubTls {
                config: server,
                implicit,
            }),
            ..Self::accept()
        }
    }

    /// This behaviour, also demanding AUTH as `user` / `password`.
    /// This behaviour, demanding AUTH as `user` / `password` and offering
    /// only the LOGIN mechanism.
    pub fn with_login_only_auth(mut self, user: &str, password: &str) -> Self {
        self.auth = Some((user.into(), password.into()));
        self.login_only = true;
        self
    }

    /// This behaviour, also demanding AUTH (PLAIN or LOGIN) as `user` / `password`.
    pub fn with_auth(mut self, user: &str, password: &str) -> Self {
        self.auth = Some((user.into(), password.into()));
        self
    }

    /// Greets with `line` (e.g. `421 4.3.2 busy`) and closes.
    pub fn greeting(line: &str) -> Self {
        Behaviour {
            greeting: Some(line.into()),
            ..Self::accept()
        }
    }

    /// Accepts the connection and never writes a byte.
    pub fn stall() -> Self {
        Behaviour {
            greeting: None,
            ..Self::accept()
        }
    }

    /// Answers the final dot with `line`.
    pub fn after_dot(line: &str) -> Self {
        Behaviour {
            after_dot: AfterDot::Reply(line.into()),
            ..Self::accept()
        }
    }

    /// Reads the whole message, then hangs up without a reply.
    pub fn drop_after_dot() -> Self {
        Behaviour {
            after_dot: AfterDot::Drop,
            ..Self::accept()
        }
    }

    /// Reads the whole message, then stays silent (no reply to the dot).
    pub fn stall_after_dot() -> Self {
        Behaviour {
            after_dot: AfterDot::Stall,
            ..Self::accept()
        }
    }

    /// Accepts the envelope, then stays silent after `DATA`.
    pub fn stall_at_data() -> Self {
        Behaviour {
            stall_at_data: true,
            ..Self::accept()
        }
    }

    /// Rejects `addr` at `RCPT TO` with 550, accepts the rest.
    pub fn reject(addr: &str) -> Self {
        Behaviour {
            reject_rcpt: vec![addr.to_ascii_lowercase()],
            ..Self::accept()
        }
    }
}

/// A message whose final dot arrived.
#[derive(Clone, Debug)]
pub struct StubMail {
    /// `RCPT TO` addresses the stub accepted.
    pub to: Vec<String>,
    /// Header and body, dot-unstuffed, CRLF line ends.
    pub data: Vec<u8>,
    /// Whether a 250 went back (false after `451` or a drop).
    pub accepted: bool,
}

impl StubMail {
    /// The `Message-ID` header value.
    pub fn message_id(&self) -> Option<String> {
        let text = String::from_utf8_lossy(&self.data);
        text.lines().take_while(|l| !l.is_empty()).find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("message-id")
                .then(|| value.trim().to_string())
        })
    }
}

#[derive(Default)]
struct Shared {
    behaviour: Mutex<Option<Behaviour>>,
    transcripts: Mutex<Vec<Vec<String>>>,
    mails: Mutex<Vec<StubMail>>,
    conns: Tracker,
}

/// The stub; stops when dropped.
pub struct SmtpStub {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl SmtpStub {
    /// Starts on a free port with `behaviour`.
    pub fn start(behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local_addr");
        let shared = Arc::new(Shared::default());
        *lock(&shared.behaviour) = Some(behaviour);
        let s = Arc::clone(&shared);
        let acceptor = thread::Builder::new()
            .name("smtp-stub-accept".into())
            .spawn(move || accept_loop(listener, s))
            .expect("spawn acceptor");
        SmtpStub {
            addr,
            shared,
            acceptor: Some(acceptor),
        }
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Replaces the behaviour for connections accepted from now on.
    pub fn set(&self, behaviour: Behaviour) {
        *lock(&self.shared.behaviour) = Some(behaviour);
    }

    /// One transcript per connection so far: `C: …` and `S: …` lines
    /// (message bodies left out).
    pub fn transcripts(&self) -> Vec<Vec<String>> {
        lock(&self.shared.transcripts).clone()
    }

    /// How many connections were accepted.
    pub fn connections(&self) -> usize {
        lock(&self.shared.transcripts).len()
    }

    /// Every message whose final dot arrived, accepted or not.
    pub fn mails(&self) -> Vec<StubMail> {
        lock(&self.shared.mails).clone()
    }

    /// Every `RCPT TO` address the client sent, over all connections.
    pub fn rcpt_attempts(&self) -> Vec<String> {
        self.transcripts()
            .iter()
            .flatten()
            .filter_map(|l| rcpt_address(l.strip_prefix("C: ")?))
            .collect()
    }
}

impl Drop for SmtpStub {
    fn drop(&mut self) {
        self.shared.conns.shut_down(self.addr, self.acceptor.take());
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for conn in listener.incoming() {
        if shared.conns.is_stopped() {
            return;
        }
        let Ok(stream) = conn else { continue };
        // Kept open until shutdown even after the session ends.
        let _ = shared.conns.track(&stream);
        let behaviour = lock(&shared.behaviour)
            .clone()
            .unwrap_or_else(Behaviour::accept);
        let index = {
            let mut t = lock(&shared.transcripts);
            t.push(Vec::new());
            t.len() - 1
        };
        let s = Arc::clone(&shared);
        shared.conns.spawn("smtp-stub-conn", move || {
            let _ = session(stream, &behaviour, &s, index);
        });
    }
}

fn rcpt_address(line: &str) -> Option<String> {
    let upper = line.to_ascii_uppercase();
    if !upper.starts_with("RCPT TO:") {
        return None;
    }
    let rest = &line["RCPT TO:".len()..];
    let addr = rest
        .trim()
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    Some(addr)
}

/// The connection, plain or after the TLS handshake.
enum Conn {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ServerConnection, TcpStream>>),
}

impl Conn {
    fn upgrade(self, config: &Arc<rustls::ServerConfig>) -> io::Result<Conn> {
        let tcp = match self {
            Conn::Plain(s) => s,
            Conn::Tls(_) => return Err(io::Error::other("TLS already active")),
        };
        let server = rustls::ServerConnection::new(Arc::clone(config)).map_err(io::Error::other)?;
        let mut tls = rustls::StreamOwned::new(server, tcp);
        // Finish the handshake now, so a client that rejects the
        // certificate ends the session here.
        while tls.conn.is_handshaking() {
            tls.conn.complete_io(&mut tls.sock)?;
        }
        Ok(Conn::Tls(Box::new(tls)))
    }

    fn is_tls(&self) -> bool {
        matches!(self, Conn::Tls(_))
    }

    fn shutdown(&self) {
        let tcp = match self {
            Conn::Plain(s) => s,
            Conn::Tls(t) => &t.sock,
        };
        let _ = tcp.shutdown(Shutdown::Both);
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(t) => t.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            Conn::Tls(t) => t.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            Conn::Tls(t) => t.flush(),
        }
    }
}

/// Decodes standard base64 (for AUTH); `None` on bad input.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.trim().bytes().filter(|c| *c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

fn session(stream: TcpStream, b: &Behaviour, shared: &Shared, index: usize) -> io::Result<()> {
    let log = |line: String| {
        if let Some(t) = lock(&shared.transcripts).get_mut(index) {
            t.push(line);
        }
    };
    let reply = |w: &mut Conn, line: &str| -> io::Result<()> {
        log(format!("S: {line}"));
        w.write_all(line.as_bytes())?;
        w.write_all(b"\r\n")?;
        w.flush()
    };
    let Some(greeting) = &b.greeting else {
        // Stall: hold the socket open and silent until the stub is dropped
        // (Drop shuts the socket down, which ends the read below).
        let mut sink = Vec::new();
        let _ = BufReader::new(stream).read_until(b'\n', &mut sink);
        return Ok(());
    };
    let mut conn = Conn::Plain(stream);
    if let Some(tls) = b.tls.as_ref().filter(|t| t.implicit) {
        match conn.upgrade(&tls.config) {
            Ok(c) => conn = c,
            Err(e) => {
                log(format!("S: (TLS handshake failed: {e})"));
                return Ok(());
            }
        }
    }
    reply(&mut conn, greeting)?;
    if !greeting.starts_with('2') {
        return Ok(());
    }
    let mut reader = BufReader::new(conn);
    let mut to: Vec<String> = Vec::new();
    let mut authed = b.auth.is_none();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let cmd = String::from_utf8_lossy(&line).trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        if !upper.starts_with("AUTH") {
            log(format!("C: {cmd}"));
        }
        let w = reader.get_mut();
        if upper.starts_with("EHLO") {
            let mut lines = vec!["250-stub.test"];
            if b.tls.is_some() && !w.is_tls() {
                lines.push("250-STARTTLS");
            }
            if b.auth.is_some() {
                lines.push(if b.login_only {
                    "250-AUTH LOGIN"
                } else {
                    "250-AUTH PLAIN LOGIN"
                });
            }
            for l in lines {
                log(format!("S: {l}"));
                w.write_all(l.as_bytes())?;
                w.write_all(b"\r\n")?;
            }
            reply(w, "250 8BITMIME")?;
        } else if upper.starts_with("STARTTLS") {
            let Some(tls) = b.tls.as_ref().filter(|_| !w.is_tls()) else {
                reply(w, "502 5.5.1 not offered")?;
                continue;
            };
            reply(w, "220 2.0.0 go ahead")?;
            let config = Arc::clone(&tls.config);
            match reader.into_inner().upgrade(&config) {
                Ok(c) => reader = BufReader::new(c),
                Err(e) => {
                    log(format!("S: (TLS handshake failed: {e})"));
                    return Ok(());
                }
            }
        } else if upper.starts_with("AUTH LOGIN") {
            let mut answer = |prompt: &str| -> io::Result<String> {
                reply(reader.get_mut(), prompt)?;
                let mut l = Vec::new();
                reader.read_until(b'\n', &mut l)?;
                let text = String::from_utf8_lossy(&l).trim().to_string();
                Ok(base64_decode(&text)
                    .map(|raw| String::from_utf8_lossy(&raw).into_owned())
                    .unwrap_or_default())
            };
            let user = answer("334 VXNlcm5hbWU6")?;
            let password = answer("334 UGFzc3dvcmQ6")?;
            log(format!("C: (AUTH LOGIN as {user:?})"));
            let ok = b
                .auth
                .as_ref()
                .is_some_and(|(u, p)| *u == user && *p == password);
            let w = reader.get_mut();
            if ok {
                authed = true;
                reply(w, "235 2.7.0 authentication successful")?;
            } else {
                reply(w, "535 5.7.8 authentication credentials invalid")?;
            }
        } else if upper.starts_with("AUTH PLAIN") && !b.login_only {
            let creds = base64_decode(cmd.get("AUTH PLAIN".len()..).unwrap_or(""))
                .map(|raw| String::from_utf8_lossy(&raw).into_owned())
                .unwrap_or_default();
            let mut parts = creds.split('\0').skip(1);
            let given = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let ok = b
                .auth
                .as_ref()
                .is_some_and(|(u, p)| (u.as_str(), p.as_str()) == given);
            log(format!("C: (AUTH PLAIN as {:?})", given.0));
            if ok {
                authed = true;
                reply(w, "235 2.7.0 authentication successful")?;
            } else {
                reply(w, "535 5.7.8 authentication credentials invalid")?;
            }
        } else if upper.starts_with("MAIL FROM") && !authed {
            reply(w, "530 5.7.0 authentication required")?;
        } else if upper.starts_with("MAIL FROM") || upper.starts_with("RSET") {
            to.clear();
            reply(w, "250 2.1.0 ok")?;
        } else if let Some(addr) = rcpt_address(&cmd) {
            if b.reject_rcpt.contains(&addr) {
                reply(w, "550 5.1.1 no such user here")?;
            } else {
                to.push(addr);
                reply(w, "250 2.1.5 ok")?;
            }
        } else if upper.starts_with("DATA") && b.stall_at_data {
            let since = Instant::now();
            // Ends when the client hangs up or Drop shuts the socket.
            let mut sink = Vec::new();
            while reader.read_until(b'\n', &mut sink)? > 0 {
                sink.clear();
            }
            log(format!(
                "S: (silent after DATA; the client hung up after {} ms)",
                since.elapsed().as_millis()
            ));
            return Ok(());
        } else if upper.starts_with("DATA") {
            reply(w, "354 end with <CRLF>.<CRLF>")?;
            let mut data = Vec::new();
            loop {
                line.clear();
                if reader.read_until(b'\n', &mut line)? == 0 {
                    return Ok(());
                }
                if line == b".\r\n" || line == b".\n" {
                    break;
                }
                let body = line.strip_prefix(b".").unwrap_or(&line);
                data.extend_from_slice(body);
            }
            log("C: .".into());
            let w = reader.get_mut();
            let accepted = b.after_dot == AfterDot::Accept;
            lock(&shared.mails).push(StubMail {
                to: std::mem::take(&mut to),
                data,
                accepted,
            });
            match &b.after_dot {
                AfterDot::Accept => reply(w, "250 2.0.0 queued")?,
                AfterDot::Reply(r) => reply(w, r)?,
                AfterDot::Drop => {
                    log("S: (connection closed without a reply)".into());
                    w.shutdown();
                    return Ok(());
                }
                AfterDot::Stall => {
                    log("S: (silent after the final dot)".into());
                    // Ends when the client hangs up or Drop shuts the socket.
                    let mut sink = Vec::new();
                    while reader.read_until(b'\n', &mut sink)? > 0 {
                        sink.clear();
                    }
                    return Ok(());
                }
            }
        } else if upper.starts_with("QUIT") {
            reply(w, "221 2.0.0 bye")?;
            return Ok(());
        } else {
            reply(w, "250 ok")?;
        }
    }
}
