//! Notice and takedown (通知—删除, 电子商务法 第四十二条至第四十五条): a notice to a platform
//! about one listing, sent by an agency's order or forwarded from a rights holder's
//! complaint, and every step the platform, the seller and the complainant take on it.
//!
//! ```text
//!  (new) ─send─► sent ─acknowledge─► acknowledged ─act (measure + reasons)─► acted
//!                                        │                                    │
//!                                        └─refuse (reasons)─► refused ■     forward
//!                                                                             ▼
//!    objection_forwarded ◄─forward_objection─ objected ◄─object─ forwarded_to_seller
//!        │  (15 days, 第四十三条第二款)
//!        ├─escalate (complaint or lawsuit shown, within the period)─► escalated ■
//!        └─restore (after the period, reasons)─► restored ■
//!  any open state ─withdraw (sender)─► withdrawn ■
//! ```
//!
//! The machine is the table [`TRANSITIONS`]; [`apply`] is its one interpreter. Every
//! step is timestamped, returns a [`Change`] with its audit event, and starts the next
//! step's clock from `data/notice_deadlines.toml` ([`NoticeRules`]), counted on the
//! working-day calendar or in natural days rolled past rest days, with the
//! `due_provisional` flag when the count crosses a year whose holiday notice is not
//! published. Every platform decision (act, refuse, restore) carries a
//! [`StatementOfReasons`] with the fields of the EU Digital Services Act's statements of
//! reasons (Art. 17: decision, ground, facts, source of the notice, automated detection and
//! decision, redress) and their Chinese counterparts (处理依据, 事实与理由, 救济途径).

pub mod table;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wangjian_calendar::Calendar;

use crate::audit::{Change, Context, Events, IdSupply, ObjectType, OutOfIds, Recorder};
use crate::complaint::ComplaintId;
use crate::id::{CaseId, ListingId, OrgId, ShopId, UserId};

pub use table::{By, Transition, OPEN, TRANSITIONS};

const DEFAULTS: &str = include_str!("../../data/notice_deadlines.toml");

/// Longest free text (facts, declarations), in characters.
pub const MAX_TEXT: usize = 4000;
/// Most evidence items on a declaration.
pub const MAX_EVIDENCE: usize = 20;

/// Stable id of a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NoticeId(pub Uuid);

impl std::fmt::Display for NoticeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $v:ident = $s:literal / $zh:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $v),+ }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$(Self::$v),+];

            /// Code name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),+ }
            }

            /// What the UI shows.
            pub fn label_zh(self) -> &'static str {
                match self { $(Self::$v => $zh),+ }
            }

            /// Parses a code name.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|x| x.as_str() == s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

code_enum!(
    /// Where a notice stands.
    NoticeState {
        /// Sent, awaiting the platform's acknowledgement.
        Sent = "sent" / "已发送",
        /// The platform acknowledged it.
        Acknowledged = "acknowledged" / "平台已确认",
        /// The platform took a measure.
        Acted = "acted" / "已采取措施",
        /// The platform refused, with its reasons.
        Refused = "refused" / "平台不予处理",
        /// The platform forwarded the notice to the seller.
        ForwardedToSeller = "forwarded_to_seller" / "已转送经营者",
        /// The seller filed a declaration of non-infringement.
        Objected = "objected" / "经营者已声明不侵权",
        /// The platform forwarded the declaration to the complainant: the 15 days run.
        ObjectionForwarded = "objection_forwarded" / "声明已转送通知人",
        /// The complainant showed a complaint to an authority or a lawsuit: the measure stays.
        Escalated = "escalated" / "已投诉或起诉(措施维持)",
        /// The period ran out without one: the measure was lifted.
        Restored = "restored" / "措施已终止(恢复)",
        /// The sender withdrew the notice.
        Withdrawn = "withdrawn" / "通知已撤回",
    }
);

impl NoticeState {
    /// Whether the notice is still open (it holds its listing).
    pub fn is_open(self) -> bool {
        OPEN.contains(&self)
    }
}

