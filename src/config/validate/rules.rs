//! The scraping rules of a source: `link_pattern`, `[sources.list]` and
//! `[sources.article]`, compiled at load (CSS selectors with
//! `scraper::Selector::parse`, regexes with `regex::Regex::new`) so
//! `reformwatch check` reports a bad one with its line and key. Also which
//! source kinds may carry which rules.

use toml::Spanned;

use super::super::raw::{Key, RawList, RawSource};
use super::super::tables::Section;
use super::super::{ArticleRules, ListRules, SourceKind};
use super::Check;

/// Longest selector or pattern accepted; longer ones are surely mistakes.
const MAX_RULE_LEN: usize = 1024;

/// Compiled regexes may not grow past this (bounds memory per pattern).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

impl Check<'_, '_> {
    /// The listing rules of source `sec`: required for `kind = "html"`,
    /// refused for feeds.
    pub(super) fn list_rules(
        &mut self,
        sec: &Section<RawSource>,
        kind: Option<SourceKind>,
    ) -> Option<ListRules> {
        let s = &sec.value;
        let pattern = self.regex(sec, "link_pattern", &s.link_pattern);
        let list = s.list.as_ref().map(|l| self.list_selectors(l));
        match kind {
            Some(SourceKind::Html) => {
                if s.list.is_none() && s.link_pattern.is_none() {
                    let why = " (an html source needs `[sources.list]` selectors \
                               with `item`, or `link_pattern`)";
                    self.missing(sec, "list", why);
                }
                let mut rules = list.unwrap_or_default();
                rules.link_pattern = pattern;
                Some(rules)
            }
            Some(SourceKind::Feed) => {
                if let Some(k) = &s.link_pattern {
                    let message = "`link_pattern` is only used by kind = \"html\" sources";
                    self.p.at(&k.span(), &sec.key("link_pattern"), message);
                }
                if let Some(l) = &s.list {
                    let message = "`[sources.list]` is only used by kind = \"html\" sources";
                    self.p.at(&l.span, &l.path, message);
                }
                None
            }
            None => None,
        }
    }

    fn list_selectors(&mut self, sec: &Section<RawList>) -> ListRules {
        let l = &sec.value;
        if l.item.is_none() {
            self.missing(sec, "item", " (the CSS selector of one listed article)");
        }
        ListRules {
            item: self.selector(sec, "item", &l.item),
            link: self.selector(sec, "link", &l.link),
            title: self.selector(sec, "title", &l.title),
            date: self.selector(sec, "date", &l.date),
            link_pattern: None,
        }
    }

    /// `[sources.article]`: for html sources, and for feeds with
    /// `full_text = true` (the only feeds whose pages are fetched).
    pub(super) fn article_rules(
        &mut self,
        sec: &Section<RawSource>,
        kind: Option<SourceKind>,
        full_text: bool,
    ) -> Option<ArticleRules> {
        let a = sec.value.article.as_ref()?;
        if kind == Some(SourceKind::Feed) && !full_text {
            let message = "`[sources.article]` is only used by kind = \"html\" sources \
                           and feeds with full_text = true";
            self.p.at(&a.span, &a.path, message);
            return None;
        }
        let r = &a.value;
        let mut remove = Vec::new();
        if let Some(list) = &r.remove {
            for (i, item) in list.get_ref().iter().enumerate() {
                let key = format!("{}[{i}]", a.key("remove"));
                if let Some(s) = self.compile_selector(item, &key) {
                    remove.push(s);
                }
            }
        }
        Some(ArticleRules {
            title: self.selector(a, "title", &r.title),
            subtitle: self.selector(a, "subtitle", &r.subtitle),
            kicker: self.selector(a, "kicker", &r.kicker),
            body: self.selector(a, "body", &r.body),
            date: self.selector(a, "date", &r.date),
            byline: self.selector(a, "byline", &r.byline),
            outlet: self.selector(a, "outlet", &r.outlet),
            remove,
        })
    }

    /// An optional CSS selector key, compiled.
    fn selector<S>(
        &mut self,
        sec: &Section<S>,
        name: &str,
        key: &Key<String>,
    ) -> Option<scraper::Selector> {
        let key = key.as_ref()?;
        self.compile_selector(key, &sec.key(name))
    }

