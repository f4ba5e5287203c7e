//! Pure: RSS 0.9x/1.0/2.0, RDF, Atom 0.3/1.0 and CDF documents → [`RawFeed`].
//!
//! Reads the feed elements the model needs from the forgiving walk in
//! [`super::xml`], with feedparser's semantics: only direct children of the
//! channel (or feed) and of an item (or entry) are fields, so an `<image>`'s
//! title or an Atom `<source>` never overrides the real one; Atom 0.3
//! (`tagline`, `modified`, `issued`, `mode="escaped|base64|xml"`) is read
//! as Atom; Dublin Core and `dcterms` dates and titles count in every
//! format; CDF's `HREF`/`LASTMOD` attributes give links and dates; an RSS
//! guid that is a permalink is the link when there is no other; a later
//! value of the same field replaces an earlier one, as in feedparser.

use std::ops::ControlFlow;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use url::Url;

use super::raw::{LinkRank, RawEntry, RawFeed};
use super::text::{decode_base64, TextKind, TextValue};
use super::xml::{self, Element, Ns, Walk};
use crate::document::dates;

/// Never more entries than this are kept from one document (bounds memory
/// on hostile input; the model keeps far fewer).
const MAX_RAW_ENTRIES: usize = 10 * super::MAX_ITEMS;

/// The feed format, decided by the root element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// `<rss>`: RSS 0.9x and 2.0.
    Rss,
    /// `<rdf:RDF>`: RSS 0.90 and 1.0.
    Rdf,
    /// `<feed>` or `<entry>` in Atom 1.0 (or no namespace).
    Atom,
    /// `<feed version="0.3">` or the Atom 0.3 namespace.
    Atom03,
    /// `<CHANNEL>` at the root: Microsoft CDF (and bare RSS channels).
    Cdf,
}

/// Why a document is not a feed.
#[derive(Debug)]
pub(super) enum NotAFeed {
    /// The root element is `<html>`.
    Html,
    /// The root element is something else, or there is none.
    NoFeedRoot,
}

/// Reads an XML feed. Relative links resolve against `base` (and
/// `xml:base`); dates without a zone are read in `tz`.
pub(super) fn read(text: &str, base: Option<&Url>, tz: Tz) -> Result<(RawFeed, Read), NotAFeed> {
    let mut b = Builder {
        tz,
        format: None,
        not_a_feed: None,
        feed: RawFeed::default(),
        channel_depth: 0,
        entry: None,
        entry_depth: 0,
        skip_depth: 0,
        person_depth: 0,
        capture: None,
        dropped_entry: false,
    };
    let walk = xml::walk(text, base, &mut b);
    if let Some(why) = b.not_a_feed {
        return Err(why);
    }
    if b.format.is_none() {
        return Err(NotAFeed::NoFeedRoot);
    }
    Ok((
        b.feed,
        Read {
            walk,
            dropped_entry: b.dropped_entry,
        },
    ))
}

/// How the document read, beside what it held.
#[derive(Debug)]
pub(super) struct Read {
    /// How the XML walk ended.
    pub walk: Walk,
    /// An item was cut off by the end of the document (and left out).
    pub dropped_entry: bool,
}

/// Which field a captured element's content goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    FeedTitle,
    FeedSubtitle,
    FeedLink(LinkRank),
    FeedUpdated,
    FeedPublished,
    FeedLanguage,
    FeedTtl,
    Title,
    Summary,
    Content,
    Link(LinkRank),
    Id,
    Guid { permalink: bool },
    Published,
    Updated,
    Author,
    Language,
}

/// How captured content is interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spec {
    /// A string (id, date, link, language): text only, trimmed.
    Raw,
    /// A text construct of this kind.
    Text(TextKind),
    /// A base64-encoded text construct (Atom 0.3 `mode="base64"`).
    Base64(TextKind),
}

/// An element whose content is being collected.
struct Capture {
    field: Field,
    spec: Spec,
    depth: usize,
    /// Decoded text; serialized markup once `markup` is set.
    buf: String,
    /// Child elements were seen: `buf` holds HTML (text escaped, tags written).
    markup: bool,
    /// The base URL in effect at the element, for link captures.
    base: Option<Url>,
}

