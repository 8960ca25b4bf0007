//! Transfers between agencies (线索移送 / 案件移送, and 两法衔接 criminal referrals) and
//! regional assist requests (协查).
//!
//! A [`TransferOrder`] is created and acknowledged through the case state machine
//! (`case::Action::TransferOut`, `ReferToPolice`, `AcceptTransfer`, …), because it moves
//! the case; the receiver's later feedback is a command here, on the order itself, so a
//! receiver can still report back after it has declined or closed the case.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use wangjian_calendar::{shanghai_date, Calendar};

use crate::audit::{Change, Context, Events, IdSupply, ObjectType, OutOfIds, Recorder};
use crate::deadline::{Deadline, DeadlineError, DeadlineKind, RuleSet};
use crate::id::{
    AssistRequestId, CaseId, DeadlineId, EvidenceId, OrgId, SubjectId, TransferId, UserId,
};
use crate::org::{Actor, Role};

/// Why a transfer or assist-request command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransferError {
    /// The actor is not of the receiving organization, or lacks the role.
    #[error("only an officer or supervisor of the receiving organization may {0}")]
    NotReceiver(&'static str),
    /// Wrong status for the command.
    #[error("the {what} is {status}, it cannot {action}")]
    WrongStatus {
        /// Transfer order or assist request.
        what: &'static str,
        /// Its status.
        status: String,
        /// What was tried.
        action: &'static str,
    },
    /// Feedback on a criminal referral goes through the case (police file / decline).
    #[error("a criminal referral is answered by the police's filing decision on the case, not by free feedback")]
    ReferralFeedback,
    /// A required text was empty.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// An assist request asks the sender's own agency (协查 is asked of another agency).
    #[error("ask another agency than your own")]
    AskedOwnAgency,
    /// The deadline given is not this object's.
    #[error("deadline {0} does not belong to this object")]
    WrongDeadline(DeadlineId),
    /// Deadline arithmetic failed.
    #[error(transparent)]
    Deadline(#[from] DeadlineError),
    /// The context ran out of fresh ids.
    #[error(transparent)]
    Ids(#[from] OutOfIds),
}

/// Ordinary transfer to another agency, or criminal referral to the police.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferKind {
    /// 线索移送 / 案件移送: another agency has jurisdiction.
    Transfer,
    /// 两法衔接: suspected crime, to the police (行政执法机关移送涉嫌犯罪案件的规定).
    CriminalReferral,
}

/// Stored status of a transfer order. "Overdue" is not stored: it is
/// [`TransferOrder::is_overdue`] on a given day, from its deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferStatus {
    /// Sent, not yet acknowledged.
    Sent,
    /// Accepted by the receiver.
    Accepted,
    /// Refused by the receiver (reason recorded).
    Refused,
    /// The receiver reported back.
    FeedbackReported,
}

/// The receiver's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    /// Outcome in words (立案 / 不予立案 / 已处罚 …).
    pub outcome: String,
    /// The receiver's reference number (its case number, 立案决定书号).
    pub reference_number: String,
    /// Notes.
    pub notes: String,
    /// Who reported.
    pub reported_by: UserId,
    /// When.
    pub reported_at: DateTime<Utc>,
}

