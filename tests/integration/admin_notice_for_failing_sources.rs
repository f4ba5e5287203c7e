//! Issue 6 (RELIABILITY.md E1): a source failing for longer than
//! `[daemon] admin_after`, or whose listing layout drifted, is reported to
//! `[daemon] admin_email` through the outbox: one notice per source per
//! day however often it fails meanwhile, naming the source, its URL, the
//! streak and the last error.
//!
//! Issue 10, item 6: "once a day per source" across a day boundary, with
//! the `--now` clock: `digest --send-due` queues the due notices as the
//! daemon's pass does; more failing polls the same day mail nothing more,
//! and the first run after midnight (in the daemon's zone) mails again.

use std::time::Duration;

use crate::support::daemon::Daemon;
use crate::support::http::{Content, HttpServer, Route};
use crate::support::mail::ParsedMail;
use crate::support::smtp::SmtpServer;
use crate::support::{exit, rss, toml_str, Workspace};

const WAIT: Duration = Duration::from_secs(30);
const ADMIN: &str = "ops@example.org";

#[test]
fn failing_and_drifting_sources_are_mailed_to_the_admin_once_a_day() {
    let http = HttpServer::start();
    http.route("/broken.xml", Route::Status(500));
    http.route(
        "/list.html",
        Route::content(Content::new(
            "<html><body><p>页面改版，暂无链接</p></body></html>",
            "text/html; charset=utf-8",
        )),
    );
    let smtp = SmtpServer::start();
    let ws = Workspace::new(smtp.port(), &[("broken".into(), http.url("/broken.xml"))]);
    let text = std::fs::read_to_string(ws.config_path()).unwrap();
    let text = text
        .replacen(
            "[daemon]\n",
            &format!(
                "[daemon]\nadmin_email = {}\nadmin_after = \"2s\"\n",
                toml_str(ADMIN)
            ),
            1,
        )
        .replace("kind = \"feed\"\n", "kind = \"feed\"\ninterval = \"1s\"\n");
    let text = format!(
        "{text}\n[[sources]]\nid = \"listing\"\nkind = \"html\"\nurl = {}\ninterval = \"1s\"\nlink_pattern = \"/article/\"\n",
        toml_str(&http.url("/list.html"))
    );
    std::fs::write(ws.config_path(), text).unwrap();

    let mut daemon = Daemon::start(ws.config_path(), ws.dir(), &[]);
    let to_admin = |smtp: &SmtpServer| -> Vec<ParsedMail> {
        smtp.messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == ADMIN))
            .map(|m| ParsedMail::parse(&m.data))
            .collect()
    };
    let deadline = std::time::Instant::now() + WAIT;
    while to_admin(&smtp).len() < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    // More failing polls must not mail again today. The second request
    // proves the pass of the first one (and its relay) has finished.
    let before = http.requests_to("/broken.xml").len();
    http.wait_for_requests("/broken.xml", before + 2, WAIT);
    let notices = to_admin(&smtp);
    assert_eq!(notices.len(), 2, "one per source\n{}", daemon.log());
    let all: Vec<String> = notices
        .iter()
        .map(|m| format!("{}\n{}", m.subject, m.all_text()))
        .collect();
    let failing = all
        .iter()
        .find(|t| t.contains("source broken failing"))
        .unwrap_or_else(|| panic!("no failing notice: {all:#?}"));
    assert!(
        failing.contains("HTTP 500") && failing.contains("/broken.xml"),
        "{failing}"
    );
    let drift = all
        .iter()
        .find(|t| t.contains("layout drift on source listing"))
        .unwrap_or_else(|| panic!("no drift notice: {all:#?}"));
    assert!(drift.contains("/list.html"), "{drift}");
    assert!(daemon.log().contains("admin notice queued"), "logged too");

    daemon.signal(libc::SIGTERM);
    assert!(daemon.wait(WAIT).is_some_and(|s| s.success()));
}

#[test]
fn a_failing_source_is_noticed_once_per_day_across_midnight() {
    let http = HttpServer::start();
    let feed = rss("改革", &[("g", "深化改革")]);
    http.route(
        "/broken.xml",
        Route::content(Content::new(feed, "application/rss+xml")),
    );
    let smtp = SmtpServer::start();
    let ws = Workspace::new(smtp.port(), &[("broken".into(), http.url("/broken.xml"))]);
    ws.edit_config(
        "[daemon]\n",
        &format!(
            "[daemon]\nadmin_email = {}\nadmin_after = \"1h\"\n",
            toml_str(ADMIN)
        ),
    );
    let notices = |smtp: &SmtpServer| {
        smtp.messages()
            .iter()
            .filter(|m| m.to.iter().any(|t| t == ADMIN))
            .count()
    };
    // Each step: a failing poll, then `digest --send-due`, at `now`
    // (Asia/Shanghai, the daemon's zone).
    let step = |now: &str| {
        ws.run_at(now, &["poll", "--once"])
            .expect_code(exit::RUNTIME);
        ws.run_at(now, &["digest", "--send-due"])
            .expect_code(exit::OK);
    };
    // Fine at 09:00, failing from then on.
    ws.run_at("2024-09-02T09:00:00+08:00", &["poll", "--once"])
        .expect_code(exit::OK);
    http.route("/broken.xml", Route::Status(500));
    step("2024-09-02T09:30:00+08:00");
    assert_eq!(notices(&smtp), 0, "failing for less than admin_after");
    step("2024-09-02T10:30:00+08:00");
    assert_eq!(notices(&smtp), 1, "failing for longer than admin_after");
    for now in ["2024-09-02T15:00:00+08:00", "2024-09-02T23:59:00+08:00"] {
        step(now);
        assert_eq!(notices(&smtp), 1, "a second notice the same day, at {now}");
    }
    step("2024-09-03T00:01:00+08:00");
    assert_eq!(notices(&smtp), 2, "the next day's notice");
    step("2024-09-03T09:00:00+08:00");
    assert_eq!(notices(&smtp), 2);
    let to_admin: Vec<_> = smtp
        .messages()
        .into_iter()
        .filter(|m| m.to.iter().any(|t| t == ADMIN))
        .collect();
    let last = ParsedMail::parse(&to_admin[to_admin.len() - 1].data);
    assert!(
        last.subject.contains("source broken failing"),
        "{}",
        last.subject
    );
}
