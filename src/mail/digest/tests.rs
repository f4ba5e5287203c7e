//! Unit tests of digest rendering: grouping, caps, hostile text, the
//! text and HTML parts and the RFC 5322 message.

use std::path::PathBuf;

use chrono::TimeZone;

use super::render_text::{width, wrap_into, WIDTH};
use super::*;
use crate::config::{MailFormat, MailSettings, Schedule, Subscriber, Topic, Transport};
use crate::model::DigestItem;
use crate::model::{TermHit, TopicMatch};

/// The RFC 5322 message of `d` as text, with a fixed Message-ID and `now()`.
fn message_text(mail: &MailSettings, sub: &Subscriber, d: &RenderedDigest) -> String {
    let raw = build_message(mail, sub, d, &message_id("s", "p", "example.org"), now()).unwrap();
    String::from_utf8(raw).unwrap()
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn subscriber(format: MailFormat) -> Subscriber {
    Subscriber {
        id: "analyst@example.org".into(),
        email: "analyst@example.org".into(),
        name: Some("王 分析师".into()),
        topics: vec!["reform".into(), "soe".into()],
        schedule: Schedule::Daily { hour: 8, minute: 0 },
        timezone: chrono_tz::Asia::Shanghai,
        format,
        revisions: Some(crate::model::ChangeClass::Substantive),
    }
}

fn topics() -> Vec<Topic> {
    vec![
        Topic {
            id: "reform".into(),
            name: "改革".into(),
            keywords: vec![],
            exclude: vec![],
            min_score: 1.0,
        },
        Topic {
            id: "soe".into(),
            name: "国企".into(),
            keywords: vec![],
            exclude: vec![],
            min_score: 1.0,
        },
        Topic {
            id: "other".into(),
            name: "Other topic".into(),
            keywords: vec![],
            exclude: vec![],
            min_score: 1.0,
        },
    ]
}

fn mail() -> MailSettings {
    MailSettings {
        from: "Reform Watch <watch@example.org>".into(),
        reply_to: None,
        transport: Transport::File {
            dir: PathBuf::from("/nonexistent"),
        },
        queue_lifetime: std::time::Duration::from_secs(5 * 86_400),
        max_items: MAX_ITEMS,
        coalesce: std::time::Duration::from_secs(300),
    }
}

fn hit(term: &str, title: u32, body: u32) -> TermHit {
    TermHit {
        term: term.into(),
        title,
        body,
    }
}

fn m(topic: &str, score: f64, hits: Vec<TermHit>) -> TopicMatch {
    TopicMatch {
        topic_id: topic.into(),
        score,
        hits,
    }
}

fn item(
    id: i64,
    title: &str,
    published: Option<DateTime<Utc>>,
    matches: Vec<TopicMatch>,
) -> DigestItem {
    DigestItem {
        article_id: id,
        revision: 1,
        title: title.into(),
        url: Some(format!("https://news.example.cn/a/{id}.html")),
        source_name: "人民网 时政".into(),
        published_at: published,
        first_seen_at: utc(2024, 9, 2, 1, 0),
        lead: Some("嘉兴市委十届七次全会召开，审议通过关于进一步全面深化改革、在推进中国式现代化中勇当先行者的实施意见。".into()),
        matches,
    }
}

fn now() -> DateTime<Utc> {
    utc(2024, 9, 2, 0, 0)
}

fn sample_items() -> Vec<DigestItem> {
    vec![
        item(
            1,
            "嘉兴市委全会：进一步全面深化改革",
            Some(utc(2024, 9, 1, 0, 15)),
            vec![m(
                "reform",
                5.0,
                vec![hit("改革", 1, 2), hit("深化改革", 1, 0)],
            )],
        ),
        item(
            2,
            "国企改革深化提升行动 progress report",
            Some(utc(2024, 9, 1, 3, 0)),
            // Best under 国企 even though it also matches 改革.
            vec![
                m("soe", 4.0, vec![hit("国企", 1, 3)]),
                m("reform", 2.0, vec![hit("改革", 1, 0)]),
            ],
        ),
        item(
            3,
            "Shanghai unveils reform plan for free trade zone",
            Some(utc(2024, 9, 1, 6, 0)),
            vec![m("reform", 3.0, vec![hit("reform", 1, 4)])],
        ),
    ]
}

/// Every tag in the HTML is one the renderer writes, with only harmless
/// attributes, and every link is http(s). Escaped article text cannot
/// contain a raw `<`, so scanning raw tags covers all markup.
fn assert_no_active_html(html: &str) {
    const TAGS: &[&str] = &[
        "!doctype", "html", "head", "meta", "title", "body", "div", "h1", "h2", "p", "ol", "li",
        "a", "span", "bdi", "code",
    ];
    const ATTRS: &[&str] = &["style", "href", "start", "charset", "name", "content"];
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("unclosed tag") + start;
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        let tag = tag.strip_prefix('/').unwrap_or(tag);
        let name = tag
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        assert!(TAGS.contains(&name.as_str()), "unexpected tag <{tag}>");
        // Attributes: drop quoted values, then every `x=` must be allowed.
        let mut unquoted = String::new();
        let mut in_quote = false;
        for c in tag.chars() {
            if c == '"' {
                in_quote = !in_quote;
            } else if !in_quote {
                unquoted.push(c);
            }
        }
        assert!(!in_quote, "unbalanced quote in <{tag}>");
        if name == "!doctype" {
            continue;
        }
        for attr in unquoted.split_whitespace().skip(1) {
            let attr_name = attr.split('=').next().unwrap().to_ascii_lowercase();
            assert!(
                ATTRS.contains(&attr_name.as_str()),
                "attribute {attr_name} in <{tag}>"
            );
        }
        if let Some(h) = tag.find("href=\"") {
            let v = &tag[h + 6..];
            assert!(
                v.starts_with("https://") || v.starts_with("http://"),
                "link {v}"
            );
        }
    }
}

