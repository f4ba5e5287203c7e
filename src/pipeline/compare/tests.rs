//! The revise step and the store together, in a real SQLite file:
//! reappearing feed items, A/B/A flapping, ignore patterns, the re-check
//! schedule and the evidence kept.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use regex::Regex;

use super::*;
use crate::analysis::diff::golden::{article_from, replace, seed_lines};
use crate::document::normalize;
use crate::model::{
    Candidate, ChangeClass, FetchedSource, NewArticle, PageEvidence, RecheckOutcome, RecheckRecord,
    SeenArticle, SourceOutcome, SourceRecord, TopicMatch, Validators,
};
use crate::pipeline::schedule::next_recheck;
use crate::store::articles::KnownArticle;
use crate::store::{Access, Store};

/// A source's revision settings, as the tests vary them.
#[derive(Default)]
struct RevisePolicy {
    ignore: Vec<Regex>,
    recheck: Vec<Duration>,
}

/// The policy of the one source the tests poll (none: no patterns, no
/// re-checks).
#[derive(Default)]
struct RevisePolicies(RevisePolicy);

fn policies(policy: RevisePolicy) -> RevisePolicies {
    RevisePolicies(policy)
}

fn t(hours: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 9, 2, 0, 0, 0).unwrap() + chrono::Duration::hours(hours)
}

fn hashed(mut a: Article) -> Article {
    a.content_hash = normalize::content_hash(&a);
    a
}

fn seed() -> Article {
    hashed(article_from(&seed_lines()))
}

fn edited() -> Article {
    let mut lines = seed_lines();
    replace(&mut lines, "《实施意见》中12项", "《实施意见》中15项");
    hashed(article_from(&lines))
}

fn with_counter(mut a: Article, n: u32) -> Article {
    a.sections[0].paragraphs.push(format!("浏览次数：{n}"));
    hashed(a)
}

fn matched(topic: &str) -> Vec<TopicMatch> {
    vec![TopicMatch {
        topic_id: topic.into(),
        score: 2.0,
        hits: vec![],
    }]
}

/// One poll that lists `a`: the revise step for a stored item, revision 1
/// for a new one, both matching `topic`; then the store's write.
fn poll(store: &Store, policies: &RevisePolicies, a: &Article, topic: &str, now: DateTime<Utc>) {
    let p = &policies.0;
    let candidates = [Candidate::from_item(a.clone())];
    let known = store
        .known_articles(&a.source_id, &candidates, false)
        .unwrap();
    let mut fetched = FetchedSource::default();
    match known.get(&a.guid) {
        Some(stored) => fetched.seen.push(SeenArticle {
            article_id: stored.id,
            verdict: judged(store, stored, a.clone(), p, topic),
        }),
        None => fetched.new.push(NewArticle {
            article: a.clone(),
            matches: matched(topic),
            mailable: true,
            page: None,
            revision_hash: crate::analysis::revise::revision_hash(a, &p.ignore),
            next_recheck_at: next_recheck(now, &p.recheck, now),
        }),
    }
    let record = SourceRecord {
        source_id: a.source_id.clone(),
        url: "http://127.0.0.1/feed".into(),
        next_poll_at: now,
        outcome: SourceOutcome::Fetched(fetched),
    };
    store.apply_poll(&[record], now).unwrap();
}

/// The revise step's verdict on `a`, its matches those of `topic`.
fn judged(
    store: &Store,
    stored: &KnownArticle,
    a: Article,
    p: &RevisePolicy,
    topic: &str,
) -> Verdict {
    let matcher = TopicMatcher::new(&[]);
    match verdict(store, &matcher, stored, a, &p.ignore).unwrap() {
        Verdict::Revised(mut r) => {
            r.matches = matched(topic);
            Verdict::Revised(r)
        }
        other => other,
    }
}

/// A re-check of article 1 at `now` that fetched `a` from the page `raw`.
fn fetched(
    store: &Store,
    policies: &RevisePolicies,
    a: Article,
    raw: &str,
    now: DateTime<Utc>,
) -> RecheckRecord {
    let p = &policies.0;
    let current = store.article(1).unwrap().unwrap().article;
    let stored = KnownArticle {
        id: 1,
        content_hash: current.content_hash,
    };
    RecheckRecord {
        article_id: 1,
        next_recheck_at: next_recheck(t(0), &p.recheck, now),
        outcome: RecheckOutcome::Fetched {
            page: PageEvidence {
                raw: raw.as_bytes().to_vec(),
                validators: Validators {
                    etag: Some("\"v1\"".into()),
                    last_modified: None,
                },
            },
            verdict: judged(store, &stored, a, p, "reform"),
        },
    }
}

fn classes(store: &Store) -> Vec<(u32, Option<ChangeClass>, Option<u32>)> {
    store
        .revision_history(1)
        .unwrap()
        .iter()
        .map(|r| (r.revision, r.class, r.base))
        .collect()
}

