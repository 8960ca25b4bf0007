//! The lead queue: leads with what their scan said, filtered (level, reason, platform,
//! region, mark, dates, status) within a scope the caller hands in, newest first, paged by
//! keyset on (received_at, id) so page 10 000 costs what page 1 does; one lead with its
//! verdict and snapshot; dismissing a lead through the domain's command.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use uuid::Uuid;
use wangjian_detect::{Code, Level};
use wangjian_domain::lead::{Lead, LeadStatus, ListingSnapshot};
use wangjian_domain::{Actor, CaseId, Context, LeadId, OrgId, RegionCode, SnapshotId};

use crate::backend::Row;
use crate::intake::{reason_bit, LeadScan};
use crate::query::{prefix_range, Cursor, Page};
use crate::schema;
use crate::schema::from_row;
use crate::value::{Kind, Val};
use crate::write::{write_change, Applied};
use crate::{Store, StoreError};

/// Whose leads a query may see (the server's policy picks it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeadScope {
    /// Leads received by this agency.
    Org(OrgId),
    /// Leads this organization delivered: from listings it pushed (its receipts), or
    /// submitted (a complaint's lead).
    Submitter(OrgId),
}

/// A lead list query. Every filter is optional; the scope is not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadQuery {
    /// Required scope.
    pub scope: LeadScope,
    /// Only this status.
    pub status: Option<LeadStatus>,
    /// Only this level.
    pub level: Option<Level>,
    /// Only leads with a reason of this code.
    pub reason: Option<Code>,
    /// Only listings on this platform.
    pub platform: Option<OrgId>,
    /// Only sellers within this region (prefix: a province holds its cities).
    pub region: Option<RegionCode>,
    /// Only leads citing this mark (exact name).
    pub mark: Option<String>,
    /// Received at or after.
    pub from: Option<DateTime<Utc>>,
    /// Received before.
    pub until: Option<DateTime<Utc>>,
    /// Continue after this cursor.
    pub after: Option<Cursor>,
    /// Page size (1–500).
    pub limit: u32,
}

impl LeadQuery {
    /// Every lead of `scope`, first page of 50.
    pub fn new(scope: LeadScope) -> Self {
        Self {
            scope,
            status: None,
            level: None,
            reason: None,
            platform: None,
            region: None,
            mark: None,
            from: None,
            until: None,
            after: None,
            limit: 50,
        }
    }
}

/// A lead with what the store keeps beside the domain value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadRow {
    /// The lead.
    pub lead: Lead,
    /// The organization that pushed the listing (a platform), if pushed.
    pub submitted_by: Option<OrgId>,
    /// The listing's platform.
    pub platform: Option<OrgId>,
    /// The seller's region.
    pub region: Option<String>,
    /// The scan's level (`low`, `medium`, `high`).
    pub level: Option<String>,
    /// The scan's score.
    pub score: Option<i64>,
    /// The reason codes.
    pub reasons: Vec<String>,
    /// The marks cited.
    pub marks: Vec<String>,
    /// The listing's title (from its snapshot).
    pub title: Option<String>,
}

/// One lead for its page: the row, the whole scan and the snapshot scanned.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadDetail {
    /// The row.
    pub row: LeadRow,
    /// The verdict and the texts it points into.
    pub scan: Option<LeadScan>,
    /// The snapshot.
    pub snapshot: Option<ListingSnapshot>,
    /// Who delivered it: the submitter, and every organization holding a receipt of its
    /// snapshot (the policy's `LeadFacts::delivered_by`).
    pub delivered_by: Vec<OrgId>,
}

fn cursor_text(at: DateTime<Utc>, id: Uuid) -> Cursor {
    Cursor(format!(
        "{}/{id}",
        at.to_rfc3339_opts(SecondsFormat::Micros, true)
    ))
}

fn parse_cursor(c: &Cursor) -> Result<(DateTime<Utc>, Uuid), StoreError> {
    c.0.split_once('/')
        .and_then(|(t, i)| {
            Some((
                DateTime::parse_from_rfc3339(t).ok()?.with_timezone(&Utc),
                Uuid::parse_str(i).ok()?,
            ))
        })
        .ok_or_else(|| StoreError::Corrupt(format!("bad cursor {:?}", c.0)))
}

