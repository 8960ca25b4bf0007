//! The policy as a table: every principal (organization × role, and the public) against
//! every object and action. Each row lists exactly who is allowed; everyone else must be
//! refused, and whoever may not read the object must get `Hidden` (the 404 of an unknown
//! id), never `Forbidden`.

use std::collections::{BTreeMap, BTreeSet};

use wangjian_domain::case::{Action as CaseAction, CaseState, CaseView};
use wangjian_domain::org::{Actor, AdminLevel, AgencyType, OrgKind, RegionCode, Role};
use wangjian_domain::{OrgId, UserId};

use super::*;

/// (label, kind, region)
fn orgs() -> Vec<(&'static str, OrgKind, &'static str)> {
    let agency = |t| OrgKind::Agency {
        agency_type: t,
        level: AdminLevel::City,
    };
    vec![
        ("hz", agency(AgencyType::MarketRegulation), "330100"),
        ("nb", agency(AgencyType::MarketRegulation), "330200"),
        ("nj", agency(AgencyType::MarketRegulation), "320100"),
        ("hzpolice", agency(AgencyType::Police), "330100"),
        ("zjoffice", OrgKind::CoordinationOffice, "330000"),
        ("jsoffice", OrgKind::CoordinationOffice, "320000"),
        ("plata", OrgKind::Platform, "330100"),
        ("platb", OrgKind::Platform, "330100"),
        ("rha", OrgKind::RightsHolder, "310000"),
        ("rhb", OrgKind::RightsHolder, "310000"),
    ]
}

const ROLES: [(&str, Role); 5] = [
    ("officer", Role::Officer),
    ("supervisor", Role::Supervisor),
    ("admin", Role::Admin),
    ("operator", Role::PlatformOperator),
    ("agent", Role::RightsHolderAgent),
];

fn org_id(label: &str) -> OrgId {
    let i = orgs().iter().position(|o| o.0 == label).unwrap() as u128;
    OrgId::from_u128(0x100 + i)
}

fn user_id(label: &str) -> UserId {
    // Stable per label: a small hash.
    let mut h: u128 = 0xcbf29ce484222325;
    for b in label.bytes() {
        h = (h ^ u128::from(b)).wrapping_mul(0x100000001b3);
    }
    UserId::from_u128(h)
}

fn region(code: &str) -> RegionCode {
    RegionCode::parse(code).unwrap()
}

/// Every principal: the public, each org × role, and a second officer of hz (not assigned
/// to hz's assigned case).
pub(super) fn principals() -> BTreeMap<String, Principal> {
    let mut m = BTreeMap::new();
    m.insert("public".to_string(), Principal::Public);
    let mut add = |label: String, org: &str, kind: &OrgKind, reg: &str, roles: Vec<Role>| {
        m.insert(
            label.clone(),
            Principal::Member(Member {
                actor: Actor {
                    user: user_id(&label),
                    org: org_id(org),
                    roles,
                },
                org_kind: kind.clone(),
                region: region(reg),
            }),
        );
    };
    for (o, kind, reg) in orgs() {
        for (r, role) in ROLES {
            add(format!("{o}.{r}"), o, &kind, reg, vec![role]);
        }
    }
    let (_, hz_kind, hz_reg) = orgs().remove(0);
    add(
        "hz.officer2".into(),
        "hz",
        &hz_kind,
        hz_reg,
        vec![Role::Officer],
    );
    m
}

fn case(
    responsible: &str,
    originating: &str,
    state: CaseState,
    officer: Option<&str>,
    pending: Option<&str>,
    shared: &[&str],
    transferred: &[&str],
) -> Resource {
    let reg = |l: &str| region(orgs().into_iter().find(|o| o.0 == l).unwrap().2);
    Resource::Case(CaseFacts {
        view: CaseView {
            state,
            responsible_org: org_id(responsible),
            case_officer: officer.map(user_id),
            co_officers: vec![],
            pending_receiver: pending.map(org_id),
        },
        originating_org: org_id(originating),
        region: reg(responsible),
        originating_region: reg(originating),
        shared_with: shared.iter().map(|s| org_id(s)).collect(),
        transferred_to: transferred.iter().map(|s| org_id(s)).collect(),
    })
}

