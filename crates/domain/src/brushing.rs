//! Brushing (刷单炒信) groups and seller-network uploads as records: what a platform's
//! upload of orders left behind (the suspicious groups the detector of `wangjian-brushing`
//! found, with their reasons), their review by an officer (open → confirmed or
//! dismissed), and turning one into a lead; and the record of an upload of shop
//! identifiers (the rows themselves are bulk data the store keeps beside it).
//!
//! Every command returns a [`Change`] with its audit events, like every other command of
//! this crate, so the store writes the group and its trail in one transaction. Who may is
//! the application's policy; this checks states and inputs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::audit::{Change, Context, Events, IdSupply, ObjectType, OutOfIds, Recorder};
use crate::id::{LeadId, OrgId, UserId};
use crate::lead::{derived_id, shop_id_for, Lead, LeadDedupKey, LeadSource, LeadStatus};
use crate::org::Actor;

/// Longest review note, in characters.
pub const MAX_NOTE: usize = 500;

/// Where a group stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupState {
    /// Found, not yet reviewed.
    Open,
    /// An officer confirmed it: a finding (relevant to the shops' credit records).
    Confirmed,
    /// An officer dismissed it (honest traffic, a promotion, …).
    Dismissed,
}

impl GroupState {
    /// Code name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Confirmed => "confirmed",
            Self::Dismissed => "dismissed",
        }
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Open => "待核查",
            Self::Confirmed => "已确认",
            Self::Dismissed => "已排除",
        }
    }

    /// Parses a code name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(Self::Open),
            "confirmed" => Some(Self::Confirmed),
            "dismissed" => Some(Self::Dismissed),
            _ => None,
        }
    }
}

/// One reason of a group: a code and its Chinese detail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupReason {
    /// `density`, `repeat`, `burst`, `shared_device`, `shared_address`, `shared_ip`,
    /// `tiny_amounts`, `template_reviews`, `empty_parcel`, …
    pub code: String,
    /// What was seen, in Chinese.
    pub detail: String,
}

/// An officer's review of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// Who.
    pub by: UserId,
    /// For which agency.
    pub org: OrgId,
    /// When.
    pub at: DateTime<Utc>,
    /// Why (may be empty when confirming).
    pub note: String,
}

/// A suspicious group of accounts and shops found in a platform's orders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrushingGroup {
    /// Stable id: derived from the platform and the detector's group id (a hash of its
    /// accounts and shops), so a re-upload finding the same group updates it.
    pub id: Uuid,
    /// The platform whose orders showed it.
    pub platform: OrgId,
    /// The upload that last found it.
    pub upload: Uuid,
    /// The detector's group id.
    pub group_key: String,
    /// Score, 0–1.
    pub score: f64,
    /// `suspicious` or `clear`.
    pub decision: String,
    /// Buyer accounts.
    pub accounts: Vec<String>,
    /// The platform's shop ids.
    pub shops: Vec<String>,
    /// Listings ordered.
    pub listings: Vec<String>,
    /// Orders in the group.
    pub orders: i64,
    /// First order time (RFC 3339, China time).
    pub window_first: String,
    /// Last order time.
    pub window_last: String,
    /// Why.
    pub reasons: Vec<GroupReason>,
    /// When it was (last) detected.
    pub detected_at: DateTime<Utc>,
    /// Review state.
    pub state: GroupState,
    /// The review, once reviewed.
    pub review: Option<Review>,
    /// The lead it became.
    pub lead: Option<LeadId>,
    /// Optimistic concurrency version.
    pub version: i64,
}

/// The id of the group `group_key` of `platform`.
pub fn group_id_for(platform: OrgId, group_key: &str) -> Uuid {
    derived_id(&["brushing_group", &platform.to_string(), group_key])
}