// ---------------------------------------------------------------- render

#[test]
fn groups_by_best_topic_in_subscriber_order_newest_first() {
    let d = render(
        &subscriber(MailFormat::Html),
        &topics(),
        &sample_items(),
        now(),
    );
    assert_eq!(d.item_count, 3);
    assert_eq!(d.subject, "reformwatch: 3 new articles · 改革 2, 国企 1");

    let text = &d.text;
    let reform = text.find("改革 (2)").expect("改革 heading");
    let soe = text.find("国企 (1)").expect("国企 heading");
    assert!(reform < soe, "topics in subscriber order:\n{text}");
    // Within 改革: item 3 (06:00Z) before item 1 (00:15Z).
    let a3 = text.find("Shanghai unveils").unwrap();
    let a1 = text.find("嘉兴市委全会").unwrap();
    assert!(reform < a3 && a3 < a1 && a1 < soe, "{text}");
    // Item 2 only once, under 国企, mentioning its other topic.
    assert_eq!(text.matches("国企改革深化提升行动").count(), 1);
    assert!(text[soe..].contains("国企改革深化提升行动"));
    assert!(text[soe..].contains("Also in: 改革"));
    // Time in Asia/Shanghai.
    assert!(text.contains("人民网 时政 · 2024-09-01 08:15"), "{text}");
    // Terms: count and title occurrences.
    assert!(text.contains("改革 ×3 (标题 1)"), "{text}");
    assert!(text.contains("https://news.example.cn/a/1.html\n"));

    let html = d.html.as_deref().unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<bdi>嘉兴市委全会：进一步全面深化改革</bdi>"));
    assert!(html.contains("href=\"https://news.example.cn/a/1.html\""));
    assert_eq!(html.matches("国企改革深化提升行动").count(), 1);
    assert_no_active_html(html);
}

