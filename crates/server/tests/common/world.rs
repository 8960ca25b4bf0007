//! A small world in a real SQLite store, for the matrix and browser tests: agencies in
//! two provinces, their coordination offices, a police organization, two platforms, a
//! rights holder; one user per (organization, role) that matters, all with the same
//! password; scan leads and one registered case in Hangzhou and in Nanjing.
//!
//! Logins are the labels (`hz.officer`, `zjoffice.supervisor`, …).

#![allow(dead_code)]

use chrono::{TimeZone, Utc};
use wangjian_domain::case::Env;
use wangjian_domain::lead::lead_id_for;
use wangjian_domain::lead::{LeadDedupKey, ListingContent};
use wangjian_domain::org::{AdminLevel, Membership, OrgKind, Organization, User};
use wangjian_domain::{
    Actor, AgencyType, CaseId, Context, LeadId, OrgId, RegionCode, RequestId, Role, RuleSet, UserId,
};
use wangjian_store::{CaseNumberRequest, ListingInput, ScanLead, ShopInput, Store};

/// The password of every user in the world.
pub const PASSWORD: &str = "wangjian-demo-2026";

/// (label, name, case prefix, kind, region)
pub fn orgs() -> Vec<(
    &'static str,
    &'static str,
    &'static str,
    OrgKind,
    &'static str,
)> {
    let agency = |t| OrgKind::Agency {
        agency_type: t,
        level: AdminLevel::City,
    };
    vec![
        (
            "hz",
            "杭州市市场监督管理局",
            "浙杭市监",
            agency(AgencyType::MarketRegulation),
            "330100",
        ),
        (
            "nb",
            "宁波市市场监督管理局",
            "浙甬市监",
            agency(AgencyType::MarketRegulation),
            "330200",
        ),
        (
            "nj",
            "南京市市场监督管理局",
            "苏宁市监",
            agency(AgencyType::MarketRegulation),
            "320100",
        ),
        (
            "hzpolice",
            "杭州市公安局",
            "杭公",
            agency(AgencyType::Police),
            "330100",
        ),
        (
            "zjoffice",
            "浙江省双打办",
            "浙双打",
            OrgKind::CoordinationOffice,
            "330000",
        ),
        (
            "jsoffice",
            "江苏省双打办",
            "苏双打",
            OrgKind::CoordinationOffice,
            "320000",
        ),
        ("plata", "甲电商平台", "PLATA", OrgKind::Platform, "330100"),
        ("platb", "乙电商平台", "PLATB", OrgKind::Platform, "330100"),
        (
            "rha",
            "某品牌权利人",
            "RHA",
            OrgKind::RightsHolder,
            "310000",
        ),
    ]
}

/// (login, display name, org label, role)
pub fn users() -> Vec<(&'static str, &'static str, &'static str, Role)> {
    vec![
        ("hz.officer", "王执法", "hz", Role::Officer),
        ("hz.officer2", "李执法", "hz", Role::Officer),
        ("hz.supervisor", "赵科长", "hz", Role::Supervisor),
        ("hz.admin", "管理员", "hz", Role::Admin),
        ("nb.officer", "宁波执法", "nb", Role::Officer),
        ("nj.officer", "南京执法", "nj", Role::Officer),
        ("hzpolice.officer", "杭州民警", "hzpolice", Role::Officer),
        (
            "zjoffice.supervisor",
            "浙江双打办",
            "zjoffice",
            Role::Supervisor,
        ),
        (
            "jsoffice.supervisor",
            "江苏双打办",
            "jsoffice",
            Role::Supervisor,
        ),
        (
            "plata.operator",
            "甲平台合规",
            "plata",
            Role::PlatformOperator,
        ),
        (
            "platb.operator",
            "乙平台合规",
            "platb",
            Role::PlatformOperator,
        ),
        ("rha.agent", "品牌代理人", "rha", Role::RightsHolderAgent),
    ]
}

/// The id of an organization label.
pub fn org_id(label: &str) -> OrgId {
    let i = orgs().iter().position(|o| o.0 == label).expect("org label") as u128;
    OrgId::from_u128(0x1000 + i)
}

/// The id of a user login.
pub fn user_id(login: &str) -> UserId {
    let i = users().iter().position(|u| u.0 == login).expect("login") as u128;
    UserId::from_u128(0x2000 + i)
}

/// What the world holds besides accounts.
#[derive(Debug, Clone)]
pub struct World {
    /// A scan lead of Hangzhou, and its case.
    pub lead_hz: LeadId,
    /// The case registered by hz.officer.
    pub case_hz: CaseId,
    /// A scan lead of Nanjing.
    pub lead_nj: LeadId,
    /// The case registered by nj.officer.
    pub case_nj: CaseId,
}

fn listing(n: u32, title: &str, org: OrgId) -> ListingInput {
    ListingInput {
        platform: org_id("plata"),
        shop: Some(ShopInput {
            platform_shop_id: format!("shop{n}"),
            name: format!("店铺{n}"),
        }),
        content: ListingContent {
            platform_listing_id: format!("L{n}"),
            url: format!("https://shop.example.com/item/{n}"),
            title: title.to_string(),
            description: "原单 高仿".into(),
            price_fen: Some(19_900),
            ship_from: "福建莆田".into(),
        },
        captured_at: Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap(),
        lead: Some(ScanLead {
            org,
            rule_set_version: "rs1".into(),
            summary: format!("high: {title}"),
            scan: None,
        }),
    }
}

