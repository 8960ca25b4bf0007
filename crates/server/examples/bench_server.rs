//! The server's load generator (issue 6): listing ingest throughput through
//! `POST /api/v1/listings` (the scan included), and the latency of the lead queue page
//! (`GET /leads`) and API (`GET /api/v1/leads`) over a store holding N leads, filled fast
//! through the store's bulk import (not HTTP). Baselines in the same run: `/api/v1/health`
//! over the same connection, and the bare store query the queue page makes.
//!
//! The server runs in this process on 127.0.0.1 (a random port); the client is a plain
//! HTTP/1.1 keep-alive connection per worker, so the figures include parsing, the policy,
//! the query and the rendering, and nothing of a browser.
//!
//! Usage: `bench_server --db URL [--leads N] [--ingest N] [--batch B] [--queries Q]
//! [--marks FILE]`; prints a Markdown table.

use std::io::Write as _;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use wangjian_detect::{Detector, Listing, RulePack, Shop};
use wangjian_domain::org::{AdminLevel, AgencyType, Membership, OrgKind, Organization, User};
use wangjian_domain::{OrgId, RegionCode, Role, UserId};
use wangjian_server::auth::password::hash_password;
use wangjian_server::auth::token::{mint, TokenScope};
use wangjian_server::directory::Directory;
use wangjian_server::{serve, AppState, ServerConfig};
use wangjian_store::{LeadQuery, LeadScan, LeadScope, ListingInput, ScanLead, Store};

const AGENCY: OrgId = OrgId::from_u128(0xA1);
const PLATFORM: OrgId = OrgId::from_u128(0xB1);
const OFFICER: UserId = UserId::from_u128(0xC1);
const OPERATOR: UserId = UserId::from_u128(0xC2);
const PASSWORD: &str = "bench-password-2026";

struct Args {
    db: String,
    leads: usize,
    ingest: usize,
    batch: usize,
    queries: usize,
    marks: String,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        db: String::new(),
        leads: 1_000_000,
        ingest: 100_000,
        batch: 5_000,
        queries: 300,
        marks: concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/marks.csv").into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let v = it.next().ok_or(format!("{k} needs a value"))?;
        let n = || v.parse::<usize>().map_err(|_| format!("{k}: not a number"));
        match k.as_str() {
            "--db" => a.db = v.clone(),
            "--leads" => a.leads = n()?,
            "--ingest" => a.ingest = n()?,
            "--batch" => a.batch = n()?.clamp(1, 10_000),
            "--queries" => a.queries = n()?.max(10),
            "--marks" => a.marks = v.clone(),
            _ => return Err(format!("unknown option {k}")),
        }
    }
    if a.db.is_empty() {
        return Err("usage: bench_server --db URL [--leads N] [--ingest N] [--batch B] [--queries Q] [--marks FILE]".into());
    }
    Ok(a)
}

/// Seller text of listing `i`: a mark (or its alias) with counterfeit slang, a shoe, a
/// number; every third one is clean (no lead).
fn title(i: usize, marks: &[String], flagged: bool) -> String {
    const SLANG: [&str; 6] = ["高仿", "A货", "复刻", "原单", "1:1", "莆田"];
    const GOODS: [&str; 5] = ["运动鞋", "跑鞋", "篮球鞋", "板鞋", "卫衣"];
    if flagged {
        format!(
            "{} {} {} 新款 {i}",
            SLANG[i % SLANG.len()],
            marks[i % marks.len()],
            GOODS[i % GOODS.len()]
        )
    } else {
        format!("纯棉 {} 包邮 {i}", GOODS[i % GOODS.len()])
    }
}

fn listing(i: usize, marks: &[String], flagged: bool) -> Listing {
    Listing {
        id: format!("B{i}"),
        title: title(i, marks, flagged),
        description: Some(
            if flagged {
                "支持验货，假一赔十"
            } else {
                "纯棉舒适，七天无理由退换"
            }
            .into(),
        ),
        price: Some(99.0 + (i % 50) as f64),
        category: Some("运动鞋".into()),
        shop: Shop {
            id: Some(format!("shop{}", i % 5_000)),
            name: Some(format!("潮鞋店{}", i % 5_000)),
            province: Some("浙江省".into()),
            city: Some("杭州市".into()),
            ..Shop::default()
        },
        ship_from: Some("浙江省杭州市".into()),
        url: Some(format!("https://shop.example.com/item/{i}")),
        captured_at: None,
        platform: None,
    }
}

