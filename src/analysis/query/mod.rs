//! Pure: a parsed [`Query`] compiled into one Aho-Corasick automaton over
//! its folded terms, and matched against an article's fields. Chinese is
//! matched on characters (no segmentation); a term whose edge is a Latin
//! letter or digit matches only at a word edge (`SOE` not in `SOEs`, but
//! in `推进SOE改革`), unless it ends in `*`. Each clause's occurrences are
//! counted per field, without overlaps; `NEAR/n` pairs occurrences of its
//! two sides within one field value.
//!
//! Scoring follows keyword scoring: a clause's occurrences in the headline
//! (kicker, title, subtitle) weigh [`TITLE_FACTOR`] times the others, the
//! others count up to [`BODY_HIT_CAP`], times the clause's `^weight`.
//! Clauses under `NOT` only decide, they never score.

mod text;

use std::collections::BTreeMap;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::analysis::score::{BODY_HIT_CAP, TITLE_FACTOR};
use crate::config::query::{Field, Leaf, Node, Query};
use crate::model::TermHit;

pub(crate) use text::ArticleText;
use text::{fold, is_default_field, is_word_char, units_between};

/// A query ready to match articles.
#[derive(Debug, Clone)]
pub struct CompiledQuery {
    root: CNode,
    leaves: Vec<CLeaf>,
    nears: Vec<CNear>,
    /// Per automaton pattern: the leaves that look for it.
    users: Vec<Vec<Use>>,
    /// `None` when no term has anything left after folding.
    automaton: Option<AhoCorasick>,
}

#[derive(Debug, Clone)]
enum CNode {
    Leaf(usize),
    Near(usize),
    And(Vec<CNode>),
    Or(Vec<CNode>),
    Not(Box<CNode>),
}

#[derive(Debug, Clone)]
struct CLeaf {
    label: String,
    field: Option<Field>,
    weight: f64,
    /// Whether it scores (a leaf of its own, not under NOT).
    scores: bool,
    /// The terms as written, by automaton pattern, for naming which forms
    /// of a synonym set were found.
    forms: Vec<(usize, String)>,
}

#[derive(Debug, Clone)]
struct CNear {
    label: String,
    left: usize,
    right: usize,
    distance: u32,
    weight: f64,
    scores: bool,
}

/// One leaf's use of an automaton pattern.
#[derive(Debug, Clone, Copy)]
struct Use {
    leaf: usize,
    /// The pattern starts with a Latin letter or digit: the text before it
    /// must not be one.
    left_edge: bool,
    /// It ends with one and is not a prefix: nor may the text after it.
    right_edge: bool,
    /// `reform*`: the match runs on to the end of the word.
    prefix: bool,
}

/// Where a clause occurred: a field value and a byte range in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Occurrence {
    value: usize,
    start: usize,
    end: usize,
    /// The automaton pattern that found it.
    pattern: usize,
}

/// What a query made of an article.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryMatch {
    /// Whether the article satisfies the query.
    pub matched: bool,
    /// The weighted score of the clauses that matched (not under NOT).
    pub score: f64,
    /// Those clauses, in query order, with their occurrences by field.
    pub hits: Vec<TermHit>,
}

