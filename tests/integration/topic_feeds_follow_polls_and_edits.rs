//! Issue 15, topic feeds: with `[[topics]] feed = true`, each poll pass
//! (`poll --once` and the daemon's) writes `state_dir/feeds/reform.atom`
//! and `reform.json`, which feed-rs reads back with the topic's matches;
//! a substantive silent edit becomes an entry of its own carrying the
//! diff; and the daemon serves the same bytes at `/feeds/reform.atom`
//! with a strong ETag, answering 304 when the reader sends it back.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

use feed_rs::model::{Entry, Feed};

use crate::metrics_and_healthz_are_scraped::bound_addr;
use crate::silent_edits_become_revisions::{at, edited_page, poll, serve_page, setup, T0};
use crate::support::daemon::Daemon;
use crate::support::http::{Content, HttpServer, Route};
use crate::support::smtp::SmtpServer;
use crate::support::{exit, rss, Workspace};

const WAIT: Duration = Duration::from_secs(30);

/// Turns on `feed = true` for the workspace's topic `reform`.
fn enable_feed(ws: &Workspace) {
    let text = std::fs::read_to_string(ws.config_path()).unwrap();
    let keywords = "keywords = [\"改革\", \"深化改革\", \"reform\"]\n";
    assert!(text.contains(keywords));
    let text = text.replacen(keywords, &format!("{keywords}feed = true\n"), 1);
    std::fs::write(ws.config_path(), text).unwrap();
}

/// `state_dir/feeds/reform.EXT`.
fn feed_file(ws: &Workspace, ext: &str) -> PathBuf {
    ws.dir().join("state/feeds").join(format!("reform.{ext}"))
}

/// A feed document parsed by feed-rs, or a failure showing the document.
fn parse(bytes: &[u8]) -> Feed {
    feed_rs::parser::parse(bytes)
        .unwrap_or_else(|e| panic!("not a feed: {e}\n{}", String::from_utf8_lossy(bytes)))
}

