//! One test per transition (legal and illegal), walking real cases through the 2024
//! calendar.

use chrono::{TimeZone, Utc};

use super::*;
use crate::audit::digest;
use crate::id::RequestId;

pub(crate) const AMR: OrgId = OrgId::from_u128(1);
pub(crate) const POLICE: OrgId = OrgId::from_u128(2);
pub(crate) const TOBACCO: OrgId = OrgId::from_u128(3);
const A: UserId = UserId::from_u128(10);
const B: UserId = UserId::from_u128(11);
const S: UserId = UserId::from_u128(12);
const C: UserId = UserId::from_u128(13);
const P: UserId = UserId::from_u128(20);
const T: UserId = UserId::from_u128(30);

fn actor(user: UserId, org: OrgId, role: Role) -> Actor {
    Actor {
        user,
        org,
        roles: vec![role],
    }
}
fn officer_a() -> Actor {
    actor(A, AMR, Role::Officer)
}
fn officer_c() -> Actor {
    actor(C, AMR, Role::Officer)
}
fn supervisor() -> Actor {
    actor(S, AMR, Role::Supervisor)
}
fn police() -> Actor {
    actor(P, POLICE, Role::Officer)
}
fn tobacco() -> Actor {
    actor(T, TOBACCO, Role::Officer)
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn env() -> Env<'static> {
    Env {
        rules: RuleSet::defaults().unwrap(),
        overrides: &[],
        calendar: Calendar::china(),
    }
}

/// 10:00 Shanghai time on `day`.
fn ctx(day: NaiveDate, seq: u128) -> Context {
    let now = Utc.from_utc_datetime(&day.and_hms_opt(2, 0, 0).unwrap());
    Context::with_counter(RequestId::from_u128(seq), now, (seq + 1) << 32, 16)
}

fn registered(day: NaiveDate) -> CaseFile {
    let found = Utc.with_ymd_and_hms(2024, 9, 27, 3, 0, 0).unwrap();
    let cmd = RegisterCase {
        number: CaseNumber {
            org: AMR,
            prefix: "浙杭市监立".into(),
            year: 2024,
            seq: 123,
        },
        title: "销售假冒注册商标运动鞋".into(),
        leads: vec![
            (LeadId::from_u128(100), found),
            (LeadId::from_u128(101), found + chrono::Duration::days(1)),
        ],
    };
    register_case(&officer_a(), &cmd, env(), &ctx(day, 1))
        .unwrap()
        .into_parts()
        .0
}

fn run(f: &CaseFile, who: &Actor, cmd: CaseCommand, day: NaiveDate) -> CaseFile {
    let seq = f.case.version as u128 + 1;
    let change =
        apply(f, who, &cmd, env(), &ctx(day, seq)).unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let (after, events) = change.into_parts();
    assert_eq!(after.case.version, f.case.version + 1);
    assert_eq!(events[0].object_type, ObjectType::Case);
    assert_eq!(events[0].after_digest, digest(&to_value(&after.case)));
    assert_eq!(events[0].before_digest, Some(digest(&to_value(&f.case))));
    after
}

fn err(f: &CaseFile, who: &Actor, cmd: CaseCommand, day: NaiveDate) -> CaseError {
    apply(f, who, &cmd, env(), &ctx(day, 99)).unwrap_err()
}

fn open_dl(f: &CaseFile, kind: DeadlineKind) -> &Deadline {
    f.deadlines
        .iter()
        .find(|x| x.kind() == kind && x.is_open())
        .unwrap_or_else(|| panic!("no open {kind}"))
}

fn verifying() -> CaseFile {
    let f = registered(d(2024, 9, 27));
    run(
        &f,
        &officer_a(),
        CaseCommand::StartVerification { verifier: A },
        d(2024, 9, 29),
    )
}

fn opened() -> CaseFile {
    let f = verifying();
    run(
        &f,
        &supervisor(),
        CaseCommand::Open {
            case_officer: A,
            co_officers: vec![B],
            legal_basis: "商标法第五十七条".into(),
        },
        d(2024, 10, 8),
    )
}

fn investigating() -> CaseFile {
    run(
        &opened(),
        &officer_a(),
        CaseCommand::BeginInvestigation,
        d(2024, 10, 9),
    )
}

