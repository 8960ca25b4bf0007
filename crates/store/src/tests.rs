//! The contract suite: every test runs on SQLite (a temporary file) and on PostgreSQL
//! (a fresh schema with a random name, dropped afterwards), like Quickwit's metastore
//! suite. PostgreSQL is `postgres://postgres@127.0.0.1:5432/postgres` unless
//! `WANGJIAN_TEST_PG` says otherwise; when it is unreachable the PostgreSQL tests FAIL,
//! unless `WANGJIAN_SKIP_PG=1`.

use chrono::{NaiveDate, TimeZone, Utc};
use wangjian_calendar::Calendar;
use wangjian_domain::case::Env;
use wangjian_domain::lead::{lead_id_for, listing_id_for, ListingContent};
use wangjian_domain::org::{AdminLevel, Membership, OrgKind, Organization, User};
use wangjian_domain::supervision::{self, SupervisionLevel};
use wangjian_domain::{
    Actor, AgencyType, CaseCommand, CaseState, Change, Context, Events, LeadId, OrgId, RegionCode,
    RequestId, Role, RuleSet, UserId,
};

use crate::*;

pub(crate) struct TestDb {
    pub(crate) store: Store,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Schema(String),
}

pub(crate) fn pg_url() -> String {
    std::env::var("WANGJIAN_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

impl TestDb {
    pub(crate) async fn sqlite() -> TestDb {
        Self::sqlite_migrated(true).await
    }

    /// A fresh SQLite file, migrated to the newest schema or not at all (to test a
    /// migration from an older one).
    pub(crate) async fn sqlite_migrated(migrate: bool) -> TestDb {
        let path =
            std::env::temp_dir().join(format!("wj-store-{}.db", uuid::Uuid::now_v7().simple()));
        let store = Store::connect(&format!("sqlite:{}", path.display()))
            .await
            .unwrap();
        if migrate {
            store.migrate().await.unwrap();
        }
        TestDb {
            store,
            cleanup: Cleanup::File(path),
        }
    }

    /// `None` only when WANGJIAN_SKIP_PG=1.
    pub(crate) async fn postgres() -> Option<TestDb> {
        Self::postgres_migrated(true).await
    }

    /// A fresh PostgreSQL schema, migrated or not (see [`TestDb::sqlite_migrated`]).
    pub(crate) async fn postgres_migrated(migrate: bool) -> Option<TestDb> {
        if std::env::var("WANGJIAN_SKIP_PG").as_deref() == Ok("1") {
            eprintln!("WANGJIAN_SKIP_PG=1: skipping a PostgreSQL contract test");
            return None;
        }
        let admin = Store::connect(&pg_url()).await.unwrap_or_else(|e| {
            panic!(
                "PostgreSQL at {} is unreachable ({e}); start it or set WANGJIAN_SKIP_PG=1",
                pg_url()
            )
        });
        let schema = format!("wjt_{}", uuid::Uuid::now_v7().simple());
        admin
            .pool
            .exec(&format!("CREATE SCHEMA {schema}"), vec![])
            .await
            .unwrap();
        admin.close().await;
        let sep = if pg_url().contains('?') { '&' } else { '?' };
        let url = format!("{}{sep}options=-c%20search_path%3D{schema}", pg_url());
        let store = Store::connect(&url).await.unwrap();
        if migrate {
            store.migrate().await.unwrap();
        }
        Some(TestDb {
            store,
            cleanup: Cleanup::Schema(schema),
        })
    }

    pub(crate) async fn finish(self) {
        self.store.close().await;
        match self.cleanup {
            Cleanup::File(p) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
                }
            }
            Cleanup::Schema(s) => {
                if let Ok(admin) = Store::connect(&pg_url()).await {
                    let _ = admin
                        .pool
                        .exec(&format!("DROP SCHEMA {s} CASCADE"), vec![])
                        .await;
                    admin.close().await;
                }
            }
        }
    }
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = super::TestDb::sqlite().await;
                    super::$name(&db.store).await;
                    db.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = super::TestDb::postgres().await else { return };
                    super::$name(&db.store).await;
                    db.finish().await;
                }
            )*
        }
    };
}

contract!(
    directory_round_trip_and_idempotent_put,
    register_load_and_audit,
    concurrent_writers_conflict,
    audit_failure_rolls_back_values,
    reimport_and_repatrol_are_idempotent,
    case_numbers_unique_under_concurrency,
    queries_by_region_officer_and_isolation,
    export_and_transfer_round_trip,
    ingest_queue_filters_and_dismissal,
    token_scopes_list_and_revoke,
    marks_registry_many_owners_per_word,
);

