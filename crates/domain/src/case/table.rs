//! The case state machine as one table of data. Everything else — the checks in
//! [`super::apply`], the permission seam [`super::may`], the text diagram in
//! ARCHITECTURE.md ([`render_state_diagram`]) — reads this table, so the docs never drift
//! from the code.

use std::fmt::{self, Write as _};

use serde::{Deserialize, Serialize};

use crate::deadline::DeadlineKind;
use crate::org::Role;

/// The states of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// 线索登记: registered from one or more leads.
    Registered,
    /// 核查: an officer checks whether to open a case.
    Verifying,
    /// 不予立案 (final).
    Declined,
    /// 立案.
    Opened,
    /// 调查取证.
    Investigating,
    /// 检验鉴定 (the decision clock is paused).
    Testing,
    /// 处罚告知: the party may state their case or ask for a hearing.
    PenaltyNotice,
    /// 处罚决定.
    PenaltyDecided,
    /// 执行.
    Enforcement,
    /// 结案 (final).
    Closed,
    /// 移送公安: a criminal referral awaits the police's decision.
    ReferredToPolice,
    /// 移送其他部门: a transfer awaits the receiver's acknowledgement.
    TransferPending,
    /// 中止 (resumable; the decision clock is paused).
    Suspended,
    /// 终止 (final).
    Terminated,
}

impl CaseState {
    /// Every state, in diagram order.
    pub const ALL: [CaseState; 14] = [
        Self::Registered,
        Self::Verifying,
        Self::Declined,
        Self::Opened,
        Self::Investigating,
        Self::Testing,
        Self::PenaltyNotice,
        Self::PenaltyDecided,
        Self::Enforcement,
        Self::Closed,
        Self::ReferredToPolice,
        Self::TransferPending,
        Self::Suspended,
        Self::Terminated,
    ];

    /// Code name (serde name, database value).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Verifying => "verifying",
            Self::Declined => "declined",
            Self::Opened => "opened",
            Self::Investigating => "investigating",
            Self::Testing => "testing",
            Self::PenaltyNotice => "penalty_notice",
            Self::PenaltyDecided => "penalty_decided",
            Self::Enforcement => "enforcement",
            Self::Closed => "closed",
            Self::ReferredToPolice => "referred_to_police",
            Self::TransferPending => "transfer_pending",
            Self::Suspended => "suspended",
            Self::Terminated => "terminated",
        }
    }

    /// The Chinese label for the UI.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Registered => "线索登记",
            Self::Verifying => "核查",
            Self::Declined => "不予立案",
            Self::Opened => "立案",
            Self::Investigating => "调查取证",
            Self::Testing => "检验鉴定",
            Self::PenaltyNotice => "处罚告知",
            Self::PenaltyDecided => "处罚决定",
            Self::Enforcement => "执行",
            Self::Closed => "结案",
            Self::ReferredToPolice => "移送公安",
            Self::TransferPending => "移送其他部门",
            Self::Suspended => "中止",
            Self::Terminated => "终止",
        }
    }

    /// Final states accept no command at all.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Declined | Self::Closed | Self::Terminated)
    }

    /// States in which a case officer (办案责任人) must be assigned.
    pub fn needs_case_officer(self) -> bool {
        matches!(
            self,
            Self::Opened
                | Self::Investigating
                | Self::Testing
                | Self::PenaltyNotice
                | Self::PenaltyDecided
                | Self::Enforcement
        )
    }
}

impl fmt::Display for CaseState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What can be done to a case. One row in [`TRANSITIONS`] each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Create the case from leads (线索登记).
    Register,
    /// Assign a verifier and start checking (核查).
    StartVerification,
    /// 立案.
    Open,
    /// 不予立案.
    Decline,
    /// Start the investigation (调查取证).
    BeginInvestigation,
    /// Send goods for testing or identification (检验检测、鉴定).
    RequestTesting,
    /// The testing result is in.
    CompleteTesting,
    /// Notify the party of the intended penalty (处罚告知).
    IssuePenaltyNotice,
    /// 作出处罚决定.
    DecidePenalty,
    /// The decision is served; enforcement begins (执行).
    BeginEnforcement,
    /// The decision was published (公示).
    RecordDisclosure,
    /// 结案.
    Close,
    /// Refer to the police (移送公安, 两法衔接).
    ReferToPolice,
    /// The police sign the receipt (回执).
    AcknowledgeReferral,
    /// The police refuse to receive the referral.
    RefuseReferral,
    /// The police open a criminal case (立案): the administrative case closes.
    PoliceFile,
    /// The police decline (不予立案): administrative handling continues.
    PoliceDecline,
    /// Transfer to another agency (移送其他部门).
    TransferOut,
    /// The receiver accepts: responsibility moves to it.
    AcceptTransfer,
    /// The receiver refuses: the case returns to the sender.
    RefuseTransfer,
    /// 中止.
    Suspend,
    /// Resume after 中止.
    Resume,
    /// 终止.
    Terminate,
    /// Replace the case officer (办案责任人).
    ReassignOfficer,
    /// Extend a running deadline (延期, approved by a supervisor).
    ExtendDeadline,
    /// Link another lead to the case.
    LinkLead,
}

