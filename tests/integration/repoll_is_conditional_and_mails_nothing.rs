//! Acceptance 2, first half (issue 2; RELIABILITY.md B14): after a first poll
//! and digest, a second `poll --once` sends `If-None-Match` /
//! `If-Modified-Since` for every feed (with the validator each feed gave),
//! the server answers 304 to each, nothing new is stored, and a second
//! `digest --send-now` sends nothing.

use crate::support::fixtures::{serve_feeds, FEEDS};
use crate::support::http::HttpServer;
use crate::support::smtp::SmtpServer;
use crate::support::{exit, Workspace};

#[test]
fn repoll_is_conditional_and_mails_nothing() {
    let http = HttpServer::start();
    let smtp = SmtpServer::start();
    let ws = Workspace::new(smtp.port(), &serve_feeds(&http));

    ws.run(&["poll", "--once"]).expect_code(exit::OK);
    ws.run(&["digest", "--send-now"]).expect_code(exit::OK);
    assert_eq!(smtp.count(), 1, "the first digest should go out");
    let listed_before = ws.run(&["articles"]).expect_code(exit::OK).stdout();

    http.clear_log();
    ws.run(&["poll", "--once"]).expect_code(exit::OK);
    for f in FEEDS {
        let path = format!("/feeds/{}", f.file);
        let reqs = http.requests_to(&path);
        assert_eq!(
            reqs.len(),
            1,
            "{path}: one request on the second poll, got {reqs:#?}"
        );
        let r = &reqs[0];
        if f.etag {
            assert!(
                r.header("if-none-match").is_some(),
                "{path}: no If-None-Match: {r:#?}"
            );
        }
        if f.last_modified {
            assert!(
                r.header("if-modified-since").is_some(),
                "{path}: no If-Modified-Since: {r:#?}"
            );
        }
        assert!(
            r.not_modified(),
            "{path}: expected a 304, sent {:?}",
            r.status
        );
    }

    let listed_after = ws.run(&["articles"]).expect_code(exit::OK).stdout();
    assert_eq!(
        listed_after.lines().count(),
        listed_before.lines().count(),
        "a poll answered only by 304s must store nothing\nbefore:\n{listed_before}\nafter:\n{listed_after}"
    );

    ws.run(&["digest", "--send-now"]).expect_code(exit::OK);
    assert_eq!(smtp.count(), 1, "nothing new, so no second digest");
}
