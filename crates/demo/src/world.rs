//! The demo's organizations, people and cases.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;
use wangjian_domain::case::Env;
use wangjian_domain::org::{AdminLevel, Membership, User};
use wangjian_domain::supervision::{self, SupervisionLevel};
use wangjian_domain::{
    seized, Actor, AgencyType, CaseCommand, CaseId, CaseState, DeadlineKind, LeadId, OrgId,
    OrgKind, Organization, RegionCode, Role, UserId,
};
use wangjian_store::{CaseNumberRequest, Store};

use crate::{context, noon, step_err, DemoError};

/// The password of every demo login. The demo is for looking around, never for real data.
pub const DEMO_PASSWORD: &str = "wangjian-demo";

/// One demo sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    /// Sign-in name.
    pub login: &'static str,
    /// Who it is.
    pub name: &'static str,
    /// Role, in Chinese.
    pub role_zh: &'static str,
    /// Organization.
    pub org: &'static str,
}

struct OrgSpec {
    key: &'static str,
    name: &'static str,
    prefix: &'static str,
    kind: OrgKind,
    region: &'static str,
}

fn agency(t: AgencyType, level: AdminLevel) -> OrgKind {
    OrgKind::Agency {
        agency_type: t,
        level,
    }
}

fn orgs() -> Vec<OrgSpec> {
    use AdminLevel::*;
    use AgencyType::*;
    vec![
        OrgSpec {
            key: "zj",
            name: "浙江省市场监督管理局",
            prefix: "浙市监",
            kind: agency(MarketRegulation, Province),
            region: "330000",
        },
        OrgSpec {
            key: "hz",
            name: "杭州市市场监督管理局",
            prefix: "杭市监",
            kind: agency(MarketRegulation, City),
            region: "330100",
        },
        OrgSpec {
            key: "nb",
            name: "宁波市市场监督管理局",
            prefix: "甬市监",
            kind: agency(MarketRegulation, City),
            region: "330200",
        },
        OrgSpec {
            key: "xh",
            name: "杭州市西湖区市场监督管理局",
            prefix: "杭西市监",
            kind: agency(MarketRegulation, County),
            region: "330106",
        },
        OrgSpec {
            key: "hs",
            name: "宁波市海曙区市场监督管理局",
            prefix: "甬海市监",
            kind: agency(MarketRegulation, County),
            region: "330203",
        },
        OrgSpec {
            key: "ip",
            name: "浙江省知识产权局",
            prefix: "浙知",
            kind: agency(IntellectualProperty, Province),
            region: "330000",
        },
        OrgSpec {
            key: "police",
            name: "杭州市公安局",
            prefix: "杭公",
            kind: agency(Police, City),
            region: "330100",
        },
        OrgSpec {
            key: "office",
            name: "浙江省打击侵权假冒工作领导小组办公室",
            prefix: "浙双打办",
            kind: OrgKind::CoordinationOffice,
            region: "330000",
        },
        OrgSpec {
            key: "platform",
            name: "云集优品网络科技有限公司",
            prefix: "云集",
            kind: OrgKind::Platform,
            region: "330110",
        },
        OrgSpec {
            key: "nike",
            name: "耐克体育(中国)有限公司",
            prefix: "耐克",
            kind: OrgKind::RightsHolder,
            region: "310000",
        },
        OrgSpec {
            key: "moutai",
            name: "中国贵州茅台酒厂(集团)有限责任公司",
            prefix: "茅台",
            kind: OrgKind::RightsHolder,
            region: "520382",
        },
    ]
}

