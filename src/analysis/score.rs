//! Pure: topic relevance with an explanation of which terms matched.
//!
//! Owns how an article is scored against configured topics. Keywords:
//! occurrences found with leftmost-longest, non-overlapping matching (so
//! `全面深化改革` counts once, for the longest configured term), on
//! NFKC-folded text (full-width Latin matches), ASCII case-insensitive, by
//! character substring (no word boundaries, as Chinese needs). Title-zone
//! hits (kicker, title, subtitle) weigh three times body hits (lead,
//! paragraphs, quotes); body hits per term are capped at 10; any `exclude`
//! term vetoes the topic. A topic's `query` must match as well, and its
//! clauses add to the score the same way ([`crate::analysis::query`]).

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::analysis::query::{ArticleText, CompiledQuery};
use crate::config::{Settings, Source, Topic};
use crate::document::normalize::normalize_text;
use crate::model::{Article, TermHit, TopicMatch};

/// A title-zone occurrence counts this many times a body occurrence.
pub const TITLE_FACTOR: f64 = 3.0;
/// Body occurrences of one term beyond this do not add to the score.
pub const BODY_HIT_CAP: u32 = 10;

/// Separates fields inside a zone; normalized text and terms never contain it.
const ZONE_SEPARATOR: &str = "\n";

/// Keyword matchers and queries for a set of topics, built once and reused
/// per article.
#[derive(Debug, Clone)]
pub struct TopicMatcher {
    topics: Vec<CompiledTopic>,
    /// Source id → configured name, for `source:` clauses.
    source_names: HashMap<String, String>,
}

#[derive(Debug, Clone)]
struct CompiledTopic {
    id: String,
    min_score: f64,
    /// Configured terms with their weights, in configuration order.
    terms: Vec<(String, f64)>,
    /// Pattern index → index into `terms`.
    pattern_term: Vec<usize>,
    /// `None` when the topic has no usable keyword.
    keywords: Option<AhoCorasick>,
    /// `None` when the topic has no usable exclude term.
    exclude: Option<AhoCorasick>,
    /// The topic's `query`, if it has one.
    query: Option<CompiledQuery>,
}

impl TopicMatcher {
    /// Compiles the keyword and exclude matchers and the query of every
    /// topic.
    pub fn new(topics: &[Topic]) -> Self {
        let topics = topics
            .iter()
            .map(|t| {
                let terms: Vec<(String, f64)> = t
                    .keywords
                    .iter()
                    .map(|k| (k.term.clone(), k.weight))
                    .collect();
                let mut patterns = Vec::new();
                let mut pattern_term = Vec::new();
                for (i, (term, _)) in terms.iter().enumerate() {
                    let norm = normalize_text(term);
                    if !norm.is_empty() {
                        patterns.push(norm);
                        pattern_term.push(i);
                    }
                }
                let exclude: Vec<String> = t
                    .exclude
                    .iter()
                    .map(|e| normalize_text(e))
                    .filter(|e| !e.is_empty())
                    .collect();
                CompiledTopic {
                    id: t.id.clone(),
                    min_score: t.min_score,
                    terms,
                    pattern_term,
                    keywords: build(&patterns, MatchKind::LeftmostLongest),
                    exclude: build(&exclude, MatchKind::Standard),
                    query: t.query.as_ref().map(CompiledQuery::new),
                }
            })
            .collect();
        TopicMatcher {
            topics,
            source_names: HashMap::new(),
        }
    }

    /// The matcher of a configuration's topics, whose `source:` clauses
    /// know the sources' names: the one the poll scores with and backtests
    /// replay.
    pub fn for_settings(settings: &Settings) -> Self {
        TopicMatcher::new(&settings.topics).with_sources(&settings.sources)
    }

    /// This matcher, with `source:` clauses knowing the names of `sources`.
    pub fn with_sources(mut self, sources: &[Source]) -> Self {
        self.source_names = sources
            .iter()
            .map(|s| (s.id.clone(), s.name.clone()))
            .collect();
        self
    }

    /// The topics `article` matches, in configuration order, each with its
    /// score and the terms that matched.
    pub fn score(&self, article: &Article) -> Vec<TopicMatch> {
        let zones = Zones::of(article);
        let needs_text = self.topics.iter().any(|t| t.query.is_some());
        let text = needs_text.then(|| {
            let name = self.source_names.get(&article.source_id);
            ArticleText::of(article, name.map(String::as_str))
        });
        self.topics
            .iter()
            .filter_map(|t| t.score(&zones, text.as_ref()))
            .collect()
    }
}
fn build(patterns: &[String], kind: MatchKind) -> Option<AhoCorasick> {
    if patterns.is_empty() {
        return None;
    }
    AhoCorasick::builder()
        .match_kind(kind)
        .ascii_case_insensitive(true)
        .build(patterns)
        .ok()
}

