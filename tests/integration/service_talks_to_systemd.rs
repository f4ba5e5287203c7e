//! Issue 6, acceptance 2 (RELIABILITY.md F1–F3): the daemon speaks
//! sd_notify on a `NOTIFY_SOCKET` the test created. `READY=1` comes after
//! start, `WATCHDOG=1` at about half of `WATCHDOG_USEC` from the loop
//! itself, pings stop when the loop stalls (test hook), `RELOADING=1` with
//! `MONOTONIC_USEC=` then `READY=1` on SIGHUP, `STOPPING=1` on SIGTERM.
//! Rate checks count pings over a window with loose bounds: they prove the
//! cadence follows `WATCHDOG_USEC`, not how fast anything runs.
//!
//! Issue 10, item 4: liveness follows progress, not only a blocked
//! thread. A pass hung on an `await` (the `hang_in_source:ID` failpoint)
//! keeps the loop's `select!` ticking; once the pass is past its bound
//! the pings stop, `STATUS=` says why, and `/healthz` fails.

use std::time::Duration;

use crate::metrics_and_healthz_are_scraped::{bound_addr, get};
use crate::support::daemon::Daemon;
use crate::support::http::{Content, HttpServer, Route};
use crate::support::notify::NotifySocket;
use crate::support::smtp::SmtpServer;
use crate::support::{rss, Workspace};

const START: Duration = Duration::from_secs(30);

fn one_feed(http: &HttpServer) -> Vec<(String, String)> {
    let body = rss("改革新闻", &[("g1", "深化改革新举措")]);
    http.route(
        "/feed.xml",
        Route::content(Content::new(body, "application/rss+xml").etag("v1")),
    );
    vec![("feed".to_owned(), http.url("/feed.xml"))]
}

fn pings(lines: &[crate::support::notify::Message]) -> usize {
    lines.iter().filter(|m| m.line == "WATCHDOG=1").count()
}

#[test]
fn ready_watchdog_status_reload_and_stopping_reach_systemd() {
    let http = HttpServer::start();
    let smtp = SmtpServer::start();
    let ws = Workspace::new(smtp.port(), &one_feed(&http));
    let mut sock = NotifySocket::bind();
    let socket = sock.path().display().to_string();
    let mut daemon = Daemon::start(
        ws.config_path(),
        ws.dir(),
        &[("NOTIFY_SOCKET", &socket), ("WATCHDOG_USEC", "1000000")],
    );

    assert!(
        sock.wait_for("READY=1", START).is_some(),
        "no READY=1\nnotify:\n{}\nlog:\n{}",
        sock.transcript(),
        daemon.log()
    );
    let status = sock
        .wait_for("STATUS=", START)
        .expect("a STATUS= line after start");
    assert!(
        status.line.contains("1 sources") && status.line.contains("pending digests"),
        "{}",
        status.line
    );

    // WATCHDOG_USEC = 1 s → a ping about every 0.5 s: ~8 in 4 s.
    let window = sock.collect_for(Duration::from_secs(4));
    let n = pings(&window);
    assert!(
        (3..=20).contains(&n),
        "{n} WATCHDOG=1 in 4 s with WATCHDOG_USEC=1000000\n{}",
        sock.transcript()
    );

    daemon.signal(libc::SIGHUP);
    let reloading = sock
        .wait_for("RELOADING=1", START)
        .unwrap_or_else(|| panic!("no RELOADING=1\n{}", sock.transcript()));
    let after: Vec<_> = sock
        .seen()
        .iter()
        .skip_while(|m| m.line != "RELOADING=1")
        .map(|m| m.line.clone())
        .collect();
    let usec = after
        .iter()
        .find_map(|l| l.strip_prefix("MONOTONIC_USEC="))
        .unwrap_or_else(|| panic!("no MONOTONIC_USEC= with RELOADING=1: {after:?}"));
    assert!(usec.parse::<u64>().is_ok_and(|u| u > 0), "{usec}");
    assert!(
        sock.wait_for("READY=1", START)
            .is_some_and(|m| m.at >= reloading.at),
        "no READY=1 after RELOADING=1\n{}",
        sock.transcript()
    );

    daemon.signal(libc::SIGTERM);
    assert!(
        sock.wait_for("STOPPING=1", START).is_some(),
        "no STOPPING=1\n{}",
        sock.transcript()
    );
    let status = daemon.wait(START).expect("exits after SIGTERM");
    assert!(status.success(), "{status:?}\n{}", daemon.log());
}

