//! `/api/v1/leads`: the lead queue (filters, keyset pages, within the policy's scope), one
//! lead with its whole scan verdict and snapshot, and bulk actions for officers (register
//! a case from leads, dismiss with a reason). The console's queue and listing pages call
//! the same functions.

use axum::extract::{Path, Query, State};
use axum::Json;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use wangjian_detect::{Code, Level};
use wangjian_domain::case::Env;
use wangjian_domain::lead::{LeadStatus, MAX_DISMISSAL_REASON};
use wangjian_domain::{Context, LeadId, OrgId, RegionCode, RequestId, RuleSet};
use wangjian_store::{CaseNumberRequest, Cursor, LeadDetail, LeadQuery, LeadRow, LeadScope};

use crate::api::cases::store;
use crate::auth::token::TokenScope;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::policy::{decide, list_scope, Action, LeadFacts, Party, Resource, ResourceKind, Scope};
use crate::state::AppState;
use crate::web::caller::Caller;

/// Filters of the lead queue. Empty values are absent (the console's form sends them).
#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams)]
pub struct LeadFilter {
    /// `new` (default in the console), `linked`, `dismissed`, or `all`.
    pub status: Option<String>,
    /// `low`, `medium` or `high`.
    pub level: Option<String>,
    /// A reason code (`mark`, `counterfeit_term`, …).
    pub reason: Option<String>,
    /// The platform's organization id.
    pub platform: Option<String>,
    /// A GB/T 2260 code: sellers within it (a province holds its cities).
    pub region: Option<String>,
    /// A mark's name, exactly.
    pub mark: Option<String>,
    /// Received on or after this day (YYYY-MM-DD, Beijing time).
    pub from: Option<String>,
    /// Received on or before this day (YYYY-MM-DD, Beijing time).
    pub until: Option<String>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<u32>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The start of Beijing day `d` as an instant.
fn beijing_midnight(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default()) - chrono::Duration::hours(8)
}

fn day(field: &str, v: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| ApiError::invalid(field, format!("{v:?} is not a date YYYY-MM-DD")))
}

impl LeadFilter {
    /// The store query for `scope`; a bad value answers 400 naming its field.
    pub fn query(&self, scope: LeadScope) -> Result<LeadQuery, ApiError> {
        let mut q = LeadQuery::new(scope);
        q.status = match given(&self.status) {
            None | Some("all") => None,
            Some("new") => Some(LeadStatus::New),
            Some("linked") => Some(LeadStatus::Linked),
            Some("dismissed") => Some(LeadStatus::Dismissed),
            Some(s) => return Err(ApiError::invalid("status", format!("unknown status {s:?}"))),
        };
        q.level = match given(&self.level) {
            None => None,
            Some(l) => Some(
                Level::ALL
                    .into_iter()
                    .find(|x| x.as_str() == l && *x != Level::None)
                    .ok_or_else(|| ApiError::invalid("level", format!("unknown level {l:?}")))?,
            ),
        };
        q.reason = given(&self.reason)
            .map(|r| {
                Code::parse(r)
                    .ok_or_else(|| ApiError::invalid("reason", format!("unknown reason {r:?}")))
            })
            .transpose()?;
        q.platform = given(&self.platform)
            .map(|p| {
                Uuid::parse_str(p)
                    .map(OrgId)
                    .map_err(|_| ApiError::invalid("platform", "an organization id"))
            })
            .transpose()?;
        q.region = given(&self.region)
            .map(|r| {
                RegionCode::parse(r)
                    .map_err(|_| ApiError::invalid("region", format!("{r:?} is not a region code")))
            })
            .transpose()?;
        q.mark = match given(&self.mark) {
            Some(m) if m.chars().count() > 100 => {
                return Err(ApiError::invalid("mark", "at most 100 characters"))
            }
            m => m.map(str::to_string),
        };
        q.from = given(&self.from)
            .map(|v| day("from", v))
            .transpose()?
            .map(beijing_midnight);
        q.until = given(&self.until)
            .map(|v| day("until", v))
            .transpose()?
            .map(|d| beijing_midnight(d) + chrono::Duration::days(1));
        if let Some(a) = given(&self.after) {
            if !wangjian_store::is_lead_cursor(a) {
                return Err(ApiError::invalid("after", "not a cursor of this list"));
            }
            q.after = Some(Cursor(a.to_string()));
        }
        q.limit = self.limit.unwrap_or(50).clamp(1, 500);
        Ok(q)
    }
}