/// The normalized text of an article's title zone and body zone.
struct Zones {
    title: String,
    body: String,
}

impl Zones {
    fn of(a: &Article) -> Self {
        let title = [
            a.kicker.as_deref(),
            Some(a.title.as_str()),
            a.subtitle.as_deref(),
        ]
        .into_iter()
        .flatten()
        .map(normalize_text)
        .collect::<Vec<_>>()
        .join(ZONE_SEPARATOR);

        let paragraphs: Vec<String> = a.paragraphs().map(normalize_text).collect();
        let mut body: Vec<String> = Vec::with_capacity(paragraphs.len() + 1 + a.quotes.len());
        // The lead usually repeats the first paragraph; count it only when it
        // does not. Equal text normalizes equally, so a verbatim copy is
        // known without normalizing it again.
        let lead = a
            .lead
            .as_deref()
            .filter(|l| !a.paragraphs().any(|p| p == *l));
        if let Some(lead) = lead.map(normalize_text) {
            if !paragraphs.contains(&lead) {
                body.push(lead);
            }
        }
        // Quotes extracted from the paragraphs are not counted twice.
        let quotes: Vec<String> = a
            .quotes
            .iter()
            .map(|q| normalize_text(&q.text))
            .filter(|q| !paragraphs.iter().any(|p| p.contains(q.as_str())))
            .collect();
        body.extend(paragraphs);
        body.extend(quotes);
        Zones {
            title,
            body: body.join(ZONE_SEPARATOR),
        }
    }
}

impl CompiledTopic {
    fn score(&self, zones: &Zones, text: Option<&ArticleText>) -> Option<TopicMatch> {
        if let Some(ex) = &self.exclude {
            if ex.is_match(&zones.title) || ex.is_match(&zones.body) {
                return None;
            }
        }
        let (mut score, mut hits) = self.keyword_hits(zones);
        if let (Some(query), Some(text)) = (&self.query, text) {
            let q = query.evaluate(text);
            if !q.matched {
                return None;
            }
            score += q.score;
            hits.extend(q.hits);
        }
        (score > 0.0 && score >= self.min_score).then(|| TopicMatch {
            topic_id: self.id.clone(),
            score,
            hits,
        })
    }

    /// The keywords' score and hits (none without keywords).
    fn keyword_hits(&self, zones: &Zones) -> (f64, Vec<TermHit>) {
        let Some(ac) = self.keywords.as_ref() else {
            return (0.0, Vec::new());
        };
        let mut counts = vec![(0u32, 0u32); self.terms.len()];
        for m in ac.find_iter(&zones.title) {
            let c = &mut counts[self.pattern_term[m.pattern().as_usize()]];
            c.0 = c.0.saturating_add(1);
        }
        for m in ac.find_iter(&zones.body) {
            let c = &mut counts[self.pattern_term[m.pattern().as_usize()]];
            c.1 = c.1.saturating_add(1);
        }
        let mut score = 0.0;
        let mut hits = Vec::new();
        for ((term, weight), (title, body)) in self.terms.iter().zip(counts) {
            if title == 0 && body == 0 {
                continue;
            }
            score += weight * (TITLE_FACTOR * f64::from(title) + f64::from(body.min(BODY_HIT_CAP)));
            hits.push(TermHit {
                term: term.clone(),
                title,
                body,
                fields: Default::default(),
            });
        }
        (score, hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Keyword;
    use crate::model::{Quote, Section};

    /// One-shot scoring: only tests build a matcher per article.
    fn score(article: &Article, topics: &[Topic]) -> Vec<TopicMatch> {
        TopicMatcher::new(topics).score(article)
    }

    fn topic(id: &str, terms: &[(&str, f64)], exclude: &[&str], min_score: f64) -> Topic {
        Topic {
            id: id.into(),
            name: id.into(),
            keywords: terms
                .iter()
                .map(|(t, w)| Keyword {
                    term: (*t).into(),
                    weight: *w,
                })
                .collect(),
            query: None,
            exclude: exclude.iter().map(|s| (*s).into()).collect(),
            min_score,
            feed: false,
        }
    }

    fn reform() -> Topic {
        topic(
            "reform",
            &[("全面深化改革", 1.0), ("深化改革", 1.0), ("改革", 1.0)],
            &[],
            1.0,
        )
    }

    fn article(title: &str, paragraphs: &[&str]) -> Article {
        Article {
            title: title.into(),
            sections: vec![Section {
                heading: None,
                paragraphs: paragraphs.iter().map(|p| (*p).into()).collect(),
            }],
            ..Article::default()
        }
    }

    fn hit(term: &str, title: u32, body: u32) -> TermHit {
        TermHit {
            term: term.into(),
            title,
            body,
            fields: Default::default(),
        }
    }

    #[test]
    fn longest_term_counts_once() {
        let a = article(
            "进一步全面深化改革",
            &["深化改革激发活力", "改革是由问题倒逼而产生"],
        );
        let m = score(&a, &[reform()]);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].topic_id, "reform");
        assert_eq!(
            m[0].hits,
            vec![
                hit("全面深化改革", 1, 0),
                hit("深化改革", 0, 1),
                hit("改革", 0, 1)
            ]
        );
        assert_eq!(m[0].score, 3.0 + 1.0 + 1.0);
    }

