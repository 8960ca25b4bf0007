//! `wangjian region`: lookups, --find, stdin mode and exit statuses.

mod common;

use std::process::Output;

use common::stdout;

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    common::wangjian(args, stdin.unwrap_or_default())
}

#[test]
fn lookup_prints_full_name_level_and_status() {
    let o = run(&["region", "330106", "110103"], None);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "330106\t浙江省杭州市西湖区\tcounty\tcurrent\n110103\t北京市崇文区\tcounty\tretired\n"
    );
}

#[test]
fn unknown_code_goes_to_stderr_and_exits_1() {
    let o = run(&["region", "330106", "999999"], None);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "330106\t浙江省杭州市西湖区\tcounty\tcurrent\n");
    assert!(String::from_utf8_lossy(&o.stderr).contains("999999"));
}

#[test]
fn find_prints_code_name_and_matched_text_or_dash() {
    let o = run(
        &["region", "--find", "浙江杭州西湖区文三路", "没有地址"],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "浙江杭州西湖区文三路\t330106\t浙江省杭州市西湖区\t浙江杭州西湖区\n没有地址\t-\n"
    );
}

#[test]
fn find_reads_stdin_and_reports_bad_lines() {
    let o = run(
        &["region", "--find"],
        Some(b"\xe5\xae\x81\xe5\xa4\x8f\xe4\xb8\xad\xe5\x8d\xab\n\xff\n"),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "宁夏中卫\t640500\t宁夏回族自治区中卫市\t宁夏中卫\n"
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("<stdin>:2:"));
}

#[test]
fn find_json_lists_candidates() {
    let o = run(&["region", "--find", "--json", "朝阳区"], None);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).expect("json");
    assert_eq!(v["found"], true);
    let c = v["candidates"].as_array().cloned().unwrap_or_default();
    assert!(c.len() >= 2);
}

#[test]
fn usage_error_exits_2() {
    assert_eq!(run(&["region", "--nope"], None).status.code(), Some(2));
}
