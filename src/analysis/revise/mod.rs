//! Pure: whether a freshly fetched article is a new revision of what is
//! stored, and what changed.
//!
//! Owns the *revision* notion of "the same text": [`normalized_text`] (every
//! field through [`normalize_text`], minus the parts a source's `ignore`
//! patterns match: view counters, `本文更新于…` lines) and its
//! [`revision_hash`]. [`decide`] compares a new version with the last few
//! stored revisions and returns a [`RevisionDecision`] for the store to act
//! on: a page that flips between two versions (A/B/A) matches an earlier
//! revision instead of counting as a new edit each time, and a real edit is
//! diffed against the nearest earlier revision. No I/O, no clock.

use std::borrow::Cow;

use regex::Regex;
use xxhash_rust::xxh3::xxh3_64;

use crate::analysis::diff::{diff_articles, is_cjk, ArticleDiff};
use crate::document::normalize::normalize_text;
use crate::model::{Article, ChangeClass, StoredRevision};

/// How many of the newest stored revisions [`decide`] compares with; pass
/// at most this many (more are ignored).
pub const COMPARED_REVISIONS: usize = 5;

/// What to do with a freshly fetched version of an article.
#[derive(Debug, Clone, PartialEq)]
pub enum RevisionDecision {
    /// Nothing is stored yet: this is revision 1.
    New,
    /// The same as the newest revision: store nothing new.
    Unchanged,
    /// The same as an earlier (not the newest) revision, as when a page
    /// flips between two versions: store no revision and mail nothing.
    SameAsEarlier {
        /// The earlier revision it matches.
        revision: u32,
    },
    /// An edit: store the next revision with `class`, and show `diff`.
    Changed {
        /// The revision the diff is against: the nearest of the compared
        /// ones (the newest on a tie).
        base: u32,
        /// The class of the edit (that of its weightiest change).
        class: ChangeClass,
        /// What changed, field by field.
        diff: ArticleDiff,
    },
}

/// The revision comparison form of an article: one line per field value
/// (kicker, title, subtitle, byline, outlet, published time, lead, section
/// headings, the paragraphs between two headings, quotes), each labelled, [`normalize_text`]ed, with
/// the parts the `ignore` patterns match removed and lines left empty
/// dropped. `fetched_at`, `updated_at`, ids and URLs are not content.
///
/// Patterns are matched against each field value (a title, a paragraph)
/// on its own, so `^` and `$` anchor to the value; they are applied before
/// and after normalization, so `浏览次数：\d+` and `浏览次数:\d+` both
/// match either width. Spaces next to CJK text are dropped as layout.
pub fn normalized_text(article: &Article, ignore: &[Regex]) -> String {
    let text_len = article.title.len()
        + article.lead.as_ref().map_or(0, String::len)
        + article.paragraphs().map(str::len).sum::<usize>();
    let mut out = String::with_capacity(text_len + 128);
    // `value` is already stripped and normalized.
    let mut push = |label: &str, value: &str| {
        if !value.is_empty() {
            out.push_str(label);
            out.push_str(": ");
            out.push_str(value);
            out.push('\n');
        }
    };
    let clean = |value: Option<&str>| value.map_or(String::new(), |v| strip_normalized(v, ignore));
    push("kicker", &clean(article.kicker.as_deref()));
    push("title", &clean(Some(&article.title)));
    push("subtitle", &clean(article.subtitle.as_deref()));
    push("byline", &clean(article.byline.as_deref()));
    push("outlet", &clean(article.outlet.as_deref()));
    let published = article
        .published_at
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    push("published", published.as_deref().unwrap_or(""));
    let lead = clean(article.lead.as_deref());
    push("lead", &lead);
    // The paragraphs between two headings form one line: where a site
    // breaks its paragraphs (a `<br>` become a `<p>`) is layout, not an
    // edit. Each paragraph is stripped on its own, so `$` never reaches
    // into the next one.
    let mut body: Vec<String> = Vec::new();
    let join = |body: &[String]| {
        let parts: Vec<&str> = body
            .iter()
            .map(String::as_str)
            .filter(|p| !p.is_empty())
            .collect();
        drop_cjk_spaces(parts.join(" "))
    };
    for section in &article.sections {
        if section.heading.is_some() {
            push("body", &join(&body));
            body.clear();
        }
        push("heading", &clean(section.heading.as_deref()));
        // A feed's lead is usually its first paragraph word for word: its
        // stripped form is known already.
        body.extend(section.paragraphs.iter().map(|p| {
            if article.lead.as_deref() == Some(p.as_str()) {
                lead.clone()
            } else {
                strip_normalized(p, ignore)
            }
        }));
    }
    push("body", &join(&body));
    for q in &article.quotes {
        let text = strip_normalized(&q.text, ignore);
        if !text.is_empty() {
            let who = format!(
                "{} {}",
                clean(q.role.as_deref()),
                clean(q.speaker.as_deref())
            );
            push("quote", &format!("{who}|{text}"));
        }
    }
    out
}

/// Hex xxh3-64 of [`normalized_text`]: equal hashes mean the same revision.
pub fn revision_hash(article: &Article, ignore: &[Regex]) -> String {
    format!(
        "{:016x}",
        xxh3_64(normalized_text(article, ignore).as_bytes())
    )
}

/// Removes what the patterns match, normalizes, removes again, then drops
/// the spaces that mean nothing in Chinese text.
fn strip_normalized(value: &str, ignore: &[Regex]) -> String {
    let normalized = normalize_text(&strip(value, ignore));
    let again = match strip(&normalized, ignore) {
        Cow::Owned(again) if again.len() != normalized.len() => normalize_text(&again),
        _ => normalized,
    };
    drop_cjk_spaces(again)
}

