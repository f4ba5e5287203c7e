//! Pure parsers for the config's scalar mini-languages: durations, backfill
//! windows, digest schedules, mail addresses, feed URLs, time zones and
//! charset labels. Each takes a string and returns a value or a
//! [`ValueError`]; none knows about files, lines or key paths.

use std::time::Duration;

use chrono::Weekday;
use chrono_tz::Tz;
use url::Url;

use super::report::did_you_mean;
use super::{Backfill, Schedule};

/// Why a value is not what its key wants. The message names the value and,
/// where it can, the form expected; the caller adds file, line and key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ValueError {
    /// Not a duration.
    #[error("bad duration `{text}`: {problem} (use e.g. \"90s\", \"15m\", \"1h30m\", \"2d\")")]
    Duration {
        /// The value as written.
        text: String,
        /// What is wrong with it.
        problem: DurationProblem,
    },
    /// A duration of zero where only a positive one makes sense.
    #[error("duration `{0}` must be longer than zero")]
    NotPositive(String),
    /// Not a backfill window (the duration's problem, then the other forms).
    #[error("{0}, or \"all\" or \"0\"")]
    Backfill(Box<ValueError>),
    /// Not a digest schedule.
    #[error(
        "bad schedule `{0}`: expected \"immediate\", \"hourly\", \"daily HH:MM\" or \"weekly mon HH:MM\""
    )]
    Schedule(String),
    /// A weekly schedule with an unknown day.
    #[error("bad schedule `{text}`: unknown weekday `{day}` (use mon..sun)")]
    Weekday {
        /// The schedule as written.
        text: String,
        /// The day as written.
        day: String,
    },
    /// Not a bare `local@domain` address.
    #[error("bad email address `{0}`: expected local@domain")]
    Address(String),
    /// Not a mailbox.
    #[error("bad mailbox `{0}`: expected \"Name <local@domain>\" or \"local@domain\"")]
    Mailbox(String),
    /// Not a URL at all.
    #[error("bad URL `{text}`")]
    Url {
        /// The value as written.
        text: String,
        /// Why the URL parser refused it.
        #[source]
        source: url::ParseError,
    },
    /// A URL of another scheme than http or https.
    #[error("URL `{text}` must use http or https, not `{scheme}`")]
    UrlScheme {
        /// The value as written.
        text: String,
        /// Its scheme.
        scheme: String,
    },
    /// A URL without a host.
    #[error("URL `{0}` has no host")]
    UrlHost(String),
    /// Not an IANA time zone name.
    #[error("unknown time zone `{text}`{hint}")]
    TimeZone {
        /// The value as written.
        text: String,
        /// `, did you mean …?` or empty.
        hint: String,
    },
    /// Not a WHATWG charset label.
    #[error("unknown encoding label `{0}` (use e.g. \"utf-8\", \"gb18030\", \"big5\")")]
    Encoding(String),
    /// Not a `HH:MM-HH:MM` window.
    #[error("bad active_hours `{0}`: expected \"HH:MM-HH:MM\", e.g. \"08:00-20:00\"")]
    ActiveHours(String),
    /// A window that starts where it ends.
    #[error("active_hours `{0}` is an empty window")]
    EmptyWindow(String),
    /// Not a socket address or port.
    #[error("bad metrics_addr `{0}`: expected \"127.0.0.1:9187\", \"[::1]:9187\" or a port")]
    MetricsAddr(String),
    /// Not one of a key's fixed choices.
    #[error("unknown {key} `{text}`{hint} (expected {expected})")]
    Choice {
        /// The key's name.
        key: String,
        /// The value as written.
        text: String,
        /// `, did you mean …?` or empty.
        hint: String,
        /// The choices, quoted and comma-separated.
        expected: String,
    },
}

/// What is wrong with a duration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DurationProblem {
    /// Nothing but blanks.
    #[error("empty")]
    Empty,
    /// A unit or other text where a number belongs.
    #[error("expected a number")]
    ExpectedNumber,
    /// A number that does not fit 64 bits.
    #[error("number too large")]
    NumberTooLarge,
    /// A number without its unit.
    #[error("missing unit")]
    MissingUnit,
    /// A unit other than ms, s, m, h, d, w.
    #[error("unknown unit `{0}`")]
    UnknownUnit(String),
    /// The total overflows.
    #[error("too large")]
    TooLarge,
}

