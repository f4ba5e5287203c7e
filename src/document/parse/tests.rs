//! Unit tests for feed parsing: one fixture per format, and the hostile cases.

use super::*;
use crate::document::decode::{decode_document, DecidedBy};
use chrono::TimeZone;
use chrono_tz::Asia::Shanghai;

const RSS2: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/feeds/rss2.xml"
));
const ATOM: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/feeds/atom.xml"
));
const RSS1: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/feeds/rss1.rdf"
));
const JSON: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/feeds/feed.json"
));
const SEED: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/feeds/seed-gb2312.xml"
));
const UTF8_GBK: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/feeds/utf8-declared-gbk.xml"
));
const GBK_BARE: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/feeds/gbk-unlabeled.xml"
));
const SEED_TEXT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/seed/jiaxing-plenum-2024.txt"
));

fn base() -> Url {
    Url::parse("http://127.0.0.1:8080/feeds/x.xml").unwrap()
}

fn fetched() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 9, 3, 0, 0, 0).unwrap()
}

fn parse_str(text: &str) -> Result<FeedDocument, ParseError> {
    let b = base();
    let ctx = FeedContext {
        source_id: "src",
        timezone: Shanghai,
        fetched_at: fetched(),
        base_url: Some(&b),
    };
    parse_feed(text, &ctx)
}

fn parse_bytes(bytes: &[u8], ct: Option<&str>) -> (FeedDocument, DecidedBy) {
    let d = decode_document(bytes, ct, None);
    assert_eq!(d.replacements, 0);
    (parse_str(&d.text).expect("fixture parses"), d.decided_by)
}

fn utc(s: &str) -> Option<DateTime<Utc>> {
    Some(DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc))
}

fn titles(doc: &FeedDocument) -> Vec<&str> {
    doc.items.iter().map(|a| a.title.as_str()).collect()
}

#[test]
fn rss2_fixture() {
    let (doc, by) = parse_bytes(RSS2, Some("application/rss+xml"));
    assert_eq!(by, DecidedBy::Utf8);
    assert_eq!(doc.title.as_deref(), Some("Example Wire 示例通讯"));
    assert_eq!(doc.link.as_deref(), Some("http://127.0.0.1:8080/"));
    assert_eq!(doc.description.as_deref(), Some("Local news & notes"));
    assert_eq!(doc.ttl_minutes, Some(30));
    assert_eq!(doc.updated_at, utc("2024-09-02T04:00:00Z"));
    assert_eq!(
        titles(&doc),
        vec![
            "City library extends weekend opening hours",
            "秋季运动会圆满落幕",
            "国务院印发关于深化改革的若干意见"
        ]
    );
    let [a, b, c] = &doc.items[..] else { panic!() };
    assert_eq!(a.guid, "wire-0001");
    assert_eq!(
        a.url.as_deref(),
        Some("http://127.0.0.1:8080/news/library-hours.html?id=1&utm_source=rss&spm=a.b")
    );
    assert_eq!(
        a.canonical_url.as_deref(),
        Some("http://127.0.0.1:8080/news/library-hours.html?id=1")
    );
    assert_eq!(a.published_at, utc("2024-09-02T01:30:00Z"));
    assert_eq!(
        a.lead.as_deref(),
        Some("The central library will stay open until 21:00 on Saturdays & Sundays.")
    );
    assert_eq!(a.sections.len(), 1);
    assert_eq!(a.sections[0].paragraphs.len(), 2);
    assert_eq!(a.language.as_deref(), Some("zh-cn"));
    assert_eq!(
        (a.source_id.as_str(), a.revision, a.fetched_at),
        ("src", 1, fetched())
    );
    assert_eq!(a.content_hash, normalize::content_hash(a));
    // CST is China Standard Time: 10:00 CST = 02:00Z (feed-rs alone says 16:00Z).
    assert_eq!(b.published_at, utc("2024-09-02T02:00:00Z"));
    // Entity-escaped HTML descriptions still split into paragraphs.
    assert_eq!(
        b.sections[0].paragraphs,
        vec![
            "全市中学生秋季运动会昨日在体育中心闭幕。",
            "共有三十二支代表队参赛。"
        ]
    );
    // No guid: the id comes from the canonical link (fragment dropped).
    assert_eq!(
        c.guid,
        "gen:http://127.0.0.1:8080/news/reform-opinions.html"
    );
    assert_eq!(c.byline.as_deref(), Some("新华社"));
}

