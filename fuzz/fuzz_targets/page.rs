//! Page extraction from bytes: any bytes decode, and extraction gives an
//! article with a title and body or a typed error, never a panic.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use reformwatch::document::decode::decode_document;
use reformwatch::document::extract::{extract_article, PageContext};

fuzz_target!(|data: &[u8]| {
    let (ct, body) = match data.split_first() {
        Some((b, rest)) if b % 2 == 0 => (Some("text/html; charset=gbk"), rest),
        Some((_, rest)) => (None, rest),
        None => (None, data),
    };
    let decoded = decode_document(body, ct, None);
    let url = url::Url::parse("http://127.0.0.1:8080/news/2024-09/02/content_123.htm").unwrap();
    let ctx = PageContext {
        source_id: "fuzz",
        url: &url,
        timezone: chrono_tz::Asia::Shanghai,
        fetched_at: Utc.with_ymd_and_hms(2024, 9, 3, 0, 0, 0).unwrap(),
    };
    if let Ok(page) = extract_article(&decoded.text, &ctx, None) {
        assert!(!page.article.title.is_empty());
    }
});
