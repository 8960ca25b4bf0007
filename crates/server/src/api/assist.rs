//! Regional assist requests (协查) over JSON: an agency working a case asks another
//! agency to check a subject, a shipment or goods, and the asked agency answers (or
//! declines) by the reply deadline the domain starts (协助调查, 15 working days by
//! default). Behind the policy's `AssistRequest` resource: both agencies and the
//! coordination offices of their regions read; only the asked agency answers; a request
//! the caller may not read is the unknown id's 404.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use wangjian_domain::org::OrgKind;
use wangjian_domain::transfer::{self, AssistRequest, AssistStatus, AssistTarget, TransferError};
use wangjian_domain::{AssistRequestId, Deadline, OrgId, RuleSet};
use wangjian_store::{AssistDirection, AssistQuery, Cursor, Store};

use super::cases::{load_visible_case, store};
use super::workflow::context;
use crate::auth::token::TokenScope;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::policy::{decide, list_scope, Action, Party, Resource, ResourceKind, Scope};
use crate::state::AppState;
use crate::web::caller::Caller;

/// The routes (mounted under `/api/v1`).
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/cases/{id}/assist-requests", post(send_assist))
        .route("/assist-requests", get(list_assist))
        .route("/assist-requests/{id}", get(get_assist))
        .route("/assist-requests/{id}/answer", post(answer_assist))
}

/// The OpenAPI part of these routes.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(send_assist, list_assist, get_assist, answer_assist),
    components(schemas(NewAssistRequest, AssistAnswer, AssistView, AssistPage)),
    tags((name = "assist", description = "Regional assist requests (协查)"))
)]
pub struct AssistDoc;

/// A domain refusal of a transfer or assist-request command as an API error: an empty
/// text names its field; a wrong state is a rule violation.
pub(crate) fn transfer_error(e: TransferError) -> ApiError {
    match e {
        TransferError::Empty(what) => {
            let field = match what {
                "the feedback outcome" => "outcome",
                "the question" => "question",
                "the answer" => "answer",
                other => other,
            };
            ApiError::invalid(field, e.to_string())
        }
        TransferError::NotReceiver(_) => {
            ApiError::with_message(ErrorCode::Forbidden, e.to_string())
        }
        TransferError::WrongStatus { .. } | TransferError::ReferralFeedback => {
            ApiError::with_message(ErrorCode::RuleViolation, e.to_string())
        }
        TransferError::WrongDeadline(_) | TransferError::Deadline(_) | TransferError::Ids(_) => {
            ApiError::internal(&e)
        }
    }
}

/// An assist request with its reply deadline (due date, status).
#[derive(Debug, Serialize, ToSchema)]
pub struct AssistView {
    /// The request (domain `AssistRequest`).
    #[schema(value_type = Object)]
    pub request: AssistRequest,
    /// Its reply deadline (domain `Deadline`: `due`, `status`, the rule it rests on).
    #[schema(value_type = Object)]
    pub reply_deadline: Option<Deadline>,
}

/// The policy's view of an assist request.
async fn resource(s: &Store, r: &AssistRequest) -> Result<Resource, ApiError> {
    let region = |o: Option<wangjian_domain::Organization>| {
        o.map(|o| o.region)
            .ok_or_else(|| ApiError::internal(&"an assist request names an unknown organization"))
    };
    Ok(Resource::AssistRequest {
        sender: r.from_org,
        sender_region: region(s.organization(r.from_org).await?)?,
        receiver: r.to_org,
        receiver_region: region(s.organization(r.to_org).await?)?,
    })
}

/// Loads an assist request the caller may read (else the unknown id's 404), with its
/// policy resource.
pub(crate) async fn load_visible(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<(AssistRequest, Resource), ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::not_found())?;
    let s = store(state)?;
    let r = s
        .assist_request(AssistRequestId(id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let res = resource(s, &r).await?;
    decide(&caller.principal, Action::Read, &res).into_result()?;
    Ok((r, res))
}

async fn view(s: &Store, request: AssistRequest) -> Result<AssistView, ApiError> {
    let reply_deadline = s.deadline(request.reply_deadline).await?;
    Ok(AssistView {
        request,
        reply_deadline,
    })
}

/// A new assist request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewAssistRequest {
    /// The agency asked (another agency than the caller's).
    pub to_org: Uuid,
    /// What to check: `{"target":"subject","subject":"…"}`,
    /// `{"target":"shipment","carrier":"顺丰","waybill":"SF…"}` or
    /// `{"target":"identification","items":"…"}`.
    #[schema(value_type = Object)]
    pub target: AssistTarget,
    /// The question.
    pub question: String,
    /// The legal basis of the request.
    #[serde(default)]
    pub legal_basis: String,
}

