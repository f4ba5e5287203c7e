//! Pure inline diff of one text field (a title, a paragraph, a quote):
//! sentences aligned first, then each edited sentence diffed by tokens (a
//! CJK character, a Latin word) with `similar`'s Myers, then a semantic
//! cleanup so an edit reads as whole phrases (`[-牵引-]{+引领+}`), never as
//! alternating single characters. Unchanged sentences are kept whole here;
//! the caller elides them for display with [`elide`].

use similar::{capture_diff_slices, Algorithm, DiffOp};

use super::align::{align, Step, Unit};
use super::tokens::{sentences, tokens, word_chars};
use super::Part;

/// Sentences at least this similar (bigram Dice) are diffed inside; less
/// similar ones show as one sentence removed and another added.
const SENTENCE_PAIRING: f64 = 0.3;

/// An edited sentence keeping less than this share of its words is shown
/// as rewritten whole rather than as a scatter of small edits.
const MIN_KEPT_SHARE: f64 = 0.34;

/// The inline diff of one text: parts in order (unchanged sentences whole)
/// and how many sentences were added or removed outright.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct InlineDiff {
    /// `Same` / `Del` / `Ins` parts; their old sides concatenate to the old
    /// text and their new sides to the new text. No `Gap`s yet.
    pub parts: Vec<Part>,
    /// Sentences that exist only on one side (or were rewritten whole).
    pub whole_sentences: usize,
}

/// Diffs `old` against `new`.
pub(crate) fn diff_text(old: &str, new: &str) -> InlineDiff {
    let old_s = sentences(old);
    let new_s = sentences(new);
    let old_u: Vec<Unit<'_>> = old_s.iter().map(|s| Unit::plain(s)).collect();
    let new_u: Vec<Unit<'_>> = new_s.iter().map(|s| Unit::plain(s)).collect();
    let mut out = InlineDiff::default();
    for step in align(&old_u, &new_u, SENTENCE_PAIRING) {
        match step {
            Step::Same(i, _) => push(&mut out.parts, Part::Same(old_s[i].to_string())),
            Step::Removed(i) => {
                out.whole_sentences += 1;
                push(&mut out.parts, Part::Del(old_s[i].to_string()));
            }
            Step::Added(j) => {
                out.whole_sentences += 1;
                push(&mut out.parts, Part::Ins(new_s[j].to_string()));
            }
            Step::Changed(i, j) => {
                let (parts, whole) = diff_sentence(old_s[i], new_s[j]);
                if whole {
                    out.whole_sentences += 1;
                }
                for p in parts {
                    push(&mut out.parts, p);
                }
            }
        }
    }
    // Sentence edits can meet (a terminator inserted splits a sentence):
    // fold lone characters between them too, but never a kept sentence.
    out.parts = cleanup_semantic(merge_edits(out.parts), Scope::LoneCharacters);
    out
}

/// Which equal runs [`cleanup_semantic`] may fold into the edits around.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Single characters only.
    LoneCharacters,
    /// Single characters, and runs shorter than the edits on both sides.
    Phrases,
}

/// Token diff of two paired sentences, cleaned up; `true` when the
/// sentence was rewritten so much that it is shown whole.
fn diff_sentence(old: &str, new: &str) -> (Vec<Part>, bool) {
    let old_t = tokens(old);
    let new_t = tokens(new);
    let mut parts = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &old_t, &new_t) {
        match op {
            DiffOp::Equal { old_index, len, .. } => {
                parts.push(Part::Same(old_t[old_index..old_index + len].concat()));
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => parts.push(Part::Del(old_t[old_index..old_index + old_len].concat())),
            DiffOp::Insert {
                new_index, new_len, ..
            } => parts.push(Part::Ins(new_t[new_index..new_index + new_len].concat())),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                parts.push(Part::Del(old_t[old_index..old_index + old_len].concat()));
                parts.push(Part::Ins(new_t[new_index..new_index + new_len].concat()));
            }
        }
    }
    let parts = cleanup_semantic(merge_edits(parts), Scope::Phrases);
    let kept: usize = parts
        .iter()
        .map(|p| match p {
            Part::Same(s) => word_chars(s),
            _ => 0,
        })
        .sum();
    let longest = word_chars(old).max(word_chars(new));
    if longest > 0 && (kept as f64) < MIN_KEPT_SHARE * longest as f64 {
        return (vec![Part::Del(old.into()), Part::Ins(new.into())], true);
    }
    (parts, false)
}

/// The display form of `parts`: unchanged sentences become one [`Part::Gap`]
/// per run, while the unchanged words of an edited sentence stay, so each
/// edit is shown in its sentence and nothing else.
pub(crate) fn elide(parts: &[Part]) -> Vec<Part> {
    let mut out = Vec::with_capacity(parts.len());
    for (k, part) in parts.iter().enumerate() {
        let Part::Same(text) = part else {
            out.push(part.clone());
            continue;
        };
        let pieces = sentences(text);
        // The tail of a sentence an edit began in, and the head of one the
        // next edit ends in, stay with their edit.
        let keep_head = k > 0 && !edit_ends_sentence(&parts[..k]);
        let keep_tail = k + 1 < parts.len() && !ends_sentence(text);
        let first = usize::from(keep_head);
        let last = pieces.len() - usize::from(keep_tail);
        if first >= last {
            out.push(part.clone());
            continue;
        }
        if keep_head {
            out.push(Part::Same(pieces[0].to_string()));
        }
        out.push(Part::Gap);
        if keep_tail {
            out.push(Part::Same(pieces[pieces.len() - 1].to_string()));
        }
    }
    out
}

