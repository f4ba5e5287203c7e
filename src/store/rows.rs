//! The one mapping between a revision row (joined with its article) and
//! an [`Article`]: the columns to select, in one order, and the reader.
//! Every query that returns articles selects [`ARTICLE_COLUMNS`] first.

use rusqlite::Row;

use super::{from_secs, StoreError};
use crate::model::Article;

/// The columns [`article`] reads, from `articles a` joined with
/// `revisions r`; further columns a query needs come after these.
pub(super) const ARTICLE_COLUMNS: &str =
    "a.id, a.source_id, a.url, a.canonical_url, a.guid, r.revision, r.seen_at, r.content_hash,
     r.kicker, r.title, r.subtitle, r.byline, r.outlet, r.published_at, r.updated_at,
     r.language, r.lead, r.sections_json, r.quotes_json";

/// How many columns [`ARTICLE_COLUMNS`] holds: the index of the first
/// column after them.
pub(super) const ARTICLE_COLUMN_COUNT: usize = 19;

/// The article in the first [`ARTICLE_COLUMN_COUNT`] columns of `r`.
/// Stored JSON that cannot be read is [`StoreError::Corrupt`].
pub(super) fn article(r: &Row<'_>) -> Result<Article, StoreError> {
    let id: i64 = r.get(0)?;
    let revision = r.get::<_, i64>(5)?.max(1) as u32;
    let sections: String = r.get(17)?;
    let quotes: String = r.get(18)?;
    let of = |what: &str| format!("{what} of article {id} revision {revision}");
    Ok(Article {
        id: Some(id),
        source_id: r.get(1)?,
        url: r.get(2)?,
        canonical_url: r.get(3)?,
        guid: r.get(4)?,
        revision,
        fetched_at: from_secs(r.get(6)?),
        content_hash: r.get(7)?,
        kicker: r.get(8)?,
        title: r.get(9)?,
        subtitle: r.get(10)?,
        byline: r.get(11)?,
        outlet: r.get(12)?,
        published_at: r.get::<_, Option<i64>>(13)?.map(from_secs),
        updated_at: r.get::<_, Option<i64>>(14)?.map(from_secs),
        language: r.get(15)?,
        lead: r.get(16)?,
        sections: from_json(&sections, || of("sections"))?,
        quotes: from_json(&quotes, || of("quotes"))?,
    })
}

/// Serializes a value stored as JSON.
pub(super) fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|source| StoreError::Corrupt {
        what: std::any::type_name::<T>().to_owned(),
        source,
    })
}

/// Reads a value stored as JSON; `what` names it in the error.
pub(super) fn from_json<T: serde::de::DeserializeOwned>(
    text: &str,
    what: impl FnOnce() -> String,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|source| StoreError::Corrupt {
        what: what(),
        source,
    })
}
