//! The feeds the poll and parse benchmarks read: feed `i` of a generated
//! set of sources, each with [`ITEMS`] items. Kinds cycle by `i % 10`: RSS
//! 2.0 (every tenth feed GBK with a gb2312 prolog), Atom, RSS 1.0 and JSON
//! Feed; every fifth feed has a reform item. Bench binaries only.

use std::fmt::Write as _;

/// Items per feed.
pub const ITEMS: usize = 20;

/// One generated feed as served.
pub struct Feed {
    /// The body, already in its charset.
    pub body: Vec<u8>,
    /// Its `Content-Type`.
    pub content_type: &'static str,
}

/// The `i`th feed.
pub fn generate(i: usize) -> Feed {
    let reform = i.is_multiple_of(5);
    let kind = i % 10;
    let title = |j: usize| {
        if reform && j == 0 {
            format!("第{i}号：全面深化改革推进会召开 ({j})")
        } else {
            format!("第{i}号来源新闻 {j}：城市建设与民生服务 update")
        }
    };
    let desc = |j: usize| {
        format!(
            "这是第{i}个来源的第{j}条新闻摘要，报道地方经济社会发展情况，\
             内容包括产业、交通、教育和医疗等方面。Summary text for item {j}."
        )
    };
    let date = |j: usize| format!("2026-11-{:02} 08:{:02}:00", 1 + (j % 25), j % 60);
    let mut s = String::new();
    let (content_type, gbk) = match kind {
        0..=4 => {
            // RSS 2.0; every tenth feed (kind 4) is GBK with a gb2312 prolog.
            let gbk = kind == 4;
            let _ = write!(
                s,
                "<?xml version=\"1.0\" encoding=\"{}\"?><rss version=\"2.0\"><channel><title>来源 {i}</title><link>http://example.org/{i}/</link><description>d</description>",
                if gbk { "gb2312" } else { "utf-8" }
            );
            for j in 0..ITEMS {
                let _ = write!(
                    s,
                    "<item><title>{}</title><link>http://example.org/{i}/{j}.htm</link><guid>src{i}-item{j}</guid><pubDate>{}</pubDate><description><![CDATA[<p>{}</p>]]></description></item>",
                    title(j), date(j), desc(j)
                );
            }
            s.push_str("</channel></rss>");
            ("application/rss+xml", gbk)
        }
        5 | 6 => {
            s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">");
            let _ = write!(s, "<title>来源 {i}</title><id>urn:src:{i}</id><updated>2026-11-20T08:00:00+08:00</updated>");
            for j in 0..ITEMS {
                let _ = write!(
                    s,
                    "<entry><title>{}</title><id>urn:src:{i}:{j}</id><link href=\"http://example.org/{i}/{j}.htm\"/><updated>2026-11-{:02}T08:00:00+08:00</updated><summary>{}</summary></entry>",
                    title(j), 1 + (j % 25), desc(j)
                );
            }
            s.push_str("</feed>");
            ("application/atom+xml", false)
        }
        7 | 8 => {
            s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">");
            let _ = write!(s, "<channel rdf:about=\"http://example.org/{i}/\"><title>来源 {i}</title><link>http://example.org/{i}/</link><description>d</description></channel>");
            for j in 0..ITEMS {
                let _ = write!(
                    s,
                    "<item rdf:about=\"http://example.org/{i}/{j}.htm\"><title>{}</title><link>http://example.org/{i}/{j}.htm</link><dc:date>2026-11-{:02}T08:00:00+08:00</dc:date><description>{}</description></item>",
                    title(j), 1 + (j % 25), desc(j)
                );
            }
            s.push_str("</rdf:RDF>");
            ("application/rdf+xml", false)
        }
        _ => {
            let items: Vec<serde_json::Value> = (0..ITEMS)
                .map(|j| {
                    serde_json::json!({
                        "id": format!("src{i}-{j}"),
                        "url": format!("http://example.org/{i}/{j}.htm"),
                        "title": title(j),
                        "content_text": desc(j),
                        "date_published": format!("2026-11-{:02}T08:00:00+08:00", 1 + (j % 25)),
                    })
                })
                .collect();
            s = serde_json::json!({
                "version": "https://jsonfeed.org/version/1.1",
                "title": format!("来源 {i}"),
                "items": items,
            })
            .to_string();
            ("application/feed+json", false)
        }
    };
    let body = if gbk {
        encoding_rs::GBK.encode(&s).0.into_owned()
    } else {
        s.into_bytes()
    };
    Feed { body, content_type }
}