impl Capture {
    fn child_start(&mut self, el: &Element<'_>) {
        if self.spec == Spec::Raw {
            return;
        }
        if !self.markup {
            self.markup = true;
            self.buf = html_escape::encode_text(&self.buf).into_owned();
        }
        self.buf.push('<');
        self.buf.push_str(el.local);
        for a in el.attrs {
            self.buf.push(' ');
            self.buf.push_str(&a.qname);
            self.buf.push_str("=\"");
            self.buf
                .push_str(&html_escape::encode_double_quoted_attribute(&a.value));
            self.buf.push('"');
        }
        self.buf.push('>');
    }

    fn child_end(&mut self, qname: &str) {
        if self.markup {
            let local = qname.rsplit(':').next().unwrap_or(qname);
            self.buf.push_str("</");
            self.buf.push_str(local);
            self.buf.push('>');
        }
    }

    fn text(&mut self, text: &str) {
        if self.markup {
            self.buf.push_str(&html_escape::encode_text(text));
        } else {
            self.buf.push_str(text);
        }
    }

    /// The captured content as a text construct.
    fn into_text(self) -> TextValue {
        let (kind, value) = match self.spec {
            Spec::Base64(kind) if !self.markup => {
                (kind, decode_base64(&self.buf).unwrap_or_default())
            }
            Spec::Text(kind) | Spec::Base64(kind) if !self.markup => (kind, self.buf),
            // Inline markup: HTML whatever was declared.
            _ => (TextKind::Html, self.buf),
        };
        TextValue { kind, value }
    }
}

struct Builder {
    tz: Tz,
    format: Option<Format>,
    not_a_feed: Option<NotAFeed>,
    feed: RawFeed,
    /// Depth of the open channel (`<channel>`, Atom `<feed>`, CDF root); 0 if none.
    channel_depth: usize,
    entry: Option<RawEntry>,
    entry_depth: usize,
    /// Everything inside the element at this depth is ignored; 0 if none.
    skip_depth: usize,
    /// Depth of an open Atom `<author>` of the current entry; 0 if none.
    person_depth: usize,
    capture: Option<Capture>,
    /// An entry was cut off by the end of the document.
    dropped_entry: bool,
}

/// What to do with a child of a channel or an entry.
enum Action {
    Capture(Field, Spec),
    /// An Atom `<link>`: its `href` now, or its text if it has none.
    AtomLink {
        feed: bool,
    },
    /// An Atom person construct: its `<name>` is an author.
    Person,
    /// Not a field: ignore the element and everything in it.
    Skip,
}

impl xml::Handler for Builder {
    fn start(&mut self, el: &Element<'_>) -> ControlFlow<()> {
        if self.skip_depth > 0 {
            return ControlFlow::Continue(());
        }
        if let Some(c) = &mut self.capture {
            c.child_start(el);
            return ControlFlow::Continue(());
        }
        let Some(format) = self.format else {
            return self.root(el);
        };
        if self.entry.is_some() && is_entry(format, el) {
            // Items never nest: an item inside one means the first was
            // never closed (`<item>…<item>…`), so it ends here.
            self.capture = None;
            self.person_depth = 0;
            self.end_entry();
            self.begin_entry(el);
            return ControlFlow::Continue(());
        }
        if self.entry.is_some() {
            if self.person_depth > 0 {
                if el.depth == self.person_depth + 1 && el.local.eq_ignore_ascii_case("name") {
                    self.begin(el, Field::Author, Spec::Raw);
                }
            } else if el.depth == self.entry_depth + 1 {
                let action = entry_action(format, el);
                self.act(el, action);
            }
            return ControlFlow::Continue(());
        }
        if is_entry(format, el) {
            self.begin_entry(el);
        } else if self.channel_depth == 0
            && matches!(format, Format::Rss | Format::Rdf)
            && el.is(Ns::Core, "channel")
        {
            self.channel_depth = el.depth;
        } else if self.channel_depth > 0 && el.depth == self.channel_depth + 1 {
            let action = feed_action(format, el);
            self.act(el, action);
        }
        ControlFlow::Continue(())
    }

    fn text(&mut self, text: &str) {
        if self.skip_depth == 0 {
            if let Some(c) = &mut self.capture {
                c.text(text);
            }
        }
    }

