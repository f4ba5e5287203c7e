//! Acceptance 3 of issue 5: STARTTLS and implicit TLS against an SMTP stub
//! whose certificate comes from a test CA made in the test. With
//! `[mail] ca_file` naming that CA the digest goes out (with AUTH PLAIN);
//! without it the send fails with an error naming host, port and the cure,
//! and the digest waits in the outbox. A refused login and a server without
//! STARTTLS are clear, deferred errors too; a refused login and a TLS
//! failure say what to check, also in `reformwatch outbox`.

use crate::support::http::{Content, HttpServer, Route};
use crate::support::smtp_stub::{Behaviour, SmtpStub, TestPki};
use crate::support::{exit, rss, toml_str, Workspace};

const USER: &str = "watch";
const PASSWORD: &str = "s3cret 改革";

/// A workspace polled once, mailing over `tls` (`starttls` or `tls`) to the
/// stub, with `ca_file` set when `ca_pem` is given, logging in as `USER`.
fn setup(
    stub: &SmtpStub,
    tls: &str,
    ca_pem: Option<&str>,
    password: &str,
) -> (HttpServer, Workspace) {
    let http = HttpServer::start();
    http.route(
        "/tls.xml",
        Route::Content(Content::new(
            rss("加密源", &[("tls-1", "深化改革 加密传输")]),
            "application/rss+xml",
        )),
    );
    let ws = Workspace::new(stub.port(), &[("tls".into(), http.url("/tls.xml"))]);
    ws.edit_config(
        "smtp_tls = \"none\"",
        &format!("smtp_tls = {}", toml_str(tls)),
    );
    let pw = ws.dir().join("smtp-password");
    std::fs::write(&pw, format!("{password}\n")).unwrap();
    ws.set_mail("password_file", &toml_str(&pw.display().to_string()));
    ws.set_mail("smtp_user", &toml_str(USER));
    ws.set_mail("smtp_timeout", "\"2s\"");
    if let Some(pem) = ca_pem {
        let ca = ws.dir().join("test-ca.pem");
        std::fs::write(&ca, pem).unwrap();
        ws.set_mail("ca_file", &toml_str(&ca.display().to_string()));
    }
    ws.run(&["check"]).expect_code(exit::OK);
    ws.run(&["poll", "--once"]).expect_code(exit::OK);
    (http, ws)
}

fn delivers_with_ca_file(implicit: bool) {
    let pki = TestPki::new();
    let stub =
        SmtpStub::start(Behaviour::tls(pki.server.clone(), implicit).with_auth(USER, PASSWORD));
    let mode = if implicit { "tls" } else { "starttls" };
    let (_http, ws) = setup(&stub, mode, Some(&pki.ca_pem), PASSWORD);
    ws.run(&["digest", "--send-now"]).expect_code(exit::OK);
    let mails = stub.mails();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].accepted);
    let transcript = stub.transcripts().concat().join("\n");
    assert_eq!(
        transcript.contains("C: STARTTLS"),
        !implicit,
        "{transcript}"
    );
    assert!(
        transcript.contains(&format!("(AUTH PLAIN as {USER:?})")),
        "{transcript}"
    );
    assert_eq!(ws.digests()[0].state, "sent");
}

fn fails_clearly_without_ca_file(implicit: bool) {
    let pki = TestPki::new();
    let stub =
        SmtpStub::start(Behaviour::tls(pki.server.clone(), implicit).with_auth(USER, PASSWORD));
    let mode = if implicit { "tls" } else { "starttls" };
    let (_http, ws) = setup(&stub, mode, None, PASSWORD);
    let run = ws.run(&["digest", "--send-now"]);
    run.expect_code(exit::RUNTIME);
    let err = run.stderr();
    assert!(
        err.contains(&format!("127.0.0.1:{}", stub.port())),
        "{}",
        run.describe()
    );
    assert!(
        err.contains("TLS failed") && err.contains("ca_file"),
        "{}",
        run.describe()
    );
    assert!(
        stub.mails().is_empty(),
        "nothing may be sent over an untrusted connection"
    );
    let d = &ws.digests()[0];
    assert_eq!((d.state.as_str(), d.attempts), ("pending", 1));
}

#[test]
fn starttls_with_ca_file_delivers_after_auth() {
    delivers_with_ca_file(false);
}

