//! Tests of the shared message builder, and helpers that read a built
//! message back (headers unfolded, RFC 2047 words decoded) for the tests
//! of the digest and admin notices.

use chrono::TimeZone;

use super::*;
use crate::config::Transport;

/// Headers of a raw message, unfolded, as (name, value) pairs.
pub(crate) fn headers(raw: &str) -> Vec<(String, String)> {
    let head = raw.split("\r\n\r\n").next().unwrap();
    let mut out: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with(' ') || line.starts_with('\t') {
            out.last_mut().unwrap().1.push_str(line);
        } else {
            let (n, v) = line.split_once(':').expect("header line");
            out.push((n.to_string(), v.trim_start().to_string()));
        }
    }
    out
}

pub(crate) fn header<'a>(h: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    h.iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

fn b64(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// Minimal RFC 2047 decoder (B and Q encodings, whitespace between encoded
/// words dropped).
pub(crate) fn decode_2047(v: &str) -> String {
    let mut out = Vec::new();
    let mut rest = v;
    let mut last_was_word = false;
    while !rest.is_empty() {
        if let Some(start) = rest.find("=?") {
            let between = &rest[..start];
            if !(last_was_word && between.trim().is_empty()) {
                out.extend_from_slice(between.as_bytes());
            }
            let word = &rest[start + 2..];
            let mut parts = word.splitn(3, '?');
            let _charset = parts.next().unwrap();
            let enc = parts.next().unwrap();
            let tail = parts.next().unwrap();
            let end = tail.find("?=").unwrap();
            let data = &tail[..end];
            if enc.eq_ignore_ascii_case("b") {
                out.extend(b64(data));
            } else {
                let bytes = data.as_bytes();
                let mut i = 0;
                while i < bytes.len() {
                    match bytes[i] {
                        b'_' => out.push(b' '),
                        b'=' => {
                            out.push(u8::from_str_radix(&data[i + 1..i + 3], 16).unwrap());
                            i += 2;
                        }
                        b => out.push(b),
                    }
                    i += 1;
                }
            }
            rest = &tail[end + 2..];
            last_was_word = true;
        } else {
            out.extend_from_slice(rest.as_bytes());
            break;
        }
    }
    String::from_utf8(out).unwrap()
}

pub(crate) fn assert_line_lengths(raw: &str) {
    for line in raw.split("\r\n") {
        assert!(line.len() <= 998, "line of {} octets", line.len());
    }
    assert!(!raw.replace("\r\n", "").contains('\n'), "bare LF");
    assert!(!raw.replace("\r\n", "").contains('\r'), "bare CR");
}

#[test]
fn message_id_is_deterministic_and_safe() {
    let a = message_id("analyst@example.org", "2024-09-02T08:00", "example.org");
    assert_eq!(
        a,
        message_id("analyst@example.org", "2024-09-02T08:00", "example.org")
    );
    assert_ne!(
        a,
        message_id("analyst@example.org", "2024-09-03T08:00", "example.org")
    );
    // Inputs that sanitize alike stay distinct thanks to the hash.
    assert_ne!(
        message_id("a.b", "p", "example.org"),
        message_id("a_b", "p", "example.org")
    );
    assert!(
        a.starts_with("<dg-analyst_example_org-2024-09-02T08_00-"),
        "{a}"
    );
    assert!(a.ends_with("@example.org>"));
    assert!(is_safe_message_id(&a));

    let hostile = message_id("x>\r\nBcc: y@z <", "p\u{202E}", " 例子.中国\r\n");
    assert!(is_safe_message_id(&hostile), "{hostile}");
    assert!(hostile.ends_with("@xn--fsqu00a.xn--fiqs8s>"), "{hostile}");
    let empty = message_id("", "", "");
    assert!(is_safe_message_id(&empty), "{empty}");
    assert!(empty.ends_with("@reformwatch.invalid>"));
}

fn mail() -> MailSettings {
    MailSettings {
        from: "Reform Watch <watch@example.org>".into(),
        reply_to: Some("desk@example.org".into()),
        transport: Transport::File {
            dir: "/nonexistent".into(),
        },
        queue_lifetime: std::time::Duration::from_secs(86_400),
        max_items: crate::config::DEFAULT_MAX_ITEMS,
        coalesce: std::time::Duration::from_secs(300),
    }
}

#[test]
fn every_message_gets_the_shared_headers_and_only_list_mail_the_list_ones() {
    let date = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
    let id = message_id("r", "p", "example.org");
    for list in [false, true] {
        let draft = Draft {
            to: "ops@example.org",
            to_name: Some("Ops\r\nBcc: x@y"),
            recipient: "the test",
            subject: "note\r\nBcc: x@y\u{202E}",
            message_id: &id,
            date,
            body: Body::Text("改革\n"),
            attachments: &[],
            list,
        };
        let raw = String::from_utf8(build(&mail(), &draft).unwrap()).unwrap();
        assert_line_lengths(&raw);
        let h = headers(&raw);
        assert_eq!(header(&h, "Auto-Submitted"), ["auto-generated"]);
        assert_eq!(header(&h, "Message-ID"), [id.as_str()]);
        assert_eq!(header(&h, "Date"), ["Fri, 02 Jan 2026 03:04:05 +0000"]);
        assert_eq!(header(&h, "MIME-Version"), ["1.0"]);
        assert_eq!(header(&h, "Content-Type"), ["text/plain; charset=utf-8"]);
        assert_eq!(decode_2047(header(&h, "Subject")[0]), "note Bcc: x@y");
        assert_eq!(
            decode_2047(header(&h, "To")[0]),
            "Ops Bcc: x@y <ops@example.org>"
        );
        assert!(header(&h, "Bcc").is_empty());
        let (ids, unsubscribe) = (header(&h, "List-Id"), header(&h, "List-Unsubscribe"));
        if list {
            assert_eq!(ids, ["<reformwatch.example.org>"]);
            assert_eq!(
                unsubscribe,
                ["<mailto:desk@example.org?subject=unsubscribe>"]
            );
        } else {
            assert!(ids.is_empty() && unsubscribe.is_empty(), "{raw}");
        }
    }
}
