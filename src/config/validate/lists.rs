//! The arrays of tables: `[[topics]]`, `[[sources]]`, `[[subscribers]]`.
//! Required keys, unique ids, per-entry values, and subscribers' references
//! to topics.

use std::collections::HashMap;

use super::super::raw::{RawSource, RawSubscriber, RawTopic};
use super::super::report::did_you_mean;
use super::super::tables::Section;
use super::super::values;
use super::super::{
    ClusterMode, DaemonSettings, Keyword, Language, MailFormat, Schedule, Source, SourceKind,
    Subscriber, Topic,
};
use super::{Check, DEFAULT_ZONE};
use crate::config::query::Synonyms;

impl Check<'_, '_> {
    // ---- [[topics]] ------------------------------------------------------

    /// The `[[topics]]`: ids unique, keywords compiled with their weights,
    /// queries parsed with the `[synonyms]`.
    pub(super) fn topics(
        &mut self,
        sections: &[Section<RawTopic>],
        synonyms: &Synonyms,
    ) -> Vec<Topic> {
        let mut seen = HashMap::new();
        let mut out = Vec::new();
        for sec in sections {
            let t = &sec.value;
            let id = self.required(sec, "id", &t.id);
            if let Some(id) = id {
                self.unique(
                    &mut seen,
                    "topic id",
                    id.get_ref().trim(),
                    id.span(),
                    &sec.key("id"),
                );
            }
            let name = self
                .text(sec, "name", &t.name)
                .map(|k| k.get_ref().trim().to_owned());
            let query = self.query(sec, synonyms);
            let keywords = match (&t.keywords, &query) {
                // A query alone is enough.
                (None, Ok(Some(_))) => Some(Vec::new()),
                _ => self.keywords(sec),
            };
            let exclude = self.exclude(sec);
            let min_score = match &t.min_score {
                Some(k) if !k.get_ref().is_finite() => {
                    self.p.at(
                        &k.span(),
                        &sec.key("min_score"),
                        "`min_score` must be a finite number",
                    );
                    None
                }
                Some(k) => Some(*k.get_ref()),
                None => Some(1.0),
            };
            let feed = self.feed(sec, id.map(|i| i.get_ref().trim()));
            if let (Some(id), Some(keywords), Ok(query), Some(min_score)) =
                (id, keywords, query, min_score)
            {
                let id = id.get_ref().trim().to_owned();
                out.push(Topic {
                    name: name.unwrap_or_else(|| id.clone()),
                    id,
                    keywords,
                    query,
                    exclude,
                    min_score,
                    feed,
                });
            }
        }
        out
    }

    /// `feed = true`, checked: the topic id names the feed files and the
    /// `/feeds/` URLs, so it must be a plain file name that needs no
    /// escaping in a URL.
    fn feed(&mut self, sec: &Section<RawTopic>, id: Option<&str>) -> bool {
        let Some(k) = sec.value.feed.as_ref().filter(|k| *k.get_ref()) else {
            return false;
        };
        match id {
            Some(id) if !is_feed_name(id) => {
                self.p.at(
                    &k.span(),
                    &sec.key("feed"),
                    format!(
                        "topic id `{id}` cannot name a feed file; with `feed = true` \
                         the id may hold only ASCII letters, digits, `-` and `_`"
                    ),
                );
                false
            }
            _ => true,
        }
    }

    fn keywords(&mut self, sec: &Section<RawTopic>) -> Option<Vec<Keyword>> {
        let Some(list) = &sec.value.keywords else {
            if !sec.is_broken("query") && sec.value.query.is_none() {
                self.missing(sec, "keywords", " (or `query`)");
            }
            return None;
        };
        let key = sec.key("keywords");
        if list.get_ref().is_empty() {
            self.p
                .at(&list.span(), &key, "`keywords` must list at least one term");
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (i, kw) in list.get_ref().iter().enumerate() {
            let raw = kw.get_ref();
            let weight = raw.weight.unwrap_or(1.0);
            if raw.term.trim().is_empty() {
                self.p.at(
                    &kw.span(),
                    &format!("{key}[{i}]"),
                    "keyword term must not be empty",
                );
                ok = false;
            } else if !weight.is_finite() {
                self.p.at(
                    &kw.span(),
                    &format!("{key}[{i}]"),
                    "keyword weight must be a finite number",
                );
                ok = false;
            } else {
                out.push(Keyword {
                    term: raw.term.trim().to_owned(),
                    weight,
                });
            }
        }
        ok.then_some(out)
    }

    fn exclude(&mut self, sec: &Section<RawTopic>) -> Vec<String> {
        let Some(list) = &sec.value.exclude else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, term) in list.get_ref().iter().enumerate() {
            if term.get_ref().trim().is_empty() {
                let key = format!("{}[{i}]", sec.key("exclude"));
                self.p
                    .at(&term.span(), &key, "exclude term must not be empty");
            } else {
                out.push(term.get_ref().trim().to_owned());
            }
        }
        out
    }

