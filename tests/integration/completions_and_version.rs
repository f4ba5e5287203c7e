//! Issue 15: `reformwatch completions bash|zsh|fish` prints a script for
//! the real command line (no config needed), and `--version` says which
//! reformwatch this is.

use std::process::{Command, Stdio};

use crate::support::{exit, run_binary, RUN_TIMEOUT};

fn run(args: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let run = run_binary(&args, dir.path(), &[], RUN_TIMEOUT);
    run.expect_code(exit::OK);
    run.stdout()
}

#[test]
fn completion_scripts_name_the_subcommands_and_options() {
    for shell in ["bash", "zsh", "fish"] {
        let script = run(&["completions", shell]);
        for word in ["articles", "sources", "test-source", "--format", "jsonfeed"] {
            assert!(script.contains(word), "{shell} script lacks {word}");
        }
    }
    // bash reads the bash script without a syntax error.
    let script = run(&["completions", "bash"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("reformwatch.bash");
    std::fs::write(&path, &script).expect("write script");
    let status = Command::new("bash")
        .arg("-n")
        .arg(&path)
        .stdin(Stdio::null())
        .status()
        .expect("bash");
    assert!(status.success(), "bash -n rejects the script");
}

#[test]
fn version_names_the_release() {
    let out = run(&["--version"]);
    assert_eq!(
        out.trim(),
        format!("reformwatch {}", env!("CARGO_PKG_VERSION"))
    );
}