/// The store scope of the caller's lead list, or `None` when the policy admits none.
/// The store keeps no lead sharing lists yet, so a wider policy scope is narrowed to
/// the receiving agency, never widened.
pub fn lead_scope(scope: &Scope) -> Option<LeadScope> {
    match scope {
        Scope::Parties { org, parties } if parties.contains(&Party::LeadOrg) => {
            Some(LeadScope::Org(*org))
        }
        Scope::Parties { org, parties } if parties.contains(&Party::Submitter) => {
            Some(LeadScope::Submitter(*org))
        }
        _ => None,
    }
}

/// One lead of the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadItem {
    /// Id.
    pub id: Uuid,
    /// `new`, `linked` or `dismissed`.
    pub status: String,
    /// `scan`, `complaint`, `report`, `platform`, `transfer`.
    pub source: String,
    /// One line.
    pub summary: String,
    /// The listing's title.
    pub title: Option<String>,
    /// The scan's level.
    pub level: Option<String>,
    /// The scan's score.
    pub score: Option<i64>,
    /// The reason codes.
    pub reasons: Vec<String>,
    /// The marks cited.
    pub marks: Vec<String>,
    /// The listing's platform.
    pub platform: Option<Uuid>,
    /// The seller's region.
    pub region: Option<String>,
    /// The receiving agency.
    pub org: Uuid,
    /// The organization that pushed the listing.
    pub submitted_by: Option<Uuid>,
    /// Received (found) at.
    pub received_at: DateTime<Utc>,
}

impl From<&LeadRow> for LeadItem {
    fn from(r: &LeadRow) -> Self {
        LeadItem {
            id: r.lead.id.0,
            status: r.lead.status.as_str().to_string(),
            source: r.lead.source.as_str().to_string(),
            summary: r.lead.summary.clone(),
            title: r.title.clone(),
            level: r.level.clone(),
            score: r.score,
            reasons: r.reasons.clone(),
            marks: r.marks.clone(),
            platform: r.platform.map(|p| p.0),
            region: r.region.clone(),
            org: r.lead.org.0,
            submitted_by: r.submitted_by.map(|p| p.0),
            received_at: r.lead.received_at,
        }
    }
}

/// A page of leads.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadPage {
    /// The leads, newest first.
    pub items: Vec<LeadItem>,
    /// Cursor of the next page, or null on the last.
    pub next: Option<String>,
}

/// Reads a page of the caller's leads (the API's and the console's one path).
pub(crate) async fn lead_page(
    state: &AppState,
    caller: &Caller,
    filter: &LeadFilter,
) -> Result<wangjian_store::Page<LeadRow>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let Some(scope) = lead_scope(&list_scope(&caller.principal, ResourceKind::Lead)) else {
        filter.query(LeadScope::Org(OrgId(Uuid::nil())))?;
        return Ok(wangjian_store::Page {
            items: vec![],
            next: None,
        });
    };
    let q = filter.query(scope)?;
    Ok(store(state)?.leads(&q).await?)
}

/// The caller's leads, filtered, newest first.
#[utoipa::path(get, path = "/leads", tag = "leads", params(LeadFilter),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of leads", body = LeadPage),
        (status = 400, description = "`invalid_input` naming the filter", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody)))]
pub async fn list_leads(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<LeadFilter>,
) -> Result<Json<LeadPage>, ApiError> {
    let page = lead_page(&state, &caller, &filter).await?;
    Ok(Json(LeadPage {
        items: page.items.iter().map(LeadItem::from).collect(),
        next: page.next.map(|c| c.0),
    }))
}

