//! Pure: wire-copy story clusters. The same Xinhua or People's Daily piece
//! republished by many outlets (cut, retitled, a local lead added, a number
//! changed) is one story; distinct articles that share meeting formulas
//! and quotations are not.
//!
//! Method: character 5-shingles of the normalized body, a 96-hash MinHash
//! signature in 32 LSH bands of 3 rows to find candidates, then an exact
//! check on the shingle sets: Jaccard at least [`JACCARD`], or, for a copy
//! that cut much of the original, the shorter body at least
//! [`CONTAINMENT`] inside the longer one. Stock phrases are left out of
//! that check: shingles the new article shares with [`COMMON_CLUSTERS`]
//! clusters among its candidates (meeting formulas, the same quotation),
//! so two reports of different meetings in the same words stay apart.
//! Thresholds were tuned on the generated set in `tests.rs`. Only articles of
//! different sources published within [`WINDOW_DAYS`] of each other are
//! compared. Incremental: each article joins the cluster of its most
//! similar confirmed match, or starts its own.
//!
//! The original of a cluster is its earliest-published member; ties go to
//! a source marked original, then to the first stored. A copy is compared
//! with it by the revision diff ([`copy_diff`]), so its changes carry the
//! same change classes as silent edits.

mod minhash;

use std::collections::HashMap;

use chrono::Duration;

use crate::analysis::diff::{diff_articles, ArticleDiff};
use crate::model::Article;

pub use minhash::{containment, jaccard, shingles, signature, HASHES};

/// Least Jaccard similarity of two bodies that carry the same story.
pub const JACCARD: f64 = 0.5;
/// Least share of the shorter body found in the longer one, for copies
/// that cut paragraphs (Jaccard falls with every cut).
pub const CONTAINMENT: f64 = 0.7;
/// Containment alone needs this many shingles in the shorter body, so a
/// two-line notice made of stock phrases does not join a long report.
pub const MIN_CONTAINED: usize = 80;
/// A shingle the new article shares with this many clusters among its
/// candidates is a stock phrase.
pub const COMMON_CLUSTERS: usize = 6;
/// Bodies with fewer shingles (a feed's summary, a short notice) are not
/// clustered: too little text to tell a copy from a template.
pub const MIN_SHINGLES: usize = 100;
/// Most candidates checked exactly per new article.
pub const MAX_CANDIDATES: usize = 64;
/// A cluster is found through its first this many members only. Later
/// copies are placed but not indexed for lookup, so a story republished by
/// hundreds of outlets costs each new copy a bounded amount of work, and
/// the store keeps lookup keys for a bounded number of members per story.
pub const REPRESENTATIVES: usize = 8;
/// Candidates compared per cluster: its members sharing the most bands.
pub const PER_CLUSTER: usize = 2;
/// Default comparison window.
pub const WINDOW_DAYS: i64 = 7;

/// An article's body as the clusterer sees it.
#[derive(Debug, Clone)]
pub struct Fingerprint {
    shingles: Vec<u64>,
    signature: [u64; HASHES],
}

impl Fingerprint {
    /// The fingerprint of `article`'s body (lead and paragraphs).
    pub fn of(article: &Article) -> Self {
        Fingerprint::of_text(&body_text(article))
    }

    /// The fingerprint of `article`'s body when it is long enough to be
    /// clustered ([`Fingerprint::clusterable`]), else `None`. Cheap for
    /// the many short bodies (a feed's summary): a body with too few
    /// characters for [`MIN_SHINGLES`] shingles is neither normalized nor
    /// hashed, and the signature is only computed for enough shingles.
    pub fn of_clusterable(article: &Article) -> Option<Self> {
        // Letters and digits are what is shingled; a lead repeating the
        // first paragraph adds no shingles. NFKC rarely changes how many
        // there are in Chinese text.
        let letters = |t: &str| t.chars().filter(|c| c.is_alphanumeric()).count();
        let lead = article
            .lead
            .as_deref()
            .filter(|l| article.paragraphs().next() != Some(*l))
            .map_or(0, letters);
        let chars = lead + article.paragraphs().map(letters).sum::<usize>();
        if chars + 1 < MIN_SHINGLES + minhash::SHINGLE_CHARS {
            return None;
        }
        let shingles = shingles(&body_text(article));
        if shingles.len() < MIN_SHINGLES {
            return None;
        }
        let signature = signature(&shingles);
        Some(Fingerprint {
            shingles,
            signature,
        })
    }

    /// The fingerprint of a body given as text.
    pub fn of_text(body: &str) -> Self {
        let shingles = shingles(body);
        let signature = signature(&shingles);
        Fingerprint {
            shingles,
            signature,
        }
    }