/// True when the edit ending `before` leaves both versions at a sentence
/// boundary (it removed or inserted whole sentences).
fn edit_ends_sentence(before: &[Part]) -> bool {
    before
        .iter()
        .rev()
        .take_while(|p| matches!(p, Part::Del(_) | Part::Ins(_)))
        .all(|p| match p {
            Part::Del(s) | Part::Ins(s) => ends_sentence(s),
            _ => true,
        })
}

/// True when `s` ends a sentence (a terminator, closers, whitespace).
fn ends_sentence(s: &str) -> bool {
    let n = sentences(s).len();
    sentences(&format!("{s} x")).len() > n
}

/// Appends `part`, joining it to the previous part of the same kind.
fn push(parts: &mut Vec<Part>, part: Part) {
    match (parts.last_mut(), &part) {
        (Some(Part::Same(a)), Part::Same(b))
        | (Some(Part::Del(a)), Part::Del(b))
        | (Some(Part::Ins(a)), Part::Ins(b)) => a.push_str(b),
        _ => parts.push(part),
    }
}

/// Normalizes runs of edits between equal parts into one `Del` followed by
/// one `Ins`, and joins adjacent equal parts; drops empty parts.
fn merge_edits(parts: Vec<Part>) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::with_capacity(parts.len());
    let (mut del, mut ins) = (String::new(), String::new());
    let flush = |out: &mut Vec<Part>, del: &mut String, ins: &mut String| {
        if !del.is_empty() {
            out.push(Part::Del(std::mem::take(del)));
        }
        if !ins.is_empty() {
            out.push(Part::Ins(std::mem::take(ins)));
        }
    };
    for part in parts {
        match part {
            Part::Del(s) => del.push_str(&s),
            Part::Ins(s) => ins.push_str(&s),
            Part::Same(s) if s.is_empty() => {}
            same => {
                flush(&mut out, &mut del, &mut ins);
                push(&mut out, same);
            }
        }
    }
    flush(&mut out, &mut del, &mut ins);
    out
}