    fn end(&mut self, qname: &str, depth: usize) {
        if self.skip_depth > 0 {
            if depth == self.skip_depth {
                self.skip_depth = 0;
            }
            return;
        }
        if let Some(c) = &mut self.capture {
            if c.depth == depth {
                if let Some(c) = self.capture.take() {
                    self.finish(c);
                }
            } else {
                c.child_end(qname);
            }
            return;
        }
        if depth == self.person_depth {
            self.person_depth = 0;
        } else if self.entry.is_some() && depth == self.entry_depth {
            self.end_entry();
        } else if depth == self.channel_depth {
            self.channel_depth = 0;
        }
    }

    fn cut_off(&mut self) {
        // An entry still open was cut off: incomplete, so dropped.
        if self.entry.take().is_some() {
            self.dropped_entry = true;
        }
        self.capture = None;
        self.skip_depth = 0;
        self.person_depth = 0;
    }
}

impl Builder {
    /// Decides the format from the root element.
    fn root(&mut self, el: &Element<'_>) -> ControlFlow<()> {
        let local = el.local;
        let atom_ns = matches!(el.ns, Ns::Core | Ns::Atom | Ns::Atom03);
        let format = if local.eq_ignore_ascii_case("rss") {
            Format::Rss
        } else if local.eq_ignore_ascii_case("rdf") && matches!(el.ns, Ns::Rdf | Ns::Core) {
            Format::Rdf
        } else if atom_ns && (local == "feed" || local == "entry") {
            let v03 = el.ns == Ns::Atom03
                || (el.ns == Ns::Core && el.attr("version").is_some_and(|v| v.trim() == "0.3"));
            if v03 {
                Format::Atom03
            } else {
                Format::Atom
            }
        } else if local.eq_ignore_ascii_case("channel") && el.ns == Ns::Core {
            Format::Cdf
        } else {
            self.not_a_feed = Some(if local.eq_ignore_ascii_case("html") {
                NotAFeed::Html
            } else {
                NotAFeed::NoFeedRoot
            });
            return ControlFlow::Break(());
        };
        self.format = Some(format);
        if let Some(lang) = el.lang {
            self.feed.language = Some(lang.to_string());
        }
        match format {
            Format::Atom | Format::Atom03 if local == "entry" => self.begin_entry(el),
            Format::Atom | Format::Atom03 => self.channel_depth = el.depth,
            Format::Cdf => {
                self.channel_depth = el.depth;
                if let Some(href) = el.attr("href") {
                    if let Some(u) = resolve(href, el.base) {
                        self.feed.link.offer(LinkRank::Page, u);
                    }
                }
                if let Some(d) = el.attr("lastmod").and_then(|d| self.date(d)) {
                    self.feed.updated = Some(d);
                }
            }
            Format::Rss | Format::Rdf => {}
        }
        ControlFlow::Continue(())
    }

    fn end_entry(&mut self) {
        if let Some(entry) = self.entry.take() {
            if self.feed.entries.len() < MAX_RAW_ENTRIES {
                self.feed.entries.push(entry);
            }
        }
    }

    fn begin_entry(&mut self, el: &Element<'_>) {
        let mut entry = RawEntry {
            language: el.lang.map(str::to_string),
            ..RawEntry::default()
        };
        if let Some(about) = el.attr_ns(Ns::Rdf, "about") {
            entry.about = non_blank(about);
        }
        // CDF items carry their link and date as attributes.
        if let Some(href) = el.attr("href") {
            if let Some(u) = resolve(href, el.base) {
                entry.link.offer(LinkRank::Page, u);
            }
        }
        if let Some(d) = el.attr("lastmod").and_then(|d| self.date(d)) {
            entry.updated = Some(d);
        }
        self.entry = Some(entry);
        self.entry_depth = el.depth;
    }

    fn act(&mut self, el: &Element<'_>, action: Action) {
        match action {
            Action::Capture(field, spec) => self.begin(el, field, spec),
            Action::AtomLink { feed } => self.atom_link(el, feed),
            Action::Person => self.person_depth = el.depth,
            Action::Skip => self.skip_depth = el.depth,
        }
    }

