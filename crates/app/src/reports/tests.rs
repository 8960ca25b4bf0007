//! The reports over a known record, on SQLite and PostgreSQL: every cell of the weekly
//! case progress table, the monthly and half-year statistics (a unit's and the office's
//! aggregate), the CSV (golden files; `WANGJIAN_BLESS=1` rewrites them) and the XLSX read
//! back; submission (frozen, digest, audited, once), the permissions and the calendar.

use chrono::{NaiveDate, TimeZone, Utc};
use wangjian_calendar::Calendar;
use wangjian_domain::case::CaseCommand;
use wangjian_domain::complaint::{self, Submission};
use wangjian_domain::lead::{lead_id_for, LeadDedupKey, ListingContent};
use wangjian_domain::org::{AdminLevel, Membership, User};
use wangjian_domain::report::Cell;
use wangjian_domain::supervision::SupervisionLevel;
use wangjian_domain::{
    AgencyType, CaseId, Context, LeadId, ObjectType, OrgKind, Organization, RegionCode, RequestId,
    Role, RuleSet, UserId,
};
use wangjian_store::{ListingInput, ScanLead, ShopInput, Store};

use super::export::{to_csv, to_xlsx, Submitted, XLSX_HEADER_ROW};
use super::*;
use crate::policy::Member;
use crate::workflow::complaints::ComplaintDecision;
use crate::{Principal, RuleSource};

const HZ: OrgId = OrgId::from_u128(0xA1);
const NB: OrgId = OrgId::from_u128(0xA2);
const POLICE: OrgId = OrgId::from_u128(0xA3);
const OFFICE: OrgId = OrgId::from_u128(0xA4);
const JS: OrgId = OrgId::from_u128(0xA5);
const PLATFORM: OrgId = OrgId::from_u128(0xA6);

const HZ_OFFICER: UserId = UserId::from_u128(0xB1);
const HZ_CHIEF: UserId = UserId::from_u128(0xB2);
const NB_OFFICER: UserId = UserId::from_u128(0xB3);
const NB_CHIEF: UserId = UserId::from_u128(0xB4);
const JS_OFFICER: UserId = UserId::from_u128(0xB5);
const JS_CHIEF: UserId = UserId::from_u128(0xB6);
const OFFICE_CHIEF: UserId = UserId::from_u128(0xB7);
const OPERATOR: UserId = UserId::from_u128(0xB8);

/// Each agency's second officer (第十九条: two officers on a case).
fn officer2(org: OrgId) -> UserId {
    UserId::from_u128(0xC0 + org.0.as_u128())
}

fn agency(t: AgencyType) -> OrgKind {
    OrgKind::Agency {
        agency_type: t,
        level: AdminLevel::City,
    }
}

fn orgs() -> Vec<Organization> {
    let o = |id, name: &str, prefix: &str, kind, region: &str| {
        Organization::new(id, name, prefix, kind, RegionCode::parse(region).unwrap()).unwrap()
    };
    vec![
        o(
            HZ,
            "杭州市市场监督管理局",
            "杭市监",
            agency(AgencyType::MarketRegulation),
            "330100",
        ),
        o(
            NB,
            "宁波市市场监督管理局",
            "甬市监",
            agency(AgencyType::MarketRegulation),
            "330200",
        ),
        o(
            POLICE,
            "杭州市公安局",
            "杭公",
            agency(AgencyType::Police),
            "330100",
        ),
        o(
            OFFICE,
            "浙江省打击侵权假冒工作领导小组办公室",
            "浙双打",
            OrgKind::CoordinationOffice,
            "330000",
        ),
        o(
            JS,
            "南京市市场监督管理局",
            "宁市监",
            agency(AgencyType::MarketRegulation),
            "320100",
        ),
        o(PLATFORM, "某电商平台", "PLAT", OrgKind::Platform, "330106"),
    ]
}

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    // h is China's hour.
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap() - Duration::hours(8)
}

fn member(user: UserId, org: OrgId, role: Role) -> Principal {
    let o = orgs().into_iter().find(|o| o.id == org).unwrap();
    Principal::Member(Member {
        actor: wangjian_domain::Actor {
            user,
            org,
            roles: vec![role],
        },
        org_kind: o.kind,
        region: o.region,
    })
}