/// A brushing upload (a month of a platform's orders) and the groups it found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrushingUpload {
    /// Stable id.
    pub id: Uuid,
    /// The platform whose orders these are.
    pub platform: OrgId,
    /// Who uploaded (a platform operator, or an officer importing).
    pub by: UserId,
    /// For which organization.
    pub by_org: OrgId,
    /// When.
    pub at: DateTime<Utc>,
    /// Lines read.
    pub lines: i64,
    /// Orders kept.
    pub orders: i64,
    /// Lines refused.
    pub bad_lines: i64,
    /// Groups found (suspicious).
    pub groups: i64,
    /// Optimistic concurrency version (always 1: an upload is never changed).
    pub version: i64,
}

/// An upload of shop identifiers (the rows are kept beside it by the store).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentifierUpload {
    /// Stable id.
    pub id: Uuid,
    /// Who uploaded.
    pub by: UserId,
    /// For which organization (a platform, or an officer's agency importing).
    pub by_org: OrgId,
    /// The source every row names.
    pub source: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Lines read.
    pub lines: i64,
    /// Identifier values kept.
    pub values: i64,
    /// Lines or values refused.
    pub problems: i64,
    /// Optimistic concurrency version (always 1).
    pub version: i64,
}

/// What an upload of orders writes: the upload and the groups, new or updated.
#[derive(Debug, Clone, PartialEq)]
pub struct Detected {
    /// The upload.
    pub upload: BrushingUpload,
    /// The groups.
    pub groups: Vec<BrushingGroup>,
}