#[test]
fn atom_fixture() {
    let (doc, _) = parse_bytes(ATOM, None);
    assert_eq!(doc.title.as_deref(), Some("城市生活 Atom"));
    assert_eq!(doc.link.as_deref(), Some("http://127.0.0.1:8080/"));
    assert_eq!(doc.updated_at, utc("2024-09-02T04:00:00Z"));
    // Markup and &nbsp; are gone from the html-typed title.
    assert_eq!(
        titles(&doc),
        vec!["Atom 条目：图书馆新馆开放", "Second entry, updated only"]
    );
    let [a, b] = &doc.items[..] else { panic!() };
    assert_eq!(a.guid, "urn:example:entry-1");
    assert_eq!(
        a.url.as_deref(),
        Some("http://127.0.0.1:8080/atom/entry-1.html")
    );
    assert_eq!(a.published_at, utc("2024-09-02T00:15:00Z"));
    assert_eq!(a.updated_at, utc("2024-09-02T01:00:00Z"));
    assert_eq!(a.byline.as_deref(), Some("李明"));
    assert_eq!(a.lead.as_deref(), Some("新馆藏书五十万册。"));
    assert_eq!(
        a.sections[0].paragraphs,
        vec!["新馆藏书五十万册。", "周末开放至晚上九点。"]
    );
    assert_eq!(a.language.as_deref(), Some("zh"));
    // Published falls back to updated.
    assert_eq!(b.published_at, utc("2024-09-01T20:00:00Z"));
    assert_eq!(b.url.as_deref(), Some("http://127.0.0.1/atom/entry-2.html"));
    assert_eq!(
        b.sections[0].paragraphs,
        vec!["Plain text content for the second entry."]
    );
}

#[test]
fn rss1_fixture() {
    let (doc, _) = parse_bytes(RSS1, None);
    assert_eq!(doc.title.as_deref(), Some("RDF 新闻"));
    assert_eq!(titles(&doc), vec!["公园菊花展开幕", "地铁二号线试运行"]);
    let [a, b] = &doc.items[..] else { panic!() };
    assert_eq!(a.published_at, utc("2024-09-02T00:15:00Z"));
    // A zone-less dc:date is read in the source's zone.
    assert_eq!(b.published_at, utc("2024-09-03T02:00:00Z"));
    assert_eq!(a.guid, "gen:http://127.0.0.1:8080/rdf/1.html");
    assert_eq!(a.lead.as_deref(), Some("菊花展将持续到十月底。"));
}

#[test]
fn json_feed_fixture() {
    let (doc, _) = parse_bytes(JSON, Some("application/feed+json"));
    assert_eq!(doc.title.as_deref(), Some("JSON 快讯"));
    assert_eq!(doc.description.as_deref(), Some("A JSON Feed 1.1 fixture"));
    assert_eq!(
        titles(&doc),
        vec!["夜间公交线路调整", "Weekend market returns"]
    );
    let [a, b] = &doc.items[..] else { panic!() };
    assert_eq!(a.guid, "json-1");
    assert_eq!(a.url.as_deref(), Some("http://127.0.0.1:8080/json/1.html"));
    assert_eq!(a.byline.as_deref(), Some("交通台"));
    assert_eq!(
        a.sections[0].paragraphs,
        vec!["三条夜间公交线路自下周起调整。", "详见公告。"]
    );
    assert_eq!(a.published_at, utc("2024-09-02T00:15:00Z"));
    assert_eq!(b.guid, "gen:http://127.0.0.1:8080/json/2.html");
    assert_eq!(
        b.sections[0].paragraphs,
        vec![
            "The weekend market returns to the old town square.",
            "Stalls open at 8."
        ]
    );
    assert_eq!(b.updated_at, utc("2024-09-02T02:00:00Z"));
    assert_eq!(a.language.as_deref(), Some("zh-CN"));
}

