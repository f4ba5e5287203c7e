//! feedparser's `Expect:` lines, read and judged against our `FeedDocument`.
//!
//! Each test file of feedparser's suite starts with a comment holding a
//! Python expression over feedparser's result, e.g.
//! `not bozo and entries[0]['title'] == 'Example Atom'`. This module parses
//! the small subset of Python those lines use (`and`, `or`, `not`, chained
//! `==`, string and tuple literals, `+` on strings, `feed[...]`,
//! `entries[N][...]`, `x.attr`) and evaluates it against our own model for
//! the fields that model has. An expression that touches anything else
//! (`encoding`, `version`, `bozo` on its own, `len()`, authors, tags, …) is
//! "not understood" and the case is left out of the count.
//!
//! Shared by `examples/feedsuite.rs` (the whole suite, given on the command
//! line) and `tests/feedparser_golden.rs` (the copies in
//! tests/fixtures/feeds/feedparser), so both judge a case the same way.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use reformwatch::document::parse::{self, FeedContext, ParseError};
use reformwatch::document::{dates, decode};
use reformwatch::model::{Article, FeedDocument};

/// One test file: its description, expectation and, for files whose path
/// mentions `http` (the only ones feedparser's runner serves over HTTP), the
/// response headers its `Header:` lines give.
#[derive(Debug, Clone)]
pub struct Case {
    /// The `Description:` text.
    pub description: String,
    /// The `Expect:` expression, as written.
    pub expect: String,
    /// `Header: Name: value` lines (names lower-cased), `http` files only.
    pub headers: Vec<(String, String)>,
    /// Where feedparser's runner serves the file (`http` files only).
    pub url: Option<url::Url>,
}

impl Case {
    /// Reads the header comment of a test file whose path in the suite is
    /// `path`. `None` when the file has no `Expect:` line.
    pub fn from_bytes(path: &str, bytes: &[u8]) -> Option<Case> {
        let text = header_text(bytes);
        let d = text.find("Description:")?;
        let e = d + text[d..].find("Expect:")?;
        let end = e + text[e..].find("-->")?;
        let description = text[d + "Description:".len()..e].trim().to_string();
        let expect = text[e + "Expect:".len()..end].trim().to_string();
        let http = path.contains("http");
        let headers = if http {
            text[..end]
                .lines()
                .filter_map(|l| {
                    let rest = l.trim().strip_prefix("Header:")?.trim();
                    let (name, value) = rest.split_once(':')?;
                    Some((name.trim().to_ascii_lowercase(), value.trim().to_string()))
                })
                .collect()
        } else {
            Vec::new()
        };
        // feedparser's runner: http://127.0.0.1:8097/<path in the suite>.
        let url = http
            .then(|| url::Url::parse(&format!("http://127.0.0.1:8097/{path}")).ok())
            .flatten();
        Some(Case {
            description,
            expect,
            headers,
            url,
        })
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `Content-Type` the file is served with, if any.
    pub fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }

    /// The base for relative links: `Content-Location` (resolved against
    /// the file's URL), else the URL; `None` for files not served over HTTP.
    pub fn base_url(&self) -> Option<url::Url> {
        let url = self.url.as_ref()?;
        match self.header("content-location") {
            Some(loc) => url.join(loc).ok(),
            None => Some(url.clone()),
        }
    }
}

/// Decodes and parses one test file as `reformwatch extract` reads a feed
/// file: its bytes (with the `Content-Type` it is served with), UTC for
/// zone-less dates (feedparser's rule), the case's base URL.
pub fn run(bytes: &[u8], case: &Case) -> Result<FeedDocument, ParseError> {
    let decoded = decode::decode_document(bytes, case.content_type(), None);
    let base = case.base_url();
    let ctx = FeedContext {
        source_id: "feedsuite",
        timezone: chrono_tz::UTC,
        fetched_at: Utc::now(),
        base_url: base.as_ref(),
    };
    parse::parse_feed(&decoded.text, &ctx)
}

/// The group of a test file's path in the suite: its first directory
/// (`entities`, `illformed`, `encoding`), or two for `wellformed/…`.
pub fn group_of(rel: &str) -> String {
    let mut parts = rel.split('/');
    let first = parts.next().unwrap_or("");
    match (first, parts.next()) {
        ("wellformed", Some(second)) if rel.matches('/').count() >= 2 => {
            format!("{first}/{second}")
        }
        _ => first.to_string(),
    }
}

