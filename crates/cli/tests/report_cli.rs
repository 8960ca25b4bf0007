//! `wangjian report` on the demo database: CSV (with its byte-order mark) and XLSX files,
//! the office's aggregate, a bad period and kind named, submission only by a supervisor and
//! once, the calendar with the demo's late report.

mod common;

use common::{stderr, stdout, wangjian};

#[test]
fn reports_from_the_demo() {
    let dir = std::env::temp_dir().join(format!("wangjian-report-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = format!("sqlite:{}", dir.join("w.db").display());
    let o = wangjian(
        &[
            "demo",
            "--db",
            &db,
            "--listings",
            "200",
            "--today",
            "2026-12-03",
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let now = "2026-12-03T04:00:00Z";
    let run = |args: &[&str]| {
        let mut v = vec!["report"];
        v.extend_from_slice(args);
        v.extend_from_slice(&["--db", &db, "--now", now]);
        wangjian(&v, b"")
    };
    let csv = dir.join("m.csv");
    let o = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--as",
        "hz_chief",
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&csv).expect("csv");
    assert!(
        text.starts_with("\u{feff}填报单位,单位数,立案(件)"),
        "{text}"
    );
    assert!(text.contains("\r\n杭州市市场监督管理局,1,"), "{text}");
    let xlsx = dir.join("agg.xlsx");
    let o = run(&[
        "half-year",
        "--period",
        "2026-H2",
        "--as",
        "office",
        "-o",
        xlsx.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(std::fs::read(&xlsx).expect("xlsx").starts_with(b"PK"));
    // The office's aggregate to stdout, one row per agency type and the total.
    let o = run(&["monthly", "--period", "2026-11", "--as", "office"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("\r\n合计,"), "{}", stdout(&o));
    // Bad input is named.
    let o = run(&["monthly", "--period", "2026-13", "--as", "hz_chief"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--period: bad period '2026-13'"),
        "{}",
        stderr(&o)
    );
    let o = run(&["monthly", "--period", "2026-W49", "--as", "hz_chief"]);
    assert!(
        stderr(&o).contains("is a week; a monthly report covers a month"),
        "{}",
        stderr(&o)
    );
    let o = run(&["weekly", "--period", "2026-W49", "--as", "hz_chief"]);
    assert!(
        stderr(&o).contains("unknown report kind 'weekly'"),
        "{}",
        stderr(&o)
    );
    // Another region's unit: not found.
    let o = run(&[
        "monthly",
        "--period",
        "2026-11",
        "--as",
        "nb_chief",
        "--org",
        "杭市监",
    ]);
    assert!(stderr(&o).contains("not found"), "{}", stderr(&o));
    // Submit: an officer may not; the supervisor once.
    let o = run(&[
        "submit",
        "case-progress",
        "--period",
        "2026-W49",
        "--as",
        "hz_officer",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let o = run(&[
        "submit",
        "case-progress",
        "--period",
        "2026-W49",
        "--as",
        "hz_chief",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("due 2026-12-04, SHA-256 "),
        "{}",
        stdout(&o)
    );
    let o = run(&[
        "submit",
        "case-progress",
        "--period",
        "2026-W49",
        "--as",
        "hz_chief",
    ]);
    assert!(stderr(&o).contains("already submitted"), "{}", stderr(&o));
    // The calendar: the demo leaves 宁波's latest weekly table late.
    let o = run(&["calendar", "--as", "office"]);
    let late = stdout(&o)
        .lines()
        .filter(|l| l.contains("逾期未报"))
        .count();
    assert_eq!(late, 1, "{}", stdout(&o));
    assert!(
        stdout(&o).contains("2026-11-27\tcase-progress\t2026-W48\t宁波市市场监督管理局\t逾期未报")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
