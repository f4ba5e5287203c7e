//! Poll benchmark (a bench binary, not a test): serves 1,000 generated feeds
//! of 20 items each from a local HTTP server (RSS 2.0, Atom, RSS 1.0, JSON
//! Feed, some GBK), then times one cold `reformwatch poll --once` (all new)
//! and one warm one (all 304), printing wall and CPU seconds and peak RSS
//! of the reformwatch process. A bare-client baseline (the same fetches
//! with no parsing or storage) is printed alongside.
//!
//! Run: `cargo bench --bench poll` (add `-- --feeds 200` for a quick run).

mod common;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::process::Stdio;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use common::{arg_usize, bare_client, listen, run_binary, runtime, Counters, Served};

const ITEMS: usize = 20;
/// Feeds are spread over this many listeners, which the fetcher treats as
/// separate hosts (its per-host limit is keyed on host and port).
const HOSTS: usize = 8;

fn generate(i: usize) -> Served {
    let reform = i.is_multiple_of(5);
    let kind = i % 10;
    let title = |j: usize| {
        if reform && j == 0 {
            format!("第{i}号：全面深化改革推进会召开 ({j})")
        } else {
            format!("第{i}号来源新闻 {j}：城市建设与民生服务 update")
        }
    };
    let desc = |j: usize| {
        format!(
            "这是第{i}个来源的第{j}条新闻摘要，报道地方经济社会发展情况，\
             内容包括产业、交通、教育和医疗等方面。Summary text for item {j}."
        )
    };
    let date = |j: usize| format!("2026-11-{:02} 08:{:02}:00", 1 + (j % 25), j % 60);
    let mut s = String::new();
    let (content_type, gbk) = match kind {
        0..=4 => {
            // RSS 2.0; every tenth feed (kind 4) is GBK with a gb2312 prolog.
            let gbk = kind == 4;
            let _ = write!(
                s,
                "<?xml version=\"1.0\" encoding=\"{}\"?><rss version=\"2.0\"><channel><title>来源 {i}</title><link>http://example.org/{i}/</link><description>d</description>",
                if gbk { "gb2312" } else { "utf-8" }
            );
            for j in 0..ITEMS {
                let _ = write!(
                    s,
                    "<item><title>{}</title><link>http://example.org/{i}/{j}.htm</link><guid>src{i}-item{j}</guid><pubDate>{}</pubDate><description><![CDATA[<p>{}</p>]]></description></item>",
                    title(j), date(j), desc(j)
                );
            }
            s.push_str("</channel></rss>");
            ("application/rss+xml", gbk)
        }
        5 | 6 => {
            s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">");
            let _ = write!(s, "<title>来源 {i}</title><id>urn:src:{i}</id><updated>2026-11-20T08:00:00+08:00</updated>");
            for j in 0..ITEMS {
                let _ = write!(
                    s,
                    "<entry><title>{}</title><id>urn:src:{i}:{j}</id><link href=\"http://example.org/{i}/{j}.htm\"/><updated>2026-11-{:02}T08:00:00+08:00</updated><summary>{}</summary></entry>",
                    title(j), 1 + (j % 25), desc(j)
                );
            }
            s.push_str("</feed>");
            ("application/atom+xml", false)
        }
        7 | 8 => {
            s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">");
            let _ = write!(s, "<channel rdf:about=\"http://example.org/{i}/\"><title>来源 {i}</title><link>http://example.org/{i}/</link><description>d</description></channel>");
            for j in 0..ITEMS {
                let _ = write!(
                    s,
                    "<item rdf:about=\"http://example.org/{i}/{j}.htm\"><title>{}</title><link>http://example.org/{i}/{j}.htm</link><dc:date>2026-11-{:02}T08:00:00+08:00</dc:date><description>{}</description></item>",
                    title(j), 1 + (j % 25), desc(j)
                );
            }
            s.push_str("</rdf:RDF>");
            ("application/rdf+xml", false)
        }
        _ => {
            let items: Vec<serde_json::Value> = (0..ITEMS)
                .map(|j| {
                    serde_json::json!({
                        "id": format!("src{i}-{j}"),
                        "url": format!("http://example.org/{i}/{j}.htm"),
                        "title": title(j),
                        "content_text": desc(j),
                        "date_published": format!("2026-11-{:02}T08:00:00+08:00", 1 + (j % 25)),
                    })
                })
                .collect();
            s = serde_json::json!({
                "version": "https://jsonfeed.org/version/1.1",
                "title": format!("来源 {i}"),
                "items": items,
            })
            .to_string();
            ("application/feed+json", false)
        }
    };
    let body = if gbk {
        encoding_rs::GBK.encode(&s).0.into_owned()
    } else {
        s.into_bytes()
    };
    Served {
        body,
        content_type,
        etag: format!("\"feed-{i}\""),
    }
}

fn main() {
    let n_feeds = arg_usize("--feeds", 1000);
    // Seconds a fetch may take; raise it when the binary runs under a slow
    // tool (BENCH_WRAPPER=valgrind …), or polls time out instead of parse.
    let timeout = arg_usize("--timeout", 20);
    let rt = runtime();
    let mut feeds = HashMap::new();
    for i in 0..n_feeds {
        feeds.insert(format!("/feed/{i}"), generate(i));
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
