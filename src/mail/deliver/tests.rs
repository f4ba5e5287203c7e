//! Unit tests of the mail transports against throwaway local SMTP stubs.

use std::path::PathBuf;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::*;
use crate::config::Secret;

fn smtp_settings(port: u16) -> MailSettings {
    MailSettings {
        from: "Reform Watch <watch@example.org>".into(),
        reply_to: None,
        transport: Transport::Smtp(SmtpSettings {
            host: "127.0.0.1".into(),
            port,
            tls: SmtpTls::None,
            user: None,
            password: None,
            secret: None,
            timeout: Duration::from_secs(5),
            ca_file: None,
            ca_pem: None,
        }),
        queue_lifetime: Duration::from_secs(5 * 86_400),
        max_items: 200,
        coalesce: Duration::from_secs(300),
    }
}

fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    port
}

#[tokio::test]
async fn file_transport_writes_one_eml_with_the_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox").join("nested");
    let mail = MailSettings {
        transport: Transport::File {
            dir: outbox.clone(),
        },
        ..smtp_settings(0)
    };
    let mailer = Mailer::new(&mail).unwrap();
    assert_eq!(mailer.describe(), format!("file {}", outbox.display()));
    let message = b"From: watch@example.org\r\nTo: a@example.org\r\nSubject: hi\r\n\r\nbody \xe6\x94\xb9\xe9\x9d\xa9\r\n";
    mailer
        .send(
            "Reform Watch <watch@example.org>",
            &["a@example.org".into()],
            message,
        )
        .await
        .unwrap();
    let files: Vec<_> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].extension().and_then(|e| e.to_str()), Some("eml"));
    assert_eq!(std::fs::read(&files[0]).unwrap(), message);
}

#[tokio::test]
async fn smtp_to_closed_port_is_transient_and_names_host_and_port() {
    let port = closed_port();
    let mailer = Mailer::new(&smtp_settings(port)).unwrap();
    assert_eq!(mailer.describe(), format!("smtp 127.0.0.1:{port} (plain)"));
    let err = send_one(port).await.unwrap_err();
    let msg = err.to_string();
    assert!(!err.is_permanent(), "{msg}");
    assert!(matches!(err, DeliverError::Connection { .. }), "{err:?}");
    assert!(
        msg.starts_with(&format!("smtp 127.0.0.1:{port}: ")),
        "{msg}"
    );
    assert!(msg.contains("connection refused"), "{msg}");
}

