//! Pure: quoted speech in news paragraphs → `Quote { speaker, role, text }`.
//! Owns the attribution patterns of Chinese reporting:
//! - a speech verb after the quote: `“…”市委改革办常务副主任王亮表示`;
//! - a speech verb before it, in the same sentence: `王亮说：“…”`,
//!   `在X看来，…“…”`, `据X介绍，…“…”`;
//! - a post-plus-name subject and its comment before a comma or colon:
//!   `负责人陆丽燕深有体会，“…”`, `局长伍建军：“…”`;
//! - manner words between name and verb (`对记者`, `……地说`);
//! - a second quote in the same paragraph continuing the last speaker;
//!
//! and of English reporting: `"…," said X`, `"…," X said`, `X said: "…"`.
//!
//! A Chinese speaker is a 2–3 character name (4 with a compound surname);
//! the role is the post printed before it (after it, in English). Quoted
//! terms (`“四梁八柱”`) are not speech, and a quote nobody is named for is
//! left out: a wrong speaker is worse than none.

use crate::model::Quote;

/// Speech verbs that may follow the quote (`“…”王亮表示`).
const VERBS_AFTER: &[&str] = &[
    "表示",
    "说道",
    "说",
    "认为",
    "指出",
    "介绍",
    "坦言",
    "强调",
    "谈道",
    "告诉记者",
    "感慨道",
    "感慨",
    "补充道",
    "笑着说",
];

/// Verbs that introduce a quote later in the sentence (`吴根军看来，…“…”`).
const VERBS_BEFORE: &[&str] = &[
    "看来",
    "表示",
    "认为",
    "指出",
    "介绍",
    "坦言",
    "强调",
    "说道",
    "说",
    "谈到",
    "谈道",
    "告诉记者",
];

/// Function words between a name and its verb (`王亮也表示`,
/// `王亮对记者说`, `王亮在接受采访时说`).
const FILLERS: &[&str] = &[
    "对记者",
    "向记者",
    "对此",
    "就此",
    "在接受采访时",
    "接受采访时",
    "也",
    "还",
    "则",
    "都",
    "曾",
    "又",
];

/// Longest manner phrase ending in 地 before a verb (`满怀信心地说`).
const MAX_MANNER_CHARS: usize = 6;

/// Longest comment between a post-plus-name subject and the quote it
/// introduces (`局长伍建军深有体会，“…”`).
const MAX_COMMENT_CHARS: usize = 12;

/// Words a role starts with that are not part of the post.
const ROLE_PREFIXES: &[&str] = &["在", "据", "而", "对此", "其中", "对于"];

/// Last characters of posts (局长, 主任, 书记, 负责人, 居民, 大户 …): a name follows.
const POST_ENDINGS: &str = "长员任记席人师生者家民户表授士监管裁理事官工手委";

/// Single-character surnames common enough to anchor a name.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝洪郁练";

/// Two-character surnames.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "尉迟", "公孙", "夏侯", "长孙",
    "宇文", "司徒", "端木", "独孤", "西门", "南宫",
];

/// Longest role kept; longer text before a name is narrative, not a post.
const MAX_ROLE_CHARS: usize = 48;

/// Finds quoted speech with its speaker and role in `paragraphs`.
///
/// A later quote by a speaker named earlier without a role gets the role
/// printed the first time.
pub fn find_quotes(paragraphs: &[String]) -> Vec<Quote> {
    let mut out: Vec<Quote> = Vec::new();
    for para in paragraphs {
        let mut last: Option<(String, Option<String>)> = None;
        for (open, start, end, close) in quote_spans(para) {
            let text = &para[start..end];
            if !is_speech(text) {
                continue;
            }
            let after = &para[close..];
            let before = &para[..open];
            let attribution = attribution_after(after)
                .or_else(|| attribution_before(sentence_before(before)))
                .or_else(|| super::quotes_en::after(after))
                .or_else(|| super::quotes_en::before(sentence_before(before)))
                .or_else(|| last.clone());
            let Some((speaker, role)) = attribution else {
                continue;
            };
            let role = role.or_else(|| {
                out.iter()
                    .find(|q| q.speaker.as_deref() == Some(speaker.as_str()) && q.role.is_some())
                    .and_then(|q| q.role.clone())
            });
            last = Some((speaker.clone(), role.clone()));
            out.push(Quote {
                speaker: Some(speaker),
                role,
                text: text.to_string(),
            });
        }
    }
    out
}

