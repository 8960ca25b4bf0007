//! The error catalog: every error the server answers with has a stable code, one HTTP
//! status and one meaning, listed once here (as Meilisearch and TiKV do). Clients match on
//! `code`, never on `message`; a code, once published, keeps its meaning.
//!
//! The body is always `{"error":{"code","message","field"}}`; `field` names the input
//! field at fault, or is `null`.
//!
//! Unknown ids and ids the caller may not see answer alike: [`ErrorCode::NotFound`], with
//! the same message, so that no one can learn that an object exists by probing ids.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One entry of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The request body or a parameter is malformed or fails validation.
    InvalidInput,
    /// The body is not valid JSON or does not have the expected shape.
    MalformedJson,
    /// The body is larger than the route accepts.
    PayloadTooLarge,
    /// The content type is not one the route accepts.
    UnsupportedMediaType,
    /// No credentials, or expired ones: sign in or send a bearer token.
    Unauthenticated,
    /// Wrong user name or password (the same answer for both).
    BadCredentials,
    /// The bearer token is unknown, revoked or expired.
    InvalidToken,
    /// The token is valid but lacks the scope this route needs.
    InsufficientScope,
    /// The form's CSRF token is missing or does not match the session.
    CsrfMismatch,
    /// The caller can see the object but may not do this to it.
    Forbidden,
    /// No such object, or one the caller may not see (the two answer alike).
    NotFound,
    /// The method is not allowed on this route.
    MethodNotAllowed,
    /// Someone else changed the object first (optimistic version), or a duplicate.
    Conflict,
    /// Too many attempts: wait for the time in `Retry-After`.
    RateLimited,
    /// The command is well-formed but the rules forbid it now (illegal transition, guard).
    RuleViolation,
    /// A feature of the server that is not available in this build or configuration.
    NotAvailable,
    /// A fault of the server; the request id in the log explains it.
    Internal,
    /// The database is unreachable or overloaded; retry later.
    Unavailable,
}

impl ErrorCode {
    /// Every code, in catalog order (docs, tests).
    pub const ALL: [ErrorCode; 18] = [
        Self::InvalidInput,
        Self::MalformedJson,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::Unauthenticated,
        Self::BadCredentials,
        Self::InvalidToken,
        Self::InsufficientScope,
        Self::CsrfMismatch,
        Self::Forbidden,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::Conflict,
        Self::RateLimited,
        Self::RuleViolation,
        Self::NotAvailable,
        Self::Internal,
        Self::Unavailable,
    ];

