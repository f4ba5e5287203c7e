//! Pure: the parts of a page no reader sees, taken out before the HTML
//! parser runs. Script, style and SVG bodies and comments are about half
//! the bytes of a modern news page and none of its text, and tokenizing
//! them was most of the parse. The bodies stay available: JSON-LD for the
//! metadata, and page variables (a WeChat account name, a publish time).

use memchr::memmem;

/// Elements whose body is dropped (their tags stay, so structure holds).
const INERT: &[&str] = &["script", "style", "svg", "noscript", "template"];

/// Whether automatic extraction reads the attribute `name` (any case). A
/// lean parse keeps only these (per-source selectors may name any
/// attribute, so they get the page whole).
fn is_read_attr(name: &[u8]) -> bool {
    let mut buf = [0u8; 12];
    let Some(lower) = buf.get_mut(..name.len()) else {
        return false;
    };
    for (l, c) in lower.iter_mut().zip(name) {
        *l = c.to_ascii_lowercase();
    }
    matches!(
        &*lower,
        b"id"
            | b"class"
            | b"itemprop"
            | b"hidden"
            | b"aria-hidden"
            | b"style"
            | b"datetime"
            | b"content"
            | b"rel"
            | b"property"
            | b"name"
            | b"size"
            | b"href"
            | b"type"
            | b"charset"
            | b"http-equiv"
    )
}
/// Elements whose content the tokenizer reads as text, kept byte for byte.
const VERBATIM: &[&str] = &[
    "title",
    "textarea",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
];
/// Elements whose blanks show, left as they are.
const PREFORMATTED: &[&str] = &["pre", "listing"];

/// A page without its inert parts.
pub(crate) struct Stripped<'a> {
    /// The HTML to parse.
    pub html: String,
    /// JSON-LD bodies (`<script type="application/ld+json">`).
    pub json_ld: Vec<&'a str>,
    /// Every other script body.
    pub scripts: Vec<&'a str>,
}

/// Removes script/style/svg/noscript/template bodies and comments.
///
/// A body ends at the first `</name` (as the HTML tokenizer ends script and
/// style text), an unterminated one runs to the end of the page.
///
/// `lean` also drops what the extractor never reads but the parser pays
/// for: attributes outside [`is_read_attr`] (`srcset`, `data-*`, `onclick`,
/// a `style` that does not hide), and runs of indentation between tags,
/// folded to one blank (a newline when the run had one). Outside
/// `<pre>` and text-only elements this changes no text the extractor sees,
/// since it folds blanks itself; together they are about half the bytes
/// left after the inert parts go.
pub(crate) fn strip_inert(html: &str, lean: bool) -> Stripped<'_> {
    let bytes = html.as_bytes();
    let mut out = Stripped {
        html: String::with_capacity(html.len() / 2),
        json_ld: Vec::new(),
        scripts: Vec::new(),
    };
    let mut copied = 0usize;
    let mut at = 0usize;
    // Open `<pre>`s: their blanks stay.
    let mut pre = 0usize;
    while let Some(off) = memchr::memchr(b'<', &bytes[at..]) {
        let lt = at + off;
        let rest = &bytes[lt + 1..];
        let fold = lean && pre == 0;
        if rest.starts_with(b"!--") {
            push_text(&mut out.html, &html[copied..lt], fold);
            let end =
                memmem::find(&bytes[lt + 4..], b"-->").map_or(bytes.len(), |e| lt + 4 + e + 3);
            copied = end;
            at = end;
            continue;
        }
        if let Some(name) = INERT.iter().find(|n| starts_with_tag(rest, n)) {
            // The open tag ends at the next `>` (attribute values with `>` are rare here).
            let Some(gt) = memchr::memchr(b'>', rest).map(|g| lt + 1 + g) else {
                break;
            };
            let body_start = gt + 1;
            let body_end = find_close(bytes, body_start, name).unwrap_or(bytes.len());
            let tag = &html[lt..body_start];
            let body = &html[body_start..body_end];
            if *name == "script" {
                if tag.to_ascii_lowercase().contains("ld+json") {
                    out.json_ld.push(body);
                } else {
                    out.scripts.push(body);
                }
            }
            push_text(&mut out.html, &html[copied..lt], fold);
            out.html.push_str(tag);
            copied = body_end;
            at = body_end.max(body_start);
            continue;
        }
        if !lean {
            at = lt + 1;
            continue;
        }
        match rest.first() {
            Some(c) if c.is_ascii_alphabetic() => {
                push_text(&mut out.html, &html[copied..lt], fold);
                copied = lt;
                let Some(tag) = lean_start_tag(html, lt, &mut out.html) else {
                    // Unterminated: the tokenizer drops it; left as it is.
                    break;
                };
                copied = tag.end;
                at = tag.end;
                let name = &bytes[lt + 1..tag.name_end];
                if let Some(v) = VERBATIM
                    .iter()
                    .find(|v| name.eq_ignore_ascii_case(v.as_bytes()))
                {
                    let close = find_close(bytes, tag.end, v).unwrap_or(bytes.len());
                    out.html.push_str(&html[tag.end..close]);
                    copied = close;
                    at = close;
                } else if !tag.self_closing
                    && PREFORMATTED
                        .iter()
                        .any(|p| name.eq_ignore_ascii_case(p.as_bytes()))
                {
                    pre += 1;
                }
            }
            Some(b'/') => {
                if PREFORMATTED.iter().any(|p| starts_with_tag(&rest[1..], p)) {
                    pre = pre.saturating_sub(1);
                }
                at = lt + 1;
            }
            Some(b'!' | b'?') => {
                // A doctype or processing instruction, kept as it is.
                let end = memchr::memchr(b'>', rest).map_or(bytes.len(), |g| lt + 2 + g);
                push_text(&mut out.html, &html[copied..lt], fold);
                out.html.push_str(&html[lt..end]);
                copied = end;
                at = end;
            }
            _ => at = lt + 1,
        }
    }
    push_text(&mut out.html, &html[copied..], lean && pre == 0);
    out
}

