//! The case workflow beyond transitions, over JSON: a case's audit trail and its
//! supervision orders (督办: listed for whoever reads the case, created by a coordination
//! office's supervisor of the case's region), the receiver's feedback on a transfer, and
//! the audit trail of any one object behind that object's read rule. Transfers and
//! referrals are case transitions (`transfer_out`, `accept_transfer`, `refuse_transfer`,
//! …) on `/cases/{id}/transitions`. Behind the policy: an object the caller may not read
//! is the unknown id's 404. Assist requests are in `assist.rs`, seized goods in
//! `seized.rs`.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use wangjian_domain::supervision::{Supervision, SupervisionLevel};
use wangjian_domain::transfer::TransferOrder;
use wangjian_domain::{ObjectType, TransferId};

use super::cases::path_id;
use super::complaints::{trail_events, TrailEvent};
use crate::auth::token::TokenScope;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::web::caller::Caller;
use wangjian_app::policy::{decide, Action, Resource};
use wangjian_domain::CaseId;

/// The routes (mounted under `/api/v1`).
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/cases/{id}/trail", get(case_trail))
        .route("/transfers", get(incoming_transfers))
        .route("/transfers/{id}/feedback", post(report_feedback))
        .route("/audit", get(object_audit))
        .route(
            "/cases/{id}/supervisions",
            get(list_supervisions).post(create_supervision),
        )
}

/// The OpenAPI part of these routes.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(case_trail, list_supervisions, create_supervision, incoming_transfers,
        report_feedback, object_audit),
    components(schemas(NewSupervision, TransferPage, FeedbackRequest, TrailPage)),
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
    use wangjian_app::policy::{list_scope, Party, ResourceKind, Scope};
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
    let page = state
        .store()?
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
    let (file, _) = state
        .app()?
        .visible_case(&caller.call(), CaseId(path_id(&id)?))
        .await?;
    let events = state.store()?.case_trail(file.case.id).await?;
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
    let (file, _) = state
        .app()?
        .visible_case(&caller.call(), CaseId(path_id(&id)?))
        .await?;
    Ok(Json(state.store()?.supervisions_of(file.case.id).await?))
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
    caller.member()?;
    let case = CaseId(path_id(&id)?);
    let app = state.app()?;
    let (_, facts) = app.visible_case(&caller.call(), case).await?;
    decide(&caller.principal, Action::Supervise, &Resource::Case(facts)).into_result()?;
    let Json(req) = body?;
    let s = app
        .supervise(&caller.call(), case, req.level, req.due, &req.note)
        .await?;
    Ok((StatusCode::CREATED, Json(s)))
}

/// Loads a transfer order the caller may read (with its case), else the unknown id's
/// 404, with its policy resource.
async fn load_visible_transfer(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<(TransferOrder, Resource), ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::not_found())?;
    Ok(state
        .app()?
        .visible_transfer(&caller.call(), TransferId(id))
        .await?)
}

/// The receiver's report on a transfer (domain `Feedback`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct FeedbackRequest {
    /// The order version the caller saw; a different stored version answers 409.
    pub expected_version: Option<i64>,
    /// The outcome in words (立案 / 不予立案 / 已处罚 …).
    pub outcome: String,
    /// The receiver's reference number (its case number, 立案决定书号).
    #[serde(default)]
    pub reference_number: String,
    /// Notes.
    #[serde(default)]
    pub notes: String,
}

/// The receiving agency reports the outcome of an accepted transfer by its feedback
/// deadline (a criminal referral is answered by the police's filing decision on the
/// case instead).
#[utoipa::path(post, path = "/transfers/{id}/feedback", tag = "workflow",
    params(("id" = String, Path, description = "Transfer order id")),
    request_body = FeedbackRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The order after the report (domain `TransferOrder`)", body = Object),
        (status = 400, description = "`invalid_input` naming `outcome`, or `malformed_json`", body = ErrorBody),
        (status = 403, description = "`forbidden`: you read it but did not receive it", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`conflict`: changed by someone else", body = ErrorBody),
        (status = 422, description = "`rule_violation`: not accepted, already reported, or a criminal referral", body = ErrorBody)))]
pub async fn report_feedback(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<FeedbackRequest>, JsonRejection>,
) -> Result<Json<TransferOrder>, ApiError> {
    caller.require_scope(TokenScope::Write)?;
    caller.member()?;
    let (order, res) = load_visible_transfer(&state, &caller, &id).await?;
    decide(&caller.principal, Action::Write, &res).into_result()?;
    let Json(req) = body?;
    Ok(Json(
        state
            .app()?
            .report_feedback(
                &caller.call(),
                order.id,
                req.expected_version,
                &req.outcome,
                &req.reference_number,
                &req.notes,
            )
            .await?,
    ))
}

