//! Liveness that depends on progress: how long a daemon pass may run, and
//! the watch the heartbeat reads to stop pinging once a pass overruns.
//!
//! A pass awaits fetches, sleeps for politeness and mail exchanges, each
//! of which ends within its own timeout. So a pass that nothing hangs ends
//! within [`pass_bound`]: every fetch it may make running to its timeout,
//! one host at a time, plus every message it may send running to its
//! deadline. A pass still running after that is stuck on an `await` that
//! nothing will wake; the heartbeat then stops (`WATCHDOG=1` and the
//! `/healthz` beat), so systemd restarts the service. The bound is
//! generous on purpose: a false alarm restarts a healthy daemon.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::{Settings, Source};
use crate::document::page_rules::{MAX_NEW_PAGES_PER_POLL, MAX_PAGES_PER_ARTICLE};
use crate::mail::deliver;
use crate::net::fetch::FetchLimits;
use crate::net::robots::MAX_CRAWL_DELAY;
use crate::pipeline::source_rules;

/// On top of the fetch and mail bounds: the store's writes, the pure
/// stages, the process being scheduled late.
const SLACK: Duration = Duration::from_secs(10);

/// The longest a pass polling `due` and relaying up to `mails` messages
/// can take when nothing hangs.
pub fn pass_bound(settings: &Settings, due: &[&Source], mails: usize) -> Duration {
    let daemon = &settings.daemon;
    let limits = FetchLimits::from(daemon);
    let exchange = limits.longest_exchange();
    // Fetches and the spacing between them, per host (`host:port`), which
    // serves them at most `per_host_concurrency` at a time.
    let mut hosts: HashMap<String, (u32, Duration)> = HashMap::new();
    for source in due {
        let url = &source.url;
        let key = format!(
            "{}:{}",
            url.host_str().unwrap_or(""),
            url.port_or_known_default().unwrap_or(0)
        );
        let spacing = if source.robots {
            daemon.per_host_delay.max(MAX_CRAWL_DELAY)
        } else {
            daemon.per_host_delay
        };
        let host = hosts.entry(key).or_default();
        host.0 = host.0.saturating_add(fetches_per_poll(source));
        host.1 = host.1.max(spacing);
    }
    let per_host = limits.per_host_concurrency.max(1) as u32;
    let busiest = hosts
        .values()
        .map(|(n, spacing)| (exchange + *spacing) * n.div_ceil(per_host))
        .max()
        .unwrap_or_default();
    // All hosts together share `concurrency` slots.
    let all: Duration = hosts
        .values()
        .map(|(n, spacing)| (exchange + *spacing) * *n)
        .sum::<Duration>()
        / limits.concurrency.max(1) as u32;
    let mail = deliver::longest_send(&settings.mail) * u32::try_from(mails).unwrap_or(u32::MAX);
    SLACK + busiest.max(all) + mail
}

/// Fetches one poll of `source` may make: robots.txt, the document, and
/// for sources that read pages every new page (each with its later pages)
/// and every re-check (the page, then its later pages).
fn fetches_per_poll(source: &Source) -> u32 {
    let robots = u32::from(source.robots);
    let pages = if source_rules::fetches_pages(source) {
        let per_article = MAX_PAGES_PER_ARTICLE as u32;
        let new = MAX_NEW_PAGES_PER_POLL as u32 * per_article;
        let rechecks = if source_rules::recheck_schedule(source).is_empty() {
            0
        } else {
            source.recheck_per_poll as u32 * (1 + per_article)
        };
        new + rechecks
    } else {
        0
    };
    robots + 1 + pages
}

/// The running pass, as the heartbeat sees it: set when a pass starts,
/// cleared when it ends.
#[derive(Debug, Default)]
pub struct PassWatch {
    running: Mutex<Option<Running>>,
}

#[derive(Debug, Clone, Copy)]
struct Running {
    started: Instant,
    bound: Duration,
}

/// A pass that ran past its bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overdue {
    /// How long it has run.
    pub ran: Duration,
    /// How long it could have taken without hanging.
    pub bound: Duration,
}

impl PassWatch {
    /// A pass starts now and should end within `bound`.
    pub fn start(&self, bound: Duration) {
        *self.lock() = Some(Running {
            started: Instant::now(),
            bound,
        });
    }

