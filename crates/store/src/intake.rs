//! Machine intake: listings with their dated snapshots, scan leads, marks. Idempotent by
//! construction: every id is derived from the natural key (UUIDv5), every insert is
//! `ON CONFLICT DO NOTHING`, so re-importing a file or re-running a patrol writes
//! nothing new. One batch is one transaction: it is all there or not at all.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use uuid::Uuid;
use wangjian_detect::{Code, Field, Listing, Mark, Verdict};
use wangjian_domain::lead::{
    derived_id, listing_id_for, shop_id_for, snapshot_id_for, Lead, ListingContent, ListingSnapshot,
};
use wangjian_domain::{LeadId, ListingId, OrgId, ShopId, SnapshotId};

use crate::backend::Tx;
use crate::schema::from_row;
use crate::schema::{self, Table};
use crate::value::{Kind, Val};
use crate::write::json_of;
use crate::{Store, StoreError};

fn mark_id(m: &Mark) -> Uuid {
    derived_id(&["mark", &m.owner, &m.mark])
}

/// The id of the receipt of `snapshot` delivered by `org`.
fn receipt_id(org: OrgId, snapshot: SnapshotId) -> Uuid {
    derived_id(&["receipt", &org.to_string(), &snapshot.to_string()])
}

/// The shop a listing is offered by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopInput {
    /// The platform's id of the shop.
    pub platform_shop_id: String,
    /// Its display name.
    pub name: String,
}

/// A scan hit to keep as a lead, as the intake (`wangjian-app`) decided it: the agency it
/// was routed to, the rule set, the summary. The store makes the domain lead of it with
/// [`Lead::from_scan`] once it has hashed the snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanLead {
    /// The receiving agency.
    pub org: OrgId,
    /// `Detector::ruleset_version`: the same snapshot under the same rules is one lead.
    pub rule_set_version: String,
    /// One line for the officer (level, score, reasons).
    pub summary: String,
    /// The whole verdict, kept so the listing page can show every span.
    pub scan: Option<LeadScan>,
}

/// What the scan said about a lead's listing, kept with the lead (columns `verdict`,
/// `level`, `score`, `reasons`, `marks`, `region`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadScan {
    /// The verdict: score, level, and each reason with its character span.
    pub verdict: Verdict,
    /// The text of the fields the reasons point into that a snapshot does not keep
    /// (`category`, `shop`, `price`), as scanned; title, description and ship-from are in
    /// the snapshot.
    #[serde(default)]
    pub texts: BTreeMap<String, String>,
    /// The seller's region (GB/T 2260), when the shop or ship-from names one.
    #[serde(default)]
    pub region: Option<String>,
}

impl LeadScan {
    /// The scan of `listing` with `verdict`, keeping the texts the snapshot lacks.
    pub fn new(listing: &Listing, verdict: &Verdict, region: Option<String>) -> Self {
        let mut texts = BTreeMap::new();
        for r in &verdict.reasons {
            let text = match r.field {
                Field::Category => listing.category.clone(),
                Field::Shop => listing
                    .shop
                    .name
                    .clone()
                    .or_else(|| listing.shop.id.clone()),
                Field::Price => Some(r.matched.clone()),
                Field::Title | Field::Description | Field::ShipFrom => None,
            };
            if let Some(t) = text {
                texts.insert(r.field.as_str().to_string(), t);
            }
        }
        LeadScan {
            verdict: verdict.clone(),
            texts,
            region,
        }
    }

    /// The reason codes as a bit set (bit i for `Code::ALL[i]`).
    pub fn reason_bits(&self) -> i64 {
        self.verdict
            .reasons
            .iter()
            .map(|r| reason_bit(r.code))
            .fold(0, |a, b| a | b)
    }

