//! Query text → tokens, each with the byte offset it starts at. Full-width
//! parentheses and curly quotes count as their ASCII forms, since Chinese
//! input methods type them.

use super::QueryError;

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    /// `(`
    Open,
    /// `)`
    Close,
    /// A bare term; `prefix` when it ended in `*`.
    Word { text: String, prefix: bool },
    /// A quoted phrase.
    Phrase(String),
    /// `@name`.
    Synonym(String),
    /// `name:` (only letters before the colon).
    Field(String),
    /// `AND`
    And,
    /// `OR`
    Or,
    /// `NOT`
    Not,
    /// `-` directly before a clause.
    Minus,
    /// `NEAR/n`
    Near(u32),
    /// `^w` directly after a clause.
    Boost(f64),
}

/// A token and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub tok: Tok,
    /// Byte offset in the query text.
    pub at: usize,
}

/// Characters that end a bare word.
fn ends_word(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '（' | '）' | '"' | '“' | '”' | '^' | '@')
}

/// Splits `text` into tokens.
pub(super) fn tokens(text: &str) -> Result<Vec<Token>, QueryError> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let tok = match c {
            '(' | '（' => {
                chars.next();
                Tok::Open
            }
            ')' | '）' => {
                chars.next();
                Tok::Close
            }
            '"' | '“' | '”' => {
                chars.next();
                Tok::Phrase(phrase(text, at, c, &mut chars)?)
            }
            '@' => {
                chars.next();
                let name = take_word(&mut chars, |c| ends_word(c) || c == ':');
                if name.is_empty() {
                    return Err(QueryError::at(
                        text,
                        at,
                        "`@` must be followed by a synonym name, as in @国企",
                    ));
                }
                Tok::Synonym(name)
            }
            '^' => {
                chars.next();
                let number = take_word(&mut chars, ends_word);
                match number.parse::<f64>() {
                    Ok(w) if w.is_finite() && w > 0.0 => Tok::Boost(w),
                    _ => {
                        return Err(QueryError::at(
                            text,
                            at,
                            format!(
                                "`^` must be followed by a positive weight, as in 改革^2 (found `^{number}`)"
                            ),
                        ))
                    }
                }
            }
            '-' => {
                chars.next();
                match chars.peek() {
                    Some(&(_, n)) if !n.is_whitespace() && n != ')' && n != '）' => Tok::Minus,
                    _ => {
                        return Err(QueryError::at(
                            text,
                            at,
                            "`-` must be followed directly by the clause to exclude, as in -招聘",
                        ))
                    }
                }
            }
            _ => word(text, at, &mut chars)?,
        };
        out.push(Token { tok, at });
    }
    Ok(out)
}

type Chars<'a> = std::iter::Peekable<std::str::CharIndices<'a>>;

/// Characters up to (not including) the first one `stop` accepts.
fn take_word(chars: &mut Chars<'_>, stop: impl Fn(char) -> bool) -> String {
    let mut s = String::new();
    while let Some(&(_, c)) = chars.peek() {
        if stop(c) {
            break;
        }
        s.push(c);
        chars.next();
    }
    s
}

/// The rest of a phrase opened by `open` at `at`; `\"` and `\\` escape.
fn phrase(text: &str, at: usize, open: char, chars: &mut Chars<'_>) -> Result<String, QueryError> {
    let mut s = String::new();
    while let Some((_, c)) = chars.next() {
        match c {
            '\\' if open == '"' => match chars.next() {
                Some((_, e)) => s.push(e),
                None => break,
            },
            '"' if open == '"' => return Ok(s),
            '”' | '"' if open != '"' => return Ok(s),
            c => s.push(c),
        }
    }
    Err(QueryError::at(
        text,
        at,
        "unclosed quote: a phrase needs its closing `\"`",
    ))
}

/// A bare word starting at `at`: a term, an operator, or a field name.
fn word(text: &str, at: usize, chars: &mut Chars<'_>) -> Result<Tok, QueryError> {
    let mut s = String::new();
    while let Some(&(_, c)) = chars.peek() {
        if ends_word(c) {
            break;
        }
        if c == ':' && !s.is_empty() && s.chars().all(|c| c.is_ascii_alphabetic()) {
            chars.next();
            return Ok(Tok::Field(s));
        }
        s.push(c);
        chars.next();
    }
    match s.as_str() {
        "AND" => return Ok(Tok::And),
        "OR" => return Ok(Tok::Or),
        "NOT" => return Ok(Tok::Not),
        _ => {}
    }
    if s == "NEAR" || s.starts_with("NEAR/") {
        let n = s.strip_prefix("NEAR/").unwrap_or("");
        return match n.parse::<u32>() {
            Ok(n) => Ok(Tok::Near(n)),
            Err(_) => Err(QueryError::at(
                text,
                at,
                format!("`{s}`: NEAR needs a distance, as in NEAR/10"),
            )),
        };
    }
    let prefix = s.ends_with('*');
    let body = s.trim_end_matches('*');
    if body.is_empty() {
        return Err(QueryError::at(
            text,
            at,
            "`*` must end a term, as in reform*",
        ));
    }
    if let Some(i) = body.find('*') {
        return Err(QueryError::at(
            text,
            at + i,
            "`*` may only end a term, as in reform*",
        ));
    }
    Ok(Tok::Word {
        text: body.to_owned(),
        prefix,
    })
}
