//! Unit tests of the field-aware diff: moved, split and merged paragraphs,
//! numbering, quotes, header fields, published times and hostile text.

use super::*;
use crate::model::Section;

fn article(paragraphs: &[&str]) -> Article {
    Article {
        title: "标题".into(),
        sections: vec![Section {
            heading: None,
            paragraphs: paragraphs.iter().map(|p| p.to_string()).collect(),
        }],
        ..Article::default()
    }
}

fn labels(d: &ArticleDiff) -> Vec<String> {
    d.changes.iter().map(|c| c.label(Tz::UTC)).collect()
}

#[test]
fn paragraph_moved_to_another_section_is_not_a_change() {
    let old = article(&["第一段内容。", "第二段内容。", "第三段内容。"]);
    let mut new = old.clone();
    let moved = new.sections[0].paragraphs.split_off(2);
    new.sections.push(Section {
        heading: None,
        paragraphs: moved,
    });
    assert!(diff_articles(&old, &new).is_empty());
}

#[test]
fn paragraphs_split_or_merged_are_layout_not_edits() {
    let old = article(&["第一段。", "第二句在这里。第三句在这里。", "末段。"]);
    let split = article(&["第一段。", "第二句在这里。", "第三句在这里。", "末段。"]);
    assert!(diff_articles(&old, &split).is_empty());
    assert!(diff_articles(&split, &old).is_empty());
    let edited = article(&["第一段。", "第二句在这里。", "第三句改了。", "末段。"]);
    assert!(!diff_articles(&old, &edited).is_empty());
}

#[test]
fn numbering_uses_old_numbers_for_changes_and_new_for_additions() {
    let old = article(&["甲段落内容很长。", "乙段落内容很长。", "丙段落内容很长。"]);
    let new = article(&["新加的一段文字。", "甲段落内容很长。", "丙段落内容很长啊。"]);
    assert_eq!(
        labels(&diff_articles(&old, &new)),
        vec![
            "paragraph 1 added",
            "paragraph 2 removed",
            "paragraph 3 changed"
        ]
    );
}

#[test]
fn quote_only_in_the_quote_list_is_reported_by_speaker() {
    let mut old = article(&["正文没有引语。"]);
    old.quotes = vec![Quote {
        speaker: Some("王亮".into()),
        role: Some("副主任".into()),
        text: "改革要落到实处。".into(),
    }];
    let mut new = old.clone();
    new.quotes[0].text = "改革要全面落到实处。".into();
    let d = diff_articles(&old, &new);
    assert_eq!(labels(&d), vec!["quote by 王亮 changed"]);
    assert_eq!(d.class(), Some(ChangeClass::Substantive));
    assert_eq!(
        d.to_text(),
        "quote by 王亮 changed\n  副主任王亮：改革要{+全面+}落到实处。\n"
    );
    new.quotes.clear();
    assert_eq!(
        labels(&diff_articles(&old, &new)),
        vec!["quote by 王亮 removed"]
    );
}

#[test]
fn header_fields_added_removed_and_typo_fixed() {
    let old = Article {
        kicker: Some("深化改革".into()),
        byline: Some("记者 张三".into()),
        outlet: Some("嘉兴日报".into()),
        ..article(&["正文。"])
    };
    let new = Article {
        kicker: None,
        subtitle: Some("副题新增".into()),
        byline: Some("记者 张山".into()),
        outlet: Some("嘉兴日报".into()),
        ..article(&["正文。"])
    };
    let d = diff_articles(&old, &new);
    assert_eq!(
        labels(&d),
        vec!["kicker removed", "subtitle added", "byline changed"]
    );
    assert!(d
        .changes
        .iter()
        .all(|c| c.class == ChangeClass::Substantive));
}

#[test]
fn lead_is_diffed_only_when_the_body_does_not_hold_it() {
    let mut old = article(&["导语段落。", "正文。"]);
    old.lead = Some("导语段落。".into());
    let mut new = article(&["导语段落改了。", "正文。"]);
    new.lead = Some("导语段落改了。".into());
    assert_eq!(
        labels(&diff_articles(&old, &new)),
        vec!["paragraph 1 changed"]
    );
    let mut feed_old = article(&[]);
    feed_old.lead = Some("摘要一。".into());
    let mut feed_new = feed_old.clone();
    feed_new.lead = Some("摘要二。".into());
    assert_eq!(
        labels(&diff_articles(&feed_old, &feed_new)),
        vec!["lead changed"]
    );
}

#[test]
fn published_time_within_minutes_is_minor() {
    use chrono::TimeZone;
    let t = chrono::Utc.with_ymd_and_hms(2024, 8, 31, 0, 0, 0).unwrap();
    let old = Article {
        published_at: Some(t),
        ..article(&["正文。"])
    };
    let new = Article {
        published_at: Some(t + chrono::Duration::minutes(3)),
        ..old.clone()
    };
    assert_eq!(diff_articles(&old, &new).class(), Some(ChangeClass::Minor));
    let later = Article {
        published_at: Some(t + chrono::Duration::minutes(30)),
        ..old.clone()
    };
    assert_eq!(
        diff_articles(&old, &later).class(),
        Some(ChangeClass::Substantive)
    );
}

#[test]
fn hostile_text_never_panics() {
    let weird = [
        "",
        " ",
        "。。。",
        "\u{200B}",
        "“未闭合",
        "a\u{0301}é",
        "🎉🎉。🎉",
        "...",
    ];
    for a in weird {
        for b in weird {
            let d = diff_articles(&article(&[a, "正文。"]), &article(&[b, "正文！"]));
            let _ = (d.to_text(), d.to_html(), d.class());
        }
    }
}
