//! The wangjian server: the JSON API (`/api/v1`), accounts and sessions, the officers'
//! web console and the public portal, on axum and tokio — an adapter over the use cases of
//! `wangjian-app`.
//!
//! # What it is for
//!
//! Wiring: it turns HTTP requests into calls of the use cases (`wangjian-app`: intake,
//! workflow commands, the one permission policy) and the store's queries. Every route is
//! behind the policy; an object the caller may not see answers exactly like one that does
//! not exist.
//!
//! # Code map
//!
//! - [`error`]: the error catalog (stable codes, statuses, meanings) and the JSON body.
//! - [`auth`]: argon2id passwords, sessions, API tokens, the login throttle.
//! - [`directory`]: where accounts live (the seam to the store).
//! - [`web`]: router, layers (request ids, tracing, body limits by caller, security
//!   headers, authentication, CSRF), the client address behind trusted proxies, `serve`
//!   with graceful shutdown and the periodic signing of the evidence log's tree head.
//! - [`portal`]: the public portal (complaints and reports, per-address limits).
//! - [`api`]: `/api/v1` handlers and the OpenAPI document.
//! - [`console`]: server-rendered pages; [`i18n`]: their messages; [`chart`]: SVG charts.
//!
//! # What it must never do
//!
//! Decide a permission anywhere but `wangjian_app::policy`; store a password, session id or token in
//! clear; put outside text into HTML without escaping; load anything from a CDN.

#![deny(missing_docs)]

pub mod api;
pub mod auth;
pub mod chart;
pub mod console;
pub mod directory;
pub mod error;
pub mod i18n;
pub mod portal;
pub mod state;
pub mod web;

pub use error::{ApiError, ErrorCode};
pub use state::{AppState, ServerConfig};
pub use web::{router, serve, shutdown_signal};
