//! `articles.csv`: every new article of a digest whose body cannot show
//! them all, one row each, so a reader misses none. Written through the
//! exports' [`Sheet`]: UTF-8 with a byte-order mark (spreadsheet programs
//! then read Chinese correctly), RFC 4180, and no cell a hostile headline
//! could turn into a spreadsheet formula.

use super::view::DigestView;
use crate::export::sheet::Sheet;

/// The file and how many article rows it has: topic by topic in display
/// order, newest first within a topic.
pub(super) fn articles(view: &DigestView) -> Result<(Vec<u8>, usize), ::csv::Error> {
    let mut sheet = Sheet::new();
    let header = view.words.csv_header(&view.tz_name);
    sheet.row(header.iter().map(String::as_str));
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
            sheet.row([
                group.name.as_str(),
                &item.title,
                &item.source,
                item.published.as_deref().unwrap_or(""),
                item.url.as_deref().unwrap_or(""),
                &score,
                &terms,
            ]);
            rows += 1;
        }
    }
    Ok((sheet.finish()?, rows))
}
