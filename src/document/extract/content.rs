//! Pure: which element of a page holds the article body. Owns the
//! density scoring: every text block scores for its container (text length,
//! Chinese and ASCII punctuation), scores flow half to the grandparent, a
//! container's score is discounted by its link density, and id/class names
//! weigh in (the CMS content ids `#UCAP-CONTENT`, `.TRS_Editor`, `#zoom`…
//! strongly; `nav`, `footer`, `share`, `related` negatively).

use std::sync::LazyLock;

use regex::Regex;

use super::dom::Page;
use super::meta;

/// Content containers of the CMSes Chinese government and news sites run.
const KNOWN_CONTENT: &[&str] = &[
    // schema.org's `itemprop="articleBody"` (the walker adds it to id_class).
    "articleBody",
    "UCAP-CONTENT",
    "TRS_Editor",
    "TRS_UEDITOR",
    "ozoom",
    "zoom",
    "articleContent",
    "article-content",
    "rm_txt_con",
    "rwb_zw",
    "detailContent",
    "content_text",
    "pages_content",
    "Custom_UnionStyle",
    "artibody",
];

/// id/class words that suggest article text.
static POSITIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)article|content|detail|text|body|zhengwen|\bzw\b|main|story|post|entry|\bcon\b|con-",
    )
    .expect("static regex")
});

/// id/class words that suggest page chrome.
static NEGATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)nav|menu|foot|share|related|xgxx|comment|breadcrumb|position|weizhi|sidebar|side|right|hot|rank|copyright|banner|tool|pager|page-nav|recommend|tuijian|\bad\b|login|header|top")
        .expect("static regex")
});

/// Blocks shorter than this do not vote for a container.
const MIN_VOTING_CHARS: usize = 12;
/// How many single-paragraph wrappers a paragraph's vote climbs through.
const MAX_PARAGRAPH_WRAPPERS: usize = 3;
/// Weight of a known CMS content id/class.
const KNOWN_WEIGHT: f64 = 40.0;
/// Weight of a positive or negative id/class word.
const CLASS_WEIGHT: f64 = 15.0;
/// Candidates (after the best) looked at for a shared ancestor.
const MAX_ALTERNATIVES: usize = 4;
/// An alternative counts when it scores at least this share of the best.
const ALTERNATIVE_SHARE: f64 = 0.75;
/// Candidates (the best included) an ancestor must hold to replace the best.
const MIN_SHARED_CANDIDATES: usize = 3;
/// A sibling joins when it scores this share of the container …
const SIBLING_SHARE: f64 = 0.2;
/// … and at least this much …
const MIN_SIBLING_SCORE: f64 = 10.0;
/// … with no more of its text in links than this.
const MAX_SIBLING_LINK_DENSITY: f64 = 0.33;
/// Siblings with these tags are page chrome.
const CHROME_TAGS: &[&str] = &["nav", "footer", "aside", "header", "form", "menu"];

/// Score per element: what the paragraph votes give it, and its text and
/// link characters (for link density).
pub(crate) struct Scores {
    /// Votes minus link density, plus the id/class weight; `None` without votes.
    pub total: Vec<Option<f64>>,
    text: Vec<usize>,
    links: Vec<usize>,
    /// Inside an element named like furniture (when asked for).
    pub junk: Vec<bool>,
}

impl Scores {
    /// Share of an element's text inside links.
    pub fn link_density(&self, i: usize) -> f64 {
        if self.text[i] == 0 {
            0.0
        } else {
            self.links[i] as f64 / self.text[i] as f64
        }
    }
}