/// One word, many owners: each owner's entry keeps its classes and registrations, a
/// re-import changes nothing, and new classes update the entry in place.
async fn marks_registry_many_owners_per_word(s: &Store) {
    let text = "注册号,商标名称,国际分类,申请人名称,商标状态\n\
        1001,长城,33,中粮长城葡萄酒有限公司,已注册\n\
        1002,长城,12,长城汽车股份有限公司,已注册\n\
        1003,长城,9,中国长城科技集团股份有限公司,已注册\n\
        1004,长城,32,中粮长城葡萄酒有限公司,已注册\n";
    let rows = wangjian_detect::read_marks("reg.csv", text, Default::default()).unwrap();
    let (marks, warnings) = wangjian_detect::merge_marks(rows.marks);
    assert!(warnings.is_empty());
    assert_eq!(s.put_marks(&marks).await.unwrap(), 3);
    assert_eq!(s.put_marks(&marks).await.unwrap(), 0);
    let stored = s.marks().await.unwrap();
    assert_eq!(stored.len(), 3);
    let wine = stored
        .iter()
        .find(|m| m.owner == "中粮长城葡萄酒有限公司")
        .unwrap();
    assert_eq!(wine.classes, vec![32, 33]);
    assert_eq!(wine.registrations, vec!["1001", "1004"]);
    let mut more = marks.clone();
    more[1].classes.push(7);
    assert_eq!(s.put_marks(&more).await.unwrap(), 1);
    let cars = s.marks().await.unwrap();
    let cars = cars
        .iter()
        .find(|m| m.owner == "长城汽车股份有限公司")
        .unwrap();
    assert_eq!(cars.classes, vec![12, 7]);
}

const HZ: OrgId = OrgId::from_u128(1);
const NB: OrgId = OrgId::from_u128(2);
const OFFICE: OrgId = OrgId::from_u128(3);
const PLATFORM: OrgId = OrgId::from_u128(4);
const POLICE: OrgId = OrgId::from_u128(5);
const A: UserId = UserId::from_u128(10);
const B: UserId = UserId::from_u128(11);
const S: UserId = UserId::from_u128(12);
const N: UserId = UserId::from_u128(13);
const SO: UserId = UserId::from_u128(14);

