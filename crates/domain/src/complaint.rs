//! Complaints (投诉) and reports (举报) from the public portal, under the
//! 市场监督管理投诉举报处理暂行办法: a submission is received, the handling agency accepts
//! or refuses it (with a reason) within 7 working days (第十四条), an accepted one becomes a
//! lead and is later marked handled with an outcome the submitter may read.
//!
//! ```text
//!  (new) ─submit─► received ─accept─► accepted ─handle─► handled ■
//!                     │
//!                     └─refuse (reason)─► refused ■
//! ```
//!
//! The submitter has no account: they hold a **tracking number** (80 random bits in
//! Crockford base32, `XXXX-XXXX-XXXX-XXXX`), which is the only way to read the status.
//! The randomness comes in from the caller, like every other id. The number is shown to
//! the submitter once and never kept: a complaint holds only its SHA-256
//! ([`tracking_digest`]), so neither a copy of the database nor an officer's screen gives
//! anyone the key to a submitter's status page.
//!
//! The submitter's contact is personal data, and a reporter (举报人) must be protected
//! from the party reported (市场监督管理投诉举报处理暂行办法: the reporter's information is
//! kept confidential). Lists show it masked ([`masked_contact`]); the handling agency's
//! workers read it in full on one complaint at a time, and each such read is recorded
//! ([`read_contact`]: an audit event that changes nothing; 个人信息保护法 第五十一条, access
//! to personal data limited and recorded).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wangjian_calendar::Calendar;

use sha2::{Digest, Sha256};

use crate::audit::{Change, Context, Events, IdSupply, ObjectType, OutOfIds, Read, Recorder};
use crate::deadline::{Deadline, DeadlineKind, RuleSet};
use crate::id::{DeadlineId, LeadId, OrgId, UserId};
use crate::lead::{Lead, LeadDedupKey, LeadSource, LeadStatus};
use crate::org::{AgencyType, OrgKind, Organization, RegionCode};

/// The actor recorded for what the public does (no account): the nil user of the nil
/// organization. Audit readers show it as 「公众」.
pub const PUBLIC_ACTOR: UserId = UserId(Uuid::nil());
/// The organization recorded with [`PUBLIC_ACTOR`].
pub const PUBLIC_ORG: OrgId = OrgId(Uuid::nil());

/// Most attachments per submission.
pub const MAX_ATTACHMENTS: usize = 5;
/// Most links per submission.
pub const MAX_LINKS: usize = 10;
/// Longest text, in characters.
pub const MAX_TEXT: usize = 5000;
/// Shortest text, in characters.
pub const MIN_TEXT: usize = 10;

/// Stable id of a complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ComplaintId(pub Uuid);

impl std::fmt::Display for ComplaintId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Why a complaint command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComplaintError {
    /// A field is missing or invalid.
    #[error("{field}: {message}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The command does not apply in this state.
    #[error("a complaint that is {state} cannot be {action}")]
    State {
        /// The current state.
        state: &'static str,
        /// The command.
        action: &'static str,
    },
    /// No market-regulation agency covers the region.
    #[error("no agency handles complaints from region {0}")]
    NoHandler(String),
    /// The acceptance deadline could not be computed (date outside the calendar).
    #[error("acceptance deadline: {0}")]
    Deadline(String),
    /// The context had too few fresh ids.
    #[error(transparent)]
    OutOfIds(#[from] OutOfIds),
}

fn invalid(field: &'static str, message: impl Into<String>) -> ComplaintError {
    ComplaintError::Invalid {
        field,
        message: message.into(),
    }
}

/// Complaint or report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintKind {
    /// 投诉: about the submitter's own rights (a consumer, a rights holder).
    Complaint,
    /// 举报: about a violation anyone may report.
    Report,
}

impl ComplaintKind {
    /// Code name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Complaint => "complaint",
            Self::Report => "report",
        }
    }

    /// Parses a code name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "complaint" => Some(Self::Complaint),
            "report" => Some(Self::Report),
            _ => None,
        }
    }

    /// The source of the lead it becomes.
    pub fn lead_source(self) -> LeadSource {
        match self {
            Self::Complaint => LeadSource::Complaint,
            Self::Report => LeadSource::Report,
        }
    }
}

