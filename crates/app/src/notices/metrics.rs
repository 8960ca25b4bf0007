//! How well a platform answers notices, and how well each notifier's notices hold up.
//!
//! Platform metrics over a period: time to act (from sending to the platform's decision,
//! median and 90th percentile, in hours), the share decided by the act deadline, refusals,
//! restorations, and the share of removals the platform found itself (self-inspection)
//! rather than on a notice. Anchors, for reading them: Alibaba reports deciding 98% of IP
//! complaints within 24 hours (阿里巴巴知识产权保护年度报告), Amazon reports that over 99%
//! of the listings it blocked were found proactively before any brand reported them
//! (Amazon Brand Protection Report).
//!
//! Notifier reputation: each sender's success rate (notices the platform acted on, of
//! those decided) and its rate of successful seller objections (measures lifted after a
//! declaration of non-infringement, of those acted on). A **good-faith** notifier has at
//! least [`MIN_DECIDED`] decided notices, ≥ 90% success and ≤ 5% successful objections (the
//! thresholds of Alibaba's good-faith notifier programme, 诚信投诉通道); its notices come
//! first in the platform's queue. A **pattern of wrong notices** (≥ [`MIN_DECIDED`]
//! decided, and more than half refused or more than 20% lifted on objection) is flagged:
//! 电子商务法 第四十二条第三款 makes a notifier liable for wrong notices, doubly for
//! malicious ones.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use wangjian_domain::notice::{Notice, NoticeState, TRANSITIONS};
use wangjian_domain::OrgId;

use crate::error::AppError;
use crate::policy::{decide, Action, Resource};
use crate::{App, Call};

/// The bounds of "every notice" (instants both backends compare as stored).
fn all_time() -> (DateTime<Utc>, DateTime<Utc>) {
    let day = |y| chrono::NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default();
    (
        crate::notices::weekly::china_midnight(day(2000)),
        crate::notices::weekly::china_midnight(day(2100)),
    )
}

/// Fewest decided notices before a notifier is rated.
pub const MIN_DECIDED: i64 = 10;
/// Good faith: at least this success rate.
pub const GOOD_FAITH_SUCCESS: f64 = 0.90;
/// Good faith: at most this rate of successful objections.
pub const GOOD_FAITH_OBJECTIONS: f64 = 0.05;

/// A platform's notice metrics over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlatformMetrics {
    /// The platform.
    pub platform: OrgId,
    /// Start of the period (notices sent from).
    pub from: DateTime<Utc>,
    /// End (exclusive).
    pub to: DateTime<Utc>,
    /// Notices sent to it in the period.
    pub notices: i64,
    /// Of those, decided (acted on or refused).
    pub decided: i64,
    /// Median hours from sending to decision.
    pub median_hours_to_act: Option<f64>,
    /// 90th percentile hours.
    pub p90_hours_to_act: Option<f64>,
    /// Share decided within 24 hours (the Alibaba anchor: 98%).
    pub share_within_24h: Option<f64>,
    /// Share decided by the act deadline.
    pub share_within_deadline: Option<f64>,
    /// Refused.
    pub refusals: i64,
    /// Measures lifted after an objection.
    pub restorations: i64,
    /// Listings removed on notices (decided in the period).
    pub removals_on_notice: i64,
    /// Listings it removed itself (self-inspection, in the period).
    pub removals_proactive: i64,
    /// Share of removals found by the platform itself (the Amazon anchor: > 99%).
    pub proactive_share: Option<f64>,
}

/// One notifier's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reputation {
    /// The sender.
    pub sender: OrgId,
    /// Notices sent.
    pub sent: i64,
    /// Decided (acted on or refused).
    pub decided: i64,
    /// Acted on.
    pub acted: i64,
    /// Refused.
    pub refused: i64,
    /// Objected to by the seller.
    pub objected: i64,
    /// Lifted after the objection (the seller's objection succeeded).
    pub restored: i64,
    /// Acted / decided.
    pub success_rate: Option<f64>,
    /// Restored / acted.
    pub objection_success_rate: Option<f64>,
    /// Good-faith notifier (prioritized).
    pub good_faith: bool,
    /// A pattern of wrong notices (电子商务法 第四十二条第三款).
    pub flagged: bool,
}

/// The `q`-quantile (nearest rank) of sorted values.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank.min(sorted.len()) - 1).copied()
}

