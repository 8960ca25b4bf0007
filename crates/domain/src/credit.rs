//! Credit (信用): each subject's credit file, its credit class, the serious-violation
//! list (严重违法失信名单, the blacklist) and the public disclosure of penalty decisions
//! (行政处罚信息公示).
//!
//! - A **credit file** is the subject's [`CreditRecord`]s: penalty decisions (written in
//!   the same change as the decision, [`on_penalty_decided`]), blacklist entries, platform
//!   self-inspection actions and confirmed brushing findings ([`add_record`]), each with
//!   its source, date and legal basis.
//! - The **credit class** A–D (信用分类监管) is computed by [`CreditRules::assess`] from
//!   the records, the list and today, with the reasons; the rules are data
//!   (`data/credit.toml`, each cited). The class last recorded is a [`CreditStanding`];
//!   every command that changes the file re-assesses it, and a changed class is an audit
//!   event (`credit.class`).
//! - A **blacklist entry** ([`BlacklistEntry`]) needs a decision (legal basis, decision
//!   document, deciding organization, start, duration ≤ the regulation's three years
//!   unless a longer legal restriction is cited); it ends on its end date (computed on
//!   read: no job has to run) or by credit repair ([`repair_blacklist`]: after the
//!   regulation's one year, with its three conditions, approved by a supervisor).
//! - A **disclosure** ([`Disclosure`]) is made pending when the penalty is decided, due
//!   seven working days later (configurable), published on approval, public until its
//!   publicity period ends; what the public sees is [`PublicDecision`], masked.
//!
//! Pure like the rest of the crate: today comes from the [`Context`], the calendar is
//! passed in.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wangjian_calendar::{shanghai_date, Calendar};

use crate::audit::Recorder;
use crate::audit::{AuditEvent, Change, Context, Events, IdSupply, ObjectType, OutOfIds, Read};
use crate::case::Case;
use crate::id::{CaseId, OrgId, SubjectId, UserId};
use crate::org::{Actor, Role};
use crate::subject::{Subject, SubjectIdentity};

const RULES: &str = include_str!("../data/credit.toml");

/// Why a credit command was refused, or the rules did not load.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditError {
    /// A required text was empty.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// A field's value is not acceptable.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// The actor lacks the role the step needs.
    #[error("{0}")]
    Role(String),
    /// The step is not allowed in the object's state.
    #[error("{0}")]
    Rule(String),
    /// The rules file is malformed.
    #[error("credit rules: {0}")]
    Rules(String),
    /// Too few fresh ids.
    #[error(transparent)]
    Ids(#[from] OutOfIds),
}

/// What a credit record is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditRecordKind {
    /// An administrative penalty decision (行政处罚决定).
    PenaltyDecision,
    /// An entry on the serious-violation list (列入严重违法失信名单).
    BlacklistEntry,
    /// A platform's self-inspection action (平台自查自纠处置: takedown, shop closed).
    SelfInspection,
    /// A confirmed brushing finding (刷单炒信认定).
    BrushingFinding,
}

impl CreditRecordKind {
    /// Every kind.
    pub const ALL: [Self; 4] = [
        Self::PenaltyDecision,
        Self::BlacklistEntry,
        Self::SelfInspection,
        Self::BrushingFinding,
    ];

    /// The code name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PenaltyDecision => "penalty_decision",
            Self::BlacklistEntry => "blacklist_entry",
            Self::SelfInspection => "self_inspection",
            Self::BrushingFinding => "brushing_finding",
        }
    }

    /// The kind for a code name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::PenaltyDecision => "行政处罚",
            Self::BlacklistEntry => "列入严重违法失信名单",
            Self::SelfInspection => "平台自查自纠处置",
            Self::BrushingFinding => "刷单炒信认定",
        }
    }
}

/// One entry of a subject's credit file. Table `credit_records`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditRecord {
    /// Stable id.
    pub id: Uuid,
    /// Whose file.
    pub subject: SubjectId,
    /// What it is.
    pub kind: CreditRecordKind,
    /// Who it comes from (the deciding agency's name, the platform's name).
    pub source: String,
    /// The organization that recorded it.
    pub org: OrgId,
    /// The day of the decision or finding.
    pub on: NaiveDate,
    /// Legal basis.
    pub legal_basis: String,
    /// The document: decision number, finding reference.
    pub reference: String,
    /// What happened, in a sentence.
    pub summary: String,
    /// Fine and confiscation in fen (penalties).
    pub fine_fen: Option<i64>,
    /// The case, for a penalty decision.
    pub case: Option<CaseId>,
    /// When recorded.
    pub recorded_at: DateTime<Utc>,
    /// Optimistic concurrency version.
    pub version: i64,
}

/// A credit class (信用风险分类): A low risk … D high risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum CreditClass {
    /// 信用风险低.
    A,
    /// 信用风险一般.
    B,
    /// 信用风险较高.
    C,
    /// 信用风险高.
    D,
}

impl CreditClass {
    /// "A" … "D".
    pub fn as_str(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::B => "B",
            Self::C => "C",
            Self::D => "D",
        }
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::A => "信用风险低",
            Self::B => "信用风险一般",
            Self::C => "信用风险较高",
            Self::D => "信用风险高",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "A" => Some(Self::A),
            "B" => Some(Self::B),
            "C" => Some(Self::C),
            "D" => Some(Self::D),
            _ => None,
        }
    }
}

