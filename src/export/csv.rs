//! `articles --format csv`: one row per article, written through
//! [`Sheet`] (a BOM, RFC 4180, no cell a spreadsheet would run).

use chrono::{DateTime, SecondsFormat, Utc};

use super::sheet::Sheet;
use super::{entry_id, ExportError};
use crate::model::ListedArticle;

/// The header row.
const HEADER: [&str; 17] = [
    "id",
    "article_id",
    "source_id",
    "url",
    "published_at",
    "first_seen_at",
    "updated_at",
    "revisions",
    "kicker",
    "title",
    "subtitle",
    "byline",
    "outlet",
    "topics",
    "terms",
    "lead",
    "text",
];

/// The CSV document of `items`: a BOM, the header row, one row each.
pub fn render(items: &[ListedArticle]) -> Result<Vec<u8>, ExportError> {
    let mut sheet = Sheet::new();
    sheet.row(HEADER);
    for item in items {
        let a = &item.article;
        let topics: Vec<&str> = item.topic_ids().collect();
        let row = [
            entry_id(item),
            a.id.map(|i| i.to_string()).unwrap_or_default(),
            a.source_id.clone(),
            a.url.clone().unwrap_or_default(),
            time(a.published_at),
            time(Some(item.first_seen_at)),
            time(Some(a.fetched_at)),
            item.revisions.to_string(),
            a.kicker.clone().unwrap_or_default(),
            a.title.clone(),
            a.subtitle.clone().unwrap_or_default(),
            a.byline.clone().unwrap_or_default(),
            a.outlet.clone().unwrap_or_default(),
            topics.join("; "),
            item.terms().join("; "),
            a.lead.clone().unwrap_or_default(),
            a.text(),
        ];
        sheet.row(row.iter().map(String::as_str));
    }
    Ok(sheet.finish()?)
}

/// RFC 3339 in UTC, empty when unknown.
fn time(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}
