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
    reads_of_contacts_are_recorded,
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

/// A read of a contact is one audit event on the complaint, in the trail and the evidence
/// log, and changes nothing.
async fn reads_of_contacts_are_recorded(s: &Store) {
    seed(s).await;
    let c = submit(s, "330106", 3, b"x").await;
    let size = s.log_size().await.unwrap();
    let read = complaint::read_contact(&c, A, HZ, &ctx(day(2024, 9, 30), 300)).unwrap();
    let seq = s.record_read(read).await.unwrap();
    let trail = s.object_trail(ObjectType::Complaint, c.id.0).await.unwrap();
    let last = trail.last().unwrap();
    assert_eq!(
        (last.seq, last.event.action.as_str()),
        (seq, "complaint.read_contact")
    );
    assert_eq!(last.event.actor, A);
    assert!(last.event.changed.is_empty());
    assert_eq!(s.log_size().await.unwrap(), size + 1, "in the evidence log");
    assert_eq!(
        s.complaint(c.id).await.unwrap().unwrap(),
        c,
        "nothing changed"
    );
}

async fn complaints_submit_accept_and_scope(s: &Store) {
    seed(s).await;
    let c = submit(s, "330106", 1, b"\x89PNG fake").await;
    assert_eq!(c.handler, HZ);
    assert_eq!(c.accept_due, day(2024, 10, 12));
    // The same bytes again are stored once; a second complaint from Ningbo.
    let c2 = submit(s, "330203", 2, b"\x89PNG fake").await;
    assert_eq!(c2.handler, NB);

    // Found by the number the submitter holds, kept only as its digest.
    let number = complaint::tracking_number([1; 10]);
    let found = s
        .complaint_by_tracking(&number.to_lowercase())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, c);
    assert_eq!(
        Some(c.tracking_digest.clone()),
        complaint::tracking_digest(&number)
    );
    assert!(s
        .complaint_by_tracking("not a number")
        .await
        .unwrap()
        .is_none());
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

    // Counted in SQL by period: the leads arrived on 2024-09-02 01:00 UTC.
    let day = |d| Utc.with_ymd_and_hms(2024, 9, d, 0, 0, 0).unwrap();
    let bounds = [day(1), day(2), day(3), day(4)];
    let t = s.lead_counts(&Scope::Org(HZ), &bounds, 100).await.unwrap();
    assert_eq!(
        t,
        vec![LeadCount {
            period: 1,
            source: "scan".into(),
            reasons: None,
            count: 3
        }]
    );
    let region = s
        .lead_counts(
            &Scope::Region(RegionCode::parse("330000").unwrap()),
            &bounds,
            100,
        )
        .await
        .unwrap();
    assert_eq!(
        region
            .iter()
            .map(|c| (c.period, c.count))
            .collect::<Vec<_>>(),
        [(1, 4)],
        "Hangzhou's three and Ningbo's one"
    );
    assert!(s
        .lead_counts(
            &Scope::Region(RegionCode::parse("320000").unwrap()),
            &bounds,
            100
        )
        .await
        .unwrap()
        .is_empty());
    // Outside the bounds nothing is counted; bounds must ascend.
    assert!(s
        .lead_counts(&Scope::Org(HZ), &[day(3), day(4)], 100)
        .await
        .unwrap()
        .is_empty());
    assert!(s
        .lead_counts(&Scope::Org(HZ), &[day(3), day(1)], 100)
        .await
        .is_err());
    // The registered cases' running deadlines are overdue long after they were due.
    let overdue = s
        .overdue_by_org(
            &Scope::Org(HZ),
            NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0].0, HZ);
    assert!(overdue[0].1 >= 2, "{overdue:?}");
    let zj_overdue = s
        .overdue_by_org(
            &Scope::Region(RegionCode::parse("330000").unwrap()),
            NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(zj_overdue, overdue);
    assert!(s
        .overdue_by_org(
            &Scope::Org(HZ),
            NaiveDate::from_ymd_opt(2024, 9, 2).unwrap()
        )
        .await
        .unwrap()
        .is_empty());
    assert!(s.supervision_orders(OFFICE).await.unwrap().is_empty());
}

