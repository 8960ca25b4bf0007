//! The case workflow beyond transitions, over JSON: a case's audit trail and its
//! supervision orders (督办: listed for whoever reads the case, created by a coordination
//! office's supervisor of the case's region). Transfers and referrals are case
//! transitions (`transfer_out`, `accept_transfer`, `refuse_transfer`, …) on
//! `/cases/{id}/transitions`. Behind the policy: a case the caller may not read is the
//! unknown id's 404.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use wangjian_domain::org::OrgKind;
use wangjian_domain::supervision::{self, Supervision, SupervisionError, SupervisionLevel};
use wangjian_domain::{Context, RequestId};

use super::cases::{load_visible_case, store};
use super::complaints::{trail_events, TrailEvent};
use crate::auth::token::TokenScope;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::policy::{decide, Action, Resource};
use crate::state::AppState;
use crate::web::caller::Caller;

/// The routes (mounted under `/api/v1`).
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/cases/{id}/trail", get(case_trail))
        .route("/transfers", get(incoming_transfers))
        .route(
            "/cases/{id}/supervisions",
            get(list_supervisions).post(create_supervision),
        )
}

/// The OpenAPI part of these routes.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(case_trail, list_supervisions, create_supervision, incoming_transfers),
    components(schemas(NewSupervision, TransferPage)),
    tags((name = "workflow", description = "A case's audit trail and supervision orders (督办)"))
)]
pub struct WorkflowDoc;

/// Query of the incoming transfers.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct TransferQuery {
    /// Only this status (`sent`: awaiting your acceptance; `accepted`, `refused`,
    /// `feedback_reported`).
    pub status: Option<String>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<u32>,
}

/// One page of transfer orders, newest first.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct TransferPage {
    /// The orders (domain `TransferOrder`).
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<wangjian_domain::transfer::TransferOrder>,
    /// Cursor of the next page, or null on the last.
    pub next: Option<String>,
}

/// Transfer orders and criminal referrals sent to the caller's agency (accept or refuse
/// them with the case transitions `accept_transfer` / `refuse_transfer`).
#[utoipa::path(get, path = "/transfers", tag = "workflow", params(TransferQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of incoming transfer orders", body = TransferPage),
        (status = 400, description = "`invalid_input`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody)))]
pub async fn incoming_transfers(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Query(q): axum::extract::Query<TransferQuery>,
) -> Result<Json<TransferPage>, ApiError> {
    use crate::policy::{list_scope, Party, ResourceKind, Scope};
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s @ ("sent" | "accepted" | "refused" | "feedback_reported")) => Some(s),
        Some(s) => return Err(ApiError::invalid("status", format!("unknown status {s:?}"))),
        None => None,
    };
    if let Some(a) = &q.after {
        Uuid::parse_str(a).map_err(|_| ApiError::invalid("after", "not a cursor of this list"))?;
    }
    // The receivers of transfers read the case (the policy's transferred-to party).
    let org = match list_scope(&caller.principal, ResourceKind::Case) {
        Scope::Parties { org, parties } if parties.contains(&Party::TransferredTo) => org,
        _ => {
            return Ok(Json(TransferPage {
                items: vec![],
                next: None,
            }))
        }
    };
    let page = store(&state)?
        .incoming_transfers(
            org,
            status,
            q.after.map(wangjian_store::Cursor),
            q.limit.unwrap_or(50).clamp(1, 500),
        )
        .await?;
    Ok(Json(TransferPage {
        items: page.items,
        next: page.next.map(|c| c.0),
    }))
}

/// The audit trail of a case: every event whose root is the case, in order.
#[utoipa::path(get, path = "/cases/{id}/trail", tag = "workflow",
    params(("id" = String, Path, description = "Case id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Its audit events, in order", body = Vec<TrailEvent>),
        (status = 404, description = "`not_found`: unknown, or not yours to see", body = ErrorBody)))]
pub async fn case_trail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<TrailEvent>>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let (file, _) = load_visible_case(&state, &caller, &id).await?;
    let events = store(&state)?.case_trail(file.case.id).await?;
    Ok(Json(trail_events(events)))
}

/// The supervision orders of a case.
#[utoipa::path(get, path = "/cases/{id}/supervisions", tag = "workflow",
    params(("id" = String, Path, description = "Case id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Its supervision orders (domain `Supervision`)", body = Vec<Object>),
        (status = 404, description = "`not_found`", body = ErrorBody)))]
pub async fn list_supervisions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<Supervision>>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let (file, _) = load_visible_case(&state, &caller, &id).await?;
    Ok(Json(store(&state)?.supervisions_of(file.case.id).await?))
}

/// A new supervision order.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewSupervision {
    /// `general` or `key` (重点督办), as the domain names the levels.
    #[schema(value_type = String)]
    pub level: SupervisionLevel,
    /// The date the responsible agency must report by.
    pub due: NaiveDate,
    /// What the office asks.
    pub note: String,
}

fn supervision_error(e: SupervisionError) -> ApiError {
    match e {
        SupervisionError::NotOffice => ApiError::with_message(ErrorCode::Forbidden, e.to_string()),
        SupervisionError::DueInPast { .. } => ApiError::invalid("due", e.to_string()),
        SupervisionError::Ids(_) | SupervisionError::Calendar(_) => ApiError::internal(&e),
        other => ApiError::with_message(ErrorCode::RuleViolation, other.to_string()),
    }
}

/// Marks a case for supervision (督办), as a coordination office's supervisor of the
/// case's region.
#[utoipa::path(post, path = "/cases/{id}/supervisions", tag = "workflow",
    params(("id" = String, Path, description = "Case id")),
    request_body = NewSupervision,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The order (domain `Supervision`)", body = Object),
        (status = 400, description = "`invalid_input` or `malformed_json`", body = ErrorBody),
        (status = 403, description = "`forbidden`: you read the case but do not supervise it", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`rule_violation`: a closed case", body = ErrorBody)))]
pub async fn create_supervision(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<NewSupervision>, JsonRejection>,
) -> Result<(StatusCode, Json<Supervision>), ApiError> {
    caller.require_scope(TokenScope::Write)?;
    let m = caller.member()?.clone();
    let (file, facts) = load_visible_case(&state, &caller, &id).await?;
    decide(&caller.principal, Action::Supervise, &Resource::Case(facts)).into_result()?;
    let Json(req) = body?;
    let s = store(&state)?;
    let summary = s.case_summary(file.case.id).await?;
    let request = Uuid::parse_str(&caller.request_id).unwrap_or_else(|_| Uuid::now_v7());
    let ctx = Context::new_v7(RequestId(request), Utc::now(), 4);
    let change = supervision::mark(
        &m.actor,
        &m.region,
        matches!(m.org_kind, OrgKind::CoordinationOffice),
        &summary,
        req.level,
        req.due,
        &req.note,
        &ctx,
    )
    .map_err(supervision_error)?;
    Ok((StatusCode::CREATED, Json(s.apply(change).await?.value)))
}
