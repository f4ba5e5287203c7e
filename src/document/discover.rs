//! Pure: a listing page of a `kind = "html"` source → the article links on
//! it, as [`Candidate`]s with absolute http(s) URLs and, when the listing
//! shows them, a title and a date. Owns link resolution (against the page
//! URL and `<base href>`), de-duplication within a page, leaving out
//! downloads (附件 such as `.pdf`, `.doc`) and the cap on links per page. A
//! listing where the rules find nothing is [`DiscoverError::NothingMatched`]:
//! the site's layout changed, which is a source error, never "no news".
//! No I/O.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use scraper::{ElementRef, Html, Selector};
use url::Url;

use crate::config::ListRules;
use crate::document::dates;
use crate::document::normalize;
use crate::model::Candidate;

/// Most candidates taken from one listing page; the rest are ignored.
pub const MAX_CANDIDATES: usize = 500;

/// What a listing page gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    /// Distinct article links in page order, at most [`MAX_CANDIDATES`].
    pub candidates: Vec<Candidate>,
    /// Elements the rules matched before de-duplication: `item` elements
    /// with selectors, links matching `link_pattern` without. For
    /// `test-source`'s "matches too much or too little" warnings.
    pub matched: usize,
    /// True when more than [`MAX_CANDIDATES`] distinct links were found.
    pub truncated: bool,
}

/// Why a listing page gave no candidates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscoverError {
    /// The rules found no article link: the page's layout has drifted away
    /// from the configured selectors or pattern.
    #[error("layout drift: {what} on {url}")]
    NothingMatched {
        /// The listing page.
        url: String,
        /// Which rule found nothing.
        what: String,
    },
}

/// Finds the article links on listing page `html`, fetched from `page_url`.
/// Dates shown without a zone are read in `tz`.
pub fn discover(
    html: &str,
    page_url: &Url,
    rules: &ListRules,
    tz: Tz,
) -> Result<Listing, DiscoverError> {
    let doc = Html::parse_document(html);
    let base = base_url(&doc, page_url);
    let page = normalize::canonical_url(page_url);
    let mut found = Found::new(page);
    let matched = match &rules.item {
        Some(item) => by_selectors(&doc, item, rules, &base, tz, &mut found),
        None => by_pattern(&doc, rules.link_pattern.as_ref(), &base, &mut found),
    };
    if found.list.is_empty() {
        let what = match (&rules.item, matched) {
            (Some(_), 0) => "the `[sources.list] item` selector matched nothing".to_owned(),
            (Some(_), n) => format!(
                "the `[sources.list] item` selector matched {n} element{} but none holds an \
                 article link{}",
                if n == 1 { "" } else { "s" },
                if rules.link_pattern.is_some() {
                    " matching `link_pattern`"
                } else {
                    ""
                }
            ),
            (None, _) => "no link matches `link_pattern`".to_owned(),
        };
        return Err(DiscoverError::NothingMatched {
            url: page_url.to_string(),
            what,
        });
    }
    Ok(Listing {
        truncated: found.truncated,
        candidates: found.list,
        matched,
    })
}

/// Candidates collected so far, de-duplicated on the canonical URL.
struct Found {
    page: String,
    list: Vec<Candidate>,
    index: HashMap<String, usize>,
    truncated: bool,
}

impl Found {
    fn new(page: String) -> Self {
        Found {
            page,
            list: Vec::new(),
            index: HashMap::new(),
            truncated: false,
        }
    }

    /// Adds `c`; a repeated link keeps its first place and only fills in a
    /// title or date the first occurrence lacked (an image link before the
    /// text link to the same article is common).
    fn push(&mut self, url: Url, title: Option<String>, published_at: Option<DateTime<Utc>>) {
        let key = normalize::canonical_url(&url);
        if key == self.page {
            // A listing linking to itself (a fragment, "this page") is never an article.
            return;
        }
        if let Some(&i) = self.index.get(&key) {
            let first = &mut self.list[i];
            if first.title.is_none() {
                first.title = title;
            }
            if first.published_at.is_none() {
                first.published_at = published_at;
            }
            return;
        }
        if self.list.len() >= MAX_CANDIDATES {
            self.truncated = true;
            return;
        }
        self.index.insert(key.clone(), self.list.len());
        self.list.push(Candidate {
            guid: normalize::generated_guid(&key),
            canonical_url: Some(key),
            url: Some(url),
            title,
            published_at,
            item: None,
        });
    }
}

