//! Reading a received digest: headers as they were on the wire, and the MIME
//! structure and decoded text as a mail client would see them (mail-parser).

use mail_parser::{MessageParser, MimeHeaders};

/// What the tests need to know about one received message.
#[derive(Debug, Clone)]
pub struct ParsedMail {
    /// The `Subject` header exactly as sent (unfolded), e.g. `=?utf-8?b?...?=`.
    pub raw_subject: String,
    /// The subject after RFC 2047 decoding.
    pub subject: String,
    /// `Message-ID`, if any.
    pub message_id: Option<String>,
    /// Top-level MIME type, lower-cased, e.g. `multipart/alternative`.
    pub mime_type: String,
    /// Decoded `text/plain` parts, in order.
    pub text_parts: Vec<String>,
    /// Decoded `text/html` parts, in order.
    pub html_parts: Vec<String>,
    /// Top-level header names, lower-cased, in order (repeats kept).
    pub header_names: Vec<String>,
    /// Attachments (`Content-Disposition: attachment`), in order: file
    /// name and decoded bytes. Their text is in neither list above.
    pub attachments: Vec<(String, Vec<u8>)>,
}

impl ParsedMail {
    /// Parses `raw`; panics (with the raw text) if it is not a message.
    pub fn parse(raw: &[u8]) -> Self {
        let msg = MessageParser::default().parse(raw).unwrap_or_else(|| {
            panic!(
                "received data does not parse as a message:\n{}",
                String::from_utf8_lossy(raw)
            )
        });
        let mime_type = msg
            .content_type()
            .map(|ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("")).to_ascii_lowercase())
            .unwrap_or_else(|| "text/plain".into());
        let mut text_parts = Vec::new();
        let mut html_parts = Vec::new();
        let mut attachments = Vec::new();
        for part in &msg.parts {
            if let Some(name) = part.attachment_name() {
                attachments.push((name.to_string(), part.contents().to_vec()));
                continue;
            }
            let Some(ct) = part.content_type() else {
                continue;
            };
            if !ct.ctype().eq_ignore_ascii_case("text") {
                continue;
            }
            let Some(body) = part.text_contents() else {
                continue;
            };
            match ct.subtype().map(str::to_ascii_lowercase).as_deref() {
                Some("plain") => text_parts.push(body.to_string()),
                Some("html") => html_parts.push(body.to_string()),
                _ => {}
            }
        }
        let (names, raw_subject) = raw_headers(raw);
        ParsedMail {
            raw_subject: raw_subject.unwrap_or_default(),
            subject: msg.subject().unwrap_or_default().to_string(),
            message_id: msg.message_id().map(str::to_string),
            mime_type,
            text_parts,
            html_parts,
            header_names: names,
            attachments,
        }
    }

    /// The bytes of the attachment called `name`, if there is one.
    pub fn attachment(&self, name: &str) -> Option<&[u8]> {
        self.attachments
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
    }

    /// All text parts and HTML parts (entities decoded) joined: "does the
    /// mail mention X anywhere a reader would see it".
    pub fn all_text(&self) -> String {
        let mut s = self.text_parts.join("\n");
        for h in &self.html_parts {
            s.push('\n');
            s.push_str(&decode_entities(h));
        }
        s
    }
}

/// Top-level header names (lower-cased, in order) and the unfolded raw
/// `Subject` value, read from the bytes before the first empty line.
fn raw_headers(raw: &[u8]) -> (Vec<String>, Option<String>) {
    let text = String::from_utf8_lossy(raw);
    let head = text
        .split("\r\n\r\n")
        .next()
        .unwrap_or("")
        .split("\n\n")
        .next()
        .unwrap_or("");
    let mut unfolded: Vec<String> = Vec::new();
    for line in head.lines() {
        let line = line.trim_end_matches('\r');
        if line.starts_with([' ', '\t']) {
            if let Some(last) = unfolded.last_mut() {
                last.push_str(line);
            }
        } else {
            unfolded.push(line.to_string());
        }
    }
    let mut names = Vec::new();
    let mut subject = None;
    for h in &unfolded {
        if let Some((n, v)) = h.split_once(':') {
            let n = n.trim().to_ascii_lowercase();
            if n == "subject" && subject.is_none() {
                subject = Some(v.trim().to_string());
            }
            names.push(n);
        }
    }
    (names, subject)
}

/// Decodes the HTML character references a digest may use: the five XML
/// entities, `&nbsp;` and numeric references.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        // ';' is ASCII, so its byte offset is a char boundary.
        let Some(end) = rest.as_bytes()[..rest.len().min(12)]
            .iter()
            .position(|b| *b == b';')
        else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let ch = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16)
                .ok()
                .and_then(char::from_u32),
            n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `s` without any whitespace: titles may be wrapped or indented in the text
/// part, and Chinese has no spaces to lose.
pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// True when `c` is a CJK ideograph.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF)
}
