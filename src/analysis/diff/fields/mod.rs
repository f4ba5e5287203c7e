//! Pure: which fields of an `Article` changed between two versions, and
//! how. Headings and paragraphs are aligned across sections as one body
//! (so a paragraph moved between sections is not "removed" and "added");
//! quotes are matched by speaker and reported on the body change that
//! carries them when there is one, so one edit is never shown twice.

use chrono_tz::Tz;

use super::align::{align, Step, Unit};
use super::classify::{classify_text, TextChange, PUBLISHED_TOLERANCE_SECS};
use super::inline::{diff_text, elide};
use super::tokens::{skeleton, word_chars};
use super::{ArticleDiff, ChangeKind, FieldChange, Location, Part, QuoteContext};
use crate::document::normalize::normalize_text;
use crate::model::ChangeClass;
use crate::model::{Article, Quote};

/// Paragraphs at least this similar are one paragraph edited.
const PARAGRAPH_PAIRING: f64 = 0.4;

/// Quotes by one speaker at least this similar are one quote edited.
const QUOTE_PAIRING: f64 = 0.3;

/// Body unit groups for alignment.
const PARAGRAPH: u8 = 1;
const HEADING: u8 = 2;

/// Every change between `old` and `new`, in reading order. Times render in
/// UTC until [`ArticleDiff::in_timezone`] says otherwise.
pub fn diff_articles(old: &Article, new: &Article) -> ArticleDiff {
    let names = speakers(old, new);
    let mut changes = Vec::new();
    let simple: [(Location, Option<&str>, Option<&str>, bool); 5] = [
        (
            Location::Kicker,
            old.kicker.as_deref(),
            new.kicker.as_deref(),
            false,
        ),
        (Location::Title, Some(&old.title), Some(&new.title), false),
        (
            Location::Subtitle,
            old.subtitle.as_deref(),
            new.subtitle.as_deref(),
            false,
        ),
        (
            Location::Byline,
            old.byline.as_deref(),
            new.byline.as_deref(),
            true,
        ),
        (
            Location::Outlet,
            old.outlet.as_deref(),
            new.outlet.as_deref(),
            true,
        ),
    ];
    for (location, a, b, strict) in simple {
        changes.extend(text_field(location, a, b, &names, strict));
    }
    if old.published_at != new.published_at {
        let class = match (old.published_at, new.published_at) {
            (Some(a), Some(b)) if (a - b).num_seconds().abs() > PUBLISHED_TOLERANCE_SECS => {
                ChangeClass::Substantive
            }
            _ => ChangeClass::Minor,
        };
        let kind = match (old.published_at, new.published_at) {
            (None, _) => ChangeKind::Added,
            (_, None) => ChangeKind::Removed,
            _ => ChangeKind::Changed,
        };
        changes.push(FieldChange {
            location: Location::Published {
                from: old.published_at,
                to: new.published_at,
            },
            kind,
            class,
            parts: Vec::new(),
            context: None,
        });
    }
    if !(lead_in_body(old) && lead_in_body(new)) {
        changes.extend(text_field(
            Location::Lead,
            old.lead.as_deref(),
            new.lead.as_deref(),
            &names,
            false,
        ));
    }
    let body_start = changes.len();
    let body_sides = body_changes(old, new, &names, &mut changes);
    quote_changes(old, new, &names, body_start, &body_sides, &mut changes);
    ArticleDiff {
        changes,
        timezone: Tz::UTC,
    }
}