/// The file as text, enough to read its header comment: UTF-16 when a BOM
/// or the `<\0`/`\0<` pattern says so, else UTF-8 with errors replaced.
fn header_text(bytes: &[u8]) -> String {
    let utf16 = |bytes: &[u8], le: bool| {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    match bytes {
        [0xFF, 0xFE, a, b, ..] if (*a, *b) != (0, 0) => utf16(&bytes[2..], true),
        [0xFE, 0xFF, a, b, ..] if (*a, *b) != (0, 0) => utf16(&bytes[2..], false),
        [b'<', 0, b, 0, ..] if *b != 0 => utf16(bytes, true),
        [0, b'<', 0, b, ..] if *b != 0 => utf16(bytes, false),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Which part of the document a field access reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Feed,
    Entry(usize),
}

/// The model field a feedparser key maps to, and how values compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Title,
    Link,
    Subtitle,
    Id,
    Updated,
    Published,
}

/// A parsed expression.
#[derive(Debug, Clone)]
enum Expr {
    Str(String),
    Tuple(Vec<i64>),
    Int(i64),
    Bozo,
    Get(Scope, Field),
    Concat(Vec<Expr>),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    /// `a == b == c`: every neighbouring pair equal.
    Eq(Vec<Expr>),
}

/// feedparser keys (and their `_detail['value']` / `_parsed` forms) that
/// our model has. Anything else makes an expression not understood.
fn field_for(scope: Scope, key: &str) -> Option<Field> {
    let base = key
        .strip_suffix("_parsed")
        .or_else(|| key.strip_suffix("_detail"))
        .unwrap_or(key);
    let field = match (scope, base) {
        (_, "title") => Field::Title,
        (_, "link") => Field::Link,
        (_, "updated") => Field::Updated,
        (_, "published") => Field::Published,
        (Scope::Feed, "subtitle" | "tagline" | "description") => Field::Subtitle,
        (Scope::Entry(_), "id") => Field::Id,
        _ => return None,
    };
    // `_parsed` only exists for dates, `_detail` only for text.
    let dated = matches!(field, Field::Updated | Field::Published);
    if key.ends_with("_parsed") && !dated
        || key.ends_with("_detail") && !matches!(field, Field::Title | Field::Subtitle)
    {
        return None;
    }
    Some(field)
}

/// A parsed `Expect:` line that only reads fields our model has.
#[derive(Debug, Clone)]
pub struct Expectation(Expr);

impl Expectation {
    /// Parses `src`; `Err` names what is not understood (unknown names,
    /// fields our model lacks, constructs outside the subset).
    pub fn parse(src: &str) -> Result<Expectation, String> {
        let tokens = tokenize(src)?;
        let mut p = Parser { tokens, pos: 0 };
        let expr = p.or()?;
        if p.pos != p.tokens.len() {
            return Err(format!("unexpected {:?}", p.tokens[p.pos]));
        }
        if !reads_a_field(&expr) {
            return Err("reads no field of the model".into());
        }
        Ok(Expectation(expr))
    }

    /// Whether `result` (our parse of the file) satisfies the expectation.
    /// A parse error counts as feedparser's `bozo` and leaves every field empty.
    pub fn holds(&self, result: Option<&FeedDocument>) -> bool {
        truthy(&eval(&self.0, result))
    }

    /// Our values for the fields the expectation reads, for failure reports.
    pub fn show_ours(&self, result: Option<&FeedDocument>) -> String {
        let mut out = Vec::new();
        collect_gets(&self.0, &mut out);
        out.dedup();
        out.iter()
            .map(|&(scope, field)| {
                let v = eval(&Expr::Get(scope, field), result);
                format!("{scope:?}.{field:?} = {v:?}")
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn reads_a_field(e: &Expr) -> bool {
    let mut v = Vec::new();
    collect_gets(e, &mut v);
    !v.is_empty()
}

fn collect_gets(e: &Expr, out: &mut Vec<(Scope, Field)>) {
    match e {
        Expr::Get(s, f) => out.push((*s, *f)),
        Expr::Concat(v) | Expr::And(v) | Expr::Or(v) | Expr::Eq(v) => {
            v.iter().for_each(|x| collect_gets(x, out))
        }
        Expr::Not(x) => collect_gets(x, out),
        _ => {}
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Str(String),
    Int(i64),
    Sym(&'static str),
}

fn tokenize(src: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '=' && chars.get(i + 1) == Some(&'=') {
            out.push(Tok::Sym("=="));
            i += 2;
        } else if let Some(s) = ["[", "]", "(", ")", ",", ".", "+"]
            .into_iter()
            .find(|s| s.starts_with(c))
        {
            out.push(Tok::Sym(s));
            i += 1;
        } else if c == '\''
            || c == '"'
            || (c == 'u' && matches!(chars.get(i + 1), Some('\'' | '"')))
        {
            let start = if c == 'u' { i + 1 } else { i };
            let (s, next) = string_literal(&chars, start)?;
            out.push(Tok::Str(s));
            i = next;
        } else if c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
                return Err("float literal".into());
            }
            let n: String = chars[start..i].iter().collect();
            out.push(Tok::Int(n.parse().map_err(|_| "bad integer")?));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Tok::Name(chars[start..i].iter().collect()));
        } else {
            return Err(format!("unsupported character {c:?}"));
        }
    }
    Ok(out)
}

/// A Python string literal starting at `chars[start]` (the quote); returns
/// its value and the index after the closing quote.
fn string_literal(chars: &[char], start: usize) -> Result<(String, usize), String> {
    let quote = chars[start];
    let mut s = String::new();
    let mut i = start + 1;
    let hex = |from: usize, n: usize| -> Result<char, String> {
        let digits: String = chars
            .get(from..from + n)
            .ok_or("short escape")?
            .iter()
            .collect();
        u32::from_str_radix(&digits, 16)
            .ok()
            .and_then(char::from_u32)
            .ok_or_else(|| format!("bad escape {digits}"))
    };
    while i < chars.len() {
        match chars[i] {
            c if c == quote => return Ok((s, i + 1)),
            '\\' => {
                let e = *chars.get(i + 1).ok_or("dangling backslash")?;
                i += 2;
                match e {
                    'n' => s.push('\n'),
                    't' => s.push('\t'),
                    'r' => s.push('\r'),
                    '0' => s.push('\0'),
                    '\\' | '\'' | '"' => s.push(e),
                    'x' => {
                        s.push(hex(i, 2)?);
                        i += 2;
                    }
                    'u' => {
                        s.push(hex(i, 4)?);
                        i += 4;
                    }
                    'U' => {
                        s.push(hex(i, 8)?);
                        i += 8;
                    }
                    other => {
                        s.push('\\');
                        s.push(other);
                    }
                }
            }
            c => {
                s.push(c);
                i += 1;
            }
        }
    }
    Err("unterminated string".into())
}

struct Parser {
    tokens: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos)
    }
    fn eat_sym(&mut self, s: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Sym(x)) if *x == s) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn eat_name(&mut self, n: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Name(x)) if x == n) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn expect_sym(&mut self, s: &str) -> Result<(), String> {
        if self.eat_sym(s) {
            Ok(())
        } else {
            Err(format!("expected {s}, found {:?}", self.peek()))
        }
    }
    fn or(&mut self) -> Result<Expr, String> {
        let mut v = vec![self.and()?];
        while self.eat_name("or") {
            v.push(self.and()?);
        }
        Ok(if v.len() == 1 {
            v.remove(0)
        } else {
            Expr::Or(v)
        })
    }
    fn and(&mut self) -> Result<Expr, String> {
        let mut v = vec![self.not()?];
        while self.eat_name("and") {
            v.push(self.not()?);
        }
        Ok(if v.len() == 1 {
            v.remove(0)
        } else {
            Expr::And(v)
        })
    }
    fn not(&mut self) -> Result<Expr, String> {
        if self.eat_name("not") {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.eq()
    }
    fn eq(&mut self) -> Result<Expr, String> {
        let mut v = vec![self.sum()?];
        while self.eat_sym("==") {
            v.push(self.sum()?);
        }
        if matches!(self.peek(), Some(Tok::Name(n)) if n == "is" || n == "in") {
            return Err("`is` / `in` are not supported".into());
        }
        Ok(if v.len() == 1 {
            v.remove(0)
        } else {
            Expr::Eq(v)
        })
    }
    fn sum(&mut self) -> Result<Expr, String> {
        let mut v = vec![self.atom()?];
        while self.eat_sym("+") {
            v.push(self.atom()?);
        }
        Ok(if v.len() == 1 {
            v.remove(0)
        } else {
            Expr::Concat(v)
        })
    }
    fn atom(&mut self) -> Result<Expr, String> {
        let tok = self.peek().cloned().ok_or("unexpected end")?;
        self.pos += 1;
        match tok {
            Tok::Str(s) => Ok(Expr::Str(s)),
            Tok::Int(n) => Ok(Expr::Int(n)),
            Tok::Sym("(") => {
                // A parenthesised expression or a tuple of integers.
                let first = self.or()?;
                if self.eat_sym(")") {
                    return Ok(first);
                }
                let mut ints = vec![as_int(&first)?];
                while self.eat_sym(",") {
                    if matches!(self.peek(), Some(Tok::Sym(")"))) {
                        break;
                    }
                    let e = self.or()?;
                    ints.push(as_int(&e)?);
                }
                self.expect_sym(")")?;
                Ok(Expr::Tuple(ints))
            }
            Tok::Name(n) if n == "bozo" => Ok(Expr::Bozo),
            Tok::Name(n) if n == "feed" => {
                let key = self.key()?;
                self.field(Scope::Feed, &key)
            }
            Tok::Name(n) if n == "entries" => {
                self.expect_sym("[")?;
                let Some(Tok::Int(i)) = self.peek().cloned() else {
                    return Err("entries index".into());
                };
                self.pos += 1;
                self.expect_sym("]")?;
                let key = self.key()?;
                let i = usize::try_from(i).map_err(|_| "negative index")?;
                self.field(Scope::Entry(i), &key)
            }
            other => Err(format!("not understood: {other:?}")),
        }
    }
    /// `['key']` or `.key`.
    fn key(&mut self) -> Result<String, String> {
        if self.eat_sym("[") {
            let Some(Tok::Str(k)) = self.peek().cloned() else {
                return Err("subscript is not a string".into());
            };
            self.pos += 1;
            self.expect_sym("]")?;
            Ok(k)
        } else if self.eat_sym(".") {
            match self.peek().cloned() {
                Some(Tok::Name(k)) => {
                    self.pos += 1;
                    Ok(k)
                }
                other => Err(format!("attribute {other:?}")),
            }
        } else {
            Err("expected a key".into())
        }
    }
    fn field(&mut self, scope: Scope, key: &str) -> Result<Expr, String> {
        let field =
            field_for(scope, key).ok_or_else(|| format!("field {key} is not in the model"))?;
        if key.ends_with("_detail") {
            // Only the value of a text construct is in the model.
            if self.key()? != "value" {
                return Err(format!("{key} other than value"));
            }
        }
        if matches!(self.peek(), Some(Tok::Sym("[" | "." | "("))) {
            return Err(format!("{key} is indexed further"));
        }
        Ok(Expr::Get(scope, field))
    }
}

