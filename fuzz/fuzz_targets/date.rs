//! Date parsing: any text gives an instant within 1990–2100 or none, and
//! the feed reader accepts everything the page reader does, identically.
#![no_main]

use chrono::Datelike;
use libfuzzer_sys::fuzz_target;
use reformwatch::document::dates::{parse_date, parse_feed_date};

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    for tz in [
        chrono_tz::Asia::Shanghai,
        chrono_tz::America::New_York,
        chrono_tz::UTC,
    ] {
        let page = parse_date(&s, tz);
        let feed = parse_feed_date(&s, tz);
        for d in [page, feed].into_iter().flatten() {
            assert!((1990..=2100).contains(&d.year()), "{s:?} -> {d}");
        }
        if page.is_some() {
            assert_eq!(page, feed, "{s:?}");
        }
    }
});