fn ratio(a: i64, b: i64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// The platform metrics of `notices` (those sent in the period) and the period's removals.
pub fn platform_metrics(
    platform: OrgId,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    notices: &[Notice],
    removals_proactive: i64,
) -> PlatformMetrics {
    let mut hours: Vec<f64> = notices
        .iter()
        .filter_map(|n| {
            n.decided_at
                .map(|d| (d - n.sent_at).num_seconds() as f64 / 3600.0)
        })
        .collect();
    hours.sort_by(f64::total_cmp);
    let decided = hours.len() as i64;
    let within_24 = hours.iter().filter(|h| **h <= 24.0).count() as i64;
    let on_time = notices
        .iter()
        .filter(|n| n.decided_on_time == Some(true))
        .count() as i64;
    let refusals = notices
        .iter()
        .filter(|n| n.state == NoticeState::Refused)
        .count() as i64;
    let restorations = notices
        .iter()
        .filter(|n| n.state == NoticeState::Restored)
        .count() as i64;
    let removals_on_notice = notices.iter().filter(|n| n.measure.is_some()).count() as i64;
    PlatformMetrics {
        platform,
        from,
        to,
        notices: notices.len() as i64,
        decided,
        median_hours_to_act: quantile(&hours, 0.5),
        p90_hours_to_act: quantile(&hours, 0.9),
        share_within_24h: ratio(within_24, decided),
        share_within_deadline: ratio(on_time, decided),
        refusals,
        restorations,
        removals_on_notice,
        removals_proactive,
        proactive_share: ratio(removals_proactive, removals_proactive + removals_on_notice),
    }
}

/// The reputation of each sender among `notices`.
pub fn reputations(notices: &[Notice]) -> Vec<Reputation> {
    let mut by: HashMap<OrgId, Reputation> = HashMap::new();
    for n in notices {
        let r = by.entry(n.sender).or_insert_with(|| Reputation {
            sender: n.sender,
            sent: 0,
            decided: 0,
            acted: 0,
            refused: 0,
            objected: 0,
            restored: 0,
            success_rate: None,
            objection_success_rate: None,
            good_faith: false,
            flagged: false,
        });
        r.sent += 1;
        if n.decided_at.is_some() {
            r.decided += 1;
        }
        if n.measure.is_some() {
            r.acted += 1;
        }
        if n.state == NoticeState::Refused {
            r.refused += 1;
        }
        if n.objected_at.is_some() {
            r.objected += 1;
        }
        if n.state == NoticeState::Restored {
            r.restored += 1;
        }
    }
    let mut out: Vec<Reputation> = by
        .into_values()
        .map(|mut r| {
            r.success_rate = ratio(r.acted, r.decided);
            r.objection_success_rate = ratio(r.restored, r.acted);
            let rated = r.decided >= MIN_DECIDED;
            r.good_faith = rated
                && r.success_rate.unwrap_or(0.0) >= GOOD_FAITH_SUCCESS
                && r.objection_success_rate.unwrap_or(0.0) <= GOOD_FAITH_OBJECTIONS;
            r.flagged = rated
                && (ratio(r.refused, r.decided).unwrap_or(0.0) > 0.5
                    || r.objection_success_rate.unwrap_or(0.0) > 0.2);
            r
        })
        .collect();
    out.sort_by_key(|r| r.sender);
    out
}

/// Whether the platform has the next step on a notice in `state`.
fn platform_moves(state: NoticeState) -> bool {
    TRANSITIONS
        .iter()
        .any(|t| t.from.contains(&state) && matches!(t.by, wangjian_domain::notice::By::Recipient))
}

/// A platform's queue: the open notices awaiting its step, good-faith notifiers' first,
/// then by due date.
pub fn queue(mut open: Vec<Notice>, reps: &[Reputation]) -> Vec<Notice> {
    let good: std::collections::HashSet<OrgId> = reps
        .iter()
        .filter(|r| r.good_faith)
        .map(|r| r.sender)
        .collect();
    open.retain(|n| platform_moves(n.state));
    open.sort_by_key(|n| (!good.contains(&n.sender), n.due, n.id));
    open
}

impl App {
    /// A platform's notice metrics for notices sent in `[from, to)`.
    pub async fn platform_metrics(
        &self,
        call: &Call,
        platform: OrgId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<PlatformMetrics, AppError> {
        decide(
            &call.principal,
            Action::Read,
            &Resource::PlatformDuties { platform },
        )
        .into_result()?;
        let notices = self
            .store()
            .notices_sent_between(platform, from, to)
            .await?;
        let counts = self.store().week_counts(platform, from, to).await?;
        Ok(platform_metrics(
            platform,
            (from, to),
            &notices,
            counts.own_removals,
        ))
    }

    /// The reputation of every notifier that sent `platform` a notice, for whoever reads
    /// the platform's duty record.
    pub async fn notifier_reputations(
        &self,
        call: &Call,
        platform: OrgId,
    ) -> Result<Vec<Reputation>, AppError> {
        decide(
            &call.principal,
            Action::Read,
            &Resource::PlatformDuties { platform },
        )
        .into_result()?;
        let all = self
            .store()
            .notices_sent_between(platform, all_time().0, all_time().1)
            .await?;
        Ok(reputations(&all))
    }

    /// The caller's platform queue (its operators only).
    pub async fn notice_queue(&self, call: &Call) -> Result<Vec<Notice>, AppError> {
        let m = call.member()?;
        let platform = m.actor.org;
        if !decide(
            &call.principal,
            Action::Write,
            &Resource::PlatformDuties { platform },
        )
        .is_allow()
        {
            return Err(AppError::Forbidden(
                "the queue is a platform operator's".into(),
            ));
        }
        let all = self
            .store()
            .notices_sent_between(platform, all_time().0, all_time().1)
            .await?;
        let reps = reputations(&all);
        let open: Vec<Notice> = all.into_iter().filter(|n| n.state.is_open()).collect();
        let mut q = queue(open, &reps);
        q.truncate(500);
        Ok(q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_nearest_rank() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(quantile(&v, 0.5), Some(5.0));
        assert_eq!(quantile(&v, 0.9), Some(9.0));
        assert_eq!(quantile(&[3.0], 0.9), Some(3.0));
        assert_eq!(quantile(&[], 0.5), None);
    }
}
