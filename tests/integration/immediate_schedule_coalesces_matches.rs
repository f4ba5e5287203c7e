//! Issue 5, schedules: `schedule = "immediate"` mails matches as they
//! happen, coalesced over `coalesce` (default 5 min): the first unsent match
//! opens a window, and everything matched before it closes goes out in one
//! mail. Times come from the hidden `--now` clock.

use crate::support::http::{Content, HttpServer, Route};
use crate::support::mail::{squash, ParsedMail};
use crate::support::smtp::SmtpServer;
use crate::support::{exit, rss, Workspace};

const T0: &str = "2026-01-01T10:00:00+08:00";

/// `T0` plus `secs` seconds, as RFC 3339.
fn at(secs: i64) -> String {
    (chrono::DateTime::parse_from_rfc3339(T0).unwrap() + chrono::Duration::seconds(secs))
        .to_rfc3339()
}

fn serve(http: &HttpServer, items: &[(&str, &str)]) {
    http.route(
        "/now.xml",
        Route::Content(Content::new(rss("即时源", items), "application/rss+xml")),
    );
}

#[test]
fn immediate_subscriber_gets_one_mail_per_coalescing_window() {
    let http = HttpServer::start();
    let smtp = SmtpServer::start();
    let a = ("now-a", "深化改革 第一条");
    let b = ("now-b", "深化改革 第二条");
    let c = ("now-c", "深化改革 第三条");
    serve(&http, &[a]);
    let ws = Workspace::new(smtp.port(), &[("now".into(), http.url("/now.xml"))]);
    ws.edit_config("schedule = \"daily 08:00\"", "schedule = \"immediate\"");
    ws.set_mail("coalesce", "\"5m\"");
    ws.run(&["check"]).expect_code(exit::OK);

    ws.run_at(T0, &["poll", "--once"]).expect_code(exit::OK);
    serve(&http, &[a, b]);
    ws.run_at(&at(180), &["poll", "--once"])
        .expect_code(exit::OK);
    ws.run_at(&at(299), &["digest", "--send-due"])
        .expect_code(exit::OK);
    assert_eq!(smtp.count(), 0, "the window is still open");

    ws.run_at(&at(300), &["digest", "--send-due"])
        .expect_code(exit::OK);
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 1, "one mail for the whole window");
    let text = squash(&ParsedMail::parse(&msgs[0].data).all_text());
    assert!(
        text.contains(&squash(a.1)) && text.contains(&squash(b.1)),
        "{text}"
    );

    // A later match opens a new window; nothing is sent twice.
    serve(&http, &[a, b, c]);
    ws.run_at(&at(360), &["poll", "--once"])
        .expect_code(exit::OK);
    ws.run_at(&at(600), &["digest", "--send-due"])
        .expect_code(exit::OK);
    assert_eq!(smtp.count(), 1);
    ws.run_at(&at(660), &["digest", "--send-due"])
        .expect_code(exit::OK);
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 2);
    let text = squash(&ParsedMail::parse(&msgs[1].data).all_text());
    assert!(text.contains(&squash(c.1)), "{text}");
    assert!(!text.contains(&squash(a.1)), "{text}");
    ws.run_at(&at(3600), &["digest", "--send-due"])
        .expect_code(exit::OK);
    assert_eq!(smtp.count(), 2);
}

#[test]
fn coalesce_on_a_scheduled_subscriber_is_a_config_error() {
    let ws = Workspace::new(25, &[]);
    ws.edit_config(
        "schedule = \"daily 08:00\"",
        "schedule = \"daily 08:00\"\ncoalesce = \"5m\"",
    );
    let run = ws.run(&["check"]);
    run.expect_code(exit::CONFIG);
    assert!(
        run.all_output().contains("coalesce") && run.all_output().contains("immediate"),
        "{}",
        run.describe()
    );
}