#[test]
fn register_links_leads_and_starts_verification_from_the_earliest_lead() {
    let f = registered(d(2024, 9, 28));
    assert_eq!(f.case.state, CaseState::Registered);
    assert_eq!((f.case.originating_org, f.case.responsible_org), (AMR, AMR));
    assert_eq!(f.links.len(), 2);
    assert_eq!(f.case.number.document_form(), "浙杭市监立〔2024〕123号");
    assert_eq!(f.case.number.simple_form(), "浙杭市监立-2024-000123");
    // Lead found 2024-09-27 (11:00 Shanghai): due 2024-10-23, counted by hand.
    assert_eq!(
        open_dl(&f, DeadlineKind::LeadVerification).due,
        d(2024, 10, 23)
    );
    let platform = actor(A, AMR, Role::PlatformOperator);
    let cmd = RegisterCase {
        number: f.case.number.clone(),
        title: "x".into(),
        leads: vec![],
    };
    assert!(matches!(
        register_case(&platform, &cmd, env(), &ctx(d(2024, 9, 28), 1)),
        Err(CaseError::Denied(_))
    ));
    assert!(matches!(
        register_case(&officer_a(), &cmd, env(), &ctx(d(2024, 9, 28), 1)),
        Err(CaseError::Missing { field: "leads", .. })
    ));
}

#[test]
fn open_requires_a_supervisor_a_case_officer_and_a_second_officer() {
    let f = verifying();
    let cmd = CaseCommand::Open {
        case_officer: A,
        co_officers: vec![B],
        legal_basis: "商标法".into(),
    };
    assert!(matches!(
        err(&f, &officer_a(), cmd, d(2024, 10, 8)),
        CaseError::Denied(Denied::Role { .. })
    ));
    let alone = CaseCommand::Open {
        case_officer: A,
        co_officers: vec![A],
        legal_basis: "商标法".into(),
    };
    assert!(matches!(
        err(&f, &supervisor(), alone, d(2024, 10, 8)),
        CaseError::Missing { .. }
    ));
    let no_basis = CaseCommand::Open {
        case_officer: A,
        co_officers: vec![B],
        legal_basis: " ".into(),
    };
    assert!(matches!(
        err(&f, &supervisor(), no_basis, d(2024, 10, 8)),
        CaseError::Missing {
            field: "legal_basis",
            ..
        }
    ));

    let f = opened();
    assert_eq!(f.case.state, CaseState::Opened);
    assert_eq!(f.case.case_officer, Some(A));
    let lv = f
        .deadlines
        .iter()
        .find(|x| x.kind() == DeadlineKind::LeadVerification)
        .unwrap();
    assert_eq!(
        lv.status,
        crate::deadline::DeadlineStatus::Met { on: d(2024, 10, 8) }
    );
    // 90 days from 2024-10-08: Mon 2025-01-06.
    assert_eq!(open_dl(&f, DeadlineKind::CaseDecision).due, d(2025, 1, 6));
}

#[test]
fn illegal_transition_says_from_where_and_what_would_allow_it() {
    let f = registered(d(2024, 9, 27));
    let e = err(
        &f,
        &supervisor(),
        CaseCommand::Decline { reason: "x".into() },
        d(2024, 9, 30),
    );
    let msg = e.to_string();
    assert!(
        msg.contains("cannot decline a case that is registered (线索登记)"),
        "{msg}"
    );
    assert!(msg.contains("allowed only from: verifying"), "{msg}");
}

#[test]
fn decline_needs_a_reason_and_is_final() {
    let f = verifying();
    let e = err(
        &f,
        &supervisor(),
        CaseCommand::Decline {
            reason: "  ".into(),
        },
        d(2024, 10, 8),
    );
    assert_eq!(
        e,
        CaseError::Missing {
            action: Action::Decline,
            field: "reason"
        }
    );
    let f = run(
        &f,
        &supervisor(),
        CaseCommand::Decline {
            reason: "违法行为轻微并及时改正".into(),
        },
        d(2024, 10, 8),
    );
    assert_eq!(f.case.state, CaseState::Declined);
    assert!(f.deadlines.iter().all(|x| !x.is_open()));
    let e = err(
        &f,
        &supervisor(),
        CaseCommand::LinkLead {
            lead: LeadId::from_u128(5),
        },
        d(2024, 10, 9),
    );
    assert!(matches!(e, CaseError::IllegalTransition { .. }));
}

