//! Configuration: the TOML file of DESIGN.md, parsed with
//! `deny_unknown_fields` and validated into compiled [`Settings`].
//! Every problem is collected and reported at once, each naming file, line
//! and key, so `reformwatch check` tells the operator everything in one go.

mod lines;
pub mod opml;
mod raw;
mod report;
mod settings;
mod tables;
mod validate;
mod values;
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

/// Reads and validates the config file at `path`.
pub fn load(path: &Path) -> Result<Settings, ConfigErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigErrors(vec![ConfigProblem {
            file: path.to_path_buf(),
            line: None,
            key: String::new(),
            message: format!("cannot read config file: {e}"),
        }])
    })?;
    parse(&text, path)
}

/// Parses and validates config `text` as if read from `path` (relative paths
/// in it resolve against `path`'s directory).
pub fn parse(text: &str, path: &Path) -> Result<Settings, ConfigErrors> {
    let mut problems = report::Problems::new(path, text);
    let settings =
        tables::read(text, &mut problems).map(|raw| validate::validate(raw, path, &mut problems));
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

/// The config path to use: the `--config` flag, else `$REFORMWATCH_CONFIG`,
/// else `/etc/reformwatch/reformwatch.toml` if it exists, else
/// `config/reformwatch.toml`.
pub fn resolve_path(flag: Option<&Path>) -> PathBuf {
    if let Some(p) = flag {
        return p.to_path_buf();
    }
    if let Some(p) = std::env::var_os("REFORMWATCH_CONFIG").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let etc = Path::new("/etc/reformwatch/reformwatch.toml");
    if etc.exists() {
        return etc.to_path_buf();
    }
    PathBuf::from("config/reformwatch.toml")
}

#[cfg(test)]
mod tests;