    /// The pass ended (or there is none).
    pub fn finish(&self) {
        *self.lock() = None;
    }

    /// The running pass, if it has run past its bound.
    pub fn overdue(&self) -> Option<Overdue> {
        let running = (*self.lock())?;
        let ran = running.started.elapsed();
        (ran > running.bound).then_some(Overdue {
            ran,
            bound: running.bound,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Running>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(extra_daemon: &str, sources: &str) -> Settings {
        let text = format!(
            "[daemon]\nstate_dir = \"/tmp/rw\"\ntimeout = \"2s\"\n{extra_daemon}\n\
             [mail]\ntransport = \"smtp\"\nsmtp_host = \"127.0.0.1\"\nsmtp_tls = \"none\"\n\
             smtp_timeout = \"1s\"\n{sources}"
        );
        crate::config::parse(&text, std::path::Path::new("/tmp/rw.toml")).unwrap()
    }

    fn feed(id: &str, host: &str, robots: bool) -> String {
        format!("[[sources]]\nid = \"{id}\"\nurl = \"http://{host}/feed.xml\"\nrobots = {robots}\n")
    }

    #[test]
    fn a_feed_without_robots_is_one_fetch_at_its_timeout() {
        let s = settings("per_host_delay = \"0s\"", &feed("a", "a.example", false));
        let due: Vec<&Source> = s.sources.iter().collect();
        let exchange = Duration::from_millis(2250);
        assert_eq!(pass_bound(&s, &due, 0), SLACK + exchange);
        // Each message: every reply of an SMTP exchange at smtp_timeout.
        assert_eq!(
            pass_bound(&s, &due, 2),
            SLACK + exchange + deliver::longest_send(&s.mail) * 2
        );
        assert!(deliver::longest_send(&s.mail) >= Duration::from_secs(8));
        assert_eq!(pass_bound(&s, &[], 0), SLACK);
    }

    #[test]
    fn sources_on_one_host_queue_and_robots_allows_for_the_crawl_delay() {
        let one_host = format!(
            "{}{}",
            feed("a", "news.example", false),
            feed("b", "news.example", false)
        );
        let two_hosts = format!(
            "{}{}",
            feed("a", "news.example", false),
            feed("b", "other.example", false)
        );
        let bound = |sources: &str| {
            let s = settings("per_host_delay = \"1s\"", sources);
            let due: Vec<&Source> = s.sources.iter().collect();
            pass_bound(&s, &due, 0) - SLACK
        };
        let fetch = Duration::from_millis(3250);
        assert_eq!(bound(&one_host), fetch * 2, "queued on one host");
        assert_eq!(bound(&two_hosts), fetch, "two hosts in parallel");
        let obeying = bound(&feed("a", "news.example", true));
        assert_eq!(obeying, (Duration::from_millis(2250) + MAX_CRAWL_DELAY) * 2);
    }

    #[test]
    fn html_sources_count_every_page_and_recheck_they_may_fetch() {
        let html = "[[sources]]\nid = \"h\"\nkind = \"html\"\nurl = \"http://h.example/\"\n\
                    robots = false\nlink_pattern = \"/a/\"\nrecheck_per_poll = 2\n";
        let s = settings("per_host_delay = \"0s\"", html);
        let due: Vec<&Source> = s.sources.iter().collect();
        let fetches = 1 + 50 * 5 + 2 * 6;
        assert_eq!(
            pass_bound(&s, &due, 0),
            SLACK + Duration::from_millis(2250) * fetches
        );
    }

    #[test]
    fn a_pass_is_overdue_only_past_its_bound_and_until_it_ends() {
        let watch = PassWatch::default();
        assert_eq!(watch.overdue(), None, "no pass");
        watch.start(Duration::from_secs(3600));
        assert_eq!(watch.overdue(), None, "within its bound");
        watch.start(Duration::ZERO);
        std::thread::sleep(Duration::from_millis(2));
        assert!(watch.overdue().is_some_and(|o| o.bound.is_zero()));
        watch.finish();
        assert_eq!(watch.overdue(), None, "ended");
    }
}
