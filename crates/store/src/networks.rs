//! Seller networks and brushing (issue 18): shop identifiers with their provenance, and
//! the brushing uploads, groups and evidence orders.
//!
//! - An upload of identifiers is one transaction: the upload's record and audit event
//!   through the one write path (which takes the log's lock first), then its rows,
//!   `ON CONFLICT DO NOTHING` on (platform, shop, kind, value, source) so a re-upload adds
//!   nothing. Rows are numbered by `seq` in commit order (the lock), so a process that
//!   keeps the networks in memory reads what is new with [`Store::identifiers_since`].
//! - An upload of orders is one transaction: the upload and its groups (new, or found
//!   again with other figures) through the write path, then each written group's shops and
//!   evidence orders, replaced.
//! - Lists take a [`GroupFilter`], the policy's scope as data.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wangjian_domain::brushing::{BrushingGroup, BrushingUpload, Detected, IdentifierUpload};
use wangjian_domain::{Change, LeadId, OrgId};

use crate::backend::Row;
use crate::query::prefix_range;
use crate::schema::{self, from_row, get_by_id};
use crate::value::{Kind, Val};
use crate::write::{write_change, Applied};
use crate::{Store, StoreError};

/// One identifier value of one shop, as uploaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentifierRow {
    /// The platform the shop is on.
    pub platform: OrgId,
    /// The platform's shop id.
    pub shop: String,
    /// The identifier kind (`phone`, `return_address`, …).
    pub kind: String,
    /// The normalized value (a SHA-256 of it for personal kinds).
    pub value: String,
    /// What people are shown (masked for personal kinds).
    pub display: String,
    /// The GB/T 2260 division the value places the shop in (addresses, credit codes).
    pub region: Option<String>,
    /// Where it came from.
    pub source: String,
    /// When the value was true, when the source says.
    pub seen_at: Option<DateTime<Utc>>,
}

/// A stored identifier row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredIdentifier {
    /// Order of arrival.
    pub seq: i64,
    /// The row.
    pub row: IdentifierRow,
    /// When it was stored.
    pub recorded_at: DateTime<Utc>,
}

/// One order kept as a group's evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceOrder {
    /// The platform's order id.
    pub order_id: String,
    /// Buyer account.
    pub buyer: String,
    /// Shop.
    pub shop: String,
    /// Listing.
    pub listing: String,
    /// Order time (RFC 3339).
    pub time: String,
    /// Amount (yuan).
    pub amount: f64,
    /// Delivery address, as sent.
    pub address: Option<String>,
    /// Device.
    pub device: Option<String>,
    /// IP address.
    pub ip: Option<String>,
    /// Review text.
    pub review: Option<String>,
}

/// Which groups a list returns (the policy's scope as data): a group is in when any part
/// admits it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupFilter {
    /// Every group.
    pub all: bool,
    /// Groups found in these platforms' uploads.
    pub platforms: Vec<OrgId>,
    /// Groups one of whose shops carries an identifier placing it in one of these
    /// regions (code prefixes).
    pub regions: Vec<String>,
    /// Groups that became a lead of one of these agencies.
    pub lead_orgs: Vec<OrgId>,
}

/// A lead naming one shop, and the cases it is linked to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopLead {
    /// The shop's platform.
    pub platform: OrgId,
    /// The platform's shop id.
    pub shop: String,
    /// The lead.
    pub lead: LeadId,
    /// Its agency.
    pub org: OrgId,
    /// The platform that submitted it, when one did.
    pub submitted_by: Option<OrgId>,
    /// Its summary.
    pub summary: String,
    /// Its status.
    pub status: String,
    /// Cases it is linked to.
    pub cases: Vec<Uuid>,
}

const ID_COLS: &str =
    "seq, platform, shop, kind, value, display, region, source, seen_at, recorded_at";

fn identifier_from_row(r: &Row) -> Result<StoredIdentifier, StoreError> {
    let text = |i| r.text(i).map(Option::unwrap_or_default);
    let time = |i| match r.get(i, Kind::Time)? {
        Val::Time(t) => Ok(t),
        _ => Err(StoreError::Corrupt("shop_identifiers: a time".into())),
    };
    Ok(StoredIdentifier {
        seq: r.int(0)?,
        row: IdentifierRow {
            platform: OrgId(r.uuid(1)?.unwrap_or_default()),
            shop: text(2)?,
            kind: text(3)?,
            value: text(4)?,
            display: text(5)?,
            region: r.text(6)?,
            source: text(7)?,
            seen_at: time(8)?,
        },
        recorded_at: time(9)?.unwrap_or_default(),
    })
}

