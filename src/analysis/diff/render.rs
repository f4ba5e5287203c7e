//! Pure renderings of an [`ArticleDiff`]: plain text (`[-deleted-]`,
//! `{+inserted+}`, `[…]` for unchanged sentences left out) and HTML for
//! mail (`<del>`/`<ins>` with inline colours *and* the same text markers, so
//! the diff reads without colour and survives HTML-to-text conversion).
//! One block per change, headed by its label; all text HTML-escaped;
//! byte-for-byte deterministic.

use std::fmt::Write as _;

use super::{ArticleDiff, FieldChange, Part};
use crate::config::Language;

/// Marks text removed in the new version.
const DEL_STYLE: &str = "background:#fdd;color:#900;text-decoration:line-through";
/// Marks text added in the new version.
const INS_STYLE: &str = "background:#dfd;color:#060;text-decoration:none";
/// The label above each change.
const LABEL_STYLE: &str = "margin:12px 0 4px 0;font-weight:bold;color:#555";
/// The changed text.
const TEXT_STYLE: &str = "margin:0 0 8px 0;line-height:1.6";
/// Unchanged sentences left out.
const GAP_STYLE: &str = "color:#888";

/// The text shown for unchanged sentences left out of a change.
const GAP: &str = "[…]";

impl ArticleDiff {
    /// Plain text: one block per change (its label, then the text indented
    /// by two spaces), blocks separated by a blank line; empty for an empty
    /// diff. Labels in English.
    pub fn to_text(&self) -> String {
        self.to_text_in(Language::En)
    }

    /// [`ArticleDiff::to_text`] with labels in `lang`.
    pub fn to_text_in(&self, lang: Language) -> String {
        let mut out = String::new();
        for change in &self.changes {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&one_line(&change.label_in(self.timezone, lang)));
            out.push('\n');
            if !change.parts.is_empty() {
                out.push_str("  ");
                for part in &change.parts {
                    text_part(&mut out, part);
                }
                out.push('\n');
            }
        }
        out
    }

    /// An HTML fragment for a mail body: a `<div>` per change with its
    /// label and text; `<del>`/`<ins>` carry inline colours and the text
    /// markers. Empty for an empty diff. Labels in English.
    pub fn to_html(&self) -> String {
        self.to_html_in(Language::En)
    }

    /// [`ArticleDiff::to_html`] with labels in `lang`.
    pub fn to_html_in(&self, lang: Language) -> String {
        if self.changes.is_empty() {
            return String::new();
        }
        let mut out = String::from("<div class=\"rw-diff\">\n");
        for change in &self.changes {
            html_change(&mut out, change, self, lang);
        }
        out.push_str("</div>\n");
        out
    }
}

fn text_part(out: &mut String, part: &Part) {
    match part {
        Part::Same(s) => out.push_str(&one_line(s)),
        Part::Del(s) => {
            let _ = write!(out, "[-{}-]", one_line(s));
        }
        Part::Ins(s) => {
            let _ = write!(out, "{{+{}+}}", one_line(s));
        }
        Part::Gap => out.push_str(GAP),
    }
}

/// Line breaks inside a field would break the block layout: shown as spaces.
fn one_line(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains(['\n', '\r']) {
        s.replace(['\n', '\r'], " ").into()
    } else {
        s.into()
    }
}

fn html_change(out: &mut String, change: &FieldChange, diff: &ArticleDiff, lang: Language) {
    let esc = |s: &str| html_escape::encode_text(&one_line(s)).into_owned();
    let _ = writeln!(
        out,
        "<div class=\"rw-change\" data-class=\"{}\">\n<p style=\"{LABEL_STYLE}\">{}</p>",
        change.class.as_str(),
        esc(&change.label_in(diff.timezone, lang)),
    );
    if !change.parts.is_empty() {
        let _ = write!(out, "<p style=\"{TEXT_STYLE}\">");
        for part in &change.parts {
            match part {
                Part::Same(s) => out.push_str(&esc(s)),
                Part::Del(s) => {
                    let _ = write!(out, "<del style=\"{DEL_STYLE}\">[-{}-]</del>", esc(s));
                }
                Part::Ins(s) => {
                    let _ = write!(out, "<ins style=\"{INS_STYLE}\">{{+{}+}}</ins>", esc(s));
                }
                Part::Gap => {
                    let _ = write!(out, "<span style=\"{GAP_STYLE}\">{GAP}</span>");
                }
            }
        }
        out.push_str("</p>\n");
    }
    out.push_str("</div>\n");
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use chrono_tz::Tz;

    use super::*;
    use crate::analysis::diff::{ChangeClass, ChangeKind, Location};

    fn diff() -> ArticleDiff {
        ArticleDiff {
            changes: vec![
                FieldChange {
                    location: Location::Title,
                    kind: ChangeKind::Changed,
                    class: ChangeClass::Substantive,
                    parts: vec![
                        Part::Same("<b>改革</b> & ".into()),
                        Part::Del("开放".into()),
                        Part::Ins("发展".into()),
                    ],
                    context: None,
                },
                FieldChange {
                    location: Location::Paragraph(5),
                    kind: ChangeKind::Removed,
                    class: ChangeClass::Substantive,
                    parts: vec![Part::Gap, Part::Del("“扛起使命。”".into())],
                    context: Some(crate::analysis::diff::QuoteContext {
                        speaker: Some("王亮".into()),
                    }),
                },
                FieldChange {
                    location: Location::Published {
                        from: Some(chrono::Utc.with_ymd_and_hms(2024, 8, 30, 0, 0, 0).unwrap()),
                        to: Some(chrono::Utc.with_ymd_and_hms(2024, 8, 31, 2, 30, 0).unwrap()),
                    },
                    kind: ChangeKind::Changed,
                    class: ChangeClass::Substantive,
                    parts: vec![],
                    context: None,
                },
            ],
            timezone: Tz::UTC,
        }
    }

    #[test]
    fn text_has_labels_and_markers() {
        let d = diff().in_timezone(Tz::Asia__Shanghai);
        assert_eq!(
            d.to_text(),
            "title changed\n  <b>改革</b> & [-开放-]{+发展+}\n\n\
             paragraph 5 removed (quote by 王亮)\n  […][-“扛起使命。”-]\n\n\
             published time moved from 2024-08-30 08:00 +08:00 to 2024-08-31 10:30 +08:00\n"
        );
    }

    #[test]
    fn html_escapes_and_marks_with_colour_and_text() {
        let html = diff().to_html();
        assert!(html.contains("&lt;b&gt;改革&lt;/b&gt; &amp; "), "{html}");
        assert!(!html.contains("<b>"));
        assert!(html.contains(&format!("<del style=\"{DEL_STYLE}\">[-开放-]</del>")));
        assert!(html.contains(&format!("<ins style=\"{INS_STYLE}\">{{+发展+}}</ins>")));
        assert!(html.contains("background:#fdd") && html.contains("background:#dfd"));
        assert!(html.contains("paragraph 5 removed (quote by 王亮)"));
        assert!(html.contains("2024-08-30 00:00 +00:00"));
        assert_eq!(html, diff().to_html(), "deterministic");
    }

    #[test]
    fn empty_diff_renders_nothing() {
        let d = ArticleDiff {
            changes: vec![],
            timezone: Tz::UTC,
        };
        assert_eq!(d.to_text(), "");
        assert_eq!(d.to_html(), "");
    }
}
