//! `wangjian scan` and `wangjian rules`: bad lines, exit codes, order, stdin, CSV output.

mod common;

use common::wangjian;

const MARKS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/marks.csv");

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).expect("utf-8")
}

const INPUT: &str = concat!(
    r#"{"id":1,"title":"高仿 NIKE 运动鞋","category":"运动鞋","price":100}"#,
    "\n",
    "not json\n",
    r#"{"id":2,"title":"新鲜苹果 红富士","category":"水果"}"#,
    "\n",
    r#"{"id":"3"}"#,
    "\n",
    r#"{"id":4,"title":"电子烟 烟弹"}"#,
    "\n",
);

#[test]
fn bad_lines_are_reported_skipped_and_exit_1() {
    let o = wangjian(&["scan", "--marks", MARKS], INPUT.as_bytes());
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("<stdin>:2: not a valid listing"), "{err}");
    assert!(
        err.contains("<stdin>:4: missing required field `title`"),
        "{err}"
    );
    let ids: Vec<String> = text(&o.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("json")["listing_id"].to_string()
        })
        .collect();
    assert_eq!(ids, vec!["\"1\"", "\"4\""]);
}

#[test]
fn golden_jsonl() {
    let o = wangjian(&["scan", "--marks", MARKS, "-"], INPUT.as_bytes());
    let first = text(&o.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        first,
        r#"{"listing_id":"1","score":100,"level":"high","reasons":[{"code":"counterfeit_term","detail":"假冒暗语「高仿」(规则词「高仿」,强信号;商标法 第五十七条)","field":"title","matched":"高仿","start":0,"end":2,"rule":"cf-001","weight":45},{"code":"mark","detail":"驰名商标「耐克」(权利人 Nike, Inc.)","field":"title","matched":"NIKE","start":3,"end":7,"rule":"mark:耐克","weight":30,"owner":"Nike, Inc."},{"code":"price_anomaly","detail":"标价 ¥100 低于商标「耐克」参考价 ¥699 的 30%","field":"price","matched":"100","start":0,"end":3,"rule":"policy:price.anomaly_ratio","weight":30}]}"#
    );
}

#[test]
fn golden_csv_with_all() {
    let input = concat!(
        r#"{"id":1,"title":"高仿 NIKE 运动鞋","category":"运动鞋"}"#,
        "\n",
        r#"{"id":2,"title":"新鲜苹果","category":"水果"}"#,
        "\n"
    );
    let o = wangjian(
        &["scan", "--marks", MARKS, "--format", "csv", "--all"],
        input.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        text(&o.stdout),
        "listing_id,score,level,code,field,start,end,matched,rule,weight,detail,owner,alternatives\n\
1,75,high,counterfeit_term,title,0,2,高仿,cf-001,45,\"假冒暗语「高仿」(规则词「高仿」,强信号;商标法 第五十七条)\",,\n\
1,75,high,mark,title,3,7,NIKE,mark:耐克,30,\"驰名商标「耐克」(权利人 Nike, Inc.)\",\"Nike, Inc.\",\n\
2,0,none,,,,,,,,,,\n"
    );
}

#[test]
fn order_is_preserved_over_many_batches() {
    let mut input = String::new();
    for i in 0..5000 {
        input.push_str(&format!("{{\"id\":{i},\"title\":\"高仿 包 {i}\"}}\n"));
    }
    let o = wangjian(&["scan"], input.as_bytes());
    assert_eq!(o.status.code(), Some(0));
    let ids: Vec<u64> = text(&o.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("json")["listing_id"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .expect("id")
        })
        .collect();
    assert_eq!(ids, (0..5000).collect::<Vec<u64>>());
}