#[test]
fn a_stalled_loop_stops_pinging_the_watchdog() {
    let http = HttpServer::start();
    let smtp = SmtpServer::start();
    let ws = Workspace::new(smtp.port(), &one_feed(&http));
    let mut sock = NotifySocket::bind();
    let socket = sock.path().display().to_string();
    let mut daemon = Daemon::start(
        ws.config_path(),
        ws.dir(),
        &[
            ("NOTIFY_SOCKET", &socket),
            ("WATCHDOG_USEC", "400000"),
            ("REFORMWATCH_TEST_STALL_AFTER", "3"),
        ],
    );
    assert!(sock.wait_for("READY=1", START).is_some());
    for i in 0..3 {
        assert!(
            sock.wait_for("WATCHDOG=1", START).is_some(),
            "ping {i} missing\n{}",
            sock.transcript()
        );
    }
    // Five ping periods without a ping: systemd would now kill the unit.
    let quiet = sock.collect_for(Duration::from_secs(1));
    assert_eq!(
        pings(&quiet),
        0,
        "pings went on after the loop stalled\n{}",
        sock.transcript()
    );
    assert_eq!(pings(sock.seen()), 3, "{}", sock.transcript());
    assert!(
        daemon.wait(Duration::ZERO).is_none(),
        "still running, stuck"
    );
    assert!(
        daemon.log().contains("stalling the loop"),
        "{}",
        daemon.log()
    );
}

#[test]
fn a_pass_hung_on_an_await_stops_the_pings_past_its_bound() {
    let http = HttpServer::start();
    let smtp = SmtpServer::start();
    let ws = Workspace::new(smtp.port(), &one_feed(&http));
    // A small bound: one fetch (no robots.txt) at the 2 s timeout, and
    // the file transport.
    ws.edit_config("kind = \"feed\"\n", "kind = \"feed\"\nrobots = false\n");
    ws.edit_config("transport = \"smtp\"\n", "transport = \"file\"\n");
    ws.edit_config("[daemon]\n", "[daemon]\nmetrics_addr = \"127.0.0.1:0\"\n");
    let mut sock = NotifySocket::bind();
    let socket = sock.path().display().to_string();
    let daemon = Daemon::start(
        ws.config_path(),
        ws.dir(),
        &[
            ("NOTIFY_SOCKET", &socket),
            ("WATCHDOG_USEC", "1000000"),
            ("REFORMWATCH_FAILPOINT", "hang_in_source:feed"),
        ],
    );
    let addr = bound_addr(&daemon);
    assert!(sock.wait_for("READY=1", START).is_some());
    assert!(
        daemon.wait_for_log("hang_in_source:feed hit", START),
        "{}",
        daemon.log()
    );
    // The pass hangs, but within its bound the loop still counts as alive.
    assert!(
        sock.wait_for("WATCHDOG=1", START).is_some(),
        "{}",
        sock.transcript()
    );
    let stuck = sock
        .wait_for_text("past its bound", Duration::from_secs(90))
        .unwrap_or_else(|| panic!("pings never stopped\n{}", sock.transcript()));
    assert!(
        stuck.line.starts_with("STATUS=poll pass stuck"),
        "{}",
        stuck.line
    );
    let after = sock.collect_for(Duration::from_secs(2));
    assert_eq!(
        pings(&after),
        0,
        "pings went on after the pass overran its bound\n{}",
        sock.transcript()
    );
    let (code, body) = get(&addr, "/healthz");
    assert_eq!(code, 503, "{body}");
    assert!(daemon.log().contains("poll pass stuck"), "{}", daemon.log());
}
