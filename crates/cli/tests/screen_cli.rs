//! `wangjian screen`: a list file and candidates from stdin or files; one output line per
//! candidate in input order; bad lines of the list, the exclusions and the candidates
//! reported with their numbers and skipped (exit 1); usage errors (exit 2).

mod common;

use common::{stderr, stdout, wangjian};
use serde_json::Value;

/// A blacklist export as a platform would receive it: two lines for one subject (two
/// decisions), a renamed company, an individual business, a website, and bad lines.
const LIST: &str = concat!(
    r#"{"id":"B1","name":"杭州某某网络科技有限公司","uscc":"91330100716105852F","basis":"行政处罚决定书 杭市监处〔2026〕12号"}"#,
    "\n",
    r#"{"id":"B1","name":"杭州某某网络科技有限公司","phone":"13800138000"}"#,
    "\n",
    "not json\n",
    r#"{"name":"没有编号的主体"}"#,
    "\n",
    r#"{"id":"B2","name":"海尔智家股份有限公司","former_names":["青岛海尔股份有限公司"]}"#,
    "\n",
    r#"{"id":"B3","name":"桐乡市张三服装店（个体工商户）","citizen_id":"11010519491231002X"}"#,
    "\n",
    "\n",
    r#"{"id":"B4","domain":"https://www.fake-shop.example.cn/index.html"}"#,
    "\n",
    r#"{"id":"B5","name":"北京京东世纪贸易有限公司"}"#,
    "\n",
    r#"{"id":"B6"}"#,
    "\n",
);

const CANDIDATES: &str = concat!(
    r#"{"id":"C1","name":"杭州某某網絡科技有限公司"}"#,
    "\n",
    r#"{"id":"C2","uscc":"９１３３０１００７１６１０５８５２ｆ"}"#,
    "\n",
    r#"{"id":"C3","name":"青岛海尔股份有限公司"}"#,
    "\n",
    r#"{"id":"C4","name":"张三服装店","citizen_id":"110105491231002"}"#,
    "\n",
    r#"{"id":"C5","domain":"FAKE-SHOP.example.cn."}"#,
    "\n",
    r#"{"id":"C6","name":"北京京东世纪贸易有限公司上海分公司"}"#,
    "\n",
    "{broken\n",
    r#"{"id":"C7","company":"字段名写错了"}"#,
    "\n",
    r#"{"id":"C8","name":"完全无关的餐饮店"}"#,
    "\n",
);

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write test file");
    p.to_str().expect("utf-8 path").to_string()
}

fn lines(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

#[test]
fn screens_candidates_and_reports_bad_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let list = write(dir.path(), "list.jsonl", LIST);
    let o = wangjian(&["screen", "--list", &list], CANDIDATES.as_bytes());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    for want in [
        "list.jsonl:3: not a valid list entry",
        "list.jsonl:4: a list entry needs an \"id\"",
        "list.jsonl:10: entry \"B6\" has no name and no identifier",
        "<stdin>:7: not a valid candidate",
        "<stdin>:8: nothing to screen on",
    ] {
        assert!(err.contains(want), "missing {want:?} in {err}");
    }
    assert!(err.contains("5 entries (1 lines merged by id)"), "{err}");

    let out = lines(&stdout(&o));
    let ids: Vec<&str> = out
        .iter()
        .map(|l| l["candidate_id"].as_str().expect("candidate id"))
        .collect();
    assert_eq!(ids, ["C1", "C2", "C3", "C4", "C5", "C6", "C8"]);
    let best = |i: usize| &out[i]["matches"][0];

    // Traditional characters: the same name.
    assert_eq!(best(0)["id"], "B1");
    assert_eq!(best(0)["decision"], "match");
    assert_eq!(best(0)["relation"], "same");
    let name = &best(0)["matched_on"][0];
    assert_eq!(name["field"], "name");
    assert_eq!(name["how"], "exact");
    assert_eq!(name["core"], "某某网络科技");
    assert_eq!(name["set_aside"]["region"], "杭州");
    assert_eq!(name["set_aside"]["legal_form"], "有限公司");

    // A full-width, lower-case USCC: exact after normalization.
    assert_eq!(best(1)["id"], "B1");
    assert_eq!(best(1)["decision"], "match");
    assert_eq!(best(1)["matched_on"][0]["field"], "uscc");
    assert_eq!(best(1)["matched_on"][0]["how"], "exact");
    assert_eq!(best(1)["matched_on"][0]["valid"], true);

    // The old name of a renamed company.
    assert_eq!(best(2)["id"], "B2");
    assert_eq!(best(2)["decision"], "match");
    assert_eq!(best(2)["matched_on"][0]["via"], "former_name");

    // An individual business by its owner's 15-digit citizen id and shop name; the id
    // itself is never repeated in the output.
    assert_eq!(best(3)["id"], "B3");
    assert_eq!(best(3)["decision"], "match");
    assert!(!stdout(&o).contains("11010519491231002X"));

    // A domain written as a URL on one side and with a trailing dot on the other.
    assert_eq!(best(4)["id"], "B4");
    assert_eq!(best(4)["matched_on"][0]["field"], "domain");

    // A branch of a listed company: related, not the same subject.
    assert_eq!(best(5)["id"], "B5");
    assert_eq!(best(5)["relation"], "related");
    assert_eq!(best(5)["related_as"], "branch");
    assert_eq!(best(5)["decision"], "possible");
    assert_eq!(
        best(5)["matched_on"][0]["set_aside"]["branch"],
        "上海分公司"
    );

    // Nothing like it on the list.
    assert_eq!(out[6]["matches"], serde_json::json!([]));
}

