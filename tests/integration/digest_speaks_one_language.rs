//! Issue 11: one language per digest. Two subscribers of the same articles,
//! `language = "en"` and `language = "zh"`, each get a digest whose fixed
//! strings (headings, labels, counts, dates, subject) are all in their
//! language; both parts of each are compared with golden files in
//! `tests/fixtures/digests/` (`UPDATE_GOLDEN=1` rewrites them after a
//! deliberate change). The files have LF line ends; the parts have CRLF.

use std::path::PathBuf;

use crate::support::http::{Content, HttpServer, Route};
use crate::support::mail::{decode_entities, is_cjk, ParsedMail};
use crate::support::smtp::SmtpServer;
use crate::support::{exit, rss, Workspace, SUBSCRIBER};

const ZH: &str = "zh@example.org";
const NOW: &str = "2024-05-07T08:00:00+08:00";

/// Compares `actual` with the golden file `name`, or rewrites it.
fn golden(name: &str, actual: &str) {
    // LF in the files, whatever the part's line ends.
    let actual = actual.replace("\r\n", "\n");
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/digests")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    assert!(
        expected == actual,
        "{} differs (UPDATE_GOLDEN=1 rewrites it)\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

/// `text` without the article-derived strings (titles, leads, source and
/// topic names), leaving the fixed strings.
fn fixed_strings(text: &str, article_text: &[&str]) -> String {
    let mut out = text.to_owned();
    for s in article_text {
        out = out.replace(s, "");
    }
    out
}

/// What a reader sees of an HTML document: the text between the tags
/// (and none of the `<head>`).
fn without_tags(html: &str) -> String {
    let body = html.split("<body").nth(1).unwrap_or(html);
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn an_en_and_a_zh_digest_of_the_same_articles_each_speak_one_language() {
    let http = HttpServer::start();
    let smtp = SmtpServer::start();
    let items = [
        ("lang-1", "深化改革 国务院部署重点任务"),
        ("lang-2", "Reform of state firms speeds up"),
        ("lang-3", "国企改革三年行动 收官"),
    ];
    http.route(
        "/lang.xml",
        Route::Content(Content::new(rss("新华网", &items), "application/rss+xml")),
    );
    let ws = Workspace::new(smtp.port(), &[("xinhua".into(), http.url("/lang.xml"))]);
    ws.edit_config(
        "id = \"xinhua\"\n",
        "id = \"xinhua\"\nname = \"新华网 Xinhua\"\n",
    );
    let mut config = std::fs::read_to_string(ws.config_path()).unwrap();
    config.push_str(&format!(
        "\n[[subscribers]]\nemail = \"{ZH}\"\ntopics = [\"reform\"]\nschedule = \"daily 08:00\"\n\
         timezone = \"Asia/Shanghai\"\nformat = \"html\"\nlanguage = \"zh\"\n"
    ));
    std::fs::write(ws.config_path(), config).unwrap();

    ws.run_at(NOW, &["poll", "--once"]).expect_code(exit::OK);
    ws.run_at(NOW, &["digest", "--send-now"])
        .expect_code(exit::OK);
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 2);
    let mut article_text: Vec<&str> = items.iter().map(|(_, t)| *t).collect();
    article_text.extend(["新华网 Xinhua", "深化改革", "改革", "正文。", "reform"]);
    for m in &msgs {
        let mail = ParsedMail::parse(&m.data);
        let (lang, fixed) = if m.to.iter().any(|t| t == SUBSCRIBER) {
            ("en", "Terms")
        } else {
            ("zh", "命中词")
        };
        golden(&format!("{lang}.txt"), &mail.text_parts[0]);
        golden(&format!("{lang}.html"), &mail.html_parts[0]);
        let shown = format!(
            "{}\n{}\n{}",
            mail.subject,
            mail.text_parts[0],
            without_tags(&decode_entities(&mail.html_parts[0]))
        );
        let text = fixed_strings(&shown, &article_text);
        assert!(text.contains(fixed), "{lang}: {text}");
        if lang == "en" {
            let cjk: String = text.chars().filter(|c| is_cjk(*c)).collect();
            assert!(cjk.is_empty(), "Chinese in the en digest: {cjk}\n{text}");
        } else {
            for word in ["Terms", "title", "Revised", "more", "articles", "May"] {
                assert!(!text.contains(word), "{word:?} in the zh digest:\n{text}");
            }
        }
    }
}
