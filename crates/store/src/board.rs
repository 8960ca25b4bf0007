//! What the coordination office's board and the dashboard count: cases by state, leads
//! received per day with their reason codes, the active supervision orders of an office.
//! Every query takes its scope explicitly, like every list.

use chrono::{DateTime, NaiveDate, Utc};
use wangjian_domain::supervision::Supervision;
use wangjian_domain::transfer::TransferOrder;
use wangjian_domain::OrgId;

use crate::query::{prefix_range, Cursor, Page, Scope};
use crate::schema;
use crate::schema::from_row;
use crate::value::{Kind, Val};
use crate::{Store, StoreError};

/// How many leads of one kind arrived in one period, as the dashboard counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadCount {
    /// The period: `i` for the one from `bounds[i]` to `bounds[i + 1]`.
    pub period: usize,
    /// The leads' source (`scan`, `complaint`, …).
    pub source: String,
    /// Their reason codes as the queue's bit set (`reason_bit`), when scanned.
    pub reasons: Option<i64>,
    /// How many.
    pub count: u64,
}

/// Most periods one count query splits time into (a month of days, a year of weeks).
pub const MAX_PERIODS: usize = 400;

/// An active supervision order with the case's number and responsible agency.
#[derive(Debug, Clone, PartialEq)]
pub struct SupervisionOrder {
    /// The order.
    pub supervision: Supervision,
    /// The case number (document form).
    pub number: String,
    /// The case's title.
    pub title: String,
    /// The responsible agency.
    pub responsible_org: OrgId,
    /// The case's state.
    pub state: String,
}

/// A page from rows fetched with `LIMIT limit + 1`: the extra row only says there is a
/// next page, whose cursor is the id of the last item kept.
pub(crate) fn page_of<T: serde::de::DeserializeOwned>(
    t: &schema::Table,
    rows: &[crate::backend::Row],
    limit: usize,
    id: impl Fn(&T) -> String,
) -> Result<Page<T>, StoreError> {
    let mut items: Vec<T> = rows
        .iter()
        .map(|r| from_row(t, r))
        .collect::<Result<_, _>>()?;
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|x| Cursor(id(x)))
    } else {
        None
    };
    Ok(Page { items, next })
}

