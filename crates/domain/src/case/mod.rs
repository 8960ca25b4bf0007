//! Cases (案件): the record, the commands that move it, and the permission seam.
//!
//! The state machine itself is data: [`TRANSITIONS`] in `table.rs`. [`apply`] checks a
//! command against it (state, then permission, then required fields, then guards), makes
//! the change on a copy of the [`CaseFile`], applies the row's deadline effects, and
//! returns the new file with one audit event per changed object. The case's `version`
//! goes up by exactly one per accepted command; every other changed object's too.

mod table;
#[cfg(test)]
mod tests;

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use wangjian_calendar::{shanghai_date, Calendar};

pub use table::{
    actions_from, render_state_diagram, transition, Action, CaseState, Effect, Party, Target,
    Transition, TRANSITIONS,
};

use crate::audit::{
    to_value, AuditEvent, Change, Context, Events, IdSupply, ObjectType, OutOfIds, Recorder,
};
use crate::deadline::{
    Deadline, DeadlineError, DeadlineKind, DeadlineOverride, Extension, RuleSet,
};
use crate::id::{CaseId, DeadlineId, EvidenceId, LeadId, OrgId, TransferId, UserId};
use crate::lead::CaseLeadLink;
use crate::org::{Actor, AgencyType, Role};
use crate::transfer::{Feedback, TransferKind, TransferOrder, TransferStatus};

/// A case's human number, unique per agency and year: `浙杭市监立〔2026〕123号`, or in
/// the simple form `HZSJ-2026-000123`. The store allocates `seq` (a counter row per
/// (org, year), taken in the same transaction) and keeps a unique index on
/// (org, year, seq).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CaseNumber {
    /// The agency that numbered it (the originating agency).
    pub org: OrgId,
    /// Its case prefix (浙杭市监立, or HZSJ).
    pub prefix: String,
    /// Year.
    pub year: i32,
    /// Sequence within (org, year), from 1.
    pub seq: u32,
}

impl CaseNumber {
    /// The document form: `{prefix}〔{year}〕{seq}号`.
    pub fn document_form(&self) -> String {
        format!("{}〔{}〕{}号", self.prefix, self.year, self.seq)
    }

    /// The simple form: `{prefix}-{year}-{seq:06}`.
    pub fn simple_form(&self) -> String {
        format!("{}-{}-{:06}", self.prefix, self.year, self.seq)
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.document_form())
    }
}

/// The opening decision (立案).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opening {
    /// Day opened.
    pub on: NaiveDate,
    /// The supervisor who approved.
    pub approved_by: UserId,
    /// Legal basis of the opening.
    pub legal_basis: String,
}

/// The penalty decision (行政处罚决定).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenaltyDecision {
    /// Decision document number (决定书文号).
    pub decision_number: String,
    /// Fine in fen (0 for a warning or confiscation only).
    pub fine_fen: i64,
    /// Value of the goods involved (涉案货值 / 涉案金额) in fen, as the decision finds it
    /// (0 when not stated).
    #[serde(default)]
    pub amount_involved_fen: i64,
    /// Illegal income and goods confiscated (没收违法所得、没收物品), valued in fen.
    #[serde(default)]
    pub confiscated_fen: i64,
    /// Legal basis.
    pub legal_basis: String,
    /// Day decided.
    pub on: NaiveDate,
    /// The supervisor who decided.
    pub decided_by: UserId,
}

/// A pending transfer or referral (columns `pending_transfer_id`, `pending_receiver`,
/// `pending_kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingTransfer {
    /// The order.
    pub transfer: TransferId,
    /// Its receiver.
    pub receiver: OrgId,
    /// Its kind.
    pub kind: TransferKind,
}

/// A case. Table `cases`; `version` for optimistic concurrency; unique (number.org,
/// number.year, number.seq). Texts of past steps are kept in the columns below and, in
/// full, in the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// Stable id.
    pub id: CaseId,
    /// Human number.
    pub number: CaseNumber,
    /// Short title (案由).
    pub title: String,
    /// The agency that registered it; never changes.
    pub originating_org: OrgId,
    /// The agency responsible now; changes when a transfer is accepted.
    pub responsible_org: OrgId,
    /// State.
    pub state: CaseState,
    /// Where to return after suspension, transfer or referral.
    pub resume_to: Option<CaseState>,
    /// The officer checking the lead (核查).
    pub verifier: Option<UserId>,
    /// The one responsible officer (办案责任人).
    pub case_officer: Option<UserId>,
    /// The other officers on the case (at least one once opened: 第十九条, two or more).
    pub co_officers: Vec<UserId>,
    /// The opening decision.
    pub opening: Option<Opening>,
    /// The intended penalty as notified (处罚告知).
    pub proposed_penalty: Option<String>,
    /// The penalty decision.
    pub penalty: Option<PenaltyDecision>,
    /// Day the decision was served.
    pub served_on: Option<NaiveDate>,
    /// Disclosure reference (URL or notice number).
    pub disclosure: Option<String>,
    /// Testing body and items, while or after testing.
    pub testing: Option<String>,
    /// The reason of the last decline, suspension, termination, refusal; or the closing
    /// summary.
    pub last_reason: Option<String>,
    /// A pending transfer or referral.
    pub pending_transfer: Option<PendingTransfer>,
    /// When registered.
    pub registered_at: DateTime<Utc>,
    /// Optimistic concurrency version.
    pub version: i64,
}

