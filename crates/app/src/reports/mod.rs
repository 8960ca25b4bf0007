//! The statistics reports (issue 16): generated from the record, never typed in; reviewed
//! and submitted by each member unit (the submission freezes the figures with their
//! SHA-256, written through the store's one write path with its audit event); aggregated
//! for its region by the coordination office; the reporting calendar with what is due,
//! submitted and late.
//!
//! The periods, due dates and the table model are the domain's
//! ([`wangjian_domain::report`]); the figures come from the store's counting queries
//! (`wangjian_store::Store::report_step_counts` and its neighbours); the layouts (which
//! columns, in which order, which Chinese headers) are here, in [`layout`]; CSV and XLSX in
//! [`export`]. Every read asks the one [`policy`](crate::policy) about
//! [`Resource::Report`].

pub mod export;
pub mod layout;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use wangjian_calendar::shanghai_date;
use wangjian_domain::org::{OrgKind, Organization, RegionCode};
use wangjian_domain::report::{self, Due, Period, ReportKind, ReportSubmission, ReportTable};
use wangjian_domain::OrgId;

use crate::error::AppError;
use crate::policy::{decide, list_scope, Action, Party, Resource, ResourceKind, Scope};
use crate::{App, Call};

/// Whose report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The caller's own: an agency's or platform's report, or for a coordination office
    /// the aggregate of its whole region.
    Own,
    /// A given unit's (its own, or for an office a unit of its region).
    Org(OrgId),
    /// The aggregate of a region (an office, within its region).
    Region(RegionCode),
}

/// One entry of the reporting calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarEntry {
    /// The unit.
    pub unit: OrgId,
    /// Its name.
    pub unit_name: String,
    /// When it is due.
    pub due: Due,
    /// Its submission, if made: (submitted at, late, digest).
    pub submitted: Option<(DateTime<Utc>, bool, String)>,
    /// Where it stands on the day asked.
    pub status: DueStatus,
}

/// Where a due report stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueStatus {
    /// Submitted on time.
    Submitted,
    /// Submitted after the due day.
    SubmittedLate,
    /// Not submitted, the due day is past.
    Late,
    /// Not submitted, due within [`DUE_SOON_DAYS`] days.
    DueSoon,
    /// Not submitted, due later.
    Upcoming,
}

impl DueStatus {
    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Submitted => "已报送",
            Self::SubmittedLate => "逾期报送",
            Self::Late => "逾期未报",
            Self::DueSoon => "即将到期",
            Self::Upcoming => "待报送",
        }
    }
}

/// A report is "due soon" this many days before its due day.
pub const DUE_SOON_DAYS: i64 = 3;

