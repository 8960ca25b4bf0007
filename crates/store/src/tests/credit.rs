//! Credit on both backends: a listing decision and its record and class written in one
//! change and read back as the credit file; the list read against a day (expiry from the
//! dates); repair; a disclosure published and found by the public search only within its
//! publicity period; the board of late ones; the screening call's audit record.

use wangjian_domain::credit::{
    self, BlacklistState, CreditClass, CreditRules, Decider, DisclosureStatus, ListingDecision,
    RepairApplication,
};
use wangjian_domain::subject::Subject;
use wangjian_domain::{ObjectType, SubjectId};

use super::*;

contract!(credit_file_blacklist_and_disclosure_round_trip);

async fn credit_file_blacklist_and_disclosure_round_trip(s: &Store) {
    seed(s).await;
    let rules = CreditRules::defaults().unwrap();
    let subject = Subject::enterprise(
        SubjectId::from_u128(77),
        "杭州某某贸易有限公司",
        "91330106MA27XXXXX1",
    )
    .unwrap();
    s.put_subject(&subject).await.unwrap();
    let sup = actor(S, HZ, Role::Supervisor);
    let decider = Decider {
        name: "杭州市市场监督管理局".into(),
        region: "330100".into(),
    };
    let file = s.credit_file(subject.id).await.unwrap().unwrap();
    assert!(file.records.is_empty() && file.standing.is_none());
    let decision = ListingDecision {
        legal_basis: "《市场监督管理严重违法失信名单管理办法》第十条".into(),
        decision_number: "杭市监列〔2025〕1号".into(),
        start: day(2025, 6, 2),
        months: 36,
        longer_basis: None,
    };
    let change = credit::enter_blacklist(
        &file,
        &sup,
        &decider,
        &decision,
        &rules,
        &ctx(day(2025, 6, 2), 1),
    )
    .unwrap();
    let applied = s.apply(change).await.unwrap();
    assert_eq!(applied.seqs.len(), 3, "entry, record, class");
    let entry = applied.value.entries[0].clone();
    let file = s.credit_file(subject.id).await.unwrap().unwrap();
    assert_eq!(file.records.len(), 1);
    assert_eq!(file.entries, vec![entry.clone()]);
    assert_eq!(file.standing.as_ref().unwrap().class, CreditClass::D);
    // On the list while the term runs; off it from its end day, without any job.
    assert_eq!(
        s.blacklist_on(day(2026, 6, 1), None, None)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        s.blacklist_on(day(2026, 6, 1), Some("某某贸易"), None)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        s.blacklist_on(day(2026, 6, 1), None, Some("91330106ma27xxxxx1"))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(s
        .blacklist_on(day(2026, 6, 1), Some("50%_"), None)
        .await
        .unwrap()
        .is_empty());
    assert!(s
        .blacklist_on(day(2028, 6, 2), None, None)
        .await
        .unwrap()
        .is_empty());
    let mark = s.blacklist_mark().await.unwrap();
    // Repair after a year: the entry leaves the list; history kept.
    let app = RepairApplication {
        applied_on: day(2026, 6, 3),
        obligations_fulfilled: "罚款已缴清".into(),
        harm_removed: "已召回".into(),
    };
    let change =
        credit::repair_blacklist(&file, &entry, &sup, &app, &rules, &ctx(day(2026, 6, 3), 2))
            .unwrap();
    s.apply(change).await.unwrap();
    assert_ne!(s.blacklist_mark().await.unwrap(), mark);
    let file = s.credit_file(subject.id).await.unwrap().unwrap();
    assert_eq!(
        file.entries[0].state_on(day(2026, 6, 3)),
        BlacklistState::Repaired
    );
    assert_eq!(file.standing.as_ref().unwrap().class, CreditClass::A);
    assert!(s
        .blacklist_on(day(2026, 6, 3), None, None)
        .await
        .unwrap()
        .is_empty());
    // A stale repair (the same version again) is a conflict.
    let stale = credit::repair_blacklist(
        &credit::CreditFile {
            entries: vec![entry.clone()],
            ..file.clone()
        },
        &entry,
        &sup,
        &app,
        &rules,
        &ctx(day(2026, 6, 3), 3),
    )
    .unwrap();
    assert!(matches!(
        s.apply(stale).await,
        Err(StoreError::Conflict { .. })
    ));
    let trail = s
        .object_trail(ObjectType::BlacklistEntry, entry.id)
        .await
        .unwrap();
    assert_eq!(trail.len(), 2, "enter and repair");

    // A disclosure: pending, then published; public only within its period.
    let leads = leads(s, HZ, 1, 1).await;
    let case = s
        .register_case(
            &actor(A, HZ, Role::Officer),
            &CaseNumberRequest {
                title: "销售假冒耐克运动鞋案".into(),
                leads,
            },
            env(),
            &ctx(day(2026, 5, 1), 4),
        )
        .await
        .unwrap()
        .value
        .case;
    let mut decided = case.clone();
    decided.penalty = Some(wangjian_domain::case::PenaltyDecision {
        decision_number: "杭市监罚〔2026〕7号".into(),
        fine_fen: 2_000_000,
        amount_involved_fen: 0,
        confiscated_fen: 0,
        legal_basis: "《商标法》第六十条".into(),
        on: day(2026, 6, 1),
        decided_by: S,
    });
    let file = s.credit_file(subject.id).await.unwrap().unwrap();
    let change = credit::on_penalty_decided(
        &decided,
        &file,
        &decider,
        &sup,
        &rules,
        Calendar::china(),
        &ctx(day(2026, 6, 1), 5),
    )
    .unwrap();
    let d = s.apply(change).await.unwrap().value.disclosures[0].clone();
    assert_eq!(d.due, day(2026, 6, 10), "seven working days");
    let office = RegionCode::parse("330100").unwrap();
    assert!(s
        .disclosures_due(&office, day(2026, 6, 5), day(2026, 6, 5), 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        s.disclosures_due(&office, day(2026, 6, 11), day(2026, 6, 11), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(s.pending_disclosures(HZ).await.unwrap().len(), 1);
    let q = DisclosureQuery::default();
    assert!(s
        .public_disclosures(day(2026, 6, 12), &q, 10, 0)
        .await
        .unwrap()
        .is_empty());
    let change = credit::publish(&d, &sup, true, &rules, &ctx(day(2026, 6, 12), 6)).unwrap();
    s.apply(change).await.unwrap();
    let d = s.disclosure(d.id).await.unwrap().unwrap();
    assert_eq!(d.status, DisclosureStatus::Published);
    // Published late: on the office's board.
    assert_eq!(
        s.disclosures_due(&office, day(2026, 6, 12), day(2026, 6, 12), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    for (q, n) in [
        (
            DisclosureQuery {
                name: Some("某某".into()),
                ..Default::default()
            },
            1,
        ),
        (
            DisclosureQuery {
                uscc: Some("91330106MA27XXXXX1".into()),
                ..Default::default()
            },
            1,
        ),
        (
            DisclosureQuery {
                region: Some("33".into()),
                ..Default::default()
            },
            1,
        ),
        (
            DisclosureQuery {
                region: Some("32".into()),
                ..Default::default()
            },
            0,
        ),
        (
            DisclosureQuery {
                product: Some("耐克".into()),
                ..Default::default()
            },
            1,
        ),
        (
            DisclosureQuery {
                from: Some(day(2026, 6, 2)),
                ..Default::default()
            },
            0,
        ),
        (
            DisclosureQuery {
                typical_only: true,
                ..Default::default()
            },
            1,
        ),
    ] {
        assert_eq!(
            s.public_disclosures(day(2026, 6, 12), &q, 10, 0)
                .await
                .unwrap()
                .len(),
            n,
            "{q:?}"
        );
    }
    // 20 000 yuan for an enterprise is a low fine: three months, then gone.
    assert!(s
        .public_disclosures(day(2026, 9, 12), &q, 10, 0)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(s.find_subjects("某某贸易", 10).await.unwrap().len(), 1);

    // A screening call leaves one audit event with the counts, not the candidates.
    let read = credit::record_screening(
        &actor(A, PLATFORM, Role::PlatformOperator),
        12,
        1,
        1,
        &ctx(day(2026, 6, 12), 7),
    )
    .unwrap();
    let id = read.event().object_id;
    s.record_read(read).await.unwrap();
    let trail = s.object_trail(ObjectType::Screening, id).await.unwrap();
    assert_eq!(trail.len(), 1);
}
