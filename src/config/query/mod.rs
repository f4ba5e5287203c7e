//! The topic query language: text → a boolean tree of clauses, or an
//! error at a line and column of the query. Pure; uses nothing else in the
//! crate, so it lives in `config`, which checks queries, and `analysis` matches them.
//!
//! ```text
//! 国企 改革                         both (AND is implied)
//! 国企 OR 国有企业, NOT 招聘, -招聘  either; not
//! "state-owned enterprise"          a phrase, as written
//! reform*                           a Latin word and its endings
//! title:改革  speaker:王亮           restricted to a field
//! (国企 OR @国企) NEAR/20 改革        within 20 characters (Chinese) or words (Latin)
//! @国企                             a synonym set from [synonyms]
//! 改革^3                            weighs three times as much
//! ```
//!
//! The grammar is our own recursive-descent parser rather than
//! `tantivy-query-grammar`: that crate's AST (fields, phrases with slop,
//! `+`/`-` occurs, boosts) fits an inverted index's tokens, has no `NEAR/n`
//! between clauses or synonym sets, and its strict mode reports no position
//! (its lenient mode recovers instead of refusing, and a topic must never
//! silently mean something other than what was written).

mod ast;
mod lex;
mod parse;

use std::collections::BTreeMap;
use std::fmt;

pub use ast::{Field, Leaf, Node, Query, Term};

/// Synonym sets by name (`[synonyms]`), used in queries as `@name`.
pub type Synonyms = BTreeMap<String, Vec<String>>;

/// A query that cannot be parsed, with where in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct QueryError {
    /// Byte offset of the problem in the query text.
    pub offset: usize,
    /// 1-based line of the query text (queries may span lines).
    pub line: usize,
    /// 1-based column, in characters, within that line.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl QueryError {
    /// An error at byte `offset` of `text`.
    pub(crate) fn at(text: &str, offset: usize, message: impl Into<String>) -> Self {
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        QueryError {
            offset,
            line,
            column: before[line_start..].chars().count() + 1,
            message: message.into(),
        }
    }

    fn describe(&self) -> String {
        if self.line > 1 {
            format!(
                "line {}, column {}: {}",
                self.line, self.column, self.message
            )
        } else {
            format!("column {}: {}", self.column, self.message)
        }
    }
}

/// Parses `text`, expanding `@name` from `synonyms`.
pub fn parse(text: &str, synonyms: &Synonyms) -> Result<Query, QueryError> {
    let tokens = lex::tokens(text)?;
    let mut parser = parse::Parser {
        text,
        tokens,
        pos: 0,
        synonyms,
    };
    let root = parser.query()?;
    let mut positive = 0;
    root.positive_clauses(&mut |_| positive += 1);
    if positive == 0 {
        return Err(QueryError::at(
            text,
            0,
            "the query only excludes: add a term to look for, as in 改革 -招聘",
        ));
    }
    Ok(Query {
        text: text.to_owned(),
        root,
    })
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
