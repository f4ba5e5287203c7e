//! Re-check benchmark (a bench binary, not a test): 10,000 stored articles
//! of 8 html sources, their pages served from 8 loopback listeners with
//! ETags. The store is filled through the library (each page extracted the
//! way a poll would), then the real binary runs two `poll --once` passes
//! past the re-check times: the first re-check reads every page in full
//! (200, extract, compare: unchanged), the second gets a 304 for every page
//! ("nothing changed"). Wall and CPU seconds and peak RSS of the
//! reformwatch process are printed next to a bare-client baseline that
//! sends the same conditional GETs with no store or extraction.
//!
//! Run: `cargo bench --bench recheck` (`-- --articles 2000` for a quick run).

mod common;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::process::Stdio;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use reformwatch::analysis::revise;
use reformwatch::config::Settings;
use reformwatch::document::extract::{self, PageContext};
use reformwatch::document::{normalize, page_rules};
use reformwatch::model::{FetchedSource, NewArticle, SourceOutcome, SourceRecord};
use reformwatch::pipeline::schedule;
use reformwatch::store::{Access, Store};

use common::{arg_usize, bare_client, listen, run_binary, runtime, Counters, Served};

/// Sources, each on its own listener (the fetcher's per-host limit is
/// keyed on host and port).
const HOSTS: usize = 8;

/// A 嘉兴-style article page of about 1,500 characters.
fn page_html(i: usize) -> String {
    let mut body = String::new();
    for p in 0..8 {
        let _ = writeln!(
            body,
            "<p>　　第{i}篇第{p}段：市委全会提出要进一步全面深化改革，聚焦重点领域和关键环节，\
             推动经济社会高质量发展。各地各部门认真学习贯彻全会精神，结合实际抓好落实，\
             以钉钉子精神推进各项改革任务落地见效，浏览群众反映的急难愁盼问题，持续优化营商环境。</p>"
        );
    }
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>第{i}篇_嘉兴在线</title></head>\
         <body><div class=\"nav\"><a href=\"/\">首页</a></div><div class=\"art\">\
         <h1>第{i}篇：嘉兴深化改革推进会召开</h1>\
         <div class=\"info\"><span>2024-09-02 08:15:32</span><span>来源：嘉兴日报</span></div>\
         <div class=\"con-text\">\n{body}</div></div><div class=\"footer\">版权所有</div></body></html>"
    )
}

/// Stores every page as a poll of its html source would have at `t0`.
fn fill_store(
    state: &std::path::Path,
    settings: &Settings,
    urls: &[(usize, url::Url, String)],
    t0: DateTime<Utc>,
) {
    let store = Store::open(state, Access::Writer).unwrap();
    let mut by_source: Vec<Vec<NewArticle>> = (0..HOSTS).map(|_| Vec::new()).collect();
    for (i, url, html) in urls {
        let source = &settings.sources[i % HOSTS];
        let ctx = PageContext {
            source_id: &source.id,
            url,
            timezone: chrono_tz::Asia::Shanghai,
            fetched_at: t0,
        };
        let page = extract::extract_article(html, &ctx, None).expect("bench page extracts");
        let article = page_rules::settle_listed(page.article, normalize::page_guid(url), None);
        by_source[i % HOSTS].push(NewArticle {
            revision_hash: revise::revision_hash(&article, &source.ignore),
            next_recheck_at: schedule::first_recheck(source, true, t0),
            article,
            matches: vec![],
            mailable: true,
            page: None,
        });
    }
    let records: Vec<SourceRecord> = by_source
        .into_iter()
        .enumerate()
        .map(|(k, new)| SourceRecord {
            source_id: format!("src{k}"),
            url: String::new(),
            next_poll_at: t0,
            outcome: SourceOutcome::Fetched(FetchedSource {
                encoding: "UTF-8".into(),
                new,
                ..FetchedSource::default()
            }),
        })
        .collect();
    store.apply_poll(&records, t0).unwrap();
}

