//! I/O edge: the SQLite store. One file in `state_dir`, WAL journal,
//! `synchronous=FULL` (a committed poll or outbox change survives power
//! loss, not only a process crash), `busy_timeout`, `BEGIN IMMEDIATE` for
//! every write, migrations at open, and a lock file for writers. One writer
//! connection, plus a small pool of read-only connections that the poll's
//! source tasks read from while the writer writes.
//!
//! The store takes and returns `model` values and makes no decisions of
//! its own: what is new, what is a revision and when to come back were
//! decided before a record reaches it. One file per aggregate:
//! [`sources`] (source state and poll records), [`articles`] (articles,
//! revision 1, matches, what a poll reads first), [`rechecks`] (re-checks
//! and the raw pages kept as evidence), [`revisions`] (history and
//! revisions pending for subscribers), [`digests`] (subscribers and the
//! outbox), [`clusters`] (story clusters and the fingerprints they are
//! found by), [`notices`], [`robots`] (robots.txt copies per origin),
//! [`query`] (read-only views for the CLI) and [`stats`]; `rows` is the
//! one row → `Article` mapping.

pub mod articles;
pub mod clusters;
pub mod digests;
pub mod failpoint;
mod listing;
mod lock;
mod migrations;
pub mod notices;
pub mod query;
pub mod rechecks;
pub mod revisions;
pub mod robots;
mod rows;
pub mod sources;
pub mod stats;
#[cfg(test)]
pub(crate) mod test_records;

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{Connection, OpenFlags};

pub use lock::LockFile;

/// Name of the database file inside `state_dir`.
pub const DB_FILE: &str = "reformwatch.db";
/// Name of the writer lock file inside `state_dir`.
pub const LOCK_FILE: &str = "reformwatch.lock";

/// How long a connection waits for another one's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Errors from the store. Every variant says which file or query failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A file or directory could not be used.
    #[error("{}: {what}: {source}", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// What was being done.
        what: &'static str,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// Another writer holds the database.
    #[error("another reformwatch process{} is using this database (lock {}); only one daemon or poll may write at a time", if holder.is_empty() { String::new() } else { format!(" (pid {holder})") }, path.display())]
    Locked {
        /// The lock file.
        path: PathBuf,
        /// The pid written by the holder, if readable.
        holder: String,
    },
    /// The database was written by a newer reformwatch.
    #[error("database schema version {found} is newer than this reformwatch knows ({known}); upgrade reformwatch")]
    SchemaTooNew {
        /// Version found.
        found: i64,
        /// Newest version this build knows.
        known: i64,
    },
    /// A stored value could not be read back (or written as JSON).
    #[error("corrupt stored value: {what}: {source}")]
    Corrupt {
        /// Which value.
        what: String,
        /// What the JSON reader said.
        #[source]
        source: serde_json::Error,
    },
    /// A stored name is not one this build knows.
    #[error("corrupt stored value: {0}")]
    UnknownName(String),
    /// Composing a digest failed; nothing was written.
    #[error("cannot compose digest for {subscriber}: {source}")]
    Compose {
        /// Subscriber id.
        subscriber: String,
        /// What went wrong.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// Whether the opener will write (and so must hold the lock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Daemon, poll and digest sending: exclusive.
    Writer,
    /// Listing and showing: shares the database with a running daemon.
    Reader,
}

/// The SQLite store.
pub struct Store {
    conn: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    path: PathBuf,
    _lock: Option<LockFile>,
}

/// A read-only connection borrowed from the store's pool; it goes back to
/// the pool when dropped.
pub(crate) struct Reader<'a> {
    store: &'a Store,
    conn: Option<Connection>,
}

impl Deref for Reader<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("present until dropped")
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            let mut idle = self.store.readers.lock().unwrap_or_else(|p| p.into_inner());
            idle.push(conn);
        }
    }
}

impl Store {
    /// Opens (creating if needed) the database in `state_dir`, applies
    /// migrations, and for writers takes the lock.
    pub fn open(state_dir: &Path, access: Access) -> Result<Store, StoreError> {
        std::fs::create_dir_all(state_dir).map_err(|source| StoreError::Io {
            path: state_dir.to_path_buf(),
            what: "cannot create state directory",
            source,
        })?;
        let lock = match access {
            Access::Writer => Some(LockFile::acquire(&state_dir.join(LOCK_FILE))?),
            Access::Reader => None,
        };
        let path = state_dir.join(DB_FILE);
        let mut conn = Connection::open(&path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrations::migrate(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
            path,
            _lock: lock,
        })
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `PRAGMA integrity_check` and returns its verdict (`ok` when sound).
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        let conn = self.conn();
        Ok(conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    /// Checkpoints and truncates the WAL; called on clean shutdown.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        let conn = self.conn();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
        Ok(())
    }

    /// The writer connection.
    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A read-only connection of the pool (opened when none is idle), for
    /// reads that must not wait behind the writer.
    pub(crate) fn reader(&self) -> Result<Reader<'_>, StoreError> {
        let idle = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => {
                let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
                let conn = Connection::open_with_flags(&self.path, flags)?;
                conn.busy_timeout(BUSY_TIMEOUT)?;
                conn
            }
        };
        Ok(Reader {
            store: self,
            conn: Some(conn),
        })
    }
}

/// Instant → stored seconds.
pub(crate) fn secs(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

/// Stored seconds → instant.
pub(crate) fn from_secs(s: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(s, 0).single().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_migrates_and_second_writer_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), Access::Writer).unwrap();
        assert_eq!(store.integrity_check().unwrap(), "ok");
        let version: i64 = store
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, migrations::STEPS.len() as i64);
        let err = Store::open(dir.path(), Access::Writer).err().unwrap();
        let msg = err.to_string();
        assert!(msg.contains("another reformwatch process"), "{msg}");
        assert!(msg.contains(&std::process::id().to_string()), "{msg}");
        // Readers share the database with the writer.
        assert!(Store::open(dir.path(), Access::Reader).is_ok());
        drop(store);
        assert!(Store::open(dir.path(), Access::Writer).is_ok());
    }
}
