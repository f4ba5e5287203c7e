//! End-to-end tests of [`parse`](super::parse) and
//! [`load_text`](super::load_text): the shipped configs parse, and broken
//! configs report the exact key and line of every problem, those found at
//! the edge (secrets, systemd's directories) included.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;

const ETC: &str = "/etc/reformwatch/reformwatch.toml";

/// A minimal valid body that snippets can extend.
const TOPIC: &str = "[[topics]]\nid = \"reform\"\nkeywords = [\"改革\"]\n";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(name)
}

fn problems_at(text: &str, path: &Path) -> Vec<ConfigProblem> {
    match load_text(text, path) {
        Ok(_) => panic!("config was accepted:\n{text}"),
        Err(e) => e.0,
    }
}

fn problems(text: &str) -> Vec<ConfigProblem> {
    problems_at(text, Path::new(ETC))
}

/// Asserts that `text` has exactly one problem, at `line` and `key`, whose
/// message contains `needle`.
#[track_caller]
fn assert_one(found: Vec<ConfigProblem>, line: usize, key: &str, needle: &str) {
    assert_eq!(found.len(), 1, "expected one problem, got {found:#?}");
    assert_has(&found, line, key, needle);
}

#[track_caller]
fn assert_has(found: &[ConfigProblem], line: usize, key: &str, needle: &str) {
    assert!(
        found
            .iter()
            .any(|p| p.line == Some(line) && p.key == key && p.message.contains(needle)),
        "no problem at line {line}, key {key:?}, containing {needle:?} in {found:#?}"
    );
}

fn ok(text: &str) -> Settings {
    load_text(text, Path::new(ETC)).unwrap_or_else(|e| panic!("rejected:\n{e}"))
}

// ---- shipped configs --------------------------------------------------------

#[test]
fn example_config_parses() {
    let text = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/config/example.toml"));
    let s = parse(text, Path::new("/opt/rw/example.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.topics.len(), 3);
    assert!(s.topics[2].query.is_some() && s.topics[2].keywords.is_empty());
    assert_eq!(s.sources.len(), 4);
    assert_eq!(s.subscribers.len(), 2);
    assert_eq!(s.daemon.state_dir, Path::new("/opt/rw/data"));
    assert!(
        matches!(&s.mail.transport, Transport::File { dir } if dir == Path::new("/opt/rw/data/outbox"))
    );
    assert_eq!(s.sources[2].encoding, Some(encoding_rs::GB18030));
    assert_eq!(s.topics[1].keywords[0].weight, 3.0);
}

#[test]
fn default_config_parses() {
    let text = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/config/reformwatch.toml"
    ));
    let s = parse(text, Path::new("/etc/reformwatch/reformwatch.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<_> = s.sources.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["people-politics", "gov-cn", "chinanews-china"]);
    assert_eq!(s.topics[0].name, "改革");
    assert_eq!(s.topics[0].keywords.len(), 4);
    assert_eq!(s.subscribers[0].id, "analyst@example.org");
    assert_eq!(
        s.subscribers[0].schedule,
        Schedule::Daily { hour: 8, minute: 0 }
    );
    assert_eq!(s.daemon.state_dir, Path::new("/etc/reformwatch/data"));
}

#[test]
fn defaults_flow_from_daemon_to_sources() {
    let s = ok(&format!(
        "[daemon]\npoll_interval = \"1h30m\"\ntimezone = \"UTC\"\nbackfill = \"all\"\n\
         [mail]\nfrom = \"w@example.org\"\n\
         {TOPIC}[[sources]]\nid = \"a\"\nurl = \"https://example.org/feed\"\n\
         [[subscribers]]\nemail = \"a@example.org\"\n"
    ));
    let src = &s.sources[0];
    assert_eq!(src.interval, Duration::from_secs(5400));
    assert_eq!(src.timezone, chrono_tz::UTC);
    assert_eq!(src.backfill, Backfill::All);
    assert_eq!(src.name, "a");
    // `topics` left out: the subscriber follows every topic.
    assert_eq!(s.subscribers[0].topics, ["reform"]);
}

#[test]
fn smtp_port_defaults_follow_tls_mode() {
    for (tls, port) in [("starttls", 587), ("tls", 465), ("none", 25)] {
        let s = ok(&format!(
            "[mail]\ntransport = \"smtp\"\nsmtp_host = \"relay\"\nsmtp_tls = \"{tls}\"\n"
        ));
        let Transport::Smtp(smtp) = s.mail.transport else {
            panic!("not smtp")
        };
        assert_eq!(smtp.port, port);
    }
}

// ---- fixture files (tests/fixtures/config/README.md lists the same) ----------

#[test]
fn unknown_key_with_suggestion() {
    let text = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/config/unknown-key.toml"
    ));
    let found = problems(text);
    assert_one(
        found.clone(),
        9,
        "sources[0].intervl",
        "unknown key `intervl`",
    );
    assert!(found[0].message.ends_with("did you mean `interval`?"));
}

