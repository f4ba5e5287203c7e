//! Pure: canonical URLs, text normalization and content hashes.
//!
//! Owns what "the same article" and "the same text" mean: [`canonical_url`]
//! (identity of a link), [`normalize_text`] (the width-, case- and
//! invisible-character-insensitive form used for hashing and matching),
//! [`clean_inline`] / [`html_to_paragraphs`] (display text from feed HTML),
//! and [`content_hash`] (a change of it means a new revision).

use std::borrow::Cow;

use scraper::{ElementRef, Html, Node};
use unicode_normalization::UnicodeNormalization;
use url::Url;
use xxhash_rust::xxh3::Xxh3;

use crate::model::Article;

/// Query parameters that only track clicks and never select content.
const TRACKING_PARAMS: &[&str] = &[
    "spm",
    "from",
    "fbclid",
    "gclid",
    "gclsrc",
    "dclid",
    "msclkid",
    "yclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "share_token",
    "isappinstalled",
    "sharer_sharetime",
    "sharer_shareid",
];

/// Elements whose boundaries start a new paragraph (page extraction adds
/// a few layout containers on top of these).
pub(crate) const BLOCK_ELEMENTS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
    "table",
    "tr",
    "td",
    "th",
    "pre",
    "hr",
    "figure",
    "figcaption",
    "dl",
    "dt",
    "dd",
    "center",
];

/// Elements whose content is never text.
const SKIPPED_ELEMENTS: &[&str] = &[
    "script", "style", "noscript", "template", "head", "title", "iframe", "object", "svg",
];

/// Nesting deeper than this is flattened to its text (bounds recursion).
const MAX_DEPTH: usize = 128;

/// The identity form of a link: lower-case scheme and host, no fragment, no
/// default port, tracking parameters (`utm_*`, `spm`, `from`, …) removed and
/// the other parameters kept in their original order and spelling.
pub fn canonical_url(url: &Url) -> String {
    let mut u = url.clone();
    u.set_fragment(None);
    if let Some(host) = u.host_str() {
        let lower = host.to_ascii_lowercase();
        if lower != host {
            // Cannot fail: the lower-cased form of a valid host is valid.
            let _ = u.set_host(Some(&lower));
        }
    }
    if u.port().is_some() && u.port() == default_port(u.scheme()) {
        let _ = u.set_port(None);
    }
    if let Some(query) = u.query() {
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| !pair.is_empty() && !is_tracking_param(pair))
            .collect();
        if kept.is_empty() {
            u.set_query(None);
        } else {
            let joined = kept.join("&");
            if joined != query {
                u.set_query(Some(&joined));
            }
        }
    }
    u.to_string()
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

fn is_tracking_param(pair: &str) -> bool {
    let key = pair.split('=').next().unwrap_or("");
    let key = percent_decode_lossy(key).to_ascii_lowercase();
    key.starts_with("utm_") || TRACKING_PARAMS.contains(&key.as_str())
}

fn percent_decode_lossy(s: &str) -> Cow<'_, str> {
    if !s.contains('%') && !s.contains('+') {
        return Cow::Borrowed(s);
    }
    url::form_urlencoded::parse(format!("k={s}").as_bytes())
        .next()
        .map(|(_, v)| Cow::Owned(v.into_owned()))
        .unwrap_or(Cow::Borrowed(s))
}

/// True for characters that render as nothing: zero-width and bidi controls,
/// the BOM, the soft hyphen and word joiners.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Invisible characters that are part of how text is written: the
/// zero-width (non-)joiners of Persian, Indic scripts and emoji, the
/// left-to-right and right-to-left marks (and Arabic's letter mark) of
/// mixed-direction text, and the soft hyphen. Display text keeps them; the
/// comparison form drops them with the other invisible characters.
fn is_written_mark(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{061C}' | '\u{200C}'..='\u{200F}')
}

