//! Notices and self-inspection records on both backends: a batch is one multi-row insert
//! with one audit event per notice in the trail and the evidence log; one open notice per
//! listing (a batch that breaks it writes nothing); a step is a versioned update; lists
//! by sender and recipient; the week's counts; the export carries each notice's state.

use wangjian_domain::lead::listing_id_for;
use wangjian_domain::notice::{
    self, Draft, Facts, NoticeAction, NoticeRules, NoticeSource, NoticeState, StatementInput,
    StepInput,
};
use wangjian_domain::self_inspection::{self, InspectionInput};
use wangjian_domain::ObjectType;

use super::*;

contract!(notices_batch_steps_and_counts, one_open_notice_per_listing);

fn drafts(from: u32, n: u32) -> Vec<Draft> {
    (from..from + n)
        .map(|i| Draft {
            recipient: PLATFORM,
            listing: listing_id_for(PLATFORM, &format!("L{i}")),
            shop: None,
            ground: "注册商标第1234567号 假冒".into(),
            source: NoticeSource::AgencyOrder,
            complaint: None,
            case: None,
        })
        .collect()
}

fn notice_ctx(d: NaiveDate, seed: u128, n: usize) -> Context {
    let now = Utc.from_utc_datetime(&d.and_hms_opt(2, 0, 0).unwrap());
    Context::with_counter(RequestId::from_u128(seed), now, (seed + 1) << 40, n)
}

async fn listings(s: &Store, n: u32) {
    let batch: Vec<_> = (0..n).map(|i| listing(i, "运动鞋", None)).collect();
    s.import_listings(&batch).await.unwrap();
}