/// A class with the reasons it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// The class.
    pub class: CreditClass,
    /// Why (every rule that fired, worst first; empty for A).
    pub reasons: Vec<String>,
}

/// The class last recorded for a subject. Table `credit_standings`, keyed by subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditStanding {
    /// The subject (also the row's id).
    pub subject: SubjectId,
    /// Class.
    pub class: CreditClass,
    /// Reasons.
    pub reasons: Vec<String>,
    /// The day it was assessed.
    pub assessed_on: NaiveDate,
    /// Optimistic concurrency version.
    pub version: i64,
}

/// One class rule of `data/credit.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassRule {
    /// The class it gives.
    pub class: String,
    /// Fires while the subject is on the list.
    #[serde(default)]
    pub blacklisted: bool,
    /// Record kinds counted.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Records needed.
    #[serde(default)]
    pub min_count: u32,
    /// Smallest fine counted (yuan; 0: any).
    #[serde(default)]
    pub min_fine_yuan: i64,
    /// Records older than this many days are not counted (0: any age).
    #[serde(default)]
    pub within_days: i64,
    /// The reason shown.
    pub reason_zh: String,
    /// Where it comes from.
    pub source: String,
    /// How the citation was checked.
    pub verified: String,
}

/// The blacklist section of the rules.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlacklistRules {
    /// Longest term without a cited longer restriction (months).
    pub max_months: u32,
    /// Its source.
    pub max_months_source: String,
    /// Months listed before credit repair may be granted.
    pub repair_after_months: u32,
    /// Its source.
    pub repair_source: String,
    /// A later penalty at least this large (yuan) is 较重 and bars repair.
    pub heavy_fine_yuan: i64,
    /// How checked.
    pub verified: String,
}

/// The disclosure section of the rules.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclosureRules {
    /// Working days from the decision to publication.
    pub deadline_workdays: u32,
    /// Its source.
    pub deadline_source: String,
    /// Publicity period of warnings and low fines (months).
    pub short_period_months: u32,
    /// Publicity period of the others (months).
    pub long_period_months: u32,
    /// 较低数额罚款 for persons and individual businesses (yuan).
    pub low_fine_yuan_person: i64,
    /// 较低数额罚款 for others (yuan).
    pub low_fine_yuan_other: i64,
    /// Source of the periods.
    pub period_source: String,
    /// How checked.
    pub verified: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct ClassesHeader {
    source: String,
    verified: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    classes: ClassesHeader,
    class_rule: Vec<ClassRule>,
    blacklist: BlacklistRules,
    disclosure: DisclosureRules,
}

/// The credit rules in force: class rules, blacklist terms, disclosure deadline and
/// publicity periods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditRules {
    /// Where the classification comes from.
    pub classes_source: String,
    /// The class rules, in file order.
    pub class_rules: Vec<(CreditClass, Vec<CreditRecordKind>, ClassRule)>,
    /// Blacklist terms.
    pub blacklist: BlacklistRules,
    /// Disclosure.
    pub disclosure: DisclosureRules,
}

const VERIFIED: [&str; 4] = ["text", "secondary", "recalled", "policy"];

impl CreditRules {
    /// The embedded defaults (`data/credit.toml`).
    pub fn defaults() -> Result<Self, CreditError> {
        Self::parse(RULES)
    }

    /// Parses and validates a rules file, naming the rule and field at fault.
    pub fn parse(text: &str) -> Result<Self, CreditError> {
        let f: RulesFile = toml::from_str(text).map_err(|e| CreditError::Rules(e.to_string()))?;
        let bad = |what: String| Err(CreditError::Rules(what));
        if !VERIFIED.contains(&f.classes.verified.as_str()) {
            return bad("[classes] verified must be text, secondary, recalled or policy".into());
        }
        let mut class_rules = Vec::new();
        for (i, r) in f.class_rule.iter().enumerate() {
            let n = i + 1;
            let Some(class) = CreditClass::parse(&r.class) else {
                return bad(format!("class_rule {n}: class must be A, B, C or D"));
            };
            if class == CreditClass::A {
                return bad(format!("class_rule {n}: A is the class of no rule firing"));
            }
            let mut kinds = Vec::new();
            for k in &r.kinds {
                match CreditRecordKind::parse(k) {
                    Some(k) => kinds.push(k),
                    None => return bad(format!("class_rule {n}: unknown kind {k:?}")),
                }
            }
            if !r.blacklisted && (kinds.is_empty() || r.min_count == 0) {
                return bad(format!(
                    "class_rule {n}: needs blacklisted = true, or kinds and min_count ≥ 1"
                ));
            }
            if r.within_days < 0 || r.min_fine_yuan < 0 {
                return bad(format!("class_rule {n}: within_days and min_fine_yuan ≥ 0"));
            }
            if r.reason_zh.trim().is_empty() || r.source.trim().is_empty() {
                return bad(format!(
                    "class_rule {n}: reason_zh and source must not be empty"
                ));
            }
            if !VERIFIED.contains(&r.verified.as_str()) {
                return bad(format!(
                    "class_rule {n}: verified must be text, secondary, recalled or policy"
                ));
            }
            class_rules.push((class, kinds, r.clone()));
        }
        let b = &f.blacklist;
        if b.max_months == 0 || b.repair_after_months > b.max_months {
            return bad("[blacklist] max_months ≥ 1 and repair_after_months ≤ max_months".into());
        }
        let d = &f.disclosure;
        if d.deadline_workdays == 0 || d.short_period_months == 0 || d.long_period_months == 0 {
            return bad("[disclosure] deadline and periods must be positive".into());
        }
        Ok(Self {
            classes_source: f.classes.source,
            class_rules,
            blacklist: f.blacklist,
            disclosure: f.disclosure,
        })
    }

