//! Statistics reports (统计报表) to the coordination office: which report, which period,
//! when it is due, what a generated table is, and its submission.
//!
//! # The reporting calendar (seeds)
//!
//! - **Weekly case progress** (附件2, [`ReportKind::CaseProgress`]): 每周五下班前 (seed 003
//!   五). Nominally due on the Friday of the ISO week it covers.
//! - **Monthly statistics** ([`ReportKind::Monthly`]): 每月25日前 (seed 002 三(二): every
//!   member unit's 双打 information); commerce departments 每月30日前 (seed 003 五, the
//!   monthly written summary of 商务主管部门). In February, whose 30th does not exist, the
//!   last day of the month.
//! - **Half-year summary and statistics** ([`ReportKind::HalfYear`]): 每年6月25日和12月25日前
//!   (seed 000 五(三)); seed 002 三(二) repeats 12月25日 for the yearly summary.
//! - **Platform weekly report of violating shops** (附件1, [`ReportKind::PlatformWeekly`]):
//!   每周 (seed 003 二), due on the same Friday as the weekly table.
//!
//! Seed 004 五 (12月10日前, the 2017 special campaign's one-off summary) is a campaign's own
//! date, not a recurring one, and is not on this calendar.
//!
//! # When the nominal day is a rest day
//!
//! Every seed says *before* the day (…日前, 下班前): the report must be in the office's hands
//! by then, and the office compiles and reports upward on the same calendar. A rest day
//! gives no office hours, so the report is due on **the last working day on or before the
//! nominal day** (e.g. 25 December 2027 is a Saturday: due Friday 24 December). This is
//! deliberately not the rule for statutory periods (期间届满日是法定节假日的, 以节假日后的
//! 第一日为期间届满的日期, 行政处罚法 / 民事诉讼法 第八十五条, `Calendar::add_days_rolled`), which
//! protects a party; here the due day is the office's and moving it later would let a
//! report miss the compilation it feeds. One exception: when no working day falls between
//! the start of the period and the nominal day (a weekly report in a week of holidays, as
//! the Spring Festival week may be), the report is due on the first working day after the
//! nominal day. Days answered from the statutory rules (a year with no holiday notice) make
//! the due date [`Due::provisional`].
//!
//! # Periods
//!
//! A period is written `2026-W49` (ISO week, Monday to Sunday), `2026-11` (calendar month) or
//! `2026-H2` (half year: H1 January–June, H2 July–December). A report covers its period in
//! China's time (UTC+8), counted up to its end or to the moment it is generated, whichever
//! is first: reports are due before their period ends (a Friday in its week, the 25th in
//! its month), and the title says up to when (截至).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use wangjian_calendar::{Calendar, CalendarError};

use crate::audit::{Change, Context, Events, IdSupply, ObjectType, OutOfIds, Recorder};
use crate::id::{OrgId, ReportSubmissionId, UserId};
use crate::org::{Actor, AgencyType, OrgKind, RegionCode, Role};

/// The kinds of report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportKind {
    /// 网络购物平台违规网店处理情况周报 (附件1), from a platform.
    PlatformWeekly,
    /// 案件进展情况汇总表 (附件2), weekly, from an agency.
    CaseProgress,
    /// 月度统计, from an agency.
    Monthly,
    /// 半年工作总结统计表, from an agency.
    HalfYear,
}

impl ReportKind {
    /// Every kind.
    pub const ALL: [ReportKind; 4] = [
        Self::PlatformWeekly,
        Self::CaseProgress,
        Self::Monthly,
        Self::HalfYear,
    ];

    /// The code name (CLI, API, files).
    pub fn code(self) -> &'static str {
        match self {
            Self::PlatformWeekly => "platform-weekly",
            Self::CaseProgress => "case-progress",
            Self::Monthly => "monthly",
            Self::HalfYear => "half-year",
        }
    }

    /// The Chinese title.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::PlatformWeekly => "网络购物平台违规网店处理情况周报",
            Self::CaseProgress => "案件进展情况汇总表",
            Self::Monthly => "打击侵权假冒月度统计表",
            Self::HalfYear => "打击侵权假冒半年统计表",
        }
    }

    /// The form of the seed it stands for, if any.
    pub fn form(self) -> Option<&'static str> {
        match self {
            Self::PlatformWeekly => Some("附件1"),
            Self::CaseProgress => Some("附件2"),
            _ => None,
        }
    }

    /// The kind of period it covers.
    pub fn period_kind(self) -> PeriodKind {
        match self {
            Self::PlatformWeekly | Self::CaseProgress => PeriodKind::Week,
            Self::Monthly => PeriodKind::Month,
            Self::HalfYear => PeriodKind::Half,
        }
    }

    /// Who files it: platforms file the weekly report of violating shops, agencies the rest.
    pub fn filed_by(self, org: &OrgKind) -> bool {
        match self {
            Self::PlatformWeekly => matches!(org, OrgKind::Platform),
            _ => matches!(org, OrgKind::Agency { .. }),
        }
    }
}