fn call(p: &Principal, t: DateTime<Utc>) -> Call {
    Call {
        principal: p.clone(),
        request: RequestId(uuid::Uuid::now_v7()),
        now: t,
    }
}

async fn seed(s: &Store) {
    for o in orgs() {
        s.put_organization(&o).await.unwrap();
    }
    for (u, o, r) in [
        (HZ_OFFICER, HZ, Role::Officer),
        (HZ_CHIEF, HZ, Role::Supervisor),
        (NB_OFFICER, NB, Role::Officer),
        (NB_CHIEF, NB, Role::Supervisor),
        (JS_OFFICER, JS, Role::Officer),
        (JS_CHIEF, JS, Role::Supervisor),
        (OFFICE_CHIEF, OFFICE, Role::Supervisor),
        (OPERATOR, PLATFORM, Role::PlatformOperator),
        (officer2(HZ), HZ, Role::Officer),
        (officer2(NB), NB, Role::Officer),
        (officer2(JS), JS, Role::Officer),
    ] {
        let user = User {
            id: u,
            name: format!("user {u}"),
            version: 1,
        };
        s.put_user(&user, None).await.unwrap();
        s.put_membership(&Membership {
            user: u,
            org: o,
            role: r,
        })
        .await
        .unwrap();
    }
}

/// A scan lead for `org` (listing number `n`).
async fn lead(s: &Store, org: OrgId, n: u32) -> LeadId {
    let l = ListingInput {
        platform: PLATFORM,
        shop: Some(ShopInput {
            platform_shop_id: format!("shop{n}"),
            name: format!("店{n}"),
        }),
        content: ListingContent {
            platform_listing_id: format!("L{n}"),
            url: format!("https://shop.example.com/item/{n}"),
            title: format!("高仿 N1ke {n}"),
            description: "原单".into(),
            price_fen: Some(19_900),
            ship_from: "福建莆田".into(),
        },
        captured_at: at(2026, 10, 1, 9),
        lead: Some(ScanLead {
            org,
            rule_set_version: "rs1".into(),
            summary: "high: counterfeit_term".into(),
            scan: None,
        }),
    };
    s.import_listings(std::slice::from_ref(&l)).await.unwrap();
    lead_id_for(
        org,
        &LeadDedupKey::Scan {
            snapshot_hash: l.content.content_hash(),
            rule_set_version: "rs1".into(),
        },
    )
}

struct Team {
    org: OrgId,
    officer: Principal,
    chief: Principal,
    officer_id: UserId,
}

fn team(org: OrgId) -> Team {
    let (o, c) = match org {
        HZ => (HZ_OFFICER, HZ_CHIEF),
        NB => (NB_OFFICER, NB_CHIEF),
        _ => (JS_OFFICER, JS_CHIEF),
    };
    Team {
        org,
        officer: member(o, org, Role::Officer),
        chief: member(c, org, Role::Supervisor),
        officer_id: o,
    }
}

/// Registers, verifies and opens a case on China's day `(m, d)` of 2026.
async fn open_case(app: &App, t: &Team, n: u32, title: &str, m: u32, d: u32) -> CaseId {
    let l = lead(app.store(), t.org, n).await;
    let f = app
        .register_case(&call(&t.officer, at(2026, m, d, 9)), title, &[l])
        .await
        .unwrap();
    let id = f.case.id;
    step(
        app,
        &t.officer,
        id,
        at(2026, m, d, 10),
        CaseCommand::StartVerification {
            verifier: t.officer_id,
        },
    )
    .await;
    step(
        app,
        &t.chief,
        id,
        at(2026, m, d, 11),
        CaseCommand::Open {
            case_officer: t.officer_id,
            co_officers: vec![officer2(t.org)],
            legal_basis: "《市场监督管理行政处罚程序规定》第十九条".into(),
        },
    )
    .await;
    id
}

async fn step(app: &App, who: &Principal, id: CaseId, t: DateTime<Utc>, c: CaseCommand) {
    app.transition(&call(who, t), id, None, &c)
        .await
        .unwrap_or_else(|e| panic!("{c:?}: {e}"));
}

