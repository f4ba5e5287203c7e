//! The long-running loop behind `reformwatch run`: poll the sources that
//! are due, compose and relay due digests, sleep until the next thing is
//! due, and stop cleanly on SIGTERM/SIGINT (the work in flight finishes,
//! bounded, before the process exits). All schedule state lives in the
//! store, so a restart picks up where the last run stopped.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::signal::unix::{signal, SignalKind};
use tracing::{error, info, warn};

use crate::config::Settings;
use crate::deliver::{DeliverError, Mailer};
use crate::fetch::FetchError;
use crate::outbox;
use crate::pipeline::{self, PollContext};
use crate::store::{Store, StoreError};

/// Longest sleep between two looks at the schedule; digests are checked at
/// least this often.
const MAX_IDLE: Duration = Duration::from_secs(30);
/// How long shutdown waits for the work in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

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
}

fn notify(state: &str) {
    if let Err(e) = crate::systemd::notify(state) {
        warn!(error = %e, state, "sd_notify failed");
    }
}

/// Runs until SIGTERM or SIGINT.
pub async fn run(settings: Arc<Settings>, store: Arc<Store>) -> Result<(), DaemonError> {
    let mut term = signal(SignalKind::terminate()).map_err(DaemonError::Signals)?;
    let mut int = signal(SignalKind::interrupt()).map_err(DaemonError::Signals)?;
    let ctx = PollContext::new(settings.clone())?;
    let mailer = Mailer::new(&settings.mail)?;
    outbox::register_all(&settings, &store, Utc::now())?;
    info!(
        sources = settings.sources.len(),
        subscribers = settings.subscribers.len(),
        database = %store.path().display(),
        mail = %mailer.describe(),
        "reformwatch started"
    );
    // Config, database and mail transport are ready: now systemd may
    // consider the unit started.
    notify("READY=1");
    loop {
        let pass = cycle(&settings, &store, &ctx, &mailer);
        tokio::pin!(pass);
        let sleep_for = tokio::select! {
            result = &mut pass => match result {
                Ok(d) => d,
                Err(e) => {
                    error!(error = %e, "pass failed; retrying in a minute");
                    Duration::from_secs(60)
                }
            },
            _ = term.recv() => { finish(pass, "SIGTERM").await; break; }
            _ = int.recv() => { finish(pass, "SIGINT").await; break; }
        };
        tokio::select! {
            _ = tokio::time::sleep(sleep_for) => {}
            _ = term.recv() => { info!("SIGTERM: stopping"); break; }
            _ = int.recv() => { info!("SIGINT: stopping"); break; }
        }
    }
    notify("STOPPING=1");
    if let Err(e) = store.checkpoint() {
        warn!(error = %e, "WAL checkpoint at shutdown failed");
    }
    info!("reformwatch stopped");
    Ok(())
}

async fn finish<F>(pass: std::pin::Pin<&mut F>, why: &str)
where
    F: std::future::Future<Output = Result<Duration, DaemonError>>,
{
    info!("{why}: finishing the work in flight, then stopping");
    match tokio::time::timeout(SHUTDOWN_GRACE, pass).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => error!(error = %e, "last pass failed"),
        Err(_) => warn!("work in flight did not finish in {SHUTDOWN_GRACE:?}; stopping anyway"),
    }
}

/// One pass: poll due sources, compose due digests, relay. Returns how long
/// to sleep before the next pass.
async fn cycle(
    settings: &Settings,
    store: &Store,
    ctx: &PollContext,
    mailer: &Mailer,
) -> Result<Duration, DaemonError> {
    let now = Utc::now();
    let states = tokio::task::block_in_place(|| store.source_states())?;
    let due = pipeline::due_sources(settings, &states, now);
    if !due.is_empty() {
        let summary = pipeline::poll_sources(ctx, store, &due, now).await?;
        info!(
            polled = due.len(),
            fetched = summary.fetched,
            not_modified = summary.not_modified,
            failed = summary.failed.len(),
            new = summary.new_articles,
            "poll pass done"
        );
    }
    let now = Utc::now();
    tokio::task::block_in_place(|| outbox::compose_due(settings, store, now))?;
    outbox::relay(store, mailer, now, false).await?;

    let states = tokio::task::block_in_place(|| store.source_states())?;
    let next_source = settings
        .sources
        .iter()
        .filter_map(|s| states.get(&s.id).and_then(|st| st.next_poll_at))
        .min();
    let now = Utc::now();
    let wait = next_source
        .map(|t| (t - now).to_std().unwrap_or(Duration::ZERO))
        .unwrap_or(MAX_IDLE)
        .clamp(Duration::from_secs(1), MAX_IDLE);
    Ok(wait)
}
