//! Which agency receives a lead found on a listing (管辖), decided once, here, for every
//! way a listing arrives: a patrol, a platform's push, an import, a patrol worker.
//!
//! # The rule
//!
//! 《市场监督管理行政处罚程序规定》(国家市场监督管理总局令第2号, 2018; revised 2021 and
//! 2022) 第九条: the violations of an operator **on** a platform (平台内经营者) fall to the
//! market regulator of the place where it actually operates (实际经营地); the regulator of
//! the platform's seat (平台经营者住所地) may also take a lead it found first or received
//! by complaint. So, in this order:
//!
//! 1. **The seller's place** ([`seller_region`]): the market-regulation agency with the
//!    most specific jurisdiction over it. The place is the shop's location as the platform
//!    shows it (province and city, from the platform's real-name check of the operator,
//!    电子商务法 第二十七条), else the ship-from address (where the goods leave: evidence
//!    of the actual place of business when the shop shows none).
//! 2. **The platform's seat**: the market-regulation agency with the most specific
//!    jurisdiction over the platform's registered region. It can make the platform name
//!    the seller (电子商务法 第二十八条) and pass the lead on.
//! 3. **The finder**, when the finder is itself a market-regulation agency (a patrol) and
//!    no agency of the installation has jurisdiction by 1 or 2: it found the lead first
//!    (先行发现) and keeps it rather than lose it.
//! 4. Otherwise no agency in the installation has jurisdiction: the lead is not routed,
//!    and the intake says so (it is never dropped silently).
//!
//! So a listing goes to the same agency whoever delivers it (a patrol, the platform's own
//! push, a patrol worker), unless nobody has jurisdiction over it.
//!
//! Whoever found or delivered the lead keeps a receipt of it (the store's listing
//! receipts), so a patrolling agency still sees the leads it routed to another region.
//!
//! The origin of **goods** (a geographical indication's check, `wangjian-detect`) is a
//! different question, answered from the ship-from address first: where goods come from
//! is not where their seller is registered.

use serde::{Deserialize, Serialize};

use crate::org::{AgencyType, OrgKind, Organization, RegionCode};
use crate::OrgId;

/// Why a lead went where it went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteBasis {
    /// The regulator of the seller's place (实际经营地).
    SellerPlace,
    /// The regulator of the platform's seat (平台住所地).
    PlatformSeat,
    /// The patrolling agency that found it (先行发现), no other having jurisdiction.
    Finder,
}

impl RouteBasis {
    /// Code name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SellerPlace => "seller_place",
            Self::Finder => "finder",
            Self::PlatformSeat => "platform_seat",
        }
    }

    /// The Chinese label for the UI.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::SellerPlace => "经营者实际经营地",
            Self::Finder => "先行发现",
            Self::PlatformSeat => "平台住所地",
        }
    }
}

/// Where a lead goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The receiving agency.
    pub org: OrgId,
    /// Why.
    pub basis: RouteBasis,
}

/// What routing needs to know about the listing and who found it.
#[derive(Debug, Clone, Copy, Default)]
pub struct RouteFacts<'a> {
    /// The seller's region ([`seller_region`]), when known.
    pub seller_region: Option<&'a RegionCode>,
    /// The organization that found or delivered the listing (a patrolling agency, a
    /// platform).
    pub finder: Option<OrgId>,
    /// The platform's registered region.
    pub platform_region: Option<&'a RegionCode>,
}

/// The seller's region (GB/T 2260): the shop's location (`province` + `city` as the
/// platform shows them), refined by the ship-from address when that lies within it (a shop
/// in 杭州 shipping from 杭州市西湖区 is in 西湖区); else the ship-from address. When the
/// two disagree (a shop in 杭州 shipping from 广州), the shop's location wins. `None` when
/// neither names a division.
pub fn seller_region(
    shop_province: Option<&str>,
    shop_city: Option<&str>,
    ship_from: Option<&str>,
) -> Option<RegionCode> {
    let find = |t: &str| {
        let t = t.trim();
        if t.is_empty() {
            return None;
        }
        wangjian_region::find_in_address(t)
            .and_then(|m| RegionCode::parse(&m.region.code_str()).ok())
    };
    let shop = find(&format!(
        "{}{}",
        shop_province.unwrap_or("").trim(),
        shop_city.unwrap_or("").trim()
    ));
    let ship = ship_from.and_then(find);
    match (shop, ship) {
        (Some(s), Some(f)) if s.contains(&f) => Some(f),
        (Some(s), _) => Some(s),
        (None, f) => f,
    }
}

fn is_market_regulator(o: &Organization) -> bool {
    matches!(
        o.kind,
        OrgKind::Agency {
            agency_type: AgencyType::MarketRegulation,
            ..
        }
    )
}

/// The market-regulation agency with the most specific jurisdiction over `region`
/// (ties: the first in `orgs`).
pub fn regulator_for(orgs: &[Organization], region: &RegionCode) -> Option<OrgId> {
    let mut best: Option<&Organization> = None;
    for o in orgs
        .iter()
        .filter(|o| is_market_regulator(o) && o.region.contains(region))
    {
        if best.is_none_or(|b| o.region.prefix().len() > b.region.prefix().len()) {
            best = Some(o);
        }
    }
    best.map(|o| o.id)
}

