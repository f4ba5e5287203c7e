//! Unit tests of digest rendering: grouping, caps, hostile text, the
//! text and HTML parts. The fixtures here serve the message tests in
//! `message.rs` too.

use std::path::PathBuf;

use chrono::TimeZone;

use super::render_text::{width, wrap_into, WIDTH};
use super::select::{fair_quotas, select, topic_order};
use super::view::{build_view, safe_url};
use super::*;
use crate::config::DEFAULT_MAX_ITEMS as MAX_ITEMS;
use crate::config::{MailFormat, MailSettings, Schedule, Subscriber, Topic, Transport};
use crate::mail::message::sanitize_subject;
use crate::mail::text::truncate_chars;
use crate::model::DigestItem;
use crate::model::{TermHit, TopicMatch};

pub(super) fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

pub(super) fn subscriber(format: MailFormat) -> Subscriber {
    Subscriber {
        id: "analyst@example.org".into(),
        email: "analyst@example.org".into(),
        name: Some("王 分析师".into()),
        topics: vec!["reform".into(), "soe".into()],
        schedule: Schedule::Daily { hour: 8, minute: 0 },
        timezone: chrono_tz::Asia::Shanghai,
        format,
        revisions: Some(crate::model::ChangeClass::Substantive),
        language: crate::config::Language::En,
        clusters: crate::config::ClusterMode::Collapse,
    }
}

/// A keyword-less topic: the digest tests hand in their matches.
pub(super) fn topic(id: &str, name: &str) -> Topic {
    Topic {
        id: id.into(),
        name: name.into(),
        keywords: vec![],
        query: None,
        exclude: vec![],
        min_score: 1.0,
        feed: false,
    }
}

pub(super) fn topics() -> Vec<Topic> {
    vec![
        topic("reform", "改革"),
        topic("soe", "国企"),
        topic("other", "Other topic"),
    ]
}

pub(super) fn mail() -> MailSettings {
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

pub(super) fn hit(term: &str, title: u32, body: u32) -> TermHit {
    TermHit {
        term: term.into(),
        title,
        body,
        fields: Default::default(),
    }
}

pub(super) fn m(topic: &str, score: f64, hits: Vec<TermHit>) -> TopicMatch {
    TopicMatch {
        topic_id: topic.into(),
        score,
        hits,
    }
}

pub(super) fn item(
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

pub(super) fn now() -> DateTime<Utc> {
    utc(2024, 9, 2, 0, 0)
}

pub(super) fn sample_items() -> Vec<DigestItem> {
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
pub(super) fn assert_no_active_html(html: &str) {
    const TAGS: &[&str] = &[
        "!doctype", "html", "head", "meta", "title", "body", "div", "h1", "h2", "p", "ol", "li",
        "a", "span", "bdi", "code", "ul", "del", "ins",
    ];
    const ATTRS: &[&str] = &[
        "style",
        "href",
        "start",
        "charset",
        "name",
        "content",
        "lang",
        "class",
        "data-class",
    ];
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
    assert!(
        text.contains("人民网 时政 · 1\u{a0}Sep\u{a0}2024\u{a0}08:15"),
        "{text}"
    );
    // Terms: count and title occurrences.
    assert!(
        text.contains("Terms: 改革 ×3 (title 1), 深化改革 ×1 (title 1)"),
        "{text}"
    );
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
    assert!(
        d.text.contains("seen 1\u{a0}Sep\u{a0}2024\u{a0}20:00"),
        "{}",
        d.text
    );
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
fn over_max_items_the_rest_are_one_line_entries_not_dropped() {
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
    assert!(!d.text.contains("not shown"));
    // Every article is in the message: each link once in each part.
    let html = d.html.as_deref().unwrap();
    for i in 0..(MAX_ITEMS as i64 + 25) {
        let url = format!("https://news.example.cn/a/{i}.html");
        assert_eq!(d.text.matches(&format!("{url}\n")).count(), 1, "{url}");
        assert_eq!(html.matches(&format!("\"{url}\"")).count(), 1, "{url}");
    }
    assert_eq!(d.carried.articles.len(), MAX_ITEMS + 25);
    // At most max_items in full: numbered in the text, in the <ol> in HTML.
    let full = d.text.lines().filter(|l| starts_numbered(l)).count();
    assert!(full <= MAX_ITEMS, "{full} in full");
    assert!(d.text.contains("More articles:"));
}

/// `12. title`: the first line of an item in full.
pub(super) fn starts_numbered(line: &str) -> bool {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && line[digits..].starts_with(". ")
}

#[test]
fn full_treatment_is_shared_fairly_between_topics_and_goes_to_the_best_scores() {
    // 300 reform articles scored by id, 5 SOE articles; 20 in full.
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
    let sub = subscriber(MailFormat::Html);
    let d = render_with_revised(&sub, &topics(), &items, &[], now(), 20);
    assert_eq!(d.item_count, 305);
    let full: Vec<&str> = d.text.lines().filter(|l| starts_numbered(l)).collect();
    assert_eq!(full.len(), 20, "{full:?}");
    // The small topic is whole in full; the big one has its 15 best.
    for i in 1000..1005 {
        assert!(full.iter().any(|l| l.ends_with(&format!("soe {i}"))));
    }
    for i in 285..300 {
        assert!(full.iter().any(|l| l.ends_with(&format!(" reform {i}"))));
    }
    // The rest are one-line entries, all of them.
    for i in 0..285 {
        assert!(d.text.contains(&format!("- reform {i} · ")), "reform {i}");
    }
    assert!(d.attachments.is_empty());
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
    assert!(d.text.contains("改革 ×1 (title 1)"));
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
    let (sub, items) = (subscriber(MailFormat::Text), [a, b]);
    let order = topic_order(&sub.topics);
    let selection = select(&order, &items, now(), MAX_ITEMS);
    let view = build_view(
        &sub,
        &topics(),
        &order,
        selection,
        &[],
        &Default::default(),
        now(),
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
