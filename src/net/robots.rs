//! Pure robots.txt (RFC 9309): parse a file into the rules for our user
//! agent and answer "may this path be fetched?". The group naming
//! `reformwatch` wins over `*`; within it the longest matching rule decides,
//! `Allow` winning a tie; `*` and a final `$` work as in the RFC. Fetching
//! and caching the file is `fetch`'s job; nothing here does I/O.

use std::time::Duration;

/// The product token robots.txt groups are matched against.
pub const AGENT: &str = "reformwatch";

/// Largest robots.txt read (RFC 9309 asks crawlers to read at least 500 KiB).
pub const MAX_BYTES: usize = 512 * 1024;

/// The rules that apply to us on one origin.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Robots {
    /// `(allow, pattern)` in file order.
    rules: Vec<(bool, String)>,
    /// When true every path is refused (robots.txt unreachable, RFC 9309 §2.3.1.4).
    disallow_all: bool,
    /// `Crawl-delay` of the chosen group (not in RFC 9309, but widely set),
    /// capped at [`MAX_CRAWL_DELAY`].
    crawl_delay: Option<Duration>,
}

/// Longest `Crawl-delay` honoured: a larger value would stall a source.
pub const MAX_CRAWL_DELAY: Duration = Duration::from_secs(60);

impl Robots {
    /// No restrictions (robots.txt missing: a 4xx).
    pub fn allow_all() -> Self {
        Robots::default()
    }

    /// Everything refused (robots.txt unreachable: a 5xx or a network error).
    pub fn disallow_all() -> Self {
        Robots {
            disallow_all: true,
            ..Robots::default()
        }
    }