/// (login, name, org key, roles)
const PEOPLE: [(&str, &str, &str, &[Role]); 17] = [
    ("hz_officer", "张伟", "hz", &[Role::Officer]),
    ("hz_officer2", "李娜", "hz", &[Role::Officer]),
    ("hz_chief", "王强", "hz", &[Role::Supervisor]),
    ("hz_admin", "郑浩", "hz", &[Role::Admin]),
    ("xh_officer", "陈静", "xh", &[Role::Officer]),
    ("xh_officer2", "黄磊", "xh", &[Role::Officer]),
    ("xh_chief", "刘洋", "xh", &[Role::Supervisor]),
    ("nb_officer", "赵敏", "nb", &[Role::Officer]),
    ("nb_officer2", "孙浩", "nb", &[Role::Officer]),
    ("nb_chief", "周琳", "nb", &[Role::Supervisor]),
    (
        "police",
        "吴刚",
        "police",
        &[Role::Officer, Role::Supervisor],
    ),
    // The heads who review and submit the statistics reports of the other member units.
    ("zj_chief", "何军", "zj", &[Role::Supervisor]),
    ("hs_chief", "马丽", "hs", &[Role::Supervisor]),
    ("ip_chief", "罗斌", "ip", &[Role::Supervisor]),
    ("office", "冯丽", "office", &[Role::Supervisor]),
    ("platform", "钱多多", "platform", &[Role::PlatformOperator]),
    ("brand", "林小雨", "nike", &[Role::RightsHolderAgent]),
];

/// The sign-ins printed for a newcomer: one per role and kind of organization.
pub fn logins() -> Vec<DemoLogin> {
    let names = orgs();
    PEOPLE
        .iter()
        .filter(|p| !p.0.ends_with("2"))
        .map(|(login, name, org, roles)| DemoLogin {
            login,
            name,
            role_zh: roles.last().map_or("", |r| r.label_zh()),
            org: names.iter().find(|o| o.key == *org).map_or("", |o| o.name),
        })
        .collect()
}

fn derived(kind: &str, key: &str) -> Uuid {
    const NS: Uuid = Uuid::from_u128(0x7d3e_11f0_a5b2_4c44_9a61_d3e0_de70_0001);
    Uuid::new_v5(&NS, format!("demo\0{kind}\0{key}").as_bytes())
}

/// The demo's ids.
pub(crate) struct World {
    pub platform: OrgId,
    pub zj: OrgId,
    pub hz: OrgId,
    pub nb: OrgId,
    pub xh: OrgId,
    pub police: OrgId,
}

impl World {
    pub(crate) fn new() -> Self {
        let o = |k| OrgId(derived("org", k));
        World {
            platform: o("platform"),
            zj: o("zj"),
            hz: o("hz"),
            nb: o("nb"),
            xh: o("xh"),
            police: o("police"),
        }
    }

    fn user(&self, login: &str) -> UserId {
        UserId(derived("user", login))
    }

    pub(crate) fn actor(&self, login: &str) -> Actor {
        let (_, _, org, roles) =
            PEOPLE
                .iter()
                .find(|p| p.0 == login)
                .copied()
                .unwrap_or(("", "", "", &[]));
        Actor {
            user: self.user(login),
            org: OrgId(derived("org", org)),
            roles: roles.to_vec(),
        }
    }
}

