//! Diff benchmark (a bench binary, not a test): the time to diff a
//! 10,000-character Chinese article (built from the seed article) against
//! copies with 1%, 10% and 50% of their sentences edited (a number changed,
//! a phrase rewritten, a clause added, a sentence removed, in rotation),
//! plus rendering, and the CPU cost of the "nothing changed" re-check
//! decision (`revise::decide` → `Unchanged`) over 10,000 stored articles.
//!
//! Run: `cargo bench --bench diff` (add `-- --rounds 5` for a quick run,
//! `-- --show` to print each diff).

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use reformwatch::analysis::diff::diff_articles;
use reformwatch::analysis::revise::{decide, revision_hash, RevisionDecision};
use reformwatch::model::StoredRevision;
use reformwatch::model::{Article, Section};

const SEED: &str = include_str!("../tests/fixtures/seed/jiaxing-plenum-2024.txt");
const TARGET_CHARS: usize = 10_000;

/// Body paragraphs of the seed, repeated (each copy made unique by a
/// prefix) until the body has at least `TARGET_CHARS` characters.
fn base_paragraphs() -> Vec<String> {
    let seed: Vec<&str> = SEED
        .lines()
        .skip(2)
        .filter(|l| l.chars().count() > 40)
        .collect();
    let mut out = Vec::new();
    let mut chars = 0;
    for copy in 1.. {
        for p in &seed {
            let p = format!("（第{copy}部分）{p}");
            chars += p.chars().count();
            out.push(p);
            if chars >= TARGET_CHARS {
                return out;
            }
        }
    }
    unreachable!()
}

fn split_sentences(p: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in p.chars() {
        cur.push(c);
        if "。！？；".contains(c) {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Edits `share` of all sentences, spread evenly, rotating edit kinds.
fn edit(paragraphs: &[String], share: f64) -> (Vec<String>, usize) {
    let split: Vec<Vec<String>> = paragraphs.iter().map(|p| split_sentences(p)).collect();
    let total: usize = split.iter().map(Vec::len).sum();
    let wanted = ((total as f64 * share).round() as usize).max(1);
    let stride = total as f64 / wanted as f64;
    let chosen: Vec<usize> = (0..wanted).map(|k| (k as f64 * stride) as usize).collect();
    let mut flat = 0;
    let mut kind = 0;
    let mut out = Vec::new();
    for sentences in split {
        let mut p = String::new();
        for s in sentences {
            if chosen.binary_search(&flat).is_ok() {
                kind += 1;
                let chars: Vec<char> = s.chars().collect();
                let mid = chars.len() / 2;
                match kind % 4 {
                    // A number changed (or inserted) mid-sentence.
                    0 => {
                        let head: String = chars[..mid].iter().collect();
                        let tail: String = chars[mid..].iter().collect();
                        p.push_str(&format!("{head}{}项{tail}", 10 + kind));
                    }
                    // A phrase rewritten: three characters replaced.
                    1 => {
                        let end = (mid + 3).min(chars.len().saturating_sub(1));
                        let head: String = chars[..mid].iter().collect();
                        let tail: String = chars[end..].iter().collect();
                        p.push_str(&format!("{head}全面推进{tail}"));
                    }
                    // A clause added before the terminator.
                    2 => {
                        let head: String = chars[..chars.len().saturating_sub(1)].iter().collect();
                        let tail: String = chars[chars.len().saturating_sub(1)..].iter().collect();
                        p.push_str(&format!("{head},持续深化改革创新{tail}"));
                    }
                    // The sentence removed.
                    _ => {}
                }
            } else {
                p.push_str(&s);
            }
            flat += 1;
        }
        out.push(p);
    }
    (out, wanted)
}

fn article(paragraphs: Vec<String>) -> Article {
    let mut lines = SEED.lines();
    Article {
        source_id: "bench".into(),
        guid: "gen:bench".into(),
        title: lines.next().unwrap_or_default().into(),
        subtitle: lines.next().map(String::from),
        published_at: Some(Utc.with_ymd_and_hms(2024, 8, 31, 0, 30, 0).unwrap()),
        fetched_at: Utc.with_ymd_and_hms(2024, 9, 1, 0, 0, 0).unwrap(),
        sections: vec![Section {
            heading: None,
            paragraphs,
        }],
        revision: 1,
        ..Article::default()
    }
}

/// Runs `f` `rounds` times; returns (median, min).
fn time(rounds: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    f();
    let mut samples: Vec<Duration> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    samples.sort();
    (samples[samples.len() / 2], samples[0])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let mut rounds = 30;
    let mut show = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--rounds" {
            rounds = args.next().and_then(|v| v.parse().ok()).unwrap_or(rounds);
        } else if a == "--show" {
            show = true;
        }
    }
    let base = base_paragraphs();
    let old = article(base.clone());
    let body_chars: usize = old.paragraphs().map(|p| p.chars().count()).sum();
    let sentences: usize = base.iter().map(|p| split_sentences(p).len()).sum();
    println!(
        "diff bench: {body_chars}-character Chinese body, {} paragraphs, {sentences} sentences; {rounds} rounds, median (min)",
        base.len()
    );
    for share in [0.01, 0.10, 0.50] {
        let (paragraphs, edited) = edit(&base, share);
        let new = article(paragraphs);
        let diff = diff_articles(&old, &new);
        let (median, min) = time(rounds, || {
            black_box(diff_articles(black_box(&old), black_box(&new)));
        });
        let (render_median, _) = time(rounds, || {
            black_box(diff.to_text());
            black_box(diff.to_html());
        });
        println!(
            "  {:>3.0}% sentences edited ({edited:>3}): diff {:>7.2} ms ({:.2}), render text+html {:>6.1} µs; {} changes, {} chars del+ins, class {}",
            share * 100.0,
            ms(median),
            ms(min),
            render_median.as_secs_f64() * 1e6,
            diff.changes.len(),
            diff.edit_size(),
            diff.class().map_or("none", |c| c.as_str()),
        );
        if show {
            println!("{}", diff.to_text());
        }
    }

    // The re-check pass when nothing changed: per stored article, hash the
    // fetched version and compare (the seed article, ~3,000 characters).
    let seed_article = {
        let body: Vec<String> = SEED.lines().skip(2).map(String::from).collect();
        article(body)
    };
    let stored = [StoredRevision {
        revision: 1,
        hash: revision_hash(&seed_article, &[]),
        article: seed_article.clone(),
    }];
    let n = 10_000;
    let t = Instant::now();
    for _ in 0..n {
        let d = decide(black_box(&stored), black_box(&seed_article), &[]);
        assert_eq!(d, RevisionDecision::Unchanged);
    }
    let total = t.elapsed();
    println!(
        "  re-check decision, nothing changed: {n} articles of {} characters in {:.1} ms ({:.1} µs each)",
        seed_article.text().chars().count(),
        ms(total),
        total.as_secs_f64() * 1e6 / n as f64
    );
}
