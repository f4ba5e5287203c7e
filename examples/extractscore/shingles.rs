//! Body-text agreement: F1 over multisets of 4-shingles of tokens, where a
//! token is a Latin word (a run of non-blank, non-CJK characters) or a
//! single CJK character, so whitespace never counts and Chinese and
//! English text are scored the same way.

use std::collections::HashMap;

/// Shingle length in tokens.
const N: usize = 4;

/// Precision, recall and F1 of `got` against `want`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Prf {
    pub p: f64,
    pub r: f64,
    pub f1: f64,
}

/// Scores `got` against `want`; two empty texts agree perfectly.
pub fn score(got: &str, want: &str) -> Prf {
    let (g, w) = (shingles(got), shingles(want));
    let (gn, wn): (usize, usize) = (g.values().sum(), w.values().sum());
    if gn == 0 && wn == 0 {
        return Prf {
            p: 1.0,
            r: 1.0,
            f1: 1.0,
        };
    }
    let shared: usize = g
        .iter()
        .map(|(k, n)| (*n).min(w.get(k).copied().unwrap_or(0)))
        .sum();
    let p = if gn == 0 {
        0.0
    } else {
        shared as f64 / gn as f64
    };
    let r = if wn == 0 {
        0.0
    } else {
        shared as f64 / wn as f64
    };
    let f1 = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    Prf { p, r, f1 }
}

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303F}' | '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{FF00}'..='\u{FFEF}')
}

/// The tokens of `s` (see the module doc).
pub fn tokens(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() || c == '\u{a0}' || is_cjk(c) {
            if let Some(st) = start.take() {
                out.push(&s[st..i]);
            }
            if is_cjk(c) && c != '\u{3000}' {
                out.push(&s[i..i + c.len_utf8()]);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(st) = start {
        out.push(&s[st..]);
    }
    out
}

fn shingles(s: &str) -> HashMap<Vec<&str>, usize> {
    let t = tokens(s);
    let mut m = HashMap::new();
    if t.is_empty() {
        return m;
    }
    if t.len() < N {
        *m.entry(t).or_default() += 1;
        return m;
    }
    for w in t.windows(N) {
        *m.entry(w.to_vec()).or_default() += 1;
    }
    m
}
