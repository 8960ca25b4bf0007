//! Seized goods (涉案物品) over JSON: a case's items with their custody history, a new
//! seizure (a change to the case: the case's write rule), each handover of custody, and
//! destruction (无害化销毁) with its day, method, place and at least two witnesses. Every
//! step is an audit event and a custody entry in the evidence log (written by the store
//! in the same transaction). Behind the policy's `SeizedItem` resource: read with the
//! case; only the agency holding the goods records their custody.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use wangjian_domain::seized::SeizedItem;
use wangjian_domain::SeizedItemId;

use super::cases::path_id;
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
        .route("/cases/{id}/seized", get(list_seized).post(record_seizure))
        .route("/seized/{id}/handovers", post(hand_over))
        .route("/seized/{id}/destruction", post(destroy))
}

/// The OpenAPI part of these routes.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_seized, record_seizure, hand_over, destroy),
    components(schemas(NewSeizure, NewHandover, NewDestruction)),
    tags((name = "seized", description = "Seized goods (涉案物品): custody and destruction"))
)]
pub struct SeizedDoc;

/// Loads a seized item the caller may read (with its case), else the unknown id's 404.
pub(crate) async fn load_visible(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<(SeizedItem, Resource), ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::not_found())?;
    Ok(state
        .app()?
        .visible_seized(&caller.call(), SeizedItemId(id))
        .await?)
}

/// The goods seized in a case, each with its custody (`custody`, `handovers` in order)
/// and destruction record.
#[utoipa::path(get, path = "/cases/{id}/seized", tag = "seized",
    params(("id" = String, Path, description = "Case id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Its seized items (domain `SeizedItem`)", body = Vec<Object>),
        (status = 404, description = "`not_found`: unknown, or not yours to see", body = ErrorBody)))]
pub async fn list_seized(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<SeizedItem>>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let app = state.app()?;
    let (file, _) = app
        .visible_case(&caller.call(), CaseId(path_id(&id)?))
        .await?;
    Ok(Json(app.store().seized_items_of_case(file.case.id).await?))
}

/// A new seizure.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewSeizure {
    /// What (goods, mark, model).
    pub description: String,
    /// How many `unit`s (at least 1).
    pub quantity: u64,
    /// 件, 双, 箱, 千克 …
    pub unit: String,
    /// Where it is kept (公物仓 …).
    pub custody: String,
}

/// Records goods seized in a case, as a worker of the case's responsible agency.
#[utoipa::path(post, path = "/cases/{id}/seized", tag = "seized",
    params(("id" = String, Path, description = "Case id")),
    request_body = NewSeizure,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The item (domain `SeizedItem`)", body = Object),
        (status = 400, description = "`invalid_input` naming the field, or `malformed_json`", body = ErrorBody),
        (status = 403, description = "`forbidden`: you read the case but do not work it", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody)))]
pub async fn record_seizure(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<NewSeizure>, JsonRejection>,
) -> Result<(StatusCode, Json<SeizedItem>), ApiError> {
    caller.require_scope(TokenScope::Write)?;
    caller.member()?;
    let case = CaseId(path_id(&id)?);
    let app = state.app()?;
    app.writable_case(&caller.call(), case).await?;
    let Json(req) = body?;
    let item = app
        .record_seizure(
            &caller.call(),
            case,
            &req.description,
            req.quantity,
            &req.unit,
            &req.custody,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(item)))
}

/// A handover of custody.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewHandover {
    /// The item version the caller saw; a different stored version answers 409.
    pub expected_version: Option<i64>,
    /// Where the item is now (must be its current custody).
    pub from: String,
    /// Where it goes (公物仓, a testing lab, the police).
    pub to: String,
    /// The handover document number.
    #[serde(default)]
    pub note: String,
}

/// Loads the item for a custody command: readable (else 404), held by the caller's
/// agency (else 403). Called before the body is read, so a stranger learns nothing from
/// it.
async fn load_for_custody(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<SeizedItem, ApiError> {
    caller.require_scope(TokenScope::Write)?;
    caller.member()?;
    let (item, res) = load_visible(state, caller, id).await?;
    decide(&caller.principal, Action::Write, &res).into_result()?;
    Ok(item)
}

/// Records a handover of custody, as a worker of the agency holding the item.
#[utoipa::path(post, path = "/seized/{id}/handovers", tag = "seized",
    params(("id" = String, Path, description = "Seized item id")),
    request_body = NewHandover,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The item after the handover", body = Object),
        (status = 400, description = "`invalid_input` naming `from` or `to`", body = ErrorBody),
        (status = 403, description = "`forbidden`: your agency does not hold it", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`conflict`: changed by someone else", body = ErrorBody),
        (status = 422, description = "`rule_violation`: already destroyed", body = ErrorBody)))]
pub async fn hand_over(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<NewHandover>, JsonRejection>,
) -> Result<Json<SeizedItem>, ApiError> {
    let item = load_for_custody(&state, &caller, &id).await?;
    let Json(req) = body?;
    Ok(Json(
        state
            .app()?
            .hand_over(
                &caller.call(),
                item.id,
                req.expected_version,
                &req.from,
                &req.to,
                &req.note,
            )
            .await?,
    ))
}

/// A destruction record (无害化销毁).
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewDestruction {
    /// The item version the caller saw; a different stored version answers 409.
    pub expected_version: Option<i64>,
    /// The day destroyed (not in the future, Beijing time).
    pub on: NaiveDate,
    /// How (焚烧, 粉碎, by a licensed hazardous-waste unit …).
    pub method: String,
    /// Where.
    pub place: String,
    /// The witnesses' names, at least two different ones.
    pub witnesses: Vec<String>,
}

/// Records the destruction of a seized item, as a worker of the agency holding it.
#[utoipa::path(post, path = "/seized/{id}/destruction", tag = "seized",
    params(("id" = String, Path, description = "Seized item id")),
    request_body = NewDestruction,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The item with its destruction record", body = Object),
        (status = 400, description = "`invalid_input` naming `on`, `method`, `place` or `witnesses`", body = ErrorBody),
        (status = 403, description = "`forbidden`: your agency does not hold it", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`conflict`: changed by someone else", body = ErrorBody),
        (status = 422, description = "`rule_violation`: already destroyed", body = ErrorBody)))]
pub async fn destroy(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<NewDestruction>, JsonRejection>,
) -> Result<Json<SeizedItem>, ApiError> {
    let item = load_for_custody(&state, &caller, &id).await?;
    let Json(req) = body?;
    Ok(Json(
        state
            .app()?
            .destroy(
                &caller.call(),
                item.id,
                req.expected_version,
                &wangjian_app::workflow::seized::NewDestruction {
                    on: req.on,
                    method: req.method,
                    place: req.place,
                    witnesses: req.witnesses,
                },
            )
            .await?,
    ))
}
