//! The pure scheduler: which sources are due and when the daemon wakes
//! next ([`plan`]), what a source's poll sends and when it comes back
//! (interval, jitter, error backoff, server hints, active hours), when a
//! stored article is re-checked, and which digest slot a subscriber's
//! schedule has reached. The caller passes `now` and any randomness in;
//! the daemon, `poll --once` and the re-check step all decide here.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{
    DateTime, Datelike, Duration as ChronoDuration, LocalResult, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;

use crate::config::{ActiveHours, Backfill, Schedule, Source};
use crate::model::{SourceState, Validators};
use crate::pipeline::source_rules;

/// Longest sleep between two looks at the schedule; digests are checked at
/// least this often.
pub const MAX_IDLE: Duration = Duration::from_secs(30);

/// What is due in one pass, and when to look again.
#[derive(Debug)]
pub struct Plan<'a> {
    /// Sources due now.
    pub due: Vec<&'a Source>,
    /// When the next source is due, if any source has a time.
    pub wake_at: Option<DateTime<Utc>>,
}

impl Plan<'_> {
    /// How long to sleep after the pass: until the next source is due,
    /// at least a second and at most [`MAX_IDLE`].
    pub fn sleep(&self, now: DateTime<Utc>) -> Duration {
        self.wake_at
            .map(|t| (t - now).to_std().unwrap_or(Duration::ZERO))
            .unwrap_or(MAX_IDLE)
            .clamp(Duration::from_secs(1), MAX_IDLE)
    }
}

/// Sources due at `now` according to their stored state (every source on
/// the first run; a source whose URL changed starts afresh), and when the
/// next one is due. A source outside its active hours waits for them.
pub fn plan<'a>(
    sources: &'a [Source],
    states: &HashMap<String, SourceState>,
    now: DateTime<Utc>,
) -> Plan<'a> {
    let next_poll = |s: &Source| {
        states
            .get(&s.id)
            .filter(|st| st.url == s.url.as_str())
            .and_then(|st| st.next_poll_at)
    };
    let due = sources
        .iter()
        .filter(|s| next_poll(s).is_none_or(|t| t <= now) && in_active_hours(s, now) <= now)
        .collect();
    let wake_at = sources
        .iter()
        .filter_map(|s| states.get(&s.id).and_then(|st| st.next_poll_at))
        .min();
    Plan { due, wake_at }
}

/// Whether this poll of `source` is its first: never polled, or polled at
/// another URL. Only recent items of a first poll are mailed (backfill).
pub fn is_first_poll(source: &Source, state: Option<&SourceState>) -> bool {
    state.is_none_or(|s| s.url != source.url.as_str() || s.first_polled_at.is_none())
}

/// Whether the source's extraction rules changed since its last read.
pub fn rules_changed(state: Option<&SourceState>, rules_hash: &str) -> bool {
    state
        .and_then(|s| s.rules_hash.as_deref())
        .is_some_and(|h| h != rules_hash)
}

/// The validators a poll sends: the stored ones, unless the URL changed
/// (they belong to the old document) or the rules did (the document must
/// be read again, even unchanged).
pub fn validators_to_send(
    source: &Source,
    state: Option<&SourceState>,
    rules_changed: bool,
) -> Validators {
    match state {
        Some(s) if s.url == source.url.as_str() && !rules_changed => s.validators.clone(),
        _ => Validators::default(),
    }
}

/// How a poll ended, as far as timing goes.
#[derive(Debug, Clone, Copy)]
pub enum PollTiming {
    /// A document or a 304, with the server's hint (RSS `<ttl>`,
    /// `Cache-Control`, `Expires`) as the earliest next poll.
    Success {
        /// The longest hint, if any.
        floor: Option<Duration>,
    },
    /// A failure, with the server's `Retry-After` if it sent one.
    Failure {
        /// The server's `Retry-After`.
        retry_after: Option<Duration>,
    },
}

/// When to poll `source` next after a poll that ended as `timing`:
/// backoff after failures, the (adaptive) interval and server hints after
/// success, jitter on top (`jitter` in `[0, 1)` from the caller), moved
/// into the source's active hours.
pub fn next_poll(
    source: &Source,
    state: Option<&SourceState>,
    timing: PollTiming,
    jitter: f64,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let at = match timing {
        PollTiming::Success { floor } => {
            let interval = effective_interval(
                source.interval,
                source.adaptive,
                state.map_or(0, |s| s.published_last_week),
            );
            next_poll_after_success(now, interval, floor, jitter)
        }
        PollTiming::Failure { retry_after } => {
            let streak = state.map_or(0, |s| s.error_streak) + 1;
            next_poll_after_error(now, source.interval, streak, retry_after, jitter)
        }
    };
    in_active_hours(source, at)
}

