//! The notice-and-takedown path end to end through the use cases, on SQLite and
//! PostgreSQL: a rights holder's complaint, accepted, becomes a notice; the platform
//! removes the listing; the seller objects; the declaration reaches the complainant on
//! Sunday 2026-12-20, so the 15 days end on Monday 2027-01-04 — counted over 2027, whose
//! holiday notice is not published, so provisional (flagged) — and the measure is lifted
//! the day after, not before. Then the week's figures.

use std::process::Command;

use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;
use wangjian_app::notices::weekly::IsoWeek;
use wangjian_app::notices::SendNotices;
use wangjian_app::workflow::complaints::ComplaintDecision;
use wangjian_app::{App, AppError, Call, Principal, RuleSource};
use wangjian_calendar::Calendar;
use wangjian_domain::complaint::{self, Submission};
use wangjian_domain::lead::{listing_id_for, ListingContent};
use wangjian_domain::notice::{Declaration, NoticeAction, NoticeState, StatementInput, StepInput};
use wangjian_domain::org::{AdminLevel, AgencyType, Membership, OrgKind, Organization, User};
use wangjian_domain::{Context, OrgId, RegionCode, RequestId, Role, RuleSet, UserId};
use wangjian_store::{ListingInput, ShopInput, Store};

const HZ: OrgId = OrgId::from_u128(1);
const PLAT: OrgId = OrgId::from_u128(2);
const OFFICER: UserId = UserId::from_u128(10);
const OPERATOR: UserId = UserId::from_u128(11);

/// 10:00 in China on the day.
fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 2, 0, 0).unwrap()
}

async fn seed(s: &Store) {
    for o in [
        Organization::new(
            HZ,
            "杭州市市场监督管理局",
            "浙杭市监",
            OrgKind::Agency {
                agency_type: AgencyType::MarketRegulation,
                level: AdminLevel::City,
            },
            RegionCode::parse("330100").unwrap(),
        )
        .unwrap(),
        Organization::new(
            PLAT,
            "甲电商平台",
            "PLAT",
            OrgKind::Platform,
            RegionCode::parse("330106").unwrap(),
        )
        .unwrap(),
    ] {
        s.put_organization(&o).await.unwrap();
    }
    for (u, login, org, role) in [
        (OFFICER, "officer", HZ, Role::Officer),
        (OPERATOR, "operator", PLAT, Role::PlatformOperator),
    ] {
        s.put_user(
            &User {
                id: u,
                name: login.into(),
                version: 1,
            },
            Some(login),
        )
        .await
        .unwrap();
        s.put_membership(&Membership { user: u, org, role })
            .await
            .unwrap();
    }
    let listings: Vec<ListingInput> = (1..=2)
        .map(|n| ListingInput {
            platform: PLAT,
            shop: Some(ShopInput {
                platform_shop_id: format!("shop{n}"),
                name: format!("店{n}"),
            }),
            content: ListingContent {
                platform_listing_id: format!("L{n}"),
                url: format!("https://shop.example.com/item/{n}"),
                title: "耐克 Air 运动鞋 原单".into(),
                description: "高仿".into(),
                price_fen: Some(9900),
                ship_from: "福建莆田".into(),
            },
            captured_at: at(2026, 12, 1),
            lead: None,
        })
        .collect();
    s.import_listings(&listings).await.unwrap();
}

async fn call(app: &App, login: &str, now: DateTime<Utc>) -> Call {
    Call {
        principal: Principal::Member(app.member_by_login(login, None).await.unwrap()),
        request: RequestId(Uuid::now_v7()),
        now,
    }
}

fn statement(facts: &str) -> StatementInput {
    StatementInput {
        ground: "illegal".into(),
        legal_ground: "《电子商务法》第四十二条;《商标法》第五十七条".into(),
        facts: facts.into(),
        automated_detection: false,
        automated_decision: false,
        redress: "可向平台提交不侵权声明".into(),
    }
}