    /// The class of a subject with `records`, on the list now or not, on `today`: the
    /// worst class whose rule fires, with the reasons of every rule that fired.
    pub fn assess(
        &self,
        records: &[CreditRecord],
        blacklisted: bool,
        today: NaiveDate,
    ) -> Assessment {
        let mut fired: Vec<(CreditClass, String)> = Vec::new();
        for (class, kinds, r) in &self.class_rules {
            let hit = if r.blacklisted {
                blacklisted
            } else {
                let n = records
                    .iter()
                    .filter(|c| kinds.contains(&c.kind))
                    .filter(|c| r.within_days == 0 || (today - c.on).num_days() <= r.within_days)
                    .filter(|c| c.on <= today)
                    .filter(|c| {
                        r.min_fine_yuan == 0 || c.fine_fen.unwrap_or(0) >= r.min_fine_yuan * 100
                    })
                    .count();
                n >= r.min_count as usize
            };
            if hit {
                fired.push((*class, r.reason_zh.clone()));
            }
        }
        fired.sort_by_key(|f| std::cmp::Reverse(f.0));
        Assessment {
            class: fired.first().map(|f| f.0).unwrap_or(CreditClass::A),
            reasons: fired
                .into_iter()
                .map(|(c, r)| format!("{}: {r}", c.as_str()))
                .collect(),
        }
    }
}

/// How a blacklist entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlacklistStatus {
    /// Listed (active until its end date, then expired: see [`BlacklistEntry::state_on`]).
    Listed,
    /// Removed early by credit repair.
    Repaired,
}

/// What an entry is on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlacklistState {
    /// On the list.
    Active,
    /// Its term ended (移出: 期满).
    Expired,
    /// Removed by credit repair (信用修复).
    Repaired,
}

impl BlacklistState {
    /// The code name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Expired => "expired",
            Self::Repaired => "repaired",
        }
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Active => "在列",
            Self::Expired => "期满移出",
            Self::Repaired => "信用修复移出",
        }
    }
}

/// A credit repair (信用修复) granting early removal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repair {
    /// Day the party applied.
    pub applied_on: NaiveDate,
    /// The conditions as established (第二十一条 (一)(二)), with the evidence named.
    pub conditions: Vec<String>,
    /// The supervisor who approved.
    pub approved_by: UserId,
    /// Day approved (the entry ends that day).
    pub approved_on: NaiveDate,
}

/// An entry on the serious-violation list. Table `blacklist_entries`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlacklistEntry {
    /// Stable id.
    pub id: Uuid,
    /// The listed subject.
    pub subject: SubjectId,
    /// Its name when listed (what screening and the public see).
    pub subject_name: String,
    /// 统一社会信用代码, when it has one.
    pub uscc: Option<String>,
    /// Registered domain (a website).
    pub domain: Option<String>,
    /// Legal basis of the listing.
    pub legal_basis: String,
    /// The listing decision's document number.
    pub decision_number: String,
    /// The deciding organization.
    pub deciding_org: OrgId,
    /// The supervisor who decided.
    pub decided_by: UserId,
    /// First day on the list.
    pub start: NaiveDate,
    /// Term in months.
    pub months: u32,
    /// The day it leaves the list (start + months).
    pub end: NaiveDate,
    /// The legal restriction cited for a term longer than the regulation's maximum.
    pub longer_basis: Option<String>,
    /// Listed or repaired.
    pub status: BlacklistStatus,
    /// The repair, once granted.
    pub repair: Option<Repair>,
    /// When recorded.
    pub recorded_at: DateTime<Utc>,
    /// Optimistic concurrency version.
    pub version: i64,
}

impl BlacklistEntry {
    /// Its state on `day`: expiry is read from the dates, no job runs.
    pub fn state_on(&self, day: NaiveDate) -> BlacklistState {
        match self.status {
            BlacklistStatus::Repaired => BlacklistState::Repaired,
            BlacklistStatus::Listed if day >= self.end => BlacklistState::Expired,
            BlacklistStatus::Listed => BlacklistState::Active,
        }
    }

    /// The day it left (or will leave) the list.
    pub fn removed_on(&self) -> NaiveDate {
        self.repair
            .as_ref()
            .map(|r| r.approved_on)
            .unwrap_or(self.end)
    }
}

/// Whether a disclosure is out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureStatus {
    /// Awaiting approval.
    Pending,
    /// Published.
    Published,
}