    /// The stable string clients match on.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidInput => "invalid_input",
            Self::MalformedJson => "malformed_json",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::Unauthenticated => "unauthenticated",
            Self::BadCredentials => "bad_credentials",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
            Self::CsrfMismatch => "csrf_mismatch",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Conflict => "conflict",
            Self::RateLimited => "rate_limited",
            Self::RuleViolation => "rule_violation",
            Self::NotAvailable => "not_available",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
        }
    }

    /// The HTTP status it is answered with.
    pub fn status(self) -> StatusCode {
        match self {
            Self::InvalidInput | Self::MalformedJson => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unauthenticated | Self::BadCredentials | Self::InvalidToken => {
                StatusCode::UNAUTHORIZED
            }
            Self::InsufficientScope | Self::CsrfMismatch | Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict => StatusCode::CONFLICT,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::RuleViolation => StatusCode::UNPROCESSABLE_ENTITY,
            Self::NotAvailable => StatusCode::NOT_IMPLEMENTED,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// What it means and what to do, for the catalog page and the OpenAPI description.
    pub fn meaning(self) -> &'static str {
        match self {
            Self::InvalidInput => "A parameter or field fails validation; `field` names it.",
            Self::MalformedJson => "The body is not JSON of the expected shape; fix the body.",
            Self::PayloadTooLarge => "The body exceeds the route's limit; send less per request.",
            Self::UnsupportedMediaType => "Send the content type the route documents.",
            Self::Unauthenticated => "Sign in, or send `Authorization: Bearer <token>`.",
            Self::BadCredentials => "The user name or password is wrong.",
            Self::InvalidToken => "The token is unknown, revoked or expired; ask for a new one.",
            Self::InsufficientScope => "The token lacks the scope this route needs.",
            Self::CsrfMismatch => "Reload the page and submit the form again.",
            Self::Forbidden => "You may see this object but not do this to it.",
            Self::NotFound => "No such object, or not one you may see.",
            Self::MethodNotAllowed => "Use a method the route documents.",
            Self::Conflict => "Someone changed it first; reload and apply your change again.",
            Self::RateLimited => "Too many attempts; wait for `Retry-After` seconds.",
            Self::RuleViolation => "The rules forbid this now; the message says why.",
            Self::NotAvailable => "Not available in this build or configuration.",
            Self::Internal => "A server fault; report the request id.",
            Self::Unavailable => {
                "The database, or the evidence log's signing key, is unavailable; the message says which."
            }
        }
    }

    /// The default message, when the caller has nothing more specific to say.
    pub fn default_message(self) -> &'static str {
        match self {
            Self::InvalidInput => "invalid input",
            Self::MalformedJson => "the body is not valid JSON of the expected shape",
            Self::PayloadTooLarge => "the request body is too large",
            Self::UnsupportedMediaType => "unsupported content type",
            Self::Unauthenticated => "sign in first",
            Self::BadCredentials => "wrong user name or password",
            Self::InvalidToken => "the token is unknown, revoked or expired",
            Self::InsufficientScope => "the token lacks the scope this needs",
            Self::CsrfMismatch => "the form has expired; reload the page and try again",
            Self::Forbidden => "you may not do this",
            Self::NotFound => "not found",
            Self::MethodNotAllowed => "method not allowed",
            Self::Conflict => "changed by someone else; reload and try again",
            Self::RateLimited => "too many attempts; try again later",
            Self::RuleViolation => "not allowed by the rules now",
            Self::NotAvailable => "not available",
            Self::Internal => "internal error",
            Self::Unavailable => "the service is unavailable; try again later",
        }
    }
}

/// An error answered to a client. Build it from a code; add a message or field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", code.as_str())]
pub struct ApiError {
    /// Catalog entry.
    pub code: ErrorCode,
    /// A sentence for a person.
    pub message: String,
    /// The input field at fault.
    pub field: Option<String>,
    /// Seconds to wait, for [`ErrorCode::RateLimited`].
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// The error with its default message.
    pub fn new(code: ErrorCode) -> Self {
        Self {
            code,
            message: code.default_message().to_string(),
            field: None,
            retry_after: None,
        }
    }

    /// The error with a specific message.
    pub fn with_message(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            ..Self::new(code)
        }
    }

    /// An invalid field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.to_string()),
            ..Self::with_message(ErrorCode::InvalidInput, message)
        }
    }

    /// The answer for unknown and forbidden ids alike.
    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound)
    }

    /// A server fault. The cause goes to the log, never to the client.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(ErrorCode::Internal)
    }

    /// Rate limited for `seconds`.
    pub fn rate_limited(seconds: u64) -> Self {
        Self {
            retry_after: Some(seconds.max(1)),
            ..Self::new(ErrorCode::RateLimited)
        }
    }
}

/// The JSON body of an error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// The inside of [`ErrorBody`].
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable code from the catalog (`not_found`, `invalid_input`, …).
    pub code: &'static str,
    /// A sentence for a person.
    pub message: String,
    /// The input field at fault, or null.
    pub field: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.as_str(),
                message: self.message,
                field: self.field,
            },
        };
        let mut resp = (self.code.status(), axum::Json(body)).into_response();
        if let Some(s) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        if self.code.status() == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"wangjian\""),
            );
        }
        resp
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(r: axum::extract::rejection::JsonRejection) -> Self {
        use axum::extract::rejection::JsonRejection as J;
        match r {
            J::MissingJsonContentType(_) => Self::with_message(
                ErrorCode::UnsupportedMediaType,
                "send the body with Content-Type: application/json",
            ),
            J::BytesRejection(b) if b.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Self::new(ErrorCode::PayloadTooLarge)
            }
            other => Self::with_message(ErrorCode::MalformedJson, other.body_text()),
        }
    }
}

