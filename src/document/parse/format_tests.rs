//! Unit tests for what each feed format means, read as feedparser reads it:
//! Atom 0.3, text constructs, `xml:base`, CDF, RDF, which element wins, and
//! the wrong-charset check.

use super::*;
use chrono::TimeZone;

fn parse_at(xml: &str, base: Option<&str>) -> Result<FeedDocument, ParseError> {
    let base = base.map(|b| Url::parse(b).unwrap());
    let ctx = FeedContext {
        source_id: "src",
        timezone: chrono_tz::UTC,
        fetched_at: Utc.with_ymd_and_hms(2024, 9, 3, 0, 0, 0).unwrap(),
        base_url: base.as_ref(),
    };
    parse_feed(xml, &ctx)
}

fn parse(xml: &str) -> FeedDocument {
    parse_at(xml, None).unwrap()
}

fn utc(s: &str) -> Option<DateTime<Utc>> {
    Some(DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc))
}

#[test]
fn atom_03_is_read_as_atom() {
    let doc = parse(
        r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#">
        <title mode="escaped" type="text/html">&lt;b&gt;Atom&lt;/b&gt; 0.3</title>
        <tagline>副标题</tagline>
        <link rel="alternate" type="text/html" href="http://example.org/"/>
        <modified>2004-01-01T19:48:21Z</modified>
        <entry>
          <title mode="base64">5pS56Z2p</title>
          <id>tag:example.org,2004:1</id>
          <link rel="alternate" type="application/xhtml+xml" href="http://example.org/1"/>
          <issued>2003-12-31T10:14:55Z</issued>
          <modified>2004-01-01T00:00:00Z</modified>
          <content type="text/html" mode="escaped">&lt;p&gt;第一段&lt;/p&gt;&lt;p&gt;第二段&lt;/p&gt;</content>
        </entry></feed>"#,
    );
    assert_eq!(doc.title.as_deref(), Some("Atom 0.3"));
    assert_eq!(doc.description.as_deref(), Some("副标题"));
    assert_eq!(doc.link.as_deref(), Some("http://example.org/"));
    assert_eq!(doc.updated_at, utc("2004-01-01T19:48:21Z"));
    let a = &doc.items[0];
    assert_eq!(a.title, "改革");
    assert_eq!(a.guid, "tag:example.org,2004:1");
    assert_eq!(a.url.as_deref(), Some("http://example.org/1"));
    assert_eq!(a.published_at, utc("2003-12-31T10:14:55Z"));
    assert_eq!(a.updated_at, utc("2004-01-01T00:00:00Z"));
    assert_eq!(a.sections[0].paragraphs, vec!["第一段", "第二段"]);
}

#[test]
fn text_constructs_follow_their_type() {
    let doc = parse(
        r#"<feed xmlns="http://www.w3.org/2005/Atom">
        <title type="text">History of the &lt;blink&gt; tag</title>
        <subtitle type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Example <b>Atom</b> &amp; more</div></subtitle>
        <entry><title type="html">History of the &amp;lt;blink&amp;gt; tag</title><id>1</id></entry>
        <entry><title type="html">&lt;b&gt;Bold&lt;/b&gt; &amp;amp; plain</title><id>2</id></entry>
        <entry><title type="text"><![CDATA[<b>kept</b> as text]]></title><id>3</id>
          <content type="text">a &lt;p&gt; is literal</content></entry>
        </feed>"#,
    );
    // type="text" keeps markup literally; html shows as its text; xhtml too.
    assert_eq!(doc.title.as_deref(), Some("History of the <blink> tag"));
    assert_eq!(doc.description.as_deref(), Some("Example Atom & more"));
    let titles: Vec<&str> = doc.items.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(
        titles,
        vec![
            "History of the <blink> tag",
            "Bold & plain",
            "<b>kept</b> as text"
        ]
    );
    assert_eq!(doc.items[2].lead.as_deref(), Some("a <p> is literal"));
}

#[test]
fn rss_text_may_be_escaped_twice() {
    // Chinese CMSes escape their HTML twice; RSS declares no type, so the
    // second layer of markup goes too.
    let doc = parse(
        "<rss version=\"2.0\"><channel><title>&amp;lt;b&amp;gt;频道&amp;lt;/b&amp;gt;</title>\
         <item><title>&lt;em&gt;改革&lt;/em&gt;开放</title>\
         <description>&amp;lt;p&amp;gt;一&amp;lt;/p&amp;gt;&amp;lt;p&amp;gt;二&amp;lt;/p&amp;gt;</description></item>\
         </channel></rss>",
    );
    assert_eq!(doc.title.as_deref(), Some("频道"));
    assert_eq!(doc.items[0].title, "改革开放");
    assert_eq!(doc.items[0].sections[0].paragraphs, vec!["一", "二"]);
}