#[test]
fn tie_goes_to_first_configured_topic_and_duplicates_collapse() {
    let mut items = vec![
        item(
            7,
            "same score",
            Some(utc(2024, 9, 1, 0, 0)),
            vec![m("soe", 2.0, vec![]), m("reform", 2.0, vec![])],
        ),
        item(
            8,
            "old revision",
            Some(utc(2024, 9, 1, 0, 0)),
            vec![m("soe", 2.0, vec![])],
        ),
    ];
    let mut newer = items[1].clone();
    newer.revision = 2;
    newer.title = "new revision".into();
    items.push(newer);
    let d = render(&subscriber(MailFormat::Text), &topics(), &items, now());
    assert_eq!(d.item_count, 2);
    assert_eq!(d.subject, "reformwatch: 1 new, 1 revised · 改革 1, 国企 1");
    assert!(!d.text.contains("old revision"));
    assert!(d.text.contains("new revision"));
    assert!(d.text.contains("revised (r2)"));
    let reform = d.text.find("改革 (1)").unwrap();
    let soe = d.text.find("国企 (1)").unwrap();
    let same = d.text.find("same score").unwrap();
    assert!(reform < same && same < soe);
}

#[test]
fn text_format_has_no_html() {
    let d = render(
        &subscriber(MailFormat::Text),
        &topics(),
        &sample_items(),
        now(),
    );
    assert!(d.html.is_none());
    assert!(!d.text.contains('<'));
}

#[test]
fn missing_or_future_publication_time_falls_back_to_first_seen() {
    let mut a = item(1, "no date", None, vec![m("reform", 1.0, vec![])]);
    a.first_seen_at = utc(2024, 9, 1, 12, 0);
    let mut b = item(
        2,
        "from 2099",
        Some(utc(2099, 1, 1, 0, 0)),
        vec![m("reform", 1.0, vec![])],
    );
    b.first_seen_at = utc(2024, 9, 1, 5, 0);
    let c = item(
        3,
        "yesterday",
        Some(utc(2024, 9, 1, 10, 0)),
        vec![m("reform", 1.0, vec![])],
    );
    let d = render(&subscriber(MailFormat::Text), &topics(), &[a, b, c], now());
    assert!(d.text.contains("seen 2024-09-01 20:00"), "{}", d.text);
    // 2099 is ordered by first_seen (05:00Z), so it comes last.
    let pa = d.text.find("no date").unwrap();
    let pc = d.text.find("yesterday").unwrap();
    let pb = d.text.find("from 2099").unwrap();
    assert!(pa < pc && pc < pb, "{}", d.text);
}

#[test]
fn empty_digest_renders() {
    let d = render(&subscriber(MailFormat::Html), &topics(), &[], now());
    assert_eq!(d.item_count, 0);
    assert_eq!(d.subject, "reformwatch: no new articles");
    assert!(d.text.contains("no new articles"));
}

#[test]
fn unmatched_topic_goes_to_other_group_last() {
    let items = vec![
        item(1, "stray", None, vec![m("other", 9.0, vec![])]),
        item(2, "normal", None, vec![m("soe", 1.0, vec![])]),
        item(3, "no matches at all", None, vec![]),
    ];
    let d = render(&subscriber(MailFormat::Text), &topics(), &items, now());
    assert_eq!(d.item_count, 3);
    let soe = d.text.find("国企 (1)").unwrap();
    let other = d.text.find("Other (2)").unwrap();
    assert!(soe < other);
}

#[test]
fn caps_at_max_items_with_more_note() {
    let items: Vec<DigestItem> = (0..(MAX_ITEMS as i64 + 25))
        .map(|i| {
            item(
                i,
                &format!("article {i}"),
                None,
                vec![m("reform", 1.0, vec![])],
            )
        })
        .collect();
    let d = render(&subscriber(MailFormat::Html), &topics(), &items, now());
    assert_eq!(d.item_count, MAX_ITEMS + 25);
    assert!(d.text.contains("… and 25 more articles not shown"));
    assert!(d.html.as_deref().unwrap().contains("25 more articles"));
    assert_eq!(
        d.text.matches("https://news.example.cn/").count(),
        MAX_ITEMS
    );
}

