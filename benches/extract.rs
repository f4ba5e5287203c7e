//! Extraction benchmark (a bench binary, not a test): runs
//! `extract::extract_article` (automatic extraction, no per-source rules)
//! over the page fixtures in `tests/fixtures/pages/` for about two seconds
//! on one thread and prints pages per second and time per page. Pages are
//! decoded once up front; decoding is timed separately.
//!
//! The fixtures are small (1–12 KB); real article pages carry far more
//! chrome, so a second run pads every page with about 50 KB of navigation,
//! link lists and footer before `</body>`, and a third runs real pages of
//! 126–336 KB from the dev sets (`tests/fixtures/pages/devset/`: The
//! Independent, BBC News, ifeng.com, with their navigation, sidebars and
//! scripts). Parsing alone (html5ever via scraper) is timed as the floor any
//! DOM-based extractor pays.
//!
//! Run: `cargo bench --bench extract` (`-- padded` for the padded run only).

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::Utc;
use reformwatch::document::decode::decode_document;
use reformwatch::document::extract::{extract_article, PageContext};
use url::Url;

#[path = "../tests/fixtures/pages/chrome.rs"]
mod chrome;

/// (page bytes, golden JSON with the page URL).
const PAGES: &[(&[u8], &str)] = &[
    (
        include_bytes!("../tests/fixtures/pages/jiaxing-plenum.html"),
        include_str!("../tests/fixtures/pages/jiaxing-plenum.expected.json"),
    ),
    (
        include_bytes!("../tests/fixtures/pages/govcn-policy.html"),
        include_str!("../tests/fixtures/pages/govcn-policy.expected.json"),
    ),
    (
        include_bytes!("../tests/fixtures/pages/municipal-gbk.html"),
        include_str!("../tests/fixtures/pages/municipal-gbk.expected.json"),
    ),
    (
        include_bytes!("../tests/fixtures/pages/people-kicker.html"),
        include_str!("../tests/fixtures/pages/people-kicker.expected.json"),
    ),
    (
        include_bytes!("../tests/fixtures/pages/ministry-notice.html"),
        include_str!("../tests/fixtures/pages/ministry-notice.expected.json"),
    ),
    (
        include_bytes!("../tests/fixtures/pages/content_123.htm"),
        include_str!("../tests/fixtures/pages/content_123.expected.json"),
    ),
    (
        include_bytes!("../tests/fixtures/pages/content_123_2.htm"),
        include_str!("../tests/fixtures/pages/content_123_2.expected.json"),
    ),
    (
        include_bytes!("../tests/fixtures/pages/mixed-english.html"),
        include_str!("../tests/fixtures/pages/mixed-english.expected.json"),
    ),
    (
        include_bytes!("../tests/fixtures/pages/county-typhoon.html"),
        include_str!("../tests/fixtures/pages/county-typhoon.expected.json"),
    ),
    (
        include_bytes!("../tests/fixtures/pages/wechat-mirror.html"),
        include_str!("../tests/fixtures/pages/wechat-mirror.expected.json"),
    ),
    (
        include_bytes!("../tests/fixtures/pages/table-br.html"),
        include_str!("../tests/fixtures/pages/table-br.expected.json"),
    ),
    (
        include_bytes!("../tests/fixtures/pages/press-briefing.html"),
        include_str!("../tests/fixtures/pages/press-briefing.expected.json"),
    ),
];

/// Real pages of realistic size (≥ 100 KB) with their golden JSON.
const REAL: &[(&[u8], &str)] = &[
    (
        include_bytes!("../tests/fixtures/pages/devset/readability-bug-1255978.html"),
        include_str!("../tests/fixtures/pages/devset/readability-bug-1255978.expected.json"),
    ),
    (
        include_bytes!("../tests/fixtures/pages/devset/readability-bbc-1.html"),
        include_str!("../tests/fixtures/pages/devset/readability-bbc-1.expected.json"),
    ),
    (
        include_bytes!("../tests/fixtures/pages/devset/gne-ifeng-1.html"),
        include_str!("../tests/fixtures/pages/devset/gne-ifeng-1.expected.json"),
    ),
];

const RUN_FOR: Duration = Duration::from_secs(2);

fn main() {
    // `-- padded` runs only the padded pages (for profiling).
    let only_padded = std::env::args().any(|a| a == "padded");
    let docs = decoded(PAGES);
    let bytes: usize = docs.iter().map(|(t, _)| t.len()).sum();
    println!(
        "extract bench: {} fixture pages, {:.1} KB average (decoded)",
        docs.len(),
        bytes as f64 / docs.len() as f64 / 1024.0
    );
    if !only_padded {
        time("decode_document", || {
            for (b, _) in PAGES {
                black_box(decode_document(b, Some("text/html"), None));
            }
            PAGES.len()
        });
        time("html5ever parse only (fixtures)", || {
            for (html, _) in &docs {
                black_box(scraper::Html::parse_document(html));
            }
            docs.len()
        });
        time("extract_article (fixtures)", || extract_all(&docs));
    }

    let padding = chrome::chrome();
    let padded: Vec<(String, Url)> = docs
        .iter()
        .map(|(t, u)| {
            (
                t.replacen("</body>", &format!("{padding}</body>"), 1),
                u.clone(),
            )
        })
        .collect();
    let bytes: usize = padded.iter().map(|(t, _)| t.len()).sum();
    println!(
        "padded pages: {:.1} KB average",
        bytes as f64 / padded.len() as f64 / 1024.0
    );
    time("html5ever parse only (padded)", || {
        for (html, _) in &padded {
            black_box(scraper::Html::parse_document(html));
        }
        padded.len()
    });
    time("extract_article (padded)", || extract_all(&padded));

    let real = decoded(REAL);
    let bytes: usize = real.iter().map(|(t, _)| t.len()).sum();
    println!(
        "real dev-set pages: {} pages, {:.1} KB average",
        real.len(),
        bytes as f64 / real.len() as f64 / 1024.0
    );
    time("html5ever parse only (real)", || {
        for (html, _) in &real {
            black_box(scraper::Html::parse_document(html));
        }
        real.len()
    });
    time("extract_article (real)", || extract_all(&real));
}

/// Decodes each page and reads its URL from the golden JSON.
fn decoded(pages: &[(&[u8], &str)]) -> Vec<(String, Url)> {
    pages
        .iter()
        .map(|(bytes, json)| {
            let v: serde_json::Value = serde_json::from_str(json).expect("golden JSON");
            let url = Url::parse(v["url"].as_str().expect("url")).expect("url");
            (decode_document(bytes, Some("text/html"), None).text, url)
        })
        .collect()
}

fn extract_all(docs: &[(String, Url)]) -> usize {
    let now = Utc::now();
    for (html, url) in docs {
        let ctx = PageContext {
            source_id: "bench",
            url,
            timezone: chrono_tz::Asia::Shanghai,
            fetched_at: now,
        };
        let page = extract_article(html, &ctx, None).expect("fixture extracts");
        black_box(page);
    }
    docs.len()
}

/// Runs `round` (which returns the pages it handled) for [`RUN_FOR`] and prints the rate.
fn time(label: &str, mut round: impl FnMut() -> usize) {
    round(); // warm-up: lazy regexes and selectors
    let start = Instant::now();
    let mut pages = 0usize;
    while start.elapsed() < RUN_FOR {
        pages += round();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{label:30} {pages:7} pages in {secs:.2} s: {:8.0} pages/s/core, {:.3} ms/page",
        pages as f64 / secs,
        secs * 1000.0 / pages as f64
    );
}
