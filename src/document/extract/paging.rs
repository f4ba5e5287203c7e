//! Pure: articles split over several pages. Owns finding the next page's
//! link (link text `下一页`, or the `content_123_2.htm` numbering of the
//! current URL) and joining the pages' articles into one. Fetching the
//! pages, and bounding how many, is the caller's.

use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Html};
use url::Url;

use super::dom::{head_children, Page};

use crate::document::normalize;
use crate::model::Article;

/// `content_123.htm`, `content_123_2.htm`: stem (ending in the article's
/// number), optional page number, extension.
static NUMBERED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<stem>.*?\d)(?:_(?P<n>\d{1,2}))?\.(?P<ext>s?html?|jsp|php|aspx?)$")
        .expect("static regex")
});

/// Link texts that mean "next page" (not 下一篇, the next article).
const NEXT_TEXTS: &[&str] = &["下一页", "下页", "后一页", "下一頁", "next page", "next"];

/// The next page of a multi-page article on `page`, if it links one.
pub(crate) fn next_page(doc: &Html, page: &Page<'_>, page_url: &Url) -> Option<Url> {
    let base = head_children(doc.root_element())
        .find(|e| e.value().name() == "base")
        .and_then(|b| b.value().attr("href"))
        .and_then(|h| page_url.join(h).ok())
        .unwrap_or_else(|| page_url.clone());
    let expected = numbered_successor(page_url);
    let expected_file = expected
        .as_deref()
        .and_then(|p| p.rsplit('/').next())
        .unwrap_or("\0");
    let mut by_number = None;
    for a in page.elems.iter().filter(|e| e.tag() == "a").map(|e| e.el) {
        let Some(href) = a.value().attr("href").map(str::trim) else {
            continue;
        };
        // Cheap tests first: most links are neither.
        let by_text = short_text_is_next(&a);
        if !by_text && (by_number.is_some() || !href.ends_with(expected_file)) {
            continue;
        }
        let Ok(target) = base.join(href) else {
            continue;
        };
        if !matches!(target.scheme(), "http" | "https") || same_page(&target, page_url) {
            continue;
        }
        if by_text {
            return Some(target);
        }
        if expected.as_deref() == Some(target.path()) {
            by_number = Some(target);
        }
    }
    by_number
}

/// Whether a link's text is one of [`NEXT_TEXTS`], reading at most a few bytes.
fn short_text_is_next(a: &ElementRef<'_>) -> bool {
    let mut text = String::new();
    for piece in a.text() {
        text.push_str(piece);
        if text.len() > 32 {
            return false;
        }
    }
    let text = text.trim();
    NEXT_TEXTS.iter().any(|t| text.eq_ignore_ascii_case(t))
}

/// The path of the page after this one in `stem_N.ext` numbering.
fn numbered_successor(url: &Url) -> Option<String> {
    let path = url.path();
    let (dir, file) = path.rsplit_once('/')?;
    let caps = NUMBERED.captures(file)?;
    let n: u32 = caps
        .name("n")
        .map_or(Some(1), |m| m.as_str().parse().ok())?;
    Some(format!(
        "{dir}/{}_{}.{}",
        &caps["stem"],
        n + 1,
        &caps["ext"]
    ))
}

fn same_page(a: &Url, b: &Url) -> bool {
    a.host_str() == b.host_str() && a.path() == b.path() && a.query() == b.query()
}

/// Joins the later pages of an article onto its first page: their sections
/// are appended (a page's heading-less opening continues the last section),
/// their quotes appended, and the content hash recomputed. The caller
/// bounds how many pages it fetches.
pub fn join_pages(first: Article, rest: Vec<Article>) -> Article {
    let mut article = first;
    for page in rest {
        for section in page.sections {
            match article.sections.last_mut() {
                Some(last) if section.heading.is_none() => {
                    last.paragraphs.extend(section.paragraphs);
                }
                _ => article.sections.push(section),
            }
        }
        article.quotes.extend(page.quotes);
        if article.lead.is_none() {
            article.lead = page.lead;
        }
    }
    article.content_hash = normalize::content_hash(&article);
    article
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_successor_follows_the_cms_pattern() {
        let u = Url::parse("http://h/2024-09/03/content_123.htm").expect("url");
        assert_eq!(
            numbered_successor(&u).as_deref(),
            Some("/2024-09/03/content_123_2.htm")
        );
        let u = Url::parse("http://h/a/content_123_2.htm").expect("url");
        assert_eq!(
            numbered_successor(&u).as_deref(),
            Some("/a/content_123_3.htm")
        );
    }

    #[test]
    fn next_article_link_is_not_a_next_page() {
        let doc = Html::parse_document(
            r#"<a href="/b.html">下一篇：城区道路提升</a><a href="content_9_2.htm">2</a>"#,
        );
        let page = super::super::dom::walk(doc.root_element(), &Default::default());
        let u = Url::parse("http://h/x/content_9.htm").expect("url");
        assert_eq!(
            next_page(&doc, &page, &u).map(|u| u.to_string()).as_deref(),
            Some("http://h/x/content_9_2.htm")
        );
        let u = Url::parse("http://h/x/other.htm").expect("url");
        assert_eq!(next_page(&doc, &page, &u), None);
    }
}
