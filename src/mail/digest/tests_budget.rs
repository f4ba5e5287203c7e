//! Unit tests of the size budget, the attachments and the language of a
//! digest: thousands of articles and hundreds of revised ones fit under
//! [`MAX_PART_BYTES`] with nothing lost, `articles.csv` parses, and the
//! fixed strings of an `en` and a `zh` digest are in one language only.

use super::tests::{assert_no_active_html, hit, item, m, now, starts_numbered, subscriber, topics};
use super::*;
use crate::analysis::diff::diff_articles;
use crate::analysis::diff::golden::{article_from, replace, seed_lines};
use crate::config::{Language, MailFormat, Subscriber, Topic};
use crate::model::{ChangeClass, DigestItem};

/// `n` articles from 100 sources, every 10th under 国企, with Chinese
/// titles and leads of realistic length.
fn many(n: usize) -> Vec<DigestItem> {
    (0..n)
        .map(|i| {
            let topic = if i % 10 == 0 { "soe" } else { "reform" };
            let mut it = item(
                i as i64,
                &format!("嘉兴市委全会部署进一步全面深化改革重点任务 第{i}号"),
                Some(now() - chrono::Duration::minutes(i as i64)),
                vec![m(
                    topic,
                    (i % 17) as f64,
                    vec![hit("改革", 1, 3), hit("深化改革", 1, 1)],
                )],
            );
            it.source_name = format!("来源 {}", i % 100);
            it
        })
        .collect()
}

/// The rows of an `articles.csv` (BOM checked and dropped), parsed with a
/// minimal RFC 4180 reader.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let text = text.strip_prefix('\u{feff}').expect("a byte order mark");
    let mut rows = vec![];
    let (mut row, mut cell, mut quoted, mut chars) =
        (vec![], String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CRLF line ends");
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    assert!(cell.is_empty() && row.is_empty(), "the file ends with CRLF");
    rows
}

#[test]
fn three_thousand_articles_fit_the_body_budget_and_all_reach_the_attachment() {
    let items = many(3000);
    for format in [MailFormat::Html, MailFormat::Text] {
        let d = render(&subscriber(format), &topics(), &items, now());
        let wire = |s: &str| s.len() + s.matches('\n').count();
        assert!(wire(&d.text) < MAX_PART_BYTES, "text {}", wire(&d.text));
        if let Some(html) = &d.html {
            assert!(wire(html) < MAX_PART_BYTES, "html {}", wire(html));
            // Most of the budget is used, not given away.
            assert!(wire(html) > MAX_PART_BYTES * 9 / 10, "html {}", wire(html));
            assert_no_active_html(html);
        }
        assert_eq!(d.attachments.len(), 1);
        let csv = &d.attachments[0];
        assert_eq!(csv.filename, "articles.csv");
        assert_eq!(csv.content_type, "text/csv; charset=utf-8");
        let rows = csv_rows(&csv.content);
        assert_eq!(rows[0][3], "published (Asia/Shanghai)");
        assert_eq!(rows.len(), 3001, "a header and one row per article");
        assert_eq!(csv.rows, 3000);
        let urls: std::collections::BTreeSet<&str> =
            rows[1..].iter().map(|r| r[4].as_str()).collect();
        for it in &items {
            assert!(urls.contains(it.url.as_deref().unwrap()));
        }
        assert!(rows.iter().all(|r| r.len() == 7));
        assert_eq!(d.carried.articles, (0..3000).collect::<Vec<i64>>());
        // Each topic says how many are only in the attachment, and the
        // counts add up with what the body shows.
        let shown_full = d.text.lines().filter(|l| starts_numbered(l)).count();
        let shown_lines = d.text.lines().filter(|l| l.starts_with("- ")).count();
        let only = |topic: &str| -> usize {
            let at = d
                .text
                .find(&format!(
                    " in {topic} are only in the attached articles.csv."
                ))
                .unwrap_or_else(|| panic!("no note for {topic}:\n{}", d.text));
            let line_start = d.text[..at].rfind('\n').map_or(0, |i| i + 1);
            d.text[line_start..at]
                .trim_end_matches(" more articles")
                .parse()
                .unwrap()
        };
        assert_eq!(shown_full + shown_lines + only("改革") + only("国企"), 3000);
        assert!(
            shown_full > 20 && shown_lines > 100,
            "{shown_full} {shown_lines}"
        );
        assert!(d
            .text
            .contains("All 3000 articles of this digest are listed in the attached articles.csv."));
    }
}