    fn begin(&mut self, el: &Element<'_>, field: Field, spec: Spec) {
        if matches!(field, Field::Content) {
            // The language of the content is the entry's, if it says one.
            if let (Some(lang), Some(entry)) = (el.lang, self.entry.as_mut()) {
                entry.language = Some(lang.to_string());
            }
        }
        let base = match field {
            Field::Link(_) | Field::FeedLink(_) => el.base.cloned(),
            _ => None,
        };
        self.capture = Some(Capture {
            field,
            spec,
            depth: el.depth,
            buf: String::new(),
            markup: false,
            base,
        });
    }

    /// An Atom `<link>`: `rel` (default `alternate`) and `type` rank it; a
    /// link without `href` gives its text content instead.
    fn atom_link(&mut self, el: &Element<'_>, feed: bool) {
        let Some(rank) = link_rank(el.attr("rel"), el.attr("type")) else {
            self.skip_depth = el.depth;
            return;
        };
        match el.attr("href") {
            Some(href) => {
                if let Some(u) = resolve(href, el.base) {
                    match (feed, self.entry.as_mut()) {
                        (false, Some(entry)) => entry.link.offer(rank, u),
                        _ => self.feed.link.offer(rank, u),
                    }
                }
                self.skip_depth = el.depth;
            }
            None => {
                let field = if feed {
                    Field::FeedLink(rank)
                } else {
                    Field::Link(rank)
                };
                self.begin(el, field, Spec::Raw);
            }
        }
    }

    fn date(&self, s: &str) -> Option<DateTime<Utc>> {
        dates::parse_feed_date(s, self.tz)
    }