#[test]
fn only_assigned_officers_or_supervisors_work_an_opened_case() {
    let f = opened();
    let e = err(
        &f,
        &officer_c(),
        CaseCommand::BeginInvestigation,
        d(2024, 10, 9),
    );
    assert_eq!(
        e,
        CaseError::Denied(Denied::NotAssigned {
            action: Action::BeginInvestigation
        })
    );
    let co = actor(B, AMR, Role::Officer);
    assert_eq!(
        run(&f, &co, CaseCommand::BeginInvestigation, d(2024, 10, 9))
            .case
            .state,
        CaseState::Investigating
    );
    let outsider = actor(A, TOBACCO, Role::Officer);
    assert!(matches!(
        err(
            &f,
            &outsider,
            CaseCommand::BeginInvestigation,
            d(2024, 10, 9)
        ),
        CaseError::Denied(Denied::WrongOrganization { .. })
    ));
    let admin = actor(S, AMR, Role::Admin);
    assert!(matches!(
        err(&f, &admin, CaseCommand::BeginInvestigation, d(2024, 10, 9)),
        CaseError::Denied(Denied::Role { .. })
    ));
}

#[test]
fn testing_pauses_the_decision_clock() {
    let f = investigating();
    let f = run(
        &f,
        &officer_a(),
        CaseCommand::RequestTesting {
            testing_body: "权利人".into(),
            items: "鞋 3 双".into(),
        },
        d(2024, 10, 10),
    );
    assert_eq!(f.case.state, CaseState::Testing);
    assert!(open_dl(&f, DeadlineKind::CaseDecision).is_paused());
    let f = run(
        &f,
        &officer_a(),
        CaseCommand::CompleteTesting {
            result_summary: "系假冒".into(),
        },
        d(2024, 10, 20),
    );
    assert_eq!(f.case.state, CaseState::Investigating);
    // Paused 10 natural days: 100 days from 2024-10-08 is Thu 2025-01-16.
    assert_eq!(open_dl(&f, DeadlineKind::CaseDecision).due, d(2025, 1, 16));
}

fn noticed() -> CaseFile {
    run(
        &investigating(),
        &supervisor(),
        CaseCommand::IssuePenaltyNotice {
            proposed_penalty: "罚款五万元".into(),
            legal_basis: "商标法第六十条".into(),
        },
        d(2024, 11, 1),
    )
}

#[test]
fn penalty_decision_waits_for_the_statement_period_unless_closed() {
    let f = noticed();
    // Notice Fri 11-01: statement period 5 working days, to Fri 11-08.
    assert_eq!(
        open_dl(&f, DeadlineKind::StatementPeriod).due,
        d(2024, 11, 8)
    );
    let decide = |closed| CaseCommand::DecidePenalty {
        decision_number: "杭市监处罚〔2024〕88号".into(),
        fine_fen: 5_000_000,
        amount_involved_fen: 0,
        confiscated_fen: 0,
        legal_basis: "商标法第六十条".into(),
        statement_closed: closed,
    };
    let e = err(&f, &supervisor(), decide(false), d(2024, 11, 5));
    assert!(e.to_string().contains("runs until 2024-11-08"), "{e}");
    let early = run(&f, &supervisor(), decide(true), d(2024, 11, 5));
    assert_eq!(early.case.state, CaseState::PenaltyDecided);
    let f = run(&f, &supervisor(), decide(false), d(2024, 11, 11));
    assert_eq!(f.case.penalty.as_ref().unwrap().fine_fen, 5_000_000);
    let cd = f
        .deadlines
        .iter()
        .find(|x| x.kind() == DeadlineKind::CaseDecision)
        .unwrap();
    assert!(matches!(
        cd.status,
        crate::deadline::DeadlineStatus::Met { .. }
    ));
    // Disclosure: 7 working days from Mon 11-11 is Wed 11-20.
    assert_eq!(
        open_dl(&f, DeadlineKind::PenaltyDisclosure).due,
        d(2024, 11, 20)
    );
}

