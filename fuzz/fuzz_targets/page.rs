//! Page extraction from bytes: any bytes are read as an article page
//! through `document::read` (decode, then extract, as a poll does), giving
//! an article with a title or a typed error, never a panic.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use reformwatch::document::read::{read_page, Input, Rules};

fuzz_target!(|data: &[u8]| {
    let (content_type, body) = match data.split_first() {
        Some((b, rest)) if b % 2 == 0 => (Some("text/html; charset=gbk"), rest),
        Some((_, rest)) => (None, rest),
        None => (None, data),
    };
    let url = url::Url::parse("http://127.0.0.1:8080/news/2024-09/02/content_123.htm").unwrap();
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
    match read_page(input, rules, now) {
        Ok(page) => assert!(!page.article.title.is_empty()),
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
