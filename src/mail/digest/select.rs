//! Pure: how a subscriber's pending articles are grouped and ranked. Each
//! article appears once (its highest revision), under its best-scoring
//! topic among the subscriber's; topics follow the subscriber's configured
//! order with unmatched articles last. Within a topic articles are ranked
//! best score first (newest first on equal scores), and every topic gets a
//! fair share of `[mail] max_items` for the full treatment. Which articles
//! the body then shows, and how, is the layout's decision (`layout.rs`);
//! nothing here leaves an article out.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::model::{DigestItem, TopicMatch};

/// An article and the match that placed it in its group.
pub(super) type Placed<'a> = (&'a DigestItem, Option<&'a TopicMatch>);

/// One topic group, in display order.
pub(super) struct Group<'a> {
    /// Position of the topic in the subscriber's order; `None` for the
    /// articles whose matches name none of the subscriber's topics.
    pub(super) topic: Option<usize>,
    /// Every article of this group, ranked: best score first, newest first
    /// on equal scores.
    pub(super) ranked: Vec<Placed<'a>>,
    /// How many of the best-ranked may get the full treatment: the group's
    /// fair share of `max_items`.
    pub(super) full_quota: usize,
}

/// A digest's new articles, grouped and ranked.
pub(super) struct Selection<'a> {
    /// Non-empty groups in display order.
    pub(super) groups: Vec<Group<'a>>,
    /// Distinct articles in the input (after de-duplication by id).
    pub(super) distinct: usize,
    /// How many of them are at a revision above 1.
    pub(super) revised: usize,
}

/// The subscriber's topic ids in configured order, without duplicates.
pub(super) fn topic_order(topics: &[String]) -> Vec<&str> {
    let mut order: Vec<&str> = Vec::new();
    for t in topics {
        if !order.contains(&t.as_str()) {
            order.push(t.as_str());
        }
    }
    order
}

/// When an article counts as published for ordering: its published time,
/// unless that is more than a day after `now` (then when it was first seen).
pub(super) fn sort_time(item: &DigestItem, now: DateTime<Utc>) -> DateTime<Utc> {
    match item.published_at {
        Some(p) if p <= now + chrono::Duration::days(1) => p,
        _ => item.first_seen_at,
    }
}

/// Groups `items` under the topics of `order` and ranks each group; at
/// most `max_items` (at least 1) of all may get the full treatment.
pub(super) fn select<'a>(
    order: &[&str],
    items: &'a [DigestItem],
    now: DateTime<Utc>,
    max_items: usize,
) -> Selection<'a> {
    let unique = latest_revisions(items);
    let mut grouped = by_best_topic(order, &unique);
    // Subscriber order first, unmatched articles last.
    grouped.sort_by_key(|(k, _)| k.map_or(usize::MAX, |p| p));

    let sizes: Vec<usize> = grouped.iter().map(|(_, m)| m.len()).collect();
    let quotas = fair_quotas(&sizes, max_items.max(1));
    let mut groups = Vec::new();
    for ((topic, mut members), full_quota) in grouped.into_iter().zip(quotas) {
        members.sort_by(|a, b| {
            let score = |p: &Placed<'_>| score_key(p.1.map_or(f64::NAN, |m| m.score));
            score(b)
                .total_cmp(&score(a))
                .then_with(|| sort_time(b.0, now).cmp(&sort_time(a.0, now)))
                .then_with(|| b.0.article_id.cmp(&a.0.article_id))
        });
        groups.push(Group {
            topic,
            ranked: members,
            full_quota,
        });
    }
    Selection {
        groups,
        distinct: unique.len(),
        revised: unique.iter().filter(|i| i.revision > 1).count(),
    }
}

/// One entry per article: the highest revision (later input wins a tie),
/// in order of first appearance.
fn latest_revisions(items: &[DigestItem]) -> Vec<&DigestItem> {
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
    unique
}

/// Each article under its best-scoring topic of `order` (on equal scores
/// the earlier configured topic), with the match that placed it; articles
/// matching none of them under `None` with their first match.
fn by_best_topic<'a>(
    order: &[&str],
    unique: &[&'a DigestItem],
) -> Vec<(Option<usize>, Vec<Placed<'a>>)> {
    let mut grouped: Vec<(Option<usize>, Vec<Placed<'a>>)> = Vec::new();
    for &item in unique {
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
    grouped
}

/// How many items each group may show so that at most `cap` are shown in
/// all: every group gets an equal share, a group needing less than its
/// share gives the rest to the others, and the remainder of an uneven split
/// goes to the earlier groups.
pub(super) fn fair_quotas(sizes: &[usize], cap: usize) -> Vec<usize> {
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

/// NaN scores sort last.
fn score_key(s: f64) -> f64 {
    if s.is_nan() {
        f64::NEG_INFINITY
    } else {
        s
    }
}