async fn complaint_on(app: &App, n: u8, t: DateTime<Utc>) -> wangjian_domain::complaint::Complaint {
    let s = app.store();
    let change = complaint::submit(
        &Submission {
            kind: "report".into(),
            text: "店铺销售假冒耐克运动鞋，价格只有正品的一成。".into(),
            links: vec![],
            contact: String::new(),
            respondent: "某某运动专营店".into(),
            region: "330106".into(),
        },
        vec![],
        complaint::tracking_number([n; 10]),
        &s.organizations().await.unwrap(),
        RuleSet::defaults().unwrap(),
        Calendar::china(),
        &Context::new_v7(RequestId(uuid::Uuid::now_v7()), t, 8),
    )
    .unwrap();
    s.submit_complaint(change, &[]).await.unwrap().value
}

/// The known record (China's dates, 2026):
/// - hz case C: opened 10-20, supervised (市挂牌督办) by the office 10-21, nothing since;
/// - hz case B: opened 11-10, investigated 11-10, referred to the police 11-17;
/// - hz case A: registered, verified, opened 11-16; investigated, penalty notice 11-17;
///   penalty decided 11-18 (fine 20 000.00, amount involved 56 000.00, confiscated
///   1 200.50); enforcement and disclosure (on time) 11-19; closed 11-20;
/// - nb case D: opened 11-18;
/// - js case E (Jiangsu, outside the office's region): opened 11-18;
/// - complaints handled by hz: one received 10-30 and accepted 11-02, two received 11-17,
///   one of them accepted 11-18.
async fn build(app: &App) {
    let s = app.store();
    seed(s).await;
    let hz = team(HZ);
    let c = open_case(app, &hz, 1, "涉嫌销售假冒注册商标的商品案(丙)", 10, 20).await;
    let office = member(OFFICE_CHIEF, OFFICE, Role::Supervisor);
    app.supervise(
        &call(&office, at(2026, 10, 21, 9)),
        c,
        SupervisionLevel::City,
        NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
        "重点跟进",
    )
    .await
    .unwrap();
    let b = open_case(app, &hz, 2, "涉嫌销售假冒注册商标的商品案(乙)", 11, 10).await;
    step(
        app,
        &hz.officer,
        b,
        at(2026, 11, 10, 14),
        CaseCommand::BeginInvestigation,
    )
    .await;
    step(
        app,
        &hz.chief,
        b,
        at(2026, 11, 17, 15),
        CaseCommand::ReferToPolice {
            police_org: POLICE,
            police_agency_type: AgencyType::Police,
            legal_basis: "《行政执法机关移送涉嫌犯罪案件的规定》第三条".into(),
            reason: "涉案金额超过五万元".into(),
            materials: vec![],
            case_file_list: vec!["立案审批表".into()],
            evidence_list: vec!["商品页面截图".into()],
            seized_goods_list: vec!["无".into()],
        },
    )
    .await;
    let a = open_case(app, &hz, 3, "涉嫌销售假冒注册商标的商品案(甲)", 11, 16).await;
    step(
        app,
        &hz.officer,
        a,
        at(2026, 11, 17, 9),
        CaseCommand::BeginInvestigation,
    )
    .await;
    step(
        app,
        &hz.chief,
        a,
        at(2026, 11, 17, 10),
        CaseCommand::IssuePenaltyNotice {
            proposed_penalty: "没收侵权商品，罚款人民币二万元".into(),
            legal_basis: "《中华人民共和国商标法》第六十条第二款".into(),
        },
    )
    .await;
    step(
        app,
        &hz.chief,
        a,
        at(2026, 11, 18, 10),
        CaseCommand::DecidePenalty {
            decision_number: "杭市监罚决〔2026〕1号".into(),
            fine_fen: 2_000_000,
            amount_involved_fen: 5_600_000,
            confiscated_fen: 120_050,
            legal_basis: "《中华人民共和国商标法》第六十条第二款".into(),
            statement_closed: true,
        },
    )
    .await;
    step(
        app,
        &hz.officer,
        a,
        at(2026, 11, 19, 9),
        CaseCommand::BeginEnforcement {
            served_on: NaiveDate::from_ymd_opt(2026, 11, 19).unwrap(),
        },
    )
    .await;
    step(
        app,
        &hz.officer,
        a,
        at(2026, 11, 19, 10),
        CaseCommand::RecordDisclosure {
            reference: "国家企业信用信息公示系统".into(),
        },
    )
    .await;
    step(
        app,
        &hz.chief,
        a,
        at(2026, 11, 20, 9),
        CaseCommand::Close {
            summary: "罚没款已缴清，予以结案".into(),
        },
    )
    .await;
    open_case(app, &team(NB), 4, "涉嫌销售侵权商品案(丁)", 11, 18).await;
    open_case(app, &team(JS), 5, "涉嫌销售侵权商品案(戊)", 11, 18).await;
    // Two notices from hz to the platform on 11-18 (通知—删除), not yet decided.
    app.send_notices(
        &call(&hz.officer, at(2026, 11, 18, 14)),
        &crate::notices::SendNotices {
            platform: PLATFORM,
            listings: vec![
                wangjian_domain::lead::listing_id_for(PLATFORM, "L1"),
                wangjian_domain::lead::listing_id_for(PLATFORM, "L2"),
            ],
            ground: "注册商标专用权(第1234567号),附商品页面截图".into(),
            case: None,
            complaint: None,
        },
    )
    .await
    .unwrap();
    let k1 = complaint_on(app, 1, at(2026, 10, 30, 9)).await;
    app.decide_complaint(
        &call(&hz.officer, at(2026, 11, 2, 9)),
        k1.id,
        None,
        &ComplaintDecision::Accept,
    )
    .await
    .unwrap();
    let k2 = complaint_on(app, 2, at(2026, 11, 17, 9)).await;
    complaint_on(app, 3, at(2026, 11, 17, 10)).await;
    app.decide_complaint(
        &call(&hz.officer, at(2026, 11, 18, 9)),
        k2.id,
        None,
        &ComplaintDecision::Accept,
    )
    .await
    .unwrap();
}

