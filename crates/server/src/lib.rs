//! The wangjian server: the JSON API (`/api/v1`), accounts and permissions, the officers'
//! web console and (later) the public portal, on axum and tokio.
//!
//! # What it is for
//!
//! Wiring: it turns HTTP requests into calls of the domain's commands and the store's
//! queries, after asking the one [`policy`] module whether the caller may. Every route is
//! behind the policy; an object the caller may not see answers exactly like one that does
//! not exist.
//!
//! # What it must never do
//!
//! Decide a permission anywhere but [`policy`]; store a password, session id or token in
//! clear; put outside text into HTML without escaping; load anything from a CDN.

#![deny(missing_docs)]

pub mod auth;
pub mod error;
pub mod policy;

pub use error::{ApiError, ErrorCode};