    /// The names of the marks the reasons cite (rule `mark:NAME`), sorted, unique.
    pub fn marks(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .verdict
            .reasons
            .iter()
            .filter_map(|r| r.rule.strip_prefix("mark:").map(str::to_string))
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

/// The bit of `code` in the `reasons` column.
pub fn reason_bit(code: Code) -> i64 {
    let i = Code::ALL.iter().position(|c| *c == code).unwrap_or(0);
    1 << i
}

/// One listing as captured, with the lead its scan produced, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct ListingInput {
    /// The platform organization.
    pub platform: OrgId,
    /// The shop.
    pub shop: Option<ShopInput>,
    /// The content (the store hashes it).
    pub content: ListingContent,
    /// When it was captured.
    pub captured_at: DateTime<Utc>,
    /// The lead to keep, when the scan flagged it.
    pub lead: Option<ScanLead>,
}

/// What one batch added (rows that existed already are not counted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    /// New shops.
    pub shops: u64,
    /// New listings.
    pub listings: u64,
    /// New snapshots (new listings, or changed content).
    pub snapshots: u64,
    /// New leads.
    pub leads: u64,
}

impl ListingInput {
    /// A listing as the scan reads it, offered on `platform` and captured at
    /// `captured_at`, with the lead its scan produced. The price becomes fen (a price that
    /// is not a finite number is dropped); a shop without a name is shown by its id.
    pub fn from_listing(
        l: Listing,
        platform: OrgId,
        captured_at: DateTime<Utc>,
        lead: Option<ScanLead>,
    ) -> Self {
        let shop = l.shop.id.clone().map(|id| ShopInput {
            name: l.shop.name.clone().unwrap_or_else(|| id.clone()),
            platform_shop_id: id,
        });
        ListingInput {
            platform,
            shop,
            captured_at,
            content: ListingContent {
                platform_listing_id: l.id,
                url: l.url.unwrap_or_default(),
                title: l.title,
                description: l.description.unwrap_or_default(),
                price_fen: l
                    .price
                    .filter(|p| p.is_finite())
                    .map(|p| (p * 100.0).round() as i64),
                ship_from: l.ship_from.unwrap_or_default(),
            },
            lead,
        }
    }
}

/// Inserts `rows` (each in `table`'s insert-column order), skipping rows whose unique
/// keys exist; returns the ids of the new rows (in no order).
async fn insert_new(
    tx: &mut Tx,
    table: &Table,
    rows: Vec<Vec<Val>>,
) -> Result<HashSet<Uuid>, StoreError> {
    let cols: Vec<(&str, Kind)> = table
        .insert_cols()
        .into_iter()
        .map(|c| (c.name, c.kind))
        .collect();
    let mut added = HashSet::new();
    for row in tx.insert_ignoring(table.name, &cols, rows).await? {
        if let Some(id) = row.uuid(0)? {
            added.insert(id);
        }
    }
    Ok(added)
}

/// What a batch stored, item by item: the ids it wrote (or found), and what was new.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestOutcome {
    /// The counts.
    pub added: BatchOutcome,
    /// For each item of the batch, in order: its listing.
    pub listings: Vec<ListingId>,
    /// For each item, in order: its snapshot (the listing with that content).
    pub snapshots: Vec<SnapshotId>,
    /// For each item, in order: true when its snapshot is new (false: the same listing
    /// with the same content was stored before, by whoever delivered it, or earlier in
    /// this batch).
    pub new_snapshot: Vec<bool>,
    /// For each item, in order: true when this deliverer delivers this snapshot for the
    /// first time (its receipt is new; false when it delivered it before or earlier in this
    /// batch). All false for a batch without a deliverer. What the deliverer is told
    /// depends on this, never on what others delivered.
    pub new_receipt: Vec<bool>,
    /// For each item, in order: the lead of its scan, when it has one (new or stored
    /// before).
    pub leads: Vec<Option<LeadId>>,
    /// The leads this batch created, in batch order, each with the index of the item that
    /// made it (a repeat of that item in the same batch made nothing).
    pub new_leads: Vec<(usize, LeadId)>,
}

// The rows of a batch, built straight from the inputs in each table's insert-column
// order (`schema.rs`). The general write path goes through the domain value's JSON
// instead; intake skips that detour because it is the one path that writes millions of
// rows. `rows_match_the_schema` (below) proves both give the same values.