#[tokio::test]
async fn bad_envelope_is_permanent_and_names_the_address() {
    let dir = tempfile::tempdir().unwrap();
    let mail = MailSettings {
        from: "watch@example.org".into(),
        transport: Transport::File {
            dir: dir.path().to_path_buf(),
        },
        ..smtp_settings(0)
    };
    let mailer = Mailer::new(&mail).unwrap();
    let err = mailer
        .send("watch@example.org", &["not an address".into()], b"x")
        .await
        .unwrap_err();
    assert!(err.is_permanent());
    assert!(err.to_string().contains("not an address"), "{err}");
    let err = mailer
        .send("watch@example.org", &[], b"x")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no recipients"), "{err}");
    let err = mailer
        .send("nobody", &["a@example.org".into()], b"x")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("\"nobody\""), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// The password is read once, by `config::load`, from the file or
/// variable the config names (trimmed); a missing or empty secret fails the
/// load, naming the file or variable. The mailer only uses what was read.
#[test]
fn smtp_password_comes_from_file_trimmed_and_missing_secrets_fail() {
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("smtp-password");
    std::fs::write(&pw, "  s3cret\n").unwrap();
    let config = dir.path().join("reformwatch.toml");
    let load = |secret: String| {
        let text = format!(
            "[mail]\ntransport = \"smtp\"\nsmtp_host = \"127.0.0.1\"\nsmtp_port = 2525\n\
             smtp_user = \"watch\"\n{secret}\n"
        );
        crate::config::load_text(&text, &config).map_err(|e| e.to_string())
    };
    let file_line =
        |path: &std::path::Path| format!("password_file = {:?}", path.display().to_string());
    let settings = load(file_line(&pw)).unwrap();
    let mailer = Mailer::new(&settings.mail).unwrap();
    assert_eq!(mailer.describe(), "smtp 127.0.0.1:2525 (starttls) as watch");
    assert!(!format!("{mailer:?}").contains("s3cret"));
    assert!(!format!("{settings:?}").contains("s3cret"));
    let Transport::Smtp(smtp) = &settings.mail.transport else {
        panic!("not smtp")
    };
    assert_eq!(smtp.secret.as_ref().map(Secret::expose), Some("s3cret"));

    let missing = dir.path().join("absent");
    let msg = load(file_line(&missing)).unwrap_err();
    assert!(msg.contains("mail.password_file"), "{msg}");
    assert!(msg.contains(&missing.display().to_string()), "{msg}");

    let msg =
        load("password_env = \"REFORMWATCH_TEST_SURELY_UNSET_PASSWORD_VAR\"".into()).unwrap_err();
    assert!(
        msg.contains("REFORMWATCH_TEST_SURELY_UNSET_PASSWORD_VAR` (password_env) is not set"),
        "{msg}"
    );

    let mut mail = smtp_settings(2525);
    if let Transport::Smtp(s) = &mut mail.transport {
        s.user = Some("watch".into());
    }
    let err = Mailer::new(&mail).unwrap_err();
    assert!(err.is_permanent());
    let msg = err.to_string();
    assert!(msg.starts_with("smtp 127.0.0.1:2525: "), "{msg}");
    assert!(msg.contains("no password_env or password_file"), "{msg}");

    let empty = dir.path().join("empty");
    std::fs::write(&empty, "\n").unwrap();
    assert!(load(file_line(&empty)).unwrap_err().contains("is empty"));
}

#[test]
fn describe_names_each_transport() {
    let mut mail = smtp_settings(465);
    if let Transport::Smtp(s) = &mut mail.transport {
        s.tls = SmtpTls::Tls;
        s.host = "::1".into();
    }
    assert_eq!(
        Mailer::new(&mail).unwrap().describe(),
        "smtp [::1]:465 (tls)"
    );
    mail.transport = Transport::Sendmail {
        command: PathBuf::from("/usr/sbin/sendmail"),
    };
    assert_eq!(
        Mailer::new(&mail).unwrap().describe(),
        "sendmail /usr/sbin/sendmail"
    );
}

/// A scripted SMTP server for one connection: replies to RCPT TO with
/// `rcpt_reply`, everything else with a plain success.
async fn smtp_stub(rcpt_reply: &'static str) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (sock, _) = listener.accept().await.unwrap();
        let (r, mut w) = sock.into_split();
        let mut lines = BufReader::new(r).lines();
        w.write_all(b"220 stub ESMTP\r\n").await.unwrap();
        while let Ok(Some(line)) = lines.next_line().await {
            let upper = line.to_ascii_uppercase();
            let reply: &str = if upper.starts_with("EHLO") {
                "250 stub\r\n"
            } else if upper.starts_with("RCPT") {
                rcpt_reply
            } else if upper.starts_with("DATA") && rcpt_reply == "250 ok, then drop\r\n" {
                // Accept DATA, read the body and the final dot, then
                // hang up without a reply (the RFC 1047 gap).
                w.write_all(b"354 go ahead\r\n").await.unwrap();
                while let Ok(Some(l)) = lines.next_line().await {
                    if l == "." {
                        break;
                    }
                }
                break;
            } else if upper.starts_with("QUIT") {
                let _ = w.write_all(b"221 bye\r\n").await;
                break;
            } else {
                "250 ok\r\n"
            };
            if w.write_all(reply.as_bytes()).await.is_err() {
                break;
            }
        }
    });
    port
}

/// Sends one small message to the SMTP server on `port` with the
/// default test settings.
async fn send_one(port: u16) -> Result<(), DeliverError> {
    Mailer::new(&smtp_settings(port))
        .unwrap()
        .send(
            "watch@example.org",
            &["x@example.org".into()],
            b"Subject: x\r\n\r\nx\r\n",
        )
        .await
}