impl fmt::Display for ReportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for ReportKind {
    type Err = ReportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == s.trim())
            .ok_or_else(|| ReportError::UnknownKind(s.to_string()))
    }
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// Not a report kind.
    #[error("unknown report kind '{0}': use platform-weekly, case-progress, monthly or half-year")]
    UnknownKind(String),
    /// Not a period.
    #[error("bad period '{input}': {why} (write 2026-W49, 2026-11 or 2026-H2)")]
    BadPeriod {
        /// What was given.
        input: String,
        /// What is wrong with it.
        why: String,
    },
    /// A period of the wrong length for the kind.
    #[error("period '{period}' is a {given}; a {kind} report covers a {wanted}")]
    WrongPeriod {
        /// The period.
        period: String,
        /// The report kind.
        kind: ReportKind,
        /// What it is.
        given: &'static str,
        /// What the kind needs.
        wanted: &'static str,
    },
    /// Not a unit that files this kind.
    #[error("{unit} does not file {kind} reports (agencies file case-progress, monthly and half-year; platforms platform-weekly)")]
    NotFiler {
        /// The organization's name.
        unit: String,
        /// The report kind.
        kind: ReportKind,
    },
    /// Submitting needs a supervisor of the unit.
    #[error("only a supervisor of the reporting unit reviews and submits its report")]
    NotSupervisor,
    /// The period has not started.
    #[error("period {0} has not started yet; nothing to submit")]
    NotStarted(String),
    /// Calendar trouble (a date outside 2000-2099).
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// Out of fresh ids.
    #[error(transparent)]
    Ids(#[from] OutOfIds),
}

/// Week, month or half year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    /// ISO week.
    Week,
    /// Calendar month.
    Month,
    /// Half year.
    Half,
}

impl PeriodKind {
    fn name(self) -> &'static str {
        match self {
            Self::Week => "week",
            Self::Month => "month",
            Self::Half => "half year",
        }
    }
}

/// A reporting period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    /// ISO week `year-Wweek`.
    Week {
        /// ISO year.
        year: i32,
        /// 1..=53.
        week: u32,
    },
    /// Calendar month.
    Month {
        /// Year.
        year: i32,
        /// 1..=12.
        month: u32,
    },
    /// Half year.
    Half {
        /// Year.
        year: i32,
        /// 1 or 2.
        half: u32,
    },
}

fn bad(input: &str, why: impl Into<String>) -> ReportError {
    ReportError::BadPeriod {
        input: input.to_string(),
        why: why.into(),
    }
}

impl FromStr for Period {
    type Err = ReportError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let s = input.trim();
        let (y, rest) = s
            .split_once('-')
            .ok_or_else(|| bad(input, "no '-' between the year and the rest"))?;
        let year: i32 = match y.parse() {
            Ok(n)
                if y.len() == 4
                    && y.bytes().all(|b| b.is_ascii_digit())
                    && (2000..=2099).contains(&n) =>
            {
                n
            }
            _ => return Err(bad(input, format!("year '{y}' is not a year 2000-2099"))),
        };
        let num = |t: &str, what: &str| -> Result<u32, ReportError> {
            if t.is_empty() || t.len() > 2 || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad(input, format!("{what} '{t}' is not a number")));
            }
            t.parse().map_err(|_| bad(input, format!("{what} '{t}'")))
        };
        let p = if let Some(w) = rest.strip_prefix('W').or_else(|| rest.strip_prefix('w')) {
            let week = num(w, "week")?;
            let last = iso_weeks_in(year);
            if week == 0 || week > last {
                return Err(bad(input, format!("{year} has ISO weeks 1-{last}")));
            }
            Period::Week { year, week }
        } else if let Some(h) = rest.strip_prefix('H').or_else(|| rest.strip_prefix('h')) {
            let half = num(h, "half")?;
            if !(1..=2).contains(&half) {
                return Err(bad(input, "the half is H1 or H2"));
            }
            Period::Half { year, half }
        } else {
            let month = num(rest, "month")?;
            if !(1..=12).contains(&month) {
                return Err(bad(input, "the month is 01-12"));
            }
            Period::Month { year, month }
        };
        Ok(p)
    }
}

