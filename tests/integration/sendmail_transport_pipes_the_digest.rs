//! Issue 10, item 6: `transport = "sendmail"` delivers. A stub
//! `sendmail_command` (a shell script) keeps its arguments and the message
//! it reads from stdin; the digest arrives whole, with the envelope on the
//! command line, and is marked sent. A sendmail that exits non-zero has
//! not taken the message: the digest stays pending and the next run sends
//! the same bytes.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::support::http::{Content, HttpServer, Route};
use crate::support::mail::ParsedMail;
use crate::support::smtp::closed_port;
use crate::support::{exit, rss, toml_str, Workspace, SUBSCRIBER};

/// Writes an executable stub to `path`: it saves its arguments and stdin
/// as `args-N.txt` / `msg-N.eml` in `dir` and exits with `code`.
fn stub(path: &Path, dir: &Path, code: i32) {
    let script = format!(
        "#!/bin/sh\n\
         dir={dir}\n\
         n=$(ls \"$dir\" | grep -c '^msg-')\n\
         printf '%s\\n' \"$@\" > \"$dir/args-$n.txt\"\n\
         cat > \"$dir/msg-$n.eml\"\n\
         exit {code}\n",
        dir = dir.display()
    );
    std::fs::write(path, script).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn the_sendmail_transport_pipes_the_digest_to_the_command() {
    let http = HttpServer::start();
    let body = rss("改革", &[("g1", "深化改革新举措【送达】")]);
    http.route(
        "/feed.xml",
        Route::content(Content::new(body, "application/rss+xml")),
    );
    let ws = Workspace::new(closed_port(), &[("news".into(), http.url("/feed.xml"))]);
    let seen = ws.dir().join("sendmail-saw");
    std::fs::create_dir(&seen).unwrap();
    let command = ws.dir().join("fake-sendmail");
    ws.edit_config(
        "transport = \"smtp\"\n",
        &format!(
            "transport = \"sendmail\"\nsendmail_command = {}\n",
            toml_str(&command.display().to_string())
        ),
    );
    ws.run(&["poll", "--once"]).expect_code(exit::OK);

    // A sendmail that fails has not taken the message.
    stub(&command, &seen, 75);
    let run = ws.run(&["digest", "--send-now"]);
    run.expect_code(exit::RUNTIME);
    let rows = ws.digests();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, "pending", "{}", run.describe());

    stub(&command, &seen, 0);
    let run = ws.run(&["digest", "--send-now"]);
    run.expect_code(exit::OK);
    let rows = ws.digests();
    assert_eq!(rows[0].state, "sent", "{}", run.describe());
    let failed = std::fs::read(seen.join("msg-0.eml")).expect("the first run piped it");
    let sent = std::fs::read(seen.join("msg-1.eml")).expect("the second run piped it");
    assert_eq!(failed, sent, "the retry pipes the same bytes");
    assert!(!seen.join("msg-2.eml").exists(), "piped once per run");

    let mail = ParsedMail::parse(&sent);
    assert_eq!(
        mail.message_id.as_deref(),
        Some(rows[0].message_id.trim_matches(['<', '>'])),
        "the digest's Message-ID"
    );
    assert!(
        mail.all_text().contains("深化改革新举措【送达】"),
        "{}",
        mail.all_text()
    );
    let args = std::fs::read_to_string(seen.join("args-1.txt")).unwrap();
    let args: Vec<&str> = args.lines().collect();
    assert!(
        args.contains(&SUBSCRIBER) && args.contains(&"watch@example.org"),
        "the envelope on the command line: {args:?}"
    );
}