/// Quotes in `para` as byte offsets: the opening mark, the text's start
/// and end, and where the text after the closing mark starts. `“…”` nest; ASCII `"` pair up in
/// order.
fn quote_spans(para: &str) -> Vec<(usize, usize, usize, usize)> {
    let mut spans = Vec::new();
    let mut open: Option<usize> = None;
    let mut depth = 0usize;
    let mut ascii_open: Option<usize> = None;
    for (i, c) in para.char_indices() {
        match c {
            '“' => {
                if depth == 0 {
                    open = Some(i);
                }
                depth += 1;
            }
            '”' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    if let Some(s) = open.take() {
                        spans.push((s, s + '“'.len_utf8(), i, i + c.len_utf8()));
                    }
                }
            }
            '"' if depth == 0 => match ascii_open.take() {
                Some(s) => spans.push((s, s + 1, i, i + 1)),
                None => ascii_open = Some(i),
            },
            _ => {}
        }
    }
    spans
}

/// Speech ends like a sentence (or an English clause: `"…,"`) or is long;
/// `“四梁八柱”` is a quoted term.
fn is_speech(text: &str) -> bool {
    super::meta::ends_sentence(text)
        || (text.ends_with(',') && text.contains(' '))
        || text.chars().count() >= 30
}

/// `市委改革办常务副主任王亮表示，…` right after the closing quote.
fn attribution_after(after: &str) -> Option<(String, Option<String>)> {
    let clause_end = after
        .find([
            '，', ',', '。', '；', ';', '！', '？', '?', '!', '：', ':', '“',
        ])
        .unwrap_or(after.len());
    let clause = &after[..clause_end];
    let verb = VERBS_AFTER.iter().find(|v| clause.ends_with(*v))?;
    name_and_role(&clause[..clause.len() - verb.len()])
}

/// The sentence a quote starts in, up to the quote.
fn sentence_before(before: &str) -> &str {
    let start = before
        .rfind(['。', '！', '？', '”', '；', '?', '!'])
        .map_or(0, |i| {
            i + before[i..].chars().next().map_or(1, char::len_utf8)
        });
    &before[start..]
}

/// `在市科技局党组书记、局长吴根军看来，…` earlier in the quote's sentence,
/// or a post-plus-name subject whose clause ends right before the quote.
fn attribution_before(sentence: &str) -> Option<(String, Option<String>)> {
    for clause in sentence.rsplit(['，', ',', '：', ':']) {
        if let Some(verb) = VERBS_BEFORE.iter().find(|v| clause.ends_with(*v)) {
            if let Some(found) = name_and_role(&clause[..clause.len() - verb.len()]) {
                return Some(found);
            }
        }
    }
    // `负责人陆丽燕深有体会，“…”`: the clause just before the quote opens
    // with a post and a name, followed by a short comment (or nothing).
    let trimmed = sentence.trim_end();
    let end = trimmed.strip_suffix(['，', ',', '：', ':'])?;
    let clause = end.rsplit(['，', ',', '：', ':', '；']).next()?;
    subject_with_post(clause)
}

/// The post-plus-name subject opening `clause` (`…局长伍建军` + a comment
/// of at most [`MAX_COMMENT_CHARS`]): the name must follow a post ending,
/// which is what keeps narrative clauses out.
fn subject_with_post(clause: &str) -> Option<(String, Option<String>)> {
    let chars: Vec<char> = clause.chars().collect();
    for cut in (2..=chars.len()).rev() {
        let comment = chars.len() - cut;
        if comment > MAX_COMMENT_CHARS {
            break;
        }
        if chars[cut..].iter().any(|c| !is_han(*c)) {
            continue;
        }
        let head: String = chars[..cut].iter().collect();
        let Some(n) = choose_name_len(&chars[..cut]) else {
            continue;
        };
        // The name must follow a post: `负责人|陆丽燕`.
        if cut <= n || !POST_ENDINGS.contains(chars[cut - n - 1]) {
            continue;
        }
        let name: String = chars[cut - n..cut].iter().collect();
        let rest: String = head.chars().take(cut - n).collect();
        return Some((name, clean_role(&rest)));
    }
    None
}

