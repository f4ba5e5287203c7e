//! A multi-page article (issue 3): the listed page links its second page
//! (`content_N_2.htm`, "下一页"), which links back to the first. The poll
//! follows the link once, never loops, and stores one article holding both
//! pages' paragraphs.

use crate::support::http::HttpServer;
use crate::support::pages::{
    add_html_source, serve_articles, serve_listing, ten_articles, LIST_CLASS,
};
use crate::support::smtp::closed_port;
use crate::support::{exit, Workspace};

#[test]
fn multi_page_article_is_joined() {
    let http = HttpServer::start();
    let mut first = ten_articles().remove(0);
    let mut second = first.clone();
    second.path = first.path.replace(".htm", "_2.htm");
    second.lead = "（下转第二页）会议强调，要把改革任务落到实处，确保各项举措见行见效。".into();
    second.body =
        vec!["全市上下将以钉钉子精神抓好改革落实，奋力谱写中国式现代化嘉兴新篇章。".into()];
    let name = |p: &str| p.rsplit('/').next().unwrap_or_default().to_owned();
    first.next = Some(name(&second.path));
    second.next = Some(name(&first.path));
    serve_articles(&http, &[first.clone(), second.clone()]);
    serve_listing(&http, std::slice::from_ref(&first), LIST_CLASS);
    let ws = Workspace::new(closed_port(), &[]);
    add_html_source(&ws, &http, "jx-news");

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
