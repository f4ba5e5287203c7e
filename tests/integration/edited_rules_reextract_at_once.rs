//! An operator fixes a source's `[sources.article] body` selector: the next
//! poll reads the listing in full and re-extracts the source's stored
//! article with the new rule, although neither page changed (both would
//! answer 304) and no re-check is due yet.

use crate::support::http::{Content, HttpServer, Route};
use crate::support::pages::{append_config, serve_listing_of_one, LISTING_PATH, LIST_CLASS};
use crate::support::{exit, toml_str, Workspace};

const PAGE: &str = "/news/2024-09/02/content_77.htm";

/// A page with two candidate bodies; the source's selector picks one.
fn page_html() -> String {
    let para = |what: &str, n: usize| {
        format!("<p>{what}第{n}段：全市深化改革推进会要求各部门抓好落实，推动各项改革任务落地见效。</p>")
    };
    let block = |id: &str, what: &str| {
        let paras: String = (1..=4).map(|n| para(what, n)).collect();
        format!("<div id=\"{id}\">{paras}</div>")
    };
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>改革推进会召开</title></head>\
         <body><h1>改革推进会召开</h1>{}{}</body></html>",
        block("summary", "摘要"),
        block("fulltext", "正文")
    )
}

/// The workspace's generated config plus the html source `jx` with
/// article body selector `body`.
fn config(ws: &Workspace, base: &str, http: &HttpServer, body: &str) {
    std::fs::write(ws.config_path(), base).unwrap();
    append_config(
        ws,
        &format!(
            "[[sources]]\nid = \"jx\"\nkind = \"html\"\nurl = {}\n\n\
             [sources.list]\nitem = \"ul.{LIST_CLASS} li\"\n\n\
             [sources.article]\ntitle = \"h1\"\nbody = {}\n",
            toml_str(&http.url(LISTING_PATH)),
            toml_str(body),
        ),
    );
}

fn article_text(ws: &Workspace) -> String {
    let out = ws
        .run(&["show", "1", "--json"])
        .expect_code(exit::OK)
        .stdout();
    let v: serde_json::Value = serde_json::from_str(&out).expect("show --json");
    v["text"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn a_changed_body_selector_reextracts_without_waiting_for_the_page() {
    let http = HttpServer::start();
    serve_listing_of_one(&http, PAGE, "改革推进会召开");
    let page = Content::new(page_html().into_bytes(), "text/html; charset=utf-8");
    http.route(PAGE, Route::content(page.etag_from_body()));
    let ws = Workspace::new(1, &[]);
    let base = std::fs::read_to_string(ws.config_path()).unwrap();

    config(&ws, &base, &http, "#summary");
    ws.run_at("2024-09-02T10:00:00+08:00", &["poll", "--once"])
        .expect_code(exit::OK);
    let before = article_text(&ws);
    assert!(
        before.contains("摘要第1段") && !before.contains("正文"),
        "{before}"
    );

    // Unchanged rules: the next poll is conditional and stores nothing new.
    http.clear_log();
    ws.run_at("2024-09-02T10:02:00+08:00", &["poll", "--once"])
        .expect_code(exit::OK);
    assert!(http
        .requests_to(LISTING_PATH)
        .iter()
        .all(|r| r.not_modified()));
    assert!(http.requests_to(PAGE).is_empty(), "no re-check is due yet");

    // The operator fixes the selector; five minutes later, long before the
    // first re-check (1h), the page is read again with the new rule.
    config(&ws, &base, &http, "#fulltext");
    http.clear_log();
    ws.run_at("2024-09-02T10:05:00+08:00", &["poll", "--once"])
        .expect_code(exit::OK);
    let listing = http.requests_to(LISTING_PATH);
    assert_eq!(listing.len(), 1);
    assert!(!listing[0].is_conditional(), "the listing is read in full");
    let page = http.requests_to(PAGE);
    assert_eq!(page.len(), 1, "the stored article's page is fetched again");
    assert!(!page[0].is_conditional(), "without validators");
    let after = article_text(&ws);
    assert!(
        after.contains("正文第1段") && !after.contains("摘要"),
        "{after}"
    );
}
