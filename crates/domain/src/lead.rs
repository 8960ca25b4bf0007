//! Listings as dated snapshots, and leads (线索) with their deduplication key.
//!
//! The server computes every content hash itself (lessons.md: DFIR-IRIS stored whatever
//! hash the client sent); [`ListingSnapshot::new`] is the only way to make a snapshot and
//! it computes the hash.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::audit::{Change, Context, Events, IdSupply, ObjectType, Recorder};
use crate::id::{CaseId, LeadId, ListingId, OrgId, ShopId, SnapshotId, SubjectId, UserId};
use crate::org::Actor;
use crate::subject::hex;

/// Why a lead or listing value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeadError {
    /// A scan lead needs a snapshot and a rule-set version.
    #[error("a scan lead needs the listing snapshot hash and the rule-set version")]
    ScanKeyMissing,
    /// A non-scan lead needs the reference its source gave it.
    #[error("a {0} lead needs its source reference (complaint number, platform notice id, transfer order id)")]
    ReferenceMissing(&'static str),
    /// A required text was empty.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// Only a new lead can be dismissed (a linked one belongs to its case).
    #[error("the lead is {0}; only a new lead can be dismissed")]
    NotNew(&'static str),
    /// The context ran out of fresh ids.
    #[error(transparent)]
    OutOfIds(#[from] crate::audit::OutOfIds),
}

/// One dated snapshot of a listing (商品信息). Table `listing_snapshots`, unique on
/// (listing, content_hash) so an unchanged listing is not stored twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingSnapshot {
    /// Stable id.
    pub id: SnapshotId,
    /// The listing it is a snapshot of.
    pub listing: ListingId,
    /// The platform.
    pub platform: OrgId,
    /// The shop offering it.
    pub shop: Option<ShopId>,
    /// The platform's listing id.
    pub platform_listing_id: String,
    /// URL of the listing.
    pub url: String,
    /// Title as shown.
    pub title: String,
    /// Description text.
    pub description: String,
    /// Price in fen (分), when shown.
    pub price_fen: Option<i64>,
    /// Ship-from place as shown.
    pub ship_from: String,
    /// When it was captured.
    pub captured_at: DateTime<Utc>,
    content_hash: String,
}

/// The content of a listing as captured, before hashing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ListingContent {
    /// The platform's listing id.
    pub platform_listing_id: String,
    /// URL.
    pub url: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Price in fen.
    pub price_fen: Option<i64>,
    /// Ship-from.
    pub ship_from: String,
}

impl ListingContent {
    /// The canonical encoding that is hashed: a version tag, then each field as
    /// `name=` + byte length + `:` + UTF-8 bytes + `\n`, in a fixed order; the price as
    /// decimal fen or `-`. Length prefixes make the encoding unambiguous (no field can
    /// smuggle in another), so two different contents never share an encoding. The
    /// capture time is not part of the content: the same listing seen twice hashes the
    /// same.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = b"wangjian/listing/v1\n".to_vec();
        let price = self
            .price_fen
            .map_or_else(|| "-".to_string(), |p| p.to_string());
        for (name, value) in [
            ("platform_listing_id", self.platform_listing_id.as_str()),
            ("url", self.url.as_str()),
            ("title", self.title.as_str()),
            ("description", self.description.as_str()),
            ("price_fen", price.as_str()),
            ("ship_from", self.ship_from.as_str()),
        ] {
            out.extend_from_slice(name.as_bytes());
            out.push(b'=');
            out.extend_from_slice(value.len().to_string().as_bytes());
            out.push(b':');
            out.extend_from_slice(value.as_bytes());
            out.push(b'\n');
        }
        out
    }

    /// SHA-256 of [`Self::canonical_bytes`], lowercase hex.
    pub fn content_hash(&self) -> String {
        hex(&Sha256::digest(self.canonical_bytes()))
    }
}

impl ListingSnapshot {
    /// A snapshot of `content`, its hash computed here.
    pub fn new(
        id: SnapshotId,
        listing: ListingId,
        platform: OrgId,
        shop: Option<ShopId>,
        content: ListingContent,
        captured_at: DateTime<Utc>,
    ) -> Self {
        let content_hash = content.content_hash();
        Self {
            id,
            listing,
            platform,
            shop,
            platform_listing_id: content.platform_listing_id,
            url: content.url,
            title: content.title,
            description: content.description,
            price_fen: content.price_fen,
            ship_from: content.ship_from,
            captured_at,
            content_hash,
        }
    }

