//! Golden tests: every page in `tests/fixtures/pages/` (UTF-8 and GBK, as
//! decoded by `decode::decode_document`) extracts to its `*.expected.json`:
//! the body text (whitespace folded) and every field, page by page, also
//! with 50 KB of link chrome added; boilerplate never reaches the body.

use std::collections::HashMap;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;
use url::Url;

#[path = "../../../tests/fixtures/pages/chrome.rs"]
mod chrome;

use super::*;
use crate::document::decode::{decode_document, DecidedBy};

/// (file name, page bytes, golden JSON).
const FIXTURES: &[(&str, &[u8], &str)] = &[
    (
        "jiaxing-plenum.html",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/jiaxing-plenum.html"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/jiaxing-plenum.expected.json"
        )),
    ),
    (
        "govcn-policy.html",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/govcn-policy.html"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/govcn-policy.expected.json"
        )),
    ),
    (
        "municipal-gbk.html",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/municipal-gbk.html"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/municipal-gbk.expected.json"
        )),
    ),
    (
        "people-kicker.html",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/people-kicker.html"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/people-kicker.expected.json"
        )),
    ),
    (
        "ministry-notice.html",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/ministry-notice.html"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/ministry-notice.expected.json"
        )),
    ),
    (
        "content_123.htm",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/content_123.htm"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/content_123.expected.json"
        )),
    ),
    (
        "content_123_2.htm",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/content_123_2.htm"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/content_123_2.expected.json"
        )),
    ),
    (
        "mixed-english.html",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/mixed-english.html"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/mixed-english.expected.json"
        )),
    ),
    (
        "county-typhoon.html",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/county-typhoon.html"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/county-typhoon.expected.json"
        )),
    ),
    (
        "wechat-mirror.html",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/wechat-mirror.html"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/wechat-mirror.expected.json"
        )),
    ),
    (
        "table-br.html",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/table-br.html"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/table-br.expected.json"
        )),
    ),
    (
        "press-briefing.html",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/press-briefing.html"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/press-briefing.expected.json"
        )),
    ),
    // Real pages from the development sets (see devset/README.md), one or
    // more per extraction rule they pin.
    (
        "devset/gne-ifeng-1.html",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/devset/gne-ifeng-1.html"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/devset/gne-ifeng-1.expected.json"
        )),
    ),
    (
        "devset/gne-mingridapan-1.html",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/devset/gne-mingridapan-1.html"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/devset/gne-mingridapan-1.expected.json"
        )),
    ),
    (
        "devset/gne-people-1.html",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/devset/gne-people-1.html"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/devset/gne-people-1.expected.json"
        )),
    ),
    (
        "devset/gne-stcn-1.html",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/devset/gne-stcn-1.html"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/devset/gne-stcn-1.expected.json"
        )),
    ),
    (
        "devset/gne-zsnews-1.html",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/devset/gne-zsnews-1.html"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/devset/gne-zsnews-1.expected.json"
        )),
    ),
    (
        "devset/readability-bbc-1.html",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/devset/readability-bbc-1.html"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/devset/readability-bbc-1.expected.json"
        )),
    ),
    (
        "devset/readability-bug-1255978.html",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/devset/readability-bug-1255978.html"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/devset/readability-bug-1255978.expected.json"
        )),
    ),
    (
        "devset/readability-hidden-nodes.html",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/devset/readability-hidden-nodes.html"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/devset/readability-hidden-nodes.expected.json"
        )),
    ),
    (
        "devset/readability-js-link-replacement.html",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/devset/readability-js-link-replacement.html"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/devset/readability-js-link-replacement.expected.json"
        )),
    ),
    (
        "devset/readability-remove-extra-brs.html",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/devset/readability-remove-extra-brs.html"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pages/devset/readability-remove-extra-brs.expected.json"
        )),
    ),
];

/// Lines that must never be body text.
const BOILERPLATE: &[&str] = &[
    "责任编辑",
    "责编",
    "打印本页",
    "关闭窗口",
    "浏览次数",
    "阅读量",
    "阅读：",
    "分享到",
    "相关阅读",
    "相关新闻",
    "上一篇",
    "下一篇",
    "字体：",
    "版权所有",
    "来源：",
    "作者：",
];

fn fetched() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 9, 20, 0, 0, 0)
        .single()
        .expect("date")
}