#[test]
fn cap_is_shared_fairly_between_topics_and_shows_the_best_scores() {
    // 300 reform articles scored by id, 5 SOE articles; cap 20.
    let mut items: Vec<DigestItem> = (0..300)
        .map(|i| {
            item(
                i,
                &format!("reform {i}"),
                None,
                vec![m("reform", i as f64, vec![])],
            )
        })
        .collect();
    items.extend(
        (1000..1005).map(|i| item(i, &format!("soe {i}"), None, vec![m("soe", 1.0, vec![])])),
    );
    let d = render_capped(&subscriber(MailFormat::Html), &topics(), &items, now(), 20);
    assert_eq!(d.item_count, 305);
    assert_eq!(d.text.matches("https://news.example.cn/").count(), 20);
    // The small topic is shown whole; the big one keeps its 15 best.
    for i in 1000..1005 {
        assert!(d.text.contains(&format!("soe {i}")), "soe {i} missing");
    }
    for i in 285..300 {
        assert!(
            d.text.contains(&format!("reform {i}\n")),
            "reform {i} missing"
        );
    }
    assert!(!d.text.contains("reform 284\n"));
    assert!(d
        .text
        .contains("… and 285 more articles in 改革 not shown here."));
    assert!(!d.text.contains("in 国企 not shown"));
    let html = d.html.unwrap();
    assert!(html.contains("285 more articles in 改革"));
}

#[test]
fn fair_quotas_give_leftovers_to_the_bigger_topics() {
    assert_eq!(fair_quotas(&[3, 4], 10), vec![3, 4]);
    assert_eq!(fair_quotas(&[300, 5], 20), vec![15, 5]);
    assert_eq!(fair_quotas(&[300, 300, 1], 10), vec![5, 4, 1]);
    assert_eq!(fair_quotas(&[7, 7, 7], 2), vec![1, 1, 0]);
    assert_eq!(fair_quotas(&[1000, 1000], 200).iter().sum::<usize>(), 200);
}

// ---------------------------------------------------------------- hostile input

#[test]
fn header_injection_in_title_is_flattened() {
    let items = vec![item(
        1,
        "Reform\r\nBcc: x@y\r\n\r\n<b>body</b>",
        None,
        vec![m("reform", 1.0, vec![])],
    )];
    let mut topics = topics();
    topics[0].name = "改革\r\nBcc: evil@example.com".into();
    let d = render(&subscriber(MailFormat::Html), &topics, &items, now());
    assert!(!d.subject.contains('\r') && !d.subject.contains('\n'));
    assert!(d.text.contains("Reform Bcc: x@y <b>body</b>"));
    assert!(!d.text.lines().any(|l| l.starts_with("Bcc:")));
    let html = d.html.unwrap();
    assert!(html.contains("Reform Bcc: x@y &lt;b&gt;body&lt;/b&gt;"));
    assert!(!html.contains("<b>"));
}

#[test]
fn script_title_and_javascript_url_are_inert() {
    let mut a = item(
        1,
        "<script>alert(1)</script><img src=x onerror=alert(2)> & \"q\"",
        None,
        vec![m("reform", 1.0, vec![])],
    );
    a.url = Some("javascript:alert(document.cookie)".into());
    a.lead = Some("<iframe src=\"https://evil.example\"></iframe><style>body{}</style>".into());
    a.source_name = "<a href=\"data:text/html,x\">src</a>".into();
    let mut b = item(2, "data url", None, vec![m("reform", 1.0, vec![])]);
    b.url = Some("  JaVaScRiPt:alert(1)".into());
    let mut c = item(3, "quote url", None, vec![m("reform", 1.0, vec![])]);
    c.url = Some("https://example.com/\"><script>x</script>".into());
    let d = render(&subscriber(MailFormat::Html), &topics(), &[a, b, c], now());
    let html = d.html.unwrap();
    assert_no_active_html(&html);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&amp; \"q\""));
    // No link for the javascript: URLs, an escaped link for the odd https one.
    assert_eq!(html.matches("<a href=").count(), 1);
    assert!(
        html.contains("href=\"https://example.com/%22%3E%3Cscript%3Ex%3C/script%3E\""),
        "{html}"
    );
    assert!(!d.text.contains("javascript:"));
}

