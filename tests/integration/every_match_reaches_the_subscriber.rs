//! Issue 11: every matched article reaches the subscriber. A digest far too
//! big for one body (3,000 articles from 100 feeds) keeps each body part
//! under 100 KB, shows what fits, and attaches `articles.csv` with every
//! article; the database records as delivered exactly the articles the
//! received message carries, nothing more (the invariant), and nothing is
//! left over for the next digest. The same holds for an immediate
//! subscriber, and for a Revised section of 500 articles whose diffs do not
//! fit (`revisions.txt`).

use std::collections::BTreeSet;

use crate::support::http::{Content, HttpServer, Route};
use crate::support::mail::{squash, ParsedMail};
use crate::support::smtp::SmtpServer;
use crate::support::{exit, rss, Workspace, SUBSCRIBER};

const FEEDS: usize = 100;
const PER_FEED: usize = 30;
/// The size limit of each body part, in bytes before transfer encoding.
const PART_LIMIT: usize = 100_000;
/// The host of every article link the test feeds carry.
const LINK: &str = "http://example.org/";

/// Guid (and link path) of article `i` of feed `f`.
fn guid(f: usize, i: usize) -> String {
    format!("big-{f}-{i}")
}

/// Title of article `i` of feed `f`, edited `edit` times. Some need CSV
/// quoting, some would be spreadsheet formulas.
fn title(f: usize, i: usize, edit: usize) -> String {
    let base = match (f * PER_FEED + i) % 50 {
        0 => format!("深化改革, \"第{f}-{i}号\" 方案"),
        1 => format!("=改革 第{f}-{i}号"),
        2 => format!("+改革 第{f}-{i}号"),
        3 => format!("-改革 第{f}-{i}号"),
        4 => format!("@改革 第{f}-{i}号"),
        _ => format!("深化改革 第{f}-{i}号 reform of state firms"),
    };
    if edit == 0 {
        base
    } else {
        format!("{base} 修订稿{edit}")
    }
}

/// Serves the 100 feeds; the first `edited` articles of each have their
/// title edited once.
fn serve(http: &HttpServer, edited: usize) -> Vec<(String, String)> {
    (0..FEEDS)
        .map(|f| {
            let guids: Vec<String> = (0..PER_FEED).map(|i| guid(f, i)).collect();
            let titles: Vec<String> = (0..PER_FEED)
                .map(|i| title(f, i, usize::from(i < edited)))
                .collect();
            let items: Vec<(&str, &str)> = guids
                .iter()
                .zip(&titles)
                .map(|(g, t)| (g.as_str(), t.as_str()))
                .collect();
            let path = format!("/big-{f}.xml");
            let feed = Content::new(rss(&format!("大源{f}"), &items), "application/rss+xml");
            http.route(&path, Route::content(feed.etag_from_body()));
            (format!("big-{f}"), http.url(&path))
        })
        .collect()
}

/// Every article link in `text`.
fn links(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find(LINK) {
        let tail = &rest[at + LINK.len()..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(tail.len());
        if end > 0 {
            out.insert(format!("{LINK}{}", &tail[..end]));
        }
        rest = &tail[end..];
    }
    out
}

/// The rows of `articles.csv` as a standard CSV reader sees them, after
/// checking the byte order mark and the header.
fn csv_rows(bytes: &[u8]) -> Vec<csv::StringRecord> {
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "articles.csv starts with a UTF-8 BOM"
    );
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(&bytes[3..]);
    let header: Vec<String> = reader
        .headers()
        .expect("CSV header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "topic",
            "title",
            "source",
            "published (Asia/Shanghai)",
            "url",
            "score",
            "matched terms"
        ]
    );
    reader
        .records()
        .map(|r| r.expect("RFC 4180 record"))
        .collect()
}