fn t(s: &str) -> Cell {
    Cell::Text(s.into())
}

fn i(v: i64) -> Cell {
    Cell::Int(v)
}

const E: Cell = Cell::Empty;

fn golden(name: &str, got: &[u8]) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/reports/golden")
        .join(name);
    if std::env::var("WANGJIAN_BLESS").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
    }
    let want = std::fs::read(&path).unwrap_or_else(|_| panic!("missing golden {}", path.display()));
    assert_eq!(
        String::from_utf8_lossy(got),
        String::from_utf8_lossy(&want),
        "golden {name} (WANGJIAN_BLESS=1 rewrites it)"
    );
}

async fn reports_over_a_known_record(app: App) {
    build(&app).await;
    let after = at(2026, 12, 1, 9);
    let hz_chief = member(HZ_CHIEF, HZ, Role::Supervisor);
    let office = member(OFFICE_CHIEF, OFFICE, Role::Supervisor);
    let week: Period = "2026-W47".parse().unwrap();
    let month: Period = "2026-11".parse().unwrap();
    let half: Period = "2026-H2".parse().unwrap();

    // 附件2, hz, week 47 (11-16 to 11-22): every cell.
    let p = app
        .report(
            &call(&hz_chief, after),
            ReportKind::CaseProgress,
            week,
            &Target::Own,
        )
        .await
        .unwrap();
    let keys: Vec<&str> = p.columns.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "seq",
            "number",
            "title",
            "unit",
            "opened_on",
            "state",
            "supervision",
            "amount_involved",
            "fine",
            "confiscated",
            "progress",
            "transfers"
        ]
    );
    let hzn = "杭州市市场监督管理局";
    assert_eq!(
        p.rows,
        vec![
            vec![
                i(1), t("杭市监〔2026〕1号"), t("涉嫌销售假冒注册商标的商品案(丙)"), t(hzn),
                t("2026-10-20"), t("立案"), t("市挂牌督办"), E, E, E, E, E,
            ],
            vec![
                i(2), t("杭市监〔2026〕2号"), t("涉嫌销售假冒注册商标的商品案(乙)"), t(hzn),
                t("2026-11-10"), t("移送公安"), E, E, E, E,
                t("11-17 移送公安"),
                t("11-17 移送公安 杭州市公安局(待接收)"),
            ],
            vec![
                i(3), t("杭市监〔2026〕3号"), t("涉嫌销售假冒注册商标的商品案(甲)"), t(hzn),
                t("2026-11-16"), t("结案"), E, i(5_600_000), i(2_000_000), i(120_050),
                t("11-16 线索登记;11-16 核查;11-16 立案;11-17 调查取证;11-17 处罚告知;11-18 作出处罚决定;11-19 执行;11-19 公示;11-20 结案"),
                E,
            ],
        ]
    );
    assert_eq!(p.as_of, week.window().1, "counted to the end of the week");
    golden("case-progress-hz-2026-W47.csv", &to_csv(&p));

    // Monthly, hz: one row.
    let m = app
        .report(
            &call(&hz_chief, after),
            ReportKind::Monthly,
            month,
            &Target::Own,
        )
        .await
        .unwrap();
    assert_eq!(
        m.rows,
        vec![vec![
            t(hzn),
            i(1),
            i(2),
            i(1),
            i(1),
            i(5_600_000),
            i(2_000_000),
            i(120_050),
            i(1),
            i(0),
            i(1),
            i(0),
            i(2),
            i(2),
            i(2),
            E,
            i(0),
        ]]
    );
    golden("monthly-hz-2026-11.csv", &to_csv(&m));

    // Monthly, the office's aggregate of Zhejiang: nb's case D counts, js's case E not.
    let agg = app
        .report(
            &call(&office, after),
            ReportKind::Monthly,
            month,
            &Target::Own,
        )
        .await
        .unwrap();
    assert!(agg.aggregate);
    assert_eq!(
        agg.rows,
        vec![
            vec![
                t("市场监管"),
                i(2),
                i(3),
                i(1),
                i(1),
                i(5_600_000),
                i(2_000_000),
                i(120_050),
                i(1),
                i(0),
                i(1),
                i(0),
                i(2),
                i(2),
                i(2),
                E,
                E,
            ],
            vec![
                t("公安"),
                i(1),
                i(0),
                i(0),
                i(0),
                i(0),
                i(0),
                i(0),
                i(0),
                i(0),
                i(0),
                i(0),
                i(0),
                i(0),
                i(0),
                E,
                E,
            ],
            vec![
                t("合计"),
                i(3),
                i(3),
                i(1),
                i(1),
                i(5_600_000),
                i(2_000_000),
                i(120_050),
                i(1),
                i(0),
                i(1),
                i(0),
                i(2),
                i(2),
                i(2),
                E,
                i(0),
            ],
        ]
    );
    golden("monthly-zj-office-2026-11.csv", &to_csv(&agg));

    // Half-year H2, hz: case C (October) and the complaint of 10-30 count too. Asked on
    // 12-01, before the half ends: counted up to then.
    let h = app
        .report(
            &call(&hz_chief, after),
            ReportKind::HalfYear,
            half,
            &Target::Own,
        )
        .await
        .unwrap();
    assert_eq!(h.as_of, after);
    assert_eq!(
        h.rows,
        vec![vec![
            t(hzn),
            i(1),
            i(3),
            i(1),
            i(1),
            i(5_600_000),
            i(2_000_000),
            i(120_050),
            i(1),
            i(0),
            i(1),
            i(0),
            i(3),
            i(2),
            i(2),
            E,
            i(0),
        ]]
    );

    // The office sees one unit of its region; a unit sees only its own.
    let nb_by_office = app
        .report(
            &call(&office, after),
            ReportKind::CaseProgress,
            week,
            &Target::Org(NB),
        )
        .await
        .unwrap();
    assert_eq!(nb_by_office.rows.len(), 1);
    assert_eq!(nb_by_office.rows[0][1], t("甬市监〔2026〕1号"));
    let nb_chief = member(NB_CHIEF, NB, Role::Supervisor);
    for target in [Target::Org(HZ), Target::Org(JS), Target::Org(OFFICE)] {
        let e = app
            .report(&call(&nb_chief, after), ReportKind::Monthly, month, &target)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::NotFound), "{target:?}: {e}");
    }
    let js_by_office = app
        .report(
            &call(&office, after),
            ReportKind::Monthly,
            month,
            &Target::Org(JS),
        )
        .await
        .unwrap_err();
    assert!(matches!(js_by_office, AppError::NotFound));
    assert!(matches!(
        app.report(
            &call(&nb_chief, after),
            ReportKind::Monthly,
            month,
            &Target::Region(RegionCode::parse("330000").unwrap())
        )
        .await
        .unwrap_err(),
        AppError::Forbidden(_)
    ));
    let e = app
        .report(
            &call(&hz_chief, after),
            ReportKind::Monthly,
            week,
            &Target::Own,
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "period: period '2026-W47' is a week; a monthly report covers a month"
    );

    // 附件1: the platform's own weekly figures (the two notices of 11-18 received), and
    // the office's aggregate of its region's platforms with a total row.
    let operator = member(OPERATOR, PLATFORM, Role::PlatformOperator);
    let pw = app
        .report(
            &call(&operator, after),
            ReportKind::PlatformWeekly,
            week,
            &Target::Own,
        )
        .await
        .unwrap();
    let want = vec![
        t("某电商平台"),
        t("2026-W47"),
        i(0),
        i(0),
        i(0),
        i(0),
        i(0),
        i(0),
        i(2),
        i(0),
        i(0),
        i(0),
    ];
    assert_eq!(pw.rows, vec![want.clone()]);
    let pw_office = app
        .report(
            &call(&office, after),
            ReportKind::PlatformWeekly,
            week,
            &Target::Own,
        )
        .await
        .unwrap();
    let mut total = want.clone();
    total[0] = t("合计");
    assert_eq!(pw_office.rows, vec![want, total]);
    golden("platform-weekly-2026-W47.csv", &to_csv(&pw));
    // A platform reads no agency's report; an agency files no platform report.
    assert!(matches!(
        app.report(
            &call(&operator, after),
            ReportKind::Monthly,
            month,
            &Target::Org(HZ)
        )
        .await
        .unwrap_err(),
        AppError::NotFound
    ));
    assert!(matches!(
        app.report(
            &call(&hz_chief, after),
            ReportKind::PlatformWeekly,
            week,
            &Target::Own
        )
        .await
        .unwrap_err(),
        AppError::Invalid { .. }
    ));
    let ps = app
        .submit_report(&call(&operator, after), ReportKind::PlatformWeekly, week)
        .await
        .unwrap();
    assert_eq!(ps.table, pw);

    // XLSX: read back with calamine.
    let bytes = to_xlsx(&p, None).unwrap();
    check_xlsx(&bytes, &p);
    let bytes = to_xlsx(&m, None).unwrap();
    check_xlsx(&bytes, &m);

    // Submission: an officer may not; the supervisor does, once; frozen with its digest,
    // audited, listed for the unit and the office, not for nb.
    let hz_officer = member(HZ_OFFICER, HZ, Role::Officer);
    let e = app
        .submit_report(&call(&hz_officer, after), ReportKind::Monthly, month)
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)), "{e}");
    let sub = app
        .submit_report(&call(&hz_chief, after), ReportKind::Monthly, month)
        .await
        .unwrap();
    assert_eq!(sub.table, m, "the figures as generated");
    assert_eq!(sub.digest, m.digest());
    assert_eq!(sub.digest.len(), 64);
    // Due 2026-11-25 (the 25th, a Wednesday): submitted 12-01, late.
    assert_eq!(sub.due, NaiveDate::from_ymd_opt(2026, 11, 25).unwrap());
    assert!(sub.late);
    let again = app
        .submit_report(&call(&hz_chief, after), ReportKind::Monthly, month)
        .await
        .unwrap_err();
    assert!(again.to_string().contains("already submitted"), "{again}");
    let trail = app
        .store()
        .object_trail(ObjectType::ReportSubmission, sub.id.0)
        .await
        .unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].event.action, "report.submit");
    let read = app
        .report_submission(&call(&office, after), ReportKind::Monthly, month, HZ)
        .await
        .unwrap();
    assert_eq!(read, sub, "stored as submitted");
    assert!(matches!(
        app.report_submission(&call(&nb_chief, after), ReportKind::Monthly, month, HZ)
            .await
            .unwrap_err(),
        AppError::NotFound
    ));
    assert_eq!(
        app.report_submissions(&call(&office, after), None, 50)
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(app
        .report_submissions(&call(&nb_chief, after), None, 50)
        .await
        .unwrap()
        .is_empty());
    let xlsx = to_xlsx(
        &sub.table,
        Some(Submitted {
            at: sub.submitted_at,
            digest: &sub.digest,
        }),
    )
    .unwrap();
    check_xlsx(&xlsx, &sub.table);

    // The calendar: hz's monthly for November submitted late; the weekly of W48 (due
    // Friday 11-27) late on 12-01; W49 due soon (Friday 12-04).
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let cal = app
        .reporting_calendar(
            &call(&hz_chief, after),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 6).unwrap(),
            today,
        )
        .await
        .unwrap();
    let got: Vec<String> = cal
        .iter()
        .map(|e| {
            format!(
                "{} {} {} {:?}",
                e.due.kind, e.due.period, e.due.due, e.status
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "monthly 2026-11 2026-11-25 SubmittedLate",
            "case-progress 2026-W48 2026-11-27 Late",
            "case-progress 2026-W49 2026-12-04 DueSoon",
        ]
    );
    let office_cal = app
        .reporting_calendar(
            &call(&office, after),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            today,
        )
        .await
        .unwrap();
    // hz, nb and the police each owe the monthly and the weekly, the platform its weekly
    // report; js is not the office's.
    assert_eq!(office_cal.len(), 7);
    assert!(office_cal.iter().all(|e| e.unit != JS));
}

