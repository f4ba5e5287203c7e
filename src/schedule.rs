//! Pure timing decisions: when a source is polled next (interval, jitter,
//! error backoff, server hints) and which digest slot a subscriber's
//! schedule has reached. The caller passes `now` and any randomness in.

use std::time::Duration;

use chrono::{
    DateTime, Datelike, Duration as ChronoDuration, LocalResult, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;

use crate::config::Schedule;

/// Longest delay between polls of a failing source; it is never disabled.
pub const MAX_BACKOFF: Duration = Duration::from_secs(24 * 3600);

/// Next poll after a successful (or not-modified) poll: the interval, never
/// sooner than a server's TTL hint, plus up to 10% jitter. `jitter` is a
/// value in `[0, 1)` supplied by the caller.
pub fn next_poll_after_success(
    now: DateTime<Utc>,
    interval: Duration,
    ttl_hint: Option<Duration>,
    jitter: f64,
) -> DateTime<Utc> {
    let base = ttl_hint.map_or(interval, |ttl| ttl.max(interval));
    now + to_chrono(base.mul_f64(1.0 + 0.1 * jitter.clamp(0.0, 1.0)))
}

/// Next poll after the `streak`-th consecutive failure: the interval doubled
/// per failure (capped at [`MAX_BACKOFF`]), plus up to 20% jitter, and never
/// sooner than a `Retry-After` the server sent.
pub fn next_poll_after_error(
    now: DateTime<Utc>,
    interval: Duration,
    streak: u32,
    retry_after: Option<Duration>,
    jitter: f64,
) -> DateTime<Utc> {
    let factor = 2u32.saturating_pow(streak.saturating_sub(1).min(20));
    let backoff = interval.saturating_mul(factor).min(MAX_BACKOFF);
    let with_jitter = backoff
        .mul_f64(1.0 + 0.2 * jitter.clamp(0.0, 1.0))
        .min(MAX_BACKOFF);
    let wait = retry_after.map_or(with_jitter, |ra| ra.min(MAX_BACKOFF).max(with_jitter));
    now + to_chrono(wait)
}

/// Delay before retry number `attempts` of a digest the relay could not hand
/// over: 5 minutes, doubling, capped at 4000 s (Postfix's defaults).
pub fn digest_retry_delay(attempts: u32) -> Duration {
    let secs = 300u64.saturating_mul(1u64 << attempts.saturating_sub(1).min(10));
    Duration::from_secs(secs.min(4000))
}

/// The most recent slot of `schedule` at or before `now`, in the subscriber's
/// time zone `tz`, returned as an instant.
pub fn latest_slot(schedule: Schedule, tz: Tz, now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&tz);
    let date = local.date_naive();
    match schedule {
        Schedule::Hourly => {
            let naive = date.and_hms_opt(local.hour(), 0, 0).expect("valid hour");
            resolve(tz, naive).unwrap_or(now)
        }
        Schedule::Daily { hour, minute } => {
            let mut day = date;
            for _ in 0..3 {
                if let Some(slot) = slot_on(tz, day, hour, minute) {
                    if slot <= now {
                        return slot;
                    }
                }
                day = day.pred_opt().unwrap_or(day);
            }
            now
        }
        Schedule::Weekly {
            weekday,
            hour,
            minute,
        } => {
            let mut day = date;
            for _ in 0..15 {
                if day.weekday() == weekday {
                    if let Some(slot) = slot_on(tz, day, hour, minute) {
                        if slot <= now {
                            return slot;
                        }
                    }
                }
                day = day.pred_opt().unwrap_or(day);
            }
            now
        }
    }
}

/// The first slot of `schedule` strictly after `after`.
pub fn next_slot(schedule: Schedule, tz: Tz, after: DateTime<Utc>) -> DateTime<Utc> {
    // Slots are at least an hour apart; probing forward in 15-minute steps
    // for up to 8 days finds the next one without calendar arithmetic.
    let last = latest_slot(schedule, tz, after);
    let mut probe = after;
    for _ in 0..(8 * 24 * 4) {
        probe += ChronoDuration::minutes(15);
        let slot = latest_slot(schedule, tz, probe);
        if slot > last {
            return slot;
        }
    }
    after + ChronoDuration::days(7)
}

