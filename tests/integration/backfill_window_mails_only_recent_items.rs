//! Issue 10, item 6: the default `backfill = "2d"`. On a source's first
//! poll every item is stored, but only those published within two days
//! are mailed; an undated item counts as old. After the first poll every
//! new item is mailed, dated or not.

use crate::support::http::{Content, HttpServer, Route};
use crate::support::mail::{squash, ParsedMail};
use crate::support::smtp::SmtpServer;
use crate::support::{exit, Workspace};

/// The first poll, in the subscriber's zone.
const T0: &str = "2024-09-10T10:00:00+08:00";

/// An RSS feed of `(guid, title, pubDate)` items; no date, no `<pubDate>`.
fn feed(items: &[(&str, &str, Option<&str>)]) -> Vec<u8> {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>改革</title><link>http://example.org/</link><description>d</description>\n",
    );
    for (guid, title, date) in items {
        let date = date.map_or(String::new(), |d| format!("<pubDate>{d}</pubDate>"));
        x.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{guid}</guid><title>{title}</title>\
             <link>http://example.org/{guid}</link><description>{title} 正文。</description>{date}</item>\n"
        ));
    }
    x.push_str("</channel></rss>\n");
    x.into_bytes()
}

const RECENT: &str = "昨天的深化改革新闻【近】";
const OLD: &str = "五天前的改革旧闻【旧】";
const UNDATED: &str = "没有日期的改革消息【无】";
const LATER: &str = "第二次轮询时出现的改革消息【后】";

/// The text of the `n`th message received, squashed for searching.
fn mail_text(smtp: &SmtpServer, n: usize) -> String {
    squash(&ParsedMail::parse(&smtp.messages()[n].data).all_text())
}

#[test]
fn the_default_backfill_mails_two_days_and_stores_the_rest() {
    let http = HttpServer::start();
    let first = [
        ("recent", RECENT, Some("Mon, 09 Sep 2024 09:00:00 +0800")),
        ("old", OLD, Some("Thu, 05 Sep 2024 09:00:00 +0800")),
        ("undated", UNDATED, None),
    ];
    http.route(
        "/feed.xml",
        Route::content(Content::new(feed(&first), "application/rss+xml")),
    );
    let smtp = SmtpServer::start();
    let ws = Workspace::new(smtp.port(), &[("news".into(), http.url("/feed.xml"))]);
    // The generated config says backfill = "all"; the default is wanted.
    ws.edit_config("backfill = \"all\"\n", "");

    let out = ws
        .run_at(T0, &["poll", "--once"])
        .expect_code(exit::OK)
        .stdout();
    assert!(out.contains("3 new articles"), "all three stored: {out}");
    let listed = ws.run(&["articles"]).expect_code(exit::OK).stdout();
    for t in [RECENT, OLD, UNDATED] {
        assert!(listed.contains(t), "{t} not stored:\n{listed}");
    }
    ws.run_at("2024-09-10T10:01:00+08:00", &["digest", "--send-now"])
        .expect_code(exit::OK);
    assert_eq!(smtp.count(), 1);
    let text = mail_text(&smtp, 0);
    assert!(
        text.contains(&squash(RECENT)),
        "the recent item is mailed\n{text}"
    );
    for t in [OLD, UNDATED] {
        assert!(!text.contains(&squash(t)), "{t} was mailed\n{text}");
    }

    // Later polls mail what is new, an undated item included.
    let mut second = first.to_vec();
    second.push(("later", LATER, None));
    http.route(
        "/feed.xml",
        Route::content(Content::new(feed(&second), "application/rss+xml")),
    );
    ws.run_at("2024-09-10T11:00:00+08:00", &["poll", "--once"])
        .expect_code(exit::OK);
    ws.run_at("2024-09-10T11:01:00+08:00", &["digest", "--send-now"])
        .expect_code(exit::OK);
    assert_eq!(smtp.count(), 2);
    let text = mail_text(&smtp, 1);
    assert!(text.contains(&squash(LATER)), "{text}");
    for t in [RECENT, OLD, UNDATED] {
        assert!(
            !text.contains(&squash(t)),
            "{t} mailed again or late\n{text}"
        );
    }
}
