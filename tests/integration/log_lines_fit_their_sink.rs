//! Issue 15, logs that fit where they go: a poll whose source fails logs
//! a warning. Written to a pipe or a file, the lines carry no ANSI escape;
//! with `JOURNAL_STREAM` naming the very file stderr is (as systemd sets
//! it), every line starts with its syslog priority (`<4>` for a warning)
//! and no timestamp, so journald records levels; a `JOURNAL_STREAM` that
//! names another file (inherited by a child writing elsewhere) changes
//! nothing.

use std::os::unix::fs::MetadataExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::http::HttpServer;
use crate::support::{clean_env, exit, Workspace, BIN, RUN_TIMEOUT};

/// A workspace whose one feed 404s on the loopback server.
fn failing_source() -> (HttpServer, Workspace) {
    let http = HttpServer::start();
    let ws = Workspace::new(9, &[("gone".into(), http.url("/gone.xml"))]);
    (http, ws)
}

/// Runs `poll --once` with stderr going to a file, `RUST_LOG=info` and
/// `env`; returns the file's text.
fn poll_into_file(ws: &Workspace, journal: impl FnOnce(&std::fs::Metadata) -> String) -> String {
    let path = ws.dir().join("stderr.log");
    let file = std::fs::File::create(&path).expect("stderr file");
    let journal_stream = journal(&file.metadata().expect("stat"));
    let mut cmd = Command::new(BIN);
    clean_env(&mut cmd);
    cmd.args(["--config", &ws.config_path().display().to_string()])
        .args(["poll", "--once"])
        .env("RUST_LOG", "info")
        .env("JOURNAL_STREAM", journal_stream)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(file);
    let mut child = cmd.spawn().expect("start reformwatch");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > RUN_TIMEOUT {
            let _ = child.kill();
            panic!("poll --once hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(exit::RUNTIME), "the source fails");
    std::fs::read_to_string(&path).expect("UTF-8 log")
}

/// The tracing lines (the command's own summary starts with `error:`).
fn log_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.starts_with("error:")).collect()
}

#[test]
fn a_pipe_gets_no_escape_characters() {
    let (_http, ws) = failing_source();
    let run = ws.run_with_env(&[("RUST_LOG", "info")], &["poll", "--once"], RUN_TIMEOUT);
    run.expect_code(exit::RUNTIME);
    let err = run.stderr();
    assert!(err.contains("WARN"), "a warning is logged: {err}");
    assert!(
        !err.contains('\u{1b}'),
        "ANSI escapes in piped logs: {err:?}"
    );
}

#[test]
fn journald_gets_priorities_and_no_timestamps() {
    let (_http, ws) = failing_source();
    let text = poll_into_file(&ws, |m| format!("{}:{}", m.dev(), m.ino()));
    let lines = log_lines(&text);
    assert!(!lines.is_empty(), "{text}");
    assert!(!text.contains('\u{1b}'), "{text:?}");
    for line in &lines {
        let prio = line
            .strip_prefix('<')
            .and_then(|l| l.split_once('>'))
            .map(|(p, _)| p);
        assert!(
            matches!(prio, Some("3" | "4" | "6" | "7")),
            "every line starts with a syslog priority: {line:?}"
        );
        assert!(
            !line.contains("Z "),
            "no timestamp under journald: {line:?}"
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("<4>") && l.contains("poll failed")),
        "the failed poll is a warning, priority 4: {text}"
    );
}

#[test]
fn journald_gets_the_last_error_line_as_an_error() {
    let (_http, ws) = failing_source();
    // Another writer holds the database: the command fails before polling.
    let state = ws.dir().join("state");
    std::fs::create_dir_all(&state).expect("state dir");
    let lock = std::fs::File::create(state.join("reformwatch.lock")).expect("lock file");
    // SAFETY: flock on a descriptor this test owns.
    let rc = unsafe {
        libc::flock(
            std::os::fd::AsRawFd::as_raw_fd(&lock),
            libc::LOCK_EX | libc::LOCK_NB,
        )
    };
    assert_eq!(rc, 0, "take the lock");
    let text = poll_into_file(&ws, |m| format!("{}:{}", m.dev(), m.ino()));
    assert!(
        text.lines()
            .any(|l| l.starts_with("<3>reformwatch: error:") && l.contains("lock")),
        "the failure is priority 3: {text}"
    );
    drop(lock);
}

#[test]
fn journal_stream_of_another_file_is_not_the_journal() {
    let (_http, ws) = failing_source();
    let text = poll_into_file(&ws, |m| format!("{}:{}", m.dev(), m.ino() + 1));
    let warn = log_lines(&text)
        .into_iter()
        .find(|l| l.contains("WARN"))
        .unwrap_or_else(|| panic!("a plain warning line: {text}"));
    assert!(!warn.starts_with('<'), "{warn}");
    assert!(
        warn.chars().next().is_some_and(|c| c.is_ascii_digit()),
        "a timestamp first: {warn}"
    );
}