/// Where a complaint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintState {
    /// Received, awaiting the accept-or-refuse decision.
    Received,
    /// Accepted (受理): a lead was made.
    Accepted,
    /// Refused (不予受理), with the reason.
    Refused,
    /// Handled (办结), with the outcome told to the submitter.
    Handled,
}

impl ComplaintState {
    /// Every state.
    pub const ALL: [ComplaintState; 4] =
        [Self::Received, Self::Accepted, Self::Refused, Self::Handled];

    /// Code name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Accepted => "accepted",
            Self::Refused => "refused",
            Self::Handled => "handled",
        }
    }

    /// Parses a code name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// One attachment, stored as a content-addressed blob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The file name as sanitized (see [`sanitize_file_name`]).
    pub name: String,
    /// SHA-256 of the content, lowercase hex (the blob's address).
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Media type as declared by the browser (informative only; served as a download).
    pub media_type: String,
}

/// A complaint or report. Table `complaints`, unique on `tracking_digest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Complaint {
    /// Stable id.
    pub id: ComplaintId,
    /// SHA-256 of the tracking number the submitter holds ([`tracking_digest`]); the
    /// number itself is never stored.
    pub tracking_digest: String,
    /// Complaint or report.
    pub kind: ComplaintKind,
    /// What happened, in the submitter's words.
    pub text: String,
    /// Links to the listings or shops concerned.
    pub links: Vec<String>,
    /// The submitter's name and contact (may be empty for an anonymous report).
    pub contact: String,
    /// The party complained about (shop, company), as written.
    pub respondent: String,
    /// Where it happened (GB/T 2260): decides the handling agency.
    pub region: RegionCode,
    /// The agency handling it.
    pub handler: OrgId,
    /// When it was received.
    pub submitted_at: DateTime<Utc>,
    /// Last day to accept or refuse (7 working days, 第十四条).
    pub accept_due: NaiveDate,
    /// Attachments.
    pub attachments: Vec<Attachment>,
    /// State.
    pub state: ComplaintState,
    /// Who accepted, refused or handled it last.
    pub decided_by: Option<UserId>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was refused.
    pub refusal_reason: Option<String>,
    /// The outcome told to the submitter.
    pub outcome: Option<String>,
    /// The lead it became.
    pub lead: Option<LeadId>,
    /// Optimistic concurrency version.
    pub version: i64,
}

/// What the public submits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Submission {
    /// `complaint` or `report`.
    pub kind: String,
    /// The text.
    pub text: String,
    /// Links, one per line.
    pub links: Vec<String>,
    /// Name and contact.
    pub contact: String,
    /// The party complained about.
    pub respondent: String,
    /// Region code.
    pub region: String,
}

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A tracking number from 10 random bytes: 16 Crockford base32 characters in groups of
/// four (`7K2M-Q9XD-…`): 80 bits, no I, L, O or U, so it reads aloud and types cleanly.
pub fn tracking_number(random: [u8; 10]) -> String {
    let mut bits: u128 = 0;
    for b in random {
        bits = (bits << 8) | u128::from(b);
    }
    let mut out = String::with_capacity(19);
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        let shift = 75 - 5 * i;
        out.push(CROCKFORD[((bits >> shift) & 31) as usize] as char);
    }
    out
}

/// The canonical form of a typed tracking number (case, spaces and dashes ignored; O read
/// as 0, I and L as 1), or `None` when it cannot be one.
pub fn normalize_tracking_number(s: &str) -> Option<String> {
    let mut chars = String::with_capacity(16);
    for c in s.chars() {
        let c = match c.to_ascii_uppercase() {
            ' ' | '-' | '\t' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c if CROCKFORD.contains(&(c as u32 as u8)) && c.is_ascii() => c,
            _ => return None,
        };
        chars.push(c);
        if chars.len() > 16 {
            return None;
        }
    }
    if chars.len() != 16 {
        return None;
    }
    let mut out = String::with_capacity(19);
    for (i, c) in chars.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(c);
    }
    Some(out)
}

/// The stored form of a tracking number: SHA-256 (with a domain-separation prefix) of its
/// canonical form, 64 lowercase hex digits; `None` when `typed` cannot be a tracking
/// number. 80 random bits behind a hash cannot be searched for.
pub fn tracking_digest(typed: &str) -> Option<String> {
    let canonical = normalize_tracking_number(typed)?;
    let mut h = Sha256::new();
    h.update(b"wangjian/tracking_number/v1\0");
    h.update(canonical.as_bytes());
    Some(crate::subject::hex(&h.finalize()))
}