/// Drops each (already folded) space next to a CJK character or a
/// non-ASCII punctuation mark: page layout puts such spaces in and takes
/// them out at will (`改革 开放`, `地, 开天`, `AI 改革`), while spaces
/// between Latin words are kept. Hands `s` back untouched when no space
/// goes (no copy: this runs on every field of every polled article).
fn drop_cjk_spaces(s: String) -> String {
    let wide = |c: char| is_cjk(c) || (!c.is_ascii() && !c.is_alphanumeric());
    let mut out: Option<String> = None;
    // Start of the text not yet copied to `out`.
    let mut run = 0;
    // Only the spaces and their neighbours are looked at, not every char.
    for i in memchr::memchr_iter(b' ', s.as_bytes()) {
        let prev = s[..i].chars().next_back();
        let next = s[i + 1..].chars().next();
        let layout = match (prev, next) {
            (Some(p), Some(n)) => wide(p) || wide(n),
            _ => false,
        };
        if layout {
            let o = out.get_or_insert_with(|| String::with_capacity(s.len()));
            o.push_str(&s[run..i]);
            run = i + 1;
        }
    }
    match out {
        Some(mut o) => {
            o.push_str(&s[run..]);
            o
        }
        None => s,
    }
}

/// `value` without what the patterns match (borrowed when nothing matched).
fn strip<'a>(value: &'a str, ignore: &[Regex]) -> Cow<'a, str> {
    let mut s = Cow::Borrowed(value);
    for re in ignore {
        if re.is_match(&s) {
            s = Cow::Owned(re.replace_all(&s, "").into_owned());
        }
    }
    s
}

/// The display form of an article with the `ignore` matches removed, so a
/// diff never shows a view counter ticking. A value whose match only shows
/// after normalization is replaced by its normalized form.
pub fn without_ignored(article: &Article, ignore: &[Regex]) -> Article {
    if ignore.is_empty() {
        return article.clone();
    }
    let clean = |v: &str| -> String {
        let stripped = strip(v, ignore);
        if stripped != v {
            // Keep the display form (full-width punctuation): only fold the
            // whitespace the removal left behind.
            return stripped.split_whitespace().collect::<Vec<_>>().join(" ");
        }
        let normalized = normalize_text(v);
        let again = strip(&normalized, ignore);
        if again != normalized {
            normalize_text(&again)
        } else {
            v.to_string()
        }
    };
    let opt = |v: &Option<String>| v.as_deref().map(clean).filter(|s| !s.is_empty());
    let mut a = article.clone();
    a.kicker = opt(&article.kicker);
    a.title = clean(&article.title);
    a.subtitle = opt(&article.subtitle);
    a.byline = opt(&article.byline);
    a.outlet = opt(&article.outlet);
    a.lead = opt(&article.lead);
    for section in &mut a.sections {
        section.heading = opt(&section.heading);
        section.paragraphs = section
            .paragraphs
            .iter()
            .map(|p| clean(p))
            .filter(|p| !p.is_empty())
            .collect();
    }
    a.sections
        .retain(|s| s.heading.is_some() || !s.paragraphs.is_empty());
    for q in &mut a.quotes {
        q.text = clean(&q.text);
    }
    a.quotes.retain(|q| !q.text.is_empty());
    a
}

/// The diff between two stored versions as subscribers see it: the
/// `ignore` matches removed from both first. `decide`, the digest and
/// `reformwatch diff` all go through here, so they show the same diff.
pub fn diff_revisions(old: &Article, new: &Article, ignore: &[Regex]) -> ArticleDiff {
    diff_articles(&without_ignored(old, ignore), &without_ignored(new, ignore))
}

/// Decides what a freshly fetched `new` version means, given the newest
/// stored revisions (`previous`, newest first; the first
/// [`COMPARED_REVISIONS`] are used) and the source's `ignore` patterns.
///
/// A stored revision matches when its stored hash or its hash recomputed
/// with the current patterns equals the new one, so editing a source's
/// `ignore` list never makes a spurious revision.
pub fn decide(previous: &[StoredRevision], new: &Article, ignore: &[Regex]) -> RevisionDecision {
    let compared = &previous[..previous.len().min(COMPARED_REVISIONS)];
    if compared.is_empty() {
        return RevisionDecision::New;
    }
    let hash = revision_hash(new, ignore);
    let matches = |r: &StoredRevision| r.hash == hash || revision_hash(&r.article, ignore) == hash;
    if let Some(pos) = compared.iter().position(matches) {
        return if pos == 0 {
            RevisionDecision::Unchanged
        } else {
            RevisionDecision::SameAsEarlier {
                revision: compared[pos].revision,
            }
        };
    }
    // The nearest by edit size; `min_by_key` keeps the first (newest) on a tie.
    let nearest = compared
        .iter()
        .map(|r| (r.revision, diff_revisions(&r.article, new, ignore)))
        .min_by_key(|(_, diff)| diff.edit_size());
    let Some((base, diff)) = nearest else {
        return RevisionDecision::New;
    };
    RevisionDecision::Changed {
        base,
        // A hash change that shows as no visible change (a quote role's
        // spacing, say) is at most cosmetic.
        class: diff.class().unwrap_or(ChangeClass::Cosmetic),
        diff,
    }
}

#[cfg(test)]
mod tests;
