//! Acceptance of issue 4 (silent edits), end to end on loopback: the seed
//! article served as an html source's page, polled and mailed; then the
//! server edits it, and a `poll --once` past the re-check time stores (or,
//! for noise and flapping, does not store) a revision, which the next
//! digest shows in a "Revised" section, and `reformwatch diff` prints the
//! same diff.

use crate::support::fixtures::read_fixture;
use crate::support::http::{Content, HttpServer, Route};
use crate::support::mail::{decode_entities, ParsedMail};
use crate::support::pages::{append_config, serve_listing_of_one, LISTING_PATH, LIST_CLASS};
use crate::support::smtp::SmtpServer;
use crate::support::{exit, rss, toml_str, Workspace};

/// Where the article page is served.
const PAGE: &str = "/news/2024-09/02/content_9987.htm";

/// The first poll; the article is stored (and its first re-check planned)
/// at this time.
pub(crate) const T0: &str = "2024-09-02T10:00:00+08:00";

/// `T0` plus `minutes`, as `--now` wants it.
pub(crate) fn at(minutes: u32) -> String {
    let (h, m) = (10 + minutes / 60, minutes % 60);
    let (day, h) = (2 + h / 24, h % 24);
    format!("2024-09-{day:02}T{h:02}:{m:02}:00+08:00")
}

/// The seed article page (UTF-8, as the extraction fixtures have it).
fn seed_page() -> String {
    String::from_utf8(read_fixture("pages/jiaxing-plenum.html")).expect("UTF-8 fixture")
}

/// Replaces exactly one occurrence of `from`.
fn edit(page: &str, from: &str, to: &str) -> String {
    assert_eq!(page.matches(from).count(), 1, "{from:?} must occur once");
    page.replacen(from, to, 1)
}

/// The three edits of acceptance 1: a number in one paragraph, one quote
/// paragraph removed, the subtitle rewritten.
pub(crate) fn edited_page() -> String {
    let page = seed_page();
    let page = edit(&page, "《实施意见》中12项", "《实施意见》中15项");
    let quote = page
        .lines()
        .find(|l| l.contains("张茂华表示"))
        .expect("the 张茂华 paragraph")
        .to_string();
    let page = edit(&page, &format!("{quote}\n"), "");
    edit(
        &page,
        "<h2 class=\"subtitle\">迅速掀起“争当排头兵、谱写新篇章”热潮</h2>",
        "<h2 class=\"subtitle\">全市上下掀起“争当排头兵、谱写新篇章”学习热潮</h2>",
    )
}

/// Serves `html` as the article page, with an ETag of its own.
pub(crate) fn serve_page(http: &HttpServer, html: &str) {
    let content = Content::new(html.as_bytes().to_vec(), "text/html; charset=utf-8");
    http.route(PAGE, Route::content(content.etag_from_body()));
}

/// An http server with the listing (one link) and the seed page, a
/// workspace whose html source `jx` reads it with `extra` source keys, and
/// an SMTP server.
pub(crate) fn setup(extra: &str) -> (HttpServer, SmtpServer, Workspace) {
    let http = HttpServer::start();
    let smtp = SmtpServer::start();
    serve_listing_of_one(&http, PAGE, "嘉兴各界认真学习贯彻市委九届五次全会精神");
    serve_page(&http, &seed_page());
    let ws = Workspace::new(smtp.port(), &[]);
    append_config(
        &ws,
        &format!(
            "[[sources]]\nid = \"jx\"\nname = \"嘉兴在线\"\nkind = \"html\"\nurl = {}\n{extra}\n\
             [sources.list]\nitem = \"ul.{LIST_CLASS} li\"\ndate = \"span.date\"\n",
            toml_str(&http.url(LISTING_PATH)),
        ),
    );
    (http, smtp, ws)
}

/// `poll --once` at `now`; returns its stdout.
pub(crate) fn poll(ws: &Workspace, now: &str) -> String {
    ws.run_at(now, &["poll", "--once"])
        .expect_code(exit::OK)
        .stdout()
}

/// `digest --send-now` at `now`.
fn send(ws: &Workspace, now: &str) {
    ws.run_at(now, &["digest", "--send-now"])
        .expect_code(exit::OK);
}

/// The revision classes `show 1 --revisions` lists, oldest first.
fn classes(ws: &Workspace) -> Vec<String> {
    let out = ws
        .run(&["show", "1", "--revisions"])
        .expect_code(exit::OK)
        .stdout();
    out.lines()
        .skip(1)
        // revision, seen at (date, time, zone), class, against, evidence
        .map(|l| l.split_whitespace().nth(4).unwrap_or_default().to_string())
        .collect()
}

