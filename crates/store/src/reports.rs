//! What the statistics reports count (issue 16), read straight from the record in a window
//! of time, and the submitted reports. Every query takes its scope explicitly (an
//! agency, or the agencies of a region), like every list; the counting is done in SQL
//! (`GROUP BY` the responsible agency), so a report's cost grows with the activity of its
//! period, not with the size of the record (indexes of migration 13).
//!
//! A case is counted under the agency now responsible for it (after a transfer, the
//! receiver), and a step when the audit trail recorded it (China's date of `at`).

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;
use wangjian_domain::case::{Opening, PenaltyDecision};
use wangjian_domain::report::{ReportKind, ReportSubmission};
use wangjian_domain::{CaseId, OrgId};

use crate::query::{prefix_range, Scope};
use crate::schema;
use crate::value::{Kind, Val};
use crate::{Store, StoreError};

/// The case steps the monthly and half-year statistics count.
pub const COUNTED_STEPS: [&str; 5] = [
    "case.open",
    "case.close",
    "case.decide_penalty",
    "case.refer_to_police",
    "case.transfer_out",
];

/// A notice sent: (sender, sent at, when the platform decided, if it has).
pub type SentNotice = (OrgId, DateTime<Utc>, Option<DateTime<Utc>>);

/// One agency's count of one case step in a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepCount {
    /// The agency now responsible for the cases.
    pub org: OrgId,
    /// The audit action (`case.open`, …).
    pub action: String,
    /// How many.
    pub count: u64,
}

/// A penalty decided in a window, with the agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecidedPenalty {
    /// The agency.
    pub org: OrgId,
    /// The decision.
    pub penalty: PenaltyDecision,
}

/// Per agency: complaints and reports received and decided (accepted or refused) in a
/// window, and penalty decisions published (公示) on time and late.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HandlingCounts {
    /// Complaints received.
    pub complaints_received: u64,
    /// Complaints decided.
    pub complaints_decided: u64,
    /// Disclosures made within the 7 working days.
    pub disclosed_on_time: u64,
    /// Disclosures made late.
    pub disclosed_late: u64,
}

/// A case for the weekly progress table (附件2).
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressCase {
    /// Id.
    pub id: CaseId,
    /// Number, document form.
    pub number: String,
    /// Title.
    pub title: String,
    /// The responsible agency.
    pub org: OrgId,
    /// State (the domain's snake_case name).
    pub state: String,
    /// The opening, once opened.
    pub opening: Option<Opening>,
    /// The penalty decision, once decided.
    pub penalty: Option<PenaltyDecision>,
    /// The steps recorded in the window, in order (audit action, when).
    pub steps: Vec<(String, DateTime<Utc>)>,
    /// Active supervision level (督办), if any.
    pub supervision: Option<String>,
    /// Its transfers and referrals: (kind, receiver, status, sent at).
    pub transfers: Vec<(String, OrgId, String, DateTime<Utc>)>,
    /// (year, prefix, sequence): the order of case numbers.
    pub sort_key: (i64, String, i64),
}

fn scope_sql(scope: &Scope, org_col: &str, region_col: &str, args: &mut Vec<Val>) -> String {
    match scope {
        Scope::Org(o) => {
            args.push(Val::from(o.0));
            format!("{org_col} = ${}", args.len())
        }
        Scope::Region(r) => {
            let (lo, hi) = prefix_range(r.prefix());
            args.push(Val::from(lo));
            args.push(Val::from(hi));
            format!(
                "{region_col} >= ${} AND {region_col} < ${}",
                args.len() - 1,
                args.len()
            )
        }
    }
}

fn org_of(r: &crate::backend::Row, i: usize) -> Result<OrgId, StoreError> {
    r.uuid(i)?
        .map(OrgId)
        .ok_or_else(|| StoreError::Corrupt(format!("column {i}: NULL organization")))
}

fn json_of<T: serde::de::DeserializeOwned>(
    r: &crate::backend::Row,
    i: usize,
) -> Result<Option<T>, StoreError> {
    match r.get(i, Kind::Json)? {
        Val::Json(Some(serde_json::Value::Null)) | Val::Json(None) => Ok(None),
        Val::Json(Some(v)) => serde_json::from_value(v)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("column {i}: {e}"))),
        _ => Ok(None),
    }
}

