//! `reformwatch sources add URL` and `sources remove ID`: edit the
//! operator's config file without hand-editing TOML. `add` fetches the
//! URL: a feed is added as a feed; a page's own feeds (its `<link
//! rel="alternate">`, then common paths) are listed and the chosen one
//! added; a page with none becomes an html source whose `link_pattern` is
//! inferred from its article links, previewed as `test-source` would.
//! The file is edited with `toml_edit` (comments, order and formatting
//! kept), the result must pass `check`, and it is written atomically.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use reformwatch::config::{self, Settings};
use reformwatch::document::decode;
use reformwatch::document::read::{self, Document, Expect, Input, Rules};
use reformwatch::document::suggest::{self, COMMON_FEED_PATHS};
use reformwatch::model::Validators;
use reformwatch::net::fetch::{FetchOutcome, Fetched, Fetcher};
use url::Url;

use super::cli::{SourcesAddArgs, SourcesRemoveArgs, TestSourceArgs};
use super::{daemon_lock, test_source, Exit};

/// What `add` proposes to write.
enum Proposal {
    /// A feed, with its title when it has one.
    Feed { url: Url, title: Option<String> },
    /// A page without a feed, read by `link_pattern`.
    Html {
        url: Url,
        title: Option<String>,
        pattern: String,
    },
}

/// `sources add`.
pub async fn add(
    settings: &Settings,
    args: &SourcesAddArgs,
    now: DateTime<Utc>,
) -> anyhow::Result<Exit> {
    let Ok(url) = Url::parse(args.url.trim()) else {
        eprintln!("error: `{}` is not a URL", args.url);
        return Ok(Exit::Config);
    };
    if let Some(s) = settings.sources.iter().find(|s| s.url == url) {
        eprintln!(
            "error: {url} is already source `{}` in {}",
            s.id,
            settings.path.display()
        );
        return Ok(Exit::Config);
    }
    if let Some(id) = args.id.as_deref() {
        if settings.sources.iter().any(|s| s.id == id) {
            eprintln!(
                "error: a source with id `{id}` is already in {}",
                settings.path.display()
            );
            return Ok(Exit::Config);
        }
    }
    let fetcher = test_source::fetcher(settings)?;
    fetcher.allow_origin(&url);
    let proposal = match propose(settings, args, &fetcher, &url, now).await {
        Ok(Some(p)) => p,
        Ok(None) => return Ok(Exit::Config),
        Err(e) => {
            eprintln!("error: cannot add {url}: {e:#}");
            return Ok(Exit::Runtime);
        }
    };
    let chosen = match &proposal {
        Proposal::Feed { url, .. } | Proposal::Html { url, .. } => url,
    };
    if let Some(s) = settings.sources.iter().find(|s| &s.url == chosen) {
        eprintln!(
            "error: {chosen} is already source `{}` in {}",
            s.id,
            settings.path.display()
        );
        return Ok(Exit::Config);
    }
    let text = std::fs::read_to_string(&settings.path)
        .with_context(|| format!("cannot read {}", settings.path.display()))?;
    let id = args.id.clone().unwrap_or_else(|| free_id(settings, &url));
    let (entry, edited) = with_source(&text, &id, args.name.as_deref(), &proposal)?;
    let checked = match config::load_text(&edited, &settings.path) {
        Ok(s) => s,
        Err(problems) => {
            eprintln!("error: the new entry would not pass `check`; nothing written:\n{problems}");
            eprintln!("the entry:\n{entry}");
            return Ok(Exit::Config);
        }
    };
    if let Proposal::Html { pattern, .. } = &proposal {
        println!("no feed found; proposing an html source with link_pattern = '{pattern}'");
        println!("preview (as `reformwatch test-source {id}` will show it):");
        test_source::run(&checked, &TestSourceArgs { id: id.clone() }, now).await?;
        println!();
    }
    println!("{}", entry.trim_end());
    if args.dry_run {
        println!("dry run: {} unchanged", settings.path.display());
        return Ok(Exit::Ok);
    }
    write_atomically(&settings.path, &edited)?;
    println!("added source `{id}` to {}", settings.path.display());
    tell_daemon(settings, args.reload);
    Ok(Exit::Ok)
}

