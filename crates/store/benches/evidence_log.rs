//! The evidence log's speed in the store, with baselines in the same run; writes
//! `bench/results-evidence.md`.
//!
//! `cargo bench -p wangjian-store --bench evidence_log [-- SIZE]` (SIZE: leaves of the
//! large tree, default 10 000 000). PostgreSQL is `WANGJIAN_TEST_PG` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`, a fresh schema, dropped afterwards);
//! `WANGJIAN_SKIP_PG=1` skips it.
//!
//! Measured:
//! - appends: 1 000-event transactions of audit events **without** the log (the baseline:
//!   what `Store::apply` wrote before the log), the same **with** their log entries (what it
//!   writes now), log entries alone; and one-event transactions, with and without the log;
//! - proofs: inclusion and consistency proofs read from the store at SIZE leaves, against
//!   the baseline of reading one entry row by its key. The large tree's perfect nodes are
//!   generated with `Frontier` and written directly (entries are not stored, except the
//!   last, so that the log's size reads SIZE).

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use serde_json::json;
use uuid::Uuid;
use wangjian_domain::audit::FieldChange;
use wangjian_domain::{AuditEvent, AuditEventId, CaseId, ObjectType, OrgId, RequestId, UserId};
use wangjian_ledger::{leaf_hash, Entry, EvidenceCaptured, Frontier, NodeId};
use wangjian_store::{bench, Store};

const BATCH: usize = 1_000;
const BATCHES: usize = 30;
const SINGLES: usize = 1_000;

fn event(i: u64) -> AuditEvent {
    AuditEvent {
        id: AuditEventId(Uuid::from_u128(0xA0D1_0000_0000 + u128::from(i))),
        request_id: RequestId(Uuid::from_u128(u128::from(i / 3 + 1))),
        actor: UserId::from_u128(10),
        actor_org: OrgId::from_u128(1),
        at: Utc.with_ymd_and_hms(2026, 6, 1, 2, 0, 0).unwrap()
            + chrono::Duration::seconds(i as i64),
        action: "case.start_verification".into(),
        object_type: ObjectType::Case,
        object_id: Uuid::from_u128(u128::from(i % 5000 + 1)),
        root_case: Some(CaseId(Uuid::from_u128(u128::from(i % 5000 + 1)))),
        changed: vec![FieldChange {
            field: "state".into(),
            before: json!("registered"),
            after: json!("verifying"),
        }],
        before_digest: Some("ab".repeat(32)),
        after_digest: "cd".repeat(32),
    }
}

fn evidence(i: u64) -> Entry {
    Entry::EvidenceCaptured(EvidenceCaptured {
        blob: wangjian_ledger::blob::sha256(&i.to_be_bytes()),
        size: 4096 + i,
        media_type: "text/html".into(),
        source: format!("https://shop.example.com/item/{i}"),
        case: Some(Uuid::from_u128(u128::from(i % 5000 + 1))),
        listing: None,
        captured_by: Uuid::from_u128(10),
        org: Uuid::from_u128(1),
        at: Utc.with_ymd_and_hms(2026, 6, 1, 2, 0, 0).unwrap(),
    })
}

struct Db {
    url: String,
    cleanup: Box<dyn Fn()>,
}

fn sqlite_db(name: &str) -> Db {
    let path = std::env::temp_dir().join(format!("wj-bench-{}-{name}.db", std::process::id()));
    let p = path.display().to_string();
    let _ = std::fs::remove_file(&path);
    Db {
        url: format!("sqlite:{p}"),
        cleanup: Box::new(move || {
            for s in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{p}{s}"));
            }
        }),
    }
}

