//! Unit tests: the embedded data and the data parser's checks.

use super::*;

fn date(s: &str) -> NaiveDate {
    parse_date(s).unwrap()
}

#[test]
fn embedded_data_parses() {
    let cal = Calendar::parse(CHINA_DATA).unwrap();
    assert_eq!(
        cal.published_years().collect::<Vec<_>>(),
        (2016..=2026).collect::<Vec<_>>()
    );
    assert_eq!(cal.first_day(), date("2000-01-01"));
    assert_eq!(cal.last_day(), date("2099-12-31"));
    // One main notice a year, plus 2019's Labour Day change and 2020's extension.
    assert_eq!(cal.notices().len(), 13);
}

#[test]
fn embedded_years_have_the_independent_working_day_counts() {
    // Working days per year as counted by the PyPI package chinesecalendar 1.11.0, an
    // independent source: a quick guard against a typo creeping into the data.
    let expected = [
        (2016, 250),
        (2017, 249),
        (2018, 250),
        (2019, 250),
        (2020, 249),
        (2021, 250),
        (2022, 249),
        (2023, 249),
        (2024, 251),
        (2025, 248),
        (2026, 248),
    ];
    let cal = Calendar::china();
    for (year, want) in expected {
        let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
        let dec31 = NaiveDate::from_ymd_opt(year, 12, 31).unwrap();
        let count =
            cal.workdays_between(jan1, dec31).unwrap() + u32::from(cal.is_workday(jan1).unwrap());
        assert_eq!(count, want, "{year}");
    }
}

#[test]
fn parse_date_is_strict() {
    assert_eq!(
        date("2024-02-04"),
        NaiveDate::from_ymd_opt(2024, 2, 4).unwrap()
    );
    for bad in [
        "2024-2-04",
        "2024-02-4",
        "+2024-02-04",
        "2024/02/04",
        "2024-02-30",
        "2024-13-01",
        " 2024-02-04",
        "",
        "２０２４-02-04",
        "2024-02-04x",
    ] {
        assert!(
            matches!(parse_date(bad), Err(CalendarError::BadDate { .. })),
            "{bad:?}"
        );
    }
}

const GOOD: &str =
    "year 2030\nnotice 国办发明电〔2029〕1号 2029-11-01 测试通知\nholiday 2030-01-01 元旦\n";

fn data_error(text: &str) -> (usize, String) {
    match Calendar::parse(text) {
        Err(CalendarError::Data { line, reason }) => (line, reason),
        other => panic!("expected a data error, got {other:?}"),
    }
}

#[test]
fn minimal_file_parses() {
    let cal = Calendar::parse(GOOD).unwrap();
    assert_eq!(cal.published_years().collect::<Vec<_>>(), vec![2030]);
    assert_eq!(
        cal.day_kind(date("2030-01-01")).unwrap(),
        DayKind::Holiday {
            name: "元旦".into()
        }
    );
    assert_eq!(cal.notices()[0].number, "国办发明电〔2029〕1号");
    assert_eq!(cal.notices()[0].published, date("2029-11-01"));
}

