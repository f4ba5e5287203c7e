//! Pure: an article page (already decoded to UTF-8) → the shared `Article`.
//! Per-source selectors win; automatic main-content extraction otherwise;
//! Chinese news structure (引题/主题/副题, 来源/记者/责任编辑 lines, dates,
//! boilerplate, quotes) on top. No I/O.
//!
//! The steps, each in its own file: `dom` flattens the page into text
//! blocks, `heads` finds 引题/主题/副题, `content` picks the body container
//! by text density (or the source's `body` selector does), `meta` reads the
//! 来源/作者/发布时间 lines and drops boilerplate, [`quotes`] finds quoted
//! speech, `pages` finds the next page and joins multi-page articles.
//!
//! Why our own scoring rather than a crate: on `tests/fixtures/pages/`
//! rs-trafilatura 0.2 and dom_smoothie 0.19 both keep the 发布时间/来源/
//! 浏览次数 lines in the body, lose the section structure we need, and
//! dom_smoothie picks a link sidebar once a page carries ~50 KB of chrome;
//! rs-trafilatura is also ten times slower and brings a second html5ever.
//! The golden tests (`tests.rs`) print the body-text F1 per page.

mod content;
mod dom;
mod fields;
mod heads;
mod meta;
mod pagemeta;
mod paging;
pub mod quotes;
mod quotes_en;
mod strip;
#[cfg(test)]
mod tests;
mod title;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use scraper::{Html, Selector};
use url::Url;

use crate::config::ArticleRules;
use crate::document::normalize;
use crate::model::{Article, Section};

pub use paging::join_pages;
pub use quotes::find_quotes;

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
    /// Where each field came from, so a wrong one can be traced.
    pub provenance: Provenance,
}

/// Where the fields of an extracted article came from: `og:title`,
/// `h1+<title>`, `meta:article:published_time`, `line:来源`,
/// `selector:outlet` (a source rule), `div#content+2 siblings` …
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Provenance {
    /// The title's source, then the sources that agreed with it.
    pub title_from: String,
    /// The published time's source (a day completed by a later source
    /// that gave its time shows both: `meta:pubdate+line:date`).
    pub published_from: Option<String>,
    /// The outlet's source.
    pub outlet_from: Option<String>,
    /// The byline's source.
    pub byline_from: Option<String>,
    /// The element(s) the body was read from.
    pub body_from: String,
}

/// Why a page gave no article.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// Neither a title nor body text: not an article page. (A page with a
    /// body but no headline gets a stand-in title from its text.)
    #[error("no title and no article body found on the page")]
    NoTitle,
    /// No body text could be found.
    #[error("no article body found on the page")]
    NoBody,
    /// The source's `body` selector matched nothing: the page layout changed.
    #[error("the source's article body selector matches nothing on the page (layout changed?)")]
    BodySelectorMissed,
}

