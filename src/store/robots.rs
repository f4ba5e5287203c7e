//! robots.txt copies per origin, so the fetcher's cache lasts its day
//! across runs. The fetcher decides what to keep and for how long; this
//! only reads and writes the copy.

use rusqlite::{params, OptionalExtension};

use super::{from_secs, secs, Store, StoreError};
use crate::model::{FailureKind, RobotsCopy};

impl Store {
    /// The copy kept for `origin` (e.g. `http://example.org`), fresh or not.
    pub fn robots_txt(&self, origin: &str) -> Result<Option<RobotsCopy>, StoreError> {
        let conn = self.reader()?;
        let copy = conn
            .prepare_cached(
                "SELECT body, unreachable, fetched_at, expires_at, unreachable_kind
                 FROM robots_txt WHERE origin = ?1",
            )?
            .query_row([origin], |r| {
                Ok(RobotsCopy {
                    body: r.get(0)?,
                    unreachable: r.get(1)?,
                    fetched_at: from_secs(r.get(2)?),
                    expires_at: from_secs(r.get(3)?),
                    unreachable_kind: r
                        .get::<_, Option<String>>(4)?
                        .as_deref()
                        .and_then(FailureKind::from_name),
                })
            })
            .optional()?;
        Ok(copy)
    }

    /// Keeps `copy` for `origin`, replacing the one before.
    pub fn keep_robots_txt(&self, origin: &str, copy: &RobotsCopy) -> Result<(), StoreError> {
        let conn = self.conn();
        conn.prepare_cached(
            "INSERT INTO robots_txt
                (origin, body, unreachable, fetched_at, expires_at, unreachable_kind)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (origin) DO UPDATE SET body = excluded.body,
                unreachable = excluded.unreachable, fetched_at = excluded.fetched_at,
                expires_at = excluded.expires_at, unreachable_kind = excluded.unreachable_kind",
        )?
        .execute(params![
            origin,
            copy.body,
            copy.unreachable,
            secs(copy.fetched_at),
            secs(copy.expires_at),
            copy.unreachable_kind.map(FailureKind::as_str)
        ])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::store::Access;

    #[test]
    fn a_kept_copy_is_read_back_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), Access::Writer).unwrap();
        let origin = "http://news.example";
        assert_eq!(store.robots_txt(origin).unwrap(), None);
        let at = Utc.with_ymd_and_hms(2024, 9, 2, 2, 0, 0).unwrap();
        let copy = RobotsCopy {
            body: Some("User-agent: *\nDisallow: /private/\n".into()),
            unreachable: None,
            unreachable_kind: None,
            fetched_at: at,
            expires_at: at + chrono::Duration::days(1),
        };
        store.keep_robots_txt(origin, &copy).unwrap();
        assert_eq!(store.robots_txt(origin).unwrap(), Some(copy));
        let failed = RobotsCopy {
            body: None,
            unreachable: Some("no such host: news.example".into()),
            unreachable_kind: Some(FailureKind::Dns),
            fetched_at: at,
            expires_at: at + chrono::Duration::minutes(10),
        };
        store.keep_robots_txt(origin, &failed).unwrap();
        assert_eq!(store.robots_txt(origin).unwrap(), Some(failed));
        assert_eq!(store.robots_txt("http://other.example").unwrap(), None);
    }
}