fn env() -> Env<'static> {
    Env {
        rules: RuleSet::defaults().unwrap(),
        overrides: &[],
        calendar: Calendar::china(),
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn ctx(d: NaiveDate, seed: u128) -> Context {
    let now = Utc.from_utc_datetime(&d.and_hms_opt(2, 0, 0).unwrap());
    Context::with_counter(RequestId::from_u128(seed), now, (seed + 1) << 40, 32)
}

fn org(id: OrgId, name: &str, prefix: &str, kind: OrgKind, region: &str) -> Organization {
    Organization::new(id, name, prefix, kind, RegionCode::parse(region).unwrap()).unwrap()
}

fn agency(t: AgencyType, l: AdminLevel) -> OrgKind {
    OrgKind::Agency {
        agency_type: t,
        level: l,
    }
}

async fn seed(s: &Store) {
    for o in [
        org(
            HZ,
            "杭州市市场监督管理局",
            "浙杭市监",
            agency(AgencyType::MarketRegulation, AdminLevel::City),
            "330100",
        ),
        org(
            NB,
            "宁波市市场监督管理局",
            "浙甬市监",
            agency(AgencyType::MarketRegulation, AdminLevel::City),
            "330200",
        ),
        org(
            OFFICE,
            "杭州市双打办",
            "杭双打",
            OrgKind::CoordinationOffice,
            "330100",
        ),
        org(PLATFORM, "某电商平台", "PLAT", OrgKind::Platform, "330106"),
        org(
            POLICE,
            "杭州市公安局",
            "杭公",
            agency(AgencyType::Police, AdminLevel::City),
            "330100",
        ),
    ] {
        s.put_organization(&o).await.unwrap();
    }
    for (u, o, r) in [
        (A, HZ, Role::Officer),
        (B, HZ, Role::Officer),
        (S, HZ, Role::Supervisor),
        (N, NB, Role::Officer),
        (SO, OFFICE, Role::Supervisor),
    ] {
        s.put_user(
            &User {
                id: u,
                name: format!("user {u}"),
                version: 1,
            },
            Some(&format!("u{u}")),
        )
        .await
        .unwrap();
        s.put_membership(&Membership {
            user: u,
            org: o,
            role: r,
        })
        .await
        .unwrap();
    }
}

fn listing(n: u32, title: &str, lead_org: Option<OrgId>) -> ListingInput {
    ListingInput {
        platform: PLATFORM,
        shop: Some(ShopInput {
            platform_shop_id: format!("shop{}", n % 7),
            name: format!("店{}", n % 7),
        }),
        content: ListingContent {
            platform_listing_id: format!("L{n}"),
            url: format!("https://shop.example.com/item/{n}"),
            title: title.to_string(),
            description: "原单".into(),
            price_fen: Some(19_900),
            ship_from: "福建莆田".into(),
        },
        captured_at: Utc.with_ymd_and_hms(2024, 9, 2, 1, 0, 0).unwrap(),
        lead: lead_org.map(|org| ScanLead {
            org,
            rule_set_version: "rs1".into(),
            summary: format!("high: {title}"),
            scan: None,
        }),
    }
}

/// Imports `n` flagged listings for `org` and returns their leads.
async fn leads(s: &Store, org: OrgId, from: u32, n: u32) -> Vec<LeadId> {
    let batch: Vec<_> = (from..from + n)
        .map(|i| listing(i, &format!("高仿 N1ke {i}"), Some(org)))
        .collect();
    s.import_listings(&batch).await.unwrap();
    batch
        .iter()
        .map(|l| {
            let key = wangjian_domain::lead::LeadDedupKey::Scan {
                snapshot_hash: l.content.content_hash(),
                rule_set_version: "rs1".into(),
            };
            lead_id_for(org, &key)
        })
        .collect()
}

fn actor(user: UserId, org: OrgId, role: Role) -> Actor {
    Actor {
        user,
        org,
        roles: vec![role],
    }
}

async fn register(
    s: &Store,
    who: &Actor,
    lead: LeadId,
    seed: u128,
) -> Applied<wangjian_domain::CaseFile> {
    let req = CaseNumberRequest {
        title: "销售假冒注册商标的商品".into(),
        leads: vec![lead],
    };
    s.register_case(who, &req, env(), &ctx(day(2024, 9, 2), seed))
        .await
        .unwrap()
}

async fn directory_round_trip_and_idempotent_put(s: &Store) {
    seed(s).await;
    let hz = s.organization(HZ).await.unwrap().unwrap();
    assert_eq!(hz.name, "杭州市市场监督管理局");
    assert_eq!(
        hz.kind,
        agency(AgencyType::MarketRegulation, AdminLevel::City)
    );
    let office = s.organization(OFFICE).await.unwrap().unwrap();
    assert_eq!(office.kind, OrgKind::CoordinationOffice);
    assert_eq!(s.put_organization(&hz).await.unwrap(), Written::Unchanged);
    let mut renamed = hz.clone();
    renamed.name = "杭州市市场监管局".into();
    assert_eq!(
        s.put_organization(&renamed).await.unwrap(),
        Written::Updated(2)
    );
    assert_eq!(
        s.find_organization("浙杭市监")
            .await
            .unwrap()
            .unwrap()
            .version,
        2
    );
    let a = s.actor(A, HZ).await.unwrap().unwrap();
    assert_eq!(a.roles, vec![Role::Officer]);
    assert!(s.actor(A, NB).await.unwrap().is_none());
    assert!(!s
        .put_membership(&Membership {
            user: A,
            org: HZ,
            role: Role::Officer
        })
        .await
        .unwrap());
    s.set_password_hash(A, Some("$argon2id$x")).await.unwrap();
    let (u, h) = s.user_by_login(&format!("u{A}")).await.unwrap().unwrap();
    assert_eq!((u.id, h.as_deref()), (A, Some("$argon2id$x")));
}

async fn register_load_and_audit(s: &Store) {
    seed(s).await;
    let l = leads(s, HZ, 0, 1).await;
    let officer = actor(A, HZ, Role::Officer);
    let reg = register(s, &officer, l[0], 1).await;
    let file = s.case_file(reg.value.case.id).await.unwrap();
    assert_eq!(
        file, reg.value,
        "the case file reads back exactly as written"
    );
    assert_eq!(file.case.number.seq, 1);
    assert_eq!(file.case.number.document_form(), "浙杭市监〔2024〕1号");
    let cmd = CaseCommand::StartVerification { verifier: A };
    let after = s
        .run_case_command(
            file.case.id,
            &officer,
            &cmd,
            env(),
            &ctx(day(2024, 9, 3), 2),
        )
        .await
        .unwrap();
    assert_eq!(after.value.case.state, CaseState::Verifying);
    assert_eq!(s.case_file(file.case.id).await.unwrap(), after.value);
    let trail = s.case_trail(file.case.id).await.unwrap();
    assert_eq!(trail.len(), reg.seqs.len() + after.seqs.len());
    assert!(
        trail.windows(2).all(|w| w[0].seq < w[1].seq),
        "seq increases"
    );
    assert_eq!(
        trail.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [reg.seqs.clone(), after.seqs.clone()].concat()
    );
    assert_eq!(
        trail.last().unwrap().event.action,
        "case.start_verification"
    );
    // Every stored object has its event.
    let case_events = s
        .object_trail(wangjian_domain::ObjectType::Case, file.case.id.0)
        .await
        .unwrap();
    assert_eq!(case_events.len(), 2);
    let req = s.request_trail(RequestId::from_u128(2)).await.unwrap();
    assert_eq!(req.len(), after.seqs.len());
    assert_eq!(
        s.events_after(reg.seqs[0], 100).await.unwrap().len(),
        trail.len() - 1
    );
}

async fn concurrent_writers_conflict(s: &Store) {
    seed(s).await;
    let l = leads(s, HZ, 0, 1).await;
    let reg = register(s, &actor(S, HZ, Role::Supervisor), l[0], 1).await;
    let id = reg.value.case.id;
    let file = s.case_file(id).await.unwrap();
    let sup = actor(S, HZ, Role::Supervisor);
    // Two officers read the same version and both act.
    let one = wangjian_domain::case::apply(
        &file,
        &sup,
        &CaseCommand::StartVerification { verifier: A },
        env(),
        &ctx(day(2024, 9, 3), 2),
    )
    .unwrap();
    let two = wangjian_domain::case::apply(
        &file,
        &sup,
        &CaseCommand::StartVerification { verifier: B },
        env(),
        &ctx(day(2024, 9, 3), 3),
    )
    .unwrap();
    let (r1, r2) = tokio::join!(s.apply(one), s.apply(two));
    let (ok, err) = match (r1, r2) {
        (Ok(a), Err(e)) | (Err(e), Ok(a)) => (a, e),
        (a, b) => panic!("exactly one writer must win: {a:?} {b:?}"),
    };
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                table: "cases",
                expected: 1,
                ..
            }
        ),
        "{err}"
    );
    let stored = s.case_file(id).await.unwrap();
    assert_eq!(stored, ok.value, "the winner's change is stored whole");
    assert_eq!(
        s.case_trail(id).await.unwrap().len(),
        reg.seqs.len() + ok.seqs.len(),
        "the loser left no events"
    );
}