/// The text part of a received digest, with LF line ends.
fn text_of(mail: &ParsedMail) -> String {
    mail.text_parts.concat().replace("\r\n", "\n")
}

#[test]
fn an_edit_is_revision_two_and_the_digest_shows_exactly_it() {
    let (http, smtp, ws) = setup("");
    assert!(poll(&ws, T0).contains("1 new article"));
    send(&ws, &at(1));
    assert_eq!(smtp.count(), 1, "the new article is mailed");
    let first = ParsedMail::parse(&smtp.messages()[0].data);
    assert!(!text_of(&first).contains("Revised"));
    // Revision 1 keeps the page it was read from as evidence.
    let history = ws.run(&["show", "1", "--revisions"]).stdout();
    assert!(
        history.lines().nth(1).is_some_and(|l| l.ends_with("kept")),
        "{history}"
    );

    serve_page(&http, &edited_page());
    // Before the 1h re-check nothing is fetched again.
    http.clear_log();
    poll(&ws, &at(30));
    assert!(http.requests_to(PAGE).is_empty(), "re-checked too early");
    let out = poll(&ws, &at(61));
    assert!(
        out.contains("re-checked 1 stored article: 1 new revision"),
        "{out}"
    );
    let asked = http.requests_to(PAGE);
    assert_eq!(asked.len(), 1);
    // The first re-check already asks with the first fetch's ETag.
    assert!(
        asked[0].header("if-none-match").is_some(),
        "the first re-check is a conditional GET: {:?}",
        asked[0].headers
    );
    assert_eq!(classes(&ws), ["-", "substantive"]);

    send(&ws, &at(62));
    assert_eq!(smtp.count(), 2, "a digest with the revision");
    let mail = ParsedMail::parse(&smtp.messages()[1].data);
    let text = text_of(&mail);
    let diff = ws.run(&["diff", "1"]).expect_code(exit::OK).stdout();
    assert!(
        text.contains(&diff),
        "the digest's text part shows the `reformwatch diff` text\n--- diff\n{diff}\n--- mail\n{text}"
    );
    // Exactly the three changes, deleted and inserted text marked: the
    // golden diff of the pure diff stage for the same three edits.
    let golden = String::from_utf8(read_fixture("diffs/acceptance-1.txt")).expect("UTF-8");
    let golden = golden.split_once("\n\n").expect("golden header").1;
    assert_eq!(diff, golden);
    let labels: Vec<&str> = diff
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.is_empty())
        .collect();
    assert_eq!(labels.len(), 3, "{diff}");
    assert_eq!(labels[0], "subtitle changed");
    assert!(labels[1].starts_with("paragraph ") && labels[1].ends_with(" changed"));
    assert!(labels[2].ends_with(" removed (quote by 张茂华)"), "{diff}");
    assert!(diff.contains("[-迅速-]{+全市上下+}"), "{diff}");
    assert!(diff.contains("[-12-]{+15+}"), "{diff}");
    assert!(diff.contains("[-乌镇实验室自建成以来"), "{diff}");
    let html = decode_entities(&mail.html_parts.concat());
    assert!(html.contains("Revised"), "{html}");
    let want_html = ws
        .run(&["diff", "1", "--format", "html"])
        .expect_code(exit::OK)
        .stdout();
    assert!(
        mail.html_parts
            .concat()
            .replace("\r\n", "\n")
            .contains(&want_html),
        "the digest's HTML part shows the `reformwatch diff --format html` HTML"
    );
    for marked in ["<del", "<ins", "[-12-]", "{+15+}", "{+全市上下+}"] {
        assert!(html.contains(marked), "HTML lacks {marked}");
    }
    // The revision is mailed once.
    send(&ws, &at(63));
    assert_eq!(smtp.count(), 2, "nothing new: no mail");
    // The 3h re-check asks with the page's validators and gets a 304.
    http.clear_log();
    let out = poll(&ws, &at(181));
    assert!(
        out.contains("re-checked 1 stored article: 0 new revisions"),
        "{out}"
    );
    let asked = http.requests_to(PAGE);
    assert_eq!(asked.len(), 1);
    assert!(
        asked[0].is_conditional(),
        "the re-check is a conditional GET"
    );
    assert_eq!(classes(&ws).len(), 2);
}

/// The page with the body's half-width commas and semicolons made
/// full-width (the markup around it left alone).
fn full_width_body(page: &str) -> String {
    let start = page.find("<div class=\"con-text\">").expect("body start");
    let end = start + page[start..].find("  </div>").expect("body end");
    let body = page[start..end].replace(',', "，").replace(';', "；");
    assert_ne!(
        body,
        page[start..end],
        "the body has half-width punctuation"
    );
    format!("{}{body}{}", &page[..start], &page[end..])
}