/// The elimination pass of semantic cleanup (after diff-match-patch): an
/// equal run of one character, or one shorter than the edits on both sides
/// of it, is folded into them, repeatedly, so `[-牵-]引{+领+}` becomes
/// `[-牵引-]{+引领+}` while a kept two-character word between two-character
/// edits still shows.
/// Expects [`merge_edits`] output and returns it in the same form.
fn cleanup_semantic(mut parts: Vec<Part>, scope: Scope) -> Vec<Part> {
    loop {
        let edit_len = |parts: &[Part], from: usize, step_back: bool| -> (usize, usize) {
            // Lengths of the Del and Ins adjacent to parts[from] on one side.
            let mut del = 0;
            let mut ins = 0;
            let mut k = from;
            loop {
                let next = if step_back {
                    k.checked_sub(1)
                } else {
                    Some(k + 1).filter(|&n| n < parts.len())
                };
                let Some(n) = next else { break };
                match &parts[n] {
                    Part::Del(s) => del += s.chars().count(),
                    Part::Ins(s) => ins += s.chars().count(),
                    _ => break,
                }
                k = n;
            }
            (del, ins)
        };
        let victim = (1..parts.len().saturating_sub(1)).find(|&i| {
            let Part::Same(s) = &parts[i] else {
                return false;
            };
            let len = s.chars().count();
            let (d1, i1) = edit_len(&parts, i, true);
            let (d2, i2) = edit_len(&parts, i, false);
            let (before, after) = (d1.max(i1), d2.max(i2));
            // A lone character between edits is noise; a longer run is a
            // kept word worth showing unless the edits around it are longer.
            before > 0
                && after > 0
                && (len == 1 || (scope == Scope::Phrases && len < before && len < after))
        });
        let Some(i) = victim else {
            return parts;
        };
        let Part::Same(s) = parts.remove(i) else {
            unreachable!("victim is a Same part")
        };
        parts.insert(i, Part::Ins(s.clone()));
        parts.insert(i, Part::Del(s));
        parts = merge_edits(parts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(parts: &[Part]) -> String {
        parts
            .iter()
            .map(|p| match p {
                Part::Same(s) => s.clone(),
                Part::Del(s) => format!("[-{s}-]"),
                Part::Ins(s) => format!("{{+{s}+}}"),
                Part::Gap => "[…]".into(),
            })
            .collect()
    }

    fn sides(parts: &[Part]) -> (String, String) {
        let mut old = String::new();
        let mut new = String::new();
        for p in parts {
            match p {
                Part::Same(s) => {
                    old.push_str(s);
                    new.push_str(s);
                }
                Part::Del(s) => old.push_str(s),
                Part::Ins(s) => new.push_str(s),
                Part::Gap => {}
            }
        }
        (old, new)
    }

    #[test]
    fn one_character_shows_in_its_sentence() {
        let old = "改革是出路。《实施意见》中12项攻坚性改革，既扬优势又补短板。下一步怎么走？";
        let new = "改革是出路。《实施意见》中12项攻坚性改革，既扬优势也补短板。下一步怎么走？";
        let d = diff_text(old, new);
        assert_eq!(
            render(&d.parts),
            "改革是出路。《实施意见》中12项攻坚性改革，既扬优势[-又-]{+也+}补短板。下一步怎么走？"
        );
        assert_eq!(d.whole_sentences, 0);
        assert_eq!(sides(&d.parts), (old.to_string(), new.to_string()));
    }

    #[test]
    fn numbers_and_latin_words_change_as_words() {
        let d = diff_text(
            "中12项改革 deepening reform now.",
            "中13项改革 deepening reforms now.",
        );
        assert_eq!(
            render(&d.parts),
            "中[-12-]{+13+}项改革 deepening [-reform-]{+reforms+} now."
        );
    }

    #[test]
    fn rewritten_phrases_do_not_alternate() {
        let old = "突出问题导向、聚焦需求牵引，系统构建了全市改革的框架。";
        let new = "坚持问题导向、强化需求引领，系统构建了全市改革的框架。";
        let d = diff_text(old, new);
        assert_eq!(
            render(&d.parts),
            "[-突出-]{+坚持+}问题导向、[-聚焦-]{+强化+}需求[-牵引-]{+引领+}，系统构建了全市改革的框架。"
        );
        // No equal run of one character sits between two edits.
        for w in d.parts.windows(3) {
            if let [a, Part::Same(s), b] = w {
                assert!(
                    a != &Part::Gap && b != &Part::Gap && s.chars().count() > 1,
                    "{:?}",
                    d.parts
                );
            }
        }
        assert_eq!(sides(&d.parts), (old.to_string(), new.to_string()));
    }

    #[test]
    fn elision_keeps_only_edited_sentences() {
        let old = "第一句。第二句有个错字。第三句。第四句。第五句。";
        let new = "第一句。第二句有个措字。第三句。第四句改了。第五句。";
        let d = diff_text(old, new);
        assert_eq!(
            render(&elide(&d.parts)),
            "[…]第二句有个[-错-]{+措+}字。[…]第四句{+改了+}。[…]"
        );
        let d = diff_text(
            "甲乙丙丁。戊己庚辛。壬癸。",
            "甲乙丙丁。戊己庚辛。新句子。壬癸。",
        );
        assert_eq!(render(&elide(&d.parts)), "[…]{+新句子。+}[…]");
        let d = diff_text("标题", "新标题");
        assert_eq!(render(&elide(&d.parts)), "{+新+}标题");
    }

    #[test]
    fn random_edits_keep_both_sides_and_never_alternate() {
        let seed = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/seed/jiaxing-plenum-2024.txt"
        ));
        let pool: Vec<char> = "改革发展12,。、“”ab 新".chars().collect();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: usize| {
            // xorshift: deterministic, no dependency.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for line in seed.lines().filter(|l| l.chars().count() > 100) {
            for _ in 0..20 {
                let mut chars: Vec<char> = line.chars().collect();
                for _ in 0..1 + next(6) {
                    let at = next(chars.len());
                    match next(3) {
                        0 => {
                            chars.remove(at);
                        }
                        1 => chars.insert(at, pool[next(pool.len())]),
                        _ => chars[at] = pool[next(pool.len())],
                    }
                }
                let new: String = chars.into_iter().collect();
                let d = diff_text(line, &new);
                assert_eq!(sides(&d.parts), (line.to_string(), new.clone()));
                for w in d.parts.windows(3) {
                    if let [Part::Del(_) | Part::Ins(_), Part::Same(s), Part::Del(_) | Part::Ins(_)] =
                        w
                    {
                        assert!(s.chars().count() > 1, "{:?}", d.parts);
                    }
                }
                let shown = elide(&d.parts);
                assert!(
                    shown
                        .iter()
                        .any(|p| matches!(p, Part::Del(_) | Part::Ins(_)))
                        || line == new
                );
            }
        }
    }

    #[test]
    fn sentence_added_and_removed_whole() {
        let d = diff_text("甲乙丙丁。戊己庚辛。", "甲乙丙丁。壬癸子丑寅卯。");
        assert_eq!(
            render(&d.parts),
            "甲乙丙丁。[-戊己庚辛。-]{+壬癸子丑寅卯。+}"
        );
        assert_eq!(d.whole_sentences, 2);
    }

    #[test]
    fn heavily_rewritten_sentence_shows_whole() {
        let d = diff_text("今天天气很好我们出去走走。", "今日阴雨连绵大家留在家里。");
        assert_eq!(
            render(&d.parts),
            "[-今天天气很好我们出去走走。-]{+今日阴雨连绵大家留在家里。+}"
        );
        assert!(d.whole_sentences >= 1);
    }
}
