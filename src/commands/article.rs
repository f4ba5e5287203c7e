//! Printing an `Article` for humans, shared by `extract` and
//! `test-source`.

use chrono_tz::Tz;
use reformwatch::model::Article;

/// Prints `a` for a reader: the lines around the headline, byline and
/// outlet, time in `tz`, lead, section headings with their paragraph
/// counts, and the quotes.
pub fn print_article(a: &Article, tz: Tz) {
    if let Some(k) = &a.kicker {
        println!("kicker:    {k}");
    }
    println!("title:     {}", a.title);
    if let Some(s) = &a.subtitle {
        println!("subtitle:  {s}");
    }
    let when = a
        .published_at
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string())
        .unwrap_or_else(|| "-".into());
    println!("published: {when}");
    if let Some(o) = &a.outlet {
        println!("outlet:    {o}");
    }
    if let Some(b) = &a.byline {
        println!("byline:    {b}");
    }
    if let Some(u) = &a.url {
        println!("url:       {u}");
    }
    if let Some(l) = &a.lead {
        println!("lead:      {l}");
    }
    println!(
        "body:      {} paragraphs, {} characters",
        a.paragraphs().count(),
        a.body_chars()
    );
    for s in &a.sections {
        if let Some(h) = &s.heading {
            println!("  ## {h} ({} paragraphs)", s.paragraphs.len());
        }
    }
    for q in &a.quotes {
        let who = match (&q.role, &q.speaker) {
            (Some(r), Some(s)) => format!("{r} {s}"),
            (None, Some(s)) => s.clone(),
            (Some(r), None) => r.clone(),
            (None, None) => "(unattributed)".into(),
        };
        println!("  “{}” — {who}", q.text);
    }
}
