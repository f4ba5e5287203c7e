//! Pure: one subscriber's pending items → a rendered digest (subject, HTML,
//! plain text) and the complete RFC 5322 message bytes.
//!
//! This module owns the digest's *content*: which article goes under which
//! topic, ordering, what is shown for each item, the subject line, the
//! HTML and text bodies, the deterministic `Message-ID` and the message
//! headers. It does no I/O and reads no clock (`now` and `date` are passed
//! in); sending belongs to `mail::deliver`, choosing the items and storing
//! the outbox row to the store/outbox stages.
//!
//! All article-derived text is treated as hostile: control, zero-width and
//! bidi-control characters are removed everywhere, HTML output escapes it as
//! text, only `http`/`https` links are emitted, and header values go through
//! lettre's RFC 2047 encoder after CR/LF have been stripped. Article *markup*
//! never enters a digest: articles reach it as text (the extractors and the
//! feed parser drop tags), and every piece is escaped here.

mod message;
mod render_html;
mod render_text;
mod revised;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::config;
use crate::model;
use crate::model::DigestItem;

pub use message::build_message;
pub use revised::{RevisedItem, REVISED_HEADING};

/// Default for the most items rendered in one digest (`[mail] max_items`);
/// further items are summarised per topic as "N more" and still count as
/// delivered.
pub const MAX_ITEMS: usize = 200;

/// Longest subject, in characters (an ellipsis is added when cut).
pub const MAX_SUBJECT_CHARS: usize = 150;

/// Longest title shown in a body, in characters.
const MAX_TITLE_CHARS: usize = 300;
/// Longest lead shown, in characters.
const MAX_LEAD_CHARS: usize = 200;
/// Longest source name shown, in characters.
const MAX_SOURCE_CHARS: usize = 80;
/// Most matched terms listed per item.
const MAX_TERMS: usize = 10;

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
    /// including any beyond [`MAX_ITEMS`] that were summarised but not shown.
    pub item_count: usize,
}

