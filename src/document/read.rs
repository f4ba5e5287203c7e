//! Pure: the one way from a fetched body to a document. Decode (with the
//! source's charset override), then parse a feed, discover a listing's
//! links, or extract an article page, as the caller asks. Polls, re-checks,
//! `test-source` and `extract` all come through here, so a source's rules
//! apply the same way wherever a document is read.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use encoding_rs::Encoding;
use url::Url;

use crate::config::{ArticleRules, ListRules, Source, SourceKind};
use crate::document::decode::{self, DecidedBy};
use crate::document::discover::{self, DiscoverError, Listing};
use crate::document::extract::{self, ExtractError, ExtractedPage, PageContext};
use crate::document::parse::{self, FeedContext, ParseError};
use crate::model::{Candidate, FailureKind, FeedDocument};

/// A fetched body and what the server said about it.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The raw bytes.
    pub body: &'a [u8],
    /// The `Content-Type` header, if any.
    pub content_type: Option<&'a str>,
    /// The URL after redirects; relative links resolve against it.
    pub url: &'a Url,
}

/// How a source's documents are read: its id, zone, charset override and
/// scraping rules.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    /// Source id the articles belong to.
    pub source_id: &'a str,
    /// Zone for dates printed without one.
    pub timezone: Tz,
    /// A charset that wins over every label and guess.
    pub encoding: Option<&'static Encoding>,
    /// Listing selectors (html sources).
    pub list: Option<&'a ListRules>,
    /// Article selectors (pages).
    pub article: Option<&'a ArticleRules>,
}

impl<'a> Rules<'a> {
    /// The rules of a configured source.
    pub fn of(source: &'a Source) -> Rules<'a> {
        Rules {
            source_id: &source.id,
            timezone: source.timezone,
            encoding: source.encoding,
            list: source.list.as_ref(),
            article: source.article.as_ref(),
        }
    }

    /// No source: automatic extraction, dates in `timezone`.
    pub fn none(timezone: Tz) -> Rules<'static> {
        Rules {
            source_id: "extract",
            timezone,
            encoding: None,
            list: None,
            article: None,
        }
    }
}

/// What the caller expects the document to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// A feed (RSS, Atom, JSON Feed): a `feed` source's document.
    Feed,
    /// A listing page: an `html` source's document.
    Listing,
    /// An article page.
    Page,
    /// A feed or an article page, told apart by content (`extract`).
    FeedOrPage,
}

impl Expect {
    /// What a source's own document is.
    pub fn source_document(kind: SourceKind) -> Expect {
        match kind {
            SourceKind::Feed => Expect::Feed,
            SourceKind::Html => Expect::Listing,
        }
    }
}

/// A document as read.
#[derive(Debug)]
pub enum Document {
    /// A feed and its items.
    Feed(FeedDocument),
    /// A listing page's article links.
    Listing(Listing),
    /// An article page.
    Page(Box<ExtractedPage>),
}

impl Document {
    /// The articles the document names, keyed the same way for feeds and
    /// listings (an article page names none), one per key: where a feed
    /// repeats an entry's id, the first entry is the article. The parser
    /// keeps every entry, as the feed says it; which one counts is decided
    /// here, where articles get their identity.
    pub fn into_candidates(self) -> Vec<Candidate> {
        let all: Vec<Candidate> = match self {
            Document::Feed(feed) => feed.items.into_iter().map(Candidate::from_item).collect(),
            Document::Listing(listing) => listing.candidates,
            Document::Page(_) => Vec::new(),
        };
        let mut seen = HashSet::with_capacity(all.len());
        all.into_iter()
            .filter(|c| seen.insert(c.guid.clone()))
            .collect()
    }
}

/// A document with the charset it was decoded with.
#[derive(Debug)]
pub struct Read {
    /// The charset used.
    pub encoding: &'static Encoding,
    /// Which rule chose it.
    pub decided_by: DecidedBy,
    /// The document.
    pub document: Document,
}

