//! Deadlines (限时办结) as first-class objects.
//!
//! A deadline has a kind, the rule it comes from (legal basis copied in when it starts,
//! so a later edit of the rule file never moves a running deadline), a start date, a due
//! date on the statutory working-day calendar, a warn point, suspensions (time the rule
//! does not count: 中止, testing, 鉴定 …), extensions with their approver, and a status.
//!
//! The due date is always **recomputed from scratch** from the start, the length, the
//! approved extensions and the closed suspensions, so the result never depends on the
//! order things happened in:
//!
//! * working-day rules: `add_workdays(start, length + extensions + paused working days)`,
//!   where a suspension from `a` to `b` pauses `workdays_between(a, b)` working days;
//! * natural-day rules: `add_days_rolled(start, length + extensions + paused days)`,
//!   where a suspension pauses `b - a` natural days.
//!
//! A due date counted over a year whose holiday notice is not yet loaded is **provisional**
//! (the calendar answers from the statutory rules there): the flag travels with the
//! deadline, and loading the notice recomputes it (see the `calendar_notice` module).
//!
//! Defaults come from `data/deadlines.toml` (each with its legal source); an agency may
//! override length, extension and warn point per kind, but for a statutory rule only to
//! make it stricter.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wangjian_calendar::{Calendar, CalendarError};

use crate::audit::ObjectType;
use crate::id::{CaseId, DeadlineId, OrgId, UserId};

const DEFAULTS: &str = include_str!("../data/deadlines.toml");

/// Why a deadline could not be computed or changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    /// The calendar cannot answer for these dates.
    #[error("deadline arithmetic failed: {0}")]
    Calendar(#[from] CalendarError),
    /// The rule file is malformed.
    #[error("deadline rules: {0}")]
    Rules(String),
    /// An override would make a statutory period laxer than the law.
    #[error("override of {kind} for agency {org}: {field} {asked} is longer than the statutory {statutory}; an agency may only shorten a statutory period")]
    LaxerThanStatute {
        /// Deadline kind.
        kind: DeadlineKind,
        /// Agency.
        org: OrgId,
        /// Which field.
        field: &'static str,
        /// The statutory value.
        statutory: u32,
        /// The override asked for.
        asked: u32,
    },
    /// The deadline is no longer open.
    #[error("the {kind} deadline is {status}, not open")]
    NotOpen {
        /// Kind.
        kind: DeadlineKind,
        /// Its status.
        status: DeadlineStatus,
    },
    /// Paused twice.
    #[error("the {0} deadline is already paused")]
    AlreadyPaused(DeadlineKind),
    /// Resumed while running.
    #[error("the {0} deadline is not paused")]
    NotPaused(DeadlineKind),
    /// A date earlier than the deadline's last event.
    #[error("{on} is before {earliest}, the earliest date this deadline change may carry")]
    DateTooEarly {
        /// The date given.
        on: NaiveDate,
        /// The earliest allowed.
        earliest: NaiveDate,
    },
    /// An extension the rule does not provide for, or beyond what it allows.
    #[error("the {kind} deadline allows {allowed} more days of extension by a supervisor, {asked} asked (a longer one needs a collective decision, 负责人集体讨论, where the rule provides for it)")]
    ExtensionNotAllowed {
        /// Kind.
        kind: DeadlineKind,
        /// Days still allowed.
        allowed: u32,
        /// Days asked.
        asked: u32,
    },
    /// An extension of zero days, or without a reason.
    #[error("an extension needs a positive number of days and a reason")]
    ExtensionEmpty,
    /// The warn point could not be placed.
    #[error("no working day found within {0} days before the due date")]
    NoWorkdayBefore(u32),
}

/// The kinds of deadline wangjian tracks. Each has one rule in the data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// Verify a lead and decide whether to open a case (核查, 决定是否立案).
    LeadVerification,
    /// Decide an opened case (作出处理决定).
    CaseDecision,
    /// Accept or refuse a complaint (投诉受理).
    ComplaintAcceptance,
    /// Police review of a referred case (公安机关审查决定是否立案).
    PoliceReview,
    /// Police acknowledge receipt of a referral (回执).
    ReferralAcknowledgement,
    /// Receiver acknowledges (accepts or refuses) a transfer.
    TransferAcknowledgement,
    /// Receiver reports back on a transfer.
    TransferFeedback,
    /// Answer an assist request (协查).
    AssistReply,
    /// The party's period for statements and a hearing request (陈述申辩, 听证).
    StatementPeriod,
    /// Publish the penalty decision (行政处罚信息公示).
    PenaltyDisclosure,
    /// The party pays the fine (缴纳罚款).
    Payment,
    /// Term of a seizure (查封、扣押).
    SeizureTerm,
}

