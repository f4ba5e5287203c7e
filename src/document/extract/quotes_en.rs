//! Pure: English attributions of quoted speech, for the English and mixed
//! pages the same sources carry: `"…," said Maria Lopez, a trade
//! consultant`, `"…," Lopez said`, `Maria Lopez said: "…"`. A pronoun
//! (`"…," he said`) names nobody, so such a quote is left out.

use std::sync::LazyLock;

use regex::Regex;

/// A name: one to three capitalised words (`Maria Lopez`, `Jean-Luc O'Neill`).
/// (Latin letters only: Unicode classes under bounded repetition make the
/// compiled regex huge.)
const NAME: &str = r"[A-Z][A-Za-z\u{C0}-\u{17F}'’.-]+(?:\s+[A-Z][A-Za-z\u{C0}-\u{17F}'’.-]+){0,2}";
/// Verbs of attribution.
const VERB: &str = r"(?:said|says|added|adds|explained|noted|told\s+[a-z]+(?:\s+[a-z]+)?)";

/// After the quote: `said NAME[, ROLE]` or `NAME said`.
static AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^\s*(?:{VERB}\s+(?P<name>{NAME})(?:,\s*(?P<role>[^,.;:!?“”\x22]+))?|(?P<name2>{NAME})\s+{VERB}\b)"
    ))
    .expect("static regex")
});

/// Before the quote, ending the sentence part: `NAME said:` / `NAME said,`.
static BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?P<name>{NAME})\s+{VERB}\s*[,:]?\s*$")).expect("static regex")
});

/// Capitalised words that are not names.
const NOT_NAMES: &[&str] = &[
    "He",
    "She",
    "It",
    "They",
    "We",
    "I",
    "You",
    "The",
    "This",
    "That",
    "A",
    "An",
    "But",
    "And",
    "Officials",
    "Experts",
    "Critics",
    "Some",
    "Others",
];

/// How much text next to a quote an attribution is looked for in (bounds
/// the regex work on long paragraphs).
const WINDOW: usize = 160;

/// Verbs looked for with a plain substring search before any regex runs.
const CHEAP_VERBS: &[&str] = &[
    "said",
    "says",
    "added",
    "adds",
    "explained",
    "noted",
    "told",
];

fn has_verb(text: &str) -> bool {
    CHEAP_VERBS.iter().any(|v| text.contains(v))
}

/// `(speaker, role)` from the text after a quote.
pub(crate) fn after(text: &str) -> Option<(String, Option<String>)> {
    let mut end = text.len().min(WINDOW);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let text = &text[..end];
    if !has_verb(text) {
        return None;
    }
    let c = AFTER.captures(text)?;
    let name = c.name("name").or_else(|| c.name("name2"))?.as_str();
    let name = name.trim_end_matches(['.', ',']);
    let role = c
        .name("role")
        .map(|r| r.as_str().trim().to_string())
        .filter(|r| (3..=80).contains(&r.chars().count()));
    named(name).map(|n| (n, role))
}

/// `(speaker, None)` from the text just before a quote.
pub(crate) fn before(text: &str) -> Option<(String, Option<String>)> {
    let mut start = text.len().saturating_sub(WINDOW);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let text = &text[start..];
    if !has_verb(text) {
        return None;
    }
    let c = BEFORE.captures(text)?;
    named(c.name("name")?.as_str()).map(|n| (n, None))
}

fn named(name: &str) -> Option<String> {
    let first = name.split_whitespace().next()?;
    (!NOT_NAMES.contains(&first)).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn said_after_with_role_and_name_said() {
        assert_eq!(
            after(" said Maria Lopez, a trade consultant from Madrid. 她表示"),
            Some((
                "Maria Lopez".into(),
                Some("a trade consultant from Madrid".into())
            ))
        );
        assert_eq!(after(" Lopez said."), Some(("Lopez".into(), None)));
        assert_eq!(
            before("Maria Lopez said: "),
            Some(("Maria Lopez".into(), None))
        );
    }

    #[test]
    fn pronouns_and_plain_text_name_nobody() {
        assert_eq!(after(" he said."), None);
        assert_eq!(after(" She said."), None);
        assert_eq!(after(" The minister said."), None);
        assert_eq!(after(" is what the report concluded."), None);
    }
}