/// Fetches `url` and decides what to add; `None` after printing why the
/// operator must choose (several feeds, no `--pick` or `--yes`).
async fn propose(
    settings: &Settings,
    args: &SourcesAddArgs,
    fetcher: &Fetcher,
    url: &Url,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<Proposal>> {
    let tz = settings.daemon.timezone;
    let page = fetch(fetcher, url).await?;
    if let Some(title) = as_feed(&page, tz, now) {
        return Ok(Some(Proposal::Feed {
            url: url.clone(),
            title,
        }));
    }
    let text = decode::decode_document(&page.body, page.content_type.as_deref(), None).text;
    if !read::looks_like_html(page.content_type.as_deref(), &text) {
        anyhow::bail!(
            "neither a feed nor an HTML page (Content-Type: {})",
            page.content_type.as_deref().unwrap_or("none")
        );
    }
    let page_title = suggest::page_title(&text);
    let mut feeds: Vec<(Url, Option<String>)> = suggest::alternate_feeds(&text, &page.final_url)
        .into_iter()
        .map(|f| (f.url, f.title))
        .collect();
    if feeds.is_empty() {
        // Guesses: only those that answer with a feed count.
        for path in COMMON_FEED_PATHS {
            let Ok(guess) = page.final_url.join(path) else {
                continue;
            };
            if let Ok(f) = fetch(fetcher, &guess).await {
                if let Some(title) = as_feed(&f, tz, now) {
                    feeds.push((guess, title));
                }
            }
        }
    }
    if feeds.is_empty() {
        let Some(inferred) = suggest::infer_link_pattern(&text, &page.final_url) else {
            anyhow::bail!("no feed, and no link on the page looks like an article");
        };
        return Ok(Some(Proposal::Html {
            url: url.clone(),
            title: page_title,
            pattern: inferred.pattern,
        }));
    }
    println!("feeds of {url}:");
    for (i, (feed, title)) in feeds.iter().enumerate() {
        println!(
            "  {}. {feed}{}",
            i + 1,
            title
                .as_deref()
                .map(|t| format!("  ({t})"))
                .unwrap_or_default()
        );
    }
    let chosen = match (args.pick, feeds.len()) {
        (Some(n), len) if (1..=len).contains(&n) => n - 1,
        (Some(n), len) => anyhow::bail!("--pick {n}: there are {len} feeds, numbered from 1"),
        (None, 1) => 0,
        (None, _) if args.yes => 0,
        (None, len) => {
            eprintln!("{len} feeds found: choose one with --pick N, or the first with --yes");
            return Ok(None);
        }
    };
    let (feed_url, link_title) = feeds.swap_remove(chosen);
    fetcher.allow_origin(&feed_url);
    let fetched = fetch(fetcher, &feed_url).await?;
    let Some(title) = as_feed(&fetched, tz, now) else {
        anyhow::bail!("{feed_url}, linked as a feed, is not one");
    };
    Ok(Some(Proposal::Feed {
        url: feed_url,
        title: title.or(link_title).or(page_title),
    }))
}

/// GETs `url`; a 304 cannot happen without validators.
async fn fetch(fetcher: &Fetcher, url: &Url) -> anyhow::Result<Fetched> {
    match fetcher.get(url, &Validators::default()).await? {
        FetchOutcome::Fetched(f) => Ok(f),
        FetchOutcome::NotModified { .. } => anyhow::bail!("{url}: unexpected 304"),
    }
}

/// `Some(title)` when the document is a feed.
fn as_feed(f: &Fetched, tz: chrono_tz::Tz, now: DateTime<Utc>) -> Option<Option<String>> {
    let input = Input {
        body: &f.body,
        content_type: f.content_type.as_deref(),
        url: &f.final_url,
    };
    match read::read(input, Rules::none(tz), Expect::Feed, now) {
        Ok(read::Read {
            document: Document::Feed(feed),
            ..
        }) => Some(feed.title.filter(|t| !t.trim().is_empty())),
        _ => None,
    }
}

/// An id made from the host (`www.` dropped, dots to dashes), made
/// unique with `-2`, `-3`… .
fn free_id(settings: &Settings, url: &Url) -> String {
    let host = url.host_str().unwrap_or("source");
    let host = host.strip_prefix("www.").unwrap_or(host);
    let base: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let taken = |id: &str| settings.sources.iter().any(|s| s.id == id);
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| !taken(id))
        .unwrap_or(base)
}

