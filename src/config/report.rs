//! The problem sink: every check appends a [`ConfigProblem`] here instead of
//! returning early, so `check` reports everything at once. Owns turning spans
//! into lines and the final ordering; knows nothing about which keys exist.

use std::ops::Range;
use std::path::Path;

use super::lines::{key_path_at, LineIndex};
use super::{ConfigErrors, ConfigProblem};

/// Collected problems for one config file.
pub(crate) struct Problems<'a> {
    file: &'a Path,
    text: &'a str,
    lines: LineIndex,
    list: Vec<ConfigProblem>,
}

impl<'a> Problems<'a> {
    /// An empty sink for `text`, read from `file`.
    pub(crate) fn new(file: &'a Path, text: &'a str) -> Self {
        Self {
            file,
            text,
            lines: LineIndex::new(text),
            list: Vec::new(),
        }
    }

    /// Records a problem located at `span`.
    pub(crate) fn at(&mut self, span: &Range<usize>, key: &str, message: impl Into<String>) {
        let line = Some(self.lines.line_of(span.start));
        self.push(line, key, message.into());
    }

    /// Records a problem with no place in the file (e.g. a missing table).
    pub(crate) fn nowhere(&mut self, key: &str, message: impl Into<String>) {
        self.push(None, key, message.into());
    }

    fn push(&mut self, line: Option<usize>, key: &str, message: String) {
        self.list.push(ConfigProblem {
            file: self.file.to_path_buf(),
            line,
            key: key.to_owned(),
            message,
        });
    }

    /// Records a TOML syntax error at `span`, labelled with the key path the
    /// line appears to belong to.
    pub(crate) fn syntax(&mut self, text: &str, span: &Range<usize>, message: impl Into<String>) {
        let line = self.lines.line_of(span.start);
        let key = key_path_at(text, line);
        self.push(Some(line), &key, message.into());
    }

    /// The config text the problems are about.
    pub(crate) fn text(&self) -> &'a str {
        self.text
    }

    /// The 1-based line of `span`'s start, for messages that point elsewhere.
    pub(crate) fn line_of(&self, span: &Range<usize>) -> usize {
        self.lines.line_of(span.start)
    }

    /// `Ok(value)` when nothing was reported, else every problem in line order
    /// (problems without a line last).
    pub(crate) fn finish<T>(self, value: T) -> Result<T, ConfigErrors> {
        if self.list.is_empty() {
            return Ok(value);
        }
        let mut list = self.list;
        list.sort_by_key(|p| (p.line.unwrap_or(usize::MAX), p.key.clone()));
        Err(ConfigErrors(list))
    }
}

/// An error and its sources on one line, `outer: inner: …`: the message of
/// a config problem.
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    std::iter::successors(Some(e), |e| e.source())
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join(": ")
}

/// The candidate closest to `input`, if one is close enough to be a likely typo.
pub(crate) fn closest<'c>(
    input: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(input, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `", did you mean `x`?"` when a candidate is close, else an empty string.
pub(crate) fn did_you_mean<'c>(
    input: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> String {
    closest(input, candidates)
        .map(|c| format!(", did you mean `{c}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn suggests_near_names_only() {
        let keys = ["interval", "id", "url", "timezone"];
        assert_eq!(closest("intervl", keys), Some("interval"));
        assert_eq!(closest("timezon", keys), Some("timezone"));
        assert_eq!(closest("colour", keys), None);
    }
}
