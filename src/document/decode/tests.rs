//! Unit tests for charset detection and decoding.

use super::*;

fn gbk(s: &str) -> Vec<u8> {
    GBK.encode(s).0.into_owned()
}

#[test]
fn decided_by_names() {
    assert_eq!(DecidedBy::XmlProlog.as_str(), "xml-prolog");
    assert_eq!(DecidedBy::Sniffed.as_str(), "sniffed");
}

#[test]
fn content_type_charsets() {
    assert_eq!(
        charset_from_content_type("text/xml; charset=GBK"),
        Some(GB18030)
    );
    assert_eq!(
        charset_from_content_type("text/html;charset=\"gb2312\""),
        Some(GB18030)
    );
    assert_eq!(
        charset_from_content_type("text/html; Charset = 'utf-8' "),
        Some(UTF_8)
    );
    assert_eq!(
        charset_from_content_type("application/rss+xml; charset=x-gbk"),
        Some(GB18030)
    );
    assert_eq!(charset_from_content_type("text/html"), None);
    assert_eq!(
        charset_from_content_type("text/html; charset=nonsense"),
        None
    );
    assert_eq!(charset_from_content_type("charset=gbk"), None);
}

#[test]
fn bom_wins_over_header() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice("<rss>改革</rss>".as_bytes());
    let d = decode_document(&bytes, Some("text/xml; charset=gbk"), None);
    assert_eq!(d.decided_by, DecidedBy::Bom);
    assert_eq!(d.text, "<rss>改革</rss>");
    let mut le = vec![0xFF, 0xFE];
    for u in "天气".encode_utf16() {
        le.extend_from_slice(&u.to_le_bytes());
    }
    let d = decode_document(&le, Some("text/xml; charset=gbk"), None);
    assert_eq!(
        (d.text.as_str(), d.encoding, d.decided_by),
        ("天气", UTF_16LE, DecidedBy::Bom)
    );
}

#[test]
fn override_beats_detection() {
    let bytes = gbk("<p>天气预报</p>");
    let d = decode_document(&bytes, Some("text/html; charset=utf-8"), Some(GBK));
    assert_eq!(d.text, "<p>天气预报</p>");
    assert_eq!(d.encoding, GB18030);
    assert_eq!(d.decided_by, DecidedBy::Override);
}

#[test]
fn valid_utf8_beats_wrong_labels() {
    let text = "<?xml version=\"1.0\" encoding=\"gbk\"?><rss><title>体育新闻</title></rss>";
    let d = decode_document(text.as_bytes(), Some("text/xml; charset=gb2312"), None);
    assert_eq!(d.text, text);
    assert_eq!(d.encoding, UTF_8);
    assert_eq!(d.decided_by, DecidedBy::Utf8);
    assert_eq!(d.replacements, 0);
}

#[test]
fn header_prolog_and_meta() {
    let body = "<rss><title>天气预报：今天晴到多云，明天有小雨</title></rss>";
    let d = decode_document(&gbk(body), Some("text/xml; charset=gbk"), None);
    assert_eq!(
        (d.text.as_str(), d.decided_by),
        (body, DecidedBy::HttpHeader)
    );

    let doc = format!("<?xml version=\"1.0\" encoding=\"gb2312\"?>{body}");
    let d = decode_document(&gbk(&doc), None, None);
    assert_eq!(
        (d.text.as_str(), d.decided_by, d.encoding),
        (doc.as_str(), DecidedBy::XmlProlog, GB18030)
    );

    let page = format!("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body>{body}</body></html>");
    let d = decode_document(&gbk(&page), None, None);
    assert_eq!(
        (d.text.as_str(), d.decided_by),
        (page.as_str(), DecidedBy::HtmlMeta)
    );

    let page = format!("<html><head><META CHARSET=GBK></head><body>{body}</body></html>");
    let d = decode_document(&gbk(&page), None, None);
    assert_eq!(
        (d.text.as_str(), d.decided_by),
        (page.as_str(), DecidedBy::HtmlMeta)
    );
}

#[test]
fn late_meta_within_the_prescan_window() {
    let body = "<p>今天全市天气晴朗，气温回升，适宜出行，注意防晒补水。</p>";
    let page = format!(
        "<html><head><!-- {} --><meta charset=\"gb2312\"></head><body>{body}</body></html>",
        "x".repeat(2000)
    );
    let d = decode_document(&gbk(&page), None, None);
    assert_eq!(
        (d.text.as_str(), d.decided_by),
        (page.as_str(), DecidedBy::HtmlMeta)
    );
    // Beyond 8 KB the meta is not seen; sniffing still gets it right.
    let page = format!(
        "<html><head><!-- {} --><meta charset=\"gb2312\"></head><body>{body}</body></html>",
        "x".repeat(9000)
    );
    let d = decode_document(&gbk(&page), None, None);
    assert_eq!(
        (d.text.as_str(), d.decided_by),
        (page.as_str(), DecidedBy::Sniffed)
    );
}

