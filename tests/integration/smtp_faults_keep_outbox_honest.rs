//! Acceptance 2 of issue 5 (RELIABILITY.md A1–A5): SMTP faults against the
//! real binary and a scriptable SMTP stub on 127.0.0.1. Each fault leaves the
//! digest in the state the outbox promises: transient faults keep it
//! `pending` with Postfix backoff (5 min doubling, capped at 4000 s) and the
//! same bytes and Message-ID on the retry; a 550 fails that recipient only;
//! nothing is retried before its time (no retry storm); after the queue
//! lifetime the digest is `expired` with a loud error. Times come from the
//! hidden `--now` clock, so no test waits for backoff.
//!
//! Issue 10, item 5: `smtp_timeout` bounds each command. A server silent
//! after `DATA` is cut off at that command, after at least `smtp_timeout`
//! (measured by the stub), and the error names it.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::http::{Content, HttpServer, Route};
use crate::support::outbox::unix;
use crate::support::smtp::closed_port;
use crate::support::smtp_stub::{Behaviour, SmtpStub};
use crate::support::{exit, rss, Workspace, BIN, SUBSCRIBER};

const POLL_AT: &str = "2026-01-01T07:00:00+08:00";
const SLOT: &str = "2026-01-01T08:00:00+08:00";
const SECOND: &str = "second@example.org";

/// `SLOT` plus `secs` seconds, as RFC 3339.
fn at(secs: i64) -> String {
    let t = chrono::DateTime::parse_from_rfc3339(SLOT).unwrap() + chrono::Duration::seconds(secs);
    t.to_rfc3339()
}

/// A feed with one reform article, polled at `POLL_AT`, mail to `port` with
/// a 1 s SMTP timeout.
fn setup(port: u16) -> (HttpServer, Workspace) {
    let http = HttpServer::start();
    http.route(
        "/f.xml",
        Route::Content(Content::new(
            rss("故障源", &[("fault-1", "深化改革 新举措出台")]),
            "application/rss+xml",
        )),
    );
    let ws = Workspace::new(port, &[("fault".into(), http.url("/f.xml"))]);
    ws.set_mail("smtp_timeout", "\"1s\"");
    (http, ws)
}

#[track_caller]
fn only_digest(ws: &Workspace) -> crate::support::outbox::DigestRow {
    let rows = ws.digests();
    assert_eq!(rows.len(), 1, "one digest expected: {rows:?}");
    rows.into_iter().next().unwrap()
}

/// Polls, then makes the first send against a stub behaving as `behaviour`
/// and checks it left the digest `pending` for a retry in 5 minutes.
#[track_caller]
fn first_send_deferred(
    behaviour: Behaviour,
) -> (
    SmtpStub,
    HttpServer,
    Workspace,
    crate::support::outbox::DigestRow,
) {
    let stub = SmtpStub::start(behaviour);
    let (http, ws) = setup(stub.port());
    ws.run_at(POLL_AT, &["poll", "--once"])
        .expect_code(exit::OK);
    ws.run_at(SLOT, &["digest", "--send-due"])
        .expect_code(exit::RUNTIME);
    let d = only_digest(&ws);
    assert_eq!((d.state.as_str(), d.attempts), ("pending", 1));
    assert_eq!(d.next_attempt_at, unix(SLOT) + 300);
    (stub, http, ws, d)
}

