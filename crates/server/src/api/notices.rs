//! Notice and takedown (通知—删除) and platforms' duties over JSON: sending notices (one or
//! thousands of listings in one request, one transaction), reading them, every later step
//! (`POST /notices/{id}/steps`, by the party the domain's table names), the platform's
//! queue (good-faith notifiers first), self-inspection records (自查自纠), and a platform's
//! weekly figures (附件1), notice metrics and notifier reputations. Every decision is the
//! app's (`wangjian_app::notices`) behind the one policy.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use wangjian_app::notices::metrics::{PlatformMetrics, Reputation};
use wangjian_app::notices::weekly::{china_midnight, IsoWeek, PlatformWeekly};
use wangjian_app::notices::SendNotices;
use wangjian_domain::notice::{Notice, NoticeAction, NoticeId, NoticeState, StepInput};
use wangjian_domain::self_inspection::{InspectionInput, SelfInspection};
use wangjian_domain::OrgId;
use wangjian_store::Cursor;

use super::cases::path_id;
use crate::auth::token::TokenScope;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::web::caller::Caller;

/// The routes (mounted under `/api/v1`).
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/notices", get(list_notices).post(send_notices))
        .route("/notices/queue", get(queue))
        .route("/notices/{id}", get(get_notice))
        .route("/notices/{id}/steps", post(notice_step))
        .route("/self-inspections", post(record_self_inspection))
        .route(
            "/platforms/{id}/self-inspections",
            get(list_self_inspections),
        )
        .route("/platforms/{id}/weekly", get(weekly))
        .route("/platforms/{id}/notice-metrics", get(metrics))
        .route("/platforms/{id}/notifiers", get(notifiers))
}

/// The OpenAPI part of these routes.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(send_notices, list_notices, get_notice, notice_step, queue, record_self_inspection,
        list_self_inspections, weekly, metrics, notifiers),
    components(schemas(SendRequest, SentReport, NoticePage, StepRequest)),
    tags((name = "notices", description = "Notice and takedown (通知—删除) and platforms' duties (自查自纠)"))
)]
pub struct NoticesDoc;

/// A notice to send: one platform, one or many listings (at most 10 000 per request).
#[derive(Debug, Deserialize, ToSchema)]
pub struct SendRequest {
    /// The platform organization's id.
    pub platform: Uuid,
    /// The listings' ids (one notice each).
    pub listings: Vec<Uuid>,
    /// The right infringed and the preliminary evidence (第四十二条).
    pub ground: String,
    /// The sender's open case.
    pub case: Option<Uuid>,
    /// The accepted complaint the notices are forwarded from.
    pub complaint: Option<Uuid>,
}

/// What was sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct SentReport {
    /// How many notices.
    pub count: usize,
    /// The notices' ids, in the order of `listings`.
    pub ids: Vec<Uuid>,
    /// The acknowledgement deadline they all share.
    pub due: Option<NaiveDate>,
    /// Whether it is provisional (a year whose holiday notice is not published).
    pub due_provisional: bool,
}

/// Sends notices to a platform, as an agency's officer or a rights holder's agent: all of
/// them or none, in one transaction.
#[utoipa::path(post, path = "/notices", tag = "notices", request_body = SendRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The notices sent", body = SentReport),
        (status = 400, description = "`invalid_input` naming `listings[i]` (no such listing, another platform's, twice), `platform`, `ground`", body = ErrorBody),
        (status = 403, description = "`forbidden`: you do not send notices", body = ErrorBody),
        (status = 422, description = "`rule_violation`: `listings[i]` has an open notice; the case is closed; the complaint is not accepted", body = ErrorBody)))]
pub async fn send_notices(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<SendRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<SentReport>), ApiError> {
    caller.require_scope(TokenScope::Write)?;
    caller.member()?;
    let Json(req) = body?;
    let sent = state
        .app()?
        .send_notices(
            &caller.call(),
            &SendNotices {
                platform: OrgId(req.platform),
                listings: req
                    .listings
                    .into_iter()
                    .map(wangjian_domain::ListingId)
                    .collect(),
                ground: req.ground,
                case: req.case.map(wangjian_domain::CaseId),
                complaint: req.complaint.map(wangjian_domain::complaint::ComplaintId),
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(SentReport {
            count: sent.len(),
            ids: sent.iter().map(|n| n.id.0).collect(),
            due: sent.first().and_then(|n| n.due),
            due_provisional: sent.first().is_some_and(|n| n.due_provisional),
        }),
    ))
}

/// Query of the notice list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct NoticeListQuery {
    /// Only this state (`sent`, `acknowledged`, `acted`, …).
    pub state: Option<String>,
    /// Cursor from the previous page.
    pub after: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<u32>,
}

