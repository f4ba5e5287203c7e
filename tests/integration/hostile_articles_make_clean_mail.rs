//! Acceptance 4 of issue 5: hostile article content (a title with
//! `\r\nBcc:`, a 10,000-character title, U+202E, `<script>`, `onerror=`,
//! `javascript:` links, tracking images) goes through the real binary to a
//! real SMTP server, and the raw message has exactly one Subject, no Bcc, no
//! line over 998 octets, and no script, handler, `javascript:` URL or remote
//! image in its HTML.
//!
//! Issue 10, item 8: article markup never reaches a digest as markup, so
//! no HTML sanitizer is needed. Even a title whose text decodes into tags
//! (`&lt;script&gt;…` in the feed's title) arrives without them: the text
//! cleaner strips tags again after decoding, and the renderer escapes what
//! is left.

use crate::support::http::{Content, HttpServer, Route};
use crate::support::mail::{squash, ParsedMail};
use crate::support::smtp::SmtpServer;
use crate::support::{exit, Workspace};

/// Escapes text for an XML element.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A title whose text is markup (a reform headline quoting a tag).
const TEXT_MARKUP: &str = "改革<script>alert(4)</script><img src=x onerror=alert(5)>";

/// A feed whose items carry the hostile content, raw.
fn hostile_feed() -> Vec<u8> {
    let long: String = std::iter::repeat_n("深化改革长标题", 10_000 / 7 + 1)
        .collect::<String>()
        .chars()
        .take(10_000)
        .collect();
    let body_html = r#"<p onerror="alert(1)" onclick="steal()">改革 正文 <a href="javascript:alert(2)">点此</a>
<img src="http://tracker.example.net/pixel.gif?u=1" width="1" height="1">
<script>alert(3)</script><iframe src="http://evil.example.net/"></iframe>
<a href="http://example.org/ok">好链接</a></p>"#;
    let items = [
        // CR LF and a Bcc header inside the title (as character references).
        (
            "h-bcc",
            "深化改革&#13;&#10;Bcc: evil@example.net&#13;&#10;&#13;&#10;injected".to_string(),
            "http://example.org/bcc",
        ),
        ("h-long", esc(&long), "http://example.org/long"),
        (
            "h-bidi",
            esc("改革 \u{202E}gpj.exe\u{202C} 文件"),
            "http://example.org/bidi",
        ),
        (
            "h-script",
            esc("<script>alert('改革')</script><img src=x onerror=alert(1)>"),
            "javascript:alert(document.cookie)",
        ),
        // Text that reads as markup once the title's entities are decoded.
        (
            "h-text-markup",
            esc(&esc(TEXT_MARKUP)),
            "http://example.org/text-markup",
        ),
    ];
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>\n<title>恶意源</title>\n<link>http://example.org/</link>\n<description>hostile</description>\n",
    );
    for (guid, title, link) in items {
        x.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{guid}</guid><title>{title}</title><link>{}</link><description><![CDATA[{body_html}]]></description><pubDate>Mon, 06 May 2024 08:20:00 +0800</pubDate></item>\n",
            esc(link)
        ));
    }
    x.push_str("</channel></rss>\n");
    x.into_bytes()
}

#[test]
fn hostile_articles_make_one_clean_message() {
    let http = HttpServer::start();
    http.route(
        "/hostile.xml",
        Route::Content(Content::new(hostile_feed(), "application/rss+xml")),
    );
    let smtp = SmtpServer::start();
    let ws = Workspace::new(smtp.port(), &[("hostile".into(), http.url("/hostile.xml"))]);
    ws.run(&["poll", "--once"]).expect_code(exit::OK);
    ws.run(&["digest", "--send-now"]).expect_code(exit::OK);
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 1, "one digest");
    let raw = &msgs[0].data;
    let mail = ParsedMail::parse(raw);

    let count = |name: &str| mail.header_names.iter().filter(|h| *h == name).count();
    assert_eq!(count("subject"), 1, "headers: {:?}", mail.header_names);
    assert_eq!(count("bcc"), 0, "headers: {:?}", mail.header_names);
    assert_eq!(count("to"), 1);
    assert_eq!(msgs[0].to.len(), 1, "the envelope has one recipient");
    for (i, line) in raw.split(|b| *b == b'\n').enumerate() {
        assert!(line.len() <= 998, "line {i} has {} octets", line.len());
    }
    assert!(!mail.subject.contains(['\r', '\n', '\u{202E}']));

    assert_eq!(mail.html_parts.len(), 1, "an HTML part");
    let html = mail.html_parts[0].to_ascii_lowercase();
    for bad in [
        "<script",
        "onerror",
        "onclick",
        "javascript:",
        "<img",
        "<iframe",
        "tracker.example.net",
        "evil.example.net",
    ] {
        assert!(!html.contains(bad), "HTML part contains {bad:?}:\n{html}");
    }
    let text = mail.text_parts.join("\n");
    assert!(!text.contains('\u{202E}'), "bidi override in the text part");
    assert!(
        !text.contains("javascript:"),
        "javascript: URL in the text part"
    );
    assert!(
        !text.lines().any(|l| l.trim_start().starts_with("Bcc:")),
        "a Bcc line survived in the text part:\n{text}"
    );
    // The title whose text was markup is there, without it.
    assert!(
        html.contains("href=\"http://example.org/text-markup\""),
        "{html}"
    );
    assert!(
        !text.contains("<script"),
        "markup in the text part:\n{text}"
    );
    // The articles are still there, as text.
    let all = squash(&mail.all_text());
    assert!(all.contains("深化改革"), "{all}");
    assert!(all.contains(&squash("gpj.exe")), "{all}");
}
