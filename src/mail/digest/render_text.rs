//! The digest's `text/plain` body: a readable plain-text document written
//! directly (not converted from HTML), wrapped at 78 columns with East Asian
//! wide characters counted as two columns. Words and URLs are never split.

use std::fmt::Write as _;

use super::revised::{RevisedView, REVISED_HEADING};
use super::view::{more_line, DigestView, ItemView};
use crate::mail::text::is_extending;

/// Wrap width in columns.
pub(super) const WIDTH: usize = 78;

/// Display width of one character: 2 for East Asian wide/fullwidth, 0 for
/// combining marks and similar, 1 otherwise.
pub(super) fn char_width(c: char) -> usize {
    if is_extending(c) {
        return 0;
    }
    let cp = c as u32;
    let wide = matches!(
        cp,
        0x1100..=0x115F
            | 0x231A..=0x231B
            | 0x2329..=0x232A
            | 0x23E9..=0x23EC
            | 0x23F0
            | 0x23F3
            | 0x25FD..=0x25FE
            | 0x2614..=0x2615
            | 0x2648..=0x2653
            | 0x267F
            | 0x2693
            | 0x26A1
            | 0x26AA..=0x26AB
            | 0x26BD..=0x26BE
            | 0x26C4..=0x26C5
            | 0x26CE
            | 0x26D4
            | 0x26EA
            | 0x26F2..=0x26F3
            | 0x26F5
            | 0x26FA
            | 0x26FD
            | 0x2705
            | 0x270A..=0x270B
            | 0x2728
            | 0x274C
            | 0x274E
            | 0x2753..=0x2755
            | 0x2757
            | 0x2795..=0x2797
            | 0x27B0
            | 0x27BF
            | 0x2B1B..=0x2B1C
            | 0x2B50
            | 0x2B55
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xA960..=0xA97F
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE10..=0xFE19
            | 0xFE30..=0xFE6F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x16FE0..=0x16FE4
            | 0x17000..=0x18CFF
            | 0x1B000..=0x1B2FF
            | 0x1F004
            | 0x1F0CF
            | 0x1F18E
            | 0x1F191..=0x1F19A
            | 0x1F200..=0x1F251
            | 0x1F300..=0x1F64F
            | 0x1F680..=0x1F6FF
            | 0x1F900..=0x1F9FF
            | 0x1FA70..=0x1FAFF
            | 0x20000..=0x3FFFD
    );
    if wide {
        2
    } else {
        1
    }
}

/// Display width of a string.
pub(super) fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Characters that must not begin a line (closing punctuation).
fn no_line_start(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '！'
            | '？'
            | '）'
            | '」'
            | '』'
            | '》'
            | '〉'
            | '】'
            | '〕'
            | '”'
            | '’'
            | '…'
            | '·'
            | '・'
            | '％'
            | ','
            | '.'
            | ';'
            | ':'
            | '!'
            | '?'
            | ')'
            | ']'
            | '}'
            | '%'
    )
}

/// Characters that must not end a line (opening punctuation).
fn no_line_end(c: char) -> bool {
    matches!(
        c,
        '（' | '「' | '『' | '《' | '〈' | '【' | '〔' | '“' | '‘' | '(' | '[' | '{'
    )
}

/// An unbreakable piece of text and whether a space precedes it.
struct Token {
    text: String,
    width: usize,
    space_before: bool,
}

/// Splits clean single-line text into unbreakable tokens: runs of narrow
/// non-space characters (words, URLs) and single wide characters, with
/// opening/closing punctuation glued to their neighbours.
fn tokenize(text: &str) -> Vec<Token> {
    // Raw tokens first.
    let mut raw: Vec<Token> = Vec::new();
    let mut space = false;
    let mut current: Option<Token> = None;
    for c in text.chars() {
        if c.is_whitespace() {
            if let Some(t) = current.take() {
                raw.push(t);
            }
            space = true;
            continue;
        }
        let w = char_width(c);
        if w == 2 {
            if let Some(t) = current.take() {
                raw.push(t);
            }
            raw.push(Token {
                text: c.to_string(),
                width: 2,
                space_before: space,
            });
        } else {
            match &mut current {
                Some(t) => {
                    t.text.push(c);
                    t.width += w;
                }
                None => {
                    current = Some(Token {
                        text: c.to_string(),
                        width: w,
                        space_before: space,
                    });
                }
            }
        }
        space = false;
    }
    if let Some(t) = current.take() {
        raw.push(t);
    }

    // Glue: no break before closing or after opening punctuation, and none
    // before a zero-width (combining) start.
    let mut out: Vec<Token> = Vec::with_capacity(raw.len());
    for t in raw {
        let glue = match out.last() {
            Some(prev) if !t.space_before => {
                let first = t.text.chars().next().unwrap_or(' ');
                let last = prev.text.chars().next_back().unwrap_or(' ');
                no_line_start(first) || no_line_end(last) || char_width(first) == 0
            }
            _ => false,
        };
        match out.last_mut() {
            Some(prev) if glue => {
                prev.text.push_str(&t.text);
                prev.width += t.width;
            }
            _ => out.push(t),
        }
    }
    out
}

