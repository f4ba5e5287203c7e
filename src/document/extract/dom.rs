//! Pure: a parsed page → a flat list of text blocks plus the element tree
//! they sit in. Owns what a "block" is (the text between two block-level
//! boundaries), which elements never carry article text (script, style,
//! forms' controls, `remove` selectors) and which mark page chrome (nav,
//! footer, aside, header). Scoring and interpretation live elsewhere.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use scraper::{ElementRef, Node};

use crate::document::normalize::BLOCK_ELEMENTS;

/// Elements whose content is never text a reader sees.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "iframe", "select", "option", "button", "textarea", "template",
    "svg", "head", "input", "object", "embed", "canvas", "video", "audio", "map",
];

/// Block boundaries a whole page has beyond those of feed HTML
/// (`normalize::BLOCK_ELEMENTS`): layout containers a feed body rarely holds.
const PAGE_BLOCKS: &[&str] = &["nav", "aside", "main", "tbody", "form"];

/// Elements whose text is site chrome, never the article body.
const CHROME: &[&str] = &["nav", "footer", "aside", "header"];

/// Nesting beyond this is read as flat text (bounds recursion on hostile pages).
const MAX_DEPTH: usize = 200;

/// One element of the page, as far as extraction cares.
#[derive(Debug, Clone)]
pub(crate) struct Elem<'a> {
    /// Index of the parent element in [`Page::elems`].
    pub parent: Option<usize>,
    /// The element in the parsed document.
    pub el: ElementRef<'a>,
    /// `id` and `class` attributes joined (empty when it has neither).
    pub id_class: String,
    /// Named like page furniture (share bars, comments, related links,
    /// captions), or a `<figure>`/`<figcaption>`: see [`looks_like_junk`].
    pub junk_name: bool,
}

impl<'a> Elem<'a> {
    /// Lower-case tag name.
    pub fn tag(&self) -> &'a str {
        self.el.value().name()
    }
}

/// A run of text between two block boundaries.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    /// Display text: whitespace folded, trimmed.
    pub text: String,
    /// Element the text sits directly in (the innermost block element).
    pub elem: usize,
    /// Non-blank characters.
    pub chars: usize,
    /// Non-blank characters inside links.
    pub link_chars: usize,
    /// Non-blank characters inside `<strong>`/`<b>`.
    pub strong_chars: usize,
    /// Inside `<h1>`–`<h6>`.
    pub heading: bool,
    /// Inside nav, footer, aside or header.
    pub chrome: bool,
}

impl Block {
    /// Share of the block's characters that sit inside links.
    pub fn link_ratio(&self) -> f64 {
        if self.chars == 0 {
            0.0
        } else {
            self.link_chars as f64 / self.chars as f64
        }
    }
}

/// The page as elements and blocks in document order.
#[derive(Debug, Default)]
pub(crate) struct Page<'a> {
    /// Every visited element; index 0 is the root element.
    pub elems: Vec<Elem<'a>>,
    /// Every non-empty block, in document order.
    pub blocks: Vec<Block>,
}

impl Page<'_> {
    /// Whether element `elem` is `ancestor` or inside it.
    pub fn is_within(&self, mut elem: usize, ancestor: usize) -> bool {
        loop {
            if elem == ancestor {
                return true;
            }
            match self.elems[elem].parent {
                Some(p) => elem = p,
                None => return false,
            }
        }
    }
}

/// Identity of an element within one parsed document (its address in the tree).
pub(crate) fn key(el: &ElementRef<'_>) -> usize {
    std::ptr::from_ref(el.value()) as usize
}

/// Walks `root` into elements and blocks, leaving out elements in `skip`.
pub(crate) fn walk<'a>(root: ElementRef<'a>, skip: &HashSet<usize>) -> Page<'a> {
    let mut w = Walker {
        page: Page::default(),
        buf: String::new(),
        chars: 0,
        links: 0,
        strong: 0,
        stack: Vec::new(),
        skip,
    };
    w.visit(root, None, Flags::default(), 0);
    w.flush();
    w.page
}

#[derive(Debug, Clone, Copy, Default)]
struct Flags {
    link: bool,
    strong: bool,
    heading: bool,
    chrome: bool,
}

struct Walker<'a, 's> {
    page: Page<'a>,
    buf: String,
    chars: usize,
    links: usize,
    strong: usize,
    /// Block elements enclosing the current position, with their flags.
    stack: Vec<(usize, Flags)>,
    skip: &'s HashSet<usize>,
}

