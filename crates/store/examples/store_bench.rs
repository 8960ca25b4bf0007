//! The store benchmark of issue 4 ("Speed"), run by hand through `bench/store.sh`
//! (not part of the tests). For each backend (a fresh SQLite file; a fresh PostgreSQL
//! schema at `WANGJIAN_TEST_PG`, default `postgres://postgres@127.0.0.1:5432/postgres`):
//!
//! 1. **Listing intake**: `LISTINGS` (default 1 000 000) generated listings, each with a
//!    scan lead, through `Store::import_listings` in batches of 1000 (one transaction per
//!    batch, as `wangjian patrol` and `import listings` do by default). Baseline in the
//!    same run: the same rows (same ids, same columns) written into a second fresh
//!    database by plain multi-row `INSERT … ON CONFLICT DO NOTHING` statements with bound
//!    values, also one transaction per 1000 listings: what the store's own path (domain
//!    values → JSON → table columns) costs on top of the database.
//! 2. **Lists at `CASES` (default 1 000 000) cases**: the cases are populated by a fast
//!    bulk path, not by the store's commands (a million audited registrations would take
//!    hours and measure nothing the lists depend on): one case, its deadline and one
//!    supervision mark are made through the real store (`register_case`,
//!    `run_case_command`, `apply`), then cloned in SQL (`INSERT … SELECT` over a
//!    generated series) across 120 agencies in two provinces with 20 officers each:
//!    70 % open, one running deadline per open case (about 10 % overdue on the day the
//!    lists are read), one supervision mark per 100 cases of Zhejiang. Then `ANALYZE`
//!    (PostgreSQL's autovacuum would do it; SQLite's `PRAGMA optimize` likewise). The
//!    measured calls are the store's real ones: `due_deadlines` (overdue, first page of
//!    50) for a city and a province, `officer_queue`, `cases` with `Scope::Region` for a
//!    city and a province, and `supervision_board`; each `ROUNDS` times (default 50),
//!    median, p95 and max. Baseline: a `SELECT 1` round trip on the same database.
//!    The query plans (`EXPLAIN QUERY PLAN` / `EXPLAIN`) of the statements' shapes are
//!    printed too, so an unindexed scan shows.
//!
//! Output: markdown on stdout. Env: `LISTINGS`, `CASES`, `ROUNDS`, `BACKENDS`
//! (`sqlite,postgres`), `BENCH_DIR` (the SQLite files; default the temp dir).

use std::time::{Duration, Instant};

use chrono::{NaiveDate, SecondsFormat, TimeZone, Utc};
use sqlx::{AssertSqlSafe, Executor, Row as _};
use uuid::Uuid;
use wangjian_calendar::Calendar;
use wangjian_detect::{parse_marks, Detector, Listing, RulePack, Shop, Verdict};
use wangjian_domain::case::Env;
use wangjian_domain::lead::LeadDedupKey;
use wangjian_domain::lead::{lead_id_for, listing_id_for, shop_id_for, snapshot_id_for};
use wangjian_domain::org::{AdminLevel, Membership, OrgKind, Organization, User};
use wangjian_domain::supervision::{self, SupervisionLevel};
use wangjian_domain::{
    Actor, AgencyType, CaseCommand, Context, OrgId, RegionCode, RequestId, Role, RuleSet, UserId,
};
use wangjian_store::{CaseNumberRequest, CaseQuery, ListingInput, ScanLead, Scope, Store};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const SHOPS: usize = 5000;
const OFFICERS: usize = 20;
const PLATFORM: OrgId = OrgId::from_u128(0xb0);
const OFFICE: OrgId = OrgId::from_u128(0xb1);
const SUPERVISOR: UserId = UserId::from_u128(0xb2);
const OFFICE_SUPERVISOR: UserId = UserId::from_u128(0xb3);

/// Listings per transaction (`BATCH`, default 5000 as `wangjian patrol`).
fn batch_size() -> usize {
    env_num("BATCH", 5000).max(1)
}

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn pg_url() -> String {
    std::env::var("WANGJIAN_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A throwaway database: its store URL, and how to get rid of it.
struct Db {
    url: String,
    sqlite_file: Option<std::path::PathBuf>,
    pg_schema: Option<String>,
}

impl Db {
    async fn fresh(backend: &str, tag: &str) -> Res<Db> {
        let id = Uuid::now_v7().simple().to_string();
        if backend == "sqlite" {
            let dir = std::env::var("BENCH_DIR")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|_| std::env::temp_dir());
            std::fs::create_dir_all(&dir)?;
            let path = dir.join(format!("wj-store-bench-{tag}-{id}.db"));
            Ok(Db {
                url: format!("sqlite:{}", path.display()),
                sqlite_file: Some(path),
                pg_schema: None,
            })
        } else {
            let schema = format!("wjbench_{tag}_{id}");
            let admin = sqlx::PgPool::connect(&pg_url()).await?;
            admin
                .execute(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .await?;
            admin.close().await;
            let sep = if pg_url().contains('?') { '&' } else { '?' };
            Ok(Db {
                url: format!("{}{sep}options=-c%20search_path%3D{schema}", pg_url()),
                sqlite_file: None,
                pg_schema: Some(schema),
            })
        }
    }

    async fn drop_it(self) -> Res<()> {
        if let Some(p) = self.sqlite_file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
            }
        }
        if let Some(s) = self.pg_schema {
            let admin = sqlx::PgPool::connect(&pg_url()).await?;
            admin
                .execute(AssertSqlSafe(format!("DROP SCHEMA {s} CASCADE")))
                .await?;
            admin.close().await;
        }
        Ok(())
    }
}

