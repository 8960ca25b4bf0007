//! The calendar's public behaviour, on fixtures around real holidays. Every expected date
//! below was also checked against the PyPI package chinesecalendar 1.11.0, an independent
//! source, by counting day by day.

use chrono::{DateTime, NaiveDate, Utc};
use proptest::prelude::*;
use wangjian_calendar::{parse_date, shanghai_date, Calendar, CalendarError, DayKind};

fn d(s: &str) -> NaiveDate {
    parse_date(s).unwrap()
}

fn cal() -> &'static Calendar {
    Calendar::china()
}

fn holiday(name: &str) -> DayKind {
    DayKind::Holiday { name: name.into() }
}

fn make_up(name: &str) -> DayKind {
    DayKind::MakeUpWorkday {
        for_holiday: name.into(),
    }
}

#[test]
fn exact_2016_to_2026_provisional_2000_to_2099() {
    assert_eq!(cal().first_day(), d("2000-01-01"));
    assert_eq!(cal().last_day(), d("2099-12-31"));
    assert_eq!(
        cal().published_years().collect::<Vec<_>>(),
        (2016..=2026).collect::<Vec<_>>()
    );
    for date in ["1999-12-31", "2100-01-01"] {
        assert_eq!(
            cal().is_workday(d(date)),
            Err(CalendarError::OutOfRange {
                date: d(date),
                first: d("2000-01-01"),
                last: d("2099-12-31"),
            })
        );
        assert!(cal().day_kind(d(date)).is_err());
        assert!(cal().is_provisional(d(date)).is_err());
        assert!(cal().add_workdays(d(date), 0).is_err());
        assert!(cal().add_days_rolled(d(date), 0).is_err());
        assert!(cal().workdays_between(d(date), d("2020-01-01")).is_err());
        assert!(cal().workdays_between(d("2020-01-01"), d(date)).is_err());
    }
    // Published years are exact; the years around them provisional.
    for (date, provisional) in [
        ("2015-12-31", true),
        ("2016-01-01", false),
        ("2026-12-31", false),
        ("2027-01-01", true),
        ("2099-12-31", true),
    ] {
        assert_eq!(
            cal().is_provisional(d(date)).unwrap(),
            provisional,
            "{date}"
        );
    }
    assert_eq!(cal().day_kind(d("2016-01-01")).unwrap(), holiday("元旦"));
    assert_eq!(cal().day_kind(d("2026-12-31")).unwrap(), DayKind::Workday);
    assert_eq!(cal().day_kind(d("2027-01-01")).unwrap(), holiday("元旦"));
}

#[test]
fn the_case_deadline_of_december_2026_runs_into_2027_provisionally() {
    // The issue that made this: a 90-working-day case deadline opened on 2026-12-03.
    let due = cal().add_workdays(d("2026-12-03"), 90).unwrap();
    assert!(due > d("2027-01-01"));
    assert!(cal().provisional_between(d("2026-12-03"), due).unwrap());
    assert!(!cal()
        .provisional_between(d("2026-12-03"), d("2026-12-31"))
        .unwrap());
    // 2027 by the rules: 元旦 Friday; 春节 除夕 Friday 5 February to 初三 Monday 8, with
    // the weekend made up on Tuesday 9 and Wednesday 10; 国庆 Friday to Sunday, made up on
    // Monday 4 and Tuesday 5 October.
    assert_eq!(
        cal().add_workdays(d("2026-12-31"), 1).unwrap(),
        d("2027-01-04")
    );
    assert_eq!(
        cal().add_workdays(d("2027-02-04"), 1).unwrap(),
        d("2027-02-11")
    );
    assert_eq!(
        cal().day_kind(d("2027-02-09")).unwrap(),
        holiday("春节补休")
    );
    assert_eq!(
        cal().add_workdays(d("2027-09-30"), 1).unwrap(),
        d("2027-10-06")
    );
    assert!(!cal()
        .provisional_between(d("2027-01-05"), d("2027-01-05"))
        .unwrap());
}

