//! Pure: the view model the text and HTML renderers and `articles.csv`
//! share. Everything in it is already sanitized (one clean line, cut to
//! length, links only `http`/`https`), ranked and in the subscriber's
//! language and time zone, so the renderers only lay it out.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::copies::{ChangedCopy, StoryCopies, SHOWN_OUTLETS};
use super::lang::Words;
use super::render_text::char_width;
use super::revised::{self, RevisedItem, RevisedView};
use super::select::{sort_time, Placed, Selection};
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
    /// The subscriber's language.
    pub(super) words: Words,
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
    /// The Revised section, after the groups (empty: no section).
    pub(super) revisions: Vec<RevisedView>,
    /// Names of the subscriber's topics, for the footer.
    pub(super) topic_names: Vec<String>,
}

/// One topic of the digest.
pub(super) struct GroupView {
    /// The topic's name (its id when it has none).
    pub(super) name: String,
    /// Every article of the topic, ranked (best first).
    pub(super) items: Vec<ItemView>,
    /// How many of the best-ranked may be shown in full (`max_items` share).
    pub(super) full_quota: usize,
}

/// One new article as shown.
pub(super) struct ItemView {
    /// Database id, to record what the message carried.
    pub(super) article_id: i64,
    pub(super) title: String,
    pub(super) url: Option<String>,
    pub(super) source: String,
    /// `2 Sep 2024 08:15`, or `seen 2 Sep 2024 08:15` without a published time.
    pub(super) time: String,
    /// Display order within a tier: newest first.
    pub(super) sort_time: DateTime<Utc>,
    /// The published time for `articles.csv`: `2024-09-02 08:15`, zoned.
    pub(super) published: Option<String>,
    /// The match's score, for `articles.csv`.
    pub(super) score: Option<f64>,
    pub(super) revision: u32,
    /// `改革 ×3 (title 1)` entries.
    pub(super) terms: Vec<String>,
    /// Other subscribed topics this article also matched.
    pub(super) also: Vec<String>,
    pub(super) lead: Option<String>,
    /// `Also in: 浙江日报, 嘉兴日报 (+3)`: other outlets carrying the story.
    pub(super) copies: Option<String>,
    /// Copies that changed the story, each with its diff.
    pub(super) changed: Vec<ChangedView>,
    /// Copies folded into this entry, carried with it.
    pub(super) folded: Vec<i64>,
}

/// A copy that differs substantively from the story's original.
pub(super) struct ChangedView {
    /// `Changed copy: 嘉兴日报, against the original in 新华网`.
    pub(super) head: String,
    /// The diff as `reformwatch diff` prints it.
    pub(super) diff_text: String,
    /// The diff as `reformwatch diff --format html` prints it.
    pub(super) diff_html: String,
}

/// The view for `subscriber` of the `selection` of new articles (made
/// over the topic `order`) and the `revised` ones; `now` is when it is made.
pub(super) fn build_view(
    subscriber: &config::Subscriber,
    topics: &[config::Topic],
    order: &[&str],
    selection: Selection<'_>,
    revised: &[RevisedItem],
    copies: &HashMap<i64, StoryCopies>,
    now: DateTime<Utc>,
) -> DigestView {
    let tz: Tz = subscriber.timezone;
    let words = Words(subscriber.language);
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

    let ctx = ItemContext {
        order,
        topic_name: &topic_name,
        tz,
        words,
        now,
        copies,
    };
    let groups = selection
        .groups
        .iter()
        .map(|group| GroupView {
            name: match group.topic {
                Some(pos) => topic_names[pos].clone(),
                None => words.other_topic().to_owned(),
            },
            items: group.ranked.iter().map(|&p| item_view(p, &ctx)).collect(),
            full_quota: group.full_quota,
        })
        .collect();

    let recipient = subscriber
        .name
        .as_deref()
        .map(fold_line)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| fold_line(&subscriber.email));
    DigestView {
        words,
        recipient: truncate_chars(&recipient, 80),
        generated: words.time(now, tz),
        tz_name: tz.name().to_owned(),
        groups,
        total: selection.distinct + revised.len(),
        revised: selection.revised + revised.len(),
        revisions: revised
            .iter()
            .map(|r| revised::view(r, tz, words))
            .collect(),
        topic_names,
    }
}

