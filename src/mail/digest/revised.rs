//! The digest's "Revised" section: articles a subscriber got before that
//! were edited since, each with the field-aware diff inline (HTML:
//! [`ArticleDiff::to_html_in`]; text: [`ArticleDiff::to_text_in`], verbatim,
//! so it reads exactly as `reformwatch diff` prints it, with labels in the
//! subscriber's language). This module holds the input type and its view;
//! [`super::render_text`] and [`super::render_html`] place the section
//! after the new articles and before the footer, never mixed with them;
//! diffs the body has no room for go to `revisions.txt`. Pure, like the
//! rest of the digest.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::lang::Words;
use super::view::{safe_url, MAX_SOURCE_CHARS, MAX_TITLE_CHARS};
use crate::analysis::diff::ArticleDiff;
use crate::document::text_hygiene::fold_line;
use crate::mail::text::truncate_chars;
use crate::model::ChangeClass;

/// One revised article for one subscriber.
#[derive(Debug, Clone, PartialEq)]
pub struct RevisedItem {
    /// Database id of the article.
    pub article_id: i64,
    /// The revision reported (the current one).
    pub revision: u32,
    /// The revision the subscriber got before; the diff starts there.
    pub from_revision: u32,
    /// Headline at `revision` (untrusted text).
    pub title: String,
    /// Link; only `http`/`https` URLs are rendered as links.
    pub url: Option<String>,
    /// Display name of the source.
    pub source_name: String,
    /// When reformwatch saw `revision`.
    pub seen_at: DateTime<Utc>,
    /// How much the edit matters (the weightiest since `from_revision`).
    pub class: ChangeClass,
    /// What changed from `from_revision` to `revision`.
    pub diff: ArticleDiff,
}

/// One article of the Revised section as the renderers show it: text
/// sanitized and cut, times in the subscriber's zone, the diff rendered.
pub(super) struct RevisedView {
    /// Database id, to record what the message carried.
    pub(super) article_id: i64,
    /// Clean headline, at most 300 characters.
    pub(super) title: String,
    /// Normalized `http`/`https` link, if any.
    pub(super) url: Option<String>,
    /// Clean source name, at most 80 characters.
    pub(super) source: String,
    /// `r1 → r2, substantive edit · seen 2 Sep 2024 09:00`.
    pub(super) meta: String,
    /// The diff as `reformwatch diff` prints it (ends with a newline).
    pub(super) diff_text: String,
    /// The diff as `reformwatch diff --format html` prints it.
    pub(super) diff_html: String,
}

