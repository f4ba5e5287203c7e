//! `articles.csv`: every new article of a digest whose body cannot show
//! them all, one row each, so a reader misses none. UTF-8 with a byte
//! order mark (spreadsheet programs then read Chinese correctly), RFC 4180
//! (CRLF line ends, fields quoted when they hold a comma, quote or line
//! break, quotes doubled), and formula-safe: a text cell that begins with
//! `=`, `+`, `-` or `@` gets a leading `'`, so a hostile headline cannot
//! become a spreadsheet formula (OWASP's "CSV injection").

use super::view::DigestView;

const BOM: &str = "\u{feff}";

/// The file and how many article rows it has: topic by topic in display
/// order, newest first within a topic.
pub(super) fn articles(view: &DigestView) -> (Vec<u8>, usize) {
    let mut out = String::from(BOM);
    let header = view.words.csv_header(&view.tz_name);
    row(&mut out, header.iter().map(String::as_str));
    let mut rows = 0;
    for group in &view.groups {
        let mut items: Vec<_> = group.items.iter().collect();
        items.sort_by(|a, b| {
            b.sort_time
                .cmp(&a.sort_time)
                .then(b.article_id.cmp(&a.article_id))
        });
        for item in items {
            let score = item.score.map(|s| format!("{s}")).unwrap_or_default();
            let terms = item.terms.join(view.words.csv_terms_sep());
            row(
                &mut out,
                [
                    group.name.as_str(),
                    &item.title,
                    &item.source,
                    item.published.as_deref().unwrap_or(""),
                    item.url.as_deref().unwrap_or(""),
                    &score,
                    &terms,
                ],
            );
            rows += 1;
        }
    }
    (out.into_bytes(), rows)
}

/// Appends one record and its CRLF.
fn row<'a>(out: &mut String, cells: impl IntoIterator<Item = &'a str>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(out, cell);
    }
    out.push_str("\r\n");
}

/// One field, made formula-safe and quoted when RFC 4180 requires it.
fn field(out: &mut String, cell: &str) {
    let guard = cell.starts_with(['=', '+', '-', '@']) && !is_number(cell);
    let quote = cell.contains([',', '"', '\r', '\n']);
    if quote {
        out.push('"');
    }
    if guard {
        out.push('\'');
    }
    if quote {
        out.push_str(&cell.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(cell);
    }
}

/// A plain decimal number such as `-1.5`: a spreadsheet reads it as a
/// number, never as a formula, so it keeps its sign.
fn is_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().filter(|c| *c == '.').count() <= 1
        && digits.chars().any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(s: &str) -> String {
        let mut out = String::new();
        field(&mut out, s);
        out
    }

    #[test]
    fn fields_are_quoted_as_rfc_4180_says() {
        assert_eq!(cell("深化改革"), "深化改革");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn formulas_are_defused_and_numbers_kept() {
        assert_eq!(
            cell("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(cell("+1+2"), "'+1+2");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("=1,2"), "\"'=1,2\"");
        assert_eq!(cell("-1.5"), "-1.5");
        assert_eq!(cell("3"), "3");
        assert_eq!(cell("改革=好"), "改革=好");
    }
}