#[tokio::test]
async fn smtp_5xx_is_permanent_with_code_and_text() {
    let port = smtp_stub("550 5.1.1 no such user here\r\n").await;
    let err = send_one(port).await.unwrap_err();
    assert!(err.is_permanent(), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("smtp 127.0.0.1:{port}: rejected by server: 550 5.1.1 no such user here")
    );
}

#[tokio::test]
async fn smtp_4xx_is_transient_with_code_and_text() {
    let port = smtp_stub("451 4.3.0 try again later\r\n").await;
    let err = send_one(port).await.unwrap_err();
    assert!(!err.is_permanent(), "{err:?}");
    assert!(
        matches!(err, DeliverError::Deferred { code: 451, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("451 4.3.0 try again later"),
        "{err}"
    );
}

#[tokio::test]
async fn smtp_drop_after_data_is_transient() {
    let port = smtp_stub("250 ok, then drop\r\n").await;
    let err = send_one(port).await.unwrap_err();
    assert!(!err.is_permanent(), "{err:?}");
    assert!(matches!(err, DeliverError::Connection { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("smtp 127.0.0.1:{port}: ")),
        "{err}"
    );
    assert!(err.to_string().contains("connection dropped"), "{err}");
}

#[tokio::test]
async fn smtp_silent_server_times_out_transiently() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hold = tokio::spawn(async move {
        let (sock, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(10)).await;
        drop(sock);
    });
    let mut mail = smtp_settings(port);
    if let Transport::Smtp(s) = &mut mail.transport {
        s.timeout = Duration::from_millis(300);
    }
    let mailer = Mailer::new(&mail).unwrap();
    let started = std::time::Instant::now();
    let err = mailer
        .send("watch@example.org", &["x@example.org".into()], b"x")
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(!err.is_permanent(), "{err:?}");
    assert!(matches!(err, DeliverError::Connection { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("smtp 127.0.0.1:{port}: timed out")),
        "{err}"
    );
    hold.abort();
}

#[tokio::test]
async fn smtp_accepting_server_succeeds() {
    let port = smtp_stub("250 ok\r\n").await;
    let mailer = Mailer::new(&smtp_settings(port)).unwrap();
    mailer
        .send(
            "Reform Watch <watch@example.org>",
            &["x@example.org".into()],
            b"Subject: x\r\n\r\nx\r\n",
        )
        .await
        .unwrap();
}

#[test]
fn smtp_codes_classify() {
    let rejected = DeliverError::Rejected {
        transport: "smtp h:25".into(),
        code: 550,
        text: "5.1.1 no such user".into(),
    };
    assert!(rejected.is_permanent());
    assert_eq!(
        rejected.to_string(),
        "smtp h:25: rejected by server: 550 5.1.1 no such user"
    );
    let deferred = DeliverError::Deferred {
        transport: "smtp h:25".into(),
        code: 451,
        text: "try later".into(),
    };
    assert!(!deferred.is_permanent());
    assert!(deferred.to_string().contains("451 try later"));
}

#[test]
fn refused_logins_and_tls_failures_carry_a_hint() {
    let auth = DeliverError::Auth {
        transport: "smtp h:587".into(),
        code: 535,
        text: "5.7.8 bad credentials".into(),
    };
    assert!(!auth.is_permanent());
    assert_eq!(
        auth.to_string(),
        "smtp h:587: deferred by server: 535 authentication refused: 5.7.8 bad credentials"
    );
    assert!(auth
        .with_hint()
        .starts_with(&format!("{auth}; hint: check smtp_user")));
    let tls = DeliverError::Tls {
        transport: "smtp h:465".into(),
        message: "TLS failed: invalid peer certificate: UnknownIssuer".into(),
    };
    assert!(!tls.is_permanent());
    assert!(tls.hint().is_some_and(|h| h.contains("[mail] ca_file")));
    let deferred = DeliverError::Deferred {
        transport: "smtp h:25".into(),
        code: 451,
        text: "try later".into(),
    };
    assert_eq!(
        (deferred.hint(), deferred.with_hint()),
        (None, deferred.to_string())
    );
}
