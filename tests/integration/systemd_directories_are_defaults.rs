//! Issue 6 (RELIABILITY.md F1, F5): under systemd the daemon finds its
//! places without the operator spelling them out. `state_dir` defaults to
//! `$STATE_DIRECTORY` and the SMTP password to
//! `$CREDENTIALS_DIRECTORY/smtp-password`; without that credential a relay
//! that needs a password stops the start with a clear message, before
//! `READY=1`.

use std::time::Duration;

use crate::support::daemon::Daemon;
use crate::support::notify::NotifySocket;
use crate::support::smtp::SmtpServer;

const WAIT: Duration = Duration::from_secs(30);

fn config(smtp_port: u16) -> String {
    format!(
        r#"[mail]
from = "Reform Watch <watch@example.org>"
transport = "smtp"
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
smtp_tls = "none"
smtp_user = "watch"

[[topics]]
id = "reform"
name = "改革"
keywords = ["改革"]
"#
    )
}

#[test]
fn state_and_credentials_directories_are_the_defaults() {
    let smtp = SmtpServer::start();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("var-lib-reformwatch");
    let creds = dir.path().join("credentials");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::create_dir_all(&creds).unwrap();
    let cfg = dir.path().join("reformwatch.toml");
    std::fs::write(&cfg, config(smtp.port())).unwrap();
    let state_s = state.display().to_string();
    let creds_s = creds.display().to_string();

    // No credential yet: the start fails, naming what is missing.
    let mut sock = NotifySocket::bind();
    let socket = sock.path().display().to_string();
    // What systemd passes the unit: its notify socket and two directories.
    let env = [
        ("NOTIFY_SOCKET", socket.as_str()),
        ("STATE_DIRECTORY", state_s.as_str()),
        ("CREDENTIALS_DIRECTORY", creds_s.as_str()),
    ];
    let mut daemon = Daemon::start(&cfg, dir.path(), &env);
    let status = daemon.wait(WAIT).expect("exits without a password");
    assert!(!status.success(), "{status:?}");
    assert!(
        daemon.log().contains("password"),
        "the error names the missing password\n{}",
        daemon.log()
    );
    assert!(
        !sock.seen().iter().any(|m| m.line == "READY=1")
            && sock.collect_for(Duration::from_millis(200)).is_empty(),
        "never READY without credentials: {}",
        sock.transcript()
    );

    // With the credential: ready, database in $STATE_DIRECTORY.
    std::fs::write(creds.join("smtp-password"), "s3cret\n").unwrap();
    let mut daemon = Daemon::start(&cfg, dir.path(), &env);
    assert!(sock.wait_for("READY=1", WAIT).is_some(), "{}", daemon.log());
    assert!(
        std::fs::read_dir(&state)
            .unwrap()
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().ends_with(".db")),
        "the database lives in $STATE_DIRECTORY"
    );
    assert!(!dir.path().join("data").exists(), "not next to the config");
    daemon.signal(libc::SIGTERM);
    assert!(daemon.wait(WAIT).is_some_and(|s| s.success()));
}
