//! Raw structs → compiled [`Settings`]: defaults, value parsing (durations,
//! URLs, schedules, zones, addresses, charsets), cross references between
//! tables and duplicate ids. Pure over the text: what the file names outside
//! itself (secrets, the CA file, systemd's directories) is left in a
//! [`Refs`] for the edge. Every problem is recorded and checking goes on;
//! the settings returned are only meaningful when no problem was recorded.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono_tz::Tz;
use toml::Spanned;

use super::edge::{Located, Refs};
use super::raw::{Key, RawDaemon};
use super::report::{chain, did_you_mean, Problems};
use super::tables::{RawConfig, Section};
use super::values::{self, ValueError};
use super::{Backfill, DaemonSettings, Settings};

mod edits;
mod lists;
mod mail;
mod queries;
mod rules;

const DEFAULT_ZONE: Tz = chrono_tz::Asia::Shanghai;

/// Checks `raw` (read from the file at `path`) and compiles it, recording
/// every problem in `problems`; also returns what the edge must look up.
pub(crate) fn validate(
    raw: RawConfig,
    path: &Path,
    problems: &mut Problems<'_>,
) -> (Settings, Refs) {
    let base = path.parent().unwrap_or(Path::new(""));
    let mut check = Check {
        p: problems,
        base,
        refs: Refs::default(),
    };
    let daemon = check.daemon(&raw.daemon.unwrap_or_else(|| absent("daemon")));
    let mail = check.mail(
        &raw.mail.unwrap_or_else(|| absent("mail")),
        &daemon,
        !raw.subscribers.is_empty(),
    );
    let synonyms = check.synonyms(&raw.synonyms);
    let topics = check.topics(&raw.topics, &synonyms);
    let sources = check.sources(&raw.sources, &daemon);
    // Every declared id, even of a topic with other problems, so a subscriber
    // naming it is not reported a second time.
    let mut topic_ids: Vec<String> = Vec::new();
    for id in raw.topics.iter().filter_map(|t| t.value.id.as_ref()) {
        let id = id.get_ref().trim();
        if !id.is_empty() && !topic_ids.iter().any(|t| t == id) {
            topic_ids.push(id.to_owned());
        }
    }
    let subscribers = check.subscribers(&raw.subscribers, &topic_ids, mail.coalesce);
    let settings = Settings {
        path: path.to_path_buf(),
        daemon,
        mail,
        topics,
        synonyms,
        sources,
        subscribers,
    };
    (settings, check.refs)
}

/// A table that is not in the file: every key takes its default.
fn absent<T: Default>(path: &str) -> Section<T> {
    Section {
        path: path.to_owned(),
        ..Section::default()
    }
}

/// Per-file context for the checks.
struct Check<'a, 'p> {
    p: &'a mut Problems<'p>,
    base: &'a Path,
    /// What the edge must look up, filled as the keys are checked.
    refs: Refs,
}

impl Check<'_, '_> {
    // ---- generic key helpers -------------------------------------------

    /// Runs `parse` on an optional string key; a failure is reported.
    fn parse<S, T, E: std::error::Error>(
        &mut self,
        sec: &Section<S>,
        name: &str,
        key: &Key<String>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let key = key.as_ref()?;
        parse(key.get_ref())
            .map_err(|e| self.p.at(&key.span(), &sec.key(name), chain(&e)))
            .ok()
    }

    /// Reports a missing key at the table's header.
    fn missing<S>(&mut self, sec: &Section<S>, name: &str, why: &str) {
        if sec.is_broken(name) {
            return;
        }
        if sec.span.is_empty() {
            let message = format!("missing table `[{}]` with key `{name}`{why}", sec.path);
            self.p.nowhere(&sec.key(name), message);
        } else {
            let message = format!("missing required key `{name}`{why}");
            self.p.at(&sec.span, &sec.key(name), message);
        }
    }