fn as_int(e: &Expr) -> Result<i64, String> {
    match e {
        Expr::Int(n) => Ok(*n),
        _ => Err("tuple of non-integers".into()),
    }
}

/// A value during evaluation.
#[derive(Debug, Clone)]
enum Val {
    Str(String),
    Tuple(Vec<i64>),
    Int(i64),
    Bool(bool),
    /// One of our fields: the field (for how to compare) and its value.
    Text(Field, Option<String>),
    Date(Option<DateTime<Utc>>),
}

fn truthy(v: &Val) -> bool {
    match v {
        Val::Bool(b) => *b,
        Val::Str(s) => !s.is_empty(),
        Val::Tuple(t) => !t.is_empty(),
        Val::Int(n) => *n != 0,
        Val::Text(_, s) => s.as_deref().is_some_and(|s| !s.is_empty()),
        Val::Date(d) => d.is_some(),
    }
}

fn eval(e: &Expr, doc: Option<&FeedDocument>) -> Val {
    match e {
        Expr::Str(s) => Val::Str(s.clone()),
        Expr::Tuple(t) => Val::Tuple(t.clone()),
        Expr::Int(n) => Val::Int(*n),
        Expr::Bozo => Val::Bool(doc.is_none()),
        Expr::Get(scope, field) => get(doc, *scope, *field),
        Expr::Concat(parts) => {
            let mut s = String::new();
            for p in parts {
                match eval(p, doc) {
                    Val::Str(x) | Val::Text(_, Some(x)) => s.push_str(&x),
                    _ => return Val::Bool(false),
                }
            }
            Val::Str(s)
        }
        Expr::Not(x) => Val::Bool(!truthy(&eval(x, doc))),
        Expr::And(v) => Val::Bool(v.iter().all(|x| truthy(&eval(x, doc)))),
        Expr::Or(v) => Val::Bool(v.iter().any(|x| truthy(&eval(x, doc)))),
        Expr::Eq(v) => {
            let vals: Vec<Val> = v.iter().map(|x| eval(x, doc)).collect();
            Val::Bool(vals.windows(2).all(|w| equal(&w[0], &w[1])))
        }
    }
}