/// The policy's view of a stored lead.
pub(crate) fn lead_facts(row: &LeadRow) -> LeadFacts {
    LeadFacts {
        org: row.lead.org,
        submitted_by: row.submitted_by,
        // The store keeps no lead sharing lists yet.
        shared_with: vec![],
    }
}

/// Loads a lead the caller may read; anything else is the unknown id's 404.
pub(crate) async fn load_visible_lead(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<LeadDetail, ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::not_found())?;
    let d = store(state)?
        .lead_detail(LeadId(id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    decide(
        &caller.principal,
        Action::Read,
        &Resource::Lead(lead_facts(&d.row)),
    )
    .into_result()?;
    Ok(d)
}

/// One lead with the whole verdict.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadView {
    /// The lead as in the queue.
    pub item: LeadItem,
    /// The domain lead (dedup key, snapshot id, dismissal, version).
    #[schema(value_type = Object)]
    pub lead: wangjian_domain::lead::Lead,
    /// The scan: `verdict` {`score`, `level`, `reasons` [{`code`, `detail`, `field`,
    /// `matched`, `start`, `end` (character offsets into the field), `rule`, `weight`}]},
    /// `texts` (category, shop, price as scanned), `region`.
    #[schema(value_type = Object)]
    pub scan: Option<wangjian_store::LeadScan>,
    /// The listing snapshot scanned (title, description, ship_from, url, price_fen, …).
    #[schema(value_type = Object)]
    pub snapshot: Option<wangjian_domain::lead::ListingSnapshot>,
    /// The cases it is linked to.
    pub cases: Vec<Uuid>,
}

/// One lead.
#[utoipa::path(get, path = "/leads/{id}", tag = "leads",
    params(("id" = String, Path, description = "Lead id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The lead with its verdict and snapshot", body = LeadView),
        (status = 404, description = "`not_found`: unknown, or not yours to see", body = ErrorBody)))]
pub async fn get_lead(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<LeadView>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let d = load_visible_lead(&state, &caller, &id).await?;
    let cases = store(&state)?.cases_of_lead(d.row.lead.id).await?;
    Ok(Json(LeadView {
        item: LeadItem::from(&d.row),
        lead: d.row.lead,
        scan: d.scan,
        snapshot: d.snapshot,
        cases: cases.into_iter().map(|c| c.0).collect(),
    }))
}

/// Most leads in one bulk action.
pub const MAX_BULK: usize = 200;

/// A bulk action on leads.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum LeadAction {
    /// Register one case (线索登记) from these leads; they become linked.
    RegisterCase {
        /// The leads.
        leads: Vec<Uuid>,
        /// 案由, 1–200 characters.
        title: String,
    },
    /// Screen these leads out, with the reason.
    Dismiss {
        /// The leads.
        leads: Vec<Uuid>,
        /// Why (误报, 已下架, …), 1–500 characters.
        reason: String,
    },
}

/// What one lead of a bulk action came to.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadOutcome {
    /// The lead.
    pub lead: Uuid,
    /// Done.
    pub ok: bool,
    /// The error code when not (`not_found`, `forbidden`, `rule_violation`, `conflict`).
    pub error: Option<String>,
    /// Its message.
    pub message: Option<String>,
}

/// The result of a bulk action.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionReport {
    /// The case registered (`register_case`).
    pub case: Option<Uuid>,
    /// Each lead, in request order.
    pub leads: Vec<LeadOutcome>,
}

fn context(caller: &Caller) -> Context {
    let request = Uuid::parse_str(&caller.request_id).unwrap_or_else(|_| Uuid::now_v7());
    Context::new_v7(RequestId(request), Utc::now(), 64)
}

fn outcome(lead: Uuid, r: Result<(), ApiError>) -> LeadOutcome {
    match r {
        Ok(()) => LeadOutcome {
            lead,
            ok: true,
            error: None,
            message: None,
        },
        Err(e) => LeadOutcome {
            lead,
            ok: false,
            error: Some(e.code.as_str().to_string()),
            message: Some(e.message),
        },
    }
}

fn lead_error(e: wangjian_store::StoreError) -> ApiError {
    match e {
        wangjian_store::StoreError::Lead(l) => {
            ApiError::with_message(ErrorCode::RuleViolation, l.to_string())
        }
        other => ApiError::from(other),
    }
}

