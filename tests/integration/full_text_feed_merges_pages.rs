//! A feed with `full_text = true` (issue 3): each new item's page is fetched
//! and extracted, and the article stored keeps the feed's guid and title
//! but carries the page's lead and body. An item whose page fails is not
//! stored as a stub; it is fetched again, and stored, on the next poll.

use std::fmt::Write as _;

use crate::support::http::{Content, HttpServer, Route};
use crate::support::pages::{append_config, serve_articles, ten_articles, ArticlePage};
use crate::support::smtp::closed_port;
use crate::support::{exit, toml_str, Workspace};

/// An RSS feed whose items link to `pages` on `http`, with one-line
/// descriptions only (what such feeds give).
fn feed(http: &HttpServer, pages: &[&ArticlePage]) -> Vec<u8> {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>嘉兴要闻</title><link>http://127.0.0.1/</link><description>摘要</description>\n",
    );
    for (i, p) in pages.iter().enumerate() {
        let _ = writeln!(
            x,
            "<item><guid isPermaLink=\"false\">jx-{i}</guid><title>{}</title><link>{}</link>\
             <description>摘要{i}</description><pubDate>Mon, 02 Sep 2024 08:1{i}:00 +0800</pubDate></item>",
            p.title,
            http.url(&p.path)
        );
    }
    x.push_str("</channel></rss>\n");
    x.into_bytes()
}

/// `show ID --json` of every stored article, by title.
fn stored(ws: &Workspace) -> Vec<serde_json::Value> {
    let list = ws
        .run(&["articles", "--json"])
        .expect_code(exit::OK)
        .stdout();
    list.lines()
        .map(|l| {
            let row: serde_json::Value = serde_json::from_str(l).expect("articles --json");
            let id = row["id"].to_string();
            let shown = ws
                .run(&["show", &id, "--json"])
                .expect_code(exit::OK)
                .stdout();
            serde_json::from_str(&shown).expect("show --json")
        })
        .collect()
}

#[test]
fn full_text_feed_merges_pages() {
    let http = HttpServer::start();
    let articles = ten_articles();
    let (good, late) = (&articles[0], &articles[1]);
    serve_articles(&http, std::slice::from_ref(good));
    http.route(&late.path, Route::Status(503));
    let body = feed(&http, &[good, late]);
    http.route(
        "/rss.xml",
        Route::content(Content::new(body, "application/rss+xml").etag_from_body()),
    );
    let ws = Workspace::new(closed_port(), &[]);
    append_config(
        &ws,
        &format!(
            "[[sources]]\nid = \"jx-feed\"\nurl = {}\nfull_text = true\n",
            toml_str(&http.url("/rss.xml"))
        ),
    );

    ws.run(&["poll", "--once"]).expect_code(exit::OK);
    let first = stored(&ws);
    assert_eq!(first.len(), 1, "the 503 page waits: {first:#?}");
    let a = &first[0];
    assert_eq!(a["guid"], "jx-0", "the feed's guid is kept");
    assert_eq!(a["title"], good.title.as_str());
    assert_eq!(
        a["lead"],
        good.lead.as_str(),
        "the page's lead, not the feed's summary"
    );
    let text = a["text"].as_str().unwrap_or_default();
    assert!(text.contains(&good.body[1]), "the page's body: {text}");

    serve_articles(&http, std::slice::from_ref(late));
    http.clear_log();
    ws.run(&["poll", "--once"]).expect_code(exit::OK);
    assert_eq!(
        http.requests_to(&good.path).len(),
        0,
        "stored pages are not refetched"
    );
    assert_eq!(
        http.requests_to(&late.path).len(),
        1,
        "the failed page is retried"
    );
    let second = stored(&ws);
    assert_eq!(second.len(), 2);
    assert!(second
        .iter()
        .any(|v| v["guid"] == "jx-1" && v["lead"] == late.lead.as_str()));
}