#[test]
fn duplicate_source_id() {
    let text = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/config/duplicate-source-id.toml"
    ));
    assert_one(
        problems(text),
        11,
        "sources[1].id",
        "duplicate source id `gov-cn` (first used on line 7)",
    );
}

#[test]
fn duplicate_subscriber() {
    let text = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/config/duplicate-subscriber.toml"
    ));
    assert_one(
        problems(text),
        14,
        "subscribers[1].email",
        "duplicate subscriber id",
    );
}

#[test]
fn unknown_topic_reference() {
    let text = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/config/unknown-topic.toml"
    ));
    assert_one(
        problems(text),
        11,
        "subscribers[0].topics",
        "unknown topic `reforms`, did you mean `reform`?",
    );
}

#[test]
fn ftp_url() {
    let text = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/config/ftp-url.toml"
    ));
    assert_one(
        problems(text),
        8,
        "sources[0].url",
        "must use http or https, not `ftp`",
    );
}

#[test]
fn bad_duration() {
    let text = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/config/bad-duration.toml"
    ));
    assert_one(
        problems(text),
        4,
        "daemon.timeout",
        "bad duration `20`: missing unit",
    );
}

#[test]
fn bad_schedule() {
    let text = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/config/bad-schedule.toml"
    ));
    assert_one(
        problems(text),
        11,
        "subscribers[0].schedule",
        "bad schedule `daily at eight`",
    );
}

#[test]
fn unknown_time_zone() {
    let text = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/config/unknown-timezone.toml"
    ));
    assert_one(
        problems(text),
        3,
        "daemon.timezone",
        "did you mean `Asia/Shanghai`?",
    );
}

#[test]
fn missing_password_env_var() {
    let text = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/config/missing-password-env.toml"
    ));
    let needle = "environment variable `REFORMWATCH_FIXTURE_UNSET_PASSWORD`";
    assert_one(problems(text), 6, "mail.password_env", needle);
}

#[test]
fn missing_password_file_resolves_relative_to_config() {
    let text = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/config/missing-password-file.toml"
    ));
    let path = fixture("missing-password-file.toml");
    let found = problems_at(text, &path);
    let expected = fixture("no-such-dir/smtp-password");
    assert_one(
        found,
        7,
        "mail.password_file",
        &format!("`{}`", expected.display()),
    );
}

#[test]
fn toml_syntax_error_line() {
    let text = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/config/syntax-error.toml"
    ));
    assert_one(problems(text), 7, "sources[0].id", "TOML syntax error");
}

#[test]
fn many_problems_reported_together() {
    let text = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/config/many-problems.toml"
    ));
    let found = problems(text);
    assert_eq!(found.len(), 10, "{found:#?}");
    assert_has(&found, 3, "daemon.concurrency", "at least 1");
    assert_has(
        &found,
        4,
        "daemon.poll_intervall",
        "did you mean `poll_interval`?",
    );
    assert_has(
        &found,
        6,
        "mail.smtp_host",
        "missing required key `smtp_host`",
    );
    assert_has(&found, 17, "sources[0].interval", "bad duration `often`");
    assert_has(
        &found,
        20,
        "sources[1].id",
        "duplicate source id `people-politics`",
    );
    assert_has(&found, 21, "sources[1].url", "bad URL `not a url`");
    assert_has(&found, 22, "sources[1].timezone", "unknown time zone");
    assert_has(&found, 25, "subscribers[0].email", "bad email address");
    assert_has(
        &found,
        26,
        "subscribers[0].topics",
        "unknown topic `economy`",
    );
    assert_has(
        &found,
        27,
        "subscribers[0].schedule",
        "unknown weekday `someday`",
    );
    let lines: Vec<_> = found.iter().map(|p| p.line).collect();
    assert!(lines.is_sorted(), "problems come in line order");
}

