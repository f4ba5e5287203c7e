//! Display paragraphs from feed descriptions and content: an HTML fragment
//! or plain text split at block elements and blank lines.
//!
//! Most feed fragments are a few `<p>`, `<br>` and formatting tags; those
//! are scanned directly ([`simple_paragraphs`]). Anything the HTML parser
//! treats specially (tables, scripts, comments, a stray `<`, legacy
//! entities) goes through html5ever (scraper), and a unit test checks that
//! both ways agree wherever the scan applies.

use scraper::{ElementRef, Html, Node};

use super::{
    clean_decoded, clean_inline, clean_plain, BLOCK_ELEMENTS, MAX_DEPTH, SKIPPED_ELEMENTS,
};

/// True when `s` contains something that looks like an HTML tag.
fn looks_like_html(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

/// Splits a feed description or content (an HTML fragment or plain text)
/// into display paragraphs: script/style dropped, a new paragraph at each
/// block element (`p`, `div`, `br`, `li`, `h1`–`h6`, `blockquote`, …) and at
/// blank lines, each paragraph [`clean_inline`]d, empty ones dropped.
pub fn html_to_paragraphs(html: &str) -> Vec<String> {
    if !looks_like_html(html) {
        // Double-escaped HTML (`&lt;p&gt;…`) is common on Chinese CMSes.
        if html.contains("&lt;") {
            let decoded = html_escape::decode_html_entities(html);
            if looks_like_html(&decoded) {
                return html_to_paragraphs(&decoded);
            }
        }
        return text_to_paragraphs(html);
    }
    simple_paragraphs(html).unwrap_or_else(|| parsed_paragraphs(html))
}

/// The paragraphs of `html` as html5ever builds its tree.
fn parsed_paragraphs(html: &str) -> Vec<String> {
    let doc = Html::parse_fragment(html);
    let mut collector = Paragraphs::default();
    collector.walk(doc.root_element(), 0);
    collector.flush();
    collector.out
}

/// Block elements html5ever parses with special rules that could move text
/// (foster parenting, implied ends, a dropped leading newline): a fragment
/// using one goes to the parser.
const SPECIAL_BLOCKS: &[&str] = &["table", "tr", "td", "th", "pre", "dl", "dt", "dd"];

/// Formatting elements a simple fragment may use besides the other blocks.
const SIMPLE_INLINE: &[&str] = &[
    "a", "b", "i", "u", "s", "em", "strong", "span", "font", "small", "big", "sub", "sup", "img",
    "abbr", "cite", "code", "q", "mark", "del", "ins", "strike", "tt", "var", "time",
];

/// Tags a fragment may use for [`simple_paragraphs`]: formatting and block
/// elements whose parsing has no special rules that could move text
/// (no tables, forms, raw-text or foreign elements).
fn simple_tag(name: &str) -> Option<&'static str> {
    BLOCK_ELEMENTS
        .iter()
        .filter(|t| !SPECIAL_BLOCKS.contains(t))
        .chain(SIMPLE_INLINE)
        .find(|t| **t == name)
        .copied()
}