/// Extracts the article on `html`: per-source `rules` win field by field
/// (their `remove` selectors are dropped first), automatic extraction fills
/// the rest. Never panics on input; a page with no title or no body text is
/// an error, never an empty article.
pub fn extract_article(
    html: &str,
    ctx: &PageContext<'_>,
    rules: Option<&ArticleRules>,
) -> Result<ExtractedPage, ExtractError> {
    let stripped = strip::strip_inert(html, rules.is_none());
    let doc = Html::parse_document(&stripped.html);
    let skip: HashSet<usize> = rules
        .map(|r| {
            r.remove
                .iter()
                .flat_map(|s| doc.select(s))
                .map(|e| dom::key(&e))
                .collect()
        })
        .unwrap_or_default();
    let page = dom::walk(doc.root_element(), &skip);

    let pmeta = pagemeta::read(&doc, &stripped.json_ld, &stripped.scripts);
    let scores = content::score(&page, true);
    let containers = body_containers(&doc, &page, &scores, rules)?;
    let body_start = page
        .blocks
        .iter()
        .position(|b| containers.iter().any(|&c| page.is_within(b.elem, c)));
    let mut heads = heads::find_heads(&doc, &page, &pmeta, body_start, &skip).unwrap_or_default();
    if let Some(r) = rules {
        if let Some(t) = r.title.as_ref().and_then(|s| first_text(&doc, s, &skip)) {
            heads.title = t;
        }
        if let Some(t) = r.kicker.as_ref().and_then(|s| first_text(&doc, s, &skip)) {
            heads.kicker = Some(t);
        }
        if let Some(t) = r.subtitle.as_ref().and_then(|s| first_text(&doc, s, &skip)) {
            heads.subtitle = Some(t);
        }
    }

    let mut body = read_body(&page, &scores, &containers, &heads, false);
    let automatic = rules.and_then(|r| r.body.as_ref()).is_none();
    if automatic && body.chars < MIN_BODY_CHARS {
        // Readability's second try: a wrapper or gallery named like
        // furniture (`has-sidebar`, `legends`) may hold the article.
        let scores = content::score(&page, false);
        let containers = body_containers(&doc, &page, &scores, rules)?;
        let second = read_body(&page, &scores, &containers, &heads, false);
        if second.chars > body.chars {
            body = second;
        }
    }
    let mut body_from = describe(&page, &containers, automatic);
    if automatic && body.sections.iter().all(|s| s.paragraphs.is_empty()) {
        // Nothing reads like an article container (a page of a few short
        // lines): whatever text the page shows is its body.
        body = read_body(&page, &scores, &[0], &heads, true);
        body_from = "whole page (no container)".into();
    }
    if body.sections.iter().all(|s| s.paragraphs.is_empty()) {
        return Err(if heads.title.is_empty() {
            ExtractError::NoTitle
        } else {
            ExtractError::NoBody
        });
    }
    if heads.title.is_empty() {
        // A page with an article but no headline anywhere: its first
        // heading, else the opening of its first paragraph.
        heads.title = untitled(&body.sections);
        heads.title_from = "stand-in (no title on the page)".into();
        if heads.title.is_empty() {
            return Err(ExtractError::NoTitle);
        }
    }
    let areas = fields::areas(&page, &heads.title, body.span, &body.meta_lines);
    let mut found = fields::find(&doc, &pmeta, &areas, ctx.timezone);
    if let Some(r) = rules {
        let rule = |from: &str| format!("selector:{from}");
        if let Some(t) = r.date.as_ref().and_then(|s| first_text(&doc, s, &skip)) {
            if let Some(d) = meta::parse_first_date(&t, ctx.timezone) {
                found.published_at = Some((d, rule("date")));
            }
        }
        if let Some(t) = r.byline.as_ref().and_then(|s| first_text(&doc, s, &skip)) {
            found.byline = Some(meta::strip_label(&t))
                .filter(|b| !b.is_empty())
                .map(|b| (b, rule("byline")));
        }
        if let Some(t) = r.outlet.as_ref().and_then(|s| first_text(&doc, s, &skip)) {
            found.outlet = Some(meta::strip_label(&t))
                .filter(|o| !o.is_empty())
                .map(|o| (o, rule("outlet")));
        }
    }
    let provenance = Provenance {
        title_from: heads.title_from.clone(),
        published_from: found.published_at.as_ref().map(|f| f.1.clone()),
        outlet_from: found.outlet.as_ref().map(|f| f.1.clone()),
        byline_from: found.byline.as_ref().map(|f| f.1.clone()),
        body_from,
    };

    let paragraphs: Vec<String> = body
        .sections
        .iter()
        .flat_map(|s| s.paragraphs.iter().cloned())
        .collect();
    let canonical = normalize::canonical_url(ctx.url);
    let mut article = Article {
        source_id: ctx.source_id.to_string(),
        url: Some(ctx.url.to_string()),
        guid: normalize::generated_guid(&canonical),
        canonical_url: Some(canonical),
        kicker: heads.kicker,
        title: heads.title,
        subtitle: heads.subtitle,
        byline: found.byline.map(|f| f.0),
        outlet: found.outlet.map(|f| f.0),
        published_at: found.published_at.map(|f| f.0),
        fetched_at: ctx.fetched_at,
        language: Some(language(&paragraphs).to_string()),
        lead: paragraphs.first().cloned(),
        quotes: quotes::find_quotes(&paragraphs),
        sections: body.sections,
        revision: 1,
        ..Article::default()
    };
    article.content_hash = normalize::content_hash(&article);
    Ok(ExtractedPage {
        article,
        next_page: paging::next_page(&doc, &page, ctx.url),
        provenance,
    })
}

/// `div#content.article-body+2 siblings`, or `selector:body`.
fn describe(page: &dom::Page, containers: &[usize], automatic: bool) -> String {
    let Some(&first) = containers.first() else {
        return "none".into();
    };
    let e = &page.elems[first];
    let mut out = if automatic {
        String::new()
    } else {
        "selector:body ".into()
    };
    out.push_str(e.tag());
    if let Some(id) = e.el.value().id() {
        out.push('#');
        out.push_str(id);
    }
    for c in e.el.value().classes().take(2) {
        out.push('.');
        out.push_str(c);
    }
    if containers.len() > 1 {
        out.push_str(&format!("+{} siblings", containers.len() - 1));
    }
    out
}

/// Longest stand-in title, in characters.
const MAX_STAND_IN_TITLE: usize = 80;

/// A title for a page that prints none: its first heading, else the first sentence of its first paragraph
/// that has a letter or digit in it (a paragraph may open with a stray
/// `!` or `。`), else that paragraph's opening; empty only when the body
/// has no letter or digit at all.
fn untitled(sections: &[Section]) -> String {
    let has_word = |t: &str| t.chars().any(char::is_alphanumeric);
    if let Some(h) = sections
        .iter()
        .filter_map(|s| s.heading.as_deref())
        .find(|h| has_word(h))
    {
        return h.trim().to_string();
    }
    let Some(first) = sections
        .iter()
        .flat_map(|s| s.paragraphs.iter())
        .find(|p| has_word(p))
    else {
        return String::new();
    };
    let sentence = first
        .split(['。', '！', '？', '.', '!', '?'])
        .find(|piece| has_word(piece))
        .unwrap_or(first);
    sentence.trim().chars().take(MAX_STAND_IN_TITLE).collect()
}