impl From<wangjian_store::StoreError> for ApiError {
    fn from(e: wangjian_store::StoreError) -> Self {
        use wangjian_domain::case::CaseError as C;
        use wangjian_store::StoreError as S;
        match e {
            S::NotFound { .. } => Self::not_found(),
            // Which table and row lost the race is for the log, not the client: the
            // message names neither (they would map the schema and the ids of objects the
            // caller may not see).
            S::Conflict { .. } | S::Duplicate(_) => {
                tracing::info!(error = %e, "conflict");
                Self::new(ErrorCode::Conflict)
            }
            S::Case(C::Missing { field, .. }) => Self {
                field: Some(field.to_string()),
                ..Self::with_message(ErrorCode::InvalidInput, e.to_string())
            },
            S::Case(C::Denied(d)) => Self::with_message(ErrorCode::Forbidden, d.to_string()),
            S::Case(C::IllegalTransition { .. } | C::Guard { .. } | C::Deadline(_)) => {
                Self::with_message(ErrorCode::RuleViolation, e.to_string())
            }
            S::Database(_) => {
                tracing::error!(error = %e, "database");
                Self::new(ErrorCode::Unavailable)
            }
            other => Self::internal(&other),
        }
    }
}

impl From<wangjian_app::AppError> for ApiError {
    fn from(e: wangjian_app::AppError) -> Self {
        use wangjian_app::AppError as A;
        match e {
            A::NotFound => Self::not_found(),
            A::Forbidden(why) => Self::with_message(ErrorCode::Forbidden, why),
            A::Invalid { field, message } => Self::invalid(&field, message),
            A::RuleViolation(why) => Self::with_message(ErrorCode::RuleViolation, why),
            A::Conflict => Self::new(ErrorCode::Conflict),
            A::Store(s) => Self::from(s),
            A::Item { field, error } => Self {
                field: Some(field),
                ..Self::from(*error)
            },
            A::Unavailable(why) => Self::internal(&why),
        }
    }
}

/// The catalog as a Markdown table (for docs; a test keeps it complete).
pub fn catalog_markdown() -> String {
    let mut s = String::from("| code | status | meaning |\n|---|---|---|\n");
    for c in ErrorCode::ALL {
        s.push_str(&format!(
            "| `{}` | {} | {} |\n",
            c.as_str(),
            c.status().as_u16(),
            c.meaning()
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_snake_case_and_4xx_or_5xx() {
        let mut seen = HashSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c.as_str()), "duplicate code {}", c.as_str());
            assert!(c
                .as_str()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'));
            assert!(c.status().is_client_error() || c.status().is_server_error());
            assert!(!c.meaning().is_empty() && !c.default_message().is_empty());
        }
        assert_eq!(catalog_markdown().lines().count(), ErrorCode::ALL.len() + 2);
    }

    #[test]
    fn the_readme_lists_the_catalog() {
        let readme = include_str!("../README.md");
        assert!(
            readme.contains(&catalog_markdown()),
            "crates/server/README.md: replace the catalog table with\n{}",
            catalog_markdown()
        );
    }

    /// Regression (issue 15, finding 8): conflict errors carried the store's message,
    /// which names the table and the row's id.
    #[test]
    fn conflicts_name_no_table_and_no_id() {
        let id = "0192f1c4-7f7e-7a1b-9c3d-2e4f5a6b7c8d";
        for e in [
            wangjian_store::StoreError::Conflict {
                table: "seized_items",
                id: id.to_string(),
                expected: 3,
            },
            wangjian_store::StoreError::Duplicate(format!("audit event {id}")),
        ] {
            let a = ApiError::from(e);
            assert_eq!(a.code, ErrorCode::Conflict);
            assert_eq!(a.message, ErrorCode::Conflict.default_message());
            assert!(!a.message.contains(id) && !a.message.contains("seized_items"));
        }
    }

    #[tokio::test]
    async fn body_shape_and_headers() {
        use http_body_util::BodyExt;
        let resp = ApiError::invalid("title", "title is empty").into_response();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"error":{"code":"invalid_input","message":"title is empty","field":"title"}})
        );
        let resp = ApiError::rate_limited(30).into_response();
        assert_eq!(resp.headers()[header::RETRY_AFTER], "30");
        let resp = ApiError::new(ErrorCode::Unauthenticated).into_response();
        assert!(resp.headers().contains_key(header::WWW_AUTHENTICATE));
    }
}
