//! Article pages on the command line: telling a page from a feed, running a
//! page through `extract_article`, and printing an `Article` for humans.
//! Shared by `extract` and `test-source`.

use chrono_tz::Tz;
use reformwatch::config::Source;
use reformwatch::document::decode::Decoded;
use reformwatch::document::extract::{self, ExtractedPage, PageContext};
use reformwatch::model::Article;
use url::Url;

/// Whether a document is an HTML page rather than a feed: an HTML content
/// type, or markup that starts like a page (`<!DOCTYPE html>`, `<html`).
pub fn looks_like_html(content_type: Option<&str>, text: &str) -> bool {
    if content_type.is_some_and(|ct| {
        let ct = ct.to_ascii_lowercase();
        ct.contains("text/html") || ct.contains("application/xhtml")
    }) {
        return true;
    }
    let head: String = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html") || {
        // A page may open with comments or an XHTML prolog.
        !head.contains("<rss") && !head.contains("<feed") && !head.contains("<rdf") && {
            let lower = text.get(..text.len().min(4096)).unwrap_or(text);
            lower.to_ascii_lowercase().contains("<html")
        }
    }
}

/// The page `decoded`, fetched from (or read as) `url`, through extraction
/// with `source`'s article rules when one is given.
pub fn extract_page(
    decoded: &Decoded,
    url: &Url,
    source: Option<&Source>,
    tz: Tz,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<ExtractedPage, extract::ExtractError> {
    let ctx = PageContext {
        source_id: source.map_or("extract", |s| s.id.as_str()),
        url,
        timezone: tz,
        fetched_at: now,
    };
    extract::extract_article(&decoded.text, &ctx, source.and_then(|s| s.article.as_ref()))
}

/// Prints `a` for a reader: the lines around the headline, byline and
/// outlet, time in `tz`, lead, section headings with their paragraph
/// counts, and the quotes.
pub fn print_article(a: &Article, tz: Tz) {
    if let Some(k) = &a.kicker {
        println!("kicker:    {k}");
    }
    println!("title:     {}", a.title);
    if let Some(s) = &a.subtitle {
        println!("subtitle:  {s}");
    }
    let when = a
        .published_at
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string())
        .unwrap_or_else(|| "-".into());
    println!("published: {when}");
    if let Some(o) = &a.outlet {
        println!("outlet:    {o}");
    }
    if let Some(b) = &a.byline {
        println!("byline:    {b}");
    }
    if let Some(u) = &a.url {
        println!("url:       {u}");
    }
    if let Some(l) = &a.lead {
        println!("lead:      {l}");
    }
    println!(
        "body:      {} paragraphs, {} characters",
        a.paragraphs().count(),
        a.body_chars()
    );
    for s in &a.sections {
        if let Some(h) = &s.heading {
            println!("  ## {h} ({} paragraphs)", s.paragraphs.len());
        }
    }
    for q in &a.quotes {
        let who = match (&q.role, &q.speaker) {
            (Some(r), Some(s)) => format!("{r} {s}"),
            (None, Some(s)) => s.clone(),
            (Some(r), None) => r.clone(),
            (None, None) => "(unattributed)".into(),
        };
        println!("  “{}” — {who}", q.text);
    }
}

#[cfg(test)]
mod tests {
    use super::looks_like_html;

    #[test]
    fn pages_are_told_from_feeds() {
        assert!(looks_like_html(Some("text/html; charset=gbk"), "<rss>"));
        assert!(looks_like_html(None, "\u{feff}  <!DOCTYPE html><html>"));
        assert!(looks_like_html(
            None,
            "<!-- x --><HTML><body></body></HTML>"
        ));
        assert!(!looks_like_html(
            Some("application/rss+xml"),
            "<?xml version=\"1.0\"?><rss version=\"2.0\"></rss>"
        ));
        assert!(!looks_like_html(
            None,
            "{\"version\": \"https://jsonfeed.org/version/1.1\"}"
        ));
        assert!(!looks_like_html(None, "<feed xmlns=\"http://www.w3.org/2005/Atom\"><content type=\"html\">&lt;html&gt;</content></feed>"));
    }
}