fn time_of(r: &crate::backend::Row, i: usize) -> Result<DateTime<Utc>, StoreError> {
    match r.get(i, Kind::Time)? {
        Val::Time(Some(t)) => Ok(t),
        _ => Err(StoreError::Corrupt(format!("column {i}: NULL time"))),
    }
}

impl Store {
    /// The counted case steps ([`COUNTED_STEPS`]) recorded in `[from, to)`, per responsible
    /// agency and action.
    pub async fn report_step_counts(
        &self,
        scope: &Scope,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<StepCount>, StoreError> {
        let mut args = vec![Val::from(from), Val::from(to)];
        let mut steps = vec![];
        for s in COUNTED_STEPS {
            args.push(Val::from(s));
            steps.push(format!("${}", args.len()));
        }
        let f = scope_sql(scope, "c.responsible_org", "c.region", &mut args);
        let sql = format!(
            "SELECT c.responsible_org, a.action, COUNT(*) FROM audit_events a \
             JOIN cases c ON c.id = a.root_case \
             WHERE a.action IN ({}) AND a.at >= $1 AND a.at < $2 AND a.object_type = 'case' \
             AND {f} GROUP BY c.responsible_org, a.action",
            steps.join(", ")
        );
        let rows = self.pool.fetch(&sql, args).await?;
        rows.iter()
            .map(|r| {
                Ok(StepCount {
                    org: org_of(r, 0)?,
                    action: r.text(1)?.unwrap_or_default(),
                    count: r.int(2)?.max(0) as u64,
                })
            })
            .collect()
    }

    /// The penalty decisions recorded in `[from, to)`.
    pub async fn report_penalties(
        &self,
        scope: &Scope,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<DecidedPenalty>, StoreError> {
        let mut args = vec![Val::from(from), Val::from(to)];
        let f = scope_sql(scope, "c.responsible_org", "c.region", &mut args);
        let sql = format!(
            "SELECT c.responsible_org, c.penalty FROM audit_events a \
             JOIN cases c ON c.id = a.root_case \
             WHERE a.action = 'case.decide_penalty' AND a.at >= $1 AND a.at < $2 \
             AND a.object_type = 'case' AND {f}"
        );
        let rows = self.pool.fetch(&sql, args).await?;
        let mut out = vec![];
        for r in &rows {
            if let Some(penalty) = json_of::<PenaltyDecision>(r, 1)? {
                out.push(DecidedPenalty {
                    org: org_of(r, 0)?,
                    penalty,
                });
            }
        }
        Ok(out)
    }

    /// Complaints received and decided in `[from, to)` and penalty decisions disclosed on
    /// days `[from_day, to_day)`, per agency.
    pub async fn report_handling(
        &self,
        scope: &Scope,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        from_day: NaiveDate,
        to_day: NaiveDate,
    ) -> Result<Vec<(OrgId, HandlingCounts)>, StoreError> {
        let mut map: std::collections::BTreeMap<Uuid, HandlingCounts> = Default::default();
        for (col, which) in [("submitted_at", 0), ("decided_at", 1)] {
            let mut args = vec![Val::from(from), Val::from(to)];
            let f = scope_sql(scope, "k.handler", "o.region", &mut args);
            let sql = format!(
                "SELECT k.handler, COUNT(*) FROM complaints k \
                 JOIN organizations o ON o.id = k.handler \
                 WHERE k.{col} >= $1 AND k.{col} < $2 AND {f} GROUP BY k.handler"
            );
            for r in self.pool.fetch(&sql, args).await? {
                let e = map.entry(org_of(&r, 0)?.0).or_default();
                let n = r.int(1)?.max(0) as u64;
                if which == 0 {
                    e.complaints_received = n;
                } else {
                    e.complaints_decided = n;
                }
            }
        }
        let mut args = vec![Val::from(from_day), Val::from(to_day)];
        let f = scope_sql(scope, "d.org", "d.region", &mut args);
        let sql = format!(
            "SELECT d.org, d.status, COUNT(*) FROM deadlines d \
             WHERE d.kind = 'penalty_disclosure' AND d.status IN ('met', 'breached') \
             AND d.status_on >= $1 AND d.status_on < $2 AND {f} GROUP BY d.org, d.status"
        );
        for r in self.pool.fetch(&sql, args).await? {
            let e = map.entry(org_of(&r, 0)?.0).or_default();
            let n = r.int(2)?.max(0) as u64;
            if r.text(1)?.as_deref() == Some("met") {
                e.disclosed_on_time = n;
            } else {
                e.disclosed_late = n;
            }
        }
        Ok(map.into_iter().map(|(k, v)| (OrgId(k), v)).collect())
    }

    /// The cases for the weekly progress table: those with a step recorded in `[from,
    /// to)` and those under active supervision (督办) marked before `to`, in case-number
    /// order, each with its steps in the window, supervision and transfers.
    pub async fn report_progress_cases(
        &self,
        scope: &Scope,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ProgressCase>, StoreError> {
        const COLS: &str = "c.id, c.number_prefix, c.number_year, c.number_seq, c.title, \
             c.responsible_org, c.state, c.opening, c.penalty";
        let mut args = vec![Val::from(from), Val::from(to)];
        let f = scope_sql(scope, "c.responsible_org", "c.region", &mut args);
        let sql = format!(
            "SELECT {COLS}, a.action, a.at FROM audit_events a JOIN cases c ON c.id = a.root_case \
             WHERE a.at >= $1 AND a.at < $2 AND a.object_type = 'case' AND {f} \
             ORDER BY c.number_year, c.number_prefix, c.number_seq, a.seq"
        );
        let rows = self.pool.fetch(&sql, args).await?;
        let mut cases: Vec<ProgressCase> = vec![];
        let read_case = |r: &crate::backend::Row| -> Result<ProgressCase, StoreError> {
            Ok(ProgressCase {
                id: CaseId(r.uuid(0)?.unwrap_or_default()),
                number: format!(
                    "{}〔{}〕{}号",
                    r.text(1)?.unwrap_or_default(),
                    r.int(2)?,
                    r.int(3)?
                ),
                title: r.text(4)?.unwrap_or_default(),
                org: org_of(r, 5)?,
                state: r.text(6)?.unwrap_or_default(),
                opening: json_of(r, 7)?,
                penalty: json_of(r, 8)?,
                steps: vec![],
                supervision: None,
                transfers: vec![],
                sort_key: (r.int(2)?, r.text(1)?.unwrap_or_default(), r.int(3)?),
            })
        };
        for r in &rows {
            let id = CaseId(r.uuid(0)?.unwrap_or_default());
            if cases.last().map(|c| c.id) != Some(id) {
                cases.push(read_case(r)?);
            }
            if let Some(c) = cases.last_mut() {
                c.steps
                    .push((r.text(9)?.unwrap_or_default(), time_of(r, 10)?));
            }
        }
        // Cases under active supervision, with or without steps this week.
        let mut args = vec![Val::from(to)];
        let f = scope_sql(scope, "c.responsible_org", "c.region", &mut args);
        let sql = format!(
            "SELECT {COLS}, s.level FROM supervisions s JOIN cases c ON c.id = s.case_id \
             WHERE s.lifted_at IS NULL AND s.marked_at < $1 AND {f} ORDER BY s.marked_at"
        );
        for r in self.pool.fetch(&sql, args).await? {
            let id = CaseId(r.uuid(0)?.unwrap_or_default());
            let level = r.text(9)?;
            match cases.iter_mut().find(|c| c.id == id) {
                Some(c) => c.supervision = c.supervision.take().or(level),
                None => {
                    let mut c = read_case(&r)?;
                    c.supervision = level;
                    cases.push(c);
                }
            }
        }
        cases.sort_by(|a, b| a.sort_key.cmp(&b.sort_key));
        // Their transfers and referrals sent before the window's end.
        for chunk in cases.chunks_mut(200) {
            let mut args = vec![Val::from(to)];
            let mut marks = vec![];
            for c in chunk.iter() {
                args.push(Val::from(c.id.0));
                marks.push(format!("${}", args.len()));
            }
            let sql = format!(
                "SELECT case_id, kind, to_org, status, sent_at FROM transfer_orders \
                 WHERE sent_at < $1 AND case_id IN ({}) ORDER BY sent_at, id",
                marks.join(", ")
            );
            for r in self.pool.fetch(&sql, args).await? {
                let id = CaseId(r.uuid(0)?.unwrap_or_default());
                if let Some(c) = chunk.iter_mut().find(|c| c.id == id) {
                    c.transfers.push((
                        r.text(1)?.unwrap_or_default(),
                        org_of(&r, 2)?,
                        r.text(3)?.unwrap_or_default(),
                        time_of(&r, 4)?,
                    ));
                }
            }
        }
        Ok(cases)
    }

    /// The notices (通知—删除) agencies in `scope` sent in `[from, to)`: (sender, sent at,
    /// when the platform decided, if it has).
    pub async fn report_notices(
        &self,
        scope: &Scope,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<SentNotice>, StoreError> {
        let mut args = vec![Val::from(from), Val::from(to)];
        let f = scope_sql(scope, "n.sender", "o.region", &mut args);
        let sql = format!(
            "SELECT n.sender, n.sent_at, n.decided_at FROM notices n \
             JOIN organizations o ON o.id = n.sender \
             WHERE n.sent_at >= $1 AND n.sent_at < $2 AND {f}"
        );
        let rows = self.pool.fetch(&sql, args).await?;
        rows.iter()
            .map(|r| {
                let decided = match r.get(2, Kind::Time)? {
                    Val::Time(t) => t,
                    _ => None,
                };
                Ok((org_of(r, 0)?, time_of(r, 1)?, decided))
            })
            .collect()
    }

    /// How many reports of `kind` from units in `scope` were submitted in `[from, to)`
    /// (the platform weekly reports an office received in a month).
    pub async fn report_submissions_between(
        &self,
        scope: &Scope,
        kind: ReportKind,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut args = vec![Val::from(kind.code()), Val::from(from), Val::from(to)];
        let f = scope_sql(scope, "unit", "region", &mut args);
        let sql = format!(
            "SELECT COUNT(*) FROM report_submissions WHERE kind = $1 AND submitted_at >= $2 \
             AND submitted_at < $3 AND {f}"
        );
        let rows = self.pool.fetch(&sql, args).await?;
        Ok(rows
            .first()
            .map(|r| r.int(0))
            .transpose()?
            .unwrap_or(0)
            .max(0) as u64)
    }

    /// One unit's submission of a report for a period, if made.
    pub async fn report_submission(
        &self,
        kind: ReportKind,
        period: &str,
        unit: OrgId,
    ) -> Result<Option<ReportSubmission>, StoreError> {
        let t = &schema::REPORT_SUBMISSIONS;
        let sql = format!(
            "SELECT {} FROM report_submissions WHERE kind = $1 AND period = $2 AND unit = $3",
            t.select_list("")
        );
        let rows = self
            .pool
            .fetch(
                &sql,
                vec![Val::from(kind.code()), Val::from(period), Val::from(unit.0)],
            )
            .await?;
        rows.first().map(|r| schema::from_row(t, r)).transpose()
    }

    /// The submissions in `scope` (a unit's own, or its region's), newest first, at most
    /// `limit`; optionally of one kind.
    pub async fn report_submissions(
        &self,
        scope: &Scope,
        kind: Option<ReportKind>,
        limit: u32,
    ) -> Result<Vec<ReportSubmission>, StoreError> {
        let t = &schema::REPORT_SUBMISSIONS;
        let mut args = vec![];
        let mut f = scope_sql(scope, "unit", "region", &mut args);
        if let Some(k) = kind {
            args.push(Val::from(k.code()));
            f.push_str(&format!(" AND kind = ${}", args.len()));
        }
        args.push(Val::from(i64::from(limit)));
        let sql = format!(
            "SELECT {} FROM report_submissions WHERE {f} ORDER BY submitted_at DESC, id LIMIT ${}",
            t.select_list(""),
            args.len()
        );
        let rows = self.pool.fetch(&sql, args).await?;
        rows.iter().map(|r| schema::from_row(t, r)).collect()
    }
}