#[test]
fn a_reappearing_item_with_an_edit_is_revision_two_and_flapping_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), Access::Writer).unwrap();
    let p = RevisePolicies::default();
    poll(&store, &p, &seed(), "reform", t(0));
    poll(&store, &p, &seed(), "reform", t(1));
    assert_eq!(classes(&store), [(1, None, None)]);
    poll(&store, &p, &edited(), "soe", t(2));
    assert_eq!(
        classes(&store),
        [
            (1, None, None),
            (2, Some(ChangeClass::Substantive), Some(1))
        ]
    );
    let stored = store.article(1).unwrap().unwrap();
    assert_eq!(stored.article.revision, 2);
    assert!(stored.article.text().contains("15项"));
    assert_eq!(stored.matches.len(), 1);
    assert_eq!(stored.matches[0].0, "soe", "matches are re-scored");
    // A, B, A, B, …: the page flips back and forth; nothing new is stored.
    for i in 0..10 {
        let version = if i % 2 == 0 { seed() } else { edited() };
        poll(&store, &p, &version, "soe", t(3 + i));
    }
    assert_eq!(classes(&store).len(), 2);
    let first = store.revision_article(1, 1).unwrap().unwrap();
    assert!(first.text().contains("12项"));
}

#[test]
fn ignored_counters_and_width_changes_store_no_revision() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), Access::Writer).unwrap();
    let p = policies(RevisePolicy {
        ignore: vec![Regex::new(r"浏览次数：\d+").unwrap()],
        recheck: vec![],
    });
    poll(&store, &p, &with_counter(seed(), 10), "reform", t(0));
    poll(&store, &p, &with_counter(seed(), 4711), "reform", t(1));
    let mut lines = seed_lines();
    for line in &mut lines {
        *line = line.replace('，', ",").replace('：', ":");
    }
    let half_width = with_counter(hashed(article_from(&lines)), 4712);
    poll(&store, &p, &half_width, "reform", t(2));
    assert_eq!(classes(&store), [(1, None, None)]);
}

#[test]
fn rechecks_follow_the_schedule_keep_evidence_and_store_edits() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), Access::Writer).unwrap();
    let hours = |h: &[u64]| h.iter().map(|h| Duration::from_secs(h * 3600)).collect();
    let p = policies(RevisePolicy {
        ignore: vec![],
        recheck: hours(&[1, 3, 12]),
    });
    let mut page = seed();
    page.url = Some("http://127.0.0.1/jiaxing.htm".into());
    poll(&store, &p, &page, "reform", t(0));
    assert!(store.due_rechecks("jiaxing", t(0), 20).unwrap().is_empty());
    let due = store.due_rechecks("jiaxing", t(1), 20).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].url, "http://127.0.0.1/jiaxing.htm");
    // 1h: the same page; its raw HTML becomes revision 1's evidence.
    let report = store
        .apply_rechecks(
            &[fetched(&store, &p, page.clone(), "<html>A</html>", t(1))],
            t(1),
        )
        .unwrap();
    assert_eq!((report.checked, report.revised.len()), (1, 0));
    assert!(store.due_rechecks("jiaxing", t(2), 20).unwrap().is_empty());
    let due = store.due_rechecks("jiaxing", t(3), 20).unwrap();
    assert_eq!(due[0].validators.etag.as_deref(), Some("\"v1\""));
    // 3h: edited.
    let report = store
        .apply_rechecks(
            &[fetched(&store, &p, edited(), "<html>B</html>", t(3))],
            t(3),
        )
        .unwrap();
    assert_eq!(report.revised, [(1, 2, ChangeClass::Substantive)]);
    let history = store.revision_history(1).unwrap();
    let evidence: Vec<_> = history.iter().map(|r| r.raw_hash.clone()).collect();
    assert!(evidence.iter().all(Option::is_some), "{history:?}");
    let raw = store.raw_page(evidence[1].as_deref().unwrap()).unwrap();
    assert_eq!(raw.as_deref(), Some(&b"<html>B</html>"[..]));
    // 12h: a 304, the last slot: the schedule ends.
    let not_modified = RecheckRecord {
        article_id: 1,
        next_recheck_at: next_recheck(t(0), &p.0.recheck, t(12)),
        outcome: RecheckOutcome::NotModified,
    };
    store.apply_rechecks(&[not_modified], t(12)).unwrap();
    assert!(store
        .due_rechecks("jiaxing", t(1000), 20)
        .unwrap()
        .is_empty());
    // Evidence older than the retention is pruned.
    assert_eq!(
        store
            .prune_evidence(Duration::from_secs(3600), t(5))
            .unwrap(),
        2
    );
    assert!(store.revision_history(1).unwrap()[1].raw_hash.is_none());
}

