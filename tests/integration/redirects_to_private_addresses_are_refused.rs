//! Issue 6, acceptance 5 (RELIABILITY.md B8, B9, B11): a source may redirect
//! only within its configured origin when the target is a non-public
//! address. Redirects to another loopback port, `[::1]`, `127.0.0.2`,
//! `[::ffff:127.0.0.1]`, `0.0.0.0`, a name resolving to loopback
//! (`localhost`) and `file:` are refused, and each refused listener saw
//! no connection at all. A feed's article link to another loopback port is
//! refused the same way. Private and link-local ranges are tested on the
//! pure policy function only (`address_policy` unit tests): every listener
//! here is on 127.0.0.0/8 or ::1.
//!
//! Issue 10, item 1: a source configured by host name (`localhost`, which
//! resolves to loopback) is exempt on its own origin only: its redirects to
//! the same name on another port, or to `https` on its port, are refused
//! before any connection, like those of an IP-literal origin.

use std::time::Duration;

use crate::support::scripted_http::{Reply, ScriptedHttp};
use crate::support::smtp::SmtpServer;
use crate::support::{exit, rss, toml_str, Workspace};

/// A listener that must never be reached.
fn trap(bind: &str) -> Option<ScriptedHttp> {
    ScriptedHttp::start_on(bind, Duration::ZERO, |_| Reply::status(200)).ok()
}

#[test]
fn redirects_off_the_configured_origin_to_private_addresses_are_refused() {
    let port_trap = trap("127.0.0.1:0").unwrap();
    let alias_trap = trap("127.0.0.2:0");
    let v6_trap = trap("[::1]:0");
    let mapped_trap = trap("127.0.0.1:0").unwrap();
    let zero_trap = trap("127.0.0.1:0").unwrap();
    let name_trap = trap("127.0.0.1:0").unwrap();

    let mut targets: Vec<(&str, String)> = vec![
        ("to-port", port_trap.url("/feed.xml")),
        (
            "to-mapped",
            format!(
                "http://[::ffff:127.0.0.1]:{}/feed.xml",
                mapped_trap.addr().port()
            ),
        ),
        (
            "to-zero",
            format!("http://0.0.0.0:{}/feed.xml", zero_trap.addr().port()),
        ),
        (
            "to-localhost",
            format!("http://localhost:{}/feed.xml", name_trap.addr().port()),
        ),
        ("to-file", "file:///etc/passwd".to_owned()),
    ];
    if let Some(t) = &alias_trap {
        targets.push(("to-alias", t.url("/feed.xml")));
    }
    if let Some(t) = &v6_trap {
        targets.push(("to-v6", t.url("/feed.xml")));
    }
    let routes = targets.clone();
    let origin = ScriptedHttp::start(Duration::ZERO, move |path| {
        let id = path.trim_start_matches('/');
        match routes.iter().find(|(name, _)| *name == id) {
            Some((_, location)) => Reply::status(302).header("Location", location),
            None if path == "/same-origin" => Reply::status(301).header("Location", "/feed.xml"),
            None if path == "/feed.xml" => {
                Reply::ok(rss("改革", &[("g", "深化改革")]), "application/rss+xml")
            }
            None => Reply::status(404),
        }
    });
    let mut sources: Vec<(String, String)> = targets
        .iter()
        .map(|(id, _)| (id.to_string(), origin.url(&format!("/{id}"))))
        .collect();
    sources.push(("same-origin".into(), origin.url("/same-origin")));
    let smtp = SmtpServer::start();
    let ws = Workspace::new(smtp.port(), &sources);

    let run = ws.run(&["poll", "--once"]);
    run.expect_code(exit::RUNTIME);
    let out = run.stderr();
    for (id, _) in &targets {
        let line = out
            .lines()
            .find(|l| l.contains(&format!("source {id}:")))
            .unwrap_or_else(|| panic!("{id} did not fail\n{}", run.describe()));
        let why = if *id == "to-file" {
            "redirect refused: HTTP 302 to \"file:///etc/passwd\" not followed"
        } else {
            "refused: "
        };
        assert!(line.contains(why), "{id}: {line}");
    }
    assert!(
        !out.contains("source same-origin:"),
        "a redirect within the origin is followed\n{}",
        run.describe()
    );
    for (name, t) in [
        ("another port", Some(&port_trap)),
        ("127.0.0.2", alias_trap.as_ref()),
        ("[::1]", v6_trap.as_ref()),
        ("[::ffff:127.0.0.1]", Some(&mapped_trap)),
        ("0.0.0.0", Some(&zero_trap)),
        ("localhost", Some(&name_trap)),
    ] {
        if let Some(t) = t {
            assert_eq!(t.accepted(), 0, "the {name} listener was connected to");
        }
    }
}

