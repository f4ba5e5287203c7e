//! What a source's configuration means for its poll: whether it fetches
//! article pages, whether a reappearing item is compared with its stored
//! revisions, its re-check schedule, and the hash of its extraction rules
//! (stored beside its validators, so edited selectors force a full read).

use std::time::Duration;

use scraper::selector::ToCss;
use xxhash_rust::xxh3::Xxh3;

use crate::config::{Source, SourceKind};

/// Whether the source's articles are read from their pages: html sources,
/// and feeds with `full_text = true`.
pub fn fetches_pages(source: &Source) -> bool {
    source.kind == SourceKind::Html || source.full_text
}

/// Whether a stored item a poll meets again is compared with its
/// revisions. Not for `full_text` feeds: their polls carry stored items
/// without their page, and their re-checks compare them.
pub fn compares_items(source: &Source) -> bool {
    !(source.kind == SourceKind::Feed && source.full_text)
}

/// Re-check delays after an article is first stored; empty for sources
/// whose articles are not re-fetched (plain feeds).
pub fn recheck_schedule(source: &Source) -> &[Duration] {
    if fetches_pages(source) {
        &source.recheck
    } else {
        &[]
    }
}

/// A hash of everything that decides how the source's documents are read:
/// kind, `full_text`, charset override, listing selectors and pattern,
/// article selectors. Anything else (interval, ignore patterns) leaves it
/// unchanged.
pub fn rules_hash(source: &Source) -> String {
    let mut h = Xxh3::new();
    let mut put = |label: &str, value: &str| {
        h.update(label.as_bytes());
        h.update(&[0]);
        h.update(value.as_bytes());
        h.update(&[0]);
    };
    put(
        "kind",
        match source.kind {
            SourceKind::Feed => "feed",
            SourceKind::Html => "html",
        },
    );
    put("full_text", if source.full_text { "1" } else { "0" });
    put("encoding", source.encoding.map_or("", |e| e.name()));
    if let Some(list) = &source.list {
        let selectors = [
            ("item", &list.item),
            ("link", &list.link),
            ("title", &list.title),
            ("date", &list.date),
        ];
        for (label, sel) in selectors {
            put(
                label,
                &sel.as_ref().map(ToCss::to_css_string).unwrap_or_default(),
            );
        }
        put(
            "link_pattern",
            list.link_pattern.as_ref().map_or("", |p| p.as_str()),
        );
    }
    if let Some(article) = &source.article {
        let selectors = [
            ("title", &article.title),
            ("subtitle", &article.subtitle),
            ("kicker", &article.kicker),
            ("body", &article.body),
            ("date", &article.date),
            ("byline", &article.byline),
            ("outlet", &article.outlet),
        ];
        for (label, sel) in selectors {
            put(
                label,
                &sel.as_ref().map(ToCss::to_css_string).unwrap_or_default(),
            );
        }
        for sel in &article.remove {
            put("remove", &sel.to_css_string());
        }
    }
    format!("{:016x}", h.digest())
}