#[test]
fn national_day_2024_sunday_make_up_day_counts() {
    // Friday 2024-09-27 + 1 working day: Sunday 2024-09-29, worked for National Day.
    assert_eq!(
        cal().add_workdays(d("2024-09-27"), 1).unwrap(),
        d("2024-09-29")
    );
    assert_eq!(
        cal().add_workdays(d("2024-09-27"), 2).unwrap(),
        d("2024-09-30")
    );
    assert_eq!(
        cal().add_workdays(d("2024-09-27"), 3).unwrap(),
        d("2024-10-08")
    );
    assert_eq!(
        cal()
            .workdays_between(d("2024-09-27"), d("2024-10-08"))
            .unwrap(),
        3
    );
    assert_eq!(
        cal()
            .workdays_between(d("2024-09-27"), d("2024-10-07"))
            .unwrap(),
        2
    );
    assert_eq!(cal().day_kind(d("2024-09-29")).unwrap(), make_up("国庆节"));
    assert_eq!(cal().day_kind(d("2024-10-12")).unwrap(), make_up("国庆节"));
    assert_eq!(cal().day_kind(d("2024-10-07")).unwrap(), holiday("国庆节"));
}

#[test]
fn spring_festival_2024() {
    for day in 10..=17 {
        let date = NaiveDate::from_ymd_opt(2024, 2, day).unwrap();
        assert_eq!(cal().day_kind(date).unwrap(), holiday("春节"), "{date}");
        assert!(!cal().is_workday(date).unwrap());
    }
    assert_eq!(cal().day_kind(d("2024-02-04")).unwrap(), make_up("春节"));
    assert_eq!(cal().day_kind(d("2024-02-18")).unwrap(), make_up("春节"));
    // 除夕 2024-02-09 was only encouraged off, not given: a working day.
    assert_eq!(cal().day_kind(d("2024-02-09")).unwrap(), DayKind::Workday);
    assert_eq!(cal().day_kind(d("2024-02-03")).unwrap(), DayKind::Weekend);
    assert_eq!(
        cal().add_workdays(d("2024-02-02"), 1).unwrap(),
        d("2024-02-04")
    );
    assert_eq!(
        cal().add_workdays(d("2024-02-08"), 1).unwrap(),
        d("2024-02-09")
    );
    assert_eq!(
        cal().add_workdays(d("2024-02-09"), 1).unwrap(),
        d("2024-02-18")
    );
    assert_eq!(
        cal()
            .workdays_between(d("2024-02-09"), d("2024-02-18"))
            .unwrap(),
        1
    );
    let notice = cal().notice_for(d("2024-02-12")).unwrap().unwrap();
    assert_eq!(notice.number, "国办发明电〔2023〕7号");
    assert_eq!(cal().notice_for(d("2024-02-09")).unwrap(), None);
}

#[test]
fn national_day_2025_eight_days() {
    for day in 1..=8 {
        let date = NaiveDate::from_ymd_opt(2025, 10, day).unwrap();
        assert_eq!(
            cal().day_kind(date).unwrap(),
            holiday("国庆节、中秋节"),
            "{date}"
        );
    }
    assert_eq!(
        cal().day_kind(d("2025-09-28")).unwrap(),
        make_up("国庆节、中秋节")
    );
    assert_eq!(
        cal().day_kind(d("2025-10-11")).unwrap(),
        make_up("国庆节、中秋节")
    );
    assert_eq!(
        cal().add_workdays(d("2025-09-26"), 1).unwrap(),
        d("2025-09-28")
    );
    assert_eq!(
        cal().add_workdays(d("2025-09-30"), 1).unwrap(),
        d("2025-10-09")
    );
    assert_eq!(
        cal().add_workdays(d("2025-09-30"), 3).unwrap(),
        d("2025-10-11")
    );
}

#[test]
fn rules_of_2025_add_a_day_to_spring_festival_and_labour_day() {
    // 国务院令第795号: 除夕 and 5月2日 become statutory from 2025.
    assert_eq!(cal().day_kind(d("2025-01-28")).unwrap(), holiday("春节"));
    assert_eq!(cal().day_kind(d("2025-02-04")).unwrap(), holiday("春节"));
    assert_eq!(cal().day_kind(d("2025-04-27")).unwrap(), make_up("劳动节"));
    assert_eq!(cal().day_kind(d("2025-05-05")).unwrap(), holiday("劳动节"));
}