async fn complaint_to_restoration(s: Store) {
    seed(&s).await;
    let app = App::new(s.clone(), RuleSource::default()).unwrap();
    // The rights holder's complaint, received and accepted by Hangzhou.
    let orgs = s.organizations().await.unwrap();
    let change = complaint::submit(
        &Submission {
            kind: "complaint".into(),
            text: "该店铺销售假冒我司耐克注册商标的运动鞋".into(),
            links: vec!["https://shop.example.com/item/1".into()],
            contact: "某品牌权利人 法务部 0571-00000000".into(),
            respondent: "店1".into(),
            region: "330106".into(),
        },
        vec![],
        complaint::tracking_number([7; 10]),
        &orgs,
        RuleSet::defaults().unwrap(),
        Calendar::china(),
        &Context::with_counter(RequestId(Uuid::from_u128(1)), at(2026, 12, 16), 1 << 40, 8),
    )
    .unwrap();
    let c = s.submit_complaint(change, &[]).await.unwrap().value;
    let officer = call(&app, "officer", at(2026, 12, 17)).await;
    let req = SendNotices {
        platform: PLAT,
        listings: vec![listing_id_for(PLAT, "L1")],
        ground: "耐克注册商标 第1234567号;权利人投诉及比对说明".into(),
        case: None,
        complaint: Some(c.id),
    };
    // Not accepted yet: refused, nothing sent.
    let e = app.send_notices(&officer, &req).await.unwrap_err();
    assert!(
        matches!(e, AppError::RuleViolation(ref m) if m.contains("accept")),
        "{e:?}"
    );
    app.decide_complaint(&officer, c.id, None, &ComplaintDecision::Accept)
        .await
        .unwrap();
    // Friday 2026-12-18: sent; one working day to acknowledge, Monday 12-21.
    let officer = call(&app, "officer", at(2026, 12, 18)).await;
    let sent = app.send_notices(&officer, &req).await.unwrap();
    let id = sent[0].id;
    assert_eq!(
        sent[0].due,
        Some(chrono::NaiveDate::from_ymd_opt(2026, 12, 21).unwrap())
    );
    assert_eq!(
        sent[0].source,
        wangjian_domain::notice::NoticeSource::Complaint
    );
    let step = |a, input: StepInput, now| {
        let app = app.clone();
        async move {
            let c = call(&app, "operator", now).await;
            app.notice_step(&c, id, a, &input, None).await
        }
    };
    step(
        NoticeAction::Acknowledge,
        StepInput::default(),
        at(2026, 12, 18),
    )
    .await
    .unwrap();
    let acted = step(
        NoticeAction::Act,
        StepInput {
            measure: Some("removed".into()),
            statement: Some(statement(
                "商品标题及图片使用权利人注册商标,权利人提供了初步证据",
            )),
            ..Default::default()
        },
        at(2026, 12, 18),
    )
    .await
    .unwrap();
    assert_eq!(acted.decided_on_time, Some(true));
    step(
        NoticeAction::Forward,
        StepInput::default(),
        at(2026, 12, 18),
    )
    .await
    .unwrap();
    step(
        NoticeAction::Object,
        StepInput {
            declaration: Some(Declaration {
                text: "本店商品购自品牌授权经销商".into(),
                evidence: vec!["进货发票 No.0012345".into()],
            }),
            ..Default::default()
        },
        at(2026, 12, 19),
    )
    .await
    .unwrap();
    let fwd = step(
        NoticeAction::ForwardObjection,
        StepInput::default(),
        at(2026, 12, 20),
    )
    .await
    .unwrap();
    assert_eq!(
        fwd.response_due,
        Some(chrono::NaiveDate::from_ymd_opt(2027, 1, 4).unwrap())
    );
    assert!(fwd.due_provisional, "counted over 2027: provisional");
    let restore = StepInput {
        statement: Some(statement("转送声明到达后十五日内未收到投诉或起诉通知")),
        ..Default::default()
    };
    let early = step(NoticeAction::Restore, restore.clone(), at(2027, 1, 4))
        .await
        .unwrap_err();
    assert!(
        matches!(early, AppError::RuleViolation(ref m) if m.contains("暂定")),
        "{early:?}"
    );
    let lifted = step(NoticeAction::Restore, restore, at(2027, 1, 5))
        .await
        .unwrap();
    assert_eq!(lifted.state, NoticeState::Restored);
    // The trail: send and seven steps, each audited.
    let trail = s
        .object_trail(wangjian_domain::ObjectType::Notice, id.0)
        .await
        .unwrap();
    assert_eq!(trail.len(), 7);
    // The listing is free again; the week of 2026-12-14 counts the notice.
    let again = call(&app, "officer", at(2027, 1, 6)).await;
    assert_eq!(
        app.send_notices(
            &again,
            &SendNotices {
                complaint: None,
                ..req
            }
        )
        .await
        .unwrap()
        .len(),
        1
    );
    let week = IsoWeek::parse("2026-W51").unwrap();
    let row = app.platform_weekly(&officer, PLAT, week).await.unwrap();
    assert_eq!(
        (
            row.notices_received,
            row.notices_acted,
            row.acted_within_deadline
        ),
        (1, 1, 1)
    );
    assert_eq!(row.listings_removed, 1);
    let op = call(&app, "operator", at(2027, 1, 6)).await;
    let reps = app.notifier_reputations(&op, PLAT).await.unwrap();
    assert_eq!(reps.len(), 1);
    assert_eq!((reps[0].acted, reps[0].restored), (1, 1));
}

