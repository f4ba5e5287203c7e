//! Pure: what a page says about itself outside its visible text: `<meta>`
//! tags (name, property, itemprop), JSON-LD (`headline`, `datePublished`,
//! `author`, `publisher`), and the variables a WeChat article page sets in
//! its scripts (account name, publish time). Read once per page; the title,
//! time, outlet and byline choices draw on it.

use std::sync::LazyLock;

use regex::Regex;
use scraper::Html;
use serde_json::Value;

/// The page's self-description.
#[derive(Debug, Default)]
pub(crate) struct PageMeta {
    /// `(key, content)` for every `<meta>` with content; the key is its
    /// name, property or itemprop, lower-cased.
    pub tags: Vec<(String, String)>,
    /// From JSON-LD objects of an article type (or any, for the headline).
    pub ld_headline: Option<String>,
    /// `name` of an article-typed JSON-LD object (Wikipedia's headline is
    /// a description; its name is the title).
    pub ld_name: Option<String>,
    pub ld_published: Option<String>,
    pub ld_author: Option<String>,
    pub ld_publisher: Option<String>,
    /// WeChat's `var nickname = "…"` / `#js_name`, and `var ct = "unix time"`.
    pub wechat_name: Option<String>,
    pub wechat_time: Option<i64>,
    /// `(name, value)` of dates page scripts set (`var publishdate = '…'`).
    pub script_dates: Vec<(String, String)>,
}

impl PageMeta {
    /// The first non-empty content of a meta tag named any of `keys`
    /// (lower-case), in the order of `keys`.
    pub fn get<'k>(&self, keys: &[&'k str]) -> Option<(&'k str, &str)> {
        keys.iter().find_map(|k| {
            self.tags
                .iter()
                .find(|(n, c)| n == k && !c.trim().is_empty())
                .map(|(_, c)| (*k, c.trim()))
        })
    }
}

static WECHAT_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"var\s+nickname\s*=\s*(?:htmlDecode\()?\s*"([^"]{1,60})""#).expect("static regex")
});
static WECHAT_TIME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"var\s+ct\s*=\s*"?(\d{9,11})"?"#).expect("static regex"));

/// Reads the meta tags of `doc`, and JSON-LD and page variables from the
/// script bodies cut out before parsing.
pub(crate) fn read(doc: &Html, json_ld: &[&str], scripts: &[&str]) -> PageMeta {
    let mut m = PageMeta::default();
    // RDFa `property` is the standard attribute for og:/dc: keys; a
    // `name` that repeats one (`name="og:title"`) is read after it.
    let mut by_name = Vec::new();
    for node in doc.root_element().descendants() {
        let Some(e) = node.value().as_element() else {
            continue;
        };
        if e.name() != "meta" {
            continue;
        }
        let Some(content) = e.attr("content") else {
            continue;
        };
        for (i, key) in [e.attr("property"), e.attr("name"), e.attr("itemprop")]
            .into_iter()
            .enumerate()
        {
            let list = if i == 0 { &mut m.tags } else { &mut by_name };
            // `property="dc:title og:title"` names several at once.
            for k in key.into_iter().flat_map(str::split_whitespace) {
                list.push((k.to_ascii_lowercase(), content.to_string()));
            }
        }
    }
    m.tags.append(&mut by_name);
    for body in json_ld {
        // Some pages wrap the JSON in `<![CDATA[ … ]]>` or `<!-- … -->`.
        let body = body.trim();
        let body = body
            .strip_prefix("<![CDATA[")
            .and_then(|b| b.strip_suffix("]]>"))
            .or_else(|| {
                body.strip_prefix("<!--")
                    .and_then(|b| b.strip_suffix("-->"))
            })
            .unwrap_or(body);
        if let Ok(v) = serde_json::from_str::<Value>(body) {
            read_ld(&v, &mut m, 0);
        }
    }
    m.script_dates = super::fields::script_dates(scripts);
    for s in scripts {
        if m.wechat_name.is_none() && s.contains("nickname") {
            m.wechat_name = WECHAT_NAME
                .captures(s)
                .map(|c| c[1].trim().to_string())
                .filter(|n| !n.is_empty());
        }
        if m.wechat_time.is_none() && s.contains("ct") {
            m.wechat_time = WECHAT_TIME.captures(s).and_then(|c| c[1].parse().ok());
        }
    }
    m
}

/// Types whose headline and dates are the page's article.
const ARTICLE_TYPES: &[&str] = &[
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "blogposting",
    "webpage",
    "report",
    "scholarlyarticle",
    "socialmediaposting",
    "techarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
];

fn read_ld(v: &Value, m: &mut PageMeta, depth: usize) {
    if depth > 4 {
        return;
    }
    match v {
        Value::Array(items) => items.iter().for_each(|i| read_ld(i, m, depth + 1)),
        Value::Object(o) => {
            if let Some(g) = o.get("@graph") {
                read_ld(g, m, depth + 1);
            }
            let types: Vec<String> = match o.get("@type") {
                Some(Value::String(t)) => vec![t.to_ascii_lowercase()],
                Some(Value::Array(ts)) => ts
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_ascii_lowercase)
                    .collect(),
                _ => Vec::new(),
            };
            if !types.iter().any(|t| ARTICLE_TYPES.contains(&t.as_str())) {
                // An untyped object (Baidu's `cambrian` JSON-LD) may still
                // give the page's time as `pubDate`.
                if types.is_empty() && m.ld_published.is_none() {
                    m.ld_published = o.get("pubDate").and_then(Value::as_str).map(str::to_string);
                }
                return;
            }
            let text = |k: &str| {
                o.get(k)
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            };
            let webpage = types.iter().all(|t| t == "webpage");
            if !webpage {
                m.ld_headline = m.ld_headline.take().or_else(|| text("headline"));
                m.ld_name = m.ld_name.take().or_else(|| text("name"));
            }
            m.ld_published = m.ld_published.take().or_else(|| text("datePublished"));
            if m.ld_author.is_none() {
                m.ld_author = o.get("author").and_then(names);
            }
            if m.ld_publisher.is_none() {
                m.ld_publisher = o.get("publisher").and_then(names);
            }
        }
        _ => {}
    }
}

/// `"X"`, `{"name": "X"}` or a list of those, joined with `, `.
fn names(v: &Value) -> Option<String> {
    let one = |v: &Value| match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Object(o) => o
            .get("name")
            .and_then(Value::as_str)
            .map(|s| s.trim().to_string()),
        _ => None,
    };
    let all: Vec<String> = match v {
        Value::Array(items) => items.iter().filter_map(one).collect(),
        other => one(other).into_iter().collect(),
    };
    let all: Vec<String> = all.into_iter().filter(|s| !s.is_empty()).collect();
    (!all.is_empty()).then(|| all.join(", "))
}