/// The number of ISO weeks of `year` (52 or 53).
pub fn iso_weeks_in(year: i32) -> u32 {
    // 28 December is always in the last ISO week of its year.
    NaiveDate::from_ymd_opt(year, 12, 28)
        .map(|d| d.iso_week().week())
        .unwrap_or(52)
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Week { year, week } => write!(f, "{year}-W{week:02}"),
            Self::Month { year, month } => write!(f, "{year}-{month:02}"),
            Self::Half { year, half } => write!(f, "{year}-H{half}"),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Period {
    /// Its kind.
    pub fn kind(&self) -> PeriodKind {
        match self {
            Self::Week { .. } => PeriodKind::Week,
            Self::Month { .. } => PeriodKind::Month,
            Self::Half { .. } => PeriodKind::Half,
        }
    }

    /// Parses `s` as a period of `kind`'s length; the error names the input.
    pub fn parse_for(kind: ReportKind, s: &str) -> Result<Period, ReportError> {
        let p: Period = s.parse()?;
        p.check_for(kind)?;
        Ok(p)
    }

    /// Fails unless this period has `kind`'s length.
    pub fn check_for(&self, kind: ReportKind) -> Result<(), ReportError> {
        if self.kind() != kind.period_kind() {
            return Err(ReportError::WrongPeriod {
                period: self.to_string(),
                kind,
                given: self.kind().name(),
                wanted: kind.period_kind().name(),
            });
        }
        Ok(())
    }

    /// The period of `kind`'s length containing day `d`.
    pub fn containing(kind: PeriodKind, d: NaiveDate) -> Period {
        match kind {
            PeriodKind::Week => {
                let w = d.iso_week();
                Period::Week {
                    year: w.year(),
                    week: w.week(),
                }
            }
            PeriodKind::Month => Period::Month {
                year: d.year(),
                month: d.month(),
            },
            PeriodKind::Half => Period::Half {
                year: d.year(),
                half: if d.month() <= 6 { 1 } else { 2 },
            },
        }
    }

    /// Its first day.
    pub fn first_day(&self) -> NaiveDate {
        let d = match *self {
            Self::Week { year, week } => NaiveDate::from_isoywd_opt(year, week, Weekday::Mon),
            Self::Month { year, month } => NaiveDate::from_ymd_opt(year, month, 1),
            Self::Half { year, half } => {
                NaiveDate::from_ymd_opt(year, if half == 1 { 1 } else { 7 }, 1)
            }
        };
        d.unwrap_or(NaiveDate::MIN)
    }

    /// The first day after it.
    pub fn end_day(&self) -> NaiveDate {
        match *self {
            Self::Week { .. } => self.first_day() + Duration::days(7),
            Self::Month { year, month } => {
                let (y, m) = if month == 12 {
                    (year + 1, 1)
                } else {
                    (year, month + 1)
                };
                NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(NaiveDate::MAX)
            }
            Self::Half { year, half } => {
                let (y, m) = if half == 2 { (year + 1, 1) } else { (year, 7) };
                NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(NaiveDate::MAX)
            }
        }
    }

    /// The next period of the same length.
    pub fn next(&self) -> Period {
        Period::containing(self.kind(), self.end_day())
    }

    /// The previous period of the same length.
    pub fn prev(&self) -> Period {
        Period::containing(self.kind(), self.first_day() - Duration::days(1))
    }

    /// The instants it covers in China's time, `[start, end)`.
    pub fn window(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            china_midnight(self.first_day()),
            china_midnight(self.end_day()),
        )
    }

    /// The Chinese label: 2026年第49周 (11月30日—12月6日), 2026年11月, 2026年下半年.
    pub fn label_zh(&self) -> String {
        match *self {
            Self::Week { year, week } => {
                let a = self.first_day();
                let b = self.end_day() - Duration::days(1);
                format!(
                    "{year}年第{week}周({}月{}日—{}月{}日)",
                    a.month(),
                    a.day(),
                    b.month(),
                    b.day()
                )
            }
            Self::Month { year, month } => format!("{year}年{month}月"),
            Self::Half { year, half } => {
                format!("{year}年{}", if half == 1 { "上半年" } else { "下半年" })
            }
        }
    }
}

/// 00:00 in China (UTC+8, no daylight saving) on `d`, as an instant.
pub fn china_midnight(d: NaiveDate) -> DateTime<Utc> {
    let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default() - Duration::hours(8);
    Utc.from_utc_datetime(&naive)
}

