//! Issue 6, acceptance 4 (RELIABILITY.md B12, E1, E3): polling stays polite.
//! Fifty sources on one host never see more requests at once than the
//! per-host limit (default 1); a 429 with `Retry-After` (seconds or an HTTP
//! date) moves the next poll at least that far out; ten failures in a row
//! back off exponentially and the source stays scheduled, shown as failing
//! with its streak and error by `reformwatch sources`; robots.txt is
//! fetched once per origin and obeyed, unless a source opts out.

use std::time::Duration;

use crate::support::scripted_http::{Reply, ScriptedHttp};
use crate::support::smtp::SmtpServer;
use crate::support::{exit, rss, Workspace};

fn feed() -> Reply {
    Reply::ok(rss("改革", &[("g", "深化改革")]), "application/rss+xml")
}

/// Sets `line` under `[daemon]` and an interval on every source.
fn tune(ws: &Workspace, daemon_line: &str, interval: &str) {
    let text = std::fs::read_to_string(ws.config_path()).unwrap();
    let text = text
        .replacen("[daemon]\n", &format!("[daemon]\n{daemon_line}\n"), 1)
        .replace(
            "kind = \"feed\"\n",
            &format!("kind = \"feed\"\ninterval = \"{interval}\"\n"),
        );
    std::fs::write(ws.config_path(), text).unwrap();
}

/// `(next_poll_at - last_poll_at, error_streak)` of a source, in seconds.
fn schedule_of(ws: &Workspace, id: &str) -> (i64, i64) {
    ws.db()
        .query_row(
            "SELECT next_poll_at - last_poll_at, error_streak FROM sources WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap_or_else(|e| panic!("source {id} in the database: {e}"))
}

/// Requests for feeds (robots.txt is asked for too, once per origin).
fn feed_requests(server: &ScriptedHttp) -> usize {
    server
        .paths()
        .iter()
        .filter(|p| *p != "/robots.txt")
        .count()
}

fn sources_on(server: &ScriptedHttp, n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| (format!("s{i:02}"), server.url(&format!("/feed/{i}"))))
        .collect()
}

#[test]
fn fifty_sources_on_one_host_get_one_request_at_a_time() {
    let server = ScriptedHttp::start(Duration::from_millis(20), |_| feed());
    let smtp = SmtpServer::start();
    let ws = Workspace::new(smtp.port(), &sources_on(&server, 50));
    // The default per_host_concurrency (1) applies.
    ws.run(&["poll", "--once"]).expect_code(exit::OK);
    assert_eq!(feed_requests(&server), 50, "every source polled");
    assert_eq!(server.max_in_flight(), 1, "one request at a time per host");
}

#[test]
fn a_raised_per_host_limit_is_still_a_limit() {
    let server = ScriptedHttp::start(Duration::from_millis(20), |_| feed());
    let smtp = SmtpServer::start();
    let ws = Workspace::new(smtp.port(), &sources_on(&server, 50));
    tune(&ws, "per_host_concurrency = 3", "15m");
    ws.run(&["poll", "--once"]).expect_code(exit::OK);
    assert_eq!(feed_requests(&server), 50);
    assert!(server.max_in_flight() <= 3, "{}", server.max_in_flight());
}

#[test]
fn retry_after_moves_the_next_poll_out() {
    let later = (chrono::Utc::now() + chrono::Duration::hours(2))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let server = ScriptedHttp::start(Duration::ZERO, move |path| match path {
        "/seconds" => Reply::status(429).header("Retry-After", "120"),
        "/date" => Reply::status(503).header("Retry-After", &later),
        // A 304's freshness counts like a 200's.
        "/unchanged" => Reply {
            status: 304,
            headers: vec![("Cache-Control".into(), "max-age=1800".into())],
            body: Vec::new(),
        },
        _ => feed().header("Cache-Control", "max-age=1800"),
    });
    let smtp = SmtpServer::start();
    let ws = Workspace::new(
        smtp.port(),
        &[
            ("seconds".into(), server.url("/seconds")),
            ("date".into(), server.url("/date")),
            ("cached".into(), server.url("/cached")),
            ("unchanged".into(), server.url("/unchanged")),
        ],
    );
    // A 1-minute interval: only the server's hints can push polls further.
    tune(&ws, "", "1m");
    ws.run(&["poll", "--once"]).expect_code(exit::RUNTIME);
    let (wait, streak) = schedule_of(&ws, "seconds");
    assert!(wait >= 120, "Retry-After: 120 → next poll {wait}s out");
    assert_eq!(streak, 1);
    let (wait, _) = schedule_of(&ws, "date");
    assert!(
        wait >= 2 * 3600 - 60,
        "Retry-After as an HTTP date two hours ahead → {wait}s"
    );
    let (wait, streak) = schedule_of(&ws, "cached");
    assert!(wait >= 1800, "Cache-Control: max-age=1800 → {wait}s");
    assert_eq!(streak, 0);
    let (wait, streak) = schedule_of(&ws, "unchanged");
    assert!(
        wait >= 1800,
        "304 with Cache-Control: max-age=1800 → {wait}s"
    );
    assert_eq!(streak, 0);
}

