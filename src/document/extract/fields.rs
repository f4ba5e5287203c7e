//! Pure: published time, outlet and byline, each with where it came from.
//! Owns the trust order between the page's self-description (metas,
//! JSON-LD, `<time>`, page variables) and the furniture lines printed
//! around the headline and body (`发布时间：`, `来源：`, `记者 …`).

use std::sync::LazyLock;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use regex::Regex;
use scraper::Html;

use super::dom::{element_text, Page};
use super::meta::{self, LineMeta};
use super::pagemeta::PageMeta;
use crate::document::dates::parse_date;

/// A field's value and its source (`meta:article:published_time`, `line:来源`).
pub(crate) type Sourced<T> = Option<(T, String)>;

/// What was found.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub published_at: Sourced<DateTime<Utc>>,
    pub outlet: Sourced<String>,
    pub byline: Sourced<String>,
}

/// Blocks after the headline (and before the body) read as its header area.
const HEAD_WINDOW: usize = 15;
/// Blocks after the body read for trailing furniture.
const TAIL_WINDOW: usize = 15;

/// Metas that give the publication time, most trusted first.
const PUBLISHED_METAS: &[&str] = &[
    "article:published_time",
    "publishdate",
    "pubdate",
    "publish_date",
    "publish-date",
    "publishtime",
    "pubtime",
    "ptime",
    "apub:time",
    "firstpublishedtime",
    "og:release_date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "datepublished",
    "date",
];

/// Metas that give only a modification time: used when nothing else does.
const MODIFIED_METAS: &[&str] = &[
    "article:modified_time",
    "dateupdate",
    "datemodified",
    "lastmodifiedtime",
];

/// Metas that name the article's source outlet.
const SOURCE_METAS: &[&str] = &["source", "article:source", "contentsource"];
/// Metas that name the site.
const SITE_METAS: &[&str] = &[
    "og:site_name",
    "application-name",
    "apple-mobile-web-app-title",
];
/// Metas that name the author(s).
const AUTHOR_METAS: &[&str] = &[
    "author",
    "article:author",
    "dc.creator",
    "dc:creator",
    "dcterm:creator",
    "byl",
    "parsely-author",
    "sailthru.author",
];

/// `var publishdate = '2019-09-26 12:11:01'` and the like in page scripts.
static SCRIPT_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:var\s+)?["']?(publish_?date|pub_?date|publish_?time|pubtime)["']?\s*[=:]\s*["']((?:19|20)\d\d[^"']{4,25})["']"#)
        .expect("static regex")
});

/// Where the furniture lines sit: around the headline, inside the body,
/// after it.
pub(crate) struct Areas<'p> {
    pub head: Vec<LineMeta>,
    pub inside: Vec<LineMeta>,
    pub tail: Vec<LineMeta>,
    pub page: &'p Page<'p>,
}

/// Reads the lines of the header area (the headline block up to the body,
/// or the lines after the headline when the body holds it), the body's own
/// furniture lines and the lines after the body.
pub(crate) fn areas<'p>(
    page: &'p Page<'p>,
    title: &str,
    span: (usize, usize),
    inside: &[usize],
) -> Areas<'p> {
    let (start, end) = span;
    let title_at = page.blocks.iter().position(|b| b.text == title);
    let head_idx: Vec<usize> = match title_at {
        Some(t) if t < start => (t..start).collect(),
        Some(t) => (t..(t + HEAD_WINDOW).min(page.blocks.len())).collect(),
        None => (start.saturating_sub(HEAD_WINDOW)..start).collect(),
    };
    // Lines after the headline are its header area even inside an
    // `<aside>`/`<header>`; elsewhere such chrome is skipped.
    let after_title = title_at.is_some();
    let usable = |i: &usize| after_title || !page.blocks[*i].chrome;
    let read = |idx: &[usize]| -> Vec<LineMeta> {
        let mut out = Vec::new();
        let mut it = idx.iter().filter(|i| usable(i)).peekable();
        while let Some(&i) = it.next() {
            let text = &page.blocks[i].text;
            let mut m = meta::read_line(text);
            // `发布时间：` alone, its value in the next block.
            if m.labelled && m.date.is_none() && text.trim_end().ends_with(['：', ':']) {
                if let Some(&&j) = it.peek() {
                    m = meta::read_line(&format!("{text}{}", page.blocks[j].text));
                    it.next();
                }
            }
            out.push(m);
        }
        out
    };
    let tail: Vec<usize> = (end..(end + TAIL_WINDOW).min(page.blocks.len()))
        .filter(|&i| !page.blocks[i].chrome)
        .collect();
    Areas {
        head: read(&head_idx),
        inside: read(inside),
        tail: read(&tail),
        page,
    }
}

