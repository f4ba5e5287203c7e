//! Golden-file tests: edits of the seed article (`tests/fixtures/seed/`)
//! diffed and rendered, compared with `tests/fixtures/diffs/<case>.txt`.
//! Run with `UPDATE_GOLDEN=1` to rewrite the files after a deliberate
//! change, then review them with `git diff`.

use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use chrono_tz::Tz;

use super::{diff_articles, ArticleDiff, ChangeClass, ChangeKind, Location, Part};
use crate::model::{Article, Quote, Section};

const SEED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/seed/jiaxing-plenum-2024.txt"
));

/// The speakers of the seed article and their posts.
const SPEAKERS: &[(&str, &str)] = &[
    ("王亮", "市委改革办常务副主任"),
    ("吴根军", "市科技局党组书记、局长"),
    ("张茂华", "乌镇实验室科研创新部负责人"),
    ("龚跃明", "平湖技师学院党委书记"),
    ("王国芬", "市卫生健康委党委书记、主任"),
    ("金美凤", "海宁市硖石街道西山社区党委书记"),
    ("陆丽燕", "凯晟动力技术(嘉兴)有限公司综合管理部负责人"),
    (
        "陈学栋",
        "嘉善县发展和改革局党组成员、示范区招商服务中心副主任",
    ),
    ("金梓伟", "市农业农村局党委书记、局长"),
    ("邓剑强", "南湖区余新镇党委书记"),
];

/// The seed article as lines (`title:`, `lead:`, paragraphs…) for tests to
/// edit and turn into an `Article` with [`article_from`].
pub(crate) fn seed_lines() -> Vec<String> {
    SEED.lines().map(str::to_string).collect()
}

/// Builds the article the way an extractor would: line 1 the title, line 2
/// the subtitle, short lines without sentence punctuation the section
/// headings, the rest paragraphs (the first one the lead), and one quote
/// per paragraph that names a speaker (its first `“…”`).
pub(crate) fn article_from(lines: &[String]) -> Article {
    let mut sections = vec![Section::default()];
    for line in &lines[2..] {
        let heading = line.chars().count() <= 20 && !line.contains(['。', '！', '？', '”']);
        if heading {
            sections.push(Section {
                heading: Some(line.clone()),
                paragraphs: vec![],
            });
        } else {
            sections.last_mut().unwrap().paragraphs.push(line.clone());
        }
    }
    let mut quotes = Vec::new();
    for p in lines[2..].iter() {
        for (name, role) in SPEAKERS {
            if !p.contains(name) {
                continue;
            }
            let Some(open) = p.find('“') else { continue };
            let rest = &p[open + '“'.len_utf8()..];
            let text = rest.split('”').next().unwrap_or(rest);
            quotes.push(Quote {
                speaker: Some(name.to_string()),
                role: Some(role.to_string()),
                text: text.to_string(),
            });
        }
    }
    Article {
        source_id: "jiaxing".into(),
        guid: "gen:http://127.0.0.1/jiaxing.htm".into(),
        title: lines[0].clone(),
        subtitle: Some(lines[1].clone()),
        byline: Some("记者 沈琳".into()),
        outlet: Some("嘉兴日报".into()),
        published_at: Some(Utc.with_ymd_and_hms(2024, 8, 31, 0, 30, 0).unwrap()),
        fetched_at: Utc.with_ymd_and_hms(2024, 9, 1, 0, 0, 0).unwrap(),
        language: Some("zh".into()),
        lead: Some(lines[2].clone()),
        sections,
        quotes,
        revision: 1,
        ..Article::default()
    }
}

/// Replaces exactly one occurrence of `from` in the lines.
pub(crate) fn replace(lines: &mut [String], from: &str, to: &str) {
    let hits: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains(from))
        .collect();
    assert_eq!(hits.len(), 1, "{from:?} must occur on exactly one line");
    let line = &mut lines[hits[0]];
    assert_eq!(line.matches(from).count(), 1, "{from:?} twice on a line");
    *line = line.replacen(from, to, 1);
}

fn remove_line_with(lines: &mut Vec<String>, needle: &str) {
    let before = lines.len();
    lines.retain(|l| !l.contains(needle));
    assert_eq!(lines.len() + 1, before, "{needle:?} must be on one line");
}

fn change_number(lines: &mut [String]) {
    replace(lines, "《实施意见》中12项", "《实施意见》中15项");
}

fn remove_quote_paragraph(lines: &mut Vec<String>) {
    remove_line_with(lines, "张茂华");
}

fn rewrite_subtitle(lines: &mut [String]) {
    lines[1] = "全市上下掀起“争当排头兵、谱写新篇章”学习热潮".into();
}

struct Case {
    name: &'static str,
    /// The edit, for the golden file's header.
    what: &'static str,
    /// Applied to both versions first (to give the base some feature).
    base: fn(&mut Vec<String>),
    /// The edit under test.
    edit: fn(&mut Vec<String>),
    /// An edit of fields that are not lines.
    fields: fn(&mut Article),
    /// The class the whole diff must have.
    class: ChangeClass,
    /// How many changes the diff must have.
    changes: usize,
}

