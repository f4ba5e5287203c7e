//! Conformance harness: runs feedparser's test suite (or any directory of
//! feedparser-style test files) through our decode + parse and prints, per
//! group, how many of the `Expect:` lines that read a field of our model
//! come out right.
//!
//! ```sh
//! cargo run --release --example feedsuite -- ../shared/devsets/feedparser/suite
//! cargo run --release --example feedsuite -- DIR --failures      # list what fails
//! cargo run --release --example feedsuite -- DIR --all-groups    # include sanitize, itunes, …
//! ```
//!
//! A group is the first directory level (`entities`, `illformed`,
//! `encoding`), or two for `wellformed/…`. Each file is decoded as `extract`
//! decodes a file (its bytes, plus the `Header: Content-type` of `http`
//! tests, which feedparser's runner serves over HTTP) and parsed as a feed
//! with UTC for zone-less dates (feedparser's rule). `http` tests get the
//! runner's URL, or their `Content-Location`, as base URL; others none. A
//! parse error is feedparser's `bozo`: every field reads as absent.
//!
//! Left out unless `--all-groups`: `wellformed/sanitize` (feedparser's HTML
//! sanitizer; we reduce markup to text anyway), `wellformed/itunes` and
//! `wellformed/media-rss` (extension elements the model does not read),
//! `wellformed/http` (needs the HTTP response's `Content-Location`).
//! `json/` has no `.xml` files and is never read.

#[path = "feedsuite/expect.rs"]
mod expect;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use expect::{Case, Expectation};

/// Groups not counted by default (see the module docs for why).
const LEFT_OUT: &[&str] = &[
    "wellformed/sanitize",
    "wellformed/itunes",
    "wellformed/media-rss",
    "wellformed/http",
];

#[derive(Default)]
struct Tally {
    right: usize,
    understood: usize,
    files: usize,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(root) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: feedsuite SUITE_DIR [--failures] [--all-groups]");
        std::process::exit(2);
    };
    let show_failures = args.iter().any(|a| a == "--failures");
    let all_groups = args.iter().any(|a| a == "--all-groups");
    let root = PathBuf::from(root);
    let mut files = Vec::new();
    collect_xml(&root, &mut files);
    files.sort();
    if files.is_empty() {
        eprintln!("{}: no .xml test files found", root.display());
        std::process::exit(2);
    }

    let mut groups: BTreeMap<String, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    for path in &files {
        let rel = path.strip_prefix(&root).unwrap_or(path);
        let rel_str = rel.to_string_lossy().replace('\\', "/");
        let group = expect::group_of(&rel_str);
        if !all_groups && LEFT_OUT.contains(&group.as_str()) {
            continue;
        }
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                continue;
            }
        };
        let tally = groups.entry(group).or_default();
        tally.files += 1;
        let Some(case) = Case::from_bytes(&rel_str, &bytes) else {
            continue;
        };
        let Ok(expectation) = Expectation::parse(&case.expect) else {
            continue;
        };
        tally.understood += 1;
        let result = expect::run(&bytes, &case);
        if expectation.holds(result.as_ref().ok()) {
            tally.right += 1;
        } else if show_failures {
            let ours = match &result {
                Ok(doc) => expectation.show_ours(Some(doc)),
                Err(e) => format!("error: {e}"),
            };
            failures.push(format!(
                "{rel_str}: {}\n    expect: {}\n    ours:   {ours}",
                case.description, case.expect
            ));
        }
    }

    print_table(&groups);
    if show_failures {
        println!("\nfailures ({}):", failures.len());
        for f in &failures {
            println!("{f}");
        }
    }
}

fn collect_xml(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_xml(&p, out);
        } else if p.extension().is_some_and(|x| x == "xml") {
            out.push(p);
        }
    }
}

fn print_table(groups: &BTreeMap<String, Tally>) {
    println!(
        "| {:<26} | {:>9} | {:>6} | {:>10} |",
        "group", "right", "%", "files"
    );
    println!("|{:-<28}|{:->11}|{:->8}|{:->12}|", "", "", "", "");
    let (mut right, mut understood, mut files) = (0, 0, 0);
    for (name, t) in groups {
        if t.understood == 0 {
            continue;
        }
        println!(
            "| {:<26} | {:>9} | {:>6.1} | {:>10} |",
            name,
            format!("{} / {}", t.right, t.understood),
            pct(t.right, t.understood),
            t.files
        );
        right += t.right;
        understood += t.understood;
        files += t.files;
    }
    println!(
        "| {:<26} | {:>9} | {:>6.1} | {:>10} |",
        "total",
        format!("{right} / {understood}"),
        pct(right, understood),
        files
    );
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}
