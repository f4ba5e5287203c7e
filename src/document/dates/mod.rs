//! Pure: date strings in the formats news sources and feeds use → UTC instants.
//!
//! Owns the lenient date reader used for feed elements and scraped pages:
//! RFC 822/2822 (weekday optional, in any language, never checked; month
//! and day in either order; two-digit years; `CST` = China Standard Time,
//! `GMT+8`, `Etc/GMT`, the US and European zone names; Greek and Hungarian
//! month names), asctime (`Sun Jan  4 16:29:06 2004`), RFC 3339 / ISO 8601 /
//! W3C-DTF (with or without `T`, fraction and zone; Google's `2003-012-31`),
//! Perforce (`Fri, 2006/09/15 08:19:53 EDT`), and zone-less local forms
//! such as `2024-05-06 10:20`, `2024/05/06`, `2024.05.06`,
//! `2024年5月6日 下午3:20` and Korean `2004년 05월 28일 오후 01:31:15`, which
//! are read in the source's time zone. Feeds also get ISO 8601's partial
//! and compact dates ([`parse_feed_date`]). Input is NFKC-normalized
//! first, so full-width digits and colons work. Anything invalid or outside
//! 1990–2100 gives `None`, so callers fall back to the first-seen time.

use chrono::{DateTime, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime};
use chrono::{Datelike, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use crate::document::normalize;
use crate::document::text_hygiene::is_invisible;

mod iso;
mod names;

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
    let p = prepare(s)?;
    finish(parse_full(&p.text)?, &p, tz)
}

/// Parses a date from a feed element: everything [`parse_date`] reads,
/// plus ISO 8601's partial and compact forms (`2003`, `2003-12`,
/// `20031231`, ordinal `2003-335`, two-digit-year `031231`, `-03-12`),
/// which are dates only where a date is expected.
pub fn parse_feed_date(s: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let p = prepare(s)?;
    let parsed = parse_full(&p.text).or_else(|| iso::parse_compact(&p.text))?;
    finish(parsed, &p, tz)
}

/// A date string made ready to read.
struct Prepared {
    text: String,
    /// An AM/PM word (上午/下午, 오전/오후) that was taken out of the text.
    meridiem: Option<Meridiem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meridiem {
    Am,
    Pm,
}

/// A wall-clock time plus what is known about its zone.
struct Parsed {
    local: NaiveDateTime,
    offset: Option<FixedOffset>,
}

fn finish(parsed: Parsed, p: &Prepared, tz: Tz) -> Option<DateTime<Utc>> {
    let utc = parsed.with_meridiem(p.meridiem)?.resolve(tz)?;
    (MIN_YEAR..=MAX_YEAR).contains(&utc.year()).then_some(utc)
}

impl Parsed {
    /// 下午 3:20 is 15:20; 上午 12:05 is 00:05.
    fn with_meridiem(mut self, m: Option<Meridiem>) -> Option<Parsed> {
        let h = self.local.hour();
        let hour = match m {
            None => return Some(self),
            Some(_) if h > 12 => h,
            Some(Meridiem::Am) => h % 12,
            Some(Meridiem::Pm) => h % 12 + 12,
        };
        self.local = self.local.with_hour(hour)?;
        Some(self)
    }

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

/// NFKC; Chinese and Korean date words → separators; AM/PM words taken
/// out; whitespace folded; trimmed. `None` for inputs too long to be dates.
fn prepare(s: &str) -> Option<Prepared> {
    if s.len() > MAX_LEN * 4 {
        return None;
    }
    if s.is_ascii() {
        // Nothing to normalize and no date words: fold blanks, drop controls.
        let mut text = String::with_capacity(s.len());
        for word in s.split(char::is_whitespace).filter(|w| !w.is_empty()) {
            if !text.is_empty() {
                text.push(' ');
            }
            text.extend(word.chars().filter(|c| !c.is_ascii_control()));
        }
        let trimmed = text.trim_end_matches([' ', ':']).trim();
        if trimmed.is_empty() || trimmed.len() > MAX_LEN {
            return None;
        }
        return Some(Prepared {
            text: trimmed.to_string(),
            meridiem: None,
        });
    }
    let mut meridiem = None;
    let nfkc = normalize::nfkc(s);
    let nfkc = [
        ("上午", Meridiem::Am),
        ("下午", Meridiem::Pm),
        ("오전", Meridiem::Am),
        ("오후", Meridiem::Pm),
    ]
    .iter()
    .fold(nfkc, |text, &(word, m)| {
        if text.contains(word) {
            meridiem = Some(m);
            std::borrow::Cow::Owned(text.replace(word, " "))
        } else {
            text
        }
    });
    let mut out = String::with_capacity(nfkc.len());
    let mut last_space = true;
    // After a date word turned separator, blanks are dropped: `2004년 05월`.
    let mut after_word = false;
    for c in nfkc.chars() {
        let mapped = match c {
            '年' | '월' | '月' | '년' => '-',
            '日' | '号' | '일' => ' ',
            '时' | '點' | '点' | '시' => ':',
            '分' | '분' => ':',
            '秒' | '초' => ' ',
            c if c.is_whitespace() => ' ',
            c if c.is_control() || is_invisible(c) => continue,
            c => c,
        };
        if mapped == ' ' {
            if !last_space && !after_word {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(mapped);
            last_space = false;
            after_word = false;
        }
        if mapped == '-' && c != '-' || mapped == ':' && c != ':' {
            after_word = true;
        }
    }
    let text = out.trim_end_matches([' ', ':']).trim();
    if text.is_empty() || text.len() > MAX_LEN {
        return None;
    }
    Some(Prepared {
        text: text.to_string(),
        meridiem,
    })
}

/// A full date (day, month and year), numeric first or with a month name.
fn parse_full(text: &str) -> Option<Parsed> {
    // A weekday before a numeric date (Perforce: `Fri, 2006/09/15 …`).
    let numeric = skip_weekday(text);
    if numeric.len() >= 8 && numeric.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
        parse_numeric(numeric)
    } else {
        parse_rfc2822(text)
    }
}

/// `text` after a leading weekday word (any script) and its `,` or `.`.
fn skip_weekday(text: &str) -> &str {
    let mut c = Cursor::new(text);
    let word = c.word();
    if word.is_empty() || names::month(word).is_some() {
        return text;
    }
    c.eat('.');
    c.eat(',');
    c.skip_spaces();
    c.rest()
}

/// A tiny cursor over date text.
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
    /// Reads a run of letters (any script).
    fn word(&mut self) -> &'a str {
        let rest = self.rest();
        let n: usize = rest
            .chars()
            .take_while(|c| c.is_alphabetic())
            .map(char::len_utf8)
            .sum();
        self.pos += n;
        &rest[..n]
    }
}