    /// Parses robots.txt `text` and keeps the group for [`AGENT`], else the
    /// `*` group, else nothing (all allowed).
    pub fn parse(text: &str) -> Self {
        let text = text.get(..MAX_BYTES.min(text.len())).unwrap_or(text);
        let mut ours: Vec<(bool, String)> = Vec::new();
        let mut any: Vec<(bool, String)> = Vec::new();
        let (mut found_ours, mut found_any) = (false, false);
        let (mut delay_ours, mut delay_any) = (None, None);
        // The agents of the group being read, and whether its rules began
        // (a user-agent line after rules starts a new group).
        let mut agents: Vec<String> = Vec::new();
        let mut in_rules = false;
        for raw in text.lines() {
            let line = raw.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" => {
                    if in_rules {
                        agents.clear();
                        in_rules = false;
                    }
                    let agent = value.to_ascii_lowercase();
                    if agent == AGENT || agent.starts_with(&format!("{AGENT}/")) {
                        found_ours = true;
                    } else if agent == "*" {
                        found_any = true;
                    }
                    agents.push(agent);
                }
                "crawl-delay" => {
                    in_rules = true;
                    let Some(d) = value
                        .parse::<f64>()
                        .ok()
                        .filter(|d| d.is_finite() && *d >= 0.0)
                        .map(|d| Duration::from_secs_f64(d.min(MAX_CRAWL_DELAY.as_secs_f64())))
                    else {
                        continue;
                    };
                    if agents
                        .iter()
                        .any(|a| a == AGENT || a.starts_with(&format!("{AGENT}/")))
                    {
                        delay_ours = Some(d);
                    }
                    if agents.iter().any(|a| a == "*") {
                        delay_any = Some(d);
                    }
                }
                "allow" | "disallow" => {
                    in_rules = true;
                    let allow = key == "allow";
                    // An empty `Disallow:` allows everything: no rule needed.
                    if value.is_empty() {
                        continue;
                    }
                    let rule = (allow, value.to_owned());
                    if agents
                        .iter()
                        .any(|a| a == AGENT || a.starts_with(&format!("{AGENT}/")))
                    {
                        ours.push(rule.clone());
                    }
                    if agents.iter().any(|a| a == "*") {
                        any.push(rule);
                    }
                }
                _ => {}
            }
        }
        let (rules, crawl_delay) = if found_ours {
            (ours, delay_ours)
        } else if found_any {
            (any, delay_any)
        } else {
            (Vec::new(), None)
        };
        Robots {
            rules,
            disallow_all: false,
            crawl_delay,
        }
    }

    /// The least time the site asks for between two requests, if any.
    pub fn crawl_delay(&self) -> Option<Duration> {
        self.crawl_delay
    }

    /// May `path` (path plus `?query`, as in the request line) be fetched?
    pub fn allowed(&self, path: &str) -> bool {
        if path == "/robots.txt" {
            return true;
        }
        if self.disallow_all {
            return false;
        }
        let mut best: Option<(usize, bool)> = None;
        for (allow, pattern) in &self.rules {
            if matches(pattern, path) {
                let len = pattern.len();
                best = match best {
                    Some((l, a)) if l > len || (l == len && a) => Some((l, a)),
                    _ => Some((len, *allow)),
                };
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// RFC 9309 pattern match: a prefix match where `*` matches any run of
/// characters and a final `$` anchors the end.
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = path.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return !anchored || rest.is_empty();
    };
    // Leftmost matches leave the most room for what follows.
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    if anchored {
        rest.ends_with(last)
    } else {
        rest.contains(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_group_wins_over_the_star_group() {
        let r = Robots::parse(
            "User-agent: *\nDisallow: /\n\nUser-agent: ReformWatch\nDisallow: /private/\n",
        );
        assert!(r.allowed("/news/1.html"));
        assert!(!r.allowed("/private/x"));
        let star =
            Robots::parse("User-agent: other\nDisallow: /\n\nUser-agent: *\nDisallow: /cgi-bin\n");
        assert!(star.allowed("/"));
        assert!(!star.allowed("/cgi-bin/q?x=1"));
    }

    #[test]
    fn longest_rule_decides_and_allow_wins_a_tie() {
        let r = Robots::parse(
            "User-agent: *\nDisallow: /gov/\nAllow: /gov/xinwen/\nDisallow: /gov/xinwen/old\n",
        );
        assert!(!r.allowed("/gov/zhengce/1.htm"));
        assert!(r.allowed("/gov/xinwen/2024/1.htm"));
        assert!(!r.allowed("/gov/xinwen/old/1.htm"));
        let tie = Robots::parse("User-agent: *\nDisallow: /a\nAllow: /a\n");
        assert!(tie.allowed("/a"));
    }

    #[test]
    fn wildcards_and_end_anchor() {
        let r = Robots::parse("User-agent: *\nDisallow: /*.pdf$\nDisallow: /search*q=\n");
        assert!(!r.allowed("/files/report.pdf"));
        assert!(r.allowed("/files/report.pdf.html"));
        assert!(!r.allowed("/search?q=改革"));
        assert!(r.allowed("/searchable"));
    }

    #[test]
    fn groups_share_rules_and_blank_disallow_allows() {
        let r = Robots::parse("User-agent: a\nUser-agent: *\nDisallow: /x\n# comment\n");
        assert!(!r.allowed("/x/1"));
        let open = Robots::parse("User-agent: *\nDisallow:\n");
        assert!(open.allowed("/anything"));
        assert!(Robots::parse("garbage \u{0} ::: 中文").allowed("/"));
    }

    #[test]
    fn crawl_delay_of_the_chosen_group_capped() {
        let r = Robots::parse("User-agent: *\nCrawl-delay: 2.5\nDisallow: /x\n");
        assert_eq!(r.crawl_delay(), Some(Duration::from_millis(2500)));
        let r = Robots::parse(
            "User-agent: reformwatch\nCrawl-delay: 86400\n\nUser-agent: *\nCrawl-delay: 1\n",
        );
        assert_eq!(r.crawl_delay(), Some(MAX_CRAWL_DELAY));
        assert_eq!(
            Robots::parse("User-agent: *\nCrawl-delay: soon\n").crawl_delay(),
            None
        );
    }

    #[test]
    fn unreachable_means_nothing_but_robots_txt() {
        let r = Robots::disallow_all();
        assert!(!r.allowed("/feed.xml"));
        assert!(r.allowed("/robots.txt"));
        assert!(Robots::allow_all().allowed("/feed.xml"));
    }
}
