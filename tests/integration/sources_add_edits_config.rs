//! Issue 15, `sources add` against loopback pages: a page whose
//! `<link rel="alternate">` names a feed adds that feed, keeping every
//! comment and the layout of the file (golden file); a page without a feed
//! becomes an html source whose inferred `link_pattern` finds the page's
//! articles; a URL that 404s or is neither HTML nor XML, a duplicate, and
//! `--dry-run` leave the file as it was; `sources remove` takes the entry
//! out again.

use crate::support::fixtures::read_fixture;
use crate::support::http::{Content, HttpServer, Route};
use crate::support::pages::{
    serve_articles, serve_listing, ten_articles, LISTING_PATH, LIST_CLASS,
};
use crate::support::{exit, rss, Workspace};

const PAGE: &str = "/site/index.html";
const FEED: &str = "/site/rss.xml";

/// The golden file `name`, placeholders filled in.
fn golden(name: &str, ws: &Workspace, http: &HttpServer) -> String {
    let text = String::from_utf8(read_fixture(&format!("sources-add/{name}"))).expect("UTF-8");
    let port = http
        .url("/")
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches('/')
        .to_owned();
    text.replace("{STATE}", &ws.dir().join("state").display().to_string())
        .replace("{PORT}", &port)
}

/// A loopback site: a page linking its RSS feed, the feed, a plain-text
/// file; a workspace whose config is the golden `before.toml`.
fn setup() -> (HttpServer, Workspace) {
    let http = HttpServer::start();
    let page = format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>嘉兴要闻</title>
<link rel="stylesheet" href="/s.css">
<link rel="alternate" type="application/rss+xml" title="嘉兴要闻 RSS" href="{FEED}">
</head><body><a href="/news/2024-09/01/content_1.htm">一</a></body></html>"#
    );
    http.route(
        PAGE,
        Route::content(Content::new(page.into_bytes(), "text/html; charset=utf-8")),
    );
    let feed = rss("嘉兴要闻 RSS", &[("g1", "深化改革 一")]);
    http.route(
        FEED,
        Route::content(Content::new(feed, "application/rss+xml")),
    );
    http.route(
        "/site/notes.txt",
        Route::content(Content::new(b"just some text\n".to_vec(), "text/plain")),
    );
    let ws = Workspace::new(9, &[]);
    std::fs::write(ws.config_path(), golden("before.toml", &ws, &http)).expect("write config");
    (http, ws)
}

fn config(ws: &Workspace) -> String {
    std::fs::read_to_string(ws.config_path()).expect("config")
}

#[test]
fn a_linked_feed_is_added_and_the_file_keeps_its_layout() {
    let (http, ws) = setup();
    let before = config(&ws);
    let run = ws.run(&["sources", "add", &http.url(PAGE)]);
    run.expect_code(exit::OK);
    assert!(run.stdout().contains(&http.url(FEED)), "{}", run.describe());
    assert_eq!(config(&ws), golden("after.toml", &ws, &http));
    ws.run(&["check"]).expect_code(exit::OK);
    // The feed itself is now a duplicate, refused with the id it has.
    let again = ws.run(&["sources", "add", &http.url(FEED)]);
    again.expect_failure();
    assert!(
        again.stderr().contains("already source `127-0-0-1`"),
        "{}",
        again.describe()
    );
    assert_eq!(config(&ws), golden("after.toml", &ws, &http));
    // And `remove` gives back the file it started from.
    ws.run(&["sources", "remove", "127-0-0-1"])
        .expect_code(exit::OK);
    assert_eq!(config(&ws), before);
}

#[test]
fn dry_run_writes_nothing() {
    let (http, ws) = setup();
    let before = config(&ws);
    let run = ws.run(&["sources", "add", &http.url(PAGE), "--dry-run"]);
    run.expect_code(exit::OK);
    assert!(run.stdout().contains("[[sources]]"), "{}", run.describe());
    assert_eq!(config(&ws), before);
    ws.run(&["sources", "remove", "xinhua", "--dry-run"])
        .expect_code(exit::OK);
    assert_eq!(config(&ws), before);
}

#[test]
fn a_missing_or_unreadable_url_fails_and_leaves_the_file() {
    let (http, ws) = setup();
    let before = config(&ws);
    let gone = ws.run(&["sources", "add", &http.url("/site/gone.html")]);
    gone.expect_failure();
    assert!(gone.stderr().contains("404"), "{}", gone.describe());
    let text = ws.run(&["sources", "add", &http.url("/site/notes.txt")]);
    text.expect_failure();
    assert!(
        text.stderr().contains("neither a feed nor an HTML page"),
        "{}",
        text.describe()
    );
    assert_eq!(config(&ws), before);
}

#[test]
fn a_page_without_a_feed_becomes_an_html_source_that_finds_its_articles() {
    let (http, ws) = setup();
    let articles = ten_articles();
    serve_articles(&http, &articles);
    serve_listing(&http, &articles, LIST_CLASS);
    let run = ws.run(&["sources", "add", &http.url(LISTING_PATH), "--id", "jx"]);
    run.expect_code(exit::OK);
    let out = run.stdout();
    assert!(out.contains("link_pattern"), "{}", run.describe());
    assert!(
        out.contains("10 items found"),
        "the preview: {}",
        run.describe()
    );
    assert!(config(&ws).contains("kind = \"html\""));
    ws.run(&["poll", "--once", "--source", "jx"])
        .expect_code(exit::OK);
    let stored = ws
        .run(&["articles", "--json"])
        .expect_code(exit::OK)
        .stdout();
    assert_eq!(stored.lines().count(), articles.len(), "{stored}");
}
