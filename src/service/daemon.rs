//! The long-running loop behind `reformwatch run`: poll the sources that
//! are due, compose and relay due digests, sleep until the next thing is
//! due. The loop itself tells systemd it is alive (`WATCHDOG=1` at half of
//! `WATCHDOG_USEC`), but only while it makes progress: a pass that runs
//! past its bound (see [`liveness`]) stops the pings. It publishes
//! `STATUS=`, reloads the config on SIGHUP (validated first; a bad file
//! keeps the old config running), and stops cleanly on SIGTERM/SIGINT (the work in flight finishes, bounded, before
//! the process exits). All schedule state lives in the store, so a restart
//! or a reload picks up where the loop was.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::signal::unix::{signal, Signal, SignalKind};
use tokio::time::{Instant, Interval, MissedTickBehavior};
use tracing::{error, info, warn};

use crate::config::{self, Settings};
use crate::mail::admin;
use crate::mail::deliver::{DeliverError, Mailer};
use crate::mail::outbox;
use crate::net::fetch::{FetchError, FetchLimits};
use crate::pipeline::schedule;
use crate::pipeline::{self, PollContext};
use crate::service::feeds;
use crate::service::liveness::{self, PassWatch};
use crate::service::metrics::METRICS;
use crate::service::metrics_http;
use crate::service::systemd;
use crate::store::{Store, StoreError};

/// How long shutdown waits for the work in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// The loop beats at least this often (more often when systemd's watchdog
/// period asks for it).
const HEARTBEAT: Duration = Duration::from_secs(5);
/// Test hook: after this many beats (each one a `WATCHDOG=1` when the
/// watchdog period is under 10 s) the loop stalls for good, as a hung loop
/// would. Inert when unset.
pub const STALL_AFTER_ENV: &str = "REFORMWATCH_TEST_STALL_AFTER";

/// Why the daemon could not start or had to stop.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The HTTP client could not start.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The mail transport could not be set up.
    #[error(transparent)]
    Deliver(#[from] DeliverError),
    /// Signal handlers could not be installed.
    #[error("cannot install signal handlers: {0}")]
    Signals(std::io::Error),
    /// `[daemon] metrics_addr` could not be bound.
    #[error("metrics_addr {addr}: cannot listen: {error}")]
    Metrics {
        /// The configured address.
        addr: std::net::SocketAddr,
        /// Why binding failed.
        error: std::io::Error,
    },
}

fn notify(state: &str) {
    if let Err(e) = systemd::notify(state) {
        warn!(error = %e, state, "sd_notify failed");
    }
}

/// The parts of the daemon a reload replaces as a whole.
struct Live {
    settings: Arc<Settings>,
    ctx: PollContext,
    mailer: Mailer,
}

impl Live {
    /// Builds the HTTP client, matchers and mail transport for `settings`.
    /// The previous fetcher is kept when its limits did not change, so
    /// per-host state (concurrency slots, politeness) survives a reload.
    fn start(
        settings: Arc<Settings>,
        store: &Store,
        previous: Option<&Live>,
    ) -> Result<Live, DaemonError> {
        let mut ctx = PollContext::new(settings.clone())?;
        if let Some(prev) = previous {
            let (old, new) = (&prev.settings.daemon, &settings.daemon);
            if FetchLimits::from(old) == FetchLimits::from(new) && old.user_agent == new.user_agent
            {
                ctx.fetcher = prev.ctx.fetcher.clone();
                ctx.fetcher.configure(&settings.sources);
            } else {
                // `/metrics` counts on from the old fetcher's totals.
                ctx.fetcher.tally().add(prev.ctx.fetcher.tally());
            }
        }
        let mailer = Mailer::new(&settings.mail)?;
        tokio::task::block_in_place(|| outbox::register_all(&settings, store, Utc::now()))?;
        Ok(Live {
            settings,
            ctx,
            mailer,
        })
    }
}

struct Signals {
    term: Signal,
    int: Signal,
    hup: Signal,
}

impl Signals {
    fn install() -> Result<Self, DaemonError> {
        let s = |k| signal(k).map_err(DaemonError::Signals);
        Ok(Signals {
            term: s(SignalKind::terminate())?,
            int: s(SignalKind::interrupt())?,
            hup: s(SignalKind::hangup())?,
        })
    }
}