#[test]
fn a_few_hundred_articles_stay_in_the_body_without_attachment() {
    let d = render(&subscriber(MailFormat::Html), &topics(), &many(300), now());
    assert!(d.attachments.is_empty(), "{}", d.text);
    for i in 0..300 {
        let url = format!("https://news.example.cn/a/{i}.html");
        assert!(d.text.contains(&url) && d.html.as_deref().unwrap().contains(&url));
    }
    assert_eq!(d.carried.articles.len(), 300);
}

/// Revised articles `ids`: the seed article with one number changed, or,
/// with `latin`, an English article with one number changed.
fn revised_items(ids: std::ops::Range<i64>, latin: bool) -> Vec<RevisedItem> {
    let model = revised_item(ids.start, latin);
    ids.map(|id| RevisedItem {
        article_id: id,
        url: Some(format!("https://news.example.cn/r/{id}.html")),
        ..model.clone()
    })
    .collect()
}

fn revised_item(id: i64, latin: bool) -> RevisedItem {
    let (old, new) = if latin {
        let lines = |n: &str| -> Vec<String> {
            vec![
                format!("Council approves reform plan {id}"),
                "Measures for state firms and public services".into(),
                format!(
                    "The council approved {n} measures to deepen reform of state firms this year."
                ),
                "Officials said the plan would be reviewed every quarter by the city.".into(),
            ]
        };
        (article_from(&lines("12")), article_from(&lines("15")))
    } else {
        let old = article_from(&seed_lines());
        let mut lines = seed_lines();
        replace(&mut lines, "《实施意见》中12项", "《实施意见》中15项");
        (old, article_from(&lines))
    };
    RevisedItem {
        article_id: id,
        revision: 2,
        from_revision: 1,
        title: new.title.clone(),
        url: Some(format!("https://news.example.cn/r/{id}.html")),
        source_name: if latin {
            "Xinhua".into()
        } else {
            "嘉兴在线".into()
        },
        seen_at: now() - chrono::Duration::hours(1),
        class: ChangeClass::Substantive,
        diff: diff_articles(&old, &new),
    }
}

#[test]
fn five_hundred_revised_articles_all_reach_the_subscriber() {
    let revised: Vec<RevisedItem> = revised_items(10_000..10_500, false);
    let items = many(1000);
    let d = render_with_revised(
        &subscriber(MailFormat::Html),
        &topics(),
        &items,
        &revised,
        now(),
        200,
    );
    let wire = |s: &str| s.len() + s.matches('\n').count();
    let html = d.html.as_deref().unwrap();
    assert!(wire(&d.text) < MAX_PART_BYTES && wire(html) < MAX_PART_BYTES);
    assert_eq!(d.item_count, 1500);
    assert_eq!(d.carried.revisions, (10_000..10_500).collect::<Vec<i64>>());
    assert_eq!(d.carried.articles.len(), 1000);
    let names: Vec<&str> = d.attachments.iter().map(|a| a.filename.as_str()).collect();
    assert_eq!(names, ["articles.csv", "revisions.txt"]);
    let file = String::from_utf8(d.attachments[1].content.clone()).unwrap();
    // Each revised article's diff is in the body in full or in the file,
    // exactly as the text part shows a full one.
    let diff = revised[0]
        .diff
        .clone()
        .in_timezone(chrono_tz::Asia::Shanghai)
        .to_text();
    let mut in_body = 0;
    for r in &revised {
        let url = r.url.as_deref().unwrap();
        let block = |s: &str| s.contains(&format!("  {url}\n\n{diff}"));
        match (block(&d.text), block(&file)) {
            (true, false) => in_body += 1,
            (false, true) => {}
            other => panic!("{url}: in body / file = {other:?}"),
        }
    }
    assert!(in_body > 0, "some diffs are shown in the body");
    assert_eq!(d.attachments[1].rows, 500 - in_body);
    assert!(file.starts_with(&format!("Revised ({})\n", 500 - in_body)));
    // New articles keep room in the body too.
    assert!(d.text.lines().filter(|l| starts_numbered(l)).count() > 10);
    assert!(html.contains("diff in the attached revisions.txt"));
}

#[test]
fn a_text_subscriber_gets_the_same_budget_and_attachments() {
    let revised: Vec<RevisedItem> = revised_items(10_000..10_300, false);
    let d = render_with_revised(
        &subscriber(MailFormat::Text),
        &topics(),
        &many(2000),
        &revised,
        now(),
        200,
    );
    assert!(d.html.is_none());
    assert!(d.text.len() + d.text.matches('\n').count() < MAX_PART_BYTES);
    assert_eq!(d.attachments.len(), 2);
    assert_eq!(d.carried.articles.len() + d.carried.revisions.len(), 2300);
}