/// Routes a lead among `orgs` (the installation's organizations) by the rule of this
/// module. `None`: no agency has jurisdiction.
pub fn route_lead(orgs: &[Organization], facts: RouteFacts<'_>) -> Option<Route> {
    let route = |org, basis| Route { org, basis };
    if let Some(org) = facts.seller_region.and_then(|r| regulator_for(orgs, r)) {
        return Some(route(org, RouteBasis::SellerPlace));
    }
    if let Some(org) = facts.platform_region.and_then(|r| regulator_for(orgs, r)) {
        return Some(route(org, RouteBasis::PlatformSeat));
    }
    facts
        .finder
        .filter(|f| orgs.iter().any(|o| o.id == *f && is_market_regulator(o)))
        .map(|f| route(f, RouteBasis::Finder))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::AdminLevel;

    fn org(n: u128, kind: OrgKind, region: &str) -> Organization {
        Organization::new(
            OrgId::from_u128(n),
            &format!("o{n}"),
            &format!("O{n}"),
            kind,
            RegionCode::parse(region).unwrap(),
        )
        .unwrap()
    }

    fn agency(n: u128, t: AgencyType, region: &str) -> Organization {
        org(
            n,
            OrgKind::Agency {
                agency_type: t,
                level: AdminLevel::City,
            },
            region,
        )
    }

    fn r(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    fn world() -> Vec<Organization> {
        vec![
            agency(1, AgencyType::MarketRegulation, "330000"),
            agency(2, AgencyType::MarketRegulation, "330100"),
            agency(3, AgencyType::MarketRegulation, "320100"),
            // A police bureau over the same city never receives patrol leads.
            agency(4, AgencyType::Police, "330106"),
            org(5, OrgKind::Platform, "330100"),
            agency(6, AgencyType::MarketRegulation, "440100"),
        ]
    }

    #[test]
    fn the_most_specific_market_regulator_of_the_sellers_place() {
        let w = world();
        assert_eq!(regulator_for(&w, &r("330106")), Some(OrgId::from_u128(2)));
        assert_eq!(regulator_for(&w, &r("330203")), Some(OrgId::from_u128(1)));
        assert_eq!(regulator_for(&w, &r("510100")), None);
        let got = route_lead(
            &w,
            RouteFacts {
                seller_region: Some(&r("330106")),
                finder: Some(OrgId::from_u128(6)),
                platform_region: Some(&r("330100")),
            },
        );
        assert_eq!(
            got,
            Some(Route {
                org: OrgId::from_u128(2),
                basis: RouteBasis::SellerPlace
            })
        );
    }

    #[test]
    fn then_the_platforms_seat_then_the_finder() {
        let w = world();
        let far = r("510100");
        // Whoever delivers it, a listing of an unknown place goes to the platform's seat.
        for f in [6, 5, 4] {
            let seat = route_lead(
                &w,
                RouteFacts {
                    seller_region: Some(&far),
                    finder: Some(OrgId::from_u128(f)),
                    platform_region: Some(&r("330100")),
                },
            )
            .unwrap();
            assert_eq!(
                (seat.org, seat.basis),
                (OrgId::from_u128(2), RouteBasis::PlatformSeat)
            );
        }
        // No jurisdiction by place or seat: a patrolling regulator keeps what it found.
        let finder = route_lead(
            &w,
            RouteFacts {
                seller_region: None,
                finder: Some(OrgId::from_u128(6)),
                platform_region: Some(&far),
            },
        )
        .unwrap();
        assert_eq!(
            (finder.org, finder.basis),
            (OrgId::from_u128(6), RouteBasis::Finder)
        );
        // A platform or a police bureau finding it is not a regulator that may keep it.
        for f in [5, 4] {
            let none = route_lead(
                &w,
                RouteFacts {
                    seller_region: Some(&far),
                    finder: Some(OrgId::from_u128(f)),
                    platform_region: Some(&far),
                },
            );
            assert_eq!(none, None);
        }
    }

    #[test]
    fn the_shop_location_comes_before_the_ship_from_address() {
        assert_eq!(
            seller_region(Some("浙江"), Some("杭州"), Some("广东省广州市白云区"))
                .unwrap()
                .as_str(),
            "330100"
        );
        // The ship-from address refines the shop's location when it lies within it.
        assert_eq!(
            seller_region(Some("浙江"), Some("杭州"), Some("浙江省杭州市西湖区文三路"))
                .unwrap()
                .as_str(),
            "330106"
        );
        assert_eq!(
            seller_region(None, None, Some("浙江省杭州市西湖区文三路"))
                .unwrap()
                .as_str(),
            "330106"
        );
        assert_eq!(
            seller_region(Some(" "), None, Some("福建省莆田市荔城区"))
                .unwrap()
                .as_str(),
            "350304"
        );
        assert_eq!(seller_region(None, None, Some("海外直邮")), None);
        assert_eq!(seller_region(None, None, None), None);
    }
}
