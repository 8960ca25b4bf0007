//! `wangjian calendar`: output formats, stdin mode, bad input and exit statuses.

mod common;

use common::{stderr, stdout, wangjian};

#[test]
fn is_workday_arguments() {
    let o = wangjian(
        &[
            "calendar",
            "is-workday",
            "2024-02-12",
            "2024-02-18",
            "2024-02-19",
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "2024-02-12\trest\n2024-02-18\tworkday\n2024-02-19\tworkday\n"
    );
    assert_eq!(stderr(&o), "");
}

#[test]
fn is_workday_explain() {
    let o = wangjian(
        &[
            "calendar",
            "is-workday",
            "--explain",
            "2024-02-12",
            "2024-02-04",
            "2024-02-03",
            "2024-02-19",
            "2025-10-06",
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "2024-02-12\trest\t春节\n\
         2024-02-04\tworkday\t春节调休上班\n\
         2024-02-03\trest\t周末\n\
         2024-02-19\tworkday\t工作日\n\
         2025-10-06\trest\t国庆节、中秋节\n"
    );
}

#[test]
fn is_workday_stdin_keeps_one_line_per_input() {
    let input =
        b"2024-09-29\r\n 2024-10-01 \nnot-a-date\n\xff\xfe\n2100-01-01\n\n1999-12-31\n2024-10-08\n2027-01-01\n2027-01-05";
    let o = wangjian(&["calendar", "is-workday"], input);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "2024-09-29\tworkday\n\
         2024-10-01\trest\n\
         not-a-date\terror\n\
         \terror\n\
         2100-01-01\terror\n\
         \terror\n\
         1999-12-31\terror\n\
         2024-10-08\tworkday\n\
         2027-01-01\trest\tprovisional\n\
         2027-01-05\tworkday\tprovisional\n"
    );
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 5, "{err}");
    assert!(
        lines[0].starts_with("wangjian: stdin:3: not a date"),
        "{err}"
    );
    assert!(
        lines[1].starts_with("wangjian: stdin:4: not valid UTF-8"),
        "{err}"
    );
    assert!(
        lines[2].starts_with("wangjian: stdin:5: 2100-01-01 is outside the working-day calendar, which answers from 2000-01-01 to 2099-12-31"),
        "{err}"
    );
    assert!(lines[3].starts_with("wangjian: stdin:6: "), "{err}");
    assert!(
        lines[4].starts_with("wangjian: stdin:7: 1999-12-31 is outside"),
        "{err}"
    );
}

#[test]
fn is_workday_bad_argument_reports_its_position() {
    let o = wangjian(&["calendar", "is-workday", "2024-02-12", "2024-2-12"], b"");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "2024-02-12\trest\n2024-2-12\terror\n");
    assert!(
        stderr(&o).starts_with("wangjian: argument:2: not a date in the form YYYY-MM-DD"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn is_workday_echo_cannot_break_columns() {
    let o = wangjian(&["calendar", "is-workday"], b"20\t24-02-12\n");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "20\u{fffd}24-02-12\terror\n");
}

#[test]
fn add_workdays_prints_the_date() {
    let o = wangjian(&["calendar", "add-workdays", "2024-09-27", "1"], b"");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "2024-09-29\n");
    let o = wangjian(&["calendar", "add-workdays", "2024-09-27", "3"], b"");
    assert_eq!(stdout(&o), "2024-10-08\n");
}

#[test]
fn add_workdays_out_of_range_exits_1() {
    for args in [
        ["calendar", "add-workdays", "2100-01-01", "1"],
        ["calendar", "add-workdays", "2099-12-31", "1"],
    ] {
        let o = wangjian(&args, b"");
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert_eq!(stdout(&o), "");
        assert!(stderr(&o).starts_with("wangjian: "), "{}", stderr(&o));
    }
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["calendar", "add-workdays", "2024-9-27", "1"],
        vec!["calendar", "add-workdays", "2024-09-27", "-1"],
        vec!["calendar", "add-workdays", "2024-09-27"],
        vec!["calendar", "add-days", "2024-09-27", "x"],
        vec![
            "calendar",
            "--calendar",
            "/nonexistent/cal.txt",
            "add-workdays",
            "2024-09-27",
            "1",
        ],
    ] {
        let o = wangjian(&args, b"");
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert_eq!(stdout(&o), "", "{args:?}");
    }
}

