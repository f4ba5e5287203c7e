//! Issue 14, story clusters through the binary: `extract --json` over
//! several pages (GBK, as portals serve them) marks a republished copy
//! (a local lead added, a paragraph cut, a number changed) as `copy_of`
//! the wire original, and leaves a different report that shares the same
//! meeting formula in a cluster of its own.

use crate::support::pages::{article_html, gbk, ArticlePage};
use crate::support::{exit, run_binary, RUN_TIMEOUT};

const FORMULA: &str = "会议强调，要坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大和二十届二中、三中全会精神，完整准确全面贯彻新发展理念。";

fn page(title: &str, paragraphs: &[&str]) -> ArticlePage {
    ArticlePage {
        path: String::new(),
        title: title.into(),
        lead: paragraphs[0].into(),
        body: paragraphs[1..].iter().map(|p| (*p).into()).collect(),
        date: "2024-09-02".into(),
        reform: true,
        next: None,
    }
}

fn wire() -> Vec<&'static str> {
    vec![
        "新华社杭州9月2日电 浙江省近日印发《关于深化省属国有企业改革的实施意见》，提出到2027年省属企业资产证券化率达到75%以上。",
        FORMULA,
        "意见明确，将推动省属企业聚焦主责主业，三年内完成28户企业的战略性重组和专业化整合，压减管理层级至三级以内。",
        "在完善公司治理方面，意见要求省属企业全面落实董事会职权，外部董事占多数的董事会实现应建尽建，经理层任期制和契约化管理全覆盖。",
        "意见还提出，健全以管资本为主的国有资产监管体制，建立覆盖全部省属企业的数字化监管平台，实现对投资、债务、担保的实时监测。",
    ]
}

#[test]
fn a_copy_is_marked_and_a_formula_twin_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let original = wire();
    let mut copy: Vec<&str> =
        vec!["本报讯 记者从省国资委获悉，我市3户市属企业将参照省里做法同步推进改革。"];
    copy.extend(
        original
            .iter()
            .copied()
            .filter(|p| !p.starts_with("在完善公司治理")),
    );
    let changed = copy[1].replace("75%", "80%");
    copy[1] = &changed;
    let other = [
        "嘉兴市委常委会9月2日召开会议，研究部署秋季森林防火和安全生产工作，市委书记主持会议。",
        FORMULA,
        "会议要求，各地各部门要压实属地责任，全面排查林区火源隐患，加强重点时段巡查值守，确保不发生重大森林火灾。",
        "会议还听取了全市防汛防台工作汇报，强调要完善应急预案，加强物资储备和队伍建设，做好随时应对极端天气的准备。",
    ];
    let files = [
        (
            "wire.html",
            page("浙江深化省属国企改革 三年完成28户企业重组", &original),
        ),
        ("copy.html", page("我省出台国企改革实施意见", &copy)),
        ("other.html", page("市委常委会研究部署森林防火工作", &other)),
    ];
    let mut args = vec!["extract".to_string(), "--json".to_string()];
    for (name, p) in &files {
        let path = dir.path().join(name);
        std::fs::write(&path, gbk(&article_html(p))).unwrap();
        args.push(path.display().to_string());
    }
    let run = run_binary(&args, dir.path(), &[], RUN_TIMEOUT);
    run.expect_code(exit::OK);
    let lines: Vec<serde_json::Value> = run
        .stdout()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{}", run.describe());
    let got: Vec<(i64, Option<i64>)> = lines
        .iter()
        .map(|v| (v["cluster"].as_i64().unwrap(), v["copy_of"].as_i64()))
        .collect();
    assert_eq!(
        got,
        [(1, None), (1, Some(1)), (3, None)],
        "{}",
        run.stdout()
    );
}