async fn check_target(s: &Store, t: &AssistTarget) -> Result<(), ApiError> {
    let empty = |field: &str, v: &str| {
        if v.trim().is_empty() {
            Err(ApiError::invalid(
                field,
                format!("{field} must not be empty"),
            ))
        } else {
            Ok(())
        }
    };
    match t {
        AssistTarget::Subject { subject } => {
            if s.subject(*subject).await?.is_none() {
                return Err(ApiError::invalid("target.subject", "no such subject"));
            }
            Ok(())
        }
        AssistTarget::Shipment { carrier, waybill } => {
            empty("target.carrier", carrier)?;
            empty("target.waybill", waybill)
        }
        AssistTarget::Identification { items } => empty("target.items", items),
    }
}

/// Sends an assist request for a case, as a worker of the case's responsible agency.
#[utoipa::path(post, path = "/cases/{id}/assist-requests", tag = "assist",
    params(("id" = String, Path, description = "Case id")),
    request_body = NewAssistRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The request and its reply deadline", body = AssistView),
        (status = 400, description = "`invalid_input` (naming the field) or `malformed_json`", body = ErrorBody),
        (status = 403, description = "`forbidden`: you read the case but do not work it", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody)))]
pub async fn send_assist(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<NewAssistRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<AssistView>), ApiError> {
    caller.require_scope(TokenScope::Write)?;
    let m = caller.member()?.clone();
    let (file, facts) = load_visible_case(&state, &caller, &id).await?;
    decide(&caller.principal, Action::Write, &Resource::Case(facts)).into_result()?;
    let Json(req) = body?;
    let s = store(&state)?;
    let to = s
        .organization(OrgId(req.to_org))
        .await?
        .filter(|o| matches!(o.kind, OrgKind::Agency { .. }))
        .ok_or_else(|| ApiError::invalid("to_org", "no such agency"))?;
    if to.id == m.actor.org {
        return Err(ApiError::invalid(
            "to_org",
            "ask another agency than your own",
        ));
    }
    check_target(s, &req.target).await?;
    let rules = RuleSet::defaults().map_err(|e| ApiError::internal(&e))?;
    let change = transfer::send_assist_request(
        &m.actor,
        Some(file.case.id),
        to.id,
        req.target,
        &req.question,
        &req.legal_basis,
        rules,
        &[],
        &context(&caller, 8),
        &*state.calendar().await?,
    )
    .map_err(transfer_error)?;
    let (request, deadline) = s.apply(change).await?.value;
    Ok((
        StatusCode::CREATED,
        Json(AssistView {
            request,
            reply_deadline: Some(deadline),
        }),
    ))
}

/// Query of the assist-request list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AssistListQuery {
    /// `incoming` (asked of your agency, the default) or `outgoing` (sent by it); for a
    /// coordination office, asked of or sent by the agencies of its region.
    pub direction: Option<String>,
    /// Only this status (`sent`: awaiting the answer; `answered`, `declined`).
    pub status: Option<String>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<u32>,
}

/// One page of assist requests, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssistPage {
    /// The requests (domain `AssistRequest`).
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<AssistRequest>,
    /// Cursor of the next page, or null on the last.
    pub next: Option<String>,
}

