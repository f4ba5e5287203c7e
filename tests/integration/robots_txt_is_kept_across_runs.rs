//! Issue 10, items 7 and 6: robots.txt is cached for a day in the
//! database, so `poll --once` runs (and restarts) within the day obey the
//! stored copy without asking for it again; and an unreachable robots.txt
//! pauses its site for ten minutes, across runs too. Time moves with the
//! `--now` clock, never by waiting.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::support::scripted_http::{Reply, ScriptedHttp};
use crate::support::smtp::closed_port;
use crate::support::{exit, rss, Run, Workspace};

fn feed() -> Reply {
    Reply::ok(rss("改革", &[("g", "深化改革")]), "application/rss+xml")
}

/// How often `path` was asked for.
fn asked(server: &ScriptedHttp, path: &str) -> usize {
    server.paths().iter().filter(|p| *p == path).count()
}

/// `poll --once` at `now`, expecting `code`.
fn poll_at(ws: &Workspace, now: &str, code: i32) -> Run {
    let run = ws.run_at(now, &["poll", "--once"]);
    run.expect_code(code);
    run
}

#[test]
fn a_second_poll_within_the_day_obeys_the_stored_robots_txt() {
    let server = ScriptedHttp::start(Duration::ZERO, |path| match path {
        "/robots.txt" => Reply::ok(
            b"User-agent: *\nDisallow: /private/\n".to_vec(),
            "text/plain",
        ),
        _ => feed(),
    });
    let ws = Workspace::new(
        closed_port(),
        &[
            ("public".into(), server.url("/feed.xml")),
            ("private".into(), server.url("/private/feed.xml")),
        ],
    );

    poll_at(&ws, "2024-09-02T10:00:00Z", exit::RUNTIME);
    assert_eq!(asked(&server, "/robots.txt"), 1);
    for now in ["2024-09-02T12:00:00Z", "2024-09-03T09:59:00Z"] {
        let run = poll_at(&ws, now, exit::RUNTIME);
        assert_eq!(
            asked(&server, "/robots.txt"),
            1,
            "robots.txt asked for again at {now}: {:?}",
            server.paths()
        );
        assert!(
            run.stderr().contains("disallowed by"),
            "the stored copy is obeyed at {now}\n{}",
            run.describe()
        );
    }
    assert_eq!(asked(&server, "/private/feed.xml"), 0);
    assert_eq!(asked(&server, "/feed.xml"), 3, "{:?}", server.paths());

    // A day after it was read, it is read again.
    poll_at(&ws, "2024-09-03T10:01:00Z", exit::RUNTIME);
    assert_eq!(asked(&server, "/robots.txt"), 2, "{:?}", server.paths());
}

#[test]
fn an_unreachable_robots_txt_pauses_the_site_for_ten_minutes() {
    let up = Arc::new(AtomicBool::new(false));
    let robots_up = up.clone();
    let server = ScriptedHttp::start(Duration::ZERO, move |path| match path {
        "/robots.txt" if robots_up.load(Ordering::SeqCst) => Reply::status(404),
        "/robots.txt" => Reply::status(503),
        _ => feed(),
    });
    let ws = Workspace::new(closed_port(), &[("site".into(), server.url("/feed.xml"))]);

    let run = poll_at(&ws, "2024-09-02T10:00:00Z", exit::RUNTIME);
    assert!(
        run.stderr().contains("robots.txt unreachable"),
        "{}",
        run.describe()
    );
    assert_eq!(asked(&server, "/robots.txt"), 1);
    assert_eq!(
        asked(&server, "/feed.xml"),
        0,
        "nothing fetched while paused"
    );

    // The server is back, but the pause holds: nine minutes later nothing
    // is asked for, robots.txt included.
    up.store(true, Ordering::SeqCst);
    let run = poll_at(&ws, "2024-09-02T10:09:00Z", exit::RUNTIME);
    assert!(
        run.stderr().contains("robots.txt unreachable"),
        "{}",
        run.describe()
    );
    assert_eq!(asked(&server, "/robots.txt"), 1, "{:?}", server.paths());
    assert_eq!(asked(&server, "/feed.xml"), 0);

    // After ten minutes robots.txt is asked for again, and the feed read.
    poll_at(&ws, "2024-09-02T10:10:30Z", exit::OK);
    assert_eq!(asked(&server, "/robots.txt"), 2, "{:?}", server.paths());
    assert_eq!(asked(&server, "/feed.xml"), 1);
}