/// True when every demo organization and login exists (an earlier demo finished).
pub(crate) async fn is_complete_demo(store: &Store, w: &World) -> Result<bool, DemoError> {
    for spec in orgs() {
        if store
            .organization(OrgId(derived("org", spec.key)))
            .await?
            .is_none()
        {
            return Ok(false);
        }
    }
    for (login, ..) in PEOPLE {
        if store.user(w.user(login)).await?.is_none() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Writes the organizations, users and memberships.
pub(crate) async fn write(store: &Store, w: &World, password_hash: &str) -> Result<(), DemoError> {
    for spec in orgs() {
        let region = RegionCode::parse(spec.region).map_err(|e| step_err(spec.name, e))?;
        let org = Organization::new(
            OrgId(derived("org", spec.key)),
            spec.name,
            spec.prefix,
            spec.kind,
            region,
        )
        .map_err(|e| step_err(spec.name, e))?;
        store.put_organization(&org).await?;
    }
    for (login, name, org, roles) in PEOPLE {
        let user = User {
            id: w.user(login),
            name: name.to_string(),
            version: 1,
        };
        store.put_user(&user, Some(login)).await?;
        store
            .set_password_hash(user.id, Some(password_hash))
            .await?;
        for role in roles {
            store
                .put_membership(&Membership {
                    user: user.id,
                    org: OrgId(derived("org", org)),
                    role: *role,
                })
                .await?;
        }
    }
    Ok(())
}

/// One agency's team for the case scripts.
struct Team {
    officer: &'static str,
    officer2: &'static str,
    chief: &'static str,
}

const TEAMS: [Team; 3] = [
    Team {
        officer: "hz_officer",
        officer2: "hz_officer2",
        chief: "hz_chief",
    },
    Team {
        officer: "xh_officer",
        officer2: "xh_officer2",
        chief: "xh_chief",
    },
    Team {
        officer: "nb_officer",
        officer2: "nb_officer2",
        chief: "nb_chief",
    },
];

/// The steps after registration that bring a case to `target`.
fn script(target: CaseState) -> Vec<&'static str> {
    use CaseState::*;
    let to_investigating = vec!["verify", "open", "investigate"];
    let with = |mut v: Vec<&'static str>, more: &[&'static str]| {
        v.extend_from_slice(more);
        v
    };
    match target {
        Registered => vec![],
        Verifying => vec!["verify"],
        Declined => vec!["verify", "decline"],
        Opened => vec!["verify", "open"],
        Investigating => with(to_investigating, &["seize"]),
        Testing => with(to_investigating, &["extend", "test"]),
        PenaltyNotice => with(to_investigating, &["test", "tested", "notice"]),
        PenaltyDecided => with(to_investigating, &["notice", "decide"]),
        Enforcement => with(to_investigating, &["notice", "decide", "enforce"]),
        Closed => with(
            to_investigating,
            &["notice", "decide", "enforce", "disclose", "close"],
        ),
        ReferredToPolice => with(to_investigating, &["seize", "refer", "acknowledge"]),
        TransferPending => vec!["verify", "transfer"],
        Suspended => with(to_investigating, &["suspend"]),
        Terminated => vec!["verify", "open", "terminate"],
    }
}

/// Registers cases from the leads and drives them into every state; marks supervision.
/// Returns the number of cases.
pub(crate) async fn cases(
    store: &Store,
    w: &World,
    env: Env<'_>,
    today: NaiveDate,
    leads: &[(LeadId, DateTime<Utc>, OrgId, String)],
) -> Result<u64, DemoError> {
    let now = noon(today);
    let mut seq: u128 = 0;
    let mut count = 0u64;
    let mut decision_no = 0u32;
    // Oldest leads first.
    let mut by_age: Vec<&(LeadId, DateTime<Utc>, OrgId, String)> = leads.iter().collect();
    by_age.sort_by_key(|l| (l.1, l.0 .0));
    let teams = [(w.hz, &TEAMS[0]), (w.xh, &TEAMS[1]), (w.nb, &TEAMS[2])];
    let mut supervised = 0;
    let mut pending_transfers = 0;
    for round in 0..3 {
        for (si, target) in CaseState::ALL.iter().enumerate() {
            let (org, team) = teams[(si + round) % teams.len()];
            let steps = script(*target);
            // A lead of this agency old enough for the script, its age spread over a few
            // weeks so the deadlines fall due over the coming weeks; a few cases take the
            // oldest lead, whose deadlines are overdue.
            // (The overdue transfer is sent 25 days ago: its case needs an old lead too.)
            let oldest = (round == 0 && si % 5 == 0)
                || (*target == CaseState::TransferPending && pending_transfers == 0);
            let want =
                Duration::days(2 * steps.len() as i64 + 2 + ((si + 3 * round) % 6) as i64 * 3);
            let fits = |l: &&(LeadId, DateTime<Utc>, OrgId, String)| l.2 == org;
            let pos = if oldest {
                by_age.iter().position(fits)
            } else {
                by_age
                    .iter()
                    .rposition(|l| fits(l) && now - l.1 >= want)
                    .or_else(|| by_age.iter().position(fits))
            };
            let Some(pos) = pos else {
                continue;
            };
            let lead = by_age.remove(pos);
            // Lay the steps out from the lead's day, two days apart, ending before now.
            let span = Duration::days(2 * steps.len() as i64 + 1);
            let start = if lead.1 + span < now {
                lead.1
            } else {
                now - span
            };
            let mut at = start + Duration::hours(1);
            let title = title_for(&lead.3);
            let reg = store
                .register_case(
                    &w.actor(team.officer),
                    &CaseNumberRequest {
                        title,
                        leads: vec![lead.0],
                    },
                    env,
                    &context(&mut seq, at),
                )
                .await?;
            let id = reg.value.case.id;
            count += 1;
            for step in steps {
                at += Duration::days(2);
                // The overdue transfer: sent long ago and never acknowledged.
                if step == "transfer" && pending_transfers == 0 {
                    at = now - Duration::days(25);
                }
                if step == "transfer" {
                    pending_transfers += 1;
                }
                decision_no += u32::from(step == "decide");
                let (who, cmd) = command(w, team, step, at, decision_no, org)?;
                match cmd {
                    Step::Case(cmd) => {
                        store
                            .run_case_command(id, &w.actor(who), &cmd, env, &context(&mut seq, at))
                            .await
                            .map_err(|e| step_err(&format!("{target:?}/{step}"), e))?;
                    }
                    Step::Seize => {
                        let change = seized::record_seizure(
                            &w.actor(who),
                            id,
                            "假冒注册商标运动鞋",
                            120 + u64::from(decision_no) * 7,
                            "双",
                            "杭州市市场监督管理局涉案财物仓库 A-03",
                            &context(&mut seq, at),
                        )
                        .map_err(|e| step_err("seize", e))?;
                        store.apply(change).await?;
                    }
                }
            }
            // Supervise two live cases in different cities, due within the next weeks.
            if supervised < 2 && matches!(target, CaseState::Investigating | CaseState::Verifying) {
                supervised += 1;
                supervise(store, w, id, today, supervised, &mut seq, now).await?;
            }
        }
    }
    Ok(count)
}

