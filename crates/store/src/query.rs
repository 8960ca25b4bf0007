//! Lists: cases by scope, state and officer; an officer's queue; the supervision board;
//! the audit trail. Every list takes its scope explicitly (an organization, or the region
//! of a coordination office) and pages by keyset, never by offset, so page 10 000 costs
//! what page 1 does.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wangjian_calendar::Calendar;
use wangjian_domain::supervision::{DueItem, DueWhat, Supervision};
use wangjian_domain::{
    AuditEvent, Case, CaseId, CaseState, ObjectType, OrgId, RegionCode, RequestId, UserId,
};

use crate::backend::Row;
use crate::schema;
use crate::schema::from_row;
use crate::value::{Kind, Val};
use crate::{Store, StoreError};

/// Whose rows a query may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Cases an agency is responsible for.
    Org(OrgId),
    /// Every case of agencies within a region (a coordination office's read-only view).
    Region(RegionCode),
}

/// Where the next page starts (opaque to callers; pass it back as given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor(pub String);

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// The cursor of the next page; `None` on the last.
    pub next: Option<Cursor>,
}

/// A case list query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseQuery {
    /// Required scope.
    pub scope: Scope,
    /// Only this state.
    pub state: Option<CaseState>,
    /// Only cases assigned to this officer (case officer, or verifier before opening).
    pub officer: Option<UserId>,
    /// Include declined, closed and terminated cases.
    pub include_final: bool,
    /// Continue after this cursor.
    pub after: Option<Cursor>,
    /// Page size (at most 500).
    pub limit: u32,
}

impl CaseQuery {
    /// Open cases in `scope`, first page of 50.
    pub fn new(scope: Scope) -> Self {
        Self {
            scope,
            state: None,
            officer: None,
            include_final: false,
            after: None,
            limit: 50,
        }
    }
}

/// An audit event with its position in the trail.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Position in the trail (monotonic; the evidence log's index).
    pub seq: i64,
    /// The event.
    pub event: AuditEvent,
}

/// `[lo, hi)` such that a region code has `prefix` exactly when lo <= code < hi: a range
/// every B-tree index serves, on both backends (LIKE needs collation care on SQLite).
pub(crate) fn prefix_range(prefix: &str) -> (String, String) {
    let mut hi = prefix.as_bytes().to_vec();
    if let Some(last) = hi.last_mut() {
        *last += 1;
    }
    (
        prefix.to_string(),
        String::from_utf8_lossy(&hi).into_owned(),
    )
}

pub(crate) fn cursor_uuid(c: &Option<Cursor>) -> Result<Option<Uuid>, StoreError> {
    c.as_ref()
        .map(|c| {
            Uuid::parse_str(&c.0).map_err(|_| StoreError::Corrupt(format!("bad cursor {:?}", c.0)))
        })
        .transpose()
}

/// Adds `v` to a query's arguments and returns its placeholder (`$n`), so that a query
/// built from optional filters numbers its parameters in order.
pub(crate) fn arg(v: Val, args: &mut Vec<Val>) -> String {
    args.push(v);
    format!("${}", args.len())
}

