//! JSON Feed 1.1 (jsonfeed.org/version/1.1): the feed readers' JSON. What
//! the spec has no field for (source, revisions, topics with their terms)
//! goes in the `_reformwatch` extension object that readers ignore.

use serde_json::{json, Map, Value};

use super::{entry_id, published, updated, ExportError, FeedInfo};
use crate::model::ListedArticle;

/// The JSON Feed document of `items`, newest first as given.
pub fn render(info: &FeedInfo, items: &[ListedArticle]) -> Result<String, ExportError> {
    let feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": info.title,
        "_reformwatch": { "id": info.id, "updated": info.updated(items) },
        "items": items.iter().map(item).collect::<Vec<_>>(),
    });
    Ok(serde_json::to_string_pretty(&feed)? + "\n")
}

/// One item: every spec field the article can fill, absent ones left out.
fn item(listed: &ListedArticle) -> Value {
    let a = &listed.article;
    let mut m = Map::new();
    m.insert("id".into(), entry_id(listed).into());
    if let Some(url) = &a.url {
        m.insert("url".into(), url.as_str().into());
    }
    m.insert("title".into(), a.title.as_str().into());
    m.insert("content_text".into(), a.text().into());
    if let Some(lead) = &a.lead {
        m.insert("summary".into(), lead.as_str().into());
    }
    m.insert("date_published".into(), json!(published(listed)));
    m.insert("date_modified".into(), json!(updated(listed)));
    if let Some(name) = a.byline.as_ref().or(a.outlet.as_ref()) {
        m.insert("authors".into(), json!([{ "name": name }]));
    }
    let topics: Vec<&str> = listed.topic_ids().collect();
    if !topics.is_empty() {
        m.insert("tags".into(), json!(topics));
    }
    if let Some(lang) = &a.language {
        m.insert("language".into(), lang.as_str().into());
    }
    m.insert(
        "_reformwatch".into(),
        json!({
            "source_id": a.source_id,
            "kicker": a.kicker,
            "subtitle": a.subtitle,
            "outlet": a.outlet,
            "revisions": listed.revisions,
            "matches": listed.matches,
        }),
    );
    Value::Object(m)
}