/// What every item's view needs besides the item.
struct ItemContext<'a> {
    order: &'a [&'a str],
    topic_name: &'a dyn Fn(&str) -> String,
    tz: Tz,
    words: Words,
    now: DateTime<Utc>,
    copies: &'a HashMap<i64, StoryCopies>,
}

fn item_view((item, m): Placed<'_>, ctx: &ItemContext<'_>) -> ItemView {
    let words = ctx.words;
    let mut title = truncate_chars(&fold_line(&item.title), MAX_TITLE_CHARS);
    if title.is_empty() {
        title = words.untitled().to_owned();
    }
    let time = match item.published_at {
        Some(p) => words.time(p, ctx.tz),
        None => words.seen(&words.time(item.first_seen_at, ctx.tz)),
    };
    let terms = m.map(|m| term_lines(m, words)).unwrap_or_default();
    let chosen = m.map(|m| m.topic_id.as_str());
    let mut also: Vec<String> = Vec::new();
    for t in ctx.order {
        if Some(*t) != chosen && item.matches.iter().any(|x| x.topic_id == *t) {
            also.push((ctx.topic_name)(t));
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
        source = words.unknown_source().to_owned();
    }
    let story = ctx.copies.get(&item.article_id);
    ItemView {
        article_id: item.article_id,
        title,
        url: item.url.as_deref().and_then(safe_url),
        source,
        time,
        sort_time: sort_time(item, ctx.now),
        published: item.published_at.map(|p| {
            p.with_timezone(&ctx.tz)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        }),
        score: m.map(|m| m.score).filter(|s| s.is_finite()),
        revision: item.revision,
        terms,
        also,
        lead,
        copies: story.and_then(|c| copies_line(&c.also_in, words)),
        changed: story
            .map(|c| c.changed.iter().map(|x| changed_view(x, ctx)).collect())
            .unwrap_or_default(),
        folded: story.map(|c| c.folded.clone()).unwrap_or_default(),
    }
}

/// `Also in: 浙江日报, 嘉兴日报 (+3)`, when there are other outlets.
fn copies_line(outlets: &[String], words: Words) -> Option<String> {
    if outlets.is_empty() {
        return None;
    }
    let names: Vec<String> = outlets
        .iter()
        .take(SHOWN_OUTLETS)
        .map(|n| truncate_chars(&fold_line(n), MAX_SOURCE_CHARS))
        .collect();
    let mut line = format!("{}{}", words.copies_label(), names.join(words.list_sep()));
    if outlets.len() > SHOWN_OUTLETS {
        line.push_str(&words.more(outlets.len() - SHOWN_OUTLETS));
    }
    Some(line)
}

fn changed_view(copy: &ChangedCopy, ctx: &ItemContext<'_>) -> ChangedView {
    let clean = |n: &str| truncate_chars(&fold_line(n), MAX_SOURCE_CHARS);
    let diff = copy.diff.clone().in_timezone(ctx.tz);
    ChangedView {
        head: ctx
            .words
            .changed_copy(&clean(&copy.source_name), &clean(&copy.original_source)),
        diff_text: diff.to_text_in(ctx.words.0),
        diff_html: diff.to_html_in(ctx.words.0),
    }
}

/// `改革 ×3 (title 1)` for the most frequent terms of a match.
fn term_lines(m: &model::TopicMatch, words: Words) -> Vec<String> {
    let mut hits: Vec<&model::TermHit> = m.hits.iter().collect();
    hits.sort_by_key(|h| std::cmp::Reverse(h.title.saturating_add(h.body)));
    let mut terms = Vec::new();
    for h in hits.into_iter().take(MAX_TERMS) {
        let term = truncate_chars(&fold_line(&h.term), 40);
        if term.is_empty() {
            continue;
        }
        terms.push(words.term(&term, h.title.saturating_add(h.body), h.title));
    }
    terms
}

/// The subject line: counts of new and revised articles, then per topic.
pub(super) fn subject_line(view: &DigestView) -> String {
    let words = view.words;
    let mut s = words.subject(view.total - view.revised, view.revised);
    // Per-topic counts of new articles, in display order.
    let counts: Vec<(String, usize)> = view
        .groups
        .iter()
        .map(|g| (g.name.clone(), g.items.len()))
        .collect();
    if !counts.is_empty() {
        s.push_str(" · ");
        s.push_str(&words.subject_topics(&counts));
    }
    sanitize_subject(&s)
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