#[test]
fn very_long_title_is_truncated() {
    let long = "改".repeat(10_000);
    let latin = "x".repeat(10_000);
    let items = vec![
        item(1, &long, None, vec![m("reform", 1.0, vec![])]),
        item(2, &latin, None, vec![m("reform", 1.0, vec![])]),
    ];
    let mut topics = topics();
    topics[0].name = "长".repeat(10_000);
    let d = render(&subscriber(MailFormat::Html), &topics, &items, now());
    assert!(d.subject.chars().count() <= MAX_SUBJECT_CHARS);
    assert!(d.subject.ends_with('…') || d.subject.contains('…'));
    assert!(d.text.len() < 10_000, "text is {} bytes", d.text.len());
    let html = d.html.unwrap();
    assert!(html.contains(&format!("<bdi>{}…</bdi>", "改".repeat(299))));
    assert!(html.contains(&format!("<bdi>{}…</bdi>", "x".repeat(299))));
    assert!(html.len() < 20_000);
}

#[test]
fn bidi_zero_width_and_controls_are_stripped() {
    let title = "abc\u{202E}txt.exe\u{202C} \u{2066}x\u{2069}\u{200B}y\u{FEFF}z\u{0000}\u{0007}\u{007F}\u{0085}w";
    let mut a = item(
        1,
        title,
        None,
        vec![m("reform", 1.0, vec![hit("改\u{200B}革", 1, 0)])],
    );
    a.lead = Some("\u{3000}\u{3000}首行缩进\u{202E}反转".into());
    let d = render(&subscriber(MailFormat::Html), &topics(), &[a], now());
    let html = d.html.unwrap();
    for out in [&d.text, &html, &d.subject] {
        for c in [
            '\u{202E}', '\u{202C}', '\u{2066}', '\u{2069}', '\u{200B}', '\u{FEFF}', '\u{0}',
            '\u{7}', '\u{7F}', '\u{85}',
        ] {
            assert!(!out.contains(c), "{c:?} survived");
        }
    }
    assert!(d.text.contains("abctxt.exe xyz w"), "{}", d.text);
    assert!(d.text.contains("    首行缩进反转"), "{}", d.text);
    assert!(html.contains("<bdi>abctxt.exe xyz w</bdi>"));
    assert!(d.text.contains("改革 ×1 (标题 1)"));
}

#[test]
fn subject_sanitizer_is_idempotent_and_bounded() {
    let s = sanitize_subject(&format!("a\r\nb\u{202E}c\t{}", "é".repeat(500)));
    assert!(s.starts_with("a bc é"));
    assert_eq!(s.chars().count(), MAX_SUBJECT_CHARS);
    assert_eq!(sanitize_subject(&s), s);
}

#[test]
fn truncation_keeps_combining_marks_with_their_base() {
    // 149 'a' then 'e' + combining acute at positions 149/150.
    let s = format!("{}e\u{0301}{}", "a".repeat(148), "b".repeat(10));
    let t = truncate_chars(&s, 150);
    assert!(t.ends_with("ae\u{0301}…") || t.ends_with("a…"), "{t:?}");
    assert!(!t.ends_with("e…"));
}

#[test]
fn lead_is_cut_near_200_chars() {
    let mut a = item(1, "t", None, vec![m("reform", 1.0, vec![])]);
    a.lead = Some("word ".repeat(100));
    let mut b = item(2, "u", None, vec![m("reform", 1.0, vec![])]);
    b.lead = Some("深".repeat(500));
    let view = build_view(
        &subscriber(MailFormat::Text),
        &topics(),
        &[a, b],
        &[],
        now(),
        MAX_ITEMS,
    );
    for it in view.groups.iter().flat_map(|g| &g.items) {
        let lead = it.lead.as_deref().unwrap();
        assert!(lead.ends_with('…'));
        assert!(lead.chars().count() <= 200);
        if it.title == "t" {
            assert!(lead.ends_with("word…"), "{lead}");
        }
    }
}

// ---------------------------------------------------------------- text wrapping

