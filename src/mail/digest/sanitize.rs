//! Pure: the strict allow-list for article HTML that may reach a digest.
//!
//! Digests today carry article text only, escaped by the renderers; this is
//! the one door through which article *markup* may enter a mail (a lead or
//! excerpt with its emphasis and links kept). Whatever comes in leaves with
//! structural and emphasis tags only: no scripts, styles, frames, forms or
//! images (tracking pixels), no event handlers or `style` attributes, and
//! links only to `http`/`https` with `rel="noopener noreferrer"`.

use std::collections::HashSet;
use std::sync::OnceLock;

/// Tags kept; everything else is unwrapped to its text (or dropped whole,
/// for the [`DROPPED_WITH_CONTENT`] ones).
const TAGS: &[&str] = &[
    "a",
    "b",
    "blockquote",
    "br",
    "em",
    "h3",
    "h4",
    "i",
    "li",
    "ol",
    "p",
    "strong",
    "sub",
    "sup",
    "u",
    "ul",
];

/// Elements removed together with everything inside them.
const DROPPED_WITH_CONTENT: &[&str] = &[
    "script", "style", "noscript", "iframe", "object", "template",
];

fn builder() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::empty();
        b.tags(TAGS.iter().copied().collect::<HashSet<_>>())
            .clean_content_tags(DROPPED_WITH_CONTENT.iter().copied().collect())
            .add_tag_attributes("a", ["href"])
            .url_schemes(["http", "https"].into_iter().collect())
            .url_relative(ammonia::UrlRelative::Deny)
            .link_rel(Some("noopener noreferrer"))
            .strip_comments(true);
        b
    })
}

/// `html` reduced to the digest allow-list (see the module docs). Never
/// fails: malformed markup is parsed the way a browser would, then cleaned.
pub fn article_html(html: &str) -> String {
    builder().clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_scripts_handlers_javascript_and_images() {
        let dirty = r#"<p onclick="steal()" style="color:red">深化<b>改革</b>
<script>alert(1)</script><img src="http://tracker.example/p.gif" onerror="x()">
<a href="javascript:alert(2)">坏链接</a> <a href="https://example.org/a" target="_blank">好链接</a>
<iframe src="http://evil.example/"></iframe><style>p{}</style><!-- note --></p>"#;
        let clean = article_html(dirty);
        let lower = clean.to_ascii_lowercase();
        for bad in [
            "<script",
            "alert(1)",
            "onclick",
            "onerror",
            "style",
            "<img",
            "tracker",
            "javascript:",
            "<iframe",
            "evil",
            "<!--",
            "target",
        ] {
            assert!(!lower.contains(bad), "{bad:?} survived: {clean}");
        }
        assert!(clean.contains("深化<b>改革</b>"), "{clean}");
        assert!(
            clean.contains(
                r#"<a href="https://example.org/a" rel="noopener noreferrer">好链接</a>"#
            ),
            "{clean}"
        );
        assert!(clean.contains("坏链接"), "link text stays: {clean}");
    }

    #[test]
    fn relative_and_data_urls_are_dropped_and_text_is_escaped() {
        let clean =
            article_html(r#"<a href="/local">a</a><a href="data:text/html,x">b</a>1 < 2 & "改革""#);
        assert!(!clean.contains("href"), "{clean}");
        assert!(clean.contains("1 &lt; 2 &amp;"), "{clean}");
    }
}
