//! Issue 12: the feedparser test cases copied into
//! `tests/fixtures/feeds/feedparser/` (see its README) come out as their own
//! `Expect:` lines say, judged by the same code as the `feedsuite` example
//! that runs the whole suite.

#[path = "../../examples/feedsuite/expect.rs"]
mod expect;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use expect::{Case, Expectation};

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/feeds/feedparser"
);

/// The groups of the table: each must have a case here.
const GROUPS: &[&str] = &[
    "entities",
    "illformed",
    "encoding",
    "wellformed/amp",
    "wellformed/atom",
    "wellformed/atom10",
    "wellformed/base",
    "wellformed/cdf",
    "wellformed/namespace",
    "wellformed/node_precedence",
    "wellformed/rdf",
    "wellformed/rss",
];

fn xml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            xml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "xml") {
            out.push(p);
        }
    }
}

#[test]
fn copied_feedparser_cases_read_as_expected() {
    let root = Path::new(DIR);
    let mut files = Vec::new();
    xml_files(root, &mut files);
    files.sort();
    assert!(files.len() >= 30, "only {} cases", files.len());
    let mut groups = BTreeSet::new();
    let mut failures = Vec::new();
    for path in &files {
        let rel = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(path).unwrap();
        let case =
            Case::from_bytes(&rel, &bytes).unwrap_or_else(|| panic!("{rel}: no Expect line"));
        let expectation = Expectation::parse(&case.expect)
            .unwrap_or_else(|why| panic!("{rel}: Expect line not understood: {why}"));
        groups.insert(expect::group_of(&rel));
        let result = expect::run(&bytes, &case);
        if !expectation.holds(result.as_ref().ok()) {
            let ours = match &result {
                Ok(doc) => expectation.show_ours(Some(doc)),
                Err(e) => format!("error: {e}"),
            };
            failures.push(format!(
                "{rel} ({})\n  expect: {}\n  ours:   {ours}",
                case.description, case.expect
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for g in GROUPS {
        assert!(groups.contains(*g), "no case from {g}");
    }
}
