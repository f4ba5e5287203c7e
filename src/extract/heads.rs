//! Pure: the headline block of a Chinese news page: 引题 (kicker) above the
//! 主题 (title), 副题 (subtitle) below it. Owns how the title element is
//! found (an `<h1>` the `<title>` agrees with, else the element whose text
//! is the `<title>` before its site suffix) and which neighbours of it are a
//! kicker or subtitle rather than the date/source line.

use scraper::{ElementRef, Html};
use std::collections::HashSet;

use super::dom::{element_text, head_children, key, Page};
use super::meta;

/// Separators between an article title and the site name in `<title>`.
const TITLE_SEPARATORS: &[&str] = &["_", " - ", "--", " | ", "｜", "——", " – ", "-"];
/// Longest kicker or subtitle, in characters.
const MAX_DECK_CHARS: usize = 80;

/// The headline block.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Heads {
    /// 主题.
    pub title: String,
    /// 引题.
    pub kicker: Option<String>,
    /// 副题.
    pub subtitle: Option<String>,
}

/// Finds title, kicker and subtitle on `page` (which already lacks the
/// elements in `skip`).
pub(crate) fn find_heads(doc: &Html, page: &Page<'_>, skip: &HashSet<usize>) -> Option<Heads> {
    let page_title = head_children(doc.root_element())
        .find(|e| e.value().name() == "title")
        .map(|t| element_text(&t))
        .unwrap_or_default();
    let title_part = title_before_site(&page_title);

    let h1s = || {
        page.elems
            .iter()
            .filter(|e| e.tag() == "h1")
            .map(|e| (e.el, element_text(&e.el)))
    };
    let h1 = h1s()
        .find(|(_, t)| {
            !t.is_empty()
                && (page_title.contains(t.as_str())
                    || (!title_part.is_empty() && t.contains(title_part)))
        })
        .or_else(|| h1s().find(|(_, t)| t.chars().count() >= 4))
        .map(|(el, _)| el);
    let element = h1.or_else(|| {
        if title_part.is_empty() {
            return None;
        }
        // The last block whose text is the <title> before its suffix.
        page.blocks
            .iter()
            .rev()
            .find(|b| b.text == title_part)
            .map(|b| page.elems[b.elem].el)
    });
    let Some(element) = element else {
        return (!title_part.is_empty()).then(|| Heads {
            title: title_part.to_string(),
            ..Heads::default()
        });
    };
    let title = element_text(&element);
    let outer = climb(element, &title);
    Some(Heads {
        kicker: neighbour(outer, skip, Side::Before),
        subtitle: neighbour(outer, skip, Side::After),
        title,
    })
}

/// `<title>` without its site suffix: the first part before a separator.
fn title_before_site(t: &str) -> &str {
    let mut cut = t.len();
    for sep in TITLE_SEPARATORS {
        if let Some(i) = t.find(sep) {
            if i > 0 {
                cut = cut.min(i);
            }
        }
    }
    t[..cut].trim()
}

/// Whether `el` or an ancestor was removed by a `remove` selector.
pub(crate) fn is_skipped(el: &ElementRef<'_>, skip: &HashSet<usize>) -> bool {
    if skip.is_empty() {
        return false;
    }
    skip.contains(&key(el))
        || el
            .ancestors()
            .filter_map(ElementRef::wrap)
            .any(|a| skip.contains(&key(&a)))
}

/// The outermost element around `el` whose text is still just the title.
fn climb<'a>(el: ElementRef<'a>, title: &str) -> ElementRef<'a> {
    let mut cur = el;
    while let Some(parent) = cur.parent().and_then(ElementRef::wrap) {
        if parent.value().name() == "body" || element_text(&parent) != title {
            break;
        }
        cur = parent;
    }
    cur
}

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Before,
    After,
}

/// The kicker (before) or subtitle (after) next to the title element.
fn neighbour(el: ElementRef<'_>, skip: &HashSet<usize>, side: Side) -> Option<String> {
    let mut node = match side {
        Side::Before => el.prev_sibling(),
        Side::After => el.next_sibling(),
    };
    while let Some(n) = node {
        if let Some(sib) = ElementRef::wrap(n) {
            if skip.contains(&key(&sib)) {
                // Removed by the source's rules: look past it.
            } else {
                let text = element_text(&sib);
                if !text.is_empty() {
                    return is_deck(&sib, &text).then_some(text);
                }
            }
        } else if let Some(t) = n.value().as_text() {
            if !t.trim().is_empty() {
                return None;
            }
        }
        node = match side {
            Side::Before => n.prev_sibling(),
            Side::After => n.next_sibling(),
        };
    }
    None
}

/// A short headline-like line: a heading, a paragraph or a deck class,
/// and not the date/source line.
fn is_deck(el: &ElementRef<'_>, text: &str) -> bool {
    let e = el.value();
    let by_tag = matches!(e.name(), "h2" | "h3" | "h4" | "h5" | "h6" | "p");
    let by_class = e.classes().chain(e.id()).any(|c| {
        let c = c.to_ascii_lowercase();
        [
            "sub", "pre", "yt", "ft", "fu", "kicker", "yinti", "futi", "deck", "intro",
        ]
        .iter()
        .any(|w| c.contains(w))
    });
    (by_tag || by_class)
        && text.chars().count() <= MAX_DECK_CHARS
        && !meta::is_furniture(text)
        && !meta::is_boilerplate(text)
        && !meta::ends_sentence(text)
}
