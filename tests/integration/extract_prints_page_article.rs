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

/// `reformwatch extract --json` over several inputs (issue 13): one JSON
/// object per line, each naming its input and where its fields came from;
/// a document that fails is named on stderr, the others still print, and
/// the run exits 2.
#[test]
fn extract_runs_a_corpus_as_json_lines() {
    let http = HttpServer::start();
    let articles = ten_articles();
    serve_articles(&http, &articles);
    let ws = Workspace::new(closed_port(), &[]);
    let file = ws.dir().join("saved.html");
    std::fs::write(&file, crate::support::pages::article_html(&articles[3])).expect("write page");
    let missing = ws.dir().join("missing.html");
    let urls = [http.url(&articles[1].path), http.url(&articles[2].path)];
    let file = file.to_string_lossy().into_owned();
    let missing = missing.to_string_lossy().into_owned();

    let run = ws.run(&["extract", "--json", &urls[0], &missing, &file, &urls[1]]);
    run.expect_code(exit::RUNTIME);
    let lines: Vec<serde_json::Value> = run
        .stdout()
        .lines()
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("not one JSON object per line ({e}): {l}"))
        })
        .collect();
    let inputs: Vec<&str> = lines
        .iter()
        .map(|v| v["input"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        inputs,
        [urls[0].as_str(), file.as_str(), urls[1].as_str()],
        "{}",
        run.describe()
    );
    for (v, a) in lines.iter().zip([&articles[1], &articles[3], &articles[2]]) {
        assert_eq!(v["title"], a.title.as_str(), "{v:#}");
        assert!(
            v["title_from"].as_str().is_some_and(|f| !f.is_empty()),
            "{v:#}"
        );
        assert!(
            v["body_from"].as_str().is_some_and(|f| !f.is_empty()),
            "{v:#}"
        );
    }
    assert!(
        run.stderr().contains(&missing),
        "the failed input is named: {}",
        run.describe()
    );
}