/// What a composed digest held: (article, revision) of the new articles,
/// (article, revision mailed before, revision) of the revised ones.
type Composed = (Vec<(i64, u32)>, Vec<(i64, u32, u32)>);

/// Composes a digest for subscriber `s` of topic `reform` at `now`;
/// returns (new article ids with their revision, revised article ids with
/// their revisions) it held.
fn compose(store: &Store, least: Option<ChangeClass>, now: DateTime<Utc>) -> Composed {
    compose_carrying(store, least, now, |_| true)
}

/// [`compose`] whose message carries only the articles `carries` accepts.
fn compose_carrying(
    store: &Store,
    least: Option<ChangeClass>,
    now: DateTime<Utc>,
    carries: impl Fn(i64) -> bool,
) -> Composed {
    use crate::store::digests::NewDigest;
    let mut seen = (Vec::new(), Vec::new());
    let period = format!("now:{}", now.timestamp());
    store
        .sync_subscriber("s", "s@example.org", t(0), t(0))
        .unwrap();
    store
        .compose_digest(
            "s",
            &["reform".into()],
            least,
            true,
            None,
            &period,
            None,
            now,
            |items, revised, _| {
                seen.0 = items.iter().map(|i| (i.article_id, i.revision)).collect();
                seen.1 = revised
                    .iter()
                    .map(|r| (r.article_id, r.mailed, r.revision))
                    .collect();
                let carried = crate::model::Carried {
                    articles: items
                        .iter()
                        .map(|i| i.article_id)
                        .filter(|&id| carries(id))
                        .collect(),
                    revisions: revised
                        .iter()
                        .map(|r| r.article_id)
                        .filter(|&id| carries(id))
                        .collect(),
                };
                let digest = NewDigest {
                    message_id: format!("<{period}@x>"),
                    envelope_from: "w@example.org".into(),
                    recipients: vec!["s@example.org".into()],
                    subject: "digest".into(),
                    message: b"x".to_vec(),
                    item_count: items.len() + revised.len(),
                };
                Ok((digest, carried))
            },
        )
        .unwrap();
    seen
}

/// Issue 11's invariant at the store: only what the composed message
/// carries is recorded as delivered; a pending article it does not carry
/// stays pending for the next digest instead of being lost.
#[test]
fn only_the_articles_a_message_carries_count_as_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), Access::Writer).unwrap();
    let p = RevisePolicies::default();
    let mut other = seed();
    other.guid = "other".into();
    other.url = Some("http://www.example.org/other.htm".into());
    poll(&store, &p, &seed(), "reform", t(0));
    poll(&store, &p, &other, "reform", t(0));
    let held = compose_carrying(&store, None, t(1), |id| id == 1);
    assert_eq!(held.0.len(), 2, "both were pending");
    // Article 2 was not in the message: it is offered again, alone.
    assert_eq!(compose(&store, None, t(2)), (vec![(2, 1)], vec![]));
    assert_eq!(compose(&store, None, t(3)), (vec![], vec![]));
}

#[test]
fn digests_report_each_revision_once_and_new_articles_at_their_latest_text() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), Access::Writer).unwrap();
    let p = RevisePolicies::default();
    // New and already edited before the first digest: shown once, as new.
    poll(&store, &p, &seed(), "reform", t(0));
    poll(&store, &p, &edited(), "reform", t(1));
    assert_eq!(
        compose(&store, Some(ChangeClass::Substantive), t(2)),
        (vec![(1, 2)], vec![])
    );
    // A further edit: revised, from the revision mailed, once.
    let mut lines = seed_lines();
    replace(&mut lines, "《实施意见》中12项", "《实施意见》中20项");
    poll(&store, &p, &hashed(article_from(&lines)), "reform", t(3));
    assert_eq!(
        compose(&store, Some(ChangeClass::Substantive), t(4)),
        (vec![], vec![(1, 2, 3)])
    );
    assert_eq!(
        compose(&store, Some(ChangeClass::Substantive), t(5)),
        (vec![], vec![])
    );
    // A cosmetic edit: only for `revisions = "all"`; never for "none".
    let spaced = {
        let mut a = hashed(article_from(&lines));
        a.title = a.title.replacen("贯彻", "贯彻，", 1);
        hashed(a)
    };
    poll(&store, &p, &spaced, "reform", t(6));
    assert_eq!(
        store.revision_history(1).unwrap().last().unwrap().class,
        Some(ChangeClass::Cosmetic)
    );
    assert_eq!(compose(&store, None, t(7)), (vec![], vec![]));
    assert_eq!(
        compose(&store, Some(ChangeClass::Substantive), t(8)),
        (vec![], vec![])
    );
    assert_eq!(
        compose(&store, Some(ChangeClass::Cosmetic), t(9)),
        (vec![], vec![(1, 3, 4)])
    );
}