#[test]
fn csv_input_and_usage_errors() {
    let dir = std::env::temp_dir().join(format!("wangjian-scan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let csv = dir.join("in.csv");
    std::fs::write(
        &csv,
        "id,title,category,shop_name\n7,高仿 NIKE 鞋,鞋,小店\n8,,x,y\n",
    )
    .expect("write");
    let o = wangjian(
        &["scan", "--marks", MARKS, csv.to_str().expect("path")],
        b"",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stdout).contains("\"listing_id\":\"7\""));
    assert!(text(&o.stderr).contains("in.csv:3: missing required field `title`"));
    // Unreadable input or marks: usage error.
    let o = wangjian(&["scan", "/nonexistent/listings.jsonl"], b"");
    assert_eq!(o.status.code(), Some(2));
    let bad = dir.join("marks.csv");
    std::fs::write(
        &bad,
        "mark,aliases,owner,categories,reference_price_cny,authorized_shops\nX,,o,鞋,abc,\n",
    )
    .expect("write");
    let o = wangjian(&["scan", "--marks", bad.to_str().expect("path")], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("marks.csv:2: reference_price_cny"),
        "{}",
        text(&o.stderr)
    );
    let o = wangjian(
        &["rules", "check", "--marks", bad.to_str().expect("path")],
        b"",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stdout).contains("marks.csv:2:"));
}

