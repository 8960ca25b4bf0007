//! Listing intake: the one path from a captured listing to stored rows and routed leads,
//! for every way listings arrive — `wangjian patrol` and `import listings`, a platform's
//! `POST /api/v1/listings`, the demo, and patrol workers.
//!
//! validate ([`check`]) → scan (the [`ActiveRules`](crate::rules::ActiveRules)) → route
//! ([`wangjian_domain::routing`]) → lead ([`wangjian_domain::lead::Lead::from_scan`], in
//! the store) → store (one transaction per batch) → the ids written, item by item.
//!
//! A lead's id is derived from (receiving agency, snapshot content hash, rule-set version),
//! so the same listing under the same rules is the same lead whichever path brought it, and
//! delivering it again (a re-run, a redelivered message) writes nothing.
//!
//! What a deliverer is told depends only on what it sent and on its own earlier deliveries
//! (its receipts), never on what other sources stored: a platform cannot learn from its
//! push's answer whether a regulator's patrol already holds the same listing.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use wangjian_detect::{Detector, Level, Listing, Shop, Verdict};
use wangjian_domain::org::Organization;
use wangjian_domain::routing::{route_lead, seller_region, RouteBasis, RouteFacts};
use wangjian_domain::{LeadId, ListingId, OrgId, SnapshotId};
use wangjian_store::{BatchOutcome, LeadScan, ListingInput, ScanLead};

use crate::error::AppError;
use crate::App;

/// Why one item was refused: the field at fault and what is wrong. The other items of the
/// batch are processed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// The field (`title`, `shop.id`, `captured_at`, or `listing` for the item as a whole).
    pub field: String,
    /// Why.
    pub message: String,
}

impl Rejection {
    fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Longest value of each text field, in characters: generous bounds that keep one listing
/// from filling the database, never a judgement on what sellers write (a scraped
/// description of tens of thousands of characters passes).
pub const LIMITS: [(&str, usize); 12] = [
    ("id", 200),
    ("platform", 200),
    ("title", 1_000),
    ("description", 100_000),
    ("category", 200),
    ("shop.id", 200),
    ("shop.name", 200),
    ("shop.province", 50),
    ("shop.city", 50),
    ("shop.license_no", 100),
    ("shop.uscc", 30),
    ("ship_from", 500),
];
/// Longest URL, in characters.
pub const MAX_URL: usize = 2_000;
/// A capture time this far ahead of the intake's clock is refused (clocks drift; a
/// listing from tomorrow does not exist yet).
pub const MAX_CLOCK_SKEW: chrono::TimeDelta = chrono::TimeDelta::hours(1);

fn limit(field: &str) -> usize {
    LIMITS
        .iter()
        .find(|(f, _)| *f == field)
        .map_or(usize::MAX, |(_, n)| *n)
}

/// Reads one pushed item (a JSON object in the listing contract) into a listing, naming
/// the field at fault. Unknown fields are ignored (the contract grows).
pub fn listing_from_json(v: &Value) -> Result<Listing, Rejection> {
    fn text(
        o: &serde_json::Map<String, Value>,
        key: &str,
        field: &str,
    ) -> Result<Option<String>, Rejection> {
        match o.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(Rejection::new(field, "must be a string")),
        }
    }
    let o = v
        .as_object()
        .ok_or_else(|| Rejection::new("listing", "must be a JSON object"))?;
    let id = match o.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) if n.is_u64() || n.is_i64() => n.to_string(),
        _ => {
            return Err(Rejection::new(
                "id",
                "required: the platform's listing id (a string or an integer)",
            ))
        }
    };
    let price = match o.get("price") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => n.as_f64(),
        Some(_) => return Err(Rejection::new("price", "must be a number (CNY)")),
    };
    let shop = match o.get("shop") {
        None | Some(Value::Null) => Shop::default(),
        Some(Value::Object(s)) => Shop {
            id: text(s, "id", "shop.id")?,
            name: text(s, "name", "shop.name")?,
            province: text(s, "province", "shop.province")?,
            city: text(s, "city", "shop.city")?,
            license_no: text(s, "license_no", "shop.license_no")?,
            uscc: text(s, "uscc", "shop.uscc")?,
        },
        Some(_) => return Err(Rejection::new("shop", "must be an object")),
    };
    Ok(Listing {
        id,
        platform: text(o, "platform", "platform")?,
        title: text(o, "title", "title")?.unwrap_or_default(),
        description: text(o, "description", "description")?,
        price,
        category: text(o, "category", "category")?,
        shop,
        ship_from: text(o, "ship_from", "ship_from")?,
        url: text(o, "url", "url")?,
        captured_at: text(o, "captured_at", "captured_at")?,
    })
}