/// Paragraphs of a fragment made only of [`simple_tag`]s and well-formed
/// references, found by scanning it: the same paragraphs the tree walk
/// gives, without building a tree. `None` for anything else (the caller
/// parses it): another tag, a comment, a `<` that starts no tag, an `&`
/// that is not a complete reference.
fn simple_paragraphs(html: &str) -> Option<Vec<String>> {
    let mut p = Paragraphs::default();
    // Open elements by name: an end tag with none open is ignored by
    // html5ever, so it neither ends a paragraph nor splits a text node.
    let mut open: Vec<&str> = Vec::new();
    // The text node being built: text on both sides of an ignored tag is one.
    let mut node = String::new();
    let mut rest = html;
    loop {
        let (text, tag) = match rest.find('<') {
            Some(i) => (&rest[..i], Some(&rest[i..])),
            None => (rest, None),
        };
        node.push_str(&decode_simple_text(text)?);
        let Some(tag) = tag else {
            break;
        };
        let end = super::tag_end(tag)?;
        let inner = &tag[1..end];
        let (closing, inner) = match inner.strip_prefix('/') {
            Some(n) => (true, n),
            None => (false, inner),
        };
        let name_len = inner.bytes().take_while(u8::is_ascii_alphanumeric).count();
        if name_len == 0 || name_len > 10 {
            return None;
        }
        let mut buf = [0u8; 10];
        let name = &mut buf[..name_len];
        name.copy_from_slice(&inner.as_bytes()[..name_len]);
        name.make_ascii_lowercase();
        let name = std::str::from_utf8(name).ok()?;
        let name = simple_tag(name)?;
        let void = matches!(name, "br" | "hr" | "img");
        let block = BLOCK_ELEMENTS.contains(&name);
        let processed = if closing {
            match open.iter().rposition(|o| *o == name) {
                Some(at) if at + 1 == open.len() => {
                    open.pop();
                    true
                }
                // Closing an element that is not the innermost one makes
                // html5ever close (and later reopen) others: parse it.
                Some(_) => return None,
                // `</p>` becomes an empty paragraph, `</br>` a break; any
                // other end tag with nothing to close is ignored.
                None => matches!(name, "p" | "br"),
            }
        } else {
            // A block opened inside an open inline element, paragraph,
            // heading or list item, or a link inside a link, makes
            // html5ever close and reopen elements: parse it.
            let innermost = open.last().copied();
            let implies_end = block
                && !void
                && innermost.is_some_and(|o| {
                    !BLOCK_ELEMENTS.contains(&o)
                        || matches!(o, "p" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
                });
            if implies_end || (name == "a" && open.contains(&"a")) {
                return None;
            }
            if !void {
                open.push(name);
            }
            true
        };
        if processed {
            if !node.is_empty() {
                p.push_text(&node);
                node.clear();
            }
            if block {
                p.flush();
            }
        }
        rest = &tag[end + 1..];
    }
    if !node.is_empty() {
        p.push_text(&node);
    }
    p.flush();
    Some(p.out)
}

/// Text between tags with its references decoded, as html5ever decodes
/// them; `None` for what it decodes differently (no `;`, unknown names,
/// C1 and invalid code points).
fn decode_simple_text(text: &str) -> Option<std::borrow::Cow<'_, str>> {
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        let after = &rest[i + 1..];
        let semi = after.find(';').filter(|&s| s > 0 && s <= 32)?;
        let name = &after[..semi];
        if let Some(num) = name.strip_prefix('#') {
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            if code == 0 || (0x80..=0x9F).contains(&code) || char::from_u32(code).is_none() {
                return None;
            }
        } else {
            if !name.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return None;
            }
            let written = &rest[i..i + semi + 2];
            if html_escape::decode_html_entities(written) == written {
                return None;
            }
        }
        rest = &after[semi + 1..];
    }
    Some(html_escape::decode_html_entities(text))
}

/// Plain text → paragraphs split at blank lines.
fn text_to_paragraphs(text: &str) -> Vec<String> {
    split_blank_lines(text)
        .map(clean_inline)
        .filter(|p| !p.is_empty())
        .collect()
}

/// Literal plain text → paragraphs split at blank lines (no tag or entity
/// handling: see [`clean_plain`]).
pub(crate) fn plain_to_paragraphs(text: &str) -> Vec<String> {
    split_blank_lines(text)
        .map(clean_plain)
        .filter(|p| !p.is_empty())
        .collect()
}

fn split_blank_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut line_start = 0;
    let mut prev_blank = false;
    for (i, c) in text.char_indices() {
        if c == '\n' {
            let line = &text[line_start..i];
            let blank = line.trim().is_empty();
            if blank && !prev_blank {
                parts.push(&text[start..line_start]);
                start = i + 1;
            } else if blank {
                start = i + 1;
            }
            prev_blank = blank;
            line_start = i + 1;
        }
    }
    parts.push(&text[start..]);
    parts.into_iter()
}

#[derive(Default)]
struct Paragraphs {
    current: String,
    out: Vec<String>,
}

impl Paragraphs {
    fn flush(&mut self) {
        if !self.current.is_empty() {
            let p = clean_decoded(&self.current);
            if !p.is_empty() {
                self.out.push(p);
            }
            self.current.clear();
        }
    }

    fn push_text(&mut self, text: &str) {
        // Blank lines inside text nodes separate paragraphs too.
        let mut first = true;
        for part in split_blank_lines(text) {
            if !first {
                self.flush();
            }
            first = false;
            self.current.push_str(part);
        }
    }