#[test]
fn gbk_served_as_utf8_uses_the_prolog() {
    let doc = "<?xml version=\"1.0\" encoding=\"gb2312\"?><rss><title>嘉兴各界认真学习贯彻市委全会精神，天气晴朗</title></rss>";
    let d = decode_document(&gbk(doc), Some("text/xml; charset=utf-8"), None);
    assert_eq!(d.text, doc);
    assert_eq!(d.decided_by, DecidedBy::XmlProlog);
    assert_eq!(d.replacements, 0);
}

#[test]
fn unlabeled_gbk_is_sniffed() {
    let doc = "<rss><channel><title>新闻频道</title><item><title>今天全市天气晴朗，气温回升，适宜出行</title></item></channel></rss>";
    let d = decode_document(&gbk(doc), None, None);
    assert_eq!(d.text, doc);
    assert_eq!(d.decided_by, DecidedBy::Sniffed);
    assert_eq!(d.encoding, GB18030);
}

#[test]
fn broken_declared_charset_loses_to_sniffing() {
    // Latin-1 bytes served as UTF-8: the header's charset gives many
    // U+FFFD, so sniffing decides.
    let latin = "Caf\u{e9} cr\u{e8}me br\u{fb}l\u{e9}e \u{e0} la fran\u{e7}aise, tr\u{e8}s tr\u{e8}s \u{e9}l\u{e9}gant, d\u{e9}j\u{e0} vu, na\u{ef}ve";
    let bytes = encoding_rs::WINDOWS_1252.encode(latin).0.into_owned();
    let d = decode_document(&bytes, Some("text/html; charset=utf-8"), None);
    assert_eq!(d.replacements, 0, "{d:?}");
    assert_eq!(d.text, latin);
    assert_eq!(d.decided_by, DecidedBy::Sniffed);
}

#[test]
fn broken_bytes_are_replaced_and_counted() {
    let mut bytes =
        gbk("<?xml version=\"1.0\" encoding=\"gbk\"?><rss><title>天气预报今天晴</title>");
    bytes.extend_from_slice(&[0x81, 0x20]); // an invalid GBK sequence
    bytes.extend(gbk(
        "明天多云转小雨，气温下降，请注意保暖添衣防寒防冻。</rss>",
    ));
    let d = decode_document(&bytes, None, None);
    assert_eq!(d.encoding, GB18030);
    assert_eq!(d.replacements, 1);
    assert!(d.text.contains("</title>\u{FFFD} 明天多云"), "{}", d.text);
}

#[test]
fn gb18030_four_byte_sequences_under_gb2312() {
    // U+20BB7 (𠮷) needs a GB18030 four-byte sequence.
    let text = "<?xml version=\"1.0\" encoding=\"gb2312\"?><t>𠮷野家</t>";
    let bytes = GB18030.encode(text).0.into_owned();
    let d = decode_document(&bytes, None, None);
    assert_eq!(d.text, text);
    assert_eq!(d.replacements, 0);
}

#[test]
fn ascii_only_is_sniffed_as_compatible() {
    let d = decode_document(b"<rss version=\"2.0\"></rss>", None, None);
    assert_eq!(d.text, "<rss version=\"2.0\"></rss>");
    assert_eq!((d.encoding, d.decided_by), (UTF_8, DecidedBy::Sniffed));
    let d = decode_document(b"<rss/>", Some("text/xml; charset=gbk"), None);
    assert_eq!((d.encoding, d.decided_by), (GB18030, DecidedBy::HttpHeader));
    let d = decode_document(b"", None, None);
    assert_eq!(d.text, "");
}

#[test]
fn prepare_escapes_stray_angle_brackets() {
    let s = "\u{FEFF}<rss><t>a < b, 1 <<2, <3 <>x</t><t>R&D</t><![CDATA[x < y]]><!-- a < b --><é/></rss>";
    assert_eq!(
        prepare_feed_xml(s),
        "<rss><t>a &lt; b, 1 &lt;&lt;2, &lt;3 &lt;>x</t><t>R&D</t><![CDATA[x < y]]><!-- a < b --><é/></rss>"
    );
    let s = "<?xml version=\"1.0\"?><!DOCTYPE x><feed><_a:b/></feed>";
    assert!(matches!(prepare_feed_xml(s), Cow::Borrowed(_)));
    assert_eq!(prepare_feed_xml("x <"), "x &lt;");
}