#[test]
fn smtp_down_backs_off_like_postfix_then_expires_loudly() {
    let (_http, ws) = setup(closed_port());
    ws.run_at(POLL_AT, &["poll", "--once"])
        .expect_code(exit::OK);

    let first = ws.run_at(SLOT, &["digest", "--send-due"]);
    first.expect_code(exit::RUNTIME);
    assert!(
        first
            .all_output()
            .contains(&format!("127.0.0.1:{}", ws.smtp_port)),
        "the error names host and port:\n{}",
        first.describe()
    );
    let d = only_digest(&ws);
    assert_eq!((d.state.as_str(), d.attempts), ("pending", 1));
    assert_eq!(d.next_attempt_at, unix(SLOT) + 300);

    // Before the retry time nothing is tried; at it, the delay doubles.
    ws.run_at(&at(299), &["digest", "--send-due"])
        .expect_code(exit::OK);
    assert_eq!(only_digest(&ws).attempts, 1, "retried before its time");
    let mut t = 300;
    for delay in [600, 1200, 2400, 4000, 4000] {
        ws.run_at(&at(t), &["digest", "--send-due"])
            .expect_code(exit::RUNTIME);
        let d = only_digest(&ws);
        assert_eq!(d.state, "pending");
        assert_eq!(
            d.next_attempt_at - unix(SLOT) - t,
            delay,
            "backoff after attempt {}",
            d.attempts
        );
        t += delay;
    }
    assert_eq!(only_digest(&ws).attempts, 6);

    // Five days after composition the digest expires, loudly.
    let late = ws.run_at(&at(5 * 86_400), &["digest", "--send-due"]);
    late.expect_code(exit::RUNTIME);
    assert!(
        late.stderr().contains("expired"),
        "expiry must be a loud error:\n{}",
        late.describe()
    );
    let d = only_digest(&ws);
    assert_eq!(d.state, "expired");
    let listing = ws.run(&["outbox"]);
    listing.expect_code(exit::OK);
    assert!(
        listing.stdout().contains("expired"),
        "{}",
        listing.describe()
    );

    // An expired digest is never tried again.
    ws.run_at(&at(6 * 86_400), &["digest", "--send-due"])
        .expect_code(exit::OK);
    assert_eq!(only_digest(&ws).attempts, d.attempts);
}

#[test]
fn greeting_421_defers_and_the_retry_delivers_once() {
    let (stub, _http, ws, d) =
        first_send_deferred(Behaviour::greeting("421 4.3.2 too busy, try later"));
    assert!(
        d.last_error.as_deref().unwrap_or("").contains("421"),
        "{d:?}"
    );
    assert!(stub.mails().is_empty());

    stub.set(Behaviour::accept());
    ws.run_at(&at(300), &["digest", "--send-due"])
        .expect_code(exit::OK);
    assert_eq!(only_digest(&ws).state, "sent");
    let mails = stub.mails();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].accepted);
    ws.run_at(&at(4000), &["digest", "--send-due"])
        .expect_code(exit::OK);
    assert_eq!(stub.mails().len(), 1, "sent once, never again");
}

#[test]
fn reply_451_after_data_resends_the_same_bytes() {
    let (stub, _http, ws, d) =
        first_send_deferred(Behaviour::after_dot("451 4.3.0 local problem, try later"));

    stub.set(Behaviour::accept());
    ws.run_at(&at(300), &["digest", "--send-due"])
        .expect_code(exit::OK);
    let mails = stub.mails();
    assert_eq!(mails.len(), 2);
    assert!(!mails[0].accepted && mails[1].accepted);
    assert_eq!(mails[0].data, mails[1].data, "a retry sends the same bytes");
    assert_eq!(mails[1].message_id(), Some(d.message_id.clone()));
    assert_eq!(only_digest(&ws).state, "sent");
}

#[test]
fn rejected_recipient_fails_alone_and_is_not_retried() {
    let stub = SmtpStub::start(Behaviour::reject(SECOND));
    let (_http, ws) = setup(stub.port());
    ws.add_subscriber(SECOND);
    ws.run_at(POLL_AT, &["poll", "--once"])
        .expect_code(exit::OK);
    let run = ws.run_at(SLOT, &["digest", "--send-due"]);
    run.expect_code(exit::RUNTIME);
    assert!(run.stderr().contains(SECOND), "{}", run.describe());

    let rows = ws.digests();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let state_of = |who: &str| {
        rows.iter()
            .find(|r| r.subscriber == who)
            .unwrap_or_else(|| panic!("no digest for {who}: {rows:?}"))
            .clone()
    };
    assert_eq!(state_of(SUBSCRIBER).state, "sent");
    let failed = state_of(SECOND);
    assert_eq!(failed.state, "failed");
    assert!(
        failed.last_error.as_deref().unwrap_or("").contains("550"),
        "{failed:?}"
    );
    let accepted: Vec<_> = stub.mails().into_iter().filter(|m| m.accepted).collect();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].to, [SUBSCRIBER]);

    // Later passes do not knock on the server for the failed recipient.
    for secs in [300, 3600, 86_400] {
        ws.run_at(&at(secs), &["digest", "--send-due"])
            .expect_code(exit::OK);
    }
    let tries = stub
        .rcpt_attempts()
        .iter()
        .filter(|a| a.as_str() == SECOND)
        .count();
    assert_eq!(tries, 1, "a 550 is final: no retry storm");
    let listing = ws.run(&["outbox"]);
    assert!(
        listing.stdout().contains("failed") && listing.stdout().contains(SECOND),
        "{}",
        listing.describe()
    );
}

