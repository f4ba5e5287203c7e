//! Topic feeds: after each poll pass, every `[[topics]]` with
//! `feed = true` is written as `state_dir/feeds/ID.atom` (Atom 1.0) and
//! `ID.json` (JSON Feed 1.1), each replaced atomically so a reader never
//! gets half a feed; and the bytes on disk are what `/feeds/ID.atom` and
//! `/feeds/ID.json` serve (see [`metrics_http`](super::metrics_http)),
//! with a strong ETag so a polling reader mostly gets 304.
//!
//! A feed holds the topic's newest [`FEED_ENTRIES`] matches and an entry
//! for each substantive edit of them (cosmetic and minor edits would only
//! be noise in a reader), whose content is the diff.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use tracing::debug;
use xxhash_rust::xxh3::xxh3_128;

use crate::analysis::revise::diff_revisions;
use crate::config::{Settings, Topic};
use crate::export::{self, ExportError, FeedInfo, RevisionEntry};
use crate::model::{ArticleFilter, ChangeClass, ListedArticle};
use crate::service::atomic_file::write_atomically;
use crate::store::{Store, StoreError};

/// Matches in a feed, and at most as many edit entries. Readers poll a
/// feed every few minutes to hours and keep what they saw; 100 covers more
/// than a busy day of one topic over dozens of sources (so a reader
/// polling daily misses nothing) while a feed of long Chinese articles
/// stays around a megabyte, which readers still fetch without complaint.
pub const FEED_ENTRIES: usize = 100;

/// A topic's feeds could not be written.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// Reading the topic's articles failed.
    #[error("topic feed `{topic}`: {source}")]
    Store {
        /// The topic id.
        topic: String,
        /// What failed.
        source: StoreError,
    },
    /// Rendering failed.
    #[error("topic feed `{topic}`: {source}")]
    Export {
        /// The topic id.
        topic: String,
        /// What failed.
        source: ExportError,
    },
    /// The file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The feed file (or its directory).
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
}

/// The two formats, by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    /// `ID.atom`.
    Atom,
    /// `ID.json`.
    Json,
}

impl FeedFormat {
    /// The format a file name's extension names.
    pub fn of_extension(ext: &str) -> Option<FeedFormat> {
        match ext {
            "atom" => Some(FeedFormat::Atom),
            "json" => Some(FeedFormat::Json),
            _ => None,
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            FeedFormat::Atom => "atom",
            FeedFormat::Json => "json",
        }
    }

    /// The media type to serve it as.
    pub fn content_type(self) -> &'static str {
        match self {
            FeedFormat::Atom => "application/atom+xml; charset=utf-8",
            FeedFormat::Json => "application/feed+json; charset=utf-8",
        }
    }
}

/// The directory the feeds are written to: `state_dir/feeds`.
pub fn feeds_dir(settings: &Settings) -> PathBuf {
    settings.daemon.state_dir.join("feeds")
}

/// The file of topic `id`'s feed in `format`.
pub fn feed_path(dir: &Path, id: &str, format: FeedFormat) -> PathBuf {
    dir.join(format!("{id}.{}", format.extension()))
}

/// The ids of the topics with `feed = true`, in config order.
pub fn feed_topics(settings: &Settings) -> Vec<String> {
    settings
        .topics
        .iter()
        .filter(|t| t.feed)
        .map(|t| t.id.clone())
        .collect()
}

/// True when a topic with `feed = true` has no feed file yet (a topic
/// just added by a reload, a state directory just cleaned): the daemon
/// then writes the feeds even after a pass that polled nothing.
pub fn any_missing(settings: &Settings) -> bool {
    let dir = feeds_dir(settings);
    feed_topics(settings).iter().any(|id| {
        [FeedFormat::Atom, FeedFormat::Json]
            .into_iter()
            .any(|f| !feed_path(&dir, id, f).exists())
    })
}

