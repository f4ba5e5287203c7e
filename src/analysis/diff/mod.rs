//! Pure, field-aware diffs between two versions of an `Article`, for the
//! revision history and the digest's "Revised" section.
//!
//! Owns what a reader is shown about an edit: which field changed (title,
//! subtitle, kicker, byline, outlet, published time, lead, section headings,
//! paragraphs aligned across sections, quotes matched by speaker), the
//! deleted and inserted text inside it (Chinese by characters within aligned
//! sentences, Latin by words, cleaned up into phrases), each change's
//! [`ChangeClass`], and the HTML and plain-text renderings. No I/O, no clock:
//! the same two articles always give the same diff and the same bytes.
//!
//! ```text
//! fields.rs   which fields changed, paragraph and quote alignment
//! align.rs    pairing units (paragraphs, sentences, quotes) across versions
//! inline.rs   sentence-aligned token diff + semantic cleanup
//! tokens.rs   sentences, tokens, similarity
//! classify.rs cosmetic / minor / substantive
//! label.rs    each change's label, in English or Chinese
//! render.rs   to_text / to_html
//! ```

mod align;
mod classify;
mod fields;
mod inline;
mod label;
mod render;
mod tokens;

#[cfg(test)]
pub(crate) mod golden;

use crate::model::ChangeClass;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

pub use fields::diff_articles;
pub(crate) use tokens::is_cjk;

/// One piece of a changed field's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Text in both versions.
    Same(String),
    /// Text only in the old version.
    Del(String),
    /// Text only in the new version.
    Ins(String),
    /// Unchanged sentences left out of the display (rendered `[…]`).
    Gap,
}

/// Where in the article a change is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// 引题, the line above the headline.
    Kicker,
    /// 主题, the headline.
    Title,
    /// 副题, the line below the headline.
    Subtitle,
    /// The reporters.
    Byline,
    /// The publishing outlet (来源).
    Outlet,
    /// The published time.
    Published {
        /// The old time, if there was one.
        from: Option<DateTime<Utc>>,
        /// The new time, if there is one.
        to: Option<DateTime<Utc>>,
    },
    /// The lead, when it is not simply the body's first paragraph.
    Lead,
    /// A section heading (小标题), numbered from 1 over the article.
    Heading(usize),
    /// A body paragraph, numbered from 1 over the whole article (across
    /// sections, headings not counted). Removed and changed paragraphs carry
    /// their old number, added ones their new number.
    Paragraph(usize),
    /// A quote in the article's quote list, matched by speaker.
    Quote {
        /// The speaker, if the quote has one.
        speaker: Option<String>,
    },
}

/// Whether a field appeared, disappeared or was edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Removed,
    /// In both, with different text.
    Changed,
}

/// One change to one field, ready to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// Which field.
    pub location: Location,
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// How much it matters.
    pub class: ChangeClass,
    /// The changed text with unchanged sentences elided; empty for the
    /// published time, whose label says it all.
    pub parts: Vec<Part>,
    /// The quote this body change carries (shown as `quote by 王亮`): the
    /// quote's own change is reported here rather than twice.
    pub context: Option<QuoteContext>,
}

/// A quote carried by a changed body paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteContext {
    /// The speaker, if the quote has one.
    pub speaker: Option<String>,
}

/// Every change between two versions of an article, in reading order:
/// kicker, title, subtitle, byline, outlet, published time, lead, body,
/// quotes not already shown in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleDiff {
    /// The changes; empty when nothing a reader can see changed.
    pub changes: Vec<FieldChange>,
    /// Zone in which times are rendered (UTC unless set).
    pub timezone: Tz,
}

impl ArticleDiff {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The class of the whole revision: that of its weightiest change, or
    /// `None` for an empty diff.
    pub fn class(&self) -> Option<ChangeClass> {
        self.changes.iter().map(|c| c.class).max()
    }

    /// Characters deleted plus inserted (a moved time counts 1): how far
    /// apart the versions are, for choosing the nearest earlier revision.
    pub fn edit_size(&self) -> usize {
        self.changes
            .iter()
            .map(|c| {
                if matches!(c.location, Location::Published { .. }) {
                    return 1;
                }
                c.parts
                    .iter()
                    .map(|p| match p {
                        Part::Del(s) | Part::Ins(s) => s.chars().count(),
                        _ => 0,
                    })
                    .sum()
            })
            .sum()
    }

    /// The same diff with times rendered in `tz` (e.g. the subscriber's).
    pub fn in_timezone(mut self, tz: Tz) -> Self {
        self.timezone = tz;
        self
    }
}