impl CompiledQuery {
    /// Compiles `query`.
    pub fn new(query: &Query) -> Self {
        let mut c = Compiler::default();
        let root = c.node(&query.root, true);
        let automaton = if c.patterns.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&c.patterns)
                .ok()
        };
        CompiledQuery {
            root,
            leaves: c.leaves,
            nears: c.nears,
            users: c.users,
            automaton,
        }
    }

    /// Matches the query against an article's folded text.
    pub(crate) fn evaluate(&self, text: &ArticleText) -> QueryMatch {
        let occurrences = self.occurrences(text);
        let near_pairs: Vec<Vec<Occurrence>> = self
            .nears
            .iter()
            .map(|n| {
                pairs(
                    text,
                    &occurrences[n.left],
                    &occurrences[n.right],
                    n.distance,
                )
            })
            .collect();
        let matched = eval(&self.root, &occurrences, &near_pairs);
        let mut score = 0.0;
        let mut hits = Vec::new();
        let mut clause = |label: String, weight: f64, found: &[Occurrence]| {
            if found.is_empty() {
                return;
            }
            let hit = count(label, found, text);
            score += weight
                * (TITLE_FACTOR * f64::from(hit.title) + f64::from(hit.body.min(BODY_HIT_CAP)));
            hits.push(hit);
        };
        // Leaves and NEAR clauses in query order: leaves are numbered as
        // met, and a NEAR's sides come right before it.
        let mut order: Vec<(usize, bool)> = Vec::new();
        order.extend((0..self.leaves.len()).map(|i| (i, false)));
        for (i, n) in self.nears.iter().enumerate() {
            let at = order.iter().position(|&(j, near)| !near && j == n.right);
            order.insert(at.map_or(order.len(), |p| p + 1), (i, true));
        }
        for (i, near) in order {
            if near {
                let n = &self.nears[i];
                if n.scores {
                    clause(n.label.clone(), n.weight, &near_pairs[i]);
                }
            } else {
                let l = &self.leaves[i];
                if l.scores {
                    clause(self.label(l, &occurrences[i]), l.weight, &occurrences[i]);
                }
            }
        }
        QueryMatch {
            matched: matched && score > 0.0,
            score,
            hits,
        }
    }

    /// A leaf's label; a synonym set names the forms found, as configured.
    fn label(&self, leaf: &CLeaf, found: &[Occurrence]) -> String {
        if leaf.forms.len() < 2 {
            return leaf.label.clone();
        }
        let mut forms: Vec<&str> = Vec::new();
        for (pattern, form) in &leaf.forms {
            if found.iter().any(|o| o.pattern == *pattern) && !forms.contains(&form.as_str()) {
                forms.push(form);
            }
        }
        format!("{} ({})", leaf.label, forms.join(", "))
    }

    /// Every leaf's occurrences, by leaf, sorted and without overlaps.
    fn occurrences(&self, text: &ArticleText) -> Vec<Vec<Occurrence>> {
        let mut found: Vec<Vec<Occurrence>> = vec![Vec::new(); self.leaves.len()];
        let Some(ac) = &self.automaton else {
            return found;
        };
        for (v, value) in text.values.iter().enumerate() {
            let s = value.text.as_str();
            for m in ac.find_overlapping_iter(s) {
                let pattern = m.pattern().as_usize();
                for u in &self.users[pattern] {
                    let leaf = &self.leaves[u.leaf];
                    let in_field = match leaf.field {
                        Some(f) => f == value.field,
                        None => is_default_field(value.field),
                    };
                    if !in_field {
                        continue;
                    }
                    if u.left_edge && s[..m.start()].chars().next_back().is_some_and(is_word_char) {
                        continue;
                    }
                    if u.right_edge && s[m.end()..].chars().next().is_some_and(is_word_char) {
                        continue;
                    }
                    let end = if u.prefix {
                        s[m.end()..]
                            .char_indices()
                            .find(|&(_, c)| !is_word_char(c))
                            .map_or(s.len(), |(i, _)| m.end() + i)
                    } else {
                        m.end()
                    };
                    found[u.leaf].push(Occurrence {
                        value: v,
                        start: m.start(),
                        end,
                        pattern,
                    });
                }
            }
        }
        for list in &mut found {
            // Earliest first, the longest of those that start together.
            list.sort_by(|a, b| (a.value, a.start, b.end).cmp(&(b.value, b.start, a.end)));
            let mut kept: Vec<Occurrence> = Vec::with_capacity(list.len());
            for o in list.drain(..) {
                match kept.last() {
                    Some(k) if k.value == o.value && o.start < k.end => {}
                    _ => kept.push(o),
                }
            }
            *list = kept;
        }
        found
    }
}