/// Whether a new article may be mailed: every article after a source's
/// first poll; on the first poll only those published within the source's
/// backfill window, so adding a source never floods subscribers. Undated
/// items count as old.
pub fn mailable(
    first_poll: bool,
    backfill: Backfill,
    published_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    if !first_poll {
        return true;
    }
    match backfill {
        Backfill::All => true,
        Backfill::None => false,
        Backfill::Window(w) => {
            published_at.is_some_and(|p| ChronoDuration::from_std(w).is_ok_and(|w| p >= now - w))
        }
    }
}

/// The first re-check of an article stored now, if its source re-checks.
/// Backfilled articles (stored silently, never mailed) are not re-checked.
pub fn first_recheck(source: &Source, mailable: bool, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if !mailable {
        return None;
    }
    next_recheck(now, source_rules::recheck_schedule(source), now)
}

/// Longest delay between polls of a failing source; it is never disabled.
pub const MAX_BACKOFF: Duration = Duration::from_secs(24 * 3600);

/// Next poll after a successful (or not-modified) poll: the interval, never
/// sooner than a server's hint (RSS `<ttl>`, `Cache-Control: max-age`,
/// `Expires`; a hint counts for at most [`MAX_BACKOFF`]), plus up to 10%
/// jitter. `jitter` is a value in `[0, 1)` supplied by the caller.
pub fn next_poll_after_success(
    now: DateTime<Utc>,
    interval: Duration,
    ttl_hint: Option<Duration>,
    jitter: f64,
) -> DateTime<Utc> {
    let base = ttl_hint.map_or(interval, |ttl| ttl.min(MAX_BACKOFF).max(interval));
    now + to_chrono(base.mul_f64(1.0 + 0.1 * jitter.clamp(0.0, 1.0)))
}

