//! Pure: which text on a page is the article's headline. Candidates come
//! from JSON-LD `headline`, og:title, Dublin Core and twitter:title metas,
//! `<h1>` elements, title-like elements (class/id with `title`/`headline`,
//! a short bold cell of a table layout) and `<title>`, split at its site
//! separators. The text most candidates agree on wins; a `<title>` part
//! that only names the site agrees with nothing and so never wins against
//! a headline the page shows.

use scraper::{ElementRef, Html};

use super::dom::{document_title, element_text, short_text, Page};
use super::pagemeta::PageMeta;

/// Separators between an article title and the site name in `<title>`
/// (and in metas that copy it). A bare `-` counts only between CJK text.
const SEPARATORS: &[&str] = &[
    " | ", "|", "｜", " - ", " – ", " — ", "_", "--", "——", " :: ", " » ", " · ", " / ",
];
/// Titles longer than this are descriptions, not headlines.
const MAX_TITLE_CHARS: usize = 150;
/// Blocks above the body searched for the headline line.
const ABOVE_BODY_BLOCKS: usize = 6;
/// From this many `<h1>`s on, a page uses them as section headings.
const SECTIONED_H1S: usize = 4;
/// Title-like elements looked at (in document order).
const MAX_ELEMENT_CANDIDATES: usize = 12;

/// The chosen headline.
#[derive(Debug, Clone)]
pub(crate) struct Chosen<'a> {
    pub text: String,
    /// Where the text came from, then who agreed (`h1+og:title+<title>`).
    pub from: String,
    /// An element showing the headline, for the kicker and subtitle.
    pub element: Option<ElementRef<'a>>,
}

/// How a text ranks: the page's declared headline, sources agreeing exactly, sources it opens, page
/// metadata, a whole strong headline, a single part, length.
type Rank = (bool, usize, usize, bool, bool, bool, usize);

/// One source's offer.
struct Candidate<'a> {
    source: &'static str,
    text: String,
    element: Option<ElementRef<'a>>,
    /// Parts after splitting at separators (`<title>` and metas only).
    parts: Vec<String>,
    /// Metas and `<h1>` outrank class-named elements and `<title>` parts.
    strong: bool,
    /// Whether each part is one part (not a run of several).
    single: Vec<bool>,
    /// [`key`] of `text` and of each part.
    key: String,
    part_keys: Vec<String>,
}

impl Candidate<'_> {
    /// Whether this candidate offers the text with key `k`, whole or as a
    /// run of its parts.
    fn accepts(&self, k: &str) -> bool {
        self.key == k || self.part_keys.iter().any(|p| p == k)
    }
}

