//! Pure: canonical URLs, text normalization and content hashes.
//!
//! Owns what "the same article" and "the same text" mean: [`canonical_url`]
//! (identity of a link), [`normalize_text`] (the width-, case- and
//! invisible-character-insensitive form used for hashing and matching),
//! [`clean_inline`] / [`html_to_paragraphs`] (display text from feed HTML),
//! and [`content_hash`] (a change of it means a new revision).

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;
use url::Url;
use xxhash_rust::xxh3::Xxh3;

use crate::document::text_hygiene::is_invisible;
use crate::model::Article;

mod paragraphs;

pub use paragraphs::html_to_paragraphs;
pub(crate) use paragraphs::plain_to_paragraphs;

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

/// The identity reformwatch gives an article its source names no id for:
/// `gen:` + `basis` (a canonical link, or a content hash when there is no
/// link). The prefix keeps generated ids apart from real feed guids.
pub fn generated_guid(basis: &str) -> String {
    format!("gen:{basis}")
}

/// The guid of a scraped page: [`generated_guid`] of its canonical link.
pub fn page_guid(url: &Url) -> String {
    generated_guid(&canonical_url(url))
}

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
    String::from(u)
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
fn fold_chars(s: &str, display: bool) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, display, false, &mut out);
    out
}

/// [`fold_pieces`] into `out`; false if `quick` met a character it cannot
/// map (`out` then holds part of the text).
fn fold_into(s: &str, display: bool, quick: bool, out: &mut String) -> bool {
    fold_pieces(s, display, quick, |piece| match piece {
        Piece::Text(t) => out.push_str(t),
        Piece::Char(c) => out.push(c),
    })
    .is_some()
}

/// A piece of folded text: a slice of the input as it is, or one character.
enum Piece<'a> {
    Text(&'a str),
    Char(char),
}

/// What folding does with a character.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fold {
    Keep,
    Space,
    Drop,
}

/// Classifies `c` for folding; ASCII and CJK ideographs, most of the text
/// folded, take the short way.
#[inline(always)]
fn fold_class(c: char, display: bool) -> Fold {
    if c.is_ascii() {
        return match c as u8 {
            b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' => Fold::Space,
            0..=0x1f | 0x7f => Fold::Drop,
            _ => Fold::Keep,
        };
    }
    if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
        Fold::Keep
    } else if c.is_whitespace() {
        Fold::Space
    } else if c.is_control() || (is_invisible(c) && !(display && is_written_mark(c))) {
        Fold::Drop
    } else {
        Fold::Keep
    }
}

