//! The digest's `text/html` body: one self-contained document with inline
//! `style` attributes only (no `<style>`, no external CSS, no images, no
//! scripts). All article-derived text is escaped as text, titles and source
//! names are isolated in `<bdi>`, and only `http`/`https` links are emitted.
//! Like the text part, each article is rendered on its own and
//! [`document`] puts the pieces the layout chose together.

use std::fmt::Write as _;

use html_escape::{encode_double_quoted_attribute, encode_text};

use super::body::{Pieces, Shown};
use super::lang::Words;
use super::layout::Tier;
use super::revised::RevisedView;
use super::view::{DigestView, ItemView};

const BODY: &str = "margin:0;padding:16px;background:#f4f4f4;color:#222;\
font-family:-apple-system,'Segoe UI',Roboto,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif;\
font-size:15px;line-height:1.5;";
const CARD: &str =
    "max-width:680px;margin:0 auto;background:#ffffff;padding:20px 24px;border-radius:6px;";
const H1: &str = "font-size:20px;margin:0 0 4px 0;";
const SUB: &str = "font-size:13px;color:#666;margin:0 0 16px 0;";
const H2: &str =
    "font-size:17px;margin:24px 0 8px 0;padding-bottom:4px;border-bottom:2px solid #c0392b;";
const OL: &str = "margin:0;padding-left:24px;";
const LI: &str = "margin:0 0 16px 0;";
const TITLE_LINK: &str = "font-weight:bold;color:#1a4f8b;text-decoration:none;";
const TITLE_PLAIN: &str = "font-weight:bold;";
const META: &str = "font-size:13px;color:#666;margin:2px 0 0 0;";
const TERMS: &str = "font-size:13px;color:#555;margin:2px 0 0 0;";
const LEAD: &str = "margin:4px 0 0 0;";
const REVISED: &str =
    "font-size:12px;color:#ffffff;background:#d35400;padding:0 4px;border-radius:3px;";
const REVISED_H2: &str =
    "font-size:17px;margin:24px 0 8px 0;padding-bottom:4px;border-bottom:2px solid #d35400;";
const COUNT: &str = "color:#888;font-weight:normal;";
const NOTE: &str = "font-size:14px;color:#444;margin:0 0 12px 0;";
const MORE: &str = "font-size:13px;color:#666;margin:8px 0 4px 0;";
const UL: &str = "margin:0;padding-left:20px;font-size:14px;";
const FOOT: &str =
    "font-size:12px;color:#888;margin:24px 0 0 0;border-top:1px solid #ddd;padding-top:8px;";

/// The HTML part (the same content as [`super::render_text::document`]);
/// `subject` becomes the document title.
pub(super) fn document(view: &DigestView, shown: &Shown, pieces: &Pieces, subject: &str) -> String {
    let words = view.words;
    let mut out = String::with_capacity(100_000);
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">",
        words.html_lang()
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>", encode_text(subject));
    out.push_str("</head>\n");
    let _ = writeln!(out, "<body style=\"{BODY}\">");
    let _ = writeln!(out, "<div style=\"{CARD}\">");
    let _ = writeln!(
        out,
        "<h1 style=\"{H1}\">{}</h1>",
        encode_text(&words.html_headline(view.total))
    );
    let _ = writeln!(
        out,
        "<p style=\"{SUB}\">{}<bdi>{}</bdi> · {}</p>",
        words.for_recipient(),
        encode_text(&view.recipient),
        encode_text(&words.zoned(&view.generated, &view.tz_name))
    );
    if shown.articles_attached {
        let note = words.attachment_note(shown.new_total);
        let _ = writeln!(out, "<p style=\"{NOTE}\">{}</p>", encode_text(&note));
    }

    let mut number = 0usize;
    for (g, group) in view.groups.iter().enumerate() {
        let show = &shown.groups[g];
        let _ = writeln!(
            out,
            "<h2 style=\"{H2}\"><bdi>{}</bdi> <span style=\"{COUNT}\">{}</span></h2>",
            encode_text(&group.name),
            words.count(group.items.len())
        );
        if !show.full.is_empty() {
            let _ = writeln!(out, "<ol start=\"{}\" style=\"{OL}\">", number + 1);
            for &i in &show.full {
                out.push_str(&pieces.items[g][i].full.html);
            }
            out.push_str("</ol>\n");
            number += show.full.len();
        }
        if !show.lines.is_empty() {
            let _ = writeln!(out, "<p style=\"{MORE}\">{}</p>", words.more_heading());
            let _ = writeln!(out, "<ul style=\"{UL}\">");
            for &i in &show.lines {
                out.push_str(&pieces.items[g][i].line.html);
            }
            out.push_str("</ul>\n");
        }
        if show.attached > 0 {
            let note = words.only_attached(show.attached, &group.name);
            let _ = writeln!(out, "<p style=\"{META}\">{}</p>", encode_text(&note));
        }
    }

    if !view.revisions.is_empty() {
        let _ = writeln!(
            out,
            "<h2 style=\"{REVISED_H2}\">{} <span style=\"{COUNT}\">{}</span></h2>",
            words.revised_heading(),
            words.count(view.revisions.len())
        );
        for r in shown.revised_of(Tier::Full) {
            out.push_str(&pieces.revised[r].full.html);
        }
        if shown.revised.contains(&Tier::Line) {
            let _ = writeln!(out, "<ul style=\"{UL}\">");
            for r in shown.revised_of(Tier::Line) {
                out.push_str(&pieces.revised[r].line.html);
            }
            out.push_str("</ul>\n");
        }
        let attached = shown.revised_of(Tier::Attached).count();
        if attached > 0 {
            let note = words.revised_only_attached(attached);
            let _ = writeln!(out, "<p style=\"{META}\">{}</p>", encode_text(&note));
        }
    }

    let _ = writeln!(
        out,
        "<p style=\"{FOOT}\">{}</p>",
        encode_text(&words.footer(&view.topic_names))
    );
    out.push_str("</div>\n</body>\n</html>\n");
    out
}