/// A transfer order (lessons.md: MISP had no receipts; we do). Table `transfer_orders`;
/// the three lists are child tables or JSON arrays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferOrder {
    /// Stable id.
    pub id: TransferId,
    /// Transfer or criminal referral.
    pub kind: TransferKind,
    /// The case transferred.
    pub case: CaseId,
    /// Sender.
    pub from_org: OrgId,
    /// Receiver.
    pub to_org: OrgId,
    /// The rule the transfer is made under.
    pub legal_basis: String,
    /// Why.
    pub reason: String,
    /// Evidence transferred (ids in the evidence log, with their log proofs there).
    pub materials: Vec<EvidenceId>,
    /// 案卷材料清单 (required for a criminal referral).
    pub case_file_list: Vec<String>,
    /// 证据清单 (required for a criminal referral).
    pub evidence_list: Vec<String>,
    /// 涉案物品清单 (required for a criminal referral; state "无" explicitly when none).
    pub seized_goods_list: Vec<String>,
    /// Who sent it.
    pub sent_by: UserId,
    /// When.
    pub sent_at: DateTime<Utc>,
    /// The acknowledgement deadline.
    pub ack_deadline: DeadlineId,
    /// Who acknowledged (accepted or refused).
    pub acknowledged_by: Option<UserId>,
    /// When.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Why it was refused.
    pub refusal_reason: Option<String>,
    /// The feedback deadline (transfer feedback, or police review), once accepted.
    pub feedback_deadline: Option<DeadlineId>,
    /// The receiver's report.
    pub feedback: Option<Feedback>,
    /// Status.
    pub status: TransferStatus,
    /// Optimistic concurrency version.
    pub version: i64,
}

impl TransferOrder {
    /// True when, on `today`, the receiver owes an acknowledgement or feedback past its
    /// due date.
    pub fn is_overdue(&self, deadlines: &[Deadline], today: NaiveDate) -> bool {
        let owed = match self.status {
            TransferStatus::Sent => Some(self.ack_deadline),
            TransferStatus::Accepted => self.feedback_deadline,
            _ => None,
        };
        owed.and_then(|id| deadlines.iter().find(|d| d.id == id))
            .is_some_and(|d| d.is_open() && today > d.due)
    }
}

fn receiver_check(actor: &Actor, to_org: OrgId, what: &'static str) -> Result<(), TransferError> {
    if actor.org == to_org && (actor.has(Role::Officer) || actor.has(Role::Supervisor)) {
        Ok(())
    } else {
        Err(TransferError::NotReceiver(what))
    }
}

/// The receiver of an accepted ordinary transfer reports back: the order becomes
/// `feedback_reported` and its feedback deadline is met (or breached).
#[allow(clippy::too_many_arguments)]
pub fn report_feedback(
    order: &TransferOrder,
    feedback_deadline: &Deadline,
    actor: &Actor,
    outcome: &str,
    reference_number: &str,
    notes: &str,
    ctx: &Context,
    cal: &Calendar,
) -> Result<Change<(TransferOrder, Deadline)>, TransferError> {
    receiver_check(actor, order.to_org, "report feedback on a transfer")?;
    if order.kind == TransferKind::CriminalReferral {
        return Err(TransferError::ReferralFeedback);
    }
    if order.status != TransferStatus::Accepted {
        return Err(TransferError::WrongStatus {
            what: "transfer order",
            status: format!("{:?}", order.status).to_lowercase(),
            action: "take feedback",
        });
    }
    if order.feedback_deadline != Some(feedback_deadline.id) {
        return Err(TransferError::WrongDeadline(feedback_deadline.id));
    }
    if outcome.trim().is_empty() {
        return Err(TransferError::Empty("the feedback outcome"));
    }
    let mut o = order.clone();
    o.feedback = Some(Feedback {
        outcome: outcome.trim().to_string(),
        reference_number: reference_number.trim().to_string(),
        notes: notes.trim().to_string(),
        reported_by: actor.user,
        reported_at: ctx.now,
    });
    o.status = TransferStatus::FeedbackReported;
    o.version += 1;
    let mut dl = feedback_deadline.clone();
    dl.stop(shanghai_date(ctx.now), cal)?;
    dl.version += 1;
    let rec = Recorder {
        ctx,
        actor: actor.user,
        actor_org: actor.org,
        root_case: Some(order.case),
    };
    let mut ids = IdSupply::new(ctx);
    let events = vec![
        rec.event(
            &mut ids,
            "transfer.feedback",
            ObjectType::TransferOrder,
            o.id.0,
            Some(order),
            &o,
        )?,
        rec.event(
            &mut ids,
            "deadline.stop",
            ObjectType::Deadline,
            dl.id.0,
            Some(feedback_deadline),
            &dl,
        )?,
    ];
    let events = Events::new(events).ok_or(OutOfIds(0))?;
    Ok(Change::new((o, dl), events))
}

