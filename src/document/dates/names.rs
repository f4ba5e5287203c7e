//! Month names and zone abbreviations in the languages feeds and news
//! sites write dates in: English (full, three-letter and `Sept`), Greek and
//! Hungarian (as feedparser reads them), and the zone names of RFC 822 and
//! common practice, with `CST` as China Standard Time.

use chrono::FixedOffset;

const ENGLISH: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Greek abbreviations (with and without accents) → month.
const GREEK: &[(&str, u32)] = &[
    ("ιαν", 1),
    ("φεβ", 2),
    ("μάρ", 3),
    ("μαρ", 3),
    ("μάώ", 3),
    ("μαώ", 3),
    ("απρ", 4),
    ("άπρ", 4),
    ("μάι", 5),
    ("μαϊ", 5),
    ("μαι", 5),
    ("μάη", 5),
    ("μαη", 5),
    ("ιούν", 6),
    ("ιουν", 6),
    ("ιον", 6),
    ("ιούλ", 7),
    ("ιουλ", 7),
    ("ιολ", 7),
    ("αύγ", 8),
    ("αυγ", 8),
    ("σεπ", 9),
    ("οκτ", 10),
    ("νοέ", 11),
    ("νοε", 11),
    ("δεκ", 12),
];

const HUNGARIAN: [&str; 12] = [
    "január",
    "február",
    "március",
    "április",
    "május",
    "június",
    "július",
    "augusztus",
    "szeptember",
    "október",
    "november",
    "december",
];

/// The month a name stands for: English (`Jan`, `January`, `Sept`; not
/// `Mayday`), Greek abbreviations, Hungarian names.
pub(super) fn month(word: &str) -> Option<u32> {
    let chars = word.chars().count();
    if !(3..=12).contains(&chars) {
        return None;
    }
    let lower = word.to_lowercase();
    let number = |i: usize| u32::try_from(i + 1).ok();
    if lower.is_ascii() {
        let i = ENGLISH.iter().position(|m| m.starts_with(&lower[..3]))?;
        let ok = lower.len() == 3 || lower == "sept" || ENGLISH[i] == lower;
        return if ok { number(i) } else { None };
    }
    if let Some(&(_, m)) = GREEK.iter().find(|(name, _)| *name == lower) {
        return Some(m);
    }
    HUNGARIAN.iter().position(|m| *m == lower).and_then(number)
}

/// A named zone (upper case): RFC 822's, US `AT`/`ET`/`CT`/`MT`/`PT`,
/// Central European (`MET`, `CET`, …), East Asian. `CST` is China Standard
/// Time (+8), not US Central: our sources are Chinese.
pub(super) fn zone(upper: &str) -> Option<FixedOffset> {
    let hours = match upper.strip_prefix("ETC/").unwrap_or(upper) {
        "Z" | "UT" | "UTC" | "GMT" | "WET" => 0,
        "CST" | "CCT" | "BJT" | "HKT" | "SGT" | "AWST" => 8,
        "JST" | "KST" => 9,
        "MET" | "CET" | "BST" | "WEST" => 1,
        "MEST" | "CEST" | "EET" => 2,
        "EEST" | "MSK" => 3,
        "ADT" => -3,
        "AST" | "AT" | "EDT" => -4,
        "EST" | "ET" | "CDT" => -5,
        "CT" | "MDT" => -6,
        "MST" | "MT" | "PDT" => -7,
        "PST" | "PT" => -8,
        _ => return None,
    };
    FixedOffset::east_opt(hours * 3600)
}