#[test]
fn text_lines_fit_78_columns_counting_cjk_as_two() {
    let mut a = item(
        1,
        &"全面深化改革推进中国式现代化".repeat(8),
        None,
        vec![m("reform", 1.0, vec![hit("改革", 2, 9)])],
    );
    a.lead = Some("混合 mixed 语言 language 的导语，包含 English words 和中文标点。".repeat(4));
    let mut b = item(
        2,
        &"Reform of state-owned enterprises deepens ".repeat(6),
        None,
        vec![m("reform", 1.0, vec![])],
    );
    b.url = Some(format!(
        "https://example.com/{}",
        "very-long-path-segment/".repeat(10)
    ));
    let d = render(
        &subscriber(MailFormat::Text),
        &topics(),
        &[a, b.clone()],
        now(),
    );
    let url = safe_url(b.url.as_deref().unwrap()).unwrap();
    for line in d.text.lines() {
        if line.trim() == url {
            continue; // URLs are never split, even when wider than a line
        }
        assert!(width(line) <= WIDTH, "too wide ({}): {line}", width(line));
    }
    assert!(d.text.lines().any(|l| l.trim() == url));
    // No Latin word was split across lines.
    assert!(d.text.contains("Reform of state-owned"));
    for line in d.text.lines() {
        assert!(
            !line.starts_with('，') && !line.trim_start().starts_with('。'),
            "kinsoku: {line}"
        );
    }
}

#[test]
fn wrapper_breaks_between_cjk_and_at_spaces_only() {
    let mut out = String::new();
    wrap_into(&mut out, &"汉".repeat(50), "", "  ");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "汉".repeat(39));
    assert_eq!(lines[1], format!("  {}", "汉".repeat(11)));

    let mut out = String::new();
    let long_word = "a".repeat(100);
    wrap_into(&mut out, &format!("short {long_word} tail"), "", "");
    assert_eq!(out, format!("short\n{long_word}\ntail\n"));
}

// ---------------------------------------------------------------- message id

#[test]
fn message_id_is_deterministic_and_safe() {
    let a = message_id("analyst@example.org", "2024-09-02T08:00", "example.org");
    assert_eq!(
        a,
        message_id("analyst@example.org", "2024-09-02T08:00", "example.org")
    );
    assert_ne!(
        a,
        message_id("analyst@example.org", "2024-09-03T08:00", "example.org")
    );
    // Inputs that sanitize alike stay distinct thanks to the hash.
    assert_ne!(
        message_id("a.b", "p", "example.org"),
        message_id("a_b", "p", "example.org")
    );
    assert!(
        a.starts_with("<dg-analyst_example_org-2024-09-02T08_00-"),
        "{a}"
    );
    assert!(a.ends_with("@example.org>"));
    assert!(message::is_safe_message_id(&a));

    let hostile = message_id("x>\r\nBcc: y@z <", "p\u{202E}", " 例子.中国\r\n");
    assert!(message::is_safe_message_id(&hostile), "{hostile}");
    assert!(hostile.ends_with("@xn--fsqu00a.xn--fiqs8s>"), "{hostile}");
    let empty = message_id("", "", "");
    assert!(message::is_safe_message_id(&empty), "{empty}");
    assert!(empty.ends_with("@reformwatch.invalid>"));
}

// ---------------------------------------------------------------- message

/// Headers of a raw message, unfolded, as (name, value) pairs.
fn headers(raw: &str) -> Vec<(String, String)> {
    let head = raw.split("\r\n\r\n").next().unwrap();
    let mut out: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with(' ') || line.starts_with('\t') {
            out.last_mut().unwrap().1.push_str(line);
        } else {
            let (n, v) = line.split_once(':').expect("header line");
            out.push((n.to_string(), v.trim_start().to_string()));
        }
    }
    out
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    h.iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

