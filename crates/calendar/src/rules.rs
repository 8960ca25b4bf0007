//! The statutory holidays as the law sets them, for years without a State Council notice.
//!
//! 全国年节及纪念日放假办法 (the Measures on national holidays) fixes which days are
//! holidays for all citizens (第二条) and that a holiday falling on a Saturday or Sunday is
//! made up on a working day (第六条: 全体公民放假的假日，如果适逢星期六、星期日，应当在工作日
//! 补假). What it leaves to the yearly notice is the swap of working days (调休: 第七条 of the
//! 2024 text), which no rule predicts. So for a year without its notice the calendar answers
//! from [`REVISIONS`]: the statutory days, a make-up day (补休) for each one lost to a
//! weekend or to another holiday, and every other Saturday and Sunday a rest day. Such
//! answers are **provisional** and flagged as such; the notice, once loaded, replaces them.
//!
//! The make-up day is the first Monday–Friday after the holiday that is not already a rest
//! day: what every notice of 2016–2026 did (checked by the `rules_agree_with_the_notices`
//! test, which also counts the days the swaps of each year move).
//!
//! Lunar dates (春节, 端午, 中秋) come from ICU4X's Chinese calendar (`icu_calendar`, whose
//! data agrees with the Purple Mountain and Hong Kong observatories' tables to 2100, GB/T
//! 33661-2017); the Qingming solar term from `tyme4rs` (寿星天文历 algorithm). Neither is a
//! hand-made table.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use icu_calendar::types::Month;
use icu_calendar::{Date, Iso};

/// The years the rules are applied to. From 2000, the first whole year under the 1999
/// revision (the oldest one in [`REVISIONS`]); to 2099, since `icu_calendar` carries
/// observatory data for the Chinese calendar until 2100 and only approximates after.
pub(crate) const YEARS: std::ops::RangeInclusive<i32> = 2000..=2099;

/// How many days the Spring Festival gives, and from which lunar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpringFestival {
    /// 正月初一、初二、初三.
    FirstToThird,
    /// 农历除夕、正月初一、初二.
    EveToSecond,
    /// 农历除夕、正月初一至初三.
    EveToThird,
}

/// One revision of 全国年节及纪念日放假办法: the holidays of 第二条 for all citizens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// The first year the revision governs (each took effect on or before 1 January).
    pub from_year: i32,
    /// The decree that made it, as cited.
    pub decree: &'static str,
    /// Its date in force.
    pub in_force: &'static str,
    /// 春节.
    pub spring_festival: SpringFestival,
    /// Days of 劳动节 from 1 May.
    pub labour_days: u32,
    /// Whether 清明节, 端午节 and 中秋节 are holidays (one day each, since 2008).
    pub traditional_festivals: bool,
}

/// Every revision since 1999, oldest first. 元旦 (1 January, one day) and 国庆节 (1–3
/// October) are the same in all of them.
pub const REVISIONS: [Revision; 4] = [
    // 国务院关于修改《全国年节及纪念日放假办法》的决定, 国务院令第270号, 1999-09-18.
    Revision {
        from_year: 2000,
        decree: "国务院令第270号",
        in_force: "1999-09-18",
        spring_festival: SpringFestival::FirstToThird,
        labour_days: 3,
        traditional_festivals: false,
    },
    // 国务院令第513号, 2007-12-14, in force 2008-01-01: Labour Day cut to one day;
    // 清明、端午、中秋 added; the Spring Festival starts on 除夕.
    Revision {
        from_year: 2008,
        decree: "国务院令第513号",
        in_force: "2008-01-01",
        spring_festival: SpringFestival::EveToSecond,
        labour_days: 1,
        traditional_festivals: true,
    },
    // 国务院令第644号, 2013-12-11, in force 2014-01-01: the Spring Festival back to
    // 初一至初三 (除夕 no longer a holiday).
    Revision {
        from_year: 2014,
        decree: "国务院令第644号",
        in_force: "2014-01-01",
        spring_festival: SpringFestival::FirstToThird,
        labour_days: 1,
        traditional_festivals: true,
    },
    // 国务院令第795号, 2024-11-12, in force 2025-01-01: 除夕 added to the Spring
    // Festival (4 days), 5月2日 to Labour Day (2 days).
    Revision {
        from_year: 2025,
        decree: "国务院令第795号",
        in_force: "2025-01-01",
        spring_festival: SpringFestival::EveToThird,
        labour_days: 2,
        traditional_festivals: true,
    },
];