impl Action {
    /// Code name (serde name; audit `action` is `case.<name>`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::StartVerification => "start_verification",
            Self::Open => "open",
            Self::Decline => "decline",
            Self::BeginInvestigation => "begin_investigation",
            Self::RequestTesting => "request_testing",
            Self::CompleteTesting => "complete_testing",
            Self::IssuePenaltyNotice => "issue_penalty_notice",
            Self::DecidePenalty => "decide_penalty",
            Self::BeginEnforcement => "begin_enforcement",
            Self::RecordDisclosure => "record_disclosure",
            Self::Close => "close",
            Self::ReferToPolice => "refer_to_police",
            Self::AcknowledgeReferral => "acknowledge_referral",
            Self::RefuseReferral => "refuse_referral",
            Self::PoliceFile => "police_file",
            Self::PoliceDecline => "police_decline",
            Self::TransferOut => "transfer_out",
            Self::AcceptTransfer => "accept_transfer",
            Self::RefuseTransfer => "refuse_transfer",
            Self::Suspend => "suspend",
            Self::Resume => "resume",
            Self::Terminate => "terminate",
            Self::ReassignOfficer => "reassign_officer",
            Self::ExtendDeadline => "extend_deadline",
            Self::LinkLead => "link_lead",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a transition goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A fixed state.
    To(CaseState),
    /// The state stays (an action on the case that is not a step).
    Same,
    /// Back to the state the case was in before it was suspended, transferred or referred.
    Return,
}

/// Whose members may act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The case's responsible agency.
    Responsible,
    /// The receiver of the pending transfer or referral.
    Receiver,
}

/// What a transition does to deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Start a deadline of this kind on the case (today; payment: the service date).
    Start(DeadlineKind),
    /// The act was done: the open deadline of this kind is met or breached.
    Stop(DeadlineKind),
    /// Pause the open deadline of this kind.
    Pause(DeadlineKind),
    /// Resume the paused deadline of this kind.
    Resume(DeadlineKind),
    /// Pause every running deadline of the case.
    PauseAll,
    /// Resume every paused deadline of the case.
    ResumeAll,
    /// Cancel every open deadline of the case (the obligation lapsed).
    CancelAll,
    /// Start the acknowledgement deadline of this kind on the new transfer order.
    StartAck(DeadlineKind),
    /// The transfer was acknowledged: its acknowledgement deadline is met or breached.
    StopAck,
    /// Start the feedback deadline of this kind on the transfer order.
    StartFeedback(DeadlineKind),
    /// The receiver reported: the transfer's feedback deadline is met or breached.
    StopFeedback,
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Start(k) => write!(f, "start {k}"),
            Self::Stop(k) => write!(f, "stop {k}"),
            Self::Pause(k) => write!(f, "pause {k}"),
            Self::Resume(k) => write!(f, "resume {k}"),
            Self::PauseAll => f.write_str("pause all"),
            Self::ResumeAll => f.write_str("resume all"),
            Self::CancelAll => f.write_str("cancel all"),
            Self::StartAck(k) => write!(f, "start {k} (transfer)"),
            Self::StopAck => f.write_str("stop acknowledgement (transfer)"),
            Self::StartFeedback(k) => write!(f, "start {k} (transfer)"),
            Self::StopFeedback => f.write_str("stop feedback (transfer)"),
        }
    }
}

