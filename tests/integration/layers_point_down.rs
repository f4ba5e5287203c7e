//! The dependency rule of `src/lib.rs`, checked on the source text: every
//! `crate::…` path in a module's non-test code must be one its layer may
//! use. A new import that points up (the store reaching into the digest, a
//! pure stage doing I/O) fails here with the file and line.

use std::path::{Path, PathBuf};

/// (module path prefix, the `crate::` paths it may use besides its own).
/// The first matching prefix wins, so narrower rules come first.
const LAYERS: &[(&str, &[&str])] = &[
    ("model", &["model"]),
    ("config", &["model", "config"]),
    // Pure stages: no network, store, mail or service.
    ("document", &["model", "config", "document"]),
    ("analysis", &["model", "config", "document", "analysis"]),
    ("export", &["model", "export"]),
    (
        "mail/digest",
        &[
            "model",
            "config",
            "document",
            "analysis",
            // The CSV sheet writer the exports share.
            "export::sheet",
            "mail::digest",
            "mail::message",
            "mail::text",
        ],
    ),
    // The message builder every outgoing mail shares, and its text cutting.
    (
        "mail/message",
        &["model", "config", "document", "mail::message", "mail::text"],
    ),
    ("mail/text", &["model", "document", "mail::text"]),
    (
        "pipeline/schedule",
        &["model", "config", "pipeline::source_rules"],
    ),
    ("pipeline/source_rules", &["model", "config"]),
    // I/O edges.
    ("net", &["model", "config", "net"]),
    ("store", &["model", "store"]),
    // Sequencers: anything below them.
    (
        "pipeline",
        &[
            "model", "config", "document", "analysis", "net", "store", "pipeline",
        ],
    ),
    (
        "mail",
        &[
            "model",
            "config",
            "document",
            "analysis",
            "store",
            "mail",
            "pipeline::schedule",
        ],
    ),
    (
        "service",
        &[
            "model", "config", "document", "analysis", "net", "store", "pipeline", "mail",
            "service",
        ],
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The `crate::a::b…` paths on a line, as `a::b…`.
fn crate_paths(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("crate::") {
        let tail = &rest[i + "crate::".len()..];
        let path: String = tail
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        out.push(path.trim_end_matches(':').to_owned());
        rest = tail;
    }
    out
}

#[test]
fn every_crate_import_points_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut checked = 0;
    let mut violations = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel.ends_with("tests.rs") || rel.starts_with("commands") {
            continue;
        }
        let Some((_, allowed)) = LAYERS.iter().find(|(prefix, _)| rel.starts_with(prefix)) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            // Tests sit at the end of a file and may use anything.
            if line.trim_start().starts_with("#[cfg(test)]") {
                break;
            }
            for path in crate_paths(line) {
                checked += 1;
                let ok = allowed
                    .iter()
                    .any(|a| path == *a || path.starts_with(&format!("{a}::")));
                if !ok {
                    violations.push(format!("src/{rel}:{}: crate::{path}", n + 1));
                }
            }
        }
    }
    assert!(
        checked > 100,
        "only {checked} imports found: is src/ where it was?"
    );
    assert!(
        violations.is_empty(),
        "imports that point up or sideways:\n{}",
        violations.join("\n")
    );
}
