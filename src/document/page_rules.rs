//! Pure: the rules around fetched article pages that are not extraction
//! itself: merging a page into the feed item that linked it (`full_text`),
//! keying a listed page and filling its missing date from the listing, the
//! bounds on pages fetched, and the layout-drift test on body length. No
//! I/O: `pipeline` fetches, this decides.

use chrono::{DateTime, Utc};

use crate::document::normalize;
use crate::model::{Article, Candidate};

/// Most pages of one multi-page article followed (`content_1_2.htm`, 下一页).
pub const MAX_PAGES_PER_ARTICLE: usize = 5;

/// Most new article pages fetched for one source in one poll; the rest wait
/// for the next poll.
pub const MAX_NEW_PAGES_PER_POLL: usize = 50;

/// Articles a source must have stored before its usual body length is
/// trusted for the drift test.
pub const DRIFT_MIN_SAMPLES: u32 = 5;

/// A body shorter than this share of the usual length is layout drift
/// ("90 % shorter than usual").
pub const DRIFT_RATIO: f64 = 0.1;

/// The feed item with the article extracted from its page merged in: the
/// page gives the body, lead, quotes and the lines around the headline; the
/// feed keeps its identity (guid, link), its title and its dates, and fills
/// whatever the page lacks.
pub fn merge_full_text(item: Article, page: Article) -> Article {
    let mut merged = Article {
        kicker: page.kicker.or(item.kicker),
        subtitle: page.subtitle.or(item.subtitle),
        byline: page.byline.or(item.byline),
        outlet: page.outlet.or(item.outlet),
        published_at: item.published_at.or(page.published_at),
        updated_at: item.updated_at.or(page.updated_at),
        language: item.language.or(page.language),
        lead: page.lead.or(item.lead),
        sections: page.sections,
        quotes: page.quotes,
        title: if item.title.trim().is_empty() {
            page.title
        } else {
            item.title
        },
        ..item
    };
    merged.content_hash = normalize::content_hash(&merged);
    merged
}

/// The article a candidate becomes once its page is read: a feed item with
/// its page merged in (`full_text`), or a listed link's page keyed and
/// dated as the listing gave it.
pub fn article_of(candidate: Candidate, page: Article) -> Article {
    match candidate.item {
        Some(item) => merge_full_text(*item, page),
        None => settle_listed(page, candidate.guid, candidate.published_at),
    }
}

/// A scraped page keyed on the link the listing gave (`gen:` + its canonical
/// form), so a redirecting page is still recognised as stored next poll;
/// its date taken from the listing when the page shows none.
pub fn settle_listed(
    mut article: Article,
    listed_guid: String,
    listed_date: Option<DateTime<Utc>>,
) -> Article {
    article.guid = listed_guid;
    if article.published_at.is_none() {
        article.published_at = listed_date;
    }
    article.content_hash = normalize::content_hash(&article);
    article
}

/// `Some(explanation)` when `article`'s body is more than 90 % shorter than
/// its source's usual (`usual_chars` averaged over `samples` articles), the
/// sign that the page layout changed and extraction now misses the body.
pub fn body_drift(article: &Article, usual_chars: Option<f64>, samples: u32) -> Option<String> {
    let usual = usual_chars.filter(|u| u.is_finite() && *u > 0.0)?;
    if samples < DRIFT_MIN_SAMPLES {
        return None;
    }
    let chars = article.body_chars();
    ((chars as f64) < usual * DRIFT_RATIO).then(|| {
        format!(
            "layout drift: article body is {chars} characters, the source's usual is {usual:.0}"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Quote, Section};
    use chrono::TimeZone;

    fn body(paragraphs: &[&str]) -> Vec<Section> {
        vec![Section {
            heading: None,
            paragraphs: paragraphs.iter().map(|p| p.to_string()).collect(),
        }]
    }

    #[test]
    fn full_text_keeps_the_feed_identity_and_takes_the_page_body() {
        let when = Utc.with_ymd_and_hms(2024, 9, 2, 0, 15, 0).unwrap();
        let item = Article {
            source_id: "people".into(),
            guid: "urn:people:123".into(),
            url: Some("http://news.example/a?utm_source=rss".into()),
            title: "嘉兴各界认真学习贯彻市委九届五次全会精神".into(),
            published_at: Some(when),
            lead: Some("摘要".into()),
            sections: body(&["摘要"]),
            ..Article::default()
        };
        let page = Article {
            guid: "gen:http://news.example/a".into(),
            title: "嘉兴各界认真学习贯彻市委九届五次全会精神_嘉兴日报".into(),
            subtitle: Some("迅速掀起“争当排头兵、谱写新篇章”热潮".into()),
            outlet: Some("嘉兴日报".into()),
            lead: Some("第一段。".into()),
            sections: body(&["第一段。", "第二段。"]),
            quotes: vec![Quote {
                speaker: Some("王亮".into()),
                role: Some("市委改革办常务副主任".into()),
                text: "改革".into(),
            }],
            ..Article::default()
        };
        let m = merge_full_text(item.clone(), page);
        assert_eq!(m.guid, "urn:people:123");
        assert_eq!(m.url, item.url);
        assert_eq!(m.title, item.title);
        assert_eq!(m.published_at, Some(when));
        assert_eq!(m.outlet.as_deref(), Some("嘉兴日报"));
        assert_eq!(
            m.subtitle.as_deref(),
            Some("迅速掀起“争当排头兵、谱写新篇章”热潮")
        );
        assert_eq!(m.paragraphs().count(), 2);
        assert_eq!(m.quotes.len(), 1);
        assert_eq!(m.content_hash, normalize::content_hash(&m));
        assert_ne!(m.content_hash, normalize::content_hash(&item));
    }

    #[test]
    fn listing_date_only_fills_a_gap() {
        let listed = Utc.with_ymd_and_hms(2024, 9, 1, 16, 0, 0).unwrap();
        let page_date = Utc.with_ymd_and_hms(2024, 9, 2, 0, 15, 0).unwrap();
        let a = settle_listed(Article::default(), "gen:x".into(), Some(listed));
        assert_eq!((a.guid.as_str(), a.published_at), ("gen:x", Some(listed)));
        let dated = Article {
            published_at: Some(page_date),
            ..Article::default()
        };
        let a = settle_listed(dated, "gen:x".into(), Some(listed));
        assert_eq!(a.published_at, Some(page_date));
    }

    #[test]
    fn drift_needs_a_trusted_baseline_and_a_ninety_percent_drop() {
        let short = Article {
            sections: body(&["短。"]),
            ..Article::default()
        };
        let normal = Article {
            sections: body(&[&"改革".repeat(400)]),
            ..Article::default()
        };
        assert_eq!(body_drift(&short, None, 0), None);
        assert_eq!(body_drift(&short, Some(800.0), DRIFT_MIN_SAMPLES - 1), None);
        let why = body_drift(&short, Some(800.0), DRIFT_MIN_SAMPLES).unwrap();
        assert!(
            why.starts_with("layout drift: article body is 2 characters"),
            "{why}"
        );
        assert_eq!(body_drift(&normal, Some(800.0), 50), None);
        // 81 of 800 characters is not yet a 90 % drop.
        let borderline = Article {
            sections: body(&[&"改".repeat(81)]),
            ..Article::default()
        };
        assert_eq!(body_drift(&borderline, Some(800.0), 50), None);
    }
}
