//! Cases: registering (with the number allocated in the same transaction), loading the
//! case file, running a command on it.

use chrono::Datelike;
use wangjian_calendar::shanghai_date;
use wangjian_domain::case::{self, Env, RegisterCase};
use wangjian_domain::supervision::CaseSummary;
use wangjian_domain::{
    Actor, CaseCommand, CaseFile, CaseId, CaseNumber, Context, LeadId, OrgId, RegionCode,
};

use crate::schema;
use crate::schema::from_row;
use crate::value::Val;
use crate::write::{write_change, Applied};
use crate::{Store, StoreError};

/// What registering a case needs besides the actor: a title and the leads it is opened
/// from (their `received_at` starts the verification clock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseNumberRequest {
    /// 案由.
    pub title: String,
    /// The leads.
    pub leads: Vec<LeadId>,
}

impl Store {
    /// Registers a case (线索登记) for the actor's agency: allocates the next number of
    /// (agency, year) from its counter row, runs the domain's `register_case`, and writes
    /// the case, its links, its deadline and their audit events, all in one transaction
    /// (so a failed registration leaves no gap in the numbers).
    pub async fn register_case(
        &self,
        actor: &Actor,
        req: &CaseNumberRequest,
        env: Env<'_>,
        ctx: &Context,
    ) -> Result<Applied<CaseFile>, StoreError> {
        let mut tx = self.pool.begin_write().await?;
        let rows = tx
            .fetch(
                "SELECT case_prefix FROM organizations WHERE id = $1",
                vec![Val::from(actor.org.0)],
            )
            .await?;
        let prefix = rows
            .first()
            .ok_or_else(|| StoreError::NotFound {
                what: "organization",
                id: actor.org.to_string(),
            })?
            .text(0)?
            .unwrap_or_default();
        let mut leads = Vec::with_capacity(req.leads.len());
        for id in &req.leads {
            let rows = tx
                .fetch(
                    "SELECT received_at FROM leads WHERE id = $1",
                    vec![Val::from(id.0)],
                )
                .await?;
            let row = rows.first().ok_or_else(|| StoreError::NotFound {
                what: "lead",
                id: id.to_string(),
            })?;
            let at = match row.get(0, crate::value::Kind::Time)? {
                Val::Time(Some(t)) => t,
                _ => return Err(StoreError::Corrupt(format!("lead {id} has no received_at"))),
            };
            leads.push((*id, at));
            // The lead now belongs to a case (its link's audit event records it). A lead
            // an officer dismissed earlier is revived by linking it.
            tx.exec(
                "UPDATE leads SET status = $2, version = version + 1 \
                 WHERE id = $1 AND status <> $2",
                vec![Val::from(id.0), Val::from("linked")],
            )
            .await?;
        }
        let year = shanghai_date(ctx.now).year();
        let rows = tx
            .fetch(
                "INSERT INTO case_counters (org, year, next) VALUES ($1, $2, 1) \
                 ON CONFLICT (org, year) DO UPDATE SET next = case_counters.next + 1 \
                 RETURNING next",
                vec![Val::from(actor.org.0), Val::Int(Some(i64::from(year)))],
            )
            .await?;
        let seq = rows
            .first()
            .ok_or_else(|| StoreError::Corrupt("counter returned nothing".into()))?
            .int(0)?;
        let cmd = RegisterCase {
            number: CaseNumber {
                org: actor.org,
                prefix,
                year,
                seq: u32::try_from(seq)
                    .map_err(|_| StoreError::Corrupt("case counter overflow".into()))?,
            },
            title: req.title.clone(),
            leads,
        };
        let change = case::register_case(actor, &cmd, env, ctx)?;
        let (file, events) = change.into_parts();
        let seqs = write_change(&mut tx, &file, &events).await?;
        tx.commit().await?;
        Ok(Applied { value: file, seqs })
    }

