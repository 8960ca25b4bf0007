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
//! (the PyPI packages `chinesecalendar` 1.11.0 and `holidays` 0.109, both MIT). More
//! notices are added at run time ([`Calendar::parse`] + [`Calendar::merge`]; the store keeps
//! the ones an administrator loaded).
//!
//! For every other year from 2000 to 2099 it answers **provisionally** from the statutory
//! rules (全国年节及纪念日放假办法, in the revision in force that year: [`REVISIONS`]): the
//! holidays of 第二条, a make-up day (补休) for each one lost to a weekend (第六条), every
//! other Saturday and Sunday a rest day, and no swapped working days (调休), which only the
//! notice can give. Lunar festivals come from ICU4X's Chinese calendar, the Qingming solar
//! term from `tyme4rs`; see `rules.rs`. Against the notices of 2016–2026 the rules predict
//! every holiday and make-up day right; what they miss are the swaps, 10 to 16 days a year
//! (5 to 8 weekend days worked and as many weekdays given off), which move a due date 20
//! working days out by at most 7 calendar days (the table is the test
//! `provisional_rules_against_the_notices`).
//!
//! A day is a **working day** when it is a make-up working day, or a Monday–Friday that no
//! notice (or, provisionally, no rule) gives off. Every other day is a **rest day**.
//!
//! # What it must never do
//!
//! Answer silently. A provisional answer is flagged: [`Calendar::is_provisional`] for a day,
//! [`Calendar::provisional_between`] for a count (a deadline computed over a provisional
//! day is itself provisional, and is recomputed when the notice is loaded). A date outside
//! 2000–2099 is [`CalendarError::OutOfRange`]. Note that a notice may also reach back into
//! the December before its year (2019's notice made Saturday 2018-12-29 a working day); the
//! last days of a published year can therefore still change when the next year's notice is
//! loaded, which is why a load recomputes every open deadline its dates touch.
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
mod rules;

pub use rules::{Revision, SpringFestival, REVISIONS};