/// Drops invisible and control characters (written marks kept for `display`),
/// folds whitespace runs (including U+3000) into one space and trims.
fn fold_chars(chars: impl Iterator<Item = char>, capacity: usize, display: bool) -> String {
    let mut out = String::with_capacity(capacity);
    let mut pending_space = false;
    for c in chars {
        if c.is_whitespace() {
            pending_space = true;
        } else if c.is_control() || (is_invisible(c) && !(display && is_written_mark(c))) {
            continue;
        } else {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
    }
    out
}

/// The comparison form of text: NFKC (full/half width unified), zero-width,
/// bidi and control characters removed, whitespace runs folded to one space,
/// trimmed.
pub fn normalize_text(s: &str) -> String {
    let folded = nfkc(s);
    fold_chars(folded.chars(), folded.len(), false)
}

/// NFKC of `s`. Text made only of characters whose NFKC form is a single
/// known character that composes with nothing (ASCII, CJK ideographs and
/// punctuation, full-width ASCII, which is most of a Chinese news page) is
/// mapped character by character, borrowed when nothing changes; anything
/// else goes through the full normalizer.
pub fn nfkc(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    let mut out: Option<String> = None;
    for (i, c) in s.char_indices() {
        match quick_nfkc(c) {
            Some(m) if m == c => {
                if let Some(o) = out.as_mut() {
                    o.push(c);
                }
            }
            Some(m) => out
                .get_or_insert_with(|| {
                    let mut o = String::with_capacity(s.len());
                    o.push_str(&s[..i]);
                    o
                })
                .push(m),
            None => return Cow::Owned(s.nfkc().collect()),
        }
    }
    out.map_or(Cow::Borrowed(s), Cow::Owned)
}

/// The NFKC form of `c` when it is known without the normalizer: one
/// character that neither decomposes further nor composes with what is
/// around it (checked against the normalizer by a unit test).
fn quick_nfkc(c: char) -> Option<char> {
    match c {
        '\0'..='\u{7F}'
        | '\u{2010}'
        | '\u{2012}'..='\u{2016}'
        | '\u{2018}'..='\u{2022}'
        | '\u{3001}'..='\u{3002}'
        | '\u{3008}'..='\u{3011}'
        | '\u{3014}'..='\u{301F}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}' => Some(c),
        // Full-width ASCII (，：（）１２３ …) is its ASCII character.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0),
        '\u{00A0}' | '\u{3000}' => Some(' '),
        _ => None,
    }
}

/// Display text for titles and other one-line fields: HTML entities decoded,
/// tags removed, control/bidi/zero-width characters dropped, whitespace
/// folded and trimmed. Keeps full-width punctuation (no NFKC). Markup that
/// was escaped twice (`&lt;b&gt;`, common on Chinese CMSes) is removed too.
pub fn clean_inline(s: &str) -> String {
    let stripped = strip_tags(s);
    let decoded = html_escape::decode_html_entities(&stripped);
    // Escaped markup (`&lt;b&gt;`) decodes into tags: strip those as well.
    let stripped_again = if decoded.contains('<') {
        strip_tags(&decoded)
    } else {
        Cow::Borrowed(decoded.as_ref())
    };
    fold_chars(stripped_again.chars(), stripped_again.len(), true)
}

/// Display text of an HTML fragment that declares itself HTML (Atom
/// `type="html"`): tags removed and entities decoded once, so an escaped
/// `&lt;blink&gt;` shows as `<blink>`; whitespace folded as in [`clean_inline`].
pub fn html_inline(s: &str) -> String {
    let stripped = strip_tags(s);
    let decoded = html_escape::decode_html_entities(&stripped);
    fold_chars(decoded.chars(), decoded.len(), true)
}

/// Display text of plain text (Atom `type="text"`): taken literally, so
/// `<b>` stays as written; only whitespace and invisible characters are
/// folded as in [`clean_inline`].
pub fn clean_plain(s: &str) -> String {
    fold_chars(s.chars(), s.len(), true)
}

/// The same as [`clean_inline`] for text that is already entity-decoded.
fn clean_decoded(s: &str) -> String {
    let stripped = strip_tags(s);
    fold_chars(stripped.chars(), stripped.len(), true)
}

/// Removes things that look like tags (`<a …>`, `</b>`, `<!-- … -->`,
/// `<?…?>`); block-level tags become a space so words do not run together.
/// A lone `<` that starts no tag (as in `a < b`) is kept.
fn strip_tags(s: &str) -> Cow<'_, str> {
    if !s.contains('<') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let next = tail[1..].chars().next();
        let starts_tag = match next {
            Some(c) if c.is_ascii_alphabetic() || c == '!' || c == '?' => true,
            Some('/') => tail[2..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic()),
            _ => false,
        };
        if !starts_tag {
            out.push('<');
            rest = &tail[1..];
            continue;
        }
        if let Some(body) = tail.strip_prefix("<!--") {
            rest = body.find("-->").map_or("", |end| &body[end + 3..]);
            continue;
        }
        let Some(end) = tag_end(tail).or_else(|| tail.find('>')) else {
            // An unterminated tag: drop the rest of it.
            rest = "";
            break;
        };
        let name: String = tail[1..end]
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        rest = &tail[end + 1..];
        if !tail[1..].starts_with('/') && SKIPPED_ELEMENTS.contains(&name.as_str()) {
            // Drop the element's content up to its end tag.
            let close = format!("</{name}");
            let lower = rest.to_ascii_lowercase();
            rest = match lower.find(&close) {
                Some(pos) => rest[pos..].find('>').map_or("", |e| &rest[pos + e + 1..]),
                None => "",
            };
            continue;
        }
        if BLOCK_ELEMENTS.contains(&name.as_str()) {
            out.push(' ');
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Byte offset of the `>` that ends the tag starting at `tag[0]`, skipping
/// quoted attribute values (`alt="a<br />b"` does not end the tag); `None`
/// if a quote is never closed.
fn tag_end(tag: &str) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, &b) in tag.as_bytes().iter().enumerate().skip(1) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'')
                if tag.as_bytes()[i - 1].is_ascii_whitespace() || tag.as_bytes()[i - 1] == b'=' =>
            {
                quote = Some(b)
            }
            (None, b'>') => return Some(i),
            (None, _) => {}
        }
    }
    None
}

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
    let doc = Html::parse_fragment(html);
    let mut collector = Paragraphs::default();
    collector.walk(doc.root_element(), 0);
    collector.flush();
    collector.out
}