/// When a listing was captured: `captured_at` as RFC 3339, or a bare `YYYY-MM-DD` (00:00
/// UTC); `now` when it has none.
pub fn captured_at(s: Option<&str>, now: DateTime<Utc>) -> Result<DateTime<Utc>, Rejection> {
    let s = s.unwrap_or("").trim();
    if s.is_empty() {
        return Ok(now);
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        })
        .ok_or_else(|| {
            Rejection::new(
                "captured_at",
                format!(
                    "{:?} is not an RFC 3339 time or a YYYY-MM-DD date",
                    s.chars().take(60).collect::<String>()
                ),
            )
        })
}

/// The checks every listing passes however it arrives, against the platform it is
/// delivered for and the installation's organizations `orgs`; returns its capture time.
/// The one validator of intake: the patrol, the push API and the workers refuse the same
/// listings for the same reasons.
///
/// A `platform` field naming another organization of the installation (by name, case
/// prefix or id) is refused: a platform pushes only its own listings. One that names none
/// (a display name such as 淘宝 for the organization 淘宝网) is taken as written by the
/// platform it is delivered for.
pub fn check(
    l: &Listing,
    platform: &Organization,
    orgs: &[Organization],
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, Rejection> {
    let texts: [(&str, Option<&str>); 12] = [
        ("id", Some(&l.id)),
        ("platform", l.platform.as_deref()),
        ("title", Some(&l.title)),
        ("description", l.description.as_deref()),
        ("category", l.category.as_deref()),
        ("shop.id", l.shop.id.as_deref()),
        ("shop.name", l.shop.name.as_deref()),
        ("shop.province", l.shop.province.as_deref()),
        ("shop.city", l.shop.city.as_deref()),
        ("shop.license_no", l.shop.license_no.as_deref()),
        ("shop.uscc", l.shop.uscc.as_deref()),
        ("ship_from", l.ship_from.as_deref()),
    ];
    for (field, value) in texts {
        let Some(v) = value else { continue };
        if v.contains('\0') {
            return Err(Rejection::new(field, "contains a NUL character"));
        }
        let max = limit(field);
        if v.chars().count() > max {
            return Err(Rejection::new(field, format!("at most {max} characters")));
        }
    }
    if l.id.trim().is_empty() {
        return Err(Rejection::new(
            "id",
            "required: the platform's listing id (a string or an integer)",
        ));
    }
    if l.title.trim().is_empty() {
        return Err(Rejection::new("title", "required and not empty"));
    }
    if let Some(p) = l
        .platform
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let names = |o: &Organization| p == o.name || p == o.case_prefix || p == o.id.to_string();
        if !names(platform) && orgs.iter().any(names) {
            return Err(Rejection::new(
                "platform",
                format!(
                    "names another organization: {} delivers only its own listings",
                    platform.name
                ),
            ));
        }
    }
    if let Some(p) = l.price {
        if !(p.is_finite() && (0.0..1e12).contains(&p)) {
            return Err(Rejection::new("price", "a number of CNY from 0"));
        }
    }
    if let Some(u) = &l.url {
        if u.chars().count() > MAX_URL {
            return Err(Rejection::new(
                "url",
                format!("at most {MAX_URL} characters"),
            ));
        }
        if u.contains('\0') || !(u.starts_with("https://") || u.starts_with("http://")) {
            return Err(Rejection::new("url", "an http(s) URL"));
        }
    }
    let at = captured_at(l.captured_at.as_deref(), now)?;
    if at > now + MAX_CLOCK_SKEW {
        return Err(Rejection::new("captured_at", "lies in the future"));
    }
    Ok(at)
}

