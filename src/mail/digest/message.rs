//! A rendered digest as an RFC 5322 message: the digest's parts and its
//! subscriber handed to the shared builder ([`crate::mail::message`]) as
//! list mail, so it carries `List-Id` and `List-Unsubscribe` besides the
//! headers every message gets.

use chrono::{DateTime, Utc};

use super::RenderedDigest;
use crate::config;
use crate::mail::message::{self, Attachment, Body, Draft, MessageError};

/// Builds the complete message for one digest and returns its RFC 5322
/// bytes (CRLF line endings, headers folded, bodies transfer-encoded):
/// `multipart/alternative` for HTML subscribers, `text/plain` otherwise,
/// inside a `multipart/mixed` with the digest's attachments when it has any.
///
/// The subject is sanitized again (CR/LF, control, zero-width and bidi
/// characters removed, length capped) so a hand-built [`RenderedDigest`]
/// cannot inject headers. `message_id` must look like what
/// [`message::message_id`] produces; `date` must lie in the years
/// 1970..=9999. Errors name the offending address or value.
pub fn build_message(
    mail: &config::MailSettings,
    subscriber: &config::Subscriber,
    digest: &RenderedDigest,
    message_id: &str,
    date: DateTime<Utc>,
) -> Result<Vec<u8>, MessageError> {
    let body = match (&digest.html, subscriber.format) {
        (Some(html), config::MailFormat::Html) => Body::Alternative {
            text: &digest.text,
            html,
        },
        _ => Body::Text(&digest.text),
    };
    let attachments: Vec<Attachment<'_>> = digest
        .attachments
        .iter()
        .map(|a| Attachment {
            filename: &a.filename,
            content_type: &a.content_type,
            content: &a.content,
        })
        .collect();
    message::build(
        mail,
        &Draft {
            to: &subscriber.email,
            to_name: subscriber.name.as_deref(),
            recipient: &format!("subscriber {:?}", subscriber.id),
            subject: &digest.subject,
            message_id,
            date,
            body,
            attachments: &attachments,
            list: true,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::super::tests::{item, m, mail, now, sample_items, subscriber, topics, utc};
    use super::super::{message_id, render, DigestError, MAX_SUBJECT_CHARS};
    use super::*;
    use crate::config::{MailFormat, MailSettings, Subscriber};
    use crate::mail::message::tests::{assert_line_lengths, decode_2047, header, headers};

    /// The RFC 5322 message of `d` as text, with a fixed Message-ID and `now()`.
    fn message_text(mail: &MailSettings, sub: &Subscriber, d: &RenderedDigest) -> String {
        let raw = build_message(mail, sub, d, &message_id("s", "p", "example.org"), now()).unwrap();
        String::from_utf8(raw).unwrap()
    }

    #[test]
    fn builds_multipart_message_with_all_headers() {
        let sub = subscriber(MailFormat::Html);
        let d = render(&sub, &topics(), &sample_items(), now());
        let id = message_id(&sub.id, "2024-09-02", "example.org");
        let raw = build_message(&mail(), &sub, &d, &id, utc(2024, 9, 2, 0, 0)).unwrap();
        let raw = String::from_utf8(raw).unwrap();
        assert_line_lengths(&raw);
        let h = headers(&raw);
        let subject = header(&h, "Subject");
        assert_eq!(subject.len(), 1);
        assert_eq!(decode_2047(subject[0]), d.subject);
        assert_eq!(header(&h, "Message-ID"), vec![id.as_str()]);
        assert_eq!(header(&h, "Date"), vec!["Mon, 02 Sep 2024 00:00:00 +0000"]);
        assert_eq!(
            header(&h, "From"),
            vec!["\"Reform Watch\" <watch@example.org>"]
        );
        let to = header(&h, "To");
        assert_eq!(to.len(), 1);
        assert_eq!(decode_2047(to[0]), "王 分析师 <analyst@example.org>");
        assert_eq!(header(&h, "Auto-Submitted"), vec!["auto-generated"]);
        assert_eq!(header(&h, "List-Id"), vec!["<reformwatch.example.org>"]);
        assert_eq!(
            header(&h, "List-Unsubscribe"),
            vec!["<mailto:watch@example.org?subject=unsubscribe>"]
        );
        assert!(header(&h, "Content-Type")[0].starts_with("multipart/alternative"));
        assert!(raw.contains("Content-Type: text/plain; charset=utf-8"));
        assert!(raw.contains("Content-Type: text/html; charset=utf-8"));
        assert!(header(&h, "Bcc").is_empty());
    }

    #[test]
    fn text_subscriber_gets_single_plain_part_and_reply_to_unsubscribe() {
        let sub = subscriber(MailFormat::Text);
        let d = render(&sub, &topics(), &sample_items(), now());
        let mut mail = mail();
        mail.reply_to = Some("Desk <unsub+digest@example.org>".into());
        let raw = message_text(&mail, &sub, &d);
        let h = headers(&raw);
        assert!(header(&h, "Content-Type")[0].starts_with("text/plain"));
        assert!(!raw.contains("multipart"));
        assert_eq!(
            header(&h, "List-Unsubscribe"),
            vec!["<mailto:unsub+digest@example.org?subject=unsubscribe>"]
        );
    }

    #[test]
    fn hostile_digest_still_yields_one_clean_subject() {
        let long_title = "x".repeat(10_000);
        let mut items = vec![
            item(
                1,
                "Reform\r\nBcc: x@y",
                None,
                vec![m("reform", 1.0, vec![])],
            ),
            item(2, &long_title, None, vec![m("reform", 1.0, vec![])]),
            item(
                3,
                "<script>alert(1)</script>\u{202E}",
                None,
                vec![m("reform", 1.0, vec![])],
            ),
        ];
        items[1].url = Some(format!("https://example.com/{}", "p".repeat(5_000)));
        items[1].lead = Some("y".repeat(10_000));
        let mut topics = topics();
        topics[0].name = format!("改革\r\nBcc: evil@example.com{}", "長".repeat(500));
        let sub = subscriber(MailFormat::Html);
        let mut d = render(&sub, &topics, &items, now());
        // A hand-built digest with an injected subject is sanitized again.
        d.subject = format!("Hi\r\nBcc: x@y\r\n\r\nbody{}", "\u{202E}".repeat(3));
        let raw = message_text(&mail(), &sub, &d);
        assert_line_lengths(&raw);
        let h = headers(&raw);
        assert_eq!(header(&h, "Subject").len(), 1);
        assert!(header(&h, "Bcc").is_empty());
        assert_eq!(decode_2047(header(&h, "Subject")[0]), "Hi Bcc: x@y body");

        // And the rendered subject itself.
        let d = render(&sub, &topics, &items, now());
        let raw = message_text(&mail(), &sub, &d);
        assert_line_lengths(&raw);
        let h = headers(&raw);
        let subj = header(&h, "Subject");
        assert_eq!(subj.len(), 1);
        let decoded = decode_2047(subj[0]);
        assert_eq!(decoded, d.subject);
        assert!(decoded.chars().count() <= MAX_SUBJECT_CHARS);
        assert!(!decoded.contains('\r') && !decoded.contains('\n'));
    }

    #[test]
    fn bad_addresses_ids_and_dates_are_errors_naming_the_value() {
        let sub = subscriber(MailFormat::Html);
        let d = render(&sub, &topics(), &sample_items(), now());
        let id = message_id("s", "p", "example.org");

        let mut bad_from = mail();
        bad_from.from = "Reform Watch <not an address>".into();
        let e = build_message(&bad_from, &sub, &d, &id, now()).unwrap_err();
        assert!(matches!(e, DigestError::InvalidFrom { .. }));
        assert!(e.to_string().contains("not an address"), "{e}");

        let mut bad_to = subscriber(MailFormat::Html);
        bad_to.email = "x@y\r\nBcc: z@w".into();
        let e = build_message(&mail(), &bad_to, &d, &id, now()).unwrap_err();
        assert!(matches!(e, DigestError::InvalidRecipient { .. }), "{e}");
        assert!(e.to_string().contains("Bcc: z@w"), "{e}");

        let mut bad_reply = mail();
        bad_reply.reply_to = Some("nope".into());
        let e = build_message(&bad_reply, &sub, &d, &id, now()).unwrap_err();
        assert!(matches!(e, DigestError::InvalidReplyTo { .. }), "{e}");

        for bad_id in [
            "no-brackets@x",
            "<a b@c>",
            "<a@b>\r\nBcc: x@y",
            "<ab>",
            "<a@b@c>",
            "<@b>",
        ] {
            let e = build_message(&mail(), &sub, &d, bad_id, now()).unwrap_err();
            assert!(
                matches!(e, DigestError::InvalidMessageId(_)),
                "{bad_id}: {e}"
            );
        }

        for date in [utc(1969, 12, 31, 23, 59), utc(10000, 1, 1, 0, 0)] {
            let e = build_message(&mail(), &sub, &d, &id, date).unwrap_err();
            assert!(matches!(e, DigestError::DateOutOfRange(_)), "{e}");
        }
        // The last representable moment works.
        assert!(build_message(&mail(), &sub, &d, &id, utc(9999, 12, 31, 23, 59)).is_ok());
    }

    #[test]
    fn non_ascii_display_names_work() {
        let sub = subscriber(MailFormat::Html);
        let d = render(&sub, &topics(), &sample_items(), now());
        let mut mail = mail();
        mail.from = "改革观察 <watch@example.org>".into();
        let raw = message_text(&mail, &sub, &d);
        let h = headers(&raw);
        assert_eq!(
            decode_2047(header(&h, "From")[0]),
            "改革观察 <watch@example.org>"
        );
    }
}