/// Chooses the published time, outlet and byline.
pub(crate) fn find(doc: &Html, pm: &PageMeta, a: &Areas<'_>, tz: Tz) -> Found {
    Found {
        published_at: published(doc, pm, a, tz),
        outlet: outlet(doc, pm, a),
        byline: byline(pm, a),
    }
}

fn parse(s: &str, tz: Tz) -> Option<DateTime<Utc>> {
    parse_date(s, tz).or_else(|| meta::parse_first_date(s, tz))
}

/// Whether a date string carries a time of day.
fn has_time(s: &str) -> bool {
    s.contains(':') || s.contains('时')
}

/// The publication time, in the issue's trust order: metas, JSON-LD,
/// `<time datetime>`, the header area's lines, page variables, then the
/// lines inside and after the body. A day without a time is completed by a
/// later source that gives the same day with one.
fn published(doc: &Html, pm: &PageMeta, a: &Areas<'_>, tz: Tz) -> Sourced<DateTime<Utc>> {
    let mut found: Vec<(String, String)> = Vec::new();
    for k in PUBLISHED_METAS {
        if let Some((k, v)) = pm.get(&[k]) {
            found.push((v.to_string(), format!("meta:{k}")));
        }
    }
    if let Some(d) = &pm.ld_published {
        found.push((d.clone(), "json-ld:datePublished".into()));
    }
    if let Some(t) = first_time_element(doc) {
        found.push((t, "time[datetime]".into()));
    }
    for m in &a.head {
        if let Some(d) = &m.labelled_date {
            found.push((d.clone(), "line:发布时间".into()));
        }
    }
    for m in &a.head {
        if let Some(d) = &m.date {
            found.push((d.clone(), "line:date".into()));
        }
    }
    if let Some(t) = pm
        .wechat_time
        .and_then(|d| Utc.timestamp_opt(d, 0).single())
    {
        found.push((t.to_rfc3339(), "wechat:ct".into()));
    }
    for (k, v) in &pm.script_dates {
        found.push((v.clone(), format!("script:{k}")));
    }
    for m in a.inside.iter().chain(a.tail.iter()) {
        if let Some(d) = &m.labelled_date {
            found.push((d.clone(), "line:发布时间 (body)".into()));
        }
    }
    // A line that is nothing but a date and time, after the body.
    for b in a.tail.iter() {
        if let Some(d) = b.date.as_ref().filter(|d| has_time(d) && b.alone) {
            found.push((d.clone(), "line:date (after body)".into()));
        }
    }
    for k in MODIFIED_METAS {
        if let Some((k, v)) = pm.get(&[k]) {
            found.push((v.to_string(), format!("meta:{k} (modified)")));
        }
    }
    let mut parsed = found
        .iter()
        .filter_map(|(s, from)| parse(s, tz).map(|t| (t, s, from)));
    let (t, s, from) = parsed.next()?;
    if has_time(s) {
        return Some((t, from.clone()));
    }
    let day = t.with_timezone(&tz).date_naive();
    match parsed.find(|(t2, s2, _)| has_time(s2) && t2.with_timezone(&tz).date_naive() == day) {
        Some((t2, _, from2)) => Some((t2, format!("{from}+{from2}"))),
        None => Some((t, from.clone())),
    }
}

/// The first `<time datetime>` (or `itemprop="datePublished"` element).
fn first_time_element(doc: &Html) -> Option<String> {
    doc.root_element()
        .descendants()
        .filter_map(|n| n.value().as_element())
        .find_map(|e| match e.name() {
            "time" => e.attr("datetime").map(str::to_string),
            _ if e.attr("itemprop") == Some("datePublished") => {
                e.attr("datetime").or(e.attr("content")).map(str::to_string)
            }
            _ => None,
        })
}

