//! Seller networks and brushing (issue 18) over JSON.
//!
//! - `POST /shop-identifiers`: a platform's operators upload shop identifiers (JSON Lines,
//!   or one JSON array), an agency's officers import them (naming `platform` per line or
//!   as `?platform=`); refused lines and values come back with their numbers, the rest is
//!   stored and the networks follow at once.
//! - `GET /networks`, `GET /networks/{platform}/{shop}`: networks, with provenance.
//! - `POST /brushing/orders`: a month of orders (JSON Lines) → detection → the groups,
//!   stored with their evidence orders, in the answer.
//! - `GET /brushing/groups[?state=]`, `GET /brushing/groups/{id}` (with evidence),
//!   `POST /brushing/groups/{id}/review` (confirm or dismiss), `POST
//!   /brushing/groups/{id}/lead` (a lead of the caller's agency, and with `case_title` a
//!   case registered from it).
//!
//! Uploads take up to 512 MiB: the token scope (`ingest`) and the policy's
//! `may_upload_shop_data` are checked before the body is read. Every read and change
//! decides through the app's policy.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use wangjian_app::workflow::brushing::{BrushingFinding, OrdersReport, MAX_ORDERS_BYTES};
use wangjian_app::workflow::networks::{IdentifierReport, NetworkSummary, NetworkView};
use wangjian_domain::brushing::{BrushingGroup, GroupState};
use wangjian_domain::{CaseId, LeadId, OrgId};
use wangjian_store::EvidenceOrder;

use crate::auth::token::TokenScope;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::web::caller::Caller;

/// The routes (mounted under `/api/v1`).
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    fn upload(h: axum::routing::MethodRouter<AppState>) -> axum::routing::MethodRouter<AppState> {
        h.layer(axum::extract::DefaultBodyLimit::max(MAX_ORDERS_BYTES))
            .layer(axum::middleware::from_fn(authorize_upload))
    }
    axum::Router::new()
        .route("/shop-identifiers", upload(post(upload_identifiers)))
        .route("/networks", get(list_networks))
        .route("/networks/{platform}/{shop}", get(get_network))
        .route("/brushing/orders", upload(post(upload_orders)))
        .route("/brushing/groups", get(list_groups))
        .route("/brushing/groups/{id}", get(get_group))
        .route("/brushing/groups/{id}/review", post(review_group))
        .route("/brushing/groups/{id}/lead", post(group_to_lead))
}

/// The OpenAPI part of these routes.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(upload_identifiers, list_networks, get_network, upload_orders, list_groups,
        get_group, review_group, group_to_lead),
    components(schemas(ReviewRequest, LeadRequest)),
    tags((name = "networks", description = "Seller networks (循线深挖) from shop identifiers"),
         (name = "brushing", description = "Brushing (刷单炒信) detection over a platform's orders"))
)]
pub struct NetworksDoc;

/// Token scope and policy before the body is read.
async fn authorize_upload(
    caller: Caller,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let allowed = caller.require_scope(TokenScope::Ingest).and_then(|()| {
        wangjian_app::policy::may_upload_shop_data(&caller.principal)
            .into_result()
            .map_err(ApiError::from)
    });
    match allowed {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

/// Query of an upload.
#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    /// The platform (an importing officer names it; a platform's operator may omit it).
    platform: Option<String>,
    /// The source rows name (default `api`).
    source: Option<String>,
}

/// Uploads shop identifiers (JSON Lines or a JSON array; one shop per line: `shop`,
/// `platform`, `source`, `at`, and any of `phone`, `email`, `social`, `citizen_id`,
/// `uscc`, `bank_account`, `return_address`, `ship_from_address`, `device`, `ip`).
#[utoipa::path(post, path = "/shop-identifiers", tag = "networks",
    params(("platform" = Option<String>, Query, description = "Platform (id, prefix or name); required for officers unless every line names one"),
           ("source" = Option<String>, Query, description = "Source named by the rows (default `api`)")),
    request_body(content = String, content_type = "application/x-ndjson"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Stored; refused lines listed with numbers (`IdentifierReport`)", body = Object),
        (status = 400, description = "`invalid_input` naming `platform`, `source` or `body`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `insufficient_scope` without `ingest`", body = ErrorBody)))]