/// What an assist request asks another agency to check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "target", rename_all = "snake_case")]
pub enum AssistTarget {
    /// Check a subject (registration, address, premises).
    Subject {
        /// The subject.
        subject: SubjectId,
    },
    /// Check a shipment (waybill number).
    Shipment {
        /// Carrier.
        carrier: String,
        /// Waybill number.
        waybill: String,
    },
    /// Testing or identification help (检验检测、鉴定认定互助, seed 001 二(二)).
    Identification {
        /// What is to be identified.
        items: String,
    },
}

/// Status of an assist request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssistStatus {
    /// Sent, awaiting the answer.
    Sent,
    /// Answered.
    Answered,
    /// Declined (not competent, …).
    Declined,
}

impl AssistStatus {
    /// Every status.
    pub const ALL: [AssistStatus; 3] = [Self::Sent, Self::Answered, Self::Declined];

    /// Its stored name (`sent`, `answered`, `declined`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Answered => "answered",
            Self::Declined => "declined",
        }
    }
}

/// A regional assist request (协查). Table `assist_requests`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssistRequest {
    /// Stable id.
    pub id: AssistRequestId,
    /// The case it serves, if any.
    pub case: Option<CaseId>,
    /// Asking agency.
    pub from_org: OrgId,
    /// Asked agency.
    pub to_org: OrgId,
    /// What to check.
    pub target: AssistTarget,
    /// The question.
    pub question: String,
    /// Legal basis.
    pub legal_basis: String,
    /// Who sent it.
    pub sent_by: UserId,
    /// When.
    pub sent_at: DateTime<Utc>,
    /// The reply deadline.
    pub reply_deadline: DeadlineId,
    /// The answer (findings) or the reason for declining.
    pub answer: Option<String>,
    /// Answer reference number.
    pub answer_reference: Option<String>,
    /// Who answered.
    pub answered_by: Option<UserId>,
    /// When.
    pub answered_at: Option<DateTime<Utc>>,
    /// Status.
    pub status: AssistStatus,
    /// Optimistic concurrency version.
    pub version: i64,
}

/// Sends an assist request: the request and its reply deadline (协助调查, 15 working days
/// by default). The deadline belongs to the asked agency.
#[allow(clippy::too_many_arguments)]
pub fn send_assist_request(
    actor: &Actor,
    case: Option<CaseId>,
    to_org: OrgId,
    target: AssistTarget,
    question: &str,
    legal_basis: &str,
    rules: &RuleSet,
    overrides: &[crate::deadline::DeadlineOverride],
    ctx: &Context,
    cal: &Calendar,
) -> Result<Change<(AssistRequest, Deadline)>, TransferError> {
    if !(actor.has(Role::Officer) || actor.has(Role::Supervisor)) {
        return Err(TransferError::NotReceiver(
            "send an assist request (sender side)",
        ));
    }
    if to_org == actor.org {
        return Err(TransferError::AskedOwnAgency);
    }
    if question.trim().is_empty() {
        return Err(TransferError::Empty("the question"));
    }
    let mut ids = IdSupply::new(ctx);
    let id = AssistRequestId(ids.next()?);
    let rule = rules.effective(DeadlineKind::AssistReply, to_org, overrides)?;
    let dl = Deadline::start(
        DeadlineId(ids.next()?),
        case,
        ObjectType::AssistRequest,
        id.0,
        to_org,
        rule,
        shanghai_date(ctx.now),
        cal,
    )?;
    let req = AssistRequest {
        id,
        case,
        from_org: actor.org,
        to_org,
        target,
        question: question.trim().to_string(),
        legal_basis: legal_basis.trim().to_string(),
        sent_by: actor.user,
        sent_at: ctx.now,
        reply_deadline: dl.id,
        answer: None,
        answer_reference: None,
        answered_by: None,
        answered_at: None,
        status: AssistStatus::Sent,
        version: 1,
    };
    let rec = Recorder {
        ctx,
        actor: actor.user,
        actor_org: actor.org,
        root_case: case,
    };
    let events = vec![
        rec.event(
            &mut ids,
            "assist.send",
            ObjectType::AssistRequest,
            id.0,
            None,
            &req,
        )?,
        rec.event(
            &mut ids,
            "deadline.start",
            ObjectType::Deadline,
            dl.id.0,
            None,
            &dl,
        )?,
    ];
    let events = Events::new(events).ok_or(OutOfIds(0))?;
    Ok(Change::new((req, dl), events))
}

