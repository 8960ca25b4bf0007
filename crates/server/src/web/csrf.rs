//! CSRF protection for every state-changing request, in one middleware.
//!
//! A request with a method other than GET, HEAD or OPTIONS must carry the caller's CSRF
//! token — in the `x-csrf-token` header (htmx sends it from the page's `hx-headers`) or in
//! the `_csrf` field of a url-encoded form — unless it is authenticated by a bearer token
//! (no ambient credential a third-party page could borrow). Signed-in callers carry their
//! session's synchronizer token; callers not signed in (the login form, the portal) carry
//! the value of their pre-session cookie (double submit). On top of that, every cookie is
//! SameSite=Strict.
//!
//! A double-submit cookie alone proves little: whoever can plant a cookie (a sibling
//! subdomain, a man in the middle of plain HTTP) or simply sends one of their choosing
//! with a matching field passes. So the pre-session token is **signed** by the server
//! ([`crate::auth::presession::PresessionKey`]: a random nonce and its HMAC-SHA-256 under
//! a key the server draws at start), and a cookie the server did not make is treated as no
//! cookie at all.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::secret::same;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use crate::web::caller::{Caller, Via};

/// The form field that carries the token.
pub const FIELD: &str = "_csrf";
/// The header that carries the token.
pub const HEADER: &str = "x-csrf-token";

fn safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The middleware (runs after `authenticate`).
pub async fn check_csrf(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if safe(req.method()) {
        return next.run(req).await;
    }
    let Some(caller) = req.extensions().get::<Caller>().cloned() else {
        return ApiError::internal(&"csrf before authenticate").into_response();
    };
    if matches!(caller.via, Via::Token { .. }) {
        return next.run(req).await;
    }
    let mismatch = || ApiError::new(ErrorCode::CsrfMismatch).into_response();
    if caller.csrf.is_empty() {
        return mismatch();
    }
    if let Some(h) = req.headers().get(HEADER) {
        return match h.to_str() {
            Ok(v) if same(v, &caller.csrf) => next.run(req).await,
            _ => mismatch(),
        };
    }
    // The portal's multipart form: its handler checks the `_csrf` part first.
    if checks_own_csrf(&req) {
        return next.run(req).await;
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return mismatch();
    }
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, state.config().body_limit).await {
        Ok(b) => b,
        Err(_) => return ApiError::new(ErrorCode::PayloadTooLarge).into_response(),
    };
    let token = form_urlencoded_field(&bytes, FIELD);
    match token {
        Some(t) if same(&t, &caller.csrf) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => mismatch(),
    }
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// True for the one request whose handler checks the CSRF token itself: a
/// `multipart/form-data` POST to `/portal/submit` (the middleware cannot read a field of a
/// multipart body without buffering it whole).
pub(crate) fn checks_own_csrf(req: &axum::extract::Request) -> bool {
    req.method() == axum::http::Method::POST
        && req.uri().path() == "/portal/submit"
        && req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"))
}
