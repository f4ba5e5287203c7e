//! Test support: servers, fixtures, and running the real `reformwatch` binary.
//!
//! * [`http`]: a real HTTP/1.1 server with conditional GET and hostile routes.
//! * [`smtp`]: a real SMTP server that records what it accepts.
//! * [`server`]: the socket plumbing (stop, close, join) those servers share.
//! * [`mail`]: reading a received message (raw headers + MIME).
//! * [`fixtures`]: the feed fixtures, how they are served, their titles.
//! * [`Workspace`]: a tempdir with a generated `reformwatch.toml` and a
//!   [`Workspace::run`] that runs the binary with a hard timeout, returning
//!   its output, exit code and peak memory.

#![allow(dead_code)] // each test uses a different part of the harness

pub mod daemon;
pub mod fixtures;
pub mod http;
pub mod mail;
pub mod notify;
pub mod outbox;
pub mod pages;
pub mod scripted_http;
pub mod server;
pub mod smtp;
pub mod smtp_stub;

use std::fmt::Write as _;
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_reformwatch");

/// How long one run of the binary may take before it is killed (SIGKILL),
/// so a hang fails the test instead of blocking CI.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// Subscriber address in the generated config.
pub const SUBSCRIBER: &str = "analyst@example.org";

/// The exit code contract of issue 2.
pub mod exit {
    /// Success.
    pub const OK: i32 = 0;
    /// Config error.
    pub const CONFIG: i32 = 1;
    /// Runtime failure (e.g. a source failed, SMTP unreachable).
    pub const RUNTIME: i32 = 2;
}

/// One finished (or killed) run of the binary.
#[derive(Debug)]
pub struct Run {
    /// The command line, for messages.
    pub args: Vec<String>,
    /// Status, stdout and stderr as `std::process::Output`.
    pub output: Output,
    /// Peak resident set size of the child, in KiB (`ru_maxrss` from
    /// `wait4`). An upper bound: Linux folds the spawning process's RSS at
    /// exec time into it (see [`run_binary`]), so it is never below
    /// [`Run::parent_rss_kib`].
    pub max_rss_kib: u64,
    /// The test process's own RSS when it spawned the child, in KiB.
    pub parent_rss_kib: u64,
    /// Wall time from spawn to exit.
    pub elapsed: Duration,
    /// True when the harness killed it at the timeout.
    pub timed_out: bool,
}

impl Run {
    /// Exit code; `None` when killed by a signal.
    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    /// Stdout, lossily decoded.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    /// Stderr, lossily decoded.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// Stdout and stderr together (where a message went is not specified).
    pub fn all_output(&self) -> String {
        format!("{}\n{}", self.stdout(), self.stderr())
    }

    /// Everything about the run, for assertion messages.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "command: reformwatch {}", self.args.join(" "));
        let _ = writeln!(
            s,
            "status: {:?} (signal {:?}), timed out: {}, {:.1}s, max RSS {} KiB (test process at spawn: {} KiB)",
            self.code(),
            self.output.status.signal(),
            self.timed_out,
            self.elapsed.as_secs_f64(),
            self.max_rss_kib,
            self.parent_rss_kib
        );
        let _ = writeln!(s, "--- stdout ---\n{}", self.stdout());
        let _ = writeln!(s, "--- stderr ---\n{}", self.stderr());
        s
    }

    /// Panics unless the run exited with `code` in time.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert!(
            !self.timed_out,
            "killed after {RUN_TIMEOUT:?}\n{}",
            self.describe()
        );
        assert_eq!(
            self.code(),
            Some(code),
            "unexpected exit code\n{}",
            self.describe()
        );
        self
    }

    /// Panics unless the run exited non-zero (and was not killed).
    #[track_caller]
    pub fn expect_failure(&self) -> &Self {
        assert!(
            !self.timed_out,
            "killed after {RUN_TIMEOUT:?}\n{}",
            self.describe()
        );
        assert!(
            matches!(self.code(), Some(c) if c != 0),
            "expected a non-zero exit code\n{}",
            self.describe()
        );
        self
    }
}

