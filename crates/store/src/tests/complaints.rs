//! Complaints from the public portal and the accounts' trail, on both backends: a
//! submission with its attachments in one transaction, found by tracking number; accepted
//! into a lead; a stale decision conflicts; lists stay within the handling agency;
//! permission changes and failed sign-ins are recorded, append-only.

use wangjian_domain::complaint::{self, Attachment, ComplaintState, Submission, PUBLIC_ACTOR};
use wangjian_domain::lead::LeadSource;
use wangjian_domain::ObjectType;

use super::*;

contract!(
    complaints_submit_accept_and_scope,
    account_events_record_permission_changes,
    board_counts_stay_in_scope,
);

fn submission(region: &str) -> Submission {
    Submission {
        kind: "report".into(),
        text: "店铺销售假冒耐克运动鞋，价格只有正品的一成。".into(),
        links: vec!["https://shop.example.com/item/7".into()],
        contact: String::new(),
        respondent: "某某运动专营店".into(),
        region: region.into(),
    }
}

async fn submit(s: &Store, region: &str, n: u8, blob: &[u8]) -> complaint::Complaint {
    let orgs = s.organizations().await.unwrap();
    let b = BlobInput {
        bytes: blob.to_vec(),
        media_type: "image/png".into(),
    };
    let att = Attachment {
        name: "证据.png".into(),
        sha256: b.sha256(),
        size: blob.len() as u64,
        media_type: "image/png".into(),
    };
    let change = complaint::submit(
        &submission(region),
        vec![att],
        complaint::tracking_number([n; 10]),
        &orgs,
        RuleSet::defaults().unwrap(),
        Calendar::china(),
        &ctx(day(2024, 9, 27), 100 + u128::from(n)),
    )
    .unwrap();
    s.submit_complaint(change, &[b]).await.unwrap().value
}

async fn complaints_submit_accept_and_scope(s: &Store) {
    seed(s).await;
    let c = submit(s, "330106", 1, b"\x89PNG fake").await;
    assert_eq!(c.handler, HZ);
    assert_eq!(c.accept_due, day(2024, 10, 12));
    // The same bytes again are stored once; a second complaint from Ningbo.
    let c2 = submit(s, "330203", 2, b"\x89PNG fake").await;
    assert_eq!(c2.handler, NB);

    let found = s
        .complaint_by_tracking(&c.tracking_number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, c);
    assert!(s
        .complaint_by_tracking("0000-0000-0000-0000")
        .await
        .unwrap()
        .is_none());
    let sha = &c.attachments[0].sha256;
    assert_eq!(
        s.complaint_blob(sha).await.unwrap().unwrap(),
        b"\x89PNG fake"
    );
    assert!(s
        .complaint_blob("../../etc/passwd")
        .await
        .unwrap()
        .is_none());

    let trail = s.object_trail(ObjectType::Complaint, c.id.0).await.unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].event.actor, PUBLIC_ACTOR);
    assert_eq!(trail[0].event.action, "report.submit");

    // Lists stay within the handling agency.
    let hz = s.complaints(HZ, None, None, 50).await.unwrap();
    assert_eq!(
        hz.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![c.id]
    );
    let nb = s.complaints(NB, None, None, 50).await.unwrap();
    assert_eq!(nb.items.len(), 1);
    assert!(s
        .complaints(HZ, Some(ComplaintState::Accepted), None, 50)
        .await
        .unwrap()
        .items
        .is_empty());

    // Accepting makes a lead in the same transaction; a stale second decision conflicts.
    let acc = complaint::accept(&c, A, HZ, &ctx(day(2024, 9, 30), 200)).unwrap();
    let refuse =
        complaint::refuse(&c, B, HZ, "不属于本部门管辖", &ctx(day(2024, 9, 30), 201)).unwrap();
    let (accepted, lead) = s.apply(acc).await.unwrap().value;
    assert_eq!(accepted.state, ComplaintState::Accepted);
    let stored_lead = s.lead(lead.id).await.unwrap().unwrap();
    assert_eq!(stored_lead.source, LeadSource::Report);
    assert_eq!(stored_lead.org, HZ);
    assert!(matches!(
        s.apply(refuse).await,
        Err(StoreError::Conflict { .. })
    ));
    let now = s.complaint(c.id).await.unwrap().unwrap();
    assert_eq!(now, accepted, "the losing decision wrote nothing");
    assert_eq!(
        s.object_trail(ObjectType::Complaint, c.id.0)
            .await
            .unwrap()
            .len(),
        2
    );

    // The board: received complaints of the region due by a date.
    let due = s
        .complaints_due(&RegionCode::parse("330000").unwrap(), day(2024, 10, 31), 50)
        .await
        .unwrap();
    assert_eq!(due.iter().map(|c| c.id).collect::<Vec<_>>(), vec![c2.id]);
    let due = s
        .complaints_due(&RegionCode::parse("330100").unwrap(), day(2024, 10, 31), 50)
        .await
        .unwrap();
    assert!(due.is_empty());
}

