//! `/api/v1/cases`: lists filtered by the policy's scope in the store's query, details
//! behind the policy (hidden answers as unknown), and case transitions through the state
//! machine. Leads are in `leads.rs`.

use axum::extract::{Path, Query, State};
use axum::Json;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use wangjian_domain::case::Env;
use wangjian_domain::transfer::TransferStatus;
use wangjian_domain::{
    CaseCommand, CaseFile, CaseId, CaseState, Context, RequestId, RuleSet, TRANSITIONS,
};
use wangjian_store::{CaseQuery, Cursor, Store};

use crate::auth::token::TokenScope;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::policy::{decide, list_scope, Action, CaseFacts, Party, Resource, ResourceKind, Scope};
use crate::state::AppState;
use crate::web::caller::Caller;

pub(crate) fn store(state: &AppState) -> Result<&Store, ApiError> {
    state.directory().store().ok_or_else(|| {
        ApiError::with_message(
            ErrorCode::NotAvailable,
            "no database is attached to this server",
        )
    })
}

/// An id from the path: a malformed one is as unknown as a missing one.
fn path_id(s: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(s).map_err(|_| ApiError::not_found())
}

/// The policy's view of a stored case.
pub(crate) async fn case_facts(store: &Store, file: &CaseFile) -> Result<CaseFacts, ApiError> {
    let c = &file.case;
    let summary = store.case_summary(c.id).await?;
    let originating_region = match store.organization(c.originating_org).await? {
        Some(o) => o.region,
        None => summary.region.clone(),
    };
    Ok(CaseFacts {
        view: c.view(),
        originating_org: c.originating_org,
        region: summary.region,
        originating_region,
        // The store keeps no sharing lists yet.
        shared_with: vec![],
        transferred_to: file
            .transfers
            .iter()
            .filter(|t| t.status != TransferStatus::Refused)
            .map(|t| t.to_org)
            .collect(),
    })
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

/// The store query for `scope`, or `None` when the scope admits no case. Only the
/// store's two case scopes exist so far (responsible agency, region); a wider policy
/// scope is narrowed to them, never widened.
pub(crate) fn case_scope(scope: &Scope) -> Option<wangjian_store::Scope> {
    match scope {
        Scope::Parties { org, parties } if parties.contains(&Party::Responsible) => {
            Some(wangjian_store::Scope::Org(*org))
        }
        Scope::Region(r) => Some(wangjian_store::Scope::Region(r.clone())),
        _ => None,
    }
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
    let store = store(&state)?;
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
    let Some(scope) = case_scope(&list_scope(&caller.principal, ResourceKind::Case)) else {
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

pub(crate) async fn load_visible_case(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<(CaseFile, CaseFacts), ApiError> {
    let store = store(state)?;
    let file = store.case_file(CaseId(path_id(id)?)).await?;
    let facts = case_facts(store, &file).await?;
    decide(
        &caller.principal,
        Action::Read,
        &Resource::Case(facts.clone()),
    )
    .into_result()?;
    Ok((file, facts))
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
    let (file, facts) = load_visible_case(&state, &caller, &id).await?;
    let res = Resource::Case(facts);
    let allowed_actions = TRANSITIONS
        .iter()
        .filter(|t| t.from.contains(&file.case.state))
        .filter(|t| decide(&caller.principal, Action::Transition(t.action), &res).is_allow())
        .map(|t| t.action.as_str().to_string())
        .collect();
    Ok(Json(CaseDetail {
        file,
        allowed_actions,
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

/// Checks and runs one command on a case for the caller (the API's and the console's
/// one path): write scope, visibility (404 as unknown), the policy, the expected version,
/// then the state machine in the store.
pub(crate) async fn run_transition(
    state: &AppState,
    caller: &Caller,
    id: &str,
    expected_version: Option<i64>,
    command: &CaseCommand,
) -> Result<(), ApiError> {
    caller.require_scope(TokenScope::Write)?;
    let member = caller.member()?.clone();
    let (file, facts) = load_visible_case(state, caller, id).await?;
    decide(
        &caller.principal,
        Action::Transition(command.action()),
        &Resource::Case(facts),
    )
    .into_result()?;
    if expected_version.is_some_and(|v| v != file.case.version) {
        return Err(ApiError::new(ErrorCode::Conflict));
    }
    let rules = RuleSet::defaults().map_err(|e| ApiError::internal(&e))?;
    let cal = state.calendar().await?;
    let env = Env {
        rules,
        overrides: &[],
        calendar: &cal,
    };
    let request = Uuid::parse_str(&caller.request_id).unwrap_or_else(|_| Uuid::now_v7());
    let ctx = Context::new_v7(RequestId(request), Utc::now(), 64);
    store(state)?
        .run_case_command(file.case.id, &member.actor, command, env, &ctx)
        .await?;
    Ok(())
}