/// Who delivers a batch and what intake makes of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// The organization delivering (a patrolling agency, a pushing platform): it keeps a
    /// receipt of each snapshot, finds the leads (routing's last resort), and is told
    /// what was new to it. `None` for a plain import.
    pub by: Option<OrgId>,
    /// Scan, and keep a lead for listings at this level or above; `None`: store only
    /// (`import listings`).
    pub min_level: Option<Level>,
}

/// The level at or above which a scan hit becomes a lead unless the caller says otherwise
/// (`patrol --min-level`): medium, "worth an officer's look".
pub const LEAD_LEVEL: Level = Level::Medium;

/// One listing to take in: as read, with the platform it comes from (the adapter resolves
/// it: the pushing platform, `--platform`, or the listing's own `platform` field).
#[derive(Debug, Clone)]
pub struct Item {
    /// The caller's index (position in a request, line number of a file).
    pub index: u64,
    /// The listing.
    pub listing: Listing,
    /// The platform organization.
    pub platform: OrgId,
}

/// A lead one item made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoutedLead {
    /// The lead.
    pub id: LeadId,
    /// The agency that received it.
    pub org: OrgId,
    /// Why that agency.
    pub basis: RouteBasis,
    /// The scan's level.
    pub level: Level,
    /// The scan's score.
    pub score: u32,
    /// The one line an officer reads ([`lead_summary`]).
    pub summary: String,
    /// True when this batch stored it (false: it was stored before, by any path).
    pub stored: bool,
}

/// What became of one valid item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The caller's index.
    pub index: u64,
    /// The platform's listing id.
    pub listing_id: String,
    /// The listing.
    pub listing: ListingId,
    /// The snapshot (the listing with this content).
    pub snapshot: SnapshotId,
    /// New to the deliverer: for a delivery `by` an organization, the first time it
    /// delivers this content; for a plain import, a new snapshot.
    pub new: bool,
    /// The lead of its scan, when the scan flagged it and an agency has jurisdiction.
    pub lead: Option<RoutedLead>,
    /// Flagged at the lead level, but no agency of the installation has jurisdiction over
    /// the seller's place, the platform's seat or the finder: the listing is stored, no
    /// lead is made.
    pub unrouted: bool,
}

/// What a batch came to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IntakeReport {
    /// The valid items, in order.
    pub outcomes: Vec<Outcome>,
    /// The refused items with their index, in order; nothing of them was stored.
    pub rejected: Vec<(u64, Rejection)>,
    /// The rule set that scanned the batch (`None` for a plain import).
    pub rule_set_version: Option<String>,
    /// Rows the store added.
    #[serde(skip)]
    pub added: BatchOutcome,
}

/// The one line an officer reads about a scan lead: level, score and up to five reasons.
pub fn lead_summary(v: &Verdict) -> String {
    let reasons: Vec<String> = v
        .reasons
        .iter()
        .take(5)
        .map(|r| format!("{} {}", r.code.as_str(), r.matched))
        .collect();
    format!("{} {}: {}", v.level.as_str(), v.score, reasons.join("; "))
}

/// A checked item, scanned and routed, ready for the store.
struct Prepared {
    index: u64,
    input: ListingInput,
    lead: Option<(RouteBasis, Level, u32)>,
    unrouted: bool,
}

fn prepare(
    item: Item,
    orgs: &[Organization],
    detector: Option<&Detector>,
    delivery: &Delivery,
    now: DateTime<Utc>,
) -> Result<Prepared, (u64, Rejection)> {
    let index = item.index;
    let platform = orgs
        .iter()
        .find(|o| o.id == item.platform)
        .ok_or_else(|| (index, Rejection::new("platform", "unknown platform")))?;
    let at = check(&item.listing, platform, orgs, now).map_err(|r| (index, r))?;
    let l = item.listing;
    let mut lead = None;
    let mut unrouted = false;
    let mut scan_lead = None;
    if let (Some(d), Some(min)) = (detector, delivery.min_level) {
        let verdict = d.scan(&l);
        if verdict.level >= min && verdict.level > Level::None {
            let region = seller_region(
                l.shop.province.as_deref(),
                l.shop.city.as_deref(),
                l.ship_from.as_deref(),
            );
            let route = route_lead(
                orgs,
                RouteFacts {
                    seller_region: region.as_ref(),
                    finder: delivery.by,
                    platform_region: Some(&platform.region),
                },
            );
            match route {
                Some(route) => {
                    let region = region.unwrap_or_else(|| platform.region.clone());
                    lead = Some((route.basis, verdict.level, verdict.score));
                    scan_lead = Some(ScanLead {
                        org: route.org,
                        rule_set_version: d.ruleset_version().to_string(),
                        summary: lead_summary(&verdict),
                        scan: Some(LeadScan::new(&l, &verdict, Some(region.to_string()))),
                    });
                }
                None => unrouted = true,
            }
        }
    }
    Ok(Prepared {
        index,
        input: ListingInput::from_listing(l, platform.id, at, scan_lead),
        lead,
        unrouted,
    })
}

