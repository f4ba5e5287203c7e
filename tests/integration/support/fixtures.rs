//! The feed fixtures under `tests/fixtures/feeds/`, how the tests serve them,
//! and a deliberately small reader of their item titles, so expectations come
//! from the files at run time instead of being copied into the tests.
//!
//! The reader is independent of the code under test (no feed-rs): it cuts
//! `<item>`/`<entry>` blocks out of the XML and reads `items` from JSON Feed.
//! Bytes that are not valid UTF-8 are read as GB18030 (the fixtures are
//! UTF-8, GB2312 or GBK).

use std::path::{Path, PathBuf};

use super::http::{Content, HttpServer, Route};

/// The seed article's headline, carried by the reform item of `seed-gb2312.xml`.
pub const SEED_TITLE: &str = "嘉兴各界认真学习贯彻市委九届五次全会精神";

/// The `reform` topic's keywords, as written into the test config.
pub const REFORM_KEYWORDS: [&str; 3] = ["改革", "深化改革", "reform"];

/// A fixture as served by the test HTTP server.
#[derive(Debug, Clone, Copy)]
pub struct FeedFixture {
    /// File name under `tests/fixtures/feeds/`.
    pub file: &'static str,
    /// Source id in the generated config.
    pub id: &'static str,
    /// `Content-Type` sent with it.
    pub content_type: &'static str,
    /// Served with an `ETag`.
    pub etag: bool,
    /// Served with a `Last-Modified`.
    pub last_modified: bool,
    /// Gzipped on the wire when the client accepts it.
    pub gzip: bool,
}

/// All seven fixtures of acceptance 1. Validators are mixed on purpose (ETag
/// only, Last-Modified only, both) so the client must keep each kind; charset
/// headers follow RELIABILITY.md C3–C6.
pub const FEEDS: [FeedFixture; 7] = [
    FeedFixture {
        file: "rss2.xml",
        id: "rss2",
        content_type: "application/rss+xml",
        etag: true,
        last_modified: true,
        gzip: true,
    },
    FeedFixture {
        file: "atom.xml",
        id: "atom",
        content_type: "application/atom+xml",
        etag: true,
        last_modified: false,
        gzip: true,
    },
    FeedFixture {
        file: "rss1.rdf",
        id: "rdf",
        content_type: "application/rdf+xml",
        etag: false,
        last_modified: true,
        gzip: false,
    },
    FeedFixture {
        file: "feed.json",
        id: "jsonfeed",
        content_type: "application/feed+json",
        etag: true,
        last_modified: true,
        gzip: false,
    },
    // C3: GB2312 with the charset in the header too.
    FeedFixture {
        file: "seed-gb2312.xml",
        id: "seed-gb2312",
        content_type: "application/rss+xml; charset=gb2312",
        etag: true,
        last_modified: true,
        gzip: false,
    },
    // C6: valid UTF-8 whose prolog says gbk; the header names no charset.
    FeedFixture {
        file: "utf8-declared-gbk.xml",
        id: "utf8-declared-gbk",
        content_type: "application/xml",
        etag: true,
        last_modified: false,
        gzip: false,
    },
    // C5: GBK with no label anywhere.
    FeedFixture {
        file: "gbk-unlabeled.xml",
        id: "gbk-unlabeled",
        content_type: "application/xml",
        etag: false,
        last_modified: true,
        gzip: false,
    },
];

/// A fixed `Last-Modified` for served fixtures.
pub const LAST_MODIFIED: &str = "Mon, 06 May 2024 02:20:00 GMT";

/// `tests/fixtures/<rel>` in this crate.
pub fn fixture_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// Reads `tests/fixtures/<rel>`; panics with a clear message if missing.
pub fn read_fixture(rel: &str) -> Vec<u8> {
    let p = fixture_path(rel);
    std::fs::read(&p)
        .unwrap_or_else(|e| panic!("fixture {} is missing or unreadable: {e}", p.display()))
}

/// Registers every fixture of [`FEEDS`] at `/feeds/<file>`; returns
/// `(source id, url)` pairs for the config.
pub fn serve_feeds(server: &HttpServer) -> Vec<(String, String)> {
    FEEDS
        .iter()
        .map(|f| {
            let path = format!("/feeds/{}", f.file);
            let mut c = Content::new(read_fixture(&format!("feeds/{}", f.file)), f.content_type);
            if f.etag {
                c = c.etag_from_body();
            }
            if f.last_modified {
                c = c.last_modified(LAST_MODIFIED);
            }
            if f.gzip {
                c = c.gzip();
            }
            server.route(&path, Route::Content(c));
            (f.id.to_string(), server.url(&path))
        })
        .collect()
}