/// Fills an empty store; `password_hash` is the argon2id hash of [`PASSWORD`].
pub async fn build(store: &Store, password_hash: &str) -> World {
    for (label, name, prefix, kind, region) in orgs() {
        let o = Organization::new(
            org_id(label),
            name,
            prefix,
            kind,
            RegionCode::parse(region).unwrap(),
        )
        .unwrap();
        store.put_organization(&o).await.unwrap();
    }
    for (login, name, org, role) in users() {
        let id = user_id(login);
        store
            .put_user(
                &User {
                    id,
                    name: name.into(),
                    version: 1,
                },
                Some(login),
            )
            .await
            .unwrap();
        store
            .set_password_hash(id, Some(password_hash))
            .await
            .unwrap();
        store
            .put_membership(&Membership {
                user: id,
                org: org_id(org),
                role,
            })
            .await
            .unwrap();
    }
    let hz = listing(
        1,
        "高仿 N1ke 运动鞋 <script>alert(1)</script>",
        org_id("hz"),
    );
    let nj = listing(2, "原单 耐克 气垫", org_id("nj"));
    store
        .import_listings(&[hz.clone(), nj.clone()])
        .await
        .unwrap();
    let lead = |l: &ListingInput, org: &str| {
        lead_id_for(
            org_id(org),
            &LeadDedupKey::Scan {
                snapshot_hash: l.content.content_hash(),
                rule_set_version: "rs1".into(),
            },
        )
    };
    let lead_hz = lead(&hz, "hz");
    let lead_nj = lead(&nj, "nj");
    let env = Env {
        rules: RuleSet::defaults().unwrap(),
        overrides: &[],
        calendar: wangjian_calendar::Calendar::china(),
    };
    let register = |login: &'static str, org: &'static str, lead: LeadId, seed: u128| {
        let actor = Actor {
            user: user_id(login),
            org: org_id(org),
            roles: vec![Role::Officer],
        };
        let ctx = Context::with_counter(
            RequestId::from_u128(seed),
            Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap(),
            (seed + 1) << 40,
            32,
        );
        let req = CaseNumberRequest {
            title: "销售假冒注册商标的商品".into(),
            leads: vec![lead],
        };
        async move {
            store
                .register_case(&actor, &req, env, &ctx)
                .await
                .unwrap()
                .value
                .case
                .id
        }
    };
    let case_hz = register("hz.officer", "hz", lead_hz, 1).await;
    let case_nj = register("nj.officer", "nj", lead_nj, 2).await;
    World {
        lead_hz,
        case_hz,
        lead_nj,
        case_nj,
    }
}

/// Stores the mark 耐克 (aliases Nike, NIKE; shoes; reference price 899) of the world's
/// rights holder: the installation's marks that pushed listings are scanned with.
pub async fn put_marks(store: &Store) {
    let marks = wangjian_detect::parse_marks(
        "marks.csv",
        "mark,aliases,owner,categories,reference_price_cny,authorized_shops\n\
         耐克,Nike|NIKE,某品牌权利人,鞋|运动鞋,899,\n",
    )
    .unwrap();
    store.put_marks(&marks).await.unwrap();
}

/// The title of the listing [`scanned_lead`] stores: seller text with markup around the
/// hits, so pages must escape it and cut spans at character boundaries.
pub const SCANNED_TITLE: &str = "<b>高仿</b>耐克 Air 运动鞋 <script>alert(1)</script> A货";

/// Scans one hostile listing with the embedded rule pack and the mark 耐克 (stored in the
/// store), and keeps its lead for Hangzhou with the whole verdict, as a platform push
/// does. Returns the lead.
pub async fn scanned_lead(store: &Store) -> LeadId {
    put_marks(store).await;
    let listing = wangjian_detect::Listing {
        id: "S1".into(),
        title: SCANNED_TITLE.into(),
        description: Some("支持验货 & \"假一赔十\"".into()),
        price: Some(99.0),
        category: Some("运动鞋".into()),
        ship_from: Some("浙江省杭州市".into()),
        ..Default::default()
    };
    let listing = wangjian_detect::Listing {
        captured_at: Some("2026-03-03T01:00:00Z".into()),
        ..listing
    };
    // Through the one intake path, as a platform's push: the lead goes to the regulator
    // of the seller's place (杭州).
    let app = wangjian_app::App::new(store.clone(), wangjian_app::RuleSource::default()).unwrap();
    let report = app
        .intake(
            wangjian_app::intake::Delivery {
                by: Some(org_id("plata")),
                min_level: Some(wangjian_app::intake::LEAD_LEVEL),
            },
            vec![wangjian_app::intake::Item {
                index: 0,
                listing,
                platform: org_id("plata"),
            }],
            Utc.with_ymd_and_hms(2026, 3, 3, 2, 0, 0).unwrap(),
        )
        .await
        .unwrap();
    let lead = report.outcomes[0].lead.as_ref().expect("the scan flags it");
    assert_eq!(lead.org, org_id("hz"));
    lead.id
}
