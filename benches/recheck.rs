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

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use reformwatch::extract::{self, PageContext};
use reformwatch::fetch::Validators;
use reformwatch::pages;
use reformwatch::store::poll::{PollRecord, ScoredArticle};
use reformwatch::store::revisions::RevisePolicies;
use reformwatch::store::{Access, Store};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Sources, each on its own listener (the fetcher's per-host limit is
/// keyed on host and port).
const HOSTS: usize = 8;

struct Page {
    body: Vec<u8>,
    etag: String,
}

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

async fn serve(listener: TcpListener, pages: Arc<HashMap<String, Page>>, counters: Arc<Counters>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let pages = pages.clone();
        let counters = counters.clone();
        tokio::spawn(async move {
            let (r, mut w) = stream.into_split();
            let mut reader = BufReader::new(r);
            loop {
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).await.unwrap_or(0) == 0 {
                    return;
                }
                let path = request_line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .to_string();
                let (mut inm, mut content_length) = (None, 0usize);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some((k, v)) = line.split_once(':') {
                        match k.trim().to_ascii_lowercase().as_str() {
                            "if-none-match" => inm = Some(v.trim().to_string()),
                            "content-length" => content_length = v.trim().parse().unwrap_or(0),
                            _ => {}
                        }
                    }
                }
                if content_length > 0 {
                    let mut sink = vec![0u8; content_length];
                    let _ = reader.read_exact(&mut sink).await;
                }
                let response = match pages.get(&path) {
                    Some(p) if inm.as_deref() == Some(p.etag.as_str()) => {
                        counters.not_modified.fetch_add(1, Ordering::Relaxed);
                        format!(
                            "HTTP/1.1 304 Not Modified\r\nETag: {}\r\nContent-Length: 0\r\n\r\n",
                            p.etag
                        )
                        .into_bytes()
                    }
                    Some(p) => {
                        counters.ok.fetch_add(1, Ordering::Relaxed);
                        let mut out = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nETag: {}\r\nContent-Length: {}\r\n\r\n",
                            p.etag,
                            p.body.len()
                        )
                        .into_bytes();
                        out.extend_from_slice(&p.body);
                        out
                    }
                    None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec(),
                };
                if w.write_all(&response).await.is_err() {
                    return;
                }
            }
        });
    }
}

struct Counters {
    ok: AtomicUsize,
    not_modified: AtomicUsize,
}

struct Usage {
    wall: Duration,
    cpu: Duration,
    max_rss_kib: i64,
}

/// Runs the real binary and reads its own CPU time and peak RSS via wait4.
fn run_binary(args: &[&str]) -> Usage {
    let start = Instant::now();
    // Reaped by wait4 below, which clippy cannot see.
    #[allow(clippy::zombie_processes)]
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_reformwatch"))
        .args(args)
        .stdout(std::process::Stdio::null())
        // The sources' own listings are 404 by design (see the config).
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn reformwatch");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data that wait4 fills in for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(rc, pid, "wait4 failed");
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, (t.tv_usec as u32) * 1000);
    Usage {
        wall,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss,
    }
}

/// The same conditional GETs (64 in flight) with a bare reqwest client.
async fn bare_client(urls: &[(String, String)]) -> Duration {
    let client = reqwest::Client::builder().build().unwrap();
    let start = Instant::now();
    let sem = Arc::new(tokio::sync::Semaphore::new(64));
    let mut tasks = tokio::task::JoinSet::new();
    for (url, etag) in urls {
        let (client, url, etag, sem) = (client.clone(), url.clone(), etag.clone(), sem.clone());
        tasks.spawn(async move {
            let _p = sem.acquire().await.unwrap();
            let resp = client
                .get(&url)
                .header("If-None-Match", etag)
                .send()
                .await
                .unwrap();
            let _ = resp.bytes().await.unwrap();
        });
    }
    while tasks.join_next().await.is_some() {}
    start.elapsed()
}

/// Stores every page as a poll of its html source would have at `t0`.
fn fill_store(
    state: &std::path::Path,
    policies: &RevisePolicies,
    urls: &[(usize, url::Url, String)],
    t0: DateTime<Utc>,
) {
    let store = Store::open(state, Access::Writer).unwrap();
    let mut by_source: Vec<Vec<ScoredArticle>> = (0..HOSTS).map(|_| Vec::new()).collect();
    for (i, url, html) in urls {
        let source_id = format!("src{}", i % HOSTS);
        let ctx = PageContext {
            source_id: &source_id,
            url,
            timezone: chrono_tz::Asia::Shanghai,
            fetched_at: t0,
        };
        let page = extract::extract_article(html, &ctx, None).expect("bench page extracts");
        let article = pages::settle_listed(page.article, pages::page_guid(url), None);
        by_source[i % HOSTS].push(ScoredArticle {
            article,
            matches: vec![],
            mailable: true,
            page: None,
        });
    }
    let records: Vec<PollRecord> = by_source
        .into_iter()
        .enumerate()
        .map(|(k, items)| PollRecord::Fetched {
            source_id: format!("src{k}"),
            url: String::new(),
            validators: Validators::default(),
            encoding: "UTF-8".into(),
            items,
            extract_errors: vec![],
            next_poll_at: t0,
        })
        .collect();
    store.apply_poll_with(&records, policies, t0).unwrap();
}

fn main() {
    let mut n = 10_000usize;
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--articles") {
        n = args.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or(n);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mut served = HashMap::new();
    let mut htmls = Vec::with_capacity(n);
    for i in 0..n {
        let html = page_html(i);
        served.insert(
            format!("/a/{i}.htm"),
            Page {
                body: html.clone().into_bytes(),
                etag: format!("\"page-{i}\""),
            },
        );
        htmls.push(html);
    }
    let served = Arc::new(served);
    let counters = Arc::new(Counters {
        ok: AtomicUsize::new(0),
        not_modified: AtomicUsize::new(0),
    });
    let ports: Vec<u16> = rt.block_on(async {
        let mut ports = Vec::new();
        for _ in 0..HOSTS {
            let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
            ports.push(l.local_addr().unwrap().port());
            tokio::spawn(serve(l, served.clone(), counters.clone()));
        }
        ports
    });
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
    fill_store(&state, &RevisePolicies::of(&settings.sources), &urls, t0);
    let config = config.to_str().unwrap().to_string();

    let bare: Vec<(String, String)> = urls
        .iter()
        .map(|(i, u, _)| (u.to_string(), format!("\"page-{i}\"")))
        .collect();
    let bare_304 = rt.block_on(bare_client(&bare));
    counters.not_modified.store(0, Ordering::Relaxed);

    let full = run_binary(&[
        "--config",
        &config,
        "--now",
        "2024-09-02T03:01:00Z",
        "poll",
        "--once",
    ]);
    let full_200 = counters.ok.swap(0, Ordering::Relaxed);
    let warm = run_binary(&[
        "--config",
        &config,
        "--now",
        "2024-09-02T05:01:00Z",
        "poll",
        "--once",
    ]);
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