// ---- inline snippets ---------------------------------------------------------

#[test]
fn missing_required_keys_point_at_table_header() {
    let text = format!(
        "{TOPIC}\n[[topics]]\nid = \"other\"\n\n[[sources]]\nname = \"x\"\n\n\
         [mail]\nfrom = \"a@b.org\"\n[[subscribers]]\nname = \"Ann\"\n"
    );
    let found = problems(&text);
    assert_eq!(found.len(), 4, "{found:#?}");
    assert_has(
        &found,
        5,
        "topics[1].keywords",
        "missing required key `keywords`",
    );
    assert_has(&found, 8, "sources[0].id", "missing required key `id`");
    assert_has(&found, 8, "sources[0].url", "missing required key `url`");
    assert_has(
        &found,
        13,
        "subscribers[0].email",
        "missing required key `email`",
    );
}

#[test]
fn every_unknown_key_is_reported() {
    let text = "[daemon]\ncolour = \"red\"\nconcurency = 3\n[sources.list]\n\
                [mail]\nsmtp_hots = \"x\"\n[extra]\n";
    let found = problems(text);
    assert_eq!(found.len(), 5, "{found:#?}");
    assert_has(
        &found,
        2,
        "daemon.colour",
        "unknown key `colour` (valid: state_dir,",
    );
    assert_has(
        &found,
        3,
        "daemon.concurency",
        "did you mean `concurrency`?",
    );
    assert_has(
        &found,
        4,
        "sources",
        "expected an array of tables: write `[[sources]]`",
    );
    assert_has(&found, 6, "mail.smtp_hots", "did you mean `smtp_host`?");
    assert_has(&found, 7, "extra", "unknown table `extra`");
}

#[test]
fn wrong_types_are_reported_and_do_not_hide_others() {
    let text = "[daemon]\nconcurrency = \"many\"\nmax_body_bytes = -1\ntimeout = 5\n\
                [[topics]]\nid = \"r\"\nkeywords = [\n  \"改革\",\n  5,\n]\nmin_score = \"x\"\n";
    let found = problems(text);
    assert_eq!(found.len(), 5, "{found:#?}");
    assert_has(
        &found,
        2,
        "daemon.concurrency",
        "wrong type: expected a whole number ≥ 0, found string",
    );
    assert_has(&found, 3, "daemon.max_body_bytes", "");
    assert_has(
        &found,
        4,
        "daemon.timeout",
        "expected a string, found integer `5`",
    );
    assert_has(&found, 9, "topics[0].keywords", "found integer `5`");
    assert_has(&found, 11, "topics[0].min_score", "expected a number");
}

#[test]
fn keyword_tables_are_checked() {
    let text = "[[topics]]\nid = \"r\"\nkeywords = [{ term = \"改革\", wieght = 2 }]\n";
    assert_one(
        problems(text),
        3,
        "topics[0].keywords",
        "unknown key `wieght` in a keyword table, did you mean `weight`?",
    );
    let text = "[[topics]]\nid = \"r\"\nkeywords = [{ weight = 2 }]\n";
    assert_one(problems(text), 3, "topics[0].keywords", "without `term`");
    let text = "[[topics]]\nid = \"r\"\nkeywords = []\n";
    assert_one(problems(text), 3, "topics[0].keywords", "at least one term");
}

#[test]
fn duplicate_topic_id() {
    let text = format!("{TOPIC}{TOPIC}");
    assert_one(
        problems(&text),
        5,
        "topics[1].id",
        "duplicate topic id `reform` (first used on line 2)",
    );
}

#[test]
fn topic_feeds_need_ids_that_name_files() {
    let s = ok(&format!("{TOPIC}feed = true\n"));
    assert!(s.topics[0].feed);
    assert!(!ok(TOPIC).topics[0].feed, "feeds are off by default");
    let text = "[[topics]]\nid = \"../改革\"\nkeywords = [\"改革\"]\nfeed = true\n";
    assert_one(
        problems(text),
        4,
        "topics[0].feed",
        "topic id `../改革` cannot name a feed file",
    );
}

