//! Pure reading of the response headers that say when to ask again:
//! `Retry-After` (delta-seconds or an HTTP date), `Cache-Control: max-age`
//! and `Expires`. They only ever *lengthen* the next poll interval (as
//! Miniflux does), and never beyond [`MAX_HINT`]. `now` is passed in; no I/O.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};

/// Longest delay any server hint can impose; a source is never silenced
/// for longer than a day by a header.
pub const MAX_HINT: Duration = Duration::from_secs(24 * 3600);

/// Hints from response headers about when to ask again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheHints {
    /// `Retry-After`, as a delay from `now` (both header forms), capped.
    pub retry_after: Option<Duration>,
    /// How long the response stays fresh: `Cache-Control: max-age`, else
    /// `Expires` minus `now` (RFC 9111 order), capped. `no-cache`,
    /// `no-store` and `max-age=0` give none.
    pub fresh_for: Option<Duration>,
}

impl CacheHints {
    /// Reads the hints from header values (`None` when a header is absent).
    pub fn parse(
        retry_after: Option<&str>,
        cache_control: Option<&str>,
        expires: Option<&str>,
        now: DateTime<Utc>,
    ) -> Self {
        let until = |t: DateTime<Utc>| (t - now).to_std().ok().filter(|d| !d.is_zero());
        let retry_after = retry_after.and_then(|v| {
            let v = v.trim();
            match v.parse::<u64>() {
                Ok(secs) => Some(Duration::from_secs(secs)),
                Err(_) => http_date(v).and_then(until),
            }
        });
        let fresh_for = match cache_control.map(max_age) {
            Some(Directive::Fresh(d)) => Some(d),
            Some(Directive::NotCacheable) => None,
            Some(Directive::Absent) | None => expires.and_then(http_date).and_then(until),
        };
        CacheHints {
            retry_after: retry_after.map(|d| d.min(MAX_HINT)),
            fresh_for: fresh_for.filter(|d| !d.is_zero()).map(|d| d.min(MAX_HINT)),
        }
    }

    /// The earliest the next poll should be, from all hints together.
    pub fn poll_floor(&self) -> Option<Duration> {
        self.retry_after.max(self.fresh_for)
    }
}

enum Directive {
    Fresh(Duration),
    NotCacheable,
    Absent,
}

/// `Cache-Control`'s freshness: `max-age` (or `s-maxage`), unless the
/// response is marked `no-cache` / `no-store`.
fn max_age(value: &str) -> Directive {
    let mut age = None;
    for part in value.split(',') {
        let part = part.trim().to_ascii_lowercase();
        if part == "no-cache" || part == "no-store" {
            return Directive::NotCacheable;
        }
        if let Some(v) = part
            .strip_prefix("max-age=")
            .or_else(|| part.strip_prefix("s-maxage="))
        {
            if let Ok(secs) = v.trim_matches('"').parse::<u64>() {
                age = Some(age.map_or(secs, |a: u64| a.max(secs)));
            }
        }
    }
    match age {
        Some(secs) => Directive::Fresh(Duration::from_secs(secs)),
        None => Directive::Absent,
    }
}

/// An HTTP date in any of the three forms RFC 9110 §5.6.7 says to accept:
/// IMF-fixdate, obsolete RFC 850 and asctime.
pub fn http_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc2822(text) {
        return Some(t.with_timezone(&Utc));
    }
    for format in ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn retry_after_in_seconds_and_as_an_http_date() {
        let h = CacheHints::parse(Some("120"), None, None, now());
        assert_eq!(h.retry_after, Some(Duration::from_secs(120)));
        let h = CacheHints::parse(Some("Thu, 01 Jan 2026 00:30:00 GMT"), None, None, now());
        assert_eq!(h.retry_after, Some(Duration::from_secs(1800)));
        // In the past, or garbage: no hint.
        let h = CacheHints::parse(Some("Wed, 31 Dec 2025 00:00:00 GMT"), None, None, now());
        assert_eq!(h.retry_after, None);
        assert_eq!(
            CacheHints::parse(Some("soon"), None, None, now()).retry_after,
            None
        );
        // Capped at a day.
        let h = CacheHints::parse(Some("999999999"), None, None, now());
        assert_eq!(h.retry_after, Some(MAX_HINT));
    }

    #[test]
    fn obsolete_date_forms_are_read() {
        let want = http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(http_date("Sunday, 06-Nov-94 08:49:37 GMT"), Some(want));
        assert_eq!(http_date("Sun Nov  6 08:49:37 1994"), Some(want));
    }

    #[test]
    fn max_age_wins_over_expires_and_no_cache_gives_nothing() {
        let exp = Some("Thu, 01 Jan 2026 02:00:00 GMT");
        let h = CacheHints::parse(None, Some("public, max-age=600"), exp, now());
        assert_eq!(h.fresh_for, Some(Duration::from_secs(600)));
        let h = CacheHints::parse(None, None, exp, now());
        assert_eq!(h.fresh_for, Some(Duration::from_secs(7200)));
        let h = CacheHints::parse(None, Some("no-cache, max-age=600"), exp, now());
        assert_eq!(h.fresh_for, None);
        let h = CacheHints::parse(None, Some("max-age=0"), exp, now());
        assert_eq!(h.fresh_for, None);
        let h = CacheHints::parse(None, Some("max-age=99999999"), None, now());
        assert_eq!(h.fresh_for, Some(MAX_HINT));
    }

    #[test]
    fn floor_is_the_longest_hint() {
        let h = CacheHints::parse(Some("60"), Some("max-age=300"), None, now());
        assert_eq!(h.poll_floor(), Some(Duration::from_secs(300)));
        assert_eq!(CacheHints::default().poll_floor(), None);
    }
}
