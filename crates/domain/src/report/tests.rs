use super::*;
use crate::org::AdminLevel;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn agency(t: AgencyType) -> OrgKind {
    OrgKind::Agency {
        agency_type: t,
        level: AdminLevel::City,
    }
}

fn due_of(kind: ReportKind, p: &str, org: &OrgKind) -> Due {
    due(kind, p.parse().unwrap(), org, Calendar::china()).unwrap()
}

#[test]
fn periods_parse_and_print() {
    for s in [
        "2026-W49", "2026-11", "2026-H2", "2026-W53", "2026-W01", "2027-01",
    ] {
        assert_eq!(s.parse::<Period>().unwrap().to_string(), s);
    }
    assert_eq!(
        "2026-w9".parse::<Period>().unwrap(),
        Period::Week {
            year: 2026,
            week: 9
        }
    );
    let p: Period = "2026-W49".parse().unwrap();
    assert_eq!(p.first_day(), d("2026-11-30"));
    assert_eq!(p.end_day(), d("2026-12-07"));
    assert_eq!(p.label_zh(), "2026年第49周(11月30日—12月6日)");
    let h: Period = "2026-H2".parse().unwrap();
    assert_eq!(
        (h.first_day(), h.end_day()),
        (d("2026-07-01"), d("2027-01-01"))
    );
    assert_eq!(h.next().to_string(), "2027-H1");
    assert_eq!(
        "2026-12".parse::<Period>().unwrap().next().to_string(),
        "2027-01"
    );
    assert_eq!(
        "2026-W53".parse::<Period>().unwrap().next().to_string(),
        "2027-W01"
    );
    assert_eq!(
        "2027-W01".parse::<Period>().unwrap().prev().to_string(),
        "2026-W53"
    );
    // China's midnight is 16:00 UTC the day before.
    assert_eq!(p.window().0.to_rfc3339(), "2026-11-29T16:00:00+00:00");
}

#[test]
fn bad_periods_name_the_input() {
    for (s, why) in [
        ("2026-W54", "2026 has ISO weeks 1-53"),
        ("2027-W53", "2027 has ISO weeks 1-52"),
        ("2026-13", "the month is 01-12"),
        ("2026-H3", "the half is H1 or H2"),
        ("26-11", "year '26'"),
        ("2026", "no '-'"),
        ("2026-Wx", "week 'x' is not a number"),
        ("", "no '-'"),
    ] {
        let e = s.parse::<Period>().unwrap_err().to_string();
        assert!(e.contains(&format!("'{s}'")), "{e}");
        assert!(e.contains(why), "{s}: {e}");
    }
    let e = Period::parse_for(ReportKind::Monthly, "2026-W49")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "period '2026-W49' is a week; a monthly report covers a month"
    );
    assert!("weekly".parse::<ReportKind>().is_err());
    assert_eq!(
        "half-year".parse::<ReportKind>().unwrap(),
        ReportKind::HalfYear
    );
}

#[test]
fn weekly_due_on_friday_or_the_last_working_day_before() {
    let a = agency(AgencyType::MarketRegulation);
    let w = due_of(ReportKind::CaseProgress, "2026-W49", &a);
    assert_eq!(
        (w.nominal, w.due, w.provisional),
        (d("2026-12-04"), d("2026-12-04"), false)
    );
    // Friday 2026-09-25 is 中秋节: Thursday.
    assert_eq!(
        due_of(ReportKind::CaseProgress, "2026-W39", &a).due,
        d("2026-09-24")
    );
    // National Day week: Thursday 1 and Friday 2 October off: Wednesday 30 September.
    assert_eq!(
        due_of(ReportKind::CaseProgress, "2026-W40", &a).due,
        d("2026-09-30")
    );
    // Spring Festival 2026-02-15..23 covers Monday to Friday of W08: the first working day
    // after, Tuesday 24 February.
    assert_eq!(
        due_of(ReportKind::CaseProgress, "2026-W08", &a).due,
        d("2026-02-24")
    );
    // Across the year turn: W53 of 2026 ends on Friday 1 January 2027 (元旦, from the
    // statutory rules: no 2027 notice), so Thursday 31 December, provisional.
    let t = due_of(ReportKind::CaseProgress, "2026-W53", &a);
    assert_eq!(
        (t.nominal, t.due, t.provisional),
        (d("2027-01-01"), d("2026-12-31"), true)
    );
}

#[test]
fn monthly_on_the_25th_or_the_30th_for_commerce() {
    let a = agency(AgencyType::MarketRegulation);
    let c = agency(AgencyType::Commerce);
    // Saturday 25 April 2026: Friday 24.
    assert_eq!(
        due_of(ReportKind::Monthly, "2026-04", &a).due,
        d("2026-04-24")
    );
    assert_eq!(
        due_of(ReportKind::Monthly, "2026-11", &a).due,
        d("2026-11-25")
    );
    // Commerce: the 30th; February has none: the 28th, a 调休 working Saturday in 2026.
    let f = due_of(ReportKind::Monthly, "2026-02", &c);
    assert_eq!((f.nominal, f.due), (d("2026-02-28"), d("2026-02-28")));
    assert!(f.source.contains("003"));
    assert_eq!(
        due_of(ReportKind::Monthly, "2026-11", &c).due,
        d("2026-11-30")
    );
    let p = due_of(ReportKind::Monthly, "2027-02", &a);
    assert_eq!((p.due, p.provisional), (d("2027-02-25"), true));
}

#[test]
fn half_year_on_25_june_and_25_december() {
    let a = agency(AgencyType::Police);
    assert_eq!(
        due_of(ReportKind::HalfYear, "2026-H1", &a).due,
        d("2026-06-25")
    );
    assert_eq!(
        due_of(ReportKind::HalfYear, "2026-H2", &a).due,
        d("2026-12-25")
    );
    // Saturday 25 December 2027: Friday 24, provisional.
    let h = due_of(ReportKind::HalfYear, "2027-H2", &a);
    assert_eq!((h.due, h.provisional), (d("2027-12-24"), true));
}

#[test]
fn dues_between_lists_each_unit_its_reports_across_the_year_turn() {
    let a = agency(AgencyType::MarketRegulation);
    let v = dues_between(&a, d("2026-12-20"), d("2027-01-10"), Calendar::china()).unwrap();
    let got: Vec<String> = v
        .iter()
        .map(|x| format!("{} {} {}", x.kind, x.period, x.due))
        .collect();
    assert_eq!(
        got,
        [
            "case-progress 2026-W52 2026-12-25",
            "monthly 2026-12 2026-12-25",
            "half-year 2026-H2 2026-12-25",
            "case-progress 2026-W53 2026-12-31",
            "case-progress 2027-W01 2027-01-08",
        ]
    );
    let p = dues_between(
        &OrgKind::Platform,
        d("2026-12-01"),
        d("2026-12-06"),
        Calendar::china(),
    )
    .unwrap();
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].kind, ReportKind::PlatformWeekly);
    assert!(dues_between(
        &OrgKind::CoordinationOffice,
        d("2026-12-01"),
        d("2026-12-31"),
        Calendar::china()
    )
    .unwrap()
    .is_empty());
}

#[test]
fn yuan_from_fen() {
    assert_eq!(fen_to_yuan(123456), "1234.56");
    assert_eq!(fen_to_yuan(5), "0.05");
    assert_eq!(fen_to_yuan(-5), "-0.05");
    assert_eq!(fen_to_yuan(0), "0.00");
}
