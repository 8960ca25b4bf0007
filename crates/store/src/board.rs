//! What the coordination office's board and the dashboard count: cases by state, leads
//! received per day with their reason codes, the active supervision orders of an office.
//! Every query takes its scope explicitly, like every list.

use chrono::{DateTime, Utc};
use wangjian_domain::supervision::Supervision;
use wangjian_domain::transfer::TransferOrder;
use wangjian_domain::OrgId;

use crate::query::{prefix_range, Cursor, Page, Scope};
use crate::schema;
use crate::schema::from_row;
use crate::value::{Kind, Val};
use crate::{Store, StoreError};

/// One lead as the dashboard counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadTally {
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// Its source (`scan`, `complaint`, …).
    pub source: String,
    /// Its reason codes as the queue's bit set (`reason_bit`), when scanned.
    pub reasons: Option<i64>,
}

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

    /// The leads received since `since` by the agency (or the agencies of a region), at
    /// most `limit`, oldest first.
    pub async fn lead_tallies(
        &self,
        scope: &Scope,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<LeadTally>, StoreError> {
        let mut args = vec![Val::from(since)];
        let f = scope_filter(scope, "l.org", "o.region", &mut args);
        let sql = format!(
            "SELECT l.received_at, l.source, l.reasons FROM leads l \
             JOIN organizations o ON o.id = l.org \
             WHERE l.received_at >= $1 AND {f} ORDER BY l.received_at LIMIT {}",
            limit.clamp(1, 1_000_000)
        );
        let rows = self.pool.fetch(&sql, args).await?;
        rows.iter()
            .map(|r| {
                let received_at = match r.get(0, Kind::Time)? {
                    Val::Time(Some(t)) => t,
                    _ => return Err(StoreError::Corrupt("lead without received_at".into())),
                };
                let reasons = match r.get(2, Kind::Int)? {
                    Val::Int(v) => v,
                    _ => None,
                };
                Ok(LeadTally {
                    received_at,
                    source: r.text(1)?.unwrap_or_default(),
                    reasons,
                })
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
