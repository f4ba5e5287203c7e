//! Admin notices about sources that need a human: a failure streak longer
//! than `[daemon] admin_after` (default 24 h), or layout drift (the listing
//! selectors found nothing). Choosing the sources and writing the message
//! are pure; [`queue_notices`] puts each notice in the outbox (the relay
//! sends it like a digest, with retries), keyed per source and day so a
//! source is noticed at most once a day even across restarts.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lettre::message::Mailbox;
use tracing::warn;

use crate::config::{MailSettings, Settings, Source};
use crate::document::text_hygiene::fold_line;
use crate::mail::error_chain;
use crate::mail::message::{self, Body, Draft, MessageError};
use crate::mail::outbox::bare_address;
use crate::model::{FailureKind, SourceState};
use crate::store::digests::NewDigest;
use crate::store::query::SourceHealth;
use crate::store::{Store, StoreError};

/// The outbox's subscriber id for admin notices.
pub const ADMIN: &str = "admin";

/// Why a source is reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trouble {
    /// Failing without a success since this time (or ever).
    Failing {
        /// Last success, else the first poll.
        since: DateTime<Utc>,
    },
    /// The listing's selectors no longer match the page.
    LayoutDrift,
}

/// One source to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Source id.
    pub source_id: String,
    /// Source name.
    pub name: String,
    /// Source URL.
    pub url: String,
    /// What is wrong.
    pub trouble: Trouble,
    /// Consecutive failed polls.
    pub streak: u32,
    /// The last error, as stored.
    pub last_error: String,
}

/// Sources of `sources` that warrant a notice at `now`.
pub fn due_notices(
    sources: &[Source],
    health: &[SourceHealth],
    states: &HashMap<String, SourceState>,
    after: Duration,
    now: DateTime<Utc>,
) -> Vec<Notice> {
    let after = chrono::Duration::from_std(after).unwrap_or(chrono::Duration::days(1));
    let mut out = Vec::new();
    for source in sources {
        let Some(h) = health.iter().find(|h| h.id == source.id) else {
            continue;
        };
        if h.error_streak == 0 {
            continue;
        }
        let last_error = h.last_error.clone().unwrap_or_default();
        // A source that never answered has no success to count from: its
        // streak and backoff give a lower bound of how long it has failed.
        let since = h
            .last_success_at
            .or_else(|| states.get(&source.id).and_then(|s| s.first_polled_at))
            .or_else(|| {
                let last = h.last_poll_at?;
                let waited = backoff_total(source.interval, h.error_streak);
                Some(last - chrono::Duration::from_std(waited).ok()?)
            });
        let trouble = if h.last_error_kind == Some(FailureKind::LayoutDrift) {
            Trouble::LayoutDrift
        } else {
            match since {
                Some(since) if now - since >= after => Trouble::Failing { since },
                _ => continue,
            }
        };
        out.push(Notice {
            source_id: source.id.clone(),
            name: source.name.clone(),
            url: source.url.to_string(),
            trouble,
            streak: h.error_streak,
            last_error,
        });
    }
    out
}

/// The least time the first `streak` failed polls can span: the waits
/// between them, each the interval doubled per failure and capped at a day
/// (as [`crate::pipeline::schedule::next_poll_after_error`] schedules them).
pub fn backoff_total(interval: Duration, streak: u32) -> Duration {
    (1..streak)
        .map(|k| {
            interval
                .saturating_mul(2u32.saturating_pow((k - 1).min(20)))
                .min(crate::pipeline::schedule::MAX_BACKOFF)
        })
        .fold(Duration::ZERO, |a, b| a.saturating_add(b))
}

/// The outbox key that makes a notice once-a-day per source (the day in
/// the operator's zone `tz`).
pub fn period_key(source_id: &str, tz: Tz, now: DateTime<Utc>) -> String {
    format!(
        "notice:{source_id}:{}",
        now.with_timezone(&tz).format("%Y-%m-%d")
    )
}