/// A contact as lists show it: the first character and, for a longer contact, the last
/// four (the end of a phone number or a mail domain), with a fixed `***` between, so
/// neither the middle nor the length shows. Empty stays empty (an anonymous report).
pub fn masked_contact(contact: &str) -> String {
    let chars: Vec<char> = contact.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        n if n < 11 => format!("{}***", chars[0]),
        n => {
            let tail: String = chars[n - 4..].iter().collect();
            format!("{}***{tail}", chars[0])
        }
    }
}

/// A safe file name from what a browser sent: the last path component only (no `..`, no
/// directories, either slash), control and reserved characters replaced with `_`, no
/// leading dots, at most 100 characters; `attachment` when nothing is left.
pub fn sanitize_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let name: String = trimmed.chars().take(100).collect();
    if name.is_empty() || name.chars().all(|c| c == '.' || c == '_') {
        "attachment".to_string()
    } else {
        name
    }
}

/// The agency that handles complaints from `region`: the market-regulation agency whose
/// region is the most specific one containing it.
pub fn handler_for(region: &RegionCode, orgs: &[Organization]) -> Option<OrgId> {
    orgs.iter()
        .filter(|o| {
            matches!(
                o.kind,
                OrgKind::Agency {
                    agency_type: AgencyType::MarketRegulation,
                    ..
                }
            ) && o.region.contains(region)
        })
        .max_by_key(|o| (o.region.prefix().len(), std::cmp::Reverse(o.id)))
        .map(|o| o.id)
}

fn check_text(
    field: &'static str,
    s: &str,
    min: usize,
    max: usize,
) -> Result<String, ComplaintError> {
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

/// A submission that passed [`validate`], trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Complaint or report.
    pub kind: ComplaintKind,
    /// The text.
    pub text: String,
    /// The links.
    pub links: Vec<String>,
    /// The contact.
    pub contact: String,
    /// The party complained about.
    pub respondent: String,
    /// Where.
    pub region: RegionCode,
}

/// Checks a submission: kind, text (10–5000 characters), up to 10 `http(s)` links, a
/// contact for a complaint (a report may be anonymous), a known region code.
pub fn validate(s: &Submission) -> Result<Checked, ComplaintError> {
    let kind = ComplaintKind::parse(s.kind.trim())
        .ok_or_else(|| invalid("kind", "choose complaint (投诉) or report (举报)"))?;
    let text = check_text("text", &s.text, MIN_TEXT, MAX_TEXT)?;
    let links: Vec<String> = s
        .links
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    if links.len() > MAX_LINKS {
        return Err(invalid("links", format!("at most {MAX_LINKS} links")));
    }
    for l in &links {
        let ok = (l.starts_with("https://") || l.starts_with("http://"))
            && l.len() <= 500
            && !l.chars().any(|c| c.is_whitespace() || c.is_control());
        if !ok {
            return Err(invalid(
                "links",
                format!(
                    "not an http(s) link: {}",
                    l.chars().take(60).collect::<String>()
                ),
            ));
        }
    }
    let min_contact = match kind {
        ComplaintKind::Complaint => 2,
        ComplaintKind::Report => 0,
    };
    let contact = check_text("contact", &s.contact, min_contact, 200)?;
    let respondent = check_text("respondent", &s.respondent, 0, 200)?;
    let region = RegionCode::parse(s.region.trim())
        .map_err(|_| invalid("region", "a 6-digit administrative division code"))?;
    Ok(Checked {
        kind,
        text,
        links,
        contact,
        respondent,
        region,
    })
}

fn recorder(ctx: &Context, actor: UserId, org: OrgId) -> Recorder<'_> {
    Recorder {
        ctx,
        actor,
        actor_org: org,
        root_case: None,
    }
}

