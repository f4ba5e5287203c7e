//! Configuration: the TOML file of DESIGN.md, parsed with
//! `deny_unknown_fields` and validated into compiled [`Settings`].
//! Every problem is collected and reported at once, each naming file, line
//! and key, so `reformwatch check` tells the operator everything in one go.
//!
//! [`parse`] is pure over the text. [`load`] reads the file, parses it, and
//! then, once, at the edge, reads what the file names outside itself: the
//! SMTP password, the CA file and systemd's directories (`edge.rs`). Config
//! imports nothing from the program above it but [`crate::model`].

mod edge;
mod lines;
pub mod opml;
pub mod query;
mod raw;
mod report;
mod settings;
mod tables;
mod validate;
mod values;
pub use edge::resolve_path;
pub use settings::*;

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem found in a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The file the problem is in.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// Dotted key path, e.g. `sources[2].interval` (empty for whole-file problems).
    pub key: String,
    /// What is wrong, and how to fix it when we can tell.
    pub message: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.key.is_empty() {
            write!(f, ": {}", self.key)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// All problems found while loading a config file.
#[derive(Debug, Clone, thiserror::Error)]
pub struct ConfigErrors(pub Vec<ConfigProblem>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// Reads and validates the config file at `path`, then resolves what it
/// names outside itself (see [`load_text`]).
pub fn load(path: &Path) -> Result<Settings, ConfigErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigErrors(vec![ConfigProblem {
            file: path.to_path_buf(),
            line: None,
            key: String::new(),
            message: format!("cannot read config file: {e}"),
        }])
    })?;
    load_text(&text, path)
}

/// Validates config `text` as if read from `path`, then reads, from the
/// process environment and the files it names, the SMTP password
/// (`password_env`, `password_file` or `$CREDENTIALS_DIRECTORY`), the
/// `ca_file` and `$STATE_DIRECTORY`. A secret that cannot be read is a
/// problem like any other, at the key that names it.
pub fn load_text(text: &str, path: &Path) -> Result<Settings, ConfigErrors> {
    check(text, path, Some(&|name| std::env::var_os(name)))
}

/// Parses and validates config `text` as if read from `path` (relative paths
/// in it resolve against `path`'s directory). Pure: reads no environment
/// variable and no file, so secrets are not filled in and `state_dir`
/// defaults next to the config.
pub fn parse(text: &str, path: &Path) -> Result<Settings, ConfigErrors> {
    check(text, path, None)
}

/// Validates `text` and, given an environment, resolves it at the edge.
fn check(text: &str, path: &Path, env: Option<edge::Env<'_>>) -> Result<Settings, ConfigErrors> {
    let mut problems = report::Problems::new(path, text);
    let settings = tables::read(text, &mut problems).map(|raw| {
        let (mut settings, refs) = validate::validate(raw, path, &mut problems);
        if let Some(env) = env {
            edge::resolve(&mut settings, &refs, env, &mut problems);
        }
        settings
    });
    problems.finish(settings)?.ok_or_else(|| {
        // Unreachable: `read` gives up only after reporting a syntax error.
        ConfigErrors(vec![ConfigProblem {
            file: path.to_path_buf(),
            line: None,
            key: String::new(),
            message: "not a valid TOML document".to_owned(),
        }])
    })
}

#[cfg(test)]
mod tests;