/// Co-occurrences of `left` and `right` within `distance` units in one
/// field value, each occurrence used once: walking in text order, an
/// occurrence pairs with the latest unpaired one of the other side when
/// near enough. A pair is recorded as the span covering both.
fn pairs(
    text: &ArticleText,
    left: &[Occurrence],
    right: &[Occurrence],
    distance: u32,
) -> Vec<Occurrence> {
    let mut all: Vec<(Occurrence, bool)> = left
        .iter()
        .map(|o| (*o, false))
        .chain(right.iter().map(|o| (*o, true)))
        .collect();
    all.sort();
    let mut out = Vec::new();
    let mut pending: [Option<Occurrence>; 2] = [None, None];
    for (o, side) in all {
        let other = usize::from(!side);
        if let Some(p) = pending[other] {
            let same_span = p.start == o.start && p.end == o.end;
            let near = p.value == o.value
                && !same_span
                && units_between(&text.values[o.value].text, p.end, o.start) <= distance as usize;
            if near {
                out.push(Occurrence {
                    value: o.value,
                    start: p.start.min(o.start),
                    end: p.end.max(o.end),
                    pattern: o.pattern,
                });
                pending = [None, None];
                continue;
            }
        }
        pending[usize::from(side)] = Some(o);
    }
    out
}

fn eval(node: &CNode, leaves: &[Vec<Occurrence>], nears: &[Vec<Occurrence>]) -> bool {
    match node {
        CNode::Leaf(i) => !leaves[*i].is_empty(),
        CNode::Near(i) => !nears[*i].is_empty(),
        CNode::And(c) => c.iter().all(|n| eval(n, leaves, nears)),
        CNode::Or(c) => c.iter().any(|n| eval(n, leaves, nears)),
        CNode::Not(n) => !eval(n, leaves, nears),
    }
}

/// A clause's hit: its occurrences by zone and by field.
fn count(term: String, found: &[Occurrence], text: &ArticleText) -> TermHit {
    let mut hit = TermHit {
        term,
        title: 0,
        body: 0,
        fields: BTreeMap::new(),
    };
    for o in found {
        let field = text.values[o.value].field;
        if field.is_title_zone() {
            hit.title = hit.title.saturating_add(1);
        } else {
            hit.body = hit.body.saturating_add(1);
        }
        *hit.fields.entry(field.name().to_owned()).or_default() += 1;
    }
    hit
}

/// Builds the compiled form: leaves numbered in query order, their folded
/// terms deduplicated into automaton patterns.
#[derive(Default)]
struct Compiler {
    leaves: Vec<CLeaf>,
    nears: Vec<CNear>,
    patterns: Vec<String>,
    users: Vec<Vec<Use>>,
}

impl Compiler {
    fn node(&mut self, node: &Node, positive: bool) -> CNode {
        match node {
            Node::Leaf(l) => CNode::Leaf(self.leaf(l, l.field, positive)),
            Node::Near {
                label,
                left,
                right,
                distance,
                field,
                weight,
            } => {
                let left = self.leaf(left, *field, false);
                let right = self.leaf(right, *field, false);
                self.nears.push(CNear {
                    label: label.clone(),
                    left,
                    right,
                    distance: *distance,
                    weight: *weight,
                    scores: positive,
                });
                CNode::Near(self.nears.len() - 1)
            }
            Node::And(c) => CNode::And(c.iter().map(|n| self.node(n, positive)).collect()),
            Node::Or(c) => CNode::Or(c.iter().map(|n| self.node(n, positive)).collect()),
            Node::Not(n) => CNode::Not(Box::new(self.node(n, false))),
        }
    }

    fn leaf(&mut self, leaf: &Leaf, field: Option<Field>, scores: bool) -> usize {
        let index = self.leaves.len();
        let mut forms = Vec::new();
        for term in &leaf.terms {
            let folded = fold(&term.text);
            let (Some(first), Some(last)) = (folded.chars().next(), folded.chars().next_back())
            else {
                continue;
            };
            let pattern = match self.patterns.iter().position(|p| *p == folded) {
                Some(p) => p,
                None => {
                    self.patterns.push(folded);
                    self.users.push(Vec::new());
                    self.patterns.len() - 1
                }
            };
            self.users[pattern].push(Use {
                leaf: index,
                left_edge: is_word_char(first),
                right_edge: is_word_char(last) && !term.prefix,
                prefix: term.prefix,
            });
            forms.push((pattern, term.text.clone()));
        }
        self.leaves.push(CLeaf {
            label: leaf.label.clone(),
            field,
            weight: leaf.weight,
            scores,
            forms,
        });
        index
    }
}

#[cfg(test)]
mod tests;