    /// SHA-256 of the canonical content encoding (computed by [`Self::new`]).
    pub fn content_hash(&self) -> &str {
        &self.content_hash
    }

    /// Recomputes the hash from the fields; the store calls it on load to detect a
    /// tampered row.
    pub fn verify_hash(&self) -> bool {
        let c = ListingContent {
            platform_listing_id: self.platform_listing_id.clone(),
            url: self.url.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            price_fen: self.price_fen,
            ship_from: self.ship_from.clone(),
        };
        c.content_hash() == self.content_hash
    }
}

/// Where a lead came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadSource {
    /// The patrol's detection rules hit a listing (网上巡查).
    Scan,
    /// A complaint (投诉): concerns the complainant's own rights.
    Complaint,
    /// A report (举报) from anyone.
    Report,
    /// Pushed by a platform.
    Platform,
    /// Transferred from another agency (线索移送).
    Transfer,
}

impl LeadSource {
    /// Code name (serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scan => "scan",
            Self::Complaint => "complaint",
            Self::Report => "report",
            Self::Platform => "platform",
            Self::Transfer => "transfer",
        }
    }

    /// The Chinese label for the UI.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Scan => "网上巡查",
            Self::Complaint => "投诉",
            Self::Report => "举报",
            Self::Platform => "平台报送",
            Self::Transfer => "部门移送",
        }
    }
}

/// What makes a lead the same lead when it is delivered again.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LeadDedupKey {
    /// A scan hit: the same snapshot under the same rule set is the same lead.
    Scan {
        /// Snapshot content hash.
        snapshot_hash: String,
        /// Version of the rule set that hit.
        rule_set_version: String,
    },
    /// Anything else: (source, the source's own reference).
    External {
        /// The source.
        source: LeadSource,
        /// Complaint number, platform notice id, transfer order id, …
        reference: String,
    },
}

impl LeadDedupKey {
    /// Builds the key for a lead from `source`, refusing missing parts.
    pub fn new(
        source: LeadSource,
        snapshot_hash: Option<&str>,
        rule_set_version: Option<&str>,
        reference: Option<&str>,
    ) -> Result<Self, LeadError> {
        let t = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        match source {
            LeadSource::Scan => match (t(snapshot_hash), t(rule_set_version)) {
                (Some(snapshot_hash), Some(rule_set_version)) => Ok(Self::Scan {
                    snapshot_hash,
                    rule_set_version,
                }),
                _ => Err(LeadError::ScanKeyMissing),
            },
            other => match t(reference) {
                Some(reference) => Ok(Self::External {
                    source: other,
                    reference,
                }),
                None => Err(LeadError::ReferenceMissing(other.as_str())),
            },
        }
    }

    /// The one string the store puts under a unique index on (org, dedup_key).
    /// Parts are length-prefixed, so no reference can collide with another key.
    pub fn canonical(&self) -> String {
        match self {
            Self::Scan {
                snapshot_hash,
                rule_set_version,
            } => format!(
                "scan:{}:{snapshot_hash}:{}:{rule_set_version}",
                snapshot_hash.len(),
                rule_set_version.len()
            ),
            Self::External { source, reference } => {
                format!("{}:{}:{reference}", source.as_str(), reference.len())
            }
        }
    }
}

/// Where a lead stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    /// Received, not yet looked at.
    New,
    /// Linked to at least one case.
    Linked,
    /// Screened out without a case (false positive, duplicate in substance).
    Dismissed,
}

impl LeadStatus {
    /// Code name (serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Linked => "linked",
            Self::Dismissed => "dismissed",
        }
    }
}

/// Why a lead was screened out, by whom and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dismissal {
    /// The officer's reason (误报, 已下架, …).
    pub reason: String,
    /// Who dismissed it.
    pub by: UserId,
    /// When.
    pub at: DateTime<Utc>,
}

/// A lead (线索). Table `leads`, unique on (org, dedup_key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lead {
    /// Stable id.
    pub id: LeadId,
    /// The agency that received it.
    pub org: OrgId,
    /// Where it came from.
    pub source: LeadSource,
    /// Deduplication key.
    pub dedup_key: LeadDedupKey,
    /// One-line summary.
    pub summary: String,
    /// The snapshot that triggered it (scan, platform).
    pub snapshot: Option<SnapshotId>,
    /// The shop concerned.
    pub shop: Option<ShopId>,
    /// The subject concerned.
    pub subject: Option<SubjectId>,
    /// When it was found or received: the start of the verification deadline.
    pub received_at: DateTime<Utc>,
    /// Status.
    pub status: LeadStatus,
    /// Why it was dismissed (status `dismissed` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dismissal: Option<Dismissal>,
    /// Optimistic concurrency version.
    pub version: i64,
}