fn nothing(_: &mut Vec<String>) {}
fn no_fields(_: &mut Article) {}

const CASES: &[Case] = &[
    Case {
        name: "number-changed",
        what: "one number changed in a paragraph (12项 → 15项)",
        base: nothing,
        edit: |l| change_number(l),
        fields: no_fields,
        class: ChangeClass::Substantive,
        changes: 1,
    },
    Case {
        name: "paragraph-removed",
        what: "the quote paragraph of 张茂华 removed",
        base: nothing,
        edit: remove_quote_paragraph,
        fields: no_fields,
        class: ChangeClass::Substantive,
        changes: 1,
    },
    Case {
        name: "paragraph-added",
        what: "a paragraph added after the first one of section 2",
        base: nothing,
        edit: |l| {
            let at = l
                .iter()
                .position(|x| x.starts_with("改革是由问题"))
                .unwrap();
            l.insert(
                at + 1,
                "据统计，今年以来全市已推出改革举措86项，其中23项在全省复制推广。".into(),
            );
        },
        fields: no_fields,
        class: ChangeClass::Substantive,
        changes: 1,
    },
    Case {
        name: "subtitle-rewritten",
        what: "the subtitle rewritten",
        base: nothing,
        edit: |l| rewrite_subtitle(l),
        fields: no_fields,
        class: ChangeClass::Substantive,
        changes: 1,
    },
    Case {
        name: "title-sharpened",
        what: "the title sharpened (认真 → 迅速)",
        base: nothing,
        edit: |l| replace(l, "嘉兴各界认真学习", "嘉兴各界迅速学习"),
        fields: no_fields,
        class: ChangeClass::Substantive,
        changes: 1,
    },
    Case {
        name: "quote-words-changed",
        what: "words inside 王亮's quote changed (构建 → 重塑)",
        base: nothing,
        edit: |l| replace(l, "系统构建了全市改革", "系统重塑了全市改革"),
        fields: no_fields,
        class: ChangeClass::Substantive,
        changes: 1,
    },
    Case {
        name: "published-time-moved",
        what: "the published time moved by a day and a half",
        base: nothing,
        edit: nothing,
        fields: |a| a.published_at = Some(Utc.with_ymd_and_hms(2024, 9, 1, 2, 0, 0).unwrap()),
        class: ChangeClass::Substantive,
        changes: 1,
    },
    Case {
        name: "punctuation-width-only",
        what: "full-width commas of one paragraph made half-width",
        base: |l| {
            let at = l
                .iter()
                .position(|x| x.starts_with("嘉兴是中国革命"))
                .unwrap();
            l[at] = l[at].replace(',', "，");
        },
        edit: |l| {
            let at = l
                .iter()
                .position(|x| x.starts_with("嘉兴是中国革命"))
                .unwrap();
            l[at] = l[at].replace('，', ",");
        },
        fields: no_fields,
        class: ChangeClass::Cosmetic,
        changes: 1,
    },
    Case {
        name: "typo-one-character",
        what: "a one-character typo (短板 → 短版)",
        base: nothing,
        edit: |l| replace(l, "扬优势又补短板", "扬优势又补短版"),
        fields: no_fields,
        class: ChangeClass::Minor,
        changes: 1,
    },
    Case {
        name: "sentence-rewritten",
        what: "one sentence rewritten phrase by phrase",
        base: nothing,
        edit: |l| {
            replace(
                l,
                "要以坐不住的紧迫感、慢不得的危机感,放大优势、补齐短板,",
                "要以只争朝夕的紧迫感、时不我待的危机感,巩固优势、补齐短板,",
            )
        },
        fields: no_fields,
        class: ChangeClass::Substantive,
        changes: 1,
    },
    Case {
        name: "heading-changed",
        what: "a section heading changed",
        base: nothing,
        edit: |l| replace(l, "找准根本出路、关键一招", "找准根本出路、用好关键一招"),
        fields: no_fields,
        class: ChangeClass::Substantive,
        changes: 1,
    },
    Case {
        name: "mixed-chinese-english",
        what: "a mixed Chinese/English sentence edited",
        base: |l| {
            replace(
                l,
                "同时加强与清华大学互动",
                "同时加强与清华大学 (Tsinghua University) 在 AI for Science 领域互动",
            )
        },
        edit: |l| {
            replace(
                l,
                "清华大学 (Tsinghua University) 在 AI for Science 领域",
                "浙江大学 (Zhejiang University) 在 AI for Materials Science 领域",
            )
        },
        fields: no_fields,
        class: ChangeClass::Substantive,
        changes: 1,
    },
    Case {
        name: "acceptance-1",
        what: "issue 4 acceptance 1: number changed, quote paragraph removed, subtitle rewritten",
        base: nothing,
        edit: |l| {
            change_number(l);
            remove_quote_paragraph(l);
            rewrite_subtitle(l);
        },
        fields: no_fields,
        class: ChangeClass::Substantive,
        changes: 3,
    },
];