/// One row of the state machine.
#[derive(Debug, Clone, Copy)]
pub struct Transition {
    /// The action.
    pub action: Action,
    /// States it is allowed from (empty: creates the case).
    pub from: &'static [CaseState],
    /// Where it goes.
    pub to: Target,
    /// Whose members may act.
    pub party: Party,
    /// Roles that may act (any one suffices). An officer who is not the case officer or
    /// a co-officer may not act once a case officer is assigned; a supervisor may.
    pub roles: &'static [Role],
    /// Fields the command must carry (non-empty).
    pub requires: &'static [&'static str],
    /// Deadline effects, applied in order.
    pub effects: &'static [Effect],
    /// The rule behind the step.
    pub basis: &'static str,
}

use CaseState as S;
use DeadlineKind as K;
use Effect as E;

const OFFICER: &[Role] = &[Role::Officer, Role::Supervisor];
const SUPERVISOR: &[Role] = &[Role::Supervisor];
const ACTIVE: &[CaseState] = &[
    S::Registered,
    S::Verifying,
    S::Opened,
    S::Investigating,
    S::Testing,
    S::PenaltyNotice,
    S::PenaltyDecided,
    S::Enforcement,
    S::ReferredToPolice,
    S::TransferPending,
    S::Suspended,
];

/// The state machine. One row per action.
pub const TRANSITIONS: &[Transition] = &[
    Transition {
        action: Action::Register,
        from: &[],
        to: Target::To(S::Registered),
        party: Party::Responsible,
        roles: OFFICER,
        requires: &["number", "title", "leads"],
        effects: &[E::Start(K::LeadVerification)],
        basis: "市场监督管理行政处罚程序规定 第十八条 (clock from the earliest lead)",
    },
    Transition {
        action: Action::StartVerification,
        from: &[S::Registered],
        to: Target::To(S::Verifying),
        party: Party::Responsible,
        roles: OFFICER,
        requires: &["verifier"],
        effects: &[],
        basis: "第十八条 核查",
    },
    Transition {
        action: Action::Open,
        from: &[S::Verifying],
        to: Target::To(S::Opened),
        party: Party::Responsible,
        roles: SUPERVISOR,
        requires: &["case_officer", "co_officers", "legal_basis"],
        effects: &[E::Stop(K::LeadVerification), E::Start(K::CaseDecision)],
        basis: "第十九条 (负责人 decides; two or more officers)",
    },
    Transition {
        action: Action::Decline,
        from: &[S::Verifying],
        to: Target::To(S::Declined),
        party: Party::Responsible,
        roles: SUPERVISOR,
        requires: &["reason"],
        effects: &[E::Stop(K::LeadVerification), E::CancelAll],
        basis: "第二十条 不予立案",
    },
    Transition {
        action: Action::BeginInvestigation,
        from: &[S::Opened],
        to: Target::To(S::Investigating),
        party: Party::Responsible,
        roles: OFFICER,
        requires: &[],
        effects: &[],
        basis: "调查取证",
    },
    Transition {
        action: Action::RequestTesting,
        from: &[S::Investigating],
        to: Target::To(S::Testing),
        party: Party::Responsible,
        roles: OFFICER,
        requires: &["testing_body", "items"],
        effects: &[E::Pause(K::CaseDecision)],
        basis: "第六十四条第二款: testing time not counted",
    },
    Transition {
        action: Action::CompleteTesting,
        from: &[S::Testing],
        to: Target::To(S::Investigating),
        party: Party::Responsible,
        roles: OFFICER,
        requires: &["result_summary"],
        effects: &[E::Resume(K::CaseDecision)],
        basis: "第六十四条第二款",
    },
    Transition {
        action: Action::IssuePenaltyNotice,
        from: &[S::Investigating],
        to: Target::To(S::PenaltyNotice),
        party: Party::Responsible,
        roles: SUPERVISOR,
        requires: &["proposed_penalty", "legal_basis"],
        effects: &[E::Start(K::StatementPeriod)],
        basis: "行政处罚法 第四十四条 告知; 陈述申辩、听证",
    },
    Transition {
        action: Action::DecidePenalty,
        from: &[S::PenaltyNotice],
        to: Target::To(S::PenaltyDecided),
        party: Party::Responsible,
        roles: SUPERVISOR,
        requires: &["decision_number", "fine_fen", "legal_basis"],
        effects: &[
            E::Stop(K::StatementPeriod),
            E::Stop(K::CaseDecision),
            E::Start(K::PenaltyDisclosure),
        ],
        basis: "第六十四条 (within 90 days of opening); disclosure within 7 working days",
    },
    Transition {
        action: Action::BeginEnforcement,
        from: &[S::PenaltyDecided],
        to: Target::To(S::Enforcement),
        party: Party::Responsible,
        roles: OFFICER,
        requires: &["served_on"],
        effects: &[E::Start(K::Payment)],
        basis: "行政处罚法 第六十七条 (pay within 15 days of service)",
    },
    Transition {
        action: Action::RecordDisclosure,
        from: &[S::PenaltyDecided, S::Enforcement],
        to: Target::Same,
        party: Party::Responsible,
        roles: OFFICER,
        requires: &["reference"],
        effects: &[E::Stop(K::PenaltyDisclosure)],
        basis: "seed 004 五(三); 行政处罚信息公示规定",
    },
    Transition {
        action: Action::Close,
        from: &[S::Investigating, S::Enforcement],
        to: Target::To(S::Closed),
        party: Party::Responsible,
        roles: SUPERVISOR,
        requires: &["summary"],
        effects: &[E::Stop(K::CaseDecision), E::Stop(K::Payment), E::CancelAll],
        basis: "结案 (from investigating: 不予行政处罚; from enforcement: after disclosure)",
    },
    Transition {
        action: Action::ReferToPolice,
        from: &[
            S::Verifying,
            S::Opened,
            S::Investigating,
            S::Testing,
            S::PenaltyNotice,
        ],
        to: Target::To(S::ReferredToPolice),
        party: Party::Responsible,
        roles: SUPERVISOR,
        requires: &[
            "police_org",
            "legal_basis",
            "reason",
            "case_file_list",
            "evidence_list",
            "seized_goods_list",
        ],
        effects: &[E::PauseAll, E::StartAck(K::ReferralAcknowledgement)],
        basis: "行政执法机关移送涉嫌犯罪案件的规定 第五条、第六条",
    },
    Transition {
        action: Action::AcknowledgeReferral,
        from: &[S::ReferredToPolice],
        to: Target::Same,
        party: Party::Receiver,
        roles: OFFICER,
        requires: &[],
        effects: &[E::StopAck, E::StartFeedback(K::PoliceReview)],
        basis: "同规定 第八条 (receipt; review within 3 days)",
    },
    Transition {
        action: Action::RefuseReferral,
        from: &[S::ReferredToPolice],
        to: Target::Return,
        party: Party::Receiver,
        roles: OFFICER,
        requires: &["reason"],
        effects: &[E::StopAck, E::ResumeAll],
        basis: "同规定 第八条",
    },
    Transition {
        action: Action::PoliceFile,
        from: &[S::ReferredToPolice],
        to: Target::To(S::Closed),
        party: Party::Receiver,
        roles: OFFICER,
        requires: &["reference_number"],
        effects: &[E::StopAck, E::StopFeedback, E::CancelAll],
        basis: "同规定 第八条 (立案, written notice to the sender)",
    },
    Transition {
        action: Action::PoliceDecline,
        from: &[S::ReferredToPolice],
        to: Target::Return,
        party: Party::Receiver,
        roles: OFFICER,
        requires: &["reference_number", "reason"],
        effects: &[E::StopAck, E::StopFeedback, E::ResumeAll],
        basis: "同规定 第八条、第九条 (不予立案, reasons; the sender may ask for review)",
    },
    Transition {
        action: Action::TransferOut,
        from: &[S::Registered, S::Verifying, S::Opened, S::Investigating],
        to: Target::To(S::TransferPending),
        party: Party::Responsible,
        roles: SUPERVISOR,
        requires: &["to_org", "legal_basis", "reason"],
        effects: &[E::PauseAll, E::StartAck(K::TransferAcknowledgement)],
        basis: "市场监督管理行政处罚程序规定 (移送其他有关部门); seed 001 二(二)",
    },
    Transition {
        action: Action::AcceptTransfer,
        from: &[S::TransferPending],
        to: Target::To(S::Verifying),
        party: Party::Receiver,
        roles: OFFICER,
        requires: &[],
        effects: &[
            E::StopAck,
            E::CancelAll,
            E::Start(K::LeadVerification),
            E::StartFeedback(K::TransferFeedback),
        ],
        basis:
            "第十八条 (receiver verifies within 15 working days of receipt); responsibility moves",
    },
    Transition {
        action: Action::RefuseTransfer,
        from: &[S::TransferPending],
        to: Target::Return,
        party: Party::Receiver,
        roles: OFFICER,
        requires: &["reason"],
        effects: &[E::StopAck, E::ResumeAll],
        basis: "receiver refuses with a reason",
    },
    Transition {
        action: Action::Suspend,
        from: &[S::Opened, S::Investigating, S::PenaltyNotice],
        to: Target::To(S::Suspended),
        party: Party::Responsible,
        roles: SUPERVISOR,
        requires: &["reason"],
        effects: &[E::Pause(K::CaseDecision)],
        basis: "中止调查; 第六十四条第二款: 中止 not counted",
    },
    Transition {
        action: Action::Resume,
        from: &[S::Suspended],
        to: Target::Return,
        party: Party::Responsible,
        roles: SUPERVISOR,
        requires: &[],
        effects: &[E::Resume(K::CaseDecision)],
        basis: "恢复调查",
    },
    Transition {
        action: Action::Terminate,
        from: &[
            S::Registered,
            S::Verifying,
            S::Opened,
            S::Investigating,
            S::Testing,
            S::PenaltyNotice,
            S::Suspended,
        ],
        to: Target::To(S::Terminated),
        party: Party::Responsible,
        roles: SUPERVISOR,
        requires: &["reason"],
        effects: &[E::CancelAll],
        basis: "终止调查",
    },
    Transition {
        action: Action::ReassignOfficer,
        from: &[
            S::Opened,
            S::Investigating,
            S::Testing,
            S::PenaltyNotice,
            S::PenaltyDecided,
            S::Enforcement,
            S::Suspended,
        ],
        to: Target::Same,
        party: Party::Responsible,
        roles: SUPERVISOR,
        requires: &["case_officer"],
        effects: &[],
        basis: "办案责任制: one responsible officer (seed 003 一)",
    },
    Transition {
        action: Action::ExtendDeadline,
        from: ACTIVE,
        to: Target::Same,
        party: Party::Responsible,
        roles: SUPERVISOR,
        requires: &["kind", "days", "reason"],
        effects: &[],
        basis: "第十八条 / 第六十四条: extension approved by the 负责人",
    },
    Transition {
        action: Action::LinkLead,
        from: ACTIVE,
        to: Target::Same,
        party: Party::Responsible,
        roles: OFFICER,
        requires: &["lead"],
        effects: &[],
        basis: "leads and cases are many-to-many",
    },
];

