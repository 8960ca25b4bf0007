//! Leads: reading one behind the policy, and screening leads out (dismissal) one by one.
//! Registering a case from leads is a case command (`App::register_case`).

use wangjian_domain::lead::MAX_DISMISSAL_REASON;
use wangjian_domain::LeadId;
use wangjian_store::LeadDetail;

use crate::error::AppError;
use crate::policy::{decide, Action, LeadFacts, Resource};
use crate::{App, Call};

/// Most leads in one bulk action.
pub const MAX_BULK: usize = 200;

/// The policy's view of a stored lead.
pub fn lead_facts(d: &LeadDetail) -> LeadFacts {
    LeadFacts {
        org: d.row.lead.org,
        delivered_by: d.delivered_by.clone(),
        // The store keeps no lead sharing lists yet.
        shared_with: vec![],
    }
}

impl App {
    /// A lead the caller may read, with its scan and snapshot; any other id is
    /// [`AppError::NotFound`].
    pub async fn visible_lead(&self, call: &Call, id: LeadId) -> Result<LeadDetail, AppError> {
        let d = self
            .store()
            .lead_detail(id)
            .await?
            .ok_or(AppError::NotFound)?;
        decide(
            &call.principal,
            Action::Read,
            &Resource::Lead(lead_facts(&d)),
        )
        .into_result()?;
        Ok(d)
    }

    /// Screens `leads` out with the officer's reason, each on its own: one outcome per
    /// lead, in order (a lead already linked to a case is a rule violation, one the caller
    /// may not see is not found).
    pub async fn dismiss_leads(
        &self,
        call: &Call,
        leads: &[LeadId],
        reason: &str,
    ) -> Result<Vec<Result<(), AppError>>, AppError> {
        let m = call.member()?;
        if leads.is_empty() {
            return Err(AppError::invalid("leads", "select at least one lead"));
        }
        if leads.len() > MAX_BULK {
            return Err(AppError::invalid(
                "leads",
                format!("at most {MAX_BULK} leads per action"),
            ));
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_DISMISSAL_REASON {
            return Err(AppError::invalid(
                "reason",
                format!("a reason of 1 to {MAX_DISMISSAL_REASON} characters"),
            ));
        }
        let mut out = Vec::with_capacity(leads.len());
        for id in leads {
            let r = async {
                let d = self.visible_lead(call, *id).await?;
                decide(
                    &call.principal,
                    Action::Write,
                    &Resource::Lead(lead_facts(&d)),
                )
                .into_result()?;
                self.store()
                    .dismiss_lead(*id, &m.actor, reason, &self.context(call))
                    .await?;
                Ok(())
            }
            .await;
            out.push(r);
        }
        Ok(out)
    }
}
