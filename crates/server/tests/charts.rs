//! Golden files for the SVG charts: the exact bytes a browser is sent. Set
//! `UPDATE_GOLDEN=1` to rewrite them after an intended change, then look at them.

use std::path::PathBuf;

use wangjian_server::chart::{bar_chart, line_chart, to_string, BarChart, LineChart, Series};

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", path.display()));
    assert_eq!(actual, expected, "{} differs", path.display());
}

#[test]
fn bar_chart_cases_by_state() {
    let c = BarChart {
        title: "案件状态分布".into(),
        bars: vec![
            ("线索登记".into(), 12),
            ("核查".into(), 30),
            ("立案".into(), 7),
            ("调查取证".into(), 19),
            ("结案".into(), 41),
        ],
        width: 480,
        height: 240,
    };
    golden(
        "bar_cases_by_state.svg",
        &to_string(bar_chart(&c, "暂无数据")),
    );
}

#[test]
fn line_chart_leads_per_day() {
    let days: Vec<String> = (1..=14).map(|d| format!("03-{d:02}")).collect();
    let c = LineChart {
        title: "每日线索".into(),
        x_labels: days,
        series: vec![
            Series {
                name: "商标侵权".into(),
                values: vec![5, 8, 6, 12, 15, 9, 4, 3, 11, 14, 18, 16, 10, 7],
            },
            Series {
                name: "违禁品".into(),
                values: vec![1, 0, 2, 3, 1, 0, 0, 2, 4, 1, 3, 2, 1, 0],
            },
        ],
        width: 640,
        height: 260,
    };
    golden(
        "line_leads_per_day.svg",
        &to_string(line_chart(&c, "暂无数据")),
    );
}

#[test]
fn empty_charts_say_so() {
    let c = BarChart {
        title: "t".into(),
        bars: vec![],
        width: 200,
        height: 100,
    };
    golden("bar_empty.svg", &to_string(bar_chart(&c, "No data yet")));
}

#[test]
fn hostile_labels_are_escaped() {
    let c = BarChart {
        title: "<script>alert(1)</script>".into(),
        bars: vec![("\"><img src=x onerror=alert(1)>".into(), 3)],
        width: 200,
        height: 100,
    };
    let svg = to_string(bar_chart(&c, ""));
    assert!(!svg.contains("<script>") && !svg.contains("<img"), "{svg}");
    assert!(svg.contains("&lt;script&gt;") && svg.contains("&quot;&gt;&lt;img"));
}
