//! A `NOTIFY_SOCKET` of our own: a `UnixDatagram` bound in a tempdir that
//! records what the daemon tells systemd (`READY=1`, `WATCHDOG=1`,
//! `STATUS=…`), one entry per `KEY=value` line, in arrival order.

use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One received assignment, with when it arrived.
#[derive(Debug, Clone)]
pub struct Message {
    /// `KEY=value`, e.g. `READY=1`.
    pub line: String,
    /// Arrival time at the test.
    pub at: Instant,
}

/// The listening socket and everything received so far.
pub struct NotifySocket {
    _dir: tempfile::TempDir,
    path: PathBuf,
    sock: UnixDatagram,
    seen: Vec<Message>,
}

impl NotifySocket {
    /// Binds `notify.sock` in a fresh tempdir.
    pub fn bind() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("reformwatch-notify-")
            .tempdir()
            .expect("tempdir");
        let path = dir.path().join("notify.sock");
        let sock = UnixDatagram::bind(&path).expect("bind notify socket");
        NotifySocket {
            _dir: dir,
            path,
            sock,
            seen: Vec::new(),
        }
    }

    /// The value for `NOTIFY_SOCKET`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Everything received so far (after the last [`NotifySocket::drain`]).
    pub fn seen(&self) -> &[Message] {
        &self.seen
    }

    /// Receives for `window`, returning the lines that arrived in it.
    pub fn collect_for(&mut self, window: Duration) -> Vec<Message> {
        let start = self.seen.len();
        let deadline = Instant::now() + window;
        while self.recv_until(deadline) {}
        self.seen[start..].to_vec()
    }

    /// Receives until a line equal to `line` (or starting with it, when it
    /// ends in `=`) arrives after the current position, or `timeout`
    /// passes. Returns the matching message.
    pub fn wait_for(&mut self, line: &str, timeout: Duration) -> Option<Message> {
        let deadline = Instant::now() + timeout;
        let mut from = self.seen.len();
        loop {
            let hit = self.seen[from..].iter().find(|m| matches(&m.line, line));
            if let Some(m) = hit {
                return Some(m.clone());
            }
            from = self.seen.len();
            if !self.recv_until(deadline) {
                return None;
            }
        }
    }

    /// Receives until a line containing `needle` arrives after the current
    /// position, or `timeout` passes. Returns the matching message.
    pub fn wait_for_text(&mut self, needle: &str, timeout: Duration) -> Option<Message> {
        let deadline = Instant::now() + timeout;
        let mut from = self.seen.len();
        loop {
            if let Some(m) = self.seen[from..].iter().find(|m| m.line.contains(needle)) {
                return Some(m.clone());
            }
            from = self.seen.len();
            if !self.recv_until(deadline) {
                return None;
            }
        }
    }

    /// Lines so far, for assertion messages.
    pub fn transcript(&self) -> String {
        self.seen
            .iter()
            .map(|m| m.line.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// One datagram, or false at the deadline.
    fn recv_until(&mut self, deadline: Instant) -> bool {
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        self.sock
            .set_read_timeout(Some((deadline - now).max(Duration::from_millis(1))))
            .expect("set_read_timeout");
        let mut buf = vec![0u8; 4096];
        match self.sock.recv(&mut buf) {
            Ok(n) => {
                let at = Instant::now();
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                for line in text.lines().filter(|l| !l.is_empty()) {
                    self.seen.push(Message {
                        line: line.to_owned(),
                        at,
                    });
                }
                true
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                false
            }
            Err(e) => panic!("notify socket recv: {e}"),
        }
    }
}

fn matches(got: &str, want: &str) -> bool {
    if want.ends_with('=') {
        got.starts_with(want)
    } else {
        got == want
    }
}