/// Text of the first element `sel` matches that the rules did not remove.
fn first_text(doc: &Html, sel: &Selector, skip: &HashSet<usize>) -> Option<String> {
    doc.select(sel)
        .filter(|e| !heads::is_skipped(e, skip))
        .map(|e| dom::element_text(&e))
        .find(|t| !t.is_empty())
}

/// The element(s) holding the body: the `body` selector's matches, else
/// the best-scored container and the siblings that continue it (none when
/// no block reads like article text).
fn body_containers(
    doc: &Html,
    page: &dom::Page,
    scores: &content::Scores,
    rules: Option<&ArticleRules>,
) -> Result<Vec<usize>, ExtractError> {
    if let Some(sel) = rules.and_then(|r| r.body.as_ref()) {
        let index: HashMap<usize, usize> = page
            .elems
            .iter()
            .enumerate()
            .map(|(i, e)| (dom::key(&e.el), i))
            .collect();
        let found: Vec<usize> = doc
            .select(sel)
            .filter_map(|e| index.get(&dom::key(&e)).copied())
            .collect();
        if found.is_empty() {
            return Err(ExtractError::BodySelectorMissed);
        }
        return Ok(found);
    }
    Ok(content::main_container(page, scores)
        .map(|top| content::with_siblings(page, scores, top))
        .unwrap_or_default())
}

/// The body as sections, plus where it sits among the page's blocks.
struct Body {
    sections: Vec<Section>,
    /// Index of the first and one past the last block inside the containers.
    span: (usize, usize),
    /// Furniture lines found inside the containers (来源, 作者 …).
    meta_lines: Vec<usize>,
    /// Non-blank characters of the paragraphs.
    chars: usize,
}

/// A body shorter than this (in non-blank characters) is tried again
/// without dropping furniture-named elements.
const MIN_BODY_CHARS: usize = 250;

/// Section headings are short; longer bold lines are emphasised prose.
const MAX_HEADING_CHARS: usize = 40;

fn read_body(
    page: &dom::Page,
    scores: &content::Scores,
    containers: &[usize],
    heads: &heads::Heads,
    loose: bool,
) -> Body {
    let mut sections = vec![Section::default()];
    let mut meta_lines = Vec::new();
    let mut span: Option<(usize, usize)> = None;
    let mut chars = 0;
    for (i, b) in page.blocks.iter().enumerate() {
        let Some(&container) = containers.iter().find(|&&c| page.is_within(b.elem, c)) else {
            continue;
        };
        // Furniture inside the container (share bars, captions, related links).
        if scores.junk[b.elem] && !scores.junk[container] && !loose {
            continue;
        }
        span = Some(span.map_or((i, i + 1), |(s, _)| (s, i + 1)));
        let text = b.text.as_str();
        if meta::ends_article(text) {
            break;
        }
        if b.chrome
            || text == heads.title
            || heads.kicker.as_deref() == Some(text)
            || heads.subtitle.as_deref() == Some(text)
            || meta::is_boilerplate(text)
            // A counter or page number alone (`4`, `1/10`), a tag list.
            || !text.chars().any(char::is_alphabetic)
            || meta::is_tag_list(text)
            || (b.link_ratio() > 0.5 && b.chars < 80 && !loose)
        {
            continue;
        }
        if meta::read_line(text).labelled || meta::is_reporter_line(text) {
            meta_lines.push(i);
            continue;
        }
        let bold = b.strong_chars * 10 >= b.chars * 9;
        if (b.heading || bold)
            && b.chars <= MAX_HEADING_CHARS
            && !meta::ends_sentence(text)
            && !loose
        {
            sections.push(Section {
                heading: Some(text.to_string()),
                paragraphs: Vec::new(),
            });
            continue;
        }
        if let Some(last) = sections.last_mut() {
            last.paragraphs.push(text.to_string());
            chars += b.chars;
        }
    }
    sections.retain(|s| s.heading.is_some() || !s.paragraphs.is_empty());
    Body {
        sections,
        span: span.unwrap_or((0, 0)),
        meta_lines,
        chars,
    }
}

/// `zh` when Han characters make up a fair share of the text, else `en`.
fn language(paragraphs: &[String]) -> &'static str {
    let (mut han, mut letters) = (0usize, 0usize);
    for c in paragraphs.iter().flat_map(|p| p.chars()) {
        if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
            han += 1;
        } else if c.is_ascii_alphabetic() {
            letters += 1;
        }
    }
    // A Han character carries about as much as a four-letter word.
    if han * 4 >= letters {
        "zh"
    } else {
        "en"
    }
}
