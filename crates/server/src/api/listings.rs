//! `POST /api/v1/listings`: platforms push listings, up to 10 000 per request. Each item
//! is validated on its own (a refusal names its index and field); the good ones are
//! scanned on arrival with the installation's rule set (the embedded default pack and the
//! marks in the store) and stored with their leads in one transaction. Idempotent: a
//! listing pushed again with the same content (whatever its `captured_at`) is a
//! duplicate, and its lead is not made twice.
//!
//! Where a lead goes: to the market-regulation agency with the most specific
//! jurisdiction over the seller's region (the shop's province and city, else the
//! ship-from address), else over the platform's own region (the regulator of the
//! platform's seat, 电子商务法 第六条). Who may push is the policy's
//! [`may_push_listings`]: operators of a platform, for that platform only.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use wangjian_detect::{Detector, Level, Listing, RulePack, Shop};
use wangjian_domain::org::{AgencyType, OrgKind, Organization};
use wangjian_domain::{OrgId, RegionCode};
use wangjian_store::{ListingInput, ScanLead, Store};

use crate::api::cases::store;
use crate::auth::token::TokenScope;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::policy::may_push_listings;
use crate::state::AppState;
use crate::web::caller::Caller;

/// Most listings in one request.
pub const MAX_LISTINGS: usize = 10_000;
/// Largest body of this route (10 000 listings of about 6 KiB each).
pub const BODY_LIMIT: usize = 64 * 1024 * 1024;
/// How long a built detector serves before the marks are read again.
const DETECTOR_TTL: Duration = Duration::from_secs(60);
/// The lowest level that becomes a lead (as `wangjian patrol`'s default).
const LEAD_LEVEL: Level = Level::Medium;

/// The scan engine of the installation, rebuilt from the store's marks at most once a
/// minute (a mark added in the store takes effect within a minute).
#[derive(Debug, Default)]
pub struct Scanner {
    cached: tokio::sync::Mutex<Option<(Instant, Arc<Detector>)>>,
}

impl Scanner {
    /// The current detector, building it when missing or stale.
    pub async fn detector(&self, store: &Store) -> Result<Arc<Detector>, ApiError> {
        let mut cached = self.cached.lock().await;
        if let Some((at, d)) = cached.as_ref() {
            if at.elapsed() < DETECTOR_TTL {
                return Ok(d.clone());
            }
        }
        let marks = store.marks().await?;
        let built = tokio::task::spawn_blocking(move || {
            let pack = RulePack::embedded().map_err(|e| e.to_string())?;
            Detector::build(pack, marks).map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| ApiError::internal(&e))?
        .map_err(|e| ApiError::internal(&format!("building the rule set: {e}")))?;
        let d = Arc::new(built);
        *cached = Some((Instant::now(), d.clone()));
        Ok(d)
    }
}

/// What a push stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct IngestReport {
    /// Items in the request.
    pub received: usize,
    /// Items stored as new snapshots (new listings, or changed content).
    pub accepted: usize,
    /// Valid items already stored with the same content (nothing written).
    pub duplicates: usize,
    /// Leads the scan made of the accepted items.
    pub leads_created: usize,
    /// The leads, by item.
    pub leads: Vec<IngestLead>,
    /// Items refused, each with its index, field and reason; the others were stored.
    pub rejected: Vec<Rejection>,
}

/// A lead made from an item.
#[derive(Debug, Serialize, ToSchema)]
pub struct IngestLead {
    /// Index of the item.
    pub index: usize,
    /// The platform's listing id.
    pub listing_id: String,
    /// The lead.
    pub lead: uuid::Uuid,
    /// Its level.
    pub level: String,
}

/// One refused item.
#[derive(Debug, Serialize, ToSchema)]
pub struct Rejection {
    /// Index in `listings`.
    pub index: usize,
    /// The field at fault (`title`, `shop.id`, `captured_at`, …).
    pub field: String,
    /// Why.
    pub message: String,
}