code_enum!(
    /// A step of the procedure (sending is [`send`]).
    NoticeAction {
        /// The platform confirms receipt.
        Acknowledge = "acknowledge" / "确认收到",
        /// The platform takes a measure.
        Act = "act" / "采取措施",
        /// The platform refuses, with reasons.
        Refuse = "refuse" / "不予处理",
        /// The platform forwards the notice to the seller.
        Forward = "forward" / "转送经营者",
        /// The seller's declaration of non-infringement, recorded by the platform.
        Object = "object" / "经营者声明不侵权",
        /// The platform forwards the declaration to the complainant.
        ForwardObjection = "forward_objection" / "转送声明",
        /// The complainant's complaint to an authority or lawsuit is shown.
        Escalate = "escalate" / "已投诉或起诉",
        /// The platform lifts the measure after the period.
        Restore = "restore" / "终止措施",
        /// The sender withdraws the notice.
        Withdraw = "withdraw" / "撤回通知",
    }
);

code_enum!(
    /// A clock of the procedure (one row of `data/notice_deadlines.toml`).
    NoticeStep {
        /// Acknowledge receipt.
        Acknowledge = "acknowledge" / "确认收到",
        /// Act or refuse.
        Act = "act" / "采取措施",
        /// Forward the notice to the seller.
        ForwardToSeller = "forward_to_seller" / "转送经营者",
        /// Forward the declaration to the complainant.
        ForwardDeclaration = "forward_declaration" / "转送声明",
        /// The complainant's 15 days.
        ComplainantResponse = "complainant_response" / "通知人十五日",
    }
);

code_enum!(
    /// The measure a platform took (电子商务法 第四十二条: 删除、屏蔽、断开链接、终止交易和服务).
    Measure {
        /// The listing removed.
        Removed = "removed" / "删除",
        /// The listing blocked (屏蔽).
        Blocked = "blocked" / "屏蔽",
        /// The link disconnected.
        Disconnected = "disconnected" / "断开链接",
        /// The shop restricted (终止交易和服务).
        ShopRestricted = "shop_restricted" / "限制店铺(终止交易和服务)",
    }
);

code_enum!(
    /// Where a notice comes from (the DSA's "source of the notice").
    NoticeSource {
        /// An agency's order (行政机关责令).
        AgencyOrder = "agency_order" / "行政机关通知",
        /// Forwarded from a rights holder's complaint (权利人投诉).
        Complaint = "complaint" / "权利人投诉转送",
        /// Sent by the rights holder itself (第四十二条 第一款: 知识产权权利人通知).
        RightsHolder = "rights_holder" / "权利人通知",
    }
);

code_enum!(
    /// The ground of a decision (DSA Art. 17(3)(d)/(e)).
    Ground {
        /// Illegal content: the law named in `legal_ground` (商标法, 专利法, 著作权法, 电子商务法).
        Illegal = "illegal" / "违反法律法规",
        /// Incompatible with the platform's terms (平台规则).
        Terms = "terms" / "违反平台规则",
    }
);

code_enum!(
    /// How a clock is counted.
    Counting {
        /// On the working-day calendar.
        WorkingDays = "working_days" / "工作日",
        /// Natural days, the last one rolled past rest days.
        NaturalDays = "natural_days" / "自然日",
    }
);

/// A platform's statement of reasons for one decision, as the seller and the complainant
/// read it: the EU DSA Art. 17 fields and the Chinese ones (处理依据 = `legal_ground`,
/// 事实与理由 = `facts`, 救济途径 = `redress`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementOfReasons {
    /// The decision (`removed`, `blocked`, …, `refused`, `restored`).
    pub decision: String,
    /// Law or terms.
    pub ground: Ground,
    /// 处理依据: the provision relied on.
    pub legal_ground: String,
    /// 事实与理由: the facts and circumstances.
    pub facts: String,
    /// Where the notice came from.
    pub source: NoticeSource,
    /// Automated means used to detect the listing.
    pub automated_detection: bool,
    /// Decided by automated means.
    pub automated_decision: bool,
    /// 救济途径: how the person affected may seek redress.
    pub redress: String,
}

