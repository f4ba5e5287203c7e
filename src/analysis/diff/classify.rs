//! Pure change classes: how much an edit matters to a reader.
//!
//! `cosmetic` = only punctuation, whitespace or character width differ;
//! `minor` = a few typo-like characters, no digit, numeral, name or quoted
//! word touched; `substantive` = anything more (a sentence or paragraph
//! added or removed, a number, name or quote changed, a headline rewritten,
//! the publish time moved by more than a few minutes).

use crate::model::ChangeClass;

use super::tokens::{is_cjk, is_cjk_numeral, is_noise, skeleton};
use super::Part;

/// A publish time moved by more than this many seconds is substantive.
pub(crate) const PUBLISHED_TOLERANCE_SECS: i64 = 5 * 60;

/// More separate edits than this in one field is not a typo fix.
const MAX_MINOR_HUNKS: usize = 2;

/// What the classifier needs to know about one changed text field.
pub(crate) struct TextChange<'a> {
    /// The field's old text.
    pub old: &'a str,
    /// The field's new text.
    pub new: &'a str,
    /// The inline parts (no gaps) whose sides are `old` and `new`.
    pub parts: &'a [Part],
    /// Sentences added, removed or rewritten whole inside the field.
    pub whole_sentences: usize,
    /// Names whose appearance or disappearance is substantive (speakers).
    pub names: &'a [String],
    /// Any non-cosmetic edit of this field is substantive (bylines,
    /// outlets, standalone quotes).
    pub strict: bool,
}

/// Classifies one edited text field.
pub(crate) fn classify_text(c: &TextChange<'_>) -> ChangeClass {
    if skeleton(c.old) == skeleton(c.new) {
        return ChangeClass::Cosmetic;
    }
    if c.strict || c.whole_sentences > 0 {
        return ChangeClass::Substantive;
    }
    let names_changed = c
        .names
        .iter()
        .filter(|n| !n.is_empty())
        .any(|n| c.old.contains(n.as_str()) != c.new.contains(n.as_str()));
    if names_changed {
        return ChangeClass::Substantive;
    }
    let hunks = hunks(c.parts);
    let old_quoted = quoted_spans(c.old);
    let new_quoted = quoted_spans(c.new);
    let mut real = 0;
    for h in &hunks {
        if word_free(&h.del) && word_free(&h.ins) {
            continue;
        }
        real += 1;
        let touches_number = h.del.chars().chain(h.ins.chars()).any(char::is_numeric)
            || (is_numeral_run(&h.del) && is_numeral_run(&h.ins));
        let in_quote = overlaps(&old_quoted, &h.old_range) || overlaps(&new_quoted, &h.new_range);
        if touches_number || in_quote || !typo_like(&h.del, &h.ins) {
            return ChangeClass::Substantive;
        }
    }
    if real > MAX_MINOR_HUNKS {
        ChangeClass::Substantive
    } else {
        ChangeClass::Minor
    }
}

/// One contiguous edit: what was deleted and inserted, and where (in
/// characters of the old and new text).
struct Hunk {
    del: String,
    ins: String,
    old_range: std::ops::Range<usize>,
    new_range: std::ops::Range<usize>,
}

fn hunks(parts: &[Part]) -> Vec<Hunk> {
    let mut out: Vec<Hunk> = Vec::new();
    let (mut old_pos, mut new_pos) = (0, 0);
    let mut open = false;
    for p in parts {
        match p {
            Part::Same(s) => {
                let n = s.chars().count();
                old_pos += n;
                new_pos += n;
                open = false;
            }
            Part::Del(s) | Part::Ins(s) => {
                if !open {
                    out.push(Hunk {
                        del: String::new(),
                        ins: String::new(),
                        old_range: old_pos..old_pos,
                        new_range: new_pos..new_pos,
                    });
                    open = true;
                }
                let h = out.last_mut().expect("a hunk was just opened");
                let n = s.chars().count();
                if matches!(p, Part::Del(_)) {
                    h.del.push_str(s);
                    old_pos += n;
                    h.old_range.end = old_pos;
                } else {
                    h.ins.push_str(s);
                    new_pos += n;
                    h.new_range.end = new_pos;
                }
            }
            Part::Gap => open = false,
        }
    }
    out
}

fn word_free(s: &str) -> bool {
    s.chars().all(is_noise)
}

