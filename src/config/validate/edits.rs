//! The revision keys: a source's `ignore` patterns (compiled here, so a bad
//! one is reported with its line by `reformwatch check`), its `recheck`
//! schedule and `recheck_per_poll` cap, and a subscriber's `revisions`
//! setting.

use std::time::Duration;

use super::super::raw::{RawSource, RawSubscriber};
use super::super::tables::Section;
use super::super::values;
use super::rules::regex;
use super::Check;
use crate::model::ChangeClass;

/// The re-check delays after an article is first stored, when `recheck`
/// is left out.
pub(crate) const DEFAULT_RECHECK: [u64; 6] =
    [3600, 3 * 3600, 12 * 3600, 86_400, 3 * 86_400, 7 * 86_400];

/// Re-checks per poll of a source, when `recheck_per_poll` is left out.
pub(crate) const DEFAULT_RECHECK_PER_POLL: usize = 20;

impl Check<'_, '_> {
    /// `ignore = ["浏览次数：\\d+", …]`, each compiled; bad ones reported.
    pub(super) fn ignore_patterns(&mut self, sec: &Section<RawSource>) -> Vec<regex::Regex> {
        let Some(list) = &sec.value.ignore else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, pattern) in list.get_ref().iter().enumerate() {
            match regex(pattern.get_ref()) {
                Ok(re) => out.push(re),
                Err(e) => {
                    let key = format!("{}[{i}]", sec.key("ignore"));
                    self.p.at(&pattern.span(), &key, e.to_string());
                }
            }
        }
        out
    }

    /// `recheck = ["1h", "3h", …]`: increasing delays; `[]` turns
    /// re-checking off.
    pub(super) fn recheck_schedule(&mut self, sec: &Section<RawSource>) -> Vec<Duration> {
        let Some(list) = &sec.value.recheck else {
            return DEFAULT_RECHECK
                .iter()
                .map(|s| Duration::from_secs(*s))
                .collect();
        };
        let mut out: Vec<Duration> = Vec::new();
        for (i, delay) in list.get_ref().iter().enumerate() {
            let key = format!("{}[{i}]", sec.key("recheck"));
            match values::positive_duration(delay.get_ref()) {
                Ok(d) if out.last().is_some_and(|last| d <= *last) => {
                    let message = format!(
                        "`recheck` delays must increase: `{}` is not after the one before",
                        delay.get_ref()
                    );
                    self.p.at(&delay.span(), &key, message);
                }
                Ok(d) => out.push(d),
                Err(e) => self.p.at(&delay.span(), &key, e.to_string()),
            }
        }
        out
    }

    /// `recheck_per_poll`, at least 1.
    pub(super) fn recheck_per_poll(&mut self, sec: &Section<RawSource>) -> usize {
        self.count(
            sec,
            "recheck_per_poll",
            &sec.value.recheck_per_poll,
            DEFAULT_RECHECK_PER_POLL,
        )
    }

    /// `revisions = "substantive" | "all" | "none"` (default substantive).
    pub(super) fn subscriber_revisions(
        &mut self,
        sec: &Section<RawSubscriber>,
    ) -> Option<ChangeClass> {
        let choices = [
            ("substantive", Some(ChangeClass::Substantive)),
            ("all", Some(ChangeClass::Cosmetic)),
            ("none", None),
        ];
        self.choice(sec, "revisions", &sec.value.revisions, &choices)
            .unwrap_or(Some(ChangeClass::Substantive))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use crate::config::{parse, ConfigProblem};
    use crate::model::ChangeClass;

    const HEAD: &str =
        "[mail]\nfrom = \"w@example.org\"\n[[topics]]\nid = \"reform\"\nkeywords = [\"改革\"]\n";

    fn parsed(text: &str) -> Result<crate::config::Settings, Vec<ConfigProblem>> {
        parse(&format!("{HEAD}{text}"), Path::new("/etc/rw.toml")).map_err(|e| e.0)
    }

    #[test]
    fn defaults_and_explicit_values() {
        let s = parsed(
            "[[sources]]\nid = \"a\"\nkind = \"html\"\nurl = \"http://127.0.0.1/\"\nlink_pattern = \"x\"\n\
             [[sources]]\nid = \"b\"\nurl = \"http://127.0.0.1/f\"\nignore = [\"浏览次数：\\\\d+\", \"本文更新于.*\"]\n\
             recheck = [\"30m\", \"2h\"]\nrecheck_per_poll = 3\n\
             [[subscribers]]\nemail = \"x@example.org\"\n\
             [[subscribers]]\nemail = \"y@example.org\"\nrevisions = \"all\"\n\
             [[subscribers]]\nemail = \"z@example.org\"\nrevisions = \"none\"\n",
        )
        .unwrap_or_else(|p| panic!("{p:#?}"));
        assert_eq!(
            s.daemon.evidence_retention,
            Duration::from_secs(90 * 86_400)
        );
        let (a, b) = (&s.sources[0], &s.sources[1]);
        assert!(a.ignore.is_empty());
        assert_eq!(a.recheck.len(), 6);
        assert_eq!(a.recheck[0], Duration::from_secs(3600));
        assert_eq!(a.recheck_per_poll, 20);
        assert!(b.ignore[0].is_match("浏览次数：4711"));
        assert_eq!(
            b.recheck,
            [Duration::from_secs(1800), Duration::from_secs(7200)]
        );
        assert_eq!(b.recheck_per_poll, 3);
        let classes: Vec<_> = s.subscribers.iter().map(|s| s.revisions).collect();
        assert_eq!(
            classes,
            [
                Some(ChangeClass::Substantive),
                Some(ChangeClass::Cosmetic),
                None
            ]
        );
    }

    #[test]
    fn bad_values_are_reported_with_their_line() {
        let problems = parsed(
            "[[sources]]\nid = \"b\"\nurl = \"http://127.0.0.1/f\"\n\
             ignore = [\"ok\", \"浏览(次数\"]\n\
             recheck = [\"2h\", \"1h\"]\n\
             [[subscribers]]\nemail = \"x@example.org\"\nrevisions = \"some\"\n",
        )
        .err()
        .unwrap();
        let at = |line: usize, key: &str, needle: &str| {
            assert!(
                problems
                    .iter()
                    .any(|p| p.line == Some(line) && p.key == key && p.message.contains(needle)),
                "no {key} problem at line {line} with {needle:?}: {problems:#?}"
            );
        };
        at(9, "sources[0].ignore[1]", "invalid regex");
        at(10, "sources[0].recheck[1]", "must increase");
        at(13, "subscribers[0].revisions", "unknown revisions `some`");
        assert_eq!(problems.len(), 3, "{problems:#?}");
    }
}
