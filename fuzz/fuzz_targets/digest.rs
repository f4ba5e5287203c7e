//! Digest rendering from arbitrary titles and leads: the input is split at
//! 0xFF into records, each `title \n lead \n source` of one new item; the
//! last record is also a revision of the first (the Revised section). The
//! digest renders (text and HTML, English and Chinese) and becomes an
//! RFC 5322 message whose header block has no line that is neither a
//! header nor a folded continuation (no header injection through titles).
#![no_main]

use std::path::PathBuf;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use reformwatch::analysis::diff::diff_articles;
use reformwatch::config::{
    Language, MailFormat, MailSettings, Schedule, Subscriber, Topic, Transport,
};
use reformwatch::mail::digest::{build_message, message_id, render_with_revised, RevisedItem};
use reformwatch::model::{Article, ChangeClass, DigestItem, Section, TopicMatch};

fuzz_target!(|data: &[u8]| {
    let now = Utc.with_ymd_and_hms(2024, 9, 2, 0, 0, 0).unwrap();
    let items: Vec<DigestItem> = data
        .split(|&b| b == 0xFF)
        .take(50)
        .enumerate()
        .map(|(i, record)| {
            let text = String::from_utf8_lossy(record);
            let mut parts = text.splitn(3, '\n');
            let title = parts.next().unwrap_or_default().to_string();
            let lead = parts.next().map(str::to_string);
            let source = parts.next().unwrap_or("来源").to_string();
            DigestItem {
                article_id: i as i64,
                revision: 1,
                title,
                url: Some(format!("https://news.example.cn/a/{i}.html")),
                source_name: source,
                published_at: Some(now),
                first_seen_at: now,
                lead,
                matches: vec![TopicMatch {
                    topic_id: "reform".into(),
                    score: 1.0 + i as f64,
                    hits: Vec::new(),
                }],
            }
        })
        .collect();
    let topics = [Topic {
        id: "reform".into(),
        name: "改革".into(),
        keywords: vec![],
        query: None,
        exclude: vec![],
        min_score: 1.0,
        feed: false,
    }];
    let revised = revised(&items, now);
    for (format, language) in [
        (MailFormat::Html, Language::En),
        (MailFormat::Text, Language::Zh),
        (MailFormat::Html, Language::Zh),
        (MailFormat::Text, Language::En),
    ] {
        let subscriber = Subscriber {
            id: "analyst@example.org".into(),
            email: "analyst@example.org".into(),
            name: Some("分析师".into()),
            topics: vec!["reform".into()],
            schedule: Schedule::Daily { hour: 8, minute: 0 },
            timezone: chrono_tz::Asia::Shanghai,
            format,
            revisions: Some(ChangeClass::Substantive),
            language,
            clusters: Default::default(),
        };
        let digest = render_with_revised(&subscriber, &topics, &items, &revised, now, 200);
        assert!(!digest.subject.contains(['\r', '\n']));
        let mail = MailSettings {
            from: "Reform Watch <watch@example.org>".into(),
            reply_to: None,
            transport: Transport::File {
                dir: PathBuf::from("/nonexistent"),
            },
            queue_lifetime: Duration::from_secs(86_400),
            max_items: 200,
            coalesce: Duration::from_secs(300),
        };
        let id = message_id("analyst", "2024-09-02", "example.org");
        let bytes = build_message(&mail, &subscriber, &digest, &id, now).expect("message builds");
        let text = String::from_utf8_lossy(&bytes);
        let head = text.split("\r\n\r\n").next().unwrap_or_default();
        for line in head.split("\r\n") {
            let folded = line.starts_with([' ', '\t']);
            let header = line.split_once(':').is_some_and(|(name, _)| {
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
            assert!(folded || header, "header line {line:?}");
        }
    }
});

/// The Revised section's input from the same hostile text: the last item
/// as an edit of the first (title and lead), so titles, sources and the
/// diff's own text go through the revised renderers and headers too.
fn revised(items: &[DigestItem], now: chrono::DateTime<Utc>) -> Vec<RevisedItem> {
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        return Vec::new();
    };
    let article = |item: &DigestItem| Article {
        title: item.title.clone(),
        sections: vec![Section {
            heading: None,
            paragraphs: item.lead.iter().cloned().collect(),
        }],
        ..Article::default()
    };
    vec![RevisedItem {
        article_id: 1_000_000,
        revision: 2,
        from_revision: 1,
        title: last.title.clone(),
        url: last.url.clone(),
        source_name: last.source_name.clone(),
        seen_at: now,
        class: ChangeClass::Substantive,
        diff: diff_articles(&article(first), &article(last)),
    }]
}