fn is_numeral_run(s: &str) -> bool {
    let mut words = s.chars().filter(|&c| !is_noise(c)).peekable();
    words.peek().is_some() && words.all(is_cjk_numeral)
}

/// A typo fix: one character for CJK text (a wrong homophone, a dropped
/// character), up to two letters in a Latin word, ignoring punctuation.
fn typo_like(del: &str, ins: &str) -> bool {
    let d: String = del.chars().filter(|&c| !is_noise(c)).collect();
    let i: String = ins.chars().filter(|&c| !is_noise(c)).collect();
    let cjk = d.chars().chain(i.chars()).any(is_cjk);
    let limit = if cjk { 1 } else { 2 };
    strsim::levenshtein(&d, &i) <= limit
}

/// Character ranges inside quotation marks (`“…”`, `「…」`, `『…』`,
/// `"…"`), marks included; an unclosed quote runs to the end.
fn quoted_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    let mut open: Option<(usize, char)> = None;
    let mut len = 0;
    for (i, c) in text.chars().enumerate() {
        len = i + 1;
        match open {
            None => {
                let close = match c {
                    '“' => '”',
                    '「' => '」',
                    '『' => '』',
                    '"' => '"',
                    _ => continue,
                };
                open = Some((i, close));
            }
            Some((start, close)) if c == close => {
                spans.push(start..i + 1);
                open = None;
            }
            Some(_) => {}
        }
    }
    if let Some((start, _)) = open {
        spans.push(start..len);
    }
    spans
}

fn overlaps(spans: &[std::ops::Range<usize>], r: &std::ops::Range<usize>) -> bool {
    spans.iter().any(|s| {
        if r.is_empty() {
            // An insertion point strictly inside the quote.
            s.start < r.start && r.start < s.end
        } else {
            s.start < r.end && r.start < s.end
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::diff::inline::diff_text;

    fn class(old: &str, new: &str, names: &[&str]) -> ChangeClass {
        let d = diff_text(old, new);
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        classify_text(&TextChange {
            old,
            new,
            parts: &d.parts,
            whole_sentences: d.whole_sentences,
            names: &names,
            strict: false,
        })
    }

    #[test]
    fn width_and_punctuation_are_cosmetic() {
        assert_eq!(
            class("改革，开放！（2024）", "改革,开放!(2024)", &[]),
            ChangeClass::Cosmetic
        );
        assert_eq!(
            class("改革开放。", "改革开放！", &[]),
            ChangeClass::Cosmetic
        );
    }

    #[test]
    fn one_character_typo_is_minor() {
        assert_eq!(
            class(
                "激荡起高质量发展的澎湃动能。",
                "激荡起高质量发展的彭湃动能。",
                &[]
            ),
            ChangeClass::Minor
        );
        assert_eq!(
            class("We recieve reports.", "We receive reports.", &[]),
            ChangeClass::Minor
        );
    }

    #[test]
    fn numbers_names_quotes_and_words_are_substantive() {
        assert_eq!(
            class("中12项改革。", "中13项改革。", &[]),
            ChangeClass::Substantive
        );
        assert_eq!(
            class("十二项改革。", "十三项改革。", &[]),
            ChangeClass::Substantive
        );
        assert_eq!(
            class("副主任王亮表示。", "副主任王明表示。", &["王亮"]),
            ChangeClass::Substantive
        );
        assert_eq!(
            class("他说：“我们将扛起使命。”", "他说：“我们将扛起责任。”", &[]),
            ChangeClass::Substantive
        );
        assert_eq!(
            class(
                "他说：“我们将扛起使命。”",
                "他说：“我们将扛起的使命。”",
                &[]
            ),
            ChangeClass::Substantive
        );
        assert_eq!(
            class("嘉兴各界认真学习贯彻精神", "嘉兴各界迅速学习贯彻精神", &[]),
            ChangeClass::Substantive
        );
    }

    #[test]
    fn class_names_round_trip() {
        for c in [
            ChangeClass::Cosmetic,
            ChangeClass::Minor,
            ChangeClass::Substantive,
        ] {
            assert_eq!(c.as_str().parse::<ChangeClass>(), Ok(c));
        }
        assert!("major".parse::<ChangeClass>().is_err());
        assert!(ChangeClass::Cosmetic < ChangeClass::Minor);
        assert!(ChangeClass::Minor < ChangeClass::Substantive);
    }
}