async fn seed(store: &Store, marks_file: &str) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let region = RegionCode::parse("330100")?;
    for o in [
        Organization::new(
            AGENCY,
            "杭州市市场监督管理局",
            "浙杭市监",
            OrgKind::Agency {
                agency_type: AgencyType::MarketRegulation,
                level: AdminLevel::City,
            },
            region.clone(),
        )?,
        Organization::new(PLATFORM, "甲电商平台", "PLATA", OrgKind::Platform, region)?,
    ] {
        store.put_organization(&o).await?;
    }
    let hash = hash_password(PASSWORD)?;
    for (id, login, org, role) in [
        (OFFICER, "officer", AGENCY, Role::Officer),
        (OPERATOR, "operator", PLATFORM, Role::PlatformOperator),
    ] {
        store
            .put_user(
                &User {
                    id,
                    name: login.into(),
                    version: 1,
                },
                Some(login),
            )
            .await?;
        store.set_password_hash(id, Some(&hash)).await?;
        store
            .put_membership(&Membership {
                user: id,
                org,
                role,
            })
            .await?;
    }
    let text = std::fs::read_to_string(marks_file)?;
    let marks = wangjian_detect::parse_marks(marks_file, &text).map_err(|e| e.to_string())?;
    store.put_marks(&marks).await?;
    Ok(marks.iter().map(|m| m.mark.clone()).collect())
}

/// Fills the store with `n` scan leads of the agency through the bulk import, scanning
/// each listing with the real detector (on every core).
async fn populate(
    store: &Store,
    names: &[String],
    n: usize,
) -> Result<(usize, Duration, Duration), Box<dyn std::error::Error>> {
    let detector = std::sync::Arc::new(
        Detector::build(
            RulePack::embedded().map_err(|e| e.to_string())?,
            store.marks().await?,
        )
        .map_err(|e| e.to_string())?,
    );
    let start = Instant::now();
    let mut scan_time = Duration::ZERO;
    let mut made = 0;
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    const BATCH: usize = 10_000;
    let mut i = 0;
    while made < n {
        let want = BATCH.min(n - made);
        let scan_start = Instant::now();
        let threads = std::thread::available_parallelism().map_or(2, |p| p.get());
        let chunk = want.div_ceil(threads);
        let from = i;
        let mut handles = vec![];
        for t in 0..threads {
            let d = detector.clone();
            let names = names.to_vec();
            handles.push(std::thread::spawn(move || {
                let lo = from + t * chunk;
                let hi = (from + (t + 1) * chunk).min(from + want);
                (lo..hi)
                    .map(|k| {
                        let l = listing(k, &names, true);
                        let v = d.scan(&l);
                        let lead = ScanLead {
                            org: AGENCY,
                            rule_set_version: d.ruleset_version().to_string(),
                            summary: wangjian_app::intake::lead_summary(&v),
                            scan: Some(LeadScan::new(&l, &v, Some("330100".into()))),
                        };
                        // Spread over 90 days, newest last.
                        let at =
                            t0 + chrono::Duration::seconds((k as i64) * 90 * 86_400 / n as i64);
                        ListingInput::from_listing(l, PLATFORM, at, Some(lead))
                    })
                    .collect::<Vec<_>>()
            }));
        }
        let mut batch = Vec::with_capacity(want);
        for h in handles {
            batch.extend(h.join().map_err(|_| "scan thread")?);
        }
        scan_time += scan_start.elapsed();
        let out = store.import_listings(&batch).await?;
        made += out.leads as usize;
        i += want;
        if out.leads == 0 {
            return Err("the bulk import made no lead".into());
        }
    }
    Ok((made, start.elapsed(), scan_time))
}

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    io: BufReader<TcpStream>,
    host: String,
}

impl Conn {
    async fn open(addr: std::net::SocketAddr) -> std::io::Result<Conn> {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(Conn {
            io: BufReader::new(s),
            host: addr.to_string(),
        })
    }

    /// Sends a request; returns (status, headers, body).
    async fn call(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<(u16, Vec<(String, String)>, Vec<u8>)> {
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n",
            self.host,
            body.len()
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        let s = self.io.get_mut();
        s.write_all(req.as_bytes()).await?;
        s.write_all(body).await?;
        let mut line = String::new();
        self.io.read_line(&mut line).await?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut hs = vec![];
        let mut len = 0usize;
        loop {
            line.clear();
            self.io.read_line(&mut line).await?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_string());
                if k == "content-length" {
                    len = v.parse().unwrap_or(0);
                }
                if k == "transfer-encoding" {
                    return Err(std::io::Error::other("chunked answers are not read here"));
                }
                hs.push((k, v));
            }
        }
        let mut b = vec![0; len];
        self.io.read_exact(&mut b).await?;
        Ok((status, hs, b))
    }
}

fn cookie(hs: &[(String, String)], name: &str) -> Option<String> {
    hs.iter()
        .filter(|(k, _)| k == "set-cookie")
        .find_map(|(_, v)| {
            let (k, val) = v.split(';').next()?.split_once('=')?;
            (k == name).then(|| val.to_string())
        })
}