fn scope_filter(scope: &Scope, org_col: &str, region_col: &str, args: &mut Vec<Val>) -> String {
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

impl Store {
    /// (state, count) of the cases in `scope` (responsible agency, or region), every state.
    pub async fn case_state_counts(&self, scope: &Scope) -> Result<Vec<(String, u64)>, StoreError> {
        let mut args = vec![];
        let f = scope_filter(scope, "responsible_org", "region", &mut args);
        let sql =
            format!("SELECT state, COUNT(*) FROM cases WHERE {f} GROUP BY state ORDER BY state");
        let rows = self.pool.fetch(&sql, args).await?;
        rows.iter()
            .map(|r| Ok((r.text(0)?.unwrap_or_default(), r.int(1)?.max(0) as u64)))
            .collect()
    }

    /// The leads received by the agency (or the agencies of a region) in each period
    /// between consecutive `bounds` (ascending instants; at most [`MAX_PERIODS`]
    /// periods), counted in SQL by (period, source, reason bit set): the answer has at most
    /// `limit` rows whatever the number of leads, by period.
    pub async fn lead_counts(
        &self,
        scope: &Scope,
        bounds: &[DateTime<Utc>],
        limit: u32,
    ) -> Result<Vec<LeadCount>, StoreError> {
        if bounds.len() < 2 {
            return Ok(vec![]);
        }
        if bounds.len() > MAX_PERIODS + 1 || bounds.windows(2).any(|w| w[0] >= w[1]) {
            return Err(StoreError::Corrupt(format!(
                "lead counts need 2 to {} ascending bounds",
                MAX_PERIODS + 1
            )));
        }
        let mut args: Vec<Val> = bounds.iter().map(|b| Val::from(*b)).collect();
        let last = args.len();
        // Period i: the first upper bound the time is below.
        let whens: String = (2..=last)
            .map(|i| format!(" WHEN l.received_at < ${i} THEN {}", i - 2))
            .collect();
        let f = scope_filter(scope, "l.org", "o.region", &mut args);
        let sql = format!(
            "SELECT CAST(CASE{whens} END AS BIGINT), l.source, l.reasons, COUNT(*) FROM leads l \
             JOIN organizations o ON o.id = l.org \
             WHERE l.received_at >= $1 AND l.received_at < ${last} AND {f} \
             GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 LIMIT {}",
            limit.clamp(1, 100_000)
        );
        let rows = self.pool.fetch(&sql, args).await?;
        rows.iter()
            .map(|r| {
                let reasons = match r.get(2, Kind::Int)? {
                    Val::Int(v) => v,
                    _ => None,
                };
                Ok(LeadCount {
                    period: r.int(0)?.max(0) as usize,
                    source: r.text(1)?.unwrap_or_default(),
                    reasons,
                    count: r.int(3)?.max(0) as u64,
                })
            })
            .collect()
    }

    /// Running deadlines overdue on `today` (due before it, not paused) of the cases in
    /// `scope`, counted per responsible agency in SQL, largest first (at most 500
    /// agencies).
    pub async fn overdue_by_org(
        &self,
        scope: &Scope,
        today: NaiveDate,
    ) -> Result<Vec<(OrgId, u64)>, StoreError> {
        let mut args = vec![Val::from("open"), Val::from(today), Val::from(false)];
        let f = scope_filter(scope, "d.org", "d.region", &mut args);
        let sql = format!(
            "SELECT d.org, COUNT(*) FROM deadlines d JOIN cases c ON c.id = d.root_case \
             WHERE d.status = $1 AND d.due < $2 AND d.paused = $3 AND {f} \
             GROUP BY d.org ORDER BY 2 DESC, 1 LIMIT 500"
        );
        let rows = self.pool.fetch(&sql, args).await?;
        rows.iter()
            .map(|r| {
                let org = r
                    .uuid(0)?
                    .ok_or_else(|| StoreError::Corrupt("deadline without org".into()))?;
                Ok((OrgId(org), r.int(1)?.max(0) as u64))
            })
            .collect()
    }

    /// Transfer orders and criminal referrals sent to `org` (incoming), optionally only
    /// those with `status` (`sent`: awaiting its acceptance), newest first, keyset-paged.
    pub async fn incoming_transfers(
        &self,
        org: OrgId,
        status: Option<&str>,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Page<TransferOrder>, StoreError> {
        let t = &schema::TRANSFER_ORDERS;
        let mut args = vec![Val::from(org.0)];
        let mut conds = vec!["to_org = $1".to_string()];
        if let Some(s) = status {
            args.push(Val::from(s));
            conds.push(format!("status = ${}", args.len()));
        }
        self.newest_first(t, conds, args, &after, limit, |x: &TransferOrder| {
            x.id.0.to_string()
        })
        .await
    }

    /// One page of `t`'s rows matching every condition, newest first (by the
    /// time-ordered id), after the cursor: the keyset page of the incoming lists.
    pub(crate) async fn newest_first<T: serde::de::DeserializeOwned>(
        &self,
        t: &schema::Table,
        mut conds: Vec<String>,
        mut args: Vec<Val>,
        after: &Option<Cursor>,
        limit: u32,
        id: impl Fn(&T) -> String,
    ) -> Result<Page<T>, StoreError> {
        if let Some(a) = crate::query::cursor_uuid(after)? {
            args.push(Val::from(a));
            conds.push(format!("id < ${}", args.len()));
        }
        let limit = limit.clamp(1, 500) as usize;
        let sql = format!(
            "SELECT {} FROM {} WHERE {} ORDER BY id DESC LIMIT {}",
            t.select_list(""),
            t.name,
            conds.join(" AND "),
            limit + 1
        );
        let rows = self.pool.fetch(&sql, args).await?;
        page_of(t, &rows, limit, id)
    }

    /// The office's supervision orders not lifted, on open cases, by due date.
    pub async fn supervision_orders(
        &self,
        office: OrgId,
    ) -> Result<Vec<SupervisionOrder>, StoreError> {
        let t = &schema::SUPERVISIONS;
        let sql = format!(
            "SELECT {}, c.number_prefix, c.number_year, c.number_seq, c.title, \
             c.responsible_org, c.state \
             FROM supervisions s JOIN cases c ON c.id = s.case_id \
             WHERE s.office = $1 AND s.lifted_at IS NULL AND c.is_open = $2 \
             ORDER BY s.due, s.id",
            t.select_list("s")
        );
        let rows = self
            .pool
            .fetch(&sql, vec![Val::from(office.0), Val::from(true)])
            .await?;
        let n = t.cols.len();
        rows.iter()
            .map(|r| {
                Ok(SupervisionOrder {
                    supervision: from_row(t, r)?,
                    number: crate::query::number_at(r, n)?,
                    title: r.text(n + 3)?.unwrap_or_default(),
                    responsible_org: OrgId(r.uuid(n + 4)?.unwrap_or_default()),
                    state: r.text(n + 5)?.unwrap_or_default(),
                })
            })
            .collect()
    }
}
