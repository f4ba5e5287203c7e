//! Pure: the view model the text and HTML renderers share. Everything in it
//! is already sanitized (one clean line, cut to length, links only
//! `http`/`https`), ordered and numbered, and times are in the
//! subscriber's zone, so the renderers only lay it out.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::render_text::char_width;
use super::revised::{self, RevisedItem, RevisedView};
use super::select::{Placed, Selection};
use crate::config;
use crate::document::text_hygiene::{fold_line, is_hidden};
use crate::mail::message::sanitize_subject;
use crate::mail::text::{cut_index, truncate_chars};
use crate::model;

/// Longest title shown in a body, in characters.
pub(super) const MAX_TITLE_CHARS: usize = 300;
/// Longest lead shown, in characters.
const MAX_LEAD_CHARS: usize = 200;
/// Longest source name shown, in characters.
pub(super) const MAX_SOURCE_CHARS: usize = 80;
/// Most matched terms listed per item.
const MAX_TERMS: usize = 10;

/// Everything the renderers show, already sanitized and ordered.
pub(super) struct DigestView {
    /// Who it is for (sanitized display name or email).
    pub(super) recipient: String,
    /// `now` in the subscriber's time zone, formatted.
    pub(super) generated: String,
    /// Time zone name.
    pub(super) tz_name: String,
    /// Groups in display order (non-empty groups only).
    pub(super) groups: Vec<GroupView>,
    /// Distinct new articles in the input plus the revised articles.
    pub(super) total: usize,
    /// How many of `total` are revisions of earlier articles: new articles
    /// at a revision above 1, and every article of the Revised section.
    pub(super) revised: usize,
    /// New articles not shown because of the item cap.
    pub(super) omitted: usize,
    /// The Revised section, after the groups (empty: no section).
    pub(super) revisions: Vec<RevisedView>,
    /// Names of the subscriber's topics, for the footer.
    pub(super) topic_names: Vec<String>,
}

/// One topic of the digest.
pub(super) struct GroupView {
    pub(super) name: String,
    /// Items in this group, including omitted ones.
    pub(super) total: usize,
    /// Items of this group left out because of the cap ("N more").
    pub(super) more: usize,
    pub(super) items: Vec<ItemView>,
}

/// One new article as shown.
pub(super) struct ItemView {
    pub(super) number: usize,
    pub(super) title: String,
    pub(super) url: Option<String>,
    pub(super) source: String,
    /// `2024-09-02 08:15`, or `seen 2024-09-02 08:15` without a published time.
    pub(super) time: String,
    pub(super) revision: u32,
    /// `改革 ×3 (标题 1)` entries.
    pub(super) terms: Vec<String>,
    /// Other subscribed topics this article also matched.
    pub(super) also: Vec<String>,
    pub(super) lead: Option<String>,
}

/// The view for `subscriber` of the `selection` of new articles (made
/// over the topic `order`) and the `revised` ones; `now` is when it is made.
pub(super) fn build_view(
    subscriber: &config::Subscriber,
    topics: &[config::Topic],
    order: &[&str],
    selection: Selection<'_>,
    revised: &[RevisedItem],
    now: DateTime<Utc>,
) -> DigestView {
    let tz: Tz = subscriber.timezone;
    let topic_name = |id: &str| -> String {
        let name = topics
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.name.as_str())
            .filter(|n| !fold_line(n).is_empty())
            .unwrap_or(id);
        truncate_chars(&fold_line(name), 60)
    };
    let topic_names: Vec<String> = order.iter().map(|id| topic_name(id)).collect();

    let mut groups = Vec::new();
    // Items are numbered across groups; the last number is how many show.
    let mut number = 0usize;
    for group in selection.groups {
        let name = match group.topic {
            Some(pos) => topic_names[pos].clone(),
            None => "Other".to_owned(),
        };
        let mut views = Vec::new();
        for &placed in &group.shown {
            number += 1;
            views.push(item_view(placed, number, order, &topic_name, tz));
        }
        groups.push(GroupView {
            name,
            total: group.total,
            more: group.total - views.len(),
            items: views,
        });
    }

    let recipient = subscriber
        .name
        .as_deref()
        .map(fold_line)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| fold_line(&subscriber.email));
    DigestView {
        recipient: truncate_chars(&recipient, 80),
        generated: format_time(now, tz),
        tz_name: tz.name().to_owned(),
        groups,
        total: selection.distinct + revised.len(),
        revised: selection.revised + revised.len(),
        omitted: selection.distinct - number,
        revisions: revised.iter().map(|r| revised::view(r, tz)).collect(),
        topic_names,
    }
}

fn item_view(
    (item, m): Placed<'_>,
    number: usize,
    order: &[&str],
    topic_name: &dyn Fn(&str) -> String,
    tz: Tz,
) -> ItemView {
    let mut title = truncate_chars(&fold_line(&item.title), MAX_TITLE_CHARS);
    if title.is_empty() {
        title = "(untitled)".to_owned();
    }
    let time = match item.published_at {
        Some(p) => format_time(p, tz),
        None => format!("seen {}", format_time(item.first_seen_at, tz)),
    };
    let terms = m.map(term_lines).unwrap_or_default();
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
        .map(fold_line)
        .filter(|l| !l.is_empty())
        .map(|l| truncate_words(&l, MAX_LEAD_CHARS));
    let mut source = truncate_chars(&fold_line(&item.source_name), MAX_SOURCE_CHARS);
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

/// `改革 ×3 (标题 1)` for the most frequent terms of a match.
fn term_lines(m: &model::TopicMatch) -> Vec<String> {
    let mut hits: Vec<&model::TermHit> = m.hits.iter().collect();
    hits.sort_by_key(|h| std::cmp::Reverse(h.title.saturating_add(h.body)));
    let mut terms = Vec::new();
    for h in hits.into_iter().take(MAX_TERMS) {
        let term = truncate_chars(&fold_line(&h.term), 40);
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
    terms
}

/// The subject line: counts of new and revised articles, then per topic.
pub(super) fn subject_line(view: &DigestView) -> String {
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

/// `… and N more in TOPIC not shown here.`, the note closing a capped topic.
pub(super) fn more_line(more: usize, topic: &str) -> String {
    format!(
        "… and {more} more article{} in {topic} not shown here.",
        if more == 1 { "" } else { "s" }
    )
}

/// `2024-09-02 08:15` in zone `tz`.
pub(super) fn format_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// The URL in normalized form if it is an absolute `http`/`https` URL.
pub(super) fn safe_url(raw: &str) -> Option<String> {
    let cleaned: String = raw.trim().chars().filter(|c| !is_hidden(*c)).collect();
    let url = url::Url::parse(&cleaned).ok()?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Some(url.to_string()),
        _ => None,
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
            && char_width(b) == 1 && char_width(a) == 1);
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