/// `item` elements, each with its link, title and date. Returns how many
/// items matched.
fn by_selectors(
    doc: &Html,
    item: &Selector,
    rules: &ListRules,
    base: &Url,
    tz: Tz,
    found: &mut Found,
) -> usize {
    let mut matched = 0;
    for el in doc.select(item) {
        matched += 1;
        let link = match &rules.link {
            Some(sel) => el.select(sel).find(|a| a.attr("href").is_some()),
            None if el.value().name() == "a" && el.attr("href").is_some() => Some(el),
            // The first link with text: listings often put an image link first.
            None => el
                .select(anchor())
                .find(|a| text_of(a).is_some())
                .or_else(|| el.select(anchor()).next()),
        };
        let Some(link) = link else { continue };
        let Some(url) = resolve(base, link.attr("href").unwrap_or_default()) else {
            continue;
        };
        if is_download(&url) {
            continue;
        }
        if rules
            .link_pattern
            .as_ref()
            .is_some_and(|p| !p.is_match(url.as_str()))
        {
            continue;
        }
        let title = match &rules.title {
            Some(sel) => el.select(sel).next().and_then(|t| text_of(&t)),
            None => None,
        }
        .or_else(|| text_of(&link))
        .or_else(|| link.attr("title").and_then(clean));
        let published_at = rules
            .date
            .as_ref()
            .and_then(|sel| el.select(sel).next())
            .and_then(|d| date_of(&d, tz));
        found.push(url, title, published_at);
    }
    matched
}

/// Every `<a href>` whose absolute URL matches `pattern`. Returns how many
/// links matched.
fn by_pattern(doc: &Html, pattern: Option<&regex::Regex>, base: &Url, found: &mut Found) -> usize {
    // Config validation guarantees an html source has selectors or a pattern.
    let Some(pattern) = pattern else { return 0 };
    let mut matched = 0;
    for a in doc.select(anchor()) {
        let Some(url) = resolve(base, a.attr("href").unwrap_or_default()) else {
            continue;
        };
        if !pattern.is_match(url.as_str()) || is_download(&url) {
            continue;
        }
        matched += 1;
        let title = text_of(&a).or_else(|| a.attr("title").and_then(clean));
        found.push(url, title, None);
    }
    matched
}

fn anchor() -> &'static Selector {
    static A: std::sync::OnceLock<Selector> = std::sync::OnceLock::new();
    A.get_or_init(|| Selector::parse("a[href]").expect("static selector"))
}

/// The URL relative links resolve against: `<base href>` (itself resolved
/// against the page) when it is an http(s) URL, else the page URL.
pub(crate) fn base_url(doc: &Html, page_url: &Url) -> Url {
    static BASE: std::sync::OnceLock<Selector> = std::sync::OnceLock::new();
    let sel = BASE.get_or_init(|| Selector::parse("base[href]").expect("static selector"));
    doc.select(sel)
        .next()
        .and_then(|b| resolve(page_url, b.attr("href").unwrap_or_default()))
        .unwrap_or_else(|| page_url.clone())
}

/// `href` made absolute against `base`; only http and https links count.
pub(crate) fn resolve(base: &Url, href: &str) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    let url = base.join(href).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

/// Downloads listings link next to articles (附件: documents, sheets,
/// archives, media), which are never article pages.
const NOT_PAGES: &[&str] = &[
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "zip", "rar", "7z", "gz",
    "jpg", "jpeg", "png", "gif", "mp3", "mp4", "avi", "flv", "txt", "ofd", "exe", "apk",
];

