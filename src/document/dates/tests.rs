//! Unit tests for the date reader: news-site forms and feedparser's date table.

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

/// (year, month, day, hour, minute, second), UTC.
type Ymdhms = (i32, u32, u32, u32, u32, u32);

/// `parse_feed_date` in UTC as feedparser's 9-tuple prefix.
fn fp(s: &str, tz: chrono_tz::Tz) -> Option<Ymdhms> {
    parse_feed_date(s, tz).map(|d| {
        use chrono::Timelike;
        (
            d.year(),
            d.month(),
            d.day(),
            d.hour(),
            d.minute(),
            d.second(),
        )
    })
}

/// feedparser's own date table (tests/test_date_parsers.py, BSD-2-Clause,
/// kurtmckee/feedparser a22c5521), all through our one reader. Zone-less
/// Korean forms are read in the source's zone, here Asia/Seoul (feedparser
/// assumes KST); zone-less others in UTC, as feedparser does.
#[test]
fn feedparser_date_table() {
    use chrono_tz::{Asia::Seoul, UTC};
    let cases: &[(&str, Option<Ymdhms>)] = &[
        ("", None),
        // Greek
        (
            "\u{039a}\u{03c5}\u{03c1}, 11 \u{0399}\u{03bf}\u{03cd}\u{03bb} 2004 12:00:00 EST",
            Some((2004, 7, 11, 17, 0, 0)),
        ),
        // Hungarian
        (
            "2004-j\u{00fa}lius-13T9:15-05:00",
            Some((2004, 7, 13, 14, 15, 0)),
        ),
        // ISO 8601, compact and partial
        ("-0312", Some((2003, 12, 1, 0, 0, 0))),
        ("031231", Some((2003, 12, 31, 0, 0, 0))),
        ("03-12-31", Some((2003, 12, 31, 0, 0, 0))),
        ("-03-12", Some((2003, 12, 1, 0, 0, 0))),
        ("03335", Some((2003, 12, 1, 0, 0, 0))),
        (
            "2003-12-31T10:14:55.1234Z",
            Some((2003, 12, 31, 10, 14, 55)),
        ),
        (
            "2003-012-31T10:14:55+00:00",
            Some((2003, 12, 31, 10, 14, 55)),
        ),
        // Perforce
        (
            "Fri, 2006/09/15 08:19:53 EDT",
            Some((2006, 9, 15, 12, 19, 53)),
        ),
        // RFC 822
        (
            "Thu, 30 Apr 2015 08:57:00 MET",
            Some((2015, 4, 30, 7, 57, 0)),
        ),
        (
            "Thu, 30 Apr 2015 08:57:00 MEST",
            Some((2015, 4, 30, 6, 57, 0)),
        ),
        (
            "Thu, 01 Jan 04 19:48:21 GMT",
            Some((2004, 1, 1, 19, 48, 21)),
        ),
        (
            "Thu, 01 Jan 2004 19:48:21 GMT",
            Some((2004, 1, 1, 19, 48, 21)),
        ),
        (
            "Thu,  5 Apr 2012 10:00:00 GMT",
            Some((2012, 4, 5, 10, 0, 0)),
        ),
        (
            "Wed, 19 Aug 2009 18:28:00 Etc/GMT",
            Some((2009, 8, 19, 18, 28, 0)),
        ),
        (
            "Wed, 19 Feb 2012 22:40:00 GMT-01:01",
            Some((2012, 2, 19, 23, 41, 0)),
        ),
        (
            "Wed, 19 Feb 2012 22:40:00 -01:01",
            Some((2012, 2, 19, 23, 41, 0)),
        ),
        (
            "Mon, 13 Feb, 2012 06:28:00 UTC",
            Some((2012, 2, 13, 6, 28, 0)),
        ),
        ("Thu, 01 Jan 2004 00:00 GMT", Some((2004, 1, 1, 0, 0, 0))),
        ("Thu, 01 Jan 2004", Some((2004, 1, 1, 0, 0, 0))),
        (
            "Mon, 26 January 2004 16:31:00 AT",
            Some((2004, 1, 26, 20, 31, 0)),
        ),
        (
            "Mon, 26 January 2004 16:31:00 ET",
            Some((2004, 1, 26, 21, 31, 0)),
        ),
        (
            "Mon, 26 January 2004 16:31:00 CT",
            Some((2004, 1, 26, 22, 31, 0)),
        ),
        (
            "Mon, 26 January 2004 16:31:00 MT",
            Some((2004, 1, 26, 23, 31, 0)),
        ),
        (
            "Mon, 26 January 2004 16:31:00 PT",
            Some((2004, 1, 27, 0, 31, 0)),
        ),
        (
            "Thu Aug 30 2012 17:26:16 +0200",
            Some((2012, 8, 30, 15, 26, 16)),
        ),
        (
            "Fri,24 Nov 2023 18:28:36 -0000",
            Some((2023, 11, 24, 18, 28, 36)),
        ),
        ("Sun, 16 Dec 2012 1:2:3:4 GMT", None),
        ("Sun, 16 zzz 2012 11:47:32 GMT", None),
        ("Sun, Dec x 2012 11:47:32 GMT", None),
        ("Sun, 16 Dec zz 11:47:32 GMT", None),
        ("Sun, 16 Dec 2012 11:47:32 +zz:00", None),
        ("Sun, 16 Dec 2012 11:47:32 +00:zz", None),
        ("Sun, 99 Jun 2009 12:00:00 GMT", None),
        // asctime
        ("Sun Jan  4 16:29:06 2004", Some((2004, 1, 4, 16, 29, 6))),
        (
            "Sun Jul 15 01:16:00 +0000 2012",
            Some((2012, 7, 15, 1, 16, 0)),
        ),
        // W3C-DTF
        ("2003-12-31T10:14:55Z", Some((2003, 12, 31, 10, 14, 55))),
        (
            "2003-12-31T10:14:55-08:00",
            Some((2003, 12, 31, 18, 14, 55)),
        ),
        (
            "2003-12-31T18:14:55+08:00",
            Some((2003, 12, 31, 10, 14, 55)),
        ),
        (
            "2007-04-23T23:25:47.538+10:00",
            Some((2007, 4, 23, 13, 25, 47)),
        ),
        ("2003-12-31", Some((2003, 12, 31, 0, 0, 0))),
        ("2003-12", Some((2003, 12, 1, 0, 0, 0))),
        ("2003", Some((2003, 1, 1, 0, 0, 0))),
        ("2004-02-28T18:14:55-08:00", Some((2004, 2, 29, 2, 14, 55))),
        ("2003-02-28T18:14:55-08:00", Some((2003, 3, 1, 2, 14, 55))),
        ("2000-02-28T18:14:55-08:00", Some((2000, 2, 29, 2, 14, 55))),
        ("9999-12-31T23:59:59-99:99", None),
        ("2003-12-31T25:14:55Z", None),
        ("2003-12-31T10:61:55Z", None),
        ("2003-12-31T10:14:61Z", None),
        ("013", None),
        ("2013-01-27-01", None),
        ("2013-01-28T11:30:00-06:00Textra", None),
        ("2013-xx-27", None),
        ("2013-01-28T09:xx:00Z", None),
        ("2013-01-28T09:00:00+00:xx", None),
        ("2004-07-08 23:56:58 -00:20", Some((2004, 7, 9, 0, 16, 58))),
        ("2004-07-08 23:56:58", Some((2004, 7, 8, 23, 56, 58))),
        ("2004-07-08 23:56:58.0", Some((2004, 7, 8, 23, 56, 58))),
        // Out of range for us (feedparser: year 99 and year 10000).
        ("Thu, 01 Jan 0100 00:00:01 +0100", None),
        ("Sun, 31 Dec 9999 23:59:59 -9999", None),
    ];
    for (input, want) in cases {
        assert_eq!(fp(input, UTC), *want, "{input:?}");
    }
    // Korean: nate (오후 = PM) and onblog, zone-less.
    assert_eq!(
        fp("2004-05-25 \u{c624}\u{d6c4} 11:23:17", Seoul),
        Some((2004, 5, 25, 14, 23, 17))
    );
    assert_eq!(
        fp("2004\u{b144} 05\u{c6d4} 28\u{c77c}  01:31:15", Seoul),
        Some((2004, 5, 27, 16, 31, 15))
    );
    // feedparser's w3dtf alone rejects `22013`, but its chain reads it as
    // ISO 8601 `YYDDD` (2022, day 13), and so do we.
    assert_eq!(fp("22013", UTC), Some((2022, 1, 13, 0, 0, 0)));
}

#[test]
fn chinese_am_pm_words() {
    assert_eq!(
        p("2024年5月6日 下午3:20").as_deref(),
        Some("2024-05-06T07:20:00Z")
    );
    assert_eq!(
        p("2024年5月6日 上午12:05").as_deref(),
        Some("2024-05-05T16:05:00Z")
    );
    assert_eq!(
        p("2024-05-06 下午 15:20").as_deref(),
        Some("2024-05-06T07:20:00Z")
    );
}

#[test]
fn partial_dates_only_in_feeds() {
    // A bare year or year-month on a page is not taken as a date …
    for s in ["2003", "2003-12", "20031231", "031231"] {
        assert_eq!(p(s), None, "{s}");
    }
    // … but in a feed's date element it is.
    assert!(parse_feed_date("2003-12", Shanghai).is_some());
    assert!(parse_feed_date("20031231T101455Z", Shanghai).is_none());
    assert_eq!(
        parse_feed_date("20031231T10:14:55Z", Shanghai).map(|d| d.to_rfc3339()),
        Some("2003-12-31T10:14:55+00:00".into())
    );
}
