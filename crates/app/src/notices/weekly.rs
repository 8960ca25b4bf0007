//! A platform's weekly figures (our design of 附件1, the weekly report of violating shops
//! under 自查自纠, seed 003 二), computed from the record, never typed in.
//!
//! One row per platform and ISO week (Monday to Sunday, China's date; `2026-W49`; the week
//! of 2026-12-28 is `2026-W53`). The columns, in order:
//!
//! | column | 中文 | counted as |
//! |---|---|---|
//! | `platform`, `platform_name` | 平台 | the platform organization |
//! | `week` | 周次 | ISO 8601 week, `YYYY-Www` |
//! | `listings_patrolled` | 巡查商品数 | listing snapshots the platform delivered to wangjian (pushed or patrolled) in the week (`listing_receipts`) |
//! | `listings_removed` | 删除/屏蔽商品数 | listings removed, blocked or disconnected on a notice in the week, plus listings delisted by its own self-inspection (delist, close shop) |
//! | `shops_warned` | 警示店铺数 | distinct shops with a `warning` record in the week |
//! | `shops_rectified` | 责令整改店铺数 | distinct shops with a `rectify` record |
//! | `shops_closed` | 关闭店铺数 | distinct shops with a `close_shop` record |
//! | `notices_received` | 收到通知数 | notices sent to the platform in the week |
//! | `notices_acted` | 处理通知数 | notices it took a measure on in the week |
//! | `acted_within_deadline` | 按时处理数 | of those, decided by the act deadline (`notice_deadlines.toml`) |
//! | `leads_to_regulators` | 移交监管部门线索数 | scan leads made from the listings it delivered in the week, plus self-inspection records it passed to a regulator |
//!
//! The week's bounds are China's midnights (UTC+8): Monday 00:00 to the next Monday 00:00.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};
use wangjian_domain::OrgId;

use crate::error::AppError;
use crate::policy::{decide, Action, Resource};
use crate::{App, Call};

/// An ISO 8601 week (`2026-W49`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoWeek {
    /// ISO week-numbering year.
    pub year: i32,
    /// Week, 1–53.
    pub week: u32,
}

impl IsoWeek {
    /// Parses `YYYY-Www` (a week the year has).
    pub fn parse(s: &str) -> Result<Self, AppError> {
        let bad = || AppError::invalid("week", format!("{s:?} is not an ISO week like 2026-W49"));
        let (y, w) = s.trim().split_once("-W").ok_or_else(bad)?;
        let year: i32 = y.parse().map_err(|_| bad())?;
        let week: u32 = w.parse().map_err(|_| bad())?;
        if w.len() != 2 || !(2000..=2099).contains(&year) {
            return Err(bad());
        }
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).ok_or_else(bad)?;
        Ok(Self { year, week })
    }

    /// The week holding `d`.
    pub fn of(d: NaiveDate) -> Self {
        let w = d.iso_week();
        Self {
            year: w.year(),
            week: w.week(),
        }
    }

    /// Its Monday.
    pub fn monday(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon).unwrap_or(NaiveDate::MIN)
    }

    /// The week before.
    pub fn previous(self) -> Self {
        Self::of(self.monday() - Duration::days(7))
    }

    /// `[Monday 00:00, next Monday 00:00)` in China's time, as UTC instants.
    pub fn bounds(self) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = china_midnight(self.monday());
        (start, start + Duration::days(7))
    }
}

impl std::fmt::Display for IsoWeek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

/// China's midnight starting `d` (UTC+8, no daylight saving), as a UTC instant.
pub fn china_midnight(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default()) - Duration::hours(8)
}

/// One row of the weekly report (附件1); the columns are documented on the module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformWeekly {
    /// The platform.
    pub platform: OrgId,
    /// Its name.
    pub platform_name: String,
    /// `YYYY-Www`.
    pub week: String,
    /// 巡查商品数.
    pub listings_patrolled: i64,
    /// 删除/屏蔽商品数 (on notices and by self-inspection).
    pub listings_removed: i64,
    /// Of those, by self-inspection (found by the platform itself).
    pub listings_removed_proactively: i64,
    /// 警示店铺数.
    pub shops_warned: i64,
    /// 责令整改店铺数.
    pub shops_rectified: i64,
    /// 关闭店铺数.
    pub shops_closed: i64,
    /// 收到通知数.
    pub notices_received: i64,
    /// 处理通知数.
    pub notices_acted: i64,
    /// 按时处理数.
    pub acted_within_deadline: i64,
    /// 移交监管部门线索数.
    pub leads_to_regulators: i64,
}

