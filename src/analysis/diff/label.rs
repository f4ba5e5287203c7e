//! Each change's label, the line above its text: which field, what
//! happened to it, and the quote it carries, in English
//! (`paragraph 5 removed (quote by 王亮)`) or Chinese
//! (`第5段删除（含王亮的引语）`), with times in the reader's zone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{ChangeKind, FieldChange, Location, QuoteContext};
use crate::config::Language;

impl FieldChange {
    /// The English label, e.g. `paragraph 5 removed (quote by 王亮)` or
    /// `published time moved from 2024-08-30 08:00 +08:00 to …`, with times
    /// in `tz`.
    pub fn label(&self, tz: Tz) -> String {
        self.label_in(tz, Language::En)
    }

    /// The label in `lang`, with times in `tz`.
    pub fn label_in(&self, tz: Tz, lang: Language) -> String {
        let mut label = match &self.location {
            Location::Published { from, to } => published(*from, *to, tz, lang),
            location => {
                let field = field(location, lang);
                match lang {
                    Language::En => format!("{field} {}", verb(self.kind, lang)),
                    Language::Zh => format!("{field}{}", verb(self.kind, lang)),
                }
            }
        };
        if let Some(ctx) = &self.context {
            match lang {
                Language::En => label.push_str(&format!(" ({})", quote(ctx, lang))),
                Language::Zh => label.push_str(&format!("（含{}）", quote(ctx, lang))),
            }
        }
        label
    }
}

fn verb(kind: ChangeKind, lang: Language) -> &'static str {
    match (kind, lang) {
        (ChangeKind::Added, Language::En) => "added",
        (ChangeKind::Removed, Language::En) => "removed",
        (ChangeKind::Changed, Language::En) => "changed",
        (ChangeKind::Added, Language::Zh) => "新增",
        (ChangeKind::Removed, Language::Zh) => "删除",
        (ChangeKind::Changed, Language::Zh) => "修改",
    }
}

/// The field's name (every location but the published time).
fn field(location: &Location, lang: Language) -> String {
    let en = lang == Language::En;
    match location {
        Location::Kicker => if en { "kicker" } else { "引题" }.to_owned(),
        Location::Title => if en { "title" } else { "标题" }.to_owned(),
        Location::Subtitle => if en { "subtitle" } else { "副题" }.to_owned(),
        Location::Byline => if en { "byline" } else { "作者" }.to_owned(),
        Location::Outlet => if en { "outlet" } else { "来源" }.to_owned(),
        Location::Lead => if en { "lead" } else { "导语" }.to_owned(),
        Location::Heading(n) if en => format!("section heading {n}"),
        Location::Heading(n) => format!("第{n}个小标题"),
        Location::Paragraph(n) if en => format!("paragraph {n}"),
        Location::Paragraph(n) => format!("第{n}段"),
        Location::Quote { speaker } => quote(
            &QuoteContext {
                speaker: speaker.clone(),
            },
            lang,
        ),
        Location::Published { .. } => if en { "published time" } else { "发布时间" }.to_owned(),
    }
}

fn quote(ctx: &QuoteContext, lang: Language) -> String {
    match (&ctx.speaker, lang) {
        (Some(s), Language::En) => format!("quote by {s}"),
        (None, Language::En) => "unattributed quote".to_owned(),
        (Some(s), Language::Zh) => format!("{s}的引语"),
        (None, Language::Zh) => "未署名引语".to_owned(),
    }
}

fn published(
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    tz: Tz,
    lang: Language,
) -> String {
    let show = |t: DateTime<Utc>| {
        let format = match lang {
            Language::En => "%Y-%m-%d %H:%M %:z",
            Language::Zh => "%Y年%-m月%-d日 %H:%M %:z",
        };
        t.with_timezone(&tz).format(format).to_string()
    };
    match (lang, from, to) {
        (Language::En, Some(f), Some(t)) => {
            format!("published time moved from {} to {}", show(f), show(t))
        }
        (Language::En, None, Some(t)) => format!("published time added: {}", show(t)),
        (Language::En, Some(f), None) => format!("published time removed (was {})", show(f)),
        (Language::En, None, None) => "published time changed".to_owned(),
        (Language::Zh, Some(f), Some(t)) => format!("发布时间由 {} 改为 {}", show(f), show(t)),
        (Language::Zh, None, Some(t)) => format!("新增发布时间：{}", show(t)),
        (Language::Zh, Some(f), None) => format!("删除发布时间（原为 {}）", show(f)),
        (Language::Zh, None, None) => "发布时间修改".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::ChangeClass;

    fn change(location: Location, kind: ChangeKind, context: Option<&str>) -> FieldChange {
        FieldChange {
            location,
            kind,
            class: ChangeClass::Substantive,
            parts: vec![],
            context: context.map(|s| QuoteContext {
                speaker: Some(s.to_owned()),
            }),
        }
    }

    #[test]
    fn labels_in_both_languages() {
        let tz = Tz::Asia__Shanghai;
        let cases = [
            (
                change(Location::Paragraph(5), ChangeKind::Removed, Some("王亮")),
                "paragraph 5 removed (quote by 王亮)",
                "第5段删除（含王亮的引语）",
            ),
            (
                change(Location::Title, ChangeKind::Changed, None),
                "title changed",
                "标题修改",
            ),
            (
                change(Location::Heading(2), ChangeKind::Added, None),
                "section heading 2 added",
                "第2个小标题新增",
            ),
            (
                change(Location::Quote { speaker: None }, ChangeKind::Changed, None),
                "unattributed quote changed",
                "未署名引语修改",
            ),
            (
                change(
                    Location::Published {
                        from: Some(Utc.with_ymd_and_hms(2024, 8, 30, 0, 0, 0).unwrap()),
                        to: Some(Utc.with_ymd_and_hms(2024, 8, 31, 2, 30, 0).unwrap()),
                    },
                    ChangeKind::Changed,
                    None,
                ),
                "published time moved from 2024-08-30 08:00 +08:00 to 2024-08-31 10:30 +08:00",
                "发布时间由 2024年8月30日 08:00 +08:00 改为 2024年8月31日 10:30 +08:00",
            ),
        ];
        for (c, en, zh) in cases {
            assert_eq!(c.label(tz), en);
            assert_eq!(c.label_in(tz, Language::En), en);
            assert_eq!(c.label_in(tz, Language::Zh), zh);
        }
    }
}