/// Appends `text`, with runs of ASCII blanks that hold a line break or tab
/// folded to one when `fold` (indentation; single spaces between words are
/// left, which spares looking at them).
fn push_text(out: &mut String, text: &str, fold: bool) {
    if !fold {
        out.push_str(text);
        return;
    }
    let bytes = text.as_bytes();
    let mut from = 0;
    let mut at = 0;
    while let Some(off) = memchr::memchr3(b'\n', b'\r', b'\t', &bytes[at..]) {
        let i = at + off;
        let mut start = i;
        while start > from && bytes[start - 1] == b' ' {
            start -= 1;
        }
        let mut end = i;
        let mut newline = false;
        while end < bytes.len() && is_ascii_blank(bytes[end]) {
            newline |= matches!(bytes[end], b'\n' | b'\r');
            end += 1;
        }
        if end - start > 1 {
            out.push_str(&text[from..start]);
            out.push(if newline { '\n' } else { ' ' });
            from = end;
        }
        at = end;
    }
    out.push_str(&text[from..]);
}

fn is_ascii_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// A start tag as the HTML tokenizer reads it (quoted values may hold `>`).
struct StartTag {
    /// End of the tag name.
    name_end: usize,
    /// Byte after the closing `>`.
    end: usize,
    self_closing: bool,
}

/// Whether an inline style may hide its element (`display: none`,
/// `visibility: hidden`); the walker reads the rest of it no further. Any
/// upper case keeps it too, rather than lower-casing every style.
fn hides(style: &[u8]) -> bool {
    memchr::memmem::find(style, b"none").is_some()
        || memchr::memmem::find(style, b"hidden").is_some()
        || style.iter().any(u8::is_ascii_uppercase)
}

/// Reads the start tag at `lt` (a `<` followed by a letter) and writes it
/// to `out` with only the attributes the extractor reads; `None` (and
/// nothing written) when the page ends inside it.
fn lean_start_tag(html: &str, lt: usize, out: &mut String) -> Option<StartTag> {
    let mark = out.len();
    let tag = write_start_tag(html, lt, out);
    if tag.is_none() {
        out.truncate(mark);
    }
    tag
}

