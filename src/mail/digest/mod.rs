//! Pure: one subscriber's pending items → a rendered digest (subject, HTML,
//! plain text) and the complete RFC 5322 message bytes.
//!
//! This module owns the digest's *content*: which article goes under which
//! topic and which are shown over the cap (`select.rs`), what is shown for
//! each item (the view model in `view.rs`), the subject line, the HTML and
//! text bodies, and the digest's message (`message.rs`, over the shared
//! [`crate::mail::message`] builder). It does no I/O and reads no clock
//! (`now` and `date` are passed in); sending belongs to the deliver module,
//! choosing the items and storing the outbox row to the store/outbox stages.
//!
//! All article-derived text is treated as hostile: control, zero-width and
//! bidi-control characters are removed everywhere
//! ([`crate::document::text_hygiene`]), HTML output escapes it as text, only
//! `http`/`https` links are emitted, and header values go through lettre's
//! RFC 2047 encoder after CR/LF have been stripped. Article *markup* never
//! enters a digest: articles reach it as text (the text cleaner strips tags,
//! those that decoding entities makes included), and every piece is escaped
//! here.

mod message;
mod render_html;
mod render_text;
mod revised;
mod select;
mod view;

use chrono::{DateTime, Utc};

use crate::config;
use crate::model::DigestItem;

pub use crate::mail::message::{message_id, MessageError as DigestError, MAX_SUBJECT_CHARS};
pub use message::build_message;
pub use revised::{RevisedItem, REVISED_HEADING};

/// A digest rendered for one subscriber, ready for [`build_message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedDigest {
    /// Subject line: sanitized, single line, at most [`MAX_SUBJECT_CHARS`] characters.
    pub subject: String,
    /// Self-contained HTML document; `None` for `format = "text"` subscribers.
    pub html: Option<String>,
    /// Plain-text body, wrapped at 78 columns (CJK counted as 2).
    pub text: String,
    /// Distinct articles in the digest (after de-duplication by article id),
    /// including any beyond the item cap that were summarised but not shown.
    pub item_count: usize,
}

/// Renders `items` into one digest for `subscriber`, showing at most
/// [`config::DEFAULT_MAX_ITEMS`] articles.
///
/// Each article (by `article_id`, highest revision wins) appears once, under
/// its best-scoring topic among the subscriber's topics; topics follow the
/// subscriber's configured order, items within a topic are newest first.
/// `topics` supplies display names; `now` is used for the header line and to
/// ignore publication dates more than a day in the future when ordering.
pub fn render(
    subscriber: &config::Subscriber,
    topics: &[config::Topic],
    items: &[DigestItem],
    now: DateTime<Utc>,
) -> RenderedDigest {
    render_capped(subscriber, topics, items, now, config::DEFAULT_MAX_ITEMS)
}

/// Like [`render`], showing at most `max_items` articles (at least 1;
/// `[mail] max_items` in [`config::MailSettings`]).
///
/// Over the cap, every topic keeps a fair share of the cap (a topic that
/// needs less leaves the rest to the others); within a topic the
/// best-scoring articles are shown (newest first on equal scores), and the
/// topic ends with "N more" naming how many were left out.
pub fn render_capped(
    subscriber: &config::Subscriber,
    topics: &[config::Topic],
    items: &[DigestItem],
    now: DateTime<Utc>,
    max_items: usize,
) -> RenderedDigest {
    render_with_revised(subscriber, topics, items, &[], now, max_items)
}

/// Renders the new `items` like [`render_capped`] and the `revised`
/// articles (mailed before, edited since) in a "Revised" section after
/// them and before the footer, each with its diff inline. The subject
/// counts both ("3 new, 1 revised"); `item_count` is the sum. With no
/// revised articles this is exactly [`render_capped`].
pub fn render_with_revised(
    subscriber: &config::Subscriber,
    topics: &[config::Topic],
    items: &[DigestItem],
    revised: &[RevisedItem],
    now: DateTime<Utc>,
    max_items: usize,
) -> RenderedDigest {
    let order = select::topic_order(&subscriber.topics);
    let selection = select::select(&order, items, now, max_items);
    let view = view::build_view(subscriber, topics, &order, selection, revised, now);
    let subject = view::subject_line(&view);
    let text = render_text::render(&view);
    let html = match subscriber.format {
        config::MailFormat::Html => Some(render_html::render(&view, &subject)),
        config::MailFormat::Text => None,
    };
    RenderedDigest {
        subject,
        html,
        text,
        item_count: view.total,
    }
}

#[cfg(test)]
mod tests;