/// The publication (公示) of one penalty decision. Table `disclosures`, one per case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disclosure {
    /// Stable id (derived from the case: one disclosure per decision).
    pub id: Uuid,
    /// The case.
    pub case: CaseId,
    /// The party.
    pub subject: SubjectId,
    /// The deciding agency.
    pub org: OrgId,
    /// Its name (as published).
    pub org_name: String,
    /// Its region (GB/T 2260).
    pub region: String,
    /// The party's name as registered (masked when public if a person).
    pub party_name: String,
    /// The party is a natural person or an individual business (names masked, 个人信息).
    pub party_is_person: bool,
    /// 统一社会信用代码.
    pub uscc: Option<String>,
    /// 决定书文号.
    pub decision_number: String,
    /// 案由 (the product and the violation).
    pub title: String,
    /// Legal basis.
    pub legal_basis: String,
    /// Fine in fen.
    pub fine_fen: i64,
    /// Day decided.
    pub decided_on: NaiveDate,
    /// Publication deadline.
    pub due: NaiveDate,
    /// Pending or published.
    pub status: DisclosureStatus,
    /// Day published.
    pub published_on: Option<NaiveDate>,
    /// Who approved publication.
    pub published_by: Option<UserId>,
    /// Last day in public view (exclusive: gone from this day).
    pub public_until: Option<NaiveDate>,
    /// A typical case (典型案例), shown on the portal's page of them.
    pub typical: bool,
    /// Optimistic concurrency version.
    pub version: i64,
}

impl Disclosure {
    /// In public view on `day`.
    pub fn is_public(&self, day: NaiveDate) -> bool {
        self.status == DisclosureStatus::Published
            && self.published_on.is_some_and(|p| p <= day)
            && self.public_until.is_some_and(|u| day < u)
    }

    /// Published after its deadline, or still pending past it on `today`.
    pub fn is_late(&self, today: NaiveDate) -> bool {
        match self.published_on {
            Some(p) => p > self.due,
            None => today > self.due,
        }
    }

    /// What the public sees: personal data masked.
    pub fn public(&self) -> PublicDecision {
        PublicDecision {
            id: self.id,
            party_name: if self.party_is_person {
                mask_person_name(&self.party_name)
            } else {
                mask_text(&self.party_name)
            },
            uscc: self.uscc.clone(),
            org_name: self.org_name.clone(),
            region: self.region.clone(),
            decision_number: mask_text(&self.decision_number),
            title: mask_text(&self.title),
            legal_basis: mask_text(&self.legal_basis),
            fine_yuan: self.fine_fen as f64 / 100.0,
            decided_on: self.decided_on,
            published_on: self.published_on,
            public_until: self.public_until,
            typical: self.typical,
        }
    }
}

/// A penalty decision as published: personal data masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicDecision {
    /// Id.
    pub id: Uuid,
    /// 当事人 (a person's name masked).
    pub party_name: String,
    /// 统一社会信用代码.
    pub uscc: Option<String>,
    /// 处罚机关.
    pub org_name: String,
    /// Region.
    pub region: String,
    /// 决定书文号.
    pub decision_number: String,
    /// 案由.
    pub title: String,
    /// 处罚依据.
    pub legal_basis: String,
    /// 罚没金额 (yuan).
    pub fine_yuan: f64,
    /// 处罚决定日期.
    pub decided_on: NaiveDate,
    /// 公示日期.
    pub published_on: Option<NaiveDate>,
    /// 公示截止.
    pub public_until: Option<NaiveDate>,
    /// 典型案例.
    pub typical: bool,
}

/// A person's name for the public: the family name kept, the rest starred (张三 → 张*).
pub fn mask_person_name(name: &str) -> String {
    let mut it = name.trim().chars();
    match it.next() {
        Some(first) => {
            let rest = it.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
        None => String::new(),
    }
}

/// Masks citizen ids (18 characters: 17 digits and a digit or X → region and last four
/// kept) and mobile numbers (11 digits from 1 → first three and last four kept) inside a
/// free text; other digit runs are left alone.
pub fn mask_text(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            let digits = j - i;
            let with_x = digits == 17 && j < chars.len() && matches!(chars[j], 'X' | 'x');
            let end = if with_x { j + 1 } else { j };
            let boundary = end >= chars.len() || !chars[end].is_ascii_alphanumeric();
            let run: String = chars[i..end].iter().collect();
            if boundary && (digits == 18 || with_x) {
                out.push_str(&crate::subject::mask_citizen_id(&run.to_ascii_uppercase()));
            } else if boundary && digits == 11 && chars[i] == '1' {
                out.push_str(&run[..3]);
                out.push_str("****");
                out.push_str(&run[7..]);
            } else {
                out.push_str(&run);
            }
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Finds an unmasked citizen id or mobile number in `s` (for tests and checks of public
/// output): the first one, or `None`.
pub fn find_unmasked(s: &str) -> Option<String> {
    let masked = mask_text(s);
    if masked == s {
        return None;
    }
    // The first differing run.
    let a: Vec<char> = s.chars().collect();
    let b: Vec<char> = masked.chars().collect();
    let i = a.iter().zip(&b).position(|(x, y)| x != y)?;
    let start = a[..i]
        .iter()
        .rposition(|c| !c.is_ascii_digit())
        .map_or(0, |p| p + 1);
    Some(a[start..(start + 18).min(a.len())].iter().collect())
}

fn text(field: &'static str, s: &str) -> Result<String, CreditError> {
    let t = s.trim();
    if t.is_empty() {
        Err(CreditError::Empty(field))
    } else {
        Ok(t.to_string())
    }
}

fn recorder<'a>(ctx: &'a Context, actor: &Actor) -> Recorder<'a> {
    Recorder {
        ctx,
        actor: actor.user,
        actor_org: actor.org,
        root_case: None,
    }
}

/// The subject's credit file as the commands need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditFile {
    /// The subject.
    pub subject: Subject,
    /// Its records.
    pub records: Vec<CreditRecord>,
    /// Its blacklist entries.
    pub entries: Vec<BlacklistEntry>,
    /// The class last recorded.
    pub standing: Option<CreditStanding>,
}