fn shop_row(id: ShopId, platform: OrgId, s: &ShopInput) -> Vec<Val> {
    vec![
        Val::from(id.0),
        Val::from(platform.0),
        Val::from(s.platform_shop_id.as_str()),
        Val::from(s.name.as_str()),
        Val::Uuid(None),
        Val::from(1),
    ]
}

fn listing_row(
    id: ListingId,
    l: &ListingInput,
    shop: Option<ShopId>,
    submitted_by: Option<OrgId>,
) -> Vec<Val> {
    vec![
        Val::from(id.0),
        Val::from(l.platform.0),
        Val::from(l.content.platform_listing_id.as_str()),
        Val::Uuid(shop.map(|s| s.0)),
        Val::from(l.captured_at),
        Val::from(1),
        Val::Uuid(submitted_by.map(|o| o.0)),
    ]
}

fn snapshot_row(s: &ListingSnapshot) -> Vec<Val> {
    vec![
        Val::from(s.id.0),
        Val::from(s.listing.0),
        Val::from(s.platform.0),
        Val::Uuid(s.shop.map(|x| x.0)),
        Val::from(s.platform_listing_id.as_str()),
        Val::from(s.url.as_str()),
        Val::from(s.title.as_str()),
        Val::from(s.description.as_str()),
        Val::Int(s.price_fen),
        Val::from(s.ship_from.as_str()),
        Val::from(s.captured_at),
        Val::from(s.content_hash()),
    ]
}

fn receipt_row(org: OrgId, snapshot: SnapshotId, at: DateTime<Utc>) -> Vec<Val> {
    vec![
        Val::from(receipt_id(org, snapshot)),
        Val::from(org.0),
        Val::from(snapshot.0),
        Val::from(at),
    ]
}

fn lead_row(
    lead: &Lead,
    platform: OrgId,
    submitted_by: Option<OrgId>,
    scan: Option<&LeadScan>,
) -> Result<Vec<Val>, StoreError> {
    let marks = scan.map(LeadScan::marks).filter(|m| !m.is_empty());
    Ok(vec![
        Val::from(lead.id.0),
        Val::from(lead.org.0),
        Val::from(lead.source.as_str()),
        Val::from(lead.dedup_key.canonical()),
        Val::Json(Some(json_of(&lead.dedup_key)?)),
        Val::from(lead.summary.as_str()),
        Val::Uuid(lead.snapshot.map(|s| s.0)),
        Val::Uuid(lead.shop.map(|s| s.0)),
        Val::Uuid(lead.subject.map(|s| s.0)),
        Val::from(lead.received_at),
        Val::from(lead.status.as_str()),
        Val::Json(lead.dismissal.as_ref().map(json_of).transpose()?),
        Val::from(lead.version),
        Val::Uuid(submitted_by.map(|o| o.0)),
        Val::from(platform.0),
        Val::Text(scan.and_then(|s| s.region.clone())),
        Val::Text(scan.map(|s| s.verdict.level.as_str().to_string())),
        Val::Int(scan.map(|s| i64::from(s.verdict.score))),
        Val::Int(scan.map(LeadScan::reason_bits)),
        Val::Text(marks.map(|m| format!("|{}|", m.join("|")))),
        Val::Json(scan.map(json_of).transpose()?),
    ])
}

impl Store {
    /// Stores a batch of captured listings (shops, listings, snapshots, and the leads of
    /// flagged ones) in one transaction. Idempotent: a listing seen again with the same
    /// content adds nothing; with changed content it adds a snapshot (and, if flagged,
    /// a lead for that snapshot).
    pub async fn import_listings(
        &self,
        batch: &[ListingInput],
    ) -> Result<BatchOutcome, StoreError> {
        Ok(self.store_listings(batch, None).await?.added)
    }

