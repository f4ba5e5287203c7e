//! Listing and article pages of an html source, made in the test: a
//! municipal news site laid out the way Chinese government portals are (a
//! GBK page declaring its charset only in `<meta>`, a header with
//! navigation, `<h1>`, a 来源/时间 line, the body in `<p>`s, a footer with
//! 打印本页/关闭窗口), and the config lines of an html source.

use std::fmt::Write as _;

use super::http::{Content, HttpServer, Route};
use super::{toml_str, Workspace};

/// One article page of the test site.
#[derive(Debug, Clone)]
pub struct ArticlePage {
    /// Path on the server, e.g. `/news/2024-09/02/content_1001.htm`.
    pub path: String,
    /// The headline (主题).
    pub title: String,
    /// The first paragraph (导语), what a digest shows as the lead.
    pub lead: String,
    /// Further paragraphs.
    pub body: Vec<String>,
    /// `YYYY-MM-DD` shown on the listing and the page.
    pub date: String,
    /// Whether the page is about reform (matches the `reform` topic).
    pub reform: bool,
    /// A "下一页" link (relative), for multi-page articles.
    pub next: Option<String>,
}

/// Ten articles of 嘉兴 city news: six about reform, four not (weather,
/// sport, culture, traffic), none of the four mentioning 改革 anywhere.
pub fn ten_articles() -> Vec<ArticlePage> {
    let specs: [(&str, &str, bool); 10] = [
        (
            "嘉兴各界认真学习贯彻市委九届五次全会精神",
            "市委九届五次全会召开后，全市各地各部门迅速行动，以全面深化改革为主线，掀起学习贯彻热潮。",
            true,
        ),
        (
            "市科技局推进科技体制改革 激发创新活力",
            "市科技局聚焦科技体制改革，出台十条举措，支持企业建设研发机构，推动创新链产业链深度融合。",
            true,
        ),
        (
            "南湖区深化“最多跑一次”改革 企业开办一日办结",
            "南湖区持续深化“最多跑一次”改革，企业开办实现一日办结，全年为市场主体节约时间成本过万小时。",
            true,
        ),
        (
            "秀洲区农村集体产权制度改革取得新进展",
            "秀洲区稳步推进农村集体产权制度改革，全区村级集体经济经营性收入同比增长百分之十二。",
            true,
        ),
        (
            "海宁市医疗卫生体制改革惠及百姓",
            "海宁市以县域医共体建设为抓手，深化医疗卫生体制改革，群众在家门口就能看上好医生。",
            true,
        ),
        (
            "桐乡市推进教育综合改革 优质资源共享",
            "桐乡市推进教育综合改革，组建十二个城乡教育共同体，让乡村孩子共享优质教育资源。",
            true,
        ),
        (
            "台风“贝碧嘉”影响我市 气象部门提醒做好防范",
            "受今年第13号台风“贝碧嘉”影响，预计本周末我市有大到暴雨，请市民朋友减少外出。",
            false,
        ),
        (
            "嘉兴马拉松报名开启 两万名跑者将齐聚南湖",
            "2024嘉兴马拉松于今日开放报名，赛事设全程、半程和健康跑三个项目，共计两万个名额。",
            false,
        ),
        (
            "南湖畔举办中秋诗会 市民共赏明月",
            "中秋佳节将至，南湖畔举办中秋诗会，百余名市民和诗歌爱好者齐聚一堂，共赏明月、同吟诗篇。",
            false,
        ),
        (
            "中环南路部分路段9月起封闭施工",
            "因道路提升工程需要，中环南路部分路段自9月5日起封闭施工，请过往车辆提前绕行。",
            false,
        ),
    ];
    specs
        .iter()
        .enumerate()
        .map(|(i, (title, lead, reform))| {
            let n = 1001 + i;
            let day = 2 + i % 5;
            let more = if *reform {
                vec![
                    format!("据了解，这是我市今年推出的第{}批改革举措，相关部门将加强督查落实。", i + 1),
                    "下一步，我市将坚持问题导向，持续推进重点领域和关键环节改革，为高质量发展注入强劲动力。".to_owned(),
                ]
            } else {
                vec![
                    format!("相关部门表示，将做好各项保障工作，确保第{}项安排顺利进行。", i + 1),
                    "市民如有疑问，可拨打12345市民服务热线咨询，工作人员将及时答复。".to_owned(),
                ]
            };
            ArticlePage {
                path: format!("/news/2024-09/0{day}/content_{n}.htm"),
                title: (*title).to_owned(),
                lead: (*lead).to_owned(),
                body: more,
                date: format!("2024-09-0{day}"),
                reform: *reform,
                next: None,
            }
        })
        .collect()
}