/// One item of a fixture, as far as the tests care.
#[derive(Debug, Clone)]
pub struct Item {
    /// The fixture file it came from.
    pub file: &'static str,
    /// Title, entities decoded, tags stripped, whitespace trimmed.
    pub title: String,
    /// Title plus description/summary/content text.
    pub text: String,
}

impl Item {
    /// A keyword of the `reform` topic occurs in the title or the body, so
    /// the item belongs in a digest of that topic.
    pub fn matches_topic(&self) -> bool {
        has_keyword(&self.text)
    }
}

fn has_keyword(s: &str) -> bool {
    let lower = s.to_lowercase();
    REFORM_KEYWORDS
        .iter()
        .any(|k| lower.contains(&k.to_lowercase()))
}

/// The items of every fixture in [`FEEDS`].
pub fn all_items() -> Vec<Item> {
    FEEDS.iter().flat_map(|f| items_of(f.file)).collect()
}

/// The items of `tests/fixtures/feeds/<file>`.
pub fn items_of(file: &'static str) -> Vec<Item> {
    let bytes = read_fixture(&format!("feeds/{file}"));
    let doc = match std::str::from_utf8(&bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(&bytes).0.into_owned(),
    };
    let doc = doc.trim_start_matches('\u{feff}');
    if doc.trim_start().starts_with('{') {
        json_items(file, doc)
    } else {
        xml_items(file, doc)
    }
}

fn json_items(file: &'static str, doc: &str) -> Vec<Item> {
    let v: serde_json::Value =
        serde_json::from_str(doc).unwrap_or_else(|e| panic!("fixture {file} is not JSON: {e}"));
    let Some(items) = v.get("items").and_then(|i| i.as_array()) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|it| {
            let title = it.get("title")?.as_str()?.trim().to_string();
            let mut text = title.clone();
            for k in ["summary", "content_text", "content_html"] {
                if let Some(s) = it.get(k).and_then(|s| s.as_str()) {
                    text.push('\n');
                    text.push_str(s);
                }
            }
            Some(Item { file, title, text })
        })
        .collect()
}

fn xml_items(file: &'static str, doc: &str) -> Vec<Item> {
    let mut out = Vec::new();
    for tag in ["item", "entry"] {
        for block in blocks(doc, tag) {
            let Some(title) = element_text(block, "title") else {
                continue;
            };
            let mut text = title.clone();
            for el in ["description", "summary", "content", "content:encoded"] {
                if let Some(t) = element_text(block, el) {
                    text.push('\n');
                    text.push_str(&t);
                }
            }
            out.push(Item { file, title, text });
        }
    }
    out
}

/// Byte offset of each `<tag` that is exactly that element (not `<tags>`).
fn starts_of(doc: &str, tag: &str) -> Vec<usize> {
    let open = format!("<{tag}");
    doc.match_indices(open.as_str())
        .filter_map(|(i, _)| {
            let next = doc[i + open.len()..].chars().next()?;
            (next == '>' || next == '/' || next.is_whitespace()).then_some(i)
        })
        .collect()
}

/// The inner text of every `<tag …>…</tag>` block.
fn blocks<'a>(doc: &'a str, tag: &str) -> Vec<&'a str> {
    let close = format!("</{tag}>");
    starts_of(doc, tag)
        .into_iter()
        .filter_map(|i| {
            let gt = doc[i..].find('>')? + i + 1;
            let end = doc[gt..].find(&close)? + gt;
            Some(&doc[gt..end])
        })
        .collect()
}

/// The text of the first `<name>` element in `block`: CDATA unwrapped,
/// entities decoded, markup (of escaped-HTML titles) stripped.
fn element_text(block: &str, name: &str) -> Option<String> {
    let inner = blocks(block, name).into_iter().next()?;
    let mut s = String::new();
    let mut rest = inner;
    while let Some(i) = rest.find("<![CDATA[") {
        s.push_str(&super::mail::decode_entities(&rest[..i]));
        let after = &rest[i + 9..];
        let end = after.find("]]>").unwrap_or(after.len());
        s.push_str(&after[..end]);
        rest = after.get(end + 3..).unwrap_or("");
    }
    s.push_str(&super::mail::decode_entities(rest));
    // A `type="html"` title is escaped markup: strip it, then decode the
    // entities the markup carried (`&amp;nbsp;` becomes a no-break space).
    let t = super::mail::decode_entities(&strip_tags(&s))
        .trim()
        .to_string();
    (!t.is_empty()).then_some(t)
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}