fn resources() -> BTreeMap<&'static str, Resource> {
    use CaseState as S;
    let mut m = BTreeMap::new();
    m.insert(
        "case_hz",
        case(
            "hz",
            "hz",
            S::Investigating,
            Some("hz.officer"),
            None,
            &[],
            &[],
        ),
    );
    m.insert(
        "case_hz_new",
        case("hz", "hz", S::Registered, None, None, &[], &[]),
    );
    m.insert(
        "case_to_police",
        case(
            "hz",
            "hz",
            S::ReferredToPolice,
            Some("hz.officer"),
            Some("hzpolice"),
            &[],
            &[],
        ),
    );
    m.insert(
        "case_moved_to_nb",
        case("nb", "hz", S::Verifying, None, None, &[], &["nb"]),
    );
    m.insert(
        "case_nj_shared_hz",
        case("nj", "nj", S::Investigating, None, None, &["hz"], &[]),
    );
    m.insert(
        "case_nj",
        case("nj", "nj", S::Investigating, None, None, &[], &[]),
    );
    m.insert(
        "lead_hz_scan",
        Resource::Lead(LeadFacts {
            org: org_id("hz"),
            delivered_by: vec![],
            shared_with: vec![],
        }),
    );
    m.insert(
        "lead_hz_from_plata",
        Resource::Lead(LeadFacts {
            org: org_id("hz"),
            delivered_by: vec![org_id("plata")],
            shared_with: vec![],
        }),
    );
    m.insert(
        "lead_hz_from_rha",
        Resource::Lead(LeadFacts {
            org: org_id("hz"),
            delivered_by: vec![org_id("rha")],
            shared_with: vec![],
        }),
    );
    m.insert(
        "lead_nj_shared_nb",
        Resource::Lead(LeadFacts {
            org: org_id("nj"),
            delivered_by: vec![],
            shared_with: vec![org_id("nb")],
        }),
    );
    m.insert(
        "listing_plata",
        Resource::Listing {
            platform: org_id("plata"),
        },
    );
    m.insert(
        "notice_hz_to_plata",
        Resource::Notice {
            sender: org_id("hz"),
            recipient: org_id("plata"),
        },
    );
    m.insert(
        "notice_rha_to_platb",
        Resource::Notice {
            sender: org_id("rha"),
            recipient: org_id("platb"),
        },
    );
    m.insert(
        "duties_plata",
        Resource::PlatformDuties {
            platform: org_id("plata"),
        },
    );
    m.insert(
        "complaint_rha_to_hz",
        Resource::Complaint {
            complainant: Some(org_id("rha")),
            handler: org_id("hz"),
        },
    );
    m.insert(
        "complaint_public_to_nb",
        Resource::Complaint {
            complainant: None,
            handler: org_id("nb"),
        },
    );
    m.insert(
        "mark_rha",
        Resource::Mark {
            owner: org_id("rha"),
        },
    );
    m.insert(
        "decision_hz_draft",
        Resource::Decision {
            org: org_id("hz"),
            published: false,
        },
    );
    m.insert(
        "decision_hz_published",
        Resource::Decision {
            org: org_id("hz"),
            published: true,
        },
    );
    m.insert("members_hz", Resource::Memberships { org: org_id("hz") });
    let facts = |r: Resource| match r {
        Resource::Case(c) => c,
        _ => unreachable!("a case"),
    };
    m.insert(
        "transfer_hz_to_nb",
        Resource::Transfer {
            case: facts(case("nb", "hz", S::Verifying, None, None, &[], &["nb"])),
            receiver: org_id("nb"),
        },
    );
    m.insert(
        "seized_hz",
        Resource::SeizedItem {
            case: facts(case(
                "hz",
                "hz",
                S::Investigating,
                Some("hz.officer"),
                None,
                &[],
                &[],
            )),
            holder: org_id("hz"),
        },
    );
    // Brushing groups and seller networks (issue 18).
    m.insert(
        "group_plata_hz",
        Resource::BrushingGroup {
            platform: org_id("plata"),
            shop_regions: vec![region("330102")],
            lead_org: None,
        },
    );
    m.insert(
        "group_plata_nj_lead_nb",
        Resource::BrushingGroup {
            platform: org_id("plata"),
            shop_regions: vec![region("320102")],
            lead_org: Some(org_id("nb")),
        },
    );
    m.insert(
        "network_hz_lead_nj",
        Resource::SellerNetwork {
            shop_regions: vec![region("330106"), region("310101")],
            lead_orgs: vec![org_id("nj")],
        },
    );
    m.insert(
        "report_hz",
        Resource::Report {
            unit: org_id("hz"),
            region: region("330100"),
        },
    );
    m.insert(
        "report_plata",
        Resource::Report {
            unit: org_id("plata"),
            region: region("330100"),
        },
    );
    m.insert(
        "report_zjoffice_region",
        Resource::Report {
            unit: org_id("zjoffice"),
            region: region("330000"),
        },
    );
    m.insert(
        "assist_hz_to_nj",
        Resource::AssistRequest {
            sender: org_id("hz"),
            sender_region: region("330100"),
            receiver: org_id("nj"),
            receiver_region: region("320100"),
        },
    );
    m
}

