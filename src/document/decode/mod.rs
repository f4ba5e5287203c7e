//! Pure: bytes → UTF-8 text. Order: BOM, per-source override, valid UTF-8,
//! HTTP charset, XML prolog, `<meta>` charset, sniffing (chardetng).
//! GB2312/GBK labels decode as GB18030.
//!
//! Also owns the textual fix-up a decoded feed needs before the feed reader
//! walks it ([`prepare_feed_xml`]): a `<` that starts no markup.

use std::borrow::Cow;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, GB18030, GBK, UTF_16BE, UTF_16LE, UTF_8};

/// How far into a document the XML prolog and `<meta>` are looked for.
const PRESCAN_BYTES: usize = 8 * 1024;
/// How many bytes chardetng looks at.
const SNIFF_BYTES: usize = 1024 * 1024;
/// Non-ASCII bytes needed before "no CJK at all" is taken as a wrong label.
const MANY_NON_ASCII: usize = 16;

/// Which rule chose the encoding of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecidedBy {
    /// A UTF-8 or UTF-16 byte-order mark.
    Bom,
    /// The source's configured `encoding`.
    Override,
    /// The bytes were valid UTF-8 with non-ASCII text.
    Utf8,
    /// The HTTP `Content-Type` charset parameter.
    HttpHeader,
    /// The XML declaration's `encoding=`.
    XmlProlog,
    /// An HTML `<meta charset>` or `http-equiv` content type.
    HtmlMeta,
    /// Statistical detection (chardetng), or plain ASCII.
    Sniffed,
}

impl DecidedBy {
    /// A short stable name for logs and the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            DecidedBy::Bom => "bom",
            DecidedBy::Override => "override",
            DecidedBy::Utf8 => "utf8",
            DecidedBy::HttpHeader => "http-header",
            DecidedBy::XmlProlog => "xml-prolog",
            DecidedBy::HtmlMeta => "html-meta",
            DecidedBy::Sniffed => "sniffed",
        }
    }
}

/// A decoded document and how its encoding was chosen.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The text, without a BOM.
    pub text: String,
    /// The encoding used (GB2312/GBK are reported as GB18030).
    pub encoding: &'static Encoding,
    /// Which rule chose it.
    pub decided_by: DecidedBy,
    /// How many U+FFFD replacement characters decoding introduced.
    pub replacements: usize,
}

/// The encoding named by a `Content-Type` header's `charset` parameter.
pub fn charset_from_content_type(ct: &str) -> Option<&'static Encoding> {
    ct.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        Encoding::for_label(value.as_bytes()).map(decoder_for)
    })
}