    /// An optional string key that, when given, must not be blank.
    fn text<'k, S>(
        &mut self,
        sec: &Section<S>,
        name: &str,
        key: &'k Key<String>,
    ) -> Option<&'k Spanned<String>> {
        let key = key.as_ref()?;
        if key.get_ref().trim().is_empty() {
            self.p.at(
                &key.span(),
                &sec.key(name),
                format!("`{name}` must not be empty"),
            );
            return None;
        }
        Some(key)
    }

    /// A required string key.
    fn required<'k, S>(
        &mut self,
        sec: &Section<S>,
        name: &str,
        key: &'k Key<String>,
    ) -> Option<&'k Spanned<String>> {
        if key.is_none() {
            self.missing(sec, name, "");
        }
        self.text(sec, name, key)
    }

    /// A count that must be at least 1.
    fn count<S>(
        &mut self,
        sec: &Section<S>,
        name: &str,
        key: &Key<usize>,
        default: usize,
    ) -> usize {
        match key {
            Some(k) if *k.get_ref() == 0 => {
                self.p.at(
                    &k.span(),
                    &sec.key(name),
                    format!("`{name}` must be at least 1"),
                );
                default
            }
            Some(k) => *k.get_ref(),
            None => default,
        }
    }

    /// A path key, resolved against the config file's directory.
    fn path<S>(&mut self, sec: &Section<S>, name: &str, key: &Key<String>) -> Option<PathBuf> {
        self.located_path(sec, name, key).map(|l| l.value)
    }

    /// A path key with where it is written, for the edge to read.
    fn located_path<S>(
        &mut self,
        sec: &Section<S>,
        name: &str,
        key: &Key<String>,
    ) -> Option<Located<PathBuf>> {
        self.text(sec, name, key).map(|k| Located {
            value: self.base.join(k.get_ref().trim()),
            span: k.span(),
            key: sec.key(name),
        })
    }

    /// A string key that must be one of `choices`.
    fn choice<S, T: Copy>(
        &mut self,
        sec: &Section<S>,
        name: &str,
        key: &Key<String>,
        choices: &[(&str, T)],
    ) -> Option<T> {
        self.parse(sec, name, key, |text| {
            let names = choices.iter().map(|(n, _)| *n);
            choices
                .iter()
                .find(|(n, _)| *n == text.trim())
                .map(|(_, v)| *v)
                .ok_or_else(|| {
                    let list = names
                        .clone()
                        .map(|n| format!("\"{n}\""))
                        .collect::<Vec<_>>();
                    ValueError::Choice {
                        key: name.to_owned(),
                        text: text.to_owned(),
                        hint: did_you_mean(text, names),
                        expected: list.join(", "),
                    }
                })
        })
    }

    /// Records `id` as used; a second use is reported at `span`.
    fn unique(
        &mut self,
        seen: &mut HashMap<String, Range<usize>>,
        what: &str,
        id: &str,
        span: Range<usize>,
        key: &str,
    ) {
        if let Some(first) = seen.get(id) {
            let line = self.p.line_of(first);
            self.p.at(
                &span,
                key,
                format!("duplicate {what} `{id}` (first used on line {line})"),
            );
        } else {
            seen.insert(id.to_owned(), span);
        }
    }

    // ---- [daemon] --------------------------------------------------------

    fn daemon(&mut self, sec: &Section<RawDaemon>) -> DaemonSettings {
        let d = &sec.value;
        let dur = |s: &mut Self, name: &str, key: &Key<String>, default: u64| {
            s.parse(sec, name, key, values::positive_duration)
                .unwrap_or(Duration::from_secs(default))
        };
        let user_agent = self.text(sec, "user_agent", &d.user_agent).and_then(|k| {
            if k.get_ref().contains(char::is_control) {
                let message = "`user_agent` must not contain control characters";
                self.p.at(&k.span(), &sec.key("user_agent"), message);
                return None;
            }
            Some(k.get_ref().trim().to_owned())
        });
        let max_body_bytes = match &d.max_body_bytes {
            Some(k) if *k.get_ref() == 0 => {
                let message = "`max_body_bytes` must be at least 1";
                self.p.at(&k.span(), &sec.key("max_body_bytes"), message);
                0
            }
            Some(k) => *k.get_ref(),
            None => 8 * 1024 * 1024,
        };
        let state_dir = self.path(sec, "state_dir", &d.state_dir);
        self.refs.state_dir_default = state_dir.is_none();
        DaemonSettings {
            state_dir: state_dir.unwrap_or_else(|| self.base.join("data")),
            concurrency: self.count(sec, "concurrency", &d.concurrency, 64),
            per_host_concurrency: self.count(
                sec,
                "per_host_concurrency",
                &d.per_host_concurrency,
                1,
            ),
            per_host_delay: self
                .parse(sec, "per_host_delay", &d.per_host_delay, values::duration)
                .unwrap_or(Duration::from_secs(1)),
            poll_interval: dur(self, "poll_interval", &d.poll_interval, 15 * 60),
            timeout: dur(self, "timeout", &d.timeout, 20),
            connect_timeout: dur(self, "connect_timeout", &d.connect_timeout, 10),
            max_body_bytes,
            backfill: self
                .parse(sec, "backfill", &d.backfill, values::backfill)
                .unwrap_or(Backfill::Window(Duration::from_secs(2 * 86_400))),
            timezone: self
                .parse(sec, "timezone", &d.timezone, values::time_zone)
                .unwrap_or(DEFAULT_ZONE),
            user_agent,
            metrics_addr: self.parse(sec, "metrics_addr", &d.metrics_addr, values::metrics_addr),
            admin_email: self.parse(sec, "admin_email", &d.admin_email, |t| {
                values::address(t.trim()).map(|()| t.trim().to_owned())
            }),
            admin_after: dur(self, "admin_after", &d.admin_after, 24 * 3600),
            evidence_retention: dur(
                self,
                "evidence_retention",
                &d.evidence_retention,
                90 * 86_400,
            ),
        }
    }
}