/// A second connection to the same database, for what the store does not offer:
/// the baseline statements, the bulk population and the plans.
#[derive(Clone)]
enum Raw {
    Sqlite(sqlx::SqlitePool),
    Pg(sqlx::PgPool),
}

impl Raw {
    async fn open(url: &str) -> Res<Raw> {
        Ok(if url.starts_with("sqlite:") {
            use std::str::FromStr;
            let o = sqlx::sqlite::SqliteConnectOptions::from_str(url)?
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(60));
            Raw::Sqlite(
                sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(o)
                    .await?,
            )
        } else {
            Raw::Pg(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(1)
                    .connect(url)
                    .await?,
            )
        })
    }

    fn pg(&self) -> bool {
        matches!(self, Raw::Pg(_))
    }

    async fn exec(&self, sql: &str) -> Res<u64> {
        let q = sqlx::raw_sql(AssertSqlSafe(sql.to_string()));
        Ok(match self {
            Raw::Sqlite(p) => q.execute(p).await?.rows_affected(),
            Raw::Pg(p) => q.execute(p).await?.rows_affected(),
        })
    }

    /// The first column of every row, as text.
    async fn texts(&self, sql: &str) -> Res<Vec<String>> {
        let sql = || AssertSqlSafe(sql.to_string());
        Ok(match self {
            Raw::Sqlite(p) => sqlx::query(sql())
                .fetch_all(p)
                .await?
                .iter()
                .map(|r| r.try_get::<String, _>(r.len() - 1))
                .collect::<Result<_, _>>()?,
            Raw::Pg(p) => sqlx::query(sql())
                .fetch_all(p)
                .await?
                .iter()
                .map(|r| r.try_get::<String, _>(0))
                .collect::<Result<_, _>>()?,
        })
    }

    async fn select_one(&self) -> Res<()> {
        match self {
            Raw::Sqlite(p) => {
                sqlx::query("SELECT 1").fetch_one(p).await?;
            }
            Raw::Pg(p) => {
                sqlx::query("SELECT 1").fetch_one(p).await?;
            }
        }
        Ok(())
    }

    /// A literal of `u` in this database's SQL.
    fn uuid(&self, u: Uuid) -> String {
        if self.pg() {
            format!("'{u}'::uuid")
        } else {
            format!("'{u}'")
        }
    }

    fn bool(&self, b: bool) -> &'static str {
        match (self.pg(), b) {
            (true, true) => "true",
            (true, false) => "false",
            (false, true) => "1",
            (false, false) => "0",
        }
    }

    fn date(&self, d: NaiveDate) -> String {
        if self.pg() {
            format!("DATE '{d}'")
        } else {
            format!("'{d}'")
        }
    }

    /// `EXPLAIN` of `sql`, one line per plan step.
    async fn plan(&self, sql: &str) -> Res<Vec<String>> {
        if self.pg() {
            self.texts(&format!("EXPLAIN {sql}")).await
        } else {
            self.texts(&format!("EXPLAIN QUERY PLAN {sql}")).await
        }
    }
}

// ---------------------------------------------------------------------------------------
// Part 1: listing intake.

const WORDS: &[&str] = &[
    "正品",
    "新款",
    "男鞋",
    "女包",
    "运动鞋",
    "手机壳",
    "适用于",
    "高仿",
    "原单",
    "包邮",
    "旗舰店",
    "限量",
    "复刻",
    "纯原",
    "专柜",
    "夏季",
    "透气",
    "真皮",
    "耐克",
    "阿迪达斯",
    "苹果",
    "小米",
    "华为",
    "香水",
    "口红",
    "手表",
    "西湖龙井",
    "五常大米",
    "枸杞",
    "茶叶",
];

/// The marks the generated listings name (the embedded pack has none).
const MARKS: &str = "mark,aliases,owner,categories,reference_price_cny,authorized_shops,well_known
耐克,Nike|NIKE,耐克创新有限合伙公司,鞋|运动鞋|服装,699,耐克官方旗舰店,true
阿迪达斯,adidas,阿迪达斯有限公司,鞋|运动鞋|服装,599,,true
";

/// The patrol's detector: the embedded rule pack and [`MARKS`].
fn detector() -> Res<Detector> {
    let marks = parse_marks("bench marks", MARKS).map_err(|e| e.to_string())?;
    let pack = RulePack::embedded().map_err(|e| e.to_string())?;
    Ok(Detector::build(pack, marks).map_err(|e| e.to_string())?)
}

