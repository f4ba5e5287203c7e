//! Poll benchmark (a bench binary, not a test): serves 1,000 generated feeds
//! of 20 items each from a local HTTP server (RSS 2.0, Atom, RSS 1.0, JSON
//! Feed, some GBK), then times one cold `reformwatch poll --once` (all new)
//! and one warm one (all 304), printing wall and CPU seconds and peak RSS
//! of the reformwatch process. A bare-client baseline (the same fetches
//! with no parsing or storage) is printed alongside.
//!
//! Run: `cargo bench --bench poll` (add `-- --feeds 200` for a quick run,
//! `-- --long` for item bodies long enough to be clustered into stories).

mod common;
#[path = "common/feeds.rs"]
mod feeds;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::process::Stdio;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use common::{arg_usize, bare_client, listen, run_binary, runtime, Counters, Served};
use feeds::ITEMS;

/// Feeds are spread over this many listeners, which the fetcher treats as
/// separate hosts (its per-host limit is keyed on host and port).
const HOSTS: usize = 8;

fn generate(i: usize, long: bool) -> Served {
    let feed = feeds::generate_with(i, long);
    Served {
        body: feed.body,
        content_type: feed.content_type,
        etag: format!("\"feed-{i}\""),
    }
}

fn main() {
    let n_feeds = arg_usize("--feeds", 1000);
    // Item bodies long enough for story clustering, with wire copies.
    let long = std::env::args().any(|a| a == "--long");
    // Seconds a fetch may take; raise it when the binary runs under a slow
    // tool (BENCH_WRAPPER=valgrind …), or polls time out instead of parse.
    let timeout = arg_usize("--timeout", 20);
    let rt = runtime();
    let mut feeds = HashMap::new();
    for i in 0..n_feeds {
        feeds.insert(format!("/feed/{i}"), generate(i, long));
    }
    let counters = Arc::new(Counters::default());
    let ports = listen(&rt, HOSTS, Arc::new(feeds), counters.clone());
    let urls: Vec<String> = (0..n_feeds)
        .map(|i| format!("http://127.0.0.1:{}/feed/{i}", ports[i % HOSTS]))
        .collect();

    let dir = tempfile::tempdir().unwrap();
    let mut cfg = String::new();
    let _ = write!(
        cfg,
        "[daemon]\nstate_dir = \"{}\"\nconcurrency = 64\nper_host_concurrency = 8\nper_host_delay = \"0s\"\nbackfill = \"all\"\ntimeout = \"{timeout}s\"\n\n\
         [mail]\nfrom = \"bench <bench@localhost>\"\ntransport = \"file\"\n\n\
         [[topics]]\nid = \"reform\"\nname = \"改革\"\nkeywords = [\"全面深化改革\", \"深化改革\", \"改革\", \"reform\"]\n\n\
         [[subscribers]]\nemail = \"analyst@localhost\"\ntopics = [\"reform\"]\n",
        dir.path().join("state").display(),
    );
    for (i, url) in urls.iter().enumerate() {
        let _ = write!(cfg, "\n[[sources]]\nid = \"src{i}\"\nurl = \"{url}\"\n");
    }
    let config = dir.path().join("bench.toml");
    std::fs::write(&config, cfg).unwrap();
    let config = config.to_str().unwrap().to_string();

    let cold_requests: Vec<(String, Option<String>)> =
        urls.iter().map(|u| (u.clone(), None)).collect();
    let bare_cold = rt.block_on(bare_client(&cold_requests));
    let warm_requests: Vec<(String, Option<String>)> = urls
        .iter()
        .enumerate()
        .map(|(i, u)| (u.clone(), Some(format!("\"feed-{i}\""))))
        .collect();
    let bare_warm = rt.block_on(bare_client(&warm_requests));

    let cold = run_binary(&["--config", &config, "poll", "--once"], Stdio::inherit());
    let cold_ok = counters.ok.load(Ordering::Relaxed);
    let warm = run_binary(&["--config", &config, "poll", "--once"], Stdio::inherit());
    let warm_304 = counters.not_modified.load(Ordering::Relaxed);

    println!("poll benchmark: {n_feeds} feeds x {ITEMS} items on {HOSTS} loopback listeners");
    println!(
        "  bare client      cold {:>7.3} s wall   warm (304) {:>7.3} s wall",
        bare_cold.as_secs_f64(),
        bare_warm.as_secs_f64()
    );
    for (name, u) in [("cold poll --once", &cold), ("warm poll --once", &warm)] {
        println!(
            "  {name}  {:>7.3} s wall  {:>7.3} s CPU  peak RSS {:>6.1} MiB",
            u.wall.as_secs_f64(),
            u.cpu.as_secs_f64(),
            u.max_rss_kib as f64 / 1024.0
        );
    }
    println!(
        "  server answered {} x 200 (incl. baseline) and {} x 304 (incl. baseline)",
        cold_ok, warm_304
    );
    println!(
        "  warm poll / bare warm fetch = {:.1}x",
        warm.wall.as_secs_f64() / bare_warm.as_secs_f64().max(1e-9)
    );
}
