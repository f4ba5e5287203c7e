//! Pure: the one-line furniture around a Chinese news article. Owns the
//! labelled lines (`来源：`, `作者：`, `记者 …`, `责任编辑：`, `发布时间：`),
//! the date shapes pages print (`2024年09月02日 08:15`, `2024-09-02 08:15:32`),
//! and which lines are boilerplate (`打印本页`, `关闭窗口`, `【字体：大 中 小】`,
//! share bars, `浏览次数：123`, `相关阅读`, 上一篇/下一篇, copyright lines).

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use regex::Regex;

use crate::document::dates;

/// A date line no longer than this is just a date.
const MAX_ALONE_DATE_CHARS: usize = 24;

/// Lines longer than this are article text, never furniture.
const MAX_FURNITURE_CHARS: usize = 80;

/// A date as pages print it, with an optional time: `2024-09-02 08:15:32`,
/// `2024年09月02日 08:15`, `2024/9/2`, and Xinhua's `2024 09/09 17:46:21`.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?P<y>(?:19|20)\d{2})\s*(?:[-/.年]\s*|\s+)(?P<mo>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?:\s*日)?",
        r"(?:\s*(?P<h>\d{1,2})\s*[:：时]\s*(?P<mi>\d{2})(?:\s*[:：分]\s*(?P<s>\d{2}))?)?"
    ))
    .expect("static regex")
});

/// A label and its colon; the value runs to the next label.
static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(来源|稿源|出处|作者|撰稿|责任编辑|责编|编辑|审核|校对|浏览次数|浏览量|阅读量|阅读数|阅读|点击数|点击量|点击|访问量|发布时间|发布日期|发稿时间|更新时间|时间|日期|字体|字号)\s*[：:]",
    )
    .expect("static regex")
});

/// `记者 张三 李四` (the names after the word, separated by blanks or 、).
static REPORTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:本报|本台|本网)?(记者|通讯员)[：:\s]*\p{Han}{2,4}(?:(?:\s|、)+(?:(?:记者|通讯员)\s*)?\p{Han}{2,4})*")
        .expect("static regex")
});

/// Lines that are page furniture wherever they appear.
static BOILERPLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"打印本页|关闭窗口|打印文章|【?\s*字体\s*[：:]|【?\s*字号\s*[：:]|分享到|分享让更多人看到|",
        r"浏览次数|浏览量\s*[：:]|阅读量\s*[：:]|阅读数\s*[：:]|阅读\s*[：:]\s*\d|点击[数量率]?\s*[：:]|",
        r"^【?\s*上一篇|^【?\s*下一篇|^上一页$|^下一页$|责任编辑\s*[：:]|^[（(【\[]?\s*责编\s*[：:]|^编辑\s*[：:]|",
        r"^审核\s*[：:]|^校对\s*[：:]|我要纠错|^相关(阅读|新闻|稿件|链接|报道|文章)|^推荐阅读|^延伸阅读|",
        r"版权所有|ICP备|^当前位置|您现在的位置|^您?所在的?位置\s*[：:]|^首页\s*[>＞]|^Copyright|^©|",
        r"^(免责)?声明\s*[：:]|",
        r"^《\s*\S+\s*》\s*[（(].*版\s*[）)]$|",
        r"^[（(【\[]\s*完\s*[）)】\]]$|",
        r"(摄|供图|摄影)\s*[）)]?$|^(图为|上图|下图|资料图)"
    ))
    .expect("static regex")
});

/// Headings that end the article: whatever follows is a related-links block.
static END_OF_ARTICLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(相关(阅读|新闻|稿件|链接|报道|文章)|推荐阅读|延伸阅读|热点排行|热门推荐)\s*[：:]?$",
    )
    .expect("static regex")
});

/// What a furniture line says.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct LineMeta {
    /// `来源：` value.
    pub outlet: Option<String>,
    /// `作者：` value, or the `记者 …` phrase.
    pub byline: Option<String>,
    /// A date under a 发布时间/日期 label.
    pub labelled_date: Option<String>,
    /// The first date anywhere on the line.
    pub date: Option<String>,
    /// The line had a label (so it is furniture, not body).
    pub labelled: bool,
    /// The line is little more than its date (`2019-09-08 11:42:03`).
    pub alone: bool,
}

