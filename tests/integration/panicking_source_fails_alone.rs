//! Issue 10, item 3: a source task that panics (a bug, made to happen here
//! with the `panic_in_source:ID` failpoint) is that source's failure like
//! any other: a failure record with the panic message as its error, the
//! streak one longer each time, exit 2; the other sources' articles are
//! stored as usual.

use crate::support::http::{Content, HttpServer, Route};
use crate::support::smtp::closed_port;
use crate::support::{exit, rss, Workspace, RUN_TIMEOUT};

/// `(error_streak, last_error)` of a source, straight from the database.
fn failure_of(ws: &Workspace, id: &str) -> (i64, Option<String>) {
    ws.db()
        .query_row(
            "SELECT error_streak, last_error FROM sources WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap_or_else(|e| panic!("no row for source {id}: {e}"))
}

#[test]
fn a_panicking_source_task_is_recorded_as_that_sources_failure() {
    let http = HttpServer::start();
    for (path, guid) in [("/good.xml", "g-good"), ("/boom.xml", "g-boom")] {
        let body = rss("改革", &[(guid, "深化改革新举措")]);
        http.route(
            path,
            Route::content(Content::new(body, "application/rss+xml")),
        );
    }
    let ws = Workspace::new(
        closed_port(),
        &[
            ("good".into(), http.url("/good.xml")),
            ("boom".into(), http.url("/boom.xml")),
        ],
    );
    let failpoint = [("REFORMWATCH_FAILPOINT", "panic_in_source:boom")];
    let run = ws.run_with_env(
        &failpoint,
        &["--now", "2024-09-02T10:00:00Z", "poll", "--once"],
        RUN_TIMEOUT,
    );
    run.expect_code(exit::RUNTIME);
    assert!(
        run.stderr().contains("boom"),
        "the failure names the source\n{}",
        run.describe()
    );
    let (streak, error) = failure_of(&ws, "boom");
    assert_eq!(streak, 1, "{}", run.describe());
    let error = error.unwrap_or_default();
    assert!(
        error.contains("failpoint panic_in_source:boom hit"),
        "the panic message is the error: {error:?}"
    );
    assert_eq!(failure_of(&ws, "good"), (0, None), "the neighbour is fine");
    let articles = ws.run(&["articles"]).expect_code(exit::OK).stdout();
    assert_eq!(articles.lines().count(), 1, "only good's item:\n{articles}");

    // Polled again, still panicking: streak 2.
    let run = ws.run_with_env(
        &failpoint,
        &["--now", "2024-09-03T10:00:00Z", "poll", "--once"],
        RUN_TIMEOUT,
    );
    run.expect_code(exit::RUNTIME);
    assert_eq!(failure_of(&ws, "boom").0, 2, "{}", run.describe());
    let listing = ws.run(&["sources"]).expect_code(exit::OK).stdout();
    let row = listing
        .lines()
        .find(|l| l.starts_with("boom "))
        .unwrap_or_else(|| panic!("no row for boom:\n{listing}"));
    assert!(
        row.contains("failing") && row.contains("panic_in_source"),
        "{row}"
    );
}
