//! Assist requests (协查): sent for a case by its responsible agency to another agency,
//! answered (or declined) by the agency asked, read by both and by the coordination
//! offices of their regions.

use wangjian_domain::org::OrgKind;
use wangjian_domain::transfer::{self, AssistRequest, AssistTarget};
use wangjian_domain::{AssistRequestId, CaseId, Deadline, OrgId};

use crate::error::AppError;
use crate::policy::{decide, Action, Resource};
use crate::workflow::cases::transfer_error;
use crate::workflow::check_version;
use crate::{App, Call};

/// What a new assist request asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAssist {
    /// The agency asked (another agency than the caller's).
    pub to_org: OrgId,
    /// What to check.
    pub target: AssistTarget,
    /// The question.
    pub question: String,
    /// The legal basis of the request.
    pub legal_basis: String,
}

impl App {
    /// The policy's view of an assist request.
    pub async fn assist_resource(&self, r: &AssistRequest) -> Result<Resource, AppError> {
        let s = self.store();
        let region = |o: Option<wangjian_domain::Organization>| {
            o.map(|o| o.region).ok_or_else(|| {
                AppError::Unavailable("an assist request names an unknown organization".into())
            })
        };
        Ok(Resource::AssistRequest {
            sender: r.from_org,
            sender_region: region(s.organization(r.from_org).await?)?,
            receiver: r.to_org,
            receiver_region: region(s.organization(r.to_org).await?)?,
        })
    }

    /// An assist request the caller may read, with its policy resource.
    pub async fn visible_assist(
        &self,
        call: &Call,
        id: AssistRequestId,
    ) -> Result<(AssistRequest, Resource), AppError> {
        let r = self
            .store()
            .assist_request(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let res = self.assist_resource(&r).await?;
        decide(&call.principal, Action::Read, &res).into_result()?;
        Ok((r, res))
    }

    async fn check_target(&self, t: &AssistTarget) -> Result<(), AppError> {
        let empty = |field: &str, v: &str| {
            if v.trim().is_empty() {
                Err(AppError::invalid(
                    field,
                    format!("{field} must not be empty"),
                ))
            } else {
                Ok(())
            }
        };
        match t {
            AssistTarget::Subject { subject } => {
                if self.store().subject(*subject).await?.is_none() {
                    return Err(AppError::invalid("target.subject", "no such subject"));
                }
                Ok(())
            }
            AssistTarget::Shipment { carrier, waybill } => {
                empty("target.carrier", carrier)?;
                empty("target.waybill", waybill)
            }
            AssistTarget::Identification { items } => empty("target.items", items),
        }
    }

    /// Sends an assist request for case `id`, as a worker of its responsible agency (the
    /// case's write rule); the asked agency owes the answer by its reply deadline.
    pub async fn send_assist(
        &self,
        call: &Call,
        id: CaseId,
        req: NewAssist,
    ) -> Result<(AssistRequest, Deadline), AppError> {
        let cal = self.calendar().await?;
        let m = call.member()?;
        let (file, _) = self.writable_case(call, id).await?;
        let to = self
            .store()
            .organization(req.to_org)
            .await?
            .filter(|o| matches!(o.kind, OrgKind::Agency { .. }))
            .ok_or_else(|| AppError::invalid("to_org", "no such agency"))?;
        self.check_target(&req.target).await?;
        let env = self.env(&cal);
        let change = transfer::send_assist_request(
            &m.actor,
            Some(file.case.id),
            to.id,
            req.target,
            &req.question,
            &req.legal_basis,
            env.rules,
            env.overrides,
            &self.context(call),
            env.calendar,
        )
        .map_err(transfer_error)?;
        Ok(self.store().apply(change).await?.value)
    }

    /// Answers (or declines) an assist request, as a worker of the asked agency.
    pub async fn answer_assist(
        &self,
        call: &Call,
        id: AssistRequestId,
        expected_version: Option<i64>,
        answer: &str,
        reference: &str,
        declined: bool,
    ) -> Result<(AssistRequest, Deadline), AppError> {
        let cal = self.calendar().await?;
        let m = call.member()?;
        let (r, res) = self.visible_assist(call, id).await?;
        decide(&call.principal, Action::Write, &res).into_result()?;
        check_version(expected_version, r.version)?;
        let dl = self
            .store()
            .deadline(r.reply_deadline)
            .await?
            .ok_or_else(|| {
                AppError::Unavailable("an assist request without its reply deadline".into())
            })?;
        let change = transfer::answer_assist_request(
            &r,
            &dl,
            &m.actor,
            answer,
            reference,
            declined,
            &self.context(call),
            &cal,
        )
        .map_err(transfer_error)?;
        Ok(self.store().apply(change).await?.value)
    }
}