/// The asked agency answers (`declined = false`) or declines an assist request; the reply
/// deadline is met or breached.
#[allow(clippy::too_many_arguments)]
pub fn answer_assist_request(
    req: &AssistRequest,
    reply_deadline: &Deadline,
    actor: &Actor,
    answer: &str,
    reference: &str,
    declined: bool,
    ctx: &Context,
    cal: &Calendar,
) -> Result<Change<(AssistRequest, Deadline)>, TransferError> {
    receiver_check(actor, req.to_org, "answer an assist request")?;
    if req.status != AssistStatus::Sent {
        return Err(TransferError::WrongStatus {
            what: "assist request",
            status: format!("{:?}", req.status).to_lowercase(),
            action: "be answered again",
        });
    }
    if reply_deadline.id != req.reply_deadline {
        return Err(TransferError::WrongDeadline(reply_deadline.id));
    }
    if answer.trim().is_empty() {
        return Err(TransferError::Empty("the answer"));
    }
    let mut r = req.clone();
    r.answer = Some(answer.trim().to_string());
    r.answer_reference = Some(reference.trim().to_string()).filter(|s| !s.is_empty());
    r.answered_by = Some(actor.user);
    r.answered_at = Some(ctx.now);
    r.status = if declined {
        AssistStatus::Declined
    } else {
        AssistStatus::Answered
    };
    r.version += 1;
    let mut dl = reply_deadline.clone();
    dl.stop(shanghai_date(ctx.now), cal)?;
    dl.version += 1;
    let rec = Recorder {
        ctx,
        actor: actor.user,
        actor_org: actor.org,
        root_case: req.case,
    };
    let mut ids = IdSupply::new(ctx);
    let events = vec![
        rec.event(
            &mut ids,
            "assist.answer",
            ObjectType::AssistRequest,
            r.id.0,
            Some(req),
            &r,
        )?,
        rec.event(
            &mut ids,
            "deadline.stop",
            ObjectType::Deadline,
            dl.id.0,
            Some(reply_deadline),
            &dl,
        )?,
    ];
    let events = Events::new(events).ok_or(OutOfIds(0))?;
    Ok(Change::new((r, dl), events))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::RequestId;
    use chrono::TimeZone;

    fn officer(org: u128) -> Actor {
        Actor {
            user: UserId::from_u128(1),
            org: OrgId::from_u128(org),
            roles: vec![Role::Officer],
        }
    }

    fn send(actor: &Actor, to: u128) -> Result<Change<(AssistRequest, Deadline)>, TransferError> {
        let ctx = Context::with_counter(
            RequestId::from_u128(1),
            Utc.with_ymd_and_hms(2024, 10, 9, 2, 0, 0).unwrap(),
            100,
            8,
        );
        send_assist_request(
            actor,
            Some(CaseId::from_u128(3)),
            OrgId::from_u128(to),
            AssistTarget::Identification {
                items: "运动鞋 120 双".into(),
            },
            "请协助鉴定",
            "",
            RuleSet::defaults().unwrap(),
            &[],
            &ctx,
            Calendar::china(),
        )
    }

    #[test]
    fn an_assist_request_asks_another_agency() {
        assert_eq!(
            send(&officer(2), 2).unwrap_err(),
            TransferError::AskedOwnAgency
        );
        let (r, d) = send(&officer(2), 5).unwrap().into_parts().0;
        assert_eq!(
            (r.from_org, r.to_org),
            (OrgId::from_u128(2), OrgId::from_u128(5))
        );
        assert_eq!(d.id, r.reply_deadline);
    }
}
