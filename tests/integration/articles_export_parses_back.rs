//! Issue 15, export: `articles --format jsonl|csv|atom|jsonfeed` on a real
//! database (the feed fixtures and one html article edited into a second
//! revision, polled from loopback), each read back by a parser that is not
//! ours: serde_json, the `csv` reader, feed-rs. Chinese text comes out as
//! it went in, the filters hold in every format, and an article keeps its
//! id across formats and across an edit.

use std::collections::BTreeSet;

use crate::support::fixtures::{read_fixture, serve_feeds};
use crate::support::http::{Content, HttpServer, Route};
use crate::support::pages::{append_config, serve_listing_of_one, LISTING_PATH, LIST_CLASS};
use crate::support::{exit, toml_str, Workspace};

/// Where the html article is served.
const PAGE: &str = "/news/2024-09/02/content_9987.htm";
const TITLE: &str = "嘉兴各界认真学习贯彻市委九届五次全会精神";
const T0: &str = "2024-09-02T10:00:00+08:00";
/// Past the first re-check (1 h).
const T1: &str = "2024-09-02T11:01:00+08:00";

fn serve_page(http: &HttpServer, html: &str) {
    let content = Content::new(html.as_bytes().to_vec(), "text/html; charset=utf-8");
    http.route(PAGE, Route::content(content.etag_from_body()));
}

/// Fixture feeds plus the html source `jx`, polled once at T0.
fn setup() -> (HttpServer, Workspace, String) {
    let http = HttpServer::start();
    let feeds = serve_feeds(&http);
    let page = String::from_utf8(read_fixture("pages/jiaxing-plenum.html")).expect("UTF-8");
    serve_listing_of_one(&http, PAGE, TITLE);
    serve_page(&http, &page);
    // No digest is sent: the SMTP port is never dialled.
    let ws = Workspace::new(9, &feeds);
    append_config(
        &ws,
        &format!(
            "[[sources]]\nid = \"jx\"\nname = \"嘉兴在线\"\nkind = \"html\"\nurl = {}\n\
             [sources.list]\nitem = \"ul.{LIST_CLASS} li\"\ndate = \"span.date\"\n",
            toml_str(&http.url(LISTING_PATH)),
        ),
    );
    ws.run_at(T0, &["poll", "--once"]).expect_code(exit::OK);
    (http, ws, page)
}

fn export(ws: &Workspace, args: &[&str]) -> Vec<u8> {
    let mut all = vec!["articles"];
    all.extend_from_slice(args);
    if !args.contains(&"--limit") {
        all.extend_from_slice(&["--limit", "1000"]);
    }
    ws.run(&all).expect_code(exit::OK).output.stdout.clone()
}

fn jsonl(ws: &Workspace, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["--format", "jsonl"];
    all.extend_from_slice(args);
    let out = String::from_utf8(export(ws, &all)).expect("UTF-8 JSONL");
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn feed(ws: &Workspace, format: &str, args: &[&str]) -> feed_rs::model::Feed {
    let mut all = vec!["--format", format];
    all.extend_from_slice(args);
    let out = export(ws, &all);
    feed_rs::parser::parse(&out[..]).unwrap_or_else(|e| {
        panic!(
            "{format} is not a feed: {e}\n{}",
            String::from_utf8_lossy(&out)
        )
    })
}

/// (header, rows) of the CSV export, after checking its BOM.
fn csv_rows(ws: &Workspace, args: &[&str]) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut all = vec!["--format", "csv"];
    all.extend_from_slice(args);
    let out = export(ws, &all);
    let body = out
        .strip_prefix("\u{FEFF}".as_bytes())
        .expect("CSV starts with the UTF-8 byte-order mark");
    let mut reader = csv::Reader::from_reader(body);
    let header = reader.headers().expect("CSV header").clone();
    let rows = reader
        .records()
        .collect::<Result<Vec<_>, _>>()
        .expect("RFC 4180 CSV");
    (header, rows)
}

fn str_of<'a>(v: &'a serde_json::Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_default()
}

