//! Named abort points for crash tests: when `REFORMWATCH_FAILPOINT` names a
//! point, the process aborts there (like a `kill -9` at an exact spot).
//!
//! The points: `mid_compose` (digest and item rows written, transaction not
//! committed), `after_compose` (a digest committed, nothing sent), and
//! `after_smtp_ok` (the server said 250, the digest not yet marked sent).
//!
//! Always compiled in, not behind a cargo feature: the crash tests drive the
//! very binary that ships, and a check costs one cached lookup (the variable
//! is read once per process). The variable is for tests only; never set it
//! on a production service.

use std::sync::OnceLock;

/// Aborts the process if the `REFORMWATCH_FAILPOINT` variable names `point`.
pub fn hit(point: &str) {
    static ARMED: OnceLock<Option<String>> = OnceLock::new();
    let armed = ARMED.get_or_init(|| std::env::var("REFORMWATCH_FAILPOINT").ok());
    if armed.as_deref() == Some(point) {
        eprintln!("reformwatch: failpoint {point} hit, aborting");
        std::process::abort();
    }
}
