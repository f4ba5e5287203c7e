//! Acceptance 1 (issue 2): the seven feed fixtures (RSS 2.0, Atom, RSS 1.0,
//! JSON Feed, GB2312 seed, UTF-8 declared gbk, unlabeled GBK) served over real
//! HTTP; `poll --once` then `digest --send-now` deliver exactly one digest
//! over real SMTP to the `reform` subscriber: multipart/alternative, a
//! Chinese subject encoded per RFC 2047, the seed title correctly decoded in
//! both parts, and no item that does not match the topic.

use crate::support::fixtures::{all_items, serve_feeds, SEED_TITLE};
use crate::support::http::HttpServer;
use crate::support::mail::{is_cjk, squash, ParsedMail};
use crate::support::smtp::SmtpServer;
use crate::support::{exit, Workspace, SUBSCRIBER};

/// Titles shorter than this are not checked for absence (too likely to
/// appear by accident, e.g. inside another title).
const MIN_ABSENT_TITLE_CHARS: usize = 4;

#[test]
fn digest_carries_reform_items_decoded() {
    let http = HttpServer::start();
    let smtp = SmtpServer::start();
    let ws = Workspace::new(smtp.port(), &serve_feeds(&http));

    // What the fixtures say, read at run time.
    let items = all_items();
    let reform: Vec<_> = items.iter().filter(|i| i.matches_topic()).collect();
    let unrelated: Vec<_> = items
        .iter()
        .filter(|i| !i.matches_topic() && i.title.chars().count() >= MIN_ABSENT_TITLE_CHARS)
        .collect();
    assert!(
        reform.iter().any(|i| i.title == SEED_TITLE),
        "fixture seed-gb2312.xml should have an item titled {SEED_TITLE}; items read: {items:#?}"
    );
    assert!(
        !unrelated.is_empty(),
        "the fixtures should include non-reform items: {items:#?}"
    );

    ws.run(&["poll", "--once"]).expect_code(exit::OK);
    ws.run(&["digest", "--send-now"]).expect_code(exit::OK);

    let msgs = smtp.messages();
    assert_eq!(
        msgs.len(),
        1,
        "exactly one digest expected, got {}",
        msgs.len()
    );
    assert_eq!(msgs[0].to, [SUBSCRIBER]);
    let raw = &msgs[0].data;
    let mail = ParsedMail::parse(raw);
    let dump = || String::from_utf8_lossy(raw).into_owned();

    // Subject: 7-bit on the wire as RFC 2047 encoded words, Chinese once decoded.
    assert!(
        mail.raw_subject.is_ascii() && mail.raw_subject.to_ascii_lowercase().contains("=?utf-8?"),
        "raw Subject must be RFC 2047 encoded UTF-8: {:?}",
        mail.raw_subject
    );
    assert!(
        mail.subject.chars().any(is_cjk)
            && !mail.subject.contains('\u{fffd}')
            && !mail.subject.contains("=?"),
        "decoded Subject should carry correctly decoded Chinese: {:?}",
        mail.subject
    );
    assert_eq!(
        mail.header_names.iter().filter(|n| *n == "subject").count(),
        1,
        "exactly one Subject header"
    );

    // Structure: a real text alternative next to the HTML.
    assert_eq!(mail.mime_type, "multipart/alternative", "{}", dump());
    assert_eq!(mail.text_parts.len(), 1, "one text/plain part\n{}", dump());
    assert_eq!(mail.html_parts.len(), 1, "one text/html part\n{}", dump());
    let text = squash(&mail.text_parts[0]);
    let html = squash(&crate::support::mail::decode_entities(&mail.html_parts[0]));

    for item in &reform {
        let t = squash(&item.title);
        assert!(
            text.contains(&t),
            "text part lacks {:?} ({})\n{}",
            item.title,
            item.file,
            mail.text_parts[0]
        );
        assert!(
            html.contains(&t),
            "HTML part lacks {:?} ({})\n{}",
            item.title,
            item.file,
            mail.html_parts[0]
        );
    }
    for item in &unrelated {
        let t = squash(&item.title);
        assert!(
            !text.contains(&t) && !html.contains(&t),
            "non-reform item {:?} ({}) is in the digest\n{}",
            item.title,
            item.file,
            dump()
        );
    }
}