/// The written feed of `reform` in `ext`, parsed.
fn written(ws: &Workspace, ext: &str) -> Feed {
    let path = feed_file(ws, ext);
    parse(&std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

fn titles(feed: &Feed) -> Vec<String> {
    let mut t: Vec<String> = feed
        .entries
        .iter()
        .map(|e| {
            e.title
                .as_ref()
                .map(|t| t.content.clone())
                .unwrap_or_default()
        })
        .collect();
    t.sort();
    t
}

fn content(e: &Entry) -> String {
    e.content
        .as_ref()
        .and_then(|c| c.body.clone())
        .unwrap_or_default()
}

/// A feed source `news` with two reform items and one that is not.
fn feed_workspace(http: &HttpServer, smtp: &SmtpServer) -> Workspace {
    http.route(
        "/news.xml",
        Route::content(Content::new(
            rss(
                "新闻",
                &[
                    ("g1", "深化改革新举措"),
                    ("g2", "改革开放再出发"),
                    ("w1", "明日天气晴"),
                ],
            ),
            "application/rss+xml",
        )),
    );
    let ws = Workspace::new(smtp.port(), &[("news".into(), http.url("/news.xml"))]);
    enable_feed(&ws);
    ws
}

#[test]
fn a_poll_writes_both_feeds_with_the_topics_matches() {
    let http = HttpServer::start();
    let smtp = SmtpServer::start();
    let ws = feed_workspace(&http, &smtp);
    let out = ws.run(&["poll", "--once"]).expect_code(exit::OK).stdout();
    assert!(out.contains("wrote 1 topic feed"), "{out}");
    let want = ["改革开放再出发", "深化改革新举措"];
    for ext in ["atom", "json"] {
        let feed = written(&ws, ext);
        assert_eq!(titles(&feed), want, "{ext}");
        assert!(
            feed.title
                .as_ref()
                .is_some_and(|t| t.content.contains("改革")),
            "{ext}: the topic's name titles the feed"
        );
        let ids: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
        assert!(
            ids.contains(&"urn:reformwatch:article:news:g1"),
            "{ext}: {ids:?}"
        );
    }
    // Nothing is left behind by the write-then-rename.
    let names: Vec<String> = std::fs::read_dir(ws.dir().join("state/feeds"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(names, ["reform.atom", "reform.json"]);
}

#[test]
fn a_substantive_edit_is_an_entry_carrying_its_diff() {
    let (http, _smtp, ws) = setup("");
    enable_feed(&ws);
    poll(&ws, T0);
    let first = written(&ws, "json");
    assert_eq!(first.entries.len(), 1, "the article alone");
    let article_id = first.entries[0].id.clone();

    serve_page(&http, &edited_page());
    let out = poll(&ws, &at(61));
    assert!(out.contains("1 new revision"), "{out}");
    let diff = ws.run(&["diff", "1"]).expect_code(exit::OK).stdout();
    let revision_id = format!("{article_id}:r2");
    for ext in ["atom", "json"] {
        let feed = written(&ws, ext);
        assert_eq!(feed.entries.len(), 2, "{ext}: the article and its edit");
        let entry = feed
            .entries
            .iter()
            .find(|e| e.id == revision_id)
            .unwrap_or_else(|| panic!("{ext}: no entry {revision_id}"));
        // Seen by the re-check at T0 + 61 min (+08:00).
        assert_eq!(
            entry.updated.map(|t| t.to_rfc3339()),
            Some("2024-09-02T03:01:00+00:00".to_string()),
            "{ext}"
        );
        let body = content(entry);
        for marked in ["[-12-]", "{+15+}", "{+全市上下+}"] {
            assert!(body.contains(marked), "{ext} lacks {marked}:\n{body}");
        }
        assert!(
            entry
                .title
                .as_ref()
                .is_some_and(|t| t.content.starts_with("Revised: ")),
            "{ext}"
        );
    }
    // The JSON item's text is the diff exactly as `reformwatch diff` shows it.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(feed_file(&ws, "json")).unwrap()).unwrap();
    let item = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == revision_id.as_str())
        .unwrap();
    assert_eq!(item["content_text"].as_str(), Some(diff.as_str()));
}

/// A response: status code, headers (names lowercased), body.
struct Response {
    code: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `GET path` on `addr` with `extra` request header lines.
fn get(addr: &str, path: &str, extra: &[(&str, &str)]) -> Response {
    let mut s = TcpStream::connect(addr).expect("connect to metrics_addr");
    s.set_read_timeout(Some(WAIT)).unwrap();
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for (k, v) in extra {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut reply = Vec::new();
    s.read_to_end(&mut reply).unwrap();
    let split = reply
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&reply[..split]).into_owned();
    let mut lines = head.lines();
    let code = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Response {
        code,
        headers,
        body: reply[split + 4..].to_vec(),
    }
}

#[test]
fn the_daemon_serves_feeds_with_etag_and_304() {
    let http = HttpServer::start();
    let smtp = SmtpServer::start();
    let ws = feed_workspace(&http, &smtp);
    let text = std::fs::read_to_string(ws.config_path()).unwrap();
    let text = text.replacen(
        "[daemon]\n",
        "[daemon]\nmetrics_addr = \"127.0.0.1:0\"\n",
        1,
    );
    std::fs::write(ws.config_path(), text).unwrap();
    let mut daemon = Daemon::start(ws.config_path(), ws.dir(), &[]);
    let addr = bound_addr(&daemon);
    assert!(
        daemon.wait_for_log("topic feeds written", WAIT),
        "{}",
        daemon.log()
    );

    let first = get(&addr, "/feeds/reform.atom", &[]);
    assert_eq!(first.code, 200, "{}", String::from_utf8_lossy(&first.body));
    assert_eq!(
        first.header("content-type"),
        Some("application/atom+xml; charset=utf-8")
    );
    assert_eq!(first.body, std::fs::read(feed_file(&ws, "atom")).unwrap());
    assert_eq!(
        titles(&parse(&first.body)),
        ["改革开放再出发", "深化改革新举措"]
    );
    let etag = first.header("etag").expect("an ETag").to_owned();
    assert!(
        etag.starts_with('"') && !etag.starts_with("W/"),
        "strong: {etag}"
    );

    let again = get(&addr, "/feeds/reform.atom", &[("If-None-Match", &etag)]);
    assert_eq!(again.code, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    // A stale tag gets the feed.
    let stale = get(&addr, "/feeds/reform.atom", &[("If-None-Match", "\"old\"")]);
    assert_eq!(stale.code, 200);

    let json = get(&addr, "/feeds/reform.json", &[]);
    assert_eq!(json.code, 200);
    assert_eq!(titles(&parse(&json.body)).len(), 2);
    assert_ne!(json.header("etag"), Some(etag.as_str()));
    // Only configured topics' feeds, nothing else from the disk.
    for path in [
        "/feeds/other.atom",
        "/feeds/reform.xml",
        "/feeds/../feeds/reform.atom",
        "/feeds/../reformwatch.toml",
    ] {
        assert_eq!(get(&addr, path, &[]).code, 404, "{path}");
    }

    daemon.signal(libc::SIGTERM);
    assert!(daemon.wait(WAIT).is_some_and(|s| s.success()));
}
