//! Deadline arithmetic against the real 2024 calendar. Expected dates are counted by hand
//! from 国办发明电〔2023〕7号 (2024 holidays): Mid-Autumn 9-15..17 (Sat 9-14 worked),
//! National Day 10-1..7 (Sun 9-29 and Sat 10-12 worked).

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn cal() -> &'static Calendar {
    Calendar::china()
}

fn org() -> OrgId {
    OrgId::from_u128(1)
}

fn start(kind: DeadlineKind, on: NaiveDate) -> Deadline {
    let rule = RuleSet::defaults()
        .unwrap()
        .effective(kind, org(), &[])
        .unwrap();
    Deadline::start(
        DeadlineId::from_u128(9),
        None,
        ObjectType::Case,
        Uuid::from_u128(5),
        org(),
        rule,
        on,
        cal(),
    )
    .unwrap()
}

fn supervisor_ext(days: u32, on: NaiveDate) -> Extension {
    Extension {
        days,
        approved_by: UserId::from_u128(2),
        approved_on: on,
        reason: "案情复杂".into(),
        collective: false,
    }
}

#[test]
fn embedded_rules_parse_and_cover_every_kind() {
    let rules = RuleSet::defaults().unwrap();
    assert_eq!(rules.rules().count(), DeadlineKind::ALL.len());
    let lv = rules.rule(DeadlineKind::LeadVerification);
    assert_eq!(
        (lv.length, lv.extension, lv.counting),
        (15, 15, Counting::WorkingDays)
    );
    assert!(lv.legal_basis.contains("第十八条"));
    let cd = rules.rule(DeadlineKind::CaseDecision);
    assert_eq!(
        (cd.length, cd.extension, cd.counting),
        (90, 30, Counting::NaturalDays)
    );
    assert_eq!(rules.rule(DeadlineKind::PenaltyDisclosure).length, 7);
    assert_eq!(rules.rule(DeadlineKind::ComplaintAcceptance).length, 7);
    assert_eq!(rules.rule(DeadlineKind::PoliceReview).length, 3);
}

#[test]
fn rule_file_errors_are_reported() {
    assert!(matches!(
        RuleSet::parse("rule = 1"),
        Err(DeadlineError::Rules(_))
    ));
    let one = DEFAULTS.split("\n[[rule]]\n").nth(1).unwrap();
    let err = RuleSet::parse(&format!("[[rule]]\n{one}")).unwrap_err();
    assert!(err.to_string().contains("no rule"), "{err}");
    let twice = format!("{DEFAULTS}\n[[rule]]\n{one}");
    assert!(RuleSet::parse(&twice)
        .unwrap_err()
        .to_string()
        .contains("defined twice"));
}

#[test]
fn lead_found_before_national_day_2024() {
    // Fri 9-27: day 1 is Sun 9-29 (make-up), day 2 Mon 9-30, then 10-8 … Sat 10-12
    // (make-up) is day 7, 10-14 day 8 … 10-23 day 15.
    let dl = start(DeadlineKind::LeadVerification, d(2024, 9, 27));
    assert_eq!(dl.due, d(2024, 10, 23));
    // Warn 3 working days before: 10-22, 10-21, 10-18.
    assert_eq!(dl.warn_at, d(2024, 10, 18));
    assert_eq!(dl.state_on(d(2024, 10, 17)), DeadlineState::OnTrack);
    assert_eq!(dl.state_on(d(2024, 10, 18)), DeadlineState::DueSoon);
    assert_eq!(dl.state_on(d(2024, 10, 23)), DeadlineState::DueSoon);
    assert_eq!(dl.state_on(d(2024, 10, 24)), DeadlineState::Overdue);
}

#[test]
fn complaint_and_disclosure_count_the_make_up_saturday() {
    // 9-29, 9-30, 10-8, 10-9, 10-10, 10-11, Sat 10-12 (worked).
    assert_eq!(
        start(DeadlineKind::ComplaintAcceptance, d(2024, 9, 27)).due,
        d(2024, 10, 12)
    );
    assert_eq!(
        start(DeadlineKind::PenaltyDisclosure, d(2024, 9, 27)).due,
        d(2024, 10, 12)
    );
}

#[test]
fn natural_day_periods_roll_past_holidays() {
    // 90 days from 2024-09-27 is Thu 12-26, a working day.
    assert_eq!(
        start(DeadlineKind::CaseDecision, d(2024, 9, 27)).due,
        d(2024, 12, 26)
    );
    // 90 days from 2024-07-03 is 10-01 (National Day): rolled to Tue 10-08.
    assert_eq!(
        start(DeadlineKind::CaseDecision, d(2024, 7, 3)).due,
        d(2024, 10, 8)
    );
    // Police accept on Sat 9-28: 3 days is 10-01, rolled to 10-08.
    assert_eq!(
        start(DeadlineKind::PoliceReview, d(2024, 9, 28)).due,
        d(2024, 10, 8)
    );
}

#[test]
fn suspension_extends_by_the_paused_working_days() {
    let mut dl = start(DeadlineKind::LeadVerification, d(2024, 9, 27));
    dl.pause(d(2024, 10, 8), "送检验").unwrap();
    assert_eq!(dl.state_on(d(2024, 12, 1)), DeadlineState::Paused);
    assert_eq!(
        dl.pause(d(2024, 10, 9), "x"),
        Err(DeadlineError::AlreadyPaused(DeadlineKind::LeadVerification))
    );
    // Paused working days in (10-08, 10-14]: 9, 10, 11, Sat 12 (worked), 14 = 5.
    dl.resume(d(2024, 10, 14), cal()).unwrap();
    // 15 + 5 = 20 working days from 9-27: 10-30.
    assert_eq!(dl.due, d(2024, 10, 30));
    assert_eq!(
        dl.resume(d(2024, 10, 15), cal()),
        Err(DeadlineError::NotPaused(DeadlineKind::LeadVerification))
    );
}