/// The assist requests asked of, or sent by, the caller's agency (or the agencies of an
/// office's region).
#[utoipa::path(get, path = "/assist-requests", tag = "assist", params(AssistListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of assist requests", body = AssistPage),
        (status = 400, description = "`invalid_input` naming `direction`, `status` or `after`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody)))]
pub async fn list_assist(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AssistListQuery>,
) -> Result<Json<AssistPage>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let direction = match q.direction.as_deref().filter(|s| !s.is_empty()) {
        None | Some("incoming") => AssistDirection::Incoming,
        Some("outgoing") => AssistDirection::Outgoing,
        Some(d) => {
            return Err(ApiError::invalid(
                "direction",
                format!("unknown direction {d:?} (incoming or outgoing)"),
            ))
        }
    };
    let status = q
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| {
            AssistStatus::ALL
                .into_iter()
                .find(|a| a.as_str() == s)
                .ok_or_else(|| ApiError::invalid("status", format!("unknown status {s:?}")))
        })
        .transpose()?;
    if let Some(a) = &q.after {
        Uuid::parse_str(a).map_err(|_| ApiError::invalid("after", "not a cursor of this list"))?;
    }
    let scope = match list_scope(&caller.principal, ResourceKind::AssistRequest) {
        Scope::Parties { org, parties }
            if parties.contains(&Party::AssistSender)
                && parties.contains(&Party::AssistReceiver) =>
        {
            wangjian_store::Scope::Org(org)
        }
        Scope::Region(r) => wangjian_store::Scope::Region(r),
        _ => {
            return Ok(Json(AssistPage {
                items: vec![],
                next: None,
            }))
        }
    };
    let page = store(&state)?
        .assist_requests(&AssistQuery {
            scope,
            direction,
            status,
            after: q.after.map(Cursor),
            limit: q.limit.unwrap_or(50).clamp(1, 500),
        })
        .await?;
    Ok(Json(AssistPage {
        items: page.items,
        next: page.next.map(|c| c.0),
    }))
}

/// One assist request with its reply deadline.
#[utoipa::path(get, path = "/assist-requests/{id}", tag = "assist",
    params(("id" = String, Path, description = "Assist request id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The request", body = AssistView),
        (status = 404, description = "`not_found`: unknown, or not yours to see", body = ErrorBody)))]
pub async fn get_assist(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AssistView>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let (r, _) = load_visible(&state, &caller, &id).await?;
    Ok(Json(view(store(&state)?, r).await?))
}

/// The asked agency's answer.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AssistAnswer {
    /// The request version the caller saw; a different stored version answers 409.
    pub expected_version: Option<i64>,
    /// The findings, or why the request is declined.
    pub answer: String,
    /// The answer's document number.
    #[serde(default)]
    pub reference: String,
    /// True to decline (not competent, …) instead of answering.
    #[serde(default)]
    pub declined: bool,
}

/// Answers (or declines) an assist request, as a worker of the asked agency.
#[utoipa::path(post, path = "/assist-requests/{id}/answer", tag = "assist",
    params(("id" = String, Path, description = "Assist request id")),
    request_body = AssistAnswer,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The answered request and its stopped deadline", body = AssistView),
        (status = 400, description = "`invalid_input` naming `answer`, or `malformed_json`", body = ErrorBody),
        (status = 403, description = "`forbidden`: you read it but were not asked", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`conflict`: changed by someone else", body = ErrorBody),
        (status = 422, description = "`rule_violation`: already answered", body = ErrorBody)))]
pub async fn answer_assist(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<AssistAnswer>, JsonRejection>,
) -> Result<Json<AssistView>, ApiError> {
    caller.require_scope(TokenScope::Write)?;
    let m = caller.member()?.clone();
    let (r, res) = load_visible(&state, &caller, &id).await?;
    decide(&caller.principal, Action::Write, &res).into_result()?;
    let Json(req) = body?;
    if req.expected_version.is_some_and(|v| v != r.version) {
        return Err(ApiError::new(ErrorCode::Conflict));
    }
    let s = store(&state)?;
    let dl = s
        .deadline(r.reply_deadline)
        .await?
        .ok_or_else(|| ApiError::internal(&"an assist request without its reply deadline"))?;
    let change = transfer::answer_assist_request(
        &r,
        &dl,
        &m.actor,
        &req.answer,
        &req.reference,
        req.declined,
        &context(&caller, 8),
        &*state.calendar().await?,
    )
    .map_err(transfer_error)?;
    let (request, deadline) = s.apply(change).await?.value;
    Ok(Json(AssistView {
        request,
        reply_deadline: Some(deadline),
    }))
}
