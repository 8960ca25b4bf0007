//! API tokens: made from a signed-in browser session (never by another token), shown
//! once, stored as SHA-256 with their scopes (`read`, `write`, `ingest`); a user lists and
//! revokes their own, and a token revokes itself. Making and revoking go to the accounts'
//! audit trail. A scope never widens what the user may do: the policy still decides.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::token::{mint, TokenScope};
use crate::directory::{SecurityAction, SecurityEvent};
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::state::AppState;
use crate::web::caller::{Caller, Via};

/// What to make.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewTokenRequest {
    /// What it is for ("nightly listing push"), 1–100 characters.
    pub name: String,
    /// Scopes: `read`, `write` (case and lead actions), `ingest` (push listings).
    pub scopes: Vec<TokenScope>,
    /// Days until it expires, 1–366 (default 90).
    pub expires_in_days: Option<u32>,
}

/// The new token: `secret` is shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewTokenResponse {
    /// Id (to recognize it later).
    pub id: uuid::Uuid,
    /// `wjt_…`: send it as `Authorization: Bearer …`. It cannot be shown again.
    pub secret: String,
    /// Name.
    pub name: String,
    /// Scopes.
    pub scopes: Vec<TokenScope>,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
}

fn event(caller: &Caller, action: SecurityAction) -> SecurityEvent {
    let (user, org) = match caller.member() {
        Ok(m) => (Some(m.actor.user), Some(m.actor.org)),
        Err(_) => (None, None),
    };
    SecurityEvent {
        at: Utc::now(),
        action,
        user,
        org,
        login: caller.user_name.clone().unwrap_or_default(),
        ip: Some(caller.ip),
        request_id: caller.request_id.clone(),
    }
}

/// Makes an API token for the signed-in user and organization.
#[utoipa::path(post, path = "/tokens", tag = "accounts",
    request_body = NewTokenRequest,
    responses(
        (status = 201, description = "Made; the secret is in the body, once", body = NewTokenResponse),
        (status = 400, description = "`invalid_input`", body = ErrorBody),
        (status = 403, description = "`forbidden` when called with a token; `csrf_mismatch`", body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<NewTokenRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<NewTokenResponse>), ApiError> {
    let m = caller.member()?.clone();
    if !matches!(caller.via, Via::Session { .. }) {
        return Err(ApiError::with_message(
            ErrorCode::Forbidden,
            "tokens are made from a signed-in session, not with another token",
        ));
    }
    let Json(req) = body?;
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::invalid("name", "a name of 1 to 100 characters"));
    }
    if req.scopes.is_empty() {
        return Err(ApiError::invalid("scopes", "at least one scope"));
    }
    let days = req.expires_in_days.unwrap_or(90);
    if !(1..=366).contains(&days) {
        return Err(ApiError::invalid(
            "expires_in_days",
            "between 1 and 366 days",
        ));
    }
    let now = Utc::now();
    let expires_at = now + Duration::days(i64::from(days));
    let t = mint(
        m.actor.user,
        m.actor.org,
        name,
        &req.scopes,
        Some(expires_at),
        now,
    )
    .map_err(|e| ApiError::internal(&e))?;
    state
        .directory()
        .put_token(&t.record)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let _ = state
        .directory()
        .record(event(&caller, SecurityAction::TokenCreated))
        .await;
    Ok((
        StatusCode::CREATED,
        Json(NewTokenResponse {
            id: t.record.id,
            secret: t.secret,
            name: t.record.name,
            scopes: t.record.scopes,
            expires_at,
        }),
    ))
}

/// Revokes the token this request is made with.
#[utoipa::path(delete, path = "/tokens/current", tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "`invalid_token`", body = ErrorBody),
        (status = 403, description = "`forbidden` when not called with a token", body = ErrorBody)))]
pub async fn revoke_current_token(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    let Via::Token { id, .. } = caller.via else {
        return Err(ApiError::with_message(
            ErrorCode::Forbidden,
            "call this with the token to revoke",
        ));
    };
    state
        .directory()
        .revoke_token(id, Utc::now())
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let _ = state
        .directory()
        .record(event(&caller, SecurityAction::TokenRevoked))
        .await;
    Ok(StatusCode::NO_CONTENT)
}

/// A token as its owner sees it (never the secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenInfo {
    /// Id.
    pub id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// Scopes.
    pub scopes: Vec<TokenScope>,
    /// Made at.
    pub created_at: DateTime<Utc>,
    /// Expiry.
    pub expires_at: Option<DateTime<Utc>>,
    /// Revoked at.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The caller's tokens for the organization acted for, newest first.
#[utoipa::path(get, path = "/tokens", tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The tokens (no secrets)", body = Vec<TokenInfo>),
        (status = 401, description = "`unauthenticated`", body = ErrorBody)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<TokenInfo>>, ApiError> {
    caller.require_scope(TokenScope::Read)?;
    let m = caller.member()?;
    let list = state
        .directory()
        .tokens_of(m.actor.user, m.actor.org)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    Ok(Json(
        list.into_iter()
            .map(|t| TokenInfo {
                id: t.id,
                name: t.name,
                scopes: t.scopes,
                created_at: t.created_at,
                expires_at: t.expires_at,
                revoked_at: t.revoked_at,
            })
            .collect(),
    ))
}

/// Revokes one of the caller's tokens by id. Another user's token, or an unknown id,
/// answers 404 alike.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "accounts",
    params(("id" = String, Path, description = "Token id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked (or already revoked)"),
        (status = 404, description = "`not_found`", body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_scope(TokenScope::Write)?;
    let m = caller.member()?;
    let id = uuid::Uuid::parse_str(&id).map_err(|_| ApiError::not_found())?;
    let mine = state
        .directory()
        .tokens_of(m.actor.user, m.actor.org)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    if !mine.iter().any(|t| t.id == id) {
        return Err(ApiError::not_found());
    }
    let live = state
        .directory()
        .revoke_token(id, Utc::now())
        .await
        .map_err(|e| ApiError::internal(&e))?;
    if live {
        let _ = state
            .directory()
            .record(event(&caller, SecurityAction::TokenRevoked))
            .await;
    }
    Ok(StatusCode::NO_CONTENT)
}