#[test]
fn drop_after_final_dot_resends_with_the_same_message_id() {
    let (stub, _http, ws, d) = first_send_deferred(Behaviour::drop_after_dot());

    stub.set(Behaviour::accept());
    ws.run_at(&at(300), &["digest", "--send-due"])
        .expect_code(exit::OK);
    let mails = stub.mails();
    assert_eq!(mails.len(), 2, "the ambiguous send is repeated once");
    assert_eq!(mails[0].message_id(), mails[1].message_id());
    assert_eq!(mails[0].message_id(), Some(d.message_id));
    assert_eq!(mails[0].data, mails[1].data);
    assert_eq!(only_digest(&ws).state, "sent");
}

#[test]
fn stalled_server_is_cut_off_by_smtp_timeout_and_never_blocks_shutdown() {
    stall_then_sigterm(Behaviour::stall(), false);
}

#[test]
fn silence_after_the_final_dot_times_out_and_sigterm_still_stops_the_daemon() {
    stall_then_sigterm(Behaviour::stall_after_dot(), true);
}

/// A server that goes silent (at the greeting, or after the final dot when
/// `in_data`): the send is cut off by the SMTP deadline and the digest stays
/// pending; a daemon stalled on it stops cleanly on SIGTERM (RELIABILITY A5,
/// A14).
fn stall_then_sigterm(behaviour: Behaviour, in_data: bool) {
    let stub = SmtpStub::start(behaviour);
    let (_http, ws) = setup(stub.port());
    // Times relative to the real clock, because the daemon below uses it.
    let ago = |min: i64| (chrono::Utc::now() - chrono::Duration::minutes(min)).to_rfc3339();
    ws.run_at(&ago(20), &["poll", "--once"])
        .expect_code(exit::OK);
    let run = ws.run_at(&ago(10), &["digest", "--send-now"]);
    run.expect_code(exit::RUNTIME);
    let d = only_digest(&ws);
    assert_eq!((d.state.as_str(), d.attempts), ("pending", 1));
    assert!(
        d.last_error.as_deref().unwrap_or("").contains("timed out"),
        "{d:?}"
    );

    // Its retry (5 min after the attempt) is due for the daemon, which
    // stalls on the server; SIGTERM must still stop it.
    let connections = stub.connections();
    let mails = stub.mails().len();
    let stalled = || {
        if in_data {
            stub.mails().len() > mails
        } else {
            stub.connections() > connections
        }
    };
    let mut child = Command::new(BIN)
        .args(["--config", &ws.config_path().display().to_string(), "run"])
        .current_dir(ws.dir())
        .env_remove("REFORMWATCH_CONFIG")
        .env("NO_PROXY", "127.0.0.1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the daemon");
    let waited = Instant::now();
    while !stalled() && waited.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(stalled(), "the daemon never reached the stall");
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    // Bounded wait (smtp_timeout is 1 s per command); a hang is killed
    // and fails the test rather than blocking it.
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().expect("try_wait") {
            break Some(s);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let status = status.expect("SIGTERM did not stop a daemon stalled on SMTP");
    assert_eq!(status.code(), Some(0), "clean exit after SIGTERM");
    let d = only_digest(&ws);
    assert_eq!(
        d.state, "pending",
        "a stalled send leaves the digest pending"
    );
    assert_eq!(d.attempts, 2);
}

#[test]
fn queue_lifetime_is_configurable() {
    let (_http, ws) = setup(closed_port());
    ws.set_mail("queue_lifetime", "\"1h\"");
    ws.run_at(POLL_AT, &["poll", "--once"])
        .expect_code(exit::OK);
    ws.run_at(SLOT, &["digest", "--send-due"])
        .expect_code(exit::RUNTIME);
    ws.run_at(&at(3599), &["digest", "--send-due"])
        .expect_code(exit::RUNTIME);
    assert_eq!(only_digest(&ws).state, "pending");
    let late = ws.run_at(&at(3600), &["digest", "--send-due"]);
    late.expect_code(exit::RUNTIME);
    assert!(
        late.stderr().contains("expired") && late.stderr().contains("1h"),
        "{}",
        late.describe()
    );
    assert_eq!(only_digest(&ws).state, "expired");
}

#[test]
fn outbox_retry_requeues_a_failed_digest_with_the_same_message_id() {
    let stub = SmtpStub::start(Behaviour::reject(SUBSCRIBER));
    let (_http, ws) = setup(stub.port());
    ws.run_at(POLL_AT, &["poll", "--once"])
        .expect_code(exit::OK);
    ws.run_at(SLOT, &["digest", "--send-due"])
        .expect_code(exit::RUNTIME);
    let d = only_digest(&ws);
    assert_eq!(d.state, "failed");

    // The operator fixed the mailbox; requeue by the id `outbox` shows.
    stub.set(Behaviour::accept());
    let listing = ws.run(&["outbox"]);
    assert!(
        listing.stdout().contains(&d.id.to_string()),
        "{}",
        listing.describe()
    );
    ws.run_at(&at(3600), &["outbox", "retry", &d.id.to_string()])
        .expect_code(exit::OK);
    let requeued = only_digest(&ws);
    assert_eq!(requeued.state, "pending");
    assert_eq!(requeued.next_attempt_at, unix(SLOT) + 3600);
    ws.run_at(&at(3600), &["digest", "--send-due"])
        .expect_code(exit::OK);
    let mails = stub.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].message_id(), Some(d.message_id));
    assert_eq!(only_digest(&ws).state, "sent");

    // Sent digests and unknown ids are refused, naming the id.
    let again = ws.run(&["outbox", "retry", &d.id.to_string()]);
    again.expect_code(exit::RUNTIME);
    assert!(
        again.stderr().contains("already sent"),
        "{}",
        again.describe()
    );
    let unknown = ws.run(&["outbox", "retry", "999"]);
    unknown.expect_code(exit::RUNTIME);
    assert!(
        unknown.stderr().contains("no digest 999"),
        "{}",
        unknown.describe()
    );
}