/// The column headers in Chinese, in the order of [`PlatformWeekly::cells`].
pub const COLUMNS_ZH: [&str; 12] = [
    "平台",
    "周次",
    "巡查商品数",
    "删除/屏蔽商品数",
    "其中平台主动发现",
    "警示店铺数",
    "责令整改店铺数",
    "关闭店铺数",
    "收到通知数",
    "处理通知数",
    "按时处理数",
    "移交监管部门线索数",
];

impl PlatformWeekly {
    /// The row as cells, in the order of [`COLUMNS_ZH`].
    pub fn cells(&self) -> Vec<String> {
        let mut v = vec![self.platform_name.clone(), self.week.clone()];
        v.extend(
            [
                self.listings_patrolled,
                self.listings_removed,
                self.listings_removed_proactively,
                self.shops_warned,
                self.shops_rectified,
                self.shops_closed,
                self.notices_received,
                self.notices_acted,
                self.acted_within_deadline,
                self.leads_to_regulators,
            ]
            .map(|n| n.to_string()),
        );
        v
    }
}

impl App {
    /// The weekly figures of `platform` for `week`, for whoever may read its duty record
    /// (every regulator; the platform itself).
    pub async fn platform_weekly(
        &self,
        call: &Call,
        platform: OrgId,
        week: IsoWeek,
    ) -> Result<PlatformWeekly, AppError> {
        decide(
            &call.principal,
            Action::Read,
            &Resource::PlatformDuties { platform },
        )
        .into_result()?;
        self.platform_weekly_unchecked(platform, week).await
    }

    /// [`Self::platform_weekly`] without the policy, for reports built by a caller that
    /// checked it (the reporting module aggregating for the coordination office).
    pub async fn platform_weekly_unchecked(
        &self,
        platform: OrgId,
        week: IsoWeek,
    ) -> Result<PlatformWeekly, AppError> {
        let org = self
            .store()
            .organization(platform)
            .await?
            .ok_or(AppError::NotFound)?;
        if !matches!(org.kind, wangjian_domain::OrgKind::Platform) {
            return Err(AppError::invalid("platform", "not a platform"));
        }
        let (from, to) = week.bounds();
        let c = self.store().week_counts(platform, from, to).await?;
        Ok(PlatformWeekly {
            platform,
            platform_name: org.name,
            week: week.to_string(),
            listings_patrolled: c.listings_patrolled,
            listings_removed: c.notice_removals + c.own_removals,
            listings_removed_proactively: c.own_removals,
            shops_warned: c.shops_warned,
            shops_rectified: c.shops_rectified,
            shops_closed: c.shops_closed,
            notices_received: c.notices_received,
            notices_acted: c.notices_acted,
            acted_within_deadline: c.acted_within_deadline,
            leads_to_regulators: c.leads_passed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_weeks_parse_print_and_turn_the_year() {
        let w = IsoWeek::parse("2026-W49").unwrap();
        assert_eq!(w.to_string(), "2026-W49");
        assert_eq!(w.monday(), NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
        let d = NaiveDate::from_ymd_opt(2026, 12, 28).unwrap();
        assert_eq!(IsoWeek::of(d).to_string(), "2026-W53");
        assert_eq!(IsoWeek::of(d + Duration::days(7)).to_string(), "2027-W01");
        assert_eq!(
            IsoWeek::parse("2027-W01").unwrap().previous().to_string(),
            "2026-W53"
        );
        for bad in [
            "2025-W53", "2026-W54", "2026-49", "2026-W4", "x", "2026-W00",
        ] {
            assert!(IsoWeek::parse(bad).is_err(), "{bad}");
        }
        let (from, to) = w.bounds();
        assert_eq!(from.to_rfc3339(), "2026-11-29T16:00:00+00:00");
        assert_eq!(to - from, Duration::days(7));
    }
}