fn outlet(doc: &Html, pm: &PageMeta, a: &Areas<'_>) -> Sourced<String> {
    if let Some((k, v)) = pm.get(SOURCE_METAS) {
        // `来源：人民网-文化频道 原创稿` is a furniture line in a meta.
        let v = meta::read_line(v)
            .outlet
            .unwrap_or_else(|| meta::strip_label(v));
        if !v.is_empty() {
            return Some((v, format!("meta:{k}")));
        }
    }
    let lines = a.head.iter().chain(&a.inside).chain(&a.tail);
    if let Some(o) = lines.clone().find_map(|m| m.outlet.clone()) {
        return Some((o, "line:来源".into()));
    }
    if let Some(n) = &pm.wechat_name {
        return Some((n.clone(), "wechat:nickname".into()));
    }
    if let Some(n) = element_by_id(doc, "js_name") {
        return Some((n, "#js_name".into()));
    }
    if pm.wechat_time.is_some() {
        if let Some((k, v)) = pm.get(&["og:article:author"]) {
            return Some((v.to_string(), format!("meta:{k}")));
        }
    }
    if let Some((k, v)) = pm.get(SITE_METAS) {
        return Some((v.to_string(), format!("meta:{k}")));
    }
    pm.ld_publisher
        .clone()
        .map(|p| (p, "json-ld:publisher".into()))
}

fn byline(pm: &PageMeta, a: &Areas<'_>) -> Sourced<String> {
    let lines = a.head.iter().chain(&a.inside).chain(&a.tail);
    if let Some(b) = lines.clone().find_map(|m| m.byline.clone()) {
        return Some((b, "line:作者".into()));
    }
    // Not a profile URL or a numeric user id.
    let person = |v: &str| {
        !v.contains("://") && v.chars().count() <= 100 && v.chars().any(char::is_alphabetic)
    };
    if let Some(n) = &pm.ld_author {
        if person(n) {
            return Some((n.clone(), "json-ld:author".into()));
        }
    }
    for k in AUTHOR_METAS {
        if let Some((k, v)) = pm.get(&[k]) {
            if person(v) && !(pm.wechat_time.is_some() && k == "og:article:author") {
                return Some((v.to_string(), format!("meta:{k}")));
            }
        }
    }
    byline_element(a.page).map(|b| (b, "element:byline".into()))
}

/// A short element marked as the author: `rel="author"`,
/// `itemprop="author"`, or a byline/author class (Readability's signals).
fn byline_element(page: &Page<'_>) -> Option<String> {
    page.elems.iter().find_map(|e| {
        let v = e.el.value();
        let l = e.id_class.to_ascii_lowercase();
        let strong = v.attr("rel") == Some("author")
            || v.attr("itemprop").is_some_and(|p| p.contains("author"))
            || l.contains("byline")
            || l.contains("writtenby");
        if !strong && !l.contains("author") {
            return None;
        }
        let text = element_text(&e.el);
        let n = text.chars().count();
        // A class named `author` also marks author boxes with counters.
        let plain = strong || (n <= 50 && !text.chars().any(|c| c.is_ascii_digit()));
        (plain && (2..100).contains(&n)).then(|| {
            let t = text.trim();
            t.strip_prefix("By ")
                .or_else(|| t.strip_prefix("by "))
                .unwrap_or(t)
                .trim()
                .to_string()
        })
    })
}

fn element_by_id(doc: &Html, id: &str) -> Option<String> {
    doc.root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
        .find(|e| e.value().id() == Some(id))
        .map(|e| element_text(&e))
        .filter(|t| !t.is_empty())
}

/// Dates set by page scripts (`var publishdate = '…'`).
pub(crate) fn script_dates(scripts: &[&str]) -> Vec<(String, String)> {
    scripts
        .iter()
        .filter(|s| s.contains("pub"))
        .flat_map(|s| SCRIPT_DATE.captures_iter(s))
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .take(3)
        .collect()
}