#[test]
fn seed_gb2312_fixture() {
    let (doc, by) = parse_bytes(SEED, Some("text/xml"));
    assert_eq!(by, DecidedBy::XmlProlog);
    assert_eq!(doc.title.as_deref(), Some("嘉兴日报 要闻"));
    assert_eq!(
        titles(&doc),
        vec![
            "嘉兴各界认真学习贯彻市委九届五次全会精神",
            "嘉兴市气象台发布今明两天天气预报"
        ]
    );
    let seed = &doc.items[0];
    // `2024-09-02 08:15:00` in Asia/Shanghai.
    assert_eq!(seed.published_at, utc("2024-09-02T00:15:00Z"));
    assert_eq!(doc.items[1].published_at, utc("2024-09-01T23:30:00Z"));
    let want: Vec<&str> = SEED_TEXT
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(seed.sections[0].paragraphs, want);
    assert_eq!(
        seed.lead.as_deref(),
        Some("迅速掀起“争当排头兵、谱写新篇章”热潮")
    );
    assert_eq!(
        seed.guid,
        "gen:http://127.0.0.1:8080/jxrb/2024-09/02/seed.html"
    );
    // The same bytes served with a wrong UTF-8 header still decode.
    let (doc2, by2) = parse_bytes(SEED, Some("text/xml; charset=utf-8"));
    assert_eq!(by2, DecidedBy::XmlProlog);
    assert_eq!(doc2, doc);
}

#[test]
fn utf8_bytes_with_gbk_prolog() {
    let (doc, by) = parse_bytes(UTF8_GBK, None);
    assert_eq!(by, DecidedBy::Utf8);
    assert_eq!(doc.title.as_deref(), Some("体育天气频道"));
    assert_eq!(
        titles(&doc),
        vec!["今日天气：晴转多云", "市足球联赛第五轮战报"]
    );
    assert_eq!(doc.items[0].published_at, utc("2024-09-01T22:00:00Z"));
    assert_eq!(doc.items[1].published_at, utc("2024-09-02T13:30:00Z"));
}

#[test]
fn unlabeled_gbk_is_sniffed_and_parsed() {
    let (doc, by) = parse_bytes(GBK_BARE, None);
    assert_eq!(by, DecidedBy::Sniffed);
    assert_eq!(doc.title.as_deref(), Some("城市生活资讯"));
    assert_eq!(
        titles(&doc),
        vec![
            "中秋假期高速公路免费通行安排公布",
            "市图书馆举办少儿阅读节",
            "秋季蔬菜价格总体平稳"
        ]
    );
    assert_eq!(doc.items[2].published_at, utc("2024-09-12T00:00:00Z"));
}

#[test]
fn non_reform_fixtures_do_not_mention_reform() {
    for bytes in [ATOM, RSS1, JSON, UTF8_GBK, GBK_BARE] {
        let text = decode_document(bytes, None, None).text;
        assert!(!text.contains("改革") && !text.to_lowercase().contains("reform"));
    }
}

