//! Pure: the parts of a page no reader sees, taken out before the HTML
//! parser runs. Script, style and SVG bodies and comments are about half
//! the bytes of a modern news page and none of its text, and tokenizing
//! them was most of the parse. The bodies stay available: JSON-LD for the
//! metadata, and page variables (a WeChat account name, a publish time).

use memchr::memmem;

/// Elements whose body is dropped (their tags stay, so structure holds).
const INERT: &[&str] = &["script", "style", "svg", "noscript", "template"];

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
pub(crate) fn strip_inert(html: &str) -> Stripped<'_> {
    let bytes = html.as_bytes();
    let mut out = Stripped {
        html: String::with_capacity(html.len() / 2),
        json_ld: Vec::new(),
        scripts: Vec::new(),
    };
    let mut copied = 0usize;
    let mut at = 0usize;
    while let Some(off) = memchr::memchr(b'<', &bytes[at..]) {
        let lt = at + off;
        let rest = &bytes[lt + 1..];
        if rest.starts_with(b"!--") {
            out.html.push_str(&html[copied..lt]);
            let end =
                memmem::find(&bytes[lt + 4..], b"-->").map_or(bytes.len(), |e| lt + 4 + e + 3);
            copied = end;
            at = end;
            continue;
        }
        let Some(name) = INERT.iter().find(|n| starts_with_tag(rest, n)) else {
            at = lt + 1;
            continue;
        };
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
        out.html.push_str(&html[copied..body_start]);
        copied = body_end;
        at = body_end.max(body_start);
    }
    out.html.push_str(&html[copied..]);
    out
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
        let s = strip_inert(concat!(
            "<head><script type=\"application/ld+json\">{\"headline\":\"H\"}</script>",
            "<STYLE>p{}</STYLE><!-- <p>hidden</p> --></head><body><p>a<b>c</b></p>",
            "<script>var x = '<p>not text</p>';</script><svg><text>no</text></svg>d"
        ));
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
    fn unterminated_parts_run_to_the_end() {
        assert_eq!(strip_inert("<p>x</p><!-- open").html, "<p>x</p>");
        assert_eq!(strip_inert("<p>x</p><script>var").html, "<p>x</p><script>");
        assert_eq!(strip_inert("<p>x<script").html, "<p>x<script");
        assert_eq!(
            strip_inert("<scripts>t</scripts>").html,
            "<scripts>t</scripts>"
        );
    }
}