impl DeadlineKind {
    /// Every kind.
    pub const ALL: [DeadlineKind; 12] = [
        Self::LeadVerification,
        Self::CaseDecision,
        Self::ComplaintAcceptance,
        Self::PoliceReview,
        Self::ReferralAcknowledgement,
        Self::TransferAcknowledgement,
        Self::TransferFeedback,
        Self::AssistReply,
        Self::StatementPeriod,
        Self::PenaltyDisclosure,
        Self::Payment,
        Self::SeizureTerm,
    ];

    /// Code name (serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LeadVerification => "lead_verification",
            Self::CaseDecision => "case_decision",
            Self::ComplaintAcceptance => "complaint_acceptance",
            Self::PoliceReview => "police_review",
            Self::ReferralAcknowledgement => "referral_acknowledgement",
            Self::TransferAcknowledgement => "transfer_acknowledgement",
            Self::TransferFeedback => "transfer_feedback",
            Self::AssistReply => "assist_reply",
            Self::StatementPeriod => "statement_period",
            Self::PenaltyDisclosure => "penalty_disclosure",
            Self::Payment => "payment",
            Self::SeizureTerm => "seizure_term",
        }
    }

    /// True when a supervisor-approved extension may be followed by a longer one decided
    /// collectively (负责人集体讨论), as 市场监督管理行政处罚程序规定 第六十四条 allows for
    /// the case decision.
    pub fn allows_collective_extension(self) -> bool {
        matches!(self, Self::CaseDecision)
    }
}

impl fmt::Display for DeadlineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a period is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Counting {
    /// 工作日: on the statutory working-day calendar.
    WorkingDays,
    /// 日: natural days, the last day rolled to the next working day when it is a rest day.
    NaturalDays,
}

/// How well the article number of a rule was checked (see the data file header).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verified {
    /// Article text read in a government or law-database copy.
    Text,
    /// Quoted with its article number by a practitioner source.
    Secondary,
    /// From memory of the current text: check before citing in a document.
    Recalled,
    /// No statute: a wangjian default.
    Policy,
}

/// One default rule, as in the data file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRule {
    /// Kind.
    pub kind: DeadlineKind,
    /// UI label.
    pub label_zh: String,
    /// The period.
    pub length: u32,
    /// How it is counted.
    pub counting: Counting,
    /// Days a supervisor may add (0: none).
    pub extension: u32,
    /// Who approves an extension (always `supervisor` today).
    pub extension_approver: crate::org::Role,
    /// Working days before due at which it shows as due soon.
    pub warn_before: u32,
    /// Fixed by law (overrides may only shorten it).
    pub statutory: bool,
    /// As cited on a document.
    pub legal_basis: String,
    /// Where the period comes from.
    pub source: String,
    /// How the article was checked.
    pub verified: Verified,
    /// Time the rule does not count.
    pub excluded: String,
}

/// An agency's override of one rule. Table `deadline_overrides`, primary key (org, kind).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineOverride {
    /// The agency.
    pub org: OrgId,
    /// The kind overridden.
    pub kind: DeadlineKind,
    /// New length, if changed.
    pub length: Option<u32>,
    /// New extension allowance, if changed.
    pub extension: Option<u32>,
    /// New warn point, if changed.
    pub warn_before: Option<u32>,
    /// The agency's own document that sets it (e.g. 本局限时办结制度).
    pub source: String,
}

/// The default rules, one per kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    rules: BTreeMap<DeadlineKind, DeadlineRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    rule: Vec<DeadlineRule>,
}

impl RuleSet {
    /// Parses and validates a rule file: every kind exactly once, positive lengths, a
    /// legal basis and a source on each.
    pub fn parse(text: &str) -> Result<Self, DeadlineError> {
        let file: RuleFile =
            toml::from_str(text).map_err(|e| DeadlineError::Rules(e.to_string()))?;
        let mut rules = BTreeMap::new();
        for r in file.rule {
            if r.length == 0 {
                return Err(DeadlineError::Rules(format!(
                    "{}: length must be positive",
                    r.kind
                )));
            }
            if r.legal_basis.trim().is_empty() || r.source.trim().is_empty() {
                return Err(DeadlineError::Rules(format!(
                    "{}: needs legal_basis and source",
                    r.kind
                )));
            }
            if r.statutory == (r.verified == Verified::Policy) {
                return Err(DeadlineError::Rules(format!(
                    "{}: statutory rules need a checked source, policy defaults verified = \"policy\"",
                    r.kind
                )));
            }
            let kind = r.kind;
            if rules.insert(kind, r).is_some() {
                return Err(DeadlineError::Rules(format!("{kind}: defined twice")));
            }
        }
        if let Some(missing) = DeadlineKind::ALL.iter().find(|k| !rules.contains_key(k)) {
            return Err(DeadlineError::Rules(format!("{missing}: no rule")));
        }
        Ok(Self { rules })
    }

