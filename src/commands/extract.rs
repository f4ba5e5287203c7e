//! `reformwatch extract FILE_OR_URL…`: each document through
//! `document::read` (decode, then parse a feed or extract an article page),
//! printed as the shared model (JSON with `--json`; with several inputs,
//! one JSON object per line with its `input`, so a corpus is extracted in
//! one process). A document that fails is reported on stderr with its input
//! and the others go on. In such a batch each page also carries its story
//! `cluster` (the 1-based number of the first input of its cluster) and,
//! when it is a copy, `copy_of` (the input it matched best). Writes nothing.

use crate::commands::cli::ExtractArgs;
use std::cell::RefCell;

use anyhow::Context;
use chrono::{DateTime, Utc};
use reformwatch::analysis::cluster::{ClusterIndex, Fingerprint, Member};
use reformwatch::config::{Settings, Source};
use reformwatch::document::extract::ExtractedPage;
use reformwatch::document::read::{self, Document, Expect, Input, ReadError, Rules};
use reformwatch::model::{FeedDocument, Validators};
use reformwatch::net::fetch::{FetchLimits, FetchOutcome, Fetcher};
use url::Url;

use super::article::print_article;
use super::Exit;

/// Reads each document and prints it.
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
    let clusters = RefCell::new(ClusterIndex::default());
    for (number, input) in args.inputs.iter().enumerate() {
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
            number: number + 1,
            clusters: &clusters,
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
    source: Option<&'a Source>,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
    settings: Option<&'a Settings>,
    /// Several inputs: JSON is printed one object per line, with `input`.
    batch: bool,
    /// 1-based position among the inputs.
    number: usize,
    /// The story clusters of the batch's pages so far.
    clusters: &'a RefCell<ClusterIndex>,
}

impl One<'_> {
    async fn run(&self) -> anyhow::Result<()> {
        let (bytes, content_type, base) = self.bytes().await?;
        let content_type = self.args.content_type.clone().or(content_type);
        // A page's relative links ("next page") resolve against where it came from.
        let url = base
            .or_else(|| {
                std::fs::canonicalize(self.input)
                    .ok()
                    .and_then(|p| Url::from_file_path(p).ok())
            })
            .unwrap_or_else(|| Url::parse("file:///extract").expect("static URL"));
        let input = Input {
            body: &bytes,
            content_type: content_type.as_deref(),
            url: &url,
        };
        let rules = Rules {
            timezone: self.tz,
            ..self.source.map_or(Rules::none(self.tz), Rules::of)
        };
        let read = match read::read(input, rules, Expect::FeedOrPage, self.now) {
            Ok(read) => read,
            Err(e @ ReadError::Page { .. }) => {
                return Err(
                    anyhow::Error::new(e).context(format!("{}: no article extracted", self.input))
                )
            }
            Err(e) => {
                return Err(anyhow::Error::new(e).context(format!(
                    "{}: neither an HTML page nor a usable feed",
                    self.input
                )))
            }
        };
        let charset = read.charset();
        match read.document {
            Document::Page(page) => self.page(&page, &charset),
            Document::Feed(feed) => self.feed(&feed, &charset),
            Document::Listing(_) => anyhow::bail!("{}: read as a listing page", self.input),
        }
    }

    /// The input's bytes, content type and URL: fetched for an http(s)
    /// URL, read from disk otherwise.
    async fn bytes(&self) -> anyhow::Result<(Vec<u8>, Option<String>, Option<Url>)> {
        match Url::parse(self.input) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => {
                let limits = self
                    .settings
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
                    FetchOutcome::Fetched(f) => Ok((f.body, f.content_type, Some(f.final_url))),
                    FetchOutcome::NotModified { .. } => anyhow::bail!("{url}: unexpected 304"),
                }
            }
            _ => {
                let bytes = std::fs::read(self.input)
                    .with_context(|| format!("cannot read {}", self.input))?;
                Ok((bytes, None, None))
            }
        }
    }

    /// A page: its article, with where each field came from in JSON.
    fn page(&self, page: &ExtractedPage, charset: &str) -> anyhow::Result<()> {
        if self.args.json {
            let mut v = page.article.to_json();
            // Where each field came from (`title_from`, …), to trace a wrong one.
            if let (Some(map), Ok(serde_json::Value::Object(from))) =
                (v.as_object_mut(), serde_json::to_value(&page.provenance))
            {
                map.extend(from);
            }
            if let (true, Some(map)) = (self.batch, v.as_object_mut()) {
                let member = Member {
                    id: self.number as i64,
                    source_id: self.input.to_owned(),
                    at: page.article.published_at.unwrap_or(self.now),
                    original: false,
                };
                let placed = self
                    .clusters
                    .borrow_mut()
                    .insert(member, Fingerprint::of(&page.article));
                map.insert("cluster".into(), placed.cluster.into());
                if let Some((id, _)) = placed.matched {
                    map.insert("copy_of".into(), id.into());
                }
            }
            return self.print_json(v);
        }
        println!("page: decoded as {charset}");
        print_article(&page.article, self.tz);
        if let Some(next) = &page.next_page {
            println!("next page: {next}");
        }
        Ok(())
    }

    /// A feed: its items.
    fn feed(&self, feed: &FeedDocument, charset: &str) -> anyhow::Result<()> {
        if self.args.json {
            return self.print_json(feed.to_json());
        }
        println!(
            "feed: {} ({} items, decoded as {charset})",
            feed.title.as_deref().unwrap_or("(untitled)"),
            feed.items.len(),
        );
        for item in &feed.items {
            let when = item
                .published_at
                .map(|t| {
                    t.with_timezone(&self.tz)
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_else(|| "-".into());
            println!("- {when}  {}", item.title);
            if let Some(u) = &item.url {
                println!("  {u}");
            }
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