fn evidence_from_row(r: &Row) -> Result<EvidenceOrder, StoreError> {
    let text = |i| r.text(i).map(Option::unwrap_or_default);
    let amount = match r.get(5, Kind::Real)? {
        Val::Real(v) => v.unwrap_or(0.0),
        _ => 0.0,
    };
    Ok(EvidenceOrder {
        order_id: text(0)?,
        buyer: text(1)?,
        shop: text(2)?,
        listing: text(3)?,
        time: text(4)?,
        amount,
        address: r.text(6)?,
        device: r.text(7)?,
        ip: r.text(8)?,
        review: r.text(9)?,
    })
}

/// `$n, $n+1, …` for `k` values, pushing them onto `args`.
fn placeholders(values: Vec<Val>, args: &mut Vec<Val>) -> String {
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        args.push(v);
        out.push(format!("${}", args.len()));
    }
    out.join(", ")
}

/// Rows per multi-row INSERT (well under both backends' parameter limits).
const ROWS_PER_INSERT: usize = 400;

impl Store {
    /// Records an upload of shop identifiers: its record and audit event, and the rows
    /// (one transaction). Returns the number of rows new to the store.
    pub async fn upload_identifiers(
        &self,
        change: Change<IdentifierUpload>,
        rows: Vec<IdentifierRow>,
    ) -> Result<(Applied<IdentifierUpload>, usize), StoreError> {
        let mut tx = self.pool.begin_write().await?;
        let (value, events) = change.into_parts();
        let seqs = write_change(&mut tx, &value, &events).await?;
        let mut new = 0usize;
        for part in rows.chunks(ROWS_PER_INSERT) {
            let mut args = Vec::with_capacity(part.len() * 10);
            let mut values = Vec::with_capacity(part.len());
            for r in part {
                let p = placeholders(
                    vec![
                        Val::from(value.id),
                        Val::from(r.platform.0),
                        Val::from(r.shop.as_str()),
                        Val::from(r.kind.as_str()),
                        Val::from(r.value.as_str()),
                        Val::from(r.display.as_str()),
                        Val::Text(r.region.clone()),
                        Val::from(r.source.as_str()),
                        Val::from(r.seen_at),
                        Val::from(value.at),
                    ],
                    &mut args,
                );
                values.push(format!("({p})"));
            }
            let sql = format!(
                "INSERT INTO shop_identifiers (upload_id, platform, shop, kind, value, display, \
                 region, source, seen_at, recorded_at) VALUES {} ON CONFLICT DO NOTHING",
                values.join(", ")
            );
            new += tx.exec(&sql, args).await? as usize;
        }
        tx.commit().await?;
        Ok((Applied { value, seqs }, new))
    }

    /// Identifier rows after `seq`, in order, at most `limit`.
    pub async fn identifiers_since(
        &self,
        seq: i64,
        limit: i64,
    ) -> Result<Vec<StoredIdentifier>, StoreError> {
        let rows = self
            .pool
            .fetch(
                &format!(
                    "SELECT {ID_COLS} FROM shop_identifiers WHERE seq > $1 ORDER BY seq LIMIT $2"
                ),
                vec![Val::from(seq), Val::from(limit)],
            )
            .await?;
        rows.iter().map(identifier_from_row).collect()
    }

    /// Every identifier row of these shops (platform, shop id), in order of arrival.
    pub async fn identifiers_of(
        &self,
        shops: &[(OrgId, String)],
    ) -> Result<Vec<StoredIdentifier>, StoreError> {
        let mut out = Vec::new();
        for (platform, shop) in shops {
            let rows = self
                .pool
                .fetch(
                    &format!(
                        "SELECT {ID_COLS} FROM shop_identifiers WHERE platform = $1 AND shop = $2 \
                         ORDER BY seq"
                    ),
                    vec![Val::from(platform.0), Val::from(shop.as_str())],
                )
                .await?;
            for r in &rows {
                out.push(identifier_from_row(r)?);
            }
        }
        Ok(out)
    }