    /// Stores a batch like [`Store::import_listings`], delivered by `delivered_by` (a
    /// patrolling agency, a platform pushing its listings): recorded as the submitter of
    /// new listings and leads, and as a receipt of every snapshot (the platform reads the
    /// leads of what it delivered through its receipts). Tells, item by item, the ids and
    /// what was new.
    pub async fn store_listings(
        &self,
        batch: &[ListingInput],
        delivered_by: Option<OrgId>,
    ) -> Result<IngestOutcome, StoreError> {
        let submitted_by = delivered_by;
        let mut shops = Vec::new();
        let mut seen_shops = HashSet::new();
        let mut listings = Vec::with_capacity(batch.len());
        let mut listing_ids = Vec::with_capacity(batch.len());
        let mut snapshots = Vec::with_capacity(batch.len());
        let mut snapshot_ids = Vec::with_capacity(batch.len());
        let mut receipts = Vec::new();
        let mut leads = Vec::new();
        let mut lead_ids = Vec::with_capacity(batch.len());
        for l in batch {
            let listing = listing_id_for(l.platform, &l.content.platform_listing_id);
            let shop = l.shop.as_ref().map(|s| {
                let id = shop_id_for(l.platform, &s.platform_shop_id);
                // A shop offers many listings of a batch: one row is enough.
                if seen_shops.insert(id) {
                    shops.push(shop_row(id, l.platform, s));
                }
                id
            });
            listing_ids.push(listing);
            listings.push(listing_row(listing, l, shop, submitted_by));
            let snap = ListingSnapshot::new(
                snapshot_id_for(listing, &l.content.content_hash()),
                listing,
                l.platform,
                shop,
                l.content.clone(),
                l.captured_at,
            );
            snapshot_ids.push(snap.id);
            snapshots.push(snapshot_row(&snap));
            if let Some(by) = delivered_by {
                receipts.push(receipt_row(by, snap.id, l.captured_at));
            }
            lead_ids.push(match &l.lead {
                Some(scan) => {
                    let lead = Lead::from_scan(
                        scan.org,
                        &snap,
                        &scan.rule_set_version,
                        scan.summary.clone(),
                        l.captured_at,
                    );
                    leads.push(lead_row(
                        &lead,
                        l.platform,
                        submitted_by,
                        scan.scan.as_ref(),
                    )?);
                    Some(lead.id)
                }
                None => None,
            });
        }
        let mut tx = self.pool.begin_write().await?;
        let new_shops = insert_new(&mut tx, &schema::SHOPS, shops).await?;
        let new_listings = insert_new(&mut tx, &schema::LISTINGS, listings).await?;
        let new_snaps = insert_new(&mut tx, &schema::LISTING_SNAPSHOTS, snapshots).await?;
        let new_receipts = insert_new(&mut tx, &schema::LISTING_RECEIPTS, receipts).await?;
        let new_leads = insert_new(&mut tx, &schema::LEADS, leads).await?;
        tx.commit().await?;
        // Only the first of repeated items in the batch is new.
        let firsts = |new: &HashSet<Uuid>, ids: &mut dyn Iterator<Item = Uuid>| -> Vec<bool> {
            let mut seen = HashSet::new();
            ids.map(|id| new.contains(&id) && seen.insert(id)).collect()
        };
        let new_snapshot = firsts(&new_snaps, &mut snapshot_ids.iter().map(|s| s.0));
        let new_receipt = match delivered_by {
            Some(by) => firsts(
                &new_receipts,
                &mut snapshot_ids.iter().map(|s| receipt_id(by, *s)),
            ),
            None => vec![false; batch.len()],
        };
        let mut seen = HashSet::new();
        let new_lead_items = lead_ids
            .iter()
            .enumerate()
            .filter_map(|(i, id)| id.map(|id| (i, id)))
            .filter(|(_, id)| new_leads.contains(&id.0) && seen.insert(*id))
            .collect();
        Ok(IngestOutcome {
            added: BatchOutcome {
                shops: new_shops.len() as u64,
                listings: new_listings.len() as u64,
                snapshots: new_snaps.len() as u64,
                leads: new_leads.len() as u64,
            },
            listings: listing_ids,
            snapshots: snapshot_ids,
            new_snapshot,
            new_receipt,
            leads: lead_ids,
            new_leads: new_lead_items,
        })
    }