type ItemResult = Result<(Listing, DateTime<Utc>), (&'static str, String)>;

fn text(
    o: &serde_json::Map<String, Value>,
    k: &'static str,
    max: usize,
) -> Result<Option<String>, (&'static str, String)> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            if s.chars().count() > max {
                Err((k, format!("at most {max} characters")))
            } else if s.chars().any(|c| c == '\0') {
                Err((k, "contains a NUL character".into()))
            } else {
                Ok(Some(s.clone()))
            }
        }
        Some(_) => Err((k, "must be a string".into())),
    }
}

/// Reads and checks one item. Unknown fields are ignored (the listing contract).
fn item(v: &Value, platform: &Organization, now: DateTime<Utc>) -> ItemResult {
    let o = v
        .as_object()
        .ok_or(("listing", "must be a JSON object".to_string()))?;
    let id = match o.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= 200 => {
            s.trim().to_string()
        }
        Some(Value::Number(n)) if n.is_u64() || n.is_i64() => n.to_string(),
        Some(Value::String(s)) if !s.trim().is_empty() => {
            return Err(("id", "at most 200 characters".into()))
        }
        _ => return Err(("id", "required: the platform's listing id".into())),
    };
    let title = text(o, "title", 1_000)?
        .filter(|t| !t.trim().is_empty())
        .ok_or(("title", "required and not empty".to_string()))?;
    if let Some(p) = text(o, "platform", 200)? {
        let p = p.trim();
        if !p.is_empty() && p != platform.name && p != platform.id.to_string() {
            return Err((
                "platform",
                format!("a token of {} pushes only its own listings", platform.name),
            ));
        }
    }
    let price = match o.get("price") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_f64() {
            Some(p) if p.is_finite() && (0.0..1e12).contains(&p) => Some(p),
            _ => return Err(("price", "a number of CNY from 0".into())),
        },
        Some(_) => return Err(("price", "must be a number (CNY)".into())),
    };
    let url = text(o, "url", 2_000)?;
    if let Some(u) = &url {
        if !(u.starts_with("https://") || u.starts_with("http://")) {
            return Err(("url", "an http(s) URL".into()));
        }
    }
    let captured = text(o, "captured_at", 40)?.ok_or((
        "captured_at",
        "required (RFC 3339): part of the idempotency key".to_string(),
    ))?;
    let captured_at = DateTime::parse_from_rfc3339(captured.trim())
        .map_err(|_| {
            (
                "captured_at",
                format!("{captured:?} is not an RFC 3339 time"),
            )
        })?
        .with_timezone(&Utc);
    if captured_at > now + chrono::Duration::hours(1) {
        return Err(("captured_at", "lies in the future".into()));
    }
    let shop = match o.get("shop") {
        None | Some(Value::Null) => Shop::default(),
        Some(Value::Object(s)) => {
            let f = |k: &'static str, field: &'static str, max| {
                text(s, k, max).map_err(|(_, m)| (field, m))
            };
            Shop {
                id: f("id", "shop.id", 200)?,
                name: f("name", "shop.name", 200)?,
                province: f("province", "shop.province", 50)?,
                city: f("city", "shop.city", 50)?,
                license_no: f("license_no", "shop.license_no", 100)?,
                uscc: f("uscc", "shop.uscc", 30)?,
            }
        }
        Some(_) => return Err(("shop", "must be an object".into())),
    };
    Ok((
        Listing {
            id,
            platform: Some(platform.name.clone()),
            title,
            description: text(o, "description", 20_000)?,
            price,
            category: text(o, "category", 200)?,
            shop,
            ship_from: text(o, "ship_from", 500)?,
            url,
            captured_at: Some(captured),
        },
        captured_at,
    ))
}

/// The seller's region: the shop's province and city, else the ship-from address.
fn seller_region(l: &Listing) -> Option<RegionCode> {
    let shop = format!(
        "{}{}",
        l.shop.province.as_deref().unwrap_or(""),
        l.shop.city.as_deref().unwrap_or("")
    );
    let found = [Some(shop.as_str()), l.ship_from.as_deref()]
        .into_iter()
        .flatten()
        .filter(|t| !t.is_empty())
        .find_map(wangjian_region::find_in_address);
    found.and_then(|m| RegionCode::parse(&m.region.code_str()).ok())
}