/// Splits `市委改革办常务副主任王亮` into the name and the post before it.
fn name_and_role(pre: &str) -> Option<(String, Option<String>)> {
    let mut pre = pre;
    loop {
        if let Some(f) = FILLERS.iter().find(|f| pre.ends_with(*f)) {
            pre = &pre[..pre.len() - f.len()];
        } else if let Some(m) = manner_phrase(pre) {
            pre = &pre[..pre.len() - m];
        } else {
            break;
        }
    }
    // `黄心宇在发布会上表示`: a short 在…上/时/中 phrase between name and verb.
    if let Some(i) = pre.rfind('在') {
        let phrase = &pre[i..];
        if phrase.chars().count() <= 12 && phrase.ends_with(['上', '时', '中', '里']) {
            pre = &pre[..i];
        }
    }
    let chars: Vec<char> = pre.chars().collect();
    let split = choose_name_len(&chars)?;
    let name: String = chars[chars.len() - split..].iter().collect();
    let rest: String = chars[..chars.len() - split].iter().collect();
    Some((name, clean_role(&rest)))
}

/// Byte length of a trailing manner phrase `……地` (`兴奋地`, `满怀信心地`),
/// when a name still stands before it.
fn manner_phrase(pre: &str) -> Option<usize> {
    let stem = pre.strip_suffix('地')?;
    let starts: Vec<usize> = stem.char_indices().map(|(i, _)| i).collect();
    let cuts: Vec<usize> = (1..=MAX_MANNER_CHARS.min(starts.len()))
        .map(|n| starts[starts.len() - n])
        .filter(|&at| stem[at..].chars().all(is_han))
        .collect();
    // A name right after a post (or opening the clause) is the reading:
    // `书记赵春梅|满怀信心地`, not `书记赵春|梅满怀…`; else the shortest.
    let reading = |at: usize, after_post: bool| {
        let before: Vec<char> = stem[..at].chars().collect();
        choose_name_len(&before).is_some_and(|n| {
            !after_post || before.len() == n || POST_ENDINGS.contains(before[before.len() - n - 1])
        })
    };
    cuts.iter()
        .copied()
        .find(|&at| reading(at, true))
        .or_else(|| cuts.iter().copied().find(|&at| reading(at, false)))
        .map(|at| pre.len() - at)
}

/// How many trailing characters of `chars` are the name, if any.
fn choose_name_len(chars: &[char]) -> Option<usize> {
    let fits = |n: usize| -> bool {
        if chars.len() < n || !chars[chars.len() - n..].iter().all(|c| is_han(*c)) {
            return false;
        }
        let name = &chars[chars.len() - n..];
        let compound: String = name.iter().take(2).collect();
        if n == 4 {
            return COMPOUND_SURNAMES.contains(&compound.as_str());
        }
        SURNAMES.contains(name[0]) || (n == 3 && COMPOUND_SURNAMES.contains(&compound.as_str()))
    };
    let after_post = |n: usize| -> bool {
        chars.len() == n
            || chars
                .get(chars.len() - n - 1)
                .is_some_and(|c| POST_ENDINGS.contains(*c))
    };
    // A name right after a post ending (局长|吴根军, 主任|王亮) is the best reading.
    for n in [4, 3, 2] {
        if fits(n) && after_post(n) && chars.len() > n {
            return Some(n);
        }
    }
    [3, 2].into_iter().find(|&n| fits(n))
}

