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

#[cfg(test)]
mod tests {
    use super::super::render_stories;
    use super::super::tests::{subscriber, topics, utc};
    use super::*;
    use crate::analysis::diff::golden::{article_from, replace, seed_lines};
    use crate::config::{Language, MailFormat};
    use crate::model::{Article, TopicMatch};

    /// Copy `id` of the seed story from `source`; `cut` drops a paragraph
    /// and changes a number.
    fn member(id: i64, source: &str, original: bool, cut: bool) -> ClusterMember {
        let mut lines = seed_lines();
        if cut {
            lines.remove(4);
            replace(&mut lines, "《实施意见》中12项", "《实施意见》中15项");
        }
        ClusterMember {
            cluster: 1,
            article: Article {
                id: Some(id),
                source_id: source.into(),
                ..article_from(&lines)
            },
            original,
        }
    }

    fn item(m: &ClusterMember, score: f64) -> DigestItem {
        DigestItem {
            article_id: m.article.id.unwrap(),
            revision: 1,
            title: m.article.title.clone(),
            url: None,
            source_name: m.article.source_id.clone(),
            published_at: None,
            first_seen_at: utc(2024, 9, 2, 8, 0),
            lead: None,
            matches: vec![TopicMatch {
                topic_id: "reform".into(),
                score,
                hits: vec![],
            }],
        }
    }

    #[test]
    fn one_entry_per_story_names_outlets_flags_changes_and_carries_copies() {
        let members = vec![
            member(1, "xinhua", true, false),
            member(2, "zjrb", false, false),
            member(3, "jxrb", false, true),
            member(4, "hzrb", false, false),
            member(5, "nbrb", false, false),
        ];
        // The province's copy scored best; an unclustered article stays.
        let mut items: Vec<DigestItem> = members.iter().map(|m| item(m, 3.0)).collect();
        items[1].matches[0].score = 5.0;
        let mut alone = item(&member(9, "other", false, false), 1.0);
        alone.title = "另一篇".into();
        items.push(alone);
        let names = |id: &str| format!("{id}报");
        let (kept, copies) = fold(&items, &[members], &names);
        let ids: Vec<i64> = kept.iter().map(|i| i.article_id).collect();
        assert_eq!(ids, [2, 9]);
        let story = &copies[&2];
        assert_eq!(story.also_in, ["xinhua报", "jxrb报", "hzrb报", "nbrb报"]);
        assert_eq!(story.folded, [1, 3, 4, 5]);
        let changed: Vec<&str> = story
            .changed
            .iter()
            .map(|c| c.source_name.as_str())
            .collect();
        assert_eq!(changed, ["jxrb报"], "only the cut copy is substantive");

        let mut sub = subscriber(MailFormat::Html);
        sub.language = Language::Zh;
        let d = render_stories(
            &sub,
            &topics(),
            &kept,
            &[],
            &copies,
            utc(2024, 9, 2, 9, 0),
            30,
        );
        assert!(
            d.text.contains("另见于：xinhua报、jxrb报（+2）"),
            "{}",
            d.text
        );
        assert!(
            d.text.contains("改动的转载：jxrb报（对照xinhua报原文）"),
            "{}",
            d.text
        );
        assert!(d.text.contains("12") && d.text.contains("15"), "{}", d.text);
        assert!(d.html.unwrap().contains("改动的转载"));
        assert_eq!(d.carried.articles, [1, 2, 3, 4, 5, 9]);
    }
}
