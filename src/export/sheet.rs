//! CSV that a spreadsheet opens as meant: UTF-8 with a byte-order mark
//! (without it Excel reads UTF-8 as the local ANSI code page and Chinese
//! turns to mojibake), RFC 4180 quoting and CRLF line ends by the `csv`
//! writer, and no cell a spreadsheet would run as a formula. The digest's
//! `articles.csv` and `articles --format csv` both write through it.

use std::borrow::Cow;

/// Excel's limit on the characters of one cell; a longer cell is cut.
const CELL_MAX_CHARS: usize = 32_767;

/// A CSV document being written, row by row, into memory.
pub struct Sheet {
    writer: ::csv::Writer<Vec<u8>>,
    failed: Option<::csv::Error>,
}

impl Sheet {
    /// An empty document: just the byte-order mark.
    pub fn new() -> Sheet {
        let writer = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .flexible(true)
            .from_writer("\u{FEFF}".as_bytes().to_vec());
        Sheet {
            writer,
            failed: None,
        }
    }

    /// Appends one record, each text cell made safe ([`safe_cell`]).
    pub fn row<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) {
        if self.failed.is_some() {
            return;
        }
        let cells: Vec<Cow<'_, str>> = cells.into_iter().map(safe_cell).collect();
        if let Err(e) = self.writer.write_record(cells.iter().map(|c| c.as_bytes())) {
            self.failed = Some(e);
        }
    }

    /// The document's bytes. Writing into memory fails only on a bug in
    /// the writer; the first error is kept and returned here.
    pub fn finish(mut self) -> Result<Vec<u8>, ::csv::Error> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        self.writer
            .into_inner()
            .map_err(|e| ::csv::Error::from(e.into_error()))
    }
}

impl Default for Sheet {
    fn default() -> Self {
        Sheet::new()
    }
}

/// A cell a spreadsheet shows as text: one that would start a formula
/// (`=`, `+`, `-`, `@`, or a tab or CR before one) gets a leading
/// apostrophe (OWASP's advice against CSV injection), unless it is a plain
/// signed number such as `-1.5`, which a spreadsheet reads as a number
/// anyway. A cell past Excel's limit is cut there.
pub fn safe_cell(cell: &str) -> Cow<'_, str> {
    let guard = cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_number(cell);
    let long = cell.len() > CELL_MAX_CHARS && cell.chars().nth(CELL_MAX_CHARS).is_some();
    if !guard && !long {
        return Cow::Borrowed(cell);
    }
    let mut out = String::new();
    if guard {
        out.push('\'');
    }
    out.extend(cell.chars().take(CELL_MAX_CHARS - out.len()));
    Cow::Owned(out)
}

/// A plain decimal number such as `-1.5`.
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

    fn sheet(rows: &[&[&str]]) -> String {
        let mut s = Sheet::new();
        for r in rows {
            s.row(r.iter().copied());
        }
        String::from_utf8(s.finish().unwrap()).unwrap()
    }

    #[test]
    fn a_bom_then_rfc_4180_records_with_crlf() {
        assert_eq!(
            sheet(&[&["深化改革", "a,b"], &["say \"hi\"", "two\nlines", ""]]),
            "\u{feff}深化改革,\"a,b\"\r\n\"say \"\"hi\"\"\",\"two\nlines\",\r\n"
        );
    }

    #[test]
    fn formulas_become_text_and_numbers_keep_their_sign() {
        for bad in ["=HYPERLINK(\"x\")", "+1+2", "-2+3", "@SUM(A1)", "\t=1"] {
            assert!(safe_cell(bad).starts_with('\''), "{bad}");
        }
        assert_eq!(safe_cell("-1.5"), "-1.5");
        assert_eq!(safe_cell("3"), "3");
        assert_eq!(safe_cell("改革=好"), "改革=好");
    }

    #[test]
    fn long_cells_are_cut_to_one_spreadsheet_cell() {
        let long = "改".repeat(40_000);
        assert_eq!(safe_cell(&long).chars().count(), 32_767);
        let guarded = format!("={long}");
        assert_eq!(safe_cell(&guarded).chars().count(), 32_767);
    }
}
