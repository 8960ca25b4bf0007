//! `/api/v1/cases`: lists filtered by the policy's scope in the store's query, details
//! behind the policy (hidden answers as unknown), and case transitions through the state
//! machine. Leads are in `leads.rs`.

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use wangjian_domain::{CaseCommand, CaseFile, CaseId, CaseState};
use wangjian_store::{CaseQuery, Cursor};

use crate::auth::token::TokenScope;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::web::caller::Caller;

/// An id from the path: a malformed one is as unknown as a missing one.
pub(crate) fn path_id(s: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(s).map_err(|_| ApiError::not_found())
}

/// Query of the case list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct CaseListQuery {
    /// Only this state (`verifying`, `opened`, …).
    pub state: Option<String>,
    /// Only cases assigned to this officer.
    pub officer: Option<Uuid>,
    /// Include declined, closed and terminated cases.
    pub include_final: Option<bool>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<u32>,
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CasePage {
    /// The cases (domain `Case` objects).
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<wangjian_domain::Case>,
    /// Cursor of the next page, or null on the last.
    pub next: Option<String>,
}

/// Cases the caller may see.
#[utoipa::path(get, path = "/cases", tag = "cases", params(CaseListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of cases", body = CasePage),
        (status = 400, description = "`invalid_input`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody)))]
pub async fn list_cases(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CaseListQuery>,
) -> Result<Json<CasePage>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let store = state.store()?;
    let state_filter = q
        .state
        .as_deref()
        .map(|s| {
            CaseState::ALL
                .into_iter()
                .find(|c| c.as_str() == s)
                .ok_or_else(|| ApiError::invalid("state", format!("unknown state {s:?}")))
        })
        .transpose()?;
    let Some(scope) = state.app()?.case_list_scope(&caller.call()) else {
        return Ok(Json(CasePage {
            items: vec![],
            next: None,
        }));
    };
    if let Some(a) = &q.after {
        Uuid::parse_str(a).map_err(|_| ApiError::invalid("after", "not a cursor of this list"))?;
    }
    let page = store
        .cases(&CaseQuery {
            scope,
            state: state_filter,
            officer: q.officer.map(wangjian_domain::UserId),
            include_final: q.include_final.unwrap_or(false),
            after: q.after.map(Cursor),
            limit: q.limit.unwrap_or(50).clamp(1, 500),
        })
        .await?;
    Ok(Json(CasePage {
        items: page.items,
        next: page.next.map(|c| c.0),
    }))
}

/// A case with what the caller may do next.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetail {
    /// The case file: case, deadlines, transfer orders, lead links.
    #[schema(value_type = Object)]
    pub file: CaseFile,
    /// The actions the caller may take now (allowed from this state and by the policy).
    pub allowed_actions: Vec<String>,
}

/// One case.
#[utoipa::path(get, path = "/cases/{id}", tag = "cases",
    params(("id" = String, Path, description = "Case id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The case", body = CaseDetail),
        (status = 404, description = "`not_found`: unknown, or not yours to see", body = ErrorBody)))]
pub async fn get_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<CaseDetail>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    caller.member()?;
    let d = state
        .app()?
        .case_detail(&caller.call(), CaseId(path_id(&id)?))
        .await?;
    Ok(Json(CaseDetail {
        file: d.file,
        allowed_actions: d.allowed_actions,
    }))
}

/// A command on a case.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TransitionRequest {
    /// The case version the caller saw; a different stored version answers 409.
    pub expected_version: Option<i64>,
    /// The command: `{"action": "start_verification", "verifier": "…"}`, …
    #[schema(value_type = Object)]
    pub command: CaseCommand,
}

/// Moves a case through its state machine.
#[utoipa::path(post, path = "/cases/{id}/transitions", tag = "cases",
    params(("id" = String, Path, description = "Case id")),
    request_body = TransitionRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The case after the command", body = CaseDetail),
        (status = 403, description = "`forbidden`: you see the case but may not do this", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`conflict`: changed by someone else", body = ErrorBody),
        (status = 422, description = "`rule_violation`: not allowed from this state", body = ErrorBody)))]
pub async fn transition_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<TransitionRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<CaseDetail>, ApiError> {
    let Json(req) = body?;
    run_transition(&state, &caller, &id, req.expected_version, &req.command).await?;
    get_case(State(state), caller, Path(id)).await
}

/// Runs one command on a case for the caller (the API's and the console's one path):
/// write scope, then the use case (visibility, policy, expected version, state machine).
pub(crate) async fn run_transition(
    state: &AppState,
    caller: &Caller,
    id: &str,
    expected_version: Option<i64>,
    command: &CaseCommand,
) -> Result<(), ApiError> {
    caller.require_scope(TokenScope::Write)?;
    caller.member()?;
    state
        .app()?
        .transition(
            &caller.call(),
            CaseId(path_id(id)?),
            expected_version,
            command,
        )
        .await?;
    Ok(())
}