#[test]
fn implicit_tls_with_ca_file_delivers_after_auth() {
    delivers_with_ca_file(true);
}

#[test]
fn starttls_without_ca_file_fails_clearly_and_keeps_the_digest() {
    fails_clearly_without_ca_file(false);
}

#[test]
fn implicit_tls_without_ca_file_fails_clearly_and_keeps_the_digest() {
    fails_clearly_without_ca_file(true);
}

#[test]
fn refused_login_defers_with_a_clear_error() {
    let pki = TestPki::new();
    let stub = SmtpStub::start(Behaviour::tls(pki.server.clone(), false).with_auth(USER, PASSWORD));
    let (_http, ws) = setup(&stub, "starttls", Some(&pki.ca_pem), "wrong password");
    let run = ws.run(&["digest", "--send-now"]);
    run.expect_code(exit::RUNTIME);
    let err = run.stderr();
    assert!(
        err.contains(&format!("127.0.0.1:{}", stub.port()))
            && err.contains("authentication refused"),
        "{}",
        run.describe()
    );
    assert!(
        !err.contains("wrong password"),
        "the password leaked:\n{err}"
    );
    let d = &ws.digests()[0];
    assert_eq!((d.state.as_str(), d.attempts), ("pending", 1));
}

#[test]
fn server_without_starttls_is_refused_clearly() {
    let pki = TestPki::new();
    let stub = SmtpStub::start(Behaviour::accept());
    let (_http, ws) = setup(&stub, "starttls", Some(&pki.ca_pem), PASSWORD);
    let run = ws.run(&["digest", "--send-now"]);
    run.expect_code(exit::RUNTIME);
    assert!(
        run.stderr().contains("does not offer STARTTLS")
            && run.stderr().contains(&format!("127.0.0.1:{}", stub.port())),
        "{}",
        run.describe()
    );
    assert!(stub.mails().is_empty());
    assert_eq!(ws.digests()[0].state, "pending");
}

#[test]
fn auth_login_is_used_when_the_relay_offers_only_login() {
    let pki = TestPki::new();
    let stub = SmtpStub::start(
        Behaviour::tls(pki.server.clone(), false).with_login_only_auth(USER, PASSWORD),
    );
    let (_http, ws) = setup(&stub, "starttls", Some(&pki.ca_pem), PASSWORD);
    ws.run(&["digest", "--send-now"]).expect_code(exit::OK);
    let transcript = stub.transcripts().concat().join("\n");
    assert!(
        transcript.contains(&format!("(AUTH LOGIN as {USER:?})")),
        "{transcript}"
    );
    assert_eq!(stub.mails().len(), 1);
    assert_eq!(ws.digests()[0].state, "sent");
}

/// Issue 9: a refused login and a TLS failure carry a remediation hint,
/// in the report of `digest --send-now` and where `reformwatch outbox`
/// shows the digest's last error.
#[test]
fn refused_login_and_tls_failure_say_what_to_check() {
    let pki = TestPki::new();
    let stub = SmtpStub::start(Behaviour::tls(pki.server.clone(), false).with_auth(USER, PASSWORD));
    let (_http, ws) = setup(&stub, "starttls", Some(&pki.ca_pem), "wrong password");
    let run = ws.run(&["digest", "--send-now"]);
    run.expect_code(exit::RUNTIME);
    let auth_hint = "hint: check smtp_user and the password in password_env, password_file";
    assert!(run.stderr().contains(auth_hint), "{}", run.describe());
    let outbox = ws.run(&["outbox"]);
    outbox.expect_code(exit::OK);
    let listed = outbox.stdout();
    assert!(
        listed.contains("authentication refused") && listed.contains(auth_hint),
        "{}",
        outbox.describe()
    );

    let stub = SmtpStub::start(Behaviour::tls(pki.server.clone(), false).with_auth(USER, PASSWORD));
    let (_http, ws) = setup(&stub, "starttls", None, PASSWORD);
    ws.run(&["digest", "--send-now"]).expect_code(exit::RUNTIME);
    let outbox = ws.run(&["outbox"]);
    let listed = outbox.stdout();
    assert!(
        listed.contains("TLS failed")
            && listed.contains("hint: check that smtp_tls matches the relay's port")
            && listed.contains("[mail] ca_file"),
        "{}",
        outbox.describe()
    );
}