/// Parses a human duration such as `90s`, `15m`, `1h30m`, `2d` or `500ms`.
pub(crate) fn duration(text: &str) -> Result<Duration, ValueError> {
    let bad = |problem: DurationProblem| ValueError::Duration {
        text: text.to_owned(),
        problem,
    };
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad(DurationProblem::Empty));
    }
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(bad(DurationProblem::ExpectedNumber));
        }
        let number: u64 = rest[..digits]
            .parse()
            .map_err(|_| bad(DurationProblem::NumberTooLarge))?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let seconds_per_unit: u64 = match &rest[..unit_len] {
            "ms" => 0,
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 604_800,
            "" => return Err(bad(DurationProblem::MissingUnit)),
            other => return Err(bad(DurationProblem::UnknownUnit(other.to_owned()))),
        };
        let part = if seconds_per_unit == 0 {
            Some(Duration::from_millis(number))
        } else {
            number
                .checked_mul(seconds_per_unit)
                .map(Duration::from_secs)
        };
        total = part
            .and_then(|p| total.checked_add(p))
            .ok_or_else(|| bad(DurationProblem::TooLarge))?;
        rest = rest[unit_len..].trim_start();
    }
    Ok(total)
}

/// Parses a duration that must be longer than zero.
pub(crate) fn positive_duration(text: &str) -> Result<Duration, ValueError> {
    match duration(text)? {
        d if d.is_zero() => Err(ValueError::NotPositive(text.to_owned())),
        d => Ok(d),
    }
}

/// Parses a backfill window: `"all"`, `"0"` (nothing) or a duration.
pub(crate) fn backfill(text: &str) -> Result<Backfill, ValueError> {
    match text.trim() {
        "all" => Ok(Backfill::All),
        "0" => Ok(Backfill::None),
        other => match duration(other) {
            Ok(d) if d.is_zero() => Ok(Backfill::None),
            Ok(d) => Ok(Backfill::Window(d)),
            Err(e) => Err(ValueError::Backfill(Box::new(e))),
        },
    }
}

/// Default coalescing window of `schedule = "immediate"`.
pub(crate) const DEFAULT_COALESCE: Duration = Duration::from_secs(300);

/// Parses a digest schedule: `immediate`, `hourly`, `daily HH:MM` or
/// `weekly DAY HH:MM`. `immediate` gets [`DEFAULT_COALESCE`]; the caller
/// applies a configured `coalesce`.
pub(crate) fn schedule(text: &str) -> Result<Schedule, ValueError> {
    let bad = || ValueError::Schedule(text.to_owned());
    let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
    match words.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["immediate"] => Ok(Schedule::Immediate {
            window: DEFAULT_COALESCE,
        }),
        ["hourly"] => Ok(Schedule::Hourly),
        ["daily", at] => {
            let (hour, minute) = time_of_day(at).ok_or_else(bad)?;
            Ok(Schedule::Daily { hour, minute })
        }
        ["weekly", day, at] => {
            let weekday: Weekday = day.parse().map_err(|_| ValueError::Weekday {
                text: text.to_owned(),
                day: (*day).to_owned(),
            })?;
            let (hour, minute) = time_of_day(at).ok_or_else(bad)?;
            Ok(Schedule::Weekly {
                weekday,
                hour,
                minute,
            })
        }
        _ => Err(bad()),
    }
}

/// `HH:MM` (hour may have one digit) → (hour, minute).
fn time_of_day(text: &str) -> Option<(u32, u32)> {
    let (h, m) = text.split_once(':')?;
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if h.len() > 2 || m.len() != 2 || !all_digits(h) || !all_digits(m) {
        return None;
    }
    let (hour, minute) = (h.parse().ok()?, m.parse().ok()?);
    (hour < 24 && minute < 60).then_some((hour, minute))
}

/// Checks a bare address: one `@`, non-empty local part and domain, no
/// spaces or angle brackets.
pub(crate) fn address(text: &str) -> Result<(), ValueError> {
    let bad = || ValueError::Address(text.to_owned());
    let mut parts = text.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let forbidden = |c: char| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c);
    if local.is_empty() || domain.is_empty() || text.contains(forbidden) {
        return Err(bad());
    }
    Ok(())
}

/// Checks a mailbox: a bare address or `Display Name <local@domain>`.
pub(crate) fn mailbox(text: &str) -> Result<(), ValueError> {
    let text = text.trim();
    match text.strip_suffix('>').and_then(|t| t.rsplit_once('<')) {
        Some((name, addr)) if !name.contains(['<', '>']) && !name.contains(char::is_control) => {
            address(addr)
        }
        Some(_) => Err(ValueError::Mailbox(text.to_owned())),
        None => address(text),
    }
}

/// Parses a source URL, which must be absolute http or https with a host.
pub(crate) fn http_url(text: &str) -> Result<Url, ValueError> {
    let url = Url::parse(text.trim()).map_err(|source| ValueError::Url {
        text: text.to_owned(),
        source,
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ValueError::UrlScheme {
            text: text.to_owned(),
            scheme: url.scheme().to_owned(),
        });
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ValueError::UrlHost(text.to_owned()));
    }
    Ok(url)
}

