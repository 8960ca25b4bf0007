//! The HTTP plumbing: the router with its layers (request ids, tracing, body limits,
//! security headers, panic catching, authentication, CSRF), and `serve` with graceful
//! shutdown.

pub mod caller;
pub mod cookies;
pub mod csrf;

use std::future::Future;
use std::net::SocketAddr;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
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
use caller::Caller;

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
/// flight (graceful shutdown).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
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
