//! The calendar in use and loading a holiday notice, on both backends: a case deadline
//! counted into a year without its notice is stored provisional; loading the notice (as
//! an administrator) stores it, recomputes the deadline in the same transaction with an
//! audited `deadline.recalculate`, and the officer of the case finds it; a year already
//! published, a malformed file and a non-administrator are refused and change nothing.

use wangjian_domain::calendar_notice::RECALCULATE;

use super::*;

contract!(notice_load_recomputes_provisional_deadlines);

/// A made-up 2027 notice: 元旦 1–5 January off, Monday 4 and Tuesday 5 given without
/// make-up days (as 2020's extended Spring Festival was).
const FAKE_2027: &str = "year 2027\nnotice 测试〔2026〕1号 2026-12-20 测试用2027年通知\n\
    holiday 2027-01-01..2027-01-05 元旦\n";

async fn notice_load_recomputes_provisional_deadlines(s: &Store) {
    seed(s).await;
    let admin_user = UserId::from_u128(15);
    s.put_user(
        &User {
            id: admin_user,
            name: "admin".into(),
            version: 1,
        },
        Some("admin"),
    )
    .await
    .unwrap();
    s.put_membership(&Membership {
        user: admin_user,
        org: HZ,
        role: Role::Admin,
    })
    .await
    .unwrap();
    // A lead that came in on Thursday 2026-12-24.
    let mut input = listing(1, "高仿 N1ke 1", Some(HZ));
    input.captured_at = ctx(day(2026, 12, 24), 0).now;
    s.import_listings(std::slice::from_ref(&input))
        .await
        .unwrap();
    let key = wangjian_domain::lead::LeadDedupKey::Scan {
        snapshot_hash: input.content.content_hash(),
        rule_set_version: "rs1".into(),
    };
    let l = [lead_id_for(HZ, &key)];
    let officer = actor(A, HZ, Role::Officer);
    let req = CaseNumberRequest {
        title: "销售假冒注册商标的商品".into(),
        leads: vec![l[0]],
    };
    let on = day(2026, 12, 24);
    let reg = s
        .register_case(&officer, &req, env(), &ctx(on, 1))
        .await
        .unwrap();
    let started = s
        .run_case_command(
            reg.value.case.id,
            &officer,
            &CaseCommand::StartVerification { verifier: A },
            env(),
            &ctx(on, 2),
        )
        .await
        .unwrap();
    let before = started
        .value
        .deadlines
        .iter()
        .find(|d| d.is_open())
        .unwrap()
        .clone();
    assert_eq!(before.start, on);
    assert!(before.provisional, "counted into 2027: provisional");
    assert_eq!(
        s.calendar().await.unwrap().published_years().last(),
        Some(2026)
    );

    // Refused: not an administrator; a malformed file; a year already published.
    assert!(s
        .load_calendar_notice(&officer, FAKE_2027, ctx(on, 3).request_id, ctx(on, 3).now)
        .await
        .is_err());
    let admin = actor(admin_user, HZ, Role::Admin);
    let err = s
        .load_calendar_notice(
            &admin,
            "year 2027\nholiday 2027-01-01 元旦\n",
            ctx(on, 4).request_id,
            ctx(on, 4).now,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
    let y2026 = FAKE_2027
        .replace("2027", "2026")
        .replace("2026-12-20", "2025-12-20");
    assert!(s
        .load_calendar_notice(&admin, &y2026, ctx(on, 5).request_id, ctx(on, 5).now)
        .await
        .is_err());
    assert!(s.calendar_notices().await.unwrap().is_empty());
    assert_eq!(s.case_file(reg.value.case.id).await.unwrap(), started.value);

    let loaded = s
        .load_calendar_notice(
            &admin,
            FAKE_2027,
            ctx(day(2026, 12, 28), 6).request_id,
            ctx(day(2026, 12, 28), 6).now,
        )
        .await
        .unwrap();
    assert_eq!(loaded.years, vec![2027]);
    assert_eq!(loaded.moved.len(), 1);
    let after = &loaded.moved[0].1;
    assert!(!after.provisional);
    assert_eq!(
        after.due,
        loaded
            .calendar
            .add_workdays(before.start, before.rule.length)
            .unwrap()
    );
    assert_ne!(
        after.due, before.due,
        "two more days off before the due date"
    );
    // Stored: the notice, the deadline, its event; the calendar in use has 2027.
    let notices = s.calendar_notices().await.unwrap();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].years, vec![2027]);
    assert_eq!(notices[0].loaded_by, admin_user);
    assert_eq!(notices[0].text, FAKE_2027);
    let cal = s.calendar().await.unwrap();
    assert!(!cal.is_provisional(day(2027, 1, 4)).unwrap());
    let file = s.case_file(reg.value.case.id).await.unwrap();
    let stored = file.deadlines.iter().find(|d| d.id == before.id).unwrap();
    assert_eq!(stored, after);
    let trail = s
        .object_trail(wangjian_domain::ObjectType::Deadline, before.id.0)
        .await
        .unwrap();
    let last = &trail.last().unwrap().event;
    assert_eq!(last.action, RECALCULATE);
    assert_eq!(last.actor, admin_user);
    // The officer's home page.
    let seen = s
        .recalculated_deadlines(A, ctx(on, 0).now, 10)
        .await
        .unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].old_due, Some(before.due));
    assert_eq!(seen[0].new_due, Some(after.due));
    assert!(s
        .recalculated_deadlines(B, ctx(on, 0).now, 10)
        .await
        .unwrap()
        .is_empty());
    // The same file again: the year is published now.
    assert!(s
        .load_calendar_notice(
            &admin,
            FAKE_2027,
            ctx(day(2026, 12, 29), 7).request_id,
            ctx(day(2026, 12, 29), 7).now
        )
        .await
        .is_err());
}
