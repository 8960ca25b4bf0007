//! The statutory working-day calendar of the People's Republic of China, and the deadline
//! arithmetic that case handling (限时办结), transfers and disclosure are counted in.
//!
//! # What it knows
//!
//! Every statutory holiday and every make-up working day (调休上班) of 2016–2026, from the
//! State Council General Office's annual notices (国务院办公厅关于YYYY年部分节假日安排的通知,
//! 国办发明电) and the notices that changed them (2019's longer Labour Day, 国办发明电〔2019〕3号;
//! 2020's Spring Festival extended to 2 February, 国办发明电〔2020〕1号). Each date carries the
//! notice it comes from ([`Calendar::notice_for`]). The data is `data/cn-holidays.txt`,
//! embedded at build time and cross-checked day by day against two independent sources
//! (the PyPI packages `chinesecalendar` 1.11.0 and `holidays` 0.109, both MIT).
//!
//! A day is a **working day** when it is a make-up working day, or a Monday–Friday that no
//! notice gives off. Every other day is a **rest day** (weekend or holiday).
//!
//! # What it must never do
//!
//! Guess. A date outside the covered years is [`CalendarError::OutOfRange`], never
//! "probably a weekday": the next year's notice is published around November, and until it
//! is added (with [`Calendar::parse`] + [`Calendar::merge`], no rebuild needed) nothing
//! about that year is known. Note that a notice may also reach back into the December
//! before its year (2019's notice made Saturday 2018-12-29 a working day); answers about
//! the last days of the final covered year can therefore still change when the next year's
//! notice is added.
//!
//! It does no I/O, and never panics on its inputs.
//!
//! # The counting rule
//!
//! "Within N working days of D" (…之日起N个工作日内): D itself is day 0 and never counts,
//! whatever kind of day it is; the first working day **after** D is day 1; the deadline
//! (the last day to act) is the date of day N. This is [`Calendar::add_workdays`].
//! [`Calendar::workdays_between`] counts the working days in `(start, end]`, so that
//!
//! * `workdays_between(d, add_workdays(d, n)) == n`, and
//! * `add_workdays(d, workdays_between(d, e)) <= e` for `e >= d`, with equality exactly
//!   when `e` is a working day or `e == d`.
//!
//! Example: Friday 2024-09-27 + 1 working day is **Sunday 2024-09-29**, a make-up working
//! day for National Day; + 2 is Monday 2024-09-30; + 3 is Tuesday 2024-10-08.
//!
//! Periods in natural days ("within N days", 期间) are [`Calendar::add_days_rolled`]: D + N,
//! moved to the next working day when it falls on a rest day.

#![deny(missing_docs)]

mod data;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::RangeInclusive;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeDelta, Utc, Weekday};

use data::Special;

/// The embedded data: statutory holidays and make-up working days, 2016–2026.
const CHINA_DATA: &str = include_str!("../data/cn-holidays.txt");

/// Why a calendar question could not be answered, or calendar data not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The date is outside the years the calendar covers.
    #[error("{date} is outside the working-day calendar, which covers {first} to {last}")]
    OutOfRange {
        /// The date asked about.
        date: NaiveDate,
        /// First covered day (January 1 of the first year).
        first: NaiveDate,
        /// Last covered day (December 31 of the last year).
        last: NaiveDate,
    },
    /// The start is covered, but the answer lies beyond the last covered day.
    #[error("counting {count} days from {from} goes past {last}, the last day the working-day calendar covers")]
    PastEnd {
        /// The start date.
        from: NaiveDate,
        /// The number of (working or natural) days asked for.
        count: u32,
        /// Last covered day.
        last: NaiveDate,
    },
    /// Calendar data could not be read.
    #[error("calendar data, line {line}: {reason}")]
    Data {
        /// 1-based line of the data (0 when the problem is the file as a whole).
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// Two calendars to merge both cover this year.
    #[error("cannot merge calendars: both cover year {year}")]
    YearOverlap {
        /// The year in both.
        year: i32,
    },
    /// Two calendars to merge would leave a gap of uncovered years.
    #[error("cannot merge calendars: years {have_first}–{have_last} and {add_first}–{add_last} are not contiguous")]
    NotContiguous {
        /// First year of the calendar merged into.
        have_first: i32,
        /// Last year of the calendar merged into.
        have_last: i32,
        /// First year of the calendar added.
        add_first: i32,
        /// Last year of the calendar added.
        add_last: i32,
    },
    /// Two calendars to merge both say something about this date.
    #[error("cannot merge calendars: both give {date}")]
    DuplicateDate {
        /// The date given by both.
        date: NaiveDate,
    },
    /// Text that is not a date in the form `YYYY-MM-DD`.
    #[error("not a date in the form YYYY-MM-DD: {input:?}")]
    BadDate {
        /// The text (shortened when long).
        input: String,
    },
}

