//! Pure: date strings in the formats news sources use → UTC instants.
//!
//! Owns the lenient date reader plugged into feed-rs (`timestamp_parser`) and
//! used for scraped pages: RFC 2822 (weekday optional and never checked,
//! `CST` = China Standard Time, `GMT+8`), RFC 3339 / ISO 8601 (with or
//! without `T`, fraction and zone), and zone-less local forms such as
//! `2024-05-06 10:20`, `2024/05/06`, `2024.05.06` and `2024年5月6日 10:20:30`,
//! which are read in the source's time zone. Input is NFKC-normalized first,
//! so full-width digits and colons work. Anything invalid or outside
//! 1990–2100 gives `None`, so callers fall back to the first-seen time.

use chrono::{DateTime, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime};
use chrono::{Datelike, TimeZone, Utc};
use chrono_tz::Tz;
use unicode_normalization::UnicodeNormalization;

/// Earliest year accepted; older dates are treated as unknown.
const MIN_YEAR: i32 = 1990;
/// Latest year accepted; later dates are treated as unknown.
const MAX_YEAR: i32 = 2100;
/// Inputs longer than this are not dates (bounds the work per call).
const MAX_LEN: usize = 128;

/// Parses a date as news sources write it; zone-less forms are read in `tz`.
///
/// Returns `None` for anything invalid, unknown, or outside 1990–2100.
pub fn parse_date(s: &str, tz: Tz) -> Option<DateTime<Utc>> {
    if s.len() > MAX_LEN * 4 {
        return None;
    }
    let text = prepare(s);
    if text.is_empty() || text.len() > MAX_LEN {
        return None;
    }
    let parsed = if text.len() >= 8 && text.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
        parse_numeric(&text)?
    } else {
        parse_rfc2822(&text)?
    };
    let utc = parsed.resolve(tz)?;
    (MIN_YEAR..=MAX_YEAR).contains(&utc.year()).then_some(utc)
}

/// A wall-clock time plus what is known about its zone.
struct Parsed {
    local: NaiveDateTime,
    offset: Option<FixedOffset>,
}

impl Parsed {
    fn resolve(self, tz: Tz) -> Option<DateTime<Utc>> {
        if !(MIN_YEAR - 1..=MAX_YEAR + 1).contains(&self.local.year()) {
            return None;
        }
        match self.offset {
            Some(off) => off
                .from_local_datetime(&self.local)
                .single()
                .map(|d| d.with_timezone(&Utc)),
            None => match tz.from_local_datetime(&self.local) {
                LocalResult::Single(d) => Some(d.with_timezone(&Utc)),
                LocalResult::Ambiguous(earliest, _) => Some(earliest.with_timezone(&Utc)),
                // A wall time inside a DST gap: read it as if the clock had moved.
                LocalResult::None => tz
                    .from_local_datetime(&(self.local + Duration::hours(1)))
                    .earliest()
                    .map(|d| d.with_timezone(&Utc)),
            },
        }
    }
}

/// NFKC, Chinese date words → separators, whitespace folded, trimmed.
fn prepare(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = true;
    for c in s.nfkc() {
        let mapped = match c {
            '年' | '月' => '-',
            '日' | '号' => ' ',
            '时' | '點' | '点' => ':',
            '分' => ':',
            '秒' => ' ',
            c if c.is_whitespace() => ' ',
            c if c.is_control() || is_invisible(c) => continue,
            c => c,
        };
        if mapped == ' ' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(mapped);
            last_space = false;
        }
    }
    let trimmed = out.trim_end_matches([' ', ':']).trim();
    trimmed.to_string()
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// A tiny cursor over ASCII-ish text.
struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        Cursor { s, pos: 0 }
    }
    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }
    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }
    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }
    fn skip_spaces(&mut self) {
        while self.eat(' ') {}
    }
    /// Reads between `min` and `max` ASCII digits.
    fn digits(&mut self, min: usize, max: usize) -> Option<(u32, usize)> {
        let bytes = self.rest().as_bytes();
        let n = bytes
            .iter()
            .take(max)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if n < min {
            return None;
        }
        // A longer digit run than allowed is not this field.
        if bytes.get(n).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let v = self.rest()[..n].parse().ok()?;
        self.pos += n;
        Some((v, n))
    }
    fn word(&mut self) -> &'a str {
        let rest = self.rest();
        let n = rest.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
        self.pos += n;
        &rest[..n]
    }
}