async fn notices_batch_steps_and_counts(s: &Store) {
    seed(s).await;
    listings(s, 6).await;
    let rules = NoticeRules::defaults().unwrap();
    let d = day(2026, 11, 2);
    let size = s.log_size().await.unwrap();
    let ch = notice::send(
        &drafts(0, 5),
        HZ,
        A,
        rules,
        Calendar::china(),
        &notice_ctx(d, 1, 10),
    )
    .unwrap();
    let sent = s.send_notices(ch).await.unwrap();
    assert_eq!(sent.value.len(), 5);
    assert_eq!(sent.seqs.len(), 5);
    assert_eq!(
        s.log_size().await.unwrap(),
        size + 5,
        "one log entry per notice"
    );
    let n0 = s.notice(sent.value[0].id).await.unwrap().unwrap();
    assert_eq!(n0, sent.value[0], "the row reads back as the domain value");
    let trail = s.object_trail(ObjectType::Notice, n0.id.0).await.unwrap();
    assert_eq!(trail.len(), 1);
    // The targets and the open notices of the listings.
    let ids: Vec<_> = (0..7)
        .map(|i| listing_id_for(PLATFORM, &format!("L{i}")))
        .collect();
    let targets = s.notice_targets(&ids).await.unwrap();
    assert_eq!(targets.len(), 6, "L6 does not exist");
    assert!(targets
        .values()
        .all(|t| t.platform == PLATFORM && t.shop.is_some()));
    assert_eq!(s.open_notices_on(&ids).await.unwrap().len(), 5);
    // The platform acknowledges and acts on n0; a stale copy conflicts.
    let step = |n: &wangjian_domain::notice::Notice, a, input: StepInput, seed| {
        notice::apply(
            n,
            a,
            &input,
            UserId::from_u128(99),
            PLATFORM,
            Facts::default(),
            rules,
            Calendar::china(),
            &notice_ctx(d, seed, 4),
        )
        .unwrap()
    };
    let acked = s
        .apply(step(
            &n0,
            NoticeAction::Acknowledge,
            StepInput::default(),
            20,
        ))
        .await
        .unwrap()
        .value;
    let stale = s
        .apply(step(
            &n0,
            NoticeAction::Acknowledge,
            StepInput::default(),
            21,
        ))
        .await;
    assert!(
        matches!(stale, Err(StoreError::Conflict { .. })),
        "{stale:?}"
    );
    let act = StepInput {
        measure: Some("removed".into()),
        statement: Some(StatementInput {
            ground: "illegal".into(),
            legal_ground: "商标法第五十七条".into(),
            facts: "标题使用他人注册商标".into(),
            automated_detection: false,
            automated_decision: false,
            redress: "可提交不侵权声明".into(),
        }),
        ..Default::default()
    };
    let acted = s
        .apply(step(&acked, NoticeAction::Act, act, 22))
        .await
        .unwrap()
        .value;
    assert_eq!(
        s.notice(acted.id).await.unwrap().unwrap().state,
        NoticeState::Acted
    );
    // Lists: by recipient, by sender, by state.
    let q = NoticeQuery {
        recipient: Some(PLATFORM),
        limit: 3,
        ..Default::default()
    };
    let p1 = s.notices(&q).await.unwrap();
    assert_eq!(p1.items.len(), 3);
    let p2 = s
        .notices(&NoticeQuery {
            after: p1.next.clone(),
            ..q.clone()
        })
        .await
        .unwrap();
    assert_eq!(p2.items.len(), 2);
    assert!(p2.next.is_none());
    let other = s
        .notices(&NoticeQuery {
            sender: Some(NB),
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(other.items.is_empty());
    let acted_only = s
        .notices(&NoticeQuery {
            sender: Some(HZ),
            state: Some(NoticeState::Acted),
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(acted_only.items.len(), 1);
    // Self-inspection: the platform delists two listings and warns a shop.
    for (i, (action, listings)) in [("delist", ids[..2].to_vec()), ("warning", vec![])]
        .into_iter()
        .enumerate()
    {
        let rec = self_inspection::record(
            &InspectionInput {
                shop: "shop1".into(),
                action: action.into(),
                reason: "售假自查发现".into(),
                listings,
                rectify_by: None,
                referred: i == 0,
            },
            PLATFORM,
            UserId::from_u128(99),
            &notice_ctx(d, 30 + i as u128, 4),
        )
        .unwrap();
        s.apply(rec).await.unwrap();
    }
    let from = Utc.with_ymd_and_hms(2026, 11, 1, 16, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2026, 11, 8, 16, 0, 0).unwrap();
    let c = s.week_counts(PLATFORM, from, to).await.unwrap();
    assert_eq!(c.notices_received, 5);
    assert_eq!(c.notices_acted, 1);
    assert_eq!(c.acted_within_deadline, 1);
    assert_eq!(c.notice_removals, 1);
    assert_eq!(c.own_removals, 2);
    assert_eq!(
        (c.shops_warned, c.shops_rectified, c.shops_closed),
        (1, 0, 0)
    );
    assert_eq!(
        c.leads_passed, 1,
        "the referred record (the listings made no lead)"
    );
    assert_eq!(
        c.listings_patrolled, 0,
        "imported, not delivered by the platform"
    );
    let before = s
        .week_counts(PLATFORM, from - chrono::Duration::days(7), from)
        .await
        .unwrap();
    assert_eq!(before, WeekCounts::default());
    assert_eq!(
        s.self_inspections(PLATFORM, from, to).await.unwrap().len(),
        2
    );
    // The export carries the state of each notice.
    let mut states = Vec::new();
    s.export_table("notices", |row| {
        states.push(row["state"].as_str().unwrap_or_default().to_string());
        Ok(())
    })
    .await
    .unwrap();
    states.sort();
    assert_eq!(states, ["acted", "sent", "sent", "sent", "sent"]);
}

async fn one_open_notice_per_listing(s: &Store) {
    seed(s).await;
    listings(s, 4).await;
    let rules = NoticeRules::defaults().unwrap();
    let d = day(2026, 11, 2);
    let first = notice::send(
        &drafts(0, 2),
        HZ,
        A,
        rules,
        Calendar::china(),
        &notice_ctx(d, 1, 4),
    )
    .unwrap();
    s.send_notices(first).await.unwrap();
    let audit = s.log_size().await.unwrap();
    // L2, L3 are new; L1 is open already: the whole batch is refused, nothing is written.
    let second = notice::send(
        &drafts(1, 3),
        NB,
        N,
        rules,
        Calendar::china(),
        &notice_ctx(d, 2, 6),
    )
    .unwrap();
    let r = s.send_notices(second).await;
    assert!(
        matches!(r, Err(StoreError::Duplicate(ref m)) if m.contains("open notice")),
        "{r:?}"
    );
    assert_eq!(s.log_size().await.unwrap(), audit);
    let all = s
        .notices(&NoticeQuery {
            recipient: Some(PLATFORM),
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.items.len(), 2);
    // Withdrawn, the listing is free for a new notice.
    let open = all
        .items
        .iter()
        .find(|n| n.listing == listing_id_for(PLATFORM, "L1"))
        .unwrap();
    let w = notice::apply(
        open,
        NoticeAction::Withdraw,
        &StepInput::default(),
        A,
        HZ,
        Facts::default(),
        rules,
        Calendar::china(),
        &notice_ctx(d, 3, 4),
    )
    .unwrap();
    s.apply(w).await.unwrap();
    let again = notice::send(
        &drafts(1, 3),
        NB,
        N,
        rules,
        Calendar::china(),
        &notice_ctx(d, 4, 6),
    )
    .unwrap();
    assert_eq!(s.send_notices(again).await.unwrap().value.len(), 3);
}
