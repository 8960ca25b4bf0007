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
