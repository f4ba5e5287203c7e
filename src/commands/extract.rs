//! `reformwatch extract FILE_OR_URL…`: each document through decode and
//! parse (a feed) or extract (an article page), printed as the shared model
//! (JSON with `--json`; with several inputs, one JSON object per line with
//! its `input`, so a corpus is extracted in one process). A document that
//! fails is reported on stderr with its input and the others go on.
//! Writes nothing.

use crate::commands::cli::ExtractArgs;
use anyhow::Context;
use chrono::{DateTime, Utc};
use reformwatch::config::Settings;
use reformwatch::document::decode;
use reformwatch::document::parse::{self, FeedContext};
use reformwatch::net::fetch::{FetchLimits, FetchOutcome, Fetcher, Validators};
use url::Url;

use super::article::{extract_page, looks_like_html, print_article};
use super::Exit;

/// Decodes and parses each document and prints it.
pub async fn run(
    args: &ExtractArgs,
    settings: Option<&Settings>,
    now: DateTime<Utc>,
) -> anyhow::Result<Exit> {
    let source = match (&args.source, settings) {
        (Some(id), Some(s)) => match s.sources.iter().find(|x| &x.id == id) {
            Some(src) => Some(src),
            None => {
                eprintln!("no source with id `{id}` in {}", s.path.display());
                return Ok(Exit::Config);
            }
        },
        _ => None,
    };
    let tz = source
        .map(|s| s.timezone)
        .or(settings.map(|s| s.daemon.timezone))
        .unwrap_or(chrono_tz::Asia::Shanghai);
    let batch = args.inputs.len() > 1;
    let mut failed = false;
    for input in &args.inputs {
        if batch && !args.json {
            println!("==> {input} <==");
        }
        let one = One {
            args,
            input,
            source,
            tz,
            now,
            settings,
            batch,
        };
        match one.run().await {
            Ok(()) => {}
            // One bad document must not stop a corpus run.
            Err(e) if batch => {
                eprintln!("{input}: {e:#}");
                failed = true;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(if failed { Exit::Runtime } else { Exit::Ok })
}

/// One input of an `extract` run.
struct One<'a> {
    args: &'a ExtractArgs,
    input: &'a str,
    source: Option<&'a reformwatch::config::Source>,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
    settings: Option<&'a Settings>,
    /// Several inputs: JSON is printed one object per line, with `input`.
    batch: bool,
}

impl One<'_> {
    async fn run(&self) -> anyhow::Result<()> {
        let (args, settings, source, tz, now) =
            (self.args, self.settings, self.source, self.tz, self.now);
        let (bytes, content_type, base) = match Url::parse(self.input) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => {
                let limits =
                    settings
                        .map(|s| FetchLimits::from(&s.daemon))
                        .unwrap_or(FetchLimits {
                            timeout: std::time::Duration::from_secs(20),
                            connect_timeout: std::time::Duration::from_secs(10),
                            max_body_bytes: 8 * 1024 * 1024,
                            concurrency: 1,
                            per_host_concurrency: 1,
                            per_host_delay: std::time::Duration::ZERO,
                        });
                let fetcher = Fetcher::new(limits, None)?;
                fetcher.allow_origin(&url);
                match fetcher.get(&url, &Validators::default()).await? {
                    FetchOutcome::Fetched(f) => (f.body, f.content_type, Some(f.final_url)),
                    FetchOutcome::NotModified { .. } => anyhow::bail!("{url}: unexpected 304"),
                }
            }
            _ => {
                let bytes = std::fs::read(self.input)
                    .with_context(|| format!("cannot read {}", self.input))?;
                (bytes, None, None)
            }
        };
        let content_type = args.content_type.clone().or(content_type);
        let decoded = decode::decode_document(
            &bytes,
            content_type.as_deref(),
            source.and_then(|s| s.encoding),
        );
        // A page's relative links ("next page") resolve against where it came from.
        let page_url = base.clone().or_else(|| {
            std::fs::canonicalize(self.input)
                .ok()
                .and_then(|p| Url::from_file_path(p).ok())
        });
        let page_url =
            page_url.unwrap_or_else(|| Url::parse("file:///extract").expect("static URL"));
        if looks_like_html(content_type.as_deref(), &decoded.text) {
            return self.page(&decoded, &page_url);
        }
        let ctx = FeedContext {
            source_id: source.map_or("extract", |s| s.id.as_str()),
            timezone: tz,
            fetched_at: now,
            base_url: base.as_ref(),
        };
        let doc = parse::parse_feed(&decoded.text, &ctx)
            .with_context(|| format!("{}: neither an HTML page nor a usable feed", self.input))?;
        if args.json {
            self.print_json(doc.to_json())?;
            return Ok(());
        }
        println!(
            "feed: {} ({} items, decoded as {} by {})",
            doc.title.as_deref().unwrap_or("(untitled)"),
            doc.items.len(),
            decoded.encoding.name(),
            decoded.decided_by.as_str()
        );
        for item in &doc.items {
            let when = item
                .published_at
                .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_else(|| "-".into());
            println!("- {when}  {}", item.title);
            if let Some(u) = &item.url {
                println!("  {u}");
            }
        }
        Ok(())
    }
    /// The page path: extract the article and print it.
    fn page(&self, decoded: &decode::Decoded, url: &Url) -> anyhow::Result<()> {
        let page = extract_page(decoded, url, self.source, self.tz, self.now)
            .with_context(|| format!("{}: no article extracted", self.input))?;
        if self.args.json {
            let mut v = page.article.to_json();
            // Where each field came from (`title_from`, …), to trace a wrong one.
            if let (Some(map), Ok(serde_json::Value::Object(from))) =
                (v.as_object_mut(), serde_json::to_value(&page.provenance))
            {
                map.extend(from);
            }
            return self.print_json(v);
        }
        println!(
            "page: decoded as {} by {}",
            decoded.encoding.name(),
            decoded.decided_by.as_str()
        );
        print_article(&page.article, self.tz);
        if let Some(next) = &page.next_page {
            println!("next page: {next}");
        }
        Ok(())
    }

    /// Pretty JSON for one input; one line with `input` in a batch.
    fn print_json(&self, mut v: serde_json::Value) -> anyhow::Result<()> {
        if !self.batch {
            println!("{}", serde_json::to_string_pretty(&v)?);
            return Ok(());
        }
        if let Some(map) = v.as_object_mut() {
            map.insert("input".into(), self.input.into());
        }
        println!("{}", serde_json::to_string(&v)?);
        Ok(())
    }
}