/// GB2312/GBK/GB18030 all decode with the GB18030 decoder.
fn decoder_for(enc: &'static Encoding) -> &'static Encoding {
    if enc == GBK {
        GB18030
    } else {
        enc
    }
}

/// Decodes a fetched document to UTF-8 text.
///
/// Order: BOM; `forced`; valid UTF-8 with non-ASCII text; HTTP charset; XML
/// prolog; `<meta>` in the first 8 KB; chardetng (tld `cn`). A declared
/// charset whose result looks wrong (over 1 % U+FFFD, or a CJK charset
/// that yields no CJK from many non-ASCII bytes) loses to the next candidate
/// and to sniffing, and the best result is kept.
pub fn decode_document(
    bytes: &[u8],
    content_type: Option<&str>,
    forced: Option<&'static Encoding>,
) -> Decoded {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return decode_with(&bytes[bom_len..], enc, DecidedBy::Bom);
    }
    if let Some(enc) = forced {
        return decode_with(bytes, decoder_for(enc), DecidedBy::Override);
    }
    // One validation pass decides the common case, and its result is the text.
    let non_ascii = match std::str::from_utf8(bytes) {
        Ok(text) if !text.is_ascii() => {
            return Decoded {
                text: text.to_owned(),
                encoding: UTF_8,
                decided_by: DecidedBy::Utf8,
                replacements: 0,
            }
        }
        Ok(_) => 0,
        Err(_) => bytes.iter().filter(|b| !b.is_ascii()).count(),
    };

    let head = &bytes[..bytes.len().min(PRESCAN_BYTES)];
    let mut declared: Vec<(&'static Encoding, DecidedBy)> = Vec::with_capacity(3);
    if let Some(enc) = content_type.and_then(charset_from_content_type) {
        if !is_utf16(enc) || head.contains(&0) {
            declared.push((enc, DecidedBy::HttpHeader));
        }
    }
    if let Some(enc) = xml_prolog_encoding(head) {
        declared.push((enc, DecidedBy::XmlProlog));
    }
    if let Some(enc) = meta_charset(head) {
        declared.push((enc, DecidedBy::HtmlMeta));
    }

    let mut best: Option<Decoded> = None;
    for (enc, by) in declared {
        if best.as_ref().is_some_and(|b| b.encoding == enc) {
            continue;
        }
        let d = decode_with(bytes, enc, by);
        if looks_right(&d, non_ascii) {
            return d;
        }
        best = Some(pick_better(best, d));
    }
    // Plain ASCII with no label: every ASCII-compatible charset agrees, so say UTF-8.
    let guess = if non_ascii == 0 { UTF_8 } else { sniff(bytes) };
    let sniffed = decode_with(bytes, guess, DecidedBy::Sniffed);
    pick_better(best, sniffed)
}

fn is_utf16(enc: &'static Encoding) -> bool {
    enc == UTF_16LE || enc == UTF_16BE
}

fn decode_with(bytes: &[u8], enc: &'static Encoding, decided_by: DecidedBy) -> Decoded {
    let enc = decoder_for(enc);
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    let replacements = if had_errors {
        text.chars().filter(|&c| c == '\u{FFFD}').count()
    } else {
        0
    };
    Decoded {
        text: text.into_owned(),
        encoding: enc,
        decided_by,
        replacements,
    }
}

fn is_cjk_encoding(enc: &'static Encoding) -> bool {
    [
        GB18030,
        encoding_rs::BIG5,
        encoding_rs::SHIFT_JIS,
        encoding_rs::EUC_JP,
        encoding_rs::EUC_KR,
        encoding_rs::ISO_2022_JP,
    ]
    .contains(&enc)
}

fn is_cjk_char(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'   // kana
        | '\u{3400}'..='\u{4DBF}' // Han extension A
        | '\u{4E00}'..='\u{9FFF}' // Han
        | '\u{AC00}'..='\u{D7AF}' // Hangul
        | '\u{F900}'..='\u{FAFF}' // Han compatibility
        | '\u{20000}'..='\u{3134F}')
}

/// Few replacements, and CJK text from a CJK charset that had much to decode.
fn looks_right(d: &Decoded, non_ascii_bytes: usize) -> bool {
    let chars = d.text.chars().count().max(1);
    if d.replacements * 100 > chars {
        return false;
    }
    if d.encoding == encoding_rs::REPLACEMENT {
        return false;
    }
    if is_cjk_encoding(d.encoding)
        && non_ascii_bytes >= MANY_NON_ASCII
        && !d.text.chars().any(is_cjk_char)
    {
        return false;
    }
    true
}

/// Fewer replacements win; on a tie, more CJK; on a tie, the earlier one.
fn pick_better(current: Option<Decoded>, candidate: Decoded) -> Decoded {
    let Some(current) = current else {
        return candidate;
    };
    let key = |d: &Decoded| {
        (
            d.encoding != encoding_rs::REPLACEMENT,
            std::cmp::Reverse(d.replacements),
            d.text.chars().filter(|&c| is_cjk_char(c)).count(),
        )
    };
    if key(&candidate) > key(&current) {
        candidate
    } else {
        current
    }
}

fn sniff(bytes: &[u8]) -> &'static Encoding {
    let mut det = EncodingDetector::new(Iso2022JpDetection::Deny);
    let chunk = &bytes[..bytes.len().min(SNIFF_BYTES)];
    det.feed(chunk, chunk.len() == bytes.len());
    det.guess(Some(b"cn"), Utf8Detection::Allow)
}

