//! The notice-and-takedown machine as data: every transition, who takes it, what it
//! requires, the clock it starts and the rule it rests on. [`super::apply`] reads this
//! table and nothing else to decide whether a step is allowed; the store keeps the state
//! it produces, and the partial unique index on open notices keeps one open notice per
//! listing.

use super::{NoticeAction, NoticeState, NoticeStep};

/// Which party to the notice takes a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// The sender (the agency that ordered it, or the rights holder who notified).
    Sender,
    /// The platform it was sent to.
    Recipient,
    /// Either (the complainant's proof of a complaint or lawsuit reaches the platform from
    /// either side).
    Either,
}

/// One row of the machine.
#[derive(Debug, Clone, Copy)]
pub struct Transition {
    /// The step.
    pub action: NoticeAction,
    /// The states it applies in.
    pub from: &'static [NoticeState],
    /// The state it leads to.
    pub to: NoticeState,
    /// Who takes it.
    pub by: By,
    /// Input fields it requires.
    pub requires: &'static [&'static str],
    /// The clock it starts (the previous one stops).
    pub starts: Option<NoticeStep>,
    /// The rule it rests on.
    pub rule: &'static str,
}

use NoticeState as S;

/// Every open state (a notice in one of them holds its listing: no second open notice).
pub const OPEN: &[NoticeState] = &[
    S::Sent,
    S::Acknowledged,
    S::Acted,
    S::ForwardedToSeller,
    S::Objected,
    S::ObjectionForwarded,
];

/// The machine. `send` has no row: it makes a notice in `sent` (see [`super::send`]).
pub static TRANSITIONS: &[Transition] = &[
    Transition {
        action: NoticeAction::Acknowledge,
        from: &[S::Sent],
        to: S::Acknowledged,
        by: By::Recipient,
        requires: &[],
        starts: Some(NoticeStep::Act),
        rule: "电子商务法 第四十二条第二款(接到通知)",
    },
    Transition {
        action: NoticeAction::Act,
        from: &[S::Acknowledged],
        to: S::Acted,
        by: By::Recipient,
        requires: &["measure", "statement"],
        starts: Some(NoticeStep::ForwardToSeller),
        rule: "电子商务法 第四十二条第二款(及时采取必要措施:删除、屏蔽、断开链接、终止交易和服务)",
    },
    Transition {
        action: NoticeAction::Refuse,
        from: &[S::Acknowledged],
        to: S::Refused,
        by: By::Recipient,
        requires: &["statement"],
        starts: None,
        rule:
            "电子商务法 第四十二条第一款(通知应当包括构成侵权的初步证据);第四十四条(公示处理结果)",
    },
    Transition {
        action: NoticeAction::Forward,
        from: &[S::Acted],
        to: S::ForwardedToSeller,
        by: By::Recipient,
        requires: &[],
        starts: None,
        rule: "电子商务法 第四十二条第二款(将该通知转送平台内经营者)",
    },
    Transition {
        action: NoticeAction::Object,
        from: &[S::ForwardedToSeller],
        to: S::Objected,
        by: By::Recipient,
        requires: &["declaration"],
        starts: Some(NoticeStep::ForwardDeclaration),
        rule: "电子商务法 第四十三条第一款(平台内经营者提交不存在侵权行为的声明及初步证据)",
    },
    Transition {
        action: NoticeAction::ForwardObjection,
        from: &[S::Objected],
        to: S::ObjectionForwarded,
        by: By::Recipient,
        requires: &[],
        starts: Some(NoticeStep::ComplainantResponse),
        rule: "电子商务法 第四十三条第一款(将声明转送发出通知的权利人并告知其可以投诉或者起诉)",
    },
    Transition {
        action: NoticeAction::Escalate,
        from: &[S::ObjectionForwarded],
        to: S::Escalated,
        by: By::Either,
        requires: &["reference"],
        starts: None,
        rule: "电子商务法 第四十三条第二款(十五日内收到权利人已经投诉或者起诉的通知:措施维持)",
    },
    Transition {
        action: NoticeAction::Restore,
        from: &[S::ObjectionForwarded],
        to: S::Restored,
        by: By::Recipient,
        requires: &["statement"],
        starts: None,
        rule: "电子商务法 第四十三条第二款(十五日内未收到投诉或者起诉通知的,及时终止所采取的措施)",
    },
    Transition {
        action: NoticeAction::Withdraw,
        from: OPEN,
        to: S::Withdrawn,
        by: By::Sender,
        requires: &[],
        starts: None,
        rule: "通知人撤回通知(已采取的措施随之终止)",
    },
];

/// The row for `action`.
pub fn transition(action: NoticeAction) -> Option<&'static Transition> {
    TRANSITIONS.iter().find(|t| t.action == action)
}
