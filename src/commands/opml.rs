//! `reformwatch import-opml FILE`: prints `[[sources]]` entries for the
//! feeds an OPML export lists, ready to append to the config. Ids already
//! used by the current config (when it loads) are not reused.

use std::collections::HashSet;

use crate::commands::cli::ImportOpmlArgs;
use reformwatch::config::opml;
use reformwatch::config::Settings;

use super::Exit;

/// Reads the file, prints the entries on stdout and skipped outlines on
/// stderr.
pub fn run(args: &ImportOpmlArgs, settings: Option<&Settings>) -> anyhow::Result<Exit> {
    let bytes = std::fs::read(&args.file)
        .map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", args.file.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let (feeds, skipped) =
        opml::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    for s in &skipped {
        eprintln!("{}: skipped {s}", args.file.display());
    }
    let taken: HashSet<String> = settings
        .map(|s| s.sources.iter().map(|s| s.id.clone()).collect())
        .unwrap_or_default();
    print!("{}", opml::to_toml(&feeds, &taken));
    eprintln!(
        "{}: {} feed{} found",
        args.file.display(),
        feeds.len(),
        if feeds.len() == 1 { "" } else { "s" }
    );
    Ok(Exit::Ok)
}