    /// A fingerprint from stored shingles (sorted, distinct), as
    /// [`Fingerprint::shingles`] gave them.
    pub fn from_shingles(mut shingles: Vec<u64>) -> Self {
        shingles.sort_unstable();
        shingles.dedup();
        let signature = signature(&shingles);
        Fingerprint {
            shingles,
            signature,
        }
    }

    /// The sorted shingle hashes, for storing.
    pub fn shingles(&self) -> &[u64] {
        &self.shingles
    }

    /// Whether the body is long enough to be clustered ([`MIN_SHINGLES`]):
    /// shorter ones are never candidates and start no cluster worth
    /// storing.
    pub fn clusterable(&self) -> bool {
        self.shingles.len() >= MIN_SHINGLES
    }

    /// One key per LSH band, band and rows folded into one signed integer
    /// (a database key): two fingerprints sharing a key are candidates.
    pub fn band_keys(&self) -> Vec<i64> {
        minhash::band_keys(&self.signature)
            .map(|(band, key)| (key ^ (band as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)) as i64)
            .collect()
    }

    /// Shingles in the body.
    pub fn len(&self) -> usize {
        self.shingles.len()
    }

    /// Whether the body had no text.
    pub fn is_empty(&self) -> bool {
        self.shingles.is_empty()
    }
}

/// The lead and paragraphs of `article`, one per line.
fn body_text(article: &Article) -> String {
    let mut body = String::new();
    if let Some(lead) = &article.lead {
        body.push_str(lead);
        body.push('\n');
    }
    for p in article.paragraphs() {
        body.push_str(p);
        body.push('\n');
    }
    body
}

/// Whether two bodies carry the same story, and how similar they are
/// (Jaccard), when they do.
pub fn same_story(a: &Fingerprint, b: &Fingerprint) -> Option<f64> {
    same_story_sets(&a.shingles, &b.shingles)
}

fn same_story_sets(a: &[u64], b: &[u64]) -> Option<f64> {
    let j = jaccard(a, b);
    if j >= JACCARD {
        return Some(j);
    }
    let shorter = a.len().min(b.len());
    (shorter >= MIN_CONTAINED && containment(a, b) >= CONTAINMENT).then_some(j)
}

pub use crate::model::StoryMember as Member;

/// Where an inserted article went.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// Its cluster: the id of the cluster's first indexed member.
    pub cluster: i64,
    /// The member it matched best and their Jaccard similarity; `None`
    /// when it starts a cluster of its own.
    pub matched: Option<(i64, f64)>,
    /// Whether later articles find the cluster through this one (one of
    /// its first [`REPRESENTATIVES`]); only those need lookup keys stored.
    pub indexed: bool,
}

/// Clusters built incrementally over a time window.
#[derive(Debug, Clone)]
pub struct ClusterIndex {
    window: Duration,
    entries: Vec<Entry>,
    buckets: HashMap<(usize, u64), Vec<usize>>,
    /// How many members of each cluster are in `buckets`.
    indexed: HashMap<i64, usize>,
}

#[derive(Debug, Clone)]
struct Entry {
    member: Member,
    fingerprint: Fingerprint,
    cluster: i64,
}

impl Default for ClusterIndex {
    fn default() -> Self {
        ClusterIndex::new(Duration::days(WINDOW_DAYS))
    }
}

impl ClusterIndex {
    /// An empty index comparing articles at most `window` apart.
    pub fn new(window: Duration) -> Self {
        ClusterIndex {
            window,
            entries: Vec::new(),
            buckets: HashMap::new(),
            indexed: HashMap::new(),
        }
    }

    /// Adds an article already placed in `cluster` (e.g. read back from
    /// the store), without comparing it.
    pub fn restore(&mut self, member: Member, fingerprint: Fingerprint, cluster: i64) {
        self.push(member, fingerprint, cluster);
    }