    fn walk(&mut self, el: ElementRef<'_>, depth: usize) {
        for child in el.children() {
            match child.value() {
                Node::Text(t) => self.push_text(t),
                Node::Element(e) => {
                    let name = e.name();
                    if SKIPPED_ELEMENTS.contains(&name) {
                        continue;
                    }
                    let Some(child_el) = ElementRef::wrap(child) else {
                        continue;
                    };
                    let block = BLOCK_ELEMENTS.contains(&name);
                    if block {
                        self.flush();
                    }
                    if depth >= MAX_DEPTH {
                        let text: String = child_el.text().collect();
                        self.push_text(&text);
                    } else {
                        self.walk(child_el, depth + 1);
                    }
                    if block {
                        self.flush();
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_from_html() {
        let html = r#"<p>第一段 &amp; <b>加粗</b></p><script>var x = "<p>no</p>";</script>
            <div>第二段<br>第三段</div><ul><li>项一</li><li> </li><li>项二</li></ul>
            <style>p { color: red }</style><h2>小标题</h2>尾巴"#;
        assert_eq!(
            html_to_paragraphs(html),
            vec![
                "第一段 & 加粗",
                "第二段",
                "第三段",
                "项一",
                "项二",
                "小标题",
                "尾巴"
            ]
        );
    }

    #[test]
    fn paragraphs_from_plain_and_escaped_text() {
        assert_eq!(
            html_to_paragraphs("first line\nstill first\n\n  \n second &amp; more \n"),
            vec!["first line still first", "second & more"]
        );
        assert_eq!(
            html_to_paragraphs("&lt;p&gt;一&lt;/p&gt;&lt;p&gt;二&lt;/p&gt;"),
            vec!["一", "二"]
        );
        assert_eq!(html_to_paragraphs("a &lt; b"), vec!["a < b"]);
        assert!(html_to_paragraphs("  ").is_empty());
        assert!(html_to_paragraphs("<p> </p><div>\u{200B}</div>").is_empty());
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let html = format!(
            "{}深{}",
            "<div><span>".repeat(2000),
            "</span></div>".repeat(2000)
        );
        assert_eq!(html_to_paragraphs(&html), vec!["深"]);
    }

    #[test]
    fn the_scan_agrees_with_the_parser() {
        // Fragments built from a small alphabet of tags, text, references
        // and faults (deterministic xorshift): wherever the scan applies it
        // must give the tree walk's paragraphs, or content hashes would move.
        const PIECES: &[&str] = &[
            "<p>",
            "</p>",
            "<div>",
            "</div>",
            "<br>",
            "<br/>",
            "</br>",
            "<b>",
            "</b>",
            "<li>",
            "</li>",
            "<ul>",
            "</ul>",
            "<span class=\"x>y\">",
            "</span>",
            "<a href='/a'>",
            "</a>",
            "<hr>",
            "<h2>",
            "</h2>",
            "<P>",
            "</P>",
            "<img src=x>",
            "改革",
            "text",
            " ",
            "\n",
            "\n\n",
            "&amp;",
            "&lt;b&gt;",
            "&#20013;",
            "&nbsp;",
            "&#x56FD;",
            "&copy;",
            "\u{3000}",
            "a < b",
            "&",
            "&bogus;",
            "<table>",
            "<td>",
            "<!-- c -->",
            "<script>x</script>",
            "</section>",
            "<section>",
            "&#150;",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let (mut scanned, mut total) = (0, 0);
        for _ in 0..20_000 {
            let n = 1 + (next() % 12) as usize;
            let html: String = (0..n)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            total += 1;
            if let Some(fast) = simple_paragraphs(&html) {
                scanned += 1;
                assert_eq!(fast, parsed_paragraphs(&html), "{html:?}");
            }
        }
        assert!(
            scanned * 10 > total,
            "the scan applied to only {scanned} of {total}"
        );
        // What feeds usually carry takes the scan.
        for html in [
            "<p>第一段 <b>加粗</b> <a href=\"/x?a=1&amp;b=2\">链接</a></p><p>第二段<br/>第三行</p>",
            "<div><p>&ldquo;改革&rdquo;&nbsp;开放</p><ul><li>一</li><li>二</li></ul></div>",
            "<P>Upper<BR>case</P><img src=\"a.jpg\" alt=\"x > y\">",
        ] {
            assert!(simple_paragraphs(html).is_some(), "{html}");
        }
    }
}
