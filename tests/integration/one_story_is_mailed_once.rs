//! Issue 14, story clusters in the digest, over real HTTP and SMTP: five
//! sources carry one wire story in one poll (one copy cuts a paragraph and
//! changes a number). The digest shows the story once, under the agency's
//! copy, with "Also in: … (+2)", and flags the changed copy with its diff
//! against the original. A sixth copy arriving in the next poll is not
//! mailed as new, and every copy counts as delivered.

use crate::support::http::{Content, HttpServer, Route};
use crate::support::mail::{squash, ParsedMail};
use crate::support::pages::append_config;
use crate::support::smtp::SmtpServer;
use crate::support::{exit, toml_str, Workspace};

const TITLE: &str = "浙江深化省属国企改革 三年完成28户企业重组";

/// The wire story's paragraphs.
const WIRE: [&str; 5] = [
    "新华社杭州9月2日电 浙江省近日印发《关于深化省属国有企业改革的实施意见》，提出到2027年省属企业资产证券化率达到75%以上。",
    "意见明确，将推动省属企业聚焦主责主业，三年内完成28户企业的战略性重组和专业化整合，压减管理层级至三级以内。",
    "在完善公司治理方面，意见要求省属企业全面落实董事会职权，外部董事占多数的董事会实现应建尽建，经理层任期制和契约化管理全覆盖。",
    "意见还提出，健全以管资本为主的国有资产监管体制，建立覆盖全部省属企业的数字化监管平台，实现对投资、债务、担保的实时监测。",
    "据了解，浙江省属企业去年实现营业收入1.2万亿元，利润总额超过900亿元，改革将进一步激发企业活力和创新动力。",
];

/// (id, name, original?, published hour): the agency first.
const SOURCES: [(&str, &str, bool, u32); 6] = [
    ("xinhua", "新华网", true, 8),
    ("zjrb", "浙江日报", false, 9),
    ("jxrb", "嘉兴日报", false, 9),
    ("hzrb", "杭州日报", false, 10),
    ("nbrb", "宁波日报", false, 10),
    ("wzrb", "温州日报", false, 11),
];

/// The paragraphs `source` publishes: 嘉兴日报 cuts the governance
/// paragraph and changes 28 to 30; the others copy the story as it is.
fn paragraphs(source: &str) -> Vec<String> {
    let mut p: Vec<String> = WIRE.iter().map(|s| (*s).to_owned()).collect();
    if source == "jxrb" {
        p.remove(2);
        p[1] = p[1].replace("28户", "30户");
    }
    p
}

/// An RSS feed of `items` (guid, title, paragraphs, hour).
fn feed(items: &[(String, &str, Vec<String>, u32)]) -> Content {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>t</title>\
         <link>http://example.org/</link><description>d</description>\n",
    );
    for (guid, title, paras, hour) in items {
        let body: String = paras.iter().map(|p| format!("<p>{p}</p>")).collect();
        x.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{guid}</guid><title>{title}</title>\
             <link>http://example.org/{guid}</link><description><![CDATA[{body}]]></description>\
             <pubDate>Mon, 02 Sep 2024 {hour:02}:00:00 +0800</pubDate></item>\n"
        ));
    }
    x.push_str("</channel></rss>\n");
    Content::new(x, "application/rss+xml").etag_from_body()
}

/// Serves `source`'s feed: the story, or (温州日报 before it copies it)
/// an unrelated local item.
fn serve(http: &HttpServer, source: usize, with_story: bool) {
    let (id, _, _, hour) = SOURCES[source];
    let item = if with_story {
        (format!("{id}-story"), TITLE, paragraphs(id), hour)
    } else {
        let p = vec![
            "温州市气象台发布天气预报，明天多云转晴，气温二十到二十八摄氏度，东南风三到四级。"
                .to_owned(),
        ];
        (format!("{id}-weather"), "明日天气", p, hour)
    };
    http.route(&format!("/{id}.xml"), Route::content(feed(&[item])));
}