use std::collections::{BTreeMap, BTreeSet};
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
    /// The date is outside the years the calendar answers for.
    #[error("{date} is outside the working-day calendar, which answers from {first} to {last}")]
    OutOfRange {
        /// The date asked about.
        date: NaiveDate,
        /// First day answered (January 1 of the first year).
        first: NaiveDate,
        /// Last day answered (December 31 of the last year).
        last: NaiveDate,
    },
    /// The start is answered, but the answer lies beyond the last day answered.
    #[error("counting {count} days from {from} goes past {last}, the last day the working-day calendar answers for")]
    PastEnd {
        /// The start date.
        from: NaiveDate,
        /// The number of (working or natural) days asked for.
        count: u32,
        /// Last day answered.
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
    /// Two calendars to merge both have the notice of this year.
    #[error("the notice for {year} is already loaded")]
    YearOverlap {
        /// The year in both.
        year: i32,
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
    /// A Monday–Friday no notice (or, provisionally, no rule) gives off.
    Workday,
    /// A Saturday or Sunday that is neither a holiday nor worked.
    Weekend,
    /// A day off given by a notice (the statutory holiday and the days swapped onto it,
    /// 放假调休), including the weekend days the break joins; provisionally, a statutory
    /// holiday or its make-up day (named `NAME补休`).
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

/// The working-day calendar: which days are working days, from 2000 to 2099; exact for the
/// years whose notice it holds, provisional (from the statutory rules) for the others.
///
/// Build it once ([`Calendar::china`], [`Calendar::parse`], [`Calendar::merge`]) and ask
/// many questions: every question costs O(1) or O(log days).
#[derive(Clone)]
pub struct Calendar {
    first: NaiveDate,
    last: NaiveDate,
    /// The years whose notice is loaded: exact.
    published: BTreeSet<i32>,
    notices: Vec<Notice>,
    /// Everything the notices say, including a notice's December entries for the year
    /// before (exact even when that year is not published).
    special: BTreeMap<NaiveDate, Special>,
    /// `cumulative[i]` = number of working days from `first` to `first + i`, both included.
    cumulative: Vec<u32>,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("published", &self.published)
            .field("notices", &self.notices.len())
            .finish_non_exhaustive()
    }
}

impl Calendar {
    /// The calendar of China: the embedded notices (2016–2026) and the statutory rules for
    /// every other year from 2000 to 2099.
    pub fn china() -> &'static Calendar {
        static CHINA: OnceLock<Calendar> = OnceLock::new();
        CHINA.get_or_init(|| {
            // The embedded data is part of the build, not outside input; the test
            // `embedded_data_parses` fails the build's tests if it is ever broken.
            Calendar::parse(CHINA_DATA).expect("embedded holiday data is valid")
        })
    }

    /// The calendar with no notice at all: every day answered from the statutory rules
    /// and flagged provisional. What the calendar says of a year before its notice is out.
    pub fn rules_only() -> Calendar {
        Calendar::build(BTreeSet::new(), Vec::new(), BTreeMap::new())
    }

    /// Reads notices in the format of the embedded file (see `data/cn-holidays.txt`): the
    /// calendar of the statutory rules with those years made exact. To add a newly
    /// published year to [`Calendar::china`], [`Calendar::merge`] the result into its
    /// clone; no rebuild needed.
    pub fn parse(text: &str) -> Result<Calendar, CalendarError> {
        let parsed = data::parse(text)?;
        if let Some(y) = parsed.years.iter().find(|y| !rules::YEARS.contains(y)) {
            return Err(CalendarError::Data {
                line: 0,
                reason: format!(
                    "year {y} is outside {}–{}, the years the calendar answers for",
                    rules::YEARS.start(),
                    rules::YEARS.end()
                ),
            });
        }
        Ok(Calendar::build(
            parsed.years.into_iter().collect(),
            parsed.notices,
            parsed.special,
        ))
    }

    fn build(
        published: BTreeSet<i32>,
        notices: Vec<Notice>,
        special: BTreeMap<NaiveDate, Special>,
    ) -> Calendar {
        // Both are valid dates: YEARS is a small constant range.
        let first = NaiveDate::from_ymd_opt(*rules::YEARS.start(), 1, 1).unwrap_or(NaiveDate::MIN);
        let last = NaiveDate::from_ymd_opt(*rules::YEARS.end(), 12, 31).unwrap_or(NaiveDate::MAX);
        let by_rule = rules::rest_days();
        let mut cumulative = Vec::with_capacity(36_525);
        let mut count: u32 = 0;
        for d in first.iter_days().take_while(|d| *d <= last) {
            let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
            let working = match special.get(&d) {
                Some(s) => !s.rest,
                None if published.contains(&d.year()) => !weekend,
                None => !weekend && !by_rule.contains_key(&d),
            };
            count += u32::from(working);
            cumulative.push(count);
        }
        Calendar {
            first,
            last,
            published,
            notices,
            special,
            cumulative,
        }
    }

    /// Adds the notices of `other`, whose years must not be published here already, and
    /// which must not give a date this one gives. On error `self` is unchanged.
    pub fn merge(&mut self, other: Calendar) -> Result<(), CalendarError> {
        if let Some(year) = other.published.intersection(&self.published).next() {
            return Err(CalendarError::YearOverlap { year: *year });
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
        let mut published = self.published.clone();
        published.extend(other.published);
        *self = Calendar::build(published, notices, special);
        Ok(())
    }

    /// The first day answered (2000-01-01).
    pub fn first_day(&self) -> NaiveDate {
        self.first
    }

    /// The last day answered (2099-12-31).
    pub fn last_day(&self) -> NaiveDate {
        self.last
    }

    /// The years answered, exactly or provisionally.
    pub fn years(&self) -> RangeInclusive<i32> {
        rules::YEARS
    }

    /// The years whose notice is loaded, in order: answered exactly.
    pub fn published_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.published.iter().copied()
    }

    /// The dates the notices of this calendar give (holidays and make-up working days),
    /// first and last; `None` without a notice.
    pub fn notice_span(&self) -> Option<(NaiveDate, NaiveDate)> {
        Some((
            *self.special.keys().next()?,
            *self.special.keys().next_back()?,
        ))
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

    /// Whether the answer for `d` is provisional: its year has no loaded notice and no
    /// notice gives the date (a notice may reach into the December before its year), so
    /// the answer comes from the statutory rules and may change when the notice is out.
    pub fn is_provisional(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        self.index(d)?;
        Ok(!self.published.contains(&d.year()) && !self.special.contains_key(&d))
    }

    /// Whether any day in `(start, end]` is provisional, i.e. whether a count from `start`
    /// to `end` (a deadline's due date from its start) may change when a notice is
    /// loaded. False when `end <= start`.
    pub fn provisional_between(
        &self,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<bool, CalendarError> {
        self.index(start)?;
        self.index(end)?;
        if end <= start {
            return Ok(false);
        }
        for year in start.year()..=end.year() {
            if self.published.contains(&year) {
                continue;
            }
            let from = NaiveDate::from_ymd_opt(year, 1, 1)
                .map_or(start, |jan1| jan1.max(start + Days::new(1)));
            let to = NaiveDate::from_ymd_opt(year, 12, 31).map_or(end, |dec31| dec31.min(end));
            let days = (to - from).num_days() + 1;
            let given = self.special.range(from..=to).count() as i64;
            if given < days {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The revision of 全国年节及纪念日放假办法 that provisional answers for `year` come
    /// from; `None` outside the years answered.
    pub fn statutory_rules(year: i32) -> Option<&'static Revision> {
        rules::revision_for(year)
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
            None => match rules::rest_days().get(&d) {
                Some(name) if !self.published.contains(&d.year()) => {
                    DayKind::Holiday { name: name.clone() }
                }
                _ if matches!(d.weekday(), Weekday::Sat | Weekday::Sun) => DayKind::Weekend,
                _ => DayKind::Workday,
            },
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
