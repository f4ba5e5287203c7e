//! ISO 8601's partial and compact dates, read only in feeds (a bare `2003`
//! on a web page is rarely a date): `YYYY`, `YYYY-MM`, `YYYYMMDD`, ordinal
//! `YYYY-DDD` / `YYYYDDD`, and the two-digit-year forms feedparser reads
//! (`YYMMDD`, `YY-MM-DD`, `YYDDD`, `YY-DDD`, `-YYMM`, `-YY-MM`). A missing
//! month or day is the first; a time and zone may follow with `T`.

use chrono::{NaiveDate, NaiveTime};

use super::{full_year, time_and_zone, Cursor, Parsed};

/// Reads one of the compact or partial forms; `None` for anything else.
pub(super) fn parse_compact(text: &str) -> Option<Parsed> {
    let (date_part, rest) = match text.find(['T', 't', ' ']) {
        Some(i) => (&text[..i], &text[i..]),
        None => (text, ""),
    };
    let date = compact_date(date_part)?;
    if rest.is_empty() {
        return Some(Parsed {
            local: date.and_time(NaiveTime::MIN),
            offset: None,
        });
    }
    let mut c = Cursor::new(rest);
    time_and_zone(date, &mut c)
}

fn compact_date(s: &str) -> Option<NaiveDate> {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let num = |t: &str| t.parse::<u32>().ok();
    let ymd = |y: u32, m: u32, d: u32| NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d);
    let ordinal = |y: u32, o: u32| NaiveDate::from_yo_opt(i32::try_from(y).ok()?, o);
    let short = |t: &str| full_year(num(t)?, 2);
    let parts: Vec<&str> = s.split('-').collect();
    match parts.as_slice() {
        // YYYY, YYYYDDD, YYYYMMDD; YYMMDD, YYDDD.
        [one] if digits(one) => match one.len() {
            4 => ymd(num(one)?, 1, 1),
            7 => ordinal(num(&one[..4])?, num(&one[4..])?),
            8 => ymd(num(&one[..4])?, num(&one[4..6])?, num(&one[6..])?),
            6 => ymd(short(&one[..2])?, num(&one[2..4])?, num(&one[4..])?),
            5 => ordinal(short(&one[..2])?, num(&one[2..])?),
            _ => None,
        },
        // YYYY-MM, YYYY-DDD, YY-DDD.
        [a, b] if digits(a) && digits(b) => match (a.len(), b.len()) {
            (4, 2) => ymd(num(a)?, num(b)?, 1),
            (4, 3) => ordinal(num(a)?, num(b)?),
            (2, 3) => ordinal(short(a)?, num(b)?),
            _ => None,
        },
        // YY-MM-DD.
        [a, b, c] if digits(a) && digits(b) && digits(c) && a.len() == 2 => {
            ymd(short(a)?, num(b)?, num(c)?)
        }
        // -YYMM, -YY-MM.
        ["", ym] if digits(ym) && ym.len() == 4 => ymd(short(&ym[..2])?, num(&ym[2..])?, 1),
        ["", y, m] if digits(y) && digits(m) && y.len() == 2 && m.len() == 2 => {
            ymd(short(y)?, num(m)?, 1)
        }
        _ => None,
    }
}
