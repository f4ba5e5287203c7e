//! The cluster step of a poll: after a batch of records is written, each
//! new article is placed among the stored articles of the last
//! [`WINDOW_DAYS`] that share an LSH band with it (read from the store),
//! by the pure clusterer; the store then records the placements and the
//! originals that changed. Articles too short to cluster cost only their
//! shingling: they are neither looked up nor stored.
//!
//! The placements are a second transaction after the batch's: a crash in
//! between leaves those articles unclustered (shown as stories of their
//! own), never wrong.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use crate::analysis::cluster::{self, ClusterIndex, Fingerprint, Member, WINDOW_DAYS};
use crate::config::Source;
use crate::model::{SourceOutcome, SourceRecord};
use crate::store::clusters::Placed;
use crate::store::{Store, StoreError};

/// Places the new articles of `records` (stored as `new_ids`, see
/// [`crate::store::sources::ApplyReport::new_ids`]) in story clusters.
/// `originals` are the ids of sources marked `original = true`.
pub(super) fn place_new(
    store: &Store,
    originals: &HashSet<&str>,
    records: &[SourceRecord],
    new_ids: &[(usize, usize, i64)],
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let window = Duration::days(WINDOW_DAYS);
    let mut news: Vec<(Member, Fingerprint)> = Vec::new();
    for &(r, i, id) in new_ids {
        let Some(SourceOutcome::Fetched(f)) = records.get(r).map(|r| &r.outcome) else {
            continue;
        };
        let Some(new) = f.new.get(i) else { continue };
        let Some(fingerprint) = Fingerprint::of_clusterable(&new.article) else {
            continue;
        };
        let member = Member {
            id,
            source_id: new.article.source_id.clone(),
            at: new.article.published_at.unwrap_or(now),
            original: originals.contains(new.article.source_id.as_str()),
        };
        news.push((member, fingerprint));
    }
    if news.is_empty() {
        return Ok(0);
    }
    let keys: Vec<i64> = {
        let mut k: Vec<i64> = news.iter().flat_map(|(_, f)| f.band_keys()).collect();
        k.sort_unstable();
        k.dedup();
        k
    };
    let earliest = news.iter().map(|(m, _)| m.at).min().unwrap_or(now);
    let latest = news.iter().map(|(m, _)| m.at).max().unwrap_or(now);
    let mut index = ClusterIndex::new(window);
    for c in store.cluster_candidates(&keys, earliest - window, latest + window)? {
        index.restore(c.member, Fingerprint::from_shingles(c.shingles), c.cluster);
    }
    let mut placed = Vec::with_capacity(news.len());
    let mut joined: HashMap<i64, Vec<Member>> = HashMap::new();
    for (member, fingerprint) in news {
        let band_keys = fingerprint.band_keys();
        let shingles = fingerprint.shingles().to_vec();
        let placement = index.insert(member.clone(), fingerprint);
        placed.push(Placed {
            article_id: member.id,
            cluster: placement.cluster,
            at: member.at,
            source_original: member.original,
            shingles,
            // Only a cluster's first members are looked up by later ones.
            band_keys: if placement.indexed {
                band_keys
            } else {
                Vec::new()
            },
        });
        joined.entry(placement.cluster).or_default().push(member);
    }
    let clusters: Vec<i64> = joined.keys().copied().collect();
    let stored = store.cluster_originals(&clusters)?;
    let mut originals = Vec::new();
    for (cluster, members) in &joined {
        let current = stored.get(cluster);
        let mut all: Vec<&Member> = members.iter().collect();
        all.extend(current);
        if let Some(original) = cluster::original(&all) {
            if current.is_none_or(|c| c.id != original.id) {
                originals.push((*cluster, original.id));
            }
        }
    }
    store.record_clusters(&placed, &originals)?;
    Ok(placed.len())
}

