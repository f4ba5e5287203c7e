//! Named failpoints for crash and fault tests: when `REFORMWATCH_FAILPOINT`
//! names a point, the code there fails on purpose.
//!
//! Abort points (the process aborts, like a `kill -9` at an exact spot):
//! `mid_compose` (digest and item rows written, transaction not
//! committed), `after_compose` (a digest committed, nothing sent), and
//! `after_smtp_ok` (the server said 250, the digest not yet marked sent).
//! Points checked with [`armed`] fail in their own way, named with the
//! source they concern: `panic_in_source:ID` (that source's poll task
//! panics) and `hang_in_source:ID` (it awaits for ever), as a bug would.
//! `REFORMWATCH_FAILPOINT=trace` aborts nowhere: each abort point passed
//! prints `reformwatch: failpoint NAME passed` to stderr, so a test that
//! kills the process at random can tell where the kill landed.
//!
//! Always compiled in, not behind a cargo feature: the tests drive the
//! very binary that ships, and a check costs one cached lookup (the variable
//! is read once per process). The variable is for tests only; never set it
//! on a production service.

use std::sync::OnceLock;

/// Whether the `REFORMWATCH_FAILPOINT` variable names `point`.
pub fn armed(point: &str) -> bool {
    static ARMED: OnceLock<Option<String>> = OnceLock::new();
    let armed = ARMED.get_or_init(|| std::env::var("REFORMWATCH_FAILPOINT").ok());
    armed.as_deref() == Some(point)
}

/// Aborts the process if the `REFORMWATCH_FAILPOINT` variable names
/// `point`; says it passed `point` if the variable is `trace`.
pub fn hit(point: &str) {
    if armed(point) {
        eprintln!("reformwatch: failpoint {point} hit, aborting");
        std::process::abort();
    }
    if armed("trace") {
        eprintln!("reformwatch: failpoint {point} passed");
    }
}