/// One page of notices.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticePage {
    /// The notices (domain `Notice`).
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Notice>,
    /// Cursor of the next page, or null on the last.
    pub next: Option<String>,
}

fn parse_state(s: Option<&str>) -> Result<Option<NoticeState>, ApiError> {
    s.filter(|s| !s.is_empty())
        .map(|s| {
            NoticeState::parse(s)
                .ok_or_else(|| ApiError::invalid("state", format!("unknown state {s:?}")))
        })
        .transpose()
}

/// The notices the caller sent (agency, rights holder) or received (platform), newest
/// first.
#[utoipa::path(get, path = "/notices", tag = "notices", params(NoticeListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of notices", body = NoticePage),
        (status = 400, description = "`invalid_input` naming `state` or `after`", body = ErrorBody)))]
pub async fn list_notices(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<NoticeListQuery>,
) -> Result<Json<NoticePage>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let st = parse_state(q.state.as_deref())?;
    if let Some(a) = &q.after {
        Uuid::parse_str(a).map_err(|_| ApiError::invalid("after", "not a cursor of this list"))?;
    }
    let page = state
        .app()?
        .notices(
            &caller.call(),
            st,
            q.after.map(Cursor),
            q.limit.unwrap_or(50).clamp(1, 500),
        )
        .await?;
    Ok(Json(NoticePage {
        items: page.items,
        next: page.next.map(|c| c.0),
    }))
}

/// One notice with its state, clocks, measure, statement of reasons and declaration.
#[utoipa::path(get, path = "/notices/{id}", tag = "notices",
    params(("id" = String, Path, description = "Notice id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The notice (domain `Notice`)", body = Object),
        (status = 404, description = "`not_found`: unknown, or not yours to see", body = ErrorBody)))]
pub async fn get_notice(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Notice>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let n = state
        .app()?
        .visible_notice(&caller.call(), NoticeId(path_id(&id)?))
        .await?;
    Ok(Json(n))
}

/// One step on a notice.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StepRequest {
    /// `acknowledge`, `act`, `refuse`, `forward`, `object`, `forward_objection`,
    /// `escalate`, `restore`, `withdraw`.
    pub action: String,
    /// The notice version the caller saw; a different stored version answers 409.
    pub expected_version: Option<i64>,
    /// `act`: `removed`, `blocked`, `disconnected`, `shop_restricted`.
    pub measure: Option<String>,
    /// `act`, `refuse`, `restore`: `{ground: illegal|terms, legal_ground, facts,
    /// automated_detection, automated_decision, redress}`.
    #[schema(value_type = Option<Object>)]
    pub statement: Option<wangjian_domain::notice::StatementInput>,
    /// `object`: `{text, evidence: [..]}`.
    #[schema(value_type = Option<Object>)]
    pub declaration: Option<wangjian_domain::notice::Declaration>,
    /// `escalate`: the complaint's or lawsuit's reference.
    pub reference: Option<String>,
}

/// Takes one step on a notice, as the party the machine names (the platform for most;
/// the sender to withdraw; either to show a complaint or lawsuit).
#[utoipa::path(post, path = "/notices/{id}/steps", tag = "notices",
    params(("id" = String, Path, description = "Notice id")),
    request_body = StepRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The notice after the step", body = Object),
        (status = 400, description = "`invalid_input` naming `action`, `measure`, `statement.*`, `declaration.*`, `reference`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not your step (the other party's)", body = ErrorBody),
        (status = 404, description = "`not_found`: unknown, or not yours (another platform's)", body = ErrorBody),
        (status = 409, description = "`conflict`: `expected_version` is stale", body = ErrorBody),
        (status = 422, description = "`rule_violation`: out of order, the case is closed, or the 15-day period forbids it", body = ErrorBody)))]
pub async fn notice_step(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<StepRequest>, JsonRejection>,
) -> Result<Json<Notice>, ApiError> {
    caller.require_scope(TokenScope::Write)?;
    caller.member()?;
    let id = NoticeId(path_id(&id)?);
    let app = state.app()?;
    // Readable first: a stranger's body is never looked at.
    app.visible_notice(&caller.call(), id).await?;
    let Json(req) = body?;
    let action = NoticeAction::parse(req.action.trim()).ok_or_else(|| {
        ApiError::invalid(
            "action",
            format!("unknown step {:?} (acknowledge, act, refuse, forward, object, forward_objection, escalate, restore, withdraw)", req.action),
        )
    })?;
    let input = StepInput {
        measure: req.measure,
        statement: req.statement,
        declaration: req.declaration,
        reference: req.reference,
    };
    let n = app
        .notice_step(&caller.call(), id, action, &input, req.expected_version)
        .await?;
    Ok(Json(n))
}