/// The post as printed, without leading punctuation or 在/据.
fn clean_role(rest: &str) -> Option<String> {
    let mut r =
        rest.trim_start_matches(|c: char| "、，,。；;：: ".contains(c) || c.is_whitespace());
    while let Some(p) = ROLE_PREFIXES.iter().find(|p| r.starts_with(*p)) {
        r = &r[p.len()..];
    }
    let r = r.trim();
    (!r.is_empty() && r.chars().count() <= MAX_ROLE_CHARS).then(|| r.to_string())
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(p: &str) -> Vec<(Option<String>, Option<String>)> {
        find_quotes(&[p.to_string()])
            .into_iter()
            .map(|q| (q.speaker, q.role))
            .collect()
    }

    fn pair(s: &str, r: Option<&str>) -> (Option<String>, Option<String>) {
        (Some(s.to_string()), r.map(str::to_string))
    }

    #[test]
    fn speaker_after_the_quote() {
        assert_eq!(
            one("“市委全会通过的《实施意见》，系统构建了全市改革的‘四梁八柱’。”市委改革办常务副主任王亮表示，《实施意见》既扬优势又补短板。“下一步，真正让改革‘任务书’变为实践‘成绩单’。”"),
            vec![
                pair("王亮", Some("市委改革办常务副主任")),
                pair("王亮", Some("市委改革办常务副主任"))
            ]
        );
    }

    #[test]
    fn speaker_introduced_before_the_quote() {
        assert_eq!(
            one("如何交出改革答卷？在市科技局党组书记、局长吴根军看来，要做好文章，“全过程创建企业科研体系，将是工作重点。”"),
            vec![pair("吴根军", Some("市科技局党组书记、局长"))]
        );
        assert_eq!(
            one("凯晟动力技术(嘉兴)有限公司综合管理部负责人陆丽燕对此深有感触，“近年来，政府给予企业极大帮助。”比如依托平台。“相信我们一定能赢得未来。”陆丽燕信心满满地说。"),
            vec![
                pair("陆丽燕", Some("凯晟动力技术(嘉兴)有限公司综合管理部负责人")),
                pair("陆丽燕", Some("凯晟动力技术(嘉兴)有限公司综合管理部负责人"))
            ]
        );
    }

    #[test]
    fn quoted_terms_and_unattributed_speech_are_not_quotes() {
        assert!(one("迅速掀起“争当排头兵、谱写新篇章”热潮。").is_empty());
        assert!(one("“Services trade is where the growth is,” he said.").is_empty());
        assert!(one("大家表示，“要以钉钉子精神抓好改革落实。”").is_empty());
    }

    #[test]
    fn occasion_between_name_and_verb() {
        assert_eq!(
            one("“到2024年底，全国将全面开展按病组付费。”国家医保局医药管理司司长黄心宇在发布会上表示，改革有效。"),
            vec![pair("黄心宇", Some("国家医保局医药管理司司长"))]
        );
    }

    #[test]
    fn kan_lai_ju_jieshao_and_post_plus_name_subjects() {
        assert_eq!(
            one("药价降了多少？在省医疗保障局局长伍建军看来，成效明显，“集采让群众用上了便宜药。”"),
            vec![pair("伍建军", Some("省医疗保障局局长"))]
        );
        assert_eq!(
            one("据市医保局副局长李红介绍，“今年已有三十家医院接入平台。”"),
            vec![pair("李红", Some("市医保局副局长"))]
        );
        assert_eq!(
            one("县人民医院院长周海波深有体会，“改革前后就医体验完全不同。”"),
            vec![pair("周海波", Some("县人民医院院长"))]
        );
        assert_eq!(
            one("市交通运输局局长许文：“新线路下月开通。”"),
            vec![pair("许文", Some("市交通运输局局长"))]
        );
        assert_eq!(
            one("“我们一定能完成任务。”村党支部书记赵春梅满怀信心地说。"),
            vec![pair("赵春梅", Some("村党支部书记"))]
        );
    }

    #[test]
    fn narrative_before_a_quote_names_nobody() {
        // No post before a name: a clause about something, not someone.
        assert!(one("会议强调，“要把改革任务落到实处。”").is_empty());
        assert!(one("记者来到项目现场，“这里去年还是一片荒地。”").is_empty());
    }

    #[test]
    fn english_attributions() {
        assert_eq!(
            one("“Services trade is where the growth is,” said Maria Lopez, a trade consultant from Madrid."),
            vec![pair("Maria Lopez", Some("a trade consultant from Madrid"))]
        );
        assert_eq!(
            one("Officials were cautious. Ana Ruiz said: \"We expect more visitors next year.\""),
            vec![pair("Ana Ruiz", None)]
        );
    }

    #[test]
    fn compound_surname() {
        assert_eq!(
            one("“我们会继续努力。”村党支部书记欧阳明华说。"),
            vec![pair("欧阳明华", Some("村党支部书记"))]
        );
    }
}
