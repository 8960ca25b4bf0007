//! Issue 17, end to end through the HTTP API and the portal, on SQLite and PostgreSQL:
//! a penalty decision flows into the party's credit file, the class changes, a blacklist
//! entry is made, a platform's screening call (with its own API token) finds the subject
//! under differently written names and calls its branch related, and the public sees the
//! masked decision within the deadline — with every public page and export scanned for
//! unmasked citizen ids and phone numbers.

mod common;

use std::collections::BTreeMap;
use std::process::Command;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use wangjian_domain::credit::find_unmasked;
use wangjian_domain::subject::{Subject, SubjectKey};
use wangjian_domain::{ObjectType, SubjectId};
use wangjian_server::auth::password::hash_password;
use wangjian_server::directory::Directory;
use wangjian_server::portal::disclosure::PUBLIC_PATHS;
use wangjian_server::{router, AppState, ServerConfig};
use wangjian_store::Store;

use common::session::{body, send, sign_in};
use common::world::{self, user_id, PASSWORD};

struct Fixture {
    router: Router,
    store: Store,
    sessions: BTreeMap<&'static str, (String, String)>,
}

impl Fixture {
    async fn get(&self, who: &str, uri: &str) -> (StatusCode, String) {
        let mut req = Request::get(uri);
        if let Some((sid, _)) = self.sessions.get(who) {
            req = req.header(header::COOKIE, format!("wj_session={sid}"));
        }
        body(send(&self.router, req.body(Body::empty()).unwrap()).await).await
    }

    async fn post(&self, who: &str, uri: &str, json: &Value) -> (StatusCode, Value) {
        let (sid, csrf) = &self.sessions[who];
        let req = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::COOKIE, format!("wj_session={sid}"))
            .header("x-csrf-token", csrf.as_str())
            .body(Body::from(json.to_string()))
            .unwrap();
        let (s, b) = body(send(&self.router, req).await).await;
        (s, serde_json::from_str(&b).unwrap_or(Value::String(b)))
    }

    async fn transition(&self, who: &str, case: &str, command: Value) -> Value {
        let (s, b) = self
            .post(
                who,
                &format!("/api/v1/cases/{case}/transitions"),
                &json!({ "command": command }),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{who} {command}: {b}");
        b
    }
}

/// A PostgreSQL schema for one test, dropped afterwards (psql, like the CLI's tests).
struct PgSchema {
    url: String,
    name: String,
    server: String,
}