#[test]
fn data_errors_name_the_line() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 0, "no `year`"),
        ("# only a comment\n", 0, "no `year`"),
        ("holiday 2030-01-01 元旦\n", 1, "before any `year`"),
        (
            "year 2030\nholiday 2030-01-01 元旦\n",
            2,
            "before any `notice`",
        ),
        ("year 20x0\n", 1, "not a year"),
        ("year 2030\nyear 2031\n", 2, "has no notice"),
        ("year 2030\n", 1, "has no notice"),
        ("year 2030\nnotice N 2029-11-01\n", 2, "expected `notice"),
        ("year 2030\nnotice N 2029-1-01 T\n", 2, "not a date"),
        (
            "year 2030\nnotice N 2029-11-01 T\nholiday 2030-01-01\n",
            3,
            "expected `holiday",
        ),
        (
            "year 2030\nnotice N 2029-11-01 T\nholiday 2030-01-03..2030-01-01 元旦\n",
            3,
            "before",
        ),
        (
            "year 2030\nnotice N 2029-11-01 T\nholiday 2031-01-01 元旦\n",
            3,
            "not in year 2030",
        ),
        (
            "year 2030\nnotice N 2029-11-01 T\nholiday 2029-11-30 元旦\n",
            3,
            "not in year 2030",
        ),
        (
            "year 2030\nnotice N 2029-11-01 T\nholiday 2030-01-01..2030-03-01 春节\n",
            3,
            "too long",
        ),
        (
            "year 2030\nnotice N 2029-11-01 T\nholiday 2030-01-01 元旦\nholiday 2030-01-01 元旦\n",
            4,
            "already given on line 3",
        ),
        // 2030-01-02 is a Wednesday.
        (
            "year 2030\nnotice N 2029-11-01 T\nholiday 2030-01-01 元旦\nworkday 2030-01-02 元旦\n",
            4,
            "not a weekend day",
        ),
        (
            "year 2030\nnotice N 2029-11-01 T\nholiday 2030-01-01 元旦\nworkday 2030-01-05 春节\n",
            4,
            "no holiday of 2030",
        ),
        (
            "year 2030\nnotice N 2029-11-01 T\nvacation 2030-01-01 元旦\n",
            3,
            "unknown record",
        ),
        ("year 2130\nnotice N 2129-11-01 T\n", 0, "outside 2000–2099"),
        (
            "year 2030\nnotice N 2029-11-01 T\nyear 2030\n",
            3,
            "given twice",
        ),
    ];
    for (text, line, reason) in cases {
        let (got_line, got_reason) = data_error(text);
        assert_eq!(got_line, *line, "{text:?}: {got_reason}");
        assert!(got_reason.contains(reason), "{text:?}: {got_reason}");
    }
}

#[test]
fn data_accepts_crlf_comments_and_december_before() {
    let text = "# c\r\nyear 2030\r\n  notice N 2029-11-01 A title with spaces\r\n\r\nholiday 2029-12-30..2030-01-01 元旦\r\nworkday 2029-12-29 元旦\r\n";
    let cal = Calendar::parse(text).unwrap();
    assert_eq!(cal.notices()[0].title, "A title with spaces");
    // 2029 has no notice, but the December entries of 2030's notice are exact.
    assert!(cal.is_workday(date("2029-12-29")).unwrap());
    assert!(!cal.is_provisional(date("2029-12-29")).unwrap());
    assert!(cal.is_provisional(date("2029-12-28")).unwrap());
    assert!(!cal.is_workday(date("2030-01-01")).unwrap());
}

#[test]
fn garbage_never_panics() {
    for text in [
        "year",
        "year 99999999999999999999",
        "year -5",
        "year 2030\nnotice",
        "year 2030\nnotice a b c\nholiday ..",
        "year 2030\nnotice a 2029-01-01 c\nholiday 2030-01-01.. x",
        "year 2030\nnotice a 2029-01-01 c\nholiday ....2030-01-01 x",
        "year 9999\nnotice a 9999-01-01 c\nholiday 9999-12-31 x",
        "\u{0}\u{feff}year 2030",
    ] {
        let _ = Calendar::parse(text);
    }
}

#[test]
fn last_year_answered_works() {
    let cal = Calendar::parse("year 2099\nnotice a 2098-01-01 c\nholiday 2099-12-31 x\n").unwrap();
    let last = date("2099-12-31");
    assert!(!cal.is_workday(last).unwrap());
    assert!(matches!(
        cal.add_days_rolled(last, u32::MAX),
        Err(CalendarError::PastEnd { .. })
    ));
    assert!(matches!(
        cal.add_days_rolled(date("2099-12-30"), 1),
        Err(CalendarError::PastEnd { .. })
    ));
    assert!(matches!(
        cal.add_workdays(last, 1),
        Err(CalendarError::PastEnd { .. })
    ));
}

#[test]
fn shanghai_date_handles_extremes() {
    assert_eq!(shanghai_date(DateTime::<Utc>::MAX_UTC), NaiveDate::MAX);
    assert_eq!(
        shanghai_date(DateTime::<Utc>::MIN_UTC),
        DateTime::<Utc>::MIN_UTC.date_naive()
    );
}