impl CreditFile {
    /// On the list on `day`.
    pub fn blacklisted_on(&self, day: NaiveDate) -> bool {
        self.entries
            .iter()
            .any(|e| e.state_on(day) == BlacklistState::Active)
    }

    /// The class now, with the reasons.
    pub fn assess(&self, rules: &CreditRules, today: NaiveDate) -> Assessment {
        rules.assess(&self.records, self.blacklisted_on(today), today)
    }
}

/// What a credit command writes: new or changed records, entries, disclosures and the
/// standing (each written only when an event names it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreditUpdate {
    /// Records.
    pub records: Vec<CreditRecord>,
    /// Blacklist entries.
    pub entries: Vec<BlacklistEntry>,
    /// Disclosures.
    pub disclosures: Vec<Disclosure>,
    /// The standing.
    pub standing: Option<CreditStanding>,
}

/// Re-assesses `file` (already holding the new records and entries) and appends the
/// standing's event when the class or its reasons changed.
fn reassess(
    file: &CreditFile,
    rules: &CreditRules,
    today: NaiveDate,
    rec: &Recorder<'_>,
    ids: &mut IdSupply<'_>,
    up: &mut CreditUpdate,
    events: &mut Vec<AuditEvent>,
) -> Result<(), OutOfIds> {
    let a = file.assess(rules, today);
    let before = file.standing.as_ref();
    if before.is_some_and(|s| s.class == a.class && s.reasons == a.reasons) {
        return Ok(());
    }
    let next = CreditStanding {
        subject: file.subject.id,
        class: a.class,
        reasons: a.reasons,
        assessed_on: today,
        version: before.map_or(1, |s| s.version + 1),
    };
    events.push(rec.event(
        ids,
        "credit.class",
        ObjectType::CreditStanding,
        next.subject.0,
        before,
        &next,
    )?);
    up.standing = Some(next);
    Ok(())
}

/// What a new credit record says (from a platform's self-inspection, a brushing finding,
/// or any other source wired to the credit file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRecord {
    /// Kind.
    pub kind: CreditRecordKind,
    /// Source (organization name).
    pub source: String,
    /// Day of the decision or finding.
    pub on: NaiveDate,
    /// Legal basis.
    pub legal_basis: String,
    /// Document or finding reference.
    pub reference: String,
    /// What happened.
    pub summary: String,
    /// Fine in fen, for penalties.
    pub fine_fen: Option<i64>,
}

/// Adds one record to a credit file (and re-assesses the class).
pub fn add_record(
    file: &CreditFile,
    actor: &Actor,
    new: &NewRecord,
    rules: &CreditRules,
    ctx: &Context,
) -> Result<Change<CreditUpdate>, CreditError> {
    let today = shanghai_date(ctx.now);
    if new.on > today {
        return Err(CreditError::Invalid {
            field: "on",
            reason: format!("{} is after today ({today})", new.on),
        });
    }
    if new.fine_fen.is_some_and(|f| f < 0) {
        return Err(CreditError::Invalid {
            field: "fine_fen",
            reason: "cannot be negative".into(),
        });
    }
    let mut ids = IdSupply::new(ctx);
    let rec = recorder(ctx, actor);
    let r = CreditRecord {
        id: ids.next()?,
        subject: file.subject.id,
        kind: new.kind,
        source: text("source", &new.source)?,
        org: actor.org,
        on: new.on,
        legal_basis: text("legal_basis", &new.legal_basis)?,
        reference: text("reference", &new.reference)?,
        summary: text("summary", &new.summary)?,
        fine_fen: new.fine_fen,
        case: None,
        recorded_at: ctx.now,
        version: 1,
    };
    let mut events = vec![rec.event(
        &mut ids,
        "credit.record",
        ObjectType::CreditRecord,
        r.id,
        None,
        &r,
    )?];
    let mut up = CreditUpdate::default();
    let mut f = file.clone();
    f.records.push(r.clone());
    up.records.push(r);
    reassess(&f, rules, today, &rec, &mut ids, &mut up, &mut events)?;
    Ok(Change::new(up, Events::new(events).ok_or(OutOfIds(0))?))
}

/// What the deciding agency is, for the disclosure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decider {
    /// The agency's name.
    pub name: String,
    /// Its region.
    pub region: String,
}

/// The id of a case's disclosure.
pub fn disclosure_id(case: CaseId) -> Uuid {
    Uuid::new_v5(&case.0, b"wangjian/disclosure/v1")
}

