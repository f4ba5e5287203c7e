//! Compiled settings: what the rest of the program uses after the TOML file
//! has been parsed and validated. Every value here is already checked
//! (URLs parsed, durations and schedules understood, time zones known), so no
//! later stage re-validates configuration.

use std::path::PathBuf;
use std::time::Duration;

use chrono_tz::Tz;
use url::Url;

use crate::config::query::{Query, Synonyms};

/// The whole validated configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The file these settings were loaded from.
    pub path: PathBuf,
    /// `[daemon]`.
    pub daemon: DaemonSettings,
    /// `[mail]`.
    pub mail: MailSettings,
    /// `[[topics]]`, in file order.
    pub topics: Vec<Topic>,
    /// `[synonyms]`: the sets topic queries and `articles --query` use as
    /// `@name`.
    pub synonyms: Synonyms,
    /// `[[sources]]`, in file order.
    pub sources: Vec<Source>,
    /// `[[subscribers]]`, in file order.
    pub subscribers: Vec<Subscriber>,
}

/// `[daemon]`: process-wide behaviour.
#[derive(Debug, Clone)]
pub struct DaemonSettings {
    /// Where the SQLite file, lock file and file-transport outbox live.
    /// Relative paths are resolved against the config file's directory.
    pub state_dir: PathBuf,
    /// Fetches in flight across all sources.
    pub concurrency: usize,
    /// Fetches in flight per host.
    pub per_host_concurrency: usize,
    /// Least time between the starts of two requests to one host.
    pub per_host_delay: Duration,
    /// Where `/metrics` and `/healthz` are served, if anywhere.
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// Who gets admin notices about failing or drifting sources.
    pub admin_email: Option<String>,
    /// How long a source must have been failing before an admin notice.
    pub admin_after: Duration,
    /// Default poll interval for sources without their own.
    pub poll_interval: Duration,
    /// Total time allowed for one HTTP exchange, body included.
    pub timeout: Duration,
    /// Time allowed to establish a connection.
    pub connect_timeout: Duration,
    /// Cap on a response body, counted after decompression.
    pub max_body_bytes: u64,
    /// Which items of a source's first poll count as new.
    pub backfill: Backfill,
    /// Default time zone for sources that give dates without one.
    pub timezone: Tz,
    /// Extra `User-Agent` text appended after `reformwatch/VERSION`.
    pub user_agent: Option<String>,
    /// How long the raw HTML kept as evidence of each revision is kept
    /// (`evidence_retention`, default 90 days); pruned at poll time.
    pub evidence_retention: Duration,
}

/// Which items of a new source's first poll are mailed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backfill {
    /// Every item counts as new.
    All,
    /// None count as new (`"0"`).
    None,
    /// Items published within this window count as new.
    Window(Duration),
}

/// Most articles shown in one digest when `[mail] max_items` is not set;
/// further items are summarised per topic as "N more" and still count as
/// delivered.
pub const DEFAULT_MAX_ITEMS: usize = 200;

/// `[mail]`: how digests leave the machine.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// The `From:` mailbox, e.g. `Reform Watch <watch@example.org>`.
    pub from: String,
    /// Address for `List-Unsubscribe` and admin notices; defaults to the
    /// address in `from`.
    pub reply_to: Option<String>,
    /// The transport.
    pub transport: Transport,
    /// How long a digest may wait in the outbox before it expires
    /// (`queue_lifetime`, default 5 days, Postfix's `maximal_queue_lifetime`).
    pub queue_lifetime: Duration,
    /// Most articles shown in one digest (`max_items`, default
    /// [`DEFAULT_MAX_ITEMS`]); the rest are counted per topic as "N more"
    /// and count as delivered.
    pub max_items: usize,
    /// Default coalescing window of `schedule = "immediate"` subscribers
    /// (`coalesce`, default 5 minutes).
    pub coalesce: Duration,
}

/// A mail transport and its settings.
#[derive(Debug, Clone)]
pub enum Transport {
    /// Write `.eml` files into a directory (default: `state_dir/outbox`).
    File {
        /// Target directory.
        dir: PathBuf,
    },
    /// Talk SMTP to a relay.
    Smtp(SmtpSettings),
    /// Pipe into a sendmail-compatible command.
    Sendmail {
        /// Path of the command (default `/usr/sbin/sendmail`).
        command: PathBuf,
    },
}

