//! The config file's shape as serde structs (`deny_unknown_fields`, snake_case
//! keys as in DESIGN.md). Every key is optional here and carries its span, so
//! `validate` can apply defaults, report missing keys once, and name the line
//! of any bad value. No checks beyond TOML types happen here.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use toml::Spanned;

use super::report::did_you_mean;
use super::tables::Section;

/// An optional key with the span of its value.
pub(crate) type Key<T> = Option<Spanned<T>>;

/// `[daemon]`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDaemon {
    pub state_dir: Key<String>,
    pub concurrency: Key<usize>,
    pub per_host_concurrency: Key<usize>,
    pub per_host_delay: Key<String>,
    pub metrics_addr: Key<String>,
    pub admin_email: Key<String>,
    pub admin_after: Key<String>,
    pub poll_interval: Key<String>,
    pub timeout: Key<String>,
    pub connect_timeout: Key<String>,
    pub max_body_bytes: Key<u64>,
    pub backfill: Key<String>,
    pub timezone: Key<String>,
    pub user_agent: Key<String>,
    pub evidence_retention: Key<String>,
}

/// `[mail]`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMail {
    pub from: Key<String>,
    pub reply_to: Key<String>,
    pub transport: Key<String>,
    pub outbox_dir: Key<String>,
    pub smtp_host: Key<String>,
    pub smtp_port: Key<u16>,
    pub smtp_tls: Key<String>,
    pub smtp_user: Key<String>,
    pub password_env: Key<String>,
    pub password_file: Key<String>,
    pub smtp_timeout: Key<String>,
    pub sendmail_command: Key<String>,
    pub queue_lifetime: Key<String>,
    pub max_items: Key<usize>,
    pub ca_file: Key<String>,
    pub coalesce: Key<String>,
}

/// One `[[topics]]` entry.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTopic {
    pub id: Key<String>,
    pub name: Key<String>,
    pub keywords: Key<Vec<Spanned<RawKeyword>>>,
    pub query: Key<String>,
    pub exclude: Key<Vec<Spanned<String>>>,
    pub min_score: Key<f64>,
    pub feed: Key<bool>,
}

/// One `[synonyms]` entry: `"国企" = ["国有企业", "央企"]`.
#[derive(Debug, Clone)]
pub(crate) struct RawSynonym {
    /// The set's name, used in queries as `@name`.
    pub name: Spanned<String>,
    /// Its terms.
    pub terms: Spanned<Vec<Spanned<String>>>,
}

/// One `[[sources]]` entry.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSource {
    pub id: Key<String>,
    pub name: Key<String>,
    pub kind: Key<String>,
    pub url: Key<String>,
    pub interval: Key<String>,
    pub timezone: Key<String>,
    pub full_text: Key<bool>,
    pub adaptive: Key<bool>,
    pub backfill: Key<String>,
    pub encoding: Key<String>,
    pub robots: Key<bool>,
    pub active_hours: Key<String>,
    pub link_pattern: Key<String>,
    pub ignore: Key<Vec<Spanned<String>>>,
    pub recheck: Key<Vec<Spanned<String>>>,
    pub recheck_per_poll: Key<usize>,
    pub original: Key<bool>,
    /// `[sources.list]`, read as its own table by `tables` (so its unknown
    /// keys get their own path and suggestions), hence not a serde field.
    #[serde(skip)]
    pub list: Option<Section<RawList>>,
    /// `[sources.article]`, read like `list`.
    #[serde(skip)]
    pub article: Option<Section<RawArticle>>,
}

/// `[sources.list]`: CSS selectors that find article links on a listing page.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawList {
    pub item: Key<String>,
    pub link: Key<String>,
    pub title: Key<String>,
    pub date: Key<String>,
}

/// `[sources.article]`: CSS selectors for the fields of an article page.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawArticle {
    pub title: Key<String>,
    pub subtitle: Key<String>,
    pub kicker: Key<String>,
    pub body: Key<String>,
    pub date: Key<String>,
    pub byline: Key<String>,
    pub outlet: Key<String>,
    pub remove: Key<Vec<Spanned<String>>>,
}

/// One `[[subscribers]]` entry.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSubscriber {
    pub id: Key<String>,
    pub email: Key<String>,
    pub name: Key<String>,
    pub topics: Key<Vec<Spanned<String>>>,
    pub schedule: Key<String>,
    pub coalesce: Key<String>,
    pub timezone: Key<String>,
    pub format: Key<String>,
    pub revisions: Key<String>,
    pub language: Key<String>,
    pub clusters: Key<String>,
}

/// A keyword: `"term"` or `{ term = "term", weight = 3 }`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawKeyword {
    pub term: String,
    pub weight: Option<f64>,
}

const KEYWORD_KEYS: &[&str] = &["term", "weight"];

impl<'de> Deserialize<'de> for RawKeyword {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(KeywordVisitor)
    }
}

struct KeywordVisitor;

impl<'de> Visitor<'de> for KeywordVisitor {
    type Value = RawKeyword;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a table { term = \"…\", weight = 3 }")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawKeyword, E> {
        Ok(RawKeyword {
            term: v.to_owned(),
            weight: None,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawKeyword, A::Error> {
        let (mut term, mut weight) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "term" => term = Some(map.next_value::<String>()?),
                "weight" => weight = Some(map.next_value::<f64>()?),
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown key `{other}` in a keyword table{}",
                        did_you_mean(other, KEYWORD_KEYS.iter().copied())
                    )))
                }
            }
        }
        let term = term.ok_or_else(|| de::Error::custom("keyword table without `term`"))?;
        Ok(RawKeyword { term, weight })
    }
}

/// The key names serde accepts for `T`, read from its derived `Deserialize`
/// so the list of valid keys lives in one place: the struct itself.
pub(crate) fn fields_of<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(FieldProbe(&mut fields));
    fields
}

/// A deserializer that only records the field list a struct asks for.
struct FieldProbe<'a>(&'a mut &'static [&'static str]);

impl<'de> Deserializer<'de> for FieldProbe<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("field probe"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = fields;
        Err(de::Error::custom("field probe"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_lists_come_from_the_structs() {
        assert!(fields_of::<RawSource>().contains(&"interval"));
        assert!(fields_of::<RawMail>().contains(&"password_file"));
        assert_eq!(fields_of::<RawSubscriber>().len(), 11);
        assert!(fields_of::<RawSubscriber>().contains(&"clusters"));
        assert!(fields_of::<RawSource>().contains(&"original"));
        assert!(fields_of::<RawSubscriber>().contains(&"language"));
    }
}
