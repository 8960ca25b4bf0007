//! The coordination office's due report: region containment by code prefix, supervision
//! marks, and statutory deadlines, on the real 2024 calendar.

use chrono::{NaiveDate, TimeZone, Utc};
use uuid::Uuid;
use wangjian_calendar::Calendar;
use wangjian_domain::deadline::{Deadline, DeadlineKind, RuleSet};
use wangjian_domain::supervision::{
    due_report, lift, mark, CaseSummary, DueWhat, SupervisionError, SupervisionLevel,
};
use wangjian_domain::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn summary(n: u128, region: &str, state: CaseState) -> CaseSummary {
    CaseSummary {
        case: CaseId::from_u128(n),
        number: format!("HZSJ-2024-{n:06}"),
        state,
        responsible_org: OrgId::from_u128(100 + n),
        region: RegionCode::parse(region).unwrap(),
    }
}

fn lead_deadline(case: u128, start: NaiveDate) -> Deadline {
    let org = OrgId::from_u128(100 + case);
    let rule = RuleSet::defaults()
        .unwrap()
        .effective(DeadlineKind::LeadVerification, org, &[])
        .unwrap();
    Deadline::start(
        DeadlineId::from_u128(case),
        Some(CaseId::from_u128(case)),
        ObjectType::Case,
        Uuid::from_u128(case),
        org,
        rule,
        start,
        Calendar::china(),
    )
    .unwrap()
}

#[test]
fn office_sees_overdue_and_due_soon_in_its_region_only() {
    let office = OrgId::from_u128(1);
    let hz = RegionCode::parse("330100").unwrap();
    let office_actor = Actor {
        user: UserId::from_u128(5),
        org: office,
        roles: vec![Role::Supervisor],
    };
    let cases = vec![
        summary(1, "330106", CaseState::Verifying), // 西湖区: in Hangzhou
        summary(2, "330203", CaseState::Verifying), // 宁波: outside
        summary(3, "330102", CaseState::Investigating),
    ];
    // Case 1: lead 2024-09-27, due 2024-10-23. Case 2 the same, but outside.
    let deadlines = vec![
        lead_deadline(1, d(2024, 9, 27)),
        lead_deadline(2, d(2024, 9, 27)),
    ];
    let ctx = Context::with_counter(
        RequestId::from_u128(1),
        Utc.with_ymd_and_hms(2024, 10, 18, 2, 0, 0).unwrap(),
        900,
        4,
    );
    let (sup, events) = mark(
        &office_actor,
        &hz,
        true,
        &cases[2],
        SupervisionLevel::City,
        d(2024, 10, 31),
        "限期办结",
        &ctx,
    )
    .unwrap()
    .into_parts();
    assert_eq!(events.len(), 1);
    let nb = summary(9, "330203", CaseState::Verifying);
    assert!(matches!(
        mark(
            &office_actor,
            &hz,
            true,
            &nb,
            SupervisionLevel::City,
            d(2024, 10, 31),
            "",
            &ctx
        ),
        Err(SupervisionError::OutsideRegion { .. })
    ));
    assert_eq!(
        mark(
            &office_actor,
            &hz,
            false,
            &cases[0],
            SupervisionLevel::Key,
            d(2024, 10, 31),
            "",
            &ctx
        )
        .unwrap_err(),
        SupervisionError::NotOffice
    );

    let cal = Calendar::china();
    // On Fri 10-18, within 3 working days (to Wed 10-23): case 1's deadline (3 days left).
    let r = due_report(
        office,
        &hz,
        &cases,
        &deadlines,
        std::slice::from_ref(&sup),
        d(2024, 10, 18),
        3,
        cal,
    )
    .unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(
        (r[0].case, r[0].due, r[0].overdue, r[0].working_days_left),
        (CaseId::from_u128(1), d(2024, 10, 23), false, 3)
    );
    // On 10-28, within 5 working days: case 1 overdue, then the supervision due 10-31.
    let r = due_report(
        office,
        &hz,
        &cases,
        &deadlines,
        std::slice::from_ref(&sup),
        d(2024, 10, 28),
        5,
        cal,
    )
    .unwrap();
    assert_eq!(r.len(), 2);
    assert!(r[0].overdue && r[0].case == CaseId::from_u128(1));
    assert_eq!(
        r[1].what,
        DueWhat::Supervision {
            level: SupervisionLevel::City
        }
    );
    assert_eq!(r[1].working_days_left, 3);
    // A lifted mark is no longer reported.
    let lifted = lift(&office_actor, &sup, &ctx).unwrap().into_parts().0;
    let r = due_report(
        office,
        &hz,
        &cases,
        &deadlines,
        &[lifted],
        d(2024, 10, 28),
        5,
        cal,
    )
    .unwrap();
    assert_eq!(r.len(), 1);
    // The province office sees Ningbo too.
    let zj = RegionCode::parse("330000").unwrap();
    let r = due_report(
        office,
        &zj,
        &cases,
        &deadlines,
        &[],
        d(2024, 10, 28),
        5,
        cal,
    )
    .unwrap();
    assert_eq!(r.len(), 2);
}