#[test]
fn workdays_between_and_add_days() {
    let o = wangjian(
        &["calendar", "workdays-between", "2024-09-27", "2024-10-08"],
        b"",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "3\n");
    let o = wangjian(
        &["calendar", "workdays-between", "2024-10-08", "2024-09-27"],
        b"",
    );
    assert_eq!(stdout(&o), "0\n");
    let o = wangjian(&["calendar", "add-days", "2024-09-21", "10"], b"");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "2024-10-08\n");
    let o = wangjian(&["calendar", "add-days", "2099-12-25", "10"], b"");
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn counts_into_a_year_without_its_notice_are_provisional() {
    // The issue that made this (2026-12-03): 2027's notice is not out; the answer comes
    // from the statutory rules, on stdout as usual, and stderr says it is provisional.
    let o = wangjian(&["calendar", "add-workdays", "2026-12-31", "1"], b"");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "2027-01-04\n");
    assert!(stderr(&o).contains("provisional"), "{}", stderr(&o));
    assert!(stderr(&o).contains("2027"), "{}", stderr(&o));
    // Within a published year: nothing on stderr.
    let o = wangjian(&["calendar", "add-workdays", "2026-12-01", "5"], b"");
    assert_eq!(stderr(&o), "");
    let o = wangjian(&["calendar", "is-workday", "--explain", "2027-02-09"], b"");
    assert_eq!(stdout(&o), "2027-02-09\trest\t春节补休\tprovisional\n");
}

#[test]
fn a_loaded_notice_makes_the_year_exact_and_moves_deadlines() {
    let dir = std::env::temp_dir().join(format!("wangjian-calendar-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = format!("sqlite:{}", dir.join("w.db").display());
    let o = wangjian(&["demo", "--db", &db, "--listings", "200"], b"");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let notice = dir.join("2027.txt");
    std::fs::write(
        &notice,
        "year 2027\nnotice N 2026-12-20 测试\nholiday 2027-01-01..2027-01-05 元旦\n",
    )
    .expect("write");
    let n = notice.to_str().expect("utf-8 path");
    // An officer may not; the administrator may, once.
    let o = wangjian(
        &["calendar", "load", n, "--db", &db, "--as", "hz_officer"],
        b"",
    );
    assert_ne!(o.status.code(), Some(0));
    let o = wangjian(
        &["calendar", "load", n, "--db", &db, "--as", "hz_admin"],
        b"",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("loaded\t2027\t"), "{}", stdout(&o));
    let o = wangjian(
        &["calendar", "load", n, "--db", &db, "--as", "hz_admin"],
        b"",
    );
    assert_ne!(o.status.code(), Some(0));
    // The database's calendar has the notice; the built-in one does not.
    let o = wangjian(&["calendar", "is-workday", "--db", &db, "2027-01-04"], b"");
    assert_eq!(stdout(&o), "2027-01-04\trest\n");
    let o = wangjian(&["calendar", "is-workday", "2027-01-04"], b"");
    assert_eq!(stdout(&o), "2027-01-04\tworkday\tprovisional\n");
    let o = wangjian(&["calendar", "notices", "--db", &db], b"");
    assert!(stdout(&o).starts_with("2027\t"), "{}", stdout(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn extra_calendar_file_adds_a_year() {
    let dir = std::env::temp_dir().join(format!("wangjian-calendar-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let good = dir.join("2027.txt");
    std::fs::write(
        &good,
        "year 2027\nnotice N 2026-11-01 测试\nholiday 2027-01-01..2027-01-03 元旦\n",
    )
    .expect("write");
    let g = good.to_str().expect("utf-8 path");
    let o = wangjian(
        &[
            "calendar",
            "--calendar",
            g,
            "is-workday",
            "--explain",
            "2027-01-01",
            "2027-01-04",
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "2027-01-01\trest\t元旦\n2027-01-04\tworkday\t工作日\n"
    );
    // The option is global: it may also follow the subcommand.
    let o = wangjian(
        &[
            "calendar",
            "add-workdays",
            "2026-12-31",
            "1",
            "--calendar",
            g,
        ],
        b"",
    );
    assert_eq!(stdout(&o), "2027-01-04\n");

    let broken = dir.join("broken.txt");
    std::fs::write(&broken, "year 2027\nholiday 2027-01-01 元旦\n").expect("write");
    let o = wangjian(
        &[
            "calendar",
            "--calendar",
            broken.to_str().expect("utf-8"),
            "is-workday",
            "2024-01-02",
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("line 2"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}