/// Principal labels that are case workers (officer or supervisor) of `org`.
fn workers(org: &str) -> Vec<String> {
    vec![format!("{org}.officer"), format!("{org}.supervisor")]
}

fn all_member_labels() -> Vec<String> {
    principals().into_keys().filter(|k| k != "public").collect()
}

fn set(v: Vec<String>) -> BTreeSet<String> {
    v.into_iter().collect()
}

fn join(parts: &[Vec<String>]) -> BTreeSet<String> {
    parts.iter().flatten().cloned().collect()
}

fn s(x: &str) -> Vec<String> {
    vec![x.to_string()]
}

/// Agency workers of every agency, coordination office workers of every office.
fn every_agency_and_office_worker() -> Vec<String> {
    let mut v = vec![];
    for (o, kind, _) in orgs() {
        if matches!(kind, OrgKind::Agency { .. } | OrgKind::CoordinationOffice) {
            v.extend(workers(o));
        }
    }
    v
}

fn with_officer2(mut v: Vec<String>) -> Vec<String> {
    v.push("hz.officer2".into());
    v
}

/// Who may read each object: the specification, written out.
fn readers() -> BTreeMap<&'static str, BTreeSet<String>> {
    let hz = with_officer2(workers("hz"));
    let zj = workers("zjoffice");
    let jso = workers("jsoffice");
    let mut m = BTreeMap::new();
    m.insert("case_hz", join(&[hz.clone(), zj.clone()]));
    m.insert("case_hz_new", join(&[hz.clone(), zj.clone()]));
    m.insert(
        "case_to_police",
        join(&[hz.clone(), workers("hzpolice"), zj.clone()]),
    );
    // The originating agency keeps sight; so does its region's office.
    m.insert(
        "case_moved_to_nb",
        join(&[hz.clone(), workers("nb"), zj.clone()]),
    );
    m.insert(
        "case_nj_shared_hz",
        join(&[hz.clone(), workers("nj"), jso.clone()]),
    );
    m.insert("case_nj", join(&[workers("nj"), jso.clone()]));
    m.insert("lead_hz_scan", set(hz.clone()));
    m.insert(
        "lead_hz_from_plata",
        join(&[hz.clone(), s("plata.operator")]),
    );
    m.insert("lead_hz_from_rha", join(&[hz.clone(), s("rha.agent")]));
    m.insert("lead_nj_shared_nb", join(&[workers("nj"), workers("nb")]));
    m.insert(
        "listing_plata",
        join(&[
            with_officer2(every_agency_and_office_worker()),
            s("plata.operator"),
        ]),
    );
    m.insert(
        "notice_hz_to_plata",
        join(&[hz.clone(), s("plata.operator")]),
    );
    m.insert("complaint_rha_to_hz", join(&[hz.clone(), s("rha.agent")]));
    m.insert(
        "notice_rha_to_platb",
        join(&[s("rha.agent"), s("platb.operator")]),
    );
    // Every regulator reads every platform's figures; the platform its own.
    m.insert(
        "duties_plata",
        join(&[
            with_officer2(every_agency_and_office_worker()),
            s("plata.operator"),
        ]),
    );
    m.insert("complaint_public_to_nb", set(workers("nb")));
    m.insert(
        "mark_rha",
        join(&[
            with_officer2(every_agency_and_office_worker()),
            s("rha.agent"),
        ]),
    );
    m.insert("decision_hz_draft", set(hz.clone()));
    let mut everyone = all_member_labels();
    everyone.push("public".into());
    m.insert("decision_hz_published", set(everyone));
    m.insert("members_hz", set(s("hz.admin")));
    // Read with the case: like case_moved_to_nb and case_hz.
    m.insert(
        "transfer_hz_to_nb",
        join(&[hz.clone(), workers("nb"), zj.clone()]),
    );
    m.insert("seized_hz", join(&[hz.clone(), zj.clone()]));
    // The uploading platform, the agencies and offices of the shops' region, the agency
    // it became a lead of; never another platform or another region's agency.
    m.insert(
        "group_plata_hz",
        join(&[
            hz.clone(),
            workers("hzpolice"),
            zj.clone(),
            s("plata.operator"),
        ]),
    );
    m.insert(
        "group_plata_nj_lead_nb",
        join(&[
            workers("nj"),
            workers("nb"),
            jso.clone(),
            s("plata.operator"),
        ]),
    );
    // No platform reads a network (it crosses platforms).
    m.insert(
        "network_hz_lead_nj",
        join(&[hz.clone(), workers("hzpolice"), zj.clone(), workers("nj")]),
    );
    // Both agencies and both regions' offices; nobody else.
    m.insert(
        "assist_hz_to_nj",
        join(&[hz.clone(), workers("nj"), zj.clone(), jso.clone()]),
    );
    // A unit's own report and its region's office; a platform only its own; the
    // office's aggregate: the office only (not nb, hz or the other office).
    m.insert("report_hz", join(&[hz.clone(), zj.clone()]));
    m.insert("report_plata", join(&[s("plata.operator"), zj.clone()]));
    m.insert("report_zjoffice_region", set(zj.clone()));
    m
}

