//! Issue 10, item 6: the politeness the README promises, measured where
//! it matters, at the server. Requests to one host start at least
//! `per_host_delay` apart, or the robots.txt `Crawl-delay` when that is
//! longer; a chain of five redirects is followed and a sixth is refused
//! with an error that says so.
//!
//! The gaps are asserted as lower bounds only, and with some slack below
//! the configured delay: the server notes a request when its thread reads
//! it, which scheduling on a loaded machine can delay for one request and
//! not the next. Without the delay the requests come back to back, a few
//! milliseconds apart.

use std::time::Duration;

use crate::support::scripted_http::{Reply, ScriptedHttp};
use crate::support::smtp::closed_port;
use crate::support::{exit, rss, Workspace};

fn feed() -> Reply {
    Reply::ok(rss("改革", &[("g", "深化改革")]), "application/rss+xml")
}

/// Three feed sources on `server`, one host.
fn three_sources(server: &ScriptedHttp) -> Vec<(String, String)> {
    (0..3)
        .map(|i| (format!("s{i}"), server.url(&format!("/feed/{i}"))))
        .collect()
}

/// The gaps between consecutive requests the server saw (robots.txt
/// included), with the paths for messages.
fn gaps(server: &ScriptedHttp) -> (Vec<Duration>, Vec<String>) {
    let arrivals = server.arrivals();
    let gaps = arrivals
        .windows(2)
        .map(|w| w[1].1.duration_since(w[0].1))
        .collect();
    (gaps, arrivals.into_iter().map(|(p, _)| p).collect())
}

#[test]
fn requests_to_one_host_are_spaced_by_per_host_delay() {
    let server = ScriptedHttp::start(Duration::ZERO, |path| match path {
        "/robots.txt" => Reply::status(404),
        _ => feed(),
    });
    let ws = Workspace::new(closed_port(), &three_sources(&server));
    ws.edit_config("per_host_delay = \"0s\"", "per_host_delay = \"300ms\"");

    ws.run(&["poll", "--once"]).expect_code(exit::OK);
    let (gaps, paths) = gaps(&server);
    assert_eq!(paths.len(), 4, "robots.txt and three feeds: {paths:?}");
    for gap in &gaps {
        assert!(
            *gap >= Duration::from_millis(200),
            "requests {gaps:?} apart with per_host_delay = 300ms: {paths:?}"
        );
    }
}

#[test]
fn robots_crawl_delay_spaces_requests_when_longer() {
    let server = ScriptedHttp::start(Duration::ZERO, |path| match path {
        "/robots.txt" => Reply::ok(
            b"User-agent: *\nCrawl-delay: 0.3\nDisallow: /private/\n".to_vec(),
            "text/plain",
        ),
        _ => feed(),
    });
    // per_host_delay stays "0s": only the Crawl-delay can space them.
    let ws = Workspace::new(closed_port(), &three_sources(&server));

    ws.run(&["poll", "--once"]).expect_code(exit::OK);
    let (gaps, paths) = gaps(&server);
    assert_eq!(paths.len(), 4, "robots.txt and three feeds: {paths:?}");
    // The request right after robots.txt waits for the Crawl-delay it
    // read, like every later one.
    for gap in &gaps {
        assert!(
            *gap >= Duration::from_millis(200),
            "requests {gaps:?} apart with Crawl-delay: 0.3: {paths:?}"
        );
    }
}

#[test]
fn five_redirects_are_followed_and_a_sixth_is_refused() {
    // /N-hops/K redirects to /N-hops/K+1 until K = N, which is the feed.
    let server = ScriptedHttp::start(Duration::ZERO, |path| {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let (Some(n), Some(k)) = (
            parts
                .first()
                .and_then(|p| p.strip_suffix("-hops")?.parse::<u32>().ok()),
            parts.get(1).and_then(|k| k.parse::<u32>().ok()),
        ) else {
            return Reply::status(404);
        };
        if k >= n {
            return feed();
        }
        Reply::status(302).header("Location", &format!("/{n}-hops/{}", k + 1))
    });
    let ws = Workspace::new(
        closed_port(),
        &[
            ("five".into(), server.url("/5-hops/0")),
            ("six".into(), server.url("/6-hops/0")),
        ],
    );

    let run = ws.run(&["poll", "--once"]);
    run.expect_code(exit::RUNTIME);
    let paths = server.paths();
    assert!(
        paths.iter().any(|p| p == "/5-hops/5"),
        "five redirects are followed: {paths:?}"
    );
    assert!(!run.stderr().contains("source five:"), "{}", run.describe());
    let line = run
        .stderr()
        .lines()
        .find(|l| l.contains("source six:"))
        .unwrap_or_else(|| panic!("six did not fail\n{}", run.describe()))
        .to_owned();
    assert!(
        line.contains(&server.url("/6-hops/0")) && line.contains("more than 5 redirects"),
        "a clear error naming the source's URL: {line}"
    );
    assert!(
        paths.iter().any(|p| p == "/6-hops/5"),
        "five hops are taken: {paths:?}"
    );
    assert!(
        !paths.iter().any(|p| p == "/6-hops/6"),
        "the sixth redirect was followed: {paths:?}"
    );
}
