//! Cases: reading one behind the policy, registering one from leads, moving it through
//! its state machine, supervising it (督办), and the receiver's feedback on a transfer.

use chrono::NaiveDate;
use wangjian_domain::case::CaseFile;
use wangjian_domain::org::OrgKind;
use wangjian_domain::supervision::{self, Supervision, SupervisionError, SupervisionLevel};
use wangjian_domain::transfer::{self, TransferError, TransferOrder, TransferStatus};
use wangjian_domain::{CaseCommand, CaseId, LeadId, TransferId, TRANSITIONS};
use wangjian_store::CaseNumberRequest;

use crate::error::AppError;
use crate::policy::{decide, list_scope, Action, CaseFacts, Party, Resource, ResourceKind, Scope};
use crate::workflow::check_version;
use crate::{App, Call};

/// Longest case title (案由), in characters.
pub const MAX_TITLE: usize = 200;

/// A case with what the caller may do next.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CaseDetail {
    /// The case file: case, deadlines, transfer orders, lead links.
    pub file: CaseFile,
    /// The actions the caller may take now (allowed from this state and by the policy).
    pub allowed_actions: Vec<String>,
}

/// A transfer or assist refusal of the domain as an [`AppError`]: an empty text names its
/// field; a wrong state is a rule violation; the wrong side is a refusal.
pub fn transfer_error(e: TransferError) -> AppError {
    match e {
        TransferError::Empty(what) => {
            let field = match what {
                "the feedback outcome" => "outcome",
                "the question" => "question",
                "the answer" => "answer",
                other => other,
            };
            AppError::invalid(field, e.to_string())
        }
        TransferError::AskedOwnAgency => AppError::invalid("to_org", e.to_string()),
        TransferError::NotReceiver(_) => AppError::Forbidden(e.to_string()),
        TransferError::WrongStatus { .. }
        | TransferError::ReferralFeedback
        | TransferError::Deadline(_) => AppError::rule(e),
        TransferError::WrongDeadline(_) | TransferError::Ids(_) => {
            AppError::Unavailable(e.to_string())
        }
    }
}

fn supervision_error(e: SupervisionError) -> AppError {
    match e {
        SupervisionError::NotOffice => AppError::Forbidden(e.to_string()),
        SupervisionError::DueInPast { .. } => AppError::invalid("due", e.to_string()),
        SupervisionError::Ids(_) => AppError::Unavailable(e.to_string()),
        other => AppError::rule(other),
    }
}

/// The store's case-list scope for `who`, or `None` when they may list no case. Only the
/// store's two case scopes exist so far (responsible agency, region); a wider policy scope
/// is narrowed to them, never widened.
pub fn case_store_scope(who: &crate::policy::Principal) -> Option<wangjian_store::Scope> {
    match list_scope(who, ResourceKind::Case) {
        Scope::Parties { org, parties } if parties.contains(&Party::Responsible) => {
            Some(wangjian_store::Scope::Org(org))
        }
        Scope::Region(r) => Some(wangjian_store::Scope::Region(r)),
        _ => None,
    }
}

impl App {
    /// The policy's view of a stored case.
    pub async fn case_facts(&self, file: &CaseFile) -> Result<CaseFacts, AppError> {
        let store = self.store();
        let c = &file.case;
        let summary = store.case_summary(c.id).await?;
        let originating_region = match store.organization(c.originating_org).await? {
            Some(o) => o.region,
            None => summary.region.clone(),
        };
        Ok(CaseFacts {
            view: c.view(),
            originating_org: c.originating_org,
            region: summary.region,
            originating_region,
            // The store keeps no sharing lists yet.
            shared_with: vec![],
            transferred_to: file
                .transfers
                .iter()
                .filter(|t| t.status != TransferStatus::Refused)
                .map(|t| t.to_org)
                .collect(),
        })
    }

    /// A case the caller may read, with the policy's view of it; any other id is
    /// [`AppError::NotFound`].
    pub async fn visible_case(
        &self,
        call: &Call,
        id: CaseId,
    ) -> Result<(CaseFile, CaseFacts), AppError> {
        let file = self.store().case_file(id).await?;
        let facts = self.case_facts(&file).await?;
        decide(
            &call.principal,
            Action::Read,
            &Resource::Case(facts.clone()),
        )
        .into_result()?;
        Ok((file, facts))
    }

    /// A case the caller may change (the case's write rule): seizures, assist requests
    /// and evidence are changes to the case.
    pub async fn writable_case(
        &self,
        call: &Call,
        id: CaseId,
    ) -> Result<(CaseFile, CaseFacts), AppError> {
        let (file, facts) = self.visible_case(call, id).await?;
        decide(
            &call.principal,
            Action::Write,
            &Resource::Case(facts.clone()),
        )
        .into_result()?;
        Ok((file, facts))
    }

    /// A case with the actions the caller may take on it now.
    pub async fn case_detail(&self, call: &Call, id: CaseId) -> Result<CaseDetail, AppError> {
        let (file, facts) = self.visible_case(call, id).await?;
        let res = Resource::Case(facts);
        let allowed_actions = TRANSITIONS
            .iter()
            .filter(|t| t.from.contains(&file.case.state))
            .filter(|t| decide(&call.principal, Action::Transition(t.action), &res).is_allow())
            .map(|t| t.action.as_str().to_string())
            .collect();
        Ok(CaseDetail {
            file,
            allowed_actions,
        })
    }