/// Migration v10 on a database that holds complaints with tracking numbers in clear: each
/// becomes its digest (found by the number as before), the number is gone from the table,
/// and the lead made from an accepted one is re-keyed on the digest.
async fn migration_v10_hashes_stored_tracking_numbers(s: &Store) {
    s.pool.migrate_until(9).await.unwrap();
    seed(s).await;
    let number = complaint::tracking_number([9; 10]);
    let orgs = s.organizations().await.unwrap();
    let c = complaint::submit(
        &submission("330106"),
        vec![],
        number.clone(),
        &orgs,
        RuleSet::defaults().unwrap(),
        Calendar::china(),
        &ctx(day(2024, 9, 27), 400),
    )
    .unwrap()
    .new_value()
    .clone();
    // The lead as made before v10: keyed by the number itself.
    let acc = complaint::accept(&c, A, HZ, &ctx(day(2024, 9, 30), 401)).unwrap();
    let (_, mut lead) = acc.new_value().clone();
    let old_key =
        wangjian_domain::lead::LeadDedupKey::new(LeadSource::Report, None, None, Some(&number))
            .unwrap();
    lead.dedup_key = old_key.clone();
    let lead_event = acc.events()[1].clone();
    s.intake_lead(Change::new(
        lead.clone(),
        Events::new(vec![lead_event]).unwrap(),
    ))
    .await
    .unwrap();
    let mut tx = s.pool.begin_write().await.unwrap();
    tx.exec(
        "INSERT INTO complaints (id, tracking_number, kind, text, links, contact, respondent, \
         region, handler, submitted_at, accept_due, attachments, state, decided_by, \
         decided_at, refusal_reason, outcome, lead, version) VALUES ($1, $2, $3, $4, $5, $6, \
         $7, $8, $9, $10, $11, $12, $13, NULL, NULL, NULL, NULL, $14, 2)",
        vec![
            crate::value::Val::from(c.id.0),
            crate::value::Val::from(number.as_str()),
            crate::value::Val::from("report"),
            crate::value::Val::from(c.text.as_str()),
            crate::value::Val::Json(Some(serde_json::json!(c.links))),
            crate::value::Val::from("张三 13800138000"),
            crate::value::Val::from(c.respondent.as_str()),
            crate::value::Val::from("330106"),
            crate::value::Val::from(HZ.0),
            crate::value::Val::from(c.submitted_at),
            crate::value::Val::from(c.accept_due),
            crate::value::Val::Json(Some(serde_json::json!([]))),
            crate::value::Val::from("accepted"),
            crate::value::Val::from(lead.id.0),
        ],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    assert_eq!(s.pool.migrate_until(10).await.unwrap(), vec![10]);
    s.migrate().await.unwrap();
    let found = s.complaint_by_tracking(&number).await.unwrap().unwrap();
    assert_eq!(found.id, c.id);
    assert_eq!(
        Some(found.tracking_digest.clone()),
        complaint::tracking_digest(&number)
    );
    assert_eq!(found.contact, "张三 13800138000");
    assert_eq!(found.lead, Some(lead.id));
    assert!(
        s.pool
            .fetch("SELECT tracking_number FROM complaints", vec![])
            .await
            .is_err(),
        "the number is gone"
    );
    let rekeyed = s.lead(lead.id).await.unwrap().unwrap();
    assert_eq!(
        rekeyed.dedup_key,
        wangjian_domain::lead::LeadDedupKey::new(
            LeadSource::Report,
            None,
            None,
            Some(&found.tracking_digest)
        )
        .unwrap()
    );
    let dump = serde_json::to_string(&rekeyed).unwrap();
    assert!(!dump.contains(&number));
    // Unique on the digest: the same number cannot be stored twice.
    let again = complaint::submit(
        &submission("330106"),
        vec![],
        number,
        &orgs,
        RuleSet::defaults().unwrap(),
        Calendar::china(),
        &ctx(day(2024, 9, 28), 402),
    )
    .unwrap();
    assert!(s.submit_complaint(again, &[]).await.is_err());
}

mod migration_v10 {
    use crate::tests::TestDb;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let db = TestDb::sqlite_migrated(false).await;
        super::migration_v10_hashes_stored_tracking_numbers(&db.store).await;
        db.finish().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let Some(db) = TestDb::postgres_migrated(false).await else {
            return;
        };
        super::migration_v10_hashes_stored_tracking_numbers(&db.store).await;
        db.finish().await;
    }
}