/// Why a digest message could not be built.
#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    /// `[mail] from` is not a valid mailbox.
    #[error("invalid From address {address:?} in [mail] from: {reason}")]
    InvalidFrom {
        /// The configured value.
        address: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `[mail] reply_to` is not a valid address.
    #[error("invalid reply-to address {address:?} in [mail] reply_to: {reason}")]
    InvalidReplyTo {
        /// The configured value.
        address: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A subscriber's email is not a valid address.
    #[error("invalid recipient address {address:?} for subscriber {subscriber:?}: {reason}")]
    InvalidRecipient {
        /// Subscriber id.
        subscriber: String,
        /// The configured email.
        address: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The Message-ID is not of the safe `<left@right>` form [`message_id`] produces.
    #[error("invalid Message-ID {0:?}: expected <local@domain> with printable ASCII only")]
    InvalidMessageId(String),
    /// The `Date` cannot be represented (before 1970 or after 9999).
    #[error("message date {0} is out of range (years 1970 to 9999)")]
    DateOutOfRange(DateTime<Utc>),
    /// lettre refused to build the message.
    #[error("cannot build message: {0}")]
    Build(#[from] lettre::error::Error),
}

/// Renders `items` into one digest for `subscriber`.
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
    render_capped(subscriber, topics, items, now, MAX_ITEMS)
}

/// Like [`render`], showing at most `max_items` articles (at least 1).
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
    let view = build_view(subscriber, topics, items, revised, now, max_items.max(1));
    let subject = subject_line(&view);
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

/// A deterministic, header-safe Message-ID for one subscriber's digest of one
/// period: `<dg-{subscriber}-{period}-{hash}@{domain}>`.
///
/// Readable parts are reduced to `[A-Za-z0-9_-]` and shortened; the 64-bit
/// hash covers the *raw* inputs, so ids that sanitize alike stay distinct.
/// The same inputs always give the same id (a retry re-sends the same id).
pub fn message_id(subscriber_id: &str, period_key: &str, domain: &str) -> String {
    let mut hasher_input = Vec::with_capacity(subscriber_id.len() + period_key.len() + 16);
    hasher_input.extend_from_slice(&(subscriber_id.len() as u64).to_le_bytes());
    hasher_input.extend_from_slice(subscriber_id.as_bytes());
    hasher_input.extend_from_slice(&(period_key.len() as u64).to_le_bytes());
    hasher_input.extend_from_slice(period_key.as_bytes());
    let hash = xxhash_rust::xxh3::xxh3_64(&hasher_input);
    format!(
        "<dg-{}-{}-{hash:016x}@{}>",
        id_part(subscriber_id, 64),
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

// ---------------------------------------------------------------------------
// View model shared by the text and HTML renderers.

/// Everything the renderers show, already sanitized and ordered.
struct DigestView {
    /// Who it is for (sanitized display name or email).
    recipient: String,
    /// `now` in the subscriber's time zone, formatted.
    generated: String,
    /// Time zone name.
    tz_name: String,
    /// Groups in display order (non-empty groups only).
    groups: Vec<GroupView>,
    /// Distinct new articles in the input plus the revised articles.
    total: usize,
    /// How many of `total` are revisions of earlier articles: new articles
    /// at a revision above 1, and every article of the Revised section.
    revised: usize,
    /// New articles not shown because of the item cap.
    omitted: usize,
    /// The Revised section, after the groups (empty: no section).
    revisions: Vec<revised::RevisedView>,
    /// Names of the subscriber's topics, for the footer.
    topic_names: Vec<String>,
}

struct GroupView {
    name: String,
    /// Items in this group, including omitted ones.
    total: usize,
    /// Items of this group left out because of the cap ("N more").
    more: usize,
    items: Vec<ItemView>,
}

struct ItemView {
    number: usize,
    title: String,
    url: Option<String>,
    source: String,
    /// `2024-09-02 08:15`, or `seen 2024-09-02 08:15` without a published time.
    time: String,
    revision: u32,
    /// `改革 ×3 (标题 1)` entries.
    terms: Vec<String>,
    /// Other subscribed topics this article also matched.
    also: Vec<String>,
    lead: Option<String>,
}

/// A topic group while building: subscriber-topic index, or `None` for
/// articles whose matches name none of the subscriber's topics.
type GroupKey = Option<usize>;

/// An article and the match that placed it in its group.
type Placed<'a> = (&'a DigestItem, Option<&'a model::TopicMatch>);

fn build_view(
    subscriber: &config::Subscriber,
    topics: &[config::Topic],
    items: &[DigestItem],
    revised: &[RevisedItem],
    now: DateTime<Utc>,
    max_items: usize,
) -> DigestView {
    let tz: Tz = subscriber.timezone;

    // The subscriber's topics in configured order, without duplicates.
    let mut order: Vec<&str> = Vec::new();
    for t in &subscriber.topics {
        if !order.contains(&t.as_str()) {
            order.push(t.as_str());
        }
    }
    let topic_name = |id: &str| -> String {
        let name = topics
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.name.as_str())
            .filter(|n| !clean_inline(n).is_empty())
            .unwrap_or(id);
        truncate_chars(&clean_inline(name), 60)
    };
    let topic_names: Vec<String> = order.iter().map(|id| topic_name(id)).collect();

    // One entry per article: the highest revision (later input wins a tie).
    let mut by_id: HashMap<i64, usize> = HashMap::new();
    let mut unique: Vec<&DigestItem> = Vec::new();
    for item in items {
        match by_id.get(&item.article_id) {
            Some(&i) => {
                if item.revision >= unique[i].revision {
                    unique[i] = item;
                }
            }
            None => {
                by_id.insert(item.article_id, unique.len());
                unique.push(item);
            }
        }
    }

    // Assign each article to its best topic.
    let mut grouped: Vec<(GroupKey, Vec<Placed<'_>>)> = Vec::new();
    for item in &unique {
        let best = item
            .matches
            .iter()
            .filter_map(|m| {
                order
                    .iter()
                    .position(|t| *t == m.topic_id)
                    .map(|pos| (pos, m))
            })
            .max_by(|(pa, a), (pb, b)| {
                score_key(a.score)
                    .total_cmp(&score_key(b.score))
                    // On equal scores the earlier configured topic wins.
                    .then_with(|| pb.cmp(pa))
            });
        let (key, m) = match best {
            Some((pos, m)) => (Some(pos), Some(m)),
            None => (None, item.matches.first()),
        };
        match grouped.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push((item, m)),
            None => grouped.push((key, vec![(item, m)])),
        }
    }
    // Subscriber order first, unmatched articles last.
    grouped.sort_by_key(|(k, _)| k.map_or(usize::MAX, |p| p));

    let limit = now + chrono::Duration::days(1);
    let sort_time = |it: &DigestItem| -> DateTime<Utc> {
        match it.published_at {
            Some(p) if p <= limit => p,
            _ => it.first_seen_at,
        }
    };

    let new_total = unique.len();
    let new_revised = unique.iter().filter(|i| i.revision > 1).count();
    let sizes: Vec<usize> = grouped.iter().map(|(_, m)| m.len()).collect();
    let quotas = fair_quotas(&sizes, max_items);
    let mut groups = Vec::new();
    // Items are numbered across groups; the last number is how many show.
    let mut number = 0usize;
    let newest_first = |(a, _): &Placed<'_>, (b, _): &Placed<'_>| {
        sort_time(b)
            .cmp(&sort_time(a))
            .then_with(|| b.article_id.cmp(&a.article_id))
    };
    for ((key, mut members), quota) in grouped.into_iter().zip(quotas) {
        let name = match key {
            Some(pos) => topic_names[pos].clone(),
            None => "Other".to_owned(),
        };
        let all = members.len();
        if quota < all {
            // Over the cap: keep the best-scoring articles of this topic.
            members.sort_by(|a, b| {
                let score = |p: &Placed<'_>| score_key(p.1.map_or(f64::NAN, |m| m.score));
                score(b)
                    .total_cmp(&score(a))
                    .then_with(|| newest_first(a, b))
            });
            members.truncate(quota);
        }
        members.sort_by(newest_first);
        let mut views = Vec::new();
        for (item, m) in &members {
            number += 1;
            views.push(item_view(item, *m, number, &order, &topic_name, tz));
        }
        groups.push(GroupView {
            name,
            total: all,
            more: all - views.len(),
            items: views,
        });
    }

    let recipient = subscriber
        .name
        .as_deref()
        .map(clean_inline)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| clean_inline(&subscriber.email));
    DigestView {
        recipient: truncate_chars(&recipient, 80),
        generated: format_time(now, tz),
        tz_name: tz.name().to_owned(),
        groups,
        total: new_total + revised.len(),
        revised: new_revised + revised.len(),
        omitted: new_total - number,
        revisions: revised.iter().map(|r| revised::view(r, tz)).collect(),
        topic_names,
    }
}

fn item_view(
    item: &DigestItem,
    m: Option<&model::TopicMatch>,
    number: usize,
    order: &[&str],
    topic_name: &dyn Fn(&str) -> String,
    tz: Tz,
) -> ItemView {
    let mut title = truncate_chars(&clean_inline(&item.title), MAX_TITLE_CHARS);
    if title.is_empty() {
        title = "(untitled)".to_owned();
    }
    let time = match item.published_at {
        Some(p) => format_time(p, tz),
        None => format!("seen {}", format_time(item.first_seen_at, tz)),
    };
    let mut terms = Vec::new();
    if let Some(m) = m {
        let mut hits: Vec<&model::TermHit> = m.hits.iter().collect();
        hits.sort_by_key(|h| std::cmp::Reverse(h.title.saturating_add(h.body)));
        for h in hits.into_iter().take(MAX_TERMS) {
            let term = truncate_chars(&clean_inline(&h.term), 40);
            if term.is_empty() {
                continue;
            }
            let n = h.title.saturating_add(h.body);
            if h.title > 0 {
                terms.push(format!("{term} ×{n} (标题 {})", h.title));
            } else {
                terms.push(format!("{term} ×{n}"));
            }
        }
    }
    let chosen = m.map(|m| m.topic_id.as_str());
    let mut also: Vec<String> = Vec::new();
    for t in order {
        if Some(*t) != chosen && item.matches.iter().any(|x| x.topic_id == *t) {
            also.push(topic_name(t));
        }
    }
    let lead = item
        .lead
        .as_deref()
        .map(clean_inline)
        .filter(|l| !l.is_empty())
        .map(|l| truncate_words(&l, MAX_LEAD_CHARS));
    let mut source = truncate_chars(&clean_inline(&item.source_name), MAX_SOURCE_CHARS);
    if source.is_empty() {
        source = "(unknown source)".to_owned();
    }
    ItemView {
        number,
        title,
        url: item.url.as_deref().and_then(safe_url),
        source,
        time,
        revision: item.revision,
        terms,
        also,
        lead,
    }
}

/// How many items each group may show so that at most `cap` are shown in
/// all: every group gets an equal share, a group needing less than its
/// share gives the rest to the others, and the remainder of an uneven split
/// goes to the earlier groups.
fn fair_quotas(sizes: &[usize], cap: usize) -> Vec<usize> {
    if sizes.iter().sum::<usize>() <= cap {
        return sizes.to_vec();
    }
    let mut quotas = vec![0usize; sizes.len()];
    let mut left = cap;
    let mut open: Vec<usize> = (0..sizes.len()).filter(|&i| sizes[i] > 0).collect();
    while left > 0 && !open.is_empty() {
        let share = (left / open.len()).max(1);
        let mut next = Vec::with_capacity(open.len());
        for &i in &open {
            if left == 0 {
                break;
            }
            let give = share.min(sizes[i] - quotas[i]).min(left);
            quotas[i] += give;
            left -= give;
            if quotas[i] < sizes[i] {
                next.push(i);
            }
        }
        open = next;
    }
    quotas
}

/// `… and N more in TOPIC not shown here.`, the note closing a capped topic.
fn more_line(more: usize, topic: &str) -> String {
    format!(
        "… and {more} more article{} in {topic} not shown here.",
        if more == 1 { "" } else { "s" }
    )
}

/// NaN scores sort last.
fn score_key(s: f64) -> f64 {
    if s.is_nan() {
        f64::NEG_INFINITY
    } else {
        s
    }
}

fn format_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// The URL in normalized form if it is an absolute `http`/`https` URL.
fn safe_url(raw: &str) -> Option<String> {
    let cleaned: String = raw.trim().chars().filter(|c| !is_invisible(*c)).collect();
    let url = url::Url::parse(&cleaned).ok()?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Some(url.to_string()),
        _ => None,
    }
}

fn subject_line(view: &DigestView) -> String {
    let new = view.total - view.revised;
    let mut s = String::from("reformwatch: ");
    if view.total == 0 {
        s.push_str("no new articles");
    } else if view.revised == 0 {
        s.push_str(&format!(
            "{new} new article{}",
            if new == 1 { "" } else { "s" }
        ));
    } else {
        s.push_str(&format!("{new} new, {} revised", view.revised));
    }
    // Per-topic counts of new articles, shown or not, in display order.
    let counts: Vec<String> = view
        .groups
        .iter()
        .map(|g| format!("{} {}", g.name, g.total))
        .collect();
    if !counts.is_empty() {
        s.push_str(" · ");
        s.push_str(&counts.join(", "));
    }
    sanitize_subject(&s)
}

/// A subject as it may appear in a header: one line, no invisible or
/// control characters, at most [`MAX_SUBJECT_CHARS`] characters.
pub(crate) fn sanitize_subject(s: &str) -> String {
    truncate_chars(&clean_inline(s), MAX_SUBJECT_CHARS)
}

// ---------------------------------------------------------------------------
// Text hygiene.

/// Bidi controls: ALM, LRM, RLM, LRE..RLO, LRI..PDI.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Zero-width and other invisible format characters (incl. BOM and tags).
fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{180E}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

/// Characters removed from all article-derived text: controls (C0, DEL, C1),
/// bidi controls, zero-width characters.
fn is_invisible(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_zero_width(c)
}

/// One line of clean text: whitespace runs (including CR, LF, tabs, U+2028,
/// U+3000) become one space, invisible characters are removed, ends trimmed.
pub(crate) fn clean_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            pending_space = true;
        } else if is_invisible(c) {
            continue;
        } else {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
    }
    out
}

