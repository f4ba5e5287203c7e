//! A multi-page article (issue 3): the listed page links its second page
//! (`content_N_2.htm`, "下一页"), which links back to the first. The poll
//! follows the link once, never loops, and stores one article holding both
//! pages' paragraphs.
//!
//! Issue 10, item 2: when the second page cannot be fetched, the article
//! is not stored truncated; it is stored whole by the next poll. On a
//! re-check, a second page that fails is a failed re-check: no revision,
//! nothing mailed as an edit.

use crate::support::http::{HttpServer, Route};
use crate::support::pages::{
    add_html_source, serve_articles, serve_listing, ten_articles, ArticlePage, LIST_CLASS,
};
use crate::support::smtp::{closed_port, SmtpServer};
use crate::support::{exit, Workspace};

/// The first poll.
const T0: &str = "2024-09-02T10:00:00+08:00";

/// A two-page article: the first of the ten, and its second page.
fn two_pages() -> (ArticlePage, ArticlePage) {
    let mut first = ten_articles().remove(0);
    let mut second = first.clone();
    second.path = first.path.replace(".htm", "_2.htm");
    second.lead = "（下转第二页）会议强调，要把改革任务落到实处，确保各项举措见行见效。".into();
    second.body =
        vec!["全市上下将以钉钉子精神抓好改革落实，奋力谱写中国式现代化嘉兴新篇章。".into()];
    let name = |p: &str| p.rsplit('/').next().unwrap_or_default().to_owned();
    first.next = Some(name(&second.path));
    second.next = Some(name(&first.path));
    (first, second)
}

/// Both pages and a listing of the first served on `http`, and an html
/// source reading it in a workspace mailing to `smtp_port`.
fn setup(smtp_port: u16) -> (HttpServer, Workspace, ArticlePage, ArticlePage) {
    let http = HttpServer::start();
    let (first, second) = two_pages();
    serve_articles(&http, &[first.clone(), second.clone()]);
    serve_listing(&http, std::slice::from_ref(&first), LIST_CLASS);
    let ws = Workspace::new(smtp_port, &[]);
    add_html_source(&ws, &http, "jx-news");
    (http, ws, first, second)
}

/// The stored article's text (`show 1 --json`).
fn stored_text(ws: &Workspace) -> String {
    let shown = ws
        .run(&["show", "1", "--json"])
        .expect_code(exit::OK)
        .stdout();
    let v: serde_json::Value = serde_json::from_str(&shown).expect("show --json");
    v["text"].as_str().unwrap_or_default().to_owned()
}

/// Lines of `show 1 --revisions` after its header: one per revision.
fn revisions(ws: &Workspace) -> Vec<String> {
    let out = ws
        .run(&["show", "1", "--revisions"])
        .expect_code(exit::OK)
        .stdout();
    out.lines().skip(1).map(str::to_owned).collect()
}

#[test]
fn multi_page_article_is_joined() {
    let (http, ws, first, second) = setup(closed_port());

    ws.run(&["poll", "--once"]).expect_code(exit::OK);
    assert_eq!(
        http.requests_to(&first.path).len(),
        1,
        "no loop back to page 1"
    );
    assert_eq!(
        http.requests_to(&second.path).len(),
        1,
        "page 2 followed once"
    );
    let list = ws
        .run(&["articles", "--json"])
        .expect_code(exit::OK)
        .stdout();
    assert_eq!(list.lines().count(), 1, "one article for two pages\n{list}");
    let shown = ws
        .run(&["show", "1", "--json"])
        .expect_code(exit::OK)
        .stdout();
    let v: serde_json::Value = serde_json::from_str(&shown).expect("show --json");
    let text = v["text"].as_str().unwrap_or_default();
    for p in [&first.lead, &first.body[1], &second.body[0]] {
        assert!(text.contains(p.as_str()), "joined body lacks {p:?}\n{text}");
    }
    assert_eq!(v["lead"], first.lead.as_str());
}

#[test]
fn a_failed_second_page_stores_nothing_until_the_next_poll_gets_it() {
    let (http, ws, first, second) = setup(closed_port());
    http.route(&second.path, Route::Status(503));

    let out = ws
        .run_at(T0, &["poll", "--once"])
        .expect_code(exit::OK)
        .stdout();
    assert!(out.contains("0 new articles"), "{out}");
    assert_eq!(http.requests_to(&second.path).len(), 1, "page 2 was asked");
    let list = ws
        .run(&["articles", "--json"])
        .expect_code(exit::OK)
        .stdout();
    assert!(
        list.trim().is_empty(),
        "a truncated article was stored\n{list}"
    );

    // The server recovers: the next poll reads the listing again (not a
    // 304) and stores the whole article.
    serve_articles(&http, std::slice::from_ref(&second));
    let out = ws
        .run_at("2024-09-02T10:30:00+08:00", &["poll", "--once"])
        .expect_code(exit::OK)
        .stdout();
    assert!(out.contains("1 new article"), "{out}");
    let text = stored_text(&ws);
    for p in [&first.lead, &first.body[1], &second.body[0]] {
        assert!(text.contains(p.as_str()), "joined body lacks {p:?}\n{text}");
    }
    assert_eq!(revisions(&ws).len(), 1, "{:?}", revisions(&ws));
}

#[test]
fn a_failed_second_page_on_a_recheck_is_no_edit() {
    let smtp = SmtpServer::start();
    let (http, ws, _first, second) = setup(smtp.port());
    ws.run_at(T0, &["poll", "--once"]).expect_code(exit::OK);
    ws.run_at("2024-09-02T10:01:00+08:00", &["digest", "--send-now"])
        .expect_code(exit::OK);
    assert_eq!(smtp.count(), 1, "the new article is mailed");

    // The first re-check (1 h) reads page 1 again; page 2 fails.
    http.route(&second.path, Route::Status(503));
    http.clear_log();
    let out = ws
        .run_at("2024-09-02T11:01:00+08:00", &["poll", "--once"])
        .expect_code(exit::OK)
        .stdout();
    assert_eq!(
        http.requests_to(&second.path).len(),
        1,
        "the re-check asked for page 2\n{out}"
    );
    assert!(
        out.contains("re-checked 1 stored article: 0 new revisions"),
        "{out}"
    );
    assert_eq!(revisions(&ws).len(), 1, "no revision: {:?}", revisions(&ws));
    assert!(
        stored_text(&ws).contains(second.body[0].as_str()),
        "the stored article keeps page 2"
    );
    ws.run_at("2024-09-02T11:02:00+08:00", &["digest", "--send-now"])
        .expect_code(exit::OK);
    assert_eq!(smtp.count(), 1, "nothing mailed as an edit");

    // The next re-check (3 h) gets both pages: unchanged, still no revision.
    serve_articles(&http, std::slice::from_ref(&second));
    let out = ws
        .run_at("2024-09-02T13:01:00+08:00", &["poll", "--once"])
        .expect_code(exit::OK)
        .stdout();
    assert!(
        out.contains("re-checked 1 stored article: 0 new revisions"),
        "{out}"
    );
    assert_eq!(revisions(&ws).len(), 1, "{:?}", revisions(&ws));
}