#[test]
fn one_smtp_session_carries_every_digest_of_a_pass() {
    let stub = SmtpStub::start(Behaviour::accept());
    let (_http, ws) = setup(stub.port());
    ws.add_subscriber(SECOND);
    ws.add_subscriber("third@example.org");
    ws.run_at(POLL_AT, &["poll", "--once"])
        .expect_code(exit::OK);
    ws.run_at(SLOT, &["digest", "--send-due"])
        .expect_code(exit::OK);
    assert_eq!(stub.mails().len(), 3);
    assert_eq!(stub.connections(), 1, "one session for the whole pass");
    let transcript = &stub.transcripts()[0];
    let count = |prefix: &str| transcript.iter().filter(|l| l.starts_with(prefix)).count();
    assert_eq!(count("C: EHLO"), 1, "{transcript:#?}");
    assert_eq!(count("C: MAIL FROM"), 3, "{transcript:#?}");
    assert_eq!(
        count("C: QUIT"),
        1,
        "the pass ends with QUIT: {transcript:#?}"
    );
    assert!(ws.digests().iter().all(|d| d.state == "sent"));
}

#[test]
fn a_server_silent_after_data_is_cut_off_at_that_command() {
    let (stub, _http, _ws, d) = first_send_deferred(Behaviour::stall_at_data());
    let error = d.last_error.unwrap_or_default();
    assert!(
        error.contains("timed out after 1s waiting for the reply to DATA"),
        "the error names the command and smtp_timeout: {error}"
    );
    assert!(stub.mails().is_empty(), "no message after DATA");
    let transcript = stub.transcripts().concat();
    let waited: u64 = transcript
        .iter()
        .find_map(|l| l.strip_prefix("S: (silent after DATA; the client hung up after "))
        .and_then(|rest| rest.strip_suffix(" ms)"))
        .and_then(|ms| ms.parse().ok())
        .unwrap_or_else(|| panic!("the stub saw no hang-up after DATA: {transcript:?}"));
    // The stub starts its clock when it has read DATA, a little after the
    // client started its own; the slack absorbs that scheduling delay on a
    // loaded machine. Giving up at once, or at a later command, still fails.
    assert!(
        waited >= 750,
        "the client waited only {waited} ms for the reply to DATA: {transcript:?}"
    );
}