impl Read {
    /// `GBK (by meta)`: the charset and the rule that chose it.
    pub fn charset(&self) -> String {
        format!("{} (by {})", self.encoding.name(), self.decided_by.as_str())
    }
}

/// Why a fetched body gave no document. Every variant names the URL.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Not a usable feed.
    #[error("{url}: {source}")]
    Feed {
        /// The document's URL.
        url: String,
        /// What the parser said.
        #[source]
        source: ParseError,
    },
    /// The listing's rules found no article link (layout drift).
    #[error(transparent)]
    Listing(#[from] DiscoverError),
    /// The page holds no usable article.
    #[error("{url}: {source}")]
    Page {
        /// The page's URL.
        url: String,
        /// What extraction said.
        #[source]
        source: ExtractError,
    },
}

impl ReadError {
    /// The failure kind, for counters and hints.
    pub fn kind(&self) -> FailureKind {
        match self {
            ReadError::Feed { .. } => FailureKind::NotAFeed,
            ReadError::Listing(_)
            | ReadError::Page {
                source: ExtractError::BodySelectorMissed,
                ..
            } => FailureKind::LayoutDrift,
            ReadError::Page { .. } => FailureKind::Extract,
        }
    }
}

/// Reads `input` as `expect` says, with the source's `rules`.
pub fn read(
    input: Input<'_>,
    rules: Rules<'_>,
    expect: Expect,
    now: DateTime<Utc>,
) -> Result<Read, ReadError> {
    let decoded = decode::decode_document(input.body, input.content_type, rules.encoding);
    let expect = match expect {
        Expect::FeedOrPage if looks_like_html(input.content_type, &decoded.text) => Expect::Page,
        Expect::FeedOrPage => Expect::Feed,
        other => other,
    };
    let document = match expect {
        Expect::Feed | Expect::FeedOrPage => {
            let ctx = FeedContext {
                source_id: rules.source_id,
                timezone: rules.timezone,
                fetched_at: now,
                // A file read from disk gives no base for relative links.
                base_url: Some(input.url).filter(|u| u.scheme() != "file"),
            };
            let feed =
                parse::parse_feed(&decoded.text, &ctx).map_err(|source| ReadError::Feed {
                    url: input.url.to_string(),
                    source,
                })?;
            Document::Feed(feed)
        }
        Expect::Listing => {
            let default = ListRules::default();
            let list = rules.list.unwrap_or(&default);
            Document::Listing(discover::discover(
                &decoded.text,
                input.url,
                list,
                rules.timezone,
            )?)
        }
        Expect::Page => Document::Page(Box::new(extract_page(
            &decoded.text,
            input.url,
            rules,
            now,
        )?)),
    };
    Ok(Read {
        encoding: decoded.encoding,
        decided_by: decoded.decided_by,
        document,
    })
}

/// Reads `input` as an article page: [`read`] for callers that only ever
/// want a page.
pub fn read_page(
    input: Input<'_>,
    rules: Rules<'_>,
    now: DateTime<Utc>,
) -> Result<ExtractedPage, ReadError> {
    let decoded = decode::decode_document(input.body, input.content_type, rules.encoding);
    extract_page(&decoded.text, input.url, rules, now)
}

fn extract_page(
    text: &str,
    url: &Url,
    rules: Rules<'_>,
    now: DateTime<Utc>,
) -> Result<ExtractedPage, ReadError> {
    let ctx = PageContext {
        source_id: rules.source_id,
        url,
        timezone: rules.timezone,
        fetched_at: now,
    };
    extract::extract_article(text, &ctx, rules.article).map_err(|source| ReadError::Page {
        url: url.to_string(),
        source,
    })
}