#[test]
fn html_sources_compile_their_rules() {
    let text = format!(
        "{TOPIC}[[sources]]\nid = \"gov\"\nkind = \"html\"\nurl = \"https://www.gov.cn/\"\n\
         [sources.list]\nitem = \"ul.list li\"\ndate = \"span\"\n\
         [sources.article]\ntitle = \"h1\"\nremove = [\".share\", \"#print\"]\n\
         [[sources]]\nid = \"xinhua\"\nkind = \"html\"\nurl = \"https://www.news.cn/\"\n\
         link_pattern = '/\\d{{4}}-\\d{{2}}/\\d{{2}}/c_\\d+\\.htm'\n\
         [[sources]]\nid = \"people\"\nurl = \"https://www.people.com.cn/rss.xml\"\n\
         full_text = true\n[sources.article]\nbody = \"#rwb_zw\"\n"
    );
    let s = ok(&text);
    assert_eq!(s.sources[0].kind, SourceKind::Html);
    let list = s.sources[0].list.as_ref().expect("list rules");
    assert!(list.item.is_some() && list.date.is_some() && list.link.is_none());
    let article = s.sources[0].article.as_ref().expect("article rules");
    assert!(article.title.is_some() && article.body.is_none());
    assert_eq!(article.remove.len(), 2);
    let pattern = s.sources[1]
        .list
        .as_ref()
        .and_then(|l| l.link_pattern.as_ref());
    assert!(pattern.is_some_and(|p| p.is_match("https://www.news.cn/2024-09/02/c_123.htm")));
    assert!(s.sources[2].list.is_none());
    assert!(s.sources[2]
        .article
        .as_ref()
        .is_some_and(|a| a.body.is_some()));
}

#[test]
fn bad_rules_name_their_key_and_line() {
    let text = format!(
        "{TOPIC}[[sources]]\nid = \"gov\"\nkind = \"html\"\nurl = \"https://www.gov.cn/\"\n\
         link_pattern = \"content_(\\\\d+\"\n\
         [sources.list]\nitem = \"ul.list li[\"\nlnk = \"a\"\n\
         [sources.article]\nbody = \"#content >\"\nremove = [\".share\", \"..x\"]\n\
         [[sources]]\nid = \"bare\"\nkind = \"html\"\nurl = \"https://bare.example/\"\n\
         [[sources]]\nid = \"feed\"\nurl = \"https://feed.example/rss\"\n\
         link_pattern = \"x\"\n[sources.article]\nbody = \"p\"\n"
    );
    let found = problems(&text);
    assert_has(&found, 8, "sources[0].link_pattern", "invalid regex");
    assert_has(
        &found,
        10,
        "sources[0].list.item",
        "invalid CSS selector `ul.list li[`",
    );
    assert_has(&found, 11, "sources[0].list.lnk", "did you mean `link`?");
    assert_has(
        &found,
        13,
        "sources[0].article.body",
        "invalid CSS selector",
    );
    assert_has(
        &found,
        14,
        "sources[0].article.remove[1]",
        "invalid CSS selector `..x`",
    );
    assert_has(&found, 15, "sources[1].list", "needs `[sources.list]`");
    assert_has(
        &found,
        22,
        "sources[2].link_pattern",
        "only used by kind = \"html\"",
    );
    assert_has(&found, 23, "sources[2].article", "full_text = true");
    assert_eq!(found.len(), 8, "{found:#?}");
}

#[test]
fn mail_checks() {
    let readable = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let text = format!(
        "[mail]\nfrom = \"Watch <watch at example.org>\"\ntransport = \"smpt\"\n\
         password_env = \"PATH\"\npassword_file = \"{readable}\"\nsmtp_port = 0\n"
    );
    let found = problems(&text);
    assert_eq!(found.len(), 4, "{found:#?}");
    assert_has(
        &found,
        2,
        "mail.from",
        "bad email address `watch at example.org`",
    );
    assert_has(&found, 3, "mail.transport", "did you mean `smtp`?");
    assert_has(&found, 5, "mail.password_file", "not both");
    assert_has(&found, 6, "mail.smtp_port", "must not be 0");
}

#[test]
fn secrets_are_found() {
    let readable = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let smtp = |secret: String| {
        let s = ok(&format!(
            "[mail]\ntransport = \"smtp\"\nsmtp_host = \"relay\"\n{secret}\n"
        ));
        match s.mail.transport {
            Transport::Smtp(smtp) => smtp.password,
            other => panic!("not smtp: {other:?}"),
        }
    };
    let env = smtp("password_env = \"PATH\"".to_owned());
    assert_eq!(env, Some(SecretSource::Env("PATH".to_owned())));
    let file = smtp(format!("password_file = \"{readable}\""));
    assert_eq!(file, Some(SecretSource::File(PathBuf::from(readable))));
}