/// A title, linked when it has a safe URL, isolated in `<bdi>`.
fn title(out: &mut String, title: &str, url: Option<&str>, style: &str) {
    match url {
        Some(url) => {
            let _ = write!(
                out,
                "<a href=\"{}\"{style}><bdi>{}</bdi></a>",
                encode_double_quoted_attribute(url),
                encode_text(title)
            );
        }
        None => {
            let _ = write!(out, "<span{style}><bdi>{}</bdi></span>", encode_text(title));
        }
    }
}

/// One new article in full: a list item with its linked title, source and
/// time, terms, other topics and lead.
pub(super) fn item_full(item: &ItemView, words: Words) -> String {
    let mut out = String::new();
    let _ = write!(out, "<li style=\"{LI}\">");
    styled_title(&mut out, &item.title, item.url.as_deref());
    if item.revision > 1 {
        let _ = write!(
            out,
            " <span style=\"{REVISED}\">{}</span>",
            encode_text(&words.revised_badge(item.revision))
        );
    }
    out.push('\n');
    meta_line(&mut out, &item.source, &item.time);
    if !item.terms.is_empty() {
        let terms = item.terms.join(words.terms_sep());
        let _ = writeln!(
            out,
            "<div style=\"{TERMS}\">{}{}</div>",
            words.terms_label(),
            encode_text(&terms)
        );
    }
    if !item.also.is_empty() {
        let also = item.also.join(words.list_sep());
        let _ = writeln!(
            out,
            "<div style=\"{TERMS}\">{}{}</div>",
            words.also_label(),
            encode_text(&also)
        );
    }
    if let Some(lead) = &item.lead {
        let _ = writeln!(out, "<p style=\"{LEAD}\">{}</p>", encode_text(lead));
    }
    if let Some(copies) = &item.copies {
        let _ = writeln!(out, "<div style=\"{TERMS}\">{}</div>", encode_text(copies));
    }
    for changed in &item.changed {
        let _ = writeln!(
            out,
            "<div style=\"{TERMS}\">{}</div>\n{}",
            encode_text(&changed.head),
            changed.diff_html
        );
    }
    out.push_str("</li>\n");
    out
}

/// One new article as a one-line entry: linked title · source · time.
pub(super) fn item_line(item: &ItemView) -> String {
    let mut out = String::from("<li>");
    title(&mut out, &item.title, item.url.as_deref(), "");
    let _ = writeln!(
        out,
        " · <bdi>{}</bdi> · {}</li>",
        encode_text(&item.source),
        encode_text(&item.time)
    );
    out
}

/// A title in the full form's style: a link when there is a URL.
fn styled_title(out: &mut String, text: &str, url: Option<&str>) {
    let style = if url.is_some() {
        TITLE_LINK
    } else {
        TITLE_PLAIN
    };
    title(out, text, url, &format!(" style=\"{style}\""));
}

/// The line under a full title: source name and time (or revision facts).
fn meta_line(out: &mut String, source: &str, meta: &str) {
    let _ = writeln!(
        out,
        "<div style=\"{META}\"><bdi>{}</bdi> · {}</div>",
        encode_text(source),
        encode_text(meta)
    );
}

/// One revised article in full: its title (linked), source and meta line,
/// and the diff's own HTML.
pub(super) fn revised_full(item: &RevisedView) -> String {
    let mut out = format!("<div style=\"{LI}\">\n");
    styled_title(&mut out, &item.title, item.url.as_deref());
    out.push('\n');
    meta_line(&mut out, &item.source, &item.meta);
    out.push_str(&item.diff_html);
    out.push_str("</div>\n");
    out
}

/// One revised article as a one-line entry pointing to `revisions.txt`.
pub(super) fn revised_line(item: &RevisedView, words: Words) -> String {
    let mut out = String::from("<li>");
    title(&mut out, &item.title, item.url.as_deref(), "");
    let _ = writeln!(
        out,
        " · <bdi>{}</bdi> · {} · {}</li>",
        encode_text(&item.source),
        encode_text(&item.meta),
        encode_text(&words.diff_attached())
    );
    out
}
