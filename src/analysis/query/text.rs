//! The text a query is matched against: every field value of an article,
//! folded once (NFKC, width, invisible characters, whitespace, then lower
//! case), and what counts as a word edge and a unit of distance.

use crate::analysis::diff::is_cjk;
use crate::config::query::Field;
use crate::document::normalize::normalize_text;
use crate::model::Article;

/// The comparison form of query terms and article text: normalized as
/// the keyword matcher does, then lower-cased (Latin, Greek, Cyrillic).
pub(crate) fn fold(s: &str) -> String {
    let n = normalize_text(s);
    if n.chars().any(char::is_uppercase) {
        n.to_lowercase()
    } else {
        n
    }
}

/// A letter or digit of a word written with spaces between words: its
/// neighbours decide where a Latin term may match.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk(c)
}

/// One value of one field, folded.
#[derive(Debug, Clone)]
pub(crate) struct Value {
    pub field: Field,
    pub text: String,
}

/// Every field value of an article, folded. Paragraphs, headings, quotes,
/// speakers and roles are separate values, so `NEAR` never reaches across
/// them.
#[derive(Debug, Clone, Default)]
pub(crate) struct ArticleText {
    pub values: Vec<Value>,
}

impl ArticleText {
    /// The values of `article`; `source_name` is its source's configured
    /// name, matched by `source:` with its id.
    pub(crate) fn of(article: &Article, source_name: Option<&str>) -> Self {
        let mut values = Vec::new();
        let mut push = |field: Field, s: &str| {
            let text = fold(s);
            if !text.is_empty() {
                values.push(Value { field, text });
            }
        };
        for (field, s) in [
            (Field::Kicker, article.kicker.as_deref()),
            (Field::Title, Some(article.title.as_str())),
            (Field::Subtitle, article.subtitle.as_deref()),
        ] {
            if let Some(s) = s {
                push(field, s);
            }
        }
        // The body as keyword scoring counts it: the lead when it is not
        // a paragraph, the paragraphs, the quotes not inside them.
        let paragraphs: Vec<String> = article.paragraphs().map(normalize_text).collect();
        if let Some(lead) = article.lead.as_deref() {
            if !paragraphs.contains(&normalize_text(lead)) {
                push(Field::Body, lead);
            }
        }
        for p in article.paragraphs() {
            push(Field::Body, p);
        }
        for q in &article.quotes {
            let text = normalize_text(&q.text);
            if !paragraphs.iter().any(|p| p.contains(text.as_str())) {
                push(Field::Body, &q.text);
            }
        }
        for h in article.sections.iter().filter_map(|s| s.heading.as_deref()) {
            push(Field::Section, h);
        }
        push(Field::Source, &article.source_id);
        if let Some(name) = source_name.filter(|n| *n != article.source_id) {
            push(Field::Source, name);
        }
        for (field, s) in [
            (Field::Outlet, article.outlet.as_deref()),
            (Field::Byline, article.byline.as_deref()),
        ] {
            if let Some(s) = s {
                push(field, s);
            }
        }
        for q in &article.quotes {
            if let Some(s) = q.speaker.as_deref() {
                push(Field::Speaker, s);
            }
            if let Some(r) = q.role.as_deref() {
                push(Field::Role, r);
            }
        }
        ArticleText { values }
    }
}

/// Whether an unrestricted clause looks in `field`: the headline and the
/// body, as keywords do.
pub(crate) fn is_default_field(field: Field) -> bool {
    matches!(
        field,
        Field::Kicker | Field::Title | Field::Subtitle | Field::Body
    )
}

/// Units of distance in `text[from..to]`: Chinese (and other CJK)
/// characters and Latin words; punctuation and spaces do not count. A word
/// cut by `from` counts only if it starts inside.
pub(crate) fn units_between(text: &str, from: usize, to: usize) -> usize {
    if from >= to {
        return 0;
    }
    let mut prev = text[..from].chars().next_back();
    let mut units = 0;
    for c in text[from..to].chars() {
        if is_cjk(c) || (is_word_char(c) && !prev.is_some_and(is_word_char)) {
            units += 1;
        }
        prev = Some(c);
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_characters_and_words_not_punctuation() {
        let t = "国企，深化 the reform of SOEs 改革";
        let start = t.find('，').unwrap();
        let end = t.rfind('改').unwrap();
        // 深 化 the reform of SOEs
        assert_eq!(units_between(t, start, end), 6);
        assert_eq!(units_between(t, end, start), 0);
        // A word cut at `from` does not count again.
        let r = t.find("eform").unwrap();
        assert_eq!(units_between(t, r, t.find("SOEs").unwrap()), 1);
    }

    #[test]
    fn folding_is_width_and_case_insensitive() {
        assert_eq!(fold("ＳＯＥ Reform\u{200B}s"), "soe reforms");
        assert_eq!(fold("  国企  改革 "), "国企 改革");
    }
}