    /// The embedded defaults (`data/deadlines.toml`), parsed once.
    pub fn defaults() -> Result<&'static RuleSet, DeadlineError> {
        static CELL: OnceLock<Result<RuleSet, DeadlineError>> = OnceLock::new();
        CELL.get_or_init(|| RuleSet::parse(DEFAULTS))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The default rule for `kind`.
    pub fn rule(&self, kind: DeadlineKind) -> &DeadlineRule {
        // parse() guarantees every kind is present; a RuleSet cannot be built otherwise.
        &self.rules[&kind]
    }

    /// All rules, by kind.
    pub fn rules(&self) -> impl Iterator<Item = &DeadlineRule> {
        self.rules.values()
    }

    /// The rule in force for `org`, after its override (if any) is applied and checked.
    pub fn effective(
        &self,
        kind: DeadlineKind,
        org: OrgId,
        overrides: &[DeadlineOverride],
    ) -> Result<EffectiveRule, DeadlineError> {
        let r = self.rule(kind);
        let mut e = EffectiveRule {
            kind,
            length: r.length,
            counting: r.counting,
            extension: r.extension,
            warn_before: r.warn_before,
            legal_basis: r.legal_basis.clone(),
        };
        if let Some(o) = overrides.iter().find(|o| o.org == org && o.kind == kind) {
            for (field, value, statutory) in [
                ("length", o.length, r.length),
                ("extension", o.extension, r.extension),
            ] {
                if let Some(v) = value {
                    if r.statutory && v > statutory {
                        return Err(DeadlineError::LaxerThanStatute {
                            kind,
                            org,
                            field,
                            statutory,
                            asked: v,
                        });
                    }
                }
            }
            if o.length == Some(0) {
                return Err(DeadlineError::Rules(format!(
                    "{kind}: override length must be positive"
                )));
            }
            e.length = o.length.unwrap_or(e.length);
            e.extension = o.extension.unwrap_or(e.extension);
            e.warn_before = o.warn_before.unwrap_or(e.warn_before);
            if o.length.is_some() || o.extension.is_some() {
                e.legal_basis = format!("{};{}", e.legal_basis, o.source);
            }
        }
        Ok(e)
    }
}

/// A rule as it applies to one agency: what a deadline copies in when it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffectiveRule {
    /// Kind.
    pub kind: DeadlineKind,
    /// Period.
    pub length: u32,
    /// Counting.
    pub counting: Counting,
    /// Extension allowance (supervisor).
    pub extension: u32,
    /// Warn point, working days before due.
    pub warn_before: u32,
    /// Legal basis (plus the agency's own source when overridden).
    pub legal_basis: String,
}

/// A period the deadline did not run. Child table `deadline_suspensions`
/// (deadline_id, seq, from, to, reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    /// First day not counted is the day after this one.
    pub from: NaiveDate,
    /// The day the clock ran again (`None` while paused).
    pub to: Option<NaiveDate>,
    /// Why (中止, 检验鉴定, 移送 …).
    pub reason: String,
}

/// An approved extension. Child table `deadline_extensions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// Days added (counted like the rule: working or natural).
    pub days: u32,
    /// The approving supervisor.
    pub approved_by: UserId,
    /// When approved.
    pub approved_on: NaiveDate,
    /// Why.
    pub reason: String,
    /// Decided collectively by the agency's leaders (负责人集体讨论), beyond the
    /// supervisor's allowance.
    pub collective: bool,
}

/// Where a deadline stands (stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum DeadlineStatus {
    /// Running or paused.
    Open,
    /// The act was done on time.
    Met {
        /// When.
        on: NaiveDate,
    },
    /// The act was done late.
    Breached {
        /// When.
        on: NaiveDate,
    },
    /// The obligation lapsed (case declined, terminated, transferred away).
    Cancelled {
        /// When.
        on: NaiveDate,
    },
}

impl fmt::Display for DeadlineStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Open => f.write_str("open"),
            Self::Met { on } => write!(f, "met on {on}"),
            Self::Breached { on } => write!(f, "breached (done on {on})"),
            Self::Cancelled { on } => write!(f, "cancelled on {on}"),
        }
    }
}