/// The loop's heartbeat: every tick records a beat for `/healthz` and,
/// when systemd asked for a watchdog, sends `WATCHDOG=1` at half of
/// `WATCHDOG_USEC`. Only ever polled by the loop itself, so a blocked loop
/// stops beating and pinging; and it stops on its own once the running
/// pass is past its bound, so a pass hung on an `await` stops it too.
struct Watchdog {
    interval: Interval,
    period: Duration,
    systemd: Option<Duration>,
    last_ping: Option<std::time::Instant>,
    beats: u64,
    stall_after: Option<u64>,
    /// The running pass was reported stuck (once).
    stuck: bool,
}

impl Watchdog {
    fn new() -> Self {
        let systemd = systemd::watchdog_interval();
        let period = systemd.map_or(HEARTBEAT, |half| half.min(HEARTBEAT));
        let mut interval = tokio::time::interval(period);
        interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let stall_after = std::env::var(STALL_AFTER_ENV)
            .ok()
            .and_then(|v| v.trim().parse().ok());
        Watchdog {
            interval,
            period,
            systemd,
            last_ping: None,
            beats: 0,
            stall_after,
            stuck: false,
        }
    }

    /// Waits for the next beat.
    async fn tick(&mut self) {
        self.interval.tick().await;
    }

    /// Beats, pings systemd when its half-period has passed, and under the
    /// test hook stalls the loop after the configured number of beats.
    /// Neither while the running pass is past its bound: it is stuck.
    async fn ping(&mut self, pass: &PassWatch) {
        if let Some(overdue) = pass.overdue() {
            if !self.stuck {
                self.stuck = true;
                let text = format!(
                    "poll pass stuck: running for {}s, past its bound of {}s; watchdog pings stopped",
                    overdue.ran.as_secs(),
                    overdue.bound.as_secs()
                );
                error!("{text}");
                notify(&systemd::status_line(&text));
            }
            return;
        }
        self.stuck = false;
        METRICS.beat(self.period);
        if let Some(half) = self.systemd {
            if self
                .last_ping
                .is_none_or(|t| t.elapsed() >= half.mul_f64(0.9))
            {
                notify("WATCHDOG=1");
                self.last_ping = Some(std::time::Instant::now());
            }
        }
        self.beats += 1;
        if self.stall_after.is_some_and(|n| self.beats >= n) {
            warn!(
                beats = self.beats,
                "{STALL_AFTER_ENV} is set: stalling the loop"
            );
            std::future::pending::<()>().await;
        }
    }
}

/// What `STATUS=` says.
#[derive(Default)]
struct Status {
    last_error: Option<String>,
    reload_error: Option<String>,
}

impl Status {
    fn publish(&self, live: &Live, store: &Store) {
        let pending = tokio::task::block_in_place(|| store.unsent_digests())
            .map(|d| d.iter().filter(|d| d.state == "pending").count());
        let mut text = format!("{} sources", live.settings.sources.len());
        match pending {
            Ok(n) => text.push_str(&format!(", {n} pending digests")),
            Err(e) => text.push_str(&format!(", pending digests unknown ({e})")),
        }
        if let Some(e) = &self.reload_error {
            text.push_str(&format!("; {e}"));
        }
        match &self.last_error {
            Some(e) => text.push_str(&format!("; last error: {e}")),
            None => text.push_str("; no errors"),
        }
        notify(&systemd::status_line(&text));
    }
}