/// When a case's penalty has just been decided (`case` as decided, its party's credit
/// file): the penalty's credit record, the re-assessed class and the pending disclosure
/// with its deadline, in one change with the case's (the caller merges the events).
pub fn on_penalty_decided(
    case: &Case,
    file: &CreditFile,
    decider: &Decider,
    actor: &Actor,
    rules: &CreditRules,
    cal: &Calendar,
    ctx: &Context,
) -> Result<Change<CreditUpdate>, CreditError> {
    let p = case
        .penalty
        .as_ref()
        .ok_or_else(|| CreditError::Rule("the case has no penalty decision".into()))?;
    let today = shanghai_date(ctx.now);
    let mut ids = IdSupply::new(ctx);
    let mut rec = recorder(ctx, actor);
    rec.root_case = Some(case.id);
    let r = CreditRecord {
        id: ids.next()?,
        subject: file.subject.id,
        kind: CreditRecordKind::PenaltyDecision,
        source: decider.name.clone(),
        org: case.responsible_org,
        on: p.on,
        legal_basis: p.legal_basis.clone(),
        reference: p.decision_number.clone(),
        summary: case.title.clone(),
        fine_fen: Some(p.fine_fen),
        case: Some(case.id),
        recorded_at: ctx.now,
        version: 1,
    };
    let due = cal
        .add_workdays(p.on, rules.disclosure.deadline_workdays)
        .map_err(|e| CreditError::Rule(format!("counting the disclosure deadline: {e}")))?;
    let (party_is_person, uscc) = match &file.subject.identity {
        SubjectIdentity::Enterprise { uscc } => (false, Some(uscc.clone())),
        SubjectIdentity::IndividualBusiness { uscc, .. } => (true, uscc.clone()),
        SubjectIdentity::Person { .. } => (true, None),
        SubjectIdentity::Website { .. } => (false, None),
    };
    let d = Disclosure {
        id: disclosure_id(case.id),
        case: case.id,
        subject: file.subject.id,
        org: case.responsible_org,
        org_name: decider.name.clone(),
        region: decider.region.clone(),
        party_name: file.subject.name.clone(),
        party_is_person,
        uscc,
        decision_number: p.decision_number.clone(),
        title: case.title.clone(),
        legal_basis: p.legal_basis.clone(),
        fine_fen: p.fine_fen,
        decided_on: p.on,
        due,
        status: DisclosureStatus::Pending,
        published_on: None,
        published_by: None,
        public_until: None,
        typical: false,
        version: 1,
    };
    let mut events = vec![
        rec.event(
            &mut ids,
            "credit.record",
            ObjectType::CreditRecord,
            r.id,
            None,
            &r,
        )?,
        rec.event(
            &mut ids,
            "disclosure.create",
            ObjectType::Disclosure,
            d.id,
            None,
            &d,
        )?,
    ];
    let mut up = CreditUpdate::default();
    let mut f = file.clone();
    f.records.push(r.clone());
    up.records.push(r);
    up.disclosures.push(d);
    reassess(&f, rules, today, &rec, &mut ids, &mut up, &mut events)?;
    Ok(Change::new(up, Events::new(events).ok_or(OutOfIds(0))?))
}

/// Publishes a pending disclosure (the approval, 审核公示): published today, public for
/// the period the rules give its penalty.
pub fn publish(
    d: &Disclosure,
    actor: &Actor,
    typical: bool,
    rules: &CreditRules,
    ctx: &Context,
) -> Result<Change<CreditUpdate>, CreditError> {
    if !actor.has(Role::Supervisor) {
        return Err(CreditError::Role(
            "publishing a penalty decision is approved by a supervisor (负责人)".into(),
        ));
    }
    if d.status == DisclosureStatus::Published {
        return Err(CreditError::Rule(
            "the decision is published already".into(),
        ));
    }
    let today = shanghai_date(ctx.now);
    let r = &rules.disclosure;
    let low = if d.party_is_person {
        r.low_fine_yuan_person
    } else {
        r.low_fine_yuan_other
    };
    let months = if d.fine_fen <= low * 100 {
        r.short_period_months
    } else {
        r.long_period_months
    };
    let mut next = d.clone();
    next.status = DisclosureStatus::Published;
    next.published_on = Some(today);
    next.published_by = Some(actor.user);
    next.public_until = today.checked_add_months(Months::new(months));
    next.typical = typical;
    next.version += 1;
    let mut ids = IdSupply::new(ctx);
    let mut rec = recorder(ctx, actor);
    rec.root_case = Some(d.case);
    let ev = rec.event(
        &mut ids,
        "disclosure.publish",
        ObjectType::Disclosure,
        d.id,
        Some(d),
        &next,
    )?;
    Ok(Change::new(
        CreditUpdate {
            disclosures: vec![next],
            ..CreditUpdate::default()
        },
        Events::new(vec![ev]).ok_or(OutOfIds(0))?,
    ))
}

/// A listing decision (列入严重违法失信名单决定).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingDecision {
    /// Legal basis (the article of 《市场监督管理严重违法失信名单管理办法》 and the
    /// violation's law).
    pub legal_basis: String,
    /// The decision document's number.
    pub decision_number: String,
    /// First day on the list.
    pub start: NaiveDate,
    /// Term in months.
    pub months: u32,
    /// A legal restriction longer than the regulation's maximum, when `months` exceeds it.
    pub longer_basis: Option<String>,
}

