//! JSON Feed 1.1 (jsonfeed.org/version/1.1): the feed readers' JSON. What
//! the spec has no field for (source, revisions, topics with their terms)
//! goes in the `_reformwatch` extension object that readers ignore.

use serde_json::{json, Map, Value};

use super::{entry_id, published, updated, ExportError, FeedInfo, RevisionEntry};
use crate::model::{Article, ListedArticle};

/// The JSON Feed document of `items`, newest first as given, then an
/// item for each of `revisions` (as given; none for a plain export).
pub fn render(
    info: &FeedInfo,
    items: &[ListedArticle],
    revisions: &[RevisionEntry],
) -> Result<String, ExportError> {
    let entries = items
        .iter()
        .map(item)
        .chain(revisions.iter().map(revision_item));
    let feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": info.title,
        "_reformwatch": { "id": info.id, "updated": info.updated(items, revisions) },
        "items": entries.collect::<Vec<_>>(),
    });
    Ok(serde_json::to_string_pretty(&feed)? + "\n")
}

/// One item: every spec field the article can fill, absent ones left out.
fn item(listed: &ListedArticle) -> Value {
    let a = &listed.article;
    let mut m = Map::new();
    m.insert("id".into(), entry_id(listed).into());
    url_and_title(&mut m, a, &a.title);
    m.insert("content_text".into(), a.text().into());
    if let Some(lead) = &a.lead {
        m.insert("summary".into(), lead.as_str().into());
    }
    m.insert("date_published".into(), json!(published(listed)));
    m.insert("date_modified".into(), json!(updated(listed)));
    authors(&mut m, a);
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

/// One edit's item: its own id, the diff as text and HTML, the revision
/// time as both dates (the edit was published when it was seen).
fn revision_item(r: &RevisionEntry) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), r.id().into());
    url_and_title(&mut m, &r.article, &r.title());
    m.insert("content_text".into(), r.diff_text.as_str().into());
    m.insert("content_html".into(), r.diff_html.as_str().into());
    m.insert("summary".into(), r.summary().into());
    m.insert("date_published".into(), json!(r.seen_at));
    m.insert("date_modified".into(), json!(r.seen_at));
    authors(&mut m, &r.article);
    m.insert(
        "_reformwatch".into(),
        json!({
            "source_id": r.article.source_id,
            "revision": r.revision,
            "base_revision": r.base,
            "class": r.class,
        }),
    );
    Value::Object(m)
}

/// `url` (when known) and `title`.
fn url_and_title(m: &mut Map<String, Value>, a: &Article, title: &str) {
    if let Some(url) = &a.url {
        m.insert("url".into(), url.as_str().into());
    }
    m.insert("title".into(), title.into());
}

/// `authors`: the byline, else the outlet, when known.
fn authors(m: &mut Map<String, Value>, a: &Article) {
    if let Some(name) = a.byline.as_ref().or(a.outlet.as_ref()) {
        m.insert("authors".into(), json!([{ "name": name }]));
    }
}