/// Runs until SIGTERM or SIGINT.
pub async fn run(settings: Arc<Settings>, store: Arc<Store>) -> Result<(), DaemonError> {
    let mut signals = Signals::install()?;
    let mut live = Live::start(settings, &store, None)?;
    let mut watchdog = Watchdog::new();
    let pass_watch = PassWatch::default();
    let mut status = Status::default();
    let watched: metrics_http::WatchedHandle = Default::default();
    watch(&watched, &live);
    if let Some(addr) = live.settings.daemon.metrics_addr {
        metrics_http::serve(addr, store.clone(), watched.clone())
            .await
            .map_err(|error| DaemonError::Metrics { addr, error })?;
    }
    METRICS.beat(watchdog.period);
    info!(
        sources = live.settings.sources.len(),
        subscribers = live.settings.subscribers.len(),
        database = %store.path().display(),
        mail = %live.mailer.describe(),
        watchdog = ?watchdog.systemd,
        "reformwatch started"
    );
    // Config, credentials, database and mail transport are ready: now
    // systemd may consider the unit started.
    notify("READY=1");
    status.publish(&live, &store);
    'run: loop {
        let mut reload_requested = false;
        let outcome = {
            let pass = cycle(&live, &store, &pass_watch);
            tokio::pin!(pass);
            loop {
                tokio::select! {
                    result = &mut pass => break Some(result),
                    _ = watchdog.tick() => watchdog.ping(&pass_watch).await,
                    // Reloading mid-pass would change the config under the
                    // work in flight; the pass finishes first.
                    _ = signals.hup.recv() => reload_requested = true,
                    _ = signals.term.recv() => { finish(pass, "SIGTERM").await; break None; }
                    _ = signals.int.recv() => { finish(pass, "SIGINT").await; break None; }
                }
            }
        };
        pass_watch.finish();
        let Some(result) = outcome else { break 'run };
        let sleep_for = match result {
            Ok(pass) => {
                if let Some((id, e)) = pass.failed.first() {
                    status.last_error = Some(format!("{id}: {e}"));
                }
                pass.sleep
            }
            Err(e) => {
                error!(error = %e, "pass failed; retrying in a minute");
                status.last_error = Some(e.to_string());
                Duration::from_secs(60)
            }
        };
        if reload_requested {
            reload(&mut live, &store, &mut status);
            watch(&watched, &live);
            status.publish(&live, &store);
            continue 'run;
        }
        status.publish(&live, &store);
        let deadline = Instant::now() + sleep_for;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => break,
                _ = watchdog.tick() => watchdog.ping(&pass_watch).await,
                _ = signals.hup.recv() => {
                    reload(&mut live, &store, &mut status);
                    watch(&watched, &live);
                    status.publish(&live, &store);
                    // Added sources are due now.
                    continue 'run;
                }
                _ = signals.term.recv() => { stopping("SIGTERM"); break 'run; }
                _ = signals.int.recv() => { stopping("SIGINT"); break 'run; }
            }
        }
    }
    if let Err(e) = store.checkpoint() {
        warn!(error = %e, "WAL checkpoint at shutdown failed");
    }
    info!("reformwatch stopped");
    Ok(())
}

/// Points `/metrics` at `live`'s sources and fetcher.
fn watch(watched: &metrics_http::WatchedHandle, live: &Live) {
    *watched.write().unwrap_or_else(|p| p.into_inner()) = metrics_http::Watched {
        sources: live.settings.sources.iter().map(|s| s.id.clone()).collect(),
        fetches: live.ctx.fetcher.tally().clone(),
        feeds_dir: feeds::feeds_dir(&live.settings),
        feeds: feeds::feed_topics(&live.settings),
    };
}

fn stopping(why: &str) {
    info!("{why}: stopping");
    notify("STOPPING=1");
}

async fn finish<F>(pass: std::pin::Pin<&mut F>, why: &str)
where
    F: std::future::Future<Output = Result<Pass, DaemonError>>,
{
    notify("STOPPING=1");
    info!("{why}: finishing the work in flight, then stopping");
    match tokio::time::timeout(SHUTDOWN_GRACE, pass).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => error!(error = %e, "last pass failed"),
        Err(_) => warn!("work in flight did not finish in {SHUTDOWN_GRACE:?}; stopping anyway"),
    }
}

/// SIGHUP: re-read and fully validate the config file; swap it in only if
/// it is valid. Sources keep their state in the store, keyed by id, so an
/// added source starts, a removed one stops, and an unchanged one keeps its
/// validators and schedule (a changed URL starts afresh, see
/// `pipeline::due_sources`).
fn reload(live: &mut Live, store: &Store, status: &mut Status) {
    notify(&format!(
        "RELOADING=1\nMONOTONIC_USEC={}",
        systemd::monotonic_usec()
    ));
    let path = live.settings.path.clone();
    info!(config = %path.display(), "SIGHUP: reloading the config");
    let outcome = match config::load(&path) {
        Err(errors) => {
            for problem in &errors.0 {
                error!(problem = %problem, "reload: config problem");
            }
            let first = errors.0.first().map(|p| p.to_string()).unwrap_or_default();
            Err(format!(
                "reload failed, old config kept: {} problem(s), first: {first}",
                errors.0.len()
            ))
        }
        Ok(new) if new.daemon.state_dir != live.settings.daemon.state_dir => Err(format!(
            "reload failed, old config kept: {}: state_dir changed to {}; restart to move the database",
            path.display(),
            new.daemon.state_dir.display()
        )),
        Ok(new) => match Live::start(Arc::new(new), store, Some(live)) {
            Ok(next) => {
                log_source_changes(&live.settings, &next.settings);
                *live = next;
                Ok(())
            }
            Err(e) => Err(format!(
                "reload failed, old config kept: {}: {e}",
                path.display()
            )),
        },
    };
    match outcome {
        Ok(()) => {
            info!(sources = live.settings.sources.len(), "config reloaded");
            status.reload_error = None;
        }
        Err(message) => {
            error!("{message}");
            status.reload_error = Some(message);
        }
    }
    notify("READY=1");
}