/// How a deadline looks on a given day (computed, not stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    /// Open, before the warn point.
    OnTrack,
    /// Open, at or after the warn point, not past due.
    DueSoon,
    /// Open and past due.
    Overdue,
    /// Open but paused.
    Paused,
    /// Closed: met.
    Met,
    /// Closed: breached.
    Breached,
    /// Closed: cancelled.
    Cancelled,
}

/// A deadline. Table `deadlines`; indexed on (status, due) and (root_case).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// Stable id.
    pub id: DeadlineId,
    /// The case it belongs to (`None` for an assist request without a case).
    pub root_case: Option<CaseId>,
    /// Kind of the object it is on (case, transfer order, assist request).
    pub object_type: ObjectType,
    /// Id of that object.
    pub object_id: Uuid,
    /// The agency that must act.
    pub org: OrgId,
    /// The rule, as it applied when the deadline started.
    pub rule: EffectiveRule,
    /// Start date (day 0).
    pub start: NaiveDate,
    /// Due date: the last day to act.
    pub due: NaiveDate,
    /// From this day on it shows as due soon.
    pub warn_at: NaiveDate,
    /// The due date counts over days the calendar answers provisionally (a year whose
    /// State Council notice is not loaded yet): it may move when the notice is loaded, and
    /// is then recomputed (see the `calendar_notice` module). Shown as 暂定.
    #[serde(default)]
    pub provisional: bool,
    /// Suspensions, in order.
    pub suspensions: Vec<Suspension>,
    /// Extensions, in order.
    pub extensions: Vec<Extension>,
    /// Status.
    pub status: DeadlineStatus,
    /// Optimistic concurrency version.
    pub version: i64,
}

impl Deadline {
    /// Starts a deadline on `start` under `rule`.
    #[allow(clippy::too_many_arguments)]
    pub fn start(
        id: DeadlineId,
        root_case: Option<CaseId>,
        object_type: ObjectType,
        object_id: Uuid,
        org: OrgId,
        rule: EffectiveRule,
        start: NaiveDate,
        cal: &Calendar,
    ) -> Result<Self, DeadlineError> {
        let mut d = Self {
            id,
            root_case,
            object_type,
            object_id,
            org,
            rule,
            start,
            due: start,
            warn_at: start,
            provisional: false,
            suspensions: Vec::new(),
            extensions: Vec::new(),
            status: DeadlineStatus::Open,
            version: 1,
        };
        d.recompute(cal)?;
        Ok(d)
    }

    /// Kind.
    pub fn kind(&self) -> DeadlineKind {
        self.rule.kind
    }

    /// True while open.
    pub fn is_open(&self) -> bool {
        self.status == DeadlineStatus::Open
    }

    /// True while paused.
    pub fn is_paused(&self) -> bool {
        self.suspensions.last().is_some_and(|s| s.to.is_none())
    }

    fn latest_date(&self) -> NaiveDate {
        let s = self
            .suspensions
            .iter()
            .flat_map(|s| [Some(s.from), s.to])
            .flatten();
        let e = self.extensions.iter().map(|e| e.approved_on);
        s.chain(e).fold(self.start, NaiveDate::max)
    }

    fn check_open(&self) -> Result<(), DeadlineError> {
        if self.is_open() {
            Ok(())
        } else {
            Err(DeadlineError::NotOpen {
                kind: self.kind(),
                status: self.status,
            })
        }
    }

    fn check_date(&self, on: NaiveDate) -> Result<(), DeadlineError> {
        let earliest = self.latest_date();
        if on < earliest {
            Err(DeadlineError::DateTooEarly { on, earliest })
        } else {
            Ok(())
        }
    }

    /// Recomputes due date and warn point from start, length, extensions and closed
    /// suspensions (see the module docs).
    pub fn recompute(&mut self, cal: &Calendar) -> Result<(), DeadlineError> {
        let ext: u32 = self.extensions.iter().map(|e| e.days).sum();
        let mut paused = 0u32;
        for s in &self.suspensions {
            if let Some(to) = s.to {
                paused += match self.rule.counting {
                    Counting::WorkingDays => cal.workdays_between(s.from, to)?,
                    Counting::NaturalDays => {
                        u32::try_from((to - s.from).num_days().max(0)).unwrap_or(u32::MAX)
                    }
                };
            }
        }
        let n = self.rule.length.saturating_add(ext).saturating_add(paused);
        self.due = match self.rule.counting {
            Counting::WorkingDays => cal.add_workdays(self.start, n)?,
            Counting::NaturalDays => cal.add_days_rolled(self.start, n)?,
        };
        self.warn_at = sub_workdays(cal, self.due, self.rule.warn_before)?.max(self.start);
        let counted_to = self
            .suspensions
            .iter()
            .filter_map(|s| s.to)
            .fold(self.due, NaiveDate::max);
        self.provisional = cal.provisional_between(self.start, counted_to)?;
        Ok(())
    }

