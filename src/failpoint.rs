//! Named abort points for crash tests: when `REFORMWATCH_FAILPOINT` names a
//! point, the process aborts there (like a `kill -9` at an exact spot).
//! Unset in normal operation, where each check is one cached lookup.

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