pub async fn upload_identifiers(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<UploadQuery>,
    body: String,
) -> Result<Json<IdentifierReport>, ApiError> {
    caller.require_scope(TokenScope::Ingest)?;
    let report = state
        .app()?
        .upload_identifiers(
            &caller.call(),
            q.platform.as_deref(),
            q.source.as_deref().unwrap_or("api"),
            &body,
        )
        .await?;
    tracing::info!(
        lines = report.lines,
        values = report.values,
        problems = report.problems.len(),
        "shop identifiers uploaded"
    );
    Ok(Json(report))
}

/// Query of a list.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    /// At most this many (default 100).
    limit: Option<i64>,
    /// Only groups in this state (`open`, `confirmed`, `dismissed`).
    state: Option<String>,
}

/// Networks of two shops or more the caller may read, largest first.
#[utoipa::path(get, path = "/networks", tag = "networks",
    params(("limit" = Option<i64>, Query, description = "At most this many (default 100)")),
    security(("bearer" = [])),
    responses((status = 200, description = "`[{shop, size}]`", body = Vec<Object>)))]
pub async fn list_networks(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<NetworkSummary>>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000) as usize;
    Ok(Json(
        state.app()?.networks_list(&caller.call(), limit).await?,
    ))
}

fn org_path(s: &str) -> Result<OrgId, ApiError> {
    Uuid::parse_str(s)
        .map(OrgId)
        .map_err(|_| ApiError::not_found())
}

/// The network of one shop: shops, links with provenance, capped values, and the leads,
/// cases, penalties and brushing groups of its members the caller reads.
#[utoipa::path(get, path = "/networks/{platform}/{shop}", tag = "networks",
    params(("platform" = String, Path, description = "Platform id"),
           ("shop" = String, Path, description = "The platform's shop id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`NetworkView`", body = Object),
        (status = 404, description = "`not_found`: unknown, or not yours to see", body = ErrorBody)))]
pub async fn get_network(
    State(state): State<AppState>,
    caller: Caller,
    Path((platform, shop)): Path<(String, String)>,
) -> Result<Json<NetworkView>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let platform = org_path(&platform)?;
    Ok(Json(
        state
            .app()?
            .network(&caller.call(), platform, &shop)
            .await?,
    ))
}

/// Uploads a month of a platform's orders (JSON Lines: `order_id`, `buyer`, `shop`,
/// `listing`, `time`, `amount`, optional `address`, `device`, `ip`, `review`, `weight`,
/// `logistics`); answers with the suspicious groups found, as stored.
#[utoipa::path(post, path = "/brushing/orders", tag = "brushing",
    params(("platform" = Option<String>, Query, description = "Platform (id, prefix or name); required for officers")),
    request_body(content = String, content_type = "application/x-ndjson"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`OrdersReport`: the groups, bad lines with numbers", body = Object),
        (status = 400, description = "`invalid_input` naming `platform` or `body`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `insufficient_scope` without `ingest`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: over 512 MiB", body = ErrorBody)))]
pub async fn upload_orders(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<UploadQuery>,
    body: String,
) -> Result<Json<OrdersReport>, ApiError> {
    caller.require_scope(TokenScope::Ingest)?;
    let report = state
        .app()?
        .upload_orders(&caller.call(), q.platform.as_deref(), body)
        .await?;
    tracing::info!(
        lines = report.lines,
        orders = report.orders,
        groups = report.groups.len(),
        "orders uploaded"
    );
    Ok(Json(report))
}

fn parse_state(s: Option<&str>) -> Result<Option<GroupState>, ApiError> {
    match s {
        None | Some("") => Ok(None),
        Some(s) => GroupState::parse(s).map(Some).ok_or_else(|| {
            ApiError::from(wangjian_app::AppError::invalid(
                "state",
                "open, confirmed or dismissed",
            ))
        }),
    }
}

/// The brushing groups the caller may read, best first.
#[utoipa::path(get, path = "/brushing/groups", tag = "brushing",
    params(("state" = Option<String>, Query, description = "`open`, `confirmed` or `dismissed`"),
           ("limit" = Option<i64>, Query, description = "At most this many (default 100)")),
    security(("bearer" = [])),
    responses((status = 200, description = "Groups (domain `BrushingGroup`)", body = Vec<Object>)))]
