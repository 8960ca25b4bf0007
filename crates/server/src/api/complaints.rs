//! `/api/v1/complaints`: the complaints and reports from the public portal, for the
//! agency that handles them (the policy's `Complaint` resource: the handler's officers
//! and supervisors read and decide; everyone else gets the unknown id's 404). Accept
//! (受理: the complaint becomes a lead), refuse (不予受理, with the reason the submitter
//! reads), handle (办结, with the outcome the submitter reads), and the audit trail.
//!
//! The submitter's contact is masked in every answer (`complaint::masked_contact`); the
//! handling agency's workers read it in full with `POST /complaints/{id}/contact`, one
//! complaint at a time, and each such read is an audit event in the complaint's trail
//! (a reporter must be protected from the party reported). The tracking number is never
//! answered: the store keeps only its digest.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::Json;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use wangjian_domain::complaint::{
    masked_contact, Complaint, ComplaintError, ComplaintId, ComplaintState,
};
use wangjian_domain::ObjectType;
use wangjian_store::Cursor;

use crate::auth::token::TokenScope;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::web::caller::Caller;
use wangjian_app::policy::{list_scope, Party, ResourceKind, Scope};

/// The routes (mounted under `/api/v1`).
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/complaints", get(list_complaints))
        .route("/complaints/{id}", get(get_complaint))
        .route("/complaints/{id}/decisions", post(decide_complaint_api))
        .route("/complaints/{id}/trail", get(complaint_trail))
        .route("/complaints/{id}/contact", post(read_contact_api))
}

/// The OpenAPI part of these routes (nested into the API's document).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_complaints, get_complaint, decide_complaint_api, complaint_trail,
        read_contact_api),
    components(schemas(ComplaintPage, DecisionRequest, TrailEvent, ContactView)),
    tags((name = "complaints", description = "Complaints and reports from the public portal"))
)]
pub struct ComplaintsDoc;

/// A domain refusal of a complaint command as an API error (the portal's too).
pub(crate) fn domain_error(e: ComplaintError) -> ApiError {
    ApiError::from(wangjian_app::workflow::complaints::complaint_error(e))
}

/// A complaint as answered: the contact masked.
pub(crate) fn masked(mut c: Complaint) -> Complaint {
    c.contact = masked_contact(&c.contact);
    c
}

/// Loads a complaint the caller may read, or the unknown id's 404.
pub(crate) async fn load_visible(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<Complaint, ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::not_found())?;
    Ok(state
        .app()?
        .visible_complaint(&caller.call(), ComplaintId(id))
        .await?)
}

/// Query of the complaint list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ComplaintListQuery {
    /// Only this state (`received`, `accepted`, `refused`, `handled`).
    pub state: Option<String>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<u32>,
}

/// One page of complaints, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintPage {
    /// The complaints (domain `Complaint` objects, `contact` masked).
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Complaint>,
    /// Cursor of the next page, or null on the last.
    pub next: Option<String>,
}

/// The agency whose complaints the caller may list, if any.
pub(crate) fn handler_scope(caller: &Caller) -> Option<wangjian_domain::OrgId> {
    match list_scope(&caller.principal, ResourceKind::Complaint) {
        Scope::Parties { org, parties } if parties.contains(&Party::Handler) => Some(org),
        _ => None,
    }
}

/// Parses a state filter.
pub(crate) fn parse_state(s: Option<&str>) -> Result<Option<ComplaintState>, ApiError> {
    s.filter(|s| !s.is_empty())
        .map(|s| {
            ComplaintState::parse(s)
                .ok_or_else(|| ApiError::invalid("state", format!("unknown state {s:?}")))
        })
        .transpose()
}

/// Complaints the caller's agency handles.
#[utoipa::path(get, path = "/complaints", tag = "complaints", params(ComplaintListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of complaints", body = ComplaintPage),
        (status = 400, description = "`invalid_input`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody)))]
pub async fn list_complaints(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ComplaintListQuery>,
) -> Result<Json<ComplaintPage>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let state_filter = parse_state(q.state.as_deref())?;
    if let Some(a) = &q.after {
        Uuid::parse_str(a).map_err(|_| ApiError::invalid("after", "not a cursor of this list"))?;
    }
    let Some(org) = handler_scope(&caller) else {
        return Ok(Json(ComplaintPage {
            items: vec![],
            next: None,
        }));
    };
    let page = state
        .store()?
        .complaints(
            org,
            state_filter,
            q.after.map(Cursor),
            q.limit.unwrap_or(50).clamp(1, 500),
        )
        .await?;
    Ok(Json(ComplaintPage {
        items: page.items.into_iter().map(masked).collect(),
        next: page.next.map(|c| c.0),
    }))
}

/// One complaint (its contact masked: read it with `POST /complaints/{id}/contact`).
#[utoipa::path(get, path = "/complaints/{id}", tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The complaint (domain `Complaint`, `contact` masked)", body = Object),
        (status = 404, description = "`not_found`: unknown, or not yours to see", body = ErrorBody)))]
