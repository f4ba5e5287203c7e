//! The clusterer on a test set of our own, generated with a fixed seed:
//! wire stories each republished by several outlets with the edits
//! republishers make (paragraphs cut, a local lead added, numbers changed,
//! an outlet's boilerplate appended), among many distinct reports built
//! from the same meeting formulas and the same 习近平 quotation, which a
//! clusterer must not merge. Scored by pairwise precision and recall.

use std::collections::HashMap;

use chrono::{Duration, TimeZone, Utc};

use super::*;

/// A small deterministic generator (SplitMix64), so the set is the same in
/// every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len())]
    }
}

/// Sentences every government report repeats.
const FORMULAS: &[&str] = &[
    "会议强调，要坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大和二十届二中、三中全会精神，深入贯彻落实习近平总书记考察浙江重要讲话精神。",
    "习近平总书记指出，改革开放是决定当代中国命运的关键一招，也是决定实现“两个一百年”奋斗目标、实现中华民族伟大复兴的关键一招。",
    "会议要求，各级各部门要切实增强“四个意识”、坚定“四个自信”、做到“两个维护”，把思想和行动统一到党中央决策部署上来。",
    "会议指出，要坚持稳中求进工作总基调，完整、准确、全面贯彻新发展理念，加快构建新发展格局，着力推动高质量发展。",
    "会议号召，全市上下要更加紧密地团结在以习近平同志为核心的党中央周围，奋力谱写中国式现代化新篇章。",
    "会议传达学习了习近平总书记重要讲话精神，研究部署了贯彻落实举措，审议通过了有关文件。",
];

const PLACES: &[&str] = &[
    "杭州市",
    "宁波市",
    "温州市",
    "嘉兴市",
    "湖州市",
    "绍兴市",
    "金华市",
    "衢州市",
    "舟山市",
    "台州市",
    "丽水市",
    "南京市",
    "苏州市",
    "合肥市",
    "福州市",
    "济南市",
    "郑州市",
    "武汉市",
    "长沙市",
    "成都市",
];
const AGENCIES: &[&str] = &[
    "发展改革委",
    "国资委",
    "财政局",
    "市场监管局",
    "科技局",
    "人社局",
    "生态环境局",
    "住建局",
    "农业农村局",
    "商务局",
];
const ACTIONS: &[&str] = &[
    "印发实施方案",
    "召开专题会议",
    "出台若干措施",
    "启动试点工作",
    "发布年度报告",
    "开展专项行动",
];
const TOPICS: &[&str] = &[
    "国有企业改革",
    "营商环境优化",
    "科技体制改革",
    "农村集体产权制度改革",
    "医药卫生体制改革",
    "要素市场化配置改革",
    "财政预算管理改革",
    "数字政府建设",
];
const OBJECTS: &[&str] = &[
    "市场主体",
    "重点项目",
    "高新技术企业",
    "村级集体经济组织",
    "公立医院",
    "政务服务事项",
    "省属企业",
    "产业园区",
];
const RESULTS: &[&str] = &["同比增长", "较上年提高", "累计完成", "新增", "减少", "达到"];
const UNITS: &[&str] = &["个百分点", "家", "亿元", "项", "万人次", "个"];

/// One fact sentence, in one of several shapes.
fn fact(r: &mut Rng) -> String {
    let (p, a, t, o) = (
        r.pick(PLACES),
        r.pick(AGENCIES),
        r.pick(TOPICS),
        r.pick(OBJECTS),
    );
    let (res, u) = (r.pick(RESULTS), r.pick(UNITS));
    let (n, m) = (2 + r.below(30), 3 + r.below(900));
    match r.below(4) {
        0 => format!(
            "{p}{a}{}，围绕{t}提出{n}项具体任务，全市{o}{res}{m}{u}。",
            r.pick(ACTIONS)
        ),
        1 => format!(
            "截至{}月底，{p}{o}{res}{m}{u}，{t}取得阶段性成效，{a}将持续跟踪评估。",
            1 + r.below(12)
        ),
        2 => {
            format!("据{a}负责人介绍，{p}今年以来聚焦{t}，推动{o}{res}{m}{u}，惠及群众{n}万余人。")
        }
        _ => format!(
            "下一步，{p}将深化{t}，力争到{}年{o}{res}{m}{u}，形成一批可复制可推广的经验。",
            2025 + r.below(6)
        ),
    }
}

/// A distinct report: `facts` fact sentences in paragraphs of two, with
/// `formulas` stock sentences among them.
fn report(r: &mut Rng, facts: usize, formulas: usize) -> Vec<String> {
    let mut paras: Vec<String> = Vec::new();
    for i in 0..facts {
        let s = fact(r);
        if i % 2 == 0 {
            paras.push(s);
        } else {
            paras.last_mut().unwrap().push_str(&s);
        }
    }
    let start = r.below(FORMULAS.len());
    for k in 0..formulas {
        let at = r.below(paras.len() + 1);
        paras.insert(at, FORMULAS[(start + k) % FORMULAS.len()].to_owned());
    }
    paras
}

