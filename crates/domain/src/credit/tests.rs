use chrono::TimeZone;

use super::*;
use crate::id::RequestId;

fn ctx_on(day: &str, seed: u128) -> Context {
    let d = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
    // 10:00 China time.
    let now = Utc.from_utc_datetime(&d.and_hms_opt(2, 0, 0).unwrap());
    Context::with_counter(RequestId(Uuid::from_u128(seed)), now, seed * 1000, 32)
}

fn supervisor() -> Actor {
    Actor {
        user: UserId::from_u128(7),
        org: OrgId::from_u128(70),
        roles: vec![Role::Supervisor],
    }
}

fn officer() -> Actor {
    Actor {
        roles: vec![Role::Officer],
        ..supervisor()
    }
}

fn file() -> CreditFile {
    CreditFile {
        subject: Subject::enterprise(
            SubjectId::from_u128(1),
            "杭州某某贸易有限公司",
            "91330106MA27XXXXX1",
        )
        .unwrap(),
        records: vec![],
        entries: vec![],
        standing: None,
    }
}

fn record(kind: CreditRecordKind, on: &str, fine_yuan: i64) -> NewRecord {
    NewRecord {
        kind,
        source: "某平台".into(),
        on: NaiveDate::parse_from_str(on, "%Y-%m-%d").unwrap(),
        legal_basis: "《电子商务法》第二十九条".into(),
        reference: "ZC-1".into(),
        summary: "下架侵权商品".into(),
        fine_fen: Some(fine_yuan * 100),
    }
}

fn apply(f: &mut CreditFile, up: CreditUpdate) {
    f.records.extend(up.records);
    for e in up.entries {
        match f.entries.iter_mut().find(|x| x.id == e.id) {
            Some(slot) => *slot = e,
            None => f.entries.push(e),
        }
    }
    if let Some(s) = up.standing {
        f.standing = Some(s);
    }
}

#[test]
fn the_embedded_rules_load_and_cite() {
    let r = CreditRules::defaults().unwrap();
    assert_eq!(r.disclosure.deadline_workdays, 7);
    assert_eq!(r.blacklist.max_months, 36);
    assert_eq!(r.blacklist.repair_after_months, 12);
    assert!(r.class_rules.iter().all(|(_, _, c)| !c.source.is_empty()));
    let bad = RULES.replace("class = \"C\"", "class = \"E\"");
    assert!(CreditRules::parse(&bad)
        .unwrap_err()
        .to_string()
        .contains("class_rule 2"));
}

#[test]
fn the_class_follows_severity_count_and_recency_with_reasons() {
    let rules = CreditRules::defaults().unwrap();
    let mut f = file();
    assert_eq!(
        f.assess(&rules, NaiveDate::from_ymd_opt(2026, 6, 1).unwrap())
            .class,
        CreditClass::A
    );
    let c = add_record(
        &f,
        &officer(),
        &record(CreditRecordKind::PenaltyDecision, "2026-05-01", 5000),
        &rules,
        &ctx_on("2026-06-01", 1),
    )
    .unwrap();
    let (up, events) = c.into_parts();
    assert_eq!(up.standing.as_ref().unwrap().class, CreditClass::B);
    assert!(events.iter().any(|e| e.action == "credit.class"));
    apply(&mut f, up);
    // A second penalty within three years: C, both reasons shown.
    let c = add_record(
        &f,
        &officer(),
        &record(CreditRecordKind::PenaltyDecision, "2026-05-20", 5000),
        &rules,
        &ctx_on("2026-06-01", 2),
    )
    .unwrap();
    let (up, _) = c.into_parts();
    let s = up.standing.clone().unwrap();
    assert_eq!(s.class, CreditClass::C);
    assert_eq!(s.reasons.len(), 2, "{:?}", s.reasons);
    apply(&mut f, up);
    // Three years and a bit later the penalties no longer count.
    let later = NaiveDate::from_ymd_opt(2029, 6, 1).unwrap();
    assert_eq!(f.assess(&rules, later).class, CreditClass::A);
    // A future-dated record is refused, naming the field.
    let e = add_record(
        &f,
        &officer(),
        &record(CreditRecordKind::SelfInspection, "2026-07-01", 0),
        &rules,
        &ctx_on("2026-06-01", 3),
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("on:"), "{e}");
}