/// What kind of day a date is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DayKind {
    /// A Monday–Friday no notice gives off.
    Workday,
    /// A Saturday or Sunday that is neither a holiday nor worked.
    Weekend,
    /// A day off given by a notice (the statutory holiday and the days swapped onto it,
    /// 放假调休), including the weekend days the break joins.
    Holiday {
        /// The holiday as the notice names it, e.g. `春节` or `中秋节、国庆节`.
        name: String,
    },
    /// A Saturday or Sunday worked in exchange for a holiday (调休上班).
    MakeUpWorkday {
        /// The holiday the day is worked for, as the notice names it.
        for_holiday: String,
    },
}

impl DayKind {
    /// True for [`DayKind::Workday`] and [`DayKind::MakeUpWorkday`].
    pub fn is_workday(&self) -> bool {
        matches!(self, DayKind::Workday | DayKind::MakeUpWorkday { .. })
    }
}

impl fmt::Display for DayKind {
    /// In Chinese, as an officer reads it: `工作日`, `周末`, the holiday's name, or
    /// `春节调休上班`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DayKind::Workday => f.write_str("工作日"),
            DayKind::Weekend => f.write_str("周末"),
            DayKind::Holiday { name } => f.write_str(name),
            DayKind::MakeUpWorkday { for_holiday } => write!(f, "{for_holiday}调休上班"),
        }
    }
}

/// One State Council document that the calendar's dates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The year whose arrangement it sets.
    pub year: i32,
    /// The document number (文号), e.g. `国办发明电〔2023〕7号`.
    pub number: String,
    /// The date it was published.
    pub published: NaiveDate,
    /// Its title, e.g. `国务院办公厅关于2024年部分节假日安排的通知`.
    pub title: String,
}

/// The working-day calendar: which days are working days, for a contiguous run of years.
///
/// Build it once ([`Calendar::china`] or [`Calendar::parse`]) and ask many questions: every
/// question costs O(1) or O(log days).
#[derive(Debug, Clone)]
pub struct Calendar {
    first_year: i32,
    last_year: i32,
    first: NaiveDate,
    last: NaiveDate,
    notices: Vec<Notice>,
    /// Everything the notices say, including dates just outside the covered years (a
    /// notice's December entries for the year before), which count once that year is merged.
    special: BTreeMap<NaiveDate, Special>,
    /// `cumulative[i]` = number of working days from `first` to `first + i`, both included.
    cumulative: Vec<u32>,
}