/// What a platform writes for a statement (the decision and source are the domain's).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StatementInput {
    /// `illegal` or `terms`.
    pub ground: String,
    /// 处理依据.
    pub legal_ground: String,
    /// 事实与理由.
    pub facts: String,
    /// Automated detection.
    #[serde(default)]
    pub automated_detection: bool,
    /// Automated decision.
    #[serde(default)]
    pub automated_decision: bool,
    /// 救济途径.
    pub redress: String,
}

/// A seller's declaration of non-infringement (不存在侵权行为的声明, 第四十三条).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Declaration {
    /// The seller's statement.
    pub text: String,
    /// The preliminary evidence (links, document references, blob digests).
    pub evidence: Vec<String>,
}

/// The input of one step (only what the step's row requires is read).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StepInput {
    /// `act`: the measure.
    #[serde(default)]
    pub measure: Option<String>,
    /// `act`, `refuse`, `restore`: the statement of reasons.
    #[serde(default)]
    pub statement: Option<StatementInput>,
    /// `object`: the seller's declaration.
    #[serde(default)]
    pub declaration: Option<Declaration>,
    /// `escalate`: the complaint's or the lawsuit's reference (受理回执, 案号).
    #[serde(default)]
    pub reference: Option<String>,
}

/// A notice. Table `notices`; one open notice per listing (column `open_listing`, unique).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Stable id.
    pub id: NoticeId,
    /// The agency or rights holder that sent it.
    pub sender: OrgId,
    /// The platform.
    pub recipient: OrgId,
    /// Agency order or complaint.
    pub source: NoticeSource,
    /// The complaint it was forwarded from.
    pub complaint: Option<ComplaintId>,
    /// The case it belongs to (answers stop when the case is closed).
    pub case: Option<CaseId>,
    /// The listing.
    pub listing: ListingId,
    /// Its shop, when known.
    pub shop: Option<ShopId>,
    /// The right infringed and the preliminary evidence, in the sender's words.
    pub ground: String,
    /// Where it stands.
    pub state: NoticeState,
    /// The measure taken.
    pub measure: Option<Measure>,
    /// The platform's last statement of reasons.
    pub statement: Option<StatementOfReasons>,
    /// The seller's declaration.
    pub declaration: Option<Declaration>,
    /// The complaint's or lawsuit's reference.
    pub reference: Option<String>,
    /// Who sent it.
    pub sent_by: UserId,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
    /// When the platform acknowledged it.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// When the platform acted or refused.
    pub decided_at: Option<DateTime<Utc>>,
    /// When it was forwarded to the seller.
    pub forwarded_at: Option<DateTime<Utc>>,
    /// When the seller's declaration was recorded.
    pub objected_at: Option<DateTime<Utc>>,
    /// When the declaration was forwarded to the complainant.
    pub objection_forwarded_at: Option<DateTime<Utc>>,
    /// When it reached a final state.
    pub closed_at: Option<DateTime<Utc>>,
    /// The clock running now.
    pub due_step: Option<NoticeStep>,
    /// Its due date (China's date).
    pub due: Option<NaiveDate>,
    /// The due date crosses a year whose holiday notice is not published (暂定).
    pub due_provisional: bool,
    /// The act clock's due date, kept for the metrics.
    pub act_due: Option<NaiveDate>,
    /// Whether the platform decided (acted or refused) by `act_due`.
    pub decided_on_time: Option<bool>,
    /// Last day of the complainant's 15 days.
    pub response_due: Option<NaiveDate>,
    /// Optimistic concurrency version.
    pub version: i64,
}

/// What a sender sends about one listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The platform.
    pub recipient: OrgId,
    /// The listing.
    pub listing: ListingId,
    /// Its shop.
    pub shop: Option<ShopId>,
    /// The right infringed and the evidence.
    pub ground: String,
    /// Agency order or complaint.
    pub source: NoticeSource,
    /// The complaint it comes from.
    pub complaint: Option<ComplaintId>,
    /// The case.
    pub case: Option<CaseId>,
}

