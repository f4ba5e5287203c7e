//! Pure: feed text constructs (titles, descriptions, content) and how each
//! kind becomes display text.
//!
//! A construct is read by its declared kind, as feedparser reads it: Atom
//! `type="text"` (and Atom 0.3 `text/plain`) is literal text, so a `<b>` in
//! it stays as written; `html`, `xhtml` and inline markup are HTML, shown as
//! the text they render; RSS and RDF declare nothing, so their text is
//! treated as HTML that may be escaped twice, which Chinese CMSes do.

use crate::document::normalize;

/// How a construct's value is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TextKind {
    /// Literal text (Atom `type="text"`).
    Plain,
    /// HTML markup (Atom `html`/`xhtml`, inline markup, Atom 0.3 `text/html`).
    Html,
    /// Undeclared (RSS, RDF, CDF, Dublin Core): HTML, possibly escaped twice.
    Guess,
}

/// A text construct: its kind and its value (markup for HTML kinds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TextValue {
    pub kind: TextKind,
    pub value: String,
}

impl TextValue {
    /// One-line display text: tags dropped and entities decoded for HTML,
    /// whitespace folded and invisible characters dropped for every kind.
    pub fn inline(&self) -> String {
        match self.kind {
            TextKind::Plain => normalize::clean_plain(&self.value),
            TextKind::Html => normalize::html_inline(&self.value),
            TextKind::Guess => normalize::clean_inline(&self.value),
        }
    }

    /// Display paragraphs (a new one at each block element or blank line).
    pub fn paragraphs(&self) -> Vec<String> {
        match self.kind {
            TextKind::Plain => normalize::plain_to_paragraphs(&self.value),
            TextKind::Html | TextKind::Guess => normalize::html_to_paragraphs(&self.value),
        }
    }
}

/// Decodes standard base64 (Atom 0.3 `mode="base64"`), ignoring whitespace;
/// invalid input or non-UTF-8 bytes give `None`.
pub(super) fn decode_base64(s: &str) -> Option<String> {
    use base64::Engine as _;
    let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .ok()?;
    String::from_utf8(bytes).ok()
}