async fn sign_in(c: &mut Conn, login: &str) -> Result<String, Box<dyn std::error::Error>> {
    let (_, hs, _) = c.call("GET", "/login", &[], b"").await?;
    let pre = cookie(&hs, "wj_csrf").ok_or("no csrf cookie")?;
    let form = format!("_csrf={pre}&login={login}&password={PASSWORD}");
    let ck = format!("wj_csrf={pre}");
    let (s, hs, _) = c
        .call(
            "POST",
            "/login",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Cookie", &ck),
            ],
            form.as_bytes(),
        )
        .await?;
    if s != 303 {
        return Err(format!("sign-in answered {s}").into());
    }
    Ok(format!(
        "wj_session={}",
        cookie(&hs, "wj_session").ok_or("no session")?
    ))
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

/// Calls `path` `n` times on one connection; (p50, p99) in ms; every answer must be 200.
async fn latency(
    c: &mut Conn,
    path: &str,
    headers: &[(&str, &str)],
    n: usize,
) -> Result<(f64, f64, usize), Box<dyn std::error::Error>> {
    let mut v = Vec::with_capacity(n);
    let mut bytes = 0;
    for _ in 0..n {
        let t = Instant::now();
        let (s, _, b) = c.call("GET", path, headers, b"").await?;
        v.push(t.elapsed());
        if s != 200 {
            return Err(format!("{path} answered {s}: {}", String::from_utf8_lossy(&b)).into());
        }
        bytes = b.len();
    }
    Ok((pct(&mut v, 0.5), pct(&mut v, 0.99), bytes))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a = args()?;
    let store = Store::open(&a.db).await?;
    let names = seed(&store, &a.marks).await?;
    eprintln!("populating {} leads …", a.leads);
    let (made, took, scan) = populate(&store, &names, a.leads).await?;
    eprintln!("populated {made} leads in {took:?}");
    // As `wangjian patrol` does after a bulk import (and PostgreSQL's autovacuum a while
    // later): the queue's filters need the planner's statistics.
    let analyzed = std::time::Instant::now();
    store.analyze().await?;
    let analyzed = analyzed.elapsed();
    let state = AppState::new(Directory::Store(store.clone()), ServerConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(serve(listener, state.clone(), std::future::pending()));

    let mut c = Conn::open(addr).await?;
    let session = sign_in(&mut c, "officer").await?;
    let h = [("Cookie", session.as_str())];
    let mut rows: Vec<(String, f64, f64, usize)> = vec![];
    let q = a.queries;
    // Warm up (the detector for ingest, the first pages).
    latency(&mut c, "/leads", &h, 5).await?;
    let (p50, p99, b) = latency(&mut c, "/api/v1/health", &[], q * 3).await?;
    rows.push(("baseline: `GET /api/v1/health`".into(), p50, p99, b));
    // The bare store query the queue page makes (first page of new leads, 50).
    let mut v = vec![];
    for _ in 0..q {
        let mut lq = LeadQuery::new(LeadScope::Org(AGENCY));
        lq.status = Some(wangjian_domain::lead::LeadStatus::New);
        let t = Instant::now();
        let page = store.leads(&lq).await?;
        v.push(t.elapsed());
        assert_eq!(page.items.len(), 50);
    }
    rows.push((
        "baseline: the store query alone (50 newest new leads)".into(),
        pct(&mut v, 0.5),
        pct(&mut v, 0.99),
        0,
    ));
    let enc = |s: &str| s.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
    let mark = enc(&names[0]);
    for (label, path) in [
        (
            "`GET /leads` (console page, 50 newest new leads)".to_string(),
            "/leads".to_string(),
        ),
        (
            "`GET /api/v1/leads?status=new`".into(),
            "/api/v1/leads?status=new".into(),
        ),
        (
            "`GET /leads?level=high&reason=counterfeit_term`".into(),
            "/leads?level=high&reason=counterfeit_term".into(),
        ),
        (
            format!("`GET /leads?mark={}` (1 mark of {})", names[0], names.len()),
            format!("/leads?mark={mark}"),
        ),
        (
            "`GET /leads?from=2026-02-01&until=2026-02-07` (a week)".into(),
            "/leads?from=2026-02-01&until=2026-02-07".into(),
        ),
    ] {
        let (p50, p99, b) = latency(&mut c, &path, &h, q).await?;
        rows.push((label, p50, p99, b));
    }
    // A deep page: follow the cursor 20 pages down, then time that page.
    let mut path = "/api/v1/leads?status=new".to_string();
    for _ in 0..20 {
        let (_, _, b) = c.call("GET", &path, &h, b"").await?;
        let v: serde_json::Value = serde_json::from_slice(&b)?;
        let next = v["next"].as_str().ok_or("no next page")?;
        path = format!("/api/v1/leads?status=new&after={}", enc(next));
    }
    let (p50, p99, b) = latency(&mut c, &path, &h, q).await?;
    rows.push((
        "`GET /api/v1/leads` page 21 (keyset cursor)".into(),
        p50,
        p99,
        b,
    ));

    // Ingest: new listings (two of three flagged), `batch` per request, one connection per
    // core.
    let now = Utc::now();
    let token = mint(
        OPERATOR,
        PLATFORM,
        "bench",
        &[TokenScope::Read, TokenScope::Ingest],
        None,
        now,
    )?;
    state.directory().put_token(&token.record).await?;
    let auth = format!("Bearer {}", token.secret);
    let workers = std::thread::available_parallelism().map_or(2, |p| p.get());
    let requests = a.ingest.div_ceil(a.batch);
    let bodies: Vec<Vec<u8>> = (0..requests)
        .map(|r| {
            let items: Vec<serde_json::Value> = (0..a.batch)
                .map(|k| {
                    let i = 10_000_000 + r * a.batch + k;
                    let l = listing(i, &names, i % 3 != 0);
                    serde_json::json!({
                        "id": l.id, "title": l.title, "description": l.description,
                        "price": l.price, "category": l.category, "url": l.url,
                        "ship_from": l.ship_from, "captured_at": now.to_rfc3339(),
                        "shop": {"id": l.shop.id, "name": l.shop.name,
                                 "province": l.shop.province, "city": l.shop.city},
                    })
                })
                .collect();
            serde_json::to_vec(&serde_json::json!({ "listings": items })).unwrap_or_default()
        })
        .collect();
    let body_mb = bodies.iter().map(Vec::len).sum::<usize>() as f64 / 1e6;
    let bodies = std::sync::Arc::new(bodies);
    let start = Instant::now();
    let mut tasks = vec![];
    for w in 0..workers {
        let bodies = bodies.clone();
        let auth = auth.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = Conn::open(addr).await?;
            let mut leads = 0u64;
            let mut lat = vec![];
            for body in bodies.iter().skip(w).step_by(workers) {
                let t = Instant::now();
                let (s, _, b) = c
                    .call(
                        "POST",
                        "/api/v1/listings",
                        &[
                            ("Authorization", &auth),
                            ("Content-Type", "application/json"),
                        ],
                        body,
                    )
                    .await?;
                lat.push(t.elapsed());
                if s != 200 {
                    return Err(std::io::Error::other(format!(
                        "ingest answered {s}: {}",
                        String::from_utf8_lossy(&b)
                    )));
                }
                let v: serde_json::Value =
                    serde_json::from_slice(&b).map_err(std::io::Error::other)?;
                leads += v["leads_created"].as_u64().unwrap_or(0);
            }
            Ok::<_, std::io::Error>((leads, lat))
        }));
    }
    let mut leads = 0;
    let mut lat = vec![];
    for t in tasks {
        let (l, v) = t.await??;
        leads += l;
        lat.extend(v);
    }
    let took_ingest = start.elapsed();
    let listings = requests * a.batch;
    server.abort();

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Backend `{}`: {} leads in the queue.",
        if a.db.starts_with("sqlite") {
            "sqlite"
        } else {
            "postgres"
        },
        made
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "- Filling: {made} leads (listings, snapshots, shops, leads) through the store's bulk import in {:.1} s ({:.0} leads/s; the scan of those listings took {:.1} s of it), then `ANALYZE` ({:.1} s).",
        took.as_secs_f64(),
        made as f64 / took.as_secs_f64(),
        scan.as_secs_f64(),
        analyzed.as_secs_f64()
    )?;
    writeln!(
        out,
        "- **Ingest through HTTP**: {listings} listings in {requests} requests of {} ({body_mb:.0} MB of JSON) on {workers} connections in {:.2} s: **{:.0} listings/s** including validation, the scan, routing and the store's transaction; {leads} leads made; per request p50 {:.0} ms, p99 {:.0} ms.",
        a.batch,
        took_ingest.as_secs_f64(),
        listings as f64 / took_ingest.as_secs_f64(),
        pct(&mut lat, 0.5),
        pct(&mut lat, 0.99)
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "| request ({q} sequential calls on one connection) | p50 ms | p99 ms | bytes |"
    )?;
    writeln!(out, "|---|---:|---:|---:|")?;
    for (label, p50, p99, b) in rows {
        writeln!(out, "| {label} | {p50:.2} | {p99:.2} | {b} |")?;
    }
    store.close().await;
    Ok(())
}