impl Case {
    /// The values the permission check needs.
    pub fn view(&self) -> CaseView {
        CaseView {
            state: self.state,
            responsible_org: self.responsible_org,
            case_officer: self.case_officer,
            co_officers: self.co_officers.clone(),
            pending_receiver: self.pending_transfer.map(|p| p.receiver),
        }
    }
}

/// A case with everything a command may change: its deadlines, its transfer orders and
/// its lead links. The store loads it by case id (deadlines and transfers by
/// `root_case` / `case`) and writes back every object named in the returned events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFile {
    /// The case.
    pub case: Case,
    /// Its deadlines (on the case and on its transfer orders).
    pub deadlines: Vec<Deadline>,
    /// Its transfer orders.
    pub transfers: Vec<TransferOrder>,
    /// Its lead links.
    pub links: Vec<CaseLeadLink>,
}

/// What the permission check needs to know about a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    /// State.
    pub state: CaseState,
    /// Responsible agency.
    pub responsible_org: OrgId,
    /// Case officer.
    pub case_officer: Option<UserId>,
    /// Co-officers.
    pub co_officers: Vec<UserId>,
    /// Receiver of a pending transfer or referral.
    pub pending_receiver: Option<OrgId>,
}

/// Why the actor may not do this.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// Not a member of the organization that may act.
    #[error("{action} is for the {party}; you act for another organization")]
    WrongOrganization {
        /// Action.
        action: Action,
        /// "responsible agency" or "receiving agency".
        party: &'static str,
    },
    /// Lacks the role.
    #[error("{action} needs one of the roles: {needed}")]
    Role {
        /// Action.
        action: Action,
        /// Roles that may.
        needed: String,
    },
    /// An officer not assigned to the case.
    #[error("{action}: only the case officer, a co-officer or a supervisor may act on this case")]
    NotAssigned {
        /// Action.
        action: Action,
    },
}

/// The permission seam for the state machine: may `actor` do `action` on `case`? All
/// role checks of the state machine live here (the server's policy module calls it).
pub fn may(actor: &Actor, action: Action, case: &CaseView) -> Result<(), Denied> {
    let t = transition(action);
    let (org_ok, party) = match t.party {
        Party::Responsible => (actor.org == case.responsible_org, "responsible agency"),
        Party::Receiver => (Some(actor.org) == case.pending_receiver, "receiving agency"),
    };
    if !org_ok {
        return Err(Denied::WrongOrganization { action, party });
    }
    if !t.roles.iter().any(|r| actor.has(*r)) {
        let needed = t
            .roles
            .iter()
            .map(|r| r.label_zh())
            .collect::<Vec<_>>()
            .join("、");
        return Err(Denied::Role { action, needed });
    }
    let officer_only = !actor.has(Role::Supervisor);
    if officer_only && t.party == Party::Responsible {
        if let Some(officer) = case.case_officer {
            if actor.user != officer && !case.co_officers.contains(&actor.user) {
                return Err(Denied::NotAssigned { action });
            }
        }
    }
    Ok(())
}

