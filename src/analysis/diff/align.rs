//! Pure alignment of two sequences of text units (paragraphs, sentences,
//! quotes): exact matches found with `similar`'s Patience diff over unit
//! hashes, then, inside each run that differs, old and new units paired by
//! similarity (an order-preserving best pairing) so an edited unit reads as
//! "changed" and the rest as "removed" or "added".

use similar::{capture_diff_slices, Algorithm, DiffOp};

use super::tokens::{similarity, Bigrams};

/// One step of an alignment, in document order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// `old[i]` and `new[j]` are identical.
    Same(usize, usize),
    /// `old[i]` became `new[j]`.
    Changed(usize, usize),
    /// `old[i]` has no counterpart.
    Removed(usize),
    /// `new[j]` has no counterpart.
    Added(usize),
}

/// Above this many old × new cells a differing run is not paired by
/// similarity (everything in it is removed and added): bounds the work on
/// absurd inputs, far beyond any real article.
const MAX_PAIRING_CELLS: usize = 250_000;

/// One unit to align: its text, and a group (paragraph, heading, …) so
/// that only units of the same group are ever the same or paired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Unit<'a> {
    /// Units of different groups never match.
    pub group: u8,
    /// The text compared.
    pub text: &'a str,
}

impl<'a> Unit<'a> {
    /// A unit of group 0 (when everything is of one kind).
    pub(crate) fn plain(text: &'a str) -> Self {
        Unit { group: 0, text }
    }
}

/// Aligns `old` with `new`. Identical units (same group and text) are the
/// same; in the runs between them, units of one group whose bigram
/// similarity reaches `threshold` are paired, maximizing the total
/// similarity without crossing pairs.
pub(crate) fn align(old: &[Unit<'_>], new: &[Unit<'_>], threshold: f64) -> Vec<Step> {
    let old_keys: Vec<&Unit<'_>> = old.iter().collect();
    let new_keys: Vec<&Unit<'_>> = new.iter().collect();
    let ops = capture_diff_slices(Algorithm::Patience, &old_keys, &new_keys);
    let mut steps = Vec::with_capacity(old.len().max(new.len()));
    for op in ops {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => steps.extend((0..len).map(|k| Step::Same(old_index + k, new_index + k))),
            other => {
                let (_, o, n) = other.as_tag_tuple();
                pair_run(old, new, o, n, threshold, &mut steps);
            }
        }
    }
    steps
}

/// Pairs `old[o]` with `new[n]` by similarity and appends the steps.
fn pair_run(
    old: &[Unit<'_>],
    new: &[Unit<'_>],
    o: std::ops::Range<usize>,
    n: std::ops::Range<usize>,
    threshold: f64,
    steps: &mut Vec<Step>,
) {
    let (rows, cols) = (o.len(), n.len());
    if rows == 0 || cols == 0 || rows * cols > MAX_PAIRING_CELLS {
        steps.extend(o.map(Step::Removed));
        steps.extend(n.map(Step::Added));
        return;
    }
    let old_grams: Vec<Bigrams> = old[o.clone()].iter().map(|u| Bigrams::of(u.text)).collect();
    let new_grams: Vec<Bigrams> = new[n.clone()].iter().map(|u| Bigrams::of(u.text)).collect();
    let mut sim = Vec::with_capacity(rows * cols);
    for (a, ua) in old_grams.iter().zip(&old[o.clone()]) {
        for (b, ub) in new_grams.iter().zip(&new[n.clone()]) {
            sim.push(if ua.group == ub.group {
                similarity(a, b)
            } else {
                0.0
            });
        }
    }
    // best[i][j]: best total similarity pairing old[i..] with new[j..].
    let width = cols + 1;
    let mut best = vec![0.0f64; (rows + 1) * width];
    for i in (0..rows).rev() {
        for j in (0..cols).rev() {
            let skip = best[(i + 1) * width + j].max(best[i * width + j + 1]);
            let s = sim[i * cols + j];
            let take = if s >= threshold {
                s + best[(i + 1) * width + j + 1]
            } else {
                f64::MIN
            };
            best[i * width + j] = skip.max(take);
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < rows && j < cols {
        let s = sim[i * cols + j];
        let here = best[i * width + j];
        if s >= threshold && here == s + best[(i + 1) * width + j + 1] {
            steps.push(Step::Changed(o.start + i, n.start + j));
            i += 1;
            j += 1;
        } else if here == best[(i + 1) * width + j] {
            steps.push(Step::Removed(o.start + i));
            i += 1;
        } else {
            steps.push(Step::Added(n.start + j));
            j += 1;
        }
    }
    steps.extend((o.start + i..o.end).map(Step::Removed));
    steps.extend((n.start + j..n.end).map(Step::Added));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(old: &[&'static str], new: &[&'static str]) -> Vec<Step> {
        let units = |v: &[&'static str]| v.iter().map(|s| Unit::plain(s)).collect::<Vec<_>>();
        align(&units(old), &units(new), 0.5)
    }

    #[test]
    fn different_groups_never_pair() {
        let old = [Unit {
            group: 1,
            text: "改革开放四十周年",
        }];
        let new = [Unit {
            group: 2,
            text: "改革开放四十周年",
        }];
        assert_eq!(
            align(&old, &new, 0.1),
            vec![Step::Removed(0), Step::Added(0)]
        );
    }

    #[test]
    fn removed_unit_between_identical_ones() {
        let old = ["甲乙丙丁", "戊己庚辛", "壬癸子丑"];
        let new = ["甲乙丙丁", "壬癸子丑"];
        assert_eq!(
            run(&old, &new),
            vec![Step::Same(0, 0), Step::Removed(1), Step::Same(2, 1)]
        );
    }

    #[test]
    fn edited_unit_is_changed_not_replaced() {
        let old = ["改革开放四十周年大会召开", "无关段落一二三"];
        let new = ["改革开放四十五周年大会召开", "全新内容完全不同"];
        assert_eq!(
            run(&old, &new),
            vec![Step::Changed(0, 0), Step::Removed(1), Step::Added(1)]
        );
    }

    #[test]
    fn pairs_do_not_cross_and_prefer_best_match() {
        let old = ["市委全会精神学习", "改革攻坚任务落实"];
        let new = [
            "新增一段其它文字",
            "市委全会精神深入学习",
            "改革攻坚任务抓落实",
        ];
        assert_eq!(
            run(&old, &new),
            vec![Step::Added(0), Step::Changed(0, 1), Step::Changed(1, 2)]
        );
    }
}
