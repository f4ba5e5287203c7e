//! Sequences the digest side: decide which subscribers are due, compose
//! their digests into the outbox (store), and relay pending digests through
//! the mailer. Composition and delivery are separate steps, so a digest
//! that was composed is sent or stays in the outbox (its attachments are
//! part of the stored bytes), and its articles count as delivered only
//! after the server accepted it, and only those the message carries.

use chrono::{DateTime, Duration as ChronoDuration, SecondsFormat, Utc};
use tracing::{error, info, warn};

use crate::analysis::revise;
use crate::config::{Backfill, ClusterMode, Schedule, Settings, Subscriber};
use crate::mail::deliver::Mailer;
use crate::mail::digest::{self, RenderedDigest};
use crate::mail::error_chain;
use crate::model::{ClusterMember, DigestItem, PendingRevision};
use crate::pipeline::schedule;
use crate::store::digests::{ComposeOutcome, NewDigest, SubscriberState};
use crate::store::{Store, StoreError};

/// What happened to one subscriber's digest in a compose pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    /// Subscriber id.
    pub subscriber_id: String,
    /// What the store did.
    pub outcome: ComposeOutcome,
}

/// What one relay pass did.
#[derive(Debug, Default, Clone)]
pub struct RelayReport {
    /// Digests the server accepted.
    pub sent: usize,
    /// Digests left pending for a retry.
    pub deferred: usize,
    /// Digests rejected permanently.
    pub failed: usize,
    /// Digests that ran out of queue lifetime.
    pub expired: usize,
    /// One line per problem, naming subscriber and transport.
    pub errors: Vec<String>,
}

/// Composes digests for the subscribers whose schedule slot has come, and
/// for `immediate` subscribers whose coalescing window has closed.
pub fn compose_due(
    settings: &Settings,
    store: &Store,
    now: DateTime<Utc>,
) -> Result<Vec<Composed>, StoreError> {
    let mut out = Vec::new();
    for sub in &settings.subscribers {
        let state = register(settings, store, sub, now)?;
        if let Schedule::Immediate { window } = sub.schedule {
            if let Some(outcome) = compose_immediate(settings, store, sub, &state, window, now)? {
                out.push(Composed {
                    subscriber_id: sub.id.clone(),
                    outcome,
                });
            }
            continue;
        }
        let slot = schedule::latest_slot(sub.schedule, sub.timezone, now);
        if state.last_slot_at.is_some_and(|last| last >= slot) {
            continue;
        }
        let period = format!("slot:{}", slot.to_rfc3339_opts(SecondsFormat::Secs, true));
        let outcome = compose(settings, store, sub, &state, &period, Some(slot), now)?;
        out.push(Composed {
            subscriber_id: sub.id.clone(),
            outcome,
        });
    }
    Ok(out)
}

/// An `immediate` subscriber's digest, if their oldest unsent match was
/// first seen a whole coalescing window ago; everything matched since goes
/// into the same mail. `None` while the window is open (or nothing waits).
fn compose_immediate(
    settings: &Settings,
    store: &Store,
    sub: &Subscriber,
    state: &SubscriberState,
    window: std::time::Duration,
    now: DateTime<Utc>,
) -> Result<Option<ComposeOutcome>, StoreError> {
    let pending =
        store.pending_items(&sub.id, &sub.topics, since(settings, state), collapse(sub))?;
    let revised = store.pending_revisions(&sub.id, &sub.topics, sub.revisions)?;
    // The oldest waiting change opens the window: a new article (when first
    // seen) or a new revision of one mailed before (when seen).
    let first = pending
        .iter()
        .map(|i| (i.first_seen_at, i.article_id, None))
        .chain(
            revised
                .iter()
                .map(|r| (r.seen_at, r.article_id, Some(r.revision))),
        )
        .min();
    let Some((first_seen_at, article_id, revision)) = first else {
        return Ok(None);
    };
    if schedule::coalesced_due(first_seen_at, window, now).is_none() {
        return Ok(None);
    }
    // The first article (or article revision) belongs to exactly one digest,
    // so its id makes the period unique even when windows open within the
    // same second.
    let period = format!(
        "immediate:{}:{}{}",
        first_seen_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        article_id,
        revision.map(|r| format!(":r{r}")).unwrap_or_default()
    );
    compose(settings, store, sub, state, &period, None, now).map(Some)
}