/// Why a case command was refused. Each message says what to do differently.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// The action is not allowed from the current state.
    #[error("cannot {action} a case that is {from} ({from_zh}); {action} is allowed only from: {allowed}")]
    IllegalTransition {
        /// Current state.
        from: CaseState,
        /// Its Chinese label.
        from_zh: &'static str,
        /// Action tried.
        action: Action,
        /// States that allow it, comma-separated.
        allowed: String,
    },
    /// The actor may not.
    #[error("not permitted: {0}")]
    Denied(#[from] Denied),
    /// A required field is missing or empty.
    #[error("{action} needs {field}")]
    Missing {
        /// Action.
        action: Action,
        /// Field.
        field: &'static str,
    },
    /// The command is well-formed but the rules forbid it now.
    #[error("{action}: {reason}")]
    Guard {
        /// Action.
        action: Action,
        /// Why.
        reason: String,
    },
    /// Deadline arithmetic failed.
    #[error(transparent)]
    Deadline(#[from] DeadlineError),
    /// The context had too few fresh ids.
    #[error(transparent)]
    Ids(#[from] OutOfIds),
    /// The stored case file is inconsistent (a bug or a hand-edited row).
    #[error("inconsistent case file: {0}")]
    Corrupt(String),
}

/// Registers a case (线索登记) from one or more leads: the case, its lead links, and the
/// lead-verification deadline counted from the earliest lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterCase {
    /// The number the store allocated.
    pub number: CaseNumber,
    /// Title (案由).
    pub title: String,
    /// The leads, each with when it was found or received.
    pub leads: Vec<(LeadId, DateTime<Utc>)>,
}

/// A command on an existing case. Each maps to one [`Action`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CaseCommand {
    /// See [`Action::StartVerification`].
    StartVerification {
        /// The officer who checks.
        verifier: UserId,
    },
    /// See [`Action::Open`].
    Open {
        /// 办案责任人.
        case_officer: UserId,
        /// The other officers (at least one).
        co_officers: Vec<UserId>,
        /// Legal basis.
        legal_basis: String,
    },
    /// See [`Action::Decline`].
    Decline {
        /// Why.
        reason: String,
    },
    /// See [`Action::BeginInvestigation`].
    BeginInvestigation,
    /// See [`Action::RequestTesting`].
    RequestTesting {
        /// Testing or identification body (may be the rights holder).
        testing_body: String,
        /// What is tested.
        items: String,
    },
    /// See [`Action::CompleteTesting`].
    CompleteTesting {
        /// Result.
        result_summary: String,
    },
    /// See [`Action::IssuePenaltyNotice`].
    IssuePenaltyNotice {
        /// The intended penalty.
        proposed_penalty: String,
        /// Legal basis.
        legal_basis: String,
    },
    /// See [`Action::DecidePenalty`].
    DecidePenalty {
        /// 决定书文号.
        decision_number: String,
        /// Fine in fen.
        fine_fen: i64,
        /// Value of the goods involved (涉案金额) in fen; 0 when not stated.
        #[serde(default)]
        amount_involved_fen: i64,
        /// Confiscated illegal income and goods (没收), valued in fen; 0 when none.
        #[serde(default)]
        confiscated_fen: i64,
        /// Legal basis.
        legal_basis: String,
        /// The party has made or waived their statement / hearing (陈述申辩、听证 done),
        /// which allows deciding before the statement period ends.
        statement_closed: bool,
    },
    /// See [`Action::BeginEnforcement`].
    BeginEnforcement {
        /// The day the decision was served.
        served_on: NaiveDate,
    },
    /// See [`Action::RecordDisclosure`].
    RecordDisclosure {
        /// URL or notice number of the publication.
        reference: String,
    },
    /// See [`Action::Close`].
    Close {
        /// Closing summary (结案报告).
        summary: String,
    },
    /// See [`Action::ReferToPolice`].
    ReferToPolice {
        /// The police organization.
        police_org: OrgId,
        /// Its agency type (the server reads it from the organizations table).
        police_agency_type: AgencyType,
        /// Legal basis.
        legal_basis: String,
        /// Why (涉嫌犯罪的事实).
        reason: String,
        /// Evidence ids.
        materials: Vec<EvidenceId>,
        /// 案卷材料清单.
        case_file_list: Vec<String>,
        /// 证据清单.
        evidence_list: Vec<String>,
        /// 涉案物品清单 ("无" when none).
        seized_goods_list: Vec<String>,
    },
    /// See [`Action::AcknowledgeReferral`].
    AcknowledgeReferral,
    /// See [`Action::RefuseReferral`].
    RefuseReferral {
        /// Why.
        reason: String,
    },
    /// See [`Action::PoliceFile`].
    PoliceFile {
        /// 立案决定书 number.
        reference_number: String,
        /// Notes.
        notes: String,
    },
    /// See [`Action::PoliceDecline`].
    PoliceDecline {
        /// 不予立案通知书 number.
        reference_number: String,
        /// Reasons.
        reason: String,
    },
    /// See [`Action::TransferOut`].
    TransferOut {
        /// Receiver.
        to_org: OrgId,
        /// Legal basis.
        legal_basis: String,
        /// Why.
        reason: String,
        /// Evidence ids.
        materials: Vec<EvidenceId>,
    },
    /// See [`Action::AcceptTransfer`].
    AcceptTransfer,
    /// See [`Action::RefuseTransfer`].
    RefuseTransfer {
        /// Why.
        reason: String,
    },
    /// See [`Action::Suspend`].
    Suspend {
        /// Why.
        reason: String,
    },
    /// See [`Action::Resume`].
    Resume,
    /// See [`Action::Terminate`].
    Terminate {
        /// Why.
        reason: String,
    },
    /// See [`Action::ReassignOfficer`].
    ReassignOfficer {
        /// The new 办案责任人.
        case_officer: UserId,
    },
    /// See [`Action::ExtendDeadline`].
    ExtendDeadline {
        /// Which running deadline of the case.
        kind: DeadlineKind,
        /// Days.
        days: u32,
        /// Why.
        reason: String,
        /// Decided collectively (负责人集体讨论).
        collective: bool,
    },
    /// See [`Action::LinkLead`].
    LinkLead {
        /// The lead.
        lead: LeadId,
    },
}

