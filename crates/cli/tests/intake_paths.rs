//! One intake path (issue 15): the same listings taken in by `wangjian patrol`, pushed by
//! the platform through `POST /api/v1/listings` of a running `wangjian serve`, handed
//! to `App::intake` as a patrol worker does, and (issue 19) published by `wangjian ingest`
//! to NATS JetStream and stored by a `wangjian worker` give the same leads — ids,
//! receiving agencies, levels, scores, reasons, marks, regions and rule-set version — on
//! SQLite and on PostgreSQL.

mod common;
mod nats;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use common::{stderr, stdout};
use serde_json::{json, Value};

const ORGS: &str = r#"{"name":"浙江省市场监督管理局","case_prefix":"浙市监","kind":"agency","agency_type":"market_regulation","level":"province","region":"330000"}
{"name":"杭州市市场监督管理局","case_prefix":"杭市监","kind":"agency","agency_type":"market_regulation","level":"city","region":"330100"}
{"name":"杭州市西湖区市场监督管理局","case_prefix":"杭西市监","kind":"agency","agency_type":"market_regulation","level":"county","region":"330106"}
{"name":"宁波市市场监督管理局","case_prefix":"甬市监","kind":"agency","agency_type":"market_regulation","level":"city","region":"330200"}
{"name":"杭州市公安局","case_prefix":"杭公","kind":"agency","agency_type":"police","level":"city","region":"330100"}
{"name":"云集优品网络科技有限公司","case_prefix":"云集","kind":"platform","region":"330110"}
"#;

const USERS: &str = "name,login,org,roles\n周敏,zj_officer,浙市监,officer\n平台运营,yj_ops,云集,platform_operator\n";

/// Listings as a platform and a crawler see them: counterfeits in disguise, honest offers,
/// sellers in several places (or none), one listing twice.
fn listings() -> Vec<Value> {
    let places: [(Option<&str>, Option<&str>, Option<&str>); 6] = [
        (Some("浙江"), Some("杭州"), Some("浙江省杭州市西湖区文三路")),
        (Some("浙江"), Some("宁波"), Some("浙江省宁波市鄞州区")),
        (Some("浙江"), Some("杭州"), Some("广东省广州市白云区")),
        (None, None, Some("福建省莆田市荔城区")),
        (None, None, None),
        (Some("浙江"), Some("金华"), Some("浙江省金华市义乌市")),
    ];
    let titles = [
        "高仿耐克 AJ 运动鞋 支持验货",
        "N1KE 空军一号 莆田纯原 公司级",
        "阿迪达斯 三叶草 卫衣 原单 尾货",
        "纯棉短袖T恤 男士夏季宽松",
        "正宗中宁枸杞 特级 500g",
        "香烟 正品 整条批发 私聊",
        "国家级 最佳 祛斑霜 根治色斑",
        "LV 老花 手袋 超A 精仿",
        "新鲜红富士苹果 脆甜 10斤装",
        "适用于耐克运动鞋的鞋带 通用配件",
    ];
    let mut out = Vec::new();
    for i in 0..120 {
        let (province, city, ship_from) = places[i % places.len()];
        let title = titles[(i * 7) % titles.len()];
        out.push(json!({
            "id": format!("YJ-{i:04}"),
            "title": title,
            "price": if i % 4 == 0 { 59.0 } else { 299.0 },
            "category": if title.contains("鞋") { "运动鞋" } else { "服装" },
            "shop": {"id": format!("shop-{}", i % 17), "name": format!("好物店{}", i % 17),
                     "province": province, "city": city},
            "ship_from": ship_from,
            "url": format!("https://shop.example.cn/item/{i}"),
            "captured_at": format!("2026-11-{:02}T0{}:00:00Z", 1 + i % 28, i % 10),
        }));
    }
    out.push(out[3].clone());
    out
}

fn wangjian(db: &str, args: &[&str], dir: &std::path::Path) -> String {
    let mut all = args.to_vec();
    all.extend(["--db", db]);
    let o = Command::new(env!("CARGO_BIN_EXE_wangjian"))
        .args(&all)
        .current_dir(dir)
        .output()
        .expect("run wangjian");
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

/// A database with the organizations, the two users and the example marks.
fn prepare(db: &str, dir: &std::path::Path) {
    std::fs::write(dir.join("orgs.jsonl"), ORGS).unwrap();
    std::fs::write(dir.join("users.csv"), USERS).unwrap();
    wangjian(db, &["import", "orgs", "orgs.jsonl"], dir);
    wangjian(db, &["import", "users", "users.csv"], dir);
    let marks = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/marks.csv");
    wangjian(db, &["import", "marks", marks], dir);
}

/// The leads of a database, keyed by id, with what must not depend on the path.
fn leads(db: &str, dir: &std::path::Path) -> BTreeMap<String, Value> {
    wangjian(db, &["export", "leads"], dir)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let kept = json!({
                "org": v["org"], "dedup": v["dedup"], "summary": v["summary"],
                "snapshot": v["snapshot"], "shop": v["shop"], "received_at": v["received_at"],
                "level": v["level"], "score": v["score"], "reasons": v["reasons"],
                "marks": v["marks"], "region": v["region"], "verdict": v["verdict"],
                "platform": v["platform"], "status": v["status"],
            });
            (v["id"].as_str().unwrap().to_string(), kept)
        })
        .collect()
}

