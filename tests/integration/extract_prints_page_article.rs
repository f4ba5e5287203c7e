//! `reformwatch extract [--json] URL` (issue 3) on an article page served
//! over loopback (GBK, charset only in a `<meta>` after byte 1024): the page
//! goes through decode and extraction and prints the shared Article.

use crate::support::http::HttpServer;
use crate::support::pages::{serve_articles, ten_articles};
use crate::support::smtp::closed_port;
use crate::support::{exit, Workspace};

#[test]
fn extract_prints_page_article() {
    let http = HttpServer::start();
    let articles = ten_articles();
    serve_articles(&http, &articles);
    let a = &articles[1];
    let ws = Workspace::new(closed_port(), &[]);

    let run = ws.run(&["extract", "--json", &http.url(&a.path)]);
    run.expect_code(exit::OK);
    let v: serde_json::Value = serde_json::from_str(&run.stdout())
        .unwrap_or_else(|e| panic!("not JSON ({e})\n{}", run.describe()));
    assert_eq!(v["title"], a.title.as_str(), "{v:#}");
    assert_eq!(v["lead"], a.lead.as_str(), "{v:#}");
    assert_eq!(v["url"], http.url(&a.path).as_str());
    let text = v["text"].as_str().unwrap_or_default();
    for p in &a.body {
        assert!(text.contains(p.as_str()), "body lacks {p:?}: {v:#}");
    }
    assert!(
        !text.contains("打印本页") && !text.contains("首页"),
        "navigation and footer are not body: {text}"
    );

    let run = ws.run(&["extract", &http.url(&a.path)]);
    run.expect_code(exit::OK);
    let out = run.stdout();
    assert!(
        out.contains(&format!("title:     {}", a.title)) && out.contains("gb18030"),
        "{}",
        run.describe()
    );
}
