//! API tokens: made from a signed-in browser session (never by another token), shown
//! once, stored as SHA-256; a token revokes itself. Both go to the accounts' audit trail.

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
    /// Scopes. Only `read` until the store keeps scopes.
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
    if req.scopes.iter().any(|s| *s != TokenScope::Read) {
        return Err(ApiError::invalid(
            "scopes",
            "only read tokens can be made until the store keeps token scopes",
        ));
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