impl PgSchema {
    fn create() -> Option<PgSchema> {
        if std::env::var("WANGJIAN_SKIP_PG").as_deref() == Ok("1") {
            eprintln!("WANGJIAN_SKIP_PG=1: skipping a PostgreSQL test");
            return None;
        }
        let server = std::env::var("WANGJIAN_TEST_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("wjcredit_{}", uuid::Uuid::now_v7().simple());
        psql(&server, &format!("CREATE SCHEMA {name}"));
        let sep = if server.contains('?') { '&' } else { '?' };
        let url = format!("{server}{sep}options=-c%20search_path%3D{name}");
        Some(PgSchema { url, name, server })
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        psql(
            &self.server,
            &format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name),
        );
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
async fn decision_to_credit_to_blacklist_to_screening_to_disclosure_on_sqlite() {
    let path = std::env::temp_dir().join(format!("wj-credit-{}.db", uuid::Uuid::now_v7().simple()));
    walk(&format!("sqlite:{}", path.display())).await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let _ = std::fs::remove_file(path.with_extension("log-key"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decision_to_credit_to_blacklist_to_screening_to_disclosure_on_postgres() {
    let Some(schema) = PgSchema::create() else {
        return;
    };
    walk(&schema.url).await;
}

async fn walk(url: &str) {
    let store = Store::open(url).await.unwrap();
    let hash = tokio::task::spawn_blocking(|| hash_password(PASSWORD).unwrap())
        .await
        .unwrap();
    let w = world::build(&store, &hash).await;
    let firm = Subject::enterprise(
        SubjectId::from_u128(0x5001),
        "杭州鑫达贸易有限公司",
        "91330106MA27XXXXX1",
    )
    .unwrap();
    store.put_subject(&firm).await.unwrap();
    let key = SubjectKey::new(&[9u8; 32]).unwrap();
    let person = Subject::person(
        SubjectId::from_u128(0x5002),
        "张三丰",
        "33010619900101123X",
        &key,
    )
    .unwrap();
    store.put_subject(&person).await.unwrap();
    let log_key = std::env::temp_dir().join(format!(
        "wj-credit-{}.log-key",
        uuid::Uuid::now_v7().simple()
    ));
    let state = AppState::new(
        Directory::Store(store.clone()),
        ServerConfig {
            log_key: Some(log_key.clone()),
            ..ServerConfig::default()
        },
    );
    let router = router(state);
    let mut sessions = BTreeMap::new();
    for who in [
        "hz.officer",
        "hz.supervisor",
        "zjoffice.supervisor",
        "plata.operator",
        "nb.officer",
    ] {
        sessions.insert(who, sign_in(&router, who).await);
    }
    let f = Fixture {
        router,
        store: store.clone(),
        sessions,
    };
    let case = w.case_hz.to_string();
    let officer = user_id("hz.officer").to_string();
    let officer2 = user_id("hz.officer2").to_string();

    // The case up to its penalty notice; its party named.
    f.transition(
        "hz.officer",
        &case,
        json!({"action": "start_verification", "verifier": officer}),
    )
    .await;
    f.transition("hz.supervisor", &case, json!({"action": "open", "case_officer": officer, "co_officers": [officer2], "legal_basis": "《市场监督管理行政处罚程序规定》第十九条"})).await;
    f.transition(
        "hz.officer",
        &case,
        json!({"action": "begin_investigation"}),
    )
    .await;
    f.transition("hz.supervisor", &case, json!({"action": "issue_penalty_notice", "proposed_penalty": "没收侵权商品,罚款二十万元", "legal_basis": "《商标法》第六十条第二款"})).await;
    let (s, b) = f
        .post(
            "nb.officer",
            &format!("/api/v1/cases/{case}/party"),
            &json!({"subject": firm.id}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "another agency does not see the case: {b}"
    );
    let (s, b) = f
        .post(
            "hz.officer",
            &format!("/api/v1/cases/{case}/party"),
            &json!({"subject": firm.id}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // Before: no records, class A.
    let credit_uri = format!("/api/v1/subjects/{}/credit", firm.id);
    let (s, b) = f.get("zjoffice.supervisor", &credit_uri).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let v: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(v["assessment"]["class"], "A");
    // A platform and the public do not read credit files.
    assert_eq!(
        f.get("plata.operator", &credit_uri).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        f.get("public", &credit_uri).await.0,
        StatusCode::UNAUTHORIZED
    );

    // The decision: its credit record, class and pending disclosure in the same change.
    f.transition("hz.supervisor", &case, json!({"action": "decide_penalty", "decision_number": "杭市监罚〔2026〕88号", "fine_fen": 20_000_000, "legal_basis": "《商标法》第六十条第二款", "statement_closed": true})).await;
    let (_, b) = f.get("zjoffice.supervisor", &credit_uri).await;
    let v: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(v["records"].as_array().unwrap().len(), 1, "{b}");
    assert_eq!(v["records"][0]["kind"], "penalty_decision");
    assert_eq!(v["records"][0]["reference"], "杭市监罚〔2026〕88号");
    assert_eq!(v["assessment"]["class"], "C", "{b}");
    assert!(
        v["assessment"]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("较重"),
        "{b}"
    );
    let trail = f.store.case_trail(w.case_hz).await.unwrap();
    let decide_request = trail
        .iter()
        .find(|e| e.event.action == "case.decide_penalty")
        .unwrap()
        .event
        .request_id;
    let same_request: Vec<&str> = trail
        .iter()
        .filter(|e| e.event.request_id == decide_request)
        .map(|e| e.event.action.as_str())
        .collect();
    for a in ["credit.record", "disclosure.create", "credit.class"] {
        assert!(
            same_request.contains(&a),
            "{a} in the decision's request: {same_request:?}"
        );
    }

    // The listing decision: class D.
    let today = wangjian_calendar::shanghai_date(chrono::Utc::now()).to_string();
    let listing = json!({"legal_basis": "《市场监督管理严重违法失信名单管理办法》第十条", "decision_number": "杭市监列〔2026〕3号", "start": today, "months": 36});
    let (s, b) = f
        .post(
            "hz.officer",
            &format!("/api/v1/subjects/{}/blacklist", firm.id),
            &listing,
        )
        .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "an officer does not decide a listing: {b}"
    );
    let (s, b) = f
        .post(
            "hz.supervisor",
            &format!("/api/v1/subjects/{}/blacklist", firm.id),
            &with_months(&listing, 48),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["error"]["field"], "months", "{b}");
    let (s, b) = f
        .post(
            "hz.supervisor",
            &format!("/api/v1/subjects/{}/blacklist", firm.id),
            &listing,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, b) = f.get("zjoffice.supervisor", &credit_uri).await;
    let v: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(v["assessment"]["class"], "D", "{b}");
    assert_eq!(v["blacklist"][0]["state"], "active");
    // A person on the list too, with personal data in the decision's text (masked in public).
    let (s, b) = f.post("hz.supervisor", &format!("/api/v1/subjects/{}/blacklist", person.id), &json!({"legal_basis": "《市场监督管理严重违法失信名单管理办法》第十条(当事人电话13800138000)", "decision_number": "杭市监列〔2026〕4号 身份证33010619900101123X", "start": today, "months": 12})).await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // The platform screens with its own API token.
    let (s, t) = f
        .post(
            "plata.operator",
            "/api/v1/tokens",
            &json!({"name": "screening", "scopes": ["read"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let secret = t["secret"].as_str().unwrap().to_string();
    let candidates = [
        r#"{"id":"trad","name":"杭州鑫達貿易有限公司"}"#,
        r#"{"id":"bracket","name":"鑫达贸易（杭州）有限公司"}"#,
        r#"{"id":"form","name":"杭州鑫达贸易有限责任公司"}"#,
        r#"{"id":"region","name":"浙江省杭州市鑫达贸易有限公司"}"#,
        "not json",
        r#"{"id":"branch","name":"杭州鑫达贸易有限公司西湖分公司"}"#,
        r#"{"id":"other","name":"宁波华腾科技有限公司","phone":"13900139000"}"#,
    ]
    .join("\n");
    let screen = |body: String, token: Option<&str>| {
        let mut r =
            Request::post("/api/v1/screen").header(header::CONTENT_TYPE, "application/x-ndjson");
        if let Some(t) = token {
            r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        r.body(Body::from(body)).unwrap()
    };
    let (s, out) = body(send(&f.router, screen(candidates.clone(), Some(&secret))).await).await;
    assert_eq!(s, StatusCode::OK, "{out}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 7, "{out}");
    let firm_id = firm.id.to_string();
    for (i, id) in ["trad", "bracket", "form", "region"].iter().enumerate() {
        assert_eq!(lines[i]["candidate_id"], *id);
        let m = &lines[i]["matches"][0];
        assert_eq!(m["id"], firm_id.as_str(), "{id}: {out}");
        assert_eq!(m["decision"], "match", "{id}: {out}");
        assert_eq!(m["relation"], "same", "{id}: {out}");
        assert!(m["score"].as_f64().unwrap() >= 0.9);
    }
    assert_eq!(lines[4]["line"], 5);
    assert!(lines[4]["error"].as_str().unwrap().contains("line 5"));
    assert_eq!(
        lines[5]["matches"][0]["relation"], "related",
        "a branch is not its parent: {out}"
    );
    assert_ne!(lines[5]["matches"][0]["decision"], "match");
    assert_eq!(lines[6]["matches"].as_array().unwrap().len(), 0);
    // The public may not screen through the API; the call was recorded without the data.
    assert_eq!(
        body(send(&f.router, screen(candidates.clone(), None)).await)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let events = f.store.events_after(0, 100_000).await.unwrap();
    let calls: Vec<_> = events
        .iter()
        .filter(|e| e.event.action == "screen.call")
        .collect();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].event.object_type, ObjectType::Screening);
    assert_eq!(calls[0].event.actor, user_id("plata.operator"));
    let recorded = serde_json::to_string(&calls[0].event).unwrap();
    assert!(
        recorded.contains("\"candidates\"") && recorded.contains("6"),
        "{recorded}"
    );
    assert!(
        !recorded.contains("鑫") && !recorded.contains("13900139000"),
        "{recorded}"
    );
    // A JSON array body works the same.
    let (s, out) = body(
        send(
            &f.router,
            screen(
                r#"[{"id":"x","uscc":"91330106MA27XXXXX1"}]"#.into(),
                Some(&secret),
            ),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(out.contains(&firm_id), "{out}");

    // Disclosure: pending on the agency's board, published by its supervisor; the
    // public sees it masked, within the seven working days.
    assert!(f
        .get("public", "/portal/decisions.json")
        .await
        .1
        .contains("[]"));
    let (s, b) = f.get("hz.supervisor", "/api/v1/disclosures/board").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let board: Value = serde_json::from_str(&b).unwrap();
    let d = &board["items"][0];
    assert_eq!(d["late"], false, "{b}");
    let (s, b) = f
        .post(
            "hz.officer",
            &format!("/api/v1/disclosures/{}/publish", d["id"].as_str().unwrap()),
            &json!({}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "publication is approved by a supervisor: {b}"
    );
    let (s, b) = f
        .post(
            "hz.supervisor",
            &format!("/api/v1/disclosures/{}/publish", d["id"].as_str().unwrap()),
            &json!({"typical": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(
        b["published_on"].as_str().unwrap() <= b["due"].as_str().unwrap(),
        "{b}"
    );
    let (s, b) = f
        .get("public", "/portal/decisions.json?uscc=91330106MA27XXXXX1")
        .await;
    assert_eq!(s, StatusCode::OK);
    let public: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(public[0]["decision_number"], "杭市监罚〔2026〕88号", "{b}");
    assert_eq!(public[0]["party_name"], "杭州鑫达贸易有限公司");
    let (s, b) = f
        .get("public", "/portal/decisions.json?from=not-a-date")
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(b.contains("\"field\":\"from\""), "{b}");
    // The blacklist export feeds `screen --list`: one JSON object per line with id and name.
    let (_, jsonl) = f.get("public", "/portal/blacklist.jsonl").await;
    let exported: Vec<Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(exported.len(), 2, "{jsonl}");
    assert!(exported
        .iter()
        .any(|e| e["id"] == firm_id.as_str() && e["uscc"] == "91330106MA27XXXXX1"));
    assert!(exported.iter().any(|e| e["name"] == "张**"), "{jsonl}");

    // Every public page and export: no unmasked citizen id or phone, no person's name.
    for path in PUBLIC_PATHS {
        let (s, b) = f.get("public", path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert_eq!(find_unmasked(&b), None, "{path}: {b}");
        assert!(
            !b.contains("张三丰") && !b.contains("13800138000"),
            "{path}: {b}"
        );
    }
    let (_, b) = f.get("public", "/portal/typical.json").await;
    assert!(b.contains("杭市监罚〔2026〕88号"), "a typical case: {b}");

    // The console pages render for the office and the agency.
    let (s, b) = f
        .get("hz.supervisor", &format!("/credit/{}", firm.id))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        b.contains("credit-class") && b.contains("杭市监列〔2026〕3号"),
        "{b}"
    );
    let (s, b) = f.get("zjoffice.supervisor", "/disclosures").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, _) = f
        .get("plata.operator", &format!("/credit/{}", firm.id))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    store.close().await;
    let _ = std::fs::remove_file(log_key);
}

fn with_months(v: &Value, months: u32) -> Value {
    let mut m = v.clone();
    m["months"] = json!(months);
    m
}