/// The label of `<?xml … encoding="…"?>` at the very start (after blanks).
fn xml_prolog_encoding(head: &[u8]) -> Option<&'static Encoding> {
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = &head[start..];
    if !rest.starts_with(b"<?xml") {
        return None;
    }
    let end = find(rest, b"?>")?;
    let decl = &rest[..end];
    let label = attr_value(decl, b"encoding")?;
    let enc = Encoding::for_label(label)?;
    // An ASCII-compatible byte stream cannot really be UTF-16 (WHATWG rule).
    Some(if is_utf16(enc) {
        UTF_8
    } else {
        decoder_for(enc)
    })
}

/// The charset of the first `<meta charset=…>` or
/// `<meta http-equiv="Content-Type" content="…; charset=…">`.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = find(&lower[from..], b"<meta") {
        let tag_start = from + i + 5;
        let tag_end = find(&lower[tag_start..], b">").map_or(lower.len(), |e| tag_start + e);
        let tag = &lower[tag_start..tag_end];
        if let Some(pos) = find(tag, b"charset") {
            let after = tag[pos + 7..].trim_ascii_start();
            if let Some(after) = after.strip_prefix(b"=") {
                let after = after.trim_ascii_start();
                let after = after
                    .strip_prefix(b"\"")
                    .or_else(|| after.strip_prefix(b"'"))
                    .unwrap_or(after);
                let n = after
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || b"-_:.".contains(b))
                    .count();
                if let Some(enc) = Encoding::for_label(&after[..n]) {
                    return Some(if is_utf16(enc) {
                        UTF_8
                    } else {
                        decoder_for(enc)
                    });
                }
            }
        }
        from = tag_end;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The value of `name="…"` or `name='…'` inside a tag or declaration.
fn attr_value<'a>(decl: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let pos = find(decl, name)?;
    let rest = decl[pos + name.len()..].trim_ascii_start();
    let rest = rest.strip_prefix(b"=")?.trim_ascii_start();
    let quote = *rest.first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let body = &rest[1..];
    let end = body.iter().position(|&b| b == quote)?;
    Some(body[..end].trim_ascii())
}

/// The one fix-up decoded feed XML needs before the feed reader walks it:
/// a leading BOM is stripped, and a `<` that cannot start markup (`a < b`,
/// `<3`, `<<`), which ill-formed feeds put in titles, becomes `&lt;`, so
/// it stays text instead of swallowing what follows as a bogus tag. CDATA
/// sections and comments are left alone. (Bare `&`, undeclared entities
/// and mismatched tags the reader itself tolerates.)
pub fn prepare_feed_xml(text: &str) -> Cow<'_, str> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0; // bytes of `text` already in `out`
    let mut i = 0;
    while let Some(off) = bytes[i..].iter().position(|&b| b == b'<') {
        i += off;
        let rest = &text[i..];
        if rest.starts_with("<![CDATA[") {
            i = rest.find("]]>").map_or(bytes.len(), |e| i + e + 3);
        } else if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(bytes.len(), |e| i + e + 3);
        } else if starts_markup(&bytes[i + 1..]) {
            i += 1;
        } else {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len() + 64));
            o.push_str(&text[copied..i]);
            o.push_str("&lt;");
            i += 1;
            copied = i;
        }
    }
    match out {
        Some(mut o) => {
            o.push_str(&text[copied..]);
            Cow::Owned(o)
        }
        None => Cow::Borrowed(text),
    }
}

/// Whether the bytes after a `<` can begin a tag, end tag, declaration,
/// processing instruction (a name start, `/`, `!`, `?`).
fn starts_markup(after: &[u8]) -> bool {
    match after.first() {
        Some(b'/' | b'!' | b'?' | b'_' | b':') => true,
        Some(b) => b.is_ascii_alphabetic() || !b.is_ascii(),
        None => false,
    }
}

#[cfg(test)]
mod tests;