    /// Stores a finished capture in its field (a later value replaces an
    /// earlier one; links keep the first of the best rank).
    fn finish(&mut self, c: Capture) {
        let field = c.field;
        if c.spec != Spec::Raw {
            let text = c.into_text();
            match field {
                Field::FeedTitle => self.feed.title = Some(text),
                Field::FeedSubtitle => self.feed.subtitle = Some(text),
                _ => {
                    if let Some(e) = self.entry.as_mut() {
                        match field {
                            Field::Title => e.title = Some(text),
                            Field::Summary => e.summary = Some(text),
                            _ => e.content = Some(text),
                        }
                    }
                }
            }
            return;
        }
        let raw = c.buf.trim();
        match field {
            Field::FeedLink(rank) => {
                if let Some(u) = resolve(raw, c.base.as_ref()) {
                    self.feed.link.offer(rank, u);
                }
            }
            Field::FeedUpdated => self.feed.updated = self.date(raw).or(self.feed.updated),
            Field::FeedPublished => self.feed.published = self.date(raw).or(self.feed.published),
            Field::FeedLanguage => {
                if let Some(l) = non_blank(raw) {
                    self.feed.language = Some(l);
                }
            }
            Field::FeedTtl => self.feed.ttl = raw.parse().ok(),
            _ => {
                let date = match field {
                    Field::Published | Field::Updated => self.date(raw),
                    _ => None,
                };
                let Some(e) = self.entry.as_mut() else {
                    return;
                };
                match field {
                    Field::Link(rank) => {
                        if let Some(u) = resolve(raw, c.base.as_ref()) {
                            e.link.offer(rank, u);
                        }
                    }
                    Field::Id => e.id = non_blank(raw).or(e.id.take()),
                    Field::Guid { permalink } => {
                        e.id = non_blank(raw).or(e.id.take());
                        if permalink {
                            e.permalink = absolute_http(raw);
                        }
                    }
                    Field::Published => e.published = date.or(e.published),
                    Field::Updated => e.updated = date.or(e.updated),
                    Field::Author => {
                        if let Some(name) = author_name(raw) {
                            e.authors.push(name);
                        }
                    }
                    Field::Language => {
                        if let Some(l) = non_blank(raw) {
                            e.language = Some(l);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

fn is_entry(format: Format, el: &Element<'_>) -> bool {
    match format {
        Format::Atom | Format::Atom03 => {
            el.local == "entry" && matches!(el.ns, Ns::Core | Ns::Atom | Ns::Atom03)
        }
        Format::Rss | Format::Rdf | Format::Cdf => el.is(Ns::Core, "item"),
    }
}

/// Whether `el` is in an Atom vocabulary for this document.
fn atomish(format: Format, el: &Element<'_>) -> bool {
    match el.ns {
        Ns::Atom | Ns::Atom03 => true,
        Ns::Core => matches!(format, Format::Atom | Format::Atom03),
        _ => false,
    }
}

/// The text-construct reading of an Atom element: Atom 1.0 `type`
/// (`text`, `html`, `xhtml`, a MIME type), Atom 0.3 `type` (MIME, default
/// `text/plain`) with `mode` (`xml`, `escaped`, `base64`).
fn atom_spec(format: Format, el: &Element<'_>) -> Spec {
    let ty = el
        .attr("type")
        .map(|t| t.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let kind = match ty.as_str() {
        "" | "text" | "text/plain" => TextKind::Plain,
        "html" | "text/html" | "xhtml" | "application/xhtml+xml" => TextKind::Html,
        t if t.ends_with("+xml") || t.ends_with("/xml") => TextKind::Html,
        t if t.starts_with("text/") => TextKind::Plain,
        // Any other MIME type is base64 in Atom 1.0 (RFC 4287 4.1.3.3): text
        // if it decodes to UTF-8, nothing otherwise (an image is no text).
        _ if el.ns == Ns::Atom || format == Format::Atom => return Spec::Base64(TextKind::Plain),
        _ => TextKind::Plain,
    };
    let v03 = el.ns == Ns::Atom03 || (el.ns == Ns::Core && format == Format::Atom03);
    let mode = el.attr("mode").map(str::trim).unwrap_or("");
    if v03 && mode.eq_ignore_ascii_case("base64") {
        Spec::Base64(kind)
    } else {
        Spec::Text(kind)
    }
}

/// `s` in ASCII lower case, in `buf`; names longer than `buf` (no field
/// has one) come back empty.
fn lower<'b>(s: &str, buf: &'b mut [u8; 16]) -> &'b str {
    let Some(dst) = buf.get_mut(..s.len()) else {
        return "";
    };
    dst.copy_from_slice(s.as_bytes());
    dst.make_ascii_lowercase();
    std::str::from_utf8(dst).unwrap_or("")
}

/// What a direct child of the channel (feed) means.
fn feed_action(format: Format, el: &Element<'_>) -> Action {
    let mut buf = [0u8; 16];
    let local = lower(el.local, &mut buf);
    let guess = Spec::Text(TextKind::Guess);
    if atomish(format, el) {
        return match local {
            "title" => Action::Capture(Field::FeedTitle, atom_spec(format, el)),
            "subtitle" | "tagline" => Action::Capture(Field::FeedSubtitle, atom_spec(format, el)),
            "link" => Action::AtomLink { feed: true },
            "updated" | "modified" => Action::Capture(Field::FeedUpdated, Spec::Raw),
            "published" | "issued" => Action::Capture(Field::FeedPublished, Spec::Raw),
            _ => Action::Skip,
        };
    }
    match (el.ns, local) {
        (Ns::Core | Ns::Dc, "title") => Action::Capture(Field::FeedTitle, guess),
        (Ns::Core, "link") if el.attr("href").is_some() => Action::AtomLink { feed: true },
        (Ns::Core, "link") => Action::Capture(Field::FeedLink(LinkRank::Page), Spec::Raw),
        (Ns::Core | Ns::Dc, "description") | (Ns::Core, "abstract") => {
            Action::Capture(Field::FeedSubtitle, guess)
        }
        (Ns::Core, "pubdate") | (Ns::Dcterms, "issued") => {
            Action::Capture(Field::FeedPublished, Spec::Raw)
        }
        (Ns::Core, "lastbuilddate") | (Ns::Dc, "date") | (Ns::Dcterms, "modified") => {
            Action::Capture(Field::FeedUpdated, Spec::Raw)
        }
        (Ns::Core | Ns::Dc, "language") => Action::Capture(Field::FeedLanguage, Spec::Raw),
        (Ns::Core, "ttl") => Action::Capture(Field::FeedTtl, Spec::Raw),
        _ => Action::Skip,
    }
}

/// What a direct child of an item (entry) means.
fn entry_action(format: Format, el: &Element<'_>) -> Action {
    let mut buf = [0u8; 16];
    let local = lower(el.local, &mut buf);
    let guess = Spec::Text(TextKind::Guess);
    if atomish(format, el) {
        return match local {
            "title" => Action::Capture(Field::Title, atom_spec(format, el)),
            "summary" => Action::Capture(Field::Summary, atom_spec(format, el)),
            "content" => Action::Capture(Field::Content, atom_spec(format, el)),
            "link" => Action::AtomLink { feed: false },
            "id" => Action::Capture(Field::Id, Spec::Raw),
            "updated" | "modified" => Action::Capture(Field::Updated, Spec::Raw),
            "published" | "issued" => Action::Capture(Field::Published, Spec::Raw),
            "author" => Action::Person,
            _ => Action::Skip,
        };
    }
    match (el.ns, local) {
        (Ns::Core | Ns::Dc, "title") => Action::Capture(Field::Title, guess),
        (Ns::Core, "link") if el.attr("href").is_some() => Action::AtomLink { feed: false },
        (Ns::Core, "link") => Action::Capture(Field::Link(LinkRank::Page), Spec::Raw),
        (Ns::Core, "guid") => {
            let permalink = !el
                .attr("ispermalink")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("false"));
            Action::Capture(Field::Guid { permalink }, Spec::Raw)
        }
        (Ns::Core | Ns::Dc, "description") | (Ns::Core, "abstract") => {
            Action::Capture(Field::Summary, guess)
        }
        (Ns::Content, "encoded") => Action::Capture(Field::Content, guess),
        (Ns::Xhtml, "body") => Action::Capture(Field::Content, Spec::Text(TextKind::Html)),
        (Ns::Core, "pubdate") | (Ns::Dcterms, "issued") => {
            Action::Capture(Field::Published, Spec::Raw)
        }
        (Ns::Dc, "date") | (Ns::Dcterms, "modified") => Action::Capture(Field::Updated, Spec::Raw),
        (Ns::Core, "author") | (Ns::Dc, "creator") => Action::Capture(Field::Author, Spec::Raw),
        (Ns::Core | Ns::Dc, "language") => Action::Capture(Field::Language, Spec::Raw),
        _ => Action::Skip,
    }
}

/// How a link ranks as "the page": `None` for relations that never are
/// (the feed itself, media enclosures, editing and paging links).
fn link_rank(rel: Option<&str>, ty: Option<&str>) -> Option<LinkRank> {
    let rel = rel
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or("alternate");
    const NEVER: &[&str] = &[
        "self",
        "enclosure",
        "edit",
        "edit-media",
        "replies",
        "next",
        "previous",
        "prev",
        "first",
        "last",
        "hub",
        "license",
    ];
    if NEVER.iter().any(|n| rel.eq_ignore_ascii_case(n)) {
        return None;
    }
    if !rel.eq_ignore_ascii_case("alternate") {
        return Some(LinkRank::Related);
    }
    let html = ty.map(str::trim).is_none_or(|t| {
        t.is_empty()
            || t.eq_ignore_ascii_case("text/html")
            || t.eq_ignore_ascii_case("application/xhtml+xml")
    });
    Some(if html {
        LinkRank::Page
    } else {
        LinkRank::OtherAlternate
    })
}

/// `href` as an absolute http(s) URL, resolved against `base`.
pub(super) fn resolve(href: &str, base: Option<&Url>) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    let url = match Url::parse(href) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(href).ok()?,
        Err(_) => return None,
    };
    matches!(url.scheme(), "http" | "https").then_some(url)
}

fn absolute_http(s: &str) -> Option<Url> {
    let s = s.trim();
    let scheme = s.get(..4)?;
    if !scheme.eq_ignore_ascii_case("http") {
        return None;
    }
    Url::parse(s)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
}

fn non_blank(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// An author's display name: `Name`, `mail@example.org (Name)` → `Name`,
/// `Name <mail@example.org>` → `Name`; a bare address gives none.
fn author_name(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if !raw.contains('@') {
        return non_blank(raw);
    }
    if let (Some(open), true) = (raw.find('('), raw.ends_with(')')) {
        return non_blank(&raw[open + 1..raw.len() - 1]);
    }
    if let Some(lt) = raw.find('<') {
        return non_blank(raw[..lt].trim_matches('"'));
    }
    None
}
