//! Acceptance 2, second half (issue 2): `digest --send-due` sends only once
//! the subscriber's slot has come in the subscriber's time zone. The
//! subscriber is `daily 08:00` in Asia/Shanghai; the clock is set with the
//! hidden global `--now`. Polled at 07:00 (+08:00), nothing goes out at 07:59,
//! one digest at 08:00, and nothing more at 08:01.

use crate::support::http::{Content, HttpServer, Route};
use crate::support::smtp::SmtpServer;
use crate::support::{exit, rss, Workspace};

const POLL_AT: &str = "2026-01-01T07:00:00+08:00";
const MINUTE_BEFORE: &str = "2026-01-01T07:59:00+08:00";
const SLOT: &str = "2026-01-01T08:00:00+08:00";
const MINUTE_AFTER: &str = "2026-01-01T08:01:00+08:00";

#[test]
fn due_digest_waits_for_subscriber_slot() {
    let http = HttpServer::start();
    let feed = rss(
        "测试源",
        &[
            ("due-1", "全面深化改革 推进会召开"),
            ("due-2", "天气预报：明日有雨"),
        ],
    );
    http.route(
        "/due.xml",
        Route::Content(Content::new(feed, "application/rss+xml").etag_from_body()),
    );
    let smtp = SmtpServer::start();
    let ws = Workspace::new(smtp.port(), &[("due".into(), http.url("/due.xml"))]);

    ws.run_at(POLL_AT, &["poll", "--once"])
        .expect_code(exit::OK);

    ws.run_at(MINUTE_BEFORE, &["digest", "--send-due"])
        .expect_code(exit::OK);
    assert_eq!(
        smtp.count(),
        0,
        "07:59 Asia/Shanghai is before the daily 08:00 slot"
    );

    ws.run_at(SLOT, &["digest", "--send-due"])
        .expect_code(exit::OK);
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 1, "08:00 Asia/Shanghai is the slot: one digest");
    let mail = crate::support::mail::ParsedMail::parse(&msgs[0].data);
    assert!(
        mail.all_text().contains("全面深化改革"),
        "the digest should carry the reform item:\n{}",
        mail.all_text()
    );

    ws.run_at(MINUTE_AFTER, &["digest", "--send-due"])
        .expect_code(exit::OK);
    assert_eq!(
        smtp.count(),
        1,
        "the 08:00 slot was served; nothing more at 08:01"
    );
}