fn decision(start: &str, months: u32) -> ListingDecision {
    ListingDecision {
        legal_basis: "《市场监督管理严重违法失信名单管理办法》第十条".into(),
        decision_number: "杭市监列〔2026〕1号".into(),
        start: NaiveDate::parse_from_str(start, "%Y-%m-%d").unwrap(),
        months,
        longer_basis: None,
    }
}

fn decider() -> Decider {
    Decider {
        name: "杭州市市场监督管理局".into(),
        region: "330100".into(),
    }
}

#[test]
fn a_listing_needs_a_supervisor_and_a_term_within_the_regulation() {
    let rules = CreditRules::defaults().unwrap();
    let f = file();
    let ctx = ctx_on("2026-06-01", 1);
    assert!(matches!(
        enter_blacklist(
            &f,
            &officer(),
            &decider(),
            &decision("2026-06-01", 36),
            &rules,
            &ctx
        ),
        Err(CreditError::Role(_))
    ));
    let e = enter_blacklist(
        &f,
        &supervisor(),
        &decider(),
        &decision("2026-06-01", 48),
        &rules,
        &ctx,
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("months:"), "{e}");
    let mut longer = decision("2026-06-01", 60);
    longer.longer_basis = Some("《食品安全法》第一百三十五条 终身禁业".into());
    assert!(enter_blacklist(&f, &supervisor(), &decider(), &longer, &rules, &ctx).is_ok());
    let (up, events) = enter_blacklist(
        &f,
        &supervisor(),
        &decider(),
        &decision("2026-06-01", 36),
        &rules,
        &ctx,
    )
    .unwrap()
    .into_parts();
    let entry = &up.entries[0];
    assert_eq!(entry.end, NaiveDate::from_ymd_opt(2029, 6, 1).unwrap());
    assert_eq!(up.standing.as_ref().unwrap().class, CreditClass::D);
    let actions: Vec<_> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["blacklist.enter", "credit.record", "credit.class"]
    );
    // Expiry is read from the dates.
    assert_eq!(
        entry.state_on(NaiveDate::from_ymd_opt(2029, 5, 31).unwrap()),
        BlacklistState::Active
    );
    assert_eq!(
        entry.state_on(NaiveDate::from_ymd_opt(2029, 6, 1).unwrap()),
        BlacklistState::Expired
    );
    // Once listed, not twice.
    let mut g = f.clone();
    apply(&mut g, up);
    assert!(matches!(
        enter_blacklist(
            &g,
            &supervisor(),
            &decider(),
            &decision("2026-06-01", 36),
            &rules,
            &ctx
        ),
        Err(CreditError::Rule(_))
    ));
}

#[test]
fn repair_waits_exactly_one_year_and_checks_the_three_conditions() {
    let rules = CreditRules::defaults().unwrap();
    let mut f = file();
    let (up, _) = enter_blacklist(
        &f,
        &supervisor(),
        &decider(),
        &decision("2025-06-01", 36),
        &rules,
        &ctx_on("2025-06-01", 1),
    )
    .unwrap()
    .into_parts();
    apply(&mut f, up);
    let entry = f.entries[0].clone();
    let app = RepairApplication {
        applied_on: NaiveDate::from_ymd_opt(2026, 5, 20).unwrap(),
        obligations_fulfilled: "罚款已缴纳(缴款书 123)".into(),
        harm_removed: "已召回并公开致歉".into(),
    };
    // One day short of a year: refused; on the anniversary (满一年): granted. Not stricter.
    let e = repair_blacklist(
        &f,
        &entry,
        &supervisor(),
        &app,
        &rules,
        &ctx_on("2026-05-31", 2),
    )
    .unwrap_err();
    assert!(e.to_string().contains("2026-06-01"), "{e}");
    let (up, events) = repair_blacklist(
        &f,
        &entry,
        &supervisor(),
        &app,
        &rules,
        &ctx_on("2026-06-01", 3),
    )
    .unwrap()
    .into_parts();
    assert_eq!(
        up.entries[0].state_on(NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()),
        BlacklistState::Repaired
    );
    assert_eq!(up.standing.as_ref().unwrap().class, CreditClass::A);
    assert_eq!(events[0].action, "blacklist.repair");
    // Condition (三): a heavier penalty since listing bars repair.
    let mut g = f.clone();
    let (up2, _) = add_record(
        &g,
        &officer(),
        &record(CreditRecordKind::PenaltyDecision, "2026-01-10", 200_000),
        &rules,
        &ctx_on("2026-06-01", 4),
    )
    .unwrap()
    .into_parts();
    apply(&mut g, up2);
    let e = repair_blacklist(
        &g,
        &entry,
        &supervisor(),
        &app,
        &rules,
        &ctx_on("2026-06-01", 5),
    )
    .unwrap_err();
    assert!(e.to_string().contains("(三)"), "{e}");
    // An empty condition names its field; another agency's supervisor may not repair.
    let mut empty = app.clone();
    empty.harm_removed = " ".into();
    assert_eq!(
        repair_blacklist(
            &f,
            &entry,
            &supervisor(),
            &empty,
            &rules,
            &ctx_on("2026-06-01", 6)
        )
        .unwrap_err(),
        CreditError::Empty("harm_removed")
    );
    let other = Actor {
        org: OrgId::from_u128(71),
        ..supervisor()
    };
    assert!(matches!(
        repair_blacklist(&f, &entry, &other, &app, &rules, &ctx_on("2026-06-01", 7)),
        Err(CreditError::Role(_))
    ));
}

