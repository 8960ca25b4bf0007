//! Platform self-inspection (自查自纠, seed 003 二): what a platform does to its own shops
//! on its own initiative — a warning, an order to rectify by a date, delisting goods,
//! closing the shop — each with the reason and the listings concerned. These records
//! feed the platform's weekly figures (附件1) and the share of removals a platform finds
//! itself.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::audit::{Change, Context, Events, IdSupply, ObjectType, OutOfIds, Recorder};
use crate::id::{ListingId, OrgId, UserId};

/// Most listings on one record.
pub const MAX_LISTINGS: usize = 1000;

/// Stable id of a self-inspection record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InspectionId(pub Uuid);

impl std::fmt::Display for InspectionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What the platform did to the shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShopAction {
    /// 警示 / 约谈.
    Warning,
    /// 责令限期整改 (by `rectify_by`).
    Rectify,
    /// 下架商品.
    Delist,
    /// 关闭店铺.
    CloseShop,
}

impl ShopAction {
    /// Every action.
    pub const ALL: [ShopAction; 4] = [Self::Warning, Self::Rectify, Self::Delist, Self::CloseShop];

    /// Code name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Warning => "warning",
            Self::Rectify => "rectify",
            Self::Delist => "delist",
            Self::CloseShop => "close_shop",
        }
    }

    /// What the UI shows.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Warning => "警示",
            Self::Rectify => "限期整改",
            Self::Delist => "下架商品",
            Self::CloseShop => "关闭店铺",
        }
    }

    /// Parses a code name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// One action of a platform on one of its shops. Table `self_inspections`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfInspection {
    /// Stable id.
    pub id: InspectionId,
    /// The platform.
    pub platform: OrgId,
    /// The platform's id of the shop.
    pub shop: String,
    /// What it did.
    pub action: ShopAction,
    /// Why (the rule broken, what was found).
    pub reason: String,
    /// The listings concerned (delisted, for `delist` and `close_shop`).
    pub listings: Vec<ListingId>,
    /// The date by which the shop must rectify (`rectify`).
    pub rectify_by: Option<NaiveDate>,
    /// Whether the platform passed the matter to a regulator as a lead (线索移交).
    pub referred: bool,
    /// Who recorded it.
    pub recorded_by: UserId,
    /// When the platform took the action.
    pub at: DateTime<Utc>,
    /// Optimistic concurrency version.
    pub version: i64,
}

/// What a platform records.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InspectionInput {
    /// The platform's shop id.
    pub shop: String,
    /// `warning`, `rectify`, `delist` or `close_shop`.
    pub action: String,
    /// Why.
    pub reason: String,
    /// The listings concerned.
    #[serde(default)]
    pub listings: Vec<ListingId>,
    /// `rectify`: the date.
    #[serde(default)]
    pub rectify_by: Option<NaiveDate>,
    /// Passed to a regulator.
    #[serde(default)]
    pub referred: bool,
}

/// Why a record was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InspectionError {
    /// A field is missing or invalid.
    #[error("{field}: {message}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The context had too few fresh ids.
    #[error(transparent)]
    OutOfIds(#[from] OutOfIds),
}

fn invalid(field: &'static str, message: impl Into<String>) -> InspectionError {
    InspectionError::Invalid {
        field,
        message: message.into(),
    }
}

/// Records one action of `platform` on its shop, taken now. A `rectify` needs a date
/// after today; `delist` and `close_shop` name the listings taken down. Uses two fresh ids.
pub fn record(
    input: &InspectionInput,
    platform: OrgId,
    actor: UserId,
    ctx: &Context,
) -> Result<Change<SelfInspection>, InspectionError> {
    let action = ShopAction::parse(input.action.trim())
        .ok_or_else(|| invalid("action", "warning, rectify, delist or close_shop"))?;
    let shop = input.shop.trim();
    if shop.is_empty() || shop.chars().count() > 200 || shop.chars().any(char::is_control) {
        return Err(invalid(
            "shop",
            "the platform's shop id, 1 to 200 characters",
        ));
    }
    let reason = input.reason.trim();
    let n = reason.chars().count();
    if !(4..=2000).contains(&n) {
        return Err(invalid("reason", "4 to 2000 characters"));
    }
    let today = wangjian_calendar::shanghai_date(ctx.now);
    match (action, input.rectify_by) {
        (ShopAction::Rectify, None) => {
            return Err(invalid("rectify_by", "an order to rectify names the date"))
        }
        (ShopAction::Rectify, Some(d)) if d <= today => {
            return Err(invalid(
                "rectify_by",
                format!("a date after today ({today})"),
            ))
        }
        (ShopAction::Rectify, _) => {}
        (_, Some(_)) => return Err(invalid("rectify_by", "only an order to rectify has a date")),
        _ => {}
    }
    if matches!(action, ShopAction::Delist) && input.listings.is_empty() {
        return Err(invalid(
            "listings",
            "delisting names the listings taken down",
        ));
    }
    if input.listings.len() > MAX_LISTINGS {
        return Err(invalid(
            "listings",
            format!("at most {MAX_LISTINGS} listings"),
        ));
    }
    let mut listings = input.listings.clone();
    listings.sort();
    listings.dedup();
    let mut ids = IdSupply::new(ctx);
    let rec = SelfInspection {
        id: InspectionId(ids.next()?),
        platform,
        shop: shop.to_string(),
        action,
        reason: reason.to_string(),
        listings,
        rectify_by: input.rectify_by,
        referred: input.referred,
        recorded_by: actor,
        at: ctx.now,
        version: 1,
    };
    let ev = Recorder {
        ctx,
        actor,
        actor_org: platform,
        root_case: None,
    }
    .event(
        &mut ids,
        "self_inspection.record",
        ObjectType::SelfInspection,
        rec.id.0,
        None,
        &rec,
    )?;
    Ok(Change::new(
        rec,
        Events::new(vec![ev]).unwrap_or_else(|| unreachable!()),
    ))
}