/// Whether `url` names a download rather than a page, by its extension.
fn is_download(url: &Url) -> bool {
    let name = url.path().rsplit('/').next().unwrap_or_default();
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| NOT_PAGES.iter().any(|e| ext.eq_ignore_ascii_case(e)))
}

fn text_of(el: &ElementRef<'_>) -> Option<String> {
    clean(&el.text().collect::<String>())
}

fn clean(s: &str) -> Option<String> {
    let t = normalize::clean_inline(s);
    (!t.is_empty()).then_some(t)
}

/// A listing date: the element's text without the brackets listings put
/// around it (`[2024-09-02]`, `（2024年9月2日）`), else its `datetime`.
fn date_of(el: &ElementRef<'_>, tz: Tz) -> Option<DateTime<Utc>> {
    let text = el.text().collect::<String>();
    let brackets: &[char] = &['[', ']', '(', ')', '（', '）', '【', '】', '〔', '〕'];
    let trimmed = text
        .trim()
        .trim_matches(|c: char| c.is_whitespace() || brackets.contains(&c));
    dates::parse_date(trimmed, tz)
        .or_else(|| el.attr("datetime").and_then(|d| dates::parse_date(d, tz)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const TZ: Tz = chrono_tz::Asia::Shanghai;

    fn page() -> Url {
        Url::parse("http://www.jiaxing.gov.cn/col/col1/index.html").unwrap()
    }

    fn selectors(item: &str) -> ListRules {
        ListRules {
            item: Some(Selector::parse(item).unwrap()),
            date: Some(Selector::parse("span").unwrap()),
            ..ListRules::default()
        }
    }

    fn urls(l: &Listing) -> Vec<&str> {
        l.candidates
            .iter()
            .map(|c| c.url.as_ref().map_or("", Url::as_str))
            .collect()
    }

    const LISTING: &str = r##"<html><head><title>要闻</title></head><body>
      <div class="nav"><a href="/">首页</a><a href="#top">顶部</a></div>
      <ul class="list">
        <li><a href="art_1.html"><img src="1.jpg"></a> <a href="art_1.html">嘉兴深化改革 持续发力</a><span>[2024-09-02]</span></li>
        <li><a href="../col2/art_2.html" title="市科技局推进改革">市科技局…</a><span>2024年09月01日 08:15</span></li>
        <li><a href="https://www.zj.gov.cn/art/2024/9/1/art_3.html">浙江新闻</a></li>
        <li><a href="javascript:void(0)">加载更多</a></li>
        <li><a href="mailto:web@jiaxing.gov.cn">联系我们</a></li>
        <li><a href="/attach/2024/附件1.PDF">附件：实施方案</a></li>
        <li><a href="art_1.html#comments">嘉兴深化改革 持续发力（评论）</a></li>
      </ul></body></html>"##;

    #[test]
    fn selectors_resolve_relative_links_and_collapse_duplicates() {
        let l = discover(LISTING, &page(), &selectors("ul.list li"), TZ).unwrap();
        assert_eq!(
            urls(&l),
            [
                "http://www.jiaxing.gov.cn/col/col1/art_1.html",
                "http://www.jiaxing.gov.cn/col/col2/art_2.html",
                "https://www.zj.gov.cn/art/2024/9/1/art_3.html",
            ]
        );
        assert_eq!(l.matched, 7);
        // The image link came first; the title comes from the text link.
        assert_eq!(
            l.candidates[0].title.as_deref(),
            Some("嘉兴深化改革 持续发力")
        );
        assert_eq!(l.candidates[1].title.as_deref(), Some("市科技局…"));
        let sept_2 = TZ.with_ymd_and_hms(2024, 9, 2, 0, 0, 0).unwrap();
        assert_eq!(
            l.candidates[0].published_at,
            Some(sept_2.with_timezone(&Utc))
        );
        let sept_1 = TZ.with_ymd_and_hms(2024, 9, 1, 8, 15, 0).unwrap();
        assert_eq!(
            l.candidates[1].published_at,
            Some(sept_1.with_timezone(&Utc))
        );
        assert_eq!(l.candidates[2].published_at, None);
    }

    #[test]
    fn base_href_wins_over_the_page_url() {
        let html = r#"<html><head><base href="http://static.jiaxing.gov.cn/news/"></head>
            <body><ul><li><a href="2024/art_9.html">改革</a></li></ul></body></html>"#;
        let l = discover(html, &page(), &selectors("li"), TZ).unwrap();
        assert_eq!(
            urls(&l),
            ["http://static.jiaxing.gov.cn/news/2024/art_9.html"]
        );
        // A relative <base> resolves against the page itself.
        let html = r#"<head><base href="/news/"></head><li><a href="a.html">x</a></li>"#;
        let l = discover(html, &page(), &selectors("li"), TZ).unwrap();
        assert_eq!(urls(&l), ["http://www.jiaxing.gov.cn/news/a.html"]);
    }

    #[test]
    fn link_pattern_alone_picks_matching_absolute_urls() {
        let html = r#"<body>
            <a href="/2024-09/02/content_6971.htm">国务院关于深化改革的意见</a>
            <a href="https://www.gov.cn/2024-09/01/content_6970.htm">第二篇</a>
            <a href="/2024-09/02/content_6971.htm">国务院关于深化改革的意见</a>
            <a href="/zhengce/index.htm">政策</a>
            <a href="/2024-09/02/content_6972.htm" title="有标题属性"><img src="x.png"></a>
        </body>"#;
        let rules = ListRules {
            link_pattern: Some(regex::Regex::new(r"/\d{4}-\d{2}/\d{2}/content_\d+\.htm$").unwrap()),
            ..ListRules::default()
        };
        let base = Url::parse("https://www.gov.cn/yaowen/").unwrap();
        let l = discover(html, &base, &rules, TZ).unwrap();
        assert_eq!(
            urls(&l),
            [
                "https://www.gov.cn/2024-09/02/content_6971.htm",
                "https://www.gov.cn/2024-09/01/content_6970.htm",
                "https://www.gov.cn/2024-09/02/content_6972.htm",
            ]
        );
        assert_eq!(l.matched, 4);
        assert_eq!(l.candidates[2].title.as_deref(), Some("有标题属性"));
    }

    #[test]
    fn pattern_filters_selector_hits() {
        let mut rules = selectors("ul.list li");
        rules.link_pattern = Some(regex::Regex::new("jiaxing").unwrap());
        let l = discover(LISTING, &page(), &rules, TZ).unwrap();
        assert_eq!(l.candidates.len(), 2);
    }

    #[test]
    fn nothing_matched_is_layout_drift_not_an_empty_listing() {
        let html =
            "<html><body><div class=\"newlist\"><a href=\"a.html\">改革</a></div></body></html>";
        let e = discover(html, &page(), &selectors("ul.list li"), TZ).unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("layout drift: "), "{msg}");
        assert!(
            msg.contains("matched nothing") && msg.contains("col1/index.html"),
            "{msg}"
        );
        // Items that hold no usable link are drift too.
        let html = "<ul class=\"list\"><li><a href=\"javascript:go()\">x</a></li></ul>";
        let e = discover(html, &page(), &selectors("ul.list li"), TZ).unwrap_err();
        assert!(e.to_string().contains("matched 1 element but none"), "{e}");
        // An empty or garbage page never panics.
        assert!(discover("", &page(), &selectors("li"), TZ).is_err());
        assert!(discover("\u{0}<<<>>", &page(), &selectors("li"), TZ).is_err());
    }

    #[test]
    fn candidates_are_capped() {
        let mut html = String::from("<ul>");
        for i in 0..MAX_CANDIDATES + 20 {
            html.push_str(&format!("<li><a href=\"art_{i}.html\">第{i}篇</a></li>"));
        }
        let l = discover(&html, &page(), &selectors("li"), TZ).unwrap();
        assert_eq!(l.candidates.len(), MAX_CANDIDATES);
        assert!(l.truncated);
        assert_eq!(l.matched, MAX_CANDIDATES + 20);
    }
}