#[test]
fn masking_hides_citizen_ids_phones_and_persons_names() {
    assert_eq!(mask_person_name("张三"), "张*");
    assert_eq!(mask_person_name("欧阳娜娜"), "欧***");
    let s = "当事人身份证33010619900101123x,电话13800138000,订单号123456789012345678901";
    let m = mask_text(s);
    assert!(m.contains("330106********123X"), "{m}");
    assert!(m.contains("138****8000"), "{m}");
    assert!(
        m.contains("123456789012345678901"),
        "a longer number is no id: {m}"
    );
    assert!(find_unmasked(&m).is_none());
    assert!(find_unmasked(s).is_some());
}

#[test]
fn a_disclosure_is_due_in_seven_working_days_and_public_for_its_period() {
    let rules = CreditRules::defaults().unwrap();
    let cal = Calendar::china();
    // A decision on Friday 2026-09-25: seven working days over the National Day holiday.
    let due = cal
        .add_workdays(NaiveDate::from_ymd_opt(2026, 9, 25).unwrap(), 7)
        .unwrap();
    assert!(due > NaiveDate::from_ymd_opt(2026, 10, 8).unwrap(), "{due}");
    let person = Subject::person(
        SubjectId::from_u128(2),
        "李四",
        "33010619900101123X",
        &crate::subject::SubjectKey::new(&[1; 32]).unwrap(),
    )
    .unwrap();
    let d = Disclosure {
        id: Uuid::from_u128(9),
        case: CaseId::from_u128(3),
        subject: person.id,
        org: OrgId::from_u128(70),
        org_name: "杭州市市场监督管理局".into(),
        region: "330100".into(),
        party_name: person.name.clone(),
        party_is_person: true,
        uscc: None,
        decision_number: "杭市监罚〔2026〕9号".into(),
        title: "销售假冒商品(联系电话13800138000)".into(),
        legal_basis: "《商标法》第六十条".into(),
        fine_fen: 500_000,
        decided_on: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        due: NaiveDate::from_ymd_opt(2026, 6, 10).unwrap(),
        status: DisclosureStatus::Pending,
        published_on: None,
        published_by: None,
        public_until: None,
        typical: false,
        version: 1,
    };
    assert!(matches!(
        publish(&d, &officer(), false, &rules, &ctx_on("2026-06-05", 1)),
        Err(CreditError::Role(_))
    ));
    let (up, _) = publish(&d, &supervisor(), true, &rules, &ctx_on("2026-06-12", 1))
        .unwrap()
        .into_parts();
    let p = &up.disclosures[0];
    assert!(p.is_late(NaiveDate::from_ymd_opt(2026, 6, 12).unwrap()));
    // 5 000 yuan for a person is a low fine: three months.
    assert_eq!(p.public_until, NaiveDate::from_ymd_opt(2026, 9, 12));
    assert!(p.is_public(NaiveDate::from_ymd_opt(2026, 9, 11).unwrap()));
    assert!(!p.is_public(NaiveDate::from_ymd_opt(2026, 9, 12).unwrap()));
    let public = serde_json::to_string(&p.public()).unwrap();
    assert!(
        public.contains("李*") && !public.contains("李四"),
        "{public}"
    );
    assert!(find_unmasked(&public).is_none(), "{public}");
}