/// [`fold_chars`] as a stream of pieces: runs of characters that pass
/// unchanged are handed out as slices (no per-character copying). With
/// `quick`, each character is first replaced by its [`quick_nfkc`] form,
/// and `None` comes back as soon as one has none (some pieces may have
/// been handed out). Otherwise returns whether anything was handed out.
fn fold_pieces<'a>(
    s: &'a str,
    display: bool,
    quick: bool,
    mut out: impl FnMut(Piece<'a>),
) -> Option<bool> {
    let bytes = s.as_bytes();
    let mut pending_space = false;
    let mut started = false;
    let mut run: Option<usize> = None;
    let flush = |run: &mut Option<usize>, end: usize, out: &mut dyn FnMut(Piece<'a>)| {
        if let Some(start) = run.take() {
            out(Piece::Text(&s[start..end]));
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        // Printable ASCII and CJK ideographs (U+4E00–U+9FFF: lead byte E4
        // with B8 or more after it, or E5–E9), most of what is folded, are
        // their own NFKC form and kept: no decoding or classifying.
        let b = bytes[i];
        let plain = if (0x21..0x7F).contains(&b) {
            1
        } else if (0xE5..=0xE9).contains(&b) || (b == 0xE4 && bytes[i + 1] >= 0xB8) {
            3
        } else {
            0
        };
        if plain > 0 {
            if pending_space && started {
                out(Piece::Char(' '));
            }
            pending_space = false;
            started = true;
            run.get_or_insert(i);
            i += plain;
            continue;
        }
        let Some(c) = s[i..].chars().next() else {
            break;
        };
        let m = if quick { quick_nfkc(c)? } else { c };
        match fold_class(m, display) {
            Fold::Space => {
                flush(&mut run, i, &mut out);
                pending_space = true;
            }
            Fold::Drop => flush(&mut run, i, &mut out),
            Fold::Keep => {
                if pending_space && started {
                    out(Piece::Char(' '));
                }
                pending_space = false;
                started = true;
                if m != c {
                    flush(&mut run, i, &mut out);
                    out(Piece::Char(m));
                } else if run.is_none() {
                    run = Some(i);
                }
            }
        }
        i += c.len_utf8();
    }
    flush(&mut run, s.len(), &mut out);
    Some(started)
}

/// The comparison form of text: NFKC (full/half width unified), zero-width,
/// bidi and control characters removed, whitespace runs folded to one space,
/// trimmed.
pub fn normalize_text(s: &str) -> String {
    // One pass when the quick NFKC path covers the text, as it usually does.
    let mut out = String::with_capacity(s.len());
    if fold_into(s, false, true, &mut out) {
        return out;
    }
    let full: String = s.nfkc().collect();
    fold_chars(&full, false)
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
    // Start of the run of unchanged characters not yet copied to `out`.
    let mut run = 0;
    for (i, c) in s.char_indices() {
        match quick_nfkc(c) {
            Some(m) if m == c => {}
            Some(m) => {
                let o = out.get_or_insert_with(|| String::with_capacity(s.len()));
                o.push_str(&s[run..i]);
                o.push(m);
                run = i + c.len_utf8();
            }
            None => return Cow::Owned(s.nfkc().collect()),
        }
    }
    match out {
        Some(mut o) => {
            o.push_str(&s[run..]);
            Cow::Owned(o)
        }
        None => Cow::Borrowed(s),
    }
}

/// The NFKC form of `c` when it is known without the normalizer: one
/// character that neither decomposes further nor composes with what is
/// around it (checked against the normalizer by a unit test).
#[inline(always)]
fn quick_nfkc(c: char) -> Option<char> {
    // The common cases first: ASCII, then CJK ideographs.
    if c.is_ascii() || ('\u{4E00}'..='\u{9FFF}').contains(&c) {
        return Some(c);
    }
    match c {
        '\u{2010}'
        | '\u{2012}'..='\u{2016}'
        | '\u{2018}'..='\u{2022}'
        | '\u{3001}'..='\u{3002}'
        | '\u{3008}'..='\u{3011}'
        | '\u{3014}'..='\u{301F}'
        | '\u{3400}'..='\u{4DBF}' => Some(c),
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
    fold_chars(&stripped_again, true)
}

/// Display text of an HTML fragment that declares itself HTML (Atom
/// `type="html"`): tags removed and entities decoded once, so an escaped
/// `&lt;blink&gt;` shows as `<blink>`; whitespace folded as in [`clean_inline`].
pub fn html_inline(s: &str) -> String {
    let stripped = strip_tags(s);
    let decoded = html_escape::decode_html_entities(&stripped);
    fold_chars(&decoded, true)
}

/// Display text of plain text (Atom `type="text"`): taken literally, so
/// `<b>` stays as written; only whitespace and invisible characters are
/// folded as in [`clean_inline`].
pub fn clean_plain(s: &str) -> String {
    fold_chars(s, true)
}

/// The same as [`clean_inline`] for text that is already entity-decoded.
fn clean_decoded(s: &str) -> String {
    let stripped = strip_tags(s);
    fold_chars(&stripped, true)
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
            hash_normalized(h, v);
        }
        h.update(FIELD);
    }
    let mut h = Xxh3::new();
    opt(&mut h, b"kicker", article.kicker.as_deref());
    opt(&mut h, b"title", Some(&article.title));
    opt(&mut h, b"subtitle", article.subtitle.as_deref());
    opt(&mut h, b"byline", article.byline.as_deref());
    let published = article.published_at.map(rfc3339_seconds);
    opt(&mut h, b"published", published.as_deref());
    h.update(b"sections");
    for section in &article.sections {
        h.update(ITEM);
        opt(&mut h, b"heading", section.heading.as_deref());
        for p in &section.paragraphs {
            if hash_normalized(&mut h, p) {
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
    let mut hex = String::with_capacity(16);
    for b in h.digest().to_be_bytes() {
        hex.push(char::from(HEX[usize::from(b >> 4)]));
        hex.push(char::from(HEX[usize::from(b & 0xF)]));
    }
    hex
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Feeds `normalize_text(s)` to the hasher without building it (the bytes
/// are the same, so the hash is); returns whether there were any. Text the
/// quick NFKC path covers is mapped and folded in one pass.
fn hash_normalized(h: &mut Xxh3, s: &str) -> bool {
    fn emit(h: &mut Xxh3) -> impl FnMut(Piece<'_>) + '_ {
        |piece| match piece {
            Piece::Text(t) => h.update(t.as_bytes()),
            Piece::Char(c) => h.update(c.encode_utf8(&mut [0u8; 4]).as_bytes()),
        }
    }
    let saved = h.clone();
    if let Some(any) = fold_pieces(s, false, true, emit(h)) {
        return any;
    }
    // A character the quick path does not know: start over, fully.
    *h = saved;
    let full: String = s.nfkc().collect();
    fold_pieces(&full, false, false, emit(h)).unwrap_or(false)
}

/// `2024-09-02T00:15:00Z`: what `to_rfc3339_opts(Secs, true)` writes,
/// without the formatting machinery (one call per hashed article).
fn rfc3339_seconds(d: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::{Datelike, Timelike};
    let Ok(year) = u32::try_from(d.year()) else {
        return d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    };
    if year > 9999 {
        return d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    }
    let mut s = String::with_capacity(20);
    let mut num = |n: u32, width: u32| {
        for i in (0..width).rev() {
            s.push(char::from(b'0' + ((n / 10u32.pow(i)) % 10) as u8));
        }
    };
    num(year, 4);
    num(d.month(), 2);
    num(d.day(), 2);
    num(d.hour(), 2);
    num(d.minute(), 2);
    num(d.second(), 2);
    for (at, sep) in [(4, '-'), (7, '-'), (10, 'T'), (13, ':'), (16, ':')] {
        s.insert(at, sep);
    }
    s.push('Z');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Quote, Section};
    use chrono::TimeZone;

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

    /// normalize_text as first written (NFKC, then a char-by-char fold):
    /// the reference the fast paths must match, or stored hashes would move.
    fn reference_normalize(s: &str) -> String {
        crate::document::text_hygiene::fold_chars(s.nfkc(), s.len())
    }

    #[test]
    fn normalize_text_matches_the_reference() {
        for s in [
            "",
            "  ",
            "全面深化改革，推进（试点）：２０２４年　“改革”—开放。",
            " a\u{200B} \u{200B}b\t\nc\u{00A0}d\u{3000}e ",
            "ｅ\u{301} café ﬁ … ｶﾀｶﾅ 한국어 \u{200D}\u{00AD}x\u{7}",
            "lead\u{FEFF}ing and trailing\u{200E} ",
            // The edges of the byte-level fast path (U+4E00–U+9FFF, printable
            // ASCII) and their neighbours, which take the general path.
            "\u{4DBF}\u{4DC0}\u{4DFF}\u{4E00} \u{9FFF}\u{A000}~\u{7F}! \u{3400}\u{FF0C}",
        ] {
            assert_eq!(normalize_text(s), reference_normalize(s), "{s:?}");
        }
    }

    #[test]
    fn content_hash_streams_what_normalize_text_gives() {
        // The hash feeds normalized text to the hasher as it folds it; it
        // must equal hashing normalize_text's strings (stored hashes stay).
        let mut a = article();
        a.published_at = Some(chrono::Utc.with_ymd_and_hms(2024, 9, 2, 0, 15, 0).unwrap());
        a.sections[0].paragraphs.push(" \u{200B} ".into());
        a.sections[0]
            .paragraphs
            .push("长".repeat(300) + " ｅ\u{301} …");
        let mut h = Xxh3::new();
        let field = |h: &mut Xxh3, tag: &[u8], v: Option<&str>| {
            h.update(tag);
            if let Some(v) = v {
                h.update(b"=");
                h.update(reference_normalize(v).as_bytes());
            }
            h.update(b"\x1e");
        };
        field(&mut h, b"kicker", None);
        field(&mut h, b"title", Some(&a.title));
        field(&mut h, b"subtitle", None);
        field(&mut h, b"byline", None);
        field(&mut h, b"published", Some("2024-09-02T00:15:00Z"));
        h.update(b"sections");
        h.update(b"\x1f");
        field(&mut h, b"heading", a.sections[0].heading.as_deref());
        for p in &a.sections[0].paragraphs {
            let p = reference_normalize(p);
            if !p.is_empty() {
                h.update(p.as_bytes());
                h.update(b"\x1f");
            }
        }
        h.update(b"\x1e");
        h.update(b"quotes");
        h.update(b"\x1f");
        field(&mut h, b"speaker", Some("王亮"));
        field(&mut h, b"role", Some("市委改革办常务副主任"));
        field(&mut h, b"text", Some("改革"));
        assert_eq!(content_hash(&a), format!("{:016x}", h.digest()));
        for d in [
            chrono::Utc
                .with_ymd_and_hms(1999, 12, 31, 23, 59, 59)
                .unwrap(),
            chrono::Utc.with_ymd_and_hms(2100, 1, 2, 3, 4, 5).unwrap(),
        ] {
            assert_eq!(
                rfc3339_seconds(d),
                d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
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