/// Enters a subject on the list, as a supervisor of the deciding agency: the entry, its
/// credit record and the re-assessed class.
pub fn enter_blacklist(
    file: &CreditFile,
    actor: &Actor,
    decider: &Decider,
    decision: &ListingDecision,
    rules: &CreditRules,
    ctx: &Context,
) -> Result<Change<CreditUpdate>, CreditError> {
    if !actor.has(Role::Supervisor) {
        return Err(CreditError::Role(
            "a listing decision is made by a supervisor (负责人) of the deciding agency".into(),
        ));
    }
    let today = shanghai_date(ctx.now);
    let legal_basis = text("legal_basis", &decision.legal_basis)?;
    let decision_number = text("decision_number", &decision.decision_number)?;
    if decision.months == 0 {
        return Err(CreditError::Invalid {
            field: "months",
            reason: "the term must be at least one month".into(),
        });
    }
    let longer = decision
        .longer_basis
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    if decision.months > rules.blacklist.max_months && longer.is_none() {
        return Err(CreditError::Invalid {
            field: "months",
            reason: format!(
                "longer than the {} months of {}; cite the legal restriction that runs longer (longer_basis)",
                rules.blacklist.max_months, rules.blacklist.max_months_source
            ),
        });
    }
    if decision.start > today {
        return Err(CreditError::Invalid {
            field: "start",
            reason: format!("{} is after today ({today})", decision.start),
        });
    }
    if file.blacklisted_on(today) {
        return Err(CreditError::Rule(
            "the subject is on the list already".into(),
        ));
    }
    let end = decision
        .start
        .checked_add_months(Months::new(decision.months))
        .ok_or(CreditError::Invalid {
            field: "months",
            reason: "out of range".into(),
        })?;
    if end <= today {
        return Err(CreditError::Invalid {
            field: "start",
            reason: format!("a term from {} ends on {end}, before today", decision.start),
        });
    }
    let (uscc, domain) = match &file.subject.identity {
        SubjectIdentity::Enterprise { uscc } => (Some(uscc.clone()), None),
        SubjectIdentity::IndividualBusiness { uscc, .. } => (uscc.clone(), None),
        SubjectIdentity::Person { .. } => (None, None),
        SubjectIdentity::Website { domain, .. } => (None, Some(domain.clone())),
    };
    let mut ids = IdSupply::new(ctx);
    let rec = recorder(ctx, actor);
    let e = BlacklistEntry {
        id: ids.next()?,
        subject: file.subject.id,
        subject_name: file.subject.name.clone(),
        uscc,
        domain,
        legal_basis: legal_basis.clone(),
        decision_number: decision_number.clone(),
        deciding_org: actor.org,
        decided_by: actor.user,
        start: decision.start,
        months: decision.months,
        end,
        longer_basis: longer,
        status: BlacklistStatus::Listed,
        repair: None,
        recorded_at: ctx.now,
        version: 1,
    };
    let r = CreditRecord {
        id: ids.next()?,
        subject: file.subject.id,
        kind: CreditRecordKind::BlacklistEntry,
        source: decider.name.clone(),
        org: actor.org,
        on: decision.start,
        legal_basis,
        reference: decision_number,
        summary: format!("列入严重违法失信名单,{} 至 {end}", decision.start),
        fine_fen: None,
        case: None,
        recorded_at: ctx.now,
        version: 1,
    };
    let mut events = vec![
        rec.event(
            &mut ids,
            "blacklist.enter",
            ObjectType::BlacklistEntry,
            e.id,
            None,
            &e,
        )?,
        rec.event(
            &mut ids,
            "credit.record",
            ObjectType::CreditRecord,
            r.id,
            None,
            &r,
        )?,
    ];
    let mut up = CreditUpdate::default();
    let mut f = file.clone();
    f.records.push(r.clone());
    f.entries.push(e.clone());
    up.records.push(r);
    up.entries.push(e);
    reassess(&f, rules, today, &rec, &mut ids, &mut up, &mut events)?;
    Ok(Change::new(up, Events::new(events).ok_or(OutOfIds(0))?))
}

/// An application for credit repair, as established by the agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairApplication {
    /// Day the party applied.
    pub applied_on: NaiveDate,
    /// 第二十一条(一): the penalty's obligations fulfilled — how it was established.
    pub obligations_fulfilled: String,
    /// 第二十一条(二): harm and bad influence removed — how it was established.
    pub harm_removed: String,
}