/// A platform's self-inspection action enters the credit file of the shop's subject when
/// the registry knows it, once per record; a shop whose subject is unknown keeps the
/// record and adds nothing.
async fn self_inspection_enters_the_credit_file(s: Store) {
    use wangjian_domain::self_inspection::InspectionInput;
    use wangjian_domain::subject::Subject;
    use wangjian_domain::SubjectId;
    seed(&s).await;
    let app = App::new(s.clone(), RuleSource::default()).unwrap();
    let firm = Subject::enterprise(
        SubjectId::from_u128(77),
        "杭州某某贸易有限公司",
        "91330100799655058B",
    )
    .unwrap();
    s.put_subject(&firm).await.unwrap();
    let mut shop = s
        .shop(wangjian_domain::lead::shop_id_for(PLAT, "shop1"))
        .await
        .unwrap()
        .expect("the shop of the imported listing");
    shop.subject = Some(firm.id);
    s.put_shop(&shop).await.unwrap();
    let op = call(&app, "operator", at(2026, 12, 2)).await;
    let closed = app
        .record_self_inspection(
            &op,
            &InspectionInput {
                shop: "shop1".into(),
                action: "close_shop".into(),
                reason: "销售假冒注册商标商品".into(),
                listings: vec![listing_id_for(PLAT, "L1")],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let file = s.credit_file(firm.id).await.unwrap().unwrap();
    let recs: Vec<_> = file
        .records
        .iter()
        .filter(|r| r.kind == wangjian_domain::credit::CreditRecordKind::SelfInspection)
        .collect();
    assert_eq!(recs.len(), 1, "{:?}", file.records);
    assert_eq!(
        recs[0].reference,
        format!("self-inspection:{}", closed.id.0)
    );
    assert!(recs[0].summary.contains("关闭店铺"), "{}", recs[0].summary);
    assert_eq!(recs[0].source, "甲电商平台");
    // No subject known behind shop2: the record stands, no credit file changes.
    app.record_self_inspection(
        &op,
        &InspectionInput {
            shop: "shop2".into(),
            action: "warning".into(),
            reason: "标题使用他人商标".into(),
            listings: vec![listing_id_for(PLAT, "L2")],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let file = s.credit_file(firm.id).await.unwrap().unwrap();
    assert_eq!(file.records.len(), 1, "{:?}", file.records);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_inspection_enters_the_credit_file_on_sqlite() {
    let path = std::env::temp_dir().join(format!("wj-app-insp-{}.db", Uuid::now_v7().simple()));
    let s = Store::open(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    self_inspection_enters_the_credit_file(s.clone()).await;
    s.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_inspection_enters_the_credit_file_on_postgres() {
    if std::env::var("WANGJIAN_SKIP_PG").as_deref() == Ok("1") {
        return;
    }
    let server = std::env::var("WANGJIAN_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("wjapp_{}", Uuid::now_v7().simple());
    psql(&server, &format!("CREATE SCHEMA {name}"));
    let sep = if server.contains('?') { '&' } else { '?' };
    let s = Store::open(&format!("{server}{sep}options=-c%20search_path%3D{name}"))
        .await
        .unwrap();
    self_inspection_enters_the_credit_file(s.clone()).await;
    s.close().await;
    psql(&server, &format!("DROP SCHEMA {name} CASCADE"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn complaint_to_restoration_on_sqlite() {
    let path = std::env::temp_dir().join(format!("wj-app-notices-{}.db", Uuid::now_v7().simple()));
    let s = Store::open(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    complaint_to_restoration(s.clone()).await;
    s.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

fn psql(server: &str, sql: &str) {
    let out = Command::new("psql")
        .args([server, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .output()
        .expect("psql is needed for PostgreSQL tests; set WANGJIAN_SKIP_PG=1 to skip them");
    assert!(
        out.status.success(),
        "psql {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn complaint_to_restoration_on_postgres() {
    if std::env::var("WANGJIAN_SKIP_PG").as_deref() == Ok("1") {
        return;
    }
    let server = std::env::var("WANGJIAN_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("wjapp_{}", Uuid::now_v7().simple());
    psql(&server, &format!("CREATE SCHEMA {name}"));
    let sep = if server.contains('?') { '&' } else { '?' };
    let s = Store::open(&format!("{server}{sep}options=-c%20search_path%3D{name}"))
        .await
        .unwrap();
    complaint_to_restoration(s.clone()).await;
    s.close().await;
    psql(&server, &format!("DROP SCHEMA {name} CASCADE"));
}