/// Is `c` a cursor of the lead list? (The server answers 400 instead of a store error.)
pub fn is_lead_cursor(c: &str) -> bool {
    parse_cursor(&Cursor(c.to_string())).is_ok()
}

/// `LIKE` pattern matching `|name|` literally.
fn mark_pattern(name: &str) -> String {
    let mut p = String::from("%|");
    for ch in name.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push_str("|%");
    p
}

fn lead_row(r: &Row) -> Result<LeadRow, StoreError> {
    let t = &schema::LEADS;
    let lead: Lead = from_row(t, r)?;
    let vals = t.decode(r)?;
    let at = |name: &str| {
        t.cols
            .iter()
            .position(|c| c.name == name)
            .and_then(|i| vals.get(i).cloned())
    };
    let uuid = |name| match at(name) {
        Some(Val::Uuid(u)) => u.map(OrgId),
        _ => None,
    };
    let text = |name| match at(name) {
        Some(Val::Text(s)) => s,
        _ => None,
    };
    let bits = match at("reasons") {
        Some(Val::Int(Some(b))) => b,
        _ => 0,
    };
    let score = match at("score") {
        Some(Val::Int(s)) => s,
        _ => None,
    };
    Ok(LeadRow {
        submitted_by: uuid("submitted_by"),
        platform: uuid("platform"),
        region: text("region"),
        level: text("level"),
        score,
        reasons: Code::ALL
            .iter()
            .filter(|c| bits & reason_bit(**c) != 0)
            .map(|c| c.as_str().to_string())
            .collect(),
        marks: text("marks")
            .map(|m| {
                m.split('|')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        title: r.text(t.cols.len())?,
        lead,
    })
}

use crate::query::arg;

impl Store {
    /// A page of leads, newest first.
    pub async fn leads(&self, q: &LeadQuery) -> Result<Page<LeadRow>, StoreError> {
        let t = &schema::LEADS;
        let mut args = Vec::new();
        let mut conds = Vec::new();
        match &q.scope {
            LeadScope::Org(o) => {
                let p = arg(Val::from(o.0), &mut args);
                conds.push(format!("l.org = {p}"));
            }
            LeadScope::Submitter(o) => {
                let p = arg(Val::from(o.0), &mut args);
                let q = arg(Val::from(o.0), &mut args);
                conds.push(format!(
                    "(l.submitted_by = {p} OR EXISTS (SELECT 1 FROM listing_receipts r \
                     WHERE r.org = {q} AND r.snapshot = l.snapshot))"
                ));
            }
        }
        if let Some(s) = q.status {
            let p = arg(Val::from(s.as_str()), &mut args);
            conds.push(format!("l.status = {p}"));
        }
        if let Some(l) = q.level {
            let p = arg(Val::from(l.as_str()), &mut args);
            conds.push(format!("l.level = {p}"));
        }
        if let Some(c) = q.reason {
            let p = arg(Val::Int(Some(reason_bit(c))), &mut args);
            conds.push(format!("(l.reasons & {p}) <> 0"));
        }
        if let Some(o) = q.platform {
            let p = arg(Val::from(o.0), &mut args);
            conds.push(format!("l.platform = {p}"));
        }
        if let Some(r) = &q.region {
            let (lo, hi) = prefix_range(r.prefix());
            let a = arg(Val::from(lo), &mut args);
            let b = arg(Val::from(hi), &mut args);
            conds.push(format!("l.region >= {a} AND l.region < {b}"));
        }
        if let Some(m) = &q.mark {
            let p = arg(Val::from(mark_pattern(m)), &mut args);
            conds.push(format!("l.marks LIKE {p} ESCAPE '\\'"));
        }
        if let Some(f) = q.from {
            let p = arg(Val::from(f), &mut args);
            conds.push(format!("l.received_at >= {p}"));
        }
        if let Some(u) = q.until {
            let p = arg(Val::from(u), &mut args);
            conds.push(format!("l.received_at < {p}"));
        }
        if let Some(c) = &q.after {
            let (at, id) = parse_cursor(c)?;
            let a = arg(Val::from(at), &mut args);
            let b = arg(Val::from(id), &mut args);
            conds.push(format!("(l.received_at, l.id) < ({a}, {b})"));
        }
        let limit = q.limit.clamp(1, 500) as usize;
        let sql = format!(
            "SELECT {}, s.title FROM leads l LEFT JOIN listing_snapshots s ON s.id = l.snapshot \
             WHERE {} ORDER BY l.received_at DESC, l.id DESC LIMIT {}",
            t.select_list("l"),
            conds.join(" AND "),
            limit + 1
        );
        let rows = self.pool.fetch(&sql, args).await?;
        let mut items: Vec<LeadRow> = rows.iter().map(lead_row).collect::<Result<_, _>>()?;
        let next = if items.len() > limit {
            items.truncate(limit);
            items
                .last()
                .map(|r| cursor_text(r.lead.received_at, r.lead.id.0))
        } else {
            None
        };
        Ok(Page { items, next })
    }

    /// One lead with its scan and snapshot.
    pub async fn lead_detail(&self, id: LeadId) -> Result<Option<LeadDetail>, StoreError> {
        let t = &schema::LEADS;
        let sql = format!(
            "SELECT {}, s.title FROM leads l LEFT JOIN listing_snapshots s ON s.id = l.snapshot \
             WHERE l.id = $1",
            t.select_list("l")
        );
        let rows = self.pool.fetch(&sql, vec![Val::from(id.0)]).await?;
        let Some(r) = rows.first() else {
            return Ok(None);
        };
        let row = lead_row(r)?;
        let i = t
            .cols
            .iter()
            .position(|c| c.name == "verdict")
            .ok_or_else(|| StoreError::Corrupt("leads.verdict".into()))?;
        let scan = match r.get(i, Kind::Json)? {
            Val::Json(Some(j)) => Some(
                serde_json::from_value(j)
                    .map_err(|e| StoreError::Corrupt(format!("lead {id} verdict: {e}")))?,
            ),
            _ => None,
        };
        let (snapshot, mut delivered_by) = match row.lead.snapshot {
            Some(s) => (
                crate::schema::get_by_id(&self.pool, &schema::LISTING_SNAPSHOTS, s.0).await?,
                self.receipts_of(s).await?,
            ),
            None => (None, vec![]),
        };
        delivered_by.extend(row.submitted_by);
        delivered_by.sort();
        delivered_by.dedup();
        Ok(Some(LeadDetail {
            row,
            scan,
            snapshot,
            delivered_by,
        }))
    }

    /// The organizations that delivered `snapshot` (its receipts).
    pub async fn receipts_of(&self, snapshot: SnapshotId) -> Result<Vec<OrgId>, StoreError> {
        let rows = self
            .pool
            .fetch(
                "SELECT org FROM listing_receipts WHERE snapshot = $1 ORDER BY org",
                vec![Val::from(snapshot.0)],
            )
            .await?;
        rows.iter()
            .map(|r| {
                r.uuid(0)?
                    .map(OrgId)
                    .ok_or_else(|| StoreError::Corrupt("listing_receipts.org".into()))
            })
            .collect()
    }

    /// The cases a lead is linked to, oldest link first.
    pub async fn cases_of_lead(&self, id: LeadId) -> Result<Vec<CaseId>, StoreError> {
        let rows = self
            .pool
            .fetch(
                "SELECT case_id FROM case_leads WHERE lead_id = $1 ORDER BY linked_at, case_id",
                vec![Val::from(id.0)],
            )
            .await?;
        rows.iter()
            .map(|r| {
                r.uuid(0)?
                    .map(CaseId)
                    .ok_or_else(|| StoreError::Corrupt("case_leads.case_id".into()))
            })
            .collect()
    }

    /// Dismisses a new lead with the actor's reason (the domain's `lead::dismiss`),
    /// writing the lead and its audit event in one transaction. A lead changed since it
    /// was read is a [`StoreError::Conflict`].
    pub async fn dismiss_lead(
        &self,
        id: LeadId,
        actor: &Actor,
        reason: &str,
        ctx: &Context,
    ) -> Result<Applied<Lead>, StoreError> {
        let lead = self.lead(id).await?.ok_or_else(|| StoreError::NotFound {
            what: "lead",
            id: id.to_string(),
        })?;
        let change = wangjian_domain::lead::dismiss(&lead, actor, reason, ctx)?;
        let mut tx = self.pool.begin_write().await?;
        let (value, events) = change.into_parts();
        let seqs = write_change(&mut tx, &value, &events).await?;
        tx.commit().await?;
        Ok(Applied { value, seqs })
    }
}