/// Whether a document is an HTML page rather than a feed: by its
/// `Content-Type`, else by how it starts (a doctype or `<html>`), else by
/// an `<html>` tag early on in a document that opens no feed element.
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
        !head.contains("<rss") && !head.contains("<feed") && !head.contains("<rdf") && {
            let lower = text.get(..text.len().min(4096)).unwrap_or(text);
            lower.to_ascii_lowercase().contains("<html")
        }
    }
}

/// Whether a `Content-Type` can hold an article page: HTML, XHTML, XML or
/// text (servers label pages loosely, so anything textual is tried).
pub fn is_page_type(content_type: &str) -> bool {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    mime.is_empty() || mime.starts_with("text/") || mime.contains("html") || mime.contains("xml")
}

#[cfg(test)]
mod tests {
    use super::{is_page_type, looks_like_html, Document};
    use crate::document::parse::{parse_feed, FeedContext};

    /// Found by the `page` fuzz target: a page whose markup breaks off
    /// inside a tag and starts again came out as an article with no title.
    #[test]
    fn a_page_that_restarts_inside_a_tag_still_has_a_title() {
        let bytes = include_bytes!("../../tests/fixtures/fuzz/page-empty-title.bin");
        let url = url::Url::parse("http://127.0.0.1:8080/news/2024-09/02/content_123.htm").unwrap();
        let input = super::Input {
            body: &bytes[1..],
            content_type: Some("text/html; charset=gbk"),
            url: &url,
        };
        let now = chrono::Utc::now();
        let rules = super::Rules::none(chrono_tz::Asia::Shanghai);
        let page = super::read_page(input, rules, now).unwrap();
        assert_eq!(
            page.article.title,
            "嘉兴各界认真学习贯彻市委九届五次全会精神"
        );
    }

    /// Found by the `page` fuzz target: a `<title>` never closed swallows
    /// the page; what is left must not become an article with no title.
    #[test]
    fn a_page_inside_an_unclosed_title_has_a_title_or_is_refused() {
        let bytes = include_bytes!("../../tests/fixtures/fuzz/page-unclosed-title.bin");
        let url = url::Url::parse("http://127.0.0.1:8080/news/2024-09/02/content_123.htm").unwrap();
        let input = super::Input {
            body: &bytes[1..],
            content_type: Some("text/html; charset=gbk"),
            url: &url,
        };
        let rules = super::Rules::none(chrono_tz::Asia::Shanghai);
        match super::read_page(input, rules, chrono::Utc::now()) {
            Ok(page) => assert!(!page.article.title.trim().is_empty(), "{:#?}", page.article),
            Err(e) => assert!(e.to_string().contains("title"), "{e}"),
        }
    }

    #[test]
    fn a_repeated_feed_entry_is_one_candidate_the_first() {
        let xml = r#"<rss version="2.0"><channel><title>t</title>
            <item><guid>same</guid><title>国企改革 first</title></item>
            <item><guid>other</guid><title>middle</title></item>
            <item><guid>same</guid><title>国企改革 second</title></item>
            </channel></rss>"#;
        let ctx = FeedContext {
            source_id: "src",
            timezone: chrono_tz::Asia::Shanghai,
            fetched_at: chrono::Utc::now(),
            base_url: None,
        };
        let feed = parse_feed(xml, &ctx).unwrap();
        let titles: Vec<_> = Document::Feed(feed)
            .into_candidates()
            .into_iter()
            .map(|c| c.title.unwrap_or_default())
            .collect();
        assert_eq!(titles, ["国企改革 first", "middle"]);
    }

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

    #[test]
    fn pages_are_textual() {
        for ct in [
            "text/html; charset=gb2312",
            "application/xhtml+xml",
            "TEXT/PLAIN",
            "",
        ] {
            assert!(is_page_type(ct), "{ct}");
        }
        for ct in [
            "application/pdf",
            "image/jpeg",
            "application/msword",
            "video/mp4",
        ] {
            assert!(!is_page_type(ct), "{ct}");
        }
    }
}