/// Scores every element of `page` by the paragraphs inside it; with
/// `furniture`, text inside elements named like furniture does not vote.
pub(crate) fn score(page: &Page, furniture: bool) -> Scores {
    let mut votes = vec![0.0f64; page.elems.len()];
    let mut text = vec![0usize; page.elems.len()];
    let mut links = vec![0usize; page.elems.len()];
    let mut blocks = vec![0usize; page.elems.len()];
    for b in &page.blocks {
        let mut e = Some(b.elem);
        while let Some(i) = e {
            text[i] += b.chars;
            links[i] += b.link_chars;
            blocks[i] += 1;
            e = page.elems[i].parent;
        }
    }
    let mut junk = vec![false; page.elems.len()];
    if furniture {
        for (i, e) in page.elems.iter().enumerate() {
            // Parents come before their children in `elems`.
            junk[i] = e.junk_name || e.parent.is_some_and(|p| junk[p]);
        }
    }
    for b in &page.blocks {
        if b.chrome
            || b.chars < MIN_VOTING_CHARS
            || b.link_ratio() > 0.5
            || meta::is_boilerplate(&b.text)
            || junk[b.elem]
        {
            continue;
        }
        let score = 1.0 + punctuation(&b.text) as f64 + (b.chars as f64 / 40.0).min(5.0);
        // A paragraph votes for the element around it: a `<p>`, or any element
        // that holds nothing but this one block (`<div>段落</div>`,
        // `<section><p>…</p></section>`); bare text among others votes for its own.
        let mut target = b.elem;
        for _ in 0..MAX_PARAGRAPH_WRAPPERS {
            let paragraph_like = matches!(
                page.elems[target].tag(),
                "p" | "span" | "font" | "h2" | "h3" | "h4" | "h5" | "h6" | "li" | "blockquote"
            ) || blocks[target] == 1;
            match page.elems[target].parent {
                Some(parent) if paragraph_like => target = parent,
                _ => break,
            }
        }
        votes[target] += score;
        if let Some(parent) = page.elems[target].parent {
            votes[parent] += score / 2.0;
            if let Some(grand) = page.elems[parent].parent {
                votes[grand] += score / 3.0;
            }
        }
    }
    let mut scores = Scores {
        total: vec![None; page.elems.len()],
        text,
        links,
        junk,
    };
    for (i, &v) in votes.iter().enumerate() {
        if v > 0.0 {
            let t = v * (1.0 - scores.link_density(i)) + class_weight(&page.elems[i].id_class);
            scores.total[i] = Some(t);
        }
    }
    scores
}

/// The element most likely to hold the article body, if any block votes.
pub(crate) fn main_container(page: &Page, scores: &Scores) -> Option<usize> {
    let mut ranked: Vec<(usize, f64)> = scores
        .total
        .iter()
        .enumerate()
        .filter_map(|(i, t)| t.map(|t| (i, t)))
        .collect();
    // Highest first; the earlier element wins a tie.
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let &(top, best) = ranked.first()?;
    // Several strong candidates under one ancestor are parts of one article
    // (Readability's rule): the ancestor is the container.
    let near: Vec<usize> = ranked
        .iter()
        .skip(1)
        .take(MAX_ALTERNATIVES)
        .filter(|(_, t)| *t >= best * ALTERNATIVE_SHARE)
        .map(|(i, _)| *i)
        .collect();
    let mut up = page.elems[top].parent;
    while let Some(a) = up {
        if matches!(page.elems[a].tag(), "body" | "html") {
            break;
        }
        let inside = near.iter().filter(|&&c| page.is_within(c, a)).count();
        if inside + 1 >= MIN_SHARED_CANDIDATES {
            return Some(a);
        }
        up = page.elems[a].parent;
    }
    Some(climb(page, scores, top))
}

/// Readability's climb: a parent scoring higher than the container a step
/// or two up holds more of the article; a wrapper around nothing but the
/// container is the container.
fn climb(page: &Page, scores: &Scores, top: usize) -> usize {
    let mut top = top;
    let mut last = scores.total[top].unwrap_or(0.0);
    let floor = last / 3.0;
    let mut up = page.elems[top].parent;
    while let Some(a) = up {
        if matches!(page.elems[a].tag(), "body" | "html") {
            break;
        }
        if let Some(t) = scores.total[a] {
            if t < floor {
                break;
            }
            if t > last {
                top = a;
                break;
            }
            last = t;
        }
        up = page.elems[a].parent;
    }
    while let Some(a) = page.elems[top].parent {
        if matches!(page.elems[a].tag(), "body" | "html") || element_children(page, a) != 1 {
            break;
        }
        top = a;
    }
    top
}

/// How many child elements `a` has (cheap: children follow their parent).
fn element_children(page: &Page, a: usize) -> usize {
    (a + 1..page.elems.len())
        .take_while(|&i| page.is_within(i, a))
        .filter(|&i| page.elems[i].parent == Some(a))
        .take(2)
        .count()
}