#[test]
fn xml_base_nests_and_resolves_links() {
    let doc = parse_at(
        r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://example.org/news/">
        <link href="index.html"/>
        <entry xml:base="2024/"><id>1</id><link href="a.html"/></entry>
        <entry><id>2</id><link xml:base="/other/" href="b.html"/></entry>
        <entry xml:base="https://cdn.example.com/x/"><id>3</id><link href="../c.html"/></entry>
        </feed>"#,
        Some("http://fetched.example/feed.xml"),
    )
    .unwrap();
    assert_eq!(
        doc.link.as_deref(),
        Some("http://example.org/news/index.html")
    );
    let urls: Vec<&str> = doc.items.iter().filter_map(|a| a.url.as_deref()).collect();
    assert_eq!(
        urls,
        vec![
            "http://example.org/news/2024/a.html",
            "http://example.org/other/b.html",
            "https://cdn.example.com/c.html"
        ]
    );
    // Without xml:base, links resolve against the document's URL.
    let doc = parse_at(
        "<rss><channel><link>/home</link><item><title>t</title><link>p/1.html</link></item></channel></rss>",
        Some("http://fetched.example/feeds/rss.xml"),
    )
    .unwrap();
    assert_eq!(doc.link.as_deref(), Some("http://fetched.example/home"));
    assert_eq!(
        doc.items[0].url.as_deref(),
        Some("http://fetched.example/feeds/p/1.html")
    );
}

#[test]
fn cdf_channels_and_items() {
    let doc = parse(
        r#"<CHANNEL HREF="http://example.org/" LASTMOD="2004-04-06T23:05:43-05:00">
        <TITLE>CDF 频道</TITLE><ABSTRACT>摘要</ABSTRACT>
        <ITEM HREF="http://example.org/1" LASTMOD="2004-04-06T23:05:43-05:00">
          <TITLE>条目</TITLE><ABSTRACT>条目摘要</ABSTRACT>
        </ITEM></CHANNEL>"#,
    );
    assert_eq!(doc.title.as_deref(), Some("CDF 频道"));
    assert_eq!(doc.description.as_deref(), Some("摘要"));
    assert_eq!(doc.link.as_deref(), Some("http://example.org/"));
    assert_eq!(doc.updated_at, utc("2004-04-07T04:05:43Z"));
    let a = &doc.items[0];
    assert_eq!(
        (a.title.as_str(), a.url.as_deref(), a.lead.as_deref()),
        ("条目", Some("http://example.org/1"), Some("条目摘要"))
    );
    assert_eq!(a.published_at, utc("2004-04-07T04:05:43Z"));
}

#[test]
fn rdf_and_rss_090() {
    let doc = parse(
        r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/">
        <channel><title>RSS 0.90</title><link>http://example.org/</link></channel>
        <image><title>not the title</title><link>http://example.org/logo</link></image>
        <item><title>有链接</title><link>http://example.org/1</link></item>
        <item rdf:about="http://example.org/2"><title>只有 about</title></item>
        </rdf:RDF>"#,
    );
    assert_eq!(doc.title.as_deref(), Some("RSS 0.90"));
    assert_eq!(doc.link.as_deref(), Some("http://example.org/"));
    assert_eq!(doc.items[0].guid, "gen:http://example.org/1");
    // rdf:about names an item that has no link.
    assert_eq!(doc.items[1].guid, "http://example.org/2");
}