/// The row for `action`.
pub fn transition(action: Action) -> &'static Transition {
    // TRANSITIONS has one row per Action variant (a test checks it); fall back to the
    // first row rather than panic if that were ever broken.
    TRANSITIONS
        .iter()
        .find(|t| t.action == action)
        .unwrap_or(&TRANSITIONS[0])
}

/// The actions allowed from `state`.
pub fn actions_from(state: CaseState) -> Vec<Action> {
    TRANSITIONS
        .iter()
        .filter(|t| t.from.contains(&state))
        .map(|t| t.action)
        .collect()
}

/// The state machine as text, for ARCHITECTURE.md and `wangjian` CLI help. Generated from
/// [`TRANSITIONS`], so it cannot drift.
pub fn render_state_diagram() -> String {
    let mut s = String::new();
    s.push_str("Case states\n");
    for st in CaseState::ALL {
        let fin = if st.is_final() { "  (final)" } else { "" };
        let _ = writeln!(s, "  {:<19}{}{fin}", st.as_str(), st.label_zh());
    }
    s.push_str("\nTransitions (from --action--> to | who | requires | deadlines)\n");
    for t in TRANSITIONS {
        let from = if t.from.is_empty() {
            "(new)".to_string()
        } else if t.from == ACTIVE {
            "(any non-final)".to_string()
        } else {
            t.from
                .iter()
                .map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let to = match t.to {
            Target::To(x) => x.as_str().to_string(),
            Target::Same => "(same)".to_string(),
            Target::Return => "(previous state)".to_string(),
        };
        let party = match t.party {
            Party::Responsible => "responsible agency",
            Party::Receiver => "receiving agency",
        };
        let roles = t
            .roles
            .iter()
            .map(|r| format!("{r:?}").to_lowercase())
            .collect::<Vec<_>>()
            .join("|");
        let req = if t.requires.is_empty() {
            "-".to_string()
        } else {
            t.requires.join(", ")
        };
        let eff = if t.effects.is_empty() {
            "-".to_string()
        } else {
            t.effects
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        };
        let _ = writeln!(s, "  {from}\n      --{}--> {to}", t.action);
        let _ = writeln!(s, "      by {roles} of the {party}; requires {req}");
        let _ = writeln!(s, "      deadlines: {eff}");
        let _ = writeln!(s, "      basis: {}", t.basis);
    }
    s
}