/// 案由 from the lead's reasons, the most serious first.
fn title_for(summary: &str) -> String {
    const TITLES: [(&str, &str); 7] = [
        ("prohibited_item", "涉嫌通过网络销售禁止交易商品案"),
        ("counterfeit_term", "涉嫌销售假冒注册商标的商品案"),
        ("mark", "涉嫌销售侵犯注册商标专用权商品案"),
        ("gi_origin", "涉嫌擅自使用地理标志案"),
        ("regulated_no_license", "涉嫌未取得许可从事经营活动案"),
        ("ad_law", "涉嫌发布违法广告案"),
        ("price_anomaly", "涉嫌销售侵权商品案"),
    ];
    TITLES
        .iter()
        .find(|(code, _)| summary.contains(code))
        .map_or("涉嫌侵权假冒案", |(_, t)| t)
        .to_string()
}

enum Step {
    Case(CaseCommand),
    Seize,
}

fn command(
    w: &World,
    team: &Team,
    step: &str,
    at: DateTime<Utc>,
    decision_no: u32,
    org: OrgId,
) -> Result<(&'static str, Step), DemoError> {
    let officer = w.user(team.officer);
    let basis = "《市场监督管理行政处罚程序规定》".to_string();
    let c = |who, cmd| (who, Step::Case(cmd));
    Ok(match step {
        "verify" => c(
            team.officer,
            CaseCommand::StartVerification { verifier: officer },
        ),
        "decline" => c(
            team.chief,
            CaseCommand::Decline {
                reason: "经核查，涉案商品为正品平行进口，不构成侵权".into(),
            },
        ),
        "open" => c(
            team.chief,
            CaseCommand::Open {
                case_officer: officer,
                co_officers: vec![w.user(team.officer2)],
                legal_basis: format!("{basis}第十九条"),
            },
        ),
        "investigate" => c(team.officer, CaseCommand::BeginInvestigation),
        "seize" => (team.officer, Step::Seize),
        "test" => c(
            team.officer,
            CaseCommand::RequestTesting {
                testing_body: "权利人鉴定（耐克体育(中国)有限公司）".into(),
                items: "涉案运动鞋 3 双".into(),
            },
        ),
        "tested" => c(
            team.officer,
            CaseCommand::CompleteTesting {
                result_summary: "经权利人鉴定，涉案商品均为假冒注册商标商品".into(),
            },
        ),
        "notice" => c(
            team.chief,
            CaseCommand::IssuePenaltyNotice {
                proposed_penalty: "没收侵权商品，罚款人民币二万元".into(),
                legal_basis: "《中华人民共和国商标法》第六十条第二款".into(),
            },
        ),
        "decide" => c(
            team.chief,
            CaseCommand::DecidePenalty {
                decision_number: format!(
                    "{}罚决〔{}〕{}号",
                    org_prefix(w, org),
                    at.format("%Y"),
                    decision_no
                ),
                fine_fen: 2_000_000,
                // 涉案货值 and the goods confiscated (没收侵权商品), valued.
                amount_involved_fen: 5_800_000,
                confiscated_fen: 450_000,
                legal_basis: "《中华人民共和国商标法》第六十条第二款".into(),
                statement_closed: true,
            },
        ),
        "enforce" => c(
            team.officer,
            CaseCommand::BeginEnforcement {
                served_on: wangjian_calendar::shanghai_date(at),
            },
        ),
        "disclose" => c(
            team.officer,
            CaseCommand::RecordDisclosure {
                reference: "国家企业信用信息公示系统（浙江）".into(),
            },
        ),
        "close" => c(
            team.chief,
            CaseCommand::Close {
                summary: "罚没款已缴清，侵权商品已没收，予以结案".into(),
            },
        ),
        "refer" => c(
            team.chief,
            CaseCommand::ReferToPolice {
                police_org: w.police,
                police_agency_type: AgencyType::Police,
                legal_basis: "《行政执法机关移送涉嫌犯罪案件的规定》第三条".into(),
                reason: "涉案金额超过五万元，涉嫌销售假冒注册商标的商品罪".into(),
                materials: vec![],
                case_file_list: vec![
                    "立案审批表".into(),
                    "现场检查笔录".into(),
                    "询问笔录".into(),
                ],
                evidence_list: vec!["商品页面截图及存证".into(), "销售记录".into()],
                seized_goods_list: vec!["假冒注册商标运动鞋".into()],
            },
        ),
        "acknowledge" => c("police", CaseCommand::AcknowledgeReferral),
        "transfer" => c(
            team.chief,
            CaseCommand::TransferOut {
                to_org: if org == w.nb { w.hz } else { w.nb },
                legal_basis: "《市场监督管理行政处罚程序规定》第十三条".into(),
                reason: "违法行为发生地不在本辖区".into(),
                materials: vec![],
            },
        ),
        "suspend" => c(
            team.chief,
            CaseCommand::Suspend {
                reason: "当事人下落不明，案件暂时无法调查".into(),
            },
        ),
        "terminate" => c(
            team.chief,
            CaseCommand::Terminate {
                reason: "当事人（个体工商户）已注销且无财产可供执行".into(),
            },
        ),
        "extend" => c(
            team.chief,
            CaseCommand::ExtendDeadline {
                kind: DeadlineKind::CaseDecision,
                days: 30,
                reason: "案情复杂".into(),
                collective: false,
            },
        ),
        other => return Err(step_err(other, "no such demo step")),
    })
}

fn org_prefix(w: &World, org: OrgId) -> &'static str {
    if org == w.xh {
        "杭西市监"
    } else if org == w.nb {
        "甬市监"
    } else {
        "杭市监"
    }
}

async fn supervise(
    store: &Store,
    w: &World,
    case: CaseId,
    today: NaiveDate,
    n: u32,
    seq: &mut u128,
    now: DateTime<Utc>,
) -> Result<(), DemoError> {
    let summary = store.case_summary(case).await?;
    let office_region = RegionCode::parse("330000").map_err(|e| step_err("region", e))?;
    let (level, due) = if n == 1 {
        (SupervisionLevel::Provincial, today + Duration::days(10))
    } else {
        (SupervisionLevel::Key, today + Duration::days(3))
    };
    let change = supervision::mark(
        &w.actor("office"),
        &office_region,
        true,
        &summary,
        level,
        due,
        "群众反映强烈，请加快办理并按期报告进展",
        &context(seq, now),
    )
    .map_err(|e| step_err("supervise", e))?;
    store.apply(change).await?;
    Ok(())
}