fn psql(server: &str, sql: &str) -> bool {
    std::process::Command::new("psql")
        .args([server, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn pg_db() -> Option<Db> {
    if std::env::var("WANGJIAN_SKIP_PG").as_deref() == Ok("1") {
        return None;
    }
    let server = std::env::var("WANGJIAN_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let schema = format!("wjbench_{}", std::process::id());
    if !psql(&server, &format!("CREATE SCHEMA {schema}")) {
        eprintln!("PostgreSQL at {server} is unreachable: skipping it");
        return None;
    }
    let sep = if server.contains('?') { '&' } else { '?' };
    Some(Db {
        url: format!("{server}{sep}options=-c%20search_path%3D{schema}"),
        cleanup: Box::new(move || {
            psql(&server, &format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }),
    })
}

fn rate(n: usize, d: Duration) -> String {
    format!("{:.0}", n as f64 / d.as_secs_f64())
}

/// Appends per second on one backend: rows of the results table.
async fn appends(db: &Db, label: &str, out: &mut String) {
    let store = Store::open(&db.url).await.unwrap();
    let mut next = 0u64;
    let mut batch = |n: usize| {
        let v: Vec<AuditEvent> = (next..next + n as u64).map(event).collect();
        next += n as u64;
        v
    };
    // Warm-up (schema, caches), not measured.
    bench::audit_events(&store, &batch(BATCH), true)
        .await
        .unwrap();
    bench::audit_events(&store, &batch(BATCH), false)
        .await
        .unwrap();
    let mut row = |what: &str, n: usize, d: Duration| {
        writeln!(
            out,
            "| {label} | {what} | {n} | {:.2} s | **{}** |",
            d.as_secs_f64(),
            rate(n, d)
        )
        .unwrap();
    };
    for (with_log, what) in [
        (
            false,
            "audit events, 1 000 per transaction, **without** the log (baseline)",
        ),
        (
            true,
            "audit events, 1 000 per transaction, **with** their log entries",
        ),
    ] {
        let t = Instant::now();
        for _ in 0..BATCHES {
            bench::audit_events(&store, &batch(BATCH), with_log)
                .await
                .unwrap();
        }
        row(what, BATCHES * BATCH, t.elapsed());
    }
    let t = Instant::now();
    for b in 0..BATCHES {
        let entries: Vec<Entry> = (0..BATCH as u64)
            .map(|i| evidence(b as u64 * 1000 + i))
            .collect();
        store.append_entries(entries).await.unwrap();
    }
    row(
        "log entries alone (evidence captured), 1 000 per transaction",
        BATCHES * BATCH,
        t.elapsed(),
    );
    for (with_log, what) in [
        (
            false,
            "audit events, one per transaction, without the log (baseline)",
        ),
        (true, "audit events, one per transaction, with the log"),
    ] {
        let t = Instant::now();
        for _ in 0..SINGLES {
            bench::audit_events(&store, &batch(1), with_log)
                .await
                .unwrap();
        }
        row(what, SINGLES, t.elapsed());
    }
    let t = Instant::now();
    let rep = store.verify_log().await.unwrap();
    let d = t.elapsed();
    // The baseline's events have no entries and the generated captures no blobs: the
    // check must name each of them (it lists up to 100 of each kind).
    assert!(rep.problems.iter().any(|p| p.contains("has no log entry")));
    row(
        "`log verify` of every entry written (recompute, compare nodes; names the baseline's events without entries)",
        rep.entries as usize,
        d,
    );
    store.close().await;
}

fn stats(mut v: Vec<Duration>) -> (f64, f64, f64) {
    v.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let mean = v.iter().map(|d| us(*d)).sum::<f64>() / v.len() as f64;
    (us(v[v.len() / 2]), us(v[v.len() * 99 / 100]), mean)
}

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

async fn proofs(size: u64, out: &mut String) {
    let db = sqlite_db("tree");
    let store = Store::open(&db.url).await.unwrap();
    let t = Instant::now();
    let mut f = Frontier::new();
    let mut created: Vec<(NodeId, [u8; 32])> = Vec::with_capacity(2_100_000);
    let mut last = Vec::new();
    for i in 0..size {
        let bytes = if i + 1 == size {
            evidence(i).encode()
        } else {
            i.to_be_bytes().to_vec()
        };
        if i + 1 == size {
            last = bytes.clone();
        }
        f.push(leaf_hash(&bytes), &mut created).unwrap();
        if created.len() >= 2_000_000 {
            bench::insert_nodes(&store, &created).await.unwrap();
            created.clear();
        }
    }
    bench::insert_nodes(&store, &created).await.unwrap();
    bench::insert_last_entry(&store, size - 1, &Entry::decode(&last).unwrap())
        .await
        .unwrap();
    let built = t.elapsed();
    let file_mb = std::fs::metadata(db.url.trim_start_matches("sqlite:"))
        .map(|m| m.len() as f64 / 1e6)
        .unwrap_or(0.0);
    assert_eq!(store.log_size().await.unwrap(), size);
    let root = store.log_root(size).await.unwrap();
    assert_eq!(root, f.root(), "the stored tree's root is the frontier's");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let n = 2_000;
    let (mut incl, mut base, mut cons) = (Vec::new(), Vec::new(), Vec::new());
    for k in 0..n {
        let i = rng.below(size);
        let t = Instant::now();
        let p = store.prove_inclusion(i, size).await.unwrap();
        incl.push(t.elapsed());
        if k % 200 == 0 && i + 1 == size {
            p.verify(&leaf_hash(&last), &root).unwrap();
        }
        let t = Instant::now();
        store.log_entry(size - 1).await.unwrap();
        base.push(t.elapsed());
        let old = rng.below(size - 1) + 1;
        let t = Instant::now();
        store.prove_consistency(old, size).await.unwrap();
        cons.push(t.elapsed());
    }
    // The last leaf's proof verifies against the stored root.
    store
        .prove_inclusion(size - 1, size)
        .await
        .unwrap()
        .verify(&leaf_hash(&last), &root)
        .unwrap();
    let nodes = 2 * size - u64::from(size.count_ones());
    writeln!(
        out,
        "\nTree of {size} leaves: {nodes} perfect nodes generated and written in {:.1} s \
         (database file {file_mb:.0} MB). {n} random proofs each:\n",
        built.as_secs_f64()
    )
    .unwrap();
    writeln!(
        out,
        "| operation | median | p99 | mean |\n|---|---|---|---|"
    )
    .unwrap();
    for (what, v) in [
        ("read one entry row by key (baseline)", base),
        (
            "inclusion proof (plan, one query of ≤ 64 nodes, assemble)",
            incl,
        ),
        ("consistency proof", cons),
    ] {
        let (m, p99, mean) = stats(v);
        writeln!(out, "| {what} | {m:.0} µs | {p99:.0} µs | {mean:.0} µs |").unwrap();
    }
    store.close().await;
    (db.cleanup)();
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let size: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.replace('_', "").parse().ok())
        .unwrap_or(10_000_000);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or("?")
        .trim()
        .to_string();
    let mut out = String::new();
    writeln!(
        out,
        "# Evidence log in the store\n\n`cargo bench -p wangjian-store --bench evidence_log` \
         on {} ({cpu}, {} cores), load average at start {}.\n",
        Utc::now().format("%Y-%m-%d %H:%M UTC"),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    )
    .unwrap();
    writeln!(
        out,
        "## Appends\n\n| backend | what | entries | time | per second |\n|---|---|---|---|---|"
    )
    .unwrap();
    let db = sqlite_db("appends");
    appends(&db, "SQLite (WAL, synchronous=NORMAL)", &mut out).await;
    (db.cleanup)();
    if let Some(db) = pg_db() {
        appends(&db, "PostgreSQL", &mut out).await;
        (db.cleanup)();
    }
    writeln!(out, "\n## Proofs from the store (SQLite)").unwrap();
    proofs(size, &mut out).await;
    print!("{out}");
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/results-evidence.md");
    std::fs::write(&path, &out).unwrap();
    eprintln!("wrote {}", path.display());
}