/// The revision that governs `year`, if the rules are applied to it.
pub fn revision_for(year: i32) -> Option<&'static Revision> {
    if !YEARS.contains(&year) {
        return None;
    }
    REVISIONS.iter().rev().find(|r| r.from_year <= year)
}

/// A rest day the rules give: the festival's name, or `NAME补休` for a made-up day.
pub(crate) type RuleDays = BTreeMap<NaiveDate, String>;

/// The rest days the rules give in every year of [`YEARS`], computed once.
pub(crate) fn rest_days() -> &'static RuleDays {
    static DAYS: OnceLock<RuleDays> = OnceLock::new();
    DAYS.get_or_init(|| {
        let mut all = RuleDays::new();
        for year in YEARS {
            all.extend(year_rest_days(year));
        }
        all
    })
}

fn ymd(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The Gregorian date of lunar month `month`, day `day` of the Chinese year that begins in
/// `year` (ICU4X's "related ISO" year).
fn lunar(year: i32, month: u8, day: u8) -> Option<NaiveDate> {
    let iso = Date::try_new_chinese_traditional(year, Month::new(month), day)
        .ok()?
        .to_calendar(Iso);
    ymd(
        iso.year().extended_year(),
        u32::from(iso.month().ordinal),
        u32::from(iso.day_of_month().0),
    )
}

/// The day of the Qingming solar term (the sun at 15° ecliptic longitude) in Beijing time.
fn qingming(year: i32) -> Option<NaiveDate> {
    let day = tyme4rs::tyme::solar::SolarTerm::new(year as isize, "清明")
        .ok()?
        .get_solar_day();
    ymd(
        i32::try_from(day.get_year()).ok()?,
        u32::try_from(day.get_month()).ok()?,
        u32::try_from(day.get_day()).ok()?,
    )
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The statutory holidays of `year`, festival by festival, each with its days.
pub(crate) fn festivals(year: i32) -> Vec<(&'static str, Vec<NaiveDate>)> {
    let Some(rev) = revision_for(year) else {
        return Vec::new();
    };
    let run = |first: Option<NaiveDate>, n: u32| -> Vec<NaiveDate> {
        first
            .map(|f| f.iter_days().take(n as usize).collect())
            .unwrap_or_default()
    };
    let new_year = lunar(year, 1, 1);
    let eve = new_year.and_then(|d| d.checked_sub_days(Days::new(1)));
    let spring = match rev.spring_festival {
        SpringFestival::FirstToThird => run(new_year, 3),
        SpringFestival::EveToSecond => run(eve, 3),
        SpringFestival::EveToThird => run(eve, 4),
    };
    let mut out = vec![
        ("元旦", run(ymd(year, 1, 1), 1)),
        ("春节", spring),
        ("劳动节", run(ymd(year, 5, 1), rev.labour_days)),
        ("国庆节", run(ymd(year, 10, 1), 3)),
    ];
    if rev.traditional_festivals {
        out.push(("清明节", run(qingming(year), 1)));
        out.push(("端午节", run(lunar(year, 5, 5), 1)));
        out.push(("中秋节", run(lunar(year, 8, 15), 1)));
    }
    out.sort_by_key(|(_, days)| days.first().copied());
    out
}

/// The rest days the rules give in `year`: the statutory days, and for each one that falls
/// on a weekend or on another festival's day, a make-up day (补休) on the first Monday to
/// Friday after the festival that is not yet a rest day (第六条).
pub(crate) fn year_rest_days(year: i32) -> RuleDays {
    let mut days = RuleDays::new();
    for (name, festival) in festivals(year) {
        let mut lost = 0;
        for d in &festival {
            if is_weekend(*d) || days.contains_key(d) {
                lost += 1;
            }
            days.entry(*d).or_insert_with(|| name.to_owned());
        }
        let Some(mut d) = festival.last().copied() else {
            continue;
        };
        while lost > 0 {
            let Some(next) = d.checked_add_days(Days::new(1)) else {
                break;
            };
            d = next;
            if !is_weekend(d) && !days.contains_key(&d) {
                days.insert(d, format!("{name}补休"));
                lost -= 1;
            }
        }
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        crate::parse_date(s).unwrap()
    }

    #[test]
    fn lunar_festivals_match_the_published_dates() {
        // 春节 (初一), 端午, 中秋 and 清明 as the notices of 2016–2026 give them.
        let known = [
            (2016, "2016-02-08", "2016-06-09", "2016-09-15", "2016-04-04"),
            (2020, "2020-01-25", "2020-06-25", "2020-10-01", "2020-04-04"),
            (2023, "2023-01-22", "2023-06-22", "2023-09-29", "2023-04-05"),
            (2025, "2025-01-29", "2025-05-31", "2025-10-06", "2025-04-04"),
            (2026, "2026-02-17", "2026-06-19", "2026-09-25", "2026-04-05"),
            // Beyond the data, from the observatories' published tables.
            (2027, "2027-02-06", "2027-06-09", "2027-09-15", "2027-04-05"),
            (2028, "2028-01-26", "2028-05-28", "2028-10-03", "2028-04-04"),
        ];
        for (year, cny, duanwu, zhongqiu, qm) in known {
            assert_eq!(lunar(year, 1, 1), Some(date(cny)), "{year} 春节");
            assert_eq!(lunar(year, 5, 5), Some(date(duanwu)), "{year} 端午");
            assert_eq!(lunar(year, 8, 15), Some(date(zhongqiu)), "{year} 中秋");
            assert_eq!(qingming(year), Some(date(qm)), "{year} 清明");
        }
    }

    #[test]
    fn every_year_has_its_festivals() {
        for year in YEARS {
            let f = festivals(year);
            let expected = if year < 2008 { 4 } else { 7 };
            assert_eq!(f.len(), expected, "{year}");
            assert!(f.iter().all(|(_, days)| !days.is_empty()), "{year}");
        }
    }

    #[test]
    fn revisions_by_year() {
        assert_eq!(revision_for(1999), None);
        assert_eq!(revision_for(2007).unwrap().decree, "国务院令第270号");
        assert_eq!(revision_for(2008).unwrap().decree, "国务院令第513号");
        assert_eq!(revision_for(2024).unwrap().decree, "国务院令第644号");
        assert_eq!(revision_for(2027).unwrap().decree, "国务院令第795号");
        assert_eq!(revision_for(2100), None);
    }

    #[test]
    fn make_up_days_2027() {
        // 2027: 国庆节 1–3 October is Friday–Sunday, so Monday 4 and Tuesday 5 are made up.
        let days = year_rest_days(2027);
        assert_eq!(days[&date("2027-10-04")], "国庆节补休");
        assert_eq!(days[&date("2027-10-05")], "国庆节补休");
        assert!(!days.contains_key(&date("2027-10-06")));
        // 春节 2027: 除夕 Friday 5 February to 初三 Monday 8; Saturday and Sunday lost.
        for d in ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"] {
            assert_eq!(days[&date(d)], "春节", "{d}");
        }
        assert_eq!(days[&date("2027-02-09")], "春节补休");
        assert_eq!(days[&date("2027-02-10")], "春节补休");
    }
}
