//! `POST /api/v1/listings`: platforms push listings, up to 10 000 per request, through the
//! one intake path (`wangjian_app::intake`: the same checks, rule set, routing and leads
//! as `wangjian patrol` and patrol workers). Each item is checked on its own (a refusal
//! names its index and field); the good ones are scanned and stored with their leads in
//! one transaction. Idempotent: a listing pushed again with the same content (whatever its
//! `captured_at`) is a duplicate, and its lead is not made twice.
//!
//! Where a lead goes is `wangjian_domain::routing`: the market regulator of the seller's
//! place, else of the platform's seat. Who may push is the policy's `may_push_listings`:
//! operators of a platform, for that platform only.
//!
//! The answer depends only on what the request holds and on what this platform pushed
//! before: an item is new to the platform the first time it pushes that content, and its
//! lead is reported then — whether or not a regulator's patrol already stored the same
//! listing (the platform must not learn what the patrol holds).

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use wangjian_app::intake::{listing_from_json, Delivery, Item, LEAD_LEVEL};
use wangjian_app::policy::may_push_listings;

use crate::auth::token::TokenScope;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::state::AppState;
use crate::web::caller::Caller;

/// Most listings in one request.
pub const MAX_LISTINGS: usize = 10_000;
/// Largest body of this route (10 000 listings of about 6 KiB each).
pub const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// What a push stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct IngestReport {
    /// Items in the request.
    pub received: usize,
    /// Valid items new to this platform (it never pushed this listing with this content).
    pub accepted: usize,
    /// Valid items this platform pushed before with the same content (nothing written).
    pub duplicates: usize,
    /// Leads the scan made of the accepted items.
    pub leads_created: usize,
    /// The leads, by item.
    pub leads: Vec<IngestLead>,
    /// Items refused, each with its index, field and reason; the others were stored.
    pub rejected: Vec<Rejection>,
    /// The rule-set version that scanned the push (every lead records it).
    pub rule_set_version: Option<String>,
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

/// The whole body of a push.
#[derive(Debug, serde::Deserialize, ToSchema)]
pub struct IngestRequest {
    /// Listings as in the scan contract: `id`, `title` (required), `captured_at` (RFC
    /// 3339 or YYYY-MM-DD; the time of the push when absent), `description`, `price`,
    /// `category`, `shop` {`id`, `name`, `province`, `city`, `license_no`, `uscc`},
    /// `ship_from`, `url`; `platform`, when given, must name the caller's platform.
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
    let platform = caller.member()?.actor.org;
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
    let received = req.listings.len();
    let mut items = Vec::with_capacity(received);
    let mut rejected = Vec::new();
    for (index, v) in req.listings.iter().enumerate() {
        match listing_from_json(v) {
            Ok(listing) => items.push(Item {
                index: index as u64,
                listing,
                platform,
            }),
            Err(r) => rejected.push(Rejection {
                index,
                field: r.field,
                message: r.message,
            }),
        }
    }
    let report = state
        .app()?
        .intake(
            Delivery {
                by: Some(platform),
                min_level: Some(LEAD_LEVEL),
            },
            items,
            Utc::now(),
        )
        .await?;
    rejected.extend(report.rejected.into_iter().map(|(i, r)| Rejection {
        index: i as usize,
        field: r.field,
        message: r.message,
    }));
    rejected.sort_by_key(|r| r.index);
    let accepted = report.outcomes.iter().filter(|o| o.new).count();
    let leads: Vec<IngestLead> = report
        .outcomes
        .iter()
        .filter(|o| o.new)
        .filter_map(|o| {
            o.lead.as_ref().map(|l| IngestLead {
                index: o.index as usize,
                listing_id: o.listing_id.clone(),
                lead: l.id.0,
                level: l.level.as_str().to_string(),
            })
        })
        .collect();
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
        duplicates: report.outcomes.len() - accepted,
        leads_created: leads.len(),
        leads,
        rejected,
        rule_set_version: report.rule_set_version,
    }))
}