#[test]
fn enforcement_disclosure_and_close() {
    let f = noticed();
    let f = run(
        &f,
        &supervisor(),
        CaseCommand::DecidePenalty {
            decision_number: "杭市监处罚〔2024〕88号".into(),
            fine_fen: 100,
            amount_involved_fen: 0,
            confiscated_fen: 0,
            legal_basis: "商标法第六十条".into(),
            statement_closed: true,
        },
        d(2024, 11, 4),
    );
    let bad = CaseCommand::BeginEnforcement {
        served_on: d(2024, 11, 1),
    };
    assert!(matches!(
        err(&f, &officer_a(), bad, d(2024, 11, 5)),
        CaseError::Guard { .. }
    ));
    let f = run(
        &f,
        &officer_a(),
        CaseCommand::BeginEnforcement {
            served_on: d(2024, 11, 5),
        },
        d(2024, 11, 6),
    );
    // Served Tue 11-05: 15 days is Wed 11-20.
    assert_eq!(open_dl(&f, DeadlineKind::Payment).due, d(2024, 11, 20));
    let close = CaseCommand::Close {
        summary: "罚款已缴".into(),
    };
    assert!(err(&f, &supervisor(), close.clone(), d(2024, 11, 12))
        .to_string()
        .contains("disclosure"));
    let f = run(
        &f,
        &officer_a(),
        CaseCommand::RecordDisclosure {
            reference: "https://gsxt.example/88".into(),
        },
        d(2024, 11, 8),
    );
    let f = run(&f, &supervisor(), close, d(2024, 11, 12));
    assert_eq!(f.case.state, CaseState::Closed);
    assert!(f.deadlines.iter().all(|x| !x.is_open()));
    // A closed case accepts nothing.
    for cmd in [
        CaseCommand::Resume,
        CaseCommand::Terminate { reason: "x".into() },
        CaseCommand::LinkLead {
            lead: LeadId::from_u128(9),
        },
    ] {
        assert!(matches!(
            err(&f, &supervisor(), cmd, d(2024, 11, 13)),
            CaseError::IllegalTransition { .. }
        ));
    }
}

fn referral(seized: Vec<String>, agency: AgencyType) -> CaseCommand {
    CaseCommand::ReferToPolice {
        police_org: POLICE,
        police_agency_type: agency,
        legal_basis: "行政执法机关移送涉嫌犯罪案件的规定第三条".into(),
        reason: "非法经营数额逾五万元".into(),
        materials: vec![EvidenceId::from_u128(7)],
        case_file_list: vec!["立案审批表".into(), "调查终结报告".into()],
        evidence_list: vec!["电子数据提取笔录".into()],
        seized_goods_list: seized,
    }
}

#[test]
fn criminal_referral_needs_the_three_lists_and_a_police_receiver() {
    let f = investigating();
    let e = err(
        &f,
        &supervisor(),
        referral(vec![], AgencyType::Police),
        d(2024, 10, 10),
    );
    assert!(
        matches!(e, CaseError::Missing { field, .. } if field.starts_with("seized_goods_list"))
    );
    let e = err(
        &f,
        &supervisor(),
        referral(vec!["无".into()], AgencyType::Tobacco),
        d(2024, 10, 10),
    );
    assert!(e.to_string().contains("police"), "{e}");
    let f = run(
        &f,
        &supervisor(),
        referral(vec!["假冒运动鞋 120 双".into()], AgencyType::Police),
        d(2024, 10, 10),
    );
    assert_eq!(f.case.state, CaseState::ReferredToPolice);
    assert_eq!(f.case.resume_to, Some(CaseState::Investigating));
    assert_eq!(f.transfers.len(), 1);
    assert!(open_dl(&f, DeadlineKind::CaseDecision).is_paused());
    // The sender cannot answer for the police.
    assert!(matches!(
        err(
            &f,
            &officer_a(),
            CaseCommand::AcknowledgeReferral,
            d(2024, 10, 10)
        ),
        CaseError::Denied(_)
    ));
    // Police sign the receipt on Thu 2024-10-10: 3 days is Sun 10-13, rolled to Mon 10-14.
    let f = run(
        &f,
        &police(),
        CaseCommand::AcknowledgeReferral,
        d(2024, 10, 10),
    );
    let review = open_dl(&f, DeadlineKind::PoliceReview);
    assert_eq!((review.due, review.org), (d(2024, 10, 14), POLICE));
    assert_eq!(f.transfers[0].status, TransferStatus::Accepted);
    // Declined by the police: back to investigating, clock running again.
    let back = run(
        &f,
        &police(),
        CaseCommand::PoliceDecline {
            reference_number: "杭公不立字〔2024〕9号".into(),
            reason: "未达追诉标准".into(),
        },
        d(2024, 10, 14),
    );
    assert_eq!(back.case.state, CaseState::Investigating);
    assert_eq!(back.case.pending_transfer, None);
    assert!(!open_dl(&back, DeadlineKind::CaseDecision).is_paused());
    // Filed by the police: the administrative case closes.
    let filed = run(
        &f,
        &police(),
        CaseCommand::PoliceFile {
            reference_number: "杭公立字〔2024〕1号".into(),
            notes: String::new(),
        },
        d(2024, 10, 14),
    );
    assert_eq!(filed.case.state, CaseState::Closed);
    assert_eq!(filed.transfers[0].status, TransferStatus::FeedbackReported);
    assert!(filed.deadlines.iter().all(|x| !x.is_open()));
}

