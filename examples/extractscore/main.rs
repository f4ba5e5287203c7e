//! Scores automatic extraction on a development set of real pages (not part
//! of `cargo test`; the sets live outside the project):
//!
//! ```sh
//! cargo run --release --example extractscore -- /path/to/readability/pages
//! cargo run --release --example extractscore -- /path/to/gne/pages
//! ```
//!
//! Two layouts are understood: Mozilla Readability's test pages
//! (`NAME/source.html` with `expected.html` and `expected-metadata.json`)
//! and GeneralNewsExtractor's (`SITE/N.html`, GNE's own output in
//! `result.txt`, and our hand-checked titles and days in
//! `examples/extractscore/gne-labels.tsv`). Prints body F1, precision and
//! recall (4-shingles, see `shingles.rs`), per-field accuracy, the ten worst
//! pages and the extraction speed on one thread.
//!
//! Options: `--all` lists every page, `--fields` lists every wrong field
//! with where our value came from, `--rounds N` times N more passes,
//! `--labels FILE` reads other GNE labels, `--dump NAME` prints one page's
//! extracted text.

mod shingles;
mod truth;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use reformwatch::document::dates::parse_date;
use reformwatch::document::decode::decode_document;
use reformwatch::document::extract::{extract_article, ExtractedPage, PageContext};
use url::Url;

use shingles::Prf;
use truth::Truth;

struct Options {
    dir: PathBuf,
    all: bool,
    fields: bool,
    rounds: usize,
    labels: Option<PathBuf>,
    dump: Option<String>,
}

fn options() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut o = Options {
        dir: PathBuf::new(),
        all: false,
        fields: false,
        rounds: 0,
        labels: None,
        dump: None,
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--all" => o.all = true,
            "--fields" => o.fields = true,
            "--rounds" => {
                o.rounds = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--rounds needs a number")?;
            }
            "--labels" => o.labels = Some(args.next().ok_or("--labels needs a file")?.into()),
            "--dump" => o.dump = Some(args.next().ok_or("--dump needs a page name")?),
            _ if a.starts_with("--") => return Err(format!("unknown option {a}")),
            _ => o.dir = a.into(),
        }
    }
    if o.dir.as_os_str().is_empty() {
        return Err(
            "usage: extractscore DIR [--all] [--fields] [--rounds N] [--labels FILE] [--dump NAME]"
                .into(),
        );
    }
    Ok(o)
}

/// One page's outcome.
struct Scored {
    truth: Truth,
    page: Option<ExtractedPage>,
    prf: Option<Prf>,
}

fn main() {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let readability = std::fs::read_dir(&o.dir)
        .map(|r| r.flatten().any(|e| e.path().join("source.html").is_file()))
        .unwrap_or(false);
    let (pages, tz) = if readability {
        (truth::readability(&o.dir), chrono_tz::UTC)
    } else {
        let default =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/extractscore/gne-labels.tsv");
        let labels = o.labels.clone().unwrap_or(default);
        (truth::gne(&o.dir, Some(&labels)), chrono_tz::Asia::Shanghai)
    };
    if pages.is_empty() {
        eprintln!("{}: no pages in either layout", o.dir.display());
        std::process::exit(2);
    }
    let url = Url::parse("http://fakehost/test/page.html").expect("static URL");
    let now = Utc::now();
    let ctx = PageContext {
        source_id: "score",
        url: &url,
        timezone: tz,
        fetched_at: now,
    };
    let raw: Vec<Vec<u8>> = pages
        .iter()
        .map(|t| std::fs::read(&t.path).unwrap_or_default())
        .collect();
    let mut decode_time = Duration::ZERO;
    let mut extract_time = Duration::ZERO;
    let mut scored = Vec::new();
    let mut texts = Vec::new();
    for (t, bytes) in pages.into_iter().zip(&raw) {
        let start = cpu_now();
        let html = decode_document(bytes, None, None).text;
        let mid = cpu_now();
        let page = extract_article(&html, &ctx, None).ok();
        extract_time += cpu_now() - mid;
        decode_time += mid - start;
        let got = page.as_ref().map(|p| p.article.text()).unwrap_or_default();
        if o.dump.as_deref() == Some(t.name.as_str()) {
            println!(
                "==== {} (ours) ====\n{got}\n==== expected ====\n{}",
                t.name,
                t.body.clone().unwrap_or_default()
            );
        }
        let prf = t.body.as_ref().map(|want| shingles::score(&got, want));
        texts.push(html);
        scored.push(Scored {
            truth: t,
            page,
            prf,
        });
    }
    let n = scored.len();
    let kb: usize = raw.iter().map(Vec::len).sum::<usize>() / 1024;
    println!(
        "{}: {n} pages, {kb} KB ({} layout)",
        o.dir.display(),
        if readability { "readability" } else { "gne" }
    );
    body_report(&scored, o.all);
    if readability {
        readability_fields(&scored, tz, o.fields);
    } else {
        gne_fields(&scored, tz, o.fields);
    }
    let secs = (decode_time + extract_time).as_secs_f64();
    println!(
        "speed (thread CPU time, first pass): {:.0} pages/s decode+extract; decode {:.1} ms, extract {:.1} ms in all ({:.2} ms/page)",
        n as f64 / secs,
        decode_time.as_secs_f64() * 1e3,
        extract_time.as_secs_f64() * 1e3,
        extract_time.as_secs_f64() * 1e3 / n as f64
    );
    if o.rounds > 0 {
        timing(&texts, &ctx, o.rounds);
    }
}

