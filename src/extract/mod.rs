//! Pure: an article page (already decoded to UTF-8) → the shared `Article`.
//! Per-source selectors win; automatic main-content extraction otherwise;
//! Chinese news structure (引题/主题/副题, 来源/记者/责任编辑 lines, dates,
//! boilerplate, quotes) on top. No I/O.
//!
//! SKELETON: the extraction helper replaces the body of `extract_article`.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use url::Url;

use crate::config::ArticleRules;
use crate::model::{Article, Section};
use crate::normalize;

/// What extraction needs to know about the page besides its HTML.
#[derive(Debug, Clone)]
pub struct PageContext<'a> {
    /// Source id the article belongs to.
    pub source_id: &'a str,
    /// The page URL (after redirects); relative links resolve against it.
    pub url: &'a Url,
    /// Zone for dates printed without one.
    pub timezone: Tz,
    /// When the page was fetched.
    pub fetched_at: DateTime<Utc>,
}

/// One extracted page.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtractedPage {
    /// The article as found on this page (`guid` = `gen:` + canonical URL).
    pub article: Article,
    /// The next page of a multi-page article (`content_123_2.htm`, 下一页).
    pub next_page: Option<Url>,
}

/// Why a page gave no article.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// No title could be found.
    #[error("no title found on the page")]
    NoTitle,
    /// No body text could be found.
    #[error("no article body found on the page")]
    NoBody,
}

/// Extracts the article on `html`.
pub fn extract_article(
    html: &str,
    ctx: &PageContext<'_>,
    rules: Option<&ArticleRules>,
) -> Result<ExtractedPage, ExtractError> {
    let _ = rules;
    let doc = scraper::Html::parse_document(html);
    let sel = |s: &str| scraper::Selector::parse(s).expect("static selector");
    let title = doc
        .select(&sel("h1"))
        .next()
        .or_else(|| doc.select(&sel("title")).next())
        .map(|e| normalize::clean_inline(&e.text().collect::<String>()))
        .filter(|t| !t.is_empty())
        .ok_or(ExtractError::NoTitle)?;
    let paragraphs: Vec<String> = doc
        .select(&sel("p"))
        .map(|e| normalize::clean_inline(&e.text().collect::<String>()))
        .filter(|p| !p.is_empty())
        .collect();
    if paragraphs.is_empty() {
        return Err(ExtractError::NoBody);
    }
    let canonical = normalize::canonical_url(ctx.url);
    let mut article = Article {
        source_id: ctx.source_id.to_string(),
        url: Some(ctx.url.to_string()),
        guid: format!("gen:{canonical}"),
        canonical_url: Some(canonical),
        title,
        lead: paragraphs.first().cloned(),
        sections: vec![Section {
            heading: None,
            paragraphs,
        }],
        fetched_at: ctx.fetched_at,
        revision: 1,
        ..Article::default()
    };
    article.content_hash = normalize::content_hash(&article);
    Ok(ExtractedPage {
        article,
        next_page: None,
    })
}