/// Parses an IANA time zone name such as `Asia/Shanghai`.
pub(crate) fn time_zone(text: &str) -> Result<Tz, ValueError> {
    text.parse::<Tz>().map_err(|_| ValueError::TimeZone {
        text: text.to_owned(),
        hint: did_you_mean(text, chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())),
    })
}

/// Resolves a WHATWG charset label; GBK and GB2312 become GB18030, their
/// superset, so that no page labelled with them decodes wrongly.
pub(crate) fn encoding(text: &str) -> Result<&'static encoding_rs::Encoding, ValueError> {
    match encoding_rs::Encoding::for_label_no_replacement(text.trim().as_bytes()) {
        Some(e) if e == encoding_rs::GBK => Ok(encoding_rs::GB18030),
        Some(e) => Ok(e),
        None => Err(ValueError::Encoding(text.to_owned())),
    }
}

/// `"127.0.0.1:9187"`, `"[::1]:9187"`, or a bare port (on 127.0.0.1: the
/// metrics are only reachable from elsewhere when an address says so).
pub(crate) fn metrics_addr(text: &str) -> Result<std::net::SocketAddr, ValueError> {
    let text = text.trim();
    if let Ok(port) = text.trim_start_matches(':').parse::<u16>() {
        return Ok(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    }
    text.parse()
        .map_err(|_| ValueError::MetricsAddr(text.to_owned()))
}

/// Parses a daily window `"HH:MM-HH:MM"` (e.g. `"08:00-20:00"`).
pub(crate) fn active_hours(text: &str) -> Result<super::ActiveHours, ValueError> {
    let bad = || ValueError::ActiveHours(text.to_owned());
    let (a, b) = text.trim().split_once('-').ok_or_else(bad)?;
    let time = |t: &str| chrono::NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad());
    let (start, end) = (time(a)?, time(b)?);
    if start == end {
        return Err(ValueError::EmptyWindow(text.to_owned()));
    }
    Ok(super::ActiveHours { start, end })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(duration("1h 30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(duration("2d"), Ok(Duration::from_secs(172_800)));
        assert_eq!(duration("250ms"), Ok(Duration::from_millis(250)));
        for bad in [
            "",
            "15",
            "m",
            "15 minutes",
            "1.5h",
            "-1s",
            "99999999999999999999d",
            "1h30",
        ] {
            assert!(duration(bad).is_err(), "{bad:?} accepted");
        }
        assert!(positive_duration("0s").is_err());
    }

    #[test]
    fn backfills() {
        assert_eq!(backfill("all"), Ok(Backfill::All));
        assert_eq!(backfill("0"), Ok(Backfill::None));
        assert_eq!(
            backfill("2d"),
            Ok(Backfill::Window(Duration::from_secs(172_800)))
        );
        assert!(backfill("some").is_err());
    }

    #[test]
    fn schedules() {
        assert_eq!(schedule("hourly"), Ok(Schedule::Hourly));
        assert_eq!(
            schedule("daily 08:00"),
            Ok(Schedule::Daily { hour: 8, minute: 0 })
        );
        assert_eq!(
            schedule("Weekly Monday 7:30"),
            Ok(Schedule::Weekly {
                weekday: Weekday::Mon,
                hour: 7,
                minute: 30
            })
        );
        assert_eq!(
            schedule("weekly sun 23:59"),
            Ok(Schedule::Weekly {
                weekday: Weekday::Sun,
                hour: 23,
                minute: 59
            })
        );
        for bad in [
            "",
            "daily",
            "daily 24:00",
            "daily 8:0",
            "weekly 08:00",
            "weekly xyz 08:00",
            "monthly 1 08:00",
        ] {
            assert!(schedule(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn addresses() {
        assert!(address("a@b.org").is_ok());
        assert!(mailbox("Reform Watch <watch@example.org>").is_ok());
        assert!(mailbox("watch@example.org").is_ok());
        for bad in ["", "a", "@b", "a@", "a@b@c", "a b@c", "<a@b>x"] {
            assert!(mailbox(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn urls_zones_encodings() {
        assert!(http_url("https://www.gov.cn/x").is_ok());
        assert!(http_url("ftp://x.org/")
            .unwrap_err()
            .to_string()
            .contains("not `ftp`"));
        assert!(http_url("not a url").is_err());
        assert!(time_zone("Asia/Shanghai").is_ok());
        assert!(time_zone("Asia/Shangai")
            .unwrap_err()
            .to_string()
            .contains("did you mean `Asia/Shanghai`"));
        assert_eq!(encoding("gb2312"), Ok(encoding_rs::GB18030));
        assert_eq!(encoding("GBK"), Ok(encoding_rs::GB18030));
        assert_eq!(encoding("utf-8"), Ok(encoding_rs::UTF_8));
        assert!(encoding("klingon").is_err());
    }
}