async fn audit_failure_rolls_back_values(s: &Store) {
    seed(s).await;
    let l = leads(s, HZ, 0, 1).await;
    let reg = register(s, &actor(A, HZ, Role::Officer), l[0], 1).await;
    let file = s.case_file(reg.value.case.id).await.unwrap();
    let change = wangjian_domain::case::apply(
        &file,
        &actor(A, HZ, Role::Officer),
        &CaseCommand::StartVerification { verifier: A },
        env(),
        &ctx(day(2024, 9, 3), 2),
    )
    .unwrap();
    // Fault injection: the audit insert fails after the case row was updated (its event
    // reuses the id of an event already stored).
    let (value, mut events) = change.into_parts();
    let old = s.case_trail(file.case.id).await.unwrap();
    events[0].id = old[0].event.id;
    let logged = s.log_size().await.unwrap();
    let err = s
        .apply(Change::new(value, Events::new(events).unwrap()))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate(_)), "{err}");
    assert_eq!(
        s.case_file(file.case.id).await.unwrap(),
        file,
        "no value without its event"
    );
    assert_eq!(s.case_trail(file.case.id).await.unwrap(), old);
    assert_eq!(
        s.log_size().await.unwrap(),
        logged,
        "no evidence-log entry without its event"
    );
    assert!(s.verify_log().await.unwrap().problems.is_empty());
}