fn main() {
    let n = arg_usize("--articles", 10_000);
    let rt = runtime();
    let mut served = HashMap::new();
    let mut htmls = Vec::with_capacity(n);
    for i in 0..n {
        let html = page_html(i);
        served.insert(
            format!("/a/{i}.htm"),
            Served {
                body: html.clone().into_bytes(),
                content_type: "text/html; charset=utf-8",
                etag: format!("\"page-{i}\""),
            },
        );
        htmls.push(html);
    }
    let counters = Arc::new(Counters::default());
    let ports = listen(&rt, HOSTS, Arc::new(served), counters.clone());
    let urls: Vec<(usize, url::Url, String)> = htmls
        .into_iter()
        .enumerate()
        .map(|(i, html)| {
            let u = format!("http://127.0.0.1:{}/a/{i}.htm", ports[i % HOSTS]);
            (i, url::Url::parse(&u).unwrap(), html)
        })
        .collect();

    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let t0 = Utc.with_ymd_and_hms(2024, 9, 2, 2, 0, 0).unwrap();
    let mut cfg = format!(
        "[daemon]\nstate_dir = \"{}\"\nconcurrency = 64\nper_host_concurrency = 8\nper_host_delay = \"0s\"\n\
         backfill = \"all\"\ntimeout = \"20s\"\n\n\
         [mail]\nfrom = \"bench <bench@localhost>\"\ntransport = \"file\"\n\n\
         [[topics]]\nid = \"reform\"\nname = \"改革\"\nkeywords = [\"改革\"]\n",
        state.display()
    );
    for (k, port) in ports.iter().enumerate() {
        // The listing is a page with no links: the source's own poll
        // fails fast (layout drift) and the re-checks are what is measured.
        let _ = write!(
            cfg,
            "\n[[sources]]\nid = \"src{k}\"\nkind = \"html\"\nurl = \"http://127.0.0.1:{port}/list.html\"\n\
             link_pattern = 'never-matches'\nrobots = false\nrecheck = [\"1h\", \"3h\"]\nrecheck_per_poll = {n}\n"
        );
    }
    let config = dir.path().join("bench.toml");
    std::fs::write(&config, cfg).unwrap();
    let settings = reformwatch::config::load(&config).expect("bench config");
    fill_store(&state, &settings, &urls, t0);
    let config = config.to_str().unwrap().to_string();

    let bare: Vec<(String, Option<String>)> = urls
        .iter()
        .map(|(i, u, _)| (u.to_string(), Some(format!("\"page-{i}\""))))
        .collect();
    let bare_304 = rt.block_on(bare_client(&bare));
    counters.not_modified.store(0, Ordering::Relaxed);

    // The sources' own listings are 404 by design (see the config).
    let full = run_binary(
        &[
            "--config",
            &config,
            "--now",
            "2024-09-02T03:01:00Z",
            "poll",
            "--once",
        ],
        Stdio::null(),
    );
    let full_200 = counters.ok.swap(0, Ordering::Relaxed);
    let warm = run_binary(
        &[
            "--config",
            &config,
            "--now",
            "2024-09-02T05:01:00Z",
            "poll",
            "--once",
        ],
        Stdio::null(),
    );
    let warm_304 = counters.not_modified.load(Ordering::Relaxed);

    println!(
        "re-check benchmark: {n} stored articles of {HOSTS} html sources on loopback listeners"
    );
    println!(
        "  bare client, {n} conditional GETs (304)  {:>7.3} s wall",
        bare_304.as_secs_f64()
    );
    for (name, u, served) in [
        ("first re-check (200, unchanged)", &full, full_200),
        ("re-check, nothing changed (304)", &warm, warm_304),
    ] {
        println!(
            "  {name:<32} {:>7.3} s wall  {:>7.3} s CPU  peak RSS {:>6.1} MiB  ({served} pages served)",
            u.wall.as_secs_f64(),
            u.cpu.as_secs_f64(),
            u.max_rss_kib as f64 / 1024.0
        );
    }
    println!(
        "  304 pass / bare client = {:.1}x wall; CPU per 304 re-check {:.0} µs",
        warm.wall.as_secs_f64() / bare_304.as_secs_f64().max(1e-9),
        warm.cpu.as_secs_f64() * 1e6 / n.max(1) as f64
    );
}