#[test]
fn counters_timestamps_and_width_store_no_revision() {
    let ignore = "ignore = ['浏览次数：\\d+', '本文更新于.*']\nrecheck = [\"1h\", \"2h\", \"3h\"]";
    let (http, smtp, ws) = setup(ignore);
    let with_noise = |page: &str, views: u32, updated: &str| {
        edit(
            page,
            "  </div>\n  <div class=\"art-foot\">",
            &format!(
                "<p>　　浏览次数：{views}</p>\n<p>　　本文更新于{updated}</p>\n  </div>\n  <div class=\"art-foot\">"
            ),
        )
    };
    serve_page(&http, &with_noise(&seed_page(), 10, "2024-09-02 09:00"));
    poll(&ws, T0);
    send(&ws, &at(1));
    assert_eq!(smtp.count(), 1);
    let half_to_full = full_width_body(&seed_page());
    let versions = [
        with_noise(&seed_page(), 4711, "2024-09-02 09:00"),
        with_noise(&seed_page(), 4712, "2024-09-02 11:30"),
        with_noise(&half_to_full, 4713, "2024-09-02 12:45"),
    ];
    for (i, page) in versions.iter().enumerate() {
        serve_page(&http, page);
        let out = poll(&ws, &at(61 + 60 * i as u32));
        assert!(
            out.contains("re-checked 1 stored article: 0 new revisions"),
            "{out}"
        );
    }
    assert_eq!(classes(&ws), ["-"], "only revision 1");
    // The re-checks did read the pages: revision 1 keeps one as evidence.
    let history = ws.run(&["show", "1", "--revisions"]).stdout();
    assert!(
        history.lines().nth(1).is_some_and(|l| l.ends_with("kept")),
        "{history}"
    );
    send(&ws, &at(300));
    assert_eq!(smtp.count(), 1, "nothing to mail");
}

#[test]
fn flapping_between_two_versions_stores_two_revisions_and_mails_one_change() {
    let hours: Vec<String> = (1..=10).map(|h| format!("\"{h}h\"")).collect();
    let (http, smtp, ws) = setup(&format!("recheck = [{}]", hours.join(", ")));
    poll(&ws, T0);
    send(&ws, &at(1));
    let (a, b) = (seed_page(), edited_page());
    for i in 1..=10u32 {
        serve_page(&http, if i % 2 == 1 { &b } else { &a });
        let out = poll(&ws, &at(60 * i + 1));
        assert!(
            out.contains("re-checked 1 stored article"),
            "re-check {i}: {out}"
        );
        send(&ws, &at(60 * i + 2));
    }
    // At most two revisions (the bound); here exactly A and B.
    assert_eq!(classes(&ws), ["-", "substantive"]);
    let changes = smtp
        .messages()
        .iter()
        .skip(1)
        .filter(|m| text_of(&ParsedMail::parse(&m.data)).contains("Revised ("))
        .count();
    assert_eq!(changes, 1, "one mail with a change (at most one allowed)");
    assert_eq!(smtp.count(), 1 + changes, "no other mail");
}

#[test]
fn a_feed_item_that_reappears_edited_is_a_revision() {
    let http = HttpServer::start();
    let smtp = SmtpServer::start();
    let serve = |title: &str| {
        let feed = rss("人民网 时政", &[("item-1", title)]);
        let content = Content::new(feed, "application/rss+xml").etag_from_body();
        http.route("/feed.xml", Route::content(content));
    };
    serve("国务院部署深化改革重点任务");
    let ws = Workspace::new(smtp.port(), &[("people".into(), http.url("/feed.xml"))]);
    poll(&ws, T0);
    send(&ws, &at(1));
    assert_eq!(smtp.count(), 1);
    // The same guid, the headline rewritten.
    serve("国务院部署二〇二五年深化改革十项重点任务");
    let out = poll(&ws, &at(20));
    assert!(out.contains("1 new revision"), "{out}");
    assert_eq!(classes(&ws), ["-", "substantive"]);
    send(&ws, &at(21));
    assert_eq!(smtp.count(), 2);
    let text = text_of(&ParsedMail::parse(&smtp.messages()[1].data));
    let diff = ws.run(&["diff", "1"]).expect_code(exit::OK).stdout();
    assert!(diff.starts_with("title changed\n"), "{diff}");
    assert!(
        text.contains("Revised (1)") && text.contains(&diff),
        "{text}"
    );
}