#[test]
fn exclusions_threshold_and_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let list = write(dir.path(), "list.jsonl", LIST);
    let cands = write(dir.path(), "c.jsonl", CANDIDATES);
    let excl = write(
        dir.path(),
        "excl.jsonl",
        "{\"id\":\"B2\"}\n{\"id\":\"B5\",\"candidate_id\":\"C6\"}\n{\"candidate_id\":\"C1\"}\n",
    );
    let o = wangjian(
        &[
            "screen",
            "--list",
            &list,
            "--exclude",
            &excl,
            "--threshold",
            "0.95",
            &cands,
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("excl.jsonl:3: not a valid exclusion"),
        "{}",
        stderr(&o)
    );
    let out = lines(&stdout(&o));
    // B2 is excluded for everyone, B5 for C6; the threshold drops weaker matches.
    assert_eq!(out[2]["matches"], serde_json::json!([]));
    assert_eq!(out[5]["matches"], serde_json::json!([]));
    assert!(out
        .iter()
        .flat_map(|l| l["matches"].as_array().expect("matches").iter())
        .all(|m| m["score"].as_f64().expect("score") >= 0.95));
}

#[test]
fn a_saved_index_answers_like_the_list() {
    let dir = tempfile::tempdir().expect("temp dir");
    let list = write(dir.path(), "list.jsonl", LIST);
    let idx = dir.path().join("list.idx");
    let idx = idx.to_str().expect("utf-8 path");
    let a = wangjian(
        &["screen", "--list", &list, "--save-index", idx],
        CANDIDATES.as_bytes(),
    );
    let b = wangjian(&["screen", "--index", idx], CANDIDATES.as_bytes());
    assert_eq!(stdout(&a), stdout(&b));
    assert!(!stdout(&b).is_empty());
    // Only the candidates' bad lines remain: the list was checked when it was indexed.
    assert_eq!(b.status.code(), Some(1));
    assert!(!stderr(&b).contains("list.jsonl:"), "{}", stderr(&b));
    let broken = write(dir.path(), "broken.idx", "WJSCRIDX\u{1}");
    let o = wangjian(&["screen", "--index", &broken], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("corrupt screening index"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn usage_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let list = write(dir.path(), "list.jsonl", LIST);
    let o = wangjian(&["screen", "--list", "/nonexistent/list.jsonl"], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("reading list /nonexistent/list.jsonl"));
    let o = wangjian(&["screen", "--list", &list, "--threshold", "1.5"], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--threshold must be between 0 and 1"));
    let weights = write(dir.path(), "w.json", "{\"phon\": 0.5}");
    let o = wangjian(&["screen", "--list", &list, "--weights", &weights], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown field `phon`"),
        "{}",
        stderr(&o)
    );
    let o = wangjian(&["screen"], b"");
    assert_eq!(o.status.code(), Some(2));
    let o = wangjian(&["screen", "--list", &list, "/nonexistent/c.jsonl"], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("opening candidates /nonexistent/c.jsonl"));
}

/// `--db`: against the demo's serious-violation list as it stands today, as the platform's
/// operator; the call is recorded in the store (`screen.call`), a user the policy does not
/// let screen is refused, and `--as` is required.
#[test]
fn screens_against_the_list_in_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("d.db").display());
    let demo = wangjian(&["demo", "--db", &db, "--listings", "300"], b"");
    assert!(demo.status.success(), "{}", stderr(&demo));
    let candidates = concat!(
        r#"{"id":"s1","name":"杭州鑫達貿易有限公司"}"#,
        "\n",
        r#"{"id":"s2","name":"杭州鑫达贸易有限公司滨江分公司"}"#,
        "\n",
        r#"{"id":"s3","name":"温州顺达鞋业有限公司"}"#,
        "\n",
        "not json\n",
    );
    let out = wangjian(
        &["screen", "--db", &db, "--as", "platform"],
        candidates.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1), "a bad line: {}", stderr(&out));
    assert!(stderr(&out).contains("<stdin>:4"), "{}", stderr(&out));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0]["matches"][0]["decision"],
        "match",
        "{}",
        stdout(&out)
    );
    assert_eq!(lines[0]["matches"][0]["relation"], "same");
    assert_eq!(lines[1]["matches"][0]["relation"], "related");
    assert_eq!(lines[2]["matches"].as_array().unwrap().len(), 0);
    // A rights holder's agent may not screen; --as is required with --db.
    let refused = wangjian(
        &["screen", "--db", &db, "--as", "brand"],
        candidates.as_bytes(),
    );
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("platforms and agencies"),
        "{}",
        stderr(&refused)
    );
    let usage = wangjian(&["screen", "--db", &db], b"");
    assert_eq!(usage.status.code(), Some(2));
}