#[test]
fn ten_failures_back_off_exponentially_and_stay_scheduled() {
    let server = ScriptedHttp::start(Duration::ZERO, |path| match path {
        "/robots.txt" => Reply::status(404),
        _ => Reply::status(500),
    });
    let smtp = SmtpServer::start();
    let ws = Workspace::new(smtp.port(), &[("broken".into(), server.url("/feed"))]);
    tune(&ws, "", "1m");
    let mut waits = Vec::new();
    for n in 1..=10 {
        ws.run(&["poll", "--once"]).expect_code(exit::RUNTIME);
        let (wait, streak) = schedule_of(&ws, "broken");
        assert_eq!(streak, n);
        waits.push(wait);
    }
    for (i, wait) in waits.iter().enumerate() {
        // 60 s doubled per failure, up to 20% jitter on top.
        let base = 60i64 << i;
        assert!(
            *wait >= base && *wait <= base + base / 5 + 1,
            "failure {}: next poll {wait}s out, expected {base}s + ≤20%: {waits:?}",
            i + 1
        );
    }
    let table = ws.run(&["sources"]).expect_code(exit::OK).stdout();
    let row = table
        .lines()
        .find(|l| l.starts_with("broken"))
        .unwrap_or_else(|| panic!("no row for the source:\n{table}"));
    assert!(row.contains("failing"), "{row}");
    assert!(row.contains(" 10 "), "streak shown: {row}");
    assert!(row.contains("HTTP 500"), "error shown: {row}");
}

#[test]
fn robots_txt_is_obeyed_unless_the_source_opts_out() {
    let strict = ScriptedHttp::start(Duration::ZERO, |path| match path {
        "/robots.txt" => Reply::ok(
            b"User-agent: *\nDisallow: /private/\n\nUser-agent: other\nDisallow:\n".to_vec(),
            "text/plain",
        ),
        _ => feed(),
    });
    let closed = ScriptedHttp::start(Duration::ZERO, |path| match path {
        "/robots.txt" => Reply::ok(b"User-agent: *\nDisallow: /\n".to_vec(), "text/plain"),
        _ => feed(),
    });
    let smtp = SmtpServer::start();
    let ws = Workspace::new(
        smtp.port(),
        &[
            ("public".into(), strict.url("/public/feed.xml")),
            ("private".into(), strict.url("/private/feed.xml")),
            ("also-public".into(), strict.url("/news/feed.xml")),
            ("opted-out".into(), closed.url("/feed.xml")),
        ],
    );
    let text = std::fs::read_to_string(ws.config_path()).unwrap();
    let marker = format!("url = \"{}\"\n", closed.url("/feed.xml"));
    let text = text.replace(&marker, &format!("{marker}robots = false\n"));
    std::fs::write(ws.config_path(), text).unwrap();

    let run = ws.run(&["poll", "--once"]);
    run.expect_code(exit::RUNTIME);
    let paths = strict.paths();
    assert!(
        !paths.iter().any(|p| p.starts_with("/private/")),
        "a disallowed path was fetched: {paths:?}"
    );
    assert!(paths.iter().any(|p| p == "/public/feed.xml"), "{paths:?}");
    assert!(paths.iter().any(|p| p == "/news/feed.xml"), "{paths:?}");
    assert_eq!(
        paths.iter().filter(|p| *p == "/robots.txt").count(),
        1,
        "robots.txt fetched once per origin: {paths:?}"
    );
    assert!(
        run.stderr().contains("private") && run.stderr().contains("robots.txt"),
        "the refusal is reported with the source\n{}",
        run.describe()
    );
    assert_eq!(
        closed.paths(),
        vec!["/feed.xml".to_string()],
        "opt-out: no robots.txt"
    );
}