    /// Records an upload of orders and the groups it found (one transaction): the upload
    /// and each written group through the write path, then the shops and evidence orders
    /// of each written group (replacing what it had).
    pub async fn record_detection(
        &self,
        change: Change<Detected>,
        evidence: &[(Uuid, Vec<EvidenceOrder>)],
    ) -> Result<Applied<Detected>, StoreError> {
        let mut tx = self.pool.begin_write().await?;
        let (value, events) = change.into_parts();
        let seqs = write_change(&mut tx, &value, &events).await?;
        for g in &value.groups {
            let id = Val::from(g.id);
            tx.exec(
                "DELETE FROM brushing_evidence WHERE group_id = $1",
                vec![id.clone()],
            )
            .await?;
            tx.exec(
                "DELETE FROM brushing_group_shops WHERE group_id = $1",
                vec![id.clone()],
            )
            .await?;
            let mut shops: Vec<&String> = g.shops.iter().collect();
            shops.sort();
            shops.dedup();
            for part in shops.chunks(ROWS_PER_INSERT) {
                let mut args = Vec::new();
                let mut values = Vec::new();
                for s in part {
                    let p = placeholders(
                        vec![id.clone(), Val::from(g.platform.0), Val::from(s.as_str())],
                        &mut args,
                    );
                    values.push(format!("({p})"));
                }
                tx.exec(
                    &format!(
                        "INSERT INTO brushing_group_shops (group_id, platform, shop) VALUES {}",
                        values.join(", ")
                    ),
                    args,
                )
                .await?;
            }
            let Some((_, orders)) = evidence.iter().find(|(gid, _)| *gid == g.id) else {
                continue;
            };
            for part in orders.chunks(ROWS_PER_INSERT) {
                let mut args = Vec::new();
                let mut values = Vec::new();
                for o in part {
                    let p = placeholders(
                        vec![
                            id.clone(),
                            Val::from(o.order_id.as_str()),
                            Val::from(o.buyer.as_str()),
                            Val::from(o.shop.as_str()),
                            Val::from(o.listing.as_str()),
                            Val::from(o.time.as_str()),
                            Val::Real(Some(o.amount)),
                            Val::Text(o.address.clone()),
                            Val::Text(o.device.clone()),
                            Val::Text(o.ip.clone()),
                            Val::Text(o.review.clone()),
                        ],
                        &mut args,
                    );
                    values.push(format!("({p})"));
                }
                tx.exec(
                    &format!(
                        "INSERT INTO brushing_evidence (group_id, order_id, buyer, shop, listing, \
                         time, amount, address, device, ip, review) VALUES {} \
                         ON CONFLICT DO NOTHING",
                        values.join(", ")
                    ),
                    args,
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(Applied { value, seqs })
    }

    /// One brushing group.
    pub async fn brushing_group(&self, id: Uuid) -> Result<Option<BrushingGroup>, StoreError> {
        get_by_id(&self.pool, &schema::BRUSHING_GROUPS, id).await
    }

    /// One brushing upload.
    pub async fn brushing_upload(&self, id: Uuid) -> Result<Option<BrushingUpload>, StoreError> {
        get_by_id(&self.pool, &schema::BRUSHING_UPLOADS, id).await
    }

    /// The stored groups among `ids`.
    pub async fn brushing_groups_by_id(
        &self,
        ids: &[Uuid],
    ) -> Result<Vec<BrushingGroup>, StoreError> {
        let t = &schema::BRUSHING_GROUPS;
        let mut out = Vec::new();
        for part in ids.chunks(ROWS_PER_INSERT) {
            let mut args = Vec::new();
            let p = placeholders(part.iter().map(|i| Val::from(*i)).collect(), &mut args);
            let rows = self
                .pool
                .fetch(
                    &format!(
                        "SELECT {} FROM brushing_groups WHERE id IN ({p})",
                        t.select_list("")
                    ),
                    args,
                )
                .await?;
            for r in &rows {
                out.push(from_row(t, r)?);
            }
        }
        Ok(out)
    }

    /// The regions (code prefixes of GB/T 2260 divisions) the identifiers of a group's
    /// shops place them in.
    pub async fn brushing_group_regions(&self, id: Uuid) -> Result<Vec<String>, StoreError> {
        let rows = self
            .pool
            .fetch(
                "SELECT DISTINCT si.region FROM brushing_group_shops gs JOIN shop_identifiers si \
                 ON si.platform = gs.platform AND si.shop = gs.shop \
                 WHERE gs.group_id = $1 AND si.region IS NOT NULL ORDER BY si.region",
                vec![Val::from(id)],
            )
            .await?;
        rows.iter()
            .map(|r| r.text(0).map(Option::unwrap_or_default))
            .collect()
    }

    /// Groups the filter admits, best first (score, then newest), at most `limit`; and
    /// optionally only those with this state and of this platform.
    pub async fn brushing_groups(
        &self,
        filter: &GroupFilter,
        state: Option<&str>,
        limit: i64,
    ) -> Result<Vec<BrushingGroup>, StoreError> {
        let t = &schema::BRUSHING_GROUPS;
        let mut args = Vec::new();
        let mut any = Vec::new();
        if filter.all {
            any.push("1 = 1".to_string());
        }
        if !filter.platforms.is_empty() {
            let p = placeholders(
                filter.platforms.iter().map(|o| Val::from(o.0)).collect(),
                &mut args,
            );
            any.push(format!("g.platform IN ({p})"));
        }
        if !filter.lead_orgs.is_empty() {
            let p = placeholders(
                filter.lead_orgs.iter().map(|o| Val::from(o.0)).collect(),
                &mut args,
            );
            any.push(format!(
                "g.lead IN (SELECT l.id FROM leads l WHERE l.org IN ({p}))"
            ));
        }
        for r in &filter.regions {
            let (lo, hi) = prefix_range(r);
            args.push(Val::from(lo));
            let a = args.len();
            args.push(Val::from(hi));
            let b = args.len();
            any.push(format!(
                "EXISTS (SELECT 1 FROM brushing_group_shops gs JOIN shop_identifiers si \
                 ON si.platform = gs.platform AND si.shop = gs.shop WHERE gs.group_id = g.id \
                 AND si.region >= ${a} AND si.region < ${b})"
            ));
        }
        if any.is_empty() {
            return Ok(Vec::new());
        }
        let mut conds = vec![format!("({})", any.join(" OR "))];
        if let Some(s) = state {
            args.push(Val::from(s));
            conds.push(format!("g.state = ${}", args.len()));
        }
        args.push(Val::from(limit.clamp(1, 1000)));
        let sql = format!(
            "SELECT {} FROM brushing_groups g WHERE {} ORDER BY g.score DESC, g.detected_at DESC, \
             g.id LIMIT ${}",
            t.select_list("g"),
            conds.join(" AND "),
            args.len()
        );
        let rows = self.pool.fetch(&sql, args).await?;
        rows.iter().map(|r| from_row(t, r)).collect()
    }

    /// A group's evidence orders, by time.
    pub async fn brushing_evidence(&self, id: Uuid) -> Result<Vec<EvidenceOrder>, StoreError> {
        let rows = self
            .pool
            .fetch(
                "SELECT order_id, buyer, shop, listing, time, amount, address, device, ip, review \
                 FROM brushing_evidence WHERE group_id = $1 ORDER BY time, order_id",
                vec![Val::from(id)],
            )
            .await?;
        rows.iter().map(evidence_from_row).collect()
    }

    /// Ids of the groups naming one of these shops.
    pub async fn brushing_groups_of_shops(
        &self,
        shops: &[(OrgId, String)],
    ) -> Result<Vec<Uuid>, StoreError> {
        let mut out = Vec::new();
        for (platform, shop) in shops {
            let rows = self
                .pool
                .fetch(
                    "SELECT group_id FROM brushing_group_shops WHERE platform = $1 AND shop = $2",
                    vec![Val::from(platform.0), Val::from(shop.as_str())],
                )
                .await?;
            for r in &rows {
                if let Some(id) = r.uuid(0)? {
                    out.push(id);
                }
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// The leads naming one of these shops (by the shop ids of `domain::lead`), with the
    /// cases they are linked to.
    pub async fn leads_of_shops(
        &self,
        shops: &[(OrgId, String)],
    ) -> Result<Vec<ShopLead>, StoreError> {
        let mut out = Vec::new();
        for (platform, shop) in shops {
            let sid = wangjian_domain::lead::shop_id_for(*platform, shop);
            let rows = self
                .pool
                .fetch(
                    "SELECT l.id, l.org, l.submitted_by, l.summary, l.status, cl.case_id \
                     FROM leads l LEFT JOIN case_leads cl ON cl.lead_id = l.id \
                     WHERE l.shop = $1 ORDER BY l.received_at, l.id",
                    vec![Val::from(sid.0)],
                )
                .await?;
            for r in &rows {
                let lead = LeadId(r.uuid(0)?.unwrap_or_default());
                let case = r.uuid(5)?;
                if let Some(last) = out.last_mut().filter(|l: &&mut ShopLead| l.lead == lead) {
                    last.cases.extend(case);
                    continue;
                }
                out.push(ShopLead {
                    platform: *platform,
                    shop: shop.clone(),
                    lead,
                    org: OrgId(r.uuid(1)?.unwrap_or_default()),
                    submitted_by: r.uuid(2)?.map(OrgId),
                    summary: r.text(3)?.unwrap_or_default(),
                    status: r.text(4)?.unwrap_or_default(),
                    cases: case.into_iter().collect(),
                });
            }
        }
        Ok(out)
    }
}