async fn reimport_and_repatrol_are_idempotent(s: &Store) {
    seed(s).await;
    let batch: Vec<_> = (0..50)
        .map(|i| listing(i, &format!("高仿 N1ke {i}"), (i % 2 == 0).then_some(HZ)))
        .collect();
    let first = s.import_listings(&batch).await.unwrap();
    assert_eq!(
        first,
        BatchOutcome {
            shops: 7,
            listings: 50,
            snapshots: 50,
            leads: 25
        }
    );
    let again = s.import_listings(&batch).await.unwrap();
    assert_eq!(again, BatchOutcome::default(), "re-import adds nothing");
    // A listing whose content changed gets a new snapshot (and a new lead), not a new listing.
    let mut changed = listing(0, "高仿 N1ke 0 新款", Some(HZ));
    changed.captured_at = Utc.with_ymd_and_hms(2024, 9, 3, 1, 0, 0).unwrap();
    let c = s.import_listings(&[changed.clone()]).await.unwrap();
    assert_eq!(
        c,
        BatchOutcome {
            shops: 0,
            listings: 0,
            snapshots: 1,
            leads: 1
        }
    );
    let latest = s
        .latest_snapshot(listing_id_for(PLATFORM, "L0"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.title, "高仿 N1ke 0 新款");
    let mut n = 0;
    s.export_table("leads", |_| {
        n += 1;
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(n, 26);
}

async fn case_numbers_unique_under_concurrency(s: &Store) {
    seed(s).await;
    let l = leads(s, HZ, 0, 12).await;
    let mut tasks = Vec::new();
    for (i, lead) in l.into_iter().enumerate() {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let req = CaseNumberRequest {
                title: format!("案 {i}"),
                leads: vec![lead],
            };
            s.register_case(
                &actor(A, HZ, Role::Officer),
                &req,
                env(),
                &ctx(day(2024, 9, 2), 100 + i as u128),
            )
            .await
            .map(|a| a.value.case.number.seq)
        }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap().unwrap());
    }
    seqs.sort();
    assert_eq!(seqs, (1..=12).collect::<Vec<u32>>());
}

async fn queries_by_region_officer_and_isolation(s: &Store) {
    seed(s).await;
    let hz_leads = leads(s, HZ, 0, 5).await;
    let nb_leads = leads(s, NB, 100, 3).await;
    let sup = actor(S, HZ, Role::Supervisor);
    let mut hz_cases = Vec::new();
    for (i, l) in hz_leads.iter().enumerate() {
        let c = register(s, &sup, *l, 10 + i as u128).await.value;
        let who = if i < 3 { A } else { B };
        s.run_case_command(
            c.case.id,
            &sup,
            &CaseCommand::StartVerification { verifier: who },
            env(),
            &ctx(day(2024, 9, 3), 50 + i as u128),
        )
        .await
        .unwrap();
        hz_cases.push(c.case.id);
    }
    for (i, l) in nb_leads.iter().enumerate() {
        register(s, &actor(N, NB, Role::Officer), *l, 20 + i as u128).await;
    }
    // Officer queues, paged.
    let p1 = s.officer_queue(HZ, A, None, 2).await.unwrap();
    assert_eq!(p1.items.len(), 2);
    let p2 = s.officer_queue(HZ, A, p1.next.clone(), 2).await.unwrap();
    assert_eq!((p2.items.len(), p2.next.clone()), (1, None));
    assert_eq!(
        s.officer_queue(HZ, B, None, 10).await.unwrap().items.len(),
        2
    );
    // Isolation: NB sees only its cases; A's queue in NB is empty.
    let nb = s.cases(&CaseQuery::new(Scope::Org(NB))).await.unwrap();
    assert_eq!(nb.items.len(), 3);
    assert!(nb.items.iter().all(|c| c.responsible_org == NB));
    assert!(s
        .officer_queue(NB, A, None, 10)
        .await
        .unwrap()
        .items
        .is_empty());
    // Region scope: Hangzhou sees 5, Zhejiang 8, Xihu district none.
    let region = |c: &str| Scope::Region(RegionCode::parse(c).unwrap());
    assert_eq!(
        s.cases(&CaseQuery::new(region("330100")))
            .await
            .unwrap()
            .items
            .len(),
        5
    );
    assert_eq!(
        s.cases(&CaseQuery::new(region("330000")))
            .await
            .unwrap()
            .items
            .len(),
        8
    );
    assert_eq!(
        s.cases(&CaseQuery::new(region("330106")))
            .await
            .unwrap()
            .items
            .len(),
        0
    );
    let mut q = CaseQuery::new(Scope::Org(HZ));
    q.state = Some(CaseState::Registered);
    assert!(s.cases(&q).await.unwrap().items.is_empty());
    // The board: lead-verification deadlines (15 working days from 2024-09-02).
    let cal = Calendar::china();
    let hz_region = RegionCode::parse("330100").unwrap();
    let early = s
        .due_deadlines(&hz_region, day(2024, 9, 4), 2, cal, None, 100)
        .await
        .unwrap();
    assert!(
        early.items.is_empty(),
        "nothing due within 2 working days on 9-4"
    );
    let late = day(2024, 10, 20);
    let all = s
        .due_deadlines(&hz_region, late, 0, cal, None, 3)
        .await
        .unwrap();
    assert_eq!(all.items.len(), 3);
    assert!(all.items.iter().all(|i| i.overdue));
    let rest = s
        .due_deadlines(&hz_region, late, 0, cal, all.next.clone(), 3)
        .await
        .unwrap();
    assert_eq!((rest.items.len(), rest.next), (2, None));
    let zj = s
        .due_deadlines(
            &RegionCode::parse("330000").unwrap(),
            late,
            0,
            cal,
            None,
            100,
        )
        .await
        .unwrap();
    assert_eq!(zj.items.len(), 8);
    // Supervision by the office appears on its board.
    let summary = s.case_summary(hz_cases[0]).await.unwrap();
    let office_actor = actor(SO, OFFICE, Role::Supervisor);
    let change = supervision::mark(
        &office_actor,
        &hz_region,
        true,
        &summary,
        SupervisionLevel::Key,
        day(2024, 9, 30),
        "限期办结",
        &ctx(day(2024, 9, 4), 90),
    )
    .unwrap();
    s.apply(change).await.unwrap();
    let board = s
        .supervision_board(OFFICE, &hz_region, day(2024, 9, 27), 3, cal, 100)
        .await
        .unwrap();
    assert!(
        board.iter().any(|i| matches!(
            i.what,
            wangjian_domain::supervision::DueWhat::Supervision { .. }
        )),
        "{board:?}"
    );
    assert_eq!(s.supervisions_of(hz_cases[0]).await.unwrap().len(), 1);
    // A page: the first `limit` items of marks and deadlines together, earliest first.
    let first = s
        .supervision_board(OFFICE, &hz_region, day(2024, 9, 27), 3, cal, 1)
        .await
        .unwrap();
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0].due, board.iter().map(|i| i.due).min().unwrap());
    assert!(board.len() > 1, "{board:?}");
}