/// Why a notice command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoticeError {
    /// A field is missing or invalid.
    #[error("{field}: {message}")]
    Invalid {
        /// The field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The step does not apply in this state.
    #[error("a notice that is {state} cannot be {action}: {expected}")]
    State {
        /// The current state.
        state: NoticeState,
        /// The step.
        action: NoticeAction,
        /// Where it applies.
        expected: String,
    },
    /// The wrong party to the notice.
    #[error("{0}")]
    Party(String),
    /// A guard of the step (the period, the case).
    #[error("{0}")]
    Guard(String),
    /// A deadline could not be counted, or the rule file is wrong.
    #[error("deadline: {0}")]
    Deadline(String),
    /// The context had too few fresh ids.
    #[error(transparent)]
    OutOfIds(#[from] OutOfIds),
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> NoticeError {
    NoticeError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// One clock's rule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepRule {
    /// The clock.
    pub step: NoticeStep,
    /// What the UI shows.
    pub label_zh: String,
    /// The period.
    pub length: u32,
    /// How it is counted.
    pub counting: Counting,
    /// Fixed by law.
    pub statutory: bool,
    /// As cited.
    pub legal_basis: String,
    /// Where it comes from.
    pub source: String,
    /// How it was checked.
    pub verified: String,
}

/// The rules of every clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRules {
    steps: BTreeMap<NoticeStep, StepRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    step: Vec<StepRule>,
}

/// The law's own period for a statutory clock (an installation may shorten, never
/// lengthen it).
fn statutory_max(step: NoticeStep) -> Option<u32> {
    match step {
        NoticeStep::ComplainantResponse => Some(15),
        _ => None,
    }
}

impl NoticeRules {
    /// Parses and checks a rule file: each clock exactly once, a positive length, a legal
    /// basis and a source, statutory periods no longer than the law's; errors name the
    /// clock.
    pub fn parse(text: &str) -> Result<Self, NoticeError> {
        let file: RuleFile =
            toml::from_str(text).map_err(|e| NoticeError::Deadline(e.to_string()))?;
        let mut steps = BTreeMap::new();
        for r in file.step {
            let name = r.step.as_str();
            if r.length == 0 {
                return Err(NoticeError::Deadline(format!(
                    "{name}: length must be positive"
                )));
            }
            if r.legal_basis.trim().is_empty() || r.source.trim().is_empty() {
                return Err(NoticeError::Deadline(format!(
                    "{name}: needs legal_basis and source"
                )));
            }
            if let Some(max) = statutory_max(r.step) {
                if r.length > max {
                    return Err(NoticeError::Deadline(format!(
                        "{name}: the law gives {max} days; a rule may shorten it, not lengthen it"
                    )));
                }
            }
            if r.statutory == (r.verified == "policy") {
                return Err(NoticeError::Deadline(format!(
                    "{name}: statutory rules need a checked source, policy defaults verified = \"policy\""
                )));
            }
            let step = r.step;
            if steps.insert(step, r).is_some() {
                return Err(NoticeError::Deadline(format!("{name}: defined twice")));
            }
        }
        if let Some(missing) = NoticeStep::ALL.iter().find(|s| !steps.contains_key(s)) {
            return Err(NoticeError::Deadline(format!("{missing}: no rule")));
        }
        Ok(Self { steps })
    }

    /// The embedded defaults (`data/notice_deadlines.toml`), parsed once.
    pub fn defaults() -> Result<&'static NoticeRules, NoticeError> {
        static CELL: OnceLock<Result<NoticeRules, NoticeError>> = OnceLock::new();
        CELL.get_or_init(|| NoticeRules::parse(DEFAULTS))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The rule of `step` (every clock has one: `parse` refuses a file without).
    pub fn rule(&self, step: NoticeStep) -> &StepRule {
        &self.steps[&step]
    }

    /// Every rule.
    pub fn rules(&self) -> impl Iterator<Item = &StepRule> {
        self.steps.values()
    }

    /// The due date of `step` started on `start`, and whether it is provisional.
    pub fn due(
        &self,
        step: NoticeStep,
        start: NaiveDate,
        cal: &Calendar,
    ) -> Result<(NaiveDate, bool), NoticeError> {
        let r = self.rule(step);
        let due = match r.counting {
            Counting::WorkingDays => cal.add_workdays(start, r.length),
            Counting::NaturalDays => cal.add_days_rolled(start, r.length),
        }
        .map_err(|e| NoticeError::Deadline(e.to_string()))?;
        let provisional = cal
            .provisional_between(start, due)
            .map_err(|e| NoticeError::Deadline(e.to_string()))?;
        Ok((due, provisional))
    }
}

/// What the domain must know about the world to allow a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Facts {
    /// The notice's linked case is closed (结案) or otherwise final.
    pub case_closed: bool,
}

