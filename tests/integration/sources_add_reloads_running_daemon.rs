//! Issue 15, `sources add` next to a running daemon: the daemon holds the
//! writer lock, so `add` says it runs (with its pid) and how to reload;
//! `--reload` sends it SIGHUP, and the daemon then polls the new sources.

use std::time::Duration;

use crate::support::daemon::Daemon;
use crate::support::http::{Content, HttpServer, Route};
use crate::support::notify::NotifySocket;
use crate::support::{exit, rss, Workspace};

const WAIT: Duration = Duration::from_secs(30);

fn serve(http: &HttpServer, path: &str, title: &str) -> String {
    let body = rss(title, &[(title, "深化改革")]);
    http.route(
        path,
        Route::content(Content::new(body, "application/rss+xml")),
    );
    http.url(path)
}

#[test]
fn add_names_the_running_daemon_and_reload_signals_it() {
    let http = HttpServer::start();
    let a = serve(&http, "/a.xml", "a");
    let b = serve(&http, "/b.xml", "b");
    let c = serve(&http, "/c.xml", "c");
    let ws = Workspace::new(9, &[("a".into(), a)]);
    let mut sock = NotifySocket::bind();
    let socket = sock.path().display().to_string();
    let mut daemon = Daemon::start(ws.config_path(), ws.dir(), &[("NOTIFY_SOCKET", &socket)]);
    assert!(sock.wait_for("READY=1", WAIT).is_some(), "{}", daemon.log());

    let quiet = ws.run(&["sources", "add", &b, "--id", "b"]);
    quiet.expect_code(exit::OK);
    let pid = daemon.pid().to_string();
    assert!(
        quiet
            .stdout()
            .contains(&format!("the daemon is running (pid {pid})"))
            && quiet.stdout().contains("--reload"),
        "{}",
        quiet.describe()
    );

    let loud = ws.run(&["sources", "add", &c, "--id", "c", "--reload"]);
    loud.expect_code(exit::OK);
    assert!(
        loud.stdout()
            .contains(&format!("sent SIGHUP to the daemon (pid {pid})")),
        "{}",
        loud.describe()
    );
    assert!(
        sock.wait_for("RELOADING=1", WAIT).is_some(),
        "{}",
        daemon.log()
    );
    for path in ["/b.xml", "/c.xml"] {
        assert!(
            !http.wait_for_requests(path, 1, WAIT).is_empty(),
            "{path} is polled after the reload\n{}",
            daemon.log()
        );
    }
    daemon.signal(libc::SIGTERM);
    assert!(daemon.wait(WAIT).is_some_and(|s| s.success()));
}
