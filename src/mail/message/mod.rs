//! Pure: every message reformwatch sends, digests and admin notices alike,
//! as RFC 5322 bytes built in this one place, so they carry the same
//! headers: `From` (`[mail] from`), `To`, a sanitized `Subject`, `Date`, a
//! deterministic `Message-ID` ([`message_id`]), `MIME-Version`, the body's
//! `Content-Type`, and `Auto-Submitted: auto-generated` (RFC 3834), which
//! keeps vacation responders and other robots from answering.
//!
//! A body may carry attachments (a digest's `articles.csv`): the message is
//! then `multipart/mixed`, the body part first, each attachment base64 so
//! its bytes (a byte order mark, CRLF line ends) arrive exactly as made.
//!
//! List mail (digests) also carries `List-Id` (RFC 2919) and
//! `List-Unsubscribe` (RFC 2369). An admin notice does not: it is an alert
//! to the one operator, not list traffic; a `List-Unsubscribe` there would
//! offer a button that cannot work (notices stop when `admin_email` is
//! removed), and list headers make mail clients file the alert away from
//! the inbox.
//!
//! Every value from config or articles is treated as hostile: display names
//! and the subject lose control, zero-width and bidi characters and are
//! length-capped, header values go through lettre's RFC 2047 encoder, and
//! the Message-ID must be of the safe form [`message_id`] produces.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use lettre::address::AddressError;
use lettre::message::header::{
    ContentTransferEncoding, ContentType, Header, HeaderName, HeaderValue,
};
use lettre::message::{Body as LettreBody, Mailbox, MultiPart, SinglePart};
use lettre::{Address, Message};

use crate::config::MailSettings;
use crate::document::text_hygiene::fold_line;
use crate::mail::text::truncate_chars;

/// Longest subject, in characters (an ellipsis is added when cut).
pub const MAX_SUBJECT_CHARS: usize = 150;

/// Longest display name of a recipient, in characters.
const MAX_NAME_CHARS: usize = 80;

/// One message to build: who gets it, what it says, and its identity.
#[derive(Debug, Clone)]
pub struct Draft<'a> {
    /// Recipient address (validated here).
    pub to: &'a str,
    /// Recipient display name, if any (untrusted text).
    pub to_name: Option<&'a str>,
    /// Who the recipient is, for errors: `subscriber "a@example.org"`,
    /// `[daemon] admin_email`.
    pub recipient: &'a str,
    /// Subject (untrusted text; sanitized here).
    pub subject: &'a str,
    /// From [`message_id`].
    pub message_id: &'a str,
    /// The `Date` header (years 1970 to 9999).
    pub date: DateTime<Utc>,
    /// The body.
    pub body: Body<'a>,
    /// Files attached after the body (none for most messages).
    pub attachments: &'a [Attachment<'a>],
    /// List mail (a digest): adds `List-Id` and `List-Unsubscribe` (to
    /// `[mail] reply_to`, else the `From` address).
    pub list: bool,
}

/// A message body.
#[derive(Debug, Clone, Copy)]
pub enum Body<'a> {
    /// `text/plain; charset=utf-8`.
    Text(&'a str),
    /// `multipart/alternative` of a plain-text and an HTML part.
    Alternative {
        /// The `text/plain` part.
        text: &'a str,
        /// The `text/html` part.
        html: &'a str,
    },
}

/// A file attached to a message.
#[derive(Debug, Clone, Copy)]
pub struct Attachment<'a> {
    /// File name shown to the reader (ASCII, e.g. `articles.csv`).
    pub filename: &'a str,
    /// MIME type, e.g. `text/csv; charset=utf-8`.
    pub content_type: &'a str,
    /// The file's bytes, sent base64-encoded.
    pub content: &'a [u8],
}

