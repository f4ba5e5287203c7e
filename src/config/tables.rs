//! From config text to raw structs, one table at a time: TOML syntax errors,
//! unknown keys (all of them, with suggestions) and wrong value types are
//! reported here. A bad key is dropped and its table read again, so one
//! mistake never hides the next. Semantic checks belong to `validate`.

use std::ops::Range;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use toml::de::{DeTable, DeValue, ValueDeserializer};
use toml::Spanned;

use super::raw::{
    fields_of, RawArticle, RawDaemon, RawList, RawMail, RawSource, RawSubscriber, RawSynonym,
    RawTopic,
};
use super::report::{did_you_mean, Problems};

/// One table of the file, read into its raw struct.
#[derive(Debug, Default)]
pub(crate) struct Section<T> {
    /// Span of the table's header (or inline table); locates missing keys.
    pub span: Range<usize>,
    /// Key path prefix, e.g. `sources[2]` or `daemon`.
    pub path: String,
    /// The keys that could be read.
    pub value: T,
    /// Keys already reported as wrongly typed; not to be reported as missing.
    pub broken: Vec<String>,
}

impl<T> Section<T> {
    /// `path.key`, the key path of one of this table's keys.
    pub(crate) fn key(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    /// Whether `key` was present but had the wrong type.
    pub(crate) fn is_broken(&self, key: &str) -> bool {
        self.broken.iter().any(|k| k == key)
    }
}

/// The whole file, read into raw structs.
#[derive(Debug, Default)]
pub(crate) struct RawConfig {
    /// `[daemon]`, if present.
    pub daemon: Option<Section<RawDaemon>>,
    /// `[mail]`, if present.
    pub mail: Option<Section<RawMail>>,
    /// `[[topics]]`.
    pub topics: Vec<Section<RawTopic>>,
    /// `[synonyms]`, in file order.
    pub synonyms: Vec<RawSynonym>,
    /// `[[sources]]`.
    pub sources: Vec<Section<RawSource>>,
    /// `[[subscribers]]`.
    pub subscribers: Vec<Section<RawSubscriber>>,
}

const TOP_LEVEL: &[&str] = &[
    "daemon",
    "mail",
    "topics",
    "synonyms",
    "sources",
    "subscribers",
];

/// Reads `text` into raw structs, reporting syntax, unknown-key and type
/// problems. `None` when the TOML itself is broken (nothing else is checked).
pub(crate) fn read(text: &str, problems: &mut Problems<'_>) -> Option<RawConfig> {
    let (root, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for e in errors {
            let message = format!("TOML syntax error: {}", e.message().trim());
            match e.span() {
                Some(span) => problems.syntax(text, &span, message),
                None => problems.nowhere("", message),
            }
        }
        return None;
    }
    let mut raw = RawConfig::default();
    for (key, value) in root.into_inner() {
        let name: &str = key.get_ref();
        match name {
            "daemon" => raw.daemon = table(value, "daemon", &[], problems),
            "mail" => raw.mail = table(value, "mail", &[], problems),
            "topics" => raw.topics = tables(value, "topics", &[], problems),
            "synonyms" => raw.synonyms = synonyms(value, problems),
            "sources" => raw.sources = sources(value, problems),
            "subscribers" => raw.subscribers = tables(value, "subscribers", &[], problems),
            other => problems.at(&key.span(), other, unknown(other, TOP_LEVEL, "table")),
        }
    }
    Some(raw)
}

fn unknown(key: &str, valid: &[&str], what: &str) -> String {
    match did_you_mean(key, valid.iter().copied()) {
        hint if hint.is_empty() => {
            format!("unknown {what} `{key}` (valid: {})", valid.join(", "))
        }
        hint => format!("unknown {what} `{key}`{hint}"),
    }
}

/// A single `[name]` table.
fn table<T: DeserializeOwned + Default>(
    value: Spanned<DeValue<'_>>,
    path: &str,
    special: &[(&str, &str)],
    problems: &mut Problems<'_>,
) -> Option<Section<T>> {
    let span = value.span();
    match value.into_inner() {
        DeValue::Table(items) => Some(section(items, span, path.to_owned(), special, problems)),
        other => {
            let found = other.type_str();
            problems.at(
                &span,
                path,
                format!("expected a table `[{path}]`, found {found}"),
            );
            None
        }
    }
}

/// An array of `[[name]]` tables (or an inline array of inline tables).
fn tables<T: DeserializeOwned + Default>(
    value: Spanned<DeValue<'_>>,
    path: &str,
    special: &[(&str, &str)],
    problems: &mut Problems<'_>,
) -> Vec<Section<T>> {
    tables_with(value, path, problems, |items, span, path, problems| {
        section(items, span, path, special, problems)
    })
}

/// `[[sources]]`. The `[sources.list]` and `[sources.article]` sub-tables are
/// taken out and read as tables of their own, so a key inside them is
/// reported with its full path (`sources[1].list.itme`) and a suggestion.
fn sources(value: Spanned<DeValue<'_>>, problems: &mut Problems<'_>) -> Vec<Section<RawSource>> {
    tables_with(
        value,
        "sources",
        problems,
        |mut items, span, path, problems| {
            let list = items
                .remove("list")
                .and_then(|v| table::<RawList>(v, &format!("{path}.list"), &[], problems));
            let article = items
                .remove("article")
                .and_then(|v| table::<RawArticle>(v, &format!("{path}.article"), &[], problems));
            let mut sec = section::<RawSource>(items, span, path, &[], problems);
            sec.value.list = list;
            sec.value.article = article;
            sec
        },
    )
}

/// `[synonyms]`: any key, each an array of strings.
fn synonyms(value: Spanned<DeValue<'_>>, problems: &mut Problems<'_>) -> Vec<RawSynonym> {
    let span = value.span();
    let DeValue::Table(items) = value.into_inner() else {
        problems.at(&span, "synonyms", "expected a table `[synonyms]`");
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in items {
        let name = Spanned::new(key.span(), key.get_ref().to_string());
        let path = format!("synonyms.{}", name.get_ref());
        let value_span = value.span();
        match Spanned::<Vec<Spanned<String>>>::deserialize(ValueDeserializer::from(value)) {
            Ok(terms) => out.push(RawSynonym { name, terms }),
            Err(_) => problems.at(
                &value_span,
                &path,
                "expected an array of strings, as in \"国企\" = [\"国有企业\", \"央企\"]",
            ),
        }
    }
    out.sort_by_key(|s| s.name.span().start);
    out
}

/// An array of tables, each read by `read_one(table, span, path, problems)`.
fn tables_with<T>(
    value: Spanned<DeValue<'_>>,
    path: &str,
    problems: &mut Problems<'_>,
    mut read_one: impl FnMut(DeTable<'_>, Range<usize>, String, &mut Problems<'_>) -> Section<T>,
) -> Vec<Section<T>> {
    let span = value.span();
    let DeValue::Array(items) = value.into_inner() else {
        problems.at(
            &span,
            path,
            format!("expected an array of tables: write `[[{path}]]`"),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let item_path = format!("{path}[{i}]");
        let item_span = item.span();
        match item.get_ref() {
            DeValue::Table(t) => out.push(read_one(t.clone(), item_span, item_path, problems)),
            _ => problems.at(&item_span, &item_path, "expected a table"),
        }
    }
    out
}

/// Reads one table into `T`: unknown keys are reported and dropped, then
/// every wrongly typed key is reported and dropped until the rest reads.
fn section<T: DeserializeOwned + Default>(
    mut items: DeTable<'_>,
    span: Range<usize>,
    path: String,
    special: &[(&str, &str)],
    problems: &mut Problems<'_>,
) -> Section<T> {
    let fields = fields_of::<T>();
    let unknown_keys: Vec<(String, Range<usize>)> = items
        .keys()
        .filter(|key| !fields.contains(&key.get_ref().as_ref()))
        .map(|key| (key.get_ref().to_string(), key.span()))
        .collect();
    for (name, key_span) in unknown_keys {
        let message = match special.iter().find(|(k, _)| *k == name) {
            Some((_, why)) => format!("`{name}` {why}"),
            None => unknown(&name, fields, "key"),
        };
        problems.at(&key_span, &format!("{path}.{name}"), message);
        items.remove(name.as_str());
    }
    let mut broken = Vec::new();
    // Each failed attempt drops one key, so this ends within len + 1 rounds.
    for _ in 0..=items.len() {
        let whole = Spanned::new(span.clone(), DeValue::Table(items.clone()));
        let error = match T::deserialize(ValueDeserializer::from(whole)) {
            Ok(value) => {
                return Section {
                    span,
                    path,
                    value,
                    broken,
                }
            }
            Err(e) => e,
        };
        let at = error.span().unwrap_or_else(|| span.clone());
        let culprit = items
            .iter()
            .find(|(k, v)| contains(&k.span(), at.start) || contains(&v.span(), at.start))
            .map(|(k, _)| k.get_ref().to_string());
        let Some(name) = culprit else {
            problems.at(&at, &path, tidy(error.message()));
            break;
        };
        problems.at(&at, &format!("{path}.{name}"), tidy(error.message()));
        items.remove(name.as_str());
        broken.push(name);
    }
    Section {
        span,
        path,
        value: T::default(),
        broken,
    }
}

fn contains(span: &Range<usize>, offset: usize) -> bool {
    span.start <= offset && offset < span.end.max(span.start + 1)
}

/// Rewords serde's type errors for operators: "expected X, found Y".
fn tidy(message: &str) -> String {
    let message = message.trim();
    let (what, rest) = if let Some(rest) = message.strip_prefix("invalid type: ") {
        ("wrong type", rest)
    } else if let Some(rest) = message.strip_prefix("invalid value: ") {
        ("bad value", rest)
    } else {
        return message.to_owned();
    };
    let Some((found, expected)) = rest.split_once(", expected ") else {
        return message.to_owned();
    };
    let expected = match expected {
        "usize" | "u64" => "a whole number ≥ 0",
        "u16" => "a whole number from 0 to 65535",
        "f64" => "a number",
        "a boolean" => "true or false",
        "a sequence" => "an array",
        other => other,
    };
    let found = found.replace("sequence", "array").replace("map", "table");
    format!("{what}: expected {expected}, found {found}")
}