/// Checks that the caller may work the lead: hidden → the unknown id's 404, readable but
/// not theirs → 403.
async fn writable(state: &AppState, caller: &Caller, id: Uuid) -> Result<(), ApiError> {
    let d = load_visible_lead(state, caller, &id.to_string()).await?;
    decide(
        &caller.principal,
        Action::Write,
        &Resource::Lead(lead_facts(&d.row)),
    )
    .into_result()
}

/// Runs a bulk action for the caller (the API's and the console's one path).
pub(crate) async fn run_lead_action(
    state: &AppState,
    caller: &Caller,
    action: &LeadAction,
) -> Result<ActionReport, ApiError> {
    caller.require_scope(TokenScope::Write)?;
    let member = caller.member()?.clone();
    let (LeadAction::RegisterCase { leads, .. } | LeadAction::Dismiss { leads, .. }) = action;
    if leads.is_empty() {
        return Err(ApiError::invalid("leads", "select at least one lead"));
    }
    if leads.len() > MAX_BULK {
        return Err(ApiError::invalid(
            "leads",
            format!("at most {MAX_BULK} leads per action"),
        ));
    }
    let store = store(state)?;
    match action {
        LeadAction::Dismiss { leads, reason } => {
            let reason = reason.trim();
            if reason.is_empty() || reason.chars().count() > MAX_DISMISSAL_REASON {
                return Err(ApiError::invalid(
                    "reason",
                    format!("a reason of 1 to {MAX_DISMISSAL_REASON} characters"),
                ));
            }
            let mut out = Vec::with_capacity(leads.len());
            for id in leads {
                let r = async {
                    writable(state, caller, *id).await?;
                    store
                        .dismiss_lead(LeadId(*id), &member.actor, reason, &context(caller))
                        .await
                        .map_err(lead_error)?;
                    Ok(())
                }
                .await;
                out.push(outcome(*id, r));
            }
            Ok(ActionReport {
                case: None,
                leads: out,
            })
        }
        LeadAction::RegisterCase { leads, title } => {
            let title = title.trim();
            if title.is_empty() || title.chars().count() > 200 {
                return Err(ApiError::invalid(
                    "title",
                    "a title (案由) of 1 to 200 characters",
                ));
            }
            // All or nothing: one case from every lead, or no case.
            for (i, id) in leads.iter().enumerate() {
                if let Err(e) = writable(state, caller, *id).await {
                    return Err(ApiError {
                        field: Some(format!("leads[{i}]")),
                        ..e
                    });
                }
            }
            let rules = RuleSet::defaults().map_err(|e| ApiError::internal(&e))?;
            let cal = state.calendar().await?;
            let env = Env {
                rules,
                overrides: &[],
                calendar: &cal,
            };
            let req = CaseNumberRequest {
                title: title.to_string(),
                leads: leads.iter().map(|l| LeadId(*l)).collect(),
            };
            let applied = store
                .register_case(&member.actor, &req, env, &context(caller))
                .await?;
            Ok(ActionReport {
                case: Some(applied.value.case.id.0),
                leads: leads.iter().map(|l| outcome(*l, Ok(()))).collect(),
            })
        }
    }
}

/// Registers a case from leads, or dismisses leads with a reason (officers of the
/// receiving agency).
#[utoipa::path(post, path = "/leads/actions", tag = "leads",
    request_body = LeadAction,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Done; each lead's outcome (dismissal is per lead, a case is all or nothing)", body = ActionReport),
        (status = 400, description = "`invalid_input` naming `leads`, `title` or `reason`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a lead you see but may not work; `insufficient_scope` without `write`", body = ErrorBody),
        (status = 404, description = "`not_found`: a lead unknown or not yours (field `leads[i]`)", body = ErrorBody)))]
pub async fn lead_actions(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<LeadAction>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<ActionReport>, ApiError> {
    let Json(action) = body?;
    Ok(Json(run_lead_action(&state, &caller, &action).await?))
}