impl Store {
    /// Cases in a scope, filtered, in id order (ids are time-ordered UUIDv7, so this is
    /// registration order).
    pub async fn cases(&self, q: &CaseQuery) -> Result<Page<Case>, StoreError> {
        let t = &schema::CASES;
        let mut args = Vec::new();
        let mut conds = Vec::new();
        match &q.scope {
            Scope::Org(o) => {
                let p = arg(Val::from(o.0), &mut args);
                conds.push(format!("responsible_org = {p}"));
            }
            Scope::Region(r) => {
                let (lo, hi) = prefix_range(r.prefix());
                let a = arg(Val::from(lo), &mut args);
                let b = arg(Val::from(hi), &mut args);
                conds.push(format!("region >= {a} AND region < {b}"));
            }
        }
        if let Some(s) = q.state {
            let p = arg(Val::from(s.as_str()), &mut args);
            conds.push(format!("state = {p}"));
        }
        if let Some(u) = q.officer {
            let p = arg(Val::from(u.0), &mut args);
            conds.push(format!("assignee = {p}"));
        }
        if !q.include_final {
            let p = arg(Val::from(true), &mut args);
            conds.push(format!("is_open = {p}"));
        }
        if let Some(after) = cursor_uuid(&q.after)? {
            let p = arg(Val::from(after), &mut args);
            conds.push(format!("id > {p}"));
        }
        let limit = q.limit.clamp(1, 500) as usize;
        let sql = format!(
            "SELECT {} FROM cases WHERE {} ORDER BY id LIMIT {}",
            t.select_list(""),
            conds.join(" AND "),
            limit + 1
        );
        let rows = self.pool.fetch(&sql, args).await?;
        let mut items: Vec<Case> = rows
            .iter()
            .map(|r| from_row(t, r))
            .collect::<Result<_, _>>()?;
        let next = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|c| Cursor(c.id.to_string()))
        } else {
            None
        };
        Ok(Page { items, next })
    }

    /// An officer's queue: the open cases of `org` assigned to `officer`.
    pub async fn officer_queue(
        &self,
        org: OrgId,
        officer: UserId,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Page<Case>, StoreError> {
        self.cases(&CaseQuery {
            scope: Scope::Org(org),
            state: None,
            officer: Some(officer),
            include_final: false,
            after,
            limit,
        })
        .await
    }

    /// Running deadlines (open, not paused) of agencies in `region` that are overdue on
    /// `today` or due within `within` working days, by due date. Keyset-paged.
    pub async fn due_deadlines(
        &self,
        region: &RegionCode,
        today: NaiveDate,
        within: u32,
        cal: &Calendar,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Page<DueItem>, StoreError> {
        let horizon = cal
            .add_workdays(today, within)
            .map_err(|e| StoreError::Calendar(e.to_string()))?;
        let (lo, hi) = prefix_range(region.prefix());
        let mut args = vec![
            Val::from("open"),
            Val::from(lo),
            Val::from(hi),
            Val::from(horizon),
            Val::from(false),
        ];
        let mut keyset = String::new();
        if let Some(c) = &after {
            let (d, id) =
                c.0.split_once('/')
                    .and_then(|(d, i)| {
                        Some((
                            NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?,
                            Uuid::parse_str(i).ok()?,
                        ))
                    })
                    .ok_or_else(|| StoreError::Corrupt(format!("bad cursor {:?}", c.0)))?;
            args.push(Val::from(d));
            args.push(Val::from(id));
            keyset = " AND (d.due, d.id) > ($6, $7)".into();
        }
        let limit = limit.clamp(1, 500) as usize;
        let sql = format!(
            "SELECT d.id, d.due, d.kind, d.object_type, d.object_id, d.org, c.id, \
             c.number_prefix, c.number_year, c.number_seq, d.provisional \
             FROM deadlines d JOIN cases c ON c.id = d.root_case \
             WHERE d.status = $1 AND d.region >= $2 AND d.region < $3 AND d.due <= $4 \
             AND d.paused = $5{keyset} ORDER BY d.due, d.id LIMIT {}",
            limit + 1
        );
        let rows = self.pool.fetch(&sql, args).await?;
        let mut items = Vec::with_capacity(rows.len());
        let mut last = None;
        for r in rows.iter().take(limit) {
            let due = date(r, 1)?;
            let id = r.uuid(0)?.unwrap_or_default();
            items.push(due_item(r, today, due, cal)?);
            last = Some(format!("{due}/{id}"));
        }
        let next = if rows.len() > limit {
            last.map(Cursor)
        } else {
            None
        };
        Ok(Page { items, next })
    }

    /// The supervision board of a coordination office: its active supervision marks on
    /// open cases and the running deadlines of its region, overdue or due within `within`
    /// working days, by due date (`supervision::due_report` in SQL): the first `limit`
    /// (1–500) of both together, so a province with thousands of marks answers with a
    /// page, not all of them.
    pub async fn supervision_board(
        &self,
        office: OrgId,
        region: &RegionCode,
        today: NaiveDate,
        within: u32,
        cal: &Calendar,
        limit: u32,
    ) -> Result<Vec<DueItem>, StoreError> {
        let horizon = cal
            .add_workdays(today, within)
            .map_err(|e| StoreError::Calendar(e.to_string()))?;
        let mut items = self
            .due_deadlines(region, today, within, cal, None, limit)
            .await?
            .items;
        let t = &schema::SUPERVISIONS;
        let sql = format!(
            "SELECT {}, c.number_prefix, c.number_year, c.number_seq, c.responsible_org \
             FROM supervisions s JOIN cases c ON c.id = s.case_id \
             WHERE s.office = $1 AND s.lifted_at IS NULL AND s.due <= $2 AND c.is_open = $3 \
             ORDER BY s.due, s.id LIMIT {}",
            t.select_list("s"),
            limit.clamp(1, 500)
        );
        let rows = self
            .pool
            .fetch(
                &sql,
                vec![Val::from(office.0), Val::from(horizon), Val::from(true)],
            )
            .await?;
        let n = t.cols.len();
        for r in &rows {
            let s: Supervision = from_row(t, r)?;
            let number = number_at(r, n)?;
            let org = OrgId(r.uuid(n + 3)?.unwrap_or_default());
            items.push(DueItem {
                case: s.case,
                number,
                org,
                what: DueWhat::Supervision { level: s.level },
                due: s.due,
                overdue: today > s.due,
                working_days_left: left(today, s.due, cal)?,
                provisional: false,
            });
        }
        items.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.number.cmp(&b.number)));
        items.truncate(limit.clamp(1, 500) as usize);
        Ok(items)
    }

    /// The supervision marks of a case.
    pub async fn supervisions_of(&self, case: CaseId) -> Result<Vec<Supervision>, StoreError> {
        let t = &schema::SUPERVISIONS;
        let sql = format!(
            "SELECT {} FROM supervisions WHERE case_id = $1 ORDER BY marked_at, id",
            t.select_list("")
        );
        let rows = self.pool.fetch(&sql, vec![Val::from(case.0)]).await?;
        rows.iter().map(|r| from_row(t, r)).collect()
    }

    /// The audit trail of a case (every event whose root is the case), in order.
    pub async fn case_trail(&self, case: CaseId) -> Result<Vec<StoredEvent>, StoreError> {
        self.trail("root_case = $1", vec![Val::from(case.0)]).await
    }

    /// The audit trail of one object.
    pub async fn object_trail(
        &self,
        object_type: ObjectType,
        id: Uuid,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let ty = serde_json::to_value(object_type).unwrap_or_default();
        self.trail(
            "object_type = $1 AND object_id = $2",
            vec![Val::from(ty.as_str().unwrap_or_default()), Val::from(id)],
        )
        .await
    }

    /// The events of one user action.
    pub async fn request_trail(&self, request: RequestId) -> Result<Vec<StoredEvent>, StoreError> {
        self.trail("request_id = $1", vec![Val::from(request.0)])
            .await
    }

    /// Up to `limit` events after `seq` (the evidence log catches up with this).
    pub async fn events_after(&self, seq: i64, limit: u32) -> Result<Vec<StoredEvent>, StoreError> {
        let t = &schema::AUDIT_EVENTS;
        let sql = format!(
            "SELECT {} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT {}",
            t.select_list(""),
            limit.clamp(1, 10_000)
        );
        let rows = self.pool.fetch(&sql, vec![Val::Int(Some(seq))]).await?;
        rows.iter().map(stored_event).collect()
    }

    async fn trail(&self, filter: &str, args: Vec<Val>) -> Result<Vec<StoredEvent>, StoreError> {
        let t = &schema::AUDIT_EVENTS;
        let sql = format!(
            "SELECT {} FROM audit_events WHERE {filter} ORDER BY seq",
            t.select_list("")
        );
        let rows = self.pool.fetch(&sql, args).await?;
        rows.iter().map(stored_event).collect()
    }
}