/// Writes the feeds of every topic with `feed = true` (blocking). Every
/// topic is tried; the first failure is returned after the rest are
/// written. Returns how many topics were written.
pub fn write_topic_feeds(
    settings: &Settings,
    store: &Store,
    now: DateTime<Utc>,
) -> Result<usize, FeedError> {
    let dir = feeds_dir(settings);
    let mut written = 0;
    let mut first_error = None;
    for topic in settings.topics.iter().filter(|t| t.feed) {
        match write_topic(settings, store, topic, &dir, now) {
            Ok(()) => written += 1,
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(written),
    }
}

/// Renders and writes one topic's two feeds.
fn write_topic(
    settings: &Settings,
    store: &Store,
    topic: &Topic,
    dir: &Path,
    now: DateTime<Utc>,
) -> Result<(), FeedError> {
    let store_error = |source| FeedError::Store {
        topic: topic.id.clone(),
        source,
    };
    let export_error = |source| FeedError::Export {
        topic: topic.id.clone(),
        source,
    };
    let items = store
        .listed_articles(&ArticleFilter {
            topic: Some(topic.id.clone()),
            since: None,
            limit: FEED_ENTRIES,
        })
        .map_err(store_error)?;
    let revisions = revision_entries(settings, store, &items).map_err(store_error)?;
    let mut info = FeedInfo::of_topic(Some(&topic.id), now);
    info.title = format!("reformwatch: {}", topic.name);
    let atom = export::atom::render(&info, &items, &revisions).map_err(export_error)?;
    let json = export::jsonfeed::render(&info, &items, &revisions).map_err(export_error)?;
    std::fs::create_dir_all(dir).map_err(|source| FeedError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    for (format, text) in [(FeedFormat::Atom, atom), (FeedFormat::Json, json)] {
        let path = feed_path(dir, &topic.id, format);
        write_atomically(&path, text.as_bytes())
            .map_err(|source| FeedError::Write { path, source })?;
    }
    debug!(topic = %topic.id, articles = items.len(), revisions = revisions.len(), "topic feed written");
    Ok(())
}

/// The substantive edits of `items`, newest first, at most
/// [`FEED_ENTRIES`], each with its diff from the revision it was judged
/// against, shown as `reformwatch diff` shows it (the source's `ignore`
/// patterns applied, times in the daemon's zone).
fn revision_entries(
    settings: &Settings,
    store: &Store,
    items: &[ListedArticle],
) -> Result<Vec<RevisionEntry>, StoreError> {
    let mut out = Vec::new();
    for item in items.iter().filter(|i| i.revisions > 1) {
        let Some(article_id) = item.article.id else {
            continue;
        };
        let ignore = settings
            .sources
            .iter()
            .find(|s| s.id == item.article.source_id)
            .map_or(&[][..], |s| s.ignore.as_slice());
        for rev in store.revision_history(article_id)? {
            let (Some(class @ ChangeClass::Substantive), Some(base)) = (rev.class, rev.base) else {
                continue;
            };
            let Some((old, new)) = store.revision_pair(article_id, base, rev.revision)? else {
                continue;
            };
            let diff = diff_revisions(&old, &new, ignore).in_timezone(settings.daemon.timezone);
            out.push(RevisionEntry {
                article: new,
                revision: rev.revision,
                base,
                class,
                seen_at: rev.seen_at,
                diff_text: diff.to_text(),
                diff_html: diff.to_html(),
            });
        }
    }
    out.sort_by(|a, b| b.seen_at.cmp(&a.seen_at).then(b.revision.cmp(&a.revision)));
    out.truncate(FEED_ENTRIES);
    Ok(out)
}

/// The strong ETag of a feed's bytes: any change to them changes it, the
/// same bytes always give the same tag (across restarts too).
pub fn etag(bytes: &[u8]) -> String {
    format!("\"{:032x}\"", xxh3_128(bytes))
}

/// Whether an `If-None-Match` header value names `etag` (or is `*`). The
/// comparison is weak, as RFC 9110 asks for this header: a `W/` prefix is
/// ignored.
pub fn none_match_hits(header: &str, etag: &str) -> bool {
    header
        .split(',')
        .map(|t| t.trim())
        .any(|t| t == "*" || t.trim_start_matches("W/") == etag)
}

#[cfg(test)]
mod tests {
    use super::{etag, none_match_hits};

    #[test]
    fn etags_follow_the_bytes() {
        assert_eq!(etag(b"feed"), etag(b"feed"));
        assert_ne!(etag(b"feed"), etag(b"feed "));
        assert!(etag(b"").starts_with('"') && etag(b"").ends_with('"'));
    }

    #[test]
    fn if_none_match_lists_and_weak_tags() {
        let tag = etag(b"feed");
        assert!(none_match_hits(&tag, &tag));
        assert!(none_match_hits(&format!("\"x\", W/{tag}"), &tag));
        assert!(none_match_hits("*", &tag));
        assert!(!none_match_hits("\"x\"", &tag));
        assert!(!none_match_hits("", &tag));
    }
}
