//! The article model of DESIGN.md: one `Article` for feed items and
//! scraped pages alike, and a parsed feed document.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One news article as reformwatch understands it, whatever its source kind.
///
/// Field names follow Chinese news structure: `kicker` is the 引题, `title`
/// the 主题, `subtitle` the 副题.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Article {
    /// Database id; `None` until stored.
    pub id: Option<i64>,
    /// Id of the configured source this article came from.
    pub source_id: String,
    /// The link as the source gave it.
    pub url: Option<String>,
    /// Canonical form of `url` (fragment and tracking parameters removed).
    pub canonical_url: Option<String>,
    /// Identity within the source: the feed's guid, else a deterministic
    /// id derived from the canonical URL or content (prefixed `gen:`).
    pub guid: String,
    /// 引题: the line above the headline.
    pub kicker: Option<String>,
    /// 主题: the headline.
    pub title: String,
    /// 副题: the line below the headline.
    pub subtitle: Option<String>,
    /// Reporter(s), e.g. `记者 张三`.
    pub byline: Option<String>,
    /// Publishing outlet, e.g. `嘉兴日报` from `来源：嘉兴日报`.
    pub outlet: Option<String>,
    /// When the source says it was published.
    pub published_at: Option<DateTime<Utc>>,
    /// When the source says it was last updated.
    pub updated_at: Option<DateTime<Utc>>,
    /// When reformwatch fetched this version.
    pub fetched_at: DateTime<Utc>,
    /// BCP 47 language tag when known (`zh`, `en`).
    pub language: Option<String>,
    /// First paragraph(s) as plain text.
    pub lead: Option<String>,
    /// Body, as sections of plain-text paragraphs.
    pub sections: Vec<Section>,
    /// Quoted speech with its speaker.
    pub quotes: Vec<Quote>,
    /// Hash of the normalized content; a change means a new revision.
    pub content_hash: String,
    /// Revision number, starting at 1.
    pub revision: u32,
}

/// A run of paragraphs under an optional heading (小标题).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Section {
    /// The section heading, if the body has one here.
    pub heading: Option<String>,
    /// Plain-text paragraphs.
    pub paragraphs: Vec<String>,
}

/// Quoted speech attributed to a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Quote {
    /// The person's name, e.g. `王亮`.
    pub speaker: Option<String>,
    /// The post before the name, e.g. `市委改革办常务副主任`.
    pub role: Option<String>,
    /// What was said.
    pub text: String,
}

impl Article {
    /// The body as plain text: paragraphs separated by a blank line.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for section in &self.sections {
            if let Some(h) = &section.heading {
                push_para(&mut out, h);
            }
            for p in &section.paragraphs {
                push_para(&mut out, p);
            }
        }
        out
    }

    /// All paragraphs of all sections, in order.
    pub fn paragraphs(&self) -> impl Iterator<Item = &str> {
        self.sections
            .iter()
            .flat_map(|s| s.paragraphs.iter().map(String::as_str))
    }

    /// Length of the body in characters (paragraphs only, no headings);
    /// what layout-drift checks compare.
    pub fn body_chars(&self) -> usize {
        self.paragraphs().map(|p| p.chars().count()).sum()
    }

    /// The JSON export form: the article plus its `text`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let serde_json::Value::Object(map) = &mut v {
            map.insert("text".into(), serde_json::Value::String(self.text()));
        }
        v
    }
}

fn push_para(out: &mut String, p: &str) {
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    out.push_str(p);
}

/// A parsed feed document: its own metadata and its items as articles.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct FeedDocument {
    /// Feed title.
    pub title: Option<String>,
    /// Feed home link.
    pub link: Option<String>,
    /// Feed description.
    pub description: Option<String>,
    /// Feed-level update time.
    pub updated_at: Option<DateTime<Utc>>,
    /// RSS `<ttl>` in minutes, a hint for the next poll.
    pub ttl_minutes: Option<u32>,
    /// The items, each as an `Article` (revision 1, no id yet).
    pub items: Vec<Article>,
}

impl FeedDocument {
    /// The JSON form printed by `reformwatch extract --json` for a feed.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "kind": "feed",
            "title": self.title,
            "link": self.link,
            "description": self.description,
            "updated_at": self.updated_at,
            "items": self.items.iter().map(Article::to_json).collect::<Vec<_>>(),
        })
    }
}
