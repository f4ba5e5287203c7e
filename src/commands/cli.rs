//! Command-line surface (clap). Parsing only; the commands themselves live
//! in `commands`, and `main.rs` maps their results to exit codes.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Watches news sources for reform-related articles and mails digests.
#[derive(Debug, Parser)]
#[command(name = "reformwatch", version, about, long_about = None)]
pub struct Cli {
    /// Config file (default: $REFORMWATCH_CONFIG, then
    /// /etc/reformwatch/reformwatch.toml, then config/reformwatch.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Human, env = "REFORMWATCH_LOG_FORMAT")]
    pub log_format: LogFormat,

    /// Pretend the current time is this RFC 3339 instant (for tests and
    /// replaying a schedule).
    #[arg(long, global = true, hide = true, value_parser = parse_instant)]
    pub now: Option<DateTime<Utc>>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Readable lines.
    Human,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daemon: poll sources on their intervals and send due digests.
    Run,
    /// Validate the config file and report every problem with file, line and key.
    Check,
    /// Poll sources once and store what is new.
    Poll(PollArgs),
    /// Compose and send digests.
    Digest(DigestArgs),
    /// Show the health of every source, or add or remove one
    /// (`sources add URL`, `sources remove ID`).
    Sources(SourcesArgs),
    /// List stored articles.
    Articles(ArticlesArgs),
    /// Show one stored article.
    Show(ShowArgs),
    /// Show what changed between two revisions of a stored article (by
    /// default its newest revision against the one it was compared with).
    Diff(DiffArgs),
    /// Run documents (files or URLs) through decode and parse (a feed) or
    /// extract (an article page) and print them; several with `--json` print
    /// one JSON object per line, each with its `input`.
    Extract(ExtractArgs),
    /// Fetch one source now and show the items found and the first article
    /// extracted; writes nothing.
    TestSource(TestSourceArgs),
    /// List digests that are not sent yet (pending, failed, expired), or
    /// requeue one with `outbox retry ID`.
    Outbox(OutboxArgs),
    /// Print `[[sources]]` entries for the feeds in an OPML file.
    ImportOpml(ImportOpmlArgs),
    /// Print a shell completion script, e.g.
    /// `reformwatch completions bash > /etc/bash_completion.d/reformwatch`.
    Completions(CompletionsArgs),
}

/// `completions` options.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `sources` options.
#[derive(Debug, Args)]
pub struct SourcesArgs {
    /// What to do; without one, show every source's health.
    #[command(subcommand)]
    pub action: Option<SourcesAction>,
}

/// `sources` actions: edits of the config file that keep its comments,
/// order and formatting, checked before they are written.
#[derive(Debug, Subcommand)]
pub enum SourcesAction {
    /// Add a source: a feed URL as a feed; a page's own feeds (its
    /// `<link rel="alternate">`, then common paths) when it has some;
    /// else an html source with an inferred `link_pattern`, previewed.
    Add(SourcesAddArgs),
    /// Remove the source with this id.
    Remove(SourcesRemoveArgs),
}

/// `sources add` options.
#[derive(Debug, Args)]
pub struct SourcesAddArgs {
    /// A feed, or a page of the site to watch.
    pub url: String,
    /// The new source's id (default: made from the host name).
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// The new source's display name (default: the feed's or page's title).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Show what would be added; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Of several feeds found, add the Nth (as listed, from 1).
    #[arg(long, value_name = "N", conflicts_with = "yes")]
    pub pick: Option<usize>,
    /// Of several feeds found, add the first.
    #[arg(long)]
    pub yes: bool,
    /// Tell a running daemon to reload the config (SIGHUP to the pid in
    /// its lock file).
    #[arg(long, conflicts_with = "dry_run")]
    pub reload: bool,
}

/// `sources remove` options.
#[derive(Debug, Args)]
pub struct SourcesRemoveArgs {
    /// The source id.
    pub id: String,
    /// Show what would be removed; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Tell a running daemon to reload the config (SIGHUP to the pid in
    /// its lock file).
    #[arg(long, conflicts_with = "dry_run")]
    pub reload: bool,
}

/// `import-opml` options.
#[derive(Debug, Args)]
pub struct ImportOpmlArgs {
    /// The OPML file (e.g. a feed reader's export).
    pub file: PathBuf,
}

/// `outbox` options.
#[derive(Debug, Args)]
pub struct OutboxArgs {
    /// What to do; without one, list the unsent digests.
    #[command(subcommand)]
    pub action: Option<OutboxAction>,
}

/// `outbox` actions.
#[derive(Debug, Subcommand)]
pub enum OutboxAction {
    /// Requeue one failed, expired or waiting digest: state pending, next
    /// attempt now, a fresh queue lifetime; the same bytes and Message-ID.
    Retry {
        /// The digest id shown by `reformwatch outbox`.
        id: i64,
    },
}

/// `poll` options.
#[derive(Debug, Args)]
pub struct PollArgs {
    /// Poll every source (or `--source`) once, whether due or not, then exit.
    #[arg(long, required = true)]
    pub once: bool,
    /// Only this source id.
    #[arg(long, value_name = "ID")]
    pub source: Option<String>,
}