// ---------------------------------------------------------------- language

/// The subscriber in `lang`, with topics named in that language's script.
fn in_language(lang: Language) -> (Subscriber, Vec<Topic>) {
    let mut sub = subscriber(MailFormat::Html);
    sub.language = lang;
    let mut topics = topics();
    if lang == Language::En {
        sub.name = Some("Policy Analyst".into());
        topics[0].name = "Reform".into();
        topics[1].name = "State firms".into();
    }
    (sub, topics)
}

/// Enough articles (in `lang`'s script) to need both attachments, one of
/// them without a published time and one at revision 2, matching both
/// topics.
fn articles_in(lang: Language) -> (Vec<DigestItem>, Vec<RevisedItem>) {
    let latin = lang == Language::En;
    let mut items: Vec<DigestItem> = (0..700)
        .map(|i| {
            let (title, lead, term, source) = if latin {
                (
                    format!("Council deepens reform, step {i}"),
                    "The city council met on Monday.",
                    "reform",
                    "Xinhua",
                )
            } else {
                (
                    format!("市委全会部署深化改革 第{i}号"),
                    "嘉兴市委召开全会。",
                    "改革",
                    "新华社",
                )
            };
            let topic = if i % 7 == 0 { "soe" } else { "reform" };
            let mut it = item(
                i,
                &title,
                Some(now()),
                vec![m(topic, 2.0, vec![hit(term, 1, 2)])],
            );
            it.lead = Some(lead.into());
            it.source_name = source.into();
            it
        })
        .collect();
    items[3].published_at = None;
    items[4].revision = 2;
    items[5].matches.push(m("soe", 1.0, vec![]));
    let revised = revised_items(10_000..10_400, latin);
    (items, revised)
}

/// What a reader sees of `html`: text between the tags, entities decoded
/// as far as the digest uses them.
fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
}

/// `s` without links, the product and file names, the zone and the
/// recipient's address: what is left is fixed strings and article text.
fn without_names(s: &str) -> String {
    let mut out = String::new();
    for word in s.split_inclusive(char::is_whitespace) {
        if !word.contains("http://") && !word.contains("https://") {
            out.push_str(word);
        }
    }
    for name in [
        "reformwatch",
        "articles.csv",
        "revisions.txt",
        "Asia/Shanghai",
        "analyst@example.org",
    ] {
        out = out.replace(name, "");
    }
    out
}

/// Everything of a digest a reader can see: subject, both parts,
/// attachments.
fn readable(d: &RenderedDigest) -> Vec<(String, String)> {
    let mut parts = vec![
        ("subject".to_owned(), d.subject.clone()),
        ("text".to_owned(), d.text.clone()),
        ("html".to_owned(), html_text(d.html.as_deref().unwrap())),
    ];
    for a in &d.attachments {
        parts.push((
            a.filename.clone(),
            String::from_utf8(a.content.clone()).unwrap(),
        ));
    }
    parts
}

/// The test articles rendered in `lang`, with both attachments so that
/// their notes show.
fn rendered_in(lang: Language) -> RenderedDigest {
    let (sub, topics) = in_language(lang);
    let (items, revised) = articles_in(lang);
    let d = render_with_revised(&sub, &topics, &items, &revised, now(), 200);
    assert_eq!(d.attachments.len(), 2, "both attachments");
    d
}

#[test]
fn an_english_digest_has_no_chinese_fixed_string() {
    let d = rendered_in(Language::En);
    for (part, text) in readable(&d) {
        let text = without_names(&text);
        let cjk: String = text
            .chars()
            .filter(|c| !c.is_ascii() && c.is_alphabetic())
            .collect();
        assert!(cjk.is_empty(), "{part} has {cjk:?}:\n{text}");
    }
    assert!(d.text.contains("Terms: reform ×3 (title 1)"), "{}", d.text);
    assert!(d.text.contains("paragraph 1 changed"), "{}", d.text);
}

#[test]
fn a_chinese_digest_has_no_english_fixed_string() {
    let d = rendered_in(Language::Zh);
    for (part, text) in readable(&d) {
        let text = without_names(&text);
        let latin: String = text.chars().filter(char::is_ascii_alphabetic).collect();
        assert!(latin.is_empty(), "{part} has {latin:?}:\n{text}");
    }
    assert!(d.text.contains("命中词：改革 ×3（标题 1）"), "{}", d.text);
    assert!(d.text.contains("修订（400）"), "{}", d.text);
    assert!(
        d.subject
            .starts_with("reformwatch：新文章 699 篇，修订 401 篇"),
        "{}",
        d.subject
    );
}
