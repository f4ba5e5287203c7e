//! The socket plumbing the test servers share ([`super::http`],
//! [`super::smtp`], [`super::smtp_stub`]): a stop flag, the open
//! connections and the worker threads, so that dropping a server stops
//! accepting, closes every session and joins every thread, freeing its
//! port for the next server. What a server says on a connection is its own.

use std::collections::HashMap;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::{Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// Locks a mutex, ignoring poisoning (a panicking test thread must not hide
/// the server's state from the assertion that reports it).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The stop flag, open connections and worker threads of one server.
#[derive(Default)]
pub struct Tracker {
    /// Set once the server is dropped; a server's condvar may wait on it.
    pub stopped: Mutex<bool>,
    conns: Mutex<HashMap<u64, TcpStream>>,
    next_conn: Mutex<u64>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

impl Tracker {
    /// True once the server is being dropped.
    pub fn is_stopped(&self) -> bool {
        *lock(&self.stopped)
    }

    /// Keeps a clone of `stream` so shutdown can close it; its id for
    /// [`Tracker::close`], or `None` when the socket cannot be cloned.
    pub fn track(&self, stream: &TcpStream) -> Option<u64> {
        let clone = stream.try_clone().ok()?;
        let id = {
            let mut n = lock(&self.next_conn);
            *n += 1;
            *n
        };
        lock(&self.conns).insert(id, clone);
        Some(id)
    }

    /// Closes connection `id` for real: the clone kept for shutdown goes too.
    pub fn close(&self, id: u64) {
        if let Some(c) = lock(&self.conns).remove(&id) {
            let _ = c.shutdown(Shutdown::Both);
        }
    }

    /// Connections open now (accepted and not yet closed).
    pub fn open(&self) -> usize {
        lock(&self.conns).len()
    }

    /// Runs `work` on a thread named `name` that shutdown joins.
    pub fn spawn(&self, name: &str, work: impl FnOnce() + Send + 'static) {
        if let Ok(w) = thread::Builder::new().name(name.into()).spawn(work) {
            lock(&self.workers).push(w);
        }
    }

    /// Stops the server listening on `addr`: sets the flag, wakes the
    /// blocking `accept()` so its loop sees it, joins `acceptor`, closes
    /// every open connection and joins every worker.
    pub fn shut_down(&self, addr: SocketAddr, acceptor: Option<JoinHandle<()>>) {
        *lock(&self.stopped) = true;
        let _ = TcpStream::connect_timeout(&addr, Duration::from_secs(1));
        if let Some(a) = acceptor {
            let _ = a.join();
        }
        let conns: Vec<_> = lock(&self.conns).drain().map(|(_, c)| c).collect();
        for c in conns {
            let _ = c.shutdown(Shutdown::Both);
        }
        let workers: Vec<_> = lock(&self.workers).drain(..).collect();
        for w in workers {
            let _ = w.join();
        }
    }
}
