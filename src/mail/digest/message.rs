//! The digest as an RFC 5322 message: headers (From, To, Subject, Date, the
//! given Message-ID, `Auto-Submitted`, `List-Id`, `List-Unsubscribe`) and a
//! `multipart/alternative` (or `text/plain`) body, built with lettre.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{Address, Message};

use super::{clean_inline, sanitize_subject, DigestError, RenderedDigest};
use crate::config;

/// `Auto-Submitted: auto-generated` (RFC 3834): no vacation auto-replies.
#[derive(Debug, Clone)]
struct AutoSubmitted(String);

/// `List-Id: <reformwatch.DOMAIN>` (RFC 2919).
#[derive(Debug, Clone)]
struct ListId(String);

/// `List-Unsubscribe: <mailto:…?subject=unsubscribe>` (RFC 2369).
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

macro_rules! ascii_header {
    ($ty:ident, $name:expr) => {
        impl Header for $ty {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($name)
            }

            fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
                Ok(Self(s.to_owned()))
            }

            fn display(&self) -> HeaderValue {
                // `HeaderValue::new` folds and RFC 2047-encodes anything unsafe.
                HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}

ascii_header!(AutoSubmitted, "Auto-Submitted");
ascii_header!(ListId, "List-Id");
ascii_header!(ListUnsubscribe, "List-Unsubscribe");

/// Builds the complete message for one digest and returns its RFC 5322
/// bytes (CRLF line endings, headers folded, bodies transfer-encoded).
///
/// The subject is sanitized again (CR/LF, control, zero-width and bidi
/// characters removed, length capped) so a hand-built [`RenderedDigest`]
/// cannot inject headers. `message_id` must look like what
/// [`super::message_id`] produces; `date` must lie in the years 1970..=9999.
/// Errors name the offending address or value.
pub fn build_message(
    mail: &config::MailSettings,
    subscriber: &config::Subscriber,
    digest: &RenderedDigest,
    message_id: &str,
    date: DateTime<Utc>,
) -> Result<Vec<u8>, DigestError> {
    let from: Mailbox = mail
        .from
        .trim()
        .parse()
        .map_err(
            |e: lettre::address::AddressError| DigestError::InvalidFrom {
                address: mail.from.clone(),
                reason: e.to_string(),
            },
        )?;
    let from = Mailbox::new(
        from.name
            .as_deref()
            .map(clean_inline)
            .filter(|n| !n.is_empty()),
        from.email,
    );

    let to_addr: Address =
        subscriber
            .email
            .trim()
            .parse()
            .map_err(
                |e: lettre::address::AddressError| DigestError::InvalidRecipient {
                    subscriber: subscriber.id.clone(),
                    address: subscriber.email.clone(),
                    reason: e.to_string(),
                },
            )?;
    let to_name = subscriber
        .name
        .as_deref()
        .map(|n| super::truncate_chars(&clean_inline(n), 80))
        .filter(|n| !n.is_empty());
    let to = Mailbox::new(to_name, to_addr);

    let unsubscribe_addr = match &mail.reply_to {
        Some(r) => {
            let r = r.trim();
            let mbox: Result<Mailbox, _> = r.parse();
            match mbox {
                Ok(m) => m.email,
                Err(e) => r
                    .parse::<Address>()
                    .map_err(|_| DigestError::InvalidReplyTo {
                        address: r.to_owned(),
                        reason: e.to_string(),
                    })?,
            }
        }
        None => from.email.clone(),
    };

    if !is_safe_message_id(message_id) {
        return Err(DigestError::InvalidMessageId(message_id.to_owned()));
    }

    let date_st = system_time(date).ok_or(DigestError::DateOutOfRange(date))?;

    let list_domain = super::safe_domain(from.email.domain());
    let builder = Message::builder()
        .from(from)
        .to(to)
        .subject(sanitize_subject(&digest.subject))
        .date(date_st)
        .message_id(Some(message_id.to_owned()))
        .header(AutoSubmitted("auto-generated".to_owned()))
        .header(ListId(format!("<reformwatch.{list_domain}>")))
        .header(ListUnsubscribe(format!(
            "<mailto:{}?subject=unsubscribe>",
            mailto_escape(unsubscribe_addr.as_ref())
        )));

    let message = match (&digest.html, subscriber.format) {
        (Some(html), config::MailFormat::Html) => builder.multipart(
            MultiPart::alternative_plain_html(digest.text.clone(), html.clone()),
        )?,
        _ => builder.singlepart(SinglePart::plain(digest.text.clone()))?,
    };
    Ok(message.formatted())
}

/// `<left@right>`, printable ASCII without spaces, brackets or quotes inside,
/// and short enough for one header line.
pub(super) fn is_safe_message_id(id: &str) -> bool {
    let Some(inner) = id.strip_prefix('<').and_then(|s| s.strip_suffix('>')) else {
        return false;
    };
    let Some((left, right)) = inner.split_once('@') else {
        return false;
    };
    !left.is_empty()
        && !right.is_empty()
        && id.len() <= 250
        && inner.bytes().filter(|b| *b == b'@').count() == 1
        && inner.bytes().all(|b| {
            b.is_ascii_graphic() && !matches!(b, b'<' | b'>' | b'"' | b'\\' | b'(' | b')' | b',')
        })
}

/// `date` as a `SystemTime` the `Date` header can show (1970 ≤ year ≤ 9999).
fn system_time(date: DateTime<Utc>) -> Option<SystemTime> {
    const MAX_SECS: i64 = 253_402_300_800; // 10000-01-01T00:00:00Z (exclusive)
    let secs = date.timestamp();
    if !(0..MAX_SECS).contains(&secs) {
        return None;
    }
    let secs = u64::try_from(secs).ok()?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

/// Percent-encodes the characters of an address that are not allowed raw in
/// a `mailto:` URI (RFC 6068).
fn mailto_escape(addr: &str) -> String {
    let mut out = String::with_capacity(addr.len());
    for b in addr.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$'()*+,;:@=".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
