//! The digest's `text/plain` body: a readable plain-text document written
//! directly (not converted from HTML), wrapped at 78 columns with East Asian
//! wide characters counted as two columns. Words and URLs are never split.
//! Each article is rendered on its own (in full or as one entry) so the
//! layout can weigh it; [`document`] puts the chosen pieces together.

use std::fmt::Write as _;

use super::body::{Pieces, Shown};
use super::layout::Tier;
use super::revised::RevisedView;
use super::view::{DigestView, ItemView};
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
            | '\u{a0}'
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
        // A no-break space (inside a date) glues its neighbours.
        if c.is_whitespace() && c != '\u{a0}' {
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

/// The indent of full items when the highest number is `max_number`: the
/// width of `N. `, at least 4, so every item lines up and an item's size
/// does not depend on its number.
pub(super) fn indent_for(max_number: usize) -> usize {
    format!("{max_number}. ").len().max(4)
}

/// The text part: headline, topics (full items numbered across topics,
/// then one-line entries, then what only the attachment has), the Revised
/// section, the footer.
pub(super) fn document(view: &DigestView, shown: &Shown, pieces: &Pieces) -> String {
    let words = view.words;
    let mut out = String::new();
    wrap_into(
        &mut out,
        &words.text_headline(&view.recipient, view.total),
        "",
        "",
    );
    wrap_into(
        &mut out,
        &words.zoned(&view.generated, &view.tz_name),
        "",
        "",
    );
    if shown.articles_attached {
        wrap_into(&mut out, &words.attachment_note(shown.new_total), "", "");
    }

    let mut number = 0usize;
    for (g, group) in view.groups.iter().enumerate() {
        let show = &shown.groups[g];
        out.push('\n');
        let heading = words.heading(&group.name, group.items.len());
        wrap_into(&mut out, &heading, "", "");
        out.push_str(&"=".repeat(width(&heading).min(WIDTH)));
        out.push('\n');
        for &i in &show.full {
            number += 1;
            out.push('\n');
            numbered(
                &mut out,
                number,
                &pieces.items[g][i].full.text,
                pieces.indent,
            );
        }
        if !show.lines.is_empty() {
            out.push('\n');
            out.push_str(words.more_heading());
            out.push('\n');
            for &i in &show.lines {
                out.push_str(&pieces.items[g][i].line.text);
            }
        }
        if show.attached > 0 {
            out.push('\n');
            wrap_into(
                &mut out,
                &words.only_attached(show.attached, &group.name),
                "",
                "",
            );
        }
    }

    if !view.revisions.is_empty() {
        out.push('\n');
        let heading = words.heading(words.revised_heading(), view.revisions.len());
        let _ = writeln!(out, "{heading}\n{}", "=".repeat(width(&heading).min(WIDTH)));
        for r in shown.revised_of(Tier::Full) {
            out.push('\n');
            out.push_str(&pieces.revised[r].full.text);
        }
        if shown.revised.contains(&Tier::Line) {
            out.push('\n');
        }
        for r in shown.revised_of(Tier::Line) {
            out.push_str(&pieces.revised[r].line.text);
        }
        let attached = shown.revised_of(Tier::Attached).count();
        if attached > 0 {
            out.push('\n');
            wrap_into(&mut out, &words.revised_only_attached(attached), "", "");
        }
    }

    out.push_str("\n-- \n");
    wrap_into(&mut out, &words.footer(&view.topic_names), "", "");
    out
}

/// Appends a full item's `text` (which starts with `indent` spaces) with
/// its number written over those spaces.
fn numbered(out: &mut String, number: usize, text: &str, indent: usize) {
    let label = format!("{number}. ");
    out.push_str(&format!("{label:<indent$}"));
    out.push_str(text.get(indent.max(label.len())..).unwrap_or_default());
}

/// One new article in full, its first line starting with `indent` spaces
/// where [`document`] writes its number.
pub(super) fn item_full(item: &ItemView, words: super::lang::Words, indent: usize) -> String {
    let mut out = String::new();
    let pad = " ".repeat(indent);
    wrap_into(&mut out, &item.title, &pad, &pad);

    let mut meta = format!("{} · {}", item.source, item.time);
    if item.revision > 1 {
        meta.push_str(" · ");
        meta.push_str(&words.revised_badge(item.revision));
    }
    wrap_into(&mut out, &meta, &pad, &pad);
    if !item.terms.is_empty() {
        let terms = format!(
            "{}{}",
            words.terms_label(),
            item.terms.join(words.terms_sep())
        );
        wrap_into(&mut out, &terms, &pad, &pad);
    }
    if !item.also.is_empty() {
        let also = format!("{}{}", words.also_label(), item.also.join(words.list_sep()));
        wrap_into(&mut out, &also, &pad, &pad);
    }
    if let Some(lead) = &item.lead {
        wrap_into(&mut out, lead, &pad, &pad);
    }
    if let Some(url) = &item.url {
        let _ = writeln!(out, "{pad}{url}");
    }
    if let Some(copies) = &item.copies {
        wrap_into(&mut out, copies, &pad, &pad);
    }
    for changed in &item.changed {
        wrap_into(&mut out, &changed.head, &pad, &pad);
        out.push_str(&changed.diff_text);
    }
    out
}

/// One new article as a one-line entry: `- title · source · time`, then
/// its link on a line of its own.
pub(super) fn item_line(item: &ItemView) -> String {
    let mut out = String::new();
    let entry = format!("{} · {} · {}", item.title, item.source, item.time);
    wrap_into(&mut out, &entry, "- ", "  ");
    if let Some(url) = &item.url {
        let _ = writeln!(out, "  {url}");
    }
    out
}

/// One revised article in full: title, source and meta line, link, and the
/// diff text unchanged (not re-wrapped, so it reads exactly as
/// `reformwatch diff` prints it).
pub(super) fn revised_full(item: &RevisedView) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "* {}", item.title);
    let _ = writeln!(out, "  {} · {}", item.source, item.meta);
    if let Some(url) = &item.url {
        let _ = writeln!(out, "  {url}");
    }
    out.push('\n');
    out.push_str(&item.diff_text);
    out
}

/// One revised article as a one-line entry pointing to `revisions.txt`.
pub(super) fn revised_line(item: &RevisedView, words: super::lang::Words) -> String {
    let mut out = String::new();
    let entry = format!(
        "{} · {} · {} · {}",
        item.title,
        item.source,
        item.meta,
        words.diff_attached()
    );
    wrap_into(&mut out, &entry, "- ", "  ");
    if let Some(url) = &item.url {
        let _ = writeln!(out, "  {url}");
    }
    out
}

/// `revisions.txt`: the Revised heading, then every article whose diff the
/// body has no room for, exactly as the text part shows a full one.
pub(super) fn revisions_file(view: &DigestView, shown: &Shown, pieces: &Pieces) -> String {
    let words = view.words;
    let n = shown.revised.iter().filter(|t| **t != Tier::Full).count();
    let heading = words.heading(words.revised_heading(), n);
    let mut out = format!("{heading}\n{}\n", "=".repeat(width(&heading).min(WIDTH)));
    for (r, _) in shown
        .revised
        .iter()
        .enumerate()
        .filter(|(_, t)| **t != Tier::Full)
    {
        out.push('\n');
        out.push_str(&pieces.revised[r].full.text);
    }
    out
}