/// The container plus those of its siblings that continue the article: a
/// long article is often split into several sibling `<div>`s, with
/// section headings between them.
pub(crate) fn with_siblings(page: &Page, scores: &Scores, top: usize) -> Vec<usize> {
    let Some(parent) = page.elems[top].parent else {
        return vec![top];
    };
    if matches!(page.elems[top].tag(), "body" | "html") {
        return vec![top];
    }
    let top_score = scores.total[top].unwrap_or(0.0);
    let threshold = (top_score * SIBLING_SHARE).max(MIN_SIBLING_SCORE);
    let siblings: Vec<usize> = (top + 1..page.elems.len())
        .take_while(|&i| page.is_within(i, parent))
        .filter(|&i| page.elems[i].parent == Some(parent))
        .chain(std::iter::once(top))
        .chain((0..top).filter(|&i| page.elems[i].parent == Some(parent)))
        .collect();
    // A sibling with the container's own class is likely more of it.
    let class = page.elems[top].el.value().attr("class").unwrap_or("");
    let bonus = |s: usize| {
        if !class.is_empty() && page.elems[s].el.value().attr("class") == Some(class) {
            top_score * SIBLING_SHARE
        } else {
            0.0
        }
    };
    let mut keep: Vec<usize> = siblings
        .iter()
        .copied()
        .filter(|&s| s == top || continues_article(page, scores, s, threshold, bonus(s)))
        .collect();
    keep.sort_unstable();
    // A heading between two kept siblings heads the part after it.
    let mut headings: Vec<usize> = siblings
        .iter()
        .copied()
        .filter(|&s| {
            matches!(page.elems[s].tag(), "h2" | "h3" | "h4" | "h5" | "h6")
                && keep.first().is_some_and(|&f| f < s)
                && keep.last().is_some_and(|&l| l > s)
        })
        .collect();
    keep.append(&mut headings);
    keep.sort_unstable();
    keep
}

fn continues_article(page: &Page, scores: &Scores, s: usize, threshold: f64, bonus: f64) -> bool {
    let e = &page.elems[s];
    if scores.junk[s] || CHROME_TAGS.contains(&e.tag()) || NEGATIVE.is_match(&e.id_class) {
        return false;
    }
    let density = scores.link_density(s);
    if scores.total[s].unwrap_or(0.0) + bonus >= threshold && density < MAX_SIBLING_LINK_DENSITY {
        return true;
    }
    // A plain paragraph next to the container (Readability's rule).
    if !matches!(
        e.tag(),
        "p" | "div" | "section" | "blockquote" | "pre" | "ul" | "ol"
    ) {
        return false;
    }
    let chars = scores.text[s];
    let own: Vec<&super::dom::Block> = page
        .blocks
        .iter()
        .filter(|b| page.is_within(b.elem, s))
        .take(2)
        .collect();
    match own.as_slice() {
        [b] => {
            (chars >= 80 && density < 0.25)
                || (chars > 0 && density == 0.0 && meta::ends_sentence(&b.text))
        }
        _ => false,
    }
}

/// Sentence punctuation in `s`: the more, the more it reads like prose.
fn punctuation(s: &str) -> usize {
    s.chars()
        .filter(|c| {
            matches!(
                c,
                '，' | '。' | '、' | '；' | '：' | '！' | '？' | ',' | '.' | ';'
            )
        })
        .count()
}

fn class_weight(id_class: &str) -> f64 {
    let mut w = 0.0;
    if id_class
        .split_whitespace()
        .any(|word| KNOWN_CONTENT.iter().any(|k| k.eq_ignore_ascii_case(word)))
    {
        w += KNOWN_WEIGHT;
    }
    if POSITIVE.is_match(id_class) {
        w += CLASS_WEIGHT;
    }
    if NEGATIVE.is_match(id_class) {
        w -= CLASS_WEIGHT;
    }
    w
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use scraper::Html;

    use super::*;
    use crate::document::extract::dom::walk;

    fn container_id(html: &str) -> String {
        let doc = Html::parse_document(html);
        let page = walk(doc.root_element(), &HashSet::new());
        let c = main_container(&page, &score(&page, true)).expect("a container");
        page.elems[c].id_class.trim().to_string()
    }

    #[test]
    fn div_paragraphs_vote_for_their_container() {
        let long =
            "今年以来，全市上下坚持稳中求进工作总基调，统筹推进经济社会发展各项工作，".repeat(6);
        let html = format!(
            "<div id=\"nav\"><a href=\"/\">首页</a> <a href=\"/a\">新闻</a></div>\
             <div id=\"wrap\"><div>{long}</div><div>第二段，内容较短。</div><div>第三段，同样较短。</div></div>"
        );
        assert_eq!(container_id(&html), "wrap");
    }

    #[test]
    fn link_lists_lose_to_prose() {
        let links: String = (0..60)
            .map(|i| {
                format!("<li><a href=\"/n/{i}\">第{i}条新闻标题，城市建设与民生服务动态</a></li>")
            })
            .collect();
        let html = format!(
            "<ul id=\"list\">{links}</ul><div id=\"body\"><p>市交通运输局发布公告，自九月起调整部分公交线路，方便市民出行。</p>\
             <p>调整期间给市民出行带来的不便，敬请谅解，如有疑问请拨打热线咨询。</p></div>"
        );
        assert_eq!(container_id(&html), "body");
    }
}
