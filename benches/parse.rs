//! Feed-stage benchmark (a bench binary, not a test): the document work of
//! a cold poll without the network or the database. Decodes and parses the
//! poll benchmark's 1,000 generated feeds (20 items each: RSS 2.0, some of
//! it GBK, Atom, RSS 1.0, JSON Feed), which includes each item's paragraphs,
//! normalized text and content hash, and prints the time per pass.
//!
//! Run: `cargo bench --bench parse` (`-- --passes N --feeds N`). For
//! repeatable figures run one pass under callgrind:
//! `valgrind --tool=callgrind target/release/deps/parse-* --passes 1`.

#[path = "common/feeds.rs"]
mod feeds;

use std::hint::black_box;
use std::time::Instant;

use chrono::Utc;
use reformwatch::document::decode::decode_document;
use reformwatch::document::parse::{parse_feed, FeedContext};
use url::Url;

fn arg(flag: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let n_feeds = arg("--feeds", 1000);
    let passes = arg("--passes", 5);
    let feeds: Vec<(feeds::Feed, Url)> = (0..n_feeds)
        .map(|i| {
            let url = Url::parse(&format!("http://127.0.0.1:8080/feed/{i}")).unwrap();
            (feeds::generate(i), url)
        })
        .collect();
    let now = Utc::now();
    let mut times = Vec::new();
    let mut items = 0;
    for _ in 0..passes {
        let start = Instant::now();
        items = 0;
        for (feed, url) in &feeds {
            let decoded = decode_document(&feed.body, Some(feed.content_type), None);
            let ctx = FeedContext {
                source_id: "bench",
                timezone: chrono_tz::Asia::Shanghai,
                fetched_at: now,
                base_url: Some(url),
            };
            let doc = parse_feed(&decoded.text, &ctx).expect("generated feeds parse");
            items += doc.items.len();
            black_box(doc);
        }
        times.push(start.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "parse benchmark: {n_feeds} feeds, {items} items per pass; median of {passes} passes {:.1} ms ({:.2} µs per item)",
        median.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e6 / items.max(1) as f64
    );
}