/// Article links recorded as delivered to the subscriber by a sent digest,
/// with the revision each was mailed at.
fn delivered(ws: &Workspace) -> Vec<(String, i64)> {
    let db = ws.db();
    let mut stmt = db
        .prepare(
            "SELECT a.url, di.revision FROM digest_items di
             JOIN digests d ON d.id = di.digest_id
             JOIN articles a ON a.id = di.article_id
             WHERE d.state = 'sent' ORDER BY di.rowid",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Checks the parts of a big digest: one Subject, each body part under the
/// limit and no line over 998 octets, an attachment named `file`.
fn check_parts(raw: &[u8], mail: &ParsedMail, file: &str) {
    assert_eq!(
        mail.header_names.iter().filter(|h| *h == "subject").count(),
        1
    );
    assert_eq!(mail.text_parts.len(), 1);
    assert_eq!(mail.html_parts.len(), 1);
    for part in mail.text_parts.iter().chain(&mail.html_parts) {
        let wire = part.len() + part.matches('\n').count() - part.matches("\r\n").count();
        assert!(wire < PART_LIMIT, "a body part is {wire} bytes");
    }
    for line in raw.split(|b| *b == b'\n') {
        assert!(line.len() <= 1000, "line of {} octets", line.len());
    }
    assert!(mail.attachment(file).is_some(), "{file} attached");
    let sizes: Vec<String> = mail
        .attachments
        .iter()
        .map(|(name, bytes)| format!("{name} {} bytes", bytes.len()))
        .collect();
    eprintln!(
        "message {} bytes: text {} bytes, HTML {} bytes, {}",
        raw.len(),
        mail.text_parts[0].len(),
        mail.html_parts[0].len(),
        sizes.join(", ")
    );
}

/// 3,000 articles from 100 feeds: the body shows what fits in under
/// 100 KB per part, `articles.csv` holds all 3,000, and exactly those are
/// recorded as delivered; the next digest has nothing left to send.
#[test]
fn three_thousand_matches_all_reach_the_subscriber_and_only_those_count() {
    let http = HttpServer::start();
    let smtp = SmtpServer::start();
    let sources = serve(&http, 0);
    let ws = Workspace::new(smtp.port(), &sources);
    // One clock for all: the preview and the digest say the same time.
    let now = "2024-05-07T08:00:00+08:00";
    ws.run_at(now, &["poll", "--once"]).expect_code(exit::OK);
    // The preview shows what would be sent, the attachment included.
    let html_file = ws.dir().join("preview.html");
    let preview = ws.run_at(
        now,
        &[
            "digest",
            "--preview",
            SUBSCRIBER,
            "--html",
            &html_file.display().to_string(),
        ],
    );
    let out = preview.expect_code(exit::OK).stdout();
    assert!(
        out.contains(&format!(
            "Attachment: articles.csv ({} rows",
            FEEDS * PER_FEED
        )),
        "{out}"
    );
    let preview_html = std::fs::read_to_string(&html_file).expect("preview HTML");
    ws.run_at(now, &["digest", "--send-now"])
        .expect_code(exit::OK);
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 1, "one digest");
    let mail = ParsedMail::parse(&msgs[0].data);
    check_parts(&msgs[0].data, &mail, "articles.csv");
    assert_eq!(
        preview_html.replace("\r\n", "\n"),
        mail.html_parts[0].replace("\r\n", "\n"),
        "the preview is what was sent"
    );
    assert!(
        out.contains(&format!("HTML {} bytes", mail.html_parts[0].len())),
        "the preview gives the sent HTML part's size: {out}"
    );

    let all: BTreeSet<String> = (0..FEEDS)
        .flat_map(|f| (0..PER_FEED).map(move |i| format!("{LINK}{}", guid(f, i))))
        .collect();
    let body = links(&mail.all_text());
    let rows = csv_rows(mail.attachment("articles.csv").unwrap());
    assert_eq!(rows.len(), FEEDS * PER_FEED, "one CSV row per article");
    let in_csv: BTreeSet<String> = rows.iter().map(|r| r[4].to_owned()).collect();
    let carried: BTreeSet<String> = body.union(&in_csv).cloned().collect();
    assert_eq!(carried, all, "every article is in the message");
    assert!(
        body.len() > 300 && body.len() < all.len(),
        "the body shows {} articles",
        body.len()
    );

    // The body says how many are only in the attachment.
    let only_attached = all.len() - body.len();
    let text = squash(&mail.text_parts[0]);
    assert!(
        text.contains(&squash(&format!("{only_attached} more"))),
        "{only_attached} only in articles.csv: {}",
        mail.text_parts[0]
    );

    // Every row is a whole article; hostile titles cannot be formulas.
    for row in &rows {
        assert_eq!(row.len(), 7);
        assert_eq!(&row[0], "改革");
        assert!(row[3].contains("2024"), "published in the row: {row:?}");
        assert!(row[6].contains("改革"), "matched terms: {row:?}");
        assert!(!row[1].starts_with(['=', '+', '-', '@']), "{row:?}");
    }
    let quoted = rows.iter().find(|r| r[1].contains('"')).expect("a quote");
    assert!(quoted[1].starts_with("深化改革, \"第"), "{quoted:?}");
    assert!(rows.iter().any(|r| r[1].starts_with("'=改革")));

    // The invariant: delivered is exactly what the message carried.
    let recorded = delivered(&ws);
    let recorded_links: BTreeSet<String> = recorded.iter().map(|(u, _)| u.clone()).collect();
    assert_eq!(recorded.len(), all.len(), "one row per article");
    assert_eq!(recorded_links, carried);

    ws.run(&["digest", "--send-now"]).expect_code(exit::OK);
    assert_eq!(smtp.count(), 1, "nothing left over");
}

/// An immediate subscriber gets the same whole digest; then 500 of the
/// articles are edited, and the Revised section carries all 500: the diffs
/// that do not fit the body are in `revisions.txt`, each revision recorded
/// as delivered once.
#[test]
fn immediate_digest_and_five_hundred_revisions_all_reach_the_subscriber() {
    const T0: &str = "2026-01-01T10:00:00+08:00";
    const EDITED_PER_FEED: usize = 5;
    let http = HttpServer::start();
    let smtp = SmtpServer::start();
    let sources = serve(&http, 0);
    let ws = Workspace::new(smtp.port(), &sources);
    ws.edit_config("schedule = \"daily 08:00\"", "schedule = \"immediate\"");
    ws.edit_config(
        "format = \"html\"",
        "format = \"html\"\nrevisions = \"all\"",
    );
    ws.run_at(T0, &["poll", "--once"]).expect_code(exit::OK);
    ws.run_at("2026-01-01T10:06:00+08:00", &["digest", "--send-due"])
        .expect_code(exit::OK);
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 1, "one mail for the window");
    let first = ParsedMail::parse(&msgs[0].data);
    check_parts(&msgs[0].data, &first, "articles.csv");
    let rows = csv_rows(first.attachment("articles.csv").unwrap());
    assert_eq!(rows.len(), FEEDS * PER_FEED);
    assert_eq!(delivered(&ws).len(), FEEDS * PER_FEED);

    // 500 headlines rewritten under the same guids.
    serve(&http, EDITED_PER_FEED);
    let out = ws
        .run_at("2026-01-01T10:30:00+08:00", &["poll", "--once"])
        .expect_code(exit::OK)
        .stdout();
    assert!(out.contains("500 new revisions"), "{out}");
    ws.run_at("2026-01-01T10:36:00+08:00", &["digest", "--send-due"])
        .expect_code(exit::OK);
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 2, "one mail with the revisions");
    let second = ParsedMail::parse(&msgs[1].data);
    check_parts(&msgs[1].data, &second, "revisions.txt");
    let file = String::from_utf8(second.attachment("revisions.txt").unwrap().to_vec())
        .expect("UTF-8 revisions.txt");
    // Each diff is in the text part or in revisions.txt, exactly once.
    eprintln!(
        "diffs: {} in the body, {} in revisions.txt",
        second.text_parts[0].matches("title changed").count(),
        file.matches("title changed").count()
    );
    let text = format!("{}\n{file}", second.text_parts[0]);
    assert_eq!(
        text.matches("title changed").count(),
        FEEDS * EDITED_PER_FEED,
        "{text}"
    );
    let everything = squash(&text);
    let edited: Vec<(usize, usize)> = (0..FEEDS)
        .flat_map(|f| (0..EDITED_PER_FEED).map(move |i| (f, i)))
        .collect();
    for &(f, i) in &edited {
        assert!(
            everything.contains(&squash(&title(f, i, 1))),
            "revision of {} missing",
            guid(f, i)
        );
    }
    let revised_links = links(&file);
    assert!(
        !revised_links.is_empty(),
        "revisions.txt names its articles"
    );

    let recorded = delivered(&ws);
    let revisions: Vec<&(String, i64)> = recorded.iter().filter(|(_, rev)| *rev == 2).collect();
    assert_eq!(revisions.len(), edited.len(), "each revision recorded once");
    let recorded_links: BTreeSet<String> = revisions.iter().map(|(u, _)| u.clone()).collect();
    let expected: BTreeSet<String> = edited
        .iter()
        .map(|&(f, i)| format!("{LINK}{}", guid(f, i)))
        .collect();
    assert_eq!(recorded_links, expected);

    ws.run_at("2026-01-01T11:30:00+08:00", &["digest", "--send-due"])
        .expect_code(exit::OK);
    assert_eq!(smtp.count(), 2, "nothing left over");
}