/// The market-regulation agency with the most specific jurisdiction over `region`.
fn agency_for(agencies: &[Organization], region: &RegionCode) -> Option<OrgId> {
    agencies
        .iter()
        .filter(|o| o.region.contains(region))
        .max_by_key(|o| o.region.prefix().len())
        .map(|o| o.id)
}

/// The whole body of a push.
#[derive(Debug, serde::Deserialize, ToSchema)]
pub struct IngestRequest {
    /// Listings as in the scan contract: `id`, `title` (required), `captured_at` (RFC
    /// 3339, required here), `description`, `price`, `category`, `shop` {`id`, `name`,
    /// `province`, `city`, `license_no`, `uscc`}, `ship_from`, `url`; `platform`, when
    /// given, must name the caller's platform.
    #[schema(value_type = Vec<Object>)]
    pub listings: Vec<Value>,
}

/// Pushes listings (platforms).
#[utoipa::path(post, path = "/listings", tag = "listings",
    request_body = IngestRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Stored; refused items are listed with index and field", body = IngestReport),
        (status = 400, description = "`malformed_json`, or `invalid_input` naming `listings`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden` for anyone but a platform's operators; `insufficient_scope` without `ingest`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: more than 10 000 listings, or a body over 64 MiB", body = ErrorBody)))]