/// SMTP relay settings.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// Relay host name or address.
    pub host: String,
    /// Relay port.
    pub port: u16,
    /// Transport security.
    pub tls: SmtpTls,
    /// Login name, if the relay wants AUTH.
    pub user: Option<String>,
    /// Where the password comes from (`password_env`, `password_file`, or
    /// systemd's `$CREDENTIALS_DIRECTORY/smtp-password`).
    pub password: Option<SecretSource>,
    /// The password itself, read from `password` once by
    /// [`load`](super::load); `None` when none is configured or the
    /// settings were only [`parse`](super::parse)d.
    pub secret: Option<Secret>,
    /// Time allowed for each SMTP command.
    pub timeout: Duration,
    /// Extra trusted CA certificates (PEM) besides the system roots, for
    /// company relays with a private CA (`ca_file`).
    pub ca_file: Option<PathBuf>,
    /// The contents of `ca_file`, read once by [`load`](super::load).
    pub ca_pem: Option<Vec<u8>>,
}

/// SMTP transport security.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text (only for loopback relays and tests).
    None,
    /// STARTTLS upgrade, required.
    Starttls,
    /// Implicit TLS from the first byte.
    Tls,
}

/// Where a secret is read from; never the config file itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// An environment variable.
    Env(String),
    /// A file (e.g. a systemd credential).
    File(PathBuf),
}

/// A password, trimmed. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a password.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The password, for handing to the relay.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// `[[topics]]`: a named set of keywords, a query, or both.
#[derive(Debug, Clone)]
pub struct Topic {
    /// Stable id, referenced by subscribers.
    pub id: String,
    /// Display name used in digests.
    pub name: String,
    /// Terms that raise the score (may be empty when there is a query).
    pub keywords: Vec<Keyword>,
    /// What an article must satisfy (`query`); its clauses also score.
    pub query: Option<Query>,
    /// Terms that veto a match.
    pub exclude: Vec<String>,
    /// Score needed to count as a match.
    pub min_score: f64,
    /// Whether each poll pass writes this topic's Atom and JSON feeds
    /// (`state_dir/feeds/ID.atom`, `ID.json`).
    pub feed: bool,
}

/// One weighted keyword.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyword {
    /// The term, matched as a substring (case-insensitive for Latin).
    pub term: String,
    /// Weight of one occurrence (default 1).
    pub weight: f64,
}

/// Kind of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// RSS, Atom or JSON Feed.
    Feed,
    /// A listing page whose article links are found with `[sources.list]`
    /// selectors or `link_pattern`; every article page is fetched and extracted.
    Html,
}

/// `[[sources]]`: one watched site.
#[derive(Debug, Clone)]
pub struct Source {
    /// Stable id; state in the database is keyed on it.
    pub id: String,
    /// Display name (defaults to the id).
    pub name: String,
    /// Source kind.
    pub kind: SourceKind,
    /// The feed or listing URL.
    pub url: Url,
    /// How often to poll (with `adaptive`, the shortest interval).
    pub interval: Duration,
    /// Poll less often when the source publishes rarely: the interval
    /// stretches to a week divided by last week's new items, up to 24 h.
    pub adaptive: bool,
    /// Time zone for dates that carry none.
    pub timezone: Tz,
    /// Feeds: fetch each new item's page and merge the extracted article in.
    pub full_text: bool,
    /// Overrides `[daemon] backfill` for this source.
    pub backfill: Backfill,
    /// Forced charset label, overriding detection.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Obey the host's robots.txt (default true; `robots = false` opts out).
    pub robots: bool,
    /// Polls only happen inside this daily window, in the source's zone.
    pub active_hours: Option<ActiveHours>,
    /// How to find article links on an html listing page (`[sources.list]`
    /// or `link_pattern`); `None` for feeds.
    pub list: Option<ListRules>,
    /// Per-source article selectors (`[sources.article]`); automatic
    /// extraction when `None`.
    pub article: Option<ArticleRules>,
    /// Parts of the text that are no edit when they change (view counters,
    /// `本文更新于…` lines), compiled at load (`ignore`).
    pub ignore: Vec<regex::Regex>,
    /// Delays after an article was first stored at which its page is
    /// fetched again to catch silent edits (`recheck`); only html sources
    /// and feeds with `full_text = true` re-check.
    pub recheck: Vec<Duration>,
    /// Most re-checks in one poll of the source (`recheck_per_poll`), so
    /// new articles always go first.
    pub recheck_per_poll: usize,
    /// A wire agency or the paper of record (`original = true`): among
    /// copies of one story published at the same time, its copy is the
    /// original.
    pub original: bool,
}