fn write_start_tag(html: &str, lt: usize, written: &mut String) -> Option<StartTag> {
    let bytes = html.as_bytes();
    let blank = is_ascii_blank;
    let mut i = lt + 1;
    while i < bytes.len() && !blank(bytes[i]) && bytes[i] != b'/' && bytes[i] != b'>' {
        i += 1;
    }
    let name_end = i;
    written.push_str(&html[lt..name_end]);
    let mut self_closing = false;
    loop {
        while i < bytes.len() && blank(bytes[i]) {
            i += 1;
        }
        match *bytes.get(i)? {
            b'>' => {
                written.push_str(if self_closing { "/>" } else { ">" });
                return Some(StartTag {
                    name_end,
                    end: i + 1,
                    self_closing,
                });
            }
            b'/' => {
                i += 1;
                self_closing = bytes.get(i) == Some(&b'>');
                continue;
            }
            _ => {}
        }
        self_closing = false;
        // Attribute name: a leading `=` belongs to it.
        let from = i;
        i += 1;
        while i < bytes.len() && !blank(bytes[i]) && !matches!(bytes[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let attr_name_end = i;
        let mut j = i;
        while j < bytes.len() && blank(bytes[j]) {
            j += 1;
        }
        if bytes.get(j) == Some(&b'=') {
            j += 1;
            while j < bytes.len() && blank(bytes[j]) {
                j += 1;
            }
            match *bytes.get(j)? {
                q @ (b'"' | b'\'') => {
                    let close = memchr::memchr(q, &bytes[j + 1..])?;
                    i = j + 1 + close + 1;
                }
                b'>' => i = j,
                _ => {
                    i = j;
                    while i < bytes.len() && !blank(bytes[i]) && bytes[i] != b'>' {
                        i += 1;
                    }
                }
            }
        }
        let name = &bytes[from..attr_name_end];
        if is_read_attr(name)
            && (!name.eq_ignore_ascii_case(b"style") || hides(&bytes[attr_name_end..i]))
        {
            written.push(' ');
            written.push_str(&html[from..i]);
        }
    }
}

/// Whether `rest` (after a `<`) opens element `name`.
fn starts_with_tag(rest: &[u8], name: &str) -> bool {
    rest.len() > name.len()
        && rest[..name.len()].eq_ignore_ascii_case(name.as_bytes())
        && matches!(
            rest[name.len()],
            b' ' | b'>' | b'/' | b'\t' | b'\n' | b'\r' | b'\x0c'
        )
}

/// Start of the `</name` that closes a body starting at `from`.
fn find_close(bytes: &[u8], from: usize, name: &str) -> Option<usize> {
    let mut at = from;
    while let Some(off) = memmem::find(&bytes[at..], b"</") {
        let i = at + off;
        let after = &bytes[i + 2..];
        if after.len() >= name.len() && after[..name.len()].eq_ignore_ascii_case(name.as_bytes()) {
            return Some(i);
        }
        at = i + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inert_bodies_and_comments_go_json_ld_is_kept_aside() {
        let s = strip_inert(
            concat!(
                "<head><script type=\"application/ld+json\">{\"headline\":\"H\"}</script>",
                "<STYLE>p{}</STYLE><!-- <p>hidden</p> --></head><body><p>a<b>c</b></p>",
                "<script>var x = '<p>not text</p>';</script><svg><text>no</text></svg>d"
            ),
            false,
        );
        assert_eq!(
            s.html,
            concat!(
                "<head><script type=\"application/ld+json\"></script><STYLE></STYLE></head>",
                "<body><p>a<b>c</b></p><script></script><svg></svg>d"
            )
        );
        assert_eq!(s.json_ld, ["{\"headline\":\"H\"}"]);
        assert_eq!(s.scripts, ["var x = '<p>not text</p>';"]);
    }

    #[test]
    fn a_lean_page_keeps_only_attributes_the_extractor_reads() {
        let s = strip_inert(
            concat!(
                "<div id=a data-x='1 > 2' CLASS=\"b c\" onclick=\"go()\">t</div>",
                "<img src=x.jpg srcset=\"x 2x\" alt=\"a\"/><p style=\"color:red\">",
                "<p style=\"display: none\" hidden><a href=/n rel=next title=t>n</a>",
                "<meta property=og:title content=\"A > B\">"
            ),
            true,
        );
        assert_eq!(
            s.html,
            concat!(
                "<div id=a CLASS=\"b c\">t</div><img/><p>",
                "<p style=\"display: none\" hidden><a href=/n rel=next>n</a>",
                "<meta property=og:title content=\"A > B\">"
            )
        );
    }

    #[test]
    fn a_lean_page_folds_indentation_but_not_text_that_shows_it() {
        let s = strip_inert(
            concat!(
                "<ul>\n    <li>a  b</li>\t\t<li>c</li>\n</ul>",
                "<pre>x\n    y <b class=k data-k=1>z</b></pre>",
                "<title>T  <b data-x=1>\n\n  t</b></title><p>\n\n  q</p>"
            ),
            true,
        );
        assert_eq!(
            s.html,
            concat!(
                "<ul>\n<li>a  b</li> <li>c</li>\n</ul>",
                "<pre>x\n    y <b class=k>z</b></pre>",
                "<title>T  <b data-x=1>\n\n  t</b></title><p>\nq</p>"
            )
        );
        // An unterminated tag is left as it is.
        assert_eq!(strip_inert("<p>x<a href='y", true).html, "<p>x<a href='y");
    }

    #[test]
    fn unterminated_parts_run_to_the_end() {
        assert_eq!(strip_inert("<p>x</p><!-- open", false).html, "<p>x</p>");
        assert_eq!(
            strip_inert("<p>x</p><script>var", false).html,
            "<p>x</p><script>"
        );
        assert_eq!(strip_inert("<p>x<script", false).html, "<p>x<script");
        assert_eq!(
            strip_inert("<scripts>t</scripts>", false).html,
            "<scripts>t</scripts>"
        );
    }
}