impl Calendar {
    /// The calendar of China from the embedded notices, 2016-01-01 to 2026-12-31.
    pub fn china() -> &'static Calendar {
        static CHINA: OnceLock<Calendar> = OnceLock::new();
        CHINA.get_or_init(|| {
            // The embedded data is part of the build, not outside input; the test
            // `embedded_data_parses` fails the build's tests if it is ever broken.
            Calendar::parse(CHINA_DATA).expect("embedded holiday data is valid")
        })
    }

    /// Reads calendar data in the format of the embedded file (see
    /// `data/cn-holidays.txt`). This lets an installation add a newly published year
    /// without a rebuild: parse its file, then [`Calendar::merge`] it into
    /// [`Calendar::china`]'s clone.
    pub fn parse(text: &str) -> Result<Calendar, CalendarError> {
        let parsed = data::parse(text)?;
        let first_year = parsed.years[0];
        let last_year = parsed.years[parsed.years.len() - 1];
        Calendar::build(first_year, last_year, parsed.notices, parsed.special)
    }

    fn build(
        first_year: i32,
        last_year: i32,
        notices: Vec<Notice>,
        special: BTreeMap<NaiveDate, Special>,
    ) -> Result<Calendar, CalendarError> {
        let year_error = |year: i32| CalendarError::Data {
            line: 0,
            reason: format!("year {year} is out of range"),
        };
        let first =
            NaiveDate::from_ymd_opt(first_year, 1, 1).ok_or_else(|| year_error(first_year))?;
        let last =
            NaiveDate::from_ymd_opt(last_year, 12, 31).ok_or_else(|| year_error(last_year))?;
        let mut cumulative = Vec::new();
        let mut count: u32 = 0;
        for d in first.iter_days().take_while(|d| *d <= last) {
            let working = match special.get(&d) {
                Some(s) => !s.rest,
                None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
            };
            count += u32::from(working);
            cumulative.push(count);
        }
        Ok(Calendar {
            first_year,
            last_year,
            first,
            last,
            notices,
            special,
            cumulative,
        })
    }

    /// Adds the years of `other`, which must neither overlap this calendar's years nor
    /// leave a gap, and must not give a date this one gives. On error `self` is unchanged.
    pub fn merge(&mut self, other: Calendar) -> Result<(), CalendarError> {
        if other.first_year <= self.last_year && self.first_year <= other.last_year {
            return Err(CalendarError::YearOverlap {
                year: other.first_year.max(self.first_year),
            });
        }
        if other.first_year != self.last_year + 1 && other.last_year + 1 != self.first_year {
            return Err(CalendarError::NotContiguous {
                have_first: self.first_year,
                have_last: self.last_year,
                add_first: other.first_year,
                add_last: other.last_year,
            });
        }
        if let Some(date) = other.special.keys().find(|d| self.special.contains_key(d)) {
            return Err(CalendarError::DuplicateDate { date: *date });
        }
        let offset = self.notices.len();
        let mut notices = self.notices.clone();
        notices.extend(other.notices);
        let mut special = self.special.clone();
        special.extend(other.special.into_iter().map(|(d, mut s)| {
            s.notice += offset;
            (d, s)
        }));
        *self = Calendar::build(
            self.first_year.min(other.first_year),
            self.last_year.max(other.last_year),
            notices,
            special,
        )?;
        Ok(())
    }

    /// The first covered day (January 1 of the first year).
    pub fn first_day(&self) -> NaiveDate {
        self.first
    }

    /// The last covered day (December 31 of the last year).
    pub fn last_day(&self) -> NaiveDate {
        self.last
    }

    /// The covered years.
    pub fn years(&self) -> RangeInclusive<i32> {
        self.first_year..=self.last_year
    }

    /// The documents the calendar's dates come from.
    pub fn notices(&self) -> &[Notice] {
        &self.notices
    }

    fn index(&self, d: NaiveDate) -> Result<usize, CalendarError> {
        if d < self.first || d > self.last {
            return Err(CalendarError::OutOfRange {
                date: d,
                first: self.first,
                last: self.last,
            });
        }
        Ok((d - self.first).num_days().unsigned_abs() as usize)
    }

    fn date_at(&self, i: usize) -> NaiveDate {
        // `i` indexes `cumulative`, which holds one entry per day from `first` to `last`,
        // so the addition stays within chrono's range.
        self.first
            .checked_add_days(Days::new(i as u64))
            .unwrap_or(self.last)
    }

    fn working_at(&self, i: usize) -> bool {
        let before = if i == 0 { 0 } else { self.cumulative[i - 1] };
        self.cumulative[i] > before
    }

    /// Index of the first working day whose running count reaches `target`, if covered.
    fn reaching(&self, target: u64) -> Option<usize> {
        let i = self.cumulative.partition_point(|&c| u64::from(c) < target);
        (i < self.cumulative.len()).then_some(i)
    }

    /// Whether `d` is a working day.
    pub fn is_workday(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        let i = self.index(d)?;
        Ok(self.working_at(i))
    }

    /// What kind of day `d` is.
    pub fn day_kind(&self, d: NaiveDate) -> Result<DayKind, CalendarError> {
        self.index(d)?;
        Ok(match self.special.get(&d) {
            Some(s) if s.rest => DayKind::Holiday {
                name: s.name.clone(),
            },
            Some(s) => DayKind::MakeUpWorkday {
                for_holiday: s.name.clone(),
            },
            None if matches!(d.weekday(), Weekday::Sat | Weekday::Sun) => DayKind::Weekend,
            None => DayKind::Workday,
        })
    }

    /// The notice that made `d` a holiday or a make-up working day; `None` for an
    /// ordinary working day or weekend.
    pub fn notice_for(&self, d: NaiveDate) -> Result<Option<&Notice>, CalendarError> {
        self.index(d)?;
        Ok(self
            .special
            .get(&d)
            .and_then(|s| self.notices.get(s.notice)))
    }

    /// "Within N working days of D" (…之日起N个工作日内): the first working day **after** `d`
    /// is day 1; returns the date of day `n`, the last day to act. `n == 0` returns `d`
    /// itself, whatever kind of day it is.
    ///
    /// Where a law counts short periods in working days it says so, e.g. 行政处罚法
    /// 第八十五条: "本法中'二日''三日''五日''七日'的规定是指工作日，不含法定节假日".
    ///
    /// Errors: `d` outside the calendar ([`CalendarError::OutOfRange`]), or day `n` after
    /// the last covered day ([`CalendarError::PastEnd`]).
    pub fn add_workdays(&self, d: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let i = self.index(d)?;
        if n == 0 {
            return Ok(d);
        }
        let target = u64::from(self.cumulative[i]) + u64::from(n);
        match self.reaching(target) {
            Some(j) => Ok(self.date_at(j)),
            None => Err(CalendarError::PastEnd {
                from: d,
                count: n,
                last: self.last,
            }),
        }
    }

    /// The number of working days in `(start, end]`: `start` excluded, `end` included;
    /// 0 when `end <= start`. Thus `workdays_between(d, add_workdays(d, n)) == n`, and
    /// `add_workdays(d, workdays_between(d, e)) <= e` (equal when `e` is a working day).
    ///
    /// Both dates must be covered, even when `end <= start`.
    pub fn workdays_between(&self, start: NaiveDate, end: NaiveDate) -> Result<u32, CalendarError> {
        let i = self.index(start)?;
        let j = self.index(end)?;
        Ok(if j <= i {
            0
        } else {
            self.cumulative[j] - self.cumulative[i]
        })
    }

    /// "Within N days" in natural days (期间): `d + n`, and when that last day is a rest day
    /// (weekend or holiday), the first working day after it. A make-up working day counts
    /// as a working day, so a period may end on a Saturday that is worked.
    ///
    /// The rule, in the words of 民事诉讼法 第八十五条 (2021年修正): 期间开始的时和日，不计算在
    /// 期间内。期间届满的最后一日是法定休假日的，以法定休假日后的第一日为期间届满的日期。
    /// 市场监督管理行政处罚程序规定 says the same for its periods (期间届满的最后一日为法定节假日的，
    /// 以法定节假日后的第一日为期间届满的日期), as does 行政诉讼法. Weekends count as rest days
    /// here, as they do in those rules' practice. `n == 0` gives `d`,
    /// moved to the next working day when `d` is a rest day.
    ///
    /// Errors: `d` or `d + n` outside the calendar ([`CalendarError::OutOfRange`]), or the
    /// next working day after the last covered day ([`CalendarError::PastEnd`]).
    pub fn add_days_rolled(&self, d: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        self.index(d)?;
        let past_end = || CalendarError::PastEnd {
            from: d,
            count: n,
            last: self.last,
        };
        let end = d
            .checked_add_days(Days::new(u64::from(n)))
            .ok_or_else(past_end)?;
        let i = self.index(end)?;
        if self.working_at(i) {
            return Ok(end);
        }
        let target = u64::from(self.cumulative[i]) + 1;
        self.reaching(target)
            .map(|j| self.date_at(j))
            .ok_or_else(past_end)
    }
}

/// Reads a date written exactly `YYYY-MM-DD` (four-digit year, two-digit month and day).
/// Stricter than chrono's `%Y-%m-%d`, which also takes `2024-2-4` and `+2024-02-04`.
pub fn parse_date(s: &str) -> Result<NaiveDate, CalendarError> {
    let bad = || CalendarError::BadDate {
        input: s.chars().take(40).collect(),
    };
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return Err(bad());
    };
    // y < 10_000, so the cast is exact.
    NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(bad)
}

/// The calendar date of a timestamp in Asia/Shanghai (China Standard Time).
///
/// A fixed UTC+8 is exact for every instant since 1991: China observed daylight saving time
/// only from 1986 to 1991, and the whole country has kept one zone (UTC+8, no DST) since,
/// so no time zone database is needed for the calendar's years (2016 on). (For the last
/// eight hours chrono can represent, whose date would not fit, the latest date is returned.)
pub fn shanghai_date(ts: DateTime<Utc>) -> NaiveDate {
    ts.naive_utc()
        .checked_add_signed(TimeDelta::hours(8))
        .map_or(NaiveDate::MAX, |local| local.date())
}

#[cfg(test)]
mod tests;