/// Receives a submission from the public: validates it, assigns the handling agency by
/// region among `orgs`, starts the 7-working-day acceptance clock on the day received.
/// `tracking` is the number handed to the submitter; only its digest is kept. Uses two
/// fresh ids (the complaint, its event).
pub fn submit(
    s: &Submission,
    attachments: Vec<Attachment>,
    tracking: String,
    orgs: &[Organization],
    rules: &RuleSet,
    cal: &Calendar,
    ctx: &Context,
) -> Result<Change<Complaint>, ComplaintError> {
    let Checked {
        kind,
        text,
        links,
        contact,
        respondent,
        region,
    } = validate(s)?;
    if attachments.len() > MAX_ATTACHMENTS {
        return Err(invalid(
            "attachments",
            format!("at most {MAX_ATTACHMENTS} files"),
        ));
    }
    let tracking_digest = tracking_digest(&tracking)
        .ok_or_else(|| invalid("tracking_number", "not a tracking number"))?;
    let handler =
        handler_for(&region, orgs).ok_or_else(|| ComplaintError::NoHandler(region.to_string()))?;
    let mut ids = IdSupply::new(ctx);
    let id = ComplaintId(ids.next()?);
    let rule = rules
        .effective(DeadlineKind::ComplaintAcceptance, handler, &[])
        .map_err(|e| ComplaintError::Deadline(e.to_string()))?;
    let start = wangjian_calendar::shanghai_date(ctx.now);
    let clock = Deadline::start(
        DeadlineId(id.0),
        None,
        ObjectType::Complaint,
        id.0,
        handler,
        rule,
        start,
        cal,
    )
    .map_err(|e| ComplaintError::Deadline(e.to_string()))?;
    let c = Complaint {
        id,
        tracking_digest,
        kind,
        text,
        links,
        contact,
        respondent,
        region,
        handler,
        submitted_at: ctx.now,
        accept_due: clock.due,
        attachments,
        state: ComplaintState::Received,
        decided_by: None,
        decided_at: None,
        refusal_reason: None,
        outcome: None,
        lead: None,
        version: 1,
    };
    let ev = recorder(ctx, PUBLIC_ACTOR, PUBLIC_ORG).event(
        &mut ids,
        &format!("{}.submit", kind.as_str()),
        ObjectType::Complaint,
        id.0,
        None,
        &c,
    )?;
    Ok(Change::new(c, one(ev)))
}

fn one(ev: crate::AuditEvent) -> Events {
    // One event is never empty.
    Events::new(vec![ev]).unwrap_or_else(|| unreachable!())
}

fn require(
    c: &Complaint,
    want: ComplaintState,
    action: &'static str,
) -> Result<(), ComplaintError> {
    if c.state == want {
        Ok(())
    } else {
        Err(ComplaintError::State {
            state: c.state.as_str(),
            action,
        })
    }
}

/// Accepts (受理) a received complaint for the handling agency: it becomes a lead of that
/// agency (source complaint or report, keyed by the tracking number's digest, received
/// when the complaint was). Who may is the policy's business. Uses three fresh ids.
pub fn accept(
    c: &Complaint,
    actor: UserId,
    org: OrgId,
    ctx: &Context,
) -> Result<Change<(Complaint, Lead)>, ComplaintError> {
    require(c, ComplaintState::Received, "accepted")?;
    let mut ids = IdSupply::new(ctx);
    let lead_id = LeadId(ids.next()?);
    let source = c.kind.lead_source();
    let dedup_key = LeadDedupKey::new(source, None, None, Some(&c.tracking_digest))
        .map_err(|e| invalid("tracking_digest", e.to_string()))?;
    let summary: String = format!(
        "{}: {}",
        source.label_zh(),
        c.text.chars().take(80).collect::<String>()
    );
    let lead = Lead {
        id: lead_id,
        org: c.handler,
        source,
        dedup_key,
        summary,
        snapshot: None,
        shop: None,
        subject: None,
        received_at: c.submitted_at,
        status: LeadStatus::New,
        dismissal: None,
        version: 1,
    };
    let mut next = c.clone();
    next.state = ComplaintState::Accepted;
    next.decided_by = Some(actor);
    next.decided_at = Some(ctx.now);
    next.lead = Some(lead_id);
    next.version += 1;
    let r = recorder(ctx, actor, org);
    let e1 = r.event(
        &mut ids,
        "complaint.accept",
        ObjectType::Complaint,
        c.id.0,
        Some(c),
        &next,
    )?;
    let e2 = r.event(
        &mut ids,
        "lead.from_complaint",
        ObjectType::Lead,
        lead_id.0,
        None,
        &lead,
    )?;
    let events = Events::new(vec![e1, e2]).unwrap_or_else(|| unreachable!());
    Ok(Change::new((next, lead), events))
}

