//! Decode + parse of feed bytes: any bytes, served with one of a few
//! content types (picked by the first byte), must decode and then parse to
//! a feed or a typed error, never a panic; a parsed feed keeps the model's
//! promises (at most MAX_ITEMS items, a guid each, a matching hash).
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use reformwatch::document::decode::decode_document;
use reformwatch::document::normalize::content_hash;
use reformwatch::document::parse::{parse_feed, FeedContext, MAX_ITEMS};

const CONTENT_TYPES: &[Option<&str>] = &[
    None,
    Some("application/rss+xml"),
    Some("text/xml; charset=gb2312"),
    Some("application/atom+xml; charset=utf-8"),
    Some("application/feed+json"),
    Some("text/xml; charset=utf-16"),
];

fuzz_target!(|data: &[u8]| {
    let (ct, body) = match data.split_first() {
        Some((b, rest)) => (CONTENT_TYPES[usize::from(*b) % CONTENT_TYPES.len()], rest),
        None => (None, data),
    };
    let decoded = decode_document(body, ct, None);
    let base = url::Url::parse("http://127.0.0.1:8080/feeds/x.xml").unwrap();
    let ctx = FeedContext {
        source_id: "fuzz",
        timezone: chrono_tz::Asia::Shanghai,
        fetched_at: Utc.with_ymd_and_hms(2024, 9, 3, 0, 0, 0).unwrap(),
        base_url: Some(&base),
    };
    if let Ok(doc) = parse_feed(&decoded.text, &ctx) {
        assert!(doc.items.len() <= MAX_ITEMS);
        for a in &doc.items {
            assert!(!a.guid.is_empty());
            assert_eq!(a.content_hash, content_hash(a));
        }
    }
});