/// Characters that extend the previous one (combining marks, variation
/// selectors, emoji modifiers): a cut never separates them from their base.
/// A heuristic subset of Unicode's Grapheme_Extend.
fn is_extending(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{0483}'..='\u{0489}'
            | '\u{0591}'..='\u{05BD}'
            | '\u{0610}'..='\u{061A}'
            | '\u{064B}'..='\u{065F}'
            | '\u{0E31}'
            | '\u{0E34}'..='\u{0E3A}'
            | '\u{0E47}'..='\u{0E4E}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{200D}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{3099}'..='\u{309A}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FE20}'..='\u{FE2F}'
            | '\u{1F3FB}'..='\u{1F3FF}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// Byte index at which to cut `s` so that at most `max_chars - 1` characters
/// remain, moved back so the cut does not split a base from its marks.
/// `None` if `s` fits in `max_chars`.
fn cut_index(s: &str, max_chars: usize) -> Option<usize> {
    // Fits: nothing to cut.
    s.chars().nth(max_chars)?;
    let keep = max_chars.saturating_sub(1);
    let mut idx = s.char_indices().nth(keep).map_or(s.len(), |(i, _)| i);
    while idx > 0 && s[idx..].chars().next().is_some_and(is_extending) {
        idx = s[..idx].char_indices().next_back().map_or(0, |(i, _)| i);
    }
    Some(idx)
}

/// `s` cut to at most `max_chars` characters on a character boundary, with
/// `…` appended when cut.
pub(crate) fn truncate_chars(s: &str, max_chars: usize) -> String {
    match cut_index(s, max_chars) {
        None => s.to_owned(),
        Some(idx) => {
            let mut out = s[..idx].trim_end().to_owned();
            out.push('…');
            out
        }
    }
}

/// Like [`truncate_chars`], but prefers to cut at a space when the cut would
/// fall inside a Latin word (looking back at most 30 characters).
fn truncate_words(s: &str, max_chars: usize) -> String {
    let Some(idx) = cut_index(s, max_chars) else {
        return s.to_owned();
    };
    let before = s[..idx].chars().next_back();
    let after = s[idx..].chars().next();
    let in_word = matches!((before, after), (Some(b), Some(a))
        if b.is_alphanumeric() && a.is_alphanumeric()
            && render_text::char_width(b) == 1 && render_text::char_width(a) == 1);
    let mut cut = idx;
    if in_word {
        if let Some(sp) = s[..idx].rfind(' ') {
            if s[sp..idx].chars().count() <= 30 && sp > 0 {
                cut = sp;
            }
        }
    }
    let mut out = s[..cut].trim_end().to_owned();
    out.push('…');
    out
}

#[cfg(test)]
mod tests;
