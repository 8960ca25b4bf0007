//! `wangjian check`: output format, stdin mode and exit statuses.

mod common;

use std::process::Output;

use common::stdout;

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    common::wangjian(args, stdin.unwrap_or_default())
}

#[test]
fn all_valid_exits_0() {
    let o = run(
        &["check", "uscc", "914403001922038216", "91110000100017643K"],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "914403001922038216\tvalid\n91110000100017643K\tvalid\n"
    );
}

#[test]
fn any_invalid_exits_1_with_the_reason() {
    let o = run(
        &["check", "uscc", "914403001922038216", "91110000100017643A"],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "914403001922038216\tvalid\n91110000100017643A\tinvalid\tcheck character (character 18) is 'A', expected 'K'\n"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        run(&["check", "nonsense", "x"], None).status.code(),
        Some(2)
    );
    assert_eq!(run(&["check"], None).status.code(), Some(2));
}

#[test]
fn stdin_one_value_per_line_and_empty_lines_are_invalid() {
    let o = run(&["check", "gtin"], Some(b"6901234567892\n\n96385074\r\n"));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "6901234567892\tvalid\n\tinvalid\tempty value\n96385074\tvalid\n"
    );
}

#[test]
fn invalid_utf8_line_is_reported_and_the_rest_processed() {
    let o = run(
        &["check", "phone"],
        Some(b"13812345678\n\xff\xfe\n+86 139-1234-5678\n"),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "13812345678\tvalid\n+86 139-1234-5678\tvalid\n");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("<stdin>:2:"), "{err}");
}

#[test]
fn json_lines_carry_parts_or_reason() {
    let o = run(
        &[
            "check",
            "citizen-id",
            "--json",
            "11010519491231002X",
            "11010519491231002",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[0]["normalized"], "110105********002X");
    assert_eq!(lines[0]["parts"]["birth_date"]["value"], "1949-12-31");
    assert_eq!(lines[1]["valid"], false);
    assert!(lines[1]["reason"]
        .as_str()
        .unwrap_or("")
        .contains("17 characters"));
}

#[test]
fn future_birth_dates_are_invalid_against_today_in_china() {
    // 2099-01-01: check character computed for this body.
    let body = "11010520990101001";
    let w = [7u32, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(w)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let c = match (12 - sum % 11) % 11 {
        10 => 'X',
        d => char::from_digit(d, 10).unwrap_or('0'),
    };
    let id = format!("{body}{c}");
    let o = run(&["check", "citizen-id", &id], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("in the future"), "{}", stdout(&o));
}

#[test]
fn every_kind_is_accepted() {
    for (kind, value) in [
        ("icp", "京ICP备12345678号-1"),
        ("police-filing", "京公网安备 11010502030143号"),
        ("food-license", "JY13301060012345"),
        ("food-production-license", "SC10633010600123"),
        ("food-filing", "YB13301060012345"),
        ("drug-license", "浙AA5710123"),
        ("device-license", "浙杭食药监械经营许20150001号"),
    ] {
        let o = run(&["check", kind, value], None);
        assert_eq!(o.status.code(), Some(0), "{kind} {value}: {}", stdout(&o));
    }
}