/// Grants credit repair (信用修复) and removes the entry early, as a supervisor of the
/// deciding agency: after the rules' waiting period (满一年), with conditions (一) and (二)
/// established and (三) — no heavier penalty since listing — read from the credit file.
pub fn repair_blacklist(
    file: &CreditFile,
    entry: &BlacklistEntry,
    actor: &Actor,
    app: &RepairApplication,
    rules: &CreditRules,
    ctx: &Context,
) -> Result<Change<CreditUpdate>, CreditError> {
    if !actor.has(Role::Supervisor) || actor.org != entry.deciding_org {
        return Err(CreditError::Role(
            "credit repair is approved by a supervisor (负责人) of the agency that listed the subject".into(),
        ));
    }
    let today = shanghai_date(ctx.now);
    if entry.state_on(today) != BlacklistState::Active {
        return Err(CreditError::Rule(format!(
            "the entry is {} already",
            entry.state_on(today).label_zh()
        )));
    }
    if app.applied_on > today || app.applied_on < entry.start {
        return Err(CreditError::Invalid {
            field: "applied_on",
            reason: format!(
                "must lie between the listing ({}) and today ({today})",
                entry.start
            ),
        });
    }
    let b = &rules.blacklist;
    let eligible = entry
        .start
        .checked_add_months(Months::new(b.repair_after_months))
        .unwrap_or(entry.end);
    if today < eligible {
        return Err(CreditError::Rule(format!(
            "credit repair may be granted from {eligible} ({}): {}",
            b.repair_after_months, b.repair_source
        )));
    }
    let c1 = text("obligations_fulfilled", &app.obligations_fulfilled)?;
    let c2 = text("harm_removed", &app.harm_removed)?;
    if let Some(p) = file.records.iter().find(|r| {
        r.kind == CreditRecordKind::PenaltyDecision
            && r.on >= entry.start
            && r.fine_fen.unwrap_or(0) >= b.heavy_fine_yuan * 100
    }) {
        return Err(CreditError::Rule(format!(
            "condition (三) not met: a heavier penalty ({}, {}) since the listing",
            p.reference, p.on
        )));
    }
    let mut next = entry.clone();
    next.status = BlacklistStatus::Repaired;
    next.repair = Some(Repair {
        applied_on: app.applied_on,
        conditions: vec![
            format!("(一)已履行行政处罚决定中规定的义务: {c1}"),
            format!("(二)已消除危害后果和不良影响: {c2}"),
            "(三)列入以来未再受到较重行政处罚 (据信用档案)".to_string(),
        ],
        approved_by: actor.user,
        approved_on: today,
    });
    next.version += 1;
    let mut ids = IdSupply::new(ctx);
    let rec = recorder(ctx, actor);
    let mut events = vec![rec.event(
        &mut ids,
        "blacklist.repair",
        ObjectType::BlacklistEntry,
        entry.id,
        Some(entry),
        &next,
    )?];
    let mut up = CreditUpdate::default();
    let mut f = file.clone();
    if let Some(slot) = f.entries.iter_mut().find(|e| e.id == entry.id) {
        *slot = next.clone();
    }
    up.entries.push(next);
    reassess(&f, rules, today, &rec, &mut ids, &mut up, &mut events)?;
    Ok(Change::new(up, Events::new(events).ok_or(OutOfIds(0))?))
}

/// One screening call against the list, as recorded: who screened how many (never the
/// candidates' data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreeningCall {
    /// Id.
    pub id: Uuid,
    /// The screening organization.
    pub org: OrgId,
    /// Candidates screened.
    pub candidates: u64,
    /// Candidates with at least one match or possible match.
    pub flagged: u64,
    /// Entries on the list screened against.
    pub list_size: u64,
}

/// The audit record of one screening call (an event that changes nothing).
pub fn record_screening(
    actor: &Actor,
    candidates: u64,
    flagged: u64,
    list_size: u64,
    ctx: &Context,
) -> Result<Read, OutOfIds> {
    let mut ids = IdSupply::new(ctx);
    let call = ScreeningCall {
        id: ids.next()?,
        org: actor.org,
        candidates,
        flagged,
        list_size,
    };
    let event = recorder(ctx, actor).event(
        &mut ids,
        "screen.call",
        ObjectType::Screening,
        call.id,
        None,
        &call,
    )?;
    Ok(Read::of_event(event))
}

/// The party of a case (当事人), named by the case's officers. Table `case_parties`,
/// keyed by case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseParty {
    /// The case (also the row's id).
    pub case: CaseId,
    /// The subject.
    pub subject: SubjectId,
    /// Who named it.
    pub named_by: UserId,
    /// When.
    pub named_at: DateTime<Utc>,
    /// Optimistic concurrency version.
    pub version: i64,
}

/// Names (or renames, before the penalty is decided) the party of a case.
pub fn name_party(
    case: &Case,
    before: Option<&CaseParty>,
    subject: SubjectId,
    actor: &Actor,
    ctx: &Context,
) -> Result<Change<CaseParty>, CreditError> {
    if case.penalty.is_some() && before.is_some() {
        return Err(CreditError::Rule(
            "the penalty is decided: its party is on the decision and in the credit file".into(),
        ));
    }
    let next = CaseParty {
        case: case.id,
        subject,
        named_by: actor.user,
        named_at: ctx.now,
        version: before.map_or(1, |b| b.version + 1),
    };
    let mut ids = IdSupply::new(ctx);
    let mut rec = recorder(ctx, actor);
    rec.root_case = Some(case.id);
    let ev = rec.event(
        &mut ids,
        "case.name_party",
        ObjectType::CaseParty,
        case.id.0,
        before,
        &next,
    )?;
    Ok(Change::new(next, Events::new(vec![ev]).ok_or(OutOfIds(0))?))
}

#[cfg(test)]
mod tests;