    /// Stops the clock from `on` (the day of the event; the days after it do not count).
    pub fn pause(&mut self, on: NaiveDate, reason: &str) -> Result<(), DeadlineError> {
        self.check_open()?;
        if self.is_paused() {
            return Err(DeadlineError::AlreadyPaused(self.kind()));
        }
        self.check_date(on)?;
        self.suspensions.push(Suspension {
            from: on,
            to: None,
            reason: reason.to_string(),
        });
        Ok(())
    }

    /// Restarts the clock on `on`; the due date moves by the paused period.
    pub fn resume(&mut self, on: NaiveDate, cal: &Calendar) -> Result<(), DeadlineError> {
        self.check_open()?;
        let from = match self.suspensions.last() {
            Some(s) if s.to.is_none() => s.from,
            _ => return Err(DeadlineError::NotPaused(self.kind())),
        };
        if on < from {
            return Err(DeadlineError::DateTooEarly { on, earliest: from });
        }
        if let Some(s) = self.suspensions.last_mut() {
            s.to = Some(on);
        }
        self.recompute(cal)
    }

    /// Adds an approved extension. Standard extensions are limited to the rule's
    /// allowance; a collective one only where the rule provides for it. The caller has
    /// checked that the approver is a supervisor.
    pub fn extend(&mut self, ext: Extension, cal: &Calendar) -> Result<(), DeadlineError> {
        self.check_open()?;
        if ext.days == 0 || ext.reason.trim().is_empty() {
            return Err(DeadlineError::ExtensionEmpty);
        }
        self.check_date(ext.approved_on)?;
        let used: u32 = self
            .extensions
            .iter()
            .filter(|e| !e.collective)
            .map(|e| e.days)
            .sum();
        let allowed = self.rule.extension.saturating_sub(used);
        let ok = if ext.collective {
            self.kind().allows_collective_extension() && allowed == 0
        } else {
            ext.days <= allowed
        };
        if !ok {
            return Err(DeadlineError::ExtensionNotAllowed {
                kind: self.kind(),
                allowed: if ext.collective { 0 } else { allowed },
                asked: ext.days,
            });
        }
        self.extensions.push(ext);
        self.recompute(cal)
    }

    /// The act the deadline is for was done on `on`: met or breached. A running
    /// suspension ends that day.
    pub fn stop(&mut self, on: NaiveDate, cal: &Calendar) -> Result<(), DeadlineError> {
        self.check_open()?;
        if self.is_paused() {
            self.resume(on.max(self.latest_date()), cal)?;
        }
        self.status = if on <= self.due {
            DeadlineStatus::Met { on }
        } else {
            DeadlineStatus::Breached { on }
        };
        Ok(())
    }

    /// The obligation lapsed on `on` (declined, terminated, transferred away).
    pub fn cancel(&mut self, on: NaiveDate) -> Result<(), DeadlineError> {
        self.check_open()?;
        self.status = DeadlineStatus::Cancelled { on };
        Ok(())
    }

    /// How the deadline looks on `today`.
    pub fn state_on(&self, today: NaiveDate) -> DeadlineState {
        match self.status {
            DeadlineStatus::Met { .. } => DeadlineState::Met,
            DeadlineStatus::Breached { .. } => DeadlineState::Breached,
            DeadlineStatus::Cancelled { .. } => DeadlineState::Cancelled,
            DeadlineStatus::Open if self.is_paused() => DeadlineState::Paused,
            DeadlineStatus::Open if today > self.due => DeadlineState::Overdue,
            DeadlineStatus::Open if today >= self.warn_at => DeadlineState::DueSoon,
            DeadlineStatus::Open => DeadlineState::OnTrack,
        }
    }
}

/// The date `n` working days before `d` (the working day that many steps back; `d`
/// itself when `n` is 0).
pub fn sub_workdays(cal: &Calendar, d: NaiveDate, n: u32) -> Result<NaiveDate, DeadlineError> {
    const LIMIT: u32 = 400;
    let mut day = d;
    let mut count = 0;
    let mut steps = 0;
    while count < n {
        day = day
            .checked_sub_days(Days::new(1))
            .ok_or(DeadlineError::NoWorkdayBefore(steps))?;
        steps += 1;
        if steps > LIMIT + n * 3 {
            return Err(DeadlineError::NoWorkdayBefore(steps));
        }
        if cal.is_workday(day)? {
            count += 1;
        }
    }
    Ok(day)
}

#[cfg(test)]
mod tests;
