//! The digest's `text/html` body: one self-contained document with inline
//! `style` attributes only (no `<style>`, no external CSS, no images, no
//! scripts). All article-derived text is escaped as text, titles and source
//! names are isolated in `<bdi>`, and only `http`/`https` links are emitted.

use std::fmt::Write as _;

use html_escape::{encode_double_quoted_attribute, encode_text};

use super::revised::{RevisedView, REVISED_HEADING};
use super::view::{more_line, DigestView, ItemView};

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
const FOOT: &str =
    "font-size:12px;color:#888;margin:24px 0 0 0;border-top:1px solid #ddd;padding-top:8px;";

/// Renders the HTML body; `subject` becomes the document title.
pub(super) fn render(view: &DigestView, subject: &str) -> String {
    let mut out = String::with_capacity(4096 + view.total * 600);
    out.push_str("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>", encode_text(subject));
    out.push_str("</head>\n");
    let _ = writeln!(out, "<body style=\"{BODY}\">");
    let _ = writeln!(out, "<div style=\"{CARD}\">");
    let headline = if view.total == 0 {
        "no new articles".to_owned()
    } else {
        format!(
            "{} article{}",
            view.total,
            if view.total == 1 { "" } else { "s" }
        )
    };
    let _ = writeln!(
        out,
        "<h1 style=\"{H1}\">reformwatch: {}</h1>",
        encode_text(&headline)
    );
    let _ = writeln!(
        out,
        "<p style=\"{SUB}\">for <bdi>{}</bdi> · {} ({})</p>",
        encode_text(&view.recipient),
        encode_text(&view.generated),
        encode_text(&view.tz_name)
    );

    for group in &view.groups {
        let _ = writeln!(
            out,
            "<h2 style=\"{H2}\"><bdi>{}</bdi> <span style=\"{COUNT}\">({})</span></h2>",
            encode_text(&group.name),
            group.total
        );
        let first = group.items.first().map_or(1, |i| i.number);
        let _ = writeln!(out, "<ol start=\"{first}\" style=\"{OL}\">");
        for item in &group.items {
            item_html(&mut out, item);
        }
        out.push_str("</ol>\n");
        if group.more > 0 {
            let _ = writeln!(
                out,
                "<p style=\"{META}\">{}</p>",
                encode_text(&more_line(group.more, &group.name))
            );
        }
    }

    if view.omitted > 0 {
        let _ = writeln!(
            out,
            "<p style=\"{META}\">… and {} more article{} not shown here (see <code>reformwatch articles</code>).</p>",
            view.omitted,
            if view.omitted == 1 { "" } else { "s" }
        );
    }

    if !view.revisions.is_empty() {
        revised_html(&mut out, &view.revisions);
    }

    let topics = if view.topic_names.is_empty() {
        "none".to_owned()
    } else {
        view.topic_names.join(", ")
    };
    let _ = writeln!(
        out,
        "<p style=\"{FOOT}\">Sent by reformwatch. Your topics: {}.</p>",
        encode_text(&topics)
    );
    out.push_str("</div>\n</body>\n</html>\n");
    out
}

fn item_html(out: &mut String, item: &ItemView) {
    let _ = write!(out, "<li style=\"{LI}\">");
    match &item.url {
        Some(url) => {
            let _ = write!(
                out,
                "<a href=\"{}\" style=\"{TITLE_LINK}\"><bdi>{}</bdi></a>",
                encode_double_quoted_attribute(url),
                encode_text(&item.title)
            );
        }
        None => {
            let _ = write!(
                out,
                "<span style=\"{TITLE_PLAIN}\"><bdi>{}</bdi></span>",
                encode_text(&item.title)
            );
        }
    }
    if item.revision > 1 {
        let _ = write!(
            out,
            " <span style=\"{REVISED}\">revised r{}</span>",
            item.revision
        );
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "<div style=\"{META}\"><bdi>{}</bdi> · {}</div>",
        encode_text(&item.source),
        encode_text(&item.time)
    );
    if !item.terms.is_empty() {
        let _ = writeln!(
            out,
            "<div style=\"{TERMS}\">Terms: {}</div>",
            encode_text(&item.terms.join(", "))
        );
    }
    if !item.also.is_empty() {
        let _ = writeln!(
            out,
            "<div style=\"{TERMS}\">Also in: {}</div>",
            encode_text(&item.also.join(", "))
        );
    }
    if let Some(lead) = &item.lead {
        let _ = writeln!(out, "<p style=\"{LEAD}\">{}</p>", encode_text(lead));
    }
    out.push_str("</li>\n");
}

/// The Revised section: a heading, then per article its title (linked),
/// source and meta line, and the diff's own HTML.
fn revised_html(out: &mut String, revisions: &[RevisedView]) {
    let _ = writeln!(
        out,
        "<h2 style=\"{REVISED_H2}\">{REVISED_HEADING} <span style=\"{COUNT}\">({})</span></h2>",
        revisions.len()
    );
    for item in revisions {
        let _ = writeln!(out, "<div style=\"{LI}\">");
        let title = encode_text(&item.title);
        match &item.url {
            Some(url) => {
                let _ = writeln!(
                    out,
                    "<a href=\"{}\" style=\"{TITLE_LINK}\"><bdi>{title}</bdi></a>",
                    encode_double_quoted_attribute(url)
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "<span style=\"{TITLE_PLAIN}\"><bdi>{title}</bdi></span>"
                );
            }
        }
        let _ = writeln!(
            out,
            "<div style=\"{META}\"><bdi>{}</bdi> · {}</div>",
            encode_text(&item.source),
            encode_text(&item.meta)
        );
        out.push_str(&item.diff_html);
        out.push_str("</div>\n");
    }
}