fn by_patrol(db: &str, dir: &std::path::Path, items: &[Value]) {
    let lines: String = items.iter().map(|v| format!("{v}\n")).collect();
    std::fs::write(dir.join("listings.jsonl"), lines).unwrap();
    wangjian(
        db,
        &[
            "patrol",
            "--org",
            "浙市监",
            "--platform",
            "云集",
            "listings.jsonl",
        ],
        dir,
    );
}

fn by_push(db: &str, dir: &std::path::Path, items: &[Value]) -> Value {
    let token = wangjian(
        db,
        &[
            "token", "create", "--as", "yj_ops", "--scope", "ingest", "--name", "push",
        ],
        dir,
    );
    let token = token.trim().to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wangjian"))
        .args(["serve", "--listen", "127.0.0.1:0", "--db", db])
        .current_dir(dir)
        .env("WANGJIAN_LOG_KEY", dir.join("log.key"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr = common::served_address(&mut child);
    let body = json!({ "listings": items }).to_string();
    let mut s = TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "POST /api/v1/listings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    let json_start = resp.find("\r\n\r\n").unwrap() + 4;
    serde_json::from_str(&resp[json_start..]).unwrap()
}

fn by_worker(db: &str, items: &[Value]) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = wangjian_store::Store::open(db).await.unwrap();
        let zj = store.find_organization("浙市监").await.unwrap().unwrap().id;
        let yj = store.find_organization("云集").await.unwrap().unwrap().id;
        let app =
            wangjian_app::App::new(store.clone(), wangjian_app::RuleSource::default()).unwrap();
        let items = items
            .iter()
            .enumerate()
            .map(|(i, v)| wangjian_app::intake::Item {
                index: i as u64,
                listing: wangjian_app::intake::listing_from_json(v).unwrap(),
                platform: yj,
            })
            .collect();
        let report = app
            .intake(
                wangjian_app::intake::Delivery {
                    by: Some(zj),
                    min_level: Some(wangjian_app::intake::LEAD_LEVEL),
                },
                items,
                chrono::Utc::now(),
            )
            .await
            .unwrap();
        assert!(report.rejected.is_empty(), "{:?}", report.rejected);
        store.close().await;
    });
}

/// `wangjian ingest` to a private nats-server, then a `wangjian worker` until the stream
/// is drained. False (said) when no nats-server is installed.
fn by_nats(db: &str, dir: &std::path::Path, items: &[Value]) -> bool {
    let Some(server) = nats::Nats::start() else {
        return false;
    };
    let url = server.url();
    let lines: String = items.iter().map(|v| format!("{v}\n")).collect();
    std::fs::write(dir.join("nats.jsonl"), lines).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_wangjian"))
        .args([
            "ingest",
            "--nats",
            &url,
            "--org",
            "浙市监",
            "--platform",
            "云集",
            "--check-db",
            db,
            "nats.jsonl",
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "ingest: {}", stderr(&o));
    wangjian(
        db,
        &[
            "worker",
            "--nats",
            &url,
            "--exit-when-idle",
            "1",
            "--batch",
            "50",
        ],
        dir,
    );
    true
}

fn same_leads_on_every_path(dbs: [&str; 4], dir: &std::path::Path) {
    let items = listings();
    for db in dbs {
        prepare(db, dir);
    }
    by_patrol(dbs[0], dir, &items);
    let answer = by_push(dbs[1], dir, &items);
    by_worker(dbs[2], &items);
    let (patrol, push, worker) = (leads(dbs[0], dir), leads(dbs[1], dir), leads(dbs[2], dir));
    assert!(patrol.len() >= 30, "{} leads", patrol.len());
    assert_eq!(patrol, push, "patrol and push");
    assert_eq!(patrol, worker, "patrol and worker");
    if by_nats(dbs[3], dir, &items) {
        assert_eq!(
            patrol,
            leads(dbs[3], dir),
            "patrol and NATS ingest + worker"
        );
    }
    // Every lead records the one rule set, and routing used the seller's place: 杭州市西湖区
    // sellers went to the district, 宁波 to the city, 广州 sellers of a 杭州 shop to 杭州.
    let versions: std::collections::BTreeSet<String> = patrol
        .values()
        .map(|l| l["dedup"]["rule_set_version"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(versions.len(), 1, "{versions:?}");
    assert_eq!(
        answer["rule_set_version"].as_str(),
        versions.iter().next().map(String::as_str),
        "the push answer names the rule set"
    );
    let orgs: std::collections::BTreeSet<String> = patrol
        .values()
        .map(|l| l["org"].as_str().unwrap().to_string())
        .collect();
    assert!(
        orgs.len() >= 3,
        "leads routed to several agencies: {orgs:?}"
    );
    // The push answer lists every lead once (the repeated listing is a duplicate).
    assert_eq!(answer["leads_created"], patrol.len(), "{answer}");
    assert_eq!(answer["duplicates"], 1, "{answer}");
}

#[test]
fn patrol_push_and_worker_make_the_same_leads_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let dbs = ["a", "b", "c", "d"]
        .map(|n| format!("sqlite:{}", dir.path().join(format!("{n}.db")).display()));
    same_leads_on_every_path([&dbs[0], &dbs[1], &dbs[2], &dbs[3]], dir.path());
}

#[test]
fn patrol_push_and_worker_make_the_same_leads_on_postgres() {
    let (Some(a), Some(b), Some(c), Some(d)) = (
        common::PgSchema::create(),
        common::PgSchema::create(),
        common::PgSchema::create(),
        common::PgSchema::create(),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    same_leads_on_every_path([&a.url, &b.url, &c.url, &d.url], dir.path());
}
