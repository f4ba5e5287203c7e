//! Revision decisions on the seed article: ignore patterns, width-only
//! edits, A/B/A flapping, and the nearest earlier revision as diff base.

use chrono::{TimeZone, Utc};
use regex::Regex;

use super::*;
use crate::analysis::diff::golden::{article_from, replace, seed_lines};
use crate::analysis::diff::Location;

fn seed() -> Article {
    article_from(&seed_lines())
}

fn edited(edit: impl Fn(&mut Vec<String>)) -> Article {
    let mut lines = seed_lines();
    edit(&mut lines);
    article_from(&lines)
}

fn stored(revision: u32, article: &Article, ignore: &[Regex]) -> StoredRevision {
    StoredRevision {
        revision,
        hash: revision_hash(article, ignore),
        article: article.clone(),
    }
}

fn patterns() -> Vec<Regex> {
    vec![
        Regex::new(r"浏览次数：\d+").unwrap(),
        Regex::new(r"本文更新于.*$").unwrap(),
    ]
}

/// The store's side of the protocol, as the pipeline will run it: keep
/// revisions newest first, count what would be mailed.
#[derive(Default)]
struct History {
    revisions: Vec<StoredRevision>,
    mailed: usize,
}

impl History {
    fn observe(&mut self, a: &Article, ignore: &[Regex]) -> RevisionDecision {
        let decision = decide(&self.revisions, a, ignore);
        match &decision {
            RevisionDecision::New => self.revisions.insert(0, stored(1, a, ignore)),
            RevisionDecision::Changed { class, .. } => {
                let next = self.revisions[0].revision + 1;
                self.revisions.insert(0, stored(next, a, ignore));
                if *class == ChangeClass::Substantive {
                    self.mailed += 1;
                }
            }
            RevisionDecision::Unchanged | RevisionDecision::SameAsEarlier { .. } => {}
        }
        decision
    }
}

#[test]
fn first_version_is_new_and_a_refetch_is_unchanged() {
    let a = seed();
    assert_eq!(decide(&[], &a, &[]), RevisionDecision::New);
    let mut again = a.clone();
    again.fetched_at = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    again.updated_at = Some(again.fetched_at);
    assert_eq!(
        decide(&[stored(1, &a, &[])], &again, &[]),
        RevisionDecision::Unchanged
    );
}

#[test]
fn view_counter_and_update_line_are_ignored() {
    let ignore = patterns();
    let with = |count: u32, updated: &str| {
        let mut lines = seed_lines();
        lines.push(format!("浏览次数：{count}"));
        let mut a = article_from(&lines);
        a.sections[0].paragraphs[1].push_str(&format!(" 本文更新于{updated}"));
        a
    };
    let a = with(10, "2024-08-31 09:00");
    let b = with(4711, "2024-09-02 17:45");
    assert_ne!(normalized_text(&a, &[]), normalized_text(&b, &[]));
    assert_eq!(normalized_text(&a, &ignore), normalized_text(&b, &ignore));
    assert_eq!(
        decide(&[stored(1, &a, &ignore)], &b, &ignore),
        RevisionDecision::Unchanged
    );
    // Half-width patterns match full-width text too (and the reverse).
    let half = [Regex::new(r"浏览次数:\d+").unwrap()];
    assert_eq!(
        revision_hash(&with(1, "x"), &half),
        revision_hash(&with(2, "x"), &half)
    );
}

#[test]
fn an_edit_next_to_a_ticking_counter_shows_only_the_edit() {
    let ignore = patterns();
    let mut lines = seed_lines();
    lines.push("浏览次数：10".into());
    let a = article_from(&lines);
    replace(&mut lines, "《实施意见》中12项", "《实施意见》中15项");
    *lines.last_mut().unwrap() = "浏览次数：11".into();
    let b = article_from(&lines);
    let RevisionDecision::Changed { base, class, diff } =
        decide(&[stored(1, &a, &ignore)], &b, &ignore)
    else {
        panic!("an edit is a change");
    };
    assert_eq!((base, class), (1, ChangeClass::Substantive));
    assert_eq!(diff.changes.len(), 1, "{}", diff.to_text());
    assert_eq!(diff.changes[0].location, Location::Paragraph(5));
}

#[test]
fn width_and_whitespace_only_edits_are_unchanged() {
    let a = edited(|l| l[6] = l[6].replace(',', "，"));
    let mut b = edited(|l| l[6] = l[6].replace(',', ", "));
    b.title = format!("  {}\u{200B}", b.title);
    assert_eq!(
        decide(&[stored(1, &a, &[])], &b, &[]),
        RevisionDecision::Unchanged
    );
}

#[test]
fn punctuation_change_is_a_cosmetic_revision() {
    let a = seed();
    let b = edited(|l| replace(l, "澎湃动能。", "澎湃动能！"));
    let RevisionDecision::Changed { class, .. } = decide(&[stored(1, &a, &[])], &b, &[]) else {
        panic!("a punctuation change is a revision");
    };
    assert_eq!(class, ChangeClass::Cosmetic);
}

#[test]
fn flapping_over_ten_rechecks_stores_two_revisions_and_mails_once() {
    let a = seed();
    let b = edited(|l| replace(l, "《实施意见》中12项", "《实施意见》中15项"));
    let mut h = History::default();
    assert_eq!(h.observe(&a, &[]), RevisionDecision::New);
    let mut decisions = Vec::new();
    for i in 0..10 {
        decisions.push(h.observe(if i % 2 == 0 { &b } else { &a }, &[]));
    }
    assert_eq!(h.revisions.len(), 2, "{decisions:#?}");
    assert_eq!(h.mailed, 1);
    assert!(matches!(
        decisions[0],
        RevisionDecision::Changed { base: 1, .. }
    ));
    assert_eq!(
        decisions[1],
        RevisionDecision::SameAsEarlier { revision: 1 }
    );
    assert_eq!(decisions[2], RevisionDecision::Unchanged);
    assert!(decisions[3..].iter().all(|d| matches!(
        d,
        RevisionDecision::Unchanged | RevisionDecision::SameAsEarlier { .. }
    )));
}