/// Subject and plain-text body of a notice; times in zone `tz`. Text from
/// config and errors is folded to one clean line
/// ([`text_hygiene`](crate::document::text_hygiene)).
pub fn render(n: &Notice, tz: Tz) -> (String, String) {
    let (subject, what) = match &n.trouble {
        Trouble::LayoutDrift => (
            format!("reformwatch: layout drift on source {}", n.source_id),
            "Its listing page no longer matches the configured selectors, so new \
             articles would be missed. Check [sources.list] (or link_pattern) against \
             the page as it is now."
                .to_owned(),
        ),
        Trouble::Failing { since } => (
            format!("reformwatch: source {} failing", n.source_id),
            format!(
                "It has not been polled successfully since {}. Polls go on with \
                 backoff (at most a day apart); the source is never disabled.",
                since.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z")
            ),
        ),
    };
    let body = format!(
        "Source: {} ({})\nURL: {}\nFailed polls in a row: {}\nLast error: {}\n\n{}\n\n\
         `reformwatch sources` shows every source's health.\n",
        fold_line(&n.source_id),
        fold_line(&n.name),
        n.url,
        n.streak,
        fold_line(&n.last_error),
        what
    );
    (fold_line(&subject), body)
}

/// Builds the RFC 5322 message of a notice for the outbox, with the
/// headers every message gets ([`crate::mail::message`]); a notice is not
/// list mail, so it has no `List-Id` or `List-Unsubscribe`.
pub fn build(
    mail: &MailSettings,
    admin: &str,
    n: &Notice,
    key: &str,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<NewDigest, MessageError> {
    let domain = mail
        .from
        .trim()
        .parse::<Mailbox>()
        .map(|from| from.email.domain().to_owned())
        .unwrap_or_default();
    let message_id = message::message_id(ADMIN, key, &domain);
    let (subject, body) = render(n, tz);
    let bytes = message::build(
        mail,
        &Draft {
            to: admin,
            to_name: None,
            recipient: "[daemon] admin_email",
            subject: &subject,
            message_id: &message_id,
            date: now,
            body: Body::Text(&body),
            attachments: &[],
            list: false,
        },
    )?;
    Ok(NewDigest {
        message_id,
        envelope_from: bare_address(&mail.from),
        recipients: vec![admin.trim().to_owned()],
        subject,
        message: bytes,
        item_count: 0,
    })
}

/// Queues a notice for every source in trouble that was not noticed today
/// yet; returns how many were queued. No-op without `admin_email`.
pub fn queue_notices(
    settings: &Settings,
    store: &Store,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let Some(admin) = &settings.daemon.admin_email else {
        return Ok(0);
    };
    let health = store.source_health()?;
    let states = store.source_states()?;
    let tz = settings.daemon.timezone;
    let mut queued = 0;
    for n in due_notices(
        &settings.sources,
        &health,
        &states,
        settings.daemon.admin_after,
        now,
    ) {
        let key = period_key(&n.source_id, tz, now);
        match build(&settings.mail, admin, &n, &key, tz, now) {
            Ok(digest) => {
                if store.insert_notice(ADMIN, &key, &digest, now)? {
                    warn!(source = %n.source_id, url = %n.url, streak = n.streak, error = %n.last_error, to = %admin, "admin notice queued: {}", digest.subject);
                    queued += 1;
                }
            }
            Err(e) => {
                warn!(source = %n.source_id, error = %error_chain(&e), "cannot build the admin notice")
            }
        }
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::message::tests::{decode_2047, header, headers};

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn source(id: &str) -> Source {
        let text = format!("[[sources]]\nid = \"{id}\"\nurl = \"http://127.0.0.1:1/{id}.xml\"\n");
        crate::config::parse(&text, std::path::Path::new("/tmp/rw.toml"))
            .unwrap()
            .sources
            .remove(0)
    }

    fn health(id: &str, streak: u32, last_ok: Option<&str>, error: &str) -> SourceHealth {
        SourceHealth {
            id: id.into(),
            last_success_at: last_ok.map(t),
            error_streak: streak,
            last_error: Some(error.into()),
            last_error_kind: error
                .starts_with("layout drift")
                .then_some(FailureKind::LayoutDrift),
            ..SourceHealth::default()
        }
    }

    #[test]
    fn long_streaks_and_drift_are_noticed_short_ones_are_not() {
        let now = t("2026-01-02T12:00:00Z");
        let sources = [
            source("old"),
            source("fresh"),
            source("drift"),
            source("ok"),
        ];
        let h = [
            health("old", 9, Some("2026-01-01T11:00:00Z"), "HTTP 500"),
            health("fresh", 2, Some("2026-01-02T10:00:00Z"), "HTTP 500"),
            health(
                "drift",
                1,
                Some("2026-01-02T11:00:00Z"),
                "layout drift: no links",
            ),
            health("ok", 0, Some("2026-01-02T11:00:00Z"), ""),
        ];
        let day = Duration::from_secs(86_400);
        let got = due_notices(&sources, &h, &HashMap::new(), day, now);
        let ids: Vec<_> = got.iter().map(|n| n.source_id.as_str()).collect();
        assert_eq!(ids, ["old", "drift"]);
        assert_eq!(got[1].trouble, Trouble::LayoutDrift);
    }

    #[test]
    fn a_source_that_never_answered_counts_its_backoff() {
        let m = Duration::from_secs(60);
        assert_eq!(backoff_total(m, 1), Duration::ZERO);
        assert_eq!(backoff_total(m, 4), Duration::from_secs(60 + 120 + 240));
        let now = t("2026-01-02T12:00:00Z");
        let mut never = health("never", 12, None, "cannot connect");
        never.last_poll_at = Some(now);
        let got = due_notices(
            &[source("never")],
            &[never],
            &HashMap::new(),
            Duration::from_secs(86_400),
            now,
        );
        assert_eq!(got.len(), 1, "12 doubling failures from 15 min span days");
    }

    #[test]
    fn one_key_per_source_and_local_day_and_a_clean_subject() {
        let sh = chrono_tz::Asia::Shanghai;
        let a = period_key("s", sh, t("2026-01-01T15:59:00Z"));
        let b = period_key("s", sh, t("2026-01-01T16:01:00Z"));
        assert_eq!(a, "notice:s:2026-01-01");
        assert_eq!(b, "notice:s:2026-01-02", "midnight in Beijing");
        let n = Notice {
            source_id: "gov".into(),
            name: "中国政府网".into(),
            url: "http://127.0.0.1:1/".into(),
            trouble: Trouble::Failing {
                since: t("2026-01-01T00:00:00Z"),
            },
            streak: 12,
            last_error: "HTTP 500\r\nBcc: x@y".into(),
        };
        let (subject, body) = render(&n, sh);
        assert_eq!(subject, "reformwatch: source gov failing");
        assert!(body.contains("中国政府网") && body.contains("12"));
        assert!(!body.contains("\r\nBcc"), "{body}");
        assert!(body.contains("2026-01-01 08:00 CST"), "{body}");
    }

    /// An admin notice is built like a digest: the same `Auto-Submitted`,
    /// `Message-ID` form, `Date` and MIME headers, but no list headers.
    #[test]
    fn a_notice_carries_the_headers_every_message_gets() {
        let text = "[mail]\nfrom = \"Reform Watch <watch@example.org>\"\n";
        let settings = crate::config::parse(text, std::path::Path::new("/tmp/rw.toml")).unwrap();
        let now = t("2026-01-02T12:00:00Z");
        let sh = chrono_tz::Asia::Shanghai;
        let n = Notice {
            source_id: "gov".into(),
            name: "中国政府网".into(),
            url: "http://127.0.0.1:1/".into(),
            trouble: Trouble::LayoutDrift,
            streak: 3,
            last_error: "layout drift: no links".into(),
        };
        let key = period_key(&n.source_id, sh, now);
        let d = build(&settings.mail, "ops@example.org", &n, &key, sh, now).unwrap();
        assert_eq!(
            d.message_id,
            crate::mail::message::message_id(ADMIN, &key, "example.org")
        );
        assert_eq!(d.recipients, ["ops@example.org"]);
        assert_eq!(d.envelope_from, "watch@example.org");
        let raw = String::from_utf8(d.message).unwrap();
        let h = headers(&raw);
        assert_eq!(header(&h, "Auto-Submitted"), ["auto-generated"], "{raw}");
        assert_eq!(header(&h, "Message-ID"), [d.message_id.as_str()]);
        assert_eq!(header(&h, "Date"), ["Fri, 02 Jan 2026 12:00:00 +0000"]);
        assert_eq!(header(&h, "MIME-Version"), ["1.0"], "{raw}");
        assert_eq!(header(&h, "Content-Type"), ["text/plain; charset=utf-8"]);
        assert_eq!(header(&h, "From"), ["\"Reform Watch\" <watch@example.org>"]);
        assert_eq!(header(&h, "To"), ["ops@example.org"]);
        assert_eq!(decode_2047(header(&h, "Subject")[0]), d.subject);
        assert!(header(&h, "List-Id").is_empty() && header(&h, "List-Unsubscribe").is_empty());
    }
}
