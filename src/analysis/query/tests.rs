//! The query grammar and its matching, table-driven: each row is a query
//! and what it makes of one mixed Chinese/English article, or the column
//! its error points at.

use super::*;
use crate::config::query::{parse, Synonyms};
use crate::model::{Article, Quote, Section};

/// A provincial SOE-reform report: a Chinese headline zone, an English
/// subtitle, mixed and full-width body text, a section heading, a quote.
fn article() -> Article {
    Article {
        source_id: "zj-gov".into(),
        kicker: Some("深化国资国企改革".into()),
        title: "省国资委召开国有企业改革推进会".into(),
        subtitle: Some("SOE Reform: 3-year action plan".into()),
        outlet: Some("浙江日报".into()),
        byline: Some("记者 李明".into()),
        sections: vec![
            Section {
                heading: None,
                paragraphs: vec![
                    "会议指出，要坚定不移推进国企改革，加快建设世界一流企业。".into(),
                    "The State Council approved the reform of state-owned enterprises in 2024."
                        .into(),
                    "全面深化改革 is the theme; Ｓｈａｎｇｈａｉ（上海） pilots continue.".into(),
                ],
            },
            Section {
                heading: Some("三、加强党的领导".into()),
                paragraphs: vec!["各级党组织要发挥把方向、管大局作用。".into()],
            },
        ],
        quotes: vec![Quote {
            speaker: Some("王亮".into()),
            role: Some("省国资委党委书记".into()),
            text: "国有企业要当好改革排头兵".into(),
        }],
        ..Article::default()
    }
}

fn synonyms() -> Synonyms {
    let mut s = Synonyms::new();
    s.insert(
        "国企".into(),
        vec!["国有企业".into(), "国企".into(), "央企".into()],
    );
    s.insert(
        "soe".into(),
        vec!["state-owned enterprise*".into(), "SOE".into()],
    );
    s
}

