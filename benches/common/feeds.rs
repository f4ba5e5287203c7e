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
#[allow(dead_code)] // parse.rs uses only this one, poll.rs only `generate_with`.
pub fn generate(i: usize) -> Feed {
    generate_with(i, false)
}

/// Stock sentences the long bodies are made of: distinct stories share
/// them, as government reports share their formulas.
const PHRASES: [&str; 16] = [
    "会议强调，要坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神。",
    "各地各部门要压实属地责任，全面排查风险隐患，加强重点时段巡查值守。",
    "要完善应急预案，加强物资储备和队伍建设，做好随时应对极端天气的准备。",
    "推动省属企业聚焦主责主业，完成企业的战略性重组和专业化整合。",
    "健全以管资本为主的国有资产监管体制，建立覆盖全部企业的数字化监管平台。",
    "全面落实董事会职权，外部董事占多数的董事会实现应建尽建。",
    "深入实施创新驱动发展战略，加快建设现代化产业体系，培育新质生产力。",
    "着力扩大有效投资，推动消费持续恢复，稳住外贸外资基本盘。",
    "持续优化营商环境，依法保护民营企业产权和企业家权益。",
    "扎实推进乡村全面振兴，守牢粮食安全底线，促进农民持续增收。",
    "加强生态环境保护，深入打好蓝天、碧水、净土保卫战。",
    "统筹发展和安全，防范化解重点领域风险，守住不发生系统性风险的底线。",
    "聚焦群众急难愁盼问题，办好教育、医疗、养老、托育等民生实事。",
    "深化放管服改革，推进政务服务一网通办，提升行政效能。",
    "加强基层治理体系和治理能力建设，推进平安建设和法治建设。",
    "压实全面从严治党主体责任，持之以恒正风肃纪反腐。",
];

/// Six sentences after the summary, so bodies are long enough to cluster
/// (`--long`): every fourth item of every feed is one of five wire stories
/// (the same text across feeds), the others a mix of stock sentences
/// unique to the item by its numbers.
fn long_body(i: usize, j: usize) -> String {
    let mut out = String::new();
    if j.is_multiple_of(4) {
        let story = j / 4;
        for k in 0..6 {
            let _ = write!(
                out,
                "第{story}号通稿第{k}段：{}",
                PHRASES[(story * 3 + k) % 16]
            );
        }
    } else {
        for k in 0..6 {
            let pick = (i * 7 + j * 13 + k * 5) % 16;
            let _ = write!(
                out,
                "{}第{i}号来源第{j}条第{k}项安排涉及{}个项目。",
                PHRASES[pick],
                i * 31 + j * 7 + k
            );
        }
    }
    out
}

/// The `i`th feed; with `long`, each item's summary carries a body long
/// enough for story clustering (see [`long_body`]).
pub fn generate_with(i: usize, long: bool) -> Feed {
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
             内容包括产业、交通、教育和医疗等方面。Summary text for item {j}.{}",
            if long { long_body(i, j) } else { String::new() }
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
