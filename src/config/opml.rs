//! Pure OPML import: the feeds an OPML file lists (`<outline xmlUrl=…>`)
//! turned into `[[sources]]` TOML entries with unique ids. Tolerant of
//! real-world exports (attribute order and case, single or double quotes,
//! entities, nesting); it does not fetch anything.

use std::collections::HashSet;
use std::fmt::Write as _;

use regex::Regex;
use url::Url;

/// One feed listed in an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    /// `title`, else `text`, else empty.
    pub title: String,
    /// The feed URL (`xmlUrl`).
    pub url: Url,
}

/// Why an OPML file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpmlError {
    /// The text has no `<opml` root.
    #[error("not an OPML document (no <opml> element)")]
    NotOpml,
}

/// The feeds in `text`, in document order, duplicates (same URL) dropped.
/// Outlines whose `xmlUrl` is not an http(s) URL are returned in the second
/// list with the reason, so the caller can say what was skipped.
pub fn parse(text: &str) -> Result<(Vec<OpmlFeed>, Vec<String>), OpmlError> {
    if !text.to_ascii_lowercase().contains("<opml") {
        return Err(OpmlError::NotOpml);
    }
    let outline = Regex::new(r"(?is)<outline\b([^>]*)>").expect("valid regex");
    let attr = Regex::new(r#"(?s)([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)')"#)
        .expect("valid regex");
    let mut feeds = Vec::new();
    let mut skipped = Vec::new();
    let mut seen = HashSet::new();
    for o in outline.captures_iter(text) {
        let (mut url, mut title, mut label) = (None, None, None);
        for a in attr.captures_iter(&o[1]) {
            let value = a.get(2).or_else(|| a.get(3)).map_or("", |m| m.as_str());
            let value = html_escape::decode_html_entities(value).trim().to_owned();
            match a[1].to_ascii_lowercase().as_str() {
                "xmlurl" => url = Some(value),
                "title" => title = Some(value),
                "text" => label = Some(value),
                _ => {}
            }
        }
        let Some(raw) = url.filter(|u| !u.is_empty()) else {
            continue;
        };
        match Url::parse(&raw) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => {
                if seen.insert(u.to_string()) {
                    let title = title
                        .filter(|t| !t.is_empty())
                        .or(label)
                        .unwrap_or_default();
                    feeds.push(OpmlFeed { title, url: u });
                }
            }
            Ok(u) => skipped.push(format!("{raw}: {} is not http or https", u.scheme())),
            Err(e) => skipped.push(format!("{raw}: {e}")),
        }
    }
    Ok((feeds, skipped))
}

/// `[[sources]]` entries for `feeds`; ids are made from the feed's host and
/// path and never repeat one in `taken` (e.g. ids already in the config).
pub fn to_toml(feeds: &[OpmlFeed], taken: &HashSet<String>) -> String {
    let mut used: HashSet<String> = taken.clone();
    let mut out = String::new();
    for f in feeds {
        let base = slug(&f.url);
        let mut id = base.clone();
        let mut n = 2;
        while !used.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        let _ = writeln!(out, "[[sources]]\nid = {}", quote(&id));
        if !f.title.is_empty() {
            let _ = writeln!(out, "name = {}", quote(&f.title));
        }
        let _ = writeln!(out, "kind = \"feed\"\nurl = {}\n", quote(f.url.as_str()));
    }
    out
}

/// `www.people.com.cn/rss/politics.xml` → `people-com-cn-rss-politics`.
fn slug(url: &Url) -> String {
    let host = url.host_str().unwrap_or("feed").trim_start_matches("www.");
    let path = url.path().trim_end_matches('/');
    let path = path
        .rsplit_once('.')
        .filter(|(_, ext)| ext.len() <= 4 && !ext.contains('/'))
        .map_or(path, |(p, _)| p);
    let mut s = String::new();
    for c in format!("{host}{path}").chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    let s = s.trim_matches('-');
    let s: String = s.chars().take(48).collect();
    let s = s.trim_end_matches('-').to_owned();
    if s.is_empty() {
        "feed".to_owned()
    } else {
        s
    }
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>订阅</title></head><body>
  <outline text="时政">
    <outline type="rss" text="人民网 时政" title="人民网 时政" xmlUrl="http://www.people.com.cn/rss/politics.xml" htmlUrl="http://politics.people.com.cn/"/>
    <outline TYPE='rss' TEXT='新华 &amp; 要闻' XMLURL='https://www.xinhuanet.com/politics/news_politics.xml'/>
  </outline>
  <outline text="dup" xmlUrl="http://www.people.com.cn/rss/politics.xml"/>
  <outline text="local" xmlUrl="file:///etc/passwd"/>
</body></opml>"#;

    #[test]
    fn feeds_are_found_in_nested_outlines_with_entities_and_any_case() {
        let (feeds, skipped) = parse(OPML).unwrap();
        assert_eq!(feeds.len(), 2);
        assert_eq!(feeds[0].title, "人民网 时政");
        assert_eq!(feeds[1].title, "新华 & 要闻");
        assert_eq!(
            feeds[1].url.as_str(),
            "https://www.xinhuanet.com/politics/news_politics.xml"
        );
        assert_eq!(skipped.len(), 1, "{skipped:?}");
        assert!(skipped[0].contains("file"));
        assert_eq!(parse("<html></html>"), Err(OpmlError::NotOpml));
    }

    #[test]
    fn toml_entries_parse_as_a_config_with_unique_ids() {
        let (feeds, _) = parse(OPML).unwrap();
        let taken: HashSet<String> = ["people-com-cn-rss-politics".to_owned()].into();
        let toml = to_toml(&feeds, &taken);
        assert!(
            toml.contains("id = \"people-com-cn-rss-politics-2\""),
            "{toml}"
        );
        assert!(
            toml.contains("id = \"xinhuanet-com-politics-news-politics\""),
            "{toml}"
        );
        let settings = crate::config::parse(&toml, std::path::Path::new("/tmp/x.toml"))
            .unwrap_or_else(|e| panic!("{e}\n{toml}"));
        assert_eq!(settings.sources.len(), 2);
        assert_eq!(settings.sources[1].name, "新华 & 要闻");
    }
}