/// Why a message could not be built. Each names the offending value; the
/// address parser's reason is the error's source.
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    /// `[mail] from` is not a valid mailbox.
    #[error("invalid From address {address:?} in [mail] from")]
    InvalidFrom {
        /// The configured value.
        address: String,
        /// What is wrong with it.
        #[source]
        source: AddressError,
    },
    /// `[mail] reply_to` is not a valid address.
    #[error("invalid reply-to address {address:?} in [mail] reply_to")]
    InvalidReplyTo {
        /// The configured value.
        address: String,
        /// What is wrong with it.
        #[source]
        source: AddressError,
    },
    /// A recipient's address is not valid.
    #[error("invalid recipient address {address:?} for {recipient}")]
    InvalidRecipient {
        /// Who the recipient is (see [`Draft::recipient`]).
        recipient: String,
        /// The configured address.
        address: String,
        /// What is wrong with it.
        #[source]
        source: AddressError,
    },
    /// The Message-ID is not of the safe `<left@right>` form [`message_id`] produces.
    #[error("invalid Message-ID {0:?}: expected <local@domain> with printable ASCII only")]
    InvalidMessageId(String),
    /// The `Date` cannot be represented (before 1970 or after 9999).
    #[error("message date {0} is out of range (years 1970 to 9999)")]
    DateOutOfRange(DateTime<Utc>),
    /// An attachment's MIME type is not valid.
    #[error("invalid content type {0:?} of an attachment")]
    InvalidContentType(String),
    /// lettre refused to build the message.
    #[error("cannot build message")]
    Build(#[from] lettre::error::Error),
}

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

/// Builds the complete message for `draft`, sent as `mail.from`, and
/// returns its RFC 5322 bytes (CRLF line endings, headers folded, bodies
/// transfer-encoded).
///
/// The subject is sanitized (CR/LF, control, zero-width and bidi characters
/// removed, length capped) so no caller can inject headers. Errors name the
/// offending address or value.
pub fn build(mail: &MailSettings, draft: &Draft<'_>) -> Result<Vec<u8>, MessageError> {
    let from: Mailbox = mail
        .from
        .trim()
        .parse()
        .map_err(|source| MessageError::InvalidFrom {
            address: mail.from.clone(),
            source,
        })?;
    let from = Mailbox::new(display_name(from.name.as_deref()), from.email);

    let to_addr: Address =
        draft
            .to
            .trim()
            .parse()
            .map_err(|source| MessageError::InvalidRecipient {
                recipient: draft.recipient.to_owned(),
                address: draft.to.to_owned(),
                source,
            })?;
    let to_name = display_name(draft.to_name).map(|n| truncate_chars(&n, MAX_NAME_CHARS));
    let to = Mailbox::new(to_name, to_addr);

    let unsubscribe = if draft.list {
        Some(unsubscribe_address(mail, &from)?)
    } else {
        None
    };

    if !is_safe_message_id(draft.message_id) {
        return Err(MessageError::InvalidMessageId(draft.message_id.to_owned()));
    }
    let date = system_time(draft.date).ok_or(MessageError::DateOutOfRange(draft.date))?;

    let list_domain = safe_domain(from.email.domain());
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(sanitize_subject(draft.subject))
        .date(date)
        .message_id(Some(draft.message_id.to_owned()))
        .header(AutoSubmitted("auto-generated".to_owned()));
    if let Some(addr) = unsubscribe {
        builder = builder
            .header(ListId(format!("<reformwatch.{list_domain}>")))
            .header(ListUnsubscribe(format!(
                "<mailto:{}?subject=unsubscribe>",
                mailto_escape(addr.as_ref())
            )));
    }
    let message = match (draft.body, draft.attachments.is_empty()) {
        (Body::Alternative { text, html }, true) => builder.multipart(
            MultiPart::alternative_plain_html(text.to_owned(), html.to_owned()),
        )?,
        (Body::Text(text), true) => builder.singlepart(SinglePart::plain(text.to_owned()))?,
        (body, false) => {
            let mut mixed = match body {
                Body::Alternative { text, html } => MultiPart::mixed().multipart(
                    MultiPart::alternative_plain_html(text.to_owned(), html.to_owned()),
                ),
                Body::Text(text) => {
                    MultiPart::mixed().singlepart(SinglePart::plain(text.to_owned()))
                }
            };
            for a in draft.attachments {
                mixed = mixed.singlepart(attachment(a)?);
            }
            builder.multipart(mixed)?
        }
    };
    Ok(message.formatted())
}