fn log_source_changes(old: &Settings, new: &Settings) {
    for s in &new.sources {
        match old.sources.iter().find(|o| o.id == s.id) {
            None => info!(source = %s.id, url = %s.url, "reload: source added"),
            Some(o) if o.url != s.url => {
                info!(source = %s.id, from = %o.url, to = %s.url, "reload: source URL changed; its state starts afresh")
            }
            Some(_) => {}
        }
    }
    for o in &old.sources {
        if !new.sources.iter().any(|s| s.id == o.id) {
            info!(source = %o.id, url = %o.url, "reload: source removed");
        }
    }
}

/// What one pass did, for the loop.
struct Pass {
    /// How long to sleep before the next pass.
    sleep: Duration,
    /// Sources that failed in this pass, with their error.
    failed: Vec<(String, String)>,
}

/// One pass: poll due sources, compose due digests, relay. The sources'
/// state is read once; the scheduler plans the pass from it, and after the
/// pass from it updated with the next polls the pass wrote. `watch` gets
/// the pass's bound once the plan is known.
async fn cycle(live: &Live, store: &Arc<Store>, watch: &PassWatch) -> Result<Pass, DaemonError> {
    let settings = &live.settings;
    let now = Utc::now();
    let mut states = tokio::task::block_in_place(|| store.source_states())?;
    let plan = schedule::plan(&settings.sources, &states, now);
    // Every digest pending, one per subscriber and one admin notice per
    // source, at most.
    let pending = tokio::task::block_in_place(|| store.stats())?
        .digests
        .iter()
        .find(|(state, _)| state == "pending")
        .map_or(0, |(_, n)| usize::try_from(*n).unwrap_or(0));
    let mails = pending + settings.subscribers.len() + settings.sources.len();
    watch.start(liveness::pass_bound(settings, &plan.due, mails));
    let mut failed = Vec::new();
    if !plan.due.is_empty() {
        let summary = pipeline::poll_sources(&live.ctx, store, &plan.due, &states, now).await?;
        info!(
            polled = plan.due.len(),
            fetched = summary.fetched,
            not_modified = summary.not_modified,
            failed = summary.failed.len(),
            new = summary.new_articles,
            "poll pass done"
        );
        METRICS.polls(
            summary.fetched,
            summary.not_modified,
            summary.failed.len(),
            summary.new_articles,
        );
        for (id, next) in summary.next_polls {
            states.entry(id).or_default().next_poll_at = Some(next);
        }
        failed = summary
            .failed
            .into_iter()
            .map(|f| (f.source_id, f.problem.error))
            .collect();
    }
    if !plan.due.is_empty() || feeds::any_missing(settings) {
        write_feeds(settings, store);
    }
    let now = Utc::now();
    tokio::task::block_in_place(|| admin::queue_notices(settings, store, now))?;
    tokio::task::block_in_place(|| outbox::compose_due(settings, store, now))?;
    let relayed = outbox::relay(settings, store, &live.mailer, now, false).await?;
    METRICS.relay(relayed.sent, relayed.errors.len());
    failed.extend(relayed.errors.into_iter().map(|e| ("mail".to_owned(), e)));
    let now = Utc::now();
    let sleep = schedule::plan(&settings.sources, &states, now).sleep(now);
    Ok(Pass { sleep, failed })
}

/// The topic feeds after a pass. A feed that cannot be written is logged
/// and tried again after the next pass; polling and mail go on.
fn write_feeds(settings: &Settings, store: &Store) {
    match tokio::task::block_in_place(|| feeds::write_topic_feeds(settings, store, Utc::now())) {
        Ok(0) => {}
        Ok(n) => info!(topics = n, "topic feeds written"),
        Err(e) => warn!(error = %e, "topic feeds not written"),
    }
}