/// Query of one object's audit trail.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// `case`, `transfer_order`, `assist_request`, `seized_item`, `complaint` or `lead`.
    pub object_type: Option<String>,
    /// The object's id.
    pub object_id: Option<String>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// Page size, 1–500 (default 100).
    pub limit: Option<u32>,
}

/// One page of an audit trail, in order.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct TrailPage {
    /// The events.
    pub items: Vec<TrailEvent>,
    /// Cursor of the next page, or null on the last.
    pub next: Option<String>,
}

/// Checks that the caller may read the object (its own read rule), else the unknown
/// id's 404.
async fn check_readable(
    state: &AppState,
    caller: &Caller,
    ty: ObjectType,
    id: &str,
) -> Result<(), ApiError> {
    match ty {
        ObjectType::Case => match Uuid::parse_str(id) {
            Ok(u) => state
                .app()?
                .visible_case(&caller.call(), CaseId(u))
                .await
                .map(drop)
                .map_err(ApiError::from),
            Err(_) => Err(ApiError::not_found()),
        },
        ObjectType::TransferOrder => load_visible_transfer(state, caller, id).await.map(drop),
        ObjectType::AssistRequest => super::assist::load_visible(state, caller, id)
            .await
            .map(drop),
        ObjectType::SeizedItem => super::seized::load_visible(state, caller, id)
            .await
            .map(drop),
        ObjectType::Complaint => super::complaints::load_visible(state, caller, id)
            .await
            .map(drop),
        ObjectType::Lead => super::leads::load_visible_lead(state, caller, id)
            .await
            .map(drop),
        ObjectType::Notice => match Uuid::parse_str(id) {
            Ok(u) => state
                .app()?
                .visible_notice(&caller.call(), wangjian_domain::notice::NoticeId(u))
                .await
                .map(drop)
                .map_err(ApiError::from),
            Err(_) => Err(ApiError::not_found()),
        },
        ObjectType::BrushingGroup => match Uuid::parse_str(id) {
            Ok(u) => state
                .app()?
                .visible_group(&caller.call(), u)
                .await
                .map(drop)
                .map_err(ApiError::from),
            Err(_) => Err(ApiError::not_found()),
        },
        _ => Err(ApiError::invalid(
            "object_type",
            "no audit trail is served for this kind",
        )),
    }
}

/// The audit trail of one object (a case, transfer order, assist request, seized item,
/// complaint, lead or brushing group), readable exactly when the object is, in order, paged.
#[utoipa::path(get, path = "/audit", tag = "workflow", params(AuditQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of its audit events", body = TrailPage),
        (status = 400, description = "`invalid_input` naming `object_type`, `object_id`, `after` or `limit`", body = ErrorBody),
        (status = 404, description = "`not_found`: unknown, or not yours to see", body = ErrorBody)))]
pub async fn object_audit(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Query(q): axum::extract::Query<AuditQuery>,
) -> Result<Json<TrailPage>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let ty = match q.object_type.as_deref().unwrap_or_default() {
        "case" => ObjectType::Case,
        "transfer_order" => ObjectType::TransferOrder,
        "assist_request" => ObjectType::AssistRequest,
        "seized_item" => ObjectType::SeizedItem,
        "complaint" => ObjectType::Complaint,
        "lead" => ObjectType::Lead,
        "notice" => ObjectType::Notice,
        "brushing_group" => ObjectType::BrushingGroup,
        other => {
            return Err(ApiError::invalid(
                "object_type",
                format!(
                    "unknown object type {other:?} (case, transfer_order, assist_request, \
                     seized_item, complaint, lead, notice, brushing_group)"
                ),
            ))
        }
    };
    let raw = q.object_id.as_deref().unwrap_or_default();
    let id = Uuid::parse_str(raw).map_err(|_| ApiError::invalid("object_id", "not an id"))?;
    if let Some(a) = &q.after {
        if a.parse::<u64>().is_err() {
            return Err(ApiError::invalid("after", "not a cursor of this list"));
        }
    }
    if q.limit == Some(0) || q.limit.is_some_and(|l| l > 500) {
        return Err(ApiError::invalid("limit", "between 1 and 500"));
    }
    check_readable(&state, &caller, ty, raw).await?;
    let page = state
        .store()?
        .object_trail_page(
            ty,
            id,
            q.after.map(wangjian_store::Cursor),
            q.limit.unwrap_or(100),
        )
        .await?;
    Ok(Json(TrailPage {
        items: trail_events(page.items),
        next: page.next.map(|c| c.0),
    }))
}
