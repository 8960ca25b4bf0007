//! Reads of the case workflow beyond the case file: one transfer order, deadline, assist
//! request or seized item by id; the assist requests an agency sent or received; a case's
//! assist requests and seized goods; one object's audit trail, paged. Like every list,
//! the lists take the organization they are for explicitly and page by keyset.

use uuid::Uuid;
use wangjian_domain::seized::SeizedItem;
use wangjian_domain::transfer::{AssistRequest, AssistStatus, TransferOrder};
use wangjian_domain::{
    AssistRequestId, CaseId, Deadline, DeadlineId, ObjectType, SeizedItemId, TransferId,
};

use crate::query::{arg, prefix_range, Cursor, Page, Scope, StoredEvent};
use crate::schema::{self, Table};
use crate::schema::{from_row, get_by_id};
use crate::value::Val;
use crate::{Store, StoreError};

/// Which side of an assist request the organization is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssistDirection {
    /// Sent to it (`to_org`): it owes the answer.
    Incoming,
    /// Sent by it (`from_org`).
    Outgoing,
}

/// A list of assist requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssistQuery {
    /// Required: one agency's requests, or those of the agencies within a region (a
    /// coordination office's view).
    pub scope: Scope,
    /// Received or sent (by the agency, or by the agencies of the region).
    pub direction: AssistDirection,
    /// Only this status.
    pub status: Option<AssistStatus>,
    /// Continue after this cursor.
    pub after: Option<Cursor>,
    /// Page size (at most 500).
    pub limit: u32,
}

impl Store {
    /// One transfer order or criminal referral.
    pub async fn transfer_order(
        &self,
        id: TransferId,
    ) -> Result<Option<TransferOrder>, StoreError> {
        get_by_id(&self.pool, &schema::TRANSFER_ORDERS, id.0).await
    }

    /// One deadline.
    pub async fn deadline(&self, id: DeadlineId) -> Result<Option<Deadline>, StoreError> {
        get_by_id(&self.pool, &schema::DEADLINES, id.0).await
    }

    /// One assist request.
    pub async fn assist_request(
        &self,
        id: AssistRequestId,
    ) -> Result<Option<AssistRequest>, StoreError> {
        get_by_id(&self.pool, &schema::ASSIST_REQUESTS, id.0).await
    }

    /// One seized item.
    pub async fn seized_item(&self, id: SeizedItemId) -> Result<Option<SeizedItem>, StoreError> {
        get_by_id(&self.pool, &schema::SEIZED_ITEMS, id.0).await
    }

    /// The assist requests an agency (or the agencies of a region) received or sent,
    /// optionally in one status, newest first (keyset-paged on the time-ordered id).
    pub async fn assist_requests(
        &self,
        q: &AssistQuery,
    ) -> Result<Page<AssistRequest>, StoreError> {
        let t = &schema::ASSIST_REQUESTS;
        let mut args = Vec::new();
        let col = match q.direction {
            AssistDirection::Incoming => "to_org",
            AssistDirection::Outgoing => "from_org",
        };
        let mut conds = vec![match &q.scope {
            Scope::Org(o) => format!("{col} = {}", arg(Val::from(o.0), &mut args)),
            Scope::Region(r) => {
                let (lo, hi) = prefix_range(r.prefix());
                let lo = arg(Val::from(lo), &mut args);
                let hi = arg(Val::from(hi), &mut args);
                format!(
                    "{col} IN (SELECT id FROM organizations WHERE region >= {lo} AND region < {hi})"
                )
            }
        }];
        if let Some(s) = q.status {
            conds.push(format!(
                "status = {}",
                arg(Val::from(s.as_str()), &mut args)
            ));
        }
        self.newest_first(t, conds, args, &q.after, q.limit, |x: &AssistRequest| {
            x.id.0.to_string()
        })
        .await
    }

    /// The assist requests sent for a case, oldest first.
    pub async fn assist_requests_of_case(
        &self,
        case: CaseId,
    ) -> Result<Vec<AssistRequest>, StoreError> {
        self.of_case(&schema::ASSIST_REQUESTS, case).await
    }

    /// The goods seized in a case (with their custody history), oldest first.
    pub async fn seized_items_of_case(&self, case: CaseId) -> Result<Vec<SeizedItem>, StoreError> {
        self.of_case(&schema::SEIZED_ITEMS, case).await
    }

    async fn of_case<T: serde::de::DeserializeOwned>(
        &self,
        t: &Table,
        case: CaseId,
    ) -> Result<Vec<T>, StoreError> {
        let sql = format!(
            "SELECT {} FROM {} WHERE case_id = $1 ORDER BY id",
            t.select_list(""),
            t.name
        );
        let rows = self.pool.fetch(&sql, vec![Val::from(case.0)]).await?;
        rows.iter().map(|r| from_row(t, r)).collect()
    }

    /// One page of an object's audit trail, in order: the events after the `after`
    /// cursor (a trail position, as the previous page's `next` gave it).
    pub async fn object_trail_page(
        &self,
        object_type: ObjectType,
        id: Uuid,
        after: Option<Cursor>,
        limit: u32,
    ) -> Result<Page<StoredEvent>, StoreError> {
        let t = &schema::AUDIT_EVENTS;
        let ty = serde_json::to_value(object_type).unwrap_or_default();
        let mut args = vec![Val::from(ty.as_str().unwrap_or_default()), Val::from(id)];
        let mut keyset = String::new();
        if let Some(c) = &after {
            let seq: i64 =
                c.0.parse()
                    .map_err(|_| StoreError::Corrupt(format!("bad cursor {:?}", c.0)))?;
            keyset = format!(" AND seq > {}", arg(Val::Int(Some(seq)), &mut args));
        }
        let limit = limit.clamp(1, 500) as usize;
        let sql = format!(
            "SELECT {} FROM audit_events WHERE object_type = $1 AND object_id = $2{keyset} \
             ORDER BY seq LIMIT {}",
            t.select_list(""),
            limit + 1
        );
        let rows = self.pool.fetch(&sql, args).await?;
        let mut items = rows
            .iter()
            .map(crate::query::stored_event)
            .collect::<Result<Vec<_>, _>>()?;
        let next = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|e| Cursor(e.seq.to_string()))
        } else {
            None
        };
        Ok(Page { items, next })
    }
}