fn get(doc: Option<&FeedDocument>, scope: Scope, field: Field) -> Val {
    let date = |d: Option<DateTime<Utc>>| Val::Date(d);
    let text = |s: Option<&str>| Val::Text(field, s.map(str::to_string));
    let Some(doc) = doc else {
        return match field {
            Field::Updated | Field::Published => date(None),
            _ => text(None),
        };
    };
    match scope {
        Scope::Feed => match field {
            Field::Title => text(doc.title.as_deref()),
            Field::Link => text(doc.link.as_deref()),
            Field::Subtitle => text(doc.description.as_deref()),
            // The model keeps one feed time (updated, else published).
            Field::Updated | Field::Published => date(doc.updated_at),
            Field::Id => text(None),
        },
        Scope::Entry(i) => {
            let Some(a): Option<&Article> = doc.items.get(i) else {
                return match field {
                    Field::Updated | Field::Published => date(None),
                    _ => text(None),
                };
            };
            match field {
                Field::Title => text(Some(a.title.as_str())),
                Field::Link => text(a.url.as_deref()),
                Field::Id => text(Some(a.guid.as_str())),
                // Never produced: entries have no subtitle key here.
                Field::Subtitle => text(None),
                Field::Published => date(a.published_at),
                // feedparser answers `updated` with `published` when only that exists.
                Field::Updated => date(a.updated_at.or(a.published_at)),
            }
        }
    }
}