#[test]
fn article_links_to_other_loopback_ports_are_refused() {
    let page_trap = trap("127.0.0.1:0").unwrap();
    let link = page_trap.url("/article/1.html");
    let feed = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>t</title>\
         <link>http://127.0.0.1/</link><description>d</description>\
         <item><guid>g1</guid><title>深化改革</title><link>{link}</link>\
         <description>改革</description></item>\
         <item><guid>g2</guid><title>改革</title><link>/article/2.html</link>\
         <description>改革</description></item></channel></rss>\n"
    );
    let page =
        "<html><head><title>改革</title></head><body><h1>改革</h1><p>深化改革。</p></body></html>";
    let origin = ScriptedHttp::start(Duration::ZERO, move |path| match path {
        "/feed.xml" => Reply::ok(feed.clone().into_bytes(), "application/rss+xml"),
        "/article/2.html" => Reply::ok(page.as_bytes().to_vec(), "text/html; charset=utf-8"),
        _ => Reply::status(404),
    });
    let smtp = SmtpServer::start();
    let ws = Workspace::new(smtp.port(), &[("pages".into(), origin.url("/feed.xml"))]);
    let text = std::fs::read_to_string(ws.config_path()).unwrap();
    let marker = format!("url = {}\n", toml_str(&origin.url("/feed.xml")));
    assert!(text.contains(&marker));
    let text = text.replace(&marker, &format!("{marker}full_text = true\n"));
    std::fs::write(ws.config_path(), text).unwrap();

    let run = ws.run(&["poll", "--once"]);
    assert!(!run.timed_out, "{}", run.describe());
    assert!(
        origin.paths().iter().any(|p| p == "/article/2.html"),
        "pages on the source's origin are fetched: {:?}",
        origin.paths()
    );
    assert_eq!(
        page_trap.accepted(),
        0,
        "the article page on another port was fetched\n{}",
        run.describe()
    );
}

#[test]
fn a_named_origin_is_exempt_on_its_own_port_and_scheme_only() {
    let port_trap = trap("127.0.0.1:0").unwrap();
    let port_hop = format!("http://localhost:{}/feed.xml", port_trap.addr().port());
    let port = std::sync::Arc::new(std::sync::OnceLock::<u16>::new());
    let own = port.clone();
    let origin =
        ScriptedHttp::start(Duration::ZERO, move |path| {
            let here = own.get().copied().unwrap_or_default();
            match path {
                "/robots.txt" => Reply::status(404),
                "/feed.xml" => Reply::ok(rss("改革", &[("g", "深化改革")]), "application/rss+xml"),
                "/same-origin" => Reply::status(301)
                    .header("Location", &format!("http://localhost:{here}/feed.xml")),
                "/to-port" => Reply::status(302).header("Location", &port_hop),
                "/to-https" => Reply::status(302)
                    .header("Location", &format!("https://localhost:{here}/feed.xml")),
                _ => Reply::status(404),
            }
        });
    port.set(origin.addr().port()).unwrap();
    let ids = ["same-origin", "to-port", "to-https"];
    let sources: Vec<(String, String)> = ids
        .iter()
        .map(|id| (id.to_string(), origin.url(&format!("/{id}"))))
        .collect();
    let smtp = SmtpServer::start();
    let ws = Workspace::new(smtp.port(), &sources);
    // The sources are configured by name: http://localhost:PORT/…
    let text = std::fs::read_to_string(ws.config_path()).unwrap();
    let by_name = format!("http://localhost:{}/", origin.addr().port());
    let text = text.replace(&origin.url("/"), &by_name);
    assert_eq!(text.matches(&by_name).count(), ids.len());
    std::fs::write(ws.config_path(), text).unwrap();

    let run = ws.run(&["poll", "--once"]);
    run.expect_code(exit::RUNTIME);
    let out = run.stderr();
    assert!(
        !out.contains("source same-origin:"),
        "the named origin itself is reachable, redirects within it too\n{}",
        run.describe()
    );
    for id in ["to-port", "to-https"] {
        let line = out
            .lines()
            .find(|l| l.contains(&format!("source {id}:")))
            .unwrap_or_else(|| panic!("{id} did not fail\n{}", run.describe()));
        assert!(line.contains("refused: "), "{id}: {line}");
    }
    assert_eq!(
        port_trap.accepted(),
        0,
        "the name's other port was connected to\n{}",
        run.describe()
    );
    // robots.txt, /same-origin, /feed.xml, /to-port, /to-https: one
    // connection each. A sixth would be the TLS attempt on the same port.
    assert_eq!(
        origin.accepted(),
        5,
        "requests on the origin: {:?}\n{}",
        origin.paths(),
        run.describe()
    );
}
