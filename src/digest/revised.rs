//! The digest's "Revised" section: articles a subscriber got before that
//! were edited since, each with the field-aware diff inline (HTML:
//! [`ArticleDiff::to_html`]; text: [`ArticleDiff::to_text`], verbatim, so
//! it reads exactly as `reformwatch diff` prints it). Placed after the new
//! articles and never mixed with them. Pure, like the rest of the digest.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use html_escape::{encode_double_quoted_attribute, encode_text};

use super::{clean_inline, format_time, safe_url, truncate_chars, DigestItem, RenderedDigest};
use crate::config;
use crate::diff::{ArticleDiff, ChangeClass};

/// Heading of the section in both parts.
pub const REVISED_HEADING: &str = "Revised";

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

/// Renders the new `items` like [`super::render_capped`] and the `revised`
/// articles in a "Revised" section after them. The subject counts both
/// ("3 new, 1 revised"); `item_count` is the sum.
pub fn render_with_revised(
    subscriber: &config::Subscriber,
    topics: &[config::Topic],
    items: &[DigestItem],
    revised: &[RevisedItem],
    now: DateTime<Utc>,
    max_items: usize,
) -> RenderedDigest {
    let mut view = super::build_view(subscriber, topics, items, now, max_items.max(1));
    view.total += revised.len();
    view.revised += revised.len();
    let subject = super::subject_line(&view);
    let mut text = super::render_text::render(&view);
    let mut html = match subscriber.format {
        config::MailFormat::Html => Some(super::render_html::render(&view, &subject)),
        config::MailFormat::Text => None,
    };
    if !revised.is_empty() {
        let tz = subscriber.timezone;
        // Before the signature ("-- ") and the footer paragraph.
        let at = text.rfind("\n-- \n").unwrap_or(text.len());
        text.insert_str(at, &text_section(revised, tz));
        if let Some(html) = &mut html {
            let at = html
                .rfind("<p style=\"font-size:12px;color:#888;margin:24px")
                .or_else(|| html.rfind("</div>\n</body>"))
                .unwrap_or(html.len());
            html.insert_str(at, &html_section(revised, tz));
        }
    }
    RenderedDigest {
        subject,
        html,
        text,
        item_count: view.total,
    }
}

/// `r1 → r2, substantive edit · 2024-09-02 09:00`.
fn meta(item: &RevisedItem, tz: Tz) -> String {
    format!(
        "r{} → r{}, {} edit · seen {}",
        item.from_revision,
        item.revision,
        item.class,
        format_time(item.seen_at, tz)
    )
}

/// The plain-text section: a heading, then per article its title, source,
/// meta line, link, and the diff text unchanged.
fn text_section(revised: &[RevisedItem], tz: Tz) -> String {
    let mut out = String::new();
    out.push('\n');
    let heading = format!("{REVISED_HEADING} ({})", revised.len());
    let _ = writeln!(out, "{heading}\n{}", "=".repeat(heading.chars().count()));
    for item in revised {
        out.push('\n');
        let title = truncate_chars(&clean_inline(&item.title), 300);
        let source = truncate_chars(&clean_inline(&item.source_name), 80);
        let _ = writeln!(out, "* {title}");
        let _ = writeln!(out, "  {source} · {}", meta(item, tz));
        if let Some(url) = item.url.as_deref().and_then(safe_url) {
            let _ = writeln!(out, "  {url}");
        }
        out.push('\n');
        out.push_str(&item.diff.clone().in_timezone(tz).to_text());
    }
    out
}

/// The HTML section: a heading, then per article its title (linked),
/// source and meta line, and the diff's own HTML.
fn html_section(revised: &[RevisedItem], tz: Tz) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<h2 style=\"font-size:17px;margin:24px 0 8px 0;padding-bottom:4px;border-bottom:2px solid #d35400;\">{REVISED_HEADING} <span style=\"color:#888;font-weight:normal;\">({})</span></h2>",
        revised.len()
    );
    for item in revised {
        out.push_str("<div style=\"margin:0 0 16px 0;\">\n");
        let title = encode_text(&truncate_chars(&clean_inline(&item.title), 300)).into_owned();
        match item.url.as_deref().and_then(safe_url) {
            Some(url) => {
                let _ = writeln!(
                    out,
                    "<a href=\"{}\" style=\"font-weight:bold;color:#1a4f8b;text-decoration:none;\"><bdi>{title}</bdi></a>",
                    encode_double_quoted_attribute(&url)
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "<span style=\"font-weight:bold;\"><bdi>{title}</bdi></span>"
                );
            }
        }
        let source = truncate_chars(&clean_inline(&item.source_name), 80);
        let _ = writeln!(
            out,
            "<div style=\"font-size:13px;color:#666;margin:2px 0 0 0;\"><bdi>{}</bdi> · {}</div>",
            encode_text(&source),
            encode_text(&meta(item, tz))
        );
        out.push_str(&item.diff.clone().in_timezone(tz).to_html());
        out.push_str("</div>\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::config::{MailFormat, Schedule, Subscriber, Topic};
    use crate::diff::diff_articles;
    use crate::diff::golden::{article_from, replace, seed_lines};
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

    #[test]
    fn revised_section_follows_the_new_articles_with_the_diff_verbatim() {
        let topics = [Topic {
            id: "reform".into(),
            name: "改革".into(),
            keywords: vec![],
            exclude: vec![],
            min_score: 1.0,
        }];
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
            .contains("r1 → r2, substantive edit · seen 2024-09-02 11:00"));
        let html = d.html.unwrap();
        let diff_at = html.find(&r.diff.to_html()).expect("the diff's HTML");
        assert!(diff_at < html.find("Sent by reformwatch").unwrap());
        assert!(html.contains("href=\"https://news.example.cn/a/7.html\""));
        // Without revised articles the digest is the plain one.
        let plain = render_with_revised(
            &subscriber(MailFormat::Text),
            &topics,
            &[new_item()],
            &[],
            now,
            200,
        );
        assert_eq!(
            plain,
            super::super::render_capped(
                &subscriber(MailFormat::Text),
                &topics,
                &[new_item()],
                now,
                200
            )
        );
    }
}