/// Listing `n` as a platform hands it over: mixed Chinese text that always names a mark
/// and a counterfeit term (so the patrol keeps a lead for each).
fn raw_listing(n: usize) -> Listing {
    let word = |k: usize| WORDS[(n.wrapping_mul(2654435761) >> k) % WORDS.len()];
    let shop = n % SHOPS;
    Listing {
        id: format!("L{n:08}"),
        title: format!(
            "{}{} {} 高仿{}{}码",
            ["耐克", "Nike", "阿迪达斯"][n % 3],
            word(3),
            word(7),
            word(11),
            36 + n % 9
        ),
        description: Some(format!(
            "{}{}，{}{}，店铺编号{}，{}发货，七天无理由退换。{}{}{}",
            word(13),
            word(17),
            word(19),
            word(23),
            shop,
            ["福建莆田", "广东广州", "浙江义乌", "江苏苏州"][n % 4],
            word(5),
            word(9),
            word(15)
        )),
        price: Some(10.0 + (n * 7919 % 50_000) as f64 / 100.0),
        category: Some("运动鞋".into()),
        shop: Shop {
            id: Some(format!("shop{shop}")),
            name: Some(format!("{}{}店", word(21), shop)),
            ..Shop::default()
        },
        ship_from: Some(["福建省莆田市", "广东省广州市白云区", "浙江省金华市义乌市"][n % 3].into()),
        url: Some(format!("https://item.example.com/{n}")),
        ..Listing::default()
    }
}

fn captured_at(n: usize) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 2, 0, 0).unwrap() + chrono::Duration::seconds(n as i64)
}

/// Listing `n` as `wangjian patrol` stores it: scanned, with the lead of its verdict for
/// agency `org`; and the verdict.
fn listing(d: &Detector, n: usize, org: OrgId) -> (ListingInput, Verdict) {
    let l = raw_listing(n);
    let v = d.scan(&l);
    let lead = ScanLead {
        org,
        rule_set_version: d.ruleset_version().to_string(),
        summary: format!("{} {}", v.level.as_str(), v.score),
        scan: Some(wangjian_store::LeadScan {
            verdict: v.clone(),
            texts: Default::default(),
            region: None,
        }),
    };
    (
        ListingInput::from_listing(l, PLATFORM, captured_at(n), Some(lead)),
        v,
    )
}

/// One listing's rows, as the plain baseline binds them.
struct PlainRow {
    shop: Uuid,
    listing: Uuid,
    snapshot: Uuid,
    lead: Uuid,
    hash: String,
    dedup_key: String,
    dedup_json: String,
    verdict: String,
    level: &'static str,
    score: i64,
    input: ListingInput,
}

fn plain_row((l, v): (ListingInput, Verdict)) -> PlainRow {
    let listing = listing_id_for(l.platform, &l.content.platform_listing_id);
    let shop = shop_id_for(l.platform, &l.shop.as_ref().unwrap().platform_shop_id);
    let hash = l.content.content_hash();
    let scan = l.lead.as_ref().unwrap();
    let key = LeadDedupKey::Scan {
        snapshot_hash: hash.clone(),
        rule_set_version: scan.rule_set_version.clone(),
    };
    PlainRow {
        shop: shop.0,
        listing: listing.0,
        snapshot: snapshot_id_for(listing, &hash).0,
        lead: lead_id_for(scan.org, &key).0,
        dedup_key: key.canonical(),
        dedup_json: serde_json::to_string(&key).unwrap(),
        hash,
        verdict: serde_json::to_string(&v).unwrap(),
        level: v.level.as_str(),
        score: i64::from(v.score),
        input: l,
    }
}

/// Rows per baseline statement: at most 24 000 bound values (SQLite allows 32 766).
const PLAIN_CHUNK: usize = 1500;