/// The view of one revised article for a subscriber in zone `tz` who
/// reads `words`.
pub(super) fn view(item: &RevisedItem, tz: Tz, words: Words) -> RevisedView {
    let diff = item.diff.clone().in_timezone(tz);
    let mut title = truncate_chars(&fold_line(&item.title), MAX_TITLE_CHARS);
    if title.is_empty() {
        title = words.untitled().to_owned();
    }
    let mut source = truncate_chars(&fold_line(&item.source_name), MAX_SOURCE_CHARS);
    if source.is_empty() {
        source = words.unknown_source().to_owned();
    }
    RevisedView {
        article_id: item.article_id,
        title,
        url: item.url.as_deref().and_then(safe_url),
        source,
        meta: words.revised_meta(
            item.from_revision,
            item.revision,
            item.class,
            &words.time(item.seen_at, tz),
        ),
        diff_text: diff.to_text_in(words.0),
        diff_html: diff.to_html_in(words.0),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::super::render_with_revised;
    use super::*;
    use crate::analysis::diff::diff_articles;
    use crate::analysis::diff::golden::{article_from, replace, seed_lines};
    use crate::config::{MailFormat, Schedule, Subscriber, Topic};
    use crate::model::DigestItem;
    use crate::model::TopicMatch;

    fn subscriber(format: MailFormat) -> Subscriber {
        Subscriber {
            id: "a@example.org".into(),
            email: "a@example.org".into(),
            name: None,
            topics: vec!["reform".into()],
            schedule: Schedule::Daily { hour: 8, minute: 0 },
            timezone: chrono_tz::Asia::Shanghai,
            format,
            revisions: Some(ChangeClass::Substantive),
            language: crate::config::Language::En,
            clusters: crate::config::ClusterMode::Collapse,
        }
    }

    fn revised() -> RevisedItem {
        let old = article_from(&seed_lines());
        let mut lines = seed_lines();
        replace(&mut lines, "《实施意见》中12项", "《实施意见》中15项");
        let new = article_from(&lines);
        RevisedItem {
            article_id: 7,
            revision: 2,
            from_revision: 1,
            title: new.title.clone(),
            url: Some("https://news.example.cn/a/7.html".into()),
            source_name: "嘉兴在线".into(),
            seen_at: Utc.with_ymd_and_hms(2024, 9, 2, 3, 0, 0).unwrap(),
            class: ChangeClass::Substantive,
            diff: diff_articles(&old, &new),
        }
    }

    fn new_item() -> DigestItem {
        DigestItem {
            article_id: 8,
            revision: 1,
            title: "南湖区深化“最多跑一次”改革".into(),
            url: None,
            source_name: "嘉兴在线".into(),
            published_at: None,
            first_seen_at: Utc.with_ymd_and_hms(2024, 9, 2, 1, 0, 0).unwrap(),
            lead: None,
            matches: vec![TopicMatch {
                topic_id: "reform".into(),
                score: 1.0,
                hits: vec![],
            }],
        }
    }

    fn reform_topic() -> [Topic; 1] {
        [crate::mail::digest::tests::topic("reform", "改革")]
    }

    #[test]
    fn revised_section_follows_the_new_articles_with_the_diff_verbatim() {
        let topics = reform_topic();
        let now = Utc.with_ymd_and_hms(2024, 9, 2, 4, 0, 0).unwrap();
        let r = revised();
        let d = render_with_revised(
            &subscriber(MailFormat::Html),
            &topics,
            &[new_item()],
            std::slice::from_ref(&r),
            now,
            200,
        );
        assert_eq!(d.item_count, 2);
        assert!(d.subject.contains("1 new, 1 revised"), "{}", d.subject);
        let new_at = d.text.find("南湖区深化").unwrap();
        let revised_at = d.text.find("Revised (1)").unwrap();
        let signature = d.text.rfind("\n-- \n").unwrap();
        assert!(new_at < revised_at && revised_at < signature, "{}", d.text);
        assert!(d.text.contains(&r.diff.to_text()), "{}", d.text);
        assert!(d
            .text
            .contains("r1 → r2, substantive edit · seen 2\u{a0}Sep\u{a0}2024\u{a0}11:00"));
        let html = d.html.unwrap();
        let diff_at = html.find(&r.diff.to_html()).expect("the diff's HTML");
        assert!(diff_at < html.find("Sent by reformwatch").unwrap());
        assert!(html.contains("href=\"https://news.example.cn/a/7.html\""));
        assert_eq!(d.carried.revisions, vec![7]);
        assert!(d.attachments.is_empty(), "one diff fits the body");
    }

    #[test]
    fn revised_only_digest_counts_them_and_places_the_section_before_the_footer() {
        let topics = reform_topic();
        let now = Utc.with_ymd_and_hms(2024, 9, 2, 4, 0, 0).unwrap();
        let mut other = revised();
        other.article_id = 9;
        other.url = Some("javascript:alert(1)".into());
        let d = render_with_revised(
            &subscriber(MailFormat::Html),
            &topics,
            &[],
            &[revised(), other],
            now,
            200,
        );
        assert_eq!(d.item_count, 2);
        assert_eq!(d.subject, "reformwatch: 0 new, 2 revised");
        assert!(d.text.contains("Revised (2)\n===========\n"), "{}", d.text);
        assert!(d.text.find("Revised (2)") < d.text.rfind("\n-- \n"));
        let html = d.html.unwrap();
        assert!(!html.contains("javascript:"));
        let section = html.find(">Revised <span").expect("the section heading");
        assert!(section < html.find("Sent by reformwatch").unwrap());
        assert_eq!(html.matches("<del").count(), 2);

        // With new articles over the full-treatment cap, the section follows
        // their one-line entries.
        let items: Vec<DigestItem> = (0..3)
            .map(|i| DigestItem {
                article_id: 100 + i,
                ..new_item()
            })
            .collect();
        let d = render_with_revised(
            &subscriber(MailFormat::Text),
            &topics,
            &items,
            &[revised()],
            now,
            1,
        );
        assert_eq!(d.item_count, 4);
        assert!(
            d.subject.starts_with("reformwatch: 3 new, 1 revised"),
            "{}",
            d.subject
        );
        assert!(d.html.is_none());
        let more = d.text.find("More articles:").expect("the one-line entries");
        assert!(more < d.text.find("Revised (1)").unwrap(), "{}", d.text);
    }
}