async fn account_events_record_permission_changes(s: &Store) {
    seed(s).await;
    let before = s.account_events(Some(A), 100).await.unwrap().len();
    assert_eq!(before, 1, "seeding granted A one role");
    let m = Membership {
        user: A,
        org: HZ,
        role: Role::Supervisor,
    };
    assert!(s.put_membership(&m).await.unwrap());
    assert!(
        !s.put_membership(&m).await.unwrap(),
        "granted again: no event"
    );
    assert!(s.delete_membership(&m).await.unwrap());
    let ev = s.account_events(Some(A), 100).await.unwrap();
    assert_eq!(ev.len(), 3);
    assert_eq!(ev[0].event.action, "account.permission_changed");
    assert_eq!(ev[0].event.detail["granted"], false);
    assert_eq!(ev[1].event.detail["granted"], true);
    assert!(ev[0].seq > ev[1].seq);

    let failed = AccountEvent {
        id: uuid::Uuid::now_v7(),
        at: Utc.with_ymd_and_hms(2024, 9, 27, 1, 0, 0).unwrap(),
        action: "account.sign_in_failed".into(),
        user: None,
        org: None,
        login: "nobody".into(),
        ip: Some("203.0.113.9".into()),
        request_id: "r1".into(),
        detail: serde_json::json!({}),
    };
    s.record_account_event(&failed).await.unwrap();
    let all = s.account_events(None, 1).await.unwrap();
    assert_eq!(all[0].event, failed);
    // Append-only.
    assert!(s
        .pool
        .exec("DELETE FROM account_events", vec![])
        .await
        .is_err());
}

async fn board_counts_stay_in_scope(s: &Store) {
    seed(s).await;
    let l = leads(s, HZ, 0, 3).await;
    let _ = leads(s, NB, 10, 1).await;
    register(s, &actor(A, HZ, Role::Officer), l[0], 1).await;
    register(s, &actor(A, HZ, Role::Officer), l[1], 2).await;
    let hz = s.case_state_counts(&Scope::Org(HZ)).await.unwrap();
    assert_eq!(hz, vec![("registered".to_string(), 2)]);
    assert!(s
        .case_state_counts(&Scope::Org(NB))
        .await
        .unwrap()
        .is_empty());
    let zj = s
        .case_state_counts(&Scope::Region(RegionCode::parse("330000").unwrap()))
        .await
        .unwrap();
    assert_eq!(zj, vec![("registered".to_string(), 2)]);

    let since = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let t = s.lead_tallies(&Scope::Org(HZ), since, 100).await.unwrap();
    assert_eq!(t.len(), 3);
    assert!(t.iter().all(|x| x.source == "scan"));
    let region = s
        .lead_tallies(
            &Scope::Region(RegionCode::parse("330000").unwrap()),
            since,
            100,
        )
        .await
        .unwrap();
    assert_eq!(region.len(), 4, "Hangzhou's three and Ningbo's one");
    assert!(s
        .lead_tallies(
            &Scope::Region(RegionCode::parse("320000").unwrap()),
            since,
            100
        )
        .await
        .unwrap()
        .is_empty());
    assert!(s.supervision_orders(OFFICE).await.unwrap().is_empty());
}
