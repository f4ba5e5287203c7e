//! Issue 6, acceptance 3 (RELIABILITY.md F3/F4): SIGHUP re-reads the config.
//! A good file adds and removes sources while an unchanged source keeps
//! its state (its next poll is still conditional: the server sees
//! `If-None-Match`); a broken file leaves the old config running and the
//! daemon says why, in the log and in `STATUS=`.

use std::time::Duration;

use crate::support::daemon::Daemon;
use crate::support::http::{Content, HttpServer, Route};
use crate::support::notify::NotifySocket;
use crate::support::smtp::SmtpServer;
use crate::support::{rss, toml_str, Workspace};

const WAIT: Duration = Duration::from_secs(30);

fn serve(http: &HttpServer, path: &str, title: &str) -> String {
    let body = rss(title, &[(title, "深化改革")]);
    http.route(
        path,
        Route::content(Content::new(body, "application/rss+xml").etag(title)),
    );
    http.url(path)
}

fn source_block(id: &str, url: &str) -> String {
    format!(
        "\n[[sources]]\nid = {}\nkind = \"feed\"\nurl = {}\n",
        toml_str(id),
        toml_str(url)
    )
}

/// The workspace's config with every source polled each second.
fn fast(text: &str) -> String {
    text.replace("kind = \"feed\"\n", "kind = \"feed\"\ninterval = \"1s\"\n")
}

#[test]
fn good_config_adds_and_removes_sources_and_keeps_state() {
    let http = HttpServer::start();
    let smtp = SmtpServer::start();
    let a = serve(&http, "/a.xml", "a");
    let b = serve(&http, "/b.xml", "b");
    let c = serve(&http, "/c.xml", "c");
    let ws = Workspace::new(
        smtp.port(),
        &[("a".into(), a.clone()), ("b".into(), b.clone())],
    );
    let original = std::fs::read_to_string(ws.config_path()).unwrap();
    std::fs::write(ws.config_path(), fast(&original)).unwrap();
    let mut sock = NotifySocket::bind();
    let socket = sock.path().display().to_string();
    let mut daemon = Daemon::start(ws.config_path(), ws.dir(), &[("NOTIFY_SOCKET", &socket)]);
    assert!(sock.wait_for("READY=1", WAIT).is_some(), "{}", daemon.log());
    // Polled twice: the second one is conditional.
    let seen = http.wait_for_requests("/a.xml", 2, WAIT);
    assert!(seen.len() >= 2 && seen[1].is_conditional(), "{seen:#?}");
    assert!(!http.wait_for_requests("/b.xml", 1, WAIT).is_empty());

    // b goes, c comes, a stays as it is.
    let next = original.replace(&source_block("b", &b), &source_block("c", &c));
    assert_ne!(next, original, "the b block must be found");
    std::fs::write(ws.config_path(), fast(&next)).unwrap();
    daemon.signal(libc::SIGHUP);
    let reloading = sock.wait_for("RELOADING=1", WAIT).expect("RELOADING=1");
    sock.wait_for("READY=1", WAIT)
        .expect("READY=1 after the reload");
    let status = sock
        .wait_for("STATUS=", WAIT)
        .expect("STATUS= after reload");
    assert!(
        status.at >= reloading.at && status.line.contains("2 sources"),
        "{}",
        status.line
    );
    let a_before = http.requests_to("/a.xml").len();
    let b_before = http.requests_to("/b.xml").len();

    assert!(
        !http.wait_for_requests("/c.xml", 1, WAIT).is_empty(),
        "the added source is polled\n{}",
        daemon.log()
    );
    let a_after = http.wait_for_requests("/a.xml", a_before + 2, WAIT);
    assert!(a_after.len() >= a_before + 2, "a is still polled");
    for r in &a_after[a_before..] {
        assert_eq!(
            r.header("if-none-match"),
            Some("\"a\""),
            "a kept its ETag across the reload: {r:#?}"
        );
        assert!(r.not_modified());
    }
    assert_eq!(
        http.requests_to("/b.xml").len(),
        b_before,
        "the removed source is no longer polled"
    );
    assert!(
        daemon.log().contains("reload: source added"),
        "{}",
        daemon.log()
    );
    assert!(daemon.log().contains("reload: source removed"));

    daemon.signal(libc::SIGTERM);
    assert!(daemon.wait(WAIT).is_some_and(|s| s.success()));
}

#[test]
fn broken_config_keeps_the_old_one_running_and_says_why() {
    let http = HttpServer::start();
    let smtp = SmtpServer::start();
    let a = serve(&http, "/a.xml", "a");
    let ws = Workspace::new(smtp.port(), &[("a".into(), a)]);
    let original = fast(&std::fs::read_to_string(ws.config_path()).unwrap());
    std::fs::write(ws.config_path(), &original).unwrap();
    let mut sock = NotifySocket::bind();
    let socket = sock.path().display().to_string();
    let mut daemon = Daemon::start(ws.config_path(), ws.dir(), &[("NOTIFY_SOCKET", &socket)]);
    assert!(sock.wait_for("READY=1", WAIT).is_some(), "{}", daemon.log());
    assert!(!http.wait_for_requests("/a.xml", 1, WAIT).is_empty());

    // A bad interval on line N: the reload must name the key and the line.
    let broken = original.replace("interval = \"1s\"", "interval = \"soon\"");
    let line = broken
        .lines()
        .position(|l| l.contains("\"soon\""))
        .expect("edited line")
        + 1;
    std::fs::write(ws.config_path(), &broken).unwrap();
    daemon.signal(libc::SIGHUP);
    sock.wait_for("RELOADING=1", WAIT).expect("RELOADING=1");
    sock.wait_for("READY=1", WAIT)
        .expect("still READY=1 (old config)");
    let status = sock.wait_for("STATUS=", WAIT).expect("STATUS=");
    assert!(
        status.line.contains("reload failed") && status.line.contains("sources[0].interval"),
        "{}",
        status.line
    );
    assert!(
        daemon
            .log()
            .contains(&format!(":{line}: sources[0].interval")),
        "the log names file, line and key\n{}",
        daemon.log()
    );
    // Still polling on the old config (interval 1 s).
    let before = http.requests_to("/a.xml").len();
    assert!(http.wait_for_requests("/a.xml", before + 1, WAIT).len() > before);
    assert!(daemon.wait(Duration::ZERO).is_none(), "still running");

    daemon.signal(libc::SIGTERM);
    assert!(daemon.wait(WAIT).is_some_and(|s| s.success()));
}
