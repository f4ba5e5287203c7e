//! Pure: cutting one-line display text to a length for mail (subjects,
//! display names, titles) without splitting a character from the marks
//! that extend it. What counts as invisible is
//! [`text_hygiene`](crate::document::text_hygiene)'s to say.

/// Characters that extend the previous one (combining marks, variation
/// selectors, emoji modifiers): a cut never separates them from their base.
/// A heuristic subset of Unicode's Grapheme_Extend.
pub(crate) fn is_extending(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{0483}'..='\u{0489}'
            | '\u{0591}'..='\u{05BD}'
            | '\u{0610}'..='\u{061A}'
            | '\u{064B}'..='\u{065F}'
            | '\u{0E31}'
            | '\u{0E34}'..='\u{0E3A}'
            | '\u{0E47}'..='\u{0E4E}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{200D}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{3099}'..='\u{309A}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FE20}'..='\u{FE2F}'
            | '\u{1F3FB}'..='\u{1F3FF}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// Byte index at which to cut `s` so that at most `max_chars - 1` characters
/// remain, moved back so the cut does not split a base from its marks.
/// `None` if `s` fits in `max_chars`.
pub(crate) fn cut_index(s: &str, max_chars: usize) -> Option<usize> {
    // Fits: nothing to cut.
    s.chars().nth(max_chars)?;
    let keep = max_chars.saturating_sub(1);
    let mut idx = s.char_indices().nth(keep).map_or(s.len(), |(i, _)| i);
    while idx > 0 && s[idx..].chars().next().is_some_and(is_extending) {
        idx = s[..idx].char_indices().next_back().map_or(0, |(i, _)| i);
    }
    Some(idx)
}

/// `s` cut to at most `max_chars` characters on a character boundary, with
/// `…` appended when cut.
pub(crate) fn truncate_chars(s: &str, max_chars: usize) -> String {
    match cut_index(s, max_chars) {
        None => s.to_owned(),
        Some(idx) => {
            let mut out = s[..idx].trim_end().to_owned();
            out.push('…');
            out
        }
    }
}