#[test]
fn from_is_required_with_subscribers() {
    let text = format!("{TOPIC}[[subscribers]]\nemail = \"a@example.org\"\n");
    let found = problems(&text);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!((found[0].line, found[0].key.as_str()), (None, "mail.from"));
    assert!(found[0]
        .message
        .starts_with("missing table `[mail]` with key `from`"));
    // Without subscribers nobody is mailed, so the default sender is fine.
    assert_eq!(ok(TOPIC).mail.from, "reformwatch <reformwatch@localhost>");
    let text = format!(
        "[mail]\nreply_to = \"x@y.org\"\n{TOPIC}[[subscribers]]\nemail = \"a@example.org\"\n"
    );
    assert_one(
        problems(&text),
        1,
        "mail.from",
        "required when there are subscribers",
    );
}

#[test]
fn source_value_checks() {
    let text = format!(
        "{TOPIC}[[sources]]\nid = \"a\"\nurl = \"https://example.org/\"\nencoding = \"klingon\"\n\
         interval = \"0s\"\nbackfill = \"forever\"\nkind = \"rss\"\nfull_text = \"yes\"\n\
         original = 1\n"
    );
    let found = problems(&text);
    assert_eq!(found.len(), 6, "{found:#?}");
    assert_has(
        &found,
        7,
        "sources[0].encoding",
        "unknown encoding label `klingon`",
    );
    assert_has(&found, 8, "sources[0].interval", "longer than zero");
    assert_has(&found, 9, "sources[0].backfill", "\"all\" or \"0\"");
    assert_has(&found, 10, "sources[0].kind", "unknown kind `rss`");
    assert_has(&found, 11, "sources[0].full_text", "expected true or false");
    assert_has(&found, 12, "sources[0].original", "expected true or false");
}

#[test]
fn subscriber_value_checks() {
    let text = format!(
        "[mail]\nfrom = \"w@example.org\"\n{TOPIC}[[subscribers]]\nid = \"ann\"\nemail = \"a@example.org\"\n\
         topics = []\nformat = \"pdf\"\ntimezone = \"Europe/Berlinn\"\n\
         clusters = \"fold\"\n[[subscribers]]\nid = \"ann\"\nemail = \"b@example.org\"\n"
    );
    let found = problems(&text);
    assert_eq!(found.len(), 5, "{found:#?}");
    assert_has(
        &found,
        9,
        "subscribers[0].topics",
        "no digest would ever be sent",
    );
    assert_has(&found, 10, "subscribers[0].format", "unknown format `pdf`");
    assert_has(
        &found,
        11,
        "subscribers[0].timezone",
        "did you mean `Europe/Berlin`?",
    );
    assert_has(
        &found,
        12,
        "subscribers[0].clusters",
        "unknown clusters `fold`",
    );
    assert_has(
        &found,
        14,
        "subscribers[1].id",
        "duplicate subscriber id `ann` (first used on line 7)",
    );
}

#[test]
fn never_panics_on_mangled_input() {
    let text = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/config/example.toml"));
    let mut cuts: Vec<usize> = (0..text.len()).step_by(13).collect();
    cuts.push(text.len());
    for cut in cuts.into_iter().filter(|&c| text.is_char_boundary(c)) {
        let _ = parse(&text[..cut], Path::new(ETC));
    }
    let lines: Vec<&str> = text.lines().collect();
    for skip in 0..lines.len() {
        let mut mangled = lines.clone();
        mangled[skip] = "= \"\u{0}\" [[";
        let _ = parse(&mangled.join("\n"), Path::new(ETC));
    }
    for odd in [
        "",
        "\u{feff}",
        "[[",
        "a.b.c = 1",
        "daemon = 1",
        "topics = [1, {}]",
        "[[topics]]\nkeywords = \"x\"",
    ] {
        let _ = parse(odd, Path::new(""));
    }
}

// ---- issue 6: service keys ---------------------------------------------------

