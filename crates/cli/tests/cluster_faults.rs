//! The patrol cluster under faults (issue 19), with real services: each test starts its
//! own nats-server (free port, temporary JetStream directory) and uses a fresh PostgreSQL
//! database (a private PostgreSQL instance for the test that restarts it), runs `wangjian
//! ingest` and `wangjian worker` processes, and checks the record: every listing exactly
//! once, no lead twice, nothing acknowledged lost.

mod common;
mod nats;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use nats::{count, Nats, PgDb, PrivatePg};

const ORGS: &str = r#"{"name":"浙江省市场监督管理局","case_prefix":"浙市监","kind":"agency","agency_type":"market_regulation","level":"province","region":"330000"}
{"name":"杭州市市场监督管理局","case_prefix":"杭市监","kind":"agency","agency_type":"market_regulation","level":"city","region":"330100"}
{"name":"云集优品网络科技有限公司","case_prefix":"云集","kind":"platform","region":"330110"}
"#;

/// A flagged title (a counterfeit of a registered mark) every tenth listing; the rest honest.
const FLAGGED: &str = "高仿耐克 AJ 运动鞋 支持验货";

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_wangjian")
}

fn run(args: &[&str], dir: &Path) -> Output {
    let o = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run wangjian");
    assert!(o.status.success(), "{args:?}: {}", common::stderr(&o));
    o
}

/// `n` listings as JSON Lines; returns how many are flagged.
fn listings(path: &Path, n: usize) -> usize {
    let mut s = String::with_capacity(n * 220);
    let mut flagged = 0;
    for i in 0..n {
        let title = if i % 10 == 0 {
            flagged += 1;
            FLAGGED.to_string()
        } else {
            format!("纯棉短袖T恤 男士夏季宽松 款{i}")
        };
        s.push_str(
            &serde_json::json!({
                "id": format!("YJ-{i:07}"),
                "title": title,
                "price": 59.0 + (i % 100) as f64,
                "category": "服装",
                "shop": {"id": format!("shop-{}", i % 500), "name": format!("好物店{}", i % 500),
                         "province": "浙江", "city": "杭州"},
                "ship_from": "浙江省杭州市西湖区文三路",
                "url": format!("https://shop.example.cn/item/{i}"),
                "captured_at": "2026-11-02T08:00:00Z",
            })
            .to_string(),
        );
        s.push('\n');
    }
    std::fs::write(path, s).unwrap();
    flagged
}

/// The database with the organizations and the example marks.
fn prepare(db: &str, dir: &Path) {
    std::fs::write(dir.join("orgs.jsonl"), ORGS).unwrap();
    run(&["import", "orgs", "orgs.jsonl", "--db", db], dir);
    let marks = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/marks.csv");
    run(&["import", "marks", marks, "--db", db], dir);
}

fn ingest(nats: &str, file: &str, dir: &Path) -> Child {
    Command::new(bin())
        .args([
            "ingest",
            "--nats",
            nats,
            "--org",
            "浙市监",
            "--platform",
            "云集",
            file,
        ])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ingest")
}

fn worker(nats: &str, db: &str, name: &str, ack_wait: u64, dir: &Path) -> Child {
    worker_batch(nats, db, name, ack_wait, "1000", dir)
}

/// A worker taking `batch` listings per transaction.
fn worker_batch(nats: &str, db: &str, name: &str, ack_wait: u64, batch: &str, dir: &Path) -> Child {
    Command::new(bin())
        .args([
            "worker",
            "--nats",
            nats,
            "--db",
            db,
            "--name",
            name,
            "--batch",
            batch,
            "--exit-when-idle",
            "2",
            "--ack-wait",
            &ack_wait.to_string(),
        ])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start worker")
}

