//! The HTTP plumbing: the router with its layers (request ids, tracing, body limits,
//! security headers, panic catching, authentication, CSRF), and `serve` with graceful
//! shutdown.
//!
//! # Who may make the server read a body
//!
//! Bodies are read after the caller is known, and a caller's body is bounded by who they
//! are, before any extractor runs ([`limit_body_by_caller`], right after `authenticate`):
//! a caller not signed in may not send a body to the API at all (401 before a byte is
//! read: no API route takes the public's input), and elsewhere at most
//! [`ANONYMOUS_BODY_LIMIT`] (the sign-in, language and status look-up forms), except the
//! portal's submission, which checks its per-address limits before it reads anything
//! (`portal`). A route that takes a large body from a signed-in caller checks the token's
//! scope and the policy in a layer of its own before its extractor runs (the listing push,
//! `api::authorize_push`).

pub mod caller;
pub mod client;
pub mod cookies;
pub mod csrf;

use std::future::Future;
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use caller::{Caller, Via};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Content-Security-Policy: only our own scripts and styles, no framing, forms post only
/// to us. htmx is served from the binary, so no CDN needs allowing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The whole application.
pub fn router(state: AppState) -> Router {
    let limit = state.config().body_limit;
    let app = Router::new()
        .merge(crate::console::routes())
        .merge(crate::portal::routes())
        .nest("/api/v1", crate::api::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // Innermost first: CSRF and error pages need the caller, so authenticate wraps them.
        .layer(from_fn_with_state(state.clone(), csrf::check_csrf))
        .layer(from_fn(limit_body_by_caller))
        .layer(from_fn(html_errors))
        .layer(from_fn_with_state(state.clone(), caller::authenticate))
        .layer(DefaultBodyLimit::max(limit))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::new(ErrorCode::Internal).into_response()
        }))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request| {
                let id = req
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        // The server makes every request id itself: a client's would go into the audit
        // trail's request grouping and the logs unchecked.
        .layer(axum::middleware::map_request(drop_client_request_id));
    app.with_state(state)
}

/// Largest body of a caller not signed in, outside the portal's submission: the sign-in,
/// language and status look-up forms are a few hundred bytes.
pub const ANONYMOUS_BODY_LIMIT: usize = 64 * 1024;

/// True for the one request the public may send a large body to, the portal's
/// submission: its handler checks the per-address limits before it reads anything, so the
/// anonymous body limit does not apply.
fn checks_own_limits(req: &Request) -> bool {
    req.method() == Method::POST && req.uri().path() == "/portal/submit"
}

/// Bounds the body by who sends it (runs after `authenticate`, before CSRF and every
/// extractor): see the module's docs. Signed-in callers keep the routes' own limits.
pub async fn limit_body_by_caller(req: Request, next: Next) -> Response {
    let anonymous = req
        .extensions()
        .get::<Caller>()
        .is_none_or(|c| c.via == Via::Anonymous);
    if !anonymous || checks_own_limits(&req) {
        return next.run(req).await;
    }
    let method = req.method();
    let reads_body = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    if reads_body && req.uri().path().starts_with("/api/") {
        return ApiError::new(ErrorCode::Unauthenticated).into_response();
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > ANONYMOUS_BODY_LIMIT as u64) {
        return ApiError::new(ErrorCode::PayloadTooLarge).into_response();
    }
    // Without a length (chunked), the body stops at the limit as it is read; extractors
    // answer 413 for the error it yields.
    let req = req.map(|b| Body::new(http_body_util::Limited::new(b, ANONYMOUS_BODY_LIMIT)));
    next.run(req).await
}

async fn drop_client_request_id(mut req: Request) -> Request {
    req.headers_mut().remove(&REQUEST_ID);
    req
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(ErrorCode::MethodNotAllowed)
}

/// Browsers (outside `/api/`) get errors as pages, in their language; API clients get
/// the JSON body.
async fn html_errors(req: Request, next: Next) -> Response {
    let wants_html = !req.uri().path().starts_with("/api/")
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"));
    let caller = req.extensions().get::<Caller>().cloned();
    let resp = next.run(req).await;
    let is_json_error = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !wants_html
        || !is_json_error
        || !(resp.status().is_client_error() || resp.status().is_server_error())
    {
        return resp;
    }
    let Some(caller) = caller else {
        return resp;
    };
    let key = match resp.status() {
        StatusCode::NOT_FOUND => "error.not_found",
        StatusCode::FORBIDDEN => "error.csrf",
        s if s.is_server_error() => "error.internal",
        _ => return resp,
    };
    crate::console::error_page(&caller, resp.status(), key)
}

/// Serves `state` on `listener` until `shutdown` resolves, then finishes the requests in
/// flight (graceful shutdown). Meanwhile signs a tree head of the evidence log whenever it
/// has grown, every [`crate::ServerConfig::checkpoint_every`] (when the server has a log
/// key and a store), so the public `GET /api/v1/log/checkpoint` serves a fresh head
/// without ever signing on a request.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // A head for the log as it is at start, before the first request is accepted.
    sign_checkpoint_now(&state).await;
    let signer = tokio::spawn(sign_checkpoints(state.clone()));
    let served = axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    signer.abort();
    served
}

/// Signs a tree head when the log has grown past the newest (and the server has a key
/// and a store); failures are logged, never fatal.
async fn sign_checkpoint_now(state: &AppState) {
    if state.config().log_key.is_none() || state.directory().store().is_none() {
        return;
    }
    match crate::api::evidence::sign_if_grown(state).await {
        Ok(Some(size)) => tracing::info!(size, "signed a tree head of the evidence log"),
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "signing a tree head of the evidence log"),
    }
}

async fn sign_checkpoints(state: AppState) {
    // A zero period would make the interval panic: at most once a second.
    let every = state
        .config()
        .checkpoint_every
        .max(std::time::Duration::from_secs(1));
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        sign_checkpoint_now(&state).await;
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