/// When a report is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    /// The report.
    pub kind: ReportKind,
    /// The period it covers.
    pub period: Period,
    /// The day the seed names (a Friday, the 25th or 30th, 25 June / 25 December).
    pub nominal: NaiveDate,
    /// The working day it is due (see the module's rule).
    pub due: NaiveDate,
    /// Counted over days of a year whose holiday notice is not published (暂定).
    pub provisional: bool,
    /// Where the nominal day comes from.
    pub source: &'static str,
}

/// The day of the month the monthly report is due from an organization, with its source.
pub fn monthly_day(org: &OrgKind) -> (u32, &'static str) {
    match org {
        OrgKind::Agency {
            agency_type: AgencyType::Commerce,
            ..
        } => (30, "seed 003 五: 每月30日前报月度总结书面材料"),
        _ => (25, "seed 002 三(二): 每月25日前报送“双打”工作开展情况信息"),
    }
}

/// The due date of `kind` for `period`, from an organization of kind `org`, on `cal`.
pub fn due(
    kind: ReportKind,
    period: Period,
    org: &OrgKind,
    cal: &Calendar,
) -> Result<Due, ReportError> {
    period.check_for(kind)?;
    let first = period.first_day();
    let (nominal, source) = match period {
        Period::Week { year, week } => (
            NaiveDate::from_isoywd_opt(year, week, Weekday::Fri).unwrap_or(first),
            if kind == ReportKind::PlatformWeekly {
                "seed 003 二: 每周将违规网店处理情况上报 (附件1)"
            } else {
                "seed 003 五: 每周五下班前报案件进展情况汇总表 (附件2)"
            },
        ),
        Period::Month { year, month } => {
            let (day, source) = monthly_day(org);
            let last = period.end_day() - Duration::days(1);
            let d = NaiveDate::from_ymd_opt(year, month, day.min(last.day())).unwrap_or(last);
            (d, source)
        }
        Period::Half { year, half } => (
            NaiveDate::from_ymd_opt(year, if half == 1 { 6 } else { 12 }, 25).unwrap_or(first),
            "seed 000 五(三): 每年6月25日和12月25日前报工作总结及统计表",
        ),
    };
    let mut d = nominal;
    let mut found = None;
    while d >= first {
        if cal.is_workday(d)? {
            found = Some(d);
            break;
        }
        d -= Duration::days(1);
    }
    let due = match found {
        Some(d) => d,
        None => {
            let mut d = nominal + Duration::days(1);
            while !cal.is_workday(d)? {
                d += Duration::days(1);
            }
            d
        }
    };
    let (lo, hi) = if due < nominal {
        (due, nominal)
    } else {
        (nominal, due)
    };
    let provisional = cal.is_provisional(lo)? || cal.is_provisional(hi)?;
    Ok(Due {
        kind,
        period,
        nominal,
        due,
        provisional,
        source,
    })
}

/// The reports due from an organization of kind `org` with a due day in `[from, to]`,
/// by due day. Spans years (weeks 52/53, December to January) like any other days.
pub fn dues_between(
    org: &OrgKind,
    from: NaiveDate,
    to: NaiveDate,
    cal: &Calendar,
) -> Result<Vec<Due>, ReportError> {
    let mut out = vec![];
    for kind in ReportKind::ALL {
        if !kind.filed_by(org) {
            continue;
        }
        // A due day is at most a week from its nominal day, which lies in its period.
        let mut p = Period::containing(kind.period_kind(), from - Duration::days(10));
        while p.first_day() <= to + Duration::days(10) {
            let d = due(kind, p, org, cal)?;
            if d.due >= from && d.due <= to {
                out.push(d);
            }
            p = p.next();
        }
    }
    out.sort_by_key(|a| (a.due, a.kind));
    Ok(out)
}

/// How a column's numbers are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Text.
    Text,
    /// A count.
    Count,
    /// Money, stored in fen, shown in yuan with two decimals.
    Fen,
}

/// A column of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Stable key (JSON, CSV tests).
    pub key: String,
    /// The Chinese header.
    pub zh: String,
    /// The English header.
    pub en: String,
    /// How it is shown.
    pub format: Format,
    /// Width in characters for spreadsheets.
    pub width: u16,
}

impl Column {
    /// A column.
    pub fn new(key: &str, zh: &str, en: &str, format: Format, width: u16) -> Column {
        Column {
            key: key.into(),
            zh: zh.into(),
            en: en.into(),
            format,
            width,
        }
    }
}