/// Mean body P/R/F1, empty extractions and the ten worst pages.
fn body_report(scored: &[Scored], all: bool) {
    let with: Vec<&Scored> = scored.iter().filter(|s| s.prf.is_some()).collect();
    let m = with.len().max(1) as f64;
    let sum = |f: fn(&Prf) -> f64| {
        with.iter()
            .filter_map(|s| s.prf.as_ref())
            .map(f)
            .sum::<f64>()
            / m
    };
    let empty: Vec<&str> = with
        .iter()
        .filter(|s| {
            s.truth
                .body
                .as_deref()
                .is_some_and(|b| !b.trim().is_empty())
                && s.page
                    .as_ref()
                    .is_none_or(|p| p.article.text().trim().is_empty())
        })
        .map(|s| s.truth.name.as_str())
        .collect();
    println!(
        "body: F1 {:.3}  P {:.3}  R {:.3}  over {} pages; empty where a body was expected: {} {:?}",
        sum(|p| p.f1),
        sum(|p| p.p),
        sum(|p| p.r),
        with.len(),
        empty.len(),
        empty
    );
    let mut order: Vec<&Scored> = with.clone();
    order.sort_by(|a, b| {
        let f = |s: &Scored| s.prf.map_or(0.0, |p| p.f1);
        f(a).total_cmp(&f(b))
    });
    let shown = if all {
        order.len()
    } else {
        10.min(order.len())
    };
    println!(
        "{} pages by body F1:",
        if all { "all" } else { "ten worst" }
    );
    for s in &order[..shown] {
        let p = s.prf.unwrap_or_default();
        println!(
            "  {:.3}  P {:.3} R {:.3}  {}{}",
            p.f1,
            p.p,
            p.r,
            s.truth.name,
            if s.page.is_none() {
                "  (no article)"
            } else {
                ""
            }
        );
    }
}

fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Counts of right answers per field, printed as `name right/asked`.
#[derive(Default)]
struct Tally(Vec<(&'static str, usize, usize)>);

impl Tally {
    fn add(&mut self, field: &'static str, ok: bool) {
        match self.0.iter_mut().find(|(f, _, _)| *f == field) {
            Some(e) => {
                e.1 += usize::from(ok);
                e.2 += 1;
            }
            None => self.0.push((field, usize::from(ok), 1)),
        }
    }
    fn print(&self) {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(f, r, n)| format!("{f} {r}/{n}"))
            .collect();
        println!("fields: {}", parts.join(", "));
    }
}

fn same_instant(a: Option<DateTime<Utc>>, want: &str, tz: Tz) -> bool {
    a.is_some() && a == parse_date(want, tz)
}

fn contains_either(got: &str, want: &str) -> bool {
    let (g, w) = (fold(got).to_lowercase(), fold(want).to_lowercase());
    !g.is_empty() && (g.contains(&w) || w.contains(&g))
}

fn readability_fields(scored: &[Scored], tz: Tz, list: bool) {
    let mut t = Tally::default();
    let mut wrong = Vec::new();
    for s in scored {
        let a = s.page.as_ref().map(|p| &p.article);
        let mut check = |field: &'static str,
                         want: &Option<String>,
                         got: Option<String>,
                         ok: &dyn Fn(&str, &str) -> bool| {
            if let Some(w) = want {
                let g = got.unwrap_or_default();
                let right = ok(&g, w);
                t.add(field, right);
                if !right {
                    wrong.push(format!(
                        "  {:28} {field:9} got  {g:?}\n  {:38} want {w:?}",
                        s.truth.name, ""
                    ));
                }
            }
        };
        check(
            "title",
            &s.truth.title,
            a.map(|a| a.title.clone()),
            &|g, w| fold(g) == fold(w),
        );
        // Readability keeps a site or author suffix (`… | eHow`) that we
        // drop on purpose: counted apart.
        check(
            "title but for a site suffix",
            &s.truth.title,
            a.map(|a| a.title.clone()),
            &|g, w| {
                let (g, w) = (fold(g), fold(w));
                g == w
                    || (!g.is_empty()
                        && w.starts_with(&g)
                        && ["|", "-", "–", "—", "_", "·", "[", ":"]
                            .iter()
                            .any(|s| w[g.len()..].trim_start().starts_with(s)))
            },
        );
        check(
            "byline",
            &s.truth.byline,
            a.and_then(|a| a.byline.clone()),
            &|g, w| contains_either(g.trim_start_matches("By "), w.trim_start_matches("By ")),
        );
        check(
            "site",
            &s.truth.site,
            a.and_then(|a| a.outlet.clone()),
            &contains_either,
        );
        let published = a.and_then(|a| a.published_at);
        check(
            "published",
            &s.truth.published,
            published.map(|d| d.to_rfc3339()),
            &|_, w| same_instant(published, w, tz),
        );
    }
    t.print();
    if list {
        println!("wrong fields:\n{}", wrong.join("\n"));
    }
}

fn gne_fields(scored: &[Scored], tz: Tz, list: bool) {
    let mut t = Tally::default();
    let mut wrong = Vec::new();
    for s in scored {
        let a = s.page.as_ref().map(|p| &p.article);
        let title = a.map(|a| fold(&a.title)).unwrap_or_default();
        let day = a
            .and_then(|a| a.published_at)
            .map(|d| d.with_timezone(&tz).format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "-".into());
        let mut check = |field: &'static str, got: &str, want: Option<&String>| {
            if let Some(w) = want {
                let right = fold(got) == fold(w);
                t.add(field, right);
                if !right {
                    wrong.push(format!(
                        "  {:22} {field:9} got  {got:?}\n  {:32} want {w:?}",
                        s.truth.name, ""
                    ));
                }
            }
        };
        check("gne title", &title, s.truth.title.as_ref());
        check("gne day", &day, s.truth.day.as_ref());
        check("title", &title, s.truth.label_title.as_ref());
        check("day", &day, s.truth.label_day.as_ref());
    }
    t.print();
    if list {
        println!("wrong fields:\n{}", wrong.join("\n"));
    }
}

/// CPU time this thread has used: unlike wall time, not inflated when
/// other processes share the cores.
fn cpu_now() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the call's duration.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Times `rounds` more passes of extraction alone and of parsing alone.
fn timing(texts: &[String], ctx: &PageContext<'_>, rounds: usize) {
    let start = cpu_now();
    for _ in 0..rounds {
        for t in texts {
            std::hint::black_box(scraper::Html::parse_document(t));
        }
    }
    let parse = (cpu_now() - start).as_secs_f64();
    let start = cpu_now();
    for _ in 0..rounds {
        for t in texts {
            let _ = std::hint::black_box(extract_article(t, ctx, None));
        }
    }
    let all = (cpu_now() - start).as_secs_f64();
    let pages = (texts.len() * rounds) as f64;
    println!(
        "CPU time over {rounds} rounds: extract {:.0} pages/s ({:.3} ms/page); html5ever alone on the raw pages {:.3} ms/page ({:.0}% of that; the extractor parses them after cutting scripts and styles out)",
        pages / all,
        all * 1e3 / pages,
        parse * 1e3 / pages,
        100.0 * parse / all
    );
}