impl App {
    /// The organization `id`, or not found.
    async fn org(&self, id: OrgId) -> Result<Organization, AppError> {
        self.store()
            .organization(id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Generates a report of `kind` for `period` as the caller: the unit's own figures or,
    /// for a coordination office, its region's aggregate. Counted up to the period's end
    /// or the call's time, whichever is first.
    pub async fn report(
        &self,
        call: &Call,
        kind: ReportKind,
        period: Period,
        target: &Target,
    ) -> Result<ReportTable, AppError> {
        period
            .check_for(kind)
            .map_err(|e| AppError::invalid("period", e.to_string()))?;
        let m = call.member()?;
        let (unit, region, aggregate) = match target {
            Target::Own => {
                let aggregate = matches!(m.org_kind, OrgKind::CoordinationOffice);
                (self.org(m.actor.org).await?, m.region.clone(), aggregate)
            }
            Target::Org(o) => {
                let org = self.org(*o).await.map_err(|_| AppError::NotFound)?;
                let aggregate = matches!(org.kind, OrgKind::CoordinationOffice);
                let r = org.region.clone();
                (org, r, aggregate)
            }
            Target::Region(r) => {
                if !matches!(m.org_kind, OrgKind::CoordinationOffice) {
                    return Err(AppError::Forbidden(
                        "a region's aggregate is the coordination office's".into(),
                    ));
                }
                (self.org(m.actor.org).await?, r.clone(), true)
            }
        };
        decide(
            &call.principal,
            Action::Read,
            &Resource::Report {
                unit: unit.id,
                region: region.clone(),
            },
        )
        .into_result()?;
        if !aggregate && !kind.filed_by(&unit.kind) {
            return Err(AppError::invalid(
                "kind",
                report::ReportError::NotFiler {
                    unit: unit.name.clone(),
                    kind,
                }
                .to_string(),
            ));
        }
        let (from, end) = period.window();
        let to = end.min(call.now).max(from);
        let scope = if aggregate {
            wangjian_store::Scope::Region(region.clone())
        } else {
            wangjian_store::Scope::Org(unit.id)
        };
        let orgs = self.store().organizations().await?;
        let names: BTreeMap<OrgId, &Organization> = orgs.iter().map(|o| (o.id, o)).collect();
        let mut table = ReportTable {
            kind,
            period,
            unit: unit.id,
            unit_name: unit.name.clone(),
            region: region.clone(),
            aggregate,
            as_of: to,
            columns: vec![],
            rows: vec![],
            notes: vec![],
        };
        match kind {
            ReportKind::CaseProgress => {
                let cases = self.store().report_progress_cases(&scope, from, to).await?;
                layout::case_progress(&mut table, &cases, &names);
            }
            ReportKind::Monthly | ReportKind::HalfYear => {
                let steps = self.store().report_step_counts(&scope, from, to).await?;
                let penalties = self.store().report_penalties(&scope, from, to).await?;
                let to_day = shanghai_date(to - Duration::nanoseconds(1)) + Duration::days(1);
                let handling = self
                    .store()
                    .report_handling(&scope, from, to, period.first_day(), to_day)
                    .await?;
                let platform_reports = self
                    .store()
                    .report_submissions_between(
                        &wangjian_store::Scope::Region(region.clone()),
                        ReportKind::PlatformWeekly,
                        from,
                        to,
                    )
                    .await?;
                let notices = self.store().report_notices(&scope, from, to).await?;
                let units: Vec<&Organization> = if aggregate {
                    orgs.iter()
                        .filter(|o| {
                            matches!(o.kind, OrgKind::Agency { .. }) && region.contains(&o.region)
                        })
                        .collect()
                } else {
                    vec![&unit]
                };
                layout::statistics(
                    &mut table,
                    &units,
                    &layout::Figures {
                        steps: &steps,
                        penalties: &penalties,
                        handling: &handling,
                        platform_reports,
                        notices: &notices,
                    },
                );
            }
            ReportKind::PlatformWeekly => {
                // 附件1: each platform's weekly figures (notices, self-inspection), from the
                // notices module; the office's aggregate lists the platforms of its region.
                let Period::Week { year, week } = period else {
                    return Err(AppError::invalid("period", "platform-weekly covers a week"));
                };
                let iso = crate::notices::weekly::IsoWeek { year, week };
                let platforms: Vec<&Organization> = if aggregate {
                    orgs.iter()
                        .filter(|o| {
                            matches!(o.kind, OrgKind::Platform) && region.contains(&o.region)
                        })
                        .collect()
                } else {
                    vec![&unit]
                };
                let mut figures = vec![];
                for p in platforms {
                    figures.push(self.platform_weekly_unchecked(p.id, iso).await?);
                }
                layout::platform_weekly(&mut table, &figures);
            }
        }
        Ok(table)
    }

    /// Submits the caller's unit's report of `kind` for `period` as generated now: a
    /// supervisor of the unit (a platform's operator for its weekly report). The figures
    /// are frozen with their SHA-256; a second submission of the same report is refused.
    pub async fn submit_report(
        &self,
        call: &Call,
        kind: ReportKind,
        period: Period,
    ) -> Result<ReportSubmission, AppError> {
        let m = call.member()?;
        let table = self
            .report(call, kind, period, &Target::Org(m.actor.org))
            .await?;
        decide(
            &call.principal,
            Action::Write,
            &Resource::Report {
                unit: m.actor.org,
                region: m.region.clone(),
            },
        )
        .into_result()?;
        if let Some(s) = self
            .store()
            .report_submission(kind, &period.to_string(), m.actor.org)
            .await?
        {
            return Err(AppError::RuleViolation(format!(
                "the {kind} report for {period} was already submitted at {} (SHA-256 {})",
                s.submitted_at.format("%Y-%m-%d %H:%M UTC"),
                s.digest
            )));
        }
        let cal = self.calendar().await?;
        let due = report::due(kind, period, &m.org_kind, &cal).map_err(AppError::rule)?;
        let change = report::submit(&m.actor, &m.org_kind, table, &due, &self.context(call))
            .map_err(|e| match e {
                report::ReportError::NotSupervisor | report::ReportError::NotFiler { .. } => {
                    AppError::Forbidden(e.to_string())
                }
                e => AppError::rule(e),
            })?;
        Ok(self.store().apply(change).await?.value)
    }

    /// The submissions the caller may read (its own; for an office, its region's), newest
    /// first, at most `limit`.
    pub async fn report_submissions(
        &self,
        call: &Call,
        kind: Option<ReportKind>,
        limit: u32,
    ) -> Result<Vec<ReportSubmission>, AppError> {
        let Some(scope) = report_store_scope(&list_scope(&call.principal, ResourceKind::Report))
        else {
            return Ok(vec![]);
        };
        Ok(self
            .store()
            .report_submissions(&scope, kind, limit.min(1000))
            .await?)
    }

    /// One submission the caller may read, by kind, period and unit.
    pub async fn report_submission(
        &self,
        call: &Call,
        kind: ReportKind,
        period: Period,
        unit: OrgId,
    ) -> Result<ReportSubmission, AppError> {
        let s = self
            .store()
            .report_submission(kind, &period.to_string(), unit)
            .await?
            .ok_or(AppError::NotFound)?;
        decide(
            &call.principal,
            Action::Read,
            &Resource::Report {
                unit: s.unit,
                region: s.region.clone(),
            },
        )
        .into_result()?;
        Ok(s)
    }

    /// The reporting calendar from `from` to `to` (days, China's date): every report due
    /// in that span from the caller's unit or, for an office, from every member unit of its
    /// region, with its submission and status on `today`. By due day, then unit.
    pub async fn reporting_calendar(
        &self,
        call: &Call,
        from: NaiveDate,
        to: NaiveDate,
        today: NaiveDate,
    ) -> Result<Vec<CalendarEntry>, AppError> {
        if to < from || (to - from).num_days() > 400 {
            return Err(AppError::invalid(
                "to",
                "the calendar spans at most 400 days, from before to",
            ));
        }
        let m = call.member()?;
        let orgs = self.store().organizations().await?;
        let units: Vec<&Organization> = match m.org_kind {
            OrgKind::CoordinationOffice => orgs
                .iter()
                .filter(|o| {
                    matches!(o.kind, OrgKind::Agency { .. } | OrgKind::Platform)
                        && m.region.contains(&o.region)
                })
                .collect(),
            _ => orgs.iter().filter(|o| o.id == m.actor.org).collect(),
        };
        let cal = self.calendar().await?;
        let subs = match report_store_scope(&list_scope(&call.principal, ResourceKind::Report)) {
            Some(scope) => {
                self.store()
                    .report_submissions(&scope, None, 10_000)
                    .await?
            }
            None => vec![],
        };
        let mut out = vec![];
        for u in units {
            let allowed = decide(
                &call.principal,
                Action::Read,
                &Resource::Report {
                    unit: u.id,
                    region: u.region.clone(),
                },
            );
            if !allowed.is_allow() {
                continue;
            }
            for due in report::dues_between(&u.kind, from, to, &cal).map_err(AppError::rule)? {
                let sub = subs
                    .iter()
                    .find(|s| s.unit == u.id && s.kind == due.kind && s.period == due.period);
                let status = match sub {
                    Some(s) if s.late => DueStatus::SubmittedLate,
                    Some(_) => DueStatus::Submitted,
                    None if today > due.due => DueStatus::Late,
                    None if (due.due - today).num_days() <= DUE_SOON_DAYS => DueStatus::DueSoon,
                    None => DueStatus::Upcoming,
                };
                out.push(CalendarEntry {
                    unit: u.id,
                    unit_name: u.name.clone(),
                    submitted: sub.map(|s| (s.submitted_at, s.late, s.digest.clone())),
                    due,
                    status,
                });
            }
        }
        out.sort_by(|a, b| {
            (a.due.due, a.due.kind, &a.unit_name).cmp(&(b.due.due, b.due.kind, &b.unit_name))
        });
        Ok(out)
    }
}

/// The store's filter for the reports list scope (`None`: nothing).
fn report_store_scope(scope: &Scope) -> Option<wangjian_store::Scope> {
    match scope {
        Scope::Parties { org, parties } if parties.contains(&Party::ReportUnit) => {
            Some(wangjian_store::Scope::Org(*org))
        }
        Scope::Region(r) => Some(wangjian_store::Scope::Region(r.clone())),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