/// The ids of the sources marked `original = true`.
pub(super) fn original_sources(sources: &[Source]) -> HashSet<&str> {
    sources
        .iter()
        .filter(|s| s.original)
        .map(|s| s.id.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::analysis::diff::golden::{article_from, seed_lines};
    use crate::model::Article;
    use crate::store::test_records::{fetched, new_article};
    use crate::store::Access;

    fn t(hours: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 9, 2, 0, 0, 0).unwrap() + Duration::hours(hours)
    }

    /// The seed story as `source` publishes it at `published`.
    fn copy(source: &str, published: DateTime<Utc>) -> SourceRecord {
        let article = Article {
            source_id: source.into(),
            guid: format!("{source}-1"),
            published_at: Some(published),
            ..article_from(&seed_lines())
        };
        fetched(
            source,
            "http://news.example/",
            published,
            vec![new_article(article)],
        )
    }

    /// Writes `records` as one batch and places their new articles.
    fn poll(
        store: &Store,
        originals: &HashSet<&str>,
        records: &[SourceRecord],
        now: DateTime<Utc>,
    ) {
        let report = store.apply_poll(records, now).unwrap();
        place_new(store, originals, records, &report.new_ids, now).unwrap();
    }

    fn marks(store: &Store) -> Vec<(String, i64, bool)> {
        let filter = crate::model::ArticleFilter {
            limit: 100,
            ..Default::default()
        };
        let mut out: Vec<(String, i64, bool)> = store
            .listed_articles(&filter)
            .unwrap()
            .into_iter()
            .map(|l| (l.article.source_id, l.cluster.unwrap(), l.original.unwrap()))
            .collect();
        out.sort();
        out
    }

    /// `[[sources]] original = true` in the config is what the placement
    /// is told about.
    #[test]
    fn sources_marked_original_in_the_config_are_the_originals() {
        let text = "[[topics]]\nid = \"reform\"\nkeywords = [\"改革\"]\n\
            [[sources]]\nid = \"xinhua\"\nurl = \"https://xinhua.example/\"\noriginal = true\n\
            [[sources]]\nid = \"jxrb\"\nurl = \"https://jxrb.example/\"\n";
        let settings = crate::config::parse(text, std::path::Path::new("t.toml")).unwrap();
        let originals = original_sources(&settings.sources);
        assert_eq!(originals, HashSet::from(["xinhua"]));
    }

    #[test]
    fn copies_across_polls_join_one_cluster_and_the_earliest_is_the_original() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), Access::Writer).unwrap();
        let originals = HashSet::from(["xinhua"]);
        // A city paper's copy first; the agency's, published at the same
        // hour, and a province's later copy arrive in the same poll.
        poll(&store, &originals, &[copy("jxrb", t(2))], t(3));
        let first = marks(&store)[0].1;
        poll(
            &store,
            &originals,
            &[copy("xinhua", t(2)), copy("zjrb", t(4))],
            t(5),
        );
        assert_eq!(
            marks(&store),
            vec![
                ("jxrb".into(), first, false),
                ("xinhua".into(), first, true),
                ("zjrb".into(), first, false),
            ],
            "one cluster; the tie at 02:00 goes to the source marked original"
        );
        // An earlier-published copy polled later becomes the original.
        poll(&store, &originals, &[copy("people", t(1))], t(6));
        let m = marks(&store);
        assert!(m.iter().all(|(_, c, _)| *c == first), "{m:?}");
        let originals: Vec<&str> = m.iter().filter(|x| x.2).map(|x| x.0.as_str()).collect();
        assert_eq!(originals, ["people"]);
    }

    #[test]
    fn copies_outside_the_window_start_their_own_cluster() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), Access::Writer).unwrap();
        let none = HashSet::new();
        poll(&store, &none, &[copy("jxrb", t(0))], t(0));
        let late = t(24 * (WINDOW_DAYS + 1));
        poll(&store, &none, &[copy("zjrb", late)], late);
        let m = marks(&store);
        assert_ne!(m[0].1, m[1].1, "{m:?}");
        assert!(m[0].2 && m[1].2, "each the original of its own: {m:?}");
    }
}
