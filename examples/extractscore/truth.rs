//! Loading a dev set's ground truth: Mozilla Readability's test pages
//! (`NAME/source.html`, `expected.html`, `expected-metadata.json`) and
//! GeneralNewsExtractor's pages (`SITE/N.html`, its own output in
//! `result.txt`, plus our hand-checked labels).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use scraper::{ElementRef, Html, Node};

/// What one page should give; `None` where the set says nothing.
#[derive(Debug, Default, Clone)]
pub struct Truth {
    /// Name shown in reports (`bbc-1`, `sina/2.html`).
    pub name: String,
    pub path: PathBuf,
    pub body: Option<String>,
    pub title: Option<String>,
    pub byline: Option<String>,
    pub site: Option<String>,
    /// Readability's `publishedTime` as printed.
    pub published: Option<String>,
    /// Day of publication (`YYYY-MM-DD`) in the page's own zone.
    pub day: Option<String>,
    /// Our hand-checked title (GNE set), when it differs from GNE's or GNE has none.
    pub label_title: Option<String>,
    /// Our hand-checked day; `Some("-")` when the page prints none.
    pub label_day: Option<String>,
}

/// Readability layout: every `DIR/NAME/source.html`.
pub fn readability(dir: &Path) -> Vec<Truth> {
    let mut names: Vec<_> = fs::read_dir(dir)
        .map(|r| r.flatten().map(|e| e.path()).collect())
        .unwrap_or_else(|_| Vec::new());
    names.retain(|p| p.join("source.html").is_file());
    names.sort();
    names
        .into_iter()
        .map(|d| {
            let meta: serde_json::Value = fs::read_to_string(d.join("expected-metadata.json"))
                .ok()
                .and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or_default();
            let s = |k: &str| {
                meta[k]
                    .as_str()
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_string)
            };
            Truth {
                name: d
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                path: d.join("source.html"),
                body: fs::read_to_string(d.join("expected.html"))
                    .ok()
                    .map(|h| html_text(&h)),
                title: s("title"),
                byline: s("byline"),
                site: s("siteName"),
                published: s("publishedTime"),
                ..Truth::default()
            }
        })
        .collect()
}

/// GNE layout: `DIR/SITE/*.html`, GNE's output from `result.txt` (in DIR or
/// its parent), and our labels (`site/file<TAB>title<TAB>day or -`).
pub fn gne(dir: &Path, labels: Option<&Path>) -> Vec<Truth> {
    let result = [dir.join("result.txt"), dir.join("../result.txt")]
        .into_iter()
        .find_map(|p| fs::read_to_string(p).ok())
        .unwrap_or_default();
    let gne = parse_result(&result);
    let labels: HashMap<String, (String, String)> = labels
        .and_then(|p| fs::read_to_string(p).ok())
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((
                f.next()?.to_string(),
                (f.next()?.to_string(), f.next()?.trim().to_string()),
            ))
        })
        .collect();
    let mut pages = Vec::new();
    let mut sites: Vec<_> = fs::read_dir(dir)
        .map(|r| r.flatten().map(|e| e.path()).collect())
        .unwrap_or_else(|_| Vec::new());
    sites.sort();
    for site in sites.into_iter().filter(|p| p.is_dir()) {
        let mut files: Vec<_> = fs::read_dir(&site)
            .map(|r| r.flatten().map(|e| e.path()).collect())
            .unwrap_or_else(|_| Vec::new());
        files.retain(|f| f.extension().is_some_and(|e| e == "html"));
        files.sort();
        for f in files {
            let name = format!(
                "{}/{}",
                site.file_name().unwrap_or_default().to_string_lossy(),
                f.file_name().unwrap_or_default().to_string_lossy()
            );
            let mut t = Truth {
                name: name.clone(),
                path: f,
                ..Truth::default()
            };
            if let Some(v) = gne.get(&name) {
                let s = |k: &str| v[k].as_str().map(str::trim).map(str::to_string);
                t.title = s("title");
                t.body = s("content");
                t.day = s("publish_time").and_then(|d| d.get(..10).map(str::to_string));
            }
            if let Some((title, day)) = labels.get(&name) {
                t.label_title = Some(title.clone());
                t.label_day = Some(day.clone());
            }
            pages.push(t);
        }
    }
    pages
}

/// `>>>…tests/SITE/N.html>>>…` headers, each followed by a JSON object.
fn parse_result(text: &str) -> HashMap<String, serde_json::Value> {
    let mut out = HashMap::new();
    let mut name: Option<String> = None;
    let mut json = String::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix(">>>>>>>>>>>>>tests/") {
            name = Some(rest.trim_end_matches('>').to_string());
            json.clear();
        } else if line.starts_with("<<<<<<<<") {
            if let (Some(n), Ok(v)) = (name.take(), serde_json::from_str(&json)) {
                out.insert(n, v);
            }
        } else if name.is_some() {
            json.push_str(line);
            json.push('\n');
        }
    }
    out
}

/// Text of an HTML fragment, a line break at each block boundary.
pub fn html_text(html: &str) -> String {
    let doc = Html::parse_fragment(html);
    let mut out = String::new();
    push_text(doc.root_element(), &mut out, 0);
    out
}

const BLOCKS: &[&str] = &[
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "br",
    "tr",
    "td",
    "th",
    "table",
    "blockquote",
    "pre",
    "section",
    "article",
    "figure",
    "figcaption",
    "dd",
    "dt",
];

fn push_text(el: ElementRef<'_>, out: &mut String, depth: usize) {
    for child in el.children() {
        match child.value() {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) if depth < 400 => {
                let block = BLOCKS.contains(&e.name());
                if block {
                    out.push('\n');
                }
                if let Some(c) = ElementRef::wrap(child) {
                    push_text(c, out, depth + 1);
                }
                if block {
                    out.push('\n');
                }
            }
            _ => {}
        }
    }
}
