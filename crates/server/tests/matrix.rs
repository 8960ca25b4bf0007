//! The matrix test (issue 6): every API endpoint × every principal of the world (each
//! organization and role, another region's agency and office, another platform, the
//! public) against a real SQLite store. It proves:
//! - no leaks: lists and details show exactly what the policy lets each caller read;
//! - unknown and forbidden ids answer alike (same status, byte-identical body);
//! - no writes where none are allowed: refused transitions leave the case untouched.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use wangjian_server::auth::password::hash_password;
use wangjian_server::directory::Directory;
use wangjian_server::{router, AppState, ServerConfig};
use wangjian_store::Store;

use common::session::{body, cookie, send, sign_in};
use common::world::{self, World, PASSWORD};

struct Fixture {
    router: Router,
    state: AppState,
    store: Store,
    world: World,
    /// login → (session cookie, csrf token); "public" has neither.
    sessions: BTreeMap<String, (String, String)>,
    db_path: std::path::PathBuf,
}

async fn fixture() -> Fixture {
    let db_path = std::env::temp_dir().join(format!(
        "wj-server-matrix-{}.db",
        uuid::Uuid::now_v7().simple()
    ));
    let store = Store::open(&format!("sqlite:{}", db_path.display()))
        .await
        .unwrap();
    let hash = tokio::task::spawn_blocking(|| hash_password(PASSWORD).unwrap())
        .await
        .unwrap();
    let world = world::build(&store, &hash).await;
    let config = ServerConfig {
        log_key: Some(db_path.with_extension("log-key")),
        ..ServerConfig::default()
    };
    let state = AppState::new(Directory::Store(store.clone()), config);
    let router = router(state.clone());
    let mut sessions = BTreeMap::new();
    for (login, ..) in world::users() {
        sessions.insert(login.to_string(), sign_in(&router, login).await);
    }
    Fixture {
        router,
        state,
        store,
        world,
        sessions,
        db_path,
    }
}

impl Fixture {
    fn principals(&self) -> Vec<String> {
        let mut v: Vec<String> = self.sessions.keys().cloned().collect();
        v.push("public".into());
        v
    }

    async fn get(&self, who: &str, uri: &str) -> (StatusCode, String) {
        let mut req = Request::get(uri);
        if let Some((sid, _)) = self.sessions.get(who) {
            req = req.header(header::COOKIE, format!("wj_session={sid}"));
        }
        body(send(&self.router, req.body(Body::empty()).unwrap()).await).await
    }

    async fn post_json(
        &self,
        who: &str,
        uri: &str,
        json: &serde_json::Value,
    ) -> (StatusCode, String) {
        let mut req = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
        if let Some((sid, csrf)) = self.sessions.get(who) {
            req = req
                .header(header::COOKIE, format!("wj_session={sid}"))
                .header("x-csrf-token", csrf.as_str());
        }
        body(
            send(
                &self.router,
                req.body(Body::from(json.to_string())).unwrap(),
            )
            .await,
        )
        .await
    }

    async fn post_raw(&self, who: &str, uri: &str, text: &str) -> (StatusCode, String) {
        let mut req = Request::post(uri).header(header::CONTENT_TYPE, "application/x-ndjson");
        if let Some((sid, csrf)) = self.sessions.get(who) {
            req = req
                .header(header::COOKIE, format!("wj_session={sid}"))
                .header("x-csrf-token", csrf.as_str());
        }
        body(
            send(
                &self.router,
                req.body(Body::from(text.to_string())).unwrap(),
            )
            .await,
        )
        .await
    }

    async fn finish(self) {
        self.store.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.db_path.display()));
        }
        let _ = std::fs::remove_file(self.db_path.with_extension("log-key"));
    }
}