    /// The case file: the case, its deadlines (on the case and its transfer orders), its
    /// transfer orders and its lead links, read in one snapshot.
    pub async fn case_file(&self, id: CaseId) -> Result<CaseFile, StoreError> {
        let mut tx = self.pool.begin_read().await?;
        let one = |t: &schema::Table, filter: &str, order: &str| {
            format!(
                "SELECT {} FROM {} WHERE {filter} ORDER BY {order}",
                t.select_list(""),
                t.name
            )
        };
        let arg = || vec![Val::from(id.0)];
        let rows = tx
            .fetch(&one(&schema::CASES, "id = $1", "id"), arg())
            .await?;
        let case = rows
            .first()
            .map(|r| from_row(&schema::CASES, r))
            .transpose()?
            .ok_or_else(|| StoreError::NotFound {
                what: "case",
                id: id.to_string(),
            })?;
        let rows = tx
            .fetch(&one(&schema::DEADLINES, "root_case = $1", "id"), arg())
            .await?;
        let deadlines = rows
            .iter()
            .map(|r| from_row(&schema::DEADLINES, r))
            .collect::<Result<_, _>>()?;
        let rows = tx
            .fetch(&one(&schema::TRANSFER_ORDERS, "case_id = $1", "id"), arg())
            .await?;
        let transfers = rows
            .iter()
            .map(|r| from_row(&schema::TRANSFER_ORDERS, r))
            .collect::<Result<_, _>>()?;
        let rows = tx
            .fetch(
                &one(&schema::CASE_LEADS, "case_id = $1", "linked_at, lead_id"),
                arg(),
            )
            .await?;
        let links = rows
            .iter()
            .map(|r| from_row(&schema::CASE_LEADS, r))
            .collect::<Result<_, _>>()?;
        tx.rollback().await?;
        Ok(CaseFile {
            case,
            deadlines,
            transfers,
            links,
        })
    }

    /// Loads the case file, runs `cmd` through the state machine, and writes the result
    /// (optimistically: if someone changed the case in between, [`StoreError::Conflict`]).
    pub async fn run_case_command(
        &self,
        id: CaseId,
        actor: &Actor,
        cmd: &CaseCommand,
        env: Env<'_>,
        ctx: &Context,
    ) -> Result<Applied<CaseFile>, StoreError> {
        let file = self.case_file(id).await?;
        let change = case::apply(&file, actor, cmd, env, ctx)?;
        self.apply(change).await
    }

    /// The summary the supervision commands need: number, state, responsible agency and
    /// its region.
    pub async fn case_summary(&self, id: CaseId) -> Result<CaseSummary, StoreError> {
        let rows = self
            .pool
            .fetch(
                "SELECT number_prefix, number_year, number_seq, state, responsible_org, region \
                 FROM cases WHERE id = $1",
                vec![Val::from(id.0)],
            )
            .await?;
        let r = rows.first().ok_or_else(|| StoreError::NotFound {
            what: "case",
            id: id.to_string(),
        })?;
        summary_from(r, id)
    }
}

pub(crate) fn summary_from(r: &crate::backend::Row, id: CaseId) -> Result<CaseSummary, StoreError> {
    let corrupt = |w: &str| StoreError::Corrupt(format!("case {id}: {w}"));
    let number = CaseNumber {
        org: OrgId(uuid::Uuid::nil()),
        prefix: r.text(0)?.unwrap_or_default(),
        year: i32::try_from(r.int(1)?).map_err(|_| corrupt("year"))?,
        seq: u32::try_from(r.int(2)?).map_err(|_| corrupt("seq"))?,
    };
    let state = serde_json::from_value(serde_json::Value::String(r.text(3)?.unwrap_or_default()))
        .map_err(|_| corrupt("state"))?;
    let responsible_org = OrgId(r.uuid(4)?.ok_or_else(|| corrupt("responsible_org"))?);
    let region =
        RegionCode::parse(&r.text(5)?.unwrap_or_default()).map_err(|_| corrupt("region"))?;
    Ok(CaseSummary {
        case: id,
        number: number.document_form(),
        state,
        responsible_org,
        region,
    })
}
