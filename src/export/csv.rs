//! CSV for spreadsheets: UTF-8 with a byte-order mark (without it Excel
//! reads UTF-8 as the local ANSI code page and Chinese turns to mojibake),
//! RFC 4180 quoting and CRLF line ends by the `csv` writer, and no cell a
//! spreadsheet would run as a formula.

use chrono::{DateTime, SecondsFormat, Utc};

use super::{entry_id, ExportError};
use crate::model::ListedArticle;

/// Excel's limit on the characters of one cell; a longer body is cut.
const CELL_MAX_CHARS: usize = 32_767;

/// The header row.
const HEADER: [&str; 17] = [
    "id",
    "article_id",
    "source_id",
    "url",
    "published_at",
    "first_seen_at",
    "updated_at",
    "revisions",
    "kicker",
    "title",
    "subtitle",
    "byline",
    "outlet",
    "topics",
    "terms",
    "lead",
    "text",
];

/// The CSV document of `items`: a BOM, the header row, one row each.
pub fn render(items: &[ListedArticle]) -> Result<Vec<u8>, ExportError> {
    let mut out = "\u{FEFF}".as_bytes().to_vec();
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(&mut out);
    w.write_record(HEADER)?;
    for item in items {
        let a = &item.article;
        let topics: Vec<&str> = item.topic_ids().collect();
        let row = [
            entry_id(item),
            a.id.map(|i| i.to_string()).unwrap_or_default(),
            cell(&a.source_id),
            cell(a.url.as_deref().unwrap_or_default()),
            time(a.published_at),
            time(Some(item.first_seen_at)),
            time(Some(a.fetched_at)),
            item.revisions.to_string(),
            cell(a.kicker.as_deref().unwrap_or_default()),
            cell(&a.title),
            cell(a.subtitle.as_deref().unwrap_or_default()),
            cell(a.byline.as_deref().unwrap_or_default()),
            cell(a.outlet.as_deref().unwrap_or_default()),
            cell(&topics.join("; ")),
            cell(&item.terms().join("; ")),
            cell(a.lead.as_deref().unwrap_or_default()),
            cell(&a.text()),
        ];
        w.write_record(&row)?;
    }
    w.flush().map_err(::csv::Error::from)?;
    drop(w);
    Ok(out)
}

/// A text cell made safe for spreadsheets: one that would start a
/// formula (`=`, `+`, `-`, `@`, or a tab or CR before one) gets a leading
/// apostrophe, which spreadsheets show as text (OWASP's advice); a body
/// past Excel's cell limit is cut there.
fn cell(s: &str) -> String {
    let mut out = String::new();
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        out.push('\'');
    }
    out.extend(s.chars().take(CELL_MAX_CHARS - out.len()));
    out
}

/// RFC 3339 in UTC, empty when unknown.
fn time(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formula_starts_become_text() {
        for bad in ["=HYPERLINK(\"x\")", "+1", "-1+2", "@SUM(A1)", "\t=1"] {
            assert!(cell(bad).starts_with('\''), "{bad}");
        }
        assert_eq!(cell("深化改革 = 进步"), "深化改革 = 进步");
    }

    #[test]
    fn long_bodies_are_cut_to_one_cell() {
        let long = "改".repeat(40_000);
        assert_eq!(cell(&long).chars().count(), 32_767);
    }
}