fn set(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_by_every_principal() {
    let f = fixture().await;
    let w = f.world.clone();
    let case_hz = w.case_hz.to_string();
    let case_nj = w.case_nj.to_string();
    let unknown = uuid::Uuid::now_v7().to_string();

    // Who may read what: the policy's rules, written out for this world.
    let hz_workers = ["hz.officer", "hz.officer2", "hz.supervisor"];
    let case_hz_readers: BTreeSet<String> = set(&hz_workers)
        .union(&set(&["zjoffice.supervisor"]))
        .cloned()
        .collect();
    let case_nj_readers = set(&["nj.officer", "jsoffice.supervisor"]);
    let lead_hz_readers = set(&hz_workers);
    let lead_nj_readers = set(&["nj.officer"]);

    let mut checked = 0;
    for who in f.principals() {
        // GET /api/v1/me
        let (s, _) = f.get(&who, "/api/v1/me").await;
        assert_eq!(s == StatusCode::OK, who != "public", "{who} /me");

        // GET /api/v1/cases: exactly the readable cases.
        let (s, b) = f.get(&who, "/api/v1/cases").await;
        if who == "public" {
            assert_eq!(s, StatusCode::UNAUTHORIZED);
        } else {
            assert_eq!(s, StatusCode::OK, "{who}: {b}");
            let v: serde_json::Value = serde_json::from_str(&b).unwrap();
            let got: BTreeSet<String> = v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string())
                .collect();
            let mut want = BTreeSet::new();
            if case_hz_readers.contains(&who) {
                want.insert(case_hz.clone());
            }
            if case_nj_readers.contains(&who) {
                want.insert(case_nj.clone());
            }
            assert_eq!(got, want, "{who} lists cases");
        }

        // Details: readable → 200; otherwise exactly the unknown id's answer.
        let (us, ub) = f.get(&who, &format!("/api/v1/cases/{unknown}")).await;
        let (lus, lub) = f.get(&who, &format!("/api/v1/leads/{unknown}")).await;
        for (path, id, readers, unknown_answer) in [
            ("cases", &case_hz, &case_hz_readers, (us, &ub)),
            ("cases", &case_nj, &case_nj_readers, (us, &ub)),
            (
                "leads",
                &w.lead_hz.to_string(),
                &lead_hz_readers,
                (lus, &lub),
            ),
            (
                "leads",
                &w.lead_nj.to_string(),
                &lead_nj_readers,
                (lus, &lub),
            ),
        ] {
            let (s, b) = f.get(&who, &format!("/api/v1/{path}/{id}")).await;
            if readers.contains(&who) {
                assert_eq!(s, StatusCode::OK, "{who} reads {path}/{id}: {b}");
                assert!(b.contains(id.as_str()));
            } else {
                assert_eq!(
                    (s, &b),
                    (unknown_answer.0, unknown_answer.1),
                    "{who} {path}/{id}: no existence oracle"
                );
                if who != "public" {
                    assert_eq!(s, StatusCode::NOT_FOUND);
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 4 * f.principals().len());

    // The console's case page: readers see it, everyone else the 404 page, the public the
    // sign-in redirect.
    for who in f.principals() {
        let (_, unknown_page) = f.get(&who, &format!("/cases/{unknown}")).await;
        for (id, readers) in [(&case_hz, &case_hz_readers), (&case_nj, &case_nj_readers)] {
            let (s, b) = f.get(&who, &format!("/cases/{id}")).await;
            if who == "public" {
                assert_eq!(s, StatusCode::SEE_OTHER);
            } else if readers.contains(&who) {
                assert_eq!(s, StatusCode::OK, "{who} case page");
                assert!(b.contains("销售假冒注册商标的商品") && b.contains("case.register"));
            } else {
                assert_eq!(s, StatusCode::NOT_FOUND, "{who} case page {id}");
                assert!(!b.contains("销售假冒注册商标的商品"));
                assert_eq!(
                    b, unknown_page,
                    "{who}: the page of an unknown case, byte for byte"
                );
            }
        }
    }

    // Writes: every principal but the permitted ones tries to start verification on
    // case_hz; each is refused, and the case is untouched.
    let verify = |by: &str| serde_json::json!({"command": {"action": "start_verification", "verifier": world::user_id(by).to_string()}});
    let before = f.store.case_file(w.case_hz).await.unwrap().case;
    let permitted = set(&hz_workers);
    for who in f.principals() {
        if permitted.contains(&who) {
            continue;
        }
        let (s, b) = f
            .post_json(
                &who,
                &format!("/api/v1/cases/{case_hz}/transitions"),
                &verify("hz.officer"),
            )
            .await;
        // The public is not signed in: refused (401) before anything is read; a reader
        // who may not act gets 403; everyone else the unknown id's 404.
        let want = if who == "public" {
            StatusCode::UNAUTHORIZED
        } else if case_hz_readers.contains(&who) {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(s, want, "{who} may not transition: {b}");
    }
    // The console's action form is the same path: a non-reader gets the 404 page.
    for who in [
        "plata.operator",
        "nj.officer",
        "nb.officer",
        "rha.agent",
        "hz.admin",
    ] {
        let (sid, csrf) = &f.sessions[who];
        let resp = send(
            &f.router,
            Request::post(format!("/cases/{case_hz}/actions"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, format!("wj_session={sid}"))
                .body(Body::from(format!(
                    "_csrf={csrf}&action=start_verification"
                )))
                .unwrap(),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{who} console action");
    }
    assert_eq!(f.store.case_file(w.case_hz).await.unwrap().case, before);
    // Another region's agency cannot move its neighbour's case either, even knowing the id.
    let (s, _) = f
        .post_json(
            "nj.officer",
            &format!("/api/v1/cases/{unknown}/transitions"),
            &verify("nj.officer"),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The coordination office sees the case read-only: no actions offered.
    let (_, b) = f
        .get("zjoffice.supervisor", &format!("/api/v1/cases/{case_hz}"))
        .await;
    let v: serde_json::Value = serde_json::from_str(&b).unwrap();
    assert_eq!(v["allowed_actions"], serde_json::json!([]));
    let (_, b) = f
        .get("hz.officer", &format!("/api/v1/cases/{case_hz}"))
        .await;
    let v: serde_json::Value = serde_json::from_str(&b).unwrap();
    assert!(v["allowed_actions"]
        .as_array()
        .unwrap()
        .contains(&"start_verification".into()));

    // The permitted officer moves it; a stale version is a conflict.
    let (s, b) = f
        .post_json(
            "hz.officer",
            &format!("/api/v1/cases/{case_hz}/transitions"),
            &verify("hz.officer"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let v: serde_json::Value = serde_json::from_str(&b).unwrap();
    assert_eq!(v["file"]["case"]["state"], "verifying");
    let (s, b) = f
        .post_json(
            "hz.supervisor",
            &format!("/api/v1/cases/{case_hz}/transitions"),
            &serde_json::json!({"expected_version": before.version, "command": {"action": "decline", "reason": "证据不足"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    // An illegal transition says why, with the catalog code.
    let (s, b) = f
        .post_json(
            "hz.officer",
            &format!("/api/v1/cases/{case_hz}/transitions"),
            &verify("hz.officer"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.contains("rule_violation"));
    // Malformed JSON from a permitted caller.
    let (s, b) = f
        .post_json(
            "hz.officer",
            &format!("/api/v1/cases/{case_hz}/transitions"),
            &serde_json::json!({"command": {"action": "fly"}}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    f.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_ids_and_filters() {
    let f = fixture().await;
    for path in [
        "/api/v1/cases/1'%20OR%20'1'='1",
        "/api/v1/cases/..%2F..%2Fetc%2Fpasswd",
        "/api/v1/leads/%00",
    ] {
        let (s, b) = f.get("hz.officer", path).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {b}");
    }
    let (s, b) = f
        .get("hz.officer", "/api/v1/cases?state=opened'%20OR%201=1--")
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(b.contains("\"field\":\"state\""));
    let (s, _) = f
        .get("hz.officer", "/api/v1/cases?after=not-a-cursor")
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    f.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_kept_in_the_store_see_what_their_user_sees() {
    let f = fixture().await;
    let mut secrets = BTreeMap::new();
    for who in ["plata.operator", "hz.officer"] {
        let (s, b) = f
            .post_json(
                who,
                "/api/v1/tokens",
                &serde_json::json!({"name": "script", "scopes": ["read"]}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let v: serde_json::Value = serde_json::from_str(&b).unwrap();
        secrets.insert(who, v["secret"].as_str().unwrap().to_string());
    }
    let call = |who: &str, uri: String| {
        Request::get(uri)
            .header(header::AUTHORIZATION, format!("Bearer {}", secrets[who]))
            .body(Body::empty())
            .unwrap()
    };
    let case = f.world.case_hz;
    let (s, _) = body(
        send(
            &f.router,
            call("hz.officer", format!("/api/v1/cases/{case}")),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = body(
        send(
            &f.router,
            call("plata.operator", format!("/api/v1/cases/{case}")),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, b) = body(send(&f.router, call("plata.operator", "/api/v1/cases".into())).await).await;
    assert_eq!(s, StatusCode::OK);
    assert!(b.contains("\"items\":[]"), "{b}");
    // A read token cannot write, even for the case officer.
    let resp = send(
        &f.router,
        Request::post(format!("/api/v1/cases/{case}/transitions"))
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", secrets["hz.officer"]),
            )
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                r#"{"command":{"action":"begin_investigation"}}"#,
            ))
            .unwrap(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(body(resp).await.1.contains("insufficient_scope"));
    f.finish().await;
}

fn pushed(id: &str, title: &str, province: &str, city: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id, "title": title, "category": "运动鞋", "price": 99,
        "description": "正品<b>保证</b>", "captured_at": "2026-03-02T01:00:00Z",
        "shop": {"id": format!("s-{id}"), "name": "潮鞋店", "province": province, "city": city},
        "ship_from": format!("{province}{city}"), "url": format!("https://plata.example.com/{id}"),
    })
}

fn ids(b: &str) -> BTreeSet<String> {
    let v: serde_json::Value = serde_json::from_str(b).unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect()
}

/// Issue 15, finding 5: a platform's push answer depends only on what it sent and on its
/// own earlier pushes, never on what a regulator's patrol already stored. Before listing
/// receipts, a listing the patrol held answered `duplicates: 1` with no lead — telling the
/// platform the regulator had it — while an unpatrolled one answered `accepted: 1` and its
/// lead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_answer_does_not_reveal_what_a_patrol_holds() {
    let f = fixture().await;
    world::put_marks(&f.store).await;
    let seen = pushed("Q1", "高仿耐克运动鞋 A货 支持验货", "浙江省", "杭州市");
    let unseen = pushed("Q2", "高仿耐克运动鞋 A货 支持验货 新款", "浙江省", "杭州市");
    // The Hangzhou bureau's patrol finds Q1 first, through the one intake path.
    let app = wangjian_app::App::new(f.store.clone(), wangjian_app::RuleSource::default()).unwrap();
    let patrol = app
        .intake(
            wangjian_app::intake::Delivery {
                by: Some(world::org_id("hz")),
                min_level: Some(wangjian_app::intake::LEAD_LEVEL),
            },
            vec![wangjian_app::intake::Item {
                index: 0,
                listing: wangjian_app::intake::listing_from_json(&seen).unwrap(),
                platform: world::org_id("plata"),
            }],
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let patrol_lead = patrol.outcomes[0].lead.as_ref().unwrap().id.to_string();
    let answer = |b: &str| {
        let mut v: serde_json::Value = serde_json::from_str(b).unwrap();
        // Ids and listing ids differ by construction; the rest must not.
        for l in v["leads"].as_array_mut().unwrap() {
            l["lead"] = serde_json::Value::Null;
            l["listing_id"] = serde_json::Value::Null;
        }
        v
    };
    let (s, b1) = f
        .post_json(
            "plata.operator",
            "/api/v1/listings",
            &serde_json::json!({"listings": [seen]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b1}");
    let (_, b2) = f
        .post_json(
            "plata.operator",
            "/api/v1/listings",
            &serde_json::json!({"listings": [unseen]}),
        )
        .await;
    assert_eq!(
        answer(&b1),
        answer(&b2),
        "patrolled: {b1}\nunpatrolled: {b2}"
    );
    let r: serde_json::Value = serde_json::from_str(&b1).unwrap();
    assert_eq!(
        (r["accepted"].clone(), r["leads_created"].clone()),
        (1.into(), 1.into()),
        "{b1}"
    );
    // It is the patrol's lead (the same listing under the same rules), and the platform
    // reads it like any lead of what it pushed.
    assert_eq!(r["leads"][0]["lead"], patrol_lead.as_str());
    let (s, b) = f
        .get("plata.operator", &format!("/api/v1/leads/{patrol_lead}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // Another platform still does not.
    let (s, _) = f
        .get("platb.operator", &format!("/api/v1/leads/{patrol_lead}"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    f.finish().await;
}

/// The ingest and lead endpoints (`POST /api/v1/listings`, `GET /api/v1/leads`,
/// `GET /api/v1/leads/{id}`, `POST /api/v1/leads/actions`) and the console's `/leads`
/// and `/leads/{id}`, by every principal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leads_and_listings_by_every_principal() {
    let f = fixture().await;
    world::put_marks(&f.store).await;
    let w = f.world.clone();
    let unknown = uuid::Uuid::now_v7().to_string();
    let hostile = "<script>alert(1)</script>高仿耐克运动鞋 A货";
    let batch = serde_json::json!({"listings": [
        pushed("P1", hostile, "浙江省", "杭州市"),
        pushed("P2", "耐克 复刻 高仿 气垫鞋", "江苏省", "南京市"),
        {"id": "P3", "captured_at": "2026-03-02T01:00:00Z"},
        pushed("P1", hostile, "浙江省", "杭州市"),
        pushed("P4", "纯棉T恤", "浙江省", "杭州市"),
    ]});

    // Only a platform's operators push, each for its own platform.
    for who in f.principals() {
        if who.ends_with(".operator") && who.starts_with("plat") {
            continue;
        }
        let (s, b) = f.post_json(&who, "/api/v1/listings", &batch).await;
        let want = if who == "public" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(s, want, "{who} may not push: {b}");
    }
    assert_eq!(
        f.store
            .leads(&wangjian_store::LeadQuery::new(
                wangjian_store::LeadScope::Submitter(world::org_id("plata"))
            ))
            .await
            .unwrap()
            .items
            .len(),
        0,
        "nothing stored by refused pushes"
    );
    let (s, b) = f
        .post_json("plata.operator", "/api/v1/listings", &batch)
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let r: serde_json::Value = serde_json::from_str(&b).unwrap();
    assert_eq!(r["received"], 5);
    assert_eq!(r["accepted"], 3, "{b}");
    assert_eq!(r["duplicates"], 1, "{b}");
    assert_eq!(
        r["rejected"],
        serde_json::json!([{"index": 2, "field": "title", "message": "required and not empty"}])
    );
    assert_eq!(r["leads_created"], 2, "{b}");
    let lead_of = |idx: u64| {
        r["leads"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["index"] == idx)
            .map(|l| l["lead"].as_str().unwrap().to_string())
            .unwrap()
    };
    let (new_hz, new_nj) = (lead_of(0), lead_of(1));
    // Pushed again: all duplicates, no new lead.
    let (_, b) = f
        .post_json("plata.operator", "/api/v1/listings", &batch)
        .await;
    let again: serde_json::Value = serde_json::from_str(&b).unwrap();
    assert_eq!(
        (again["accepted"].clone(), again["leads_created"].clone()),
        (0.into(), 0.into()),
        "{b}"
    );
    // A platform that names another platform in its items is refused item by item.
    let (_, b) = f
        .post_json(
            "platb.operator",
            "/api/v1/listings",
            &serde_json::json!({"listings": [{"id": "X", "title": "x", "platform": "甲电商平台", "captured_at": "2026-03-02T01:00:00Z"}]}),
        )
        .await;
    assert!(b.contains("\"field\":\"platform\""), "{b}");

    // The queue and one lead: each principal sees exactly its own.
    let hz_workers = ["hz.officer", "hz.officer2", "hz.supervisor"];
    let mut readers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for h in hz_workers {
        readers.insert(h.into(), set(&[&w.lead_hz.to_string(), &new_hz]));
    }
    readers.insert("nj.officer".into(), set(&[&w.lead_nj.to_string(), &new_nj]));
    readers.insert("plata.operator".into(), set(&[&new_hz, &new_nj]));
    let (_, unknown_lead) = f
        .get("hz.officer", &format!("/api/v1/leads/{unknown}"))
        .await;
    for who in f.principals() {
        let (_, unknown_page) = f.get(&who, &format!("/leads/{unknown}")).await;
        let (s, b) = f.get(&who, "/api/v1/leads").await;
        if who == "public" {
            assert_eq!(s, StatusCode::UNAUTHORIZED);
        } else {
            assert_eq!(s, StatusCode::OK, "{who}: {b}");
            assert_eq!(
                ids(&b),
                readers.get(&who).cloned().unwrap_or_default(),
                "{who} lists leads"
            );
        }
        for id in [&new_hz, &new_nj] {
            let may = readers.get(&who).is_some_and(|r| r.contains(id));
            let (s, b) = f.get(&who, &format!("/api/v1/leads/{id}")).await;
            let (ps, pb) = f.get(&who, &format!("/leads/{id}")).await;
            if who == "public" {
                assert_eq!(s, StatusCode::UNAUTHORIZED);
                assert_eq!(ps, StatusCode::SEE_OTHER);
            } else if may {
                assert_eq!(s, StatusCode::OK, "{who} reads {id}: {b}");
                assert!(
                    b.contains("\"reasons\"") && b.contains("\"start\""),
                    "the verdict: {b}"
                );
                assert_eq!(ps, StatusCode::OK, "{who} lead page");
                assert!(pb.contains("<mark"), "{who}: highlighted spans");
            } else {
                assert_eq!(
                    (s, b.as_str()),
                    (StatusCode::NOT_FOUND, unknown_lead.as_str()),
                    "{who} {id}: no oracle"
                );
                assert_eq!(
                    (ps, pb.as_str()),
                    (StatusCode::NOT_FOUND, unknown_page.as_str()),
                    "{who} page {id}"
                );
            }
        }
    }
    // Filters reach the store; a bad one names its field.
    let (_, b) = f
        .get(
            "hz.officer",
            "/api/v1/leads?level=high&reason=mark&mark=耐克&region=330000",
        )
        .await;
    assert_eq!(ids(&b), set(&[&new_hz]), "{b}");
    let (_, b) = f
        .get(
            "hz.officer",
            "/api/v1/leads?platform=00000000-0000-0000-0000-000000000000",
        )
        .await;
    assert_eq!(ids(&b), BTreeSet::new());
    for (q, field) in [
        ("level=urgent", "level"),
        ("reason=x", "reason"),
        ("from=2026-13-01", "from"),
        ("region=99", "region"),
        ("after=x", "after"),
        ("status=open'--", "status"),
    ] {
        let (s, b) = f.get("hz.officer", &format!("/api/v1/leads?{q}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{q}");
        assert!(b.contains(&format!("\"field\":\"{field}\"")), "{q}: {b}");
    }

    // Seller text is escaped on every page that shows it.
    let (_, page) = f.get("hz.officer", "/leads").await;
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;高仿耐克运动鞋"),
        "queue escapes the title"
    );
    let (_, page) = f.get("hz.officer", &format!("/leads/{new_hz}")).await;
    assert!(
        !page.contains("<script>alert(1)") && !page.contains("<b>保证"),
        "listing page escapes"
    );
    assert!(
        page.contains("<mark data-reasons=\"counterfeit_term\""),
        "{page}"
    );
    assert!(
        page.contains("<mark data-reasons=\"mark\""),
        "the mark 耐克 is highlighted"
    );

    // Bulk actions: nobody but the receiving agency's workers works a lead.
    let dismiss =
        |id: &str| serde_json::json!({"action": "dismiss", "leads": [id], "reason": "误报"});
    let (_, unknown_dismiss) = f
        .post_json("hz.officer", "/api/v1/leads/actions", &dismiss(&unknown))
        .await;
    let outcome = |b: &str| {
        let v: serde_json::Value = serde_json::from_str(b).unwrap();
        (
            v["leads"][0]["ok"].clone(),
            v["leads"][0]["error"].clone(),
            v["leads"][0]["message"].clone(),
        )
    };
    assert_eq!(outcome(&unknown_dismiss).1, "not_found");
    for who in f.principals() {
        if hz_workers.contains(&who.as_str()) {
            continue;
        }
        let (s, b) = f
            .post_json(&who, "/api/v1/leads/actions", &dismiss(&new_hz))
            .await;
        if who == "public" {
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");
            continue;
        }
        assert_eq!(s, StatusCode::OK, "{who}: {b}");
        let want = if who == "plata.operator" {
            "forbidden"
        } else {
            "not_found"
        };
        assert_eq!(outcome(&b).1, want, "{who}: {b}");
        if want == "not_found" {
            assert_eq!(
                outcome(&b),
                outcome(&unknown_dismiss),
                "{who}: hidden answers as unknown"
            );
        }
        // Registering a case is all or nothing, and says which lead.
        let (s, b) = f
            .post_json(
                &who,
                "/api/v1/leads/actions",
                &serde_json::json!({"action": "register_case", "leads": [new_hz], "title": "案"}),
            )
            .await;
        assert!(
            s == StatusCode::NOT_FOUND || s == StatusCode::FORBIDDEN,
            "{who}: {b}"
        );
        assert!(b.contains("\"field\":\"leads[0]\""), "{b}");
    }
    let status = |id: &str| {
        let s = f.store.clone();
        let id = wangjian_domain::LeadId(uuid::Uuid::parse_str(id).unwrap());
        async move { s.lead(id).await.unwrap().unwrap().status }
    };
    assert_eq!(
        status(&new_hz).await,
        wangjian_domain::lead::LeadStatus::New,
        "no forbidden write"
    );
    // nj.officer dismisses its own lead with a reason; twice is a rule violation.
    let (_, b) = f
        .post_json("nj.officer", "/api/v1/leads/actions", &dismiss(&new_nj))
        .await;
    assert_eq!(outcome(&b).0, true, "{b}");
    assert_eq!(
        status(&new_nj).await,
        wangjian_domain::lead::LeadStatus::Dismissed
    );
    let (_, b) = f
        .post_json("nj.officer", "/api/v1/leads/actions", &dismiss(&new_nj))
        .await;
    assert_eq!(outcome(&b).1, "rule_violation", "{b}");
    // An empty reason names the field.
    let (s, b) = f
        .post_json(
            "hz.officer",
            "/api/v1/leads/actions",
            &serde_json::json!({"action": "dismiss", "leads": [new_hz], "reason": " "}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(b.contains("\"field\":\"reason\""));
    // The console's form registers a case from the queue (CSRF-protected).
    let (sid, csrf) = &f.sessions["hz.officer"];
    let form = |csrf: &str| {
        format!("_csrf={csrf}&back=%2Fleads&action=register_case&title=%E6%A1%88&lead={new_hz}")
    };
    let post = |csrf: String| {
        Request::post("/leads/actions")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("wj_session={sid}"))
            .body(Body::from(form(&csrf)))
            .unwrap()
    };
    let resp = send(&f.router, post("forged".into())).await;
    assert_eq!(
        resp.status(),
        StatusCode::FORBIDDEN,
        "a forged form is refused"
    );
    assert_eq!(
        status(&new_hz).await,
        wangjian_domain::lead::LeadStatus::New
    );
    let resp = send(&f.router, post(csrf.clone())).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let to = resp.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(to.starts_with("/leads?done=1&failed=0&case="), "{to}");
    assert_eq!(
        status(&new_hz).await,
        wangjian_domain::lead::LeadStatus::Linked
    );
    let case = to.split("case=").nth(1).unwrap();
    let (s, page) = f.get("hz.officer", &format!("/cases/{case}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains(&format!("href=\"/leads/{new_hz}\"")),
        "the case page links its lead"
    );
    f.finish().await;
}

/// Tokens keep their scopes: an ingest token pushes, a read token does not; a user lists
/// and revokes only their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_tokens_and_their_scopes() {
    let f = fixture().await;
    let mut secrets = BTreeMap::new();
    for (name, scopes) in [
        ("read", serde_json::json!(["read"])),
        ("push", serde_json::json!(["read", "ingest"])),
    ] {
        let (s, b) = f
            .post_json(
                "plata.operator",
                "/api/v1/tokens",
                &serde_json::json!({"name": name, "scopes": scopes}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let v: serde_json::Value = serde_json::from_str(&b).unwrap();
        secrets.insert(
            name,
            (
                v["secret"].as_str().unwrap().to_string(),
                v["id"].as_str().unwrap().to_string(),
            ),
        );
    }
    let push = |secret: &str| {
        Request::post("/api/v1/listings")
            .header(header::AUTHORIZATION, format!("Bearer {secret}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                serde_json::json!({"listings": [pushed("T1", "耐克 高仿", "浙江省", "杭州市")]})
                    .to_string(),
            ))
            .unwrap()
    };
    let (s, b) = body(send(&f.router, push(&secrets["read"].0)).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(b.contains("insufficient_scope"), "{b}");
    let (s, b) = body(send(&f.router, push(&secrets["push"].0)).await).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(b.contains("\"accepted\":1"), "{b}");
    // More than 10 000 listings: 413 naming the first item not read.
    let many: Vec<serde_json::Value> = (0..10_001).map(|i| serde_json::json!({"id": i})).collect();
    let (s, b) = body(
        send(
            &f.router,
            Request::post("/api/v1/listings")
                .header(
                    header::AUTHORIZATION,
                    format!("Bearer {}", secrets["push"].0),
                )
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    serde_json::json!({"listings": many}).to_string(),
                ))
                .unwrap(),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{b}");
    assert!(b.contains("\"field\":\"listings[10000]\""), "{b}");
    // The list shows both, without secrets; another user cannot revoke them.
    let (_, b) = f.get("plata.operator", "/api/v1/tokens").await;
    assert!(
        b.contains("\"push\"") && b.contains("\"ingest\"") && !b.contains("wjt_"),
        "{b}"
    );
    let (_, other) = f.get("platb.operator", "/api/v1/tokens").await;
    assert_eq!(other, "[]");
    let revoke = |who: &str, id: &str| {
        let (sid, csrf) = &f.sessions[who];
        Request::delete(format!("/api/v1/tokens/{id}"))
            .header(header::COOKIE, format!("wj_session={sid}"))
            .header("x-csrf-token", csrf.as_str())
            .body(Body::empty())
            .unwrap()
    };
    let push_id = secrets["push"].1.clone();
    let (s, b) = body(send(&f.router, revoke("platb.operator", &push_id)).await).await;
    let (us, ub) = body(
        send(
            &f.router,
            revoke("platb.operator", &uuid::Uuid::now_v7().to_string()),
        )
        .await,
    )
    .await;
    assert_eq!((s, b), (us, ub), "another user's token answers as unknown");
    assert_eq!(us, StatusCode::NOT_FOUND);
    let (s, _) = body(send(&f.router, revoke("plata.operator", &push_id)).await).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = body(send(&f.router, push(&secrets["push"].0)).await).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "a revoked token is refused");
    f.finish().await;
}

/// A `multipart/form-data` body: text fields, then files (name, bytes) as the portal's
/// `attachments`.
fn multipart(fields: &[(&str, &str)], files: &[(&str, Vec<u8>)]) -> (String, Vec<u8>) {
    let mut parts: Vec<Part> = fields
        .iter()
        .map(|(k, v)| (*k, None, None, v.as_bytes()))
        .collect();
    for (name, bytes) in files {
        parts.push(("attachments", Some(name), Some("image/png"), bytes));
    }
    form_data(&parts)
}

/// The public's pre-session CSRF cookie, from the portal page.
async fn portal_csrf(router: &Router) -> String {
    let resp = send(router, Request::get("/portal").body(Body::empty()).unwrap()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    cookie(&resp, "wj_csrf").unwrap()
}

/// Submits to the portal (the test router has no peer address: every request without
/// one counts for the same unspecified address).
async fn portal_submit(
    router: &Router,
    csrf: &str,
    fields: &[(&str, &str)],
    files: &[(&str, Vec<u8>)],
) -> (StatusCode, String) {
    portal_submit_from(router, csrf, [0, 0, 0, 0], fields, files).await
}

/// A request from the client `ip` (the peer address the per-address limits count).
fn from_ip(mut req: Request<Body>, ip: [u8; 4]) -> Request<Body> {
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            ip, 40_000,
        ))));
    req
}

/// Submits to the portal from `ip`.
async fn portal_submit_from(
    router: &Router,
    csrf: &str,
    ip: [u8; 4],
    fields: &[(&str, &str)],
    files: &[(&str, Vec<u8>)],
) -> (StatusCode, String) {
    let mut all = vec![("_csrf", csrf)];
    all.extend_from_slice(fields);
    let (ctype, b) = multipart(&all, files);
    let req = Request::post("/portal/submit")
        .header(header::CONTENT_TYPE, ctype)
        .header(header::COOKIE, format!("wj_csrf={csrf}"))
        .body(Body::from(b))
        .unwrap();
    body(send(router, from_ip(req, ip)).await).await
}

async fn portal_track(router: &Router, csrf: &str, number: &str) -> (StatusCode, String) {
    body(
        send(
            router,
            Request::post("/portal/track")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, format!("wj_csrf={csrf}"))
                .body(Body::from(
                    serde_urlencoded::to_string([("_csrf", csrf), ("number", number)]).unwrap(),
                ))
                .unwrap(),
        )
        .await,
    )
    .await
}

fn tracking_number_in(html: &str) -> String {
    html.split("id=\"tracking-number\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_string()
}

const HOSTILE_TEXT: &str = "<script>alert('complaint')</script>店铺销售假冒耐克运动鞋";

/// The complaint endpoints (`/api/v1/complaints…`) and pages (`/complaints…`, the portal)
/// by every principal: only the handling agency's case workers see and decide; everyone
/// else gets the unknown id's answer; the public reads the status by number only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn complaints_by_every_principal() {
    let f = fixture().await;
    let csrf = portal_csrf(&f.router).await;
    let (s, html) = portal_submit(
        &f.router,
        &csrf,
        &[
            ("kind", "report"),
            ("region", "330106"),
            ("respondent", "<b>某某店</b>"),
            ("text", HOSTILE_TEXT),
            (
                "links",
                "https://plata.example.com/P1\nhttps://plata.example.com/P2",
            ),
            ("contact", ""),
        ],
        &[("../../etc/passwd", b"PNG evidence bytes".to_vec())],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{html}");
    let number = tracking_number_in(&html);
    let stored = f
        .store
        .complaint_by_tracking(&number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.handler, world::org_id("hz"));
    assert_eq!(
        stored.attachments[0].name, "passwd",
        "path traversal stripped"
    );
    let id = stored.id.to_string();
    let unknown = uuid::Uuid::now_v7().to_string();
    let hz_workers = set(&["hz.officer", "hz.officer2", "hz.supervisor"]);

    for who in f.principals() {
        let (s, b) = f.get(&who, "/api/v1/complaints").await;
        if who == "public" {
            assert_eq!(s, StatusCode::UNAUTHORIZED);
        } else {
            assert_eq!(s, StatusCode::OK, "{who}: {b}");
            assert_eq!(
                ids(&b),
                if hz_workers.contains(&who) {
                    set(&[&id])
                } else {
                    BTreeSet::new()
                },
                "{who} lists complaints"
            );
        }
        for suffix in ["", "/trail"] {
            let (us, ub) = f
                .get(&who, &format!("/api/v1/complaints/{unknown}{suffix}"))
                .await;
            let (s, b) = f
                .get(&who, &format!("/api/v1/complaints/{id}{suffix}"))
                .await;
            if hz_workers.contains(&who) {
                assert_eq!(s, StatusCode::OK, "{who} {suffix}: {b}");
            } else {
                assert_eq!((s, &b), (us, &ub), "{who} {suffix}: no existence oracle");
            }
        }
        // The console's page: readers see the text escaped; others the unknown 404 page.
        let (_, unknown_page) = f.get(&who, &format!("/complaints/{unknown}")).await;
        let (s, b) = f.get(&who, &format!("/complaints/{id}")).await;
        if who == "public" {
            assert_eq!(s, StatusCode::SEE_OTHER);
        } else if hz_workers.contains(&who) {
            assert_eq!(s, StatusCode::OK, "{who}");
            assert!(
                b.contains("&lt;script&gt;alert('complaint')&lt;/script&gt;"),
                "{b}"
            );
            assert!(
                !b.contains("<script>alert"),
                "seller/public text is escaped"
            );
            assert!(b.contains("&lt;b&gt;某某店&lt;/b&gt;"));
            assert!(b.contains(">passwd<"));
        } else {
            assert_eq!(s, StatusCode::NOT_FOUND, "{who}");
            assert_eq!(b, unknown_page, "{who}: the unknown complaint's page");
        }
        let (s, b) = f
            .get(&who, &format!("/complaints/{id}/attachments/0"))
            .await;
        if hz_workers.contains(&who) {
            assert_eq!(s, StatusCode::OK);
            assert_eq!(b, "PNG evidence bytes");
        } else if who != "public" {
            assert_eq!(s, StatusCode::NOT_FOUND, "{who} attachment");
        }
    }

    // Decisions: nobody but the handling agency's case workers; nothing changes.
    let accept = serde_json::json!({"decision": {"action": "accept"}});
    for who in f.principals() {
        if hz_workers.contains(&who) {
            continue;
        }
        let (s, b) = f
            .post_json(&who, &format!("/api/v1/complaints/{id}/decisions"), &accept)
            .await;
        let want = if who == "public" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(s, want, "{who} may not decide: {b}");
    }
    assert_eq!(
        f.store.complaint(stored.id).await.unwrap().unwrap(),
        stored,
        "refused decisions wrote nothing"
    );
    // Hostile bodies from a permitted caller.
    let (s, b) = f
        .post_json(
            "hz.officer",
            &format!("/api/v1/complaints/{id}/decisions"),
            &serde_json::json!({"decision": {"action": "refuse"}}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(b.contains("malformed_json"));
    let (s, b) = f
        .post_json(
            "hz.officer",
            &format!("/api/v1/complaints/{id}/decisions"),
            &serde_json::json!({"decision": {"action": "refuse", "reason": " "}}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(b.contains("\"field\":\"reason\""));
    let (s, _) = f
        .post_json(
            "hz.officer",
            &format!("/api/v1/complaints/{id}/decisions"),
            &serde_json::json!({"expected_version": 7, "decision": {"action": "accept"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // The public sees "received" by number, then the officer accepts: a lead appears.
    let (s, b) = portal_track(&f.router, &csrf, &number.to_lowercase()).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(b.contains("待受理") && !b.contains("alert('complaint')"));
    let (s, b) = f
        .post_json(
            "hz.officer",
            &format!("/api/v1/complaints/{id}/decisions"),
            &accept,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let v: serde_json::Value = serde_json::from_str(&b).unwrap();
    assert_eq!(v["state"], "accepted");
    let lead = v["lead"].as_str().unwrap().to_string();
    let (s, b) = f.get("hz.officer", &format!("/api/v1/leads/{lead}")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(b.contains("\"source\":\"report\""), "{b}");
    let (s, b) = f
        .post_json(
            "hz.supervisor",
            &format!("/api/v1/complaints/{id}/decisions"),
            &serde_json::json!({"decision": {"action": "handle", "outcome": "已立案查处，责令下架"}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, b) = portal_track(&f.router, &csrf, &number).await;
    assert!(
        b.contains("已办结") && b.contains("已立案查处，责令下架"),
        "{b}"
    );
    let (_, trail) = f
        .get("hz.officer", &format!("/api/v1/complaints/{id}/trail"))
        .await;
    let trail: serde_json::Value = serde_json::from_str(&trail).unwrap();
    let actions: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["report.submit", "complaint.accept", "complaint.handle"]
    );
    // A number nobody holds, or garbage, answers alike.
    let (s1, b1) = portal_track(&f.router, &csrf, "ZZZZ-ZZZZ-ZZZZ-ZZZ0").await;
    let (s2, b2) = portal_track(&f.router, &csrf, "' OR 1=1 --").await;
    assert_eq!(s1, StatusCode::NOT_FOUND);
    assert_eq!(s2, StatusCode::NOT_FOUND);
    assert_eq!(
        b1.replace("ZZZZ-ZZZZ-ZZZZ-ZZZ0", ""),
        b2.replace("&#39; OR 1=1 --", "").replace("' OR 1=1 --", "")
    );
    f.finish().await;
}

/// Hostile submissions: no CSRF token, an oversized file, too many files, a bad field,
/// and a flood from one address. Nothing half-written is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_hostile_input() {
    let f = fixture().await;
    let csrf = portal_csrf(&f.router).await;
    let ok = [
        ("kind", "complaint"),
        ("region", "330106"),
        ("text", "在平台购买的耐克鞋是假货，商家拒绝退款。"),
        ("contact", "张三 13800138000"),
    ];
    let count = || async {
        f.store
            .complaints(world::org_id("hz"), None, None, 500)
            .await
            .unwrap()
            .items
            .len()
    };
    // No token, or one that is not the cookie's. (Each hostile case from its own
    // address: every attempt counts against its address's limit, refused ones too.)
    let other = "x".repeat(43);
    let mut forged = vec![("_csrf", other.as_str())];
    forged.extend_from_slice(&ok);
    for fields in [&ok[..], &forged[..]] {
        let (ctype, b) = multipart(fields, &[]);
        let req = Request::post("/portal/submit")
            .header(header::CONTENT_TYPE, ctype)
            .header(header::COOKIE, format!("wj_csrf={csrf}"))
            .body(Body::from(b))
            .unwrap();
        let resp = send(&f.router, from_ip(req, [10, 1, 0, 1])).await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    }
    // One file over 2 MB.
    let (s, b) = portal_submit_from(
        &f.router,
        &csrf,
        [10, 1, 0, 2],
        &ok,
        &[("big.png", vec![0; 2 * 1024 * 1024 + 1])],
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{b}");
    // Six files.
    let six: Vec<(&str, Vec<u8>)> = (0..6).map(|i| ("f.png", vec![i; 10])).collect();
    let (s, b) = portal_submit_from(&f.router, &csrf, [10, 1, 0, 3], &ok, &six).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(b.contains("附件"), "the form names the field: {b}");
    // A complaint needs a contact; the form comes back with what was typed.
    let flood = [10, 1, 0, 4];
    let (s, b) = portal_submit_from(
        &f.router,
        &csrf,
        flood,
        &[
            ("kind", "complaint"),
            ("region", "330106"),
            ("text", "在平台买到假货，商家拒绝退款。"),
        ],
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        b.contains("姓名与联系方式") && b.contains("在平台买到假货"),
        "{b}"
    );
    // No agency for a region outside the world.
    let (s, _) = portal_submit_from(
        &f.router,
        &csrf,
        [10, 1, 0, 5],
        &[
            ("kind", "report"),
            ("region", "110101"),
            ("text", "北京某店销售假冒商品。"),
        ],
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(count().await, 0, "nothing stored by refused submissions");
    // Five attempts per address in ten minutes, refused ones included (one above): four
    // more pass, the next waits.
    for i in 0..4 {
        let (s, b) = portal_submit_from(&f.router, &csrf, flood, &ok, &[]).await;
        assert_eq!(s, StatusCode::CREATED, "{i}: {b}");
    }
    let (s, b) = portal_submit_from(&f.router, &csrf, flood, &ok, &[]).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{b}");
    assert!(b.contains("599 秒") || b.contains("600 秒"), "{b}");
    assert_eq!(count().await, 4);
    // Another address of the same /24 is another client (IPv4 counts per address).
    let (s, _) = portal_submit_from(&f.router, &csrf, [10, 1, 0, 6], &ok, &[]).await;
    assert_eq!(s, StatusCode::CREATED);
    // Malformed JSON and an oversized body on the API.
    let (s, _) = f
        .post_json(
            "hz.officer",
            "/api/v1/complaints/x/decisions",
            &serde_json::json!([1]),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (sid, token) = &f.sessions["hz.officer"];
    let resp = send(
        &f.router,
        Request::post(format!(
            "/api/v1/complaints/{}/decisions",
            uuid::Uuid::now_v7()
        ))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, format!("wj_session={sid}"))
        .header("x-csrf-token", token.as_str())
        .body(Body::from(format!(
            "{{\"decision\":{{\"action\":\"refuse\",\"reason\":\"{}\"}}}}",
            "长".repeat(1024 * 1024)
        )))
        .unwrap(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    f.finish().await;
}

/// The board and the dashboard by every principal: members get pages drawn from their
/// own scope (the office its region's board with the supervision orders; an agency its
/// own counts and a note that the board is the office's), the public the sign-in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn board_and_dashboard_by_every_principal() {
    let f = fixture().await;
    for who in f.principals() {
        for path in ["/board", "/dashboard"] {
            let (s, b) = f.get(&who, path).await;
            if who == "public" {
                assert_eq!(s, StatusCode::SEE_OTHER, "{path}");
                continue;
            }
            assert_eq!(s, StatusCode::OK, "{who} {path}: {b}");
            assert!(b.contains("href=\"/board\"") && b.contains("href=\"/dashboard\""));
        }
        let (_, board) = f.get(&who, "/board").await;
        let office = who.ends_with("office.supervisor");
        assert_eq!(board.contains("id=\"supervision-orders\""), office, "{who}");
        let (_, dash) = f.get(&who, "/dashboard").await;
        let case_worker = office
            || [
                "hz.officer",
                "hz.officer2",
                "hz.supervisor",
                "nb.officer",
                "nj.officer",
                "hzpolice.officer",
            ]
            .contains(&who.as_str());
        assert_eq!(dash.contains("id=\"cases-by-state\""), case_worker, "{who}");
        if case_worker {
            assert!(dash.contains("<svg"), "{who}: charts drawn");
        }
    }
    // The registered Hangzhou case counts for Hangzhou and Zhejiang, not for Ningbo.
    let state = wangjian_domain::CaseState::Registered.label_zh();
    for (who, sees) in [
        ("hz.officer", true),
        ("zjoffice.supervisor", true),
        ("nb.officer", false),
    ] {
        let (_, b) = f.get(who, "/dashboard").await;
        let chart = b.split("id=\"cases-by-state\"").nth(1).unwrap();
        let chart = chart.split("</svg>").next().unwrap();
        assert_eq!(chart.contains(state), sees, "{who}: {chart}");
    }
    let (_, plat) = f.get("plata.operator", "/dashboard").await;
    assert!(!plat.contains("<svg"), "a platform counts no cases");
    f.finish().await;
}

/// The workflow endpoints (`/api/v1/cases/{id}/trail`, `/api/v1/cases/{id}/supervisions`)
/// by every principal, and the OpenAPI document naming every new path.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_trail_and_supervision_by_every_principal() {
    let f = fixture().await;
    let case_hz = f.world.case_hz.to_string();
    let unknown = uuid::Uuid::now_v7().to_string();
    let readers = set(&[
        "hz.officer",
        "hz.officer2",
        "hz.supervisor",
        "zjoffice.supervisor",
    ]);
    for who in f.principals() {
        for suffix in ["trail", "supervisions"] {
            let (us, ub) = f
                .get(&who, &format!("/api/v1/cases/{unknown}/{suffix}"))
                .await;
            let (s, b) = f
                .get(&who, &format!("/api/v1/cases/{case_hz}/{suffix}"))
                .await;
            if readers.contains(&who) {
                assert_eq!(s, StatusCode::OK, "{who} {suffix}: {b}");
                if suffix == "trail" {
                    assert!(b.contains("\"action\":\"case.register\""), "{b}");
                }
            } else {
                assert_eq!((s, &b), (us, &ub), "{who} {suffix}: no existence oracle");
            }
        }
    }
    let order = serde_json::json!({"level": "key", "due": "2099-01-05", "note": "限期查处并报告"});
    for who in f.principals() {
        if who == "zjoffice.supervisor" {
            continue;
        }
        let (s, b) = f
            .post_json(
                &who,
                &format!("/api/v1/cases/{case_hz}/supervisions"),
                &order,
            )
            .await;
        let want = if who == "public" {
            StatusCode::UNAUTHORIZED
        } else if readers.contains(&who) {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(s, want, "{who} may not supervise: {b}");
    }
    let (_, b) = f
        .get(
            "hz.officer",
            &format!("/api/v1/cases/{case_hz}/supervisions"),
        )
        .await;
    assert_eq!(b, "[]", "refused orders wrote nothing");
    let (s, b) = f
        .post_json(
            "zjoffice.supervisor",
            &format!("/api/v1/cases/{case_hz}/supervisions"),
            &serde_json::json!({"level": "key", "due": "2001-01-05", "note": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(b.contains("\"field\":\"due\""));
    let (s, b) = f
        .post_json(
            "zjoffice.supervisor",
            &format!("/api/v1/cases/{case_hz}/supervisions"),
            &order,
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (_, b) = f
        .get(
            "hz.officer",
            &format!("/api/v1/cases/{case_hz}/supervisions"),
        )
        .await;
    assert!(b.contains("限期查处并报告"), "{b}");
    let (_, b) = f
        .get("hz.officer", &format!("/api/v1/cases/{case_hz}/trail"))
        .await;
    assert!(b.contains("supervision.mark"), "{b}");

    assert_documented(
        &f,
        &[
            "/complaints",
            "/complaints/{id}",
            "/complaints/{id}/decisions",
            "/complaints/{id}/trail",
            "/cases/{id}/trail",
            "/cases/{id}/supervisions",
        ],
    )
    .await;
    f.finish().await;
}

/// Every sign-in and failed sign-in lands in the store's account trail, the failure of an
/// unknown name with no user.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ins_and_failures_are_recorded_in_the_store() {
    let f = fixture().await;
    let ev = f
        .store
        .account_events(Some(world::user_id("hz.officer")), 50)
        .await
        .unwrap();
    assert!(
        ev.iter().any(
            |e| e.event.action == "account.sign_in" && e.event.org == Some(world::org_id("hz"))
        ),
        "{ev:?}"
    );
    let resp = send(
        &f.router,
        Request::get("/login").body(Body::empty()).unwrap(),
    )
    .await;
    let pre = cookie(&resp, "wj_csrf").unwrap();
    let resp = send(
        &f.router,
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("wj_csrf={pre}"))
            .body(Body::from(format!(
                "_csrf={pre}&login=nobody&password=guess"
            )))
            .unwrap(),
    )
    .await;
    assert_ne!(resp.status(), StatusCode::SEE_OTHER);
    let last = f.store.account_events(None, 1).await.unwrap();
    assert_eq!(last[0].event.action, "account.sign_in_failed");
    assert_eq!(last[0].event.user, None);
    assert_eq!(last[0].event.login, "nobody");
    f.finish().await;
}

/// `GET /api/v1/transfers`: a transfer from Hangzhou to Ningbo is in Ningbo's incoming
/// list only; Ningbo then reads the case, and accepts it by the case transition.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incoming_transfers_by_every_principal() {
    let f = fixture().await;
    let case_hz = f.world.case_hz.to_string();
    let (s, b) = f
        .post_json(
            "hz.officer",
            &format!("/api/v1/cases/{case_hz}/transitions"),
            &serde_json::json!({"command": {"action": "start_verification", "verifier": world::user_id("hz.officer").to_string()}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = f
        .post_json(
            "hz.supervisor",
            &format!("/api/v1/cases/{case_hz}/transitions"),
            &serde_json::json!({"command": {"action": "transfer_out", "to_org": world::org_id("nb").to_string(),
                "legal_basis": "《市场监督管理行政处罚程序规定》第十八条", "reason": "违法行为发生地在宁波", "materials": []}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    for who in f.principals() {
        let (s, b) = f.get(&who, "/api/v1/transfers?status=sent").await;
        if who == "public" {
            assert_eq!(s, StatusCode::UNAUTHORIZED);
            continue;
        }
        assert_eq!(s, StatusCode::OK, "{who}: {b}");
        let v: serde_json::Value = serde_json::from_str(&b).unwrap();
        let n = v["items"].as_array().unwrap().len();
        assert_eq!(n, usize::from(who == "nb.officer"), "{who}: {b}");
    }
    let (s, b) = f.get("nb.officer", "/api/v1/transfers?status=lost").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(b.contains("\"field\":\"status\""));
    let (s, _) = f
        .get("nb.officer", &format!("/api/v1/cases/{case_hz}"))
        .await;
    assert_eq!(s, StatusCode::OK, "the receiver reads the case");
    // The receiver's home page lists it under new transfers, with a link to the case.
    let (_, home) = f.get("nb.officer", "/").await;
    let card = home
        .split("id=\"new-transfers\"")
        .nth(1)
        .unwrap_or_default();
    assert!(
        card.contains("违法行为发生地在宁波") && card.contains(&case_hz),
        "{home}"
    );
    let (_, home) = f.get("hz.officer", "/").await;
    assert!(!home.contains("id=\"new-transfers\""));
    f.finish().await;
}

impl Fixture {
    /// GET `uri`, or POST a JSON or multipart body to it.
    async fn call(&self, who: &str, uri: &str, req: Req<'_>) -> (StatusCode, String) {
        match req {
            Req::Get => self.get(who, uri).await,
            Req::Json(b) => self.post_json(who, uri, b).await,
            Req::Multipart(ct, b) => self.post_multipart(who, uri, ct, b).await,
        }
    }

    /// POST a `multipart/form-data` body (content type `ct`) to `uri`.
    async fn post_multipart(
        &self,
        who: &str,
        uri: &str,
        ct: &str,
        bytes: &[u8],
    ) -> (StatusCode, String) {
        let mut req = Request::post(uri).header(header::CONTENT_TYPE, ct);
        if let Some((sid, csrf)) = self.sessions.get(who) {
            req = req
                .header(header::COOKIE, format!("wj_session={sid}"))
                .header("x-csrf-token", csrf.as_str());
        }
        body(send(&self.router, req.body(Body::from(bytes.to_vec())).unwrap()).await).await
    }

    /// Every principal calls `template` (its `{id}` replaced) on `id` and on an unknown
    /// id: GET when `body` is `None`, else POST, skipping the `allowed` (so refused
    /// writes are all that runs). The allowed get `ok`; a reader who may not act 403; the
    /// public 401; everyone else exactly the unknown id's answer, a 404. Returns the
    /// allowed callers' bodies.
    async fn walk(
        &self,
        template: &str,
        id: &str,
        body: Option<&serde_json::Value>,
        allowed: &BTreeSet<String>,
        readers: &BTreeSet<String>,
        ok: StatusCode,
    ) -> BTreeMap<String, String> {
        let req = body.map_or(Req::Get, Req::Json);
        self.walk_req(template, id, req, allowed, readers, ok).await
    }

    /// [`Fixture::walk`] with any request ([`Req`]).
    async fn walk_req(
        &self,
        template: &str,
        id: &str,
        req: Req<'_>,
        allowed: &BTreeSet<String>,
        readers: &BTreeSet<String>,
        ok: StatusCode,
    ) -> BTreeMap<String, String> {
        let write = !matches!(req, Req::Get);
        let unknown = uuid::Uuid::now_v7().to_string();
        let mut bodies = BTreeMap::new();
        for who in self.principals() {
            if write && allowed.contains(&who) {
                continue;
            }
            let what = format!("{template} {id}");
            let (us, ub) = self
                .call(&who, &template.replace("{id}", &unknown), req)
                .await;
            let (s, b) = self.call(&who, &template.replace("{id}", id), req).await;
            if allowed.contains(&who) {
                assert_eq!(s, ok, "{who} {what}: {b}");
                bodies.insert(who, b);
            } else if who == "public" {
                // Not signed in: 401, writes before a byte of the body is read.
                assert_eq!(s, StatusCode::UNAUTHORIZED, "{who} {what}: {b}");
            } else if readers.contains(&who) {
                assert_eq!(s, StatusCode::FORBIDDEN, "{who} {what}: {b}");
            } else {
                assert_eq!((s, &b), (us, &ub), "{who} {what}: no existence oracle");
                assert_eq!(s, StatusCode::NOT_FOUND, "{who} {what}");
            }
        }
        bodies
    }
}

/// A request of [`Fixture::walk_req`].
#[derive(Clone, Copy)]
enum Req<'a> {
    /// GET.
    Get,
    /// POST JSON.
    Json(&'a serde_json::Value),
    /// POST `multipart/form-data`: the content type (with its boundary) and the body.
    Multipart(&'a str, &'a [u8]),
}

/// The OpenAPI document names every path of `paths`.
async fn assert_documented(f: &Fixture, paths: &[&str]) {
    let (_, doc) = f.get("public", "/api/v1/openapi.json").await;
    let doc = json(&doc);
    for p in paths {
        assert!(doc["paths"].get(p).is_some(), "OpenAPI names {p}");
    }
}

fn json(b: &str) -> serde_json::Value {
    serde_json::from_str(b).unwrap_or_else(|e| panic!("{e}: {b}"))
}

/// The workflow endpoints of issue 6 by every principal: seized goods
/// (`/cases/{id}/seized`, `/seized/{id}/handovers`, `/seized/{id}/destruction`), assist
/// requests (`/cases/{id}/assist-requests`, `/assist-requests`, `/assist-requests/{id}`,
/// `/assist-requests/{id}/answer`), a transfer's feedback (`/transfers/{id}/feedback`)
/// and one object's audit trail (`/audit`). Refused writes change nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seized_assist_feedback_and_audit_by_every_principal() {
    let f = fixture().await;
    let case_hz = f.world.case_hz.to_string();
    let (hz_workers, case_readers) = hz_case_people();
    start_verification(&f).await;
    let created = StatusCode::CREATED;
    let ok = StatusCode::OK;

    // Record a seizure: the case's workers; everyone else refused, nothing written.
    let seizure = serde_json::json!({"description": "假冒耐克运动鞋", "quantity": 120, "unit": "双", "custody": "公物仓A"});
    let seized_url = "/api/v1/cases/{id}/seized";
    f.walk(
        seized_url,
        &case_hz,
        Some(&seizure),
        &hz_workers,
        &case_readers,
        created,
    )
    .await;
    assert!(f
        .store
        .seized_items_of_case(f.world.case_hz)
        .await
        .unwrap()
        .is_empty());
    let (s, b) = f
        .post_json(
            "hz.officer",
            &seized_url.replace("{id}", &case_hz),
            &seizure,
        )
        .await;
    assert_eq!(s, created, "{b}");
    let item = json(&b)["id"].as_str().unwrap().to_string();
    let lists = f
        .walk(seized_url, &case_hz, None, &case_readers, &case_readers, ok)
        .await;
    assert!(
        lists.values().all(|b| b.contains("假冒耐克运动鞋")),
        "{lists:?}"
    );

    // Handover and destruction: the holding agency's workers.
    let handover = serde_json::json!({"from": "公物仓A", "to": "检验所", "note": "交接单001"});
    let destruction = serde_json::json!({"on": "2026-01-05", "method": "粉碎", "place": "某危废处置中心", "witnesses": ["王五", "赵六"]});
    for (url, body) in [
        ("/api/v1/seized/{id}/handovers", &handover),
        ("/api/v1/seized/{id}/destruction", &destruction),
    ] {
        f.walk(url, &item, Some(body), &hz_workers, &case_readers, ok)
            .await;
    }
    // Refused writes changed nothing: version 1 still holds.
    let (s, b) = f
        .post_json(
            "hz.officer2",
            &format!("/api/v1/seized/{item}/handovers"),
            &serde_json::json!({"expected_version": 1, "from": "公物仓A", "to": "检验所", "note": "交接单001"}),
        )
        .await;
    assert_eq!(s, ok, "{b}");
    assert_eq!(json(&b)["custody"], "检验所");
    assert_eq!(json(&b)["handovers"].as_array().unwrap().len(), 1);

    // Assist requests: Hangzhou asks Nanjing (another province).
    let ask = serde_json::json!({"to_org": world::org_id("nj").to_string(),
        "target": {"target": "shipment", "carrier": "顺丰", "waybill": "SF1234567890"},
        "question": "请核查收件地址是否为仓库", "legal_basis": "《市场监督管理行政处罚程序规定》第二十条"});
    let ask_url = "/api/v1/cases/{id}/assist-requests";
    f.walk(
        ask_url,
        &case_hz,
        Some(&ask),
        &hz_workers,
        &case_readers,
        created,
    )
    .await;
    let (s, b) = f
        .post_json("hz.officer", &ask_url.replace("{id}", &case_hz), &ask)
        .await;
    assert_eq!(s, created, "{b}");
    let assist = json(&b)["request"]["id"].as_str().unwrap().to_string();
    assert!(json(&b)["reply_deadline"]["due"].is_string(), "{b}");
    let assist_readers = set(&[
        "hz.officer",
        "hz.officer2",
        "hz.supervisor",
        "zjoffice.supervisor",
        "nj.officer",
        "jsoffice.supervisor",
    ]);
    f.walk(
        "/api/v1/assist-requests/{id}",
        &assist,
        None,
        &assist_readers,
        &assist_readers,
        ok,
    )
    .await;
    // The lists: incoming for the asked side, outgoing for the asking side.
    for (direction, sides) in [
        ("incoming", set(&["nj.officer", "jsoffice.supervisor"])),
        ("outgoing", case_readers.clone()),
    ] {
        for who in f.principals() {
            let (s, b) = f
                .get(
                    &who,
                    &format!("/api/v1/assist-requests?direction={direction}&status=sent"),
                )
                .await;
            if who == "public" {
                assert_eq!(s, StatusCode::UNAUTHORIZED);
                continue;
            }
            assert_eq!(s, ok, "{who}: {b}");
            let n = json(&b)["items"].as_array().unwrap().len();
            assert_eq!(
                n,
                usize::from(sides.contains(&who)),
                "{who} {direction}: {b}"
            );
        }
    }
    let answer = serde_json::json!({"answer": "收件地址为仓库，已拍照固定", "reference": "宁市监协〔2026〕3号"});
    let answer_url = "/api/v1/assist-requests/{id}/answer";
    let nj = set(&["nj.officer"]);
    f.walk(answer_url, &assist, Some(&answer), &nj, &assist_readers, ok)
        .await;
    let (s, b) = f
        .post_json(
            "nj.officer",
            &answer_url.replace("{id}", &assist),
            &serde_json::json!({"expected_version": 1, "answer": "收件地址为仓库，已拍照固定"}),
        )
        .await;
    assert_eq!(s, ok, "{b}");
    assert_eq!(json(&b)["request"]["status"], "answered");
    // The console's case page shows both, with the custody history, in Chinese.
    let (s, page) = f.get("hz.officer", &format!("/cases/{case_hz}")).await;
    assert_eq!(s, ok);
    for text in [
        "id=\"seized\"",
        "涉案物品",
        "公物仓A → 检验所",
        "交接单001",
        "id=\"assist-requests\"",
        "协查请求",
        "南京市市场监督管理局",
        "快递运单: 顺丰 SF1234567890",
        "已答复",
    ] {
        assert!(page.contains(text), "case page lacks {text}: {page}");
    }

    // A transfer to Ningbo, accepted; the receiver reports back.
    let (s, b) = f
        .post_json(
            "hz.supervisor",
            &format!("/api/v1/cases/{case_hz}/transitions"),
            &serde_json::json!({"command": {"action": "transfer_out", "to_org": world::org_id("nb").to_string(),
                "legal_basis": "《市场监督管理行政处罚程序规定》第十八条", "reason": "违法行为发生地在宁波", "materials": []}}),
        )
        .await;
    assert_eq!(s, ok, "{b}");
    let (s, b) = f
        .post_json(
            "nb.officer",
            &format!("/api/v1/cases/{case_hz}/transitions"),
            &serde_json::json!({"command": {"action": "accept_transfer"}}),
        )
        .await;
    assert_eq!(s, ok, "{b}");
    let transfer = f.store.case_file(f.world.case_hz).await.unwrap().transfers[0]
        .id
        .to_string();
    let moved_readers: BTreeSet<String> =
        case_readers.union(&set(&["nb.officer"])).cloned().collect();
    let feedback =
        serde_json::json!({"outcome": "已立案", "reference_number": "甬市监立〔2026〕12号"});
    let feedback_url = "/api/v1/transfers/{id}/feedback";
    let nb = set(&["nb.officer"]);
    f.walk(
        feedback_url,
        &transfer,
        Some(&feedback),
        &nb,
        &moved_readers,
        ok,
    )
    .await;
    let (s, b) = f
        .post_json(
            "nb.officer",
            &feedback_url.replace("{id}", &transfer),
            &feedback,
        )
        .await;
    assert_eq!(s, ok, "{b}");
    assert_eq!(json(&b)["status"], "feedback_reported");
    assert_eq!(json(&b)["feedback"]["outcome"], "已立案");

    // The audit trail of each object, behind its read rule (seized goods and transfer
    // orders are read with the case, now also Ningbo's).
    let lead_readers = hz_workers.clone();
    for (ty, id, readers, action) in [
        ("case", &case_hz, &moved_readers, "case.register"),
        ("seized_item", &item, &moved_readers, "seized.hand_over"),
        ("assist_request", &assist, &assist_readers, "assist.answer"),
        (
            "transfer_order",
            &transfer,
            &moved_readers,
            "transfer.feedback",
        ),
        (
            "lead",
            &f.world.lead_hz.to_string(),
            &lead_readers,
            "\"items\"",
        ),
    ] {
        let trails = f
            .walk(
                &format!("/api/v1/audit?object_type={ty}&object_id={{id}}"),
                id,
                None,
                readers,
                readers,
                ok,
            )
            .await;
        assert_eq!(trails.len(), readers.len());
        assert!(
            trails.values().all(|b| b.contains(action)),
            "{ty}: {trails:?}"
        );
    }

    assert_documented(
        &f,
        &[
            "/cases/{id}/seized",
            "/seized/{id}/handovers",
            "/seized/{id}/destruction",
            "/cases/{id}/assist-requests",
            "/assist-requests",
            "/assist-requests/{id}",
            "/assist-requests/{id}/answer",
            "/transfers/{id}/feedback",
            "/audit",
        ],
    )
    .await;
    f.finish().await;
}

/// Asserts a 400 `invalid_input` naming `field`.
fn assert_bad_field((s, b): (StatusCode, String), field: &str) {
    assert_eq!(s, StatusCode::BAD_REQUEST, "{field}: {b}");
    let v = json(&b);
    assert_eq!(v["error"]["code"], "invalid_input", "{b}");
    assert_eq!(v["error"]["field"], field, "{b}");
}

/// Seized goods: happy path with the custody history, another region's agency refused as
/// unknown, each bad field named, a stale version and a second destruction refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seized_goods_fields_and_conflicts() {
    let f = fixture().await;
    let case = f.world.case_hz.to_string();
    let url = format!("/api/v1/cases/{case}/seized");
    let good = serde_json::json!({"description": "假冒手表", "quantity": 3, "unit": "块", "custody": "公物仓"});
    for (field, body) in [
        (
            "quantity",
            serde_json::json!({"description": "x", "quantity": 0, "unit": "块", "custody": "公物仓"}),
        ),
        (
            "description",
            serde_json::json!({"description": " ", "quantity": 1, "unit": "块", "custody": "公物仓"}),
        ),
        (
            "unit",
            serde_json::json!({"description": "x", "quantity": 1, "unit": "", "custody": "公物仓"}),
        ),
        (
            "custody",
            serde_json::json!({"description": "x", "quantity": 1, "unit": "块", "custody": ""}),
        ),
    ] {
        assert_bad_field(f.post_json("hz.officer", &url, &body).await, field);
    }
    let (s, b) = f.post_json("nj.officer", &url, &good).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    let (s, b) = f.post_json("hz.officer", &url, &good).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let item = json(&b)["id"].as_str().unwrap().to_string();
    let hand = format!("/api/v1/seized/{item}/handovers");
    assert_bad_field(
        f.post_json(
            "hz.officer",
            &hand,
            &serde_json::json!({"from": "别处", "to": "检验所"}),
        )
        .await,
        "from",
    );
    assert_bad_field(
        f.post_json(
            "hz.officer",
            &hand,
            &serde_json::json!({"from": "公物仓", "to": " "}),
        )
        .await,
        "to",
    );
    let (s, b) = f
        .post_json(
            "hz.officer",
            &hand,
            &serde_json::json!({"expected_version": 1, "from": "公物仓", "to": "检验所", "note": "交接单7"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = f
        .post_json(
            "hz.officer",
            &hand,
            &serde_json::json!({"expected_version": 1, "from": "检验所", "to": "公物仓"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    let destroy = format!("/api/v1/seized/{item}/destruction");
    let d = |on: &str, w: serde_json::Value| serde_json::json!({"on": on, "method": "粉碎", "place": "某处置中心", "witnesses": w});
    assert_bad_field(
        f.post_json(
            "hz.officer",
            &destroy,
            &d("2026-01-05", serde_json::json!(["王五", " 王五 "])),
        )
        .await,
        "witnesses",
    );
    assert_bad_field(
        f.post_json(
            "hz.officer",
            &destroy,
            &d("2999-01-05", serde_json::json!(["王五", "赵六"])),
        )
        .await,
        "on",
    );
    let (s, b) = f
        .post_json(
            "hz.officer",
            &destroy,
            &d("2026-01-05", serde_json::json!(["王五", "赵六"])),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        json(&b)["destruction"]["witnesses"],
        serde_json::json!(["王五", "赵六"])
    );
    let (s, b) = f
        .post_json(
            "hz.officer",
            &destroy,
            &d("2026-01-05", serde_json::json!(["王五", "赵六"])),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    // The custody history reads back in order, and the trail has all three steps.
    let (_, b) = f.get("hz.officer", &url).await;
    let items = json(&b);
    assert_eq!(items[0]["handovers"][0]["to"], "检验所", "{b}");
    let (_, b) = f
        .get(
            "hz.officer",
            &format!("/api/v1/audit?object_type=seized_item&object_id={item}"),
        )
        .await;
    let actions: Vec<String> = json(&b)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        actions,
        ["seized.record", "seized.hand_over", "seized.destroy"]
    );
    f.finish().await;
}

/// Assist requests and the audit query: bad fields named, a wrong agency refused, an
/// answer from a stale version a conflict, a second answer a rule violation, the trail
/// paged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assist_requests_fields_conflicts_and_audit_pages() {
    let f = fixture().await;
    let case = f.world.case_hz.to_string();
    let url = format!("/api/v1/cases/{case}/assist-requests");
    let nb = world::org_id("nb").to_string();
    let ask = |to: &str, target: serde_json::Value, q: &str| serde_json::json!({"to_org": to, "target": target, "question": q});
    let ship = serde_json::json!({"target": "shipment", "carrier": "顺丰", "waybill": "SF1"});
    for (field, body) in [
        (
            "to_org",
            ask(&uuid::Uuid::now_v7().to_string(), ship.clone(), "查"),
        ),
        (
            "to_org",
            ask(&world::org_id("plata").to_string(), ship.clone(), "查"),
        ),
        (
            "to_org",
            ask(&world::org_id("hz").to_string(), ship.clone(), "查"),
        ),
        (
            "target.waybill",
            ask(
                &nb,
                serde_json::json!({"target": "shipment", "carrier": "顺丰", "waybill": " "}),
                "查",
            ),
        ),
        (
            "target.subject",
            ask(
                &nb,
                serde_json::json!({"target": "subject", "subject": uuid::Uuid::now_v7().to_string()}),
                "查",
            ),
        ),
        ("question", ask(&nb, ship.clone(), "  ")),
    ] {
        assert_bad_field(f.post_json("hz.officer", &url, &body).await, field);
    }
    let (s, b) = f
        .post_json("nj.officer", &url, &ask(&nb, ship.clone(), "查"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    let (s, b) = f
        .post_json("hz.officer", &url, &ask(&nb, ship.clone(), "请核查"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let id = json(&b)["request"]["id"].as_str().unwrap().to_string();
    let answer = format!("/api/v1/assist-requests/{id}/answer");
    assert_bad_field(
        f.post_json("nb.officer", &answer, &serde_json::json!({"answer": " "}))
            .await,
        "answer",
    );
    let (s, b) = f
        .post_json(
            "nb.officer",
            &answer,
            &serde_json::json!({"expected_version": 7, "answer": "已核查"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    let (s, b) = f
        .post_json(
            "nb.officer",
            &answer,
            &serde_json::json!({"answer": "非本局管辖", "declined": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(json(&b)["request"]["status"], "declined");
    let (s, b) = f
        .post_json(
            "nb.officer",
            &answer,
            &serde_json::json!({"answer": "已核查"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    for (q, field) in [
        ("direction=sideways", "direction"),
        ("status=lost", "status"),
        ("after=nope", "after"),
    ] {
        assert_bad_field(
            f.get("nb.officer", &format!("/api/v1/assist-requests?{q}"))
                .await,
            field,
        );
    }
    let (_, b) = f
        .get("nb.officer", "/api/v1/assist-requests?status=declined")
        .await;
    assert_eq!(json(&b)["items"][0]["id"], id.as_str(), "{b}");
    // The audit query: bad fields, then the trail one event per page.
    for (q, field) in [
        (
            format!("object_type=deadline&object_id={id}"),
            "object_type",
        ),
        (
            "object_type=assist_request&object_id=x".to_string(),
            "object_id",
        ),
        (
            format!("object_type=assist_request&object_id={id}&after=z"),
            "after",
        ),
        (
            format!("object_type=assist_request&object_id={id}&limit=0"),
            "limit",
        ),
    ] {
        assert_bad_field(
            f.get("hz.officer", &format!("/api/v1/audit?{q}")).await,
            field,
        );
    }
    let mut actions = vec![];
    let mut after = String::new();
    loop {
        let (s, b) = f
            .get(
                "hz.officer",
                &format!("/api/v1/audit?object_type=assist_request&object_id={id}&limit=1{after}"),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let v = json(&b);
        for e in v["items"].as_array().unwrap() {
            actions.push(e["action"].as_str().unwrap().to_string());
        }
        match v["next"].as_str() {
            Some(n) => after = format!("&after={n}"),
            None => break,
        }
    }
    assert_eq!(actions, ["assist.send", "assist.answer"]);
    f.finish().await;
}

/// Transfer feedback: only after acceptance, only by the receiver, the outcome required,
/// a stale version a conflict, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfer_feedback_fields_and_conflicts() {
    let f = fixture().await;
    let case = f.world.case_hz.to_string();
    let cmd = |who: &str, c: serde_json::Value| {
        let url = format!("/api/v1/cases/{case}/transitions");
        let who = who.to_string();
        let f = &f;
        async move {
            f.post_json(&who, &url, &serde_json::json!({"command": c}))
                .await
        }
    };
    let (s, b) = cmd("hz.officer", serde_json::json!({"action": "start_verification", "verifier": world::user_id("hz.officer").to_string()})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = cmd("hz.supervisor", serde_json::json!({"action": "transfer_out", "to_org": world::org_id("nb").to_string(),
        "legal_basis": "《市场监督管理行政处罚程序规定》第十八条", "reason": "管辖", "materials": []})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let t = f.store.case_file(f.world.case_hz).await.unwrap().transfers[0].clone();
    let url = format!("/api/v1/transfers/{}/feedback", t.id);
    let good = serde_json::json!({"outcome": "已立案", "reference_number": "甬市监立〔2026〕1号"});
    // Not accepted yet.
    let (s, b) = f.post_json("nb.officer", &url, &good).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, b) = cmd(
        "nb.officer",
        serde_json::json!({"action": "accept_transfer"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = f.post_json("nj.officer", &url, &good).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    let (s, b) = f.post_json("hz.officer", &url, &good).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "the sender reads but does not report: {b}"
    );
    assert_bad_field(
        f.post_json("nb.officer", &url, &serde_json::json!({"outcome": ""}))
            .await,
        "outcome",
    );
    let (s, b) = f
        .post_json(
            "nb.officer",
            &url,
            &serde_json::json!({"expected_version": t.version, "outcome": "已立案"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "accepted since: {b}");
    let (s, b) = f.post_json("nb.officer", &url, &good).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        json(&b)["feedback"]["reference_number"],
        "甬市监立〔2026〕1号"
    );
    let (s, b) = f.post_json("nb.officer", &url, &good).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "once: {b}");
    f.finish().await;
}

/// One part of a multipart body: name, file name, content type, bytes.
type Part<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a [u8]);

/// A `multipart/form-data` body of `parts`: its content type (with the boundary) and
/// bytes.
fn form_data(parts: &[Part]) -> (String, Vec<u8>) {
    let boundary = "wj-test-boundary-7a1c";
    let mut b = Vec::new();
    for (name, file, ct, bytes) in parts {
        b.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disp = format!("Content-Disposition: form-data; name=\"{name}\"");
        if let Some(f) = file {
            disp.push_str(&format!("; filename=\"{f}\""));
        }
        b.extend_from_slice(disp.as_bytes());
        b.extend_from_slice(b"\r\n");
        if let Some(ct) = ct {
            b.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        b.extend_from_slice(b"\r\n");
        b.extend_from_slice(bytes);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), b)
}

/// Who works the Hangzhou case (its agency's officers and supervisor), and who reads it
/// (they and Zhejiang's coordination office).
fn hz_case_people() -> (BTreeSet<String>, BTreeSet<String>) {
    let workers = set(&["hz.officer", "hz.officer2", "hz.supervisor"]);
    let readers = workers
        .union(&set(&["zjoffice.supervisor"]))
        .cloned()
        .collect();
    (workers, readers)
}

/// Starts verification of the Hangzhou case (its workers may then change it).
async fn start_verification(f: &Fixture) {
    let (s, b) = f
        .post_json(
            "hz.officer",
            &format!("/api/v1/cases/{}/transitions", f.world.case_hz),
            &serde_json::json!({"command": {"action": "start_verification", "verifier": world::user_id("hz.officer").to_string()}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

/// Evidence (issue 6) by every principal: upload (the case's write rule; refused uploads
/// append nothing), the list, a download and the evidence package (the case's read rule),
/// unknown and forbidden alike; the log's checkpoint and keys are public.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_by_every_principal() {
    let f = fixture().await;
    start_verification(&f).await;
    let case_hz = f.world.case_hz.to_string();
    let (hz_workers, case_readers) = hz_case_people();
    let ok = StatusCode::OK;
    let page = "<html><title>高仿 N1ke 运动鞋</title></html>";
    let (ct, upload) = form_data(&[
        (
            "file",
            Some("item.html"),
            Some("text/html"),
            page.as_bytes(),
        ),
        ("source", None, None, b"https://shop.example.com/item/1"),
    ]);
    let url = "/api/v1/cases/{id}/evidence";
    let size = f.store.log_size().await.unwrap();
    f.walk_req(
        url,
        &case_hz,
        Req::Multipart(&ct, &upload),
        &hz_workers,
        &case_readers,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(f.store.log_size().await.unwrap(), size, "refused uploads");
    assert!(f
        .store
        .case_evidence(f.world.case_hz.0)
        .await
        .unwrap()
        .is_empty());
    let (s, b) = f
        .post_multipart("hz.officer2", &url.replace("{id}", &case_hz), &ct, &upload)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let sha = json(&b)["sha256"].as_str().unwrap().to_string();
    let lists = f
        .walk(url, &case_hz, None, &case_readers, &case_readers, ok)
        .await;
    assert_eq!(lists.len(), case_readers.len());
    assert!(lists.values().all(|b| b.contains(&sha)), "{lists:?}");
    let downloads = f
        .walk(
            &format!("/api/v1/cases/{{id}}/evidence/{sha}"),
            &case_hz,
            None,
            &case_readers,
            &case_readers,
            ok,
        )
        .await;
    assert!(downloads.values().all(|b| b == page), "{downloads:?}");
    let packages = f
        .walk(
            "/api/v1/cases/{id}/evidence-package",
            &case_hz,
            None,
            &case_readers,
            &case_readers,
            ok,
        )
        .await;
    assert_eq!(packages.len(), case_readers.len());
    // A hash the case does not name answers as an unknown case does, for its readers too.
    let (us, ub) = f
        .get(
            "hz.officer",
            &format!("/api/v1/cases/{}/evidence/{sha}", uuid::Uuid::now_v7()),
        )
        .await;
    for other in [&"0".repeat(64), "../../etc/passwd", "zz"] {
        let (s, b) = f
            .get(
                "hz.officer",
                &format!("/api/v1/cases/{case_hz}/evidence/{other}"),
            )
            .await;
        assert_eq!((s, &b), (us, &ub), "{other}");
    }
    assert_eq!(us, StatusCode::NOT_FOUND);
    // The log's public face: everyone, the public included.
    for who in f.principals() {
        let (s, note) = f.get(&who, "/api/v1/log/checkpoint").await;
        assert_eq!(s, ok, "{who}: {note}");
        assert!(
            note.starts_with("wangjian.local/evidence\n"),
            "{who}: {note}"
        );
        let (s, keys) = f.get(&who, "/api/v1/log/keys").await;
        assert_eq!(s, ok, "{who}: {keys}");
        let keys = json(&keys);
        assert_eq!(keys.as_array().unwrap().len(), 1, "{keys}");
        assert!(keys[0]["public_text"]
            .as_str()
            .unwrap()
            .starts_with("wangjian.local/evidence+"));
    }
    assert_documented(
        &f,
        &[
            "/cases/{id}/evidence",
            "/cases/{id}/evidence/{sha256}",
            "/cases/{id}/evidence-package",
            "/log/checkpoint",
            "/log/keys",
        ],
    )
    .await;
    f.finish().await;
}

/// GET `uri` as `who`, keeping the bytes and headers.
async fn get_raw(f: &Fixture, who: &str, uri: &str) -> (StatusCode, header::HeaderMap, Vec<u8>) {
    let mut req = Request::get(uri);
    if let Some((sid, _)) = f.sessions.get(who) {
        req = req.header(header::COOKIE, format!("wj_session={sid}"));
    }
    let resp = send(&f.router, req.body(Body::empty()).unwrap()).await;
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, headers, bytes)
}

/// Evidence round trip: upload (the file name cut to its last path component, the media
/// type from the part, a listing), list, download with safe headers, a repeat kept once;
/// another agency and a platform get 404; a file too large (413), none (400), a bad
/// listing or media type (400 naming it), not multipart (415); the package verifies
/// offline, with the published key too, and fails with one byte flipped; without a key
/// the signing routes answer 503.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_upload_download_and_package() {
    let f = fixture().await;
    start_verification(&f).await;
    let case = f.world.case_hz.to_string();
    let url = format!("/api/v1/cases/{case}/evidence");
    let page = "<html><script>alert(1)</script>仿冒商品页面 marker-7f3e</html>";
    let (ct, up) = form_data(&[(
        "file",
        Some("../../etc/passwd"),
        Some("text/html"),
        page.as_bytes(),
    )]);
    let (s, b) = f.post_multipart("hz.officer", &url, &ct, &up).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let html = json(&b);
    assert_eq!(html["source"], "passwd", "only the last path component");
    assert_eq!(html["media_type"], "text/html");
    assert_eq!(html["size"], page.len());
    assert_eq!(
        html["captured_by"],
        world::user_id("hz.officer").to_string()
    );
    assert!(html["leaf_index"].is_u64() && html["captured_at"].is_string());
    let sha = html["sha256"].as_str().unwrap().to_string();
    // Downloads: an attachment, never rendered; HTML served as bytes.
    let (s, h, bytes) = get_raw(&f, "hz.officer", &format!("{url}/{sha}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(bytes, page.as_bytes());
    assert_eq!(h[header::CONTENT_TYPE], "application/octet-stream");
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let disp = h[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disp.starts_with("attachment;") && disp.contains("passwd") && !disp.contains(".."),
        "{disp}"
    );
    // A screenshot of a listing, with the page's URL: its own type is kept. The listing
    // must be one the store holds (the log entry names it for good).
    let png = [0x89, b'P', b'N', b'G', 13, 10, 26, 10, 1, 2, 3];
    let (ct, up) = form_data(&[
        (
            "listing",
            None,
            None,
            uuid::Uuid::now_v7().to_string().as_bytes(),
        ),
        ("file", Some("shot.png"), Some("image/png"), &png),
    ]);
    let (s, b) = f.post_multipart("hz.supervisor", &url, &ct, &up).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(json(&b)["error"]["field"], "listing");
    let listing = wangjian_domain::lead::listing_id_for(world::org_id("plata"), "L1").0;
    let (ct, up) = form_data(&[
        ("listing", None, None, listing.to_string().as_bytes()),
        ("file", Some("shot.png"), Some("image/png"), &png),
        ("source", None, None, b"https://shop.example.com/item/9"),
    ]);
    let (s, b) = f.post_multipart("hz.supervisor", &url, &ct, &up).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let shot = json(&b);
    assert_eq!(shot["listing"], listing.to_string());
    assert_eq!(shot["source"], "https://shop.example.com/item/9");
    let shot_sha = shot["sha256"].as_str().unwrap().to_string();
    let (_, h, bytes) = get_raw(&f, "hz.officer", &format!("{url}/{shot_sha}")).await;
    assert_eq!(bytes, png);
    assert_eq!(h[header::CONTENT_TYPE], "image/png");
    // The same bytes again: the earlier entry, nothing appended.
    let size = f.store.log_size().await.unwrap();
    let (s, b) = f.post_multipart("hz.officer", &url, &ct, &up).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(json(&b)["already_captured"], true);
    assert_eq!(json(&b)["leaf_index"], shot["leaf_index"]);
    assert_eq!(f.store.log_size().await.unwrap(), size);
    let (s, b) = f.get("hz.officer", &url).await;
    assert_eq!(s, StatusCode::OK);
    let list: Vec<String> = json(&b)
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["sha256"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(list, [sha.clone(), shot_sha.clone()]);
    // Another province's agency and a platform: the unknown id's 404, for every route.
    for who in ["nj.officer", "plata.operator"] {
        for uri in [
            url.clone(),
            format!("{url}/{sha}"),
            format!("/api/v1/cases/{case}/evidence-package"),
        ] {
            let (s, b) = f.get(who, &uri).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{who} {uri}: {b}");
        }
        let (s, _) = f.post_multipart(who, &url, &ct, &up).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{who} uploads");
    }
    // Bad uploads, each naming its field; nothing appended.
    let size = f.store.log_size().await.unwrap();
    let big = vec![b'x'; 20 * 1024 * 1024 + 1];
    let (ct, up) = form_data(&[("file", Some("big.bin"), None, &big)]);
    let (s, b) = f.post_multipart("hz.officer", &url, &ct, &up).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{b}");
    assert_eq!(json(&b)["error"]["field"], "file", "{b}");
    let (ct, up) = form_data(&[("source", None, None, b"https://shop.example.com/x")]);
    assert_bad_field(f.post_multipart("hz.officer", &url, &ct, &up).await, "file");
    let (ct, up) = form_data(&[("file", Some("e.txt"), Some("text/plain"), b"")]);
    assert_bad_field(f.post_multipart("hz.officer", &url, &ct, &up).await, "file");
    let (ct, up) = form_data(&[
        ("file", Some("a.txt"), Some("text/plain"), b"abc"),
        ("listing", None, None, b"not-an-id"),
    ]);
    assert_bad_field(
        f.post_multipart("hz.officer", &url, &ct, &up).await,
        "listing",
    );
    let (ct, up) = form_data(&[
        ("file", Some("a.txt"), None, b"abc"),
        ("media_type", None, None, b"text/plain\r\nX-Evil: 1"),
    ]);
    assert_bad_field(
        f.post_multipart("hz.officer", &url, &ct, &up).await,
        "media_type",
    );
    let (s, b) = f
        .post_json("hz.officer", &url, &serde_json::json!({"file": "x"}))
        .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{b}");
    assert_eq!(f.store.log_size().await.unwrap(), size, "bad uploads");

    // The package verifies offline, with the key the log publishes too.
    let (s, h, pkg) = get_raw(
        &f,
        "zjoffice.supervisor",
        &format!("/api/v1/cases/{case}/evidence-package"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(h[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    let report = wangjian_ledger::verify_package(&pkg, None);
    assert!(report.is_valid(), "{:?}", report.problems);
    assert_eq!(report.summary.blobs, 2);
    let (_, keys) = f.get("public", "/api/v1/log/keys").await;
    let mut ring = wangjian_ledger::Keyring::default();
    for k in json(&keys).as_array().unwrap() {
        ring.add(wangjian_ledger::VerifierKey::parse(k["public_text"].as_str().unwrap()).unwrap());
    }
    assert!(wangjian_ledger::verify_package(&pkg, Some(&ring)).is_valid());
    let (_, note) = f.get("public", "/api/v1/log/checkpoint").await;
    assert_eq!(
        report.summary.tree_size,
        Some(
            wangjian_ledger::SignedCheckpoint::parse(&note)
                .unwrap()
                .checkpoint
                .size
        ),
        "the public checkpoint is the package's head (nothing appended since)"
    );
    // One byte of the captured page flipped: the package fails.
    let at = pkg
        .windows(11)
        .position(|w| w == b"marker-7f3e")
        .expect("the page is in the package");
    let mut bad = pkg.clone();
    bad[at] ^= 0x01;
    let report = wangjian_ledger::verify_package(&bad, None);
    assert!(!report.is_valid(), "a flipped byte must fail");

    // No signing key: 503 naming it, on both signing routes; the stored head is still
    // served (reading it needs no key).
    let keyless = router(AppState::new(
        Directory::Store(f.store.clone()),
        ServerConfig::default(),
    ));
    let (sid, csrf) = sign_in(&keyless, "hz.officer").await;
    for (method, uri) in [
        ("GET", format!("/api/v1/cases/{case}/evidence-package")),
        ("POST", "/api/v1/log/checkpoint".to_string()),
    ] {
        let (s, b) = body(
            send(
                &keyless,
                Request::builder()
                    .method(method)
                    .uri(&uri)
                    .header(header::COOKIE, format!("wj_session={sid}"))
                    .header("x-csrf-token", csrf.as_str())
                    .body(Body::empty())
                    .unwrap(),
            )
            .await,
        )
        .await;
        assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{uri}: {b}");
        assert_eq!(json(&b)["error"]["code"], "unavailable", "{b}");
        assert!(b.contains("--log-key"), "{b}");
    }
    let (s, _) = body(
        send(
            &keyless,
            Request::get("/api/v1/log/checkpoint")
                .body(Body::empty())
                .unwrap(),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    f.finish().await;
}

/// Regression (issue 15, finding 8): the public `GET /api/v1/log/checkpoint` signed and
/// stored a tree head whenever the log had grown, so anyone could make the server sign
/// and write (and take the log's lock) at will. The GET serves the stored head; signing
/// is `POST` (agencies' and offices' workers), the server's periodic signer, the package
/// route and the CLI.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_checkpoint_is_read_and_never_signed() {
    let f = fixture().await;
    assert!(
        f.store.log_size().await.unwrap() > 0,
        "the world's events are logged"
    );
    let heads = || async { f.store.tree_heads().await.unwrap().len() };
    let before = heads().await;
    let (s, b) = f.get("public", "/api/v1/log/checkpoint").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "nothing signed yet: {b}");
    assert_eq!(heads().await, before, "a GET signs nothing");
    // Signing is a write, for agencies' and coordination offices' workers.
    for (who, want) in [
        ("public", StatusCode::UNAUTHORIZED),
        ("plata.operator", StatusCode::FORBIDDEN),
        ("rha.agent", StatusCode::FORBIDDEN),
    ] {
        let (s, b) = f
            .post_json(who, "/api/v1/log/checkpoint", &serde_json::json!({}))
            .await;
        assert_eq!(s, want, "{who}: {b}");
    }
    assert_eq!(heads().await, before);
    let (s, signed) = f
        .post_json(
            "zjoffice.supervisor",
            "/api/v1/log/checkpoint",
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{signed}");
    assert_eq!(heads().await, before + 1);
    let (s, read) = f.get("public", "/api/v1/log/checkpoint").await;
    assert_eq!((s, &read), (StatusCode::OK, &signed));
    // The log grows; the public still reads the stored head, and nothing is signed…
    start_verification(&f).await;
    for _ in 0..3 {
        let (_, again) = f.get("public", "/api/v1/log/checkpoint").await;
        assert_eq!(again, signed);
    }
    assert_eq!(heads().await, before + 1);
    // …until the server's signer runs.
    let size = f.store.log_size().await.unwrap();
    assert_eq!(
        wangjian_server::api::evidence::sign_if_grown(&f.state)
            .await
            .unwrap(),
        Some(size)
    );
    assert_eq!(
        wangjian_server::api::evidence::sign_if_grown(&f.state)
            .await
            .unwrap(),
        None,
        "nothing to sign: the head covers the log"
    );
    let (_, fresh) = f.get("public", "/api/v1/log/checkpoint").await;
    let c = wangjian_ledger::SignedCheckpoint::parse(&fresh).unwrap();
    assert_eq!(c.checkpoint.size, size);
    f.finish().await;
}

/// Regression (issue 15, finding 8): the evidence upload's `listing` id entered the signed
/// log unchecked. It must name a listing the uploader can see; else 400 naming `listing`,
/// and nothing is appended.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_names_only_listings_the_uploader_can_see() {
    let f = fixture().await;
    start_verification(&f).await;
    let url = format!("/api/v1/cases/{}/evidence", f.world.case_hz);
    let size = f.store.log_size().await.unwrap();
    let png = [0x89, b'P', b'N', b'G', 13, 10, 26, 10, 7];
    for listing in [
        uuid::Uuid::now_v7().to_string(),
        "not-a-listing".to_string(),
    ] {
        let (ct, up) = form_data(&[
            ("listing", None, None, listing.as_bytes()),
            ("file", Some("shot.png"), Some("image/png"), &png),
        ]);
        let (s, b) = f.post_multipart("hz.officer", &url, &ct, &up).await;
        assert_bad_field((s, b), "listing");
    }
    assert_eq!(f.store.log_size().await.unwrap(), size, "nothing appended");
    let known = wangjian_domain::lead::listing_id_for(world::org_id("plata"), "L2").0;
    let (ct, up) = form_data(&[
        ("listing", None, None, known.to_string().as_bytes()),
        ("file", Some("shot.png"), Some("image/png"), &png),
    ]);
    let (s, b) = f.post_multipart("hz.officer", &url, &ct, &up).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(json(&b)["listing"], known.to_string());
    f.finish().await;
}

/// Regression (issue 15, finding 7): complainants' contacts were answered in full in the
/// lists (`GET /api/v1/complaints`, 500 a page) and on every page, and tracking numbers
/// were stored in clear. Lists and details mask the contact; the handling agency's
/// workers read it in full one complaint at a time, each read an audit event; everyone
/// else gets the unknown id's answer; the store keeps the tracking number's digest only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn complaint_contacts_are_masked_and_each_full_read_is_recorded() {
    let f = fixture().await;
    let csrf = portal_csrf(&f.router).await;
    let phone = "13800138000";
    let (s, html) = portal_submit(
        &f.router,
        &csrf,
        &[
            ("kind", "report"),
            ("region", "330106"),
            ("text", "这家店铺销售假冒耐克运动鞋，我是附近的店主。"),
            ("contact", "张三 13800138000"),
        ],
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{html}");
    let number = tracking_number_in(&html);
    let stored = f
        .store
        .complaint_by_tracking(&number)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !serde_json::to_string(&stored).unwrap().contains(&number),
        "the store keeps no tracking number"
    );
    let id = stored.id.to_string();
    let hz_workers = set(&["hz.officer", "hz.officer2", "hz.supervisor"]);
    for who in &hz_workers {
        for uri in [
            "/api/v1/complaints".to_string(),
            format!("/api/v1/complaints/{id}"),
            "/complaints".to_string(),
            format!("/complaints/{id}"),
        ] {
            let (s, b) = f.get(who, &uri).await;
            assert_eq!(s, StatusCode::OK, "{who} {uri}");
            assert!(!b.contains(phone), "{who} {uri}: the contact in full");
            assert!(!b.contains(&number), "{who} {uri}: the tracking number");
            if uri.starts_with("/api/") || uri.ends_with(&id) {
                assert!(b.contains("张***8000"), "{who} {uri}: masked: {b}");
            }
        }
    }
    let reads = || async {
        f.store
            .object_trail(wangjian_domain::ObjectType::Complaint, stored.id.0)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.event.action == "complaint.read_contact")
            .map(|e| e.event.actor)
            .collect::<Vec<_>>()
    };
    assert!(
        reads().await.is_empty(),
        "listing and reading record nothing"
    );
    // Nobody else reads it; the refusals record nothing.
    f.walk(
        "/api/v1/complaints/{id}/contact",
        &id,
        Some(&serde_json::json!({})),
        &hz_workers,
        &hz_workers,
        StatusCode::OK,
    )
    .await;
    assert!(reads().await.is_empty());
    // The handling officer reads it over the API, the supervisor on the page: recorded.
    let (s, b) = f
        .post_json(
            "hz.officer",
            &format!("/api/v1/complaints/{id}/contact"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(json(&b)["contact"], "张三 13800138000");
    let (sid, token) = &f.sessions["hz.supervisor"];
    let (s, page) = body(
        send(
            &f.router,
            Request::post(format!("/complaints/{id}/contact"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, format!("wj_session={sid}"))
                .body(Body::from(format!("_csrf={token}")))
                .unwrap(),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("张三 13800138000") && page.contains("complaint.read_contact"));
    assert_eq!(
        reads().await,
        [
            world::user_id("hz.officer"),
            world::user_id("hz.supervisor")
        ]
    );
    // The trail shows the reads by field names only: no value of the contact.
    let (_, trail) = f
        .get("hz.officer", &format!("/api/v1/complaints/{id}/trail"))
        .await;
    assert!(trail.contains("complaint.read_contact") && !trail.contains(phone));
    assert_documented(&f, &["/complaints/{id}/contact"]).await;
    f.finish().await;
}

/// Regression (issue 15, finding 6): the portal read (and hashed) a whole 8 MB body
/// before its per-address limit. The limit is checked first: a flood costs the headers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_limits_are_checked_before_the_body_is_read() {
    let f = fixture().await;
    let csrf = portal_csrf(&f.router).await;
    let ip = [10, 2, 0, 1];
    let short = [("kind", "report"), ("region", "330106"), ("text", "短")];
    for _ in 0..5 {
        let (s, _) = portal_submit_from(&f.router, &csrf, ip, &short, &[]).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
    }
    let boundary = "wj-flood";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n"
    );
    let (flood, taken) = common::counting(8 * 1024 * 1024, head.as_bytes(), b"a");
    let req = Request::post("/portal/submit")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::COOKIE, format!("wj_csrf={csrf}"))
        .body(flood)
        .unwrap();
    let (s, b) = body(send(&f.router, from_ip(req, ip)).await).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{b}");
    assert_eq!(common::taken(&taken), 0, "not a byte of the body was read");
    f.finish().await;
}

/// Regression (issue 15, finding 4), with tokens kept in the store: an `ingest` token of
/// the Hangzhou officer read the case page, the complaints with their contacts and the
/// attachments through the console. Outside `/api/` a token is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_pages_refuse_api_tokens() {
    let f = fixture().await;
    let csrf = portal_csrf(&f.router).await;
    let (s, html) = portal_submit(
        &f.router,
        &csrf,
        &[
            ("kind", "complaint"),
            ("region", "330106"),
            ("text", "在平台购买的耐克鞋是假货，商家拒绝退款。"),
            ("contact", "李四 13900001111"),
        ],
        &[("shot.png", b"PNG bytes".to_vec())],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{html}");
    let c = f
        .store
        .complaint_by_tracking(&tracking_number_in(&html))
        .await
        .unwrap()
        .unwrap();
    let (s, b) = f
        .post_json(
            "hz.officer",
            "/api/v1/tokens",
            &serde_json::json!({"name": "push", "scopes": ["ingest"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let secret = json(&b)["secret"].as_str().unwrap().to_string();
    for uri in [
        format!("/cases/{}", f.world.case_hz),
        "/complaints".to_string(),
        format!("/complaints/{}", c.id),
        format!("/complaints/{}/attachments/0", c.id),
        format!("/leads/{}", f.world.lead_hz),
        "/dashboard".to_string(),
    ] {
        let (s, b) = body(
            send(
                &f.router,
                Request::get(&uri)
                    .header(header::AUTHORIZATION, format!("Bearer {secret}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await,
        )
        .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{uri}: {b}");
        assert!(
            !b.contains("13900001111") && !b.contains("PNG bytes"),
            "{uri}"
        );
    }
    f.finish().await;
}

/// The statistics reports (issue 16) by every principal: a unit reads its own report, the
/// coordination office its region's (aggregate and each unit), a platform only its own
/// weekly report (附件1); only a unit's supervisor (a platform's operator) submits, once;
/// the submissions and the reporting calendar are scoped alike; downloads as XLSX and
/// CSV; the console page and the board's late reports.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_by_every_principal() {
    use wangjian_domain::report::{Period, PeriodKind};
    let f = fixture().await;
    let today = wangjian_calendar::shanghai_date(chrono::Utc::now());
    // Last month and last week: started, whatever the date the test runs.
    let month = Period::containing(PeriodKind::Month, today)
        .prev()
        .to_string();
    let week = Period::containing(PeriodKind::Week, today)
        .prev()
        .to_string();
    let agency_workers = [
        "hz.officer",
        "hz.officer2",
        "hz.supervisor",
        "nb.officer",
        "nj.officer",
        "hzpolice.officer",
    ];
    let offices = ["zjoffice.supervisor", "jsoffice.supervisor"];
    let platforms = ["plata.operator", "platb.operator"];
    for who in f.principals() {
        let (s, b) = f
            .get(&who, &format!("/api/v1/reports/monthly?period={month}"))
            .await;
        let want = if who == "public" {
            StatusCode::UNAUTHORIZED
        } else if agency_workers.contains(&who.as_str()) || offices.contains(&who.as_str()) {
            StatusCode::OK
        } else if platforms.contains(&who.as_str()) {
            // A platform files no monthly statistics.
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(s, want, "{who} monthly: {b}");
        let (s, b) = f
            .get(
                &who,
                &format!("/api/v1/reports/platform-weekly?period={week}"),
            )
            .await;
        let want = if who == "public" {
            StatusCode::UNAUTHORIZED
        } else if platforms.contains(&who.as_str()) || offices.contains(&who.as_str()) {
            StatusCode::OK
        } else if agency_workers.contains(&who.as_str()) {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(s, want, "{who} platform-weekly: {b}");
        let (s, _) = f.get(&who, "/reports").await;
        let want = if who == "public" {
            StatusCode::SEE_OTHER
        } else {
            StatusCode::OK
        };
        assert_eq!(s, want, "{who} /reports");
    }
    // Another unit's report: its region's office only.
    let hz = world::org_id("hz");
    let plata = world::org_id("plata");
    for (who, uri, want) in [
        (
            "nb.officer",
            format!("/api/v1/reports/monthly?period={month}&org={hz}"),
            StatusCode::NOT_FOUND,
        ),
        (
            "zjoffice.supervisor",
            format!("/api/v1/reports/monthly?period={month}&org={hz}"),
            StatusCode::OK,
        ),
        (
            "jsoffice.supervisor",
            format!("/api/v1/reports/monthly?period={month}&org={hz}"),
            StatusCode::NOT_FOUND,
        ),
        (
            "plata.operator",
            format!("/api/v1/reports/monthly?period={month}&org={hz}"),
            StatusCode::NOT_FOUND,
        ),
        (
            "platb.operator",
            format!("/api/v1/reports/platform-weekly?period={week}&org={plata}"),
            StatusCode::NOT_FOUND,
        ),
        (
            "hz.supervisor",
            format!("/api/v1/reports/platform-weekly?period={week}&org={plata}"),
            StatusCode::NOT_FOUND,
        ),
        (
            "zjoffice.supervisor",
            format!("/api/v1/reports/platform-weekly?period={week}&org={plata}"),
            StatusCode::OK,
        ),
        (
            "nb.officer",
            format!("/api/v1/reports/monthly?period={month}&region=330000"),
            StatusCode::FORBIDDEN,
        ),
        (
            "jsoffice.supervisor",
            format!("/api/v1/reports/monthly?period={month}&region=330000"),
            StatusCode::NOT_FOUND,
        ),
        (
            "zjoffice.supervisor",
            format!("/api/v1/reports/monthly?period={month}&region=330100"),
            StatusCode::OK,
        ),
    ] {
        let (s, b) = f.get(who, &uri).await;
        assert_eq!(s, want, "{who} {uri}: {b}");
    }
    // Bad input names the field.
    assert_bad_field(
        f.get("hz.officer", "/api/v1/reports/monthly?period=2026-13")
            .await,
        "period",
    );
    assert_bad_field(
        f.get(
            "hz.officer",
            &format!("/api/v1/reports/weekly?period={week}"),
        )
        .await,
        "kind",
    );
    assert_bad_field(
        f.get(
            "hz.officer",
            &format!("/api/v1/reports/monthly?period={month}&format=pdf"),
        )
        .await,
        "format",
    );
    // Downloads.
    let (s, x) = f
        .get(
            "hz.officer",
            &format!("/api/v1/reports/case-progress?period={week}&format=xlsx"),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(x.starts_with("PK"), "an XLSX is a zip");
    let (s, c) = f
        .get(
            "hz.officer",
            &format!("/api/v1/reports/monthly?period={month}&format=csv"),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(c.starts_with("\u{feff}填报单位,"), "{c}");
    // Submitting: an officer may not, the office may not, the supervisor once.
    let body = serde_json::json!({ "period": month });
    for (who, want) in [
        ("hz.officer", StatusCode::FORBIDDEN),
        ("zjoffice.supervisor", StatusCode::FORBIDDEN),
        ("hz.admin", StatusCode::NOT_FOUND),
        ("public", StatusCode::UNAUTHORIZED),
        ("hz.supervisor", StatusCode::CREATED),
        ("hz.supervisor", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let (s, b) = f.post_json(who, "/api/v1/reports/monthly", &body).await;
        assert_eq!(s, want, "{who} submits: {b}");
    }
    let (s, b) = f
        .post_json(
            "plata.operator",
            "/api/v1/reports/platform-weekly",
            &serde_json::json!({ "period": week }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    for (who, n) in [
        ("hz.officer", 1),
        ("zjoffice.supervisor", 2),
        ("nb.officer", 0),
        ("jsoffice.supervisor", 0),
        ("plata.operator", 1),
        ("platb.operator", 0),
        ("rha.agent", 0),
    ] {
        let (s, b) = f.get(who, "/api/v1/reports/submissions").await;
        assert_eq!(s, StatusCode::OK, "{who}");
        assert_eq!(json(&b).as_array().map(Vec::len), Some(n), "{who}: {b}");
    }
    let (s, b) = f
        .get(
            "zjoffice.supervisor",
            &format!("/api/v1/reports/monthly?period={month}&org={hz}&submitted=true"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, _) = f
        .get(
            "nb.officer",
            &format!("/api/v1/reports/monthly?period={month}&org={hz}&submitted=true"),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The calendar: an office sees its region's units, a unit itself.
    let (_, b) = f
        .get("zjoffice.supervisor", "/api/v1/reports/calendar")
        .await;
    let units: BTreeSet<String> = json(&b)
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["unit_name"].as_str().unwrap().to_string())
        .collect();
    assert!(units.len() >= 2, "{units:?}");
    let (_, b) = f.get("nb.officer", "/api/v1/reports/calendar").await;
    assert!(json(&b)
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["unit"] == serde_json::json!(world::org_id("nb"))));
    let (_, board) = f.get("zjoffice.supervisor", "/board").await;
    assert!(board.contains("id=\"late-reports\""));
    assert_documented(
        &f,
        &[
            "/reports/{kind}",
            "/reports/submissions",
            "/reports/calendar",
        ],
    )
    .await;
    f.finish().await;
}

/// Notice and takedown (issue 16) by every principal and with bad input: sending (one
/// transaction; a listing that does not exist, another platform's, a duplicate open
/// notice, a platform sending: each a 4xx that writes nothing), reading (the sender's
/// workers and the receiving platform only; everyone else the unknown id's 404), every
/// step by the party the machine names (another platform 404, the sender 403, out of
/// order 422), no answer once the case is closed, self-inspection by the platform only,
/// and a platform's weekly figures, metrics and notifiers for regulators and itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_by_every_principal_and_bad_input() {
    let f = fixture().await;
    let plata = world::org_id("plata").to_string();
    let l1 = wangjian_domain::lead::listing_id_for(world::org_id("plata"), "L1").to_string();
    let l2 = wangjian_domain::lead::listing_id_for(world::org_id("plata"), "L2").to_string();
    let count = |f: &Fixture| {
        let store = f.store.clone();
        async move {
            let mut n = 0;
            store
                .export_table("notices", |_| {
                    n += 1;
                    Ok(())
                })
                .await
                .unwrap();
            n
        }
    };
    let first = serde_json::json!({"platform": plata, "listings": [l1], "ground": "注册商标第1234567号 耐克 假冒", "case": f.world.case_hz.to_string()});
    let (s, b) = f.post_json("hz.officer", "/api/v1/notices", &first).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let id = json(&b)["ids"][0].as_str().unwrap().to_string();
    assert_eq!(count(&f).await, 1);
    // Bad input: each refused, naming the item; nothing written.
    let missing = uuid::Uuid::now_v7().to_string();
    for (who, body, status, needle) in [
        (
            "hz.officer",
            serde_json::json!({"platform": plata, "listings": [l2, missing], "ground": "假冒商品"}),
            StatusCode::BAD_REQUEST,
            "listings[1]",
        ),
        (
            "hz.officer",
            serde_json::json!({"platform": plata, "listings": [l2, l1], "ground": "假冒商品"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "open notice",
        ),
        (
            "hz.officer",
            serde_json::json!({"platform": world::org_id("platb").to_string(), "listings": [l2], "ground": "假冒商品"}),
            StatusCode::BAD_REQUEST,
            "another platform",
        ),
        (
            "hz.officer",
            serde_json::json!({"platform": plata, "listings": [l2, l2], "ground": "假冒商品"}),
            StatusCode::BAD_REQUEST,
            "listings[1]",
        ),
        (
            "plata.operator",
            serde_json::json!({"platform": plata, "listings": [l2], "ground": "假冒商品"}),
            StatusCode::FORBIDDEN,
            "send",
        ),
    ] {
        let (s, b) = f.post_json(who, "/api/v1/notices", &body).await;
        assert_eq!(s, status, "{who} {body}: {b}");
        assert!(b.contains(needle), "{b}");
    }
    assert_eq!(count(&f).await, 1, "refused batches write nothing");
    // Reads: hz's workers and the platform; everyone else 404 like an unknown id.
    let readers = set(&[
        "hz.officer",
        "hz.officer2",
        "hz.supervisor",
        "plata.operator",
    ]);
    let (_, unknown) = f
        .get("plata.operator", &format!("/api/v1/notices/{missing}"))
        .await;
    for who in f.principals() {
        let (s, b) = f.get(&who, &format!("/api/v1/notices/{id}")).await;
        if readers.contains(&who) {
            assert_eq!(s, StatusCode::OK, "{who}: {b}");
            assert_eq!(json(&b)["state"], "sent");
        } else if who == "public" {
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{who}");
        } else {
            assert_eq!((s, &b), (StatusCode::NOT_FOUND, &unknown), "{who}");
        }
        let (s, b) = f.get(&who, "/api/v1/notices").await;
        if who != "public" {
            assert_eq!(s, StatusCode::OK);
            let n = json(&b)["items"].as_array().unwrap().len();
            assert_eq!(n, usize::from(readers.contains(&who)), "{who} lists");
        }
    }
    // Steps: the wrong platform, the sender, out of order; then the platform's path.
    let step = |a: &str| serde_json::json!({"action": a});
    let url = format!("/api/v1/notices/{id}/steps");
    let (s, _) = f
        .post_json("platb.operator", &url, &step("acknowledge"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, b) = f.post_json("hz.officer", &url, &step("acknowledge")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = f.post_json("plata.operator", &url, &step("forward")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, b) = f.post_json("plata.operator", &url, &step("nonsense")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let (s, b) = f
        .post_json("plata.operator", &url, &step("acknowledge"))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(json(&b)["state"], "acknowledged");
    let (s, b) = f
        .post_json(
            "plata.operator",
            &url,
            &serde_json::json!({"action": "act", "measure": "removed"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(b.contains("statement"), "{b}");
    let act = serde_json::json!({"action": "act", "measure": "removed", "expected_version": 2,
        "statement": {"ground": "illegal", "legal_ground": "《商标法》第五十七条", "facts": "标题使用他人注册商标", "redress": "可提交不侵权声明", "automated_detection": true}});
    let (s, b) = f.post_json("plata.operator", &url, &act).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(json(&b)["statement"]["decision"], "removed");
    let (s, _) = f.post_json("plata.operator", &url, &act).await;
    assert_eq!(s, StatusCode::CONFLICT, "a stale version");
    for a in ["forward"] {
        let (s, b) = f.post_json("plata.operator", &url, &step(a)).await;
        assert_eq!(s, StatusCode::OK, "{a}: {b}");
    }
    let (s, b) = f.post_json("plata.operator", &url, &serde_json::json!({"action": "object", "declaration": {"text": "本店商品为正品授权", "evidence": ["授权书 A-1"]}})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = f
        .post_json("plata.operator", &url, &step("forward_objection"))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(json(&b)["response_due"].is_string());
    let restore = serde_json::json!({"action": "restore",
        "statement": {"ground": "illegal", "legal_ground": "电子商务法第四十三条", "facts": "十五日内未收到投诉或起诉", "redress": "权利人可起诉"}});
    let (s, b) = f.post_json("plata.operator", &url, &restore).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "the 15 days run: {b}");
    // The case closes (declined): no further step on its notice.
    start_verification(&f).await;
    let (s, b) = f
        .post_json(
            "hz.supervisor",
            &format!("/api/v1/cases/{}/transitions", f.world.case_hz),
            &serde_json::json!({"command": {"action": "decline", "reason": "不构成违法"}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = f.post_json("hz.officer", &url, &step("escalate")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.contains("closed"), "{b}");
    // A rights holder notifies directly; hz does not see it.
    let (s, b) = f.post_json("rha.agent", "/api/v1/notices", &serde_json::json!({"platform": plata, "listings": [l2], "ground": "耐克注册商标 第1234567号"})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let rid = json(&b)["ids"][0].as_str().unwrap().to_string();
    let (_, b) = f.get("rha.agent", &format!("/api/v1/notices/{rid}")).await;
    assert_eq!(json(&b)["source"], "rights_holder");
    let (s, _) = f.get("hz.officer", &format!("/api/v1/notices/{rid}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, b) = f.get("plata.operator", "/api/v1/notices/queue").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        json(&b).as_array().unwrap().len(),
        2,
        "the new notice and the one whose period runs"
    );
    // Self-inspection: the platform only.
    let rec = serde_json::json!({"shop": "shop1", "action": "delist", "reason": "自查发现售假", "listings": [l1]});
    let (s, b) = f
        .post_json("hz.officer", "/api/v1/self-inspections", &rec)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = f
        .post_json(
            "plata.operator",
            "/api/v1/self-inspections",
            &serde_json::json!({"shop": "shop1", "action": "rectify", "reason": "自查发现售假"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(b.contains("rectify_by"), "{b}");
    let (s, b) = f
        .post_json("plata.operator", "/api/v1/self-inspections", &rec)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // Figures: regulators and the platform itself; another platform and rights holders 404.
    let week = wangjian_app::notices::weekly::IsoWeek::of(wangjian_calendar::shanghai_date(
        chrono::Utc::now(),
    ))
    .to_string();
    for who in f.principals() {
        let agency_or_office = !who.starts_with("plat")
            && !who.starts_with("rh")
            && !who.ends_with(".admin")
            && who != "public";
        let may = agency_or_office || who == "plata.operator";
        for path in [
            format!("/api/v1/platforms/{plata}/weekly?week={week}"),
            format!("/api/v1/platforms/{plata}/notice-metrics"),
            format!("/api/v1/platforms/{plata}/notifiers"),
            format!("/api/v1/platforms/{plata}/self-inspections"),
        ] {
            let (s, b) = f.get(&who, &path).await;
            match (who.as_str(), may) {
                ("public", _) => assert_eq!(s, StatusCode::UNAUTHORIZED),
                (_, true) => assert_eq!(s, StatusCode::OK, "{who} {path}: {b}"),
                (_, false) => assert_eq!(s, StatusCode::NOT_FOUND, "{who} {path}: {b}"),
            }
        }
    }
    let (_, b) = f
        .get(
            "plata.operator",
            &format!("/api/v1/platforms/{plata}/weekly?week={week}"),
        )
        .await;
    let w = json(&b);
    assert_eq!(w["notices_received"], 2, "{w}");
    assert_eq!(w["notices_acted"], 1, "{w}");
    assert_eq!(
        w["listings_removed"], 2,
        "one on the notice, one delisted: {w}"
    );
    assert_eq!(w["listings_removed_proactively"], 1, "{w}");
    let (s, _) = f
        .get(
            "plata.operator",
            &format!("/api/v1/platforms/{plata}/weekly?week=2026-W54"),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (_, b) = f
        .get(
            "hz.officer",
            &format!("/api/v1/platforms/{plata}/notice-metrics"),
        )
        .await;
    assert_eq!(json(&b)["decided"], 1, "{b}");
    // The console: the platform's queue and the sent notice's page with its step forms; a
    // form step; the duties page for regulators and the platform, not another platform.
    let form = |who: &str, uri: String, fields: String| {
        let (sid, csrf) = f.sessions[who].clone();
        let router = f.router.clone();
        async move {
            send(
                &router,
                Request::post(uri)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::COOKIE, format!("wj_session={sid}"))
                    .body(Body::from(format!("_csrf={csrf}&{fields}")))
                    .unwrap(),
            )
            .await
        }
    };
    let (s, html) = f.get("plata.operator", "/notices").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains(&format!("/notices/{rid}")),
        "the queue lists the new notice"
    );
    let (s, html) = f.get("plata.operator", &format!("/notices/{rid}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("step-acknowledge"),
        "the platform's step form"
    );
    let (s, html) = f.get("rha.agent", &format!("/notices/{rid}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("step-withdraw") && !html.contains("step-acknowledge"));
    let (s, _) = f.get("platb.operator", &format!("/notices/{rid}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let resp = form(
        "plata.operator",
        format!("/notices/{rid}/steps"),
        "action=acknowledge".into(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, b) = f
        .get("plata.operator", &format!("/api/v1/notices/{rid}"))
        .await;
    assert_eq!(json(&b)["state"], "acknowledged");
    let resp = form(
        "plata.operator",
        format!("/notices/{rid}/steps"),
        "action=forward".into(),
    )
    .await;
    let to = resp.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        to.contains("error="),
        "out of order: back with the reason ({to})"
    );
    let resp = form(
        "rha.agent",
        "/notices".into(),
        format!("platform={plata}&listings=not-an-id&ground=%E5%81%87%E5%86%92%E5%95%86%E5%93%81"),
    )
    .await;
    let to = resp.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        to.contains("line%201") || to.contains("line+1") || to.contains("line 1"),
        "{to}"
    );
    for (who, status) in [
        ("hz.officer", StatusCode::OK),
        ("zjoffice.supervisor", StatusCode::OK),
        ("plata.operator", StatusCode::OK),
        ("platb.operator", StatusCode::NOT_FOUND),
        ("rha.agent", StatusCode::NOT_FOUND),
    ] {
        let (s, html) = f.get(who, &format!("/platforms/{plata}")).await;
        assert_eq!(s, status, "{who}");
        if s == StatusCode::OK {
            assert!(html.contains("id=\"weekly\""), "{who}");
        }
    }
    let (s, b) = f
        .get(
            "plata.operator",
            &format!("/api/v1/audit?object_type=notice&object_id={id}"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(b.contains("notice.forward_objection"), "{b}");
    let (s, _) = f
        .get(
            "platb.operator",
            &format!("/api/v1/audit?object_type=notice&object_id={id}"),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_documented(
        &f,
        &[
            "/notices",
            "/notices/{id}",
            "/notices/{id}/steps",
            "/notices/queue",
            "/self-inspections",
            "/platforms/{id}/weekly",
            "/platforms/{id}/notice-metrics",
            "/platforms/{id}/notifiers",
        ],
    )
    .await;
    f.finish().await;
}

/// Credit, the list, screening and disclosure (issue 17), by every principal: credit
/// files are read by agencies' and coordination offices' workers only (everyone else gets
/// the unknown id's answer); listing is decided by an agency's supervisor; screening is
/// for platforms and agencies; publication only by the deciding agency's supervisor; the
/// public pages answer everyone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credit_blacklist_screening_and_disclosure_by_every_principal() {
    let f = fixture().await;
    let firm = wangjian_domain::subject::Subject::enterprise(
        wangjian_domain::SubjectId::from_u128(0x5001),
        "杭州鑫达贸易有限公司",
        "91330106MA27XXXXX1",
    )
    .unwrap();
    f.store.put_subject(&firm).await.unwrap();
    let credit = format!("/api/v1/subjects/{}/credit", firm.id);
    let unknown = format!("/api/v1/subjects/{}/credit", uuid::Uuid::now_v7());
    let readers = set(&[
        "hz.officer",
        "hz.officer2",
        "hz.supervisor",
        "nb.officer",
        "nj.officer",
        "hzpolice.officer",
        "zjoffice.supervisor",
        "jsoffice.supervisor",
    ]);
    let screeners: BTreeSet<String> = readers
        .union(&set(&["plata.operator", "platb.operator"]))
        .cloned()
        .collect();
    let today = wangjian_calendar::shanghai_date(chrono::Utc::now()).to_string();
    for who in f.principals() {
        let (s, b) = f.get(&who, &credit).await;
        let (us, ub) = f.get(&who, &unknown).await;
        if readers.contains(&who) {
            assert_eq!(s, StatusCode::OK, "{who}: {b}");
            assert_eq!(us, StatusCode::NOT_FOUND);
        } else {
            assert_eq!((s, &b), (us, &ub), "{who}: no existence oracle");
        }
        let (s, b) = f
            .post_raw(
                &who,
                "/api/v1/screen",
                "{\"id\":\"c\",\"name\":\"杭州鑫达贸易有限公司\"}\n",
            )
            .await;
        if screeners.contains(&who) {
            assert_eq!(s, StatusCode::OK, "{who} screens: {b}");
        } else if who == "public" {
            assert_eq!(s, StatusCode::UNAUTHORIZED);
        } else {
            assert_eq!(s, StatusCode::FORBIDDEN, "{who} screens: {b}");
        }
        // Public pages answer everyone.
        let (s, _) = f.get(&who, "/portal/blacklist.json").await;
        assert_eq!(s, StatusCode::OK, "{who}");
    }
    // Listing: only an agency's supervisor; a platform or office is refused.
    let listing = serde_json::json!({"legal_basis": "《市场监督管理严重违法失信名单管理办法》第十条", "decision_number": "杭市监列〔2026〕9号", "start": today, "months": 36});
    for (who, want) in [
        ("plata.operator", StatusCode::FORBIDDEN),
        ("zjoffice.supervisor", StatusCode::FORBIDDEN),
        ("rha.agent", StatusCode::FORBIDDEN),
        ("hz.officer", StatusCode::FORBIDDEN),
        ("hz.supervisor", StatusCode::OK),
    ] {
        let (s, b) = f
            .post_json(
                who,
                &format!("/api/v1/subjects/{}/blacklist", firm.id),
                &listing,
            )
            .await;
        assert_eq!(s, want, "{who} lists: {b}");
    }
    // The entry's repair: another agency gets a refusal (the list is public), not its own.
    let v: serde_json::Value =
        serde_json::from_str(&f.get("hz.supervisor", &credit).await.1).unwrap();
    let entry = v["blacklist"][0]["id"].as_str().unwrap().to_string();
    let repair = serde_json::json!({"applied_on": today, "obligations_fulfilled": "已缴清", "harm_removed": "已召回"});
    let (s, b) = f
        .post_json(
            "nj.officer",
            &format!("/api/v1/blacklist/{entry}/repair"),
            &repair,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = f
        .post_json(
            "hz.supervisor",
            &format!("/api/v1/blacklist/{entry}/repair"),
            &repair,
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "before a year has passed: {b}"
    );
    // A platform adds its own self-inspection record, not a brushing finding.
    let record = |kind: &str| serde_json::json!({"kind": kind, "source": "甲电商平台", "on": today, "legal_basis": "《电子商务法》第二十九条", "reference": "ZC-2026-1", "summary": "下架侵权商品 3 件", "fine_fen": null});
    let uri = format!("/api/v1/subjects/{}/credit-records", firm.id);
    assert_eq!(
        f.post_json("plata.operator", &uri, &record("self_inspection"))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        f.post_json("plata.operator", &uri, &record("brushing_finding"))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (s, b) = f
        .post_json("hz.officer", &uri, &record("penalty_decision"))
        .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "penalties come from the case: {b}"
    );
    let (s, b) = f
        .post_json(
            "hz.officer",
            &uri,
            &serde_json::json!({"kind": "brushing_finding"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(b.contains("\"field\":\"source\""), "{b}");
    // The disclosure board: the office and agencies have one; a platform does not.
    assert_eq!(
        f.get("zjoffice.supervisor", "/api/v1/disclosures/board")
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        f.get("plata.operator", "/api/v1/disclosures/board").await.0,
        StatusCode::NOT_FOUND
    );
    // An unknown disclosure is unknown to everyone.
    let (s, _) = f
        .post_json(
            "hz.supervisor",
            &format!("/api/v1/disclosures/{}/publish", uuid::Uuid::now_v7()),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    f.finish().await;
}

/// Brushing and seller networks (issue 18), the path of "done when": a platform sends a
/// month of orders with its token, the console shows the groups with their evidence and the
/// seller networks behind them, an officer turns one into a case. And the matrix: another
/// platform, another region's agency and the public read none of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn brushing_groups_and_networks_by_every_principal() {
    use wangjian_brushing::synth::{generate, Attack, Honest, RingSignals};
    let f = fixture().await;
    let plata = world::org_id("plata").0.to_string();

    // The platform's token (ingest + read), made in its session.
    let (s, b) = f
        .post_json(
            "plata.operator",
            "/api/v1/tokens",
            &serde_json::json!({"name": "订单报送", "scopes": ["ingest", "read"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let token: serde_json::Value = serde_json::from_str(&b).unwrap();
    let bearer = format!("Bearer {}", token["secret"].as_str().unwrap());
    let post_text = |uri: String, text: String, auth: Option<String>, who: Option<&str>| {
        let mut req = Request::post(uri).header(header::CONTENT_TYPE, "application/x-ndjson");
        if let Some(a) = auth {
            req = req.header(header::AUTHORIZATION, a);
        }
        if let Some((sid, csrf)) = who.and_then(|w| f.sessions.get(w)) {
            req = req
                .header(header::COOKIE, format!("wj_session={sid}"))
                .header("x-csrf-token", csrf.as_str());
        }
        let router = f.router.clone();
        async move { body(send(&router, req.body(Body::from(text)).unwrap()).await).await }
    };

    // A month of orders with a brushing ring.
    let traffic = generate(
        &Honest {
            buyers: 3000,
            shops: 300,
            orders: 18_000,
            seed: 18,
        },
        &[Attack::Ring {
            accounts: 30,
            shops: 4,
            density: 0.9,
            days: 3,
            signals: RingSignals {
                shared_devices: true,
                template_reviews: true,
                tiny_amounts: true,
                empty_parcels: false,
            },
        }],
    );
    let mut ring_shops: Vec<String> = traffic.fraud_shops.iter().cloned().collect();
    ring_shops.sort();

    // The platform's shop identifiers: the ring's shops share a phone and sit in
    // Hangzhou; a bad line and a bad value are reported with their numbers.
    let mut ids = String::new();
    for (i, s) in ring_shops.iter().enumerate() {
        ids.push_str(&format!(
            "{{\"shop\":\"{s}\",\"phone\":\"13957112345\",\"return_address\":\"浙江省杭州市西湖区文三路{}号\"}}\n",
            90 + i
        ));
    }
    ids.push_str("{not json\n{\"shop\":\"x1\",\"phone\":\"12\"}\n");
    let (s, b) = post_text(
        "/api/v1/shop-identifiers?source=shop-profile".into(),
        ids,
        Some(bearer.clone()),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let r: serde_json::Value = serde_json::from_str(&b).unwrap();
    let bad: Vec<u64> = r["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["line"].as_u64().unwrap())
        .collect();
    let n = ring_shops.len() as u64;
    assert_eq!(bad, vec![n + 1, n + 2], "{b}");
    assert_eq!(
        r["networks"][0]["size"],
        serde_json::json!(ring_shops.len())
    );
    // Another platform's shop with the same phone, written another way: the network
    // crosses platforms.
    let (s, b) = post_text(
        "/api/v1/shop-identifiers".into(),
        "{\"shop\":\"b-77\",\"phone\":\"139 5711 2345\",\"ship_from_address\":\"浙江省杭州市上城区解放路8号\"}\n".into(),
        None,
        Some("platb.operator"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let r: serde_json::Value = serde_json::from_str(&b).unwrap();
    assert_eq!(
        r["networks"][0]["size"],
        serde_json::json!(ring_shops.len() + 1)
    );

    // The month of orders, with one bad line.
    let mut orders = traffic.lines.join("\n");
    orders.push_str("\n{\"order_id\":\"bad\"}\n");
    let bad_line = traffic.lines.len() as u64 + 1;
    let (s, b) = post_text(
        "/api/v1/brushing/orders".into(),
        orders,
        Some(bearer.clone()),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let r: serde_json::Value = serde_json::from_str(&b).unwrap();
    assert_eq!(r["bad_lines"][0]["line"].as_u64(), Some(bad_line), "{b}");
    let group = r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| {
            g["shops"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| ring_shops.contains(&s.as_str().unwrap().to_string()))
        })
        .unwrap_or_else(|| panic!("the ring is found: {b}"))
        .clone();
    let gid = group["id"].as_str().unwrap().to_string();
    let shop = group["shops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .find(|s| ring_shops.contains(s))
        .unwrap();
    assert!(
        !group["reasons"].as_array().unwrap().is_empty(),
        "reasons: {group}"
    );

    // Who reads the group and the network.
    let hz = [
        "hz.officer",
        "hz.officer2",
        "hz.supervisor",
        "hzpolice.officer",
    ];
    let group_readers: BTreeSet<String> = set(&hz)
        .union(&set(&["zjoffice.supervisor", "plata.operator"]))
        .cloned()
        .collect();
    let network_readers: BTreeSet<String> = set(&hz)
        .union(&set(&["zjoffice.supervisor"]))
        .cloned()
        .collect();
    let unknown = uuid::Uuid::now_v7().to_string();
    let network_uri = format!("/api/v1/networks/{plata}/{shop}");
    for who in f.principals() {
        let (s, b) = f.get(&who, "/api/v1/brushing/groups").await;
        if who == "public" {
            assert_eq!(s, StatusCode::UNAUTHORIZED);
        } else {
            assert_eq!(s, StatusCode::OK, "{who}: {b}");
            assert_eq!(
                b.contains(&gid),
                group_readers.contains(&who),
                "{who} lists groups"
            );
        }
        let (us, ub) = f
            .get(&who, &format!("/api/v1/brushing/groups/{unknown}"))
            .await;
        let (s, b) = f.get(&who, &format!("/api/v1/brushing/groups/{gid}")).await;
        if group_readers.contains(&who) {
            assert_eq!(s, StatusCode::OK, "{who}: {b}");
            assert!(b.contains("\"evidence\""), "{who}");
        } else {
            assert_eq!((s, &b), (us, &ub), "{who}: no existence oracle");
        }
        let (s, b) = f
            .get(
                &who,
                &format!("/api/v1/audit?object_type=brushing_group&object_id={gid}"),
            )
            .await;
        if group_readers.contains(&who) {
            assert_eq!(s, StatusCode::OK, "{who}: {b}");
            assert!(b.contains("brushing_group.detect"), "{who}: {b}");
        } else if who != "public" {
            assert_eq!(
                s,
                StatusCode::NOT_FOUND,
                "{who}: the trail is read with the group"
            );
        }
        let (us, ub) = f
            .get(&who, &format!("/api/v1/networks/{plata}/no-such-shop"))
            .await;
        let (s, b) = f.get(&who, &network_uri).await;
        if network_readers.contains(&who) {
            assert_eq!(s, StatusCode::OK, "{who}: {b}");
            assert!(b.contains("b-77"), "{who}: the other platform's shop");
            assert!(!b.contains("13957112345"), "phones are masked: {b}");
        } else {
            assert_eq!((s, &b), (us, &ub), "{who}: network hidden");
        }
        let (s, b) = f.get(&who, "/api/v1/networks").await;
        if who != "public" {
            assert_eq!(s, StatusCode::OK, "{who}: {b}");
            assert_eq!(
                b.contains(&shop),
                network_readers.contains(&who),
                "{who} lists networks: {b}"
            );
        }
    }
    // Uploads: not the public, not a rights holder, not an office.
    for who in ["public", "rha.agent", "zjoffice.supervisor"] {
        let (s, _) = post_text(
            "/api/v1/brushing/orders?platform=plata".into(),
            "{}\n".into(),
            None,
            Some(who),
        )
        .await;
        assert!(
            matches!(s, StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED),
            "{who}: {s}"
        );
    }
    // The platform reads but does not review; another region's agency gets the 404.
    let review = serde_json::json!({"confirm": true});
    let (s, _) = f
        .post_json(
            "plata.operator",
            &format!("/api/v1/brushing/groups/{gid}/review"),
            &review,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = f
        .post_json(
            "nj.officer",
            &format!("/api/v1/brushing/groups/{gid}/review"),
            &review,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, b) = f
        .post_json(
            "nb.officer",
            &format!("/api/v1/brushing/groups/{gid}/lead"),
            &serde_json::json!({"case_title": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");

    // The console: the groups list, the group with its evidence and reasons in Chinese,
    // the network picture with both platforms.
    let (s, html) = f.get("hz.officer", "/brushing").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&gid));
    let (s, html) = f.get("hz.officer", &format!("/brushing/{gid}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("证据订单") && html.contains("group-actions"),
        "{html}"
    );
    assert!(
        html.contains(&format!("/networks/{plata}/")),
        "the shops' network is linked"
    );
    let (s, html) = f
        .get("hz.officer", &format!("/networks/{plata}/{shop}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<svg") && html.contains("b-77"), "{html}");
    let (s, _) = f.get("nj.officer", &format!("/brushing/{gid}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = f
        .get("platb.operator", &format!("/networks/{plata}/{shop}"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The registry knows the subject behind one of the group's shops: the confirmed
    // finding enters that subject's credit file, once.
    let plat_id = world::org_id("plata");
    let firm_shop = group["shops"][0].as_str().unwrap().to_string();
    let firm = wangjian_domain::subject::Subject::enterprise(
        wangjian_domain::SubjectId::from_u128(0x18),
        "杭州某某贸易有限公司",
        "91330100799655058B",
    )
    .unwrap();
    f.store.put_subject(&firm).await.unwrap();
    f.store
        .put_shop(&wangjian_domain::subject::Shop {
            id: wangjian_domain::lead::shop_id_for(plat_id, &firm_shop),
            platform: plat_id,
            platform_shop_id: firm_shop.clone(),
            name: "某某旗舰店".into(),
            subject: Some(firm.id),
            version: 1,
        })
        .await
        .unwrap();
    // An officer turns it into a case, through the lead and case workflow.
    let (s, b) = f
        .post_json(
            "hz.officer",
            &format!("/api/v1/brushing/groups/{gid}/lead"),
            &serde_json::json!({"case_title": "涉嫌刷单炒信（虚假交易）", "version": group["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let r: serde_json::Value = serde_json::from_str(&b).unwrap();
    assert_eq!(r["group"]["state"], "confirmed");
    assert!(
        !r["findings"].as_array().unwrap().is_empty(),
        "credit findings: {b}"
    );
    let file = f.store.credit_file(firm.id).await.unwrap().unwrap();
    let found: Vec<_> = file
        .records
        .iter()
        .filter(|r| r.kind == wangjian_domain::credit::CreditRecordKind::BrushingFinding)
        .collect();
    assert_eq!(found.len(), 1, "{:?}", file.records);
    assert_eq!(
        found[0].reference,
        format!("brushing-group:{gid}:{firm_shop}")
    );
    let case = r["case"].as_str().unwrap().to_string();
    let lead = r["lead"].as_str().unwrap().to_string();
    let (s, b) = f.get("hz.officer", &format!("/api/v1/cases/{case}")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(b.contains("刷单"));
    // Twice is refused; the lead page shows the shop's network.
    let (s, _) = f
        .post_json(
            "hz.officer",
            &format!("/api/v1/brushing/groups/{gid}/lead"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "already a lead: a rule violation"
    );
    let (s, html) = f.get("hz.officer", &format!("/leads/{lead}")).await;
    assert_eq!(s, StatusCode::OK);
    let lead_shop = group["shops"][0].as_str().unwrap().to_string();
    assert_eq!(
        html.contains("shop-network"),
        ring_shops.contains(&lead_shop),
        "the lead names its first shop; its network shows when it has one"
    );
    // The trail holds the upload, the detection and the lead.
    let trail = f
        .store
        .object_trail(
            wangjian_domain::ObjectType::BrushingGroup,
            uuid::Uuid::parse_str(&gid).unwrap(),
        )
        .await
        .unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.event.action.as_str()).collect();
    assert_eq!(actions, ["brushing_group.detect", "brushing_group.to_lead"]);
    f.finish().await;
}