/// The one shape of a decision: from state `from`, to `to`, recorded as `action` by the
/// actor, with `fill` setting the decision's own field.
#[allow(clippy::too_many_arguments)]
fn decision(
    c: &Complaint,
    actor: UserId,
    org: OrgId,
    ctx: &Context,
    (from, to): (ComplaintState, ComplaintState),
    (verb, action): (&'static str, &str),
    fill: impl FnOnce(&mut Complaint),
) -> Result<Change<Complaint>, ComplaintError> {
    require(c, from, verb)?;
    let mut next = c.clone();
    next.state = to;
    next.decided_by = Some(actor);
    next.decided_at = Some(ctx.now);
    fill(&mut next);
    next.version += 1;
    let mut ids = IdSupply::new(ctx);
    let ev = recorder(ctx, actor, org).event(
        &mut ids,
        action,
        ObjectType::Complaint,
        c.id.0,
        Some(c),
        &next,
    )?;
    Ok(Change::new(next, one(ev)))
}

/// Refuses (不予受理) a received complaint, with the reason the submitter will read.
pub fn refuse(
    c: &Complaint,
    actor: UserId,
    org: OrgId,
    reason: &str,
    ctx: &Context,
) -> Result<Change<Complaint>, ComplaintError> {
    require(c, ComplaintState::Received, "refused")?;
    let reason = check_text("reason", reason, 2, 1000)?;
    decision(
        c,
        actor,
        org,
        ctx,
        (ComplaintState::Received, ComplaintState::Refused),
        ("refused", "complaint.refuse"),
        |n| n.refusal_reason = Some(reason),
    )
}

/// Marks an accepted complaint handled (办结), with the outcome the submitter will read.
pub fn handle(
    c: &Complaint,
    actor: UserId,
    org: OrgId,
    outcome: &str,
    ctx: &Context,
) -> Result<Change<Complaint>, ComplaintError> {
    require(c, ComplaintState::Accepted, "handled")?;
    let outcome = check_text("outcome", outcome, 2, 2000)?;
    decision(
        c,
        actor,
        org,
        ctx,
        (ComplaintState::Accepted, ComplaintState::Handled),
        ("handled", "complaint.handle"),
        |n| n.outcome = Some(outcome),
    )
}

/// Records that `actor` of `org` read the submitter's contact in full: an audit event on
/// the complaint that changes nothing (the store appends it with the trail and the
/// evidence log). Who may read it is the policy's business. Uses one fresh id.
pub fn read_contact(
    c: &Complaint,
    actor: UserId,
    org: OrgId,
    ctx: &Context,
) -> Result<Read, ComplaintError> {
    let mut ids = IdSupply::new(ctx);
    Ok(recorder(ctx, actor, org).read(
        &mut ids,
        "complaint.read_contact",
        ObjectType::Complaint,
        c.id.0,
        c,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::AdminLevel;
    use crate::RequestId;
    use chrono::TimeZone;

    fn orgs() -> Vec<Organization> {
        let a = |id: u128, region: &str, t| {
            Organization::new(
                OrgId::from_u128(id),
                "局",
                "局",
                OrgKind::Agency {
                    agency_type: t,
                    level: AdminLevel::City,
                },
                RegionCode::parse(region).unwrap(),
            )
            .unwrap()
        };
        vec![
            a(1, "330000", AgencyType::MarketRegulation),
            a(2, "330100", AgencyType::MarketRegulation),
            a(3, "330100", AgencyType::Police),
        ]
    }

    fn sub() -> Submission {
        Submission {
            kind: "report".into(),
            text: "这家店铺销售假冒耐克运动鞋，价格明显偏低。".into(),
            links: vec!["https://shop.example.com/item/1".into()],
            contact: String::new(),
            respondent: "某某店".into(),
            region: "330106".into(),
        }
    }

    fn ctx(seed: u128) -> Context {
        Context::with_counter(
            RequestId::from_u128(seed),
            // Friday 2024-09-27 (before the National Day holiday).
            Utc.with_ymd_and_hms(2024, 9, 27, 2, 0, 0).unwrap(),
            seed << 8,
            8,
        )
    }

    #[test]
    fn tracking_numbers_are_typable_and_normalize() {
        let n = tracking_number([0xff; 10]);
        assert_eq!(n, "ZZZZ-ZZZZ-ZZZZ-ZZZZ");
        let n = tracking_number([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(n.len(), 19);
        assert_eq!(
            normalize_tracking_number(&n.to_lowercase()),
            Some(n.clone())
        );
        assert_eq!(
            normalize_tracking_number(&n.replace('-', " ")),
            Some(n.clone())
        );
        assert_eq!(
            normalize_tracking_number("oooo-iiii-llll-0000"),
            Some("0000-1111-1111-0000".into())
        );
        for bad in [
            "",
            "ABC",
            "UUUU-UUUU-UUUU-UUUU",
            "ZZZZ-ZZZZ-ZZZZ-ZZZZ-Z",
            "Z'--",
        ] {
            assert_eq!(normalize_tracking_number(bad), None, "{bad}");
        }
    }

    /// Regression (issue 15, finding 7): the tracking number was stored in clear; now
    /// only its digest is, and the lead made on acceptance is keyed by the digest too.
    #[test]
    fn only_the_digest_of_the_tracking_number_is_kept() {
        let n = tracking_number([7; 10]);
        let d = tracking_digest(&n).unwrap();
        assert_eq!(d.len(), 64);
        assert!(d
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(
            tracking_digest(&n.to_lowercase().replace('-', " ")),
            Some(d.clone())
        );
        assert_ne!(tracking_digest(&tracking_number([8; 10])), Some(d.clone()));
        assert_eq!(tracking_digest("not a number"), None);
        let ch = submit(
            &sub(),
            vec![],
            n.clone(),
            &orgs(),
            RuleSet::defaults().unwrap(),
            Calendar::china(),
            &ctx(1),
        )
        .unwrap();
        let c = ch.new_value().clone();
        assert_eq!(c.tracking_digest, d);
        let stored = serde_json::to_string(&c).unwrap();
        let events = serde_json::to_string(ch.events()).unwrap();
        assert!(
            !stored.contains(&n) && !events.contains(&n),
            "never in clear"
        );
        let acc = accept(&c, UserId::from_u128(9), c.handler, &ctx(2)).unwrap();
        let lead = &acc.new_value().1;
        assert!(lead.dedup_key.canonical().contains(&d));
        assert!(!serde_json::to_string(acc.events()).unwrap().contains(&n));
        assert!(matches!(
            submit(
                &sub(),
                vec![],
                "bad".into(),
                &orgs(),
                RuleSet::defaults().unwrap(),
                Calendar::china(),
                &ctx(3)
            ),
            Err(ComplaintError::Invalid {
                field: "tracking_number",
                ..
            })
        ));
    }

    #[test]
    fn contacts_are_masked_in_lists() {
        assert_eq!(masked_contact("张三 13800138000"), "张***8000");
        assert_eq!(masked_contact("zhang.san@example.com"), "z***.com");
        assert_eq!(masked_contact("李四"), "李***");
        assert_eq!(masked_contact("  "), "");
        assert_eq!(masked_contact(""), "");
    }

    #[test]
    fn reading_a_contact_is_recorded_and_changes_nothing() {
        let c = submit(
            &sub(),
            vec![],
            tracking_number([3; 10]),
            &orgs(),
            RuleSet::defaults().unwrap(),
            Calendar::china(),
            &ctx(1),
        )
        .unwrap()
        .new_value()
        .clone();
        let r = read_contact(&c, UserId::from_u128(9), c.handler, &ctx(4)).unwrap();
        let e = r.event();
        assert_eq!(e.action, "complaint.read_contact");
        assert_eq!(
            (e.object_type, e.object_id),
            (ObjectType::Complaint, c.id.0)
        );
        assert_eq!(e.actor, UserId::from_u128(9));
        assert!(e.changed.is_empty());
        assert_eq!(e.before_digest.as_deref(), Some(e.after_digest.as_str()));
    }

    #[test]
    fn file_names_lose_their_paths() {
        assert_eq!(sanitize_file_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_file_name("..\\..\\win.ini"), "win.ini");
        assert_eq!(sanitize_file_name("/abs/证据 1.png"), "证据 1.png");
        assert_eq!(sanitize_file_name(".."), "attachment");
        assert_eq!(sanitize_file_name(".hidden"), "hidden");
        assert_eq!(sanitize_file_name("a\0b<c>.txt"), "a_b_c_.txt");
        assert_eq!(sanitize_file_name(""), "attachment");
        assert_eq!(sanitize_file_name(&"x".repeat(300)).chars().count(), 100);
    }

    #[test]
    fn the_most_specific_market_regulator_handles_it() {
        let o = orgs();
        let r = |s: &str| RegionCode::parse(s).unwrap();
        assert_eq!(handler_for(&r("330106"), &o), Some(OrgId::from_u128(2)));
        assert_eq!(handler_for(&r("330200"), &o), Some(OrgId::from_u128(1)));
        assert_eq!(handler_for(&r("320100"), &o), None);
    }

    #[test]
    fn submit_accept_handle_and_refuse() {
        let rules = RuleSet::defaults().unwrap();
        let cal = Calendar::china();
        let ch = submit(
            &sub(),
            vec![],
            "0000-0000-0000-0001".into(),
            &orgs(),
            rules,
            cal,
            &ctx(1),
        )
        .unwrap();
        let c = ch.new_value().clone();
        assert_eq!(c.handler, OrgId::from_u128(2));
        assert_eq!(c.state, ComplaintState::Received);
        // 7 working days from Friday 2024-09-27 across the National Day holiday: the
        // make-up Sunday 09-29 and Saturday 10-12 count.
        assert_eq!(c.accept_due, NaiveDate::from_ymd_opt(2024, 10, 12).unwrap());
        assert_eq!(ch.events()[0].actor, PUBLIC_ACTOR);
        assert_eq!(ch.events()[0].action, "report.submit");

        let user = UserId::from_u128(9);
        let acc = accept(&c, user, c.handler, &ctx(2)).unwrap();
        let (c2, lead) = acc.new_value().clone();
        assert_eq!(c2.state, ComplaintState::Accepted);
        assert_eq!(c2.lead, Some(lead.id));
        assert_eq!(lead.source, LeadSource::Report);
        assert_eq!(lead.org, c.handler);
        assert_eq!(acc.events().len(), 2);
        assert!(matches!(
            refuse(&c2, user, c.handler, "不属于本部门管辖", &ctx(3)),
            Err(ComplaintError::State { .. })
        ));
        let done = handle(&c2, user, c.handler, "已立案查处", &ctx(4)).unwrap();
        assert_eq!(done.new_value().outcome.as_deref(), Some("已立案查处"));
        assert_eq!(done.new_value().version, 3);

        let refused = refuse(&c, user, c.handler, "不属于本部门管辖", &ctx(5)).unwrap();
        assert_eq!(refused.new_value().state, ComplaintState::Refused);
        assert!(matches!(
            refuse(&c, user, c.handler, " ", &ctx(5)),
            Err(ComplaintError::Invalid {
                field: "reason",
                ..
            })
        ));
    }

    #[test]
    fn bad_submissions_name_the_field() {
        let cases: Vec<(Submission, &str)> = vec![
            (
                Submission {
                    kind: "x".into(),
                    ..sub()
                },
                "kind",
            ),
            (
                Submission {
                    text: "短".into(),
                    ..sub()
                },
                "text",
            ),
            (
                Submission {
                    text: "长".repeat(MAX_TEXT + 1),
                    ..sub()
                },
                "text",
            ),
            (
                Submission {
                    links: vec!["javascript:alert(1)".into()],
                    ..sub()
                },
                "links",
            ),
            (
                Submission {
                    kind: "complaint".into(),
                    ..sub()
                },
                "contact",
            ),
            (
                Submission {
                    region: "33x".into(),
                    ..sub()
                },
                "region",
            ),
        ];
        for (s, field) in cases {
            match validate(&s) {
                Err(ComplaintError::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
    }

    proptest::proptest! {
        /// A masked contact shows at most its first and last four characters, and the
        /// same shape whatever the middle.
        #[test]
        fn masks_hide_the_middle(contact in "\\PC{0,60}") {
            let m = masked_contact(&contact);
            let kept: Vec<char> = contact.trim().chars().collect();
            proptest::prop_assert!(m.chars().count() <= 8);
            if kept.len() >= 11 {
                let mut other = kept.clone();
                for c in &mut other[1..kept.len() - 4] {
                    *c = if *c == 'x' { 'y' } else { 'x' };
                }
                let other: String = other.into_iter().collect();
                proptest::prop_assert_eq!(masked_contact(&other), m);
            }
        }
    }
}