/// Longest dismissal reason, in characters.
pub const MAX_DISMISSAL_REASON: usize = 500;

/// Dismisses a new lead (screened out without a case) with the officer's reason: the
/// lead with status `dismissed`, its dismissal and the next version, and the audit event
/// `lead.dismiss`. Who may is the server's policy (the receiving agency's case workers);
/// this checks the lead's state and the reason.
pub fn dismiss(
    lead: &Lead,
    actor: &Actor,
    reason: &str,
    ctx: &Context,
) -> Result<Change<Lead>, LeadError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(LeadError::Empty("reason"));
    }
    if lead.status != LeadStatus::New {
        return Err(LeadError::NotNew(lead.status.as_str()));
    }
    let mut after = lead.clone();
    after.status = LeadStatus::Dismissed;
    after.dismissal = Some(Dismissal {
        reason: reason.chars().take(MAX_DISMISSAL_REASON).collect(),
        by: actor.user,
        at: ctx.now,
    });
    after.version = lead.version + 1;
    let rec = Recorder {
        ctx,
        actor: actor.user,
        actor_org: actor.org,
        root_case: None,
    };
    let mut ids = IdSupply::new(ctx);
    let event = rec.event(
        &mut ids,
        "lead.dismiss",
        ObjectType::Lead,
        lead.id.0,
        Some(lead),
        &after,
    )?;
    let events = Events::new(vec![event]).ok_or(LeadError::Empty("events"))?;
    Ok(Change::new(after, events))
}

impl Lead {
    /// The lead of a scan hit on `snapshot` under the rule set `rule_set_version`, received
    /// by `org` (the agency the intake routed it to): its id derived from (org, dedup key),
    /// so delivering the same snapshot under the same rules again — by a patrol, a
    /// platform's push or a patrol worker — names the same lead, and the store's unique
    /// key keeps one.
    pub fn from_scan(
        org: OrgId,
        snapshot: &ListingSnapshot,
        rule_set_version: &str,
        summary: String,
        received_at: DateTime<Utc>,
    ) -> Lead {
        let dedup_key = LeadDedupKey::Scan {
            snapshot_hash: snapshot.content_hash().to_string(),
            rule_set_version: rule_set_version.to_string(),
        };
        Lead {
            id: lead_id_for(org, &dedup_key),
            org,
            source: LeadSource::Scan,
            dedup_key,
            summary,
            snapshot: Some(snapshot.id),
            shop: snapshot.shop,
            subject: None,
            received_at,
            status: LeadStatus::New,
            dismissal: None,
            version: 1,
        }
    }
}

/// The namespace of wangjian's derived ids (UUIDv5).
const NAMESPACE: Uuid = Uuid::from_u128(0x6a2b_4c1e_9f0d_4b7a_8e35_1d2c_0f9a_7e61);

/// A UUIDv5 of `parts` joined by NUL (no part can contain the separator of another in a
/// way that matters: platform ids and hashes have no NUL; a NUL inside would only give
/// another id).
pub fn derived_id(parts: &[&str]) -> Uuid {
    Uuid::new_v5(&NAMESPACE, parts.join("\0").as_bytes())
}

/// The id of the listing `platform_listing_id` on `platform`.
pub fn listing_id_for(platform: OrgId, platform_listing_id: &str) -> ListingId {
    ListingId(derived_id(&[
        "listing",
        &platform.to_string(),
        platform_listing_id,
    ]))
}

/// The id of the shop `platform_shop_id` on `platform`.
pub fn shop_id_for(platform: OrgId, platform_shop_id: &str) -> ShopId {
    ShopId(derived_id(&[
        "shop",
        &platform.to_string(),
        platform_shop_id,
    ]))
}

/// The id of the snapshot of `listing` with content hash `content_hash`.
pub fn snapshot_id_for(listing: ListingId, content_hash: &str) -> SnapshotId {
    SnapshotId(derived_id(&[
        "snapshot",
        &listing.to_string(),
        content_hash,
    ]))
}

