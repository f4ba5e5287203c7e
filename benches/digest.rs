//! Digest benchmark (a bench binary, not a test): 1,000 subscribers each
//! due a digest of the same 50 matching articles (Chinese titles and leads).
//! Times (1) rendering alone (the pure stage: view, text, HTML, MIME
//! message) per digest, and (2) the real compose pass
//! (`outbox::compose_now`: one `BEGIN IMMEDIATE` per subscriber that reads
//! the pending items, renders, and writes the digest and its 50 item rows to
//! SQLite with `synchronous=FULL`), and prints the process's peak RSS.
//!
//! Run: `cargo bench --bench digest` (add `-- --subscribers 100` for a quick run).

use std::fmt::Write as _;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use reformwatch::config;
use reformwatch::mail::digest;
use reformwatch::mail::outbox;
use reformwatch::model::DigestItem;
use reformwatch::model::{TermHit, TopicMatch};
use reformwatch::store::digests::ComposeOutcome;
use reformwatch::store::{Access, Store};

const ARTICLES: usize = 50;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn config_text(state: &std::path::Path, subscribers: usize) -> String {
    let mut t = format!(
        "[daemon]\nstate_dir = {:?}\nbackfill = \"all\"\n\n[mail]\nfrom = \"Reform Watch <watch@example.org>\"\ntransport = \"file\"\n\n[[topics]]\nid = \"reform\"\nname = \"改革\"\nkeywords = [\"改革\", \"深化改革\"]\n\n[[topics]]\nid = \"soe\"\nname = \"国企\"\nkeywords = [\"国企\"]\n",
        state.display().to_string()
    );
    for i in 0..subscribers {
        let _ = write!(
            t,
            "\n[[subscribers]]\nemail = \"reader{i}@example.org\"\nname = \"读者 {i}\"\ntopics = [\"reform\", \"soe\"]\nschedule = \"daily 08:00\"\nformat = \"{}\"\n",
            if i % 4 == 0 { "text" } else { "html" }
        );
    }
    t
}

fn title(j: usize) -> String {
    format!("嘉兴市委十届七次全会召开 第{j}项：进一步全面深化改革、国企改革与民生服务 update {j}")
}

fn lead(j: usize) -> String {
    format!(
        "第{j}条：全会审议通过关于进一步全面深化改革、在推进中国式现代化中勇当先行者的实施意见，\
         部署经济体制、国有企业和社会民生等方面的改革任务。Summary of item {j} in English, too."
    )
}

/// Writes the articles, their current revisions and topic matches straight
/// into the schema the store created (the poll pipeline is not under test).
fn seed(db: &std::path::Path, now: i64) {
    let conn = rusqlite::Connection::open(db).expect("open db");
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    conn.execute_batch("BEGIN").unwrap();
    for j in 0..ARTICLES {
        let id = j as i64 + 1;
        conn.execute(
            "INSERT INTO articles (id, source_id, guid, url, canonical_url, first_seen_at,
                last_seen_at, published_at, current_revision, mailable)
             VALUES (?1, 'bench', ?2, ?3, ?3, ?4, ?4, ?4, 1, 1)",
            rusqlite::params![
                id,
                format!("g{j}"),
                format!("https://news.example.cn/a/{j}.html"),
                now - j as i64 * 60
            ],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO revisions (article_id, revision, seen_at, content_hash, title, lead,
                sections_json, quotes_json)
             VALUES (?1, 1, ?2, ?3, ?4, ?5, '[]', '[]')",
            rusqlite::params![id, now, format!("h{j}"), title(j), lead(j)],
        )
        .unwrap();
        let hits = serde_json::json!([{"term": "改革", "title": 2, "body": 3}, {"term": "深化改革", "title": 1, "body": 1}]);
        for (topic, score) in [("reform", 5.0 + j as f64), ("soe", 2.0)] {
            if topic == "soe" && j % 3 != 0 {
                continue;
            }
            conn.execute(
                "INSERT INTO matches (article_id, topic_id, revision, score, explanation, matched_at)
                 VALUES (?1, ?2, 1, ?3, ?4, ?5)",
                rusqlite::params![id, topic, score, hits.to_string(), now],
            )
            .unwrap();
        }
    }
    conn.execute_batch("COMMIT").unwrap();
}

fn items(now: chrono::DateTime<Utc>) -> Vec<DigestItem> {
    (0..ARTICLES)
        .map(|j| DigestItem {
            article_id: j as i64 + 1,
            revision: 1,
            title: title(j),
            url: Some(format!("https://news.example.cn/a/{j}.html")),
            source_name: "人民网 时政".into(),
            published_at: Some(now - chrono::Duration::minutes(j as i64)),
            first_seen_at: now,
            lead: Some(lead(j)),
            matches: vec![TopicMatch {
                topic_id: "reform".into(),
                score: 5.0 + j as f64,
                hits: vec![TermHit {
                    term: "改革".into(),
                    title: 2,
                    body: 3,
                    fields: Default::default(),
                }],
            }],
        })
        .collect()
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let subscribers = arg("--subscribers", 1000);
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    let cfg = dir.path().join("bench.toml");
    std::fs::write(&cfg, config_text(&state, subscribers)).unwrap();
    let settings = config::load(&cfg).unwrap_or_else(|e| panic!("bench config: {:?}", e.0));
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 0, 0, 0).unwrap();

    // (1) Pure rendering: view + text + HTML + RFC 5322 message.
    let its = items(now);
    let start = Instant::now();
    let mut bytes = 0usize;
    for sub in &settings.subscribers {
        let d = digest::render_with_revised(
            sub,
            &settings.topics,
            &its,
            &[],
            now,
            settings.mail.max_items,
        );
        let id = digest::message_id(&sub.id, "bench", "example.org");
        let m = digest::build_message(&settings.mail, sub, &d, &id, now).expect("message");
        bytes += m.len();
    }
    let render = start.elapsed();
    println!(
        "render: {subscribers} digests x {ARTICLES} articles in {:.3} s = {:.3} ms/digest, {:.1} KiB/message",
        render.as_secs_f64(),
        render.as_secs_f64() * 1000.0 / subscribers as f64,
        bytes as f64 / 1024.0 / subscribers as f64
    );

    // (2) The real compose pass into SQLite.
    let store = Store::open(&state, Access::Writer).expect("store");
    outbox::register_all(&settings, &store, now - chrono::Duration::days(1)).expect("register");
    seed(store.path(), now.timestamp());
    let start = Instant::now();
    let composed = outbox::compose_now(&settings, &store, now, None).expect("compose");
    let compose = start.elapsed();
    let written = composed
        .iter()
        .filter(
            |c| matches!(c.outcome, ComposeOutcome::Composed { items, .. } if items == ARTICLES),
        )
        .count();
    assert_eq!(
        written, subscribers,
        "every subscriber gets a 50-article digest"
    );
    println!(
        "compose: {subscribers} digests (read items, render, write digest + {ARTICLES} item rows, commit) in {:.3} s = {:.3} ms/digest",
        compose.as_secs_f64(),
        compose.as_secs_f64() * 1000.0 / subscribers as f64
    );
    println!("peak RSS of the bench process: {} KiB", peak_rss_kib());
}