fn check_xlsx(bytes: &[u8], t: &ReportTable) {
    use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let name = wb.sheet_names()[0].clone();
    assert_eq!(name, t.kind.label_zh());
    let range = wb.worksheet_range(&name).unwrap();
    let cell = |r: u32, c: u32| range.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(cell(0, 0), Data::String(t.title()));
    match cell(1, 0) {
        Data::String(s) => assert!(s.starts_with(&format!("填报单位:{}", t.unit_name)), "{s}"),
        other => panic!("{other:?}"),
    }
    let period = match cell(2, 0) {
        Data::String(s) => s,
        other => panic!("{other:?}"),
    };
    assert!(
        period.starts_with(&format!("统计期间:{}", t.period.label_zh())),
        "{period}"
    );
    for (c, col) in t.columns.iter().enumerate() {
        assert_eq!(
            cell(XLSX_HEADER_ROW, c as u32),
            Data::String(col.zh.clone())
        );
    }
    for (r, row) in t.rows.iter().enumerate() {
        for (c, (v, col)) in row.iter().zip(&t.columns).enumerate() {
            let got = cell(XLSX_HEADER_ROW + 1 + r as u32, c as u32);
            let want = match (v, col.format) {
                (Cell::Int(n), wangjian_domain::report::Format::Fen) => {
                    Data::Float(*n as f64 / 100.0)
                }
                (Cell::Int(n), _) => Data::Float(*n as f64),
                (Cell::Text(s), _) => Data::String(s.clone()),
                (Cell::Empty, _) => Data::Empty,
            };
            assert_eq!(got, want, "row {r} column {}", col.key);
        }
    }
    wb.load_merged_regions().unwrap();
    let merged: Vec<((u32, u32), (u32, u32))> = wb
        .merged_regions_by_sheet(&name)
        .iter()
        .map(|(_, _, d)| (d.start, d.end))
        .collect();
    let last = t.columns.len() as u32 - 1;
    for r in 0..4 {
        assert!(
            merged.contains(&((r, 0), (r, last))),
            "row {r} merged: {merged:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_reports_over_a_known_record() {
    let path =
        std::env::temp_dir().join(format!("wj-reports-{}.db", uuid::Uuid::now_v7().simple()));
    let store = Store::open(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    reports_over_a_known_record(App::new(store.clone(), RuleSource::default()).unwrap()).await;
    store.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_reports_over_a_known_record() {
    if std::env::var("WANGJIAN_SKIP_PG").as_deref() == Ok("1") {
        eprintln!("WANGJIAN_SKIP_PG=1: skipping a PostgreSQL test");
        return;
    }
    let server = std::env::var("WANGJIAN_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let schema = format!("wjrep_{}", uuid::Uuid::now_v7().simple());
    let psql = |sql: &str| {
        let ok = std::process::Command::new("psql")
            .args([server.as_str(), "-q", "-c", sql])
            .status()
            .expect("psql runs");
        assert!(ok.success(), "psql {sql}");
    };
    psql(&format!("CREATE SCHEMA {schema}"));
    let sep = if server.contains('?') { '&' } else { '?' };
    let url = format!("{server}{sep}options=-c%20search_path%3D{schema}");
    let store = Store::open(&url).await.unwrap();
    reports_over_a_known_record(App::new(store.clone(), RuleSource::default()).unwrap()).await;
    store.close().await;
    psql(&format!("DROP SCHEMA {schema} CASCADE"));
}