fn slot_on(tz: Tz, day: chrono::NaiveDate, hour: u32, minute: u32) -> Option<DateTime<Utc>> {
    let naive = day.and_hms_opt(hour, minute, 0)?;
    resolve(tz, naive)
}

/// Local time → instant; a time skipped by a DST jump moves to the next hour,
/// an ambiguous one takes the earlier instant.
fn resolve(tz: Tz, naive: chrono::NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, _) => Some(a.with_timezone(&Utc)),
        LocalResult::None => match tz.from_local_datetime(&(naive + ChronoDuration::hours(1))) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.with_timezone(&Utc)),
            LocalResult::None => None,
        },
    }
}

fn to_chrono(d: Duration) -> ChronoDuration {
    ChronoDuration::from_std(d).unwrap_or(ChronoDuration::days(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    const SH: Tz = chrono_tz::Asia::Shanghai;

    #[test]
    fn daily_slot_is_reached_at_the_minute_in_the_subscribers_zone() {
        let s = Schedule::Daily { hour: 8, minute: 0 };
        assert_eq!(
            latest_slot(s, SH, t("2026-01-01T07:59:00+08:00")),
            t("2025-12-31T08:00:00+08:00")
        );
        assert_eq!(
            latest_slot(s, SH, t("2026-01-01T08:00:00+08:00")),
            t("2026-01-01T08:00:00+08:00")
        );
        assert_eq!(
            next_slot(s, SH, t("2026-01-01T08:00:00+08:00")),
            t("2026-01-02T08:00:00+08:00")
        );
    }

    #[test]
    fn weekly_and_hourly_slots() {
        let w = Schedule::Weekly {
            weekday: Weekday::Mon,
            hour: 9,
            minute: 30,
        };
        // 2026-01-01 is a Thursday; the last Monday 09:30 before it is 2025-12-29.
        assert_eq!(
            latest_slot(w, SH, t("2026-01-01T12:00:00+08:00")),
            t("2025-12-29T09:30:00+08:00")
        );
        assert_eq!(
            latest_slot(Schedule::Hourly, SH, t("2026-01-01T12:34:56+08:00")),
            t("2026-01-01T12:00:00+08:00")
        );
    }

    #[test]
    fn dst_gap_moves_the_slot_forward() {
        let ny: Tz = chrono_tz::America::New_York;
        let s = Schedule::Daily {
            hour: 2,
            minute: 30,
        };
        // 2026-03-08 02:30 does not exist in New York.
        let slot = latest_slot(s, ny, t("2026-03-08T12:00:00-04:00"));
        assert_eq!(slot, t("2026-03-08T03:30:00-04:00"));
    }

    #[test]
    fn error_backoff_doubles_and_caps_and_honours_retry_after() {
        let now = t("2026-01-01T00:00:00Z");
        let iv = Duration::from_secs(600);
        let d = |n| (next_poll_after_error(now, iv, n, None, 0.0) - now).num_seconds();
        assert_eq!(d(1), 600);
        assert_eq!(d(2), 1200);
        assert_eq!(d(3), 2400);
        assert_eq!(d(30), 24 * 3600);
        let ra = next_poll_after_error(now, iv, 1, Some(Duration::from_secs(7200)), 0.0);
        assert_eq!((ra - now).num_seconds(), 7200);
    }

    #[test]
    fn success_interval_respects_ttl_and_bounded_jitter() {
        let now = t("2026-01-01T00:00:00Z");
        let iv = Duration::from_secs(600);
        let n = next_poll_after_success(now, iv, None, 0.99);
        assert!((n - now).num_seconds() >= 600 && (n - now).num_seconds() <= 660);
        let ttl = next_poll_after_success(now, iv, Some(Duration::from_secs(3600)), 0.0);
        assert_eq!((ttl - now).num_seconds(), 3600);
    }

    #[test]
    fn digest_retry_delay_follows_postfix_defaults() {
        assert_eq!(digest_retry_delay(1).as_secs(), 300);
        assert_eq!(digest_retry_delay(2).as_secs(), 600);
        assert_eq!(digest_retry_delay(4).as_secs(), 2400);
        assert_eq!(digest_retry_delay(9).as_secs(), 4000);
    }
}