/// One attachment as a MIME part: `Content-Disposition: attachment` with
/// its file name, and the bytes base64-encoded.
fn attachment(a: &Attachment<'_>) -> Result<SinglePart, MessageError> {
    let content_type = ContentType::parse(a.content_type)
        .map_err(|_| MessageError::InvalidContentType(a.content_type.to_owned()))?;
    let body = LettreBody::new_with_encoding(a.content.to_vec(), ContentTransferEncoding::Base64)
        .map_err(|_| MessageError::InvalidContentType(a.content_type.to_owned()))?;
    Ok(lettre::message::Attachment::new(a.filename.to_owned()).body(body, content_type))
}

/// A display name as it may appear in a header: one clean line, `None`
/// when nothing is left.
fn display_name(name: Option<&str>) -> Option<String> {
    name.map(fold_line).filter(|n| !n.is_empty())
}

/// Where `List-Unsubscribe` points: `[mail] reply_to` (a mailbox or a
/// bare address), else the `From` address.
fn unsubscribe_address(mail: &MailSettings, from: &Mailbox) -> Result<Address, MessageError> {
    let Some(reply_to) = &mail.reply_to else {
        return Ok(from.email.clone());
    };
    let r = reply_to.trim();
    match r.parse::<Mailbox>() {
        Ok(m) => Ok(m.email),
        Err(source) => r
            .parse::<Address>()
            .map_err(|_| MessageError::InvalidReplyTo {
                address: r.to_owned(),
                source,
            }),
    }
}

/// A subject as it may appear in a header: one line, no invisible or
/// control characters, at most [`MAX_SUBJECT_CHARS`] characters.
pub(crate) fn sanitize_subject(s: &str) -> String {
    truncate_chars(&fold_line(s), MAX_SUBJECT_CHARS)
}

/// A deterministic, header-safe Message-ID for one recipient's message of
/// one period: `<dg-{recipient}-{period}-{hash}@{domain}>`.
///
/// Readable parts are reduced to `[A-Za-z0-9_-]` and shortened; the 64-bit
/// hash covers the *raw* inputs, so ids that sanitize alike stay distinct.
/// The same inputs always give the same id (a retry re-sends the same id).
pub fn message_id(recipient_id: &str, period_key: &str, domain: &str) -> String {
    let mut hasher_input = Vec::with_capacity(recipient_id.len() + period_key.len() + 16);
    hasher_input.extend_from_slice(&(recipient_id.len() as u64).to_le_bytes());
    hasher_input.extend_from_slice(recipient_id.as_bytes());
    hasher_input.extend_from_slice(&(period_key.len() as u64).to_le_bytes());
    hasher_input.extend_from_slice(period_key.as_bytes());
    let hash = xxhash_rust::xxh3::xxh3_64(&hasher_input);
    format!(
        "<dg-{}-{}-{hash:016x}@{}>",
        id_part(recipient_id, 64),
        id_part(period_key, 40),
        safe_domain(domain)
    )
}

fn id_part(s: &str, max: usize) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(max)
        .collect();
    if out.is_empty() {
        out.push('x');
    }
    out
}

/// A domain reduced to `[a-z0-9.-]` (IDNs converted to ASCII first), never empty.
fn safe_domain(domain: &str) -> String {
    let trimmed = domain.trim().trim_matches(|c| c == '[' || c == ']');
    let ascii = match url::Host::parse(trimmed) {
        Ok(url::Host::Domain(d)) => d,
        _ => trimmed.to_ascii_lowercase(),
    };
    let mut out = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() || c == '-' {
            out.push(c);
        } else if c == '.' && !out.is_empty() && !out.ends_with('.') {
            out.push('.');
        }
    }
    while out.ends_with('.') {
        out.pop();
    }
    out.truncate(180);
    while out.ends_with('.') {
        out.pop();
    }
    if out.is_empty() {
        "reformwatch.invalid".to_owned()
    } else {
        out
    }
}

/// `<left@right>`, printable ASCII without spaces, brackets or quotes inside,
/// and short enough for one header line.
pub(crate) fn is_safe_message_id(id: &str) -> bool {
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

#[cfg(test)]
pub(crate) mod tests;
