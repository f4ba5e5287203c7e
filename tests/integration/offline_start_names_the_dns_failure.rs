//! Issue 15, offline start: a machine with no network (a fresh network
//! namespace with no interface up, so nothing can leave it, not even a DNS
//! query) polls its sources. Each source fails on its own with an error
//! that says its host name could not be resolved, and `sources` gives the
//! hint for it, instead of a bare "error sending request".

use std::process::{Command, Stdio};

use crate::support::{clean_env, exit, Workspace, BIN};

const HOSTS: [(&str, &str); 2] = [
    ("gov", "http://www.gov.invalid/rss.xml"),
    ("paper", "http://paper.invalid/feed.xml"),
];

#[test]
fn every_source_says_its_host_could_not_be_resolved() {
    // Placeholder loopback URLs satisfy the harness; the config then names
    // hosts under `.invalid`, which never resolve (RFC 6761).
    let placeholders: Vec<(String, String)> = HOSTS
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (id.to_string(), format!("http://127.0.0.1:9/{i}.xml")))
        .collect();
    let ws = Workspace::new(9, &placeholders);
    for ((_, placeholder), (_, real)) in placeholders.iter().zip(HOSTS) {
        ws.edit_config(placeholder, real);
    }
    // robots.txt is asked for first on one source and skipped on the other,
    // so both paths to the lookup are covered.
    ws.edit_config(
        "url = \"http://paper.invalid/feed.xml\"\n",
        "url = \"http://paper.invalid/feed.xml\"\nrobots = false\n",
    );

    let mut cmd = Command::new("unshare");
    cmd.arg("--net")
        .arg(BIN)
        .arg("--config")
        .arg(ws.config_path())
        .args(["poll", "--once"])
        .current_dir(ws.dir())
        .stdin(Stdio::null());
    clean_env(&mut cmd);
    let out = cmd
        .output()
        .expect("unshare(1) runs the poll in a network namespace of its own");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("unshare failed"),
        "this test needs a new network namespace (root or user namespaces): {stderr}"
    );
    assert_eq!(out.status.code(), Some(exit::RUNTIME), "{stderr}");

    let db = ws.db();
    for (id, url) in HOSTS {
        let (error, kind): (String, String) = db
            .query_row(
                "SELECT last_error, last_error_kind FROM sources WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap_or_else(|e| panic!("no failure recorded for {id}: {e}; {stderr}"));
        assert_eq!(kind, "dns", "{id}: {error}");
        assert!(error.contains("no such host"), "{id}: {error}");
        let host = url::Url::parse(url).unwrap().host_str().unwrap().to_owned();
        assert!(error.contains(&host), "{id}'s error names {host}: {error}");
    }
    let sources = ws.run(&["sources"]);
    assert!(
        sources.stdout().contains("the host name does not resolve"),
        "{}",
        sources.describe()
    );
}
