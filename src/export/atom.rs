//! Atom 1.0 (RFC 4287), the feed format every reader follows. Text goes
//! through quick-xml's escaping, and characters XML 1.0 cannot carry at
//! all (most C0 controls) are dropped first, so a hostile title cannot
//! make the whole feed unreadable.

use std::io;

use chrono::{DateTime, SecondsFormat, Utc};
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use super::{entry_id, published, updated, ExportError, FeedInfo};
use crate::model::ListedArticle;

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

/// The Atom feed of `items`, newest first as given.
pub fn render(info: &FeedInfo, items: &[ListedArticle]) -> Result<String, ExportError> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
    w.create_element("feed")
        .with_attribute(("xmlns", ATOM_NS))
        .write_inner_content(|w| {
            text(w, "id", &info.id)?;
            text(w, "title", &info.title)?;
            text(w, "updated", &time(info.updated(items)))?;
            w.create_element("author")
                .write_inner_content(|w| text(w, "name", "reformwatch"))?;
            w.create_element("generator")
                .write_text_content(BytesText::new("reformwatch"))?;
            for item in items {
                entry(w, item)?;
            }
            Ok(())
        })?;
    let mut out = String::from_utf8(w.into_inner()).map_err(io::Error::other)?;
    out.push('\n');
    Ok(out)
}

/// One `<entry>`: the stable id, the times, the link, the topics as
/// categories, the lead as summary and the body as text content.
fn entry(w: &mut Writer<Vec<u8>>, item: &ListedArticle) -> io::Result<()> {
    let a = &item.article;
    w.create_element("entry").write_inner_content(|w| {
        text(w, "id", &entry_id(item))?;
        text(w, "title", &a.title)?;
        text(w, "updated", &time(updated(item)))?;
        text(w, "published", &time(published(item)))?;
        if let Some(name) = a.byline.as_ref().or(a.outlet.as_ref()) {
            w.create_element("author")
                .write_inner_content(|w| text(w, "name", name))?;
        }
        if let Some(url) = &a.url {
            w.create_element("link")
                .with_attribute(("rel", "alternate"))
                .with_attribute(("href", xml_chars(url).as_str()))
                .write_empty()?;
        }
        for topic in item.topic_ids() {
            w.create_element("category")
                .with_attribute(("term", xml_chars(topic).as_str()))
                .write_empty()?;
        }
        if let Some(lead) = &a.lead {
            text(w, "summary", lead)?;
        }
        w.create_element("content")
            .with_attribute(("type", "text"))
            .write_text_content(BytesText::new(&xml_chars(&a.text())))?;
        Ok(())
    })?;
    Ok(())
}

/// `<name>value</name>`, escaped.
fn text(w: &mut Writer<Vec<u8>>, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(&xml_chars(value)))?;
    Ok(())
}

/// RFC 3339 as Atom wants it, in UTC.
fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `s` without the characters XML 1.0 forbids (C0 controls but tab, line
/// feed and carriage return; U+FFFE, U+FFFF).
fn xml_chars(s: &str) -> String {
    s.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::xml_chars;

    #[test]
    fn characters_xml_cannot_carry_are_dropped() {
        assert_eq!(
            xml_chars("改革\u{0}\u{1b}[31m a\tb\u{FFFF}"),
            "改革[31m a\tb"
        );
    }
}
