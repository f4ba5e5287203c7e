//! Decode + parse of feed bytes: any bytes, served with one of a few
//! content types (picked by the first byte), must be read as a feed
//! through `document::read` (decode, then parse, as a poll does) to a feed
//! or a typed error, never a panic; a parsed feed keeps the model's
//! promises (at most MAX_ITEMS items, a guid each, a matching hash).
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use reformwatch::document::normalize::content_hash;
use reformwatch::document::parse::MAX_ITEMS;
use reformwatch::document::read::{read, Document, Expect, Input, Rules};

const CONTENT_TYPES: &[Option<&str>] = &[
    None,
    Some("application/rss+xml"),
    Some("text/xml; charset=gb2312"),
    Some("application/atom+xml; charset=utf-8"),
    Some("application/feed+json"),
    Some("text/xml; charset=utf-16"),
];

fuzz_target!(|data: &[u8]| {
    let (content_type, body) = match data.split_first() {
        Some((b, rest)) => (CONTENT_TYPES[usize::from(*b) % CONTENT_TYPES.len()], rest),
        None => (None, data),
    };
    let url = url::Url::parse("http://127.0.0.1:8080/feeds/x.xml").unwrap();
    let input = Input {
        body,
        content_type,
        url: &url,
    };
    let rules = Rules {
        source_id: "fuzz",
        ..Rules::none(chrono_tz::Asia::Shanghai)
    };
    let now = Utc.with_ymd_and_hms(2024, 9, 3, 0, 0, 0).unwrap();
    match read(input, rules, Expect::Feed, now) {
        Ok(read) => {
            let Document::Feed(doc) = read.document else {
                panic!("Expect::Feed gave {:?}", read.document);
            };
            assert!(doc.items.len() <= MAX_ITEMS);
            for a in &doc.items {
                assert!(!a.guid.is_empty());
                assert_eq!(a.content_hash, content_hash(a));
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