    /// The latest snapshot of a listing.
    pub async fn latest_snapshot(
        &self,
        listing: ListingId,
    ) -> Result<Option<ListingSnapshot>, StoreError> {
        let t = &schema::LISTING_SNAPSHOTS;
        let sql = format!(
            "SELECT {} FROM {} WHERE listing = $1 ORDER BY captured_at DESC, id DESC LIMIT 1",
            t.select_list(""),
            t.name
        );
        let rows = self.pool.fetch(&sql, vec![Val::from(listing.0)]).await?;
        let snap: Option<ListingSnapshot> = rows.first().map(|r| from_row(t, r)).transpose()?;
        if let Some(s) = &snap {
            if !s.verify_hash() {
                return Err(StoreError::Corrupt(format!(
                    "snapshot {} does not match its content hash",
                    s.id
                )));
            }
        }
        Ok(snap)
    }

    /// Puts marks (idempotent on owner + mark; changed content bumps the version).
    /// Returns how many were new or changed.
    pub async fn put_marks(&self, marks: &[Mark]) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin_write().await?;
        let mut n = 0;
        for m in marks {
            let mut j = json_of(m)?;
            let id = mark_id(m);
            j["id"] = Json::String(id.to_string());
            let w = crate::write::put_versioned(&mut tx, &schema::MARKS, id, j).await?;
            if w != crate::write::Written::Unchanged {
                n += 1;
            }
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Every stored mark, by owner and name.
    pub async fn marks(&self) -> Result<Vec<Mark>, StoreError> {
        let t = &schema::MARKS;
        let sql = format!(
            "SELECT {} FROM {} ORDER BY owner, mark",
            t.select_list(""),
            t.name
        );
        let rows = self.pool.fetch(&sql, vec![]).await?;
        rows.iter()
            .map(|r| {
                let mut j = t.domain_json(r)?;
                if let Json::Object(m) = &mut j {
                    m.remove("id");
                    m.remove("version");
                }
                serde_json::from_value(j).map_err(|e| StoreError::Corrupt(format!("mark: {e}")))
            })
            .collect()
    }

    /// A lead by id.
    pub async fn lead(&self, id: LeadId) -> Result<Option<Lead>, StoreError> {
        crate::schema::get_by_id(&self.pool, &schema::LEADS, id.0).await
    }

    /// Stores a lead delivered from outside (complaint, report, platform, transfer) with
    /// its event; when a lead with the same `(org, dedup_key)` exists, nothing is written
    /// and its id is returned.
    pub async fn intake_lead(
        &self,
        change: wangjian_domain::Change<Lead>,
    ) -> Result<(LeadId, bool), StoreError> {
        let (lead, events) = change.into_parts();
        let mut tx = self.pool.begin_write().await?;
        let rows = tx
            .fetch(
                "SELECT id FROM leads WHERE org = $1 AND dedup_key = $2",
                vec![Val::from(lead.org.0), Val::from(lead.dedup_key.canonical())],
            )
            .await?;
        if let Some(r) = rows.first() {
            let id = r
                .uuid(0)?
                .ok_or_else(|| StoreError::Corrupt("lead id".into()))?;
            tx.rollback().await?;
            return Ok((LeadId(id), false));
        }
        crate::write::write_change(&mut tx, &lead, &events).await?;
        tx.commit().await?;
        Ok((lead.id, true))
    }
}

#[cfg(test)]
mod row_tests {
    use super::*;
    use wangjian_detect::{Level, Reason};
    use wangjian_domain::lead::LeadDedupKey;