/// Reads the labels of one short line; long lines are never furniture.
pub(crate) fn read_line(line: &str) -> LineMeta {
    let mut meta = LineMeta::default();
    if line.chars().count() > MAX_FURNITURE_CHARS {
        return meta;
    }
    meta.date = find_date(line);
    let labels: Vec<_> = LABEL.captures_iter(line).collect();
    meta.labelled = !labels.is_empty();
    meta.alone =
        !meta.labelled && meta.date.is_some() && line.chars().count() <= MAX_ALONE_DATE_CHARS;
    for (i, cap) in labels.iter().enumerate() {
        let whole = cap.get(0).expect("match");
        let end = labels
            .get(i + 1)
            .map_or(line.len(), |next| next.get(0).expect("match").start());
        let value = trim_value(&line[whole.end()..end]);
        match &cap[1] {
            "来源" | "稿源" | "出处" => {
                // `来源：北京日报 记者 孙杰`: the outlet is one word.
                let outlet = value.split(' ').next().unwrap_or("");
                if !outlet.is_empty() && meta.outlet.is_none() {
                    meta.outlet = Some(outlet.to_string());
                }
            }
            "作者" | "撰稿" if !value.is_empty() && meta.byline.is_none() => {
                meta.byline = Some(value.to_string());
            }
            "发布时间" | "发布日期" | "发稿时间" | "时间" | "日期"
                if meta.labelled_date.is_none() =>
            {
                meta.labelled_date = find_date(value);
            }
            _ => {}
        }
    }
    if meta.byline.is_none() && (meta.labelled || meta.date.is_some() || is_reporter_line(line)) {
        meta.byline = REPORTER.find(line).map(|m| {
            let mut s = m.as_str();
            // `记者 孙杰 阅读量：…`: a word followed by a colon is the next label.
            if line[m.end()..].starts_with(['：', ':']) {
                s = s.trim_end_matches(|c: char| !c.is_whitespace() && c != '、');
            }
            let s = s.trim_end_matches(|c: char| c.is_whitespace() || c == '、');
            s.strip_prefix("本报")
                .or_else(|| s.strip_prefix("本台"))
                .or_else(|| s.strip_prefix("本网"))
                .unwrap_or(s)
                .to_string()
        });
    }
    meta
}

/// `本报记者 张三` standing alone on a short line.
pub(crate) fn is_reporter_line(line: &str) -> bool {
    let l = line.trim_start_matches(['（', '(', '【']);
    (l.starts_with("记者") || l.starts_with("本报记者") || l.starts_with("通讯员"))
        && line.chars().count() <= 40
}

/// Trims blanks, separators and brackets around a label's value.
fn trim_value(v: &str) -> &str {
    v.trim_matches(|c: char| {
        c.is_whitespace() || "|｜【】[]()（）/\\·:：,，;；".contains(c) || c == '\u{3000}'
    })
}

/// A short line that is page furniture (print/close links, counters, share
/// bars, editor credits, related-links headings, copyright).
pub(crate) fn is_boilerplate(line: &str) -> bool {
    line.chars().count() <= MAX_FURNITURE_CHARS && BOILERPLATE.is_match(line)
}

/// A line of short keywords between bars (`20190926|国贸|增长率|全球经济`):
/// the page's tags, not prose.
pub(crate) fn is_tag_list(line: &str) -> bool {
    let parts: Vec<&str> = line.split(['|', '｜']).map(str::trim).collect();
    parts.len() >= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().count() <= 10)
}

/// A heading after which nothing is article body (相关阅读, 推荐阅读 …).
pub(crate) fn ends_article(line: &str) -> bool {
    END_OF_ARTICLE.is_match(line)
}

/// Whether a short line looks like the date/source line under a headline.
pub(crate) fn is_furniture(line: &str) -> bool {
    let m = read_line(line);
    m.labelled || (m.date.is_some() && line.chars().count() <= 40 && !ends_sentence(line))
}