/// Speaker names of both versions, sorted: a change that makes one appear
/// or disappear is substantive.
fn speakers(old: &Article, new: &Article) -> Vec<String> {
    let mut names: Vec<String> = old
        .quotes
        .iter()
        .chain(&new.quotes)
        .filter_map(|q| q.speaker.as_deref())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    names.sort();
    names.dedup();
    names
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

/// The change of a one-text field, if any.
fn text_field(
    location: Location,
    old: Option<&str>,
    new: Option<&str>,
    names: &[String],
    strict: bool,
) -> Option<FieldChange> {
    match (non_empty(old), non_empty(new)) {
        (None, None) => None,
        (Some(a), Some(b)) if a == b => None,
        (Some(a), Some(b)) => Some(edited(location, a, b, names, strict)),
        (Some(a), None) => Some(whole(location, ChangeKind::Removed, a)),
        (None, Some(b)) => Some(whole(location, ChangeKind::Added, b)),
    }
}

/// A field edited in place: inline diff, classified, elided for display.
fn edited(location: Location, old: &str, new: &str, names: &[String], strict: bool) -> FieldChange {
    let d = diff_text(old, new);
    let class = classify_text(&TextChange {
        old,
        new,
        parts: &d.parts,
        whole_sentences: d.whole_sentences,
        names,
        strict,
    });
    FieldChange {
        location,
        kind: ChangeKind::Changed,
        class,
        parts: elide(&d.parts),
        context: None,
    }
}

/// A field that exists in one version only: shown whole; substantive
/// unless it holds no words at all.
fn whole(location: Location, kind: ChangeKind, text: &str) -> FieldChange {
    let class = if word_chars(text) == 0 {
        ChangeClass::Cosmetic
    } else {
        ChangeClass::Substantive
    };
    let part = match kind {
        ChangeKind::Added => Part::Ins(text.to_string()),
        _ => Part::Del(text.to_string()),
    };
    FieldChange {
        location,
        kind,
        class,
        parts: vec![part],
        context: None,
    }
}

/// True when the lead is absent or is text of the body (its first
/// paragraph, usually), so body changes already show any lead change.
fn lead_in_body(a: &Article) -> bool {
    let Some(lead) = non_empty(a.lead.as_deref()) else {
        return true;
    };
    let lead = skeleton(lead);
    a.paragraphs().any(|p| skeleton(p).contains(&lead))
        || skeleton(&a.paragraphs().collect::<String>()).contains(&lead)
}

/// Headings and paragraphs of all sections in order, with their numbers.
fn body_units(a: &Article) -> (Vec<Unit<'_>>, Vec<usize>) {
    let mut units = Vec::new();
    let mut numbers = Vec::new();
    let (mut paragraphs, mut headings) = (0, 0);
    for section in &a.sections {
        if let Some(h) = non_empty(section.heading.as_deref()) {
            headings += 1;
            units.push(Unit {
                group: HEADING,
                text: h,
            });
            numbers.push(headings);
        }
        for p in &section.paragraphs {
            if non_empty(Some(p)).is_some() {
                paragraphs += 1;
                units.push(Unit {
                    group: PARAGRAPH,
                    text: p,
                });
                numbers.push(paragraphs);
            }
        }
    }
    (units, numbers)
}

/// The old and new skeletons of one body change, to find the quotes it
/// carries.
struct Sides {
    old: Option<String>,
    new: Option<String>,
}

/// Appends the body's changes; returns their sides, in the same order.
fn body_changes(
    old: &Article,
    new: &Article,
    names: &[String],
    changes: &mut Vec<FieldChange>,
) -> Vec<Sides> {
    let (old_u, old_n) = body_units(old);
    let (new_u, new_n) = body_units(new);
    let location = |u: &Unit<'_>, n: usize| {
        if u.group == HEADING {
            Location::Heading(n)
        } else {
            Location::Paragraph(n)
        }
    };
    let mut sides = Vec::new();
    let steps = drop_reflows(align(&old_u, &new_u, PARAGRAPH_PAIRING), &old_u, &new_u);
    for step in steps {
        let (change, side) = match step {
            Step::Same(..) => continue,
            Step::Changed(i, j) => (
                edited(
                    location(&old_u[i], old_n[i]),
                    old_u[i].text,
                    new_u[j].text,
                    names,
                    false,
                ),
                Sides {
                    old: Some(skeleton(old_u[i].text)),
                    new: Some(skeleton(new_u[j].text)),
                },
            ),
            Step::Removed(i) => (
                whole(
                    location(&old_u[i], old_n[i]),
                    ChangeKind::Removed,
                    old_u[i].text,
                ),
                Sides {
                    old: Some(skeleton(old_u[i].text)),
                    new: None,
                },
            ),
            Step::Added(j) => (
                whole(
                    location(&new_u[j], new_n[j]),
                    ChangeKind::Added,
                    new_u[j].text,
                ),
                Sides {
                    old: None,
                    new: Some(skeleton(new_u[j].text)),
                },
            ),
        };
        changes.push(change);
        sides.push(side);
    }
    sides
}

/// Most paragraphs one re-break can involve on either side together.
const MAX_REFLOW_STEPS: usize = 4;

