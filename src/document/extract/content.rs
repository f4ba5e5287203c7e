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

/// The element most likely to hold the article body, if any block votes.
pub(crate) fn main_container(page: &Page) -> Option<usize> {
    let mut scores = vec![0.0f64; page.elems.len()];
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
    for b in &page.blocks {
        if b.chrome
            || b.chars < MIN_VOTING_CHARS
            || b.link_ratio() > 0.5
            || meta::is_boilerplate(&b.text)
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
        scores[target] += score;
        if let Some(parent) = page.elems[target].parent {
            scores[parent] += score / 2.0;
            if let Some(grand) = page.elems[parent].parent {
                scores[grand] += score / 3.0;
            }
        }
    }
    let mut best: Option<(usize, f64)> = None;
    for (i, &s) in scores.iter().enumerate() {
        if s <= 0.0 {
            continue;
        }
        let density = if text[i] == 0 {
            0.0
        } else {
            links[i] as f64 / text[i] as f64
        };
        let total = s * (1.0 - density) + class_weight(&page.elems[i].id_class);
        if best.is_none_or(|(_, b)| total > b) {
            best = Some((i, total));
        }
    }
    best.map(|(i, _)| i)
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
        let c = main_container(&page).expect("a container");
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