/// Whether `line` ends like a sentence (。！？ or their ASCII forms).
pub(crate) fn ends_sentence(line: &str) -> bool {
    line.trim_end_matches(['”', '’', '"', '」', '）', ')'])
        .ends_with(['。', '！', '？', '!', '?', '…', '；'])
}

/// Parses the first date on `s` in `tz` (zone-less dates are local time there).
pub(crate) fn parse_first_date(s: &str, tz: Tz) -> Option<DateTime<Utc>> {
    dates::parse_date(&find_date(s)?, tz)
}

/// The first date on `s` in the canonical `YYYY-MM-DD[ HH:MM[:SS]]` form.
pub(crate) fn find_date(s: &str) -> Option<String> {
    let c = DATE.captures(s)?;
    let mut out = format!("{}-{}-{}", &c["y"], &c["mo"], &c["d"]);
    if let (Some(h), Some(mi)) = (c.name("h"), c.name("mi")) {
        out.push_str(&format!(" {}:{}", h.as_str(), mi.as_str()));
        if let Some(sec) = c.name("s") {
            out.push_str(&format!(":{}", sec.as_str()));
        }
    }
    Some(out)
}

/// Strips a leading label (`来源：`, `作者：`) from a field a selector found.
pub(crate) fn strip_label(s: &str) -> String {
    let s = s.trim();
    match LABEL.find(s) {
        Some(m) if m.start() == 0 => trim_value(&s[m.end()..]).to_string(),
        _ => trim_value(s).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_split_at_the_next_label() {
        let m = read_line("2024年09月15日 19:20 来源：县融媒体中心 作者：记者 周婷 阅读：3562");
        assert_eq!(m.outlet.as_deref(), Some("县融媒体中心"));
        assert_eq!(m.byline.as_deref(), Some("记者 周婷"));
        assert_eq!(m.date.as_deref(), Some("2024-09-15 19:20"));
    }

    #[test]
    fn reporter_after_outlet_is_byline() {
        let m = read_line("2024-09-16 21:40 来源：北京日报 记者 孙杰 阅读量：12万+");
        assert_eq!(m.outlet.as_deref(), Some("北京日报"));
        assert_eq!(m.byline.as_deref(), Some("记者 孙杰"));
    }

    #[test]
    fn publish_label_wins_over_other_dates() {
        let m = read_line("发布时间：2024-09-12 17:05 来源：中国政府网 【字体：大 中 小】");
        assert_eq!(m.labelled_date.as_deref(), Some("2024-09-12 17:05"));
        assert_eq!(m.outlet.as_deref(), Some("中国政府网"));
    }

    #[test]
    fn dates_in_the_shapes_pages_print() {
        for (line, want) in [
            ("2024年09月02日 08:15", "2024-09-02 08:15"),
            ("2024年09月02日08:15 | 来源：人民网", "2024-09-02 08:15"),
            ("【发布时间：2024-08-28 16:05】", "2024-08-28 16:05"),
            ("2024 09/09 17:46:21", "2024-09-09 17:46:21"),
            ("2024/9/2", "2024-9-2"),
        ] {
            assert_eq!(find_date(line).as_deref(), Some(want), "{line}");
        }
    }

    #[test]
    fn furniture_lines_are_boilerplate_and_body_is_not() {
        for line in [
            "打印本页 关闭窗口",
            "【字体：大 中 小】",
            "浏览次数：1826",
            "责任编辑：沈晨",
            "(责编：杨虹、牛镛)",
            "上一篇：南湖区启动秋季消防安全检查",
            "相关阅读",
            "《 人民日报 》（ 2024年09月02日 01 版）",
            "（完）",
            "9月9日，国家医保局召开新闻发布会。新华社记者 李贺 摄",
        ] {
            assert!(is_boilerplate(line), "{line}");
        }
        assert!(!is_boilerplate(
            "市委全会提出要不断优化增值服务，坚持以企业需求为第一需求。"
        ));
    }
}