impl CaseCommand {
    /// The action this command performs.
    pub fn action(&self) -> Action {
        match self {
            Self::StartVerification { .. } => Action::StartVerification,
            Self::Open { .. } => Action::Open,
            Self::Decline { .. } => Action::Decline,
            Self::BeginInvestigation => Action::BeginInvestigation,
            Self::RequestTesting { .. } => Action::RequestTesting,
            Self::CompleteTesting { .. } => Action::CompleteTesting,
            Self::IssuePenaltyNotice { .. } => Action::IssuePenaltyNotice,
            Self::DecidePenalty { .. } => Action::DecidePenalty,
            Self::BeginEnforcement { .. } => Action::BeginEnforcement,
            Self::RecordDisclosure { .. } => Action::RecordDisclosure,
            Self::Close { .. } => Action::Close,
            Self::ReferToPolice { .. } => Action::ReferToPolice,
            Self::AcknowledgeReferral => Action::AcknowledgeReferral,
            Self::RefuseReferral { .. } => Action::RefuseReferral,
            Self::PoliceFile { .. } => Action::PoliceFile,
            Self::PoliceDecline { .. } => Action::PoliceDecline,
            Self::TransferOut { .. } => Action::TransferOut,
            Self::AcceptTransfer => Action::AcceptTransfer,
            Self::RefuseTransfer { .. } => Action::RefuseTransfer,
            Self::Suspend { .. } => Action::Suspend,
            Self::Resume => Action::Resume,
            Self::Terminate { .. } => Action::Terminate,
            Self::ReassignOfficer { .. } => Action::ReassignOfficer,
            Self::ExtendDeadline { .. } => Action::ExtendDeadline,
            Self::LinkLead { .. } => Action::LinkLead,
        }
    }
}

/// What commands need besides the case: the deadline rules, the agencies' overrides, and
/// the working-day calendar.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    /// Default rules.
    pub rules: &'a RuleSet,
    /// Agency overrides (all agencies that may be involved; filtered by org).
    pub overrides: &'a [DeadlineOverride],
    /// Calendar.
    pub calendar: &'a Calendar,
}

fn text(action: Action, field: &'static str, s: &str) -> Result<String, CaseError> {
    let t = s.trim();
    if t.is_empty() {
        Err(CaseError::Missing { action, field })
    } else {
        Ok(t.to_string())
    }
}

fn list(action: Action, field: &'static str, v: &[String]) -> Result<Vec<String>, CaseError> {
    let out: Vec<String> = v
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if out.is_empty() {
        Err(CaseError::Missing { action, field })
    } else {
        Ok(out)
    }
}

/// Registers a new case. The actor's organization becomes both originating and
/// responsible agency.
pub fn register_case(
    actor: &Actor,
    cmd: &RegisterCase,
    env: Env<'_>,
    ctx: &Context,
) -> Result<Change<CaseFile>, CaseError> {
    let action = Action::Register;
    let t = transition(action);
    if !t.roles.iter().any(|r| actor.has(*r)) {
        let needed = t
            .roles
            .iter()
            .map(|r| r.label_zh())
            .collect::<Vec<_>>()
            .join("、");
        return Err(Denied::Role { action, needed }.into());
    }
    let title = text(action, "title", &cmd.title)?;
    if cmd.number.org != actor.org {
        return Err(CaseError::Guard {
            action,
            reason: "the case number must be allocated by the registering agency".into(),
        });
    }
    let earliest = cmd
        .leads
        .iter()
        .map(|(_, at)| *at)
        .min()
        .ok_or(CaseError::Missing {
            action,
            field: "leads",
        })?;
    let mut ids = IdSupply::new(ctx);
    let id = CaseId(ids.next()?);
    let case = Case {
        id,
        number: cmd.number.clone(),
        title,
        originating_org: actor.org,
        responsible_org: actor.org,
        state: CaseState::Registered,
        resume_to: None,
        verifier: None,
        case_officer: None,
        co_officers: Vec::new(),
        opening: None,
        proposed_penalty: None,
        penalty: None,
        served_on: None,
        disclosure: None,
        testing: None,
        last_reason: None,
        pending_transfer: None,
        registered_at: ctx.now,
        version: 1,
    };
    let mut links: Vec<CaseLeadLink> = Vec::new();
    for (lead, _) in &cmd.leads {
        if !links.iter().any(|l| l.lead == *lead) {
            links.push(CaseLeadLink {
                case: id,
                lead: *lead,
                linked_by: actor.user,
                linked_at: ctx.now,
            });
        }
    }
    let rule = env
        .rules
        .effective(DeadlineKind::LeadVerification, actor.org, env.overrides)?;
    let dl = Deadline::start(
        DeadlineId(ids.next()?),
        Some(id),
        ObjectType::Case,
        id.0,
        actor.org,
        rule,
        shanghai_date(earliest),
        env.calendar,
    )?;
    let after = CaseFile {
        case,
        deadlines: vec![dl],
        transfers: Vec::new(),
        links,
    };
    finish(None, after, actor, action, ctx, ids)
}

