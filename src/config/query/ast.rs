//! The parsed form of a topic query: a boolean tree whose leaves are terms
//! (with their synonyms expanded) restricted to fields, and `NEAR/n`
//! clauses between two leaves. Terms are kept as written: folding (NFKC,
//! width, case) belongs to the matcher.

use std::fmt;

/// A part of an article a clause can be restricted to (`title:…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// 主题, the headline.
    Title,
    /// 副题, the line below the headline.
    Subtitle,
    /// 引题, the line above the headline.
    Kicker,
    /// The lead, the paragraphs and quotes not already in them.
    Body,
    /// Section headings (小标题).
    Section,
    /// The source's id and configured name.
    Source,
    /// The publishing outlet (来源).
    Outlet,
    /// The reporters.
    Byline,
    /// Who is quoted.
    Speaker,
    /// The posts of those quoted (市委改革办常务副主任).
    Role,
}

impl Field {
    /// Every field, in the order the grammar lists them.
    pub const ALL: [Field; 10] = [
        Field::Title,
        Field::Subtitle,
        Field::Kicker,
        Field::Body,
        Field::Section,
        Field::Source,
        Field::Outlet,
        Field::Byline,
        Field::Speaker,
        Field::Role,
    ];

    /// The name written before the colon.
    pub fn name(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Subtitle => "subtitle",
            Field::Kicker => "kicker",
            Field::Body => "body",
            Field::Section => "section",
            Field::Source => "source",
            Field::Outlet => "outlet",
            Field::Byline => "byline",
            Field::Speaker => "speaker",
            Field::Role => "role",
        }
    }

    /// The field called `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether a hit here weighs as a headline hit (kicker, title,
    /// subtitle), as in keyword scoring.
    pub fn is_title_zone(self) -> bool {
        matches!(self, Field::Title | Field::Subtitle | Field::Kicker)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One text to look for.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// The text as written (a phrase keeps its spaces).
    pub text: String,
    /// `reform*`: the last word may go on (`reforms`, `reformed`).
    pub prefix: bool,
}

/// A clause that matches text: one term, a phrase, a synonym set, or (as
/// a `NEAR` operand) a parenthesized OR of those.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaf {
    /// The clause as the explanation names it, e.g. `title:国企`, `@国企`,
    /// `"state council"`.
    pub label: String,
    /// Alternatives: any of them is an occurrence of the clause.
    pub terms: Vec<Term>,
    /// The field it is restricted to; `None`: headline and body, as
    /// keywords are matched.
    pub field: Option<Field>,
    /// Weight of one occurrence in the score (`^2`; default 1).
    pub weight: f64,
}

/// A node of the boolean tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Text that must occur.
    Leaf(Leaf),
    /// Two clauses at most `distance` apart in the same field value
    /// (Chinese characters and Latin words between them; punctuation and
    /// spaces do not count).
    Near {
        /// The clause as the explanation names it.
        label: String,
        /// One side.
        left: Leaf,
        /// The other side (order does not matter).
        right: Leaf,
        /// Most units between the two.
        distance: u32,
        /// The field both sides are looked for in.
        field: Option<Field>,
        /// Weight of one co-occurrence.
        weight: f64,
    },
    /// Every child must match.
    And(Vec<Node>),
    /// At least one child must match.
    Or(Vec<Node>),
    /// The child must not match.
    Not(Box<Node>),
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The text it was parsed from.
    pub text: String,
    /// Its tree.
    pub root: Node,
}

impl Node {
    /// Calls `f` on every leaf and NEAR clause not under a NOT: the
    /// clauses that score and are explained.
    pub fn positive_clauses<'a>(&'a self, f: &mut impl FnMut(&'a Node)) {
        match self {
            Node::Leaf(_) | Node::Near { .. } => f(self),
            Node::And(children) | Node::Or(children) => {
                for c in children {
                    c.positive_clauses(f);
                }
            }
            Node::Not(_) => {}
        }
    }
}