    /// Places a new article: in the cluster of its most similar confirmed
    /// match from another source within the window, or in a new one.
    ///
    /// Shingles the new article shares with [`COMMON_CLUSTERS`] or more
    /// clusters among its candidates are stock phrases (meeting formulas,
    /// a much-quoted speech), not the story: they are left out of the
    /// exact check on both sides.
    pub fn insert(&mut self, member: Member, fingerprint: Fingerprint) -> Placement {
        let candidates = self.candidates(&member, &fingerprint);
        let mut clusters_of: HashMap<u64, Vec<i64>> = HashMap::new();
        for &i in &candidates {
            let e = &self.entries[i];
            for s in minhash::common(&e.fingerprint.shingles, &fingerprint.shingles) {
                let list = clusters_of.entry(s).or_default();
                if !list.contains(&e.cluster) {
                    list.push(e.cluster);
                }
            }
        }
        let stock: Vec<u64> = {
            let mut v: Vec<u64> = clusters_of
                .into_iter()
                .filter(|(_, c)| c.len() >= COMMON_CLUSTERS)
                .map(|(s, _)| s)
                .collect();
            v.sort_unstable();
            v
        };
        let own = minhash::without(&fingerprint.shingles, &stock);
        let mut best: Option<(usize, f64)> = None;
        for i in candidates {
            let theirs = minhash::without(&self.entries[i].fingerprint.shingles, &stock);
            if let Some(j) = same_story_sets(&theirs, &own) {
                if best.is_none_or(|(_, b)| j > b) {
                    best = Some((i, j));
                }
            }
        }
        let (cluster, matched) = match best {
            Some((i, j)) => (
                self.entries[i].cluster,
                Some((self.entries[i].member.id, j)),
            ),
            None => (member.id, None),
        };
        let indexed = self.push(member, fingerprint, cluster);
        Placement {
            cluster,
            matched,
            indexed,
        }
    }

    /// Indexed articles sharing an LSH band with `fingerprint`, from
    /// other sources, within the window: the [`MAX_CANDIDATES`] sharing
    /// the most bands, so a flood of near-identical templates costs a
    /// bounded amount per article.
    fn candidates(&self, member: &Member, fingerprint: &Fingerprint) -> Vec<usize> {
        if fingerprint.len() < MIN_SHINGLES {
            return Vec::new();
        }
        let mut hits: HashMap<usize, u32> = HashMap::new();
        for key in minhash::band_keys(&fingerprint.signature) {
            for &i in self.buckets.get(&key).into_iter().flatten() {
                *hits.entry(i).or_default() += 1;
            }
        }
        let mut out: Vec<(u32, usize)> = hits
            .into_iter()
            .filter(|&(i, _)| {
                let e = &self.entries[i];
                e.member.source_id != member.source_id
                    && (e.member.at - member.at).abs() <= self.window
            })
            .map(|(i, n)| (n, i))
            .collect();
        // Most bands shared first; among equals, the earliest indexed. A
        // cluster's placement is the same whichever of its members matches,
        // so a few of each cluster are compared, not a whole flood of copies.
        out.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut per_cluster: HashMap<i64, usize> = HashMap::new();
        out.into_iter()
            .map(|(_, i)| i)
            .filter(|&i| {
                let n = per_cluster.entry(self.entries[i].cluster).or_default();
                *n += 1;
                *n <= PER_CLUSTER
            })
            .take(MAX_CANDIDATES)
            .collect()
    }

    /// Adds an entry; returns whether it was indexed for lookup.
    fn push(&mut self, member: Member, fingerprint: Fingerprint, cluster: i64) -> bool {
        let i = self.entries.len();
        let count = self.indexed.entry(cluster).or_default();
        let indexed = fingerprint.len() >= MIN_SHINGLES && *count < REPRESENTATIVES;
        if indexed {
            *count += 1;
            for key in minhash::band_keys(&fingerprint.signature) {
                self.buckets.entry(key).or_default().push(i);
            }
        }
        self.entries.push(Entry {
            member,
            fingerprint,
            cluster,
        });
        indexed
    }

    /// The members of `cluster`, in the order they were indexed.
    pub fn members(&self, cluster: i64) -> Vec<&Member> {
        self.entries
            .iter()
            .filter(|e| e.cluster == cluster)
            .map(|e| &e.member)
            .collect()
    }

    /// Every indexed article's cluster, by article id.
    pub fn clusters(&self) -> HashMap<i64, i64> {
        self.entries
            .iter()
            .map(|e| (e.member.id, e.cluster))
            .collect()
    }
}

/// The original among a cluster's members: earliest published; ties to a
/// source marked original, then to the lowest id.
pub fn original<'a>(members: &[&'a Member]) -> Option<&'a Member> {
    members
        .iter()
        .min_by_key(|m| (m.at, !m.original, m.id))
        .copied()
}

/// What a copy changed against the original: the revision diff, with the
/// fields every republication changes (outlet, byline, times) taken from
/// the original so they do not count.
pub fn copy_diff(original: &Article, copy: &Article) -> ArticleDiff {
    let mut copy = copy.clone();
    copy.outlet.clone_from(&original.outlet);
    copy.byline.clone_from(&original.byline);
    copy.published_at = original.published_at;
    copy.updated_at = original.updated_at;
    diff_articles(original, &copy)
}

#[cfg(test)]
mod tests;