/// Chooses the headline of `page`; `body_start` is the first block of the
/// article body, when one was found (the headline sits just above it).
pub(crate) fn choose<'a>(
    doc: &'a Html,
    page: &Page<'a>,
    meta: &PageMeta,
    body_start: Option<usize>,
) -> Option<Chosen<'a>> {
    let site = meta
        .get(&["og:site_name", "application-name"])
        .map(|(_, s)| key(s));
    let mut cands: Vec<Candidate<'a>> = Vec::new();
    let mut offer = |source: &'static str,
                     text: &str,
                     element: Option<ElementRef<'a>>,
                     strong: bool,
                     split: bool| {
        let text = fold(text);
        let n = text.chars().count();
        if !(2..=MAX_TITLE_CHARS).contains(&n)
            || site.as_deref() == Some(key(&text).as_str())
            || (element.is_none() && cands.iter().any(|c: &Candidate<'_>| c.source == source))
            // The line above the body is evidence of its own only when no
            // other source offered that element.
            || (source == "above-body"
                && cands
                    .iter()
                    .any(|c| c.element.map(|e| e.id()) == element.map(|e| e.id())))
        {
            return;
        }
        let (parts, single): (Vec<String>, Vec<bool>) = if split {
            split_parts(&text).into_iter().unzip()
        } else {
            (Vec::new(), Vec::new())
        };
        cands.push(Candidate {
            single,
            source,
            key: key(&text),
            part_keys: parts.iter().map(|p| key(p)).collect(),
            text,
            element,
            parts,
            strong,
        });
    };
    if let Some(h) = &meta.ld_headline {
        offer("json-ld:headline", h, None, true, true);
    }
    if let Some(h) = &meta.ld_name {
        offer("json-ld:name", h, None, true, true);
    }
    for (k, v) in &meta.tags {
        let source = match k.as_str() {
            "og:title" => "og:title",
            "dc:title" | "dc.title" | "dcterm:title" | "dcterms.title" => "dc:title",
            "twitter:title" => "twitter:title",
            "title" | "headline" | "parsely-title" => "meta:title",
            _ => continue,
        };
        offer(source, v, None, true, true);
    }
    let mut elements = 0;
    // Where a page gives every section an `<h1>`, only its first is the
    // page's headline; the others are section headings.
    let sectioned = page.elems.iter().filter(|e| e.tag() == "h1").count() >= SECTIONED_H1S;
    let mut first_h1 = true;
    for e in &page.elems {
        let tag = e.tag();
        let source = if tag == "h1" {
            if sectioned && !std::mem::take(&mut first_h1) {
                continue;
            }
            "h1"
        } else if is_title_like(tag, &e.id_class) {
            "title-element"
        } else if tag == "td" || tag == "th" {
            "table-cell"
        } else {
            continue;
        };
        if elements >= MAX_ELEMENT_CANDIDATES && source != "h1" {
            continue;
        }
        let Some(text) = short_text(&e.el, MAX_TITLE_CHARS) else {
            continue;
        };
        if source == "table-cell" && !is_bold_cell(&e.el, &text) {
            continue;
        }
        if source != "h1" {
            elements += 1;
        }
        offer(source, &text, Some(e.el), source == "h1", false);
    }
    let page_title = document_title(doc.root_element())
        .map(|t| element_text(&t))
        .unwrap_or_default();
    // The block that shows the headline before its site suffix
    // (`标题-EDN 电子技术设计`, where the separator is not one).
    let title_key = key(&page_title);
    if let Some(first) = page_title.chars().next() {
        if let Some(b) = page.blocks.iter().find(|b| {
            b.text.starts_with(first)
                && b.chars * 5 >= title_key.chars().count() * 2
                && b.chars < title_key.chars().count()
                && title_key.starts_with(&key(&b.text))
        }) {
            offer(
                "<title>-prefix",
                &b.text,
                Some(page.elems[b.elem].el),
                false,
                false,
            );
        }
    }
    // The headline line a reader sees right above the article.
    if let Some(start) = body_start {
        // Just above the body, or its first lines when the container holds the headline.
        let end = (start + 3).min(page.blocks.len());
        let above = page.blocks[start.saturating_sub(ABOVE_BODY_BLOCKS)..end]
            .iter()
            .rev()
            .find(|b| {
                (b.heading
                    || b.strong_chars * 10 >= b.chars * 9
                    || is_title_like("div", &page.elems[b.elem].id_class))
                    && (4..=MAX_TITLE_CHARS).contains(&b.chars)
                    && !b.chrome
                    && b.link_ratio() < 0.5
                    && !super::meta::is_furniture(&b.text)
                    && !super::meta::is_boilerplate(&b.text)
            });
        if let Some(b) = above {
            offer(
                "above-body",
                &b.text,
                Some(page.elems[b.elem].el),
                true,
                false,
            );
        }
    }
    let split = split_parts(&page_title);
    // A `<title>` with no separator is the headline as the page names it.
    offer("<title>", &page_title, None, split.len() <= 1, true);
    let names = names(meta);
    let declared = declared(&cands, &names);
    // Readability's order: a `<title>` without separators that reads like
    // the `<h1>` is preferred to it.
    let title_like_h1 = cands.iter().any(|c| {
        c.source == "<title>"
            && c.parts.is_empty()
            && cands
                .iter()
                .any(|h| h.source == "h1" && overlap(&c.text, &h.text) * 2.0 >= 1.0)
    });

    // Every text offered, whole or as a part, scored by agreement.
    let mut best: Option<(Rank, usize, String)> = None;
    for (ci, c) in cands.iter().enumerate() {
        let texts = std::iter::once((&c.text, &c.key)).chain(c.parts.iter().zip(&c.part_keys));
        for (pi, (t, k)) in texts.enumerate() {
            if k.chars().count() < 2 || site.as_deref() == Some(k.as_str()) {
                continue;
            }
            let exact = sources(cands.iter().filter(|o| o.accepts(k)));
            let is_declared = declared.as_deref() == Some(k.as_str());
            // A `<title>` or meta that also names the site is no headline
            // unless another source prints it so.
            if pi == 0 && !c.parts.is_empty() && exact < 2 && !is_declared {
                continue;
            }
            let contained = sources(
                cands
                    .iter()
                    .filter(|o| !o.accepts(k) && opens(&o.text, &o.key, k)),
            );
            // A single part of a `<title>` beats a run of parts.
            let single = pi == 0 || c.single.get(pi - 1).copied().unwrap_or(true);
            // On a tie the page's own metadata wins over what it prints
            // (Readability's order), then a whole headline over a part.
            let meta = c.element.is_none()
                && (c.source != "<title>" || (title_like_h1 && c.parts.is_empty()));
            let rank = (
                is_declared,
                exact,
                contained,
                meta,
                c.strong && pi == 0,
                single,
                t.chars().count(),
            );
            if best.as_ref().is_none_or(|(r, _, _)| rank > *r) {
                best = Some((rank, ci, t.clone()));
            }
        }
    }
    let (_, ci, text) = best?;
    let k = key(&text);
    let mut from = cands[ci].source.to_string();
    for o in &cands {
        if o.source != cands[ci].source && o.accepts(&k) && !from.contains(o.source) {
            from.push('+');
            from.push_str(o.source);
        }
    }
    // The element showing the headline: one printing the chosen text, else
    // (a declared headline worded otherwise) the `<h1>` that reads like it.
    let element = cands[ci]
        .element
        .or_else(|| cands.iter().filter(|o| o.key == k).find_map(|o| o.element))
        .or_else(|| {
            cands
                .iter()
                .filter(|o| o.source == "h1" && overlap(&o.text, &text) * 2.0 >= 1.0)
                .find_map(|o| o.element)
        });
    Some(Chosen {
        text,
        from,
        element,
    })
}

/// Metadata sources in the order a page's own declaration of its headline
/// is trusted (Readability's order; trafilatura also reads metadata first).
const DECLARED_ORDER: &[&str] = &[
    "json-ld:headline",
    "json-ld:name",
    "dc:title",
    "og:title",
    "meta:title",
    "twitter:title",
];

/// Keys of the names a title may carry besides the headline: the site's
/// and the author's (`… | eHow`, `… - John C. Welch - Medium`).
fn names(meta: &PageMeta) -> Vec<String> {
    let mut out: Vec<String> = meta
        .tags
        .iter()
        .filter(|(k, _)| {
            matches!(
                k.as_str(),
                "og:site_name" | "application-name" | "apple-mobile-web-app-title" | "author"
            )
        })
        .map(|(_, v)| v.as_str())
        .chain(meta.ld_publisher.as_deref())
        .chain(meta.ld_author.iter().flat_map(|a| a.split(", ")))
        .map(key)
        .filter(|k| k.chars().count() >= 2)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Whether `k` (a key) is one of `names`, or a name's domain without its
/// suffix (`factorio` of `factorio.com`), or `by` and a name.
fn is_name(k: &str, names: &[String]) -> bool {
    names.iter().any(|n| {
        n == k
            || n.strip_prefix(k).is_some_and(|rest| rest.starts_with('.'))
            || k.strip_prefix("by") == Some(n.as_str())
    })
}

/// The headline the page declares in its metadata, as a key: the first
/// meta source (in [`DECLARED_ORDER`]) whose text, less any site or author
/// name, is about this page (shares more than a third of its words with
/// the `<h1>`, `<title>` or the line above the body). A meta that is only the site's own name or slogan, or
/// a stale one, is passed over.
fn declared(cands: &[Candidate<'_>], names: &[String]) -> Option<String> {
    let shown: Vec<&Candidate<'_>> = cands
        .iter()
        .filter(|c| matches!(c.source, "h1" | "<title>" | "above-body"))
        .collect();
    let evidence = shown
        .iter()
        .map(|c| c.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    DECLARED_ORDER.iter().find_map(|source| {
        let c = cands.iter().find(|c| c.source == *source)?;
        let text = headline_part(c, cands).unwrap_or_else(|| strip_names(&c.text, names));
        let k = key(&text);
        // A meta cut short by an unescaped quote (`content="A "B" C"`)
        // opens a headline the page prints in full.
        let cut = shown.iter().any(|o| {
            o.key
                .strip_prefix(k.as_str())
                .is_some_and(|r| r.starts_with('"'))
        });
        (!cut && !is_name(&k, names) && overlap(&text, &evidence) * 3.0 > 1.0).then_some(k)
    })
}

/// The longest run of parts of a meta title that the page prints as its
/// headline (an `<h1>` or title element): `X` of og:title `X - Breitbart`.
fn headline_part(c: &Candidate<'_>, cands: &[Candidate<'_>]) -> Option<String> {
    c.parts
        .iter()
        .zip(&c.part_keys)
        .filter(|(_, k)| cands.iter().any(|o| o.element.is_some() && o.key == **k))
        .max_by_key(|(p, _)| p.len())
        .map(|(p, _)| p.clone())
}

/// `t` less site or author names at either end (`How to X | eHow`).
fn strip_names(t: &str, names: &[String]) -> String {
    let parts = single_parts(t);
    let mut from = 0;
    let mut to = parts.len();
    while to > from + 1 && is_name(&key(&parts[to - 1]), names) {
        to -= 1;
    }
    while to > from + 1 && is_name(&key(&parts[from]), names) {
        from += 1;
    }
    if (from, to) == (0, parts.len()) {
        return t.to_string();
    }
    // The run as printed, separators and all.
    let first = &parts[from];
    let last = &parts[to - 1];
    let start = t.find(first.as_str()).unwrap_or(0);
    let end = t.rfind(last.as_str()).map_or(t.len(), |i| i + last.len());
    t[start..end.max(start)].trim().to_string()
}

/// Share of the words of `a` (Latin words, CJK character pairs) that also
/// occur in `b`.
fn overlap(a: &str, b: &str) -> f64 {
    let (wa, wb) = (words(a), words(b));
    if wa.is_empty() {
        return 0.0;
    }
    wa.iter().filter(|w| wb.contains(w)).count() as f64 / wa.len() as f64
}

/// Lower-case Latin words of three letters or more and CJK character pairs.
fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut prev_cjk: Option<char> = None;
    for c in s.chars().chain(std::iter::once(' ')) {
        if is_cjk(c) {
            if let Some(p) = prev_cjk {
                out.push(format!("{p}{c}"));
            }
            prev_cjk = Some(c);
        } else {
            prev_cjk = None;
        }
        if c.is_alphanumeric() && !is_cjk(c) {
            word.extend(c.to_lowercase());
        } else {
            if word.chars().count() >= 3 {
                out.push(std::mem::take(&mut word));
            }
            word.clear();
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// How many different kinds of source the candidates come from.
fn sources<'c, 'a: 'c>(cands: impl Iterator<Item = &'c Candidate<'a>>) -> usize {
    let mut seen: Vec<&str> = Vec::new();
    for c in cands {
        if !seen.contains(&c.source) {
            seen.push(c.source);
        }
    }
    seen.len()
}

/// `h2.title`, `div#headline`, `td.biaoti` … but not subtitles or lists.
fn is_title_like(tag: &str, id_class: &str) -> bool {
    if id_class.is_empty()
        || !matches!(
            tag,
            "h2" | "h3" | "div" | "p" | "span" | "strong" | "td" | "header"
        )
    {
        return false;
    }
    let l = id_class.to_ascii_lowercase();
    (l.contains("title") || l.contains("headline") || l.contains("biaoti"))
        && ![
            "sub", "list", "item", "side", "nav", "menu", "logo", "related", "small", "more",
        ]
        .iter()
        .any(|w| l.contains(w))
}

/// A table cell holding nothing but short bold or large text.
fn is_bold_cell(el: &ElementRef<'_>, text: &str) -> bool {
    let n = text.chars().count();
    if !(6..=80).contains(&n) {
        return false;
    }
    el.descendants().filter_map(ElementRef::wrap).any(|d| {
        let v = d.value();
        let big = match v.name() {
            "strong" | "b" | "h2" | "h3" => true,
            "font" => {
                v.attr("size")
                    .and_then(|s| s.trim_start_matches('+').parse::<u8>().ok())
                    >= Some(4)
            }
            _ => false,
        };
        big && element_text(&d) == text
    })
}

/// Whitespace folded.
fn fold(s: &str) -> String {
    super::dom::fold_blanks(s)
}

/// Comparison key: no blanks, lower case, one kind of quote, no trailing
/// ellipsis.
fn key(s: &str) -> String {
    let mut k: String = s
        .chars()
        .filter(|c| !super::dom::is_blank(*c))
        .map(|c| match c {
            '“' | '”' | '„' | '‟' | '"' | '＂' | '«' | '»' => '"',
            '‘' | '’' | '\'' | '`' => '\'',
            c => c.to_lowercase().next().unwrap_or(c),
        })
        .collect();
    while let Some(stripped) = k.strip_suffix("...").or_else(|| k.strip_suffix('…')) {
        k = stripped.to_string();
    }
    k
}

/// Whether the text `t` (with key `t_key`) opens with the text whose key
/// is `k`, ending at a word boundary: `Symptom` does not open `Symptoms
/// Versus Causes`, but `标题` opens `标题：副题`.
fn opens(t: &str, t_key: &str, k: &str) -> bool {
    let Some(rest) = t_key.strip_prefix(k) else {
        return false;
    };
    let (Some(last), Some(next)) = (k.chars().last(), rest.chars().next()) else {
        return true;
    };
    if !(last.is_alphanumeric() && next.is_alphanumeric()) || is_cjk(last) || is_cjk(next) {
        return true;
    }
    // Both sides are letters or digits: the text must have a blank between.
    let n = k.chars().count();
    let mut seen = 0;
    t.chars().any(|c| {
        if super::dom::is_blank(c) {
            return seen == n;
        }
        seen += 1;
        false
    })
}

/// The runs of parts of `t` between site separators: every part, and every
/// run of neighbouring parts as printed (`A | B` of `A | B - Site`).
fn split_parts(t: &str) -> Vec<(String, bool)> {
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for sep in SEPARATORS {
        let mut from = 0;
        while let Some(i) = t[from..].find(sep) {
            let at = from + i;
            cuts.push((at, at + sep.len()));
            from = at + sep.len();
        }
    }
    // `-` between CJK characters (`市人民政府-标题`).
    let chars: Vec<(usize, char)> = t.char_indices().collect();
    for w in chars.windows(3) {
        if w[1].1 == '-' && is_cjk(w[0].1) && is_cjk(w[2].1) {
            cuts.push((w[1].0, w[2].0));
        }
    }
    cuts.sort_unstable();
    cuts.dedup_by(|b, a| b.0 < a.1);
    if cuts.is_empty() {
        return Vec::new();
    }
    let mut bounds = vec![(0usize, 0usize)];
    bounds.extend(cuts.iter().copied());
    bounds.push((t.len(), t.len()));
    let mut out = Vec::new();
    for i in 0..bounds.len() - 1 {
        for j in i + 1..bounds.len() {
            let s = t[bounds[i].1..bounds[j].0].trim();
            if !s.is_empty() && s.len() < t.len() {
                out.push((s.to_string(), j == i + 1));
            }
        }
    }
    out
}

/// The parts of `t` between site separators, in order.
fn single_parts(t: &str) -> Vec<String> {
    let parts: Vec<String> = split_parts(t)
        .into_iter()
        .filter(|(_, single)| *single)
        .map(|(p, _)| p)
        .collect();
    if parts.is_empty() {
        vec![t.trim().to_string()]
    } else {
        parts
    }
}

fn is_cjk(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The chosen title of `html` and where it came from.
    fn chosen(html: &str, ld: &[&str]) -> (String, String) {
        let doc = Html::parse_document(html);
        let page = super::super::dom::walk(doc.root_element(), &HashSet::new());
        let meta = super::super::pagemeta::read(&doc, ld, &[]);
        let c = choose(&doc, &page, &meta, None).expect("a title");
        (c.text, c.from)
    }

    #[test]
    fn the_declared_headline_wins_over_agreeing_display_titles() {
        // og:title outranks twitter:title, <h1> and <title> that agree on
        // another wording (Readability's and trafilatura's order).
        let (t, from) = chosen(
            concat!(
                "<title>The seven secrets hotels keep | The Independent</title>",
                "<meta property=\"og:site_name\" content=\"The Independent\">",
                "<meta property=\"og:title\" content=\"Seven secrets hotels keep from you\">",
                "<meta name=\"twitter:title\" content=\"The seven secrets hotels keep\">",
                "<h1>The seven secrets hotels keep</h1><p>Hotels keep secrets.</p>"
            ),
            &[],
        );
        assert_eq!(t, "Seven secrets hotels keep from you");
        assert!(from.starts_with("og:title"), "{from}");
    }

    #[test]
    fn a_declared_headline_loses_its_site_name_and_must_be_about_the_page() {
        let (t, _) = chosen(
            concat!(
                "<title>How to Build a Terrarium (with Pictures) | eHow</title>",
                "<meta property=\"og:title\" content=\"How to Build a Terrarium Fast | eHow\">",
                "<meta property=\"og:site_name\" content=\"eHow\">",
                "<h1>Terrarium building</h1>"
            ),
            &[],
        );
        assert_eq!(t, "How to Build a Terrarium Fast");
        // A site-wide og:title that shares nothing with the page is passed over.
        let (t, _) = chosen(
            concat!(
                "<title>Space ship breaks up over Siberia</title>",
                "<meta property=\"og:title\" content=\"Yahoo News - Latest News &amp; Headlines\">",
                "<h1>Space ship breaks up over Siberia</h1>"
            ),
            &[],
        );
        assert_eq!(t, "Space ship breaks up over Siberia");
    }

    #[test]
    fn a_meta_cut_short_by_an_unescaped_quote_is_not_the_headline() {
        let (t, _) = chosen(
            concat!(
                "<title>多地项目连环爆雷 狂奔的龙湖集团\"暗伤\"曝露？_网易财经</title>",
                "<meta property=\"og:title\" content=\"多地项目连环爆雷 狂奔的龙湖集团\" 暗伤\"曝露？\"=\"\">",
                "<h1>多地项目连环爆雷 狂奔的龙湖集团\"暗伤\"曝露？</h1>"
            ),
            &[],
        );
        assert_eq!(t, "多地项目连环爆雷 狂奔的龙湖集团\"暗伤\"曝露？");
    }

    #[test]
    fn json_ld_in_cdata_and_rdfa_properties_are_read() {
        let ld = "<![CDATA[ [{\"@type\": \"NewsArticle\", \"headline\": \"The Deck of Cards That Made Tarot Global\"}] ]]>";
        let (t, from) = chosen(
            concat!(
                "<meta property=\"og:title\" content=\"If You Can Picture A Tarot Card\">",
                "<h1>The Deck of Cards That Made Tarot Global</h1>"
            ),
            &[ld],
        );
        assert_eq!(t, "The Deck of Cards That Made Tarot Global");
        assert!(from.starts_with("json-ld:headline"), "{from}");
        // `property="dc:title"` outranks `name="DC.title"`, and space-separated
        // properties each count.
        let (t, _) = chosen(
            concat!(
                "<title>Title Element</title>",
                "<meta name=\"DC.title\" content=\"Dublin Core name title\">",
                "<meta property=\"x:title dc:title\" content=\"Dublin Core property title\">",
                "<meta property=\"og:title\" content=\"Open Graph title\">",
                "<h1>Dublin Core title of the document</h1>"
            ),
            &[],
        );
        assert_eq!(t, "Dublin Core property title");
    }

    #[test]
    fn a_word_opens_a_heading_only_as_a_whole_word() {
        // `Symptom` (a bold table header) is not the start of the heading
        // `Symptoms Versus Causes`, so that heading does not vouch for it.
        let (t, from) = chosen(
            concat!(
                "<h1>Symptoms Versus Causes</h1><p>Paging on symptoms.</p>",
                "<table><tr><th><strong>Symptom</strong></th><th>Cause</th></tr></table>"
            ),
            &[],
        );
        assert_eq!(t, "Symptoms Versus Causes");
        assert_eq!(from, "h1");
        assert!(opens("标题：副题", "标题：副题", "标题"));
        assert!(opens("Ask HN: why", "askhn:why", "askhn"));
        assert!(!opens("Symptoms Versus", "symptomsversus", "symptom"));
    }

    #[test]
    fn on_a_page_of_sectioned_h1s_the_first_is_the_headline() {
        let (t, _) = chosen(
            concat!(
                "<title>Google - Site Reliability Engineering</title>",
                "<h1>Monitoring Distributed Systems</h1><p>Intro.</p>",
                "<h1>Definitions</h1><p>Terms.</p>",
                "<h1>Worrying About Your Tail (or, Instrumentation and Performance)</h1>",
                "<p>Latency.</p><h1>Conclusion</h1><p>End.</p>"
            ),
            &[],
        );
        assert_eq!(t, "Monitoring Distributed Systems");
    }

    #[test]
    fn title_parts_are_every_run_between_separators() {
        let texts = |t: &str| -> Vec<String> { split_parts(t).into_iter().map(|p| p.0).collect() };
        assert_eq!(texts("A_B_C"), ["A", "A_B", "B", "B_C", "C"]);
        assert_eq!(
            texts("市人民政府-关于调整公交线路的通知"),
            ["市人民政府", "关于调整公交线路的通知"]
        );
        assert!(split_parts("COVID-19 cases").is_empty());
    }
}
