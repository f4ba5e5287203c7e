//! Tokens → tree, by recursive descent. Precedence, loosest first: `OR`;
//! `AND` (or nothing: `a b` is `a AND b`); `NOT` and `-`; `NEAR/n`; a
//! field prefix; a term, phrase, `@synonym` or parenthesized group, with
//! an optional `^weight`.

use super::ast::{Field, Leaf, Node, Term};
use super::lex::{Tok, Token};
use super::{QueryError, Synonyms};

pub(super) struct Parser<'a> {
    pub text: &'a str,
    pub tokens: Vec<Token>,
    pub pos: usize,
    pub synonyms: &'a Synonyms,
}

/// A parsed operand and whether it carried its own field prefix.
struct Operand {
    node: Node,
    /// Offset of its first token.
    at: usize,
    /// Written with its own `field:` prefix.
    fielded: bool,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.tok)
    }

    /// Offset of the next token, or the end of the text.
    fn here(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.text.len(), |t| t.at)
    }

    fn error(&self, at: usize, message: impl Into<String>) -> QueryError {
        QueryError::at(self.text, at, message)
    }

    /// The whole query.
    pub(super) fn query(&mut self) -> Result<Node, QueryError> {
        if self.tokens.is_empty() {
            return Err(self.error(0, "the query is empty"));
        }
        let node = self.or(None)?;
        match self.tokens.get(self.pos) {
            None => Ok(node),
            Some(Token {
                tok: Tok::Close,
                at,
            }) => Err(self.error(*at, "`)` without a matching `(`")),
            Some(t) => Err(self.error(t.at, "unexpected text here")),
        }
    }

    fn or(&mut self, field: Option<Field>) -> Result<Node, QueryError> {
        let mut children = vec![self.and(field)?];
        while let Some(Tok::Or) = self.peek() {
            let at = self.here();
            self.pos += 1;
            if !self.starts_clause() {
                return Err(self.error(at, "OR needs a clause on its right"));
            }
            children.push(self.and(field)?);
        }
        Ok(flatten(children, Node::Or))
    }

    /// Whether the next token can begin a clause.
    fn starts_clause(&self) -> bool {
        matches!(
            self.peek(),
            Some(
                Tok::Word { .. }
                    | Tok::Phrase(_)
                    | Tok::Synonym(_)
                    | Tok::Field(_)
                    | Tok::Open
                    | Tok::Not
                    | Tok::Minus
            )
        )
    }

    fn and(&mut self, field: Option<Field>) -> Result<Node, QueryError> {
        if !self.starts_clause() {
            let at = self.here();
            return Err(match self.peek() {
                Some(Tok::And) => self.error(at, "AND needs a clause on its left"),
                Some(Tok::Or) => self.error(at, "OR needs a clause on its left"),
                Some(Tok::Near(_)) => self.error(at, "NEAR needs a clause on its left"),
                Some(Tok::Close) => self.error(at, "`)` without a clause before it"),
                Some(Tok::Boost(_)) => self.error(at, "`^` must follow a clause"),
                _ => self.error(at, "the query ends where a clause was expected"),
            });
        }
        let mut children = vec![self.unary(field)?];
        loop {
            match self.peek() {
                Some(Tok::And) => {
                    let at = self.here();
                    self.pos += 1;
                    if !self.starts_clause() {
                        return Err(self.error(at, "AND needs a clause on its right"));
                    }
                }
                _ if self.starts_clause() => {}
                _ => break,
            }
            children.push(self.unary(field)?);
        }
        Ok(flatten(children, Node::And))
    }

    fn unary(&mut self, field: Option<Field>) -> Result<Node, QueryError> {
        match self.peek() {
            Some(Tok::Not) | Some(Tok::Minus) => {
                let at = self.here();
                let word = if matches!(self.peek(), Some(Tok::Not)) {
                    "NOT"
                } else {
                    "`-`"
                };
                self.pos += 1;
                if !self.starts_clause() {
                    return Err(self.error(at, format!("{word} needs a clause to exclude")));
                }
                Ok(Node::Not(Box::new(self.unary(field)?)))
            }
            _ => self.near(field),
        }
    }

    fn near(&mut self, field: Option<Field>) -> Result<Node, QueryError> {
        let left = self.fielded(field)?;
        let Some(&Tok::Near(distance)) = self.peek() else {
            return Ok(left.node);
        };
        let near_at = self.here();
        self.pos += 1;
        if !matches!(
            self.peek(),
            Some(Tok::Word { .. } | Tok::Phrase(_) | Tok::Synonym(_) | Tok::Field(_) | Tok::Open)
        ) {
            return Err(self.error(near_at, "NEAR needs a term or phrase on its right"));
        }
        let right = self.fielded(field)?;
        if let Some(Tok::Near(_)) = self.peek() {
            return Err(self.error(
                self.here(),
                "one NEAR per clause: write (a NEAR/5 b) AND (b NEAR/5 c)",
            ));
        }
        for side in [&left, &right] {
            if side.fielded {
                return Err(self.error(
                    side.at,
                    "both sides of NEAR are looked for in one field: put the field before the group, as in title:(国企 NEAR/5 改革)",
                ));
            }
        }
        let left = self.operand(left, field)?;
        let right = self.operand(right, field)?;
        let prefix = field.map(|f| format!("{f}:")).unwrap_or_default();
        Ok(Node::Near {
            label: format!(
                "{prefix}{} NEAR/{distance} {}",
                bare(&left.label),
                bare(&right.label)
            ),
            left,
            right,
            distance,
            field,
            weight: 1.0,
        })
    }

    /// A NEAR operand as one leaf: a leaf, or an OR of leaves.
    fn operand(&self, side: Operand, field: Option<Field>) -> Result<Leaf, QueryError> {
        let fail = || {
            self.error(
                side.at,
                "NEAR joins terms, phrases, @synonyms or (… OR …) groups of them",
            )
        };
        match side.node {
            Node::Leaf(leaf) if leaf.weight == 1.0 => Ok(leaf),
            Node::Or(children) => {
                let mut terms = Vec::new();
                let mut labels = Vec::new();
                for child in children {
                    match child {
                        Node::Leaf(l) if l.weight == 1.0 => {
                            labels.push(bare(&l.label).to_owned());
                            terms.extend(l.terms);
                        }
                        _ => return Err(fail()),
                    }
                }
                Ok(Leaf {
                    label: format!("({})", labels.join(" OR ")),
                    terms,
                    field,
                    weight: 1.0,
                })
            }
            Node::Leaf(_) => Err(self.error(
                side.at,
                "weigh the whole NEAR clause, as in (国企 NEAR/5 改革)^2",
            )),
            _ => Err(fail()),
        }
    }

    /// `field:` followed by a primary, or a primary.
    fn fielded(&mut self, field: Option<Field>) -> Result<Operand, QueryError> {
        let at = self.here();
        let Some(Tok::Field(name)) = self.peek() else {
            let node = self.primary(field)?;
            return Ok(Operand {
                node,
                at,
                fielded: false,
            });
        };
        let Some(f) = Field::from_name(&name.to_ascii_lowercase()) else {
            let names: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
            let hint = closest(name, &names)
                .map(|n| format!(" (did you mean `{n}:`?)"))
                .unwrap_or_else(|| {
                    format!(" (fields: {}; quote a term with a colon)", names.join(", "))
                });
            return Err(self.error(at, format!("unknown field `{name}:`{hint}")));
        };
        self.pos += 1;
        if !matches!(
            self.peek(),
            Some(Tok::Word { .. } | Tok::Phrase(_) | Tok::Synonym(_) | Tok::Open)
        ) || self.here() != at + f.name().len() + 1
        {
            return Err(self.error(
                at,
                format!(
                    "`{f}:` must be followed directly by a term, phrase, @synonym or (group), as in {f}:改革"
                ),
            ));
        }
        let node = self.primary(Some(f))?;
        Ok(Operand {
            node,
            at,
            fielded: true,
        })
    }

    /// A term, phrase, synonym or group, with its boost.
    fn primary(&mut self, field: Option<Field>) -> Result<Node, QueryError> {
        let Some(token) = self.tokens.get(self.pos).cloned() else {
            return Err(self.error(
                self.text.len(),
                "the query ends where a clause was expected",
            ));
        };
        self.pos += 1;
        let prefix = field.map(|f| format!("{f}:")).unwrap_or_default();
        let mut node = match token.tok {
            Tok::Word { text, prefix: p } => Node::Leaf(Leaf {
                label: format!("{prefix}{text}{}", if p { "*" } else { "" }),
                terms: vec![Term { text, prefix: p }],
                field,
                weight: 1.0,
            }),
            Tok::Phrase(text) => {
                if text.trim().is_empty() {
                    return Err(self.error(token.at, "empty phrase"));
                }
                Node::Leaf(Leaf {
                    label: format!("{prefix}\"{text}\""),
                    terms: vec![Term {
                        text,
                        prefix: false,
                    }],
                    field,
                    weight: 1.0,
                })
            }
            Tok::Synonym(name) => {
                let Some(set) = self.synonyms.get(&name) else {
                    let known: Vec<&str> = self.synonyms.keys().map(String::as_str).collect();
                    let hint = match closest(&name, &known) {
                        Some(n) => format!(" (did you mean @{n}?)"),
                        None if known.is_empty() => {
                            " (declare it in [synonyms]: \"name\" = [\"…\", \"…\"])".to_owned()
                        }
                        None => format!(" (declared: @{})", known.join(", @")),
                    };
                    return Err(self.error(token.at, format!("unknown synonym set @{name}{hint}")));
                };
                Node::Leaf(Leaf {
                    label: format!("{prefix}@{name}"),
                    terms: set
                        .iter()
                        .map(|t| Term {
                            text: t.trim_end_matches('*').to_owned(),
                            prefix: t.ends_with('*'),
                        })
                        .collect(),
                    field,
                    weight: 1.0,
                })
            }
            Tok::Open => {
                if let Some(Tok::Close) = self.peek() {
                    return Err(self.error(token.at, "empty group `()`"));
                }
                let inner = self.or(field)?;
                match self.peek() {
                    Some(Tok::Close) => self.pos += 1,
                    _ => {
                        return Err(self.error(token.at, "`(` is never closed"));
                    }
                }
                inner
            }
            _ => return Err(self.error(token.at, "a term, phrase or group was expected here")),
        };
        if let Some(&Tok::Boost(w)) = self.peek() {
            if self.here() != self.end_of(self.pos - 1) {
                return Err(self.error(
                    self.here(),
                    "`^` must follow a clause directly, as in 改革^2",
                ));
            }
            self.pos += 1;
            boost(&mut node, w);
        }
        Ok(node)
    }

    /// Where the token at `i` ends: the start of the next one, less the
    /// spaces between them.
    fn end_of(&self, i: usize) -> usize {
        let next = self.tokens.get(i + 1).map_or(self.text.len(), |t| t.at);
        self.text[..next].trim_end().len()
    }
}

/// `children` as one node: the child itself when alone.
fn flatten(mut children: Vec<Node>, make: fn(Vec<Node>) -> Node) -> Node {
    if children.len() == 1 {
        children.pop().expect("one child")
    } else {
        make(children)
    }
}

/// Multiplies the weight of every clause in `node`.
fn boost(node: &mut Node, w: f64) {
    match node {
        Node::Leaf(l) => l.weight *= w,
        Node::Near { weight, .. } => *weight *= w,
        Node::And(c) | Node::Or(c) => c.iter_mut().for_each(|n| boost(n, w)),
        Node::Not(_) => {}
    }
}

/// A label without its field prefix.
fn bare(label: &str) -> &str {
    match label.split_once(':') {
        Some((f, rest)) if Field::from_name(f).is_some() => rest,
        _ => label,
    }
}

/// The name in `names` closest to `name`, if close enough to be a typo.
fn closest<'n>(name: &str, names: &[&'n str]) -> Option<&'n str> {
    names
        .iter()
        .map(|n| (strsim::levenshtein(name, n), *n))
        .filter(|(d, n)| *d <= 2.max(n.chars().count() / 3) && *d < n.chars().count())
        .min()
        .map(|(_, n)| n)
}