pub(crate) fn stored_event(r: &Row) -> Result<StoredEvent, StoreError> {
    Ok(StoredEvent {
        seq: r.int(0)?,
        event: from_row(&schema::AUDIT_EVENTS, r)?,
    })
}

fn date(r: &Row, i: usize) -> Result<NaiveDate, StoreError> {
    match r.get(i, Kind::Date)? {
        Val::Date(Some(d)) => Ok(d),
        _ => Err(StoreError::Corrupt(format!("column {i}: NULL date"))),
    }
}

pub(crate) fn number_at(r: &Row, i: usize) -> Result<String, StoreError> {
    Ok(format!(
        "{}〔{}〕{}号",
        r.text(i)?.unwrap_or_default(),
        r.int(i + 1)?,
        r.int(i + 2)?
    ))
}

fn left(today: NaiveDate, due: NaiveDate, cal: &Calendar) -> Result<u32, StoreError> {
    if today > due {
        return Ok(0);
    }
    cal.workdays_between(today, due)
        .map_err(|e| StoreError::Calendar(e.to_string()))
}

fn due_item(
    r: &Row,
    today: NaiveDate,
    due: NaiveDate,
    cal: &Calendar,
) -> Result<DueItem, StoreError> {
    let text = |i| -> Result<serde_json::Value, StoreError> {
        Ok(serde_json::Value::String(r.text(i)?.unwrap_or_default()))
    };
    let corrupt = |w: &str| StoreError::Corrupt(format!("deadline row: {w}"));
    Ok(DueItem {
        case: CaseId(r.uuid(6)?.ok_or_else(|| corrupt("case"))?),
        number: number_at(r, 7)?,
        org: OrgId(r.uuid(5)?.ok_or_else(|| corrupt("org"))?),
        what: DueWhat::Deadline {
            kind: serde_json::from_value(text(2)?).map_err(|_| corrupt("kind"))?,
            object_type: serde_json::from_value(text(3)?).map_err(|_| corrupt("object_type"))?,
            object_id: r.uuid(4)?.ok_or_else(|| corrupt("object_id"))?,
        },
        due,
        overdue: today > due,
        working_days_left: left(today, due, cal)?,
        provisional: matches!(r.get(10, Kind::Bool)?, Val::Bool(Some(true))),
    })
}