/// The id of the lead of `org` with deduplication key `key`.
pub fn lead_id_for(org: OrgId, key: &LeadDedupKey) -> LeadId {
    LeadId(derived_id(&["lead", &org.to_string(), &key.canonical()]))
}

/// A link between a lead and a case (many-to-many). Table `case_leads`, primary key
/// (case_id, lead_id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseLeadLink {
    /// The case.
    pub case: CaseId,
    /// The lead.
    pub lead: LeadId,
    /// Who linked them.
    pub linked_by: UserId,
    /// When.
    pub linked_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn content() -> ListingContent {
        ListingContent {
            platform_listing_id: "123".into(),
            url: "https://shop.example.com/item/123".into(),
            title: "高仿 N1ke 运动鞋".into(),
            description: "原单".into(),
            price_fen: Some(19900),
            ship_from: "福建莆田".into(),
        }
    }

    #[test]
    fn snapshot_hash_is_computed_and_stable() {
        let t1 = Utc.with_ymd_and_hms(2024, 9, 27, 1, 0, 0).unwrap();
        let t2 = Utc.with_ymd_and_hms(2024, 9, 28, 1, 0, 0).unwrap();
        let ids = (
            SnapshotId::from_u128(1),
            ListingId::from_u128(2),
            OrgId::from_u128(3),
        );
        let a = ListingSnapshot::new(ids.0, ids.1, ids.2, None, content(), t1);
        let b = ListingSnapshot::new(ids.0, ids.1, ids.2, None, content(), t2);
        assert_eq!(a.content_hash(), b.content_hash());
        assert_eq!(a.content_hash().len(), 64);
        assert!(a.verify_hash());
        let mut tampered = a.clone();
        tampered.price_fen = Some(1);
        assert!(!tampered.verify_hash());
        // Moving text between fields changes the encoding.
        let mut c = content();
        c.title = "高仿 N1ke 运动鞋原单".into();
        c.description = String::new();
        assert_ne!(c.content_hash(), content().content_hash());
    }

    #[test]
    fn dismiss_records_reason_and_event_and_refuses_twice() {
        let now = Utc.with_ymd_and_hms(2024, 9, 27, 1, 0, 0).unwrap();
        let lead = Lead {
            id: LeadId::from_u128(1),
            org: OrgId::from_u128(2),
            source: LeadSource::Scan,
            dedup_key: LeadDedupKey::new(LeadSource::Scan, Some("ab"), Some("r1"), None).unwrap(),
            summary: "high".into(),
            snapshot: None,
            shop: None,
            subject: None,
            received_at: now,
            status: LeadStatus::New,
            dismissal: None,
            version: 1,
        };
        let actor = Actor {
            user: UserId::from_u128(3),
            org: OrgId::from_u128(2),
            roles: vec![crate::org::Role::Officer],
        };
        let ctx = Context::with_counter(crate::id::RequestId::from_u128(9), now, 100, 4);
        assert_eq!(
            dismiss(&lead, &actor, "  ", &ctx).unwrap_err(),
            LeadError::Empty("reason")
        );
        let change = dismiss(&lead, &actor, " 误报：正品授权店 ", &ctx).unwrap();
        let after = change.new_value();
        assert_eq!(after.status, LeadStatus::Dismissed);
        assert_eq!(after.version, 2);
        assert_eq!(after.dismissal.as_ref().unwrap().reason, "误报：正品授权店");
        let e = &change.events()[0];
        assert_eq!(e.action, "lead.dismiss");
        assert_eq!(e.object_id, lead.id.0);
        assert!(e.changed.iter().any(|f| f.field == "status"));
        assert_eq!(
            dismiss(after, &actor, "again", &ctx).unwrap_err(),
            LeadError::NotNew("dismissed")
        );
    }

    #[test]
    fn dedup_keys() {
        let k = LeadDedupKey::new(LeadSource::Scan, Some("ab"), Some("2024.1"), None).unwrap();
        assert_eq!(k.canonical(), "scan:2:ab:6:2024.1");
        assert_eq!(
            LeadDedupKey::new(LeadSource::Scan, Some("ab"), None, Some("x")),
            Err(LeadError::ScanKeyMissing)
        );
        let c = LeadDedupKey::new(LeadSource::Complaint, None, None, Some(" 12315-1 ")).unwrap();
        assert_eq!(c.canonical(), "complaint:7:12315-1");
        assert!(LeadDedupKey::new(LeadSource::Report, None, None, Some("")).is_err());
    }
}