    // ---- [[sources]] -----------------------------------------------------

    /// The `[[sources]]`, with `[daemon]` defaults filled in and their
    /// selectors and patterns compiled.
    pub(super) fn sources(
        &mut self,
        sections: &[Section<RawSource>],
        daemon: &DaemonSettings,
    ) -> Vec<Source> {
        let mut seen = HashMap::new();
        let mut out = Vec::new();
        for sec in sections {
            let s = &sec.value;
            let id = self.required(sec, "id", &s.id);
            if let Some(id) = id {
                self.unique(
                    &mut seen,
                    "source id",
                    id.get_ref().trim(),
                    id.span(),
                    &sec.key("id"),
                );
            }
            let name = self
                .text(sec, "name", &s.name)
                .map(|k| k.get_ref().trim().to_owned());
            let kind = self.source_kind(sec);
            if s.url.is_none() {
                self.missing(sec, "url", "");
            }
            let url = self.parse(sec, "url", &s.url, values::http_url);
            let interval = self.parse(sec, "interval", &s.interval, values::positive_duration);
            let timezone = self.parse(sec, "timezone", &s.timezone, values::time_zone);
            let backfill = self.parse(sec, "backfill", &s.backfill, values::backfill);
            let encoding = self.parse(sec, "encoding", &s.encoding, values::encoding);
            let active_hours =
                self.parse(sec, "active_hours", &s.active_hours, values::active_hours);
            let full_text = s.full_text.as_ref().is_some_and(|k| *k.get_ref());
            let list = self.list_rules(sec, kind);
            let article = self.article_rules(sec, kind, full_text);
            let ignore = self.ignore_patterns(sec);
            let recheck = self.recheck_schedule(sec);
            let recheck_per_poll = self.recheck_per_poll(sec);
            if let (Some(id), Some(kind), Some(url)) = (id, kind, url) {
                let id = id.get_ref().trim().to_owned();
                out.push(Source {
                    name: name.unwrap_or_else(|| id.clone()),
                    id,
                    kind,
                    url,
                    interval: interval.unwrap_or(daemon.poll_interval),
                    timezone: timezone.unwrap_or(daemon.timezone),
                    full_text,
                    adaptive: s.adaptive.as_ref().is_some_and(|k| *k.get_ref()),
                    backfill: backfill.unwrap_or(daemon.backfill),
                    encoding,
                    robots: s.robots.as_ref().is_none_or(|k| *k.get_ref()),
                    active_hours,
                    list,
                    article,
                    ignore,
                    recheck,
                    recheck_per_poll,
                    original: s.original.as_ref().is_some_and(|k| *k.get_ref()),
                });
            }
        }
        out
    }

    fn source_kind(&mut self, sec: &Section<RawSource>) -> Option<SourceKind> {
        let Some(kind) = &sec.value.kind else {
            return Some(SourceKind::Feed);
        };
        match kind.get_ref().trim() {
            "feed" => Some(SourceKind::Feed),
            "html" => Some(SourceKind::Html),
            other => {
                let hint = did_you_mean(other, ["feed", "html"]);
                let message =
                    format!("unknown kind `{other}`{hint} (expected \"feed\" or \"html\")");
                self.p.at(&kind.span(), &sec.key("kind"), message);
                None
            }
        }
    }

    // ---- [[subscribers]] -------------------------------------------------