fn check_text(field: &str, s: &str, min: usize, max: usize) -> Result<String, NoticeError> {
    let s = s.trim();
    let n = s.chars().count();
    if n < min {
        return Err(invalid(field, format!("at least {min} characters")));
    }
    if n > max {
        return Err(invalid(field, format!("at most {max} characters")));
    }
    if s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(invalid(field, "control characters are not allowed"));
    }
    Ok(s.to_string())
}

/// Checks a draft's own fields (`field` names it in a batch: `notices[3]`).
pub fn check_draft(d: &Draft, field: &str) -> Result<Draft, NoticeError> {
    let ground = check_text(&format!("{field}.ground"), &d.ground, 4, MAX_TEXT)?;
    if d.source == NoticeSource::Complaint && d.complaint.is_none() {
        return Err(invalid(
            format!("{field}.complaint"),
            "a notice forwarded from a complaint names the complaint",
        ));
    }
    Ok(Draft {
        ground,
        ..d.clone()
    })
}

fn one(ev: crate::AuditEvent) -> Events {
    Events::new(vec![ev]).unwrap_or_else(|| unreachable!())
}

/// Sends notices (one per draft, one audit event each) by `actor` of `sender`, each with
/// the acknowledgement clock started today. Uses two fresh ids per draft. A batch is
/// one change: all of it or nothing. Duplicates (the same listing twice in the batch)
/// are refused naming the item; open notices already stored are the store's to refuse.
pub fn send(
    drafts: &[Draft],
    sender: OrgId,
    actor: UserId,
    rules: &NoticeRules,
    cal: &Calendar,
    ctx: &Context,
) -> Result<Change<Vec<Notice>>, NoticeError> {
    if drafts.is_empty() {
        return Err(invalid("notices", "send at least one notice"));
    }
    let today = wangjian_calendar::shanghai_date(ctx.now);
    let (due, provisional) = rules.due(NoticeStep::Acknowledge, today, cal)?;
    let mut seen = std::collections::HashMap::with_capacity(drafts.len());
    let mut ids = IdSupply::new(ctx);
    let r = Recorder {
        ctx,
        actor,
        actor_org: sender,
        root_case: None,
    };
    let mut notices = Vec::with_capacity(drafts.len());
    let mut events = Vec::with_capacity(drafts.len());
    for (i, d) in drafts.iter().enumerate() {
        let field = format!("notices[{i}]");
        let d = check_draft(d, &field)?;
        if d.recipient == sender {
            return Err(invalid(
                format!("{field}.platform"),
                "a platform does not notify itself",
            ));
        }
        if let Some(j) = seen.insert(d.listing, i) {
            return Err(invalid(
                format!("{field}.listing"),
                format!("the same listing as notices[{j}]"),
            ));
        }
        let n = Notice {
            id: NoticeId(ids.next()?),
            sender,
            recipient: d.recipient,
            source: d.source,
            complaint: d.complaint,
            case: d.case,
            listing: d.listing,
            shop: d.shop,
            ground: d.ground,
            state: NoticeState::Sent,
            measure: None,
            statement: None,
            declaration: None,
            reference: None,
            sent_by: actor,
            sent_at: ctx.now,
            acknowledged_at: None,
            decided_at: None,
            forwarded_at: None,
            objected_at: None,
            objection_forwarded_at: None,
            closed_at: None,
            due_step: Some(NoticeStep::Acknowledge),
            due: Some(due),
            due_provisional: provisional,
            act_due: None,
            decided_on_time: None,
            response_due: None,
            version: 1,
        };
        let rec = Recorder {
            root_case: n.case,
            ..r
        };
        events.push(rec.event(
            &mut ids,
            "notice.send",
            ObjectType::Notice,
            n.id.0,
            None,
            &n,
        )?);
        notices.push(n);
    }
    let events = Events::new(events).unwrap_or_else(|| unreachable!());
    Ok(Change::new(notices, events))
}

