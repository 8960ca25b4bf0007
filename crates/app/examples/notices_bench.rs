//! `bench/notices.sh`: N notices sent to one platform through the app (`App::send_notices`,
//! batches of 10 000: one transaction and one multi-row insert each, one audit event and
//! evidence-log entry per notice), against the baseline of a plain multi-row INSERT of the
//! same rows into a copy of the table (no checks, no audit, no log) in the same run; then
//! the platform answers M of them (acknowledge + act with a statement of reasons) through
//! the app, one versioned transaction per step.
//!
//! Usage: `notices_bench N M URL…` (sqlite:PATH, postgres://…); prints a Markdown table.

use std::time::Instant;

use chrono::{TimeZone, Utc};
use uuid::Uuid;
use wangjian_app::notices::SendNotices;
use wangjian_app::{App, Call, Principal, RuleSource};
use wangjian_calendar::Calendar;
use wangjian_domain::lead::{listing_id_for, ListingContent};
use wangjian_domain::notice::{
    self, Draft, NoticeAction, NoticeRules, NoticeSource, StatementInput, StepInput,
};
use wangjian_domain::org::{AdminLevel, AgencyType, Membership, OrgKind, Organization, User};
use wangjian_domain::{Context, ListingId, OrgId, RegionCode, RequestId, Role, UserId};
use wangjian_store::{ListingInput, ShopInput, Store};

const HZ: OrgId = OrgId::from_u128(1);
const PLAT: OrgId = OrgId::from_u128(2);
const BATCH: usize = 10_000;

async fn seed(s: &Store, n: usize) -> Vec<ListingId> {
    let agency = OrgKind::Agency {
        agency_type: AgencyType::MarketRegulation,
        level: AdminLevel::City,
    };
    for o in [
        Organization::new(
            HZ,
            "杭州市市场监督管理局",
            "浙杭市监",
            agency,
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
        (10u128, "officer", HZ, Role::Officer),
        (11, "operator", PLAT, Role::PlatformOperator),
    ] {
        let id = UserId::from_u128(u);
        s.put_user(
            &User {
                id,
                name: login.into(),
                version: 1,
            },
            Some(login),
        )
        .await
        .unwrap();
        s.put_membership(&Membership {
            user: id,
            org,
            role,
        })
        .await
        .unwrap();
    }
    let at = Utc.with_ymd_and_hms(2026, 11, 2, 1, 0, 0).unwrap();
    let mut ids = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(5000) {
        let batch: Vec<ListingInput> = chunk
            .iter()
            .map(|i| ListingInput {
                platform: PLAT,
                shop: Some(ShopInput {
                    platform_shop_id: format!("s{}", i % 997),
                    name: format!("店{}", i % 997),
                }),
                content: ListingContent {
                    platform_listing_id: format!("L{i}"),
                    url: format!("https://shop.example.com/item/{i}"),
                    title: format!("运动鞋 {i}"),
                    description: String::new(),
                    price_fen: Some(9900),
                    ship_from: "福建莆田".into(),
                },
                captured_at: at,
                lead: None,
            })
            .collect();
        s.import_listings(&batch).await.unwrap();
        ids.extend(chunk.iter().map(|i| listing_id_for(PLAT, &format!("L{i}"))));
    }
    ids
}

async fn call(app: &App, login: &str) -> Call {
    Call {
        principal: Principal::Member(app.member_by_login(login, None).await.unwrap()),
        request: RequestId(Uuid::now_v7()),
        now: Utc::now(),
    }
}

async fn run(url: &str, n: usize, m: usize) -> String {
    let s = Store::open(url).await.unwrap();
    let listings = seed(&s, n).await;
    let app = App::new(s.clone(), RuleSource::default()).unwrap();
    let officer = call(&app, "officer").await;
    // The app: checks (listings exist on the platform, no open notice), the domain's
    // command, one multi-row insert and one audit event + log entry per notice.
    let t = Instant::now();
    let mut sent = Vec::with_capacity(n);
    for chunk in listings.chunks(BATCH) {
        let req = SendNotices {
            platform: PLAT,
            listings: chunk.to_vec(),
            ground: "注册商标第1234567号 假冒".into(),
            case: None,
            complaint: None,
        };
        sent.extend(
            app.send_notices(&officer, &req)
                .await
                .unwrap()
                .into_iter()
                .map(|x| x.id),
        );
    }
    let app_s = t.elapsed().as_secs_f64();
    // The baseline: the same rows, plain multi-row INSERT into a copy of the table.
    let drafts: Vec<Draft> = listings
        .iter()
        .map(|l| Draft {
            recipient: PLAT,
            listing: *l,
            shop: None,
            ground: "注册商标第1234567号 假冒".into(),
            source: NoticeSource::AgencyOrder,
            complaint: None,
            case: None,
        })
        .collect();
    let rules = NoticeRules::defaults().unwrap();
    let mut rows = Vec::with_capacity(n);
    for chunk in drafts.chunks(BATCH) {
        let ctx = Context::new_v7(RequestId(Uuid::now_v7()), Utc::now(), 2 * chunk.len());
        rows.push(
            notice::send(
                chunk,
                HZ,
                UserId::from_u128(10),
                rules,
                Calendar::china(),
                &ctx,
            )
            .unwrap()
            .into_parts()
            .0,
        );
    }
    let t = Instant::now();
    for r in &rows {
        wangjian_store::bench::plain_insert_notices(&s, r)
            .await
            .unwrap();
    }
    let base_s = t.elapsed().as_secs_f64();
    // The platform answers m notices: acknowledge, then act with a statement of reasons.
    let operator = call(&app, "operator").await;
    let act = StepInput {
        measure: Some("removed".into()),
        statement: Some(StatementInput {
            ground: "illegal".into(),
            legal_ground: "商标法第五十七条".into(),
            facts: "标题使用他人注册商标".into(),
            automated_detection: true,
            automated_decision: false,
            redress: "可提交不侵权声明".into(),
        }),
        ..Default::default()
    };
    let t = Instant::now();
    for id in sent.iter().take(m) {
        app.notice_step(
            &operator,
            *id,
            NoticeAction::Acknowledge,
            &StepInput::default(),
            None,
        )
        .await
        .unwrap();
        app.notice_step(&operator, *id, NoticeAction::Act, &act, None)
            .await
            .unwrap();
    }
    let answer_s = t.elapsed().as_secs_f64();
    s.close().await;
    let backend = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    format!(
        "| {backend} | {n} | {app_s:.2} s ({:.0}/s) | {base_s:.2} s ({:.0}/s) | {:.1}× | {m} × 2 steps: {answer_s:.2} s ({:.0} steps/s) |\n",
        n as f64 / app_s,
        n as f64 / base_s,
        app_s / base_s,
        (2 * m) as f64 / answer_s,
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let m: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(2_000);
    let mut out = String::from(
        "| backend | notices | sent through the app (checks, audit event + log entry each) | baseline: plain multi-row INSERT of the same rows | ratio | the platform answers through the app |\n|---|---|---|---|---|---|\n",
    );
    for url in &args[2..] {
        out.push_str(&run(url, n, m).await);
    }
    print!("{out}");
}
