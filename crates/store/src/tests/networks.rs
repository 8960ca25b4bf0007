//! Seller networks and brushing (issue 18), on both backends: identifier rows keep their
//! provenance, come back by `seq` (what a process holding the networks catches up on),
//! and a re-upload adds nothing; an upload of orders writes its groups, their shops and
//! evidence in one transaction with their audit events; a group found again with the
//! same figures writes nothing; a review goes through the one write path (a stale
//! version is a conflict); the list filter admits by platform, by region of the shops'
//! identifiers, and by the agency of the group's lead.

use wangjian_domain::brushing::{
    detected, group_id_for, identifiers_uploaded, review, to_lead, BrushingGroup, BrushingUpload,
    GroupReason, GroupState, IdentifierUpload,
};

use super::*;

contract!(identifiers_and_brushing_groups);

fn id_row(shop: &str, kind: &str, value: &str, region: Option<&str>) -> IdentifierRow {
    IdentifierRow {
        platform: PLATFORM,
        shop: shop.into(),
        kind: kind.into(),
        value: value.into(),
        display: format!("shown {value}"),
        region: region.map(str::to_string),
        source: "开店资料".into(),
        seen_at: Some(ctx(day(2026, 11, 2), 0).now),
    }
}

fn group(
    key: &str,
    shops: &[&str],
    upload: uuid::Uuid,
    now: chrono::DateTime<Utc>,
) -> BrushingGroup {
    BrushingGroup {
        id: group_id_for(PLATFORM, key),
        platform: PLATFORM,
        upload,
        group_key: key.into(),
        score: 0.93,
        decision: "suspicious".into(),
        accounts: vec!["b1".into(), "b2".into()],
        shops: shops.iter().map(|s| s.to_string()).collect(),
        listings: vec!["l1".into()],
        orders: 40,
        window_first: "2026-11-03T10:00:00+08:00".into(),
        window_last: "2026-11-05T22:00:00+08:00".into(),
        reasons: vec![GroupReason {
            code: "repeat".into(),
            detail: "同一批账号在 3 天内反复下单".into(),
        }],
        detected_at: now,
        state: GroupState::Open,
        review: None,
        lead: None,
        version: 0,
    }
}

fn evidence(n: usize, shop: &str) -> Vec<EvidenceOrder> {
    (0..n)
        .map(|i| EvidenceOrder {
            order_id: format!("o{i}"),
            buyer: format!("b{}", i % 2 + 1),
            shop: shop.into(),
            listing: "l1".into(),
            time: format!("2026-11-03T10:{:02}:00+08:00", i % 60),
            amount: 0.01,
            address: Some("浙江省杭州市西湖区文三路90号".into()),
            device: Some("dev-1".into()),
            ip: None,
            review: Some("好评".into()),
        })
        .collect()
}