/// `YYYY-MM-DD[( |T)HH:MM[:SS[.frac]]][zone]`, separators `-`, `/` or `.`;
/// the month may be a name (`2004-július-13`) or Google's `012`.
fn parse_numeric(s: &str) -> Option<Parsed> {
    let mut c = Cursor::new(s);
    let (year, _) = c.digits(4, 4)?;
    let sep = c.peek().filter(|ch| matches!(ch, '-' | '/' | '.'))?;
    c.eat(sep);
    let month = if c.peek().is_some_and(char::is_alphabetic) {
        names::month(c.word())?
    } else if c.rest().starts_with('0') && c.rest().as_bytes().get(3) == Some(&(sep as u8)) {
        // Google's extra zero: `2003-012-31`.
        c.digits(3, 3)?.0
    } else {
        c.digits(1, 2)?.0
    };
    if !c.eat(sep) {
        return None;
    }
    let (day, _) = c.digits(1, 2)?;
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    // A trailing separator as in `2024.05.06.` or `2024-05-06-`.
    c.eat(sep);
    time_and_zone(date, &mut c)
}

/// The rest after a date: `[( |T)HH:MM[:SS[.frac]]][zone]`.
fn time_and_zone(date: NaiveDate, c: &mut Cursor<'_>) -> Option<Parsed> {
    let had_t = c.eat('T') || c.eat('t');
    c.skip_spaces();
    let time = if c.peek().is_some_and(|ch| ch.is_ascii_digit()) {
        parse_time(c)?
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
    let upper = z.to_ascii_uppercase();
    if let Some(named) = names::zone(&upper) {
        return Some(Some(named));
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

/// A two- or four-digit year; two digits are 1950–2049.
fn full_year(y: u32, digits: usize) -> Option<u32> {
    match digits {
        4 => Some(y),
        2 if y < 50 => Some(2000 + y),
        2 => Some(1900 + y),
        _ => None,
    }
}

/// `[Wkd[,]] D Mon[,] YYYY [HH:MM[:SS]] [zone]`, also `Mon D[,] YYYY …` and
/// asctime's `Mon D HH:MM:SS [zone] YYYY`; the weekday (any language) is
/// skipped without checking it against the date.
fn parse_rfc2822(s: &str) -> Option<Parsed> {
    let mut c = Cursor::new(skip_weekday(s));
    let (day, month) = if c.peek().is_some_and(|ch| ch.is_ascii_digit()) {
        let (d, _) = c.digits(1, 2)?;
        c.skip_spaces();
        c.eat('-');
        let m = names::month(c.word())?;
        (d, m)
    } else {
        let m = names::month(c.word())?;
        c.eat('.');
        c.skip_spaces();
        let (d, _) = c.digits(1, 2)?;
        c.eat(',');
        c.skip_spaces();
        if looks_like_time(c.rest()) {
            return parse_asctime_tail(&mut c, d, m);
        }
        (d, m)
    };
    c.eat('.');
    c.eat(',');
    c.skip_spaces();
    c.eat('-');
    let (y, ny) = c.digits(2, 4)?;
    let year = full_year(y, ny)?;
    c.eat(',');
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    c.skip_spaces();
    time_and_zone(date, &mut c)
}

fn looks_like_time(s: &str) -> bool {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    (1..=2).contains(&digits) && s.as_bytes().get(digits) == Some(&b':')
}

/// asctime after `Mon D `: `HH:MM:SS [zone] YYYY`.
fn parse_asctime_tail(c: &mut Cursor<'_>, day: u32, month: u32) -> Option<Parsed> {
    let time = parse_time(c)?;
    let rest = c.rest().trim();
    let (zone, year) = match rest.rsplit_once(' ') {
        Some((zone, year)) => (zone, year),
        None => ("", rest),
    };
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year.parse().ok()?, month, day)?;
    Some(Parsed {
        local: date.and_time(time),
        offset: parse_zone(zone)?,
    })
}

#[cfg(test)]
mod tests;