/// Applies `cmd` by `actor` to `file`. On success: the new file and its audit events.
pub fn apply(
    file: &CaseFile,
    actor: &Actor,
    cmd: &CaseCommand,
    env: Env<'_>,
    ctx: &Context,
) -> Result<Change<CaseFile>, CaseError> {
    let action = cmd.action();
    let t = transition(action);
    let from = file.case.state;
    if !t.from.contains(&from) {
        let allowed = if t.from.is_empty() {
            "(creation only)".to_string()
        } else {
            t.from
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(CaseError::IllegalTransition {
            from,
            from_zh: from.label_zh(),
            action,
            allowed,
        });
    }
    may(actor, action, &file.case.view())?;

    let today = shanghai_date(ctx.now);
    let mut ids = IdSupply::new(ctx);
    let mut f = file.clone();
    let mut start_on = today;
    let mut new_transfer: Option<(TransferId, TransferKind, OrgId)> = None;

    match cmd {
        CaseCommand::StartVerification { verifier } => f.case.verifier = Some(*verifier),
        CaseCommand::Open {
            case_officer,
            co_officers,
            legal_basis,
        } => {
            let basis = text(action, "legal_basis", legal_basis)?;
            let mut co: Vec<UserId> = Vec::new();
            for u in co_officers {
                if u != case_officer && !co.contains(u) {
                    co.push(*u);
                }
            }
            if co.is_empty() {
                return Err(CaseError::Missing {
                    action,
                    field: "co_officers (a second officer besides the case officer, 第十九条)",
                });
            }
            f.case.case_officer = Some(*case_officer);
            f.case.co_officers = co;
            f.case.opening = Some(Opening {
                on: today,
                approved_by: actor.user,
                legal_basis: basis,
            });
        }
        CaseCommand::Decline { reason } => {
            f.case.last_reason = Some(text(action, "reason", reason)?)
        }
        CaseCommand::BeginInvestigation | CaseCommand::Resume => {}
        CaseCommand::RequestTesting {
            testing_body,
            items,
        } => {
            let b = text(action, "testing_body", testing_body)?;
            let i = text(action, "items", items)?;
            f.case.testing = Some(format!("{b}: {i}"));
        }
        CaseCommand::CompleteTesting { result_summary } => {
            let r = text(action, "result_summary", result_summary)?;
            let prior = f.case.testing.take().unwrap_or_default();
            f.case.testing = Some(format!("{prior} => {r}"));
        }
        CaseCommand::IssuePenaltyNotice {
            proposed_penalty,
            legal_basis,
        } => {
            let p = text(action, "proposed_penalty", proposed_penalty)?;
            let b = text(action, "legal_basis", legal_basis)?;
            f.case.proposed_penalty = Some(format!("{p} ({b})"));
        }
        CaseCommand::DecidePenalty {
            decision_number,
            fine_fen,
            amount_involved_fen,
            confiscated_fen,
            legal_basis,
            statement_closed,
        } => {
            let n = text(action, "decision_number", decision_number)?;
            let b = text(action, "legal_basis", legal_basis)?;
            for (field, v) in [
                ("fine", fine_fen),
                ("amount involved", amount_involved_fen),
                ("confiscated value", confiscated_fen),
            ] {
                if *v < 0 {
                    return Err(CaseError::Guard {
                        action,
                        reason: format!("the {field} cannot be negative"),
                    });
                }
            }
            let running = f.deadlines.iter().find(|d| {
                d.kind() == DeadlineKind::StatementPeriod
                    && d.is_open()
                    && d.object_type == ObjectType::Case
            });
            if let Some(sp) = running {
                if !statement_closed && today <= sp.due {
                    return Err(CaseError::Guard {
                        action,
                        reason: format!(
                            "the party's statement and hearing period runs until {}; decide after it, or record that the party has made or waived their statement",
                            sp.due
                        ),
                    });
                }
            }
            f.case.penalty = Some(PenaltyDecision {
                decision_number: n,
                fine_fen: *fine_fen,
                amount_involved_fen: *amount_involved_fen,
                confiscated_fen: *confiscated_fen,
                legal_basis: b,
                on: today,
                decided_by: actor.user,
            });
        }
        CaseCommand::BeginEnforcement { served_on } => {
            let decided = f
                .case
                .penalty
                .as_ref()
                .map(|p| p.on)
                .ok_or_else(|| CaseError::Corrupt("no penalty decision".into()))?;
            if *served_on < decided || *served_on > today {
                return Err(CaseError::Guard {
                    action,
                    reason: format!("the service date {served_on} must lie between the decision ({decided}) and today ({today})"),
                });
            }
            f.case.served_on = Some(*served_on);
            start_on = *served_on;
        }
        CaseCommand::RecordDisclosure { reference } => {
            f.case.disclosure = Some(text(action, "reference", reference)?)
        }
        CaseCommand::Close { summary } => {
            let s = text(action, "summary", summary)?;
            if from == CaseState::Enforcement && f.case.disclosure.is_none() {
                return Err(CaseError::Guard {
                    action,
                    reason: "record the disclosure of the penalty decision (公示) before closing"
                        .into(),
                });
            }
            f.case.last_reason = Some(s);
        }
        CaseCommand::ReferToPolice {
            police_org,
            police_agency_type,
            legal_basis,
            reason,
            materials,
            case_file_list,
            evidence_list,
            seized_goods_list,
        } => {
            if !police_agency_type.receives_criminal_referrals() {
                return Err(CaseError::Guard {
                    action,
                    reason: format!(
                        "a criminal referral goes to a police organization, not to {}",
                        police_agency_type.label_zh()
                    ),
                });
            }
            let order = TransferOrder {
                id: TransferId(ids.next()?),
                kind: TransferKind::CriminalReferral,
                case: f.case.id,
                from_org: f.case.responsible_org,
                to_org: *police_org,
                legal_basis: text(action, "legal_basis", legal_basis)?,
                reason: text(action, "reason", reason)?,
                materials: materials.clone(),
                case_file_list: list(action, "case_file_list", case_file_list)?,
                evidence_list: list(action, "evidence_list", evidence_list)?,
                seized_goods_list: list(
                    action,
                    "seized_goods_list (write 无 when there are none)",
                    seized_goods_list,
                )?,
                sent_by: actor.user,
                sent_at: ctx.now,
                ack_deadline: DeadlineId(uuid::Uuid::nil()),
                acknowledged_by: None,
                acknowledged_at: None,
                refusal_reason: None,
                feedback_deadline: None,
                feedback: None,
                status: TransferStatus::Sent,
                version: 0,
            };
            new_transfer = Some((order.id, order.kind, order.to_org));
            f.transfers.push(order);
        }
        CaseCommand::TransferOut {
            to_org,
            legal_basis,
            reason,
            materials,
        } => {
            if *to_org == f.case.responsible_org {
                return Err(CaseError::Guard {
                    action,
                    reason: "a case cannot be transferred to its own agency".into(),
                });
            }
            let order = TransferOrder {
                id: TransferId(ids.next()?),
                kind: TransferKind::Transfer,
                case: f.case.id,
                from_org: f.case.responsible_org,
                to_org: *to_org,
                legal_basis: text(action, "legal_basis", legal_basis)?,
                reason: text(action, "reason", reason)?,
                materials: materials.clone(),
                case_file_list: Vec::new(),
                evidence_list: Vec::new(),
                seized_goods_list: Vec::new(),
                sent_by: actor.user,
                sent_at: ctx.now,
                ack_deadline: DeadlineId(uuid::Uuid::nil()),
                acknowledged_by: None,
                acknowledged_at: None,
                refusal_reason: None,
                feedback_deadline: None,
                feedback: None,
                status: TransferStatus::Sent,
                version: 0,
            };
            new_transfer = Some((order.id, order.kind, order.to_org));
            f.transfers.push(order);
        }
        CaseCommand::AcknowledgeReferral => {
            let o = pending_order(&mut f)?;
            if o.status != TransferStatus::Sent {
                return Err(CaseError::Guard {
                    action,
                    reason: "the referral was already acknowledged".into(),
                });
            }
            o.status = TransferStatus::Accepted;
            o.acknowledged_by = Some(actor.user);
            o.acknowledged_at = Some(ctx.now);
        }
        CaseCommand::RefuseReferral { reason } | CaseCommand::RefuseTransfer { reason } => {
            let r = text(action, "reason", reason)?;
            let o = pending_order(&mut f)?;
            if o.status != TransferStatus::Sent {
                return Err(CaseError::Guard {
                    action,
                    reason: "only a transfer not yet acknowledged can be refused".into(),
                });
            }
            o.status = TransferStatus::Refused;
            o.acknowledged_by = Some(actor.user);
            o.acknowledged_at = Some(ctx.now);
            o.refusal_reason = Some(r.clone());
            f.case.last_reason = Some(r);
        }
        CaseCommand::PoliceFile {
            reference_number,
            notes,
        } => {
            let n = text(action, "reference_number", reference_number)?;
            police_feedback(&mut f, actor, ctx, "立案", n, notes.trim().to_string())?;
            f.case.last_reason = Some("移送公安机关立案".into());
        }
        CaseCommand::PoliceDecline {
            reference_number,
            reason,
        } => {
            let n = text(action, "reference_number", reference_number)?;
            let r = text(action, "reason", reason)?;
            police_feedback(&mut f, actor, ctx, "不予立案", n, r.clone())?;
            f.case.last_reason = Some(r);
        }
        CaseCommand::AcceptTransfer => {
            let o = pending_order(&mut f)?;
            if o.status != TransferStatus::Sent {
                return Err(CaseError::Guard {
                    action,
                    reason: "the transfer was already acknowledged".into(),
                });
            }
            o.status = TransferStatus::Accepted;
            o.acknowledged_by = Some(actor.user);
            o.acknowledged_at = Some(ctx.now);
            let receiver = o.to_org;
            // Responsibility moves on acknowledgement; the receiver verifies afresh.
            f.case.responsible_org = receiver;
            f.case.verifier = Some(actor.user);
            f.case.case_officer = None;
            f.case.co_officers.clear();
            f.case.opening = None;
        }
        CaseCommand::Suspend { reason } | CaseCommand::Terminate { reason } => {
            f.case.last_reason = Some(text(action, "reason", reason)?);
        }
        CaseCommand::ReassignOfficer { case_officer } => {
            if f.case.case_officer == Some(*case_officer) {
                return Err(CaseError::Guard {
                    action,
                    reason: "that officer is already the case officer".into(),
                });
            }
            if let Some(old) = f.case.case_officer.replace(*case_officer) {
                f.case.co_officers.retain(|u| u != case_officer);
                if !f.case.co_officers.contains(&old) {
                    f.case.co_officers.push(old);
                }
            }
        }
        CaseCommand::ExtendDeadline {
            kind,
            days,
            reason,
            collective,
        } => {
            let r = text(action, "reason", reason)?;
            let cal = env.calendar;
            let dl = f
                .deadlines
                .iter_mut()
                .find(|d| d.kind() == *kind && d.is_open() && d.object_type == ObjectType::Case)
                .ok_or_else(|| CaseError::Guard {
                    action,
                    reason: format!("the case has no running {kind} deadline"),
                })?;
            dl.extend(
                Extension {
                    days: *days,
                    approved_by: actor.user,
                    approved_on: today,
                    reason: r,
                    collective: *collective,
                },
                cal,
            )?;
        }
        CaseCommand::LinkLead { lead } => {
            if f.links.iter().any(|l| l.lead == *lead) {
                return Err(CaseError::Guard {
                    action,
                    reason: format!("lead {lead} is already linked to this case"),
                });
            }
            f.links.push(CaseLeadLink {
                case: f.case.id,
                lead: *lead,
                linked_by: actor.user,
                linked_at: ctx.now,
            });
        }
    }

    // The state step.
    let to = match t.to {
        Target::To(s) => s,
        Target::Same => from,
        Target::Return => f.case.resume_to.ok_or_else(|| {
            CaseError::Corrupt(format!("{action} from {from} with no state to return to"))
        })?,
    };
    let waiting = |s: CaseState| {
        matches!(
            s,
            CaseState::Suspended | CaseState::TransferPending | CaseState::ReferredToPolice
        )
    };
    f.case.resume_to = match (waiting(to), to == from) {
        (true, true) => f.case.resume_to,
        (true, false) => Some(from),
        (false, _) => None,
    };
    f.case.state = to;
    if let Some((id, kind, receiver)) = new_transfer {
        f.case.pending_transfer = Some(PendingTransfer {
            transfer: id,
            receiver,
            kind,
        });
    } else if matches!(
        action,
        Action::RefuseReferral
            | Action::RefuseTransfer
            | Action::PoliceFile
            | Action::PoliceDecline
            | Action::AcceptTransfer
    ) {
        f.case.pending_transfer = None;
    }

    apply_effects(&mut f, file, t.effects, start_on, today, env, &mut ids)?;
    finish(Some(file), f, actor, action, ctx, ids)
}

fn pending_order(f: &mut CaseFile) -> Result<&mut TransferOrder, CaseError> {
    let p = f
        .case
        .pending_transfer
        .ok_or_else(|| CaseError::Corrupt("no pending transfer".into()))?;
    f.transfers
        .iter_mut()
        .find(|o| o.id == p.transfer)
        .ok_or_else(|| {
            CaseError::Corrupt(format!(
                "pending transfer {} not in the case file",
                p.transfer
            ))
        })
}

fn police_feedback(
    f: &mut CaseFile,
    actor: &Actor,
    ctx: &Context,
    outcome: &str,
    reference_number: String,
    notes: String,
) -> Result<(), CaseError> {
    let o = pending_order(f)?;
    if o.acknowledged_by.is_none() {
        // Filing or declining implies the receipt was signed.
        o.acknowledged_by = Some(actor.user);
        o.acknowledged_at = Some(ctx.now);
    }
    o.status = TransferStatus::FeedbackReported;
    o.feedback = Some(Feedback {
        outcome: outcome.to_string(),
        reference_number,
        notes,
        reported_by: actor.user,
        reported_at: ctx.now,
    });
    Ok(())
}

/// Applies a row's deadline effects. Effects on a deadline that does not exist or is no
/// longer open are skipped: e.g. `Stop(payment)` when closing a case that had no fine.
fn apply_effects(
    f: &mut CaseFile,
    before: &CaseFile,
    effects: &[Effect],
    start_on: NaiveDate,
    today: NaiveDate,
    env: Env<'_>,
    ids: &mut IdSupply<'_>,
) -> Result<(), CaseError> {
    let cal = env.calendar;
    let case_id = f.case.id;
    let transfer_id = f
        .case
        .pending_transfer
        .map(|p| p.transfer)
        .or_else(|| before.case.pending_transfer.map(|p| p.transfer));
    let on_case = |d: &Deadline| d.object_type == ObjectType::Case;
    for e in effects {
        match *e {
            Effect::Start(kind) => {
                let rule = env
                    .rules
                    .effective(kind, f.case.responsible_org, env.overrides)?;
                let dl = Deadline::start(
                    DeadlineId(ids.next()?),
                    Some(case_id),
                    ObjectType::Case,
                    case_id.0,
                    f.case.responsible_org,
                    rule,
                    start_on,
                    cal,
                )?;
                f.deadlines.push(dl);
            }
            Effect::Stop(kind) => {
                for d in f
                    .deadlines
                    .iter_mut()
                    .filter(|d| on_case(d) && d.kind() == kind && d.is_open())
                {
                    d.stop(today, cal)?;
                }
            }
            Effect::Pause(kind) => {
                for d in f
                    .deadlines
                    .iter_mut()
                    .filter(|d| on_case(d) && d.kind() == kind && d.is_open() && !d.is_paused())
                {
                    d.pause(today, "case paused")?;
                }
            }
            Effect::Resume(kind) => {
                for d in f
                    .deadlines
                    .iter_mut()
                    .filter(|d| on_case(d) && d.kind() == kind && d.is_open() && d.is_paused())
                {
                    d.resume(today, cal)?;
                }
            }
            Effect::PauseAll => {
                for d in f
                    .deadlines
                    .iter_mut()
                    .filter(|d| on_case(d) && d.is_open() && !d.is_paused())
                {
                    d.pause(today, "transferred")?;
                }
            }
            Effect::ResumeAll => {
                for d in f
                    .deadlines
                    .iter_mut()
                    .filter(|d| on_case(d) && d.is_open() && d.is_paused())
                {
                    d.resume(today, cal)?;
                }
            }
            Effect::CancelAll => {
                for d in f.deadlines.iter_mut().filter(|d| on_case(d) && d.is_open()) {
                    d.cancel(today)?;
                }
            }
            Effect::StartAck(kind) | Effect::StartFeedback(kind) => {
                let tid = transfer_id
                    .ok_or_else(|| CaseError::Corrupt("no transfer for its deadline".into()))?;
                let o = f
                    .transfers
                    .iter_mut()
                    .find(|o| o.id == tid)
                    .ok_or_else(|| {
                        CaseError::Corrupt(format!("transfer {tid} not in the case file"))
                    })?;
                let rule = env.rules.effective(kind, o.to_org, env.overrides)?;
                let dl = Deadline::start(
                    DeadlineId(ids.next()?),
                    Some(case_id),
                    ObjectType::TransferOrder,
                    tid.0,
                    o.to_org,
                    rule,
                    today,
                    cal,
                )?;
                if matches!(e, Effect::StartAck(_)) {
                    o.ack_deadline = dl.id;
                } else {
                    o.feedback_deadline = Some(dl.id);
                }
                f.deadlines.push(dl);
            }
            Effect::StopAck | Effect::StopFeedback => {
                let Some(tid) = transfer_id else { continue };
                let Some(o) = f.transfers.iter().find(|o| o.id == tid) else {
                    continue;
                };
                let target = if matches!(e, Effect::StopAck) {
                    Some(o.ack_deadline)
                } else {
                    o.feedback_deadline
                };
                if let Some(did) = target {
                    for d in f
                        .deadlines
                        .iter_mut()
                        .filter(|d| d.id == did && d.is_open())
                    {
                        d.stop(today, cal)?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Bumps versions and records one event per changed or new object: the case first,
/// then deadlines, transfer orders and links.
fn finish(
    before: Option<&CaseFile>,
    mut after: CaseFile,
    actor: &Actor,
    action: Action,
    ctx: &Context,
    mut ids: IdSupply<'_>,
) -> Result<Change<CaseFile>, CaseError> {
    let rec = Recorder {
        ctx,
        actor: actor.user,
        actor_org: actor.org,
        root_case: Some(after.case.id),
    };
    let name = format!("case.{action}");
    let mut events: Vec<AuditEvent> = Vec::new();

    after.case.version = before.map_or(1, |b| b.case.version + 1);
    let bc = before.map(|b| &b.case);
    events.push(rec.event(
        &mut ids,
        &name,
        ObjectType::Case,
        after.case.id.0,
        bc,
        &after.case,
    )?);

    for d in &mut after.deadlines {
        let old = before.and_then(|b| b.deadlines.iter().find(|x| x.id == d.id));
        if let Some(o) = old {
            d.version = o.version;
            if to_value(o) == to_value(&*d) {
                continue;
            }
            d.version = o.version + 1;
        } else {
            d.version = 1;
        }
        events.push(rec.event(&mut ids, &name, ObjectType::Deadline, d.id.0, old, &*d)?);
    }
    for t in &mut after.transfers {
        let old = before.and_then(|b| b.transfers.iter().find(|x| x.id == t.id));
        if let Some(o) = old {
            t.version = o.version;
            if to_value(o) == to_value(&*t) {
                continue;
            }
            t.version = o.version + 1;
        } else {
            t.version = 1;
        }
        events.push(rec.event(&mut ids, &name, ObjectType::TransferOrder, t.id.0, old, &*t)?);
    }
    for l in &after.links {
        let existed = before.is_some_and(|b| b.links.iter().any(|x| x.lead == l.lead));
        if !existed {
            let link_id = uuid::Uuid::new_v5(&l.case.0, l.lead.0.as_bytes());
            events.push(rec.event(&mut ids, &name, ObjectType::CaseLead, link_id, None, l)?);
        }
    }
    let events = Events::new(events).ok_or_else(|| CaseError::Corrupt("no events".into()))?;
    Ok(Change::new(after, events))
}
