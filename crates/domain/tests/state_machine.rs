//! Property tests of the case state machine: random command sequences by random actors
//! never reach a state the table does not allow and never break the invariants.

use chrono::{Days, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use wangjian_calendar::Calendar;
use wangjian_domain::case::{
    actions_from, apply, register_case, transition, CaseFile, Env, Party, RegisterCase, Target,
};
use wangjian_domain::deadline::{DeadlineKind, RuleSet};
use wangjian_domain::*;

const AMR: OrgId = OrgId::from_u128(1);
const POLICE: OrgId = OrgId::from_u128(2);
const TOBACCO: OrgId = OrgId::from_u128(3);

fn actors() -> Vec<Actor> {
    let a = |u: u128, org, roles: Vec<Role>| Actor {
        user: UserId::from_u128(u),
        org,
        roles,
    };
    vec![
        a(10, AMR, vec![Role::Officer]),
        a(11, AMR, vec![Role::Officer]),
        a(12, AMR, vec![Role::Supervisor]),
        a(13, AMR, vec![Role::Admin]),
        a(14, AMR, vec![Role::PlatformOperator]),
        a(20, POLICE, vec![Role::Officer]),
        a(30, TOBACCO, vec![Role::Officer]),
        a(31, TOBACCO, vec![Role::Supervisor]),
    ]
}

fn command(i: u8, flag: bool, today: NaiveDate) -> CaseCommand {
    let u = |n| UserId::from_u128(n);
    let s = |x: &str| x.to_string();
    match i % 25 {
        0 => CaseCommand::StartVerification { verifier: u(10) },
        1 => CaseCommand::Open {
            case_officer: u(if flag { 10 } else { 11 }),
            co_officers: vec![u(11), u(10)],
            legal_basis: s("商标法"),
        },
        2 => CaseCommand::Decline {
            reason: if flag { s("轻微") } else { s("") },
        },
        3 => CaseCommand::BeginInvestigation,
        4 => CaseCommand::RequestTesting {
            testing_body: s("权利人"),
            items: s("鞋"),
        },
        5 => CaseCommand::CompleteTesting {
            result_summary: s("假冒"),
        },
        6 => CaseCommand::IssuePenaltyNotice {
            proposed_penalty: s("罚款"),
            legal_basis: s("商标法第六十条"),
        },
        7 => CaseCommand::DecidePenalty {
            decision_number: s("处〔2024〕1号"),
            fine_fen: 100,
            amount_involved_fen: 0,
            confiscated_fen: 0,
            legal_basis: s("商标法"),
            statement_closed: flag,
        },
        8 => CaseCommand::BeginEnforcement { served_on: today },
        9 => CaseCommand::RecordDisclosure {
            reference: s("https://gsxt.example/1"),
        },
        10 => CaseCommand::Close {
            summary: s("结案")
        },
        11 => CaseCommand::ReferToPolice {
            police_org: POLICE,
            police_agency_type: if flag {
                AgencyType::Police
            } else {
                AgencyType::Tobacco
            },
            legal_basis: s("移送规定"),
            reason: s("涉嫌犯罪"),
            materials: vec![],
            case_file_list: vec![s("案卷")],
            evidence_list: vec![s("证据")],
            seized_goods_list: vec![s("无")],
        },
        12 => CaseCommand::AcknowledgeReferral,
        13 => CaseCommand::RefuseReferral {
            reason: s("材料不全"),
        },
        14 => CaseCommand::PoliceFile {
            reference_number: s("立字1号"),
            notes: s(""),
        },
        15 => CaseCommand::PoliceDecline {
            reference_number: s("不立字1号"),
            reason: s("未达标准"),
        },
        16 => CaseCommand::TransferOut {
            to_org: TOBACCO,
            legal_basis: s("烟草专卖法"),
            reason: s("卷烟"),
            materials: vec![],
        },
        17 => CaseCommand::AcceptTransfer,
        18 => CaseCommand::RefuseTransfer {
            reason: s("不属管辖"),
        },
        19 => CaseCommand::Suspend {
            reason: s("下落不明"),
        },
        20 => CaseCommand::Resume,
        21 => CaseCommand::Terminate {
            reason: s("死亡")
        },
        22 => CaseCommand::ReassignOfficer {
            case_officer: u(if flag { 11 } else { 10 }),
        },
        23 => CaseCommand::ExtendDeadline {
            kind: if flag {
                DeadlineKind::LeadVerification
            } else {
                DeadlineKind::CaseDecision
            },
            days: 5,
            reason: s("复杂"),
            collective: false,
        },
        _ => CaseCommand::LinkLead {
            lead: LeadId::from_u128(1000 + u128::from(i)),
        },
    }
}

fn ctx(day: NaiveDate, seq: u128) -> Context {
    let now = Utc.from_utc_datetime(&day.and_hms_opt(2, 0, 0).unwrap());
    Context::with_counter(RequestId::from_u128(seq), now, (seq + 1) << 40, 32)
}

/// Half the time, pick a command the current state allows and an actor of the party that
/// may make it, so that random walks reach the deep states; otherwise anything at all.
fn pick(
    file: &CaseFile,
    actors: &[Actor],
    who: usize,
    cmd_i: u8,
    flag: bool,
    bias: bool,
    day: NaiveDate,
) -> (usize, CaseCommand) {
    if !bias {
        return (who, command(cmd_i, flag, day));
    }
    let allowed = actions_from(file.case.state);
    let candidates: Vec<u8> = (0u8..25)
        .filter(|i| allowed.contains(&command(*i, flag, day).action()))
        .collect();
    if candidates.is_empty() {
        return (who, command(cmd_i, flag, day));
    }
    let i = candidates[usize::from(cmd_i) % candidates.len()];
    let cmd = command(i, flag, day);
    let org = match transition(cmd.action()).party {
        Party::Responsible => file.case.responsible_org,
        Party::Receiver => file.case.pending_transfer.map_or(AMR, |p| p.receiver),
    };
    let fitting: Vec<usize> = (0..actors.len())
        .filter(|&k| actors[k].org == org)
        .collect();
    let who = fitting
        .get(who % fitting.len().max(1))
        .copied()
        .unwrap_or(who);
    (who, cmd)
}

/// Deterministic walks (a small LCG) must reach every state: the property test is only
/// as good as the states it visits.
#[test]
fn biased_walks_reach_every_state() {
    let env = Env {
        rules: RuleSet::defaults().unwrap(),
        overrides: &[],
        calendar: Calendar::china(),
    };
    let actors = actors();
    let mut seen = std::collections::BTreeSet::new();
    let mut x: u64 = 42;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        x >> 33
    };
    for walk in 0..300u128 {
        let mut day = NaiveDate::from_ymd_opt(2024, 9, 27).unwrap();
        let reg = RegisterCase {
            number: case::CaseNumber {
                org: AMR,
                prefix: "HZSJ".into(),
                year: 2024,
                seq: 1,
            },
            title: "t".into(),
            leads: vec![(
                LeadId::from_u128(1),
                Utc.with_ymd_and_hms(2024, 9, 27, 1, 0, 0).unwrap(),
            )],
        };
        let mut file = register_case(&actors[0], &reg, env, &ctx(day, walk << 8))
            .unwrap()
            .into_parts()
            .0;
        seen.insert(file.case.state);
        for n in 0..40u128 {
            day = day.checked_add_days(Days::new(next() % 4)).unwrap();
            let (who, cmd) = pick(
                &file,
                &actors,
                (next() % 8) as usize,
                (next() % 256) as u8,
                next() % 2 == 0,
                true,
                day,
            );
            if let Ok(c) = apply(
                &file,
                &actors[who],
                &cmd,
                env,
                &ctx(day, (walk << 8) + n + 1),
            ) {
                file = c.into_parts().0;
                seen.insert(file.case.state);
            }
        }
    }
    assert_eq!(seen.len(), CaseState::ALL.len(), "reached only {seen:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn random_sequences_keep_the_invariants(
        steps in prop::collection::vec((0usize..8, any::<u8>(), any::<bool>(), 0u64..4, any::<bool>()), 1..60)
    ) {
        let env = Env { rules: RuleSet::defaults().unwrap(), overrides: &[], calendar: Calendar::china() };
        let actors = actors();
        let mut day = NaiveDate::from_ymd_opt(2024, 9, 27).unwrap();
        let reg = RegisterCase {
            number: case::CaseNumber { org: AMR, prefix: "HZSJ".into(), year: 2024, seq: 1 },
            title: "t".into(),
            leads: vec![(LeadId::from_u128(1), Utc.with_ymd_and_hms(2024, 9, 27, 1, 0, 0).unwrap())],
        };
        let mut file = register_case(&actors[0], &reg, env, &ctx(day, 0)).unwrap().into_parts().0;
        let mut accepted = 0;
        for (n, (who, cmd_i, flag, advance, bias)) in steps.into_iter().enumerate() {
            day = day.checked_add_days(Days::new(advance)).unwrap();
            let (who, cmd) = pick(&file, &actors, who, cmd_i, flag, bias, day);
            let before = file.clone();
            let result = apply(&before, &actors[who], &cmd, env, &ctx(day, n as u128 + 1));
            let Ok(change) = result else {
                // Refused: nothing changed (apply takes the file by reference).
                continue;
            };
            accepted += 1;
            prop_assert!(!before.case.state.is_final(), "final state {} accepted {:?}", before.case.state, cmd);
            let (after, events) = change.into_parts();
            // The state reached is the one the table names.
            let t = transition(cmd.action());
            prop_assert!(t.from.contains(&before.case.state));
            let expected = match t.to {
                Target::To(s) => s,
                Target::Same => before.case.state,
                Target::Return => before.case.resume_to.unwrap(),
            };
            prop_assert_eq!(after.case.state, expected);
            // Version +1, at least one event, the case's first.
            prop_assert_eq!(after.case.version, before.case.version + 1);
            prop_assert!(!events.is_empty());
            prop_assert_eq!(events[0].object_id, after.case.id.uuid());
            // Every changed or new deadline and transfer has its event and version +1.
            for d in &after.deadlines {
                match before.deadlines.iter().find(|x| x.id == d.id) {
                    Some(old) if old == d => {}
                    Some(old) => {
                        prop_assert_eq!(d.version, old.version + 1);
                        prop_assert!(events.iter().any(|e| e.object_id == d.id.uuid()));
                    }
                    None => {
                        prop_assert_eq!(d.version, 1);
                        prop_assert!(events.iter().any(|e| e.object_id == d.id.uuid()));
                    }
                }
            }
            for t in &after.transfers {
                let old = before.transfers.iter().find(|x| x.id == t.id);
                if old != Some(t) {
                    prop_assert!(events.iter().any(|e| e.object_id == t.id.uuid()));
                }
            }
            // Exactly one case officer while the case is worked; not also a co-officer.
            let c = &after.case;
            if c.state.needs_case_officer() {
                let officer = c.case_officer.unwrap();
                prop_assert!(!c.co_officers.contains(&officer));
                prop_assert!(!c.co_officers.is_empty());
            }
            // Pending transfer and return state exactly where they belong.
            let waiting = matches!(c.state, CaseState::TransferPending | CaseState::ReferredToPolice);
            prop_assert_eq!(c.pending_transfer.is_some(), waiting);
            prop_assert_eq!(c.resume_to.is_some(), waiting || c.state == CaseState::Suspended);
            // At most one open deadline per kind and object; none open on a final case.
            for d in after.deadlines.iter().filter(|d| d.is_open()) {
                prop_assert!(!c.state.is_final() || d.object_type != ObjectType::Case,
                    "final case {} keeps {} open", c.state, d.kind());
                let same = after.deadlines.iter().filter(|x| x.is_open() && x.kind() == d.kind() && x.object_id == d.object_id).count();
                prop_assert_eq!(same, 1);
            }
            prop_assert_eq!(c.originating_org, AMR);
            file = after;
        }
        let _ = accepted;
    }
}