#[test]
fn every_format_parses_back_with_the_whole_article() {
    let (http, ws, page) = setup();
    let before = jsonl(&ws, &[]);
    let seed_before = before
        .iter()
        .find(|v| str_of(v, "source_id") == "jx")
        .expect("the html article is exported")
        .clone();
    assert_eq!(seed_before["revisions"], 1);

    // An edit: the next re-check stores revision 2.
    let edited = page
        .replacen("《实施意见》中12项", "《实施意见》中15项", 1)
        .replacen("迅速掀起", "全市上下掀起", 1);
    assert_ne!(edited, page);
    serve_page(&http, &edited);
    ws.run_at(T1, &["poll", "--once"]).expect_code(exit::OK);

    // JSONL: the whole shared model, one object per line.
    let all = jsonl(&ws, &[]);
    assert!(all.len() > 5, "the fixture feeds and the page: {all:?}");
    let seed = all.iter().find(|v| str_of(v, "source_id") == "jx").unwrap();
    assert_eq!(str_of(seed, "title"), TITLE);
    assert!(
        str_of(seed, "subtitle").starts_with("全市上下掀起"),
        "{seed}"
    );
    assert_eq!(seed["revisions"], 2, "{seed}");
    assert_eq!(seed["revision"], 2, "{seed}");
    assert!(
        str_of(seed, "text").contains("《实施意见》中15项"),
        "{seed}"
    );
    assert!(seed["sections"].as_array().is_some_and(|s| !s.is_empty()));
    assert!(!str_of(seed, "lead").is_empty(), "{seed}");
    assert!(!str_of(seed, "published_at").is_empty(), "{seed}");
    let quotes = seed["quotes"].as_array().expect("quotes");
    assert!(
        quotes
            .iter()
            .any(|q| str_of(q, "speaker") == "张茂华" && str_of(q, "role").contains("负责人")),
        "quotes carry speaker and role: {quotes:?}"
    );
    assert_eq!(seed["topics"][0], "reform");
    let terms: Vec<&str> = seed["matches"][0]["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| str_of(h, "term"))
        .collect();
    assert!(terms.contains(&"改革"), "{terms:?}");
    // The stable id survives the edit.
    assert_eq!(seed["entry_id"], seed_before["entry_id"]);
    let ids: Vec<&str> = all.iter().map(|v| str_of(v, "entry_id")).collect();
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        ids.len(),
        "ids are unique: {ids:?}"
    );

    // CSV: BOM, RFC 4180, Chinese intact, the same articles and ids.
    let (header, rows) = csv_rows(&ws, &[]);
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    assert_eq!(rows.len(), all.len());
    for (row, json) in rows.iter().zip(&all) {
        assert_eq!(&row[col("id")], str_of(json, "entry_id"));
        assert_eq!(&row[col("title")], str_of(json, "title"));
        assert_eq!(&row[col("text")], str_of(json, "text"), "multi-line cells");
    }
    let seed_row = rows.iter().find(|r| &r[col("source_id")] == "jx").unwrap();
    assert_eq!(&seed_row[col("revisions")], "2");
    assert!(seed_row[col("terms")].contains("改革"));

    // Atom and JSON Feed: valid feeds whose entries are the same articles.
    for format in ["atom", "jsonfeed"] {
        let parsed = feed(&ws, format, &[]);
        let entry_ids: Vec<&str> = parsed.entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            entry_ids, ids,
            "{format}: same articles, same order, same ids"
        );
        let entry = parsed
            .entries
            .iter()
            .find(|e| e.id == str_of(seed, "entry_id"))
            .unwrap();
        assert_eq!(
            entry.title.as_ref().map(|t| t.content.as_str()),
            Some(TITLE)
        );
        assert_eq!(
            entry.links.first().map(|l| l.href.as_str()),
            Some(http.url(PAGE).as_str()),
            "{format}"
        );
        // `updated` is when the current revision was seen.
        assert_eq!(
            entry.updated.map(|t| t.to_rfc3339()),
            Some(
                chrono::DateTime::parse_from_rfc3339(T1)
                    .unwrap()
                    .to_utc()
                    .to_rfc3339()
            ),
            "{format}"
        );
        let body = entry
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .unwrap_or_default();
        assert!(body.contains("《实施意见》中15项"), "{format}: {body}");
        assert!(
            entry.categories.iter().any(|c| c.term == "reform"),
            "{format}"
        );
    }
    let raw: serde_json::Value =
        serde_json::from_slice(&export(&ws, &["--format", "jsonfeed"])).expect("JSON");
    assert_eq!(raw["version"], "https://jsonfeed.org/version/1.1");
}

#[test]
fn filters_choose_the_same_articles_in_every_format() {
    let (_http, ws, _) = setup();
    let all = jsonl(&ws, &[]);
    let reform: Vec<&serde_json::Value> = all
        .iter()
        .filter(|v| {
            v["topics"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t == "reform"))
        })
        .collect();
    assert!(
        !reform.is_empty() && reform.len() < all.len(),
        "the fixtures hold reform and other articles"
    );
    let want: Vec<&str> = reform.iter().map(|v| str_of(v, "entry_id")).collect();
    let topic = ["--topic", "reform"];
    let got: Vec<String> = jsonl(&ws, &topic)
        .iter()
        .map(|v| str_of(v, "entry_id").to_owned())
        .collect();
    assert_eq!(got, want, "jsonl --topic");
    let (_, rows) = csv_rows(&ws, &topic);
    let got: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(got, want, "csv --topic");
    for format in ["atom", "jsonfeed"] {
        let parsed = feed(&ws, format, &topic);
        let got: Vec<&str> = parsed.entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(got, want, "{format} --topic");
        let title = parsed.title.map(|t| t.content).unwrap_or_default();
        assert!(title.contains("reform"), "{format} title: {title}");
    }
    let two = feed(&ws, "atom", &["--limit", "2"]);
    assert_eq!(two.entries.len(), 2);
    assert!(jsonl(&ws, &["--topic", "no-such-topic"]).is_empty());
    let empty = feed(&ws, "atom", &["--topic", "no-such-topic"]);
    assert!(empty.entries.is_empty(), "an empty feed is still a feed");
}
