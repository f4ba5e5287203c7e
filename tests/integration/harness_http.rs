//! Self-tests of the test HTTP server (support/http.rs), with a raw
//! `TcpStream` client: conditional GET, gzip, swapping content, and each
//! hostile route. These run without the daemon.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use flate2::read::GzDecoder;

use crate::support::http::{gzip_bomb_route, Content, HttpServer, Route, GZIP_BOMB_EXPANDED};

/// Guard against a broken server hanging a self-test.
const IO_GUARD: Duration = Duration::from_secs(20);

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(IO_GUARD)).unwrap();
    s.set_write_timeout(Some(IO_GUARD)).unwrap();
    s
}

fn send(s: &mut TcpStream, path: &str, headers: &[(&str, &str)]) {
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
}

/// Reads the status line and headers.
fn read_head(r: &mut impl BufRead) -> (u16, Vec<(String, String)>) {
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {line:?}"));
    let mut headers = Vec::new();
    loop {
        line.clear();
        r.read_line(&mut line).unwrap();
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (n, v) = l.split_once(':').unwrap();
        headers.push((n.trim().to_string(), v.trim().to_string()));
    }
    (status, headers)
}

/// One GET with `Connection: close`; the body is read by Content-Length.
fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Resp {
    let mut s = connect(addr);
    send(&mut s, path, headers);
    let mut r = BufReader::new(s);
    let (status, headers) = read_head(&mut r);
    let mut resp = Resp {
        status,
        headers,
        body: Vec::new(),
    };
    if status != 304 {
        let len: u64 = resp.header("content-length").unwrap().parse().unwrap();
        r.take(len).read_to_end(&mut resp.body).unwrap();
    }
    resp
}

#[test]
fn conditional_get_answers_304_without_body() {
    let server = HttpServer::start();
    let lm = "Mon, 06 May 2024 02:20:00 GMT";
    server.route(
        "/feed.xml",
        Route::Content(
            Content::new("<rss/>", "application/rss+xml")
                .etag("v1")
                .last_modified(lm),
        ),
    );

    let first = get(server.addr(), "/feed.xml", &[]);
    assert_eq!(first.status, 200);
    assert_eq!(first.body, b"<rss/>");
    assert_eq!(first.header("etag"), Some("\"v1\""));
    assert_eq!(first.header("last-modified"), Some(lm));

    let by_etag = get(server.addr(), "/feed.xml", &[("If-None-Match", "\"v1\"")]);
    assert_eq!(by_etag.status, 304);
    assert!(by_etag.header("content-length").is_none());

    let by_date = get(server.addr(), "/feed.xml", &[("If-Modified-Since", lm)]);
    assert_eq!(by_date.status, 304);
    let later = get(
        server.addr(),
        "/feed.xml",
        &[("If-Modified-Since", "Tue, 07 May 2024 00:00:00 GMT")],
    );
    assert_eq!(later.status, 304);
    let earlier = get(
        server.addr(),
        "/feed.xml",
        &[("If-Modified-Since", "Sun, 05 May 2024 00:00:00 GMT")],
    );
    assert_eq!(earlier.status, 200);

    // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
    let stale_tag = get(
        server.addr(),
        "/feed.xml",
        &[("If-None-Match", "\"v0\""), ("If-Modified-Since", lm)],
    );
    assert_eq!(stale_tag.status, 200);

    let log = server.requests_to("/feed.xml");
    let statuses: Vec<_> = log.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [
            Some(200),
            Some(304),
            Some(304),
            Some(304),
            Some(200),
            Some(200)
        ]
    );
    assert!(!log[0].is_conditional());
    assert_eq!(log[1].header("If-None-Match"), Some("\"v1\""));
    assert!(log[1].not_modified());
}

#[test]
fn swapped_content_gets_a_new_etag() {
    let server = HttpServer::start();
    let v1 = Content::new("one", "text/plain").etag_from_body();
    let tag1 = v1.etag.clone().unwrap();
    server.route("/f", Route::Content(v1));
    assert_eq!(
        get(server.addr(), "/f", &[("If-None-Match", &tag1)]).status,
        304
    );

    server.route(
        "/f",
        Route::Content(Content::new("two", "text/plain").etag_from_body()),
    );
    let r = get(server.addr(), "/f", &[("If-None-Match", &tag1)]);
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"two");
    assert_ne!(r.header("etag"), Some(tag1.as_str()));
}

