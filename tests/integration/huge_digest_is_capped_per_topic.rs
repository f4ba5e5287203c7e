//! Acceptance 5 of issue 5: five thousand matching articles make one digest
//! under the size cap (`[mail] max_items`, default 200), showing the top
//! items of each topic and "N more" with the right count; every article
//! counts as delivered, so the next digest is empty.

use crate::support::http::{Content, HttpServer, Route};
use crate::support::mail::ParsedMail;
use crate::support::smtp::SmtpServer;
use crate::support::{exit, rss, Workspace};

const FEEDS: usize = 5;
const PER_FEED: usize = 1000;
/// Articles of the second topic (国企), spread over the feeds.
const SOE: usize = 10;

#[test]
fn five_thousand_matches_make_one_capped_digest() {
    let http = HttpServer::start();
    let mut sources = Vec::new();
    for f in 0..FEEDS {
        let guids: Vec<String> = (0..PER_FEED).map(|i| format!("big-{f}-{i}")).collect();
        let titles: Vec<String> = (0..PER_FEED)
            .map(|i| {
                if i < SOE / FEEDS {
                    format!("国企混改 第{f}-{i}号")
                } else {
                    format!("深化改革 第{f}-{i}号")
                }
            })
            .collect();
        let items: Vec<(&str, &str)> = guids
            .iter()
            .zip(&titles)
            .map(|(g, t)| (g.as_str(), t.as_str()))
            .collect();
        let path = format!("/big-{f}.xml");
        http.route(
            &path,
            Route::Content(Content::new(rss("大源", &items), "application/rss+xml")),
        );
        sources.push((format!("big-{f}"), http.url(&path)));
    }
    let smtp = SmtpServer::start();
    let ws = Workspace::new(smtp.port(), &sources);
    let config = std::fs::read_to_string(ws.config_path()).unwrap();
    let config = config.replacen("topics = [\"reform\"]", "topics = [\"reform\", \"soe\"]", 1)
        + "\n[[topics]]\nid = \"soe\"\nname = \"国企\"\nkeywords = [\"国企\"]\n";
    std::fs::write(ws.config_path(), config).unwrap();

    ws.run(&["poll", "--once"]).expect_code(exit::OK);
    ws.run(&["digest", "--send-now"]).expect_code(exit::OK);
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 1, "one digest");
    assert!(
        msgs[0].data.len() < 1_000_000,
        "digest is {} bytes",
        msgs[0].data.len()
    );
    let mail = ParsedMail::parse(&msgs[0].data);
    let text = mail.text_parts.join("\n");
    let reform = FEEDS * PER_FEED - SOE;
    let shown_reform = 200 - SOE;
    assert_eq!(
        text.matches("http://example.org/big-").count(),
        200,
        "200 articles shown"
    );
    assert!(
        text.contains(&format!(
            "… and {} more articles in 改革 not shown here.",
            reform - shown_reform
        )),
        "{text}"
    );
    assert!(text.contains(&format!("改革 ({reform})")), "{text}");
    assert!(text.contains(&format!("国企 ({SOE})")), "{text}");
    assert!(
        !text.contains("in 国企 not shown"),
        "small topics are shown whole"
    );
    let html = &mail.html_parts[0];
    assert!(html.contains(&format!("{} more articles in 改革", reform - shown_reform)));

    let rows = ws.digests();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].item_count as usize, FEEDS * PER_FEED);
    assert_eq!(ws.digest_item_count() as usize, FEEDS * PER_FEED);

    // Everything counted as delivered: nothing more to send.
    ws.run(&["digest", "--send-now"]).expect_code(exit::OK);
    assert_eq!(smtp.count(), 1);
}
