//! Issue 6, acceptance 6: with `[daemon] metrics_addr` the daemon serves
//! Prometheus text at `/metrics` (polls, fetch outcomes, bytes, 304 ratio,
//! articles, digests by state, per-source error streaks) and `/healthz`,
//! which answers 200 while the scheduler loop beats and 503 once the loop
//! is stalled by the test hook.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::support::daemon::Daemon;
use crate::support::http::{Content, HttpServer, Route};
use crate::support::smtp::SmtpServer;
use crate::support::{rss, Workspace};

const WAIT: Duration = Duration::from_secs(30);

/// `GET path` on `addr`; returns (status code, body).
pub(crate) fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect to metrics_addr");
    s.set_read_timeout(Some(WAIT)).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    let code = reply
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = reply
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    (code, body)
}

/// The address the daemon logged after binding `127.0.0.1:0`.
pub(crate) fn bound_addr(daemon: &Daemon) -> String {
    assert!(
        daemon.wait_for_log("serving /metrics", WAIT),
        "{}",
        daemon.log()
    );
    let log = daemon.log();
    let line = log
        .lines()
        .find(|l| l.contains("serving /metrics"))
        .unwrap();
    line.split("addr=")
        .nth(1)
        .and_then(|a| a.split_whitespace().next())
        .unwrap_or_else(|| panic!("no addr= in {line}"))
        .to_owned()
}

fn workspace(http: &HttpServer, smtp: &SmtpServer) -> Workspace {
    http.route(
        "/good.xml",
        Route::content(
            Content::new(
                rss("改革", &[("g1", "深化改革"), ("g2", "改革开放")]),
                "application/rss+xml",
            )
            .etag("v1"),
        ),
    );
    http.route("/broken.xml", crate::support::http::Route::Status(500));
    let ws = Workspace::new(
        smtp.port(),
        &[
            ("good".into(), http.url("/good.xml")),
            ("broken".into(), http.url("/broken.xml")),
        ],
    );
    let text = std::fs::read_to_string(ws.config_path()).unwrap();
    let text = text.replacen(
        "[daemon]\n",
        "[daemon]\nmetrics_addr = \"127.0.0.1:0\"\n",
        1,
    );
    std::fs::write(ws.config_path(), text).unwrap();
    ws
}

#[test]
fn metrics_and_healthz_answer_while_the_loop_runs() {
    let http = HttpServer::start();
    let smtp = SmtpServer::start();
    let ws = workspace(&http, &smtp);
    let mut daemon = Daemon::start(ws.config_path(), ws.dir(), &[]);
    let addr = bound_addr(&daemon);
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    assert!(
        daemon.wait_for_log("poll pass done", WAIT),
        "{}",
        daemon.log()
    );

    let (code, text) = get(&addr, "/metrics");
    assert_eq!(code, 200, "{text}");
    for want in [
        "reformwatch_polls_total{outcome=\"fetched\"} 1",
        "reformwatch_polls_total{outcome=\"failed\"} 1",
        "reformwatch_fetches_total{outcome=\"ok\"} 1",
        "reformwatch_fetches_total{outcome=\"status\"} 1",
        "reformwatch_articles 2",
        "reformwatch_new_articles_total 2",
        "reformwatch_digests{state=\"pending\"} 0",
        "reformwatch_source_error_streak{source=\"broken\"} 1",
        "reformwatch_source_error_streak{source=\"good\"} 0",
        "reformwatch_not_modified_ratio 0.0000",
        "reformwatch_loop_healthy 1",
        "# TYPE reformwatch_fetched_bytes_total counter",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    let (code, body) = get(&addr, "/healthz");
    assert_eq!((code, body.as_str()), (200, "ok\n"));
    assert_eq!(get(&addr, "/other").0, 404);

    daemon.signal(libc::SIGTERM);
    assert!(daemon.wait(WAIT).is_some_and(|s| s.success()));
}

#[test]
fn healthz_fails_once_the_loop_stalls() {
    let http = HttpServer::start();
    let smtp = SmtpServer::start();
    let ws = workspace(&http, &smtp);
    let daemon = Daemon::start(
        ws.config_path(),
        ws.dir(),
        &[
            ("WATCHDOG_USEC", "200000"),
            ("REFORMWATCH_TEST_STALL_AFTER", "3"),
        ],
    );
    let addr = bound_addr(&daemon);
    assert!(
        daemon.wait_for_log("stalling the loop", WAIT),
        "{}",
        daemon.log()
    );
    // The loop no longer beats; within a few beat periods /healthz says so.
    let deadline = Instant::now() + WAIT;
    let (code, body) = loop {
        let (code, body) = get(&addr, "/healthz");
        if code != 200 || Instant::now() >= deadline {
            break (code, body);
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(code, 503, "{body}");
    assert!(body.contains("stalled"), "{body}");
    assert!(get(&addr, "/metrics")
        .1
        .contains("reformwatch_loop_healthy 0"));
}

/// Issue 9: the fetch counters live with the fetcher now; a reload that
/// changes the fetch limits builds a new fetcher, and `/metrics` keeps
/// counting from the old one's totals instead of starting again at zero.
#[test]
fn fetch_counts_survive_a_reload_that_replaces_the_fetcher() {
    let http = HttpServer::start();
    let smtp = SmtpServer::start();
    let ws = workspace(&http, &smtp);
    let mut daemon = Daemon::start(ws.config_path(), ws.dir(), &[]);
    let addr = bound_addr(&daemon);
    assert!(
        daemon.wait_for_log("poll pass done", WAIT),
        "{}",
        daemon.log()
    );
    let text = std::fs::read_to_string(ws.config_path()).unwrap();
    let text = text.replacen("timeout = \"2s\"", "timeout = \"3s\"", 1);
    std::fs::write(ws.config_path(), text).unwrap();
    daemon.signal(libc::SIGHUP);
    assert!(
        daemon.wait_for_log("config reloaded", WAIT),
        "{}",
        daemon.log()
    );
    let (code, text) = get(&addr, "/metrics");
    assert_eq!(code, 200, "{text}");
    for want in [
        "reformwatch_fetches_total{outcome=\"ok\"} 1",
        "reformwatch_fetches_total{outcome=\"status\"} 1",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    daemon.signal(libc::SIGTERM);
    assert!(daemon.wait(WAIT).is_some_and(|s| s.success()));
}