#[test]
fn gzip_only_when_accepted() {
    let server = HttpServer::start();
    let body = "改革 ".repeat(1000);
    server.route(
        "/g",
        Route::Content(Content::new(body.clone(), "text/plain; charset=utf-8").gzip()),
    );

    let plain = get(server.addr(), "/g", &[]);
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.body, body.as_bytes());

    let zipped = get(server.addr(), "/g", &[("Accept-Encoding", "gzip, br")]);
    assert_eq!(zipped.header("content-encoding"), Some("gzip"));
    assert!(zipped.body.len() < body.len() / 10);
    let mut out = String::new();
    GzDecoder::new(&zipped.body[..])
        .read_to_string(&mut out)
        .unwrap();
    assert_eq!(out, body);
}

#[test]
fn status_and_unknown_paths() {
    let server = HttpServer::start();
    server.route("/500", Route::Status(500));
    assert_eq!(get(server.addr(), "/500", &[]).status, 500);
    assert_eq!(get(server.addr(), "/nope", &[]).status, 404);
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn silent_route_holds_the_socket_until_drop() {
    let server = HttpServer::start();
    server.route("/silent", Route::Silent);
    let addr = server.addr();
    let mut s = connect(addr);
    send(&mut s, "/silent", &[]);
    let seen = server.wait_for_requests("/silent", 1, IO_GUARD);
    assert_eq!(seen.len(), 1, "the server never read the request");
    assert_eq!(seen[0].status, None);

    // Dropping the server closes the held socket: the client sees EOF having
    // received not one byte. The drop itself must not hang.
    drop(server);
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    assert!(got.is_empty(), "silent route wrote {} bytes", got.len());
    assert!(
        TcpStream::connect(addr).is_err(),
        "server still accepts after drop"
    );
}

#[test]
fn zeros_with_length_and_endless_stream_without_buffering() {
    let server = HttpServer::start();
    server.route("/50mb", Route::Zeros(Some(50 * 1024 * 1024)));
    server.route("/endless", Route::Zeros(None));

    let mut s = connect(server.addr());
    send(&mut s, "/50mb", &[]);
    let mut r = BufReader::new(s);
    let (status, headers) = read_head(&mut r);
    assert_eq!(status, 200);
    assert!(headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("content-length") && v == "52428800"));
    let mut first = vec![0u8; 1 << 20];
    r.read_exact(&mut first).unwrap();
    assert!(first.iter().all(|b| *b == 0));
    drop(r); // hang up early: the server thread must end on the write error

    let mut s = connect(server.addr());
    send(&mut s, "/endless", &[]);
    let mut r = BufReader::new(s);
    let (_, headers) = read_head(&mut r);
    assert!(headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v == "chunked"));
    let mut got = vec![0u8; 4 << 20];
    r.read_exact(&mut got).unwrap(); // 4 MiB of chunk framing and zeros, and more to come
    drop(r);
    drop(server); // joins the streaming threads
}

#[test]
fn gzip_bomb_expands_a_thousandfold() {
    let server = HttpServer::start();
    server.route("/bomb", gzip_bomb_route());
    // Served as gzip even to a client that did not ask for it.
    let r = get(server.addr(), "/bomb", &[]);
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert!(
        r.body.len() < 1024 * 1024,
        "bomb is {} bytes on the wire",
        r.body.len()
    );
    let expanded = std::io::copy(&mut GzDecoder::new(&r.body[..]), &mut std::io::sink()).unwrap();
    assert_eq!(expanded, GZIP_BOMB_EXPANDED);
    assert!(
        expanded / r.body.len() as u64 >= 500,
        "ratio {}",
        expanded / r.body.len() as u64
    );
}

#[test]
fn trickle_delivers_the_whole_body_slowly() {
    let server = HttpServer::start();
    server.route(
        "/slow",
        Route::Trickle {
            body: b"<rss></rss>".to_vec().into(),
            every: Duration::from_millis(1),
        },
    );
    let r = get(server.addr(), "/slow", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"<rss></rss>");
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let server = HttpServer::start();
    server.route("/a", Route::Content(Content::new("A", "text/plain")));
    let s = connect(server.addr());
    let mut w = s.try_clone().unwrap();
    let mut r = BufReader::new(s);
    for _ in 0..3 {
        w.write_all(b"GET /a HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
        let (status, headers) = read_head(&mut r);
        assert_eq!(status, 200);
        let len: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .unwrap()
            .1
            .parse()
            .unwrap();
        let mut body = vec![0; len];
        r.read_exact(&mut body).unwrap();
        assert_eq!(body, b"A");
    }
    assert_eq!(server.requests_to("/a").len(), 3);
}