/// Article ids recorded as delivered, by source.
fn delivered(ws: &Workspace) -> Vec<String> {
    let db = ws.db();
    let mut stmt = db
        .prepare(
            "SELECT a.source_id FROM digest_items di JOIN articles a ON a.id = di.article_id
             ORDER BY a.source_id",
        )
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn five_copies_make_one_entry_and_a_late_copy_is_not_mailed() {
    let http = HttpServer::start();
    let smtp = SmtpServer::start();
    let ws = Workspace::new(smtp.port(), &[]);
    for (i, (id, name, original, _)) in SOURCES.iter().enumerate() {
        serve(&http, i, *id != "wzrb");
        append_config(
            &ws,
            &format!(
                "[[sources]]\nid = {}\nname = {}\nurl = {}\noriginal = {original}\n",
                toml_str(id),
                toml_str(name),
                toml_str(&http.url(&format!("/{id}.xml"))),
            ),
        );
    }

    ws.run(&["poll", "--once"]).expect_code(exit::OK);
    ws.run(&["digest", "--send-now"]).expect_code(exit::OK);
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 1);
    let mail = ParsedMail::parse(&msgs[0].data);
    let raw = &mail.text_parts[0];
    let text = squash(raw);
    let html = squash(&crate::support::mail::decode_entities(&mail.html_parts[0]));

    // The story once, under the agency's copy.
    let title = squash(TITLE);
    assert_eq!(text.matches(&title).count(), 1, "{raw}");
    assert_eq!(html.matches(&title).count(), 1, "{html}");
    assert!(text.contains("新华网"), "{raw}");
    // Two of the other four outlets named, and how many more.
    let also = text.split("Alsoin:").nth(1).expect("an also-in line");
    let named = ["浙江日报", "嘉兴日报", "杭州日报", "宁波日报"]
        .iter()
        .filter(|n| also.split("(+2)").next().unwrap().contains(*n))
        .count();
    assert_eq!(named, 2, "{raw}");
    assert!(html.contains("(+2)"), "{html}");
    // The changed copy, with what it changed against the original.
    let flag = squash("Changed copy: 嘉兴日报, against the original in 新华网");
    assert!(text.contains(&flag) && html.contains(&flag), "{raw}");
    assert_eq!(text.matches("Changedcopy").count(), 1, "{raw}");
    let diff = &text[text.find(&flag).unwrap()..];
    assert!(diff.contains("28") && diff.contains("30"), "{raw}");
    assert!(
        diff.contains(&squash(&WIRE[2][..30])),
        "the cut paragraph: {raw}"
    );
    // Every copy counts as delivered with the entry.
    assert_eq!(delivered(&ws), ["hzrb", "jxrb", "nbrb", "xinhua", "zjrb"]);

    // 温州日报 copies the story a poll later: it joins the story silently.
    serve(&http, 5, true);
    ws.run(&["poll", "--once"]).expect_code(exit::OK);
    // `articles --json` and `show` tell which story each article belongs to.
    let listed: Vec<serde_json::Value> = ws
        .run(&["articles", "--json"])
        .expect_code(exit::OK)
        .stdout()
        .lines()
        .map(|l| serde_json::from_str(l).expect("articles --json"))
        .collect();
    let story: Vec<&serde_json::Value> = listed.iter().filter(|v| v["title"] == TITLE).collect();
    assert_eq!(story.len(), 6, "{listed:#?}");
    let cluster = &story[0]["cluster"];
    assert!(cluster.is_i64(), "{listed:#?}");
    assert!(
        story.iter().all(|v| v["cluster"] == *cluster),
        "the sixth copy joins the story: {listed:#?}"
    );
    let originals: Vec<&serde_json::Value> = story
        .iter()
        .filter(|v| v["original"] == true)
        .map(|v| &v["source_id"])
        .collect();
    assert_eq!(originals, ["xinhua"], "{listed:#?}");
    let jx = story.iter().find(|v| v["source_id"] == "jxrb").unwrap();
    let shown = ws
        .run(&["show", &jx["id"].to_string()])
        .expect_code(exit::OK)
        .stdout();
    assert!(
        shown.contains(&format!("cluster:   {cluster} (copy; also from")),
        "{shown}"
    );
    assert!(shown.contains("xinhua (original)"), "{shown}");
    ws.run(&["digest", "--send-now"]).expect_code(exit::OK);
    let later = smtp.messages();
    assert_eq!(
        later.len(),
        1,
        "the late copy was mailed as new:\n{}",
        later
            .get(1)
            .map(|m| String::from_utf8_lossy(&m.data).into_owned())
            .unwrap_or_default()
    );
}