/// Who may write each object.
fn writers() -> BTreeMap<&'static str, BTreeSet<String>> {
    let hz_all = with_officer2(workers("hz"));
    let mut m = BTreeMap::new();
    // Assigned case: the case officer and the supervisor, not the other officer.
    m.insert("case_hz", set(workers("hz")));
    m.insert("case_hz_new", set(hz_all.clone()));
    m.insert("case_to_police", set(workers("hz")));
    m.insert("case_moved_to_nb", set(workers("nb")));
    m.insert("case_nj_shared_hz", set(workers("nj")));
    m.insert("case_nj", set(workers("nj")));
    m.insert("lead_hz_scan", set(hz_all.clone()));
    m.insert("lead_hz_from_plata", set(hz_all.clone()));
    m.insert("lead_hz_from_rha", set(hz_all.clone()));
    m.insert("lead_nj_shared_nb", set(workers("nj")));
    m.insert("listing_plata", set(s("plata.operator")));
    m.insert(
        "notice_hz_to_plata",
        join(&[hz_all.clone(), s("plata.operator")]),
    );
    m.insert(
        "complaint_rha_to_hz",
        join(&[hz_all.clone(), s("rha.agent")]),
    );
    m.insert("complaint_public_to_nb", set(workers("nb")));
    m.insert(
        "notice_rha_to_platb",
        join(&[s("rha.agent"), s("platb.operator")]),
    );
    m.insert("duties_plata", set(s("plata.operator")));
    m.insert("mark_rha", set(s("rha.agent")));
    m.insert("decision_hz_draft", set(s("hz.supervisor")));
    m.insert("decision_hz_published", set(s("hz.supervisor")));
    m.insert("members_hz", set(s("hz.admin")));
    // The receiver reports; the holder records custody; the asked agency answers.
    m.insert("transfer_hz_to_nb", set(workers("nb")));
    m.insert("seized_hz", set(hz_all.clone()));
    m.insert("assist_hz_to_nj", set(workers("nj")));
    // Submitted by the unit's supervisor (not an officer, not the office).
    m.insert("report_hz", set(s("hz.supervisor")));
    m.insert("report_plata", set(s("plata.operator")));
    m.insert("report_zjoffice_region", BTreeSet::new());
    m.insert(
        "group_plata_hz",
        join(&[hz_all.clone(), workers("hzpolice")]),
    );
    m.insert(
        "group_plata_nj_lead_nb",
        join(&[workers("nj"), workers("nb")]),
    );
    m.insert("network_hz_lead_nj", BTreeSet::new());
    m
}