async fn export_and_transfer_round_trip(s: &Store) {
    seed(s).await;
    let l = leads(s, HZ, 0, 1).await;
    let sup = actor(S, HZ, Role::Supervisor);
    let c = register(s, &sup, l[0], 1).await.value;
    let id = c.case.id;
    s.run_case_command(
        id,
        &sup,
        &CaseCommand::StartVerification { verifier: A },
        env(),
        &ctx(day(2024, 9, 3), 2),
    )
    .await
    .unwrap();
    let cmd = CaseCommand::TransferOut {
        to_org: NB,
        legal_basis: "市场监督管理行政处罚程序规定 第十五条".into(),
        reason: "管辖".into(),
        materials: vec![],
    };
    let t = s
        .run_case_command(id, &sup, &cmd, env(), &ctx(day(2024, 9, 4), 3))
        .await
        .unwrap();
    assert_eq!(t.value.case.state, CaseState::TransferPending);
    assert_eq!(t.value.transfers.len(), 1);
    let receiver = actor(N, NB, Role::Officer);
    let acc = s
        .run_case_command(
            id,
            &receiver,
            &CaseCommand::AcceptTransfer,
            env(),
            &ctx(day(2024, 9, 5), 4),
        )
        .await
        .unwrap();
    assert_eq!(acc.value.case.responsible_org, NB);
    assert_eq!(s.case_file(id).await.unwrap(), acc.value);
    // Now in Ningbo's scope, not Hangzhou's.
    assert_eq!(
        s.cases(&CaseQuery::new(Scope::Org(NB)))
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    assert!(s
        .cases(&CaseQuery::new(Scope::Org(HZ)))
        .await
        .unwrap()
        .items
        .is_empty());
    let mut rows = Vec::new();
    s.export_table("transfer_orders", |r| {
        rows.push(r);
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["status"], "accepted");
    assert!(s.export_table("no_such_table", |_| Ok(())).await.is_err());
    assert_eq!(s.integrity_check().await.unwrap(), ["ok"]);
    if s.backend() == Backend::Sqlite {
        let path =
            std::env::temp_dir().join(format!("wj-backup-{}.db", uuid::Uuid::now_v7().simple()));
        s.backup(&path).await.unwrap();
        let copy = Store::open(&format!("sqlite:{}", path.display()))
            .await
            .unwrap();
        assert_eq!(copy.case_file(id).await.unwrap(), acc.value);
        copy.close().await;
        let _ = std::fs::remove_file(&path);
    } else {
        assert!(matches!(
            s.backup(std::path::Path::new("/tmp/x")).await,
            Err(StoreError::Unsupported(_))
        ));
    }
}

/// A verdict for tests: `reasons` as (code, rule, field, start, end).
fn verdict(
    id: &str,
    level: wangjian_detect::Level,
    reasons: &[(wangjian_detect::Code, &str)],
) -> wangjian_detect::Verdict {
    wangjian_detect::Verdict {
        listing_id: id.into(),
        score: 80,
        level,
        reasons: reasons
            .iter()
            .map(|(code, rule)| wangjian_detect::Reason {
                code: *code,
                detail: "说明".into(),
                field: wangjian_detect::Field::Title,
                matched: "高仿".into(),
                start: 0,
                end: 2,
                rule: rule.to_string(),
                weight: 40,
                owner: None,
                alternatives: Vec::new(),
            })
            .collect(),
    }
}

async fn ingest_queue_filters_and_dismissal(s: &Store) {
    use wangjian_detect::{Code, Level};
    seed(s).await;
    let mut batch = Vec::new();
    for i in 0..30u32 {
        let mut l = listing(i, &format!("高仿 N1ke {i}"), None);
        l.captured_at = Utc.with_ymd_and_hms(2024, 9, 2, 1, 0, i).unwrap();
        let (level, reasons): (Level, Vec<(Code, &str)>) = if i % 3 == 0 {
            (
                Level::High,
                vec![(Code::Mark, "mark:耐克"), (Code::CounterfeitTerm, "cf-1")],
            )
        } else {
            (Level::Low, vec![(Code::AdLaw, "ad-1")])
        };
        let v = verdict(&format!("L{i}"), level, &reasons);
        l.lead = Some(ScanLead {
            org: if i < 20 { HZ } else { NB },
            rule_set_version: "rs1".into(),
            summary: format!("{} {}", v.level.as_str(), v.score),
            scan: Some(LeadScan {
                verdict: v,
                texts: Default::default(),
                region: Some(if i % 2 == 0 { "330106" } else { "350300" }.into()),
            }),
        });
        batch.push(l);
    }
    // The same listing twice in one push, and an unflagged one.
    batch.push(batch[0].clone());
    batch.push(listing(99, "运动鞋", None));
    let out = s.store_listings(&batch, Some(PLATFORM)).await.unwrap();
    assert_eq!(out.added.leads, 30);
    assert_eq!(out.new_leads.len(), 30);
    assert_eq!(out.new_snapshot.iter().filter(|n| **n).count(), 31);
    assert_eq!(out.new_receipt, out.new_snapshot);
    assert!(!out.new_snapshot[30], "the repeated item is a duplicate");
    assert_eq!(
        out.leads[30], out.leads[0],
        "the repeat names the same lead"
    );
    assert_eq!(out.leads[31], None, "the unflagged listing has no lead");
    let again = s.store_listings(&batch, Some(PLATFORM)).await.unwrap();
    assert_eq!(again.added, BatchOutcome::default());
    assert!(again.new_snapshot.iter().all(|n| !n) && again.new_leads.is_empty());
    assert!(again.new_receipt.iter().all(|n| !n));
    assert_eq!(
        (again.snapshots.clone(), again.leads.clone()),
        (out.snapshots.clone(), out.leads.clone())
    );

    // The agency's queue: newest first, paged by keyset without gaps or repeats.
    let mut q = LeadQuery::new(LeadScope::Org(HZ));
    q.limit = 7;
    let mut seen = Vec::new();
    loop {
        let page = s.leads(&q).await.unwrap();
        seen.extend(page.items.iter().map(|r| r.lead.received_at));
        match page.next {
            Some(c) => q.after = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), 20);
    assert!(seen.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let count =
        |q: LeadQuery| async move { s.leads(&LeadQuery { limit: 500, ..q }).await.unwrap().items };
    let base = LeadQuery::new(LeadScope::Org(HZ));
    let high = count(LeadQuery {
        level: Some(Level::High),
        ..base.clone()
    })
    .await;
    assert_eq!(high.len(), 7);
    assert!(high.iter().all(|r| r.level.as_deref() == Some("high")
        && r.reasons == ["mark", "counterfeit_term"]
        && r.marks == ["耐克"]
        && r.platform == Some(PLATFORM)
        && r.submitted_by == Some(PLATFORM)
        && r.title.as_deref().is_some_and(|t| t.starts_with("高仿"))));
    assert_eq!(
        count(LeadQuery {
            reason: Some(Code::AdLaw),
            ..base.clone()
        })
        .await
        .len(),
        13
    );
    assert_eq!(
        count(LeadQuery {
            mark: Some("耐克".into()),
            ..base.clone()
        })
        .await
        .len(),
        7
    );
    assert_eq!(
        count(LeadQuery {
            mark: Some("耐".into()),
            ..base.clone()
        })
        .await
        .len(),
        0
    );
    assert_eq!(
        count(LeadQuery {
            mark: Some("%".into()),
            ..base.clone()
        })
        .await
        .len(),
        0
    );
    let zj = RegionCode::parse("330000").unwrap();
    assert_eq!(
        count(LeadQuery {
            region: Some(zj),
            ..base.clone()
        })
        .await
        .len(),
        10
    );
    assert_eq!(
        count(LeadQuery {
            platform: Some(NB),
            ..base.clone()
        })
        .await
        .len(),
        0
    );
    let from = Utc.with_ymd_and_hms(2024, 9, 2, 1, 0, 10).unwrap();
    assert_eq!(
        count(LeadQuery {
            from: Some(from),
            ..base.clone()
        })
        .await
        .len(),
        10
    );
    assert_eq!(
        count(LeadQuery {
            until: Some(from),
            ..base.clone()
        })
        .await
        .len(),
        10
    );
    // The platform sees what it pushed, across agencies; another organization nothing.
    assert_eq!(
        count(LeadQuery::new(LeadScope::Submitter(PLATFORM)))
            .await
            .len(),
        30
    );
    assert_eq!(
        count(LeadQuery::new(LeadScope::Submitter(HZ))).await.len(),
        0
    );

    // The listing page's detail: the whole verdict and the snapshot.
    let id = out.new_leads[0].1;
    let d = s.lead_detail(id).await.unwrap().unwrap();
    assert_eq!(d.scan.as_ref().unwrap().verdict.reasons.len(), 2);
    assert_eq!(d.snapshot.as_ref().unwrap().title, "高仿 N1ke 0");

    // Dismissal: audited, refused twice, filtered by status, kept by the verdict.
    let officer = actor(A, HZ, Role::Officer);
    let c = ctx(day(2024, 9, 3), 500);
    let done = s
        .dismiss_lead(id, &officer, "误报：授权店铺", &c)
        .await
        .unwrap();
    assert_eq!(
        done.value.status,
        wangjian_domain::lead::LeadStatus::Dismissed
    );
    assert_eq!(done.seqs.len(), 1);
    let trail = s
        .object_trail(wangjian_domain::ObjectType::Lead, id.0)
        .await
        .unwrap();
    assert_eq!(trail.last().unwrap().event.action, "lead.dismiss");
    assert!(matches!(
        s.dismiss_lead(id, &officer, "again", &ctx(day(2024, 9, 3), 600))
            .await,
        Err(StoreError::Lead(_))
    ));
    let d = s.lead_detail(id).await.unwrap().unwrap();
    assert_eq!(d.row.lead.dismissal.unwrap().reason, "误报：授权店铺");
    assert!(d.scan.is_some(), "a domain update leaves the verdict alone");
    let dismissed = count(LeadQuery {
        status: Some(wangjian_domain::lead::LeadStatus::Dismissed),
        ..base.clone()
    })
    .await;
    assert_eq!(dismissed.len(), 1);
    // Registering a case from a lead links it.
    let other = out.new_leads[1].1;
    register(s, &officer, other, 700).await;
    assert_eq!(
        s.lead(other).await.unwrap().unwrap().status,
        wangjian_domain::lead::LeadStatus::Linked
    );
}

async fn token_scopes_list_and_revoke(s: &Store) {
    seed(s).await;
    let at = Utc.with_ymd_and_hms(2024, 9, 2, 1, 0, 0).unwrap();
    for (i, scopes) in [vec!["read"], vec!["read", "ingest"]]
        .into_iter()
        .enumerate()
    {
        s.put_api_token(&ApiToken {
            id: uuid::Uuid::from_u128(900 + i as u128),
            user: A,
            org: HZ,
            token_hash: format!("hash{i}"),
            label: format!("t{i}"),
            created_at: at + chrono::Duration::minutes(i as i64),
            expires_at: None,
            revoked_at: None,
            scopes: scopes.into_iter().map(String::from).collect(),
        })
        .await
        .unwrap();
    }
    let t = s.api_token_by_hash("hash1").await.unwrap().unwrap();
    assert_eq!(t.scopes, ["read", "ingest"]);
    let list = s.api_tokens_of(A, HZ).await.unwrap();
    assert_eq!(
        list.iter().map(|t| t.label.as_str()).collect::<Vec<_>>(),
        ["t1", "t0"]
    );
    assert!(s.api_tokens_of(B, HZ).await.unwrap().is_empty());
    assert!(s.revoke_api_token(t.id, at).await.unwrap());
    assert!(!s.revoke_api_token(t.id, at).await.unwrap());
    assert_eq!(
        s.api_token(t.id).await.unwrap().unwrap().revoked_at,
        Some(at)
    );
}

mod calendar;
mod complaints;
mod credit;
mod log;
mod networks;
mod notices;
mod workflow;