/// Appends `text` wrapped to [`WIDTH`] columns: the first line starts with
/// `first`, later lines with `indent`. Every line ends with `\n`. A token
/// wider than the line (a long URL or word) gets a line of its own.
pub(super) fn wrap_into(out: &mut String, text: &str, first: &str, indent: &str) {
    let mut line = String::from(first);
    let mut line_width = width(first);
    let mut empty = true;
    let indent_width = width(indent);
    for t in tokenize(text) {
        let gap = usize::from(!empty && t.space_before);
        if !empty && line_width + gap + t.width > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(indent);
            line_width = indent_width;
            empty = true;
        }
        if !empty && t.space_before {
            line.push(' ');
            line_width += 1;
        }
        line.push_str(&t.text);
        line_width += t.width;
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// Renders the text body.
pub(super) fn render(view: &DigestView) -> String {
    let mut out = String::new();
    let headline = if view.total == 0 {
        format!("reformwatch digest for {}: no new articles", view.recipient)
    } else {
        format!(
            "reformwatch digest for {}: {} article{}",
            view.recipient,
            view.total,
            if view.total == 1 { "" } else { "s" }
        )
    };
    wrap_into(&mut out, &headline, "", "");
    wrap_into(
        &mut out,
        &format!("{} ({})", view.generated, view.tz_name),
        "",
        "",
    );

    for group in &view.groups {
        out.push('\n');
        let heading = format!("{} ({})", group.name, group.total);
        wrap_into(&mut out, &heading, "", "");
        let underline = width(&heading).min(WIDTH);
        out.push_str(&"=".repeat(underline));
        out.push('\n');
        for item in &group.items {
            out.push('\n');
            item_text(&mut out, item);
        }
        if group.more > 0 {
            out.push('\n');
            wrap_into(&mut out, &more_line(group.more, &group.name), "", "");
        }
    }

    if view.omitted > 0 {
        out.push('\n');
        wrap_into(
            &mut out,
            &format!(
                "… and {} more article{} not shown here (see `reformwatch articles`).",
                view.omitted,
                if view.omitted == 1 { "" } else { "s" }
            ),
            "",
            "",
        );
    }

    if !view.revisions.is_empty() {
        revised_text(&mut out, &view.revisions);
    }

    out.push_str("\n-- \n");
    let topics = if view.topic_names.is_empty() {
        "none".to_owned()
    } else {
        view.topic_names.join(", ")
    };
    wrap_into(
        &mut out,
        &format!("Sent by reformwatch. Your topics: {topics}."),
        "",
        "",
    );
    out
}

fn item_text(out: &mut String, item: &ItemView) {
    let number = format!("{}. ", item.number);
    let indent = " ".repeat(width(&number).max(4));
    let first = format!("{number:<width$}", width = indent.len());
    wrap_into(out, &item.title, &first, &indent);

    let mut meta = format!("{} · {}", item.source, item.time);
    if item.revision > 1 {
        meta.push_str(&format!(" · revised (r{})", item.revision));
    }
    wrap_into(out, &meta, &indent, &indent);

    if !item.terms.is_empty() {
        wrap_into(
            out,
            &format!("Terms: {}", item.terms.join(", ")),
            &indent,
            &indent,
        );
    }
    if !item.also.is_empty() {
        wrap_into(
            out,
            &format!("Also in: {}", item.also.join(", ")),
            &indent,
            &indent,
        );
    }
    if let Some(lead) = &item.lead {
        wrap_into(out, lead, &indent, &indent);
    }
    if let Some(url) = &item.url {
        out.push_str(&indent);
        out.push_str(url);
        out.push('\n');
    }
}

/// The Revised section: a heading, then per article its title, source,
/// meta line, link, and the diff text unchanged (not re-wrapped, so it reads
/// exactly as `reformwatch diff` prints it).
fn revised_text(out: &mut String, revisions: &[RevisedView]) {
    out.push('\n');
    let heading = format!("{REVISED_HEADING} ({})", revisions.len());
    let _ = writeln!(out, "{heading}\n{}", "=".repeat(heading.chars().count()));
    for item in revisions {
        out.push('\n');
        let _ = writeln!(out, "* {}", item.title);
        let _ = writeln!(out, "  {} · {}", item.source, item.meta);
        if let Some(url) = &item.url {
            let _ = writeln!(out, "  {url}");
        }
        out.push('\n');
        out.push_str(&item.diff_text);
    }
}
