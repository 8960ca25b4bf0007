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
use axum::response::Response;
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;
use wangjian_server::auth::password::hash_password;
use wangjian_server::directory::Directory;
use wangjian_server::{router, AppState, ServerConfig};
use wangjian_store::Store;

use common::world::{self, World, PASSWORD};

struct Fixture {
    router: Router,
    store: Store,
    world: World,
    /// login → (session cookie, csrf token); "public" has neither.
    sessions: BTreeMap<String, (String, String)>,
    db_path: std::path::PathBuf,
}

async fn body(resp: Response) -> (StatusCode, String) {
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn send(router: &Router, req: Request<Body>) -> Response {
    router.clone().oneshot(req).await.unwrap()
}

fn cookie(resp: &Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            let (k, val) = v.split(';').next()?.split_once('=')?;
            (k == name).then(|| val.to_string())
        })
}

async fn sign_in(router: &Router, login: &str) -> (String, String) {
    let resp = send(router, Request::get("/login").body(Body::empty()).unwrap()).await;
    let pre = cookie(&resp, "wj_csrf").unwrap();
    let form = format!(
        "_csrf={pre}&login={}&password={}",
        &serde_urlencoded::to_string([("v", login)]).unwrap()[2..],
        &serde_urlencoded::to_string([("v", PASSWORD)]).unwrap()[2..]
    );
    let resp = send(
        router,
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("wj_csrf={pre}"))
            .body(Body::from(form))
            .unwrap(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{login} signs in");
    let sid = cookie(&resp, "wj_session").unwrap();
    let (_, html) = body(
        send(
            router,
            Request::get("/")
                .header(header::COOKIE, format!("wj_session={sid}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await,
    )
    .await;
    let csrf = html
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    (sid, csrf)
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
    let state = AppState::new(Directory::Store(store.clone()), ServerConfig::default());
    let router = router(state);
    let mut sessions = BTreeMap::new();
    for (login, ..) in world::users() {
        sessions.insert(login.to_string(), sign_in(&router, login).await);
    }
    Fixture {
        router,
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

    async fn finish(self) {
        self.store.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.db_path.display()));
        }
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
        // The public has no session, so no CSRF token: refused (403) before anything is
        // read; a reader who may not act gets 403 too; everyone else the unknown id's 404.
        let want = if who == "public" || case_hz_readers.contains(&who) {
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
