//! Outbox test helpers: config tweaks on a [`Workspace`] (more subscribers,
//! `[mail]` keys) and reading the `digests` / `digest_items` tables straight
//! from the SQLite file, as an operator with `sqlite3` would.

use std::path::PathBuf;

use rusqlite::{Connection, OpenFlags};

use super::{toml_str, Workspace};

/// One row of `digests`.
#[derive(Debug, Clone)]
pub struct DigestRow {
    /// Row id.
    pub id: i64,
    /// Subscriber id (the email when no id is configured).
    pub subscriber: String,
    /// `pending`, `sent`, `failed` or `expired`.
    pub state: String,
    /// Delivery attempts made.
    pub attempts: i64,
    /// Unix seconds of the next attempt.
    pub next_attempt_at: i64,
    /// Unix seconds of composition.
    pub created_at: i64,
    /// Fixed Message-ID.
    pub message_id: String,
    /// Last delivery error.
    pub last_error: Option<String>,
    /// Articles in it.
    pub item_count: i64,
}

impl Workspace {
    /// The SQLite file of this workspace.
    pub fn db_path(&self) -> PathBuf {
        self.dir().join("state").join("reformwatch.db")
    }

    /// Opens the database read-only.
    pub fn db(&self) -> Connection {
        Connection::open_with_flags(self.db_path(), OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap_or_else(|e| panic!("open {}: {e}", self.db_path().display()))
    }

    /// Every digest row, oldest first.
    pub fn digests(&self) -> Vec<DigestRow> {
        let db = self.db();
        let mut stmt = db
            .prepare(
                "SELECT id, subscriber_id, state, attempts, next_attempt_at, created_at,
                        message_id, last_error, item_count
                 FROM digests ORDER BY id",
            )
            .expect("query digests");
        stmt.query_map([], |r| {
            Ok(DigestRow {
                id: r.get(0)?,
                subscriber: r.get(1)?,
                state: r.get(2)?,
                attempts: r.get(3)?,
                next_attempt_at: r.get(4)?,
                created_at: r.get(5)?,
                message_id: r.get(6)?,
                last_error: r.get(7)?,
                item_count: r.get(8)?,
            })
        })
        .expect("read digests")
        .collect::<Result<_, _>>()
        .expect("digest row")
    }

    /// Rows of `digest_items`.
    pub fn digest_item_count(&self) -> i64 {
        self.db()
            .query_row("SELECT count(*) FROM digest_items", [], |r| r.get(0))
            .expect("count digest_items")
    }

    /// Adds `key = value` (value already TOML) to `[mail]`.
    pub fn set_mail(&self, key: &str, value: &str) {
        let text = std::fs::read_to_string(self.config_path()).expect("read config");
        let text = text.replacen("[mail]\n", &format!("[mail]\n{key} = {value}\n"), 1);
        std::fs::write(self.config_path(), text).expect("write config");
    }

    /// Replaces the first `from` in the config with `to`.
    pub fn edit_config(&self, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.config_path()).expect("read config");
        assert!(text.contains(from), "config has no {from:?}");
        std::fs::write(self.config_path(), text.replacen(from, to, 1)).expect("write config");
    }

    /// Appends another subscriber of topic `reform`, `daily 08:00`
    /// Asia/Shanghai, text format.
    pub fn add_subscriber(&self, email: &str) {
        let mut text = std::fs::read_to_string(self.config_path()).expect("read config");
        text.push_str(&format!(
            "\n[[subscribers]]\nemail = {}\ntopics = [\"reform\"]\nschedule = \"daily 08:00\"\ntimezone = \"Asia/Shanghai\"\nformat = \"text\"\n",
            toml_str(email)
        ));
        std::fs::write(self.config_path(), text).expect("write config");
    }
}

/// Unix seconds of an RFC 3339 time.
pub fn unix(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .expect("rfc3339")
        .timestamp()
}
