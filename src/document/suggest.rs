//! Pure: what a web page offers as a source, for `sources add`. Its own
//! feeds (`<link rel="alternate">` of an RSS, Atom or JSON Feed type), the
//! paths where sites commonly put one, and, for a page with no feed, the
//! shape of its article links as a `link_pattern`: links on the page's
//! host whose path carries a date or an id, generalised digit run by digit
//! run, the most frequent shape winning. No I/O.

use std::collections::HashMap;

use scraper::{Html, Selector};
use url::Url;

use crate::document::discover::{base_url, resolve};

/// Where sites commonly serve a feed, tried when a page names none.
pub const COMMON_FEED_PATHS: [&str; 6] = [
    "/feed",
    "/rss",
    "/rss.xml",
    "/atom.xml",
    "/feed.xml",
    "/index.xml",
];

/// A feed a page links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedLink {
    /// The feed's absolute URL.
    pub url: Url,
    /// Its `title` attribute, if any.
    pub title: Option<String>,
    /// Its `type` attribute, e.g. `application/rss+xml`.
    pub media_type: String,
}

/// The feeds `html` (served at `page_url`) announces, in page order,
/// each once.
pub fn alternate_feeds(html: &str, page_url: &Url) -> Vec<FeedLink> {
    let doc = Html::parse_document(html);
    let base = base_url(&doc, page_url);
    let sel = Selector::parse("link[href][type]").expect("static selector");
    let mut out: Vec<FeedLink> = Vec::new();
    for link in doc.select(&sel) {
        let rel = link.attr("rel").unwrap_or_default().to_ascii_lowercase();
        if !rel.split_ascii_whitespace().any(|r| r == "alternate") {
            continue;
        }
        let media_type = link
            .attr("type")
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if !is_feed_type(&media_type) {
            continue;
        }
        let Some(url) = resolve(&base, link.attr("href").unwrap_or_default()) else {
            continue;
        };
        if out.iter().any(|f| f.url == url) {
            continue;
        }
        out.push(FeedLink {
            url,
            title: link
                .attr("title")
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
            media_type,
        });
    }
    out
}

/// RSS, Atom, RDF and JSON Feed media types.
fn is_feed_type(media_type: &str) -> bool {
    matches!(
        media_type.split(';').next().unwrap_or_default().trim(),
        "application/rss+xml"
            | "application/atom+xml"
            | "application/rdf+xml"
            | "application/feed+json"
            | "application/json"
    )
}

/// The page's `<title>`, trimmed, if it has one.
pub fn page_title(html: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse("title").expect("static selector");
    let title: String = doc.select(&sel).next()?.text().collect();
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    (!title.is_empty()).then_some(title)
}

/// A `link_pattern` inferred from a page's article links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InferredPattern {
    /// The regular expression, anchored, matched against absolute URLs.
    pub pattern: String,
    /// How many distinct links on the page have this shape.
    pub links: usize,
}

/// The most frequent shape of the article-like links of `html` (served at
/// `page_url`): same host, a run of at least four digits (a year, a date,
/// an id) in the path or query. Each digit run becomes `\d+`, everything
/// else is matched literally. `None` when no link looks like an article.
pub fn infer_link_pattern(html: &str, page_url: &Url) -> Option<InferredPattern> {
    let doc = Html::parse_document(html);
    let base = base_url(&doc, page_url);
    let sel = Selector::parse("a[href]").expect("static selector");
    let mut seen: Vec<Url> = Vec::new();
    // shape → (count, first position), so ties go to the earlier shape.
    let mut shapes: HashMap<String, (usize, usize)> = HashMap::new();
    for a in doc.select(&sel) {
        let Some(mut url) = resolve(&base, a.attr("href").unwrap_or_default()) else {
            continue;
        };
        url.set_fragment(None);
        if url.host_str() != page_url.host_str() || seen.contains(&url) {
            continue;
        }
        seen.push(url.clone());
        let tail = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        if !has_digit_run(&tail, 4) {
            continue;
        }
        let at = shapes.len();
        shapes.entry(shape(&tail)).or_insert((0, at)).0 += 1;
    }
    let (tail, (links, _)) = shapes
        .into_iter()
        .max_by(|(_, (n1, at1)), (_, (n2, at2))| n1.cmp(n2).then(at2.cmp(at1)))?;
    let origin = match page_url.port() {
        Some(port) => format!("{}:{port}", page_url.host_str().unwrap_or_default()),
        None => page_url.host_str().unwrap_or_default().to_owned(),
    };
    Some(InferredPattern {
        pattern: format!("^https?://{}{tail}$", regex::escape(&origin)),
        links,
    })
}

/// Whether `s` holds `n` or more ASCII digits in a row.
fn has_digit_run(s: &str, n: usize) -> bool {
    s.split(|c: char| !c.is_ascii_digit())
        .any(|run| run.len() >= n)
}

/// `s` as a regular expression: digit runs as `\d+`, the rest literal.
fn shape(s: &str) -> String {
    let mut out = String::new();
    let mut literal = String::new();
    let mut in_digits = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push_str(&regex::escape(&literal));
                literal.clear();
                out.push_str(r"\d+");
                in_digits = true;
            }
        } else {
            in_digits = false;
            literal.push(c);
        }
    }
    out.push_str(&regex::escape(&literal));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn alternate_links_of_feed_types_are_found_once() {
        let html = r#"<html><head>
            <link rel="stylesheet" type="text/css" href="/s.css">
            <link rel="alternate" type="application/rss+xml" title="要闻" href="/rss/news.xml">
            <link rel="Alternate" type="application/atom+xml" href="atom.xml">
            <link rel="alternate" type="application/rss+xml" href="/rss/news.xml">
            <link rel="alternate" hreflang="en" type="text/html" href="/en/">
            </head></html>"#;
        let found = alternate_feeds(html, &url("http://a.cn/news/index.html"));
        let urls: Vec<&str> = found.iter().map(|f| f.url.as_str()).collect();
        assert_eq!(
            urls,
            ["http://a.cn/rss/news.xml", "http://a.cn/news/atom.xml"]
        );
        assert_eq!(found[0].title.as_deref(), Some("要闻"));
    }

    #[test]
    fn the_most_frequent_article_shape_wins() {
        let html = r#"<a href="/">首页</a><a href="/zwgk/">政务公开</a>
            <a href="/col/col1229/index.html">栏目</a>
            <a href="2024-09/01/content_101.htm">一</a>
            <a href="2024-09/02/content_2345.htm">二</a>
            <a href="/news/2024-09/03/content_9.htm#top">三</a>
            <a href="http://other.cn/2024-09/03/content_7.htm">外站</a>
            <a href="index_2.html">下一页</a>"#;
        let got = infer_link_pattern(html, &url("http://a.cn:8080/news/index.html")).unwrap();
        assert_eq!(
            got.pattern,
            r"^https?://a\.cn:8080/news/\d+\-\d+/\d+/content_\d+\.htm$"
        );
        assert_eq!(got.links, 3);
        let re = regex::Regex::new(&got.pattern).unwrap();
        assert!(re.is_match("http://a.cn:8080/news/2024-10/11/content_55.htm"));
        assert!(!re.is_match("http://a.cn:8080/col/col1229/index.html"));
    }

    #[test]
    fn a_page_without_article_links_has_no_pattern() {
        let html = r#"<a href="/">首页</a><a href="index_2.html">下一页</a>"#;
        assert_eq!(infer_link_pattern(html, &url("http://a.cn/")), None);
    }
}
