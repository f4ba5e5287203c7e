//! `reformwatch test-source ID` (issue 3) on an html source served over
//! loopback: it lists the items found and prints the first article
//! extracted, writes no database, warns when the item selector matches more
//! than 200 elements, and fails (exit 2, "layout drift") when it matches
//! nothing.

use crate::support::http::HttpServer;
use crate::support::pages::{
    add_html_source, serve_articles, serve_listing, ten_articles, ArticlePage, LIST_CLASS,
};
use crate::support::smtp::closed_port;
use crate::support::{exit, Workspace};

#[test]
fn test_source_previews_without_writing() {
    let http = HttpServer::start();
    let articles = ten_articles();
    serve_articles(&http, &articles);
    serve_listing(&http, &articles, LIST_CLASS);
    let ws = Workspace::new(closed_port(), &[]);
    add_html_source(&ws, &http, "jx-news");

    let run = ws.run(&["test-source", "jx-news"]);
    run.expect_code(exit::OK);
    let out = run.stdout();
    for a in &articles {
        assert!(out.contains(&a.title), "{:?} not listed\n{out}", a.title);
    }
    let first = out
        .split("first article:")
        .nth(1)
        .unwrap_or_else(|| panic!("no first article\n{}", run.describe()));
    assert!(
        first.contains(&articles[0].title) && first.contains(&articles[0].lead),
        "the first article, extracted\n{first}"
    );
    assert!(
        !run.stderr().contains("warning"),
        "nothing to warn about\n{}",
        run.describe()
    );
    assert!(
        !ws.dir().join("state").join("reformwatch.db").exists(),
        "test-source must not write a database"
    );

    // A selector that matches far too much: 250 items.
    let wide: Vec<ArticlePage> = (0..250)
        .map(|i| ArticlePage {
            path: if i == 0 {
                articles[0].path.clone()
            } else {
                format!("/news/2024-09/09/content_{}.htm", 5000 + i)
            },
            ..articles[i % articles.len()].clone()
        })
        .collect();
    serve_listing(&http, &wide, LIST_CLASS);
    let run = ws.run(&["test-source", "jx-news"]);
    run.expect_code(exit::OK);
    assert!(
        run.stderr().contains("matched 250 items (more than 200)"),
        "a too-broad selector is warned about\n{}",
        run.describe()
    );

    // The layout changed: nothing matches.
    serve_listing(&http, &articles, "list-2025");
    let run = ws.run(&["test-source", "jx-news"]);
    run.expect_code(exit::RUNTIME);
    assert!(
        run.stderr().contains("layout drift") && run.stderr().contains("matched nothing"),
        "{}",
        run.describe()
    );
}
