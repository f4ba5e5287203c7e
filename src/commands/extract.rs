//! `reformwatch extract FILE_OR_URL`: one document through decode and parse
//! (a feed) or extract (an article page), printed as the shared model (JSON
//! with `--json`). Writes nothing.

use crate::commands::cli::ExtractArgs;
use anyhow::Context;
use chrono::{DateTime, Utc};
use reformwatch::config::Settings;
use reformwatch::document::read::{self, Document, Expect, Input, ReadError, Rules};
use reformwatch::model::Validators;
use reformwatch::net::fetch::{FetchLimits, FetchOutcome, Fetcher};
use url::Url;

use super::article::print_article;
use super::Exit;

/// Decodes and parses one document and prints it.
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
    let (bytes, content_type, base) = match Url::parse(&args.input) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => {
            let limits = settings
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
            let bytes = std::fs::read(&args.input)
                .with_context(|| format!("cannot read {}", args.input))?;
            (bytes, None, None)
        }
    };
    let content_type = args.content_type.clone().or(content_type);
    let page_url = base.clone().or_else(|| {
        std::fs::canonicalize(&args.input)
            .ok()
            .and_then(|p| Url::from_file_path(p).ok())
    });
    let page_url = page_url.unwrap_or_else(|| Url::parse("file:///extract").expect("static URL"));
    let input = Input {
        body: &bytes,
        content_type: content_type.as_deref(),
        url: &page_url,
    };
    let rules = source.map_or(Rules::none(tz), Rules::of);
    let read = match read::read(
        input,
        Rules {
            timezone: tz,
            ..rules
        },
        Expect::FeedOrPage,
        now,
    ) {
        Ok(read) => read,
        Err(e @ ReadError::Page { .. }) => {
            return Err(
                anyhow::Error::new(e).context(format!("{}: no article extracted", args.input))
            )
        }
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!(
                "{}: neither an HTML page nor a usable feed",
                args.input
            )))
        }
    };
    let charset = read.charset();
    match read.document {
        Document::Page(page) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&page.article.to_json())?);
                return Ok(Exit::Ok);
            }
            println!("page: decoded as {charset}");
            print_article(&page.article, tz);
            if let Some(next) = &page.next_page {
                println!("next page: {next}");
            }
        }
        Document::Feed(doc) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&doc.to_json())?);
                return Ok(Exit::Ok);
            }
            println!(
                "feed: {} ({} items, decoded as {charset})",
                doc.title.as_deref().unwrap_or("(untitled)"),
                doc.items.len(),
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
        }
        Document::Listing(_) => anyhow::bail!("{}: read as a listing page", args.input),
    }
    Ok(Exit::Ok)
}