/// A republisher's copy: one or more edits to the paragraphs.
fn republish(r: &mut Rng, paras: &[String], outlet: &str) -> Vec<String> {
    let mut out = paras.to_vec();
    let edits = 1 + r.below(3);
    for _ in 0..edits {
        match r.below(4) {
            // Cut one or two paragraphs (never the first).
            0 if out.len() > 3 => {
                for _ in 0..1 + r.below(2) {
                    if out.len() > 3 {
                        let i = 1 + r.below(out.len() - 1);
                        out.remove(i);
                    }
                }
            }
            // A local lead.
            1 => out.insert(
                0,
                format!(
                    "本报讯（记者 {}）近日，记者从{}获悉，{}",
                    r.pick(&["李明", "王芳", "陈刚", "赵磊"]),
                    r.pick(AGENCIES),
                    fact(r)
                ),
            ),
            // A number changed.
            2 => {
                let i = r.below(out.len());
                let p = &out[i];
                if let Some((at, d)) = p.char_indices().find(|(_, c)| c.is_ascii_digit()) {
                    let nd = char::from(b'0' + ((d as u8 - b'0' + 1) % 10));
                    let mut s = p.clone();
                    s.replace_range(at..at + 1, &nd.to_string());
                    out[i] = s;
                }
            }
            // The outlet's own boilerplate.
            _ => out.push(format!(
                "（来源：{outlet}）责任编辑：{}",
                r.pick(&["张三", "李四", "王五"])
            )),
        }
    }
    out
}

/// An article of the set: its story (`None`: a distinct report) and body.
struct Item {
    story: Option<usize>,
    member: Member,
    fingerprint: Fingerprint,
}

fn test_set(seed: u64) -> Vec<Item> {
    let mut r = Rng(seed);
    let t0 = Utc.with_ymd_and_hms(2024, 9, 2, 0, 0, 0).unwrap();
    let outlets = [
        "浙江日报",
        "嘉兴日报",
        "湖州日报",
        "绍兴日报",
        "宁波日报",
        "温州日报",
        "金华日报",
        "台州日报",
    ];
    let mut items = Vec::new();
    let mut id = 0;
    let mut add = |story, source: String, at, original, paras: &[String]| {
        id += 1;
        items.push(Item {
            story,
            member: Member {
                id,
                source_id: source,
                at,
                original,
            },
            fingerprint: Fingerprint::of_text(&paras.join("\n")),
        });
    };
    for story in 0..40 {
        let at = t0 + Duration::hours(r.below(24 * 14) as i64);
        let (facts, formulas) = (6 + r.below(6), 1 + r.below(2));
        let body = report(&mut r, facts, formulas);
        add(Some(story), "xinhua".into(), at, true, &body);
        for (k, outlet) in outlets.iter().enumerate().take(3 + r.below(5)) {
            let copy = republish(&mut r, &body, outlet);
            let later = at + Duration::minutes(10 + r.below(600) as i64);
            add(Some(story), format!("outlet-{k}"), later, false, &copy);
        }
    }
    // Distinct reports heavy with formulas, from every outlet, at the same
    // times as the stories.
    for n in 0..300 {
        let at = t0 + Duration::hours(r.below(24 * 14) as i64);
        let (facts, formulas) = (2 + r.below(4), 2 + r.below(3));
        let body = report(&mut r, facts, formulas);
        add(None, format!("outlet-{}", n % 9), at, false, &body);
    }
    // Arrive in time order, as polls see them.
    items.sort_by_key(|i| (i.member.at, i.member.id));
    items
}

/// (precision, recall, true pairs) of the clusters over all pairs.
fn pairwise(items: &[Item], clusters: &HashMap<i64, i64>) -> (f64, f64, usize) {
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    for (i, a) in items.iter().enumerate() {
        for b in &items[i + 1..] {
            let truth = a.story.is_some() && a.story == b.story;
            let said = clusters[&a.member.id] == clusters[&b.member.id];
            match (truth, said) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fn_ += 1,
                _ => {}
            }
        }
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    (precision, recall, tp + fn_)
}

fn cluster_all(items: &[Item]) -> ClusterIndex {
    let mut index = ClusterIndex::default();
    for item in items {
        index.insert(item.member.clone(), item.fingerprint.clone());
    }
    index
}

/// Seed 14 is the set the thresholds were tuned on (15 set
/// [`COMMON_CLUSTERS`]); 17 is a set they never saw.
#[test]
fn wire_copies_cluster_and_formula_reports_do_not() {
    for seed in [14, 17] {
        let items = test_set(seed);
        let index = cluster_all(&items);
        let (precision, recall, pairs) = pairwise(&items, &index.clusters());
        eprintln!(
            "seed {seed}: {} articles, {pairs} same-story pairs: precision {precision:.4}, recall {recall:.4}",
            items.len()
        );
        assert!(precision >= 0.98, "seed {seed}: precision {precision:.4}");
        assert!(recall >= 0.95, "seed {seed}: recall {recall:.4}");
    }
}

