//! Character 5-shingles of a body and their MinHash signature, split into
//! LSH bands. Only letters, digits and CJK characters are shingled, lower
//! cased after NFKC: punctuation, spaces and full-width forms that
//! republishers change do not make two copies differ.

use std::collections::HashSet;

use xxhash_rust::xxh3::xxh3_64;

use crate::document::normalize::normalize_text;

/// Characters per shingle. Five Chinese characters are rarer than a word
/// and shorter than most phrases, so copies share most and distinct
/// stories that reuse formulas share few.
pub const SHINGLE_CHARS: usize = 5;

/// Hash functions in a signature: `BANDS × ROWS`.
pub const HASHES: usize = BANDS * ROWS;
/// LSH bands.
pub const BANDS: usize = 32;
/// Rows per band: a pair becomes a candidate with probability
/// `1 − (1 − J³)³²`, 0.98 at Jaccard 0.5, 0.35 at 0.2 (then confirmed
/// exactly).
pub const ROWS: usize = 3;

/// The sorted, distinct shingle hashes of `text`.
pub fn shingles(text: &str) -> Vec<u64> {
    let chars: Vec<char> = normalize_text(text)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    let mut set: HashSet<u64> = HashSet::new();
    let mut buf = String::new();
    for w in chars.windows(SHINGLE_CHARS) {
        buf.clear();
        buf.extend(w);
        set.insert(xxh3_64(buf.as_bytes()));
    }
    if set.is_empty() && !chars.is_empty() {
        let short: String = chars.iter().collect();
        set.insert(xxh3_64(short.as_bytes()));
    }
    let mut out: Vec<u64> = set.into_iter().collect();
    out.sort_unstable();
    out
}

/// Exact Jaccard similarity of two sorted shingle sets.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let common = intersection(a, b);
    let union = a.len() + b.len() - common;
    if union == 0 {
        0.0
    } else {
        common as f64 / union as f64
    }
}

/// How much of the smaller set the larger one holds.
pub fn containment(a: &[u64], b: &[u64]) -> f64 {
    let smaller = a.len().min(b.len());
    if smaller == 0 {
        0.0
    } else {
        intersection(a, b) as f64 / smaller as f64
    }
}

fn intersection(a: &[u64], b: &[u64]) -> usize {
    common(a, b).count()
}

/// The shingles two sorted sets share, in order.
pub fn common<'a>(a: &'a [u64], b: &'a [u64]) -> impl Iterator<Item = u64> + 'a {
    let mut rest = b;
    a.iter().copied().filter(move |x| {
        rest = &rest[rest.partition_point(|y| y < x)..];
        rest.first() == Some(x)
    })
}

/// `set` without the (sorted) shingles of `drop`.
pub fn without(set: &[u64], drop: &[u64]) -> Vec<u64> {
    if drop.is_empty() {
        return set.to_vec();
    }
    set.iter()
        .copied()
        .filter(|s| drop.binary_search(s).is_err())
        .collect()
}

/// The MinHash signature of a shingle set: per hash function, the least
/// value over the shingles. Function `k` is the shingle hash xor a fixed
/// seed, through the SplitMix64 finalizer (a bijection, so minima are of
/// distinct values).
pub fn signature(shingles: &[u64]) -> [u64; HASHES] {
    let mut sig = [u64::MAX; HASHES];
    for &s in shingles {
        for (k, slot) in sig.iter_mut().enumerate() {
            let h = mix(s ^ SEEDS[k]);
            if h < *slot {
                *slot = h;
            }
        }
    }
    sig
}

/// One key per band: the hash of its rows, tagged with the band.
pub fn band_keys(sig: &[u64; HASHES]) -> impl Iterator<Item = (usize, u64)> + '_ {
    sig.chunks(ROWS).enumerate().map(|(band, rows)| {
        let mut bytes = Vec::with_capacity(ROWS * 8);
        for r in rows {
            bytes.extend_from_slice(&r.to_le_bytes());
        }
        (band, xxh3_64(&bytes))
    })
}

const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Fixed seeds, so signatures are the same in every run and build.
const SEEDS: [u64; HASHES] = seeds();

const fn seeds() -> [u64; HASHES] {
    let mut out = [0u64; HASHES];
    let mut x: u64 = 0x5265_666f_726d_5721;
    let mut i = 0;
    while i < HASHES {
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        out[i] = mix(x);
        i += 1;
    }
    out
}