/// The caller's platform queue: open notices awaiting its step, good-faith notifiers first,
/// then by due date.
#[utoipa::path(get, path = "/notices/queue", tag = "notices",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The queue (domain `Notice`s)", body = Vec<Object>),
        (status = 403, description = "`forbidden`: not a platform operator", body = ErrorBody)))]
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<Notice>>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    Ok(Json(state.app()?.notice_queue(&caller.call()).await?))
}

/// Records one of the caller's platform's own actions on a shop (自查自纠).
#[utoipa::path(post, path = "/self-inspections", tag = "notices",
    request_body(content = Object, description = "`{shop, action: warning|rectify|delist|close_shop, reason, listings: [id], rectify_by: date, referred: bool}`"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The record (domain `SelfInspection`)", body = Object),
        (status = 400, description = "`invalid_input` naming `action`, `shop`, `reason`, `rectify_by`, `listings[i]`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a platform operator", body = ErrorBody)))]
pub async fn record_self_inspection(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<InspectionInput>, JsonRejection>,
) -> Result<(StatusCode, Json<SelfInspection>), ApiError> {
    caller.require_scope(TokenScope::Write)?;
    caller.member()?;
    let Json(input) = body?;
    let r = state
        .app()?
        .record_self_inspection(&caller.call(), &input)
        .await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// A period of days, `from` and `to` inclusive (China's dates).
#[derive(Debug, Deserialize, IntoParams)]
pub struct PeriodQuery {
    /// First day (default: 27 days before `to`).
    pub from: Option<NaiveDate>,
    /// Last day (default: today).
    pub to: Option<NaiveDate>,
}

fn period(
    q: &PeriodQuery,
) -> Result<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>), ApiError> {
    let to =
        q.to.unwrap_or_else(|| wangjian_calendar::shanghai_date(chrono::Utc::now()));
    let from = q.from.unwrap_or(to - Duration::days(27));
    if from > to {
        return Err(ApiError::invalid("from", "after `to`"));
    }
    Ok((china_midnight(from), china_midnight(to) + Duration::days(1)))
}

/// A platform's self-inspection records in a period, newest first (every regulator; the
/// platform itself).
#[utoipa::path(get, path = "/platforms/{id}/self-inspections", tag = "notices",
    params(("id" = String, Path, description = "Platform id"), PeriodQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The records", body = Vec<Object>),
        (status = 404, description = "`not_found`", body = ErrorBody)))]
pub async fn list_self_inspections(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<Vec<SelfInspection>>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let (from, to) = period(&q)?;
    let platform = OrgId(path_id(&id)?);
    Ok(Json(
        state
            .app()?
            .self_inspections(&caller.call(), platform, from, to)
            .await?,
    ))
}

/// Query of the weekly figures.
#[derive(Debug, Deserialize, IntoParams)]
pub struct WeekQuery {
    /// ISO week, `2026-W49` (default: last week).
    pub week: Option<String>,
}

/// A platform's weekly figures (附件1; columns in `wangjian_app::notices::weekly`).
#[utoipa::path(get, path = "/platforms/{id}/weekly", tag = "notices",
    params(("id" = String, Path, description = "Platform id"), WeekQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The row", body = Object),
        (status = 400, description = "`invalid_input` naming `week` or `platform`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody)))]
pub async fn weekly(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<WeekQuery>,
) -> Result<Json<PlatformWeekly>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let week = match q.week.as_deref().filter(|w| !w.is_empty()) {
        Some(w) => IsoWeek::parse(w)?,
        None => IsoWeek::of(wangjian_calendar::shanghai_date(chrono::Utc::now())).previous(),
    };
    Ok(Json(
        state
            .app()?
            .platform_weekly(&caller.call(), OrgId(path_id(&id)?), week)
            .await?,
    ))
}

/// A platform's notice metrics for notices sent in a period.
#[utoipa::path(get, path = "/platforms/{id}/notice-metrics", tag = "notices",
    params(("id" = String, Path, description = "Platform id"), PeriodQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The metrics", body = Object),
        (status = 404, description = "`not_found`", body = ErrorBody)))]
pub async fn metrics(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<PlatformMetrics>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let (from, to) = period(&q)?;
    Ok(Json(
        state
            .app()?
            .platform_metrics(&caller.call(), OrgId(path_id(&id)?), from, to)
            .await?,
    ))
}

/// The reputation of every notifier of a platform (good faith, flagged).
#[utoipa::path(get, path = "/platforms/{id}/notifiers", tag = "notices",
    params(("id" = String, Path, description = "Platform id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One row per notifier", body = Vec<Object>),
        (status = 404, description = "`not_found`", body = ErrorBody)))]
pub async fn notifiers(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<Reputation>>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    Ok(Json(
        state
            .app()?
            .notifier_reputations(&caller.call(), OrgId(path_id(&id)?))
            .await?,
    ))
}