/// Why a brushing command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrushingError {
    /// A group can be reviewed only while open (or confirmed, for turning into a lead).
    #[error("the group is {0}")]
    WrongState(&'static str),
    /// The group already became a lead.
    #[error("the group already became a lead")]
    AlreadyLead,
    /// A text too long.
    #[error("{0}: at most {1} characters")]
    TooLong(&'static str, usize),
    /// A dismissal needs a note.
    #[error("{0}: required")]
    Empty(&'static str),
    /// The context ran out of ids.
    #[error(transparent)]
    OutOfIds(#[from] OutOfIds),
}

fn recorder<'a>(ctx: &'a Context, actor: &Actor) -> Recorder<'a> {
    Recorder {
        ctx,
        actor: actor.user,
        actor_org: actor.org,
        root_case: None,
    }
}

/// Records an upload of orders and the groups it found: `found` are the groups as
/// detected (version 0, state open), `stored` the same groups as stored before, when
/// they were (a re-upload keeps their review and lead and bumps their version). Events:
/// `brushing.upload`, and `brushing_group.detect` per new group or
/// `brushing_group.redetect` per group found again with other figures.
pub fn detected(
    upload: BrushingUpload,
    found: Vec<BrushingGroup>,
    stored: &[BrushingGroup],
    actor: &Actor,
    ctx: &Context,
) -> Result<Change<Detected>, BrushingError> {
    let r = recorder(ctx, actor);
    let mut ids = IdSupply::new(ctx);
    let mut events = vec![r.event(
        &mut ids,
        "brushing.upload",
        ObjectType::BrushingUpload,
        upload.id,
        None,
        &upload,
    )?];
    let mut groups = Vec::with_capacity(found.len());
    for mut g in found {
        match stored.iter().find(|s| s.id == g.id) {
            Some(old) => {
                g.state = old.state;
                g.review = old.review.clone();
                g.lead = old.lead;
                g.version = old.version;
                let mut cmp = old.clone();
                cmp.upload = g.upload;
                cmp.detected_at = g.detected_at;
                if cmp == g {
                    // Same figures: nothing to write.
                    continue;
                }
                g.version = old.version + 1;
                events.push(r.event(
                    &mut ids,
                    "brushing_group.redetect",
                    ObjectType::BrushingGroup,
                    g.id,
                    Some(old),
                    &g,
                )?);
            }
            None => {
                g.state = GroupState::Open;
                g.review = None;
                g.lead = None;
                g.version = 1;
                events.push(r.event(
                    &mut ids,
                    "brushing_group.detect",
                    ObjectType::BrushingGroup,
                    g.id,
                    None,
                    &g,
                )?);
            }
        }
        groups.push(g);
    }
    let events = Events::new(events).ok_or(BrushingError::Empty("events"))?;
    Ok(Change::new(Detected { upload, groups }, events))
}

/// Records an upload of shop identifiers (`shop_identifiers.upload`).
pub fn identifiers_uploaded(
    upload: IdentifierUpload,
    actor: &Actor,
    ctx: &Context,
) -> Result<Change<IdentifierUpload>, BrushingError> {
    let r = recorder(ctx, actor);
    let mut ids = IdSupply::new(ctx);
    let e = r.event(
        &mut ids,
        "shop_identifiers.upload",
        ObjectType::IdentifierUpload,
        upload.id,
        None,
        &upload,
    )?;
    let events = Events::new(vec![e]).ok_or(BrushingError::Empty("events"))?;
    Ok(Change::new(upload, events))
}

fn checked_note(note: &str, required: bool) -> Result<String, BrushingError> {
    let note = note.trim();
    if required && note.is_empty() {
        return Err(BrushingError::Empty("note"));
    }
    if note.chars().count() > MAX_NOTE {
        return Err(BrushingError::TooLong("note", MAX_NOTE));
    }
    Ok(note.to_string())
}

/// Confirms (`confirm`) or dismisses an open group, with the officer's note (required to
/// dismiss). Event `brushing_group.confirm` or `brushing_group.dismiss`.
pub fn review(
    group: &BrushingGroup,
    confirm: bool,
    note: &str,
    actor: &Actor,
    ctx: &Context,
) -> Result<Change<BrushingGroup>, BrushingError> {
    if group.state != GroupState::Open {
        return Err(BrushingError::WrongState(group.state.as_str()));
    }
    let note = checked_note(note, !confirm)?;
    let mut after = group.clone();
    after.state = if confirm {
        GroupState::Confirmed
    } else {
        GroupState::Dismissed
    };
    after.review = Some(Review {
        by: actor.user,
        org: actor.org,
        at: ctx.now,
        note,
    });
    after.version = group.version + 1;
    let action = if confirm {
        "brushing_group.confirm"
    } else {
        "brushing_group.dismiss"
    };
    let r = recorder(ctx, actor);
    let mut ids = IdSupply::new(ctx);
    let e = r.event(
        &mut ids,
        action,
        ObjectType::BrushingGroup,
        group.id,
        Some(group),
        &after,
    )?;
    let events = Events::new(vec![e]).ok_or(BrushingError::Empty("events"))?;
    Ok(Change::new(after, events))
}

/// Turns a group into a lead of the officer's agency (线索): the lead names the group's
/// first shop and is keyed by the group (a second try is refused); an open group is
/// confirmed by it. Events `brushing_group.to_lead` and `lead.from_brushing`.
pub fn to_lead(
    group: &BrushingGroup,
    actor: &Actor,
    ctx: &Context,
) -> Result<Change<(BrushingGroup, Lead)>, BrushingError> {
    if group.state == GroupState::Dismissed {
        return Err(BrushingError::WrongState(group.state.as_str()));
    }
    if group.lead.is_some() {
        return Err(BrushingError::AlreadyLead);
    }
    let mut ids = IdSupply::new(ctx);
    let lead_id = LeadId(ids.next()?);
    let dedup_key = LeadDedupKey::External {
        source: LeadSource::Platform,
        reference: format!("brushing:{}", group.id),
    };
    let summary = format!(
        "刷单炒信: {} 个买家账号、{} 家店铺、{} 笔订单（{} 至 {}），评分 {:.2}",
        group.accounts.len(),
        group.shops.len(),
        group.orders,
        group.window_first,
        group.window_last,
        group.score
    );
    let lead = Lead {
        id: lead_id,
        org: actor.org,
        source: LeadSource::Platform,
        dedup_key,
        summary,
        snapshot: None,
        shop: group.shops.first().map(|s| shop_id_for(group.platform, s)),
        subject: None,
        received_at: ctx.now,
        status: LeadStatus::New,
        dismissal: None,
        version: 1,
    };
    let mut after = group.clone();
    if after.state == GroupState::Open {
        after.state = GroupState::Confirmed;
        after.review = Some(Review {
            by: actor.user,
            org: actor.org,
            at: ctx.now,
            note: String::new(),
        });
    }
    after.lead = Some(lead_id);
    after.version = group.version + 1;
    let r = recorder(ctx, actor);
    let e1 = r.event(
        &mut ids,
        "brushing_group.to_lead",
        ObjectType::BrushingGroup,
        group.id,
        Some(group),
        &after,
    )?;
    let e2 = r.event(
        &mut ids,
        "lead.from_brushing",
        ObjectType::Lead,
        lead_id.0,
        None,
        &lead,
    )?;
    let events = Events::new(vec![e1, e2]).ok_or(BrushingError::Empty("events"))?;
    Ok(Change::new((after, lead), events))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::RequestId;
    use crate::org::Role;

    fn actor() -> Actor {
        Actor {
            user: UserId::from_u128(1),
            org: OrgId::from_u128(2),
            roles: vec![Role::Officer],
        }
    }

    fn ctx() -> Context {
        Context::with_counter(
            RequestId(Uuid::from_u128(9)),
            DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default(),
            100,
            16,
        )
    }

    fn group() -> BrushingGroup {
        let platform = OrgId::from_u128(3);
        BrushingGroup {
            id: group_id_for(platform, "g1"),
            platform,
            upload: Uuid::from_u128(4),
            group_key: "g1".into(),
            score: 0.9,
            decision: "suspicious".into(),
            accounts: vec!["b1".into(), "b2".into()],
            shops: vec!["s1".into()],
            listings: vec!["l1".into()],
            orders: 12,
            window_first: "2026-11-01T10:00:00+08:00".into(),
            window_last: "2026-11-03T10:00:00+08:00".into(),
            reasons: vec![GroupReason {
                code: "repeat".into(),
                detail: "重复下单".into(),
            }],
            detected_at: ctx().now,
            state: GroupState::Open,
            review: None,
            lead: None,
            version: 0,
        }
    }

    fn upload() -> BrushingUpload {
        BrushingUpload {
            id: Uuid::from_u128(4),
            platform: OrgId::from_u128(3),
            by: UserId::from_u128(5),
            by_org: OrgId::from_u128(3),
            at: ctx().now,
            lines: 10,
            orders: 10,
            bad_lines: 0,
            groups: 1,
            version: 1,
        }
    }

    #[test]
    fn a_new_group_is_open_and_a_same_redetection_writes_nothing() {
        let c = detected(upload(), vec![group()], &[], &actor(), &ctx()).unwrap();
        assert_eq!(c.events().len(), 2);
        let (d, _) = c.into_parts();
        assert_eq!(d.groups[0].version, 1);
        assert_eq!(d.groups[0].state, GroupState::Open);
        let stored = d.groups[0].clone();
        let again = detected(
            upload(),
            vec![group()],
            std::slice::from_ref(&stored),
            &actor(),
            &ctx(),
        )
        .unwrap()
        .into_parts()
        .0;
        assert!(again.groups.is_empty());
        let mut more = group();
        more.orders = 20;
        let (d, events) = detected(upload(), vec![more], &[stored], &actor(), &ctx())
            .unwrap()
            .into_parts();
        assert_eq!(d.groups[0].version, 2);
        assert_eq!(events[1].action, "brushing_group.redetect");
    }

    #[test]
    fn review_and_lead() {
        let mut g = group();
        g.version = 1;
        assert_eq!(
            review(&g, false, " ", &actor(), &ctx()).unwrap_err(),
            BrushingError::Empty("note")
        );
        let d = review(&g, false, "促销活动", &actor(), &ctx())
            .unwrap()
            .into_parts()
            .0;
        assert_eq!(d.state, GroupState::Dismissed);
        assert!(to_lead(&d, &actor(), &ctx()).is_err());
        let (v, events) = to_lead(&g, &actor(), &ctx()).unwrap().into_parts();
        assert_eq!(v.0.state, GroupState::Confirmed);
        assert_eq!(v.0.lead, Some(v.1.id));
        assert_eq!(v.1.org, actor().org);
        assert_eq!(events.len(), 2);
        assert_eq!(
            to_lead(&v.0, &actor(), &ctx()).unwrap_err(),
            BrushingError::AlreadyLead
        );
    }
}