    fn compile_selector(&mut self, key: &Spanned<String>, path: &str) -> Option<scraper::Selector> {
        match selector(key.get_ref()) {
            Ok(s) => Some(s),
            Err(e) => {
                self.p.at(&key.span(), path, e.to_string());
                None
            }
        }
    }

    /// An optional regex key, compiled.
    fn regex<S>(
        &mut self,
        sec: &Section<S>,
        name: &str,
        key: &Key<String>,
    ) -> Option<regex::Regex> {
        let key = key.as_ref()?;
        regex(key.get_ref())
            .map_err(|e| self.p.at(&key.span(), &sec.key(name), e.to_string()))
            .ok()
    }
}

/// Why a selector or pattern of a source's rules does not compile.
#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum RuleError {
    /// A blank selector.
    #[error("empty CSS selector")]
    EmptySelector,
    /// A selector over [`MAX_RULE_LEN`] bytes.
    #[error("CSS selector longer than {MAX_RULE_LEN} bytes")]
    LongSelector,
    /// The selector parser refused it.
    #[error("invalid CSS selector `{text}`: {problem}")]
    Selector {
        /// The selector as written (trimmed).
        text: String,
        /// The mistake, named in words (the parser's error borrows the
        /// text, so it is kept as its name).
        problem: String,
    },
    /// A blank pattern.
    #[error("empty regex")]
    EmptyRegex,
    /// A pattern over [`MAX_RULE_LEN`] bytes.
    #[error("regex longer than {MAX_RULE_LEN} bytes")]
    LongRegex,
    /// The regex compiler refused it (shown on one line).
    #[error("invalid regex `{text}`: {}", one_line(.error))]
    Regex {
        /// The pattern as written.
        text: String,
        /// The compiler's error.
        error: regex::Error,
    },
}

/// Compiles a CSS selector, or says why it is not one.
pub(crate) fn selector(text: &str) -> Result<scraper::Selector, RuleError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(RuleError::EmptySelector);
    }
    if text.len() > MAX_RULE_LEN {
        return Err(RuleError::LongSelector);
    }
    scraper::Selector::parse(text).map_err(|e| RuleError::Selector {
        text: text.to_owned(),
        problem: selector_problem(&e),
    })
}

/// scraper's message for most selector mistakes is "Unexpected error
/// occurred. Please report this to the developer" plus a debug dump; name
/// the mistake instead (`ClassNeedsIdent` → "class needs ident").
fn selector_problem(e: &scraper::error::SelectorErrorKind) -> String {
    use scraper::error::SelectorErrorKind as K;
    let K::UnexpectedSelectorParseError(kind) = e else {
        return e.to_string().to_lowercase();
    };
    let debug = format!("{kind:?}");
    let name = debug
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or_default();
    let mut words = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() && !words.is_empty() {
            words.push(' ');
        }
        words.push(c.to_ascii_lowercase());
    }
    words
}

/// Compiles a regex, or says why it is not one.
pub(crate) fn regex(text: &str) -> Result<regex::Regex, RuleError> {
    if text.trim().is_empty() {
        return Err(RuleError::EmptyRegex);
    }
    if text.len() > MAX_RULE_LEN {
        return Err(RuleError::LongRegex);
    }
    regex::RegexBuilder::new(text)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|error| RuleError::Regex {
            text: text.to_owned(),
            error,
        })
}

/// regex's syntax errors span several lines (the pattern, a caret, then
/// `error: …`); a config problem is one line, so keep the `error:` part.
fn one_line(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map(str::to_owned)
        .unwrap_or_else(|| text.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_compile_or_explain() {
        assert!(selector("ul.list li > a[href]").is_ok());
        let e = selector("ul..list li").unwrap_err().to_string();
        assert_eq!(e, "invalid CSS selector `ul..list li`: class needs ident");
        let e = selector("li >").unwrap_err().to_string();
        assert_eq!(e, "invalid CSS selector `li >`: dangling combinator");
        assert_eq!(
            selector("  ").unwrap_err().to_string(),
            "empty CSS selector"
        );
    }

    #[test]
    fn regex_errors_fit_on_one_line() {
        assert!(regex(r"/\d{4}-\d{2}/\d{2}/content_\d+\.htm").is_ok());
        let e = regex(r"content_(\d+\.htm").unwrap_err().to_string();
        assert!(!e.contains('\n'), "{e}");
        assert!(e.contains("unclosed group"), "{e}");
    }
}