#[test]
fn ids_without_guid_or_link_are_stable() {
    let xml = r#"<rss version="2.0"><channel><title>t</title>
            <item><title>无链接条目</title><description>正文内容</description></item>
            <item><description>只有正文</description></item>
            </channel></rss>"#;
    let a = parse_str(xml).unwrap();
    let b = parse_str(xml).unwrap();
    assert_eq!(a.items.len(), 2);
    assert_eq!(a.items[0].guid, b.items[0].guid);
    assert_eq!(a.items[1].guid, b.items[1].guid);
    assert!(a.items[0].guid.starts_with("gen:"));
    assert_ne!(a.items[0].guid, a.items[1].guid);
    assert_eq!(a.items[0].url, None);
    // A title-less item is titled from its lead.
    assert_eq!(a.items[1].title, "只有正文");
    // With a link, editing the title keeps the id.
    let v1 = parse_str(r#"<rss version="2.0"><channel><title>t</title><item><title>旧标题</title><link>/a.html?utm_medium=x</link></item></channel></rss>"#).unwrap();
    let v2 = parse_str(r#"<rss version="2.0"><channel><title>t</title><item><title>新标题</title><link>/a.html</link></item></channel></rss>"#).unwrap();
    assert_eq!(v1.items[0].guid, v2.items[0].guid);
    assert_ne!(v1.items[0].content_hash, v2.items[0].content_hash);
}

#[test]
fn bare_ampersand_and_missing_version_are_fixed() {
    let xml = "<?xml version=\"1.0\" encoding=\"gb2312\"?><rss><channel><title>A & B</title>\
            <item><title>R&D 新闻 &nbsp;x</title><link>/p?a=1&b=2</link></item></channel></rss>";
    let doc = parse_str(xml).unwrap();
    assert_eq!(doc.title.as_deref(), Some("A & B"));
    assert_eq!(doc.items[0].title, "R&D 新闻 x");
    assert_eq!(
        doc.items[0].url.as_deref(),
        Some("http://127.0.0.1:8080/p?a=1&b=2")
    );
}

#[test]
fn invalid_and_absurd_dates_keep_the_item() {
    let xml = r#"<rss version="2.0"><channel><title>t</title>
            <item><guid>a</guid><title>a</title><pubDate>31 Feb 2024 10:00:00 +0800</pubDate></item>
            <item><guid>b</guid><title>b</title><pubDate>0000-00-00 00:00:00</pubDate></item>
            <item><guid>c</guid><title>c</title><pubDate>昨天</pubDate></item>
            <item><guid>d</guid><title>d</title><pubDate>Thu, 01 Jan 1970 00:00:00 GMT</pubDate></item>
            <item><guid>e</guid><title>e</title><pubDate></pubDate></item>
            </channel></rss>"#;
    let doc = parse_str(xml).unwrap();
    assert_eq!(doc.items.len(), 5);
    assert!(doc.items.iter().all(|a| a.published_at.is_none()));
}

#[test]
fn duplicate_guids_are_all_read() {
    // The parser reports the feed as written (feedparser does too); which
    // entry becomes the article is decided by `Document::into_candidates`.
    let xml = r#"<rss version="2.0"><channel><title>t</title>
            <item><guid>same</guid><title>first</title></item>
            <item><guid>other</guid><title>middle</title></item>
            <item><guid>same</guid><title>second</title></item>
            </channel></rss>"#;
    let doc = parse_str(xml).unwrap();
    assert_eq!(titles(&doc), vec!["first", "middle", "second"]);
}

#[test]
fn items_are_capped() {
    let mut xml = String::from(r#"<rss version="2.0"><channel><title>t</title>"#);
    for i in 0..1500 {
        xml.push_str(&format!(
            "<item><guid>g{i}</guid><title>item {i}</title></item>"
        ));
    }
    xml.push_str("</channel></rss>");
    let doc = parse_str(&xml).unwrap();
    assert_eq!(doc.items.len(), MAX_ITEMS);
    assert_eq!(doc.items[0].title, "item 0");
    assert_eq!(doc.items[MAX_ITEMS - 1].title, "item 999");
}

#[test]
fn errors_are_typed_and_readable() {
    let e = parse_str("").unwrap_err();
    assert!(matches!(e, ParseError::NotAFeed(_)));
    assert_eq!(e.to_string(), "not a feed: the document is empty");
    let e = parse_str("<!DOCTYPE html><html><body>hi</body></html>").unwrap_err();
    assert!(matches!(e, ParseError::NotAFeed(_)), "{e}");
    assert!(e.to_string().contains("HTML page"));
    assert!(matches!(
        parse_str("just text").unwrap_err(),
        ParseError::NotAFeed(_)
    ));
    let e =
        parse_str("<rss version=\"2.0\"><channel><title>t</title><item><title>x</ti").unwrap_err();
    assert!(matches!(e, ParseError::Malformed(_)), "{e}");
    assert!(e.to_string().starts_with("malformed feed: "));
    assert!(matches!(
        parse_str("{\"version\": ").unwrap_err(),
        ParseError::Malformed(_)
    ));
    let garbled =
        "<rss version=\"2.0\"><channel><title>\u{FFFD}\u{FFFD}\u{FFFD}a</title></channel></rss>";
    assert!(matches!(
        parse_str(garbled),
        Err(ParseError::Undecodable(_))
    ));
    // An empty but valid feed is fine.
    let doc = parse_str("<rss version=\"2.0\"><channel></channel></rss>").unwrap();
    assert!(doc.items.is_empty());
}

#[test]
fn hostile_documents_do_not_expand_entities() {
    let xml = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">
<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t &lol2; &xxe;</title></channel></rss>"#;
    let doc = parse_str(xml).unwrap();
    let title = doc.title.unwrap();
    assert!(!title.contains("root:"), "{title}");
    assert!(!title.contains("lollol"), "{title}");
}

#[test]
fn without_base_url_relative_links_are_dropped() {
    let ctx = FeedContext {
        source_id: "s",
        timezone: Shanghai,
        fetched_at: fetched(),
        base_url: None,
    };
    let doc = parse_feed(
            r#"<rss version="2.0"><channel><title>t</title><item><title>x</title><link>/rel.html</link><link>javascript:alert(1)</link></item></channel></rss>"#,
            &ctx,
        )
        .unwrap();
    assert_eq!(doc.items[0].url, None);
    assert!(doc.items[0].guid.starts_with("gen:"));
}