/// Cleans the environment of a run of the binary: no proxy variables (so
/// no request leaves loopback), no `REFORMWATCH_CONFIG` and no SMTP
/// password from the developer's shell.
pub fn clean_env(cmd: &mut Command) {
    for v in [
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
        "REFORMWATCH_CONFIG",
        "REFORMWATCH_SMTP_PASSWORD",
    ] {
        cmd.env_remove(v);
    }
    cmd.env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost");
}

/// Runs the binary with `args` in `cwd`, with `env` added to a cleaned
/// environment (no proxy variables, no `REFORMWATCH_CONFIG`), killing it
/// after `timeout`. Returns its output and peak RSS.
///
/// Peak RSS: the kernel records the *spawning* process's peak RSS into the
/// child's `ru_maxrss` at exec (the old address space's high-water mark), so
/// a big test process would inflate it. We reset our own high-water mark to
/// the current RSS first (`/proc/self/clear_refs` ← `5`, Linux ≥ 4.0), which
/// leaves `max_rss_kib = max(child's own peak, test RSS at spawn)`: an upper
/// bound on the child's peak, tight while the test process stays small.
pub fn run_binary(args: &[String], cwd: &Path, env: &[(&str, &str)], timeout: Duration) -> Run {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    clean_env(&mut cmd);
    cmd.env("RUST_BACKTRACE", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let parent_rss_kib = self_rss_kib();
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"));
    let pid = child.id() as libc::pid_t;
    let drain = |r: Option<Box<dyn Read + Send>>| {
        thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );

    // Watchdog: SIGKILL at the deadline unless told the child has exited.
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let watchdog = thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = done_rx.recv_timeout(timeout) {
            // The child is not reaped yet (we wait with WNOWAIT below), so
            // `pid` still names it even if it has just exited.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            true
        } else {
            false
        }
    });

    // Wait for exit without reaping, stop the watchdog, then reap with
    // wait4 to get the child's rusage (peak RSS).
    loop {
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let r = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if r == 0 {
            break;
        }
        let e = std::io::Error::last_os_error();
        assert_eq!(e.kind(), std::io::ErrorKind::Interrupted, "waitid: {e}");
    }
    let elapsed = start.elapsed();
    drop(done_tx);
    let timed_out = watchdog.join().unwrap_or(false);
    let mut status: libc::c_int = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4: {}", std::io::Error::last_os_error());
    // `child` must not be waited on again; dropping it neither waits nor kills.
    drop(child);
    let run = Run {
        args: args.to_vec(),
        output: Output {
            status: ExitStatus::from_raw(status),
            stdout: out.join().unwrap_or_default(),
            stderr: err.join().unwrap_or_default(),
        },
        max_rss_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0),
        parent_rss_kib,
        elapsed,
        timed_out,
    };
    // Captured by libtest and shown only when a test fails: the transcript of
    // every run leading up to the failure. `RW_IT_VERBOSE=1` adds the output.
    if std::env::var_os("RW_IT_VERBOSE").is_some() {
        eprintln!("[run] {}", run.describe());
    } else {
        eprintln!(
            "[run] reformwatch {} -> {:?} in {:.1}s, max RSS {} KiB",
            run.args.join(" "),
            run.code(),
            run.elapsed.as_secs_f64(),
            run.max_rss_kib
        );
    }
    run
}

/// This process's current RSS in KiB (`VmRSS` in /proc/self/status).
fn self_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

/// A source line of the generated config.
#[derive(Debug, Clone)]
pub struct SourceSpec {
    /// Source id.
    pub id: String,
    /// Feed URL (always on 127.0.0.1).
    pub url: String,
}

/// A tempdir holding a generated `reformwatch.toml` whose `state_dir` is
/// inside the tempdir, mail going over plain SMTP to 127.0.0.1.
pub struct Workspace {
    dir: tempfile::TempDir,
    config: PathBuf,
    /// The SMTP port written into the config.
    pub smtp_port: u16,
    /// The sources written into the config.
    pub sources: Vec<SourceSpec>,
}