/// Drops runs of steps that only re-break paragraphs (one split in two,
/// two merged, a boundary moved): the same text, whitespace aside, laid out
/// differently is not an edit (the revision hash agrees).
fn drop_reflows(steps: Vec<Step>, old: &[Unit<'_>], new: &[Unit<'_>]) -> Vec<Step> {
    let flat = |u: &Unit<'_>| -> String {
        normalize_text(u.text)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    };
    let contiguous = |v: &[usize]| v.windows(2).all(|w| w[1] == w[0] + 1);
    let mut out = Vec::with_capacity(steps.len());
    let mut k = 0;
    'steps: while k < steps.len() {
        for w in 2..=MAX_REFLOW_STEPS.min(steps.len() - k) {
            let (mut olds, mut news) = (Vec::new(), Vec::new());
            for step in &steps[k..k + w] {
                match *step {
                    Step::Same(..) => {
                        // A reflow never spans an unchanged paragraph.
                        olds.clear();
                        break;
                    }
                    Step::Changed(i, j) => {
                        olds.push(i);
                        news.push(j);
                    }
                    Step::Removed(i) => olds.push(i),
                    Step::Added(j) => news.push(j),
                }
            }
            olds.sort_unstable();
            news.sort_unstable();
            let paragraphs = olds.iter().all(|&i| old[i].group == PARAGRAPH)
                && news.iter().all(|&j| new[j].group == PARAGRAPH);
            if olds.is_empty()
                || news.is_empty()
                || !paragraphs
                || !contiguous(&olds)
                || !contiguous(&news)
            {
                continue;
            }
            let before: String = olds.iter().map(|&i| flat(&old[i])).collect();
            let after: String = news.iter().map(|&j| flat(&new[j])).collect();
            if before == after {
                k += w;
                continue 'steps;
            }
        }
        out.push(steps[k]);
        k += 1;
    }
    out
}

/// How a quote reads in a diff: `role speaker：text`.
fn quote_display(q: &Quote) -> String {
    let who = format!(
        "{}{}",
        q.role.as_deref().unwrap_or("").trim(),
        q.speaker.as_deref().unwrap_or("").trim()
    );
    if who.is_empty() {
        q.text.clone()
    } else {
        format!("{who}：{}", q.text)
    }
}

fn speaker_key(q: &Quote) -> String {
    skeleton(q.speaker.as_deref().unwrap_or(""))
}

/// Appends quote changes, matched by speaker; a quote change whose text
/// sits in a changed body paragraph is folded into that paragraph's change.
fn quote_changes(
    old: &Article,
    new: &Article,
    names: &[String],
    body_start: usize,
    body: &[Sides],
    changes: &mut Vec<FieldChange>,
) {
    let mut keys: Vec<String> = Vec::new();
    for q in old.quotes.iter().chain(&new.quotes) {
        let k = speaker_key(q);
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    for key in keys {
        let olds: Vec<&Quote> = old
            .quotes
            .iter()
            .filter(|q| speaker_key(q) == key)
            .collect();
        let news: Vec<&Quote> = new
            .quotes
            .iter()
            .filter(|q| speaker_key(q) == key)
            .collect();
        let old_text: Vec<String> = olds.iter().map(|q| quote_display(q)).collect();
        let new_text: Vec<String> = news.iter().map(|q| quote_display(q)).collect();
        let old_u: Vec<Unit<'_>> = old_text.iter().map(|s| Unit::plain(s)).collect();
        let new_u: Vec<Unit<'_>> = new_text.iter().map(|s| Unit::plain(s)).collect();
        for step in align(&old_u, &new_u, QUOTE_PAIRING) {
            let (old_q, new_q) = match step {
                Step::Same(..) => continue,
                Step::Changed(i, j) => (Some(olds[i]), Some(news[j])),
                Step::Removed(i) => (Some(olds[i]), None),
                Step::Added(j) => (None, Some(news[j])),
            };
            let speaker = old_q
                .or(new_q)
                .and_then(|q| non_empty(q.speaker.as_deref()))
                .map(|s| s.trim().to_string());
            let location = Location::Quote {
                speaker: speaker.clone(),
            };
            let change = match (old_q, new_q) {
                (Some(a), Some(b)) => {
                    edited(location, &quote_display(a), &quote_display(b), names, true)
                }
                (Some(a), None) => whole(location, ChangeKind::Removed, &quote_display(a)),
                (None, Some(b)) => whole(location, ChangeKind::Added, &quote_display(b)),
                (None, None) => continue,
            };
            let carrier = body.iter().position(|s| {
                let inside = |side: &Option<String>, q: Option<&Quote>| match (side, q) {
                    (Some(text), Some(q)) => {
                        let t = skeleton(&q.text);
                        !t.is_empty() && text.contains(&t)
                    }
                    _ => false,
                };
                inside(&s.old, old_q) || inside(&s.new, new_q)
            });
            match carrier {
                Some(k) => {
                    let host = &mut changes[body_start + k];
                    host.class = host.class.max(change.class);
                    if host.context.is_none() {
                        host.context = Some(QuoteContext {
                            speaker: speaker.clone(),
                        });
                    }
                }
                None => changes.push(change),
            }
        }
    }
}

#[cfg(test)]
mod tests;