/// Who may supervise: only cases, only the office of the region, only its supervisor.
fn supervisors() -> BTreeMap<&'static str, BTreeSet<String>> {
    let mut m: BTreeMap<&'static str, BTreeSet<String>> =
        resources().keys().map(|k| (*k, BTreeSet::new())).collect();
    for c in [
        "case_hz",
        "case_hz_new",
        "case_to_police",
        "case_moved_to_nb",
    ] {
        m.insert(c, set(s("zjoffice.supervisor")));
    }
    for c in ["case_nj_shared_hz", "case_nj"] {
        m.insert(c, set(s("jsoffice.supervisor")));
    }
    m
}

/// Checks one action against the expected set; whoever cannot read must get `Hidden`.
fn check(action: Action, expected: &BTreeMap<&'static str, BTreeSet<String>>) -> usize {
    let readers = readers();
    let mut checked = 0;
    let mut failures = vec![];
    for (rlabel, res) in resources() {
        let allowed = &expected[rlabel];
        for (plabel, who) in principals() {
            let v = decide(&who, action, &res);
            let want_allow = allowed.contains(&plabel);
            let can_read = readers[rlabel].contains(&plabel);
            let ok = if want_allow {
                v == Access::Allow
            } else if !can_read {
                v == Access::Hidden
            } else {
                matches!(v, Access::Forbidden(_))
            };
            if !ok {
                failures.push(format!("{action:?} {plabel} on {rlabel}: got {v:?}"));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    checked
}

#[test]
fn the_tables_cover_every_object() {
    let r = resources();
    for t in [readers(), writers(), supervisors()] {
        assert_eq!(t.keys().collect::<Vec<_>>(), r.keys().collect::<Vec<_>>());
    }
    // Everyone allowed to write or supervise can read.
    let readers = readers();
    for t in [writers(), supervisors()] {
        for (k, who) in t {
            assert!(who.is_subset(&readers[k]), "{k}");
        }
    }
}

#[test]
fn read_matrix() {
    let n = check(Action::Read, &readers());
    assert_eq!(n, principals().len() * resources().len());
}

#[test]
fn write_matrix() {
    check(Action::Write, &writers());
}

#[test]
fn supervise_matrix() {
    check(Action::Supervise, &supervisors());
}

#[test]
fn transitions_use_the_state_machine_and_hide_first() {
    // StartVerification on the unassigned new case: any hz officer or supervisor.
    let mut exp: BTreeMap<&'static str, BTreeSet<String>> =
        resources().keys().map(|k| (*k, BTreeSet::new())).collect();
    exp.insert("case_hz_new", set(with_officer2(workers("hz"))));
    // Responsible-party action on assigned cases: the case officer and the supervisor.
    exp.insert("case_hz", set(workers("hz")));
    exp.insert("case_to_police", set(workers("hz")));
    exp.insert("case_moved_to_nb", set(workers("nb")));
    exp.insert("case_nj_shared_hz", set(workers("nj")));
    exp.insert("case_nj", set(workers("nj")));
    check(Action::Transition(CaseAction::StartVerification), &exp);

    // A receiver action: only the police, who see the case because it is pending with them.
    let mut exp: BTreeMap<&'static str, BTreeSet<String>> =
        resources().keys().map(|k| (*k, BTreeSet::new())).collect();
    exp.insert("case_to_police", set(workers("hzpolice")));
    check(Action::Transition(CaseAction::AcknowledgeReferral), &exp);

    // A supervisor-only action.
    let mut exp: BTreeMap<&'static str, BTreeSet<String>> =
        resources().keys().map(|k| (*k, BTreeSet::new())).collect();
    for (c, o) in [
        ("case_hz", "hz"),
        ("case_hz_new", "hz"),
        ("case_to_police", "hz"),
        ("case_moved_to_nb", "nb"),
        ("case_nj_shared_hz", "nj"),
        ("case_nj", "nj"),
    ] {
        exp.insert(c, set(s(&format!("{o}.supervisor"))));
    }
    check(Action::Transition(CaseAction::Open), &exp);
}

#[test]
fn every_transition_is_hidden_from_non_readers() {
    let readers = readers();
    for t in wangjian_domain::TRANSITIONS {
        for (rlabel, res) in resources() {
            for (plabel, who) in principals() {
                if !readers[rlabel].contains(&plabel) {
                    assert_eq!(
                        decide(&who, Action::Transition(t.action), &res),
                        Access::Hidden,
                        "{plabel} {rlabel} {:?}",
                        t.action
                    );
                }
            }
        }
    }
}

#[test]
fn list_scopes_agree_with_reads() {
    for (plabel, who) in principals() {
        for (rlabel, res) in resources() {
            let scope = list_scope(&who, res.kind());
            let read = decide(&who, Action::Read, &res) == Access::Allow;
            assert_eq!(
                scope.admits(&res),
                read,
                "{plabel} listing {rlabel}: scope {scope:?}"
            );
        }
    }
}

#[test]
fn mismatched_roles_grant_nothing_but_published_decisions() {
    // A platform operator role held in an agency, an officer role in a platform, …
    let res = resources();
    for (plabel, who) in principals() {
        let fits = [".officer", ".officer2", ".supervisor"]
            .iter()
            .any(|r| plabel.ends_with(r))
            && !plabel.starts_with("plat")
            && !plabel.starts_with("rh");
        let fits = fits
            || (plabel.starts_with("plat") && plabel.ends_with(".operator"))
            || (plabel.starts_with("rh") && plabel.ends_with(".agent"))
            || plabel.ends_with(".admin");
        if fits || plabel == "public" {
            continue;
        }
        for (rlabel, r) in &res {
            let published = *rlabel == "decision_hz_published";
            assert_eq!(
                decide(&who, Action::Read, r).is_allow(),
                published,
                "{plabel} {rlabel}"
            );
        }
    }
}

#[test]
fn hidden_becomes_not_found_and_forbidden_stays_forbidden() {
    assert!(matches!(
        Access::Hidden.into_result(),
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        Access::Forbidden("x".into()).into_result(),
        Err(AppError::Forbidden(why)) if why == "x"
    ));
    assert!(Access::Allow.into_result().is_ok());
}

#[test]
fn shop_data_is_uploaded_by_platform_operators_and_agency_workers() {
    for (label, who) in principals() {
        let want = (label.starts_with("plat") && label.ends_with(".operator"))
            || ([".officer", ".officer2", ".supervisor"]
                .iter()
                .any(|r| label.ends_with(r))
                && !label.starts_with("plat")
                && !label.starts_with("rh")
                && !label.contains("office."));
        assert_eq!(may_upload_shop_data(&who).is_allow(), want, "{label}");
    }
}

#[test]
fn only_platform_operators_push_listings() {
    let mut allowed = vec![];
    for (label, who) in principals() {
        if may_push_listings(&who).is_allow() {
            allowed.push(label);
        }
    }
    // Every platform's operator, nobody else (not an agency, not the platform's admin).
    assert!(!allowed.is_empty());
    assert!(
        allowed
            .iter()
            .all(|l| l.starts_with("plat") && l.ends_with(".operator")),
        "{allowed:?}"
    );
    assert_eq!(
        allowed.len(),
        orgs()
            .iter()
            .filter(|(_, k, _)| matches!(k, OrgKind::Platform))
            .count()
    );
}

#[test]
fn only_agencies_and_rights_holders_send_notices() {
    for (label, who) in principals() {
        let may = may_send_notices(&who).is_allow();
        let expected = (label.ends_with(".officer")
            || label.ends_with(".officer2")
            || label.ends_with(".supervisor"))
            && !label.starts_with("plat")
            && !label.starts_with("rh")
            && !label.contains("office.")
            || label == "rha.agent"
            || label == "rhb.agent";
        assert_eq!(may, expected, "{label}");
    }
}