pub async fn get_complaint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Complaint>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    Ok(Json(masked(load_visible(&state, &caller, &id).await?)))
}

/// A submitter's contact, in full.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactView {
    /// The contact as submitted (empty for an anonymous report).
    pub contact: String,
    /// The `seq` of the audit event that records this read.
    pub recorded_as: i64,
}

/// Reads a complaint's contact in full and records the read (the handling agency's
/// workers; the console's one path too).
pub(crate) async fn read_contact(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<ContactView, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let id = Uuid::parse_str(id).map_err(|_| ApiError::not_found())?;
    let (contact, recorded_as) = state
        .app()?
        .read_complaint_contact(&caller.call(), ComplaintId(id))
        .await?;
    Ok(ContactView {
        contact,
        recorded_as,
    })
}

/// The submitter's contact in full, for the handling agency's workers only; each read is
/// recorded in the complaint's audit trail (`complaint.read_contact`).
#[utoipa::path(post, path = "/complaints/{id}/contact", tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The contact, and the event that records the read", body = ContactView),
        (status = 403, description = "`forbidden`: you read the complaint but do not handle it", body = ErrorBody),
        (status = 404, description = "`not_found`: unknown, or not yours to see", body = ErrorBody)))]
pub async fn read_contact_api(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ContactView>, ApiError> {
    Ok(Json(read_contact(&state, &caller, &id).await?))
}

pub use wangjian_app::workflow::complaints::ComplaintDecision;

/// A decision with the version the caller saw.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionRequest {
    /// The complaint version the caller saw; a different stored version answers 409.
    pub expected_version: Option<i64>,
    /// The decision: `{"action":"accept"}`, `{"action":"refuse","reason":"…"}` or
    /// `{"action":"handle","outcome":"…"}`.
    #[schema(value_type = Object)]
    pub decision: ComplaintDecision,
}

/// Checks and applies a decision for the caller (the API's and the console's one path):
/// write scope, visibility (404 as unknown), the policy, the expected version, the state.
pub(crate) async fn decide_complaint(
    state: &AppState,
    caller: &Caller,
    id: &str,
    expected_version: Option<i64>,
    d: &ComplaintDecision,
) -> Result<Complaint, ApiError> {
    caller.require_scope(TokenScope::Write)?;
    caller.member()?;
    let id = Uuid::parse_str(id).map_err(|_| ApiError::not_found())?;
    Ok(state
        .app()?
        .decide_complaint(&caller.call(), ComplaintId(id), expected_version, d)
        .await?)
}

/// Accepts, refuses or handles a complaint.
#[utoipa::path(post, path = "/complaints/{id}/decisions", tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = DecisionRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The complaint after the decision", body = Object),
        (status = 400, description = "`invalid_input` (the field is named) or `malformed_json`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`conflict`: changed by someone else", body = ErrorBody),
        (status = 422, description = "`rule_violation`: not in a state for this", body = ErrorBody)))]
pub async fn decide_complaint_api(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<DecisionRequest>, JsonRejection>,
) -> Result<Json<Complaint>, ApiError> {
    let Json(req) = body?;
    Ok(Json(masked(
        decide_complaint(&state, &caller, &id, req.expected_version, &req.decision).await?,
    )))
}

/// One audit event, as the trail shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrailEvent {
    /// Position in the trail.
    pub seq: i64,
    /// When.
    pub at: chrono::DateTime<Utc>,
    /// What (`complaint.accept`, …).
    pub action: String,
    /// Who (the nil id for the public).
    pub actor: Uuid,
    /// For which organization.
    pub actor_org: Uuid,
    /// The fields changed.
    pub changed: Vec<String>,
    /// SHA-256 of the object after.
    pub after_digest: String,
}

/// The events of a trail, for the API.
pub(crate) fn trail_events(v: Vec<wangjian_store::StoredEvent>) -> Vec<TrailEvent> {
    v.into_iter()
        .map(|s| TrailEvent {
            seq: s.seq,
            at: s.event.at,
            action: s.event.action,
            actor: s.event.actor.0,
            actor_org: s.event.actor_org.0,
            changed: s.event.changed.into_iter().map(|c| c.field).collect(),
            after_digest: s.event.after_digest,
        })
        .collect()
}

/// The audit trail of a complaint.
#[utoipa::path(get, path = "/complaints/{id}/trail", tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Its audit events, in order", body = Vec<TrailEvent>),
        (status = 404, description = "`not_found`", body = ErrorBody)))]
pub async fn complaint_trail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<TrailEvent>>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let c = load_visible(&state, &caller, &id).await?;
    let events = state
        .store()?
        .object_trail(ObjectType::Complaint, c.id.0)
        .await?;
    Ok(Json(trail_events(events)))
}