pub async fn list_groups(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<BrushingGroup>>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let st = parse_state(q.state.as_deref())?;
    Ok(Json(
        state
            .app()?
            .groups(&caller.call(), st, q.limit.unwrap_or(100))
            .await?,
    ))
}

/// A group and its evidence orders.
#[derive(Debug, Serialize)]
pub struct GroupDetail {
    /// The group.
    pub group: BrushingGroup,
    /// Its evidence orders, by time.
    pub evidence: Vec<EvidenceOrder>,
}

fn group_path(s: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(s).map_err(|_| ApiError::not_found())
}

/// One group with its evidence orders.
#[utoipa::path(get, path = "/brushing/groups/{id}", tag = "brushing",
    params(("id" = String, Path, description = "Group id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`{group, evidence}`", body = Object),
        (status = 404, description = "`not_found`: unknown, or not yours to see", body = ErrorBody)))]
pub async fn get_group(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<GroupDetail>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let (group, evidence) = state
        .app()?
        .group_detail(&caller.call(), group_path(&id)?)
        .await?;
    Ok(Json(GroupDetail { group, evidence }))
}

/// A review.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewRequest {
    /// `true` to confirm, `false` to dismiss.
    pub confirm: bool,
    /// Why (required to dismiss).
    #[serde(default)]
    pub note: String,
    /// The version the caller saw (a stale one is a `conflict`).
    pub version: Option<i64>,
}

/// What a review or a lead answers.
#[derive(Debug, Serialize)]
pub struct ReviewAnswer {
    /// The group now.
    pub group: BrushingGroup,
    /// The findings for the shops' credit records (a confirmed group).
    pub findings: Vec<BrushingFinding>,
    /// The lead made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead: Option<LeadId>,
    /// The case registered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<CaseId>,
}

/// Confirms or dismisses an open group (agencies reading it).
#[utoipa::path(post, path = "/brushing/groups/{id}/review", tag = "brushing",
    params(("id" = String, Path, description = "Group id")),
    request_body = ReviewRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`{group, findings}`", body = Object),
        (status = 400, description = "`invalid_input` naming `note`", body = ErrorBody),
        (status = 403, description = "`forbidden`: only agencies review", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`conflict`: the group changed since `version`", body = ErrorBody),
        (status = 422, description = "`rule_violation`: the group is not open", body = ErrorBody)))]
pub async fn review_group(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<ReviewRequest>, JsonRejection>,
) -> Result<Json<ReviewAnswer>, ApiError> {
    caller.require_scope(TokenScope::Write)?;
    caller.member()?;
    let id = group_path(&id)?;
    let Json(r) = body?;
    let (group, findings) = state
        .app()?
        .review_group(&caller.call(), id, r.confirm, &r.note, r.version)
        .await?;
    Ok(Json(ReviewAnswer {
        group,
        findings,
        lead: None,
        case: None,
    }))
}

/// Turning a group into a lead (and a case).
#[derive(Debug, Deserialize, ToSchema)]
pub struct LeadRequest {
    /// When given, a case is registered from the lead with this title (案由).
    pub case_title: Option<String>,
    /// The version the caller saw.
    pub version: Option<i64>,
}

/// Turns a group into a lead of the caller's agency, and with `case_title` registers a
/// case from it.
#[utoipa::path(post, path = "/brushing/groups/{id}/lead", tag = "brushing",
    params(("id" = String, Path, description = "Group id")),
    request_body = LeadRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`{group, findings, lead, case}`", body = Object),
        (status = 403, description = "`forbidden`: only agencies", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`conflict`: the group changed since `version`", body = ErrorBody),
        (status = 422, description = "`rule_violation`: dismissed, or already a lead", body = ErrorBody)))]
pub async fn group_to_lead(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<LeadRequest>, JsonRejection>,
) -> Result<Json<ReviewAnswer>, ApiError> {
    caller.require_scope(TokenScope::Write)?;
    caller.member()?;
    let id = group_path(&id)?;
    let Json(r) = body?;
    let (group, lead, case, findings) = state
        .app()?
        .group_to_lead(&caller.call(), id, r.case_title.as_deref(), r.version)
        .await?;
    Ok(Json(ReviewAnswer {
        group,
        findings,
        lead: Some(lead),
        case: case.map(|c| c.case.id),
    }))
}