impl Workspace {
    /// Writes the config: `[daemon]` with short timeouts, 1 MiB body cap and
    /// `backfill = "all"`; `[mail]` over SMTP to `127.0.0.1:smtp_port`
    /// without TLS; topic `reform`; one feed source per `(id, url)`; one
    /// subscriber ([`SUBSCRIBER`]) of `reform`, `daily 08:00` Asia/Shanghai.
    pub fn new(smtp_port: u16, sources: &[(String, String)]) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("reformwatch-it-")
            .tempdir()
            .expect("tempdir");
        let state = dir.path().join("state");
        let config = dir.path().join("reformwatch.toml");
        let sources: Vec<SourceSpec> = sources
            .iter()
            .map(|(id, url)| SourceSpec {
                id: id.clone(),
                url: url.clone(),
            })
            .collect();
        for s in &sources {
            assert!(
                s.url.starts_with("http://127.0.0.1:"),
                "tests only talk to 127.0.0.1, not {}",
                s.url
            );
        }
        let text = config_toml(&state, smtp_port, &sources);
        std::fs::write(&config, text).expect("write config");
        Workspace {
            dir,
            config,
            smtp_port,
            sources,
        }
    }

    /// The tempdir.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The generated config file.
    pub fn config_path(&self) -> &Path {
        &self.config
    }

    /// Runs `reformwatch --config <file> ARGS…` in the tempdir.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_timeout(args, RUN_TIMEOUT)
    }

    /// Like [`Workspace::run`] with the hidden clock override:
    /// `reformwatch --config <file> --now NOW ARGS…`.
    pub fn run_at(&self, now: &str, args: &[&str]) -> Run {
        let mut all = vec!["--now", now];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// Like [`Workspace::run`] with another kill deadline.
    pub fn run_with_timeout(&self, args: &[&str], timeout: Duration) -> Run {
        self.run_with_env(&[], args, timeout)
    }

    /// Like [`Workspace::run_with_timeout`] with `env` added (e.g.
    /// `REFORMWATCH_FAILPOINT`).
    pub fn run_with_env(&self, env: &[(&str, &str)], args: &[&str], timeout: Duration) -> Run {
        let mut all = vec!["--config".to_string(), self.config.display().to_string()];
        all.extend(args.iter().map(|a| a.to_string()));
        run_binary(&all, self.dir.path(), env, timeout)
    }
}

/// A TOML basic string.
pub fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn config_toml(state_dir: &Path, smtp_port: u16, sources: &[SourceSpec]) -> String {
    let mut t = format!(
        r#"# Generated by the integration tests.
[daemon]
state_dir = {state}
timeout = "2s"
connect_timeout = "1s"
max_body_bytes = 1048576
backfill = "all"
per_host_delay = "0s"

[mail]
from = "Reform Watch <watch@example.org>"
transport = "smtp"
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
smtp_tls = "none"

[[topics]]
id = "reform"
name = "改革"
keywords = ["改革", "深化改革", "reform"]
"#,
        state = toml_str(&state_dir.display().to_string()),
    );
    for s in sources {
        let _ = write!(
            t,
            "\n[[sources]]\nid = {}\nkind = \"feed\"\nurl = {}\n",
            toml_str(&s.id),
            toml_str(&s.url)
        );
    }
    let _ = write!(
        t,
        r#"
[[subscribers]]
email = {email}
topics = ["reform"]
schedule = "daily 08:00"
timezone = "Asia/Shanghai"
format = "html"
"#,
        email = toml_str(SUBSCRIBER)
    );
    t
}

/// An RSS 2.0 feed made in the test: `(guid, title)` items, dated 2024, so
/// a test does not depend on the shared fixtures.
pub fn rss(title: &str, items: &[(&str, &str)]) -> Vec<u8> {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>\n<title>{}</title>\n<link>http://example.org/</link>\n<description>test feed</description>\n",
        esc(title)
    );
    for (i, (guid, t)) in items.iter().enumerate() {
        let _ = writeln!(
            x,
            "<item><guid isPermaLink=\"false\">{}</guid><title>{}</title><link>http://example.org/{}</link><description>{} 正文。</description><pubDate>Mon, 06 May 2024 0{}:20:00 +0800</pubDate></item>",
            esc(guid),
            esc(t),
            esc(guid),
            esc(t),
            i % 10
        );
    }
    x.push_str("</channel></rss>\n");
    x.into_bytes()
}
