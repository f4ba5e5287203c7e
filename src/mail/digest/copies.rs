//! Pure: folding the copies of one story (a wire-copy cluster) into one
//! digest entry. The pending articles of a cluster become one item, its
//! best-scoring copy, which names the other outlets ("also in") and shows
//! each copy that differs substantively from the original as a diff
//! against it (the revision diff's change classes). The folded copies go
//! with that item: the message carries them when it carries the item.

use std::collections::HashMap;

use crate::analysis::cluster::copy_diff;
use crate::analysis::diff::ArticleDiff;
use crate::model::{ChangeClass, ClusterMember, DigestItem};

/// Names shown in the "also in" line before `(+N)`.
pub(super) const SHOWN_OUTLETS: usize = 2;

/// What a digest item stands for besides itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoryCopies {
    /// The display names of the other outlets carrying the story,
    /// original first, each once.
    pub also_in: Vec<String>,
    /// Copies that differ substantively from the original.
    pub changed: Vec<ChangedCopy>,
    /// The pending articles folded into the item.
    pub folded: Vec<i64>,
}

/// A copy that changed the story, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangedCopy {
    /// Display name of the copy's source.
    pub source_name: String,
    /// Display name of the original's source.
    pub original_source: String,
    /// The copy against the original.
    pub diff: ArticleDiff,
}

/// Folds `items` by the story `clusters` they belong to: one item per
/// cluster (the best-scoring one; ties to the original, then the lowest
/// id), the others left out and listed in its [`StoryCopies`], keyed by
/// the kept item's id. `name` gives a source id's display name.
pub fn fold(
    items: &[DigestItem],
    clusters: &[Vec<ClusterMember>],
    name: &dyn Fn(&str) -> String,
) -> (Vec<DigestItem>, HashMap<i64, StoryCopies>) {
    let cluster_of: HashMap<i64, usize> = clusters
        .iter()
        .enumerate()
        .flat_map(|(c, members)| members.iter().filter_map(move |m| Some((m.article.id?, c))))
        .collect();
    let mut kept: Vec<DigestItem> = Vec::with_capacity(items.len());
    let mut best: HashMap<usize, usize> = HashMap::new();
    let mut folded: HashMap<usize, Vec<i64>> = HashMap::new();
    for item in items {
        let Some(&c) = cluster_of.get(&item.article_id) else {
            kept.push(item.clone());
            continue;
        };
        match best.get(&c) {
            None => {
                best.insert(c, kept.len());
                kept.push(item.clone());
            }
            Some(&at) => {
                let original = |id: i64| {
                    clusters[c]
                        .iter()
                        .any(|m| m.original && m.article.id == Some(id))
                };
                let key = |i: &DigestItem| (score(i), original(i.article_id), -i.article_id);
                let loser = if key(item) > key(&kept[at]) {
                    std::mem::replace(&mut kept[at], item.clone()).article_id
                } else {
                    item.article_id
                };
                folded.entry(c).or_default().push(loser);
            }
        }
    }
    let mut copies = HashMap::new();
    for (c, at) in best {
        let members = &clusters[c];
        let keep = &kept[at];
        let Some(original) = members.iter().find(|m| m.original).or(members.first()) else {
            continue;
        };
        let mut also_in: Vec<String> = Vec::new();
        let mut changed = Vec::new();
        for m in members {
            let source = name(&m.article.source_id);
            if m.article.id != Some(keep.article_id)
                && source != keep.source_name
                && !also_in.contains(&source)
            {
                also_in.push(source.clone());
            }
            if std::ptr::eq(m, original) {
                continue;
            }
            let diff = copy_diff(&original.article, &m.article);
            if diff.class() == Some(ChangeClass::Substantive) {
                changed.push(ChangedCopy {
                    source_name: source,
                    original_source: name(&original.article.source_id),
                    diff,
                });
            }
        }
        let mut ids = folded.remove(&c).unwrap_or_default();
        ids.sort_unstable();
        copies.insert(
            keep.article_id,
            StoryCopies {
                also_in,
                changed,
                folded: ids,
            },
        );
    }
    (kept, copies)
}

/// An item's best score among its topics.
fn score(item: &DigestItem) -> Ordered {
    Ordered(
        item.matches
            .iter()
            .map(|m| m.score)
            .filter(|s| s.is_finite())
            .fold(f64::MIN, f64::max),
    )
}

/// A finite score that orders.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
struct Ordered(f64);