/// The baseline: one transaction of multi-row INSERTs (four tables, at most
/// [`PLAIN_CHUNK`] rows each) with bound values.
macro_rules! plain_insert {
    ($name:ident, $db:ty, $uuid:expr, $time:expr, $dedup:expr) => {
        async fn $name(pool: &sqlx::Pool<$db>, rows: &[PlainRow], extras: bool) -> Res<()> {
            let mut tx = pool.begin().await?;
            for rows in rows.chunks(PLAIN_CHUNK) {
            let mut q = sqlx::QueryBuilder::<$db>::new(
                "INSERT INTO shops (id, platform, platform_shop_id, name, version) ",
            );
            q.push_values(rows, |mut b, r| {
                let s = r.input.shop.as_ref().unwrap();
                b.push_bind($uuid(r.shop))
                    .push_bind($uuid(r.input.platform.0))
                    .push_bind(s.platform_shop_id.clone())
                    .push_bind(s.name.clone())
                    .push_bind(1i64);
            });
            q.push(" ON CONFLICT DO NOTHING");
            q.build().execute(&mut *tx).await?;
            }
            for rows in rows.chunks(PLAIN_CHUNK) {
            let mut q = sqlx::QueryBuilder::<$db>::new(
                "INSERT INTO listings (id, platform, platform_listing_id, shop, first_seen_at, \
                 version) ",
            );
            q.push_values(rows, |mut b, r| {
                b.push_bind($uuid(r.listing))
                    .push_bind($uuid(r.input.platform.0))
                    .push_bind(r.input.content.platform_listing_id.clone())
                    .push_bind($uuid(r.shop))
                    .push_bind($time(r.input.captured_at))
                    .push_bind(1i64);
            });
            q.push(" ON CONFLICT DO NOTHING");
            q.build().execute(&mut *tx).await?;
            }
            for rows in rows.chunks(PLAIN_CHUNK) {
            let mut q = sqlx::QueryBuilder::<$db>::new(
                "INSERT INTO listing_snapshots (id, listing, platform, shop, \
                 platform_listing_id, url, title, description, price_fen, ship_from, \
                 captured_at, content_hash) ",
            );
            q.push_values(rows, |mut b, r| {
                let c = &r.input.content;
                b.push_bind($uuid(r.snapshot))
                    .push_bind($uuid(r.listing))
                    .push_bind($uuid(r.input.platform.0))
                    .push_bind($uuid(r.shop))
                    .push_bind(c.platform_listing_id.clone())
                    .push_bind(c.url.clone())
                    .push_bind(c.title.clone())
                    .push_bind(c.description.clone())
                    .push_bind(c.price_fen)
                    .push_bind(c.ship_from.clone())
                    .push_bind($time(r.input.captured_at))
                    .push_bind(r.hash.clone());
            });
            q.push(" ON CONFLICT DO NOTHING");
            q.build().execute(&mut *tx).await?;
            }
            for rows in rows.chunks(PLAIN_CHUNK) {
            let mut q = sqlx::QueryBuilder::<$db>::new(
                "INSERT INTO leads (id, org, source, dedup_key, dedup, summary, snapshot, shop, \
                 received_at, status, version",
            );
            q.push(if extras {
                ", level, score, verdict) "
            } else {
                ") "
            });
            q.push_values(rows, |mut b, r| {
                let s = r.input.lead.as_ref().unwrap();
                b.push_bind($uuid(r.lead))
                    .push_bind($uuid(s.org.0))
                    .push_bind("scan")
                    .push_bind(r.dedup_key.clone())
                    .push_bind($dedup(r.dedup_json.clone()))
                    .push_bind(s.summary.clone())
                    .push_bind($uuid(r.snapshot))
                    .push_bind($uuid(r.shop))
                    .push_bind($time(r.input.captured_at))
                    .push_bind("new")
                    .push_bind(1i64);
                if extras {
                    b.push_bind(r.level)
                        .push_bind(r.score)
                        .push_bind($dedup(r.verdict.clone()));
                }
            });
            q.push(" ON CONFLICT DO NOTHING");
            q.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        }
    };
}

fn sqlite_uuid(u: Uuid) -> String {
    u.to_string()
}
fn sqlite_time(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}
fn pg_uuid(u: Uuid) -> Uuid {
    u
}
fn pg_time(t: chrono::DateTime<Utc>) -> chrono::DateTime<Utc> {
    t
}
fn pg_dedup(s: String) -> sqlx::types::Json<serde_json::Value> {
    sqlx::types::Json(serde_json::from_str(&s).unwrap_or_default())
}
fn sqlite_dedup(s: String) -> String {
    s
}

plain_insert!(
    plain_sqlite,
    sqlx::Sqlite,
    sqlite_uuid,
    sqlite_time,
    sqlite_dedup
);
plain_insert!(plain_pg, sqlx::Postgres, pg_uuid, pg_time, pg_dedup);

struct Intake {
    listings: usize,
    rows: u64,
    store: Duration,
    plain: Duration,
}

async fn intake(backend: &str, n: usize, orgs: &[Agency]) -> Res<(Db, Store, Intake)> {
    let batch_size = batch_size();
    let lead_org = |i: usize| orgs[i % orgs.len()].id;
    let d = detector()?;
    // The store's path.
    let db = Db::fresh(backend, "store").await?;
    let store = Store::open(&db.url).await?;
    seed(&store, orgs).await?;
    let mut rows = 0;
    let mut store_time = Duration::ZERO;
    for start in (0..n).step_by(batch_size) {
        let batch: Vec<ListingInput> = (start..(start + batch_size).min(n))
            .map(|i| listing(&d, i, lead_org(i)).0)
            .collect();
        let t = Instant::now();
        let out = store.import_listings(&batch).await?;
        store_time += t.elapsed();
        rows += out.shops + out.listings + out.snapshots + out.leads;
    }
    // The baseline: the same rows by plain INSERTs into another fresh database.
    let base = Db::fresh(backend, "plain").await?;
    let base_store = Store::open(&base.url).await?;
    seed(&base_store, orgs).await?;
    base_store.close().await;
    let raw = Raw::open(&base.url).await?;
    // The verdict columns of migration 0003, when this schema has them.
    let extras = columns(&raw, "leads").await?.iter().any(|c| c == "verdict");
    let mut plain_time = Duration::ZERO;
    for start in (0..n).step_by(batch_size) {
        let batch: Vec<PlainRow> = (start..(start + batch_size).min(n))
            .map(|i| plain_row(listing(&d, i, lead_org(i))))
            .collect();
        let t = Instant::now();
        match &raw {
            Raw::Sqlite(p) => plain_sqlite(p, &batch, extras).await?,
            Raw::Pg(p) => plain_pg(p, &batch, extras).await?,
        }
        plain_time += t.elapsed();
    }
    let check = raw
        .texts("SELECT CAST(COUNT(*) AS TEXT) FROM leads")
        .await?;
    if check.first().map(String::as_str) != Some(&n.to_string()) {
        return Err(format!("baseline wrote {check:?} leads, expected {n}").into());
    }
    match raw {
        Raw::Sqlite(p) => p.close().await,
        Raw::Pg(p) => p.close().await,
    }
    base.drop_it().await?;
    Ok((
        db,
        store,
        Intake {
            listings: n,
            rows,
            store: store_time,
            plain: plain_time,
        },
    ))
}

// ---------------------------------------------------------------------------------------
// Organizations.

struct Agency {
    id: OrgId,
    region: RegionCode,
}

/// 120 market-regulation agencies: each city of Zhejiang (11) and Jiangsu (13) and up to
/// four of its districts and counties.
fn agencies() -> Vec<Agency> {
    let mut out = Vec::new();
    let mut cities: Vec<String> = (1..=11).map(|c| format!("33{c:02}00")).collect();
    cities.extend((1..=13).map(|c| format!("32{c:02}00")));
    for city in cities {
        let mut codes = vec![city.clone()];
        codes.extend(
            (1..=40)
                .map(|d| format!("{}{d:02}", &city[..4]))
                .filter(|c| RegionCode::parse(c).is_ok())
                .take(4),
        );
        for code in codes {
            if let Ok(region) = RegionCode::parse(&code) {
                out.push(Agency {
                    id: OrgId::from_u128(0xa000_0000 + out.len() as u128),
                    region,
                });
            }
        }
    }
    out
}

fn officer(org_index: usize, k: usize) -> UserId {
    UserId::from_u128(0x4000_8000_0000_0000_0000 + (org_index * 100 + k) as u128)
}

async fn seed(s: &Store, orgs: &[Agency]) -> Res<()> {
    let kind = |level| OrgKind::Agency {
        agency_type: AgencyType::MarketRegulation,
        level,
    };
    s.put_organization(&Organization::new(
        PLATFORM,
        "某电商平台",
        "PLAT",
        OrgKind::Platform,
        RegionCode::parse("330106")?,
    )?)
    .await?;
    s.put_organization(&Organization::new(
        OFFICE,
        "浙江省双打办",
        "浙双打",
        OrgKind::CoordinationOffice,
        RegionCode::parse("330000")?,
    )?)
    .await?;
    for (i, a) in orgs.iter().enumerate() {
        let level = if a.region.as_str().ends_with("00") {
            AdminLevel::City
        } else {
            AdminLevel::County
        };
        s.put_organization(&Organization::new(
            a.id,
            &format!("{}市场监督管理局", a.region.as_str()),
            &format!("监{i}"),
            kind(level),
            a.region.clone(),
        )?)
        .await?;
    }
    for (u, org, role) in [
        (SUPERVISOR, orgs[0].id, Role::Supervisor),
        (officer(0, 0), orgs[0].id, Role::Officer),
        (OFFICE_SUPERVISOR, OFFICE, Role::Supervisor),
    ] {
        s.put_user(
            &User {
                id: u,
                name: format!("user {u}"),
                version: 1,
            },
            None,
        )
        .await?;
        s.put_membership(&Membership { user: u, org, role }).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Part 2: lists at a million cases.

fn env() -> Res<Env<'static>> {
    Ok(Env {
        rules: RuleSet::defaults()?,
        overrides: &[],
        calendar: Calendar::china(),
    })
}

fn ctx(d: NaiveDate, seed: u128) -> Context {
    let now = Utc.from_utc_datetime(&d.and_hms_opt(2, 0, 0).unwrap_or_default());
    Context::with_counter(RequestId::from_u128(seed), now, (seed + 1) << 40, 32)
}

/// Today, as the lists see it; the cloned deadlines fall 40 days before to 360 after.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 3).unwrap_or_default()
}

/// One case, its deadline and a supervision mark, through the store's real commands.
/// Returns (case id, deadline id, supervision id).
async fn templates(store: &Store, raw: &Raw, orgs: &[Agency]) -> Res<(Uuid, Uuid, Uuid)> {
    let d = detector()?;
    let first = listing(&d, 0, orgs[0].id).0;
    let lead = lead_id_for(
        orgs[0].id,
        &LeadDedupKey::Scan {
            snapshot_hash: first.content.content_hash(),
            rule_set_version: d.ruleset_version().to_string(),
        },
    );
    let sup = Actor {
        user: SUPERVISOR,
        org: orgs[0].id,
        roles: vec![Role::Supervisor],
    };
    let day = NaiveDate::from_ymd_opt(2025, 1, 6).unwrap_or_default();
    let req = CaseNumberRequest {
        title: "销售假冒注册商标的商品".into(),
        leads: vec![lead],
    };
    let case = store
        .register_case(&sup, &req, env()?, &ctx(day, 1))
        .await?
        .value
        .case
        .id;
    store
        .run_case_command(
            case,
            &sup,
            &CaseCommand::StartVerification {
                verifier: officer(0, 0),
            },
            env()?,
            &ctx(day, 2),
        )
        .await?;
    let summary = store.case_summary(case).await?;
    let office = Actor {
        user: OFFICE_SUPERVISOR,
        org: OFFICE,
        roles: vec![Role::Supervisor],
    };
    let mark = supervision::mark(
        &office,
        &RegionCode::parse("330000")?,
        true,
        &summary,
        SupervisionLevel::Key,
        day + chrono::Duration::days(30),
        "限期办结",
        &ctx(day, 3),
    )?;
    let supervision = store.apply(mark).await?.value.id;
    let deadline = raw
        .texts(&format!(
            "SELECT CAST(id AS TEXT) FROM deadlines WHERE root_case = {} AND status = 'open'",
            raw.uuid(case.0)
        ))
        .await?;
    let deadline = Uuid::parse_str(
        deadline
            .first()
            .ok_or("the template case has no deadline")?,
    )?;
    Ok((case.0, deadline, supervision.0))
}

/// The column names of `table`, in order.
async fn columns(raw: &Raw, table: &str) -> Res<Vec<String>> {
    if raw.pg() {
        raw.texts(&format!(
            "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
             WHERE table_name = '{table}' AND table_schema = current_schema() \
             ORDER BY ordinal_position"
        ))
        .await
    } else {
        raw.texts(&format!(
            "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
        ))
        .await
    }
}

/// `INSERT INTO table SELECT …` of the template row `template` once per `i` in
/// `[lo, hi)`, with the columns in `set` computed from `i` and the agency `o`.
async fn clone_rows(
    raw: &Raw,
    table: &str,
    template: Uuid,
    set: &[(&str, String)],
    filter: &str,
    lo: usize,
    hi: usize,
) -> Res<u64> {
    let cols = columns(raw, table).await?;
    let exprs: Vec<String> = cols
        .iter()
        .map(|c| {
            set.iter()
                .find(|(name, _)| name == c)
                .map_or_else(|| format!("t.{c}"), |(_, e)| e.clone())
        })
        .collect();
    let series = if raw.pg() {
        format!("generate_series({lo}, {}) AS n(i)", hi - 1)
    } else {
        format!(
            "(WITH RECURSIVE s(i) AS (SELECT {lo} UNION ALL SELECT i + 1 FROM s WHERE i < {}) \
             SELECT i FROM s) AS n",
            hi - 1
        )
    };
    let sql = format!(
        "INSERT INTO {table} ({}) SELECT {} FROM {series} \
         JOIN bench_orgs o ON o.k = n.i % (SELECT COUNT(*) FROM bench_orgs) \
         JOIN {table} t ON t.id = {} WHERE {filter}",
        cols.join(", "),
        exprs.join(", "),
        raw.uuid(template)
    );
    raw.exec(&sql).await
}

/// Populates `n` cases (see the top comment). Returns the time it took.
async fn populate(store: &Store, db: &Db, orgs: &[Agency], n: usize) -> Res<Duration> {
    let raw = Raw::open(&db.url).await?;
    let (case, deadline, supervision) = templates(store, &raw, orgs).await?;
    let t0 = Instant::now();
    let pg = raw.pg();
    let id_type = if pg { "uuid" } else { "TEXT" };
    raw.exec(&format!(
        "CREATE TABLE bench_orgs (k INTEGER PRIMARY KEY, id {id_type} NOT NULL, region TEXT NOT NULL)"
    ))
    .await?;
    let values: Vec<String> = orgs
        .iter()
        .enumerate()
        .map(|(k, a)| format!("({k}, {}, '{}')", raw.uuid(a.id.0), a.region.as_str()))
        .collect();
    raw.exec(&format!(
        "INSERT INTO bench_orgs VALUES {}",
        values.join(", ")
    ))
    .await?;
    let norgs = orgs.len();
    // Ids from i: time-ordered like the store's UUIDv7 (a case's id orders the lists).
    let id = |variant: &str, num: &str| {
        if pg {
            format!("CAST('00000000-0000-7000-{variant}-' || lpad(to_hex({num}), 12, '0') AS uuid)")
        } else {
            format!("printf('00000000-0000-7000-{variant}-%012x', {num})")
        }
    };
    let case_id = id("8000", "n.i");
    let officer_id = if pg {
        format!("CAST('00000000-0000-4000-8000-' || lpad(to_hex(o.k * 100 + (n.i / {norgs}) % {OFFICERS}), 12, '0') AS uuid)")
    } else {
        format!("printf('00000000-0000-4000-8000-%012x', o.k * 100 + (n.i / {norgs}) % {OFFICERS})")
    };
    let open = format!("((n.i / {norgs}) / {OFFICERS}) % 10 < 7");
    let due = if pg {
        "DATE '2025-03-03' + CAST((n.i * 37) % 400 - 40 AS integer)".to_string()
    } else {
        "date('2025-03-03', printf('%+d days', (n.i * 37) % 400 - 40))".to_string()
    };
    let (t, f) = (raw.bool(true), raw.bool(false));
    let chunk = 100_000;
    for lo in (0..n).step_by(chunk) {
        let hi = (lo + chunk).min(n);
        clone_rows(
            &raw,
            "cases",
            case,
            &[
                ("id", case_id.clone()),
                ("number_org", "o.id".into()),
                ("originating_org", "o.id".into()),
                ("responsible_org", "o.id".into()),
                ("number_seq", "n.i + 1000".into()),
                ("region", "o.region".into()),
                (
                    "state",
                    format!("CASE WHEN {open} THEN t.state ELSE 'closed' END"),
                ),
                ("is_open", format!("CASE WHEN {open} THEN {t} ELSE {f} END")),
                ("assignee", officer_id.clone()),
                ("verifier", officer_id.clone()),
            ],
            "1 = 1",
            lo,
            hi,
        )
        .await?;
        clone_rows(
            &raw,
            "deadlines",
            deadline,
            &[
                ("id", id("9000", "n.i")),
                ("root_case", case_id.clone()),
                (
                    "object_id",
                    format!(
                        "CASE WHEN t.object_id = t.root_case THEN {case_id} ELSE t.object_id END"
                    ),
                ),
                ("org", "o.id".into()),
                ("region", "o.region".into()),
                ("due", due.clone()),
                (
                    "status",
                    format!("CASE WHEN {open} THEN 'open' ELSE 'met' END"),
                ),
                (
                    "status_on",
                    format!("CASE WHEN {open} THEN NULL ELSE {due} END"),
                ),
            ],
            "1 = 1",
            lo,
            hi,
        )
        .await?;
        clone_rows(
            &raw,
            "supervisions",
            supervision,
            &[
                ("id", id("a000", "n.i")),
                ("case_id", case_id.clone()),
                ("due", due.clone()),
            ],
            &format!("n.i % 100 = 0 AND substr(o.region, 1, 2) = '33' AND {open}"),
            lo,
            hi,
        )
        .await?;
    }
    raw.exec("ANALYZE").await?;
    let took = t0.elapsed();
    match raw {
        Raw::Sqlite(p) => p.close().await,
        Raw::Pg(p) => p.close().await,
    }
    Ok(took)
}

struct Timing {
    name: String,
    rows: usize,
    median: f64,
    p95: f64,
    max: f64,
}

async fn time<F, Fut>(name: &str, rounds: usize, mut f: F) -> Res<Timing>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Res<usize>>,
{
    let mut rows = f().await?; // warm-up (and the row count)
    let mut ms = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        rows = f().await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    Ok(Timing {
        name: name.to_string(),
        rows,
        median: at(0.5),
        p95: at(0.95),
        max: ms[ms.len() - 1],
    })
}

async fn lists(store: &Store, db: &Db, orgs: &[Agency], rounds: usize) -> Res<Vec<Timing>> {
    let raw = Raw::open(&db.url).await?;
    let cal = Calendar::china();
    let city = RegionCode::parse("330100")?;
    let province = RegionCode::parse("330000")?;
    let mut out = vec![
        time("baseline: SELECT 1 round trip", rounds, || async {
            raw.select_one().await?;
            Ok(1)
        })
        .await?,
    ];
    for (label, region) in [("city 330100", &city), ("province 330000", &province)] {
        out.push(
            time(
                &format!("due_deadlines, overdue in {label}, page of 50"),
                rounds,
                || async {
                    let p = store
                        .due_deadlines(region, today(), 0, cal, None, 50)
                        .await?;
                    Ok(p.items.len())
                },
            )
            .await?,
        );
    }
    for (label, region) in [("city 330100", &city), ("province 330000", &province)] {
        out.push(
            time(
                &format!("cases, Scope::Region {label}, open, page of 50"),
                rounds,
                || async {
                    let q = CaseQuery::new(Scope::Region(region.clone()));
                    Ok(store.cases(&q).await?.items.len())
                },
            )
            .await?,
        );
    }
    out.push(
        time("officer_queue, page of 50", rounds, || async {
            let p = store
                .officer_queue(orgs[0].id, officer(0, 3), None, 50)
                .await?;
            Ok(p.items.len())
        })
        .await?,
    );
    out.push(
        time(
            "supervision_board, province office, due within 5 working days",
            rounds,
            || async {
                let b = store
                    .supervision_board(OFFICE, &province, today(), 5, cal, 50)
                    .await?;
                Ok(b.len())
            },
        )
        .await?,
    );
    match raw {
        Raw::Sqlite(p) => p.close().await,
        Raw::Pg(p) => p.close().await,
    }
    Ok(out)
}

/// The plans of the statements behind the lists (their shapes as `query.rs` builds them,
/// with the bench's values inlined).
async fn plans(db: &Db, orgs: &[Agency]) -> Res<Vec<(String, Vec<String>)>> {
    let raw = Raw::open(&db.url).await?;
    let (t, f) = (raw.bool(true), raw.bool(false));
    let horizon = raw.date(today());
    let stmts = [
        (
            "due_deadlines (province 33)",
            format!(
                "SELECT d.id, d.due, c.id FROM deadlines d JOIN cases c ON c.id = d.root_case \
                 WHERE d.status = 'open' AND d.region >= '33' AND d.region < '34' \
                 AND d.due <= {horizon} AND d.paused = {f} ORDER BY d.due, d.id LIMIT 51"
            ),
        ),
        (
            "cases Scope::Region (province 33)",
            format!(
                "SELECT id FROM cases WHERE region >= '33' AND region < '34' AND is_open = {t} \
                 ORDER BY id LIMIT 51"
            ),
        ),
        (
            "cases Scope::Region (city 3301)",
            format!(
                "SELECT id FROM cases WHERE region >= '3301' AND region < '3302' \
                 AND is_open = {t} ORDER BY id LIMIT 51"
            ),
        ),
        (
            "due_deadlines (city 3301)",
            format!(
                "SELECT d.id, d.due, c.id FROM deadlines d JOIN cases c ON c.id = d.root_case \
                 WHERE d.status = 'open' AND d.region >= '3301' AND d.region < '3302' \
                 AND d.due <= {horizon} AND d.paused = {f} ORDER BY d.due, d.id LIMIT 51"
            ),
        ),
        (
            "officer_queue",
            format!(
                "SELECT id FROM cases WHERE responsible_org = {} AND assignee = {} \
                 AND is_open = {t} ORDER BY id LIMIT 51",
                raw.uuid(orgs[0].id.0),
                raw.uuid(officer(0, 3).0)
            ),
        ),
        (
            "supervision_board (marks)",
            format!(
                "SELECT s.id FROM supervisions s JOIN cases c ON c.id = s.case_id \
                 WHERE s.office = {} AND s.lifted_at IS NULL AND s.due <= {horizon} \
                 AND c.is_open = {t} ORDER BY s.due, s.id",
                raw.uuid(OFFICE.0)
            ),
        ),
    ];
    let mut out = Vec::new();
    for (name, sql) in stmts {
        out.push((name.to_string(), raw.plan(&sql).await?));
    }
    match raw {
        Raw::Sqlite(p) => p.close().await,
        Raw::Pg(p) => p.close().await,
    }
    Ok(out)
}

async fn count(db: &Db, table: &str) -> Res<String> {
    let raw = Raw::open(&db.url).await?;
    let n = raw
        .texts(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"))
        .await?;
    Ok(n.into_iter().next().unwrap_or_default())
}

async fn run(backend: &str) -> Res<()> {
    let listings = env_num("LISTINGS", 1_000_000);
    let cases = env_num("CASES", 1_000_000);
    let rounds = env_num("ROUNDS", 50).max(1);
    let orgs = agencies();
    eprintln!("{backend}: intake of {listings} listings");
    let (db, store, i) = intake(backend, listings, &orgs).await?;
    let version = {
        let raw = Raw::open(&db.url).await?;
        let v = raw
            .texts(if raw.pg() {
                "SHOW server_version"
            } else {
                "SELECT sqlite_version()"
            })
            .await?;
        v.into_iter().next().unwrap_or_default()
    };
    println!("### {backend} {version}\n");
    println!(
        "Listing intake: {} listings, each with its scan lead ({} rows: shops, listings, \
         snapshots, leads), batches of {}, one transaction each.\n",
        i.listings,
        i.rows,
        batch_size()
    );
    println!("| path | s | listings/s | rows/s | time / baseline |");
    println!("|---|---|---|---|---|");
    let line = |name: &str, d: Duration| {
        let s = d.as_secs_f64();
        println!(
            "| {name} | {s:.1} | {:.0} | {:.0} | {:.2} |",
            i.listings as f64 / s,
            i.rows as f64 / s,
            s / i.plain.as_secs_f64()
        );
    };
    line("`Store::import_listings`", i.store);
    line("baseline: plain multi-row INSERT, same rows", i.plain);
    eprintln!("{backend}: populating {cases} cases");
    let took = populate(&store, &db, &orgs, cases).await?;
    println!(
        "\nLists at {} cases ({} deadlines, {} supervision marks; bulk population and ANALYZE \
         took {:.1} s, not a store path). Each call {rounds} times after one warm-up; ms.\n",
        count(&db, "cases").await?,
        count(&db, "deadlines").await?,
        count(&db, "supervisions").await?,
        took.as_secs_f64()
    );
    println!("| call | rows | median ms | p95 ms | max ms |");
    println!("|---|---|---|---|---|");
    for t in lists(&store, &db, &orgs, rounds).await? {
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.2} |",
            t.name, t.rows, t.median, t.p95, t.max
        );
    }
    println!("\nQuery plans:\n");
    for (name, plan) in plans(&db, &orgs).await? {
        println!("- {name}:");
        println!("  ```");
        for l in plan {
            println!("  {l}");
        }
        println!("  ```");
    }
    println!();
    store.close().await;
    db.drop_it().await?;
    Ok(())
}

#[tokio::main]
async fn main() {
    let backends = std::env::var("BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    for b in backends.split(',').map(str::trim).filter(|b| !b.is_empty()) {
        if b != "sqlite" && b != "postgres" {
            eprintln!("store_bench: unknown backend {b:?} (sqlite or postgres)");
            std::process::exit(2);
        }
        if let Err(e) = run(b).await {
            eprintln!("store_bench: {b}: {e}");
            std::process::exit(1);
        }
    }
}