async fn identifiers_and_brushing_groups(s: &Store) {
    seed(s).await;
    let officer = actor(A, HZ, Role::Officer);
    let c = ctx(day(2026, 11, 20), 0x5000);
    let upload = IdentifierUpload {
        id: uuid::Uuid::from_u128(0x77),
        by: A,
        by_org: HZ,
        source: "开店资料".into(),
        at: c.now,
        lines: 3,
        values: 3,
        problems: 0,
        version: 1,
    };
    let rows = vec![
        id_row("s1", "phone", "h1", None),
        id_row("s1", "return_address", "330106|文三路90号", Some("330106")),
        id_row("s2", "phone", "h1", None),
    ];
    let ch = identifiers_uploaded(upload.clone(), &officer, &c).unwrap();
    let (_, new) = s.upload_identifiers(ch, rows.clone()).await.unwrap();
    assert_eq!(new, 3);
    let got = s.identifiers_since(0, 100).await.unwrap();
    assert_eq!(got.len(), 3);
    assert_eq!(got[1].row, rows[1], "provenance kept");
    assert!(got[0].seq < got[1].seq && got[1].seq < got[2].seq);
    assert_eq!(s.identifiers_since(got[1].seq, 100).await.unwrap().len(), 1);
    // The same rows again (another upload): nothing new.
    let mut again = upload.clone();
    again.id = uuid::Uuid::from_u128(0x78);
    let c2 = ctx(day(2026, 11, 20), 0x5100);
    let ch = identifiers_uploaded(again, &officer, &c2).unwrap();
    let (_, new) = s.upload_identifiers(ch, rows).await.unwrap();
    assert_eq!(new, 0);
    assert_eq!(
        s.identifiers_of(&[(PLATFORM, "s1".into())])
            .await
            .unwrap()
            .len(),
        2
    );

    // An upload of orders with one group.
    let up = BrushingUpload {
        id: uuid::Uuid::from_u128(0x99),
        platform: PLATFORM,
        by: A,
        by_org: HZ,
        at: c.now,
        lines: 100,
        orders: 99,
        bad_lines: 1,
        groups: 1,
        version: 1,
    };
    let g = group("g1", &["s1", "s9"], up.id, c.now);
    let c3 = ctx(day(2026, 11, 20), 0x5200);
    let ch = detected(up.clone(), vec![g.clone()], &[], &officer, &c3).unwrap();
    let applied = s
        .record_detection(ch, &[(g.id, evidence(5, "s1"))])
        .await
        .unwrap();
    assert_eq!(applied.seqs.len(), 2, "the upload's and the group's events");
    let stored = s.brushing_group(g.id).await.unwrap().unwrap();
    assert_eq!(stored.version, 1);
    assert_eq!(stored.reasons, g.reasons);
    assert_eq!(s.brushing_evidence(g.id).await.unwrap().len(), 5);
    assert_eq!(
        s.brushing_group_regions(g.id).await.unwrap(),
        vec!["330106".to_string()]
    );
    assert_eq!(
        s.brushing_groups_of_shops(&[(PLATFORM, "s9".into())])
            .await
            .unwrap(),
        vec![g.id]
    );
    // Found again with the same figures: nothing written but the upload.
    let mut up2 = up.clone();
    up2.id = uuid::Uuid::from_u128(0x9a);
    let c4 = ctx(day(2026, 11, 21), 0x5300);
    let ch = detected(
        up2,
        vec![group(
            "g1",
            &["s1", "s9"],
            uuid::Uuid::from_u128(0x9a),
            c4.now,
        )],
        std::slice::from_ref(&stored),
        &officer,
        &c4,
    )
    .unwrap();
    let applied = s.record_detection(ch, &[]).await.unwrap();
    assert_eq!(applied.seqs.len(), 1);
    assert_eq!(
        s.brushing_evidence(g.id).await.unwrap().len(),
        5,
        "evidence kept"
    );

    // Filters.
    let f = |platforms: Vec<OrgId>, regions: Vec<&str>, lead_orgs: Vec<OrgId>| GroupFilter {
        all: false,
        platforms,
        regions: regions.into_iter().map(str::to_string).collect(),
        lead_orgs,
    };
    let n = |v: Vec<BrushingGroup>| v.len();
    assert_eq!(
        n(
            s.brushing_groups(&f(vec![PLATFORM], vec![], vec![]), None, 10)
                .await
                .unwrap()
        ),
        1
    );
    assert_eq!(
        n(s.brushing_groups(&f(vec![HZ], vec![], vec![]), None, 10)
            .await
            .unwrap()),
        0
    );
    assert_eq!(
        n(
            s.brushing_groups(&f(vec![], vec!["3301"], vec![]), None, 10)
                .await
                .unwrap()
        ),
        1
    );
    assert_eq!(
        n(
            s.brushing_groups(&f(vec![], vec!["3302"], vec![]), None, 10)
                .await
                .unwrap()
        ),
        0
    );
    assert_eq!(
        n(s.brushing_groups(&f(vec![], vec![], vec![NB]), None, 10)
            .await
            .unwrap()),
        0
    );
    assert_eq!(
        n(s.brushing_groups(&GroupFilter::default(), None, 10)
            .await
            .unwrap()),
        0
    );
    assert_eq!(
        n(
            s.brushing_groups(&f(vec![PLATFORM], vec![], vec![]), Some("dismissed"), 10)
                .await
                .unwrap()
        ),
        0
    );

    // A review through the write path; a stale one is a conflict.
    let c5 = ctx(day(2026, 11, 22), 0x5400);
    let confirmed = s
        .apply(review(&stored, true, "核实", &officer, &c5).unwrap())
        .await
        .unwrap()
        .value;
    assert_eq!(confirmed.state, GroupState::Confirmed);
    let c6 = ctx(day(2026, 11, 22), 0x5500);
    let stale = s
        .apply(review(&stored, false, "误报", &officer, &c6).unwrap())
        .await;
    assert!(
        matches!(stale, Err(StoreError::Conflict { .. })),
        "{stale:?}"
    );
    // Into a lead of NB: the lead-org filter admits it then.
    let nb_officer = actor(N, NB, Role::Officer);
    let c7 = ctx(day(2026, 11, 23), 0x5600);
    let (g2, lead) = s
        .apply(to_lead(&confirmed, &nb_officer, &c7).unwrap())
        .await
        .unwrap()
        .value;
    assert_eq!(g2.lead, Some(lead.id));
    assert_eq!(
        n(s.brushing_groups(&f(vec![], vec![], vec![NB]), None, 10)
            .await
            .unwrap()),
        1
    );
    let leads = s.leads_of_shops(&[(PLATFORM, "s1".into())]).await.unwrap();
    assert_eq!(leads.len(), 1);
    assert_eq!(leads[0].org, NB);
    let trail = s
        .object_trail(wangjian_domain::ObjectType::BrushingGroup, g.id)
        .await
        .unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.event.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "brushing_group.detect",
            "brushing_group.confirm",
            "brushing_group.to_lead"
        ]
    );
}