/// Decodes and extracts one fixture the way the pipeline does.
fn run(
    bytes: &[u8],
    url: &str,
    rules: Option<&ArticleRules>,
) -> Result<ExtractedPage, ExtractError> {
    let decoded = decode_document(bytes, Some("text/html"), None);
    let url = Url::parse(url).expect("fixture url");
    let ctx = PageContext {
        source_id: "fixture",
        url: &url,
        timezone: chrono_tz::Asia::Shanghai,
        fetched_at: fetched(),
    };
    extract_article(&decoded.text, &ctx, rules)
}

fn golden(json: &str) -> Value {
    serde_json::from_str(json).expect("golden JSON")
}

fn opt(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// Body text for comparison: each paragraph's blanks folded, paragraphs
/// separated by one blank line.
fn normalized(text: &str) -> String {
    text.split("\n\n")
        .map(dom::fold_blanks)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Character-level F1 over multisets of non-blank characters: precision =
/// shared / extracted, recall = shared / golden. Order-insensitive, so a
/// misplaced paragraph is not punished, a missing or extra one is.
fn char_f1(got: &str, want: &str) -> f64 {
    let count = |s: &str| {
        let mut m: HashMap<char, usize> = HashMap::new();
        for c in s.chars().filter(|c| !c.is_whitespace()) {
            *m.entry(c).or_default() += 1;
        }
        m
    };
    let (g, w) = (count(got), count(want));
    let shared: usize = g
        .iter()
        .map(|(c, n)| (*n).min(*w.get(c).unwrap_or(&0)))
        .sum();
    let (gn, wn): (usize, usize) = (g.values().sum(), w.values().sum());
    if shared == 0 || gn == 0 || wn == 0 {
        return 0.0;
    }
    let p = shared as f64 / gn as f64;
    let r = shared as f64 / wn as f64;
    2.0 * p * r / (p + r)
}

/// Every field the golden file pins, compared; all differences listed.
fn differences(name: &str, got: &ExtractedPage, want: &Value) -> Vec<String> {
    let a = &got.article;
    let mut diffs = Vec::new();
    let mut check = |field: &str, got: String, want: String| {
        if got != want {
            diffs.push(format!("{name}: {field}: got {got}, want {want}"));
        }
    };
    check(
        "title",
        a.title.clone(),
        want["title"].as_str().unwrap_or("").into(),
    );
    check(
        "kicker",
        format!("{:?}", a.kicker),
        format!("{:?}", opt(&want["kicker"])),
    );
    check(
        "subtitle",
        format!("{:?}", a.subtitle),
        format!("{:?}", opt(&want["subtitle"])),
    );
    check(
        "outlet",
        format!("{:?}", a.outlet),
        format!("{:?}", opt(&want["outlet"])),
    );
    check(
        "byline",
        format!("{:?}", a.byline),
        format!("{:?}", opt(&want["byline"])),
    );
    let published = a
        .published_at
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    check(
        "published_at",
        format!("{published:?}"),
        format!("{:?}", opt(&want["published_at"])),
    );
    let headings: Vec<String> = a
        .sections
        .iter()
        .filter_map(|s| s.heading.clone())
        .collect();
    let want_headings: Vec<String> = want["section_headings"]
        .as_array()
        .map(|v| v.iter().filter_map(opt).collect())
        .unwrap_or_default();
    check(
        "section headings",
        format!("{headings:?}"),
        format!("{want_headings:?}"),
    );
    check(
        "body text",
        normalized(&a.text()),
        normalized(want["text"].as_str().unwrap_or("")),
    );
    // Where the fields came from, where the golden file says (dev-set pages).
    for (field, got) in [
        ("title_from", Some(got.provenance.title_from.clone())),
        ("published_from", got.provenance.published_from.clone()),
        ("outlet_from", got.provenance.outlet_from.clone()),
        ("byline_from", got.provenance.byline_from.clone()),
        ("body_from", Some(got.provenance.body_from.clone())),
    ] {
        if want.get(field).is_some() {
            check(
                field,
                format!("{got:?}"),
                format!("{:?}", opt(&want[field])),
            );
        }
    }
    check(
        "next_page",
        format!("{:?}", got.next_page.as_ref().map(Url::to_string)),
        format!("{:?}", opt(&want["next_page"])),
    );
    // Every golden speaker is found with the golden role; nobody else is.
    let want_quotes: Vec<(String, Option<String>)> = want["quotes"]
        .as_array()
        .map(|v| {
            v.iter()
                .map(|q| (opt(&q["speaker"]).unwrap_or_default(), opt(&q["role"])))
                .collect()
        })
        .unwrap_or_default();
    for (speaker, role) in &want_quotes {
        let found = a
            .quotes
            .iter()
            .any(|q| q.speaker.as_deref() == Some(speaker.as_str()) && &q.role == role);
        if !found {
            diffs.push(format!("{name}: quote by {speaker} ({role:?}) not found"));
        }
    }
    for q in &a.quotes {
        if !want_quotes
            .iter()
            .any(|(s, _)| q.speaker.as_deref() == Some(s.as_str()))
        {
            diffs.push(format!(
                "{name}: unexpected quote by {:?}: {}",
                q.speaker, q.text
            ));
        }
    }
    diffs
}

#[test]
fn every_fixture_extracts_to_its_golden_article() {
    let mut diffs = Vec::new();
    for (name, bytes, json) in FIXTURES {
        let want = golden(json);
        match run(bytes, want["url"].as_str().expect("url"), None) {
            Ok(page) => diffs.extend(differences(name, &page, &want)),
            Err(e) => diffs.push(format!("{name}: {e}")),
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn the_lean_parse_changes_nothing_extraction_reads() {
    // Without source rules the page is parsed lean (attributes the
    // extractor never reads and indentation dropped first); with rules
    // that set nothing it is parsed whole. Both must give the same page.
    let whole = ArticleRules::default();
    for (name, bytes, json) in FIXTURES {
        let url = golden(json)["url"].as_str().expect("url").to_string();
        let lean = run(bytes, &url, None);
        let full = run(bytes, &url, Some(&whole));
        assert_eq!(lean, full, "{name}");
    }
}

#[test]
fn no_fixture_body_carries_boilerplate() {
    for (name, bytes, json) in FIXTURES {
        let want = golden(json);
        let page = run(bytes, want["url"].as_str().expect("url"), None).expect(name);
        for line in page.article.text().split("\n\n") {
            for bad in BOILERPLATE {
                assert!(
                    !(line.starts_with(bad) || (line.chars().count() < 60 && line.contains(bad))),
                    "{name}: boilerplate {bad:?} in body line {line:?}"
                );
            }
        }
    }
}

#[test]
fn gbk_page_with_meta_charset_after_byte_1024_decodes() {
    let (_, bytes, _) = FIXTURES[2];
    let at = bytes
        .windows(b"charset=gbk".len())
        .position(|w| w == b"charset=gbk")
        .expect("meta charset");
    assert!(at > 1024, "fixture must declare its charset late, at {at}");
    let d = decode_document(bytes, Some("text/html"), None);
    assert_eq!(d.decided_by, DecidedBy::HtmlMeta);
    assert_eq!(d.encoding, encoding_rs::GB18030);
    assert_eq!(d.replacements, 0);
    assert!(d.text.contains("关于调整部分公交线路的公告"));
}

#[test]
fn seed_article_has_its_headline_sections_and_ten_speakers() {
    let (_, bytes, json) = FIXTURES[0];
    let want = golden(json);
    let page = run(bytes, want["url"].as_str().expect("url"), None).expect("seed page");
    let a = &page.article;
    assert_eq!(a.title, "嘉兴各界认真学习贯彻市委九届五次全会精神");
    assert_eq!(
        a.subtitle.as_deref(),
        Some("迅速掀起“争当排头兵、谱写新篇章”热潮")
    );
    let headings: Vec<&str> = a
        .sections
        .iter()
        .filter_map(|s| s.heading.as_deref())
        .collect();
    assert_eq!(
        headings,
        [
            "扛牢政治责任、使命担当",
            "找准根本出路、关键一招",
            "把握大势所趋、战略所向"
        ]
    );
    assert_eq!(
        a.lead.as_deref(),
        Some("南湖畔、红船旁,改革劲风激荡起高质量发展的澎湃动能。")
    );
    let role = |name: &str| {
        a.quotes
            .iter()
            .find(|q| q.speaker.as_deref() == Some(name))
            .and_then(|q| q.role.clone())
    };
    assert_eq!(role("王亮").as_deref(), Some("市委改革办常务副主任"));
    assert_eq!(role("吴根军").as_deref(), Some("市科技局党组书记、局长"));
    for name in [
        "张茂华",
        "龚跃明",
        "王国芬",
        "金美凤",
        "陆丽燕",
        "陈学栋",
        "金梓伟",
        "邓剑强",
    ] {
        assert!(role(name).is_some(), "{name} not found with a role");
    }
}

#[test]
fn two_pages_join_into_one_article() {
    let load = |i: usize| {
        let (_, bytes, json) = FIXTURES[i];
        let want = golden(json);
        (
            run(bytes, want["url"].as_str().expect("url"), None).expect("page"),
            want,
        )
    };
    let (first, w1) = load(5);
    let (second, w2) = load(6);
    assert_eq!(
        first.next_page.as_ref().map(Url::as_str),
        Some("http://127.0.0.1/local/2024-09/03/content_123_2.htm")
    );
    assert_eq!(second.next_page, None);
    let joined = join_pages(first.article, vec![second.article]);
    assert_eq!(joined.paragraphs().count(), 5);
    let want = format!(
        "{}\n\n{}",
        w1["text"].as_str().unwrap_or(""),
        w2["text"].as_str().unwrap_or("")
    );
    assert_eq!(joined.text(), want);
    assert_eq!(joined.sections.len(), 1);
}

#[test]
fn source_selectors_win_field_by_field_after_remove() {
    let sel = |s: &str| Some(Selector::parse(s).expect("selector"));
    let rules = ArticleRules {
        title: sel("h2.subtitle"),
        body: sel(".con-text"),
        outlet: sel(".topbar span"),
        remove: vec![Selector::parse(".con-text p:first-child").expect("selector")],
        ..ArticleRules::default()
    };
    let (_, bytes, json) = FIXTURES[0];
    let want = golden(json);
    let page = run(bytes, want["url"].as_str().expect("url"), Some(&rules)).expect("page");
    let a = &page.article;
    assert_eq!(a.title, "迅速掀起“争当排头兵、谱写新篇章”热潮");
    assert_eq!(
        a.outlet.as_deref(),
        Some("嘉兴在线 | 嘉兴日报报业传媒集团主办")
    );
    // Fields without a rule still come from automatic extraction.
    assert_eq!(a.byline.as_deref(), Some("记者 朱丽叶 通讯员 王洁"));
    assert_eq!(
        a.published_at.map(|d| d.to_rfc3339()),
        Some("2024-09-02T00:15:32+00:00".into())
    );
    // The removed first paragraph is gone.
    assert!(a.lead.as_deref().is_some_and(|l| l.starts_with("8月30日")));

    let missing = ArticleRules {
        body: sel("#no-such-body"),
        ..ArticleRules::default()
    };
    assert_eq!(
        run(bytes, want["url"].as_str().expect("url"), Some(&missing)),
        Err(ExtractError::BodySelectorMissed)
    );
}

#[test]
fn hostile_pages_give_errors_not_panics() {
    let url = "http://127.0.0.1/x.html";
    assert_eq!(run(b"", url, None), Err(ExtractError::NoTitle));
    assert_eq!(
        run(
            b"<html><head><title>Only a title</title></head><body></body></html>",
            url,
            None
        ),
        Err(ExtractError::NoBody)
    );
    let deep = format!(
        "<title>Deep</title>{}text{}",
        "<div>".repeat(5000),
        "</div>".repeat(5000)
    );
    let _ = run(deep.as_bytes(), url, None);
    let junk: Vec<u8> = (0..20_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let _ = run(&junk, url, None);
}

#[test]
fn fifty_kilobytes_of_link_chrome_do_not_move_the_body() {
    let padding = chrome::chrome();
    let mut moved = Vec::new();
    for (name, bytes, json) in FIXTURES {
        let want = golden(json);
        let html = decode_document(bytes, Some("text/html"), None).text;
        let padded = html.replacen("</body>", &format!("{padding}</body>"), 1);
        let page = run(padded.as_bytes(), want["url"].as_str().expect("url"), None).expect(name);
        let got = normalized(&page.article.text());
        let golden_text = normalized(want["text"].as_str().expect("text"));
        if got != golden_text {
            let f1 = char_f1(&got, &golden_text);
            moved.push(format!(
                "{name}: padded body differs from its golden text (F1 {f1:.3})"
            ));
        }
    }
    assert!(moved.is_empty(), "{}", moved.join("\n"));
}
