//! Pure: English attributions of quoted speech, for the English and mixed
//! pages the same sources carry: `"…," said Maria Lopez, a trade
//! consultant`, `"…," Lopez said`, `Maria Lopez said: "…"`. A pronoun
//! (`"…," he said`) names nobody, so such a quote is left out.

use std::sync::LazyLock;

use regex::Regex;

/// A name: one to three capitalised words (`Maria Lopez`, `Jean-Luc O'Neill`).
const NAME: &str = r"[A-Z][\p{L}'’.-]+(?:\s+[A-Z][\p{L}'’.-]+){0,2}";
/// Verbs of attribution.
const VERB: &str = r"(?:said|says|added|adds|explained|noted|told\s+[\p{L} ]{2,30}?)";

/// After the quote: `said NAME[, ROLE]` or `NAME said`.
static AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^\s*(?:{VERB}\s+(?P<name>{NAME})(?:,\s*(?P<role>[^,.;:!?“”\x22]{{3,80}}))?|(?P<name2>{NAME})\s+{VERB}\b)"
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

/// `(speaker, role)` from the text after a quote.
pub(crate) fn after(text: &str) -> Option<(String, Option<String>)> {
    let c = AFTER.captures(text)?;
    let name = c.name("name").or_else(|| c.name("name2"))?.as_str();
    let name = name.trim_end_matches(['.', ',']);
    let role = c
        .name("role")
        .map(|r| r.as_str().trim().to_string())
        .filter(|r| !r.is_empty());
    named(name).map(|n| (n, role))
}

/// `(speaker, None)` from the text just before a quote.
pub(crate) fn before(text: &str) -> Option<(String, Option<String>)> {
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