    /// The store's case-list scope for the caller ([`case_store_scope`]).
    pub fn case_list_scope(&self, call: &Call) -> Option<wangjian_store::Scope> {
        case_store_scope(&call.principal)
    }

    /// Runs one command of the case state machine for the caller: visibility (hidden is
    /// not found), the policy, the expected version, then the state machine in the store.
    pub async fn transition(
        &self,
        call: &Call,
        id: CaseId,
        expected_version: Option<i64>,
        command: &CaseCommand,
    ) -> Result<CaseFile, AppError> {
        let cal = self.calendar().await?;
        let m = call.member()?;
        let (file, facts) = self.visible_case(call, id).await?;
        decide(
            &call.principal,
            Action::Transition(command.action()),
            &Resource::Case(facts),
        )
        .into_result()?;
        check_version(expected_version, file.case.version)?;
        if matches!(command, CaseCommand::DecidePenalty { .. }) {
            return self
                .decide_penalty_with_credit(call, &file, command, self.env(&cal))
                .await;
        }
        let applied = self
            .store()
            .run_case_command(
                file.case.id,
                &m.actor,
                command,
                self.env(&cal),
                &self.context(call),
            )
            .await?;
        Ok(applied.value)
    }

    /// Registers one case (线索登记) from `leads`, all or nothing: each lead must be one
    /// the caller works (a refusal names `leads[i]`).
    pub async fn register_case(
        &self,
        call: &Call,
        title: &str,
        leads: &[LeadId],
    ) -> Result<CaseFile, AppError> {
        let cal = self.calendar().await?;
        let m = call.member()?;
        let title = title.trim();
        if title.is_empty() || title.chars().count() > MAX_TITLE {
            return Err(AppError::invalid(
                "title",
                format!("a title (案由) of 1 to {MAX_TITLE} characters"),
            ));
        }
        if leads.is_empty() {
            return Err(AppError::invalid("leads", "name at least one lead"));
        }
        for (i, id) in leads.iter().enumerate() {
            let field = format!("leads[{i}]");
            let d = self
                .visible_lead(call, *id)
                .await
                .map_err(|e| e.at(&field))?;
            decide(
                &call.principal,
                Action::Write,
                &Resource::Lead(crate::workflow::leads::lead_facts(&d)),
            )
            .into_result()
            .map_err(|e| e.at(&field))?;
        }
        let req = CaseNumberRequest {
            title: title.to_string(),
            leads: leads.to_vec(),
        };
        let applied = self
            .store()
            .register_case(&m.actor, &req, self.env(&cal), &self.context(call))
            .await?;
        Ok(applied.value)
    }

    /// Marks a case for supervision (督办), as a supervisor of the coordination office of
    /// its region.
    pub async fn supervise(
        &self,
        call: &Call,
        id: CaseId,
        level: SupervisionLevel,
        due: NaiveDate,
        note: &str,
    ) -> Result<Supervision, AppError> {
        let m = call.member()?;
        let (file, facts) = self.visible_case(call, id).await?;
        decide(&call.principal, Action::Supervise, &Resource::Case(facts)).into_result()?;
        let summary = self.store().case_summary(file.case.id).await?;
        let change = supervision::mark(
            &m.actor,
            &m.region,
            matches!(m.org_kind, OrgKind::CoordinationOffice),
            &summary,
            level,
            due,
            note,
            &self.context(call),
        )
        .map_err(supervision_error)?;
        Ok(self.store().apply(change).await?.value)
    }

    /// A transfer order or criminal referral the caller may read (with its case), with
    /// its policy resource.
    pub async fn visible_transfer(
        &self,
        call: &Call,
        id: TransferId,
    ) -> Result<(TransferOrder, Resource), AppError> {
        let store = self.store();
        let order = store.transfer_order(id).await?.ok_or(AppError::NotFound)?;
        let file = store.case_file(order.case).await?;
        let res = Resource::Transfer {
            case: self.case_facts(&file).await?,
            receiver: order.to_org,
        };
        decide(&call.principal, Action::Read, &res).into_result()?;
        Ok((order, res))
    }

    /// The receiving agency reports the outcome of an accepted transfer (its feedback
    /// deadline stops).
    pub async fn report_feedback(
        &self,
        call: &Call,
        id: TransferId,
        expected_version: Option<i64>,
        outcome: &str,
        reference: &str,
        notes: &str,
    ) -> Result<TransferOrder, AppError> {
        let cal = self.calendar().await?;
        let m = call.member()?;
        let (order, res) = self.visible_transfer(call, id).await?;
        decide(&call.principal, Action::Write, &res).into_result()?;
        check_version(expected_version, order.version)?;
        let Some(deadline) = order.feedback_deadline else {
            return Err(AppError::rule(format!(
                "the transfer order is {}, it cannot take feedback",
                serde_json::to_value(order.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            )));
        };
        let deadline =
            self.store().deadline(deadline).await?.ok_or_else(|| {
                AppError::Unavailable("a transfer order without its deadline".into())
            })?;
        let change = transfer::report_feedback(
            &order,
            &deadline,
            &m.actor,
            outcome,
            reference,
            notes,
            &self.context(call),
            &cal,
        )
        .map_err(transfer_error)?;
        Ok(self.store().apply(change).await?.value.0)
    }
}