/// Composes digests now, whatever the schedule, for every subscriber or
/// only the one with address `to`.
pub fn compose_now(
    settings: &Settings,
    store: &Store,
    now: DateTime<Utc>,
    to: Option<&str>,
) -> Result<Vec<Composed>, StoreError> {
    let mut out = Vec::new();
    for sub in settings
        .subscribers
        .iter()
        .filter(|s| to.is_none_or(|t| s.email.eq_ignore_ascii_case(t) || s.id == t))
    {
        let state = register(settings, store, sub, now)?;
        let period = format!("now:{}", now.to_rfc3339_opts(SecondsFormat::Millis, true));
        let outcome = compose(settings, store, sub, &state, &period, None, now)?;
        out.push(Composed {
            subscriber_id: sub.id.clone(),
            outcome,
        });
    }
    Ok(out)
}

/// Renders what `subscriber` would receive now, writing nothing.
pub fn preview(
    settings: &Settings,
    store: &Store,
    sub: &Subscriber,
    now: DateTime<Utc>,
) -> Result<Option<RenderedDigest>, StoreError> {
    let since = match store.subscriber_state(&sub.id)? {
        Some(state) => since(settings, &state),
        None => since(
            settings,
            &SubscriberState {
                registered_at: now,
                last_slot_at: None,
            },
        ),
    };
    let items = store.pending_items(&sub.id, &sub.topics, since, collapse(sub))?;
    let revised = store.pending_revisions(&sub.id, &sub.topics, sub.revisions)?;
    if items.is_empty() && revised.is_empty() {
        return Ok(None);
    }
    let clusters = if collapse(sub) {
        let ids: Vec<i64> = items.iter().map(|i| i.article_id).collect();
        store.clusters_of_articles(&ids)?
    } else {
        Vec::new()
    };
    Ok(Some(render_for(
        settings, sub, &items, &revised, &clusters, now,
    )))
}

/// Whether `sub` gets one entry per story (`clusters = "collapse"`).
fn collapse(sub: &Subscriber) -> bool {
    sub.clusters == ClusterMode::Collapse
}

/// The digest of `items` and `revised` for `sub`, the copies of each
/// story in `clusters` folded into one entry.
fn render_for(
    settings: &Settings,
    sub: &Subscriber,
    items: &[DigestItem],
    revised: &[PendingRevision],
    clusters: &[Vec<ClusterMember>],
    now: DateTime<Utc>,
) -> RenderedDigest {
    let items = with_source_names(settings, items.to_vec());
    let name = |id: &str| source_name(settings, id);
    let (items, copies) = digest::fold(&items, clusters, &name);
    digest::render_stories(
        sub,
        &settings.topics,
        &items,
        &revised_items(settings, revised),
        &copies,
        now,
        settings.mail.max_items,
    )
}

/// A source's display name (its id when not configured).
fn source_name(settings: &Settings, id: &str) -> String {
    settings
        .sources
        .iter()
        .find(|s| s.id == id)
        .map_or_else(|| id.to_owned(), |s| s.name.clone())
}

/// Ensures every configured subscriber is registered, so that articles
/// stored from now on count for them.
pub fn register_all(
    settings: &Settings,
    store: &Store,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for sub in &settings.subscribers {
        register(settings, store, sub, now)?;
    }
    Ok(())
}

