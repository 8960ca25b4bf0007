//! Complaints and reports from the public (投诉举报): read and decided by the agency that
//! handles them — accept (受理: the complaint becomes a lead), refuse (不予受理, with the
//! reason the submitter reads), handle (办结, with the outcome the submitter reads).

use serde::Deserialize;
use wangjian_domain::complaint::{self, Complaint, ComplaintError, ComplaintId};

use crate::error::AppError;
use crate::policy::{decide, may_read_contact, Action, Resource};
use crate::workflow::check_version;
use crate::{App, Call};

/// A decision on a complaint.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ComplaintDecision {
    /// 受理: the complaint becomes a lead of the handling agency.
    Accept,
    /// 不予受理, with the reason the submitter will read.
    Refuse {
        /// The reason.
        reason: String,
    },
    /// 办结, with the outcome the submitter will read.
    Handle {
        /// The outcome.
        outcome: String,
    },
}

/// A domain refusal of a complaint command as an [`AppError`].
pub fn complaint_error(e: ComplaintError) -> AppError {
    match e {
        ComplaintError::Invalid { field, message } => AppError::invalid(field, message),
        ComplaintError::NoHandler(_) => AppError::invalid("region", e.to_string()),
        ComplaintError::State { .. } | ComplaintError::Deadline(_) => AppError::rule(e),
        ComplaintError::OutOfIds(_) => AppError::Unavailable(e.to_string()),
    }
}

/// The policy's view of a complaint.
pub fn complaint_resource(c: &Complaint) -> Resource {
    Resource::Complaint {
        // Submissions come from the public, never from an account.
        complainant: None,
        handler: c.handler,
    }
}

impl App {
    /// A complaint the caller may read; any other id is [`AppError::NotFound`].
    pub async fn visible_complaint(
        &self,
        call: &Call,
        id: ComplaintId,
    ) -> Result<Complaint, AppError> {
        let c = self
            .store()
            .complaint(id)
            .await?
            .ok_or(AppError::NotFound)?;
        decide(&call.principal, Action::Read, &complaint_resource(&c)).into_result()?;
        Ok(c)
    }

    /// The submitter's contact in full, for the handling agency's case workers only
    /// ([`may_read_contact`]); the read is an audit event in the complaint's trail, whose
    /// `seq` is returned with the contact. Everyone else reads it masked.
    pub async fn read_complaint_contact(
        &self,
        call: &Call,
        id: ComplaintId,
    ) -> Result<(String, i64), AppError> {
        let m = call.member()?;
        let c = self.visible_complaint(call, id).await?;
        may_read_contact(&call.principal, &complaint_resource(&c)).into_result()?;
        let ctx = self.context(call);
        let read = complaint::read_contact(&c, m.actor.user, m.actor.org, &ctx)
            .map_err(complaint_error)?;
        let seq = self.store().record_read(read).await?;
        Ok((c.contact, seq))
    }

    /// Decides a complaint as a worker of the handling agency.
    pub async fn decide_complaint(
        &self,
        call: &Call,
        id: ComplaintId,
        expected_version: Option<i64>,
        d: &ComplaintDecision,
    ) -> Result<Complaint, AppError> {
        let m = call.member()?;
        let c = self.visible_complaint(call, id).await?;
        decide(&call.principal, Action::Write, &complaint_resource(&c)).into_result()?;
        check_version(expected_version, c.version)?;
        let ctx = self.context(call);
        let (user, org) = (m.actor.user, m.actor.org);
        let s = self.store();
        Ok(match d {
            ComplaintDecision::Accept => {
                let ch = complaint::accept(&c, user, org, &ctx).map_err(complaint_error)?;
                s.apply(ch).await?.value.0
            }
            ComplaintDecision::Refuse { reason } => {
                let ch = complaint::refuse(&c, user, org, reason, &ctx).map_err(complaint_error)?;
                s.apply(ch).await?.value
            }
            ComplaintDecision::Handle { outcome } => {
                let ch =
                    complaint::handle(&c, user, org, outcome, &ctx).map_err(complaint_error)?;
                s.apply(ch).await?.value
            }
        })
    }
}