impl App {
    /// Takes in a batch of listings: checks each, scans and routes the valid ones, stores
    /// them with their leads in one transaction, and tells item by item what was written.
    /// A refused item is reported with its index and field; the others are stored.
    pub async fn intake(
        &self,
        delivery: Delivery,
        items: Vec<Item>,
        now: DateTime<Utc>,
    ) -> Result<IntakeReport, AppError> {
        let store = self.store();
        let orgs = store.organizations().await?;
        let detector = match delivery.min_level {
            Some(_) => Some(self.rules().detector(store).await?),
            None => None,
        };
        let rule_set_version = detector.as_ref().map(|d| d.ruleset_version().to_string());
        // Check, scan and route off the async threads, on every core; items keep their
        // order.
        let prepared = tokio::task::spawn_blocking(move || {
            use rayon::prelude::*;
            items
                .into_par_iter()
                .map(|item| prepare(item, &orgs, detector.as_deref(), &delivery, now))
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| AppError::Unavailable(format!("intake worker: {e}")))?;
        let mut ok = Vec::with_capacity(prepared.len());
        let mut rejected = Vec::new();
        for p in prepared {
            match p {
                Ok(p) => ok.push(p),
                Err(r) => rejected.push(r),
            }
        }
        let inputs: Vec<ListingInput> = ok.iter().map(|p| p.input.clone()).collect();
        let written = store.store_listings(&inputs, delivery.by).await?;
        let new_leads: std::collections::HashSet<(usize, LeadId)> =
            written.new_leads.iter().copied().collect();
        let outcomes = ok
            .into_iter()
            .enumerate()
            .map(|(i, p)| Outcome {
                index: p.index,
                listing_id: p.input.content.platform_listing_id.clone(),
                listing: written.listings[i],
                snapshot: written.snapshots[i],
                new: if delivery.by.is_some() {
                    written.new_receipt[i]
                } else {
                    written.new_snapshot[i]
                },
                lead: match (p.lead, written.leads[i], &p.input.lead) {
                    (Some((basis, level, score)), Some(id), Some(scan)) => Some(RoutedLead {
                        id,
                        org: scan.org,
                        basis,
                        level,
                        score,
                        summary: scan.summary.clone(),
                        stored: new_leads.contains(&(i, id)),
                    }),
                    _ => None,
                },
                unrouted: p.unrouted,
            })
            .collect();
        Ok(IntakeReport {
            outcomes,
            rejected,
            rule_set_version,
            added: written.added,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use wangjian_domain::org::{AdminLevel, AgencyType, OrgKind};
    use wangjian_domain::RegionCode;

    fn org(n: u128, name: &str, prefix: &str, kind: OrgKind) -> Organization {
        Organization::new(
            OrgId::from_u128(n),
            name,
            prefix,
            kind,
            RegionCode::parse("330100").unwrap(),
        )
        .unwrap()
    }

    fn world() -> Vec<Organization> {
        vec![
            org(1, "甲电商平台", "PLATA", OrgKind::Platform),
            org(2, "乙电商平台", "PLATB", OrgKind::Platform),
            org(
                3,
                "杭州市市场监督管理局",
                "杭市监",
                OrgKind::Agency {
                    agency_type: AgencyType::MarketRegulation,
                    level: AdminLevel::City,
                },
            ),
        ]
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-03T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    /// The field a JSON item is refused for, by the reader or the checks.
    fn refused(v: serde_json::Value) -> String {
        let w = world();
        match listing_from_json(&v) {
            Err(r) => r.field,
            Ok(l) => check(&l, &w[0], &w, now()).unwrap_err().field,
        }
    }

    #[test]
    fn items_are_checked_field_by_field() {
        let w = world();
        let ok = json!({"id": 7, "title": "耐克", "captured_at": "2026-03-02T01:00:00Z"});
        let l = listing_from_json(&ok).unwrap();
        assert_eq!(l.id, "7");
        assert!(check(&l, &w[0], &w, now()).is_ok());
        assert_eq!(refused(json!([])), "listing");
        assert_eq!(refused(json!({"title": "x"})), "id");
        assert_eq!(refused(json!({"id": 1.5, "title": "x"})), "id");
        assert_eq!(refused(json!({"id": " ", "title": "x"})), "id");
        assert_eq!(refused(json!({"id": "1", "title": " "})), "title");
        assert_eq!(refused(json!({"id": "1"})), "title");
        assert_eq!(
            refused(json!({"id": "1", "title": "x", "captured_at": "yesterday"})),
            "captured_at"
        );
        assert_eq!(
            refused(json!({"id": "1", "title": "x", "captured_at": "2027-01-01T00:00:00Z"})),
            "captured_at",
            "from the future"
        );
        assert_eq!(
            refused(json!({"id": "1", "title": "x", "price": -1})),
            "price"
        );
        assert_eq!(
            refused(json!({"id": "1", "title": "x", "price": "9"})),
            "price"
        );
        assert_eq!(
            refused(json!({"id": "1", "title": "x", "shop": {"id": 5}})),
            "shop.id"
        );
        assert_eq!(
            refused(json!({"id": "1", "title": "x", "shop": "s"})),
            "shop"
        );
        assert_eq!(
            refused(json!({"id": "1", "title": "x", "url": "javascript:alert(1)"})),
            "url"
        );
        assert_eq!(refused(json!({"id": "1", "title": "a\u{0}b"})), "title");
        assert_eq!(
            refused(json!({"id": "1", "title": "x".repeat(1001)})),
            "title",
            "a thousand characters at most"
        );
        // Another organization of the installation: refused; a display name: kept.
        assert_eq!(
            refused(json!({"id": "1", "title": "x", "platform": "乙电商平台"})),
            "platform"
        );
        assert_eq!(
            refused(json!({"id": "1", "title": "x", "platform": "杭市监"})),
            "platform"
        );
        for own in ["甲电商平台", "PLATA", "甲电商", "Taobao"] {
            let l = listing_from_json(&json!({"id": "1", "title": "x", "platform": own})).unwrap();
            assert!(check(&l, &w[0], &w, now()).is_ok(), "{own}");
        }
    }

    #[test]
    fn a_long_scraped_description_is_kept() {
        let w = world();
        let l = listing_from_json(
            &json!({"id": "1", "title": "x", "description": "详".repeat(60_000)}),
        )
        .unwrap();
        assert!(check(&l, &w[0], &w, now()).is_ok());
    }

    #[test]
    fn capture_times_as_written() {
        let t = |s| captured_at(Some(s), now()).unwrap().to_rfc3339();
        assert_eq!(t("2026-03-02T09:00:00+08:00"), "2026-03-02T01:00:00+00:00");
        assert_eq!(t("2026-03-02"), "2026-03-02T00:00:00+00:00");
        assert_eq!(t(" "), now().to_rfc3339(), "absent: the intake's now");
        assert_eq!(captured_at(None, now()).unwrap(), now());
        assert!(captured_at(Some("2026-13-01"), now()).is_err());
    }

    #[test]
    fn the_summary_names_level_score_and_five_reasons() {
        let v = wangjian_detect::Verdict {
            listing_id: "L".into(),
            score: 80,
            level: Level::High,
            reasons: (0..7)
                .map(|i| wangjian_detect::Reason {
                    code: wangjian_detect::Code::CounterfeitTerm,
                    field: wangjian_detect::Field::Title,
                    start: 0,
                    end: 2,
                    matched: format!("词{i}"),
                    rule: format!("cf-{i}"),
                    detail: String::new(),
                    weight: 10,
                    owner: None,
                    alternatives: vec![],
                })
                .collect(),
        };
        let s = lead_summary(&v);
        assert!(s.starts_with("high 80: counterfeit_term 词0; "), "{s}");
        assert!(s.contains("词4") && !s.contains("词5"), "{s}");
    }
}