/// How to find article links on a listing page. Either selectors (`item`
/// plus `link`) or `link_pattern`, compiled at load.
#[derive(Debug, Clone, Default)]
pub struct ListRules {
    /// One element per listed article.
    pub item: Option<scraper::Selector>,
    /// The link inside an item (`a` when unset).
    pub link: Option<scraper::Selector>,
    /// The title inside an item (the link text when unset).
    pub title: Option<scraper::Selector>,
    /// The date inside an item.
    pub date: Option<scraper::Selector>,
    /// Instead of selectors: every link whose absolute URL matches.
    pub link_pattern: Option<regex::Regex>,
}

/// Per-source selectors for article pages; each wins over automatic
/// extraction for its field.
#[derive(Debug, Clone, Default)]
pub struct ArticleRules {
    /// 主题.
    pub title: Option<scraper::Selector>,
    /// 副题.
    pub subtitle: Option<scraper::Selector>,
    /// 引题.
    pub kicker: Option<scraper::Selector>,
    /// The article body.
    pub body: Option<scraper::Selector>,
    /// The published time.
    pub date: Option<scraper::Selector>,
    /// Reporter line.
    pub byline: Option<scraper::Selector>,
    /// Outlet line (来源).
    pub outlet: Option<scraper::Selector>,
    /// Boilerplate to drop before extraction.
    pub remove: Vec<scraper::Selector>,
}

/// `[[subscribers]]`: one digest recipient.
#[derive(Debug, Clone)]
pub struct Subscriber {
    /// Stable id (defaults to the email address).
    pub id: String,
    /// Recipient address.
    pub email: String,
    /// Display name, if any.
    pub name: Option<String>,
    /// Topic ids this subscriber follows.
    pub topics: Vec<String>,
    /// When digests are due.
    pub schedule: Schedule,
    /// The subscriber's time zone for schedule and displayed times.
    pub timezone: Tz,
    /// Body format.
    pub format: MailFormat,
    /// The least change class of a revision that is mailed in the
    /// "Revised" section (`revisions`: `"substantive"` = substantive,
    /// `"all"` = cosmetic and up); `None` for `"none"`.
    pub revisions: Option<crate::model::ChangeClass>,
    /// The language of every fixed string and date in this subscriber's
    /// digests (`language`, default English).
    pub language: Language,
    /// How copies of one story from several sources are shown
    /// (`clusters`, default collapse).
    pub clusters: ClusterMode,
}

/// `[[subscribers]] clusters`: whether a digest folds the copies of one
/// story (wire copies from several sources) into one entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ClusterMode {
    /// One entry per story, under its best-scoring copy, with the other
    /// outlets named and substantive changes shown as a diff.
    #[default]
    Collapse,
    /// Every copy is its own entry, as without clustering.
    Expand,
}

/// When a subscriber's digest is due, in the subscriber's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// At the top of every hour.
    Hourly,
    /// Every day at this minute of the day.
    Daily {
        /// Hour, 0–23.
        hour: u32,
        /// Minute, 0–59.
        minute: u32,
    },
    /// As matches happen: the first unsent match opens a window, and
    /// everything matched within it goes out in one mail when it closes.
    Immediate {
        /// Coalescing window (`coalesce`, default 5 minutes).
        window: Duration,
    },
    /// Once a week.
    Weekly {
        /// Day of the week.
        weekday: chrono::Weekday,
        /// Hour, 0–23.
        hour: u32,
        /// Minute, 0–59.
        minute: u32,
    },
}

/// Digest body format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailFormat {
    /// HTML with a text/plain alternative.
    Html,
    /// text/plain only.
    Text,
}

/// The language of a subscriber's digests: headings, notes, counts, the
/// subject and date formats. Article text is shown as it was published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    /// English (`"en"`), the default.
    #[default]
    En,
    /// Simplified Chinese (`"zh"`).
    Zh,
}

/// A daily window `HH:MM-HH:MM` in a source's time zone; the end may be
/// before the start (a window across midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActiveHours {
    /// First minute of the window.
    pub start: chrono::NaiveTime,
    /// First minute after the window.
    pub end: chrono::NaiveTime,
}