impl<'a> Walker<'a, '_> {
    fn visit(&mut self, el: ElementRef<'a>, parent: Option<usize>, flags: Flags, depth: usize) {
        let e = el.value();
        // html5ever lower-cases HTML tag names.
        let tag = e.name();
        // One pass over the attributes: `Element::attr` and `classes`
        // intern every name they are asked for, which cost more than the
        // rest of the walk.
        let (mut id, mut class, mut article_body) = (None, None, false);
        for (name, value) in e.attrs() {
            match name {
                "id" if id.is_none() => id = Some(value),
                "class" => class = Some(value),
                "itemprop" => article_body = value == "articleBody",
                _ => {}
            }
        }
        let mut id_class = String::new();
        if let Some(id) = id {
            id_class.push_str(id);
        }
        for c in class.into_iter().flat_map(str::split_ascii_whitespace) {
            id_class.push(' ');
            id_class.push_str(c);
        }
        if article_body {
            id_class.push_str(" articleBody");
        }
        let idx = self.page.elems.len();
        let junk_name = looks_like_junk(tag, &id_class);
        self.page.elems.push(Elem {
            parent,
            el,
            id_class,
            junk_name,
        });
        let mut flags = flags;
        match tag {
            "a" => flags.link = true,
            "strong" | "b" => flags.strong = true,
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => flags.heading = true,
            t if CHROME.contains(&t) => flags.chrome = true,
            _ => {}
        }
        let block = BLOCK_ELEMENTS.contains(&tag) || PAGE_BLOCKS.contains(&tag);
        if block {
            self.flush();
            self.stack.push((idx, flags));
        }
        for child in el.children() {
            match child.value() {
                Node::Text(t) => self.push_text(t, flags),
                Node::Element(ce) => {
                    let name = ce.name();
                    if SKIPPED.iter().any(|s| name.eq_ignore_ascii_case(s)) {
                        continue;
                    }
                    let Some(child_el) = ElementRef::wrap(child) else {
                        continue;
                    };
                    if (!self.skip.is_empty() && self.skip.contains(&key(&child_el)))
                        || is_hidden(ce)
                    {
                        continue;
                    }
                    if depth >= MAX_DEPTH {
                        let text: String = child_el.text().collect();
                        self.push_text(&text, flags);
                    } else {
                        self.visit(child_el, Some(idx), flags, depth + 1);
                    }
                }
                _ => {}
            }
        }
        if block {
            self.flush();
            self.stack.pop();
        }
    }

    fn push_text(&mut self, t: &str, flags: Flags) {
        let n = t.chars().filter(|c| !is_blank(*c)).count();
        self.buf.push_str(t);
        self.chars += n;
        if flags.link {
            self.links += n;
        }
        if flags.strong {
            self.strong += n;
        }
    }

    fn flush(&mut self) {
        if self.chars > 0 {
            let (elem, flags) = self.stack.last().copied().unwrap_or((0, Flags::default()));
            self.page.blocks.push(Block {
                text: fold_blanks(&self.buf),
                elem,
                chars: self.chars,
                link_chars: self.links,
                strong_chars: self.strong,
                heading: flags.heading,
                chrome: flags.chrome,
            });
        }
        self.buf.clear();
        self.chars = 0;
        self.links = 0;
        self.strong = 0;
    }
}

/// id/class words of page furniture (Readability's "unlikely candidates"
/// plus the pinyin names Chinese CMSes use) …
static JUNK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)-ad-|ai2html|banner|breadcrumb|combx|comment|community|cover-wrap|disqus|extra|",
        r"footer|gdpr|header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|",
        r"social|sponsor|supplemental|ad-break|agegate|pagination|pager|popup|yom-remote|share|",
        r"newsletter|subscribe|fenxiang|pinglun|xgxx|xgwz|tuijian|recommend"
    ))
    .expect("static regex")
});

/// … unless the name also says it may hold the article.
static MAYBE_CONTENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)and|article|body|column|content|main|mathjax|shadow|zhengwen")
        .expect("static regex")
});

/// Whether an element is named like furniture, or is a figure or caption
/// (kept apart from the body text).
fn looks_like_junk(tag: &str, id_class: &str) -> bool {
    matches!(tag, "figure" | "figcaption")
        || (!id_class.is_empty()
            && !matches!(tag, "body" | "html")
            && JUNK.is_match(id_class)
            && !MAYBE_CONTENT.is_match(id_class))
}

/// Elements a reader never sees: `hidden`, `aria-hidden="true"`,
/// `display: none` or `visibility: hidden` inline.
fn is_hidden(e: &scraper::node::Element) -> bool {
    e.attrs().any(|(name, value)| match name {
        "hidden" => true,
        "aria-hidden" => value == "true",
        "style" => {
            let st: String = value
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase();
            st.contains("display:none") || st.contains("visibility:hidden")
        }
        _ => false,
    })
}

/// Whitespace as news pages use it: ASCII, NBSP, ideographic space, zero-width.
pub(crate) fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{a0}' | '\u{3000}' | '\u{200b}' | '\u{feff}')
}

/// Folds runs of blanks to one space and trims; control characters dropped.
pub(crate) fn fold_blanks(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if is_blank(c) {
            pending_space = !out.is_empty();
        } else if !c.is_control() {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// The children of the document's `<head>` (title, meta).
pub(crate) fn head_children<'a>(root: ElementRef<'a>) -> impl Iterator<Item = ElementRef<'a>> {
    root.child_elements()
        .filter(|e| e.value().name() == "head")
        .flat_map(|h| h.child_elements())
}

/// The document's `<title>`: the one in `<head>`, else the first HTML
/// `<title>` anywhere (a page whose markup breaks off and starts again
/// has its head parsed into the body). SVG's own `<title>`s don't count.
pub(crate) fn document_title<'a>(root: ElementRef<'a>) -> Option<ElementRef<'a>> {
    head_children(root)
        .find(|e| e.value().name() == "title")
        .or_else(|| {
            root.descendants()
                .filter_map(ElementRef::wrap)
                .find(|e| e.value().name() == "title" && is_html_element(e))
        })
}

fn is_html_element(e: &ElementRef<'_>) -> bool {
    &*e.value().name.ns == "http://www.w3.org/1999/xhtml"
}

/// The element's text, blanks folded, when it has at most `max` characters;
/// stops reading once it has more (layout cells can hold the whole page).
pub(crate) fn short_text(el: &ElementRef<'_>, max: usize) -> Option<String> {
    let mut raw = String::new();
    let mut seen = 0;
    for t in el.text() {
        seen += t.chars().filter(|c| !is_blank(*c)).count();
        if seen > max {
            return None;
        }
        raw.push_str(t);
    }
    let text = fold_blanks(&raw);
    (text.chars().count() <= max).then_some(text)
}

/// Text of an element with blanks folded (for headlines and single fields).
pub(crate) fn element_text(el: &ElementRef<'_>) -> String {
    fold_blanks(&el.text().collect::<String>())
}