/// The article page's HTML (to be served GBK-encoded).
pub fn article_html(a: &ArticlePage) -> String {
    let mut body = String::new();
    for p in std::iter::once(&a.lead).chain(&a.body) {
        let _ = writeln!(body, "<p>{p}</p>");
    }
    if let Some(next) = &a.next {
        let _ = writeln!(
            body,
            r#"<div class="pages"><a href="{next}">下一页</a></div>"#
        );
    }
    // The charset is declared after more than 1 KB of head, as on many
    // portals, so only a full 8 KB prescan finds it.
    let padding = "<!-- 统计代码 -->\n".repeat(80);
    format!(
        r#"<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html><head>
{padding}<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{title}_嘉兴新闻_嘉兴市人民政府</title>
</head><body>
<div class="header"><a href="/">首页</a> | <a href="/news/index.html">嘉兴要闻</a></div>
<div class="article">
<h1>{title}</h1>
<div class="info">来源：嘉兴日报　发布时间：{date} 08:15</div>
<div class="content">
{body}</div>
</div>
<div class="footer">【打印本页】【关闭窗口】 主办：嘉兴市人民政府办公室</div>
</body></html>
"#,
        title = a.title,
        date = a.date,
    )
}

/// A listing page linking `articles` (relative links), with `list_class`
/// on the `<ul>` so a test can change the layout.
pub fn listing_html(articles: &[ArticlePage], list_class: &str) -> String {
    let mut items = String::new();
    for a in articles {
        // Relative to /news/index.html, as portals write them.
        let href = a.path.trim_start_matches("/news/");
        let _ = writeln!(
            items,
            r#"<li><a href="{href}" target="_blank">{}</a><span class="date">[{}]</span></li>"#,
            a.title, a.date
        );
    }
    format!(
        r#"<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>嘉兴要闻</title></head>
<body>
<div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a></div>
<ul class="{list_class}">
{items}</ul>
<div class="page"><a href="index_2.html">下一页</a></div>
</body></html>
"#
    )
}

/// `text` encoded as GBK (what the pages declare).
pub fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable, "test page text must be GBK-encodable");
    bytes.into_owned()
}

/// Serves every article page (GBK, `text/html` without a charset).
pub fn serve_articles(http: &HttpServer, articles: &[ArticlePage]) {
    for a in articles {
        let content = Content::new(gbk(&article_html(a)), "text/html");
        http.route(&a.path, Route::content(content));
    }
}

/// Serves a listing (class [`LIST_CLASS`]) that links one reform article,
/// `title` at `path`, dated 2024-09-02; the page itself is the caller's.
pub fn serve_listing_of_one(http: &HttpServer, path: &str, title: &str) {
    let listed = ArticlePage {
        path: path.into(),
        title: title.into(),
        lead: String::new(),
        body: vec![],
        date: "2024-09-02".into(),
        reform: true,
        next: None,
    };
    serve_listing(http, &[listed], LIST_CLASS);
}

/// Serves (or replaces) the listing at `/news/index.html`, with an ETag
/// that changes with the page.
pub fn serve_listing(http: &HttpServer, articles: &[ArticlePage], list_class: &str) {
    let content =
        Content::new(gbk(&listing_html(articles, list_class)), "text/html").etag_from_body();
    http.route(LISTING_PATH, Route::content(content));
}

/// Where the listing is served.
pub const LISTING_PATH: &str = "/news/index.html";

/// The class of the listing's `<ul>` that the configured selector expects.
pub const LIST_CLASS: &str = "news-list";

/// Adds an html source `id` reading the listing of `http` with
/// `ul.news-list li` / `span.date` to the workspace's config.
pub fn add_html_source(ws: &Workspace, http: &HttpServer, id: &str) {
    append_config(
        ws,
        &format!(
            "[[sources]]\nid = {}\nname = \"嘉兴要闻\"\nkind = \"html\"\nurl = {}\n\
             [sources.list]\nitem = \"ul.{LIST_CLASS} li\"\ndate = \"span.date\"\n",
            toml_str(id),
            toml_str(&http.url(LISTING_PATH)),
        ),
    );
}

/// Appends `toml` (e.g. another `[[sources]]` table) to the workspace's
/// generated config.
pub fn append_config(ws: &Workspace, toml: &str) {
    let path = ws.config_path();
    let mut config = std::fs::read_to_string(path).expect("read generated config");
    config.push('\n');
    config.push_str(toml);
    std::fs::write(path, config).expect("write config");
}