    #[test]
    fn weights_title_factor_and_body_cap() {
        let t = topic("t", &[("改革", 2.0), ("开放", 0.5)], &[], 0.0);
        let body = "改革".repeat(15);
        let a = article("改革开放", &[&body, "开放"]);
        let m = score(&a, &[t]);
        assert_eq!(m[0].hits, vec![hit("改革", 1, 15), hit("开放", 1, 1)]);
        // 2 × (3 × 1 + min(15, 10)) + 0.5 × (3 × 1 + 1)
        assert_eq!(m[0].score, 2.0 * 13.0 + 0.5 * 4.0);
    }

    #[test]
    fn kicker_and_subtitle_are_title_zone_lead_and_quotes_body() {
        let mut a = article("标题", &["正文"]);
        a.kicker = Some("改革引题".into());
        a.subtitle = Some("副题改革".into());
        a.lead = Some("导语讲改革".into());
        a.quotes = vec![Quote {
            speaker: Some("王亮".into()),
            role: None,
            text: "让改革落地".into(),
        }];
        let m = score(&a, &[topic("r", &[("改革", 1.0)], &[], 1.0)]);
        assert_eq!(m[0].hits, vec![hit("改革", 2, 2)]);
        assert_eq!(m[0].score, 8.0);
    }

    #[test]
    fn lead_and_quotes_repeating_paragraphs_count_once() {
        let mut a = article("标题", &["第一段讲改革", "“让改革落地”，他说"]);
        a.lead = Some("第一段讲改革".into());
        a.quotes = vec![Quote {
            speaker: None,
            role: None,
            text: "让改革落地".into(),
        }];
        let m = score(&a, &[topic("r", &[("改革", 1.0)], &[], 1.0)]);
        assert_eq!(m[0].hits, vec![hit("改革", 0, 2)]);
    }

    #[test]
    fn fields_do_not_run_together() {
        let mut a = article("深化", &["改革"]);
        a.kicker = Some("全面".into());
        let m = score(
            &a,
            &[topic(
                "r",
                &[("全面深化", 1.0), ("深化改革", 1.0)],
                &[],
                0.0,
            )],
        );
        assert!(m.is_empty(), "{m:?}");
    }

    #[test]
    fn exclude_vetoes_and_min_score_filters() {
        let a = article("改革新闻", &["体育赛事"]);
        assert!(score(&a, &[topic("r", &[("改革", 1.0)], &["体育"], 1.0)]).is_empty());
        assert!(score(&a, &[topic("r", &[("改革", 1.0)], &[], 4.0)]).is_empty());
        assert_eq!(
            score(&a, &[topic("r", &[("改革", 1.0)], &[], 3.0)]).len(),
            1
        );
        // A score of zero never matches, even with min_score 0.
        assert!(score(
            &article("天气", &["晴"]),
            &[topic("r", &[("改革", 1.0)], &[], 0.0)]
        )
        .is_empty());
        // Empty terms are ignored rather than matching everywhere.
        assert!(score(&a, &[topic("r", &[("", 1.0), ("  ", 1.0)], &[""], 0.0)]).is_empty());
    }

    #[test]
    fn case_and_width_insensitive() {
        let t = topic("en", &[("Reform", 1.0), ("ＡＩ", 1.0)], &[], 1.0);
        let a = article(
            "Pension REFORM passes",
            &["ai rules and ＡＩ safety; reforms"],
        );
        let m = score(&a, &[t]);
        assert_eq!(m[0].hits, vec![hit("Reform", 1, 1), hit("ＡＩ", 0, 2)]);
    }

    #[test]
    fn zero_width_characters_do_not_hide_terms() {
        let a = article("改\u{200B}革", &[]);
        assert_eq!(score(&a, &[reform()])[0].hits, vec![hit("改革", 1, 0)]);
    }

    #[test]
    fn matcher_is_reusable_and_keeps_topic_order() {
        let m = TopicMatcher::new(&[
            topic("b", &[("开放", 1.0)], &[], 1.0),
            reform(),
            topic("none", &[], &[], 0.0),
        ]);
        let a = article("改革开放", &[]);
        let ids: Vec<String> = m.score(&a).into_iter().map(|t| t.topic_id).collect();
        assert_eq!(ids, vec!["b", "reform"]);
        assert!(m.score(&article("天气", &[])).is_empty());
        assert_eq!(
            m.score(&a),
            score(&a, &[topic("b", &[("开放", 1.0)], &[], 1.0), reform()])
        );
    }
}
