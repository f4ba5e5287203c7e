//! Acceptance 3 (issue 3): an html source whose listing page (GBK, charset
//! only in `<meta>`, relative links) links ten article pages, six about
//! reform and four not. One `poll --once` fetches each page once and stores
//! ten articles; `digest --send-now` mails exactly the six reform ones with
//! their leads. A later listing with one more link costs one page fetch.

use crate::support::http::HttpServer;
use crate::support::mail::{decode_entities, squash, ParsedMail};
use crate::support::pages::{
    add_html_source, serve_articles, serve_listing, ten_articles, ArticlePage, LISTING_PATH,
    LIST_CLASS,
};
use crate::support::smtp::SmtpServer;
use crate::support::{exit, Workspace};

/// Titles of `reformwatch articles --json`, in its order.
fn stored_titles(ws: &Workspace) -> Vec<String> {
    let out = ws
        .run(&["articles", "--json"])
        .expect_code(exit::OK)
        .stdout();
    out.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("articles --json line");
            v["title"].as_str().unwrap_or_default().to_owned()
        })
        .collect()
}

#[test]
fn html_source_stores_listed_articles() {
    let http = HttpServer::start();
    let smtp = SmtpServer::start();
    let articles = ten_articles();
    serve_articles(&http, &articles);
    serve_listing(&http, &articles, LIST_CLASS);
    let ws = Workspace::new(smtp.port(), &[]);
    add_html_source(&ws, &http, "jx-news");

    ws.run(&["poll", "--once"]).expect_code(exit::OK);
    for a in &articles {
        assert_eq!(
            http.requests_to(&a.path).len(),
            1,
            "{} should be fetched exactly once",
            a.path
        );
    }
    let mut titles = stored_titles(&ws);
    titles.sort();
    let mut expected: Vec<String> = articles.iter().map(|a| a.title.clone()).collect();
    expected.sort();
    assert_eq!(
        titles, expected,
        "the ten listed articles, correctly decoded"
    );

    ws.run(&["digest", "--send-now"]).expect_code(exit::OK);
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 1, "one digest expected");
    let mail = ParsedMail::parse(&msgs[0].data);
    let text = squash(&mail.text_parts.concat());
    let html = squash(&decode_entities(&mail.html_parts.concat()));
    for a in &articles {
        let (title, lead) = (squash(&a.title), squash(&a.lead));
        if a.reform {
            for (part, body) in [("text", &text), ("HTML", &html)] {
                assert!(
                    body.contains(&title),
                    "{part} part lacks {:?}\n{body}",
                    a.title
                );
                assert!(
                    body.contains(&lead),
                    "{part} part lacks the lead of {:?}\n{body}",
                    a.title
                );
            }
        } else {
            assert!(
                !text.contains(&title) && !html.contains(&title),
                "non-reform article {:?} is in the digest\n{text}",
                a.title
            );
        }
    }

    // One more article on the listing: only its page is fetched.
    let mut more: Vec<ArticlePage> = articles.clone();
    let mut extra = articles[1].clone();
    extra.path = "/news/2024-09/06/content_2001.htm".into();
    extra.title = "市场监管领域深化改革再出新招".into();
    extra.lead = "市市场监管局推出商事登记确认制改革，企业登记材料再精简三成。".into();
    more.insert(0, extra.clone());
    serve_articles(&http, &[extra.clone()]);
    serve_listing(&http, &more, LIST_CLASS);
    http.clear_log();
    ws.run(&["poll", "--once"]).expect_code(exit::OK);
    let fetched: Vec<String> = http
        .requests()
        .into_iter()
        .map(|r| r.path)
        // robots.txt is asked for once per origin and run (issue 6).
        .filter(|p| p != LISTING_PATH && p != "/robots.txt")
        .collect();
    assert_eq!(
        fetched,
        [extra.path.clone()],
        "only the new page is fetched"
    );
    assert_eq!(stored_titles(&ws).len(), 11);
}