fn b64(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// Minimal RFC 2047 decoder (B and Q encodings, whitespace between encoded
/// words dropped).
fn decode_2047(v: &str) -> String {
    let mut out = Vec::new();
    let mut rest = v;
    let mut last_was_word = false;
    while !rest.is_empty() {
        if let Some(start) = rest.find("=?") {
            let between = &rest[..start];
            if !(last_was_word && between.trim().is_empty()) {
                out.extend_from_slice(between.as_bytes());
            }
            let word = &rest[start + 2..];
            let mut parts = word.splitn(3, '?');
            let _charset = parts.next().unwrap();
            let enc = parts.next().unwrap();
            let tail = parts.next().unwrap();
            let end = tail.find("?=").unwrap();
            let data = &tail[..end];
            if enc.eq_ignore_ascii_case("b") {
                out.extend(b64(data));
            } else {
                let bytes = data.as_bytes();
                let mut i = 0;
                while i < bytes.len() {
                    match bytes[i] {
                        b'_' => out.push(b' '),
                        b'=' => {
                            out.push(u8::from_str_radix(&data[i + 1..i + 3], 16).unwrap());
                            i += 2;
                        }
                        b => out.push(b),
                    }
                    i += 1;
                }
            }
            rest = &tail[end + 2..];
            last_was_word = true;
        } else {
            out.extend_from_slice(rest.as_bytes());
            break;
        }
    }
    String::from_utf8(out).unwrap()
}

fn assert_line_lengths(raw: &str) {
    for line in raw.split("\r\n") {
        assert!(line.len() <= 998, "line of {} octets", line.len());
    }
    assert!(!raw.replace("\r\n", "").contains('\n'), "bare LF");
    assert!(!raw.replace("\r\n", "").contains('\r'), "bare CR");
}

#[test]
fn builds_multipart_message_with_all_headers() {
    let sub = subscriber(MailFormat::Html);
    let d = render(&sub, &topics(), &sample_items(), now());
    let id = message_id(&sub.id, "2024-09-02", "example.org");
    let raw = build_message(&mail(), &sub, &d, &id, utc(2024, 9, 2, 0, 0)).unwrap();
    let raw = String::from_utf8(raw).unwrap();
    assert_line_lengths(&raw);
    let h = headers(&raw);
    let subject = header(&h, "Subject");
    assert_eq!(subject.len(), 1);
    assert_eq!(decode_2047(subject[0]), d.subject);
    assert_eq!(header(&h, "Message-ID"), vec![id.as_str()]);
    assert_eq!(header(&h, "Date"), vec!["Mon, 02 Sep 2024 00:00:00 +0000"]);
    assert_eq!(
        header(&h, "From"),
        vec!["\"Reform Watch\" <watch@example.org>"]
    );
    let to = header(&h, "To");
    assert_eq!(to.len(), 1);
    assert_eq!(decode_2047(to[0]), "王 分析师 <analyst@example.org>");
    assert_eq!(header(&h, "Auto-Submitted"), vec!["auto-generated"]);
    assert_eq!(header(&h, "List-Id"), vec!["<reformwatch.example.org>"]);
    assert_eq!(
        header(&h, "List-Unsubscribe"),
        vec!["<mailto:watch@example.org?subject=unsubscribe>"]
    );
    assert!(header(&h, "Content-Type")[0].starts_with("multipart/alternative"));
    assert!(raw.contains("Content-Type: text/plain; charset=utf-8"));
    assert!(raw.contains("Content-Type: text/html; charset=utf-8"));
    assert!(header(&h, "Bcc").is_empty());
}

#[test]
fn text_subscriber_gets_single_plain_part_and_reply_to_unsubscribe() {
    let sub = subscriber(MailFormat::Text);
    let d = render(&sub, &topics(), &sample_items(), now());
    let mut mail = mail();
    mail.reply_to = Some("Desk <unsub+digest@example.org>".into());
    let raw = message_text(&mail, &sub, &d);
    let h = headers(&raw);
    assert!(header(&h, "Content-Type")[0].starts_with("text/plain"));
    assert!(!raw.contains("multipart"));
    assert_eq!(
        header(&h, "List-Unsubscribe"),
        vec!["<mailto:unsub+digest@example.org?subject=unsubscribe>"]
    );
}

#[test]
fn hostile_digest_still_yields_one_clean_subject() {
    let long_title = "x".repeat(10_000);
    let mut items = vec![
        item(
            1,
            "Reform\r\nBcc: x@y",
            None,
            vec![m("reform", 1.0, vec![])],
        ),
        item(2, &long_title, None, vec![m("reform", 1.0, vec![])]),
        item(
            3,
            "<script>alert(1)</script>\u{202E}",
            None,
            vec![m("reform", 1.0, vec![])],
        ),
    ];
    items[1].url = Some(format!("https://example.com/{}", "p".repeat(5_000)));
    items[1].lead = Some("y".repeat(10_000));
    let mut topics = topics();
    topics[0].name = format!("改革\r\nBcc: evil@example.com{}", "長".repeat(500));
    let sub = subscriber(MailFormat::Html);
    let mut d = render(&sub, &topics, &items, now());
    // A hand-built digest with an injected subject is sanitized again.
    d.subject = format!("Hi\r\nBcc: x@y\r\n\r\nbody{}", "\u{202E}".repeat(3));
    let raw = message_text(&mail(), &sub, &d);
    assert_line_lengths(&raw);
    let h = headers(&raw);
    assert_eq!(header(&h, "Subject").len(), 1);
    assert!(header(&h, "Bcc").is_empty());
    assert_eq!(decode_2047(header(&h, "Subject")[0]), "Hi Bcc: x@y body");

    // And the rendered subject itself.
    let d = render(&sub, &topics, &items, now());
    let raw = message_text(&mail(), &sub, &d);
    assert_line_lengths(&raw);
    let h = headers(&raw);
    let subj = header(&h, "Subject");
    assert_eq!(subj.len(), 1);
    let decoded = decode_2047(subj[0]);
    assert_eq!(decoded, d.subject);
    assert!(decoded.chars().count() <= MAX_SUBJECT_CHARS);
    assert!(!decoded.contains('\r') && !decoded.contains('\n'));
}

#[test]
fn bad_addresses_ids_and_dates_are_errors_naming_the_value() {
    let sub = subscriber(MailFormat::Html);
    let d = render(&sub, &topics(), &sample_items(), now());
    let id = message_id("s", "p", "example.org");

    let mut bad_from = mail();
    bad_from.from = "Reform Watch <not an address>".into();
    let e = build_message(&bad_from, &sub, &d, &id, now()).unwrap_err();
    assert!(matches!(e, DigestError::InvalidFrom { .. }));
    assert!(e.to_string().contains("not an address"), "{e}");

    let mut bad_to = subscriber(MailFormat::Html);
    bad_to.email = "x@y\r\nBcc: z@w".into();
    let e = build_message(&mail(), &bad_to, &d, &id, now()).unwrap_err();
    assert!(matches!(e, DigestError::InvalidRecipient { .. }), "{e}");
    assert!(e.to_string().contains("Bcc: z@w"), "{e}");

    let mut bad_reply = mail();
    bad_reply.reply_to = Some("nope".into());
    let e = build_message(&bad_reply, &sub, &d, &id, now()).unwrap_err();
    assert!(matches!(e, DigestError::InvalidReplyTo { .. }), "{e}");

    for bad_id in [
        "no-brackets@x",
        "<a b@c>",
        "<a@b>\r\nBcc: x@y",
        "<ab>",
        "<a@b@c>",
        "<@b>",
    ] {
        let e = build_message(&mail(), &sub, &d, bad_id, now()).unwrap_err();
        assert!(
            matches!(e, DigestError::InvalidMessageId(_)),
            "{bad_id}: {e}"
        );
    }

    for date in [utc(1969, 12, 31, 23, 59), utc(10000, 1, 1, 0, 0)] {
        let e = build_message(&mail(), &sub, &d, &id, date).unwrap_err();
        assert!(matches!(e, DigestError::DateOutOfRange(_)), "{e}");
    }
    // The last representable moment works.
    assert!(build_message(&mail(), &sub, &d, &id, utc(9999, 12, 31, 23, 59)).is_ok());
}

#[test]
fn non_ascii_display_names_work() {
    let sub = subscriber(MailFormat::Html);
    let d = render(&sub, &topics(), &sample_items(), now());
    let mut mail = mail();
    mail.from = "改革观察 <watch@example.org>".into();
    let raw = message_text(&mail, &sub, &d);
    let h = headers(&raw);
    assert_eq!(
        decode_2047(header(&h, "From")[0]),
        "改革观察 <watch@example.org>"
    );
}
