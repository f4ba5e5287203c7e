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
mod heads;
mod meta;
mod paging;
pub mod quotes;
mod strip;
#[cfg(test)]
mod tests;

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
    let stripped = strip::strip_inert(html);
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

    let mut heads = heads::find_heads(&doc, &page, &skip).unwrap_or_default();
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

    let scores = content::score(&page, true);
    let containers = body_containers(&doc, &page, &scores, rules)?;
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
    if automatic && body.sections.iter().all(|s| s.paragraphs.is_empty()) {
        // Nothing reads like an article container (a page of a few short
        // lines): whatever text the page shows is its body.
        body = read_body(&page, &scores, &[0], &heads, true);
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
    }
    let mut found = page_meta(&page, &body, &heads, &doc, ctx.timezone);
    if let Some(r) = rules {
        if let Some(t) = r.date.as_ref().and_then(|s| first_text(&doc, s, &skip)) {
            found.published_at = meta::parse_first_date(&t, ctx.timezone).or(found.published_at);
        }
        if let Some(t) = r.byline.as_ref().and_then(|s| first_text(&doc, s, &skip)) {
            found.byline = Some(meta::strip_label(&t)).filter(|b| !b.is_empty());
        }
        if let Some(t) = r.outlet.as_ref().and_then(|s| first_text(&doc, s, &skip)) {
            found.outlet = Some(meta::strip_label(&t)).filter(|o| !o.is_empty());
        }
    }

    let paragraphs: Vec<String> = body
        .sections
        .iter()
        .flat_map(|s| s.paragraphs.iter().cloned())
        .collect();
    let canonical = normalize::canonical_url(ctx.url);
    let mut article = Article {
        source_id: ctx.source_id.to_string(),
        url: Some(ctx.url.to_string()),
        guid: format!("gen:{canonical}"),
        canonical_url: Some(canonical),
        kicker: heads.kicker,
        title: heads.title,
        subtitle: heads.subtitle,
        byline: found.byline,
        outlet: found.outlet,
        published_at: found.published_at,
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
    })
}

/// Longest stand-in title, in characters.
const MAX_STAND_IN_TITLE: usize = 80;

/// A title for a page that prints none.
fn untitled(sections: &[Section]) -> String {
    if let Some(h) = sections.iter().find_map(|s| s.heading.as_ref()) {
        return h.clone();
    }
    let first = sections
        .iter()
        .flat_map(|s| s.paragraphs.iter())
        .next()
        .map_or("", String::as_str);
    let sentence = first
        .find(['。', '！', '？', '.', '!', '?'])
        .map_or(first, |i| &first[..i]);
    sentence.chars().take(MAX_STAND_IN_TITLE).collect()
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

/// Outlet, byline and published time found around (and inside) the body.
#[derive(Default)]
struct Found {
    outlet: Option<String>,
    byline: Option<String>,
    published_at: Option<DateTime<Utc>>,
}

/// How many blocks before and after the body are read for furniture.
const META_WINDOW: usize = 15;

/// `<meta>` names and properties that carry the published time.
const META_DATE_NAMES: &[&str] = &[
    "pubdate",
    "publishdate",
    "firstpublishedtime",
    "article:published_time",
    "datepublished",
];

fn page_meta(page: &dom::Page, body: &Body, heads: &heads::Heads, doc: &Html, tz: Tz) -> Found {
    let (start, end) = body.span;
    // The headline block onwards (else a window) up to the body.
    let head_from = page.blocks[..start]
        .iter()
        .rposition(|b| b.text == heads.title)
        .unwrap_or(start.saturating_sub(META_WINDOW));
    let usable = |i: &usize| !page.blocks[*i].chrome;
    let head: Vec<usize> = (head_from..start).filter(usable).collect();
    let tail: Vec<usize> = (end..(end + META_WINDOW).min(page.blocks.len()))
        .filter(usable)
        .collect();
    let read = |idx: &[usize]| -> Vec<meta::LineMeta> {
        idx.iter()
            .map(|&i| meta::read_line(&page.blocks[i].text))
            .collect()
    };
    let (head, inside, tail) = (read(&head), read(&body.meta_lines), read(&tail));
    let all = || head.iter().chain(inside.iter()).chain(tail.iter());

    let parse = |s: &Option<String>| {
        s.as_deref()
            .and_then(|d| crate::document::dates::parse_date(d, tz))
    };
    // A `<meta>` date with a time beats a date printed near the headline;
    // a bare `<meta>` day does not.
    let meta_tag = |with_time: bool| {
        dom::head_children(doc.root_element())
            .filter(|m| {
                let e = m.value();
                e.name() == "meta"
                    && [e.attr("name"), e.attr("property"), e.attr("itemprop")]
                        .into_iter()
                        .flatten()
                        .any(|n| META_DATE_NAMES.iter().any(|w| n.eq_ignore_ascii_case(w)))
            })
            .filter_map(|m| m.value().attr("content"))
            .filter(|c| c.contains(':') == with_time)
            .find_map(|c| crate::document::dates::parse_date(c, tz))
    };
    let published_at = head
        .iter()
        .find_map(|m| parse(&m.labelled_date))
        .or_else(|| meta_tag(true))
        .or_else(|| head.iter().find_map(|m| parse(&m.date)))
        .or_else(|| meta_tag(false))
        .or_else(|| {
            inside
                .iter()
                .chain(tail.iter())
                .find_map(|m| parse(&m.labelled_date))
        });
    Found {
        outlet: all().find_map(|m| m.outlet.clone()),
        byline: all().find_map(|m| m.byline.clone()),
        published_at,
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