#[test]
fn natural_suspension_extends_by_natural_days() {
    let mut dl = start(DeadlineKind::CaseDecision, d(2024, 9, 27));
    dl.pause(d(2024, 10, 10), "中止").unwrap();
    dl.resume(d(2024, 10, 20), cal()).unwrap();
    // 100 days from 9-27 is Sun 2025-01-05: rolled to Mon 01-06.
    assert_eq!(dl.due, d(2025, 1, 6));
}

#[test]
fn extensions_are_limited_and_recorded() {
    let mut dl = start(DeadlineKind::LeadVerification, d(2024, 9, 27));
    let err = dl
        .extend(supervisor_ext(16, d(2024, 10, 20)), cal())
        .unwrap_err();
    assert!(matches!(
        err,
        DeadlineError::ExtensionNotAllowed {
            allowed: 15,
            asked: 16,
            ..
        }
    ));
    dl.extend(supervisor_ext(15, d(2024, 10, 20)), cal())
        .unwrap();
    // 30 working days from 9-27: 11-13.
    assert_eq!(dl.due, d(2024, 11, 13));
    assert_eq!(dl.extensions[0].approved_by, UserId::from_u128(2));
    // The allowance is spent; a collective decision is not provided for here.
    let mut collective = supervisor_ext(5, d(2024, 10, 21));
    collective.collective = true;
    assert!(dl.extend(collective, cal()).is_err());

    let mut cd = start(DeadlineKind::CaseDecision, d(2024, 9, 27));
    let mut big = supervisor_ext(60, d(2024, 12, 1));
    big.collective = true;
    assert!(
        cd.extend(big.clone(), cal()).is_err(),
        "collective only after the 30 days"
    );
    cd.extend(supervisor_ext(30, d(2024, 12, 1)), cal())
        .unwrap();
    cd.extend(big, cal()).unwrap();
    assert_eq!(cd.due, cal().add_days_rolled(d(2024, 9, 27), 180).unwrap());
}

#[test]
fn stop_marks_met_or_breached_and_closes() {
    let mut dl = start(DeadlineKind::LeadVerification, d(2024, 9, 27));
    dl.stop(d(2024, 10, 23), cal()).unwrap();
    assert_eq!(
        dl.status,
        DeadlineStatus::Met {
            on: d(2024, 10, 23)
        }
    );
    assert!(matches!(
        dl.pause(d(2024, 10, 24), "x"),
        Err(DeadlineError::NotOpen { .. })
    ));
    let mut late = start(DeadlineKind::LeadVerification, d(2024, 9, 27));
    late.stop(d(2024, 10, 24), cal()).unwrap();
    assert_eq!(late.state_on(d(2024, 10, 24)), DeadlineState::Breached);
}

#[test]
fn overrides_may_only_tighten_statutory_rules() {
    let rules = RuleSet::defaults().unwrap();
    let mk = |kind, length| DeadlineOverride {
        org: org(),
        kind,
        length: Some(length),
        extension: None,
        warn_before: Some(5),
        source: "本局限时办结制度".into(),
    };
    let e = rules
        .effective(
            DeadlineKind::LeadVerification,
            org(),
            &[mk(DeadlineKind::LeadVerification, 10)],
        )
        .unwrap();
    assert_eq!((e.length, e.warn_before), (10, 5));
    assert!(e.legal_basis.contains("本局限时办结制度"));
    // Another agency is not affected.
    let other = rules
        .effective(
            DeadlineKind::LeadVerification,
            OrgId::from_u128(77),
            &[mk(DeadlineKind::LeadVerification, 10)],
        )
        .unwrap();
    assert_eq!(other.length, 15);
    let err = rules
        .effective(
            DeadlineKind::LeadVerification,
            org(),
            &[mk(DeadlineKind::LeadVerification, 20)],
        )
        .unwrap_err();
    assert!(err.to_string().contains("only shorten"), "{err}");
    // A policy default may be set either way.
    let t = rules
        .effective(
            DeadlineKind::TransferAcknowledgement,
            org(),
            &[mk(DeadlineKind::TransferAcknowledgement, 10)],
        )
        .unwrap();
    assert_eq!(t.length, 10);
}

#[test]
fn beyond_the_published_years_is_provisional_and_outside_the_rules_an_error() {
    let rule = RuleSet::defaults()
        .unwrap()
        .effective(DeadlineKind::LeadVerification, org(), &[])
        .unwrap();
    let start_on = |start| {
        Deadline::start(
            DeadlineId::from_u128(1),
            None,
            ObjectType::Case,
            Uuid::nil(),
            org(),
            rule.clone(),
            start,
            cal(),
        )
    };
    assert!(matches!(
        start_on(d(2100, 1, 1)),
        Err(DeadlineError::Calendar(_))
    ));
    let within = |start| start_on(start).unwrap();
    let early = within(d(2026, 6, 1));
    assert!(!early.provisional);
    let late = within(d(2026, 12, 28));
    assert!(late.due > d(2027, 1, 1));
    assert!(late.provisional);
    assert!(within(d(2035, 1, 1)).provisional);
}