/// `digest` options: exactly one action.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("action").required(true).args(["send_due", "send_now", "preview"])))]
pub struct DigestArgs {
    /// Send the digests whose schedule slot has come, and the admin
    /// notices about failing sources that are due.
    #[arg(long)]
    pub send_due: bool,
    /// Compose and send digests now, whatever the schedule.
    #[arg(long)]
    pub send_now: bool,
    /// With --send-now: only this subscriber (email or id).
    #[arg(long, value_name = "EMAIL", requires = "send_now")]
    pub to: Option<String>,
    /// Print what this subscriber would receive now; writes nothing.
    #[arg(long, value_name = "EMAIL")]
    pub preview: Option<String>,
    /// With --preview: also write the HTML body to this file.
    #[arg(long, value_name = "FILE", requires = "preview")]
    pub html: Option<PathBuf>,
}

/// `articles` options.
#[derive(Debug, Args)]
pub struct ArticlesArgs {
    /// Only articles matching this topic id (with --query: this topic's
    /// keywords and settings with that query).
    #[arg(long, value_name = "TOPIC")]
    pub topic: Option<String>,
    /// Backtest a topic query over the stored archive, each match with its
    /// score and explanation.
    #[arg(long, value_name = "QUERY")]
    pub query: Option<String>,
    /// Only articles first seen within this duration (e.g. `2d`, `12h`).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub since: Option<std::time::Duration>,
    /// At most this many.
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ArticlesFormat::Table)]
    pub format: ArticlesFormat,
    /// Same as `--format jsonl`.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

/// How `articles` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ArticlesFormat {
    /// One line per article, for reading.
    Table,
    /// One JSON object per line: the whole article, its revision count,
    /// matched topics and terms.
    Jsonl,
    /// A spreadsheet: UTF-8 with BOM, RFC 4180, formula-safe cells.
    Csv,
    /// An Atom 1.0 feed.
    Atom,
    /// A JSON Feed 1.1 document.
    Jsonfeed,
}

impl ArticlesArgs {
    /// The format asked for, `--json` included.
    pub fn format(&self) -> ArticlesFormat {
        if self.json {
            ArticlesFormat::Jsonl
        } else {
            self.format
        }
    }
}

/// `show` options.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Article id (from `reformwatch articles`).
    pub id: i64,
    /// Print the article as JSON.
    #[arg(long)]
    pub json: bool,
    /// Print the revision history instead: revision, seen at, change class.
    #[arg(long, conflicts_with = "json")]
    pub revisions: bool,
}

/// `diff` options.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Article id (from `reformwatch articles`).
    pub id: i64,
    /// The older revision (default: the one `--to` was compared with).
    #[arg(long, value_name = "N")]
    pub from: Option<u32>,
    /// The newer revision (default: the newest).
    #[arg(long, value_name = "M")]
    pub to: Option<u32>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
}

/// How `diff` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// `[-deleted-]` / `{+inserted+}` markers, as in the digest's text part.
    Text,
    /// `<del>` / `<ins>` with colours and markers, as in the digest's HTML.
    Html,
}

/// `extract` options.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// File paths, or http(s) URLs to fetch.
    #[arg(required = true, value_name = "FILE_OR_URL")]
    pub inputs: Vec<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Content-Type to assume for a file (stands in for the HTTP header).
    #[arg(long, value_name = "CT")]
    pub content_type: Option<String>,
    /// Use this configured source's time zone and encoding override.
    #[arg(long, value_name = "ID")]
    pub source: Option<String>,
}

/// `test-source` options.
#[derive(Debug, Args)]
pub struct TestSourceArgs {
    /// The configured source id.
    pub id: String,
}

fn parse_instant(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("not an RFC 3339 time ({e}); e.g. 2026-01-01T08:00:00+08:00"))
}

/// Parses `90s`, `15m`, `2h`, `2d`, `1w` (and combinations like `1h30m`).
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("empty duration".into());
    }
    let mut total: u64 = 0;
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: u64 = num
            .parse()
            .map_err(|_| format!("`{s}` is not a duration like 15m, 2h or 2d"))?;
        num.clear();
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => return Err(format!("`{s}` is not a duration like 15m, 2h or 2d")),
        };
        total = total.saturating_add(n.saturating_mul(unit));
    }
    if !num.is_empty() {
        return Err(format!("`{s}` needs a unit (s, m, h, d, w)"));
    }
    Ok(std::time::Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("2d").unwrap().as_secs(), 172_800);
        assert_eq!(parse_duration("1h30m").unwrap().as_secs(), 5400);
        assert!(parse_duration("2").is_err());
        assert!(parse_duration("2x").is_err());
    }

    #[test]
    fn digest_needs_one_action_and_now_is_global() {
        assert!(Cli::try_parse_from(["reformwatch", "digest"]).is_err());
        let cli = Cli::try_parse_from([
            "reformwatch",
            "--now",
            "2026-01-01T08:00:00+08:00",
            "digest",
            "--send-due",
        ])
        .unwrap();
        assert_eq!(cli.now.unwrap().to_rfc3339(), "2026-01-01T00:00:00+00:00");
    }
}