#[test]
fn transfer_moves_responsibility_on_acceptance_only() {
    let f = verifying();
    let out = CaseCommand::TransferOut {
        to_org: TOBACCO,
        legal_basis: "烟草专卖法".into(),
        reason: "网上销售卷烟".into(),
        materials: vec![],
    };
    let f = run(&f, &supervisor(), out, d(2024, 10, 8));
    assert_eq!(
        (f.case.state, f.case.responsible_org),
        (CaseState::TransferPending, AMR)
    );
    let ack = f
        .deadlines
        .iter()
        .find(|x| x.kind() == DeadlineKind::TransferAcknowledgement)
        .unwrap();
    assert_eq!((ack.org, ack.due), (TOBACCO, d(2024, 10, 14)));
    // Refused: back to the sender, verifying, clock running again.
    let refused = run(
        &f,
        &tobacco(),
        CaseCommand::RefuseTransfer {
            reason: "不属于烟草专卖管辖".into(),
        },
        d(2024, 10, 9),
    );
    assert_eq!(
        (refused.case.state, refused.case.responsible_org),
        (CaseState::Verifying, AMR)
    );
    assert_eq!(
        refused.transfers[0].refusal_reason.as_deref(),
        Some("不属于烟草专卖管辖")
    );
    // Accepted: the receiver is responsible now and verifies afresh; originating stays.
    let acc = run(&f, &tobacco(), CaseCommand::AcceptTransfer, d(2024, 10, 9));
    assert_eq!(
        (
            acc.case.state,
            acc.case.responsible_org,
            acc.case.originating_org
        ),
        (CaseState::Verifying, TOBACCO, AMR)
    );
    let lv: Vec<_> = acc
        .deadlines
        .iter()
        .filter(|x| x.kind() == DeadlineKind::LeadVerification)
        .collect();
    assert_eq!(lv.len(), 2);
    assert!(matches!(
        lv[0].status,
        crate::deadline::DeadlineStatus::Cancelled { .. }
    ));
    assert_eq!((lv[1].org, lv[1].start), (TOBACCO, d(2024, 10, 9)));
    // The sender can no longer act on it.
    assert!(matches!(
        err(
            &acc,
            &supervisor(),
            CaseCommand::Terminate { reason: "x".into() },
            d(2024, 10, 10)
        ),
        CaseError::Denied(_)
    ));
    // Feedback on the order, by the receiver.
    let order = &acc.transfers[0];
    let fb = acc
        .deadlines
        .iter()
        .find(|x| Some(x.id) == order.feedback_deadline)
        .unwrap();
    let c = ctx(d(2024, 10, 20), 50);
    let e = crate::transfer::report_feedback(
        order,
        fb,
        &officer_a(),
        "立案",
        "x",
        "",
        &c,
        Calendar::china(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("receiving organization"));
    let (after, ev) = crate::transfer::report_feedback(
        order,
        fb,
        &tobacco(),
        "已立案",
        "杭烟立〔2024〕5号",
        "",
        &c,
        Calendar::china(),
    )
    .unwrap()
    .into_parts();
    assert_eq!(
        (after.0.status, after.0.version),
        (TransferStatus::FeedbackReported, order.version + 1)
    );
    assert_eq!(ev.len(), 2);
}

#[test]
fn suspend_resume_terminate() {
    let f = investigating();
    let f = run(
        &f,
        &supervisor(),
        CaseCommand::Suspend {
            reason: "当事人下落不明".into(),
        },
        d(2024, 10, 10),
    );
    assert_eq!(
        (f.case.state, f.case.resume_to),
        (CaseState::Suspended, Some(CaseState::Investigating))
    );
    assert!(matches!(
        err(&f, &officer_a(), CaseCommand::Resume, d(2024, 10, 20)),
        CaseError::Denied(_)
    ));
    let resumed = run(&f, &supervisor(), CaseCommand::Resume, d(2024, 10, 20));
    assert_eq!(
        (resumed.case.state, resumed.case.resume_to),
        (CaseState::Investigating, None)
    );
    assert_eq!(
        open_dl(&resumed, DeadlineKind::CaseDecision).due,
        d(2025, 1, 16)
    );
    let t = run(
        &f,
        &supervisor(),
        CaseCommand::Terminate {
            reason: "当事人死亡".into(),
        },
        d(2024, 10, 20),
    );
    assert_eq!(t.case.state, CaseState::Terminated);
    assert!(t.deadlines.iter().all(|x| !x.is_open()));
}

#[test]
fn reassign_keeps_exactly_one_case_officer() {
    let f = investigating();
    let f = run(
        &f,
        &supervisor(),
        CaseCommand::ReassignOfficer { case_officer: C },
        d(2024, 10, 10),
    );
    assert_eq!(f.case.case_officer, Some(C));
    assert!(f.case.co_officers.contains(&A) && !f.case.co_officers.contains(&C));
    assert!(matches!(
        err(
            &f,
            &supervisor(),
            CaseCommand::ReassignOfficer { case_officer: C },
            d(2024, 10, 10)
        ),
        CaseError::Guard { .. }
    ));
    // A is now a co-officer and may still work the case; the new officer too.
    run(
        &f,
        &officer_c(),
        CaseCommand::LinkLead {
            lead: LeadId::from_u128(200),
        },
        d(2024, 10, 11),
    );
}

#[test]
fn extension_is_recorded_with_its_approver() {
    let f = verifying();
    let ext = |days| CaseCommand::ExtendDeadline {
        kind: DeadlineKind::LeadVerification,
        days,
        reason: "需权利人辨认".into(),
        collective: false,
    };
    assert!(matches!(
        err(&f, &officer_a(), ext(15), d(2024, 10, 20)),
        CaseError::Denied(_)
    ));
    assert!(matches!(
        err(&f, &supervisor(), ext(16), d(2024, 10, 20)),
        CaseError::Deadline(_)
    ));
    let f2 = run(&f, &supervisor(), ext(15), d(2024, 10, 20));
    let dl = open_dl(&f2, DeadlineKind::LeadVerification);
    assert_eq!((dl.due, dl.extensions[0].approved_by), (d(2024, 11, 13), S));
    assert_eq!(dl.version, 2);
}

#[test]
fn link_lead_once() {
    let f = verifying();
    let f = run(
        &f,
        &officer_a(),
        CaseCommand::LinkLead {
            lead: LeadId::from_u128(300),
        },
        d(2024, 10, 1),
    );
    assert_eq!(f.links.len(), 3);
    assert!(matches!(
        err(
            &f,
            &officer_a(),
            CaseCommand::LinkLead {
                lead: LeadId::from_u128(300)
            },
            d(2024, 10, 1)
        ),
        CaseError::Guard { .. }
    ));
}

#[test]
fn events_carry_changed_fields_only() {
    let f = registered(d(2024, 9, 27));
    let (after, events) = apply(
        &f,
        &officer_a(),
        &CaseCommand::StartVerification { verifier: A },
        env(),
        &ctx(d(2024, 9, 29), 7),
    )
    .unwrap()
    .into_parts();
    assert_eq!(events.len(), 1, "no deadline changed");
    let fields: Vec<_> = events[0].changed.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["state", "verifier", "version"]);
    assert_eq!(events[0].action, "case.start_verification");
    assert_eq!(events[0].root_case, Some(after.case.id));
    assert_eq!(events[0].request_id, RequestId::from_u128(7));
}

#[test]
fn table_has_one_row_per_action_and_the_diagram_names_everything() {
    let diagram = render_state_diagram();
    let mut actions: Vec<Action> = TRANSITIONS.iter().map(|t| t.action).collect();
    let n = actions.len();
    actions.dedup();
    assert_eq!(actions.len(), n);
    for t in TRANSITIONS {
        assert!(
            diagram.contains(&format!("--{}-->", t.action)),
            "{}",
            t.action
        );
        assert!(
            t.from.iter().all(|s| !s.is_final()),
            "{} leaves a final state",
            t.action
        );
    }
    for s in CaseState::ALL {
        assert!(diagram.contains(s.label_zh()));
        if !s.is_final() {
            assert!(!actions_from(s).is_empty(), "{s} is a dead end");
        }
    }
}
