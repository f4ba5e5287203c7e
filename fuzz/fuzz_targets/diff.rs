//! Diff of two article texts: the input is two texts separated by a 0xFF
//! byte; each becomes an article (first line the title, the rest
//! paragraphs). Diffing and rendering never panic, and an article compared
//! with itself has no changes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reformwatch::analysis::diff::diff_articles;
use reformwatch::config::Language;
use reformwatch::model::{Article, Section};

fn article(bytes: &[u8]) -> Article {
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.lines();
    let title = lines.next().unwrap_or_default().to_string();
    let paragraphs: Vec<String> = lines.map(str::to_string).collect();
    Article {
        title,
        sections: vec![Section {
            heading: None,
            paragraphs,
        }],
        ..Article::default()
    }
}

fuzz_target!(|data: &[u8]| {
    let (old, new) = match data.iter().position(|&b| b == 0xFF) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &data[..0]),
    };
    let (old, new) = (article(old), article(new));
    let diff = diff_articles(&old, &new);
    let _ = diff.to_text();
    let _ = diff.to_html();
    for lang in [Language::En, Language::Zh] {
        let _ = diff.to_text_in(lang);
        let _ = diff.to_html_in(lang);
    }
    let _ = diff.class();
    assert!(diff_articles(&old, &old).is_empty());
});
