//! Process-wide counters for `/metrics` and the scheduler loop's heartbeat
//! for `/healthz`. Counting is a few atomic adds in the daemon loop;
//! [`Metrics::render`] turns the counters plus [`Readings`] taken elsewhere
//! at scrape time (fetch outcomes, database totals, error streaks: plain
//! numbers) into Prometheus text and does no I/O. Gathering the readings
//! and serving the text is `metrics_http`'s job.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The process's counters.
pub static METRICS: Metrics = Metrics::new();

/// Counters and the loop heartbeat. All methods are cheap and lock-light.
pub struct Metrics {
    polls_fetched: AtomicU64,
    polls_not_modified: AtomicU64,
    polls_failed: AtomicU64,
    new_articles: AtomicU64,
    smtp_errors: AtomicU64,
    digests_sent: AtomicU64,
    heartbeat: Mutex<Option<(Instant, Duration)>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// All counters at zero, no heartbeat yet.
    pub const fn new() -> Self {
        Metrics {
            polls_fetched: AtomicU64::new(0),
            polls_not_modified: AtomicU64::new(0),
            polls_failed: AtomicU64::new(0),
            new_articles: AtomicU64::new(0),
            smtp_errors: AtomicU64::new(0),
            digests_sent: AtomicU64::new(0),
            heartbeat: Mutex::new(None),
        }
    }

    /// A poll pass's per-source outcomes and new articles.
    pub fn polls(&self, fetched: usize, not_modified: usize, failed: usize, new_articles: usize) {
        let add = |c: &AtomicU64, n: usize| c.fetch_add(n as u64, Ordering::Relaxed);
        add(&self.polls_fetched, fetched);
        add(&self.polls_not_modified, not_modified);
        add(&self.polls_failed, failed);
        add(&self.new_articles, new_articles);
    }

    /// A relay pass: digests accepted and delivery errors.
    pub fn relay(&self, sent: usize, errors: usize) {
        self.digests_sent.fetch_add(sent as u64, Ordering::Relaxed);
        self.smtp_errors.fetch_add(errors as u64, Ordering::Relaxed);
    }

    /// The scheduler loop is alive; it beats at least every `period`.
    pub fn beat(&self, period: Duration) {
        *self.heartbeat.lock().unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), period));
    }

    /// An error when the loop has missed three beats (or never beat).
    pub fn loop_health(&self) -> Result<(), Unhealthy> {
        let beat = *self.heartbeat.lock().unwrap_or_else(|p| p.into_inner());
        match beat {
            None => Err(Unhealthy::NotStarted),
            Some((at, period)) => {
                let silent = at.elapsed();
                let limit = (period * 3).max(Duration::from_secs(1));
                if silent > limit {
                    Err(Unhealthy::Stalled { silent, limit })
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Prometheus text format: the counters and the `readings`.
    pub fn render(&self, readings: &Readings<'_>) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut out = String::new();
        let o = &mut out;
        family(
            o,
            "reformwatch_polls_total",
            "counter",
            "Source polls by outcome.",
        );
        for (outcome, n) in [
            ("fetched", get(&self.polls_fetched)),
            ("not_modified", get(&self.polls_not_modified)),
            ("failed", get(&self.polls_failed)),
        ] {
            let _ = writeln!(o, "reformwatch_polls_total{{outcome=\"{outcome}\"}} {n}");
        }
        let fetches = readings.fetches;
        family(
            o,
            "reformwatch_fetches_total",
            "counter",
            "HTTP fetches (feeds, listings, article pages) by outcome.",
        );
        for (outcome, n) in fetches {
            let _ = writeln!(o, "reformwatch_fetches_total{{outcome=\"{outcome}\"}} {n}");
        }
        let count = |k: &str| fetches.iter().find(|(f, _)| *f == k).map_or(0, |(_, n)| *n);
        let (ok, not_modified) = (count("ok"), count("not_modified"));
        let ratio = if ok + not_modified == 0 {
            0.0
        } else {
            not_modified as f64 / (ok + not_modified) as f64
        };
        let mut single = |name: &str, kind: &str, help: &str, value: String| {
            family(o, name, kind, help);
            let _ = writeln!(o, "{name} {value}");
        };
        single(
            "reformwatch_fetched_bytes_total",
            "counter",
            "Response body bytes read, after decompression.",
            readings.fetched_bytes.to_string(),
        );
        single(
            "reformwatch_not_modified_ratio",
            "gauge",
            "Share of successful fetches answered 304 Not Modified.",
            format!("{ratio:.4}"),
        );
        single(
            "reformwatch_new_articles_total",
            "counter",
            "Articles stored for the first time.",
            get(&self.new_articles).to_string(),
        );
        single(
            "reformwatch_digests_sent_total",
            "counter",
            "Digests the mail server accepted.",
            get(&self.digests_sent).to_string(),
        );
        single(
            "reformwatch_smtp_errors_total",
            "counter",
            "Digest delivery errors (deferred, failed or expired).",
            get(&self.smtp_errors).to_string(),
        );
        single(
            "reformwatch_loop_healthy",
            "gauge",
            "1 while the scheduler loop beats, 0 once it stalled.",
            u8::from(self.loop_health().is_ok()).to_string(),
        );
        if let Some(db) = &readings.db {
            single(
                "reformwatch_articles",
                "gauge",
                "Articles in the database.",
                db.articles.to_string(),
            );
            single(
                "reformwatch_revisions",
                "gauge",
                "Article revisions in the database.",
                db.revisions.to_string(),
            );
            family(o, "reformwatch_digests", "gauge", "Digests by state.");
            for (state, n) in db.digests {
                let _ = writeln!(o, "reformwatch_digests{{state=\"{}\"}} {n}", label(state));
            }
        }
        family(
            o,
            "reformwatch_source_error_streak",
            "gauge",
            "Consecutive failed polls per source (0 when healthy).",
        );
        for (id, streak) in readings.streaks {
            let _ = writeln!(
                o,
                "reformwatch_source_error_streak{{source=\"{}\"}} {streak}",
                label(id)
            );
        }
        out
    }
}

/// Why `/healthz` fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unhealthy {
    /// No beat yet.
    #[error("the scheduler loop has not started")]
    NotStarted,
    /// The last beat is older than three beat periods.
    #[error(
        "the scheduler loop stalled: no beat for {:.1}s (limit {:.1}s)",
        .silent.as_secs_f64(),
        .limit.as_secs_f64()
    )]
    Stalled {
        /// Time since the last beat.
        silent: Duration,
        /// Three beat periods (at least a second).
        limit: Duration,
    },
}

