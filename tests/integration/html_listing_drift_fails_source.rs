//! Acceptance 4 (issue 3): after a good poll of an html source, the
//! listing's markup changes so the configured selector matches nothing. The
//! next poll exits 2, `reformwatch sources` shows the source failing with
//! "layout drift", nothing new is stored, and the earlier articles are
//! untouched. The same for an article page whose body suddenly comes out
//! 90 % shorter than the source's usual: not stored, the source failing.

use crate::support::http::HttpServer;
use crate::support::pages::{
    add_html_source, serve_articles, serve_listing, ten_articles, ArticlePage, LIST_CLASS,
};
use crate::support::smtp::SmtpServer;
use crate::support::{exit, Workspace};

#[test]
fn html_listing_drift_fails_source() {
    let http = HttpServer::start();
    let smtp = SmtpServer::start();
    let articles = ten_articles();
    serve_articles(&http, &articles);
    serve_listing(&http, &articles[..3], LIST_CLASS);
    let ws = Workspace::new(smtp.port(), &[]);
    add_html_source(&ws, &http, "jx-news");

    ws.run(&["poll", "--once"]).expect_code(exit::OK);
    let before = ws
        .run(&["articles", "--json"])
        .expect_code(exit::OK)
        .stdout();
    assert_eq!(before.lines().count(), 3, "{before}");
    let shown_before = ws
        .run(&["show", "1", "--json"])
        .expect_code(exit::OK)
        .stdout();

    // The redesign: new class on the list, and new articles on it.
    serve_listing(&http, &articles, "newslist-v2");
    let run = ws.run(&["poll", "--once"]);
    run.expect_code(exit::RUNTIME);
    assert!(
        run.all_output().contains("layout drift"),
        "the poll should say why\n{}",
        run.describe()
    );
    for a in &articles[3..] {
        assert!(
            http.requests_to(&a.path).is_empty(),
            "{} must not be fetched from a drifted listing",
            a.path
        );
    }

    let row = source_row(&ws, "jx-news");
    assert!(
        row.contains("failing") && row.contains("layout drift"),
        "source row should show the drift: {row}"
    );
    let after = ws
        .run(&["articles", "--json"])
        .expect_code(exit::OK)
        .stdout();
    assert_eq!(after, before, "nothing new stored, nothing changed");
    let shown_after = ws
        .run(&["show", "1", "--json"])
        .expect_code(exit::OK)
        .stdout();
    assert_eq!(
        shown_after, shown_before,
        "the earlier article is untouched"
    );
}

/// The `sources` row of `id`.
fn source_row(ws: &Workspace, id: &str) -> String {
    let sources = ws.run(&["sources"]).expect_code(exit::OK).stdout();
    sources
        .lines()
        .find(|l| l.starts_with(id))
        .unwrap_or_else(|| panic!("no {id} row\n{sources}"))
        .to_owned()
}

#[test]
fn article_body_drift_is_reported_not_stored() {
    let http = HttpServer::start();
    let smtp = SmtpServer::start();
    let mut articles = ten_articles();
    serve_articles(&http, &articles);
    serve_listing(&http, &articles, LIST_CLASS);
    let ws = Workspace::new(smtp.port(), &[]);
    add_html_source(&ws, &http, "jx-news");
    ws.run(&["poll", "--once"]).expect_code(exit::OK);

    // Two new articles: one normal, one whose page layout lost the body.
    let mut normal = articles[2].clone();
    normal.path = "/news/2024-09/09/content_3001.htm".into();
    normal.title = "嘉善县推进县域综合改革".into();
    let broken = ArticlePage {
        path: "/news/2024-09/09/content_3002.htm".into(),
        title: "平湖市召开改革工作推进会".into(),
        lead: "点击查看。".into(),
        body: Vec::new(),
        ..articles[3].clone()
    };
    serve_articles(&http, &[normal.clone(), broken.clone()]);
    articles.insert(0, normal.clone());
    articles.insert(0, broken.clone());
    serve_listing(&http, &articles, LIST_CLASS);

    let run = ws.run(&["poll", "--once"]);
    run.expect_code(exit::RUNTIME);
    assert!(
        run.all_output().contains(&broken.path),
        "{}",
        run.describe()
    );
    let row = source_row(&ws, "jx-news");
    assert!(
        row.contains("failing") && row.contains("layout drift: article body"),
        "{row}"
    );
    let titles = ws
        .run(&["articles", "--json"])
        .expect_code(exit::OK)
        .stdout();
    assert!(titles.contains(&normal.title), "the normal page is stored");
    assert!(!titles.contains(&broken.title), "the drifted page is not");
    assert_eq!(titles.lines().count(), 11);
}
