//! `[synonyms]` and the topics' `query` keys: every synonym set checked,
//! every query parsed with them. A bad query is reported on the file line
//! where the problem is and at its column inside the query.

use std::ops::Range;

use toml::Spanned;

use super::super::raw::{RawSynonym, RawTopic};
use super::super::tables::Section;
use super::Check;
use crate::config::query::{self, Query, QueryError, Synonyms};

/// Characters a synonym name cannot hold: they end `@name` in a query.
fn breaks_name(c: char) -> bool {
    c.is_whitespace() || "()（）\"“”^@:".contains(c)
}

impl Check<'_, '_> {
    /// The `[synonyms]` sets: names usable after `@`, non-empty lists of
    /// non-empty terms (a term ending in `*` matches as a word prefix).
    pub(super) fn synonyms(&mut self, raw: &[RawSynonym]) -> Synonyms {
        let mut out = Synonyms::new();
        for s in raw {
            let name = s.name.get_ref();
            let key = format!("synonyms.{name}");
            if name.is_empty() || name.chars().any(breaks_name) {
                self.p.at(
                    &s.name.span(),
                    &key,
                    "a synonym name is written after `@` in queries: no spaces, quotes, parentheses, `^`, `@` or `:`",
                );
                continue;
            }
            let terms = s.terms.get_ref();
            if terms.is_empty() {
                self.p.at(
                    &s.terms.span(),
                    &key,
                    "a synonym set must list at least one term",
                );
                continue;
            }
            let mut list: Vec<String> = Vec::new();
            let mut ok = true;
            for (i, t) in terms.iter().enumerate() {
                let term = t.get_ref().trim();
                if term.trim_end_matches('*').is_empty() {
                    let key = format!("{key}[{i}]");
                    self.p.at(&t.span(), &key, "synonym must not be empty");
                    ok = false;
                } else if !list.iter().any(|x| x == term) {
                    list.push(term.to_owned());
                }
            }
            if ok {
                out.insert(name.clone(), list);
            }
        }
        out
    }

    /// The topic's `query`, parsed: `Ok(None)` without one, `Err(())` when
    /// it is bad (reported).
    pub(super) fn query(
        &mut self,
        sec: &Section<RawTopic>,
        synonyms: &Synonyms,
    ) -> Result<Option<Query>, ()> {
        let Some(raw) = &sec.value.query else {
            return Ok(None);
        };
        match query::parse(raw.get_ref(), synonyms) {
            Ok(q) => Ok(Some(q)),
            Err(e) => {
                let at = self.query_position(raw, &e);
                self.p.at(&at, &sec.key("query"), e.to_string());
                Err(())
            }
        }
    }

    /// Where in the file a query error is: the exact spot when the string
    /// is written without escapes (so its text is the file's text), else
    /// the start of the value.
    fn query_position(&self, raw: &Spanned<String>, e: &QueryError) -> Range<usize> {
        let span = raw.span();
        let written = self.p.text().get(span.clone()).unwrap_or("");
        let open = ["'''", "\"\"\"", "'", "\""]
            .into_iter()
            .find(|q| written.starts_with(q));
        let Some(open) = open else {
            return span;
        };
        if open.starts_with('"') && written.contains('\\') {
            return span;
        }
        let mut start = span.start + open.len();
        // A newline right after `'''` or `"""` is not part of the string.
        if open.len() == 3 {
            let rest = &written[open.len()..];
            if rest.starts_with("\r\n") {
                start += 2;
            } else if rest.starts_with('\n') {
                start += 1;
            }
        }
        let at = start + e.offset;
        at..at + 1
    }
}
