//! Pure: one subscriber's pending items → a rendered digest (subject, HTML,
//! plain text, attachments) and the complete RFC 5322 message bytes.
//!
//! This module owns the digest's *content*: which article goes under which
//! topic and how they rank (`select.rs`), what is shown for each item (the
//! view model in `view.rs`, every fixed string in the subscriber's language
//! from `lang.rs`), how much of it the body shows so that no mail client
//! clips it (`layout.rs`, `body.rs`), the HTML and text bodies, the
//! attachments holding what the body cannot (`articles.csv`, `csv.rs`;
//! `revisions.txt`), and the digest's message (`message.rs`, over the
//! shared [`crate::mail::message`] builder). It does no I/O and reads no
//! clock (`now` and `date` are passed in).
//!
//! Every article given to [`render_with_revised`] is in the result: in the
//! body in full, as a one-line entry, or in an attachment.
//! [`RenderedDigest::carried`] lists them, from what was written, and only
//! those count as delivered once the relay accepts the message.
//!
//! All article-derived text is treated as hostile: control, zero-width and
//! bidi-control characters are removed everywhere
//! ([`crate::document::text_hygiene`]), HTML output escapes it as text, only
//! `http`/`https` links are emitted, CSV cells cannot become formulas, and
//! header values go through lettre's RFC 2047 encoder after CR/LF have been
//! stripped. Article *markup* never enters a digest: articles reach it as
//! text (the text cleaner strips tags, those that decoding entities makes
//! included), and every piece is escaped here.

mod body;
mod copies;
mod csv;
mod lang;
mod layout;
mod message;
mod render_html;
mod render_text;
mod revised;
mod select;
mod view;

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::config;
pub use crate::model::Carried;
use crate::model::DigestItem;

pub use crate::mail::message::{message_id, MessageError as DigestError, MAX_SUBJECT_CHARS};
pub use body::{wire_len as part_bytes, MAX_PART_BYTES};
pub use copies::{fold, ChangedCopy, StoryCopies};
pub use message::build_message;
pub use revised::RevisedItem;

/// A digest rendered for one subscriber, ready for [`build_message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedDigest {
    /// Subject line: sanitized, single line, at most [`MAX_SUBJECT_CHARS`] characters.
    pub subject: String,
    /// Self-contained HTML document; `None` for `format = "text"` subscribers.
    /// Under [`MAX_PART_BYTES`] with CRLF line ends.
    pub html: Option<String>,
    /// Plain-text body, wrapped at 78 columns (CJK counted as 2). Under
    /// [`MAX_PART_BYTES`] with CRLF line ends.
    pub text: String,
    /// What the body has no room for: `articles.csv` (every new article)
    /// and `revisions.txt` (the diffs not in the body), when needed.
    pub attachments: Vec<DigestAttachment>,
    /// Distinct articles in the digest (after de-duplication by article id),
    /// new and revised.
    pub item_count: usize,
    /// The articles the message carries, in its body or an attachment.
    pub carried: Carried,
}

/// A file attached to a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestAttachment {
    /// `articles.csv` or `revisions.txt`.
    pub filename: String,
    /// MIME type with charset.
    pub content_type: String,
    /// The file's bytes.
    pub content: Vec<u8>,
    /// Articles in it (CSV rows without the header; revised articles).
    pub rows: usize,
}

/// Renders `items` into one digest for `subscriber`, with at most
/// [`config::DEFAULT_MAX_ITEMS`] articles in full; see
/// [`render_with_revised`].
pub fn render(
    subscriber: &config::Subscriber,
    topics: &[config::Topic],
    items: &[DigestItem],
    now: DateTime<Utc>,
) -> RenderedDigest {
    render_with_revised(
        subscriber,
        topics,
        items,
        &[],
        now,
        config::DEFAULT_MAX_ITEMS,
    )
}

/// Renders the new `items` and the `revised` articles (mailed before,
/// edited since) into one digest for `subscriber`, in their language.
///
/// Each new article (by `article_id`, highest revision wins) appears once,
/// under its best-scoring topic among the subscriber's; topics follow the
/// subscriber's configured order. Within a topic the best-scoring articles
/// (a fair share of `max_items`, at least 1) are shown in full and the rest
/// as one-line entries, each newest first; when the body would grow past
/// [`MAX_PART_BYTES`], fewer are shown in full, the one-line entries fill
/// what is left, and every new article goes into `articles.csv`. The
/// revised articles follow in a "Revised" section, each with its diff
/// inline while they fit, then as one line with the diff in
/// `revisions.txt`. `topics` supplies display names; `now` is used for the
/// header line and to ignore publication dates more than a day in the
/// future when ordering.
pub fn render_with_revised(
    subscriber: &config::Subscriber,
    topics: &[config::Topic],
    items: &[DigestItem],
    revised: &[RevisedItem],
    now: DateTime<Utc>,
    max_items: usize,
) -> RenderedDigest {
    render_stories(
        subscriber,
        topics,
        items,
        revised,
        &HashMap::new(),
        now,
        max_items,
    )
}

/// [`render_with_revised`], with the items' folded story copies (from
/// [`fold`], keyed by the kept item's id): each such item names the other
/// outlets, shows the copies that changed the story as diffs against its
/// original, and carries its folded copies with it.
pub fn render_stories(
    subscriber: &config::Subscriber,
    topics: &[config::Topic],
    items: &[DigestItem],
    revised: &[RevisedItem],
    copies: &HashMap<i64, StoryCopies>,
    now: DateTime<Utc>,
    max_items: usize,
) -> RenderedDigest {
    let order = select::topic_order(&subscriber.topics);
    let selection = select::select(&order, items, now, max_items);
    let view = view::build_view(subscriber, topics, &order, selection, revised, copies, now);
    let subject = view::subject_line(&view);
    let html = subscriber.format == config::MailFormat::Html;
    let body = body::lay_out(&view, &subject, html);
    RenderedDigest {
        subject,
        html: body.html,
        text: body.text,
        attachments: body.attachments,
        item_count: view.total,
        carried: body.carried,
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_budget;