/// `YYYY-MM-DD[( |T)HH:MM[:SS[.frac]]][zone]`, separators `-`, `/` or `.`.
fn parse_numeric(s: &str) -> Option<Parsed> {
    let mut c = Cursor::new(s);
    let (year, _) = c.digits(4, 4)?;
    let sep = c.peek().filter(|ch| matches!(ch, '-' | '/' | '.'))?;
    c.eat(sep);
    let (month, _) = c.digits(1, 2)?;
    if !c.eat(sep) {
        return None;
    }
    let (day, _) = c.digits(1, 2)?;
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    // A trailing separator as in `2024.05.06.` or `2024-05-06-`.
    c.eat(sep);
    let had_t = c.eat('T') || c.eat('t');
    c.skip_spaces();
    let time = if c.peek().is_some_and(|ch| ch.is_ascii_digit()) {
        parse_time(&mut c)?
    } else if had_t {
        return None;
    } else {
        NaiveTime::MIN
    };
    let offset = parse_zone(c.rest())?;
    Some(Parsed {
        local: date.and_time(time),
        offset,
    })
}

/// `HH:MM[:SS[.frac]]`.
fn parse_time(c: &mut Cursor<'_>) -> Option<NaiveTime> {
    let (h, _) = c.digits(1, 2)?;
    if !c.eat(':') {
        return None;
    }
    let (m, _) = c.digits(2, 2)?;
    let mut sec = 0;
    let mut nanos = 0;
    if c.eat(':') {
        sec = c.digits(2, 2)?.0;
        if c.eat('.') || c.eat(',') {
            let start = c.pos;
            let n = c.rest().bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            c.pos += n;
            let frac = &c.s[start..start + n.min(9)];
            nanos = frac.parse::<u32>().ok()? * 10u32.pow(9 - frac.len() as u32);
        }
    }
    // A leap second is read as the last ordinary second.
    if sec == 60 {
        sec = 59;
    }
    NaiveTime::from_hms_nano_opt(h, m, sec, nanos)
}

/// Reads a zone suffix: `None` inside means "no zone" (local time);
/// an outer `None` means an unknown zone (the whole date is rejected).
fn parse_zone(s: &str) -> Option<Option<FixedOffset>> {
    let mut z = s.trim();
    // A trailing comment such as `+0800 (CST)`.
    if let Some(i) = z.find('(') {
        if z.ends_with(')') {
            z = z[..i].trim_end();
        }
    }
    if z.is_empty() {
        return Some(None);
    }
    let hours = |h: i32| FixedOffset::east_opt(h * 3600);
    let upper = z.to_ascii_uppercase();
    let named = match upper.as_str() {
        "Z" | "UT" | "UTC" | "GMT" => hours(0),
        // China Standard Time, not US Central: our sources are Chinese.
        "CST" | "CCT" | "BJT" | "HKT" | "SGT" | "AWST" => hours(8),
        "JST" | "KST" => hours(9),
        "EST" => hours(-5),
        "EDT" => hours(-4),
        "CDT" => hours(-5),
        "MST" => hours(-7),
        "MDT" => hours(-6),
        "PST" => hours(-8),
        "PDT" => hours(-7),
        _ => None,
    };
    if named.is_some() {
        return Some(named);
    }
    let numeric = upper
        .strip_prefix("GMT")
        .or_else(|| upper.strip_prefix("UTC"))
        .map(str::trim_start)
        .unwrap_or(&upper);
    parse_numeric_offset(numeric).map(Some)
}

/// `+08`, `+8`, `+0800`, `+08:00`, `-0530`.
fn parse_numeric_offset(s: &str) -> Option<FixedOffset> {
    let mut c = Cursor::new(s);
    let sign = if c.eat('+') {
        1
    } else if c.eat('-') {
        -1
    } else {
        return None;
    };
    let (h, m) = match c.rest().len() {
        1 | 2 => (c.digits(1, 2)?.0, 0),
        4 if c.rest().as_bytes()[1] == b':' => {
            let h = c.digits(1, 1)?.0;
            c.eat(':');
            (h, c.digits(2, 2)?.0)
        }
        4 => {
            let hm = c.digits(4, 4)?.0;
            (hm / 100, hm % 100)
        }
        5 if c.rest().as_bytes()[2] == b':' => {
            let h = c.digits(2, 2)?.0;
            c.eat(':');
            (h, c.digits(2, 2)?.0)
        }
        _ => return None,
    };
    if !c.rest().is_empty() || h > 14 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * i32::try_from(h * 3600 + m * 60).ok()?)
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_from_name(word: &str) -> Option<u32> {
    if word.len() < 3 {
        return None;
    }
    let lower = word.to_ascii_lowercase();
    let idx = MONTHS.iter().position(|m| lower.starts_with(m))?;
    // `Sept` and full names are fine; `Mayday` is not.
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    (lower.len() == 3 || lower == "sept" || FULL[idx] == lower).then_some(idx as u32 + 1)
}