#[test]
fn the_original_is_the_earliest_then_the_wire() {
    let t = Utc.with_ymd_and_hms(2024, 9, 2, 8, 0, 0).unwrap();
    let m = |id, at, original| Member {
        id,
        source_id: format!("s{id}"),
        at,
        original,
    };
    let (a, b, c) = (
        m(1, t, false),
        m(2, t, true),
        m(3, t - Duration::hours(1), false),
    );
    assert_eq!(original(&[&a, &b]).unwrap().id, 2);
    assert_eq!(original(&[&a, &b, &c]).unwrap().id, 3);
    assert_eq!(original(&[&a]).unwrap().id, 1);
}

#[test]
fn same_source_and_far_apart_copies_stay_apart() {
    let body = report(&mut Rng(1), 8, 1).join("\n");
    let t = Utc.with_ymd_and_hms(2024, 9, 2, 8, 0, 0).unwrap();
    let m = |id, source: &str, at| Member {
        id,
        source_id: source.into(),
        at,
        original: false,
    };
    let fp = Fingerprint::of_text(&body);
    let mut index = ClusterIndex::default();
    assert_eq!(index.insert(m(1, "a", t), fp.clone()).matched, None);
    assert_eq!(index.insert(m(2, "a", t), fp.clone()).matched, None);
    let late = t + Duration::days(WINDOW_DAYS + 1);
    assert_eq!(index.insert(m(3, "b", late), fp.clone()).matched, None);
    let placed = index.insert(m(4, "b", t + Duration::hours(3)), fp);
    assert_eq!(placed.cluster, 1);
    assert_eq!(placed.matched.map(|(id, _)| id), Some(1));
}

#[test]
fn punctuation_and_width_do_not_separate_copies() {
    let a = Fingerprint::of_text("国务院印发《关于深化国有企业改革的指导意见》，共8部分30条。");
    let b = Fingerprint::of_text("国务院印发“关于深化国有企业改革的指导意见”, 共８部分３０条");
    assert_eq!(jaccard(&a.shingles, &b.shingles), 1.0);
}

#[test]
fn short_bodies_are_not_clustered() {
    let t = Utc.with_ymd_and_hms(2024, 9, 2, 8, 0, 0).unwrap();
    let summary = "这是第1个来源的第3条新闻摘要，报道地方经济社会发展情况。";
    let mut index = ClusterIndex::default();
    for (id, source) in [(1, "a"), (2, "b")] {
        let member = Member {
            id,
            source_id: source.into(),
            at: t,
            original: false,
        };
        let placed = index.insert(member, Fingerprint::of_text(summary));
        assert_eq!(placed.cluster, id);
    }
}

#[test]
fn a_copy_diff_names_cut_paragraphs_and_changed_numbers() {
    let original = Article {
        title: "省属企业改革三年行动收官".into(),
        outlet: Some("新华社".into()),
        sections: vec![crate::model::Section {
            heading: None,
            paragraphs: vec![
                "省属企业改革三年行动各项任务全面完成，完成率达到98%。".into(),
                "全省省属企业全部完成公司制改制，董事会应建尽建。".into(),
                "下一步将持续推动国有资本向关键领域集中。".into(),
            ],
        }],
        ..Article::default()
    };
    let mut copy = original.clone();
    copy.outlet = Some("嘉兴日报".into());
    copy.sections[0].paragraphs.remove(1);
    copy.sections[0].paragraphs[0] = "省属企业改革三年行动各项任务全面完成，完成率达到99%。".into();
    let diff = copy_diff(&original, &copy);
    let text = diff.to_text();
    assert!(
        !text.contains("嘉兴日报"),
        "the outlet is no change: {text}"
    );
    assert!(text.contains("98") && text.contains("99"), "{text}");
    assert!(text.contains("董事会应建尽建"), "{text}");
    assert_eq!(diff.class(), Some(crate::model::ChangeClass::Substantive));
}

/// A story copied by fifty outlets is one cluster, and only its first
/// [`REPRESENTATIVES`] copies are indexed for lookup: what later copies
/// are compared with, and what the store keeps keys for, stays bounded.
#[test]
fn a_flood_of_copies_is_one_cluster_found_through_a_few() {
    let body = report(&mut Rng(7), 8, 1).join("\n");
    let t = Utc.with_ymd_and_hms(2024, 9, 2, 8, 0, 0).unwrap();
    let mut index = ClusterIndex::default();
    let placements: Vec<Placement> = (1..=50)
        .map(|id| {
            let member = Member {
                id,
                source_id: format!("outlet{id}"),
                at: t + Duration::minutes(id),
                original: false,
            };
            index.insert(member, Fingerprint::of_text(&body))
        })
        .collect();
    assert!(placements.iter().all(|p| p.cluster == 1), "{placements:?}");
    let indexed = placements.iter().filter(|p| p.indexed).count();
    assert_eq!(indexed, REPRESENTATIVES);
    assert!(placements[..REPRESENTATIVES].iter().all(|p| p.indexed));
}
