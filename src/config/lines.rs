//! Where things are in the config text: byte offset → 1-based line, and,
//! for TOML syntax errors (where the parser gives no tree), a best-effort
//! key path for a line found by scanning table headers and `key =` lines.
//! Owns no messages.

/// Start offsets of every line of one text, for offset → line lookups.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    /// The 1-based line holding byte `offset` (the last line when past the end).
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset).max(1)
    }
}

/// The key path a line of possibly broken TOML belongs to, guessed from the
/// table headers above it and a `key =` on the line itself: e.g.
/// `sources[1].id`, `daemon` (a line in `[daemon]` without a plain key) or
/// `""` (top level). Multi-line values can mislead it; it is only used to
/// label syntax errors.
pub(crate) fn key_path_at(text: &str, line: usize) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut table = String::new();
    for raw in text.lines().take(line.saturating_sub(1)) {
        let t = raw.trim();
        if let Some(name) = t.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
            let name = name.trim().to_owned();
            let n = match counts.iter_mut().find(|(k, _)| *k == name) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    counts.push((name.clone(), 0));
                    0
                }
            };
            table = format!("{name}[{n}]");
        } else if let Some(name) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
            let name = name.trim();
            // `[sources.list]` belongs to the latest `[[sources]]`.
            let (head, tail) = name.split_once('.').unwrap_or((name, ""));
            table = match counts.iter().find(|(k, _)| k == head) {
                Some((_, n)) if !tail.is_empty() => format!("{head}[{n}].{tail}"),
                _ => name.to_owned(),
            };
        }
    }
    let here = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    let key = here.split_once('=').map(|(k, _)| k.trim()).filter(|k| {
        !k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
    });
    match (table.is_empty(), key) {
        (_, None) => table,
        (true, Some(k)) => k.to_owned(),
        (false, Some(k)) => format!("{table}.{k}"),
    }
}

#[cfg(test)]
mod tests {
    use super::{key_path_at, LineIndex};

    #[test]
    fn guesses_key_paths_of_lines() {
        let text = "top = 1\n[daemon]\ntimeout = \"2\n[[sources]]\nid = 1\n\
                    [[sources]]\nurl = x\n[sources.list]\nitem = [\n";
        assert_eq!(key_path_at(text, 1), "top");
        assert_eq!(key_path_at(text, 2), "");
        assert_eq!(key_path_at(text, 3), "daemon.timeout");
        assert_eq!(key_path_at(text, 5), "sources[0].id");
        assert_eq!(key_path_at(text, 7), "sources[1].url");
        assert_eq!(key_path_at(text, 9), "sources[1].list.item");
        assert_eq!(key_path_at(text, 99), "sources[1].list");
    }

    #[test]
    fn maps_offsets_to_lines() {
        let idx = LineIndex::new("a = 1\nb = 2\n\nc = 3");
        assert_eq!(idx.line_of(0), 1);
        assert_eq!(idx.line_of(5), 1);
        assert_eq!(idx.line_of(6), 2);
        assert_eq!(idx.line_of(12), 3);
        assert_eq!(idx.line_of(13), 4);
        assert_eq!(idx.line_of(1000), 4);
    }
}