#[test]
fn only_direct_children_are_fields() {
    let doc = parse(
        "<rss><channel><title>Real title</title><link>http://channel.example/</link>\
         <description>Real description</description>\
         <image><title>Image title</title><link>http://image.example/</link></image>\
         <textInput><title>Search</title><description>Search desc</description><link>http://search.example/</link></textInput>\
         <item><title>Item</title><link>http://item.example/</link>\
           <source url=\"http://other.example/feed\">Other feed</source>\
           <image><link>http://item-image.example/</link></image></item>\
         </channel></rss>",
    );
    assert_eq!(doc.title.as_deref(), Some("Real title"));
    assert_eq!(doc.description.as_deref(), Some("Real description"));
    assert_eq!(doc.link.as_deref(), Some("http://channel.example/"));
    assert_eq!(doc.items[0].title, "Item");
    assert_eq!(doc.items[0].url.as_deref(), Some("http://item.example/"));
    let atom = parse(
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry>
        <source><title>Source feed</title><id>source-id</id><link href="http://source.example/"/></source>
        <title>Entry</title><id>entry-id</id>
        <link rel="self" href="http://self.example/"/><link rel="enclosure" href="http://x.example/a.mp3"/>
        <link rel="alternate" type="text/html" href="http://page.example/"/>
        </entry></feed>"#,
    );
    let a = &atom.items[0];
    assert_eq!(
        (a.title.as_str(), a.guid.as_str(), a.url.as_deref()),
        ("Entry", "entry-id", Some("http://page.example/"))
    );
}

#[test]
fn guid_is_the_link_only_when_it_is_a_permalink() {
    let doc = parse(
        "<rss><channel>\
         <item><guid>http://guid.example/1</guid></item>\
         <item><guid isPermaLink=\"false\">http://guid.example/2</guid></item>\
         <item><guid>http://guid.example/3</guid><link>http://link.example/3</link></item>\
         </channel></rss>",
    );
    let urls: Vec<Option<&str>> = doc.items.iter().map(|a| a.url.as_deref()).collect();
    assert_eq!(
        urls,
        vec![
            Some("http://guid.example/1"),
            None,
            Some("http://link.example/3")
        ]
    );
    assert_eq!(doc.items[1].guid, "http://guid.example/2");
}

#[test]
fn dublin_core_and_later_dates_win() {
    let doc = parse(
        r#"<rss xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"><channel>
        <dc:title>DC 标题</dc:title><dc:date>2003-12-31T10:14:55Z</dc:date>
        <item><dc:title>条目</dc:title><dcterms:issued>2003-12-31</dcterms:issued>
          <dc:date>2004-01-01T00:00:00Z</dc:date><dc:date>2004-01-02T00:00:00Z</dc:date></item>
        </channel></rss>"#,
    );
    assert_eq!(doc.title.as_deref(), Some("DC 标题"));
    assert_eq!(doc.updated_at, utc("2003-12-31T10:14:55Z"));
    let a = &doc.items[0];
    assert_eq!(a.title, "条目");
    assert_eq!(a.published_at, utc("2003-12-31T00:00:00Z"));
    assert_eq!(a.updated_at, utc("2004-01-02T00:00:00Z"));
}

#[test]
fn charset_check_judges_only_what_it_sees() {
    // No titles anywhere is valid RSS 2.0: the item gets a title from its text.
    let doc = parse(
        "<rss><channel><description>只有描述的频道</description>\
         <item><description>只有描述的条目</description></item></channel></rss>",
    );
    assert_eq!(doc.title, None);
    assert_eq!(doc.description.as_deref(), Some("只有描述的频道"));
    assert_eq!(doc.items[0].title, "只有描述的条目");
    // A feed with no text at all is fine too.
    assert!(
        parse("<rss><channel><item><link>http://a.example/</link></item></channel></rss>")
            .items
            .len()
            == 1
    );
    // Text that is mostly U+FFFD, wherever it is, means a wrong charset.
    let garbled = "<rss><channel><item><description>\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}ab</description></item></channel></rss>";
    assert!(matches!(
        parse_at(garbled, None),
        Err(ParseError::Undecodable(_))
    ));
    // A few replacement characters in otherwise good text are not.
    let some = "<rss><channel><title>标题\u{FFFD}</title><item><description>正常的中文正文内容</description></item></channel></rss>";
    assert!(parse_at(some, None).is_ok());
}

#[test]
fn namespaces_are_matched_by_role() {
    // Any default namespace is the feed's own vocabulary; known prefixes
    // bound to other URIs are not.
    let doc = parse(
        r#"<rss xmlns="http://backend.userland.com/rss2.1" xmlns:dc="http://example.com/not-dc"><channel>
        <description>Userland</description><dc:title>not Dublin Core</dc:title></channel></rss>"#,
    );
    assert_eq!(doc.description.as_deref(), Some("Userland"));
    assert_eq!(doc.title, None);
    let doc =
        parse(r#"<feed version="0.3" xmlns="http://purl.org/pie/"><title>Pie</title></feed>"#);
    assert_eq!(doc.title.as_deref(), Some("Pie"));
}