#[test]
fn spring_festival_2020_extension() {
    // 国办发明电〔2020〕1号 extended the break to Sunday 2020-02-02 and cancelled the
    // make-up working day of Saturday 2020-02-01.
    for date in ["2020-01-31", "2020-02-01", "2020-02-02"] {
        assert_eq!(cal().day_kind(d(date)).unwrap(), holiday("春节"), "{date}");
        let notice = cal().notice_for(d(date)).unwrap().unwrap();
        assert_eq!(notice.number, "国办发明电〔2020〕1号");
        assert_eq!(notice.published, d("2020-01-27"));
    }
    let original = cal().notice_for(d("2020-01-24")).unwrap().unwrap();
    assert_eq!(original.number, "国办发明电〔2019〕16号");
    assert_eq!(cal().day_kind(d("2020-01-19")).unwrap(), make_up("春节"));
    assert_eq!(
        cal().add_workdays(d("2020-01-23"), 1).unwrap(),
        d("2020-02-03")
    );
    assert_eq!(
        cal()
            .workdays_between(d("2020-01-23"), d("2020-02-02"))
            .unwrap(),
        0
    );
}

#[test]
fn labour_day_2019_change() {
    assert_eq!(cal().day_kind(d("2019-05-03")).unwrap(), holiday("劳动节"));
    assert_eq!(cal().day_kind(d("2019-04-28")).unwrap(), make_up("劳动节"));
    assert_eq!(cal().day_kind(d("2019-05-05")).unwrap(), make_up("劳动节"));
    assert_eq!(
        cal().notice_for(d("2019-05-02")).unwrap().unwrap().number,
        "国办发明电〔2019〕3号"
    );
    assert_eq!(
        cal().add_workdays(d("2019-04-30"), 1).unwrap(),
        d("2019-05-05")
    );
}

#[test]
fn notices_reach_into_the_december_before() {
    // 2019's notice: 2018-12-29 worked, 2018-12-30..2019-01-01 off.
    assert_eq!(cal().day_kind(d("2018-12-29")).unwrap(), make_up("元旦"));
    assert_eq!(cal().day_kind(d("2018-12-31")).unwrap(), holiday("元旦"));
    assert_eq!(cal().day_kind(d("2016-12-31")).unwrap(), holiday("元旦"));
}

#[test]
fn add_workdays_zero_is_the_day_itself() {
    assert_eq!(
        cal().add_workdays(d("2024-02-12"), 0).unwrap(),
        d("2024-02-12")
    );
    assert_eq!(
        cal().add_workdays(d("2024-02-13"), 0).unwrap(),
        d("2024-02-13")
    );
}

#[test]
fn workdays_between_is_zero_when_end_is_not_after_start() {
    assert_eq!(
        cal()
            .workdays_between(d("2024-03-05"), d("2024-03-05"))
            .unwrap(),
        0
    );
    assert_eq!(
        cal()
            .workdays_between(d("2024-03-05"), d("2024-03-01"))
            .unwrap(),
        0
    );
    // (start, end]: the start is excluded, the end included.
    assert_eq!(
        cal()
            .workdays_between(d("2024-03-04"), d("2024-03-08"))
            .unwrap(),
        4
    );
}

#[test]
fn past_the_end_is_an_error() {
    assert_eq!(
        cal().add_workdays(d("2099-12-31"), 1),
        Err(CalendarError::PastEnd {
            from: d("2099-12-31"),
            count: 1,
            last: d("2099-12-31"),
        })
    );
    assert_eq!(
        cal().add_workdays(d("2099-12-30"), 1).unwrap(),
        d("2099-12-31")
    );
    assert!(matches!(
        cal().add_workdays(d("2016-01-01"), u32::MAX),
        Err(CalendarError::PastEnd { .. })
    ));
    assert!(matches!(
        cal().add_days_rolled(d("2099-12-25"), 10),
        Err(CalendarError::OutOfRange { date, .. }) if date == d("2100-01-04")
    ));
    assert!(matches!(
        cal().add_days_rolled(d("2016-01-01"), u32::MAX),
        Err(CalendarError::PastEnd { .. })
    ));
}