    fn input(shop: bool, scan: bool) -> ListingInput {
        let listing = Listing {
            id: "L1".into(),
            title: "耐克 高仿 运动鞋".into(),
            description: Some("莆田发货".into()),
            price: Some(59.5),
            category: Some("运动鞋".into()),
            shop: wangjian_detect::Shop {
                id: shop.then(|| "s1".to_string()),
                name: Some("正品店".into()),
                ..Default::default()
            },
            ship_from: Some("福建省莆田市".into()),
            url: Some("https://item.example.com/1".into()),
            ..Listing::default()
        };
        let verdict = Verdict {
            listing_id: "L1".into(),
            score: 75,
            level: Level::High,
            reasons: vec![Reason {
                code: Code::Mark,
                field: Field::Title,
                start: 0,
                end: 2,
                matched: "耐克".into(),
                rule: "mark:耐克".into(),
                detail: "驰名商标".into(),
                weight: 30,
                owner: Some("Nike, Inc.".into()),
                alternatives: Vec::new(),
            }],
        };
        let org = OrgId::from_u128(7);
        let lead = scan.then(|| ScanLead {
            org,
            rule_set_version: "v1".into(),
            summary: "high 75".into(),
            scan: Some(LeadScan::new(&listing, &verdict, Some("350300".into()))),
        });
        let at = DateTime::parse_from_rfc3339("2026-01-02T03:04:05.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        ListingInput::from_listing(listing, OrgId::from_u128(9), at, lead)
    }

    /// The rows intake builds by hand are the rows the general path (the domain value's
    /// JSON read through the table's column paths) would write.
    #[test]
    fn rows_match_the_schema() {
        for (shop, scan, by) in [
            (true, true, Some(OrgId::from_u128(3))),
            (false, false, None),
        ] {
            let l = input(shop, scan);
            let listing = listing_id_for(l.platform, &l.content.platform_listing_id);
            let shop_id = l
                .shop
                .as_ref()
                .map(|s| shop_id_for(l.platform, &s.platform_shop_id));
            let submitter = by.map(|o| Json::String(o.to_string()));
            if let (Some(id), Some(s)) = (shop_id, &l.shop) {
                let j = serde_json::json!({
                    "id": id, "platform": l.platform, "platform_shop_id": s.platform_shop_id,
                    "name": s.name, "version": 1,
                });
                assert_eq!(
                    shop_row(id, l.platform, s),
                    schema::SHOPS.values(&j).unwrap()
                );
            }
            let j = serde_json::json!({
                "id": listing, "platform": l.platform,
                "platform_listing_id": l.content.platform_listing_id, "shop": shop_id,
                "first_seen_at": l.captured_at, "version": 1, "submitted_by": submitter,
            });
            assert_eq!(
                listing_row(listing, &l, shop_id, by),
                schema::LISTINGS.values(&j).unwrap()
            );
            let hash = l.content.content_hash();
            let snap = ListingSnapshot::new(
                snapshot_id_for(listing, &hash),
                listing,
                l.platform,
                shop_id,
                l.content.clone(),
                l.captured_at,
            );
            assert_eq!(
                snapshot_row(&snap),
                schema::LISTING_SNAPSHOTS
                    .values(&json_of(&snap).unwrap())
                    .unwrap()
            );
            let lead = Lead::from_scan(
                OrgId::from_u128(7),
                &snap,
                "v1",
                "high 75".into(),
                l.captured_at,
            );
            assert_eq!(
                lead.dedup_key,
                LeadDedupKey::Scan {
                    snapshot_hash: hash,
                    rule_set_version: "v1".into()
                }
            );
            let scan = l.lead.as_ref().and_then(|s| s.scan.as_ref());
            let mut j = json_of(&lead).unwrap();
            j["dedup_key_canonical"] = Json::String(lead.dedup_key.canonical());
            j["submitted_by"] = submitter.clone().unwrap_or(Json::Null);
            j["platform"] = Json::String(l.platform.to_string());
            if let Some(s) = scan {
                j["region"] = s.region.clone().map(Json::String).unwrap_or(Json::Null);
                j["level"] = Json::String(s.verdict.level.as_str().to_string());
                j["score"] = Json::from(s.verdict.score);
                j["reasons"] = Json::from(s.reason_bits());
                j["marks"] = Json::String(format!("|{}|", s.marks().join("|")));
                j["verdict"] = json_of(s).unwrap();
            }
            assert_eq!(
                lead_row(&lead, l.platform, by, scan).unwrap(),
                schema::LEADS.values(&j).unwrap()
            );
        }
    }
}