fn versions(case: &Case) -> (Article, Article) {
    let mut lines = seed_lines();
    (case.base)(&mut lines);
    let old = article_from(&lines);
    (case.edit)(&mut lines);
    let mut new = article_from(&lines);
    (case.fields)(&mut new);
    (old, new)
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/diffs")
        .join(name)
}

fn golden_text(case: &Case, diff: &ArticleDiff) -> String {
    let classes: Vec<&str> = diff.changes.iter().map(|c| c.class.as_str()).collect();
    format!(
        "# {}: {} (seed article; ArticleDiff::to_text, Asia/Shanghai)\n\
         class: {}\nchanges: {}\n\n{}",
        case.name,
        case.what,
        diff.class().map_or("none", ChangeClass::as_str),
        classes.join(", "),
        diff.to_text()
    )
}

/// Compares `actual` with the golden file, or rewrites it when
/// `UPDATE_GOLDEN` is set. Returns a mismatch description.
fn check_golden(name: &str, actual: &str) -> Option<String> {
    let path = fixture(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return None;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    (expected != actual).then(|| {
        format!(
            "{} differs (UPDATE_GOLDEN=1 rewrites it)\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        )
    })
}

#[test]
fn golden_edit_kinds() {
    let mut failures = Vec::new();
    for case in CASES {
        let (old, new) = versions(case);
        let diff = diff_articles(&old, &new).in_timezone(Tz::Asia__Shanghai);
        assert_eq!(
            diff.class(),
            Some(case.class),
            "{}: {:#?}",
            case.name,
            diff.changes
        );
        assert_eq!(
            diff.changes.len(),
            case.changes,
            "{}: {}",
            case.name,
            diff.to_text()
        );
        failures.extend(check_golden(
            &format!("{}.txt", case.name),
            &golden_text(case, &diff),
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn golden_acceptance_html() {
    let case = CASES.iter().find(|c| c.name == "acceptance-1").unwrap();
    let (old, new) = versions(case);
    let html = diff_articles(&old, &new)
        .in_timezone(Tz::Asia__Shanghai)
        .to_html();
    if let Some(failure) = check_golden("acceptance-1.html", &html) {
        panic!("{failure}");
    }
}

#[test]
fn acceptance_edit_is_exactly_three_substantive_changes() {
    let case = CASES.iter().find(|c| c.name == "acceptance-1").unwrap();
    let (old, new) = versions(case);
    let diff = diff_articles(&old, &new);
    let summary: Vec<(Location, ChangeKind, ChangeClass)> = diff
        .changes
        .iter()
        .map(|c| (c.location.clone(), c.kind, c.class))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                Location::Subtitle,
                ChangeKind::Changed,
                ChangeClass::Substantive
            ),
            (
                Location::Paragraph(5),
                ChangeKind::Changed,
                ChangeClass::Substantive
            ),
            (
                Location::Paragraph(7),
                ChangeKind::Removed,
                ChangeClass::Substantive
            ),
        ]
    );
    // The number shows as the changed characters, in their sentence.
    let number = &diff.changes[1].parts;
    assert!(number.contains(&Part::Del("12".into())), "{number:?}");
    assert!(number.contains(&Part::Ins("15".into())), "{number:?}");
    let context = diff.changes[2]
        .context
        .as_ref()
        .map(|c| c.speaker.as_deref());
    assert_eq!(context, Some(Some("张茂华")));
    assert_eq!(
        diff.changes[2].label(chrono_tz::Tz::UTC),
        "paragraph 7 removed (quote by 张茂华)"
    );
}

#[test]
fn one_character_in_a_long_article_shows_in_its_sentence() {
    let case = CASES
        .iter()
        .find(|c| c.name == "typo-one-character")
        .unwrap();
    let (old, new) = versions(case);
    assert!(
        old.text().chars().count() > 2_500,
        "a ~3,000-character article"
    );
    let diff = diff_articles(&old, &new);
    let change = &diff.changes[0];
    assert_eq!(change.location, Location::Paragraph(5));
    let shown: String = change
        .parts
        .iter()
        .map(|p| match p {
            Part::Same(s) | Part::Del(s) | Part::Ins(s) => s.as_str(),
            Part::Gap => "",
        })
        .collect();
    let paragraph = old.paragraphs().nth(4).unwrap();
    assert!(
        shown.chars().count() < paragraph.chars().count() / 3,
        "only the sentence is shown: {shown}"
    );
    assert!(
        diff.to_text().contains("既扬优势又补短[-板-]{+版+},具有"),
        "{}",
        diff.to_text()
    );
}

#[test]
fn identical_articles_have_no_diff() {
    let a = article_from(&seed_lines());
    let d = diff_articles(&a, &a.clone());
    assert!(d.is_empty());
    assert_eq!(d.class(), None);
    assert_eq!(d.to_text(), "");
}