#[test]
fn service_keys_parse_with_their_defaults() {
    let s = ok(&format!(
        "{TOPIC}[[sources]]\nid = \"a\"\nurl = \"http://x.test/\"\n"
    ));
    assert_eq!(s.daemon.per_host_concurrency, 1);
    assert_eq!(s.daemon.per_host_delay, Duration::from_secs(1));
    assert_eq!(s.daemon.metrics_addr, None);
    assert_eq!(s.daemon.admin_after, Duration::from_secs(86_400));
    assert!(s.sources[0].robots && s.sources[0].active_hours.is_none());
    let s = ok(&format!(
        "[daemon]\nmetrics_addr = \"9187\"\nper_host_delay = \"0s\"\nadmin_email = \"ops@example.org\"\n{TOPIC}\
         [[sources]]\nid = \"a\"\nurl = \"http://x.test/\"\nrobots = false\nactive_hours = \"22:00-02:00\"\n"
    ));
    assert_eq!(s.daemon.metrics_addr, Some(([127, 0, 0, 1], 9187).into()));
    assert_eq!(s.daemon.per_host_delay, Duration::ZERO);
    assert_eq!(s.daemon.admin_email.as_deref(), Some("ops@example.org"));
    assert!(!s.sources[0].robots);
    let hours = s.sources[0].active_hours.unwrap();
    assert_eq!(hours.start.format("%H:%M").to_string(), "22:00");
}

#[test]
fn bad_service_keys_name_key_and_line() {
    let found = problems("[daemon]\nmetrics_addr = \"everywhere\"\n");
    assert_one(found, 2, "daemon.metrics_addr", "bad metrics_addr");
    let found = problems(&format!(
        "{TOPIC}[[sources]]\nid = \"a\"\nurl = \"http://x.test/\"\nactive_hours = \"8-20\"\n"
    ));
    assert_one(found, 7, "sources[0].active_hours", "HH:MM-HH:MM");
}

// ---- topic queries and [synonyms] -------------------------------------------

#[test]
fn query_topic_with_synonyms_parses() {
    let s = ok(
        "[synonyms]\n\"国企\" = [\"国有企业\", \"国企\", \"央企\"]\nsoe = [\"SOE\"]\n\n\
                [[topics]]\nid = \"soe\"\nquery = '@国企 NEAR/20 改革 -招聘'\n",
    );
    assert_eq!(s.synonyms["国企"], ["国有企业", "国企", "央企"]);
    let topic = &s.topics[0];
    assert!(topic.keywords.is_empty());
    assert_eq!(
        topic.query.as_ref().unwrap().text,
        "@国企 NEAR/20 改革 -招聘"
    );
}

#[test]
fn bad_query_names_file_line_and_query_column() {
    let text = "[[topics]]\nid = \"soe\"\nname = \"国企\"\nquery = '国企 AND (改革 OR'\n";
    let found = problems(text);
    assert_one(
        found.clone(),
        4,
        "topics[0].query",
        "column 12: OR needs a clause on its right",
    );
    assert!(found[0].to_string().starts_with(ETC), "{}", found[0]);
}

#[test]
fn multi_line_query_error_is_on_its_own_file_line() {
    let text = "[[topics]]\nid = \"soe\"\nquery = '''\n国企 改革\nOR titel:央企\n'''\n";
    assert_one(
        problems(text),
        5,
        "topics[0].query",
        "line 2, column 4: unknown field `titel:` (did you mean `title:`?)",
    );
}

#[test]
fn query_naming_an_undeclared_synonym_set() {
    let text =
        "[synonyms]\n\"国企\" = [\"国有企业\"]\n[[topics]]\nid = \"t\"\nquery = \"改革 @国营\"\n";
    assert_one(
        problems(text),
        5,
        "topics[0].query",
        "column 4: unknown synonym set @国营 (did you mean @国企?)",
    );
}

#[test]
fn bad_synonym_sets_are_each_reported() {
    let text = format!(
        "{TOPIC}[synonyms]\nempty = []\n\"two words\" = [\"a\"]\nnot_list = \"国企\"\nblank = [\"国企\", \" \"]\n"
    );
    let found = problems(&text);
    assert_eq!(found.len(), 4, "{found:#?}");
    assert_has(&found, 5, "synonyms.empty", "at least one term");
    assert_has(&found, 6, "synonyms.two words", "no spaces");
    assert_has(
        &found,
        7,
        "synonyms.not_list",
        "expected an array of strings",
    );
    assert_has(&found, 8, "synonyms.blank[1]", "must not be empty");
}

#[test]
fn topic_needs_keywords_or_query() {
    assert_one(
        problems("[[topics]]\nid = \"t\"\n"),
        1,
        "topics[0].keywords",
        "missing required key `keywords` (or `query`)",
    );
}