#[test]
fn compiled_rule_set_round_trip() {
    let dir = std::env::temp_dir().join(format!("wangjian-compiled-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("rules.wjc");
    let o = wangjian(
        &[
            "rules",
            "compile",
            "--marks",
            MARKS,
            "-o",
            file.to_str().expect("path"),
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let a = wangjian(&["scan", "--marks", MARKS], INPUT.as_bytes());
    let b = wangjian(
        &["scan", "--compiled", file.to_str().expect("path")],
        INPUT.as_bytes(),
    );
    assert_eq!(a.stdout, b.stdout);
    // A corrupt file is refused.
    let mut bytes = std::fs::read(&file).expect("read");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&file, bytes).expect("write");
    let c = wangjian(
        &["scan", "--compiled", file.to_str().expect("path")],
        INPUT.as_bytes(),
    );
    assert_eq!(c.status.code(), Some(2));
    assert!(text(&c.stderr).contains("checksum"));
}

/// Simplified characters with a different traditional form, so that one word may be
/// registered in both spellings by different owners.
const SIMPLIFIED_TRADITIONAL: &[(char, char)] = &[
    ('长', '長'),
    ('龙', '龍'),
    ('马', '馬'),
    ('凤', '鳳'),
    ('华', '華'),
    ('东', '東'),
    ('国', '國'),
    ('门', '門'),
    ('风', '風'),
    ('乐', '樂'),
    ('云', '雲'),
    ('宝', '寶'),
    ('鸟', '鳥'),
    ('书', '書'),
    ('车', '車'),
    ('兴', '興'),
    ('万', '萬'),
    ('电', '電'),
    ('红', '紅'),
    ('丽', '麗'),
];

/// Second characters, the same in both scripts.
const PLAIN: &[char] = &[
    '城', '旗', '山', '海', '天', '花', '月', '光', '明', '春', '秋', '星', '石', '泉', '林', '江',
    '河', '湖', '田', '川', '金', '玉', '竹', '松', '梅', '兰', '菊', '桥', '塔', '泰',
];

/// A register in the CNIPA open-data shape with `rows` rows: 600 two-character words,
/// each registered by some 160 owners in different classes, a fifth of the rows in the
/// traditional spelling (by other owners than the simplified rows), one row in a thousand
/// a verbatim repeat of the row before (a warning each) and one in two thousand a void
/// registration (skipped). Returns the text and how many repeats it holds.
fn registry(rows: usize) -> (String, usize) {
    let words: Vec<(String, String)> = SIMPLIFIED_TRADITIONAL
        .iter()
        .flat_map(|&(s, t)| {
            PLAIN
                .iter()
                .map(move |&p| (format!("{s}{p}"), format!("{t}{p}")))
        })
        .collect();
    let mut out =
        String::from("注册号,商标名称,国际分类,申请人名称,商标状态,申请日期,注册日期,专用权期限\n");
    let mut previous = String::new();
    let mut repeats = 0;
    for i in 0..rows {
        if i % 1000 == 999 {
            out.push_str(&previous);
            repeats += 1;
            continue;
        }
        let (simplified, traditional) = &words[i % words.len()];
        let round = i / words.len();
        let word = if round % 5 == 1 {
            traditional
        } else {
            simplified
        };
        // The word's owners: one per round, so every row of a word has its own owner;
        // the first owner of each word holds class 33 (wine), the others spread over 1–28
        // (none of which is wine or grapes).
        let class = if round == 0 { 33 } else { 1 + (i * 7) % 28 };
        let status = if i % 2000 == 1234 {
            "商标无效"
        } else {
            "已注册"
        };
        previous = format!(
            "{},{word},{class},{word}第{round}号有限公司,{status},2009-01-01,2010-06-01,2020-06-01 至 2030-05-31\n",
            10_000_000 + i
        );
        out.push_str(&previous);
    }
    (out, repeats)
}

#[test]
fn a_register_of_100_000_rows_with_repeated_words_loads() {
    let dir = std::env::temp_dir().join(format!("wangjian-registry-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("register.csv");
    let (register, repeats) = registry(100_000);
    assert_eq!(register.lines().count(), 100_001);
    assert_eq!(repeats, 100);
    std::fs::write(&file, register).expect("write");
    let input = concat!(
        r#"{"id":"a","title":"长城 干红葡萄酒 高仿 礼盒","category":"酒水","price":30}"#,
        "\n",
        r#"{"id":"b","title":"長城 干红葡萄酒 礼盒","category":"酒水","price":80}"#,
        "\n",
        r#"{"id":"c","title":"新鲜苹果 红富士","category":"水果"}"#,
        "\n",
    );
    let o = wangjian(
        &[
            "scan",
            "--marks",
            file.to_str().expect("path"),
            "--as-of",
            "2026-01-01",
        ],
        input.as_bytes(),
    );
    let err = text(&o.stderr);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("invalid rules"), "{err}");
    assert!(!err.contains("the same as mark"), "{err}");
    // Each warning once: no line of stderr repeats, the repeated rows are 20 lines and a
    // count of the rest, and the void registrations are counted once.
    let lines: Vec<&str> = err.lines().collect();
    let mut seen = std::collections::HashSet::new();
    for l in &lines {
        assert!(seen.insert(*l), "printed twice: {l}\n{err}");
    }
    let merged: Vec<&&str> = lines
        .iter()
        .filter(|l| l.contains(": merged into one entry"))
        .collect();
    assert_eq!(merged.len(), 20, "{err}");
    assert!(merged.iter().all(|l| l.contains("repeats line")), "{err}");
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.ends_with(&format!(
                "… and {} more repeated mark rows merged",
                repeats - 20
            )))
            .count(),
        1,
        "{err}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.ends_with("50 registrations not in force skipped"))
            .count(),
        1,
        "{err}"
    );
    // The mark is found in both spellings, against the owner whose class fits (33, the
    // simplified spelling), with the other owners of the word, in both spellings, as
    // alternatives.
    let out: Vec<serde_json::Value> = text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(out.len(), 2, "{}", text(&o.stdout));
    for v in &out {
        let mark = v["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .find(|r| r["code"] == "mark")
            .unwrap_or_else(|| panic!("no mark reason: {v}"));
        assert_eq!(mark["owner"], "长城第0号有限公司", "{v}");
        let alternatives = mark["alternatives"].as_array().expect("alternatives");
        assert!(alternatives.len() > 30, "{}", alternatives.len());
        assert!(alternatives.iter().all(|a| a["fits"] == false), "{v}");
    }
    // The simplified text keeps the other simplified owners as alternatives (~130); the
    // traditional text names the simplified owner (a variant form of it) and keeps the
    // owners of the traditional spelling, written as such (~30). Variant forms of owners
    // whose classes do not fit carry no evidence and are no candidates.
    let alternatives = out[1]["reasons"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["code"] == "mark"))
        .and_then(|m| m["alternatives"].as_array())
        .expect("alternatives");
    assert!(
        alternatives
            .iter()
            .any(|a| a["mark"] == "長城" && a["form"] == "written"),
        "{}",
        out[1]
    );
    assert_eq!(out[0]["level"], "high", "{}", out[0]);
}