fn statement(
    input: Option<&StatementInput>,
    decision: &str,
    source: NoticeSource,
) -> Result<StatementOfReasons, NoticeError> {
    let s = input.ok_or_else(|| {
        invalid(
            "statement",
            "a statement of reasons (ground, legal_ground, facts, redress)",
        )
    })?;
    let ground = Ground::parse(s.ground.trim()).ok_or_else(|| {
        invalid(
            "statement.ground",
            "illegal (违反法律法规) or terms (违反平台规则)",
        )
    })?;
    Ok(StatementOfReasons {
        decision: decision.to_string(),
        ground,
        legal_ground: check_text("statement.legal_ground", &s.legal_ground, 2, 500)?,
        facts: check_text("statement.facts", &s.facts, 4, MAX_TEXT)?,
        source,
        automated_detection: s.automated_detection,
        automated_decision: s.automated_decision,
        redress: check_text("statement.redress", &s.redress, 2, 500)?,
    })
}

/// Takes `action` on `n` as `actor` of `org`, by the table: the state, the party, the
/// required input, the guards (no answer once the linked case is closed; escalation only
/// within the complainant's period, restoration only after it), the timestamps, the next
/// clock. Uses one fresh id.
#[allow(clippy::too_many_arguments)]
pub fn apply(
    n: &Notice,
    action: NoticeAction,
    input: &StepInput,
    actor: UserId,
    org: OrgId,
    facts: Facts,
    rules: &NoticeRules,
    cal: &Calendar,
    ctx: &Context,
) -> Result<Change<Notice>, NoticeError> {
    let t = table::transition(action)
        .ok_or_else(|| invalid("action", format!("{action} is not a step")))?;
    if !t.from.contains(&n.state) {
        let expected: Vec<&str> = t.from.iter().map(|s| s.as_str()).collect();
        return Err(NoticeError::State {
            state: n.state,
            action,
            expected: format!("it applies to a notice that is {}", expected.join(" or ")),
        });
    }
    let party_ok = match t.by {
        By::Sender => org == n.sender,
        By::Recipient => org == n.recipient,
        By::Either => org == n.sender || org == n.recipient,
    };
    if !party_ok {
        let who = match t.by {
            By::Sender => "the sender",
            By::Recipient => "the platform the notice was sent to",
            By::Either => "the sender or the platform",
        };
        return Err(NoticeError::Party(format!(
            "only {who} may {action} this notice"
        )));
    }
    if facts.case_closed {
        return Err(NoticeError::Guard(
            "the notice's case is closed: no further step is taken on it".into(),
        ));
    }
    let today = wangjian_calendar::shanghai_date(ctx.now);
    let mut next = n.clone();
    match action {
        NoticeAction::Acknowledge => next.acknowledged_at = Some(ctx.now),
        NoticeAction::Act => {
            let m = input.measure.as_deref().ok_or_else(|| {
                invalid(
                    "measure",
                    "removed, blocked, disconnected or shop_restricted",
                )
            })?;
            let m = Measure::parse(m.trim()).ok_or_else(|| {
                invalid(
                    "measure",
                    "removed, blocked, disconnected or shop_restricted",
                )
            })?;
            next.statement = Some(statement(input.statement.as_ref(), m.as_str(), n.source)?);
            next.measure = Some(m);
            next.decided_at = Some(ctx.now);
            next.decided_on_time = n.act_due.map(|d| today <= d);
        }
        NoticeAction::Refuse => {
            next.statement = Some(statement(input.statement.as_ref(), "refused", n.source)?);
            next.decided_at = Some(ctx.now);
            next.decided_on_time = n.act_due.map(|d| today <= d);
        }
        NoticeAction::Forward => next.forwarded_at = Some(ctx.now),
        NoticeAction::Object => {
            let d = input
                .declaration
                .as_ref()
                .ok_or_else(|| invalid("declaration", "the seller's declaration with evidence"))?;
            let text = check_text("declaration.text", &d.text, 4, MAX_TEXT)?;
            let evidence: Vec<String> = d
                .evidence
                .iter()
                .map(|e| e.trim().to_string())
                .filter(|e| !e.is_empty())
                .collect();
            if evidence.is_empty() {
                return Err(invalid(
                    "declaration.evidence",
                    "第四十三条: a declaration includes preliminary evidence of non-infringement",
                ));
            }
            if evidence.len() > MAX_EVIDENCE || evidence.iter().any(|e| e.chars().count() > 500) {
                return Err(invalid(
                    "declaration.evidence",
                    format!("at most {MAX_EVIDENCE} items of at most 500 characters"),
                ));
            }
            next.declaration = Some(Declaration { text, evidence });
            next.objected_at = Some(ctx.now);
        }
        NoticeAction::ForwardObjection => next.objection_forwarded_at = Some(ctx.now),
        NoticeAction::Escalate => {
            if n.response_due.is_some_and(|due| today > due) {
                return Err(NoticeError::Guard(format!(
                    "the complainant's 15 days ended on {}: the measure is to be lifted",
                    n.response_due.map(|d| d.to_string()).unwrap_or_default()
                )));
            }
            let r = input.reference.as_deref().unwrap_or_default();
            next.reference = Some(check_text("reference", r, 2, 200)?);
        }
        NoticeAction::Restore => {
            if let Some(due) = n.response_due {
                if today <= due {
                    return Err(NoticeError::Guard(format!(
                        "the complainant's 15 days run until {due}{}: restore after that day",
                        if n.due_provisional {
                            " (暂定, provisional)"
                        } else {
                            ""
                        }
                    )));
                }
            }
            next.statement = Some(statement(input.statement.as_ref(), "restored", n.source)?);
        }
        NoticeAction::Withdraw => {}
    }
    next.state = t.to;
    if !t.to.is_open() {
        next.closed_at = Some(ctx.now);
    }
    match t.starts {
        Some(step) => {
            let (due, provisional) = rules.due(step, today, cal)?;
            next.due_step = Some(step);
            next.due = Some(due);
            next.due_provisional = provisional;
            match step {
                NoticeStep::Act => next.act_due = Some(due),
                NoticeStep::ComplainantResponse => next.response_due = Some(due),
                _ => {}
            }
        }
        None => {
            next.due_step = None;
            next.due = None;
            next.due_provisional = false;
        }
    }
    // Forwarding to the seller has its own clock after acting; the table's `starts`
    // of `act` is that clock, and `forward` stops it without starting another.
    next.version += 1;
    let mut ids = IdSupply::new(ctx);
    let ev = Recorder {
        ctx,
        actor,
        actor_org: org,
        root_case: n.case,
    }
    .event(
        &mut ids,
        &format!("notice.{action}"),
        ObjectType::Notice,
        n.id.0,
        Some(n),
        &next,
    )?;
    Ok(Change::new(next, one(ev)))
}

/// The machine as text (states, steps, who, clocks, rules), for the docs and the drift
/// test.
pub fn render_table() -> String {
    let mut out = String::new();
    for t in TRANSITIONS {
        let from: Vec<&str> = t.from.iter().map(|s| s.as_str()).collect();
        out.push_str(&format!(
            "{:<18} {} -> {} by {:?}{}{}  [{}]\n",
            t.action.as_str(),
            from.join("|"),
            t.to.as_str(),
            t.by,
            if t.requires.is_empty() {
                String::new()
            } else {
                format!(" requires {}", t.requires.join(","))
            },
            t.starts
                .map(|s| format!(" starts {}", s.as_str()))
                .unwrap_or_default(),
            t.rule
        ));
    }
    out
}

#[cfg(test)]
mod tests;