/// One cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Cell {
    /// A number (a count, or fen in a [`Format::Fen`] column).
    Int(i64),
    /// Text.
    Text(String),
    /// No value (not applicable, or not in the record).
    Empty,
}

impl Cell {
    /// The cell as shown in a column of `format` (fen as yuan with two decimals).
    pub fn display(&self, format: Format) -> String {
        match (self, format) {
            (Cell::Int(v), Format::Fen) => fen_to_yuan(*v),
            (Cell::Int(v), _) => v.to_string(),
            (Cell::Text(t), _) => t.clone(),
            (Cell::Empty, _) => String::new(),
        }
    }
}

/// Fen as yuan with two decimals (`123456` → `1234.56`, `-5` → `-0.05`).
pub fn fen_to_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// A generated report: everything computed from the record, nothing typed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportTable {
    /// The kind.
    pub kind: ReportKind,
    /// The period.
    pub period: Period,
    /// The reporting unit (or the coordination office for an aggregate).
    pub unit: OrgId,
    /// Its name.
    pub unit_name: String,
    /// The region covered (the unit's, or the office's for an aggregate).
    pub region: RegionCode,
    /// True when it aggregates the member units of a region.
    pub aggregate: bool,
    /// Counted up to this instant (the period's end, or when it was generated).
    pub as_of: DateTime<Utc>,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows; each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
    /// Columns left empty because the record does not hold them yet, with why.
    pub notes: Vec<String>,
}

impl ReportTable {
    /// The title row: 案件进展情况汇总表 (附件2).
    pub fn title(&self) -> String {
        match self.kind.form() {
            Some(f) => format!("{}({f})", self.kind.label_zh()),
            None => self.kind.label_zh().to_string(),
        }
    }

    /// The SHA-256 (hex) of its canonical JSON: what a submission freezes.
    pub fn digest(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        hex(&Sha256::digest(&bytes))
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A submitted report (table `report_submissions`, unique per kind, period and unit): the
/// figures frozen at submission with their digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSubmission {
    /// Id.
    pub id: ReportSubmissionId,
    /// The kind.
    pub kind: ReportKind,
    /// The period.
    pub period: Period,
    /// The reporting unit.
    pub unit: OrgId,
    /// Its region.
    pub region: RegionCode,
    /// The due day.
    pub due: NaiveDate,
    /// Submitted after the due day.
    pub late: bool,
    /// The supervisor who reviewed and submitted it.
    pub submitted_by: UserId,
    /// When.
    pub submitted_at: DateTime<Utc>,
    /// The frozen figures.
    pub table: ReportTable,
    /// SHA-256 of `table` ([`ReportTable::digest`]).
    pub digest: String,
    /// Optimistic version.
    pub version: i64,
}

/// Submits `table` as the unit's report: a supervisor of the unit (audited as
/// `report.submit`).
pub fn submit(
    actor: &Actor,
    unit_kind: &OrgKind,
    table: ReportTable,
    due: &Due,
    ctx: &Context,
) -> Result<Change<ReportSubmission>, ReportError> {
    if !table.kind.filed_by(unit_kind) || table.aggregate || table.unit != actor.org {
        return Err(ReportError::NotFiler {
            unit: table.unit_name.clone(),
            kind: table.kind,
        });
    }
    if !actor.has(Role::Supervisor) && !actor.has(Role::PlatformOperator) {
        return Err(ReportError::NotSupervisor);
    }
    if ctx.now < table.period.window().0 {
        return Err(ReportError::NotStarted(table.period.to_string()));
    }
    let mut ids = IdSupply::new(ctx);
    let today = wangjian_calendar::shanghai_date(ctx.now);
    let s = ReportSubmission {
        id: ReportSubmissionId(ids.next()?),
        kind: table.kind,
        period: table.period,
        unit: table.unit,
        region: table.region.clone(),
        due: due.due,
        late: today > due.due,
        submitted_by: actor.user,
        submitted_at: ctx.now,
        digest: table.digest(),
        table,
        version: 1,
    };
    let rec = Recorder {
        ctx,
        actor: actor.user,
        actor_org: actor.org,
        root_case: None,
    };
    let ev = rec.event(
        &mut ids,
        "report.submit",
        ObjectType::ReportSubmission,
        s.id.0,
        None,
        &s,
    )?;
    Ok(Change::new(s, Events::new(vec![ev]).ok_or(OutOfIds(0))?))
}

#[cfg(test)]
mod tests;