fn equal(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Text(f, ours), Val::Str(want)) | (Val::Str(want), Val::Text(f, ours)) => {
            text_matches(*f, ours.as_deref().unwrap_or(""), want)
        }
        (Val::Date(ours), Val::Str(want)) | (Val::Str(want), Val::Date(ours)) => {
            ours.is_some() && *ours == expected_instant(want)
        }
        (Val::Date(ours), Val::Tuple(t)) | (Val::Tuple(t), Val::Date(ours)) => {
            ours.is_some() && *ours == instant_from_tuple(t)
        }
        (Val::Text(_, x), Val::Text(_, y)) => x.is_some() && x == y,
        (Val::Date(x), Val::Date(y)) => x.is_some() && x == y,
        (Val::Str(x), Val::Str(y)) => x == y,
        (Val::Tuple(x), Val::Tuple(y)) => x == y,
        (Val::Int(x), Val::Int(y)) => x == y,
        (Val::Bool(x), Val::Bool(y)) => x == y,
        _ => false,
    }
}

/// How our value compares with feedparser's. Our model keeps text, where
/// feedparser keeps HTML for `text/html` constructs, so a title matches
/// feedparser's value either as it is (a plain-text construct such as
/// `History of the <blink> tag`) or as the text that HTML shows
/// (`Example <b>Atom</b>` → `Example Atom`). Whitespace runs count as one
/// space on both sides (our text is whitespace-folded). Links match
/// exactly or as the same parsed URL; ids match exactly.
fn text_matches(field: Field, ours: &str, want: &str) -> bool {
    match field {
        Field::Id => ours == want,
        Field::Link => {
            ours == want
                || match (url::Url::parse(ours), url::Url::parse(want)) {
                    (Ok(a), Ok(b)) => a == b,
                    _ => false,
                }
        }
        _ => {
            let ours = fold(ours);
            ours == fold(want) || ours == fold(&html_text(want))
        }
    }
}

fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text an HTML fragment shows: tags removed, entities decoded.
fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 1..];
        let is_tag = tail
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!');
        match tail.find('>') {
            Some(end) if is_tag => rest = &tail[end + 1..],
            _ => {
                out.push('<');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    html_escape::decode_html_entities(&out).into_owned()
}

/// feedparser's raw date string as an instant: RFC 822/2822 or RFC 3339,
/// else our own reader with zone-less dates in UTC (feedparser's rule).
fn expected_instant(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(s)
        .or_else(|_| DateTime::parse_from_rfc3339(s))
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| dates::parse_date(s, chrono_tz::UTC))
}

/// A `time.struct_time` tuple (UTC) as an instant.
fn instant_from_tuple(t: &[i64]) -> Option<DateTime<Utc>> {
    let [y, mo, d, h, mi, s, ..] = *t else {
        return None;
    };
    let n = |x: i64| u32::try_from(x).ok();
    let date = NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, n(mo)?, n(d)?)?;
    let dt = date.and_hms_opt(n(h)?, n(mi)?, n(s)?)?;
    Some(Utc.from_utc_datetime(&dt))
}
