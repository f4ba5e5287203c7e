//! Acceptance 5 (issue 2; RELIABILITY.md A1): with nothing listening on the
//! SMTP port, `digest --send-now` exits non-zero and the digest stays
//! pending; once an SMTP server is up on that port, the next call delivers
//! it, and a further call delivers nothing more (exactly once).

use crate::support::http::{Content, HttpServer, Route};
use crate::support::mail::ParsedMail;
use crate::support::smtp::{closed_port, SmtpServer};
use crate::support::{exit, rss, Workspace, SUBSCRIBER};

const REFORM_TITLE: &str = "深化改革 试点扩围";

#[test]
fn smtp_outage_keeps_digest_pending() {
    let http = HttpServer::start();
    http.route(
        "/feed.xml",
        Route::Content(Content::new(
            rss(
                "测试源",
                &[("outage-1", REFORM_TITLE), ("outage-2", "体育新闻 一则")],
            ),
            "application/rss+xml",
        )),
    );
    let port = closed_port();
    let ws = Workspace::new(port, &[("outage".into(), http.url("/feed.xml"))]);
    ws.run(&["poll", "--once"]).expect_code(exit::OK);

    // SMTP down: the send fails loudly and keeps the digest.
    let down = ws.run(&["digest", "--send-now"]);
    down.expect_failure();

    // SMTP up on the same port: the pending digest goes out, once.
    let smtp = SmtpServer::start_on(port).expect("start SMTP on the reserved port");
    ws.run(&["digest", "--send-now"]).expect_code(exit::OK);
    let msgs = smtp.messages();
    assert_eq!(
        msgs.len(),
        1,
        "the pending digest should be delivered once the server is up"
    );
    assert_eq!(msgs[0].to, [SUBSCRIBER]);
    let mail = ParsedMail::parse(&msgs[0].data);
    assert!(
        mail.all_text().contains(REFORM_TITLE),
        "the delivered digest should hold the pending article:\n{}",
        mail.all_text()
    );

    ws.run(&["digest", "--send-now"]).expect_code(exit::OK);
    ws.run(&["digest", "--send-due"]).expect_code(exit::OK);
    assert_eq!(
        smtp.count(),
        1,
        "already delivered: nothing more may be sent"
    );
}
