//! Pure text units for diffing: sentences (split on `。！？；` and their
//! ASCII forms), diff tokens (one token per CJK character, one per Latin
//! word or number, one per whitespace run or punctuation mark) and the
//! character-bigram similarity used to pair paragraphs, sentences and quotes.
//! Owns what "the same unit" means; knows nothing about articles.

use crate::document::normalize::normalize_text;

/// Sentence terminators that always end a sentence.
const CJK_TERMINATORS: &[char] = &['。', '！', '？', '；', '!', '?', ';'];

/// Closing marks that stay with the sentence they close (`……。”`).
const CLOSERS: &[char] = &[
    '”', '’', '」', '』', '）', ')', '》', '"', '\'', '】', ']', '〕',
];

/// True for characters written without spaces between words: Han, kana,
/// Hangul, and CJK symbols. Each is its own diff token.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{2FDF}'   // radicals
        | '\u{3040}'..='\u{30FF}' // kana
        | '\u{3100}'..='\u{312F}' // bopomofo
        | '\u{3130}'..='\u{318F}' // Hangul compatibility jamo
        | '\u{3400}'..='\u{4DBF}' // Han extension A
        | '\u{4E00}'..='\u{9FFF}' // Han
        | '\u{AC00}'..='\u{D7AF}' // Hangul syllables
        | '\u{F900}'..='\u{FAFF}' // Han compatibility
        | '\u{20000}'..='\u{3134F}' // Han extensions B–G
    )
}

/// True for characters that carry no words: punctuation, symbols and
/// whitespace. A change made only of these is cosmetic.
pub(crate) fn is_noise(c: char) -> bool {
    !c.is_alphanumeric()
}

/// Han characters that write numbers (`十二项`, `两个`, `〇`).
pub(crate) fn is_cjk_numeral(c: char) -> bool {
    "〇零一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟".contains(c)
}

/// Splits text into sentences, each keeping its terminator, the closing
/// quotes or brackets after it and the whitespace that follows. The
/// concatenation of the sentences is the input.
///
/// ASCII `.` ends a sentence only before whitespace, a closing mark or the
/// end, so `3.5亿` and `www.gov.cn` stay whole.
pub(crate) fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let ends = if c == '.' {
            chars
                .peek()
                .is_none_or(|&(_, n)| n.is_whitespace() || CLOSERS.contains(&n))
        } else {
            CJK_TERMINATORS.contains(&c)
        };
        if !ends {
            continue;
        }
        let mut end = i + c.len_utf8();
        // Runs of terminators (`？！`, `……。`), closers, then whitespace.
        while let Some(&(j, n)) = chars.peek() {
            if CJK_TERMINATORS.contains(&n) || n == '.' || CLOSERS.contains(&n) {
                end = j + n.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        while let Some(&(j, n)) = chars.peek() {
            if n.is_whitespace() {
                end = j + n.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        out.push(&text[start..end]);
        start = end;
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Splits text into diff tokens: each CJK character alone, each run of
/// other letters or digits (a Latin word, a number) together, each
/// whitespace run together, every other character alone. The concatenation
/// of the tokens is the input.
pub(crate) fn tokens(text: &str) -> Vec<&str> {
    #[derive(PartialEq, Clone, Copy)]
    enum Kind {
        Word,
        Space,
        Single,
    }
    let kind = |c: char| {
        if is_cjk(c) {
            Kind::Single
        } else if c.is_alphanumeric() {
            Kind::Word
        } else if c.is_whitespace() {
            Kind::Space
        } else {
            Kind::Single
        }
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut current: Option<Kind> = None;
    for (i, c) in text.char_indices() {
        let k = kind(c);
        match current {
            Some(prev) if prev == k && k != Kind::Single => {}
            Some(_) => {
                out.push(&text[start..i]);
                start = i;
            }
            None => {}
        }
        current = Some(k);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Counts the characters of `s` that are not [`is_noise`].
pub(crate) fn word_chars(s: &str) -> usize {
    s.chars().filter(|&c| !is_noise(c)).count()
}

/// The comparison form used for pairing and for "cosmetic": normalized
/// (NFKC, width, invisibles, whitespace) and stripped of punctuation.
pub(crate) fn skeleton(s: &str) -> String {
    normalize_text(s)
        .chars()
        .filter(|&c| !is_noise(c))
        .collect()
}

/// Character bigrams of a text's [`skeleton`], sorted, for [`similarity`].
#[derive(Debug, Clone)]
pub(crate) struct Bigrams(Vec<u64>);

impl Bigrams {
    /// Bigrams of `s` (a one-character skeleton gives one unigram).
    pub(crate) fn of(s: &str) -> Self {
        let chars: Vec<char> = skeleton(s).chars().collect();
        let mut grams: Vec<u64> = if chars.len() == 1 {
            vec![u64::from(chars[0] as u32)]
        } else {
            chars
                .windows(2)
                .map(|w| (u64::from(w[0] as u32) << 32) | u64::from(w[1] as u32))
                .collect()
        };
        grams.sort_unstable();
        Bigrams(grams)
    }
}

/// Dice coefficient of two bigram multisets, in `0.0..=1.0`: 1 for the
/// same skeleton, 0 for nothing in common (or both empty).
pub(crate) fn similarity(a: &Bigrams, b: &Bigrams) -> f64 {
    let (a, b) = (&a.0, &b.0);
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    (2 * common) as f64 / (a.len() + b.len()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_on_chinese_and_ascii_terminators() {
        let s = "改革是出路。“我们将扛起使命！”他说；是吗? Yes. 3.5亿元 www.gov.cn";
        assert_eq!(
            sentences(s),
            vec![
                "改革是出路。",
                "“我们将扛起使命！”",
                "他说；",
                "是吗? ",
                "Yes. ",
                "3.5亿元 www.gov.cn"
            ]
        );
        assert_eq!(sentences(s).concat(), s);
        assert!(sentences("").is_empty());
        assert_eq!(sentences("真的吗？！……"), vec!["真的吗？！", "……"]);
    }

    #[test]
    fn tokens_are_cjk_characters_and_latin_words() {
        assert_eq!(
            tokens("8月30日, Reform Watch说：2024"),
            vec!["8", "月", "30", "日", ",", " ", "Reform", " ", "Watch", "说", "：", "2024"]
        );
        let s = "全面深化改革 deepening  reform！";
        assert_eq!(tokens(s).concat(), s);
    }

    #[test]
    fn similarity_ignores_width_and_punctuation() {
        let a = Bigrams::of("改革，开放！");
        let b = Bigrams::of("改革,开放!");
        assert_eq!(similarity(&a, &b), 1.0);
        assert_eq!(similarity(&a, &Bigrams::of("完全不同的句子")), 0.0);
        let c = Bigrams::of("改革开放四十年");
        assert!(similarity(&a, &c) > 0.4);
    }

    #[test]
    fn numerals_and_noise() {
        assert!(is_cjk_numeral('十') && !is_cjk_numeral('改'));
        assert!(is_noise('，') && is_noise(' ') && !is_noise('改') && !is_noise('7'));
        assert_eq!(word_chars("改革，2024!"), 6);
    }
}