/// Waits for a child within `limit`, killing it and failing past it; returns its stderr.
fn finish(mut c: Child, limit: Duration, what: &str) -> String {
    let end = Instant::now() + limit;
    loop {
        if let Some(status) = c.try_wait().unwrap() {
            let mut err = String::new();
            if let Some(e) = c.stderr.take() {
                for l in BufReader::new(e).lines() {
                    err.push_str(&l.unwrap_or_default());
                    err.push('\n');
                }
            }
            assert!(status.success(), "{what} failed: {err}");
            return err;
        }
        if Instant::now() > end {
            let _ = c.kill();
            panic!("{what} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Listings a worker says it stored.
fn stored(stderr: &str) -> u64 {
    stderr
        .lines()
        .find_map(|l| {
            l.split_once(": stored ")
                .and_then(|(_, r)| r.split(' ').next())
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or_else(|| panic!("no summary in {stderr}"))
}

/// The record holds every listing exactly once, one snapshot and one receipt each, and
/// the flagged ones' leads once each.
fn exactly_once(db: &str, n: i64, flagged: i64) {
    assert_eq!(count(db, "SELECT count(*) FROM listings"), n, "listings");
    assert_eq!(
        count(db, "SELECT count(*) FROM listing_snapshots"),
        n,
        "snapshots"
    );
    assert_eq!(
        count(db, "SELECT count(*) FROM listing_receipts"),
        n,
        "receipts"
    );
    assert_eq!(count(db, "SELECT count(*) FROM leads"), flagged, "leads");
    assert_eq!(
        count(db, "SELECT count(DISTINCT snapshot) FROM leads"),
        flagged,
        "one lead per snapshot"
    );
}

fn poll(limit: Duration, mut f: impl FnMut() -> bool, what: &str) {
    let end = Instant::now() + limit;
    while !f() {
        assert!(Instant::now() < end, "{what} within {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn three_workers_store_every_listing_exactly_once() {
    let (Some(nats), Some(pg)) = (Nats::start(), PgDb::create()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let n = 100_000;
    let flagged = listings(&dir.path().join("l.jsonl"), n);
    prepare(&pg.url, dir.path());
    let url = nats.url();
    finish(
        ingest(&url, "l.jsonl", dir.path()),
        Duration::from_secs(120),
        "ingest",
    );
    let workers: Vec<Child> = (0..3)
        .map(|i| worker(&url, &pg.url, &format!("w{i}"), 60, dir.path()))
        .collect();
    let mut total = 0;
    let mut each = Vec::new();
    for (i, w) in workers.into_iter().enumerate() {
        let s = stored(&finish(w, Duration::from_secs(300), &format!("worker {i}")));
        each.push(s);
        total += s;
    }
    assert_eq!(total, n as u64, "processed exactly once: {each:?}");
    assert!(
        each.iter().filter(|s| **s > 0).count() >= 2,
        "the work was shared: {each:?}"
    );
    exactly_once(&pg.url, n as i64, flagged as i64);
}

#[test]
fn a_worker_killed_mid_batch_loses_and_doubles_nothing() {
    let (Some(nats), Some(pg)) = (Nats::start(), PgDb::create()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let n = 20_000;
    let flagged = listings(&dir.path().join("l.jsonl"), n);
    prepare(&pg.url, dir.path());
    let url = nats.url();
    finish(
        ingest(&url, "l.jsonl", dir.path()),
        Duration::from_secs(60),
        "ingest",
    );
    let mut a = worker(&url, &pg.url, "a", 3, dir.path());
    // Kill it while it works: some listings stored, most not.
    poll(
        Duration::from_secs(60),
        || count(&pg.url, "SELECT count(*) FROM listings") > 0,
        "the first batch",
    );
    a.kill().unwrap();
    a.wait().unwrap();
    let before = count(&pg.url, "SELECT count(*) FROM listings");
    assert!(before < n as i64, "killed before the end ({before})");
    let b = worker(&url, &pg.url, "b", 3, dir.path());
    let err = finish(b, Duration::from_secs(180), "worker b");
    assert!(stored(&err) >= (n as u64) - before as u64, "{err}");
    exactly_once(&pg.url, n as i64, flagged as i64);
}

#[test]
fn ingest_waits_while_nats_is_down_and_loses_nothing() {
    let (Some(mut nats), Some(pg)) = (Nats::start(), PgDb::create()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let n = 30_000;
    let flagged = listings(&dir.path().join("l.jsonl"), n);
    prepare(&pg.url, dir.path());
    let url = nats.url();
    // The stream exists before the outage, so ingest is mid-run when NATS goes.
    let out = run(&["cluster", "reload-rules", "--nats", &url], dir.path());
    assert!(common::stdout(&out).contains("rules announced"));
    let stream_len = || -> i64 {
        let o = run(&["cluster", "status", "--nats", &url, "--json"], dir.path());
        let text = common::stdout(&o);
        serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["stream_messages"].as_i64())
            .unwrap_or(0)
    };
    let ingesting = ingest(&url, "l.jsonl", dir.path());
    poll(
        Duration::from_secs(60),
        || stream_len() > 0,
        "the first listings published",
    );
    nats.stop();
    std::thread::sleep(Duration::from_secs(10));
    nats.resume();
    let err = finish(ingesting, Duration::from_secs(120), "ingest");
    assert!(err.contains(&format!("published {n} listings")), "{err}");
    assert_eq!(stream_len(), n as i64, "every listing in the stream once");
    let w = worker(&url, &pg.url, "w", 30, dir.path());
    assert_eq!(
        stored(&finish(w, Duration::from_secs(180), "worker")),
        n as u64
    );
    exactly_once(&pg.url, n as i64, flagged as i64);
}

#[test]
fn workers_retry_while_postgres_restarts() {
    let (Some(nats), Some(pg)) = (Nats::start(), PrivatePg::start()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let n = 30_000;
    let flagged = listings(&dir.path().join("l.jsonl"), n);
    let db = pg.url();
    prepare(&db, dir.path());
    let url = nats.url();
    finish(
        ingest(&url, "l.jsonl", dir.path()),
        Duration::from_secs(60),
        "ingest",
    );
    // Small batches (300 transactions), so that the outage lands mid-run however fast the
    // machine is: with 1 000 a quiet machine stored everything before the stop.
    let workers: Vec<Child> = (0..2)
        .map(|i| worker_batch(&url, &db, &format!("w{i}"), 30, "100", dir.path()))
        .collect();
    poll(
        Duration::from_secs(60),
        || count(&db, "SELECT count(*) FROM listings") > 0,
        "the first batch",
    );
    let before = count(&db, "SELECT count(*) FROM listings");
    assert!(
        before < n as i64,
        "the run still had work at the outage ({before})"
    );
    pg.stop();
    std::thread::sleep(Duration::from_secs(3));
    pg.resume();
    let mut errs = String::new();
    for (i, w) in workers.into_iter().enumerate() {
        errs.push_str(&finish(w, Duration::from_secs(240), &format!("worker {i}")));
    }
    exactly_once(&db, n as i64, flagged as i64);
    // A batch in flight at the stop is handed back and retried; one that is waiting for a
    // connection rides the outage out in the pool (sqlx retries connecting until its
    // acquire timeout). Either way nothing is lost or doubled (asserted above), and each
    // worker kept working after the outage.
    for i in 0..2 {
        assert!(
            errs.contains(&format!("worker w{i}: stored")),
            "worker {i} ran to the end: {errs}"
        );
    }
}

#[test]
fn announced_rules_reach_a_running_worker() {
    let (Some(nats), Some(pg)) = (Nats::start(), PgDb::create()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("orgs.jsonl"), ORGS).unwrap();
    run(
        &["import", "orgs", "orgs.jsonl", "--db", &pg.url],
        dir.path(),
    );
    let url = nats.url();
    let one = |i: usize| {
        serde_json::json!({"id": format!("R-{i}"), "title": FLAGGED,
            "shop": {"id": "s", "province": "浙江", "city": "杭州"},
            "captured_at": "2026-11-02T08:00:00Z"})
        .to_string()
    };
    // A worker that runs until killed, with metrics.
    let mut w = Command::new(bin())
        .args([
            "worker",
            "--nats",
            &url,
            "--db",
            &pg.url,
            "--metrics-addr",
            "127.0.0.1:0",
        ])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(w.stdout.take().unwrap()).lines();
    let _ = lines.next();
    let metrics = lines.next().unwrap().unwrap();
    let addr = metrics
        .strip_prefix("metrics at http://")
        .and_then(|s| s.strip_suffix("/metrics"))
        .unwrap_or_else(|| panic!("{metrics}"))
        .to_string();
    let versions = || -> Vec<String> {
        let o = run(&["export", "leads", "--db", &pg.url], dir.path());
        let mut v: Vec<String> = common::stdout(&o)
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["dedup"]["rule_set_version"].as_str().unwrap().to_string()
            })
            .collect();
        v.sort();
        v
    };
    std::fs::write(dir.path().join("a.jsonl"), one(1) + "\n").unwrap();
    finish(
        ingest(&url, "a.jsonl", dir.path()),
        Duration::from_secs(30),
        "ingest",
    );
    poll(
        Duration::from_secs(30),
        || versions().len() == 1,
        "the first lead",
    );
    // New marks in the shared record, announced: the running worker scans with them.
    let marks = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/marks.csv");
    run(&["import", "marks", marks, "--db", &pg.url], dir.path());
    run(&["cluster", "reload-rules", "--nats", &url], dir.path());
    std::thread::sleep(Duration::from_millis(500));
    std::fs::write(dir.path().join("b.jsonl"), one(2) + "\n").unwrap();
    finish(
        ingest(&url, "b.jsonl", dir.path()),
        Duration::from_secs(30),
        "ingest",
    );
    poll(
        Duration::from_secs(30),
        || versions().len() == 2,
        "the second lead",
    );
    let v = versions();
    assert_ne!(v[0], v[1], "the second lead names the new rule set: {v:?}");
    // The metrics: counts and timings, nothing of a listing or an organization.
    let body = http_get(&addr, "/metrics");
    assert!(body.contains("wangjian_worker_listings_total 2"), "{body}");
    assert!(
        body.contains("wangjian_worker_rule_reloads_total 1"),
        "{body}"
    );
    assert!(
        body.contains("wangjian_worker_batch_seconds_count"),
        "{body}"
    );
    assert!(
        !body.contains("浙") && !body.contains("R-1") && !body.contains("耐克"),
        "{body}"
    );
    let status = common::stdout(&run(&["cluster", "status", "--nats", &url], dir.path()));
    assert!(status.contains("workers alive: 1"), "{status}");
    let _ = w.kill();
    let _ = w.wait();
}

fn http_get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    // One write: the request as a scraper sends it.
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
        .unwrap();
    let mut r = String::new();
    s.read_to_string(&mut r).unwrap();
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    r
}