/// What a row expects.
enum Want {
    /// The article matches.
    Match,
    /// It does not.
    Miss,
    /// The query is refused with this text (which names the column).
    Error(&'static str),
}
use Want::{Error, Match, Miss};

const CASES: &[(&str, Want)] = &[
    // Terms and the implied AND, on characters, no segmentation.
    ("改革", Match),
    ("国企 改革", Match),
    ("国企 AND 改革", Match),
    ("国企 AND 招聘", Miss),
    ("招聘 OR 改革", Match),
    ("招聘 OR 校招", Miss),
    ("改革 NOT 招聘", Match),
    ("改革 -招聘", Match),
    ("改革 -国企", Miss),
    ("NOT 国企 改革", Miss),
    ("上海", Match),
    ("排头兵", Match),
    // Phrases, as written.
    ("\"世界一流企业\"", Match),
    ("\"一流 企业\"", Miss),
    ("“国有企业改革”", Match),
    // Latin: case-insensitive, whole words unless `*`, width-folded.
    ("\"state council\"", Match),
    ("\"STATE-OWNED ENTERPRISES\"", Match),
    ("state", Match),
    ("stat", Miss),
    ("stat*", Match),
    ("reform*", Match),
    ("enterprise", Miss),
    ("enterprise*", Match),
    ("soe", Match),
    ("shanghai", Match),
    ("ＳＨＡＮＧＨＡＩ", Match),
    ("2024", Match),
    ("202", Miss),
    ("国企 and 改革", Miss),
    // Mixed Chinese/English in one value.
    ("全面深化改革 AND pilots", Match),
    ("SOE 国有企业", Match),
    // Fields.
    ("title:国有企业", Match),
    ("title:国企", Miss),
    ("kicker:国企", Match),
    ("TITLE:国有企业", Match),
    ("subtitle:reform", Match),
    ("subtitle:改革", Miss),
    ("body:世界一流", Match),
    ("body:推进会", Miss),
    ("section:党的领导", Match),
    ("section:国企", Miss),
    ("source:zj-gov", Match),
    ("source:浙江省", Match),
    ("outlet:浙江日报", Match),
    ("outlet:新华社", Miss),
    ("byline:李明", Match),
    ("speaker:王亮", Match),
    ("speaker:李明", Miss),
    ("role:党委书记", Match),
    ("role:(书记 OR 主任)", Match),
    ("speaker:王亮 AND role:书记", Match),
    ("title:(国有企业 AND 推进会)", Match),
    ("title:(国有企业 AND 世界一流)", Miss),
    ("title:\"国有企业改革\"", Match),
    ("王亮", Miss),
    // Synonym sets.
    ("@国企", Match),
    ("title:@国企", Match),
    ("section:@国企", Miss),
    ("@soe", Match),
    ("body:@soe", Match),
    // NEAR/n: characters for Chinese, words for Latin, one value only.
    ("国企 NEAR/0 改革", Match),
    ("世界一流 NEAR/3 国企", Miss),
    ("世界一流 NEAR/6 国企", Match),
    ("\"state council\" NEAR/2 reform", Match),
    ("\"state council\" NEAR/1 reform", Miss),
    ("(国企 OR 央企) NEAR/2 改革", Match),
    ("@国企 NEAR/2 改革", Match),
    ("国企 NEAR/50 党组织", Miss),
    ("body:(会议 NEAR/9 国企)", Match),
    ("body:(会议 NEAR/8 国企)", Miss),
    ("title:(国有企业 NEAR/0 改革)", Match),
    ("(国企 NEAR/2 改革)^2", Match),
    // Nesting and full-width parentheses.
    ("(国企 OR 招聘) AND (改革 OR 校招)", Match),
    ("((国企 AND 改革) OR 招聘) -\"job fair\"", Match),
    ("招聘 OR (国企 AND 校招)", Miss),
    ("（国企 OR 招聘） 改革", Match),
    ("NOT (招聘 OR 校招) 改革", Match),
    ("改革^2 title:国有企业^3", Match),
    // Errors, each at its column (characters, not bytes).
    ("", Error("column 1: the query is empty")),
    (
        "国企 AND",
        Error("column 4: AND needs a clause on its right"),
    ),
    ("OR 改革", Error("column 1: OR needs a clause on its left")),
    ("(国企 改革", Error("column 1: `(` is never closed")),
    ("国企 改革)", Error("column 6: `)` without a matching `(`")),
    ("\"国企 改革", Error("column 1: unclosed quote")),
    (
        "titel:国企",
        Error("column 1: unknown field `titel:` (did you mean `title:`?)"),
    ),
    (
        "title: 国企",
        Error("column 1: `title:` must be followed directly"),
    ),
    (
        "@国营",
        Error("column 1: unknown synonym set @国营 (did you mean @国企?)"),
    ),
    (
        "国企 NEAR 改革",
        Error("column 4: `NEAR`: NEAR needs a distance"),
    ),
    (
        "国企 NEAR/x 改革",
        Error("column 4: `NEAR/x`: NEAR needs a distance"),
    ),
    (
        "国企 NEAR/5",
        Error("column 4: NEAR needs a term or phrase on its right"),
    ),
    (
        "a NEAR/2 b NEAR/2 c",
        Error("column 12: one NEAR per clause"),
    ),
    (
        "title:国企 NEAR/5 改革",
        Error("column 1: both sides of NEAR"),
    ),
    (
        "(国企 AND 改革) NEAR/5 会议",
        Error("column 1: NEAR joins terms"),
    ),
    ("-招聘", Error("column 1: the query only excludes")),
    (
        "改革 - 招聘",
        Error("column 4: `-` must be followed directly"),
    ),
    (
        "改革^0",
        Error("column 3: `^` must be followed by a positive weight"),
    ),
    ("re*form", Error("column 3: `*` may only end a term")),
    ("()", Error("column 1: empty group `()`")),
    (
        "改革 @",
        Error("column 4: `@` must be followed by a synonym name"),
    ),
    (
        "改革 AND OR 国企",
        Error("column 4: AND needs a clause on its right"),
    ),
    (
        "国企 AND\n(改革",
        Error("line 2, column 1: `(` is never closed"),
    ),
];

#[test]
fn grammar_table() {
    assert!(CASES.len() >= 60);
    let article = article();
    let text = ArticleText::of(&article, Some("浙江省人民政府"));
    let synonyms = synonyms();
    let mut failures = Vec::new();
    for (query, want) in CASES {
        let got = parse(query, &synonyms).map(|q| CompiledQuery::new(&q).evaluate(&text).matched);
        let ok = match (want, &got) {
            (Match, Ok(true)) | (Miss, Ok(false)) => true,
            (Error(fragment), Err(e)) => e.to_string().starts_with(fragment),
            _ => false,
        };
        if !ok {
            failures.push(format!("{query:?}: got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn evaluate(query: &str) -> QueryMatch {
    let q = parse(query, &synonyms()).unwrap();
    CompiledQuery::new(&q).evaluate(&ArticleText::of(&article(), None))
}

#[test]
fn explanation_names_clauses_fields_and_counts() {
    let m = evaluate("@国企 改革 -招聘");
    let terms: Vec<&str> = m.hits.iter().map(|h| h.term.as_str()).collect();
    // The synonym set names the forms found; the NOT clause is not listed.
    assert_eq!(terms, ["@国企 (国有企业, 国企)", "改革"]);
    let soe = &m.hits[0];
    assert_eq!((soe.title, soe.body), (2, 2));
    assert_eq!(soe.fields.get("kicker"), Some(&1));
    assert_eq!(soe.fields.get("title"), Some(&1));
    assert_eq!(soe.fields.get("body"), Some(&2));
    // Headline hits weigh three times body hits, as for keywords.
    let reform = &m.hits[1];
    assert_eq!((reform.title, reform.body), (2, 3));
    assert_eq!(m.score, (3.0 * 2.0 + 2.0) + (3.0 * 2.0 + 3.0));
}

#[test]
fn weights_multiply_a_clause_and_near_counts_pairs() {
    let plain = evaluate("国企 NEAR/0 改革");
    assert_eq!(plain.hits.len(), 1);
    assert_eq!(plain.hits[0].term, "国企 NEAR/0 改革");
    // 深化国资国企改革 (kicker) and 推进国企改革 (body).
    assert_eq!((plain.hits[0].title, plain.hits[0].body), (1, 1));
    let boosted = evaluate("(国企 NEAR/0 改革)^2");
    assert_eq!(boosted.score, 2.0 * plain.score);
}

#[test]
fn speaker_and_role_are_explained_in_their_fields() {
    let m = evaluate("speaker:王亮 role:书记");
    assert_eq!(m.hits[0].fields.get("speaker"), Some(&1));
    assert_eq!(m.hits[1].fields.get("role"), Some(&1));
    assert!(m.matched);
}
