//! Pure: the headline block of a Chinese news page: 引题 (kicker) above the
//! 主题 (title), 副题 (subtitle) below it. Owns how the title element is
//! found (an `<h1>` the `<title>` agrees with, else the element whose text
//! is the `<title>` before its site suffix) and which neighbours of it are a
//! kicker or subtitle rather than the date/source line.

use std::sync::LazyLock;

use scraper::{ElementRef, Html, Selector};
use std::collections::HashSet;

use super::dom::{element_text, key, short_text, Page};
use super::pagemeta::PageMeta;
use super::{meta, title};

/// Longest kicker or subtitle, in characters.
const MAX_DECK_CHARS: usize = 80;
/// Shortest kicker or subtitle; shorter lines are channel names and labels.
const MIN_DECK_CHARS: usize = 5;

static LINKS: LazyLock<Selector> = LazyLock::new(|| Selector::parse("a").expect("static selector"));

/// The headline block.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Heads {
    /// 主题.
    pub title: String,
    /// 引题.
    pub kicker: Option<String>,
    /// 副题.
    pub subtitle: Option<String>,
    /// Where the title came from (`h1+og:title+<title>`).
    pub title_from: String,
}

/// Finds title, kicker and subtitle on `page` (which already lacks the
/// elements in `skip`).
pub(crate) fn find_heads(
    doc: &Html,
    page: &Page<'_>,
    meta: &PageMeta,
    body_start: Option<usize>,
    skip: &HashSet<usize>,
) -> Option<Heads> {
    let chosen = title::choose(doc, page, meta, body_start)?;
    let element = chosen.element.or_else(|| {
        // The last block showing the chosen text.
        page.blocks
            .iter()
            .rev()
            .find(|b| b.text == chosen.text)
            .map(|b| page.elems[b.elem].el)
    });
    let Some(element) = element else {
        return Some(Heads {
            title: chosen.text,
            title_from: chosen.from,
            ..Heads::default()
        });
    };
    let outer = climb(element, &element_text(&element));
    Some(Heads {
        kicker: neighbour(outer, skip, Side::Before),
        subtitle: neighbour(outer, skip, Side::After),
        title: chosen.text,
        title_from: chosen.from,
    })
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
        // Read no further than the title's length: ancestors can hold the page.
        let same = short_text(&parent, title.chars().count()).is_some_and(|t| t == title);
        if parent.value().name() == "body" || !same {
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
                // A sibling longer than a deck (the article itself) is read
                // no further than that.
                let text = short_text(&sib, MAX_DECK_CHARS)?;
                if !text.is_empty() {
                    return is_deck(&sib, &text).then_some(text);
                }
                // An empty 引题/副题 slot (`<h3 class="pre"></h3>`): there is none.
                if is_heading_tag(&sib) || has_deck_class(&sib) {
                    return None;
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

fn is_heading_tag(el: &ElementRef<'_>) -> bool {
    matches!(el.value().name(), "h2" | "h3" | "h4" | "h5" | "h6")
}

/// id/class words CMSes use for the 引题 and 副题 slots.
fn has_deck_class(el: &ElementRef<'_>) -> bool {
    let e = el.value();
    e.classes().chain(e.id()).any(|c| {
        let c = c.to_ascii_lowercase();
        [
            "sub", "pre", "yt", "ft", "fu", "kicker", "yinti", "futi", "deck", "intro",
        ]
        .iter()
        .any(|w| c.contains(w))
    })
}

/// A short headline-like line: a heading, a paragraph or a deck class,
/// and not the date/source line.
fn is_deck(el: &ElementRef<'_>, text: &str) -> bool {
    let by_tag = is_heading_tag(el) || el.value().name() == "p";
    let by_class = has_deck_class(el);
    let chars = text.chars().count();
    // A channel name above the headline (`<h2><a>本地新闻</a></h2>`) is a link.
    let link_text: usize = el
        .select(&LINKS)
        .map(|a| a.text().map(|t| t.chars().count()).sum::<usize>())
        .sum();
    (by_tag || by_class)
        && (MIN_DECK_CHARS..=MAX_DECK_CHARS).contains(&chars)
        && link_text * 2 < chars
        && !meta::is_furniture(text)
        && !meta::is_boilerplate(text)
        && !meta::ends_sentence(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::extract::dom::walk;

    fn heads(html: &str) -> Heads {
        let doc = Html::parse_document(html);
        let page = walk(doc.root_element(), &HashSet::new());
        let meta = crate::document::extract::pagemeta::read(&doc, &[], &[]);
        find_heads(&doc, &page, &meta, None, &HashSet::new()).unwrap_or_default()
    }

    #[test]
    fn logo_h1_and_channel_name_are_not_the_headline() {
        let h = heads(concat!(
            "<title>市区新增三条公交线路_本地新闻_嘉兴在线</title>",
            "<h1 class=\"logo\"><a href=\"/\">嘉兴在线</a></h1>",
            "<div class=\"art\"><h2><a href=\"/bd/\">本地新闻</a></h2>",
            "<h2 class=\"title\">市区新增三条公交线路</h2><p>2024-09-02 来源：嘉兴日报</p></div>"
        ));
        assert_eq!(h.title, "市区新增三条公交线路");
        assert_eq!(h.kicker, None);
        assert_eq!(h.subtitle, None);
    }

    #[test]
    fn empty_deck_slots_mean_no_kicker_or_subtitle() {
        let h = heads(concat!(
            "<title>颗粒归仓--人民网</title><div><p class=\"intro\">人民日报社主办的中央重点新闻网站</p>",
            "<h3 class=\"pre\"></h3><h1>颗粒归仓</h1><h4 class=\"sub\"></h4><p>各地抢抓晴好天气推进秋收的故事</p></div>"
        ));
        assert_eq!((h.kicker, h.subtitle), (None, None));
    }

    #[test]
    fn kicker_and_subtitle_around_the_h1() {
        let h = heads(concat!(
            "<title>颗粒归仓 秋粮丰收在望--人民网</title><div>",
            "<h3>各地抢抓晴好天气推进秋收</h3><h1>颗粒归仓 秋粮丰收在望</h1>",
            "<h4>全国秋粮已收获近三成</h4><p>2024年09月02日05:52 | 来源：人民日报</p></div>"
        ));
        assert_eq!(h.kicker.as_deref(), Some("各地抢抓晴好天气推进秋收"));
        assert_eq!(h.subtitle.as_deref(), Some("全国秋粮已收获近三成"));
    }
}