fn register(
    _settings: &Settings,
    store: &Store,
    sub: &Subscriber,
    now: DateTime<Utc>,
) -> Result<SubscriberState, StoreError> {
    // A new subscriber's first digest is at their next slot, not at once.
    let initial = schedule::latest_slot(sub.schedule, sub.timezone, now);
    store.sync_subscriber(&sub.id, &sub.email, now, initial)
}

/// Oldest first-seen time a subscriber's digest reaches back to: the
/// backfill window before they were registered.
fn since(settings: &Settings, state: &SubscriberState) -> Option<DateTime<Utc>> {
    match settings.daemon.backfill {
        Backfill::All => None,
        Backfill::None => Some(state.registered_at),
        Backfill::Window(w) => Some(
            state.registered_at - ChronoDuration::from_std(w).unwrap_or(ChronoDuration::days(2)),
        ),
    }
}

fn compose(
    settings: &Settings,
    store: &Store,
    sub: &Subscriber,
    state: &SubscriberState,
    period: &str,
    slot: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<ComposeOutcome, StoreError> {
    let since = since(settings, state);
    let topics = &sub.topics;
    let outcome = store.compose_digest(
        &sub.id,
        topics,
        sub.revisions,
        collapse(sub),
        since,
        period,
        slot,
        now,
        |items, revised, clusters| {
            let rendered = render_for(settings, sub, items, revised, clusters, now);
            let domain = address_domain(&settings.mail.from);
            let message_id = digest::message_id(&sub.id, period, &domain);
            let message = digest::build_message(&settings.mail, sub, &rendered, &message_id, now)
                .map_err(|e| error_chain(&e))?;
            let digest = NewDigest {
                message_id,
                envelope_from: bare_address(&settings.mail.from),
                recipients: vec![sub.email.clone()],
                subject: rendered.subject,
                message,
                item_count: rendered.item_count,
            };
            Ok((digest, rendered.carried))
        },
    )?;
    if let ComposeOutcome::Composed { digest_id, items } = &outcome {
        info!(subscriber = %sub.id, digest = digest_id, items, "digest composed");
    }
    crate::store::failpoint::hit("after_compose");
    Ok(outcome)
}

/// Sends pending digests that are due (all pending ones if
/// `ignore_backoff`), marking each sent, deferred, failed or expired.
///
/// A 4xx, timeout or dropped connection defers the digest with Postfix's
/// backoff (5 min doubling, capped at 4000 s) until it is older than
/// `[mail] queue_lifetime`; then it is `expired` and logged as an error.
/// A 5xx fails only that digest (one recipient); the others go on. Each
/// error is stored and reported with its remediation hint, if it has one
/// ([`DeliverError::hint`](crate::mail::deliver::DeliverError::hint)). The
/// pass uses one SMTP session for all its digests where the server allows
/// (a failed exchange closes it), and closes it at the end.
pub async fn relay(
    settings: &Settings,
    store: &Store,
    mailer: &Mailer,
    now: DateTime<Utc>,
    ignore_backoff: bool,
) -> Result<RelayReport, StoreError> {
    let result: Result<RelayReport, StoreError> = async {
        let lifetime =
            ChronoDuration::from_std(settings.mail.queue_lifetime).unwrap_or(ChronoDuration::days(5));
        let due = tokio::task::block_in_place(|| store.due_digests(now, ignore_backoff))?;
        let mut report = RelayReport::default();
        for entry in due {
            match mailer
                .send(&entry.envelope_from, &entry.recipients, &entry.message)
                .await
            {
                Ok(()) => {
                    crate::store::failpoint::hit("after_smtp_ok");
                    tokio::task::block_in_place(|| store.mark_sent(entry.id, now))?;
                    info!(subscriber = %entry.subscriber_id, digest = entry.id, message_id = %entry.message_id, "digest sent");
                    report.sent += 1;
                }
                Err(e) if e.is_permanent() => {
                    let error = e.with_hint();
                    let msg = format!("digest {} for {}: {error}", entry.id, entry.subscriber_id);
                    error!(subscriber = %entry.subscriber_id, digest = entry.id, error = %e, hint = e.hint(), "digest rejected permanently");
                    tokio::task::block_in_place(|| store.mark_failed(entry.id, &error, now))?;
                    report.failed += 1;
                    report.errors.push(msg);
                }
                Err(e) => {
                    let error = e.with_hint();
                    if now - entry.created_at >= lifetime {
                        let msg = format!(
                            "digest {} for {} expired: undelivered for {} (queue_lifetime); last error: {error}",
                            entry.id,
                            entry.subscriber_id,
                            humanize(lifetime)
                        );
                        error!(subscriber = %entry.subscriber_id, digest = entry.id, error = %e, hint = e.hint(), "digest expired after {} in the outbox; it will not be retried", humanize(lifetime));
                        tokio::task::block_in_place(|| store.mark_expired(entry.id, &error, now))?;
                        report.expired += 1;
                        report.errors.push(msg);
                    } else {
                        let msg = format!("digest {} for {}: {error}", entry.id, entry.subscriber_id);
                        let delay = schedule::digest_retry_delay(entry.attempts + 1);
                        // The last attempt falls exactly at the end of the
                        // lifetime, so expiry is never later than configured.
                        let next = (now
                            + ChronoDuration::from_std(delay).unwrap_or(ChronoDuration::minutes(5)))
                        .min(entry.created_at + lifetime);
                        warn!(subscriber = %entry.subscriber_id, digest = entry.id, error = %e, hint = e.hint(), retry_at = %next, "digest deferred");
                        tokio::task::block_in_place(|| store.mark_retry(entry.id, &error, next, now))?;
                        report.deferred += 1;
                        report.errors.push(msg);
                    }
                }
            }
        }
        Ok(report)
    }
    .await;
    mailer.end_pass().await;
    result
}

fn with_source_names(settings: &Settings, mut items: Vec<DigestItem>) -> Vec<DigestItem> {
    for item in &mut items {
        item.source_name = source_name(settings, &item.source_name);
    }
    items
}

/// The digest's view of revised articles: source names, and the diffs
/// with each source's `ignore` patterns.
fn revised_items(settings: &Settings, revised: &[PendingRevision]) -> Vec<digest::RevisedItem> {
    revised
        .iter()
        .map(|r| {
            let source = settings.sources.iter().find(|s| s.id == r.new.source_id);
            let name = source.map_or(r.new.source_id.as_str(), |s| s.name.as_str());
            let ignore = source.map(|s| s.ignore.as_slice()).unwrap_or_default();
            digest::RevisedItem {
                article_id: r.article_id,
                revision: r.revision,
                from_revision: r.mailed,
                title: r.new.title.clone(),
                url: r.new.url.clone(),
                source_name: name.to_string(),
                seen_at: r.seen_at,
                class: r.class,
                // The same diff as `reformwatch diff`, with the source's
                // `ignore` patterns applied.
                diff: revise::diff_revisions(&r.old, &r.new, ignore),
            }
        })
        .collect()
}

/// `5d`, `36h`, `90m` or `45s`: the largest unit that divides the span.
fn humanize(d: ChronoDuration) -> String {
    let s = d.num_seconds();
    match s {
        s if s > 0 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s > 0 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s > 0 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// `Name <a@b>` or `a@b` → `a@b`.
pub fn bare_address(mailbox: &str) -> String {
    match (mailbox.rfind('<'), mailbox.rfind('>')) {
        (Some(l), Some(r)) if l < r => mailbox[l + 1..r].trim().to_string(),
        _ => mailbox.trim().to_string(),
    }
}

fn address_domain(mailbox: &str) -> String {
    let addr = bare_address(mailbox);
    addr.rsplit_once('@')
        .map(|(_, d)| d.to_string())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}