#[test]
fn add_days_rolled_moves_off_rest_days() {
    // Lands on a working day: stays.
    assert_eq!(
        cal().add_days_rolled(d("2024-09-20"), 10).unwrap(),
        d("2024-09-30")
    );
    // Lands on National Day: the first working day after the break.
    assert_eq!(
        cal().add_days_rolled(d("2024-09-21"), 10).unwrap(),
        d("2024-10-08")
    );
    // Lands on a Sunday that is worked: stays.
    assert_eq!(
        cal().add_days_rolled(d("2025-09-18"), 10).unwrap(),
        d("2025-09-28")
    );
    // Lands in the Spring Festival; the first working day after it is a Sunday worked.
    assert_eq!(
        cal().add_days_rolled(d("2024-02-01"), 15).unwrap(),
        d("2024-02-18")
    );
    // Plain weekend.
    assert_eq!(
        cal().add_days_rolled(d("2024-03-01"), 1).unwrap(),
        d("2024-03-04")
    );
    // n == 0: the day itself, rolled when it is a rest day.
    assert_eq!(
        cal().add_days_rolled(d("2024-03-01"), 0).unwrap(),
        d("2024-03-01")
    );
    assert_eq!(
        cal().add_days_rolled(d("2024-03-02"), 0).unwrap(),
        d("2024-03-04")
    );
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn shanghai_date_turns_at_16_00_utc() {
    assert_eq!(shanghai_date(utc("2024-02-09T15:59:59Z")), d("2024-02-09"));
    assert_eq!(shanghai_date(utc("2024-02-09T16:00:00Z")), d("2024-02-10"));
    assert_eq!(shanghai_date(utc("2026-12-31T15:59:59Z")), d("2026-12-31"));
    assert_eq!(shanghai_date(utc("2026-12-31T16:00:00Z")), d("2027-01-01"));
    assert_eq!(
        shanghai_date(utc("2016-01-01T00:00:00+08:00")),
        d("2016-01-01")
    );
}

const YEAR_2027: &str = "\
year 2027
notice 国办发明电〔2026〕99号 2026-11-01 测试用2027年通知
holiday 2027-01-01..2027-01-03 元旦
workday 2026-12-26 元旦
";

#[test]
fn merge_adds_a_newly_published_year() {
    let mut cal = Calendar::china().clone();
    assert!(!cal.is_workday(d("2026-12-26")).unwrap());
    // Provisionally, Monday 2027-01-04 is the first working day of 2027.
    assert_eq!(
        cal.add_workdays(d("2026-12-31"), 1).unwrap(),
        d("2027-01-04")
    );
    assert!(cal.is_provisional(d("2027-01-04")).unwrap());
    cal.merge(Calendar::parse(YEAR_2027).unwrap()).unwrap();
    assert_eq!(cal.published_years().last(), Some(2027));
    assert!(!cal.is_provisional(d("2027-01-04")).unwrap());
    assert!(cal.is_provisional(d("2028-01-03")).unwrap());
    // The new notice reaches back into December 2026.
    assert_eq!(cal.day_kind(d("2026-12-26")).unwrap(), make_up("元旦"));
    assert_eq!(
        cal.notice_for(d("2026-12-26")).unwrap().unwrap().number,
        "国办发明电〔2026〕99号"
    );
    assert_eq!(
        cal.notice_for(d("2024-02-12")).unwrap().unwrap().number,
        "国办发明电〔2023〕7号"
    );
    // The fixture gives no Spring Festival: a published year has only its notice's
    // holidays, so 2027-02-08 (初二 by the rules) is an ordinary Monday now.
    assert_eq!(cal.day_kind(d("2027-02-08")).unwrap(), DayKind::Workday);
    assert_eq!(
        cal.workdays_between(d("2026-12-25"), d("2027-01-04"))
            .unwrap(),
        6
    );
    // Earlier years answer as before.
    assert_eq!(
        cal.add_workdays(d("2024-09-27"), 1).unwrap(),
        d("2024-09-29")
    );
}

#[test]
fn merge_in_either_order() {
    let mut early = Calendar::parse(YEAR_2027).unwrap();
    early.merge(Calendar::china().clone()).unwrap();
    assert_eq!(early.published_years().count(), 12);
    assert_eq!(early.day_kind(d("2026-12-26")).unwrap(), make_up("元旦"));
}

#[test]
fn merge_refuses_overlap_and_duplicates_and_leaves_the_calendar_unchanged() {
    let mut cal = Calendar::china().clone();
    assert_eq!(
        cal.merge(Calendar::china().clone()).unwrap_err(),
        CalendarError::YearOverlap { year: 2016 }
    );
    // A gap is no longer an error: 2027 stays provisional between 2026 and 2028.
    let y2028 = Calendar::parse(
        &YEAR_2027
            .replace("2027", "2028")
            .replace("workday 2026-12-26 元旦\n", ""),
    )
    .unwrap();
    cal.merge(y2028).unwrap();
    assert!(cal.is_provisional(d("2027-06-01")).unwrap());
    assert!(!cal.is_provisional(d("2028-06-01")).unwrap());
    // Only a notice reaching into the December before its year can clash with the year
    // before: here 2030's own block and 2031's both give Saturday 2030-12-28.
    let mut y2030 = Calendar::parse(
        "year 2030\nnotice A 2029-11-01 T\nholiday 2030-10-01 国庆节\nworkday 2030-12-28 国庆节\n",
    )
    .unwrap();
    let y2031 = "year 2031\nnotice B 2030-11-01 T\nholiday 2030-12-28..2031-01-01 元旦\n";
    assert_eq!(
        y2030.merge(Calendar::parse(y2031).unwrap()).unwrap_err(),
        CalendarError::DuplicateDate {
            date: d("2030-12-28")
        }
    );
    assert_eq!(y2030.published_years().collect::<Vec<_>>(), vec![2030]);
    assert!(y2030.is_workday(d("2030-12-28")).unwrap());
    // A year outside what the rules answer for is refused when read.
    assert!(
        Calendar::parse("year 2100\nnotice A 2099-11-01 T\nholiday 2100-01-01 元旦\n").is_err()
    );
}

/// The provisional rules against the published notices, year by year. Two checks: every
/// rest day the rules predict (statutory holidays and their make-up days, 补休) is a rest
/// day in the notice, with no exception; and the days the provisional calendar gets
/// wrong, all of them the notice's swaps (调休: a weekend worked, a weekday given off to
/// bridge the break), plus 2019's reach into December 2018 and 2020's COVID-19
/// extension. This is the table in the crate docs and README.
#[test]
fn provisional_rules_against_the_notices() {
    let rules = Calendar::rules_only();
    let exact = Calendar::china();
    // (year, days wrong, of which worked weekends, largest move of a 20-working-day due
    // date in calendar days)
    let expected = [
        (2016, 12, 6, 5),
        (2017, 10, 5, 6),
        (2018, 14, 7, 5),
        (2019, 12, 6, 5),
        (2020, 14, 6, 7),
        (2021, 14, 7, 6),
        (2022, 14, 7, 5),
        (2023, 14, 7, 4),
        (2024, 16, 8, 7),
        (2025, 10, 5, 7),
        (2026, 12, 6, 6),
    ];
    let mut table = Vec::new();
    for (year, ..) in expected {
        let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
        let days: Vec<NaiveDate> = jan1
            .iter_days()
            .take_while(|day| chrono::Datelike::year(day) == year)
            .collect();
        for day in &days {
            if let DayKind::Holiday { name } = rules.day_kind(*day).unwrap() {
                assert!(
                    !exact.is_workday(*day).unwrap(),
                    "{day} ({name}) is a rest day by the rules but worked in the notice"
                );
            }
        }
        let wrong: Vec<&NaiveDate> = days
            .iter()
            .filter(|day| rules.is_workday(**day).unwrap() != exact.is_workday(**day).unwrap())
            .collect();
        let worked = wrong
            .iter()
            .filter(|day| exact.is_workday(***day).unwrap())
            .count();
        let moved = days
            .iter()
            .map(|day| {
                let a = rules.add_workdays(*day, 20).unwrap();
                let b = exact.add_workdays(*day, 20).unwrap();
                (a - b).num_days().abs()
            })
            .max()
            .unwrap();
        table.push((year, wrong.len(), worked, moved));
    }
    let expected: Vec<(i32, usize, usize, i64)> =
        expected.iter().map(|&(y, w, k, m)| (y, w, k, m)).collect();
    assert_eq!(table, expected);
}

/// Day-by-day reference for add_workdays.
fn slow_add_workdays(cal: &Calendar, mut day: NaiveDate, mut n: u32) -> Option<NaiveDate> {
    while n > 0 {
        day = day.succ_opt()?;
        if cal.is_workday(day).ok()? {
            n -= 1;
        }
    }
    Some(day)
}

fn covered_day() -> impl Strategy<Value = NaiveDate> {
    let span = (cal().last_day() - cal().first_day()).num_days() as u64;
    (0..=span).prop_map(|i| cal().first_day() + chrono::Days::new(i))
}

proptest! {
    #[test]
    fn add_workdays_lands_on_a_working_day_and_round_trips(day in covered_day(), n in 0u32..400) {
        match cal().add_workdays(day, n) {
            Ok(end) => {
                if n > 0 {
                    prop_assert!(cal().is_workday(end).unwrap());
                    prop_assert!(end > day);
                }
                prop_assert_eq!(cal().workdays_between(day, end).unwrap(), n);
                prop_assert_eq!(Some(end), slow_add_workdays(cal(), day, n));
            }
            Err(CalendarError::PastEnd { .. }) => {
                prop_assert!(cal().workdays_between(day, cal().last_day()).unwrap() < n);
            }
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
    }

    #[test]
    fn add_workdays_is_strictly_increasing_in_n(day in covered_day(), n in 0u32..300) {
        if let (Ok(a), Ok(b)) = (cal().add_workdays(day, n), cal().add_workdays(day, n + 1)) {
            prop_assert!(a < b);
        }
    }

    #[test]
    fn workdays_between_then_add_stays_within(a in covered_day(), b in covered_day()) {
        let (start, end) = if a <= b { (a, b) } else { (b, a) };
        let k = cal().workdays_between(start, end).unwrap();
        let reached = cal().add_workdays(start, k).unwrap();
        prop_assert!(reached <= end);
        prop_assert_eq!(reached == end, end == start || cal().is_workday(end).unwrap());
        prop_assert_eq!(cal().workdays_between(end, start).unwrap(), 0);
    }

    #[test]
    fn add_days_rolled_is_the_first_working_day_on_or_after_d_plus_n(day in covered_day(), n in 0u32..60) {
        if let Ok(end) = cal().add_days_rolled(day, n) {
            let plain = day + chrono::Days::new(u64::from(n));
            prop_assert!(end >= plain);
            prop_assert!(cal().is_workday(end).unwrap());
            let mut between = plain;
            while between < end {
                prop_assert!(!cal().is_workday(between).unwrap());
                between = between.succ_opt().unwrap();
            }
        }
    }

    #[test]
    fn shanghai_date_is_utc_plus_8(secs in 1_451_606_400i64..1_830_297_600i64) {
        let ts = DateTime::from_timestamp(secs, 0).unwrap();
        let shifted = DateTime::from_timestamp(secs + 8 * 3600, 0).unwrap();
        prop_assert_eq!(shanghai_date(ts), shifted.date_naive());
    }

    #[test]
    fn parse_never_panics(text in "(year|notice|holiday|workday|20[0-9]{2}-[01][0-9]-[0-3][0-9]|\\.\\.| |\n|元旦|#|x){0,40}") {
        let _ = Calendar::parse(&text);
    }
}
