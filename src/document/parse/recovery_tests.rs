//! Unit tests for ill-formed feeds as real (often Chinese) publishers serve
//! them: every fault here once cost a whole feed.

use super::*;
use crate::document::decode::decode_document;
use chrono::TimeZone;

fn parse(xml: &str) -> Result<FeedDocument, ParseError> {
    let base = Url::parse("http://127.0.0.1:8080/feed.xml").unwrap();
    let ctx = FeedContext {
        source_id: "src",
        timezone: chrono_tz::Asia::Shanghai,
        fetched_at: Utc.with_ymd_and_hms(2024, 9, 3, 0, 0, 0).unwrap(),
        base_url: Some(&base),
    };
    parse_feed(xml, &ctx)
}

fn titles(doc: &FeedDocument) -> Vec<&str> {
    doc.items.iter().map(|a| a.title.as_str()).collect()
}

fn rss(items: &str) -> String {
    format!("<rss version=\"2.0\"><channel><title>频道</title>{items}</channel></rss>")
}

#[test]
fn stray_angle_brackets_stay_text() {
    let doc = parse(&rss(
        "<item><title>1 < 2 且 3 <> 4, <3 改革</title><link>/a.html</link>\
         <description>a << b</description></item>",
    ))
    .unwrap();
    assert_eq!(titles(&doc), vec!["1 < 2 且 3 <> 4, <3 改革"]);
    assert_eq!(doc.items[0].lead.as_deref(), Some("a << b"));
    assert_eq!(
        doc.items[0].url.as_deref(),
        Some("http://127.0.0.1:8080/a.html")
    );
}

#[test]
fn undeclared_html_entities_are_decoded() {
    let doc = parse(&rss(
        "<item><title>版权&copy;所有&nbsp;&hellip;&ldquo;改革&rdquo; &bogus; &#X6539;&#x9769;</title></item>",
    ))
    .unwrap();
    assert_eq!(titles(&doc), vec!["版权©所有 …“改革” &bogus; 改革"]);
}

#[test]
fn a_cut_off_document_keeps_its_complete_items() {
    let full = rss("<item><guid>1</guid><title>第一条</title></item>\
                    <item><guid>2</guid><title>第二条</title></item>\
                    <item><guid>3</guid><title>第三条被截断</title><description>正文");
    let cut = &full[..full.find("正文").unwrap() + "正文".len()];
    let doc = parse(cut).unwrap();
    assert_eq!(titles(&doc), vec!["第一条", "第二条"]);
    // Cut inside the first item: nothing usable, and that is an error.
    let e = parse("<rss><channel><title>t</title><item><title>x</ti").unwrap_err();
    assert!(matches!(e, ParseError::Malformed(_)), "{e}");
    // A channel whose end tags are missing or cut still has its title.
    let doc = parse("<rss><channel><title>只有标题</title>").unwrap();
    assert_eq!(doc.title.as_deref(), Some("只有标题"));
    assert!(doc.items.is_empty());
    let doc = parse("<rss><channel><title>尾标签残缺</title></channel></rss").unwrap();
    assert_eq!(doc.title.as_deref(), Some("尾标签残缺"));
}

#[test]
fn unclosed_items_and_stray_end_tags_are_recovered() {
    let doc = parse(&rss(
        "<item><guid>1</guid><title>未闭合的条目</title>\
         <item><guid>2</guid><title>下一条</title></span></item>\
         <item><guid>3</guid><title>第三条</title><description><p>一段<br>两段</description></item>",
    ))
    .unwrap();
    assert_eq!(titles(&doc), vec!["未闭合的条目", "下一条", "第三条"]);
    assert_eq!(doc.items[2].sections[0].paragraphs, vec!["一段", "两段"]);
}

#[test]
fn bare_ampersands_in_text_and_links() {
    let doc = parse(&rss(
        "<item><title>R&D 投入 & 产出</title><link>/p?a=1&b=2&c</link></item>",
    ))
    .unwrap();
    assert_eq!(titles(&doc), vec!["R&D 投入 & 产出"]);
    assert_eq!(
        doc.items[0].url.as_deref(),
        Some("http://127.0.0.1:8080/p?a=1&b=2&c")
    );
}

#[test]
fn gbk_without_prolog_and_with_a_lying_prolog() {
    let xml = rss("<item><title>全面深化改革推进会召开</title><link>/1.html</link></item>");
    let gbk = encoding_rs::GBK.encode(&xml).0.into_owned();
    let decoded = decode_document(&gbk, None, None);
    assert_eq!(
        titles(&parse(&decoded.text).unwrap()),
        vec!["全面深化改革推进会召开"]
    );
    // UTF-8 text that still says gb2312: the prolog is not obeyed.
    let lying = format!("<?xml version=\"1.0\" encoding=\"gb2312\"?>{xml}");
    assert_eq!(
        titles(&parse(&lying).unwrap()),
        vec!["全面深化改革推进会召开"]
    );
}

#[test]
fn control_characters_and_junk_after_the_root() {
    let doc = parse(&format!(
        "{}<p>junk after the feed</p><rss><channel><item><title>no</title></item></channel></rss>",
        rss("<item><title>A\u{1}B\u{7}</title></item>")
    ))
    .unwrap();
    assert_eq!(titles(&doc), vec!["AB"]);
}