    /// The `[[subscribers]]`, their topics checked against `topics`.
    pub(super) fn subscribers(
        &mut self,
        sections: &[Section<RawSubscriber>],
        topics: &[String],
        default_coalesce: std::time::Duration,
    ) -> Vec<Subscriber> {
        let mut seen = HashMap::new();
        let mut out = Vec::new();
        for sec in sections {
            let s = &sec.value;
            if s.email.is_none() {
                self.missing(sec, "email", "");
            }
            let address = |t: &str| values::address(t.trim()).map(|()| t.trim().to_owned());
            let email = self.parse(sec, "email", &s.email, address);
            let id = self.text(sec, "id", &s.id);
            match (id, &s.email) {
                (Some(id), _) => {
                    let key = sec.key("id");
                    self.unique(
                        &mut seen,
                        "subscriber id",
                        id.get_ref().trim(),
                        id.span(),
                        &key,
                    );
                }
                (None, Some(raw)) if email.is_some() => {
                    let key = sec.key("email");
                    self.unique(
                        &mut seen,
                        "subscriber id",
                        raw.get_ref().trim(),
                        raw.span(),
                        &key,
                    );
                }
                _ => {}
            }
            let name = self
                .text(sec, "name", &s.name)
                .map(|k| k.get_ref().trim().to_owned());
            let followed = self.followed(sec, topics);
            let mut schedule = self
                .parse(sec, "schedule", &s.schedule, values::schedule)
                .unwrap_or(Schedule::Daily { hour: 8, minute: 0 });
            let coalesce = self.parse(sec, "coalesce", &s.coalesce, values::positive_duration);
            match (&mut schedule, &s.coalesce) {
                (Schedule::Immediate { window }, _) => {
                    *window = coalesce.unwrap_or(default_coalesce);
                }
                (_, Some(k)) => {
                    let message = "`coalesce` applies only to schedule = \"immediate\"";
                    self.p.at(&k.span(), &sec.key("coalesce"), message);
                }
                _ => {}
            }
            let timezone = self
                .parse(sec, "timezone", &s.timezone, values::time_zone)
                .unwrap_or(DEFAULT_ZONE);
            let formats = [("html", MailFormat::Html), ("text", MailFormat::Text)];
            let format = self
                .choice(sec, "format", &s.format, &formats)
                .unwrap_or(MailFormat::Html);
            let revisions = self.subscriber_revisions(sec);
            let languages = [("en", Language::En), ("zh", Language::Zh)];
            let language = self
                .choice(sec, "language", &s.language, &languages)
                .unwrap_or_default();
            let modes = [
                ("collapse", ClusterMode::Collapse),
                ("expand", ClusterMode::Expand),
            ];
            let clusters = self
                .choice(sec, "clusters", &s.clusters, &modes)
                .unwrap_or_default();
            if let Some(email) = email {
                out.push(Subscriber {
                    id: id.map_or_else(|| email.clone(), |k| k.get_ref().trim().to_owned()),
                    email,
                    name,
                    topics: followed,
                    schedule,
                    timezone,
                    format,
                    revisions,
                    language,
                    clusters,
                });
            }
        }
        out
    }

    /// A subscriber's topic ids; all topics when the key is left out.
    fn followed(&mut self, sec: &Section<RawSubscriber>, topics: &[String]) -> Vec<String> {
        let Some(list) = &sec.value.topics else {
            return topics.to_vec();
        };
        let key = sec.key("topics");
        if list.get_ref().is_empty() {
            let message = "`topics` is empty, so no digest would ever be sent; \
                           list topic ids or leave the key out to follow all topics";
            self.p.at(&list.span(), &key, message);
        }
        let mut out: Vec<String> = Vec::new();
        for name in list.get_ref() {
            let id = name.get_ref().trim();
            if topics.iter().any(|t| t == id) {
                if !out.iter().any(|o| o == id) {
                    out.push(id.to_owned());
                }
            } else {
                let hint = did_you_mean(id, topics.iter().map(String::as_str));
                self.p
                    .at(&name.span(), &key, format!("unknown topic `{id}`{hint}"));
            }
        }
        out
    }
}

/// A topic id usable as a feed's file name and URL segment as it is.
fn is_feed_name(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