#[test]
fn three_way_rotation_settles_after_three_revisions() {
    let a = seed();
    let b = edited(|l| replace(l, "《实施意见》中12项", "《实施意见》中15项"));
    let c = edited(|l| replace(l, "扬优势又补短板", "扬优势又补短版"));
    let mut h = History::default();
    for i in 0..12 {
        h.observe([&a, &b, &c][i % 3], &[]);
    }
    assert_eq!(h.revisions.len(), 3);
}

#[test]
fn a_real_edit_is_diffed_against_the_nearest_revision() {
    // A (rev 1) → B (rev 2, a paragraph removed) → A plus a typo fix:
    // nearest to rev 1, so the mail shows one small change, not the
    // paragraph coming back plus the typo.
    let a = seed();
    let b = edited(|l| l.retain(|x| !x.contains("张茂华")));
    let a2 = edited(|l| replace(l, "扬优势又补短板", "扬优势又补短版"));
    let previous = [stored(2, &b, &[]), stored(1, &a, &[])];
    let RevisionDecision::Changed { base, class, diff } = decide(&previous, &a2, &[]) else {
        panic!("an edit is a change");
    };
    assert_eq!(
        (base, class, diff.changes.len()),
        (1, ChangeClass::Minor, 1)
    );
}

#[test]
fn only_the_compared_revisions_count() {
    let a = seed();
    let mut previous: Vec<StoredRevision> = (0..COMPARED_REVISIONS as u32)
        .map(|i| {
            let v = edited(|l| l[0] = format!("第{i}版标题"));
            stored(COMPARED_REVISIONS as u32 + 1 - i, &v, &[])
        })
        .collect();
    previous.push(stored(1, &a, &[]));
    assert!(matches!(
        decide(&previous, &a, &[]),
        RevisionDecision::Changed { .. }
    ));
}

#[test]
fn stored_hash_from_older_ignore_patterns_still_matches() {
    let ignore = patterns();
    let mut lines = seed_lines();
    lines.push("浏览次数：10".into());
    let a = article_from(&lines);
    *lines.last_mut().unwrap() = "浏览次数：99".into();
    let b = article_from(&lines);
    // Stored before the source had an ignore list.
    let old = stored(1, &a, &[]);
    assert_eq!(decide(&[old], &b, &ignore), RevisionDecision::Unchanged);
}

#[test]
fn a_paragraph_split_in_two_is_unchanged() {
    let a = seed();
    let b = edited(|l| {
        let at = l.iter().position(|x| x.contains("张茂华")).unwrap();
        let p = l[at].clone();
        let cut = p.find("接下来").unwrap();
        l[at] = p[..cut].to_string();
        l.insert(at + 1, p[cut..].to_string());
    });
    assert_eq!(
        decide(&[stored(1, &a, &[])], &b, &[]),
        RevisionDecision::Unchanged
    );
}

#[test]
fn the_digest_and_the_cli_see_the_decided_diff() {
    let ignore = patterns();
    let mut lines = seed_lines();
    lines.push("浏览次数：1".into());
    let a = article_from(&lines);
    replace(&mut lines, "澎湃动能", "强劲动能");
    *lines.last_mut().unwrap() = "浏览次数：2".into();
    let b = article_from(&lines);
    let RevisionDecision::Changed { diff, .. } = decide(&[stored(1, &a, &ignore)], &b, &ignore)
    else {
        panic!("an edit is a change");
    };
    assert_eq!(diff, diff_revisions(&a, &b, &ignore));
    assert_eq!(
        diff.to_text(),
        "paragraph 1 changed\n  南湖畔、红船旁,改革劲风激荡起高质量发展的[-澎湃-]{+强劲+}动能。\n"
    );
}

/// drop_cjk_spaces as first written (every char looked at with both
/// neighbours): the revision hashes of stored articles depend on it.
fn reference_drop_cjk_spaces(s: &str) -> String {
    let wide =
        |c: char| crate::analysis::diff::is_cjk(c) || (!c.is_ascii() && !c.is_alphanumeric());
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let layout =
            c == ' ' && i > 0 && i + 1 < chars.len() && (wide(chars[i - 1]) || wide(chars[i + 1]));
        if !layout {
            out.push(c);
        }
    }
    out
}

#[test]
fn layout_spaces_next_to_cjk_go_and_latin_word_spaces_stay() {
    for s in [
        "",
        " ",
        "  ",
        "改革 开放",
        " 改革 开放 ",
        "AI 改革 and reform policy",
        "地, 开天",
        "a  改  b",
        "x \u{3001} y é z",
        "café 改 ñ",
        "plain ascii words",
    ] {
        assert_eq!(
            super::drop_cjk_spaces(s.to_owned()),
            reference_drop_cjk_spaces(s),
            "{s:?}"
        );
    }
    assert_eq!(super::drop_cjk_spaces("改革 开放".into()), "改革开放");
    assert_eq!(super::drop_cjk_spaces("AI 改革".into()), "AI改革");
    assert_eq!(super::drop_cjk_spaces("open reform".into()), "open reform");
}
