//! The workflow commands: each loads what it needs, asks the [`policy`](crate::policy)
//! (an object the caller may not read is [`AppError::NotFound`], whatever the action),
//! checks the caller's expected version, runs the domain's command and stores its
//! [`Change`](wangjian_domain::Change) with the audit events. The CLI (`wangjian case …`,
//! `capture`) and the server (API and console) call these and nothing else to change a
//! case, a lead, a transfer, an assist request, seized goods, evidence or a complaint.
//!
//! Domain refusals become [`AppError`]s here, once: an empty text names its input field,
//! a wrong state is a rule violation, a role the domain requires is a refusal.

pub mod assist;
pub mod brushing;
pub mod calendar;
pub mod cases;
pub mod complaints;
pub mod credit;
pub mod evidence;
pub mod leads;
pub mod networks;
pub mod seized;

use crate::error::AppError;

/// Refuses a stale write: the caller saw `expected`, the store holds `actual`.
pub fn check_version(expected: Option<i64>, actual: i64) -> Result<(), AppError> {
    match expected {
        Some(v) if v != actual => Err(AppError::Conflict),
        _ => Ok(()),
    }
}