/// What a scrape reads besides the process's counters, gathered by the
/// caller as plain numbers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Readings<'a> {
    /// Finished HTTP fetches per outcome (`ok`, `not_modified`, an error
    /// kind), in outcome order.
    pub fetches: &'a [(&'a str, u64)],
    /// Response body bytes the fetches read, after decompression.
    pub fetched_bytes: u64,
    /// Database totals, when the store could be read.
    pub db: Option<DbTotals<'a>>,
    /// Each configured source's consecutive failed polls.
    pub streaks: &'a [(String, u32)],
}

/// Totals over the whole database.
#[derive(Debug, Clone, Copy)]
pub struct DbTotals<'a> {
    /// Articles stored.
    pub articles: i64,
    /// Revisions stored.
    pub revisions: i64,
    /// Digests per state.
    pub digests: &'a [(String, i64)],
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value escaped for the text format.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_totals_and_streaks() {
        let m = Metrics::new();
        m.polls(1, 2, 1, 3);
        m.relay(1, 2);
        let digests = [("pending".into(), 1), ("sent".into(), 2)];
        let text = m.render(&Readings {
            fetches: &[("not_modified", 2), ("ok", 1), ("timeout", 1)],
            fetched_bytes: 100,
            db: Some(DbTotals {
                articles: 5,
                revisions: 7,
                digests: &digests,
            }),
            streaks: &[("人民网\"x".into(), 4)],
        });
        for want in [
            "reformwatch_polls_total{outcome=\"not_modified\"} 2",
            "reformwatch_fetches_total{outcome=\"timeout\"} 1",
            "reformwatch_fetched_bytes_total 100",
            "reformwatch_not_modified_ratio 0.6667",
            "reformwatch_new_articles_total 3",
            "reformwatch_smtp_errors_total 2",
            "reformwatch_revisions 7",
            "reformwatch_digests{state=\"sent\"} 2",
            "reformwatch_source_error_streak{source=\"人民网\\\"x\"} 4",
            "# TYPE reformwatch_polls_total counter",
            "reformwatch_loop_healthy 0",
        ] {
            assert!(text.contains(want), "missing {want:?} in\n{text}");
        }
    }

    #[test]
    fn health_follows_the_heartbeat() {
        let m = Metrics::new();
        assert!(m.loop_health().is_err(), "no beat yet");
        m.beat(Duration::from_secs(5));
        assert!(m.loop_health().is_ok());
    }
}
