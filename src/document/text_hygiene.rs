//! Pure: which characters text may carry that no reader can see, and the
//! one-line form of text without them.
//!
//! Pages and feeds smuggle in characters that render as nothing: zero-width
//! spaces between the characters of a keyword, a BOM pasted mid-title, a
//! soft hyphen, bidi overrides that make `txt.exe` read as `exe.txt`. They
//! must not split a keyword, change a content hash, break a date or reach a
//! mail. Every stage that cleans text asks this module, so "invisible"
//! means the same thing in hashing ([`crate::document::normalize`]), date
//! reading ([`crate::document::dates`]) and the digest.

/// True for the invisible format characters: those of general category Cf
/// that Unicode marks `Default_Ignorable_Code_Point`, i.e. format controls
/// with no glyph of their own. That is the soft hyphen, the Arabic letter
/// mark, the Mongolian vowel separator, zero-width space, non-joiner and
/// joiner, the bidi marks, embeddings, overrides and isolates, the word
/// joiner and invisible operators, the deprecated format characters
/// U+206A–206F, the BOM (zero-width no-break space), the shorthand format
/// controls, the musical format controls and the tag characters.
///
/// Visible format characters (the Arabic number signs, U+0600–0605) and
/// variation selectors (Mn: they choose a glyph) are not in the set;
/// controls (Cc) are a separate test, [`is_hidden`].
pub fn is_invisible(c: char) -> bool {
    // Most text (ASCII, Latin, CJK ideographs and punctuation) lies below
    // or between the ranges: answer it with two comparisons.
    let cp = u32::from(c);
    if cp < 0xAD || (0x2070..0xFEFF).contains(&cp) {
        return false;
    }
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

/// True for characters removed from every cleaned text: controls (C0, DEL,
/// C1) and the [invisible](is_invisible) format characters. Callers that
/// keep line structure test whitespace first.
pub fn is_hidden(c: char) -> bool {
    c.is_control() || is_invisible(c)
}

/// `chars` as one line: whitespace runs (CR, LF, tabs, U+2028, U+3000 …)
/// become one space, [hidden](is_hidden) characters are dropped, and the
/// ends are trimmed. `capacity` is a size hint for the output.
pub fn fold_chars(chars: impl Iterator<Item = char>, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity);
    let mut pending_space = false;
    for c in chars {
        if c.is_whitespace() {
            pending_space = true;
        } else if is_hidden(c) {
            continue;
        } else {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
    }
    out
}

/// [`fold_chars`] over a string.
pub fn fold_line(s: &str) -> String {
    fold_chars(s.chars(), s.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invisible_set_is_the_default_ignorable_format_characters() {
        for c in [
            '\u{00AD}',
            '\u{061C}',
            '\u{180E}',
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{200E}',
            '\u{200F}',
            '\u{202A}',
            '\u{202E}',
            '\u{2060}',
            '\u{2064}',
            '\u{2066}',
            '\u{2069}',
            '\u{206A}',
            '\u{206F}',
            '\u{FEFF}',
            '\u{1BCA0}',
            '\u{1D173}',
            '\u{E0001}',
            '\u{E0020}',
            '\u{E007F}',
        ] {
            assert!(is_invisible(c), "U+{:04X} should be invisible", c as u32);
        }
        // Visible or glyph-choosing neighbours stay: Arabic number sign,
        // variation selectors, combining marks, the ideographic space
        // (whitespace, folded instead), and ordinary CJK text.
        for c in [
            '\u{0600}',
            '\u{FE0F}',
            '\u{E0100}',
            '\u{0301}',
            '\u{3000}',
            '\u{2065}',
            '改',
            'a',
            ' ',
            '\u{1F3F4}',
        ] {
            assert!(!is_invisible(c), "U+{:04X} should stay", c as u32);
        }
        assert!(is_hidden('\u{0007}') && is_hidden('\u{0085}') && is_hidden('\u{200B}'));
        assert!(!is_hidden('深'));
    }

    #[test]
    fn folding_drops_hidden_characters_and_joins_whitespace() {
        assert_eq!(
            fold_line(
                "  改\u{200B}革\u{00AD}开放\r\n\t\u{3000} Reform\u{202E}\u{2066}x\u{2069} \u{0007}"
            ),
            "改革开放 Reformx"
        );
        // A keyword split by invisible characters is whole again.
        assert_eq!(fold_line("深\u{FEFF}化\u{2060}改\u{E0020}革"), "深化改革");
        assert_eq!(fold_line("\u{200B}\u{FEFF} \n"), "");
        assert_eq!(fold_chars("a  b".chars(), 0), "a b");
    }
}