/// The interval to use for a source: the configured one, or with
/// `adaptive` a week divided by the items published last week, never
/// shorter than configured and never longer than a day, or than the
/// configured interval if that is longer (like Miniflux's
/// entry-frequency scheduler, with the operator's interval as the floor).
pub fn effective_interval(
    configured: Duration,
    adaptive: bool,
    published_last_week: u32,
) -> Duration {
    if !adaptive {
        return configured;
    }
    let week = Duration::from_secs(7 * 24 * 3600);
    let day = Duration::from_secs(24 * 3600);
    (week / published_last_week.max(1)).clamp(configured, configured.max(day))
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

/// `t`, moved forward into the source's `active_hours` window (in its
/// time zone) when it falls outside; `t` itself for sources without one.
pub fn in_active_hours(source: &Source, t: DateTime<Utc>) -> DateTime<Utc> {
    match source.active_hours {
        Some(hours) => into_window(hours, source.timezone, t),
        None => t,
    }
}

/// Is `t` inside `hours` in zone `tz`?
pub fn within_window(hours: ActiveHours, tz: Tz, t: DateTime<Utc>) -> bool {
    let time = t.with_timezone(&tz).time();
    if hours.start < hours.end {
        hours.start <= time && time < hours.end
    } else {
        time >= hours.start || time < hours.end
    }
}

/// The first instant at or after `t` inside `hours` in zone `tz`.
pub fn into_window(hours: ActiveHours, tz: Tz, t: DateTime<Utc>) -> DateTime<Utc> {
    if within_window(hours, tz, t) {
        return t;
    }
    // Outside the window: it opens next at `start`, today or tomorrow.
    let local = t.with_timezone(&tz);
    let mut day = local.date_naive();
    for _ in 0..3 {
        if let Some(open) = resolve(tz, day.and_time(hours.start)) {
            if open >= t {
                return open;
            }
        }
        day = day.succ_opt().unwrap_or(day);
    }
    t
}

/// When an article first stored at `first_seen` is next fetched again to
/// catch silent edits: the first delay of the source's `recheck` schedule
/// (increasing delays after `first_seen`) that lands after `now`, so a
/// re-check that ran late skips the slots it missed; `None` once the
/// schedule is used up.
pub fn next_recheck(
    first_seen: DateTime<Utc>,
    schedule: &[Duration],
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    schedule
        .iter()
        .map(|d| first_seen + to_chrono(*d))
        .find(|t| *t > now)
}

/// Delay before retry number `attempts` of a digest the relay could not hand
/// over: 5 minutes, doubling, capped at 4000 s (Postfix's defaults).
pub fn digest_retry_delay(attempts: u32) -> Duration {
    let secs = 300u64.saturating_mul(1u64 << attempts.saturating_sub(1).min(10));
    Duration::from_secs(secs.min(4000))
}

/// The most recent slot of `schedule` at or before `now`, in the subscriber's
/// time zone `tz`, returned as an instant. An `immediate` schedule has a
/// slot at every instant (its mails are timed by [`coalesced_due`]).
pub fn latest_slot(schedule: Schedule, tz: Tz, now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&tz);
    let date = local.date_naive();
    match schedule {
        Schedule::Immediate { .. } => now,
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

/// The first slot of `schedule` strictly after `after`; for `immediate`,
/// the end of a coalescing window opened at `after`.
pub fn next_slot(schedule: Schedule, tz: Tz, after: DateTime<Utc>) -> DateTime<Utc> {
    if let Schedule::Immediate { window } = schedule {
        return after + to_chrono(window);
    }
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

/// For an `immediate` subscriber whose oldest unsent match was first seen
/// at `oldest_pending`: the instant its coalescing window closes, if that
/// is at or before `now` (the digest is due), else `None` (keep waiting
/// for more matches).
pub fn coalesced_due(
    oldest_pending: DateTime<Utc>,
    window: Duration,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let closes = oldest_pending + to_chrono(window);
    (closes <= now).then_some(closes)
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
    fn adaptive_interval_stretches_for_quiet_sources_within_bounds() {
        let m = |n: u64| Duration::from_secs(n * 60);
        let configured = m(15);
        // Off: always the configured interval.
        assert_eq!(effective_interval(configured, false, 0), configured);
        // Nothing published last week: a day, the ceiling.
        assert_eq!(effective_interval(configured, true, 0), m(24 * 60));
        // 14 items a week: one every 12 hours.
        assert_eq!(effective_interval(configured, true, 14), m(12 * 60));
        // A busy source never polls faster than the operator allowed.
        assert_eq!(effective_interval(configured, true, 10_000), configured);
        // A configured interval above a day is kept as the floor.
        assert_eq!(effective_interval(m(48 * 60), true, 0), m(48 * 60));
    }

    #[test]
    fn rechecks_decay_and_skip_missed_slots() {
        let h = |n: u64| Duration::from_secs(n * 3600);
        let schedule = [h(1), h(3), h(12)];
        let t0 = Utc.with_ymd_and_hms(2024, 9, 2, 0, 0, 0).unwrap();
        let at = |hours: i64| t0 + ChronoDuration::hours(hours);
        assert_eq!(next_recheck(t0, &schedule, t0), Some(at(1)));
        assert_eq!(next_recheck(t0, &schedule, at(1)), Some(at(3)));
        // A daemon that was down for 5 hours goes straight to the 12h slot.
        assert_eq!(next_recheck(t0, &schedule, at(6)), Some(at(12)));
        assert_eq!(next_recheck(t0, &schedule, at(12)), None);
        assert_eq!(next_recheck(t0, &[], t0), None);
    }

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
        let capped = next_poll_after_success(now, iv, Some(Duration::from_secs(9_999_999)), 0.0);
        assert_eq!((capped - now).num_seconds(), 24 * 3600);
    }

    #[test]
    fn immediate_windows_close_after_the_coalescing_time() {
        let five = Duration::from_secs(300);
        let im = Schedule::Immediate { window: five };
        let first = t("2026-01-01T10:00:00Z");
        assert_eq!(latest_slot(im, SH, first), first);
        assert_eq!(next_slot(im, SH, first), t("2026-01-01T10:05:00Z"));
        assert_eq!(coalesced_due(first, five, t("2026-01-01T10:04:59Z")), None);
        assert_eq!(
            coalesced_due(first, five, t("2026-01-01T10:05:00Z")),
            Some(t("2026-01-01T10:05:00Z"))
        );
    }

    #[test]
    fn active_hours_push_polls_to_the_next_opening_in_the_sources_zone() {
        let hm = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap();
        let day = ActiveHours {
            start: hm(8, 0),
            end: hm(20, 0),
        };
        // 21:30 Beijing → 08:00 Beijing the next day.
        assert_eq!(
            into_window(day, SH, t("2026-01-01T21:30:00+08:00")),
            t("2026-01-02T08:00:00+08:00")
        );
        // 06:00 → 08:00 the same day; inside stays put.
        assert_eq!(
            into_window(day, SH, t("2026-01-01T06:00:00+08:00")),
            t("2026-01-01T08:00:00+08:00")
        );
        let inside = t("2026-01-01T12:00:00+08:00");
        assert_eq!(into_window(day, SH, inside), inside);
        // A window across midnight.
        let night = ActiveHours {
            start: hm(22, 0),
            end: hm(2, 0),
        };
        assert!(within_window(night, SH, t("2026-01-01T23:00:00+08:00")));
        assert!(within_window(night, SH, t("2026-01-02T01:59:00+08:00")));
        assert_eq!(
            into_window(night, SH, t("2026-01-02T02:00:00+08:00")),
            t("2026-01-02T22:00:00+08:00")
        );
    }

    #[test]
    fn digest_retry_delay_follows_postfix_defaults() {
        assert_eq!(digest_retry_delay(1).as_secs(), 300);
        assert_eq!(digest_retry_delay(2).as_secs(), 600);
        assert_eq!(digest_retry_delay(4).as_secs(), 2400);
        assert_eq!(digest_retry_delay(9).as_secs(), 4000);
    }
}