/// `[Wkd[,]] D Mon YYYY [HH:MM[:SS]] [zone]`, also `Mon D YYYY`; the weekday
/// is skipped without checking it against the date.
fn parse_rfc2822(s: &str) -> Option<Parsed> {
    let mut c = Cursor::new(s);
    // Optional weekday (any alphabetic word that is not a month), then `,`.
    let save = c.pos;
    let first = c.word();
    if first.is_empty() || month_from_name(first).is_some() {
        c.pos = save;
    } else {
        c.eat('.');
        c.eat(',');
        c.skip_spaces();
    }
    let (day, month) = if c.peek().is_some_and(|ch| ch.is_ascii_digit()) {
        let (d, _) = c.digits(1, 2)?;
        c.skip_spaces();
        c.eat('-');
        let m = month_from_name(c.word())?;
        (d, m)
    } else {
        let m = month_from_name(c.word())?;
        c.eat('.');
        c.skip_spaces();
        let (d, _) = c.digits(1, 2)?;
        c.eat(',');
        (d, m)
    };
    c.skip_spaces();
    c.eat('-');
    let (y, ny) = c.digits(2, 4)?;
    let year = match ny {
        4 => y,
        2 if y < 50 => 2000 + y,
        2 => 1900 + y,
        _ => return None,
    };
    c.eat(',');
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    c.skip_spaces();
    let time = if c.peek().is_some_and(|ch| ch.is_ascii_digit()) {
        parse_time(&mut c)?
    } else {
        NaiveTime::MIN
    };
    let offset = parse_zone(c.rest())?;
    Some(Parsed {
        local: date.and_time(time),
        offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;

    fn p(s: &str) -> Option<String> {
        parse_date(s, Shanghai).map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }

    #[test]
    fn rfc2822_with_zones() {
        assert_eq!(
            p("Tue, 03 Jun 2025 08:00:00 +0800").as_deref(),
            Some("2025-06-03T00:00:00Z")
        );
        assert_eq!(
            p("Tue, 03 Jun 2025 08:00:00 GMT").as_deref(),
            Some("2025-06-03T08:00:00Z")
        );
        assert_eq!(
            p("Tue, 03 Jun 2025 08:00:00 UTC").as_deref(),
            Some("2025-06-03T08:00:00Z")
        );
        assert_eq!(
            p("Tue, 03 Jun 2025 08:00:00 Z").as_deref(),
            Some("2025-06-03T08:00:00Z")
        );
        assert_eq!(
            p("Tue, 03 Jun 2025 08:00:00 -0500").as_deref(),
            Some("2025-06-03T13:00:00Z")
        );
        assert_eq!(
            p("Tue, 03 Jun 2025 08:00:00 +0800 (CST)").as_deref(),
            Some("2025-06-03T00:00:00Z")
        );
    }

    #[test]
    fn cst_is_china_standard_time() {
        assert_eq!(
            p("Tue, 03 Jun 2025 08:00:00 CST").as_deref(),
            Some("2025-06-03T00:00:00Z")
        );
        assert_eq!(
            p("Tue, 03 Jun 2025 08:00:00 GMT+8").as_deref(),
            Some("2025-06-03T00:00:00Z")
        );
        assert_eq!(
            p("Tue, 03 Jun 2025 08:00:00 UTC+8").as_deref(),
            Some("2025-06-03T00:00:00Z")
        );
        assert_eq!(
            p("Tue, 03 Jun 2025 08:00:00 GMT+08:00").as_deref(),
            Some("2025-06-03T00:00:00Z")
        );
    }

    #[test]
    fn rfc2822_leniency() {
        // Missing weekday, wrong weekday, long names, no zone (local), single-digit day.
        assert_eq!(
            p("03 Jun 2025 08:00:00 +0800").as_deref(),
            Some("2025-06-03T00:00:00Z")
        );
        assert_eq!(
            p("Fri, 03 Jun 2025 08:00:00 +0800").as_deref(),
            Some("2025-06-03T00:00:00Z")
        );
        assert_eq!(
            p("Thursday, 3 June 2025 8:00:00 GMT").as_deref(),
            Some("2025-06-03T08:00:00Z")
        );
        assert_eq!(
            p("Tue, 03 Jun 2025 08:00:00").as_deref(),
            Some("2025-06-03T00:00:00Z")
        );
        assert_eq!(
            p("Jun 3 2025 08:00 GMT").as_deref(),
            Some("2025-06-03T08:00:00Z")
        );
        assert_eq!(
            p("Tue, 03 Jun 25 08:00:00 GMT").as_deref(),
            Some("2025-06-03T08:00:00Z")
        );
    }

    #[test]
    fn rfc3339_and_iso() {
        assert_eq!(
            p("2024-05-06T10:20:00+08:00").as_deref(),
            Some("2024-05-06T02:20:00Z")
        );
        assert_eq!(
            p("2024-05-06T10:20:00Z").as_deref(),
            Some("2024-05-06T10:20:00Z")
        );
        assert_eq!(
            p("2024-05-06T10:20:00.123Z").as_deref(),
            Some("2024-05-06T10:20:00.123Z")
        );
        assert_eq!(
            p("2024-05-06 10:20:00.5+0800").as_deref(),
            Some("2024-05-06T02:20:00.500Z")
        );
        assert_eq!(
            p("2024-05-06T10:20:00").as_deref(),
            Some("2024-05-06T02:20:00Z")
        );
        assert_eq!(
            p("2024-05-06 10:20:00 -05:00").as_deref(),
            Some("2024-05-06T15:20:00Z")
        );
    }

    #[test]
    fn local_forms_use_the_given_zone() {
        let want = Some("2024-05-06T02:20:00Z");
        assert_eq!(p("2024-05-06 10:20:00").as_deref(), want);
        assert_eq!(p("2024-05-06 10:20").as_deref(), want);
        assert_eq!(p("2024/05/06 10:20").as_deref(), want);
        assert_eq!(p("2024年05月06日 10:20").as_deref(), want);
        assert_eq!(p("2024年5月6日10:20").as_deref(), want);
        assert_eq!(
            p("2024年5月6日 10:20:30").as_deref(),
            Some("2024-05-06T02:20:30Z")
        );
        let midnight = Some("2024-05-05T16:00:00Z");
        assert_eq!(p("2024-05-06").as_deref(), midnight);
        assert_eq!(p("2024年05月06日").as_deref(), midnight);
        assert_eq!(p("2024.05.06").as_deref(), midnight);
        assert_eq!(
            p("2024-09-02 08:15:00").as_deref(),
            Some("2024-09-02T00:15:00Z")
        );
        let utc = parse_date("2024-05-06 10:20", chrono_tz::UTC).unwrap();
        assert_eq!(utc.to_rfc3339(), "2024-05-06T10:20:00+00:00");
    }

    #[test]
    fn full_width_digits_and_colons() {
        assert_eq!(
            p("２０２４年０５月０６日　１０：２０").as_deref(),
            Some("2024-05-06T02:20:00Z")
        );
        assert_eq!(
            p("２０２４－０５－０６ １０：２０：００").as_deref(),
            Some("2024-05-06T02:20:00Z")
        );
    }

    #[test]
    fn invalid_dates_are_none() {
        for s in [
            "",
            "   ",
            "昨天",
            "31 Feb 2024 10:00:00 +0800",
            "2024-02-31",
            "2024-02-30 10:00",
            "2024-05-06 25:61",
            "2024-05-06 25:00",
            "0000-00-00",
            "0000-00-00 00:00:00",
            "2024-13-01",
            "Tue, 03 Jun 2025 08:00:00 XYZ",
            "2024-05-06 10:20 nonsense",
            "2024-05-06T",
            "garbage",
            "12345678901234567890",
        ] {
            assert_eq!(p(s), None, "{s:?} must not parse");
        }
    }

    #[test]
    fn absurd_years_are_clamped_to_none() {
        assert_eq!(p("1970-01-01T00:00:00Z"), None);
        assert_eq!(p("1989-12-31 10:00"), None);
        assert_eq!(p("2101-01-01 10:00"), None);
        assert_eq!(p("Thu, 01 Jan 1970 00:00:00 GMT"), None);
        assert!(p("2099-01-01 10:00").is_some());
        assert!(p("1990-06-01 10:00").is_some());
    }

    #[test]
    fn never_panics_on_odd_input() {
        for s in [
            "2024-",
            "2024-05",
            "2024-05-",
            "2024-05-06T10",
            "2024-05-06 10:",
            "2024-05-06 10:20:00.",
            "2024-05-06 10:20:00+",
            "2024-05-06 10:20:00+08:",
            "2024-05-06 10:20:00.99999999999999999999Z",
            "Mon,",
            "Mon, 1",
            "1 Jan",
            "\u{FEFF}\u{200B}",
            "年月日",
            "９９９９年９９月９９日",
            "2024年",
        ] {
            let _ = p(s);
        }
        let long = "2024-05-06 ".repeat(100);
        assert_eq!(p(&long), None);
    }
}