/// The config `text` with the new `[[sources]]` entry appended to the
/// others; returns (the entry as written, the whole file).
fn with_source(
    text: &str,
    id: &str,
    name: Option<&str>,
    proposal: &Proposal,
) -> anyhow::Result<(String, String)> {
    let mut doc: toml_edit::DocumentMut = text.parse().context("the config is not valid TOML")?;
    let mut table = toml_edit::Table::new();
    table.decor_mut().set_prefix("\n");
    table["id"] = toml_edit::value(id);
    let (url, title) = match proposal {
        Proposal::Feed { url, title } | Proposal::Html { url, title, .. } => (url, title),
    };
    if let Some(name) = name.map(str::to_owned).or_else(|| title.clone()) {
        table["name"] = toml_edit::value(name);
    }
    match proposal {
        Proposal::Feed { .. } => table["kind"] = toml_edit::value("feed"),
        Proposal::Html { pattern, .. } => {
            table["kind"] = toml_edit::value("html");
            table["link_pattern"] = toml_edit::value(pattern.as_str());
        }
    }
    table["url"] = toml_edit::value(url.as_str());
    let mut entry = toml_edit::DocumentMut::new();
    let mut one = toml_edit::ArrayOfTables::new();
    one.push(table.clone());
    entry.insert("sources", toml_edit::Item::ArrayOfTables(one));
    match doc.get_mut("sources") {
        Some(item) => item
            .as_array_of_tables_mut()
            .context("`sources` in the config is not a list of [[sources]] tables")?
            .push(table),
        None => {
            let mut all = toml_edit::ArrayOfTables::new();
            all.push(table);
            doc.insert("sources", toml_edit::Item::ArrayOfTables(all));
        }
    }
    Ok((entry.to_string(), doc.to_string()))
}

/// `sources remove`.
pub fn remove(settings: &Settings, args: &SourcesRemoveArgs) -> anyhow::Result<Exit> {
    let text = std::fs::read_to_string(&settings.path)
        .with_context(|| format!("cannot read {}", settings.path.display()))?;
    let mut doc: toml_edit::DocumentMut = text.parse().context("the config is not valid TOML")?;
    let found = doc
        .get_mut("sources")
        .and_then(|i| i.as_array_of_tables_mut())
        .and_then(|all| {
            let at = all
                .iter()
                .position(|t| t.get("id").and_then(|v| v.as_str()) == Some(args.id.as_str()))?;
            all.remove(at);
            Some(all.is_empty())
        });
    match found {
        None => {
            eprintln!(
                "error: no source with id `{}` in {}",
                args.id,
                settings.path.display()
            );
            return Ok(Exit::Config);
        }
        Some(true) => {
            doc.remove("sources");
        }
        Some(false) => {}
    }
    let edited = doc.to_string();
    if let Err(problems) = config::load_text(&edited, &settings.path) {
        eprintln!(
            "error: without `{}` the config would not pass `check`; nothing written:\n{problems}",
            args.id
        );
        return Ok(Exit::Config);
    }
    if args.dry_run {
        println!(
            "dry run: would remove source `{}`; {} unchanged",
            args.id,
            settings.path.display()
        );
        return Ok(Exit::Ok);
    }
    write_atomically(&settings.path, &edited)?;
    println!(
        "removed source `{}` from {}",
        args.id,
        settings.path.display()
    );
    tell_daemon(settings, args.reload);
    Ok(Exit::Ok)
}

/// Writes `text` to a temporary file beside `path` with `path`'s
/// permissions, syncs it, and renames it over `path`: a crash leaves the
/// old file or the new one, never half of one.
fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        if let Ok(meta) = std::fs::metadata(path) {
            f.set_permissions(meta.permissions())?;
        }
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        anyhow::anyhow!("cannot write {}: {e}", path.display())
    })
}

/// After a write: a running daemon keeps the old config until told.
fn tell_daemon(settings: &Settings, reload: bool) {
    let Some(pid) = daemon_lock::holder(&settings.daemon.state_dir) else {
        if reload {
            println!("no running daemon to reload");
        }
        return;
    };
    if reload {
        match daemon_lock::hangup(pid) {
            Ok(()) => println!("sent SIGHUP to the daemon (pid {pid}): it reloads the config"),
            Err(e) => eprintln!("warning: cannot signal the daemon (pid {pid}): {e}"),
        }
    } else {
        println!(
            "the daemon is running (pid {pid}) with the old config: reload it with \
             `systemctl reload reformwatch`, `kill -HUP {pid}`, or add --reload"
        );
    }
}