/// Plain text → paragraphs split at blank lines.
pub(crate) fn text_to_paragraphs(text: &str) -> Vec<String> {
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

/// Hex xxh3-64 of the article's normalized content (kicker, title, subtitle,
/// byline, published time, section headings and paragraphs, quotes), with
/// field separators. Whitespace, width and invisible-character differences
/// do not change it.
pub fn content_hash(article: &Article) -> String {
    const FIELD: &[u8] = b"\x1e";
    const ITEM: &[u8] = b"\x1f";
    fn opt(h: &mut Xxh3, tag: &[u8], v: Option<&str>) {
        h.update(tag);
        if let Some(v) = v {
            h.update(b"=");
            h.update(normalize_text(v).as_bytes());
        }
        h.update(FIELD);
    }
    let mut h = Xxh3::new();
    opt(&mut h, b"kicker", article.kicker.as_deref());
    opt(&mut h, b"title", Some(&article.title));
    opt(&mut h, b"subtitle", article.subtitle.as_deref());
    opt(&mut h, b"byline", article.byline.as_deref());
    let published = article
        .published_at
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    opt(&mut h, b"published", published.as_deref());
    h.update(b"sections");
    for section in &article.sections {
        h.update(ITEM);
        opt(&mut h, b"heading", section.heading.as_deref());
        for p in &section.paragraphs {
            let p = normalize_text(p);
            if !p.is_empty() {
                h.update(p.as_bytes());
                h.update(ITEM);
            }
        }
    }
    h.update(FIELD);
    h.update(b"quotes");
    for q in &article.quotes {
        h.update(ITEM);
        opt(&mut h, b"speaker", q.speaker.as_deref());
        opt(&mut h, b"role", q.role.as_deref());
        opt(&mut h, b"text", Some(&q.text));
    }
    format!("{:016x}", h.digest())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Quote, Section};

    fn canon(s: &str) -> String {
        canonical_url(&Url::parse(s).unwrap())
    }

    #[test]
    fn canonical_url_drops_noise() {
        assert_eq!(
            canon("HTTP://WWW.Example.COM:80/a/B.html?id=3&utm_source=x&spm=1.2&from=timeline&page=2#top"),
            "http://www.example.com/a/B.html?id=3&page=2"
        );
        assert_eq!(
            canon("https://example.com:443/x?utm_medium=a&fbclid=z&gclid=q"),
            "https://example.com/x"
        );
        assert_eq!(
            canon("https://example.com:8443/x?b=2&a=1"),
            "https://example.com:8443/x?b=2&a=1"
        );
        assert_eq!(canon("http://example.com/x?"), "http://example.com/x");
        // Percent-encoded tracking keys and case differences are still tracking.
        assert_eq!(
            canon("http://example.com/x?UTM_Campaign=1&%73pm=2&q=%E6%94%B9"),
            "http://example.com/x?q=%E6%94%B9"
        );
        // Parameters that merely start like tracking ones are kept.
        assert_eq!(
            canon("http://example.com/x?fromage=1&spmx=2"),
            "http://example.com/x?fromage=1&spmx=2"
        );
    }

    #[test]
    fn normalize_text_folds_width_and_invisibles() {
        assert_eq!(
            normalize_text("  ＡＢＣ１２３　改\u{200B}革\u{202E}  \n\t x "),
            "ABC123 改革 x"
        );
        assert_eq!(
            normalize_text("a\u{0007}b\u{FEFF}c\u{2066}d\u{200E}"),
            "abcd"
        );
        assert_eq!(normalize_text("line1\r\n\r\nline2"), "line1 line2");
        assert_eq!(normalize_text("ｶﾀｶﾅ"), "カタカナ");
        assert_eq!(normalize_text(""), "");
    }

    #[test]
    fn quick_nfkc_agrees_with_the_normalizer() {
        use unicode_normalization::{is_nfkc_quick, IsNormalized};
        let mut checked = 0;
        for code in 0..=0x10FFFF_u32 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let Some(m) = quick_nfkc(c) else {
                continue;
            };
            let full: String = c.to_string().nfkc().collect();
            assert_eq!(full, m.to_string(), "U+{code:04X}");
            // Composes with nothing before it (NFKC_QC = Yes, not Maybe).
            assert_eq!(
                is_nfkc_quick(std::iter::once(m)),
                IsNormalized::Yes,
                "U+{code:04X}"
            );
            assert_eq!(unicode_normalization::char::canonical_combining_class(m), 0);
            checked += 1;
        }
        assert!(checked > 27_000, "{checked}");
        // The fast path and the full one agree on mixed text, including
        // text the fast path hands over (combining marks, ellipsis, kana).
        for s in [
            "全面深化改革，推进（试点）：２０２４年　“改革”—开放",
            "e\u{301} café ﬁ …",
            "ｶﾀｶﾅ と 한국어",
            "plain ascii",
        ] {
            assert_eq!(nfkc(s), s.nfkc().collect::<String>(), "{s}");
        }
        assert!(matches!(nfkc("改革开放"), Cow::Borrowed(_)));
    }

    #[test]
    fn clean_inline_unescapes_and_strips() {
        assert_eq!(clean_inline("<b>Atom</b>&nbsp;条目"), "Atom 条目");
        assert_eq!(clean_inline("A &amp; B &lt; C"), "A & B < C");
        assert_eq!(clean_inline("a < b and c > d"), "a < b and c > d");
        assert_eq!(clean_inline("&lt;em&gt;改革&lt;/em&gt;开放"), "改革开放");
        assert_eq!(
            clean_inline("标题：\u{200B}测试\u{202A}　 （全角）"),
            "标题：测试 （全角）"
        );
        assert_eq!(clean_inline("x<script>alert(1)</script>y"), "xy");
        assert_eq!(clean_inline("one<br/>two"), "one two");
        assert_eq!(clean_inline("<!-- c -->z"), "z");
        assert_eq!(clean_inline("unterminated <a href='x"), "unterminated");
    }

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

    fn article() -> Article {
        Article {
            title: "嘉兴各界认真学习".into(),
            sections: vec![Section {
                heading: Some("小标题".into()),
                paragraphs: vec!["第一段。".into(), "第二段 ABC".into()],
            }],
            quotes: vec![Quote {
                speaker: Some("王亮".into()),
                role: Some("市委改革办常务副主任".into()),
                text: "改革".into(),
            }],
            ..Article::default()
        }
    }

    #[test]
    fn content_hash_ignores_formatting_only() {
        let a = article();
        let h = content_hash(&a);
        assert_eq!(h.len(), 16);
        assert!(h.chars().all(|c| c.is_ascii_hexdigit()));
        let mut b = a.clone();
        b.title = " 嘉兴各界\u{200B}认真学习 ".into();
        b.sections[0].paragraphs[1] = "第二段　ＡＢＣ".into();
        b.fetched_at = chrono::Utc::now();
        b.source_id = "other".into();
        assert_eq!(content_hash(&b), h);

        let mut c = a.clone();
        c.sections[0].paragraphs[0] = "第一段改了。".into();
        assert_ne!(content_hash(&c), h);
        let mut d = a.clone();
        d.kicker = Some(String::new());
        assert_ne!(content_hash(&d), h, "an empty kicker differs from none");
        let mut e = a.clone();
        e.quotes[0].speaker = None;
        assert_ne!(content_hash(&e), h);
        // Moving text between fields changes the hash.
        let mut f = a.clone();
        f.sections[0].paragraphs = vec!["第一段。第二段 ABC".into()];
        assert_ne!(content_hash(&f), h);
    }
}