pub async fn ingest(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<IngestRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<IngestReport>, ApiError> {
    caller.require_scope(TokenScope::Ingest)?;
    may_push_listings(&caller.principal).into_result()?;
    let member = caller.member()?.clone();
    let Json(req) = body?;
    if req.listings.len() > MAX_LISTINGS {
        return Err(ApiError {
            field: Some(format!("listings[{MAX_LISTINGS}]")),
            ..ApiError::with_message(
                ErrorCode::PayloadTooLarge,
                format!(
                    "{} listings: at most {MAX_LISTINGS} per request; item {MAX_LISTINGS} and after were not read",
                    req.listings.len()
                ),
            )
        });
    }
    let store = store(&state)?.clone();
    let orgs = store.organizations().await?;
    let platform = orgs
        .iter()
        .find(|o| o.id == member.actor.org)
        .cloned()
        .ok_or_else(ApiError::not_found)?;
    let agencies: Vec<Organization> = orgs
        .into_iter()
        .filter(|o| {
            matches!(
                o.kind,
                OrgKind::Agency {
                    agency_type: AgencyType::MarketRegulation,
                    ..
                }
            )
        })
        .collect();
    let detector = state.scanner().detector(&store).await?;
    let received = req.listings.len();
    let now = Utc::now();
    // Validate, scan and route off the async threads, on every core: 10 000 listings is
    // CPU work. Items keep their order.
    let (inputs, index_of, rejected) = tokio::task::spawn_blocking(move || {
        use rayon::prelude::*;
        let fallback = agency_for(&agencies, &platform.region);
        let items: Vec<Result<ListingInput, Rejection>> = req
            .listings
            .par_iter()
            .enumerate()
            .map(|(index, v)| {
                let (listing, captured_at) =
                    item(v, &platform, now).map_err(|(field, message)| Rejection {
                        index,
                        field: field.to_string(),
                        message,
                    })?;
                let verdict = detector.scan(&listing);
                let lead = if verdict.level >= LEAD_LEVEL {
                    let region = seller_region(&listing);
                    let org = region
                        .as_ref()
                        .and_then(|r| agency_for(&agencies, r))
                        .or(fallback);
                    org.map(|org| {
                        ScanLead::from_scan(
                            org,
                            detector.ruleset_version(),
                            &listing,
                            &verdict,
                            Some(
                                region
                                    .unwrap_or_else(|| platform.region.clone())
                                    .to_string(),
                            ),
                        )
                    })
                } else {
                    None
                };
                Ok(ListingInput::from_listing(
                    listing,
                    platform.id,
                    captured_at,
                    lead,
                ))
            })
            .collect();
        let mut inputs = Vec::with_capacity(received);
        let mut index_of = Vec::with_capacity(received);
        let mut rejected = Vec::new();
        for (index, r) in items.into_iter().enumerate() {
            match r {
                Ok(input) => {
                    inputs.push(input);
                    index_of.push(index);
                }
                Err(rejection) => rejected.push(rejection),
            }
        }
        (inputs, index_of, rejected)
    })
    .await
    .map_err(|e| ApiError::internal(&e))?;
    let out = store.ingest_listings(member.actor.org, &inputs).await?;
    let leads: Vec<IngestLead> = out
        .new_leads
        .iter()
        .map(|&(i, id)| {
            let input = &inputs[i];
            IngestLead {
                index: index_of[i],
                listing_id: input.content.platform_listing_id.clone(),
                lead: id.0,
                level: input
                    .lead
                    .as_ref()
                    .and_then(|l| l.scan.as_ref())
                    .map(|s| s.verdict.level.as_str().to_string())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let accepted = out.new_snapshot.iter().filter(|n| **n).count();
    tracing::info!(
        received,
        accepted,
        leads = leads.len(),
        rejected = rejected.len(),
        "listings pushed"
    );
    Ok(Json(IngestReport {
        received,
        accepted,
        duplicates: inputs.len() - accepted,
        leads_created: leads.len(),
        leads,
        rejected,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform() -> Organization {
        Organization::new(
            OrgId::from_u128(1),
            "甲电商平台",
            "PLATA",
            OrgKind::Platform,
            RegionCode::parse("330100").unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn items_are_checked_field_by_field() {
        let now = Utc::now();
        let p = platform();
        let bad = |v: Value| item(&v, &p, now).unwrap_err().0;
        let ok =
            serde_json::json!({"id": 7, "title": "耐克", "captured_at": "2026-03-02T01:00:00Z"});
        assert_eq!(item(&ok, &p, now).unwrap().0.id, "7");
        assert_eq!(bad(serde_json::json!([])), "listing");
        assert_eq!(
            bad(serde_json::json!({"title": "x", "captured_at": "2026-03-02T01:00:00Z"})),
            "id"
        );
        assert_eq!(
            bad(
                serde_json::json!({"id": "1", "title": " ", "captured_at": "2026-03-02T01:00:00Z"})
            ),
            "title"
        );
        assert_eq!(
            bad(serde_json::json!({"id": "1", "title": "x"})),
            "captured_at"
        );
        assert_eq!(
            bad(serde_json::json!({"id": "1", "title": "x", "captured_at": "yesterday"})),
            "captured_at"
        );
        assert_eq!(
            bad(
                serde_json::json!({"id": "1", "title": "x", "captured_at": "2026-03-02T01:00:00Z", "price": -1})
            ),
            "price"
        );
        assert_eq!(
            bad(
                serde_json::json!({"id": "1", "title": "x", "captured_at": "2026-03-02T01:00:00Z", "shop": {"id": 5}})
            ),
            "shop.id"
        );
        assert_eq!(
            bad(
                serde_json::json!({"id": "1", "title": "x", "captured_at": "2026-03-02T01:00:00Z", "url": "javascript:alert(1)"})
            ),
            "url"
        );
        assert_eq!(
            bad(
                serde_json::json!({"id": "1", "title": "x", "captured_at": "2026-03-02T01:00:00Z", "platform": "乙电商平台"})
            ),
            "platform"
        );
    }

    #[test]
    fn leads_go_to_the_most_specific_agency() {
        let mk = |n: u128, region: &str| {
            Organization::new(
                OrgId::from_u128(n),
                &format!("a{n}"),
                &format!("A{n}"),
                OrgKind::Agency {
                    agency_type: AgencyType::MarketRegulation,
                    level: wangjian_domain::org::AdminLevel::City,
                },
                RegionCode::parse(region).unwrap(),
            )
            .unwrap()
        };
        let agencies = [mk(1, "330000"), mk(2, "330100"), mk(3, "320100")];
        let r = |s: &str| RegionCode::parse(s).unwrap();
        assert_eq!(
            agency_for(&agencies, &r("330106")),
            Some(OrgId::from_u128(2))
        );
        assert_eq!(
            agency_for(&agencies, &r("330203")),
            Some(OrgId::from_u128(1))
        );
        assert_eq!(agency_for(&agencies, &r("440100")), None);
        let l = Listing {
            ship_from: Some("浙江省杭州市西湖区文三路".into()),
            ..Listing::default()
        };
        assert_eq!(seller_region(&l).unwrap().as_str(), "330106");
    }
}
