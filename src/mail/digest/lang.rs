//! Every fixed string of a digest, in the subscriber's language
//! (`[[subscribers]] language`): headings, labels, notes, counts, the
//! subject, the attachment names' explanations and the date format. Kept in
//! one file so the two languages can be read side by side; article text
//! (titles, leads, source and topic names) is never translated.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::config::Language;
use crate::model::ChangeClass;

/// The attachment that lists every new article when the body cannot.
pub(super) const ARTICLES_CSV: &str = "articles.csv";
/// The attachment that holds the diffs the body cannot.
pub(super) const REVISIONS_TXT: &str = "revisions.txt";

/// The fixed strings of one language.
#[derive(Debug, Clone, Copy)]
pub(super) struct Words(pub(super) Language);

impl Words {
    fn en(self) -> bool {
        self.0 == Language::En
    }

    /// `lang` attribute of the HTML document.
    pub(super) fn html_lang(self) -> &'static str {
        if self.en() {
            "en"
        } else {
            "zh-CN"
        }
    }

    /// A time as the body shows it: `2 Sep 2024 08:15` or `2024年9月2日 08:15`,
    /// with no-break spaces so a wrapped line never splits it.
    pub(super) fn time(self, t: DateTime<Utc>, tz: Tz) -> String {
        let format = if self.en() {
            "%-d\u{a0}%b\u{a0}%Y\u{a0}%H:%M"
        } else {
            "%Y年%-m月%-d日\u{a0}%H:%M"
        };
        t.with_timezone(&tz).format(format).to_string()
    }

    /// The time of an article without a published time: when it was seen.
    pub(super) fn seen(self, time: &str) -> String {
        if self.en() {
            format!("seen {time}")
        } else {
            format!("{time} 收录")
        }
    }

    /// A time followed by its zone: `2 Sep 2024 08:00 (Asia/Shanghai)`.
    pub(super) fn zoned(self, time: &str, tz_name: &str) -> String {
        if self.en() {
            format!("{time} ({tz_name})")
        } else {
            format!("{time}（{tz_name}）")
        }
    }

    /// Separator of a list of names (topics).
    pub(super) fn list_sep(self) -> &'static str {
        if self.en() {
            ", "
        } else {
            "、"
        }
    }

    /// Separator of the terms of one item.
    pub(super) fn terms_sep(self) -> &'static str {
        if self.en() {
            ", "
        } else {
            "，"
        }
    }

    /// Separator of the terms in a cell of `articles.csv`.
    pub(super) fn csv_terms_sep(self) -> &'static str {
        if self.en() {
            "; "
        } else {
            "；"
        }
    }

    /// `N articles` / `N 篇`.
    fn articles(self, n: usize) -> String {
        match (self.en(), n) {
            (true, n) => format!("{n} {}", plural(n, "article")),
            (false, n) => format!("{n} 篇"),
        }
    }

    /// The subject before the per-topic counts.
    pub(super) fn subject(self, new: usize, revised: usize) -> String {
        let counts = match (self.en(), new + revised, revised) {
            (true, 0, _) => "no new articles".to_owned(),
            (true, _, 0) => format!("{new} new {}", plural(new, "article")),
            (true, _, r) => format!("{new} new, {r} revised"),
            (false, 0, _) => "没有新文章".to_owned(),
            (false, _, 0) => format!("新文章 {new} 篇"),
            (false, _, r) => format!("新文章 {new} 篇，修订 {r} 篇"),
        };
        if self.en() {
            format!("reformwatch: {counts}")
        } else {
            format!("reformwatch：{counts}")
        }
    }

    /// The per-topic counts of the subject: `改革 2, 国企 1`.
    pub(super) fn subject_topics(self, counts: &[(String, usize)]) -> String {
        let sep = if self.en() { ", " } else { "，" };
        counts
            .iter()
            .map(|(name, n)| format!("{name} {n}"))
            .collect::<Vec<_>>()
            .join(sep)
    }

    /// The text part's first line.
    pub(super) fn text_headline(self, who: &str, total: usize) -> String {
        match (self.en(), total) {
            (true, 0) => format!("reformwatch digest for {who}: no new articles"),
            (true, n) => format!("reformwatch digest for {who}: {}", self.articles(n)),
            (false, 0) => format!("reformwatch 摘要（{who}）：没有新文章"),
            (false, n) => format!("reformwatch 摘要（{who}）：共 {}", self.articles(n)),
        }
    }

    /// The HTML part's heading.
    pub(super) fn html_headline(self, total: usize) -> String {
        match (self.en(), total) {
            (true, 0) => "reformwatch: no new articles".to_owned(),
            (true, n) => format!("reformwatch: {}", self.articles(n)),
            (false, 0) => "reformwatch：没有新文章".to_owned(),
            (false, n) => format!("reformwatch：共 {}", self.articles(n)),
        }
    }

    /// Before the recipient in the HTML part.
    pub(super) fn for_recipient(self) -> &'static str {
        if self.en() {
            "for "
        } else {
            "收件人："
        }
    }

    /// Group of articles matching none of the subscriber's topics.
    pub(super) fn other_topic(self) -> &'static str {
        if self.en() {
            "Other"
        } else {
            "其他"
        }
    }

    /// A topic heading with its count: `改革 (12)`.
    pub(super) fn heading(self, name: &str, n: usize) -> String {
        if self.en() {
            format!("{name} ({n})")
        } else {
            format!("{name}（{n}）")
        }
    }

    /// The count after a heading in HTML: `(12)`.
    pub(super) fn count(self, n: usize) -> String {
        if self.en() {
            format!("({n})")
        } else {
            format!("（{n}）")
        }
    }

    pub(super) fn untitled(self) -> &'static str {
        if self.en() {
            "(untitled)"
        } else {
            "（无标题）"
        }
    }

    pub(super) fn unknown_source(self) -> &'static str {
        if self.en() {
            "(unknown source)"
        } else {
            "（来源不明）"
        }
    }

    /// An article at a revision above 1 among the new ones.
    pub(super) fn revised_badge(self, revision: u32) -> String {
        if self.en() {
            format!("revised (r{revision})")
        } else {
            format!("已修订（第{revision}版）")
        }
    }

    /// `Terms: ` before an item's matched terms.
    pub(super) fn terms_label(self) -> &'static str {
        if self.en() {
            "Terms: "
        } else {
            "命中词："
        }
    }

    /// One matched term: `改革 ×3 (title 1)`.
    pub(super) fn term(self, term: &str, n: u32, in_title: u32) -> String {
        match (self.en(), in_title) {
            (_, 0) => format!("{term} ×{n}"),
            (true, k) => format!("{term} ×{n} (title {k})"),
            (false, k) => format!("{term} ×{n}（标题 {k}）"),
        }
    }

    /// `Also in: ` before the other topics an item matched.
    pub(super) fn also_label(self) -> &'static str {
        if self.en() {
            "Also in: "
        } else {
            "另见："
        }
    }

    /// Before the other outlets that carry the same story.
    pub(super) fn copies_label(self) -> &'static str {
        if self.en() {
            "Also in: "
        } else {
            "另见于："
        }
    }

    /// After the outlets named: how many more carry the story.
    pub(super) fn more(self, n: usize) -> String {
        if self.en() {
            format!(" (+{n})")
        } else {
            format!("（+{n}）")
        }
    }

    /// Above the diff of a copy that changed the story.
    pub(super) fn changed_copy(self, copy: &str, original: &str) -> String {
        if self.en() {
            format!("Changed copy: {copy}, against the original in {original}")
        } else {
            format!("改动的转载：{copy}（对照{original}原文）")
        }
    }

    /// Above a topic's one-line entries.
    pub(super) fn more_heading(self) -> &'static str {
        if self.en() {
            "More articles:"
        } else {
            "更多文章："
        }
    }

    /// Under the headline when the new articles are attached.
    pub(super) fn attachment_note(self, total: usize) -> String {
        match (self.en(), total) {
            (true, 1) => {
                format!("The article of this digest is listed in the attached {ARTICLES_CSV}.")
            }
            (true, n) => format!(
                "All {n} articles of this digest are listed in the attached {ARTICLES_CSV}."
            ),
            (false, n) => format!("本期全部 {n} 篇文章列于附件 {ARTICLES_CSV}。"),
        }
    }

    /// At the end of a topic whose articles are not all in the body.
    pub(super) fn only_attached(self, n: usize, topic: &str) -> String {
        match (self.en(), n) {
            (true, 1) => {
                format!("1 more article in {topic} is only in the attached {ARTICLES_CSV}.")
            }
            (true, n) => {
                format!("{n} more articles in {topic} are only in the attached {ARTICLES_CSV}.")
            }
            (false, n) => format!("{topic} 另有 {n} 篇文章仅列于附件 {ARTICLES_CSV}。"),
        }
    }

    /// Heading of the Revised section and of `revisions.txt`.
    pub(super) fn revised_heading(self) -> &'static str {
        if self.en() {
            "Revised"
        } else {
            "修订"
        }
    }

    /// `r1 → r2, substantive edit · seen 2 Sep 2024 09:00`.
    pub(super) fn revised_meta(self, from: u32, to: u32, class: ChangeClass, seen: &str) -> String {
        if self.en() {
            format!("r{from} → r{to}, {class} edit · seen {seen}")
        } else {
            let class = match class {
                ChangeClass::Cosmetic => "格式",
                ChangeClass::Minor => "细微",
                ChangeClass::Substantive => "实质",
            };
            format!("第{from}版 → 第{to}版，{class}修改 · {seen} 发现")
        }
    }

    /// After a revised article shown as one line.
    pub(super) fn diff_attached(self) -> String {
        if self.en() {
            format!("diff in the attached {REVISIONS_TXT}")
        } else {
            format!("修改内容见附件 {REVISIONS_TXT}")
        }
    }

    /// At the end of the Revised section when some are only attached.
    pub(super) fn revised_only_attached(self, n: usize) -> String {
        if self.en() {
            format!(
                "{n} more revised {} only in the attached {REVISIONS_TXT}.",
                if n == 1 { "article is" } else { "articles are" }
            )
        } else {
            format!("另有 {n} 篇修订文章仅见附件 {REVISIONS_TXT}。")
        }
    }

    /// The closing line.
    pub(super) fn footer(self, topics: &[String]) -> String {
        match (self.en(), topics.is_empty()) {
            (true, true) => "Sent by reformwatch. Your topics: none.".to_owned(),
            (true, false) => format!(
                "Sent by reformwatch. Your topics: {}.",
                topics.join(self.list_sep())
            ),
            (false, true) => "由 reformwatch 发送。您关注的专题：无。".to_owned(),
            (false, false) => format!(
                "由 reformwatch 发送。您关注的专题：{}。",
                topics.join(self.list_sep())
            ),
        }
    }

    /// The header row of `articles.csv`.
    pub(super) fn csv_header(self, tz_name: &str) -> [String; 7] {
        if self.en() {
            [
                "topic".into(),
                "title".into(),
                "source".into(),
                format!("published ({tz_name})"),
                "url".into(),
                "score".into(),
                "matched terms".into(),
            ]
        } else {
            [
                "专题".into(),
                "标题".into(),
                "来源".into(),
                format!("发布时间（{tz_name}）"),
                "链接".into(),
                "得分".into(),
                "命中词".into(),
            ]
        }
    }
}

/// `word` or `words`.
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}
